"""Scorer outputs beyond surprisal (rank, pmax) and NFC scoring, with the fake scorer."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mtqa.lm.fake import FakeScorer
from mtqa.lm.nfc import map_offsets, nfc_map
from mtqa.records import TokenScore


def test_fake_rank_and_pmax_follow_the_cost() -> None:
    s = FakeScorer()
    text = "We were massaging the insupports of zzyzx and the cat."
    [toks] = s.score([text])
    assert len(toks) == len(s.encode(text).ids)
    for t in toks:
        cost = s.cost(text[t.start : t.end])
        assert t.surprisal == cost
        if cost < 2.0:
            assert t.rank == 0 and t.pmax == 2.0**-cost  # the first choice is the token
        else:
            assert t.rank == int(2.0 ** (cost - 2.0)) and t.pmax == 0.25
    loud = {text[t.start : t.end].strip(): t for t in toks}
    assert loud["massaging"].rank == 2**18 and loud["zzyzx"].rank == 2**16
    assert all(t.rank >= 0 and 0.0 < t.pmax <= 1.0 for t in toks)


def test_token_score_defaults_keep_old_callers() -> None:
    t = TokenScore(0, 3, 2.5, 1.0)
    assert (t.rank, t.pmax) == (0, 0.0)


# ---------------------------------------------------------------- NFC

PAIRS = [  # (decomposed, composed)
    ("A nai\u0308ve re\u0301sume\u0301 of the cafe\u0301.", "A naïve résumé of the café."),
    ("Ma\u0300 ly\u0301 do tie\u0302\u0301ng Vie\u0323\u0302t.", "Mà lý do tiếng Việt."),
    ("\u0301 starts with a mark", "\u0301 starts with a mark"),  # nothing to compose with
    ("Hangul \u1112\u1161\u11ab and \u1100\u1173\u11af.", "Hangul 한 and 글."),
]


def _words(text: str, toks: tuple[TokenScore, ...]) -> list[tuple[str, float]]:
    """Whitespace-separated words with the summed surprisal of the tokens starting in them."""
    out = []
    pos = 0
    for w in text.split():
        a = text.index(w, pos)
        b = pos = a + len(w)
        bits = sum(t.surprisal for t in toks if a <= t.start < b or (t.start < a < t.end))
        out.append((unicodedata.normalize("NFC", w), bits))
    return out


def _offsets_valid(text: str, toks: tuple[TokenScore, ...]) -> None:
    prev = 0
    for t in toks:
        assert 0 <= t.start <= t.end <= len(text)
        assert t.start >= prev
        prev = t.start


@pytest.mark.parametrize("decomposed,composed", PAIRS)
def test_decomposed_text_scores_as_composed(decomposed: str, composed: str) -> None:
    assert unicodedata.normalize("NFC", decomposed) == unicodedata.normalize("NFC", composed)
    s = FakeScorer()
    [a], [b] = s.score([decomposed]), s.score([composed])
    _offsets_valid(decomposed, a)
    _offsets_valid(composed, b)
    assert [t.surprisal for t in a] == [t.surprisal for t in b]
    assert _words(decomposed, a) == _words(composed, b)
    # each token's original text is, in NFC, the text the model read
    nfc = unicodedata.normalize("NFC", decomposed)
    for ta, tb in zip(a, b, strict=True):
        assert unicodedata.normalize("NFC", decomposed[ta.start : ta.end]) == nfc[tb.start : tb.end]
    assert a[-1].end == len(decomposed)


def test_nfc_combining_sequence_maps_to_its_whole_extent() -> None:
    text = "re\u0301sume\u0301 a\u0302\u0323"  # the last: marks reordered and composed (ậ)
    got = nfc_map(text)
    assert got is not None
    nfc, starts, ends = got
    assert nfc == "résumé ậ"
    assert (starts[1], ends[1]) == (1, 3)  # é ← e + U+0301
    assert (starts[7], ends[7]) == (9, 12)  # ậ ← a + U+0302 + U+0323
    assert (starts[0], ends[0]) == (0, 1)
    assert map_offsets([(0, 2), (2, 6), (6, 8), (8, 8)], starts, ends, len(text)) == (
        (0, 3),
        (3, 8),
        (8, 12),
        (12, 12),
    )
    assert nfc_map("already composed: café") is None


ALPHABET = st.sampled_from(
    list("ae oA.,")
    + ["\u0301", "\u0302", "\u0323", "\u0308", "\u0327", "é", "\u1100", "\u1161", "\u11ab"]
    + ["\u0b47", "\u0b3e", "\u212b", "\u2126", "ﬁ", "\U0001d15e", "\u0344", "\u0f73"]
)


@settings(max_examples=300, deadline=None)
@given(st.lists(ALPHABET, max_size=30).map("".join))
def test_nfc_map_reproduces_nfc_and_covers_the_text(text: str) -> None:
    got = nfc_map(text)
    nfc = unicodedata.normalize("NFC", text)
    if got is None:
        assert nfc == text
        return
    out, starts, ends = got
    assert out == nfc and len(starts) == len(ends) == len(out)
    # groups of output characters with one extent tile the text, in order
    groups: list[tuple[int, int, str]] = []
    for j, ch in enumerate(out):
        if groups and groups[-1][:2] == (starts[j], ends[j]):
            groups[-1] = (starts[j], ends[j], groups[-1][2] + ch)
        else:
            groups.append((starts[j], ends[j], ch))
    pos = 0
    for a, b, chars in groups:
        assert a == pos and b > a
        assert unicodedata.normalize("NFC", text[a:b]) == chars
        pos = b
    assert pos == len(text)


# ---------------------------------------------------------------- packed passes


class PackSpy(FakeScorer):
    """A fake that packs like the transformers backend and records its passes."""

    def __init__(self, pack_tokens: int) -> None:
        super().__init__(window=48, overlap=8)
        self.pack_tokens = pack_tokens
        self.passes: list[tuple[list[int], tuple[int, int] | None]] = []

    def run(self, plan):  # type: ignore[no-untyped-def]
        for batch, shape in plan:
            self.passes.append(([len(w.ids) for w in batch], shape))
            yield batch, self.forward([w.ids for w in batch])


@pytest.mark.parametrize("pack_tokens,alone_above", [(16, None), (48, 12), (100, 25), (1024, None)])
def test_packed_plan_gives_each_window_a_fixed_pass_and_keeps_scores(
    pack_tokens: int, alone_above: int | None
) -> None:
    import random

    rng = random.Random(11)
    texts = [
        " ".join(f"w{rng.randrange(80)}" for _ in range(rng.randrange(1, 90))) for _ in range(25)
    ]
    ref = FakeScorer(window=48, overlap=8).score(texts, batch_size=1)
    spy = PackSpy(pack_tokens)
    spy.alone_above = alone_above
    assert spy.score(texts, batch_size=3) == ref
    limit = pack_tokens if alone_above is None else min(alone_above, pack_tokens)
    shared = []
    for lens, shape in spy.passes:
        if shape == (1, pack_tokens) and all(n <= limit for n in lens):
            assert sum(lens) <= pack_tokens  # packed: a fixed shape, batch size no part
            shared.append(sum(lens))
        else:  # alone: a pass of the window's own length
            assert len(lens) == 1 and lens[0] > limit and shape == (1, lens[0])
    # first-fit decreasing: no two shared passes could have been merged
    shared.sort()
    assert len(shared) < 2 or shared[0] + shared[1] > pack_tokens


# ---------------------------------------------------------------- edit rescoring (fake)


def test_fake_rescore_equals_scoring_the_whole_text() -> None:
    s = FakeScorer()
    context = list(s.encode("The minister said that").ids)
    variants = [list(s.encode(v).ids) for v in (" talks would go on.", " massaging.", "")]
    totals = s.rescore(context, variants)
    for v, total in zip(variants, totals, strict=True):
        [out] = s.forward([list(s.prefix_ids) + context + v])
        assert total == sum(out.surprisal[len(context) :])
    assert totals[2] == 0.0 and totals[1] > totals[0]
    assert s.prefix_cache(context).totals(variants) == totals


def test_fake_topk_is_deterministic() -> None:
    s = FakeScorer()
    ids = list(s.encode("a b c d massaging").ids)
    top = s.topk(ids[:2], ids[2:], [0, 1, 3], 3)
    assert len(top) == 3 and all(len(c) == 3 for c in top)
    assert top[0] == top[1] == top[2]  # the fake ignores the context
    costs = [s.cost(s.token_text([i])) for i, _ in top[0]]
    assert costs == sorted(costs) and all(p == 2.0**-c for (_, p), c in zip(top[0], costs))
    with pytest.raises(ValueError):
        s.topk(ids[:2], ids[2:], [4], 3)
