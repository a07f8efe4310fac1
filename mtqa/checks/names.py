"""``src-names``: capitalised source names missing from the target, or transliterated.

French sources only (:mod:`mtqa.checks.language` guesses the language): the exonym table
and the inflections are French; German capitalises every noun, Slavic languages decline
names, and names in other scripts are transliterated (out of scope). A name is found in
the target case- and accent-blind, as itself, an exonym (``Genève`` → ``Geneva``) or with
a French ending made English (``Ukrainiens`` → ``Ukrainians``); a near spelling
(:func:`skeleton`) is a transliteration variant, flagged ``minor`` on the word.

A capital is evidence of a name only where the word's place does not explain it
(:func:`_by_position`: a line's or a sentence's start, after a colon or an opening quote, a
title-case line; ALL-CAPS only when shouted). There an ordinary French word is skipped
(:func:`_ordinary`: wordfreq's French frequency against its English one, the check's word
lists): *Bonjour à tous*, *Fichier*, *Cliquez ici*, *Manche perdue* (an exonym that is an
ordinary word too) are no names; *Kouleba* (rare), *Biden* (as common in English), *Genève*
(an exonym) and any capitalised word inside a sentence are. A title before a name (*Me*,
*Mᵐᵉ*, *Monsieur*) never is.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Iterator

from mtqa.checks.base import Check, Hit
from mtqa.checks.french import (
    EXONYMS,
    FR_STRONG,
    FR_WEAK,
    FRENCH_STARTERS,
    FRENCH_WORDS,
    ORDINARY_EXONYMS,
    SUFFIXES,
    fold,
)
from mtqa.checks.language import profile
from mtqa.checks.lexicon import zipf
from mtqa.text import HYPHEN_WORD, abbreviation_kind

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


#: a word this common in French (wordfreq's Zipf scale: 3 is once per million words, about
#: the 32,000th word) whose French frequency is ``FRENCH_MARGIN`` above its English one (ten
#: times) is an ordinary word where only its position capitalises it: *Cliquez* 3.85 / 0,
#: *Fichier* 4.10 / 0, *Merci* 5.62 / 2.78, *Prix* 5.59 / 3.76. A name is usually written
#: alike in English, so English text knows it about as well: *Biden* 3.03 / 3.86, *Lopez*
#: 3.78 / 3.79, *Trump* 4.40 / 4.93 stay names there.
COMMON_FRENCH = 3.0
FRENCH_MARGIN = 1.0
#: a word this common in French (its 843 commonest) is ordinary there whatever English
#: does: *Attention*, *Important*, *Conditions* (and *Paris*, *France*, *Europe*: names,
#: but usually kept as they are in English, so rarely missing)
VERY_COMMON_FRENCH = 5.0

#: the check's own lists of French words (articles, pronouns, adverbs...)
_LISTED = frozenset(fold(w) for w in FRENCH_WORDS | FR_STRONG | FR_WEAK)
_SPACE = " \t\u00a0\u202f"
#: before a word at the start of its line: spaces, opening quotes or brackets, dashes,
#: bullets, or an enumerator (``1.``, ``2)``, ``a)``; not ``M.``: *M. Macron*)
_LINE_START = re.compile(
    rf"^[{_SPACE}\"'«“‘(\[—–\-•*·▪‣►]*(?:(?:\d{{1,3}}[.)]|[a-z]\))[{_SPACE}]+)?$"
)
#: before a word after a sentence's end or a colon (closing and opening quotes between)
_AFTER_STOP = re.compile(rf"([.!?:…])[{_SPACE}\"'«»“”‘’()\[\]—–\-]*$")
#: before a word right after an opening quote (not an elision's apostrophe: *l'ONU*)
_AFTER_QUOTE = re.compile(rf"(?:^|[{_SPACE}(\[—–\-])[\"'«“‘][{_SPACE}]*$")


def _line(source: str, start: int) -> tuple[int, str]:
    """Where the line holding ``source[start]`` begins, and the line."""
    begin = source.rfind("\n", 0, start) + 1
    end = source.find("\n", start)
    return begin, source[begin : end if end >= 0 else len(source)]


def _is_caps(word: str) -> bool:
    return len(word) >= 2 and word.isupper()


def _title_heading(line: str) -> bool:
    """A line in title case: two or more words of 4+ letters, all capitalised
    (*Conditions Générales d'Utilisation*, *Paramètres Avancés*; a short UI string such as
    *Cliquez sur Enregistrer* too)."""
    long = [w for w in _WORD.findall(line) if len(w) >= 4]
    return len(long) >= 2 and all(w[0].isupper() for w in long)


def _shouted(source: str, m: re.Match[str]) -> bool:
    """An ALL-CAPS word written in capitals for emphasis, not an acronym: its line is all
    capitals (*AVERTISSEMENT*, *CONDITIONS GÉNÉRALES*), an ALL-CAPS word stands next to it
    (*NE PAS TOUCHER*), or it opens its line as a label (*ATTENTION :*, *IMPORTANT !*).
    A lone one inside a sentence is an acronym: *l'ONU*, *la SNCF*."""
    begin, line = _line(source, m.start())
    words = [w for w in _WORD.finditer(line) if len(w.group()) >= 2]
    if all(_is_caps(w.group()) for w in words):
        return True
    k = next(i for i, w in enumerate(words) if w.start() == m.start() - begin)
    if any(_is_caps(words[j].group()) for j in (k - 1, k + 1) if 0 <= j < len(words)):
        return True
    after = line[m.end() - begin :].lstrip(_SPACE)
    return bool(_LINE_START.match(line[: m.start() - begin])) and after[:1] in (":", "!")


def _by_position(source: str, m: re.Match[str]) -> bool:
    """Whether only its place capitalises the word ``m``: it opens a line (a one-word UI
    string, a list item after its bullet), a sentence (not after an abbreviation or an
    initial: *M. Macron*), or what follows a colon or an opening quote; or its line is a
    title-case heading. An ALL-CAPS word counts only where it is shouted (:func:`_shouted`)."""
    if _is_caps(m.group()):
        return _shouted(source, m)
    begin, line = _line(source, m.start())
    before = line[: m.start() - begin]
    if _LINE_START.match(before) or _AFTER_QUOTE.search(before) or _title_heading(line):
        return True
    stop = _AFTER_STOP.search(before)
    return stop is not None and (
        stop.group(1) != "." or abbreviation_kind(source, begin + stop.start(1)) is None
    )


def _imperative_lemmas(low: str) -> tuple[str, ...]:
    """The infinitives a ``-ez`` form may be of (UI strings open with imperatives, often
    rarer than their verb: *sélectionnez* 2.72, *sélectionner* 3.62): ``-issez`` → ``-ir``,
    ``-ez`` → ``-er``, ``-dez`` → ``-dre`` (*attendez*)."""
    if not low.endswith("ez"):
        return ()
    out = [low[:-2] + "er"]
    if low.endswith("issez"):
        out.append(low[:-4] + "r")
    if low.endswith("dez"):
        out.append(low[:-2] + "re")
    return tuple(out)


def _common_french(low: str) -> bool:
    fr = zipf(low, "fr")
    return fr >= VERY_COMMON_FRENCH or (
        fr >= COMMON_FRENCH and fr >= zipf(low, "en") + FRENCH_MARGIN
    )


def _ordinary(word: str, lower_words: set[str]) -> bool:
    """Whether ``word``, capitalised, is an ordinary French word: the source has it in lower
    case too, or it is in the check's lists, or it (or the verb of a ``-ez`` form:
    :func:`_imperative_lemmas`) is common in French (:data:`COMMON_FRENCH`,
    :data:`FRENCH_MARGIN`, :data:`VERY_COMMON_FRENCH`). An exonym (*Genève*, as common in
    French as an ordinary word) is one only when the source has it in lower case too or it
    is listed as an ordinary word as well (:data:`~mtqa.checks.french.ORDINARY_EXONYMS`:
    *Manche*, a sleeve or a set; *Conseil*, advice)."""
    key = fold(word)
    if key in EXONYMS:
        return key in ORDINARY_EXONYMS or key in lower_words
    if key in lower_words or key in _LISTED:
        return True
    low = word.lower()
    return any(_common_french(w) for w in (low, *_imperative_lemmas(low)))


def _name_candidates(source: str) -> Iterator[re.Match[str]]:
    """The capitalised words of ``source`` that may be names: not a word that opens French
    sentences or a title (:data:`~mtqa.checks.french.FRENCH_STARTERS`; a title in its
    typographic form, superscript letters, as its letters: *Mᵉ* is *Me*, *Mᵐᵉ* *Mme*), nor
    an ordinary word (:func:`_ordinary`) that only its position capitalises
    (:func:`_by_position`)."""
    lower_words = {fold(w) for w in _WORD.findall(source) if w[0].islower()}
    for m in _WORD.finditer(source):
        w = m.group()
        if not w[0].isupper() or len(w) < 2:
            continue
        if fold(unicodedata.normalize("NFKC", w)) in FRENCH_STARTERS:
            continue
        if _by_position(source, m) and _ordinary(w, lower_words):
            continue
        yield m


#: an acronym in brackets (``(FMI)``, ``(BnF)``: two capitals or more, up to 8 letters)
_BRACKETED_ACRONYM = re.compile(r"\(\s*([A-Z](?=[a-z]*[A-Z])[A-Za-z]{1,7})\s*\)")
#: at most this many lower-case words (of 2+ letters) between an acronym's bracket and the
#: capitalised word that opens its name (*Cour européenne des droits de l'homme (CEDH)*: 5)
NAME_TAIL = 5
#: lower-case words that join the capitalised words of a name (*Organisation des Nations
#: unies*, *Bibliothèque nationale de France*)
_NAME_LINKS = frozenset({"de", "des", "du", "d", "l", "la", "le", "les", "au", "aux"})


def _expanded_names(source: str, target: str) -> set[str]:
    """The folded source words of institutions' names given with their acronym in brackets
    (*Fonds monétaire international (FMI)*), and the acronym, when the target gives an
    acronym in brackets too (*International Monetary Fund (IMF)*, *Haute Autorité de santé
    (HAS)* → *French National Authority for Health (HAS)*): such a name is translated,
    its words and acronym need not be kept. Before its bracket a name is read back over
    lower-case words (:data:`NAME_TAIL` at most) to its capitalised words, and over those
    and the particles between them (:data:`_NAME_LINKS`), no further: *Macron a salué la
    Haute Autorité de santé (HAS)* gives *Haute* and *Autorité*; *l'Organisation des
    Nations unies (ONU)*, *Organisation* and *Nations*."""
    bracketed = _BRACKETED_ACRONYM.findall(target)
    out: set[str] = set()
    for k, m in enumerate(_BRACKETED_ACRONYM.finditer(source)):
        if k >= len(bracketed):
            break
        out.add(fold(m.group(1)))
        name: set[str] = set()
        tail, end = 0, m.start()
        for w in reversed(list(_WORD.finditer(source, 0, m.start()))):
            if re.search(r"[.;:!?,«»\"()]", source[w.end() : end]):
                break
            end = w.start()
            if w.group()[0].isupper():
                name.add(fold(w.group()))
            elif name and w.group() not in _NAME_LINKS:
                break
            elif not name and len(w.group()) >= 2 and (tail := tail + 1) > NAME_TAIL:
                break
        out |= name
    return out


def _has_phrase(folded_target: str, phrase: str) -> bool:
    """Whether ``phrase`` stands in ``folded_target`` as whole words; digits may follow it
    (``AF`` in ``AF447``, as the source's word regex reads it)."""
    return re.search(rf"(?<!\w){re.escape(phrase)}(?![^\W\d_])", folded_target) is not None


#: an English word this common (Zipf) is an ordinary word, so a near spelling of a source
#: name is its translation (*Organisation* → *Organization*, *Institut* → *Institute*,
#: *Défenseur* → *Defender*), not a transliteration to check
ENGLISH_WORD = 4.0


def established(name: str, english: str) -> bool:
    """Whether ``english``, a near spelling of the source's ``name``, is an established
    English form rather than a transliteration variant to check: a common English word
    (:data:`ENGLISH_WORD`), or a spelling English uses ten times as often as the source's
    (:data:`FRENCH_MARGIN`): *Poutine* → *Putin* (2.50 → 4.13), *Irlande* → *Ireland*,
    *Caire* → *Cairo*, *Guyane* → *Guiana* (1.54 → 2.94). A spelling English does not know
    (*Kuleba*, *Zelenski*: 0) stays a variant."""
    en = zipf(english, "en")
    return en >= ENGLISH_WORD or (en > 0 and en >= zipf(name, "en") + FRENCH_MARGIN)


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
        seen = _expanded_names(source, text)
        for m in _name_candidates(source):
            name = m.group()
            key = fold(name)
            if key in seen:
                continue
            seen.add(key)
            if (
                self._found(key, ftarget)
                or "-" in key
                and all(self._found(part, ftarget) for part in key.split("-"))
            ):  # a compound of names (Rio-Paris: from Rio to Paris)
                continue
            variant = self._variant(name, tnames)
            if variant is not None and established(name, variant.group()):
                continue
            if variant is None:
                yield self.whole(text, f"source name {name!r} is missing from the target")
                continue
            reason = (
                f"source name {name!r} spelled {variant.group()!r} (a transliteration variant: "
                "check the house spelling)"
            )
            yield Hit(variant.start(), variant.end(), reason, "minor", self.spelling_score)

    @staticmethod
    def _found(key: str, ftarget: str) -> bool:
        """Whether the folded name ``key`` is in the folded target: as itself, an exonym or
        with its French ending made English."""
        forms = (key, *EXONYMS.get(key, ()))
        forms += tuple(key[: -len(a)] + b for a, b in SUFFIXES if key.endswith(a))
        return any(_has_phrase(ftarget, f) for f in forms if f)

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
