"""``mtqa review REVIEWED.csv``: read reviewers' verdicts back and measure the flags.

Reviewers open ``sentences.csv`` in a spreadsheet and write ``ok`` or ``error`` in
its ``review`` column (blank = not reviewed). This module reads it back with the
csv module (UTF-8 with or without a BOM; comma, semicolon or tab separated, as
spreadsheets save it) and reports, over the reviewed sentences only:

* flag precision (share of flagged sentences marked ``error``) overall, by sentence
  severity and by span source (``lm``, ``rule:<id>``, ...; read from the ``spans``
  column), each with a 95% Wilson interval;
* the reviewed error rate among *unflagged* sentences (what the flags miss);
* the lowest sentence-score threshold at which "flag when score >= t" reaches the
  target precision on these reviews, with its precision and recall.

Row numbers are spreadsheet rows: the header is row 1, the first sentence row 2.
A review value other than ok/error/blank, or a score that is not a number, is a
``Problem`` reported with its row — never silently dropped.
"""

from __future__ import annotations

import csv
import io
import math
import re
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from mtqa.errors import InputError
from mtqa.quality.tables import fmt

VERDICTS = ("ok", "error")
_SPAN_SOURCE = re.compile(r'" (minor|major): ([^\s;]+)(?=; "|$)')
DELIMITERS = (",", ";", "\t")


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
class Problem:
    """A row that cannot be counted, with the reason (shown on stderr)."""

    row: int
    doc_id: str
    sent_id: str
    message: str

    def where(self, path: str) -> str:
        """``path:row N (doc#sent)`` for a message."""
        return f"{path}:row {self.row} ({self.doc_id}#{self.sent_id})"


@dataclass(frozen=True)
class Rate:
    """``errors`` of ``n`` reviewed sentences, with a 95% Wilson interval."""

    group: str
    n: int
    errors: int
    rate: float | None
    low: float | None
    high: float | None

    @classmethod
    def of(cls, group: str, verdicts: Iterable[bool]) -> Rate:
        """The rate of ``True`` among ``verdicts``, with its interval (None when there are none)."""
        vs = list(verdicts)
        n, k = len(vs), sum(vs)
        if not n:
            return cls(group, 0, 0, None, None, None)
        low, high = wilson(k, n)
        return cls(group, n, k, round(k / n, 4), round(low, 4), round(high, 4))


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
    """What ``mtqa review`` reports (see the module docstring)."""

    path: str
    rows: int  # sentence rows in the file
    reviewed: int
    errors: int
    flagged: Rate  # precision of the current flags
    by_severity: list[Rate]
    by_source: list[Rate]
    unflagged: Rate  # error rate among unflagged reviewed sentences
    threshold: Threshold
    problems: list[Problem] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        """The report as JSON."""
        d = asdict(self)
        d["problems"] = [
            {"row": p.row, "doc_id": p.doc_id, "sent_id": p.sent_id, "message": p.message}
            for p in self.problems
        ]
        return d


def wilson(k: int, n: int, z: float = 1.96) -> tuple[float, float]:
    """The Wilson score interval of ``k`` successes in ``n`` trials (``z=1.96``: 95%)."""
    p = k / n
    d = 1 + z * z / n
    c = (p + z * z / (2 * n)) / d
    h = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / d
    return max(0.0, c - h), min(1.0, c + h)


def _decode(path: str) -> str:
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise InputError(path, None, f"cannot read the file ({exc.strerror})") from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise InputError(
            path,
            line,
            "not UTF-8; save the sheet as 'CSV UTF-8' (Excel) or choose UTF-8 "
            "as the character set (LibreOffice)",
        ) from None


def _records(path: str, text: str) -> tuple[list[str], list[list[str]]]:
    """Header and rows, with the delimiter that yields a ``review`` column."""
    for delim in DELIMITERS:
        rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delim))
        if rows and "review" in [h.strip().lower() for h in rows[0]]:
            return [h.strip().lower() for h in rows[0]], rows[1:]
    raise InputError(
        path,
        1,
        "no 'review' column; review a sentences.csv written by `mtqa check` "
        "(write ok or error in its review column)",
    )


def _number(cell: str) -> float:
    cell = cell.strip()
    if "," in cell and "." not in cell:  # a spreadsheet in a decimal-comma locale
        cell = cell.replace(",", ".")
    return float(cell)


def read_reviewed(path: str) -> tuple[int, list[Reviewed], list[Problem]]:
    """(sentence rows, reviewed sentences, problems) from an edited sentences.csv.

    Raises :class:`~mtqa.errors.InputError` for a file that is not UTF-8 or lacks the
    ``review``, ``score`` or ``severity`` column.
    """
    header, rows = _records(path, _decode(path))
    col = {name: i for i, name in enumerate(header)}
    missing = [c for c in ("score", "severity") if c not in col]
    if missing:
        raise InputError(
            path,
            1,
            f"no {', '.join(repr(m) for m in missing)} column; review a sentences.csv "
            "written by `mtqa check`, keeping its columns",
        )
    reviewed: list[Reviewed] = []
    problems: list[Problem] = []
    count = 0
    for k, r in enumerate(rows):
        if not any(c.strip() for c in r):
            continue  # an empty line
        count += 1
        cells = {name: r[i] if i < len(r) else "" for name, i in col.items()}
        item = _reviewed(k + 2, cells)
        if isinstance(item, Problem):
            problems.append(item)
        elif item is not None:
            reviewed.append(item)
    return count, reviewed, problems


def _reviewed(row: int, cells: dict[str, str]) -> Reviewed | Problem | None:
    """One sentence row: its verdict, a problem, or None when it is not reviewed."""
    doc_id, sent_id = cells.get("doc_id", ""), cells.get("sent_id", "")
    raw = cells.get("review", "")
    verdict = raw.strip().lower()
    if not verdict:
        return None
    if verdict not in VERDICTS:
        why = f"unknown review value {raw!r}; write ok or error, or leave it blank"
        return Problem(row, doc_id, sent_id, why)
    try:
        score = _number(cells["score"])
    except ValueError:
        why = (
            f"score {cells['score']!r} is not a number; restore it from the sentences.csv "
            "mtqa wrote"
        )
        return Problem(row, doc_id, sent_id, why)
    severity = cells["severity"].strip().lower()
    if severity not in ("none", "minor", "major"):
        why = (
            f"severity {cells['severity']!r} is not none, minor or major; restore it from "
            "the sentences.csv mtqa wrote"
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
    path: str, rows: int, items: list[Reviewed], problems: list[Problem], target: float = 0.8
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
    )


def review(path: str, target: float = 0.8) -> ReviewReport:
    """``mtqa review``: read an edited sentences.csv and measure the flags on its reviews.

    Raises :class:`~mtqa.errors.InputError` when the file cannot be read or no row is
    reviewed.
    """
    rows, items, problems = read_reviewed(path)
    if not items and not problems:
        raise InputError(
            path,
            None,
            f"none of its {rows} sentence rows is reviewed; write ok or error in the "
            "review column, then rerun",
        )
    return summarise(path, rows, items, problems, target)


def format_review(rep: ReviewReport) -> str:
    """The report as a plain-text table (what ``mtqa review`` prints)."""
    lines = [
        f"{rep.path}: {rep.reviewed} of {rep.rows} sentences reviewed, {rep.errors} marked error",
        "",
        "flag precision (share of reviewed flagged sentences marked error)",
        f"  {'group':<24} {'reviewed':>8} {'errors':>7} {'precision':>9}  95% interval",
    ]

    def line(r: Rate, indent: str = "") -> str:
        ci = "-" if r.low is None else f"{r.low:.2f}-{r.high:.2f}"
        return f"  {indent + r.group:<24} {r.n:>8} {r.errors:>7} {fmt(r.rate):>9}  {ci}"

    lines.append(line(rep.flagged))
    lines.append("  by severity")
    lines.extend(line(r, "  ") for r in rep.by_severity)
    lines.append("  by span source")
    lines.extend(line(r, "  ") for r in rep.by_source or [Rate.of("(none)", [])])
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
    else:
        lines.append(
            f"threshold for precision >= {t.target:g}: none reaches it on these reviews "
            f"(best precision {fmt(t.best_precision)})"
        )
    if rep.problems:
        lines += ["", f"{len(rep.problems)} row(s) not counted (see the messages on stderr)"]
    return "\n".join(lines)
