"""The target check ``untranslated-french``: French words or runs left in the English text.

A word is French *strong* (French alone: ``selon``, ``aujourd'hui``, an accented word
that French uses and English has not borrowed, a word common in French and rare in
English), *weak* (French only beside another: ``de``, ``pour``) or not French. Runs of
adjacent French words with at least one strong word, or two different weak ones, are
reported: a run of 2+ words is ``major``, one word ``minor``. Names (``Le Drian``,
``de Gaulle``, ``Légion d'honneur``), loanwords (``café``) and loan phrases (``déjà vu``)
pass. The word lists are in ``mtqa/data/words/french.toml``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache

from mtqa.checks.base import Check, Hit
from mtqa.checks.french import (
    FR_PARTICLES,
    FR_STRONG,
    FR_WEAK,
    FRENCH_ACCENTS,
    LOAN_PHRASES,
    LOANWORDS,
)
from mtqa.checks.lexicon import norm, zipf
from mtqa.records import Severity
from mtqa.text import OPENERS, WORD


def initial(text: str, start: int) -> bool:
    """Whether a word at ``start`` opens a sentence or a quotation (capitals are not names)."""
    i = start  # what precedes it, less spaces and openers (no copy of the text before it)
    while i and text[i - 1].isspace():
        i -= 1
    while i and text[i - 1] in OPENERS:
        i -= 1
    while i and text[i - 1].isspace():
        i -= 1
    return not i or text[i - 1] in ".!?:;…"


def _phrases_by_first_letter(phrases: list[str] | tuple[str, ...]) -> str:
    """``a(?:u fait|u pair)|b(?:on mot)``: the phrases as one alternation, grouped by their first
    letter (each group keeps the phrases' order); the regex engine then tries only the phrases
    that start with the letter at hand (4x faster on long texts, the same matches: phrases with
    different first letters never match at the same place)."""
    groups: dict[str, list[str]] = {}
    for p in phrases:
        assert p[:1].isalpha() and len(p) > 1, p  # a constant table, not user input
        groups.setdefault(p[0].lower(), []).append(re.escape(p[1:]).replace(r"\ ", r"[\s-]+"))
    return "|".join(f"{re.escape(k)}(?:{'|'.join(v)})" for k, v in groups.items())


_LOAN_RE = re.compile(
    r"(?<![^\W\d_])(?:" + _phrases_by_first_letter(LOAN_PHRASES) + r")(?![^\W\d_])",
    re.IGNORECASE,
)
_ELISION = re.compile(r"(?:l|d|qu|n|c|s|j|m|t|jusqu|lorsqu|puisqu|quoiqu)'[^\W\d_]")
_ACCENT = re.compile(f"[{FRENCH_ACCENTS}]")
_LAST_WORD = re.compile(r"([^\W\d_][\w'’-]*)\s+$")
_NEXT = re.compile(r"\s+(\S)")


def _in_name(text: str, m: re.Match[str]) -> bool:
    """Whether the word sits beside a capitalised, non-initial word."""
    nxt = _NEXT.match(text, m.end())
    if nxt and nxt[1].isupper():
        return True
    prev = _LAST_WORD.search(text[max(0, m.start() - 60) : m.start()])
    if not prev:
        return False
    return prev[1][0].isupper() and not initial(text, m.start() - len(prev[0]))


def _french_kind(text: str, m: re.Match[str]) -> str | None:
    """'strong' (French alone), 'weak' (French only beside another) or None."""
    w = m.group()
    if w[0].isupper() and not initial(text, m.start()):
        return None  # a name: "Le Drian", "de Gaulle"
    particle, kind = _word_kind(w)
    if kind and particle and _in_name(text, m):
        return None  # part of a name: "Légion d'honneur", "de Gaulle", "Moët et Chandon"
    return kind


@lru_cache(maxsize=100_000)
def _word_kind(w: str) -> tuple[bool, str | None]:
    """What the word says out of context: (a particle or elision that may belong to a name,
    its :func:`_french_kind`)."""
    lw = norm(w)
    if any(c.isupper() for c in w[1:]) or lw in LOANWORDS:
        return False, None  # a name: "d'Ivoire"; a loanword
    particle = lw in FR_PARTICLES or bool(_ELISION.match(lw))
    return particle, _kind(w, lw)


def _kind(w: str, lw: str) -> str | None:
    if lw in FR_STRONG or any(p in FR_STRONG for p in lw.split("-")):
        return "strong"
    if _ELISION.match(lw):
        return "strong"
    if lw in FR_WEAK:
        return "weak"
    if lw == "a":
        return "cont"  # French "a" (has) continues a run ("il y a"), never starts one
    if w[0].isupper() or (lw.endswith("s") and lw[:-1] in LOANWORDS):
        return None  # "Mbappé" opening a sentence; "protégés"
    en = zipf(lw, "en")
    if en >= 3.0 or (en >= 2.5 and not _ACCENT.search(lw)):
        return None  # an English word
    fr = zipf(lw, "fr")
    if _ACCENT.search(lw) and fr > 0:
        return "strong"  # "réunion", "président": accented, French, not borrowed
    if fr >= 4.0 and en < 2.5 and fr - en >= 2.5:
        return "strong"  # "gouvernement", "jeudi": common in French, rare in English
    return None


@lru_cache(maxsize=4096)
def french_runs(text: str) -> tuple[tuple[int, int, int], ...]:
    """(start, end, n_words) of each run of French words in ``text`` (offsets into ``text``)."""
    masked = [(m.start(), m.end()) for m in _LOAN_RE.finditer(text.replace("’", "'"))]
    runs: list[tuple[int, int, int]] = []
    cur: list[tuple[int, int, str]] = []

    def close(next_word: str | None) -> None:
        while cur and cur[-1][2] == "cont":
            cur.pop()
        kinds = [k for *_, k in cur]
        weak = {text[a:b].lower() for a, b, k in cur if k == "weak"}
        if "strong" in kinds or (
            # two weak words are French unless they introduce a name ("de la Rosa")
            kinds.count("weak") >= 2 and len(weak) >= 2 and not (next_word or " ")[0].isupper()
        ):
            runs.append((cur[0][0], cur[-1][1], len(cur)))
        cur.clear()

    j = 0  # masked phrases and words both come in text order: skip the phrases passed
    for m in WORD.finditer(text):
        while j < len(masked) and masked[j][1] <= m.start():
            j += 1
        kind = None
        if not (j < len(masked) and masked[j][0] < m.end()):
            kind = _french_kind(text, m)
        gap = text[cur[-1][1] : m.start()].strip() if cur else ""
        if cur and (kind is None or gap):
            close(None if gap else m.group())
        if kind and (cur or kind != "cont"):
            cur.append((m.start(), m.end(), kind))
    close(None)
    return tuple(runs)


class UntranslatedFrench(Check):
    """French words or phrases left in the English text (names and loanwords excepted)."""

    id = "untranslated-french"
    machine = False  # the "le" of __le__, the "environ" of os.environ: no French
    severity = "major"
    score = 0.85

    def find(self, text: str, source: str | None = None) -> Iterator[Hit]:
        """Each run of French words: ``major`` for two or more words, ``minor`` for one."""
        for s, e, n in french_runs(text):
            severity: Severity = "major" if n > 1 else "minor"
            yield Hit(s, e, f"French left untranslated: {text[s:e]!r}", severity)
