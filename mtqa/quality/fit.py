"""Fitting a detector: logistic weights on labelled word features, thresholds on clean rates.

:func:`fit_detector` is what ``mtqa calibrate`` runs on the rows :mod:`mtqa.analyse`
gathered; the weights and thresholds are written rounded as the detector file stores
them, so the detector in memory is the one on disk.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

from mtqa.detect import Detector, threshold_detector
from mtqa.errors import CalibrationError
from mtqa.features import FEATURES


@dataclass(frozen=True)
class SentenceRows:
    """The feature rows of one sentence, with item labels and the rules that fire on it."""

    rows: list[list[float]]
    labels: list[int]
    rule_major: bool
    rule_any: bool


def fit_detector(
    fit: Sequence[SentenceRows],
    clean: Sequence[SentenceRows],
    model: str,
    source: str,
    major_rate: float = 0.05,
    minor_rate: float = 0.15,
    features: Sequence[str] = FEATURES,
) -> Detector:
    """Fit the logistic detector on ``fit`` and set its thresholds on ``clean``.

    The thresholds are the lowest probabilities at which at most ``major_rate`` of the
    clean sentences get a major flag and at most ``minor_rate`` any flag, the checks'
    spans included (``rule_major``/``rule_any``). Raises
    :class:`~mtqa.errors.CalibrationError` with too few labelled words.
    """
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
    minor, major, meta = _thresholds(det, clean, major_rate, minor_rate)
    meta |= {"fit_sentences": len(fit), "fit_errors": sum(labels)}
    return replace(det, minor=_round_up(minor), major=_round_up(major), meta=meta)


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
        raise CalibrationError(f"{source}: only {len(xs)} words; calibration needs at least 100")

    def pct(p: float) -> float:
        return xs[min(len(xs) - 1, int(round(p / 100 * (len(xs) - 1))))]

    return threshold_detector(pct(minor_pct), pct(major_pct), model, source, len(xs))
