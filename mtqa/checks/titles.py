"""Titles of works the target keeps in quotes, as the source quotes them.

A translation keeps a book's, a film's or a song's title as it was published (*the novel
"Les Misérables"*, *the film "Le fabuleux destin d'Amélie Poulain"*): its French words are
no French left in. :func:`kept_titles` finds them: a quoted stretch of the target whose
text is, letter for letter, that of a quoted stretch of the source (``« … »``, ``“ … ”``,
``" … "``, ``„ … “``, ``‘ … ’``, ``' … '``; the spaces inside the marks and the
apostrophe's form aside), that reads as a title: it starts with a capital (French
capitalises a title's first word) and holds no sentence's end (``.``, ``!``, ``?``,
``…``), and a noun naming a work stands right before it in either text (*le roman*,
*the film*: ``work_nouns`` in ``mtqa/data/words/french.toml``) or it holds no subject
pronoun (*je*, *il*, *nous*…: a quoted clause, most often speech). Speech kept in French
(*He said "je suis fatigué"*, *"Je suis fatigué et je rentre", he said*) is no title, and
is still flagged.

``src-french`` and ``src-copy`` leave a kept title's words alone, and so, where a source is
given, does the target check ``untranslated-french`` (:mod:`mtqa.checks.document`).
"""

from __future__ import annotations

import re
import unicodedata

from mtqa.checks.french import WORK_NOUNS, fold
from mtqa.text import HYPHEN_WORD

#: a quoted stretch: its opening mark, its text, its closing mark (a closing ``’`` not
#: followed by a letter: the apostrophe of *d’Amélie* is inside). A straight ``'`` is
#: also an apostrophe, so it quotes only where it cannot be one: it opens after no letter,
#: digit or quote and before a letter (not *l'Europe*, *don't*, *the '90s*), closes after
#: no space and before no letter or digit (not *Chris' car* inside a quote: a ``'``
#: inside is only one between two letters, *'L'Étranger'*, *'Le destin d'Amélie'*)
_QUOTED = re.compile(
    r"«(?P<a>[^«»\n]+)»|“(?P<b>[^“”\n]+)”|\"(?P<c>[^\"\n]+)\"|„(?P<d>[^„“”\n]+)[“”]"
    r"|‘(?P<e>[^‘\n]+?)’(?![^\W\d_])"
    r"|(?<![\w'’‘])'(?P<f>[^\W\d_](?:[^'\n]|(?<=[^\W\d_])'(?=[^\W\d_]))*?)"
    r"(?<=\S)'(?!\w)"
)
_SPACE = re.compile(r"[\s\u00a0\u202f]+")
#: a clause's subject: a quote holding one is speech unless a work noun names it
_PRONOUNS = frozenset({"je", "j", "tu", "il", "elle", "nous", "vous", "ils", "elles", "on"})
_SENTENCE_END = re.compile(r"[.!?…]")
#: the two words before an opening mark (*le roman*, *the 1862 novel*)
_BEFORE = re.compile(rf"(?:({HYPHEN_WORD.pattern})\W+)?({HYPHEN_WORD.pattern})\W*$")


def _inner(text: str) -> str:
    """A quote's text as compared: NFC, the spaces inside the marks off, runs of spaces as
    one, the apostrophe as ``'``."""
    nfc = unicodedata.normalize("NFC", text)
    return _SPACE.sub(" ", nfc).strip().replace("’", "'")


def _quotes(text: str) -> list[tuple[int, int, str]]:
    """Each quoted stretch of ``text``: where it starts and ends (the marks included) and its
    text as compared (:func:`_inner`)."""
    out = []
    for m in _QUOTED.finditer(text):
        inner = next(g for g in m.groups() if g is not None)
        out.append((m.start(), m.end(), _inner(inner)))
    return out


def quoted(text: str) -> bool:
    """Whether ``text`` holds a quoted stretch, in any of the marks :data:`_QUOTED` reads
    (``'Le Monde'`` and ``‘Le Monde’`` too; an apostrophe is none)."""
    return _QUOTED.search(text) is not None


def _after_work_noun(text: str, start: int) -> bool:
    """Whether a noun naming a work stands in the two words before ``text[start]``."""
    m = _BEFORE.search(text[:start])
    return m is not None and any(fold(w) in WORK_NOUNS for w in m.groups() if w)


def _no_clause(inner: str) -> bool:
    """Whether a quote's text holds no subject pronoun: no quoted clause (module doc)."""
    return not {fold(w) for w in re.findall(r"[^\W\d_]+", inner)} & _PRONOUNS


def kept_titles(text: str, source: str) -> list[tuple[int, int]]:
    """The ``(start, end)`` in ``text`` (a target) of each quoted title kept as the source
    quotes it, the quotation marks included (module doc)."""
    src: dict[str, bool] = {}
    for a, _, inner in _quotes(source):
        src[inner] = src.get(inner, False) or _after_work_noun(source, a)
    out = []
    for a, b, inner in _quotes(text):
        if inner not in src or not inner[:1].isupper() or _SENTENCE_END.search(inner):
            continue
        if src[inner] or _after_work_noun(text, a) or _no_clause(inner):
            out.append((a, b))
    return out


def inside(spans: list[tuple[int, int]], start: int, end: int) -> bool:
    """Whether ``[start, end)`` lies within one of ``spans``."""
    return any(a <= start and end <= b for a, b in spans)
