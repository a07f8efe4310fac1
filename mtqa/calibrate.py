"""``mtqa calibrate``: fit the detector on synthetic errors, set thresholds on clean English.

Clean sentences (one per line) are split three ways, in file order:

* ``fit`` (the first part): about half of the lines get one injected MT-like
  error (:mod:`mtqa.synth`); the word features of every line, labelled by the
  injected spans, fit a logistic detector (:func:`mtqa.detect.fit_logistic`);
* ``threshold`` (next): left clean; the thresholds are set on it so that at most
  ``major_rate`` of its sentences get a major flag and at most ``minor_rate`` any
  flag (rule checks included, as ``mtqa check`` would flag them);
* ``dev`` (the rest): not used here; ``mtqa synth`` turns it into a dev set.

Lines are grouped into pseudo-documents of ``lines_per_doc`` lines so every
sentence is scored with document context, as in ``mtqa check``.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from mtqa.align import align_sentences
from mtqa.detect import Detector, calibration_path, fit_logistic, rate_threshold
from mtqa.errors import CalibrationError, InputError
from mtqa.features import FEATURES, name_counts, sentence_features
from mtqa.lm.base import Scorer
from mtqa.readers import decode
from mtqa.records import SEVERITY_RANK, Document, TokenScore
from mtqa.rules import check_rules
from mtqa.segment import segment
from mtqa.settings import Settings
from mtqa.store import atomic_write
from mtqa.synth import make_records

FIT_SHARE = 0.70
THRESHOLD_SHARE = 0.15  # the last 15% is the dev split


def clean_lines(path: str, limit: int = 0) -> list[str]:
    p = Path(path)
    if not p.is_file():
        raise InputError(path, None, "no such file; pass clean English text, one sentence per line")
    lines = [ln.strip() for ln in decode(p.read_bytes(), path).splitlines() if ln.strip()]
    if limit:
        lines = lines[:limit]
    if len(lines) < 50:
        raise InputError(path, None, f"only {len(lines)} text lines; calibration needs 50 or more")
    return lines


def split(lines: Sequence[str]) -> tuple[list[str], list[str], list[str]]:
    """(fit, threshold, dev) parts, in file order."""
    a = int(len(lines) * FIT_SHARE)
    b = a + int(len(lines) * THRESHOLD_SHARE)
    return list(lines[:a]), list(lines[a:b]), list(lines[b:])


@dataclass(frozen=True)
class SentenceRows:
    """The feature rows of one sentence, with item labels and the rules that fire on it."""

    rows: list[list[float]]
    labels: list[int]
    rule_major: bool
    rule_any: bool


PseudoDoc = tuple[str, list[tuple[int, dict]]]  # text, [(offset of the line, gold record)]


def pseudo_docs(records: Sequence[dict], lines_per_doc: int = 10) -> list[PseudoDoc]:
    """Gold-format records joined ``lines_per_doc`` at a time into documents."""
    docs: list[PseudoDoc] = []
    for i in range(0, len(records), lines_per_doc):
        group = records[i : i + lines_per_doc]
        offsets, pos = [], 0
        for rec in group:
            offsets.append((pos, rec))
            pos += len(rec["target"]) + 1
        docs.append(("\n".join(r["target"] for r in group), offsets))
    return docs


def rows_from_tokens(
    docs: Sequence[PseudoDoc], tokens: Sequence[Sequence[TokenScore]]
) -> list[SentenceRows]:
    """One entry per sentence; an item is labelled 1 when it overlaps a gold span."""
    out: list[SentenceRows] = []
    for (text, offsets), toks in zip(docs, tokens):
        gold = [(o + s["start"], o + s["end"]) for o, rec in offsets for s in rec["spans"]]
        sents = segment(Document(doc_id="cal", text=text, path="<calibration>"))
        aligned = align_sentences(text, toks, [(s.start, s.end) for s in sents])
        names = name_counts(w for ws in aligned for w in ws)
        for sent, words in zip(sents, aligned):
            labels = [int(any(w.start < e and s < w.end for s, e in gold)) for w in words]
            rules = check_rules(sent)
            out.append(
                SentenceRows(
                    rows=sentence_features(text, words, names),
                    labels=labels,
                    rule_major=any(SEVERITY_RANK[r.severity] >= 2 for r in rules),
                    rule_any=bool(rules),
                )
            )
    return out


def sentence_rows(
    records: Sequence[dict], scorer: Scorer, batch_size: int, lines_per_doc: int = 10
) -> list[SentenceRows]:
    """Score gold-format records as pseudo-documents (document context), then featurise."""
    docs = pseudo_docs(records, lines_per_doc)
    return rows_from_tokens(docs, scorer.score([text for text, _ in docs], batch_size=batch_size))


def fit_detector(
    fit: Sequence[SentenceRows],
    clean: Sequence[SentenceRows],
    model: str,
    source: str,
    major_rate: float = 0.05,
    minor_rate: float = 0.15,
    features: Sequence[str] = FEATURES,
) -> Detector:
    rows = [r for s in fit for r in s.rows]
    labels = [y for s in fit for y in s.labels]
    if sum(labels) < 20 or len(labels) - sum(labels) < 100:
        raise CalibrationError(f"{source}: too few labelled words to fit ({sum(labels)} errors)")
    m, sc, w, b = fit_logistic(rows, labels, features)
    # rounded as the file stores them, so the detector in memory is the one on disk
    mean, scale, weights = (tuple(round(x, 6) for x in v) for v in (m, sc, w))
    bias = round(b, 6)
    det = Detector(
        model=model,
        features=tuple(features),
        mean=mean,
        scale=scale,
        weights=weights,
        bias=bias,
        minor=0.5,
        major=0.5,
        source=source,
        n_words=len(rows),
    )
    worst = [max(det.probabilities(s.rows), default=0.0) for s in clean]
    major = rate_threshold(worst, [s.rule_major for s in clean], major_rate)
    minor = rate_threshold(worst, [s.rule_any for s in clean], minor_rate)
    minor = min(minor, major)

    def rate(t: float, rule: Sequence[bool]) -> float:
        return sum(1 for w, r in zip(worst, rule) if w >= t or r) / max(1, len(worst))

    meta = {
        "major_rate_target": major_rate,
        "minor_rate_target": minor_rate,
        "clean_sentences": len(clean),
        "clean_major_rate": round(rate(major, [s.rule_major for s in clean]), 4),
        "clean_flag_rate": round(rate(minor, [s.rule_any for s in clean]), 4),
        "fit_sentences": len(fit),
        "fit_errors": sum(labels),
    }
    return replace(det, minor=_round_up(minor), major=_round_up(major), meta=meta)


def _round_up(p: float) -> float:
    """A threshold written with 6 decimals, never below the value chosen."""
    return min(1.0, math.ceil(p * 1e6) / 1e6)


def calibrate(
    clean: str,
    settings: Settings,
    scorer_factory: Callable[[Settings], Scorer],
    output: str | None = None,
    lines_per_doc: int = 10,
    limit: int = 0,
    seed: int = 13,
    major_rate: float = 0.05,
    minor_rate: float = 0.15,
) -> tuple[Path, Detector]:
    lines = clean_lines(clean, limit)
    fit_lines, threshold_lines, _ = split(lines)
    fit_recs = make_records(fit_lines, seed=seed, rate=0.5, prefix="fit")
    clean_recs = [{"target": t, "spans": []} for t in threshold_lines]
    scorer = scorer_factory(settings)
    fit = sentence_rows(fit_recs, scorer, settings.batch_size, lines_per_doc)
    thr = sentence_rows(clean_recs, scorer, settings.batch_size, lines_per_doc)
    source = (
        f"{Path(clean).name}: fit {len(fit_lines)} lines (seed {seed}, half with injected "
        f"errors), thresholds on the next {len(threshold_lines)} clean lines"
    )
    det = fit_detector(fit, thr, scorer.signature(), source, major_rate, minor_rate)
    path = Path(output) if output else calibration_path(settings.model)
    atomic_write(path, det.to_json() + "\n")
    return path, det
