"""Span verdicts exported from ``report.html``, read back by ``mtqa review``: span precision.

The export (``verdicts-<hash>.csv``, written by the page's script) has one row per flag of
the run, in document order, with the columns of :data:`mtqa.report.html.EXPORT_COLUMNS`:
``doc_id, sent_id, span_start, span_end, span_text, severity, source, score, suggested,
suggestion, gain_bits, verdict, fixed_text, reason``. ``verdict`` is ``correct`` (a real
error), ``false-alarm`` (nothing wrong there), ``fixed`` (a real error; ``fixed_text`` is
the reviewer's corrected span, empty = delete it) or blank (not reviewed).

A flag reviewed on two rows (same doc_id, sent_id, span_start, span_end, source) counts once
when both say the same, and not at all, with a problem, when they differ; a ``score`` that
is not a number from 0 to 1 is a problem too (the row is not counted). The rows are checked
against the run's flags (:func:`mtqa.quality.coverage.check_flag_rows`): a flag with no row
(deleted) and a row that is no flag of the run (not counted) are problems.

Span precision is the share of reviewed flags that are real errors (``correct`` or
``fixed``), overall, by severity and by source, each with a 95% Wilson interval; for flags
that carried a suggestion, how often the reviewer's fix equals it.

The LM threshold (:func:`lm_threshold`): an LM span's ``score`` is the error probability of
its worst word, and ``mtqa check --threshold P`` keeps exactly the LM spans whose score is
at least P. So the reviewed LM flags tell which P reaches a target precision: the lowest
score t at which "keep the LM flags scoring >= t" does; ``mtqa review`` prints it as the
option to pass (P a hair under t, so that the 4-decimal scores of the export cannot cut
a flag that scored exactly t).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from mtqa.errors import InputError
from mtqa.quality.coverage import check_flag_rows, find_run
from mtqa.quality.sheets import Problem, Rate, Sheet, drop_repeats, missing_columns, score_cell
from mtqa.quality.tables import fmt
from mtqa.text import counted

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
    score: float | None = None  # the span's score; None when the sheet has no score column
    doc_id: str = ""
    sent_id: str = ""
    span: tuple[str, str, str] = ("", "", "")  # span_start, span_end, source as written

    @property
    def error(self) -> bool:
        """Whether the reviewer found a real error there."""
        return self.verdict != "false-alarm"

    @property
    def took_suggestion(self) -> bool:
        """Whether the reviewer's fix is the suggestion (a deletion for ``delete``)."""
        wanted = "" if self.suggested == "delete" else self.suggestion
        return self.verdict == "fixed" and bool(self.suggested) and self.fixed_text == wanted


@dataclass(frozen=True)
class LmThreshold:
    """The ``--threshold`` that reaches ``target`` precision on the reviewed LM flags.

    ``threshold``: the value to pass (None: no score reaches the target, or no LM flag is
    reviewed); ``kept``/``reviewed``: the reviewed LM flags it keeps / all of them;
    ``precision``: theirs; ``best_precision``: the best any cut reaches.
    """

    target: float
    threshold: float | None
    kept: int
    reviewed: int
    precision: float | None
    best_precision: float | None

    @property
    def option(self) -> str | None:
        """``--threshold P`` as ``mtqa check`` takes it, or None."""
        return None if self.threshold is None else f"--threshold {self.threshold:.5f}"


def lm_threshold(items: list[SpanVerdict], target: float = 0.8) -> LmThreshold:
    """The lowest LM span score t where keeping the LM flags scoring >= t reaches ``target``
    precision on the reviews; its option is P = t - 0.00005 (module docstring)."""
    lm = sorted(
        (v for v in items if v.source == "lm" and v.score is not None),
        key=lambda v: -(v.score or 0.0),
    )
    found: tuple[float, int, float] | None = None
    best: float | None = None
    k = errors = 0
    while k < len(lm):
        t = lm[k].score or 0.0
        while k < len(lm) and lm[k].score == t:  # ties go together
            errors += lm[k].error
            k += 1
        best = max(best or 0.0, errors / k)
        if errors / k >= target:
            found = (t, k, errors / k)
    if found is None:
        return LmThreshold(target, None, 0, len(lm), None, None if best is None else round(best, 4))
    t, kept, precision = found
    p = round(max(t - 0.00005, 0.00001), 5)
    return LmThreshold(target, p, kept, len(lm), round(precision, 4), round(best or 0.0, 4))


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
    threshold: LmThreshold | None = None  # the LM --threshold for the target precision
    problems: list[Problem] = field(default_factory=list)
    notices: list[Problem] = field(default_factory=list)
    missing: int = 0  # flags of the run with no row (mtqa.quality.coverage)

    def as_dict(self) -> dict[str, Any]:
        """The report as JSON."""
        d = asdict(self)
        for key in ("problems", "notices"):
            d[key] = [
                {"row": p.row, "doc_id": p.doc_id, "sent_id": p.sent_id, "message": p.message}
                for p in getattr(self, key)
            ]
        if self.threshold is not None:
            d["threshold"]["option"] = self.threshold.option
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
    score: float | None = None  # no score column: no LM threshold, the rest is measured
    if "score" in sheet.col:
        try:
            score = score_cell(cells["score"])
        except ValueError as exc:
            why = (
                f"score {cells['score']!r} {exc} ({sheet.where('score')}); restore it from the "
                "export report.html wrote"
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
        score,
        doc_id,
        sent_id,
        (cells["span_start"].strip(), cells["span_end"].strip(), cells["source"].strip()),
    )


def summarise_spans(sheet: Sheet, target: float = 0.8, run: str | None = None) -> SpanReport:
    """The span-level report of a verdict export (and the LM ``--threshold`` reaching
    ``target`` precision), its rows checked against the run in the folder ``run``, else in
    the sheet's (:func:`~mtqa.quality.coverage.check_flag_rows`). Raises
    :class:`InputError` when a required column is missing, no flag has a verdict or no row
    is a flag of the run; :class:`~mtqa.errors.UsageError` when ``run`` holds no run."""
    missing_columns(
        sheet, REQUIRED, "review the verdict export of report.html, keeping its columns"
    )
    items: list[SpanVerdict] = []
    problems, notices, unknown, missing = check_flag_rows(sheet, find_run(sheet.path, run), run)
    rows = 0
    for row, cells in sheet.records():
        rows += 1
        if row in unknown:  # not the run's: named in the problems
            continue
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
    items, twice, again = drop_repeats(
        items,
        lambda v: (v.doc_id, v.sent_id, *v.span),
        lambda v: v.verdict + (f" {v.fixed_text!r}" if v.verdict == "fixed" else ""),
        "doc_id, sent_id, span_start, span_end and source",
    )
    problems = sorted(problems + twice, key=lambda p: p.row)
    notices = sorted(notices + again, key=lambda p: p.row)
    if not items and not problems:
        raise InputError(
            sheet.path,
            None,
            f"none of its {counted(rows, 'flag')} has a verdict; mark flags in report.html "
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
        threshold=lm_threshold(items, target),
        problems=problems,
        notices=notices,
        missing=missing,
    )


def uncounted_lines(problems: Sequence[Problem], missing: int, what: str) -> list[str]:
    """The summary's last lines: the rows not counted (``problems`` past the header) and the
    run's ``missing`` ``what``s (``flag``, ``sentence``) that have no row, after a blank
    line; none when there are neither."""
    not_counted = sum(p.row > 1 for p in problems)
    lines = [""] if not_counted or missing else []
    if not_counted:
        lines.append(f"{not_counted} row(s) not counted (see the messages on stderr)")
    if missing:
        lines.append(
            f"{missing} {what}(s) of the run have no row: not in this review (see the "
            "messages on stderr)"
        )
    return lines


def threshold_lines(t: LmThreshold | None) -> list[str]:
    """The report's lines on the LM threshold: the option to pass, or why there is none."""
    if t is None:
        return []
    head = f"LM threshold for precision >= {t.target:g}"
    if not t.reviewed:
        return [f"{head}: no LM flag with a score is reviewed; none can be derived"]
    if t.option is None:
        return [
            f"{head}: none reaches it on {'this' if t.reviewed == 1 else 'these'} "
            f"{counted(t.reviewed, 'reviewed LM flag')} (best precision {fmt(t.best_precision)})"
        ]
    return [
        f"{head}: mtqa check {t.option} -> keeps {t.kept} of "
        f"{counted(t.reviewed, 'reviewed LM flag')}, precision {fmt(t.precision)}"
    ]


def format_spans(rep: SpanReport) -> str:
    """The span report as a plain-text table (what ``mtqa review`` prints for an export)."""

    def line(r: Rate, indent: str = "") -> str:
        ci = "-" if r.low is None else f"{r.low:.2f}-{r.high:.2f}"
        return f"  {indent + r.group:<24} {r.n:>8} {r.errors:>7} {fmt(r.rate):>9}  {ci}"

    c = rep.counts
    lines = [
        f"{rep.path}: {rep.reviewed} of {counted(rep.spans, 'flag')} reviewed: "
        f"{c['correct']} correct, {c['false-alarm']} false alarm, {c['fixed']} fixed",
        "",
        "span precision (share of reviewed flags that are real errors: correct or fixed)",
        f"  {'group':<24} {'reviewed':>8} {'errors':>7} {'precision':>9}  95% interval",
        line(rep.precision),
        "  by severity",
        *(line(r, "  ") for r in rep.by_severity),
        "  by span source",
        *(line(r, "  ") for r in rep.by_source),
        "",
        f"suggestions: {counted(rep.suggested, 'reviewed flag')} had one; the reviewer's fix "
        f"equals it in {rep.took_suggestion}",
        *threshold_lines(rep.threshold),
    ]
    lines += uncounted_lines(rep.problems, rep.missing, "flag")
    return "\n".join(lines)
