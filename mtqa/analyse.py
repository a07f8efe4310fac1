"""A scored document → its result: the one path from token scores to spans.

``mtqa check`` (through the engines), ``mtqa calibrate`` and the tests all go through
here, so a stage added to the analysis reaches the fitted detector's data too:

1. :class:`Evidence` gathers, per document, the sentences (:mod:`mtqa.segment`), the
   word scores (:mod:`mtqa.align`), reference metrics and source checks; then, sentence
   by sentence, the detector's feature rows (:mod:`mtqa.features`) and the check spans
   (:mod:`mtqa.checks`). It needs no detector: ``mtqa calibrate`` fits one on it.
2. :func:`analyse` weighs the rows with the detector (:func:`mtqa.detect.detect_lm`),
   merges the LM's spans with the checks' (:func:`merge_spans`) and scores the sentence
   (:func:`combine`).

Sentence evidence is made one sentence at a time, so a document's feature rows are never
all held at once (a 5 MB article has a million items).
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from mtqa.align import align_sentences
from mtqa.checks.document import source_checks, target_spans
from mtqa.checks.glossary import Glossary
from mtqa.checks.references import document_metrics
from mtqa.detect import Detector, detect_lm
from mtqa.features import name_counts, sentence_features
from mtqa.records import (
    Document,
    DocumentResult,
    Metrics,
    Sentence,
    SentenceResult,
    Severity,
    Span,
    TokenScore,
    WordScore,
    worst_severity,
)
from mtqa.segment import segment


@dataclass(frozen=True)
class SentenceEvidence:
    """What mtqa knows about one sentence before the detector weighs it.

    ``rows``: one feature row per word (:data:`mtqa.features.FEATURES` order);
    ``spans``: the target checks' spans, then the source checks' (document offsets);
    ``metrics``: the reference columns, then the source columns.
    """

    sentence: Sentence
    words: list[WordScore]
    rows: list[list[float]]
    spans: list[Span]
    metrics: Metrics


class Evidence:
    """Everything but the detector's verdict on one scored document.

    Iterate it for one :class:`SentenceEvidence` per sentence, in order; ``notes`` and
    ``metrics`` are the document's (reference, then source).
    """

    def __init__(
        self, doc: Document, tokens: Sequence[TokenScore], glossary: Glossary | None = None
    ) -> None:
        self.doc = doc
        self.glossary = glossary
        self.sentences = segment(doc)
        ref_columns, ref_metrics, ref_notes = document_metrics(doc, self.sentences)
        self._src = source_checks(doc, self.sentences, glossary=glossary)
        self._ref_columns = ref_columns
        self.words = align_sentences(doc.text, tokens, [(s.start, s.end) for s in self.sentences])
        self.names = name_counts(w for words in self.words for w in words)
        self.notes = ref_notes + self._src.notes
        self.metrics = ref_metrics + self._src.metrics

    def __iter__(self) -> Iterator[SentenceEvidence]:
        text = self.doc.text
        for k, sent in enumerate(self.sentences):
            words = self.words[k]
            yield SentenceEvidence(
                sentence=sent,
                words=words,
                rows=sentence_features(text, words, self.names),
                spans=target_spans(sent, glossary=self.glossary) + self._src.spans[k],
                metrics=self._ref_columns[k] + self._src.columns[k],
            )


def merge_spans(*groups: Sequence[Span]) -> tuple[Span, ...]:
    """The spans of one sentence in report order: by start, end and source; a tie keeps
    the order of ``groups`` (the LM's, then the checks')."""
    return tuple(sorted((s for g in groups for s in g), key=lambda s: (s.start, s.end, s.source)))


def combine(spans: Sequence[Span], word_score: float) -> tuple[float, Severity]:
    """A sentence's score in [0, 1] (higher = worse; 6 decimals) and severity from its spans.

    The score is the noisy-or of the spans' scores; a sentence without spans scores half
    ``word_score`` (its highest item probability), so it still ranks. The severity is the
    worst span's (``none`` without spans).
    """
    miss = 1.0
    for sp in spans:
        miss *= 1.0 - sp.score
    score = max(word_score * 0.5, 1.0 - miss) if spans else word_score * 0.5
    return round(score, 6), worst_severity(sp.severity for sp in spans)


def judge(text: str, ev: SentenceEvidence, det: Detector) -> SentenceResult:
    """One sentence's result: the detector's spans merged with the checks', the score."""
    lm_spans, probs = detect_lm(text, ev.words, ev.rows, det)
    spans = merge_spans(lm_spans, ev.spans)
    n_tokens = sum(w.n_tokens for w in ev.words)
    bits = sum(w.surprisal for w in ev.words)
    ppl = 2.0 ** (bits / n_tokens) if n_tokens else float("nan")
    score, severity = combine(spans, max(probs, default=0.0))
    sent = ev.sentence
    return SentenceResult(
        doc_id=sent.doc_id,
        sent_id=sent.index,
        start=sent.start,
        end=sent.end,
        text=sent.text,
        n_tokens=n_tokens,
        ppl=ppl if math.isfinite(ppl) else 0.0,
        score=score,
        severity=severity,
        spans=spans,
        metrics=ev.metrics,
        words=tuple(ev.words),
    )


def analyse(
    doc: Document, tokens: Sequence[TokenScore], det: Detector, glossary: Glossary | None = None
) -> DocumentResult:
    """The result of one document from its token scores (``scorer.score([doc.text])[0]``);
    ``glossary``: the run's ``--glossary`` (its checks join the rule checks)."""
    ev = Evidence(doc, tokens, glossary)
    return DocumentResult(
        doc.doc_id,
        doc.path,
        doc.text,
        tuple(judge(doc.text, s, det) for s in ev),
        notes=ev.notes,
        metrics=ev.metrics,
    )
