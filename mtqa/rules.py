"""Deterministic checks: each a small named :class:`Rule` returning spans.

Rules see one sentence with its document offsets and return spans in document
offsets. ``RULES`` is the registry (rule id → instance); a span's ``source`` is
``rule:<id>``. Severity: ``major`` when the sentence's meaning is broken or lost
there (a broken join, an orphan quote, a non-word, a run of French words),
``minor`` for typography and single slips a reader can see past. Each rule's
false-alarm rate on clean English is measured in ``docs/rules.md`` and bounded
by ``tests/test_rules.py``.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import ClassVar, Literal

from mtqa.french import (
    FR_PARTICLES,
    FR_STRONG,
    FR_WEAK,
    FRENCH_ACCENTS,
    LOAN_PHRASES,
    LOANWORDS,
)
from mtqa.records import Sentence, Span

Severity = Literal["minor", "major"]


class Rule:
    id: ClassVar[str]
    severity: ClassVar[Severity] = "minor"
    score: ClassVar[float] = 0.9

    def matches(self, text: str) -> Iterator[tuple[int, int, str]]:
        """(start, end, reason) within the sentence text."""
        raise NotImplementedError

    def findings(self, text: str) -> Iterator[tuple[int, int, str, Severity]]:
        """(start, end, reason, severity); rules whose severity varies override this."""
        for s, e, reason in self.matches(text):
            yield s, e, reason, self.severity

    def check(self, sentence: Sentence) -> list[Span]:
        out = []
        for s, e, reason, severity in self.findings(sentence.text):
            out.append(
                Span(
                    start=sentence.start + s,
                    end=sentence.start + e,
                    text=sentence.text[s:e],
                    severity=severity,
                    score=self.score,
                    source=f"rule:{self.id}",
                    reason=reason,
                )
            )
        return out


@dataclass(frozen=True)
class RegexRule(Rule):
    """A rule defined by one pattern; the span is group ``span`` if present, else the match.

    ``reason`` may name the span as ``{text}`` and its last character as ``{mark}``.
    """

    rule_id: str
    pattern: re.Pattern[str]
    reason: str
    rule_severity: Severity = "minor"

    @property
    def id(self) -> str:  # type: ignore[override]
        return self.rule_id

    @property
    def severity(self) -> Severity:  # type: ignore[override]
        return self.rule_severity

    def matches(self, text: str) -> Iterator[tuple[int, int, str]]:
        for m in self.pattern.finditer(text):
            g = "span" if "span" in self.pattern.groupindex else 0
            span = m.group(g)
            yield m.start(g), m.end(g), self.reason.format(text=span, mark=span[-1:])


# --- words ------------------------------------------------------------------------------------

# A word: letters, joined by inner apostrophes or hyphens ("aujourd'hui", "Jean-Yves").
_WORD = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*")
_OPENERS = "\"'“‘«([{—–-"


@lru_cache(maxsize=4)
def _freqs(lang: str) -> dict[str, float]:
    from wordfreq import get_frequency_dict

    return dict(get_frequency_dict(lang))


@lru_cache(maxsize=200_000)
def _zipf(word: str, lang: str) -> float:
    """wordfreq's Zipf frequency (0 = unknown); plain words looked up directly (fast)."""
    if word.isalpha() and word.islower():
        f = _freqs(lang).get(unicodedata.normalize("NFC", word), 0.0)
        return round(math.log10(f) + 9, 2) if f > 0 else 0.0
    from wordfreq import zipf_frequency

    return float(zipf_frequency(word, lang))


def _initial(text: str, start: int) -> bool:
    """Whether a word at ``start`` opens a sentence or a quotation (capitals are not names)."""
    before = text[:start].rstrip().rstrip(_OPENERS).rstrip()
    return not before or before[-1] in ".!?:;…"


def _norm(word: str) -> str:
    return word.lower().replace("’", "'")


# --- untranslated French ----------------------------------------------------------------------

_LOAN_RE = re.compile(
    r"(?<![^\W\d_])(?:"
    + "|".join(re.escape(p).replace(r"\ ", r"[\s-]+") for p in LOAN_PHRASES)
    + r")(?![^\W\d_])",
    re.IGNORECASE,
)
_ELISION = re.compile(r"(?:l|d|qu|n|c|s|j|m|t|jusqu|lorsqu|puisqu|quoiqu)'[^\W\d_]")
_ACCENT = re.compile(f"[{FRENCH_ACCENTS}]")
_LAST_WORD = re.compile(r"([^\W\d_][\w'’-]*)\s+$")


def _in_name(text: str, m: re.Match[str]) -> bool:
    """Whether the word sits beside a capitalised, non-initial word."""
    nxt = re.match(r"\s+(\S)", text[m.end() :])
    if nxt and nxt[1].isupper():
        return True
    prev = _LAST_WORD.search(text[max(0, m.start() - 60) : m.start()])
    if not prev:
        return False
    return prev[1][0].isupper() and not _initial(text, m.start() - len(prev[0]))


def _french_kind(text: str, m: re.Match[str]) -> str | None:
    """'strong' (French alone), 'weak' (French only beside another) or None."""
    w = m.group()
    lw = _norm(w)
    if any(c.isupper() for c in w[1:]) or (w[0].isupper() and not _initial(text, m.start())):
        return None  # a name: "Le Drian", "de Gaulle", "d'Ivoire"
    if lw in LOANWORDS:
        return None
    if (lw in FR_PARTICLES or _ELISION.match(lw)) and _in_name(text, m):
        return None  # part of a name: "Légion d'honneur", "de Gaulle", "Moët et Chandon"
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
    en = _zipf(lw, "en")
    if en >= 3.0 or (en >= 2.5 and not _ACCENT.search(lw)):
        return None  # an English word
    fr = _zipf(lw, "fr")
    if _ACCENT.search(lw) and fr > 0:
        return "strong"  # "réunion", "président": accented, French, not borrowed
    if fr >= 4.0 and en < 2.5 and fr - en >= 2.5:
        return "strong"  # "gouvernement", "jeudi": common in French, rare in English
    return None


@lru_cache(maxsize=4096)
def french_runs(text: str) -> tuple[tuple[int, int, int], ...]:
    """(start, end, n_words) of each run of French words in ``text``."""
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

    for m in _WORD.finditer(text):
        kind = None
        if not any(a < m.end() and m.start() < b for a, b in masked):
            kind = _french_kind(text, m)
        gap = text[cur[-1][1] : m.start()].strip() if cur else ""
        if cur and (kind is None or gap):
            close(None if gap else m.group())
        if kind and (cur or kind != "cont"):
            cur.append((m.start(), m.end(), kind))
    close(None)
    return tuple(runs)


class FrenchRule(Rule):
    """French words or phrases left in the English text (names and loanwords excepted)."""

    id = "untranslated-french"
    severity = "major"
    score = 0.85

    def findings(self, text: str) -> Iterator[tuple[int, int, str, Severity]]:
        for s, e, n in french_runs(text):
            severity: Severity = "major" if n > 1 else "minor"
            yield s, e, f"French left untranslated: {text[s:e]!r}", severity


# --- non-words --------------------------------------------------------------------------------

_NOT_PROSE = re.compile(r"[@#/\\_=<>|~^*+]|://|www\.|\d|[^\W\d_]\.[^\W\d_]")
_FOREIGN = re.compile(f"[^a-z'{FRENCH_ACCENTS}-]")  # "spořitelna": a foreign term, not an MT slip
_POSSESSIVE = re.compile(r"(?:'s|')$")
_PREFIXES = tuple(
    """un non re pre post anti inter intra over under out sub super counter micro macro multi
    mis dis semi circum co mega mini hyper ultra pseudo neo proto trans cross self""".split()
)  # not "in"/"im": French "insupportable" → "insupports" must stay unknown
_SUFFIXES = tuple("ally ly ness s es ed ing er ers ism ist ists ity able ment ments".split())


def _known(part: str) -> bool:
    return len(part) <= 2 or _zipf(part, "en") > 0 or _zipf(_POSSESSIVE.sub("", part), "en") > 0


def _derived(word: str) -> bool:
    """A rare but regular English formation: a prefix or suffix on a common word."""

    def common(w: str) -> bool:
        return len(w) >= 4 and _zipf(w, "en") >= 2.5

    if any(word.startswith(p) and common(word[len(p) :]) for p in _PREFIXES):
        return True
    return any(word.endswith(x) and common(word[: -len(x)]) for x in _SUFFIXES)


@lru_cache(maxsize=1)
def _deletes_index() -> dict[str, tuple[int, int, str]]:
    """Common English words and their one-letter deletions → (deletions, rank, word)."""
    from wordfreq import top_n_list

    index: dict[str, tuple[int, int, str]] = {}
    for rank, v in enumerate(top_n_list("en", 30_000)):  # most frequent first
        if len(v) >= 3 and v.isalpha():
            index[v] = (0, rank, v)
            for d in _deletes(v):
                index.setdefault(d, (1, rank, v))
    return index


def _deletes(w: str) -> set[str]:
    return {w[:i] + w[i + 1 :] for i in range(len(w))}


@lru_cache(maxsize=20_000)
def near_word(word: str) -> str | None:
    """A common English word within about two edits of ``word`` (a typo's target), or None.

    Symmetric deletions: up to two from ``word`` (one for short words), one from the
    candidate; that covers a slip, a swap ("otulined"), a doubled letter ("dilluted") and two
    extra letters ("insupports" → "supports"). The fewest deletions win.
    """
    index = _deletes_index()
    forms = {d: 1 for d in _deletes(word)}
    if len(word) >= 6:
        forms.update({d2: 2 for d in forms for d2 in _deletes(d) if d2 not in forms})
    forms[word] = 0
    hits = [
        (cost + index[f][0], index[f][1], index[f][2])
        for f, cost in forms.items()
        if f in index and index[f][2] != word
    ]
    return min(hits)[2] if hits else None


class NonWordRule(Rule):
    """A lower-case word wordfreq's English list does not know (names and codes excepted)."""

    id = "non-word"
    severity = "major"
    score = 0.8

    def matches(self, text: str) -> Iterator[tuple[int, int, str]]:
        french = french_runs(text)
        for m in _WORD.finditer(text):
            w = m.group()
            if any(c.isupper() for c in w):
                continue  # names, acronyms, sentence-initial words
            a, b = text.rfind(" ", 0, m.start()) + 1, text.find(" ", m.end())
            if _NOT_PROSE.search(text[a : b if b >= 0 else len(text)]):
                continue  # URLs, e-mail addresses, hashtags, codes, "e.g.", numbers
            lw = _norm(w)
            if all(_known(p) or _derived(p) for p in lw.split("-")):
                continue
            if _FOREIGN.search(lw) or sum(x == w for x in _WORD.findall(text)) > 1:
                continue  # a foreign term, or one the writer uses on purpose (twice)
            if any(s <= m.start() and m.end() <= e for s, e, _ in french):
                continue  # reported by untranslated-french
            near = near_word(lw)
            if near is None:
                continue  # near no common word: jargon or a foreign term ("sekiwake")
            yield m.start(), m.end(), f"not an English word: {w!r} (close to {near!r})"


# --- sentence joins, quotes, repeats ----------------------------------------------------------

_ABBREVIATIONS = frozenset(
    """mr mrs ms dr prof st mt sr jr gen col lt sgt capt gov sen rep rev hon pres vol fig jan
    feb mar apr jun jul aug sep sept oct nov dec inc ltd co corp vs etc al approx incl cf viz
    ca dept est no nos sq ft km kg lb lbs oz mi hr hrs min mins sec max avg ave blvd rd ibid
    op pp ed eds trans univ assn bros mme mlle""".split()
)
_JOIN = re.compile(r"(?P<before>[^\s.]+)\.\s+[‘“\"']?(?P<word>[^\W\d_][\w'’-]*)")


class BrokenJoinRule(Rule):
    """A full stop followed by a lower-case word: two pieces of a sentence glued wrongly."""

    id = "broken-join"
    severity = "major"

    def matches(self, text: str) -> Iterator[tuple[int, int, str]]:
        for m in _JOIN.finditer(text):
            before, word = m.group("before"), m.group("word")
            core = before.rstrip(")]”\"’'").lstrip(_OPENERS)
            if not word[0].islower() or not core or not core[-1].isalnum():
                continue
            if text[m.start() - 1 : m.start()] == "." or "." in core:
                continue  # "e.g. the", "p.m. on", "U.S. officials"
            if core.lower() in _ABBREVIATIONS or (len(core) == 1 and core.isupper()):
                continue  # "Inc. announced", "sq. m", initials
            yield m.start(), m.end(), "broken sentence join: a full stop, then a lower-case word"


_QUOTE_SPACING = re.compile(r"[,.]?\s+(?P<q>[”\"])[^\W_]")


class QuoteSpacingRule(Rule):
    """A closing quote with a space before it and none after (French « » spacing carried over)."""

    id = "quote-spacing"

    def matches(self, text: str) -> Iterator[tuple[int, int, str]]:
        for m in _QUOTE_SPACING.finditer(text):
            q = m.start("q")
            if m.group("q") == '"' and text.count('"', 0, q) % 2 == 0:
                continue  # an even number of '"' before it: this one opens a quotation
            yield m.start(), m.end(), "misplaced closing quote: a space before it, none after"


_REPEAT = re.compile(r"\b(?P<a>[^\W\d_]+)\s+(?P<b>(?P=a))\b", re.IGNORECASE)
_FINE_REPEATS = frozenset(
    """had that bye ha tut chop hush knock yeah so no la sera walla bora baden pago mahi sirhan
    duran""".split()
)


class RepeatedWordRule(Rule):
    """The same word twice in a row ("the the"), except "had had", "that that" and a few names."""

    id = "repeated-word"

    def matches(self, text: str) -> Iterator[tuple[int, int, str]]:
        for m in _REPEAT.finditer(text):
            a = m.group("a")
            if a.lower() in _FINE_REPEATS:
                continue  # "had had", "that that"; "Bora Bora", "Walla Walla"
            yield m.start(), m.end(), f"repeated word: {a!r} twice"


_RULE_LIST: list[Rule] = [
    RegexRule(
        "french-spacing",
        re.compile(r"(?P<span>[\w)\]”\"’][ \u00a0\u202f]+[;:!?])(?=[\s”\"’»)]|$)"),
        "French spacing: a space before {mark!r}",
    ),
    RegexRule(
        "guillemets",
        re.compile(r"[«»]"),
        "French quotation mark {text!r} left in English text",
    ),
    RegexRule(
        "french-numbers",
        re.compile(
            r"(?<![\d,.])\d+,\d{1,2}(?![\d,])"  # decimal comma: 3,5
            r"|(?<![\d.,])\d{1,3}(?:[ \u00a0\u202f]\d{3})+(?![\d.,])"  # 10 000
            r"|\d[ \u00a0\u202f]%"  # 5 %
            r"|\b\d{1,2} ?h ?\d{2}\b"  # 14h30
            r"|\b\d{1,2}(?:er|ère|e|ème)(?=\s)"  # 1er, 21e
        ),
        "French number format {text!r} (decimal comma, spaced thousands, 14h30, 1er)",
    ),
    RegexRule(
        "punct-spacing",
        re.compile(r"(?P<span>[^\W_][ \u00a0\u202f]+[,.])(?![.\w])"),
        "a space before {mark!r}",
    ),
    RegexRule(
        "stray-period",
        re.compile(r"(?P<span>[.,;:]\s+[.,;:])(?=\s|$|\W)"),
        "stray punctuation: a mark repeated after a space",
    ),
    BrokenJoinRule(),
    QuoteSpacingRule(),
    RegexRule(
        "orphan-quote",
        re.compile(r"(?P<span>(?:[.,;:]\s+)?[“‘]\s*[.,;:!?]?)\s*$"),
        "an opening quote with nothing after it",
        "major",
    ),
    RepeatedWordRule(),
    NonWordRule(),
    FrenchRule(),
]

RULES: dict[str, Rule] = {r.id: r for r in _RULE_LIST}


def check_rules(sentence: Sentence, rules: dict[str, Rule] | None = None) -> list[Span]:
    spans: list[Span] = []
    for rule in (RULES if rules is None else rules).values():
        spans.extend(rule.check(sentence))
    return spans
