"""Pair a document's sentences with the matching parts of its source or reference.

Both sides are split with :mod:`mtqa.segment`. The finest level that lines up wins:

* ``sentence`` — both sides have the same number of sentences (and, when they are
  line-aligned, the same number on every line): pair them one to one; and a target of
  one sentence (on one line) pairs with the whole other side, however many sentences it
  has (a segment of two Chinese sentences, ``…。…。``, translated as one English one);
* ``line`` — the texts are line-aligned, the same number of lines (trailing blank lines
  ignored) and more than one, but their sentences differ: pair line *i* with line *i*
  (how a ``--reference``/``--source`` .txt file aligns with a .txt input);
* ``segment`` — otherwise: the whole text against the whole other text.

A sentence is never paired across a line end of line-aligned texts: equal sentence
totals spread differently over the lines (``A.⏎B. C.`` against ``A. X.⏎B C.``) pair line
by line, not ``B.`` with ``X.``.

A unit whose other side has no visible character (an empty reference line or cell) is
not a pair: it goes to :attr:`Pairing.empty`, so no metric or check compares a
sentence with nothing. The other way round, a line of line-aligned texts that is empty in
the target while the source or reference has text there (a line left untranslated) goes
to :attr:`Pairing.untranslated`: there is no target sentence to flag, so the callers say
so in a note (and the reference metrics score it as an empty translation).

Stdlib only; used by :mod:`mtqa.checks.references` and :mod:`mtqa.checks.document`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from mtqa.records import Document, Sentence
from mtqa.segment import segment
from mtqa.text import counted, has_visible_text, lines

Level = Literal["sentence", "line", "segment"]


@dataclass(frozen=True)
class Unit:
    """Target sentences (0-based indices into the document's sentences) and their counterpart."""

    sentences: tuple[int, ...]
    start: int  # offset of ``target`` in the document text
    target: str  # the target text of the unit (stripped)
    other: str  # the source or reference text of the unit (stripped; may be "")
    line: int | None = None  # 1-based line of a line-level unit


@dataclass(frozen=True)
class Pairing:
    """How a document's sentences pair with the other text: the level and its units.

    ``units``: the pairs to compare; ``empty``: the units whose other side has no
    visible character (compared with nothing, they are left out); ``untranslated``: the
    lines empty in the target whose other side has text (``sentences`` and ``target``
    empty).
    """

    level: Level
    units: tuple[Unit, ...]
    empty: tuple[Unit, ...] = ()
    untranslated: tuple[Unit, ...] = ()


def _per_line(sentences: list[Sentence], spans: list[tuple[int, int]]) -> list[list[int]]:
    """The indices of the sentences on each line (a sentence never crosses a line end)."""
    out: list[list[int]] = [[] for _ in spans]
    k = 0
    for i, s in enumerate(sentences):
        while k < len(spans) - 1 and s.start > spans[k][1]:
            k += 1
        out[k].append(i)
    return out


def _units(doc: Document, sentences: list[Sentence], other: str) -> tuple[Level, list[Unit]]:
    """The finest level that aligns (the module docstring) and its units."""
    other_sents = segment(Document(doc_id=doc.doc_id, text=other, path=doc.path))
    t_lines, o_lines = lines(doc.text), lines(other)
    aligned = len(t_lines) > 1 and len(t_lines) == len(o_lines)
    t_per_line = _per_line(sentences, t_lines) if aligned else []
    counts = [len(x) for x in t_per_line]
    same = not aligned or counts == [len(x) for x in _per_line(other_sents, o_lines)]
    if sentences and len(other_sents) == len(sentences) and same:
        pairs = zip(sentences, other_sents, strict=True)
        return "sentence", [Unit((i,), s.start, s.text, o.text) for i, (s, o) in enumerate(pairs)]
    if len(sentences) == 1 and not aligned:  # the one sentence against all the other side
        return "sentence", [Unit((0,), sentences[0].start, sentences[0].text, other.strip())]
    if aligned:
        units = []
        for n, ((ts, te), (os_, oe), idx) in enumerate(zip(t_lines, o_lines, t_per_line), 1):
            line = doc.text[ts:te]
            start = ts + len(line) - len(line.lstrip())
            units.append(Unit(tuple(idx), start, line.strip(), other[os_:oe].strip(), n))
        return "line", units
    lead = len(doc.text) - len(doc.text.lstrip())
    whole = Unit(tuple(range(len(sentences))), lead, doc.text.strip(), other.strip())
    return "segment", [whole]


def pair_units(doc: Document, sentences: list[Sentence], other: str) -> Pairing:
    """Pair ``sentences`` (from ``segment(doc)``) with ``other`` at the finest level that
    aligns; units with nothing visible on the other side go to ``empty``."""
    level, units = _units(doc, sentences, other)
    scored = [u for u in units if u.sentences]
    return Pairing(
        level,
        tuple(u for u in scored if has_visible_text(u.other)),
        tuple(u for u in scored if not has_visible_text(u.other)),
        tuple(u for u in units if not u.sentences and has_visible_text(u.other)),
    )


def empty_note(side: str, pairing: Pairing) -> str:
    """Where ``side`` is empty (``line 2, line 5``), and how many units that leaves out."""
    where = ", ".join(
        f"line {u.line}"
        if u.line is not None
        else (f"sentence {u.sentences[0] + 1}" if pairing.level == "sentence" else "the text")
        for u in pairing.empty
    )
    n, total = len(pairing.empty), len(pairing.empty) + len(pairing.units)
    return f"{side} is empty for {where} ({n} of {counted(total, pairing.level)})"


def untranslated_note(side: str, pairing: Pairing) -> str:
    """Where the target is empty and ``side`` is not (``line 2, line 5``)."""
    where = ", ".join(f"line {u.line}" for u in pairing.untranslated)
    n = len(pairing.untranslated)
    total = n + len(pairing.units) + len(pairing.empty)
    return (
        f"target is empty for {where} ({n} of {counted(total, pairing.level)}) where the "
        f"{side} has text: nothing there was translated"
    )


def level_note(side: str, column: str, pairing: Pairing) -> str:
    """The document note saying that ``side`` was compared above sentence level."""
    what = "line by line" if pairing.level == "line" else "on the whole segment"
    return (
        f"{side} and target do not split into the same sentences: {side} compared {what} "
        f"({column}={pairing.level})"
    )
