"""What the Python API returns: :class:`CheckResult` (the typed results, their pandas
tables and the report texts) and :func:`report_path`, where its ``to_csv(path)`` & co.
write. :mod:`mtqa.api` makes it (:meth:`mtqa.api.Checker.check`).

pandas is imported when a table is asked for.
"""

from __future__ import annotations

import html
import io
import numbers
import operator
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, overload

from mtqa.errors import NotInResultError, OutputError, RecordError, UsageError
from mtqa.records import Counts, DocumentResult, Failure
from mtqa.report import writer_class
from mtqa.settings import Settings, shown
from mtqa.store import atomic_write, span_to_dict
from mtqa.text import counted

if TYPE_CHECKING:
    import pandas as pd

#: the dtype of each column of :attr:`CheckResult.spans`, whatever the rows: "str" is
#: pandas' string dtype; ``suggestion`` is object (a str, "" to delete, None for no
#: suggestion); ``gain`` float64 (NaN where there is no LM suggestion)
SPAN_DTYPES = {
    "doc_id": "str",
    "sent_id": "int64",
    "start": "int64",
    "end": "int64",
    "text": "str",
    "severity": "str",
    "score": "float64",
    "source": "str",
    "reason": "str",
    "suggestion": "object",
    "gain": "float64",
}
SPAN_COLUMNS = list(SPAN_DTYPES)
#: the dtype of each column of :attr:`CheckResult.sentences` (the metric columns: float64
#: with NaN, ``src_flags`` pandas' nullable Int64 and the levels object with None where
#: there is no reference or source)
SENTENCE_DTYPES = {
    "doc_id": "str",
    "sent_id": "int64",
    "start": "int64",
    "end": "int64",
    "text": "str",
    "n_tokens": "int64",
    "ppl": "float64",
    "score": "float64",
    "flagged": "bool",
    "severity": "str",
    "n_spans": "int64",
    "spans": "str",
    "reasons": "str",
    "suggestions": "str",
    "ref_level": "object",
    "chrf": "float64",
    "bleu": "float64",
    "ter": "float64",
    "src_level": "object",
    "src_flags": "Int64",
    "len_ratio": "float64",
    "review": "str",
}
#: the dtype of each column of :attr:`CheckResult.documents`
DOCUMENT_DTYPES = {
    "doc_id": "str",
    "text": "str",
    "score": "float64",
    "flagged": "bool",
    "severity": "str",
    "n_sentences": "int64",
    "n_flagged": "int64",
    "n_major": "int64",
    "n_spans": "int64",
    "notes": "object",
    "metrics": "object",
}
DOCUMENT_COLUMNS = list(DOCUMENT_DTYPES)
_REPR_SPANS = 50  # spans shown by the notebook display


def report_path(path: str | os.PathLike[str], filename: str) -> Path:
    """Where ``to_csv(path)`` & co. write: ``path`` as a Path (``~`` as the home folder),
    checked before any work.

    Raises :class:`~mtqa.errors.UsageError` for a path that is no str or Path, and
    :class:`~mtqa.errors.OutputError` when it is a folder or its folder does not exist
    (no folder is made: a typo in a path would otherwise make a tree of them).
    """
    raw = os.fspath(path) if isinstance(path, os.PathLike) else path
    if not isinstance(raw, str) or not raw:
        opened = "; for an open file or buffer, write the text: f.write(result.to_csv())"
        raise UsageError(
            f"path={shown(path)}: expected a file path (str or pathlib.Path)"
            f"{opened if hasattr(path, 'write') else ''}"
        )
    target = Path(raw).expanduser()  # "~/out.csv", as pandas' to_csv takes it
    if target.is_dir():
        raise OutputError(f"{target}: is a folder; name a file in it ({target / filename})")
    folder = target.parent
    if not folder.is_dir():
        what = "is a file, not a folder" if folder.exists() else "no such folder"
        raise OutputError(f"{folder}: {what}; create the folder or choose another path")
    return target


@dataclass(frozen=True)
class CheckResult:
    """What :meth:`Checker.check` found: one :class:`~mtqa.records.DocumentResult` per
    document checked (``results``, input order), the items not checked (``failures``),
    the reports' ``signature`` and the ``settings``.

    Tables (pandas DataFrames, made on first use, and a new copy at each access: changing
    one leaves the result and the reports as they are): :attr:`sentences` (one row per
    sentence), :attr:`spans` (one row per flagged span), :attr:`documents` (one row per
    document). Report texts: :meth:`to_csv`, :meth:`to_jsonl`, :meth:`to_html`. Offsets
    are character offsets into each document's text; scores are in [0, 1] (higher =
    worse); ``gain`` is in bits.
    """

    results: tuple[DocumentResult, ...]
    failures: tuple[Failure, ...] = ()
    signature: str = ""
    settings: Settings = field(default_factory=Settings)

    def __len__(self) -> int:
        """The documents checked (the failures are not counted)."""
        return len(self.results)

    def __iter__(self) -> Iterator[DocumentResult]:
        """The documents checked, in input order."""
        return iter(self.results)

    @overload
    def __getitem__(self, key: int | str) -> DocumentResult: ...

    @overload
    def __getitem__(self, key: slice) -> tuple[DocumentResult, ...]: ...

    def __getitem__(self, key: int | str | slice) -> DocumentResult | tuple[DocumentResult, ...]:
        """``result[0]``: the first document checked (``result[-1]`` the last, a slice a
        tuple of them), as ``result.results[0]``; ``result["a"]``: the document whose id
        is ``"a"`` (ids are strings, positions ints). A position past the end or an id
        not checked is a :class:`~mtqa.errors.NotInResultError` (a ``KeyError`` and an
        ``IndexError`` too) naming what there is; another key a
        :class:`~mtqa.errors.RecordError`."""
        if isinstance(key, str):
            found = self._by_id.get(key)
            if found is None:
                raise NotInResultError(self._missing(key))
            return found
        if isinstance(key, slice):
            return self.results[key]
        if isinstance(key, numbers.Integral) and not isinstance(key, bool):
            n = len(self.results)
            if not -n <= int(key) < n:
                raise NotInResultError(
                    f"result[{key}]: {counted(n, 'document')} checked (positions 0 to "
                    f"{n - 1}, or -1 for the last); the items not checked are in .failures"
                    if n
                    else f"result[{key}]: no document was checked; see .failures"
                )
            return self.results[operator.index(key)]
        raise RecordError(
            f"result[{key!r}]: index a CheckResult by position (result[0], an int) or by "
            "document id (result['a'], a str)"
        )

    def __contains__(self, item: object) -> bool:
        """Whether ``item`` is a document checked: its id (a str) or its
        :class:`~mtqa.records.DocumentResult`."""
        if isinstance(item, str):
            return item in self._by_id
        return item in self.results

    @cached_property
    def _by_id(self) -> dict[str, DocumentResult]:
        """The documents checked by id (ids are unique in a result)."""
        return {r.doc_id: r for r in self.results}

    def _missing(self, doc_id: str) -> str:
        """Why ``result[doc_id]`` finds nothing: the first ids, and the failures' count."""
        ids = [r.doc_id for r in self.results[:5]]
        listed = ", ".join(map(repr, ids)) + (", …" if len(self.results) > 5 else "")
        some = f" (ids: {listed})" if ids else ""
        failed = counted(len(self.failures), "item")
        failed = f"; {failed} not checked: see .failures" if self.failures else ""
        return f"result[{doc_id!r}]: no document with this id was checked{some}{failed}"

    def __repr__(self) -> str:
        c = self.counts
        return (
            f"CheckResult({c.documents} document(s), {counted(c.sentences, 'sentence')}, "
            f"{c.flagged} flagged ({c.major} major), {counted(len(self.failures), 'failure')})"
        )

    @property
    def counts(self) -> Counts:
        """Documents, sentences, flagged and major sentences, tokens (all documents)."""
        return sum((r.counts for r in self.results), Counts())

    @property
    def sentences(self) -> pd.DataFrame:
        """One row per sentence (n_sentences × the columns of ``sentences.csv``: doc_id,
        sent_id, start, end, text, n_tokens, ppl, score, flagged, severity, n_spans,
        spans, reasons, suggestions, the reference and source columns ref_level, chrf,
        bleu, ter, src_level, src_flags, len_ratio (empty without a reference or source),
        review), the text as read (no spreadsheet guard quote); the same columns when no
        sentence was checked. The dtypes are :data:`SENTENCE_DTYPES` (a metric: NaN, or
        None for a level, where there is no reference or source)."""
        return self._sentences.copy()

    @cached_property
    def _sentences(self) -> pd.DataFrame:
        """The table :attr:`sentences` copies (made once)."""
        from mtqa.report.table import (
            COLUMNS,
            METRIC_COLUMNS,
            REVIEW_COLUMN,
            sentence_rows,
            typed_frame,
        )

        rows = [row for r in self.results for row in sentence_rows(r, guard=False)]
        columns = dict.fromkeys([*COLUMNS, *METRIC_COLUMNS, *(k for row in rows for k in row)])
        columns.pop(REVIEW_COLUMN, None)  # last, as in the file
        return typed_frame(rows, [*columns, REVIEW_COLUMN], SENTENCE_DTYPES)

    @property
    def spans(self) -> pd.DataFrame:
        """One row per flagged span (n_spans × :data:`SPAN_COLUMNS`): document offsets
        ``start``/``end``, ``severity`` minor/major, ``score`` in [0, 1], ``source`` (``lm``
        or ``rule:<id>``), ``reason``, ``suggestion`` (None: none; "": delete) and its
        ``gain`` in bits (LM suggestions only; NaN elsewhere). The dtypes are
        :data:`SPAN_DTYPES`, for an empty table too."""
        return self._spans.copy()

    @cached_property
    def _spans(self) -> pd.DataFrame:
        """The table :attr:`spans` copies (made once)."""
        from mtqa.report.table import typed_frame

        rows = [
            {"doc_id": r.doc_id, "sent_id": s.sent_id, **span_to_dict(sp)}
            for r in self.results
            for s in r.sentences
            for sp in s.spans
        ]
        return typed_frame(rows, SPAN_COLUMNS, SPAN_DTYPES)

    @property
    def documents(self) -> pd.DataFrame:
        """One row per document (n_documents × :data:`DOCUMENT_COLUMNS`): the fields of its
        ``segments.jsonl`` record (``id`` as ``doc_id``), its sentences and spans counted
        (dtypes: :data:`DOCUMENT_DTYPES`)."""
        from mtqa.report.table import set_object_column

        frame = self._documents.copy()
        for column, kind in (("notes", list), ("metrics", dict)):  # the cells' own copies
            set_object_column(frame, column, [kind(v) for v in frame[column]])
        return frame

    @cached_property
    def _documents(self) -> pd.DataFrame:
        """The table :attr:`documents` copies (made once)."""
        from mtqa.report.table import typed_frame

        rows = []
        for r in self.results:
            c = r.counts
            rows.append(
                {
                    "doc_id": r.doc_id,
                    "text": r.text,
                    "score": round(r.score, 4),
                    "flagged": r.severity != "none",
                    "severity": r.severity,
                    "n_sentences": c.sentences,
                    "n_flagged": c.flagged,
                    "n_major": c.major,
                    "n_spans": len(r.spans),
                    "notes": list(r.notes),
                    "metrics": dict(r.metrics),
                }
            )
        return typed_frame(rows, DOCUMENT_COLUMNS, DOCUMENT_DTYPES)

    def _render(self, fmt: str, path: str | os.PathLike[str] | None) -> str:
        """The report text of ``fmt``; also written to ``path`` (:func:`report_path`)."""
        cls = writer_class(fmt)
        target = None if path is None else report_path(path, cls.filename)
        out = io.StringIO(newline="")
        run = {"signature": self.signature, "settings": self.settings.as_dict()}
        writer = cls.to_stream(out, run)
        for r in self.results:
            writer.write(r)
        writer.finish()
        text = out.getvalue()
        if target is not None:
            atomic_write(target, text)
        return text

    def to_csv(self, path: str | os.PathLike[str] | None = None) -> str:
        """The ``sentences.csv`` text (with the spreadsheet guard unless ``csv_raw``);
        also written to ``path`` when given (a file in a folder that exists: a missing
        folder or a folder in its place is an OutputError, :func:`report_path`)."""
        return self._render("csv", path)

    def to_jsonl(self, path: str | os.PathLike[str] | None = None) -> str:
        """The ``segments.jsonl`` text; also written to ``path`` when given (as
        :meth:`to_csv`)."""
        return self._render("jsonl", path)

    def to_html(self, path: str | os.PathLike[str] | None = None) -> str:
        """The ``report.html`` page; also written to ``path`` when given (as
        :meth:`to_csv`)."""
        return self._render("html", path)

    def _repr_html_(self) -> str:
        """The notebook display: the counts and the first spans (every cell escaped)."""
        c = self.counts
        head = (
            f"<p><b>mtqa</b>: {c.documents} document(s), {counted(c.sentences, 'sentence')}, "
            f"{c.flagged} flagged ({c.major} major)</p>"
        )
        cells = ("doc_id", "sent_id", "text", "severity", "source", "suggestion", "reason")
        rows = [
            "<tr>" + "".join(f"<th>{k}</th>" for k in cells) + "</tr>",
        ]
        spans = [
            {"doc_id": r.doc_id, "sent_id": s.sent_id, **span_to_dict(sp)}
            for r in self.results
            for s in r.sentences
            for sp in s.spans
        ]
        for sp in spans[:_REPR_SPANS]:
            vals = ["" if sp[k] is None else html.escape(str(sp[k])) for k in cells]
            rows.append("<tr>" + "".join(f"<td>{v}</td>" for v in vals) + "</tr>")
        more = len(spans) - _REPR_SPANS
        tail = f"<p>… {more} more span(s): see <code>.spans</code></p>" if more > 0 else ""
        table = f"<table>{''.join(rows)}</table>" if spans else "<p>no span flagged</p>"
        return head + table + tail
