"""Scale-out, measured (issue 16): the Ray engine with 2 local workers vs the local engine.

Runs ``mtqa check`` on the same workload (articles of 20 clean lines) three ways, each in
a fresh process: ``--engine local`` (one process, torch on all cores), ``--engine ray
--ray-actors 2`` on a local Ray instance with one CPU (and one torch thread) per actor,
and ``--engine ray --ray-actors 1``. Reported: wall time end to end (Ray start and model
loads included: what a user waits for), time without the model load, and whether the
outputs are byte-identical to the local run.

Usage: ``python bench/ray_scale.py [--articles 8] [--model gemma3-270m]
[-o bench/ray_scale.json]``.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CLEAN = ROOT.parent / "shared" / "calibration" / "clean_en.txt"


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()[:12]


def run(args: list[str], env: dict[str, str]) -> tuple[float, int, str]:
    t = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-m", "mtqa", *args],
        capture_output=True,
        text=True,
        env={**os.environ, **env},
        cwd=str(ROOT),
    )
    return time.perf_counter() - t, proc.returncode, proc.stderr[-2000:]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--articles", type=int, default=8)
    ap.add_argument("--model", default="gemma3-270m")
    ap.add_argument("--dtype", default="auto")
    ap.add_argument("-o", "--output", default=str(ROOT / "bench" / "ray_scale.json"))
    a = ap.parse_args()
    lines = [x for x in CLEAN.read_text(encoding="utf-8").splitlines() if x.strip()]
    cores = os.cpu_count() or 1
    out: dict = {"model": a.model, "articles": a.articles, "cores": cores, "runs": {}}
    with tempfile.TemporaryDirectory(prefix="mtqa-ray-") as td:
        tmp = Path(td)
        wl = tmp / "articles.jsonl"
        with wl.open("w", encoding="utf-8") as f:
            for i in range(a.articles):
                text = "\n".join(lines[i * 20 : i * 20 + 20])
                f.write(json.dumps({"id": f"a{i:03d}", "target": text}) + "\n")
        common = ["check", str(wl), "--model", a.model, "--dtype", a.dtype, "--quiet"]
        configs = {
            "local": ([], {"MTQA_THREADS": str(cores)}),
            "ray-2": (["--engine", "ray", "--ray-actors", "2"], {"MTQA_THREADS": "1"}),
            "ray-1": (["--engine", "ray", "--ray-actors", "1"], {"MTQA_THREADS": str(cores)}),
        }
        for name, (extra, env) in configs.items():
            outdir = tmp / name
            load = os.getloadavg()[0]
            wall, rc, err = run([*common, "-o", str(outdir), *extra], env)
            entry: dict = {"wall_s": round(wall, 1), "exit": rc, "loadavg": round(load, 2)}
            if rc == 0:
                info = json.loads((outdir / "run.json").read_text(encoding="utf-8"))
                entry["timings"] = info.get("timings", {})
                entry["sentences_csv"] = digest(outdir / "sentences.csv")
                entry["segments_jsonl"] = digest(outdir / "segments.jsonl")
            else:
                entry["stderr"] = err
            out["runs"][name] = entry
            print(f"{name}: {entry}", file=sys.stderr, flush=True)
    runs = out["runs"]
    base = runs["local"]
    for e in runs.values():
        if e["exit"] == 0 and base["exit"] == 0:
            e["speedup_vs_local"] = round(base["wall_s"] / e["wall_s"], 2)
            e["outputs_equal_local"] = (e["sentences_csv"], e["segments_jsonl"]) == (
                base["sentences_csv"],
                base["segments_jsonl"],
            )
    Path(a.output).write_text(json.dumps(out, indent=1) + "\n", encoding="utf-8")
    print(f"mtqa check on {a.articles} articles ({a.model}, --dtype {a.dtype}), {cores} cores:")
    for name, e in runs.items():
        print(
            f"  {name:6} {e['wall_s']:6.1f} s wall  x{e.get('speedup_vs_local', 0):.2f} vs local"
            f"  outputs equal: {e.get('outputs_equal_local')}  timings {e.get('timings')}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
