"""The learned models a detector file holds (:mod:`mtqa.detect`): gradient-boosted trees
over word features (:class:`Trees`) and the sentence model (:class:`SentenceModel`).

Both are evaluated here with numpy and the standard library; scikit-learn fits them
(:mod:`mtqa.quality.fit`) and is not needed to run a check.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np


def sigmoid(z: float) -> float:
    """The logistic function, without overflow."""
    if z >= 0:
        return 1.0 / (1.0 + math.exp(-z))
    e = math.exp(z)
    return e / (1.0 + e)


def standardised_logit(
    values: Sequence[float],
    mean: Sequence[float],
    scale: Sequence[float],
    weights: Sequence[float],
    bias: float,
) -> float:
    """A logistic model's logit: ``bias`` + the sum of ``weights · (values - mean) / scale``
    (added in column order); the item model without trees and the sentence model."""
    z = bias
    for x, m, sc, w in zip(values, mean, scale, weights):
        z += w * (x - m) / sc
    return z


Tree = tuple[
    tuple[int, ...], tuple[float, ...], tuple[int, ...], tuple[int, ...], tuple[float, ...]
]  # per node: feature column (-1: leaf), threshold, left child, right child, leaf value


@dataclass(frozen=True)
class Trees:
    """Gradient-boosted regression trees (exported from scikit-learn's
    ``HistGradientBoostingClassifier``): logit = ``baseline`` + the sum of one leaf value
    per tree. A row goes left at a node when its column is ``<= threshold`` (NaN never
    occurs: features are finite). Node 0 is the root."""

    baseline: float
    trees: tuple[Tree, ...]

    @cached_property
    def _nodes(self) -> tuple[np.ndarray, ...]:
        """All trees' nodes in flat arrays (feature, threshold, left, right, value, with
        children as flat indices) and each tree's root: made once per detector."""
        sizes = [len(t[0]) for t in self.trees]
        roots = np.cumsum([0, *sizes[:-1]]).astype(np.int64)
        feat = np.concatenate([np.asarray(t[0], dtype=np.int64) for t in self.trees])
        thr = np.concatenate([np.asarray(t[1], dtype=np.float64) for t in self.trees])
        left = np.concatenate(
            [np.asarray(t[2], dtype=np.int64) + r for t, r in zip(self.trees, roots)]
        )
        right = np.concatenate(
            [np.asarray(t[3], dtype=np.int64) + r for t, r in zip(self.trees, roots)]
        )
        value = np.concatenate([np.asarray(t[4], dtype=np.float64) for t in self.trees])
        return feat, thr, left, right, value, roots

    def logits(self, x: np.ndarray) -> np.ndarray:
        """Logits of the rows of ``x`` (shape ``(n, columns)``) → shape ``(n,)``: every
        tree walked at once, one level per step; leaf values added tree by tree."""
        out = np.full(x.shape[0], self.baseline)
        if not self.trees:
            return out
        feat, thr, left, right, value, roots = self._nodes
        node = np.broadcast_to(roots, (x.shape[0], roots.shape[0])).copy()
        rows = np.arange(x.shape[0])[:, None]
        while True:
            inner = feat[node] >= 0
            if not inner.any():
                break
            go_left = x[rows, np.where(inner, feat[node], 0)] <= thr[node]
            node = np.where(inner, np.where(go_left, left[node], right[node]), node)
        leaves = value[node]
        for j in range(leaves.shape[1]):  # in tree order: the sum of the one-tree-at-a-time walk
            out += leaves[:, j]
        return out

    def row_logits(self, rows: Sequence[Sequence[float]], columns: Sequence[int]) -> list[float]:
        """Logits of feature ``rows`` whose ``columns`` (in order) are the trees' inputs."""
        x = np.asarray(rows, dtype=np.float64)[:, list(columns)]
        return [float(z) for z in self.logits(x)]

    def to_list(self) -> list[Any]:
        """JSON-ready form: ``[baseline, [[feature, threshold, left, right, value], ...]]``."""
        return [
            round(self.baseline, 9),
            [
                [list(f), [round(x, 9) for x in t], list(lo), list(hi), [round(x, 9) for x in v]]
                for f, t, lo, hi, v in self.trees
            ],
        ]

    @classmethod
    def from_list(cls, data: Sequence[Any]) -> Trees:
        """The inverse of :meth:`to_list`."""
        base, trees = data
        return cls(
            baseline=float(base),
            trees=tuple(
                (
                    tuple(int(a) for a in f),
                    tuple(float(a) for a in t),
                    tuple(int(a) for a in lo),
                    tuple(int(a) for a in hi),
                    tuple(float(a) for a in v),
                )
                for f, t, lo, hi, v in trees
            ),
        )


@dataclass(frozen=True)
class SentenceModel:
    """P(the sentence holds at least one error) = sigmoid(bias + weights · (row - mean) /
    scale) over the columns :data:`mtqa.features.SENTENCE_FEATURES` (logistic regression
    fitted on MQM sentences, :func:`mtqa.quality.fit.fit_sentence_model`)."""

    mean: tuple[float, ...]
    scale: tuple[float, ...]
    weights: tuple[float, ...]
    bias: float

    def probability(self, row: Sequence[float]) -> float:
        """The probability for one :data:`~mtqa.features.SENTENCE_FEATURES` row."""
        return sigmoid(standardised_logit(row, self.mean, self.scale, self.weights, self.bias))

    def to_list(self) -> list[Any]:
        """JSON-ready form: ``[mean, scale, weights, bias]``."""
        return [
            [round(x, 9) for x in self.mean],
            [round(x, 9) for x in self.scale],
            [round(x, 9) for x in self.weights],
            round(self.bias, 9),
        ]

    @classmethod
    def from_list(cls, data: Sequence[Any]) -> SentenceModel:
        """The inverse of :meth:`to_list`."""
        mean, scale, weights, bias = data
        return cls(
            tuple(float(x) for x in mean),
            tuple(float(x) for x in scale),
            tuple(float(x) for x in weights),
            float(bias),
        )
