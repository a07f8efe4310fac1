"""``mtqa calibrate``: fit the detector on professional error spans and synthetic errors,
set thresholds on clean English.

``--gold FILE`` (repeatable): rater-annotated MT output, one JSON record per line
(``{"target", "source"?, "spans": [{"start", "end", "severity"}]}``, MQM style). Each
distinct (source, target) is scored alone, as ``mtqa check`` scores a JSONL record; when
several raters annotated it, an item's label is the share of annotations marking it.
``--gold-limit N`` keeps N distinct segments per file, chosen by the sha256 of their
text (a fixed, spread-out sample); ``--cond-limit N`` scores the first N of them a second
time after their source (:mod:`mtqa.conditioned`; that pass reads about 2.4 times the
tokens; default none, so the detector does not weigh the source gain), ``--back-limit N``
the first N also the other way (their source alone and after them: the back gain).
``--score-cache FILE`` keeps the LM's token scores (JSON lines by text and model
signature, :mod:`mtqa.quality.scorecache`) so a second fit skips the scoring.

Clean sentences (one per line) are split three ways, in file order:

* ``fit`` (the first part): about half of the lines get one injected MT-like
  error (:mod:`mtqa.quality.synth`); with the gold segments they fit the item and
  sentence models (:func:`mtqa.quality.fit.fit_detector`);
* ``threshold`` (next): left clean; each line is scored alone (as a JSONL record: more
  flags than inside an article) and the thresholds are set so that at most
  ``major_rate`` of its sentences get a major flag and at most ``minor_rate`` any
  flag (the checks included, as ``mtqa check`` would flag them);
* ``dev`` (the rest): not used here; ``mtqa synth`` turns it into a dev set.

Lines are grouped into pseudo-documents of ``lines_per_doc`` lines so every
sentence is scored with document context, as in ``mtqa check``; the rows come from
:class:`mtqa.analyse.Evidence`, the very analysis ``mtqa check`` runs.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mtqa import conditioned
from mtqa.analyse import Evidence, SentenceEvidence
from mtqa.detect import Detector, detector_path
from mtqa.errors import InputError, named
from mtqa.features import evidence
from mtqa.lm.base import Scorer
from mtqa.lm.load import ScorerFactory
from mtqa.quality.fit import SentenceRows, fit_detector
from mtqa.quality.scorecache import ScoreCache
from mtqa.quality.synth import make_records
from mtqa.readers.decode import decode, read_file
from mtqa.records import Document, TokenScore
from mtqa.settings import Settings
from mtqa.store import atomic_write, check_output_file
from mtqa.text import blank, counted

FIT_SHARE = 0.70
THRESHOLD_SHARE = 0.15  # the last 15% is the dev split
#: clean rates the thresholds are set at: a margin under the targets (5% major, 15% any),
#: since 300 threshold lines measure a rate within about ±2.5 points (at 15%)
MAJOR_RATE = 0.04
MINOR_RATE = 0.12


def clean_lines(
    path: str, limit: int = 0, minimum: int = 50, purpose: str = "calibration"
) -> list[str]:
    """The non-blank lines of a clean English file, stripped (the first ``limit`` if set).

    Raises :class:`~mtqa.errors.InputError` for a missing file, a folder or a device in its
    place, a file that is not UTF-8, or fewer than ``minimum`` lines (``purpose`` names what
    needs them).
    """
    data = read_file(path, "pass clean English text, one sentence per line")
    text = decode(data, path, replace_option=False)  # calibrate, synth: UTF-8 only
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
    if limit:
        lines = lines[:limit]
    if len(lines) < minimum:
        held = f"only {counted(len(lines), 'text line')}"
        if not lines:  # what the file holds instead
            held = f"{blank(text)} and no text line" if text else "empty file: no text line"
        raise InputError(path, None, f"{held}; {purpose} needs {minimum} or more")
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
            labels = [float(any(w.start < e and s < w.end for s, e in gold)) for w in ev.words]
            out.append(_rows(ev, labels, float(max(labels, default=0.0) > 0), "synth"))
    return out


def _rows(ev: SentenceEvidence, labels: list[float], label: float, group: str) -> SentenceRows:
    keep = evidence(ev.words)  # symbols are no evidence (mtqa.features): not fitted on
    return SentenceRows(
        rows=[ev.rows[k] for k in keep],
        labels=[labels[k] for k in keep],
        rule_major=any(sp.severity == "major" for sp in ev.spans),
        rule_any=bool(ev.spans),
        spans=tuple(ev.spans),
        metrics=ev.metrics,
        label=label,
        group=group,
    )


def sentence_rows(
    records: Sequence[GoldRecord],
    scorer: Scorer,
    batch_size: int,
    lines_per_doc: int = 10,
    cache: ScoreCache | None = None,
) -> list[SentenceRows]:
    """Score gold-format records as pseudo-documents (document context), then featurise."""
    docs = pseudo_docs(records, lines_per_doc)
    texts = [text for text, _ in docs]
    if cache is None:
        return rows_from_tokens(docs, scorer.score(texts, batch_size=batch_size))
    return rows_from_tokens(docs, cache.score(scorer, texts, batch_size))


@dataclass(frozen=True)
class Segment:
    """One distinct (source, target) of a gold file and every annotation of it."""

    target: str
    source: str | None
    annotations: tuple[tuple[tuple[int, int], ...], ...]  # per rater: the error spans


def gold_segments(path: str, limit: int = 0) -> list[Segment]:
    """The distinct segments of a gold file (:func:`mtqa.quality.evaluate.read_gold`), in
    sha256 order of their text, the first ``limit`` if set."""
    from mtqa.quality.evaluate import read_gold

    by_text: dict[tuple[str, str | None], list[tuple[tuple[int, int], ...]]] = {}
    for rec in read_gold(path, "mtqa calibrate --gold"):
        spans = tuple(sorted((s.start, s.end) for s in rec["spans"]))
        by_text.setdefault((rec["text"], rec["source"]), []).append(spans)
    segs = [Segment(t, src, tuple(a)) for (t, src), a in by_text.items() if t.strip()]
    segs.sort(key=lambda g: hashlib.sha256(f"{g.source}\x00{g.target}".encode()).hexdigest())
    return segs[:limit] if limit else segs


def gold_rows(
    segments: Sequence[Segment],
    group: str,
    scorer: Scorer,
    cache: ScoreCache,
    batch_size: int,
    cond_limit: int = 0,
    back_limit: int = 0,
) -> list[SentenceRows]:
    """Each segment scored alone and, with a source, after it (the first ``cond_limit``
    segments), and its source alone and after it (the first ``back_limit``; both
    :mod:`mtqa.conditioned`, none by default; the source checks run too), featurised; item
    and sentence labels are the share of its annotations marking them."""
    tokens = cache.score(scorer, [g.target for g in segments], batch_size)
    docs = [
        Document(doc_id=f"{group}:{n}", text=g.target, path=group, source=g.source)
        for n, g in enumerate(segments)
    ]
    texts, where = conditioned.plan(docs[:cond_limit])
    cond = conditioned.assemble(len(docs), where, cache.score(scorer, texts, batch_size))
    texts, where = conditioned.back_plan(docs[:back_limit])
    back = conditioned.back_gains(len(docs), where, cache.score(scorer, texts, batch_size))
    out: list[SentenceRows] = []
    for g, doc, toks, ctoks, b in zip(segments, docs, tokens, cond, back, strict=True):
        k = len(g.annotations)
        for ev in Evidence(doc, toks, cond=ctoks, back=b):
            labels = [
                sum(any(w.start < e and s < w.end for s, e in a) for a in g.annotations) / k
                for w in ev.words
            ]
            a, b = ev.sentence.start, ev.sentence.end
            label = sum(any(s < b and a < e for s, e in ann) for ann in g.annotations) / k
            out.append(_rows(ev, labels, label, group))
    return out


def calibrate(
    clean: str,
    settings: Settings,
    scorer_factory: ScorerFactory,
    output: str | None = None,
    lines_per_doc: int = 10,
    limit: int = 0,
    seed: int = 13,
    major_rate: float = MAJOR_RATE,
    minor_rate: float = MINOR_RATE,
    gold: Sequence[str] = (),
    gold_limit: int = 0,
    score_cache: str | None = None,
    cond_limit: int = 0,
    back_limit: int = 0,
) -> tuple[Path, Detector]:
    """Fit a detector for ``settings.model`` on ``clean`` (and the ``gold`` files) and write
    it (atomically).

    ``output`` defaults to the shipped detector's file (:func:`mtqa.detect.detector_path`).
    Returns the file and the detector. Raises, before any scoring,
    :class:`~mtqa.errors.UsageError` for an output (the detector, the score cache) that is an
    input (``clean``, a ``gold`` file, the score cache), :class:`~mtqa.errors.OutputError` for
    one that cannot be written;
    :class:`~mtqa.errors.InputError` for a bad clean or gold file,
    :class:`~mtqa.errors.CalibrationError` when too little is labelled.
    """
    path = Path(output) if output else detector_path(settings.model)
    # before any work: no output is an input (the cache is read, then appended to)
    inputs = [(clean, ""), *((g, named("gold")) for g in gold)]
    kept = [(score_cache, named("score_cache"))] if score_cache else []
    option = named("output") if output else "the shipped detector's file"
    check_output_file(output or path, option, inputs + kept, "the detector")
    if score_cache:
        check_output_file(score_cache, named("score_cache"), inputs, "the score cache")
    lines = clean_lines(clean, limit)
    segments = {Path(p).stem: gold_segments(p, gold_limit) for p in gold}  # bad input: now
    cache = ScoreCache(score_cache)  # a file that is no score cache: now too
    fit_lines, threshold_lines, _ = split(lines)
    fit_recs = make_records(fit_lines, seed=seed, rate=0.5, prefix="fit")
    clean_recs: list[GoldRecord] = [{"target": t, "spans": []} for t in threshold_lines]
    scorer = scorer_factory(settings)
    fit = sentence_rows(fit_recs, scorer, settings.batch_size, lines_per_doc, cache)
    for group, segs in segments.items():
        fit += gold_rows(segs, group, scorer, cache, settings.batch_size, cond_limit, back_limit)
    # each clean line alone, as `mtqa check` reads a JSONL record: without the context of
    # its neighbours a line gets more flags than inside an article, so the rates hold for both
    thr = sentence_rows(clean_recs, scorer, settings.batch_size, 1, cache)
    cond = f", {cond_limit} of them also after their source" if cond_limit else ""
    cond += f", {back_limit} with their source after them" if back_limit else ""
    golds = ", ".join(f"{g} ({counted(len(s), 'segment')}{cond})" for g, s in segments.items())
    source = (
        f"{Path(clean).name}: fit {counted(len(fit_lines), 'line')} (seed {seed}, half with "
        f"injected errors){'; MQM spans of ' + golds if golds else ''}; thresholds on the next "
        f"{counted(len(threshold_lines), 'clean line')}, each alone"
    )
    det = fit_detector(fit, thr, scorer.signature(), source, major_rate, minor_rate)
    atomic_write(path, det.to_json() + "\n")
    return path, det
