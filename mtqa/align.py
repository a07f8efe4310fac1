r"""Token scores → word scores, through the tokenizer's character offsets.

Words are runs of letters/digits (with inner apostrophes, hyphens, and digit
group separators: ``don’t``, ``one-on-one``, ``13,000``); every other non-space
character is its own punctuation item, so a quote glued to a word is judged
apart from it. A combining mark (any of Unicode's marks, ``\p{M}``, and the zero-width
joiners) belongs to the item it follows, so a decomposed ``é`` is one letter of its word;
marks with no item before them (a text or a word that starts with one) are a punctuation
item of their own, so every token belongs somewhere. An emoji or pictographic symbol
(``\p{Extended_Pictographic}``, a regional indicator, a skin tone, a keycap ``1️⃣``) is a
*symbol* item: its whole grapheme cluster (a ZWJ family, a flag's two regional indicators,
a skin tone and a variation selector after it) is one item, never punctuation
(:func:`mtqa.features.sentence_features` and :func:`mtqa.detect.detect_lm` leave symbols
out of the evidence). A token belongs to the item holding its first non-space character;
an item's surprisal is the sum over its tokens (bits), its entropy the entropy at its first
token. Whitespace-only tokens (line breaks) belong to no item. An item no token starts in
(the ``”`` of a ``,”`` token) costs 0.

The pattern runs on the ``regex`` module (for ``\X`` and the emoji properties) with
classes that are exactly ``re``'s: a word character is ``[\p{L}\p{N}_]`` (``str.isalnum``
or ``_``), a space ``[\s\x1c-\x1f]`` (``str.isspace``).
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Sequence

import regex

from mtqa.records import TokenScore, WordScore
from mtqa.text import EMOJI, RE_SPACE_CHARS, RE_WORD_CHARS

#: what extends the item before it: combining marks and the zero-width (non-)joiner
MARKS = r"\p{M}\u200c\u200d"
_W, _S = RE_WORD_CHARS, RE_SPACE_CHARS
_PLAIN = (
    rf"\d+(?:[.,]\d+)*[{_W}{MARKS}]*"
    rf"|[{_W}][{_W}{MARKS}]*(?:['’\-][{_W}][{_W}{MARKS}]*)*"
    rf"|[^{_W}{_S}{MARKS}][{MARKS}]*"
    rf"|[{MARKS}]+"
)
_ITEM = regex.compile(_PLAIN)
_WITH_EMOJIS = regex.compile(rf"(?P<symbol>[0-9#*]\ufe0f?\u20e3|(?={EMOJI})\X)|{_PLAIN}")
_ANY_EMOJI = regex.compile(rf"{EMOJI}|\u20e3")  # the symbol pattern costs 3x: only if needed


def items(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int, str]]:
    """(start, end, kind) of every item in ``text[start:end]``: kind ``word``, ``number``,
    ``punct`` or ``symbol`` (module docstring)."""
    stop = len(text) if end is None else end
    if _ANY_EMOJI.search(text, start, stop) is None:
        return [(m.start(), m.end(), _kind(m.group())) for m in _ITEM.finditer(text, start, stop)]
    return [
        (m.start(), m.end(), "symbol" if m.start("symbol") >= 0 else _kind(m.group()))
        for m in _WITH_EMOJIS.finditer(text, start, stop)
    ]


def _kind(item: str) -> str:
    c = item[0]
    return "number" if c.isdigit() else "word" if c.isalnum() or c == "_" else "punct"


def _first_char(text: str, tok: TokenScore) -> int:
    """Position of the token's first non-space character, or -1 (whitespace-only token)."""
    p = tok.start
    while p < tok.end and text[p].isspace():
        p += 1
    return p if p < tok.end else -1


class TokenIndex:
    """Tokens of one document sorted by their first non-space character.

    Built once per document (``O(n log n)``) so that aligning each of its sentences
    looks only at the sentence's own tokens: a document of many sentences costs
    ``O(n log n)`` in all, not sentences x tokens.
    """

    def __init__(self, text: str, tokens: Sequence[TokenScore]) -> None:
        firsts = sorted(
            (p, i) for i, tok in enumerate(tokens) if (p := _first_char(text, tok)) >= 0
        )
        self.tokens = tokens
        self.pos = [p for p, _ in firsts]
        self.idx = [i for _, i in firsts]

    def between(self, lo: int, hi: int) -> list[TokenScore]:
        """Tokens whose first non-space character lies in ``[lo, hi)``, in token order."""
        a = bisect.bisect_left(self.pos, lo)
        b = bisect.bisect_left(self.pos, hi)
        return [self.tokens[i] for i in sorted(self.idx[a:b])]


def _words(text: str, tokens: Iterable[TokenScore], start: int, end: int | None) -> list[WordScore]:
    spans = items(text, start, end)
    starts = [s for s, _, _ in spans]
    # surprisal, n_tokens, entropy, rank, pmax (first token), largest token surprisal
    acc: list[list[float]] = [[0.0, 0, -1.0, 0, 0.0, 0.0] for _ in spans]
    firsts: dict[int, TokenScore] = {}  # the word's first token
    lo = start
    hi = len(text) if end is None else end
    for tok in tokens:
        if tok.end <= lo or tok.start >= hi:
            continue
        p = _first_char(text, tok)
        if p < lo or p >= hi:
            continue
        k = bisect.bisect_right(starts, p) - 1
        if k < 0 or p >= spans[k][1]:
            continue
        a = acc[k]
        a[0] += tok.surprisal
        if a[1] == 0:
            a[2], a[3], a[4] = tok.entropy, tok.rank, tok.pmax
            firsts[k] = tok
        a[5] = max(a[5], tok.surprisal)
        a[1] += 1

    def drop_gain(k: int) -> float:
        """Item ``k``'s deletion read off the main pass (:attr:`WordScore.drop_gain`)."""
        tok, nxt = firsts.get(k), firsts.get(k + 1)
        if tok is None or nxt is None or tok.dropped is None or acc[k][1] != 1:
            return 0.0
        if nxt.start != tok.end:  # the next item's first token is not the very next token
            return 0.0
        return tok.surprisal + nxt.surprisal - tok.dropped

    return [
        WordScore(
            start=s,
            end=e,
            text=text[s:e],
            surprisal=a[0],
            n_tokens=int(a[1]),
            entropy=max(a[2], 0.0),
            kind=kind,  # type: ignore[arg-type]
            rank=int(a[3]),
            pmax=a[4],
            smax=a[5],
            alt=firsts[k].alt if k in firsts else "",
            alt_surprisal=firsts[k].alt_surprisal if k in firsts else 0.0,
            expected=firsts[k].expected if k in firsts else "",
            drop_gain=drop_gain(k),
        )
        for k, ((s, e, kind), a) in enumerate(zip(spans, acc))
    ]


def align(
    text: str, tokens: Sequence[TokenScore], start: int = 0, end: int | None = None
) -> list[WordScore]:
    """Word scores for ``text[start:end]`` from the document's token scores."""
    return _words(text, tokens, start, end)


def align_sentences(
    text: str, tokens: Sequence[TokenScore], bounds: Iterable[tuple[int, int]]
) -> list[list[WordScore]]:
    """``align`` for each ``(start, end)`` of one document, in one pass over its tokens."""
    index = TokenIndex(text, tokens)
    return [_words(text, index.between(s, e), s, e) for s, e in bounds]
