"""A NUL (U+0000) in what mtqa reads: the record, entry or file that holds it fails alone.

The .txt/.jsonl/.tsv/.csv readers refuse a NUL byte when they decode the file (the .txt
file, the .jsonl line, the table record: ``NUL byte at byte N (0x00)``). A PO entry's
NUL byte and a NUL from a JSON ``\\u0000`` escape (or a Python string given to the API)
used to pass into sentences.csv as a raw NUL byte; they now cost their entry or record,
named the same way, and the other records are scored. XML cannot hold a NUL at all (raw
or ``&#0;``: not well-formed). Messages: README, "Errors".
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from mtqa.documents import to_documents
from mtqa.errors import InputError
from mtqa.io import Skipped
from mtqa.io import po as po_io
from mtqa.io import tmx as tmx_io
from mtqa.io import xliff as xliff_io
from mtqa.readers import read_inputs, read_stream
from mtqa.records import Document, Failure

HEADER = b'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n\n'


def outcome(items: Iterator[Document | Failure | Skipped]) -> list[tuple[str, str]]:
    return [
        ("FAIL", str(i)) if isinstance(i, Failure) else (i.doc_id, i.text)
        for i in items
        if not isinstance(i, Skipped)
    ]


def test_the_message() -> None:
    from mtqa.text import nul_fault

    assert nul_fault("fine", "field 'target'") is None
    assert nul_fault("a\x00b", "target") == "target holds a NUL character (U+0000); remove it"


def test_a_po_entry_with_a_nul_byte_fails_alone(tmp_path: Path) -> None:
    path = tmp_path / "n.po"
    path.write_bytes(
        HEADER
        + b'msgid "a"\nmsgstr "Hello\x00 world"\n\n'  # line 5, the NUL on line 6
        + b'msgid "b"\nmsgstr "Fine text here."\n\n'
        + b'msgid "c"\nmsgid_plural "cs"\nmsgstr[0] "One cat."\nmsgstr[1] "Two\x00 cats."\n\n'
        + b'msgid "d\x00"\nmsgstr "A source with a NUL."\n'
    )
    data = path.read_bytes()
    at = [i for i, b in enumerate(data) if b == 0]
    assert outcome(read_inputs([str(path)])) == [
        ("FAIL", f"{path}:6: NUL byte at byte {at[0]} (0x00); remove it"),
        ("n:8", "Fine text here."),
        ("FAIL", f"{path}:14: NUL byte at byte {at[1]} (0x00); remove it"),
        ("FAIL", f"{path}:16: NUL byte at byte {at[2]} (0x00); remove it"),
    ]


def test_jsonl_nul_escapes_fail_their_record(tmp_path: Path) -> None:
    path = tmp_path / "n.jsonl"
    lines = [
        r'{"id":"ok","target":"A fine line."}',
        r'{"id":"t","target":"A \u0000 here."}',
        r'{"id":"i\u0000","target":"A bad id."}',
        r'{"id":"src","target":"Fine.","source":"Bad \u0000 source."}',
        r'{"id":"ref","target":"Fine.","reference":"Bad \u0000 reference."}',
        r'{"id":"last","target":"Still read.","note":"\u0000 unread"}',
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    fix = "holds a NUL character (U+0000); remove it"
    assert outcome(read_inputs([str(path)])) == [
        ("ok", "A fine line."),
        ("FAIL", f"{path}:2: field 'target' {fix}"),
        ("FAIL", f"{path}:3: field 'id' {fix}"),
        ("FAIL", f"{path}:4: field 'source' {fix}"),
        ("FAIL", f"{path}:5: field 'reference' {fix}"),
        ("last", "Still read."),
    ]
    data = b'{"target":"A fine line."}\n{"target":"Bad \\u0000 one."}\n'
    assert outcome(read_stream(data, "jsonl")) == [
        ("stdin:1", "A fine line."),
        ("FAIL", f"<stdin>:2: field 'target' {fix}"),
    ]


def test_a_nul_byte_in_a_txt_or_jsonl_file_as_before(tmp_path: Path) -> None:
    """The rule the others now follow: the file (.txt) or the line (.jsonl) fails."""
    (tmp_path / "a.txt").write_bytes(b"An article.\nWith a \x00 in it.\n")
    (tmp_path / "b.jsonl").write_bytes(b'{"target":"Bad \x00 one."}\n{"target":"Good."}\n')
    assert outcome(read_inputs([str(tmp_path)])) == [
        (
            "FAIL",
            f"{tmp_path / 'a.txt'}:2: NUL byte at byte 19 (0x00); remove it or pass "
            "encoding_errors='replace'",
        ),
        (
            "FAIL",
            f"{tmp_path / 'b.jsonl'}:1: NUL byte at byte 15 (0x00); remove it or pass "
            "encoding_errors='replace'",
        ),
        ("b:2", "Good."),
    ]


def test_the_api_refuses_a_nul_like_a_surrogate() -> None:
    docs, failures = to_documents(
        ["A \x00 text.", "A fine text.", Document("d", "Ok.", source="S\x00")]
    )
    assert [d.text for d in docs] == ["A fine text."]
    assert [str(f) for f in failures] == [
        "texts[0]: target holds a NUL character (U+0000); remove it",
        "texts[2]: source holds a NUL character (U+0000); remove it",
    ]


@pytest.mark.parametrize("nul", ["\x00", "&#0;", "&#x0;"])
@pytest.mark.parametrize("suffix", [".xlf", ".tmx"])
def test_xml_cannot_hold_a_nul(tmp_path: Path, suffix: str, nul: str) -> None:
    if suffix == ".xlf":
        text = (
            '<xliff version="1.2"><file original="a" source-language="fr" '
            'target-language="en" datatype="plaintext"><body>\n'
            f'<trans-unit id="1"><source>Le.</source><target>The {nul}.</target></trans-unit>\n'
            "</body></file></xliff>\n"
        )
    else:
        text = (
            '<tmx version="1.4"><header srclang="fr" segtype="sentence" o-tmf="x" '
            'adminlang="en" datatype="plaintext" creationtool="x" creationtoolversion="1"/>'
            f'<body>\n<tu><tuv xml:lang="en"><seg>The {nul}.</seg></tuv></tu>\n</body></tmx>\n'
        )
    path = tmp_path / ("n" + suffix)
    path.write_text(text, encoding="utf-8")
    module = xliff_io if suffix == ".xlf" else tmx_io
    expected = (
        r"n\.(xlf|tmx):2: character U\+0000 \(a control character\) is not allowed in XML; "
        r"remove it"
        if nul == "\x00"
        else r"n\.(xlf|tmx):2: not well-formed XML: .*; fix the markup"
    )
    with pytest.raises(InputError, match=expected):
        module.read_units(str(path))


def test_no_report_holds_a_nul(tmp_path: Path, fake_calibration: Path) -> None:
    from mtqa import cli

    root = tmp_path / "in"
    root.mkdir()
    (root / "n.po").write_bytes(
        HEADER + b'msgid "a"\nmsgstr "Hello\x00 world"\n\nmsgid "b"\nmsgstr "Fine text."\n'
    )
    (root / "j.jsonl").write_text(r'{"target":"A \u0000 here."}' + "\n", encoding="utf-8")
    (root / "ok.txt").write_text("A plain article.\n", encoding="utf-8")
    out = tmp_path / "out"
    rc = cli.main(
        ["check", str(root), "-o", str(out), "--model", "fake", "--format", "csv,jsonl,html,po"]
        + ["--calibration", str(fake_calibration)]
    )
    assert rc == 1
    for p in out.rglob("*"):
        if p.is_file() and not {".mtqa-parts", "annotated"} & set(p.parts) and p.suffix != ".png":
            assert b"\x00" not in p.read_bytes(), p
    run = json.loads((out / "run.json").read_text(encoding="utf-8"))
    assert len(run["failures"]) == 2 and run["counts"]["documents"] == 2
    assert (out / "annotated" / "n.po").is_file()  # its other entry was scored: a copy of it


def test_the_po_reader_gives_no_document_with_a_nul(tmp_path: Path) -> None:
    path = tmp_path / "p.po"
    path.write_bytes(HEADER + b'msgid "a"\nmsgstr "Hi\x00"\n')
    (item,) = po_io.read_documents(str(path), "p")
    assert isinstance(item, Failure) and item.line == 6


def test_a_po_entry_with_a_c_escape_translate_toolkit_misreads_fails_alone(
    tmp_path: Path,
) -> None:
    r"""gettext's escapes beyond \n \t \r \" \\ (\a \b \f \v, octal, hex) were read by
    translate-toolkit as their letters: "Hello\0world" became "Hello0world", "Caf\303\251"
    "Caf303251", silently. Each such entry now fails alone, naming the line and the escape;
    an escaped backslash before a letter or digit (\\0) is no escape and reads as before."""
    path = tmp_path / "e.po"
    path.write_bytes(
        HEADER
        + b'msgid "a"\nmsgstr "Hello\\0world."\n\n'  # 5-6
        + b'msgid "b"\nmsgstr "Fine, with \\"quotes\\", a \\\\0 and a\\ttab."\n\n'  # 8-9
        + b'msgid "c"\nmsgstr ""\n"Caf\\303\\251 is "\n"open."\n\n'  # 11-14
        + b'msgid "d"\nmsgstr "Ring\\a the bell."\n\n'  # 16-17
        + b'msgid "e"\nmsgstr "Caf\\xe9 is open."\n\n'  # 19-20
        + b'msgid "f\\vg"\nmsgstr "A source with a vertical tab."\n\n'  # 22-23
        + b'msgid "g"\nmsgstr "Caf\\u00e9 is open."\n\n'  # 25-26
        + b'# a comment may hold \\0\nmsgid "h"\nmsgstr "Still read."\n'  # 28-30
    )
    got = outcome(read_inputs([str(path)]))
    assert got == [
        ("FAIL", f"{path}:6: the escape \\0 is a NUL character (U+0000); remove it"),
        ("e:8", 'Fine, with "quotes", a \\0 and a\ttab.'),
        (
            "FAIL",
            f"{path}:13: the escape \\303 (a byte in octal) is not read: translate-toolkit "
            "reads it as '303'; write the character itself",
        ),
        (
            "FAIL",
            f"{path}:17: the escape \\a is a control character (U+0007); remove it",
        ),
        (
            "FAIL",
            f"{path}:20: the escape \\xe9 (a byte in hex) is not read: translate-toolkit "
            "reads it as 'xe9'; write the character itself",
        ),
        (
            "FAIL",
            f"{path}:22: the escape \\v is a control character (U+000B); remove it",
        ),
        (
            "FAIL",
            f"{path}:26: the escape \\u is not a PO escape: translate-toolkit reads it as "
            "'u'; write the character itself",
        ),
        ("e:28", "Still read."),
    ]
    for _, message in got:  # one line each
        assert "\n" not in message


@pytest.mark.parametrize("newline", [b"\r\n", b"\r"])
def test_a_misread_escape_is_found_on_its_line_whatever_the_line_ends(
    tmp_path: Path, newline: bytes
) -> None:
    path = tmp_path / "e.po"
    body = HEADER + b'msgid "a"\nmsgstr "Fine."\n\nmsgid "b"\nmsgstr "Bad\\0."\n'
    path.write_bytes(body.replace(b"\n", newline))
    assert outcome(read_inputs([str(path)])) == [
        ("e:5", "Fine."),
        ("FAIL", f"{path}:9: the escape \\0 is a NUL character (U+0000); remove it"),
    ]


def test_escapes_are_read_in_the_files_charset(tmp_path: Path) -> None:
    """A Shift_JIS character may end in a backslash's byte (ソ is 0x83 0x5C): no escape."""
    path = tmp_path / "j.po"
    header = 'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=Shift_JIS\\n"\n\n'
    text = header + 'msgid "a"\nmsgstr "ソ means so."\n\nmsgid "b"\nmsgstr "ソ\\0 too."\n'
    path.write_bytes(text.encode("shift_jis"))
    assert outcome(read_inputs([str(path)])) == [
        ("j:5", "ソ means so."),
        ("FAIL", f"{path}:9: the escape \\0 is a NUL character (U+0000); remove it"),
    ]
