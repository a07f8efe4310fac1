"""``run_check``: the whole job behind ``mtqa check``, one named step per job.

read → segment → score → align → detect → report::

    run_check
      ├─ load_detector, resume_key, prepare_outdir   output folder and resume key
      ├─ Intake.admit (for each input unit)          read; failures, keys, resumed, tallies
      ├─ count_sentences (only with a progress bar)  the bar's total
      ├─ Engine.score(documents, save)               local or Ray: score, analyse, store
      ├─ write_reports                               csv, jsonl, html, summary.csv/.png
      └─ write_run_json                              run.json

Resumable (finished documents are stored as they come and skipped on a rerun),
streaming (documents are read lazily and results read back one at a time), and one
bad input never costs the others.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

from mtqa.checks.document import RunSources
from mtqa.checks.references import RunReferences
from mtqa.detect import Detector, load_detector
from mtqa.engines.base import Put, engine_class
from mtqa.lm.load import ScorerFactory, load_scorer
from mtqa.readers import read_inputs
from mtqa.records import Document, DocumentResult, Failure
from mtqa.report import Writer, remove_other_reports, writer_class
from mtqa.report.summary import SummaryWriter, score_thresholds
from mtqa.runinfo import (
    RunSummary,
    prepare_outdir,
    previous_model_sig,
    resume_key,
    run_record,
    write_run_json,
)
from mtqa.segment import segment
from mtqa.settings import Settings, signature
from mtqa.store import ResultStore

# Progress events (event, amount): "total" (sentences in all inputs, sent once before scoring),
# "sentences" (scored now), "resumed" (found on disk, skipped), "docs" (one per document), "tokens".
Progress = Callable[[str, int], None]


def read_documents(inputs: Sequence[str], settings: Settings) -> Iterator[Document | Failure]:
    """Every input unit, lazily: a Document, or a Failure saying why it cannot be read."""
    return read_inputs(
        inputs,
        settings.text_field,
        settings.id_field,
        settings.encoding_errors,
        settings.reference,
        settings.source,
    )


def count_sentences(inputs: Sequence[str], settings: Settings) -> int:
    """Sentences in all readable inputs: the progress bar's total.

    This reads and segments the inputs a second time. The bar needs its total before the
    first document is scored, and holding every document until then would break the
    streaming memory bound; reading and segmenting cost a few percent of scoring with
    the smallest real model. Runs only when a progress callback is given.
    """
    return sum(len(segment(d)) for d in read_documents(inputs, settings) if isinstance(d, Document))


class Intake:
    """The run's books on its inputs, kept as :meth:`admit` sees them, in input order.

    ``keys``: the store key of every readable document (what the reports list);
    ``failures``: the inputs that could not be read; ``resumed``: documents already
    stored; ``references``/``sources``: the run's reference and source tallies.
    """

    def __init__(
        self,
        store: ResultStore,
        progress: Progress | None = None,
        failure_hook: Callable[[Failure], None] | None = None,
    ) -> None:
        self.store = store
        self.progress = progress
        self.failure_hook = failure_hook
        self.keys: list[str] = []
        self.failures: list[Failure] = []
        self.resumed = 0
        self.references = RunReferences()
        self.sources = RunSources()

    def admit(self, item: Document | Failure) -> Document | None:
        """Book one input unit; the document when it still needs scoring, else None."""
        if isinstance(item, Failure):
            self.failures.append(item)
            if self.failure_hook:
                self.failure_hook(item)
            return None
        key = self.store.key(item)
        self.keys.append(key)
        self.references.add(item)
        self.sources.add(item)
        if not self.store.has(key):
            return item
        self.resumed += 1
        if self.progress:
            self.progress("resumed", len(segment(item)))
            self.progress("docs", 1)
        return None


def saver(store: ResultStore, progress: Progress | None) -> Put:
    """The engines' ``put``: store each result as it comes, and report progress."""

    def save(doc: Document, result: DocumentResult) -> None:
        store.put(store.key(doc), result)
        if progress:
            progress("sentences", len(result.sentences))
            progress("docs", 1)

    return save


def write_reports(
    summary: RunSummary,
    store: ResultStore,
    keys: Sequence[str],
    settings: Settings,
    det: Detector,
    run: dict[str, Any],
) -> None:
    """Stream the stored results of ``keys`` (input order) into every report; count them.

    The writers write temp files and rename them on close; any error aborts them all, so
    no report is half written. With ``--overwrite``, reports of formats not asked for
    (an earlier run's) are deleted.
    """
    writers: list[Writer] = []
    try:
        writers.extend(writer_class(f)(summary.outdir, run) for f in settings.formats)
        writers.append(SummaryWriter(summary.outdir, run, score_thresholds(det)))
        for key in keys:
            res = store.get(key)
            summary.add(res)
            for w in writers:
                w.write(res)
        summary.outputs = [w.close() for w in writers] + [summary.outdir / "summary.png"]
    except BaseException:
        for w in writers:
            w.abort()
        raise
    if settings.overwrite:  # an earlier run's other formats would look current
        remove_other_reports(summary.outdir, settings.formats)


def run_check(
    inputs: Sequence[str],
    settings: Settings,
    outdir: Path,
    scorer_factory: ScorerFactory = load_scorer,
    progress: Progress | None = None,
    failure_hook: Callable[[Failure], None] | None = None,
) -> RunSummary:
    """Check ``inputs`` (files or folders) and write the reports to ``outdir``.

    ``settings.engine`` picks where the LM runs (``local``, ``ray``). ``progress`` gets
    the events of :data:`Progress`; ``failure_hook`` each unreadable input as it is met.
    When every input fails nothing is written (a new ``outdir`` is removed again) and the
    summary has no outputs. Raises :class:`~mtqa.errors.MtqaError` for a bad output
    folder, detector or model; ``KeyboardInterrupt`` leaves the finished documents stored.
    """
    t0 = time.perf_counter()
    det = load_detector(settings.model, settings.calibration)
    key = resume_key(settings, det)
    fresh = not outdir.exists()
    prepare_outdir(outdir, settings, key)
    store = ResultStore(outdir, key)
    intake = Intake(store, progress, failure_hook)
    if progress:
        progress("total", count_sentences(inputs, settings))
    on_tokens = (lambda n: progress("tokens", n)) if progress else None
    engine = engine_class(settings.engine)(settings, det, scorer_factory, on_tokens)
    to_score = filter(None, map(intake.admit, read_documents(inputs, settings)))
    model_sig = engine.score(to_score, saver(store, progress))

    summary = RunSummary(outdir=outdir, resumed=intake.resumed, failures=intake.failures)
    if not intake.keys and intake.failures:  # every input failed: write nothing
        if fresh:
            with contextlib.suppress(OSError):
                outdir.rmdir()
        summary.seconds = time.perf_counter() - t0
        return summary
    model_sig = model_sig or previous_model_sig(outdir, settings)
    summary.signature = signature(model_sig, settings.dtype, settings, det.detector_id)
    run: dict[str, Any] = {"signature": summary.signature}
    t = time.perf_counter()
    write_reports(summary, store, intake.keys, settings, det, run)
    timings = engine.timings | {"write": time.perf_counter() - t}
    summary.seconds = time.perf_counter() - t0
    tallies = {"references": intake.references.as_dict(), "sources": intake.sources.as_dict()}
    run.update(run_record(summary, settings, det, model_sig, key, tallies, timings))
    summary.outputs.append(write_run_json(outdir, run))
    return summary
