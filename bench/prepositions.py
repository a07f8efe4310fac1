"""What the preposition, missing-word, agreement and extra-word probes (mtqa/confusion.py) flag.

    python bench/prepositions.py [--kind preposition|missing-word|agreement|extra-word]
        [--model gemma3-270m] [--dtype auto] [--json OUT]

``--kind missing-word`` measures ``rule:missing-word`` the same way (its flags say "a word
looks missing before", its gate is :data:`~mtqa.confusion.INS_EXPECT` /
:data:`~mtqa.confusion.INS_MARGIN` / :data:`~mtqa.confusion.INS_PROBES` /
:data:`~mtqa.confusion.INS_GAIN`, and its injected lines have one function word of
:data:`~mtqa.confusion.FUNCTION_WORDS` deleted: *play a key role* → *play key role*; found =
a flag on the word after the gap, fixed back = its fix puts the deleted word back).
Results: ``bench/missing_words.json``. ``--kind agreement`` flips one word of a pair
(``bench/agreements.json``). ``--kind extra-word`` measures ``rule:extra-word`` (gate
:data:`~mtqa.confusion.DEL_GATE` as ``--margin``, :data:`~mtqa.confusion.DEL_PROBES`,
:data:`~mtqa.confusion.DEL_GAIN`) on two injected sets: *the* put before a bare word after a
preposition (*contact with the people*: French's article) and a word of
:data:`~mtqa.confusion.EXTRA_WORDS` put at random before a lower-case word (some of these
are good English); found = a flag on the word put in, fixed back = its fix deletes it
(``bench/extra_words.json``). The rest of this text says it for prepositions.

The product's own path: each line is one document, checked as ``mtqa check`` checks a
JSONL record (:func:`mtqa.engines.base.check_documents`, the shipped detector), and a
preposition flag is a span whose reason says "looks like the wrong preposition" (its own
``rule:preposition`` span, or an LM span it gave its fix). Sets:

* ``clean fit``: the first 400 lines of ``../shared/calibration/clean_en.txt`` (where
  :data:`~mtqa.confusion.PREP_GAIN` was read); ``clean held``: its last 300;
* ``news 2022``: the MT targets of ``../shared/mqm_dev/zhen_news_2022.jsonl``, with how many
  flags overlap a rater's span;
* ``injected``: lines 1,000–1,699 of ``clean_en.txt`` (shuffled, a fixed seed) with one of
  their prepositions swapped for another at random (*of* → *by*): how often the probe
  finds the swap, and how often any span (the LM's included) covers it.

``--floor F`` flags from ``F`` bits instead of :data:`~mtqa.confusion.PREP_GAIN` and counts
what each threshold from there would flag (the default's rows are those at ``PREP_GAIN``);
``--margin M`` and ``--surprisal S`` probe from another gate
(:data:`~mtqa.confusion.PREP_MARGIN`, :data:`~mtqa.confusion.PREP_SURPRISAL`), ``--probes
N`` another number a sentence, ``--sets`` a comma-separated choice of the sets above. Each
set's row has its wall time (``seconds``: compare a gate's with ``--margin 1000``, no
preposition probed, in the same session; the first set's includes warming up) and, for the
swaps, how many flags have the swapped-out preposition as their fix. Results:
``bench/prepositions.json``. About 5 minutes on 2 cores.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
sys.path.insert(0, str(ROOT))

from mtqa import confusion  # noqa: E402
from mtqa.confusion import (  # noqa: E402
    AGREEMENT_PAIRS,
    EXTRA_WORDS,
    FUNCTION_WORDS,
    PREP_GAIN,
    PREPOSITIONS,
)
from mtqa.records import Document, DocumentResult  # noqa: E402

SWAP = re.compile(r"(?<![\w'’-])(?:" + "|".join(PREPOSITIONS) + r")(?![\w'’-])")
#: a function word between two words, with the space after it (what a deletion removes)
DROP = re.compile(r"(?<= )(?:" + "|".join(sorted(FUNCTION_WORDS)) + r") (?=\w)")
MARKS = {
    "preposition": "looks like the wrong preposition",
    "missing-word": "looks missing before",
    "agreement": "does not agree with",
    "extra-word": "looks like an extra word",
}
PARTNER = {a: b for x, y in AGREEMENT_PAIRS for a, b in ((x, y), (y, x))}
FLIP = re.compile(r"(?<![\w'’-])(?:" + "|".join(sorted(PARTNER)) + r")(?![\w'’-])")
MARK = MARKS["preposition"]


def check(scorer, det, texts: list[str]) -> list[DocumentResult]:  # type: ignore[no-untyped-def]
    from mtqa.engines.base import check_documents

    docs = [Document(f"l{i}", t, f"l{i}") for i, t in enumerate(texts)]
    return check_documents(docs, scorer, det)


def flags(r: DocumentResult) -> list[tuple[int, int, str, str | None, float | None]]:
    return [(s.start, s.end, s.text, s.suggestion, s.gain) for s in r.spans if MARK in s.reason]


THRESHOLDS = (8.0, 9.0, 10.0, 11.0, 12.0)


def summary(name: str, texts: list[str], results: list[DocumentResult], floor: float) -> dict:
    hits = [(i, f) for i, r in enumerate(results) for f in flags(r)]
    at = {
        f">={t:g}": len({i for i, f in hits if (f[4] or 0) >= t}) for t in THRESHOLDS if t >= floor
    }
    row = {
        "set": name,
        "lines": len(texts),
        "lines flagged": at,
        "flags": [(texts[i][max(0, f[0] - 30) : f[1] + 20], f[2], f[3], f[4]) for i, f in hits],
    }
    print(f"{name:12} {len(texts):>5} lines  lines with a flag of this kind: {at}")
    return row


def main() -> int:
    global MARK
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--kind", choices=sorted(MARKS), default="preposition")
    ap.add_argument("--model", default="gemma3-270m")
    ap.add_argument("--dtype", default="auto")
    ap.add_argument("--json", default=None, help="default: bench/<kind>s.json")
    ap.add_argument("--floor", type=float, default=None, help="default: the kind's gain")
    ap.add_argument("--margin", type=float, default=None, help="default: the kind's margin")
    ap.add_argument("--surprisal", type=float, default=None, help="prepositions: least bits")
    ap.add_argument("--expect", type=float, default=None, help="missing words: most bits")
    ap.add_argument("--probes", type=int, default=None, help="default: the kind's number")
    ap.add_argument("--sets", default="clean fit,clean held,news 2022,injected")
    a = ap.parse_args()
    c = confusion
    MARK = MARKS[a.kind]
    if a.kind == "preposition":
        c.PREP_GAIN = a.floor = c.PREP_GAIN if a.floor is None else a.floor
        c.PREP_MARGIN = a.margin = c.PREP_MARGIN if a.margin is None else a.margin
        c.PREP_PROBES = a.probes = c.PREP_PROBES if a.probes is None else a.probes
        c.PREP_SURPRISAL = a.surprisal = c.PREP_SURPRISAL if a.surprisal is None else a.surprisal
        gate = {"surprisal": a.surprisal, "margin": a.margin, "probes": a.probes}
    elif a.kind == "agreement":
        c.AGREE_GAIN = a.floor = c.AGREE_GAIN if a.floor is None else a.floor
        c.AGREE_MARGIN = a.margin = c.AGREE_MARGIN if a.margin is None else a.margin
        c.AGREE_PROBES = a.probes = c.AGREE_PROBES if a.probes is None else a.probes
        s = c.AGREE_SURPRISAL if a.surprisal is None else a.surprisal
        c.AGREE_SURPRISAL = a.surprisal = s
        gate = {"surprisal": a.surprisal, "margin": a.margin, "probes": a.probes}
    elif a.kind == "extra-word":
        c.DEL_GAIN = a.floor = c.DEL_GAIN if a.floor is None else a.floor
        c.DEL_GATE = a.margin = c.DEL_GATE if a.margin is None else a.margin
        c.DEL_PROBES = a.probes = c.DEL_PROBES if a.probes is None else a.probes
        gate = {"gate": a.margin, "probes": a.probes}
    else:
        c.INS_GAIN = a.floor = c.INS_GAIN if a.floor is None else a.floor
        c.INS_MARGIN = a.margin = c.INS_MARGIN if a.margin is None else a.margin
        c.INS_PROBES = a.probes = c.INS_PROBES if a.probes is None else a.probes
        c.INS_EXPECT = a.expect = c.INS_EXPECT if a.expect is None else a.expect
        gate = {"expect": a.expect, "margin": a.margin, "probes": a.probes}
    a.json = a.json or str(ROOT / "bench" / f"{a.kind.replace('-', '_')}s.json")
    sets = a.sets.split(",")
    clean_path = SHARED / "calibration" / "clean_en.txt"
    news_path = SHARED / "mqm_dev" / "zhen_news_2022.jsonl"
    if not clean_path.is_file() or not news_path.is_file():
        print("bench/prepositions.py: ../shared (clean_en.txt, mqm_dev) is absent: it is needed")
        return 2
    from mtqa.detect import load_detector
    from mtqa.lm.hf import HFScorer

    scorer = HFScorer.load(a.model, dtype=a.dtype, device="cpu")
    det = load_detector(a.model, None, "default", None)
    clean = [x.strip() for x in clean_path.read_text(encoding="utf-8").splitlines() if x.strip()]
    rows = []
    for name, texts in (("clean fit", clean[:400]), ("clean held", clean[1700:])):
        if name in sets:
            t0 = time.perf_counter()
            rows.append(summary(name, texts, check(scorer, det, texts), a.floor))
            rows[-1]["seconds"] = round(time.perf_counter() - t0, 1)
    if "news 2022" in sets:
        rows.append(news_row(scorer, det, news_path, a.floor))
    if "injected" in sets:
        for kind in INJECTIONS[a.kind]:
            kw = dict(kind)
            kw["back_gain"] = kw["back_gain"](a.floor)
            rows.append(injection_row(scorer, det, clean, a.floor, **kw))
    out = {"model": scorer.signature(), "kind": a.kind, "floor": a.floor, "gate": gate}
    out["rows"] = rows
    Path(a.json).write_text(json.dumps(out, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"wrote {a.json}")
    return 0


def news_row(scorer, det, news_path: Path, floor: float) -> dict:  # type: ignore[no-untyped-def]
    """The news 2022 targets: lines flagged, and flags on a rater's span."""
    t0 = time.perf_counter()
    news = [json.loads(x) for x in news_path.open(encoding="utf-8")]
    results = check(scorer, det, [r["target"] for r in news])
    row = summary("news 2022", [r["target"] for r in news], results, floor)
    on = [
        (f[4] or 0.0, any(g["start"] < f[1] and f[0] < g["end"] for g in rec["spans"]))
        for rec, res in zip(news, results)
        for f in flags(res)
    ]
    row["flags on gold"] = {
        f">={t:g}": f"{sum(g for b, g in on if b >= t)}/{sum(b >= t for b, _ in on)}"
        for t in THRESHOLDS
        if t >= floor
    }
    print(f"{'':12} flags overlapping a rater's span: {row['flags on gold']}")
    row["seconds"] = round(time.perf_counter() - t0, 1)
    return row


Case = tuple[str, int, int, str]  # the injected line, the span it changed, the word before


def pick(rx: re.Pattern[str], t: str, rng: random.Random) -> re.Match[str] | None:
    """One of ``rx``'s matches in ``t``, drawn with ``rng`` (None: no match, nothing drawn)."""
    ms = list(rx.finditer(t))
    return rng.choice(ms) if ms else None


def injection_row(  # type: ignore[no-untyped-def]
    scorer,
    det,
    clean: list[str],
    floor: float,
    *,
    name: str,
    seed: int,
    lines: int,
    inject: Callable[[str, random.Random], Case | None],
    back: Callable[[str, str], bool],
    back_gain: float,
    says: str,
) -> dict:
    """Lines 1,000-1,699 of ``clean`` (shuffled with ``seed``, the first ``lines``), each
    with one error ``inject`` makes: how often a flag of this kind starts where the error
    is ("found"), how often its fix is what was there (``back(fix, word before)``, from
    ``back_gain`` bits), and how often another span covers it."""
    t0 = time.perf_counter()
    pool = clean[1000:1700]
    rng = random.Random(seed)
    rng.shuffle(pool)
    cases = [c for c in (inject(t, rng) for t in pool[:lines]) if c is not None]
    results = check(scorer, det, [c[0] for c in cases])
    best = [
        max(((f[4] or 0.0, f[3]) for f in flags(r) if f[0] == c[1]), default=(0.0, None))
        for c, r in zip(cases, results)
    ]
    found = {f">={t:g}": sum(g >= t for g, _ in best) for t in THRESHOLDS if t >= floor}
    fixed = sum(g >= back_gain and back(fix or "", c[3]) for (g, fix), c in zip(best, cases))
    lm = sum(
        any(s.start < c[2] and c[1] < s.end and MARK not in s.reason for s in r.spans)
        for c, r in zip(cases, results)
    )
    print(f"{'injected':12} {len(cases):>5} lines  the probe finds {found}; other spans: {lm}")
    print(f"{'':12} {says}: {fixed}")
    return {
        "set": name,
        "lines": len(cases),
        "found by the probe": found,
        "fixed back": fixed,
        "other spans": lm,
        "seconds": round(time.perf_counter() - t0, 1),
    }


def swap(t: str, rng: random.Random) -> Case | None:
    """One preposition swapped for another at random (*of* → *by*)."""
    if (m := pick(SWAP, t, rng)) is None:
        return None
    alt = rng.choice([p for p in PREPOSITIONS if p != m.group()])
    return t[: m.start()] + alt + t[m.end() :], m.start(), m.start() + len(alt), m.group()


def flip(t: str, rng: random.Random) -> Case | None:
    """One word of an agreement pair turned into the other (*is* → *are*)."""
    if (m := pick(FLIP, t, rng)) is None:
        return None
    other = PARTNER[m.group()]
    return t[: m.start()] + other + t[m.end() :], m.start(), m.start() + len(other), m.group()


def drop(t: str, rng: random.Random) -> Case | None:
    """One function word deleted, with the space after it (*play a key role* → *play key
    role*); the case's span is the first character of the word after the gap."""
    if (m := pick(DROP, t, rng)) is None:
        return None
    return t[: m.start()] + t[m.end() :], m.start(), m.start() + 1, m.group().strip()


#: *the* before a bare word after a preposition (not before a determiner, pronoun or the like)
BARE = re.compile(
    r"\b(?:with|of|in|for|to|from|about|by|on|and|like) "
    r"(?!(?:the|a|an|his|her|its|their|our|my|your|this|that|these|those|some|any|no|every|"
    r"each|all|both|many|much|more|most|one|two|three|it|them|him|us|me|you|we|they|he|she|"
    r"i|be|have|do|what|which|who|how|when|where|whether|if|not)\b)([a-z]+)\b"
)
#: a lower-case word after a space, not a line's first (where an extra word may go)
LOWER = re.compile(r"(?<=\w )([a-z]+)\b")


def article(t: str, rng: random.Random) -> Case | None:
    """*the* put before a bare word after a preposition (*in contact with the people*)."""
    if (m := pick(BARE, t, rng)) is None:
        return None
    at = m.start(1)
    return t[:at] + "the " + t[at:], at, at + 3, "the"


def extra(t: str, rng: random.Random) -> Case | None:
    """A word of :data:`~mtqa.confusion.EXTRA_WORDS` put before a lower-case word."""
    if (m := pick(LOWER, t, rng)) is None:
        return None
    w = rng.choice(sorted(EXTRA_WORDS))
    at = m.start(1)
    return t[:at] + w + " " + t[at:], at, at + len(w), w


#: each kind's injected sets: :func:`injection_row`'s arguments (``back_gain`` from the floor)
INJECTIONS: dict[str, list[dict]] = {
    "preposition": [
        {
            "name": "injected",
            "seed": 11,
            "lines": 200,
            "inject": swap,
            "back": lambda fix, was: fix == was,
            "back_gain": lambda floor: PREP_GAIN,
            "says": "its fix is the preposition swapped out",
        }
    ],
    "missing-word": [
        {
            "name": "injected (a function word deleted)",
            "seed": 5,
            "lines": 300,
            "inject": drop,
            "back": lambda fix, was: fix.split(" ")[0] == was,
            "back_gain": lambda floor: floor,
            "says": "its fix puts the deleted word back",
        }
    ],
    "agreement": [
        {
            "name": "injected (one of an agreement pair turned into the other)",
            "seed": 7,
            "lines": 300,
            "inject": flip,
            "back": lambda fix, was: fix == was,
            "back_gain": lambda floor: floor,
            "says": "its fix is the word turned",
        }
    ],
    "extra-word": [
        {
            "name": "injected (the before a bare word after a preposition)",
            "seed": 17,
            "lines": 200,
            "inject": article,
            "back": lambda fix, was: fix == "",
            "back_gain": lambda floor: floor,
            "says": "its fix deletes the word put in",
        },
        {
            "name": "injected (a function word put before a lower-case word)",
            "seed": 19,
            "lines": 300,
            "inject": extra,
            "back": lambda fix, was: fix == "",
            "back_gain": lambda floor: floor,
            "says": "its fix deletes the word put in",
        },
    ],
}


if __name__ == "__main__":
    raise SystemExit(main())
