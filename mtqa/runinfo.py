"""A run's bookkeeping: the output folder and resume key, the summary, and ``run.json``.

``run.json`` holds the signature, the settings, the counts, the reference and source
tallies, the failures, the translation units skipped (with their reasons) and the
timings; its ``resume_key`` (the settings that change
scores, and the detector) decides whether a rerun in the same folder may resume.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from mtqa.conditioned import SKIPPED_PREFIX
from mtqa.detect import Detector
from mtqa.errors import OutputError, named
from mtqa.io import Skipped
from mtqa.records import SEVERITY_RANK, Counts, DocumentResult, Failure, Span
from mtqa.settings import Settings
from mtqa.store import PARTS, ResultStore, atomic_write
from mtqa.text import without_surrogates
from mtqa.version import __version__

WORST = 5  # spans the CLI shows after a run


@lru_cache(maxsize=1)
def code_fingerprint() -> str:
    """sha256 (12 hex digits) of the installed ``mtqa`` package's files (code and data,
    sorted by path; caches left out), so a run stored by other code at the same version is
    not resumed into this one's."""
    root = Path(__file__).resolve().parent
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc":
            digest.update(path.relative_to(root).as_posix().encode("utf-8") + b"\0")
            digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()[:12]


def resume_key(settings: Settings, det: Detector) -> str:
    """The scoring settings, the detector id and the code fingerprint as one JSON string
    (sorted keys)."""
    return json.dumps(
        {
            "version": __version__,
            "code": code_fingerprint(),
            **settings.scoring_key(),
            "cal": det.detector_id,
        },
        sort_keys=True,
    )


def create_outdir(outdir: Path) -> list[Path]:
    """Create the output folder (or check the one there); the folders made, deepest first.

    Raises :class:`~mtqa.errors.OutputError` when it is a file, cannot be created or is
    not writable.
    """
    if outdir.exists() and not outdir.is_dir():
        raise OutputError(
            f"{outdir}: exists and is not a folder; choose another with {named('outdir')}"
        )
    made = []
    p = outdir
    while not p.exists() and p != p.parent:
        made.append(p)
        p = p.parent
    try:
        outdir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(
            f"{outdir}: cannot create the output folder ({exc.strerror}); choose another with "
            f"{named('outdir')}"
        ) from None
    if not os.access(outdir, os.W_OK | os.X_OK):
        raise OutputError(
            f"{outdir}: output folder is not writable; choose another with {named('outdir')}"
        )
    return made


#: the settings that change results, as named in run.json's "settings" (a message names
#: each as its user does: :func:`~mtqa.errors.named`)
_SCORING = (
    "model",
    "dtype",
    "window",
    "overlap",
    "text_field",
    "id_field",
    "encoding_errors",
    "calibration",
    "glossary",
    "select",
    "ignore",
    "suggest",
    "edit_budget",
    "source_lm",
)


def _option(name: str, was: Any, now: Any) -> str:
    """``--window 1024 -> 512``, ``--no-source-lm off -> on``, ``--select all -> lm`` (the
    API's: ``window 1024 -> 512``, ``source_lm True -> False``)."""
    option = named(name)
    if option.startswith("--no-"):  # a switch its option turns off
        return f"{option} {'off' if was else 'on'} -> {'off' if now else 'on'}"

    def shown(v: Any) -> str:
        if isinstance(v, list | tuple):
            return ",".join(map(str, v)) or ("all" if name == "select" else "none")
        return "none" if v is None else str(v)

    return f"{option} {shown(was)} -> {shown(now)}"


def _differences(old: Any, old_key: Any, settings: Settings, key: str) -> str:
    """`` (--window 1024 -> 512, ...)`` for the result-changing options that differ from a
    stored run's (run.json ``settings``), then mtqa's version, code and detector when they
    differ (from its ``resume_key``; a key with no code fingerprint was stored by an older
    mtqa); empty when none can be named."""
    new = settings.as_dict()
    diff = (
        [_option(k, old[k], new[k]) for k in _SCORING if k in old and old[k] != new[k]]
        if isinstance(old, dict)
        else []
    )
    try:
        was, now = json.loads(old_key), json.loads(key)
    except (TypeError, ValueError):
        was, now = {}, {}
    if isinstance(was, dict) and isinstance(now, dict):
        names = {"version": "mtqa version", "code": "mtqa code", "cal": "detector"}
        diff += [
            f"{name} {was[k]} -> {now[k]}"
            for k, name in names.items()
            if k in was and k in now and was[k] != now[k]
        ]
        if "code" not in was and "code" in now:
            diff.append("stored by an older mtqa, without a code fingerprint")
    return f" ({', '.join(diff)})" if diff else ""


def input_keys(inputs: Sequence[str], outdir: Path) -> list[str]:
    """``inputs`` as ``run.json`` keeps them: each path relative to ``outdir`` (POSIX
    separators, resolved, so ``a.txt`` and ``./a.txt`` are one input), ``-`` for standard
    input, sorted and without repeats (the same inputs in another order are the same run);
    a name that is not UTF-8 is kept printable (:func:`mtqa.text.without_surrogates`). A
    path that cannot be resolved (a symbolic link loop, reported as a failed input) keeps
    the part that could be."""
    base = outdir.resolve()
    keys = {
        "-"
        if i == "-"
        else without_surrogates(Path(os.path.relpath(os.path.realpath(i), base)).as_posix())
        for i in inputs
    }
    return sorted(keys)


#: in ``.mtqa-parts``: the run writing the folder (its resume key, settings and inputs, as
#: ``run.json`` keeps them), from its start until its ``run.json`` stands; what a rerun
#: after Ctrl-C or a kill is compared with, since that run wrote no ``run.json`` (or the
#: one there is an earlier run's, which ``--overwrite`` was replacing)
PENDING = "run.pending"


def _stored_run(path: Path) -> tuple[Any, dict[str, Any], Any] | None:
    """A ``run.json`` (or :data:`PENDING`) file's resume key, settings and inputs; None
    when there is no such file; (None, {}, None) when it cannot be read."""
    if not path.is_file():
        return None
    try:
        stored = json.loads(path.read_text(encoding="utf-8"))
        return stored.get("resume_key"), stored.get("settings") or {}, stored.get("inputs")
    except (OSError, ValueError, AttributeError):
        return None, {}, None


def check_outdir(outdir: Path, settings: Settings, key: str, inputs: Sequence[str]) -> bool:
    """Refuse a folder holding a run with another resume key, or the reports of other
    ``inputs`` (:func:`input_keys`; a ``run.json`` without them is not compared), without
    ``--overwrite``. Then mark the folder as this run's (:data:`PENDING`). Raises
    :class:`~mtqa.errors.OutputError`. Returns whether this run replaces the stored
    results (``--overwrite``, unless it resumes its own interrupted run): the caller sets
    them aside (:func:`mtqa.store.set_aside`) until its reports stand.

    The run compared with is the one that last wrote here: an interrupted run's
    :data:`PENDING` record when there is one (its results are in ``.mtqa-parts``), else
    ``run.json``. So a rerun of an interrupted command resumes it, with ``--overwrite``
    too (its results are not an earlier run's), and another command is refused before
    it drops them.
    """
    mine = input_keys(inputs, outdir)
    pending = _stored_run(outdir / PARTS / PENDING)
    stored = pending if pending is not None else _stored_run(outdir / "run.json")
    what = "an interrupted run" if pending is not None else "a run"
    overwrite, elsewhere = named("overwrite", True), f"choose another folder with {named('outdir')}"
    fix = (
        f"rerun its command to resume it, pass {overwrite} to replace it"
        if pending is not None
        else f"pass {overwrite} to replace it"
    )
    resuming = stored is not None and stored[0] == key and stored[2] in (None, mine)
    if stored is not None and not settings.overwrite:
        old, old_settings, old_inputs = stored
        if old != key:
            differ = _differences(old_settings, old, settings, key)
            raise OutputError(
                f"{outdir}: holds {what} with other settings{differ}; {fix} or {elsewhere}"
            )
        if isinstance(old_inputs, list) and old_inputs != mine:
            shown = ", ".join(
                "-" if k == "-" else os.path.relpath(outdir / str(k)) for k in old_inputs
            )
            if pending is None:
                raise OutputError(
                    f"{outdir}: holds the reports of other inputs ({shown}); pass "
                    f"{overwrite} to replace them or {elsewhere}"
                )
            raise OutputError(
                f"{outdir}: holds an interrupted run of other inputs ({shown}); {fix} or "
                f"{elsewhere}"
            )
    record = {"resume_key": key, "settings": settings.as_dict(), "inputs": mine}
    atomic_write(outdir / PARTS / PENDING, json.dumps(record, ensure_ascii=False) + "\n")
    return settings.overwrite and not (pending is not None and resuming)


def stored_model_sig(store: ResultStore) -> str | None:
    """The model signature kept with the stored results, else the one in the ``run.json``
    beside them (same resume key: :func:`check_outdir` checked), else None."""
    found = store.model()
    if found is not None:
        return found
    try:
        run = json.loads((store.dir.parent / "run.json").read_text(encoding="utf-8"))
        return str(run["model"]) if run.get("resume_key") == store.resume_key else None
    except (OSError, ValueError, KeyError, AttributeError):
        return None


@dataclass
class RunSummary:
    """What ``run_check`` did: counts, failures, the files written, the worst spans.

    ``worst``: up to :data:`WORST` (rank, doc id, span), worst first (rank: severity rank
    plus the span's score).
    """

    outdir: Path
    counts: Counts = Counts()
    resumed: int = 0
    failures: list[Failure] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    outputs: list[Path] = field(default_factory=list)
    worst: list[tuple[float, str, Span]] = field(default_factory=list)
    signature: str = ""
    seconds: float = 0.0
    source_lm_skipped: int = 0  # documents with a source judged without the conditioned pass
    notices: list[str] = field(default_factory=list)  # the writers' lines for people

    @property
    def documents(self) -> int:
        """Documents reported (scored now or resumed)."""
        return self.counts.documents

    @property
    def sentences(self) -> int:
        """Sentences reported."""
        return self.counts.sentences

    @property
    def flagged(self) -> int:
        """Sentences with at least one span."""
        return self.counts.flagged

    @property
    def major(self) -> int:
        """Sentences with a major span."""
        return self.counts.major

    @property
    def tokens(self) -> int:
        """LM tokens over all sentences."""
        return self.counts.tokens

    def add(self, result: DocumentResult) -> None:
        """Count one reported document and keep its worst spans if they rank."""
        self.counts += result.counts
        if any(n.startswith(SKIPPED_PREFIX) for n in result.notes):
            self.source_lm_skipped += 1
        for s in result.sentences:
            if s.spans:  # the worst span of each sentence
                sp = max(s.spans, key=lambda x: (SEVERITY_RANK[x.severity], x.score))
                self.worst.append((sp.score + SEVERITY_RANK[sp.severity], result.doc_id, sp))
        self.worst = sorted(self.worst, key=lambda x: -x[0])[:WORST]


def run_record(
    summary: RunSummary,
    settings: Settings,
    det: Detector,
    model_sig: str,
    key: str,
    tallies: dict[str, Any],
    timings: dict[str, float],
    inputs: Sequence[str] = (),
) -> dict[str, Any]:
    """The body of ``run.json`` after its signature (keys in their file order).

    ``tallies``: the run's ``references`` and ``sources`` dicts; ``timings``: seconds;
    ``inputs``: as given (kept as :func:`input_keys` makes them, relative to the folder).
    """
    c = summary.counts
    return {
        "mtqa_version": __version__,
        "model": model_sig,
        "dtype": settings.dtype,
        "context": "document",
        "calibration": {
            "id": det.detector_id,
            "minor_bits": det.minor,
            "major_bits": det.major,
            "source": det.source,
            "model": det.model,
            "file": settings.calibration or f"mtqa/data/detectors/{settings.model}.json",
        },
        "settings": settings.as_dict(),
        "resume_key": key,
        "inputs": input_keys(inputs, summary.outdir),
        "counts": {
            "documents": c.documents,
            "sentences": c.sentences,
            "flagged": c.flagged,
            "major": c.major,
            "tokens": c.tokens,
            "resumed": summary.resumed,
            "failures": len(summary.failures),
            "skipped": len(summary.skipped),
            "source_lm_skipped": summary.source_lm_skipped,
        },
        "references": tallies["references"],
        "sources": tallies["sources"],
        "failures": [str(f) for f in summary.failures],
        "skipped": [str(s) for s in summary.skipped],
        "timings": {k: round(v, 3) for k, v in timings.items()}
        | {"total": round(summary.seconds, 3)},
    }


def write_run_json(outdir: Path, run: dict[str, Any]) -> Path:
    """Write ``run.json`` (atomically); its path."""
    path = outdir / "run.json"
    atomic_write(path, json.dumps(run, indent=1, ensure_ascii=False) + "\n")
    return path
