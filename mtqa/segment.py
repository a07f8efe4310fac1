"""Document → sentences with offsets.

Policy: a sentence never crosses a line end (a headline stays its own sentence);
within a line, a sentence ends after ``.``/``!``/``?``/``…`` (with any closing
quotes or brackets) when whitespace and then an upper-case letter, a digit or an
opening quote follow, unless the word before the period is a known abbreviation
(``Mr.``, ``Dr.``, ``U.S.``...: :data:`mtqa.text.NO_BREAK_AFTER`) or an initial. A
period followed by a lower-case word is *not* a break: that is a broken join the
detector should see whole.
Sentences are stripped of surrounding whitespace, never overlap and appear in
document order.
"""

from __future__ import annotations

import re

from mtqa.records import Document, Sentence
from mtqa.text import NO_BREAK_AFTER

_LINE = re.compile(r"[^\r\n]+")
# A break is a whole run of end marks (the lookbehind and possessive quantifiers keep a
# long run of dots linear: no retry at each position inside it, no backtracking).
_BREAK = re.compile(r"(?<![.!?…])[.!?…]++[\"'”’»)\]]*+(?=\s+[\"'“‘«(\[]?[A-Z0-9À-ÖØ-Þ])")


def _word_before(line: str, dot: int) -> str:
    """The run of word characters and dots ending at ``dot`` (scanned back: linear)."""
    i = dot
    while i > 0 and (line[i - 1].isalnum() or line[i - 1] in "_."):
        i -= 1
    return line[i:dot]


def _is_abbreviation(line: str, dot: int) -> bool:
    word = _word_before(line, dot).lower().rstrip(".")
    if not word:
        return False
    return word in NO_BREAK_AFTER or (len(word) == 1 and word.isalpha())


def split_line(line: str) -> list[tuple[int, int]]:
    """Sentence spans (start, end) within one line, whitespace-trimmed."""
    spans: list[tuple[int, int]] = []
    start = 0
    for m in _BREAK.finditer(line):
        if m.group()[0] == "." and len(m.group().rstrip("\"'”’»)]")) == 1:
            if _is_abbreviation(line, m.start()):
                continue
        spans.append((start, m.end()))
        start = m.end()
    spans.append((start, len(line)))
    out = []
    for s, e in spans:
        chunk = line[s:e]
        lead = len(chunk) - len(chunk.lstrip())
        trail = len(chunk) - len(chunk.rstrip())
        if e - trail > s + lead:
            out.append((s + lead, e - trail))
    return out


def segment(doc: Document) -> list[Sentence]:
    """The sentences of ``doc`` in order, numbered from 1, with document offsets."""
    sentences: list[Sentence] = []
    for lm in _LINE.finditer(doc.text):
        for s, e in split_line(lm.group()):
            start, end = lm.start() + s, lm.start() + e
            sentences.append(
                Sentence(doc.doc_id, len(sentences) + 1, start, end, doc.text[start:end])
            )
    return sentences
