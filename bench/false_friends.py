"""What the false-friend and calque rescoring (mtqa/confusion.py) gains on English and on MT.

    python bench/false_friends.py [--model gemma3-270m] [--dtype auto] [--json OUT]

Each line is scored alone (no document context), every probe of :func:`mtqa.confusion.probes`
(no budget) against the line as written; the gain is bits saved by the replacement, less
its unigram gain for a false friend (below the flag gate a positive one only: it never lifts
a gain to a flag; :meth:`mtqa.confusion.Probe.counted`), as the verdict counts it. It prints,
per set, the lines probed, the highest gain and how many lines reach 6 and 10 bits
(:data:`~mtqa.confusion.MINOR_GAIN`, :data:`~mtqa.confusion.MAJOR_GAIN`):

* ``clean fit`` / ``clean held``: the first 1,700 / last 300 lines of
  ``../shared/calibration/clean_en.txt`` (the thresholds were read off the first part);
* ``news 2022``: the MT targets of ``../shared/mqm_dev/zhen_news_2022.jsonl``;
* ``mqm calques``: the distinct targets of every ``mqm_dev`` file, calque rows only;
* ``injected``: clean lines with a listed word's English meaning (*former*, *court*, …)
  replaced by the listed word (*ancient*, *tribunal*), for the pairs the synthetic
  injector (``mtqa/data/words/synth.toml``) never uses: how often the LM confirms a false
  friend it was not built around (160 lines, a fixed seed);
* ``inflected``: the same with the forms :func:`mtqa.confusion.false_friends` adds (the
  inflections of the listed base forms), which nobody wrote down.

Results: ``bench/false_friends.json``. About 4 minutes on 2 cores.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
sys.path.insert(0, str(ROOT))

from mtqa.checks.calque import match_case  # noqa: E402
from mtqa.checks.false_friends import FALSE_FRIENDS, false_friends  # noqa: E402
from mtqa.confusion import CALQUE, MAJOR_GAIN, MINOR_GAIN, SOURCE, probes  # noqa: E402
from mtqa.records import WordScore  # noqa: E402

WORD = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*")


def words_of(text: str) -> list[WordScore]:
    return [
        WordScore(m.start(), m.end(), m.group(), 0.0, 1, 0.0, "word") for m in WORD.finditer(text)
    ]


def gains(scorer, text: str, sources: tuple[str, ...]) -> list[tuple[str, str, float]]:  # type: ignore[no-untyped-def]
    """Every probe of the line alone: (text replaced, replacement, gain in bits)."""
    ps = probes(text, (0, len(text)), words_of(text), (), 10_000, sources)
    if not ps:
        return []
    n0 = list(scorer.prefix_ids)
    items = [(n0 + list(scorer.encode_text(text).ids), len(n0))]
    for p in ps:
        variant = text[: p.start] + p.replacement + text[p.end :]
        items.append((n0 + list(scorer.encode_text(variant).ids), len(n0)))
    totals = scorer.suffix_totals(items)
    # the verdict's gain: a false friend's less what the words' frequencies alone explain
    return [
        (text[p.start : p.end], p.replacement, p.counted(totals[0] - t))
        for p, t in zip(ps, totals[1:])
    ]


def summary(name: str, per_line: list[list[tuple[str, str, float]]]) -> dict:
    best = [max(g for _, _, g in r) for r in per_line if r]
    top = sorted(((max(r, key=lambda x: x[2])) for r in per_line if r), key=lambda x: -x[2])[:5]
    row = {
        "set": name,
        "lines": len(per_line),
        "probed": len(best),
        "max_bits": round(max(best, default=float("nan")), 2),
        f">={MINOR_GAIN:g}": sum(b >= MINOR_GAIN for b in best),
        f">={MAJOR_GAIN:g}": sum(b >= MAJOR_GAIN for b in best),
        "top": [(a, b, round(g, 2)) for a, b, g in top],
    }
    print(
        f"{name:14} {row['lines']:>6} lines {row['probed']:>5} probed"
        f"  max {row['max_bits']:>6} bits"
        f"  >=6: {row['>=6']:>4}  >=10: {row['>=10']:>4}  top: {row['top'][:3]}"
    )
    return row


def injected(  # type: ignore[no-untyped-def]
    scorer, lines: list[str], pairs: dict[str, tuple[str, ...]], name: str, n: int = 160
) -> dict:
    """Pairs of ``pairs`` the injector never uses, put into clean lines (module docstring)."""
    synth = tomllib.loads((ROOT / "mtqa/data/words/synth.toml").read_text(encoding="utf-8"))
    used = {v.lower() for v in synth["false_friends"].values()}
    meaning: dict[str, str] = {}
    for wrong, rights in pairs.items():
        for r in rights:
            if wrong not in used and " " not in r and r.islower():
                meaning.setdefault(r, wrong)
    cases = []
    for t in lines:
        m = next((m for m in re.finditer(r"[a-z]+", t) if m.group() in meaning), None)
        if m is not None:
            cases.append((t, m))
    random.Random(7).shuffle(cases)
    found = []
    for t, m in cases[:n]:
        wrong = match_case(meaning[m.group()], m.group())
        bad = t[: m.start()] + wrong + t[m.end() :]
        g = [x for x in gains(scorer, bad, (SOURCE,)) if x[0] == wrong]
        found.append((m.group(), wrong, max((x[2] for x in g), default=float("-inf"))))
    row = {
        "set": name,
        "lines": len(found),
        "pairs": len({(a, b) for a, b, _ in found}),
        f">={MINOR_GAIN:g}": sum(g >= MINOR_GAIN for *_, g in found),
        f">={MAJOR_GAIN:g}": sum(g >= MAJOR_GAIN for *_, g in found),
        "cases": [(a, b, round(g, 2)) for a, b, g in found],
    }
    print(
        f"{name:14} {row['lines']:>6} lines ({row['pairs']} pairs)"
        f"  >=6: {row['>=6']:>4}  >=10: {row['>=10']:>4}"
    )
    return row


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--model", default="gemma3-270m")
    ap.add_argument("--dtype", default="auto")
    ap.add_argument("--json", default=str(ROOT / "bench" / "false_friends.json"))
    a = ap.parse_args()
    clean_path = SHARED / "calibration" / "clean_en.txt"
    if not clean_path.is_file():
        print(f"bench/false_friends.py: {clean_path} is absent: the shared data is needed")
        return 2
    from mtqa.lm.hf import HFScorer

    scorer = HFScorer.load(a.model, dtype=a.dtype, device="cpu")
    both = (SOURCE, CALQUE)
    clean = [x.strip() for x in clean_path.read_text(encoding="utf-8").splitlines() if x.strip()]
    rows = [
        summary("clean fit", [gains(scorer, t, both) for t in clean[:1700]]),
        summary("clean held", [gains(scorer, t, both) for t in clean[1700:]]),
    ]
    mqm = SHARED / "mqm_dev"
    news22 = [
        json.loads(x)["target"] for x in (mqm / "zhen_news_2022.jsonl").open(encoding="utf-8")
    ]
    rows.append(summary("news 2022", [gains(scorer, t, both) for t in news22]))
    targets = sorted(
        {
            json.loads(x)["target"]
            for f in sorted(mqm.glob("*.jsonl"))
            for x in f.open(encoding="utf-8")
        }
    )
    rows.append(summary("mqm calques", [gains(scorer, t, (CALQUE,)) for t in targets]))
    rows.append(injected(scorer, clean, FALSE_FRIENDS, "injected"))
    inflected = {k: v for k, v in false_friends().items() if k not in FALSE_FRIENDS}
    rows.append(injected(scorer, clean, inflected, "inflected"))
    out = {"model": scorer.signature(), "rows": rows}
    Path(a.json).write_text(json.dumps(out, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"wrote {a.json}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
