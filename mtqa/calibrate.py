"""``mtqa calibrate``: learn what normal English costs the model, write thresholds.

Clean sentences (one per line) are grouped into pseudo-documents of
``lines_per_doc`` lines so each sentence is scored with document context, as in
``mtqa check``. The word surprisal distribution gives the thresholds.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from mtqa.align import align
from mtqa.detect import calibration_path, fit_calibration
from mtqa.errors import InputError
from mtqa.lm.base import Scorer
from mtqa.readers import decode
from mtqa.settings import Settings
from mtqa.store import atomic_write


def clean_documents(path: str, lines_per_doc: int = 10, limit: int = 0) -> list[str]:
    p = Path(path)
    if not p.is_file():
        raise InputError(path, None, "no such file; pass clean English text, one sentence per line")
    lines = [ln for ln in decode(p.read_bytes(), path).splitlines() if ln.strip()]
    if limit:
        lines = lines[:limit]
    if not lines:
        raise InputError(path, None, "no text lines to calibrate on")
    return ["\n".join(lines[i : i + lines_per_doc]) for i in range(0, len(lines), lines_per_doc)]


def word_surprisals(docs: list[str], scorer: Scorer, batch_size: int) -> list[float]:
    out: list[float] = []
    for text, toks in zip(docs, scorer.score(docs, batch_size=batch_size)):
        out.extend(w.surprisal for w in align(text, toks) if w.kind != "punct")
    return out


def calibrate(
    clean: str,
    settings: Settings,
    scorer_factory: Callable[[Settings], Scorer],
    output: str | None = None,
    lines_per_doc: int = 10,
    limit: int = 0,
) -> Path:
    docs = clean_documents(clean, lines_per_doc, limit)
    scorer = scorer_factory(settings)
    cal = fit_calibration(
        word_surprisals(docs, scorer, settings.batch_size),
        model=scorer.signature(),
        source=f"{Path(clean).name} ({sum(d.count(chr(10)) + 1 for d in docs)} lines)",
    )
    path = Path(output) if output else calibration_path(settings.model)
    atomic_write(path, cal.to_json() + "\n")
    return path
