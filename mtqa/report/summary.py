"""Batch summaries: ``summary.csv`` (one row per document) and ``summary.png``.

``summary.csv`` columns: ``doc_id, sentences, flagged, major, worst_score, ppl``
(``ppl``: token perplexity of the whole document, the token-weighted geometric mean
of its sentences' perplexities). Same CSV dialect and formula guard as ``sentences.csv``.

``summary.png`` (matplotlib, Agg backend, imported here only and only when the plot is
drawn), three panels, every legend outside the bars:

* **sentence scores**, stacked by the sentence's flag (none, minor, major). No threshold
  lines here: a sentence's flag comes from its spans — the LM's and the rules', each rule
  with its own fixed score — so no single score on this axis separates the flags.
* **LM flags by word probability**: the LM spans' scores (their worst word's probability
  under the detector) stacked by severity, with the detector's two thresholds: a word is
  flagged from ``minor``, the span is major from ``major`` (the detector file's
  ``minor``/``major``, :func:`score_thresholds`). The bins are cut at the thresholds, so
  every bar lies wholly on one side of a line and the lines match the flags exactly.
* **documents** ranked by flagged share: the top :data:`TOP` labelled, the rest counted
  (how many, how many with flags and with major flags).

Memory stays constant in the number of sentences: the writer keeps histogram counts, the
current top documents and three totals, not the results.
"""

from __future__ import annotations

import bisect
import csv
import heapq
import io
import math
import warnings
from pathlib import Path
from typing import Any

from mtqa.records import DocumentResult
from mtqa.report.base import Writer, guard_cell
from mtqa.text import counted

COLUMNS = ["doc_id", "sentences", "flagged", "major", "worst_score", "ppl"]
BINS = 50
Top = tuple[float, int, int, str, int, int]
TOP = 20
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
    """The detector's thresholds on a word's error probability: an LM span is flagged from
    ``minor`` and is major from ``major`` (its score is its worst word's probability)."""
    return {"minor": float(detector.minor), "major": float(detector.major)}


def bin_edges(thresholds: dict[str, float]) -> list[float]:
    """:data:`BINS` equal bins on [0, 1], also cut at each threshold."""
    edges = {round(i / BINS, 6) for i in range(BINS + 1)}
    edges |= {round(x, 6) for x in thresholds.values() if 0.0 < x < 1.0}
    return sorted(edges)


class SummaryWriter(Writer):
    """Streams ``summary.csv``; on close also draws ``summary.png`` (atomically)."""

    filename = "summary.csv"

    def __init__(
        self, outdir: Path, run: dict[str, Any], thresholds: dict[str, float] | None = None
    ) -> None:
        self.thresholds = dict(thresholds or {})
        self.hist = {sev: [0] * BINS for sev in SEVERITIES}
        self.edges = bin_edges(self.thresholds)
        self.lm_hist = {sev: [0] * (len(self.edges) - 1) for sev in ("minor", "major")}
        self.rule_spans = 0
        # the TOP documents so far: a min-heap of (share, flagged, -index, id, major, n)
        self.top: list[Top] = []
        self.docs = {"all": 0, "flagged": 0, "major": 0}
        self.png = outdir / "summary.png"
        self.guard = not run.get("settings", {}).get("csv_raw", False)
        super().__init__(outdir, run)
        self.csv = csv.writer(self.fh, lineterminator="\r\n")

    def header(self) -> None:
        """The CSV header row."""
        csv.writer(self.fh, lineterminator="\r\n").writerow(COLUMNS)

    def write(self, result: DocumentResult) -> None:
        """One row; the histograms, totals and the top documents take in its sentences."""
        row = document_row(result)
        cells = [row[c] for c in COLUMNS]
        if self.guard:
            cells[0] = guard_cell(cells[0])
        self.csv.writerow(cells)
        for s in result.sentences:
            k = min(BINS - 1, max(0, int(s.score * BINS)))
            self.hist[s.severity][k] += 1
            for sp in s.spans:
                if sp.source != "lm":
                    self.rule_spans += 1
                    continue
                i = bisect.bisect_right(self.edges, sp.score) - 1
                self.lm_hist[sp.severity][min(len(self.edges) - 2, max(0, i))] += 1
        self.docs["all"] += 1
        self.docs["flagged"] += row["flagged"] > 0
        self.docs["major"] += row["major"] > 0
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
        from mtqa.store import atomic_write

        path = super().close()
        plot = {
            "hist": self.hist,
            "edges": self.edges,
            "lm_hist": self.lm_hist,
            "rule_spans": self.rule_spans,
            "top": self.top,
            "docs": self.docs,
            "thresholds": self.thresholds,
        }
        atomic_write(self.png, plot_summary(plot))
        return path


def plot_summary(data: dict[str, Any]) -> bytes:
    """The PNG as bytes (deterministic: no timestamp in the metadata). A document name
    in a script the font lacks (CJK) or holding a control character is drawn with
    boxes; matplotlib's warning about it would be stray stderr (the library is quiet)."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="Glyph .* missing from", category=UserWarning)
        return render(draw_summary(data))


def render(fig: Any) -> bytes:
    """A figure as PNG bytes, without the ``Software`` stamp."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", metadata={"Software": None})
    return buf.getvalue()


def draw_summary(data: dict[str, Any]) -> Any:
    """The three-panel figure (see the module docstring) from :class:`SummaryWriter`'s data."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg  # Agg, no global backend switch
    from matplotlib.figure import Figure

    rows = max(1, len(data["top"]))
    low = 1.2 + 0.24 * rows
    fig = Figure(figsize=(12, 4.6 + low), dpi=100, layout="constrained")
    FigureCanvasAgg(fig)
    # two sub-figures, laid out apart: long document names do not squeeze the histograms
    parts: Any = fig.subfigures(2, 1, height_ratios=(4.6, low))
    upper, lower = parts
    ax, lx = upper.subplots(1, 2)
    _score_panel(ax, data["hist"])
    _lm_panel(lx, data["lm_hist"], data["edges"], data["thresholds"], data["rule_spans"])
    _documents_panel(lower.subplots(), data["top"], data["docs"])
    return fig


def _below(ax: Any, ncols: int) -> None:
    """The axes' legend under its x label, outside the plotting area (it hides no bar)."""
    ax.legend(
        loc="upper center", bbox_to_anchor=(0.5, -0.2), ncols=ncols, fontsize=8, frameon=False
    )


def _beside(ax: Any) -> None:
    """The axes' legend to the right of it, outside the plotting area."""
    ax.legend(loc="upper left", bbox_to_anchor=(1.005, 1.0), fontsize=8, frameon=False)


def _log_counts(ax: Any, top: int) -> None:
    """A log-scaled count axis labelled with plain whole counts (``1``, ``6``, ``1,000``),
    not matplotlib's ``6 × 10⁰``; the ticks it labels are matplotlib's choice."""
    if top > 0:
        ax.set_yscale("log")
        ax.set_ylim(0.7, top * 2)
        ax.yaxis.set_major_formatter(_plain_counts(only_base=True))
        ax.yaxis.set_minor_formatter(_plain_counts(only_base=False))
    ax.set_ylabel("count (log scale)")


def _plain_counts(only_base: bool) -> Any:
    """A log-axis tick formatter: where matplotlib's would write a label, the count itself
    with thousands separators; no label below 1 (no fraction of a sentence)."""
    from matplotlib.ticker import LogFormatterSciNotation

    class PlainCounts(LogFormatterSciNotation):  # type: ignore[misc]
        def __call__(self, x: float, pos: int | None = None) -> str:
            if x < 1 or not super().__call__(x, pos):
                return ""
            return f"{round(x):,}"

    return PlainCounts(10.0, labelOnlyBase=only_base)


def _score_panel(ax: Any, hist: dict[str, list[int]]) -> None:
    """Sentence scores stacked by the sentence's flag (log scale)."""
    width = 1.0 / BINS
    lefts = [i * width for i in range(BINS)]
    bottom = [0] * BINS
    for sev in SEVERITIES:
        counts = hist[sev]
        label = {"none": "not flagged", "minor": "minor flag", "major": "major flag"}[sev]
        ax.bar(
            lefts,
            counts,
            width=width,
            bottom=bottom,
            align="edge",
            color=COLOURS[sev],
            label=f"{label} ({sum(counts)})",
            linewidth=0,
        )
        bottom = [b + c for b, c in zip(bottom, counts, strict=True)]
    _log_counts(ax, max(bottom, default=0))
    ax.set_xlim(0, 1.005)
    ax.set_xlabel("sentence score (higher = worse); colour: its worst flag, LM or rule")
    ax.set_title(f"sentence scores ({counted(sum(bottom), 'sentence')})")
    _below(ax, 3)


def _lm_panel(
    ax: Any,
    lm_hist: dict[str, list[int]],
    edges: list[float],
    thresholds: dict[str, float],
    rule_spans: int,
) -> None:
    """LM spans by their worst word's probability, with the detector's thresholds."""
    lefts, widths = edges[:-1], [b - a for a, b in zip(edges, edges[1:])]
    bottom = [0] * len(lefts)
    for sev in ("minor", "major"):
        counts = lm_hist[sev]
        ax.bar(
            lefts,
            counts,
            width=widths,
            bottom=bottom,
            align="edge",
            color=COLOURS[sev],
            label=f"{sev} LM flags ({sum(counts)})",
            linewidth=0,
        )
        bottom = [b + c for b, c in zip(bottom, counts, strict=True)]
    for name, x in sorted(thresholds.items(), key=lambda kv: kv[1]):
        ax.axvline(
            x,
            color=COLOURS.get(name, "#333"),
            linestyle="--",
            linewidth=1.2,
            label=f"{name} from p = {x:.3f}",
        )
    _log_counts(ax, max(bottom, default=0))
    ax.set_xlim(0, 1.005)
    ax.set_xlabel("error probability of the span's worst word (the detector's)")
    ax.set_title(f"LM flags ({sum(bottom)}) and the thresholds; rules flagged {rule_spans} more")
    _below(ax, 2)


def _documents_panel(bx: Any, top: list[Top], docs: dict[str, int]) -> None:
    """The top documents by flagged share, major and minor stacked, labelled; the rest
    counted."""
    ranked = sorted(top, reverse=True)
    labels = [d if len(d) <= 40 else d[:18] + "…" + d[-21:] for _, _, _, d, _, _ in ranked]
    ys = list(range(len(ranked)))
    major = [m / n for _, _, _, _, m, n in ranked]
    minor = [share - m for (share, *_), m in zip(ranked, major, strict=True)]
    bx.barh(ys, major, color=COLOURS["major"], height=0.7, label="major sentences")
    bx.barh(ys, minor, left=major, color=COLOURS["minor"], height=0.7, label="minor sentences")
    bx.set_yticks(ys, labels, fontsize=8)
    bx.invert_yaxis()
    bx.set_xlim(0, 1.08)
    for y, (share, flagged, _, _, _, n) in zip(ys, ranked, strict=True):
        bx.text(share + 0.005, y, f"{flagged}/{n}", va="center", fontsize=7.5)
    n_docs = docs["all"]
    rest = n_docs - len(ranked)
    shown = f"top {len(ranked)} of {n_docs}" if rest > 0 else f"all {n_docs}"
    bx.set_title(f"documents by share of sentences flagged ({shown})")
    xlabel = "share of sentences flagged"
    if rest > 0:
        r_flagged = docs["flagged"] - sum(1 for t in ranked if t[1] > 0)
        r_major = docs["major"] - sum(1 for t in ranked if t[4] > 0)
        xlabel += (
            f"  ·  the other {counted(rest, 'document')}: {r_flagged} with flags "
            f"({r_major} with a major flag), {rest - r_flagged} clean"
        )
    bx.set_xlabel(xlabel)
    _beside(bx)
