"""The engine interface: score documents, hand each result on, say which model scored them.

An engine gets the run's settings, detector and scorer factory; ``score(docs, put)``
scores the documents (an iterable it consumes once, lazily) and calls
``put(document, result)`` for each, in any order. It returns the model signature, or
None when there was nothing to score. ``timings`` holds the seconds spent loading the
model and scoring (both 0.0 until ``score`` runs).

:func:`check_documents` is the unit of work every engine runs: one batched LM pass over
a group of documents, then :func:`mtqa.analyse.analyse` on each, then the false friends,
calques, prepositions, missing and extra words, agreement errors and French word order
the LM confirms (:func:`mtqa.confusion.probe_results`, each kind unless ``--ignore`` names
it: ``false-friend``, ``calque``, ``preposition``, ``missing-word``, ``agreement``,
``extra-word``, ``word-order``), then (unless
``--no-suggest``) :func:`mtqa.suggest.suggest_results`.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace
from importlib import import_module

from mtqa import conditioned, confusion
from mtqa.analyse import analyse
from mtqa.checks.false_friends import sentence_sources
from mtqa.checks.glossary import Glossary, cached_glossary
from mtqa.detect import Detector
from mtqa.engines import ENGINES
from mtqa.lm.base import Scorer
from mtqa.lm.load import ScorerFactory
from mtqa.records import Document, DocumentResult, TokenScore
from mtqa.selection import Selection
from mtqa.settings import Settings
from mtqa.suggest import suggest_results

Put = Callable[[Document, DocumentResult], None]


def check_documents(
    docs: Sequence[Document],
    scorer: Scorer,
    det: Detector,
    batch_size: int = 16,
    on_tokens: Callable[[int], None] | None = None,
    glossary: Glossary | None = None,
    edit_budget: int = 0,
    selection: Selection | None = None,
    source_lm: bool = True,
) -> list[DocumentResult]:
    """Score documents together (one batched LM pass over all of them), then analyse each.

    ``on_tokens`` is called with the tokens of each LM batch (for a progress bar);
    ``glossary`` is the run's ``--glossary``, loaded; ``edit_budget`` > 0: suggested fixes
    on the LM spans, that many edits rescored per sentence (:mod:`mtqa.suggest`;
    :attr:`mtqa.settings.Settings.edits`); ``selection``: the checks reported. With a
    detector that weighs the source (:attr:`mtqa.detect.Detector.uses_source`) and
    ``source_lm`` (``--no-source-lm`` turns it off), documents with a source are scored a
    second time after it (:mod:`mtqa.conditioned`).
    """
    tokens = scorer.score([d.text for d in docs], batch_size=batch_size, on_batch=on_tokens)
    n = len(docs)
    cond: list[list[TokenScore] | None] = [None] * n
    back: list[float | None] = [None] * n
    window = scorer.window
    limit = conditioned.budget(window)
    if det.uses_source and source_lm:  # the targets again, after their sources (mtqa.conditioned)
        texts, where = conditioned.plan(docs, limit)
        if texts:
            scored = scorer.score(texts, batch_size=batch_size, on_batch=on_tokens)
            cond = conditioned.assemble(n, where, scored)
    if det.uses_back and source_lm:  # the sources, alone and after their targets
        texts, where = conditioned.back_plan(docs, limit)
        if texts:
            scored = scorer.score(texts, batch_size=batch_size, on_batch=on_tokens)
            back = conditioned.back_gains(n, where, scored)
    results = [
        analyse(d, t, det, glossary, c, selection, b)
        for d, t, c, b in zip(docs, tokens, cond, back, strict=True)
    ]
    if source_lm and (det.uses_source or det.uses_back):
        results = [
            r
            if c is not None or b is not None or not conditioned.has_source(d)
            else replace(r, notes=(*r.notes, conditioned.too_long(window)))
            for d, r, c, b in zip(docs, results, cond, back, strict=True)
        ]
    # false friends, calques, prepositions, missing words, agreement (mtqa.confusion)
    kinds = [k for k in confusion.KINDS if selection is None or k in selection]
    srcs = [d.source for d in docs]
    units = [sentence_sources(d) if confusion.SOURCE in kinds else {} for d in docs]
    results = confusion.probe_results(
        results, scorer, det, sources=kinds, source_texts=srcs, source_units=units
    )
    if edit_budget <= 0:
        return results
    return suggest_results(results, scorer, edit_budget)


class Engine(ABC):
    """Scores documents with the run's scorer and detector (see the module docstring)."""

    def __init__(
        self,
        settings: Settings,
        detector: Detector,
        scorer_factory: ScorerFactory,
        on_tokens: Callable[[int], None] | None = None,
    ) -> None:
        self.settings = settings
        self.detector = detector
        self.scorer_factory = scorer_factory
        self.on_tokens = on_tokens
        self.timings = {"load": 0.0, "score": 0.0}
        self.glossary = cached_glossary(settings.glossary) if settings.glossary else None

    @abstractmethod
    def score(self, docs: Iterable[Document], put: Put) -> str | None:
        """Score ``docs``, ``put`` each result; the model signature (None: nothing scored)."""


def engine_class(name: str) -> type[Engine]:
    """The engine registered as ``name`` in :data:`mtqa.engines.ENGINES` (imported now)."""
    module, cls = ENGINES[name].split(":")
    found: type[Engine] = getattr(import_module(module), cls)
    return found
