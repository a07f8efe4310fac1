"""Source-conditioned LM evidence (mtqa.conditioned): prompts, offsets, the source gain."""

from __future__ import annotations

from dataclasses import replace

from mtqa import conditioned
from mtqa.analyse import Evidence
from mtqa.detect import Detector
from mtqa.engines.base import check_documents
from mtqa.features import FEATURES
from mtqa.learned import Trees
from mtqa.lm.fake import FakeScorer
from mtqa.records import Document


def test_the_prompt_names_the_source_language() -> None:
    assert conditioned.prompt("让大学精神与时代精神同频共振").startswith(
        "Translate the following text from Chinese to English.\nChinese: 让大学"
    )
    fr = conditioned.prompt("Le gouvernement a annoncé une nouvelle loi sur l'énergie.")
    assert "from French to English.\nFrench: Le gouvernement" in fr
    assert conditioned.prompt("Hyvää huomenta kaikille ystäville täällä tänään").startswith(
        "Translate the following text to English.\nSource: "
    )
    assert conditioned.prompt("a\nb").endswith("English:\n") and "a b" in conditioned.prompt("a\nb")


def test_conditioned_tokens_point_into_the_target_as_read() -> None:
    docs = [
        Document("a", "The « naïve » plan failed.", "x", source="Le plan « naïf » a échoué."),
        Document("b", "No source here.", "x"),
        Document("c", "Too long.", "x", source="mot " * 1000),
    ]
    texts, where = conditioned.plan(docs)
    assert [k for k, _ in where] == [0]  # no source, or too long: not conditioned
    scored = FakeScorer().score(texts)
    cond = conditioned.assemble(len(docs), where, scored)
    assert cond[1] is None and cond[2] is None
    toks = cond[0]
    assert toks and all(0 <= t.start < t.end <= len(docs[0].text) for t in toks)
    assert "".join(docs[0].text[t.start : t.end] for t in toks).replace(" ", "") == docs[
        0
    ].text.replace(" ", "")


def test_the_source_gain_is_the_difference_of_the_two_passes() -> None:
    doc = Document("a", "The plan failed badly.", "x", source="Le plan a échoué.")
    scorer = FakeScorer()
    alone = scorer.score([doc.text])[0]
    cheaper = [replace(t, surprisal=t.surprisal - 1.5) for t in alone]  # the source helps
    (plain,) = list(Evidence(doc, alone))
    (helped,) = list(Evidence(doc, alone, cond=cheaper))
    g, c = FEATURES.index("src_gain"), FEATURES.index("has_cond")
    assert all(r[g] == 0.0 and r[c] == 0.0 for r in plain.rows)
    words = [w for w in helped.words if w.n_tokens]
    assert words and all(
        abs(r[g] - 1.5 * w.n_tokens) < 1e-9 and r[c] == 1.0
        for r, w in zip(helped.rows, helped.words)
        if w.n_tokens and w.surprisal - 1.5 * w.n_tokens > 0
    )


def _detector_on(feature: str) -> Detector:
    """A one-tree detector that splits on ``feature`` (so it weighs that feature only)."""
    k = FEATURES.index(feature)
    tree = ((k, -1, -1), (0.5, 0.0, 0.0), (1, -1, -1), (2, -1, -1), (0.0, -1.0, 1.0))
    return Detector("fake", FEATURES, (), (), (), 0.0, 0.6, 0.8, "t", 0, trees=Trees(-2.0, (tree,)))


def _detector(uses: bool) -> Detector:
    return _detector_on("src_gain" if uses else "s")


class Counting(FakeScorer):
    """The fake scorer, keeping the texts of each ``score`` call in ``scored``."""

    def __init__(self) -> None:
        super().__init__()
        self.scored: list[list[str]] = []

    def score(self, texts, *a, **k):  # type: ignore[no-untyped-def]
        self.scored.append(list(texts))
        return super().score(texts, *a, **k)


def test_only_a_detector_that_weighs_the_source_pays_for_the_second_pass() -> None:
    docs = [Document("a", "The plan failed.", "x", source="Le plan a échoué.")]
    assert not _detector(False).uses_source and _detector(True).uses_source
    check_documents(docs, scorer := Counting(), _detector(False))
    assert len(scorer.scored) == 1
    check_documents(docs, scorer := Counting(), _detector(True))
    calls = scorer.scored
    assert len(calls) == 2 and calls[1][0].startswith("Translate the following text from French")
    check_documents(docs, scorer := Counting(), _detector(True), source_lm=False)  # --no-source-lm
    assert len(scorer.scored) == 1


def test_no_source_lm_is_a_flag_a_config_key_and_part_of_the_signature(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from mtqa.cli import parse_args, settings_from_args
    from mtqa.settings import Settings, signature

    assert Settings().source_lm and "source_lm" not in Settings().scoring_key()
    off = Settings(source_lm=False)
    assert off.scoring_key()["source_lm"] is False  # a resume cannot mix the two
    assert "srclm" not in signature("fake", "auto", Settings(), "det")
    assert signature("fake", "auto", off, "det").endswith("|srclm:0")
    a = settings_from_args(parse_args(["check", "x.txt", "--no-config", "--no-source-lm"]))
    assert a.source_lm is False
    cfg = tmp_path / "mtqa.toml"
    cfg.write_text("no-source-lm = true\n", encoding="utf-8")
    assert (
        settings_from_args(parse_args(["check", "x.txt", "--config", str(cfg)])).source_lm is False
    )


def test_the_shipped_default_detector_weighs_the_source_pass() -> None:
    """The gemma3-270m detector is fitted with the forward source pass on half of its MQM
    segments: it weighs the source gain and knows items without it; not the back gain."""
    from mtqa.detect import load_detector

    det = load_detector("gemma3-270m")
    assert det.uses_source and not det.uses_back  # the back gain: measured, not shipped
    assert "of them also after their source" in det.source


def test_the_back_direction_scores_the_source_alone_and_after_its_target() -> None:
    docs = [
        Document("a", "The plan failed.", "x", source="Le plan a  échoué."),
        Document("b", "No source here.", "x"),
    ]
    texts, where = conditioned.back_plan(docs)
    assert texts[0] == "Le plan a échoué." and len(texts) == 2 and [k for k, _ in where] == [0]
    assert texts[1] == (
        "Translate the following text from English to French.\nEnglish: The plan failed.\n"
        "French:\nLe plan a échoué."
    )
    assert texts[1][where[0][1] :] == texts[0]  # the offset points at the source
    alone, after = FakeScorer().score(texts)
    cheaper = [replace(t, surprisal=t.surprisal - 2.0) for t in after]  # the target helps
    gains = conditioned.back_gains(2, where, [alone, cheaper])
    src_after = conditioned.target_tokens(cheaper, where[0][1])
    expected = (sum(t.surprisal for t in alone) - sum(t.surprisal for t in src_after)) / len(alone)
    assert gains[1] is None and gains[0] is not None and abs(gains[0] - expected) < 1e-9
    # the document's back gain reaches every item and the sentence row
    from mtqa.features import SENTENCE_FEATURES, sentence_row

    target = FakeScorer().score([docs[0].text])[0]
    (ev,) = list(Evidence(docs[0], target, back=1.25))
    b, h = FEATURES.index("back_gain"), FEATURES.index("has_back")
    assert all(r[b] == 1.25 and r[h] == 1.0 for r in ev.rows)
    row = dict(zip(SENTENCE_FEATURES, sentence_row(ev.rows, [0.0] * len(ev.rows), 0, 0, 0, True)))
    assert (row["back_gain"], row["has_back"]) == (1.25, 1.0)
    (plain,) = list(Evidence(docs[0], target))
    assert all(r[b] == 0.0 and r[h] == 0.0 for r in plain.rows)


def test_a_long_cjk_source_is_not_conditioned_and_the_report_says_so() -> None:
    """The budget counts a CJK character as several (about a token each): 2,250 Chinese
    characters with a short target would overflow a 1,024-token window."""
    long_zh = Document("a", "The plan failed.", "x", source="计划失败了" * 450)
    short_fr = Document("b", "The plan failed.", "x", source="Le plan a échoué.")
    assert conditioned.conditioned_text(long_zh) is None and conditioned.back_texts(long_zh) is None
    assert conditioned.conditioned_text(short_fr) is not None
    det = _detector(True)
    res = check_documents([long_zh, short_fr], FakeScorer(), det)
    note = (
        "source-conditioned LM passes skipped: prompt, source and target exceed 2400 "
        "characters (a CJK character counts 3.5; --window 1024); judged without them"
    )
    assert note in res[0].notes and not any("skipped" in n for n in res[1].notes)
    off = check_documents([long_zh], FakeScorer(), det, source_lm=False)  # the user's choice
    assert not any("skipped" in n for n in off[0].notes)


def test_a_smaller_window_conditions_only_what_fits_it() -> None:
    """With --window 128 the budget is 300 weighted characters: a 250-character French
    source no longer fits with its prompt, and the note names the window."""
    doc = Document("a", "The plan failed again.", "x", source="Le plan a échoué. " * 14)
    assert conditioned.budget(1024) == conditioned.MAX_CHARS == 2400
    assert conditioned.budget(4096) == 2400 and conditioned.budget(128) == 300
    assert conditioned.conditioned_text(doc) is not None
    assert conditioned.conditioned_text(doc, conditioned.budget(128)) is None
    det = _detector(True)
    (big,) = check_documents([doc], FakeScorer(), det)
    (small,) = check_documents([doc], FakeScorer(window=128, overlap=32), det)
    assert not any("skipped" in n for n in big.notes)
    assert small.notes[-1] == (
        "source-conditioned LM passes skipped: prompt, source and target exceed 300 "
        "characters (a CJK character counts 3.5; --window 128); judged without them"
    )


def test_a_detector_that_weighs_the_back_gain_pays_for_the_back_passes() -> None:
    det = _detector_on("back_gain")
    assert det.uses_back and not det.uses_source
    docs = [Document("a", "The plan failed.", "x", source="Le plan a échoué.")]
    check_documents(docs, scorer := Counting(), det)
    calls = scorer.scored
    assert len(calls) == 2 and calls[1] == [
        "Le plan a échoué.",
        "Translate the following text from English to French.\nEnglish: The plan failed.\n"
        "French:\nLe plan a échoué.",
    ]


def test_settings_refuse_a_flag_that_is_not_a_boolean() -> None:
    import pytest

    from mtqa.errors import UsageError
    from mtqa.settings import Settings

    with pytest.raises(UsageError, match="source_lm='no': must be True or False"):
        Settings(source_lm="no")  # type: ignore[arg-type]


def test_a_run_counts_the_documents_judged_without_the_pass(tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    """run.json counts them and the CLI summary says how many (the notes alone are easy to
    miss in a large run)."""
    import json

    from mtqa import cli

    det = tmp_path / "det.json"
    det.write_text(_detector(True).to_json(), encoding="utf-8")
    rows = [
        {"id": "long", "target": "The plan failed.", "source": "计划失败了" * 450},
        {"id": "short", "target": "The plan failed.", "source": "Le plan a échoué."},
        {"id": "none", "target": "The plan failed."},
    ]
    src = tmp_path / "in.jsonl"
    src.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    out = tmp_path / "out"
    argv = ["check", str(src), "-o", str(out), "--model", "fake", "--calibration", str(det)]
    assert cli.main([*argv, "--no-suggest"]) == 0
    err = capsys.readouterr().err
    assert (
        "mtqa: 1 document(s) with a source judged without the source-conditioned LM pass: "
        "too long for one LM window (their notes say so)\n"
    ) in err
    run = json.loads((out / "run.json").read_text(encoding="utf-8"))
    assert run["counts"]["source_lm_skipped"] == 1
    assert cli.main([*argv, "--no-suggest", "--no-source-lm", "--overwrite", "--quiet"]) == 0
    run = json.loads((out / "run.json").read_text(encoding="utf-8"))
    assert run["counts"]["source_lm_skipped"] == 0
