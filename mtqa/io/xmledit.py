"""Minimal edits of an XML file's bytes: insert elements, set attributes, touch nothing else.

Why not let translate-toolkit (or lxml) write the file: both re-serialise the whole
document — quote style, ``&apos;``, character references, CDATA, the XML declaration,
namespace declarations — so a CAT tool's diff would show changes in units mtqa never
touched. Instead the file is parsed once more with expat, which reports the byte offset
of every tag, and the additions are spliced into the original bytes. Elements are matched
with the lxml tree translate-toolkit built by document order (both parsers see the same
elements in the same order; neither expands entity references, so markup inside a DTD
entity is no element to either).

The edits are made on bytes where ``<``, ``>`` and quotes are single ASCII bytes: the
file's own for UTF-8, ISO-8859-x, windows-125x and the like; a UTF-16/32 file (with its
byte order mark, or declared ``UTF-16LE``...) is edited as its UTF-8 form and encoded back,
BOM and byte order kept, so its untouched bytes stay the same (:class:`EditableCopy`).

A file that cannot be followed this way (an encoding Python does not know, markup the two
parsers see differently) raises :class:`~mtqa.errors.AnnotateError`: that copy is not
written, and the caller goes on with the others.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from xml.parsers import expat

from lxml import etree

from mtqa.errors import AnnotateError, InputError, one_line
from mtqa.io.base import empty_file
from mtqa.io.inline import escape_attr


@dataclass(frozen=True)
class Where:
    """Byte offsets of one element: its start tag ``[start, tag_end)``, end tag ``[close, end)``.

    An empty-element tag (``<x/>``) has ``tag_end == close == end``.
    """

    start: int
    tag_end: int
    close: int
    end: int
    name: bytes  # the tag name as written (with its prefix)

    @property
    def empty(self) -> bool:
        """Whether the element is self-closing (``<x/>``): no content, no end tag."""
        return self.tag_end == self.end


def _tag_end(data: bytes, i: int) -> int:
    """Offset just past the ``>`` closing the tag that starts at ``i`` (quotes respected)."""
    quote = 0
    for j in range(i + 1, len(data)):
        c = data[j]
        if quote:
            if c == quote:
                quote = 0
        elif c in (0x22, 0x27):
            quote = c
        elif c == 0x3E:
            return j + 1
    raise ValueError(f"unterminated tag at byte {i}")


def locate(data: bytes, encoding: str | None = None) -> list[Where]:
    """Byte offsets of every element of ``data``, in document order (start-tag order).

    ``encoding`` overrides the one the document declares (its UTF-8 form, say)."""
    parser = expat.ParserCreate(encoding)
    found: list[list[int]] = []
    stack: list[int] = []

    def start(name: str, attrs: Any) -> None:
        stack.append(len(found))
        found.append([parser.CurrentByteIndex, -1, -1, -1])

    def end(name: str) -> None:
        rec = found[stack.pop()]
        rec[1] = _tag_end(data, rec[0])
        if data[rec[1] - 2 : rec[1]] == b"/>":
            rec[2] = rec[3] = rec[1]
        else:
            rec[2] = parser.CurrentByteIndex
            rec[3] = data.index(b">", rec[2]) + 1

    parser.StartElementHandler = start
    parser.EndElementHandler = end
    # a default handler stops expat expanding internal entities, as lxml (no resolving)
    # does not: an entity holding markup must not add elements only one parser sees
    parser.DefaultHandler = lambda data: None
    parser.Parse(data, True)
    out = []
    for s, te, c, e in found:
        name = re.match(rb"<([^\s/>]+)", data[s:te])
        out.append(Where(s, te, c, e, name.group(1) if name else b""))
    return out


def elements(root: Any) -> list[Any]:
    """The lxml elements under (and including) ``root`` in document order, as expat sees them."""
    return [el for el in root.iter() if isinstance(el.tag, str)]


def codec_of(tree: Any, path: str) -> str:
    """The document's encoding as a Python codec name (``utf-8``, ``cp1252``, ``utf-16``)."""
    name = (tree.docinfo.encoding or "utf-8").lower()
    try:
        return codecs.lookup(name).name
    except LookupError:
        raise AnnotateError(
            path, None, f"unknown encoding {name!r}; convert the file to UTF-8"
        ) from None


_WIDE_BOMS = (  # UTF-32's first: its little-endian BOM starts with UTF-16's
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)


def _wide(data: bytes, codec: str, path: str) -> tuple[str, bytes]:
    """The byte order codec and BOM of a UTF-16/32 file (``codec``: as declared)."""
    for bom, name in _WIDE_BOMS:
        if data.startswith(bom) and name.startswith(codec[:6]):
            return name, bom
    if codec.endswith(("-le", "-be")):
        return codec, b""
    raise AnnotateError(
        path,
        None,
        f"{codec.upper()} without a byte order mark; convert the file to UTF-8 "
        f"(e.g. `iconv -f {codec.upper()} -t UTF-8`)",
    )


class EditableCopy:
    """A file's bytes ready for :class:`Edits`, with its elements located, and the way back.

    ``edits`` and ``where`` (lxml element → :class:`Where`) work on the file's bytes, or
    for a UTF-16/32 file on its UTF-8 form; :meth:`result` gives the edited bytes in the
    file's own encoding (BOM and byte order kept), checked to be well-formed. Raises
    :class:`~mtqa.errors.AnnotateError` for a file it cannot follow.
    """

    def __init__(self, data: bytes, tree: Any, path: str) -> None:
        self.path = path
        codec = codec_of(tree, path)
        self.wide: str | None = None
        self.bom = b""
        if codec.startswith(("utf-16", "utf-32")):
            self.wide, self.bom = _wide(data, codec, path)
            try:
                text = data[len(self.bom) :].decode(self.wide)
            except UnicodeDecodeError as exc:
                raise AnnotateError(
                    path, None, f"not valid {self.wide.upper()} ({exc.reason}); convert the file"
                ) from None
            if self.bom + text.encode(self.wide) != data:  # never seen: a lossless codec
                raise AnnotateError(path, None, f"{codec.upper()} bytes do not round-trip")
            data, codec = text.encode("utf-8"), "utf-8"
        self.edits = Edits(data, codec)
        self.where = map_elements(data, tree.getroot(), path, "UTF-8" if self.wide else None)

    def result(self) -> bytes:
        """The edited file, in its own encoding; refused unless well-formed."""
        out = self.edits.apply()
        if self.wide is not None:
            out = self.bom + out.decode("utf-8").encode(self.wide)
        check_well_formed(out, self.path)
        return out


def whitespace_before(data: bytes, pos: int) -> bytes:
    """The run of whitespace just before ``pos`` when it follows a tag (else ``b''``)."""
    i = pos
    while i > 0 and data[i - 1] in b" \t\r\n":
        i -= 1
    return data[i:pos] if i > 0 and data[i - 1] == 0x3E else b""


class Edits:
    """Insertions and attribute changes against the original bytes, applied in one pass."""

    def __init__(self, data: bytes, codec: str) -> None:
        self.data = data
        self.codec = codec
        self._edits: list[tuple[int, int, bytes]] = []  # (position, bytes removed, new bytes)

    def encode(self, text: str) -> bytes:
        """Text in the file's encoding; characters it cannot hold as references."""
        return text.encode(self.codec, "xmlcharrefreplace")

    def insert(self, pos: int, text: str | bytes) -> None:
        """Insert ``text`` (str: encoded; bytes: as is) at byte ``pos``."""
        raw = text if isinstance(text, bytes) else self.encode(text)
        self._edits.append((pos, 0, raw))

    def replace(self, pos: int, removed: int, text: str | bytes) -> None:
        """Replace ``removed`` bytes at ``pos`` with ``text``."""
        raw = text if isinstance(text, bytes) else self.encode(text)
        self._edits.append((pos, removed, raw))

    def set_attribute(self, where: Where, name: str, value: str) -> None:
        """Set ``name="value"`` on the start tag: replace the value, or add it after the name."""
        m = _attr_re(name).search(self.data, where.start, where.tag_end)
        new = self.encode(f'"{escape_attr(value)}"')
        if m:
            self._edits.append((m.start(3), m.end(3) - m.start(3), new))
        else:
            pos = where.start + 1 + len(where.name)
            self._edits.append((pos, 0, b" " + name.encode("ascii") + b"=" + new))

    def apply(self) -> bytes:
        """The original bytes with every edit applied (edits at one position keep their order)."""
        out = []
        last = 0
        for pos, removed, new in sorted(self._edits, key=lambda e: e[0]):
            out.append(self.data[last:pos])
            out.append(new)
            last = pos + removed
        out.append(self.data[last:])
        return b"".join(out)


def _attr_re(name: str) -> re.Pattern[bytes]:
    return re.compile(
        rb"(\s)(" + re.escape(name.encode("ascii")) + rb")\s*=\s*(\"[^\"]*\"|'[^']*')"
    )


def check_well_formed(data: bytes, path: str) -> None:
    """Refuse to write a result that does not parse (a bug, never the user's file)."""
    try:
        etree.fromstring(data, parser=etree.XMLParser(resolve_entities=False, no_network=True))
    except etree.XMLSyntaxError as exc:  # pragma: no cover - defensive
        raise AnnotateError(
            path, None, f"the annotated copy would not be well-formed ({one_line(str(exc))})"
        ) from None


def map_elements(
    data: bytes, root: Any, path: str, encoding: str | None = None
) -> dict[Any, Where]:
    """lxml element → its byte offsets in ``data`` (same document order in both parsers).

    ``encoding``: as for :func:`locate`. Raises :class:`~mtqa.errors.AnnotateError` when
    the parsers do not see the same elements.
    """
    try:
        where = locate(data, encoding)
    except (expat.ExpatError, ValueError) as exc:
        raise AnnotateError(path, None, f"cannot locate the tags ({one_line(str(exc))})") from None
    els: Sequence[Any] = elements(root)
    if len(els) != len(where):
        raise AnnotateError(
            path,
            None,
            f"the tags cannot be located byte for byte (lxml and expat see {len(els)} and "
            f"{len(where)} elements); report this file to mtqa's maintainers",
        )
    return dict(zip(els, where))


def read_xml(path: str) -> tuple[bytes, Any]:
    """The file's bytes and its root element (parsed safely: no entities, no network).

    Raises :class:`~mtqa.errors.InputError` naming the line of a syntax error, or of a
    byte the file's encoding refuses (:func:`check_encoding`), or for an empty file (or
    one of only whitespace).
    """
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise InputError(
            path, None, f"cannot read: {exc.strerror}; check the path and permissions"
        ) from None
    if not data.strip():
        raise InputError(path, None, empty_file(data))
    parser = etree.XMLParser(resolve_entities=False, no_network=True, strip_cdata=False)
    try:
        root = etree.fromstring(data, parser=parser)
    except etree.XMLSyntaxError as exc:
        check_encoding(data, path)  # libxml2 names the wrong line for a bad byte
        line = exc.lineno if isinstance(exc.lineno, int) and exc.lineno > 0 else None
        msg = one_line(str(exc.msg or exc)).rstrip(".")
        raise InputError(path, line, f"not well-formed XML: {msg}; fix the markup") from None
    return data, root


#: an XML declaration's encoding (after a UTF-8 byte order mark, if any)
_DECLARED = re.compile(rb"<\?xml\s[^>]*?\bencoding\s*=\s*[\"']([A-Za-z][A-Za-z0-9._-]*)[\"']")


def check_encoding(data: bytes, path: str) -> None:
    """Refuse bytes that are not valid in the file's encoding (a byte order mark's, else the
    XML declaration's, else UTF-8), naming the line, the first bad byte and the encoding,
    and a character XML 1.0 does not allow (a C0 control other than tab, LF and CR; U+FFFE,
    U+FFFF), naming its line (an :class:`InputError`); nothing for a file that decodes into
    allowed characters, or an encoding Python does not know or cannot tell (UTF-16/32
    without a byte order mark)."""
    start = 0
    for bom, codec in ((codecs.BOM_UTF8, "utf-8"), *_WIDE_BOMS):
        if data.startswith(bom):
            start, name, whose = len(bom), codec.upper(), "its byte order mark"
            break
    else:
        if b"\x00" in data[:4]:
            return
        found = _DECLARED.match(data)
        name = found.group(1).decode("ascii") if found else "UTF-8"
        whose = "the XML declaration's encoding" if found else "no encoding declared"
    try:
        text = data[start:].decode(name)
    except LookupError:
        return
    except UnicodeDecodeError as exc:
        at = start + exc.start
        line = data[start:at].decode(name, "replace").count("\n") + 1
        raise InputError(
            path,
            line,
            f"invalid {name} ({whose}) at byte {at} (0x{data[at]:02x}); convert the file to "
            f'{name} or name its encoding in the XML declaration (<?xml version="1.0" '
            'encoding="..."?>)',
        ) from None
    bad = _NOT_XML.search(text)
    if bad is not None:
        head = text[: bad.start()]
        line = head.count("\n") + head.count("\r") - head.count("\r\n") + 1
        code = f"{ord(bad.group()):04X}"
        what = "a control character" if ord(bad.group()) < 0x20 else "a noncharacter"
        hint = (
            "" if path.lower().endswith(".tmx") else f' (XLIFF 2.0 holds one as <cp hex="{code}"/>)'
        )
        raise InputError(
            path, line, f"character U+{code} ({what}) is not allowed in XML; remove it{hint}"
        )


#: the characters XML 1.0 does not allow (a file holding one is not well-formed)
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
