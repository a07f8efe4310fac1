"""Reference metrics: mtqa's numbers equal sacrebleu's own on the same strings."""

from __future__ import annotations

import csv
import json
import statistics
from pathlib import Path

import pytest
import sacrebleu

from mtqa.checks.pairing import pair_units
from mtqa.checks.references import (
    NO_REFERENCE,
    CorpusStats,
    RunReferences,
    document_metrics,
    sentence_scores,
    signatures,
)
from mtqa.cli import main
from mtqa.errors import InputError
from mtqa.lm.fake import FakeScorer
from mtqa.pipeline import run_check
from mtqa.quality.correlation import lm_chrf_correlation, pearson, spearman
from mtqa.records import Document
from mtqa.segment import segment
from mtqa.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "data" / "example_with_source.jsonl"

PAIRS = [
    ("The cat sat on the mat.", "The cat is on the mat."),
    ("Hello world", "Hello there world"),
    ("It is raining today in Kyiv.", "It is raining today in Kyiv."),
    ("Completely different words here.", "Nothing matches at all."),
    ("The National Assembly adopted the budget.", "The National Assembly passed the budget."),
    ("« Nous ne céderons pas »", '"We will not give in"'),
]


@pytest.mark.parametrize(("hyp", "ref"), PAIRS)
def test_sentence_scores_equal_sacrebleu(hyp: str, ref: str) -> None:
    got = sentence_scores(hyp, ref)
    assert got["chrf"] == round(sacrebleu.sentence_chrf(hyp, [ref]).score, 4)
    assert got["bleu"] == round(sacrebleu.sentence_bleu(hyp, [ref]).score, 4)
    assert got["ter"] == round(sacrebleu.sentence_ter(hyp, [ref]).score, 4)


@pytest.mark.parametrize("split", [1, 2, 3, len(PAIRS)])
def test_corpus_scores_equal_sacrebleu_in_any_chunking(split: int) -> None:
    hyps, refs = [h for h, _ in PAIRS], [r for _, r in PAIRS]
    stats = CorpusStats()
    for i in range(0, len(PAIRS), split):
        stats.add(hyps[i : i + split], refs[i : i + split])
    got = stats.scores()
    assert stats.pairs == len(PAIRS)
    assert got["bleu"] == round(sacrebleu.corpus_bleu(hyps, [refs]).score, 4)
    assert got["chrf"] == round(sacrebleu.corpus_chrf(hyps, [refs]).score, 4)
    assert got["ter"] == round(sacrebleu.corpus_ter(hyps, [refs]).score, 4)


def test_signatures_are_sacrebleus() -> None:
    sigs = signatures()
    h, r = ["a b c"], [["a b d"]]
    for name, metric in [
        ("bleu", sacrebleu.BLEU()),
        ("chrf", sacrebleu.CHRF()),
        ("ter", sacrebleu.TER()),
    ]:
        metric.corpus_score(h, r)
        assert sigs[name] == metric.get_signature().format()
    assert "eff:yes" in sigs["sentence_bleu"] and "eff:no" in sigs["bleu"]


def test_no_reference_gives_empty_cells_and_a_note() -> None:
    doc = Document("d", "One sentence. Two sentences.", "x.jsonl")
    cols, metrics, notes = document_metrics(doc, segment(doc))
    assert [dict(c) for c in cols] == [dict.fromkeys(("ref_level", "chrf", "bleu", "ter"))] * 2
    assert all(v is None for _, v in metrics)
    assert notes == (NO_REFERENCE,)


@pytest.mark.parametrize(
    ("target", "reference", "level"),
    [
        ("It rains. It pours.", "It is raining. It is pouring.", "sentence"),
        ("It rains. It pours.", "It is raining and pouring.", "segment"),
        # one target sentence pairs with the whole reference (no note: nothing is coarser)
        ("It is raining and pouring.", "It rains. It pours.", "sentence"),
        ("It rains. It pours.\nThe end.", "It is raining and pouring.\nThe end.", "line"),
    ],
)
def test_sentence_or_segment_level(target: str, reference: str, level: str) -> None:
    doc = Document("d", target, "x.jsonl", reference=reference)
    sents = segment(doc)
    cols, metrics, notes = document_metrics(doc, sents)
    pairing = pair_units(doc, sents, reference)
    assert pairing.level == level
    assert dict(metrics)["ref_level"] == level
    for unit in pairing.units:
        want = round(sacrebleu.sentence_chrf(unit.target, [unit.other]).score, 4)
        for i in unit.sentences:
            assert dict(cols[i]) == dict(cols[i]) | {"ref_level": level, "chrf": want}
    hyps, refs = [u.target for u in pairing.units], [u.other for u in pairing.units]
    assert dict(metrics)["corpus_bleu"] == round(sacrebleu.corpus_bleu(hyps, [refs]).score, 4)
    assert (level == "sentence") == (not notes)
    if notes:
        assert f"ref_level={level}" in notes[0]


@pytest.mark.parametrize(
    ("xs", "ys"),
    [([1, 2, 3, 4], [2, 4, 5, 9]), ([1, 2, 2, 3], [3, 2, 2, 1]), ([0.5, 0.1, 0.9], [10, 30, 5])],
)
def test_correlations(xs: list[float], ys: list[float]) -> None:
    assert pearson(xs, ys) == pytest.approx(statistics.correlation(xs, ys), abs=1e-4)
    # Spearman = Pearson on average ranks (ties share the mean rank)
    rank = {1: [1, 2.5, 2.5, 4], 2: [4, 2.5, 2.5, 1]}
    if xs == [1, 2, 2, 3]:
        assert spearman(xs, ys) == pytest.approx(statistics.correlation(rank[1], rank[2]), abs=1e-4)
    assert pearson([1, 1], [1, 2]) is None


def test_lm_chrf_correlation_reads_sentence_rows(tmp_path: Path) -> None:
    rows = [
        {"score": "0.9", "ppl": "80", "chrf": "20", "ref_level": "sentence"},
        {"score": "0.5", "ppl": "40", "chrf": "50", "ref_level": "sentence"},
        {"score": "0.1", "ppl": "20", "chrf": "90", "ref_level": "sentence"},
        {"score": "0.1", "ppl": "20", "chrf": "10", "ref_level": "segment"},
        {"score": "0.2", "ppl": "25", "chrf": "", "ref_level": ""},
    ]
    with (tmp_path / "sentences.csv").open("w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    got = lm_chrf_correlation(tmp_path)
    assert got["n"] == 3 and got["skipped_line_or_segment_level"] == 1
    assert got["score"]["spearman"] == -1.0
    assert got["score"]["pearson"] == pytest.approx(
        statistics.correlation([0.9, 0.5, 0.1], [20, 50, 90]), abs=1e-4
    )


def test_lm_chrf_correlation_names_a_folder_that_is_no_run(tmp_path: Path) -> None:
    """A missing folder was a raw FileNotFoundError."""
    fix = "pass the output folder of a `mtqa check --reference FILE` run"
    with pytest.raises(InputError) as err:
        lm_chrf_correlation(tmp_path / "nope")
    assert str(err.value) == f"{tmp_path / 'nope'}: no such folder; {fix}"
    with pytest.raises(InputError) as err:
        lm_chrf_correlation(str(tmp_path))
    assert str(err.value) == f"{tmp_path}: no sentences.csv in it; {fix}"
    (tmp_path / "sentences.csv").write_bytes(b"score,chrf\r\n\xff\r\n")
    with pytest.raises(InputError) as err:
        lm_chrf_correlation(tmp_path)
    assert str(err.value) == f"{tmp_path / 'sentences.csv'}: cannot read the table (not UTF-8 text)"


def test_pipeline_columns_and_run_json(tmp_path: Path, fake_settings: Settings) -> None:
    out = tmp_path / "out"
    summary = run_check([str(EXAMPLE)], fake_settings, out, lambda s: FakeScorer())
    assert not summary.failures
    rows = list(csv.DictReader((out / "sentences.csv").open(encoding="utf-8", newline="")))
    for col in ("ref_level", "chrf", "bleu", "ter", "src_level", "src_flags", "len_ratio"):
        assert col in rows[0], col
    by_doc: dict[str, list[dict[str, str]]] = {}
    for r in rows:
        by_doc.setdefault(r["doc_id"], []).append(r)
    assert {r["ref_level"] for r in by_doc["split-differently"]} == {"segment"}
    assert {r["src_level"] for r in by_doc["no-source"]} == {""}  # empty, not 0
    assert {r["src_flags"] for r in by_doc["no-source"]} == {""}
    recs = {}
    for line in EXAMPLE.read_text(encoding="utf-8").splitlines():
        d = json.loads(line)
        recs[d["id"]] = d
    one = recs["untranslated"]
    (row,) = by_doc["untranslated"]
    assert float(row["chrf"]) == round(
        sacrebleu.sentence_chrf(one["target"], [one["reference"]]).score, 4
    )
    run = json.loads((out / "run.json").read_text(encoding="utf-8"))
    refs = run["references"]
    assert refs["documents_with_reference"] == len(recs)
    assert refs["corpus"]["chrf"]["signature"].startswith("nrefs:1|case:mixed|eff:yes|nc:6")
    assert run["sources"]["documents_without_source"] == 1
    segs = {
        json.loads(x)["id"]: json.loads(x) for x in (out / "segments.jsonl").open(encoding="utf-8")
    }
    assert any("no source given" in n for n in segs["no-source"]["notes"])
    assert any("ref_level=segment" in n for n in segs["split-differently"]["notes"])
    for s in segs["kuleba-geneva"]["spans"]:
        assert segs["kuleba-geneva"]["text"][s["start"] : s["end"]] == s["text"]
    assert any(
        s["source"] == "rule:src-names" and s["text"] == "Kuleba"
        for s in segs["kuleba-geneva"]["spans"]
    )
    assert any(
        s["source"] == "rule:src-numbers" and s["text"] == "14,000"
        for s in segs["kuleba-geneva"]["spans"]
    )


def _cli(tmp_path: Path, fake_calibration: Path, *extra: str) -> list[str]:
    return [
        "check",
        *extra,
        "-o",
        str(tmp_path / "out"),
        "--model",
        "fake",
        "--calibration",
        str(fake_calibration),
        "--quiet",
    ]


def test_cli_reference_line_count_mismatch(
    tmp_path: Path, fake_calibration: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    hyp, ref = tmp_path / "hyp.txt", tmp_path / "ref.txt"
    hyp.write_text("First line.\nSecond line.\n", encoding="utf-8")
    ref.write_text("Only one line.\n", encoding="utf-8")
    code = main(_cli(tmp_path, fake_calibration, str(hyp), "--reference", str(ref)))
    assert code == 1
    err = capsys.readouterr().err
    assert f"{ref}: --reference file has 1 line but {hyp} has 2" in err


def test_cli_reference_needs_one_txt_input(
    tmp_path: Path, fake_calibration: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ref = tmp_path / "ref.txt"
    ref.write_text("x\n", encoding="utf-8")
    code = main(_cli(tmp_path, fake_calibration, str(EXAMPLE), "--reference", str(ref)))
    assert code == 2
    assert "--reference needs exactly one .txt input" in capsys.readouterr().err


def test_cli_reference_faults_name_the_option_and_come_once(
    tmp_path: Path, fake_calibration: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A folder as --reference read like an input ('is a folder, not a file'); a missing
    input with --reference got a second, wrong error ('needs exactly one .txt input')."""
    hyp = tmp_path / "hyp.txt"
    hyp.write_text("First line.\n", encoding="utf-8")
    assert main(_cli(tmp_path, fake_calibration, str(hyp), "--reference", str(tmp_path))) == 1
    assert f"{tmp_path}: --reference file: is a folder, not a file" in capsys.readouterr().err
    missing = tmp_path / "nothere.txt"
    assert main(_cli(tmp_path, fake_calibration, str(missing), "--reference", str(hyp))) == 1
    err = capsys.readouterr().err
    assert f"{missing}: no such file or folder" in err
    assert "needs exactly one" not in err


def test_a_line_empty_in_the_target_is_noted_and_counted_as_an_empty_translation() -> None:
    """A reference line against an empty target line is an untranslated line, not nothing:
    a note names it and the corpus scores count it as sacrebleu on the two files does."""
    target = "First para here.\n\nSecond para here.\n"
    reference = "First para here.\nOrphan ref line.\nSecond para there.\n"
    doc = Document("d", target, "t.txt", reference=reference)
    _, metrics, notes = document_metrics(doc, segment(doc))
    assert any("target is empty for line 2 (1 of 3 lines) where the reference" in n for n in notes)
    hyps, refs = ["First para here.", "", "Second para here."], reference.splitlines()
    assert dict(metrics)["corpus_chrf"] == round(sacrebleu.corpus_chrf(hyps, [refs]).score, 4)
    run = RunReferences()
    run.add(doc)
    out = run.as_dict()
    assert out["lines_untranslated"] == 1
    assert out["corpus"]["bleu"]["score"] == round(sacrebleu.corpus_bleu(hyps, [refs]).score, 4)


def test_each_pair_is_measured_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """TER grows faster than quadratically with a line's words; its statistics were
    extracted three times per pair (sentence, document corpus, run corpus): a 20,000-word
    line took three minutes."""
    from sacrebleu.metrics import TER

    seen: list[str] = []
    real = TER._extract_corpus_statistics

    def counting(self: TER, hyps: list[str], refs: list[list[str]]) -> list[list[float]]:
        seen.extend(h for h in hyps if h != "a")  # "a": the signature's warm-up
        return real(self, hyps, refs)

    monkeypatch.setattr(TER, "_extract_corpus_statistics", counting)
    target = "A unique first sentence here. A unique second one there."
    doc = Document("d", target, "x.jsonl", reference="A first sentence. A second one.")
    document_metrics(doc, segment(doc))
    run = RunReferences()
    run.add(doc)
    run.as_dict()
    assert sorted(seen) == sorted(s.text for s in segment(doc))
