"""Minimal edits of an XML file's bytes: insert elements, set attributes, touch nothing else.

Why not let translate-toolkit (or lxml) write the file: both re-serialise the whole
document — quote style, ``&apos;``, character references, CDATA, the XML declaration,
namespace declarations — so a CAT tool's diff would show changes in units mtqa never
touched. Instead the file is parsed once more with expat, which reports the byte offset
of every tag, and the additions are spliced into the original bytes. Elements are matched
with the lxml tree translate-toolkit built by document order (both parsers see the same
elements in the same order).

The encodings supported for writing are those where ``<``, ``>`` and quotes are single
ASCII bytes: UTF-8, ISO-8859-x, windows-125x and the like; UTF-16/32 files are refused.
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

from mtqa.errors import InputError, OutputError, one_line
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


def locate(data: bytes) -> list[Where]:
    """Byte offsets of every element of ``data``, in document order (start-tag order)."""
    parser = expat.ParserCreate()
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
    """The document's encoding as a Python codec name; refuses multi-byte-unit encodings."""
    name = (tree.docinfo.encoding or "utf-8").lower()
    try:
        info = codecs.lookup(name)
    except LookupError:
        raise OutputError(f"{path}: unknown encoding {name!r}; convert the file to UTF-8") from None
    if info.name.startswith(("utf-16", "utf-32")):
        raise OutputError(
            f"{path}: {info.name.upper()} files cannot be annotated in place; "
            "convert the file to UTF-8 first"
        )
    return info.name


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
        raise OutputError(
            f"{path}: annotated copy is not well-formed ({exc}); nothing written"
        ) from None


def map_elements(data: bytes, root: Any, path: str) -> dict[Any, Where]:
    """lxml element → its byte offsets in ``data`` (same document order in both parsers)."""
    try:
        where = locate(data)
    except (expat.ExpatError, ValueError) as exc:
        raise OutputError(f"{path}: cannot locate the tags ({exc}); nothing written") from None
    els: Sequence[Any] = elements(root)
    if len(els) != len(where):
        raise OutputError(
            f"{path}: lxml and expat disagree on the elements ({len(els)} vs {len(where)}); "
            "nothing written"
        )
    return dict(zip(els, where))


def read_xml(path: str) -> tuple[bytes, Any]:
    """The file's bytes and its root element (parsed safely: no entities, no network).

    Raises :class:`~mtqa.errors.InputError` naming the line of a syntax error.
    """
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise InputError(
            path, None, f"cannot read: {exc.strerror}; check the path and permissions"
        ) from None
    parser = etree.XMLParser(resolve_entities=False, no_network=True, strip_cdata=False)
    try:
        root = etree.fromstring(data, parser=parser)
    except etree.XMLSyntaxError as exc:
        line = exc.lineno if isinstance(exc.lineno, int) and exc.lineno > 0 else None
        msg = one_line(str(exc.msg or exc)).rstrip(".")
        raise InputError(path, line, f"not well-formed XML: {msg}; fix the markup") from None
    return data, root
