"""Output folders that cannot lose work (issue 13.6), through the real command.

The default folder is never inside an input folder, the folder walk skips mtqa's own
output folders, a second run into a folder in use is refused (a dead run's lock is taken
over), and an error before any result leaves no folder behind.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from mtqa.outdir import LOCK, default_outdir, held_inputs
from mtqa.readers.walk import scan

from .test_shell import TEXT, mtqa_run


@pytest.fixture()
def fake(fake_calibration: Path) -> list[str]:
    return ["--model", "fake", "--calibration", str(fake_calibration), "--quiet"]


def ids(folder: Path) -> list[str]:
    return [json.loads(x)["id"] for x in (folder / "segments.jsonl").open(encoding="utf-8")]


def test_default_folder_is_never_inside_an_input_folder(tmp_path: Path, fake: list[str]) -> None:
    texts = tmp_path / "texts"
    texts.mkdir()
    (texts / "a.txt").write_text(TEXT, encoding="utf-8")
    (texts / "b.txt").write_text("Fine text.\n", encoding="utf-8")
    for _ in range(2):  # the rerun must not read the first run's reports as input
        out = mtqa_run(texts, "check", ".", *fake)
        assert (out.returncode, out.stdout, out.stderr) == (
            0,
            "../reports/texts/sentences.csv\n",
            "",
        )
    assert sorted(p.name for p in texts.iterdir()) == ["a.txt", "b.txt"]
    assert ids(tmp_path / "reports" / "texts") == ["a", "b"]
    assert default_outdir(["a.txt"], tmp_path) == Path("reports/a")
    assert default_outdir(["texts/"], tmp_path) == Path("reports/texts")
    assert default_outdir(["-"], tmp_path) == Path("reports/stdin")
    # the same inputs in another order or spelling: the same folder (it was the first given)
    for order in (["ids/fr", "ids/de", "x.jsonl"], ["x.jsonl", "./ids/de/", "ids/fr"]):
        assert default_outdir(order, tmp_path) == Path("reports/de")


def test_the_walk_skips_output_folders(tmp_path: Path, fake: list[str]) -> None:
    texts = tmp_path / "texts"
    texts.mkdir()
    (texts / "a.txt").write_text(TEXT, encoding="utf-8")
    assert mtqa_run(tmp_path, "check", "texts", *fake, "-o", "texts/out").returncode == 0
    again = mtqa_run(tmp_path, "check", "texts", *fake, "-o", "elsewhere")
    assert again.returncode == 0 and ids(tmp_path / "elsewhere") == ["a"]
    named = mtqa_run(tmp_path, "check", "texts/out", *fake, "-o", "third")
    assert named.returncode == 1
    assert named.stderr == (
        "texts/out: an mtqa output folder (it holds run.json or .mtqa-parts), not input; pass "
        "the folder of the texts to check\n"
    )
    assert not (tmp_path / "third").exists()


HOLD = """
import sys, time
from pathlib import Path
from mtqa.outdir import FolderLock
lock = FolderLock(Path(sys.argv[1]), ["other.txt"])
lock.acquire()
print("locked", flush=True)
time.sleep(120)
"""


def test_a_folder_in_use_is_refused_and_a_dead_runs_lock_taken_over(
    tmp_path: Path, fake: list[str]
) -> None:
    (tmp_path / "a.txt").write_text(TEXT, encoding="utf-8")
    (tmp_path / "out").mkdir()
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(tmp_path / "out")], stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline() == "locked\n"
        out = mtqa_run(tmp_path, "check", "a.txt", *fake, "-o", "out")
        assert out.returncode == 1
        assert out.stderr.startswith(
            f"mtqa: error: out: another mtqa run is writing here (pid {holder.pid} on "
        )
        assert out.stderr.endswith(
            ", inputs: other.txt); wait for it to end or choose another folder with -o\n"
        )
        assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [LOCK]
    finally:
        holder.send_signal(signal.SIGKILL)
        holder.wait()
    # the killed run left its lock file (its pid is dead): the next run takes it over
    assert json.loads((tmp_path / "out" / LOCK).read_text())["pid"] == holder.pid
    out = mtqa_run(tmp_path, "check", "a.txt", *fake, "-o", "out")
    assert out.returncode == 0 and ids(tmp_path / "out") == ["a"]
    assert not (tmp_path / "out" / LOCK).exists()  # released at the end


def test_a_lock_file_of_a_dead_pid_is_taken_over(tmp_path: Path, fake: list[str]) -> None:
    (tmp_path / "a.txt").write_text(TEXT, encoding="utf-8")
    (tmp_path / "out").mkdir()
    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True
    )
    stale = {"pid": int(dead.stdout), "host": "h", "started": time.ctime(), "inputs": ["x"]}
    (tmp_path / "out" / LOCK).write_text(json.dumps(stale), encoding="utf-8")
    assert mtqa_run(tmp_path, "check", "a.txt", *fake, "-o", "out").returncode == 0


def test_an_error_before_any_result_leaves_no_folder(
    tmp_path: Path, fake_calibration: Path
) -> None:
    (tmp_path / "a.txt").write_text(TEXT, encoding="utf-8")
    other = json.loads(fake_calibration.read_text(encoding="utf-8")) | {"model": "other"}
    (tmp_path / "other.json").write_text(json.dumps(other), encoding="utf-8")
    args = ["check", "a.txt", "--model", "fake", "--calibration", "other.json"]
    out = mtqa_run(tmp_path, *args, "-o", "reports/deep/out")
    assert out.returncode == 1
    assert out.stderr.startswith(
        "mtqa: error: the detector was fitted for other, but the model is fake"
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.txt", "other.json"]
    # a folder that was there before stays, empty as it was
    (tmp_path / "kept").mkdir()
    assert mtqa_run(tmp_path, *args, "-o", "kept").returncode == 1
    assert list((tmp_path / "kept").iterdir()) == []


def test_an_output_folder_holding_inputs_of_an_input_folder_is_refused(
    tmp_path: Path, fake: list[str]
) -> None:
    """``-o texts/sub`` with inputs in ``texts/sub``: the first run read them, its reports
    made ``texts/sub`` an output folder, and every rerun left its inputs out in silence
    (and dropped their results)."""
    texts = tmp_path / "texts"
    (texts / "sub").mkdir(parents=True)
    (texts / "a.txt").write_text(TEXT, encoding="utf-8")
    (texts / "sub" / "b.txt").write_text("Fine text.\n", encoding="utf-8")
    out = mtqa_run(tmp_path, "check", "texts", *fake, "-o", "texts/sub")
    assert (out.returncode, out.stdout) == (2, "")
    assert out.stderr == (
        "mtqa: error: texts/sub: holds inputs of the input folder texts (texts/sub/b.txt); "
        "its reports would hide them from the folder walk, so a rerun would leave them out; "
        "write the reports elsewhere (-o reports/texts)\n"
    )
    assert sorted(p.name for p in (texts / "sub").iterdir()) == ["b.txt"]
    # a folder inside holding no inputs is fine, on the rerun too (its reports are mtqa's)
    for _ in range(2):
        out = mtqa_run(tmp_path, "check", "texts", *fake, "-o", "texts/out")
        assert out.returncode == 0 and ids(texts / "out") == ["a", "sub/b"]


def test_held_inputs_walk_the_folder_as_the_reader_does(tmp_path: Path, fake: list[str]) -> None:
    """``held_inputs`` had its own ``os.walk``, which follows no folder link and counts a
    broken link or a FIFO named ``.txt`` as an input: ``-o texts/sub`` with ``texts/sub/link``
    leading to a folder of inputs was let through, and the walk then left those inputs out in
    silence; a broken link in it was refused as an input. One walk serves both now."""
    texts, elsewhere = tmp_path / "texts", tmp_path / "elsewhere"
    (texts / "sub").mkdir(parents=True)
    elsewhere.mkdir()
    (texts / "a.txt").write_text(TEXT, encoding="utf-8")
    (elsewhere / "b.txt").write_text("Fine text.\n", encoding="utf-8")
    (texts / "sub" / "link").symlink_to("../../elsewhere", target_is_directory=True)
    (texts / "sub" / "broken.txt").symlink_to("nowhere.txt")
    os.mkfifo(texts / "sub" / "pipe.txt")
    (texts / "sub" / "loop").symlink_to("..", target_is_directory=True)
    sub = texts / "sub"
    # the reader's walk of the folder, and held_inputs: the same files
    found, _ = scan([str(sub)])
    assert held_inputs(sub) == sorted(p for p, _ in found) == [sub / "link" / "b.txt"]
    out = mtqa_run(tmp_path, "check", "texts", *fake, "-o", "texts/sub")
    assert (out.returncode, out.stdout) == (2, "")
    assert out.stderr == (
        "mtqa: error: texts/sub: holds inputs of the input folder texts (texts/sub/link/b.txt); "
        "its reports would hide them from the folder walk, so a rerun would leave them out; "
        "write the reports elsewhere (-o reports/texts)\n"
    )
    # given as an input too, the linked folder loses nothing: fine
    out = mtqa_run(tmp_path, "check", "texts", "elsewhere", *fake, "-o", "texts/sub")
    assert out.returncode == 0 and ids(sub) == ["a", "b"], out.stderr


def test_a_link_to_a_file_also_read_is_no_held_input(tmp_path: Path, fake: list[str]) -> None:
    texts = tmp_path / "texts"
    (texts / "sub").mkdir(parents=True)
    (texts / "a.txt").write_text(TEXT, encoding="utf-8")
    (texts / "sub" / "alias.txt").symlink_to("../a.txt")
    assert held_inputs(texts / "sub") == [texts / "sub" / "alias.txt"]
    for _ in range(2):
        out = mtqa_run(tmp_path, "check", "texts", *fake, "-o", "texts/sub")
        assert out.returncode == 0 and ids(texts / "sub") == ["a"], out.stderr
