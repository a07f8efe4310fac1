"""Write N synthetic "translated" articles for batch tests and demos (deterministic).

    python -m tests.helpers.make_articles 200 /tmp/articles [--seed 0]

Each article is a headline and a few paragraphs of news-like sentences built from
fixed word lists. About one sentence in six carries a word the FakeScorer finds
loud ("massaging", "insupports", "cenacle", or a "zz" non-word), so the fake run
flags some of them; a few carry text a report must survive: commas, double
quotes, ``<script>`` tags and non-ASCII letters.
"""

from __future__ import annotations

import argparse
import random
from pathlib import Path

SUBJECTS = [
    "The minister",
    "Moscow",
    "The delegation",
    "Kiev",
    "The spokesperson",
    "The union",
    "Mr. Blinken",
    "The committee",
    "Brussels",
    "The mayor of Lyon",
    "Mrs. Dupont",
]
VERBS = ["announced", "denied", "confirmed", "welcomed", "criticised", "postponed", "proposed"]
OBJECTS = [
    "a new agreement",
    "the sanctions",
    "the talks on energy prices",
    "the summit",
    "a plan for the railways",
    "the budget for 2025",
    "an inquiry into the accident",
]
TAILS = [
    "on Thursday",
    "after a long meeting",
    "in a statement",
    "according to officials",
    "despite the protests",
    "in Stockholm",
    "before the vote",
]
ODD = ["massaging", "insupports", "cenacle", "frazzle", "buzzword"]
SPICE = [
    ', he said, "without delay"',
    " <script>alert('x')</script> in the text",
    ", at 3,5 % a year",
    " with the Élysée and São Paulo",
]


def sentence(rng: random.Random) -> str:
    words = [rng.choice(SUBJECTS), rng.choice(VERBS), rng.choice(OBJECTS), rng.choice(TAILS)]
    if rng.random() < 0.17:
        words.insert(rng.randrange(1, 4), rng.choice(ODD))
    text = " ".join(words)
    if rng.random() < 0.08:
        text += rng.choice(SPICE)
    return text + "."


def article(rng: random.Random, i: int) -> str:
    head = f"Report {i}: {rng.choice(OBJECTS)} {rng.choice(TAILS)}"
    n_paras = rng.randint(1, 4)
    paras = [" ".join(sentence(rng) for _ in range(rng.randint(2, 6))) for _ in range(n_paras)]
    return "\n".join([head, *paras]) + "\n"


def make_articles(n: int, outdir: Path, seed: int = 0) -> list[Path]:
    """Write ``article-0001.txt`` ... into ``outdir``; the same (n, seed) gives the same files."""
    rng = random.Random(seed)
    outdir.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(1, n + 1):
        p = outdir / f"article-{i:04d}.txt"
        p.write_text(article(rng, i), encoding="utf-8", newline="")
        paths.append(p)
    return paths


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("n", type=int)
    ap.add_argument("outdir", type=Path)
    ap.add_argument("--seed", type=int, default=0)
    a = ap.parse_args()
    make_articles(a.n, a.outdir, a.seed)


if __name__ == "__main__":
    main()
