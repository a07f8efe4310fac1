"""The Scorer base: windowing covers every token once; sorting restores order."""

from __future__ import annotations

import random
from collections.abc import Sequence

import pytest

from mtqa.lm.base import ForwardOutput, make_windows
from mtqa.lm.fake import FakeScorer


@pytest.mark.parametrize(
    "n,window,overlap",
    [(0, 16, 4), (5, 16, 4), (15, 16, 4), (16, 16, 4), (100, 16, 4), (1000, 64, 0), (333, 32, 20)],
)
def test_windows_score_each_token_once(n: int, window: int, overlap: int) -> None:
    ids = list(range(1, n + 1))
    ws = make_windows(0, n, ids, (0,), window, overlap)
    scored: list[int] = []
    for w in ws:
        assert len(w.ids) <= window
        assert w.ids[0] == 0
        assert w.n_context <= overlap
        body = list(w.ids[1 + w.n_context :])
        assert list(w.ids[1 : 1 + w.n_context]) == ids[w.first - w.n_context : w.first]
        scored.extend(body)
    assert scored == ids


class PositionScorer(FakeScorer):
    """Surprisal depends on the context it sees: wrong windowing or order shows."""

    def forward(self, batch: Sequence[Sequence[int]]) -> list[ForwardOutput]:
        self.calls.append(len(batch))
        outs = []
        for ids in batch:
            s = [self.cost(self._text[ids[k]]) + 0.01 * min(k, 3) for k in range(1, len(ids))]
            outs.append(ForwardOutput(s, [0.0] * len(s)))
        return outs


def test_batch_size_and_order_do_not_change_scores() -> None:
    rng = random.Random(7)
    texts = [
        " ".join(f"w{rng.randrange(50)}" for _ in range(rng.randrange(1, 60))) for _ in range(30)
    ]
    ref = PositionScorer(window=24, overlap=6).score(texts, batch_size=1)
    for bs in (3, 8, 64):
        assert PositionScorer(window=24, overlap=6).score(texts, batch_size=bs) == ref
    perm = list(range(len(texts)))
    rng.shuffle(perm)
    shuffled = PositionScorer(window=24, overlap=6).score([texts[i] for i in perm], batch_size=8)
    for j, i in enumerate(perm):
        assert [t.surprisal for t in shuffled[j]] == [t.surprisal for t in ref[i]]


def test_batches_are_length_sorted() -> None:
    s = FakeScorer()
    seen: list[list[int]] = []
    orig = s.forward

    def spy(batch: Sequence[Sequence[int]]) -> list[ForwardOutput]:
        seen.append([len(b) for b in batch])
        return orig(batch)

    s.forward = spy  # type: ignore[method-assign]
    s.score(["a b", "a b c d e f g", "a", "a b c d"], batch_size=2)
    flat = [x for b in seen for x in b]
    assert flat == sorted(flat, reverse=True)


def test_empty_text_gives_no_tokens() -> None:
    assert FakeScorer().score(["", "a"])[0] == ()


def test_variants_are_rescored_in_bounded_forward_calls() -> None:
    """Thousands of variants (every probe of a batch of documents) must not reach one
    padded forward at once: the bench's unsplit fp32 path asked for 64 GB of logits."""
    from mtqa.lm.base import RESCORE_ROWS

    scorer = FakeScorer()
    items = [
        (list(scorer.prefix_ids) + list(scorer.encode(f"Variant {i} of the text.").ids), 2)
        for i in range(2 * RESCORE_ROWS + 5)
    ]
    totals = scorer.suffix_totals(items)
    assert scorer.calls == [RESCORE_ROWS, RESCORE_ROWS, 5]
    assert totals == [scorer.suffix_totals([it])[0] for it in items]
    scorer.calls.clear()
    prefix = scorer.prefix_cache(list(scorer.encode("Context.").ids))
    variants = [list(scorer.encode(f" v{i}").ids) for i in range(RESCORE_ROWS + 1)] + [[]]
    assert len(prefix.totals(variants)) == RESCORE_ROWS + 2
    assert scorer.calls == [RESCORE_ROWS, 1]


@pytest.mark.parametrize("window,overlap", [(1024, 256), (6, 2)])
def test_a_preposition_read_carries_the_likeliest_other_one(window: int, overlap: int) -> None:
    """The forward's ``alt`` reaches the token and the word (mtqa.align), whatever the
    windows: the fake's cheapest other preposition, its cost as the surprisal."""
    from mtqa.align import align
    from mtqa.lm.base import AGREEMENT_PAIRS, PREPOSITIONS

    text = "It depends of the vote in May, and it is out of our hands at last (by now)."
    fake = FakeScorer(window=window, overlap=overlap)
    [toks] = fake.score([text], batch_size=2)
    words = align(text, toks)
    partner = {a: b for x, y in AGREEMENT_PAIRS for a, b in ((x, y), (y, x))}
    for w in words:
        if w.text in PREPOSITIONS:  # the other preposition of its own form: " of" or "of"
            lead = " " if text[w.start - 1] == " " else ""
            cost, best = min((fake.cost(lead + p), p) for p in PREPOSITIONS if p != w.text)
            assert (w.alt, w.alt_surprisal) == (best, cost), w
        elif w.text in partner:  # the other word of its agreement pair, never a preposition
            assert (w.alt, w.alt_surprisal) == (partner[w.text], fake.cost(" " + partner[w.text]))
        else:
            assert (w.alt, w.alt_surprisal) == ("", 0.0), w
    assert sum(bool(w.alt) for w in words) == 6  # of, in, is, of, at, by (after a bracket)
    assert [t for t in toks if t.alt] == [
        t for t in FakeScorer(window=window, overlap=overlap).score([text])[0] if t.alt
    ]


@pytest.mark.parametrize("window,overlap", [(1024, 256), (6, 2)])
def test_the_lms_sure_first_choice_reaches_the_token_and_the_word(
    window: int, overlap: int
) -> None:
    """Where the LM gave another token at least EXPECT_PMAX and read something else, the
    token and its word name that token (``expected``), whatever the windows and batches;
    elsewhere (the LM's own choice, or a choice below EXPECT_PMAX) nothing."""
    from mtqa.align import align
    from tests.helpers.expecting import ExpectingScorer

    text = "Issues play key role here. Then a key fact, and key again.\nkey"
    fake = ExpectingScorer(window=window, overlap=overlap)
    [toks] = fake.score([text, "another document"], batch_size=1)[:1]
    words = align(text, toks)
    got = [(w.start, w.text, w.expected, w.pmax) for w in words if w.expected]
    # " key" not after " a"; not "a key" (its first choice), nor "key" after the line break
    # (another token, bare)
    where = [text.index("play key") + 5, text.index("and key") + 4]
    assert got == [(k, "key", " a", 0.9) for k in where]
    assert [t for t in toks if t.expected] == [
        t for t in ExpectingScorer().score([text])[0] if t.expected
    ]
    plain = FakeScorer(window=window, overlap=overlap).score([text])[0]
    assert not any(t.expected for t in plain)  # the fake's pmax never reaches EXPECT_PMAX
