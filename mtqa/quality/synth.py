"""The error-injection generator: clean English → MT-like errors with gold spans.

Each injector takes one clean sentence and a seeded ``random.Random`` and returns
the corrupted sentence with the character span(s) of the error, or ``None`` when
it does not apply. The kinds imitate what French→English MT gets wrong: false
friends, word-for-word calques, French-looking non-words, untranslated French,
French typography, broken sentence joins, adjective-after-noun order, doubled
and dropped words, and a wrong content word. The output is in the gold format
(``{"id", "target", "spans": [{"start","end","text","severity","category"}]}``).

Severity follows the seed's convention: ``major`` = the reader cannot recover
the meaning (wrong word, non-word, French left in, garbled join or quote);
``minor`` = awkward but understandable (calque, word order, spacing, doubling).

Everything is deterministic for a given seed and input order. The tables (false
friends, calques, French words) are data: ``mtqa/data/words/synth.toml``.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from mtqa.data import word_lists
from mtqa.text import ASCII_WORD

Injected = tuple[str, list[tuple[int, int, str]]]  # new text, [(start, end, severity)]

_TABLES = word_lists("synth")  # mtqa/data/words/synth.toml
_WORD = ASCII_WORD  # ASCII letters: the shipped detectors were fitted on what it injects

#: English word → the false friend a French source drags in (actuellement → actually)
FALSE_FRIENDS: dict[str, str] = {k: v for k, v in _TABLES["false_friends"].items() if k != v}
#: English phrase → its word-for-word French rendering
CALQUES: dict[str, str] = dict(_TABLES["calques"])
#: English word/phrase → French, for untranslated leftovers
FRENCH: dict[str, str] = dict(_TABLES["french"])
#: French adverbials that MT sometimes leaves in, inserted at a clause start
FRENCH_INSERTS: tuple[str, ...] = tuple(_TABLES["french_inserts"])
ADJECTIVES = frozenset(_TABLES["adjectives"])
FUNCTION_WORDS: tuple[str, ...] = tuple(_TABLES["function_words"])


def _word_spans(text: str) -> list[tuple[int, int]]:
    return [(m.start(), m.end()) for m in _WORD.finditer(text)]


def _replace(text: str, start: int, end: int, new: str, severity: str) -> Injected:
    return text[:start] + new + text[end:], [(start, start + len(new), severity)]


def _find_phrase(text: str, phrase: str, rng: random.Random) -> tuple[int, int] | None:
    hits = [m.span() for m in re.finditer(r"(?<![\w-])" + re.escape(phrase) + r"(?![\w-])", text)]
    return rng.choice(hits) if hits else None


def _from_table(
    table: dict[str, str], severity: str
) -> Callable[[str, random.Random], Injected | None]:
    def inject(text: str, rng: random.Random) -> Injected | None:
        keys = [k for k in table if _find_phrase(text, k, rng)]
        if not keys:
            # also try a capitalised sentence start ("However" → "Toutefois")
            keys = [k for k in table if text.startswith(k[:1].upper() + k[1:] + " ")]
            if not keys:
                return None
            k = rng.choice(keys)
            new = table[k][:1].upper() + table[k][1:]
            return _replace(text, 0, len(k), new, severity)
        k = rng.choice(sorted(keys))
        hit = _find_phrase(text, k, rng)
        assert hit is not None
        return _replace(text, hit[0], hit[1], table[k], severity)

    return inject


def false_friend(text: str, rng: random.Random) -> Injected | None:
    """A word replaced by the false friend a French source drags in ("actually" for "currently")."""
    return _from_table(FALSE_FRIENDS, "major")(text, rng)


def calque(text: str, rng: random.Random) -> Injected | None:
    """A phrase rendered word for word from French ("take a decision"), or a genitive calque."""
    out = _from_table(CALQUES, "minor")(text, rng)
    if out is not None:
        return out
    # genitive calque: "Europe's doorstep" → "the doorstep of Europe"
    m = list(re.finditer(r"\b([A-Z][a-z]+)['’]s ([a-z]+)\b", text))
    if not m:
        return None
    g = rng.choice(m)
    return _replace(text, g.start(), g.end(), f"the {g.group(2)} of {g.group(1)}", "minor")


_PREFIXES = ("in", "des", "re", "de", "en", "a")
_SUFFIX_SWAPS = (
    ("ization", "isation"),
    ("ment", "ement"),
    ("ity", "ite"),
    ("ize", "ise"),
    ("ed", "ated"),
    ("ing", "ating"),
    ("s", "es"),
    ("y", "ie"),
    ("al", "el"),
    ("ic", "ique"),
    ("ous", "eux"),
    ("ist", "iste"),
    ("er", "eur"),
)


def _is_word(w: str) -> bool:
    from wordfreq import zipf_frequency

    return zipf_frequency(w, "en") > 0.0


def non_word(text: str, rng: random.Random) -> Injected | None:
    """A French-looking coinage: 'insupports', 'reinforcate', 'developpement'."""
    cands = [(s, e) for s, e in _word_spans(text) if e - s >= 5 and text[s].islower()]
    rng.shuffle(cands)
    for s, e in cands[:6]:
        w = text[s:e]
        options = [p + w for p in _PREFIXES]
        options += [w[: -len(a)] + b for a, b in _SUFFIX_SWAPS if w.endswith(a)]
        options += [w[:i] + w[i] + w[i:] for i in range(2, len(w) - 1) if w[i] in "lptmnrs"]
        rng.shuffle(options)
        for new in options:
            if not _is_word(new):
                return _replace(text, s, e, new, "major")
    return None


def untranslated(text: str, rng: random.Random) -> Injected | None:
    """A word or phrase left in French ("selon"), or a French adverbial inserted after a comma."""
    out = _from_table(FRENCH, "major")(text, rng)
    if out is not None and rng.random() < 0.8:
        return out
    commas = [m.end() for m in re.finditer(r", ", text)]
    if not commas:
        return out
    at = rng.choice(commas)
    phrase = rng.choice(FRENCH_INSERTS)
    new = text[:at] + phrase + ", " + text[at:]
    return new, [(at, at + len(phrase), "major")]


def _space_before(text: str, rng: random.Random) -> Injected | None:
    m = rng.choice(list(re.finditer(r"(\w)([;:!?])", text)))
    new = text[: m.start(2)] + " " + text[m.start(2) :]
    return new, [(m.start(1), m.end(2) + 1, "minor")]


def _guillemets(text: str, rng: random.Random) -> Injected | None:
    m = rng.choice(list(re.finditer(r"[“\"]([^”\"]+)[”\"]", text)))
    new = text[: m.start()] + "« " + m.group(1) + " »" + text[m.end() :]
    return new, [(m.start(), m.start() + 1, "minor"), (m.end() + 1, m.end() + 2, "minor")]


def _close_quote(text: str, rng: random.Random) -> Injected | None:
    """'if he chooses,” he said' → 'if he chooses, ”he said'."""
    ms = list(re.finditer(r"([,.]?)[”\"] (\w+)", text))
    if not ms:
        return None
    m = rng.choice(ms)
    new = text[: m.start()] + m.group(1) + " ”" + m.group(2) + text[m.end() :]
    q = m.start() + len(m.group(1)) + 1
    return new, [(q, q + 1 + len(m.group(2)), "minor")]


def _stray(text: str, rng: random.Random) -> Injected | None:
    return text + " .", [(len(text) - 1, len(text) + 2, "minor")]


def _orphan(text: str, rng: random.Random) -> Injected | None:
    """'. in the past “.': a quote opened at the end, the sentence broken before it."""
    words = _word_spans(text)
    if len(words) < 6:
        return None
    s = words[-3][0]
    new = text[:s].rstrip() + ". " + text[s:-1] + " “."
    start = len(text[:s].rstrip())
    return new, [(start, len(new), "major")]


def _comma_space(text: str, rng: random.Random) -> Injected | None:
    m = rng.choice(list(re.finditer(r"(\w),( )", text)))
    new = text[: m.start() + 1] + " ," + text[m.end() - 1 :]
    return new, [(m.start(), m.start() + 3, "minor")]


# typography slips: (applies when the text matches, injector), in the order they are offered
_TYPOGRAPHY: tuple[tuple[str, Callable[[str, random.Random], Injected | None]], ...] = (
    (r"\w[;:!?]", _space_before),
    (r"[“\"][^”\"]+[”\"]", _guillemets),
    (r"[”\"] \w", _close_quote),
    (r"\w\.$", _stray),
    (r"\w\.$", _orphan),
    (r"\w, ", _comma_space),
)


def typography(text: str, rng: random.Random) -> Injected | None:
    """French punctuation habits: spaces before ; : ! ?, « », stray ". .", ', ”he'."""
    kinds = [inject for pattern, inject in _TYPOGRAPHY if re.search(pattern, text)]
    if not kinds:
        return None
    return rng.choice(kinds)(text, rng)


def broken_join(text: str, rng: random.Random) -> Injected | None:
    """A full stop inside a clause: 'the conflict in the east. is rebel from Ukraine'."""
    words = _word_spans(text)
    if len(words) < 8:
        return None
    k = rng.randrange(3, len(words) - 3)
    (s0, e0), (s1, e1) = words[k], words[k + 1]
    if not text[s1].islower() or text[e0:s1] != " ":
        return None
    new = text[:e0] + "." + text[e0:]
    return new, [(s0, e1 + 1, "major")]


def word_order(text: str, rng: random.Random) -> Injected | None:
    """Adjective after its noun: 'the crisis political'."""
    words = _word_spans(text)
    pairs = [
        (a, b)
        for a, b in zip(words, words[1:])
        if text[a[0] : a[1]].lower() in ADJECTIVES
        and text[b[0]].islower()
        and text[a[1] : b[0]] == " "
        and text[b[0] : b[1]] not in ADJECTIVES
        and text[b[1] : b[1] + 1] in ("", " ", ",", ".")
        and text[a[0] : a[1]].lower() not in ("first", "second", "last", "next", "only")
        and len(text[b[0] : b[1]]) > 3
    ]
    if not pairs:
        return None
    a, b = rng.choice(pairs)
    adj, noun = text[a[0] : a[1]], text[b[0] : b[1]]
    if adj[0].isupper() and a[0] == 0:
        adj, noun = adj[0].lower() + adj[1:], noun[0].upper() + noun[1:]
    new = text[: a[0]] + noun + " " + adj + text[b[1] :]
    return new, [(a[0], b[1], "minor")]


def doubled(text: str, rng: random.Random) -> Injected | None:
    """A word written twice ("the the")."""
    words = _word_spans(text)
    if len(words) < 4:
        return None
    s, e = words[rng.randrange(1, len(words))]
    w = text[s:e]
    new = text[:e] + " " + w + text[e:]
    return new, [(s, e + 1 + len(w), "minor")]


def dropped(text: str, rng: random.Random) -> Injected | None:
    """A function word left out; the span is the two words around the gap."""
    words = _word_spans(text)
    idx = [
        k
        for k in range(1, len(words) - 1)
        if text[words[k][0] : words[k][1]] in FUNCTION_WORDS
        and text[words[k - 1][1] : words[k][0]] == " "
    ]
    if not idx:
        return None
    k = rng.choice(idx)
    (ps, _), (s, e), (_, ne) = words[k - 1], words[k], words[k + 1]
    new = text[:s] + text[e + 1 :]
    return new, [(ps, ne - (e + 1 - s), "minor")]


_POOL: list[str] = []


def wrong_word(text: str, rng: random.Random) -> Injected | None:
    """A content word replaced by an unrelated one of similar frequency (a mistranslation)."""
    from wordfreq import top_n_list, zipf_frequency

    if not _POOL:
        _POOL.extend(w for w in top_n_list("en", 20000)[2000:] if w.isalpha() and len(w) > 3)
    cands = [(s, e) for s, e in _word_spans(text)[1:] if e - s >= 5 and text[s].islower()]
    if not cands:
        return None
    s, e = rng.choice(cands)
    z = zipf_frequency(text[s:e], "en")
    for _ in range(30):
        w = rng.choice(_POOL)
        if abs(zipf_frequency(w, "en") - z) < 0.7 and w != text[s:e]:
            return _replace(text, s, e, w, "major")
    return None


@dataclass(frozen=True)
class Injector:
    """One kind of injected error: its category, its function, its weight in the draw."""

    category: str
    fn: Callable[[str, random.Random], Injected | None]
    weight: float = 1.0


INJECTORS: dict[str, Injector] = {
    i.category: i
    for i in (
        Injector("false-friend", false_friend, 4.0),
        Injector("calque", calque, 3.0),
        Injector("non-word", non_word),
        Injector("untranslated", untranslated),
        Injector("typography", typography),
        Injector("broken-join", broken_join),
        Injector("word-order", word_order),
        Injector("doubled", doubled, 0.5),
        Injector("dropped", dropped, 0.5),
        Injector("wrong-word", wrong_word),
    )
}


def corrupt(text: str, rng: random.Random, categories: Sequence[str] | None = None) -> dict | None:
    """One injected error in ``text``: a category chosen by weight among those that apply."""
    names = list(categories or INJECTORS)
    seeds = [rng.randrange(1 << 30) for _ in names]  # one stream per category: stable choices
    applicable = []
    for name, sd in zip(names, seeds):
        out = INJECTORS[name].fn(text, random.Random(sd))
        if out is not None and out[0] != text:
            applicable.append((name, out))
    if not applicable:
        return None
    weights = [INJECTORS[n].weight for n, _ in applicable]
    name, (new, spans) = applicable[rng.choices(range(len(applicable)), weights=weights)[0]]
    return {
        "target": new,
        "spans": [
            {"start": s, "end": e, "text": new[s:e], "severity": sev, "category": name}
            for s, e, sev in spans
        ],
    }


def make_records(
    lines: Sequence[str], seed: int, rate: float = 0.5, prefix: str = "syn"
) -> list[dict]:
    """Gold-format records, one per line; about ``rate`` of them get one injected error."""
    rng = random.Random(seed)
    out = []
    for i, line in enumerate(lines):
        rec = corrupt(line, rng) if rng.random() < rate else None
        if rec is None:
            rec = {"target": line, "spans": []}
        out.append({"id": f"{prefix}-{i + 1}", **rec})
    return out
