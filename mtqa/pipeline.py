"""Wires the stages: read → segment → score → align → detect → report.

``analyse`` turns one document and its token scores into a result (pure);
``check_documents`` scores documents in length-sorted batches; ``run_check`` is
the whole job behind ``mtqa check``: resumable, streaming, and it never lets one
bad input cost the others.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mtqa import __version__
from mtqa.align import align_sentences
from mtqa.detect import Calibration, detect_lm, load_calibration
from mtqa.errors import OutputError
from mtqa.features import name_counts
from mtqa.lm.base import Scorer
from mtqa.readers import read_inputs
from mtqa.records import (
    SEVERITY_RANK,
    Document,
    DocumentResult,
    Failure,
    SentenceResult,
    Span,
    TokenScore,
)
from mtqa.references import RunReferences, document_metrics
from mtqa.report import Writer, remove_other_reports, writer_class
from mtqa.report.summary import SummaryWriter, score_thresholds
from mtqa.rules import check_rules
from mtqa.segment import segment
from mtqa.settings import Settings, signature
from mtqa.sources import RunSources, source_checks
from mtqa.store import ResultStore, atomic_write, doc_key

ScorerFactory = Callable[[Settings], Scorer]
# Progress events (event, amount): "total" (sentences in all inputs, sent once before scoring),
# "sentences" (scored now), "resumed" (found on disk, skipped), "docs" (one per document), "tokens".
Progress = Callable[[str, int], None]


def combine(spans: Sequence[Span], word_score: float) -> tuple[float, str]:
    """Sentence score and severity from its spans (higher = worse)."""
    severity = "none"
    for sp in spans:
        if SEVERITY_RANK[sp.severity] > SEVERITY_RANK[severity]:
            severity = sp.severity
    miss = 1.0
    for sp in spans:
        miss *= 1.0 - sp.score
    score = max(word_score * 0.5, 1.0 - miss) if spans else word_score * 0.5
    return round(score, 6), severity


def analyse(doc: Document, tokens: Sequence[TokenScore], cal: Calibration) -> DocumentResult:
    sentences = []
    sents = segment(doc)
    ref_columns, ref_metrics, ref_notes = document_metrics(doc, sents)
    src = source_checks(doc, sents)
    aligned = align_sentences(doc.text, tokens, [(sent.start, sent.end) for sent in sents])
    names = name_counts(w for words in aligned for w in words)
    for k, sent in enumerate(sents):
        words = aligned[k]
        lm_spans, probs = detect_lm(doc.text, words, cal, names)
        spans = sorted(
            lm_spans + check_rules(sent) + src.spans[k], key=lambda s: (s.start, s.end, s.source)
        )
        n_tokens = sum(w.n_tokens for w in words)
        bits = sum(w.surprisal for w in words)
        ppl = 2.0 ** (bits / n_tokens) if n_tokens else float("nan")
        score, severity = combine(spans, max(probs, default=0.0))
        sentences.append(
            SentenceResult(
                doc_id=doc.doc_id,
                sent_id=sent.index,
                start=sent.start,
                end=sent.end,
                text=sent.text,
                n_tokens=n_tokens,
                ppl=ppl if math.isfinite(ppl) else 0.0,
                score=score,
                severity=severity,  # type: ignore[arg-type]
                spans=tuple(spans),
                metrics=ref_columns[k] + src.columns[k],
                words=tuple(words),
            )
        )
    return DocumentResult(
        doc.doc_id,
        doc.path,
        doc.text,
        tuple(sentences),
        notes=ref_notes + src.notes,
        metrics=ref_metrics + src.metrics,
    )


def check_documents(
    docs: Sequence[Document],
    scorer: Scorer,
    cal: Calibration,
    batch_size: int = 16,
    on_tokens: Callable[[int], None] | None = None,
) -> list[DocumentResult]:
    """Score documents together (one batched LM pass over all of them)."""
    tokens = scorer.score([d.text for d in docs], batch_size=batch_size, on_batch=on_tokens)
    return [analyse(d, t, cal) for d, t in zip(docs, tokens)]


def chunks(
    docs: Iterable[Document], max_docs: int = 64, max_chars: int = 200_000
) -> Iterator[list[Document]]:
    """Group documents so one LM call fills its batches but memory stays bounded."""
    group: list[Document] = []
    size = 0
    for d in docs:
        group.append(d)
        size += len(d.text)
        if len(group) >= max_docs or size >= max_chars:
            yield group
            group, size = [], 0
    if group:
        yield group


@dataclass
class RunSummary:
    outdir: Path
    documents: int = 0
    sentences: int = 0
    flagged: int = 0
    major: int = 0
    tokens: int = 0
    resumed: int = 0
    failures: list[Failure] = field(default_factory=list)
    outputs: list[Path] = field(default_factory=list)
    worst: list[tuple[float, str, Span]] = field(default_factory=list)
    signature: str = ""
    seconds: float = 0.0


def _prepare_outdir(outdir: Path, settings: Settings, resume_key: str) -> None:
    if outdir.exists() and not outdir.is_dir():
        raise OutputError(f"{outdir}: exists and is not a folder; choose another with -o")
    try:
        outdir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(
            f"{outdir}: cannot create the output folder ({exc.strerror}); choose another with -o"
        ) from None
    if not os.access(outdir, os.W_OK | os.X_OK):
        raise OutputError(f"{outdir}: output folder is not writable; choose another with -o")
    run_json = outdir / "run.json"
    if run_json.is_file() and not settings.overwrite:
        try:
            old = json.loads(run_json.read_text(encoding="utf-8")).get("resume_key")
        except (OSError, ValueError):
            old = None
        if old != resume_key:
            raise OutputError(
                f"{outdir}: holds a run with other settings; pass --overwrite to replace it "
                "or choose another folder with -o"
            )
    if settings.overwrite:
        for p in (
            (outdir / ".mtqa-parts").glob("*.json") if (outdir / ".mtqa-parts").is_dir() else []
        ):
            p.unlink()


def run_check(
    inputs: Sequence[str],
    settings: Settings,
    outdir: Path,
    scorer_factory: ScorerFactory,
    progress: Progress | None = None,
    failure_hook: Callable[[Failure], None] | None = None,
) -> RunSummary:
    t0 = time.perf_counter()
    cal = load_calibration(settings.model, settings.calibration)
    resume_key = json.dumps(
        {"version": __version__, **settings.scoring_key(), "cal": cal.calibration_id},
        sort_keys=True,
    )
    fresh = not outdir.exists()
    _prepare_outdir(outdir, settings, resume_key)
    store = ResultStore(outdir)
    summary = RunSummary(outdir=outdir)
    keys: list[str] = []
    scorer: Scorer | None = None
    timings: dict[str, float] = {"load": 0.0, "score": 0.0}
    run_refs, run_srcs = RunReferences(), RunSources()

    def note(f: Failure) -> None:
        summary.failures.append(f)
        if failure_hook:
            failure_hook(f)

    def todo() -> Iterator[Document]:
        for item in _read(inputs, settings):
            if isinstance(item, Failure):
                note(item)
                continue
            key = doc_key(resume_key, item.doc_id, item.text, f"{item.source}|{item.reference}")
            keys.append(key)
            run_refs.add(item)
            run_srcs.add(item)
            if store.has(key):
                summary.resumed += 1
                if progress:
                    progress("resumed", len(segment(item)))
                    progress("docs", 1)
                continue
            yield item

    if progress:  # a cheap first pass (read + segment) so the progress bar knows its total
        progress("total", sum(len(segment(d)) for d in _documents(inputs, settings)))

    ray_sig: str | None = None
    if settings.engine == "ray":  # the same documents, scored on a Ray Data actor pool
        from mtqa.engine_ray import score_ray

        def put(doc: Document, res: DocumentResult) -> None:
            extra = f"{doc.source}|{doc.reference}"
            store.put(doc_key(resume_key, doc.doc_id, doc.text, extra), res)
            if progress:
                progress("sentences", len(res.sentences))
                progress("docs", 1)

        t = time.perf_counter()
        ray_sig = score_ray(todo(), settings, cal, scorer_factory, put)
        timings["score"] = time.perf_counter() - t

    for group in chunks(todo()) if settings.engine == "local" else ():
        if scorer is None:
            t = time.perf_counter()
            scorer = scorer_factory(settings)
            cal.check_model(scorer.signature())
            timings["load"] = time.perf_counter() - t
        t = time.perf_counter()
        results = check_documents(
            group,
            scorer,
            cal,
            settings.batch_size,
            on_tokens=(lambda n: progress("tokens", n)) if progress else None,
        )
        timings["score"] += time.perf_counter() - t
        for doc, res in zip(group, results):
            store.put(
                doc_key(resume_key, doc.doc_id, doc.text, f"{doc.source}|{doc.reference}"), res
            )
            if progress:
                progress("sentences", len(res.sentences))
                progress("docs", 1)

    if not keys and summary.failures:  # every input failed: write nothing, keep what is there
        if fresh:
            with contextlib.suppress(OSError):
                outdir.rmdir()
        summary.seconds = time.perf_counter() - t0
        return summary

    model_sig = ray_sig or (
        scorer.signature() if scorer is not None else _previous_model_sig(outdir, settings)
    )
    summary.signature = signature(model_sig, settings.dtype, settings, cal.calibration_id)
    run: dict[str, Any] = {"signature": summary.signature}
    t = time.perf_counter()
    writers: list[Writer] = []
    try:
        writers.extend(writer_class(f)(outdir, run) for f in settings.formats)
        writers.append(SummaryWriter(outdir, run, score_thresholds(cal)))  # summary.csv/.png
        for key in keys:
            res = store.get(key)
            summary.documents += 1
            for s in res.sentences:
                summary.sentences += 1
                summary.tokens += s.n_tokens
                if s.flagged:
                    summary.flagged += 1
                if s.severity == "major":
                    summary.major += 1
                if s.spans:  # the worst span of each sentence: five different places
                    sp = max(s.spans, key=lambda x: (SEVERITY_RANK[x.severity], x.score))
                    summary.worst.append((sp.score + SEVERITY_RANK[sp.severity], res.doc_id, sp))
            summary.worst = sorted(summary.worst, key=lambda x: -x[0])[:5]
            for w in writers:
                w.write(res)
        summary.outputs = [w.close() for w in writers] + [outdir / "summary.png"]
    except BaseException:
        for w in writers:
            w.abort()
        raise
    if settings.overwrite:  # an earlier run's other formats would look current
        remove_other_reports(outdir, settings.formats)
    timings["write"] = time.perf_counter() - t
    summary.seconds = time.perf_counter() - t0
    run.update(
        {
            "mtqa_version": __version__,
            "model": model_sig,
            "dtype": settings.dtype,
            "context": "document",
            "calibration": {
                "id": cal.calibration_id,
                "minor_bits": cal.minor,
                "major_bits": cal.major,
                "source": cal.source,
                "model": cal.model,
                "file": settings.calibration or f"models/{settings.model}.calibration.json",
            },
            "settings": settings.as_dict(),
            "resume_key": resume_key,
            "counts": {
                "documents": summary.documents,
                "sentences": summary.sentences,
                "flagged": summary.flagged,
                "major": summary.major,
                "tokens": summary.tokens,
                "resumed": summary.resumed,
                "failures": len(summary.failures),
            },
            "references": run_refs.as_dict(),
            "sources": run_srcs.as_dict(),
            "failures": [str(f) for f in summary.failures],
            "timings": {k: round(v, 3) for k, v in timings.items()}
            | {"total": round(summary.seconds, 3)},
        }
    )
    atomic_write(outdir / "run.json", json.dumps(run, indent=1, ensure_ascii=False) + "\n")
    summary.outputs.append(outdir / "run.json")
    return summary


def _read(inputs: Sequence[str], settings: Settings) -> Iterator[Document | Failure]:
    return read_inputs(
        inputs,
        settings.text_field,
        settings.id_field,
        settings.encoding_errors,
        settings.reference,
        settings.source,
    )


def _documents(inputs: Sequence[str], settings: Settings) -> Iterator[Document]:
    for item in _read(inputs, settings):
        if not isinstance(item, Failure):
            yield item


def _previous_model_sig(outdir: Path, settings: Settings) -> str:
    try:
        return str(json.loads((outdir / "run.json").read_text(encoding="utf-8"))["model"])
    except (OSError, ValueError, KeyError):
        return settings.model
