"""Document → sentences with offsets.

Policy:

* A sentence never crosses a line end: LF, CR, and the other line and paragraph
  separators (VT, FF, FS, GS, RS, NEL, U+2028, U+2029: :data:`mtqa.text.LINE_BREAKS`);
  a headline stays its own sentence.
* Within a line, a sentence ends after ``.``/``!``/``?``/``…`` (with any closing quotes
  or brackets) when whitespace and then an upper-case letter (of any script: ``Škoda``,
  ``Ωmega``, ``Он``), a digit or an opening quote or bracket follow; and after a CJK
  ``。``/``！``/``？`` (with its closing quotes) before any further text, space or not
  (``他说。我们走了。`` is two sentences).
* A full stop followed by a lower-case word is *not* a break: that is a broken join the
  detector must see whole (``the United States. is``).
* After an abbreviation (the one list, :data:`mtqa.text.ABBREVIATIONS`), as its kind
  says: never after ``Mr.``, ``St.``, ``e.g.`` (``inner``); after ``Inc.``, ``etc.``,
  ``U.S.``, ``Ph.D.`` or an initial (``E.``, ``I.``) only before a common sentence
  opener (``either``, :data:`mtqa.text.SENTENCE_STARTERS`: ``The``, ``It``, ``How``…);
  after ``No.``, ``pp.``, ``et al.``, ``km.`` not before a number (``number``). So
  ``the No. 2 grocer``, ``Moreau et al. [2004] showed``, ``Chen et al. (2019) agreed``,
  ``Acme Inc. as an engineer`` and ``7 a.m. on weekdays`` stay whole, while
  ``in the U.S. How about you?`` and ``He said no. Then he left.`` are cut.
* A full stop inside a token (``info.desk@city-hall.org``, ``budget.v2.pdf``) is
  never a break (no space follows it); the last one of a URL, e-mail address or file
  name is a plain full stop (:func:`mtqa.text.abbreviation_kind`).
* A list marker that opens a sentence (``1.``, ``2.)``, ``a.``, ``• 9.``) is not a
  sentence; an ellipsis in brackets (``[...]``, an omission) and a spaced three-dot
  ellipsis (``the thing is . . . I didn’t``) are not ends; four spaced dots are.

Sentences are stripped of surrounding whitespace, never overlap and appear in document
order. Every step is linear in the line's length. A line is read in NFC and its sentences
mapped back to the text as read (:class:`mtqa.text.Composed`), so a decomposed accent
(``É. Macron`` as ``E`` + U+0301) cuts as the composed one does.

**pySBD's English "Golden Rules"** (48 cases, ``tests/test_segment_rules.py`` runs them
all): 40 give pySBD's answer. Taken: abbreviations before a capital, a number or a
bracket (1–20, except the one pySBD fails too), URLs and e-mail addresses (22, 23),
quotes (24–26), ``!!``/``?!`` (27–30), list markers that open a sentence (32, 34, 36),
``N°. 1026.253.553.`` (40), ``Yahoo! in`` (41), ``you and I. Did`` (42), ellipses (43–47).
Not taken, and why:

* 18, ``6 P.M. Mr. Smith``: telling a time from a name needs more than an opener list
  (pySBD fails it too);
* 31, 33, 35, 37, 38, ``1.) The first item 2.) The second item``: a list marker in the
  middle of a line looks like a number ending a sentence (``in 2019. The``); pySBD
  counts the markers (1, 2, 3…) to tell them apart, a heuristic we leave out;
* 39, ``a. The first item b. The second item``: a lower-case letter before a full stop
  stays an abbreviation or a page marker (``p. 55``), never a break;
* 48, ``compounds. . . . The practice``: pySBD moves the ellipsis to the next sentence
  (``. . . The practice``); we end the sentence after all four dots.
"""

from __future__ import annotations

import re

import regex

from mtqa.records import Document, Sentence
from mtqa.text import LINE_BREAKS, SENTENCE_STARTERS, Composed, abbreviation_kind

_LINE = re.compile(f"[^{LINE_BREAKS}]+")
# A break is a whole run of end marks (the lookbehind and possessive quantifiers keep a
# long run of dots linear: no retry at each position inside it, no backtracking); a run
# just inside "[" is an editorial omission ("[...]"), not an end.
# The next sentence starts with a capital of any script (Latin, Greek, Cyrillic...) or a
# digit; after a CJK full stop, exclamation or question mark (。！？) it needs no space.
_BREAK = regex.compile(
    r"(?<![.!?…\[])[.!?…]++[\"'”’»)\]]*+(?=\s+[\"'“‘«(\[]?[\p{Lu}\p{Lt}0-9])"
    r"|[。！？]++[」』”’）)]*+(?=\s*[^\s。！？])"
)
_CLOSERS = "\"'”’»)]"
_STARTER = re.compile(
    r"\s+[\"'“‘«(\[]?(?:" + "|".join(sorted(SENTENCE_STARTERS)) + r")(?![\w.'’-])"
)
_NUMBER_NEXT = re.compile(r"\s+[(\[]?\d")  # No. 2, et al. (2019), et al. [2004]
_MARKER = re.compile(r"[•‣◦⁃∙·*–—-]?\s*(?:\d{1,3}|[A-Za-z])")  # 1. / a. / • 9. / ⁃10.


def _spaced_ellipsis(line: str, dot: int) -> bool:
    """Whether the full stop at ``dot`` ends ``. . .`` standing apart from the word
    before (an omission inside a sentence), rather than four dots or ``word. . .``."""
    i, dots = dot, 1
    while i >= 2 and line[i - 1] == " " and line[i - 2] == ".":
        i, dots = i - 2, dots + 1
    return dots == 3 and (i == 0 or line[i - 1].isspace())


def _is_break(line: str, start: int, m: regex.Match[str]) -> bool:
    """Whether the end marks of ``m`` end the sentence that began at ``start``."""
    marks = m.group().rstrip(_CLOSERS)
    if marks != ".":
        return True
    dot = m.start()
    if dot - start <= 16 and _MARKER.fullmatch(line[start:dot].strip()):
        return False  # a list marker opening the sentence: "1. The first item"
    if _spaced_ellipsis(line, dot):
        return False
    kind = abbreviation_kind(line, dot)
    if kind is None:
        return True
    if kind == "number":
        return _NUMBER_NEXT.match(line, m.end()) is None
    return kind == "either" and _STARTER.match(line, m.end()) is not None


def split_line(line: str) -> list[tuple[int, int]]:
    """Sentence spans (start, end) within one line, whitespace-trimmed."""
    spans: list[tuple[int, int]] = []
    start = 0
    for m in _BREAK.finditer(line):
        if _is_break(line, start, m):
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
    """The sentences of ``doc`` in order, numbered from 1, with document offsets (each line
    split in NFC: module docstring)."""
    sentences: list[Sentence] = []
    for lm in _LINE.finditer(doc.text):
        line = Composed(lm.group())
        for s, e in split_line(line.text):
            a, b = line.span(s, e)
            start, end = lm.start() + a, lm.start() + b
            sentences.append(
                Sentence(doc.doc_id, len(sentences) + 1, start, end, doc.text[start:end])
            )
    return sentences
