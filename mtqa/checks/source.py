"""Source checks beyond numbers: copies, French left in, length, names, quotes and brackets.

Each sees one aligned unit (target text, source text; :mod:`mtqa.checks.pairing`). Words
here are :data:`mtqa.text.HYPHEN_WORD` (elisions are separate words; see :mod:`mtqa.text`).
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterator

from mtqa.checks.base import Check, Hit
from mtqa.checks.french import (
    ENGLISH_WITH_ACCENTS,
    EXONYMS,
    FRENCH_STARTERS,
    FRENCH_WORDS,
    SUFFIXES,
    fold,
)
from mtqa.text import HYPHEN_WORD

_WORD = HYPHEN_WORD


def _bigrams(text: str) -> list[tuple[str, str]]:
    words = [w.casefold() for w in _WORD.findall(text)]
    return list(zip(words, words[1:], strict=False))


class Copy(Check):
    """The target equals the source, or most of its word pairs are copied from it."""

    id = "src-copy"
    severity = "major"
    score = 0.9
    needs_source = True
    min_ratio = 0.5

    def find(self, text: str, source: str | None) -> Iterator[Hit]:
        """One hit on the whole unit when it is (mostly) the source copied."""
        assert source is not None
        words = _WORD.findall(text)
        common = [w for w in words if not w[0].isupper()]
        if len(words) < 3 or not common:
            return
        if (
            re.sub(r"\W+", " ", text.casefold()).strip()
            == re.sub(r"\W+", " ", source.casefold()).strip()
        ):
            yield self.whole(text, "target is the source copied unchanged (untranslated)")
            return
        tb, sb = _bigrams(text), set(_bigrams(source))
        if len(tb) < 4:
            return
        share = sum(b in sb for b in tb) / len(tb)
        if share >= self.min_ratio:
            yield self.whole(
                text, f"target largely copies the source ({share:.0%} of its word pairs)"
            )


_ELISION = re.compile(r"\b(?:l|d|qu|n|j|c|s)['’](?=[^\W\d_])", re.IGNORECASE)
_FRENCH_LETTERS = re.compile(r"[éèêàâçùûôîïëœ]")


class FrenchLeft(Check):
    """Lower-case French words (or elisions like "l'") that also appear in the source."""

    id = "src-french"
    score = 0.8
    needs_source = True

    def find(self, text: str, source: str | None) -> Iterator[Hit]:
        """Each run of such words (adjacent ones merged): ``major`` for 2+ words."""
        assert source is not None
        merged: list[list[int]] = []
        for a, b in sorted(self._words(text, source) + self._elisions(text, source)):
            if merged and not text[merged[-1][1] : a].strip():
                merged[-1][1] = max(merged[-1][1], b)
            else:
                merged.append([a, b])
        for a, b in merged:
            n = len(_WORD.findall(text[a:b]))
            yield Hit(
                a, b, f"French left untranslated: {text[a:b]!r}", "major" if n > 1 else "minor"
            )

    @staticmethod
    def _words(text: str, source: str) -> list[tuple[int, int]]:
        src_words = {w.casefold() for w in _WORD.findall(source)}
        hits = []
        for m in _WORD.finditer(text):
            w = m.group()
            lw = w.casefold()
            if w[0].isupper() or lw not in src_words or lw in ENGLISH_WITH_ACCENTS:
                continue
            if re.match(r"\s+(?:al|facto|jure)\b", text[m.end() :]):
                continue
            if lw in FRENCH_WORDS or _FRENCH_LETTERS.search(lw):
                hits.append((m.start(), m.end()))
        return hits

    @staticmethod
    def _elisions(text: str, source: str) -> list[tuple[int, int]]:
        return [
            (m.start(), m.end())
            for m in _ELISION.finditer(text)
            if m.group().casefold() in {e.casefold() for e in _ELISION.findall(source)}
        ]


def length_ratio(target: str, source: str) -> float | None:
    """``len(target) / len(source)`` in characters, rounded to 3 places (None: empty source)."""
    return round(len(target) / len(source), 3) if source.strip() else None


class Length(Check):
    """Target much shorter or longer than its source (English from French: about 0.8-1.0×)."""

    id = "src-length"
    score = 0.6
    needs_source = True
    minor = (0.5, 1.7)
    major = (0.3, 2.5)
    min_chars = 20

    def find(self, text: str, source: str | None) -> Iterator[Hit]:
        """One hit on the whole unit outside ``minor`` (``major`` outside ``major``)."""
        assert source is not None
        ratio = length_ratio(text, source)
        if ratio is None or max(len(source), len(text)) < self.min_chars:
            return
        lo, hi = self.minor
        if lo <= ratio <= hi:
            return
        what = (
            "shorter: something may be missing" if ratio < lo else "longer: something may be added"
        )
        bad = ratio < self.major[0] or ratio > self.major[1]
        reason = f"target is {ratio:.2f}× the source length ({what}; expected {lo}-{hi}×)"
        yield self.whole(text, reason, "major" if bad else "minor")


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


class Names(Check):
    """Capitalised source names missing from the target; transliterations are spelling flags."""

    id = "src-names"
    score = 0.6
    needs_source = True
    spelling_score = 0.3
    min_similarity = 0.8

    def find(self, text: str, source: str | None) -> Iterator[Hit]:
        """A ``minor`` spelling hit on a transliterated name, else a unit hit per missing name."""
        assert source is not None
        ftarget = fold(text)
        tnames = [m for m in _WORD.finditer(text) if m.group()[0].isupper()]
        seen = set()
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
            if variant is None:
                yield self.whole(text, f"source name {name!r} is missing from the target")
                continue
            reason = (
                f"source name {name!r} spelled {variant.group()!r} (a transliteration variant: "
                "check the house spelling)"
            )
            yield Hit(variant.start(), variant.end(), reason, "minor", self.spelling_score)

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


class Brackets(Check):
    """Quotes and brackets balanced in the source but not in the target, or dropped."""

    id = "src-brackets"
    score = 0.6
    needs_source = True

    def find(self, text: str, source: str | None) -> Iterator[Hit]:
        """Each unmatched bracket (located); dropped brackets and quotes (the whole unit)."""
        assert source is not None
        for open_, close, what in PAIRS[:2]:
            bad = _unmatched(text, open_, close)
            if bad and not _unmatched(source, open_, close):
                for i in bad:
                    yield Hit(i, i + 1, f"unmatched {text[i]!r}: the source's {what} are balanced")
            elif source.count(open_) and not text.count(open_) and not text.count(close):
                yield self.whole(text, f"the source has {what}, the target has none")
        if _quotes_balanced(source) and not _quotes_balanced(text):
            yield self.whole(text, "unbalanced quotation marks: the source's are balanced")
        elif _quote_pairs(source) and not _quote_pairs(text) and not re.search('["“”«»]', text):
            yield self.whole(text, "the source quotes someone, the target has no quotation marks")
