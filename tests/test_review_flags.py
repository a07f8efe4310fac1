"""`mtqa review` checks a verdict export of report.html against the run, as a sentences.csv.

The export has one row per flag of the run (doc_id, sent_id, span_start, span_end, source).
A reviewed `sentences.csv` was checked against the run that wrote it (`--run`, or the run
beside it), but an export was not: a deleted row, a row of a flag the run does not have and
a pasted repeat passed silently (exit 0), and `--run` was refused for it. Each is named now,
with the fix (mtqa.quality.coverage.check_flag_rows).
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest

from mtqa.cli import main
from mtqa.errors import InputError
from mtqa.lm.fake import FakeScorer
from mtqa.pipeline import run_check
from mtqa.quality.review import review
from mtqa.quality.verdicts import SpanReport
from mtqa.report.html import EXPORT_COLUMNS
from mtqa.settings import Settings

#: a, then b: LM flags on the loud words, a broken join in b
TEXTS = {
    "a.txt": "The cenacle was massaging the zzyzx figures. It rained today.\n",
    "b.txt": "The council met. is rebel. It was zzyzx.\n",
}
EXPORT_AGAIN = (
    "put them back: undo the deletion, or export the verdicts from report.html again (the "
    "page keeps them)"
)
_FLAG = re.compile(
    r'<bdi class=did>([^<]*)|<div class="sent [^"]*" data-i=(\d+)'
    r'|<li class="issue (\w+)"[^>]* data-s=(\d+) data-e=(\d+) data-sc="([^"]+)"[^>]*>'
    r".*?<code class=src>([^<]*)"
)


def make_run(tmp_path: Path, fake_calibration: Path, formats: tuple[str, ...]) -> Path:
    texts = tmp_path / "texts"
    texts.mkdir()
    for name, text in TEXTS.items():
        (texts / name).write_text(text, encoding="utf-8")
    out = tmp_path / "out"
    settings = Settings(model="fake", calibration=str(fake_calibration), formats=formats)
    run_check([str(texts)], settings, out, lambda s: FakeScorer())
    return out


def export_rows(report: Path) -> list[list[str]]:
    """The rows report.html's export button writes (report.js exportCsv), each marked
    correct: one per flag card, with its document's id and its sentence's number."""
    rows = [list(EXPORT_COLUMNS)]
    doc = sent = ""
    for m in _FLAG.finditer(report.read_text(encoding="utf-8")):
        if m.group(1) is not None:
            doc = m.group(1)
        elif m.group(2) is not None:
            sent = m.group(2)
        else:
            severity, start, end, score, source = m.group(3, 4, 5, 6, 7)
            cells = dict(doc_id=doc, sent_id=sent, span_start=start, span_end=end, span_text="x")
            cells |= dict(severity=severity, source=source, score=score, verdict="correct")
            rows.append([cells.get(c, "") for c in EXPORT_COLUMNS])
    return rows


def write(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f, lineterminator="\r\n").writerows(rows)
    return path


def test_the_export_of_a_run_is_checked_against_it(
    tmp_path: Path, fake_calibration: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = make_run(tmp_path, fake_calibration, ("csv", "jsonl", "html"))
    rows = export_rows(out / "report.html")
    assert [r[:4] + r[6:7] for r in rows[1:]] == [
        ["a", "1", "4", "11", "lm"],
        ["a", "1", "16", "25", "lm"],
        ["a", "1", "30", "35", "lm"],
        ["b", "1", "12", "19", "rule:broken-join"],
        ["b", "2", "34", "39", "lm"],
    ]
    downloads = tmp_path / "downloads"
    downloads.mkdir()
    sheet = write(downloads / "verdicts-1f0c3a9e.csv", rows)
    assert main(["review", str(sheet), "--run", str(out)]) == 0  # complete: nothing to say
    assert capsys.readouterr().err == ""

    repeat = [*rows[2][:-3], "", "", "r"]  # pasted again, no verdict
    stranger = [*rows[5][:2], "33", *rows[5][3:]]  # an offset edited: b#2 33-39
    write(sheet, [rows[0], rows[1], rows[2], repeat, rows[4], stranger])  # a#1 30-35 deleted
    segments = out / "segments.jsonl"
    assert main(["review", str(sheet), "--run", str(out)]) == 1
    text, err = capsys.readouterr()
    assert err == (
        f"{sheet}:row 4 (a#1): repeats row 3 (same doc_id, sent_id, span_start, span_end and "
        "source); delete the repeat\n"
        f"{sheet}: 2 flag(s) of the run ({segments}) have no row: a#1 30-35 lm, b#2 34-39 lm; "
        f"a deleted row drops its flag from the review; {EXPORT_AGAIN}\n"
        f"{sheet}:row 6 (b#2): the run ({segments}) has no flag b#2 33-39 lm: not counted; "
        "restore the row's doc_id, sent_id, span_start, span_end and source as report.html "
        "exported them, or delete the row\n"
    )
    assert text.endswith(
        "\n\n1 row(s) not counted (see the messages on stderr)\n"
        "2 flag(s) of the run have no row: not in this review (see the messages on stderr)\n"
    )
    rep = review(str(sheet), run=str(out))
    assert isinstance(rep, SpanReport)
    assert (rep.spans, rep.reviewed, rep.missing) == (5, 3, 2)  # b#2 33-39 is not counted

    beside = write(out / "verdicts-1f0c3a9e.csv", rows[:-1])  # the run found beside it
    assert main(["review", str(beside)]) == 1
    assert capsys.readouterr().err.startswith(
        f"{beside}: 1 flag(s) of the run ({segments}) have no row: b#2 34-39 lm; "
    )


def test_another_runs_export_is_refused(tmp_path: Path, fake_calibration: Path) -> None:
    out = make_run(tmp_path, fake_calibration, ("csv", "jsonl", "html"))
    rows = export_rows(out / "report.html")
    sheet = write(tmp_path / "v.csv", [rows[0], *([f"z{r[0]}", *r[1:]] for r in rows[1:])])
    with pytest.raises(InputError) as exc:
        review(str(sheet), run=str(out))
    assert str(exc.value) == (
        f"{sheet}: none of its 5 rows is a flag of the run in run={str(out)!r} "
        f"({out / 'segments.jsonl'}); review that run's report.html export, or pass run=DIR, "
        "the folder of the run whose report.html was reviewed"
    )


def test_a_run_without_segments_jsonl_cannot_check_an_export(
    tmp_path: Path, fake_calibration: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = make_run(tmp_path, fake_calibration, ("html",))
    sheet = write(tmp_path / "v.csv", export_rows(out / "report.html")[:-1])
    assert main(["review", str(sheet), "--run", str(out)]) == 0
    assert capsys.readouterr().err == (
        f"{sheet}: the run ({out / 'run.json'}) wrote no segments.jsonl, which lists its "
        "flags: rows deleted from the export, and rows whose flags are not the run's, cannot "
        "be found; keep jsonl in the --format of that mtqa check\n"
    )
