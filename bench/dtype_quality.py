"""Does bfloat16 move the results? Severity changes between float32 and bfloat16 runs.

For each data set, ``mtqa check`` runs twice with the shipped detector, in float32 and in
bfloat16 (one model load each, then reused), and the sentences are compared row by row:
the share whose severity (none/minor/major) differs is the number issue 16 bounds (<= 1%);
flag changes and the |delta ppl| are reported beside it.

Usage: ``python bench/dtype_quality.py [--model gemma3-270m] [--limit N]
[-o bench/dtype_quality.json]``. Data: the seed article, ``data/synthetic_dev.jsonl`` and
``../shared/mqm_dev/zhen_news_2022.jsonl`` (those present).
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
SETS = {
    "seed": ROOT / "seeds" / "article.txt",
    "synthetic_dev": ROOT / "data" / "synthetic_dev.jsonl",
    "zhen_news_2022": ROOT.parent / "shared" / "mqm_dev" / "zhen_news_2022.jsonl",
}


def rows(outdir: Path) -> list[dict[str, str]]:
    with (outdir / "sentences.csv").open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def limited(path: Path, limit: int | None, tmp: Path) -> Path:
    if limit is None or path.suffix != ".jsonl":
        return path
    lines = path.read_text(encoding="utf-8").splitlines()[:limit]
    out = tmp / path.name
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", default="gemma3-270m")
    ap.add_argument("--limit", type=int, help="first N records of each .jsonl")
    ap.add_argument("-o", "--output", default=str(ROOT / "bench" / "dtype_quality.json"))
    a = ap.parse_args()
    from mtqa.lm.load import load_scorer
    from mtqa.pipeline import run_check
    from mtqa.settings import Settings

    result: dict = {"model": a.model, "loadavg_start": os.getloadavg()[0], "sets": {}}
    with tempfile.TemporaryDirectory(prefix="mtqa-dtype-") as td:
        tmp = Path(td)
        for dtype in ("float32", "bfloat16"):
            # severities do not depend on the suggested fixes: the plain path
            settings = Settings(
                model=a.model, dtype=dtype, device="cpu", overwrite=True, suggest=False
            )
            scorer = load_scorer(settings)
            for name, path in SETS.items():
                if not path.is_file():
                    continue
                t, c = time.perf_counter(), time.process_time()
                summary = run_check(
                    [str(limited(path, a.limit, tmp))],
                    settings,
                    tmp / f"{name}-{dtype}",
                    lambda s, scorer=scorer: scorer,
                )
                entry = result["sets"].setdefault(name, {})
                entry[dtype] = {
                    "seconds": round(time.perf_counter() - t, 1),
                    "cpu_seconds": round(time.process_time() - c, 1),
                    "tokens": summary.tokens,
                    "signature": summary.signature,
                }
                print(f"{name} {dtype}: {entry[dtype]}", file=sys.stderr, flush=True)
        for name, entry in result["sets"].items():
            f32, b16 = rows(tmp / f"{name}-float32"), rows(tmp / f"{name}-bfloat16")
            assert [(r["doc_id"], r["sent_id"]) for r in f32] == [
                (r["doc_id"], r["sent_id"]) for r in b16
            ]
            sev = sum(1 for x, y in zip(f32, b16) if x["severity"] != y["severity"])
            flag = sum(1 for x, y in zip(f32, b16) if x["flagged"] != y["flagged"])
            dppl = [
                abs(float(x["ppl"]) - float(y["ppl"])) / max(float(x["ppl"]), 1e-9)
                for x, y in zip(f32, b16)
            ]
            entry.update(
                sentences=len(f32),
                severity_changed=sev,
                severity_changed_share=round(sev / max(len(f32), 1), 4),
                flagged_changed=flag,
                max_rel_delta_ppl=round(max(dppl, default=0.0), 4),
                mean_rel_delta_ppl=round(sum(dppl) / max(len(dppl), 1), 5),
                speedup_bf16=round(entry["float32"]["seconds"] / entry["bfloat16"]["seconds"], 2),
            )
    total = sum(e["sentences"] for e in result["sets"].values())
    changed = sum(e["severity_changed"] for e in result["sets"].values())
    result["all"] = {
        "sentences": total,
        "severity_changed": changed,
        "share": round(changed / max(total, 1), 4),
    }
    result["loadavg_end"] = os.getloadavg()[0]
    Path(a.output).write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
    print(f"bf16 vs fp32 ({a.model}), severity changed per sentence:")
    for name, e in result["sets"].items():
        print(
            f"  {name:15} {e['severity_changed']:4d}/{e['sentences']:<5d} "
            f"({e['severity_changed_share']:.2%}); flag changed {e['flagged_changed']}; "
            f"|d ppl| mean {e['mean_rel_delta_ppl']:.3%} max {e['max_rel_delta_ppl']:.2%}; "
            f"bf16 {e['speedup_bf16']:.2f}x faster"
        )
    r = result["all"]
    print(f"  {'all':15} {r['severity_changed']:4d}/{r['sentences']:<5d} ({r['share']:.2%})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
