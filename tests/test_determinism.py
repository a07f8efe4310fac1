"""Determinism: the same input and settings give byte-identical reports (timings live
only in run.json), and neither batch size nor input order changes a score."""

from __future__ import annotations

import dataclasses
import json
import os
import subprocess
import sys
import zlib
from collections.abc import Sequence
from pathlib import Path

import pytest

from mtqa.engines.base import check_documents
from mtqa.lm.base import ForwardOutput
from mtqa.lm.fake import FakeScorer
from mtqa.pipeline import run_check
from mtqa.records import Document
from mtqa.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
# ``python -m mtqa`` without drawing summary.png (not under test; ~1 s per process)
NO_PLOT_MAIN = (
    "import sys, mtqa.report.summary as s; s.plot_summary = lambda *a, **k: b'png'; "
    "from mtqa.cli import main; sys.exit(main(sys.argv[1:]))"
)
REPORTS = ("sentences.csv", "segments.jsonl", "report.html", "summary.csv")

TEXTS = [
    "The council met on Monday. It approved the budget after a long debate.",
    "Mr. Smith said the massaging of figures was « unacceptable ». He left early.",
    "Short.",
    "Prices rose by 13,000 euros in the U.S. last year!\r\nA new line. And another one?",
    "The minister insupports the plan. zzfoo is not a word.\n\nHeadline\nBody text here.",
    "مرحبا بالعالم. Emoji 👍🏽 here. https://example.com/a?b=1 is a link.",
] * 3


class ContextScorer(FakeScorer):
    """A fake whose surprisal depends on the preceding token (its text, not its id) and
    on the position in the window, so a mix-up of documents, windows or rows between
    batches changes scores (and so does another window size)."""

    def forward(self, batch: Sequence[Sequence[int]]) -> list[ForwardOutput]:
        self.calls.append(len(batch))
        outs = []
        for ids in batch:
            s = [
                self.cost(self._text[ids[k]])
                + (zlib.crc32(self._text[ids[k - 1]].encode()) % 97) / 97
                + (k % 5) / 50
                for k in range(1, len(ids))
            ]
            outs.append(ForwardOutput(surprisal=s, entropy=[5.0] * len(s)))
        return outs


def docs() -> list[Document]:
    return [Document(f"d{i}", t, "x.jsonl", i + 1) for i, t in enumerate(TEXTS)]


def scores(results) -> dict[tuple[str, int, int], float]:  # type: ignore[no-untyped-def]
    """Every number that could move: sentence score and ppl, each word's surprisal."""
    out: dict[tuple[str, int, int], float] = {}
    for r in results:
        for s in r.sentences:
            out[(r.doc_id, s.sent_id, -1)] = s.score
            out[(r.doc_id, s.sent_id, -2)] = s.ppl
            for w in s.words:
                out[(r.doc_id, s.sent_id, w.start)] = w.surprisal
    return out


def test_batch_size_and_input_order_do_not_change_scores(fake_settings: Settings) -> None:
    from mtqa.detect import load_detector

    cal = load_detector("fake", fake_settings.calibration)
    base = scores(check_documents(docs(), ContextScorer(window=24, overlap=6), cal, 1))
    assert len({k[0] for k in base}) == len(TEXTS)
    for batch in (2, 8, 64):
        got = scores(check_documents(docs(), ContextScorer(window=24, overlap=6), cal, batch))
        assert got == pytest.approx(base, abs=1e-9), batch
    shuffled = docs()[::-1][::2] + docs()[::-1][1::2]
    got = scores(check_documents(shuffled, ContextScorer(window=24, overlap=6), cal, 5))
    assert got == pytest.approx(base, abs=1e-9)
    # the window changes the context, so it may change scores: the test can tell
    other = scores(check_documents(docs(), ContextScorer(window=16, overlap=4), cal, 1))
    assert other != base


def write_inputs(folder: Path) -> None:
    folder.mkdir()
    lines = [
        json.dumps({"id": f"r{i}", "target": t}, ensure_ascii=False) for i, t in enumerate(TEXTS)
    ]
    (folder / "a.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (folder / "b.txt").write_text("\n".join(TEXTS[:4]), encoding="utf-8")


def test_reports_are_byte_identical_across_runs_and_resumes(
    tmp_path: Path, fake_settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("mtqa.report.summary.plot_summary", lambda *a, **k: b"\x89PNG")
    write_inputs(tmp_path / "in")
    inputs = [str(tmp_path / "in")]
    run_check(inputs, fake_settings, tmp_path / "one", lambda s: FakeScorer())
    run_check(inputs, fake_settings, tmp_path / "two", lambda s: FakeScorer())
    small = dataclasses.replace(fake_settings, batch_size=1)
    run_check(inputs, small, tmp_path / "three", lambda s: FakeScorer())
    resumed = run_check(inputs, fake_settings, tmp_path / "one", lambda s: FakeScorer())
    assert resumed.resumed == len(TEXTS) + 1
    for name in REPORTS:
        first = (tmp_path / "one" / name).read_bytes()
        assert first, name
        assert (tmp_path / "two" / name).read_bytes() == first, name
        assert (tmp_path / "three" / name).read_bytes() == first, name
    run = json.loads((tmp_path / "one" / "run.json").read_text(encoding="utf-8"))
    assert "timings" in run  # the only place for wall-clock numbers


def test_reports_do_not_depend_on_hash_seed(tmp_path: Path, fake_calibration: Path) -> None:
    """Two processes with different PYTHONHASHSEED: set/dict order must not leak out."""
    write_inputs(tmp_path / "in")
    outs = []
    for seed in ("1", "2"):
        out = tmp_path / f"seed{seed}"
        env = os.environ | {"PYTHONHASHSEED": seed, "PYTHONPATH": str(ROOT)}
        argv = [sys.executable, "-c", NO_PLOT_MAIN, "check", str(tmp_path / "in"), "-o", str(out)]
        argv += ["--model", "fake", "--calibration", str(fake_calibration), "--quiet"]
        argv += ["--format", "csv,jsonl"]
        done = subprocess.run(argv, env=env, capture_output=True, text=True)
        assert (done.returncode, done.stderr) == (0, ""), seed
        outs.append(out)
    for name in ("sentences.csv", "segments.jsonl", "summary.csv"):
        assert (outs[0] / name).read_bytes() == (outs[1] / name).read_bytes(), name
