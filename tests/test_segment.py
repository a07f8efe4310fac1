"""Segmenter policy, table-driven: expected sentences for each input."""

from __future__ import annotations

import pytest

from mtqa.records import Document
from mtqa.segment import segment

CASES = [
    (
        "two lines never merge",
        "First line without stop\nSecond line.",
        ["First line without stop", "Second line."],
    ),
    (
        "Mr. is no break",
        "Before meeting Mr. Lavrov, Mr. Blinken spoke.",
        ["Before meeting Mr. Lavrov, Mr. Blinken spoke."],
    ),
    ("two sentences", "He left. She stayed.", ["He left.", "She stayed."]),
    ("closing quote stays", "He said “no.” Then he left.", ["He said “no.”", "Then he left."]),
    (
        "opening quote starts next",
        "It ended. “We know,” he said.",
        ["It ended.", "“We know,” he said."],
    ),
    (
        "broken join kept whole",
        "in the United States. is rebel from Ukraine.",
        ["in the United States. is rebel from Ukraine."],
    ),
    ("stray dot kept", "on this subject. .", ["on this subject. ."]),
    ("initials", "J. R. Smith arrived.", ["J. R. Smith arrived."]),
    ("U.S. abbreviation", "The U.S. Army came. It won.", ["The U.S. Army came.", "It won."]),
    # a short form that always has something after it is no end, whatever follows
    (
        "reference short forms",
        "The invoice (ref. INV-2024-0042) totals USD 1,250.00. Call tel. 555 or ext. 204.",
        ["The invoice (ref. INV-2024-0042) totals USD 1,250.00.", "Call tel. 555 or ext. 204."],
    ),
    (
        "units before a number or a word",
        "Add 2 tbsp. of oil. Bake 20 min. Then serve 1 tsp. 4 times.",
        ["Add 2 tbsp. of oil.", "Bake 20 min.", "Then serve 1 tsp. 4 times."],
    ),
    ("question and exclamation", "Why? Because! Yes.", ["Why?", "Because!", "Yes."]),
    ("CRLF", "One.\r\nTwo.\r\n", ["One.", "Two."]),
    ("lone CR", "One.\rTwo.", ["One.", "Two."]),
    ("blank lines and spaces", "  \n\n  Padded.  \n", ["Padded."]),
    ("digits after stop", "It rose. 13,000 died.", ["It rose.", "13,000 died."]),
    # a capital of any script starts the next sentence (it was A-Z and À-Þ only)
    (
        "Latin Extended capital",
        "He left. Škoda said. Łódź too.",
        ["He left.", "Škoda said.", "Łódź too."],
    ),
    (
        "Cyrillic and Greek",
        "Он сказал. Он ушёл. Ω is last.",
        ["Он сказал.", "Он ушёл.", "Ω is last."],
    ),
    # CJK full stops, exclamation and question marks end a sentence without a space
    ("CJK full stop", "他说。我们走了！好吗？好。", ["他说。", "我们走了！", "好吗？", "好。"]),
    ("CJK closing quote", "他说：“走。”我们走了。", ["他说：“走。”", "我们走了。"]),
    ("CJK then English", "未翻译。 The rest.", ["未翻译。", "The rest."]),
]


@pytest.mark.parametrize("name,text,expected", CASES, ids=[c[0] for c in CASES])
def test_segment(name: str, text: str, expected: list[str]) -> None:
    sents = segment(Document("d", text, "p"))
    assert [s.text for s in sents] == expected
    for i, s in enumerate(sents, start=1):
        assert s.index == i
        assert text[s.start : s.end] == s.text


def test_seed_sentences_stay_within_lines(shared_dir) -> None:  # type: ignore[no-untyped-def]
    text = (shared_dir / "seed" / "article.txt").read_text(encoding="utf-8")
    sents = segment(Document("seed", text, "p"))
    assert all("\n" not in s.text for s in sents)
    assert len(sents) >= len(text.splitlines())
