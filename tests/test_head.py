"""The blockwise output layer (mtqa.lm.head) against the textbook route over whole logits."""

from __future__ import annotations

import pytest

torch = pytest.importorskip("torch")

from mtqa.lm.head import head_stats  # noqa: E402


def textbook(rows, weight, targets, softcap=None):  # type: ignore[no-untyped-def]
    z = (rows @ weight.T).float()
    if softcap is not None:
        z = torch.tanh(z / softcap) * softcap
    logp = torch.log_softmax(z, dim=-1)
    surprisal = -logp.gather(1, targets[:, None])[:, 0]
    entropy = -(logp.exp() * logp).sum(-1)
    rank = (z > z.gather(1, targets[:, None])).sum(-1)
    return surprisal, entropy, rank, logp.exp().amax(-1), z


@pytest.mark.parametrize("softcap", [None, 30.0])
@pytest.mark.parametrize("block", [4096, 1 << 20])  # a ragged last block; one block for all
def test_head_stats_equal_the_textbook_route_in_fp32(softcap, block) -> None:
    g = torch.Generator().manual_seed(0)
    vocab, hidden, n = 10_000, 48, 37
    weight = torch.randn(vocab, hidden, generator=g)
    rows = torch.randn(n, hidden, generator=g) * 0.5
    targets = torch.randint(0, vocab, (n,), generator=g)
    targets[:3] = torch.tensor([0, vocab - 1, 4096])  # the first, last and a block's first word
    s, h, r, p, top = head_stats(rows, weight, targets, softcap, block=block)
    s0, h0, r0, p0, z0 = textbook(rows, weight, targets, softcap)
    assert torch.allclose(s, s0, atol=1e-4) and torch.allclose(h, h0, atol=1e-4)
    assert torch.allclose(p, p0, atol=1e-6)
    assert r.tolist() == r0.tolist()  # random logits: no near-ties, so the rank is exact
    assert top.tolist() == z0.argmax(-1).tolist()  # the likeliest entry, whatever its block
    only, none_h, none_r, none_p, none_top = head_stats(
        rows, weight, targets, softcap, full=False, block=block
    )
    assert (none_h, none_r, none_p, none_top) == (None, None, None, None)
    assert torch.equal(only, s)


def test_head_stats_in_bf16_rank_ties_stay_within_the_rounding() -> None:
    """bf16 logits tie often; the rank counts the words strictly above the target's own
    logit, never the target itself (a first choice has rank 0)."""
    g = torch.Generator().manual_seed(1)
    vocab, hidden, n = 20_000, 64, 50
    weight = torch.randn(vocab, hidden, generator=g).to(torch.bfloat16)
    rows = (torch.randn(n, hidden, generator=g) * 0.3).to(torch.bfloat16)
    z = (rows @ weight.T).float()
    targets = z.argmax(-1)  # every target the model's first choice
    targets[::2] = torch.randint(0, vocab, (n // 2,), generator=g)
    s, h, r, p, top = head_stats(rows, weight, targets, block=4096)
    s0, h0, _, p0, z0 = textbook(rows, weight, targets)
    assert torch.allclose(s, s0, atol=1e-3) and torch.allclose(h, h0, atol=1e-3)
    zt = z0.gather(1, targets[:, None])
    lo, hi = (z0 > zt + 0.05).sum(-1), (z0 > zt - 0.05).sum(-1)  # a bf16 step around the target
    assert bool(((lo <= r) & (r <= hi)).all())
    assert all(r[k] == 0 for k in range(1, n, 2))  # first choices: nothing above them
    assert all(top[k] == targets[k] for k in range(1, n, 2))  # and they are the top


def test_head_stats_top_is_the_first_of_equal_logits_across_blocks() -> None:
    """Two vocabulary rows with the same weights tie at every row: the first one is the top,
    whether they share a block or not (the output is the same for any block size)."""
    g = torch.Generator().manual_seed(2)
    vocab, hidden, n = 9_000, 16, 8
    weight = torch.randn(vocab, hidden, generator=g)
    rows = torch.randn(n, hidden, generator=g)
    best = (rows @ weight.T).argmax(-1)
    weight[8_500] = weight[best[0]]  # a later twin of row 0's top, in a later block
    targets = torch.zeros(n, dtype=torch.long)
    for block in (4096, 1 << 20):
        top = head_stats(rows, weight, targets, block=block)[4]
        assert top[0] == best[0] < 8_500
