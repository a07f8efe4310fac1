"""The sentence table (the only module that imports pandas): ``sentences.csv``.

One row per sentence, input order. Floats are rounded to fixed decimals so the
same input and settings give a byte-identical file. Text cells that a spreadsheet would
run as a formula get a leading ``'`` (:func:`~mtqa.report.base.guard_cell`) unless the
run's settings say ``csv_raw``; ``mtqa review`` removes it when reading back.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from mtqa.checks.document import SENTENCE_COLUMNS as SOURCE_COLUMNS
from mtqa.checks.references import SENTENCE_COLUMNS as REFERENCE_COLUMNS
from mtqa.records import DocumentResult
from mtqa.report.base import Writer, guard_cell, reasons_cell, spans_cell, suggestions_cell

COLUMNS = [
    "doc_id",
    "sent_id",
    "start",
    "end",
    "text",
    "n_tokens",
    "ppl",
    "score",
    "flagged",
    "severity",
    "n_spans",
    "spans",
    "reasons",
    "suggestions",
]
#: the reference and source columns every sentence has (empty without a reference or
#: source), after :data:`COLUMNS`
METRIC_COLUMNS = [*REFERENCE_COLUMNS, *SOURCE_COLUMNS]
REVIEW_COLUMN = "review"
LINE_END = "\r\n"  # RFC 4180, as spreadsheets write CSV


def sentence_rows(result: DocumentResult, guard: bool = True) -> list[dict[str, Any]]:
    """One ``sentences.csv`` row per sentence (floats rounded; metric columns after the rest).

    ``guard``: text cells that would start a spreadsheet formula get a leading ``'``.
    """
    rows = []
    for s in result.sentences:
        row: dict[str, Any] = {
            "doc_id": result.doc_id,
            "sent_id": s.sent_id,
            "start": s.start,
            "end": s.end,
            "text": s.text,
            "n_tokens": s.n_tokens,
            "ppl": round(s.ppl, 3),
            "score": round(s.score, 4),
            "flagged": s.flagged,
            "severity": s.severity,
            "n_spans": len(s.spans),
            "spans": spans_cell(s),
            "reasons": reasons_cell(s),
            "suggestions": suggestions_cell(s),
        }
        for k, v in s.metrics:
            row[k] = round(v, 4) if isinstance(v, float) else v
        if guard:
            row = {k: guard_cell(v) if isinstance(v, str) else v for k, v in row.items()}
        row[REVIEW_COLUMN] = ""
        rows.append(row)
    return rows


class CsvWriter(Writer):
    """``sentences.csv``: one row per sentence; the columns are fixed by the first document."""

    filename = "sentences.csv"

    def __init__(self, outdir: Any, run: dict[str, Any]) -> None:
        self.columns: list[str] | None = None
        # the run's settings, when the pipeline passes them: csv_raw turns the guard off
        self.guard = not run.get("settings", {}).get("csv_raw", False)
        super().__init__(outdir, run)

    def write(self, result: DocumentResult) -> None:
        """Append the document's rows (the header before the first)."""
        rows = sentence_rows(result, self.guard)
        if not rows:
            return
        if self.columns is None:
            extra = [k for k in rows[0] if k not in COLUMNS and k != REVIEW_COLUMN]
            self.columns = COLUMNS + extra + [REVIEW_COLUMN]
        frame = pd.DataFrame(rows, columns=self.columns)
        frame.to_csv(self.fh, index=False, header=self.count == 0, lineterminator=LINE_END)
        self.count += 1

    def footer(self) -> None:
        """Write the header alone when no document had a sentence: the columns of a run
        without references or sources, CRLF-ended as every row."""
        if self.count == 0:
            header = pd.DataFrame(columns=COLUMNS + METRIC_COLUMNS + [REVIEW_COLUMN])
            header.to_csv(self.fh, index=False, lineterminator=LINE_END)


def read_table(path: str) -> pd.DataFrame:
    """Read a sentences.csv back (as written, or after a reviewer edited it)."""
    return pd.read_csv(path, dtype={"review": "string", "doc_id": "string"}, keep_default_na=False)
