"""What suggested fixes cost (issue 11): ``mtqa check`` with and without them, same workload.

Workload: the seed article (seeds/article.txt, one document with context) and the first
50 records of data/synthetic_dev.jsonl (one sentence each, no context), in one run.
Each configuration is a fresh ``python -m mtqa check`` process (as a user runs it):
``--no-suggest`` (the plain pass) and ``--edit-budget N`` for each budget asked; rounds
alternate the configurations so a change in the machine's load hits them alike. For each
run: the process's wall time, the check time without the model load (run.json timings:
total - load), and the CPU seconds of the process (steadier when other jobs share the
cores). The best round of each configuration is compared with the plain pass; the
default budget's check-time ratio is the target (<= 2.0). The seed's LM spans and their
suggestions (from the default budget's segments.jsonl) are recorded too.

Usage: ``python bench/suggest_cost.py [--budgets 0,2,4,6] [--rounds 2] [--records 50]``
(``MTQA_THREADS`` is passed on). Writes bench/results-suggest.json and prints a table.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "seeds" / "article.txt"
DEV = ROOT / "data" / "synthetic_dev.jsonl"
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from bench import CPU_FLAGS, _cpu_name  # noqa: E402 -- the table's CPU facts, as bench.py
from mtqa.suggest import DEFAULT_BUDGET  # noqa: E402


def run_check(inputs: list[Path], outdir: Path, model: str, flags: list[str]) -> dict:
    """One ``mtqa check`` process: wall, check (load excluded) and CPU seconds."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    cmd = [sys.executable, "-m", "mtqa", "check", *map(str, inputs), "-o", str(outdir)]
    cmd += ["--model", model, "--overwrite", "--quiet", "--no-config", *flags]
    t0 = time.perf_counter()
    subprocess.run(cmd, check=True, cwd=ROOT, stdout=subprocess.DEVNULL)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    run = json.loads((outdir / "run.json").read_text(encoding="utf-8"))
    t = run["timings"]
    return {
        "wall": wall,
        "check": t["total"] - t["load"],
        "load": t["load"],
        "score": t["score"],
        "cpu": (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime),
        "signature": run["signature"],
        "loadavg_1min": round(os.getloadavg()[0], 2),
    }


def seed_suggestions(outdir: Path) -> list[dict]:
    """The seed's LM spans: text, suggestion, gain, or why there is none."""
    out = []
    for line in (outdir / "segments.jsonl").read_text(encoding="utf-8").splitlines():
        rec = json.loads(line)
        if rec["id"] != "article":
            continue
        for sp in rec["spans"]:
            if sp["source"] == "lm":
                why = sp["reason"].split("; no fix suggested: ")
                out.append(
                    {
                        "start": sp["start"],
                        "end": sp["end"],
                        "text": sp["text"],
                        "suggestion": sp.get("suggestion"),
                        "gain": sp.get("gain"),
                        "no_fix": why[1] if len(why) > 1 else None,
                    }
                )
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--budgets", default=str(DEFAULT_BUDGET), help="comma list of --edit-budget")
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--records", type=int, default=50)
    ap.add_argument("--model", default="gemma3-270m")
    ap.add_argument("-o", "--output", default=str(ROOT / "bench" / "results-suggest.json"))
    a = ap.parse_args()
    budgets = [int(x) for x in a.budgets.split(",") if x.strip()]
    configs = [("plain", ["--no-suggest"])] + [
        (f"budget {b}", ["--edit-budget", str(b)]) for b in budgets
    ]
    load_before = os.getloadavg()[0]
    started = time.perf_counter()
    runs: list[dict] = []
    with tempfile.TemporaryDirectory(prefix="mtqa-suggest-") as td:
        tmp = Path(td)
        article = tmp / "article.txt"
        article.write_text(SEED.read_text(encoding="utf-8"), encoding="utf-8")
        records = tmp / "records.jsonl"
        lines = DEV.read_text(encoding="utf-8").splitlines()[: a.records]
        records.write_text("\n".join(lines) + "\n", encoding="utf-8")
        seed: list[dict] = []
        for r in range(a.rounds):
            order = configs if r % 2 == 0 else configs[::-1]
            for name, flags in order:
                out = tmp / f"out-{name.replace(' ', '-')}"
                print(f"suggest_cost: round {r + 1}, {name}", file=sys.stderr)
                res = run_check([article, records], out, a.model, flags)
                runs.append({"config": name, "round": r + 1, **res})
                if name == f"budget {DEFAULT_BUDGET}" and not seed:
                    seed = seed_suggestions(out)
    summary = {}
    for name, _ in configs:
        mine = [x for x in runs if x["config"] == name]
        summary[name] = {
            k: round(min(x[k] for x in mine), 2) for k in ("wall", "check", "cpu", "load")
        } | {"check_median": round(statistics.median(x["check"] for x in mine), 2)}
    plain = summary["plain"]
    for s in summary.values():
        for k in ("wall", "check", "cpu"):
            s[f"{k}_ratio"] = round(s[k] / plain[k], 3)
    default = summary.get(f"budget {DEFAULT_BUDGET}")
    result = {
        "note": (
            "2 shared cores: other processes may have been running (loadavg per run); "
            "each configuration's best round is compared; check = run.json total - load"
        ),
        "machine": {
            "cpu": _cpu_name(),
            "cores": os.cpu_count(),
            "flags": sorted(f for f in _flags() if f in CPU_FLAGS),
            "python": platform.python_version(),
            "mtqa_threads": os.environ.get("MTQA_THREADS"),
            "loadavg_1min": [round(load_before, 2), round(os.getloadavg()[0], 2)],
        },
        "workload": {
            "inputs": ["seeds/article.txt", f"data/synthetic_dev.jsonl (first {a.records})"],
            "model": a.model,
            "rounds": a.rounds,
        },
        "default_budget": DEFAULT_BUDGET,
        "runs": [
            {k: (round(v, 3) if isinstance(v, float) else v) for k, v in x.items()} for x in runs
        ],
        "summary": summary,
        "target": None
        if default is None
        else {
            "what": "check with suggestions (default budget) / plain pass, load excluded",
            "value": default["check_ratio"],
            "cpu_value": default["cpu_ratio"],
            "goal": "<= 2.0",
            "met": default["check_ratio"] <= 2.0,
        },
        "seed_lm_spans": seed,
        "bench_seconds": round(time.perf_counter() - started, 1),
    }
    Path(a.output).write_text(json.dumps(result, indent=1, ensure_ascii=False) + "\n", "utf-8")
    print_table(result)
    return 0


def _flags() -> frozenset[str]:
    from mtqa.lm.device import cpu_flags

    return cpu_flags()


def print_table(r: dict) -> None:
    m = r["machine"]
    print(
        f"mtqa suggest cost: {r['workload']['model']}, {' + '.join(r['workload']['inputs'])}, "
        f"{m['cpu']}, {m['cores']} cores, MTQA_THREADS={m['mtqa_threads'] or '(unset)'}, "
        f"flags {' '.join(m['flags']) or '-'}, load average {m['loadavg_1min'][0]} -> "
        f"{m['loadavg_1min'][1]}"
    )
    head = (
        f"{'configuration':14} {'wall s':>7} {'check s':>8} {'cpu s':>7} {'load s':>7} "
        f"{'x wall':>7} {'x check':>8} {'x cpu':>6}"
    )
    print(head)
    print("-" * len(head))
    for name, s in r["summary"].items():
        print(
            f"{name:14} {s['wall']:7.1f} {s['check']:8.1f} {s['cpu']:7.1f} {s['load']:7.1f} "
            f"{s['wall_ratio']:7.2f} {s['check_ratio']:8.2f} {s['cpu_ratio']:6.2f}"
        )
    t = r["target"]
    if t is not None:
        print(
            f"[{'met ' if t['met'] else 'MISS'}] {t['what']}: {t['value']} (goal {t['goal']}; "
            f"per CPU second {t['cpu_value']})"
        )
    for sp in r["seed_lm_spans"]:
        fix = (
            f"-> {sp['suggestion']!r} (+{sp['gain']} bits)"
            if sp["suggestion"] is not None
            else f"no fix: {sp['no_fix']}"
        )
        print(f"  seed {sp['start']}-{sp['end']} {sp['text']!r} {fix}")


if __name__ == "__main__":
    raise SystemExit(main())
