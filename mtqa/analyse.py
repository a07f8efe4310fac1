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
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace

from mtqa.align import align_sentences
from mtqa.checks import SOURCE_CHECKS
from mtqa.checks.document import outside_titles, source_checks, target_spans
from mtqa.checks.glossary import Glossary
from mtqa.checks.references import document_metrics
from mtqa.detect import Detector, detect_lm
from mtqa.features import evidence, name_counts, sentence_features, sentence_row
from mtqa.learned import sigmoid
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
from mtqa.selection import Selection
from mtqa.text import cluster_bounds


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
        self,
        doc: Document,
        tokens: Sequence[TokenScore],
        glossary: Glossary | None = None,
        cond: Sequence[TokenScore] | None = None,
        back: float | None = None,
    ) -> None:
        self.doc = doc
        self.back = back
        self.glossary = glossary
        self.sentences = segment(doc)
        ref_columns, ref_metrics, ref_notes = document_metrics(doc, self.sentences)
        self._src = source_checks(doc, self.sentences, glossary=glossary)
        self._ref_columns = ref_columns
        bounds = [(s.start, s.end) for s in self.sentences]
        self.words = align_sentences(doc.text, tokens, bounds)
        self.cond = None if cond is None else align_sentences(doc.text, cond, bounds)
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
                rows=sentence_features(
                    text,
                    words,
                    self.names,
                    None if self.cond is None else self.cond[k],
                    self.back,
                ),
                spans=outside_titles(target_spans(sent, glossary=self.glossary), self._src.titles)
                + self._src.spans[k],
                metrics=self._ref_columns[k] + self._src.columns[k],
            )


def merge_spans(text: str, *groups: Sequence[Span]) -> tuple[Span, ...]:
    """The spans of one sentence of the document ``text`` in report order: by start, end
    and source; a tie keeps the order of ``groups`` (the LM's, then the checks'). Every
    span passes through here before it is reported, and here it is widened to whole
    grapheme clusters (:func:`snap_span`)."""
    spans = (snap_span(text, s) for g in groups for s in g)
    return tuple(sorted(spans, key=lambda s: (s.start, s.end, s.source)))


def snap_span(text: str, span: Span) -> Span:
    """``span`` widened to grapheme cluster boundaries of the document ``text``
    (:func:`mtqa.text.cluster_bounds`): never half a flag, an emoji without its skin tone
    or a letter without its accent. Its ``text`` is ``text[start:end]`` again, and a
    suggestion takes the characters the span gained, so it still replaces exactly the
    span's text."""
    a, b = cluster_bounds(text, span.start, span.end)
    if (a, b) == (span.start, span.end):
        return span
    fix = span.suggestion
    if fix is not None:
        fix = text[a : span.start] + fix + text[span.end : b]
    return replace(span, start=a, end=b, text=text[a:b], suggestion=fix)


def combine(spans: Sequence[Span], word_score: float) -> tuple[float, Severity]:
    """A sentence's score in [0, 1] (higher = worse; 6 decimals) and severity from its spans,
    for a detector without a sentence model.

    The score is the noisy-or of the spans' scores; a sentence without spans scores half
    ``word_score`` (its highest item probability), so it still ranks. The severity is the
    worst span's (``none`` without spans).
    """
    miss = 1.0
    for sp in spans:
        miss *= 1.0 - sp.score
    score = max(word_score * 0.5, 1.0 - miss) if spans else word_score * 0.5
    return round(score, 6), worst_severity(sp.severity for sp in spans)


def check_counts(
    spans: Sequence[Span], metrics: Metrics = ()
) -> tuple[int, int, int, bool, float | None]:
    """What the sentence model reads of the checks: (major target-check spans, minor
    target-check spans, source-check spans, whether a source was given: the sentence's
    ``metrics`` have a ``src_level``, its ``len_ratio`` to the source). LM spans are not
    counted."""
    rules = [sp for sp in spans if sp.source != "lm"]
    src = [sp for sp in rules if sp.source.removeprefix("rule:") in SOURCE_CHECKS]
    major = sum(1 for sp in rules if sp.severity == "major" and sp not in src)
    cells = dict(metrics)
    has_source = cells.get("src_level") is not None
    ratio = cells.get("len_ratio")
    len_ratio = float(ratio) if isinstance(ratio, int | float) else None
    return major, len(rules) - len(src) - major, len(src), has_source, len_ratio


def sentence_score(
    det: Detector,
    rows: Sequence[Sequence[float]],
    logits: Sequence[float],
    spans: Sequence[Span],
    metrics: Metrics = (),
) -> tuple[float, Severity]:
    """A sentence's score (6 decimals) and severity: with a sentence model
    (:attr:`mtqa.detect.Detector.sentence`), the probability that the sentence holds at
    least one error, from its items' ``rows`` and ``logits`` (all but symbols: the callers
    leave them out, :func:`mtqa.features.evidence`) and the checks' ``spans``
    (:func:`mtqa.features.sentence_row`; a source was given when the sentence's ``metrics``
    have a ``src_level``); else :func:`combine`. The severity is the worst span's."""
    severity = worst_severity(sp.severity for sp in spans)
    if det.sentence is None:
        probs = [sigmoid(z) for z in logits]
        return combine(spans, max(probs, default=0.0))
    row = sentence_row(rows, logits, *check_counts(spans, metrics))
    return round(det.sentence.probability(row), 6), severity


def judge(
    text: str, ev: SentenceEvidence, det: Detector, selection: Selection | None = None
) -> SentenceResult:
    """One sentence's result: the detector's spans merged with the checks' (those the
    ``selection`` keeps, all without one), the score."""
    logits = det.logits(ev.rows)
    lm_spans, _ = detect_lm(text, ev.words, ev.rows, det, logits)
    spans = merge_spans(text, lm_spans, ev.spans)
    if selection is not None and not selection.everything:
        spans = tuple(sp for sp in spans if sp.source in selection)
    n_tokens = sum(w.n_tokens for w in ev.words)
    bits = sum(w.surprisal for w in ev.words)
    ppl = 2.0 ** (bits / n_tokens) if n_tokens else float("nan")
    keep = evidence(ev.words)  # symbols are no evidence for the sentence model either
    score, severity = sentence_score(
        det, [ev.rows[k] for k in keep], [logits[k] for k in keep], spans, ev.metrics
    )
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
        rows=tuple(tuple(r) for r in ev.rows),
    )


def analyse(
    doc: Document,
    tokens: Sequence[TokenScore],
    det: Detector,
    glossary: Glossary | None = None,
    cond: Sequence[TokenScore] | None = None,
    selection: Selection | None = None,
    back: float | None = None,
) -> DocumentResult:
    """The result of one document from its token scores (``scorer.score([doc.text])[0]``);
    ``glossary``: the run's ``--glossary`` (its checks join the rule checks); ``cond``: the
    target's tokens scored after its source (:mod:`mtqa.conditioned`), or None;
    ``selection``: the checks reported (``--select``/``--ignore``), all without one; ``back``:
    the document's back gain (:func:`mtqa.conditioned.back_gains`), or None."""
    ev = Evidence(doc, tokens, glossary, cond, back)
    return DocumentResult(
        doc.doc_id,
        doc.path,
        doc.text,
        tuple(judge(doc.text, s, det, selection) for s in ev),
        notes=ev.notes,
        metrics=ev.metrics,
    )


def rescore_sentence(
    det: Detector,
    text: str,
    s: SentenceResult,
    spans: Sequence[Span],
    names: Counter[str],
) -> tuple[float, Severity]:
    """:func:`sentence_score` of sentence ``s`` of document ``text`` with other ``spans``:
    from its stored feature rows (:attr:`mtqa.records.SentenceResult.rows`), else rows made
    again from its words (``names``: :func:`mtqa.features.name_counts` of the document)."""
    rows = [list(r) for r in s.rows] or sentence_features(text, s.words, names)
    if len(rows) == len(s.words):  # symbols are no evidence (mtqa.features)
        rows = [rows[k] for k in evidence(s.words)]
    return sentence_score(det, rows, det.logits(rows), spans, s.metrics)


def select_result(result: DocumentResult, selection: Selection, det: Detector) -> DocumentResult:
    """``result`` with only the spans of selected checks; a sentence that lost spans is
    scored again from those it keeps (module docstring). Unchanged when nothing is dropped."""
    if selection.everything:
        return result
    names = None
    sentences = []
    changed = False
    for s in result.sentences:
        kept = tuple(sp for sp in s.spans if sp.source in selection)
        if len(kept) == len(s.spans):
            sentences.append(s)
            continue
        if names is None:
            names = name_counts(w for x in result.sentences for w in x.words)
        score, severity = rescore_sentence(det, result.text, s, kept, names)
        sentences.append(replace(s, spans=kept, score=score, severity=severity))
        changed = True
    return replace(result, sentences=tuple(sentences)) if changed else result
