"""``run_check``: the whole job behind ``mtqa check``, one named step per job.

read → segment → score → align → detect → report::

    run_check
      ├─ prepare_run                                 model name, detector, glossary
      ├─ resume_key, OutputFolder                    output folder (locked) and resume key
      ├─ Intake.admit (for each input unit)          read; failures, skipped, keys, tallies
      ├─ count_sentences (only with a progress bar)  the bar's total
      ├─ Engine.score(documents, save)               local or Ray: score, analyse, select,
      │                                              store
      ├─ model_signature                             the model's, even if nothing was scored
      ├─ write_reports                               csv, jsonl, html, summary.csv/.png
      └─ write_run_json                              run.json

Resumable (finished documents are stored as they come and skipped on a rerun; with the
local engine each LM window too, :mod:`mtqa.checkpoint`, so Ctrl-C inside a long
document keeps the work done), streaming (documents are read lazily and results read
back one at a time), and one bad input never costs the others.
"""

from __future__ import annotations

import difflib
import os
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

from mtqa.analyse import select_result
from mtqa.checkpoint import WindowCheckpoint
from mtqa.checks.document import RunSources
from mtqa.checks.glossary import cached_glossary
from mtqa.checks.references import RunReferences
from mtqa.detect import Detector, load_detector
from mtqa.engines.base import Engine, Put, engine_class
from mtqa.errors import ModelError, UsageError, named, named_value
from mtqa.io import Skipped
from mtqa.lm.base import Scorer
from mtqa.lm.load import ScorerFactory, load_scorer
from mtqa.lm.presets import PRESETS, resolve
from mtqa.outdir import OutputFolder, as_outdir
from mtqa.readers import STDIN, Item, read_inputs, read_stream
from mtqa.readers.decode import kind
from mtqa.readers.walk import Inputs, as_inputs
from mtqa.records import Document, DocumentResult, Failure
from mtqa.report import Writer, remove_other_reports, writer_class
from mtqa.report.summary import SummaryWriter, score_thresholds
from mtqa.runinfo import (
    RunSummary,
    resume_key,
    run_record,
    stored_model_sig,
    write_run_json,
)
from mtqa.segment import segment
from mtqa.settings import Settings, as_settings, signature
from mtqa.store import ResultStore, write_failed

# Progress events (event, amount): "total" (sentences in all inputs, sent once before scoring),
# "sentences" (scored now: as each LM batch is done with the local engine, so inside a long
# document too; as each document is stored with Ray), "resumed" (found on disk, not scored
# again), "docs" (one per document stored), "tokens" (LM tokens of each batch).
Progress = Callable[[str, int], None]


def check_model_name(model: str) -> None:
    """Refuse a ``--model`` that names no preset, ``.gguf`` file or model folder.

    Runs first, so a typo is not reported as a missing detector. The message says what
    the name is not, and the closest preset name (``smollm2`` → ``smollm2-135m``).
    """
    if model == "fake":  # the test scorer (mtqa.lm.load)
        return
    try:
        resolve(model)
    except ModelError:
        pass
    else:
        return
    path = Path(model).expanduser()
    presets = ", ".join(PRESETS)
    if path.is_file():
        what = "a file, but not a .gguf file"
    elif path.is_dir():
        what = "a folder without config.json, so not a transformers model folder"
    elif path.exists():  # /dev/null, a FIFO
        what = f"not a regular file ({kind(path.stat().st_mode)})"
    elif path.parent != Path(".") or path.suffix:
        what = "no such file or folder"
    else:
        what = "not a preset"
    close = difflib.get_close_matches(model.lower(), list(PRESETS), n=1, cutoff=0.5)
    hint = f"; did you mean {close[0]!r}?" if close else ""
    raise ModelError(
        f"{named('model', repr(model))}: {what}; name a preset ({presets}), a .gguf file or "
        f"a local transformers model folder{hint}"
    )


def prepare_run(settings: Settings, scorer_factory: ScorerFactory | None = None) -> Detector:
    """What a run checks before any work: the model's name, the detector at the run's
    operating point (``--sensitivity``/``--threshold``) and, when ``scorer_factory`` is
    :func:`~mtqa.lm.load.load_scorer` (which loads ``settings.model``), that the detector
    was fitted for that model (before the load: :meth:`~mtqa.detect.Detector.check_model_name`),
    the glossary. The detector.

    Raises :class:`~mtqa.errors.MtqaError` naming what is wrong.
    """
    check_model_name(settings.model)  # a typo is named as such, not as a missing detector
    det = load_detector(
        settings.model, settings.calibration, settings.sensitivity, settings.threshold
    )
    if scorer_factory is load_scorer:  # another factory may load another model than named
        det.check_model_name("fake" if settings.model == "fake" else resolve(settings.model).name)
    if settings.glossary:
        cached_glossary(settings.glossary)  # a bad glossary fails now, before any output
    return det


def read_documents(
    inputs: Sequence[str], settings: Settings, stdin: bytes | None = None
) -> Iterator[Item]:
    """Every input unit, lazily: a Document, a Failure saying why it cannot be read, or a
    translation unit Skipped with its reason. ``stdin``: the bytes of standard input, read
    as ``settings.stdin_format`` (the inputs are then ``["-"]``)."""
    if stdin is not None:
        if list(inputs) != [STDIN] or settings.reference or settings.source:
            raise UsageError(
                f"- (standard input) must be the only input, without {named('reference')}/"
                f"{named('source')}; put 'source'/'reference' fields in records "
                f"({named_value('stdin_format', 'jsonl')})"
            )
        return read_stream(
            stdin,
            settings.stdin_format,
            settings.text_field,
            settings.id_field,
            settings.encoding_errors,
        )
    return read_inputs(
        inputs,
        settings.text_field,
        settings.id_field,
        settings.encoding_errors,
        settings.reference,
        settings.source,
    )


def count_sentences(inputs: Sequence[str], settings: Settings, stdin: bytes | None = None) -> int:
    """Sentences in all readable inputs: the progress bar's total.

    This reads and segments the inputs a second time. The bar needs its total before the
    first document is scored, and holding every document until then would break the
    streaming memory bound; reading and segmenting cost a few percent of scoring with
    the smallest real model. Runs only when a progress callback is given.
    """
    items = read_documents(inputs, settings, stdin)
    return sum(len(segment(d)) for d in items if isinstance(d, Document))


class Intake:
    """The run's books on its inputs, kept as :meth:`admit` sees them, in input order.

    ``keys``: the store key of every readable document (what the reports list);
    ``failures``: the inputs that could not be read; ``skipped``: translation units with
    nothing to score (not failures); ``resumed``: documents already stored;
    ``references``/``sources``: the run's reference and source tallies.
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
        self.skipped: list[Skipped] = []
        self.resumed = 0
        self.references = RunReferences()
        self.sources = RunSources()

    def admit(self, item: Item) -> Document | None:
        """Book one input unit; the document when it still needs scoring, else None."""
        if isinstance(item, Skipped):
            self.skipped.append(item)
            return None
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


def saver(
    store: ResultStore,
    progress: Progress | None,
    sentences: bool = True,
    keep: Callable[[DocumentResult], DocumentResult] | None = None,
) -> Put:
    """The engines' ``put``: store each result as it comes, and report progress
    (``sentences``: also its sentences, unless the scorer reports them as it goes).
    ``keep``: what of a result is stored (the check selection, :func:`selecting`)."""

    def save(doc: Document, result: DocumentResult) -> None:
        if keep is not None:
            result = keep(result)
        store.put(store.key(doc), result)
        if progress:
            if sentences:
                progress("sentences", len(result.sentences))
            progress("docs", 1)

    return save


def selecting(settings: Settings, det: Detector) -> Callable[[DocumentResult], DocumentResult]:
    """A result → only the spans of the checks the run selects (:mod:`mtqa.selection`).

    Until :func:`mtqa.analyse.analyse` takes the selection itself, spans are dropped here,
    after the analysis, and a sentence that lost spans is scored again from those it keeps.
    """
    selection = settings.selection
    return lambda result: select_result(result, selection, det)


def checkpointing(
    factory: ScorerFactory, store: ResultStore, progress: Progress | None
) -> ScorerFactory:
    """``factory`` whose scorer keeps every LM window on disk (:mod:`mtqa.checkpoint`) and
    whose model signature is stored the moment it is loaded, before any result."""

    def make(settings: Settings) -> Scorer:
        scorer = factory(settings)
        store.put_model(scorer.signature())
        return WindowCheckpoint(store.windows, store.resume_key, progress).attach(scorer)

    return make


def model_signature(
    scored: str | None,
    store: ResultStore,
    settings: Settings,
    factory: ScorerFactory,
    results: bool = True,
) -> str:
    """The signature of the model behind the stored results: this run's, else the one
    stored with the parts or in the last run.json, else (nothing known: a run stopped
    between its last result and storing the signature) the model's, loaded for it.
    Without ``results`` (every unit skipped) nothing is loaded: the model's name."""
    found = scored or stored_model_sig(store)
    if found is None and not results:
        return settings.model
    if found is None:
        found = factory(settings).signature()
    store.put_model(found)
    return found


def _open_writer(cls: type[Writer], outdir: Path, run: dict[str, Any], *args: Any) -> Writer:
    """``cls(outdir, run, *args)``; a write error in its header (a full disk) names the file
    and leaves no temp file (the half-made writer is aborted)."""
    w = cls.__new__(cls)
    try:
        w.__init__(outdir, run, *args)  # type: ignore[misc]
    except OSError as exc:
        if hasattr(w, "fh"):
            w.abort()
        raise write_failed(outdir / cls.filename, exc) from exc
    return w


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
    no report is half written. An input a writer cannot serve (an annotated copy that cannot
    be made) is added to the summary's failures; the other outputs are written. With
    ``--overwrite``, reports of formats not asked for (an earlier run's) are deleted, and so
    is ``eval.json`` (``mtqa eval``'s default output, which measured the replaced run).
    """
    writers: list[Writer] = []
    out = summary.outdir
    seen = run | {"settings": settings.as_dict()}  # what the writers may read (a copy)
    try:
        for cls in [writer_class(f) for f in settings.formats] + [SummaryWriter]:
            args = (score_thresholds(det),) if cls is SummaryWriter else ()
            writers.append(_open_writer(cls, out, seen, *args))
        for key in keys:
            res = store.get(key)
            summary.add(res)
            for w in writers:
                try:
                    w.write(res)
                except OSError as exc:  # a full disk shows on a write, not only on close
                    raise write_failed(w.final, exc) from exc
        summary.outputs = [w.close() for w in writers] + [out / "summary.png"]
        summary.failures.extend(f for w in writers for f in w.failures)
        summary.notices.extend(n for w in writers for n in w.notices)
    except BaseException:
        for w in writers:
            w.abort()
        raise
    if settings.overwrite:  # an earlier run's other formats would look current
        remove_other_reports(summary.outdir, settings.formats)
        # and so would `mtqa eval`'s default output, measured on the replaced segments.jsonl
        (summary.outdir / "eval.json").unlink(missing_ok=True)


def run_check(
    inputs: Inputs,
    settings: Settings,
    outdir: str | os.PathLike[str],
    scorer_factory: ScorerFactory = load_scorer,
    progress: Progress | None = None,
    failure_hook: Callable[[Failure], None] | None = None,
    stdin: bytes | None = None,
) -> RunSummary:
    """Check ``inputs`` (a file or folder, or a list of them, each a str or Path; ``["-"]``
    with ``stdin``: its bytes) and write the reports to ``outdir`` (a str or Path).

    ``settings.engine`` picks where the LM runs (``local``, ``ray``). ``progress`` gets
    the events of :data:`Progress`; ``failure_hook`` each unreadable input as it is met.
    The folder is locked for the run (:class:`mtqa.outdir.OutputFolder`: a second run
    into it is refused). When every input fails, or an error comes before any result is
    stored, the folders this run created are removed again; the summary then has no
    outputs. Raises :class:`~mtqa.errors.UsageError` for inputs, settings or an outdir of
    another type (:func:`mtqa.readers.walk.as_inputs`, :func:`mtqa.settings.as_settings`,
    :func:`mtqa.outdir.as_outdir`),
    :class:`~mtqa.errors.MtqaError` for a bad output folder, detector or model;
    ``KeyboardInterrupt`` leaves the finished documents stored.
    """
    t0 = time.perf_counter()
    inputs, settings, outdir = as_inputs(inputs), as_settings(settings), as_outdir(outdir)
    det = prepare_run(settings, scorer_factory)
    key = resume_key(settings, det)
    with OutputFolder(outdir, settings, key, inputs) as folder:
        store = ResultStore(outdir, key)
        intake = Intake(store, progress, failure_hook)
        engine, scored_sig = _score(inputs, settings, det, store, intake, scorer_factory, stdin)
        summary = RunSummary(
            outdir=outdir, resumed=intake.resumed, failures=intake.failures, skipped=intake.skipped
        )
        if not intake.keys and intake.failures:  # every input failed: write nothing
            folder.discard_if_empty()
            summary.seconds = time.perf_counter() - t0
            return summary
        model_sig = model_signature(scored_sig, store, settings, scorer_factory, bool(intake.keys))
        summary.signature = signature(model_sig, settings.dtype, settings, det.detector_id)
        run: dict[str, Any] = {"signature": summary.signature}
        t = time.perf_counter()
        known = len(summary.failures)
        write_reports(summary, store, intake.keys, settings, det, run)
        for failure in summary.failures[known:]:  # the writers' (an annotated copy)
            if failure_hook:
                failure_hook(failure)
        timings = engine.timings | {"write": time.perf_counter() - t}
        summary.seconds = time.perf_counter() - t0
        tallies = {"references": intake.references.as_dict(), "sources": intake.sources.as_dict()}
        run.update(run_record(summary, settings, det, model_sig, key, tallies, timings, inputs))
        summary.outputs.append(write_run_json(outdir, run))
        folder.complete()
        store.prune(intake.keys)  # complete: stale results of edited documents go
    return summary


def _score(
    inputs: Sequence[str],
    settings: Settings,
    det: Detector,
    store: ResultStore,
    intake: Intake,
    scorer_factory: ScorerFactory,
    stdin: bytes | None,
) -> tuple[Engine, str | None]:
    """Read, score and store every document not stored yet; the engine and the model
    signature of what it scored (None: nothing)."""
    progress = intake.progress
    if progress:
        progress("total", count_sentences(inputs, settings, stdin))
    on_tokens = (lambda n: progress("tokens", n)) if progress else None
    local = settings.engine == "local"  # Ray scores elsewhere: no window files, no early sig
    factory = checkpointing(scorer_factory, store, progress) if local else scorer_factory
    engine = engine_class(settings.engine)(settings, det, factory, on_tokens)
    to_score = filter(None, map(intake.admit, read_documents(inputs, settings, stdin)))
    put = saver(store, progress, sentences=not local, keep=selecting(settings, det))
    scored_sig = engine.score(to_score, put)
    store.clear_windows()
    return engine, scored_sig
