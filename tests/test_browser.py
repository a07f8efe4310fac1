"""report.html in a real browser (Debian's headless chromium): DOM after the scripts ran."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from mtqa.lm.fake import FakeScorer
from mtqa.pipeline import run_check
from mtqa.settings import Settings

from .conftest import SEED
from .helpers import chromium

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not chromium.available() and os.environ.get("MTQA_REQUIRE_BROWSER") != "1",
        reason=f"{chromium.CHROMIUM} is absent (apt-get install -y chromium; .ci/run does this)",
    ),
]

HOSTILE = "Intro line.\nA page with <script>document.title='pwned'</script> massaging inside.\n"


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory, fake_calibration: Path) -> Path:
    inputs = tmp_path_factory.mktemp("in")
    (inputs / "article.txt").write_bytes(SEED.read_bytes())
    (inputs / "hostile.txt").write_text(HOSTILE, encoding="utf-8")
    out = tmp_path_factory.mktemp("out")
    settings = Settings(model="fake", calibration=str(fake_calibration))
    run_check([str(inputs)], settings, out, lambda s: FakeScorer())
    return out / "report.html"


def main_marks(dom: str) -> list[tuple[str, str]]:
    main = dom[dom.index("<main") :]
    return re.findall(r'<mark class="?(minor|major)"?[^>]*>([^<]*)</mark>', main)


def test_spans_highlighted_in_the_dom(report: Path) -> None:
    dom = chromium.dump_dom(report)
    marks = main_marks(dom)
    words = [t for sev, t in marks if sev == "major"]
    for word in ("massaging", "insupports", "cenacle"):
        assert any(word in t for t in words), (word, marks)
    assert re.search(
        r'<mark class="?major"?[^>]*tabindex="?0"?[^>]*aria-description="[^"]*bits', dom
    )
    # the script in the document is text: one <script> (ours), title untouched, text escaped
    assert len(re.findall(r"<script", dom)) == 1
    assert "<title>mtqa report</title>" in dom
    assert "&lt;script&gt;document.title='pwned'&lt;/script&gt;" in dom
    # our script ran: the status line is filled in
    assert re.search(r"showing (\d+) of \1 sentences in 2 of 2 documents", dom)


def test_view_state_from_the_url(report: Path) -> None:
    dom = chromium.dump_dom(report, "flagged=1&sev=major&sort=worst")
    body = re.search(r"<body[^>]*class=\"([^\"]*)\"", dom)
    assert body and {"f-flagged", "s-major"} <= set(body.group(1).split())
    ids = re.findall(r'<section class="[^"]*" data-i="\d+" data-worst="([\d.]+)"', dom)
    assert [float(x) for x in ids] == sorted((float(x) for x in ids), reverse=True)
    assert re.search(r"showing \d+ of \d+ sentences in \d+ of 2 documents", dom)


def test_screenshot(report: Path, tmp_path: Path) -> None:
    png = chromium.screenshot(report, tmp_path / "report.png", "1200,900")
    data = png.read_bytes()
    assert data.startswith(b"\x89PNG")
    width, height = int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    assert (width, height) == (1200, 900)
    chromium.shrink(png)
    assert png.stat().st_size < 200_000
