import dataclasses
import json
from pathlib import Path

import pytest

from mtqa.errors import MtqaError
from mtqa.lm.fake import FakeScorer
from mtqa.pipeline import run_check
from mtqa.settings import Settings


def test_glossary_reaches_the_report(tmp_path: Path, fake_settings: Settings) -> None:
    g = tmp_path / "g.csv"
    g.write_text("accord sur le Brexit,Brexit deal\n,Brexit agreement,yes\n", encoding="utf-8")
    inp = tmp_path / "in.jsonl"
    rec = {
        "id": "a",
        "target": "The Brexit agreement was signed.",
        "source": "L'accord sur le Brexit a été signé.",
    }
    inp.write_text(json.dumps(rec) + "\n", encoding="utf-8")
    out = tmp_path / "out"
    run_check(
        [str(inp)],
        dataclasses.replace(fake_settings, glossary=str(g), formats=("jsonl",)),
        out,
        lambda s: FakeScorer(),
    )
    seg = json.loads((out / "segments.jsonl").read_text(encoding="utf-8").splitlines()[0])
    sources = {s["source"] for s in seg["spans"]}
    assert {"rule:glossary-forbidden", "rule:glossary-missing"} <= sources


def test_bad_glossary_fails_early(tmp_path: Path) -> None:
    inp = tmp_path / "in.txt"
    inp.write_text("Hello there.", encoding="utf-8")
    with pytest.raises(MtqaError):
        run_check(
            [str(inp)],
            Settings(glossary=str(tmp_path / "none.csv")),
            tmp_path / "o",
            lambda s: FakeScorer(),
        )
    assert not (tmp_path / "o").exists()
