"""The two inputs of ``mtqa eval``, read and checked, and how a gold record finds its text.

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

Matching (:func:`match`): a record whose ``id`` is a document id of the run is looked for in
that document only; any other record in every document. Its target must be there as it is,
starting and ending at word boundaries: the whole text, a whole line or a phrase, never a
piece of a word (words joined by a hyphen or an apostrophe are one word: ``like`` is not in
``cat-like``). ``line`` (1-based) picks the place on that line of the document; a record
found in two documents, or twice in one without a ``line`` to pick, is ambiguous. A record
found nowhere, or ambiguous, is an error naming its gold line; a wrong ``line`` too.
Notices (:func:`match`) count what is found but may not be meant: run documents without a
record, further raters' records, records whose id names no document (a mistyped id is
searched everywhere), and records repeating an earlier one's target at the same place
without the rater fields (each is scored on its own).
"""

from __future__ import annotations

import bisect
import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mtqa.errors import InputError
from mtqa.readers.decode import decode, read_file
from mtqa.text import counted

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


def _read_lines(path: str, what: str) -> list[str]:
    return decode(read_file(path, what), path, replace_option=False).splitlines()


def _short(text: str, n: int = 40) -> str:
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
        raise _Bad(f"'id' must be a string or an integer, got {gid!r}")
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
    for n, line in enumerate(_read_lines(path, "pass a gold .jsonl file"), 1):
        if not line.strip():
            continue
        try:
            out.append(_gold_record(line, n, hint))
        except _Bad as exc:
            raise InputError(path, n, str(exc)) from None
    if not out:
        raise InputError(path, None, f"no gold records; {hint}")
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
    holds a bad value (an offset outside the text, a score that is not a number in [0, 1]).
    """
    p = Path(run_dir) / "segments.jsonl"
    if not p.is_file():
        raise InputError(
            str(p), None, "no segments.jsonl; run `mtqa check ... --format csv,jsonl` first"
        )
    out = []
    for n, line in enumerate(_read_lines(str(p), RERUN), 1):
        if not line.strip():
            continue
        try:
            out.append(_run_record(line))
        except _Bad as exc:
            raise InputError(str(p), n, f"{exc}; not a segments.jsonl record: {RERUN}") from None
    return out


class _Unmatched(Exception):
    """Why a gold record has no place in the run (the message, without the record)."""


Hit = tuple[int, int, int]  # (document index, line index from 0, offset in the document)


#: what joins two letters into one word, as in :data:`mtqa.text.WORD` (``cat-like``, ``don't``)
JOINERS = "'’-"


def _cuts_word(text: str, i: int) -> bool:
    """Whether offset ``i`` of ``text`` lies inside a word: between two letters or digits, or
    next to a hyphen or apostrophe that joins two letters (``cat|-like``, ``cat-|like``)."""
    if i <= 0 or i >= len(text):
        return False
    a, b = text[i - 1], text[i]
    if a.isalnum() and b.isalnum():
        return True
    if b in JOINERS and a.isalpha() and i + 1 < len(text) and text[i + 1].isalpha():
        return True
    return a in JOINERS and b.isalpha() and i >= 2 and text[i - 2].isalpha()


def _bounded(text: str, start: int, end: int) -> bool:
    """Whether text[start:end] starts and ends at word boundaries (never inside a word; a
    hyphenated or apostrophised word is one word)."""
    return not (_cuts_word(text, start) or _cuts_word(text, end))


class _RunIndex:
    """The run's documents by id, where each line of each starts, and all their texts joined
    by NUL (no document holds one: mtqa reads a NUL as an error or as U+FFFD), so that one
    search finds a target in every document at once."""

    def __init__(self, docs: Sequence[dict[str, Any]]) -> None:
        self.docs = docs
        self.by_id: dict[str, int] = {}
        self.starts: list[list[int]] = []  # per document: the offset of each line
        self.begins: list[int] = []  # per document: its offset in ``joined``
        pos = 0
        for i, d in enumerate(docs):
            self.by_id.setdefault(d["id"], i)  # the first document of an id wins
            self.begins.append(pos)
            pos += len(d["text"]) + 1
            at, starts = 0, []
            for ln in d["text"].splitlines(keepends=True):
                starts.append(at)
                at += len(ln)
            self.starts.append(starts or [0])
        self.joined = "\x00".join(d["text"] for d in docs)

    def _hits(self, text: str, own: int | None) -> list[Hit]:
        """Every place of ``text`` in document ``own`` (None: in every document) that starts
        and ends at word boundaries (a whole document, a whole line, a phrase; never inside
        a word)."""
        body = self.joined if own is None else self.docs[own]["text"]
        hits = []
        off = body.find(text)
        while off >= 0:
            if _bounded(body, off, off + len(text)):
                i = own if own is not None else bisect.bisect_right(self.begins, off) - 1
                at = off - (0 if own is not None else self.begins[i])
                hits.append((i, bisect.bisect_right(self.starts[i], at) - 1, at))
            off = body.find(text, off + 1)
        return hits

    def _name(self, i: int) -> str:
        return repr(self.docs[i]["id"])

    def locate(self, rec: dict[str, Any]) -> Hit:
        """Where ``rec`` is in the run (module docstring); :class:`_Unmatched` says why not."""
        text, gid, line = rec["text"], rec["id"], rec["line"]
        own = self.by_id.get(gid) if gid is not None else None
        if own is None and gid is not None and gid.strip() in self.by_id:
            raise _Unmatched(
                f"no document of the run has the id {gid!r}, but one has {gid.strip()!r}; "
                "remove the spaces around the id"
            )
        hits = self._hits(text, own)
        if not hits and own is not None:
            raise _Unmatched(
                f"document {gid!r} of the run does not hold its target {_short(text)} (as its "
                "text, a line or a phrase); fix the target, or the id if the record belongs "
                "to another document"
            )
        if not hits:
            raise _Unmatched(
                f"not in this run (no document holds its target {_short(text)} as its text, a "
                "line or a phrase); score the gold targets with `mtqa check` first"
            )
        if line is not None:
            picked = [h for h in hits if h[1] == line - 1]
            if not picked:
                found = ", ".join(f"{h[1] + 1} of {self._name(h[0])}" for h in hits[:5])
                raise _Unmatched(
                    f'"line": {line}, but its target is at line {found}; fix the line field'
                )
            hits = picked
        docs = list(dict.fromkeys(h[0] for h in hits))
        if len(docs) > 1:
            names = ", ".join(self._name(i) for i in docs[:5])
            more = f" and {len(docs) - 5} more" if len(docs) > 5 else ""
            raise _Unmatched(
                f"ambiguous: documents {names}{more} all hold its target; give the record "
                "the id of its document"
            )
        if len(hits) > 1:
            lines = ", ".join(str(h[1] + 1) for h in hits[:5])
            fix = (
                'add a "line" field (1-based) to say which'
                if len({h[1] for h in hits}) > 1
                else "give a longer target"
            )
            raise _Unmatched(
                f"ambiguous: its target is {len(hits)} times in document "
                f"{self._name(docs[0])} (lines {lines}); {fix}"
            )
        return hits[0]


def _prediction(
    rec: dict[str, Any], d: dict[str, Any], off: int
) -> tuple[tuple[tuple[int, int, str], ...], float]:
    end = off + len(rec["text"])
    pred = tuple(
        (max(s["start"], off) - off, min(s["end"], end) - off, s["severity"])
        for s in d["spans"]
        if s["start"] < end and off < s["end"]
    )
    miss = 1.0
    for s in d["sentences"]:
        if s["start"] < end and off < s["end"]:
            miss *= 1.0 - float(s["score"])
    return pred, 1.0 - miss


@dataclass(frozen=True)
class Matched:
    """The gold records matched to the run, and what the reader should know about it."""

    units: list[Unit]
    notices: list[str]


def match(
    gold: Sequence[dict[str, Any]],
    docs: Sequence[dict[str, Any]],
    gold_path: str = "gold",
    run_path: str = "run",
) -> Matched:
    """Each gold record located in the run's documents (module docstring), with the
    predictions inside it.

    Offsets become record offsets; the score is the probability that the record holds an
    error: the noisy-or of the scores of the sentences overlapping it (for a one-sentence
    record, that sentence's score). Raises :class:`~mtqa.errors.InputError` naming the gold
    line of the first record that is not in the run or is ambiguous, and how many more are.
    Notices: run documents that hold no gold record; segments with several records; records
    whose id names no document of the run; records repeating an earlier one without the
    rater fields.
    """
    index = _RunIndex(docs)
    found: list[Hit] = []
    bad: list[tuple[dict[str, Any], str]] = []
    for rec in gold:
        try:
            found.append(index.locate(rec))
        except _Unmatched as exc:
            bad.append((rec, str(exc)))
    if bad:
        rec, why = bad[0]
        who = f"gold record {rec['id']!r}" if rec["id"] is not None else "this gold record"
        more = f" ({len(bad) - 1} more of the {len(gold)} records: not matched either)"
        raise InputError(gold_path, rec["at"], f"{who}: {why}{more if len(bad) > 1 else ''}")
    units = []
    for rec, (i, _, off) in zip(gold, found):
        pred, score = _prediction(rec, docs[i], off)
        label = rec["id"] if rec["id"] is not None else f"line {rec['at']}"
        units.append(Unit(label, rec["text"], tuple(rec["spans"]), pred, score))
    return Matched(units, _notices(gold, docs, found, gold_path, run_path))


def _first(values: Sequence[str], n: int = 3) -> str:
    """``'a', 'b', 'c'``: the first ``n`` values quoted, ``, …`` when there are more."""
    return ", ".join(map(repr, values[:n])) + (", …" if len(values) > n else "")


def _notices(
    gold: Sequence[dict[str, Any]],
    docs: Sequence[dict[str, Any]],
    found: Sequence[Hit],
    path: str,
    run_path: str,
) -> list[str]:
    out = []
    used = {i for i, _, _ in found}
    unused = [d["id"] for i, d in enumerate(docs) if i not in used]
    if unused:
        out.append(
            f"{run_path}: {len(unused)} of the run's {counted(len(docs), 'document')} match no "
            f"gold record (the first: {unused[0]!r}); they are not evaluated"
        )
    ids = {d["id"] for d in docs}
    stray = [rec["id"] for rec in gold if rec["id"] is not None and rec["id"] not in ids]
    if stray:
        out.append(
            f"{path}: {counted(len(stray), 'record')} of {len(gold)} with an id that names no "
            f"document of the run ({_first(stray)}; the run's ids: {_first(sorted(ids))}); "
            "each was looked for in every document and found there: if an id should name its "
            "document, fix it"
        )
    out += _repeats(gold, found, path)
    segments = [rec["segment"] for rec in gold if rec["segment"] is not None]
    repeats = len(segments) - len(set(segments))
    if repeats:
        out.append(
            f"{path}: {len(segments)} records annotate "
            f"{counted(len(set(segments)), 'segment')} (same system, doc_id and seg_id): "
            f"{counted(repeats, 'record')} of a further rater; each record is scored on its own, "
            "so such a segment counts once per rater"
        )
    return out


def _repeats(gold: Sequence[dict[str, Any]], found: Sequence[Hit], path: str) -> list[str]:
    """The notice for records annotating the very text of an earlier record (the same target
    at the same place of the run) without the system, doc_id and seg_id that would make them
    a further rater's annotation: a record copied twice, or two raters left unmarked."""
    first: dict[tuple[int, int, str], dict[str, Any]] = {}
    repeats: list[tuple[dict[str, Any], dict[str, Any]]] = []
    for rec, (i, _, off) in zip(gold, found):
        if rec["segment"] is not None:
            continue
        earlier = first.setdefault((i, off, rec["text"]), rec)
        if earlier is not rec:
            repeats.append((rec, earlier))
    if not repeats:
        return []
    rec, earlier = repeats[0]
    name = f" ({rec['id']!r})" if rec["id"] is not None else ""
    other = sum(1 for r, e in repeats if _span_set(r) != _span_set(e))
    spans = f", {other} of them with other spans" if other else ""
    return [
        f"{path}: {counted(len(repeats), 'repeated record')} (the target of an earlier record "
        f"at the same place of the run, without system, doc_id and seg_id{spans}; the first: "
        f"line {rec['at']}{name}, as line {earlier['at']}); each record is scored on its own, "
        "so such a text counts once per record: delete the repeats, or mark several raters' "
        "records with system, doc_id and seg_id"
    ]


def _span_set(rec: dict[str, Any]) -> set[tuple[int, int, str, str]]:
    return {(g.start, g.end, g.severity, g.category) for g in rec["spans"]}
