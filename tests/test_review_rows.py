"""`mtqa review` checks a reviewed sentences.csv against the run that wrote it.

A reviewer's spreadsheet loses rows (deleted by mistake), gains some (pasted twice) or
changes ids; the run's segments.jsonl (or run.json) knows its sentences, so each of these
is named with the fix, and the exit code is 1 (mtqa.quality.coverage).
"""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest

from mtqa.cli import main
from mtqa.errors import InputError, UsageError
from mtqa.lm.fake import FakeScorer
from mtqa.pipeline import run_check
from mtqa.quality.review import ReviewReport, review
from mtqa.settings import Settings

PUT_BACK = (
    "put them back: undo the deletion, or copy the rows from the sentences.csv mtqa wrote "
    "(rerunning the same mtqa check rewrites it from its stored results, without scoring; "
    "keep your reviewed sheet elsewhere first)"
)


def make_run(tmp_path: Path, fake_calibration: Path, formats: tuple[str, ...]) -> Path:
    """A run of two documents (a: 3 sentences, b: 2) into ``tmp_path/out``."""
    texts = tmp_path / "texts"
    texts.mkdir()
    (texts / "a.txt").write_text("One day. Two days. Three days.\n", encoding="utf-8")
    (texts / "b.txt").write_text("Four nights. Five nights.\n", encoding="utf-8")
    out = tmp_path / "out"
    settings = Settings(model="fake", calibration=str(fake_calibration), formats=formats)
    run_check([str(texts)], settings, out, lambda s: FakeScorer())
    return out


def edit(sheet: Path, change) -> list[list[str]]:  # type: ignore[no-untyped-def]
    """Mark every row ok, apply ``change`` to the rows (header first), save as a spreadsheet."""
    with sheet.open(encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f))
    for r in rows[1:]:
        r[-1] = "ok"
    rows = change(rows)
    with sheet.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f, lineterminator="\r\n").writerows(rows)
    return rows


def test_deleted_repeated_and_unknown_rows_are_named(
    tmp_path: Path, fake_calibration: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A deleted row silently left its sentence out of the review (exit 0); a row with an
    id the run does not have was counted."""
    out = make_run(tmp_path, fake_calibration, ("csv", "jsonl"))
    sheet = out / "sentences.csv"

    def change(rows: list[list[str]]) -> list[list[str]]:
        a2, b1 = rows[2], rows[4]
        repeat = [*a2[:-1], ""]  # pasted again, not reviewed
        stranger = [*b1[:1], "9", *b1[2:]]  # an id edited: b#9
        return [rows[0], rows[1], a2, rows[3], repeat, stranger]  # b#1 and b#2 deleted

    edit(sheet, change)
    assert main(["review", str(sheet)]) == 1
    text, err = capsys.readouterr()
    segments = out / "segments.jsonl"
    assert err == (
        f"{sheet}:row 5 (a#2): repeats row 3 (same doc_id and sent_id); delete the repeat\n"
        f"{sheet}: 2 sentence(s) of the run ({segments}) have no row: b#1, b#2; a deleted "
        f"row drops its sentence from the review; {PUT_BACK}\n"
        f"{sheet}:row 6 (b#9): the run ({segments}) has no sentence b#9: not counted; "
        "restore the row's doc_id and sent_id as mtqa wrote them, or delete the row\n"
    )
    assert text.endswith(
        "\n\n1 row(s) not counted (see the messages on stderr)\n"
        "2 sentence(s) of the run have no row: not in this review (see the messages on stderr)\n"
    )
    rep = review(str(sheet))
    assert isinstance(rep, ReviewReport)
    assert (rep.reviewed, rep.missing) == (3, 2)  # a#1, a#2, a#3; b#9 is not counted


def test_a_complete_sheet_passes_and_a_copy_names_its_run(
    tmp_path: Path, fake_calibration: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = make_run(tmp_path, fake_calibration, ("csv", "jsonl"))
    sheet = out / "sentences.csv"
    edit(sheet, lambda rows: rows)
    assert main(["review", str(sheet)]) == 0
    assert capsys.readouterr().err == ""
    copy = tmp_path / "reviewed.csv"
    shutil.copy(sheet, copy)
    edit(copy, lambda rows: rows[:-1])  # b#2 deleted
    assert main(["review", str(copy)]) == 0  # no run beside it: said, nothing to compare
    assert capsys.readouterr().err == (
        f"{copy}: no mtqa run beside it (run.json): rows deleted from the sheet, and rows "
        "whose ids are not the run's, cannot be found; pass --run DIR, the folder mtqa check "
        "wrote the sheet to\n"
    )
    assert main(["review", str(copy), "--run", str(out)]) == 1
    assert capsys.readouterr().err.startswith(
        f"{copy}: 1 sentence(s) of the run ({out / 'segments.jsonl'}) have no row: b#2; "
    )
    with pytest.raises(UsageError, match=r"^run='.*texts': no run.json of mtqa check in it"):
        review(str(copy), run=str(tmp_path / "texts"))
    # a file of the run names its folder ("--run out/run.json: no run.json … in it")
    assert main(["review", str(copy), "--run", str(out / "run.json")]) == 1
    assert capsys.readouterr().err.startswith(
        f"{copy}: 1 sentence(s) of the run ({out / 'segments.jsonl'}) have no row: b#2; "
    )


def test_another_runs_sheet_is_refused(tmp_path: Path, fake_calibration: Path) -> None:
    out = make_run(tmp_path, fake_calibration, ("csv", "jsonl"))
    sheet = tmp_path / "other.csv"
    sheet.write_text(
        "doc_id,sent_id,score,severity,spans,review\r\nz,1,0.5,none,,ok\r\nz,2,0.5,none,,ok\r\n",
        encoding="utf-8",
    )
    with pytest.raises(InputError) as exc:
        review(str(sheet), run=str(out))
    assert str(exc.value) == (
        f"{sheet}: none of its 2 rows is a sentence of the run in run={str(out)!r} "
        f"({out / 'segments.jsonl'}); review that run's sentences.csv, or pass run=DIR, the "
        "folder of the run that wrote this sheet"
    )


def test_without_segments_jsonl_the_counts_are_compared(
    tmp_path: Path, fake_calibration: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A run without the jsonl format (a segments.jsonl there is an older run's: not read)."""
    out = make_run(tmp_path, fake_calibration, ("csv",))
    (out / "segments.jsonl").write_text('{"id": "old", "sentences": []}\n', encoding="utf-8")
    sheet = out / "sentences.csv"
    edit(sheet, lambda rows: rows[:2] + rows[3:5])  # a#2 and b#2 deleted
    assert main(["review", str(sheet)]) == 1
    assert capsys.readouterr().err == (
        f"{sheet}: the run ({out / 'run.json'}) has 5 sentences, the sheet 3 sentences: "
        f"2 deleted row(s) drop their sentences from the review; {PUT_BACK}\n"
    )
    edit(sheet, lambda rows: rows + [[*rows[1][:1], str(i), *rows[1][2:]] for i in (7, 8, 9)])
    assert main(["review", str(sheet)]) == 1
    assert capsys.readouterr().err == (
        f"{sheet}: the sheet has 6 sentences, the run ({out / 'run.json'}) 5: rows were "
        "added; delete them\n"
    )


def test_many_missing_sentences_are_counted_past_ten(
    tmp_path: Path, fake_calibration: Path
) -> None:
    texts = tmp_path / "texts"
    texts.mkdir()
    (texts / "a.txt").write_text(" ".join(f"Day {i} came." for i in range(14)) + "\n")
    out = tmp_path / "out"
    settings = Settings(model="fake", calibration=str(fake_calibration))
    run_check([str(texts)], settings, out, lambda s: FakeScorer())
    sheet = out / "sentences.csv"
    edit(sheet, lambda rows: rows[:2])  # a#1 kept, 13 deleted
    rep = review(str(sheet))
    assert isinstance(rep, ReviewReport) and rep.missing == 13
    shown = ", ".join(f"a#{i}" for i in range(2, 12))
    assert f"have no row: {shown} and 3 more; " in rep.problems[0].message
