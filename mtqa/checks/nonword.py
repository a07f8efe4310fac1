"""The target check ``non-word``: a lower-case word English does not know, near a common one.

A word is flagged when wordfreq's English list does not know it (nor each part of a
hyphenated word), it is not a regular derivation (``un-``, ``-ly``, ...), it is not a
name, code, URL or foreign term, the writer does not use it twice, it is not inside a
run of French (``untranslated-french`` reports that) and a common English word lies
within about two edits of it (:func:`near_word`: the likely intended word).
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections import Counter
from collections.abc import Iterator
from functools import lru_cache

from mtqa.checks.base import Check, Hit
from mtqa.checks.french import FRENCH_ACCENTS
from mtqa.checks.lexicon import norm, zipf
from mtqa.checks.untranslated import french_runs
from mtqa.text import WORD

_NOT_PROSE = re.compile(r"[@#/\\_=<>|~^*+]|://|www\.|\d|[^\W\d_]\.[^\W\d_]")
_FOREIGN = re.compile(f"[^a-z'{FRENCH_ACCENTS}-]")  # "spořitelna": a foreign term, not an MT slip
_POSSESSIVE = re.compile(r"(?:'s|')$")
_PREFIXES = tuple(
    """un non re pre post anti inter intra over under out sub super counter micro macro multi
    mis dis semi circum co mega mini hyper ultra pseudo neo proto trans cross self""".split()
)  # not "in"/"im": French "insupportable" → "insupports" must stay unknown
_SUFFIXES = tuple("ally ly ness s es ed ing er ers ism ist ists ity able ment ments".split())


def _known(part: str) -> bool:
    return len(part) <= 2 or zipf(part, "en") > 0 or zipf(_POSSESSIVE.sub("", part), "en") > 0


def _derived(word: str) -> bool:
    """A rare but regular English formation: a prefix or suffix on a common word."""

    def common(w: str) -> bool:
        return len(w) >= 4 and zipf(w, "en") >= 2.5

    if any(word.startswith(p) and common(word[len(p) :]) for p in _PREFIXES):
        return True
    return any(word.endswith(x) and common(word[: -len(x)]) for x in _SUFFIXES)


@lru_cache(maxsize=1)
def _deletes_index() -> dict[str, tuple[int, int, str]]:
    """Common English words and their one-letter deletions → (deletions, rank, word)."""
    from wordfreq import top_n_list

    index: dict[str, tuple[int, int, str]] = {}
    for rank, v in enumerate(top_n_list("en", 30_000)):  # most frequent first
        if len(v) >= 3 and v.isalpha():
            index[v] = (0, rank, v)
            for d in _deletes(v):
                index.setdefault(d, (1, rank, v))
    return index


def _deletes(w: str) -> set[str]:
    return {w[:i] + w[i + 1 :] for i in range(len(w))}


@lru_cache(maxsize=20_000)
def near_word(word: str) -> str | None:
    """A common English word within about two edits of ``word`` (a typo's target), or None.

    Symmetric deletions: up to two from ``word`` (one for short words), one from the
    candidate; that covers a slip, a swap ("otulined"), a doubled letter ("dilluted") and two
    extra letters ("insupports" → "supports"). The fewest deletions win.
    """
    index = _deletes_index()
    forms = {d: 1 for d in _deletes(word)}
    if len(word) >= 6:
        forms.update({d2: 2 for d in forms for d2 in _deletes(d) if d2 not in forms})
    forms[word] = 0
    hits = [
        (cost + index[f][0], index[f][1], index[f][2])
        for f, cost in forms.items()
        if f in index and index[f][2] != word
    ]
    return min(hits)[2] if hits else None


def _unknown(w: str) -> bool:
    """A lower-case word English does not know, not derived from a known one, not foreign."""
    if any(c.isupper() for c in w):
        return False  # names, acronyms, sentence-initial words
    lw = norm(w)
    if all(_known(p) or _derived(p) for p in lw.split("-")):
        return False
    return not _FOREIGN.search(lw)  # else a foreign term


class NonWord(Check):
    """A lower-case word wordfreq's English list does not know (names and codes excepted)."""

    id = "non-word"
    machine = False  # a code name is no word: mtqa.machine
    severity = "major"
    score = 0.8

    def find(self, text: str, source: str | None = None) -> Iterator[Hit]:
        """Each unknown word near a common one, with that word in the reason.

        Linear in the sentence: the space-delimited token around a word is found once per
        token, word counts once per sentence, the enclosing French run by bisection.
        """
        french = french_runs(text)
        french_starts = [s for s, _, _ in french]
        counts: Counter[str] | None = None
        b = 0  # the end of the current token (text between spaces)
        pos = 0
        while m := WORD.search(text, pos):
            pos = m.end()
            if m.start() >= b:
                a, b = text.rfind(" ", 0, m.start()) + 1, text.find(" ", m.end())
                b = b if b >= 0 else len(text)
                if _NOT_PROSE.search(text[a:b]):
                    pos = b  # skip the token's other words
                    continue  # URLs, e-mail addresses, hashtags, codes, "e.g.", numbers
            w = m.group()
            if not _unknown(w):
                continue
            if counts is None:
                counts = Counter(WORD.findall(text))
            if counts[w] > 1:
                continue  # one the writer uses on purpose (twice)
            i = bisect_right(french_starts, m.start()) - 1
            if i >= 0 and m.end() <= french[i][1]:
                continue  # reported by untranslated-french
            near = near_word(norm(w))
            if near is None:
                continue  # near no common word: jargon or a foreign term ("sekiwake")
            fix = near[:1].upper() + near[1:] if w[:1].isupper() else near
            yield Hit(
                m.start(),
                m.end(),
                f"not an English word: {w!r} (close to {near!r})",
                suggestion=fix,
            )
