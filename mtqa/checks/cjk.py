"""Quantities as Chinese, Japanese and Korean write them (for ``src-numbers``).

* **multipliers** after digits: ``3.5万`` = 35,000, ``2.6亿`` = 260 million, ``2万4801`` =
  24,801, ``1.2万亿`` = 1.2 trillion, ``1100多万`` = 11 million (``多``/``余``: "more
  than"), ``3億``, ``5만``: the scaled value only, so ``26.8 million`` for ``26.8万`` is a
  mismatch;
* **dates**: ``12月11日`` (a month and a day), ``5월``; a day of the month is *support*
  (English drops it, or writes a weekday: "25日表示" → "said on Tuesday"), as is any number
  in a news agency dateline (``新华社北京12月12日电``), which translations often drop;
* **hours**: ``15时``, ``下午3点``, ``4时30分``, ``四点半``: 15:00 or 3:00 (the
  ``下午``/``上午`` before the hour is not read, so both readings are keys);
* **numerals** (``两``, ``十一``, ``二〇二二``, ``三千五百``, ``六成`` = 60%): support only:
  ``一`` is also a word-part ("统一", "一些"), so a numeral is never reported missing; it
  only vouches for an English number. A run like ``十四五`` (the 14th five-year plan)
  vouches for the values of its parts too (14, 5...).

:func:`read` returns the quantities and what the text says about time without numbers
(``今年`` "this year", ``本月`` "this month", a date without its year), so that an
English year or month the translator filled in is not taken for an invention.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from mtqa.checks.quantity import Quantity, num_key, taken_by

DIGITS = dict(
    zip("零〇一二两兩三四五六七八九", (0, 0, 1, 2, 2, 2, 3, 4, 5, 6, 7, 8, 9), strict=True)
)
UNITS = {"十": 10, "拾": 10, "百": 100, "佰": 100, "千": 1000, "仟": 1000, "천": 1000}
BIG = {"万": 10**4, "萬": 10**4, "만": 10**4, "亿": 10**8, "億": 10**8, "억": 10**8}
_NUMERAL = "".join((*DIGITS, *UNITS, *BIG))
_ARABIC = r"\d+(?:\.\d+)?"
_RUN = re.compile(  # digits first ("2万4801"), or numerals only ("三千五百"; "一百万15": two)
    rf"(?<![\d.])(?:{_ARABIC}(?:{_ARABIC}|[{_NUMERAL}]|[余多](?=[{''.join(BIG)}]))*|[{_NUMERAL}]+)"
)
_TOKEN = re.compile(rf"{_ARABIC}|[{_NUMERAL}]")
_SMALL = "一二两三四五六七八九十零〇"
_MONTH = re.compile(rf"(?<![\d.])(?P<n>1[0-2]|0?[1-9]|[{_SMALL}]{{1,3}})\s?[月월](?!份额)")
_DAY = re.compile(r"(?<![\d.])(?P<n>[0-3]?\d)\s?[日号號일](?!元)")
_HOUR = re.compile(
    rf"(?<![\d.])(?P<h>[01]?\d|2[0-4]|[{_SMALL}]{{1,3}})\s?[时時点點시]"
    rf"(?:\s?(?P<m>[0-5]?\d|[{_SMALL}]{{1,3}})\s?[分분]|(?P<half>半))?"
)
_TENTHS = re.compile(rf"(?<![\d.])(?P<n>\d|[{_SMALL}])成")  # "六成": 60%
_YEAR = re.compile(r"\d{2,4}\s?[年년]")
_DATELINE = re.compile(r"\d{1,2}\s?月\s?\d{1,2}\s?日\s?[电讯電訊]")
_RELATIVE_YEAR = ("今年", "去年", "明年", "前年", "当年", "當年", "同年", "本年", "今年度")
_RELATIVE_MONTH = ("本月", "当月", "當月", "上月", "下月", "同月", "今月")


@dataclass(frozen=True)
class Reading:
    """A CJK text's quantities and its number-free time words."""

    quantities: list[Quantity]
    relative_year: bool  # "今年", or a date without its year: the English may name the year
    month_implied: bool  # a day without a month, or "本月": the English may name the month


def value(run: str) -> float | None:
    """The value of a run of digits and CJK numerals: ``3.5万`` 35000, ``2万4801`` 24801,
    ``1.2万亿`` 1.2e12, ``三千五百`` 3500, ``二〇二二`` 2022 (None: not a number)."""
    tokens = _TOKEN.findall(run)
    if not tokens:
        return None
    if not any(t in UNITS or t in BIG for t in tokens):
        if len(tokens) > 1 and all(t in DIGITS for t in tokens):  # digit by digit: "二〇二二"
            return float("".join(str(DIGITS[t]) for t in tokens))
        if len(tokens) == 1:
            return float(DIGITS.get(tokens[0], 0) if tokens[0] in DIGITS else tokens[0])
        return None
    total = section = 0.0
    num: float | None = None
    prev_big = False
    for t in tokens:
        if t in BIG:
            if prev_big:
                total *= BIG[t]  # "万亿": 10^12
            else:
                total += (section + (1.0 if num is None and not section else num or 0.0)) * BIG[t]
            section, num, prev_big = 0.0, None, True
            continue
        prev_big = False
        if t in UNITS:
            section += (1.0 if num is None else num) * UNITS[t]
            num = None
        elif t in DIGITS:
            num = DIGITS[t] if num is None else num * 10 + DIGITS[t]
        else:
            num = float(t)
    return total + section + (num or 0.0)


def _parts(run: str) -> set[float]:
    """The values of every stretch of up to four characters of a numeral run."""
    out = set()
    for i in range(len(run)):
        for j in range(i + 1, min(len(run), i + 4) + 1):
            v = value(run[i:j])
            if v is not None:
                out.add(v)
    return out


def _small(n: str) -> float | None:
    return float(n) if n.isdigit() else value(n)


def _dates_and_hours(text: str) -> list[Quantity]:
    out = []
    for m in _MONTH.finditer(text):
        month = _small(m.group("n"))
        if month and 1 <= month <= 12:
            keys = frozenset({f"m:{month:g}", num_key(month)})
            out.append(Quantity(m.start(), m.end(), m.group(), keys, not m.group("n").isdigit()))
    for m in _DAY.finditer(text):
        if not taken_by(out, m.start()):
            out.append(
                Quantity(m.start(), m.end(), m.group(), frozenset({num_key(int(m["n"]))}), True)
            )
    for m in _HOUR.finditer(text):
        h = _small(m.group("h"))
        minute = 30 if m.group("half") else _small(m.group("m") or "0")
        if h is None or minute is None or taken_by(out, m.start()) or h > 24:
            continue
        mm = f"{int(minute):02d}"
        hour_keys = {num_key(h), f"t:{int(h) % 24}:{mm}"} | (
            {f"t:{int(h) + 12}:{mm}"} if h < 12 else set()
        )
        out.append(
            Quantity(m.start(), m.end(), m.group(), frozenset(hour_keys), not m["h"].isdigit())
        )
    return out


def read(text: str) -> Reading:
    """The quantities of a CJK text (``narrow`` already applied); digits standing alone are
    left to :func:`mtqa.checks.quantity.numbers`."""
    out = _dates_and_hours(text)
    for m in _TENTHS.finditer(text):
        tenth = _small(m.group("n"))
        if tenth is not None and not taken_by(out, m.start()):
            out.append(
                Quantity(m.start(), m.end(), m.group(), frozenset({num_key(tenth * 10)}), True)
            )
    for m in _RUN.finditer(text):
        run = m.group()
        if run.replace(".", "").isdigit() or taken_by(out, m.start()):
            continue
        v = value(run)
        if v is None:
            continue
        if any(c.isdigit() for c in run):  # "26.8万": exact
            out.append(Quantity(m.start(), m.end(), run, frozenset({num_key(v)})))
        else:  # "两", "十四五": support, with the values of its parts
            keys = frozenset(num_key(x) for x in {v} | _parts(run))
            out.append(Quantity(m.start(), m.end(), run, keys, True))
    for d in _DATELINE.finditer(text):
        out = [replace(q, support=True) if d.start() <= q.start < d.end() else q for q in out]
    has_month = any(k.startswith("m:") for q in out for k in q.keys)
    has_day = bool(_DAY.search(text))
    has_year = bool(_YEAR.search(text))
    return Reading(
        sorted(out, key=lambda q: q.start),
        relative_year=any(w in text for w in _RELATIVE_YEAR)
        or (has_month or has_day)
        and not has_year,
        month_implied=not has_month and (has_day or any(w in text for w in _RELATIVE_MONTH)),
    )
