"""Inline markup → plain text, with a map back from plain-text offsets to the markup.

A translation unit's ``<source>``/``<target>``/``<seg>`` mixes text with inline codes
(XLIFF 1.2 ``<g> <x/> <bx/> <ex/> <ph> <bpt> <ept> <it> <mrk>``, XLIFF 2.0 ``<pc> <ph/>
<sc/> <ec/> <sm/> <em/> <mrk> <cp/>``, TMX ``<bpt> <ept> <it> <ph> <ut> <hi>``). mtqa
scores the **plain text** only, so every span it reports lies in text, never in a tag:

* a *placeholder* (``<x/>``, ``<ph>``: it stands for something of its own, a variable, an
  image, a line break) is a **boundary**. Where it joins a word to the word after it
  (``Text<ph/>continue``; also after a closing ``.,;:!?)]}``: ``end.<ph/>Next``) it reads
  as one space (``Text continue``); where it has whitespace on both sides it takes the
  whitespace after it with it, so no double space is left (``Open the <ph>{0}</ph> now`` →
  ``Open the now``); anywhere else (at either end of the text, beside whitespace or other
  punctuation: ``footnote<x/>.``) it is zero-width;
* any other *code* (``<bpt>``, ``<ept>``, ``<it>``, ``<ut>``, ``<bx/>``, ``<ex/>``, ``<sc/>``,
  ``<ec/>``, ``<sm/>``, ``<em/>``: the start or end of formatting, which may fall inside a
  word) is zero-width; so are comments and processing instructions;
* a *container* (``<g>``, ``<pc>``, ``<mrk>``, ``<hi>``, and any element we do not know)
  keeps its text; its start and end tags are zero-width, but for the end of an XLIFF 1.2
  segment marker (``<mrk mtype="seg">``: segmented content, one sentence each), a
  sentence boundary: with no whitespace on either side
  (``…the interface.</mrk><mrk mtype="seg" mid="2">The…``) it reads as one space
  (``interface. The``), so two segments never read as one glued sentence;
* XLIFF 2.0 ``<cp hex="001A"/>`` stands for one character and gives that character;
* an internal entity of the document's DTD (``<!ENTITY prod "Produit">``, ``Open &prod;``)
  gives its text (:func:`entity_text`); an external, undeclared or nested one is left as a
  reference that stands for something, a placeholder;
* whitespace is kept exactly as parsed (no ``xml:space`` folding), so offsets are stable.

The text a report shows, every span's offsets and the offsets in the annotated copies'
notes are this plain text's. ``TaggedText.markup`` is the element's content serialised
(tags with their local name or prefix, attributes in document order, text escaped ``&amp;
&lt; &gt;``) and ``TaggedText.to_markup(start, end)`` maps a plain-text span onto it (a
placeholder's space maps onto the placeholder).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from lxml import etree

XML_NS = "http://www.w3.org/XML/1998/namespace"

# Codes whose content is native markup (dropped from the plain text, kept in the markup).
CODE_TAGS = frozenset({"bpt", "ept", "it", "ph", "ut", "x", "bx", "ex", "sc", "ec", "sm", "em"})
CHAR_TAGS = frozenset({"cp"})  # XLIFF 2.0: one character that XML cannot hold
PLACEHOLDER_TAGS = frozenset({"x", "ph"})  # codes that stand for something: a boundary
_BEFORE_GAP = frozenset(".,;:!?)]}")  # closing punctuation a placeholder may follow as a gap

#: text; one ``<cp/>`` character; an expanded entity reference (its text); a code
#: (zero-width, or a placeholder's one space); a container's start or end tag; whitespace
#: a placeholder took with it (zero-width)
PieceKind = Literal["text", "char", "entity", "code", "open", "close", "space"]


@dataclass(frozen=True)
class Piece:
    """A run of the content: text, one ``<cp/>`` character, a code, or a container tag.

    ``plain_start == plain_end`` for codes and container tags (they are zero-width), but
    for a placeholder that reads as one space; and for whitespace it took with it.
    """

    kind: PieceKind
    plain_start: int
    plain_end: int
    markup_start: int
    markup_end: int
    tag: str = ""  # local name of the element ("" for text)


def escape_text(text: str) -> str:
    """XML-escape character data (``&``, ``<``, ``>``)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def escape_attr(value: str) -> str:
    """XML-escape an attribute value for double quotes (newlines and tabs as references)."""
    return (
        escape_text(value)
        .replace('"', "&quot;")
        .replace("\t", "&#9;")
        .replace("\n", "&#10;")
        .replace("\r", "&#13;")
    )


@dataclass(frozen=True)
class TaggedText:
    """Plain text of an inline-markup element and the way back to its markup."""

    plain: str
    markup: str
    pieces: tuple[Piece, ...]

    @classmethod
    def of_text(cls, text: str) -> TaggedText:
        """A tag-free text (PO strings): plain and markup are the same string."""
        piece = Piece("text", 0, len(text), 0, len(text))
        return cls(text, text, (piece,) if text else ())

    def _markup_pos(self, pos: int, *, end: bool) -> int:
        """Markup offset of plain char ``pos`` (its first markup char, or just past it)."""
        for p in self.pieces:
            if p.kind == "space" or not p.plain_start <= pos < p.plain_end:
                continue
            if p.kind != "text":  # a <cp/>, an entity's text, a placeholder's space: all of it
                return p.markup_end if end else p.markup_start
            k = pos - p.plain_start + (1 if end else 0)
            if self.markup == self.plain:  # tag-free (PO) or nothing escaped: identity map
                return p.markup_start + k
            return p.markup_start + len(escape_text(self.plain[p.plain_start : p.plain_start + k]))
        raise ValueError(f"offset {pos} is outside the plain text (length {len(self.plain)})")

    def to_markup(self, start: int, end: int) -> tuple[int, int]:
        """Markup offsets ``(mstart, mend)`` of the plain-text span ``[start, end)``.

        Both ends fall on text, never inside a tag; codes and container tags *between* them
        are included (see :meth:`codes_inside`). Raises ``ValueError`` for an empty or
        out-of-range span.
        """
        if not 0 <= start < end <= len(self.plain):
            raise ValueError(f"span {start}-{end} is empty or outside 0-{len(self.plain)}")
        return self._markup_pos(start, end=False), self._markup_pos(end - 1, end=True)

    def codes_inside(self, start: int, end: int) -> tuple[Piece, ...]:
        """Codes and container tags strictly inside the span (at ``start < offset < end``).

        Empty when the span's markup is text only; a caller that wraps the span in new
        markup (an ITS ``<mrk>``, say) must refuse or split a span for which it is not.
        """
        return tuple(
            p
            for p in self.pieces
            if p.kind in ("code", "open", "close") and start < p.plain_start < end
        )

    def code_offsets(self) -> tuple[int, ...]:
        """Plain-text offsets where a code or container tag sits (sorted, unique)."""
        return tuple(
            sorted({p.plain_start for p in self.pieces if p.kind in ("code", "open", "close")})
        )


def local_name(el: Any) -> str:
    """The element's name without its namespace (``'{urn:…}g'`` → ``'g'``)."""
    tag = el.tag
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _qname(el: Any, name: str) -> str:
    """``{uri}local`` → ``prefix:local`` using the element's namespace map."""
    if not name.startswith("{"):
        return name
    uri, local = name[1:].split("}", 1)
    if uri == XML_NS:
        return f"xml:{local}"
    for prefix, u in el.nsmap.items():
        if u == uri:
            return f"{prefix}:{local}" if prefix else local
    return local


def start_tag(el: Any, *, empty: bool = False) -> str:
    """The element's start tag, attributes in document order (no namespace declarations)."""
    attrs = "".join(f' {_qname(el, k)}="{escape_attr(v)}"' for k, v in el.attrib.items())
    return f"<{_qname(el, el.tag)}{attrs}{'/' if empty else ''}>"


def serialise(el: Any) -> str:
    """An element with its content and without its tail (our canonical markup form)."""
    if el.tag is etree.Comment:
        return f"<!--{el.text or ''}-->"
    if el.tag is etree.PI:
        return f"<?{el.target} {el.text or ''}?>"
    if el.tag is etree.Entity:
        return el.text or f"&{el.name};"
    if not el.text and len(el) == 0:
        return start_tag(el, empty=True)
    inner = escape_text(el.text or "") + "".join(
        serialise(c) + escape_text(c.tail or "") for c in el
    )
    return f"{start_tag(el)}{inner}</{_qname(el, el.tag)}>"


class _Builder:
    """Collects the content's runs (:meth:`walk`), then lays them out (:meth:`pieces`)."""

    def __init__(self) -> None:
        self.runs: list[tuple[PieceKind, str, str, str]] = []  # kind, plain, markup, tag
        self.segment_ends: set[int] = set()  # runs that close an XLIFF 1.2 segment marker

    def add(self, kind: PieceKind, plain: str, markup: str, tag: str = "") -> None:
        if markup:
            self.runs.append((kind, plain, markup, tag))

    def text(self, s: str | None) -> None:
        if s:
            self.add("text", s, escape_text(s))

    def walk(self, el: Any) -> None:
        self.text(el.text)
        for child in el:
            name = local_name(child)
            if child.tag is etree.Entity and (text := entity_text(child)) is not None:
                self.add("entity", text, serialise(child), child.name)
            elif child.tag is etree.Entity:  # not expanded: it stands for something
                self.add("code", "", serialise(child), f"&{child.name};")
            elif not isinstance(child.tag, str):  # comment, processing instruction
                self.add("code", "", serialise(child))
            elif name in CODE_TAGS:
                self.add("code", "", serialise(child), name)
            elif name in CHAR_TAGS and _cp_char(child) is not None:
                self.add("char", _cp_char(child) or "", serialise(child), name)
            elif not child.text and len(child) == 0:
                self.add("code", "", start_tag(child, empty=True), name)
            else:
                self.add("open", "", start_tag(child), name)
                self.walk(child)
                if name == "mrk" and child.get("mtype") == "seg":
                    self.segment_ends.add(len(self.runs))
                self.add("close", "", f"</{_qname(child, child.tag)}>", name)
            self.text(child.tail)

    def _next_chars(self) -> list[str]:
        """Per run, the first plain character of the runs after it ('' at the end)."""
        out, after = [], ""
        for _, plain, _, _ in reversed(self.runs):
            out.append(after)
            after = plain[0] if plain else after
        return out[::-1]

    def pieces(self) -> tuple[str, str, tuple[Piece, ...]]:
        """Plain text, markup and pieces, placeholders made boundaries (module docstring)."""
        plain: list[str] = []
        markup: list[str] = []
        pieces: list[Piece] = []
        n_plain = n_markup = 0
        swallow = False  # a placeholder between whitespace: drop the whitespace after it
        last = ""  # the last plain character so far

        def put(kind: PieceKind, p: str, m: str, tag: str = "") -> None:
            nonlocal n_plain, n_markup, last
            pieces.append(Piece(kind, n_plain, n_plain + len(p), n_markup, n_markup + len(m), tag))
            last = p[-1] if p else last
            plain.append(p)
            markup.append(m)
            n_plain += len(p)
            n_markup += len(m)

        for i, ((kind, p, m, tag), after) in enumerate(zip(self.runs, self._next_chars())):
            if i in self.segment_ends or _is_placeholder(kind, tag):
                gap = _boundary(last, after, segment=i in self.segment_ends)
                swallow = swallow or gap is None
                p = gap or ""
            elif kind == "text" and swallow:
                ws = len(p) - len(p.lstrip())
                if ws:
                    put("space", "", p[:ws])  # whitespace is not escaped: markup == text
                    p, m = p[ws:], m[ws:]
                swallow = not p
                if not p:
                    continue
            elif kind in ("char", "entity") and p:
                swallow = False
            put(kind, p, m, tag)
        return "".join(plain), "".join(markup), tuple(pieces)


def _is_placeholder(kind: PieceKind, tag: str) -> bool:
    """A code that stands for something (a placeholder, an entity not expanded)."""
    return kind == "code" and (tag in PLACEHOLDER_TAGS or tag.startswith("&"))


def _boundary(last: str, after: str, *, segment: bool) -> str | None:
    """The plain text of a boundary between the characters ``last`` and ``after`` ('' at
    either end): one space where it would glue them, '' where it is zero-width, None for a
    placeholder between whitespace (it takes the whitespace after it). A segment's end
    glues any two visible characters; a placeholder a word (or closing mark) to a word."""
    if segment:
        return " " if last and after and not last.isspace() and not after.isspace() else ""
    if last and after and last.isspace() and after.isspace():
        return None
    return " " if (last.isalnum() or last in _BEFORE_GAP) and after.isalnum() else ""


def entity_text(ref: Any) -> str | None:
    """The text an entity reference stands for, or None when it is not expanded.

    An internal entity declared in the document's DTD (``<!ENTITY prod "Produit">``) is
    expanded; markup in it is read like the rest (``<!ENTITY w "<g>Widget</g>">`` gives
    ``Widget``). An external entity (``SYSTEM``), an undeclared one, or one whose text
    refers to other entities (nesting is how entity bombs grow) is not: it stays a
    reference, read as a placeholder.
    """
    dtd = ref.getroottree().docinfo.internalDTD
    decl = next((e for e in dtd.iterentities() if e.name == ref.name), None) if dtd else None
    content = decl.content if decl is not None else None
    if content is None or "&" in content:
        return None
    if "<" not in content:
        return str(content)
    parser = etree.XMLParser(resolve_entities=False, no_network=True, strip_cdata=False)
    try:
        return flatten(etree.fromstring(f"<x>{content}</x>", parser=parser)).plain
    except etree.XMLSyntaxError:
        return None


def _cp_char(el: Any) -> str | None:
    try:
        return chr(int(el.get("hex", ""), 16))
    except (ValueError, OverflowError):
        return None


def flatten(el: Any) -> TaggedText:
    """The plain text of ``el``'s content (not its own tags nor its tail), with the map back.

    ``el`` is an lxml element such as an XLIFF ``<target>`` or a TMX ``<seg>``.
    """
    b = _Builder()
    b.walk(el)
    return TaggedText(*b.pieces())
