"""Files and folders → Documents. Errors cite ``path:line`` and the fix.

``read_inputs`` yields a :class:`Document` or a :class:`Failure` per input unit, so
one bad file (or one bad jsonl line) never costs the others.

Text as read: the bytes decoded as UTF-8 (``--encoding-errors replace`` opts in to
U+FFFD replacement), a leading BOM removed, line ends (LF, CRLF, CR) untouched.
Every offset mtqa reports indexes that string.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterator, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from mtqa.errors import InputError, UsageError
from mtqa.pairing import count_lines
from mtqa.records import Document, Failure

SUFFIXES = (".txt", ".jsonl", ".tsv", ".csv")
BOM = "\ufeff"
_JSONL_LINE = re.compile(r"([^\r\n]*)(?:\r\n|\r|\n|$)")
_SURROGATE = re.compile("[\udc80-\udcff]")
_MAX_FIELD = 2**31 - 1  # csv's default cell limit (128 KiB) is smaller than an article
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
_BINARY_MAGIC = (b"\x89PNG", b"%PDF", b"\xff\xd8\xff", b"GIF8", b"PK\x03\x04", b"\x7fELF")


def _line_of(data: bytes, pos: int) -> int:
    """1-based line of byte ``pos`` (a line ends at LF, CRLF or a lone CR, as when reading)."""
    head = data[:pos]
    return head.count(b"\n") + head.count(b"\r") - head.count(b"\r\n") + 1


def _bad_byte(data: bytes, path: str, pos: int) -> InputError:
    return InputError(
        path,
        _line_of(data, pos),
        f"invalid UTF-8 at byte {pos} (0x{data[pos]:02x}); convert the file to UTF-8 "
        "or pass --encoding-errors replace",
    )


def decode(data: bytes, path: str, errors: str = "strict") -> str:
    """Decode UTF-8 bytes (BOM dropped); refuse binary data; name the bad byte.

    ``errors``: ``strict`` (an :class:`InputError` naming line and byte offset),
    ``replace`` (U+FFFD per bad byte) or ``surrogateescape`` (bad bytes kept as lone
    surrogates, for callers that report them one record at a time).
    """
    if data.startswith(_UTF16_BOMS):
        raise InputError(
            path,
            None,
            "UTF-16 text, not UTF-8; convert it (e.g. `iconv -f UTF-16 -t UTF-8`) "
            "or save it as UTF-8",
        )
    if data.startswith(_BINARY_MAGIC) or b"\x00" in data[:8192]:
        raise InputError(
            path, None, "binary file, not UTF-8 text; pass a .txt, .jsonl, .tsv or .csv"
        )
    try:
        text = data.decode("utf-8", errors=errors)
    except UnicodeDecodeError as exc:
        raise _bad_byte(data, path, exc.start) from None
    return text[1:] if text.startswith(BOM) else text


def discover(inputs: Sequence[str]) -> list[tuple[Path, Path]]:
    """Expand inputs to (file, root) pairs; a folder gives its inputs recursively, sorted."""
    found: list[tuple[Path, Path]] = []
    for raw in inputs:
        p = Path(raw)
        if p.is_dir():
            files = sorted(f for f in p.rglob("*") if f.is_file() and f.suffix.lower() in SUFFIXES)
            if not files:
                raise InputError(
                    raw, None, f"no inputs in this folder (looked for {', '.join(SUFFIXES)} files)"
                )
            found.extend((f, p) for f in files)
        elif p.is_file():
            if p.suffix.lower() not in SUFFIXES:
                raise InputError(
                    raw, None, f"unsupported file type {p.suffix!r}; use {', '.join(SUFFIXES)}"
                )
            found.append((p, p.parent))
        else:
            raise InputError(raw, None, "no such file or folder; check the path")
    return found


def _doc_prefix(path: Path, root: Path) -> str:
    rel = path.relative_to(root) if path.is_relative_to(root) else Path(path.name)
    return rel.with_suffix("").as_posix()


def read_inputs(
    inputs: Sequence[str],
    text_field: str = "target",
    id_field: str = "id",
    encoding_errors: str = "strict",
    reference: str | None = None,
    source: str | None = None,
) -> Iterator[Document | Failure]:
    """Yield every document of every input; failures are yielded, never raised.

    ``reference``/``source``: .txt files aligned line by line with a single .txt input
    (``--reference``/``--source``); using them with other inputs is a :class:`UsageError`.
    """
    seen: dict[str, str] = {}
    found: list[tuple[Path, Path]] = []
    for raw in inputs:
        try:
            found.extend(discover([raw]))
        except InputError as exc:
            yield Failure(exc.path, exc.line, exc.message)
    sides = {k: v for k, v in (("reference", reference), ("source", source)) if v is not None}
    if sides and (len(found) != 1 or found[0][0].suffix.lower() != ".txt"):
        flags = " and ".join(f"--{k}" for k in sides)
        raise UsageError(
            f"{flags} needs exactly one .txt input; for .jsonl/.tsv/.csv put "
            f"{' and '.join(repr(k) for k in sides)} fields in each record"
        )
    for path, root in found:
        name = str(path)
        suffix = path.suffix.lower()
        # jsonl: a bad byte costs its own line only (the line is reported, the rest read)
        per_line = suffix == ".jsonl" and encoding_errors == "strict"
        try:
            data = path.read_bytes()
            text = decode(data, name, "surrogateescape" if per_line else encoding_errors)
        except InputError as exc:
            yield Failure(exc.path, exc.line, exc.message)
            continue
        except OSError as exc:
            yield Failure(
                name, None, f"cannot read: {exc.strerror}; check the path and permissions"
            )
            continue
        prefix = _doc_prefix(path, root)
        if suffix == ".txt":
            items: Iterator[Document | Failure] = iter(
                _attach_sides(_read_txt(text, name, prefix), sides, encoding_errors)
            )
        elif suffix == ".jsonl":
            items = _read_jsonl(text, name, prefix, text_field, id_field, data)
        else:
            items = _read_table(text, name, prefix, text_field, id_field, suffix)
        for item in items:
            if isinstance(item, Document):
                where = f"{item.path}:{item.line}" if item.line else item.path
                if item.doc_id in seen:
                    yield Failure(
                        item.path,
                        item.line,
                        f"duplicate id {item.doc_id!r} (first seen at {seen[item.doc_id]}); "
                        "ids must be unique across the inputs",
                    )
                    continue
                seen[item.doc_id] = where
            yield item


def _read_txt(text: str, path: str, doc_id: str) -> list[Document | Failure]:
    if not text.strip():
        what = "empty file" if not text else "file holds only whitespace"
        return [Failure(path, None, f"{what}: nothing to score; remove it or add text")]
    return [Document(doc_id=doc_id, text=text, path=path)]


def _attach_sides(
    items: list[Document | Failure], sides: dict[str, str], encoding_errors: str
) -> list[Document | Failure]:
    """Attach ``--reference``/``--source`` files, checking they align line by line."""
    if not sides or not items or not isinstance(items[0], Document):
        return items
    doc = items[0]
    n_doc = count_lines(doc.text)
    values: dict[str, Any] = {}
    for field_name, side in sides.items():
        try:
            side_text = decode(Path(side).read_bytes(), side, encoding_errors)
        except InputError as exc:
            return [Failure(exc.path, exc.line, exc.message)]
        except OSError as exc:
            return [Failure(side, None, f"cannot read --{field_name} file: {exc.strerror}")]
        n_side = count_lines(side_text)
        if n_side != n_doc:
            return [
                Failure(
                    side,
                    None,
                    f"--{field_name} file has {n_side} lines but {doc.path} has {n_doc}; "
                    "it must align line by line with the input",
                )
            ]
        values[field_name] = side_text
    return [replace(doc, **values)]


def _pick_text(rec: dict[str, object], text_field: str, path: str, line: int) -> str | Failure:
    fields = [text_field] + (["text"] if text_field == "target" else [])
    for f in fields:
        if f in rec and rec[f] is not None:
            value = rec[f]
            if not isinstance(value, str):
                return Failure(
                    path,
                    line,
                    f"field {f!r} must be a string, got {type(value).__name__}; quote the text",
                )
            if not value.strip():
                return Failure(
                    path,
                    line,
                    f"field {f!r} is empty: nothing to score; fill it or drop the record",
                )
            return value
    return Failure(
        path,
        line,
        f"expected a {' or '.join(repr(f) for f in fields)} field with the text; "
        "add it, or name the text field with --text-field",
    )


def _optional(rec: dict[str, object], key: str, path: str, line: int) -> str | None | Failure:
    value = rec.get(key)
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        return Failure(path, line, f"field {key!r} must be a string, got {type(value).__name__}")
    return value


def _record(
    rec: dict[str, object], path: str, line: int, prefix: str, text_field: str, id_field: str
) -> Document | Failure:
    text = _pick_text(rec, text_field, path, line)
    if isinstance(text, Failure):
        return text
    raw_id = rec.get(id_field)
    if raw_id is None or raw_id == "":
        doc_id = f"{prefix}:{line}"
    elif isinstance(raw_id, (str, int)) and not isinstance(raw_id, bool):
        doc_id = str(raw_id)
    else:
        return Failure(
            path,
            line,
            f"field {id_field!r} must be a string or an integer, got {type(raw_id).__name__}",
        )
    source = _optional(rec, "source", path, line)
    if isinstance(source, Failure):
        return source
    reference = _optional(rec, "reference", path, line)
    if isinstance(reference, Failure):
        return reference
    return Document(doc_id, text, path, line, source, reference)


def _read_jsonl(
    text: str, path: str, prefix: str, text_field: str, id_field: str, data: bytes = b""
) -> Iterator[Document | Failure]:
    """One record per line (LF, CRLF or CR); blank lines are skipped, bad lines reported.

    ``text`` may hold bad bytes as lone surrogates (``surrogateescape``); such a line
    is reported with its byte offset in ``data`` and the other lines are still read.
    """
    any_record = False
    bom = len(BOM.encode("utf-8")) if data.startswith(BOM.encode("utf-8")) else 0
    for n, m in enumerate(_JSONL_LINE.finditer(text), start=1):
        raw = m.group(1)
        if not m.group() and m.start() == len(text):
            break  # the empty match after the last line end
        if not raw.strip():
            continue
        any_record = True
        bad = _SURROGATE.search(raw)
        if bad is not None:
            head = text[: m.start() + bad.start()]
            err = _bad_byte(data, path, bom + len(head.encode("utf-8", "surrogateescape")))
            yield Failure(path, n, err.message)
            continue
        try:
            rec = json.loads(raw)
        except json.JSONDecodeError as exc:
            yield Failure(path, n, f"not valid JSON: {exc.msg} (column {exc.colno}); fix the line")
            continue
        if not isinstance(rec, dict):
            yield Failure(
                path,
                n,
                f"expected a JSON object per line, got {type(rec).__name__}; "
                f'write {{"{text_field}": "..."}}',
            )
            continue
        yield _record(rec, path, n, prefix, text_field, id_field)
    if not any_record:
        yield Failure(path, None, "empty file: no records; add one JSON object per line")


def _read_table(
    text: str, path: str, prefix: str, text_field: str, id_field: str, suffix: str
) -> Iterator[Document | Failure]:
    delimiter = "\t" if suffix == ".tsv" else ","
    csv.field_size_limit(max(csv.field_size_limit(), _MAX_FIELD))  # long articles in one cell
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = next(reader)
    except StopIteration:
        yield Failure(path, None, "empty file: expected a header row naming the columns")
        return
    except csv.Error as exc:
        yield Failure(path, 1, f"cannot parse the header ({exc})")
        return
    header = [h.strip() for h in header]
    wanted = [text_field] + (["text"] if text_field == "target" else [])
    if not any(f in header for f in wanted):
        yield Failure(
            path,
            1,
            f"header has no {' or '.join(repr(f) for f in wanted)} column: {header}; "
            "rename the text column or pass --text-field",
        )
        return
    any_row = False
    while True:
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            yield Failure(path, reader.line_num, f"cannot parse this row ({exc})")
            continue
        line = reader.line_num
        if not row or all(not c.strip() for c in row):
            continue
        any_row = True
        if len(row) != len(header):
            what = "a tab" if delimiter == "\t" else "a comma"
            yield Failure(
                path,
                line,
                f"expected {len(header)} columns as in the header, found {len(row)}; "
                f'put a field that holds {what} in double quotes ("...")',
            )
            continue
        rec: dict[str, object] = dict(zip(header, row))
        yield _record(rec, path, line, prefix, text_field, id_field)
    if not any_row:
        yield Failure(path, None, "no data rows after the header; add one row per text")
