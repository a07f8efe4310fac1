"""Fitting a detector: an item model on labelled word features, a sentence model, and
thresholds on clean rates.

:func:`fit_detector` is what ``mtqa calibrate`` runs on the rows :mod:`mtqa.analyse`
gathered. The item model is gradient-boosted trees (scikit-learn's
``HistGradientBoostingClassifier``, exported to :class:`mtqa.detect.Trees`): real MT
errors show in interactions a linear model cannot weigh (a costly word is an error
mid-sentence but a name when capitalised; relative cost matters more than absolute cost
across systems and domains), and trees need no feature scaling. Rater noise: an item's
label is the share of the segment's annotations that mark it (soft labels, fitted as
weighted positive and negative copies). Class imbalance: the thresholds are set on clean
rates, not at 0.5, so the fit keeps the natural rate. The sentence model is a logistic
regression on :data:`mtqa.features.SENTENCE_FEATURES`, fitted on out-of-fold item logits
(two folds) so it does not learn the trees' overconfidence on their own training data.
The detector is read back from its own file text, so the one in memory is the one on disk.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from mtqa.detect import Detector, threshold_detector
from mtqa.errors import CalibrationError
from mtqa.features import FEATURES, SENTENCE_FEATURES, sentence_row
from mtqa.learned import SentenceModel, Trees
from mtqa.records import Metrics, Span
from mtqa.text import counted

#: the item model's columns: every feature but the document-level back gain, which the
#: sentence model reads (in the trees it would move every item of a document at once)
ITEM_FEATURES: tuple[str, ...] = tuple(f for f in FEATURES if f not in ("back_gain", "has_back"))

#: the trees' settings (HistGradientBoostingClassifier): few, shallow, large leaves, so
#: the file stays small and the fit does not chase one system's quirks
TREE_PARAMS: dict[str, Any] = {
    "max_iter": 120,
    "max_leaf_nodes": 15,
    "min_samples_leaf": 200,
    "l2_regularization": 1.0,
    "learning_rate": 0.1,
    "random_state": 0,
}
#: clean-rate targets of the low/high operating points (--sensitivity), (major, any)
OPERATING_RATES = {"low": (0.02, 0.07), "high": (0.10, 0.30)}


@dataclass(frozen=True)
class SentenceRows:
    """The feature rows of one sentence, with item labels (0..1: the share of annotations
    marking the item) and the rules that fire on it.

    ``spans``/``metrics``: the checks' spans and the sentence's metrics, as
    :func:`mtqa.analyse.sentence_score` reads them; ``label``: the share of annotations
    that mark an error in the sentence; ``group``: which data it comes from (``synth``,
    or a gold file's name), for per-group reports."""

    rows: list[list[float]]
    labels: list[float]
    rule_major: bool
    rule_any: bool
    spans: tuple[Span, ...] = ()
    metrics: Metrics = ()
    label: float | None = None  # None: the largest item label
    group: str = "synth"

    @property
    def sentence_label(self) -> float:
        """``label``, else the largest item label (0 without items)."""
        return self.label if self.label is not None else max(self.labels, default=0.0)


def fit_detector(
    fit: Sequence[SentenceRows],
    clean: Sequence[SentenceRows],
    model: str,
    source: str,
    major_rate: float = 0.05,
    minor_rate: float = 0.15,
    features: Sequence[str] = ITEM_FEATURES,
    kind: str = "gbt",
) -> Detector:
    """Fit the item model (``kind`` ``gbt``: trees; ``lr``: logistic) and the sentence
    model on ``fit`` and set the thresholds on ``clean``.

    The thresholds are the lowest probabilities at which at most ``major_rate`` of the
    clean sentences get a major flag and at most ``minor_rate`` any flag, the checks'
    spans included (``rule_major``/``rule_any``); ``meta["operating_points"]`` holds the
    ``low``/``high`` pairs (:data:`OPERATING_RATES`). Raises
    :class:`~mtqa.errors.CalibrationError` with too few labelled words.
    """
    rows = [r for s in fit for r in s.rows]
    labels = [y for s in fit for y in s.labels]
    positives = sum(labels)
    if positives < 20 or len(labels) - positives < 100:
        raise CalibrationError(f"{source}: too few labelled words to fit ({positives:.0f} errors)")
    base = Detector(
        model=model,
        features=tuple(features),
        mean=(),
        scale=(),
        weights=(),
        bias=0.0,
        minor=0.5,
        major=0.5,
        source=source,
        n_words=len(rows),
        trees=Trees(0.0, ()),
    )
    if kind == "lr":
        m, sc, w, b = fit_logistic(rows, [round(y) for y in labels], features)
        base = replace(base, mean=tuple(m), scale=tuple(sc), weights=tuple(w), bias=b, trees=None)
        oof = [base.logits(s.rows) for s in fit]
    else:
        base = replace(base, trees=fit_trees(rows, labels, features))
        oof = _out_of_fold_logits(fit, features)
    sent = fit_sentence_model(fit, oof)
    det = replace(base, sentence=sent)
    det = Detector.from_json(det.to_json(), "<fit>")  # the file's rounding
    minor, major, meta = _thresholds(det, clean, major_rate, minor_rate)
    points = {}
    for name, (maj, mnr) in OPERATING_RATES.items():
        lo, hi, _ = _thresholds(det, clean, maj, mnr)
        points[name] = {"minor": _round_up(lo), "major": _round_up(hi), "rates": [maj, mnr]}
    meta |= {
        "item_model": "gradient-boosted trees" if kind == "gbt" else "logistic",
        "fit_sentences": len(fit),
        "fit_errors": round(positives, 2),
        "fit_groups": dict(sorted(Counter(s.group for s in fit).items())),
        "operating_points": points,
    }
    if kind == "gbt":
        meta["tree_params"] = TREE_PARAMS
    return replace(det, minor=_round_up(minor), major=_round_up(major), meta=meta)


def fit_trees(
    rows: Sequence[Sequence[float]], labels: Sequence[float], features: Sequence[str] = FEATURES
) -> Trees:
    """Gradient-boosted trees on soft ``labels`` (0..1), exported to :class:`Trees`.

    scikit-learn's ``HistGradientBoostingClassifier`` (:data:`TREE_PARAMS`) fitted on each
    row twice: as a positive with weight ``label`` and a negative with ``1 - label``.
    """
    import numpy as np
    from sklearn.ensemble import HistGradientBoostingClassifier

    cols = [FEATURES.index(f) for f in features]
    x = np.asarray(rows, dtype=np.float64)[:, cols]
    y = np.asarray(labels, dtype=np.float64)
    xs = np.vstack([x, x])
    ys = np.r_[np.ones(len(y)), np.zeros(len(y))]
    ws = np.r_[y, 1.0 - y]
    keep = ws > 0
    clf = HistGradientBoostingClassifier(**TREE_PARAMS)
    clf.fit(xs[keep], ys[keep], sample_weight=ws[keep])
    return export_trees(clf)


def export_trees(clf: Any) -> Trees:
    """A fitted binary ``HistGradientBoostingClassifier`` as :class:`Trees` (its private
    ``_predictors`` and ``_baseline_prediction``; scikit-learn 1.x)."""
    trees = []
    for (pred,) in clf._predictors:
        nodes = pred.nodes
        leaf = nodes["is_leaf"].astype(bool)
        trees.append(
            (
                tuple(-1 if lf else int(f) for f, lf in zip(nodes["feature_idx"], leaf)),
                tuple(0.0 if lf else float(t) for t, lf in zip(nodes["num_threshold"], leaf)),
                tuple(int(a) for a in nodes["left"]),
                tuple(int(a) for a in nodes["right"]),
                tuple(float(v) if lf else 0.0 for v, lf in zip(nodes["value"], leaf)),
            )
        )
    return Trees(float(np.ravel(clf._baseline_prediction)[0]), tuple(trees))


def _out_of_fold_logits(fit: Sequence[SentenceRows], features: Sequence[str]) -> list[list[float]]:
    """Item logits of every sentence from trees fitted on the other fold (two folds, by
    sentence index parity)."""
    out: list[list[float]] = [[] for _ in fit]
    cols = [FEATURES.index(f) for f in features]
    for fold in (0, 1):
        train = [s for k, s in enumerate(fit) if k % 2 != fold]
        trees = fit_trees(
            [r for s in train for r in s.rows], [y for s in train for y in s.labels], features
        )
        for k in range(fold, len(fit), 2):
            if fit[k].rows:
                out[k] = trees.row_logits(fit[k].rows, cols)
    return out


def fit_sentence_model(
    fit: Sequence[SentenceRows], logits: Sequence[Sequence[float]]
) -> SentenceModel | None:
    """Logistic regression (scikit-learn, L2, C=1) of each sentence's label (soft, as
    weighted copies) on its :data:`~mtqa.features.SENTENCE_FEATURES` row, standardised;
    None when the sentences are all clean or all wrong (nothing to learn)."""
    from sklearn.linear_model import LogisticRegression

    from mtqa.analyse import check_counts

    x = np.asarray(
        [
            sentence_row(s.rows, z, *check_counts(s.spans, s.metrics))
            for s, z in zip(fit, logits, strict=True)
        ],
        dtype=np.float64,
    )
    y = np.asarray([s.sentence_label for s in fit], dtype=np.float64)
    mean = x.mean(axis=0)
    scale = x.std(axis=0)
    scale[scale < 1e-9] = 1.0
    z = (x - mean) / scale
    zs = np.vstack([z, z])
    ys = np.r_[np.ones(len(y)), np.zeros(len(y))]
    ws = np.r_[y, 1.0 - y]
    keep = ws > 0
    if y.min() == y.max():
        return None
    lr = LogisticRegression(C=1.0, max_iter=2000).fit(zs[keep], ys[keep], sample_weight=ws[keep])
    assert len(lr.coef_[0]) == len(SENTENCE_FEATURES)
    return SentenceModel(
        tuple(mean.tolist()),
        tuple(scale.tolist()),
        tuple(lr.coef_[0].tolist()),
        float(lr.intercept_[0]),
    )


def _thresholds(
    det: Detector, clean: Sequence[SentenceRows], major_rate: float, minor_rate: float
) -> tuple[float, float, dict[str, Any]]:
    """(minor, major) probability thresholds meeting the clean rates, and what they measure."""
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
    }
    return minor, major, meta


def _round_up(p: float) -> float:
    """A threshold written with 6 decimals, never below the value chosen."""
    return min(1.0, math.ceil(p * 1e6) / 1e6)


def fit_logistic(
    rows: Sequence[Sequence[float]],
    labels: Sequence[int],
    features: Sequence[str] = FEATURES,
    l2: float = 1.0,
    iters: int = 50,
) -> tuple[list[float], list[float], list[float], float]:
    """L2-regularised logistic regression by Newton's method: (mean, scale, weights, bias).

    ``rows`` are :data:`~mtqa.features.FEATURES` rows; only the columns in ``features``
    are used, standardised (``mean``, ``scale``); ``labels`` are 0/1 per row.
    """
    import numpy as np

    cols = [FEATURES.index(f) for f in features]
    x = np.asarray(rows, dtype=float)[:, cols]
    y = np.asarray(labels, dtype=float)
    mean = x.mean(axis=0)
    scale = x.std(axis=0)
    scale[scale < 1e-9] = 1.0
    z = np.hstack([(x - mean) / scale, np.ones((len(x), 1))])
    w = np.zeros(z.shape[1])
    reg = np.full(z.shape[1], l2)
    reg[-1] = 0.0  # the bias is not shrunk
    for _ in range(iters):
        p = 1.0 / (1.0 + np.exp(-np.clip(z @ w, -40, 40)))
        grad = z.T @ (p - y) + reg * w
        hess = (z * (p * (1 - p))[:, None]).T @ z + np.diag(reg + 1e-9)
        step = np.linalg.solve(hess, grad)
        w -= step
        if np.max(np.abs(step)) < 1e-7:
            break
    return mean.tolist(), scale.tolist(), w[:-1].tolist(), float(w[-1])


def rate_threshold(scores: Sequence[float], always: Sequence[bool], rate: float) -> float:
    """Smallest threshold t with mean(score >= t or always) <= rate (t > every score if none)."""
    n = len(scores)
    budget = math.floor(rate * n) - sum(1 for a in always if a)
    free = sorted((s for s, a in zip(scores, always) if not a), reverse=True)
    if budget < 0 or not free:
        return 1.0
    if budget >= len(free):
        return 0.0
    # flag the `budget` highest; the threshold sits just above the next one
    nxt = free[budget]
    return min(1.0, math.nextafter(nxt, math.inf))


def fit_percentile_detector(
    surprisals: Sequence[float],
    model: str,
    source: str,
    minor_pct: float = 99.0,
    major_pct: float = 99.9,
) -> Detector:
    """A one-feature detector: minor/major at percentiles of ``surprisals`` (bits).

    Detection v0, kept for tests and as a baseline. Raises
    :class:`~mtqa.errors.CalibrationError` for fewer than 100 values.
    """
    xs = sorted(surprisals)
    if len(xs) < 100:
        raise CalibrationError(
            f"{source}: only {counted(len(xs), 'word')}; calibration needs at least 100"
        )

    def pct(p: float) -> float:
        return xs[min(len(xs) - 1, int(round(p / 100 * (len(xs) - 1))))]

    return threshold_detector(pct(minor_pct), pct(major_pct), model, source, len(xs))
