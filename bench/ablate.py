"""Which hf.py choices pay off: each forward-pass choice toggled alone, same workload.

The issue-6 choices in ``mtqa/lm/hf.py`` (token budget, no mask when unpadded, one exp
for surprisal + entropy, 256-row logit chunks), measured against the code before them:

* ``before``   no token budget, attention mask always, log_softmax + exp + product,
               logit chunks of 682 rows (128 MiB of fp32 logits)
* ``+budget``  ``max_tokens=1024`` (one ~600-token window per pass on CPU)
* ``+nomask``  no attention mask when nothing in the batch is padded
* ``+one-exp`` surprisal and entropy from one exp over the vocabulary
* ``now``      + 256-row chunks: what hf.py does on CPU

One process, one model load; the variants run round-robin (``--rounds``, alternating
direction) so drift from other jobs on the machine hits each alike. Prints tokens/s per
round, tokens per CPU-second (steadier than wall time when other jobs share the cores;
with ``MTQA_THREADS=1`` it is the per-core rate), the full-vocabulary fp32 temporaries
each keeps alive, and the largest surprisal difference from ``before`` (float noise).

Usage: ``python bench/ablate.py [--articles 4] [--rounds 2] [--dtype float32]`` (not part
of ``make bench``; ~4 min on 2 busy cores).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CLEAN = ROOT.parent / "shared" / "calibration" / "clean_en.txt"
LINES_PER_ARTICLE = 20

VARIANTS: dict[str, dict] = {
    "before": {"budget": None, "nomask": False, "one_exp": False, "rows": 682},
    "+budget": {"budget": 1024, "nomask": False, "one_exp": False, "rows": 682},
    "+nomask": {"budget": 1024, "nomask": True, "one_exp": False, "rows": 682},
    "+one-exp": {"budget": 1024, "nomask": True, "one_exp": True, "rows": 682},
    "now": {"budget": 1024, "nomask": True, "one_exp": True, "rows": 256},
}


def articles(n: int) -> list[str]:
    lines = [x for x in CLEAN.read_text(encoding="utf-8").splitlines() if x.strip()]
    lines = lines[: n * LINES_PER_ARTICLE]
    return [
        "\n".join(lines[i : i + LINES_PER_ARTICLE]) for i in range(0, len(lines), LINES_PER_ARTICLE)
    ]


def torch_threads() -> int:
    import torch

    return torch.get_num_threads()


def configure(scorer, hf, v: dict, decoder, route) -> None:  # type: ignore[no-untyped-def]
    """Put one variant's choices on the loaded scorer (and the module's chunk maths)."""
    import torch

    scorer.max_tokens = v["budget"]
    scorer._rows = v["rows"]
    hf.token_stats = route if v["one_exp"] else log_softmax_route

    def masked(input_ids, attention_mask=None, **kw):  # type: ignore[no-untyped-def]
        if attention_mask is None:
            attention_mask = torch.ones_like(input_ids)
        return decoder(input_ids=input_ids, attention_mask=attention_mask, **kw)

    scorer._decoder = decoder if v["nomask"] else masked


def log_softmax_route(logits, targets):  # type: ignore[no-untyped-def]
    """The chunk maths before issue 6: log_softmax, then exp(logp) * logp."""
    import torch

    logp = torch.log_softmax(logits, dim=-1)
    del logits
    target = logp.gather(1, targets[:, None])
    rank = (logp > target).sum(dim=-1)
    best, top = logp.max(dim=-1)
    return -target[:, 0], -(logp.exp() * logp).sum(dim=-1), rank, best.exp(), top


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--articles", type=int, default=4)
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--dtype", default="float32")
    a = ap.parse_args()
    import mtqa.lm.hf as hf

    scorer = hf.HFScorer.load("smollm2-135m", dtype=a.dtype, device="cpu")
    decoder, route = scorer._decoder, hf.token_stats
    texts = articles(a.articles)
    speeds: dict[str, list[float]] = {k: [] for k in VARIANTS}
    cpu: dict[str, list[float]] = {k: [] for k in VARIANTS}
    scores: dict[str, list[list[float]]] = {}
    tokens = 0
    scorer.score(texts[:1], batch_size=16)  # warm-up
    for r in range(a.rounds):  # round-robin: drift from other jobs hits every variant
        names = list(VARIANTS) if r % 2 == 0 else list(VARIANTS)[::-1]
        for name in names:
            configure(scorer, hf, VARIANTS[name], decoder, route)
            t0, c0 = time.perf_counter(), time.process_time()
            out = scorer.score(texts, batch_size=16)
            dt, dc = time.perf_counter() - t0, time.process_time() - c0
            tokens = sum(len(d) for d in out)
            speeds[name].append(tokens / dt)
            cpu[name].append(tokens / dc)
            scores.setdefault(name, [t.surprisal for d in out for t in d])
            print(
                f"  round {r}: {name:9} {tokens / dt:6.0f} tok/s {tokens / dc:6.0f} tok/cpu-s",
                file=sys.stderr,
                flush=True,
            )
    vocab = int(scorer._head.weight.shape[0])
    print(
        f"{'variant':9} {'tok/s per round':>24} {'best':>6} {'tok/cpu-s':>9} {'logit temp MB':>13} "
        f"{'max |d| bits':>12}"
    )
    for name, v in VARIANTS.items():
        diff = max(abs(x - y) for x, y in zip(scores["before"], scores[name], strict=True))
        temps = 2 if v["one_exp"] else 3  # full-vocabulary fp32 temporaries alive at once
        mb = temps * v["rows"] * vocab * 4 / 2**20
        per = " ".join(f"{x:6.0f}" for x in speeds[name])
        print(
            f"{name:9} {per:>24} {max(speeds[name]):6.0f} {max(cpu[name]):9.0f} {mb:13.0f} "
            f"{diff:12.2e}"
        )
    print(
        f"{tokens} tokens per run ({a.articles} articles), {a.dtype}, "
        f"{scorer.device.type}, {torch_threads()} threads, loadavg {os.getloadavg()[0]:.1f}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
