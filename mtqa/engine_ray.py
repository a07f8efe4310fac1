"""Scale-out with Ray Data: the same check, scored on an actor pool.

The driver reads inputs exactly as the local engine does (failures are reported,
resumed documents skipped), puts the documents in a Ray Dataset, and scores them
with ``map_batches`` on an actor pool: each actor builds its scorer ONCE with the
run's scorer factory (so the factory must be picklable: a module-level function
such as ``mtqa.cli.load_scorer``, or a class), then runs ``check_documents`` on
its batches. Results come back serialised (:func:`mtqa.store.result_to_dict`)
and go into the same ``OUTDIR/.mtqa-parts`` store, from which the normal writers
make the same outputs as a single-process run.

Python::

    from mtqa.engine_ray import run_ray
    from mtqa.settings import Settings
    summary = run_ray(["articles.jsonl"], Settings(), Path("reports/articles"),
                      address=None)  # None: $RAY_ADDRESS, else a local Ray instance

Cluster: only the driver reads inputs and writes OUTDIR; actors get documents and
return results through Ray, so the cluster needs no shared filesystem. Every node
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
fake scorer); with a real model, documents batched differently may differ by float
noise in the last digits (padding), as between two ``--batch-size`` values.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import math
import os
from collections.abc import Callable, Iterable, Iterator
from itertools import islice
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mtqa.detect import Calibration
from mtqa.errors import UsageError
from mtqa.records import Document, DocumentResult
from mtqa.settings import Settings
from mtqa.store import result_from_dict, result_to_dict

if TYPE_CHECKING:
    from mtqa.pipeline import Progress, RunSummary, ScorerFactory

log = logging.getLogger(__name__)

#: documents per Ray Dataset: bounds the driver's memory (each block starts a fresh pool)
BLOCK_DOCS = 10_000
#: documents per map_batches call (one length-sorted scorer pass over them)
BATCH_DOCS = 64


def run_ray(
    inputs: list[str],
    settings: Settings,
    outdir: Path,
    address: str | None = None,
    scorer_factory: ScorerFactory | None = None,
    progress: Progress | None = None,
) -> RunSummary:
    """``mtqa check --engine ray``: read, score on Ray actors, write the normal outputs.

    ``address``: a Ray cluster (``ray://host:10001`` or ``auto``); None uses
    ``$RAY_ADDRESS`` or starts a local instance (or reuses an initialised one).
    ``scorer_factory`` defaults to :func:`mtqa.cli.load_scorer`.
    """
    from mtqa.pipeline import run_check

    if scorer_factory is None:
        from mtqa.cli import load_scorer

        scorer_factory = load_scorer
    settings = dataclasses.replace(
        settings, engine="ray", ray_address=address or settings.ray_address
    )
    return run_check(inputs, settings, outdir, scorer_factory, progress)


class ScoreBatch:
    """The ``map_batches`` callable: one scorer per actor, built once."""

    def __init__(self, settings: Settings, cal: Calibration, factory: ScorerFactory) -> None:
        self.scorer = factory(settings)
        self.model = self.scorer.signature()
        cal.check_model(self.model)
        self.cal = cal
        self.batch_size = settings.batch_size

    def __call__(self, batch: dict[str, Any]) -> dict[str, Any]:
        import numpy as np

        from mtqa.pipeline import check_documents

        docs = [Document(**json.loads(str(x))) for x in batch["doc"]]
        results = check_documents(docs, self.scorer, self.cal, self.batch_size)
        return {
            "index": np.asarray(batch["index"]),
            "result": np.array(
                [json.dumps(result_to_dict(r), ensure_ascii=False) for r in results], dtype=object
            ),
            "model": np.array([self.model] * len(results), dtype=object),
        }


def connect(address: str | None) -> None:
    """Join ``address`` / ``$RAY_ADDRESS``, else start a local Ray (unless one is up)."""
    try:
        import ray
    except ImportError:
        raise UsageError(
            "--engine ray needs Ray Data: pip install 'mtqa[ray]' (or 'ray[data]')"
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
        raise UsageError("--device cuda: the Ray cluster has no GPU; use --device cpu or auto")
    else:
        actors, cpus, per_gpu = max(1, int(res.get("CPU", 1))), 1.0, 0.0
    if settings.ray_actors:
        actors = settings.ray_actors
    return max(1, min(actors, n_batches)), cpus, per_gpu


def score_ray(
    docs: Iterable[Document],
    settings: Settings,
    cal: Calibration,
    scorer_factory: ScorerFactory,
    put: Callable[[Document, DocumentResult], None],
) -> str | None:
    """Score ``docs`` on a Ray actor pool, ``put`` each result; the model signature
    (None when there was nothing to score)."""
    connect(settings.ray_address)
    import ray.data

    ctx = ray.data.DataContext.get_current()
    ctx.enable_progress_bars = False
    model: str | None = None
    it: Iterator[Document] = iter(docs)
    while block := list(islice(it, BLOCK_DOCS)):
        per_call = max(1, min(BATCH_DOCS, math.ceil(len(block) / _pool(settings, len(block))[0])))
        actors, cpus, gpus = _pool(settings, math.ceil(len(block) / per_call))
        rows = [
            {"index": i, "doc": json.dumps(dataclasses.asdict(d), ensure_ascii=False)}
            for i, d in enumerate(block)
        ]
        ds = ray.data.from_items(rows, override_num_blocks=math.ceil(len(block) / per_call))
        scored = ds.map_batches(
            ScoreBatch,
            fn_constructor_args=(settings, cal, scorer_factory),
            compute=ray.data.ActorPoolStrategy(size=actors),
            batch_size=per_call,
            batch_format="numpy",
            num_cpus=cpus,
            num_gpus=gpus,
        )
        log.info("ray: %d documents on %d actor(s), %d per call", len(block), actors, per_call)
        for row in scored.iter_rows():
            put(block[int(row["index"])], result_from_dict(json.loads(str(row["result"]))))
            model = model or str(row["model"])
    return model
