"""sentences.csv for spreadsheets, and `mtqa review` reading the reviewers' verdicts back."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from mtqa.cli import main
from mtqa.errors import InputError
from mtqa.lm.fake import FakeScorer
from mtqa.pipeline import run_check
from mtqa.quality.review import ReviewReport, SpanReport, read_reviewed, review, wilson
from mtqa.quality.sheets import column_letter, read_sheet
from mtqa.records import DocumentResult, SentenceResult, Span
from mtqa.report.base import guard_cell, needs_guard, unguard_cell
from mtqa.report.html import EXPORT_COLUMNS
from mtqa.report.table import CsvWriter, read_table
from mtqa.settings import Settings

from .conftest import SEED

HEADER = ["doc_id", "sent_id", "text", "score", "flagged", "severity", "spans", "review"]
#: the notice on a sentences sheet with no run beside it (mtqa.quality.coverage), row 0
NO_RUN = (
    "no mtqa run beside it (run.json): rows deleted from the sheet, and rows whose ids are "
    "not the run's, cannot be found; pass --run DIR, the folder mtqa check wrote the sheet to"
)
NO_RUN_API = NO_RUN.replace("--run DIR", "run=DIR")  # review() called from Python
# (doc_id, sent_id, text, score, severity, spans, review). Expected numbers, by hand:
# flagged rows 1-4: 3 errors of 4 (major 2/2, minor 1/2; lm 3/3, rule:join 1/2);
# unflagged reviewed rows 5-6: 1 error of 2; row 7 not reviewed; row 8 "okay" is unknown.
# Ranked by score: E E E ok E ok -> precision 1 1 1 .75 .8 .667: the lowest score reaching
# 0.8 is 0.45 (5 flagged, 4 errors, recall 4/4); reaching 0.9 it is 0.991 (3, recall 3/4).
ROWS = [
    ("d1", 1, "One, two.", "0.999", "major", '"x" major: lm', "error"),
    ("d1", 2, 'He said "y".', "0.995", "major", '"y" major: lm; "z" minor: rule:join', "Error"),
    ("d1", 3, "W.", "0.99", "minor", '"w" minor: rule:join', " ok "),
    ("d1", 4, "V.", "0.991", "minor", '"v" minor: lm', "error"),
    ("d2", 1, "two\nlines", "0.40", "none", "", "ok"),
    ("d2", 2, "Six.", "0.45", "none", "", "error"),
    ("d2", 3, "Seven.", "0.30", "none", "", ""),
    ("d2", 4, "Eight.", "0.2", "none", "", "okay"),
]


def write_reviewed(
    path: Path, delimiter: str = ",", bom: bool = False, comma: bool = False
) -> Path:
    with path.open("w", encoding="utf-8-sig" if bom else "utf-8", newline="") as f:
        w = csv.writer(f, delimiter=delimiter, lineterminator="\r\n")
        w.writerow(HEADER)
        for doc, sid, text, score, sev, spans, verdict in ROWS:
            flagged = "TRUE" if sev != "none" else "FALSE"
            w.writerow(
                [
                    doc,
                    sid,
                    text,
                    score.replace(".", ",") if comma else score,
                    flagged,
                    sev,
                    spans,
                    verdict,
                ]
            )
    return path


@pytest.mark.parametrize(
    ("delimiter", "bom", "comma"),
    [(",", False, False), (";", True, True), ("\t", False, False)],
    ids=["as-written", "excel-semicolon-bom-decimal-comma", "tab"],
)
def test_numbers(tmp_path: Path, delimiter: str, bom: bool, comma: bool) -> None:
    rep = review(str(write_reviewed(tmp_path / "r.csv", delimiter, bom, comma)), 0.8)
    assert (rep.rows, rep.reviewed, rep.errors) == (8, 6, 4)
    assert (rep.flagged.n, rep.flagged.errors, rep.flagged.rate) == (4, 3, 0.75)
    assert [(r.group, r.n, r.errors, r.rate) for r in rep.by_severity] == [
        ("major", 2, 2, 1.0),
        ("minor", 2, 1, 0.5),
    ]
    assert [(r.group, r.n, r.errors, r.rate) for r in rep.by_source] == [
        ("lm", 3, 3, 1.0),
        ("rule:join", 2, 1, 0.5),
    ]
    assert (rep.unflagged.n, rep.unflagged.errors, rep.unflagged.rate) == (2, 1, 0.5)
    t = rep.threshold
    assert (t.score, t.flagged, t.precision, t.recall) == (0.45, 5, 0.8, 1.0)
    # row 9: the header is row 1 and the two-line cell of row 6 is still one row
    assert [(p.row, p.doc_id, p.sent_id) for p in rep.problems] == [(9, "d2", "4")]
    assert "'okay'" in rep.problems[0].message


@pytest.mark.parametrize(
    ("target", "expected"),
    [(0.9, (0.991, 3, 1.0, 0.75)), (1.0, (0.991, 3, 1.0, 0.75)), (0.5, (0.2, 7, 0.5714, 1.0))],
)
def test_threshold_targets(tmp_path: Path, target: float, expected: tuple) -> None:  # type: ignore[type-arg]
    rows = list(ROWS)
    rows[7] = rows[7][:6] + ("ok",)  # row 9 now counts: score 0.2, ok
    path = tmp_path / "r.csv"
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(HEADER)
        w.writerows([d, s, x, sc, "", sev, sp, v] for d, s, x, sc, sev, sp, v in rows)
    t = review(str(path), target).threshold
    assert (t.score, t.flagged, t.precision, t.recall) == expected


def test_no_threshold_reaches_target(tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    path.write_text(
        "score,severity,review\r\n0.9,major,ok\r\n0.8,minor,error\r\n", encoding="utf-8"
    )
    t = review(str(path), 0.8).threshold
    assert (t.score, t.best_precision) == (None, 0.5)


def test_wilson_interval() -> None:
    low, high = wilson(3, 4)
    assert round(low, 3) == 0.301 and round(high, 3) == 0.954  # standard Wilson 95% for 3/4


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("doc_id,score\r\nd,0.5\r\n", ":1: no 'review' or 'verdict' column in the header"),
        ("doc_id,review\r\nd,ok\r\n", ":1: no 'score', 'severity' columns in the header"),
        (
            "score,severity,review,verdict\r\n0.5,none,ok,\r\n",
            ":1: the header has both a 'review' and a 'verdict' column",
        ),
        (
            "score,severity,review,Review\r\n0.5,none,ok,\r\n",
            ":1: column D repeats the name 'review' of column C; rename or delete one of them",
        ),
        (
            "doc_id,verdict\r\nd,correct\r\n",
            ":1: no 'sent_id', 'span_start', 'span_end', 'severity', 'source' columns in the "
            "header; review the verdict export of report.html",
        ),
        (
            "doc_id,sent_id,span_start,span_end,severity,source,verdict\r\nd,1,0,1,major,lm,\r\n",
            "none of its 1 flag has a verdict; mark flags in report.html",
        ),
        ("score,severity,review\r\n0.5,none,\r\n", "none of its 1 sentence row is reviewed"),
    ],
)
def test_user_errors(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "r.csv"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(InputError, match=message):
        review(str(path))


def test_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    path.write_bytes("score,severity,review\r\n0.5,none,d\xe9j\xe0\r\n".encode("cp1252"))
    with pytest.raises(InputError, match=r"r\.csv:2: not UTF-8; save the sheet as 'CSV UTF-8'"):
        review(str(path))


def test_bad_score_is_a_problem(tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    path.write_text("score,severity,review\r\n#VALUE!,major,error\r\n0.9,major,error\r\n")
    rep = review(str(path))
    assert [(p.row, p.message.split(";")[0]) for p in rep.problems] == [
        (2, "score '#VALUE!' is not a number (column A ('score'))")
    ]
    assert rep.reviewed == 1


TABLE = """\
{path}: 6 of 8 sentences reviewed, 4 marked error

flag precision (share of reviewed flagged sentences marked error)
  group                    reviewed  errors precision  95% interval
  all flagged                     4       3     0.750  0.30-0.95
  by severity
    major                         2       2     1.000  0.34-1.00
    minor                         2       1     0.500  0.09-0.91
  by span source
    lm                            3       3     1.000  0.44-1.00
    rule:join                     2       1     0.500  0.09-0.91

unflagged sentences: 2 reviewed, 1 marked error, error rate 0.500 (95% interval 0.09-0.91)
threshold for precision >= 0.8: flag when score >= 0.4500 -> 5 reviewed sentences flagged, \
precision 0.800, recall 1.000
  (a cut on the sentence score, which mixes LM and rule flags: no mtqa check option applies \
it; for a --threshold, review the flags in report.html and run mtqa review on its verdict export)

1 row(s) not counted (see the messages on stderr)
"""


def test_cli_review(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = str(write_reviewed(tmp_path / "r.csv"))
    assert main(["review", path, "--json", str(tmp_path / "r.json")]) == 1  # a row not counted
    out, err = capsys.readouterr()
    assert out == TABLE.format(path=path)
    assert (
        err == f"{path}: {NO_RUN}\n{path}:row 9 (d2#4): unknown review value 'okay' (column H "
        "('review')); write ok or error, or leave it blank\n"
    )
    data = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))
    assert data["flagged"]["rate"] == 0.75 and data["problems"][0]["row"] == 9
    assert data["threshold"]["score"] == 0.45


def test_cli_review_json_stdout_and_usage(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = str(write_reviewed(tmp_path / "r.csv"))
    assert main(["review", path, "--json", "-", "--target-precision", "0.9"]) == 1
    assert json.loads(capsys.readouterr().out)["threshold"]["score"] == 0.991
    assert main(["review", path, "--target-precision", "1.5"]) == 2
    assert "--target-precision 1.5: must be in (0, 1]" in capsys.readouterr().err


# --- the CSV itself: spreadsheet-safe quoting, read back unchanged -------------------------

TRICKY = [
    "Plain sentence.",
    "Commas, commas, and more, commas.",
    'He said "no", then ""maybe"".',
    "A cell with\na newline inside",
    "Windows\r\nline end",
    "Starts with = and has ; semicolons; and\ttabs",
    "Unicode: “quotes” — Élysée, 中文, emoji 🙂",
]


def tricky_document() -> DocumentResult:
    text = " ".join(TRICKY)
    sents, pos = [], 0
    for i, t in enumerate(TRICKY, 1):
        start = text.index(t, pos)
        pos = start + len(t)
        spans: tuple[Span, ...] = ()
        if i == 3:
            spans = (Span(start + 8, start + 12, '"no"', "major", 0.99, "lm", 'odd, "quoted"'),)
        sents.append(
            SentenceResult(
                'doc,"1"', i, start, pos, t, 4, 10.0, 0.5, "major" if spans else "none", spans
            )
        )
    return DocumentResult('doc,"1"', "p", text, tuple(sents))


def test_csv_quoting_round_trip(tmp_path: Path) -> None:
    w = CsvWriter(tmp_path, {})
    w.write(tricky_document())
    path = w.close()
    raw = path.read_bytes()
    assert not raw.startswith(b"\xef\xbb\xbf")  # plain UTF-8, no BOM
    assert raw.split(b"\r\n")[0].endswith(b",review")
    assert raw.endswith(b"\r\n")
    with path.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    assert [r["text"] for r in rows] == TRICKY
    assert {r["doc_id"] for r in rows} == {'doc,"1"'}
    # the span text quoted, its own quotes escaped: the cell reads back unambiguously
    assert rows[2]["spans"] == '"\\"no\\"" major: lm'
    assert rows[2]["reasons"] == 'odd, "quoted"'
    assert all(r["review"] == "" for r in rows)
    assert list(read_table(str(path))["text"]) == TRICKY  # pandas reads it back too
    # a reviewer's edit of that file reads back with the right rows
    with path.open(encoding="utf-8", newline="") as f:
        table = list(csv.reader(f))
    table[3][-1] = "error"
    with path.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f, lineterminator="\r\n").writerows(table)
    n, items, problems, _ = read_reviewed(str(path))
    assert (n, [(r.row, r.error, r.sources) for r in items], problems) == (
        7,
        [(4, True, ("lm",))],
        [],
    )


def test_review_a_real_run(tmp_path: Path, fake_settings: Settings) -> None:
    """The loop: check → reviewer marks every flagged sentence error, two clean ones ok."""
    run_check([str(SEED)], fake_settings, tmp_path / "out", lambda s: FakeScorer())
    path = tmp_path / "out" / "sentences.csv"
    with path.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    ok = 0
    for r in rows:
        if r["flagged"] == "True":
            r["review"] = "error"
        elif ok < 2:
            r["review"], ok = "ok", ok + 1
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0]), lineterminator="\r\n")
        w.writeheader()
        w.writerows(rows)
    rep = review(str(path))
    flagged = sum(r["flagged"] == "True" for r in rows)
    assert rep.flagged.n == flagged and rep.flagged.rate == 1.0
    assert rep.unflagged.n == 2 and rep.unflagged.rate == 0.0
    assert "lm" in [r.group for r in rep.by_source]
    assert rep.threshold.recall == 1.0 and not rep.problems


# --- a sheet without the spans column: said, with the column and the fix --------------------


def test_no_spans_column_is_a_notice(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "r.csv"
    path.write_text(
        "doc_id,sent_id,score,severity,review\r\nd,1,0.9,major,error\r\nd,2,0.1,none,ok\r\n",
        encoding="utf-8",
    )
    assert main(["review", str(path)]) == 0  # the figures it can give are right
    out, err = capsys.readouterr()
    assert err == (
        f"{path}: {NO_RUN}\n"
        f"{path}:1: no 'spans' column: precision by span source cannot be measured; keep the "
        "spans column of the sentences.csv mtqa wrote\n"
    )
    assert (
        "  by span source\n    not available: the sheet has no 'spans' column (see the notice)\n"
        in out
    )
    assert "(none)" not in out


def test_flagged_row_whose_spans_name_no_source(tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    path.write_text(
        "doc_id,sent_id,score,severity,spans,review\r\nd,1,0.9,major,garbled,error\r\n",
        encoding="utf-8",
    )
    rep = review(str(path))
    assert isinstance(rep, ReviewReport) and rep.flagged.n == 1 and rep.problems == []
    assert [(p.row, p.message) for p in rep.notices] == [
        (0, NO_RUN_API),
        (
            2,
            "column E ('spans'): 'garbled' names no span source for a flagged sentence; counted, "
            "but not by source; restore it from the sentences.csv mtqa wrote",
        ),
    ]


def test_bad_score_names_the_column(tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    path.write_text("doc_id,sent_id,score,severity,spans,review\r\nd,1,x,none,,ok\r\n")
    rep = review(str(path))
    assert rep.problems[0].message == (
        "score 'x' is not a number (column C ('score')); restore it from the sentences.csv "
        "mtqa wrote"
    )


LM = '"""x"" major: lm"'  # a spans cell as mtqa writes it


@pytest.mark.parametrize(
    ("score", "why"),
    [
        ("nan", "is not a number"),
        ("NaN", "is not a number"),
        ("inf", "is not a number from 0 to 1"),
        ("7.5", "is not a number from 0 to 1"),
        ("-1", "is not a number from 0 to 1"),
        ("1,5", "is not a number from 0 to 1"),
    ],
)
def test_a_score_outside_0_to_1_is_a_problem(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], score: str, why: str
) -> None:
    """nan ended in a ZeroDivisionError; inf, 7.5 and -1 were counted (`score >= inf`)."""
    path = tmp_path / "r.csv"
    path.write_text(
        f'doc_id,sent_id,score,severity,spans,review\r\nd,1,"{score}",major,{LM},error\r\n'
        f"d,2,0.9,major,{LM},error\r\nd,3,0.2,none,,ok\r\n"
    )
    assert main(["review", str(path)]) == 1
    out, err = capsys.readouterr()
    assert err == (
        f"{path}: {NO_RUN}\n"
        f"{path}:row 2 (d#1): score {score!r} {why} (column C ('score')); restore it from the "
        "sentences.csv mtqa wrote\n"
    )
    assert "flag when score >= 0.9000 -> 1 reviewed sentences flagged" in out


def test_repeated_sentence_rows(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A row pasted twice was counted twice; two verdicts for one sentence both counted."""
    path = tmp_path / "r.csv"
    path.write_text(
        "doc_id,sent_id,score,severity,spans,review\r\n"
        f"d,1,0.9,major,{LM},error\r\nd,2,0.8,minor,{LM},error\r\nd,3,0.3,none,,ok\r\n"
        f"d,1,0.9,major,{LM},Error\r\nd,2,0.8,minor,{LM},ok\r\n"
    )
    rep = review(str(path))
    assert isinstance(rep, ReviewReport)
    assert (rep.reviewed, rep.flagged.n, rep.flagged.errors) == (2, 1, 1)
    assert [(p.row, p.message) for p in rep.notices] == [
        (0, NO_RUN_API),
        (
            5,
            "repeats row 2 (same doc_id and sent_id) with the same verdict: counted once; "
            "delete the repeat",
        ),
    ]
    assert [(p.row, p.message) for p in rep.problems] == [
        (
            3,
            "reviewed again on row 6 with another verdict: neither row is counted; keep the "
            "right one",
        ),
        (
            6,
            "repeats row 3 (same doc_id and sent_id) with another verdict ('error' there, "
            "'ok' here): neither row is counted; keep the right one",
        ),
    ]
    assert main(["review", str(path)]) == 1
    assert "2 row(s) not counted" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("i", "letter"),
    [(0, "A"), (2, "C"), (25, "Z"), (26, "AA"), (27, "AB"), (701, "ZZ"), (702, "AAA")],
)
def test_column_letters(i: int, letter: str) -> None:
    assert column_letter(i) == letter


# --- span verdicts exported from report.html ------------------------------------------------

EXPORT = [
    # doc, sent, start, end, text, severity, source, suggested, suggestion, verdict, fixed
    ("a", 1, 0, 9, "massaging", "major", "lm", "replace", "massing", "fixed", "massing"),
    ("a", 1, 20, 23, "the", "minor", "lm", "", "", "false-alarm", ""),
    ("a", 2, 30, 35, "is re", "major", "rule:broken-join", "", "", "correct", ""),
    ("a", 3, 40, 43, ". .", "minor", "rule:stray-period", "replace", ".", "fixed", ". ."),
    ("b", 1, 0, 3, "=1+", "major", "lm", "delete", "", "fixed", ""),
    ("b", 2, 5, 9, "-foo", "minor", "rule:x", "", "", "False Alarm", ""),
    ("b", 3, 5, 9, "zzzz", "minor", "lm", "", "", "", ""),  # not reviewed
    ("b", 4, 5, 9, "yyyy", "major", "lm", "", "", "maybe", ""),  # a problem
]


def write_export(path: Path) -> Path:
    from mtqa.report.base import guard_cell

    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\r\n")
        w.writerow(EXPORT_COLUMNS)
        for doc, sid, a, b, text, sev, src, sg, sug, verdict, fixed in EXPORT:
            row = dict(
                doc_id=doc,
                sent_id=sid,
                span_start=a,
                span_end=b,
                span_text=guard_cell(text),
                severity=sev,
                source=src,
                score="0.9",
                suggested=sg,
                suggestion=guard_cell(sug),
                gain_bits="",
                verdict=verdict,
                fixed_text=guard_cell(fixed),
                reason="r",
            )
            w.writerow([row[c] for c in EXPORT_COLUMNS])
    return path


# By hand: 6 reviewed (rows 2-7); real errors: fixed, correct, fixed, fixed = 4 of 6.
# major: massaging fixed, is re correct, =1+ fixed: 3/3; minor: the FA, ". ." fixed, -foo FA: 1/3.
# lm: massaging fixed, the FA, =1+ fixed: 2/3; rule:broken-join 1/1; rule:stray-period 1/1;
# rule:x 0/1. Suggestions: massaging (taken), ". ." (fix differs), =1+ delete (taken): 3, 2.
SPAN_TABLE = """\
{path}: 6 of 8 flags reviewed: 1 correct, 2 false alarm, 3 fixed

span precision (share of reviewed flags that are real errors: correct or fixed)
  group                    reviewed  errors precision  95% interval
  all flags                       6       4     0.667  0.30-0.90
  by severity
    major                         3       3     1.000  0.44-1.00
    minor                         3       1     0.333  0.06-0.79
  by span source
    lm                            3       2     0.667  0.21-0.94
    rule:broken-join              1       1     1.000  0.21-1.00
    rule:stray-period             1       1     1.000  0.21-1.00
    rule:x                        1       0     0.000  0.00-0.79

suggestions: 3 reviewed flags had one; the reviewer's fix equals it in 2
LM threshold for precision >= 0.8: none reaches it on these 3 reviewed LM flags (best \
precision 0.667)

1 row(s) not counted (see the messages on stderr)
"""


def no_run(path: object) -> str:
    """The notice on a verdict export with no run to check its rows against."""
    return (
        f"{path}: no mtqa run beside it (run.json): rows deleted from the export, and rows "
        "whose flags are not the run's, cannot be found; pass --run DIR, the folder of the "
        "mtqa check whose report.html was reviewed\n"
    )


def test_cli_review_of_a_verdict_export(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = str(write_export(tmp_path / "verdicts-0123abcd.csv"))
    assert main(["review", path, "--json", str(tmp_path / "v.json")]) == 1  # a row not counted
    out, err = capsys.readouterr()
    assert out == SPAN_TABLE.format(path=path)
    assert err == no_run(path) + (
        f"{path}:row 9 (b#4): unknown verdict 'maybe' (column L ('verdict')); write correct, "
        "false-alarm or fixed, or leave it blank\n"
    )
    data = json.loads((tmp_path / "v.json").read_text(encoding="utf-8"))
    assert data["kind"] == "verdicts" and data["precision"]["rate"] == 0.6667
    assert data["counts"] == {"correct": 1, "false-alarm": 2, "fixed": 3}


def test_export_read_with_semicolons_and_a_bom(tmp_path: Path) -> None:
    path = write_export(tmp_path / "v.csv")
    with path.open(encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f))
    with path.open("w", encoding="utf-8-sig", newline="") as f:
        csv.writer(f, delimiter=";", lineterminator="\r\n").writerows(rows)
    rep = review(str(path))
    assert isinstance(rep, SpanReport) and (rep.reviewed, rep.precision.errors) == (6, 4)


# --- spreadsheet safety: formula cells guarded, read back exactly ----------------------------

FORMULAS = [
    '=HYPERLINK("http://x","click")',
    "+1+2",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(A1:A2)",
    "\tTabbed start",
    "'=already quoted",  # really starts with '= : written ''= and read back as '=
    "''+two quotes",
    "'plain quote",  # no formula after the quote: left alone
    "Plain.",
]


@pytest.mark.parametrize("cell", [*FORMULAS, "", "'", "''", "=", "'\r"])
def test_guard_round_trip(cell: str) -> None:
    guarded = guard_cell(cell)
    assert unguard_cell(guarded) == cell
    assert guarded[:1] not in ("=", "+", "-", "@", "\t", "\r")  # nothing a sheet would run
    if not needs_guard(cell):
        assert guarded == cell


def formula_document() -> DocumentResult:
    text = " ".join(FORMULAS)
    sents, pos = [], 0
    for i, t in enumerate(FORMULAS, 1):
        start = text.index(t, pos)
        pos = start + len(t)
        sents.append(SentenceResult("=cmd", i, start, pos, t, 4, 10.0, 0.5, "none"))
    return DocumentResult("=cmd", "p", text, tuple(sents))


@pytest.mark.parametrize("raw", [False, True], ids=["guarded", "csv-raw"])
def test_sentences_csv_guards_formulas_and_review_reads_them_back(
    tmp_path: Path, raw: bool
) -> None:
    run: dict[str, object] = {"settings": {"csv_raw": True}} if raw else {}
    w = CsvWriter(tmp_path, run)
    w.write(formula_document())
    path = w.close()
    with path.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    if raw:
        assert [r["text"] for r in rows] == FORMULAS and rows[0]["doc_id"] == "=cmd"
    else:
        assert [r["text"] for r in rows] == [guard_cell(t) for t in FORMULAS]
        assert rows[0]["doc_id"] == "'=cmd" and rows[2]["text"] == "'-2+3+cmd|' /C calc'!A0"
        assert rows[5]["text"] == "''=already quoted" and rows[7]["text"] == "'plain quote"
    # the reviewer marks every row; review reads doc ids and cells back exactly
    for r in rows:
        r["review"] = "ok"
    with path.open("w", encoding="utf-8", newline="") as f:
        wr = csv.DictWriter(f, fieldnames=list(rows[0]), lineterminator="\r\n")
        wr.writeheader()
        wr.writerows(rows)
    sheet = read_sheet(str(path), raw=raw)
    col = sheet.col
    assert [r[col["text"]] for r in sheet.rows] == FORMULAS
    assert {r[col["doc_id"]] for r in sheet.rows} == {"=cmd"}
    n, items, problems, _ = read_reviewed(str(path), raw=raw)
    assert (n, len(items), problems) == (len(FORMULAS), len(FORMULAS), [])
    assert {r.doc_id for r in items} == {"=cmd"}


def test_csv_raw_flags(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from mtqa.cli import build_parser, settings_from_args

    a = build_parser().parse_args(["check", "x.txt", "--csv-raw"])
    assert settings_from_args(a).csv_raw is True
    assert settings_from_args(build_parser().parse_args(["check", "x.txt"])).csv_raw is False
    # review --csv-raw keeps a leading quote as text
    path = tmp_path / "r.csv"
    path.write_text("doc_id,sent_id,score,severity,spans,review\r\n'=d,1,0.1,none,,ok\r\n")
    assert review(str(path)).reviewed == 1
    assert read_reviewed(str(path))[1][0].doc_id == "=d"
    assert read_reviewed(str(path), raw=True)[1][0].doc_id == "'=d"


@pytest.mark.parametrize(
    ("texts", "sources"),
    [
        (['")', "link. the"], ("lm", "rule:broken-join")),
        # a span text that holds a whole span's cell text: still one span
        (['a; "b" minor: lm', "x\\"], ("rule:calque", "lm")),
        (['b" major: lm; "c'], ("rule:calque",)),
    ],
)
def test_spans_cell_reads_back_whatever_the_span_text(
    texts: list[str], sources: tuple[str, ...]
) -> None:
    from mtqa.quality.review import _SPAN_SOURCE
    from mtqa.records import SentenceResult, Span
    from mtqa.report.base import spans_cell

    spans = tuple(
        Span(start=0, end=len(t), text=t, severity="major", score=0.9, source=src, reason="r")
        for t, src in zip(texts, sources, strict=True)
    )
    cell = spans_cell(SentenceResult("d", 0, 0, 9, "x", 1, 1.0, 0.9, "major", spans))
    assert tuple(m.group(2) for m in _SPAN_SOURCE.finditer(cell)) == sources


def _export_rows(path: Path, rows: list[dict[str, str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\r\n")
        w.writerow(EXPORT_COLUMNS)
        for r in rows:
            base = dict(doc_id="d", sent_id="1", span_start="0", span_end="3", span_text="abc")
            base |= dict(severity="major", source="lm", score="0.9", verdict="correct")
            w.writerow([(base | r).get(c, "") for c in EXPORT_COLUMNS])
    return path


@pytest.mark.parametrize(
    ("score", "why"),
    [
        ("high", "is not a number"),
        ("NaN", "is not a number"),
        ("1.5", "is not a number from 0 to 1"),
    ],
)
def test_a_verdict_export_with_a_bad_score_names_the_row(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], score: str, why: str
) -> None:
    """A score 'high' was dropped from the threshold with exit 0; 'NaN' ended in a traceback."""
    path = _export_rows(
        tmp_path / "v.csv",
        [{"sent_id": "1", "score": score}, {"sent_id": "2", "score": "0.95"}],
    )
    assert main(["review", str(path)]) == 1
    out, err = capsys.readouterr()
    assert err == no_run(path) + (
        f"{path}:row 2 (d#1): score {score!r} {why} (column H ('score')); restore it from the "
        "export report.html wrote\n"
    )
    assert "1 of 2 flags reviewed" in out and "1 row(s) not counted" in out


def test_a_flag_reviewed_twice(tmp_path: Path) -> None:
    rows = [
        {"sent_id": "1", "verdict": "correct"},
        {"sent_id": "1", "verdict": "Correct"},  # the same: counted once
        {"sent_id": "2", "verdict": "correct"},
        {"sent_id": "2", "verdict": "false-alarm"},  # conflicting: neither counted
        {"sent_id": "2", "source": "rule:x", "verdict": "false-alarm"},  # another flag
    ]
    rep = review(str(_export_rows(tmp_path / "v.csv", rows)))
    assert isinstance(rep, SpanReport)
    assert rep.reviewed == 2 and rep.counts == {"correct": 1, "false-alarm": 1, "fixed": 0}
    assert [p.row for p in rep.notices] == [0, 3]  # no run beside it; the repeat
    assert [(p.row, p.message) for p in rep.problems] == [
        (
            4,
            "reviewed again on row 5 with another verdict: neither row is counted; keep the "
            "right one",
        ),
        (
            5,
            "repeats row 4 (same doc_id, sent_id, span_start, span_end and source) with another "
            "verdict ('correct' there, 'false-alarm' here): neither row is counted; keep the "
            "right one",
        ),
    ]


def test_a_problem_line_escapes_control_characters_in_its_ids(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A doc_id cell with a line break or an escape sequence once went raw into the one-line
    message on stderr (a second line, a cleared terminal line); it is escaped now."""
    path = tmp_path / "r.csv"
    rows = [
        ["doc_id", "sent_id", "score", "severity", "spans", "review"],
        ["a\nb\x1b[2K", "1", "0.5", "minor", '"x" minor: lm', "maybe"],
        ["c", "2", "0.9", "major", '"y" major: lm', "error"],
    ]
    with path.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f, lineterminator="\r\n").writerows(rows)
    assert main(["review", str(path)]) == 1
    err = capsys.readouterr().err
    assert err.splitlines()[1] == (
        f"{path}:row 2 (a\\nb\\x1b[2K#1): unknown review value 'maybe' (column F ('review')); "
        "write ok or error, or leave it blank"
    )
    assert "\x1b" not in err


def test_an_empty_sheet_says_it_is_empty(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """An empty file (a sheet saved before any edit went wrong) was "no 'review' or 'verdict'
    column in the header", as if it had a header; one of blank lines says what it holds."""
    path = tmp_path / "r.csv"
    for data, held in (
        (b"", "empty file"),
        (b"\xef\xbb\xbf\r\n \r\n", "2 lines of only whitespace"),
    ):
        path.write_bytes(data)
        assert main(["review", str(path)]) == 1
        assert capsys.readouterr().err == (
            f"mtqa: error: {path}: {held}: nothing to review; pass the sentences.csv or "
            "verdicts-*.csv you reviewed\n"
        )
