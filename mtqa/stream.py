"""``mtqa check --stdout FORMAT`` without ``-o``: one report written to a stream, no folder.

The documents are read, scored and analysed as in :func:`mtqa.pipeline.run_check`
(same reading, same engine, same check selection) and each result is written to the
stream as soon as it is done, in input order, by the writer of that format
(:meth:`mtqa.report.base.Writer.to_stream`): the text equals the file ``mtqa check``
would write. Nothing is stored, so there is no resume; memory stays bounded as in a
folder run. The model is loaded when the first readable document is met (not at all
when every input fails), in this process (``--engine local``).
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import IO

from mtqa.engines.base import engine_class
from mtqa.errors import UsageError, named, named_value
from mtqa.io import Skipped
from mtqa.lm.load import ScorerFactory, load_scorer
from mtqa.pipeline import Progress, count_sentences, prepare_run, read_documents, selecting
from mtqa.readers import Item
from mtqa.readers.walk import Inputs, as_inputs
from mtqa.records import Document, DocumentResult, Failure
from mtqa.report import writer_class
from mtqa.runinfo import RunSummary
from mtqa.settings import Settings, as_settings, signature

#: the formats a stream can carry (one file each)
STREAM_FORMATS = ("jsonl", "csv", "html")


def unwritten(formats: Iterable[str], fmt: str) -> str | None:
    """What a stream of ``fmt`` leaves out of ``formats`` (``--format`` given with
    ``--stdout`` and no ``-o``: no folder, so no file), as a line for people; None when the
    formats are the default or the stream alone."""
    asked = tuple(formats)
    if asked == Settings.formats or set(asked) <= {fmt}:
        return None
    return (
        f"{named('formats', ','.join(asked))}: no report file is written without an output "
        f"folder; standard output carries the {fmt} report alone (add {named('outdir', 'DIR')} "
        "for the files)"
    )


def _documents(
    items: Iterable[Item], summary: RunSummary, failure_hook: Callable[[Failure], None] | None
) -> Iterator[Document]:
    """The readable documents of ``items``; failures and skipped units booked in ``summary``."""
    for item in items:
        if isinstance(item, Failure):
            summary.failures.append(item)
            if failure_hook:
                failure_hook(item)
        elif isinstance(item, Skipped):
            summary.skipped.append(item)
        else:
            yield item


def run_stream(
    inputs: Inputs,
    settings: Settings,
    fmt: str,
    out: IO[str],
    scorer_factory: ScorerFactory = load_scorer,
    progress: Progress | None = None,
    failure_hook: Callable[[Failure], None] | None = None,
    stdin: bytes | None = None,
) -> RunSummary:
    """Check ``inputs`` (as :func:`mtqa.pipeline.run_check` takes them) and write the ``fmt``
    report (:data:`STREAM_FORMATS`) to ``out``.

    The summary counts what was written (``outdir`` is ``-``; ``outputs`` is empty when
    nothing was readable). Raises :class:`~mtqa.errors.UsageError` for inputs or settings of
    another type (as :func:`~mtqa.pipeline.run_check`), another format or
    engine, and what :func:`mtqa.pipeline.prepare_run` raises.
    """
    t0 = time.perf_counter()
    inputs, settings = as_inputs(inputs), as_settings(settings)
    if fmt not in STREAM_FORMATS:
        raise UsageError(f"{named('fmt', repr(fmt))}: choose one of {', '.join(STREAM_FORMATS)}")
    if settings.engine != "local":
        raise UsageError(
            f"{named_value('engine', settings.engine)} writes through an output folder, and a "
            f"stream has none: write the reports into a folder ({named('outdir', 'DIR')}) or "
            f"use {named_value('engine', 'local')}"
        )
    det = prepare_run(settings, scorer_factory)
    summary = RunSummary(outdir=Path("-"))
    if progress:
        progress("total", count_sentences(inputs, settings, stdin))
    docs = _documents(read_documents(inputs, settings, stdin), summary, failure_hook)
    first = next(docs, None)
    if first is None:
        summary.seconds = time.perf_counter() - t0
        return summary
    scorer = scorer_factory(settings)
    det.check_model(scorer.signature())
    summary.signature = signature(scorer.signature(), settings.dtype, settings, det.detector_id)
    writer = writer_class(fmt).to_stream(
        out, {"signature": summary.signature, "settings": settings.as_dict()}
    )
    keep = selecting(settings, det)

    def put(_doc: Document, result: DocumentResult) -> None:
        result = keep(result)
        summary.add(result)
        writer.write(result)
        if progress:
            progress("sentences", len(result.sentences))
            progress("docs", 1)

    on_tokens = (lambda n: progress("tokens", n)) if progress else None
    engine = engine_class("local")(settings, det, lambda _s: scorer, on_tokens)
    engine.score(itertools.chain([first], docs), put)
    writer.finish()
    summary.outputs = [Path("-")]
    summary.seconds = time.perf_counter() - t0
    return summary
