"""The ``spelling`` check (mtqa/checks/spelling.py): misspellings wordfreq knows get caught,
names, codes, British spellings and new words do not, offsets are exact, and clean English
stays (nearly) clean."""

from __future__ import annotations

import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from mtqa.checks import spelling
from mtqa.checks.spelling import (
    Spelling,
    SpellingFinding,
    american_forms,
    edit_distance,
    spelling_spans,
)

# (sentence, flagged word, suggestion, severity). Misspellings that wordfreq knows (the
# reason for this check) and non-words that it does not.
CAUGHT = [
    ("The developpement of the region was slow.", "developpement", "development", "minor"),
    ("It is our responsability to act.", "responsability", "responsibility", "minor"),
    ("The accident occured at night.", "occured", "occurred", "minor"),
    ("Send it to this adress please.", "adress", "address", "minor"),
    ("You will recieve a letter.", "recieve", "receive", "minor"),
    ("They live in seperate houses.", "seperate", "separate", "minor"),
    ("The goverment denied it.", "goverment", "government", "minor"),
    ("The situation is insupports for residents.", "insupports", "supports", "major"),
    ("She went to the librairy on Monday.", "librairy", "library", "minor"),
    ("It was definately over.", "definately", "definitely", "minor"),
    ("We waited untill noon.", "untill", "until", "minor"),
    ("They lost thier keys.", "thier", "their", "minor"),
    ("The hotel can accomodate us.", "accomodate", "accommodate", "minor"),
    ("See you tommorow then.", "tommorow", "tomorrow", "minor"),
    ("The existance of the plan is known.", "existance", "existence", "minor"),
    ("An independant inquiry began.", "independant", "independent", "minor"),
    ("The new wing was comissioned in May.", "comissioned", "commissioned", "minor"),
    ("Turn left at the interseciton ahead.", "interseciton", "intersection", "minor"),
    ("The juice was dilluted with water.", "dilluted", "diluted", "minor"),
    ("Her new hairstlye was bold.", "hairstlye", "hairstyle", "minor"),
    ("She otulined the plan.", "otulined", "outlined", "minor"),
    ("They deexamine the results.", "deexamine", "examine", "major"),
]

# (sentence, why it must pass)
NOT_CAUGHT = [
    ("They were deplatformed last year.", "a current word"),
    ("Critics call it greenwashing.", "a current word"),
    ("The decarbonisation of transport is slow.", "a current word, British spelling"),
    ("The decarbonization of transport is slow.", "a current word, American spelling"),
    ("The colour of the centre was grey.", "British spellings"),
    ("The organisation travelled to the theatre.", "British spellings"),
    ("The programme was cancelled after the defence analysed it.", "British spellings"),
    ("Paediatric leukaemia and oesophagus manoeuvre judgement ageing.", "British spellings"),
    ("A skilful fulfilment of the enrolment catalogue licence.", "British spellings"),
    ("Minister Seehofer met Kvasiny officials.", "names"),
    ("Recieve the prize, said Adress Jones.", "capitalised words: names, sentence starts"),
    ("The RECIEVE and NASA programs.", "all-caps acronyms"),
    ("Follow #recieve and @goverment now.", "hashtags and handles"),
    ("See https://example.com/recieve or www.adress.org today.", "URLs"),
    ("Write to recieve.desk@city-hall.org today.", "e-mail addresses"),
    ("The file seperate.v2.pdf lists it.", "file names"),
    ("Codes recieve2 and x-goverment9 are internal.", "words with digits"),
    ("The 2nd and 3rd rounds were won in 2021.", "numbers"),
    ("The teh and wich typos are too short to guess.", "words under 5 letters"),
    ("The gouvernement said so.", "French, untranslated-french reports it"),
    ("Troops committed exactions, then quitted the town.", "listed false friends: the LM judges"),
    ("The scent of ylang-ylang is strong.", "a term used twice"),
    ("The plants speeded up, evolutions continued.", "inflections: grammar, not spelling"),
    ("They rode the sekiwake in the makuuchi division.", "jargon near no common word"),
    ("It was a nai\u0308ve re\u0301sume\u0301.", "decomposed accents"),
    ("A naïve café owner in Mladá Boleslav.", "accented foreign words"),
    ("He is a high schooler and an unsystematically uncertified right-hander.", "derivations"),
    ("They don’t know the carmaker’s plan.", "contractions, possessives"),
]


@pytest.mark.parametrize(("text", "word", "suggestion", "severity"), CAUGHT)
def test_caught(text: str, word: str, suggestion: str, severity: str) -> None:
    found = spelling_spans(text)
    assert len(found) == 1, found
    f = found[0]
    assert text[f.start : f.end] == word
    assert f.suggestion == suggestion
    assert f.severity == severity
    assert f.reason == f"spelling: {word!r} is not an English word; did you mean {suggestion!r}?"


@pytest.mark.parametrize(("text", "why"), NOT_CAUGHT)
def test_not_caught(text: str, why: str) -> None:
    assert spelling_spans(text) == [], why


def test_offsets_several_words_and_parts() -> None:
    text = "“Seperate” goverment’s well-adressed plans occured, occured again."
    found = spelling_spans(text)
    # "Seperate" opens the sentence (capitalised: not checked); "occured" twice in one
    # sentence reads as deliberate (as for non-word); a hyphenated word's part is its own span
    assert [(text[f.start : f.end], f.suggestion) for f in found] == [
        ("goverment’s", "government’s"),
        ("adressed", "addressed"),
    ]
    for f in found:
        assert isinstance(f, SpellingFinding)
        assert 0 <= f.start < f.end <= len(text)
        assert f"{text[f.start : f.end]!r}" in f.reason


def test_offsets_follow_the_text_as_given() -> None:
    prefix = "Le Drian, naïve — « "
    text = prefix + "the goverment said"
    (f,) = spelling_spans(text)
    assert (f.start, f.end) == (len(prefix) + 4, len(prefix) + 13)
    assert text[f.start : f.end] == "goverment"


def test_check_adapter_gives_document_spans() -> None:
    text = "You will recieve it."
    (span,) = Spelling().check(text, start=100)
    assert (span.start, span.end, span.text) == (109, 116, "recieve")
    assert span.source == "rule:spelling"
    assert span.severity == "minor"
    assert "did you mean 'receive'?" in span.reason


@pytest.mark.parametrize(
    ("a", "b", "d"),
    [
        ("occured", "occurred", 1),  # doubling
        ("tommorow", "tomorrow", 1),  # doubling moved
        ("recieve", "receive", 1),  # swap
        ("seperate", "separate", 1),  # vowel for vowel
        ("goverment", "government", 1),  # a letter dropped
        ("developpement", "development", 2),  # two letters added
        ("underride", "underside", None),  # unrelated letters
        ("interfluve", "interlude", None),  # one dropped, one added
        ("same", "same", 0),
    ],
)
def test_edit_distance(a: str, b: str, d: int | None) -> None:
    assert edit_distance(a, b) == d


def test_american_forms() -> None:
    assert "organization" in american_forms("organisation")
    assert "center" in american_forms("centre")
    assert "canceled" in american_forms("cancelled")
    assert "maneuver" in american_forms("manoeuvre")
    assert "until" not in american_forms("untill")  # a misspelling is no British form
    assert american_forms("house") == frozenset()


def test_clean_english_false_alarms(shared_dir: Path) -> None:
    """At most 0.5% of the 2,000 clean lines get a flag; measured: 5 lines (0.25%), every one
    a real slip in the human reference."""
    lines = (shared_dir / "calibration" / "clean_en.txt").read_text(encoding="utf-8").splitlines()
    flagged = {}
    for line in lines:
        for f in spelling_spans(line):
            assert line[f.start : f.end] in f.reason
            flagged[line[f.start : f.end]] = f.suggestion
    lines_flagged = sum(bool(spelling_spans(line)) for line in lines)
    assert lines_flagged <= 0.005 * len(lines), flagged
    slips = {
        "comissioned": "commissioned",
        "interseciton": "intersection",
        "dilluted": "diluted",
        "hairstlye": "hairstyle",
        "otulined": "outlined",
    }
    assert slips.items() <= flagged.items()


def test_deterministic() -> None:
    texts = [t for t, *_ in CAUGHT] + [t for t, _ in NOT_CAUGHT]
    first = [spelling_spans(t) for t in texts]
    assert [spelling_spans(t) for t in reversed(texts)] == first[::-1]
    _clear_caches()
    assert [spelling_spans(t) for t in texts] == first


def test_thread_safe_from_a_cold_start() -> None:
    texts = [t for t, *_ in CAUGHT] * 4
    expected = [spelling_spans(t) for t in texts]
    _clear_caches()
    spelling._DICTIONARY.clear()
    with ThreadPoolExecutor(max_workers=8) as pool:
        assert list(pool.map(spelling_spans, texts)) == expected
    assert len(spelling._DICTIONARY) == 1


def test_import_does_no_work() -> None:
    code = (
        "import sys, mtqa.checks.spelling as s; "
        "assert not s._DICTIONARY and 'spylls' not in sys.modules, 'loaded on import'"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_the_dictionary_files_are_closed_after_loading() -> None:
    """spylls' own loader leaves the .aff and .dic files open (a ResourceWarning)."""
    code = (
        "import gc, warnings; warnings.simplefilter('error', ResourceWarning); "
        "import mtqa.checks.spelling as s; from spylls.hunspell import Dictionary; "
        "d = s.dictionary(); gc.collect(); "
        "assert d.lookup('development') and not d.lookup('developpement'); "
        "warnings.simplefilter('ignore', ResourceWarning); "
        "ref = Dictionary.from_files('en_US'); "
        "assert d.dic.words == ref.dic.words and d.aff.SFX.keys() == ref.aff.SFX.keys()"
    )
    done = subprocess.run([sys.executable, "-X", "dev", "-c", code], capture_output=True, text=True)
    assert done.returncode == 0 and "ResourceWarning" not in done.stderr, done.stderr


def _clear_caches() -> None:
    for fn in (
        spelling._verdict,
        spelling._lookup,
        spelling.american_forms,
        spelling._build_deletes_index,
    ):
        fn.cache_clear()


def test_registered_and_kept_over_non_word() -> None:
    from mtqa.checks import CHECKS, TARGET_CHECKS
    from mtqa.checks.document import target_spans
    from mtqa.records import Sentence

    assert isinstance(CHECKS["spelling"], spelling.Spelling) and "spelling" in TARGET_CHECKS
    text = "The situation insupports the librairy."
    spans = target_spans(Sentence("d", 1, 0, len(text), text))
    words = [(s.text, s.source) for s in spans if s.source in ("rule:spelling", "rule:non-word")]
    # both rules know "insupports": only spelling's span (with its suggestion) is kept
    assert ("insupports", "rule:spelling") in words
    spelled = {t for t, src in words if src == "rule:spelling"}
    assert not [t for t, src in words if src == "rule:non-word" and t in spelled]
