"""Pair a document's sentences with the matching parts of its source or reference.

Both sides are split with :mod:`mtqa.segment`. The finest level that lines up wins:

* ``sentence`` — both sides have the same number of sentences: pair them one to one;
* ``line`` — the sentence counts differ but the texts have the same number of lines
  (trailing blank lines ignored) and more than one: pair line *i* with line *i*
  (how a ``--reference``/``--source`` .txt file aligns with a .txt input);
* ``segment`` — otherwise: the whole text against the whole other text.

Stdlib only; used by :mod:`mtqa.checks.references` and :mod:`mtqa.checks.document`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from mtqa.records import Document, Sentence
from mtqa.segment import segment
from mtqa.text import lines

Level = Literal["sentence", "line", "segment"]


@dataclass(frozen=True)
class Unit:
    """Target sentences (0-based indices into the document's sentences) and their counterpart."""

    sentences: tuple[int, ...]
    start: int  # offset of ``target`` in the document text
    target: str  # the target text of the unit (stripped)
    other: str  # the source or reference text of the unit (stripped; may be "")


@dataclass(frozen=True)
class Pairing:
    """How a document's sentences pair with the other text: the level and its units."""

    level: Level
    units: tuple[Unit, ...]


def pair_units(doc: Document, sentences: list[Sentence], other: str) -> Pairing:
    """Pair ``sentences`` (from ``segment(doc)``) with ``other`` at the finest level that aligns."""
    other_sents = segment(Document(doc_id=doc.doc_id, text=other, path=doc.path))
    if sentences and len(other_sents) == len(sentences):
        return Pairing(
            "sentence",
            tuple(
                Unit((i,), s.start, s.text, o.text)
                for i, (s, o) in enumerate(zip(sentences, other_sents, strict=True))
            ),
        )
    t_lines, o_lines = lines(doc.text), lines(other)
    if len(t_lines) > 1 and len(t_lines) == len(o_lines):
        units = []
        for (ts, te), (os_, oe) in zip(t_lines, o_lines, strict=True):
            idx = tuple(i for i, s in enumerate(sentences) if ts <= s.start <= te)
            if idx:
                line = doc.text[ts:te]
                start = ts + len(line) - len(line.lstrip())
                units.append(Unit(idx, start, line.strip(), other[os_:oe].strip()))
        return Pairing("line", tuple(units))
    lead = len(doc.text) - len(doc.text.lstrip())
    whole = Unit(tuple(range(len(sentences))), lead, doc.text.strip(), other.strip())
    return Pairing("segment", (whole,))


def level_note(side: str, column: str, pairing: Pairing) -> str:
    """The document note saying that ``side`` was compared above sentence level."""
    what = "line by line" if pairing.level == "line" else "on the whole segment"
    return (
        f"{side} and target do not split into the same sentences: {side} compared {what} "
        f"({column}={pairing.level})"
    )
