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
from bisect import bisect_right
from collections import Counter
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
    i = start  # what precedes it, less spaces and openers (no copy of the text before it)
    while i and text[i - 1].isspace():
        i -= 1
    while i and text[i - 1] in _OPENERS:
        i -= 1
    while i and text[i - 1].isspace():
        i -= 1
    return not i or text[i - 1] in ".!?:;…"


def _norm(word: str) -> str:
    return word.lower().replace("’", "'")


# --- untranslated French ----------------------------------------------------------------------


def _phrases_by_first_letter(phrases: list[str] | tuple[str, ...]) -> str:
    """``a(?:u fait|u pair)|b(?:on mot)``: the phrases as one alternation, grouped by their first
    letter (each group keeps the phrases' order); the regex engine then tries only the phrases
    that start with the letter at hand (4x faster on long texts, the same matches: phrases with
    different first letters never match at the same place)."""
    groups: dict[str, list[str]] = {}
    for p in phrases:
        assert p[:1].isalpha() and len(p) > 1, p  # a constant table, not user input
        groups.setdefault(p[0].lower(), []).append(re.escape(p[1:]).replace(r"\ ", r"[\s-]+"))
    return "|".join(f"{re.escape(k)}(?:{'|'.join(v)})" for k, v in groups.items())


_LOAN_RE = re.compile(
    r"(?<![^\W\d_])(?:" + _phrases_by_first_letter(LOAN_PHRASES) + r")(?![^\W\d_])",
    re.IGNORECASE,
)
_ELISION = re.compile(r"(?:l|d|qu|n|c|s|j|m|t|jusqu|lorsqu|puisqu|quoiqu)'[^\W\d_]")
_ACCENT = re.compile(f"[{FRENCH_ACCENTS}]")
_LAST_WORD = re.compile(r"([^\W\d_][\w'’-]*)\s+$")
_NEXT = re.compile(r"\s+(\S)")


def _in_name(text: str, m: re.Match[str]) -> bool:
    """Whether the word sits beside a capitalised, non-initial word."""
    nxt = _NEXT.match(text, m.end())
    if nxt and nxt[1].isupper():
        return True
    prev = _LAST_WORD.search(text[max(0, m.start() - 60) : m.start()])
    if not prev:
        return False
    return prev[1][0].isupper() and not _initial(text, m.start() - len(prev[0]))


def _french_kind(text: str, m: re.Match[str]) -> str | None:
    """'strong' (French alone), 'weak' (French only beside another) or None."""
    w = m.group()
    if w[0].isupper() and not _initial(text, m.start()):
        return None  # a name: "Le Drian", "de Gaulle"
    particle, kind = _word_kind(w)
    if kind and particle and _in_name(text, m):
        return None  # part of a name: "Légion d'honneur", "de Gaulle", "Moët et Chandon"
    return kind


@lru_cache(maxsize=100_000)
def _word_kind(w: str) -> tuple[bool, str | None]:
    """What the word says out of context: (a particle or elision that may belong to a name,
    its :func:`_french_kind`)."""
    lw = _norm(w)
    if any(c.isupper() for c in w[1:]) or lw in LOANWORDS:
        return False, None  # a name: "d'Ivoire"; a loanword
    particle = lw in FR_PARTICLES or bool(_ELISION.match(lw))
    return particle, _kind(w, lw)


def _kind(w: str, lw: str) -> str | None:
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

    j = 0  # masked phrases and words both come in text order: skip the phrases passed
    for m in _WORD.finditer(text):
        while j < len(masked) and masked[j][1] <= m.start():
            j += 1
        kind = None
        if not (j < len(masked) and masked[j][0] < m.end()):
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
        # Linear in the sentence: the space-delimited token around a word is found once per
        # token, word counts once per sentence, the enclosing French run by bisection.
        french = french_runs(text)
        french_starts = [s for s, _, _ in french]
        counts: Counter[str] | None = None
        b = 0  # the end of the current token (text between spaces)
        pos = 0
        while m := _WORD.search(text, pos):
            pos = m.end()
            if m.start() >= b:
                a, b = text.rfind(" ", 0, m.start()) + 1, text.find(" ", m.end())
                b = b if b >= 0 else len(text)
                if _NOT_PROSE.search(text[a:b]):
                    pos = b  # skip the token's other words
                    continue  # URLs, e-mail addresses, hashtags, codes, "e.g.", numbers
            w = m.group()
            if any(c.isupper() for c in w):
                continue  # names, acronyms, sentence-initial words
            lw = _norm(w)
            if all(_known(p) or _derived(p) for p in lw.split("-")):
                continue
            if _FOREIGN.search(lw):
                continue  # a foreign term
            if counts is None:
                counts = Counter(_WORD.findall(text))
            if counts[w] > 1:
                continue  # one the writer uses on purpose (twice)
            i = bisect_right(french_starts, m.start()) - 1
            if i >= 0 and m.end() <= french[i][1]:
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


class BrokenJoinRule(Rule):
    """A full stop followed by a lower-case word: two pieces of a sentence glued wrongly."""

    id = "broken-join"
    severity = "major"

    def matches(self, text: str) -> Iterator[tuple[int, int, str]]:
        for m in _joins(text):
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
