"""Word features → a calibrated error probability per word → LM spans.

A :class:`Detector` is a small logistic model over the columns of
:data:`mtqa.features.FEATURES`, fitted by ``mtqa calibrate`` on synthetic MT
errors injected into clean English (:mod:`mtqa.synth`), plus two probability
thresholds chosen on a held-apart slice of clean English:

* ``major`` — at most 5% of clean sentences get a major flag (LM or rule);
* ``minor`` — at most ``minor_rate`` (default 15%) of clean sentences get any flag.

Items at or above ``minor`` are flagged; flagged neighbours merge into one span
(punctuation between them does not break it); a span is ``major`` when its worst
item reaches ``major``; its score is that item's probability.

Severity, as a reviewer should read it: ``major`` = the passage is probably
broken (wrong word, non-word, French left in, garbled join); ``minor`` = probably
awkward or worth a look (calque, odd order, punctuation slip).

The file lives at ``models/<preset>.calibration.json`` (kind ``"detector"``). An
older ``"surprisal-threshold"`` file still loads, as a one-feature detector.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from mtqa.errors import CalibrationError
from mtqa.features import FEATURES, sentence_features
from mtqa.records import Span, WordScore

MODELS_DIR = Path(__file__).resolve().parent.parent / "models"


def _sigmoid(z: float) -> float:
    if z >= 0:
        return 1.0 / (1.0 + math.exp(-z))
    e = math.exp(z)
    return e / (1.0 + e)


@dataclass(frozen=True)
class Detector:
    model: str  # model signature the numbers were measured with
    features: tuple[str, ...]
    mean: tuple[float, ...]
    scale: tuple[float, ...]
    weights: tuple[float, ...]
    bias: float
    minor: float  # probability thresholds
    major: float
    source: str  # what data it was fitted/calibrated on
    n_words: int
    meta: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)

    def __post_init__(self) -> None:
        unknown = [f for f in self.features if f not in FEATURES]
        if unknown:
            raise CalibrationError(
                f"detector for {self.model}: unknown feature(s) {unknown}; rerun `mtqa calibrate`"
            )
        n = len(self.features)
        if not (len(self.mean) == len(self.scale) == len(self.weights) == n):
            raise CalibrationError(f"detector for {self.model}: weights do not match features")

    @property
    def calibration_id(self) -> str:
        blob = json.dumps([self.features, self.weights, self.bias, self.minor, self.major])
        digest = hashlib.sha256(blob.encode()).hexdigest()[:8]
        return f"lr{len(self.features)}:{digest}:p{self.minor:.3f}/{self.major:.3f}"

    @cached_property
    def columns(self) -> tuple[int, ...]:
        return tuple(FEATURES.index(f) for f in self.features)

    def check_model(self, scorer_signature: str) -> None:
        """Refuse to weigh one model's surprisals with weights fitted on another's.

        The dtype suffix (``/bfloat16``) may differ: a detector fitted in float32
        serves bfloat16 scoring (the deviation is measured in the benchmark).
        """
        mine, theirs = self.model.split("/")[0], scorer_signature.split("/")[0]
        if mine != theirs:
            raise CalibrationError(
                f"the detector was fitted for {mine}, but the model is {theirs}; run "
                "`mtqa calibrate --model NAME CLEAN.txt` or pass --calibration FILE for this model"
            )

    def logit(self, row: Sequence[float]) -> float:
        z = self.bias
        for k, m, sc, w in zip(self.columns, self.mean, self.scale, self.weights):
            z += w * (row[k] - m) / sc
        return z

    def probabilities(self, rows: Sequence[Sequence[float]]) -> list[float]:
        return [_sigmoid(self.logit(r)) for r in rows]

    def to_json(self) -> str:
        return json.dumps(
            {
                "kind": "detector",
                "model": self.model,
                "features": list(self.features),
                "mean": [round(x, 6) for x in self.mean],
                "scale": [round(x, 6) for x in self.scale],
                "weights": [round(x, 6) for x in self.weights],
                "bias": round(self.bias, 6),
                "minor": self.minor,
                "major": self.major,
                "source": self.source,
                "n_words": self.n_words,
                "meta": self.meta,
            },
            indent=1,
            ensure_ascii=False,
        )

    @classmethod
    def from_json(cls, text: str, where: str) -> Detector:
        try:
            d = json.loads(text)
            if d.get("kind") == "surprisal-threshold":
                return threshold_detector(
                    float(d["minor"]), float(d["major"]), d["model"], d["source"], int(d["n_words"])
                )
            return cls(
                model=d["model"],
                features=tuple(d["features"]),
                mean=tuple(float(x) for x in d["mean"]),
                scale=tuple(float(x) for x in d["scale"]),
                weights=tuple(float(x) for x in d["weights"]),
                bias=float(d["bias"]),
                minor=float(d["minor"]),
                major=float(d["major"]),
                source=d["source"],
                n_words=int(d["n_words"]),
                meta=dict(d.get("meta", {})),
            )
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise CalibrationError(
                f"{where}: not a valid calibration file ({exc}); rerun `mtqa calibrate`"
            ) from None


Calibration = Detector  # the name the pipeline and older files use


def threshold_detector(
    minor_bits: float, major_bits: float, model: str, source: str, n_words: int = 0
) -> Detector:
    """Detection v0 as a detector: p = sigmoid(s - minor_bits); minor at 0.5."""
    return Detector(
        model=model,
        features=("s",),
        mean=(0.0,),
        scale=(1.0,),
        weights=(1.0,),
        bias=-minor_bits,
        minor=0.5,
        major=_sigmoid(major_bits - minor_bits),
        source=source,
        n_words=n_words,
        meta={"kind": "surprisal-threshold", "minor_bits": minor_bits, "major_bits": major_bits},
    )


def fit_calibration(
    surprisals: Sequence[float],
    model: str,
    source: str,
    minor_pct: float = 99.0,
    major_pct: float = 99.9,
) -> Detector:
    """A surprisal-percentile detector (v0; used for tests and as a baseline)."""
    xs = sorted(surprisals)
    if len(xs) < 100:
        raise CalibrationError(f"{source}: only {len(xs)} words; calibration needs at least 100")

    def pct(p: float) -> float:
        return xs[min(len(xs) - 1, int(round(p / 100 * (len(xs) - 1))))]

    return threshold_detector(pct(minor_pct), pct(major_pct), model, source, len(xs))


def calibration_path(model_name: str) -> Path:
    return MODELS_DIR / f"{model_name}.calibration.json"


def load_calibration(model_name: str, path: str | None = None) -> Detector:
    p = Path(path) if path else calibration_path(model_name)
    if not p.is_file():
        raise CalibrationError(
            f"{p}: no detector for model {model_name!r}; run `mtqa calibrate --model "
            f"{model_name} CLEAN.txt` or pass --calibration FILE"
        )
    return Detector.from_json(p.read_text(encoding="utf-8"), str(p))


def one_in(bits: float) -> str:
    """Human odds for a surprisal: 21.4 bits → '1 in 2.7 million'."""
    n = 2.0**bits
    for unit, size in (("billion", 1e9), ("million", 1e6), ("thousand", 1e3)):
        if n >= size:
            return f"1 in {n / size:.1f} {unit}"
    return f"1 in {n:.0f}"


def explain(w: WordScore, row: Sequence[float], p: float) -> str:
    """Why an item was flagged, in a reviewer's words."""
    f = dict(zip(FEATURES, row))
    if f["unknown"]:
        head = f"not an English word: {w.text!r} costs {w.surprisal:.1f} bits"
    elif w.kind == "punct":
        head = f"unexpected punctuation {w.text!r}: {w.surprisal:.1f} bits ({one_in(w.surprisal)})"
    else:
        head = f"unexpected here: {w.text!r} costs {w.surprisal:.1f} bits ({one_in(w.surprisal)})"
    parts = [head, f"a typical word here costs {w.entropy:.1f} bits"]
    if f["s_next1"] >= 10:
        parts.append(f"the next word is disturbed too ({f['s_next1']:.1f} bits)")
    if f["lower_after_stop"]:
        parts.append("a lower-case word right after a full stop")
    return "; ".join(parts) + f" (p={p:.2f})"


def detect_lm(
    text: str,
    words: Sequence[WordScore],
    det: Detector,
    names: Counter[str] | None = None,
) -> tuple[list[Span], list[float]]:
    """LM spans of one sentence (offsets into the document ``text``), and item probabilities."""
    rows = sentence_features(text, words, names)
    probs = det.probabilities(rows)
    spans: list[Span] = []
    group: list[int] = []

    def close() -> None:
        if not group:
            return
        k = max(group, key=lambda i: probs[i])
        start, end = words[group[0]].start, words[group[-1]].end
        spans.append(
            Span(
                start=start,
                end=end,
                text=text[start:end],
                severity="major" if probs[k] >= det.major else "minor",
                score=round(probs[k], 4),
                source="lm",
                reason=explain(words[k], rows[k], probs[k]),
            )
        )
        group.clear()

    for i, w in enumerate(words):
        if probs[i] >= det.minor and math.isfinite(w.surprisal):
            group.append(i)
        elif w.kind == "punct" and group and i + 1 < len(words) and probs[i + 1] >= det.minor:
            continue  # punctuation between two flagged items does not break the span
        else:
            close()
    close()
    return spans, probs


# --------------------------------------------------------------------------- fitting


def fit_logistic(
    rows: Sequence[Sequence[float]],
    labels: Sequence[int],
    features: Sequence[str] = FEATURES,
    l2: float = 1.0,
    iters: int = 50,
) -> tuple[list[float], list[float], list[float], float]:
    """L2-regularised logistic regression by Newton's method: (mean, scale, weights, bias)."""
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
