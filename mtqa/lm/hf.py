"""Transformers backend: the scorer that runs a causal LM (torch lives here and in
:mod:`mtqa.lm.weights` only).

Importing this module imports torch and transformers but changes nothing else in the
process: hub-offline variables and transformers' logging level are set only while a
model loads (:func:`mtqa.lm.weights.offline`).
"""

from __future__ import annotations

import math
import os
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import torch

from mtqa.errors import ModelError
from mtqa.lm.base import Encoding, ForwardOutput, Scorer, first_fit
from mtqa.lm.device import pick_device, resolve_dtype
from mtqa.lm.head import BLOCK, head_stats, row_logits
from mtqa.lm.presets import DEFAULT_MODEL, ModelSpec, locate, resolve
from mtqa.lm.weights import load_folder_checked, load_gguf_cached, offline

if TYPE_CHECKING:
    from mtqa.lm.rescore import PrefixCache

_LN2 = math.log(2.0)
_DTYPES = {"float32": torch.float32, "bfloat16": torch.bfloat16}
_MAX_LOGIT_ELEMENTS = 1 << 25  # rows * vocab per logit chunk (128 MiB in fp32)
_CPU_ROWS = 256  # logit rows per chunk on CPU: as fast as 682, 1/4 of the temporaries
_CPU_PACK = 512  # tokens per packed forward pass on CPU (Scorer.pack_tokens)
_GPU_PACK = 8192  # the same on a GPU
_FIXED_ROWS = 64  # output-layer rows per product in word_candidates / suffix_totals
#: per row: surprisal, entropy (bits), rank, pmax, alt, alt bits, top (the likeliest id),
#: dropped (bits: the next row's target in this row's place)
_Stats = tuple[
    list[float], list[float], list[int], list[float], list[int], list[float], list[int], list[float]
]


class HFScorer(Scorer):
    """Causal-LM scorer on transformers (GGUF presets, .gguf paths, local folders)."""

    def __init__(
        self,
        model,
        tokenizer,
        prefix_ids: Sequence[int],
        name: str,
        digest: str,
        window: int = 1024,
        overlap: int = 256,
    ) -> None:
        self.model = model
        self.tokenizer = tokenizer
        self._prefix = tuple(int(i) for i in prefix_ids)
        self.name = name
        self.digest = digest
        self.window = window
        self.overlap = overlap
        self.device = next(model.parameters()).device
        self.dtype = next(model.parameters()).dtype
        pad = tokenizer.pad_token_id
        self.pad_id = int(pad if pad is not None else self._prefix[0] if self._prefix else 0)
        self._decoder = getattr(model, getattr(model, "base_model_prefix", "model"), None)
        self._head = model.get_output_embeddings()
        self._softcap = getattr(model.config, "final_logit_softcapping", None)
        self._words: tuple[torch.Tensor, torch.Tensor] | None = None  # _word_head()
        vocab = int(self._head.weight.shape[0]) if self._head is not None else 1 << 18
        cpu = self.device.type == "cpu"
        # logit rows per slab: bounded fp32 temporaries whatever the vocabulary (Gemma:
        # 262k); the output layer runs in blocks of mtqa.lm.head.BLOCK words
        self._split = self._decoder is not None and self._head is not None
        width = min(vocab, BLOCK) if self._split else vocab
        self._rows = max(1, min(_CPU_ROWS if cpu else 2048, _MAX_LOGIT_ELEMENTS // width))
        # Packed passes of a fixed length (mtqa.lm.packed): a window's numbers never depend
        # on the batch size, the input order or the other documents. A GPU packs wider.
        self.pack_tokens = _CPU_PACK if cpu else _GPU_PACK
        # CPU: a window of more than 128 tokens fills the matmuls alone (and a pass of its
        # own length wastes nothing); shorter ones share passes of 512. A GPU packs all.
        self.alone_above = _CPU_PACK // 4 if cpu else None
        if self._decoder is not None and self._head is not None:
            from mtqa.lm import packed

            packed.register()
            model.config._attn_implementation = packed.NAME

    @classmethod
    def load(
        cls,
        model: str = DEFAULT_MODEL,
        dtype: str = "auto",
        device: str = "auto",
        window: int = 1024,
        overlap: int = 256,
    ) -> HFScorer:
        """Load a preset, ``.gguf`` file or transformers folder onto ``device`` in ``dtype``
        (``auto``: :func:`~mtqa.lm.device.resolve_dtype`).

        ``MTQA_THREADS`` sets torch's threads. Raises :class:`~mtqa.errors.ModelError` for
        a bad name, dtype or device, a missing package or an unreadable model.
        """
        threads = os.environ.get("MTQA_THREADS")
        if threads:
            try:
                torch.set_num_threads(max(1, int(threads)))
            except ValueError as e:
                raise ModelError(f"MTQA_THREADS={threads!r}: must be a whole number") from e
        dev = torch.device(pick_device(device))
        tdtype = _DTYPES[resolve_dtype(dtype, dev.type)]  # auto: bf16 where native
        spec = locate(resolve(model))
        with offline():
            if spec.kind == "gguf":
                tok, lm, digest = load_gguf_cached(spec, tdtype)
            else:
                tok, lm, digest = load_folder_checked(Path(spec.path), tdtype)
        if not getattr(tok, "is_fast", False):
            raise ModelError(f"{model}: a fast tokenizer is needed (for character offsets)")
        lm = lm.to(dev).eval()
        prefix = _prefix_ids(tok, spec)
        return cls(lm, tok, prefix, spec.name, digest, window=window, overlap=overlap)

    # -- Scorer API

    @property
    def prefix_ids(self) -> tuple[int, ...]:
        """The first-token policy's ids (one ``<|endoftext|>`` or one ``<bos>``)."""
        return self._prefix

    def signature(self) -> str:
        """``name@sha256:<12 hex>/<dtype>``: the weights and the precision they ran in;
        bf16 on a CPU adds ``+t<threads>``: oneDNN's bf16 products split their sums by
        thread for some shapes, and a last-bit difference in one layer grows to ~1% in
        perplexity (measured: 1 vs 2 threads), so the thread count is part of the numbers.
        fp32 results do not depend on it (measured)."""
        sig = f"{self.name}@sha256:{self.digest[:12]}/{_dtype_name(self.dtype)}"
        if self.dtype == torch.bfloat16 and self.device.type == "cpu":
            sig += f"+t{torch.get_num_threads()}"
        return sig

    def token_text(self, ids: Sequence[int]) -> str:
        """The tokenizer's text for ``ids``."""
        return str(self.tokenizer.decode(list(ids)))

    def next_tokens(self, ids: Sequence[int], k: int) -> list[tuple[int, float]]:
        """The ``k`` likeliest tokens (id, probability) after ``ids`` (one pass)."""
        return self.prefix_cache(ids[len(self._prefix) :]).topk([], [0], k)[0]

    def prefix_cache(self, context: Sequence[int]) -> PrefixCache:
        """``prefix_ids + context`` run once with a KV cache (:mod:`mtqa.lm.rescore`)."""
        from mtqa.lm.rescore import PrefixCache

        return PrefixCache(self, context)

    def encode(self, text: str) -> Encoding:
        """Fast-tokenizer ids, no special tokens; offsets clamped into ``text``, non-decreasing."""
        enc = self.tokenizer(
            text,
            add_special_tokens=False,
            return_offsets_mapping=True,
            return_attention_mask=False,
            split_special_tokens=True,  # "<bos>" in a text is text, not a control token
        )
        ids = tuple(int(i) for i in enc["input_ids"])
        n = len(text)
        offsets: list[tuple[int, int]] = []
        prev = 0
        for s, e in enc["offset_mapping"]:
            s = min(max(int(s), prev), n)  # clamp: in range and non-decreasing
            e = min(max(int(e), s), n)
            offsets.append((s, e))
            prev = s
        return Encoding(ids, tuple(offsets))

    def forward(self, batch: Sequence[Sequence[int]]) -> list[ForwardOutput]:
        """Surprisal, entropy (bits), rank and pmax of every next token of each sequence.

        Packed (:attr:`pack_tokens`, the default): a sequence longer than
        :attr:`alone_above` runs alone, the others share passes of exactly ``pack_tokens``
        tokens (:mod:`mtqa.lm.packed`); each pass goes through the output layer whole, in
        slabs of ``self._rows`` rows. Every matrix product has a shape fixed by the
        sequence alone, and a sequence's numbers depend on nothing but its ids, whatever
        else shares its passes. Otherwise one batch right-padded to its longest sequence.
        The fp32 logit temporaries stay bounded (one slab).
        """
        if not batch:
            return []
        if not self._packs():
            return self._padded(batch)
        outs: dict[int, ForwardOutput] = {}
        for group, ids, segments, hidden in self._run_passes(batch):
            with torch.inference_mode():
                targets = torch.cat([ids[0, 1:], ids.new_zeros(1)])  # the last one: unused
                stats = self._stats(hidden[0], targets)
            for i, (start, n) in zip(group, segments):
                outs[i] = _cut(stats, start, start + n - 1)
        return [outs[i] for i in range(len(batch))]

    def _packed_hidden(self, seqs: Sequence[Sequence[int]]) -> list[torch.Tensor]:
        """Each sequence's last hidden states (n x hidden), from packed passes planned as
        :meth:`forward` plans them (a sequence's numbers depend on its ids alone)."""
        out: dict[int, torch.Tensor] = {}
        for group, _, segments, hidden in self._run_passes(seqs):
            for i, (start, n) in zip(group, segments):
                out[i] = hidden[0, start : start + n]
        return [out[i] for i in range(len(seqs))]

    def _run_passes(
        self, seqs: Sequence[Sequence[int]]
    ) -> Iterator[tuple[list[int], torch.Tensor, tuple[tuple[int, int], ...], torch.Tensor]]:
        """The packed passes of ``seqs`` (:meth:`_passes`), run: for each, the indices of
        its sequences, its ids (1 x length), their (start, length) in it and the decoder's
        hidden states (1 x length x hidden)."""
        from mtqa.lm.packed import pack, run_packed

        decoder = self._decoder
        assert decoder is not None
        for group, length in self._passes([len(seq) for seq in seqs]):
            ids, pos, segments = pack([seqs[i] for i in group], length, self.pad_id)
            ids, pos = ids.to(self.device), pos.to(self.device)
            with torch.inference_mode():
                hidden = run_packed(decoder, ids, pos, segments)
            yield group, ids, segments, hidden

    def _packs(self) -> bool:
        """Whether passes are packed (:mod:`mtqa.lm.packed`): a packing length and a model
        split into decoder and output layer."""
        return self.pack_tokens is not None and self._split

    def _passes(self, lengths: Sequence[int]) -> list[tuple[list[int], int]]:
        """The packed passes for sequences of these ``lengths``: (indices, pass length).
        A sequence longer than :attr:`alone_above` runs alone in a pass of its own length,
        the others share passes of exactly :attr:`pack_tokens` (first fit)."""
        assert self.pack_tokens is not None
        alone, packed = self.split_alone(list(lengths))
        passes = [([k], lengths[k]) for k in alone]
        rest = [lengths[k] for k in packed]
        passes += [
            ([packed[j] for j in g], self.pack_tokens) for g in first_fit(rest, self.pack_tokens)
        ]
        return passes

    def _top_words(self, rows: torch.Tensor, k: int, fixed: int | None = None) -> list[list[int]]:
        """For each hidden row, the ``k`` likeliest whole-word tokens (:meth:`_word_head`),
        likeliest first; ``fixed``: products of exactly that many rows (the last padded),
        so a row's candidates never depend on the rows around it."""
        idx, weight = self._word_head()
        out: list[list[int]] = []
        size = fixed or max(1, rows.shape[0])
        with torch.inference_mode():
            for a in range(0, rows.shape[0], size):
                chunk = rows[a : a + size].to(weight.dtype)
                n = chunk.shape[0]
                if fixed and n < size:
                    chunk = torch.cat([chunk, chunk.new_zeros((size - n, chunk.shape[1]))])
                z = (chunk @ weight.T).float()  # softcapping keeps the order
                top = torch.topk(z[:n], min(k, z.shape[-1]), dim=-1).indices
                out += [[int(i) for i in idx[r].tolist()] for r in top]
        return out

    def word_candidates(self, seqs: Sequence[Sequence[int]], k: int) -> list[list[int]]:
        """For each id sequence, the ``k`` likeliest whole-word tokens to come next: the
        sequences in shared packed passes, their last rows through the output layer's word
        rows (:meth:`_word_head`) in one product."""
        if not seqs:
            return []
        if not self._packs():
            return super().word_candidates(seqs, k)
        rows = torch.stack([h[-1] for h in self._packed_hidden(seqs)])
        return self._top_words(rows, k, fixed=_FIXED_ROWS)  # fixed shapes, as _surprisal

    def suffix_totals(self, items: Sequence[tuple[Sequence[int], int]]) -> list[float]:
        """Total surprisal (bits) of each ``ids[start:]`` after ``ids[:start]``: every
        sequence in shared packed passes, the output layer over the suffix rows only."""
        if not items:
            return []
        if not self._packs():
            return super().suffix_totals(items)
        hidden = self._packed_hidden([list(ids) for ids, _ in items])
        with torch.inference_mode():
            rows = torch.cat(
                [h[start - 1 : len(ids) - 1] for h, (ids, start) in zip(hidden, items)]
            )
            targets = torch.tensor(
                [int(i) for ids, start in items for i in ids[start:]],
                dtype=torch.long,
                device=self.device,
            )
            bits = self._surprisal(rows, targets, fixed=_FIXED_ROWS)
        totals, at = [], 0
        for ids, start in items:
            n = len(ids) - start
            totals.append(math.fsum(bits[at : at + n]))
            at += n
        return totals

    def _padded(self, batch: Sequence[Sequence[int]]) -> list[ForwardOutput]:
        """One batch right-padded to its longest sequence, no attention mask (under causal
        attention a real position never sees the padding after it)."""
        lens = [len(seq) for seq in batch]
        width = max(lens)
        ids = torch.full((len(batch), width), self.pad_id, dtype=torch.long)
        for b, seq in enumerate(batch):
            ids[b, : len(seq)] = torch.tensor(list(seq), dtype=torch.long)
        ids = ids.to(self.device)
        with torch.inference_mode():
            if self._split and self._decoder is not None:  # hidden states; the head in _stats
                hidden = self._decoder(input_ids=ids, use_cache=False).last_hidden_state
            else:  # unusual architecture (or the bench's "before"): full logits, in slabs
                hidden = self.model(input_ids=ids, use_cache=False).logits
            targets = torch.cat([ids[:, 1:], ids.new_zeros((len(batch), 1))], dim=1)
            stats = self._stats(hidden.reshape(-1, hidden.shape[-1]), targets.reshape(-1))
        return [_cut(stats, b * width, b * width + n - 1) for b, n in enumerate(lens)]

    def _stats(self, rows, targets) -> _Stats:
        """(surprisal bits, entropy bits, rank, pmax, alt, alt bits, top, dropped bits) of
        each row, in slabs of ``_rows`` (``alt``: :meth:`_alternatives`; ``top``: the
        likeliest id; ``dropped``: :meth:`_dropped`, the next row's target read here)."""
        cols: _Stats = ([], [], [], [], [], [], [], [])
        nexts = torch.cat([targets[1:], targets[-1:]])  # the last row's: cut off (_cut)
        for a in range(0, rows.shape[0], self._rows):
            chunk, t = rows[a : a + self._rows], targets[a : a + self._rows]
            logits = None if self._split else self._logits(chunk)
            if logits is not None:  # rows are logits already
                s, h, r, p, top = token_stats(logits, t)
            else:  # the output layer block by block, statistics in cache (mtqa.lm.head)
                s, h, r, p, top = head_stats(chunk, self._head.weight, t, self._softcap)
            alt, alt_bits = self._alternatives(chunk, t, s, logits)
            dropped = self._dropped(chunk, t, nexts[a : a + self._rows], s, logits)
            cols[0].extend((s / _LN2).tolist())
            cols[1].extend((h / _LN2).tolist())
            cols[2].extend(r.tolist())
            cols[3].extend(p.tolist())
            cols[4].extend(alt)
            cols[5].extend(alt_bits)
            cols[6].extend(top.tolist())
            cols[7].extend((dropped / _LN2).tolist())
        return cols

    def _dropped(self, chunk, targets, nexts, nats, logits=None):
        """The surprisal (nats, (n,) fp32) of each row's ``nexts`` where the row stands:
        ``nats`` (the target's) plus the target's logit less the next one's. Both logits
        come from the rows' dot products with the two output rows
        (:func:`mtqa.lm.head.row_logits`; one row's numbers never depend on another's); from
        ``logits`` when the rows are logits already (an unsplit model)."""
        with torch.inference_mode():
            if logits is not None:
                z_t = logits.gather(1, targets[:, None])[:, 0]
                z_n = logits.gather(1, nexts[:, None])[:, 0]
            else:  # as head_stats reads the target's logit for the rank (mtqa.lm.head)
                z_t = row_logits(chunk, self._head.weight, targets, self._softcap)
                z_n = row_logits(chunk, self._head.weight, nexts, self._softcap)
            return nats + z_t - z_n

    def _alternatives(self, chunk, targets, nats, logits=None) -> tuple[list[int], list[float]]:
        """For each row whose target is a watched word (:meth:`~mtqa.lm.base.Scorer.watched`):
        the likeliest other watched word of its class (its set and form:
        :meth:`~mtqa.lm.base.Scorer.watched_class`; none when the class has no other) and its
        surprisal (bits): ``nats`` (the target's surprisal) plus the difference of the two
        logits; -1 and 0 elsewhere. The watched logits come from one product of the whole
        slab with their output rows (a shape fixed by the slab: a row's numbers do not
        depend on which rows are watched)."""
        n = int(targets.shape[0])
        alt, bits = [-1] * n, [0.0] * n
        ids = self._watch_tensor()
        if ids is None:
            return alt, bits
        with torch.inference_mode():
            hit = torch.isin(targets, ids)
            if not bool(hit.any()):
                return alt, bits
            if logits is not None:
                z = logits.index_select(1, ids)
            else:
                z = (chunk @ self._head.weight.index_select(0, ids).T).float()
                if self._softcap is not None:
                    z = torch.tanh(z / self._softcap) * self._softcap
            rows = hit.nonzero()[:, 0]
            z, own = z.index_select(0, rows), targets.index_select(0, rows)[:, None] == ids
            z_own = z.masked_select(own)
            cls = self._watch_class  # an alternative of the target's own set and form only
            other = cls[None, :] != cls.index_select(0, own.float().argmax(dim=-1))[:, None]
            z_alt, best = z.masked_fill(own | other, -math.inf).max(dim=-1)
            alt_bits = (nats.index_select(0, rows) + z_own - z_alt) / _LN2
        for i, b, x in zip(rows.tolist(), best.tolist(), alt_bits.tolist()):
            if math.isfinite(x):  # a class of one token (the other not one token): none
                alt[i], bits[i] = int(ids[b]), float(x)
        return alt, bits

    def _watch_tensor(self):
        """The watched ids as a tensor on the model's device (None: none watched)."""
        if not hasattr(self, "_watch_ids"):
            ids = sorted(self.watched())
            classes = self.watched_class()
            self._watch_ids = torch.tensor(ids, device=self.device) if len(ids) > 1 else None
            self._watch_class = torch.tensor([classes[i] for i in ids], device=self.device)
        return self._watch_ids

    def _surprisal(self, rows, targets, fixed: int | None = None) -> list[float]:
        """The surprisal (bits) of each row's target alone, in slabs of ``_rows``: what
        rescoring needs (:mod:`mtqa.lm.rescore`), without :func:`token_stats`' entropy and
        rank passes over the vocabulary. ``fixed``: slabs of exactly that many rows (the
        last one padded), so a row's numbers never depend on the rows around it."""
        out: list[float] = []
        size = fixed or self._rows
        for a in range(0, rows.shape[0], size):
            chunk, t = rows[a : a + size], targets[a : a + size]
            n = chunk.shape[0]
            if fixed and n < size:
                chunk = torch.cat([chunk, chunk.new_zeros((size - n, chunk.shape[1]))])
                t = torch.cat([t, t.new_zeros(size - n)])
            if not self._split:
                z = self._logits(chunk)
                zmax = z.amax(dim=-1, keepdim=True)
                z_target = z.gather(1, t[:, None])[:, 0] - zmax[:, 0]
                nats = z.sub_(zmax).exp_().sum(dim=-1).log() - z_target
            else:
                nats = head_stats(chunk, self._head.weight, t, self._softcap, full=False)[0]
            out.extend((nats[:n] / _LN2).tolist())
        return out

    def _word_head(self) -> tuple[torch.Tensor, torch.Tensor]:
        """(ids, output-layer rows) of the vocabulary entries that are whole words: ASCII
        letters, with at most a leading-space marker (``▁``, ``Ġ``). Made once; the LM's
        word candidates (:meth:`mtqa.lm.rescore.PrefixCache.word_topk`) need only these
        rows, a sixth of Gemma's vocabulary."""
        if self._words is None:
            vocab = self.tokenizer.get_vocab()
            n = int(self._head.weight.shape[0])
            ids = sorted(i for t, i in vocab.items() if i < n and is_word_token(t))
            idx = torch.tensor(ids, dtype=torch.long, device=self.device)
            self._words = (idx, self._head.weight.detach().index_select(0, idx).contiguous())
        return self._words

    def _logits(self, rows):
        """fp32 logits for hidden-state rows, exactly as the model's own forward makes them."""
        if not self._split:
            return rows.float()
        logits = self._head(rows).float()
        if self._softcap is not None:
            logits = torch.tanh(logits / self._softcap) * self._softcap
        return logits


def _cut(stats: _Stats, a: int, b: int) -> ForwardOutput:
    """The :class:`ForwardOutput` of rows ``a:b`` of :meth:`HFScorer._stats`."""
    s, h, r, p, alt, bits, top, dropped = stats
    last = [math.nan] if b > a else []  # the sequence's last row: its next token is not in it
    return ForwardOutput(
        s[a:b], h[a:b], r[a:b], p[a:b], alt[a:b], bits[a:b], top[a:b], dropped[a : b - 1] + last
    )


def is_word_token(token: str) -> bool:
    """Whether a vocabulary entry is a whole English-looking word: ASCII letters, after at
    most one leading-space marker (SentencePiece ``▁``, byte-level BPE ``Ġ``)."""
    word = token[1:] if token[:1] in ("\u2581", "\u0120") else token
    return word.isascii() and word.isalpha()


def _dtype_name(dtype: torch.dtype) -> str:
    for name, dt in _DTYPES.items():
        if dt == dtype:
            return name
    return str(dtype).removeprefix("torch.")


def token_stats(logits, targets):
    """(surprisal, entropy, rank, pmax, top) from fp32 logits (rows x vocab); nats, one exp.

    With z = logits - max and S = sum(exp z): -log p(target) = log S - z[target],
    H = -sum p log p = log S - sum(exp(z) * z) / S, pmax = exp(0) / S = 1 / S, and
    rank = #{z > z[target]} (strictly higher: 0 when the target is the model's first
    choice); top = the likeliest entry's id (the first of equal logits). Everything
    runs in place on two full-vocabulary fp32 temporaries: z (the logits) and one buffer
    that holds the compare (as 0/1), then exp(z), then exp(z) * z; the log_softmax route
    holds three float ones at once.
    """
    zmax, top = logits.max(dim=-1, keepdim=True)
    z = logits.sub_(zmax)
    z_target = z.gather(1, targets[:, None])
    # the compare lands as 0/1 in the buffer that then holds exp(z): no bool, no int64 copy
    # (a bool sum converts first), and float counts are exact far beyond any vocabulary
    e = torch.gt(z, z_target, out=torch.empty_like(z))
    rank = e.sum(dim=-1).long()
    torch.exp(z, out=e)
    total = e.sum(dim=-1)
    log_total = total.log()
    entropy = log_total - e.mul_(z).sum(dim=-1) / total
    surprisal = log_total - z_target[:, 0]
    return surprisal, entropy, rank, total.reciprocal(), top[:, 0]


def _prefix_ids(tok, spec: ModelSpec) -> tuple[int, ...]:
    def token_id(token: str | None) -> int | None:
        if not token:
            return None
        i = tok.convert_tokens_to_ids(token)
        if i is None or (i == tok.unk_token_id and token != tok.unk_token):
            return None
        return int(i)

    eot = token_id("<|endoftext|>")
    bos = tok.bos_token_id
    eos = tok.eos_token_id
    if spec.prefix == "endoftext":
        choice = eot
    elif spec.prefix == "bos":
        choice = bos
    else:
        choice = eot if eot is not None else bos if bos is not None else eos
    if choice is None:
        raise ModelError(
            f"{spec.name}: its tokenizer has no {spec.prefix} token to start windows with"
        )
    return (int(choice),)
