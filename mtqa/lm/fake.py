"""A deterministic fake scorer for fast tests (no weights, no torch).

Tokens are runs of letters/digits and single other non-space characters, each
with its leading whitespace (like byte-level BPE). A token's surprisal depends on
its text only, so any windowing or batching must give identical results:

* a token whose text (stripped, lower-cased) is in ``loud`` costs 20 bits;
* a token containing ``zz`` costs 18 bits;
* any other costs 1 + (crc32(text) % 500) / 100 bits, i.e. 1 to 6 bits.

The entropy is 5 bits everywhere; where the token is a watched word
(:meth:`~mtqa.lm.base.Scorer.watched`: a preposition or a word of an agreement pair), its
``alt`` is the cheapest other one of its class (another preposition of its form, or the
other of its pair; a tie: the first in text order). A token's cost does not depend on what
precedes it, so the next token read in a token's place (``dropped``) costs what it costs
after it (NaN at a sequence's last token). The next-token candidates
(:meth:`FakeScorer.next_tokens`, ``topk``) are the pieces of a fixed :data:`LEXICON`,
cheapest first, whatever the context and whatever was encoded before. A token costing c bits
has rank 0 (the model's first choice) when c < 2, else ``int(2 ** (c - 2))`` (a loud token:
2 ** 18); the most likely token's probability is ``2 ** -min(c, 2)``, so a rank-0 token is
that token itself.
"""

from __future__ import annotations

import math
import re
import zlib
from collections.abc import Iterable, Sequence

from mtqa.lm.base import Encoding, ForwardOutput, Scorer

_TOKEN = re.compile(r"\s*(?:\w+|[^\w\s])|\s+", re.UNICODE)
DEFAULT_LOUD = frozenset({"massaging", "insupports", "cenacle"})
#: the fake LM's next-token candidates (whole words with their leading space)
LEXICON = tuple(
    " " + w
    for w in (
        "the a of to is has that and in for on with by as at from it was were be "
        "massing supports said new country troops soldiers"
    ).split()
)


class FakeScorer(Scorer):
    """The deterministic scorer of the tests (``--model fake``): see the module docstring."""

    name = "fake"

    def __init__(
        self, loud: Iterable[str] = DEFAULT_LOUD, window: int = 1024, overlap: int = 256
    ) -> None:
        self.loud = frozenset(w.lower() for w in loud)
        self.window = window
        self.overlap = overlap
        self._vocab: dict[str, int] = {"<s>": 0}
        self._text: list[str] = ["<s>"]
        self.calls: list[int] = []  # batch sizes seen, for tests

    @property
    def prefix_ids(self) -> tuple[int, ...]:
        """``(0,)``: the ``<s>`` id starts every window."""
        return (0,)

    def _id(self, piece: str) -> int:
        if piece not in self._vocab:
            self._vocab[piece] = len(self._text)
            self._text.append(piece)
        return self._vocab[piece]

    def encode(self, text: str) -> Encoding:
        """Letter/digit runs and single marks, each with its leading whitespace."""
        ids: list[int] = []
        offsets: list[tuple[int, int]] = []
        for m in _TOKEN.finditer(text):
            ids.append(self._id(m.group()))
            offsets.append((m.start(), m.end()))
        return Encoding(tuple(ids), tuple(offsets))

    def cost(self, piece: str) -> float:
        """The surprisal (bits) of one token text: 20 loud, 18 with ``zz``, else 1 to 6."""
        key = piece.strip().lower()
        if key in self.loud:
            return 20.0
        if "zz" in key:
            return 18.0
        return 1.0 + (zlib.crc32(piece.encode("utf-8")) % 500) / 100.0

    def token_text(self, ids: Sequence[int]) -> str:
        """The pieces of ``ids`` joined."""
        return "".join(self._text[i] for i in ids)

    def next_tokens(self, ids: Sequence[int], k: int) -> list[tuple[int, float]]:
        """The ``k`` cheapest pieces of :data:`LEXICON`, probability ``2 ** -cost``,
        cheapest first: deterministic, whatever the context or what was encoded before."""
        ranked = sorted(LEXICON, key=lambda p: (self.cost(p), p))[:k]
        return [(self._id(p), 2.0 ** -self.cost(p)) for p in ranked]

    @staticmethod
    def rank_pmax(cost: float) -> tuple[int, float]:
        """The fake rank and pmax of a token costing ``cost`` bits (module docstring)."""
        return (0 if cost < 2.0 else int(2.0 ** (cost - 2.0))), 2.0 ** -min(cost, 2.0)

    def forward(self, batch: Sequence[Sequence[int]]) -> list[ForwardOutput]:
        """Each token's :meth:`cost` as its surprisal; entropy 5 bits; rank/pmax from it."""
        self.calls.append(len(batch))
        outs = []
        for ids in batch:
            s = [self.cost(self._text[i]) for i in ids[1:]]
            rp = [self.rank_pmax(c) for c in s]
            alts = [self._alt(i) for i in ids[1:]]
            outs.append(
                ForwardOutput(
                    surprisal=s,
                    entropy=[5.0] * len(s),
                    rank=[r for r, _ in rp],
                    pmax=[p for _, p in rp],
                    alt=[a for a, _ in alts],
                    alt_surprisal=[b for _, b in alts],
                    dropped=[*s[1:], math.nan] if s else [],
                )
            )
        return outs

    def _alt(self, target: int) -> tuple[int, float]:
        """Where ``target`` is watched, the cheapest other watched piece of its class (set
        and form: :meth:`~mtqa.lm.base.Scorer.watched_class`) and its cost."""
        watched, cls = self.watched(), self.watched_class()
        if target not in watched:
            return -1, 0.0
        cost, _, alt = min(
            (
                (self.cost(self._text[i]), self._text[i], i)
                for i in watched
                if i != target and cls[i] == cls[target]
            ),
            default=(0.0, "", -1),
        )
        return alt, cost
