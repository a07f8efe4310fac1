"""Where the time of one ``mtqa check`` goes (issue 16): a sampling profile by stage.

Runs ``run_check`` in this process on the bench workload (articles of 20 clean lines) while
a thread samples the main thread's Python stack every few milliseconds (what py-spy does,
without the extra tool: torch releases the GIL while it computes, so the sampler sees the
frame that called each op). Each sample goes to the first stage (innermost frame first)
whose function it finds on the stack; the table gives each stage's share of the run.

Usage: ``python bench/profile_check.py [--articles 4] [--model gemma3-270m] [--dtype auto]
[-o bench/profile.json]``. Load excluded from the shares (it is its own row).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
CLEAN = ROOT.parent / "shared" / "calibration" / "clean_en.txt"

#: (stage, module file suffix, function names or None for any), checked innermost first
STAGES: list[tuple[str, str, tuple[str, ...] | None]] = [
    ("LM: output layer + softmax/entropy/rank (blockwise)", "mtqa/lm/head.py", None),
    ("LM: softmax/entropy/rank over the vocabulary", "mtqa/lm/hf.py", ("token_stats",)),
    ("LM: output layer (262k-word matmul)", "mtqa/lm/hf.py", ("_logits",)),
    ("LM: attention", "mtqa/lm/packed.py", ("packed_attention",)),
    ("LM: packing and padding", "mtqa/lm/packed.py", ("pack",)),
    ("LM: transformer blocks", "mtqa/lm/packed.py", ("run_packed",)),
    ("LM: transformer blocks", "mtqa/lm/hf.py", ("_padded",)),
    ("LM: results to Python (tolist)", "mtqa/lm/hf.py", ("_stats", "_cut", "forward")),
    ("tokenisation (+ NFC)", "mtqa/lm/", ("encode", "encode_text", "nfc_map")),
    ("model load", "mtqa/lm/weights.py", None),
    ("model load", "mtqa/lm/load.py", None),
    ("edit rescoring: KV cache, candidates", "mtqa/lm/rescore.py", None),
    ("scoring glue (windows, scatter)", "mtqa/lm/base.py", None),
    ("window checkpoints", "mtqa/checkpoint.py", None),
    ("alignment", "mtqa/align.py", None),
    ("features", "mtqa/features.py", None),
    ("detection", "mtqa/detect.py", None),
    ("rule checks", "mtqa/checks/", None),
    ("segmentation", "mtqa/segment.py", None),
    ("analysis (other)", "mtqa/analyse.py", None),
    ("writers", "mtqa/report/", None),
    ("reading inputs", "mtqa/readers", None),
    ("results store", "mtqa/store.py", None),
]


def classify(frame) -> str:  # type: ignore[no-untyped-def]
    stack = []
    while frame is not None:
        stack.append((frame.f_code.co_filename.replace(os.sep, "/"), frame.f_code.co_name))
        frame = frame.f_back
    # suggested fixes (issue 11) are their own phase: their LM work is named as such
    edits = any(f.endswith(("mtqa/suggest.py", "mtqa/edits.py")) for f, _ in stack)
    phase = "suggested fixes: " if edits else ""
    for filename, func in stack:  # innermost first
        for stage, suffix, funcs in STAGES:
            if suffix in filename and (funcs is None or func in funcs):
                return phase + stage
    return phase + ("edit generation (Python)" if edits else "other (pipeline, Python)")


class Sampler(threading.Thread):
    def __init__(self, target_id: int, interval: float) -> None:
        super().__init__(daemon=True)
        self.target_id, self.interval = target_id, interval
        self.counts: Counter[str] = Counter()
        self.stop = threading.Event()

    def run(self) -> None:
        while not self.stop.is_set():
            frame = sys._current_frames().get(self.target_id)
            if frame is not None:
                self.counts[classify(frame)] += 1
            time.sleep(self.interval)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--articles", type=int, default=4)
    ap.add_argument("--model", default="gemma3-270m")
    ap.add_argument("--dtype", default="auto")
    ap.add_argument("--interval", type=float, default=0.005)
    ap.add_argument("-o", "--output", default=str(ROOT / "bench" / "profile.json"))
    a = ap.parse_args()
    from mtqa.lm.load import load_scorer
    from mtqa.pipeline import run_check
    from mtqa.settings import Settings

    lines = [x for x in CLEAN.read_text(encoding="utf-8").splitlines() if x.strip()]
    with tempfile.TemporaryDirectory(prefix="mtqa-profile-") as td:
        wl = Path(td) / "articles.jsonl"
        with wl.open("w", encoding="utf-8") as f:
            for i in range(a.articles):
                text = "\n".join(lines[i * 20 : i * 20 + 20])
                f.write(json.dumps({"id": f"a{i:03d}", "target": text}) + "\n")
        settings = Settings(model=a.model, dtype=a.dtype, device="cpu", overwrite=True)
        t = time.perf_counter()
        scorer = load_scorer(settings)
        load_s = time.perf_counter() - t
        sampler = Sampler(threading.main_thread().ident or 0, a.interval)
        sampler.start()
        t, c = time.perf_counter(), time.process_time()
        summary = run_check([str(wl)], settings, Path(td) / "out", lambda s: scorer)
        wall, cpu = time.perf_counter() - t, time.process_time() - c
        sampler.stop.set()
        sampler.join()
    total = sum(sampler.counts.values()) or 1
    rows = [
        {"stage": k, "share": v / total, "seconds": wall * v / total}
        for k, v in sampler.counts.most_common()
    ]
    out = {
        "model": a.model,
        "signature": summary.signature,
        "articles": a.articles,
        "tokens": summary.tokens,
        "load_s": round(load_s, 2),
        "wall_s": round(wall, 2),
        "cpu_s": round(cpu, 2),
        "samples": total,
        "loadavg": os.getloadavg(),
        "stages": rows,
    }
    Path(a.output).write_text(json.dumps(out, indent=1) + "\n", encoding="utf-8")
    print(
        f"mtqa check profile: {a.model} ({summary.signature.split('|')[1]}), {a.articles} "
        f"articles, {summary.tokens} tokens, {wall:.1f} s wall, {cpu:.1f} s CPU "
        f"(load {load_s:.1f} s, not included), load average {os.getloadavg()[0]:.1f}"
    )
    for r in rows:
        print(f"  {r['share']:6.1%} {r['seconds']:7.2f} s  {r['stage']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
