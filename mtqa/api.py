"""The Python API: :class:`Checker` loads the model once and checks texts; :func:`check` is
the one-shot form. Both return a :class:`~mtqa.api_result.CheckResult` (pandas DataFrames
and the report texts).

It is the path of ``mtqa check``, not a second one: :func:`mtqa.pipeline.prepare_run`
(model name, detector at the operating point, glossary), the local engine
(:mod:`mtqa.engines`: one batched LM pass per group of documents, then
:func:`mtqa.analyse.analyse` on each), the check selection (:mod:`mtqa.selection`), and
the report writers: ``to_csv()``, ``to_jsonl()`` and ``to_html()`` give the text of the
``sentences.csv``, ``segments.jsonl`` and ``report.html`` that ``mtqa check`` writes for
the same documents and settings. Nothing is written to disk unless a path is given, and
nothing is printed. pandas is imported when a DataFrame is asked for (or given).

Errors name each setting as its keyword (``batch_size=0``), where ``mtqa check`` names its
option (``--batch-size 0``): the messages are made so (:func:`mtqa.errors.named`), not
rewritten.
"""

from __future__ import annotations

from dataclasses import fields, replace
from typing import Any

from mtqa.api_result import (
    DOCUMENT_COLUMNS,
    DOCUMENT_DTYPES,
    SENTENCE_DTYPES,
    SPAN_COLUMNS,
    SPAN_DTYPES,
    CheckResult,
    report_path,
)
from mtqa.documents import Texts, to_documents
from mtqa.engines.base import engine_class
from mtqa.errors import UsageError
from mtqa.lm.load import ScorerFactory, load_scorer
from mtqa.lm.presets import DEFAULT_MODEL
from mtqa.pipeline import prepare_run, selecting
from mtqa.records import DocumentResult
from mtqa.settings import Settings, shown, signature

__all__ = [
    "DOCUMENT_COLUMNS",
    "DOCUMENT_DTYPES",
    "FILE_SETTINGS",
    "SENTENCE_DTYPES",
    "SPAN_COLUMNS",
    "SPAN_DTYPES",
    "CheckResult",
    "Checker",
    "check",
    "report_path",
]

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


def _field_names() -> list[str]:
    """The :class:`Settings` fields, in their order."""
    return [f.name for f in fields(Settings)]


class _Default(str):
    """A keyword's default value (``model``, ``device``), told apart from the same value
    given: only a value given can conflict with a :class:`Settings` given too."""

    __slots__ = ()


_MODEL = _Default(DEFAULT_MODEL)
_DEVICE = _Default("auto")


def _settings(model: Any, device: Any, settings: Any, keywords: dict[str, Any]) -> Settings:
    """The :class:`Settings` of ``Checker(model, device, settings=..., **keywords)``: the
    keywords' own, or the Settings given (as ``model`` or ``settings``) when every keyword
    given with it says what it says.

    Raises :class:`~mtqa.errors.UsageError` for an unknown keyword, a bad value, a
    ``settings`` that is no Settings, a Settings given twice, and a keyword that differs
    from the Settings given (which one should win is not for mtqa to guess).
    """
    known = _field_names()
    unknown = sorted(set(keywords) - set(known))
    if unknown:
        raise UsageError(
            f"unknown setting(s) {', '.join(unknown)}; choose from {', '.join(sorted(known))}"
        )
    if isinstance(model, Settings):
        if settings is not None:
            raise UsageError(
                "a Settings given twice (as the model argument and settings=); pass one"
            )
        model, settings = _MODEL, model
    given = {
        **({} if isinstance(model, _Default) else {"model": model}),
        **({} if isinstance(device, _Default) else {"device": device}),
        **keywords,
    }
    if settings is None:
        return Settings(**({"model": str(model), "device": str(device)} | given))
    if not isinstance(settings, Settings):
        raise UsageError(
            f"settings={shown(settings)}: expected a mtqa.settings.Settings "
            f"(Settings(model=..., ...)), got {type(settings).__name__}; or pass each "
            "setting as a keyword (mtqa.Checker(**values) for a dict)"
        )
    wanted = replace(settings, **given)  # the keywords' values checked, as Settings takes them
    differ = [
        n for n in _field_names() if n in given and getattr(wanted, n) != getattr(settings, n)
    ]
    if differ:
        ours = ", ".join(f"{n}={shown(getattr(wanted, n))}" for n in differ)
        theirs = ", ".join(f"{n}={shown(getattr(settings, n))}" for n in differ)
        raise UsageError(
            f"{ours}: the Settings given says {theirs}; give each setting once: in the "
            f"Settings (dataclasses.replace(settings, {ours})) or as keywords without it"
        )
    return settings


class Checker:
    """A loaded model and detector, ready to check texts: ``Checker(...).check(texts)``.

    ``model``: a preset (``gemma3-270m``, ``smollm2-135m``), a ``.gguf`` file, a
    transformers folder, or ``fake`` (the deterministic test scorer: no detector ships for
    it, so it needs ``calibration=`` a detector fitted for it, as ``tests/conftest.py``
    makes with :func:`mtqa.quality.fit.fit_percentile_detector`); ``device``: ``auto``,
    ``cpu`` or ``cuda``. ``keywords``: any other field of
    :class:`~mtqa.settings.Settings` by name (``batch_size=8``,
    ``calibration="det.json"``, ``sensitivity="high"``, ``threshold=0.42``,
    ``select=["lm", "rule:broken-join"]``, ``ignore="src"``, ``glossary="terms.csv"``,
    ``csv_raw=True``...). Or a :class:`~mtqa.settings.Settings` itself, as ``model``
    (``Checker(Settings(model="fake", ...))``) or ``settings=``: a keyword given with it
    must say what it says (else a :class:`~mtqa.errors.UsageError` naming both values).
    The settings only the file-writing path reads (:data:`FILE_SETTINGS`: ``reference``,
    ``source``, ``formats``, ``overwrite``, Ray...) are refused unless at their defaults
    (a text's source and reference are Document fields or DataFrame columns).
    ``scorer_factory``: builds the scorer from the settings (default
    :func:`mtqa.lm.load.load_scorer`).

    The model is loaded here, once (seconds to a minute for a preset's first load), after
    the settings and the detector are checked. Every error names the keyword
    (``batch_size=0: must be at least 1``, ``pass calibration=FILE``), not the ``mtqa
    check`` option. Raises :class:`~mtqa.errors.UsageError` for an unknown or bad setting,
    :class:`~mtqa.errors.ModelError` when the model cannot be found or loaded (naming the
    ``pip install`` to run), :class:`~mtqa.errors.CalibrationError` when there is no
    detector for it or the one given was fitted for another model,
    :class:`~mtqa.errors.InputError` when the ``glossary`` cannot be read.
    """

    def __init__(
        self,
        model: str | Settings = _MODEL,
        device: str = _DEVICE,
        *,
        settings: Settings | None = None,
        scorer_factory: ScorerFactory = load_scorer,
        **keywords: Any,
    ) -> None:
        if not callable(scorer_factory):  # mtqa.check passes it on with the settings
            raise UsageError(
                f"scorer_factory={scorer_factory!r}: expected a function that makes the "
                "scorer from the Settings (default mtqa.lm.load.load_scorer)"
            )
        self.settings = _settings(model, device, settings, keywords)
        defaults = {f.name: f.default for f in fields(Settings)}
        for name, instead in FILE_SETTINGS.items():
            value = getattr(self.settings, name)
            if value != defaults[name]:  # shown as given, when given as a keyword
                raise UsageError(f"{name}={shown(keywords.get(name, value))}: {instead}")
        self.detector = prepare_run(self.settings, scorer_factory)
        self.scorer = scorer_factory(self.settings)
        model_sig = self.scorer.signature()
        self.detector.check_model(model_sig)
        #: the reports' signature (``mtqa:0.1.0|model:...|det:...``)
        self.signature = signature(
            model_sig, self.settings.dtype, self.settings, self.detector.detector_id
        )

    def __repr__(self) -> str:
        s = self.settings
        return f"Checker(model={s.model!r}, device={s.device!r}, signature={self.signature!r})"

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
    texts: Texts, model: str | Settings = _MODEL, device: str = _DEVICE, **keywords: Any
) -> CheckResult:
    """``Checker(model, device, **keywords).check(texts)``: load the model, check once
    (``keywords``: the settings, ``settings=`` a Settings, ``scorer_factory=``).

    To check several batches, make one :class:`Checker` and call its ``check``: the
    model is then loaded once.
    """
    return Checker(model, device, **keywords).check(texts)
