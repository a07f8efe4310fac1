"""The output layer and the statistics over the vocabulary in one blockwise pass.

Gemma 3's output layer has 262,144 rows: for a slab of 128 hidden states the logits are
134 MB in fp32, and the textbook route (all logits, then max, exp, sums and a compare,
each a pass over them in memory) spends as long moving them as making them. Here the
vocabulary is cut into blocks of :data:`BLOCK` columns; each block's logits are made,
folded into running sums (the online softmax of Milakov and Gimelshein, 2018, "Online
normalizer calculation for softmax") and dropped while they are still in cache. In bf16
the block is widened to fp32 in cache too, instead of a 134 MB copy.

Per row, with M the running maximum, S = sum exp(z - M) and A = sum exp(z - M) * z:
surprisal = log S + M - z[target], entropy = log S + M - A / S, pmax = 1 / S (nats), and
rank = #{z > z[target]}. The target's logit comes from its own block (exact); the rank's
compare, which runs before that block may have been reached, uses the dot product of the
row with the target's output row (rounded to the model's dtype), and the target is never
counted against itself: the rank is exact except when another word's logit ties the
target's within that rounding (near-ties may swap, as between any two kernels).
"""

from __future__ import annotations

import math

import torch

#: output-layer columns per product: the temporaries of a 128-row slab stay in L2/L3
BLOCK = 16384


def row_logits(
    rows: torch.Tensor, weight: torch.Tensor, ids: torch.Tensor, softcap: float | None = None
) -> torch.Tensor:
    """Each row's logit of its own id, ``(n,)`` fp32: the row's dot product with that id's
    output row (fp32, rounded to the model's dtype as the blockwise logits are), soft-capped
    like them. ``rows``: (n, hidden); ``weight``: (vocab, hidden); ``ids``: (n,)."""
    z = (rows.float() * weight.index_select(0, ids).float()).sum(-1).to(weight.dtype).float()
    return torch.tanh(z / softcap) * softcap if softcap is not None else z


def head_stats(
    rows: torch.Tensor,
    weight: torch.Tensor,
    targets: torch.Tensor,
    softcap: float | None = None,
    *,
    full: bool = True,
    block: int = BLOCK,
) -> tuple[
    torch.Tensor, torch.Tensor | None, torch.Tensor | None, torch.Tensor | None, torch.Tensor | None
]:
    """(surprisal, entropy, rank, pmax, top) of each row's ``targets`` under ``rows @ weight.T``.

    ``rows``: (n, hidden) in the model's dtype; ``weight``: the output layer (vocab,
    hidden); ``targets``: (n,) token ids. ``softcap``: Gemma 2-style logit soft-capping
    (``tanh(z / c) * c``), applied per block. Surprisal and entropy in nats, rank an int64
    count, pmax a probability, all (n,) fp32 tensors; ``top`` (n,) int64: the id of the
    likeliest entry, the first of equal logits (``pmax`` is its probability).
    ``full=False`` returns only the surprisal (the others are ``None``): what rescoring
    needs.
    """
    n, vocab = rows.shape[0], weight.shape[0]
    dev = rows.device
    run_max = torch.full((n,), -math.inf, device=dev)
    total = torch.zeros(n, device=dev)
    moment = torch.zeros(n, device=dev) if full else None
    above = torch.zeros(n, device=dev) if full else None
    top = torch.zeros(n, dtype=torch.long, device=dev) if full else None
    z_target = torch.zeros(n, device=dev)
    z_guess = None
    if full:  # the target's logit before its block is reached, for the rank's compare
        z_guess = row_logits(rows, weight, targets, softcap)
    buf = torch.empty((n, min(block, vocab)), device=dev)
    for b0 in range(0, vocab, block):
        z = (rows @ weight[b0 : b0 + block].T).float()
        if softcap is not None:
            z = torch.tanh(z / softcap) * softcap
        width = z.shape[1]
        block_max, block_arg = z.max(dim=-1)
        if top is not None:  # a later block's equal logit does not replace the first
            top = torch.where(block_max > run_max, block_arg + b0, top)
        new_max = torch.maximum(run_max, block_max)
        rescale = torch.exp(run_max - new_max)
        e = torch.sub(z, new_max[:, None], out=buf[:, :width]).exp_()
        total = total * rescale + e.sum(dim=-1)
        if moment is not None and above is not None and z_guess is not None:
            moment = moment * rescale + e.mul_(z).sum(dim=-1)
            above += torch.gt(z, z_guess[:, None], out=e).sum(dim=-1)
        run_max = new_max
        inside = (targets >= b0) & (targets < b0 + width)
        if bool(inside.any()):
            z_target = torch.where(
                inside, z.gather(1, (targets - b0).clamp(0, width - 1)[:, None])[:, 0], z_target
            )
    log_total = total.log()
    surprisal = log_total + run_max - z_target
    if moment is None or above is None or z_guess is None or top is None:
        return surprisal, None, None, None, None
    above -= (z_target > z_guess).float()  # the target counted itself: its guess was low
    entropy = log_total + run_max - moment / total
    return surprisal, entropy, above.long(), total.reciprocal(), top
