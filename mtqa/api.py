"""The Python API: :class:`Checker` loads the model once and checks texts; :func:`check` is
the one-shot form. Both return a :class:`CheckResult` (pandas DataFrames and the report
texts).

It is the path of ``mtqa check``, not a second one: :func:`mtqa.pipeline.prepare_run`
(model name, detector at the operating point, glossary), the local engine
(:mod:`mtqa.engines`: one batched LM pass per group of documents, then
:func:`mtqa.analyse.analyse` on each), the check selection (:mod:`mtqa.selection`), and
the report writers: ``to_csv()``, ``to_jsonl()`` and ``to_html()`` give the text of the
``sentences.csv``, ``segments.jsonl`` and ``report.html`` that ``mtqa check`` writes for
the same documents and settings. Nothing is written to disk unless a path is given, and
nothing is printed. pandas is imported when a DataFrame is asked for (or given).
"""

from __future__ import annotations

import html
import io
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field, fields
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mtqa.documents import Texts, to_documents
from mtqa.engines.base import engine_class
from mtqa.errors import CalibrationError, InputError, ModelError, MtqaError, OutputError, UsageError
from mtqa.lm.load import ScorerFactory, load_scorer
from mtqa.lm.presets import DEFAULT_MODEL
from mtqa.pipeline import prepare_run, selecting
from mtqa.records import Counts, DocumentResult, Failure
from mtqa.report import writer_class
from mtqa.settings import Settings, signature
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
_RUN_CHECK = "mtqa.pipeline.run_check"
_RAY = f"the Python API scores in this process (engine 'local'); use {_RUN_CHECK} for Ray"
#: the settings only the file-writing path (:func:`mtqa.pipeline.run_check`, ``mtqa
#: check``) reads, and what to do instead: the API refuses them (a value other than the
#: default) rather than ignore them
FILE_SETTINGS = {
    "formats": "the API writes no report files; call to_csv(), to_jsonl() or to_html() on "
    f"the result (path= writes one), or use {_RUN_CHECK}",
    "stdin_format": "the API reads no standard input; pass the texts themselves",
    "encoding_errors": "the API reads no bytes; pass str texts (decode them first: "
    "data.decode('utf-8', 'replace'))",
    "overwrite": f"the API writes no output folder; use {_RUN_CHECK} for one",
    "engine": _RAY,
    "ray_address": _RAY,
    "ray_actors": _RAY,
    "reference": "the API reads no reference file; give each text's reference as "
    "Document(..., reference=...) or a DataFrame 'reference' column, or check the files "
    f"with {_RUN_CHECK}",
    "source": "the API reads no source file; give each text's source as "
    "Document(..., source=...) or a DataFrame 'source' column, or check the files with "
    f"{_RUN_CHECK}",
    "extra": f"recorded only in the run.json that {_RUN_CHECK} writes; the API writes none",
}
_REPR_SPANS = 50  # spans shown by the notebook display
#: a command-line option in a message: ``--batch-size``, ``--no-suggest``; a value after it
#: (in the headline) or an upper-case placeholder (``--calibration FILE``, in the prose)
_OPTION = re.compile(r"--(no-)?([a-z][a-z-]*)( [A-Z]+\b)?")
_OPTION_VALUE = re.compile(r"--(no-)?([a-z][a-z-]*) ?")


def _keyword(option: str) -> str | None:
    """The :class:`Settings` field of a ``mtqa check`` option (``batch-size`` →
    ``batch_size``, ``format`` → ``formats``); None for an option that sets no field."""
    name = "formats" if option == "format" else option.replace("-", "_")
    return name if name in {f.name for f in fields(Settings)} else None


def api_message(message: str) -> str:
    """``message`` (an error the settings, model or detector checks word for ``mtqa
    check``) as the API's keywords say it: the headline's options with their values
    (``--batch-size 0: must be at least 1`` → ``batch_size=0: must be at least 1``,
    ``--model 'x': ...`` → ``model='x': ...``), then the prose's (``pass --calibration
    FILE`` → ``pass calibration=FILE``, ``leave --calibration out`` → ``leave calibration
    out``). A command in backticks (```mtqa calibrate --model NAME CLEAN.txt```) is a
    command to run, and keeps its options, as does an option that sets no setting."""

    def headline(m: re.Match[str]) -> str:
        name = _keyword(m[2])
        if name is None:
            return m[0]
        return f"{name}=False " if m[1] else f"{name}="

    def prose(m: re.Match[str]) -> str:
        name = _keyword(m[2])
        if name is None:
            return m[0]
        if m[1]:
            return f"{name}=False"
        return f"{name}={m[3].strip()}" if m[3] else name

    parts = message.split("`")
    for i in range(0, len(parts), 2):  # the even parts are outside backticks
        text = parts[i]
        if i == 0 and text.startswith("--") and ": " in text:
            head, rest = text.split(": ", 1)
            text = _OPTION_VALUE.sub(headline, head).rstrip() + ": " + rest
        parts[i] = _OPTION.sub(prose, text)
    return "`".join(parts)


def _reworded(exc: MtqaError) -> MtqaError:
    """``exc`` again, of its type, with :func:`api_message`'s wording."""
    if isinstance(exc, InputError):
        return type(exc)(exc.path, exc.line, api_message(exc.message))
    return type(exc)(api_message(str(exc)))


class Checker:
    """A loaded model and detector, ready to check texts: ``Checker(...).check(texts)``.

    ``model``: a preset (``gemma3-270m``, ``smollm2-135m``), a ``.gguf`` file, a
    transformers folder, or ``fake`` (the deterministic test scorer: no detector ships for
    it, so it needs ``calibration=`` a detector fitted for it, as ``tests/conftest.py``
    makes with :func:`mtqa.quality.fit.fit_percentile_detector`); ``device``: ``auto``,
    ``cpu`` or ``cuda``. ``settings``: any other field of :class:`~mtqa.settings.Settings` by name
    (``batch_size=8``, ``calibration="det.json"``, ``sensitivity="high"``,
    ``threshold=0.42``, ``select=["lm", "rule:broken-join"]``, ``ignore="src"``,
    ``glossary="terms.csv"``, ``csv_raw=True``...); the settings only the file-writing
    path reads (:data:`FILE_SETTINGS`: ``reference``, ``source``, ``formats``,
    ``overwrite``, Ray...) are refused unless at their defaults (a text's source and
    reference are Document fields or DataFrame columns). ``scorer_factory``: builds the
    scorer from the settings (default :func:`mtqa.lm.load.load_scorer`).

    The model is loaded here, once (seconds to a minute for a preset's first load), after
    the settings and the detector are checked. Every error names the keyword
    (``batch_size=0: must be at least 1``, ``pass calibration=FILE``:
    :func:`api_message`), not the ``mtqa check`` option. Raises
    :class:`~mtqa.errors.UsageError` for an unknown or bad setting,
    :class:`~mtqa.errors.ModelError` when the model cannot be found or loaded (naming the
    ``pip install`` to run),
    :class:`~mtqa.errors.CalibrationError` when there is no detector for it or the one given
    was fitted for another model, :class:`~mtqa.errors.InputError` when the ``glossary``
    cannot be read.
    """

    def __init__(
        self,
        model: str = DEFAULT_MODEL,
        device: str = "auto",
        *,
        scorer_factory: ScorerFactory = load_scorer,
        **settings: Any,
    ) -> None:
        if not callable(scorer_factory):  # mtqa.check passes it on with the settings
            raise UsageError(
                f"scorer_factory={scorer_factory!r}: expected a function that makes the "
                "scorer from the Settings (default mtqa.lm.load.load_scorer)"
            )
        known = {f.name for f in fields(Settings)}
        unknown = sorted(set(settings) - known)
        if unknown:
            raise UsageError(
                f"unknown setting(s) {', '.join(unknown)}; choose from {', '.join(sorted(known))}"
            )
        try:
            self.settings = Settings(model=model, device=device, **settings)
            defaults = {f.name: f.default for f in fields(Settings)}
            for name, instead in FILE_SETTINGS.items():
                if getattr(self.settings, name) != defaults[name]:
                    raise UsageError(f"{name}={settings[name]!r}: {instead}")
            self.detector = prepare_run(self.settings, scorer_factory)
            self.scorer = scorer_factory(self.settings)
            model_sig = self.scorer.signature()
            self.detector.check_model(model_sig)
        except (UsageError, ModelError, CalibrationError, InputError) as exc:
            # worded for `mtqa check` (--batch-size 0); said here as the keywords are
            raise _reworded(exc) from None
        #: the reports' signature (``mtqa:0.1.0|model:...|det:...``)
        self.signature = signature(
            model_sig, self.settings.dtype, self.settings, self.detector.detector_id
        )

    def check(self, texts: Texts) -> CheckResult:
        """Check ``texts``: a string (one document), a :class:`~mtqa.records.Document`, a
        list (or other ordered iterable) of either, or a pandas DataFrame with a ``target``
        column (and optional ``id``, ``source``, ``reference``: the record fields of a
        ``.jsonl`` input) or a pandas Series of texts (:mod:`mtqa.documents`).

        Document ids are strings: a Document's own (an int as its digits); a DataFrame's
        ``id`` column (``1.0`` read as ``'1'``), else its index; else the position (``"0"``,
        ``"1"``...). A text with no visible character, a target that is not a string, a
        field holding a lone surrogate (``"\\udc80"``: no character,
        :func:`mtqa.text.surrogate_fault`) or a NUL (:func:`mtqa.text.nul_fault`), a
        missing id in an id column or a Document, or a repeated id (the message says when
        mtqa made one of the two) is not checked: it is
        listed in :attr:`CheckResult.failures` (the others are checked). Raises
        :class:`~mtqa.errors.UsageError` when ``texts`` is none of these kinds (a set: it
        has no order, pass a list).
        """
        docs, failures = to_documents(texts, self.settings.text_field, self.settings.id_field)
        results: list[DocumentResult] = []
        keep = selecting(self.settings, self.detector)
        engine = engine_class("local")(self.settings, self.detector, lambda _s: self.scorer)
        engine.score(docs, lambda _doc, res: results.append(keep(res)))
        return CheckResult(tuple(results), tuple(failures), self.signature, self.settings)


def check(
    texts: Texts, model: str = DEFAULT_MODEL, device: str = "auto", **settings: Any
) -> CheckResult:
    """``Checker(model, device, **settings).check(texts)``: load the model, check once.

    To check several batches, make one :class:`Checker` and call its ``check``: the
    model is then loaded once.
    """
    return Checker(model, device, **settings).check(texts)


def report_path(path: str | os.PathLike[str], filename: str) -> Path:
    """Where ``to_csv(path)`` & co. write: ``path`` as a Path (``~`` as the home folder),
    checked before any work.

    Raises :class:`~mtqa.errors.UsageError` for a path that is no str or Path, and
    :class:`~mtqa.errors.OutputError` when it is a folder or its folder does not exist
    (no folder is made: a typo in a path would otherwise make a tree of them).
    """
    raw = os.fspath(path) if isinstance(path, os.PathLike) else path
    if not isinstance(raw, str) or not raw:
        raise UsageError(f"path={path!r}: expected a file path (str or pathlib.Path)")
    target = Path(raw).expanduser()  # "~/out.csv", as pandas' to_csv takes it
    if target.is_dir():
        raise OutputError(f"{target}: is a folder; name a file in it ({target / filename})")
    folder = target.parent
    if not folder.is_dir():
        what = "is a file, not a folder" if folder.exists() else "no such folder"
        raise OutputError(f"{folder}: {what}; create the folder or choose another path")
    return target


def _table(rows: list[dict[str, Any]], columns: list[str], dtypes: dict[str, str]) -> pd.DataFrame:
    """``rows`` as a DataFrame of ``columns``, each of its dtype in ``dtypes`` whatever the
    values (pandas would infer object for no row, and turn a None into NaN in a string
    column); a column not in ``dtypes`` is inferred."""
    import pandas as pd

    return pd.DataFrame(
        {c: pd.Series([r.get(c) for r in rows], dtype=dtypes.get(c)) for c in columns}
    )


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
        return len(self.results)

    def __iter__(self) -> Iterator[DocumentResult]:
        return iter(self.results)

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
        from mtqa.report.table import COLUMNS, METRIC_COLUMNS, REVIEW_COLUMN, sentence_rows

        rows = [row for r in self.results for row in sentence_rows(r, guard=False)]
        columns = dict.fromkeys([*COLUMNS, *METRIC_COLUMNS, *(k for row in rows for k in row)])
        columns.pop(REVIEW_COLUMN, None)  # last, as in the file
        return _table(rows, [*columns, REVIEW_COLUMN], SENTENCE_DTYPES)

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
        rows = [
            {"doc_id": r.doc_id, "sent_id": s.sent_id, **span_to_dict(sp)}
            for r in self.results
            for s in r.sentences
            for sp in s.spans
        ]
        return _table(rows, SPAN_COLUMNS, SPAN_DTYPES)

    @property
    def documents(self) -> pd.DataFrame:
        """One row per document (n_documents × :data:`DOCUMENT_COLUMNS`): the fields of its
        ``segments.jsonl`` record (``id`` as ``doc_id``), its sentences and spans counted
        (dtypes: :data:`DOCUMENT_DTYPES`)."""
        import pandas as pd

        frame = self._documents.copy()
        for column, kind in (("notes", list), ("metrics", dict)):  # the cells' own copies
            frame[column] = pd.Series([kind(v) for v in frame[column]], frame.index, object)
        return frame

    @cached_property
    def _documents(self) -> pd.DataFrame:
        """The table :attr:`documents` copies (made once)."""
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
        return _table(rows, DOCUMENT_COLUMNS, DOCUMENT_DTYPES)

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
