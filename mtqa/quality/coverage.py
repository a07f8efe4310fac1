"""A reviewed ``sentences.csv`` against the run that wrote it: rows deleted, repeated, unknown.

A reviewer edits the sheet in a spreadsheet, where a row is easily deleted, pasted twice or
given another id. The run knows its sentences: ``segments.jsonl`` names each one
(``doc_id`` and ``sent_id``), and ``run.json`` counts them. :func:`find_run` reads them
from the folder given (``mtqa review --run OUTDIR``), else from the sheet's own folder
when ``mtqa check`` wrote one there; :func:`check_rows` compares the sheet with them:

* a sentence of the run with no row is a problem naming its ids (deleted rows drop their
  sentences from the review); with only ``run.json`` (a run without the ``jsonl`` format)
  the counts are compared, so the problem gives how many;
* a row whose ids the run does not have is a problem, and the row is not counted; a sheet
  none of whose rows is the run's is an :class:`~mtqa.errors.InputError` (another run's);
* a row repeating an earlier row's ids is a notice (two reviewed repeats are
  :func:`mtqa.quality.sheets.drop_repeats`'s); this needs no run;
* with no run found, a notice says what cannot be checked and how to name the run.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mtqa.errors import InputError, UsageError
from mtqa.quality.sheets import Problem, Sheet
from mtqa.text import one_line_safe

SHOWN = 10  # missing sentences named in the message; the rest are counted
Key = tuple[str, str]  # (doc_id, sent_id), as the sheet's cells read


@dataclass(frozen=True)
class RunSentences:
    """The sentences of a run: their ids in input order (None: only counted), their
    number, and the file that said so (for messages)."""

    source: str
    total: int
    keys: list[Key] | None


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


def _segment_keys(path: Path) -> list[Key]:
    """The (doc_id, sent_id) of every sentence in a ``segments.jsonl``, in order."""
    keys: list[Key] = []
    with path.open(encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
                doc = str(record["id"])
                keys.extend((doc, str(s["sent_id"])) for s in record["sentences"])
            except (ValueError, KeyError, TypeError):
                raise InputError(
                    str(path),
                    n,
                    "not a record mtqa wrote; rerun the mtqa check that wrote this folder",
                ) from None
    return keys


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
                f"--run {run}: no run.json of mtqa check in it; name the output folder of "
                "the mtqa check that wrote the sheet"
            )
        return None
    shown = Path(run) if run is not None else Path(sheet_path).parent
    segments = folder / "segments.jsonl"
    formats = (info.get("settings") or {}).get("formats") or []
    if "jsonl" in formats and segments.is_file():
        keys = _segment_keys(segments)
        return RunSentences(str(shown / "segments.jsonl"), len(keys), keys)
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


def _repeats(sheet: Sheet, has_ids: bool) -> list[Problem]:
    """A notice on each row repeating an earlier row's ids, unless both are reviewed
    (:func:`~mtqa.quality.sheets.drop_repeats` says those)."""
    if not has_ids:
        return []
    first: dict[Key, tuple[int, bool]] = {}
    out = []
    for row, cells in sheet.records():
        key = _key(cells)
        reviewed = bool(cells.get("review", "").strip())
        if not all(key):
            continue
        if key not in first:
            first[key] = (row, reviewed)
            continue
        was, was_reviewed = first[key]
        if reviewed and was_reviewed:
            continue
        why = f"repeats row {was} (same doc_id and sent_id); delete the repeat"
        out.append(Problem(row, key[0], key[1], why, True))
    return out


def check_rows(
    sheet: Sheet, run: RunSentences | None, given: str | None = None
) -> tuple[list[Problem], list[Problem], set[int], int]:
    """(problems, notices, rows not to count, run sentences with no row) for ``sheet``
    against ``run`` (module docstring). ``given``: the ``--run`` option, for messages."""
    has_ids = "doc_id" in sheet.col and "sent_id" in sheet.col
    notices = _repeats(sheet, has_ids)
    if run is None:
        why = (
            "no mtqa run beside it (run.json): rows deleted from the sheet, and rows whose ids "
            "are not the run's, cannot be found; pass --run with the folder mtqa check wrote "
            "the sheet to"
        )
        return [], [Problem(0, "", "", why, True), *notices], set(), 0
    records = list(sheet.records())
    if run.keys is None or not has_ids:
        have = len({_key(c) for _, c in records}) if has_ids else len(records)
        return _by_count(run, have, has_ids), notices, set(), max(run.total - have, 0)
    known = set(run.keys)
    unknown = [(row, _key(cells)) for row, cells in records if _key(cells) not in known]
    if records and len(unknown) == len(records):
        where = f"--run {given}" if given else f"{Path(run.source).parent}"
        raise InputError(
            sheet.path,
            None,
            f"none of its {len(records)} rows is a sentence of the run in {where} "
            f"({run.source}); review that run's sentences.csv, or name the folder of the run "
            "that wrote this sheet with --run",
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
    missing = [k for k in run.keys if k not in seen]
    if missing:
        names = ", ".join(_name(k) for k in missing[:SHOWN])
        more = f" and {len(missing) - SHOWN} more" if len(missing) > SHOWN else ""
        why = (
            f"{len(missing)} sentence(s) of the run ({run.source}) have no row: {names}{more}; "
            f"a deleted row drops its sentence from the review; {_PUT_BACK}"
        )
        problems.insert(0, Problem(0, "", "", why))
    return problems, notices, {row for row, _ in unknown}, len(missing)


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
