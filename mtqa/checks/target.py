"""Target checks on typography, sentence joins, quotes, repeats and lost characters (one
sentence at a time).

Severity: ``major`` when the sentence's meaning is broken there (a broken join, an orphan
quote), ``minor`` for typography and slips a reader can see past. Each check's
false-alarm rate on clean English is bounded by ``tests/test_rules.py``.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator

import regex

from mtqa.checks.base import Check, Hit, RegexCheck
from mtqa.checks.lexicon import zipf
from mtqa.checks.quantity import dotted_label
from mtqa.machine import machine_tokens
from mtqa.text import (
    EMOJI_END,
    OPENERS,
    RE_SPACE_CHARS,
    RE_WORD_CHARS,
    SENTENCE_STARTERS,
    ends_abbreviation,
    is_list_marker,
)

_JOIN = re.compile(r"(?P<before>[^\s.]+)\.\s+[‘“\"']?(?P<word>[^\W\d_][\w'’-]*)")
# The same pattern tried only where a run of non-space, non-dot characters begins: a search
# that fails inside a run (a hash, a URL) fails at every later position of that run too.
_JOIN_AT_RUN = re.compile(r"(?<![^\s.])" + _JOIN.pattern)


def _joins(text: str) -> Iterator[re.Match[str]]:
    """Exactly ``_JOIN.finditer(text)``, in linear time.

    ``finditer`` retries a failed match at every position of a run, rereading the rest of the
    run each time (quadratic in the run's length). The ``before`` part of a match must reach a
    ".", so it ends where its run ends: from a later start in the same run the match succeeds
    or fails alike. Only run starts need trying, and the one place a match can start mid-run:
    where the last match ended ("of. a,b. c" → "of. a", ",b. c").
    """
    pos = 0
    while m := _JOIN.match(text, pos) or _JOIN_AT_RUN.search(text, pos):
        yield m
        pos = m.end()


_EMOJI_END = regex.compile(EMOJI_END)
_W, _S = RE_WORD_CHARS, RE_SPACE_CHARS  # re's \w and \s, for the two regex patterns below


def _word_end(c: str) -> bool:
    """Whether a sentence's last word can end on ``c``: a letter, a digit or an emoji."""
    return c.isalnum() or _EMOJI_END.match(c) is not None


class BrokenJoin(Check):
    """A full stop followed by a lower-case word: two pieces of a sentence glued wrongly."""

    id = "broken-join"
    machine = False  # a code name may start a sentence in lower case: 'zinfo_or_arcname' is
    severity = "major"

    def find(self, text: str, source: str | None = None) -> Iterator[Hit]:
        """Each join, less abbreviations (:data:`mtqa.text.ABBREVIATIONS`) and initials."""
        for m in _joins(text):
            before, word = m.group("before"), m.group("word")
            core = before.rstrip(")]”\"’'").lstrip(OPENERS)
            if not word[0].islower() or not core or not _word_end(core[-1]):
                continue
            if ends_abbreviation(text, m.end("before")):
                continue  # "e.g. the", "p.m. on", "Inc. announced", "sq. m", initials
            if is_list_marker(text, m.start("word"), m.end()):
                continue  # "the work is yours. b) you may", "… this document. b.": a list item
            rest = text[m.end("before") + 1 : m.end()].lstrip()  # the quote (if any) and word
            yield Hit(
                m.start(),
                m.end(),
                "broken sentence join: a full stop, then a lower-case word",
                suggestion=f"{before} {rest}",  # one sentence: the stray full stop dropped
            )


_QUOTE_SPACING = re.compile(r"[,.]?\s+(?P<q>[”\"])[^\W_]")


class QuoteSpacing(Check):
    """A closing quote with a space before it and none after (French « » spacing carried over)."""

    id = "quote-spacing"

    def find(self, text: str, source: str | None = None) -> Iterator[Hit]:
        """Each such quote; a straight ``"`` only when it closes (an odd count before it)."""
        for m in _QUOTE_SPACING.finditer(text):
            q = m.start("q")
            if m.group("q") == '"' and text.count('"', 0, q) % 2 == 0:
                continue  # an even number of '"' before it: this one opens a quotation
            span = m.group(0)
            fix = span[: len(span) - len(span.lstrip(",."))] + m.group("q") + " " + span[-1]
            yield Hit(
                m.start(),
                m.end(),
                "misplaced closing quote: a space before it, none after",
                suggestion=fix,  # ', ”he' -> ',” he'
            )


#: U+FFFD REPLACEMENT CHARACTER: what a decoder puts for bytes it cannot read
REPLACEMENT = "\ufffd"
#: an apostrophe or hyphen joins the word pieces on either side of it
_JOINERS = "'’-"


def _word_char(c: str) -> bool:
    return c.isalnum() or c == REPLACEMENT or unicodedata.category(c)[0] == "M"


class ReplacementChar(Check):
    """``replacement-char``: U+FFFD in the target, major. A character was lost: bytes that
    were not valid UTF-8 where the text was decoded (``--encoding-errors replace``, or a
    tool upstream, in the MT pipeline, that replaced them), so a word is garbled and no one
    can tell which character it held. The span is the whole word the character sits in
    (letters, digits, marks, more U+FFFD, inner apostrophes and hyphens), or the character
    alone; no fix (the lost character is unknown)."""

    id = "replacement-char"
    severity = "major"
    score = 0.95

    def find(self, text: str, source: str | None = None) -> Iterator[Hit]:
        """One hit per word holding U+FFFD, in text order (linear in ``text``)."""
        at = text.find(REPLACEMENT)
        while at >= 0:
            start, end = at, at + 1
            while start > 0 and (
                _word_char(text[start - 1])
                or (text[start - 1] in _JOINERS and start > 1 and _word_char(text[start - 2]))
            ):
                start -= 1
            while end < len(text) and (
                _word_char(text[end])
                or (text[end] in _JOINERS and end + 1 < len(text) and _word_char(text[end + 1]))
            ):
                end += 1
            n = text.count(REPLACEMENT, start, end)
            what = (
                "a replacement character (U+FFFD)"
                if n == 1
                else f"{n} replacement characters (U+FFFD)"
            )
            yield Hit(
                start,
                end,
                f"{what} in {text[start:end]!r}: a character was lost, most likely bytes that "
                "were not valid UTF-8 where the text was decoded upstream (in the MT pipeline "
                "or with --encoding-errors replace); fix the encoding and translate again",
            )
            at = text.find(REPLACEMENT, end)


_REPEAT = re.compile(r"\b(?P<a>[^\W\d_]+)\s+(?P<b>(?P=a))\b", re.IGNORECASE)
_FINE_REPEATS = frozenset(
    """had that bye ha tut chop hush knock yeah so no la sera walla bora baden pago mahi sirhan
    duran""".split()
)


class RepeatedWord(Check):
    """The same word twice in a row ("the the"), except "had had", "that that" and a few names."""

    id = "repeated-word"
    machine = False  # a code name is no word: mtqa.machine

    def find(self, text: str, source: str | None = None) -> Iterator[Hit]:
        """Each doubled word (case-blind), less the fine repeats."""
        for m in _REPEAT.finditer(text):
            a = m.group("a")
            if a.lower() in _FINE_REPEATS:
                continue  # "had had", "that that"; "Bora Bora", "Walla Walla"
            yield Hit(m.start(), m.end(), f"repeated word: {a!r} twice", suggestion=a)


#: a name after a French title: "Macron", "de Villepin", "Le Maire"
_NAME = r"(?:(?:de|du|d'|le|la|Le|La|De|Du) )?[A-ZÀ-Ý][a-zà-ÿ][\w'’-]*"
#: "Mme Merkel", "Mme. Dupont", "MM. Dupont", "Mlle de La Fayette" ("Mmes" is English too)
_TITLE = re.compile(rf"\b(?P<title>Mme|Mlle|MM\.)(?:(?<=e)\.)?(?= {_NAME})")
#: "M. Macron said", "M. Macron's", "M. de Villepin, who": "M." only before a name that a
#: lower-case word follows (not "M. Jordan, Pattern Recognition", "M. Phil.", "M. Night")
_MONSIEUR = re.compile(rf"\bM\.(?= (?P<name>{_NAME})(?:['’]s\b| [a-z]|, [a-z]))")
#: a word at least this common in English (wordfreq's Zipf scale) after "M." is a word or
#: an English name, not the French one a title precedes ("Large" 5.4, "Smith" 4.9;
#: "Macron" 3.0, "Le Pen" 4.4)
COMMON_NAME_ZIPF = 4.4
_ENGLISH_TITLE = {"M.": "Mr", "MM.": "Messrs", "Mme": "Ms", "Mlle": "Miss"}
#: a capitalised word (or "Dr.") right before "M.": a given name, so "M." is an initial
_CAPITALISED_BEFORE = re.compile(r"\b(?P<word>[A-Z][\w'’-]*)\.?\s$")
#: capitalised words that open an English sentence, never a given name before an initial
_OPENERS = SENTENCE_STARTERS | frozenset(
    "Yesterday Today Tomorrow But And As Then So Now Also Later Earlier Still Yet Thus "
    "Meanwhile On At After Before Since While If According Last Next Finally Moreover "
    "Instead Indeed Here Only Even Asked Speaking".split()
)


class FrenchTitle(Check):
    """A French title left before a name ("M. Macron said", "Mme Merkel"), minor, with the
    English one. "M." counts only before a name that a lower-case word follows and not
    after a given name ("John M. Smith") or in a reference list ("M. Jordan, Pattern...")."""

    id = "french-title"
    machine = False  # a code name is no word: mtqa.machine

    def find(self, text: str, source: str | None = None) -> Iterator[Hit]:
        """Each French title before a name, in text order."""
        hits = [(m.start(), m.end(), m.group("title")) for m in _TITLE.finditer(text)]
        for m in _MONSIEUR.finditer(text):
            before = _CAPITALISED_BEFORE.search(text, 0, m.start())
            if before and (before.group("word") not in _OPENERS or before.start() > 0):
                continue  # "John M. Smith", "Dr. M. Lee"; not "Yesterday M. Macron"
            name = m.group("name").split()[-1]
            if name in _OPENERS or zipf(name.lower(), "en") >= COMMON_NAME_ZIPF:
                continue  # "the letter M. Then came N.", "S, M. Large sizes", "M. Smith"
            hits.append((m.start(), m.end(), "M."))
        for start, end, title in sorted(hits):
            eng = _ENGLISH_TITLE[title]
            yield Hit(
                start,
                end,
                f"French title {text[start:end]!r} before a name; English writes {eng!r}",
                suggestion=eng,
            )


_ROMAN = {"I": 1, "V": 5, "X": 10}


def _roman(numeral: str) -> int:
    """The value of a Roman numeral of I, V and X ("XIX" -> 19)."""
    total = 0
    for a, b in zip(numeral, [*numeral[1:], ""], strict=True):
        v = _ROMAN[a]
        total += -v if b and _ROMAN[b] > v else v
    return total


_SPACES = re.compile(r"[ \u00a0\u202f]+")


def _unspaced(span: str) -> str:
    """The span without its spaces: " ;" -> ";", "5 %" -> "5%"."""
    return _SPACES.sub("", span)


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def english_number(span: str) -> str | None:
    """The English form of a French-formatted number: "10 000" -> "10,000", "1 000,5" ->
    "1,000.5", "3,5 %" -> "3.5%", "5 %" -> "5%", "14h30" -> "14:30", "1er" -> "1st"; None
    when there is no one English form."""
    if "°" in span:  # "n° 5": numéro
        return "No. "
    if m := re.fullmatch(r"(\d{1,2}) ?h ?(\d{2})", span):
        return f"{m.group(1)}:{m.group(2)}"
    if m := re.fullmatch(r"(\d{1,2})(?:er|ère|e|ème)", span):
        return _ordinal(int(m.group(1)))
    if m := re.fullmatch(r"([IVX]+)(?:e|ème)", span):  # "XXe siècle": the 20th century
        return _ordinal(_roman(m.group(1)))
    if span.endswith("%"):  # "5 %", "3,5 %", "10 000 %"
        core = span[:-1].rstrip(" \u00a0\u202f")
        number = core if core.isdigit() else english_number(core)
        return None if number is None else number + "%"
    whole, _, decimals = span.partition(",")
    if not re.fullmatch(r"\d+(?:[ \u00a0\u202f]\d{3})*", whole):
        return None
    return _SPACES.sub(",", whole) + (f".{decimals}" if decimals else "")


def _one_mark(span: str) -> str:
    """ ". ." -> ".", ", ." -> ".": the full stop if there is one, else the last mark."""
    return "." if "." in span else span.strip()[-1]


def _no_orphan(span: str) -> str:
    """ ". “" -> ".", "“." -> ".": the marks around an orphan quote, without the quote."""
    marks = [c for c in span if c in ".,;:!?"]
    return marks[-1] if marks else ""


FRENCH_SPACING = RegexCheck(
    "french-spacing",
    # the span is the space and the mark (" ;" -> ";"), never part of the word before it
    regex.compile(
        rf"(?<=[{_W})\]”\"’]|{EMOJI_END})(?P<span>[ \u00a0\u202f]+[;:!?])(?=[{_S}”\"’»)]|$)"
    ),
    "French spacing: a space before {mark!r}",
    fix=_unspaced,
)
GUILLEMETS = RegexCheck(
    "guillemets",
    # with the French inner space, and a closing one with the space before ! ? ; : after it
    re.compile(r"«[ \u00a0\u202f]*|[ \u00a0\u202f]*»(?:[ \u00a0\u202f]+(?=[!?;:]))?"),
    "French quotation mark {text!r} left in English text",
    fix=lambda q: "“" if "«" in q else "”",
)
#: an amount with dots for thousands where nothing else can be meant: two dots or more
#: between groups of three digits (``1.500.000``), or a dot then a decimal comma
#: (``2.500,75``; never three digits after the comma, a thousands comma as well:
#: ``4.176,000``); one dot alone is English's decimal point (``1.500`` is 1.5, ``13.169
#: million``), and a date or a version has shorter groups (``12.05.2023``, ``3.10.2``)
DOTTED_THOUSANDS = re.compile(
    r"(?<![\w.,])[1-9]\d{0,2}(?:(?:\.\d{3}){2,}(?:,(?:\d{1,2}|\d{4,}))?|\.\d{3},(?:\d{1,2}|\d{4,}))"
    r"(?!\w|,\d|\.\w)"
)


class FrenchNumbers(RegexCheck):
    """``french-numbers``: its pattern's matches, and an amount with dots for thousands
    (:data:`DOTTED_THOUSANDS`) that is no address, version, section or code
    (:func:`mtqa.checks.quantity.dotted_label`: ``192.168.100.200``, ``Version
    1.100.200``, ``12.345.678-9``), nor inside a machine token (a URL, a file name)."""

    def find(self, text: str, source: str | None = None) -> Iterator[Hit]:
        """The pattern's hits and the dotted amounts', in text order."""
        hits = list(super().find(text, source))
        tokens = machine_tokens(text)
        for m in DOTTED_THOUSANDS.finditer(text):
            a, b = m.span()
            if dotted_label(text, a, b) or any(x < b and a < y for x, y in tokens):
                continue
            whole, _, decimals = m.group().partition(",")
            fixed = whole.replace(".", ",") + (f".{decimals}" if decimals else "")
            reason = f"number format: {m.group()!r} has dots for thousands (English writes {fixed})"
            hits.append(Hit(a, b, reason, suggestion=fixed))
        yield from sorted(hits, key=lambda h: (h.start, h.end))


FRENCH_NUMBERS = FrenchNumbers(
    "french-numbers",
    re.compile(
        # spaced thousands, with a decimal comma or not: 10 000, 1 000,5 (NBSP, narrow NBSP
        # or a space); first, so that the span covers the whole number, not "000,5"
        r"(?<![\d.,])\d{1,3}(?:[ \u00a0\u202f]\d{3})+(?:,\d+)?(?![\d.,])(?:[ \u00a0\u202f]%)?"
        r"|(?<![\d,.])\d+,\d{1,2}(?![\d,])(?:[ \u00a0\u202f]%)?"  # decimal comma: 3,5 (%)
        r"|\d[ \u00a0\u202f]%"  # 5 %
        r"|\b\d{1,2} ?h ?\d{2}\b"  # 14h30
        r"|\b\d{1,2}(?:er|ère|e|ème)(?=\s)"  # 1er, 21e
        r"|\b(?:[IVX]{2,5}|V)(?:e|ème)(?= (?:siècle|century|centuries|arrondissement"
        r"|République|Republic|Reich|Empire|millénaire|millennium|legislature|Legislature"
        r"|round|district|congress|Congress)\b)"  # XXe siècle, Ve République; not Apple IIe
        r"|\b[nN]°[ \u00a0\u202f]?(?=\d)"  # n° 5 (numéro)
    ),
    "French number format {text!r} (decimal comma, spaced thousands, 14h30, 1er, XXe, n°)",
    fix=english_number,
    machine=False,  # a placeholder's digits are none of the number's: '%1 %%'
)
DATE_CASE = RegexCheck(
    "date-case",
    # lower case as in French ("lundi 5 mai"); not "may"/"march" (verbs), "august" (an
    # august body: the adjective), URLs, hashtags
    re.compile(
        r"(?<![#@/.\w=\-'\"`])(?:january|february|april|june|july|september|october"
        r"|november|december|(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)s?)"
        r"(?![\w@/=&'\"`-]|\.\w)"
        r"|(?<=\b\d )(?:may|march|august)\b(?![\w@/-]|\.\w)"  # "le 5 mai" -> "5 may"
        r"|(?<=\b\d\d )(?:may|march|august)\b(?![\w@/-]|\.\w)"
    ),
    "a month or day name in lower case: {text!r} (English capitalises it)",
    fix=lambda w: w[:1].upper() + w[1:],
    machine=False,  # a code name is no word: 'day_monday', 'calendar.monday'
)
PUNCT_SPACING = RegexCheck(
    "punct-spacing",
    regex.compile(rf"(?<=[\p{{L}}\p{{N}}]|{EMOJI_END})(?P<span>[ \u00a0\u202f]+[,.])(?![.{_W}])"),
    "a space before {mark!r}",
    fix=_unspaced,
)
STRAY_PERIOD = RegexCheck(
    "stray-period",
    re.compile(r"(?P<span>[.,;:]\s+[.,;:])(?=\s|$|\W)"),
    "stray punctuation: a mark repeated after a space",
    fix=_one_mark,
)
ORPHAN_QUOTE = RegexCheck(
    "orphan-quote",
    re.compile(r"(?P<span>(?:[.,;:]\s+|\s+)?[“‘]\s*[.,;:!?]?)\s*$"),
    "an opening quote with nothing after it",
    "major",
    fix=_no_orphan,
)
