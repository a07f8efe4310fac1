"""Token → word alignment through offsets."""

from __future__ import annotations

import unicodedata

import pytest

from mtqa.align import align, items
from mtqa.records import TokenScore


def tok(text: str, piece: str, start: int, bits: float) -> TokenScore:
    assert text[start : start + len(piece)] == piece
    return TokenScore(start, start + len(piece), bits, 1.0)


def test_subwords_sum_and_punctuation_apart() -> None:
    text = "He insupports “Russia”."
    toks = [
        tok(text, "He", 0, 2.0),
        tok(text, " ins", 2, 10.0),
        tok(text, "upp", 6, 5.0),
        tok(text, "orts", 9, 1.5),
        tok(text, " “", 13, 3.0),
        tok(text, "Russia", 15, 4.0),
        tok(text, "”.", 21, 0.5),
    ]
    words = align(text, toks)
    got = [(w.text, w.kind, w.surprisal, w.n_tokens) for w in words]
    assert got == [
        ("He", "word", 2.0, 1),
        ("insupports", "word", 16.5, 3),
        ("“", "punct", 3.0, 1),
        ("Russia", "word", 4.0, 1),
        ("”", "punct", 0.5, 1),
        (".", "punct", 0.0, 0),  # no token starts here: the "”." token went to the quote
    ]
    for w in words:
        assert text[w.start : w.end] == w.text


@pytest.mark.parametrize(
    "text,expected",
    [
        ("don’t stop", ["don’t", "stop"]),
        ("one-on-one talks", ["one-on-one", "talks"]),
        ("13,000 lives", ["13,000", "lives"]),
        ("3.5% rise", ["3.5", "%", "rise"]),
        ("U.S. troops", ["U", ".", "S", ".", "troops"]),
        ("Kiev’s bid", ["Kiev’s", "bid"]),
        ("café 🙂 naïve", ["café", "🙂", "naïve"]),
    ],
)
def test_items(text: str, expected: list[str]) -> None:
    assert [text[s:e] for s, e, _ in items(text)] == expected


def test_whitespace_tokens_and_range() -> None:
    text = "A b.\nC d."
    toks = [TokenScore(i, i + 1, 1.0, 0.0) for i in range(len(text))]
    words = align(text, toks, 5, 9)  # second line only
    assert [w.text for w in words] == ["C", "d", "."]
    assert sum(w.n_tokens for w in words) == 3  # the spaces and the newline belong to no word


def test_combining_marks_stay_in_their_word() -> None:
    """Decomposed text (NFD) gives the same items as composed text (issue 10.5)."""
    import unicodedata

    from mtqa.align import items

    composed = "Her naïve café, résumé answer."
    decomposed = unicodedata.normalize("NFD", composed)
    words = [decomposed[a:b] for a, b, _ in items(decomposed)]
    assert [unicodedata.normalize("NFC", w) for w in words] == [
        composed[a:b] for a, b, _ in items(composed)
    ]
    assert [k for _, _, k in items(decomposed)] == [k for _, _, k in items(composed)]


@pytest.mark.parametrize("text", ["\u1dc0", "x \u0301\u0302 y", "\u0301abc", ".\u0301x"])
def test_a_combining_mark_with_no_letter_before_it_is_an_item_of_its_own(text: str) -> None:
    """A mark that follows no letter (a text that starts with one, one after a space or a
    full stop) belonged to no item, so its token was counted nowhere (found by the
    property test on ``"\u1dc0"``): every non-space token now lands in one item."""
    from mtqa.lm.fake import FakeScorer

    [tokens] = FakeScorer().score([text])
    words = align(text, tokens)
    scored = sum(1 for t in tokens if text[t.start : t.end].strip())
    assert sum(w.n_tokens for w in words) == scored
    assert all(w.text == text[w.start : w.end] for w in words)
    marks = [w for w in words if unicodedata.combining(w.text[0])]
    assert marks and all(w.kind == "punct" for w in marks)
