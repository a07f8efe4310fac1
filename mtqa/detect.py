"""Word scores → LM spans, with calibrated thresholds.

A :class:`Calibration` is a small JSON file in ``models/`` made by ``mtqa calibrate``
from clean English: the distribution of word surprisal (bits) the model assigns to
normal news text, and the thresholds taken from it. Words above the ``minor``
threshold are flagged; adjacent flagged words merge into one span; a span is
``major`` when any of its words passes the ``major`` threshold. A span's score is
the share of clean words that cost less than its worst word.
"""

from __future__ import annotations

import bisect
import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from mtqa.errors import CalibrationError
from mtqa.records import Span, WordScore

MODELS_DIR = Path(__file__).resolve().parent.parent / "models"


@dataclass(frozen=True)
class Calibration:
    model: str  # model signature the numbers were measured with
    minor: float  # bits
    major: float  # bits
    quantiles: tuple[float, ...]  # word surprisal at 0, 0.1, ..., 100 percent (1001 points)
    median: float
    source: str  # what clean text it came from
    n_words: int

    @property
    def calibration_id(self) -> str:
        return f"surprisal:p{self.minor:.1f}/{self.major:.1f}b"

    def percentile(self, bits: float) -> float:
        """Share of clean words (0..1) that cost less than ``bits``."""
        q = self.quantiles
        k = bisect.bisect_left(q, bits)
        return min(1.0, k / (len(q) - 1))

    def to_json(self) -> str:
        return json.dumps(
            {
                "kind": "surprisal-threshold",
                "model": self.model,
                "minor": self.minor,
                "major": self.major,
                "median": self.median,
                "source": self.source,
                "n_words": self.n_words,
                "quantiles": [round(x, 4) for x in self.quantiles],
            },
            indent=1,
        )

    @classmethod
    def from_json(cls, text: str, where: str) -> Calibration:
        try:
            d = json.loads(text)
            return cls(
                model=d["model"],
                minor=float(d["minor"]),
                major=float(d["major"]),
                quantiles=tuple(float(x) for x in d["quantiles"]),
                median=float(d["median"]),
                source=d["source"],
                n_words=int(d["n_words"]),
            )
        except (ValueError, KeyError, TypeError) as exc:
            raise CalibrationError(
                f"{where}: not a valid calibration file ({exc}); rerun `mtqa calibrate`"
            ) from None


def calibration_path(model_name: str) -> Path:
    return MODELS_DIR / f"{model_name}.calibration.json"


def load_calibration(model_name: str, path: str | None = None) -> Calibration:
    p = Path(path) if path else calibration_path(model_name)
    if not p.is_file():
        raise CalibrationError(
            f"{p}: no calibration for model {model_name!r}; run `mtqa calibrate --model "
            f"{model_name} CLEAN.txt` or pass --calibration FILE"
        )
    return Calibration.from_json(p.read_text(encoding="utf-8"), str(p))


def fit_calibration(
    surprisals: Sequence[float],
    model: str,
    source: str,
    minor_pct: float = 99.0,
    major_pct: float = 99.9,
) -> Calibration:
    xs = sorted(surprisals)
    if len(xs) < 100:
        raise CalibrationError(f"{source}: only {len(xs)} words; calibration needs at least 100")

    def pct(p: float) -> float:
        return xs[min(len(xs) - 1, int(round(p / 100 * (len(xs) - 1))))]

    return Calibration(
        model=model,
        minor=pct(minor_pct),
        major=pct(major_pct),
        quantiles=tuple(pct(i / 10) for i in range(1001)),
        median=pct(50),
        source=source,
        n_words=len(xs),
    )


def one_in(bits: float) -> str:
    """Human odds for a surprisal: 21.4 bits → '1 in 2.7 million'."""
    n = 2.0**bits
    for unit, size in (("billion", 1e9), ("million", 1e6), ("thousand", 1e3)):
        if n >= size:
            return f"1 in {n / size:.1f} {unit}"
    return f"1 in {n:.0f}"


def detect_lm(words: Sequence[WordScore], cal: Calibration) -> list[Span]:
    """Flag words above the calibrated threshold; merge neighbours into spans."""
    spans: list[Span] = []
    group: list[WordScore] = []

    def close() -> None:
        if not group:
            return
        worst = max(group, key=lambda w: w.surprisal)
        severity = "major" if worst.surprisal >= cal.major else "minor"
        text_start, text_end = group[0].start, group[-1].end
        spans.append(
            Span(
                start=text_start,
                end=text_end,
                text="",  # filled by the caller, who holds the document text
                severity=severity,
                score=round(cal.percentile(worst.surprisal), 4),
                source="lm",
                reason=(
                    f"unexpected here: {worst.text!r} costs {worst.surprisal:.1f} bits "
                    f"({one_in(worst.surprisal)}); a typical word costs {cal.median:.1f} bits"
                ),
            )
        )
        group.clear()

    for w in words:
        if w.kind != "punct" and w.surprisal >= cal.minor and math.isfinite(w.surprisal):
            group.append(w)
        elif w.kind == "punct" and group:
            continue  # punctuation inside a run of flagged words does not break it
        else:
            close()
    close()
    return spans
