"""The two inputs of ``mtqa eval``, read and checked.

Gold (:func:`read_gold`; ``mtqa calibrate --gold`` reads it too): UTF-8 JSON lines, one
object per line, ``{"id", "target", "spans": [{"start", "end", "severity", "category"}]}``:

* ``target``: the text that was annotated, a non-empty string;
* ``spans`` (absent = no error): end-exclusive character offsets into ``target`` (whole
  numbers, ``start < end``; as in ``line``, a float without a fraction, ``4.0``, is taken),
  ``severity`` ``major`` or ``minor`` (any case; MQM's ``critical`` counts as ``major``;
  required), ``category`` (optional, default ``error``), ``text`` (optional: checked
  against the offsets);
* ``id`` (optional), ``line`` (optional, 1-based), ``source`` (optional; read by
  calibrate), and ``system``/``doc_id``/``seg_id`` (optional: records sharing all three
  are one segment annotated by several raters).

The run (:func:`read_run`): the ``segments.jsonl`` ``mtqa check`` writes, one document per
line, each checked for the fields eval reads (``id``, ``text``, ``spans``, ``sentences``).

How a gold record finds its text in the run: :mod:`mtqa.quality.match`.
"""

from __future__ import annotations

import json
import math
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mtqa.errors import InputError
from mtqa.readers.decode import decode, read_file
from mtqa.text import blank

GOLD_FORMAT = '{"id", "target", "spans": [{"start", "end", "severity", "category"}]}'


def format_hint(reader: str = "mtqa eval") -> str:
    """What ``reader`` (the command reading the gold file) reads, for the end of a message."""
    return f"{reader} reads JSON lines, one gold record per line: {GOLD_FORMAT}"


#: gold severities as written (any case) -> the severity scored; MQM's critical is major
SEVERITIES = {"major": "major", "minor": "minor", "critical": "major"}
RERUN = "it is written by `mtqa check --format jsonl`: rerun that rather than edit the file"
#: the files of a run folder that ``mtqa eval`` reads (its ``--json`` may be none of them)
RUN_FILES = ("segments.jsonl", "run.json", "sentences.csv")


@dataclass(frozen=True)
class GoldSpan:
    """A hand-marked error: offsets into the gold record's target, severity, category."""

    start: int
    end: int
    severity: str
    category: str


@dataclass(frozen=True)
class Unit:
    """One gold record with what the run predicted on it (record offsets)."""

    id: str
    text: str
    gold: tuple[GoldSpan, ...]
    pred: tuple[tuple[int, int, str], ...]  # (start, end, severity)
    score: float  # the noisy-or of the run's scores of the sentences overlapping the record

    @property
    def has_error(self) -> bool:
        """Whether the record has a gold span."""
        return bool(self.gold)


class _Bad(Exception):
    """A malformed field of the record being read (the reader adds path and line)."""


def _read_text(path: str, what: str) -> str:
    return decode(read_file(path, what), path, replace_option=False)


def _nothing(text: str, what: str) -> str:
    """``empty file: no gold records`` or what the file holds instead, ``3 blank lines and
    no gold record`` (``what``: the record's name)."""
    held = blank(text)
    return f"{held} and no {what}" if held else f"empty file: no {what}s"


def short(text: str, n: int = 40) -> str:
    """``text`` quoted for a message, cut to ``n`` characters (``'a long ta…'``)."""
    return repr(text if len(text) <= n else text[: n - 1] + "…")


def _whole(v: object) -> int | None:
    """A gold file's whole-number field (``start``, ``end``, ``line``) as an int: an int, or a
    float with no fraction (``4.0``, as tools that write every number as a float give it);
    None for anything else (a bool, ``4.5``, a string, nothing)."""
    if isinstance(v, float) and v.is_integer():
        return int(v)
    return v if isinstance(v, int) and not isinstance(v, bool) else None


def _offset(s: dict[str, Any], key: str, k: int) -> int:
    v = _whole(s.get(key))
    if v is None:
        got = "missing" if s.get(key) is None else repr(s.get(key))
        raise _Bad(
            f"span {k}: '{key}' is {got}, not a whole number; offsets are end-exclusive "
            "character offsets into 'target'"
        )
    return v


def _gold_span(s: object, k: int, text: str) -> GoldSpan:
    """Span ``k`` (1-based) of a record, checked against its target."""
    if not isinstance(s, dict):
        raise _Bad(f"span {k} is {type(s).__name__}, not an object; write {GOLD_FORMAT}")
    start, end = _offset(s, "start", k), _offset(s, "end", k)
    n = len(text)
    if start == end and 0 <= start <= n:
        raise _Bad(
            f"span {k} ({start}-{end}) is empty: a span covers at least one character and "
            f"'end' is exclusive (the character at {start} is {start}-{start + 1}); fix its "
            "end or drop the span"
        )
    if not 0 <= start < end <= n:
        raise _Bad(
            f"span {k} ({start}-{end}) is outside the target text (0-{n}); offsets are "
            f"end-exclusive character offsets into 'target', 0 <= start < end <= {n}, counted "
            "in code points (an emoji is 1, not 2 as in UTF-16; an accented letter 1, not 2 "
            "as in UTF-8 bytes)"
        )
    if "text" in s and s["text"] != text[start:end]:
        raise _Bad(
            f"span {start}-{end} says {s['text']!r} but the target has "
            f"{text[start:end]!r} there; fix the offsets (end-exclusive "
            "character offsets into 'target') or the span's text"
        )
    raw = s.get("severity")
    if raw is None:
        raise _Bad(
            f'span {k} ({start}-{end}) has no \'severity\'; add "severity": "major" or "minor"'
        )
    severity = SEVERITIES.get(raw.strip().lower()) if isinstance(raw, str) else None
    if severity is None:
        raise _Bad(
            f"span {k} ({start}-{end}): severity {raw!r} is not major or minor (nor MQM's "
            "critical, read as major); write one of those"
        )
    category = s.get("category") or "error"
    if not isinstance(category, str):
        raise _Bad(f"span {k} ({start}-{end}): category {category!r} is not a string; quote it")
    return GoldSpan(start, end, severity, category)


def _json_error(exc: ValueError) -> str:
    """``Expecting value at column 1``: json's message with where on the line."""
    if isinstance(exc, json.JSONDecodeError):
        return f"{exc.msg} at column {exc.colno}"
    return str(exc)


def _first_line_hint(line: str, hint: str) -> str:
    """What a first line that is not JSON looks like, with the format to write (``hint``)."""
    if "\t" in line:
        return f"this looks like a tab-separated file, not JSON lines; {hint}"
    if "," in line and not line.lstrip().startswith(("{", "[")):
        return f"this looks like a CSV file, not JSON lines; {hint}"
    return hint


def _gold_record(line: str, n: int, hint: str) -> dict[str, Any]:
    try:
        rec = json.loads(line)
    except ValueError as exc:
        why = _json_error(exc)
        raise _Bad(
            f"not valid JSON ({why}); {_first_line_hint(line, hint) if n == 1 else hint}"
        ) from None
    if not isinstance(rec, dict):
        raise _Bad(f"expected a JSON object per line, got {type(rec).__name__}; {hint}")
    text = rec.get("target")
    if text is None and all(k in rec for k in ("text", "spans", "sentences")):
        raise _Bad(
            "a record of the segments.jsonl `mtqa check` writes, not a gold record: its spans "
            "are the run's own flags, so scoring a run against them measures nothing; pass "
            f"the file of hand-marked spans; {hint}"
        )
    if text is None:
        alt = next((k for k in ("text", "mt", "translation") if k in rec), None)
        also = f" (the record has {alt!r}: rename it to 'target')" if alt else ""
        raise _Bad(f"no 'target' field with the annotated text{also}; {hint}")
    if not isinstance(text, str):
        raise _Bad(f"'target' must be a string, got {type(text).__name__}; quote the text")
    if not text.strip():
        raise _Bad(
            "'target' is empty: it would match any document; fill it with the annotated "
            "text or drop the record"
        )
    raw = rec.get("spans", [])
    if not isinstance(raw, list):
        raise _Bad(f"'spans' must be a list, got {type(raw).__name__}; write {GOLD_FORMAT}")
    spans = [_gold_span(s, k, text) for k, s in enumerate(raw, 1)]
    gid = rec.get("id")
    if isinstance(gid, bool) or not isinstance(gid, (str, int, type(None))):
        raise _Bad(
            f"'id' must be a string or an integer, got {gid!r}; write the id of the run's "
            'document as a JSON string ("...") or leave it out'
        )
    at = None if rec.get("line") is None else _whole(rec["line"])
    if rec.get("line") is not None and (at is None or at < 1):
        raise _Bad(
            f"'line' is {rec['line']!r}, not a whole number from 1: the 1-based line of the "
            "document that holds the target, or absent"
        )
    keys = ("system", "doc_id", "seg_id")
    return {
        "id": None if gid is None else str(gid),
        "at": n,
        "line": at,
        "text": text,
        "spans": spans,
        "source": rec.get("source") if isinstance(rec.get("source"), str) else None,
        "segment": tuple(str(rec[k]) for k in keys) if all(k in rec for k in keys) else None,
    }


def read_gold(path: str, reader: str = "mtqa eval") -> list[dict[str, Any]]:
    """The gold records of a .jsonl file (module docstring): id (None when absent), at (its
    line in the file), line (the ``line`` field), text, spans (checked to lie in the text),
    source (None when the record has none), segment ((system, doc_id, seg_id) or None).

    Raises :class:`~mtqa.errors.InputError` naming the line for a file that is not UTF-8, a
    malformed record, an empty target, a span outside its text or with an unknown severity,
    or a file without records; the messages name ``reader``, the command (and option) reading
    the file, with the format it reads.
    """
    hint = format_hint(reader)
    out = []
    text = _read_text(path, "pass a gold .jsonl file")
    for n, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            out.append(_gold_record(line, n, hint))
        except _Bad as exc:
            raise InputError(path, n, str(exc)) from None
    if not out:
        raise InputError(path, None, f"{_nothing(text, 'gold record')}; {hint}")
    return out


def _number(v: object) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)


def _run_item(what: str, j: int, s: object, n: int) -> None:
    """Check span or sentence ``j`` of a run record whose text has ``n`` characters."""
    if not isinstance(s, dict) or not all(
        isinstance(s.get(x), int) and not isinstance(s.get(x), bool) for x in ("start", "end")
    ):
        raise _Bad(f"{what} {j} has no whole-number 'start' and 'end'")
    if not 0 <= s["start"] <= s["end"] <= n:
        raise _Bad(f"{what} {j} ({s['start']}-{s['end']}) is outside the text (0-{n})")
    if what == "span" and s.get("severity") not in ("major", "minor"):
        raise _Bad(f"span {j}: severity {s.get('severity')!r} is not major or minor")
    if what == "sentence" and not (_number(s.get("score")) and 0.0 <= s["score"] <= 1.0):
        raise _Bad(f"sentence {j}: score {s.get('score')!r} is not a number from 0 to 1")


def _run_record(line: str) -> dict[str, Any]:
    try:
        d = json.loads(line)
    except ValueError as exc:
        raise _Bad(f"not valid JSON ({_json_error(exc)})") from None
    if not isinstance(d, dict):
        raise _Bad(f"expected a JSON object, got {type(d).__name__}")
    for key, kind in (("id", str), ("text", str), ("spans", list), ("sentences", list)):
        if key not in d:
            raise _Bad(f"no {key!r} field")
        if not isinstance(d[key], kind):
            raise _Bad(f"{key!r} is {type(d[key]).__name__}, not {kind.__name__}")
    for what, key in (("span", "spans"), ("sentence", "sentences")):
        for j, s in enumerate(d[key], 1):
            _run_item(what, j, s, len(d["text"]))
    return d


def read_run(run_dir: str) -> list[dict[str, Any]]:
    """The records of a run's ``segments.jsonl``, checked for what eval reads.

    Raises :class:`~mtqa.errors.InputError` naming the line for a missing file, a file that
    is not UTF-8, a line that is not JSON or lacks a field (id, text, spans, sentences) or
    holds a bad value (an offset outside the text, a score that is not a number in [0, 1]),
    or an id met before (several runs joined).
    """
    folder = Path(run_dir)
    if not folder.is_dir():
        what = "no such folder" if not folder.exists() else "a file, not a folder"
        fix = (
            f"pass its folder, {str(folder.parent)!r}"
            if folder.name == "segments.jsonl"
            else "pass the output folder of `mtqa check` (its -o DIR)"
        )
        raise InputError(run_dir, None, f"{what}; {fix}")
    p = folder / "segments.jsonl"
    if not os.path.lexists(p):  # there but unreadable (a folder, a FIFO): read_file says so
        raise InputError(
            str(p), None, "no segments.jsonl; run `mtqa check ... --format csv,jsonl` first"
        )
    out = []
    seen: dict[str, int] = {}  # id -> its line
    text = _read_text(str(p), RERUN)
    for n, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            out.append(_run_record(line))
        except _Bad as exc:
            raise InputError(str(p), n, f"{exc}; not a segments.jsonl record: {RERUN}") from None
        first = seen.setdefault(out[-1]["id"], n)
        if first != n:  # a record with this id would be looked for in the first one only
            raise InputError(
                str(p),
                n,
                f"document id {out[-1]['id']!r} again (first at line {first}): `mtqa check` "
                "writes each document once, so this file joins several runs; evaluate each "
                "run on its own",
            )
    if not out:  # no document to find a gold record in
        raise InputError(str(p), None, f"{_nothing(text, 'document record')}; {RERUN}")
    return out


def run_signature(run_dir: str) -> tuple[str, str | None]:
    """The signature in ``RUN_DIR/run.json`` and None; or ``"unknown"`` and the notice that
    says why (no such file, unreadable, not JSON, no ``signature`` string in it): the run's
    flags can still be measured, but the evaluation cannot say which settings made them."""
    p = Path(run_dir) / "run.json"
    why = None
    try:
        data = json.loads(p.read_text(encoding="utf-8"))
    except FileNotFoundError:
        why = "no such file"
    except IsADirectoryError:
        why = "a folder, not a file"
    except OSError as exc:
        why = f"cannot read it ({exc.strerror or type(exc).__name__})"
    except UnicodeDecodeError:
        why = "not UTF-8 text"
    except json.JSONDecodeError as exc:
        why = f"not JSON ({exc.msg} at line {exc.lineno})"
    else:
        sig = data.get("signature") if isinstance(data, dict) else None
        if isinstance(sig, str) and sig.strip():
            return sig, None
        why = "no 'signature' in it"
    return "unknown", (
        f"{p}: {why}: the run's signature is 'unknown' in this evaluation (the settings that "
        "made its flags are not named); evaluate the folder mtqa check wrote, run.json included"
    )
