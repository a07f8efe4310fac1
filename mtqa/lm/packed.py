"""Packed passes: several windows in one fixed-length sequence, each attending only to itself.

Why: a BLAS picks its kernel (and so its rounding) by matrix size, so a window scored in
a batch of 2 and in a batch of 16 gets different last digits. Here every forward pass is
one sequence of exactly ``length`` tokens: the windows of the pass one after another,
each with its own positions from 0, then pad tokens. Every matrix product of the pass
therefore has the same shape, and a row of a product of fixed shape does not depend on
the other rows; attention runs window by window (:func:`packed_attention`). A window's
numbers are then a function of its own ids: the batch size, the input order and the
other documents in the run cannot change them, and no padding is computed except the
end of the last pass.

The attention function is registered with transformers as ``mtqa_packed``; outside a
packed pass (no :data:`_SEGMENTS` set) it is transformers' own SDPA attention, with the
same masks, so the model works as usual (e.g. with a KV cache).
"""

from __future__ import annotations

import contextvars
from collections.abc import Sequence

import torch
from transformers import AttentionInterface
from transformers.integrations.sdpa_attention import sdpa_attention_forward
from transformers.masking_utils import ALL_MASK_ATTENTION_FUNCTIONS, AttentionMaskInterface

NAME = "mtqa_packed"
#: (start, length) of each window in the packed sequence of the pass being run
_SEGMENTS: contextvars.ContextVar[tuple[tuple[int, int], ...] | None] = contextvars.ContextVar(
    "mtqa_segments", default=None
)


def packed_attention(
    module: torch.nn.Module,
    query: torch.Tensor,
    key: torch.Tensor,
    value: torch.Tensor,
    attention_mask: torch.Tensor | None,
    dropout: float = 0.0,
    scaling: float | None = None,
    sliding_window: int | None = None,
    **kwargs,
) -> tuple[torch.Tensor, None]:
    """Causal attention inside each window of a packed pass (``sliding_window`` honoured;
    the padding after the windows gets zeros); transformers' SDPA attention outside one.
    Windows of one length run as one batch (a batch element never depends on the others)."""
    segments = _SEGMENTS.get()
    if segments is None:
        return sdpa_attention_forward(
            module, query, key, value, attention_mask, dropout=dropout, scaling=scaling, **kwargs
        )
    gqa = query.shape[1] != key.shape[1]
    if len(segments) == 1 and segments[0] == (0, query.shape[2]):  # a window alone
        o = _attend(query, key, value, scaling, sliding_window, gqa)
        return o.transpose(1, 2), None
    # query: (1, heads, N, d); key/value: (1, kv heads, N, d)
    out = query.new_zeros((query.shape[2], query.shape[1], value.shape[-1]))
    by_length: dict[int, list[int]] = {}
    for start, n in segments:
        by_length.setdefault(n, []).append(start)
    for n, starts in by_length.items():
        q = torch.cat([query[:, :, a : a + n] for a in starts])
        k = torch.cat([key[:, :, a : a + n] for a in starts])
        v = torch.cat([value[:, :, a : a + n] for a in starts])
        o = _attend(q, k, v, scaling, sliding_window, gqa)  # (windows, heads, n, d)
        for b, a in enumerate(starts):
            out[a : a + n] = o[b].transpose(0, 1)
    return out[None], None


def _attend(q, k, v, scaling, sliding_window, gqa):  # type: ignore[no-untyped-def]
    """Causal SDPA over windows of one length (batch, heads, n, d), the sliding window
    honoured (transformers' rule: a query sees the keys less than ``sliding_window`` back)."""
    n = q.shape[2]
    mask = None
    if sliding_window is not None and n > sliding_window:
        i = torch.arange(n, device=q.device)
        d = i[:, None] - i[None, :]  # query - key
        mask = (d >= 0) & (d < sliding_window)
    return torch.nn.functional.scaled_dot_product_attention(
        q, k, v, attn_mask=mask, scale=scaling, is_causal=mask is None, enable_gqa=gqa
    )


def register() -> None:
    """Make ``mtqa_packed`` known to transformers (attention, and SDPA's masks)."""
    AttentionInterface.register(NAME, packed_attention)
    AttentionMaskInterface.register(NAME, ALL_MASK_ATTENTION_FUNCTIONS["sdpa"])


def pack(
    seqs: Sequence[Sequence[int]], length: int, pad_id: int
) -> tuple[torch.Tensor, torch.Tensor, tuple[tuple[int, int], ...]]:
    """(ids, position ids, segments) of one packed pass of exactly ``length`` tokens: the
    sequences one after another, each with positions from 0, then pad ids; ``segments``
    are the sequences' ``(start, length)``."""
    ids = torch.full((1, length), pad_id, dtype=torch.long)
    pos = torch.zeros((1, length), dtype=torch.long)
    segments = []
    at = 0
    for seq in seqs:
        n = len(seq)
        ids[0, at : at + n] = torch.tensor(list(seq), dtype=torch.long)
        pos[0, at : at + n] = torch.arange(n)
        segments.append((at, n))
        at += n
    if at > length:
        raise ValueError(f"{at} tokens do not fit a packed pass of {length}")
    if at < length:  # the pads: positions from 0, no attention (their rows are unused)
        pos[0, at:] = torch.arange(length - at)
    return ids, pos, tuple(segments)


def run_packed(decoder: torch.nn.Module, ids: torch.Tensor, pos: torch.Tensor, segments):
    """The decoder's last hidden states (1, N, hidden) for one packed pass."""
    token = _SEGMENTS.set(segments)
    try:
        # the model may build its usual masks (ignored here): they cost a few ms a pass
        return decoder(input_ids=ids, position_ids=pos, use_cache=False).last_hidden_state
    finally:
        _SEGMENTS.reset(token)
