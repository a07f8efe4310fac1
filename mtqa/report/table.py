"""The sentence table (the only module that imports pandas): ``sentences.csv``.

One row per sentence, input order. Floats are rounded to fixed decimals so the
same input and settings give a byte-identical file. Text cells that a spreadsheet would
run as a formula get a leading ``'`` (:func:`~mtqa.report.base.guard_cell`) unless the
run's settings say ``csv_raw``; ``mtqa review`` removes it when reading back.

The cells are written as ``DataFrame(document's rows).to_csv()`` writes them — one frame
per document, each column's dtype inferred from that document's values, so an integer
column with a gap is written as floats (``3.0``) — but through :func:`column_cells` and the
``csv`` module: a frame per document cost ~3 ms, 30 s for 10,000 one-line records. A
column holding a value outside those rules (a numpy scalar, an integer past int64) is left
to pandas, so the bytes never depend on which path wrote them.
"""

from __future__ import annotations

import csv
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
_PLAIN = (bool, int, float, str)  # the cell types column_cells writes as pandas does
_INT64 = range(-(2**63), 2**63)


def column_cells(values: list[Any]) -> list[str] | None:
    """One column of a document's rows as ``DataFrame(rows).to_csv()`` writes it, or None
    when a value is outside the rules below (the caller then lets pandas write it).

    pandas infers the column's dtype from its values: ints, or ints and floats, with no
    other type are int64, or float64 when a float or a gap (None, NaN) is among them
    (written ``repr(float(v))``: ``3`` → ``3.0``); anything else (text, bools, a mix) is
    written ``str(v)``; a gap is always empty.
    """
    kinds: set[type] = set()
    gap = False
    for v in values:
        if v is None or (type(v) is float and v != v):
            gap = True
        elif type(v) in _PLAIN:
            kinds.add(type(v))
        else:
            return None
    if kinds and kinds <= {int, float}:
        if any(type(v) is int and v not in _INT64 for v in values):
            return None
        if float in kinds or gap:
            return ["" if v is None or v != v else repr(float(v)) for v in values]
    return ["" if v is None or (type(v) is float and v != v) else str(v) for v in values]


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
        self.csv = csv.writer(self.fh, lineterminator=LINE_END)  # pandas' dialect

    def write(self, result: DocumentResult) -> None:
        """Append the document's rows (the header before the first)."""
        self.write_rows(sentence_rows(result, self.guard))

    def write_rows(self, rows: list[dict[str, Any]]) -> None:
        """Append one document's rows (:func:`sentence_rows`) as ``DataFrame(rows)
        .to_csv()`` would (module docstring); the header before the first."""
        if not rows:
            return
        if self.columns is None:
            extra = [k for k in rows[0] if k not in COLUMNS and k != REVIEW_COLUMN]
            self.columns = COLUMNS + extra + [REVIEW_COLUMN]
        cells = [column_cells([r.get(c) for r in rows]) for c in self.columns]
        if any(c is None for c in cells):  # a value only pandas knows how to write
            frame = pd.DataFrame(rows, columns=self.columns)
            frame.to_csv(self.fh, index=False, header=self.count == 0, lineterminator=LINE_END)
        else:
            if self.count == 0:
                self.csv.writerow(self.columns)
            self.csv.writerows(zip(*cells))  # type: ignore[arg-type]
        self.count += 1

    def footer(self) -> None:
        """Write the header alone when no document had a sentence: the columns of a run
        without references or sources, CRLF-ended as every row."""
        if self.count == 0:
            header = pd.DataFrame(columns=COLUMNS + METRIC_COLUMNS + [REVIEW_COLUMN])
            header.to_csv(self.fh, index=False, lineterminator=LINE_END)


def typed_frame(
    rows: list[dict[str, Any]], columns: list[str], dtypes: dict[str, str]
) -> pd.DataFrame:
    """``rows`` as a DataFrame of ``columns``, each of its dtype in ``dtypes`` whatever the
    values (pandas would infer object for no row, and turn a None into NaN in a string
    column); a column not in ``dtypes`` is inferred. The API's tables
    (:class:`mtqa.api_result.CheckResult`) are made here, pandas' one importer."""
    return pd.DataFrame(
        {c: pd.Series([r.get(c) for r in rows], dtype=dtypes.get(c)) for c in columns}
    )


def set_object_column(frame: pd.DataFrame, column: str, values: list[Any]) -> None:
    """Replace ``frame[column]`` (in place) with ``values``, one per row, as an object
    column: a cell that holds a list or dict stays that list or dict."""
    frame[column] = pd.Series(values, frame.index, object)


def read_table(path: str) -> pd.DataFrame:
    """Read a sentences.csv back (as written, or after a reviewer edited it)."""
    return pd.read_csv(path, dtype={"review": "string", "doc_id": "string"}, keep_default_na=False)
