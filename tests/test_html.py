"""report.html: escaping, highlighting, controls, signature, determinism (no browser needed)."""

from __future__ import annotations

import base64
import hashlib
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from mtqa.lm.fake import FakeScorer
from mtqa.pipeline import run_check
from mtqa.records import DocumentResult, SentenceResult, Span
from mtqa.report.html import CSP, JS, HtmlWriter, highlight
from mtqa.settings import Settings

from .conftest import SEED


class Marks(HTMLParser):
    """Collects <mark> elements inside <main> (text and attributes) and every <script>."""

    def __init__(self) -> None:
        super().__init__()
        self.in_main = False
        self.stack: list[dict[str, str | None]] = []
        self.marks: list[tuple[dict[str, str | None], str]] = []
        self.text: list[str] = []
        self.scripts = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "main":
            self.in_main = True
        elif tag == "script":
            self.scripts += 1
        elif tag == "mark" and self.in_main:
            self.stack.append(dict(attrs))
            self.text = []

    def handle_endtag(self, tag: str) -> None:
        if tag == "main":
            self.in_main = False
        elif tag == "mark" and self.stack:
            self.marks.append((self.stack.pop(), "".join(self.text)))

    def handle_data(self, data: str) -> None:
        if self.stack:
            self.text.append(data)


def parse(page: str) -> Marks:
    m = Marks()
    m.feed(page)
    return m


def span(start: int, end: int, text: str, sev: str = "major", source: str = "lm") -> Span:
    return Span(start, end, text, sev, 0.99, source, f"why {text}")  # type: ignore[arg-type]


def sentence(text: str, spans: tuple[Span, ...] = (), offset: int = 0, sid: int = 1):  # type: ignore[no-untyped-def]
    sev = max((s.severity for s in spans), key=["minor", "major"].index, default="none")
    return SentenceResult(
        "d", sid, offset, offset + len(text), text, 5, 12.0, 0.99 if spans else 0.1, sev, spans
    )


@pytest.mark.parametrize(
    ("text", "offset", "spans", "expected"),
    [
        # no spans: the text, escaped
        ("a <b> & c", 0, (), "a &lt;b&gt; &amp; c"),
        # control characters (HTML parse errors) show as U+2400 pictures, C1 as \xNN; tab stays
        ("n\x00 b\x07 e\x1b[ f\x0c d\x7f t\t c\x9b", 0, (), "n␀ b␇ e␛[ f␌ d␡ t\t c\\x9b"),
        # one span, offsets are document offsets (the sentence starts at 10)
        ("He insupports it.", 10, (span(13, 23, "insupports"),), ["insupports"]),
        # two spans side by side stay two marks
        ("ab cd", 0, (span(0, 2, "ab"), span(3, 5, "cd", "minor")), ["ab", "cd"]),
        # overlap: the shared piece is its own mark with the worst severity
        ("abcdef", 0, (span(0, 4, "abcd", "minor"), span(2, 6, "cdef")), ["ab", "cd", "ef"]),
        # a span running past the sentence end is clipped
        ("xyz", 0, (span(1, 9, "yz"),), ["yz"]),
    ],
)
def test_highlight_table(text: str, offset: int, spans: tuple[Span, ...], expected) -> None:  # type: ignore[no-untyped-def]
    out = highlight(text, offset, spans)
    if isinstance(expected, str):
        assert out == expected
        return
    marks = parse(f"<main>{out}</main>").marks
    assert [t for _, t in marks] == expected
    # the visible text is the sentence, unchanged
    assert re.sub(r"<[^>]+>", "", out) == text.replace("&", "&amp;")


def test_overlap_takes_worst_severity_and_both_reasons() -> None:
    out = highlight("abcdef", 0, (span(0, 4, "abcd", "minor", "rule:x"), span(2, 6, "cdef")))
    marks = parse(f"<main>{out}</main>").marks
    classes = [a["class"] for a, _ in marks]
    assert classes == ["minor", "major", "major"]
    middle = marks[1][0]["aria-description"] or ""
    assert "rule:x: why abcd" in middle and "lm: why cdef" in middle
    for attrs, _ in marks:  # reachable by keyboard, reason for hover, focus and screen readers
        assert attrs["tabindex"] == "0" and attrs["aria-description"]


def write_page(tmp_path: Path, *results: DocumentResult, sig: str = "mtqa:test") -> str:
    w = HtmlWriter(tmp_path, {"signature": sig})
    for r in results:
        w.write(r)
    return w.close().read_text(encoding="utf-8")


def test_hostile_input_is_text(tmp_path: Path) -> None:
    text = '<script>alert(1)</script> and "quotes" & <img src=x onerror=alert(2)>'
    sp = span(0, 8, "<script>")
    doc = DocumentResult('x" onmouseover="alert(3)', "p", text, (sentence(text, (sp,)),))
    page = write_page(tmp_path, doc, sig="sig<script>alert(4)</script>")
    m = parse(page)
    assert m.scripts == 1  # ours only
    assert "<script>alert" not in page and "<img" not in page
    assert (
        ">&lt;script&gt;</mark>alert(1)&lt;/script&gt; and &quot;quotes&quot; &amp; &lt;img" in page
    )
    assert 'data-id="x&quot; onmouseover=&quot;alert(3)"' in page
    assert [t for _, t in m.marks] == ["<script>"]


def test_csp_allows_only_our_script() -> None:
    digest = base64.b64encode(hashlib.sha256(JS.encode()).digest()).decode()
    assert f"script-src 'sha256-{digest}'" in CSP and "default-src 'none'" in CSP


def test_page_structure(tmp_path: Path) -> None:
    clean = DocumentResult("clean", "p", "All fine.", (sentence("All fine."),))
    bad_text = "Fine. He insupports it."
    bad = DocumentResult(
        "bad",
        "p",
        bad_text,
        (
            sentence("Fine."),
            sentence("He insupports it.", (span(9, 19, "insupports"),), offset=6, sid=2),
        ),
    )
    page = write_page(tmp_path, clean, bad, sig="mtqa:0.1.0|model:fake|dtype:float32")
    assert "<code class=sig>mtqa:0.1.0|model:fake|dtype:float32</code>" in page
    assert '<section class="doc clean" data-i="0" data-worst="0.1000" data-id="clean">' in page
    assert '<section class="doc flagged has-major" data-i="1" data-worst="0.9900"' in page
    assert '<div class="sent major"><span class=n>2</span><span class=bar style="--w:99%" ' in page
    for control in ("id=flagged", "id=sev", "id=sort", "id=status"):
        assert control in page
    # CSS does the filtering: one class on <body> hides rows and documents
    for rule in (
        "body.f-flagged .sent.none",
        "body.s-major .sent:not(.major)",
        "body.s-minor .sent:not(.minor)",
        "mark[aria-description]:is(:hover,:focus)::after{content:attr(aria-description)",
    ):
        assert rule in page
    assert "2 documents (1 with flags) · 3 sentences · 1 flagged (1 major)" in page
    assert page.rstrip().endswith("</html>")
    assert not list(tmp_path.glob(".*.tmp"))


def test_seed_page_is_deterministic(tmp_path: Path, fake_settings: Settings) -> None:
    pages = []
    for name in ("a", "b"):
        run_check([str(SEED)], fake_settings, tmp_path / name, lambda s: FakeScorer())
        pages.append((tmp_path / name / "report.html").read_bytes())
    assert pages[0] == pages[1]
    marks = parse(pages[0].decode()).marks
    texts = [t for _, t in marks]
    for word in ("massaging", "insupports", "cenacle"):
        assert any(word in t for a, t in marks if a["class"] == "major"), word
    assert len(texts) >= 3
    text = SEED.read_text(encoding="utf-8")
    for t in texts:
        assert t in text
