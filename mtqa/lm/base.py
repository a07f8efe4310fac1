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

import math
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, replace

from mtqa.lm.nfc import map_offsets, nfc_map
from mtqa.records import TokenScore

#: sequences per :meth:`Scorer.forward` call when rescoring (:meth:`Scorer.forward_rows`)
RESCORE_ROWS = 16
#: the confusion set a scorer watches (:meth:`Scorer.watched`): where the token read is one
#: of these words, the forward also reports the likeliest other one there (the
#: preposition check, :mod:`mtqa.confusion`; Tetreault and Chodorow, COLING 2008)
PREPOSITIONS = ("of", "to", "in", "on", "for", "at", "with", "by", "from", "about", "into")
#: words that agree in number with their subject or noun, in pairs, also watched: where the
#: token read is one of a pair, the forward reports the other one there (the agreement
#: check, :mod:`mtqa.confusion`)
AGREEMENT_PAIRS = (
    ("is", "are"),
    ("was", "were"),
    ("has", "have"),
    ("does", "do"),
    ("this", "these"),
    ("its", "their"),
)
#: where the LM gave its first choice at least this probability and read another token, the
#: scores name that choice (:attr:`~mtqa.records.TokenScore.expected`: what it expected
#: there; the missing-word check, :mod:`mtqa.confusion`)
EXPECT_PMAX = 0.5


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
    ``alt``: where the actual token is one of :meth:`Scorer.watched`, the id of the
    likeliest other one there (-1 elsewhere), ``alt_surprisal`` its surprisal (bits); a
    backend that leaves them empty reports none. ``top``: the id of the likeliest token at
    each row (its probability is ``pmax``; empty: unknown). ``dropped``: the surprisal
    (bits) of the *next* row's target read in this row's place, as if this row's target
    were deleted (the extra-word check, :mod:`mtqa.confusion`); NaN at a sequence's last
    row (no next token), empty: unknown.
    """

    surprisal: Sequence[float]
    entropy: Sequence[float]
    rank: Sequence[int] = ()
    pmax: Sequence[float] = ()
    alt: Sequence[int] = ()
    alt_surprisal: Sequence[float] = ()
    top: Sequence[int] = ()
    dropped: Sequence[float] = ()


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


def first_fit(lengths: Sequence[int], capacity: int) -> list[list[int]]:
    """Indices of ``lengths`` grouped first-fit decreasing into bins of ``capacity``."""
    bins: list[list[int]] = []
    free: list[int] = []
    for i in sorted(range(len(lengths)), key=lambda k: (-lengths[k], k)):
        for b, room in enumerate(free):
            if room >= lengths[i]:
                bins[b].append(i)
                free[b] -= lengths[i]
                break
        else:
            bins.append([i])
            free.append(capacity - lengths[i])
    return bins


class Prefix:
    """``prefix_ids + context`` of a scorer, and continuations scored after it: the
    interface of :meth:`Scorer.prefix_cache`. This base version reruns the whole sequence
    for each continuation (exact; what the fake scorer uses)."""

    def __init__(self, scorer: Scorer, context: Sequence[int]) -> None:
        self.scorer = scorer
        self.ids = list(scorer.prefix_ids) + [int(i) for i in context]

    def totals(self, variants: Sequence[Sequence[int]]) -> list[float]:
        """Total surprisal (bits) of each variant's ids after the prefix."""
        live = [k for k, v in enumerate(variants) if v]
        outs = self.scorer.forward_rows([self.ids + [int(i) for i in variants[k]] for k in live])
        totals = [0.0] * len(variants)
        for k, out in zip(live, outs):
            totals[k] = math.fsum(out.surprisal[len(self.ids) - 1 :])
        return totals

    def extend(self, ids: Sequence[int]) -> None:
        """Append ``ids`` to the prefix: later continuations are read after them. Here the
        prefix is reread each time; the transformers backend runs them into its KV cache
        once (a document walked sentence by sentence, :mod:`mtqa.suggest`)."""
        self.ids.extend(int(i) for i in ids)

    def word_topk(
        self, continuation: Sequence[int], positions: Sequence[int], k: int
    ) -> list[list[int]]:
        """The likeliest whole-word tokens (letters, at most a leading space) before
        ``continuation[p]`` for each ``p``, likeliest first: here the words among the
        :meth:`topk` ``k``; the transformers backend ranks its word tokens alone."""
        return [
            [i for i, _ in cands if (t := self.scorer.token_text([i]))[t[:1] == " " :].isalpha()]
            for cands in self.topk(continuation, positions, k)
        ]

    def topk(
        self, continuation: Sequence[int], positions: Sequence[int], k: int
    ) -> list[list[tuple[int, float]]]:
        """The ``k`` likeliest tokens before ``continuation[p]`` for each ``p``."""
        seq = self.ids + [int(i) for i in continuation]
        if any(not 0 <= p <= len(continuation) for p in positions):
            raise ValueError(f"positions must lie in 0..{len(continuation)}")
        return [self.scorer.next_tokens(seq[: len(self.ids) + p], k) for p in positions]


class _Scores:
    """One document's token statistics, filled window by window (:meth:`Scorer.score`)."""

    def __init__(self, n: int) -> None:
        self.surprisal, self.entropy = [0.0] * n, [0.0] * n
        self.rank, self.pmax = [0] * n, [0.0] * n
        self.alt: dict[int, tuple[int, float]] = {}  # token: (watched id, bits)
        self.top: dict[int, int] = {}  # token: the LM's sure first choice (EXPECT_PMAX)
        self.dropped: dict[int, float] = {}  # token: the next token's bits in its place

    def take(self, first: int, out: ForwardOutput, skip: int, n: int) -> None:
        """The ``n`` tokens from ``first`` on, from ``out``'s rows ``skip`` on."""
        for j in range(n):
            self.surprisal[first + j] = float(out.surprisal[skip + j])
            self.entropy[first + j] = float(out.entropy[skip + j])
        if out.rank:
            self.rank[first : first + n] = [int(x) for x in out.rank[skip : skip + n]]
        if out.pmax:
            self.pmax[first : first + n] = [float(x) for x in out.pmax[skip : skip + n]]
        for j in range(n) if out.alt else ():
            if int(out.alt[skip + j]) >= 0:
                self.alt[first + j] = (int(out.alt[skip + j]), float(out.alt_surprisal[skip + j]))
        for j in range(n) if out.top and out.pmax and out.rank else ():
            if float(out.pmax[skip + j]) >= EXPECT_PMAX and int(out.rank[skip + j]) > 0:
                self.top[first + j] = int(out.top[skip + j])
        for j in range(n) if out.dropped else ():
            if math.isfinite(d := float(out.dropped[skip + j])):
                self.dropped[first + j] = d

    def tokens(
        self,
        offsets: Sequence[tuple[int, int]],
        words: dict[int, str],
        decode: Callable[[int], str],
    ) -> tuple[TokenScore, ...]:
        """The :class:`TokenScore` of each token (``words``: the watched ids' words;
        ``decode``: a token id's text, for :attr:`TokenScore.expected`)."""
        s, h, r, p = self.surprisal, self.entropy, self.rank, self.pmax
        toks = [TokenScore(a, b, s[k], h[k], r[k], p[k]) for k, (a, b) in enumerate(offsets)]
        for k, (alt, bits) in self.alt.items():
            if alt in words:
                toks[k] = replace(toks[k], alt=words[alt], alt_surprisal=bits)
        for k, top in self.top.items():
            toks[k] = replace(toks[k], expected=decode(top))
        for k, d in self.dropped.items():
            toks[k] = replace(toks[k], dropped=d)
        return tuple(toks)


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
    #: tokens per packed pass (:mod:`mtqa.lm.packed`), or None. Packed: a window longer
    #: than ``alone_above`` runs alone, in a pass of its own length; the shorter ones share
    #: passes of exactly ``pack_tokens`` tokens, each attending only to itself. Every pass
    #: shape is then a function of the window alone, so a window's numbers never depend on
    #: the batch size, the input order or the other documents (a BLAS picks its kernel by
    #: matrix size). None: length-sorted padded batches (``batch_size``, ``max_tokens``).
    pack_tokens: int | None = None
    #: windows longer than this run alone (None: every window is packed)
    alone_above: int | None = None

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

    def encode_text(self, text: str) -> Encoding:
        """The ids the model reads for ``text`` (its NFC form, :mod:`mtqa.lm.nfc`), with
        offsets into ``text`` as given: what :meth:`score` scores."""
        m = nfc_map(text)
        if m is None:
            return self.encode(text)
        enc = self.encode(m[0])
        return Encoding(enc.ids, map_offsets(enc.offsets, m[1], m[2], len(text)))

    def token_text(self, ids: Sequence[int]) -> str:
        """The text of token ids (for showing a candidate)."""
        raise NotImplementedError(f"{self.name}: token_text")

    def watched(self) -> dict[int, str]:
        """The :data:`PREPOSITIONS` and the words of :data:`AGREEMENT_PAIRS` that are one
        token: ``{id: word}`` (the forward's ``alt``), each in two forms where the tokenizer
        has them: after a space (" of") and bare ("of": after a line break, a bracket, a
        quote, a dash, a no-break space). An alternative is always of its token's form and
        set (:meth:`watched_class`: another preposition, or the other word of the pair).
        Computed once per scorer."""
        got = getattr(self, "_watched", None)
        if got is None:
            got, classes = {}, {}
            sets = (PREPOSITIONS, *AGREEMENT_PAIRS)
            for k, words in enumerate(sets):
                for w in words:
                    for form in (f" {w}", w):
                        ids = self.encode(form).ids
                        if len(ids) == 1 and ids[0] not in got:
                            got[ids[0]] = w
                            classes[ids[0]] = 2 * k + (form != w)
            self._watched: dict[int, str] = got
            self._classes: dict[int, int] = classes
        return got

    def watched_class(self) -> dict[int, int]:
        """The class of each id of :meth:`watched`: its set (the prepositions, or one
        agreement pair) and its form (after a space or bare), as one number (odd: after a
        space); a forward's ``alt`` is always of the target's class."""
        self.watched()
        return self._classes

    def next_tokens(self, ids: Sequence[int], k: int) -> list[tuple[int, float]]:
        """The ``k`` likeliest tokens (id, probability) after ``ids`` (prefix included)."""
        raise NotImplementedError(f"{self.name}: next_tokens")

    # -- edit rescoring (issue 11)

    def prefix_cache(self, context: Sequence[int]) -> Prefix:
        """``prefix_ids + context`` prepared once, to score many continuations after it
        (:class:`Prefix`). The base rereads the prefix for each; the transformers backend
        reuses its KV cache (:mod:`mtqa.lm.rescore`)."""
        return Prefix(self, context)

    def rescore(self, context: Sequence[int], variants: Sequence[Sequence[int]]) -> list[float]:
        """Total surprisal (bits) of each variant's ids read after ``prefix_ids + context``:
        an edited sentence (plus, if wanted, the rest of the window) against the same
        document context. Variants sharing more than the context can share it: put the
        common start in ``context``."""
        return self.prefix_cache(context).totals(variants)

    def topk(
        self, context: Sequence[int], continuation: Sequence[int], positions: Sequence[int], k: int
    ) -> list[list[tuple[int, float]]]:
        """The ``k`` likeliest next tokens (id, probability) before ``continuation[p]`` for
        each ``p`` of ``positions``, ``continuation`` read after ``prefix_ids + context``
        (``p == len(continuation)``: after its end). One pass for all positions."""
        return self.prefix_cache(context).topk(continuation, positions, k)

    def word_candidates(self, seqs: Sequence[Sequence[int]], k: int) -> list[list[int]]:
        """For each id sequence (``prefix_ids`` first), the likeliest whole-word tokens to
        come next, likeliest first (:meth:`Prefix.word_topk`). Here one prefix at a time;
        the transformers backend runs them all in shared packed passes."""
        n0 = len(self.prefix_ids)
        return [self.prefix_cache(list(s[n0:])).word_topk([], [0], k)[0] for s in seqs]

    def suffix_totals(self, items: Sequence[tuple[Sequence[int], int]]) -> list[float]:
        """For each ``(ids, start)`` (``prefix_ids`` first, ``start >= 1``): the total
        surprisal (bits) of ``ids[start:]`` read after ``ids[:start]``. One batch for all
        (sequences of different documents never see each other); a sentence's edited
        variants with no document context before them are scored this way."""
        outs = self.forward_rows([list(ids) for ids, _ in items])
        return [math.fsum(o.surprisal[start - 1 :]) for o, (_, start) in zip(outs, items)]

    def forward_rows(self, seqs: Sequence[Sequence[int]]) -> list[ForwardOutput]:
        """:meth:`forward` over ``seqs`` in consecutive groups of at most
        :data:`RESCORE_ROWS`: the variants of a whole batch of documents can number
        thousands, and a backend that pads one batch (and, unsplit, holds its whole
        logits: 64 GB for 1,500 variants of 40 tokens with Gemma 3's 262k vocabulary)
        must not get them at once."""
        return [
            out
            for k in range(0, len(seqs), RESCORE_ROWS)
            for out in self.forward(seqs[k : k + RESCORE_ROWS])
        ]

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
        """The forward passes, ``(windows, shape)``.

        Packed (:attr:`pack_tokens`): each window longer than :attr:`alone_above` in a
        pass ``(1, its length)``, the others first-fit decreasing into passes
        ``(1, pack_tokens)`` (``batch_size`` plays no part). Otherwise shape None:
        length-sorted batches of at most ``batch_size`` rows and ``max_tokens`` padded
        tokens.
        """
        if self.pack_tokens is None:
            order = sorted(range(len(windows)), key=lambda k: (-len(windows[k].ids), k))
            for batch in self._batches([windows[k] for k in order], batch_size):
                yield batch, None
            return
        alone, packed = self.split_alone([len(w.ids) for w in windows])
        for k in alone:
            yield [windows[k]], (1, len(windows[k].ids))
        for group in first_fit([len(windows[k].ids) for k in packed], self.pack_tokens):
            yield [windows[packed[k]] for k in group], (1, self.pack_tokens)

    def split_alone(self, lengths: Sequence[int]) -> tuple[list[int], list[int]]:
        """Indices of the sequences that run alone (longest first) and of those packed."""
        limit = self.alone_above
        if self.pack_tokens is not None:
            limit = self.pack_tokens if limit is None else min(limit, self.pack_tokens)
        alone = [k for k, n in enumerate(lengths) if limit is not None and n > limit]
        alone.sort(key=lambda k: (-lengths[k], k))
        taken = set(alone)
        return alone, [k for k in range(len(lengths)) if k not in taken]

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
        encodings = [self.encode_text(t) for t in texts]
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
        docs = [_Scores(len(e.ids)) for e in encodings]
        for chunk, outs in self.run(self.plan(windows, batch_size)):
            for w, out in zip(chunk, outs):
                skip = len(self.prefix_ids) - 1 + w.n_context  # predictions of prefix/context
                docs[w.doc].take(w.first, out, skip, len(w.ids) - skip - 1)
            if on_batch is not None:
                on_batch(sum(len(w.ids) for w in chunk))
        words = self.watched() if any(d.alt for d in docs) else {}
        pieces: dict[int, str] = {}

        def decode(i: int) -> str:
            if i not in pieces:
                pieces[i] = self.token_text([i])
            return pieces[i]

        return [d.tokens(e.offsets, words, decode) for d, e in zip(docs, encodings)]
