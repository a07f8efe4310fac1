"""End to end with the fake scorer: read → segment → score → align → detect → report."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from mtqa.errors import UsageError
from mtqa.lm.fake import FakeScorer
from mtqa.pipeline import run_check
from mtqa.readers import read_inputs
from mtqa.settings import Settings
from mtqa.stream import run_stream

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


def test_one_path_is_one_input_and_a_str_outdir_is_a_folder(
    tmp_path: Path, fake_settings: Settings
) -> None:
    """A single str was iterated character by character ("/" became an input: the whole
    file system walked), and a str outdir crashed with a TypeError in outdir.py."""
    texts = tmp_path / "texts"
    texts.mkdir()
    (texts / "a.txt").write_text("The council met on Monday.\n", encoding="utf-8")
    one = run_check(f"{texts}/", fake_settings, str(tmp_path / "one"), lambda s: FakeScorer())
    assert one.outdir == tmp_path / "one" and one.documents == 1 and not one.failures
    both = run_check(texts, fake_settings, tmp_path / "two", lambda s: FakeScorer())
    assert both.documents == 1
    assert (tmp_path / "one" / "sentences.csv").read_bytes() == (
        tmp_path / "two" / "sentences.csv"
    ).read_bytes()
    listed = run_check(
        (texts / "a.txt",), fake_settings, tmp_path / "three", lambda s: FakeScorer()
    )
    assert listed.documents == 1
    assert [d.doc_id for d in read_inputs(str(texts))] == ["a"]  # the readers take it so too
    with pytest.raises(UsageError, match="inputs: expected a path .* not set"):
        list(read_inputs({str(texts)}))  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("inputs", "settings", "outdir", "message"),
    [
        (
            {"a.txt"},
            None,
            "out",
            "inputs: expected a path (str or pathlib.Path) or a list of paths, not set",
        ),
        (
            b"a.txt",
            None,
            "out",
            "inputs: expected a path (str or pathlib.Path) or a list of paths, not bytes",
        ),
        (["a.txt", 5], None, "out", "inputs[1]=5: expected a path (str or pathlib.Path), not int"),
        (["a.txt"], None, 5, "outdir=5: expected a folder path (str or pathlib.Path), not int"),
        (["a.txt"], None, "", "outdir='': empty path; name the output folder"),
        (
            ["a.txt"],
            {"model": "fake"},
            "out",
            "settings: expected a mtqa.settings.Settings (Settings(model=..., ...)), not dict",
        ),
    ],
)
def test_inputs_settings_and_outdir_of_another_type_are_usage_errors(
    tmp_path: Path,
    fake_settings: Settings,
    inputs: object,
    settings: object,
    outdir: object,
    message: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(tmp_path)
    given = settings or fake_settings
    with pytest.raises(UsageError) as err:
        run_check(inputs, given, outdir)  # type: ignore[arg-type]
    assert str(err.value) == message
    if not message.startswith("outdir"):  # a stream run has no outdir
        with pytest.raises(UsageError) as err:
            run_stream(inputs, given, "jsonl", io.StringIO())  # type: ignore[arg-type]
        assert str(err.value) == message
    assert list(tmp_path.iterdir()) == []  # nothing read or written
