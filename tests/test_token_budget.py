"""Token-budget batching (``Scorer.max_tokens``) caps padded tokens, never changes scores."""

from __future__ import annotations

import random
from collections.abc import Sequence

import pytest

from mtqa.lm.base import ForwardOutput
from mtqa.lm.fake import FakeScorer


class BudgetSpy(FakeScorer):
    def __init__(self, max_tokens: int | None) -> None:
        super().__init__(window=48, overlap=8)
        self.max_tokens = max_tokens
        self.shapes: list[tuple[int, int]] = []

    def forward(self, batch: Sequence[Sequence[int]]) -> list[ForwardOutput]:
        self.shapes.append((len(batch), max(len(s) for s in batch)))
        return super().forward(batch)


@pytest.mark.parametrize("max_tokens", [None, 1, 60, 100, 400])
def test_budget_caps_padded_tokens_and_keeps_scores(max_tokens: int | None) -> None:
    rng = random.Random(3)
    texts = [
        " ".join(f"w{rng.randrange(80)}" for _ in range(rng.randrange(1, 90))) for _ in range(25)
    ]
    ref = FakeScorer(window=48, overlap=8).score(texts, batch_size=1)
    spy = BudgetSpy(max_tokens)
    assert spy.score(texts, batch_size=8) == ref
    for rows, longest in spy.shapes:
        assert rows <= 8
        if max_tokens is not None and rows > 1:
            assert rows * longest <= max_tokens
    if max_tokens == 1:
        assert all(rows == 1 for rows, _ in spy.shapes)
