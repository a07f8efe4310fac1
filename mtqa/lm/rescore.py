"""Edit rescoring on the transformers backend: a shared prefix read once, variants batched.

:class:`PrefixCache` runs ``prefix_ids + context`` once with a KV cache
(``use_cache=True``); each batch of continuations then runs against a copy of that cache
expanded to the batch (``DynamicCache.batch_repeat_interleave``), so a variant costs only
its own tokens. Gemma 3's sliding-window layers keep the last ``sliding_window - 1``
tokens of the prefix (``DynamicSlidingWindowLayer``), exactly what a continuation token
can still see, and the masks are built by transformers from the cache's offsets: no
recomputation is needed beyond the window. The totals equal a full rescoring of
``prefix + context + variant`` within float noise (``tests/test_lm_gemma.py``: 1e-4 bits).

Continuations of a batch are right-padded (no mask needed: a real position never sees
the padding after it); the rows of a batch are capped so the expanded cache stays
bounded (:data:`CACHE_TOKENS`). :meth:`PrefixCache.extend` runs more ids into the cache
(a document walked sentence by sentence reads each token once, :mod:`mtqa.suggest`).
"""

from __future__ import annotations

import copy
import math
from collections.abc import Sequence
from typing import Any, Protocol

import torch
from transformers import DynamicCache

from mtqa.lm.base import Prefix, Scorer


class CachingScorer(Protocol):
    """What :class:`PrefixCache` needs of its scorer (:class:`mtqa.lm.hf.HFScorer`)."""

    name: str
    model: Any
    device: Any
    pad_id: int
    _decoder: Any
    _head: Any

    def _stats(
        self, rows: Any, targets: Any
    ) -> tuple[
        list[float],
        list[float],
        list[int],
        list[float],
        list[int],
        list[float],
        list[int],
        list[float],
    ]: ...

    def _logits(self, rows: Any) -> Any: ...

    def _surprisal(self, rows: Any, targets: Any) -> list[float]: ...

    def _top_words(self, rows: Any, k: int, fixed: int | None = None) -> list[list[int]]: ...


#: most cached + new tokens over the rows of one batch of continuations
CACHE_TOKENS = 16384
_LN2 = math.log(2.0)


class PrefixCache(Prefix):
    """``prefix_ids + context`` run once; continuations scored against its KV cache."""

    def __init__(self, scorer: CachingScorer, context: Sequence[int]) -> None:
        assert isinstance(scorer, Scorer)
        super().__init__(scorer, context)
        if scorer._decoder is None or scorer._head is None:
            raise ValueError(f"{scorer.name}: prefix caching needs a decoder and output layer")
        self.lm: CachingScorer = scorer
        self.decoder = scorer._decoder
        ids = self.ids
        self.length = len(ids)
        self.cache = DynamicCache(config=scorer.model.config)
        with torch.inference_mode():
            out = self.decoder(
                input_ids=torch.tensor([ids], device=scorer.device),
                cache=self.cache,
                use_cache=True,
            )
            self.last = out.last_hidden_state[0, -1:]  # predicts the first continuation token

    def extend(self, ids: Sequence[int]) -> None:
        """Run ``ids`` into the cache (one pass, positions after the prefix): later
        continuations are read after them."""
        new = [int(i) for i in ids]
        if not new:
            return
        dev = self.lm.device
        with torch.inference_mode():
            pos = (self.length + torch.arange(len(new))).unsqueeze(0)
            hidden = self.decoder(
                input_ids=torch.tensor([new], device=dev),
                position_ids=pos.to(dev),
                cache=self.cache,
                use_cache=True,
            ).last_hidden_state[0]
            self.last = hidden[-1:]
        self.length += len(new)
        self.ids.extend(new)

    def _hidden(self, seqs: Sequence[Sequence[int]]) -> list[torch.Tensor]:
        """For each continuation of n ids, the n hidden rows that predict them."""
        rows = len(seqs)
        width = max(len(s) for s in seqs)
        ids = torch.full((rows, width), self.lm.pad_id, dtype=torch.long)
        for b, seq in enumerate(seqs):
            ids[b, : len(seq)] = torch.tensor([int(i) for i in seq], dtype=torch.long)
        dev = self.lm.device
        pos = (self.length + torch.arange(width)).expand(rows, width)
        cache = copy.deepcopy(self.cache)
        if rows > 1:
            cache.batch_repeat_interleave(rows)
        hidden = self.decoder(
            input_ids=ids.to(dev), position_ids=pos.to(dev), cache=cache, use_cache=True
        ).last_hidden_state
        return [torch.cat([self.last, hidden[b, : len(seq) - 1]]) for b, seq in enumerate(seqs)]

    def _batches(self, seqs: Sequence[Sequence[int]]) -> list[list[int]]:
        """Indices of ``seqs`` in batches whose expanded cache stays within the budget."""
        order = sorted(range(len(seqs)), key=lambda k: (-len(seqs[k]), k))
        out: list[list[int]] = []
        for k in order:
            if not seqs[k]:
                continue
            if out and (len(out[-1]) + 1) * (self.length + len(seqs[out[-1][0]])) <= CACHE_TOKENS:
                out[-1].append(k)
            else:
                out.append([k])
        return out

    def totals(self, variants: Sequence[Sequence[int]]) -> list[float]:
        """Total surprisal (bits) of each variant's ids, read after the prefix."""
        totals = [0.0] * len(variants)
        with torch.inference_mode():
            for group in self._batches(variants):
                seqs = [variants[k] for k in group]
                hidden = self._hidden(seqs)
                rows = torch.cat(hidden)
                targets = torch.tensor(
                    [int(i) for s in seqs for i in s], dtype=torch.long, device=self.lm.device
                )
                bits = self.lm._surprisal(rows, targets)
                at = 0
                for k, seq in zip(group, seqs):
                    totals[k] = math.fsum(bits[at : at + len(seq)])
                    at += len(seq)
        return totals

    def _rows_at(self, continuation: Sequence[int], positions: Sequence[int]) -> torch.Tensor:
        """The hidden rows predicting ``continuation[p]`` for each ``p`` (one pass; none
        when every ``p`` is 0: the prefix's last state predicts there)."""
        n = len(continuation)
        if any(not 0 <= p <= n for p in positions):
            raise ValueError(f"positions must lie in 0..{n}")
        if all(p == 0 for p in positions):
            return self.last.expand(len(positions), -1)
        seq = list(continuation) + [self.lm.pad_id]  # position n: after the last token
        return self._hidden([seq])[0][list(positions)]

    def word_topk(
        self, continuation: Sequence[int], positions: Sequence[int], k: int
    ) -> list[list[int]]:
        """The ``k`` likeliest whole-word tokens before ``continuation[p]`` for each ``p``,
        likeliest first: the output layer's word rows only (``HFScorer._word_head``), so a
        position costs a sixth of a full output row."""
        with torch.inference_mode():
            return self.lm._top_words(self._rows_at(continuation, positions), k)

    def topk(
        self, continuation: Sequence[int], positions: Sequence[int], k: int
    ) -> list[list[tuple[int, float]]]:
        """The ``k`` likeliest next tokens (id, probability) before ``continuation[p]`` for
        each ``p`` of ``positions`` (0: right after the prefix), from one pass (none when
        every ``p`` is 0: the prefix's last state predicts there)."""
        with torch.inference_mode():
            rows = self._rows_at(continuation, positions)
            probs = torch.softmax(self.lm._logits(rows), dim=-1)
            top = torch.topk(probs, k, dim=-1)
            return [
                list(zip(map(int, i), map(float, p), strict=True))
                for i, p in zip(top.indices.tolist(), top.values.tolist(), strict=True)
            ]
