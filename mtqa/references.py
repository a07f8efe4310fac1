"""Reference metrics from sacrebleu (the only module that imports it).

Per sentence: chrF (the default), BLEU and TER, as sacrebleu's ``sentence_chrf`` /
``sentence_bleu`` / ``sentence_ter`` compute them. Per document and per run: corpus
chrF/BLEU/TER from summed sufficient statistics — exactly what sacrebleu's
``corpus_score`` does — with sacrebleu's signature strings.

Sentences are paired with the reference by :func:`mtqa.pairing.pair_units`; when the two
sides do not split the same way, the metric is computed per line or per segment and
the ``ref_level`` column says so. Without a reference every metric cell is empty
(``None``), never 0.
"""

from __future__ import annotations

import csv
import math
from collections.abc import Sequence
from functools import cache
from pathlib import Path
from typing import Any

from mtqa.pairing import Pairing, level_note, pair_units
from mtqa.records import Document, Sentence
from mtqa.segment import segment

METRIC_NAMES = ("chrf", "bleu", "ter")  # chrF first: the default reference metric
SENTENCE_COLUMNS = ("ref_level", *METRIC_NAMES)
NO_REFERENCE = "no reference given: chrF/BLEU/TER not computed"

Value = float | str | None


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


def sentence_scores(hypothesis: str, reference: str) -> dict[str, float]:
    """chrF, BLEU (effective order, exp smoothing) and TER for one pair, rounded to 4 places."""
    return {
        name: round(float(_metric(name, True).sentence_score(hypothesis, [reference]).score), 4)
        for name in METRIC_NAMES
    }


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
        if not hypotheses:
            return
        self.pairs += len(hypotheses)
        for name in METRIC_NAMES:
            stats = _metric(name)._extract_corpus_statistics(list(hypotheses), [list(references)])
            acc = self._sums.setdefault(name, [0] * len(stats[0]))
            for row in stats:
                for i, v in enumerate(row):
                    acc[i] += v

    def scores(self) -> dict[str, float | None]:
        if not self.pairs:
            return {name: None for name in METRIC_NAMES}
        return {
            name: round(float(_metric(name)._compute_score_from_stats(self._sums[name]).score), 4)
            for name in METRIC_NAMES
        }


def document_metrics(
    doc: Document, sentences: list[Sentence]
) -> tuple[list[tuple[tuple[str, Value], ...]], tuple[tuple[str, Value], ...], tuple[str, ...]]:
    """(per-sentence metric columns, document metrics, document notes) for one document."""
    if doc.reference is None:
        empty = tuple((k, None) for k in SENTENCE_COLUMNS)
        doc_empty = (("ref_level", None), ("ref_pairs", None)) + tuple(
            (f"corpus_{n}", None) for n in METRIC_NAMES
        )
        return [empty] * len(sentences), doc_empty, (NO_REFERENCE,)
    pairing = pair_units(doc, sentences, doc.reference)
    columns: list[tuple[tuple[str, Value], ...]] = [
        tuple((k, None) for k in SENTENCE_COLUMNS) for _ in sentences
    ]
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
    doc_metrics = (("ref_level", pairing.level), ("ref_pairs", corpus.pairs)) + tuple(
        (f"corpus_{n}", v) for n, v in corpus.scores().items()
    )
    return columns, doc_metrics, notes


def pairs(pairing: Pairing) -> tuple[list[str], list[str]]:
    return [u.target for u in pairing.units], [u.other for u in pairing.units]


class RunReferences:
    """Corpus scores over every document of a run that has a reference (for run.json)."""

    def __init__(self) -> None:
        self.corpus = CorpusStats()
        self.with_reference = 0
        self.without_reference = 0
        self.levels: dict[str, int] = {}

    def add(self, doc: Document) -> None:
        if doc.reference is None:
            self.without_reference += 1
            return
        self.with_reference += 1
        pairing = pair_units(doc, segment(doc), doc.reference)
        self.levels[pairing.level] = self.levels.get(pairing.level, 0) + 1
        self.corpus.add(*pairs(pairing))

    def as_dict(self) -> dict[str, Any]:
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
        out["corpus"] = {n: {"score": scores[n], "signature": sigs[n]} for n in METRIC_NAMES}
        out["sentence_signatures"] = {
            "chrf": sigs["chrf"],
            "bleu": sigs["sentence_bleu"],
            "ter": sigs["ter"],
        }
        return out


# --- for ``mtqa eval``: does the LM score track chrF? -----------------------------------


def _ranks(xs: Sequence[float]) -> list[float]:
    order = sorted(range(len(xs)), key=lambda i: xs[i])
    ranks = [0.0] * len(xs)
    i = 0
    while i < len(order):
        j = i
        while j + 1 < len(order) and xs[order[j + 1]] == xs[order[i]]:
            j += 1
        for k in range(i, j + 1):
            ranks[order[k]] = (i + j) / 2 + 1
        i = j + 1
    return ranks


def pearson(xs: Sequence[float], ys: Sequence[float]) -> float | None:
    n = len(xs)
    if n < 2:
        return None
    mx, my = sum(xs) / n, sum(ys) / n
    sxy = sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True))
    sxx = sum((x - mx) ** 2 for x in xs)
    syy = sum((y - my) ** 2 for y in ys)
    if sxx == 0 or syy == 0:
        return None
    return round(sxy / math.sqrt(sxx * syy), 4)


def spearman(xs: Sequence[float], ys: Sequence[float]) -> float | None:
    return pearson(_ranks(xs), _ranks(ys))


def lm_chrf_correlation(run_dir: str | Path) -> dict[str, Any]:
    """Pearson and Spearman between the LM columns (``score``, ``ppl``) and sentence chrF.

    Reads ``run_dir/sentences.csv``; only rows with ``ref_level == "sentence"`` count
    (line/segment-level chrF is shared by several sentences). A good detector gives a
    negative correlation (more suspicious, lower chrF). Without such rows ``n`` is 0
    and the correlations are ``None``.
    """
    path = Path(run_dir) / "sentences.csv"
    chrf: list[float] = []
    lm: dict[str, list[float]] = {"score": [], "ppl": []}
    other_level = 0
    with path.open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            if row.get("ref_level") != "sentence":
                other_level += bool(row.get("ref_level"))
                continue
            try:
                values = {k: float(row[k]) for k in lm}
                c = float(row["chrf"])
            except (KeyError, ValueError):
                continue
            chrf.append(c)
            for k in lm:
                lm[k].append(values[k])
    out: dict[str, Any] = {"n": len(chrf), "skipped_line_or_segment_level": other_level}
    for k, xs in lm.items():
        out[k] = {"pearson": pearson(xs, chrf), "spearman": spearman(xs, chrf)}
    if not chrf:
        out["note"] = "no sentence-level chrF in this run (no references, or none aligned)"
    return out
