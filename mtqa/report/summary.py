"""Batch summaries: ``summary.csv`` (one row per document) and ``summary.png``.

``summary.csv`` columns: ``doc_id, sentences, flagged, major, worst_score, ppl``
(``ppl``: token perplexity of the whole document, the token-weighted geometric mean
of its sentences' perplexities). Same CSV dialect as ``sentences.csv``.

``summary.png`` (matplotlib, Agg backend, imported here only and only when the
plot is drawn): left, the distribution of sentence scores stacked by severity with
the score thresholds marked; right, the documents ranked by their flagged share
(the top ones, labelled). Memory stays constant in the number of sentences: the
writer keeps histogram counts and the current top documents, not the results.
"""

from __future__ import annotations

import csv
import heapq
import io
import math
from pathlib import Path
from typing import Any

from mtqa.records import DocumentResult
from mtqa.report.base import Writer
from mtqa.store import atomic_write

COLUMNS = ["doc_id", "sentences", "flagged", "major", "worst_score", "ppl"]
BINS = 50
Top = tuple[float, int, int, str, int, int]
TOP = 25
SEVERITIES = ("none", "minor", "major")
COLOURS = {"none": "#9a9a9a", "minor": "#d49b00", "major": "#c0392b"}


def document_row(r: DocumentResult) -> dict[str, Any]:
    """One document's ``summary.csv`` row (:data:`COLUMNS`)."""
    counts = r.counts
    n_tok = counts.tokens
    bits = sum(s.n_tokens * math.log2(s.ppl) for s in r.sentences if s.n_tokens and s.ppl > 0)
    return {
        "doc_id": r.doc_id,
        "sentences": counts.sentences,
        "flagged": counts.flagged,
        "major": counts.major,
        "worst_score": f"{r.score:.4f}",
        "ppl": f"{2.0 ** (bits / n_tok):.3f}" if n_tok else "",
    }


def score_thresholds(detector: Any) -> dict[str, float]:
    """Where minor and major spans start on the sentence-score axis (span probabilities)."""
    return {"minor": float(detector.minor), "major": float(detector.major)}


class SummaryWriter(Writer):
    """Streams ``summary.csv``; on close also draws ``summary.png`` (atomically)."""

    filename = "summary.csv"

    def __init__(
        self, outdir: Path, run: dict[str, Any], thresholds: dict[str, float] | None = None
    ) -> None:
        self.thresholds = dict(thresholds or {})
        self.hist = {sev: [0] * BINS for sev in SEVERITIES}
        # the TOP documents so far: a min-heap of (share, flagged, -index, id, major, n)
        self.top: list[Top] = []
        self.png = outdir / "summary.png"
        super().__init__(outdir, run)
        self.csv = csv.writer(self.fh, lineterminator="\r\n")

    def header(self) -> None:
        """The CSV header row."""
        csv.writer(self.fh, lineterminator="\r\n").writerow(COLUMNS)

    def write(self, result: DocumentResult) -> None:
        """One row; the histogram and the top documents take in its sentences."""
        row = document_row(result)
        self.csv.writerow([row[c] for c in COLUMNS])
        for s in result.sentences:
            k = min(BINS - 1, max(0, int(s.score * BINS)))
            self.hist[s.severity][k] += 1
        if row["sentences"]:
            share = row["flagged"] / row["sentences"]
            item = (
                share,
                row["flagged"],
                -self.count,
                result.doc_id,
                row["major"],
                row["sentences"],
            )
            if len(self.top) < TOP:
                heapq.heappush(self.top, item)
            elif item > self.top[0]:
                heapq.heapreplace(self.top, item)
        self.count += 1

    def close(self) -> Path:
        """Finish ``summary.csv``, then draw ``summary.png``; the CSV's path."""
        path = super().close()
        atomic_write(self.png, plot_summary(self.hist, self.top, self.count, self.thresholds))
        return path


def plot_summary(
    hist: dict[str, list[int]],
    top: list[Top],
    n_docs: int,
    thresholds: dict[str, float],
) -> bytes:
    """The two-panel PNG as bytes (deterministic: no timestamp in the metadata)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg  # Agg, no global backend switch
    from matplotlib.figure import Figure

    fig = Figure(figsize=(11, 4.2), dpi=100, layout="constrained")
    FigureCanvasAgg(fig)
    ax, bx = fig.subplots(1, 2, width_ratios=(1.1, 1))
    _score_panel(ax, hist, thresholds)
    _documents_panel(bx, top, n_docs)
    buf = io.BytesIO()
    fig.savefig(buf, format="png", metadata={"Software": None})
    return buf.getvalue()


def _score_panel(ax: Any, hist: dict[str, list[int]], thresholds: dict[str, float]) -> None:
    """Left: sentence scores stacked by severity (log scale), the thresholds dashed."""
    width = 1.0 / BINS
    lefts = [i * width for i in range(BINS)]
    bottom = [0] * BINS
    for sev in SEVERITIES:
        counts = hist[sev]
        if any(counts):
            ax.bar(
                lefts,
                counts,
                width=width,
                bottom=bottom,
                align="edge",
                color=COLOURS[sev],
                label=f"{sev} ({sum(counts)})",
                linewidth=0,
            )
            bottom = [b + c for b, c in zip(bottom, counts, strict=True)]
    for name, x in sorted(thresholds.items(), key=lambda kv: kv[1]):
        ax.axvline(
            x,
            color=COLOURS.get(name, "#333"),
            linestyle="--",
            linewidth=1.2,
            label=f"{name} threshold {x:.3f}",
        )
    if max(bottom, default=0) > 0:
        ax.set_yscale("log")
        ax.set_ylim(0.7, max(bottom) * 2)
    ax.set_xlim(0, 1.005)
    ax.set_xlabel("sentence score (higher = worse)")
    ax.set_ylabel("sentences (log scale)")
    ax.set_title(f"sentence scores ({sum(bottom)} sentences)")
    ax.legend(fontsize=8, loc="upper left")


def _documents_panel(bx: Any, top: list[Top], n_docs: int) -> None:
    """Right: the top documents by flagged share, major and minor stacked, labelled."""
    ranked = sorted(top, reverse=True)
    labels = [d if len(d) <= 28 else d[:12] + "…" + d[-15:] for _, _, _, d, _, _ in ranked]
    ys = list(range(len(ranked)))
    major = [m / n for _, _, _, _, m, n in ranked]
    minor = [share - m for (share, *_), m in zip(ranked, major, strict=True)]
    bx.barh(ys, major, color=COLOURS["major"], height=0.7, label="major")
    bx.barh(ys, minor, left=major, color=COLOURS["minor"], height=0.7, label="minor")
    bx.set_yticks(ys, labels, fontsize=7)
    bx.invert_yaxis()
    bx.set_xlim(0, 1)
    bx.set_xlabel("share of sentences flagged")
    shown = f"top {len(ranked)} of {n_docs}" if n_docs > len(ranked) else f"all {n_docs}"
    bx.set_title(f"documents by flagged share ({shown})")
    if ranked:
        bx.legend(fontsize=8, loc="lower right")
    for y, (share, flagged, _, _, _, n) in zip(ys, ranked, strict=True):
        bx.text(share + 0.01, y, f"{flagged}/{n}", va="center", fontsize=7)
