"""Span verdicts exported from ``report.html``, read back by ``mtqa review``: span precision.

The export (``verdicts-<hash>.csv``, written by the page's script) has one row per flag of
the run, in document order, with the columns of :data:`mtqa.report.html.EXPORT_COLUMNS`:
``doc_id, sent_id, span_start, span_end, span_text, severity, source, score, suggested,
suggestion, gain_bits, verdict, fixed_text, reason``. ``verdict`` is ``correct`` (a real
error), ``false-alarm`` (nothing wrong there), ``fixed`` (a real error; ``fixed_text`` is
the reviewer's corrected span, empty = delete it) or blank (not reviewed).

Span precision is the share of reviewed flags that are real errors (``correct`` or
``fixed``), overall, by severity and by source, each with a 95% Wilson interval; for flags
that carried a suggestion, how often the reviewer's fix equals it.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from mtqa.errors import InputError
from mtqa.quality.sheets import Problem, Rate, Sheet, missing_columns
from mtqa.quality.tables import fmt

REQUIRED = ("doc_id", "sent_id", "span_start", "span_end", "severity", "source", "verdict")
SPAN_VERDICTS = {
    "correct": "correct",
    "false-alarm": "false-alarm",
    "false alarm": "false-alarm",
    "false_alarm": "false-alarm",
    "fixed": "fixed",
}


@dataclass(frozen=True)
class SpanVerdict:
    """One reviewed flag: its row, severity, source, verdict and the reviewer's fix."""

    row: int
    severity: str
    source: str
    verdict: str  # correct | false-alarm | fixed
    suggested: str  # replace | delete | "" (none)
    suggestion: str
    fixed_text: str

    @property
    def error(self) -> bool:
        """Whether the reviewer found a real error there."""
        return self.verdict != "false-alarm"

    @property
    def took_suggestion(self) -> bool:
        """Whether the reviewer's fix is the suggestion (a deletion for ``delete``)."""
        wanted = "" if self.suggested == "delete" else self.suggestion
        return self.verdict == "fixed" and bool(self.suggested) and self.fixed_text == wanted


@dataclass
class SpanReport:
    """What ``mtqa review`` reports on a verdict export (module docstring)."""

    path: str
    spans: int  # flag rows in the file
    reviewed: int
    counts: dict[str, int]  # verdict -> reviewed flags
    precision: Rate
    by_severity: list[Rate]
    by_source: list[Rate]
    suggested: int  # reviewed flags that carried a suggestion
    took_suggestion: int  # ... whose fix equals it
    problems: list[Problem] = field(default_factory=list)
    notices: list[Problem] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        """The report as JSON."""
        d = asdict(self)
        for key in ("problems", "notices"):
            d[key] = [
                {"row": p.row, "doc_id": p.doc_id, "sent_id": p.sent_id, "message": p.message}
                for p in getattr(self, key)
            ]
        return {"kind": "verdicts", **d}


def _verdict(row: int, cells: dict[str, str], sheet: Sheet) -> SpanVerdict | Problem | None:
    doc_id, sent_id = cells["doc_id"], cells["sent_id"]
    raw = cells["verdict"]
    if not raw.strip():
        return None
    verdict = SPAN_VERDICTS.get(raw.strip().lower())
    if verdict is None:
        why = (
            f"unknown verdict {raw!r} ({sheet.where('verdict')}); write correct, false-alarm "
            "or fixed, or leave it blank"
        )
        return Problem(row, doc_id, sent_id, why)
    severity = cells["severity"].strip().lower()
    if severity not in ("minor", "major"):
        why = (
            f"severity {cells['severity']!r} is not minor or major ({sheet.where('severity')}); "
            "restore it from the export report.html wrote"
        )
        return Problem(row, doc_id, sent_id, why)
    return SpanVerdict(
        row,
        severity,
        cells["source"].strip() or "(no source)",
        verdict,
        cells.get("suggested", "").strip().lower(),
        cells.get("suggestion", ""),
        cells.get("fixed_text", ""),
    )


def summarise_spans(sheet: Sheet) -> SpanReport:
    """The span-level report of a verdict export. Raises :class:`InputError` when a required
    column is missing or no flag has a verdict."""
    missing_columns(
        sheet, REQUIRED, "review the verdict export of report.html, keeping its columns"
    )
    items: list[SpanVerdict] = []
    problems: list[Problem] = []
    notices: list[Problem] = []
    rows = 0
    for row, cells in sheet.records():
        rows += 1
        item = _verdict(row, cells, sheet)
        if isinstance(item, Problem):
            problems.append(item)
        elif item is not None:
            items.append(item)
            if item.verdict == "fixed" and "fixed_text" not in sheet.col:
                notices.append(
                    Problem(
                        row,
                        cells["doc_id"],
                        cells["sent_id"],
                        "verdict 'fixed' but the sheet has no 'fixed_text' column; counted as "
                        "a real error, the fix is lost",
                        True,
                    )
                )
    if not items and not problems:
        raise InputError(
            sheet.path,
            None,
            f"none of its {rows} flags has a verdict; mark flags in report.html "
            "(keys c, f, x), export again, then rerun",
        )
    sources = sorted({v.source for v in items})
    return SpanReport(
        path=sheet.path,
        spans=rows,
        reviewed=len(items),
        counts={k: sum(v.verdict == k for v in items) for k in ("correct", "false-alarm", "fixed")},
        precision=Rate.of("all flags", (v.error for v in items)),
        by_severity=[
            Rate.of(sev, (v.error for v in items if v.severity == sev))
            for sev in ("major", "minor")
        ],
        by_source=[Rate.of(s, (v.error for v in items if v.source == s)) for s in sources],
        suggested=sum(bool(v.suggested) for v in items),
        took_suggestion=sum(v.took_suggestion for v in items),
        problems=problems,
        notices=notices,
    )


def format_spans(rep: SpanReport) -> str:
    """The span report as a plain-text table (what ``mtqa review`` prints for an export)."""

    def line(r: Rate, indent: str = "") -> str:
        ci = "-" if r.low is None else f"{r.low:.2f}-{r.high:.2f}"
        return f"  {indent + r.group:<24} {r.n:>8} {r.errors:>7} {fmt(r.rate):>9}  {ci}"

    c = rep.counts
    lines = [
        f"{rep.path}: {rep.reviewed} of {rep.spans} flags reviewed: {c['correct']} correct, "
        f"{c['false-alarm']} false alarm, {c['fixed']} fixed",
        "",
        "span precision (share of reviewed flags that are real errors: correct or fixed)",
        f"  {'group':<24} {'reviewed':>8} {'errors':>7} {'precision':>9}  95% interval",
        line(rep.precision),
        "  by severity",
        *(line(r, "  ") for r in rep.by_severity),
        "  by span source",
        *(line(r, "  ") for r in rep.by_source),
        "",
        f"suggestions: {rep.suggested} reviewed flags had one; the reviewer's fix equals it "
        f"in {rep.took_suggestion}",
    ]
    if rep.problems:
        lines += ["", f"{len(rep.problems)} row(s) not counted (see the messages on stderr)"]
    return "\n".join(lines)
