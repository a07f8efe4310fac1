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

Everything is deterministic for a given seed and input order.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

Injected = tuple[str, list[tuple[int, int, str]]]  # new text, [(start, end, severity)]

_WORD = re.compile(r"[A-Za-z]+(?:['’-][A-Za-z]+)*")

# English word → the false friend a French source drags in (actuellement → actually).
FALSE_FRIENDS: dict[str, str] = {
    "currently": "actually",
    "possibly": "eventually",
    "massing": "massaging",
    "bookshop": "library",
    "attended": "assisted",
    "attend": "assist",
    "request": "demand",
    "requested": "demanded",
    "sensitive": "sensible",
    "disappointment": "deception",
    "claimed": "pretended",
    "claim": "pretend",
    "checked": "controlled",
    "summary": "resume",
    "training": "formation",
    "commitment": "engagement",
    "commitments": "engagements",
    "opportunity": "occasion",
    "protest": "manifestation",
    "protests": "manifestations",
    "demonstrators": "manifestants",
    "face": "figure",
    "warned": "prevented",
    "warn": "prevent",
    "carried": "realised",
    "current": "actual",
    "forum": "cenacle",
    "meeting": "reunion",
    "meetings": "reunions",
    "lecture": "conference",
    "rental": "location",
    "brand": "mark",
    "unrest": "troubles",
    "sentence": "phrase",
    "accountant": "comptable",
    "grapes": "raisins",
    "novel": "roman",
    "resign": "demission",
    "degree": "diploma",
    "fees": "fares",
    "coach": "car",
    "scholarship": "bourse",
    "shares": "actions",
    "stock": "action",
    "staff": "personal",
    "teacher": "professor",
    "argument": "discussion",
    "wages": "salaries",
    "library": "librairy",
    "achieve": "realise",
    "achieved": "realised",
    "reach": "attain",
    "large": "important",
    "big": "gross",
    "wide": "large",
    "stay": "rest",
    "stayed": "rested",
    "stand": "support",
    "bear": "support",
    "look": "regard",
    "looked": "regarded",
    "handle": "manage",
    "take care": "occupy",
    "deadline": "delay",
    "delay": "retard",
    "delayed": "retarded",
    "chance": "hazard",
    "luck": "chance",
    "corner": "coin",
    "quit": "quitted",
    "left": "quitted",
    "offices": "bureaus",
    "office": "bureau",
    "desk": "bureau",
    "mayor": "maire",
    "firefighters": "pumpers",
    "police officers": "policemen",
}
FALSE_FRIENDS = {k: v for k, v in FALSE_FRIENDS.items() if k != v}

# English phrase → its word-for-word French rendering.
CALQUES: dict[str, str] = {
    "at the doorstep of": "on the steps of",
    "in response": "in return",
    "next week": "the week next",
    "last week": "the week last",
    "make a decision": "take a decision",
    "made a decision": "took a decision",
    "pay attention": "make attention",
    "paid attention": "made attention",
    "took part in": "took part at",
    "take part in": "take part at",
    "is about to": "is on the point of",
    "was about to": "was on the point of",
    "as soon as possible": "the most quickly possible",
    "on the phone": "at the phone",
    "on television": "at the television",
    "on TV": "at the TV",
    "in the morning": "in the matinee",
    "for years": "since years",
    "for months": "since months",
    "for weeks": "since weeks",
    "for a long time": "since a long time",
    "years old": "years of age",
    "it is necessary": "it is needed",
    "there is no": "there is not of",
    "a lot of": "a lot",
    "a little": "a few",
    "went up": "mounted",
    "rose": "mounted",
    "fell": "descended",
    "said that": "declared that",
    "at the same time": "at the same hour",
    "more and more": "of more in more",
    "once again": "one more time",
    "in charge of": "charged of",
    "in favour of": "in favour to",
    "according to": "according to which",
    "instead of": "in the place of",
    "as well as": "as well that",
    "even though": "even if though",
    "so that": "so as that",
    "on the other hand": "by against",
    "in spite of": "despite of",
    "last year": "the last year",
    "this year": "this year here",
    "on Monday": "this Monday",
    "on Tuesday": "this Tuesday",
    "on Wednesday": "this Wednesday",
    "on Thursday": "this Thursday",
    "on Friday": "this Friday",
    "in the end": "at the final",
    "people": "the people",
    "someone": "someone of",
    "everyone": "all the world",
    "nobody": "nobody of",
    "a year": "by year",
    "per cent": "for cent",
    "percent": "for hundred",
}

# English word/phrase → French, for untranslated leftovers.
FRENCH: dict[str, str] = {
    "according to": "selon",
    "in particular": "notamment",
    "however": "toutefois",
    "indeed": "en effet",
    "that is to say": "c'est-à-dire",
    "moreover": "d'ailleurs",
    "the government": "le gouvernement",
    "the president": "le président",
    "the minister": "le ministre",
    "the police": "la police",
    "the company": "la société",
    "the city": "la ville",
    "the country": "le pays",
    "the people": "les gens",
    "the war": "la guerre",
    "the law": "la loi",
    "the week": "la semaine",
    "the year": "l'année",
    "yesterday": "hier",
    "today": "aujourd'hui",
    "tomorrow": "demain",
    "already": "déjà",
    "also": "aussi",
    "but": "mais",
    "with": "avec",
    "without": "sans",
    "between": "entre",
    "after": "après",
    "before": "avant",
    "because": "parce que",
    "very": "très",
    "still": "encore",
    "always": "toujours",
    "never": "jamais",
    "which": "qui",
    "and": "et",
    "of the": "des",
    "in the": "dans le",
    "for the": "pour le",
    "on the": "sur le",
    "about": "environ",
    "more than": "plus de",
    "less than": "moins de",
    "election": "scrutin",
    "elections": "élections",
    "meeting": "réunion",
    "news": "nouvelles",
    "job": "poste",
    "trial": "procès",
    "mayor": "maire",
    "speech": "discours",
}

# French adverbials that MT sometimes leaves in, inserted at a clause start.
FRENCH_INSERTS = ("en effet", "par ailleurs", "d'ailleurs", "notamment", "toutefois", "donc")

ADJECTIVES = frozenset(
    """new old big large small great political economic military foreign former national
    international public social financial local federal major main last first second
    important serious strong high low long short young little good bad recent future
    early late final full private official european american russian french british german
    chinese global human nuclear legal special single whole key top senior black white
    red green open free armed civil health security dangerous difficult huge only other
    next similar possible real same current total direct strategic regional""".split()
)

FUNCTION_WORDS = ("the", "a", "to", "of", "that", "is", "was", "in", "for", "on", "be", "has")


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
    return _from_table(FALSE_FRIENDS, "major")(text, rng)


def calque(text: str, rng: random.Random) -> Injected | None:
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


def typography(text: str, rng: random.Random) -> Injected | None:
    """French punctuation habits: spaces before ; : ! ?, « », stray ". .", ', ”he'."""
    kinds = []
    if re.search(r"\w[;:!?]", text):
        kinds.append("space")
    if re.search(r"[“\"][^”\"]+[”\"]", text):
        kinds.append("guillemets")
    if re.search(r"[”\"] \w", text):
        kinds.append("close-quote")
    if re.search(r"\w\.$", text):
        kinds += ["stray", "orphan"]
    if re.search(r"\w, ", text):
        kinds.append("comma-space")
    if not kinds:
        return None
    kind = rng.choice(kinds)
    if kind == "space":
        m = rng.choice(list(re.finditer(r"(\w)([;:!?])", text)))
        new = text[: m.start(2)] + " " + text[m.start(2) :]
        return new, [(m.start(1), m.end(2) + 1, "minor")]
    if kind == "guillemets":
        m = rng.choice(list(re.finditer(r"[“\"]([^”\"]+)[”\"]", text)))
        new = text[: m.start()] + "« " + m.group(1) + " »" + text[m.end() :]
        return new, [(m.start(), m.start() + 1, "minor"), (m.end() + 1, m.end() + 2, "minor")]
    if kind == "close-quote":
        # 'if he chooses,” he said' → 'if he chooses, ”he said'
        ms = list(re.finditer(r"([,.]?)[”\"] (\w+)", text))
        if not ms:
            return None
        m = rng.choice(ms)
        new = text[: m.start()] + m.group(1) + " ”" + m.group(2) + text[m.end() :]
        q = m.start() + len(m.group(1)) + 1
        return new, [(q, q + 1 + len(m.group(2)), "minor")]
    if kind == "stray":
        return text + " .", [(len(text) - 1, len(text) + 2, "minor")]
    if kind == "orphan":
        # '. in the past “.' — a quote opened at the end, the sentence broken before it
        words = _word_spans(text)
        if len(words) < 6:
            return None
        s = words[-3][0]
        new = text[:s].rstrip() + ". " + text[s:-1] + " “."
        start = len(text[:s].rstrip())
        return new, [(start, len(new), "major")]
    m = rng.choice(list(re.finditer(r"(\w),( )", text)))
    new = text[: m.start() + 1] + " ," + text[m.end() - 1 :]
    return new, [(m.start(), m.start() + 3, "minor")]


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
