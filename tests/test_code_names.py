"""Code names in technical English are machine tokens by their form (:mod:`mtqa.machine`).

On 300 docstring sentences of Python's standard library that hold code forms (README,
"Clean English outside news"), 50.7% of the lines got a flag: the LM and the word checks
read ``heappush()``, ``max_size``, ``os.path.join`` and ```spec``` as garbled English. A
form that MT output does not take (an identifier with an underscore, a call's ``()``, a dotted
name that starts in lower case, backquotes) is no language; a bare name (``heappush``) has the
form of an MT non-word (``insupports``) and stays flagged.
"""

from __future__ import annotations

from dataclasses import replace

import pytest

from mtqa.checks import TARGET_CHECKS
from mtqa.detect import Detector, detect_lm
from mtqa.features import sentence_features
from mtqa.machine import machine_tokens
from tests.test_detect import words_of

#: sentence → the machine tokens found in it, one case per kind (from the docstring set)
KINDS = [
    # a call: any (dotted) name with empty brackets
    ("Return the fileno() of the socket.", ["fileno()"]),
    (
        "As returned by SSLSocket.getpeercert() and self.log10().",
        ["SSLSocket.getpeercert()", "self.log10()"],
    ),
    # a short first part before a word a glued join takes: a site (clean_en.txt)
    ("The website bb.is first reported it.", ["bb.is"]),
    # an underscore inside or before a name: snake_case, SHOUTING_CASE, dunders, privates
    (
        "Set max_size or MAX_SIZE via __init__ or _private.",
        ["max_size", "MAX_SIZE", "__init__", "_private"],
    ),
    ("Call __init_subclass__ on it.", ["__init_subclass__"]),
    # a dotted name that starts in lower case (or with a camel-case class, or holds an "_")
    ("Returns self.returncode and os.path.join.", ["self.returncode", "os.path.join"]),
    (
        "Extends RawConfigParser.set and NNTP.__init__ alike.",
        ["RawConfigParser.set", "NNTP.__init__"],
    ),
    (
        "Listed in distutils.command.__all__ and sys._xoptions.",
        ["distutils.command.__all__", "sys._xoptions"],
    ),
    # backquotes: Markdown and reST code, reST roles, the old `name' style
    ("Close the pipe of `self` and ``aclose()``.", ["`self`", "``aclose()``"]),
    (
        "Such as :func:`__init_subclass__` or :class:`Enum`.",
        [":func:`__init_subclass__`", ":class:`Enum`"],
    ),
    ("Add the TarInfo object `tarinfo' to the archive.", ["`tarinfo'"]),
    # quotes or stars around one of the forms above belong to it
    (
        "Affects 'readline()' and \"os.environ\" and *old_node*.",
        ["'readline()'", '"os.environ"', "*old_node*"],
    ),
]

#: forms that stay language: MT output takes them (glued joins, abbreviations, news sites,
#: quoted words raters mark, camel-case names MT invents, bare names like MT non-words)
LANGUAGE = [
    "The conflict in the United States.is rebel.",  # a glued join
    "They signed agreements.For years the deal held.",  # a glued join (MQM 2022)
    "The rebel.is fighting and the rebels said.he would stay; the sentence.and then.",
    "The costs.the plan and the rebel.is.",  # glued joins in lower case, one at the end
    "Xinhua English.news.cn and Ecns.cn reported it.",  # news sites raters mark (MQM 2021)
    "At 7 a.m. the U.S. Ph.D. student met St.Paul officials, e.g. him.",
    "The author(s) and the head coach(HC) met.",  # English brackets
    "The battle against the 'epidemic' and the _italic_ and *emphasis* words.",
    "He said --and then left; see `show w' and `show c' below.",  # a dash; GNU quotes
    "The conflict in theUnited States and NormalDist and CookieJar.",  # camel case
    "Fast version of a heappush followed by a heappop.",  # bare names: like MT non-words
]


@pytest.mark.parametrize(("text", "found"), KINDS)
def test_code_names_are_machine_tokens(text: str, found: list[str]) -> None:
    assert [text[a:b] for a, b in machine_tokens(text)] == found


@pytest.mark.parametrize("text", LANGUAGE)
def test_forms_mt_output_takes_stay_language(text: str) -> None:
    assert machine_tokens(text) == []


DET = Detector("fake", ("s",), (0.0,), (1.0,), (1.0,), -5.5, 0.5, 0.9, "t", 0)


@pytest.mark.parametrize(("text", "found"), KINDS)
def test_no_lm_flag_on_a_code_name_and_still_one_beside_it(text: str, found: list[str]) -> None:
    """Every item of a code name costs 30 bits and gets no flag; an MT non-word right after
    the sentence's first code name (``insupports``) still does."""
    first = found[0]
    cut = text.index(first) + len(first)
    text = f"{text[:cut]} insupports{text[cut:]}"
    code = [(text.index(f), text.index(f) + len(f)) for f in found]
    words = [
        replace(w, surprisal=30.0)
        if w.text == "insupports" or any(a <= w.start and w.end <= b for a, b in code)
        else w
        for w in words_of(text, {})
    ]
    spans, _ = detect_lm(text, words, sentence_features(text, words), DET)
    assert [sp.text for sp in spans] == ["insupports"]


def rule_hits(text: str) -> list[tuple[str, str]]:
    return [(c.id, s.text) for c in TARGET_CHECKS.values() for s in c.check(text)]


@pytest.mark.parametrize(
    ("text", "before"),
    [
        # the word checks' false alarms on the docstring set, each inside a code name
        ("State as returned by getstate() and passed to setstate() later.", "spelling"),
        ("Called by 'getopt()' before it parses.", "non-word"),
        ("The value is saved using ``uname`` here.", "spelling"),
        ("Pass `args` and `kwargs` to the function.", "non-word"),
        ("Make sure that 'os.environ' has all values.", "untranslated-french"),
        ("Compare __eq__, __le__ and __ctype_le__ attributes.", "untranslated-french"),
        ("It is encoded as UTF-8 first. 'zinfo_or_arcname' is a name.", "broken-join"),
    ],
)
def test_no_word_check_fires_inside_a_code_name(text: str, before: str) -> None:
    assert rule_hits(text) == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # the same sentences with an MT error beside the code name: still flagged
        (
            "State as returned by getstate() insupports it.",
            [("spelling", "insupports"), ("non-word", "insupports")],
        ),
        (
            "Pass `args` selon the librairy.",
            [("untranslated-french", "selon"), ("non-word", "librairy"), ("spelling", "librairy")],
        ),
        (
            "Make sure that 'os.environ' dans le fichier.",
            [("untranslated-french", "dans le fichier")],
        ),
        ("The United States. is in 'os.environ' now.", [("broken-join", "States. is")]),
        # a bare name has the form of an MT non-word: still flagged
        ("Return a line number of the given object's docstring.", [("non-word", "docstring")]),
    ],
)
def test_word_checks_still_fire_beside_a_code_name(
    text: str, expected: list[tuple[str, str]]
) -> None:
    assert sorted(rule_hits(text)) == sorted(expected)


#: a machine token starts at a word's start, never after the apostrophe or hyphen that joins
#: a word's pieces (``s_profit`` was found in ``company's_profit``); an e-mail address, a
#: file name or a hash that ends such a word takes the whole word
MID_WORD = [
    ("The company's_profit grew.", []),
    ("It's_done now, and don't_care.", []),
    ("The company’s_profit grew.", []),
    ("See Chris'max_size and l'os.path.join.", []),
    ("A non-fileno() call, a well-max_size item, x-os.path.join.", []),
    ("The state-of-the-art_thing.", []),
    # at a word's start: still code, after a contraction, a space or a dash
    ("It's max_size and os.path.join, --max_size.", ["max_size", "os.path.join", "max_size"]),
    ("max_size's value", ["max_size"]),
    # the whole word
    ("Write to o'brien.x@example.com now.", ["o'brien.x@example.com"]),
    ("Open John's_report.pdf first.", ["John's_report.pdf"]),
    ("Pin build-9f86d081884c7d65 there.", ["build-9f86d081884c7d65"]),
    ("Use sha384-oqVuAfXRKap7fdgcCY5uykM6 here.", ["sha384-oqVuAfXRKap7fdgcCY5uykM6"]),
    ("Id urn-123e4567-e89b-12d3-a456-426614174000.", ["urn-123e4567-e89b-12d3-a456-426614174000"]),
]


@pytest.mark.parametrize(("text", "found"), MID_WORD)
def test_a_machine_token_never_starts_inside_a_word(text: str, found: list[str]) -> None:
    assert [text[a:b] for a, b in machine_tokens(text)] == found


@pytest.mark.parametrize(("text", "found"), MID_WORD)
def test_a_machine_token_inside_a_word_is_found_alike_in_nfd(text: str, found: list[str]) -> None:
    """Decomposed accents before the token (read in NFC): the same tokens, exact offsets."""
    import unicodedata

    nfd = unicodedata.normalize("NFD", f"Ça dépend: {text}")
    got = [nfd[a:b] for a, b in machine_tokens(nfd)]
    assert [unicodedata.normalize("NFC", g) for g in got] == found
