"""Reference metrics from sacrebleu (the only module that imports it).

Per sentence: chrF (the default), BLEU and TER, as sacrebleu's ``sentence_chrf`` /
``sentence_bleu`` / ``sentence_ter`` compute them. Per document and per run: corpus
chrF/BLEU/TER from summed sufficient statistics — exactly what sacrebleu's
``corpus_score`` does — with sacrebleu's signature strings.

Sentences are paired with the reference by :func:`mtqa.checks.pairing.pair_units`; when the two
sides do not split the same way, the metric is computed per line or per segment and
the ``ref_level`` column says so. Without a reference every metric cell is empty
(``None``), never 0. No reference is not a zero: where the reference is empty (an empty
line of a ``--reference`` file, a cell of only spaces or invisible characters) the
sentences' cells are empty too, the document says where in a note, and those units are
left out of the corpus scores (``run.json`` counts them: ``references.pairs_excluded``).
A line empty in the target where the reference has text (a line left untranslated) has no
sentence to carry a metric: the document says where in a note, and the corpus scores count
it as an empty translation of that reference line, as sacrebleu run on the two files would
(``run.json``: ``references.lines_untranslated``).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from functools import cache, lru_cache
from typing import Any

from mtqa.checks.pairing import Pairing, empty_note, level_note, pair_units, untranslated_note
from mtqa.records import Document, Metrics, Sentence
from mtqa.segment import segment

METRIC_NAMES = ("chrf", "bleu", "ter")  # chrF first: the default reference metric
SENTENCE_COLUMNS = ("ref_level", *METRIC_NAMES)
NO_REFERENCE = "no reference given: chrF/BLEU/TER not computed"
EXCLUDED = "no chrF/BLEU/TER for its sentences, and left out of the corpus scores"
UNTRANSLATED = "scored as an empty translation in the corpus scores"


@cache
def _metric(name: str, sentence: bool = False) -> Any:
    """sacrebleu metric objects, configured like its sentence_*/corpus_* helpers."""
    from sacrebleu.metrics import BLEU, CHRF, TER

    if name == "chrf":
        return CHRF()
    if name == "bleu":
        return BLEU(effective_order=sentence)
    if name == "ter":
        return TER()
    raise KeyError(name)


@lru_cache(maxsize=4096)
def _pair_stats(name: str, hypothesis: str, reference: str) -> tuple[float, ...]:
    """sacrebleu's sufficient statistics of one (NFC) pair for metric ``name``: computed once
    per pair and process, for its sentence score, its document's corpus score and the run's
    (TER's are quadratic and more in a line's words: a 20,000-word line took a minute each
    time)."""
    return tuple(_metric(name)._extract_corpus_statistics([hypothesis], [[reference]])[0])


def sentence_scores(hypothesis: str, reference: str) -> dict[str, float]:
    """chrF, BLEU (effective order, exp smoothing) and TER for one pair, rounded to 4 places
    (both read in NFC: a decomposed accent is the same character as a composed one); what
    sacrebleu's ``sentence_score`` gives, from the pair's statistics."""
    hyp, ref = _nfc(hypothesis), _nfc(reference)
    return {
        name: round(
            float(
                _metric(name, True)
                ._aggregate_and_compute([list(_pair_stats(name, hyp, ref))])
                .score
            ),
            4,
        )
        for name in METRIC_NAMES
    }


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def signatures() -> dict[str, str]:
    """sacrebleu's signature strings for the corpus metrics (and BLEU's sentence variant)."""
    out = {}
    for name, sentence in [(n, False) for n in METRIC_NAMES] + [("bleu", True)]:
        m = _metric(name, sentence)
        m.corpus_score(["a"], [["a"]])  # sacrebleu fills the signature (nrefs) on first use
        out[f"sentence_{name}" if sentence else name] = m.get_signature().format()
    return out


class CorpusStats:
    """Summed sacrebleu sufficient statistics; ``add`` pairs in any order, ``scores`` at the end."""

    def __init__(self) -> None:
        self.pairs = 0
        self._sums: dict[str, list[float]] = {}

    def add(self, hypotheses: Sequence[str], references: Sequence[str]) -> None:
        """Add aligned (hypothesis, reference) pairs (read in NFC); nothing for empty lists."""
        if not hypotheses:
            return
        self.pairs += len(hypotheses)
        hyps, refs = [_nfc(h) for h in hypotheses], [_nfc(r) for r in references]
        for name in METRIC_NAMES:
            stats = [_pair_stats(name, h, r) for h, r in zip(hyps, refs, strict=True)]
            acc = self._sums.setdefault(name, [0] * len(stats[0]))
            for row in stats:
                for i, v in enumerate(row):
                    acc[i] += v

    def scores(self) -> dict[str, float | None]:
        """Corpus chrF, BLEU and TER over the pairs added (4 places; None without pairs)."""
        if not self.pairs:
            return {name: None for name in METRIC_NAMES}
        return {
            name: round(float(_metric(name)._compute_score_from_stats(self._sums[name]).score), 4)
            for name in METRIC_NAMES
        }


def document_metrics(
    doc: Document, sentences: list[Sentence]
) -> tuple[list[Metrics], Metrics, tuple[str, ...]]:
    """(per-sentence metric columns, document metrics, document notes) for one document.

    Columns per sentence: ``ref_level`` and the sentence-level chrF/BLEU/TER of the unit
    it belongs to; all ``None`` without a reference (then the note says so).
    """
    if doc.reference is None:
        empty = tuple((k, None) for k in SENTENCE_COLUMNS)
        doc_empty = (("ref_level", None), ("ref_pairs", None)) + tuple(
            (f"corpus_{n}", None) for n in METRIC_NAMES
        )
        return [empty] * len(sentences), doc_empty, (NO_REFERENCE,)
    pairing = pair_units(doc, sentences, doc.reference)
    columns: list[Metrics] = [tuple((k, None) for k in SENTENCE_COLUMNS) for _ in sentences]
    for unit in pairing.units:
        scores = sentence_scores(unit.target, unit.other)
        for i in unit.sentences:
            columns[i] = (("ref_level", pairing.level),) + tuple(
                (n, scores[n]) for n in METRIC_NAMES
            )
    corpus = CorpusStats()
    corpus.add(*pairs(pairing))
    notes: tuple[str, ...] = ()
    if pairing.level != "sentence":
        notes = (level_note("reference", "ref_level", pairing),)
    if pairing.empty:
        notes += (f"{empty_note('reference', pairing)}: {EXCLUDED}",)
    if pairing.untranslated:
        notes += (f"{untranslated_note('reference', pairing)}; {UNTRANSLATED}",)
    doc_metrics = (("ref_level", pairing.level), ("ref_pairs", corpus.pairs)) + tuple(
        (f"corpus_{n}", v) for n, v in corpus.scores().items()
    )
    return columns, doc_metrics, notes


def pairs(pairing: Pairing) -> tuple[list[str], list[str]]:
    """(target texts, reference texts) of the pairing's units, then of its untranslated
    lines (each with an empty target text)."""
    units = pairing.units + pairing.untranslated
    return [u.target for u in units], [u.other for u in units]


class RunReferences:
    """Corpus scores over every document of a run that has a reference (for run.json)."""

    def __init__(self) -> None:
        self.corpus = CorpusStats()
        self.with_reference = 0
        self.without_reference = 0
        self.excluded = 0  # units whose reference is empty
        self.untranslated = 0  # lines empty in the target, not in the reference
        self.levels: dict[str, int] = {}

    def add(self, doc: Document) -> None:
        """Count one document; with a reference, add its aligned pairs to the corpus."""
        if doc.reference is None:
            self.without_reference += 1
            return
        self.with_reference += 1
        pairing = pair_units(doc, segment(doc), doc.reference)
        self.levels[pairing.level] = self.levels.get(pairing.level, 0) + 1
        self.corpus.add(*pairs(pairing))
        self.excluded += len(pairing.empty)
        self.untranslated += len(pairing.untranslated)

    def as_dict(self) -> dict[str, Any]:
        """Counts, pairing levels, pairs compared and excluded (empty reference), corpus
        scores, sacrebleu signatures (run.json ``references``)."""
        out: dict[str, Any] = {
            "documents_with_reference": self.with_reference,
            "documents_without_reference": self.without_reference,
        }
        if not self.with_reference:
            out["note"] = NO_REFERENCE
            return out
        sigs = signatures()
        scores = self.corpus.scores()
        out["levels"] = dict(sorted(self.levels.items()))
        out["pairs"] = self.corpus.pairs
        out["pairs_excluded"] = self.excluded
        if self.excluded:
            out["excluded_note"] = (
                f"{self.excluded} unit(s) with an empty reference (an empty line or cell): "
                "not scored, and left out of the corpus scores"
            )
        out["lines_untranslated"] = self.untranslated
        if self.untranslated:
            out["untranslated_note"] = (
                f"{self.untranslated} line(s) empty in the target where the reference has "
                f"text: {UNTRANSLATED}"
            )
        out["corpus"] = {n: {"score": scores[n], "signature": sigs[n]} for n in METRIC_NAMES}
        out["sentence_signatures"] = {
            "chrf": sigs["chrf"],
            "bleu": sigs["sentence_bleu"],
            "ter": sigs["ter"],
        }
        return out
