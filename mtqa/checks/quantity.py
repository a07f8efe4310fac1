"""Numbers, times and month names in a text, read into comparable keys (for ``src-numbers``).

A :class:`Quantity` is where a number sits in a text and every reading of it as a key:
``n:<value>`` (a number), ``t:<hour>:<minute>`` (a time of day), ``m:<month>`` (a month
name, or the month of a numeric date: :func:`dates`). Two texts
agree on a quantity when they share a key, so ``13 000``, ``13,000`` and ``13 000`` agree
(``n:13000``), ``14h30`` equals ``2:30 pm`` (``t:14:30``) and ``1,250`` may be 1250 or 1.25.

The readers here serve every language; :mod:`mtqa.checks.cjk` adds what Chinese,
Japanese and Korean write differently, :mod:`mtqa.checks.numbers` picks per language.
Every reader works on :func:`narrow` text: full-width digits are digits, and offsets are
those of the text as given (the mapping is one character for one).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from mtqa.checks.french import fold
from mtqa.checks.language import CJK

# Full-width digits and marks → ASCII, one character for one (offsets are kept).
_NARROW = str.maketrans("０１２３４５６７８９．％：", "0123456789.%:")
# A currency code glued to a number ("USD11 billion"): read the number as if spaced.
_CURRENCY = re.compile(r"\b(?:USD|US|RMB|CNY|EUR|GBP|JPY|HKD|AUD|CAD|SGD|INR|KRW|CHF)(?=\d)")
#: no digit, no '.' or ',' and no letter of a spaced script right before a number; a CJK
#: character may be ("的90%", "2022年")
NOT_AFTER = rf"(?<![.,])(?<![^\W{CJK}])"

NUMBER = re.compile(
    rf"{NOT_AFTER}(?P<int>\d{{1,3}}(?P<sep>[ \u00a0\u202f,.'’])\d{{3}}(?!\d)"
    r"(?:(?P=sep)\d{3}(?!\d))*|\d+)(?:(?P<dec>[.,])(?P<frac>\d+))?(?![.,]?\d)"
)
TIME = re.compile(
    rf"{NOT_AFTER}(?:(?P<h>[01]?\d|2[0-4])\s?(?:h\s?(?P<m>[0-5]\d)?(?![^\W\d_])"
    r"|:\s?(?P<mc>[0-5]\d)|\.(?P<m2>[0-5]\d)(?=\s?[ap]\.?m))"
    r"|(?P<h2>1[0-2]|\d)(?=\s?[ap]\.?m\b))(?:\s?(?P<ampm>[ap])(?:\.m\.|m\b))?",
    re.IGNORECASE,
)
_SCALE_AFTER = re.compile(r"[\s\u00a0\u202f-]?([^\W\d_]+)\.?")  # "3 million", "3-million-euro"
#: short scale words English glues to an amount of money: "$3m", "€2.5bn", "£40k", "$3B"
_MONEY_SCALES = {"k": 3, "m": 6, "mn": 6, "b": 9, "bn": 9, "tn": 12}
_MONEY_SCALE = re.compile(rf"({'|'.join(_MONEY_SCALES)})\b", re.IGNORECASE)
_SUPPORT_AFTER = ("世纪", "世紀")  # "20世纪": the century, which English may say otherwise


@dataclass(frozen=True)
class Quantity:
    """A number, time or month in a text, with every reading of it as a key."""

    start: int
    end: int
    text: str
    keys: frozenset[str]  # every reading ("1,250" is 1250 in English, 1.25 in French)
    support: bool = False  # too loose a reading to report missing (numerals, name numbers)
    scaled: frozenset[str] = frozenset()  # the keys read with a scale word ("3 million": 3e6)


def num_key(x: float) -> str:
    """The key of the number ``x`` (6 significant digits: float noise does not count)."""
    return f"n:{x:g}"


def narrow(text: str) -> str:
    """``text`` with full-width digits and glued currency codes made readable, offsets kept."""
    text = text.translate(_NARROW)
    return _CURRENCY.sub(lambda m: " " * len(m.group()), text)


def taken_by(quantities: list[Quantity], pos: int) -> bool:
    """Whether ``pos`` lies inside one of ``quantities``."""
    return any(q.start <= pos < q.end for q in quantities)


def times(text: str) -> list[Quantity]:
    """Times of day: ``14h30``, ``2:30 pm``, ``2.30pm``, ``19: 54``, ``24:00`` (= 0:00)."""
    out = []
    for m in TIME.finditer(text):
        hour = m.group("h") if m.group("h") is not None else m.group("h2")
        h = int(hour)
        minute = m.group("m") or m.group("mc") or m.group("m2") or "00"
        ampm = (m.group("ampm") or "").lower()
        if ampm == "p" and h < 12:
            h += 12
        if ampm == "a" and h == 12 or h == 24:
            h = 0
        out.append(Quantity(m.start(), m.end(), m.group(), frozenset({f"t:{h}:{minute}"})))
    return out


#: a numeric date: day, month and year (``12/05/2023``, ``3.4.2021``, ``12-05-2023``; a
#: two-digit year only after ``/``: ``12/05/23``) or ISO year, month and day (``2023-05-12``)
DATE = re.compile(
    r"(?<![\d.,/-])(?:(?P<iy>\d{4})(?P<isep>[-/.])(?P<im>\d{1,2})(?P=isep)(?P<id>\d{1,2})"
    r"|(?P<d>\d{1,2})(?P<sep>[-/.])(?P<m>\d{1,2})(?P=sep)(?P<y>\d{4}|(?<=/)\d{2}))"
    r"(?![\d]|[.,/-]\d)"
)


def dates(text: str) -> list[Quantity]:
    """Numeric dates, each read as three quantities: its day (``n:``), month (``m:``) and
    year (``n:``; a two-digit year also as 20xx or 19xx). Day first (``12/05/2023`` is 12
    May, as most languages but English write it) unless the month would exceed 12
    (``05/13/2023``: the American order); a day over 31 is no date."""
    out = []
    for m in DATE.finditer(text):
        if m.group("iy"):
            parts = {"y": "iy", "m": "im", "d": "id"}
        else:
            parts = {"d": "d", "m": "m", "y": "y"}
            if int(m.group("m")) > 12 >= int(m.group("d")):
                parts["d"], parts["m"] = "m", "d"
        day, month = int(m.group(parts["d"])), int(m.group(parts["m"]))
        if not (1 <= month <= 12 and 1 <= day <= 31):
            continue
        year = m.group(parts["y"])
        years = {int(year)} if len(year) == 4 else {int(year), 2000 + int(year), 1900 + int(year)}
        keys = {
            "d": frozenset({num_key(day)}),
            "m": frozenset({f"m:{month}"}),
            "y": frozenset(num_key(y) for y in years),
        }
        for part, group in parts.items():
            a, b = m.span(group)
            out.append(Quantity(a, b, m.group(group), keys[part]))
    return sorted(out, key=lambda q: q.start)


#: a duration English writes with colons: a race time with hundredths (``4:02.50``) or
#: hours, minutes and seconds (``2:05:30``); a plain ``4:02`` stays a time of day
_DURATION = re.compile(
    r"(?<![\d.,:])(\d{1,2}):([0-5]\d)(?:(?::([0-5]\d))(?:[.,](\d{1,3}))?|[.,](\d{1,3}))(?![\d:])"
)


def durations(text: str) -> list[Quantity]:
    """Each part of a duration (:data:`_DURATION`) as a number, as French writes it (``4 min
    2 s 50``, ``2 h 05 min 30 s``: ``4``, ``2``, ``50``); its first two parts are also read
    as a time of day (``2 h 05``, ``14h30`` for ``14:30:00``), and a part ``00`` after them
    is support."""
    out = []
    for m in _DURATION.finditer(text):
        for g in range(1, 6):
            if m.group(g) is None:
                continue
            a, b = m.span(g)
            part = m.group(g)
            keys = {num_key(int(part))}
            if g <= 2:  # "14:30:00" for "14h30": hour and minute are a time of day too
                keys.add(f"t:{int(m.group(1))}:{m.group(2)}")
            if g >= 4:  # hundredths: "50" or ".50"
                keys.add(num_key(float(f"0.{part}")))
            out.append(Quantity(a, b, part, frozenset(keys), support=g > 1 and int(part) == 0))
    return out


def _scale(text: str, end: int, scales: dict[str, int]) -> tuple[int, int]:
    """The power of ten of the scale words right after ``text[:end]`` and where they end
    (``(0, end)``: none); two in a row multiply: ``mil millones``, ``thousand million``
    (10^9)."""
    power = 0
    for _ in range(2):
        m = _SCALE_AFTER.match(text, end)
        step = scales.get(m.group(1).lower(), 0) if m else 0
        if not m or not step:
            break
        power, end = power + step, m.end(1)
    return power, end


def numbers(
    text: str, taken: list[Quantity], scales: dict[str, int] | None = None
) -> list[Quantity]:
    """Numbers outside ``taken``; a scale word after one (``26.8 million``, from ``scales``:
    word → power of ten) joins the quantity and adds the scaled value as a key."""
    out = []
    for m in NUMBER.finditer(text):
        if taken_by(taken, m.start()):
            continue
        whole, sep, frac = m.group("int"), m.group("sep"), m.group("frac")
        digits = re.sub(r"\D", "", whole)
        values = []
        if frac is not None:
            values.append(float(f"{digits}.{frac}"))
        else:
            values.append(float(digits))
            if sep in (",", ".") and whole.count(sep) == 1:  # "1,250": 1250 or 1.25
                a, b = whole.split(sep)
                values.append(float(f"{a}.{b}"))
        power, end = _scale(text, m.end(), scales) if scales else (0, m.end())
        money = scales and m.start() > 0 and text[m.start() - 1] in "$€£¥"
        if money and not power and (g := _MONEY_SCALE.match(text, m.end())):
            power, end = _MONEY_SCALES[g.group(1).lower()], g.end()
        scaled = frozenset(num_key(v * 10**power) for v in values if power)
        keys = {num_key(v) for v in values} | scaled
        support = text.startswith(_SUPPORT_AFTER, end)
        out.append(
            Quantity(m.start(), end, text[m.start() : end], frozenset(keys), support, scaled)
        )
    return out


#: an IPv4 address: four groups of 0 to 255 (``192.168.100.200``), never an amount
_IPV4 = re.compile(
    r"(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)"
)
#: a word right before a number that makes it a label, not an amount: a version, a section,
#: an address, an identifier (``Version 1.100.200``, ``§ 4.100.200``, ``host 10.100.100.100``)
_LABEL_BEFORE = re.compile(
    r"(?:\b(?:v|ver|version|versions|release|build|patch|update|section|sections|sec|"
    r"chapter|chap|art|article|articles|clause|paragraph|para|annex|appendix|item|step|rule|"
    r"figure|fig|table|note|standard|no|nr|n°|ref|id|isbn|ip|ipv4|host|address|server)\.?"
    r"|[§#])\s*$",
    re.IGNORECASE,
)
#: a code going on after a number: ``12.345.678-9`` (an identity number), ``1.100.200/3``
_CODE_AFTER = re.compile(r"[-/]\d")


def dotted_label(text: str, start: int, end: int) -> bool:
    """Whether the dotted number ``text[start:end]`` (``1.100.200``) is a label, not an
    amount written with dots for thousands: an IPv4 address (four groups of 0 to 255:
    ``192.168.100.200``), a number after a word that names a version, a section, an address
    or an identifier (``Version 1.100.200``, ``§ 4.100.200``), or part of a code
    (``12.345.678-9``). The number format checks leave these alone."""
    return bool(
        _IPV4.fullmatch(text, start, end)
        or _LABEL_BEFORE.search(text[:start])
        or _CODE_AFTER.match(text, end)
    )


def month_names(
    text: str, months: dict[str, int], folded: bool = False, capital: bool = False
) -> list[Quantity]:
    """Month names of the table ``months`` (word → month; looked up lower case, or accents
    folded when ``folded``); ``capital``: only capitalised words (English "may", "march")."""
    out = []
    for m in re.finditer(r"[^\W\d_]+\.?", text):
        word = m.group().rstrip(".")
        k = fold(word) if folded else word.lower()
        if capital and not word[0].isupper():
            continue
        if k in months:
            out.append(
                Quantity(m.start(), m.start() + len(word), word, frozenset({f"m:{months[k]}"}))
            )
    return out


def month_stems(text: str, stems: tuple[tuple[str, bool, int], ...]) -> list[Quantity]:
    """Month names given as stems ((stem, whole word only, month), longest first): a word
    is a month when it is a stem or starts with one and has at most three more letters."""
    out = []
    for m in re.finditer(r"[^\W\d_]+", text):
        word = m.group().lower()
        for stem, exact, month in stems:
            if word == stem or not exact and word.startswith(stem) and len(word) <= len(stem) + 3:
                out.append(Quantity(m.start(), m.end(), m.group(), frozenset({f"m:{month}"})))
                break
    return out
