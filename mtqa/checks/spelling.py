"""A spelling check on a Hunspell dictionary: misspellings that wordfreq knows get flagged too.

wordfreq counts what people write, so it knows the common misspellings (``occured``,
``adress``, ``responsability`` all have a frequency) and a check built on it alone lets them
pass. A Hunspell dictionary lists what is *correct*; this check asks it first.

A word is flagged when all of these hold:

1. it is a lower-case, ASCII, letters-only word of 5 to 30 letters (each part of a
   hyphenated word that is not a word as a whole counts as a word) outside URLs, e-mail
   addresses, hashtags, file names and codes, and not used twice in the sentence: names,
   acronyms and sentence starts are capitalised, foreign terms carry accents, and short
   words are too close to too many others to guess from;
2. wordfreq does not rate it common (Zipf < 3.5: ``webpage``, ``protestors``, ``cyber`` are
   words whatever a dictionary says);
3. the Hunspell en_US dictionary rejects it, and also its American form (British spellings
   are correct: ``organised``, ``centre``, ``travelled``, ``leukaemia``; see
   :func:`american_forms`), and it is no regular formation on an accepted common word
   (``unsystematically``, ``schooler``);
4. it is not a common French word (``gouvernement``: ``untranslated-french``'s to report)
   nor a word the false-friend list names (:func:`mtqa.checks.false_friends.listed`:
   *exactions*, *quitted* are English; the LM's rescoring judges them and proposes what the
   French meant, *abuses*, *left*, where a spelling neighbour, *actions*, *quite*, would
   change the meaning);
5. a common English word, accepted by the dictionary, lies one slip away (two for words of 7+
   letters; see :func:`edit_distance`), is at least 10^1.5 (about 30) times more frequent
   (10^2.5 at two slips), and is neither its US/UK variant nor the word less an ending
   (``speeded``, ``evolutions``: grammar, not spelling). That word is the suggestion. A
   rejected word near no such word is jargon, a new coinage or a name (``sekiwake``,
   ``deplatformed``, ``greenwashing``, ``decarbonisation``) and passes.

Severity: ``minor`` when a reader can see past it: one edit from the suggestion, or a
misspelling wordfreq has seen people write (``occured``, ``developpement``). ``major`` when
it is two edits from its nearest word and nobody writes it (``insupports``): the intended
word is not recoverable from the text, the meaning is lost there.

Nothing loads on import. On first use the dictionary loads (about 0.5 s) and, at the first
rejected word, the index of common words (about 0.9 s); verdicts are cached per word, and
words common in wordfreq never reach the dictionary (about 0.1 ms a sentence once warm).
"""

from __future__ import annotations

import re
import threading
import unicodedata
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Literal

from mtqa.checks.base import Check, Hit
from mtqa.checks.false_friends import listed
from mtqa.checks.lexicon import zipf
from mtqa.text import WORD

if TYPE_CHECKING:
    from spylls.hunspell import Dictionary

Severity = Literal["minor", "major"]

RULE_ID = "spelling"

MIN_LENGTH = 5  # shorter words: too many neighbours ("chia" → "china"), too many abbreviations
MAX_LENGTH = 30  # longer: a code or a chemical name, and the neighbour search grows as n²
COMMON_ZIPF = 3.5  # a word this frequent in wordfreq is taken as a word (fast path)
SUGGESTION_ZIPF = 3.0  # a suggestion is a common word (wordfreq's ~30,000 most frequent)
SHORT_SUGGESTION_ZIPF = 3.5  # a short word has many neighbours: only well-known ones count
MARGIN = 1.5  # the suggestion is at least 10**1.5 ≈ 30 times more frequent than the word
FAR_MARGIN = 2.5  # two slips away: at least 10**2.5 ≈ 300 times more frequent
PART_ZIPF = 2.5  # a part of a compound this frequent is a word-part people write ("-hander")
LONG_WORD = 7  # from this length on, two edits are allowed


@dataclass(frozen=True)
class SpellingFinding:
    """A misspelled word: ``text[start:end]`` is the word as written."""

    start: int
    end: int
    reason: str
    severity: Severity
    suggestion: str


# --- words in the text ------------------------------------------------------------------------

# Not prose: URLs, e-mail addresses, hashtags, handles, paths, file names, codes, numbers,
# abbreviations ("e.g.", "budget.v2.pdf").
_NOT_PROSE = re.compile(r"[@#/\\_=<>|~^*+&]|://|www\.|\d|[^\W\d_]\.[^\W\d_]")
_POSSESSIVE = re.compile(r"['’]s?$")


def _tokens(text: str) -> Iterator[tuple[int, int]]:
    """(start, end) of each word in ``text`` that lies in prose (not in a URL, code, ...)."""
    pos = 0
    token_end = 0  # the end of the space-delimited token around the current word
    while m := WORD.search(text, pos):
        pos = m.end()
        if m.start() >= token_end:
            a = text.rfind(" ", 0, m.start()) + 1
            b = text.find(" ", m.end())
            token_end = b if b >= 0 else len(text)
            if _NOT_PROSE.search(text, a, token_end):
                pos = token_end  # skip the rest of the token
                continue
        s, e = m.span()
        if (s and unicodedata.combining(text[s - 1])) or (
            e < len(text) and unicodedata.combining(text[e])
        ):
            continue  # a letter with a decomposed accent: a foreign word
        yield s, e


def _parts(text: str, start: int, end: int) -> Iterator[tuple[int, int]]:
    """The word itself, or the parts of a hyphenated word that is not a word as a whole."""
    word = text[start:end]
    if "-" not in word:
        yield start, end
        return
    joined = word.replace("-", "").lower()
    if _zipf(joined) >= COMMON_ZIPF or _accepted(joined):
        return  # "non-sensical", "pre-school"
    for m in re.finditer(r"[^-]+", word):
        if _zipf(m.group().lower()) < PART_ZIPF:
            yield start + m.start(), start + m.end()


# --- the verdict on one word ------------------------------------------------------------------


def spelling_spans(text: str) -> list[SpellingFinding]:
    """The misspelled words in one sentence, in text order (a pure function of ``text``)."""
    out: list[SpellingFinding] = []
    counts: Counter[str] | None = None
    for s0, e0 in _tokens(text):
        for s, e in _parts(text, s0, e0):
            word = text[s:e]
            if any(c.isupper() for c in word) or not word.isascii() and "’" not in word:
                continue  # names, acronyms, sentence starts; foreign words
            core = _POSSESSIVE.sub("", word)  # "carmaker’s" → "carmaker"
            verdict = _verdict(core)
            if verdict is None:
                continue
            if counts is None:
                counts = Counter(w.lower() for w in re.findall(r"[^\W\d_]+", text))
            if counts[core.lower()] > 1:
                continue  # a term the writer uses on purpose ("ylang-ylang")
            suggestion, severity = verdict
            if core != word:
                suggestion += word[len(core) :]
            out.append(
                SpellingFinding(
                    start=s,
                    end=e,
                    reason=(
                        f"spelling: {word!r} is not an English word; did you mean {suggestion!r}?"
                    ),
                    severity=severity,
                    suggestion=suggestion,
                )
            )
    return out


@lru_cache(maxsize=100_000)
def _verdict(word: str) -> tuple[str, Severity] | None:
    """(suggestion, severity) for a misspelled lower-case word; None for a word or a name."""
    if not MIN_LENGTH <= len(word) <= MAX_LENGTH or not word.isalpha() or not word.isascii():
        return None
    zipf = _zipf(word)
    if zipf >= COMMON_ZIPF or _accepted(word):
        return None
    if _french(word, zipf):
        return None  # untranslated-french reports it
    if word in listed():
        return None  # a listed false friend: the LM's rescoring judges it (mtqa.confusion)
    if _derived(word):
        return None  # "unsystematically", "uncertified", "schooler"
    near = _suggestion(word, zipf)
    if near is None:
        return None
    suggestion, distance = near
    severity: Severity = "minor" if distance == 1 or zipf > 0 else "major"
    return suggestion, severity


# Prefixes that make regular English words; not "in"/"im" (French "insupportable" →
# "insupports" stays a non-word), and only on stems of 5+ letters ("untill" is no "un-till").
_PREFIXES = tuple(
    """un non pre post anti inter intra over under out sub super counter micro macro multi
    mis dis semi co mega mini hyper ultra pseudo neo proto trans cross self""".split()
)
_SUFFIXES = ("er", "ers")  # "schooler"; not "s" ("informations", "advices" are calques)


def _derived(word: str) -> bool:
    """A regular formation on a common word the dictionary accepts."""

    def stem(w: str) -> bool:
        return len(w) >= 5 and _zipf(w) >= SUGGESTION_ZIPF and _accepted(w)

    if any(word.startswith(p) and stem(word[len(p) :]) for p in _PREFIXES):
        return True
    return any(word.endswith(x) and stem(word[: -len(x)]) for x in _SUFFIXES)


def _suggestion(word: str, zipf: float) -> tuple[str, int] | None:
    """The nearest common word to ``word`` and its edit distance, or None. Ties go to a word
    that differs only in doubled letters (the commonest slip: "adressed" → "addressed", not
    "dressed"), then to the more frequent word."""
    long = len(word) >= LONG_WORD
    min_zipf = SUGGESTION_ZIPF if long else SHORT_SUGGESTION_ZIPF
    variants = american_forms(word)
    best: tuple[int, bool, float, str] | None = None
    for cand in _neighbours(word):
        cz = _zipf(cand)
        if cz < max(min_zipf, zipf + MARGIN) or cand in variants or _inflects(word, cand):
            continue
        d = edit_distance(word, cand)
        if d is None or d > (2 if long else 1) or (d == 2 and cz < zipf + FAR_MARGIN):
            continue
        key = (d, not _doubling(word, cand), -cz, cand)
        if (best is None or key < best) and _accepted(cand):
            best = key
    return (best[3], best[0]) if best else None


_ENDINGS = ("s", "es", "d", "ed", "ing", "er", "ers", "ly", "ee", "ees")


def _inflects(word: str, cand: str) -> bool:
    """Whether ``word`` is ``cand`` with an ending added ("speeded", "evolutions",
    "transferee"): a question of grammar or usage, not of spelling."""
    return word.startswith(cand) and word[len(cand) :] in _ENDINGS


# --- British spellings --------------------------------------------------------------------------

# British → American endings; each applied where it matches, alone and together.
_OUR_ENDS = "s|ed|ing|er|ers|ite|ites|able|ably|ful|fully|less|ism|ist|ists|hood|hoods|ly|al|ary"
_LL_ENDS = "ed|ing|er|ers|or|ors|ist|ists|ous|ously|ery"
_GB_US = [
    (re.compile(rf"(?<=[a-z]{{2}})our(?=(?:{_OUR_ENDS})?$)"), "or"),  # colour, honourable
    (re.compile(r"(?<=[a-z]{2})is(?=(?:e|ed|es|ing|ation|ations|er|ers|able)$)"), "iz"),  # -ise
    (re.compile(r"(?<=[a-z]{2})ys(?=(?:e|ed|es|ing|er|ers)$)"), "yz"),  # analyse
    (re.compile(r"(?<=[a-z]{2}[bvt])re(?=s?$)"), "er"),  # centre, fibre, manoeuvre
    (re.compile(r"(?<=[a-z]{2})tr(?=(?:ed|ing)$)"), "ter"),  # centred
    (re.compile(rf"(?<=[a-z]{{2}}[aeiou])ll(?=(?:{_LL_ENDS})$)"), "l"),  # travelled, councillor
    (re.compile(r"(?<=[a-z])ence(?=s?$)"), "ense"),  # defence, licence
    (re.compile(r"(?:ae|oe)(?=[a-z]{2})"), "e"),  # leukaemia, oesophagus
    (re.compile(r"(?<=[a-z]{3})mme(?=s?$)"), "m"),  # programme
    (re.compile(r"(?<=[a-z]{3})ogue(?=s?$)"), "og"),  # catalogue
    (re.compile(r"(?<=dg)e(?=ments?$)"), ""),  # judgement
    (re.compile(r"^(fulfi|enro|insti|disti|appa|enthra)l(?=(?:s|ment|ments)?$)"), r"\1ll"),
    (re.compile(r"^(ski|wi)lful"), r"\1llful"),
    (re.compile(r"(?<=[a-z]{3})tise(?=s?$)"), "tice"),  # practise
]
# British words no ending rule reaches (the common ones pass as common words anyway).
_BRITISH = frozenset(
    """amongst whilst learnt spelt spoilt dreamt burnt smelt leant gaol gaols kerb kerbs tyre
    tyres storey storeys cheque cheques pyjamas aluminium plough ploughs ploughed draught
    draughts mould moulds mouldy moulded sceptic sceptics sceptical scepticism artefact
    artefacts speciality specialities tonne tonnes moustache sulphur aeroplane aeroplanes
    jewellery cosy grey greys greyer whisky onwards ageing worshipper worshippers worshipped
    worshipping""".split()
)


@lru_cache(maxsize=100_000)
def american_forms(word: str) -> frozenset[str]:
    """The American spellings ``word`` may be the British form of (itself excluded)."""
    forms = {word}
    for pattern, repl in _GB_US:
        forms |= {pattern.sub(repl, f) for f in forms}
    forms.discard(word)
    return frozenset(forms)


def _accepted(word: str) -> bool:
    """Whether the dictionary accepts ``word``, as written or as the British form of a word."""
    if word in _BRITISH or _lookup(word):
        return True
    return any(_lookup(f) for f in american_forms(word))


# --- the dictionary and the frequency list, loaded on first use ---------------------------------

_LOCK = threading.RLock()
_DICTIONARY: list[Dictionary] = []  # one element once loaded


def dictionary() -> Dictionary:
    """spylls' bundled Hunspell en_US dictionary (SCOWL-based), loaded once (thread-safe)."""
    if not _DICTIONARY:
        with _LOCK:
            if not _DICTIONARY:
                _DICTIONARY.append(_load_en_us())
    return _DICTIONARY[0]


def _load_en_us() -> Dictionary:
    """``Dictionary.from_files("en_US")`` with its files closed: spylls leaves the ``.aff``
    and ``.dic`` files open (its reader reopens a file to change the encoding and closes
    neither), a ResourceWarning under ``python -W default``."""
    import os

    from spylls.hunspell import Dictionary, readers
    from spylls.hunspell.readers.file_reader import FileReader

    class Reader(FileReader):  # type: ignore[misc]
        def reset_io(self, obj: object) -> None:
            old = getattr(self, "io", None)
            super().reset_io(obj)
            if old is not None:
                old.close()

    base = os.path.dirname(os.path.realpath(readers.__file__))
    path = os.path.join(os.path.dirname(base), "data", Dictionary.DISTRIBUTED["en_US"], "en_US")
    aff_file = Reader(path + ".aff")
    try:
        aff, context = readers.read_aff(aff_file)
    finally:
        aff_file.io.close()
    dic_file = Reader(path + ".dic", encoding=context.encoding)
    try:
        dic = readers.read_dic(dic_file, aff=aff, context=context)
    finally:
        dic_file.io.close()
    return Dictionary(aff, dic)


@lru_cache(maxsize=200_000)
def _lookup(word: str) -> bool:
    return bool(dictionary().lookup(word))


def _zipf(word: str, lang: str = "en") -> float:
    """wordfreq's Zipf frequency (0 = unknown), shared with the other target checks."""
    return zipf(word, lang)


def _french(word: str, zipf: float) -> bool:
    """A common French word, much rarer in English ("gouvernement", "majeure")."""
    fr = _zipf(word, "fr")
    return fr >= 4.0 and fr - zipf >= 1.5


def _deletes_index() -> dict[str, tuple[str, ...]]:
    """Each common word and each of its one-letter deletions → the common words it comes from."""
    with _LOCK:  # built once, by one thread
        return _build_deletes_index()


@lru_cache(maxsize=1)
def _build_deletes_index() -> dict[str, tuple[str, ...]]:
    from wordfreq import top_n_list

    index: dict[str, list[str]] = {}
    for w in top_n_list("en", 40_000):
        if len(w) < MIN_LENGTH - 1 or not (w.isalpha() and w.isascii() and w.islower()):
            continue
        if _zipf(w) < SUGGESTION_ZIPF:
            break  # most frequent first
        for d in {w} | _deletes(w):
            index.setdefault(d, []).append(w)
    return {k: tuple(v) for k, v in index.items()}


def _deletes(w: str) -> set[str]:
    return {w[:i] + w[i + 1 :] for i in range(len(w))}


def _neighbours(word: str) -> set[str]:
    """Common words reachable by up to two deletions from ``word`` and one from the word:
    every word one edit away (a swap of neighbours included) and most words two away."""
    index = _deletes_index()
    forms = {word} | _deletes(word)
    if len(word) >= LONG_WORD:
        forms |= {d2 for d in list(forms) for d2 in _deletes(d)}
    return {c for f in forms for c in index.get(f, ())}


# Letters one may write for another: any vowel for any vowel ("seperate", "existance"),
# letters that sound alike, and "i"/"l", which look alike in scanned text ("famiiy").
# Keyboard slips are left out: MT output has none, and they make real words look like
# misspellings ("scalable" → "capable").
_SOUND_ALIKE = ("cs", "ck", "kq", "sz", "gj", "mn", "dt", "bp", "fv", "il")
_SIMILAR = frozenset(
    {(a, b) for a in "aeiouy" for b in "aeiouy"}
    | {(p[0], p[1]) for p in _SOUND_ALIKE}
    | {(p[1], p[0]) for p in _SOUND_ALIKE}
)
_DOUBLED = re.compile(r"(.)\1+")


def edit_distance(a: str, b: str) -> int | None:
    """How many slips turn ``b`` into ``a``; None when ``a`` is no misspelling of ``b``.

    Letters doubled wrongly and nothing else count one ("occured", "tommorow"). Otherwise a
    slip is a letter dropped or added, two neighbours swapped ("recieve"), or a letter
    replaced by a similar one. Letters are either all dropped or all added, never both, and
    an unrelated letter never stands for another: "underride" is no misspelling of
    "underside", nor "interfluve" of "interlude".
    """
    if _doubling(a, b):
        return 1
    return _slips(a, b)


def _doubling(a: str, b: str) -> bool:
    """Whether ``a`` and ``b`` differ in doubled letters only."""
    return a != b and _DOUBLED.sub(r"\1", a) == _DOUBLED.sub(r"\1", b)


def _slips(a: str, b: str) -> int | None:
    """Optimal-string-alignment distance from ``b`` to ``a`` that changes the length one way
    only (deletions from ``a`` when it is longer, insertions when it is shorter, neither when
    the lengths are equal) and substitutes similar letters only; None when no alignment
    exists."""
    inf = 1 << 20
    drop = 1 if len(a) > len(b) else inf  # a letter of a that b lacks
    add = 1 if len(a) < len(b) else inf  # a letter of b that a lacks
    prev2: list[int] = []
    prev = [min(j * add, inf) for j in range(len(b) + 1)]
    for i in range(1, len(a) + 1):
        cur = [min(i * drop, inf)] + [0] * len(b)
        for j in range(1, len(b) + 1):
            x, y = a[i - 1], b[j - 1]
            sub = 0 if x == y else 1 if (x, y) in _SIMILAR else inf
            cur[j] = min(prev[j] + drop, cur[j - 1] + add, prev[j - 1] + sub, inf)
            if i > 1 and j > 1 and x == b[j - 2] and a[i - 2] == y:
                cur[j] = min(cur[j], prev2[j - 2] + 1)
        prev2, prev = prev, cur
    return prev[len(b)] if prev[len(b)] < inf else None


class Spelling(Check):
    """The ``spelling`` check: :func:`spelling_spans` as a registry check."""

    id = RULE_ID
    machine = False  # a code name is no word: mtqa.machine
    severity: Severity = "minor"
    score = 0.8

    def find(self, text: str, source: str | None = None) -> Iterator[Hit]:
        """Every misspelled word of the sentence ``text``, its suggestion in the reason and as
        the span's fix."""
        for f in spelling_spans(text):
            yield Hit(f.start, f.end, f.reason, f.severity, suggestion=f.suggestion)
