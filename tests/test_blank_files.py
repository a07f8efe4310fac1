"""A file of only blank lines says what it holds, never "empty file".

A `.jsonl` input of three blank lines was "empty file: no records"; a `.tsv`/`.csv` of blank
lines was "header has no 'target' or 'text' column: []"; XLIFF, PO and TMX said "empty file";
the gold file of `mtqa eval` "no gold records", and a run whose segments.jsonl held only blank
lines made every gold record "not in this run". Each now says what the file holds (`3 blank
lines and no record`, `2 lines of only whitespace`) with the fix, and an empty file is still
"empty file".
"""

from __future__ import annotations

from pathlib import Path

import pytest

from mtqa.cli import main
from mtqa.readers import read_inputs, read_stream
from mtqa.records import Failure
from mtqa.text import blank

BLANK = "\n\n\n"  # 3 blank lines
SPACES = " \n\t\r\n"  # 2 lines of only whitespace

UNITS = "no translated units to score; remove it or add translations"
#: suffix -> (what a blank file lacks, joined to what it holds, and the fix)
SAID = {
    ".jsonl": (
        " and no record; add one JSON object per line",
        "empty file: no records; add one JSON object per line",
    ),
    ".tsv": (
        " and no header row; add a header row naming the columns",
        "empty file: nothing to score; remove it or add a header row naming the columns and a"
        " row per text",
    ),
    ".csv": (
        " and no header row; add a header row naming the columns",
        "empty file: nothing to score; remove it or add a header row naming the columns and a"
        " row per text",
    ),
    ".txt": (
        ": nothing to score; remove it or add text",
        "empty file: nothing to score; remove it or add text",
    ),
    ".xlf": (f": {UNITS}", f"empty file: {UNITS}"),
    ".xliff": (f": {UNITS}", f"empty file: {UNITS}"),
    ".po": (f": {UNITS}", f"empty file: {UNITS}"),
    ".tmx": (f": {UNITS}", f"empty file: {UNITS}"),
}


def test_blank_says_what_a_file_holds() -> None:
    assert [blank(t) for t in ("", BLANK, SPACES, "  ", "\r\r\n", "\n")] == [
        None,
        "3 blank lines",
        "2 lines of only whitespace",
        "1 line of only whitespace",
        "2 blank lines",
        "1 blank line",
    ]


@pytest.mark.parametrize("suffix", list(SAID))
@pytest.mark.parametrize(
    ("content", "held"),
    [("", None), (BLANK, "3 blank lines"), (SPACES, "2 lines of only whitespace")],
    ids=["empty", "blank", "spaces"],
)
def test_an_input_of_blank_lines(
    tmp_path: Path, suffix: str, content: str, held: str | None
) -> None:
    path = tmp_path / f"x{suffix}"
    path.write_bytes(content.encode())
    blank_said, empty_said = SAID[suffix]
    assert list(read_inputs([str(path)])) == [
        Failure(str(path), None, empty_said if held is None else held + blank_said)
    ]


@pytest.mark.parametrize("fmt", ["jsonl", "tsv", "csv", "txt"])
def test_standard_input_of_blank_lines(fmt: str) -> None:
    blank_said, _ = SAID[f".{fmt}"]
    assert list(read_stream(b"\xef\xbb\xbf" + BLANK.encode(), fmt)) == [
        Failure("<stdin>", None, "3 blank lines" + blank_said)
    ]


def test_a_reference_file_of_blank_lines(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("One.\nTwo.\n", encoding="utf-8")
    (tmp_path / "ref.txt").write_text(BLANK, encoding="utf-8")
    assert list(read_inputs([str(tmp_path / "a.txt")], reference=str(tmp_path / "ref.txt"))) == [
        Failure(
            str(tmp_path / "ref.txt"),
            None,
            f"reference file holds 3 blank lines but {tmp_path / 'a.txt'} has 2 lines; it must "
            "align line by line with the input",
        )
    ]


HINT = (
    'mtqa eval reads JSON lines, one gold record per line: {"id", "target", "spans": '
    '[{"start", "end", "severity", "category"}]}'
)


def run_folder(tmp_path: Path, segments: str) -> Path:
    run = tmp_path / "run"
    run.mkdir()
    (run / "segments.jsonl").write_text(segments, encoding="utf-8")
    return run


def test_eval_of_a_gold_file_or_a_run_of_blank_lines(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    record = '{"id": "a", "text": "The cat.", "score": 0.1, "spans": [], "sentences": []}\n'
    run = run_folder(tmp_path, record)
    gold = tmp_path / "gold.jsonl"
    for content, said in [
        (BLANK, "3 blank lines and no gold record"),
        (SPACES, "2 lines of only whitespace and no gold record"),
        ("", "empty file: no gold records"),
    ]:
        gold.write_text(content, encoding="utf-8")
        assert main(["eval", str(gold), str(run)]) == 1
        assert capsys.readouterr().err == f"mtqa: error: {gold}: {said}; {HINT}\n"
    gold.write_text('{"id": "a", "target": "The cat.", "spans": []}\n', encoding="utf-8")
    (run / "segments.jsonl").write_text(BLANK, encoding="utf-8")
    assert main(["eval", str(gold), str(run)]) == 1
    assert capsys.readouterr().err == (
        f"mtqa: error: {run / 'segments.jsonl'}: 3 blank lines and no document record; it is "
        "written by `mtqa check --format jsonl`: rerun that rather than edit the file\n"
    )


def test_review_of_a_sheet_of_blank_lines(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "r.csv"
    path.write_bytes(b"\xef\xbb\xbf\r\n\r\n")
    assert main(["review", str(path)]) == 1
    assert capsys.readouterr().err == (
        f"mtqa: error: {path}: 2 blank lines: nothing to review; pass the sentences.csv or "
        "verdicts-*.csv you reviewed\n"
    )


def test_synth_of_a_clean_file_of_blank_lines(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    clean = tmp_path / "clean.txt"
    clean.write_text(SPACES, encoding="utf-8")
    assert main(["synth", str(clean), "-o", str(tmp_path / "g.jsonl")]) == 1
    assert capsys.readouterr().err == (
        f"mtqa: error: {clean}: 2 lines of only whitespace and no text line; synth needs 1 or "
        "more\n"
    )
