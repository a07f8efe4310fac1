"""Sentence splitting against pySBD's English "Golden Rules", and issue 15's cases.

``GOLDEN`` is the English golden-rule table of pySBD (nipunsadvilkar/pySBD,
``tests/lang/test_english.py``, MIT licence; from the Pragmatic Segmenter), in its order:
rule *n* is ``GOLDEN[n - 1]``. The rules mtqa takes must give pySBD's sentences; the
others (``NOT_TAKEN``) give ours, and ``mtqa/segment.py``'s docstring says why.
"""

from __future__ import annotations

import re

import pytest

from mtqa.checks.target import BrokenJoin
from mtqa.records import Document
from mtqa.segment import segment, split_line
from mtqa.text import ABBREVIATION_KINDS, ABBREVIATIONS, LINE_BREAKS

GOLDEN = [
    ("Hello World. My name is Jonas.", ["Hello World.", "My name is Jonas."]),
    ("What is your name? My name is Jonas.", ["What is your name?", "My name is Jonas."]),
    ("There it is! I found it.", ["There it is!", "I found it."]),
    ("My name is Jonas E. Smith.", ["My name is Jonas E. Smith."]),
    ("Please turn to p. 55.", ["Please turn to p. 55."]),
    ("Were Jane and co. at the party?", ["Were Jane and co. at the party?"]),
    (
        "They closed the deal with Pitt, Briggs & Co. at noon.",
        ["They closed the deal with Pitt, Briggs & Co. at noon."],
    ),
    ("Let's ask Jane and co. They should know.", ["Let's ask Jane and co.", "They should know."]),
    (
        "They closed the deal with Pitt, Briggs & Co. It closed yesterday.",
        ["They closed the deal with Pitt, Briggs & Co.", "It closed yesterday."],
    ),
    ("I can see Mt. Fuji from here.", ["I can see Mt. Fuji from here."]),
    (
        "St. Michael's Church is on 5th st. near the light.",
        ["St. Michael's Church is on 5th st. near the light."],
    ),
    ("That is JFK Jr.'s book.", ["That is JFK Jr.'s book."]),
    ("I visited the U.S.A. last year.", ["I visited the U.S.A. last year."]),
    ("I live in the E.U. How about you?", ["I live in the E.U.", "How about you?"]),
    ("I live in the U.S. How about you?", ["I live in the U.S.", "How about you?"]),
    (
        "I work for the U.S. Government in Virginia.",
        ["I work for the U.S. Government in Virginia."],
    ),
    ("I have lived in the U.S. for 20 years.", ["I have lived in the U.S. for 20 years."]),
    (
        "At 5 a.m. Mr. Smith went to the bank. He left the bank at 6 P.M. Mr. Smith then went to the store.",
        [
            "At 5 a.m. Mr. Smith went to the bank.",
            "He left the bank at 6 P.M.",
            "Mr. Smith then went to the store.",
        ],
    ),
    ("She has $100.00 in her bag.", ["She has $100.00 in her bag."]),
    ("She has $100.00. It is in her bag.", ["She has $100.00.", "It is in her bag."]),
    (
        "He teaches science (He previously worked for 5 years as an engineer.) at the local University.",
        [
            "He teaches science (He previously worked for 5 years as an engineer.) at the local University."
        ],
    ),
    (
        "Her email is Jane.Doe@example.com. I sent her an email.",
        ["Her email is Jane.Doe@example.com.", "I sent her an email."],
    ),
    (
        "The site is: https://www.example.50.com/new-site/awesome_content.html. Please check it out.",
        [
            "The site is: https://www.example.50.com/new-site/awesome_content.html.",
            "Please check it out.",
        ],
    ),
    (
        "She turned to him, 'This is great.' she said.",
        ["She turned to him, 'This is great.' she said."],
    ),
    (
        'She turned to him, "This is great." she said.',
        ['She turned to him, "This is great." she said.'],
    ),
    (
        'She turned to him, "This is great." She held the book out to show him.',
        ['She turned to him, "This is great."', "She held the book out to show him."],
    ),
    ("Hello!! Long time no see.", ["Hello!!", "Long time no see."]),
    ("Hello?? Who is there?", ["Hello??", "Who is there?"]),
    ("Hello!? Is that you?", ["Hello!?", "Is that you?"]),
    ("Hello?! Is that you?", ["Hello?!", "Is that you?"]),
    ("1.) The first item 2.) The second item", ["1.) The first item", "2.) The second item"]),
    ("1.) The first item. 2.) The second item.", ["1.) The first item.", "2.) The second item."]),
    ("1) The first item 2) The second item", ["1) The first item", "2) The second item"]),
    ("1) The first item. 2) The second item.", ["1) The first item.", "2) The second item."]),
    ("1. The first item 2. The second item", ["1. The first item", "2. The second item"]),
    ("1. The first item. 2. The second item.", ["1. The first item.", "2. The second item."]),
    ("• 9. The first item • 10. The second item", ["• 9. The first item", "• 10. The second item"]),
    ("⁃9. The first item ⁃10. The second item", ["⁃9. The first item", "⁃10. The second item"]),
    (
        "a. The first item b. The second item c. The third list item",
        ["a. The first item", "b. The second item", "c. The third list item"],
    ),
    (
        "You can find it at N°. 1026.253.553. That is where the treasure is.",
        ["You can find it at N°. 1026.253.553.", "That is where the treasure is."],
    ),
    (
        "She works at Yahoo! in the accounting department.",
        ["She works at Yahoo! in the accounting department."],
    ),
    (
        "We make a good team, you and I. Did you see Albert I. Jones yesterday?",
        ["We make a good team, you and I.", "Did you see Albert I. Jones yesterday?"],
    ),
    (
        "Thoreau argues that by simplifying one’s life, “the laws of the universe will appear less complex. . . .”",
        [
            "Thoreau argues that by simplifying one’s life, “the laws of the universe will appear less complex. . . .”"
        ],
    ),
    (
        '"Bohr [...] used the analogy of parallel stairways [...]" (Smith 55).',
        ['"Bohr [...] used the analogy of parallel stairways [...]" (Smith 55).'],
    ),
    (
        "If words are left off at the end of a sentence, and that is all that is omitted, indicate the omission with ellipsis marks (preceded and followed by a space) and then indicate the end of the sentence with a period . . . . Next sentence.",
        [
            "If words are left off at the end of a sentence, and that is all that is omitted, indicate the omission with ellipsis marks (preceded and followed by a space) and then indicate the end of the sentence with a period . . . .",
            "Next sentence.",
        ],
    ),
    (
        "I never meant that.... She left the store.",
        ["I never meant that....", "She left the store."],
    ),
    (
        "I wasn’t really ... well, what I mean...see . . . what I'm saying, the thing is . . . I didn’t mean it.",
        [
            "I wasn’t really ... well, what I mean...see . . . what I'm saying, the thing is . . . I didn’t mean it."
        ],
    ),
    (
        "One further habit which was somewhat weakened . . . was that of combining words into self-interpreting compounds. . . . The practice was not abandoned. . . .",
        [
            "One further habit which was somewhat weakened . . . was that of combining words into self-interpreting compounds.",
            ". . . The practice was not abandoned. . . .",
        ],
    ),
]

# rule number -> what mtqa gives instead (mtqa/segment.py says why each is not taken)
NOT_TAKEN = {
    18: [
        "At 5 a.m. Mr. Smith went to the bank.",
        "He left the bank at 6 P.M. Mr. Smith then went to the store.",
    ],
    31: ["1.) The first item 2.)", "The second item"],
    33: ["1) The first item 2) The second item"],
    35: ["1. The first item 2.", "The second item"],
    37: ["• 9. The first item • 10.", "The second item"],
    38: ["⁃9. The first item ⁃10.", "The second item"],
    39: ["a. The first item b. The second item c. The third list item"],
    48: [
        "One further habit which was somewhat weakened . . . was that of combining words "
        "into self-interpreting compounds. . . .",
        "The practice was not abandoned. . . .",
    ],
}


def sentences(text: str) -> list[str]:
    return [s.text for s in segment(Document("d", text, "p"))]


@pytest.mark.parametrize("n", range(1, len(GOLDEN) + 1))
def test_pysbd_golden_rule(n: int) -> None:
    text, pysbd = GOLDEN[n - 1]
    assert sentences(text) == NOT_TAKEN.get(n, pysbd)


def test_golden_rules_taken() -> None:
    assert len(GOLDEN) == 48 and len(GOLDEN) - len(NOT_TAKEN) == 40


ISSUE_15 = [
    (
        "The chain is the No. 2 grocer in Ohio and the No. 3 grocer in Texas.",
        ["The chain is the No. 2 grocer in Ohio and the No. 3 grocer in Texas."],
    ),
    (
        "As Moreau et al. [2004] showed, the effect is small.",
        ["As Moreau et al. [2004] showed, the effect is small."],
    ),
    ("Later work by Chen et al. (2019) agreed.", ["Later work by Chen et al. (2019) agreed."]),
    # a full stop inside a token is no sentence end; the token's last one is a plain stop
    (
        "See https://www.city-hall.org. The office opens at 7 a.m. on weekdays.",
        ["See https://www.city-hall.org.", "The office opens at 7 a.m. on weekdays."],
    ),
    (
        "Write to info.desk@city-hall.org. Staff reply within a day.",
        ["Write to info.desk@city-hall.org.", "Staff reply within a day."],
    ),
    ("Open budget.v2.pdf. It lists the costs.", ["Open budget.v2.pdf.", "It lists the costs."]),
    (
        "Mail info.desk@city-hall.org or open budget.v2.pdf for details.",
        ["Mail info.desk@city-hall.org or open budget.v2.pdf for details."],
    ),
    ("She holds a Ph.D. in chemistry.", ["She holds a Ph.D. in chemistry."]),
    ("He joined Acme Inc. as an engineer.", ["He joined Acme Inc. as an engineer."]),
    ("Pay for travel, eg. Flights and hotels.", ["Pay for travel, eg. Flights and hotels."]),
    # the same abbreviations where a sentence does end
    (
        "Apple Inc. The deal closed. He said no. Then he left.",
        ["Apple Inc.", "The deal closed.", "He said no.", "Then he left."],
    ),
    ("Samsung Electronics Co. Ltd. said so.", ["Samsung Electronics Co. Ltd. said so."]),
    # a broken join stays whole, whatever comes before the full stop
    ("They met in the U.S. in June. is rebel.", ["They met in the U.S. in June. is rebel."]),
]


@pytest.mark.parametrize("text,expected", ISSUE_15, ids=[t[:30] for t, _ in ISSUE_15])
def test_issue_15_sentences(text: str, expected: list[str]) -> None:
    assert sentences(text) == expected


@pytest.mark.parametrize("sep", list(LINE_BREAKS) + ["\r\n"], ids=lambda c: f"U+{ord(c[0]):04X}")
def test_every_line_separator_ends_a_sentence(sep: str) -> None:
    text = f"Storm warning for the coast{sep}Schools stay shut on Monday"
    sents = segment(Document("d", text, "p"))
    assert [s.text for s in sents] == ["Storm warning for the coast", "Schools stay shut on Monday"]
    assert all(text[s.start : s.end] == s.text for s in sents)


def test_line_separators_are_those_of_splitlines() -> None:
    everything = "".join(chr(c) for c in range(0x3000))
    assert set(LINE_BREAKS) == {c for c in everything if len(f"a{c}b".splitlines()) == 2}


def test_one_abbreviation_list_for_segmenter_and_broken_join() -> None:
    import mtqa.text

    assert not hasattr(mtqa.text, "ALSO_SENTENCE_ENDS") and not hasattr(mtqa.text, "NO_BREAK_AFTER")
    assert ABBREVIATIONS == frozenset(ABBREVIATION_KINDS)
    assert set(ABBREVIATION_KINDS.values()) == {"inner", "either", "number"}
    join = BrokenJoin()
    for abbr in sorted(ABBREVIATIONS):
        if not re.fullmatch(r"[a-z.]+", abbr):
            continue
        text = f"They met the {abbr}. delegates on Monday."  # never a broken join
        assert list(join.find(text)) == [], abbr


def test_linear_time_on_many_candidate_breaks() -> None:
    text = "No. 1 et al. (2) N. Y. " * 20_000
    assert len(split_line(text)) == 1
