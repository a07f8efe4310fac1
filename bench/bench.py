"""mtqa benchmark (issue 6): one run, one table, one bench/results.json.

Workload: the 2,000 lines of ../shared/calibration/clean_en.txt as 100 pseudo-articles
of 20 lines. Every measured configuration runs in its own subprocess (fresh
interpreter, its own peak RSS from ru_maxrss):

* roofline   torch matmul GFLOP/s (fp32, bf16); tokens/s bound = GFLOP/s / (2 x n_params)
* naive      transformers, one sentence per forward pass (a newcomer's loop; a subset,
             its tokens/s extrapolates to the workload)
* peer       minicons-style: batches of 16 single sentences, full log_softmax over the
             vocabulary, no document context (a subset)
* check      ``run_check`` end to end (read -> report into a temp dir), fp32 and bf16;
             "(proposed)" rows use bench/proposed.py (the recommended hf.py changes)
* cold       model load with an empty MTQA_CACHE (GGUF dequantise), then cached
* pipeline   the fake scorer on 100 and 1,000 articles: RSS of everything but the model

Usage: ``python bench/bench.py [--quick] [--articles N] [--no-proposed] [--no-cold]``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
CLEAN = SHARED / "calibration" / "clean_en.txt"
LINES_PER_ARTICLE = 20
CALIBRATION = ROOT / "models" / "smollm2-135m.calibration.json"


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def load_lines(n_articles: int) -> list[str]:
    lines = [x for x in CLEAN.read_text(encoding="utf-8").splitlines() if x.strip()]
    return lines[: n_articles * LINES_PER_ARTICLE]


def write_workload(path: Path, n_articles: int, repeat: int = 1) -> None:
    lines = load_lines(n_articles)
    with path.open("w", encoding="utf-8") as f:
        for r in range(repeat):
            for i in range(0, len(lines), LINES_PER_ARTICLE):
                text = "\n".join(lines[i : i + LINES_PER_ARTICLE])
                f.write(json.dumps({"id": f"a{r}-{i // LINES_PER_ARTICLE:03d}", "target": text}))
                f.write("\n")


# --------------------------------------------------------------------------- workers


def w_roofline(spec: dict) -> dict:
    import torch

    m, k, n = spec["shape"]
    out = {"threads": torch.get_num_threads(), "shape": [m, k, n]}
    for name, dt in (("float32", torch.float32), ("bfloat16", torch.bfloat16)):
        a = torch.randn(m, k).to(dt)
        b = torch.randn(k, n).to(dt)
        for _ in range(3):
            a @ b
        reps, t0 = 0, time.perf_counter()
        while time.perf_counter() - t0 < spec["seconds"]:
            a @ b
            reps += 1
        dt_s = time.perf_counter() - t0
        out[name] = 2.0 * m * k * n * reps / dt_s / 1e9
    return out


def _load(spec: dict):  # type: ignore[no-untyped-def]
    from mtqa.lm.hf import HFScorer

    return HFScorer.load(spec["model"], dtype=spec.get("dtype", "float32"), device="cpu")


def w_naive(spec: dict) -> dict:
    """One sentence per forward pass, full logits, as a newcomer writes it."""
    import torch

    scorer = _load(spec)
    model, tok, prefix = scorer.model, scorer.tokenizer, list(scorer.prefix_ids)
    sentences = spec["sentences"]
    tokens, t0 = 0, time.perf_counter()
    with torch.no_grad():
        for s in sentences:
            ids = torch.tensor([prefix + tok(s, add_special_tokens=False)["input_ids"]])
            logits = model(input_ids=ids).logits[0, :-1]
            logp = torch.log_softmax(logits.float(), dim=-1)
            surprisal = -logp.gather(1, ids[0, 1:, None])[:, 0] / 0.6931471805599453
            surprisal.tolist()
            tokens += ids.shape[1] - 1
    return {"tokens": tokens, "seconds": time.perf_counter() - t0, "n_params": _n_params(model)}


def w_peer(spec: dict) -> dict:
    """minicons-style: batch of 16 single sentences, padded, full log_softmax, gather."""
    import torch

    scorer = _load(spec)
    model, tok, prefix = scorer.model, scorer.tokenizer, list(scorer.prefix_ids)
    sentences, bs = spec["sentences"], 16
    tokens, t0 = 0, time.perf_counter()
    with torch.no_grad():
        for b in range(0, len(sentences), bs):
            seqs = [
                prefix + tok(s, add_special_tokens=False)["input_ids"]
                for s in sentences[b : b + bs]
            ]
            width = max(len(x) for x in seqs)
            ids = torch.zeros((len(seqs), width), dtype=torch.long)
            mask = torch.zeros((len(seqs), width), dtype=torch.long)
            for i, x in enumerate(seqs):
                ids[i, : len(x)] = torch.tensor(x)
                mask[i, : len(x)] = 1
            logits = model(input_ids=ids, attention_mask=mask).logits
            logp = torch.log_softmax(logits.float(), dim=-1)[:, :-1]
            surprisal = -logp.gather(2, ids[:, 1:, None])[..., 0] / 0.6931471805599453
            for i, x in enumerate(seqs):
                surprisal[i, : len(x) - 1].tolist()
                tokens += len(x) - 1
    return {"tokens": tokens, "seconds": time.perf_counter() - t0}


def _n_params(model) -> int:  # type: ignore[no-untyped-def]
    return sum(p.numel() for p in model.parameters())


def w_check(spec: dict) -> dict:
    """``run_check`` end to end; token surprisals saved for the bf16 deviation."""
    from mtqa.pipeline import run_check
    from mtqa.settings import Settings

    settings = Settings(
        model=spec["model"],
        dtype=spec["dtype"],
        device="cpu",
        batch_size=spec["batch_size"],
        overwrite=True,
        calibration=spec.get("calibration"),
    )
    seen: list[list[float]] = []
    n_params: list[int] = []

    def factory(s: Settings):  # type: ignore[no-untyped-def]
        if spec["variant"] == "fake":
            from mtqa.lm.fake import FakeScorer

            scorer = FakeScorer()
        elif spec["variant"] == "proposed":
            sys.path.insert(0, str(Path(__file__).resolve().parent))
            from proposed import ProposedHFScorer

            scorer = ProposedHFScorer.load(s.model, dtype=s.dtype, device="cpu")
        else:
            from mtqa.cli import load_scorer

            scorer = load_scorer(s)
        if hasattr(scorer, "model"):
            n_params.append(_n_params(scorer.model))
        inner = scorer.score

        def score(texts, batch_size=16, on_batch=None):  # type: ignore[no-untyped-def]
            out = inner(texts, batch_size=batch_size, on_batch=on_batch)
            if spec.get("dump"):
                seen.extend([t.surprisal for t in doc] for doc in out)
            return out

        scorer.score = score  # type: ignore[method-assign]
        return scorer

    t0 = time.perf_counter()
    summary = run_check([spec["input"]], settings, Path(spec["outdir"]), factory)
    total = time.perf_counter() - t0
    run = json.loads((Path(spec["outdir"]) / "run.json").read_text(encoding="utf-8"))
    load = run["timings"]["load"]
    if spec.get("dump"):
        Path(spec["dump"]).write_text(json.dumps(seen), encoding="utf-8")
    return {
        "tokens": sum(len(d) for d in seen) if seen else summary.tokens,
        "sentence_tokens": summary.tokens,
        "seconds": total - load,
        "load": load,
        "timings": run["timings"],
        "documents": summary.documents,
        "n_params": n_params[0] if n_params else 0,
    }


def w_load(spec: dict) -> dict:
    t0 = time.perf_counter()
    from mtqa.lm.hf import HFScorer

    t1 = time.perf_counter()
    HFScorer.load(spec["model"], dtype="float32", device="cpu")
    t2 = time.perf_counter()
    return {"import": t1 - t0, "load": t2 - t1}


WORKERS = {
    "roofline": w_roofline,
    "naive": w_naive,
    "peer": w_peer,
    "check": w_check,
    "load": w_load,
}


def worker_main(name: str, spec_path: str) -> None:
    spec = json.loads(Path(spec_path).read_text(encoding="utf-8"))
    out = WORKERS[name](spec)
    out["peak_rss_mb"] = peak_rss_mb()
    print("BENCH-RESULT " + json.dumps(out))


# --------------------------------------------------------------------------- driver


def run_worker(name: str, spec: dict, tmp: Path, env: dict | None = None) -> dict:
    spec_path = tmp / f"spec-{name}-{time.monotonic_ns()}.json"
    spec_path.write_text(json.dumps(spec), encoding="utf-8")
    t0 = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, str(Path(__file__).resolve()), "--worker", name, str(spec_path)],
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        cwd=str(ROOT),
    )
    wall = time.perf_counter() - t0
    for line in proc.stdout.splitlines():
        if line.startswith("BENCH-RESULT "):
            out = json.loads(line[len("BENCH-RESULT ") :])
            out["process_wall"] = wall
            return out
    sys.stderr.write(proc.stdout[-2000:] + proc.stderr[-4000:])
    raise SystemExit(f"bench: worker {name!r} failed (exit {proc.returncode})")


def say(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def percentile(xs: list[float], q: float) -> float:
    xs = sorted(xs)
    if not xs:
        return 0.0
    k = (len(xs) - 1) * q / 100.0
    lo = int(k)
    hi = min(lo + 1, len(xs) - 1)
    return xs[lo] + (xs[hi] - xs[lo]) * (k - lo)


def deviation(a_path: Path, b_path: Path) -> dict:
    a = json.loads(a_path.read_text(encoding="utf-8"))
    b = json.loads(b_path.read_text(encoding="utf-8"))
    diffs = [abs(x - y) for da, db in zip(a, b, strict=True) for x, y in zip(da, db, strict=True)]
    return {
        "tokens": len(diffs),
        "max_bits": max(diffs),
        "p99_bits": percentile(diffs, 99),
        "mean_bits": sum(diffs) / len(diffs),
    }


def flag_disagreement(a_dir: Path, b_dir: Path) -> dict:
    import csv

    def rows(d: Path) -> list[dict]:
        with (d / "sentences.csv").open(encoding="utf-8", newline="") as f:
            return list(csv.DictReader(f))

    ra, rb = rows(a_dir), rows(b_dir)
    flips = sum(1 for x, y in zip(ra, rb, strict=True) if x["severity"] != y["severity"])
    return {"sentences": len(ra), "severity_differs": flips}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="10 articles and small subsets (~2 min)")
    ap.add_argument("--articles", type=int, help="articles of 20 lines (default 100; quick 10)")
    ap.add_argument("--naive-sentences", type=int, help="subset for the naive loop")
    ap.add_argument("--peer-sentences", type=int, help="subset for the minicons-style peer")
    ap.add_argument("--batch-size", type=int, default=16)
    ap.add_argument("--model", default="smollm2-135m")
    ap.add_argument("--no-proposed", action="store_true", help="skip the bench/proposed.py rows")
    ap.add_argument("--no-cold", action="store_true", help="skip the first (GGUF) load")
    ap.add_argument("--pipeline-articles", type=int, default=1000, help="fake-scorer RSS run")
    ap.add_argument("-o", "--output", default=str(ROOT / "bench" / "results.json"))
    ap.add_argument("--worker", nargs=2, help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.worker:
        worker_main(*a.worker)
        return 0
    if not CLEAN.is_file():
        say(f"bench: {CLEAN} is absent; the benchmark workload needs ../shared (calibration data)")
        return 1
    n_articles = a.articles or (10 if a.quick else 100)
    naive_n = a.naive_sentences or (40 if a.quick else 240)
    peer_n = a.peer_sentences or (96 if a.quick else 480)
    started = time.perf_counter()
    load_before = os.getloadavg()[0]  # another job on the machine spoils the numbers
    rows: list[dict] = []
    with tempfile.TemporaryDirectory(prefix="mtqa-bench-") as td:
        tmp = Path(td)
        workload = tmp / "articles.jsonl"
        write_workload(workload, n_articles)
        sentences = load_lines(n_articles)
        cal = str(CALIBRATION) if CALIBRATION.is_file() else None

        say("bench: roofline")
        roof = run_worker("roofline", {"shape": [2048, 576, 1536], "seconds": 2.0}, tmp)
        say("bench: naive loop")
        naive = run_worker("naive", {"model": a.model, "sentences": sentences[:naive_n]}, tmp)
        n_params = naive["n_params"]
        rows.append(
            {
                "name": "naive loop (1 sentence/pass)",
                "dtype": "float32",
                **naive,
                "note": f"subset: {min(naive_n, len(sentences))} sentences",
            }
        )
        say("bench: minicons-style peer")
        peer = run_worker("peer", {"model": a.model, "sentences": sentences[:peer_n]}, tmp)
        rows.append(
            {
                "name": "minicons-style peer (batch 16)",
                "dtype": "float32",
                **peer,
                "note": f"subset: {min(peer_n, len(sentences))} sentences, no context",
            }
        )
        checks = [("current", "float32"), ("current", "bfloat16")]
        if not a.no_proposed:
            checks += [("proposed", "float32"), ("proposed", "bfloat16")]
        outdirs: dict[tuple[str, str], Path] = {}
        for variant, dtype in checks:
            say(f"bench: mtqa check {variant} {dtype}")
            outdirs[variant, dtype] = tmp / f"out-{variant}-{dtype}"
            res = run_worker(
                "check",
                {
                    "model": a.model,
                    "dtype": dtype,
                    "variant": variant,
                    "batch_size": a.batch_size,
                    "input": str(workload),
                    "outdir": str(outdirs[variant, dtype]),
                    "dump": str(tmp / f"tok-{variant}-{dtype}.json"),
                    "calibration": cal,
                },
                tmp,
            )
            label = "mtqa check" + (" (proposed hf.py)" if variant == "proposed" else "")
            note = f"{n_articles} articles, read->report, load excluded ({res['load']:.1f} s)"
            rows.append({"name": label, "dtype": dtype, "variant": variant, **res, "note": note})

        dev = {}
        for variant in ("current", "proposed"):
            if (variant, "bfloat16") in outdirs:
                dev[variant] = deviation(
                    tmp / f"tok-{variant}-float32.json", tmp / f"tok-{variant}-bfloat16.json"
                ) | flag_disagreement(outdirs[variant, "float32"], outdirs[variant, "bfloat16"])
        if ("proposed", "float32") in outdirs:
            dev["proposed_vs_current_fp32"] = deviation(
                tmp / "tok-current-float32.json", tmp / "tok-proposed-float32.json"
            ) | flag_disagreement(outdirs["current", "float32"], outdirs["proposed", "float32"])

        say("bench: cold start")
        cache = tmp / "cache"
        cache.mkdir()
        cold: dict = {}
        if not a.no_cold:
            cold["first"] = run_worker("load", {"model": a.model}, tmp, {"MTQA_CACHE": str(cache)})
        cold["cached"] = run_worker(
            "load", {"model": a.model}, tmp, {} if a.no_cold else {"MTQA_CACHE": str(cache)}
        )

        say("bench: pipeline RSS with the fake scorer")
        pipeline = {}
        for n, rep in (
            (n_articles, 1),
            (a.pipeline_articles, max(1, a.pipeline_articles // n_articles)),
        ):
            wl = tmp / f"fake-{n}.jsonl"
            write_workload(wl, n_articles, repeat=rep)
            pipeline[str(n_articles * rep)] = run_worker(
                "check",
                {
                    "model": "fake",
                    "dtype": "float32",
                    "variant": "fake",
                    "batch_size": a.batch_size,
                    "input": str(wl),
                    "outdir": str(tmp / f"fake-out-{n}"),
                    "calibration": cal,
                },
                tmp,
            )

    for r in rows:
        r["tok_s"] = r["tokens"] / r["seconds"]
    roof_tok = {d: roof[d] * 1e9 / (2.0 * n_params) for d in ("float32", "bfloat16")}
    for r in rows:
        r["x_roofline"] = r["tok_s"] / roof_tok[r["dtype"]]
        r["x_naive"] = r["tok_s"] / rows[0]["tok_s"]
        r["x_peer"] = r["tok_s"] / rows[1]["tok_s"]

    def row(name: str, dtype: str, variant: str = "current") -> dict | None:
        for r in rows:
            if (
                r["name"].startswith(name)
                and r["dtype"] == dtype
                and r.get("variant", variant) == variant
            ):
                return r
        return None

    targets = []

    def target(what: str, value: float, op: str, goal: float, unit: str = "") -> None:
        ok = value >= goal if op == ">=" else value <= goal
        targets.append(
            {"target": what, "value": round(value, 3), "goal": f"{op} {goal}{unit}", "met": ok}
        )

    for variant in ("current", "proposed"):
        f32, b16 = row("mtqa check", "float32", variant), row("mtqa check", "bfloat16", variant)
        if f32 is None or b16 is None:
            continue
        tag = "" if variant == "current" else " (proposed)"
        target(f"fp32 e2e / roofline{tag}", f32["x_roofline"], ">=", 0.60)
        target(f"fp32 e2e / naive{tag}", f32["x_naive"], ">=", 2.0)
        target(f"fp32 e2e / peer{tag}", f32["x_peer"], ">=", 1.4)
        target(f"bf16 / fp32 e2e{tag}", b16["tok_s"] / f32["tok_s"], ">=", 1.6)
        target(f"peak RSS fp32 e2e{tag}", f32["peak_rss_mb"], "<=", 1536, " MB")
    target("cached load (in process)", cold["cached"]["load"], "<=", 3.0, " s")

    result = {
        "machine": {
            "cpu": _cpu_name(),
            "cores": os.cpu_count(),
            "python": platform.python_version(),
            "torch_threads": roof["threads"],
            "loadavg_1min": [round(load_before, 2), round(os.getloadavg()[0], 2)],
        },
        "workload": {
            "articles": n_articles,
            "lines_per_article": LINES_PER_ARTICLE,
            "file": "../shared/calibration/clean_en.txt",
            "quick": a.quick,
        },
        "model": a.model,
        "n_params": n_params,
        "roofline": {
            "gflops": {d: roof[d] for d in ("float32", "bfloat16")},
            "matmul_shape": roof["shape"],
            "tokens_per_s": roof_tok,
        },
        "rows": [
            {k: (round(v, 4) if isinstance(v, float) else v) for k, v in r.items()} for r in rows
        ],
        "bf16_deviation": dev,
        "cold_start": cold,
        "pipeline_rss_fake_scorer_mb": {k: round(v["peak_rss_mb"], 1) for k, v in pipeline.items()},
        "targets": targets,
        "bench_seconds": round(time.perf_counter() - started, 1),
    }
    Path(a.output).write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
    print_table(result)
    print(f"\nwrote {a.output} ({result['bench_seconds']:.0f} s)")
    return 0


def _cpu_name() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor()


def print_table(r: dict) -> None:
    roof = r["roofline"]
    print(
        f"mtqa bench: {r['model']} ({r['n_params'] / 1e6:.1f}M params), "
        f"{r['workload']['articles']} articles x {r['workload']['lines_per_article']} lines, "
        f"{r['machine']['cpu']}, "
        f"{r['machine']['torch_threads']} threads"
    )
    print(
        f"roofline: matmul {roof['gflops']['float32']:.0f} GFLOP/s fp32, "
        f"{roof['gflops']['bfloat16']:.0f} bf16 -> {roof['tokens_per_s']['float32']:.0f} / "
        f"{roof['tokens_per_s']['bfloat16']:.0f} tok/s bound (2 x params FLOPs per token)"
    )
    head = (
        f"{'configuration':34} {'dtype':8} {'tokens':>7} {'tok/s':>7} {'x roof':>6} "
        f"{'x naive':>7} {'x peer':>6} {'RSS MB':>7}  note"
    )
    print(head)
    print("-" * len(head))
    for x in r["rows"]:
        print(
            f"{x['name']:34} {x['dtype']:8} {x['tokens']:7d} {x['tok_s']:7.0f} "
            f"{x['x_roofline']:6.2f} {x['x_naive']:7.2f} {x['x_peer']:6.2f} "
            f"{x['peak_rss_mb']:7.0f}  {x['note']}"
        )
    c = r["cold_start"]
    if "first" in c:
        print(
            f"cold start, empty cache (GGUF): load {c['first']['load']:.1f} s "
            f"(process {c['first']['process_wall']:.1f} s)"
        )
    print(
        f"cold start, cached: load {c['cached']['load']:.1f} s + import "
        f"{c['cached']['import']:.1f} s (process {c['cached']['process_wall']:.1f} s)"
    )
    for k, d in r["bf16_deviation"].items():
        print(
            f"deviation {k}: |delta surprisal| max {d['max_bits']:.3f} bits, "
            f"p99 {d['p99_bits']:.3f}, mean {d['mean_bits']:.4f} over {d['tokens']} tokens; "
            f"severity differs in "
            f"{d['severity_differs']}/{d['sentences']} sentences"
        )
    p = r["pipeline_rss_fake_scorer_mb"]
    print(
        "pipeline peak RSS without a model (fake scorer): "
        + ", ".join(f"{k} articles {v:.0f} MB" for k, v in p.items())
    )
    print("targets:")
    for t in r["targets"]:
        print(
            f"  [{'met ' if t['met'] else 'MISS'}] {t['target']}: {t['value']} (goal {t['goal']})"
        )


if __name__ == "__main__":
    raise SystemExit(main())
