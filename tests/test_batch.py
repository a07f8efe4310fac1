"""A folder of 200 articles: progress, summaries, Ctrl-C and resume with identical outputs."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from mtqa.cli import ProgressBar
from mtqa.detect import load_detector
from mtqa.errors import OutputError
from mtqa.lm.fake import FakeScorer
from mtqa.pipeline import run_check
from mtqa.runinfo import PENDING
from mtqa.settings import Settings

from .helpers.make_articles import make_articles

N_DOCS = 200
OUTPUTS = ("sentences.csv", "segments.jsonl", "report.html", "summary.csv", "summary.png")


class CountingScorer(FakeScorer):
    """Counts the documents it scores; raises KeyboardInterrupt once past ``stop_after``."""

    def __init__(self, log: list[str], stop_after: int | None = None) -> None:
        super().__init__()
        self.log = log
        self.stop_after = stop_after

    def score(self, texts: Sequence[str], *args: Any, **kwargs: Any):  # type: ignore[no-untyped-def]
        if self.stop_after is not None and len(self.log) + len(texts) > self.stop_after:
            raise KeyboardInterrupt
        self.log.extend(texts)
        return super().score(texts, *args, **kwargs)


def factory(log: list[str], stop_after: int | None = None) -> Callable[[Settings], FakeScorer]:
    return lambda s: CountingScorer(log, stop_after)


@pytest.fixture(scope="module")
def articles(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("articles")
    make_articles(N_DOCS, folder, seed=7)
    return folder


@pytest.fixture(scope="module")
def reference_run(articles: Path, tmp_path_factory: pytest.TempPathFactory, fake_calibration: Path):  # type: ignore[no-untyped-def]
    """One uninterrupted run; its outputs are what every resumed run must reproduce."""
    settings = Settings(model="fake", calibration=str(fake_calibration))
    out = tmp_path_factory.mktemp("ref") / "out"
    events: dict[str, int] = {}

    def progress(event: str, n: int) -> None:
        events[event] = events.get(event, 0) + n

    log: list[str] = []
    summary = run_check([str(articles)], settings, out, factory(log), progress)
    return settings, out, summary, log, events


def test_batch_outputs_and_summary(reference_run) -> None:  # type: ignore[no-untyped-def]
    settings, out, summary, log, events = reference_run
    assert summary.documents == N_DOCS and not summary.failures
    assert len(log) == N_DOCS  # each document scored once
    for name in OUTPUTS:
        assert (out / name).is_file(), name
    assert not list(out.glob(".*.tmp"))  # atomic writes leave no temp files
    # progress: the total is announced first and the scored sentences add up to it
    assert events["total"] == events["sentences"] == summary.sentences
    assert events["docs"] == N_DOCS and events.get("resumed", 0) == 0 and events["tokens"] > 0

    with (out / "summary.csv").open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    assert list(rows[0]) == ["doc_id", "sentences", "flagged", "major", "worst_score", "ppl"]
    assert [r["doc_id"] for r in rows] == [f"article-{i:04d}" for i in range(1, N_DOCS + 1)]
    with (out / "sentences.csv").open(encoding="utf-8", newline="") as f:
        sents = list(csv.DictReader(f))
    per_doc: dict[str, list[dict[str, str]]] = {}
    for s in sents:
        per_doc.setdefault(s["doc_id"], []).append(s)
    for r in rows:
        mine = per_doc[r["doc_id"]]
        assert int(r["sentences"]) == len(mine)
        assert int(r["flagged"]) == sum(s["flagged"] == "True" for s in mine)
        assert int(r["major"]) == sum(s["severity"] == "major" for s in mine)
        assert float(r["worst_score"]) == pytest.approx(
            max(float(s["score"]) for s in mine), abs=1e-4
        )
        assert float(r["ppl"]) > 1
    assert sum(int(r["flagged"]) for r in rows) == summary.flagged > 0
    png = (out / "summary.png").read_bytes()
    assert png.startswith(b"\x89PNG\r\n\x1a\n") and len(png) > 10_000


def test_interrupt_and_resume_identical(reference_run, tmp_path: Path, articles: Path) -> None:  # type: ignore[no-untyped-def]
    settings, ref_out, _, _, _ = reference_run
    out = tmp_path / "out"
    log: list[str] = []
    with pytest.raises(KeyboardInterrupt):
        run_check([str(articles)], settings, out, factory(log, stop_after=100))
    done = len(log)
    assert 0 < done < N_DOCS
    assert len(list((out / ".mtqa-parts").glob("*.json"))) == done  # complete parts survive
    assert not (out / "sentences.csv").exists() and not list(out.glob(".*.tmp"))

    events: dict[str, int] = {}

    def progress(event: str, n: int) -> None:
        events[event] = events.get(event, 0) + n

    log2: list[str] = []
    summary = run_check([str(articles)], settings, out, factory(log2), progress)
    assert len(log2) == N_DOCS - done and summary.resumed == done  # only the rest is scored
    assert events["resumed"] + events["sentences"] == events["total"] == summary.sentences
    for name in OUTPUTS:
        assert (out / name).read_bytes() == (ref_out / name).read_bytes(), name

    log3: list[str] = []
    again = run_check([str(articles)], settings, out, factory(log3))
    assert log3 == [] and again.resumed == N_DOCS  # nothing left to score: no model load
    for name in OUTPUTS:
        assert (out / name).read_bytes() == (ref_out / name).read_bytes(), name
    run = json.loads((out / "run.json").read_text(encoding="utf-8"))
    assert run["counts"]["resumed"] == N_DOCS


class FakeTty(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_bar_text() -> None:
    f = FakeTty()
    bar = ProgressBar(f)
    bar("total", 100)
    bar("resumed", 40)  # moves the bar, not the rate
    bar("sentences", 10)
    bar("docs", 3)
    bar.close()
    text = f.getvalue()
    assert "50/100" in text and "sentences/s" in text and "<" in text  # count, rate, ETA
    assert bar.bar.initial == 40


def test_cli_progress_only_on_a_terminal(
    articles: Path, tmp_path: Path, fake_calibration: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from mtqa import cli

    monkeypatch.setattr(cli, "load_scorer", lambda s: FakeScorer())
    small = tmp_path / "in"
    small.mkdir()
    for p in sorted(articles.glob("*.txt"))[:3]:
        (small / p.name).write_bytes(p.read_bytes())
    base = ["check", str(small), "--calibration", str(fake_calibration), "--model", "fake"]
    for quiet, tty, expect_bar in [(False, True, True), (True, True, False), (False, False, False)]:
        err = FakeTty() if tty else io.StringIO()
        monkeypatch.setattr("sys.stderr", err)
        args = base + ["-o", str(tmp_path / f"o{quiet}{tty}")] + (["--quiet"] if quiet else [])
        assert cli.main(args) == 0
        text = err.getvalue()
        assert ("sentences/s" in text) == expect_bar, (quiet, tty)
        assert (text == "") == quiet


def test_a_complete_run_drops_the_results_of_edited_documents(
    tmp_path: Path, fake_calibration: Path
) -> None:
    """Editing a document gives it a new key; the old result was kept for ever (a folder
    edited n times held n results of it)."""
    settings = Settings(model="fake", calibration=str(fake_calibration), formats=("jsonl",))
    texts = tmp_path / "texts"
    texts.mkdir()
    (texts / "a.txt").write_text("The council met on Monday.\n", encoding="utf-8")
    (texts / "b.txt").write_text("It rained all day.\n", encoding="utf-8")
    out = tmp_path / "out"
    parts = out / ".mtqa-parts"
    for edit in ("", " Then it stopped.", " Then it snowed."):
        (texts / "a.txt").write_text(f"The council met on Monday.{edit}\n", encoding="utf-8")
        log: list[str] = []
        run_check([str(texts)], settings, out, factory(log))
        assert len(log) == (2 if not edit else 1)  # b.txt is resumed
        assert len(list(parts.glob("*.json"))) == 2
    # an interrupted run keeps what it had: nothing is dropped before the reports stand
    (texts / "a.txt").write_text("Edited once more.\n", encoding="utf-8")
    with pytest.raises(KeyboardInterrupt):
        run_check([str(texts)], settings, out, factory([], stop_after=0))
    assert len(list(parts.glob("*.json"))) == 2


def _stored(out: Path) -> set[str]:
    return {p.name for p in (out / ".mtqa-parts").glob("*.json")}


def test_an_interrupted_run_is_not_dropped_by_another_command(
    articles: Path, tmp_path: Path, fake_calibration: Path
) -> None:
    """An interrupted run leaves no run.json: a rerun with other settings or other inputs
    was taken as a first run, and its end dropped the interrupted run's results."""
    small = tmp_path / "in"
    small.mkdir()
    for p in sorted(articles.glob("*.txt"))[:70]:  # two groups (mtqa.engines.local.chunks)
        (small / p.name).write_bytes(p.read_bytes())
    settings = Settings(model="fake", calibration=str(fake_calibration), formats=("jsonl",))
    out = tmp_path / "out"
    with pytest.raises(KeyboardInterrupt):
        run_check([str(small)], settings, out, factory([], stop_after=66))
    kept = _stored(out)
    assert 0 < len(kept) < 70
    other = replace(settings, threshold=0.9)
    with pytest.raises(OutputError) as exc:
        run_check([str(small)], other, out, factory([]))
    assert str(exc.value) == (
        f"{out}: holds an interrupted run with other settings (detector "
        f"{load_detector('fake', str(fake_calibration)).detector_id} -> "
        f"{load_detector('fake', str(fake_calibration), threshold=0.9).detector_id}); rerun "
        "its command to resume it, pass overwrite=True to replace it or choose another folder "
        "with outdir"
    )
    one = small / "article-0001.txt"
    with pytest.raises(OutputError, match=r"holds an interrupted run of other inputs \("):
        run_check([str(one)], settings, out, factory([]))
    assert _stored(out) == kept  # nothing dropped
    summary = run_check([str(small)], settings, out, factory([]))
    assert summary.resumed == len(kept) and summary.documents == 70
    assert not (out / ".mtqa-parts" / PENDING).exists()  # complete: a run like any other
    with pytest.raises(OutputError, match=r": holds a run with other settings \(detector "):
        run_check([str(small)], other, out, factory([]))


def test_an_interrupted_overwrite_resumes_when_rerun(
    articles: Path, tmp_path: Path, fake_calibration: Path
) -> None:
    """``--overwrite`` dropped the stored results at every start, so rerunning an
    interrupted ``--overwrite`` command (as the interrupt message says) scored all again,
    and rerunning it without ``--overwrite`` was refused: the work done was lost."""
    small = tmp_path / "in"
    small.mkdir()
    for p in sorted(articles.glob("*.txt"))[:70]:  # two groups (mtqa.engines.local.chunks)
        (small / p.name).write_bytes(p.read_bytes())
    base = Settings(model="fake", calibration=str(fake_calibration), formats=("jsonl",))
    out = tmp_path / "out"
    run_check([str(small)], replace(base, threshold=0.9), out, factory([]))
    settings = replace(base, overwrite=True)
    with pytest.raises(KeyboardInterrupt):
        run_check([str(small)], settings, out, factory([], stop_after=66))
    kept = _stored(out)
    assert 0 < len(kept) < 70
    with pytest.raises(OutputError, match=r"holds an interrupted run with other settings"):
        run_check([str(small)], replace(base, threshold=0.9), out, factory([]))
    log: list[str] = []
    summary = run_check([str(small)], settings, out, factory(log))
    assert summary.resumed == len(kept) and len(log) == 70 - len(kept)
    ref = tmp_path / "ref"
    run_check([str(small)], base, ref, factory([]))
    assert (out / "segments.jsonl").read_bytes() == (ref / "segments.jsonl").read_bytes()
    # a later --overwrite of a complete run still scores everything again
    again: list[str] = []
    assert run_check([str(small)], settings, out, factory(again)).resumed == 0
    assert len(again) == 70
