"""A count of one takes the singular wherever a count meets a noun in what mtqa says
(``mtqa.text.counted``): every case here once said "1 sentences", "1 flags"..."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from mtqa.errors import CalibrationError, InputError
from mtqa.quality.calibrate import clean_lines
from mtqa.quality.evaluate import Evaluation, evaluate, format_evaluation
from mtqa.quality.fit import fit_percentile_detector
from mtqa.quality.review import format_review, review

JS = Path(__file__).resolve().parent.parent / "mtqa" / "report" / "templates" / "report.js"


def test_review_of_one_sentence_and_one_flag(tmp_path: Path) -> None:
    sheet = tmp_path / "r.csv"
    sheet.write_text("score,severity,spans,review\r\n0.7,minor,lm,error\r\n", encoding="utf-8")
    assert format_review(review(str(sheet))).startswith(f"{sheet}: 1 of 1 sentence reviewed, ")
    sheet.write_text(
        "doc_id,sent_id,span_start,span_end,severity,source,score,verdict\r\n"
        "d,1,0,1,major,lm,0.9,correct\r\n",
        encoding="utf-8",
    )
    text = format_review(review(str(sheet)))
    assert text.startswith(f"{sheet}: 1 of 1 flag reviewed: 1 correct, ")
    assert "keeps 1 of 1 reviewed LM flag, precision 1.000" in text
    sheet.write_text(
        "doc_id,sent_id,span_start,span_end,severity,source,score,suggested,fixed_text,verdict\r\n"
        "d,1,0,1,major,lm,0.9,cat,cat,fixed\r\n"
        "d,2,0,1,major,lm,0.8,,,false-alarm\r\n",
        encoding="utf-8",
    )
    text = format_review(review(str(sheet)))
    assert "suggestions: 1 reviewed flag had one; " in text
    sheet.write_text(
        "doc_id,sent_id,span_start,span_end,severity,source,score,verdict\r\n"
        "d,1,0,1,major,lm,0.9,false-alarm\r\n",
        encoding="utf-8",
    )
    text = format_review(review(str(sheet)))
    assert "none reaches it on this 1 reviewed LM flag (best precision 0.000)" in text


def test_calibration_with_one_line_or_one_word(tmp_path: Path) -> None:
    clean = tmp_path / "clean.txt"
    clean.write_text("One clean line.\n", encoding="utf-8")
    with pytest.raises(InputError, match="only 1 text line; calibration needs 50 or more$"):
        clean_lines(str(clean))
    with pytest.raises(CalibrationError, match="only 1 word; calibration needs at least 100"):
        fit_percentile_detector([1.0], model="fake", source="one")


def test_eval_of_one_segment_and_one_sentence(tmp_path: Path) -> None:
    seg = {"system": "S", "doc_id": "d", "seg_id": "0"}
    gold = tmp_path / "g.jsonl"
    gold.write_text(
        "".join(json.dumps({"id": "a", "target": "One.", **seg}) + "\n" for _ in range(2)),
        encoding="utf-8",
    )
    run = tmp_path / "run"
    run.mkdir()
    doc = {
        "id": "a",
        "text": "One.",
        "spans": [],
        "sentences": [{"start": 0, "end": 4, "score": 0.1}],
    }
    (run / "segments.jsonl").write_text(json.dumps(doc) + "\n", encoding="utf-8")
    (run / "run.json").write_text('{"signature": "mtqa:test"}\n', encoding="utf-8")
    (notice,) = evaluate(str(gold), str(run)).notices
    assert notice.startswith(f"{gold}: 2 records annotate 1 segment (same system")
    corr = {"n": 1, "score": {"spearman": None, "pearson": None}}
    ev = Evaluation({}, {}, "sig", corr)
    assert "LM score vs sentence chrF over 1 sentence: Spearman" in format_evaluation(ev)


@pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")
def test_report_js_status_line_counts() -> None:
    """report.html's status line said "1 flags" (and "of 1 documents")."""
    js = JS.read_text(encoding="utf-8")
    assert re.search(r"counted\(sents\.length, 'sentence'\)", js)
    assert re.search(r"counted\(docs\.length, 'document'\)", js)
    assert re.search(r"counted\(ni, 'flag'\)", js)
    (fn,) = re.findall(r"^ *(function counted\(n, noun\) \{.*\})$", js, re.M)
    out = subprocess.run(
        ["node", "-e", f"{fn}; console.log([0, 1, 2].map((n) => counted(n, 'flag')).join('|'))"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert out.strip() == "0 flags|1 flag|2 flags"


def test_a_check_with_an_empty_reference_line(fake_calibration: Path) -> None:
    import mtqa
    from mtqa.records import Document

    # an empty reference is no reference (no "1 of 1" note); an empty line of a
    # line-aligned one is an empty reference for that line
    one = mtqa.check(
        [Document("a", "The cat sat.", reference=" ")],
        model="fake",
        calibration=str(fake_calibration),
    )
    assert "no reference given: chrF/BLEU/TER not computed" in one.results[0].notes
    texts = [Document("a", "The cat sat.\nThe dog ran.\n", reference="\nLe chien.\n"), 5]
    result = mtqa.check(texts, model="fake", calibration=str(fake_calibration))
    assert "reference is empty for line 1 (1 of 2 lines): " in "\n".join(result.results[0].notes)
    assert re.fullmatch(
        r"CheckResult\(1 document\(s\), 2 sentences, \d flagged \(\d major\), 1 failure\)",
        repr(result),
    )
