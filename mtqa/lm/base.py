"""Scorer base class: windowing, length-sorted batching and order restoring.

A backend implements three small things (``encode``, ``forward``, ``prefix_ids``);
the base turns documents into windows, sorts them by length so batches pad
little, runs them, and scatters the token scores back in input order. Every
backend therefore gets the same long-document policy and the same batching.

First-token policy: every window starts with the backend's ``prefix_ids``
(SmolLM2: ``<|endoftext|>``; Gemma: one ``<bos>``), so the first word of a
document is scored given only that prefix. A long document is cut into windows
of ``window`` tokens; each window after the first re-reads ``overlap`` tokens
of the preceding text as context (scored in the earlier window, not again), so
no token is skipped and none is scored without context except the first.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

from mtqa.records import TokenScore


@dataclass(frozen=True)
class Encoding:
    """Token ids of a text, each with its character span ``(start, end)`` in the text."""

    ids: tuple[int, ...]
    offsets: tuple[tuple[int, int], ...]  # character span of each id in the text


@dataclass(frozen=True)
class Window:
    """One stretch of a document's ids as the model reads it: prefix, context, scored tokens."""

    doc: int  # index of the document in the input
    first: int  # index (into the document's ids) of the first token scored here
    ids: tuple[int, ...]  # prefix + context + scored tokens
    n_context: int  # tokens after the prefix that are context only


@dataclass(frozen=True)
class ForwardOutput:
    """For one sequence of n ids: n-1 surprisals/entropies (bits) predicting ids[1:]."""

    surprisal: Sequence[float]
    entropy: Sequence[float]


def make_windows(
    doc: int, n_ids: int, ids: Sequence[int], prefix: Sequence[int], window: int, overlap: int
) -> list[Window]:
    """Cut one document into windows; together they score each token exactly once."""
    room = window - len(prefix)
    if room <= overlap:
        raise ValueError("window too small for the prefix and overlap")
    out: list[Window] = []
    first = 0
    while first < n_ids or (first == 0 and n_ids == 0):
        ctx = 0 if first == 0 else min(overlap, first)
        last = min(n_ids, first + room - ctx)
        seq = tuple(prefix) + tuple(ids[first - ctx : last])
        out.append(Window(doc=doc, first=first, ids=seq, n_context=ctx))
        if last >= n_ids:
            break
        first = last
    return out


class Scorer(ABC):
    """Scores documents token by token. Subclasses are the only place a framework is used."""

    #: short preset name or path, used in signatures
    name: str = "scorer"
    window: int = 1024
    overlap: int = 256
    #: most padded tokens (rows x longest window) per forward; None: ``batch_size`` alone.
    #: On CPU, padding and masks cost more than batching gains once a window holds a few
    #: hundred tokens, so a backend can cap a batch by tokens rather than by rows.
    max_tokens: int | None = None

    @property
    @abstractmethod
    def prefix_ids(self) -> tuple[int, ...]:
        """Ids put before every window (the first-token policy)."""

    @abstractmethod
    def encode(self, text: str) -> Encoding:
        """Tokenise without special tokens, with character offsets into ``text``."""

    @abstractmethod
    def forward(self, batch: Sequence[Sequence[int]]) -> list[ForwardOutput]:
        """Run one batch of id sequences (any lengths); one output per sequence."""

    def signature(self) -> str:
        """``name`` plus whatever pins the weights and precision (the HF backend adds both)."""
        return self.name

    def _batches(self, ordered: list[Window], batch_size: int) -> Iterator[list[Window]]:
        """Consecutive batches of longest-first windows: at most ``batch_size`` rows and
        (when set) ``max_tokens`` padded tokens; a window longer than that goes alone."""
        batch: list[Window] = []
        for w in ordered:
            rows = len(batch) + 1
            longest = len(batch[0].ids) if batch else len(w.ids)
            over = self.max_tokens is not None and rows * longest > self.max_tokens
            if batch and (rows > batch_size or over):
                yield batch
                batch = []
            batch.append(w)
        if batch:
            yield batch

    def score(
        self,
        texts: Sequence[str],
        batch_size: int = 16,
        on_batch: Callable[[int], None] | None = None,
    ) -> list[tuple[TokenScore, ...]]:
        """Token scores for each text, in input order, whatever the batching."""
        encodings = [self.encode(t) for t in texts]
        windows: list[Window] = []
        for i, enc in enumerate(encodings):
            if enc.ids:
                windows.extend(
                    make_windows(
                        i, len(enc.ids), enc.ids, self.prefix_ids, self.window, self.overlap
                    )
                )
        # Longest first (COMET-style): batches of similar length pad little; the
        # results are scattered back by (doc, position), so order cannot leak.
        order = sorted(range(len(windows)), key=lambda k: (-len(windows[k].ids), k))
        surprisal: list[list[float]] = [[0.0] * len(e.ids) for e in encodings]
        entropy: list[list[float]] = [[0.0] * len(e.ids) for e in encodings]
        for chunk in self._batches([windows[k] for k in order], batch_size):
            outs = self.forward([w.ids for w in chunk])
            for w, out in zip(chunk, outs):
                skip = len(self.prefix_ids) - 1 + w.n_context  # predictions of prefix/context
                n_scored = len(w.ids) - len(self.prefix_ids) - w.n_context
                for j in range(n_scored):
                    surprisal[w.doc][w.first + j] = float(out.surprisal[skip + j])
                    entropy[w.doc][w.first + j] = float(out.entropy[skip + j])
            if on_batch is not None:
                on_batch(sum(len(w.ids) for w in chunk))
        return [
            tuple(
                TokenScore(start=s, end=e, surprisal=surprisal[i][k], entropy=entropy[i][k])
                for k, (s, e) in enumerate(enc.offsets)
            )
            for i, enc in enumerate(encodings)
        ]
