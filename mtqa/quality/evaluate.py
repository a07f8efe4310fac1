"""``mtqa eval GOLD.jsonl RUN_DIR``: how well a run's flags match hand-marked spans.

Gold: one JSON record per line, ``{"id", "target", "spans": [{"start", "end",
"severity", "category"}]}`` (offsets into ``target``). The run: the
``segments.jsonl`` of ``mtqa check``. Each gold record is found in the run by
its id and text (:mod:`mtqa.quality.match`: the document with its id, else the one
document that holds its target; never inside a word). Predicted spans inside the
record are compared with its gold spans. Each record is scored on its own: a segment
that two raters annotated counts twice (a notice says how many).

Metrics (sacrebleu style: small classes, one number each, a signature):

* span precision/recall/F1 — a predicted span is right when it overlaps a gold
  span; a gold span is found when a predicted span overlaps it;
* ``major found`` — gold major spans overlapped by any flag;
* character F1 — over the non-space characters inside spans, severity ignored;
* ``wmt23_f1`` — the WMT23 QE Task 2 primary metric: character-level F1 where a predicted
  error character counts fully when its severity matches the gold severity and half when
  it does not (a character inside several gold spans counts once, matching any of their
  severities; a character inside several predicted spans takes the worst severity);
  micro-averaged over all records (Blain et al., "Findings of the WMT 2023 Shared Task on
  Quality Estimation", 2023). ``recall_major``/``recall_minor``: the share of gold
  characters of that severity covered by any flag;
* operating points — ``major`` (only major flags count) and ``minor`` (every flag):
  precision and recall of flagged characters and of flagged records;
* word MCC — Matthews correlation of per-word bad/ok labels (WMT word-level QE);
* sentence AUROC — records with errors vs records without, ranked by the run's
  sentence score, beside the AUROC of a bare word count (the baseline to beat);
* clean flag rate — records without gold spans that got any flag (major flag).

Per category: every record with a span of that category, scored against its spans of
that category only (a flag that lies only on another category's span is left out, neither
right nor wrong there), plus every record without spans (so precision, AUROC and false
alarms stay meaningful). A record with spans of two categories counts in both rows; one
whose spans are all of other categories is not in the row.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from mtqa.quality.correlation import run_correlation
from mtqa.quality.gold import RUN_FILES, GoldSpan, Unit, read_gold, read_run, run_signature
from mtqa.quality.match import match
from mtqa.quality.tables import align, fmt
from mtqa.text import counted

_WORD = re.compile(r"\S+")


def _overlap(a: tuple[int, int], b: tuple[int, int]) -> bool:
    return a[0] < b[1] and b[0] < a[1]


# --------------------------------------------------------------------------- metrics


def auroc(pos: Sequence[float], neg: Sequence[float]) -> float | None:
    """P(score of a random positive > a random negative), ties count half."""
    if not pos or not neg:
        return None
    allv = sorted([(v, 1) for v in pos] + [(v, 0) for v in neg])
    rank_sum, i = 0.0, 0
    while i < len(allv):
        j = i
        while j < len(allv) and allv[j][0] == allv[i][0]:
            j += 1
        avg = (i + j + 1) / 2  # 1-based average rank of the tie group
        rank_sum += avg * sum(1 for k in range(i, j) if allv[k][1])
        i = j
    n1, n0 = len(pos), len(neg)
    return (rank_sum - n1 * (n1 + 1) / 2) / (n1 * n0)


def mcc(tp: int, fp: int, fn: int, tn: int) -> float:
    """Matthews correlation of a 2x2 table (0.0 when a margin is empty)."""
    den = math.sqrt((tp + fp) * (tp + fn) * (tn + fp) * (tn + fn))
    return (tp * tn - fp * fn) / den if den else 0.0


def f1(p: float, r: float) -> float:
    """The harmonic mean of precision and recall (0.0 when both are 0)."""
    return 2 * p * r / (p + r) if p + r else 0.0


@dataclass
class Scores:
    """Counts over evaluated records; :meth:`as_dict` turns them into the reported metrics."""

    records: int = 0
    with_errors: int = 0
    gold_spans: int = 0
    gold_major: int = 0
    found: int = 0
    major_found: int = 0
    flags: int = 0
    flags_right: int = 0
    char_tp: int = 0
    char_pred: int = 0
    char_gold: int = 0
    char_credit: float = 0.0  # WMT23: 1 per predicted char with the gold severity, 0.5 else
    gold_sev_chars: dict[str, list[int]] = field(
        default_factory=lambda: {"major": [0, 0], "minor": [0, 0]}
    )  # severity -> [covered by a flag, all]
    major_chars: list[int] = field(default_factory=lambda: [0, 0])  # major flags: [tp, pred]
    records_flagged: list[int] = field(default_factory=lambda: [0, 0])  # [with error, all]
    records_major: list[int] = field(default_factory=lambda: [0, 0])  # [with error, all]
    word: list[int] = field(default_factory=lambda: [0, 0, 0, 0])  # tp fp fn tn
    clean_flagged: int = 0
    clean_major: int = 0
    auroc: float | None = None
    auroc_words: float | None = None

    def as_dict(self) -> dict[str, Any]:
        """The metrics, rounded to 4 places; None where undefined: recall and F1 (span,
        character, WMT23) without gold spans, rates without clean records. ``major_found``
        is ``found/gold`` as printed; ``major_spans_found`` and ``gold_major`` are the two
        numbers."""
        p = self.flags_right / self.flags if self.flags else 0.0
        r = self.found / self.gold_spans if self.gold_spans else 0.0
        cp = self.char_tp / self.char_pred if self.char_pred else 0.0
        cr = self.char_tp / self.char_gold if self.char_gold else 0.0
        clean = self.records - self.with_errors
        wp = self.char_credit / self.char_pred if self.char_pred else 0.0
        wr = self.char_credit / self.char_gold if self.char_gold else 0.0

        def share(a: int, b: int) -> float | None:
            return round(a / b, 4) if b else None

        def known(value: float, defined: int) -> float | None:
            """``value`` rounded, or None (printed ``-``) when its recall has nothing to find."""
            return round(value, 4) if defined else None

        major, minor = self.gold_sev_chars["major"], self.gold_sev_chars["minor"]
        return {
            "records": self.records,
            "with_errors": self.with_errors,
            "gold_spans": self.gold_spans,
            "flags": self.flags,
            "span_precision": round(p, 4),
            "span_recall": known(r, self.gold_spans),
            "span_f1": known(f1(p, r), self.gold_spans),
            "major_found": f"{self.major_found}/{self.gold_major}",
            "major_spans_found": self.major_found,
            "gold_major": self.gold_major,
            "char_f1": known(f1(cp, cr), self.char_gold),
            "wmt23_f1": known(f1(wp, wr), self.char_gold),
            "recall_major": share(*major),
            "recall_minor": share(*minor),
            "major_char_precision": share(*self.major_chars),
            "major_char_recall": share(self.major_chars[0], self.char_gold),
            "major_sentence_precision": share(*self.records_major),
            "major_sentence_recall": share(self.records_major[0], self.with_errors),
            "minor_char_precision": share(self.char_tp, self.char_pred),
            "minor_char_recall": share(self.char_tp, self.char_gold),
            "minor_sentence_precision": share(*self.records_flagged),
            "minor_sentence_recall": share(self.records_flagged[0], self.with_errors),
            "word_mcc": round(mcc(*self.word), 4),
            "sentence_auroc": None if self.auroc is None else round(self.auroc, 4),
            "word_count_auroc": None if self.auroc_words is None else round(self.auroc_words, 4),
            "clean_flag_rate": round(self.clean_flagged / clean, 4) if clean else None,
            "clean_major_rate": round(self.clean_major / clean, 4) if clean else None,
        }


def _char_labels(text: str, spans: Iterable[tuple[int, int, str]]) -> dict[int, set[str]]:
    """Non-space character index -> the severities of the spans covering it."""
    out: dict[int, set[str]] = {}
    for s, e, sev in spans:
        for i in range(s, e):
            if not text[i].isspace():
                out.setdefault(i, set()).add(sev)
    return out


def _char_scores(sc: Scores, u: Unit) -> None:
    """Add one record's character counts (plain, WMT23 severity credit, per severity)."""
    gold = _char_labels(u.text, ((g.start, g.end, g.severity) for g in u.gold))
    pred = {
        i: "major" if "major" in sevs else "minor"
        for i, sevs in _char_labels(u.text, u.pred).items()
    }
    sc.char_gold += len(gold)
    sc.char_pred += len(pred)
    for i, sev in pred.items():
        if i in gold:
            sc.char_tp += 1
            sc.char_credit += 1.0 if sev in gold[i] else 0.5
        if sev == "major":
            sc.major_chars[1] += 1
            sc.major_chars[0] += i in gold
    for i, sevs in gold.items():
        key = "major" if "major" in sevs else "minor"
        sc.gold_sev_chars[key][1] += 1
        sc.gold_sev_chars[key][0] += i in pred
    flagged = bool(u.pred)
    major = any(sev == "major" for _, _, sev in u.pred)
    sc.records_flagged[1] += flagged
    sc.records_flagged[0] += flagged and u.has_error
    sc.records_major[1] += major
    sc.records_major[0] += major and u.has_error


def score_units(units: Iterable[Unit]) -> Scores:
    """Every metric of the module docstring over ``units``."""
    sc = Scores()
    pos: list[float] = []
    neg: list[float] = []
    pos_n: list[float] = []
    neg_n: list[float] = []
    for u in units:
        sc.records += 1
        gold = [(g.start, g.end) for g in u.gold]
        pred = [(s, e) for s, e, _ in u.pred]
        n_words = len(_WORD.findall(u.text))
        if u.has_error:
            sc.with_errors += 1
            pos.append(u.score)
            pos_n.append(n_words)
        else:
            neg.append(u.score)
            neg_n.append(n_words)
            sc.clean_flagged += bool(u.pred)
            sc.clean_major += any(sev == "major" for _, _, sev in u.pred)
        sc.gold_spans += len(gold)
        sc.found += sum(1 for g in gold if any(_overlap(g, p) for p in pred))
        for g in u.gold:
            if g.severity == "major":
                sc.gold_major += 1
                sc.major_found += any(_overlap((g.start, g.end), p) for p in pred)
        sc.flags += len(pred)
        sc.flags_right += sum(1 for p in pred if any(_overlap(p, g) for g in gold))
        _char_scores(sc, u)
        for m in _WORD.finditer(u.text):
            w = m.span()
            bad = any(_overlap(w, g) for g in gold)
            flagged = any(_overlap(w, p) for p in pred)
            sc.word[0 if bad and flagged else 1 if flagged else 2 if bad else 3] += 1
    sc.auroc = auroc(pos, neg)
    sc.auroc_words = auroc(pos_n, neg_n)
    return sc


def category_unit(u: Unit, category: str) -> Unit | None:
    """``u`` as category ``category`` sees it: its spans of that category, and the flags that
    do not lie on another category's span only; None when all its spans are of other
    categories (the record is neither an error of this category nor clean)."""
    gold = tuple(g for g in u.gold if g.category == category)
    if u.gold and not gold:
        return None
    others = [(g.start, g.end) for g in u.gold if g.category != category]
    mine = [(g.start, g.end) for g in gold]

    def elsewhere(p: tuple[int, int, str]) -> bool:
        span = (p[0], p[1])
        return any(_overlap(span, o) for o in others) and not any(_overlap(span, m) for m in mine)

    return replace(u, gold=gold, pred=tuple(p for p in u.pred if not elsewhere(p)))


@dataclass(frozen=True)
class Evaluation:
    """The metrics overall and per error category, with the run's signature."""

    overall: dict[str, Any]
    by_category: dict[str, dict[str, Any]]
    signature: str
    chrf_correlation: dict[str, Any] | None = None  # when the run had references
    notices: tuple[str, ...] = ()  # what the reader should know: unscored documents, raters

    def as_dict(self) -> dict[str, Any]:
        """The evaluation as JSON (``eval.json``)."""
        return {
            "signature": self.signature,
            "overall": self.overall,
            "by_category": self.by_category,
            "chrf_correlation": self.chrf_correlation,
            "notices": list(self.notices),
        }


def evaluate(gold_path: str, run_dir: str) -> Evaluation:
    """``mtqa eval``: score a run (``RUN_DIR/segments.jsonl``) against a gold .jsonl file.

    Adds the correlation of the LM score with chrF when the run's ``sentences.csv`` has
    sentence-level chrF; an unreadable ``sentences.csv`` or ``run.json`` (optional) is a
    notice. Raises :class:`~mtqa.errors.InputError` for a bad gold file or ``segments.jsonl``.
    """
    gold = read_gold(gold_path)
    docs = read_run(run_dir)
    matched = match(gold, docs, gold_path, str(Path(run_dir) / "segments.jsonl"))
    units = matched.units
    cats = sorted({g.category for u in units for g in u.gold})
    by_cat = {}
    for c in cats:
        subset = [k for k in (category_unit(u, c) for u in units) if k is not None]
        by_cat[c] = score_units(subset).as_dict()
    run_sig, unsigned = run_signature(run_dir)
    corr, unread = run_correlation(run_dir)  # optional: a notice when unreadable
    return Evaluation(
        score_units(units).as_dict(),
        by_cat,
        f"gold:{Path(gold_path).name}|{run_sig}",
        corr,
        tuple(matched.notices) + tuple(n for n in (unsigned, unread) if n),
    )


COLUMNS = (
    ("records", "records"),
    ("gold_spans", "gold"),
    ("flags", "flags"),
    ("span_precision", "P"),
    ("span_recall", "R"),
    ("span_f1", "F1"),
    ("major_found", "major"),
    ("char_f1", "charF1"),
    ("word_mcc", "MCC"),
    ("sentence_auroc", "AUROC"),
    ("word_count_auroc", "AUROC(words)"),
    ("clean_flag_rate", "clean flag"),
)


CHAR_COLUMNS = (
    ("wmt23_f1", "WMT23 F1"),
    ("char_f1", "F1 (no severity)"),
    ("recall_major", "recall major"),
    ("recall_minor", "recall minor"),
)


def _cell(d: dict[str, Any], key: str) -> str:
    return "-" if d.get(key) is None else str(d.get(key))


def format_evaluation(ev: Evaluation) -> str:
    """The evaluation as plain-text tables (what ``mtqa eval`` prints), signature last.

    First the span/word/sentence table per category, then the character metrics (WMT23
    severity-weighted F1, F1 without severity, per-severity recall), then the precision
    and recall of the two operating points (``major`` flags only; every flag) over
    characters and records.
    """
    rows = [("all", ev.overall)] + sorted(ev.by_category.items())
    head = ["category"] + [h for _, h in COLUMNS]
    body = [[name] + [_cell(d, k) for k, _ in COLUMNS] for name, d in rows]
    lines = align([head] + body)
    lines += [""] + align(
        [["characters"] + [h for _, h in CHAR_COLUMNS]]
        + [[name] + [_cell(d, k) for k, _ in CHAR_COLUMNS] for name, d in rows]
    )
    o = ev.overall
    points = [["operating point", "char P", "char R", "sentence P", "sentence R"]] + [
        [f"{p} (flags counted: {what})"]
        + [_cell(o, f"{p}_{k}") for k in ("char_precision", "char_recall")]
        + [_cell(o, f"{p}_{k}") for k in ("sentence_precision", "sentence_recall")]
        for p, what in (("major", "major only"), ("minor", "all"))
    ]
    lines += [""] + align(points)
    c = ev.chrf_correlation
    if c:
        lines.append(
            f"LM score vs sentence chrF over {counted(c['n'], 'sentence')}: Spearman "
            f"{fmt(c['score']['spearman'], signed=True)}, Pearson "
            f"{fmt(c['score']['pearson'], signed=True)} (negative: more suspicious, lower chrF)"
        )
    return "\n".join(lines + [ev.signature])


__all__ = [
    "Evaluation",
    "GoldSpan",
    "RUN_FILES",
    "Scores",
    "Unit",
    "auroc",
    "category_unit",
    "evaluate",
    "format_evaluation",
    "match",
    "mcc",
    "read_gold",
    "read_run",
    "score_units",
]
