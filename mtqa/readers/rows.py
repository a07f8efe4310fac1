"""The records of one .jsonl, .tsv or .csv file → Documents, or a Failure per bad record.

* .jsonl: one JSON object per line (LF, CRLF or CR); blank lines are skipped.
* .tsv fields are literal (IANA text/tab-separated-values has no quoting); .csv is
  RFC 4180 and its separator is taken from the header: the first of ``, ; TAB |``
  that yields the text column (Excel writes ``;`` in many locales).
* A bad byte or NUL, a wrong column count or bad JSON costs its own line or record; a
  field mtqa reads given twice costs its record (.jsonl) or the file (a .tsv/.csv header).
* The text field must hold a visible character (:func:`mtqa.text.has_visible_text`);
  an empty or invisible-only ``source`` or ``reference`` counts as none.
* A field mtqa reads (text, id, ``source``, ``reference``) that holds a lone surrogate
  (a broken JSON ``\\u`` escape, :func:`mtqa.text.surrogate_fault`) or a NUL (a JSON
  ``\\u0000``, :func:`mtqa.text.nul_fault`) costs its record, as a NUL byte does.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterator, Sequence
from functools import partial
from typing import Any

from mtqa.errors import named
from mtqa.readers.decode import BOM, bad_byte
from mtqa.records import Document, Failure
from mtqa.text import blank, field_fault, has_visible_text

_LINE = re.compile(r"([^\r\n]*)(?:\r\n|\r|\n|$)")
_BAD = re.compile("[\x00\udc80-\udcff]")  # NUL, or a bad byte kept by surrogateescape
_MAX_FIELD = 2**31 - 1  # csv's default cell limit (128 KiB) is smaller than an article
_SEPARATORS = {",": "a comma", ";": "a semicolon", "\t": "a tab", "|": "a '|'"}


def _letters(k: int) -> str:
    """Column ``k`` (0-based) as a spreadsheet names it: A, B, …, Z, AA, AB…"""
    name = ""
    k += 1
    while k:
        k, r = divmod(k - 1, 26)
        name = chr(ord("A") + r) + name
    return name


def _keep_last(pairs: list[tuple[str, Any]], repeats: list[list[str]]) -> dict[str, Any]:
    """A JSON object as json builds it (a repeated key keeps its last value), noting in
    ``repeats`` the keys it repeats."""
    seen: set[str] = set()
    again = []
    for key, _ in pairs:
        if key in seen:
            again.append(key)
        seen.add(key)
    repeats.append(again)
    return dict(pairs)


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
            fault = field_fault(value, f"field {f!r}")
            return value if fault is None else Failure(path, line, fault)
    return Failure(
        path,
        line,
        f"expected a {' or '.join(repr(f) for f in fields)} field with the text; "
        f"add it, or name the text field with {named('text_field', 'NAME')}",
    )


def _optional(rec: dict[str, object], key: str, path: str, line: int) -> str | None | Failure:
    value = rec.get(key)
    if value is None or (isinstance(value, str) and not has_visible_text(value)):
        return None  # an empty or invisible-only source or reference is none
    if not isinstance(value, str):
        return Failure(
            path,
            line,
            f"field {key!r} must be a string, got {type(value).__name__}; quote the text or "
            "drop the field",
        )
    fault = field_fault(value, f"field {key!r}")
    return value if fault is None else Failure(path, line, fault)


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
        fault = field_fault(doc_id, f"field {id_field!r}")
        if fault is not None:
            return Failure(path, line, fault)
    else:
        return Failure(
            path,
            line,
            f"field {id_field!r} must be a string or an integer, got {type(raw_id).__name__}; "
            'write the id as a JSON string ("...") or leave the field out',
        )
    source = _optional(rec, "source", path, line)
    if isinstance(source, Failure):
        return source
    reference = _optional(rec, "reference", path, line)
    if isinstance(reference, Failure):
        return reference
    return Document(doc_id, text, path, line, source, reference)


class Rows:
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
        self.read = {*self.wanted, id_field, "source", "reference"}  # the fields mtqa reads
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
        err = bad_byte(self.data, self.path, self._byte(bad.start()))
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
            repeats: list[list[str]] = []  # per object, inner ones first: the record last
            try:
                rec = json.loads(raw, object_pairs_hook=partial(_keep_last, repeats=repeats))
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
            twice = sorted(self.read.intersection(repeats[-1]))
            if twice:  # json keeps the last one: the text checked would not be the one meant
                yield Failure(
                    self.path,
                    n,
                    f"field {twice[0]!r} given twice in the record; JSON keeps only the last, "
                    "so which one is meant is unclear: delete the other",
                )
                continue
            yield self._make(rec, n)
        if not any_record:
            held = blank(self.text)
            what = f"{held} and no record" if held else "empty file: no records"
            yield Failure(self.path, None, f"{what}; add one JSON object per line")

    def _no_column(self, header: list[str], sep: str) -> Failure | None:
        if any(f in header for f in self.wanted):
            return None
        how = "" if sep == "," else f" (separator {sep!r})"
        return Failure(
            self.path,
            1,
            f"header has no {' or '.join(repr(f) for f in self.wanted)} column: {header}{how}; "
            f"rename the text column or pass {named('text_field', 'NAME')}",
        )

    def _repeated(self, header: list[str]) -> Failure | None:
        """A column mtqa reads named twice: a row would keep the last cell unsaid."""
        first: dict[str, int] = {}
        for k, name in enumerate(header):
            if name in self.read and first.setdefault(name, k) != k:
                return Failure(
                    self.path,
                    1,
                    f"column {_letters(k)} repeats the name {name!r} of column "
                    f"{_letters(first[name])}; rename or delete one of them",
                )
        return None

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
        if not self.text.strip():
            held = blank(self.text)
            what = (
                f"{held} and no header row; add a header row naming the columns"
                if held
                else "empty file: nothing to score; remove it or add a header row naming the "
                "columns and a row per text"
            )
            yield Failure(self.path, None, what)
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
                missing = self._no_column(header, sep) or self._repeated(header)
                if missing is not None:
                    yield missing
                    return
            elif row and any(c.strip() for c in row):
                any_row = True
                if len(row) == len(header):
                    yield self._make(dict(zip(header, row)), line)
                    continue
                yield Failure(self.path, line, _column_count(header, row, sep, tsv))
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


def _column_count(header: Sequence[str], row: Sequence[str], sep: str, tsv: bool) -> str:
    """Why a row with another column count than the header's costs its line, and the fix:
    a short row lacks fields (named), a long one has a separator inside a field."""
    found = f"expected {len(header)} columns as in the header, found {len(row)}"
    if len(row) < len(header):
        names = ", ".join(repr(h) for h in header[len(row) :])
        return (
            f"{found}: no {names}; add the missing field (an empty field still takes its "
            f"{_SEPARATORS[sep]})"
        )
    if tsv:
        fix = (
            "a .tsv field cannot hold a tab (TSV has no quoting); remove the tab "
            "or save the file as .csv or .jsonl"
        )
    else:
        fix = f'put a field that holds {_SEPARATORS[sep]} in double quotes ("...")'
    return f"{found}; {fix}"
