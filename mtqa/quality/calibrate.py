"""``mtqa calibrate``: fit the detector on synthetic errors, set thresholds on clean English.

Clean sentences (one per line) are split three ways, in file order:

* ``fit`` (the first part): about half of the lines get one injected MT-like
  error (:mod:`mtqa.quality.synth`); the word features of every line, labelled by the
  injected spans, fit a logistic detector (:func:`mtqa.quality.fit.fit_logistic`);
* ``threshold`` (next): left clean; the thresholds are set on it so that at most
  ``major_rate`` of its sentences get a major flag and at most ``minor_rate`` any
  flag (the checks included, as ``mtqa check`` would flag them);
* ``dev`` (the rest): not used here; ``mtqa synth`` turns it into a dev set.

Lines are grouped into pseudo-documents of ``lines_per_doc`` lines so every
sentence is scored with document context, as in ``mtqa check``; the rows come from
:class:`mtqa.analyse.Evidence`, the very analysis ``mtqa check`` runs.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from mtqa.analyse import Evidence
from mtqa.detect import Detector, detector_path
from mtqa.errors import InputError
from mtqa.lm.base import Scorer
from mtqa.lm.load import ScorerFactory
from mtqa.quality.fit import SentenceRows, fit_detector
from mtqa.quality.synth import make_records
from mtqa.readers import decode
from mtqa.records import Document, TokenScore
from mtqa.settings import Settings
from mtqa.store import atomic_write

FIT_SHARE = 0.70
THRESHOLD_SHARE = 0.15  # the last 15% is the dev split


def clean_lines(path: str, limit: int = 0) -> list[str]:
    """The non-blank lines of a clean English file, stripped (the first ``limit`` if set).

    Raises :class:`~mtqa.errors.InputError` for a missing file or fewer than 50 lines.
    """
    p = Path(path)
    if not p.is_file():
        raise InputError(path, None, "no such file; pass clean English text, one sentence per line")
    lines = [ln.strip() for ln in decode(p.read_bytes(), path).splitlines() if ln.strip()]
    if limit:
        lines = lines[:limit]
    if len(lines) < 50:
        raise InputError(path, None, f"only {len(lines)} text lines; calibration needs 50 or more")
    return lines


def split(lines: Sequence[str]) -> tuple[list[str], list[str], list[str]]:
    """(fit, threshold, dev) parts, in file order: 70%, 15% and the rest."""
    a = int(len(lines) * FIT_SHARE)
    b = a + int(len(lines) * THRESHOLD_SHARE)
    return list(lines[:a]), list(lines[a:b]), list(lines[b:])


GoldRecord = dict[str, Any]  # {"target": str, "spans": [{"start", "end", ...}], ...}
PseudoDoc = tuple[str, list[tuple[int, GoldRecord]]]  # text, [(offset of the line, record)]


def pseudo_docs(records: Sequence[GoldRecord], lines_per_doc: int = 10) -> list[PseudoDoc]:
    """Gold-format records joined ``lines_per_doc`` at a time into documents."""
    docs: list[PseudoDoc] = []
    for i in range(0, len(records), lines_per_doc):
        group = records[i : i + lines_per_doc]
        offsets, pos = [], 0
        for rec in group:
            offsets.append((pos, rec))
            pos += len(rec["target"]) + 1
        docs.append(("\n".join(r["target"] for r in group), offsets))
    return docs


def rows_from_tokens(
    docs: Sequence[PseudoDoc], tokens: Sequence[Sequence[TokenScore]]
) -> list[SentenceRows]:
    """One entry per sentence, from the analysis ``mtqa check`` runs; an item is labelled 1
    when it overlaps a gold span."""
    out: list[SentenceRows] = []
    for (text, offsets), toks in zip(docs, tokens):
        gold = [(o + s["start"], o + s["end"]) for o, rec in offsets for s in rec["spans"]]
        for ev in Evidence(Document(doc_id="cal", text=text, path="<calibration>"), toks):
            labels = [int(any(w.start < e and s < w.end for s, e in gold)) for w in ev.words]
            out.append(
                SentenceRows(
                    rows=ev.rows,
                    labels=labels,
                    rule_major=any(sp.severity == "major" for sp in ev.spans),
                    rule_any=bool(ev.spans),
                )
            )
    return out


def sentence_rows(
    records: Sequence[GoldRecord], scorer: Scorer, batch_size: int, lines_per_doc: int = 10
) -> list[SentenceRows]:
    """Score gold-format records as pseudo-documents (document context), then featurise."""
    docs = pseudo_docs(records, lines_per_doc)
    return rows_from_tokens(docs, scorer.score([text for text, _ in docs], batch_size=batch_size))


def calibrate(
    clean: str,
    settings: Settings,
    scorer_factory: ScorerFactory,
    output: str | None = None,
    lines_per_doc: int = 10,
    limit: int = 0,
    seed: int = 13,
    major_rate: float = 0.05,
    minor_rate: float = 0.15,
) -> tuple[Path, Detector]:
    """Fit a detector for ``settings.model`` on ``clean`` and write it (atomically).

    ``output`` defaults to the shipped detector's file (:func:`mtqa.detect.detector_path`).
    Returns the file and the detector.
    """
    lines = clean_lines(clean, limit)
    fit_lines, threshold_lines, _ = split(lines)
    fit_recs = make_records(fit_lines, seed=seed, rate=0.5, prefix="fit")
    clean_recs: list[GoldRecord] = [{"target": t, "spans": []} for t in threshold_lines]
    scorer = scorer_factory(settings)
    fit = sentence_rows(fit_recs, scorer, settings.batch_size, lines_per_doc)
    thr = sentence_rows(clean_recs, scorer, settings.batch_size, lines_per_doc)
    source = (
        f"{Path(clean).name}: fit {len(fit_lines)} lines (seed {seed}, half with injected "
        f"errors), thresholds on the next {len(threshold_lines)} clean lines"
    )
    det = fit_detector(fit, thr, scorer.signature(), source, major_rate, minor_rate)
    path = Path(output) if output else detector_path(settings.model)
    atomic_write(path, det.to_json() + "\n")
    return path, det
