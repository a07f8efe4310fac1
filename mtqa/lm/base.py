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
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass

from mtqa.lm.nfc import map_offsets, nfc_map
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
    """For one sequence of n ids: n-1 values predicting ids[1:].

    Surprisal and entropy in bits; ``rank`` (vocabulary entries with a strictly higher
    logit than the actual token) and ``pmax`` (probability of the most likely token) as in
    :class:`~mtqa.records.TokenScore`; a backend that leaves them empty gets 0 there.
    """

    surprisal: Sequence[float]
    entropy: Sequence[float]
    rank: Sequence[int] = ()
    pmax: Sequence[float] = ()


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


#: widths a short window is padded to (right padding: a causal model's real positions
#: never see it), so windows of nearby lengths share a shape; steps of 1/4 to 1/8
_WIDTH_STEPS = ((64, 8), (128, 16), (256, 32), (512, 64))


def window_shape(n: int, budget: int) -> tuple[int, int]:
    """``(rows, width)`` of the forward pass a window of ``n`` ids runs in, a function of
    ``n`` alone: a window longer than half the ``budget`` (tokens per pass) runs alone and
    unpadded; a shorter one is padded to the next width of :data:`_WIDTH_STEPS` and shares
    the pass with ``budget // width`` windows of that width (or pad rows)."""
    if n > budget // 2:
        return 1, n
    width = n
    for limit, step in _WIDTH_STEPS:
        if n <= limit:
            width = -(-n // step) * step
            break
    width = max(1, min(width, budget // 2))
    return max(1, budget // width), width


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
    #: True: every window runs in the forward shape :func:`window_shape` gives its length
    #: (``max_tokens`` is then the tokens per pass), so a backend whose numbers depend on
    #: the shape of the pass (a BLAS picks its kernel by matrix size) gives each window the
    #: same numbers whatever the batch size, the input order or the other documents.
    fixed_shapes: bool = False

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

    def plan(
        self, windows: Sequence[Window], batch_size: int
    ) -> Iterator[tuple[list[Window], tuple[int, int] | None]]:
        """The forward passes: ``(windows, shape)``; ``shape`` is ``(rows, width)`` with
        :attr:`fixed_shapes` (every pass of a shape full, the last one topped up by the
        backend with pad rows; ``batch_size`` plays no part), else None (length-sorted
        batches of at most ``batch_size`` rows and ``max_tokens`` padded tokens)."""
        if not self.fixed_shapes:
            order = sorted(range(len(windows)), key=lambda k: (-len(windows[k].ids), k))
            for batch in self._batches([windows[k] for k in order], batch_size):
                yield batch, None
            return
        budget = self.max_tokens or self.window
        groups: dict[tuple[int, int], list[Window]] = {}
        for w in windows:
            groups.setdefault(window_shape(len(w.ids), budget), []).append(w)
        for shape in sorted(groups, key=lambda sh: (-sh[1], sh[0])):
            group = groups[shape]
            for a in range(0, len(group), shape[0]):
                yield group[a : a + shape[0]], shape

    def run(
        self, plan: Iterable[tuple[list[Window], tuple[int, int] | None]]
    ) -> Iterator[tuple[list[Window], list[ForwardOutput]]]:
        """Run the passes of a :meth:`plan`: each pass's windows with their outputs (a
        backend may pipeline passes, e.g. the output layer over rows of several)."""
        for batch, _shape in plan:
            yield batch, self.forward([w.ids for w in batch])

    def score(
        self,
        texts: Sequence[str],
        batch_size: int = 16,
        on_batch: Callable[[int], None] | None = None,
    ) -> list[tuple[TokenScore, ...]]:
        """Token scores for each text, in input order, whatever the batching.

        The model reads each text in NFC (:mod:`mtqa.lm.nfc`: a decomposed accent is not a
        token of its own); the offsets point into the text as given.
        """
        maps = [nfc_map(t) for t in texts]
        encodings = [self.encode(t if m is None else m[0]) for t, m in zip(texts, maps)]
        windows: list[Window] = []
        for i, enc in enumerate(encodings):
            if enc.ids:
                windows.extend(
                    make_windows(
                        i, len(enc.ids), enc.ids, self.prefix_ids, self.window, self.overlap
                    )
                )
        # Longest first (COMET-style) or by fixed shape (:meth:`plan`); the results are
        # scattered back by (doc, position), so order cannot leak.
        surprisal: list[list[float]] = [[0.0] * len(e.ids) for e in encodings]
        entropy: list[list[float]] = [[0.0] * len(e.ids) for e in encodings]
        rank: list[list[int]] = [[0] * len(e.ids) for e in encodings]
        pmax: list[list[float]] = [[0.0] * len(e.ids) for e in encodings]
        for chunk, outs in self.run(self.plan(windows, batch_size)):
            for w, out in zip(chunk, outs):
                skip = len(self.prefix_ids) - 1 + w.n_context  # predictions of prefix/context
                n_scored = len(w.ids) - len(self.prefix_ids) - w.n_context
                for j in range(n_scored):
                    surprisal[w.doc][w.first + j] = float(out.surprisal[skip + j])
                    entropy[w.doc][w.first + j] = float(out.entropy[skip + j])
                if out.rank:
                    rank[w.doc][w.first : w.first + n_scored] = [
                        int(x) for x in out.rank[skip : skip + n_scored]
                    ]
                if out.pmax:
                    pmax[w.doc][w.first : w.first + n_scored] = [
                        float(x) for x in out.pmax[skip : skip + n_scored]
                    ]
            if on_batch is not None:
                on_batch(sum(len(w.ids) for w in chunk))
        results = []
        for i, (enc, m) in enumerate(zip(encodings, maps)):
            offsets = (
                enc.offsets if m is None else map_offsets(enc.offsets, m[1], m[2], len(texts[i]))
            )
            s_i, h_i, r_i, p_i = surprisal[i], entropy[i], rank[i], pmax[i]
            results.append(
                tuple(
                    TokenScore(
                        start=s, end=e, surprisal=s_i[k], entropy=h_i[k], rank=r_i[k], pmax=p_i[k]
                    )
                    for k, (s, e) in enumerate(offsets)
                )
            )
        return results
