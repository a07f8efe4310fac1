"""``src-names``: capitalised source names missing from the target, or transliterated.

French sources only (:mod:`mtqa.checks.language` guesses the language): the exonym table
and the inflections are French; German capitalises every noun, Slavic languages decline
names, and names in other scripts are transliterated (out of scope). A name is found in
the target case- and accent-blind, as itself, an exonym (``Genève`` → ``Geneva``) or with
a French ending made English (``Ukrainiens`` → ``Ukrainians``); a near spelling
(:func:`skeleton`) is a transliteration variant, flagged ``minor`` on the word.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterator

from mtqa.checks.base import Check, Hit
from mtqa.checks.french import EXONYMS, FRENCH_STARTERS, SUFFIXES, fold
from mtqa.checks.language import profile
from mtqa.text import HYPHEN_WORD

_WORD = HYPHEN_WORD


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
        """A ``minor`` spelling hit on a transliterated name, else a unit hit per missing name.
        French sources only (exonyms and inflection are French here; German capitalises
        every noun, Slavic languages decline names, other scripts transliterate them)."""
        assert source is not None
        if profile(source).lang != "fr":
            return
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
