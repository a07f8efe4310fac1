"""Fake scorers with one missing word, one agreement error or one extra word (mtqa.confusion).

:class:`ExpectingScorer` is :class:`mtqa.lm.fake.FakeScorer` except around " key": read
right after anything but " a", " key" costs 16 bits and there the LM's first choice is " a",
with probability 0.9 (rank 4, ``top`` its id); after " a" it costs 1 bit (the first
choice). " a" costs 1 bit. So "play key role" → "play a key role" gains 14 bits.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from mtqa.lm.base import ForwardOutput
from mtqa.lm.fake import FakeScorer


class ExpectingScorer(FakeScorer):
    """See the module docstring."""

    def __init__(self, window: int = 1024, overlap: int = 256) -> None:
        super().__init__(window=window, overlap=overlap)
        # the fake numbers pieces as it meets them: these two first, so every instance
        # gives them the same ids (a resumed window's ``top`` names the same piece)
        self.a, self.key = self._id(" a"), self._id(" key")

    def cost(self, piece: str) -> float:
        return 1.0 if piece == " a" else super().cost(piece)

    def forward(self, batch: Sequence[Sequence[int]]) -> list[ForwardOutput]:
        outs = super().forward(batch)
        a, key = self.a, self.key
        fixed = []
        for ids, out in zip(batch, outs, strict=True):
            s, r, p = list(out.surprisal), list(out.rank), list(out.pmax)
            top = [-1] * len(s)
            for j in range(1, len(ids)):
                if ids[j] != key:
                    continue
                if ids[j - 1] == a:
                    s[j - 1], r[j - 1], p[j - 1] = 1.0, 0, 0.5
                else:
                    s[j - 1], r[j - 1], p[j - 1], top[j - 1] = 16.0, 4, 0.9, a
            fixed.append(replace(out, surprisal=s, rank=r, pmax=p, top=top))
        return fixed


class AgreeingScorer(FakeScorer):
    """The fake, with one agreement error: " is" costs 16 bits and " are" 1, so the fake's
    ``alt`` at " is" (the other word of its pair) is " are", 15 bits likelier, and "the
    talks is over" → "the talks are over" gains 15 bits."""

    def cost(self, piece: str) -> float:
        return 16.0 if piece == " is" else 1.0 if piece == " are" else super().cost(piece)


class DroppingScorer(FakeScorer):
    """The fake, with one extra word: " the" right before " people" costs 16 bits, and 1
    bit anywhere else; the fake's costs do not depend on what comes before, so "infected
    the people" → "infected people" gains 16 bits, which the main pass reports before any
    rescoring (" people" costs in the place of " the" what it costs after it)."""

    def __init__(self, window: int = 1024, overlap: int = 256) -> None:
        super().__init__(window=window, overlap=overlap)
        self.the, self.people = self._id(" the"), self._id(" people")

    def cost(self, piece: str) -> float:
        return 1.0 if piece == " the" else super().cost(piece)

    def forward(self, batch: Sequence[Sequence[int]]) -> list[ForwardOutput]:
        outs = super().forward(batch)
        fixed = []
        for ids, out in zip(batch, outs, strict=True):
            s = list(out.surprisal)
            for j in range(1, len(ids) - 1):
                if ids[j] == self.the and ids[j + 1] == self.people:
                    s[j - 1] = 16.0
            fixed.append(replace(out, surprisal=s))
        return fixed


class OrderingScorer(FakeScorer):
    """The fake, with one French word order: " renewable" right after " energy" costs 16
    bits, and 2 bits anywhere else, as " energy" does; so "the energy renewable" → "the
    renewable energy" gains 14 bits."""

    def __init__(self, window: int = 1024, overlap: int = 256) -> None:
        super().__init__(window=window, overlap=overlap)
        self.energy, self.renewable = self._id(" energy"), self._id(" renewable")

    def cost(self, piece: str) -> float:
        return 2.0 if piece in (" energy", " renewable") else super().cost(piece)

    def forward(self, batch: Sequence[Sequence[int]]) -> list[ForwardOutput]:
        outs = super().forward(batch)
        fixed = []
        for ids, out in zip(batch, outs, strict=True):
            s = list(out.surprisal)
            for j in range(1, len(ids)):
                if ids[j] == self.renewable and ids[j - 1] == self.energy:
                    s[j - 1] = 16.0
            fixed.append(replace(out, surprisal=s))
        return fixed
