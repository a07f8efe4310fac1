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

**Matching**: whole words (no letter, digit or
``_`` on either side), any run of whitespace between a term's words; case-insensitive,
except for a term with a capital after a word's first letter (``EU``, ``iPhone``), which
matches with its case (so ``US`` does not flag ``us``). In the target the last word
tolerates simple English inflection: plural ``-s``/``-es``, ``-y`` → ``-ies`` and the
possessive ``'s``/``’s`` (``Brexit deal`` matches ``Brexit deals``, ``Brexit deal's``;
``policy`` matches ``policies``). In the source every word may take the plural of French
and its neighbours, ``-s``/``-es``/``-x`` and ``-al``/``-ail`` → ``-aux`` (``accord sur le
Brexit`` matches ``accords sur le Brexit``, ``cheval`` ``chevaux``). Presence is what
counts: one occurrence of a required term satisfies
every occurrence of its source term in the unit.

**Files.** ``load_glossary(path)`` reads by suffix:

* ``.tbx`` (TBX 2 ``<martif>``, read with lxml, entities not resolved): per
  ``<termEntry>``, the terms (``<tig>`` or ``<ntig>``/``<termGrp>``) of the source
  language's ``<langSet>`` are source terms; the target language's terms are required
  alternatives, except those whose ``administrativeStatus`` is deprecated or superseded,
  which are forbidden. Languages default to French → English (mtqa's pair) and match by
  their primary subtag (``xml:lang="fr-FR"`` is French, ``en-GB`` English).
* ``.csv``: UTF-8, comma-separated, RFC 4180 quoting; rows ``source,target[,forbidden]``.
  A header row is optional and recognised when a cell is named ``source``, ``target``
  or ``forbidden`` (any case). Empty lines and lines starting with ``#`` are skipped.
  ``forbidden`` is ``1``/``yes``/``y``/``true``/``x`` (forbidden) or ``0``/``no``/``n``/
  ``false``/empty (required), any case. A *required* row needs both terms: where
  ``source`` occurs, ``target`` must be used; several rows with one source (compared
  case-insensitively) are alternatives.
  A *forbidden* row needs ``target`` (the term that must not be used) and may leave
  ``source`` empty: it is flagged wherever it appears; ``source``, if given, is quoted in
  the reason together with that source's required term. A header row names its columns
  in any order (``target,source``), other named columns (``notes``) are ignored, and a row
  that is not valid CSV (a quote never closed) is an error, as is a term with a line break.

In either file a target term both required and forbidden is an error (the forbidden one
would never be flagged).

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
from typing import Any

from mtqa.checks.base import Check, Hit
from mtqa.errors import InputError, named, one_line
from mtqa.readers.decode import kind, read_bytes
from mtqa.records import Severity, Span

TRUE = frozenset({"1", "yes", "true", "x", "y"})
FALSE = frozenset({"", "0", "no", "false", "n"})
FORBIDDEN_STATUS = ("deprecated", "superseded")


@dataclass(frozen=True)
class Term:
    """A glossary term and the patterns that find it (see the module doc for the rules):
    ``pattern`` in the target (English inflection), ``source_pattern`` in the source (a
    plural on any word)."""

    text: str
    pattern: re.Pattern[str] = field(compare=False, repr=False)
    source_pattern: re.Pattern[str] = field(compare=False, repr=False)

    @classmethod
    def of(cls, text: str) -> Term:
        """The term ``text`` (whitespace-trimmed, in NFC as the checks read the text; must
        not be empty) with its patterns."""
        term = unicodedata.normalize("NFC", text.strip())
        return cls(term, term_pattern(term), term_pattern(term, source=True))


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


def _plural(word: str) -> str:
    """``word`` or its plural as French, Spanish, Italian or Portuguese write most of them:
    ``-s``/``-es``/``-x`` added, ``-al``/``-ail`` → ``-aux`` (``chevaux``, ``travaux``)."""
    w = re.escape(word)
    if not word[-1:].isalpha():
        return w
    if re.search(r"(?:al|ail)$", word, re.IGNORECASE):
        stem = re.escape(word[: -3 if word.lower().endswith("ail") else -2])
        return rf"(?:{w}s?|{stem}aux)"
    return rf"{w}(?:e?s|x)?"


def term_pattern(term: str, source: bool = False) -> re.Pattern[str]:
    """The regex for ``term``: whole words, flexible spaces, simple English inflection of the
    last word; with ``source``, a plural on any word instead (``accords sur le Brexit``,
    ``pommes de terre``: a source term's words agree in number, its head is not always last).

    Raises ``ValueError`` for an empty term.
    """
    words = term.split()
    if not words:
        raise ValueError("empty term")
    if source:
        body = r"\s+".join(_plural(w) for w in words)
    else:
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
            src = next((t for t in e.sources if t.source_pattern.search(source)), None)
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
    p, fix = Path(path), "pass a .csv or .tbx file"
    suffix = p.suffix.lower()
    if p.is_dir():
        raise InputError(path, None, f"is a folder, not a glossary ({named('glossary')}); {fix}")
    if p.exists() and not p.is_file():  # /dev/null, a FIFO (reading one would block)
        what = kind(p.stat().st_mode)
        raise InputError(path, None, f"not a regular file ({what}; {named('glossary')}); {fix}")
    if suffix not in (".csv", ".tbx"):
        raise InputError(
            path,
            None,
            f"unsupported glossary type {suffix!r} ({named('glossary')}); use .tbx or .csv",
        )
    try:
        data = read_bytes(p, fix)  # never blocks, on a FIFO put in its place since
    except FileNotFoundError:
        raise InputError(
            path, None, f"no such file ({named('glossary')}); check the path"
        ) from None
    except OSError as exc:
        raise InputError(
            path,
            None,
            f"cannot read the glossary ({named('glossary')}): {exc.strerror}; check the path "
            "and permissions",
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
        f"forbidden must be 1/yes/true/x or 0/no/false/empty, got {value!r}; "
        "fix the forbidden column",
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


HEADER_NAMES = ("source", "target", "forbidden")


def _csv_rows(text: str, path: str) -> Iterator[tuple[int, list[str]]]:
    """(line where the row starts, cells) of every row; a row that is not valid CSV (a quote
    left open, text after a closing quote) is an :class:`InputError` naming its line."""
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    while True:
        line = reader.line_num + 1
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            if "unexpected end of data" in str(exc):
                raise InputError(
                    path,
                    line,
                    'a quoted term is not closed: its " runs to the end of the file; '
                    'close the quote (a " inside a quoted term is written "")',
                ) from None
            raise InputError(
                path,
                line,
                f"not valid CSV ({exc}); quote a whole term "
                '("...", a " inside it written "") or none of it',
            ) from None
        yield line, row


def _header(row: list[str], path: str, line: int) -> dict[str, int] | None:
    """The column of each known name when ``row`` is a header (a cell named ``source``,
    ``target`` or ``forbidden``, in any order and case; other columns are ignored), else
    None. A header must name ``source`` and ``target``, each once; without a ``forbidden``
    column, one more cell after the header's is the forbidden flag."""
    names = [c.strip().lower() for c in row]
    if not set(names) & set(HEADER_NAMES):
        return None
    for name in HEADER_NAMES:
        if names.count(name) > 1:
            raise InputError(
                path, line, f"header names the column {name!r} twice; rename or delete one"
            )
    missing = [n for n in HEADER_NAMES[:2] if n not in names]
    if missing:
        raise InputError(
            path,
            line,
            f"header has no {' or '.join(repr(m) for m in missing)} column: {row}; "
            "name the columns source,target[,forbidden]",
        )
    return {n: names.index(n) for n in HEADER_NAMES if n in names}


def _read_csv(data: bytes, path: str) -> list[Entry]:
    text = _decode(data, path)
    rows: list[tuple[int, str, str, bool]] = []
    columns: dict[str, int] | None = None
    width = 0
    first = True
    for line, row in _csv_rows(text, path):
        if not row or all(not c.strip() for c in row) or row[0].lstrip().startswith("#"):
            continue
        if first:
            first = False
            columns = _header(row, path, line)
            if columns is not None:
                width = len(row)
                if "forbidden" not in columns:  # an unnamed column after the header's
                    columns["forbidden"] = width
                    width += 1
                continue
        rows.append((line, *_csv_row(row, columns, width, path, line)))
    _no_conflicts([(line, tgt, forbidden) for line, _, tgt, forbidden in rows], path)
    groups: dict[str, list[tuple[int, str, str, bool]]] = {}
    for r in rows:
        groups.setdefault(r[1].lower(), []).append(r)
    return [
        Entry(
            sources=(Term.of(group[0][1]),) if key else (),
            required=_unique(t for _, _, t, f in group if not f),
            forbidden=_unique(t for _, _, t, f in group if f),
            line=group[0][0],
        )
        for key, group in groups.items()
    ]


def _csv_row(
    row: list[str], columns: dict[str, int] | None, width: int, path: str, line: int
) -> tuple[str, str, bool]:
    """(source, target, forbidden) of one data row, by the header's ``columns`` or, without
    one, ``source,target[,forbidden]``."""
    if columns is None and not 2 <= len(row) <= 3:
        raise InputError(
            path,
            line,
            f"expected 2 or 3 columns (source,target[,forbidden]), found {len(row)}; "
            'quote a term that holds a comma ("...")',
        )
    if columns is not None and len(row) > width:
        raise InputError(
            path,
            line,
            f"expected {width} columns as in the header, found {len(row)}; "
            'quote a term that holds a comma ("...")',
        )
    cols = columns or {n: i for i, n in enumerate(HEADER_NAMES)}
    cell = {n: row[i] if i < len(row) else "" for n, i in cols.items()}
    src, tgt = cell["source"].strip(), cell["target"].strip()
    forbidden = _flag(cell.get("forbidden", ""), path, line)
    if not tgt:
        raise InputError(path, line, "empty target term; fill it or drop the row")
    if not forbidden and not src:
        raise InputError(
            path,
            line,
            "a required term needs its source term; fill it or mark the row forbidden",
        )
    if any(c in t for t in (src, tgt) for c in "\r\n"):
        raise InputError(path, line, "a term holds a line break; write each term on one line")
    return src, tgt, forbidden


def _no_conflicts(terms: list[tuple[int | None, str, bool]], path: str) -> None:
    """An :class:`InputError` for a target term both required and forbidden (compared in
    NFC, case-insensitively): a forbidden term is never flagged where a required one matches,
    so one of the two rows is dead."""
    required: dict[str, int | None] = {}
    for line, term, forbidden in terms:
        if not forbidden:
            required.setdefault(unicodedata.normalize("NFC", term.strip()).lower(), line)
    for line, term, forbidden in terms:
        key = unicodedata.normalize("NFC", term.strip()).lower()
        if forbidden and key in required:
            where = f"line {required[key]}" if required[key] is not None else "another entry"
            raise InputError(
                path,
                line,
                f"target term {term.strip()!r} is forbidden here but required at {where}; "
                "keep one of the two",
            )


def _unique(texts: Iterator[str] | list[str]) -> tuple[Term, ...]:
    seen: dict[str, Term] = {}
    for t in texts:
        if t.strip() and t.strip().lower() not in seen:
            seen[t.strip().lower()] = Term.of(t)
    return tuple(seen.values())


XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
TERM_GROUPS = ("tig", "ntig", "termSec")  # TBX 2's two term structures, and TBX 3's


def _local(node: Any) -> str:
    tag = node.tag
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _same_language(lang: str | None, wanted: str) -> bool:
    """``fr-FR``, ``fr_CA`` and ``FR`` are ``fr``: the primary subtags compared, any case."""

    def primary(code: str) -> str:
        return code.strip().lower().replace("_", "-").split("-")[0]

    return lang is not None and primary(lang) == primary(wanted)


def _tbx_terms(lang_set: Any) -> list[tuple[str, str | None]]:
    """(term text, administrativeStatus) of every term of a ``<langSet>``, in order."""
    out = []
    for group in lang_set.iter():
        if _local(group) not in TERM_GROUPS:
            continue
        term = next((n for n in group.iter() if _local(n) == "term"), None)
        if term is None:
            continue
        status = next(
            (
                "".join(n.itertext())
                for n in group.iter()
                if _local(n) == "termNote" and n.get("type") == "administrativeStatus"
            ),
            None,
        )
        out.append((unicodedata.normalize("NFC", "".join(term.itertext())).strip(), status))
    return [t for t in out if t[0]]


def _read_tbx(data: bytes, path: str, source_lang: str, target_lang: str) -> list[Entry]:
    from lxml import etree

    parser = etree.XMLParser(resolve_entities=False, no_network=True)
    try:
        root = etree.fromstring(data, parser=parser)
    except etree.XMLSyntaxError as exc:
        msg = one_line(str(exc.msg or exc)).rstrip(".")
        raise InputError(
            path, exc.lineno or None, f"not well-formed XML: {msg}; fix the markup"
        ) from None
    if _local(root) != "martif":
        raise InputError(
            path, None, f"not a TBX (martif) glossary (root <{_local(root)}>); export TBX 2 or CSV"
        )
    entries = []
    for entry in root.iter():
        if _local(entry) != "termEntry":
            continue
        sources: list[str] = []
        targets: list[tuple[str, str | None]] = []
        for lang_set in entry:
            if _local(lang_set) != "langSet":
                continue
            lang = lang_set.get(XML_LANG) or lang_set.get("lang")
            if _same_language(lang, source_lang):
                sources += [t for t, _ in _tbx_terms(lang_set)]
            elif _same_language(lang, target_lang):
                targets += _tbx_terms(lang_set)
        bad = [t for t, status in targets if _status_forbidden(status)]
        good = [t for t, status in targets if not _status_forbidden(status)]
        if not (sources and good) and not bad:
            continue
        entries.append(
            Entry(
                sources=_unique(sources),
                required=_unique(good),
                forbidden=_unique(bad),
                line=entry.sourceline,
            )
        )
    _no_conflicts(
        [(e.line, t.text, False) for e in entries for t in e.required]
        + [(e.line, t.text, True) for e in entries for t in e.forbidden],
        path,
    )
    return entries


def _status_forbidden(status: str | None) -> bool:
    s = (status or "").lower()
    return any(word in s for word in FORBIDDEN_STATUS)
