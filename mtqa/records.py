"""Typed records that flow through the pipeline (the stdlib and :mod:`mtqa.errors` only).

All offsets are Python character offsets into the *document text as read*
(UTF-8 decoded, a leading BOM removed, line ends untouched), end-exclusive, so
``document.text[start:end] == record.text`` always holds.

:data:`Severity` is the one severity scale: a :class:`Span` is ``minor`` or ``major``
(never ``none``); a sentence or document is ``none`` when it has no span, else its
worst span's severity. :class:`Counts` is the one place that counts flagged and major
sentences (the run summary, ``report.html`` and ``summary.csv`` all use it).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import ClassVar, Literal, NoReturn

from mtqa.errors import RecordError

Severity = Literal["none", "minor", "major"]
SEVERITY_RANK: dict[str, int] = {"none": 0, "minor": 1, "major": 2}
Value = float | str | None  # a metric cell: a number, a label, or empty
Metrics = tuple[tuple[str, Value], ...]  # (column, value) pairs in column order


def worst_severity(severities: Iterable[Severity]) -> Severity:
    """The highest of ``severities`` (``none`` for none at all)."""
    worst: Severity = "none"
    for s in severities:
        if SEVERITY_RANK[s] > SEVERITY_RANK[worst]:
            worst = s
    return worst


class _Record:
    """One record, not a sequence: ``record[0]``, ``len(record)``, ``for x in record`` and
    ``x in record`` raise a :class:`~mtqa.errors.RecordError` that says what to read
    instead (:attr:`_READ`), where Python would say only that it cannot; a record is true.
    (No ``__iter__``: pandas would take a record for a list, and ``pd.DataFrame(spans)``
    makes one row per record.)"""

    __slots__ = ()
    _READ: ClassVar[str] = ""

    def _not_a_sequence(self) -> NoReturn:
        name = type(self).__name__
        raise RecordError(
            f"a {name} is one record, not a sequence: it has no items, length or members; "
            f"{self._READ}"
        )

    def __getitem__(self, key: object) -> NoReturn:
        self._not_a_sequence()

    def __len__(self) -> NoReturn:
        self._not_a_sequence()

    def __contains__(self, item: object) -> NoReturn:
        self._not_a_sequence()

    def __bool__(self) -> bool:
        return True


@dataclass(frozen=True)
class Document(_Record):
    """One unit of input: a whole .txt article, one jsonl/tsv/csv record, one translation
    unit, or a text given to the Python API (``Document("a", "The text.")``).

    ``doc_id``: its id in the reports (a string, unique in a run); ``text``: the target to
    check; ``path``: where it was read from (the file; ``<stdin>``; ``texts[3]`` for an
    API item), shown in messages and used to find the file an annotated copy belongs to,
    ``""`` for a Document made in Python; ``line``: its 1-based line (jsonl, po) or row
    (tsv/csv) there; ``source``/``reference``: its source text and human reference, if
    any (the source checks and chrF/BLEU/TER use them).
    """

    _READ: ClassVar[str] = "read its fields (document.doc_id, .text, .source, .reference)"

    doc_id: str
    text: str
    path: str = ""
    line: int | None = None  # 1-based line (jsonl) or row (tsv/csv) in the input file
    source: str | None = None
    reference: str | None = None


@dataclass(frozen=True)
class Sentence:
    """A sentence of a document: ``index`` is 1-based, offsets are document offsets."""

    doc_id: str
    index: int
    start: int
    end: int
    text: str


@dataclass(frozen=True)
class TokenScore:
    """One LM token: its character span and how surprising it was (bits).

    ``rank`` and ``pmax`` describe the model's prediction where the token stands: how many
    vocabulary entries had a strictly higher logit than the token (0: it was the model's
    first choice) and the probability of the most likely token. Both default to 0 for
    scores made by hand (tests); every scorer fills them.
    """

    start: int
    end: int
    surprisal: float
    entropy: float  # entropy (bits) of the model's prediction at this position
    rank: int = 0  # 0-based rank of the token in the model's distribution (strictly higher logits)
    pmax: float = 0.0  # probability of the most likely token at this position
    #: where the token is a watched word (a preposition, :data:`mtqa.lm.base.PREPOSITIONS`,
    #: or a word of :data:`mtqa.lm.base.AGREEMENT_PAIRS`): the likeliest other preposition,
    #: or the other word of the pair, there ("" elsewhere) and its surprisal (bits)
    alt: str = ""
    alt_surprisal: float = 0.0
    #: where the LM gave another token at least :data:`mtqa.lm.base.EXPECT_PMAX` of its
    #: probability (``pmax``): that token's text (" the"), what it expected here ("" elsewhere)
    expected: str = ""
    #: the surprisal (bits) of the next token read in this one's place, as if this token
    #: were deleted (the LM's prediction here; None: unknown, e.g. a window's last token)
    dropped: float | None = None


#: :attr:`WordScore.kind` values that are no word: a punctuation mark and a symbol (an
#: emoji) never start a sentence's words (:mod:`mtqa.features`) and never break a run of
#: flagged words (:func:`mtqa.detect.detect_lm`)
NOT_WORDS = frozenset({"punct", "symbol"})


@dataclass(frozen=True)
class WordScore:
    """A word, number, punctuation mark or symbol (an emoji: :mod:`mtqa.align`) with the
    summed surprisal of its tokens."""

    start: int
    end: int
    text: str
    surprisal: float  # bits, sum over the tokens that start inside the word
    n_tokens: int
    entropy: float  # bits, entropy of the prediction at the word's first token
    kind: Literal["word", "number", "punct", "symbol"]
    rank: int = 0  # rank of the word's first token in the LM's prediction (0: its first choice)
    pmax: float = 0.0  # probability of the LM's most likely token at the word's first token
    smax: float = 0.0  # bits, the largest surprisal among the word's tokens
    alt: str = ""  # the first token's ``alt`` (:class:`TokenScore`): the other word there
    alt_surprisal: float = 0.0  # bits, its surprisal there
    expected: str = ""  # the first token's ``expected`` (:class:`TokenScore`), probability pmax
    #: bits, a one-token word's deletion read off the main pass: its surprisal plus the next
    #: item's first token's, less that token's where this one stands (:attr:`TokenScore.dropped`);
    #: how much likelier the two tokens get without the word (0.0: unknown, or not one token)
    drop_gain: float = 0.0


@dataclass(frozen=True)
class Span(_Record):
    """A flagged stretch of a document: what, how bad, how sure, who said so and why.

    ``severity`` is ``minor`` or ``major``; ``score`` is a confidence in [0, 1];
    ``source`` is ``lm`` or ``rule:<check id>``; ``reason`` is one line for a reviewer.
    ``suggestion`` is a proposed replacement for exactly ``text`` (``""``: delete it;
    None: no suggestion); ``gain`` is how many bits more likely the sentence becomes
    under the LM with the suggestion applied (None when the fix is not the LM's).
    """

    _READ: ClassVar[str] = (
        "read its fields (span.text, .start, .end, .severity, .source, .reason, .suggestion)"
    )

    start: int
    end: int
    text: str
    severity: Severity
    score: float
    source: str
    reason: str
    suggestion: str | None = None
    gain: float | None = None


@dataclass(frozen=True)
class SentenceResult(_Record):
    """One sentence as reported: LM statistics, its spans, score and severity."""

    _READ: ClassVar[str] = (
        "its spans are sentence.spans (sentence.spans[0], len(sentence.spans)), its text "
        ".text (document offsets .start to .end)"
    )

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
    metrics: Metrics = ()  # extra columns (reference metrics, source checks)
    words: tuple[WordScore, ...] = field(default=(), compare=False, repr=False)
    #: the detector's feature rows of ``words`` (:data:`mtqa.features.FEATURES`), to score
    #: the sentence again when its spans change; empty when read back from a store
    rows: tuple[tuple[float, ...], ...] = field(default=(), compare=False, repr=False)

    @property
    def flagged(self) -> bool:
        """Whether the sentence has at least one span."""
        return self.severity != "none"


@dataclass(frozen=True, repr=False)
class DocumentResult(_Record):
    """One document as reported: its sentences in order, notes and document metrics.

    Its repr is short (the id, counts and the text's start), whatever its length."""

    _READ: ClassVar[str] = (
        "its sentences are document.sentences (document.sentences[0]), its spans "
        "document.spans, its text .text"
    )

    doc_id: str
    path: str
    text: str
    sentences: tuple[SentenceResult, ...]
    notes: tuple[str, ...] = ()  # document-level remarks (e.g. "no source given")
    metrics: Metrics = ()

    def __repr__(self) -> str:
        c = self.counts
        head = repr(self.text[:40] + "…" if len(self.text) > 40 else self.text)
        return (
            f"DocumentResult(doc_id={self.doc_id!r}, {c.sentences} sentence(s), "
            f"{c.flagged} flagged ({c.major} major), {len(self.spans)} span(s), "
            f"text={head} ({len(self.text)} characters))"
        )

    @property
    def spans(self) -> tuple[Span, ...]:
        """Every span of the document, sentence by sentence."""
        return tuple(s for sent in self.sentences for s in sent.spans)

    @property
    def score(self) -> float:
        """The worst sentence score (0.0 for a document without sentences)."""
        return max((s.score for s in self.sentences), default=0.0)

    @property
    def severity(self) -> Severity:
        """The worst sentence severity."""
        return worst_severity(s.severity for s in self.sentences)

    @property
    def n_tokens(self) -> int:
        """LM tokens over all sentences."""
        return sum(s.n_tokens for s in self.sentences)

    @property
    def counts(self) -> Counts:
        """This document's :class:`Counts`."""
        return Counts.of(self)


@dataclass(frozen=True)
class Counts(_Record):
    """Documents, sentences, flagged and major sentences, tokens; added up with ``+``.

    ``flagged_documents``: documents with at least one flagged sentence.
    """

    _READ: ClassVar[str] = (
        "read its fields (counts.documents, .flagged_documents, .sentences, .flagged, "
        ".major, .tokens)"
    )

    documents: int = 0
    flagged_documents: int = 0
    sentences: int = 0
    flagged: int = 0
    major: int = 0
    tokens: int = 0

    @classmethod
    def of(cls, result: DocumentResult) -> Counts:
        """The counts of one document."""
        sents = result.sentences
        flagged = sum(1 for s in sents if s.flagged)
        return cls(
            documents=1,
            flagged_documents=1 if flagged else 0,
            sentences=len(sents),
            flagged=flagged,
            major=sum(1 for s in sents if s.severity == "major"),
            tokens=sum(s.n_tokens for s in sents),
        )

    def __add__(self, other: Counts) -> Counts:
        return Counts(
            self.documents + other.documents,
            self.flagged_documents + other.flagged_documents,
            self.sentences + other.sentences,
            self.flagged + other.flagged,
            self.major + other.major,
            self.tokens + other.tokens,
        )


@dataclass(frozen=True)
class Failure(_Record):
    """An input that could not be processed; the CLI prints ``str(error)``."""

    _READ: ClassVar[str] = (
        "str(failure) is its message with where it stands (texts[1]: ...); .path, .line "
        "and .message its parts"
    )

    path: str
    line: int | None
    message: str

    def __str__(self) -> str:
        where = self.path if self.line is None else f"{self.path}:{self.line}"
        return f"{where}: {self.message}"
