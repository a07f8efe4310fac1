"""What the format adapters share: units in, flags out, and the rules that make documents.

Reading: a format module turns a file into :class:`Unit` records (one per translation
unit: XLIFF 1.2 ``<trans-unit>``, XLIFF 2.0 ``<segment>``, PO entry, TMX ``<tu>``), and
:func:`documents_from_units` turns those into what mtqa scores:

* a :class:`~mtqa.records.Document` per unit with a target: ``text`` is the target's plain
  text (inline codes read as :mod:`mtqa.io.inline` says), ``source`` the source's;
* a :class:`Skipped` per unit with nothing to score — no target, an empty or
  whitespace-only target, ``translate="no"``, or the reader's own reason
  (:attr:`Unit.skip`: a target in another language than English, an XLIFF 1.2 target in
  state ``new``, an XLIFF 2.0 segment in state ``initial``). Untranslated units are normal
  in a file
  being translated, so they are **reported and counted, never a failure**: a run over a
  half-translated XLIFF exits 0 and says how many units it skipped and why. A file with
  nothing to score at all (no unit, or every unit skipped) fails, as an empty .txt does
  (:func:`nothing_to_score`; an empty or blank file is :func:`empty_file`);
* a :class:`~mtqa.records.Failure` for a duplicate unit id within a file (the first is
  scored, and the writers annotate that one: :func:`by_doc_id`), as for duplicate record
  ids elsewhere: the run exits 1.

mtqa checks English (:data:`ENGLISH`): a file that declares another target language is an
:class:`~mtqa.errors.InputError` (:func:`not_english`); each reader takes
``target_lang`` (None: any language, for library use).

``doc_id``: ``<prefix>#<unit id>`` for a unit with an id (XLIFF, TMX ``tuid``; in an XLIFF
with several files ``<file>/<id>``, an XLIFF 2.0 segment ``<unit>::<segment>``), else
``<prefix>:<line>`` (PO entries, TMX units without ``tuid``) — mtqa's usual default id;
``<prefix>:<line>.<n>`` for the n-th of several units without an id on one line (a minified
XML file: :func:`apart`).
``prefix`` is the input's path relative to the input folder without its suffix, as for
the other inputs, made longer where two inputs would share it
(:func:`mtqa.readers.doc_prefixes`), so unit ``12`` of ``a.xlf`` and of ``b.xlf``, or of
``fr/a.xlf`` and ``de/a.xlf``, never collide.

Writing: the caller passes, per ``doc_id``, a :class:`UnitFlags` (the unit's severity and
its :class:`Flag` list); :func:`note_lines` renders them the same way for every format,
each text as it reads (:func:`quoted`).
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from typing import Literal, TypeVar

from mtqa.errors import InputError, one_line
from mtqa.io.inline import TaggedText
from mtqa.records import SEVERITY_RANK, Document, Failure, Severity, Span
from mtqa.text import blank

T = TypeVar("T")


@dataclass(frozen=True)
class Unit:
    """One translation unit as read from its file."""

    key: str  # the unit's identity in its file: id (XLIFF/TMX) or msgctxt+msgid (PO)
    line: int | None  # 1-based: PO entry's first line; XML: where its start tag ends (lxml)
    source: TaggedText | None
    target: TaggedText | None
    has_id: bool = True  # False: no id in the file (PO, TMX without tuid): doc_id uses line
    nth: int = 0  # without an id: its place among those starting on its line (0: alone)
    notes: tuple[str, ...] = ()
    state: str | None = None  # the format's own word: XLIFF state, "fuzzy", ...
    translatable: bool = True
    skip: str | None = None  # the reader's reason why there is nothing to score, if any


@dataclass(frozen=True)
class Skipped:
    """A unit with nothing to score; reported and counted, never a failure."""

    path: str
    line: int | None
    doc_id: str
    reason: str

    def __str__(self) -> str:
        where = self.path if self.line is None else f"{self.path}:{self.line}"
        return f"{where}: unit {self.doc_id!r} skipped: {self.reason}"


@dataclass(frozen=True)
class Flag:
    """One finding to write back: offsets into the unit's plain target text."""

    start: int
    end: int
    text: str
    severity: Literal["minor", "major"]
    reason: str
    suggestion: str | None = None
    source: str = ""  # "lm" or "rule:<id>"

    @classmethod
    def from_span(cls, span: Span, offset: int = 0, suggestion: str | None = None) -> Flag:
        """A flag from an mtqa span; ``offset`` is subtracted (document → unit offsets).

        ``suggestion`` overrides the span's own (None: keep the span's).
        """
        return cls(
            span.start - offset,
            span.end - offset,
            span.text,
            "major" if span.severity == "major" else "minor",
            span.reason,
            span.suggestion if suggestion is None else suggestion,
            span.source,
        )


@dataclass(frozen=True)
class UnitFlags:
    """What mtqa found in one unit: its (sentence-level) severity and its flags."""

    severity: Severity
    flags: tuple[Flag, ...] = field(default=())

    @property
    def worst(self) -> Severity:
        """The unit's severity, raised to its worst flag's if that is worse."""
        worst = self.severity
        for f in self.flags:
            if SEVERITY_RANK[f.severity] > SEVERITY_RANK[worst]:
                worst = f.severity
        return worst


#: the language mtqa checks: targets must be English (``en``, ``en-GB``, ``en_US``...)
ENGLISH = "en"


def lang_matches(lang: str, wanted: str) -> bool:
    """Whether the language tag ``lang`` is ``wanted``, case-insensitively: the same tag,
    or, for a ``wanted`` without a region, any region or variant of it (``en`` matches
    ``en-US``, ``EN_gb`` and gettext's ``en@quot``; ``en-US`` matches only ``en-us``)."""
    lang, wanted = lang.strip().lower().replace("_", "-"), wanted.strip().lower()
    if not lang or not wanted:
        return False
    return lang == wanted or ("-" not in wanted and re.split(r"[-@.]", lang)[0] == wanted)


def not_english(path: str, line: int | None, lang: str, declared: str, wanted: str) -> None:
    """Refuse a file whose declared target language (``declared``: where, in the format's
    words) is not ``wanted`` (an :class:`InputError`); mtqa checks English only."""
    if lang.strip() and not lang_matches(lang, wanted):
        what = "English" if wanted == ENGLISH else repr(wanted)
        raise InputError(
            path,
            line,
            f"the target language is {lang.strip()!r} ({declared}), not {what}; mtqa checks "
            f"{what} translations: pass the file translated into {what} ({wanted} or {wanted}-*)",
        )


NOTE_PRIORITY = {"major": "1", "minor": "3"}  # XLIFF note priority: 1 (highest) .. 10


#: characters a note shows as escapes: line breaks and other controls (a note is one line),
#: surrogates, bidirectional controls (they would reorder the note), invisible spaces
_ESCAPED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}
_INVISIBLE = frozenset(
    [*range(0x202A, 0x202F), *range(0x2066, 0x206A), 0x200B, 0x200E, 0x200F, 0x061C, 0xFEFF]
)


def quoted(text: str) -> str:
    """``text`` in single quotes as a reader sees it: its characters themselves (accents,
    quotes, no-break spaces, emoji), except line breaks, tabs and other control characters,
    surrogates, bidirectional controls and zero-width spaces, which are shown as escapes
    (``\\n``, ``\\x00``, ``\\u202e``) so that a note stays one line and shows all there is."""
    out = []
    for c in text:
        code = ord(c)
        if c in _ESCAPED:
            out.append(_ESCAPED[c])
        elif code in _INVISIBLE or unicodedata.category(c) in ("Cc", "Cs", "Zl", "Zp"):
            out.append(f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}")
        else:
            out.append(c)
    return "'" + "".join(out) + "'"


def note_lines(found: UnitFlags) -> list[str]:
    """One line per flag (``mtqa: major: 'is rebel' (12-20): reason; suggestion: 'x'``).

    A unit with a severity but no spans gets one line with the severity alone. Texts are
    shown as they read (:func:`quoted`), reasons folded onto one line, so that no format's
    comment syntax can be broken.
    """
    lines = []
    for f in found.flags:
        line = f"mtqa: {f.severity}: {quoted(f.text)} ({f.start}-{f.end}): "
        line += one_line(f.reason)
        if f.source:
            line += f" [{f.source}]"
        if f.suggestion == "":
            line += "; suggestion: delete it"
        elif f.suggestion is not None:
            line += f"; suggestion: {quoted(f.suggestion)}"
        lines.append(line)
    if not lines:
        lines.append(f"mtqa: {found.worst}: flagged (no span)")
    return lines


def doc_id_of(unit: Unit, prefix: str) -> str:
    """The unit's mtqa id: ``prefix#key`` with an id, ``prefix:line`` without (and
    ``prefix:line.n`` for the n-th of several starting on one line: :func:`apart`)."""
    if unit.has_id:
        return f"{prefix}#{unit.key}"
    return f"{prefix}:{unit.line}.{unit.nth}" if unit.nth else f"{prefix}:{unit.line}"


def apart(units: Sequence[Unit]) -> list[Unit]:
    """``units`` (of an XML file) with those without an id that start on one line told
    apart: the n-th of them on its line gets ``nth`` n and the key ``:line.n`` (a minified
    TMX holds every ``<tu>`` on one line; each was a duplicate of the first). A unit alone
    on its line is left as it is."""
    shared = Counter(u.line for u in units if not u.has_id)
    seen: Counter[int | None] = Counter()
    out = []
    for u in units:
        if not u.has_id and shared[u.line] > 1:
            seen[u.line] += 1
            u = replace(u, key=f":{u.line}.{seen[u.line]}", nth=seen[u.line])
        out.append(u)
    return out


def by_doc_id(pairs: Iterable[tuple[Unit, T]], prefix: str) -> dict[str, T]:
    """doc id → the value paired with its unit. Of units that share an id (a duplicate, a
    failure when read) the first: the one :func:`documents_from_units` scores, so a
    writer puts its flags on the unit they belong to."""
    out: dict[str, T] = {}
    for unit, value in pairs:
        out.setdefault(doc_id_of(unit, prefix), value)
    return out


def documents_from_units(
    units: Iterable[Unit], path: str, prefix: str
) -> Iterator[Document | Failure | Skipped]:
    """Documents to score, units skipped (with the reason) and duplicate-id failures."""
    seen: dict[str, tuple[int | None, str | None]] = {}  # key -> its line, why skipped
    for unit in units:
        doc_id = doc_id_of(unit, prefix)
        if unit.key in seen:
            first, skipped = seen[unit.key]
            at = f"line {first}" if first is not None else "earlier"
            what = "unit id" if unit.has_id else "message"
            fate = "scored" if skipped is None else f"skipped ({skipped})"
            yield Failure(
                path,
                unit.line,
                f"duplicate {what} {unit.key!r} (first seen at {at}); "
                f"{what}s must be unique within a file: the first is {fate}",
            )
            continue
        reason = skip_reason(unit)
        seen[unit.key] = (unit.line, reason)
        if reason or unit.target is None:
            yield Skipped(path, unit.line, doc_id, reason or "untranslated: no target")
            continue
        source = unit.source.plain if unit.source and unit.source.plain.strip() else None
        yield Document(doc_id, unit.target.plain, path, unit.line, source)


#: an empty translation file (the readers' InputError), as an empty .txt file is refused
def empty_file(data: bytes) -> str:
    """Why a file of no markup, only ASCII whitespace bytes (``data``), has nothing to
    score: ``empty file: …`` or what it holds, ``3 blank lines: …``."""
    held = blank(data.decode("ascii"))
    return f"{held or 'empty file'}: no translated units to score; remove it or add translations"


def nothing_to_score(path: str, items: Sequence[Document | Failure | Skipped]) -> list[Failure]:
    """The Failure of a translation file whose ``items`` hold no Document, as for an empty
    .txt file: no unit at all (a header-only PO, a TMX without ``<body>``), or every unit
    skipped (the reasons counted), or some failed and the others skipped; none when there
    is something to score, or when every unit failed (their own lines say why: the file
    did hold units)."""
    if any(isinstance(item, Document) for item in items):
        return []
    failed = sum(isinstance(item, Failure) for item in items)
    reasons: dict[str, int] = {}
    for item in items:
        if isinstance(item, Skipped):
            reasons[item.reason] = reasons.get(item.reason, 0) + 1
    if not reasons:
        if failed:
            return []
        why = "no translated units to score (no translation unit in the file)"
        return [Failure(path, None, f"{why}; remove it or add translations")]
    n = sum(reasons.values())
    if len(reasons) == 1:
        why = next(iter(reasons))
    else:
        why = ", ".join(f"{count} {reason}" for reason, count in reasons.items())
    if failed:
        msg = f"no translated units to score ({failed} failed, {n} skipped: {why})"
        return [Failure(path, None, f"{msg}; fix the failed ones or leave the file out")]
    units = "the unit" if n == 1 else f"all {n} units"
    msg = f"no translated units to score ({units} skipped: {why})"
    return [Failure(path, None, f"{msg}; translate them or leave the file out")]


def skip_reason(unit: Unit) -> str | None:
    """Why a unit has nothing to score, in words, or None when it has."""
    if not unit.translatable:
        return 'marked translate="no"'
    if unit.skip:
        return unit.skip
    if unit.target is None:
        return "untranslated: no target"
    if not unit.target.plain:
        return "untranslated: empty target"
    if not unit.target.plain.strip():
        return "target is only whitespace"
    return None


def check_flags(found: dict[str, UnitFlags], known: Sequence[str], path: str) -> None:
    """Refuse flags for ids that are not units of this file (a caller's mistake)."""
    unknown = sorted(set(found) - set(known))
    if unknown:
        raise ValueError(f"{path}: no unit with doc_id {unknown[0]!r} ({len(unknown)} unknown)")
