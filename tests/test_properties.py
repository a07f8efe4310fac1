"""Property-based tests (hypothesis) over random Unicode documents.

For any text: no crash; sentences are non-empty, in order, never overlap and, with
the whitespace between them, tile the document; every sentence's and span's text is
``document[start:end]``; decoding any bytes either gives text or one InputError.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mtqa.align import align, align_sentences
from mtqa.analyse import analyse
from mtqa.detect import load_detector
from mtqa.errors import InputError
from mtqa.lm.fake import FakeScorer
from mtqa.readers import decode
from mtqa.records import Document
from mtqa.segment import segment

# pieces that exercise the segmenter, the rules and the fake's loud words
PIECES = [
    ". ",
    "! ",
    "? ",
    "… ",
    ".\u201d ",
    "\n",
    "\r\n",
    "\r",
    " Mr. ",
    "U.S. ",
    "e.g. ",
    " massaging ",
    "zz",
    "\u00ab ",
    " \u00bb",
    "\u201c",
    "The ",
    "It ",
    "de la ",
    " l'",
    "13,000 ",
    "https://x.org/a?b=1 ",
    "\u200d",
    "\ufeff",
    "\t",
    "\u2028",
    "\x85",
    "...",
    "  ",
]
documents = st.lists(st.one_of(st.text(max_size=12), st.sampled_from(PIECES)), max_size=40).map(
    "".join
)

SETTINGS = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def check_tiling(text: str, bounds: list[tuple[int, int]]) -> None:
    pos = 0
    for start, end in bounds:
        assert pos <= start < end <= len(text)  # in order, non-empty, no overlap
        assert text[pos:start].strip() == ""  # only whitespace between sentences
        assert text[start:end] == text[start:end].strip()  # trimmed
        pos = end
    assert text[pos:].strip() == ""  # nothing after the last sentence but whitespace


@SETTINGS
@given(text=documents)
def test_sentences_tile_the_document(text: str) -> None:
    sents = segment(Document("d", text, "d.txt"))
    check_tiling(text, [(s.start, s.end) for s in sents])
    for k, s in enumerate(sents, start=1):
        assert s.index == k and s.text == text[s.start : s.end]
    assert bool(sents) == bool(text.strip())


@pytest.fixture(scope="module")
def calibration(fake_calibration: Path):  # type: ignore[no-untyped-def]
    return load_detector("fake", str(fake_calibration))


@SETTINGS
@given(text=documents.filter(lambda t: t.strip() != ""))
def test_analyse_offsets_hold_for_any_text(text: str, calibration) -> None:  # type: ignore[no-untyped-def]
    doc = Document("d", text, "d.txt")
    scorer = FakeScorer(window=32, overlap=8)  # small windows: long texts are windowed
    [tokens] = scorer.score([text], batch_size=3)
    res = analyse(doc, tokens, calibration)
    check_tiling(text, [(s.start, s.end) for s in res.sentences])
    for s in res.sentences:
        assert s.text == text[s.start : s.end]
        assert 0.0 <= s.score <= 1.0 and s.n_tokens >= 0
        for w in s.words:
            assert s.start <= w.start < w.end <= s.end and w.text == text[w.start : w.end]
        for sp in s.spans:
            assert sp.text == text[sp.start : sp.end]
            assert 0 <= sp.start < sp.end <= len(text)
    # all of a document's non-space tokens are counted once, in its sentences
    scored = sum(1 for t in tokens if text[t.start : t.end].strip())
    assert sum(s.n_tokens for s in res.sentences) == scored


@SETTINGS
@given(text=documents)
def test_align_sentences_equals_align_one_by_one(text: str) -> None:
    [tokens] = FakeScorer().score([text])
    bounds = [(s.start, s.end) for s in segment(Document("d", text, "d.txt"))]
    assert align_sentences(text, tokens, bounds) == [align(text, tokens, a, b) for a, b in bounds]


@settings(max_examples=300, deadline=None)
@given(data=st.binary(max_size=64), errors=st.sampled_from(["strict", "replace"]))
def test_decode_any_bytes(data: bytes, errors: str) -> None:
    try:
        text = decode(data, "f.txt", errors)
    except InputError as exc:
        assert exc.path == "f.txt" and "\n" not in exc.message
        if "invalid UTF-8" in exc.message:
            assert errors == "strict" and exc.line is not None
        return
    assert not text.startswith("\ufeff") or data.startswith(b"\xef\xbb\xbf" * 2)
    if errors == "strict":
        assert text.encode("utf-8") == data.removeprefix(b"\xef\xbb\xbf")
