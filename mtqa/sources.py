"""Source-aware checks: compare each target unit with its French source.

Each check is a small named :class:`SourceRule` (registry ``SOURCE_RULES``) that sees one
aligned pair (target text, source text; see :mod:`mtqa.pairing`) and returns
:class:`Finding` s: *located* (offsets into the target: a span on those characters) or
*unit-level* (no offsets: a span over the whole sentence when the unit is one sentence,
else a document note naming the line or segment). Spans have ``source="rule:<id>"``.

Without a source none of these run: the ``src_*`` cells are empty and the document
carries the note :data:`NO_SOURCE`.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import ClassVar, Literal

from mtqa.french import (
    EN_MONTHS,
    ENGLISH_WITH_ACCENTS,
    EXONYMS,
    FR_MONTHS,
    FRENCH_STARTERS,
    FRENCH_WORDS,
    SUFFIXES,
    fold,
)
from mtqa.pairing import Pairing, Unit, level_note, pair_units
from mtqa.records import Document, Sentence, Span

SentenceSeverity = Literal["minor", "major"]
Value = float | str | None
SENTENCE_COLUMNS = ("src_level", "src_flags", "len_ratio")
NO_SOURCE = "no source given: source checks (numbers, copies, names, length, brackets) did not run"


@dataclass(frozen=True)
class Finding:
    rule: str
    severity: SentenceSeverity
    score: float
    reason: str
    start: int | None = None  # offsets into the unit's target text; None = unit-level flag
    end: int | None = None


class SourceRule:
    id: ClassVar[str]
    severity: ClassVar[SentenceSeverity] = "minor"
    score: ClassVar[float] = 0.6

    def check(self, target: str, source: str) -> list[Finding]:
        raise NotImplementedError

    def flag(
        self,
        reason: str,
        start: int | None = None,
        end: int | None = None,
        severity: SentenceSeverity | None = None,
        score: float | None = None,
    ) -> Finding:
        return Finding(
            self.id,
            severity or self.severity,
            self.score if score is None else score,
            reason,
            start,
            end,
        )


# --- numbers, dates and times -----------------------------------------------------------

_NUMBER = re.compile(
    r"(?<![\w.,])(?P<int>\d{1,3}(?P<sep>[ \u00a0\u202f,.'’])\d{3}(?!\d)"
    r"(?:(?P=sep)\d{3}(?!\d))*|\d+)(?:(?P<dec>[.,])(?P<frac>\d+))?(?![.,]?\d)"
)
_TIME = re.compile(
    r"(?<![\w.,])(?:(?P<h>[01]?\d|2[0-3])\s?(?:h\s?(?P<m>[0-5]\d)?(?![^\W\d_])"
    r"|:(?P<mc>[0-5]\d)|\.(?P<m2>[0-5]\d)(?=\s?[ap]\.?m))"
    r"|(?P<h2>1[0-2]|\d)(?=\s?[ap]\.?m\b))(?:\s?(?P<ampm>[ap])(?:\.m\.|m\b))?",
    re.IGNORECASE,
)
_FR_MONTH = {fold(m): i for i, m in enumerate(FR_MONTHS.split(), 1)}
_EN_MONTH = {m.lower(): i for i, m in enumerate(EN_MONTHS.split(), 1)}
_EN_MONTH |= {m.lower()[:3]: i for i, m in enumerate(EN_MONTHS.split(), 1)} | {"sept": 9}
_EN_NUMBER_WORDS = {
    w: i
    for i, w in enumerate(
        "zero one two three four five six seven eight nine ten eleven twelve thirteen "
        "fourteen fifteen sixteen seventeen eighteen nineteen twenty".split()
    )
} | {"first": 1, "second": 2, "third": 3, "half": 0.5, "dozen": 12, "hundred": 100}
_FR_NUMBER_WORDS = {
    fold(w): i
    for i, w in enumerate(
        "zéro un deux trois quatre cinq six sept huit neuf dix onze douze treize quatorze "
        "quinze seize dix-sept dix-huit dix-neuf vingt".split()
    )
} | {"premier": 1, "premiere": 1, "moitie": 0.5, "demi": 0.5, "douzaine": 12, "cent": 100}


@dataclass(frozen=True)
class Quantity:
    start: int
    end: int
    text: str
    keys: frozenset[str]  # every reading ("1,250" is 1250 in English, 1.25 in French)


def _num_key(x: float) -> str:
    return f"n:{x:g}"


def quantities(text: str, months: dict[str, int]) -> list[Quantity]:
    """Numbers (thousands separators normalised), times and month names in ``text``."""
    out: list[Quantity] = []
    taken: list[tuple[int, int]] = []
    for m in _TIME.finditer(text):
        hour = m.group("h") if m.group("h") is not None else m.group("h2")
        h = int(hour)
        minute = m.group("m") or m.group("mc") or m.group("m2") or "00"
        ampm = m.group("ampm")
        if ampm and ampm.lower() == "p" and h < 12:
            h += 12
        if ampm and ampm.lower() == "a" and h == 12:
            h = 0
        out.append(Quantity(m.start(), m.end(), m.group(), frozenset({f"t:{h}:{minute}"})))
        taken.append((m.start(), m.end()))
    for m in _NUMBER.finditer(text):
        if any(a <= m.start() < b for a, b in taken):
            continue
        whole, sep, frac = m.group("int"), m.group("sep"), m.group("frac")
        digits = re.sub(r"\D", "", whole)
        keys = set()
        if frac is not None:
            keys.add(_num_key(float(f"{digits}.{frac}")))
        else:
            keys.add(_num_key(float(digits)))
            if sep in (",", ".") and whole.count(sep) == 1:  # "1,250": 1250 or 1.25
                a, b = whole.split(sep)
                keys.add(_num_key(float(f"{a}.{b}")))
        out.append(Quantity(m.start(), m.end(), m.group(), frozenset(keys)))
    for m in re.finditer(r"[^\W\d_]+\.?", text):
        word = m.group().rstrip(".")
        key = fold(word) if months is _FR_MONTH else word.lower()
        if months is _EN_MONTH and not word[0].isupper():
            continue  # "may", "march" the verbs
        if key in months:
            out.append(
                Quantity(m.start(), m.start() + len(word), word, frozenset({f"m:{months[key]}"}))
            )
    return sorted(out, key=lambda q: q.start)


def _words_as_numbers(text: str, table: dict[str, float]) -> set[str]:
    return {
        _num_key(table[w])
        for w in re.findall(r"[^\W\d_]+(?:-[^\W\d_]+)?", fold(text))
        if w in table
    }


class NumbersRule(SourceRule):
    """Numbers, dates and times on one side only ('13 000' = '13,000' = '13 000')."""

    id = "src-numbers"
    score = 0.8

    def check(self, target: str, source: str) -> list[Finding]:
        src = quantities(source, _FR_MONTH)
        tgt = quantities(target, _EN_MONTH)
        src_keys = set().union(*(q.keys for q in src)) | _words_as_numbers(source, _FR_NUMBER_WORDS)
        tgt_keys = set().union(*(q.keys for q in tgt)) | _words_as_numbers(target, _EN_NUMBER_WORDS)
        missing = [q for q in src if not q.keys & tgt_keys]
        extra = [q for q in tgt if not q.keys & src_keys]
        found = []
        for q in extra:
            hint = (
                f" (the source has {', '.join(repr(m.text) for m in missing)})" if missing else ""
            )
            found.append(
                self.flag(
                    f"target has {q.text!r}, the source does not{hint}",
                    q.start,
                    q.end,
                    "major" if missing else "minor",
                )
            )
        for q in missing:
            found.append(self.flag(f"source has {q.text!r}, the target does not"))
        return found


# --- untranslated text ------------------------------------------------------------------

_WORD = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*")


def _bigrams(text: str) -> list[tuple[str, str]]:
    words = [w.casefold() for w in _WORD.findall(text)]
    return list(zip(words, words[1:], strict=False))


class CopyRule(SourceRule):
    """The target equals the source, or most of its word pairs are copied from it."""

    id = "src-copy"
    severity = "major"
    score = 0.9
    min_ratio = 0.5

    def check(self, target: str, source: str) -> list[Finding]:
        words = _WORD.findall(target)
        common = [w for w in words if not w[0].isupper()]
        if len(words) < 3 or not common:
            return []
        if (
            re.sub(r"\W+", " ", target.casefold()).strip()
            == re.sub(r"\W+", " ", source.casefold()).strip()
        ):
            return [self.flag("target is the source copied unchanged (untranslated)")]
        tb, sb = _bigrams(target), set(_bigrams(source))
        if len(tb) < 4:
            return []
        share = sum(b in sb for b in tb) / len(tb)
        if share >= self.min_ratio:
            return [self.flag(f"target largely copies the source ({share:.0%} of its word pairs)")]
        return []


_ELISION = re.compile(r"\b(?:l|d|qu|n|j|c|s)['’](?=[^\W\d_])", re.IGNORECASE)
_FRENCH_LETTERS = re.compile(r"[éèêàâçùûôîïëœ]")


class FrenchLeftRule(SourceRule):
    """Lower-case French words (or elisions like "l'") that also appear in the source."""

    id = "src-french"
    score = 0.8

    def check(self, target: str, source: str) -> list[Finding]:
        src_words = {w.casefold() for w in _WORD.findall(source)}
        hits: list[tuple[int, int]] = []
        for m in _WORD.finditer(target):
            w = m.group()
            lw = w.casefold()
            if w[0].isupper() or lw not in src_words or lw in ENGLISH_WITH_ACCENTS:
                continue
            if re.match(r"\s+(?:al|facto|jure)\b", target[m.end() :]):
                continue
            if lw in FRENCH_WORDS or _FRENCH_LETTERS.search(lw):
                hits.append((m.start(), m.end()))
        for m in _ELISION.finditer(target):
            if m.group().casefold() in {e.casefold() for e in _ELISION.findall(source)}:
                hits.append((m.start(), m.end()))
        hits.sort()
        merged: list[list[int]] = []
        for a, b in hits:
            if merged and not target[merged[-1][1] : a].strip():
                merged[-1][1] = max(merged[-1][1], b)
            else:
                merged.append([a, b])
        out = []
        for a, b in merged:
            n = len(_WORD.findall(target[a:b]))
            out.append(
                self.flag(
                    f"French left untranslated: {target[a:b]!r}",
                    a,
                    b,
                    "major" if n > 1 else "minor",
                )
            )
        return out


# --- length -----------------------------------------------------------------------------


def length_ratio(target: str, source: str) -> float | None:
    return round(len(target) / len(source), 3) if source.strip() else None


class LengthRule(SourceRule):
    """Target much shorter or longer than its source (English from French: about 0.8-1.0×)."""

    id = "src-length"
    minor = (0.5, 1.7)
    major = (0.3, 2.5)
    min_chars = 20

    def check(self, target: str, source: str) -> list[Finding]:
        ratio = length_ratio(target, source)
        if ratio is None or max(len(source), len(target)) < self.min_chars:
            return []
        lo, hi = self.minor
        if lo <= ratio <= hi:
            return []
        what = (
            "shorter: something may be missing" if ratio < lo else "longer: something may be added"
        )
        bad = ratio < self.major[0] or ratio > self.major[1]
        return [
            self.flag(
                f"target is {ratio:.2f}× the source length ({what}; expected {lo}-{hi}×)",
                severity="major" if bad else "minor",
            )
        ]


# --- names ------------------------------------------------------------------------------

_TRANSLIT = (
    (r"ou", "u"),
    (r"tch", "ch"),
    (r"sch", "sh"),
    (r"ch", "sh"),
    (r"dj", "j"),
    (r"kh", "h"),
    (r"y", "i"),
    (r"w", "v"),
    (r"(.)\1", r"\1"),
)


def skeleton(name: str) -> str:
    """A transliteration-blind key: 'Kouleba' and 'Kuleba' both give 'kuleba'."""
    s = fold(name)
    for a, b in _TRANSLIT:
        s = re.sub(a, b, s)
    return s


def _name_candidates(source: str) -> Iterator[re.Match[str]]:
    lower_words = {fold(w) for w in _WORD.findall(source) if w[0].islower()}
    for m in _WORD.finditer(source):
        w = m.group()
        if not w[0].isupper() or len(w) < 2:
            continue
        before = source[: m.start()].rstrip(" \u00a0\u202f\"'«“‘(—–-")
        initial = not before or before[-1] in ".!?:…\n"
        if fold(w) in FRENCH_STARTERS or (initial and fold(w) in lower_words):
            continue
        yield m


def _has_phrase(folded_target: str, phrase: str) -> bool:
    return re.search(rf"(?<!\w){re.escape(phrase)}(?!\w)", folded_target) is not None


class NamesRule(SourceRule):
    """Capitalised source names missing from the target; transliterations are spelling flags."""

    id = "src-names"
    spelling_score = 0.3
    min_similarity = 0.8

    def check(self, target: str, source: str) -> list[Finding]:
        ftarget = fold(target)
        tnames = [m for m in _WORD.finditer(target) if m.group()[0].isupper()]
        out, seen = [], set()
        for m in _name_candidates(source):
            name = m.group()
            key = fold(name)
            if key in seen:
                continue
            seen.add(key)
            forms = (key, *EXONYMS.get(key, ()))
            forms += tuple(key[: -len(a)] + b for a, b in SUFFIXES if key.endswith(a))
            if any(_has_phrase(ftarget, f) for f in forms if f):
                continue
            variant = self._variant(name, tnames)
            if variant is not None:
                t = variant.group()
                out.append(
                    self.flag(
                        f"source name {name!r} spelled {t!r} (a transliteration variant: check the "
                        "house spelling)",
                        variant.start(),
                        variant.end(),
                        "minor",
                        self.spelling_score,
                    )
                )
            else:
                out.append(self.flag(f"source name {name!r} is missing from the target"))
        return out

    def _variant(self, name: str, tnames: list[re.Match[str]]) -> re.Match[str] | None:
        sk = skeleton(name)
        best, best_ratio = None, 0.0
        for t in tnames:
            tk = skeleton(t.group())
            if tk[:1] != sk[:1]:
                continue
            ratio = 1.0 if tk == sk else difflib.SequenceMatcher(None, sk, tk).ratio()
            if ratio >= self.min_similarity and ratio > best_ratio:
                best, best_ratio = t, ratio
        return best


# --- quotes and brackets ----------------------------------------------------------------

PAIRS = (
    ("(", ")", "brackets"),
    ("[", "]", "square brackets"),
    ("“", "”", "quotes"),
    ("«", "»", "quotes"),
)


def _unmatched(text: str, open_: str, close: str) -> list[int]:
    stack, bad = [], []
    for i, c in enumerate(text):
        if c == open_:
            stack.append(i)
        elif c == close:
            if stack:
                stack.pop()
            else:
                bad.append(i)
    return sorted(bad + stack)


def _quote_pairs(text: str) -> int:
    return (
        min(text.count("«"), text.count("»"))
        + min(text.count("“"), text.count("”"))
        + (text.count('"') // 2)
    )


def _quotes_balanced(text: str) -> bool:
    return (
        text.count("«") == text.count("»")
        and text.count("“") == text.count("”")
        and text.count('"') % 2 == 0
    )


class BracketsRule(SourceRule):
    """Quotes and brackets balanced in the source but not in the target, or dropped."""

    id = "src-brackets"

    def check(self, target: str, source: str) -> list[Finding]:
        out = []
        for open_, close, what in PAIRS[:2]:
            bad = _unmatched(target, open_, close)
            if bad and not _unmatched(source, open_, close):
                for i in bad:
                    out.append(
                        self.flag(
                            f"unmatched {target[i]!r}: the source's {what} are balanced", i, i + 1
                        )
                    )
            elif source.count(open_) and not target.count(open_) and not target.count(close):
                out.append(self.flag(f"the source has {what}, the target has none"))
        if _quotes_balanced(source) and not _quotes_balanced(target):
            out.append(self.flag("unbalanced quotation marks: the source's are balanced"))
        elif _quote_pairs(source) and not _quote_pairs(target) and not re.search('["“”«»]', target):
            out.append(self.flag("the source quotes someone, the target has no quotation marks"))
        return out


SOURCE_RULES: dict[str, SourceRule] = {
    r.id: r
    for r in (
        NumbersRule(),
        CopyRule(),
        FrenchLeftRule(),
        LengthRule(),
        NamesRule(),
        BracketsRule(),
    )
}


def check_pair(
    target: str, source: str, rules: dict[str, SourceRule] | None = None
) -> list[Finding]:
    """Every rule on one aligned (target, source) pair."""
    out = []
    for rule in (SOURCE_RULES if rules is None else rules).values():
        out.extend(rule.check(target, source))
    return out


# --- one document -----------------------------------------------------------------------


@dataclass(frozen=True)
class SourceReport:
    spans: list[list[Span]]  # per sentence
    columns: list[tuple[tuple[str, Value], ...]]  # per sentence: src_level, src_flags, len_ratio
    metrics: tuple[tuple[str, Value], ...]
    notes: tuple[str, ...]


class RunSources:
    """How many documents of a run had a source (for run.json)."""

    def __init__(self) -> None:
        self.with_source = 0
        self.without_source = 0

    def add(self, doc: Document) -> None:
        if doc.source is None:
            self.without_source += 1
        else:
            self.with_source += 1

    def as_dict(self) -> dict[str, object]:
        out: dict[str, object] = {
            "documents_with_source": self.with_source,
            "documents_without_source": self.without_source,
            "rules": list(SOURCE_RULES),
        }
        if not self.with_source:
            out["note"] = NO_SOURCE
        return out


def _where(pairing: Pairing, unit: Unit, n: int) -> str:
    return "the whole segment" if pairing.level == "segment" else f"line {n}"


def source_checks(
    doc: Document, sentences: list[Sentence], rules: dict[str, SourceRule] | None = None
) -> SourceReport:
    if doc.source is None:
        empty = tuple((k, None) for k in SENTENCE_COLUMNS)
        return SourceReport(
            [[] for _ in sentences],
            [empty] * len(sentences),
            tuple((k, None) for k in SENTENCE_COLUMNS),
            (NO_SOURCE,),
        )
    pairing = pair_units(doc, sentences, doc.source)
    spans: list[list[Span]] = [[] for _ in sentences]
    ratios: list[float | None] = [None] * len(sentences)
    notes: list[str] = []
    if pairing.level != "sentence":
        notes.append(level_note("source", "src_level", pairing))
    n_flags = 0
    for n, unit in enumerate(pairing.units, 1):
        for i in unit.sentences:
            ratios[i] = length_ratio(unit.target, unit.other)
        for f in check_pair(unit.target, unit.other, rules):
            n_flags += 1
            placed = _place(doc, sentences, unit, f)
            if placed is None:
                notes.append(f"rule:{f.rule} ({_where(pairing, unit, n)}): {f.reason}")
            else:
                i, span = placed
                spans[i].append(span)
    columns: list[tuple[tuple[str, Value], ...]] = [
        (("src_level", pairing.level), ("src_flags", len(s)), ("len_ratio", r))
        for s, r in zip(spans, ratios, strict=True)
    ]
    metrics = (
        ("src_level", pairing.level),
        ("src_flags", n_flags),
        ("len_ratio", length_ratio(doc.text.strip(), doc.source.strip())),
    )
    return SourceReport(spans, columns, metrics, tuple(notes))


def _place(
    doc: Document, sentences: list[Sentence], unit: Unit, f: Finding
) -> tuple[int, Span] | None:
    """A finding as a span in one sentence (document offsets), or None for a note."""
    if f.start is None or f.end is None:
        if len(unit.sentences) != 1:
            return None
        i = unit.sentences[0]
        start, end = sentences[i].start, sentences[i].end
    else:
        start, end = unit.start + f.start, unit.start + f.end
        hit = [i for i in unit.sentences if sentences[i].start <= start < sentences[i].end]
        if not hit:
            return None
        i = hit[0]
        end = min(end, sentences[i].end)
    return i, Span(start, end, doc.text[start:end], f.severity, f.score, f"rule:{f.rule}", f.reason)
