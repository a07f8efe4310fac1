"""How many common French words :func:`mtqa.checks.false_friends.cognate` takes for a cognate.

    python bench/cognates.py [--json OUT]

A listed false friend (``mtqa/data/words/false_friends.toml``, 308 forms with the
inflections) is probed, where a source in Latin letters is given, only if the source holds
its cognate. This matches each listed form against the 20,000 commonest French words
(wordfreq's list, the 19,824 of letters only) and sorts the matches with
``bench/cognates_family.json``: for each listed base word, the French words whose look it
copies (written down by hand: each must be found, alone as a source) and more words of their
family seen among the matches (reviewed by hand). A match that is neither is spurious
(*acte* for *actually*, *libre* for *library*). An inflected form is sorted with the listed
base word it shares the longest start with (*assisted* with *assist*). No model, a few
seconds. Results: ``bench/cognates.json``.

Run on another checkout (``PYTHONPATH=that/checkout python bench/cognates.py``) to compare
two rules.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if "PYTHONPATH" not in os.environ:
    sys.path.insert(0, str(ROOT))

import wordfreq  # noqa: E402

from mtqa.checks.false_friends import cognate, false_friends, source_words  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--json", default=str(ROOT / "bench" / "cognates.json"))
    args = ap.parse_args()
    data = json.loads((ROOT / "bench" / "cognates_family.json").read_text(encoding="utf-8"))
    words: dict[str, dict[str, list[str]]] = data["words"]
    french = [w for w in wordfreq.top_n_list("fr", 20000) if re.fullmatch(r"[^\W\d_]{2,}", w)]
    pool = source_words(" ".join(french))

    def base(form: str) -> str:
        return max(words, key=lambda g: (len(os.path.commonprefix([g, form])), -len(g)))

    spurious: dict[str, list[str]] = {}
    matched = 0
    forms = [f for f in sorted(false_friends()) if " " not in f]
    for form in forms:
        entry = words[base(form)]
        family = set(entry["cognates"]) | set(entry["family"])
        found = [w for f, w in pool.items() if cognate(form, {f: w})]
        matched += len(found)
        if bad := [w for w in found if w not in family]:
            spurious[form] = bad
    pairs = [(e, w) for e, v in words.items() for w in v["cognates"]]
    pairs += [(e, w) for e, ws in data["other"].items() for w in ws]
    missed = [f"{e} ← {w}" for e, w in pairs if cognate(e, source_words(w)) is None]
    out = {
        "french_words": len(french),
        "listed_forms": len(forms),
        "matches": matched,
        "forms_with_a_spurious_match": len(spurious),
        "spurious_matches": sum(len(v) for v in spurious.values()),
        "cognate_pairs": len(pairs),
        "missed": missed,
        "spurious": spurious,
    }
    print(
        f"{out['listed_forms']} listed forms x {out['french_words']} French words: "
        f"{matched} matches; {len(spurious)} forms with a spurious one "
        f"({out['spurious_matches']} matches); {len(missed)} of {len(pairs)} cognates missed"
    )
    Path(args.json).write_text(
        json.dumps(out, ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
    )


if __name__ == "__main__":
    main()
