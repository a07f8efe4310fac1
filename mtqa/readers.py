"""Files and folders → Documents. Errors cite ``path:line`` and the fix.

``read_inputs`` yields a :class:`Document` or a :class:`Failure` per input unit, so
one bad file (or one bad line or row) never costs the others, and nothing is skipped
without a Failure saying why.

Text as read: the bytes decoded as UTF-8 (``--encoding-errors replace`` opts in to
U+FFFD replacement), a leading BOM removed, line ends (LF, CRLF, CR) untouched.
Every offset mtqa reports indexes that string.

Rules (README, "Errors"):

* binary file: a known magic number (PNG, PDF, JPEG, GIF, zip, ELF, gzip, OLE2, 7z, xz,
  zstd), or more than a third of the first 8 KiB (64 bytes at least) NUL, other C0
  control bytes (not TAB, LF, VT, FF, CR, ESC) or bytes that are not UTF-8 (Perl's
  ``-B`` share): text has next to none, while UTF-16, executables and compressed or
  random data have a third or more. Anything else is text, so a stray NUL or bad byte
  costs only its own unit: the line (.jsonl, .tsv), the record (.csv) or the file
  (.txt is one article, as for any bad byte). ``--encoding-errors replace`` turns a
  NUL into U+FFFD like a bad byte.
* .tsv fields are literal (IANA text/tab-separated-values has no quoting); .csv is
  RFC 4180 and its separator is taken from the header: the first of ``, ; TAB |``
  that yields the text column (Excel writes ``;`` in many locales).
* folders: walked in sorted order; links are followed, each real folder read once;
  a FIFO, a broken or looping link, an unreadable folder is a Failure.
* a text with no visible character (whitespace, Cc/Cf, default-ignorable) is empty.
"""

from __future__ import annotations

import csv
import errno
import io
import json
import os
import re
import stat
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from mtqa.errors import InputError, UsageError
from mtqa.records import Document, Failure

SUFFIXES = (".txt", ".jsonl", ".tsv", ".csv")
BOM = "\ufeff"
_LINE = re.compile(r"([^\r\n]*)(?:\r\n|\r|\n|$)")
_BAD = re.compile("[\x00\udc80-\udcff]")  # NUL, or a bad byte kept by surrogateescape
_MAX_FIELD = 2**31 - 1  # csv's default cell limit (128 KiB) is smaller than an article
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
_BINARY_MAGIC: tuple[bytes, ...] = (b"\x89PNG", b"%PDF", b"\xff\xd8\xff", b"GIF8")
_BINARY_MAGIC += (b"PK\x03\x04", b"PK\x05\x06", b"\x7fELF", b"\x1f\x8b", b"\xd0\xcf\x11\xe0")
_BINARY_MAGIC += (b"7z\xbc\xaf", b"\xfd7zXZ", b"\x28\xb5\x2f\xfd")  # 7z, xz, zstd
_TEXT_BYTES = bytes(b for b in range(256) if b >= 32 or b in b"\t\n\x0b\x0c\r\x1b")
_SNIFF, _TINY = 8192, 64  # bytes sniffed; a smaller file is judged byte by byte
_INVISIBLE_CATEGORIES = frozenset({"Cc", "Cf", "Zs", "Zl", "Zp"})
_IGNORABLE = re.compile(  # Default_Ignorable_Code_Point outside Cf, and U+2800 (blank)
    "[\u034f\u115f\u1160\u17b4\u17b5\u180b-\u180f\u2060-\u206f\u2800\u3164"
    "\ufe00-\ufe0f\uffa0\ufff0-\ufff8\U000e0000-\U000e0fff]"
)
_SEPARATORS = {",": "a comma", ";": "a semicolon", "\t": "a tab", "|": "a '|'"}
_KINDS = {
    "FIFO": "a FIFO",
    "SOCK": "a socket",
    "CHR": "a character device",
    "BLK": "a block device",
}


def _line_of(data: bytes, pos: int) -> int:
    """1-based line of byte ``pos`` (a line ends at LF, CRLF or a lone CR, as when reading)."""
    head = data[:pos]
    return head.count(b"\n") + head.count(b"\r") - head.count(b"\r\n") + 1


def _bad_byte(data: bytes, path: str, pos: int) -> InputError:
    what = "NUL byte" if data[pos] == 0 else "invalid UTF-8"
    fix = "remove it" if data[pos] == 0 else "convert the file to UTF-8"
    return InputError(
        path,
        _line_of(data, pos),
        f"{what} at byte {pos} (0x{data[pos]:02x}); {fix} or pass --encoding-errors replace",
    )


def _sniff(data: bytes, path: str) -> None:
    """Refuse UTF-16 and binary files (the rule is in the module docstring)."""
    sample = data[:_SNIFF]
    odd = len(sample.translate(None, _TEXT_BYTES))
    odd += sum(1 for c in sample.decode("utf-8", "surrogateescape") if "\udc80" <= c <= "\udcff")
    binary = data.startswith(_BINARY_MAGIC) or odd * 3 > max(len(sample), _TINY)
    half = len(sample) // 2
    nuls = sorted((sample[0::2].count(0), sample[1::2].count(0)))
    if data.startswith(_UTF16_BOMS) or (binary and nuls[1] > 0.7 * half > 14 * nuls[0]):
        raise InputError(
            path,
            None,
            "UTF-16 text, not UTF-8; convert it (e.g. `iconv -f UTF-16 -t UTF-8`) "
            "or save it as UTF-8",
        )
    if binary:
        raise InputError(
            path, None, "binary file, not UTF-8 text; pass a .txt, .jsonl, .tsv or .csv"
        )


def decode(data: bytes, path: str, errors: str = "strict") -> str:
    """Decode UTF-8 bytes (BOM dropped); refuse binary data; name the bad byte.

    ``errors``: ``strict`` (an :class:`InputError` naming line and byte offset of the
    first bad byte or NUL), ``replace`` (U+FFFD per bad byte or NUL) or
    ``surrogateescape`` (bad bytes kept as lone surrogates and NULs kept, for callers
    that report them one record at a time). A UTF-16 or binary file (module docstring)
    is an :class:`InputError` whatever ``errors`` is.
    """
    _sniff(data, path)
    try:
        text = data.decode("utf-8", errors=errors)
    except UnicodeDecodeError as exc:
        nul = data.find(b"\x00", 0, exc.start)
        raise _bad_byte(data, path, nul if nul >= 0 else exc.start) from None
    if errors == "strict" and "\x00" in text:
        raise _bad_byte(data, path, data.index(b"\x00"))
    if errors == "replace":
        text = text.replace("\x00", "\ufffd")
    return text[1:] if text.startswith(BOM) else text


def has_visible_text(text: str) -> bool:
    """True if ``text`` holds a character that is not whitespace, a control or format
    character (Cc, Cf) or another invisible one (default-ignorable, U+2800)."""
    return not all(
        c.isspace() or unicodedata.category(c) in _INVISIBLE_CATEGORIES or _IGNORABLE.match(c)
        for c in text
    )


def _kind(mode: int) -> str:
    return next((v for k, v in _KINDS.items() if getattr(stat, f"S_IS{k}")(mode)), "unknown")


def _stat(p: Path) -> os.stat_result | str:
    """``p``'s stat (links followed), or why it cannot be read."""
    try:
        return p.stat()
    except (FileNotFoundError, NotADirectoryError):
        if not p.is_symlink():
            return "no such file or folder; check the path"
        try:
            to = f" (to {os.readlink(p)!r})"
        except OSError:
            to = ""
        return f"broken symbolic link{to}; fix the link or remove it"
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return "symbolic link loop (the link leads back to itself); fix the link or remove it"
        return f"cannot read: {exc.strerror}; check the path and permissions"


def scan(inputs: Sequence[str]) -> tuple[list[tuple[Path, Path]], list[Failure]]:
    """Expand inputs to (file, root) pairs, and a Failure for every path left out.

    A folder gives its .txt/.jsonl/.tsv/.csv files recursively, in sorted order, links
    followed (each real folder once; a link back to a folder holding it is a loop).
    Files of other types in a folder are not inputs and are passed over; a path that is
    left out for any other reason (a FIFO or device, a broken or looping link, an
    unreadable folder) is a Failure. Never opens anything but folders.
    """
    found: list[tuple[Path, Path]] = []
    failures: list[Failure] = []
    for raw in inputs:
        p = Path(raw)
        st = _stat(p)
        if isinstance(st, str):
            failures.append(Failure(raw, None, st))
        elif stat.S_ISDIR(st.st_mode):
            before = (len(found), len(failures))
            _walk(p, p, {os.path.realpath(p): raw}, found, failures)
            if (len(found), len(failures)) == before:
                looked = ", ".join(SUFFIXES)
                failures.append(
                    Failure(raw, None, f"no inputs in this folder (looked for {looked} files)")
                )
        elif not stat.S_ISREG(st.st_mode):
            failures.append(
                Failure(raw, None, f"not a regular file ({_kind(st.st_mode)}); pass a regular file")
            )
        elif p.suffix.lower() not in SUFFIXES:
            failures.append(
                Failure(raw, None, f"unsupported file type {p.suffix!r}; use {', '.join(SUFFIXES)}")
            )
        else:
            found.append((p, p.parent))
    return found, failures


def _walk(
    folder: Path,
    root: Path,
    seen: dict[str, str],
    found: list[tuple[Path, Path]],
    failures: list[Failure],
) -> None:
    """Depth-first, names sorted; ``seen``: real path → first path of every folder read."""
    try:
        with os.scandir(folder) as entries:
            names = sorted(e.name for e in entries)
    except OSError as exc:
        failures.append(
            Failure(
                str(folder), None, f"cannot read this folder: {exc.strerror}; check its permissions"
            )
        )
        return
    here = os.path.realpath(folder)
    for name in names:
        p = folder / name
        st = _stat(p)
        if isinstance(st, str):
            failures.append(Failure(str(p), None, st))
        elif stat.S_ISDIR(st.st_mode):
            real = os.path.realpath(p)
            if here == real or here.startswith(real.rstrip(os.sep) + os.sep):
                why = "link to a folder that holds it (a loop); skipped; remove the link"
            elif real in seen:
                why = f"folder already read as {seen[real]} (two paths lead to it); skipped; "
                why += "remove the extra link"
            else:
                seen[real] = str(p)
                _walk(p, root, seen, found, failures)
                continue
            failures.append(Failure(str(p), None, why))
        elif p.suffix.lower() not in SUFFIXES:
            continue
        elif stat.S_ISREG(st.st_mode):
            found.append((p, root))
        else:
            msg = (
                f"not a regular file ({_kind(st.st_mode)}); skipped; replace it with a regular file"
            )
            failures.append(Failure(str(p), None, msg))


def discover(inputs: Sequence[str]) -> list[tuple[Path, Path]]:
    """:func:`scan`'s files; its first Failure raised as an :class:`InputError`."""
    found, failures = scan(inputs)
    if failures:
        raise InputError(failures[0].path, failures[0].line, failures[0].message)
    return found


def _read_bytes(path: Path) -> bytes:
    """A regular file's bytes; never blocks on a FIFO put in its place (InputError)."""
    with open(os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0)), "rb") as f:
        mode = os.fstat(f.fileno()).st_mode
        if not stat.S_ISREG(mode):
            raise InputError(
                str(path), None, f"not a regular file ({_kind(mode)}); pass a regular file"
            )
        return f.read()


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

    The Failures of :func:`scan` come first, then each file's documents and failures in
    order. ``reference``/``source``: .txt files aligned line by line with a single .txt
    input (``--reference``/``--source``); using them with other inputs is a
    :class:`UsageError` (raised).
    """
    seen: dict[str, str] = {}
    found, failures = scan(inputs)
    yield from failures
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
        # line-based formats: a bad byte or NUL costs its own line or record only
        per_line = suffix != ".txt" and encoding_errors == "strict"
        try:
            data = _read_bytes(path)
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
        else:
            rows = _Rows(text, data, name, prefix, text_field, id_field)
            items = rows.jsonl() if suffix == ".jsonl" else rows.table(suffix == ".tsv")
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
    if has_visible_text(text):
        return [Document(doc_id=doc_id, text=text, path=path)]
    if not text.strip():
        what = "empty file" if not text else "file holds only whitespace"
    else:
        c = next(c for c in text if not c.isspace())
        name = f"U+{ord(c):04X} {unicodedata.name(c, '')}".rstrip()
        what = f"file holds no visible character (only invisible ones such as {name})"
    return [Failure(path, None, f"{what}: nothing to score; remove it or add text")]


def _count_lines(text: str) -> int:
    """Lines (LF, CRLF, CR), trailing blank lines not counted (as mtqa.pairing counts)."""
    lines = re.split(r"\r\n|\r|\n", text)
    while lines and not lines[-1].strip():
        lines.pop()
    return len(lines)


def _attach_sides(
    items: list[Document | Failure], sides: dict[str, str], encoding_errors: str
) -> list[Document | Failure]:
    """Attach ``--reference``/``--source`` files, checking they align line by line."""
    if not sides or not items or not isinstance(items[0], Document):
        return items
    doc = items[0]
    n_doc = _count_lines(doc.text)
    values: dict[str, Any] = {}
    for field_name, side in sides.items():
        try:
            side_text = decode(_read_bytes(Path(side)), side, encoding_errors)
        except InputError as exc:
            return [Failure(exc.path, exc.line, exc.message)]
        except OSError as exc:
            return [Failure(side, None, f"cannot read --{field_name} file: {exc.strerror}")]
        n_side = _count_lines(side_text)
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
            if not has_visible_text(value):
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


class _Rows:
    """The records of one .jsonl, .tsv or .csv file.

    ``text`` may hold bad bytes as lone surrogates and NULs (``surrogateescape``); a
    line or record holding one is reported with its byte offset in ``data``.
    """

    def __init__(
        self, text: str, data: bytes, path: str, prefix: str, text_field: str, id_field: str
    ) -> None:
        self.text, self.data, self.path, self.prefix = text, data, path, prefix
        self.text_field, self.id_field = text_field, id_field
        self.wanted = [text_field] + (["text"] if text_field == "target" else [])
        # (start, end without its line end) of each physical line; line n is lines[n - 1]
        self.lines = [m.span(1) for m in _LINE.finditer(text)][:-1]  # drop the match at EOF
        self._bom = len(BOM.encode("utf-8")) if data.startswith(BOM.encode("utf-8")) else 0
        self._at = (0, self._bom)

    def _byte(self, pos: int) -> int:
        """Byte offset in the file of character ``pos`` (cached: reading runs forward)."""
        char, byte = self._at if pos >= self._at[0] else (0, self._bom)
        byte += len(self.text[char:pos].encode("utf-8", "surrogateescape"))
        self._at = (pos, byte)
        return byte

    def _fault(self, start: int, end: int) -> Failure | None:
        bad = _BAD.search(self.text, start, end)
        if bad is None:
            return None
        err = _bad_byte(self.data, self.path, self._byte(bad.start()))
        return Failure(self.path, err.line, err.message)

    def _make(self, rec: dict[str, object], line: int) -> Document | Failure:
        return _record(rec, self.path, line, self.prefix, self.text_field, self.id_field)

    def jsonl(self) -> Iterator[Document | Failure]:
        """One record per line (LF, CRLF or CR); blank lines are skipped, bad lines reported."""
        any_record = False
        for n, (start, end) in enumerate(self.lines, start=1):
            raw = self.text[start:end]
            if not raw.strip():
                continue
            any_record = True
            fault = self._fault(start, end)
            if fault is not None:
                yield fault
                continue
            try:
                rec = json.loads(raw)
            except json.JSONDecodeError as exc:
                msg = f"not valid JSON: {exc.msg} (column {exc.colno}); fix the line"
                yield Failure(self.path, n, msg)
                continue
            if not isinstance(rec, dict):
                yield Failure(
                    self.path,
                    n,
                    f"expected a JSON object per line, got {type(rec).__name__}; "
                    f'write {{"{self.text_field}": "..."}}',
                )
                continue
            yield self._make(rec, n)
        if not any_record:
            yield Failure(self.path, None, "empty file: no records; add one JSON object per line")

    def _no_column(self, header: list[str], sep: str) -> Failure | None:
        if any(f in header for f in self.wanted):
            return None
        how = "" if sep == "," else f" (separator {sep!r})"
        return Failure(
            self.path,
            1,
            f"header has no {' or '.join(repr(f) for f in self.wanted)} column: {header}{how}; "
            "rename the text column or pass --text-field",
        )

    def _separator(self) -> str:
        """The first of ``, ; TAB |`` whose header split holds the text column, else the
        first that splits the header at all (for the message), else a comma."""
        first = self.text[slice(*self.lines[0])]
        splits = {
            s: [c.strip() for c in next(csv.reader([first], delimiter=s))] for s in _SEPARATORS
        }
        for s, cells in splits.items():
            if any(f in cells for f in self.wanted):
                return s
        return next((s for s, cells in splits.items() if len(cells) > 1), ",")

    def table(self, tsv: bool) -> Iterator[Document | Failure]:
        """Header row, then one record per row: literal lines split at tabs (.tsv), or
        RFC 4180 records (.csv). A wrong column count or bad bytes cost that row."""
        if not self.lines:
            yield Failure(self.path, None, "empty file: expected a header row naming the columns")
            return
        sep = "\t" if tsv else self._separator()
        rows = self._tsv_rows() if tsv else self._csv_rows(sep)
        header: list[str] | None = None
        any_row = False
        for line, row in rows:
            if isinstance(row, Failure):
                yield row
                if header is None:
                    return
                any_row = True
            elif header is None:
                header = [h.strip() for h in row]
                missing = self._no_column(header, sep)
                if missing is not None:
                    yield missing
                    return
            elif row and any(c.strip() for c in row):
                any_row = True
                if len(row) == len(header):
                    yield self._make(dict(zip(header, row)), line)
                    continue
                fix = (
                    "a .tsv field cannot hold a tab (TSV has no quoting); remove the tab "
                    "or save the file as .csv or .jsonl"
                    if tsv
                    else f'put a field that holds {_SEPARATORS[sep]} in double quotes ("...")'
                )
                found = f"expected {len(header)} columns as in the header, found {len(row)}"
                yield Failure(self.path, line, f"{found}; {fix}")
        if header is not None and not any_row:
            yield Failure(self.path, None, "no data rows after the header; add one row per text")

    def _tsv_rows(self) -> Iterator[tuple[int, list[str] | Failure]]:
        for n, (start, end) in enumerate(self.lines, start=1):
            line = self.text[start:end]
            fault = self._fault(start, end) if line.strip() else None
            yield n, fault or (line.split("\t") if line or n > 1 else [])

    def _csv_rows(self, sep: str) -> Iterator[tuple[int, list[str] | Failure]]:
        """(first line, cells or Failure) per record. A record that ends the file inside
        quotes, or spans lines and then fails or has another column count than the
        header, is an unclosed quote: reported at its first line, and reading resumes
        on the next line."""
        csv.field_size_limit(max(csv.field_size_limit(), _MAX_FIELD))  # long articles
        n_lines, line, width = len(self.lines), 1, 0
        while line <= n_lines:
            at = self.lines[line - 1][0]
            reader = csv.reader(io.StringIO(self.text[at:], newline=""), delimiter=sep, strict=True)
            done, resume = 0, 0
            for row in _safe(reader):
                first, last = line + done, line + reader.line_num - 1
                done = reader.line_num
                end = self.lines[min(last, n_lines) - 1][1]
                eof_in_quotes = isinstance(row, str) and "end of data" in row
                spans = last > first and (isinstance(row, str) or (width and len(row) != width))
                if eof_in_quotes or spans:
                    runs = "the end of the file" if last == n_lines else f"line {last}"
                    yield (
                        first,
                        Failure(
                            self.path,
                            first,
                            f"a quoted field opens on this line and is not closed (it runs on to "
                            f'{runs}); close it with ", and write a quote inside it as ""',
                        ),
                    )
                    resume = first + 1
                    break
                fault = self._fault(self.lines[first - 1][0], end)
                if isinstance(row, str):
                    why = f'cannot parse this row ({row}); quote the whole field, writing " as ""'
                    yield first, fault or Failure(self.path, first, why)
                    continue
                width = width or len(row)
                yield first, fault or row
            if not resume:
                return
            line = resume


def _safe(reader: Any) -> Iterator[list[str] | str]:
    """The reader's rows, a csv.Error as its message (the reader goes on after it)."""
    while True:
        try:
            yield next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            yield str(exc)
