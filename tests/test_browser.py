"""report.html in a real browser: Debian's headless chromium, driven by Playwright for Python.

The review loop end to end: open the seed's page (fake scorer), mark three verdicts with the
keyboard, reload (the verdicts are kept), export (the download is captured), and feed the
export to ``mtqa review``, whose output is checked to the character. Also: escaping, the
view kept in the URL, search and the document list, and right-to-left overrides that cannot
reorder what the reviewer sees. In CI (``MTQA_REQUIRE_BROWSER=1``) a missing browser or a
missing Playwright fails these tests instead of skipping them.
"""

from __future__ import annotations

import csv
import importlib.util
import json
import os
import re
from pathlib import Path
from typing import Any

import pytest

from mtqa.cli import main
from mtqa.lm.fake import FakeScorer
from mtqa.pipeline import run_check
from mtqa.report.html import EXPORT_COLUMNS
from mtqa.settings import Settings

from .conftest import SEED
from .helpers import chromium

REQUIRED = os.environ.get("MTQA_REQUIRE_BROWSER") == "1"
HAVE_PLAYWRIGHT = importlib.util.find_spec("playwright") is not None
pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not chromium.available() and not REQUIRED,
        reason=f"{chromium.CHROMIUM} is absent (apt-get install -y chromium; .ci/run does this)",
    ),
]
needs_playwright = pytest.mark.skipif(
    not HAVE_PLAYWRIGHT and not REQUIRED,
    reason="playwright is not installed (pip install -e '.[dev]'; never `playwright install`)",
)

HOSTILE = "Intro line.\nA page with <script>document.title='pwned'</script> massaging inside.\n"
# a right-to-left override (and its pop) inside the text, Hebrew in the id and the text
BIDI_ID = "שלום-\u202eevil"
BIDI = "Order matters: abc \u202efed cba\u202c xyz. Shalom שלום massaging here.\n"


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory, fake_calibration: Path) -> Path:
    inputs = tmp_path_factory.mktemp("in")
    (inputs / "article.txt").write_bytes(SEED.read_bytes())
    (inputs / "hostile.txt").write_text(HOSTILE, encoding="utf-8")
    out = tmp_path_factory.mktemp("out")
    settings = Settings(model="fake", calibration=str(fake_calibration))
    run_check([str(inputs)], settings, out, lambda s: FakeScorer())
    return out / "report.html"


@pytest.fixture(scope="module")
def bidi_report(tmp_path_factory: pytest.TempPathFactory, fake_calibration: Path) -> Path:
    inputs = tmp_path_factory.mktemp("bidi")
    record = json.dumps({"id": BIDI_ID, "target": BIDI.strip()})  # ASCII: \\u escapes
    (inputs / "b.jsonl").write_text(record + "\n", encoding="utf-8")
    out = tmp_path_factory.mktemp("bidi-out")
    settings = Settings(model="fake", calibration=str(fake_calibration))
    run_check([str(inputs)], settings, out, lambda s: FakeScorer())
    return out / "report.html"


class Page:
    """One page of the browser, with the console and page errors it reported."""

    def __init__(self, ctx: Any, path: Path, fragment: str = "") -> None:
        self.page = ctx.new_page()
        self.errors: list[str] = []
        self.page.on("console", lambda m: m.type == "error" and self.errors.append(m.text))
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.goto(chromium.url_of(path, fragment))

    def text(self, selector: str) -> str:
        return str(self.page.inner_text(selector))

    def keys(self, *keys: str) -> None:
        for k in keys:
            self.page.keyboard.press(k)


# ------------------------------------------------------------------ the review loop


def expected_review(path: str, rows: list[dict[str, str]]) -> str:
    """What `mtqa review` must print for an export with these rows (by hand, from the rows)."""
    from mtqa.quality.sheets import Rate
    from mtqa.quality.tables import fmt

    done = [r for r in rows if r["verdict"]]
    real = lambda rs: [r["verdict"] != "false-alarm" for r in rs]  # noqa: E731

    def line(r: Rate, indent: str = "") -> str:
        ci = "-" if r.low is None else f"{r.low:.2f}-{r.high:.2f}"
        return f"  {indent + r.group:<24} {r.n:>8} {r.errors:>7} {fmt(r.rate):>9}  {ci}"

    sources = sorted({r["source"] for r in done})
    count = {v: sum(r["verdict"] == v for r in done) for v in ("correct", "false-alarm", "fixed")}
    took = sum(
        r["verdict"] == "fixed"
        and r["suggested"] != ""
        and r["fixed_text"] == ("" if r["suggested"] == "delete" else r["suggestion"])
        for r in done
    )
    return "\n".join(
        [
            f"{path}: 3 of {len(rows)} flags reviewed: {count['correct']} correct, "
            f"{count['false-alarm']} false alarm, {count['fixed']} fixed",
            "",
            "span precision (share of reviewed flags that are real errors: correct or fixed)",
            f"  {'group':<24} {'reviewed':>8} {'errors':>7} {'precision':>9}  95% interval",
            line(Rate.of("all flags", real(done))),
            "  by severity",
            *(
                line(Rate.of(s, real([r for r in done if r["severity"] == s])), "  ")
                for s in ("major", "minor")
            ),
            "  by span source",
            *(line(Rate.of(s, real([r for r in done if r["source"] == s])), "  ") for s in sources),
            "",
            f"suggestions: {sum(r['suggested'] != '' for r in done)} reviewed flags had one; "
            f"the reviewer's fix equals it in {took}",
            expected_threshold(done),
        ]
    )


def expected_threshold(done: list[dict[str, str]]) -> str:
    """The LM threshold line, by hand: the lowest LM score t at which the reviewed LM flags
    scoring >= t reach precision 0.8, passed as t - 0.00005 (the export rounds to 4 places)."""
    from mtqa.quality.tables import fmt

    head = "LM threshold for precision >= 0.8"
    lm = [(float(r["score"]), r["verdict"] != "false-alarm") for r in done if r["source"] == "lm"]
    if not lm:
        return f"{head}: no LM flag with a score is reviewed; none can be derived"
    cuts = []
    for t in sorted({score for score, _ in lm}):
        kept = [real for score, real in lm if score >= t]
        cuts.append((t, len(kept), sum(kept) / len(kept)))
    good = [c for c in cuts if c[2] >= 0.8]
    if not good:
        best = max(c[2] for c in cuts)
        return f"{head}: none reaches it on these {len(lm)} reviewed LM flags (best precision {fmt(round(best, 4))})"
    t, k, precision = good[0]
    return (
        f"{head}: mtqa check --threshold {t - 0.00005:.5f} -> keeps {k} of {len(lm)} reviewed "
        f"LM flags, precision {fmt(round(precision, 4))}"
    )


@needs_playwright
def test_review_with_the_keyboard_reload_export_and_mtqa_review(
    report: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    total = int(re.search(r'data-spans="(\d+)"', report.read_text(encoding="utf-8")).group(1))  # type: ignore[union-attr]
    assert total >= 10
    with chromium.browser(tmp_path / "dl") as ctx:
        p = Page(ctx, report)
        assert p.text("#progress") == f"0 of {total} reviewed"
        # j: the first flag; c: correct flag (and on to the next); f: false alarm;
        # x: type the corrected span, Enter keeps it
        p.keys("j", "c", "f", "x")
        fix = p.page.locator("#fixin")
        assert fix.is_visible()
        fix.fill("")
        p.page.keyboard.type("fixed words")
        p.keys("Enter")
        assert p.text("#progress") == f"3 of {total} reviewed"
        cards = p.page.locator("li.issue")
        assert "v-correct" in (cards.nth(0).get_attribute("class") or "")
        assert "cur" in (cards.nth(3).get_attribute("class") or "")  # moved on after each verdict
        # k goes back; the sidebar shows the verdicts too
        p.keys("k")
        assert "cur" in (cards.nth(2).get_attribute("class") or "")
        assert p.page.locator("#groups .vm.v-correct").count() == 1

        # reload: the verdicts are kept (localStorage, keyed by signature and content)
        p.page.reload()
        assert p.text("#progress") == f"3 of {total} reviewed"
        assert [
            re.search(r"v-[\w-]+", cards.nth(i).get_attribute("class") or "").group(0)  # type: ignore[union-attr]
            for i in range(3)
        ] == ["v-correct", "v-false-alarm", "v-fixed"]
        assert p.text("li.issue >> nth=2 >> .vd") == "✎ fixed: fixed words"
        assert p.errors == []

        # export: the download is the CSV `mtqa review` reads
        with p.page.expect_download() as dl:
            p.page.click("#export")
        name = dl.value.suggested_filename
        assert re.fullmatch(r"verdicts-[0-9a-f]{8}\.csv", name)
        export = tmp_path / name
        dl.value.save_as(export)
    data = export.read_bytes()
    assert data.endswith(b"\r\n") and not data.startswith(b"\xef\xbb\xbf")
    with export.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    assert list(rows[0]) == list(EXPORT_COLUMNS)
    assert len(rows) == total
    assert [r["verdict"] for r in rows[:4]] == ["correct", "false-alarm", "fixed", ""]
    assert rows[2]["fixed_text"] == "fixed words"
    text = SEED.read_text(encoding="utf-8")
    for r in rows:
        if r["doc_id"] == "article":  # offsets into the document as read
            assert text[int(r["span_start"]) : int(r["span_end"])] == r["span_text"]

    # checked against the run (every flag has its row: nothing to say), as without it
    assert main(["review", str(export), "--run", str(report.parent)]) == 0
    out, err = capsys.readouterr()
    assert err == ""
    assert out == expected_review(str(export), rows) + "\n"
    assert main(["review", str(export)]) == 0
    out, err = capsys.readouterr()
    assert err.startswith(f"{export}: no mtqa run beside it (run.json): rows deleted ")
    assert out == expected_review(str(export), rows) + "\n"


# ------------------------------------------------------------------ the page


@needs_playwright
def test_spans_escaping_and_status(report: Path) -> None:
    with chromium.browser() as ctx:
        p = Page(ctx, report)
        marks = p.page.eval_on_selector_all("main mark.major", "els => els.map(e => e.textContent)")
        for word in ("massaging", "insupports", "cenacle"):
            assert any(word in t for t in marks), (word, marks)
        # the script in the document is text: one <script> (ours), title untouched
        assert p.page.locator("script").count() == 1
        assert p.page.title() == "mtqa report"
        assert "<script>document.title='pwned'</script>" in p.text("#d1 .text >> nth=1")
        assert re.fullmatch(
            r"showing (\d+) of \1 sentences in 2 of 2 documents, \d+ flags", p.text("#status")
        )
        # flags grouped by check and severity in the side panel, one entry per flag
        assert p.page.locator("#groups .gl li").count() == p.page.locator("li.issue").count()
        assert p.errors == []


@needs_playwright
def test_view_state_from_the_url(report: Path) -> None:
    with chromium.browser() as ctx:
        p = Page(ctx, report, "flagged=1&sev=major&sort=across")
        assert p.page.eval_on_selector("#docs", "e => e.classList.contains('across')")
        scores = p.page.eval_on_selector_all(
            "#flat .sent:not([hidden])", "els => els.map(e => +e.dataset.score)"
        )
        assert scores and scores == sorted(scores, reverse=True)
        assert p.page.locator("#flat .sent.minor:not([hidden])").count() == 0
        # worst first within each document
        p.page.select_option("#sort", "worst")
        for d in ("#d0", "#d1"):
            s = p.page.eval_on_selector_all(f"{d} .sent", "els => els.map(e => +e.dataset.score)")
            assert s == sorted(s, reverse=True)
        assert "sort=worst" in p.page.url
        assert p.errors == []


@needs_playwright
def test_search_and_document_list(report: Path) -> None:
    with chromium.browser() as ctx:
        p = Page(ctx, report)
        from playwright.sync_api import expect

        p.page.fill("#q", "insupports")
        expect(p.page.locator("#status")).to_have_text(re.compile(r"^showing 1 of "))
        shown = p.page.eval_on_selector_all(
            ".sent:not([hidden]) .text", "els => els.map(e => e.textContent)"
        )
        assert len(shown) == 1 and "insupports" in shown[0]
        p.page.fill("#q", "")
        expect(p.page.locator("#status")).not_to_have_text(re.compile(r"^showing 1 of "))
        p.page.click("#doclist a[data-d='1']")
        assert p.page.locator("#d0").is_hidden() and p.page.locator("#d1").is_visible()
        assert "doc=1" in p.page.url
        p.page.click("#doclist a[data-d='1']")  # again: every document
        assert p.page.locator("#d0").is_visible()
        assert p.errors == []


@needs_playwright
def test_a_right_to_left_override_cannot_reorder_the_page(bidi_report: Path) -> None:
    with chromium.browser() as ctx:
        p = Page(ctx, bidi_report)
        text = p.text("#d0 .text")
        assert "abc ⟨RLO⟩fed cba⟨PDF⟩ xyz." in text  # shown by name, in logical order
        # on screen, the characters of "fed cba" run left to right as stored
        xs = p.page.evaluate(
            """() => {
              const el = document.querySelector('#d0 .text');
              const node = [...el.childNodes].find(n => n.nodeType === 3 && n.data.includes('fed'));
              const at = node.data.indexOf('fed cba'), r = document.createRange(), out = [];
              for (let i = at; i < at + 7; i++) {
                r.setStart(node, i); r.setEnd(node, i + 1); out.push(r.getBoundingClientRect().left);
              }
              return out;
            }"""
        )
        assert xs == sorted(xs) and len(set(xs)) == 7, xs
        # the Hebrew in the id does not pull the counts next to it out of order
        did, meta = (p.page.locator(f"#d0 h2 {s}").bounding_box() for s in (".did", ".meta"))
        assert did and meta and did["x"] + did["width"] <= meta["x"]
        assert "⟨RLO⟩" in p.text("#d0 h2 .did")
        # each card: the span, then its fix, left to right
        for card in p.page.locator("li.issue:has(.sg)").all():
            w, sg = card.locator(".w").bounding_box(), card.locator(".sg").bounding_box()
            assert w and sg and w["x"] < sg["x"]
        assert p.errors == []


def test_screenshot(report: Path, tmp_path: Path) -> None:
    png = chromium.screenshot(report, tmp_path / "report.png", "1200,900")
    data = png.read_bytes()
    assert data.startswith(b"\x89PNG")
    width, height = int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    assert (width, height) == (1200, 900)
    chromium.shrink(png)
    assert png.stat().st_size < 200_000


# ------------------------------------------------------------------ keys, focus, long words


@needs_playwright
def test_the_keys_work_after_a_filter_or_the_order_is_chosen(report: Path) -> None:
    """A checkbox or a select keeps the focus after a click; the review keys still act then
    (they once did nothing until the reviewer clicked elsewhere). Text fields keep them."""
    with chromium.browser() as ctx:
        p = Page(ctx, report)
        total = p.page.locator("li.issue").count()
        p.page.click("#flagged")
        assert p.page.evaluate("document.activeElement.id") == "flagged"
        p.keys("j", "c")
        assert p.text("#progress") == f"1 of {total} reviewed"
        p.page.select_option("#sort", "worst")
        p.page.focus("#sort")
        p.keys("j", "f")
        assert p.text("#progress") == f"2 of {total} reviewed"
        p.page.focus("#q")
        p.keys("j", "c")  # typed into the search box, not a verdict
        assert p.text("#progress") == f"2 of {total} reviewed"
        assert p.page.input_value("#q") == "jc"
        assert p.errors == []


@needs_playwright
def test_the_current_flag_has_the_focus_and_the_status_is_announced(report: Path) -> None:
    """j moves the keyboard focus to the flag (a screen reader reads it; Tab reaches its
    verdict buttons); the filter status is a live region."""
    with chromium.browser() as ctx:
        p = Page(ctx, report)
        p.keys("j", "j")
        focused = p.page.evaluate("document.activeElement.id")
        assert focused == p.page.get_attribute("li.issue.cur", "id")
        p.keys("Tab")
        assert p.page.evaluate("document.activeElement.closest('#tools') !== null")
        assert p.page.get_attribute("#status", "role") == "status"
        p.keys("c")  # the keys still act with the focus in the flag's tools
        assert p.text("#progress").startswith("1 of ")
        assert p.errors == []


@needs_playwright
def test_a_very_long_word_wraps_instead_of_widening_the_page(
    tmp_path: Path, fake_calibration: Path
) -> None:
    inputs = tmp_path / "in"
    inputs.mkdir()
    long_id = "x" * 400
    word = "a" * 3000
    record = {"id": long_id, "target": f"Long word {word} is here . The the end."}
    (inputs / "l.jsonl").write_text(json.dumps(record) + "\n", encoding="utf-8")
    out = tmp_path / "out"
    settings = Settings(model="fake", calibration=str(fake_calibration))
    run_check([str(inputs)], settings, out, lambda s: FakeScorer())
    with chromium.browser() as ctx:
        p = Page(ctx, out / "report.html")
        p.page.set_viewport_size({"width": 1200, "height": 900})
        p.keys("j")
        widths = p.page.evaluate(
            "() => [document.querySelector('main').scrollWidth,"
            " document.querySelector('main').clientWidth]"
        )
        assert widths[0] <= widths[1], widths
        assert p.errors == []
