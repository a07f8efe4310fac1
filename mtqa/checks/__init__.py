"""Deterministic checks: one :class:`~mtqa.checks.base.Check` interface, one registry.

``CHECKS`` maps a check id to its instance (a span's ``source`` is ``rule:<id>``);
:data:`TARGET_CHECKS` see one sentence of the target, :data:`SOURCE_CHECKS` (those with
``needs_source``) see an aligned unit of target and source. How they are applied to a
document is :mod:`mtqa.checks.document`.

========================  ======================================  =====================
module                    checks                                  sees
========================  ======================================  =====================
``target``                typography, joins, quotes, repeats,     a sentence
                          ``replacement-char`` (U+FFFD)
``untranslated``          ``untranslated-french``                 a sentence
``calque``                ``calque`` (French constructions)       a sentence
``nonword``               ``non-word``                            a sentence
``spelling``              ``spelling`` (Hunspell en_US, spylls)   a sentence
``numbers``               ``src-numbers``                         target + source unit
``source``                copies, French left, length, brackets   target + source unit
``names``                 ``src-names``                           target + source unit
``glossary``              ``glossary-missing``,                   target + source unit,
                          ``glossary-forbidden`` (``--glossary``) a sentence
========================  ======================================  =====================

The source checks read the source in its own language and script: :mod:`mtqa.checks.language`
(script and language guess), :mod:`mtqa.checks.quantity` and :mod:`mtqa.checks.cjk`
(numbers, dates and times as each language writes them).

The false-friend list (:mod:`mtqa.checks.false_friends`) is data, not a check: the LM judges
its words (:mod:`mtqa.confusion`), and the spelling check leaves them to it.

The glossary checks are built per glossary file, so they are not in ``CHECKS``:
:func:`mtqa.checks.document.target_spans` and :func:`~mtqa.checks.document.source_checks`
take the loaded glossary. Where ``spelling`` and ``non-word`` flag the same word, the
document keeps ``spelling`` (its reason has the suggestion).
"""

from __future__ import annotations

from mtqa.checks.base import Check
from mtqa.checks.calque import FrenchCalque
from mtqa.checks.names import Names
from mtqa.checks.nonword import NonWord
from mtqa.checks.numbers import Numbers
from mtqa.checks.source import Brackets, Copy, FrenchLeft, Length
from mtqa.checks.spelling import Spelling
from mtqa.checks.target import (
    DATE_CASE,
    FRENCH_NUMBERS,
    FRENCH_SPACING,
    GUILLEMETS,
    ORPHAN_QUOTE,
    PUNCT_SPACING,
    STRAY_PERIOD,
    BrokenJoin,
    FrenchTitle,
    QuoteSpacing,
    RepeatedWord,
    ReplacementChar,
)
from mtqa.checks.untranslated import UntranslatedFrench

CHECKS: dict[str, Check] = {
    c.id: c
    for c in (
        FRENCH_SPACING,
        GUILLEMETS,
        FRENCH_NUMBERS,
        FrenchTitle(),
        DATE_CASE,
        PUNCT_SPACING,
        STRAY_PERIOD,
        BrokenJoin(),
        QuoteSpacing(),
        ORPHAN_QUOTE,
        RepeatedWord(),
        NonWord(),
        Spelling(),
        UntranslatedFrench(),
        FrenchCalque(),
        ReplacementChar(),
        Numbers(),
        Copy(),
        FrenchLeft(),
        Length(),
        Names(),
        Brackets(),
    )
}
#: checks the LM confirms (:mod:`mtqa.confusion`): not in ``CHECKS`` (they need the scorer)
FALSE_FRIEND = "false-friend"
PREPOSITION = "preposition"
MISSING_WORD = "missing-word"
AGREEMENT = "agreement"
EXTRA_WORD = "extra-word"
WORD_ORDER = "word-order"
TARGET_CHECKS: dict[str, Check] = {k: c for k, c in CHECKS.items() if not c.needs_source}
SOURCE_CHECKS: dict[str, Check] = {k: c for k, c in CHECKS.items() if c.needs_source}

__all__ = [
    "AGREEMENT",
    "CHECKS",
    "EXTRA_WORD",
    "FALSE_FRIEND",
    "MISSING_WORD",
    "PREPOSITION",
    "SOURCE_CHECKS",
    "TARGET_CHECKS",
    "WORD_ORDER",
    "Check",
]
