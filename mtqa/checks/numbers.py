"""The source check ``src-numbers``: numbers, dates and times on one side only.

Both sides are read into :class:`Quantity` keys, so ``13 000``, ``13,000`` and
``13 000`` agree, ``14h30`` equals ``2:30 pm``, ``mai`` equals ``May`` and number
words count (``deux`` = ``two`` = ``2``).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from mtqa.checks.base import Check, Hit
from mtqa.checks.french import EN_MONTHS, FR_MONTHS, fold

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
_FR_MONTH = {fold(m): i for i, m in enumerate(FR_MONTHS, 1)}
_EN_MONTH = {m.lower(): i for i, m in enumerate(EN_MONTHS, 1)}
_EN_MONTH |= {m.lower()[:3]: i for i, m in enumerate(EN_MONTHS, 1)} | {"sept": 9}
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
    """A number, time or month in a text, with every reading of it as a key."""

    start: int
    end: int
    text: str
    keys: frozenset[str]  # every reading ("1,250" is 1250 in English, 1.25 in French)


def _num_key(x: float) -> str:
    return f"n:{x:g}"


def _times(text: str) -> list[Quantity]:
    out = []
    for m in _TIME.finditer(text):
        hour = m.group("h") if m.group("h") is not None else m.group("h2")
        h = int(hour)
        minute = m.group("m") or m.group("mc") or m.group("m2") or "00"
        ampm = (m.group("ampm") or "").lower()
        if ampm == "p" and h < 12:
            h += 12
        if ampm == "a" and h == 12:
            h = 0
        out.append(Quantity(m.start(), m.end(), m.group(), frozenset({f"t:{h}:{minute}"})))
    return out


def _numbers(text: str, taken: list[Quantity]) -> list[Quantity]:
    out = []
    for m in _NUMBER.finditer(text):
        if any(q.start <= m.start() < q.end for q in taken):
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
    return out


def _months(text: str, months: dict[str, int]) -> list[Quantity]:
    out = []
    for m in re.finditer(r"[^\W\d_]+\.?", text):
        word = m.group().rstrip(".")
        key = fold(word) if months is _FR_MONTH else word.lower()
        if months is _EN_MONTH and not word[0].isupper():
            continue  # "may", "march" the verbs
        if key in months:
            out.append(
                Quantity(m.start(), m.start() + len(word), word, frozenset({f"m:{months[key]}"}))
            )
    return out


def quantities(text: str, months: dict[str, int]) -> list[Quantity]:
    """Numbers (thousands separators normalised), times and month names in ``text``, in text
    order. ``months``: the month table of the text's language (``{}``: none)."""
    times = _times(text)
    out = times + _numbers(text, times) + _months(text, months)
    return sorted(out, key=lambda q: q.start)


def _words_as_numbers(text: str, table: dict[str, float]) -> set[str]:
    return {
        _num_key(table[w])
        for w in re.findall(r"[^\W\d_]+(?:-[^\W\d_]+)?", fold(text))
        if w in table
    }


class Numbers(Check):
    """Numbers, dates and times on one side only ('13 000' = '13,000' = '13 000')."""

    id = "src-numbers"
    score = 0.8
    needs_source = True

    def find(self, text: str, source: str | None) -> Iterator[Hit]:
        """A target quantity the source lacks (``major`` when the source has another one
        instead), and, on the whole unit, a source quantity the target lacks."""
        assert source is not None  # Check.check runs a source check only with a source
        src = quantities(source, _FR_MONTH)
        tgt = quantities(text, _EN_MONTH)
        src_keys = set().union(*(q.keys for q in src)) | _words_as_numbers(source, _FR_NUMBER_WORDS)
        tgt_keys = set().union(*(q.keys for q in tgt)) | _words_as_numbers(text, _EN_NUMBER_WORDS)
        missing = [q for q in src if not q.keys & tgt_keys]
        extra = [q for q in tgt if not q.keys & src_keys]
        for q in extra:
            hint = (
                f" (the source has {', '.join(repr(m.text) for m in missing)})" if missing else ""
            )
            reason = f"target has {q.text!r}, the source does not{hint}"
            yield Hit(q.start, q.end, reason, "major" if missing else "minor")
        for q in missing:
            yield self.whole(text, f"source has {q.text!r}, the target does not")
