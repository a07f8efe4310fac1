"""The error-injection generator: gold offsets exact, deterministic, every kind reachable."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

from mtqa.cli import main
from mtqa.quality.synth import INJECTORS, corrupt, make_records

SENTENCES = [
    "The minister currently said that the political crisis was not over, the officials added.",
    "However, the new government attended the meeting in Europe's capital on Thursday.",
    "“We will not accept this,” he said, warning that the protests would continue: many agree.",
    "Several thousand demonstrators gathered in the city centre to protest against the reform.",
    "The company said its shares had fallen sharply after the announcement of the results.",
]


@pytest.mark.parametrize("category", sorted(INJECTORS))
def test_each_kind_injects_with_exact_offsets(category: str) -> None:
    hits = 0
    for k, text in enumerate(SENTENCES * 4):
        rec = corrupt(text, random.Random(k), [category])
        if rec is None:
            continue
        hits += 1
        assert rec["target"] != text
        for s in rec["spans"]:
            assert rec["target"][s["start"] : s["end"]] == s["text"] != ""
            assert s["category"] == category and s["severity"] in ("minor", "major")
    assert hits > 0, f"{category} never applied"


def test_records_are_deterministic_and_about_half_corrupted() -> None:
    lines = SENTENCES * 40
    a, b = make_records(lines, seed=7), make_records(lines, seed=7)
    assert a == b and a != make_records(lines, seed=8)
    share = sum(1 for r in a if r["spans"]) / len(a)
    assert 0.35 < share < 0.6
    assert [r["id"] for r in a[:2]] == ["syn-1", "syn-2"]


def test_synth_command_writes_gold(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    clean = tmp_path / "clean.txt"
    clean.write_text("\n".join(SENTENCES * 20), encoding="utf-8")
    out = tmp_path / "dev.jsonl"
    assert main(["synth", str(clean), "-o", str(out), "--part", "all", "--limit", "30"]) == 0
    recs = [json.loads(x) for x in out.read_text(encoding="utf-8").splitlines()]
    assert len(recs) == 30
    n_err = sum(1 for r in recs if r["spans"])
    assert capsys.readouterr().err == f"{out}: 30 records, {n_err} with an injected error\n"


@pytest.mark.parametrize("command", ["synth", "calibrate"])
def test_a_clean_file_that_is_not_utf8_suggests_what_the_command_takes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], command: str
) -> None:
    """The message offered --encoding-errors replace, which synth and calibrate reject."""
    clean = tmp_path / "clean.txt"
    clean.write_bytes("\n".join(SENTENCES * 20).encode() + b"\ncaf\xe9\n")
    argv = [command, str(clean), "-o", str(tmp_path / "out.json")]
    assert main(argv + (["--model", "fake"] if command == "calibrate" else [])) == 1
    assert capsys.readouterr().err == (
        f"mtqa: error: {clean}:101: invalid UTF-8 at byte 8823 (0xe9); convert the file to "
        "UTF-8 (`iconv -f CHARSET -t UTF-8`)\n"
    )
    assert not (tmp_path / "out.json").exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--limit", "-3"], "--limit -3: must be 0 (all) or more"),
        (["--rate", "1.5"], "--rate 1.5: must be from 0 to 1 (the share of lines with an error)"),
        (["--rate", "-1"], "--rate -1.0: must be from 0 to 1 (the share of lines with an error)"),
    ],
)
def test_synth_refuses_meaningless_options(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    """--limit -3 silently dropped the last 3 records; --rate 1.5 and -1 were accepted."""
    clean = tmp_path / "clean.txt"
    clean.write_text("\n".join(SENTENCES * 20), encoding="utf-8")
    out = tmp_path / "dev.jsonl"
    assert main(["synth", str(clean), "-o", str(out), *args]) == 2
    assert capsys.readouterr().err == f"mtqa: error: {message}\n"
    assert not out.exists()


def test_synth_never_overwrites_its_input(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    clean = tmp_path / "clean.txt"
    text = "\n".join(SENTENCES * 20)
    clean.write_text(text, encoding="utf-8")
    assert main(["synth", "clean.txt", "-o", "./clean.txt"]) == 2
    assert capsys.readouterr().err == (
        "mtqa: error: -o ./clean.txt: is the input clean.txt; write the gold set elsewhere\n"
    )
    assert clean.read_text(encoding="utf-8") == text


def test_synth_says_what_it_needs_of_a_short_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Under 50 lines it said "calibration needs 50 or more"; synth needs only its part."""
    clean = tmp_path / "clean.txt"
    clean.write_text("\n".join(SENTENCES * 2), encoding="utf-8")  # 10 lines: 7 / 1 / 2
    out = tmp_path / "dev.jsonl"
    assert main(["synth", str(clean), "-o", str(out)]) == 0
    assert len(out.read_text(encoding="utf-8").splitlines()) == 2
    capsys.readouterr()
    clean.write_text(SENTENCES[0], encoding="utf-8")
    assert main(["synth", str(clean), "-o", str(out), "--part", "fit"]) == 1
    assert capsys.readouterr().err == (
        f"mtqa: error: {clean}: 1 text line: the fit part of calibrate's split (70% fit, 15% "
        "threshold, the rest dev) is empty; pass --part all or more lines\n"
    )
    clean.write_text("\n \n", encoding="utf-8")
    assert main(["synth", str(clean), "-o", str(out)]) == 1
    assert capsys.readouterr().err == (
        f"mtqa: error: {clean}: 2 lines of only whitespace and no text line; synth needs 1 or "
        "more\n"
    )
