"""End to end with the fake scorer: read → segment → score → align → detect → report."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path

from mtqa.lm.fake import FakeScorer
from mtqa.pipeline import run_check
from mtqa.settings import Settings

from .conftest import SEED


def run(tmp_path: Path, settings: Settings, *inputs: str):  # type: ignore[no-untyped-def]
    return run_check(list(inputs), settings, tmp_path / "out", lambda s: FakeScorer())


def test_seed_report(tmp_path: Path, fake_settings: Settings) -> None:
    summary = run(tmp_path, fake_settings, str(SEED))
    out = tmp_path / "out"
    text = SEED.read_text(encoding="utf-8")
    rows = list(csv.DictReader((out / "sentences.csv").open(encoding="utf-8", newline="")))
    assert len(rows) == summary.sentences == 23
    assert [r["sent_id"] for r in rows] == [str(i) for i in range(1, 24)]
    for r in rows:
        assert text[int(r["start"]) : int(r["end"])] == r["text"]
    # the fake scores "massaging"/"insupports"/"cenacle" at 20 bits: each is a major lm span
    recs = [json.loads(line) for line in (out / "segments.jsonl").open(encoding="utf-8")]
    assert len(recs) == 1 and recs[0]["text"] == text
    lm = [s for s in recs[0]["spans"] if s["source"] == "lm"]
    for word in ("massaging", "insupports", "cenacle"):
        assert any(word in s["text"] and s["severity"] == "major" for s in lm), word
    for s in recs[0]["spans"]:
        assert text[s["start"] : s["end"]] == s["text"]
    flagged = {r["text"] for r in rows if r["flagged"] == "True"}
    assert any("insupports" in t for t in flagged)
    run_json = json.loads((out / "run.json").read_text(encoding="utf-8"))
    assert run_json["signature"].startswith("mtqa:0.1.0|model:fake|dtype:float32|ctx:doc")
    assert run_json["counts"]["sentences"] == 23


def test_jsonl_tsv_and_folder(tmp_path: Path, fake_settings: Settings) -> None:
    d = tmp_path / "in"
    (d / "sub").mkdir(parents=True)
    (d / "a.jsonl").write_text(
        json.dumps({"id": "x1", "target": "Hello there. General Kenobi."})
        + "\n"
        + json.dumps({"text": "Fallback text field."})
        + "\n",
        encoding="utf-8",
    )
    (d / "sub" / "b.tsv").write_text("id\ttarget\nrow1\tA tab separated row.\n", encoding="utf-8")
    (d / "c.txt").write_text("Plain article.", encoding="utf-8")
    summary = run(tmp_path, fake_settings, str(d))
    assert not summary.failures
    recs = [json.loads(x) for x in (tmp_path / "out" / "segments.jsonl").open(encoding="utf-8")]
    assert [r["id"] for r in recs] == ["x1", "a:2", "c", "row1"]


def test_import_direction() -> None:
    code = (
        "import sys, mtqa, mtqa.pipeline, mtqa.cli; "
        "bad = [m for m in ('torch', 'transformers', 'pandas') if m in sys.modules]; "
        "print(bad)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
