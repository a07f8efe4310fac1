"""``mtqa review REVIEWED.csv``: read reviewers' verdicts back and measure the flags.

Two kinds of sheet, told apart by the header (:func:`mtqa.quality.sheets.read_sheet`):

* ``sentences.csv`` with ``ok`` or ``error`` written in its ``review`` column (blank = not
  reviewed): flag precision (share of flagged sentences marked ``error``) overall, by
  sentence severity and by span source (``lm``, ``rule:<id>``, ...; read from the
  ``spans`` column), each with a 95% Wilson interval; the reviewed error rate among
  *unflagged* sentences (what the flags miss); the lowest sentence-score threshold at
  which "flag when score >= t" reaches the target precision, with its precision and recall.
* the span verdicts exported from ``report.html`` (a ``verdict`` column): span-level
  precision, see :mod:`mtqa.quality.verdicts`.

Row numbers are spreadsheet rows: the header is row 1, the first sentence row 2.
A review value other than ok/error/blank, or a score that is not a number from 0 to 1
(``nan``, ``inf``, ``7.5``), is a ``Problem`` reported with its row and column — never
silently dropped; so is a sentence (same ``doc_id`` and ``sent_id``) given two different
verdicts on two rows, and neither row is counted (a repeat with the same verdict counts
once, with a notice); a missing optional column (``spans``, ``doc_id``, ``sent_id``) or a
``spans`` cell that names no source is a notice with the column and the fix. Rows deleted,
repeated or with ids the run does not have are found against the run that wrote the sheet
(:mod:`mtqa.quality.coverage`), in either kind of sheet.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from typing import Any

from mtqa.errors import InputError
from mtqa.quality.coverage import check_rows, find_run
from mtqa.quality.sheets import (
    Problem,
    Rate,
    Sheet,
    drop_repeats,
    missing_columns,
    read_sheet,
    score_cell,
    wilson,
)
from mtqa.quality.tables import fmt
from mtqa.quality.verdicts import SpanReport, format_spans, summarise_spans, uncounted_lines
from mtqa.text import counted

VERDICTS = ("ok", "error")
# one span of a ``spans`` cell: its quoted text (mtqa.report.base.quoted), severity, source
_SPAN_SOURCE = re.compile(r'"(?:[^"\\]|\\.)*" (minor|major): ([^\s;]+)(?=; "|$)')
RESTORE = "restore it from the sentences.csv mtqa wrote"
# a sentence score mixes the LM's spans and the rules' (a noisy-or), so its cut is no
# detector threshold: say so, and where a --threshold comes from
SCORE_CUT = (
    "  (a cut on the sentence score, which mixes LM and rule flags: no mtqa check option "
    "applies it; for a --threshold, review the flags in report.html and run mtqa review on "
    "its verdict export)"
)


@dataclass(frozen=True)
class Reviewed:
    """One reviewed sentence: its spreadsheet row, score, severity, span sources, verdict."""

    row: int  # spreadsheet row (header = 1)
    doc_id: str
    sent_id: str
    score: float
    severity: str  # none | minor | major
    sources: tuple[str, ...]
    error: bool


@dataclass(frozen=True)
class Threshold:
    """The lowest score threshold reaching ``target`` precision on the reviews, if any."""

    target: float
    score: float | None  # flag when sentence score >= this; None: no threshold reaches target
    flagged: int
    precision: float | None
    recall: float | None
    best_precision: float | None  # the best precision any threshold reaches (when none does)


@dataclass
class ReviewReport:
    """What ``mtqa review`` reports on a reviewed ``sentences.csv`` (module docstring)."""

    path: str
    rows: int  # sentence rows in the file
    reviewed: int
    errors: int
    flagged: Rate  # precision of the current flags
    by_severity: list[Rate]
    by_source: list[Rate]  # empty, with a notice, when the sheet has no spans column
    unflagged: Rate  # error rate among unflagged reviewed sentences
    threshold: Threshold
    problems: list[Problem] = field(default_factory=list)  # rows not counted
    notices: list[Problem] = field(default_factory=list)  # counted, but something is off
    has_spans: bool = True
    missing: int = 0  # sentences of the run with no row (mtqa.quality.coverage)

    def as_dict(self) -> dict[str, Any]:
        """The report as JSON."""
        d = asdict(self)
        for key in ("problems", "notices"):
            d[key] = [
                {"row": p.row, "doc_id": p.doc_id, "sent_id": p.sent_id, "message": p.message}
                for p in getattr(self, key)
            ]
        return {"kind": "sentences", **d}


def _header_notices(sheet: Sheet) -> list[Problem]:
    """Notices for optional columns the sentences sheet lacks (header, row 1)."""
    col = sheet.col
    out = []
    if "spans" not in col:
        out.append(
            Problem(
                1,
                "",
                "",
                "no 'spans' column: precision by span source cannot be measured; keep the "
                "spans column of the sentences.csv mtqa wrote",
                True,
            )
        )
    ids = [c for c in ("doc_id", "sent_id") if c not in col]
    if ids:
        out.append(
            Problem(
                1,
                "",
                "",
                f"no {' or '.join(repr(c) for c in ids)} column: rows are named by their row "
                "number only; keep the doc_id and sent_id columns",
                True,
            )
        )
    return out


def read_reviewed(
    path: str, raw: bool = False, run: str | None = None
) -> tuple[int, list[Reviewed], list[Problem], list[Problem]]:
    """(sentence rows, reviewed sentences, problems, notices) from an edited sentences.csv,
    checked against its run (the folder ``run``, else the sheet's: :mod:`mtqa.quality.coverage`).

    Raises :class:`~mtqa.errors.InputError` for a file that is not UTF-8, is not a
    sentences sheet, lacks the ``review``, ``score`` or ``severity`` column, or is another
    run's.
    """
    rows, items, problems, notices, _ = _reviewed_rows(_sentences_sheet(read_sheet(path, raw)), run)
    return rows, items, problems, notices


def _sentences_sheet(sheet: Sheet) -> Sheet:
    if sheet.kind != "sentences":
        raise InputError(
            sheet.path, 1, "this is a verdict export; read it with review() (mtqa review)"
        )
    missing_columns(
        sheet,
        ("score", "severity"),
        "review a sentences.csv written by `mtqa check`, keeping its columns",
    )
    return sheet


def _reviewed_rows(
    sheet: Sheet, run: str | None = None
) -> tuple[int, list[Reviewed], list[Problem], list[Problem], int]:
    """(rows, reviewed, problems, notices, run sentences with no row) of a sentences sheet."""
    problems, notices, unknown, missing = check_rows(sheet, find_run(sheet.path, run), run)
    reviewed: list[Reviewed] = []
    notices = _header_notices(sheet) + notices
    has_spans = "spans" in sheet.col
    count = 0
    for row, cells in sheet.records():
        count += 1
        if row in unknown:  # not the run's: named in the problems
            continue
        item = _reviewed(row, cells, sheet)
        if isinstance(item, Problem):
            problems.append(item)
            continue
        if item is None:
            continue
        reviewed.append(item)
        if has_spans and item.severity != "none" and not item.sources:
            notices.append(
                Problem(
                    row,
                    item.doc_id,
                    item.sent_id,
                    f"{sheet.where('spans')}: {cells['spans']!r} names no span source for a "
                    f"flagged sentence; counted, but not by source; {RESTORE}",
                    True,
                )
            )
    reviewed, twice, again = drop_repeats(
        reviewed,
        lambda r: (r.doc_id, r.sent_id) if r.doc_id.strip() and r.sent_id.strip() else None,
        lambda r: "error" if r.error else "ok",
        "doc_id and sent_id",
    )
    problems = sorted(problems + twice, key=lambda p: p.row)
    notices = sorted(notices + again, key=lambda p: p.row)
    return count, reviewed, problems, notices, missing


def _reviewed(row: int, cells: dict[str, str], sheet: Sheet) -> Reviewed | Problem | None:
    """One sentence row: its verdict, a problem, or None when it is not reviewed."""
    doc_id, sent_id = cells.get("doc_id", ""), cells.get("sent_id", "")
    raw = cells.get("review", "")
    verdict = raw.strip().lower()
    if not verdict:
        return None
    if verdict not in VERDICTS:
        why = (
            f"unknown review value {raw!r} ({sheet.where('review')}); write ok or error, or "
            "leave it blank"
        )
        return Problem(row, doc_id, sent_id, why)
    try:
        score = score_cell(cells["score"])
    except ValueError as exc:
        why = f"score {cells['score']!r} {exc} ({sheet.where('score')}); {RESTORE}"
        return Problem(row, doc_id, sent_id, why)
    severity = cells["severity"].strip().lower()
    if severity not in ("none", "minor", "major"):
        why = (
            f"severity {cells['severity']!r} is not none, minor or major "
            f"({sheet.where('severity')}); {RESTORE}"
        )
        return Problem(row, doc_id, sent_id, why)
    spans = cells.get("spans", "")
    sources = tuple(dict.fromkeys(m.group(2) for m in _SPAN_SOURCE.finditer(spans)))
    return Reviewed(row, doc_id, sent_id, score, severity, sources, verdict == "error")


def best_threshold(items: list[Reviewed], target: float) -> Threshold:
    """Lowest score t where "flag when score >= t" has precision >= target on the reviews."""
    total_errors = sum(r.error for r in items)
    ranked = sorted(items, key=lambda r: -r.score)
    found: tuple[float, int, float, float] | None = None
    best: float | None = None
    k = errors = 0
    while k < len(ranked):
        t = ranked[k].score
        while k < len(ranked) and ranked[k].score == t:  # ties go together
            errors += ranked[k].error
            k += 1
        precision = errors / k
        best = precision if best is None else max(best, precision)
        if precision >= target and errors:
            found = (t, k, precision, errors / total_errors)
    if found is None:
        return Threshold(target, None, 0, None, None, None if best is None else round(best, 4))
    t, n, precision, recall = found
    return Threshold(target, t, n, round(precision, 4), round(recall, 4), round(best or 0, 4))


def summarise(
    path: str,
    rows: int,
    items: list[Reviewed],
    problems: list[Problem],
    target: float = 0.8,
    notices: list[Problem] | None = None,
    has_spans: bool = True,
) -> ReviewReport:
    """The report over the reviewed sentences ``items`` (``rows`` sentence rows in all)."""
    flagged = [r for r in items if r.severity != "none"]
    sources = sorted({s for r in flagged for s in r.sources})
    return ReviewReport(
        path=path,
        rows=rows,
        reviewed=len(items),
        errors=sum(r.error for r in items),
        flagged=Rate.of("all flagged", (r.error for r in flagged)),
        by_severity=[
            Rate.of(sev, (r.error for r in flagged if r.severity == sev))
            for sev in ("major", "minor")
        ],
        by_source=[Rate.of(s, (r.error for r in flagged if s in r.sources)) for s in sources],
        unflagged=Rate.of("unflagged", (r.error for r in items if r.severity == "none")),
        threshold=best_threshold(items, target),
        problems=problems,
        notices=list(notices or []),
        has_spans=has_spans,
    )


def review(
    path: str, target: float = 0.8, raw: bool = False, run: str | None = None
) -> ReviewReport | SpanReport:
    """``mtqa review``: read a reviewed sentences.csv or a verdict export and measure the flags.

    ``raw``: the file was written with ``--csv-raw`` (no guard quotes to remove). ``run``:
    the output folder of the run that wrote the sentences.csv or the report.html whose
    verdicts were exported (default: the sheet's folder, when it holds one), whose sentences
    or flags the rows are checked against (:mod:`mtqa.quality.coverage`). Raises
    :class:`~mtqa.errors.InputError` when the file cannot be read, is another run's, or
    nothing is reviewed; :class:`~mtqa.errors.UsageError` when ``run`` holds no run.
    """
    sheet = read_sheet(path, raw)
    if sheet.kind == "verdicts":
        return summarise_spans(sheet, target, run)
    rows, items, problems, notices, missing = _reviewed_rows(_sentences_sheet(sheet), run)
    if not items and not problems:
        raise InputError(
            path,
            None,
            f"none of its {counted(rows, 'sentence row')} is reviewed; write ok or error in the "
            "review column, then rerun",
        )
    rep = summarise(path, rows, items, problems, target, notices, "spans" in sheet.col)
    rep.missing = missing
    return rep


def rate_line(r: Rate, indent: str = "") -> str:
    """One row of a precision table: group, reviewed, errors, precision, interval."""
    ci = "-" if r.low is None else f"{r.low:.2f}-{r.high:.2f}"
    return f"  {indent + r.group:<24} {r.n:>8} {r.errors:>7} {fmt(r.rate):>9}  {ci}"


def format_review(rep: ReviewReport | SpanReport) -> str:
    """The report as a plain-text table (what ``mtqa review`` prints)."""
    if isinstance(rep, SpanReport):
        return format_spans(rep)
    lines = [
        f"{rep.path}: {rep.reviewed} of {counted(rep.rows, 'sentence')} reviewed, "
        f"{rep.errors} marked error",
        "",
        "flag precision (share of reviewed flagged sentences marked error)",
        f"  {'group':<24} {'reviewed':>8} {'errors':>7} {'precision':>9}  95% interval",
        rate_line(rep.flagged),
        "  by severity",
        *(rate_line(r, "  ") for r in rep.by_severity),
        "  by span source",
    ]
    if rep.has_spans:
        lines.extend(rate_line(r, "  ") for r in rep.by_source or [Rate.of("(none)", [])])
    else:
        lines.append("    not available: the sheet has no 'spans' column (see the notice)")
    u = rep.unflagged
    ci = "" if u.low is None else f" (95% interval {u.low:.2f}-{u.high:.2f})"
    lines += [
        "",
        f"unflagged sentences: {u.n} reviewed, {u.errors} marked error, error rate "
        f"{fmt(u.rate)}{ci}",
    ]
    t = rep.threshold
    if t.score is not None:
        lines.append(
            f"threshold for precision >= {t.target:g}: flag when score >= {t.score:.4f} -> "
            f"{t.flagged} reviewed sentences flagged, precision {fmt(t.precision)}, recall "
            f"{fmt(t.recall)}"
        )
        lines.append(SCORE_CUT)
    else:
        lines.append(
            f"threshold for precision >= {t.target:g}: none reaches it on these reviews "
            f"(best precision {fmt(t.best_precision)})"
        )
    lines += uncounted_lines(rep.problems, rep.missing, "sentence")
    return "\n".join(lines)


__all__ = [
    "Problem",
    "Rate",
    "ReviewReport",
    "SpanReport",
    "format_review",
    "read_reviewed",
    "review",
    "wilson",
]
