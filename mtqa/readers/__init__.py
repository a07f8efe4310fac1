"""Files and folders → Documents. Errors cite ``path:line`` and the fix.

:func:`read_inputs` yields a :class:`~mtqa.records.Document` or a
:class:`~mtqa.records.Failure` per input unit (and a :class:`~mtqa.io.Skipped` per
translation unit with nothing to score), so one bad file, line or row never costs the
others, and nothing is left out without saying why. One module per job:

* :mod:`mtqa.readers.walk` — inputs → files: folders walked, links followed once, a file
  reached twice read once, every path left out a Failure;
* :mod:`mtqa.readers.decode` — bytes → text: UTF-8 as read (BOM dropped, line ends
  kept), binary and UTF-16 files refused, a bad byte named by line and offset; the input
  types (:data:`SUFFIXES`);
* :mod:`mtqa.readers.rows` — the records of a .jsonl, .tsv or .csv file;
* :mod:`mtqa.readers.ids` — the ids mtqa makes (:func:`doc_prefixes`) and the duplicate check;
* here — standard input (``mtqa check -``, :func:`read_stream`) read like a file of
  ``--stdin-format``; a .txt file is one article (with ``--reference``/``--source`` files aligned
  line by line); ``.xlf``/``.xliff``/``.po``/``.tmx`` go to :func:`mtqa.io.reader_for`
  (one document per translation unit).

A text with no visible character (whitespace, Cc/Cf, default-ignorable) is empty
(:func:`mtqa.text.has_visible_text`); one holding a lone surrogate (U+D800–U+DFFF, a
broken ``\\u`` escape: no character, UTF-8 cannot hold it) costs its record
(:func:`mtqa.text.surrogate_fault`), whatever the reader, and so does one holding a NUL
(a NUL byte is refused when a file is decoded, and by the PO reader; one from a JSON
``\\u0000`` escape or a Python string: :func:`mtqa.text.nul_fault`).

**Ids** must be unique across all inputs. The ids mtqa makes itself (a file's, ``a``;
a record's without one, ``a:3``; a translation unit's, ``a#12`` or ``a:3``) start with the
file's *prefix* (:func:`doc_prefixes`): its path under its input folder without the
suffix, made longer only where two files would share one, so they never collide. Only
an id the user gave (a record's id field) can fail as a duplicate of another.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

from mtqa.errors import InputError, UsageError, named
from mtqa.io import Skipped, reader_for
from mtqa.io.base import nothing_to_score
from mtqa.readers.decode import BOM, SUFFIXES, decode, read_bytes
from mtqa.readers.ids import RECORD_SUFFIXES, Ids, doc_prefixes
from mtqa.readers.rows import Rows
from mtqa.readers.walk import Inputs, as_inputs, discover, scan
from mtqa.records import Document, Failure
from mtqa.text import (
    blank,
    count_lines,
    counted,
    field_fault,
    has_visible_text,
    without_surrogates,
)

Item = Document | Failure | Skipped
STDIN = "-"  # the INPUT that means standard input
STDIN_FORMATS = ("txt", "jsonl", "tsv", "csv")  # what ``mtqa check -`` reads (--stdin-format)
STDIN_NAME = "<stdin>"  # standard input's name in documents' paths and in errors
ENCODING_ERRORS = ("strict", "replace")  # --encoding-errors: a bad byte is an error, or U+FFFD
#: a Document's fields as the messages name them (:func:`document_fault`)
FIELD_NAMES = {"doc_id": "id", "text": "target", "source": "source", "reference": "reference"}

__all__ = [
    "BOM",
    "ENCODING_ERRORS",
    "STDIN",
    "STDIN_FORMATS",
    "SUFFIXES",
    "Item",
    "check_reading",
    "decode",
    "discover",
    "doc_prefixes",
    "document_fault",
    "has_visible_text",
    "read_inputs",
    "read_stream",
    "scan",
]


def check_reading(text_field: str, id_field: str, encoding_errors: str) -> None:
    """Refuse reading options that cannot work, before anything is read: an empty field
    name (every record would fail) or an unknown ``encoding_errors``
    (:data:`ENCODING_ERRORS`). Raises :class:`UsageError` naming the setting
    (:func:`~mtqa.errors.named`)."""
    for setting, name, holds, default in (
        ("text_field", text_field, "text", "target"),
        ("id_field", id_field, "id", "id"),
    ):
        if not isinstance(name, str) or not name.strip():
            raise UsageError(
                f"{named(setting, repr(name))}: empty field name; name the record field (or "
                f"column) that holds the {holds} (default {default!r})"
            )
    if encoding_errors not in ENCODING_ERRORS:
        raise UsageError(
            f"{named('encoding_errors', repr(encoding_errors))}: choose strict or replace"
        )


def document_fault(doc: Document) -> str | None:
    """Why ``doc`` cannot be checked although its reader gave it, or None: a field that
    holds a lone surrogate (:func:`mtqa.text.surrogate_fault`) or a NUL
    (:func:`mtqa.text.nul_fault`; the fields by :data:`FIELD_NAMES`, then the path)."""
    for attr, name in (*FIELD_NAMES.items(), ("path", "path")):
        value = getattr(doc, attr)
        fault = field_fault(value, name) if isinstance(value, str) else None
        if fault is not None:
            return fault
    return None


def _safe(item: Item) -> Item:
    """A Document with a field no report can hold (:func:`document_fault`) as a Failure;
    a Failure's or Skipped unit's text printable (a byte of a non-UTF-8 name as ``\\xe9``)."""
    if isinstance(item, Document):
        fault = document_fault(item)
        return item if fault is None else Failure(without_surrogates(item.path), item.line, fault)
    if isinstance(item, Failure):
        return Failure(without_surrogates(item.path), item.line, without_surrogates(item.message))
    return replace(
        item,
        path=without_surrogates(item.path),
        doc_id=without_surrogates(item.doc_id),
        reason=without_surrogates(item.reason),
    )


def read_inputs(
    inputs: Inputs,
    text_field: str = "target",
    id_field: str = "id",
    encoding_errors: str = "strict",
    reference: str | None = None,
    source: str | None = None,
) -> Iterator[Item]:
    """Yield every document of every input; failures are yielded, never raised.

    The Failures of :func:`scan` come first, then each file's documents, failures and
    skipped translation units in order. ``reference``/``source``: .txt files aligned line
    by line with a single .txt input (``--reference``/``--source``); using them with
    other inputs is a :class:`UsageError` (raised), as are the options
    :func:`check_reading` refuses and inputs of another type than :data:`Inputs` (one path
    is one input: :func:`mtqa.readers.walk.as_inputs`). Ids: module docstring.
    """
    check_reading(text_field, id_field, encoding_errors)
    found, failures = scan(as_inputs(inputs))
    yield from failures
    sides = {k: v for k, v in (("reference", reference), ("source", source)) if v is not None}
    read_nothing = not found and failures  # the input's own failure says why: no second error
    if sides and not read_nothing and (len(found) != 1 or found[0][0].suffix.lower() != ".txt"):
        flags = " and ".join(named(k) for k in sides)
        raise UsageError(
            f"{flags} needs exactly one .txt input; for .jsonl/.tsv/.csv put "
            f"{' and '.join(repr(k) for k in sides)} fields in each record"
        )
    ids = Ids()
    for (path, _), prefix in zip(found, doc_prefixes(found)):
        records = path.suffix.lower() in RECORD_SUFFIXES
        for item in _read_file(path, prefix, text_field, id_field, encoding_errors, sides):
            yield ids.check(_safe(item), prefix, records)


def _read_file(
    path: Path,
    prefix: str,
    text_field: str,
    id_field: str,
    encoding_errors: str,
    sides: dict[str, str],
) -> Iterator[Item]:
    """One file's documents, failures and skipped units, by its suffix."""
    name, suffix = str(path), path.suffix.lower()
    if reader_for(suffix) is not None:
        yield from _read_units(path, prefix)
        return
    try:
        data = read_bytes(path)
    except InputError as exc:
        yield Failure(exc.path, exc.line, exc.message)
        return
    except OSError as exc:
        yield Failure(name, None, f"cannot read: {exc.strerror}; check the path and permissions")
        return
    yield from _parse(data, name, suffix, prefix, text_field, id_field, encoding_errors, sides)


def read_stream(
    data: bytes,
    fmt: str = "txt",
    text_field: str = "target",
    id_field: str = "id",
    encoding_errors: str = "strict",
) -> Iterator[Item]:
    """The documents of ``data`` read from standard input (``mtqa check -``), as a file of
    type ``fmt`` (:data:`STDIN_FORMATS`) would give them: ``txt`` is one article with the
    id ``stdin``; records get ``stdin:<line>`` as their default id, and a repeated id fails
    as in a file. Errors cite ``<stdin>``."""
    if fmt not in STDIN_FORMATS:
        raise UsageError(
            f"{named('stdin_format', repr(fmt))}: choose one of {', '.join(STDIN_FORMATS)}"
        )
    check_reading(text_field, id_field, encoding_errors)
    ids = Ids()
    items = _parse(data, STDIN_NAME, f".{fmt}", "stdin", text_field, id_field, encoding_errors)
    for item in items:
        yield ids.check(_safe(item), "stdin", fmt != "txt")


def _parse(
    data: bytes,
    name: str,
    suffix: str,
    prefix: str,
    text_field: str,
    id_field: str,
    encoding_errors: str,
    sides: dict[str, str] | None = None,
) -> Iterator[Item]:
    """The items of one line-based input's bytes (.txt, .jsonl, .tsv, .csv)."""
    # line-based formats: a bad byte or NUL costs its own line or record only
    per_line = suffix != ".txt" and encoding_errors == "strict"
    try:
        text = decode(data, name, "surrogateescape" if per_line else encoding_errors)
    except InputError as exc:
        yield Failure(exc.path, exc.line, exc.message)
        return
    if suffix == ".txt":
        yield from _attach_sides(_read_txt(text, name, prefix), sides or {}, encoding_errors)
        return
    rows = Rows(text, data, name, prefix, text_field, id_field)
    yield from rows.jsonl() if suffix == ".jsonl" else rows.table(suffix == ".tsv")


def _read_units(path: Path, prefix: str) -> list[Item]:
    """An XLIFF, PO or TMX file through :mod:`mtqa.io`: one document per translated unit.

    A unit whose target has no visible character is skipped like an empty one; a source
    with none counts as no source (as for the other inputs). A file with no translated unit
    (a PO header only, every unit skipped) fails as an empty .txt does, after its skips.
    """
    module = reader_for(path.suffix)
    assert module is not None  # the caller checked the suffix
    try:
        items: list[Item] = list(module.read_documents(str(path), prefix))
    except InputError as exc:
        return [Failure(exc.path, exc.line, exc.message)]
    except OSError as exc:
        msg = f"cannot read: {exc.strerror}; check the path and permissions"
        return [Failure(str(path), None, msg)]
    out: list[Item] = []
    for item in items:
        if isinstance(item, Document) and not has_visible_text(item.text):
            item = Skipped(item.path, item.line, item.doc_id, "target holds no visible character")
        elif isinstance(item, Document) and item.source and not has_visible_text(item.source):
            item = replace(item, source=None)
        out.append(item)
    return [*out, *nothing_to_score(str(path), out)]


def _read_txt(text: str, path: str, doc_id: str) -> list[Document | Failure]:
    if has_visible_text(text):
        return [Document(doc_id=doc_id, text=text, path=path)]
    if not text.strip():
        what = blank(text) or "empty file"
    else:
        c = next(c for c in text if not c.isspace())
        name = f"U+{ord(c):04X} {unicodedata.name(c, '')}".rstrip()
        what = f"file holds no visible character (only invisible ones such as {name})"
    return [Failure(path, None, f"{what}: nothing to score; remove it or add text")]


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
            side_text = decode(read_bytes(Path(side)), side, encoding_errors)
        except InputError as exc:  # the message names the option: the file is no input
            return [Failure(exc.path, exc.line, f"{named(field_name)} file: {exc.message}")]
        except OSError as exc:
            why = f"cannot read {named(field_name)} file: {exc.strerror}; check the path"
            return [Failure(side, None, why)]
        n_side = count_lines(side_text)
        if n_side != n_doc:
            held = f"has {counted(n_side, 'line')}"
            if not side_text.strip():  # say what it holds: no line is not nothing
                held = f"holds {blank(side_text)}" if side_text else "is empty"
            return [
                Failure(
                    side,
                    None,
                    f"{named(field_name)} file {held} but {doc.path} has "
                    f"{counted(n_doc, 'line')}; it must align line by line with the input",
                )
            ]
        values[field_name] = side_text
    return [replace(doc, **values)]
