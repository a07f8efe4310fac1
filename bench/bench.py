"""mtqa benchmark (issues 6, 16): one run, one table, one bench/results.json.

Workload: the lines of ../shared/calibration/clean_en.txt as pseudo-articles of 20 lines,
plus short records (the first lines of data/synthetic_dev.jsonl, one sentence each).
Every configuration runs in its own subprocess (fresh interpreter, its own peak RSS):

* roofline   torch matmul GFLOP/s (fp32, bf16) at the MLP's shape; tokens/s bound =
             GFLOP/s / (2 x n_params); the CPU flags that decide ``--dtype auto``
* naive      transformers, one sentence per forward pass (a newcomer's loop; a subset)
* peer       minicons-style: batches of 16 single sentences, full log_softmax over the
             vocabulary, no document context (a subset)
* check      ``run_check`` end to end (read -> report into a temp dir): float32 (packed
             passes), float32 with padded batches (the scheme before packing: the cost of
             exact, batch-independent numbers), ``--dtype auto`` (bf16 where the CPU has
             it), and float32 packed vs padded on short records
* ff         ``mtqa check`` without the confusion-set rescoring (``--ignore
             false-friend,calque,preposition,missing-word,agreement,extra-word,word-order``,
             :mod:`mtqa.confusion`): what it costs the plain path
* edits      ``mtqa check`` with and without suggested fixes (issue 11: ``--no-suggest``;
             bench/suggest_cost.py measures them alone, per edit budget)
* rescore    edit rescoring: variants/s with the prefix KV cache vs full rescoring
* cold       model load in a fresh process: empty cache (GGUF dequantise; unless
             --no-cold), then cached (import + load)
* pipeline   the fake scorer on the workload and on 1,000 articles: RSS of everything but
             the model; the 1,000-article peak with the model is estimated from both

The machine may be shared: every scoring worker first probes the matmul rate for a
second, and its "x roof" is against that probe (the same moment's roofline); the load
average before and after each worker is recorded; tok/cpu-s (tokens per CPU second) is
steadier than tok/s. Workers run with ``MTQA_THREADS`` = the core count (or the caller's).

Usage: ``python bench/bench.py [--quick] [--articles N] [--model NAME] [--no-cold]``.
The default (``make bench``) is 20 articles and 150 short records on the default model;
``--quick`` is 6 articles and 60 records.
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
DEV = ROOT / "data" / "synthetic_dev.jsonl"
SOURCED = SHARED / "mqm_dev" / "zhen_news_2021.jsonl"  # records with a source (speed only)
LINES_PER_ARTICLE = 20
MATMUL_SHAPE = (1024, 640, 2048)  # Gemma 3 270M's MLP: tokens x hidden x intermediate
#: CPU flags shown in the table (what --dtype auto and the matmul kernels depend on)
CPU_FLAGS = ("avx2", "avx512f", "avx512_bf16", "amx_bf16", "amx_int8", "avx512_vnni", "avx_vnni")


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

    from mtqa.lm.device import cpu_flags

    if os.environ.get("MTQA_THREADS"):
        torch.set_num_threads(int(os.environ["MTQA_THREADS"]))
    m, k, n = spec["shape"]
    out: dict = {"threads": torch.get_num_threads(), "shape": [m, k, n]}
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
    flags = cpu_flags()
    out["flags"] = sorted(f for f in flags if f in CPU_FLAGS)
    return out


def _resolved(dtype: str) -> str:
    from mtqa.lm.device import resolve_dtype

    return resolve_dtype(dtype, "cpu")


def _probe(dtype: str, seconds: float = 1.0) -> tuple[float, float]:
    """GFLOP per wall second and per CPU second of the MLP-shaped matmul right now (the
    roofline at this worker's moment, with its threads)."""
    import torch

    dt = {"float32": torch.float32, "bfloat16": torch.bfloat16}[_resolved(dtype)]
    m, k, n = MATMUL_SHAPE
    a = torch.randn(m, k).to(dt)
    b = torch.randn(k, n).to(dt)
    a @ b
    reps, t0, c0 = 0, time.perf_counter(), time.process_time()
    while time.perf_counter() - t0 < seconds:
        a @ b
        reps += 1
    gflop = 2.0 * m * k * n * reps / 1e9
    return gflop / (time.perf_counter() - t0), gflop / (time.process_time() - c0)


def _load(spec: dict):  # type: ignore[no-untyped-def]
    from mtqa.lm.hf import HFScorer

    return HFScorer.load(spec["model"], dtype=spec.get("dtype", "float32"), device="cpu")


def w_naive(spec: dict) -> dict:
    """One sentence per forward pass, full logits, as a newcomer writes it."""
    import torch

    scorer = _load(spec)
    model, tok, prefix = scorer.model, scorer.tokenizer, list(scorer.prefix_ids)
    sentences = spec["sentences"]
    probe, probe_cpu = _probe("float32")
    tokens, t0, c0 = 0, time.perf_counter(), time.process_time()
    with torch.no_grad():
        for s in sentences:
            ids = torch.tensor([prefix + tok(s, add_special_tokens=False)["input_ids"]])
            logits = model(input_ids=ids).logits[0, :-1]
            logp = torch.log_softmax(logits.float(), dim=-1)
            surprisal = -logp.gather(1, ids[0, 1:, None])[:, 0] / 0.6931471805599453
            surprisal.tolist()
            tokens += ids.shape[1] - 1
    return {
        "tokens": tokens,
        "seconds": time.perf_counter() - t0,
        "cpu_seconds": time.process_time() - c0,
        "n_params": _n_params(model),
        "probe_gflops": probe,
        "probe_gflops_cpu": probe_cpu,
    }


def w_peer(spec: dict) -> dict:
    """minicons-style: batch of 16 single sentences, padded, full log_softmax, gather."""
    import torch

    scorer = _load(spec)
    model, tok, prefix = scorer.model, scorer.tokenizer, list(scorer.prefix_ids)
    model.config._attn_implementation = "sdpa"  # transformers' own attention, as a peer runs
    sentences, bs = spec["sentences"], 16
    probe, probe_cpu = _probe("float32")
    tokens, t0, c0 = 0, time.perf_counter(), time.process_time()
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
    return {
        "tokens": tokens,
        "seconds": time.perf_counter() - t0,
        "cpu_seconds": time.process_time() - c0,
        "probe_gflops": probe,
        "probe_gflops_cpu": probe_cpu,
    }


def _n_params(model) -> int:  # type: ignore[no-untyped-def]
    return sum(p.numel() for p in model.parameters())


def _as_before(scorer) -> None:  # type: ignore[no-untyped-def]
    """The scorer as it scored before packed passes and the blockwise head: padded batches
    of at most 1,024 tokens, whole fp32 logits per slab. The rescoring (false friends,
    mtqa.confusion) reads hidden states, not logits: its head stays the blockwise one."""
    scorer.pack_tokens, scorer.alone_above, scorer.max_tokens = None, None, 1024
    if not hasattr(scorer, "_split"):
        return
    vocab = int(scorer.model.get_output_embeddings().weight.shape[0])
    scorer._split, scorer._rows = False, min(256, (1 << 25) // vocab)
    surprisal = scorer._surprisal

    def split_surprisal(rows, targets, fixed=None):  # type: ignore[no-untyped-def]
        scorer._split = True
        try:
            return surprisal(rows, targets, fixed)
        finally:
            scorer._split = False

    scorer._surprisal = split_surprisal


def w_check(spec: dict) -> dict:
    """``run_check`` end to end; token surprisals saved for the bf16 deviation.

    ``variant``: ``packed`` (what mtqa does), ``padded`` (padded batches, the scheme before
    packing, no exactness), ``fake`` (the fake scorer: pipeline RSS). ``suggest``: set the
    edit-suggestion option when Settings has one."""
    import dataclasses

    from mtqa.pipeline import run_check
    from mtqa.settings import Settings

    extra = {k: spec[k] for k in ("suggest", "source_lm") if spec.get(k) is not None}
    if spec.get("ignore"):
        extra["ignore"] = tuple(spec["ignore"])
    known = {f.name for f in dataclasses.fields(Settings)}
    settings = Settings(
        model=spec["model"],
        dtype=spec["dtype"],
        device="cpu",
        batch_size=spec["batch_size"],
        overwrite=True,
        calibration=spec.get("calibration"),
        **{k: v for k, v in extra.items() if k in known},
    )
    seen: list[list[float]] = []
    n_params: list[int] = []
    load_cpu: list[float] = []

    def factory(s: Settings):  # type: ignore[no-untyped-def]
        c = time.process_time()
        if spec["variant"] == "fake":
            from mtqa.lm.fake import FakeScorer

            scorer = FakeScorer()
        else:
            from mtqa.lm.load import load_scorer

            scorer = load_scorer(s)
            if spec["variant"] == "padded":  # before packed passes and the blockwise head
                _as_before(scorer)
        if hasattr(scorer, "model"):
            n_params.append(_n_params(scorer.model))
        load_cpu.append(time.process_time() - c)
        inner = scorer.score

        def score(texts, batch_size=16, on_batch=None):  # type: ignore[no-untyped-def]
            out = inner(texts, batch_size=batch_size, on_batch=on_batch)
            if spec.get("dump"):
                seen.extend([t.surprisal for t in doc] for doc in out)
            return out

        scorer.score = score  # type: ignore[method-assign]
        return scorer

    fake = spec["variant"] == "fake"
    probe, probe_cpu = _probe(spec["dtype"]) if not fake else (0.0, 0.0)
    t0, c0 = time.perf_counter(), time.process_time()
    summary = run_check([spec["input"]], settings, Path(spec["outdir"]), factory)
    total, total_cpu = time.perf_counter() - t0, time.process_time() - c0
    run = json.loads((Path(spec["outdir"]) / "run.json").read_text(encoding="utf-8"))
    load = run["timings"]["load"]
    if spec.get("dump"):
        Path(spec["dump"]).write_text(json.dumps(seen), encoding="utf-8")
    return {
        "tokens": sum(len(d) for d in seen) if seen else summary.tokens,
        "sentence_tokens": summary.tokens,
        "seconds": total - load,
        "cpu_seconds": total_cpu - sum(load_cpu),
        "load": load,
        "timings": run["timings"],
        "documents": summary.documents,
        "n_params": n_params[0] if n_params else 0,
        "probe_gflops": probe,
        "probe_gflops_cpu": probe_cpu,
        "signature": summary.signature,
        "dtype_resolved": _resolved(spec["dtype"]) if not fake else "float32",
    }


def w_rescore(spec: dict) -> dict:
    """Edit rescoring: variants of one sentence (a word dropped, two swapped, a word
    replaced) after ~300 tokens of document context; prefix KV cache vs full rescoring."""
    from mtqa.lm.base import Prefix

    scorer = _load(spec)
    lines = spec["lines"]
    context = list(scorer.encode("\n".join(lines[:12]) + "\n").ids)
    words = lines[12].split()
    variants: list[list[int]] = []
    for i in range(len(words)):
        dropped = words[:i] + words[i + 1 :]
        swapped = words[:i] + words[i + 1 : i + 2] + words[i : i + 1] + words[i + 2 :]
        replaced = words[:i] + ["the"] + words[i + 1 :]
        for v in (dropped, swapped, replaced):
            if len(variants) < spec["variants"]:
                variants.append(list(scorer.encode(" ".join(v)).ids))
    probe, probe_cpu = _probe(spec.get("dtype", "float32"))
    out: dict = {"variants": len(variants), "context_tokens": len(context)}
    for name, make in (("cached", scorer.prefix_cache), ("full", lambda c: Prefix(scorer, c))):
        t0, c0 = time.perf_counter(), time.process_time()
        totals = make(context).totals(variants)
        out[name] = {
            "seconds": time.perf_counter() - t0,
            "cpu_seconds": time.process_time() - c0,
            "tokens": sum(len(v) for v in variants),
        }
        out[name + "_totals"] = totals
    out["max_abs_diff_bits"] = max(
        abs(a - b) for a, b in zip(out.pop("cached_totals"), out.pop("full_totals"))
    )
    out.update(probe_gflops=probe, probe_gflops_cpu=probe_cpu, n_params=_n_params(scorer.model))
    return out


def w_load(spec: dict) -> dict:
    t0 = time.perf_counter()
    from mtqa.lm.load import load_scorer
    from mtqa.settings import Settings

    settings = Settings(model=spec["model"], dtype=spec.get("dtype", "auto"), device="cpu")
    t1 = time.perf_counter()
    scorer = load_scorer(settings)  # imports torch and transformers (tokenizer meanwhile)
    t2 = time.perf_counter()
    scorer.score(["Warm-up."])
    t3 = time.perf_counter()
    return {
        "import": t1 - t0,
        "load": t2 - t1,
        "first_score": t3 - t2,
        "signature": scorer.signature(),
    }


WORKERS = {
    "roofline": w_roofline,
    "naive": w_naive,
    "peer": w_peer,
    "check": w_check,
    "rescore": w_rescore,
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
    threads = os.environ.get("MTQA_THREADS") or str(os.cpu_count() or 1)
    load0 = os.getloadavg()[0]
    t0 = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, str(Path(__file__).resolve()), "--worker", name, str(spec_path)],
        capture_output=True,
        text=True,
        env={**os.environ, "MTQA_THREADS": threads, **(env or {})},
        cwd=str(ROOT),
    )
    wall = time.perf_counter() - t0
    for line in proc.stdout.splitlines():
        if line.startswith("BENCH-RESULT "):
            out = json.loads(line[len("BENCH-RESULT ") :])
            out["process_wall"] = wall
            out["loadavg"] = [round(load0, 2), round(os.getloadavg()[0], 2)]
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
    # b may cover only the first documents of a (bf16 runs on a prefix of the workload)
    diffs = [abs(x - y) for da, db in zip(a, b) for x, y in zip(da, db, strict=True)]
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

    ra, rb = rows(a_dir), rows(b_dir)  # rb: the sentences of a prefix of a's documents
    flips = sum(1 for x, y in zip(ra, rb) if x["severity"] != y["severity"])
    return {"sentences": len(rb), "severity_differs": flips}


def cold_start(model: str, tmp: Path, no_cold: bool) -> dict:
    """Model load times in a fresh process: with an empty cache (the GGUF dequantised;
    unless ``no_cold``), then cached, twice (the better one counts: the first may read
    the files from disk, the second from the page cache, as a user's next run does)."""
    cache = tmp / "cache"
    cache.mkdir()
    env = {} if no_cold else {"MTQA_CACHE": str(cache)}
    cold: dict = {}
    if not no_cold:
        cold["first"] = run_worker("load", {"model": model}, tmp, env)
    runs = [run_worker("load", {"model": model}, tmp, env) for _ in range(2)]
    cold["cached"] = min(runs, key=lambda r: r["import"] + r["load"])
    cold["cached_runs"] = [round(r["import"] + r["load"], 2) for r in runs]
    return cold


def pipeline_rss(tmp: Path, n_articles: int, pipeline_articles: int, batch_size: int) -> dict:
    """Peak RSS of ``run_check`` with the fake scorer on the workload and ~1,000 articles."""
    from mtqa.quality.fit import fit_percentile_detector  # for the fake scorer's costs

    fake_cal = tmp / "fake.calibration.json"
    xs = [1.0 + i / 100 for i in range(500)] * 3
    cal_json = fit_percentile_detector(xs, "fake", "synthetic", minor_pct=99.0).to_json()
    fake_cal.write_text(cal_json, encoding="utf-8")
    pipeline = {}
    for rep in (1, max(1, pipeline_articles // n_articles)):
        wl = tmp / f"fake-{rep}.jsonl"
        write_workload(wl, n_articles, repeat=rep)
        pipeline[str(n_articles * rep)] = run_worker(
            "check",
            {
                "model": "fake",
                "dtype": "float32",
                "variant": "fake",
                "batch_size": batch_size,
                "input": str(wl),
                "outdir": str(tmp / f"fake-out-{rep}"),
                "calibration": str(fake_cal),
            },
            tmp,
        )
    return pipeline


def write_records(path: Path, n: int) -> int:
    """The first ``n`` records of the synthetic dev set (short, one sentence each)."""
    lines = DEV.read_text(encoding="utf-8").splitlines()[:n]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return len(lines)


def write_sourced(path: Path, n: int) -> int:
    """``n`` distinct MQM records with their source (target, source, id), for the
    source-conditioned pass; 0 when ../shared lacks them."""
    if not SOURCED.is_file():
        return 0
    out, seen = [], set()
    for line in SOURCED.read_text(encoding="utf-8").splitlines():
        r = json.loads(line)
        if r["target"] in seen:
            continue
        seen.add(r["target"])
        out.append(json.dumps({"id": r["id"], "target": r["target"], "source": r["source"]}))
        if len(out) == n:
            break
    path.write_text("\n".join(out) + "\n", encoding="utf-8")
    return len(out)


def edits_available() -> bool:
    """Whether ``mtqa check`` has the edit-suggestion option yet (issue 11)."""
    import dataclasses

    from mtqa.settings import Settings

    return "suggest" in {f.name for f in dataclasses.fields(Settings)}


def main() -> int:  # noqa: C901 -- one measured configuration after another
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="6 articles, 60 records, subsets")
    ap.add_argument("--articles", type=int, help="articles of 20 lines (default 20; quick 6)")
    ap.add_argument("--records", type=int, help="short records (default 150; quick 60)")
    ap.add_argument("--naive-sentences", type=int, help="subset for the naive loop")
    ap.add_argument("--peer-sentences", type=int, help="subset for the minicons-style peer")
    ap.add_argument("--variants", type=int, default=48, help="edit variants to rescore")
    ap.add_argument("--batch-size", type=int, default=16)
    ap.add_argument("--model", default="gemma3-270m")
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
    n_articles = a.articles or (6 if a.quick else 20)
    n_records = a.records or (60 if a.quick else 150)
    naive_n = a.naive_sentences or (30 if a.quick else 60)
    peer_n = a.peer_sentences or (64 if a.quick else 120)
    started = time.perf_counter()
    load_before = os.getloadavg()[0]  # another job on the machine spoils the numbers
    rows: list[dict] = []
    with tempfile.TemporaryDirectory(prefix="mtqa-bench-") as td:
        tmp = Path(td)
        workload = tmp / "articles.jsonl"
        write_workload(workload, n_articles)
        records = tmp / "records.jsonl"
        n_records = write_records(records, n_records)
        sourced = tmp / "sourced.jsonl"
        n_sourced = write_sourced(sourced, n_records)
        sentences = load_lines(n_articles)
        calibration = ROOT / "mtqa" / "data" / "detectors" / f"{a.model}.json"  # shipped
        cal = str(calibration) if calibration.is_file() else None

        say("bench: roofline")
        roof = run_worker("roofline", {"shape": list(MATMUL_SHAPE), "seconds": 2.0}, tmp)
        say("bench: naive loop")
        naive = run_worker("naive", {"model": a.model, "sentences": sentences[:naive_n]}, tmp)
        n_params = naive["n_params"]
        rows.append(
            {
                "key": "naive",
                "name": "naive loop (1 sentence/pass)",
                "dtype": "float32",
                **naive,
                "note": f"{min(naive_n, len(sentences))} sentences, no context",
            }
        )
        say("bench: minicons-style peer")
        peer = run_worker("peer", {"model": a.model, "sentences": sentences[:peer_n]}, tmp)
        rows.append(
            {
                "key": "peer",
                "name": "minicons-style peer (batch 16)",
                "dtype": "float32",
                **peer,
                "note": f"{min(peer_n, len(sentences))} sentences, no context",
            }
        )
        outdirs: dict[str, Path] = {}
        checks = [
            (
                "fp32",
                "mtqa check (no edits)",
                "float32",
                "packed",
                workload,
                f"{n_articles} articles",
            ),
            ("fp32_padded", "  before (padded, whole logits)", "float32", "padded", workload, ""),
            ("auto", "  --dtype auto", "auto", "packed", workload, ""),
            ("ff_off", "  --dtype auto, no confusion probes", "auto", "packed", workload, ""),
            ("rec_fp32", "mtqa check, short records", "float32", "packed", records, ""),
            ("rec_padded", "  before (padded, whole logits)", "float32", "padded", records, ""),
        ]
        if not n_sourced:
            say(f"bench: with-sources rows skipped: {SOURCED} is absent")
        else:  # the source-conditioned pass (issue 10.7): on by default, and off
            checks += [
                ("src_on", "mtqa check, with sources", "auto", "packed", sourced, ""),
                ("src_off", "  --no-source-lm", "auto", "packed", sourced, ""),
            ]
        for key, name, dtype, variant, wl, note in checks:
            say(f"bench: {name.strip()} ({dtype}, {variant})")
            outdirs[key] = tmp / f"out-{key}"
            res = run_worker(
                "check",
                {
                    "model": a.model,
                    "dtype": dtype,
                    "variant": variant,
                    "batch_size": a.batch_size,
                    "input": str(wl),
                    "outdir": str(outdirs[key]),
                    "dump": str(tmp / f"tok-{key}.json"),
                    "calibration": cal,
                    "suggest": False,  # the plain path; suggested fixes are the edits row
                    "source_lm": key != "src_off",
                    "ignore": [
                        "false-friend",
                        "calque",
                        "preposition",
                        "missing-word",
                        "agreement",
                        "extra-word",
                        "word-order",
                    ]
                    if key == "ff_off"
                    else [],
                },
                tmp,
            )
            note = note or (
                f"{n_records} records"
                if wl == records
                else f"{n_sourced} MQM records with sources"
                if wl == sourced
                else f"{n_articles} articles"
            )
            note += f", read->report, load excluded ({res['load']:.1f} s)"
            if variant == "padded":
                note += "; numbers depend on the batch"
            rows.append(
                {"key": key, "name": name, "dtype": res["dtype_resolved"], **res, "note": note}
            )
        edits: dict = {"available": edits_available()}
        if edits["available"]:
            for key, on in (("edits_on", True),):  # off: the "auto" row
                say(f"bench: mtqa check, edits {'on' if on else 'off'}")
                res = run_worker(
                    "check",
                    {
                        "model": a.model,
                        "dtype": "auto",
                        "variant": "packed",
                        "batch_size": a.batch_size,
                        "input": str(workload),
                        "outdir": str(tmp / f"out-{key}"),
                        "dump": str(tmp / f"tok-{key}.json"),  # tokens counted as the others
                        "calibration": cal,
                        "suggest": on,
                    },
                    tmp,
                )
                name = "  --dtype auto, edits on"
                rows.append(
                    {
                        "key": key,
                        "name": name,
                        "dtype": res["dtype_resolved"],
                        **res,
                        "note": f"{n_articles} articles, --dtype auto",
                    }
                )
        say("bench: edit rescoring")
        resc = run_worker(
            "rescore",
            {"model": a.model, "dtype": "auto", "lines": sentences[:13], "variants": a.variants},
            tmp,
        )
        dev = deviation(tmp / "tok-fp32.json", tmp / "tok-auto.json") | flag_disagreement(
            outdirs["fp32"], outdirs["auto"]
        )
        for key in ("rec_fp32", "rec_padded", "fp32_padded"):  # exact vs batch-dependent
            dev[f"{key}_vs_packed_max_bits"] = deviation(
                tmp / f"tok-{'rec_fp32' if key.startswith('rec') else 'fp32'}.json",
                tmp / f"tok-{key}.json",
            )["max_bits"]
        say("bench: cold start")
        cold = cold_start(a.model, tmp, a.no_cold)
        say("bench: pipeline RSS with the fake scorer")
        pipeline = pipeline_rss(tmp, n_articles, a.pipeline_articles, a.batch_size)

    raw = {"roofline": roof, "rows": rows, "cold": cold, "pipeline": pipeline, "dev": dev}
    Path(a.output).write_text(json.dumps(raw, indent=1) + "\n", encoding="utf-8")  # kept on error

    def tok_s_bound(gflops: float) -> float:
        return gflops * 1e9 / (2.0 * n_params)

    roof_tok = {d: tok_s_bound(roof[d]) for d in ("float32", "bfloat16")}
    by = {r["key"]: r for r in rows}
    for r in rows:
        r["tok_s"] = r["tokens"] / r["seconds"]
        r["tok_cpu_s"] = r["tokens"] / r["cpu_seconds"]
    for r in rows:
        # against the matmul rate probed inside the same worker, just before it scored
        r["x_roofline"] = r["tok_s"] / tok_s_bound(r["probe_gflops"])
        r["x_roofline_start"] = r["tok_s"] / roof_tok[r["dtype"]]
        r["x_naive"] = r["tok_s"] / by["naive"]["tok_s"]
        r["x_peer"] = r["tok_s"] / by["peer"]["tok_s"]
        # the same per CPU second: steadier when other jobs take turns on the cores
        r["x_roofline_cpu"] = r["tok_cpu_s"] / tok_s_bound(r["probe_gflops_cpu"])
        r["x_naive_cpu"] = r["tok_cpu_s"] / by["naive"]["tok_cpu_s"]
        r["x_peer_cpu"] = r["tok_cpu_s"] / by["peer"]["tok_cpu_s"]
    f32, auto = by["fp32"], by["auto"]
    for name in ("cached", "full"):
        resc[name]["variants_s"] = resc["variants"] / resc[name]["seconds"]
        resc[name]["variants_cpu_s"] = resc["variants"] / resc[name]["cpu_seconds"]

    # peak RSS of a 1,000-article fp32 run: the model run's peak on the workload plus what
    # the rest of the pipeline grows by from the workload to 1,000 articles (fake scorer)
    small, big = (pipeline[k]["peak_rss_mb"] for k in sorted(pipeline, key=int))
    rss_1000 = f32["peak_rss_mb"] + max(0.0, big - small)
    targets = []

    def target(
        what: str, value: float, op: str, goal: float, unit: str = "", cpu: float | None = None
    ) -> None:
        ok = value >= goal if op == ">=" else value <= goal
        t = {"target": what, "value": round(value, 3), "goal": f"{op} {goal}{unit}", "met": ok}
        if cpu is not None:  # the same ratio per CPU second (less sensitive to other jobs)
            t["value_cpu_time"] = round(cpu, 3)
        targets.append(t)

    def ratio(x: dict, y: dict) -> tuple[float, float]:
        return x["tok_s"] / y["tok_s"], x["tok_cpu_s"] / y["tok_cpu_s"]

    target("fp32 e2e / roofline", f32["x_roofline"], ">=", 0.65, cpu=f32["x_roofline_cpu"])
    target("fp32 e2e / naive loop", f32["x_naive"], ">=", 2.0, cpu=f32["x_naive_cpu"])
    target("fp32 e2e / minicons-style peer", f32["x_peer"], ">=", 1.4, cpu=f32["x_peer_cpu"])
    wall, cpu = ratio(auto, by["fp32_padded"])
    target("auto e2e / fp32 before (padded, whole logits)", wall, ">=", 2.0, cpu=cpu)
    wall, cpu = ratio(auto, f32)
    target("auto e2e / fp32 e2e", wall, ">=", 2.0 if auto["dtype"] == "bfloat16" else 0.95, cpu=cpu)
    wall, cpu = ratio(f32, by["fp32_padded"])
    target("fp32 now / before, articles", wall, ">=", 0.95, cpu=cpu)
    wall, cpu = ratio(by["rec_fp32"], by["rec_padded"])
    target("fp32 now / before, short records", wall, ">=", 0.95, cpu=cpu)
    share = dev["severity_differs"] / max(dev["sentences"], 1)
    target("auto vs fp32: sentences whose severity changes", share, "<=", 0.01)
    if "edits_on" in by:
        on, off = by["edits_on"], by["auto"]  # the same articles: their times, not tok/s
        wall, cpu = on["seconds"] / off["seconds"], on["cpu_seconds"] / off["cpu_seconds"]
        target("check with edits: time / without", wall, "<=", 2.0, cpu=cpu)
    if "ff_off" in by:  # the false-friend rescoring (mtqa.confusion): its cost, stated
        on, off = by["auto"], by["ff_off"]
        wall, cpu = on["seconds"] / off["seconds"], on["cpu_seconds"] / off["cpu_seconds"]
        target(
            "confusion probes (FF/calque/prep/missing): time / without",
            wall,
            "<=",
            1.3,
            cpu=cpu,
        )
    if "src_on" in by:  # no target in the issue: the cost, stated
        on, off = by["src_on"], by["src_off"]
        wall, cpu = on["seconds"] / off["seconds"], on["cpu_seconds"] / off["cpu_seconds"]
        target("with sources: conditioned pass on / off", wall, "<=", 4.0, cpu=cpu)
    target(
        "cached cold start (import + load)",
        cold["cached"]["import"] + cold["cached"]["load"],
        "<=",
        3.0,
        " s",
    )
    rss_goal = 3072 if a.model.startswith("gemma") else 1536  # issue 6: 3 GB Gemma, 1.5 GB SmolLM2
    target(f"peak RSS, {a.pipeline_articles} articles fp32 (est.)", rss_1000, "<=", rss_goal, " MB")

    result = {
        "note": (
            "2 shared cores: other processes may have been running (see loadavg per row); "
            "ratios within one run are comparable, absolute tok/s less so. x_roofline is "
            "against a matmul probe taken inside the same worker just before it scored."
        ),
        "machine": {
            "cpu": _cpu_name(),
            "cores": os.cpu_count(),
            "flags": roof["flags"],
            "bf16_matmul_in_hardware": _has_bf16(),
            "python": platform.python_version(),
            "torch_threads": roof["threads"],
            "loadavg_1min": [round(load_before, 2), round(os.getloadavg()[0], 2)],
        },
        "argv": sys.argv[1:],
        "workload": {
            "articles": n_articles,
            "lines_per_article": LINES_PER_ARTICLE,
            "records": n_records,
            "file": "../shared/calibration/clean_en.txt; data/synthetic_dev.jsonl",
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
        "edits": edits,
        "rescore": resc,
        "bf16_deviation": dev,
        "cold_start": cold,
        "pipeline_rss_fake_scorer_mb": {k: round(v["peak_rss_mb"], 1) for k, v in pipeline.items()},
        "peak_rss_1000_articles_mb_estimate": round(rss_1000, 1),
        "targets": targets,
        "bench_seconds": round(time.perf_counter() - started, 1),
    }
    Path(a.output).write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
    print_table(result)
    print(f"\nwrote {a.output} ({result['bench_seconds']:.0f} s)")
    return 0


def _has_bf16() -> bool:
    """Whether the CPU multiplies bf16 natively (AVX512_BF16 or AMX); else torch emulates."""
    from mtqa.lm.device import cpu_has_bf16

    return cpu_has_bf16()


def _cpu_name() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor()


def print_table(r: dict) -> None:
    roof, m = r["roofline"], r["machine"]
    w = r["workload"]
    print(
        f"mtqa bench: {r['model']} ({r['n_params'] / 1e6:.1f}M params), {w['articles']} "
        f"articles x {w['lines_per_article']} lines + {w['records']} short records, {m['cpu']}, "
        f"{m['cores']} cores, {m['torch_threads']} threads, load average "
        f"{m['loadavg_1min'][0]} -> {m['loadavg_1min'][1]}"
    )
    print(
        f"CPU flags: {' '.join(m['flags']) or '(none of interest)'}; bf16 in hardware: "
        f"{'yes' if m['bf16_matmul_in_hardware'] else 'no'} (--dtype auto: "
        f"{'bfloat16' if m['bf16_matmul_in_hardware'] else 'float32'})"
    )
    print(
        f"roofline at start: matmul {roof['gflops']['float32']:.0f} GFLOP/s fp32, "
        f"{roof['gflops']['bfloat16']:.0f} bf16 -> {roof['tokens_per_s']['float32']:.0f} / "
        f"{roof['tokens_per_s']['bfloat16']:.0f} tok/s bound (2 x params FLOPs per token)"
    )
    head = (
        f"{'configuration':31} {'dtype':8} {'tokens':>6} {'tok/s':>6} {'x roof':>6} "
        f"{'x naive':>7} {'x peer':>6} {'tok/cpu-s':>9} {'RSS MB':>6}  note"
    )
    print(head)
    print("-" * len(head))
    for x in r["rows"]:
        print(
            f"{x['name']:31} {x['dtype']:8} {x['tokens']:6d} {x['tok_s']:6.0f} "
            f"{x['x_roofline']:6.2f} {x['x_naive']:7.2f} {x['x_peer']:6.2f} "
            f"{x['tok_cpu_s']:9.0f} {x['peak_rss_mb']:6.0f}  {x['note']}"
        )
    if not r["edits"]["available"]:
        print(f"{'mtqa check, edits on / off':31} not available (no edit suggestions yet)")
    rs = r["rescore"]
    speedup = rs["cached"]["variants_s"] / rs["full"]["variants_s"]
    print(
        f"{'edit rescoring, prefix cache':31} {'auto':8} {rs['cached']['tokens']:6d} "
        f"{rs['variants']} variants: {rs['cached']['variants_s']:.1f}/s "
        f"({rs['cached']['variants_cpu_s']:.1f}/cpu-s) vs full rescoring "
        f"{rs['full']['variants_s']:.1f}/s = {speedup:.1f}x; "
        f"context {rs['context_tokens']} tokens; max |diff| {rs['max_abs_diff_bits']:.1e} bits "
        "(bf16 rounding; fp32 <= 1e-4: tests/test_lm_gemma.py)"
    )
    print(
        "(x roof: against the matmul rate probed in the same worker just before it scored; "
        "tok/cpu-s: tokens per CPU second of the worker)"
    )
    c = r["cold_start"]
    if "first" in c:
        print(
            f"cold start, empty cache (GGUF dequantise): import {c['first']['import']:.1f} s + "
            f"load {c['first']['load']:.1f} s (process {c['first']['process_wall']:.1f} s)"
        )
    print(
        f"cold start, cached ({c['cached']['signature'].split('/')[-1]}): import + load "
        f"{c['cached']['import'] + c['cached']['load']:.1f} s (runs: {c['cached_runs']}), first "
        f"score {c['cached']['first_score']:.1f} s, process {c['cached']['process_wall']:.1f} s"
    )
    d = r["bf16_deviation"]
    print(
        f"auto vs fp32: |delta surprisal| max {d['max_bits']:.3f} bits, p99 "
        f"{d['p99_bits']:.3f}, mean {d['mean_bits']:.4f} over {d['tokens']} tokens; severity "
        f"differs in {d['severity_differs']}/{d['sentences']} sentences; padded batches vs "
        f"packed: max {d['fp32_padded_vs_packed_max_bits']:.1e} bits (articles), "
        f"{d['rec_padded_vs_packed_max_bits']:.1e} (records)"
    )
    p = r["pipeline_rss_fake_scorer_mb"]
    print(
        "pipeline peak RSS without a model (fake scorer): "
        + ", ".join(f"{k} articles {v:.0f} MB" for k, v in p.items())
        + f"; 1,000 articles with the model (est.): "
        f"{r['peak_rss_1000_articles_mb_estimate']:.0f} MB"
    )
    print("targets:")
    for t in r["targets"]:
        cpu = f"; per CPU second {t['value_cpu_time']}" if "value_cpu_time" in t else ""
        print(
            f"  [{'met ' if t['met'] else 'MISS'}] {t['target']}: {t['value']} "
            f"(goal {t['goal']}{cpu})"
        )


if __name__ == "__main__":
    raise SystemExit(main())
