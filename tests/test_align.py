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


@pytest.mark.parametrize("text", ["\u1dc0", "x \u0301\u0302 y", "\u0301abc"])
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


@pytest.mark.parametrize(
    ("text", "symbol"),
    [
        ("Good 👍🏽 work", "👍🏽"),  # a skin tone
        ("The family 👨\u200d👩\u200d👧 came", "👨\u200d👩\u200d👧"),  # a ZWJ sequence
        ("Go 🇬🇧 now", "🇬🇧"),  # a flag: two regional indicators
        ("Press 1\ufe0f\u20e3 now", "1\ufe0f\u20e3"),  # a keycap
        ("With ❤\ufe0f from", "❤\ufe0f"),  # a variation selector
        ("In 🏴\U000e0067\U000e0062\U000e0073\U000e0063\U000e0074\U000e007f today", None),
        ("the capital of Japan 🎉.", "🎉"),
    ],
)
def test_an_emoji_cluster_is_one_symbol_item(text: str, symbol: str | None) -> None:
    """An emoji with all its grapheme cluster (skin tone, ZWJ, variation selector, keycap,
    a flag's two regional indicators, a tag sequence) is one item of kind ``symbol``, not
    punctuation: its words around it are untouched."""
    from mtqa.text import GRAPHEME

    got = [(text[a:b], k) for a, b, k in items(text)]
    symbols = [t for t, k in got if k == "symbol"]
    assert len(symbols) == 1
    assert symbols[0] == (symbol or text.split()[1])
    assert GRAPHEME.fullmatch(symbols[0])  # one user-perceived character
    assert all(k == "word" or t == "." for t, k in got if k != "symbol")


def test_flags_side_by_side_pair_their_regional_indicators() -> None:
    """Three regional indicators in a row: the first two are a flag, the third its own."""
    text = "🇬🇧🇫🇷🇩"
    assert [(text[a:b], k) for a, b, k in items(text)] == [
        ("🇬🇧", "symbol"),
        ("🇫🇷", "symbol"),
        ("🇩", "symbol"),
    ]


def test_a_mark_after_punctuation_stays_with_it() -> None:
    """A combining mark extends the item before it, a punctuation mark too (one cluster)."""
    text = ".\u0301x"
    assert [(text[a:b], k) for a, b, k in items(text)] == [(".\u0301", "punct"), ("x", "word")]


def test_items_are_re_items_for_every_other_character() -> None:
    """The ``regex`` pattern keeps ``re``'s classes exactly: for every character of the
    Basic Multilingual Plane that is no mark, no joiner and starts no symbol, the items of
    a few contexts are those of the ``re`` pattern used before (code points Python's
    Unicode database leaves unassigned are skipped: ``regex`` may know a newer version)."""
    import re

    import regex

    from mtqa.text import EMOJI

    old_marks = "\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f"
    old = re.compile(
        rf"\d+(?:[.,]\d+)*(?:[\w{old_marks}]*)|\w[\w{old_marks}]*(?:['’\-]\w[\w{old_marks}]*)*"
        rf"|[^\w\s{old_marks}]|[{old_marks}]+"
    )
    symbol = regex.compile(EMOJI)
    for cp in range(0x10000):
        c = chr(cp)
        cat = unicodedata.category(c)
        if cat in ("Cn", "Cs") or cat[0] == "M" or c in "\u200c\u200d" or symbol.match(c):
            continue
        text = f"a{c}b 1{c}2 {c}{c}."
        want = [(m.start(), m.end()) for m in old.finditer(text)]
        assert [(a, b) for a, b, _ in items(text)] == want, hex(cp)
