"""The glossary checks ``glossary-missing`` and ``glossary-forbidden`` (``--glossary FILE``).

**Findings** (spans with ``source = rule:<id>``):

* ``glossary-missing`` (source-aware, ``minor``): a glossary source term occurs in the
  source but none of its required target terms occurs in the target. Nothing in the
  target marks where the term should have been, so the span is the whole target text
  given (leading and trailing whitespace left out), as for the other source checks that
  fault a unit as a whole. ``minor`` because the translation may be right with a synonym
  or a paraphrase, or with an inflection beyond the tolerance below: it needs a look.
* ``glossary-forbidden`` (``major``): a forbidden target term is used; the span is the
  term as it appears. ``major`` because the glossary's owner has ruled the term out (a
  deprecated name, a trademark, a client's banned wording): it must be fixed before
  delivery, and the match is exact, so false alarms are rare. Runs without a source.
  A forbidden match inside a match of a required target term (forbidden ``deal``,
  required ``Brexit deal``) is not reported.

Reasons read ``glossary: 'Brexit deal' should be used for 'accord sur le Brexit'`` and
``glossary: 'Brexit agreement' is forbidden; use 'Brexit deal' (for 'accord sur le
Brexit')``.

**Matching**, the same for source and target terms: whole words (no letter, digit or
``_`` on either side), any run of whitespace between a term's words; case-insensitive,
except for a term with a capital after a word's first letter (``EU``, ``iPhone``), which
matches with its case (so ``US`` does not flag ``us``). The last word tolerates simple
English inflection: plural ``-s``/``-es``, ``-y`` → ``-ies`` and the possessive ``'s``/``’s``
(``Brexit deal`` matches ``Brexit deals``, ``Brexit deal's``; ``policy`` matches
``policies``). Presence is what counts: one occurrence of a required term satisfies
every occurrence of its source term in the unit.

**Files.** ``load_glossary(path)`` reads by suffix:

* ``.tbx`` (TBX 2 ``<martif>``, through translate-toolkit's ``tbx``): per
  ``<termEntry>``, the terms of the source language's ``<langSet>`` are source terms;
  the target language's terms are required alternatives, except those whose
  ``administrativeStatus`` is deprecated or superseded, which are forbidden.
  Languages default to French → English (mtqa's pair).
* ``.csv``: UTF-8, comma-separated, RFC 4180 quoting; rows ``source,target[,forbidden]``.
  A header row is optional and recognised when its first two cells are ``source`` and
  ``target`` (any case). Empty lines and lines starting with ``#`` are skipped.
  ``forbidden`` is ``1``/``yes``/``y``/``true``/``x`` (forbidden) or ``0``/``no``/``n``/
  ``false``/empty (required), any case. A *required* row needs both terms: where
  ``source`` occurs, ``target`` must be used; several rows with one source (compared
  case-insensitively) are alternatives.
  A *forbidden* row needs ``target`` (the term that must not be used) and may leave
  ``source`` empty: it is flagged wherever it appears; ``source``, if given, is quoted in
  the reason together with that source's required term.

Errors are :class:`~mtqa.errors.InputError` naming ``path:line`` and the fix.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from mtqa.checks.base import Check, Hit
from mtqa.errors import InputError, one_line
from mtqa.records import Severity, Span

TRUE = frozenset({"1", "yes", "true", "x", "y"})
FALSE = frozenset({"", "0", "no", "false", "n"})
FORBIDDEN_STATUS = ("deprecated", "superseded")


@dataclass(frozen=True)
class Term:
    """A glossary term and the pattern that finds it (see the module doc for the rules)."""

    text: str
    pattern: re.Pattern[str] = field(compare=False, repr=False)

    @classmethod
    def of(cls, text: str) -> Term:
        """The term ``text`` (whitespace-trimmed, in NFC as the checks read the text; must
        not be empty) with its pattern."""
        term = unicodedata.normalize("NFC", text.strip())
        return cls(term, term_pattern(term))


@dataclass(frozen=True)
class Entry:
    """One concept: its source terms, required target terms and forbidden target terms."""

    sources: tuple[Term, ...]
    required: tuple[Term, ...]
    forbidden: tuple[Term, ...]
    line: int | None = None  # where it is defined (CSV row, TBX termEntry)


@dataclass(frozen=True)
class Glossary:
    """A loaded glossary: where it came from and its entries."""

    path: str
    entries: tuple[Entry, ...]


def _inflected(word: str) -> str:
    w = re.escape(word)
    if not word[-1:].isalpha():
        return w
    if re.search(r"[^aeiou]y$", word, re.IGNORECASE):
        core = rf"{re.escape(word[:-1])}(?:y|ies)"
    elif re.search(r"(?:s|x|z|ch|sh)$", word, re.IGNORECASE):
        core = rf"{w}(?:es)?"
    else:
        core = rf"{w}(?:e?s)?"
    return core + r"(?:['’]s)?"


def term_pattern(term: str) -> re.Pattern[str]:
    """The regex for ``term``: whole words, flexible spaces, simple inflection of the last word.

    Raises ``ValueError`` for an empty term.
    """
    words = term.split()
    if not words:
        raise ValueError("empty term")
    body = r"\s+".join([re.escape(w) for w in words[:-1]] + [_inflected(words[-1])])
    sensitive = any(c.isupper() for w in words for c in w[1:])
    return re.compile(rf"(?<!\w){body}(?!\w)", 0 if sensitive else re.IGNORECASE)


def _quoted(terms: tuple[Term, ...]) -> str:
    return " or ".join(repr(t.text) for t in terms)


class GlossaryMissing(Check):
    """``glossary-missing``: a source term occurs, none of its required target terms does."""

    id = "glossary-missing"
    severity: Severity = "minor"
    score = 0.5
    needs_source = True

    def __init__(self, glossary: Glossary) -> None:
        self.entries = [e for e in glossary.entries if e.sources and e.required]

    def find(self, text: str, source: str | None) -> Iterator[Hit]:
        """One hit (the whole stripped ``text``) per entry whose term is missing."""
        body = text.strip()
        if source is None or not body:
            return
        start = len(text) - len(text.lstrip())
        for e in self.entries:
            src = next((t for t in e.sources if t.pattern.search(source)), None)
            if src is None or any(t.pattern.search(text) for t in e.required):
                continue
            reason = f"glossary: {_quoted(e.required)} should be used for {src.text!r}"
            yield Hit(start, start + len(body), reason)


class GlossaryForbidden(Check):
    """``glossary-forbidden``: a forbidden target term is used (the span is the term)."""

    id = "glossary-forbidden"
    severity: Severity = "major"
    score = 0.95

    def __init__(self, glossary: Glossary) -> None:
        self.entries = [e for e in glossary.entries if e.forbidden]
        self.required = [t for e in glossary.entries for t in e.required]

    def find(self, text: str, source: str | None = None) -> Iterator[Hit]:
        """Every forbidden term in ``text`` (longest first where matches overlap)."""
        allowed = [m.span() for t in self.required for m in t.pattern.finditer(text)]
        found: list[tuple[int, int, str, str | None]] = []
        for e in self.entries:
            for t in e.forbidden:
                for m in t.pattern.finditer(text):
                    s, end = m.span()
                    if any(a <= s and end <= b for a, b in allowed):
                        continue
                    reason = f"glossary: {t.text!r} is forbidden"
                    if e.required:
                        reason += f"; use {_quoted(e.required)}"
                    if e.sources:
                        reason += f" (for {_quoted(e.sources)})"
                    fix = e.required[0].text if e.required else None  # the first approved term
                    if fix and m.group().endswith("s") and not t.text.endswith("s"):
                        fix += "s"  # the forbidden term matched in the plural
                    found.append((s, end, reason, fix))
        found.sort(key=lambda h: (h[0], -h[1]))
        last_end = -1
        for s, end, reason, fix in found:
            if end <= last_end:  # inside a longer forbidden match already reported
                continue
            last_end = max(last_end, end)
            yield Hit(s, end, reason, suggestion=fix)


def glossary_checks(glossary: Glossary) -> list[Check]:
    """The two glossary checks: ids ``glossary-missing`` and ``glossary-forbidden``."""
    return [GlossaryMissing(glossary), GlossaryForbidden(glossary)]


def glossary_spans(text: str, start: int, source: str | None, glossary: Glossary) -> list[Span]:
    """Spans of both glossary checks on ``text`` (a sentence or aligned unit at ``start``).

    Offsets are document offsets (``span.text == text[span.start - start : span.end - start]``,
    never empty); without ``source`` only ``glossary-forbidden`` runs.
    """
    return [s for c in glossary_checks(glossary) for s in c.check(text, start, source)]


@lru_cache(maxsize=8)
def cached_glossary(path: str) -> Glossary:
    """:func:`load_glossary` once per path and process (the engines ask per batch)."""
    return load_glossary(path)


def load_glossary(path: str, source_lang: str = "fr", target_lang: str = "en") -> Glossary:
    """Read a ``.tbx`` or ``.csv`` glossary (rules in the module doc).

    Raises :class:`InputError` (``path:line: what; the fix``) for an unreadable file, an
    unknown suffix, a malformed row or TBX, or a glossary with no usable entry.
    """
    suffix = Path(path).suffix.lower()
    if suffix not in (".csv", ".tbx"):
        raise InputError(path, None, f"unsupported glossary type {suffix!r}; use .tbx or .csv")
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise InputError(
            path, None, f"cannot read: {exc.strerror}; check the path and permissions"
        ) from None
    if suffix == ".csv":
        entries = _read_csv(data, path)
    else:
        entries = _read_tbx(data, path, source_lang, target_lang)
    if not entries:
        raise InputError(path, None, "no glossary entries found; add rows or term entries")
    return Glossary(path, tuple(entries))


def _flag(value: str, path: str, line: int) -> bool:
    v = value.strip().lower()
    if v in TRUE:
        return True
    if v in FALSE:
        return False
    raise InputError(
        path,
        line,
        f"forbidden must be 1/yes/true/x or 0/no/false/empty, got {value!r}; fix the third column",
    )


def _decode(data: bytes, path: str) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise InputError(
            path,
            line,
            f"invalid UTF-8 at byte {exc.start} (0x{data[exc.start]:02x}); "
            "save the glossary as UTF-8",
        ) from None


def _read_csv(data: bytes, path: str) -> list[Entry]:
    text = _decode(data, path)
    rows: list[tuple[int, str, str, bool]] = []
    reader = csv.reader(io.StringIO(text, newline=""))
    first = True
    for row in reader:
        line = reader.line_num
        if not row or all(not c.strip() for c in row) or row[0].lstrip().startswith("#"):
            continue
        if first and len(row) >= 2 and [c.strip().lower() for c in row[:2]] == ["source", "target"]:
            first = False
            continue
        first = False
        if not 2 <= len(row) <= 3:
            raise InputError(
                path,
                line,
                f"expected 2 or 3 columns (source,target[,forbidden]), found {len(row)}; "
                'quote a term that holds a comma ("...")',
            )
        src, tgt = row[0].strip(), row[1].strip()
        forbidden = _flag(row[2], path, line) if len(row) == 3 else False
        if not tgt:
            raise InputError(path, line, "empty target term; fill it or drop the row")
        if not forbidden and not src:
            raise InputError(
                path,
                line,
                "a required term needs its source term; fill it or mark the row forbidden",
            )
        rows.append((line, src, tgt, forbidden))
    groups: dict[str, list[tuple[int, str, str, bool]]] = {}
    for r in rows:
        groups.setdefault(r[1].lower(), []).append(r)
    entries = []
    for key, group in groups.items():
        src_text = group[0][1]
        entries.append(
            Entry(
                sources=(Term.of(src_text),) if key else (),
                required=_unique(t for _, _, t, f in group if not f),
                forbidden=_unique(t for _, _, t, f in group if f),
                line=group[0][0],
            )
        )
    return entries


def _unique(texts: Iterator[str] | list[str]) -> tuple[Term, ...]:
    seen: dict[str, Term] = {}
    for t in texts:
        if t.strip() and t.strip().lower() not in seen:
            seen[t.strip().lower()] = Term.of(t)
    return tuple(seen.values())


def _read_tbx(data: bytes, path: str, source_lang: str, target_lang: str) -> list[Entry]:
    from lxml import etree
    from translate.storage import tbx

    try:
        store = tbx.tbxfile.parsestring(
            data, sourcelanguage=source_lang, targetlanguage=target_lang
        )
    except etree.XMLSyntaxError as exc:
        msg = one_line(str(exc.msg or exc)).rstrip(".")
        raise InputError(
            path, exc.lineno or None, f"not well-formed XML: {msg}; fix the markup"
        ) from None
    except Exception as exc:  # translate-toolkit asserts on a root that is not <martif>
        raise InputError(
            path, None, f"not a TBX (martif) glossary ({type(exc).__name__}); export TBX 2 or CSV"
        ) from None
    entries = []
    for unit in store.units:
        sources = [t.text for t in unit.get_source_terms() if t.text.strip()]
        targets = unit.get_target_terms(target_lang)
        bad = [t.text for t in targets if _status_forbidden(t.administrative_status)]
        good = [t.text for t in targets if not _status_forbidden(t.administrative_status)]
        if not (sources and good) and not bad:
            continue
        entries.append(
            Entry(
                sources=_unique(sources),
                required=_unique(good),
                forbidden=_unique(bad),
                line=getattr(unit.xmlelement, "sourceline", None),
            )
        )
    return entries


def _status_forbidden(status: str | None) -> bool:
    s = (status or "").lower()
    return any(word in s for word in FORBIDDEN_STATUS)
