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
from mtqa.report.html import (
    CSP,
    CSS,
    JS,
    HtmlWriter,
    exact,
    highlight,
    issue_card,
    suggestion_html,
)
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
        # bidirectional overrides, embeddings and isolates are shown by name, never obeyed
        ("a\u202eb\u2066c\u2069d\u202ae\u202c", 0, (), "a⟨RLO⟩b⟨LRI⟩c⟨PDI⟩d⟨LRE⟩e⟨PDF⟩"),
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


def test_overlap_takes_worst_severity_and_names_both_spans() -> None:
    spans = (span(0, 4, "abcd", "minor", "rule:x"), span(2, 6, "cdef"))
    marks = parse(f"<main>{highlight('abcdef', 0, spans, (7, 8))}</main>").marks
    assert [(a["class"], a["data-k"]) for a, _ in marks] == [
        ("minor", "7"),
        ("major", "7 8"),
        ("major", "8"),
    ]


@pytest.mark.parametrize(
    ("sp", "shown"),
    [
        # an LM fix: the gain in bits, as the issue asks
        (
            Span(0, 9, "massaging", "minor", 0.4, "lm", "r", "massing", 38.24),
            "<bdi class=w>massaging</bdi> → <bdi class=sg>massing</bdi>: the sentence becomes "
            "38.2 bits more likely",
        ),
        # a rule's fix: no gain
        (Span(0, 3, ". .", "minor", 0.9, "rule:stray-period", "r", "."), "→ <bdi class=sg>.</bdi>"),
        # an empty suggestion deletes the span
        (
            Span(0, 7, "the the", "minor", 0.9, "rule:repeated-word", "r", ""),
            "→ <span class=del>delete</span>",
        ),
        # no suggestion: the span alone
        (Span(0, 3, "abc", "major", 0.9, "lm", "r"), "<bdi class=w>abc</bdi>"),
    ],
)
def test_suggestion_beside_the_span(sp: Span, shown: str) -> None:
    html = suggestion_html(sp)
    assert shown in html
    if sp.suggestion is None:
        assert html == shown
    card = issue_card(sp, 3)
    # the reason is in plain view, isolated, beside the span (no hover needed)
    assert "<span class=why><bdi>r</bdi></span>" in card and "id=k3 data-k=3" in card


def write_page(tmp_path: Path, *results: DocumentResult, sig: str = "mtqa:test") -> str:
    w = HtmlWriter(tmp_path, {"signature": sig})
    for r in results:
        w.write(r)
    return w.close().read_text(encoding="utf-8")


def test_hostile_input_is_text(tmp_path: Path) -> None:
    text = '<script>alert(1)</script> and "quotes" & <img src=x onerror=alert(2)>'
    sp = Span(0, 8, "<script>", "major", 0.99, "lm", "<b>why</b>", '"><script>x</script>', 3.0)
    doc = DocumentResult('x" onmouseover="alert(3)', "p", text, (sentence(text, (sp,)),))
    page = write_page(tmp_path, doc, sig="sig<script>alert(4)</script>")
    m = parse(page)
    assert m.scripts == 1  # ours only
    assert "<script>alert" not in page and "<img" not in page and "<b>why" not in page
    assert "<script>x" not in page
    assert (
        ">&lt;script&gt;</mark>alert(1)&lt;/script&gt; and &quot;quotes&quot; &amp; &lt;img" in page
    )
    assert "<bdi class=did>x&quot; onmouseover=&quot;alert(3)</bdi>" in page
    assert "sig&lt;script&gt;alert(4)&lt;/script&gt;" in page
    assert [t for _, t in m.marks] == ["<script>"]


def test_csp_allows_only_our_script() -> None:
    digest = base64.b64encode(hashlib.sha256(JS.encode()).digest()).decode()
    assert f"script-src 'sha256-{digest}'" in CSP and "default-src 'none'" in CSP
    assert "base-uri 'none'" in CSP and "form-action 'none'" in CSP
    assert "</script" not in JS.lower() and "</style" not in CSS.lower()


def test_page_structure(tmp_path: Path) -> None:
    clean = DocumentResult("clean", "p", "All fine.", (sentence("All fine."),))
    bad_text = "Fine. He insupports it."
    bad = DocumentResult(
        "bad",
        "p",
        bad_text,
        (
            sentence("Fine."),
            sentence(
                "He insupports it.",
                (span(9, 19, "insupports"), span(20, 22, "it", "minor", "rule:x")),
                offset=6,
                sid=2,
            ),
        ),
    )
    page = write_page(tmp_path, clean, bad, sig="mtqa:0.1.0|model:fake|dtype:float32")
    assert "<code class=sig><bdi>mtqa:0.1.0|model:fake|dtype:float32</bdi></code>" in page
    assert '<section class="doc clean" id=d0 data-i=0 data-worst="0.1000">' in page
    assert '<section class="doc flagged has-major" id=d1 data-i=1 data-worst="0.9900">' in page
    assert (
        '<div class="sent major" data-i=2 data-score="0.990000"><span class=n>2</span>'
        '<span class=bar style="--w:99%" ' in page
    )
    assert '<li class="issue major" id=k1 data-k=1 data-g="lm|major"' in page
    assert '<li class="issue minor" id=k2 data-k=2 data-g="rule:x|minor"' in page
    for control in (
        "id=q ",
        "id=flagged",
        "id=todo",
        "id=sev",
        "id=grp",
        "id=sort",
        "id=progress",
        "id=export",
        "id=help",
        "id=status",
    ):
        assert control in page, control
    # the keys are documented in the page
    for key in (
        "<kbd>j</kbd>",
        "<kbd>k</kbd>",
        "<kbd>c</kbd>",
        "<kbd>f</kbd>",
        "<kbd>x</kbd>",
        "<kbd>u</kbd>",
        "<kbd>J</kbd>",
        "<kbd>/</kbd>",
    ):
        assert key in page, key
    # side panel: flags grouped by check and severity, major first, with counts; documents
    groups = re.findall(r'<details open data-g="([^"]+)">.*?<span class=c>(\d+)</span>', page)
    assert groups == [("lm|major", "1"), ("rule:x|minor", "1")]
    assert (
        '<a href="#d1" data-d="1"><bdi>bad</bdi></a> <span class=c>1/2 flagged, 1 major</span>'
        in page
    )
    assert (
        "2 documents (1 with flags) · 3 sentences · 1 flagged (1 major) · 2 flags to review."
        in page
    )
    run = re.search(
        r'<div id=run hidden data-sig="([^"]*)" data-hash="([0-9a-f]{16})" data-spans="2">', page
    )
    assert run and run.group(1) == "mtqa:0.1.0|model:fake|dtype:float32"
    assert page.rstrip().endswith("</html>")
    assert not list(tmp_path.glob(".*.tmp"))


def test_content_hash_keys_the_verdicts(tmp_path: Path) -> None:
    """Same content, same key; another text or another span, another key."""

    def key(*results: DocumentResult) -> str:
        w = HtmlWriter(tmp_path, {"signature": "s"})
        for r in results:
            w.write(r)
        w.close()
        return w.digest

    a = DocumentResult(
        "a",
        "p",
        "He insupports it.",
        (sentence("He insupports it.", (span(3, 13, "insupports"),)),),
    )
    same = DocumentResult(
        "a",
        "p",
        "He insupports it.",
        (sentence("He insupports it.", (span(3, 13, "insupports"),)),),
    )
    other_text = DocumentResult(
        "a",
        "p",
        "He insupports us.",
        (sentence("He insupports us.", (span(3, 13, "insupports"),)),),
    )
    other_span = DocumentResult(
        "a",
        "p",
        "He insupports it.",
        (sentence("He insupports it.", (span(3, 13, "insupports", "minor"),)),),
    )
    assert key(a) == key(same)
    assert len({key(a), key(other_text), key(other_span)}) == 3


@pytest.mark.parametrize(
    ("value", "attr"),
    [
        ("plain", ""),
        ('quote " and <tag>', ""),  # the element's text is exact: no attribute needed
        ("a\r\nb", ' data-t="a\\r\\nb"'),  # CR LF would become LF in the DOM
        ("bell\x07", ' data-t="bell\\u0007"'),  # shown as ␇ on the page
        ("rlo\u202eabc", ' data-t="rlo\u202eabc"'),  # shown as ⟨RLO⟩ on the page
        ('both " \x00', ' data-t="both \\&quot; \\u0000"'),
    ],
)
def test_exact_text_for_the_export(value: str, attr: str) -> None:
    assert exact("t", value) == attr


def test_every_piece_of_user_text_is_isolated(tmp_path: Path) -> None:
    """Each piece of input text sits in a <bdi> or an element with dir=auto (both isolate)."""
    text = "Shalom שלום \u202eevil\u202c here."
    sp = Span(0, 6, "Shalom", "major", 0.9, "lm", "reason about 'שלום'", "Hello", 2.0)
    doc = DocumentResult("doc-שלום", "p", text, (sentence(text, (sp,)),), notes=("note שלום",))
    page = write_page(tmp_path, doc)
    assert "\u202e" not in page.split("<main", 1)[1].split("<div id=run", 1)[0]
    assert "⟨RLO⟩evil⟨PDF⟩" in page

    class Isolation(HTMLParser):
        def __init__(self) -> None:
            super().__init__()
            self.stack: list[bool] = [False]
            self.bad: list[str] = []

        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            if tag in ("meta", "input", "br"):
                return
            isolated = tag == "bdi" or ("dir", "auto") in attrs
            self.stack.append(self.stack[-1] or isolated)

        def handle_endtag(self, tag: str) -> None:
            if tag not in ("meta", "input", "br") and len(self.stack) > 1:
                self.stack.pop()

        def handle_data(self, data: str) -> None:
            if ("שלום" in data or "evil" in data or "Hello" in data) and not self.stack[-1]:
                self.bad.append(data)

    body = page[page.index("<body>") :]
    iso = Isolation()
    iso.feed(body)
    assert iso.bad == []


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
    # one card per span, numbered through the page
    page = pages[0].decode()
    keys = [int(k) for k in re.findall(r'<li class="issue \w+" id=k(\d+)', page)]
    assert keys == list(range(1, len(keys) + 1))
    assert f'data-spans="{len(keys)}"' in page


def _luminance(hex_colour: str) -> float:
    """WCAG 2 relative luminance of ``#rrggbb``."""
    channels = [int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    r, g, b = (c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def test_severity_labels_meet_the_wcag_contrast_minimum() -> None:
    """The minor label was amber #d49b00 on white: 2.3:1, under WCAG's 4.5:1 for text."""
    css = (Path(__file__).parents[1] / "mtqa/report/templates/report.css").read_text("utf-8")
    colours = dict(re.findall(r"--([\w-]+):(#[0-9a-fA-F]{6})", css))
    rules = [(m.group(1).strip(), m.group(2)) for m in re.finditer(r"([^{}]+)\{([^{}]*)\}", css)]
    checked = 0
    for selector, body in rules:
        parts = [p.strip() for p in selector.split(",")]
        found = re.search(r"(?<![-\w])color:var\(--([\w-]+)\)", body)
        if found is None or not any(re.search(r"\.sev(\.\w+)?$", p) for p in parts):
            continue
        contrast = 1.05 / (_luminance(colours[found.group(1)]) + 0.05)
        assert contrast >= 4.5, (selector, found.group(1), round(contrast, 2))
        checked += 1
    assert checked == 2  # the label and its major form
