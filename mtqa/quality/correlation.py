"""Does the LM's sentence score track chrF? (``mtqa eval`` on a run with references.)"""

from __future__ import annotations

import csv
import math
import os
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from mtqa.errors import InputError
from mtqa.readers.decode import kind


def _ranks(xs: Sequence[float]) -> list[float]:
    order = sorted(range(len(xs)), key=lambda i: xs[i])
    ranks = [0.0] * len(xs)
    i = 0
    while i < len(order):
        j = i
        while j + 1 < len(order) and xs[order[j + 1]] == xs[order[i]]:
            j += 1
        for k in range(i, j + 1):
            ranks[order[k]] = (i + j) / 2 + 1
        i = j + 1
    return ranks


def pearson(xs: Sequence[float], ys: Sequence[float]) -> float | None:
    """Pearson's r of two equal-length samples, rounded to 4 places (None: n < 2 or no variance)."""
    n = len(xs)
    if n < 2:
        return None
    mx, my = sum(xs) / n, sum(ys) / n
    sxy = sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True))
    sxx = sum((x - mx) ** 2 for x in xs)
    syy = sum((y - my) ** 2 for y in ys)
    if sxx == 0 or syy == 0:
        return None
    return round(sxy / math.sqrt(sxx * syy), 4)


def spearman(xs: Sequence[float], ys: Sequence[float]) -> float | None:
    """Spearman's rho: Pearson's r on the ranks (ties get their mean rank)."""
    return pearson(_ranks(xs), _ranks(ys))


def _sentence_rows(path: Path) -> Iterator[dict[str, str]]:
    """The rows of a run's ``sentences.csv``; an :class:`~mtqa.errors.InputError` naming
    the file when it is missing or unreadable."""
    if not os.path.lexists(path):
        where = "no such folder" if not path.parent.is_dir() else "no sentences.csv in it"
        raise InputError(
            str(path.parent),
            None,
            f"{where}; pass the output folder of a `mtqa check --reference FILE` run",
        )
    if not path.is_file():  # a folder, a FIFO (never opened: it would block), a broken link
        what = (
            "a folder"
            if path.is_dir()
            else f"not a regular file: {kind(path.stat().st_mode)}"
            if path.exists()
            else "a link to nothing"
        )
        raise InputError(str(path), None, f"cannot read the table ({what})")
    try:
        with path.open(encoding="utf-8", newline="") as fh:
            yield from csv.DictReader(fh)
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        why = (
            (exc.strerror or type(exc).__name__)
            if isinstance(exc, OSError)
            else "not UTF-8 text"
            if isinstance(exc, UnicodeDecodeError)
            else f"not CSV: {exc}"
        )
        raise InputError(str(path), None, f"cannot read the table ({why})") from None


def lm_chrf_correlation(run_dir: str | Path) -> dict[str, Any]:
    """Pearson and Spearman between the LM columns (``score``, ``ppl``) and sentence chrF.

    Reads ``run_dir/sentences.csv``; only rows with ``ref_level == "sentence"`` count
    (line/segment-level chrF is shared by several sentences). A good detector gives a
    negative correlation (more suspicious, lower chrF). Without such rows ``n`` is 0
    and the correlations are ``None``. Raises :class:`~mtqa.errors.InputError` when
    ``run_dir`` holds no readable ``sentences.csv``.
    """
    path = Path(run_dir) / "sentences.csv"
    chrf: list[float] = []
    lm: dict[str, list[float]] = {"score": [], "ppl": []}
    other_level = 0
    for row in _sentence_rows(path):
        if row.get("ref_level") != "sentence":
            other_level += bool(row.get("ref_level"))
            continue
        try:
            values = {k: float(row[k]) for k in lm}
            c = float(row["chrf"])
        except (KeyError, ValueError):
            continue
        chrf.append(c)
        for k in lm:
            lm[k].append(values[k])
    out: dict[str, Any] = {"n": len(chrf), "skipped_line_or_segment_level": other_level}
    for k, xs in lm.items():
        out[k] = {"pearson": pearson(xs, chrf), "spearman": spearman(xs, chrf)}
    if not chrf:
        out["note"] = "no sentence-level chrF in this run (no references, or none aligned)"
    return out


def run_correlation(run_dir: str | Path) -> tuple[dict[str, Any] | None, str | None]:
    """``mtqa eval``'s :func:`lm_chrf_correlation` of a run: None when the run has no
    ``sentences.csv`` (written without the ``csv`` format) or no sentence-level chrF in it;
    with a notice when the file is there but cannot be read. The file is optional (eval
    measures the flags from ``segments.jsonl``), so the evaluation goes on without it."""
    path = Path(run_dir) / "sentences.csv"
    if not os.path.lexists(path):
        return None, None
    try:
        corr = lm_chrf_correlation(run_dir)
    except InputError as exc:
        return None, (
            f"{exc}: the LM score's correlation with chrF is left out of this evaluation (the "
            "flags are measured from segments.jsonl); rerun the same mtqa check to rewrite "
            "sentences.csv from its stored results, without scoring"
        )
    return (corr if corr["n"] else None), None
