"""Word features → a calibrated error probability per word → LM spans.

A :class:`Detector` is an item model over the columns of :data:`mtqa.features.FEATURES`
(gradient-boosted trees, :class:`Trees`, or a logistic model), a sentence model
(:class:`SentenceModel`: the probability that a sentence holds at least one error, from all
its items and the checks' spans) and two probability thresholds. ``mtqa calibrate`` fits it
on professional MQM error spans and synthetic MT errors injected into clean English
(:mod:`mtqa.quality.fit`); the thresholds are chosen on a held-apart slice of clean English:

* ``major`` — at most 5% of clean sentences get a major flag (LM or rule);
* ``minor`` — at most ``minor_rate`` (default 15%) of clean sentences get any flag.

Items at or above ``minor`` are flagged; flagged neighbours merge into one span
(punctuation or a symbol between them does not break it); a span is ``major`` when its
worst item reaches ``major``; its score is that item's probability. A symbol (an emoji, a
flag: :mod:`mtqa.align`) is never flagged, and its cost is no evidence for its neighbours
(:mod:`mtqa.features`).

Severity, as a reviewer should read it: ``major`` = the passage is probably
broken (wrong word, non-word, French left in, garbled join); ``minor`` = probably
awkward or worth a look (calque, odd order, punctuation slip).

A preset's detector ships as package data, ``mtqa/data/detectors/<preset>.json`` (kind
``"detector"``); ``--calibration FILE`` names another. An older ``"surprisal-threshold"``
file still loads, as a one-feature detector. Fitting lives in :mod:`mtqa.quality.fit`.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path
from typing import Any

from mtqa.data import resource
from mtqa.errors import CalibrationError, UsageError, named
from mtqa.features import FEATURES, SENTENCE_FEATURES
from mtqa.learned import SentenceModel, Trees, sigmoid, standardised_logit
from mtqa.machine import machine_tokens
from mtqa.readers.decode import kind
from mtqa.records import NOT_WORDS, Span, WordScore


@dataclass(frozen=True)
class Detector:
    """An item model over word features, a sentence model, two probability thresholds.

    The item model is ``trees`` when set (:class:`Trees` over the columns named by
    ``features``), else logistic: ``mean``/``scale`` standardise the columns, ``weights``
    and ``bias`` give the logit. ``sentence`` (optional) scores sentences; without it a
    sentence scores the noisy-or of its spans. ``minor``/``major`` are probabilities in
    [0, 1]. ``meta`` holds how it was fitted (rates measured on clean English). Raises
    :class:`~mtqa.errors.CalibrationError` for an unknown feature or mismatched lengths.
    """

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
    trees: Trees | None = None
    sentence: SentenceModel | None = None

    def __post_init__(self) -> None:
        unknown = [f for f in self.features if f not in FEATURES]
        if unknown:
            raise CalibrationError(
                f"detector for {self.model}: unknown feature(s) {unknown}; rerun `mtqa calibrate`"
            )
        n = len(self.features)
        fix = "; refit it with `mtqa calibrate` or restore the shipped file"
        if self.trees is None and not (len(self.mean) == len(self.scale) == len(self.weights) == n):
            raise CalibrationError(
                f"detector for {self.model}: {n} features but {len(self.mean)} means, "
                f"{len(self.scale)} scales and {len(self.weights)} weights{fix}"
            )
        if self.trees is not None and any(c >= n for tree in self.trees.trees for c in tree[0]):
            raise CalibrationError(
                f"detector for {self.model}: a tree names a missing feature{fix}"
            )
        if self.sentence is not None and len(self.sentence.weights) != len(SENTENCE_FEATURES):
            raise CalibrationError(
                f"detector for {self.model}: the sentence model does not match "
                f"{len(SENTENCE_FEATURES)} sentence features; rerun `mtqa calibrate`"
            )
        self._check_numbers()

    def _check_numbers(self) -> None:
        """Every number finite, scales positive, thresholds probabilities with minor <= major:
        a NaN would silently switch flags off (a NaN comparison is always false)."""
        fix = "; refit it with `mtqa calibrate` or restore the shipped file"
        for name in ("minor", "major"):
            v = getattr(self, name)
            if not (isinstance(v, float | int) and math.isfinite(v) and 0.0 <= v <= 1.0):
                raise CalibrationError(
                    f"detector for {self.model}: the {name} threshold {v!r} is not a "
                    f"probability in [0, 1]{fix}"
                )
        if self.minor > self.major:
            raise CalibrationError(
                f"detector for {self.model}: the minor threshold {self.minor} is above the "
                f"major one {self.major}{fix}"
            )
        numbers = [*self.mean, *self.weights, self.bias]
        if self.trees is not None:
            numbers += [self.trees.baseline]
            numbers += [x for tree in self.trees.trees for part in tree[1:] for x in part]
        if self.sentence is not None:
            sm = self.sentence
            numbers += [*sm.mean, *sm.weights, sm.bias]
            if any(not (math.isfinite(x) and x > 0) for x in sm.scale):
                raise CalibrationError(
                    f"detector for {self.model}: a sentence scale is not > 0{fix}"
                )
        if any(not math.isfinite(x) for x in numbers):
            raise CalibrationError(
                f"detector for {self.model}: a weight is not a finite number{fix}"
            )
        if any(not (math.isfinite(x) and x > 0) for x in self.scale):
            raise CalibrationError(f"detector for {self.model}: a feature scale is not > 0{fix}")

    @property
    def detector_id(self) -> str:
        """``<kind><n features>:<8 hex of the models and thresholds>:p<minor>/<major>``, kind
        ``gbt`` (trees) or ``lr`` (logistic), for signatures."""
        blob = json.dumps(
            [
                self.features,
                self.weights,
                self.bias,
                self.minor,
                self.major,
                self.trees.to_list() if self.trees else None,
                self.sentence.to_list() if self.sentence else None,
            ]
        )
        digest = hashlib.sha256(blob.encode()).hexdigest()[:8]
        kind = "gbt" if self.trees is not None else "lr"
        return f"{kind}{len(self.features)}:{digest}:p{self.minor:.3f}/{self.major:.3f}"

    def _weighs(self, item: str, sentence: str) -> bool:
        """Whether the item model uses feature ``item`` or the sentence model ``sentence``."""
        if self.sentence is not None:
            if self.sentence.weights[SENTENCE_FEATURES.index(sentence)] != 0.0:
                return True
        if item not in self.features:
            return False
        k = self.features.index(item)
        if self.trees is not None:
            return any(k in tree[0] for tree in self.trees.trees)
        return self.weights[k] != 0.0

    @cached_property
    def uses_source(self) -> bool:
        """Whether the item or sentence model weighs the source gain (the target scored
        after its source, :mod:`mtqa.conditioned`)."""
        return self._weighs("src_gain", "src_gain_mean")

    @cached_property
    def uses_back(self) -> bool:
        """Whether the item or sentence model weighs the back gain (the source scored
        after its target, :func:`mtqa.conditioned.back_gains`)."""
        return self._weighs("back_gain", "back_gain")

    @cached_property
    def columns(self) -> tuple[int, ...]:
        """Where each of ``features`` sits in a :data:`~mtqa.features.FEATURES` row."""
        return tuple(FEATURES.index(f) for f in self.features)

    def check_model(self, scorer_signature: str) -> None:
        """Refuse to weigh one model's surprisals with weights fitted on another's.

        The dtype suffix (``/bfloat16``) may differ: a detector fitted in float32
        serves bfloat16 scoring (the deviation is measured in the benchmark).
        """
        mine, theirs = self.model.split("/")[0], scorer_signature.split("/")[0]
        if mine != theirs:
            raise self._other_model(theirs)

    def check_model_name(self, name: str) -> None:
        """:meth:`check_model` before the model is loaded, on its name alone (a preset's,
        a ``.gguf`` file's or a model folder's: what its signature starts with), so a
        detector fitted for another model is refused without the load (seconds to a
        minute). The weights' hash is checked after the load, by :meth:`check_model`."""
        if self.model.split("/")[0].split("@")[0] != name:
            raise self._other_model(name)

    def _other_model(self, theirs: str) -> CalibrationError:
        return CalibrationError(
            f"the detector was fitted for {self.model.split('/')[0]}, but the model is "
            f"{theirs}; run `mtqa calibrate --model NAME CLEAN.txt` or pass "
            f"{named('calibration', 'FILE')} "
            "for this model"
        )

    def logit(self, row: Sequence[float]) -> float:
        """The logit of one feature row (:data:`~mtqa.features.FEATURES` order)."""
        return self.logits([row])[0]

    def logits(self, rows: Sequence[Sequence[float]]) -> list[float]:
        """The item model's logit of each feature row (:data:`~mtqa.features.FEATURES`
        order)."""
        if not rows:
            return []
        if self.trees is not None:
            return self.trees.row_logits(rows, self.columns)
        return [
            standardised_logit(
                [row[k] for k in self.columns], self.mean, self.scale, self.weights, self.bias
            )
            for row in rows
        ]

    def probabilities(self, rows: Sequence[Sequence[float]]) -> list[float]:
        """The error probability of each feature row, in [0, 1]."""
        return [sigmoid(z) for z in self.logits(rows)]

    def to_json(self) -> str:
        """The detector file's text (weights rounded to 6 decimals, trees one per line)."""
        text = json.dumps(
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
                "trees": "@TREES@" if self.trees else None,
                "sentence": self.sentence.to_list() if self.sentence else None,
            },
            indent=1,
            ensure_ascii=False,
        )
        if self.trees is None:
            return text
        base, trees = self.trees.to_list()
        lines = ",\n  ".join(json.dumps(t, separators=(",", ":")) for t in trees)
        return text.replace('"@TREES@"', f"[\n {json.dumps(base)},\n [\n  {lines}\n ]\n ]")

    @classmethod
    def from_json(cls, text: str, where: str) -> Detector:
        """Read a detector file's text; ``where`` names it in the
        :class:`~mtqa.errors.CalibrationError` raised for a malformed file or numbers that do
        not hold together (``det.json: detector for …: a weight is not a finite number; …``)."""
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
                trees=Trees.from_list(d["trees"]) if d.get("trees") else None,
                sentence=SentenceModel.from_list(d["sentence"]) if d.get("sentence") else None,
            )
        except CalibrationError as exc:  # read, but its numbers do not hold together
            raise CalibrationError(f"{where}: {exc}") from None
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            why = f"no {exc.args[0]!r} field" if isinstance(exc, KeyError) and exc.args else exc
            raise CalibrationError(
                f"{where}: not a valid calibration file ({why}); rerun `mtqa calibrate`"
            ) from None


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
        major=sigmoid(major_bits - minor_bits),
        source=source,
        n_words=n_words,
        meta={"kind": "surprisal-threshold", "minor_bits": minor_bits, "major_bits": major_bits},
    )


def detector_path(model_name: str) -> Path:
    """Where the detector shipped for a preset lives (``mtqa/data/detectors/<name>.json``)."""
    return Path(str(resource("detectors", f"{model_name}.json")))


SENSITIVITIES = ("low", "default", "high")


def operating_point(
    det: Detector, sensitivity: str = "default", threshold: float | None = None
) -> Detector:
    """``det`` with the thresholds of an operating point.

    ``sensitivity``: ``default`` keeps the file's thresholds; ``low`` (fewer flags, higher
    precision) and ``high`` (more flags, higher recall) take the pairs the fit stored in
    ``meta["operating_points"]``. ``threshold`` (a probability in (0, 1)) then sets the
    ``minor`` threshold itself (``major`` is raised to it if lower), e.g. the value
    ``mtqa review`` recommends. Raises :class:`~mtqa.errors.CalibrationError` for an
    operating point the detector does not have, :class:`~mtqa.errors.UsageError` for a
    bad value.
    """
    if sensitivity not in SENSITIVITIES:
        raise UsageError(
            f"{named('sensitivity', repr(sensitivity))}: choose one of {', '.join(SENSITIVITIES)}"
        )
    minor, major = det.minor, det.major
    if sensitivity != "default":
        points = det.meta.get("operating_points", {})
        point = points.get(sensitivity) if isinstance(points, dict) else None
        if not isinstance(point, dict) or not {"minor", "major"} <= point.keys():
            raise CalibrationError(
                f"the detector for {det.model} has no {sensitivity!r} operating point "
                f"({named('sensitivity', repr(sensitivity))}); refit it "
                f"with `mtqa calibrate` or set {named('threshold', 'P')} (a probability) instead"
            )
        minor, major = float(point["minor"]), float(point["major"])
    if threshold is not None:
        if not (0.0 < threshold < 1.0 and math.isfinite(threshold)):
            raise UsageError(
                f"{named('threshold', threshold)}: must be a probability between 0 and 1"
            )
        minor, major = threshold, max(major, threshold)
    if (minor, major) == (det.minor, det.major):
        return det
    return replace(det, minor=minor, major=major)


def load_detector(
    model_name: str,
    path: str | None = None,
    sensitivity: str = "default",
    threshold: float | None = None,
) -> Detector:
    """The detector in ``path``, else the one shipped for ``model_name``, at the operating
    point ``sensitivity``/``threshold`` (:func:`operating_point`).

    Raises :class:`~mtqa.errors.CalibrationError` when there is none, ``path`` is not a
    readable file, or it is malformed.
    """
    p = Path(path) if path else detector_path(model_name)
    if path and not p.is_file():
        what = (
            "is a folder, not a detector file"
            if p.is_dir()
            else f"not a regular file ({kind(p.stat().st_mode)})"
            if p.exists()
            else "no such file"
        )
        raise CalibrationError(
            f"{p}: {what} ({named('calibration')}); check the path, or leave "
            f"{named('calibration')} out to use "
            f"the detector shipped for {model_name!r}"
        )
    if not p.is_file():
        raise CalibrationError(
            f"{p}: no detector for model {model_name!r}; run `mtqa calibrate --model "
            f"{model_name} CLEAN.txt` or pass {named('calibration', 'FILE')}"
        )
    try:
        text = p.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        why = exc.strerror if isinstance(exc, OSError) else "not UTF-8 text"
        raise CalibrationError(
            f"{p}: cannot read the detector ({why}); pass a file written by `mtqa calibrate`"
        ) from None
    det = Detector.from_json(text, str(p))
    return operating_point(det, sensitivity, threshold)


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
    rows: Sequence[Sequence[float]],
    det: Detector,
    logits: Sequence[float] | None = None,
) -> tuple[list[Span], list[float]]:
    """LM spans of one sentence (offsets into the document ``text``), and item probabilities.

    ``rows`` are the words' feature rows (:func:`mtqa.features.sentence_features`);
    ``logits`` the item model's, when already computed (:meth:`Detector.logits`). A symbol
    item (an emoji: :mod:`mtqa.align`), a URL, e-mail address, file name, placeholder or
    hash (:func:`mtqa.machine.machine_tokens`) and a U+FFFD (the ``replacement-char`` rule's:
    the LM would only propose deleting it) are never flagged (probability 0).
    """
    probs = [
        0.0 if w.kind == "symbol" or "\ufffd" in w.text else sigmoid(z)  # mtqa.features
        for w, z in zip(words, det.logits(rows) if logits is None else logits, strict=True)
    ]
    if words:  # URLs, e-mail addresses, file names: not language, never an LM flag
        machine = machine_tokens(text, words[0].start, words[-1].end)
        if machine:
            probs = [
                0.0 if any(a <= w.start and w.end <= b for a, b in machine) else p
                for w, p in zip(words, probs)
            ]
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
        elif w.kind in NOT_WORDS and group and i + 1 < len(words) and probs[i + 1] >= det.minor:
            continue  # punctuation (or a symbol) between two flagged items does not break it
        else:
            close()
    close()
    return spans, probs
