"""summary.png readable: legends hide no bar, threshold lines match the flags, many documents
stay legible (top N, the rest counted); summary.csv guards formula cells."""

from __future__ import annotations

import csv
import random
from pathlib import Path
from typing import Any

import pytest

from mtqa.records import DocumentResult, SentenceResult, Span
from mtqa.report.summary import TOP, SummaryWriter, draw_summary, render

THRESHOLDS = {"minor": 0.315, "major": 0.584}


def batch(n_docs: int, seed: int = 1) -> list[DocumentResult]:
    """Documents with LM spans on both sides of the thresholds and rule spans at 0.9."""
    rnd = random.Random(seed)
    docs = []
    for d in range(n_docs):
        sents = []
        for i in range(rnd.randint(3, 30)):
            r = rnd.random()
            if r < 0.12:
                p = round(rnd.uniform(0.315, 1.0), 4)
                sev = "major" if p >= 0.584 else "minor"
                spans: tuple[Span, ...] = (Span(0, 1, "x", sev, p, "lm", "r"),)  # type: ignore[arg-type]
            elif r < 0.17:
                p, sev, spans = 0.9, "minor", (Span(0, 1, "x", "minor", 0.9, "rule:x", "r"),)
            else:
                p, sev, spans = rnd.uniform(0, 0.15), "none", ()
            sents.append(SentenceResult(f"d{d}", i + 1, 0, 1, "x", 3, 10.0, p, sev, spans))  # type: ignore[arg-type]
        docs.append(
            DocumentResult(f"folder/document-{d:04d}-with-a-long-name", "p", "x", tuple(sents))
        )
    return docs


def figure(tmp_path: Path, docs: list[DocumentResult]) -> tuple[Any, SummaryWriter]:
    tmp_path.mkdir(exist_ok=True)
    w = SummaryWriter(tmp_path, {}, THRESHOLDS)
    for r in docs:
        w.write(r)
    data = {
        "hist": w.hist,
        "edges": w.edges,
        "lm_hist": w.lm_hist,
        "rule_spans": w.rule_spans,
        "top": w.top,
        "docs": w.docs,
        "thresholds": w.thresholds,
    }
    w.close()
    fig = draw_summary(data)
    fig.canvas.draw()
    return fig, w


@pytest.mark.parametrize("n_docs", [1, 300])
def test_legends_hide_no_bar(tmp_path: Path, n_docs: int) -> None:
    from matplotlib.patches import Rectangle
    from matplotlib.transforms import Bbox

    fig, _ = figure(tmp_path, batch(n_docs))
    renderer = fig.canvas.get_renderer()
    legends = [ax.get_legend() for ax in fig.get_axes() if ax.get_legend()]
    assert len(legends) == 3
    boxes = [leg.get_window_extent(renderer) for leg in legends]
    for ax in fig.get_axes():
        inside = ax.get_window_extent(renderer)
        for box in boxes:  # each legend lies outside every plotting area
            assert not box.overlaps(inside), (ax.get_title(), box, inside)
        for bar in (p for p in ax.patches if isinstance(p, Rectangle) and p.get_height()):
            seen = Bbox.intersection(bar.get_window_extent(renderer), inside)  # as drawn
            for box in boxes:
                assert seen is None or not box.overlaps(seen)


def test_threshold_lines_match_the_flags(tmp_path: Path) -> None:
    fig, w = figure(tmp_path, batch(50))
    lm = next(ax for ax in fig.get_axes() if ax.get_title().startswith("LM flags"))
    lines = sorted(line.get_xdata()[0] for line in lm.get_lines())
    assert lines == [0.315, 0.584]
    # every LM bar lies wholly on the side of the lines that its colour (severity) says
    edges = w.edges
    assert 0.315 in edges and 0.584 in edges
    for sev, counts in w.lm_hist.items():
        for i, n in enumerate(counts):
            if n:
                lo, hi = edges[i], edges[i + 1]
                if sev == "minor":
                    assert 0.315 <= lo and hi <= 0.584, (lo, hi)
                else:
                    assert lo >= 0.584, (lo, hi)
    # the sentence panel has no threshold line (no single score there separates the flags)
    scores = next(ax for ax in fig.get_axes() if ax.get_title().startswith("sentence scores"))
    assert scores.get_lines() == []
    assert sum(sum(c) for c in w.lm_hist.values()) > 0 and w.rule_spans > 0


def test_many_documents_top_n_and_the_rest_counted(tmp_path: Path) -> None:
    docs = batch(300)
    fig, w = figure(tmp_path, docs)
    bx = next(ax for ax in fig.get_axes() if ax.get_title().startswith("documents"))
    assert bx.get_title() == f"documents by share of sentences flagged (top {TOP} of 300)"
    assert len(bx.get_yticklabels()) == TOP
    shown = {t[3] for t in w.top}
    rest = [d for d in docs if d.doc_id not in shown]
    flagged = sum(1 for d in rest if d.counts.flagged)
    major = sum(1 for d in rest if d.counts.major)
    assert bx.get_xlabel().endswith(
        f"the other {len(rest)} documents: {flagged} with flags ({major} with a major flag), "
        f"{len(rest) - flagged} clean"
    )
    # labels stay legible: long names shortened, font not below 8 pt
    assert all(len(t.get_text()) <= 40 for t in bx.get_yticklabels())
    assert all(t.get_fontsize() >= 8 for t in bx.get_yticklabels())


def test_png_is_deterministic(tmp_path: Path) -> None:
    a = render(figure(tmp_path / "a", batch(5))[0])
    b = render(figure(tmp_path / "b", batch(5))[0])
    assert a == b and a.startswith(b"\x89PNG")


@pytest.mark.parametrize("raw", [False, True])
def test_summary_csv_guards_formula_ids(tmp_path: Path, raw: bool) -> None:
    run: dict[str, object] = {"settings": {"csv_raw": True}} if raw else {}
    w = SummaryWriter(tmp_path, run, THRESHOLDS)
    w.write(DocumentResult("=HYPERLINK(1)", "p", "x", ()))
    w.close()
    with (tmp_path / "summary.csv").open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    assert rows[0]["doc_id"] == ("=HYPERLINK(1)" if raw else "'=HYPERLINK(1)")


def test_a_count_of_one_takes_the_singular(tmp_path: Path) -> None:
    """The titles said "sentence scores (1 sentences)" and "the other 1 documents"."""
    one = batch(1)[0]
    one = DocumentResult(one.doc_id, one.path, one.text, one.sentences[:1])
    fig, _ = figure(tmp_path / "one", [one])
    titles = [ax.get_title() for ax in fig.get_axes()]
    assert "sentence scores (1 sentence)" in titles
    fig, _ = figure(tmp_path / "many", batch(TOP + 1))
    bx = next(ax for ax in fig.get_axes() if ax.get_title().startswith("documents"))
    assert "the other 1 document: " in bx.get_xlabel()


@pytest.mark.parametrize("n_docs", [1, 300])
def test_count_axes_read_as_plain_counts(tmp_path: Path, n_docs: int) -> None:
    """The log-scaled count axes once labelled a run of a few sentences "2 × 10⁰", "6 × 10⁰"
    (matplotlib's scientific minor labels); every label is a plain whole count now."""
    import re

    fig, _ = figure(tmp_path, batch(n_docs))
    for ax in fig.get_axes()[:2]:
        labels = [
            t.get_text()
            for t in ax.yaxis.get_majorticklabels() + ax.yaxis.get_minorticklabels()
            if t.get_visible() and t.get_text()
        ]
        assert labels, ax.get_title()
        assert all(re.fullmatch(r"\d[\d,]*", t) for t in labels), (ax.get_title(), labels)
