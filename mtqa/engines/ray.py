"""Scale-out with Ray Data: the same check, scored on an actor pool.

``mtqa check`` reads the inputs in the driver exactly as with the local engine
(failures reported, resumed documents skipped) and hands this engine the documents to
score; it puts them in a Ray Dataset and scores them with ``map_batches`` on an actor
pool: each actor builds its scorer ONCE with the run's scorer factory (so the factory
must be picklable: a module-level function such as :func:`mtqa.lm.load.load_scorer`,
or a class), then runs :func:`mtqa.engines.base.check_documents` on its batches.
Results come back serialised (:func:`mtqa.store.result_to_dict`) and go into the same
``OUTDIR/.mtqa-parts`` store, from which the normal writers make the same outputs as a
single-process run. There is one way in, :func:`mtqa.pipeline.run_check`::

    from mtqa.pipeline import run_check
    from mtqa.settings import Settings
    summary = run_check(["articles.jsonl"], Settings(engine="ray", ray_address=None),
                        Path("reports/articles"))  # None: $RAY_ADDRESS, else a local Ray

Cluster: only the driver reads inputs (the glossary too) and writes OUTDIR; actors get
documents and return results through Ray, so the cluster needs no shared filesystem. Every node
needs mtqa and the model package installed (same versions as the driver), and
``MTQA_CACHE`` on a node-local disk (each node dequantises the GGUF once). Then:

* on a cluster node: ``mtqa check --engine ray --ray-address auto IN -o OUT``
  (or ``RAY_ADDRESS=auto``);
* from elsewhere with Ray Client: ``--ray-address ray://HEAD:10001`` (same Python and
  Ray versions as the cluster);
* as a Ray job (the driver runs on the head node, paths are the head's):
  ``ray job submit --address http://HEAD:8265 -- mtqa check --engine ray IN -o OUT``.

Actors: one per GPU when the cluster has GPUs (``--device auto``), else one per CPU
(``--ray-actors N`` overrides). Outputs equal a single-process run's (tests/test_ray.py,
fake scorer; with a real model too: a window's numbers never depend on the other windows
an actor scores, :attr:`mtqa.lm.base.Scorer.pack_tokens`).
"""

from __future__ import annotations

import dataclasses
import json
import logging
import math
import os
import pickle
import time
from collections.abc import Iterable, Iterator, Mapping
from itertools import islice
from typing import Any

from mtqa.checks.glossary import Glossary, cached_glossary
from mtqa.detect import Detector
from mtqa.engines.base import Engine, Put, check_documents
from mtqa.errors import MtqaError, UsageError, named_value, options_named, wording
from mtqa.lm.load import ScorerFactory
from mtqa.records import Document
from mtqa.settings import Settings
from mtqa.store import result_from_dict, result_to_dict

log = logging.getLogger(__name__)

#: documents per Ray Dataset: bounds the driver's memory (each block starts a fresh pool)
BLOCK_DOCS = 10_000
#: documents per map_batches call (one length-sorted scorer pass over them)
BATCH_DOCS = 64


class ScoreBatch:
    """The ``map_batches`` callable: one scorer per actor, built once.

    Its errors are the driver's: an :class:`~mtqa.errors.MtqaError` raised here (the model
    cannot load on this node, the glossary cannot be read) is worded as the driver's caller
    names settings (``wording``: :func:`mtqa.errors.wording`, ``--model`` on the command
    line, ``model=`` in Python) and comes back in the batch's ``error`` column, pickled, for
    :class:`RayEngine` to raise as itself, one line; Ray would wrap it in an actor error
    holding the actor's traceback."""

    def __init__(
        self,
        settings: Settings,
        det: Detector,
        factory: ScorerFactory,
        glossary: Glossary | None = None,
        wording: Mapping[str, str] | None = None,
    ) -> None:
        self.wording = wording
        self.error: MtqaError | None = None
        with options_named(wording):
            try:
                self.scorer = factory(settings)
                self.model = self.scorer.signature()
                det.check_model(self.model)
            except MtqaError as exc:
                self.error = exc
        self.glossary = glossary  # read by the driver: a node need not hold its file
        self.det = det
        self.batch_size = settings.batch_size
        self.edits = settings.edits
        self.selection = settings.selection
        self.source_lm = settings.source_lm

    def __call__(self, batch: dict[str, Any]) -> dict[str, Any]:
        """Score one batch of serialised documents; their results, serialised, by index."""
        import numpy as np

        n = len(batch["index"])
        error = self.error
        if error is None:
            docs = [Document(**json.loads(str(x))) for x in batch["doc"]]
            with options_named(self.wording):
                try:
                    results = check_documents(
                        docs,
                        self.scorer,
                        self.det,
                        self.batch_size,
                        glossary=self.glossary,
                        edit_budget=self.edits,
                        selection=self.selection,
                        source_lm=self.source_lm,
                    )
                except MtqaError as exc:
                    error = exc
        if error is not None:
            return {
                "index": np.asarray(batch["index"]),
                "result": np.array([""] * n, dtype=object),
                "model": np.array([""] * n, dtype=object),
                "error": np.array([pickle.dumps(error)] * n, dtype=object),
            }
        return {
            "index": np.asarray(batch["index"]),
            "result": np.array(
                [json.dumps(result_to_dict(r), ensure_ascii=False) for r in results], dtype=object
            ),
            "model": np.array([self.model] * n, dtype=object),
            "error": np.array([b""] * n, dtype=object),
        }


def connect(address: str | None) -> None:
    """Join ``address`` / ``$RAY_ADDRESS``, else start a local Ray (unless one is up)."""
    try:
        import ray
    except ImportError:
        raise UsageError(
            f"{named_value('engine', 'ray')} needs Ray Data: pip install 'mtqa[ray]' (or "
            "'ray[data]')"
        ) from None
    if ray.is_initialized():
        return
    address = address or os.environ.get("RAY_ADDRESS") or None
    ray.init(address=address, include_dashboard=False, logging_level=logging.WARNING)


def _pool(settings: Settings, n_batches: int) -> tuple[int, float, float]:
    """(actors, cpus per actor, gpus per actor) from the cluster's resources."""
    import ray

    res = ray.cluster_resources()
    gpus = int(res.get("GPU", 0))
    if gpus and settings.device != "cpu":
        actors, cpus, per_gpu = gpus, 1.0, 1.0
    elif settings.device == "cuda":
        raise UsageError(
            f"{named_value('device', 'cuda')}: the Ray cluster has no GPU; use "
            f"{named_value('device', 'cpu')} or {named_value('device', 'auto')}"
        )
    else:
        actors, cpus, per_gpu = max(1, int(res.get("CPU", 1))), 1.0, 0.0
    if settings.ray_actors:
        actors = settings.ray_actors
    return max(1, min(actors, n_batches)), cpus, per_gpu


class RayEngine(Engine):
    """Scores on a Ray Data actor pool (``--engine ray``); see the module docstring."""

    def score(self, docs: Iterable[Document], put: Put) -> str | None:
        """Score ``docs`` in blocks of :data:`BLOCK_DOCS` on a fresh actor pool each."""
        t = time.perf_counter()
        connect(self.settings.ray_address)
        import ray.data

        ray.data.DataContext.get_current().enable_progress_bars = False
        model: str | None = None
        it: Iterator[Document] = iter(docs)
        while block := list(islice(it, BLOCK_DOCS)):
            block_model = self._score_block(block, put)
            model = model or block_model
        self.timings["score"] = time.perf_counter() - t
        return model

    def _score_block(self, block: list[Document], put: Put) -> str | None:
        import ray.data

        settings = self.settings
        glossary = cached_glossary(settings.glossary) if settings.glossary else None
        per_call = max(1, min(BATCH_DOCS, math.ceil(len(block) / _pool(settings, len(block))[0])))
        actors, cpus, gpus = _pool(settings, math.ceil(len(block) / per_call))
        rows = [
            {"index": i, "doc": json.dumps(dataclasses.asdict(d), ensure_ascii=False)}
            for i, d in enumerate(block)
        ]
        ds = ray.data.from_items(rows, override_num_blocks=math.ceil(len(block) / per_call))
        scored = ds.map_batches(
            ScoreBatch,
            fn_constructor_args=(settings, self.detector, self.scorer_factory, glossary, wording()),
            compute=ray.data.ActorPoolStrategy(size=actors),
            batch_size=per_call,
            batch_format="numpy",
            num_cpus=cpus,
            num_gpus=gpus,
        )
        log.info("ray: %d documents on %d actor(s), %d per call", len(block), actors, per_call)
        model: str | None = None
        for row in scored.iter_rows():
            if row["error"]:  # an actor's MtqaError (ScoreBatch): the run's error
                raise pickle.loads(row["error"])
            put(block[int(row["index"])], result_from_dict(json.loads(str(row["result"]))))
            model = model or str(row["model"])
        return model
