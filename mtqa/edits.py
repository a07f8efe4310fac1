"""Candidate local edits of a sentence: what the LM rescoring tries (LM-Critic style).

LM-Critic (Yasunaga, Leskovec and Liang, "LM-Critic: Language Models for Unsupervised
Grammatical Error Correction", EMNLP 2021) judges a sentence bad when a small local edit
makes it much more probable under the LM. This module proposes the edits; rescoring them
with the document context (:mod:`mtqa.suggest`) finds the best one, whose gain in bits
becomes a detector feature and, for a flagged span, the suggested fix.

At a word the detector finds suspicious, the candidates are:

* ``replace`` by the LM's own top candidates at that position (whole words only);
* ``replace`` by a common English word one or two slips away (false friends and
  non-words: *massaging* → *massing*, *insupports* → *supports*);
* ``delete`` the word (a doubled or an extra word; a number only when doubled);
* ``swap`` it with the next word (French adjective order);
* ``insert`` a function word before it (*the, a, to, of, has, is, that*: dropped words);
* ``join``/``split`` at a full stop before it: *United States. is* → *United States is* or
  *United States. Is*;
* ``calque``: the French calque rewrites (:data:`mtqa.checks.calque.CALQUES`) anywhere in
  the sentence
  (*since three years* → *for three years*, *at the moment where* → *when*).

Every edit replaces exactly ``text[start:end]`` of the document (``start == end`` for an
insertion) with ``replacement``, inside the sentence's bounds: offsets stay sacred.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache

from mtqa.checks.calque import match_case, rewrites
from mtqa.records import WordScore

FUNCTION_WORDS = ("the", "a", "to", "of", "has", "is", "that")
MAX_NEIGHBOURS = 3  # spelling neighbours per word


@dataclass(frozen=True)
class Edit:
    """Replace document ``text[start:end]`` by ``replacement`` (``start == end``: insert).

    ``kind`` says which generator proposed it (``replace``, ``spell``, ``delete``,
    ``swap``, ``insert``, ``join``, ``split``, ``calque``); ``focus`` is the index of the
    word item it was made for (-1 for a calque).
    """

    start: int
    end: int
    replacement: str
    kind: str
    focus: int = -1

    def apply(self, text: str, lo: int, hi: int) -> str:
        """The sentence ``text[lo:hi]`` with the edit applied (the edit lies inside it)."""
        return text[lo : self.start] + self.replacement + text[self.end : hi]


@lru_cache(maxsize=20_000)
def spelling_neighbours(word: str) -> tuple[str, ...]:
    """Common English words one or two slips from ``word`` (most frequent first).

    Symmetric deletions over wordfreq's 30,000 most frequent words (the non-word check's
    index): a letter dropped, added, replaced or two swapped; two such slips for words of
    six letters or more. ``word`` itself is never returned.
    """
    from mtqa.checks.nonword import _deletes, _deletes_index

    index = _deletes_index()
    lw = word.lower()
    forms = {lw: 0} | {d: 1 for d in _deletes(lw)}
    if len(lw) >= 6:
        forms |= {d2: 2 for d in list(forms) for d2 in _deletes(d) if d2 not in forms}
    hits = sorted(
        {(cost + index[f][0], index[f][1], index[f][2]) for f, cost in forms.items() if f in index}
    )
    out: list[str] = []
    for _, _, w in hits:
        if w != lw and w not in out:
            out.append(w)
    return tuple(out[:MAX_NEIGHBOURS])


def _replacements(words: Sequence[WordScore], i: int, lm_words: Sequence[str]) -> Iterator[Edit]:
    """Word ``i`` replaced by the LM's candidates, then by common words a slip or two away."""
    w = words[i]
    if w.kind != "word":
        return
    seen = {w.text.lower()}
    for cand in lm_words:
        if cand.lower() not in seen:
            seen.add(cand.lower())
            yield Edit(w.start, w.end, match_case(cand, w.text), "replace", i)
    word = unicodedata.normalize("NFC", w.text)  # a decomposed accent is no letter to isalpha
    if word.isalpha() and word[1:].islower():
        for cand in spelling_neighbours(word):
            if cand not in seen:
                seen.add(cand)
                yield Edit(w.start, w.end, match_case(cand, w.text), "spell", i)


def _deletion(text: str, words: Sequence[WordScore], i: int) -> Iterator[Edit]:
    """Item ``i`` deleted with the space before it (or after it, at a sentence start);
    alone when it is glued to the item before (never joining two words). A number is
    deleted only right after itself (``12 12 May``): it carries the source's content, and
    a sentence without it is always likelier (``totals USD 1,250.00``, ``221B Baker St``)."""
    w = words[i]
    if w.kind == "number" and (i == 0 or words[i - 1].text != w.text):
        return
    if i > 0 and text[words[i - 1].end : w.start].isspace():
        yield Edit(words[i - 1].end, w.end, "", "delete", i)
    elif i == 0 and len(words) > 1 and text[w.end : words[1].start].isspace():
        yield Edit(w.start, words[1].start, "", "delete", i)
    else:
        yield Edit(w.start, w.end, "", "delete", i)


def _order_and_joins(text: str, words: Sequence[WordScore], i: int) -> Iterator[Edit]:
    """Word ``i`` swapped with the next; a function word inserted before it; the full stop
    before it removed (join) or the word capitalised (split)."""
    w = words[i]
    nxt = words[i + 1] if i + 1 < len(words) else None
    if nxt is not None and w.kind == "word" and nxt.kind == "word":
        gap = text[w.end : nxt.start]
        if gap.isspace():
            yield Edit(w.start, nxt.end, nxt.text + gap + w.text, "swap", i)
    prev = words[i - 1] if i > 0 else None
    if prev is None or w.kind != "word":
        return
    for fw in FUNCTION_WORDS:
        if fw not in (prev.text.lower(), w.text.lower()):
            yield Edit(w.start, w.start, fw + " ", "insert", i)
    if prev.text == "." and w.text[:1].islower():
        yield Edit(prev.start, prev.end, "", "join", i)
        yield Edit(w.start, w.start + 1, w.text[0].upper(), "split", i)


def _word_edits(
    text: str, words: Sequence[WordScore], i: int, lm_words: Sequence[str]
) -> Iterator[Edit]:
    """The edits made for word item ``i`` of a sentence, in a fixed order."""
    yield from _replacements(words, i, lm_words)
    yield from _deletion(text, words, i)
    yield from _order_and_joins(text, words, i)


def candidate_edits(
    text: str,
    bounds: tuple[int, int],
    words: Sequence[WordScore],
    focus: Sequence[int],
    lm_words: Mapping[int, Sequence[str]] | None = None,
) -> list[Edit]:
    """The candidate edits of one sentence ``text[lo:hi]`` (``bounds``), in a fixed order.

    ``words`` are the sentence's items; ``focus`` the indices of the items to edit (the
    most suspicious ones and their neighbours, chosen by the caller within its budget);
    ``lm_words`` the LM's top whole-word candidates at each focus item. Calque rewrites
    are tried over the whole sentence. Duplicate results are dropped; every edit lies
    inside ``bounds`` and changes the sentence.
    """
    lo, hi = bounds
    lm_words = lm_words or {}
    out: list[Edit] = []
    seen: set[str] = set()
    original = text[lo:hi]

    def add(e: Edit) -> None:
        if not (lo <= e.start <= e.end <= hi):
            return
        variant = e.apply(text, lo, hi)
        if variant != original and variant not in seen:
            seen.add(variant)
            out.append(e)

    for i in focus:
        if 0 <= i < len(words):
            for e in _word_edits(text, words, i, lm_words.get(i, ())):
                add(e)
    for start, end, english, _ in rewrites(text, lo, hi):  # the calque table (mtqa.checks.calque)
        add(Edit(start, end, english, "calque"))
    return out
