"""A reviewed sheet against the run that wrote it: rows deleted, repeated, unknown.

A reviewer edits the sheet in a spreadsheet, where a row is easily deleted, pasted twice or
given another id. The run knows its sentences and flags: ``segments.jsonl`` names each
sentence (``doc_id`` and ``sent_id``) and each flag (its offsets and source, in its
sentence), and ``run.json`` counts the sentences. :func:`find_run` reads them from the
folder given (``mtqa review --run OUTDIR``), else from the sheet's own folder when ``mtqa
check`` wrote one there; :func:`check_rows` compares a ``sentences.csv`` with them, and
:func:`check_flag_rows` the verdict export of ``report.html`` (a row per flag: ``doc_id``,
``sent_id``, ``span_start``, ``span_end``, ``source``) in the same way:

* a sentence of the run with no row is a problem naming its ids (deleted rows drop their
  sentences from the review); with only ``run.json`` (a run without the ``jsonl`` format)
  the counts are compared, so the problem gives how many;
* a row whose ids the run does not have is a problem, and the row is not counted; a sheet
  none of whose rows is the run's is an :class:`~mtqa.errors.InputError` (another run's);
* a row repeating an earlier row's ids is a notice (two reviewed repeats are
  :func:`mtqa.quality.sheets.drop_repeats`'s); this needs no run;
* with no run found, a notice says what cannot be checked and how to name the run; a verdict
  export checked against a run written without ``segments.jsonl`` (its only list of flags)
  gets a notice too.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mtqa.errors import InputError, UsageError, named, named_value
from mtqa.quality.sheets import Problem, Sheet
from mtqa.text import one_line_safe

SHOWN = 10  # missing sentences or flags named in the message; the rest are counted
Key = tuple[str, str]  # (doc_id, sent_id), as the sheet's cells read
FlagKey = tuple[str, str, str, str, str]  # (doc_id, sent_id, span_start, span_end, source)


@dataclass(frozen=True)
class RunSentences:
    """The sentences of a run: their ids in input order (None: only counted), their
    number, and the file that said so (for messages); its flags in document order (None:
    the run wrote no ``segments.jsonl``, which lists them)."""

    source: str
    total: int
    keys: list[Key] | None
    flags: list[FlagKey] | None = None


def _run_json(folder: Path) -> dict[str, Any] | None:
    """``folder/run.json`` when it is an ``mtqa check`` run's (counts and settings), else None."""
    try:
        run = json.loads((folder / "run.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(run, dict):
        return None
    counts = run.get("counts")
    if not isinstance(counts, dict) or not isinstance(counts.get("sentences"), int):
        return None
    return run


def _sentence_of(sentences: list[tuple[str, int, int]], start: int) -> str:
    """The sent_id of the sentence a span starting at ``start`` is on: the one holding
    ``start`` (a span lies on the sentence its start is in), else the last one before."""
    held = [sid for sid, a, b in sentences if a <= start < b]
    before = [sid for sid, a, _ in sentences if a <= start]
    return held[0] if held else before[-1] if before else ""


def _segment_keys(path: Path) -> tuple[list[Key], list[FlagKey]]:
    """The (doc_id, sent_id) of every sentence in a ``segments.jsonl``, in order, and the
    (doc_id, sent_id, start, end, source) of every flag, as the verdict export's cells read."""
    keys: list[Key] = []
    flags: list[FlagKey] = []
    with path.open(encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
                doc = str(record["id"])
                sents = [(str(s["sent_id"]), s["start"], s["end"]) for s in record["sentences"]]
                keys.extend((doc, sid) for sid, _, _ in sents)
                flags.extend(
                    (doc, _sentence_of(sents, sp["start"]), str(sp["start"]), str(sp["end"]))
                    + (str(sp["source"]),)
                    for sp in record.get("spans") or []
                )
            except (ValueError, KeyError, TypeError):
                raise InputError(
                    str(path),
                    n,
                    "not a record mtqa wrote; rerun the mtqa check that wrote this folder",
                ) from None
    return keys, flags


def find_run(sheet_path: str, run: str | None = None) -> RunSentences | None:
    """The sentences of the run in folder ``run``, else in the sheet's folder; None when
    there is none. ``segments.jsonl`` names them when the run wrote it (its ``run.json``
    lists the ``jsonl`` format: an older one beside it is another run's), else ``run.json``
    counts them; ``run`` may name a file of the run too (its ``run.json``). Raises
    :class:`~mtqa.errors.UsageError` when ``run`` holds no run."""
    if run is not None and Path(run).is_file():  # out/run.json: the folder it is in
        run = str(Path(run).parent)
    folder = Path(run) if run is not None else Path(os.path.abspath(sheet_path)).parent
    info = _run_json(folder)
    if info is None:
        if run is not None:
            raise UsageError(
                f"{named_value('run', run)}: no run.json of mtqa check in it; name the output "
                "folder of the mtqa check that wrote the sheet"
            )
        return None
    shown = Path(run) if run is not None else Path(sheet_path).parent
    segments = folder / "segments.jsonl"
    formats = (info.get("settings") or {}).get("formats") or []
    if "jsonl" in formats and segments.is_file():
        keys, flags = _segment_keys(segments)
        return RunSentences(str(shown / "segments.jsonl"), len(keys), keys, flags)
    return RunSentences(str(shown / "run.json"), info["counts"]["sentences"], None)


def _key(cells: dict[str, str]) -> Key:
    return cells.get("doc_id", "").strip(), cells.get("sent_id", "").strip()


def _name(key: Key) -> str:
    return f"{one_line_safe(key[0])}#{one_line_safe(key[1])}"


_PUT_BACK = (
    "put them back: undo the deletion, or copy the rows from the sentences.csv mtqa wrote "
    "(rerunning the same mtqa check rewrites it from its stored results, without scoring; "
    "keep your reviewed sheet elsewhere first)"
)


def _repeats(
    sheet: Sheet, key: Callable[[dict[str, str]], tuple[str, ...]], column: str, what: str
) -> list[Problem]:
    """A notice on each row repeating an earlier row's ``key`` (its columns: ``what``),
    unless both are reviewed (their ``column`` filled: :func:`~mtqa.quality.sheets.drop_repeats`
    says those)."""
    first: dict[tuple[str, ...], tuple[int, bool]] = {}
    out = []
    for row, cells in sheet.records():
        k = key(cells)
        reviewed = bool(cells.get(column, "").strip())
        if not all(k):
            continue
        if k not in first:
            first[k] = (row, reviewed)
            continue
        was, was_reviewed = first[k]
        if reviewed and was_reviewed:
            continue
        why = f"repeats row {was} (same {what}); delete the repeat"
        out.append(Problem(row, k[0], k[1], why, True))
    return out


def check_rows(
    sheet: Sheet, run: RunSentences | None, given: str | None = None
) -> tuple[list[Problem], list[Problem], set[int], int]:
    """(problems, notices, rows not to count, run sentences with no row) for ``sheet``
    against ``run`` (module docstring). ``given``: the ``--run`` option, for messages."""
    has_ids = "doc_id" in sheet.col and "sent_id" in sheet.col
    notices = _repeats(sheet, _key, "review", "doc_id and sent_id") if has_ids else []
    if run is None:
        why = (
            "no mtqa run beside it (run.json): rows deleted from the sheet, and rows whose ids "
            f"are not the run's, cannot be found; pass {named('run', 'DIR')}, the folder mtqa "
            "check wrote the sheet to"
        )
        return [], [Problem(0, "", "", why, True), *notices], set(), 0
    records = list(sheet.records())
    if run.keys is None or not has_ids:
        have = len({_key(c) for _, c in records}) if has_ids else len(records)
        return _by_count(run, have, has_ids), notices, set(), max(run.total - have, 0)
    known = set(run.keys)
    unknown = [(row, _key(cells)) for row, cells in records if _key(cells) not in known]
    if records and len(unknown) == len(records):
        where = named_value("run", given) if given else f"{Path(run.source).parent}"
        raise InputError(
            sheet.path,
            None,
            f"none of its {len(records)} rows is a sentence of the run in {where} "
            f"({run.source}); review that run's sentences.csv, or pass {named('run', 'DIR')}, "
            "the folder of the run that wrote this sheet",
        )
    problems = [
        Problem(
            row,
            key[0],
            key[1],
            f"the run ({run.source}) has no sentence {_name(key)}: not counted; restore the "
            "row's doc_id and sent_id as mtqa wrote them, or delete the row",
        )
        for row, key in unknown
    ]
    seen = {_key(cells) for _, cells in records}
    missing = [_name(k) for k in run.keys if k not in seen]
    _no_row(problems, missing, "sentence", run.source, _PUT_BACK)
    return problems, notices, {row for row, _ in unknown}, len(missing)


def _no_row(problems: list[Problem], missing: list[str], what: str, source: str, fix: str) -> None:
    """Put first in ``problems`` the one message for the run's ``what``s (named in
    ``missing``) that have no row in the sheet (``source``: the run's file), with ``fix``."""
    if not missing:
        return
    names = ", ".join(missing[:SHOWN])
    more = f" and {len(missing) - SHOWN} more" if len(missing) > SHOWN else ""
    why = (
        f"{len(missing)} {what}(s) of the run ({source}) have no row: {names}{more}; a "
        f"deleted row drops its {what} from the review; {fix}"
    )
    problems.insert(0, Problem(0, "", "", why))


def _by_count(run: RunSentences, have: int, has_ids: bool) -> list[Problem]:
    """The problem when the sheet covers more or fewer sentences than the run counts
    (``have``: its distinct ids, or its rows when it has no id columns)."""
    what = "sentences" if has_ids else "sentence rows"
    if have < run.total:
        why = (
            f"the run ({run.source}) has {run.total} sentences, the sheet {have} {what}: "
            f"{run.total - have} deleted row(s) drop their sentences from the review; "
            f"{_PUT_BACK}"
        )
    elif have > run.total:
        why = (
            f"the sheet has {have} {what}, the run ({run.source}) {run.total}: rows were "
            "added; delete them"
        )
    else:
        return []
    return [Problem(0, "", "", why)]


FLAG_COLUMNS = ("doc_id", "sent_id", "span_start", "span_end", "source")
_FLAG_WHAT = "doc_id, sent_id, span_start, span_end and source"


def _flag_key(cells: dict[str, str]) -> FlagKey:
    d, s, a, b, src = (cells.get(c, "").strip() for c in FLAG_COLUMNS)
    return d, s, a, b, src


def _flag_name(key: FlagKey) -> str:
    """``b#2 4-11 lm``: a flag as a message names it."""
    return f"{_name(key[:2])} {key[2]}-{key[3]} {one_line_safe(key[4])}"


_EXPORT_AGAIN = (
    "put them back: undo the deletion, or export the verdicts from report.html again (the "
    "page keeps them)"
)


def check_flag_rows(
    sheet: Sheet, run: RunSentences | None, given: str | None = None
) -> tuple[list[Problem], list[Problem], set[int], int]:
    """(problems, notices, rows not to count, run flags with no row) for a verdict export
    ``sheet`` against ``run`` (module docstring): :func:`check_rows` for flags, a flag
    being its row's doc_id, sent_id, span_start, span_end and source. ``given``: the
    ``--run`` option, for messages."""
    notices = _repeats(sheet, _flag_key, "verdict", _FLAG_WHAT)
    if run is None or run.flags is None:
        lost = (
            "rows deleted from the export, and rows whose flags are not the run's, cannot be found"
        )
        why = (
            f"no mtqa run beside it (run.json): {lost}; pass {named('run', 'DIR')}, the folder "
            "of the mtqa check whose report.html was reviewed"
            if run is None
            else f"the run ({run.source}) wrote no segments.jsonl, which lists its flags: "
            f"{lost}; keep jsonl in the {named('formats')} of that mtqa check"
        )
        return [], [Problem(0, "", "", why, True), *notices], set(), 0
    records = list(sheet.records())
    known = set(run.flags)
    unknown = [(row, _flag_key(c)) for row, c in records if _flag_key(c) not in known]
    if records and len(unknown) == len(records):
        where = named_value("run", given) if given else f"{Path(run.source).parent}"
        raise InputError(
            sheet.path,
            None,
            f"none of its {len(records)} rows is a flag of the run in {where} ({run.source}); "
            f"review that run's report.html export, or pass {named('run', 'DIR')}, the folder "
            "of the run whose report.html was reviewed",
        )
    problems = [
        Problem(
            row,
            key[0],
            key[1],
            f"the run ({run.source}) has no flag {_flag_name(key)}: not counted; restore the "
            "row's doc_id, sent_id, span_start, span_end and source as report.html exported "
            "them, or delete the row",
        )
        for row, key in unknown
    ]
    seen = {_flag_key(c) for _, c in records}
    missing = [_flag_name(k) for k in run.flags if k not in seen]
    _no_row(problems, missing, "flag", run.source, _EXPORT_AGAIN)
    return problems, notices, {row for row, _ in unknown}, len(missing)
