"""``mtqa check`` on bad input and faults: exit code and the exact lines on stderr.

Every row of ``CASES`` is one case of docs/errors.md. A bad input costs one line
(``path[:line]: what is wrong; the fix``) and exit 1, while the good inputs next to
it are still scored and reported; usage errors exit 2; no traceback unless
``MTQA_DEBUG=1``. The fake scorer stands in for the model (``--model fake``).
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pytest

from mtqa import cli, cli_quality
from mtqa.lm.fake import FakeScorer

GOOD = b"The council met on Monday. It approved the budget.\n"
JSON_GOOD = b'{"id": "a", "target": "Good one."}\n'
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256))


@pytest.fixture(autouse=True)
def no_plot(monkeypatch: pytest.MonkeyPatch) -> None:
    """summary.png is not under test here and costs ~1 s per run to draw."""
    monkeypatch.setattr("mtqa.report.summary.plot_summary", lambda *a, **k: b"\x89PNG")


def check(
    capsys: pytest.CaptureFixture[str], cal: Path, *args: str, out: str = "out"
) -> tuple[int, str, str]:
    argv = ["check", *args, "-o", out, "--model", "fake", "--calibration", str(cal), "--quiet"]
    rc = cli.main(argv)
    captured = capsys.readouterr()
    return rc, captured.out, captured.err


def ids(out: Path) -> list[str]:
    with (out / "segments.jsonl").open(encoding="utf-8") as f:
        return [json.loads(line)["id"] for line in f]


# (case, files to create, inputs, extra flags, exit code, stderr lines, ids scored or None)
Case = tuple[str, dict[str, bytes], list[str], list[str], int, list[str], list[str] | None]
CASES: list[Case] = [
    (
        "empty file",
        {"e.txt": b"", "good.txt": GOOD},
        ["e.txt", "good.txt"],
        [],
        1,
        ["e.txt: empty file: nothing to score; remove it or add text"],
        ["good"],
    ),
    (
        "whitespace-only file",
        {"ws.txt": b" \n\t\r\n  ", "good.txt": GOOD},
        ["ws.txt", "good.txt"],
        [],
        1,
        ["ws.txt: 3 lines of only whitespace: nothing to score; remove it or add text"],
        ["good"],
    ),
    (
        "binary file renamed .txt",
        {"img.txt": PNG, "good.txt": GOOD},
        ["img.txt", "good.txt"],
        [],
        1,
        [
            "img.txt: binary file, not UTF-8 text; pass a .txt, .jsonl, .tsv, .csv, .xlf, .xliff, "
            ".po or .tmx file"
        ],
        ["good"],
    ),
    (
        "UTF-16 text",
        {"u16.txt": "Hello.".encode("utf-16"), "good.txt": GOOD},
        ["u16.txt", "good.txt"],
        [],
        1,
        [
            "u16.txt: UTF-16 text, not UTF-8; convert it (e.g. `iconv -f UTF-16 -t UTF-8`) "
            "or save it as UTF-8"
        ],
        ["good"],
    ),
    (
        "invalid UTF-8 names line and byte",
        {"bad.txt": b"First line.\nCaf\xe9 au lait.\n", "good.txt": GOOD},
        ["bad.txt", "good.txt"],
        [],
        1,
        [
            "bad.txt:2: invalid UTF-8 at byte 15 (0xe9); convert the file to UTF-8 "
            "or pass --encoding-errors replace"
        ],
        ["good"],
    ),
    (
        "invalid UTF-8 with --encoding-errors replace",
        {"bad.txt": b"First line.\nCaf\xe9 au lait.\n"},
        ["bad.txt"],
        ["--encoding-errors", "replace"],
        0,
        [],
        ["bad"],
    ),
    ("UTF-8 with BOM", {"bom.txt": b"\xef\xbb\xbf" + GOOD}, ["bom.txt"], [], 0, [], ["bom"]),
    (
        "CRLF and lone CR line ends",
        {"ends.txt": b"Title\r\nFirst line.\rSecond line.\n"},
        ["ends.txt"],
        [],
        0,
        [],
        ["ends"],
    ),
    (
        "jsonl: one broken line among good ones",
        {"m.jsonl": JSON_GOOD + b'{"id": "b", "target": "Broken\n{"id": "c", "target": "Good."}\n'},
        ["m.jsonl"],
        [],
        1,
        ["m.jsonl:2: not valid JSON: Unterminated string starting at (column 23); fix the line"],
        ["a", "c"],
    ),
    (
        "jsonl: a line with invalid UTF-8",
        {
            "m.jsonl": JSON_GOOD
            + b'{"id": "b", "target": "Bad \xff."}\r\n{"id": "c", "target": "Ok."}'
        },
        ["m.jsonl"],
        [],
        1,
        [
            "m.jsonl:2: invalid UTF-8 at byte 62 (0xff); convert the file to UTF-8 "
            "or pass --encoding-errors replace"
        ],
        ["a", "c"],
    ),
    (
        "jsonl: a line that is not an object",
        {"m.jsonl": JSON_GOOD + b'["Good one."]\n'},
        ["m.jsonl"],
        [],
        1,
        ['m.jsonl:2: expected a JSON object per line, got list; write {"target": "..."}'],
        ["a"],
    ),
    (
        "jsonl: a record missing the text field",
        {"m.jsonl": JSON_GOOD + b'{"id": "b", "body": "No target."}\n'},
        ["m.jsonl"],
        [],
        1,
        [
            "m.jsonl:2: expected a 'target' or 'text' field with the text; add it, "
            "or name the text field with --text-field NAME"
        ],
        ["a"],
    ),
    (
        "jsonl: a non-string text",
        {"m.jsonl": JSON_GOOD + b'{"id": "b", "target": ["list"]}\n{"id": "c", "target": 5}\n'},
        ["m.jsonl"],
        [],
        1,
        [
            "m.jsonl:2: field 'target' must be a string, got list; quote the text",
            "m.jsonl:3: field 'target' must be a string, got int; quote the text",
        ],
        ["a"],
    ),
    (
        "jsonl: an empty text",
        {"m.jsonl": JSON_GOOD + b'{"id": "b", "target": "  "}\n'},
        ["m.jsonl"],
        [],
        1,
        ["m.jsonl:2: field 'target' is empty: nothing to score; fill it or drop the record"],
        ["a"],
    ),
    (
        "duplicate ids: the first is kept, later ones are errors",
        {
            "m.jsonl": JSON_GOOD + b'{"id": "a", "target": "Same id."}\n',
            "n.tsv": b"id\ttarget\na\tAgain.\nz\tFine.\n",
        },
        ["m.jsonl", "n.tsv"],
        [],
        1,
        [
            "m.jsonl:2: duplicate id 'a' (first seen at m.jsonl:1); ids must be unique "
            "across the inputs",
            "n.tsv:2: duplicate id 'a' (first seen at m.jsonl:1); ids must be unique "
            "across the inputs",
        ],
        ["a", "z"],
    ),
    (
        "tsv: wrong column count",
        {"t.tsv": b"id\ttarget\nr1\tFine row.\nr2\tA tab\tinside.\nr3\tLast row.\n"},
        ["t.tsv"],
        [],
        1,
        [
            "t.tsv:3: expected 2 columns as in the header, found 3; a .tsv field cannot hold "
            "a tab (TSV has no quoting); remove the tab or save the file as .csv or .jsonl"
        ],
        ["r1", "r3"],
    ),
    (
        "csv: wrong column count",
        {"t.csv": b'id,target\nr1,Fine row.\nr2,Commas, unquoted.\nr3,"Quoted, fine."\n'},
        ["t.csv"],
        [],
        1,
        [
            "t.csv:3: expected 2 columns as in the header, found 3; "
            'put a field that holds a comma in double quotes ("...")'
        ],
        ["r1", "r3"],
    ),
    (
        "csv: no text column",
        {"t.csv": b"id,body\nr1,Text.\n", "good.txt": GOOD},
        ["t.csv", "good.txt"],
        [],
        1,
        [
            "t.csv:1: header has no 'target' or 'text' column: ['id', 'body']; "
            "rename the text column or pass --text-field NAME"
        ],
        ["good"],
    ),
    (  # a row would keep the last cell of the two, without a word
        "csv/tsv: a column mtqa reads named twice",
        {
            "t.csv": b"id,target,target\nr1,One.,Two.\n",
            "u.tsv": b"id\tid\ttarget\tnote\tnote\nx\ty\tText.\ta\tb\n",
            "v.tsv": b"id\ttarget\tnote\tnote\nv1\tText.\ta\tb\n",
        },
        ["t.csv", "u.tsv", "v.tsv"],
        [],
        1,
        [
            "t.csv:1: column C repeats the name 'target' of column B; rename or delete one of them",
            "u.tsv:1: column B repeats the name 'id' of column A; rename or delete one of them",
        ],
        ["v1"],  # a column mtqa does not read may repeat
    ),
    (
        "jsonl: a field mtqa reads given twice in a record",
        {
            "m.jsonl": b'{"id": "a", "target": "One.", "target": "Two."}\n'
            b'{"id": "b", "target": "Fine.", "meta": {"k": 1, "k": 2}}\n'
            b'{"id": "c", "id": "d", "target": "Three."}\n'
        },
        ["m.jsonl"],
        [],
        1,
        [
            "m.jsonl:1: field 'target' given twice in the record; JSON keeps only the last, "
            "so which one is meant is unclear: delete the other",
            "m.jsonl:3: field 'id' given twice in the record; JSON keeps only the last, "
            "so which one is meant is unclear: delete the other",
        ],
        ["b"],
    ),
    (
        "nonexistent path next to a good one",
        {"good.txt": GOOD},
        ["nope.txt", "good.txt"],
        [],
        1,
        ["nope.txt: no such file or folder; check the path"],
        ["good"],
    ),
    (
        "unsupported file type",
        {"notes.md": b"# Notes\n", "good.txt": GOOD},
        ["notes.md", "good.txt"],
        [],
        1,
        [
            "notes.md: unsupported file type '.md'; use .txt, .jsonl, .tsv, .csv, .xlf, .xliff, "
            ".po, .tmx"
        ],
        ["good"],
    ),
    (
        "folder with no inputs",
        {"empty/readme.md": b"nothing here", "good.txt": GOOD},
        ["empty", "good.txt"],
        [],
        1,
        [
            "empty: no inputs in this folder (looked for .txt, .jsonl, .tsv, .csv, .xlf, .xliff, "
            ".po, .tmx files)"
        ],
        ["good"],
    ),
    (
        "nonexistent path alone: nothing written",
        {},
        ["nope.txt"],
        [],
        1,
        ["nope.txt: no such file or folder; check the path"],
        None,
    ),
    (
        "folder with no inputs alone: nothing written",
        {"empty/readme.md": b"nothing here"},
        ["empty"],
        [],
        1,
        [
            "empty: no inputs in this folder (looked for .txt, .jsonl, .tsv, .csv, .xlf, .xliff, "
            ".po, .tmx files)"
        ],
        None,
    ),
    (
        "jsonl: a lone surrogate (a broken \\u escape) costs its record only",
        {"sur.jsonl": JSON_GOOD + rb'{"id": "s", "target": "Lone surrogate \udc80 here."}' + b"\n"},
        ["sur.jsonl"],
        [],
        1,
        [
            "sur.jsonl:2: field 'target' holds a lone surrogate U+DC80 (a broken \\u escape); "
            "write the character itself or a valid surrogate pair"
        ],
        ["a"],
    ),
    (
        "a file name that is not UTF-8",
        {"caf\udce9.txt": GOOD, "good.txt": GOOD},
        ["caf\udce9.txt", "good.txt"],
        [],
        1,
        [
            "caf\\xe9.txt: path is not valid UTF-8 (byte 0xe9); rename the file or folder to a UTF-8 name"
        ],
        ["good"],
    ),
    (
        "the same file name in two folders: the ids mtqa makes differ",
        {"fr/article.txt": b"The first article.\n", "de/article.txt": b"The second article.\n"},
        ["fr", "de"],
        [],
        0,
        [],
        ["fr/article", "de/article"],
    ),
    (
        "the same name and two types in one folder",
        {"in/x.jsonl": b'{"target": "One."}\n', "in/x.tsv": b"target\nTwo.\n"},
        ["in"],
        [],
        0,
        [],
        ["x.jsonl:1", "x.tsv:2"],
    ),
    (
        "the same file given twice is read once",
        {"src/recs.jsonl": JSON_GOOD + b'{"id": "d", "target": "Dee."}\n', "err1.txt": GOOD},
        ["src", "src/recs.jsonl", "err1.txt", "./err1.txt"],
        [],
        0,
        [],
        ["a", "d", "err1"],
    ),
]


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_bad_input_costs_one_line(
    case: Case,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    fake_calibration: Path,
) -> None:
    _, files, inputs, flags, code, lines, scored = case
    monkeypatch.chdir(tmp_path)
    for name, data in files.items():
        Path(name).parent.mkdir(parents=True, exist_ok=True)
        Path(name).write_bytes(data)
    rc, out, err = check(capsys, fake_calibration, *inputs, *flags)
    assert (rc, err.splitlines()) == (code, lines)
    if scored is None:  # every input failed: no report, no folder, nothing on stdout
        assert out == "" and not Path("out").exists()
    else:
        assert out == f"{Path('out') / 'sentences.csv'}\n"
        assert ids(Path("out")) == scored
        run = json.loads(Path("out/run.json").read_text(encoding="utf-8"))
        assert run["failures"] == lines  # the same lines, kept with the report


def test_all_failed_without_quiet_says_nothing_was_written(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    fake_calibration: Path,
) -> None:
    monkeypatch.chdir(tmp_path)
    rc = cli.main(["check", "nope.txt", "--model", "fake", "--calibration", str(fake_calibration)])
    err = capsys.readouterr().err.splitlines()
    assert rc == 1
    assert err == [
        "nope.txt: no such file or folder; check the path",
        f"mtqa: nothing scored: every input failed; no report written to {Path('reports/nope')}",
    ]
    assert not Path("reports/nope").exists()


@pytest.mark.parametrize(
    "records,line,scored",
    [
        (
            b'{"id": "a", "target": "One."}\n{"id": "a", "target": "Two."}\n',
            "<stdin>:2: duplicate id 'a' (first seen at <stdin>:1); ids must be unique across "
            "the inputs",
            ["a"],
        ),
        (
            b'{"id": "a", "target": "One."}\n{"id": "s", "target": "Bad \\udc80."}\n',
            "<stdin>:2: field 'target' holds a lone surrogate U+DC80 (a broken \\u escape); write "
            "the character itself or a valid surrogate pair",
            ["a"],
        ),
    ],
    ids=["duplicate id", "lone surrogate"],
)
def test_stdin_records_fail_alone_as_in_a_file(
    records: bytes,
    line: str,
    scored: list[str],
    monkeypatch: pytest.MonkeyPatch,
    capsysbinary: pytest.CaptureFixture[bytes],
    fake_calibration: Path,
) -> None:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(records)))
    argv = ["check", "-", "--stdin-format", "jsonl", "--stdout", "jsonl", "--quiet"]
    rc = cli.main([*argv, "--model", "fake", "--calibration", str(fake_calibration)])
    captured = capsysbinary.readouterr()
    assert (rc, captured.err.decode().splitlines()) == (1, [line])
    assert [json.loads(x)["id"] for x in captured.out.splitlines()] == scored


# ------------------------------------------------------------------ usage errors: exit 2


@pytest.mark.parametrize(
    "argv,line",
    [
        (["check"], "mtqa: error: mtqa check: the following arguments are required: INPUT"),
        (
            ["check", "a.txt", "--batch-size", "0"],
            "mtqa: error: --batch-size 0: must be at least 1",
        ),
        (
            ["check", "a.txt", "--format", "pdf"],
            "mtqa: error: --format pdf: choose from csv,jsonl,html,xliff,po,tmx",
        ),
        (
            ["check", "a.txt", "--window", "8"],
            "mtqa: error: --window 8 / --overlap 256: need window >= 16 and "
            "0 <= overlap < window - 8",
        ),
        (["check", "a.txt", "--bogus"], "mtqa: error: unrecognized arguments: --bogus"),
        (
            ["check", "a.txt", "--text-field", ""],
            "mtqa: error: --text-field '': empty field name; name the record field (or column) "
            "that holds the text (default 'target')",
        ),
        (
            ["check", "a.txt", "--id-field", " "],
            "mtqa: error: --id-field ' ': empty field name; name the record field (or column) "
            "that holds the id (default 'id')",
        ),
        (
            ["check", "a.txt", "b.jsonl", "--stdin-f", "jsonl"],
            "mtqa: error: --stdin-format jsonl: reads standard input (INPUT -) only, and no "
            "INPUT is -; a file is read by its suffix (.txt, .jsonl, .tsv, .csv, …): rename it, "
            "or pipe it in (mtqa check - --stdin-format jsonl < FILE)",
        ),
        (["frobnicate"], None),
    ],
)
def test_usage_errors_exit_2(
    argv: list[str], line: str | None, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(argv) == 2
    captured = capsys.readouterr()
    err = captured.err.splitlines()
    assert captured.out == "" and len(err) == 1 and "Traceback" not in captured.err
    if line is not None:
        assert err == [line]
    else:
        assert err[0].startswith("mtqa: error: argument command: invalid choice")


def test_stdin_format_of_a_config_file_is_a_default_for_pipes_only(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    fake_calibration: Path,
) -> None:
    """Given on the command line without INPUT - it is refused (above); the config key is a
    default for the pipes of the project, so a file run with it goes on as usual."""
    monkeypatch.chdir(tmp_path)
    Path("good.txt").write_bytes(GOOD)
    Path("mtqa.toml").write_text('stdin-format = "jsonl"\n', encoding="utf-8")
    rc, out, err = check(capsys, fake_calibration, "good.txt")
    assert (rc, out, err) == (0, "out/sentences.csv\n", "")
    assert ids(Path("out")) == ["good"]


@pytest.mark.parametrize(
    ("option", "path", "line", "code"),
    [
        (
            "--glossary",
            "fifo.csv",
            "fifo.csv: not a regular file (a FIFO; --glossary); pass a .csv or .tbx file",
            1,
        ),
        (
            "--glossary",
            os.devnull,
            f"{os.devnull}: not a regular file (a character device; --glossary); pass a .csv or .tbx file",
            1,
        ),
        ("--glossary", "nope.csv", "nope.csv: no such file (--glossary); check the path", 1),
        (
            "--calibration",
            "fifo.csv",
            "fifo.csv: not a regular file (a FIFO) (--calibration); check the path, or leave "
            "--calibration out to use the detector shipped for 'fake'",
            1,
        ),
        (
            "--model",
            "./fifo.csv",
            "--model './fifo.csv': not a regular file (a FIFO); name a preset (smollm2-135m, "
            "gemma3-270m), a .gguf file or a local transformers model folder",
            1,
        ),
        (
            "--config",
            "fifo.csv",
            "--config fifo.csv: not a regular file (a FIFO); name a TOML file",
            2,
        ),
        (
            "--config",
            ".",
            "--config .: is a folder, not a file; name a file (mtqa.toml or pyproject.toml)",
            2,
        ),
    ],
)
def test_an_option_file_that_is_no_regular_file_is_named_so(
    option: str,
    path: str,
    line: str,
    code: int,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    fake_calibration: Path,
) -> None:
    """A FIFO as --glossary blocked the run for ever; as --calibration, --model or --config it
    was called missing ("no such file") though it is there."""
    monkeypatch.chdir(tmp_path)
    Path("good.txt").write_bytes(GOOD)
    os.mkfifo("fifo.csv")
    argv = ["check", "good.txt", "-o", "out", "--quiet", option, path]
    if option != "--model":
        argv += ["--model", "fake"]
    if option != "--calibration":
        argv += ["--calibration", str(fake_calibration)]
    assert cli.main(argv) == code
    captured = capsys.readouterr()
    assert (captured.out, captured.err) == ("", f"mtqa: error: {line}\n")
    assert not Path("out").exists()


# ------------------------------------------------------------------ the output folder


def test_output_folder_that_is_a_file(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    fake_calibration: Path,
) -> None:
    monkeypatch.chdir(tmp_path)
    Path("good.txt").write_bytes(GOOD)
    Path("taken").write_text("mine", encoding="utf-8")
    rc, out, err = check(capsys, fake_calibration, "good.txt", out="taken")
    assert (rc, out, err) == (
        1,
        "",
        "mtqa: error: taken: exists and is not a folder; choose another with -o\n",
    )
    assert Path("taken").read_text(encoding="utf-8") == "mine"
    rc, out, err = check(capsys, fake_calibration, "good.txt", out="taken/sub")
    assert (rc, out) == (1, "")
    assert (
        err == "mtqa: error: taken/sub: exists and is not a folder; choose another with -o\n"
        or (
            err.startswith("mtqa: error: taken/sub: cannot create the output folder (")
            and err.endswith("); choose another with -o\n")
        )
    )


def test_unwritable_output_folder(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    fake_calibration: Path,
) -> None:
    monkeypatch.chdir(tmp_path)
    Path("good.txt").write_bytes(GOOD)
    Path("ro").mkdir()
    if os.geteuid() == 0:  # root writes anywhere: make the permission check say no
        import mtqa.runinfo

        real_access = os.access
        monkeypatch.setattr(
            mtqa.runinfo.os, "access", lambda p, m: Path(p).name != "ro" and real_access(p, m)
        )
    else:
        Path("ro").chmod(0o555)
    try:
        rc, out, err = check(capsys, fake_calibration, "good.txt", out="ro")
    finally:
        Path("ro").chmod(0o755)
    assert (rc, out, err) == (
        1,
        "",
        "mtqa: error: ro: output folder is not writable; choose another with -o\n",
    )
    assert list(Path("ro").iterdir()) == []


def test_disk_full_while_writing_keeps_the_previous_report(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    fake_calibration: Path,
) -> None:
    from mtqa.report.jsonl import JsonlWriter

    monkeypatch.chdir(tmp_path)
    Path("good.txt").write_bytes(GOOD)
    assert check(capsys, fake_calibration, "good.txt")[0] == 0
    before = {p.name: p.read_bytes() for p in Path("out").iterdir() if p.is_file()}

    def full(self: Any, result: Any) -> None:
        raise OSError(28, "No space left on device")  # as write() raises it: no file name

    monkeypatch.setattr(JsonlWriter, "write", full)
    Path("good.txt").write_bytes(GOOD.replace(b"Monday", b"Tuesday"))
    rc, out, err = check(capsys, fake_calibration, "good.txt")
    assert (rc, out) == (1, "")
    assert err == (
        "mtqa: error: out/segments.jsonl: cannot write (No space left on device); "
        "free some space or choose another folder\n"
    )
    after = {p.name: p.read_bytes() for p in Path("out").iterdir() if p.is_file()}
    assert after == before  # every report is the complete one of the earlier run
    assert not [p for p in Path("out").iterdir() if p.name.endswith(".tmp")]


def test_rerun_with_other_inputs_is_refused_unless_overwrite(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    fake_calibration: Path,
) -> None:
    """A folder holds the reports of its inputs: another input set must not silently
    replace them; the same inputs (another spelling, another order) resume."""
    monkeypatch.chdir(tmp_path)
    Path("good.txt").write_bytes(GOOD)
    Path("other.txt").write_text("Another fine text.\n", encoding="utf-8")
    assert check(capsys, fake_calibration, "good.txt", "other.txt")[0] == 0
    run = json.loads(Path("out/run.json").read_text(encoding="utf-8"))
    assert run["inputs"] == ["../good.txt", "../other.txt"]
    before = {p: p.read_bytes() for p in Path("out").rglob("*") if p.is_file()}

    rc, out, err = check(capsys, fake_calibration, "other.txt")
    assert (rc, out) == (1, "")
    assert err == (
        "mtqa: error: out: holds the reports of other inputs (good.txt, other.txt); pass "
        "--overwrite to replace them or choose another folder with -o\n"
    )
    assert {p: p.read_bytes() for p in Path("out").rglob("*") if p.is_file()} == before
    assert check(capsys, fake_calibration, "./other.txt", "good.txt")[0] == 0
    assert check(capsys, fake_calibration, "other.txt", "--overwrite")[0] == 0
    assert ids(Path("out")) == ["other"]


def test_output_folder_that_is_an_input_folder_is_refused(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    fake_calibration: Path,
) -> None:
    monkeypatch.chdir(tmp_path)
    Path("texts").mkdir()
    Path("texts/good.txt").write_bytes(GOOD)
    rc, out, err = check(capsys, fake_calibration, "texts", out="texts/")
    assert (rc, out) == (2, "")
    assert err == (
        "mtqa: error: texts: is the input folder texts; its reports would be read back as "
        "input by the next check; write them elsewhere (-o reports/texts)\n"
    )
    assert sorted(p.name for p in Path("texts").iterdir()) == ["good.txt"]
    # a folder inside the input folder is fine: the walk skips it on the next check
    for _ in range(2):
        assert check(capsys, fake_calibration, "texts", out="texts/reports")[0] == 0
    assert ids(Path("texts/reports")) == ["good"]


def test_rerun_with_other_settings_is_refused_unless_overwrite(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    fake_calibration: Path,
) -> None:
    monkeypatch.chdir(tmp_path)
    Path("good.txt").write_bytes(GOOD)
    assert check(capsys, fake_calibration, "good.txt")[0] == 0
    before = {p: p.read_bytes() for p in Path("out").rglob("*") if p.is_file()}

    rc, out, err = check(capsys, fake_calibration, "good.txt", "--window", "512")
    assert (rc, out) == (1, "")
    assert err == (
        "mtqa: error: out: holds a run with other settings (--window 1024 -> 512); pass "
        "--overwrite to replace it or choose another folder with -o\n"
    )
    assert {p: p.read_bytes() for p in Path("out").rglob("*") if p.is_file()} == before
    rc, _, err = check(capsys, fake_calibration, "good.txt", "--no-source-lm", "--no-suggest")
    assert rc == 1 and "(--no-suggest off -> on, --no-source-lm off -> on)" in err

    # the same settings run by other mtqa code (same version): refused, and it says why
    import mtqa.runinfo

    real = mtqa.runinfo.code_fingerprint()
    monkeypatch.setattr(mtqa.runinfo, "code_fingerprint", lambda: "0123456789ab")
    rc, _, err = check(capsys, fake_calibration, "good.txt")
    assert rc == 1 and f"(mtqa code {real} -> 0123456789ab)" in err
    # a folder stored by an mtqa from before the code fingerprint: says so
    monkeypatch.undo()
    monkeypatch.chdir(tmp_path)
    run = json.loads(Path("out/run.json").read_text(encoding="utf-8"))
    key = json.loads(run["resume_key"])
    del key["code"]
    run["resume_key"] = json.dumps(key, sort_keys=True)
    Path("out/run.json").write_text(json.dumps(run), encoding="utf-8")
    rc, _, err = check(capsys, fake_calibration, "good.txt")
    assert rc == 1 and "(stored by an older mtqa, without a code fingerprint)" in err
    check(capsys, fake_calibration, "good.txt", "--overwrite")

    # same settings (another --format does not change scores): resumes, nothing rescored
    rc, _, err = check(capsys, fake_calibration, "good.txt", "--format", "csv")
    assert (rc, err) == (0, "")
    run = json.loads(Path("out/run.json").read_text(encoding="utf-8"))
    assert run["counts"]["resumed"] == 1

    rc, _, err = check(capsys, fake_calibration, "good.txt", "--window", "512", "--overwrite")
    assert (rc, err) == (0, "")
    run = json.loads(Path("out/run.json").read_text(encoding="utf-8"))
    assert run["settings"]["window"] == 512 and run["counts"]["resumed"] == 0
    assert len(list(Path("out/.mtqa-parts").glob("*.json"))) == 1  # old parts dropped


def test_overwrite_removes_reports_of_formats_not_requested(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    fake_calibration: Path,
) -> None:
    from mtqa.report import FILENAMES, WRITERS, writer_class

    assert {f: writer_class(f).filename for f in WRITERS} == FILENAMES
    monkeypatch.chdir(tmp_path)
    Path("good.txt").write_bytes(GOOD)
    assert check(capsys, fake_calibration, "good.txt")[0] == 0  # csv, jsonl, html
    Path("out/notes.txt").write_text("mine", encoding="utf-8")  # not mtqa's: kept
    Path("out/eval.json").write_text("{}", encoding="utf-8")  # mtqa eval's, of the old run
    rc, _, err = check(capsys, fake_calibration, "good.txt", "--format", "csv", "--overwrite")
    assert (rc, err) == (0, "")
    assert sorted(p.name for p in Path("out").iterdir() if p.is_file()) == [
        "notes.txt",
        "run.json",
        "sentences.csv",
        "summary.csv",
        "summary.png",
    ]
    # without --overwrite a rerun (resumed) leaves the other formats alone
    assert check(capsys, fake_calibration, "good.txt", "--format", "jsonl")[0] == 0
    assert Path("out/sentences.csv").is_file() and Path("out/segments.jsonl").is_file()


# ------------------------------------------------------------------ Ctrl-C and resume


class InterruptingScorer(FakeScorer):
    """Scores ``stop_after`` documents, then raises KeyboardInterrupt (Ctrl-C)."""

    def __init__(self, log: list[str], stop_after: int | None) -> None:
        super().__init__()
        self.log, self.stop_after = log, stop_after

    def score(self, texts: Sequence[str], *args: Any, **kwargs: Any) -> Any:
        if self.stop_after is not None and len(self.log) + len(texts) > self.stop_after:
            raise KeyboardInterrupt
        self.log.extend(texts)
        return super().score(texts, *args, **kwargs)


def scorer_factory(log: list[str], stop_after: int | None = None) -> Callable[[Any], FakeScorer]:
    return lambda settings: InterruptingScorer(log, stop_after)


def test_ctrl_c_keeps_finished_documents_and_rerun_resumes(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    fake_calibration: Path,
) -> None:
    from mtqa.engines import local

    monkeypatch.chdir(tmp_path)
    Path("in").mkdir()
    for i in range(6):
        Path(f"in/doc{i}.txt").write_text(f"Article {i} opens here. It ends.\n", encoding="utf-8")
    monkeypatch.setattr(local, "chunks", lambda docs: ([d] for d in docs))  # one per call

    log: list[str] = []
    monkeypatch.setattr(cli, "load_scorer", scorer_factory(log, stop_after=3))
    rc, out, err = check(capsys, fake_calibration, "in")
    assert (rc, out) == (130, "")
    assert err == (
        "mtqa: interrupted; finished documents are kept, rerun the same command to resume\n"
    )
    assert len(log) == 3
    assert len(list(Path("out/.mtqa-parts").glob("*.json"))) == 3  # complete documents kept
    assert sorted(p.name for p in Path("out").iterdir()) == [".mtqa-parts"]  # no half reports

    log2: list[str] = []
    monkeypatch.setattr(cli, "load_scorer", scorer_factory(log2))
    rc, _, err = check(capsys, fake_calibration, "in")
    assert (rc, err) == (0, "")
    assert len(log2) == 3  # only the other three are scored
    assert ids(Path("out")) == [f"doc{i}" for i in range(6)]
    run = json.loads(Path("out/run.json").read_text(encoding="utf-8"))
    assert run["counts"]["resumed"] == 3 and run["counts"]["documents"] == 6


# ------------------------------------------------------------------ the model


def test_missing_model_backend_package(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """torch/transformers absent (mtqa installed without its dependencies)."""
    from mtqa.errors import ModelError, options_named
    from mtqa.options import SETTING_OPTIONS
    from mtqa.settings import Settings

    monkeypatch.delitem(sys.modules, "mtqa.lm.hf", raising=False)
    monkeypatch.setitem(sys.modules, "torch", None)  # makes `import torch` fail
    with pytest.raises(ModelError) as err, options_named(SETTING_OPTIONS):  # as main() runs it
        cli.load_scorer(Settings())
    assert str(err.value) == (
        "--model 'gemma3-270m': the model backend needs the 'torch' package, which is not "
        "installed; run `pip install torch` (or `make` to set up .venv)"
    )
    with pytest.raises(ModelError, match="^model='gemma3-270m': the model backend needs"):
        cli.load_scorer(Settings())  # a Python call names the keyword


# ------------------------------------------------------------------ tracebacks


def test_a_bug_is_one_line_unless_mtqa_debug(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """README promises no traceback unless MTQA_DEBUG=1; an unexpected exception printed one."""

    def broken(args: object) -> int:
        raise ZeroDivisionError("division by zero")

    monkeypatch.setitem(cli.COMMANDS, "eval", broken)
    monkeypatch.delenv("MTQA_DEBUG", raising=False)
    assert cli.main(["eval", "g.jsonl", "run"]) == 1
    assert capsys.readouterr().err == (
        "mtqa: error: internal error (ZeroDivisionError: division by zero); this is a bug in "
        "mtqa: rerun with MTQA_DEBUG=1 for the traceback and report it\n"
    )
    monkeypatch.setenv("MTQA_DEBUG", "1")
    with pytest.raises(ZeroDivisionError):
        cli.main(["eval", "g.jsonl", "run"])


def test_no_traceback_unless_mtqa_debug(tmp_path: Path, fake_calibration: Path) -> None:
    (tmp_path / "good.txt").write_bytes(GOOD)
    (tmp_path / "taken").write_text("a file", encoding="utf-8")
    argv = [sys.executable, "-m", "mtqa", "check", "good.txt", "-o", "taken"]
    argv += ["--model", "fake", "--calibration", str(fake_calibration), "--quiet"]
    env = {k: v for k, v in os.environ.items() if k != "MTQA_DEBUG"}
    env["PYTHONPATH"] = str(Path(__file__).resolve().parent.parent)
    plain = subprocess.run(argv, cwd=tmp_path, env=env, capture_output=True, text=True)
    assert (plain.returncode, plain.stdout) == (1, "")
    assert (
        plain.stderr == "mtqa: error: taken: exists and is not a folder; choose another with -o\n"
    )
    debug = subprocess.run(
        argv, cwd=tmp_path, env=env | {"MTQA_DEBUG": "1"}, capture_output=True, text=True
    )
    assert debug.returncode == 1
    assert "Traceback (most recent call last)" in debug.stderr
    assert debug.stderr.rstrip().endswith(
        "mtqa.errors.OutputError: taken: exists and is not a folder; choose another with -o"
    )


def test_the_summary_lines_show_each_flags_fix(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    fake_calibration: Path,
) -> None:
    """The worst spans printed after a run carry their suggestion (a rule's own fix here)."""
    monkeypatch.chdir(tmp_path)
    Path("a.txt").write_text("The the cat sat on the mat. He left.\n", encoding="utf-8")
    rc = cli.main(["check", "a.txt", "--model", "fake", "--calibration", str(fake_calibration)])
    err = capsys.readouterr().err
    assert rc == 0
    assert "'The the' -> 'The': repeated word: 'The' twice" in err
    assert "more flagged sentence" not in err  # all are listed
    many = "".join(f"Line {i} has has a slip.\n" for i in range(8))
    Path("b.txt").write_text(many, encoding="utf-8")
    rc = cli.main(["check", "b.txt", "--model", "fake", "--calibration", str(fake_calibration)])
    err = capsys.readouterr().err
    listed = err.count("'has has' -> 'has'")
    assert rc == 0 and 0 < listed < 8
    assert f"... and {8 - listed} more flagged sentence(s): every span is in the report" in err
    # a deletion reads as sentences.csv and the review page say it, not as -> ''
    Path("c.txt").write_text("He left the room “\n", encoding="utf-8")
    rc = cli.main(["check", "c.txt", "--model", "fake", "--calibration", str(fake_calibration)])
    err = capsys.readouterr().err
    assert rc == 0 and "' “' -> (delete): an opening quote with nothing after it" in err
    assert "-> ''" not in err


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--cond-limit", "-5", "--gold", "g.jsonl"], "--cond-limit -5: must be 0 or more"),
        (["--gold-limit", "-1"], "--gold-limit -1: must be 0 or more"),
        (
            ["--back-limit", "10"],
            "--back-limit needs --gold FILE: only the gold segments have sources to score",
        ),
        (["--major-rate", "1.5"], "--major-rate 1.5: must be in (0, 1)"),
        (
            ["--major-rate", "0.5", "--minor-rate", "0.1"],
            "--major-rate 0.5 is above --minor-rate 0.1: a major flag is a flag too, so no "
            "more clean sentences can get one than get any flag; pass a --major-rate no "
            "higher than --minor-rate",
        ),
        (["--lines-per-doc", "0"], "--lines-per-doc 0: must be at least 1"),
        (["--lines-per-doc", "-2"], "--lines-per-doc -2: must be at least 1"),
    ],
)
def test_calibrate_refuses_meaningless_limits(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    args: list[str],
    message: str,
) -> None:
    monkeypatch.chdir(tmp_path)
    Path("clean.txt").write_text("A clean sentence.\n", encoding="utf-8")
    rc = cli.main(["calibrate", "clean.txt", "--model", "fake", "-o", "det.json", *args])
    assert (rc, capsys.readouterr().err) == (2, f"mtqa: error: {message}\n")
    assert not Path("det.json").exists()


@pytest.mark.parametrize(
    ("output", "message"),
    [
        ("taken", "taken: is a folder (-o); name the file to write, e.g. taken/NAME"),
        (
            "file.txt/det.json",
            "file.txt/det.json: file.txt is a file, not a folder (-o); choose another path",
        ),
    ],
)
def test_calibrate_checks_its_output_before_any_work(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    output: str,
    message: str,
) -> None:
    """-o naming a folder failed after the whole scoring and fit, with "free some space"."""
    monkeypatch.chdir(tmp_path)
    Path("taken").mkdir()
    Path("file.txt").write_text("x", encoding="utf-8")
    Path("clean.txt").write_text("A clean sentence.\n" * 60, encoding="utf-8")

    def no_model(settings: object) -> None:
        raise AssertionError("the model was loaded before the output path was checked")

    monkeypatch.setattr(cli_quality, "load_scorer", no_model)
    rc = cli.main(["calibrate", "clean.txt", "--model", "fake", "-o", output])
    assert (rc, capsys.readouterr().err) == (1, f"mtqa: error: {message}\n")


#: every output option of calibrate, synth, eval and review that names one of the command's
#: inputs: (arguments, the output as given, the input it names, its role, what to write)
OVER_INPUT = [
    (["calibrate", "clean.txt", "-o", "X"], "-o", "clean.txt", "", "the detector"),
    (
        ["calibrate", "clean.txt", "-o", "d.json", "--score-cache", "X"],
        "--score-cache",
        "clean.txt",
        "",
        "the score cache",
    ),
    (
        ["calibrate", "clean.txt", "--gold", "g.jsonl", "-o", "X"],
        "-o",
        "g.jsonl",
        " (--gold)",
        "the detector",
    ),
    (
        ["calibrate", "clean.txt", "--gold", "g.jsonl", "-o", "d.json", "--score-cache", "X"],
        "--score-cache",
        "g.jsonl",
        " (--gold)",
        "the score cache",
    ),
    (
        ["calibrate", "clean.txt", "--score-cache", "c.jsonl", "-o", "X"],
        "-o",
        "c.jsonl",
        " (--score-cache)",
        "the detector",
    ),
    (["synth", "clean.txt", "-o", "X"], "-o", "clean.txt", "", "the gold set"),
    (["eval", "g.jsonl", "run", "--json", "X"], "--json", "g.jsonl", "", "the evaluation"),
    (
        ["eval", "g.jsonl", "run", "--json", "X"],
        "--json",
        "run/segments.jsonl",
        "",
        "the evaluation",
    ),
    (["eval", "g.jsonl", "run", "--json", "X"], "--json", "run/run.json", "", "the evaluation"),
    (
        ["eval", "g.jsonl", "run", "--json", "X"],
        "--json",
        "run/sentences.csv",
        "",
        "the evaluation",
    ),
    (["review", "r.csv", "--json", "X"], "--json", "r.csv", "", "the report"),
]


@pytest.mark.parametrize("how", ["path", "symlink", "hard link"])
@pytest.mark.parametrize(("args", "option", "target", "role", "what"), OVER_INPUT)
def test_no_command_writes_over_its_input(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    how: str,
    args: list[str],
    option: str,
    target: str,
    role: str,
    what: str,
) -> None:
    """`mtqa calibrate CLEAN.txt -o CLEAN.txt` replaced the clean text with the detector
    (exit 0), and --score-cache appended to it; only synth's -o was checked (one check now)."""
    monkeypatch.chdir(tmp_path)
    Path("run").mkdir()
    files = ["clean.txt", "g.jsonl", "c.jsonl", "r.csv"]
    files += ["run/segments.jsonl", "run/run.json", "run/sentences.csv"]
    for name in files:
        Path(name).write_text(f"the user's {name}\n", encoding="utf-8")

    def no_model(settings: object) -> None:
        raise AssertionError("the model was loaded before the outputs were checked")

    monkeypatch.setattr(cli_quality, "load_scorer", no_model)
    out = {"path": target, "symlink": "link.txt", "hard link": "hard.txt"}[how]
    if how == "symlink":
        Path(out).symlink_to(target)
    elif how == "hard link":
        os.link(target, out)
    argv = [out if a == "X" else a for a in args]
    if argv[0] == "calibrate":
        argv += ["--model", "fake"]
    assert cli.main(argv) == 2
    assert capsys.readouterr().err == (
        f"mtqa: error: {option} {out}: is the input {target}{role}; write {what} elsewhere\n"
    )
    for name in files:
        assert Path(name).read_text(encoding="utf-8") == f"the user's {name}\n"


def test_an_output_that_is_a_pipe_or_device_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The atomic rename replaced a named pipe (or, as root, /dev/null) with a regular file."""
    monkeypatch.chdir(tmp_path)
    Path("clean.txt").write_text("A clean sentence.\n" * 60, encoding="utf-8")
    os.mkfifo("pipe")
    assert cli.main(["synth", "clean.txt", "-o", "pipe"]) == 1
    assert capsys.readouterr().err == (
        "mtqa: error: pipe: is not a regular file (a device, a pipe or a socket; -o); name a "
        "file to write\n"
    )
    assert Path("pipe").is_fifo()


def test_calibrate_says_a_score_cache_folder_is_a_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """--score-cache DIR failed after the scoring with "check the path, permissions and free
    space"."""
    monkeypatch.chdir(tmp_path)
    Path("taken").mkdir()
    Path("clean.txt").write_text("A clean sentence.\n" * 60, encoding="utf-8")

    def no_model(settings: object) -> None:
        raise AssertionError("the model was loaded before the score cache was checked")

    monkeypatch.setattr(cli_quality, "load_scorer", no_model)
    argv = ["calibrate", "clean.txt", "--model", "fake", "-o", "d.json", "--score-cache", "taken"]
    assert cli.main(argv) == 1
    assert capsys.readouterr().err == (
        "mtqa: error: taken: is a folder (--score-cache); name the file to write, e.g. taken/NAME\n"
    )


@pytest.mark.parametrize("path", ["/dev/null", "folder"])
@pytest.mark.parametrize(
    ("args", "fix"),
    [
        (["synth", "P", "-o", "x.jsonl"], "pass clean English text, one sentence per line"),
        (
            ["calibrate", "P", "--model", "fake", "-o", "d.json"],
            "pass clean English text, one sentence per line",
        ),
        (["eval", "P", "run", "--json", "-"], "pass a gold .jsonl file"),
        (["review", "P"], "pass the sentences.csv or verdicts-*.csv you reviewed"),
    ],
)
def test_a_quality_input_that_is_no_regular_file_says_what_it_is(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    path: str,
    args: list[str],
    fix: str,
) -> None:
    """`mtqa synth /dev/null` said "/dev/null: no such file"; a folder said so too, or
    "cannot read the file (Is a directory)"."""
    monkeypatch.chdir(tmp_path)
    Path("folder").mkdir()
    what = (
        "is a folder, not a file" if path == "folder" else "not a regular file (a character device)"
    )
    assert cli.main([path if a == "P" else a for a in args]) == 1
    assert capsys.readouterr().err == f"mtqa: error: {path}: {what}; {fix}\n"


def test_calibrate_gold_that_is_not_json_names_calibrate(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """It said "mtqa eval reads JSON lines" to a user of calibrate --gold."""
    monkeypatch.chdir(tmp_path)
    Path("clean.txt").write_text("A clean sentence.\n" * 60, encoding="utf-8")
    Path("mt.txt").write_text("A translated sentence.\n", encoding="utf-8")
    argv = ["calibrate", "clean.txt", "--gold", "mt.txt", "--model", "fake", "-o", "d.json"]
    assert cli.main(argv) == 1
    assert capsys.readouterr().err == (
        "mtqa: error: mt.txt:1: not valid JSON (Expecting value at column 1); mtqa calibrate "
        '--gold reads JSON lines, one gold record per line: {"id", "target", "spans": '
        '[{"start", "end", "severity", "category"}]}\n'
    )


def test_quiet_is_quiet_whatever_the_document_names(tmp_path: Path, fake_calibration: Path) -> None:
    """A document named in a script the plot's font lacks (CJK) or holding a tab made
    matplotlib warn on stderr ('UserWarning: Glyph 26085 ... missing from font(s) DejaVu
    Sans', with a source line), under --quiet too."""
    from .test_shell import mtqa_run

    texts = tmp_path / "texts"
    texts.mkdir()
    (texts / "日本.txt").write_text("The council met on Monday.\n", encoding="utf-8")
    (texts / "ta\tb.txt").write_text("It rained all day.\n", encoding="utf-8")
    args = ["--model", "fake", "--calibration", str(fake_calibration)]
    out = mtqa_run(tmp_path, "check", "texts", *args, "-o", "out", "--quiet")
    assert (out.returncode, out.stdout, out.stderr) == (0, "out/sentences.csv\n", "")
    assert (tmp_path / "out" / "summary.png").stat().st_size > 10_000


def test_a_file_name_starting_with_a_dash_is_named_with_the_fix(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """``mtqa check -dash.txt`` said 'the following arguments are required: INPUT'."""
    monkeypatch.chdir(tmp_path)
    Path("-dash.txt").write_text("The council met on Monday.\n", encoding="utf-8")
    for argv in (["check", "-dash.txt"], ["check", "a.txt", "-dash.txt", "-o", "out"]):
        assert cli.main(argv) == 2
        assert capsys.readouterr().err == (
            "mtqa: error: -dash.txt: a file name starting with '-' reads as an option; pass it "
            "as ./-dash.txt (or after --: mtqa check ... -- -dash.txt)\n"
        )
    assert cli.main(["check", "a.txt", "-zz"]) == 2  # no such file: argparse's own words
    assert capsys.readouterr().err == "mtqa: error: unrecognized arguments: -zz\n"


def test_the_summary_lines_escape_control_characters_in_an_id(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], fake_calibration: Path
) -> None:
    """A record id with an escape sequence, a CR and a line break once reached the terminal
    raw: it cleared the line and forged a summary line of its own. Each summary line is one
    line now, the id's control and bidirectional characters written as escapes."""
    evil = "evil\x1b[2K\rFAKE\n  major fake:0-1\u202e"
    record = {"id": evil, "target": "The minister said that the the budget is fine."}
    path = tmp_path / "r.jsonl"
    path.write_text(json.dumps(record) + "\n", encoding="utf-8")
    args = ["check", str(path), "-o", str(tmp_path / "out"), "--model", "fake"]
    rc = cli.main([*args, "--calibration", str(fake_calibration)])
    err = capsys.readouterr().err
    assert rc == 0
    lines = err.splitlines()
    flag = [line for line in lines if "'the the'" in line]
    assert flag == [
        "  minor evil\\x1b[2K\\rFAKE\\n  major fake:0-1\\u202e:23-30 'the the' -> 'the': "
        "repeated word: 'the' twice"
    ]
    assert not any(c in err for c in "\x1b\r\u202e")


def test_error_lines_escape_control_characters_in_a_file_name(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    fake_calibration: Path,
) -> None:
    """A file name is input too: one holding ESC[2K or U+202E reached stderr raw in a failure
    line, an `mtqa: error:` line and the summary, clearing or reordering the line."""
    monkeypatch.chdir(tmp_path)
    Path("in").mkdir()
    Path("in/good.txt").write_bytes(GOOD)
    Path("in/d\x1b[2K.txt").write_bytes(b"")
    out = "o\u202e"
    argv = ["check", "in", "-o", out, "--model", "fake", "--calibration", str(fake_calibration)]
    assert cli.main(argv) == 1
    err = capsys.readouterr().err
    assert "in/d\\x1b[2K.txt: empty file: nothing to score; remove it or add text\n" in err
    assert "flagged (0 major) -> o\\u202e\n" in err
    assert cli.main([*argv[:-2], "--calibration", "c\x1b[2K.json"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("mtqa: error: c\\x1b[2K.json: no such file (--calibration); ")
    assert cli.main([*argv, "--glossary", "g\u202e.csv"]) == 1
    assert (
        capsys.readouterr().err
        == "mtqa: error: g\\u202e.csv: no such file (--glossary); check the path\n"
    )
