"""Byte-compare the outputs of two mtqa trees (a refactoring must not change any output).

    python bench/compare_outputs.py --baseline ../baseline [--new .] [--work /tmp/mtqa-compare]

``--baseline`` is another checkout of mtqa (e.g. ``git worktree add ../baseline <commit>``);
``--new`` defaults to this tree. Both run ``python -m mtqa check`` with the fake scorer
(``--model fake`` and a fake detector, as ``tests/conftest.py``'s ``fake_calibration``
makes it; no weights needed, ~1 min) on the same input files:

* ``seed``: ``seeds/article.txt`` (one article);
* ``dev``: ``data/synthetic_dev.jsonl`` (300 records);
* ``folder20``: a folder of 20 articles (``tests/helpers/make_articles.py``, seed 0);
* ``source``: ``data/example_with_source.jsonl`` (source checks);
* ``clean``: ``../shared/calibration/clean_en.txt`` as 100 articles of 20 lines (skipped when
  ``../shared`` is absent): real English, where segmentation and rule changes would show.

Every output file is compared byte for byte (``sentences.csv``, ``segments.jsonl``,
``report.html``, ``summary.csv``, ``summary.png``); ``run.json`` is compared with its
``timings`` and ``calibration.file`` removed (they hold wall-clock times and a path).
With ``../shared`` present the other commands are compared too: ``mtqa eval`` on the
``dev`` run (its table and JSON), ``mtqa synth`` (the dev and fit parts) and
``mtqa calibrate --model fake`` on the first 1,000 clean lines (the detector file: the
analysis it fits on is ``mtqa check``'s).
Exit 0 when everything is equal; else each difference is printed and the exit code is 1.
The real models are not run here (``--model`` would be slow); compare those by hand.
"""

from __future__ import annotations

import argparse
import difflib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FILES = ("sentences.csv", "segments.jsonl", "report.html", "summary.csv", "summary.png")
# A detector for the fake scorer (costs 1..6 bits, loud words 18-20), as tests/conftest.py
# makes it: fit_percentile_detector on 1.00..5.99 bits, minor at the 99th percentile.
MAKE_CALIBRATION = (
    "import sys; from mtqa.quality.fit import fit_percentile_detector; "
    "xs = [1.0 + i / 100 for i in range(500)] * 3; "
    "open(sys.argv[1], 'w', encoding='utf-8').write("
    "fit_percentile_detector(xs, model='fake', source='synthetic', minor_pct=99.0).to_json())"
)


def make_inputs(work: Path) -> dict[str, Path]:
    """The input sets, copied under ``work/inputs`` so both trees read the very same files."""
    sys.path.insert(0, str(ROOT))
    from tests.helpers.make_articles import make_articles

    inputs = work / "inputs"
    shutil.rmtree(inputs, ignore_errors=True)
    inputs.mkdir(parents=True)
    sets = {}
    for name, rel in (
        ("seed", "seeds/article.txt"),
        ("dev", "data/synthetic_dev.jsonl"),
        ("source", "data/example_with_source.jsonl"),
    ):
        target = inputs / Path(rel).name
        shutil.copyfile(ROOT / rel, target)
        sets[name] = target
    make_articles(20, inputs / "folder20", seed=0)
    sets["folder20"] = inputs / "folder20"
    clean = ROOT.parent / "shared" / "calibration" / "clean_en.txt"
    if clean.is_file():
        lines = clean.read_text(encoding="utf-8").splitlines()
        folder = inputs / "clean"
        folder.mkdir()
        for k in range(0, len(lines), 20):
            doc = "\n".join(lines[k : k + 20]) + "\n"
            (folder / f"clean-{k // 20 + 1:03d}.txt").write_text(doc, encoding="utf-8")
        sets["clean"] = folder
    return sets


def mtqa(tree: Path, python: str, *args: str) -> str:
    """Run ``python -m mtqa ARGS`` on ``tree``'s code; its stdout (exit on failure)."""
    env = dict(os.environ, PYTHONPATH=str(tree), PYTHONHASHSEED="0")
    cmd = [python, "-m", "mtqa", *args]
    proc = subprocess.run(cmd, cwd=tree, env=env, capture_output=True, text=True)
    if proc.returncode != 0:
        raise SystemExit(f"{tree}: {' '.join(cmd)} failed:\n{proc.stderr}")
    return proc.stdout


def run_tree(tree: Path, python: str, sets: dict[str, Path], cal: Path, out: Path) -> None:
    """Every ``mtqa`` command of the comparison, outputs under ``out``."""
    for name, path in sets.items():
        args = ["check", str(path), "-o", str(out / name), "--model", "fake"]
        mtqa(tree, python, *args, "--calibration", str(cal), "--overwrite", "--quiet")
    clean = ROOT.parent / "shared" / "calibration" / "clean_en.txt"
    if not clean.is_file():
        return
    gold = str(sets["dev"])
    table = mtqa(tree, python, "eval", gold, str(out / "dev"), "--json", str(out / "eval.json"))
    (out / "eval.txt").write_text(table, encoding="utf-8")
    mtqa(tree, python, "synth", str(clean), "-o", str(out / "synth-dev.jsonl"), "--part", "dev")
    fit = ["--part", "fit", "--seed", "13"]
    mtqa(tree, python, "synth", str(clean), "-o", str(out / "synth-fit.jsonl"), *fit)
    args = ["calibrate", str(clean), "--model", "fake", "--limit", "1000"]
    mtqa(tree, python, *args, "-o", str(out / "fake-detector.json"), "--quiet")


EXTRA = ("eval.txt", "eval.json", "synth-dev.jsonl", "synth-fit.jsonl", "fake-detector.json")


def run_json(path: Path) -> dict[str, object]:
    """run.json without what legitimately differs between two runs (times, the detector path)."""
    data = json.loads(path.read_text(encoding="utf-8"))
    data.pop("timings", None)
    data.get("calibration", {}).pop("file", None)
    return data


def compare(a: Path, b: Path, sets: dict[str, Path]) -> list[str]:
    problems = []
    for name in sets:
        for f in FILES:
            x, y = a / name / f, b / name / f
            if not x.is_file() or not y.is_file():
                problems.append(
                    f"{name}/{f}: missing in {'baseline' if not x.is_file() else 'new'}"
                )
            elif x.read_bytes() != y.read_bytes():
                problems.append(f"{name}/{f}: differs")
                if f.endswith((".csv", ".jsonl")):
                    diff = difflib.unified_diff(
                        x.read_text(encoding="utf-8").splitlines(),
                        y.read_text(encoding="utf-8").splitlines(),
                        "baseline",
                        "new",
                        lineterm="",
                        n=0,
                    )
                    problems.extend("    " + line[:300] for line in list(diff)[:20])
        if run_json(a / name / "run.json") != run_json(b / name / "run.json"):
            problems.append(f"{name}/run.json: differs (timings and calibration.file ignored)")
    for f in EXTRA:
        x, y = a / f, b / f
        if x.is_file() != y.is_file() or (x.is_file() and x.read_bytes() != y.read_bytes()):
            problems.append(f"{f}: differs")
    return problems


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--baseline", type=Path, required=True, help="the other mtqa checkout")
    ap.add_argument("--new", type=Path, default=ROOT, help="this tree (default)")
    ap.add_argument("--work", type=Path, default=Path("/tmp/mtqa-compare"))
    ap.add_argument("--python", default=sys.executable, help="interpreter with mtqa's deps")
    a = ap.parse_args()
    work = a.work.resolve()
    sets = make_inputs(work)
    cal = work / "fake.calibration.json"
    env = dict(os.environ, PYTHONPATH=str(a.new.resolve()))
    subprocess.run([a.python, "-c", MAKE_CALIBRATION, str(cal)], env=env, check=True)
    for label, tree in (("baseline", a.baseline), ("new", a.new)):
        run_tree(tree.resolve(), a.python, sets, cal, work / label)
    problems = compare(work / "baseline", work / "new", sets)
    for p in problems:
        print(p)
    n = len(sets) * (len(FILES) + 1) + sum((work / "new" / f).is_file() for f in EXTRA)
    verdict = "all equal" if not problems else f"{len(problems)} difference line(s)"
    print(f"compared {n} files in {len(sets)} sets ({', '.join(sets)}): {verdict}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
