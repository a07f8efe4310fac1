"""Lone surrogates (U+D800–U+DFFF) in what mtqa reads: a per-record failure, never a crash.

A JSON ``\\udc80`` escape that is half of a pair, or a Python ``"\\udc80"``, is no
character: UTF-8 cannot hold it, so the tokenizer and every report would fail on it, and
one such record used to cost the whole run. Each reader now turns it into a Failure
naming file, line, field, code point and the fix, and the other records are scored. A
file name that is not UTF-8 (its bytes kept as surrogates by Python) is refused the same
way. Messages: README, "Errors".
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from mtqa import api
from mtqa.errors import UsageError
from mtqa.io import Skipped
from mtqa.readers import read_inputs, read_stream, scan
from mtqa.records import Document, Failure
from mtqa.text import surrogate_fault, without_surrogates

FIX = "(a broken \\u escape); write the character itself or a valid surrogate pair"


def held(field: str, code: str) -> str:
    return f"field {field!r} holds a lone surrogate U+{code} {FIX}"


def outcome(items: Iterator[Document | Failure | Skipped]) -> list[tuple[str, str]]:
    return [
        ("FAIL", str(i)) if isinstance(i, Failure) else (i.doc_id, i.text)
        for i in items
        if not isinstance(i, Skipped)
    ]


def test_the_message() -> None:
    assert surrogate_fault("fine 😀", "field 'target'") is None
    assert surrogate_fault("a \ud83d b", "target") == f"target holds a lone surrogate U+D83D {FIX}"
    assert without_surrogates("caf\udce9.txt") == "caf\\xe9.txt"  # a byte of a file name
    assert without_surrogates("x\ud800") == "x\\ud800"  # a surrogate that is no byte


def test_jsonl_every_field_read_fails_alone_and_a_valid_pair_is_read(tmp_path: Path) -> None:
    path = tmp_path / "sur.jsonl"
    lines = [
        r'{"id":"ok","target":"A fine line."}',
        r'{"id":"s","target":"Lone surrogate \udc80 here."}',
        r'{"id":"h","text":"High half \ud83d alone."}',
        r'{"id":"i\udc80","target":"A bad id."}',
        r'{"id":"src","target":"Fine.","source":"Bad \ud800 source."}',
        r'{"id":"ref","target":"Fine.","reference":"Bad \udfff reference."}',
        r'{"id":"pair","target":"A pair \ud83d\ude00 is one emoji.","note":"\udc80 unread"}',
        r'{"id":"last","target":"Still read."}',
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert outcome(read_inputs([str(path)])) == [
        ("ok", "A fine line."),
        ("FAIL", f"{path}:2: {held('target', 'DC80')}"),
        ("FAIL", f"{path}:3: {held('text', 'D83D')}"),
        ("FAIL", f"{path}:4: {held('id', 'DC80')}"),
        ("FAIL", f"{path}:5: {held('source', 'D800')}"),
        ("FAIL", f"{path}:6: {held('reference', 'DFFF')}"),
        ("pair", "A pair 😀 is one emoji."),  # a field mtqa does not read is not checked
        ("last", "Still read."),
    ]


def test_the_field_named_by_the_options_is_the_one_named(tmp_path: Path) -> None:
    path = tmp_path / "f.jsonl"
    path.write_text(r'{"key":"k\udc80","body":"Text."}' + "\n", encoding="utf-8")
    got = outcome(read_inputs([str(path)], text_field="body", id_field="key"))
    assert got == [("FAIL", f"{path}:1: {held('key', 'DC80')}")]


@pytest.mark.parametrize("fmt", ["tsv", "csv"])
def test_tables_hold_no_surrogate_a_utf8_encoded_one_is_a_bad_byte(
    tmp_path: Path, fmt: str
) -> None:
    """UTF-8 cannot encode a surrogate; the bytes that try (ED B2 80) are invalid UTF-8,
    reported as such for their row, as any bad byte."""
    sep = "\t" if fmt == "tsv" else ","
    path = tmp_path / f"t.{fmt}"
    path.write_bytes(
        f"id{sep}target\na{sep}Bad ".encode() + b"\xed\xb2\x80" + f".\nb{sep}Good.\n".encode()
    )
    assert outcome(read_inputs([str(path)])) == [
        (
            "FAIL",
            f"{path}:2: invalid UTF-8 at byte 16 (0xed); convert the file to UTF-8 or pass "
            "encoding_errors='replace'",
        ),
        ("b", "Good."),
    ]


def test_stdin_records_fail_alone() -> None:
    data = b'{"id":"ok","target":"A fine line."}\n{"id":"s","target":"Bad \\udc80 one."}\n'
    assert outcome(read_stream(data, "jsonl")) == [
        ("ok", "A fine line."),
        ("FAIL", f"<stdin>:2: {held('target', 'DC80')}"),
    ]


def test_a_folder_keeps_its_good_files(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("A good article.\n", encoding="utf-8")
    (tmp_path / "b.jsonl").write_text(r'{"target":"Bad \udc80."}' + "\n", encoding="utf-8")
    assert outcome(read_inputs([str(tmp_path)])) == [
        ("a", "A good article.\n"),
        ("FAIL", f"{tmp_path / 'b.jsonl'}:1: {held('target', 'DC80')}"),
    ]


def test_a_translation_unit_with_a_surrogate_fails_alone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """XML refuses a surrogate character reference (the whole file is then not
    well-formed, as for any bad markup) and PO has no \\u escape, so the format readers
    cannot give one today; whatever a reader gives is checked all the same."""
    path = tmp_path / "u.po"
    path.write_text("", encoding="utf-8")
    docs = [
        Document("u:3", "Bad \udc80 target.", str(path), 3, "Source."),
        Document("u:6", "Fine target.", str(path), 6, "Bad \ud800 source."),
        Document("u:9", "Fine.", str(path), 9),
    ]
    monkeypatch.setattr("mtqa.io.po.read_documents", lambda p, prefix: iter(docs))
    assert outcome(read_inputs([str(path)])) == [
        ("FAIL", f"{path}:3: target holds a lone surrogate U+DC80 {FIX}"),
        ("FAIL", f"{path}:6: source holds a lone surrogate U+D800 {FIX}"),
        ("u:9", "Fine."),
    ]


@pytest.mark.parametrize("suffix", [".xlf", ".tmx"])
def test_xml_refuses_a_surrogate_reference_naming_its_line(tmp_path: Path, suffix: str) -> None:
    xml = {
        ".xlf": '<xliff version="1.2" xmlns="urn:oasis:names:tc:xliff:document:1.2">'
        '<file source-language="fr" target-language="en" datatype="plaintext" original="x">'
        '<body>\n<trans-unit id="1"><source>Un</source><target>One &#xDC80;.</target>'
        "</trans-unit>\n</body></file></xliff>\n",
        ".tmx": '<tmx version="1.4"><header srclang="fr" adminlang="en" segtype="sentence" '
        'datatype="plaintext" o-tmf="x" creationtool="x" creationtoolversion="1"/><body>\n'
        '<tu tuid="1"><tuv xml:lang="fr"><seg>Un</seg></tuv><tuv xml:lang="en"><seg>One '
        "&#xDC80;.</seg></tuv></tu>\n</body></tmx>\n",
    }[suffix]
    path = tmp_path / f"u{suffix}"
    path.write_text(xml, encoding="utf-8")
    [(fail, line)] = outcome(read_inputs([str(path)]))
    assert fail == "FAIL" and line.startswith(f"{path}:2: not well-formed XML: ")
    assert line.endswith("; fix the markup")


def test_a_path_that_is_not_utf8_is_refused_and_shown_printable(tmp_path: Path) -> None:
    bad = Path(tmp_path / "caf\udce9.txt")  # the byte 0xe9, as Python keeps it in a name
    bad.write_text("Text.\n", encoding="utf-8")
    (tmp_path / "ok.txt").write_text("Fine text.\n", encoding="utf-8")
    shown = f"{without_surrogates(str(tmp_path))}/caf\\xe9.txt"
    msg = "path is not valid UTF-8 (byte 0xe9); rename the file or folder to a UTF-8 name"
    assert outcome(read_inputs([str(tmp_path)])) == [
        ("FAIL", f"{shown}: {msg}"),
        ("ok", "Fine text.\n"),
    ]
    found, failures = scan([str(tmp_path / "nope\udce9.txt")])
    assert found == [] and [str(f) for f in failures] == [
        f"{without_surrogates(str(tmp_path))}/nope\\xe9.txt: no such file or folder; check the path"
    ]
    json.dumps([str(f) for f in failures], ensure_ascii=False).encode("utf-8")  # run.json


def test_txt_and_side_files_cannot_hold_one_so_encoding_errors_is_checked(tmp_path: Path) -> None:
    """A .txt or --reference file is decoded strictly or with U+FFFD: no surrogate can
    come out; the one option that would let bad bytes through as surrogates is refused."""
    path = tmp_path / "a.txt"
    path.write_bytes(b"Caf\xe9.\n")
    with pytest.raises(UsageError, match="^encoding_errors='surrogateescape': choose strict or"):
        list(read_inputs([str(path)], encoding_errors="surrogateescape"))
    assert outcome(read_inputs([str(path)], encoding_errors="replace")) == [("a", "Caf\ufffd.\n")]


def test_the_api_lists_the_item_and_checks_the_others() -> None:
    docs, failures = api.to_documents(
        [
            "A fine text.",
            "Lone \udc80 here.",
            Document("d", "Fine.", "mine", source="Bad \ud800."),
            Document("e\udc80", "Fine.", "mine"),
            "Another fine text.",
        ]
    )
    assert [d.doc_id for d in docs] == ["0", "4"]
    assert [str(f) for f in failures] == [
        f"texts[1]: target holds a lone surrogate U+DC80 {FIX}",
        f"texts[2]: source holds a lone surrogate U+D800 {FIX}",
        f"texts[3]: id holds a lone surrogate U+DC80 {FIX}",
    ]
