"""Typed records that flow through the pipeline (stdlib only).

All offsets are Python character offsets into the *document text as read*
(UTF-8 decoded, a leading BOM removed, line ends untouched), end-exclusive, so
``document.text[start:end] == record.text`` always holds.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Severity = Literal["none", "minor", "major"]
SEVERITY_RANK: dict[str, int] = {"none": 0, "minor": 1, "major": 2}


@dataclass(frozen=True)
class Document:
    """One unit of input: a whole .txt article, or one jsonl/tsv/csv record."""

    doc_id: str
    text: str
    path: str
    line: int | None = None  # 1-based line (jsonl) or row (tsv/csv) in the input file
    source: str | None = None
    reference: str | None = None


@dataclass(frozen=True)
class Sentence:
    doc_id: str
    index: int  # 1-based within its document
    start: int
    end: int
    text: str


@dataclass(frozen=True)
class TokenScore:
    """One LM token: its character span and how surprising it was (bits)."""

    start: int
    end: int
    surprisal: float
    entropy: float  # entropy (bits) of the model's prediction at this position


@dataclass(frozen=True)
class WordScore:
    """A word or punctuation mark with the summed surprisal of its tokens."""

    start: int
    end: int
    text: str
    surprisal: float  # bits, sum over the tokens that start inside the word
    n_tokens: int
    entropy: float  # bits, entropy of the prediction at the word's first token
    kind: Literal["word", "number", "punct"]


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    text: str
    severity: Literal["minor", "major"]
    score: float  # confidence in [0, 1]
    source: str  # "lm" or "rule:<id>"
    reason: str


@dataclass(frozen=True)
class SentenceResult:
    doc_id: str
    sent_id: int
    start: int
    end: int
    text: str
    n_tokens: int
    ppl: float
    score: float
    severity: Severity
    spans: tuple[Span, ...] = ()
    metrics: tuple[
        tuple[str, float | str | None], ...
    ] = ()  # extra columns (reference metrics, ...)
    words: tuple[WordScore, ...] = field(default=(), compare=False, repr=False)

    @property
    def flagged(self) -> bool:
        return self.severity != "none"


@dataclass(frozen=True)
class DocumentResult:
    doc_id: str
    path: str
    text: str
    sentences: tuple[SentenceResult, ...]
    notes: tuple[str, ...] = ()  # document-level remarks (e.g. "no source given")
    metrics: tuple[tuple[str, float | str | None], ...] = ()

    @property
    def spans(self) -> tuple[Span, ...]:
        return tuple(s for sent in self.sentences for s in sent.spans)

    @property
    def score(self) -> float:
        return max((s.score for s in self.sentences), default=0.0)

    @property
    def severity(self) -> Severity:
        worst: Severity = "none"
        for s in self.sentences:
            if SEVERITY_RANK[s.severity] > SEVERITY_RANK[worst]:
                worst = s.severity
        return worst

    @property
    def n_tokens(self) -> int:
        return sum(s.n_tokens for s in self.sentences)


@dataclass(frozen=True)
class Failure:
    """An input that could not be processed; the CLI prints ``str(error)``."""

    path: str
    line: int | None
    message: str

    def __str__(self) -> str:
        where = self.path if self.line is None else f"{self.path}:{self.line}"
        return f"{where}: {self.message}"
