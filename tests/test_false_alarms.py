"""Clean English that used to get major flags, with the default model (marked ``model``).

Each case is a kind (issue 10.5): a full stop inside a URL, an e-mail address or a file
name is no sentence end; abbreviations (a.m., Ph.D., Inc.) end no sentence and do not make
the next word "lower-case after a full stop"; decomposed Unicode scores as its composed
form, with offsets into the text as read.
"""

from __future__ import annotations

import unicodedata

import pytest

from mtqa.api import Checker
from mtqa.records import DocumentResult

pytestmark = pytest.mark.model

CLEAN = [
    "Details are on the website at https://www.city-hall.org.",
    "Please write to info.desk@city-hall.org today.",
    "The file budget.v2.pdf lists every cost.",
    "The train leaves at 7 a.m. on weekdays.",
    "She earned a Ph.D. in chemistry.",
    "He works for Acme Inc. as an engineer.",
    # a unit's short form before a lower-case word was a major broken join (a newcomer's)
    "Mix half a cup of sugar with 1/4 tsp. of salt.",
]


@pytest.fixture(scope="module")
def checker() -> Checker:
    try:
        return Checker(model="gemma3-270m")
    except Exception as e:  # noqa: BLE001 -- the model package is missing
        pytest.skip(f"the default model cannot load here: {e}")


def one(checker: Checker, text: str) -> DocumentResult:
    (result,) = checker.check(text).results
    return result


@pytest.mark.parametrize("text", CLEAN)
def test_no_major_flag_on_clean_english(checker: Checker, text: str) -> None:
    result = one(checker, text)
    majors = [sp for sp in result.spans if sp.severity == "major"]
    assert not majors, [(sp.text, sp.source, sp.reason) for sp in majors]
    assert len(result.sentences) == 1


@pytest.mark.parametrize(
    "composed",
    [
        "She gave a naïve answer to the committee.",
        "She sent her résumé to the committee.",
        "They met at the café near the station.",
    ],
)
def test_decomposed_unicode_scores_as_composed(checker: Checker, composed: str) -> None:
    decomposed = unicodedata.normalize("NFD", composed)
    assert decomposed != composed
    a, b = one(checker, composed), one(checker, decomposed)
    assert [sp.severity for sp in a.spans] == [sp.severity for sp in b.spans]
    assert a.sentences[0].score == pytest.approx(b.sentences[0].score, abs=1e-3)
    for sp in b.spans:  # offsets point into the text as read
        assert decomposed[sp.start : sp.end] == sp.text
    assert not [sp for sp in b.spans if sp.severity == "major"]


def test_the_cases_are_one_file_too(checker: Checker) -> None:
    """As a document: the clean sentences, no major flag, one sentence each."""
    result = one(checker, " ".join(CLEAN))
    assert len(result.sentences) == len(CLEAN)
    assert not [sp for sp in result.spans if sp.severity == "major"]
