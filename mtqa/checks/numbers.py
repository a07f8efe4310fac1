"""The source check ``src-numbers``: numbers, dates and times on one side only.

Both sides are read into :class:`~mtqa.checks.quantity.Quantity` keys, so ``13 000``,
``13,000`` and ``13 000`` agree, ``14h30`` equals ``2:30 pm``, ``mai`` equals ``May`` and
number words count (``deux`` = ``two`` = ``2``; ``four`` for ``drei`` is flagged). The
source is read in its own language (:func:`mtqa.checks.language.profile`):

* **any script**: digits next to letters of scripts without spaces (``的90%``,
  ``2022年``), full-width digits (``５月２０日``); a scale word after a number adds its
  scaled value (``26,8 millions``, ``3 Mrd.``, ``5 млн``: both readings are kept, since
  English may write ``26.8 million`` or ``26,800,000``);
* **Chinese, Japanese, Korean**: multipliers, dates, hours and numerals
  (:mod:`mtqa.checks.cjk`);
* **months and number words** of French, German, Spanish, Italian, Portuguese, Dutch and
  (months only) Czech, Polish, Russian and Ukrainian (``mtqa/data/words/languages.toml``).

On the English side ``26.8 million``, ``1.2 billion`` and ``thirty-two`` or ``three
million`` give their values too. **What cannot be checked is not flagged**: a *support*
quantity (a numeral, a day of the month, a number word) never counts as missing from the
target, and a target quantity is not flagged when the source may hold it in a form not
read: a month when the source language's months are unknown (or a Chinese source gives a
day without its month: "25日" → "July 25"), a whole number or a half up to 12 when its
number words are unknown (``5.7`` is flagged, ``2.5`` not), a year when a Chinese source
says "this year" (今年), a decade (``1960s``), a number glued to a name (``COVID-19``,
``G20``), a month abbreviation away from a number (``Mar`` the town).

A number both sides share is flagged ``minor`` when the English writes an amount of five
digits or more without a separator (``150000`` for ``15万``: MQM's locale-convention
error; on WMT21 zh→en news, 250 of the 257 such target numbers lie in a rater's span),
and when it keeps the source's format: a decimal comma (``1,5`` for ``1,5 %``) or a
thousands dot, which English reads as a decimal point (``1.500 euros`` for ``1 500 euros``
is 1.5 euros to an English reader).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import replace
from functools import lru_cache

from mtqa.checks import cjk
from mtqa.checks.base import Check, Hit
from mtqa.checks.french import EN_MONTHS, FR_MONTHS, fold
from mtqa.checks.language import Profile, profile
from mtqa.checks.quantity import (
    Quantity,
    dates,
    dotted_label,
    durations,
    month_names,
    month_stems,
    narrow,
    num_key,
    numbers,
    taken_by,
    times,
)
from mtqa.data import word_lists
from mtqa.machine import machine_tokens

_FR_MONTH = {fold(m): i for i, m in enumerate(FR_MONTHS, 1)}
_EN_MONTH = {m.lower(): i for i, m in enumerate(EN_MONTHS, 1)}
_EN_ABBREVIATED = {
    m.lower()[:3]: i for i, m in enumerate(EN_MONTHS, 1) if m.lower()[:3] not in _EN_MONTH
} | {"sept": 9}
_EN_TENS = "twenty thirty forty fifty sixty seventy eighty ninety".split()
_EN_NUMBER_WORDS = (
    {
        w: i
        for i, w in enumerate(
            "zero one two three four five six seven eight nine ten eleven twelve thirteen "
            "fourteen fifteen sixteen seventeen eighteen nineteen".split()
        )
    }
    | {w: 20 + 10 * i for i, w in enumerate(_EN_TENS)}
    | {
        f"{t}-{u}": 20 + 10 * i + j
        for i, t in enumerate(_EN_TENS)
        for j, u in enumerate("one two three four five six seven eight nine".split(), 1)
    }
    | {"first": 1, "second": 2, "third": 3, "half": 0.5, "dozen": 12, "hundred": 100}
    | {"a": 1, "an": 1, "single": 1, "once": 1, "twice": 2, "double": 2, "doubled": 2}
    | {"thrice": 3, "triple": 3, "tripled": 3, "fortnight": 14, "decade": 10, "century": 100}
)
_FR_NUMBER_WORDS = {
    fold(w): i
    for i, w in enumerate(
        "zéro un deux trois quatre cinq six sept huit neuf dix onze douze treize quatorze "
        "quinze seize dix-sept dix-huit dix-neuf vingt".split()
    )
} | {"premier": 1, "premiere": 1, "moitie": 0.5, "demi": 0.5, "douzaine": 12, "cent": 100}

_LISTS = word_lists("languages")
_SCALES: dict[str, int] = _LISTS["scales"]
_EN_SCALES = {
    "thousand": 3,
    "million": 6,
    "mln": 6,
    "billion": 9,
    "bn": 9,
    "bln": 9,
    "trillion": 12,
}
_NUMBER_WORDS: dict[str, dict[str, float]] = {
    "fr": _FR_NUMBER_WORDS,
    "en": _EN_NUMBER_WORDS,
    **{
        lang: {fold(w): i for i, w in enumerate(words)}
        for lang, words in _LISTS["number_words"].items()
    },
}
#: source languages whose months are read (for the others a target month is not flagged)
MONTH_LANGS = frozenset({"fr", "en", "zh", "ja", "ko", *_LISTS["months"]})
#: source languages whose small numbers are read when spelled out
SPELLED_LANGS = frozenset({*_NUMBER_WORDS, "zh", "ja"})
_GLUED = re.compile(r"[^\W\d_]-?$")  # "COVID-19", "G20": a number inside a name
_DECADE = re.compile(r"(?:\d{2})?\d0s\b|['’]\d0s\b")
_BARE = re.compile(r"\d{5,}")
_LEAD = re.compile(r"\d[\d.,]*\d|\d")
_DECIMAL_COMMA = re.compile(r"\d+,(?:\d{1,2}|\d{4,})")  # "1,5", "3,25": never "1,500"
_THOUSANDS_DOT = re.compile(r"\d{1,3}(?:\.\d{3})+")
_NEAR_NUMBER = re.compile(r"\.?\s?\d|\d\s?$")


def quantities(text: str, months: dict[str, int]) -> list[Quantity]:
    """Numbers (thousands separators normalised), times and month names in ``text``, in text
    order. ``months``: a month table (lower-case or accent-folded name → month; ``{}``: none)."""
    text = narrow(text)
    found = times(text)
    found += numbers(text, found) + month_names(text, months, folded=months is _FR_MONTH)
    return sorted(found, key=lambda q: q.start)


@lru_cache(maxsize=16)
def _month_stems(lang: str) -> tuple[tuple[str, bool, int], ...]:
    """(stem, whole word only, month) of ``lang``'s months, longest stem first."""
    stems = [
        (s.rstrip("$"), s.endswith("$"), i)
        for i, forms in enumerate(_LISTS["months"].get(lang, ()), 1)
        for s in forms
    ]
    return tuple(sorted(stems, key=lambda x: -len(x[0])))


def _words_as_numbers(text: str, table: dict[str, float], scales: dict[str, int]) -> set[str]:
    """Keys of the number words of ``text`` (``three million``: 3 and 3e6)."""
    keys = set()
    words = re.findall(r"[^\W\d_]+(?:-[^\W\d_]+)*", fold(text))
    words = [p for w in words for p in (w, *w.split("-")[: 3 if "-" in w else 0])]
    for i, w in enumerate(words):  # (a text without a word, "2021" or "%s", has none)
        nxt = words[i + 1] if i + 1 < len(words) else ""
        if w in table:
            keys.add(num_key(table[w]))
            if nxt in scales:
                keys.add(num_key(table[w] * 10 ** scales[nxt]))
            if f"{w}-{nxt}" in table:  # "thirty two"
                keys.add(num_key(table[f"{w}-{nxt}"]))
    return keys


class Source:
    """A source unit read for comparison: its quantities, every key that may stand for a
    number in it, and what it lets the target add unflagged."""

    def __init__(self, source: str, prof: Profile) -> None:
        self.prof = prof
        text = narrow(source)
        found: list[Quantity] = []
        self.relative_year = self.month_implied = False
        if prof.cjk:
            reading = cjk.read(text)
            found = reading.quantities
            self.relative_year, self.month_implied = reading.relative_year, reading.month_implied
        found += [d for d in dates(text) if not taken_by(found, d.start)]
        for t in times(text):  # "晚7:30": the evening word before it is not read
            if not taken_by(found, t.start):
                pm = {f"t:{int(k.split(':')[1]) + 12}:{k.split(':')[2]}" for k in t.keys}
                found.append(Quantity(t.start, t.end, t.text, t.keys | pm if prof.cjk else t.keys))
        lang = prof.lang or ""
        scales = _SCALES | _LISTS["long_scale"].get(lang, {})
        found += numbers(text, found, {} if prof.cjk else scales)
        if lang in ("fr", "en"):
            table = _EN_MONTH if lang == "en" else _FR_MONTH
            found += month_names(text, table, folded=table is _FR_MONTH)
        elif lang in _LISTS["months"]:
            found += month_stems(text, _month_stems(lang))
        self.quantities = sorted(found, key=lambda q: q.start)
        self.keys = set().union(*(q.keys for q in found)) | _words_as_numbers(
            source, _NUMBER_WORDS.get(lang, {}), scales
        )

    def counts_as_amount(self, q: Quantity) -> bool:
        """Whether the target's bare ``q`` (``150000``) is an amount of this source that
        English writes with a separator (``150,000``): 5 digits or more (4-digit numbers
        go without a comma in several house styles, and are often years or names)."""
        return len(q.text) >= 5 and any(p.keys & q.keys and not p.support for p in self.quantities)

    def allows(self, q: Quantity) -> bool:
        """Whether a target quantity this source lacks may be flagged (see the module doc)."""
        if q.support:
            return False
        lang = self.prof.lang or ""
        if any(k.startswith("m:") for k in q.keys):
            return lang in MONTH_LANGS and not self.month_implied
        values = [float(k[2:]) for k in q.keys if k.startswith("n:")]
        if self.relative_year and any(1900 <= v <= 2100 for v in values):
            return False
        # a number up to 12 may be a number word not read; a decimal one (5.7) cannot,
        # but a half may ("two and a half", "חצי": 2.5, 0.5)
        return lang in SPELLED_LANGS or not all(v <= 12 and (2 * v).is_integer() for v in values)


def read_target(target: str) -> tuple[list[Quantity], set[str]]:
    """The English target's quantities (``support`` where the source may say it otherwise)
    and every key in it, number words included."""
    text = narrow(target)
    found = dates(text)
    found += [d for d in durations(text) if not taken_by(found, d.start)]
    found += [t for t in times(text) if not taken_by(found, t.start)]
    found += numbers(text, found, _EN_SCALES) + month_names(text, _EN_MONTH, capital=True)
    for q in month_names(text, _EN_ABBREVIATED, capital=True):
        near = _NEAR_NUMBER.match(text, q.end) or _NEAR_NUMBER.search(text[: q.start])
        found.append(Quantity(q.start, q.end, q.text, q.keys, not near))
    marked = []
    for q in sorted(found, key=lambda q: q.start):
        glued = bool(_GLUED.search(text[max(0, q.start - 2) : q.start]))
        decade = bool(_DECADE.match(text, q.start))
        marked.append(replace(q, support=q.support or glued or decade))
    keys = set().union(*(q.keys for q in marked))
    return marked, keys | _words_as_numbers(target, _EN_NUMBER_WORDS, _EN_SCALES)


def _locale_format(
    q: Quantity, source_keys: frozenset[str] | set[str], text: str
) -> tuple[str, str] | None:
    """(the number, the reason) when the English ``q`` (of ``text``) keeps the source's
    number format: a decimal comma (``1,5`` for ``1,5``) or a thousands dot that English
    reads as a decimal point (``1.500`` for ``1 500``: 1.5 to an English reader; not an
    address, a version or a section: :func:`~mtqa.checks.quantity.dotted_label`); None
    otherwise."""
    lead = _LEAD.match(q.text)
    if lead is None:
        return None
    num = lead.group()
    if _DECIMAL_COMMA.fullmatch(num) and num_key(float(num.replace(",", "."))) in source_keys:
        fixed = num.replace(",", ".")
        return num, f"number format: {num!r} has a decimal comma (English writes {fixed})"
    if dotted_label(text, q.start, q.start + len(num)):
        return None
    if _THOUSANDS_DOT.fullmatch(num) and num_key(float(num.replace(".", ""))) in source_keys:
        fixed = f"{int(num.replace('.', '')):,}"
        if num.count(".") == 1 and num_key(float(num)) not in source_keys:
            return num, f"number format: {num!r} reads as {float(num):g} in English (write {fixed})"
        if num.count(".") > 1:
            return num, f"number format: {num!r} has dots for thousands (English writes {fixed})"
    return None


def _value(q: Quantity) -> str:
    """The scaled value of ``q`` in digits (``3,000,000,000``; the smallest reading)."""
    v = min(float(k[2:]) for k in q.scaled)
    return f"{v:,.0f}" if v == int(v) else f"{v:,}"


def _masked(text: str) -> str:
    """``text`` with its machine tokens blanked, same length (:func:`mtqa.machine.machine_tokens`:
    the ``1`` of ``%1$s``, a hash's or a URL's digits are no quantity)."""
    parts, pos = [], 0
    for a, b in machine_tokens(text):  # in order, not overlapping: one pass
        parts += [text[pos:a], " " * (b - a)]
        pos = b
    return "".join(parts) + text[pos:]


class Numbers(Check):
    """Numbers, dates and times on one side only ('13 000' = '13,000' = '13 000')."""

    id = "src-numbers"
    score = 0.8
    needs_source = True

    def find(self, text: str, source: str | None) -> Iterator[Hit]:
        """A target quantity the source lacks (``major`` when the source has another one
        instead, which its reason names), and, on the whole unit, a source quantity the
        target lacks when no target quantity is flagged."""
        assert source is not None  # Check.check runs a source check only with a source
        source, text = _masked(source), _masked(text)
        src = Source(source, profile(source))
        tgt, tgt_keys = read_target(text)
        missing = [q for q in src.quantities if not q.support and not q.keys & tgt_keys]
        extra = [q for q in tgt if not q.keys & src.keys and src.allows(q)]
        for q in extra:
            hint = (
                f" (the source has {', '.join(repr(m.text) for m in missing)})" if missing else ""
            )
            reason = f"target has {q.text!r}, the source does not{hint}"
            yield Hit(q.start, q.end, reason, "major" if missing else "minor")
        for q in tgt:  # "3 million" for "3 milliards": the digits agree, the scale does not
            if q in extra or q.support or q.scaled & src.keys:
                continue
            other = [s for s in src.quantities if s.scaled and (s.keys - s.scaled) & q.keys]
            if not q.scaled:  # "3 euros" for "3 milliards d'euros": the scale word dropped
                plain = any(not s.scaled and s.keys & q.keys for s in src.quantities)
                other = [] if plain else [s for s in other if not s.scaled & tgt_keys]
            if other:
                said = f"target has {q.text!r}, the source has {other[0].text!r}"
                reason = (
                    f"{said}: {_value(q)} against {_value(other[0])}"
                    if q.scaled
                    else f"{said} ({_value(other[0])}): the scale word is missing"
                )
                yield Hit(q.start, q.end, reason, "major")
        yield from _spelled_hits(text, source, src, tgt_keys)
        if not extra:  # else the located spans name the source's numbers (one fault, one span)
            for q in missing:
                yield self.whole(text, f"source has {q.text!r}, the target does not")
        yield from _format_hits(text, tgt, extra, src)


_SPELLED = re.compile(r"[^\W\d_]+")


def _spelled(text: str, table: dict[str, float]) -> list[tuple[int, int, str, float]]:
    """``(start, end, word, value)`` of the number words of ``text`` from two to nineteen
    (not *one*, *un*, *ein*: also an article)."""
    found = []
    for m in _SPELLED.finditer(text):
        v = table.get(fold(m.group()))
        if v is not None and 2 <= v <= 19 and v == int(v):
            found.append((m.start(), m.end(), m.group(), v))
    return found


def _spelled_hits(text: str, source: str, src: Source, tgt_keys: set[str]) -> Iterator[Hit]:
    """``major`` on an English number word (``four``) where a source in a language whose
    number words are read has another one (``drei``) the target lacks: both must be
    unmatched, so ``three`` for ``3`` or ``drei`` for ``three`` never fires."""
    lang = src.prof.lang or ""
    if lang == "en" or lang not in _NUMBER_WORDS:
        return
    lost = [w for _, _, w, v in _spelled(source, _NUMBER_WORDS[lang]) if num_key(v) not in tgt_keys]
    if not lost:
        return
    for a, b, word, v in _spelled(text, _EN_NUMBER_WORDS):
        if num_key(v) not in src.keys:
            yield Hit(a, b, f"target has {word!r}, the source has {lost[0]!r}", "major")


def _format_hits(
    text: str, tgt: list[Quantity], extra: list[Quantity], src: Source
) -> Iterator[Hit]:
    """``minor`` number-format hits on target numbers (of ``text``) the source shares (the
    module doc)."""
    for q in tgt:
        if _BARE.fullmatch(q.text) and not q.support and src.counts_as_amount(q):
            reason = (
                f"number format: {q.text!r} has no thousands separator "
                f"(English writes {int(q.text):,})"
            )
            yield Hit(q.start, q.end, reason, "minor")
        elif not q.support and q not in extra and (found := _locale_format(q, src.keys, text)):
            yield Hit(q.start, q.start + len(found[0]), found[1], "minor")
