"""``--overwrite`` keeps the results it replaces until its own reports stand.

A run that stores nothing (every input fails, an error or Ctrl-C before its first result)
leaves the folder exactly as it found it; a run that stores results is a run like any
other: its reports replace the old ones, and its failures are named.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from mtqa import cli
from mtqa.errors import ModelError
from mtqa.lm.fake import FakeScorer
from mtqa.pipeline import run_check
from mtqa.runinfo import PENDING
from mtqa.settings import Settings
from tests.test_batch import factory  # a FakeScorer that logs and can be interrupted

BAD = b"\xff\xfe b\x00a\x00d\x00"  # UTF-16: every reader refuses it
WHY = "UTF-16 text, not UTF-8; convert it (e.g. `iconv -f UTF-16 -t UTF-8`) or save it as UTF-8"


def snapshot(out: Path) -> dict[str, bytes]:
    """Every file of the folder (the lock aside), by path, with its bytes."""
    return {
        p.relative_to(out).as_posix(): p.read_bytes()
        for p in sorted(out.rglob("*"))
        if p.is_file() and p.name != ".mtqa-lock"
    }


@pytest.fixture()
def texts(tmp_path: Path) -> Path:
    folder = tmp_path / "texts"
    folder.mkdir()
    for i in range(1, 7):
        (folder / f"doc{i}.txt").write_text(
            f"The council met on Monday {i}. It rained all day.\n", encoding="utf-8"
        )
    (tmp_path / "bad.txt").write_bytes(BAD)
    return folder


def test_cli_overwrite_with_every_input_failing_keeps_the_earlier_run(
    texts: Path, tmp_path: Path, fake_calibration: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:  # type: ignore[no-untyped-def]
    """It dropped the stored results at its start: the earlier reports stayed, but their
    results were gone, so the earlier command scored everything again."""
    monkeypatch.chdir(tmp_path)
    fake = ["--model", "fake", "--calibration", str(fake_calibration)]
    assert cli.main(["check", "texts", "-o", "out", "--quiet", *fake]) == 0
    before = snapshot(tmp_path / "out")
    capsys.readouterr()
    argv = ["check", "bad.txt", "-o", "out", "--overwrite", "--window", "512", *fake]
    assert cli.main(argv) == 1
    err = capsys.readouterr().err
    assert err == (
        f"bad.txt: {WHY}\n"
        "mtqa: nothing scored: every input failed; no report written to out (the earlier "
        "run's reports and results there are kept as they were)\n"
    )
    assert snapshot(tmp_path / "out") == before
    log: list[str] = []
    settings = Settings(model="fake", calibration=str(fake_calibration))
    summary = run_check(["texts"], settings, "out", factory(log))
    assert summary.resumed == 6 and log == []  # the earlier command resumes all


@pytest.mark.parametrize("how", ["model fails to load", "ctrl-c before a result"])
def test_overwrite_ending_before_a_result_keeps_the_earlier_run(
    how: str, texts: Path, tmp_path: Path, fake_calibration: Path
) -> None:
    settings = Settings(model="fake", calibration=str(fake_calibration), formats=("jsonl",))
    out = tmp_path / "out"
    run_check([str(texts)], settings, out, factory([]))
    before = snapshot(out)
    other = replace(settings, overwrite=True, window=512)
    if how == "model fails to load":

        def broken(s: Settings) -> FakeScorer:
            raise ModelError("fake: cannot load")

        with pytest.raises(ModelError):
            run_check([str(texts)], other, out, broken)
    else:
        with pytest.raises(KeyboardInterrupt):
            run_check([str(texts)], other, out, factory([], stop_after=0))
    assert snapshot(out) == before
    assert run_check([str(texts)], settings, out, factory([])).resumed == 6


def test_overwrite_of_an_interrupted_overwrite_that_stores_nothing_restores_it(
    texts: Path, tmp_path: Path, fake_calibration: Path
) -> None:
    """The interrupted run's results and the ones it was replacing both come back; its
    command then resumes and, complete, drops the replaced ones."""
    for i in range(7, 71):  # two groups (mtqa.engines.local.chunks): one is stored
        (texts / f"doc{i}.txt").write_text(f"Another {i} day.\n", encoding="utf-8")
    base = Settings(model="fake", calibration=str(fake_calibration), formats=("jsonl",))
    out = tmp_path / "out"
    run_check([str(texts)], base, out, factory([]))
    first = replace(base, overwrite=True, window=512)
    with pytest.raises(KeyboardInterrupt):
        run_check([str(texts)], first, out, factory([], stop_after=66))
    interrupted = snapshot(out)
    assert any(k.startswith(".mtqa-parts/replaced/") for k in interrupted)
    assert f".mtqa-parts/{PENDING}" in interrupted
    second = replace(base, overwrite=True, window=768)
    summary = run_check([str(tmp_path / "bad.txt")], second, out, factory([]))
    assert summary.outputs == [] and [f.message for f in summary.failures] == [WHY]
    assert snapshot(out) == interrupted
    log: list[str] = []
    summary = run_check([str(texts)], first, out, factory(log))
    assert summary.resumed == 64 and len(log) == 6
    assert not (out / ".mtqa-parts" / "replaced").exists()
    assert len(list((out / ".mtqa-parts").glob("*.json"))) == 70


def test_overwrite_with_some_inputs_failing_replaces_the_run_and_names_them(
    texts: Path, tmp_path: Path, fake_calibration: Path
) -> None:
    """A batch keeps going past bad files: the run's reports replace the earlier ones
    (one signature per report), the failures are named; nothing replaced is kept."""
    settings = Settings(model="fake", calibration=str(fake_calibration), formats=("jsonl",))
    out = tmp_path / "out"
    run_check([str(texts)], settings, out, factory([]))
    other = replace(settings, overwrite=True, window=512)
    bad = str(tmp_path / "bad.txt")
    summary = run_check([bad, str(texts / "doc1.txt")], other, out, factory([]))
    assert [str(f) for f in summary.failures] == [f"{bad}: {WHY}"]
    lines = (out / "segments.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(lines) == 1 and '"id": "doc1"' in lines[0]
    parts = out / ".mtqa-parts"
    assert not (parts / "replaced").exists() and len(list(parts.glob("*.json"))) == 1
