"""Shared fixtures. Tests reach ../shared/ only through ``shared_dir``."""

from __future__ import annotations

from pathlib import Path

import pytest

from mtqa.detect import Detector
from mtqa.lm.fake import FakeScorer
from mtqa.quality.fit import fit_percentile_detector
from mtqa.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "seeds" / "article.txt"


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    path = ROOT.parent / "shared"
    if not (path / "seed" / "gold.jsonl").is_file():
        pytest.skip(f"{path} is absent: the shared dev data (seed gold, clean English) is needed")
    return path


@pytest.fixture()
def fake_scorer() -> FakeScorer:
    return FakeScorer()


@pytest.fixture(scope="session")
def fake_calibration(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A calibration for the fake scorer: its costs are 1..6 bits, loud words 18-20."""
    xs = [1.0 + i / 100 for i in range(500)] * 3
    cal: Detector = fit_percentile_detector(xs, model="fake", source="synthetic", minor_pct=99.0)
    path = tmp_path_factory.mktemp("cal") / "fake.calibration.json"
    path.write_text(cal.to_json(), encoding="utf-8")
    return path


@pytest.fixture()
def fake_settings(fake_calibration: Path) -> Settings:
    return Settings(model="fake", calibration=str(fake_calibration))
