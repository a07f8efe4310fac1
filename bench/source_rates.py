"""How often the source checks fire on MQM-annotated MT, and how often they hit a gold span.

    python bench/source_rates.py [FILE.jsonl ...] [--rules src-length,src-numbers] [--limit N]
                                 [--show RULE] [--json OUT]

Default files: ``../shared/mqm_dev/zhen_news_2021.jsonl``, ``zhen_ted_2021.jsonl``,
``zhen_news_2022.jsonl``. Each record (``source``, ``target``, gold ``spans``) goes through
:func:`mtqa.checks.document.source_checks` exactly as ``mtqa check`` runs it (no LM). Per
file and rule it prints:

* ``clean``: records without a gold span that the rule flags, and their share;
* ``gold``: records with a gold span that the rule flags;
* ``spans`` / ``on gold``: the rule's spans (a note on a multi-sentence unit counts as one
  span over the whole record) and those overlapping a gold span (a note: the record has one);
* ``major``: the rule's major spans;
* ``located`` / ``on gold``: spans on part of a sentence (not a whole sentence or unit),
  and those overlapping a gold span.

``MTQA_ROOT=DIR`` measures the mtqa package under DIR instead (an older tree, for a
before/after comparison).

Stdlib plus mtqa; one core, a few seconds per thousand records.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, os.environ.get("MTQA_ROOT", str(ROOT)))  # MTQA_ROOT: measure another tree

from mtqa.checks import SOURCE_CHECKS  # noqa: E402
from mtqa.checks.document import source_checks  # noqa: E402
from mtqa.records import Document  # noqa: E402
from mtqa.segment import segment  # noqa: E402

SHARED = ROOT.parent / "shared" / "mqm_dev"
DEFAULT = ["zhen_news_2021.jsonl", "zhen_ted_2021.jsonl", "zhen_news_2022.jsonl"]


def record_flags(rec: dict) -> list[tuple[str, str, bool, bool, str]]:
    """(rule, severity, on gold, on a whole sentence or unit, what) for every finding."""
    doc = Document(str(rec["id"]), rec["target"], "x.jsonl", source=rec["source"])
    sentences = segment(doc)
    rep = source_checks(doc, sentences)
    gold = [(g["start"], g["end"]) for g in rec["spans"]]
    out = []
    for sent, spans in zip(sentences, rep.spans, strict=True):
        for s in spans:
            hit = any(s.start < e and b < s.end for b, e in gold)
            whole = s.start <= sent.start and s.end >= sent.end
            rule = s.source.removeprefix("rule:")
            out.append((rule, s.severity, hit, whole, f"{s.text!r}: {s.reason}"))
    for note in rep.notes:
        if note.startswith("rule:"):
            rule = note.split(" ", 1)[0].removeprefix("rule:")
            out.append((rule, "note", bool(gold), True, note))
    return out


def measure(path: Path, rules: list[str], limit: int, show: str | None) -> dict:
    """The per-rule counts for one file (see the module doc)."""
    n = n_clean = 0
    clean, dirty, spans, on_gold, major = Counter(), Counter(), Counter(), Counter(), Counter()
    located, located_gold = Counter(), Counter()
    with path.open(encoding="utf-8") as f:
        for line in f:
            rec = json.loads(line)
            n += 1
            has_gold = bool(rec["spans"])
            n_clean += not has_gold
            fired = set()
            for rule, sev, hit, whole, what in record_flags(rec):
                if rule not in rules:
                    continue
                fired.add(rule)
                spans[rule] += 1
                on_gold[rule] += hit
                major[rule] += sev == "major"
                if not whole:
                    located[rule] += 1
                    located_gold[rule] += hit
                if show == rule:
                    mark = "GOLD" if hit else ("dirty" if has_gold else "CLEAN")
                    print(f"  [{mark}] {rec['source'][:60]!r} -> {what[:160]}")
            for rule in fired:
                (dirty if has_gold else clean)[rule] += 1
            if limit and n >= limit:
                break
    return {
        "records": n,
        "clean_records": n_clean,
        "rules": {
            r: {
                "clean": clean[r],
                "clean_rate": round(clean[r] / max(n_clean, 1), 4),
                "gold": dirty[r],
                "spans": spans[r],
                "on_gold": on_gold[r],
                "major": major[r],
                "located": located[r],
                "located_on_gold": located_gold[r],
            }
            for r in rules
        },
    }


def main() -> None:
    """Measure each file and print one table per file."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("files", nargs="*")
    ap.add_argument("--rules", default=",".join(SOURCE_CHECKS))
    ap.add_argument("--limit", type=int, default=0)
    ap.add_argument("--show", help="print every finding of this rule")
    ap.add_argument("--json", help="write the numbers here")
    a = ap.parse_args()
    files = [Path(f) for f in a.files] or [SHARED / f for f in DEFAULT]
    rules = a.rules.split(",")
    results = {}
    for path in files:
        res = measure(path, rules, a.limit, a.show)
        results[path.name] = res
        print(f"{path.name}: {res['records']} records, {res['clean_records']} without gold spans")
        print(
            f"  {'rule':14} {'clean':>13} {'gold recs':>9} {'spans':>6} {'on gold':>7} "
            f"{'major':>6} {'located':>7} {'on gold':>7}"
        )
        for r, v in res["rules"].items():
            print(
                f"  {r:14} {v['clean']:6} {v['clean_rate']:6.1%} {v['gold']:9} {v['spans']:6} "
                f"{v['on_gold']:7} {v['major']:6} {v['located']:7} {v['located_on_gold']:7}"
            )
    if a.json:
        Path(a.json).write_text(json.dumps(results, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
