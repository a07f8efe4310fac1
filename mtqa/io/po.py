"""Gettext PO in (through translate-toolkit's ``pypo``) and flags back out as comments.

Reading. ``translate.storage.pypo.pofile`` parses the file (escapes, continuation lines,
plurals, ``msgctxt``, flags) in the charset its header names (UTF-8 when it names none;
a byte that charset refuses is an :class:`InputError` naming it); the header entry and obsolete
(``#~``) entries are not units. One record per entry: ``text`` is ``msgstr``; for a
plural entry the forms joined by ``\\n`` (``msgstr[0]`` on the first line, and so on) and
the source is ``msgid`` + ``\\n`` + ``msgid_plural``. PO has no unit ids, so ``doc_id`` is
``<prefix>:<line>`` with the entry's first line (translate-toolkit's ``line_number``);
a second entry with the same ``msgctxt`` + ``msgid`` is a duplicate (``msgfmt`` refuses
those too). **Fuzzy entries are scored**: MT output is often imported as fuzzy, and that
is exactly what needs checking; their state reads ``fuzzy``.

Writing (``write_flags``) edits the original lines, nothing else:

* one translator comment per flag, ``# mtqa: major: 'is rebel' (12-20): reason``, placed
  after the entry's leading translator comments (where gettext tools put them);
* a **major** entry also gets the ``fuzzy`` flag: ``#, c-format`` becomes
  ``#, fuzzy, c-format`` (gettext's own order), or a ``#, fuzzy`` line is added before
  ``#|``/``msgctxt``/``msgid``. ``msgfmt`` leaves fuzzy entries out of the compiled
  catalogue, so a badly broken translation does not ship until a translator clears it.

translate-toolkit's own writer re-wraps long strings at 77 columns and reorders flags, so
the file is edited line by line instead (line ending as detected by translate-toolkit;
comments in the file's charset, a character it cannot hold as a ``\\u…`` escape).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from mtqa.errors import AnnotateError, InputError, one_line
from mtqa.io.base import (
    ENGLISH,
    Skipped,
    Unit,
    UnitFlags,
    by_doc_id,
    check_flags,
    documents_from_units,
    empty_file,
    not_english,
    note_lines,
)
from mtqa.io.inline import TaggedText
from mtqa.readers.decode import bad_byte, line_of, wide_unicode
from mtqa.records import Document, Failure

BOM = b"\xef\xbb\xbf"
UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
_OTHER_COMMENTS = (b"#.", b"#:", b"#,", b"#|", b"#~")


@functools.cache
def _parse_state() -> type:
    """translate-toolkit's PO parser state, made to read the file in its header's charset.

    The parser starts in UTF-8 (Latin-1 after a byte UTF-8 refuses), reads the header, and
    restarts in the header's charset; translate-toolkit (3.20) restarts without switching
    its decoder, so a PO in ISO-8859-1 (or any charset but UTF-8) with a non-ASCII byte
    was refused as invalid UTF-8, or read as Latin-1 whatever it declared."""
    from translate.storage import poparser

    class HeaderCharsetState(poparser.PoParseState):  # type: ignore[misc]
        def set_encoding(self, encoding: str) -> None:
            self._current_encoding = encoding
            super().set_encoding(encoding)

    return HeaderCharsetState


class _Undecodable(Exception):
    """A byte the charset translate-toolkit decodes the file in refuses."""

    def __init__(self, charset: str, reason: str) -> None:
        super().__init__(reason)
        self.charset = charset
        self.reason = reason


def _parse(data: bytes) -> Any:
    """``pypo.pofile.parsestring(data)``, decoding the file in its header's charset
    (:func:`_parse_state`); raises :class:`_Undecodable` for a byte that charset refuses."""
    from translate.storage import poparser, pypo

    store = pypo.pofile()
    store.filename = ""
    lines, store.newline = pypo.splitlines(data)
    store.units = []
    try:
        poparser.parse_units(_parse_state()(lines, store.create_unit), store)
    except UnicodeDecodeError as exc:  # only after the header: its charset is known
        raise _Undecodable(store.encoding or "utf-8", exc.reason) from None
    return store


def _load(path: str, target_lang: str | None) -> tuple[bytes, Any]:
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise InputError(
            path, None, f"cannot read: {exc.strerror}; check the path and permissions"
        ) from None
    if not data.strip():
        raise InputError(path, None, empty_file(data))
    if data.startswith(UTF16_BOMS) or b"\x00" in data[:4]:
        wide = wide_unicode(data) or "UTF-16"
        raise InputError(
            path,
            None,
            f"{wide} text: gettext reads no {wide} PO files; convert it (e.g. `iconv -f {wide} "
            "-t UTF-8`) and say charset=UTF-8 in its header",
        )
    try:
        store = _parse(data)
    except _Undecodable as exc:  # the byte's offset is within a line: find it again
        _check_charset(data, exc.charset, path)
        what, fix = _charset_words(data, exc.charset)
        raise InputError(path, None, f"not valid {what} ({exc.reason}); {fix}") from None
    except Exception as exc:  # PoParseError and friends
        line = getattr(getattr(exc, "parse_state", None), "lineno", None)
        msg = one_line(str(exc))
        raise InputError(path, line, f"not a valid PO file: {msg}; {_parse_fix(msg)}") from None
    _check_charset(data, store.encoding or "utf-8", path)
    if target_lang is not None:
        _check_language(store, path, target_lang)
    return data, store


def _names_charset(data: bytes) -> bool:
    """Whether the header (the file's first entry) names a charset; else PO is UTF-8."""
    first = re.split(rb"\r?\n[ \t]*\r?\n", data, maxsplit=1)[0]
    found = re.search(rb"charset=\s*([^\s\\\"]+)", first)
    return found is not None and found.group(1) != b"CHARSET"


def _charset_words(data: bytes, charset: str) -> tuple[str, str]:
    """``charset`` as a message names it (the header's, or UTF-8 when it names none), and
    the fix: convert the file to it, or name the file's charset."""
    if _names_charset(data):
        name, what = charset, f"{charset} (the header's charset)"
    else:
        name, what = "UTF-8", "UTF-8 (no charset in the header)"
    return what, f"convert the file to {name} or name its charset in the Content-Type header"


def _check_charset(data: bytes, charset: str, path: str) -> None:
    """Refuse bytes that are not valid in the file's charset, naming the first bad one and
    the charset.

    translate-toolkit falls back to Latin-1 on a bad byte before it has read the header,
    so what it read would be a guess."""
    try:
        data.decode(charset)
    except LookupError:  # a charset translate-toolkit maps and Python does not know
        return
    except UnicodeDecodeError as exc:
        what, fix = _charset_words(data, charset)
        line = line_of(data, exc.start)
        at = f"at byte {exc.start} (0x{data[exc.start]:02x})"
        raise InputError(path, line, f"invalid {what} {at}; {fix}") from None


def _parse_fix(message: str) -> str:
    """The fix for a translate-toolkit PO parse error, by its message."""
    if message.startswith("end-of-line within string"):
        return 'close the string on its line (a line break inside it is \\n, a quote \\")'
    if message.startswith("Unsupported charset"):
        return "name a charset Python knows in the header's Content-Type (charset=UTF-8)"
    return (
        'fix or remove that line: a PO entry is comments (#...), then msgid "..." and '
        'msgstr "..." lines, each string quoted on its line'
    )


def _strings(value: Any) -> list[str]:
    strings = getattr(value, "strings", None)
    return [str(s) for s in strings] if strings else [str(value or "")]


def _unit(tk: Any) -> Unit:
    sources, targets = _strings(tk.source), _strings(tk.target)
    key = sources[0] if not tk.msgctxt else f"{sources[0]} [msgctxt {tk.getcontext()!r}]"
    target = "\n".join(targets) if any(targets) else ""
    state = "fuzzy" if tk.isfuzzy() else ("translated" if target.strip() else "untranslated")
    notes = [n for n in (tk.getnotes("translator"), tk.getnotes("developer")) if n]
    return Unit(
        key=key,
        line=tk.line_number,
        source=TaggedText.of_text("\n".join(sources)),
        target=TaggedText.of_text(target),
        has_id=False,
        notes=tuple(notes),
        state=state,
    )


def _units(store: Any) -> list[tuple[Any, Unit]]:
    return [(tk, _unit(tk)) for tk in store.units if not tk.isheader() and not tk.isobsolete()]


def _check_language(store: Any, path: str, target_lang: str) -> None:
    """Refuse a file whose header's ``Language`` is not ``target_lang``."""
    lang = store.parseheader().get("Language") or ""
    line = store.header().line_number if store.header() is not None else None
    not_english(path, line, lang, f'"Language: {lang.strip()}" in the header', target_lang)


def read_units(path: str, target_lang: str | None = ENGLISH) -> list[Unit]:
    """Every entry of a PO file (no header, no obsolete entries), in file order.

    Raises :class:`InputError` (``path:line: ...``) for unreadable or malformed files and
    for a file whose header's ``Language`` is not ``target_lang`` (None: any).
    """
    return [u for _, u in _units(_load(path, target_lang)[1])]


def read_documents(
    path: str, prefix: str, target_lang: str | None = ENGLISH
) -> Iterator[Document | Failure | Skipped]:
    """Documents (one per translated entry), skipped entries and duplicate failures.

    An entry whose ``msgstr`` or ``msgid`` holds a NUL byte is a failure naming the byte
    (``a.po:6: NUL byte at byte 83 (0x00); remove it``), as a NUL costs its line in a
    .jsonl file: no report can hold it. So is an entry whose strings hold an escape
    translate-toolkit misreads (:func:`_misread_escapes`: ``a.po:6: the escape \\0 is a NUL
    character (U+0000); remove it``). See :mod:`mtqa.io.base` for the rules; raises
    :class:`InputError` like ``read_units``.
    """
    data, store = _load(path, target_lang)  # raises now, not when first iterated
    units = [u for _, u in _units(store)]
    starts = sorted(tk.line_number for tk in store.units if isinstance(tk.line_number, int))
    escapes = _misread_escapes(data, store.encoding or "utf-8")

    def checked(item: Document | Failure | Skipped) -> Document | Failure | Skipped:
        if not isinstance(item, Document):
            return item
        if "\x00" in item.text + (item.source or ""):
            return _nul_failure(data, path, item.line, starts)
        return _escape_failure(escapes, path, item.line, starts) or item

    return (checked(item) for item in documents_from_units(units, path, prefix))


def _nul_failure(data: bytes, path: str, line: int | None, starts: list[int]) -> Failure:
    """The failure of the entry at ``line`` (entries start at ``starts``) for its first
    NUL byte: its line and offset in the file."""
    end = next((s for s in starts if line is not None and s > line), None)
    for m in re.finditer(b"\x00", data):
        at = line_of(data, m.start())
        if line is not None and at >= line and (end is None or at < end):
            err = bad_byte(data, path, m.start(), replace_option=False)
            return Failure(err.path, err.line, err.message)
    return Failure(path, line, "the entry holds a NUL character (U+0000); remove it")


#: a string line of an entry: a keyword and its string, or a continuation string (comments,
#: obsolete ``#~`` and previous ``#|`` entries aside)
_STRING_LINE = re.compile(
    r'^[ \t]*(?:(?:msgctxt|msgid|msgid_plural|msgstr(?:\[\d+\])?)[ \t]+)?"(.*)"[ \t]*\r?$'
)
#: one escape, read left to right (``\\0`` is an escaped backslash, then ``0``)
_ESCAPE = re.compile(r"\\([0-7]{1,3}|x[0-9A-Fa-f]{1,2}|.)")
#: the escapes translate-toolkit reads; the others it reads as their letters (``\0`` → ``0``)
_READ = frozenset({"n", "t", "r", '"', "\\"})
_CONTROL = {"a": 7, "b": 8, "f": 12, "v": 11}


def _escape_fault(esc: str) -> str:
    """The message for an escape translate-toolkit misreads (``esc``: what follows ``\\``)."""
    shown = "\\" + esc
    value = (
        int(esc, 8)
        if esc[:1].isdigit()
        else int(esc[1:], 16)
        if esc[:1] == "x" and len(esc) > 1
        else _CONTROL.get(esc)
    )
    if value == 0:
        return f"the escape {shown} is a NUL character (U+0000); remove it"
    if value is not None and (value < 0x20 or value == 0x7F):
        return f"the escape {shown} is a control character (U+{value:04X}); remove it"
    kind = (
        " (a byte in octal) is not read"
        if esc[:1].isdigit()
        else " (a byte in hex) is not read"
        if value is not None
        else " is not a PO escape"
    )
    return (
        f"the escape {shown}{kind}: translate-toolkit reads it as "
        f"{esc!r}; write the character itself"
    )


def _misread_escapes(data: bytes, charset: str) -> list[tuple[int, str]]:
    """``(line, message)`` of every string line holding an escape translate-toolkit does not
    read (gettext's ``\\a \\b \\f \\v``, octal and hex, or no escape at all: ``\\u``), its
    first such escape: translate-toolkit reads the letters alone (``Hello\\0world`` →
    ``Hello0world``), so the text would be silently wrong. Read in the file's ``charset``
    (a Shift_JIS character's second byte may be a backslash's); lines numbered as
    translate-toolkit numbers them."""
    if b"\\" not in data:
        return []
    from translate.storage import pypo

    try:
        text = data.decode(charset)
    except (LookupError, UnicodeDecodeError):  # refused or unknown: _load has said so
        return []
    out = []
    for n, line in enumerate(text.split(pypo.splitlines(data)[1]), 1):
        m = _STRING_LINE.match(line)
        if m is None or "\\" not in m.group(1):
            continue
        bad = next(
            (e.group(1) for e in _ESCAPE.finditer(m.group(1)) if e.group(1) not in _READ), None
        )
        if bad is not None:
            out.append((n, _escape_fault(bad)))
    return out


def _escape_failure(
    escapes: list[tuple[int, str]], path: str, line: int | None, starts: list[int]
) -> Failure | None:
    """The failure of the entry at ``line`` (entries start at ``starts``) for its first
    misread escape (:func:`_misread_escapes`), or None."""
    if line is None:
        return None
    end = next((s for s in starts if s > line), None)
    for at, message in escapes:
        if at >= line and (end is None or at < end):
            return Failure(path, at, message)
    return None


def _is_translator_comment(line: bytes) -> bool:
    return line.startswith(b"#") and not line.startswith(_OTHER_COMMENTS)


def write_flags(
    src: str,
    dst: str,
    found: Mapping[str, UnitFlags],
    prefix: str,
    target_lang: str | None = ENGLISH,
) -> int:
    """Write a copy of ``src`` to ``dst`` with comments (and ``fuzzy``) per flagged entry.

    ``found`` maps doc ids (as :func:`read_documents` gives them with the same ``prefix``)
    to what mtqa found; severity ``none`` without flags is left alone. Returns the number
    of entries annotated. Raises :class:`InputError` (unreadable ``src``),
    :class:`AnnotateError` (the copy would not parse: nothing written),
    :class:`~mtqa.errors.OutputError` (write failure) and ``ValueError`` for unknown ids.
    """
    from translate.storage import pypo

    data, store = _load(src, target_lang)
    pairs = _units(store)
    by_id = by_doc_id(((u, (tk, u)) for tk, u in pairs), prefix)
    check_flags(dict(found), list(by_id), src)
    bom = BOM if data.startswith(BOM) else b""
    body = data[len(bom) :]
    nl = pypo.splitlines(body)[1].encode("ascii")
    lines = body.split(nl)
    starts = sorted(tk.line_number - 1 for tk in store.units if isinstance(tk.line_number, int)) + [
        len(lines)
    ]
    codec = store.encoding or "utf-8"
    before: dict[int, list[bytes]] = {}
    done = 0
    for doc_id, f in found.items():
        if f.worst == "none" and not f.flags:
            continue
        tk, _ = by_id[doc_id]
        start = tk.line_number - 1
        end = next(s for s in starts if s > start)
        i = start
        while i < end and _is_translator_comment(lines[i]):
            i += 1
        new = [("# " + line).encode(codec, "backslashreplace") for line in note_lines(f)]
        before.setdefault(i, []).extend(new)
        if f.worst == "major" and not tk.isfuzzy():
            _mark_fuzzy(lines, before, start, end)
        done += 1
    out: list[bytes] = []
    for i, line in enumerate(lines):
        out.extend(before.get(i, []))
        out.append(line)
    result = bom + nl.join(out)
    try:
        _parse(result)
    except Exception as exc:  # pragma: no cover - defensive: never write a broken file
        raise AnnotateError(
            src, None, f"the annotated copy would not parse ({one_line(str(exc))})"
        ) from None
    from mtqa.store import atomic_write

    atomic_write(Path(dst), result)
    return done


def _mark_fuzzy(lines: list[bytes], before: dict[int, list[bytes]], start: int, end: int) -> None:
    for j in range(start, end):
        if lines[j].startswith(b"#,"):
            lines[j] = b"#, fuzzy," + lines[j][2:]
            return
    for j in range(start, end):
        if lines[j].startswith((b"#|", b"msgctxt", b"msgid")):
            before.setdefault(j, []).append(b"#, fuzzy")
            return
