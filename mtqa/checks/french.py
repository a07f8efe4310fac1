"""French word lists of the checks (``mtqa/data/words/french.toml``), and :func:`fold`.

The lists are data, read once on import: edit the TOML file, not this module. Names
follow the file; see its comments for what each list is for.
"""

from __future__ import annotations

import unicodedata

from mtqa.data import word_lists


def fold(text: str) -> str:
    """Case- and accent-insensitive form: 'Élysée' → 'elysee'."""
    nfd = unicodedata.normalize("NFD", text.casefold())
    return "".join(c for c in nfd if not unicodedata.combining(c)).replace("œ", "oe")


_LISTS = word_lists("french")

FR_MONTHS: tuple[str, ...] = tuple(_LISTS["fr_months"])
EN_MONTHS: tuple[str, ...] = tuple(_LISTS["en_months"])
FRENCH_WORDS = frozenset(_LISTS["french_words"])
ENGLISH_WITH_ACCENTS = frozenset(_LISTS["english_with_accents"])


def _demonym_forms(stem: str) -> tuple[str, ...]:
    """The masculine singular ``stem`` (folded) and its plural and feminine forms."""
    if stem.endswith(("ais", "ois")):  # francais, chinois: the same in the plural
        return stem, stem + "e", stem + "es"
    if stem.endswith("e"):  # russe, belge, suisse
        return stem, stem + "s"
    if stem.endswith("al"):  # occidental, occidentaux
        return stem, stem[:-2] + "aux", stem + "e", stem + "es"
    if stem.endswith("c"):  # grec, turc: grecque, turque
        fem = stem + "que" if stem == "grec" else stem[:-1] + "que"
        return stem, stem + "s", fem, fem + "s"
    return stem, stem + "s", stem + "e", stem + "es"


EXONYMS: dict[str, tuple[str, ...]] = {k: tuple(v) for k, v in _LISTS["exonyms"].items()}
EXONYMS |= {
    form: tuple(english)
    for stem, english in _LISTS["demonyms"].items()
    for form in _demonym_forms(stem)
    if form not in EXONYMS
}
SUFFIXES: tuple[tuple[str, str], ...] = tuple((a, b) for a, b in _LISTS["suffixes"])
FRENCH_STARTERS = frozenset(fold(w) for w in _LISTS["french_starters"])
ORDINARY_EXONYMS = frozenset(_LISTS["ordinary_exonyms"])
WORK_NOUNS = frozenset(fold(w) for w in _LISTS["work_nouns"])
FR_STRONG = frozenset(_LISTS["fr_strong"])
FR_PARTICLES = frozenset(_LISTS["fr_particles"])
FR_WEAK = frozenset(_LISTS["fr_weak"])
LOANWORDS = ENGLISH_WITH_ACCENTS | frozenset(_LISTS["loanwords"])
LOAN_PHRASES: tuple[str, ...] = tuple(_LISTS["loan_phrases"])
FRENCH_ACCENTS: str = _LISTS["french_accents"]
