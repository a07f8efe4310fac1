"""Issue 15, the input reader's part: nothing lost, nothing silent.

Each test is one fault *kind* with an exact input and the exact outcome: TSV fields are
literal and an unclosed CSV quote is reported (1), a stray NUL or bad byte costs only its
own line (2), every path a folder walk leaves out is a Failure (3), text with no visible
character is empty (4), a ``;``-separated CSV is read (5), an empty field name is a usage
error before anything is read (6). Messages: README, "Errors".
"""

from __future__ import annotations

import json
import os
import signal
import stat
import zlib
from collections.abc import Iterator
from pathlib import Path
from types import FrameType

import pytest

from mtqa.errors import InputError, UsageError
from mtqa.readers import decode, has_visible_text, read_inputs, read_stream, scan
from mtqa.records import Document, Failure
from mtqa.settings import Settings

COLUMNS_TSV = (
    "a .tsv field cannot hold a tab (TSV has no quoting); remove the tab "
    "or save the file as .csv or .jsonl"
)
UNCLOSED = 'close it with ", and write a quote inside it as ""'
EMPTY = "field 'target' is empty: nothing to score; fill it or drop the record"
NUL_FIX = "remove it or pass encoding_errors='replace'"  # read from Python: the keyword


def read(path: Path | str, **kw: str) -> list[Document | Failure]:
    return list(read_inputs([str(path)], **kw))


def outcome(items: list[Document | Failure]) -> list[tuple[str, str]]:
    """(id, text) per document, ("FAIL", str(failure)) per failure, in order."""
    return [("FAIL", str(i)) if isinstance(i, Failure) else (i.doc_id, i.text) for i in items]


@pytest.fixture()
def no_hang() -> Iterator[None]:
    """Fail instead of hanging if something opens a FIFO for reading and blocks."""

    def boom(signum: int, frame: FrameType | None) -> None:
        raise TimeoutError("blocked (on a FIFO?)")

    old = signal.signal(signal.SIGALRM, boom)
    signal.alarm(10)
    yield
    signal.alarm(0)
    signal.signal(signal.SIGALRM, old)


# ------------------------------------------------------------------ 1. TSV is literal, CSV quoting


def test_tsv_fields_are_literal_quotes_kept_and_an_open_quote_swallows_nothing(
    tmp_path: Path,
) -> None:
    path = tmp_path / "t.tsv"
    path.write_bytes(
        b"id\ttarget\n"
        b'a1\t"Stop the vote," the senator said on Monday.\n'
        b'a2\tShe said "no" twice.\r\n'
        b'a3\t"The plan is dead\n'
        b"a4\tThe second chamber voted on Tuesday.\n"
        b'a5\t""\n'  # two quote marks are text too
    )
    assert outcome(read(path)) == [
        ("a1", '"Stop the vote," the senator said on Monday.'),
        ("a2", 'She said "no" twice.'),
        ("a3", '"The plan is dead'),
        ("a4", "The second chamber voted on Tuesday."),
        ("a5", '""'),
    ]


def test_tsv_wrong_column_count_costs_its_line_with_a_fix_that_works(tmp_path: Path) -> None:
    path = tmp_path / "t.tsv"
    path.write_bytes(b'id\ttarget\nr1\tFine row.\nr2\t"A tab\tinside."\nr3\tLast row.\n')
    assert outcome(read(path)) == [
        ("r1", "Fine row."),
        ("FAIL", f"{path}:3: expected 2 columns as in the header, found 3; {COLUMNS_TSV}"),
        ("r3", "Last row."),
    ]


@pytest.mark.parametrize(
    "name,data,sep",
    [
        ("t.tsv", b"id\ttarget\tsource\nr1\tFine row.\nr2\tFine.\tBien.\n", "a tab"),
        ("t.csv", b"id,target,source\nr1,Fine row.\nr2,Fine.,Bien.\n", "a comma"),
    ],
)
def test_a_row_short_of_columns_says_a_field_is_missing(
    tmp_path: Path, name: str, data: bytes, sep: str
) -> None:
    """A newcomer's TSV row without its source got "a .tsv field cannot hold a tab ...;
    remove the tab": there was no tab to remove. A short row names the missing columns."""
    path = tmp_path / name
    path.write_bytes(data)
    assert outcome(read(path)) == [
        (
            "FAIL",
            f"{path}:2: expected 3 columns as in the header, found 2: no 'source'; add the "
            f"missing field (an empty field still takes its {sep})",
        ),
        ("r2", "Fine."),
    ]


def test_an_id_of_another_type_names_the_fix(tmp_path: Path) -> None:
    """`field 'id' must be a string or an integer, got float` said what, not the fix."""
    path = tmp_path / "m.jsonl"
    path.write_text(
        '{"id": 1.5, "target": "One."}\n{"id": [1], "target": "Two."}\n', encoding="utf-8"
    )
    assert outcome(read(path)) == [
        (
            "FAIL",
            f"{path}:1: field 'id' must be a string or an integer, got float; write the id "
            'as a JSON string ("...") or leave the field out',
        ),
        (
            "FAIL",
            f"{path}:2: field 'id' must be a string or an integer, got list; write the id "
            'as a JSON string ("...") or leave the field out',
        ),
    ]


@pytest.mark.parametrize("name", ["e.csv", "e.tsv"])
def test_an_empty_table_says_what_to_do_as_an_empty_txt_does(tmp_path: Path, name: str) -> None:
    """It said 'empty file: expected a header row naming the columns': what, not the fix."""
    path = tmp_path / name
    path.write_bytes(b"")
    assert outcome(read(path)) == [
        (
            "FAIL",
            f"{path}: empty file: nothing to score; remove it or add a header row naming the "
            "columns and a row per text",
        )
    ]


def test_csv_keeps_rfc4180_quoting(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    path.write_bytes(
        b'id,target\nr1,"Quoted, with a comma."\nr2,"He said ""no""."\n'
        b'r3,"Two lines,\nin one cell."\nr4,A 5" screen.\n'
    )
    assert outcome(read(path)) == [
        ("r1", "Quoted, with a comma."),
        ("r2", 'He said "no".'),
        ("r3", "Two lines,\nin one cell."),
        ("r4", 'A 5" screen.'),  # a quote inside an unquoted field is text
    ]


@pytest.mark.parametrize(
    "rows,runs",
    [
        # the quote runs to the end of the file
        (b'a3,"The plan is dead\na4,The second chamber voted.\na5,Third.\n', "the end of the file"),
        # a later quote closes it and the record breaks there
        (b'a3,"The plan is dead\na4,"The second chamber voted."\na5,Third.\n', "line 4"),
    ],
    ids=["to end of file", "csv error"],
)
def test_csv_unclosed_quote_is_reported_where_it_opens_and_rows_after_are_read(
    tmp_path: Path, rows: bytes, runs: str
) -> None:
    path = tmp_path / "t.csv"
    path.write_bytes(b"id,target\na1,First.\n" + rows)
    got = outcome(read(path))
    assert got[:2] == [
        ("a1", "First."),
        (
            "FAIL",
            f"{path}:3: a quoted field opens on this line and is not closed "
            f"(it runs on to {runs}); {UNCLOSED}",
        ),
    ]
    assert [i for i, _ in got[2:]] == ["a4", "a5"]
    assert got[-1] == ("a5", "Third.")


def test_csv_unclosed_quote_found_by_the_column_count(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    path.write_bytes(
        b'id,target\na1,First.\na3,"The plan is dead\na4,He said 5",then,more\na5,Third.\n'
    )
    assert outcome(read(path)) == [
        ("a1", "First."),
        (
            "FAIL",
            f"{path}:3: a quoted field opens on this line and is not closed "
            f"(it runs on to line 4); {UNCLOSED}",
        ),
        (
            "FAIL",
            f'{path}:4: expected 2 columns as in the header, found 4; put a field that holds a comma in double quotes ("...")',
        ),
        ("a5", "Third."),
    ]


def test_csv_unclosed_quote_on_the_last_line(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    path.write_bytes(b'id,target\na1,First.\na2,"No end')
    assert outcome(read(path)) == [
        ("a1", "First."),
        (
            "FAIL",
            f"{path}:3: a quoted field opens on this line and is not closed "
            f"(it runs on to the end of the file); {UNCLOSED}",
        ),
    ]


def test_csv_text_after_a_closing_quote_is_an_error_on_that_row(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    path.write_bytes(b'id,target\nr1,"Quoted" and more\nr2,Fine.\n')
    assert outcome(read(path)) == [
        (
            "FAIL",
            f"{path}:2: cannot parse this row (',' expected after '\"'); "
            'quote the whole field, writing " as ""',
        ),
        ("r2", "Fine."),
    ]


# ------------------------------------------------------------------ 2. a NUL costs its line only


def nul_file(suffix: str, far: bool) -> tuple[bytes, int, list[tuple[str, str]]]:
    """A file of ``suffix`` with a raw NUL on one record (line 2, or past the first 8 KiB)."""
    pad = ["x" * 100] * (90 if far else 0)
    texts = [*(f"Filler {i} {p}." for i, p in enumerate(pad)), "Good one.", "Bad\x00one.", "Last."]
    if suffix == ".jsonl":
        lines = [f'{{"id": "d{i}", "target": "{t}"}}' for i, t in enumerate(texts)]
    else:
        sep = "\t" if suffix == ".tsv" else ","
        lines = [f"id{sep}target", *(f"d{i}{sep}{t}" for i, t in enumerate(texts))]
    data = ("\n".join(lines) + "\n").encode("utf-8")
    line = lines.index(next(ln for ln in lines if "\x00" in ln)) + 1
    docs = [(f"d{i}", t) for i, t in enumerate(texts) if "\x00" not in t]
    return data, line, docs


@pytest.mark.parametrize("far", [False, True], ids=["line 2", "past 8 KiB"])
@pytest.mark.parametrize("suffix", [".jsonl", ".tsv", ".csv"])
def test_a_nul_byte_fails_only_its_own_line(tmp_path: Path, suffix: str, far: bool) -> None:
    data, line, docs = nul_file(suffix, far)
    assert (data.index(b"\x00") > 8192) == far
    path = tmp_path / f"m{suffix}"
    path.write_bytes(data)
    got = outcome(read(path))
    pos = data.index(b"\x00")
    fail = f"{path}:{line}: NUL byte at byte {pos} (0x00); {NUL_FIX}"
    assert got == docs[:-1] + [("FAIL", fail)] + docs[-1:]
    # opting in to replacement reads the line, the NUL as U+FFFD (one character: offsets hold)
    got = outcome(read(path, encoding_errors="replace"))
    assert [t for _, t in got][-2:] == ["Bad\ufffdone.", "Last."]


def test_the_exact_case_one_nul_on_line_2_of_a_jsonl(tmp_path: Path) -> None:
    path = tmp_path / "m.jsonl"
    path.write_bytes(b'{"id": "a", "target": "Good."}\n{"id": "b", "target": "N\x00L"}\n')
    assert outcome(read(path)) == [
        ("a", "Good."),
        ("FAIL", f"{path}:2: NUL byte at byte 55 (0x00); {NUL_FIX}"),
    ]


def test_invalid_utf8_in_a_table_fails_only_its_row(tmp_path: Path) -> None:
    for name, sep in (("t.tsv", b"\t"), ("t.csv", b",")):
        path = tmp_path / name
        path.write_bytes(b"id" + sep + b"target\nr1" + sep + b"Caf\xe9.\nr2" + sep + b"Fine.\n")
        assert outcome(read(path)) == [
            (
                "FAIL",
                f"{path}:2: invalid UTF-8 at byte 16 (0xe9); convert the file to UTF-8 "
                "or pass encoding_errors='replace'",
            ),
            ("r2", "Fine."),
        ]


@pytest.mark.parametrize("at", [3, 9000], ids=["early", "past 8 KiB"])
def test_a_txt_is_one_article_so_a_nul_anywhere_fails_it_naming_line_and_byte(
    tmp_path: Path, at: int
) -> None:
    body = ("Word. " * 2000)[:at] + "\n"
    data = body.encode() + b"Second\x00line.\n"
    path = tmp_path / "a.txt"
    path.write_bytes(data)
    pos = data.index(b"\x00")
    assert outcome(read(path)) == [("FAIL", f"{path}:2: NUL byte at byte {pos} (0x00); {NUL_FIX}")]
    [doc] = read(path, encoding_errors="replace")
    assert isinstance(doc, Document) and doc.text == data.decode().replace("\x00", "\ufffd")


BINARY = (
    "binary file, not UTF-8 text; pass a .txt, .jsonl, .tsv, .csv, .xlf, .xliff, .po or .tmx file"
)


@pytest.mark.parametrize(
    "data",
    [
        b"\x89PNG\r\n\x1a\n" + bytes(64),
        b"PK\x03\x04" + b"word" * 50,  # a zip (an .xlsx renamed .csv)
        b"%PDF-1.7\n" + b"text " * 50,
        b"\x1f\x8b\x08\x00" + bytes(range(256)),  # gzip
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(100),  # an old .xls
        zlib.compress(bytes(range(256)) * 40)[2:],  # no magic: compressed data
        bytes(200),  # all NULs
    ],
    ids=["png", "zip", "pdf", "gzip", "ole2", "compressed", "nuls"],
)
def test_really_binary_files_are_refused_whole(tmp_path: Path, data: bytes) -> None:
    for suffix in (".txt", ".jsonl", ".csv"):
        path = tmp_path / f"b{suffix}"
        path.write_bytes(data)
        assert outcome(read(path)) == [("FAIL", f"{path}: {BINARY}")]


def test_utf16_without_a_bom_is_named_utf16(tmp_path: Path) -> None:
    path = tmp_path / "u.jsonl"
    path.write_bytes('{"target": "Hello there."}\n'.encode("utf-16-le") * 3)
    assert outcome(read(path)) == [
        (
            "FAIL",
            f"{path}: UTF-16 text, not UTF-8; convert it (e.g. `iconv -f UTF-16 -t UTF-8`) "
            "or save it as UTF-8",
        )
    ]


@pytest.mark.parametrize(
    ("encoding", "name"),
    [
        ("utf-32", "UTF-32"),  # with a BOM; the little-endian one starts with UTF-16's
        ("utf-32-le", "UTF-32"),
        ("utf-32-be", "UTF-32"),
        ("utf-16-be", "UTF-16"),
    ],
)
def test_utf32_and_utf16_are_named_with_or_without_a_bom(
    tmp_path: Path, encoding: str, name: str
) -> None:
    """A UTF-32 file was called UTF-16 (with its BOM) or binary (without one)."""
    for text in ('{"target": "Hello there."}\n' * 3, '{"target": "東京の天気"}\n' * 3):
        path = tmp_path / "w.jsonl"
        path.write_bytes(text.encode(encoding))
        assert outcome(read(path)) == [
            (
                "FAIL",
                f"{path}: {name} text, not UTF-8; convert it (e.g. `iconv -f {name} -t UTF-8`) "
                "or save it as UTF-8",
            )
        ], text


def test_the_binary_rule_spares_text_with_a_few_odd_bytes() -> None:
    assert decode(b"ok\x1b[1mbold\x1b[0m\x0c\n", "f.txt") == "ok\x1b[1mbold\x1b[0m\x0c\n"
    for data in (
        b"a\x00",
        b"\x00" * 3 + b"x" * 60,
        "Un café crème, s'il vous plaît.".encode("latin-1"),
    ):
        with pytest.raises(InputError) as err:  # too few to be binary: the byte is named
            decode(data, "f.txt")
        assert "binary" not in err.value.message and err.value.line == 1
    with pytest.raises(InputError, match="binary file"):  # a third of 64 bytes
        decode(b"\x00" * 22 + b"x" * 42, "f.txt")


# ------------------------------------------------------------------ 3. folder walks skip nothing silently


def test_folder_walk_reports_every_path_it_leaves_out_and_follows_links(
    tmp_path: Path, no_hang: None
) -> None:
    other = tmp_path / "other"
    other.mkdir()
    (other / "far.txt").write_text("Linked folder.", encoding="utf-8")
    (tmp_path / "single.txt").write_text("Linked file.", encoding="utf-8")
    docs = tmp_path / "docs"
    (docs / "sub").mkdir(parents=True)
    (docs / "a.txt").write_text("Good.", encoding="utf-8")
    (docs / "sub" / "b.txt").write_text("Deep.", encoding="utf-8")
    (docs / "notes.md").write_text("Not an input.", encoding="utf-8")  # passed over, as before
    os.mkfifo(docs / "fifo.txt")
    os.mkfifo(docs / "pipe")  # not named like an input: passed over like notes.md
    (docs / "dangling.txt").symlink_to(tmp_path / "missing.txt")
    (docs / "self.txt").symlink_to(docs / "self.txt")
    (docs / "linked").symlink_to(other)
    (docs / "linked2").symlink_to(other)  # the same folder again
    (docs / "sub" / "up").symlink_to(docs)  # a loop
    (docs / "file.txt").symlink_to(tmp_path / "single.txt")
    got = outcome(read(docs))
    assert got == [
        (
            "FAIL",
            f"{docs}/dangling.txt: broken symbolic link (to '{tmp_path}/missing.txt'); fix the link or remove it",
        ),
        (
            "FAIL",
            f"{docs}/fifo.txt: not a regular file (a FIFO); skipped; replace it with a regular file",
        ),
        (
            "FAIL",
            f"{docs}/linked2: folder already read as {docs}/linked (two paths lead to it); skipped; remove the extra link",
        ),
        (
            "FAIL",
            f"{docs}/self.txt: symbolic link loop (the link leads back to itself); fix the link or remove it",
        ),
        (
            "FAIL",
            f"{docs}/sub/up: link to a folder that holds it (a loop); skipped; remove the link",
        ),
        ("a", "Good."),
        ("file", "Linked file."),
        ("linked/far", "Linked folder."),
        ("sub/b", "Deep."),
    ]
    assert outcome(read(docs)) == got  # deterministic


def test_a_folder_walk_passes_over_hidden_files_and_folders(tmp_path: Path) -> None:
    """A folder unzipped from a Mac holds '._a.txt' AppleDouble files (binary: each failed
    the run, exit 1), and a project folder '.venv/.../top_level.txt' (scored as texts).
    A hidden name (starting with '.') is passed over by the walk, as by ls, git and ruff;
    a hidden file or folder given by name is read."""
    docs = tmp_path / "docs"
    (docs / "__MACOSX").mkdir(parents=True)
    (docs / ".venv" / "lib").mkdir(parents=True)
    (docs / "a.txt").write_text("Good.", encoding="utf-8")
    apple = b"\x00\x05\x16\x07\x00\x02\x00\x00Mac OS X        \x00\x02"
    (docs / "._a.txt").write_bytes(apple)
    (docs / "__MACOSX" / "._a.txt").write_bytes(apple)
    (docs / ".venv" / "lib" / "top_level.txt").write_text("pkg\n", encoding="utf-8")
    (docs / ".notes.txt").write_text("Hidden.", encoding="utf-8")
    assert outcome(read(docs)) == [("a", "Good.")]
    assert outcome(read(docs / ".notes.txt")) == [(".notes", "Hidden.")]
    assert outcome(read(docs / ".venv")) == [("lib/top_level", "pkg\n")]


def test_a_fifo_passed_directly_is_named_a_fifo_and_never_opened(
    tmp_path: Path, no_hang: None
) -> None:
    os.mkfifo(tmp_path / "pipe.txt")
    assert outcome(read(tmp_path / "pipe.txt")) == [
        ("FAIL", f"{tmp_path}/pipe.txt: not a regular file (a FIFO); pass a regular file")
    ]
    # a --reference given as a FIFO does not block either
    (tmp_path / "a.txt").write_text("One.\n", encoding="utf-8")
    got = list(read_inputs([str(tmp_path / "a.txt")], reference=str(tmp_path / "pipe.txt")))
    assert outcome(got) == [
        (
            "FAIL",
            f"{tmp_path}/pipe.txt: reference file: not a regular file (a FIFO); pass a "
            "regular file",
        )
    ]


def test_broken_links_passed_directly(tmp_path: Path) -> None:
    (tmp_path / "gone.txt").symlink_to("nowhere.txt")
    (tmp_path / "loop.txt").symlink_to("loop.txt")
    got = outcome(list(read_inputs([str(tmp_path / "gone.txt"), str(tmp_path / "loop.txt")])))
    assert got == [
        (
            "FAIL",
            f"{tmp_path}/gone.txt: broken symbolic link (to 'nowhere.txt'); fix the link or remove it",
        ),
        (
            "FAIL",
            f"{tmp_path}/loop.txt: symbolic link loop (the link leads back to itself); fix the link or remove it",
        ),
    ]


def test_an_unreadable_subfolder_is_reported(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "docs" / "locked").mkdir(parents=True)
    (tmp_path / "docs" / "locked" / "x.txt").write_text("Hidden.", encoding="utf-8")
    (tmp_path / "docs" / "a.txt").write_text("Good.", encoding="utf-8")
    locked = tmp_path / "docs" / "locked"
    _lock(locked, monkeypatch)
    try:
        found, failures = scan([str(tmp_path / "docs")])
        # given directly, beside a good file: the same failure, the file still found
        found2, failures2 = scan([str(locked), str(tmp_path / "docs" / "a.txt")])
    finally:
        locked.chmod(stat.S_IRWXU)
    assert [p.name for p, _ in found] == [p.name for p, _ in found2] == ["a.txt"]
    assert (
        [str(f) for f in failures]
        == [str(f) for f in failures2]
        == [f"{locked}: cannot read this folder: Permission denied; check its permissions"]
    )


def _lock(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Make ``folder`` unreadable (mode 000); as root, who reads any folder, stand in for
    the kernel's refusal: listing it, or looking up a name inside it (``.mtqa-parts``, which
    the walk looks for in every folder), is a PermissionError."""
    if os.geteuid() != 0:
        folder.chmod(0)
        return
    real_scandir, real_stat = os.scandir, os.stat

    def refuse(path: object) -> None:
        p = Path(os.fsdecode(path))  # type: ignore[arg-type]
        if p == folder or folder in p.parents:
            raise PermissionError(13, "Permission denied", str(path))

    def scandir(path: os.PathLike[str]) -> os._ScandirIterator[str]:
        refuse(path)
        return real_scandir(path)

    def stat_(path: os.PathLike[str], *a: object, **k: object) -> os.stat_result:
        if Path(os.fsdecode(path)) != folder:  # type: ignore[arg-type]
            refuse(path)
        return real_stat(path, *a, **k)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "scandir", scandir)
    monkeypatch.setattr(os, "stat", stat_)


def test_skipped_paths_make_the_cli_exit_1_and_the_rest_is_scored(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    fake_calibration: Path,
    no_hang: None,
) -> None:
    from mtqa import cli  # imported here: the CLI module may move while readers.py stays

    monkeypatch.setattr("mtqa.report.summary.plot_summary", lambda *a, **k: b"\x89PNG")
    monkeypatch.chdir(tmp_path)
    Path("docs").mkdir()
    Path("docs/a.txt").write_text("The council met on Monday.\n", encoding="utf-8")
    os.mkfifo("docs/pipe.txt")
    Path("docs/gone.txt").symlink_to("nowhere.txt")
    argv = ["check", "docs", "-o", "out", "--model", "fake"]
    rc = cli.main([*argv, "--calibration", str(fake_calibration), "--quiet"])
    err = capsys.readouterr().err.splitlines()
    assert rc == 1
    assert err == [
        "docs/gone.txt: broken symbolic link (to 'nowhere.txt'); fix the link or remove it",
        "docs/pipe.txt: not a regular file (a FIFO); skipped; replace it with a regular file",
    ]
    assert Path("out/segments.jsonl").read_text(encoding="utf-8").count('"id": "a"') == 1


def test_a_link_loop_given_directly_fails_alone_and_the_run_completes(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    fake_calibration: Path,
    no_hang: None,
) -> None:
    """A loop named on the command line (not found in a folder) was reported, then
    crashed the run in ``run.json``'s input list (``Path.resolve`` raises on a loop): the
    reports stood without ``run.json``, on every rerun."""
    from mtqa import cli

    monkeypatch.setattr("mtqa.report.summary.plot_summary", lambda *a, **k: b"\x89PNG")
    monkeypatch.chdir(tmp_path)
    Path("a.txt").write_text("The council met on Monday.\n", encoding="utf-8")
    Path("la.txt").symlink_to("lb")
    Path("lb").symlink_to("la.txt")
    argv = ["check", "la.txt", "a.txt", "--model", "fake", "--calibration", str(fake_calibration)]
    for _ in range(2):  # and again: the run is complete, not refused or crashed
        rc = cli.main([*argv, "--quiet"])  # the default folder: named after a.txt, the first
        err = capsys.readouterr().err.splitlines()
        assert rc == 1
        assert err == [
            "la.txt: symbolic link loop (the link leads back to itself); fix the link or remove it"
        ]
        run = json.loads(Path("reports/a/run.json").read_text(encoding="utf-8"))
        assert run["inputs"] == ["../../a.txt", "../../la.txt"]
        assert Path("reports/a/segments.jsonl").read_text(encoding="utf-8").count('"id": "a"') == 1


# ------------------------------------------------------------------ 4. invisible-only text is empty


INVISIBLE = [
    "\u200b",  # zero width space (Cf)
    "\ufeff",  # a BOM inside the text (Cf)
    "\u00a0\u200b \u2060\t",  # NBSP, ZWSP, word joiner, whitespace
    "\u200e\u200f\u202a\u202c",  # bidi marks and embeddings (Cf)
    "\u00ad",  # soft hyphen (Cf)
    "\u3164\u115f",  # Hangul fillers (Lo, default-ignorable)
    "\ufe0f\u034f",  # variation selector, combining grapheme joiner (Mn, default-ignorable)
    "\U000e0041\U000e007f",  # tag characters (Cf)
    "\u2800",  # braille blank
    "\x07\x1b",  # controls (Cc)
]


@pytest.mark.parametrize("text", INVISIBLE, ids=[f"U+{ord(t[0]):04X}" for t in INVISIBLE])
def test_a_target_with_no_visible_character_is_empty(tmp_path: Path, text: str) -> None:
    assert not has_visible_text(text)
    path = tmp_path / "m.jsonl"
    rec = {"id": "b", "target": text}
    path.write_text('{"id": "a", "target": "Fine."}\n' + json.dumps(rec) + "\n", encoding="utf-8")
    assert outcome(read(path)) == [("a", "Fine."), ("FAIL", f"{path}:2: {EMPTY}")]
    tsv, text = tmp_path / "t.tsv", text.replace("\t", " ")  # a tab would split the row
    tsv.write_text(f"id\ttarget\nb\t{text}x\nc\t{text}\n", encoding="utf-8")
    got = outcome(read(tsv))
    assert got == [("b", f"{text}x"), ("FAIL", f"{tsv}:3: {EMPTY}")]  # text kept as read


def test_visible_text_is_kept_byte_for_byte() -> None:
    for text in ("\u200bHello\u200b", "\u0301", "\ue000", "\u1680", "\u00a0a"):
        assert has_visible_text(text) == (text != "\u1680")  # U+1680 is a space (Zs)


def test_a_txt_file_with_no_visible_character_is_empty(tmp_path: Path) -> None:
    path = tmp_path / "z.txt"
    path.write_bytes("\ufeff\u200b\n\u2060 \n".encode())
    assert outcome(read(path)) == [
        (
            "FAIL",
            f"{path}: file holds no visible character (only invisible ones such as "
            "U+200B ZERO WIDTH SPACE): nothing to score; remove it or add text",
        )
    ]
    path.write_bytes("\ufeff\u200bWord.\n".encode())  # the leading BOM only is dropped
    assert outcome(read(path)) == [("z", "\u200bWord.\n")]


# ------------------------------------------------------------------ 5. the separator of a .csv


def test_an_excel_csv_with_semicolons_is_read(tmp_path: Path) -> None:
    path = tmp_path / "excel.csv"
    path.write_bytes(
        "id;target;note\r\n"
        "r1;Le conseil s'est réuni lundi, à 10 h.;ok\r\n"
        'r2;"Il a dit « non » ; puis il est parti.";\r\n'
        "r3;Trop;de;champs\r\n".encode("utf-8-sig")
    )
    assert outcome(read(path)) == [
        ("r1", "Le conseil s'est réuni lundi, à 10 h."),
        ("r2", "Il a dit « non » ; puis il est parti."),
        (
            "FAIL",
            f'{path}:4: expected 3 columns as in the header, found 4; put a field that holds a semicolon in double quotes ("...")',
        ),
    ]


@pytest.mark.parametrize(
    "data,want",
    [
        (b"id|target\nr1|Pipes, why not.\n", [("r1", "Pipes, why not.")]),
        (b"id\ttarget\nr1\tA tab in a .csv.\n", [("r1", "A tab in a .csv.")]),
        # a comma header that works is read with commas, whatever the other columns hold
        (b"id,target,a;b\nr1,One; two.,x\n", [("r1", "One; two.")]),
        (b'"id";"target"\n"r1";"Quoted; fine."\n', [("r1", "Quoted; fine.")]),
    ],
    ids=["pipe", "tab", "comma wins", "quoted header"],
)
def test_the_separator_is_the_one_that_finds_the_text_column(
    tmp_path: Path, data: bytes, want: list[tuple[str, str]]
) -> None:
    path = tmp_path / "t.csv"
    path.write_bytes(data)
    assert outcome(read(path)) == want


def test_a_header_only_semicolon_csv_is_checked_as_such(tmp_path: Path) -> None:
    path = tmp_path / "h.csv"
    path.write_bytes(b"id;target\r\n")
    assert outcome(read(path)) == [
        ("FAIL", f"{path}: no data rows after the header; add one row per text")
    ]
    path.write_bytes(b"id;body\r\nr1;Text.\r\n")  # no text column: the header shown split right
    assert outcome(read(path)) == [
        (
            "FAIL",
            f"{path}:1: header has no 'target' or 'text' column: ['id', 'body'] (separator ';'); "
            "rename the text column or pass text_field=NAME",
        )
    ]


# ------------------------------------------------------------------ 6. the reading options


@pytest.mark.parametrize(
    "options,message",
    [
        (
            {"text_field": ""},
            "text_field='': empty field name; name the record field (or column) that holds "
            "the text (default 'target')",
        ),
        (
            {"id_field": "  "},
            "id_field='  ': empty field name; name the record field (or column) that holds "
            "the id (default 'id')",
        ),
    ],
)
def test_an_empty_field_name_is_refused_before_anything_is_read(
    tmp_path: Path, options: dict[str, str], message: str
) -> None:
    """Every record would fail (``expected a '' field``): a usage error instead, from the
    readers, the settings (so the CLI, a config file and the API) alike; a Python call
    names the keyword (`mtqa check` its option: tests/test_cli.py)."""
    with pytest.raises(UsageError) as exc:
        list(read_inputs([str(tmp_path / "never-read.jsonl")], **options))
    assert str(exc.value) == message
    with pytest.raises(UsageError) as exc:
        list(read_stream(b'{"target": "x"}\n', "jsonl", **options))
    assert str(exc.value) == message
    with pytest.raises(UsageError) as exc:
        Settings(**options)
    assert str(exc.value) == message
