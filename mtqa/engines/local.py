"""The local engine: this process scores documents in groups that bound its memory."""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator

from mtqa.engines.base import Engine, Put, check_documents
from mtqa.lm.base import Scorer
from mtqa.records import Document


def chunks(
    docs: Iterable[Document], max_docs: int = 64, max_chars: int = 200_000
) -> Iterator[list[Document]]:
    """Group documents so one LM call fills its passes but memory stays bounded.

    A group's results are stored when the group is done (so a Ctrl-C keeps whole groups;
    :mod:`mtqa.checkpoint` keeps every window meanwhile). Short records share packed
    passes (:attr:`mtqa.lm.base.Scorer.pack_tokens`) and each group ends with at most one
    part-filled pass: 9-15% of padding on one-sentence records at 64 per group (3% at
    1,000), none on articles (bench/bench.py).
    """
    group: list[Document] = []
    size = 0
    for d in docs:
        group.append(d)
        size += len(d.text)
        if len(group) >= max_docs or size >= max_chars:
            yield group
            group, size = [], 0
    if group:
        yield group


class LocalEngine(Engine):
    """Loads the scorer on the first group (not at all when nothing needs scoring)."""

    scorer: Scorer | None = None

    def score(self, docs: Iterable[Document], put: Put) -> str | None:
        """Score ``docs`` group by group (:func:`chunks`); ``put`` results in input order."""
        for group in chunks(docs):
            scorer = self._scorer()
            t = time.perf_counter()
            results = check_documents(
                group,
                scorer,
                self.detector,
                self.settings.batch_size,
                self.on_tokens,
                self.glossary,
                self.settings.edits,
                self.settings.selection,
                self.settings.source_lm,
            )
            self.timings["score"] += time.perf_counter() - t
            for doc, res in zip(group, results):
                put(doc, res)
        return self.scorer.signature() if self.scorer is not None else None

    def _scorer(self) -> Scorer:
        if self.scorer is None:
            t = time.perf_counter()
            self.scorer = self.scorer_factory(self.settings)
            self.detector.check_model(self.scorer.signature())
            self.timings["load"] = time.perf_counter() - t
        return self.scorer
