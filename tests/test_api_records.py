"""What a user does with the records the Python API returns: index, measure, iterate,
look up, compare and print a ``CheckResult`` and its ``DocumentResult``, ``SentenceResult``,
``Span``, ``Failure`` and ``Counts``.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import mtqa
from mtqa.errors import MtqaError, NotInResultError, RecordError
from mtqa.records import Document

TEXT = "The council met on Monday. is rebel massaging the budget."


@pytest.fixture(scope="module")
def checker(tmp_path_factory: pytest.TempPathFactory) -> mtqa.Checker:
    from mtqa.quality.fit import fit_percentile_detector

    xs = [1.0 + i / 100 for i in range(500)] * 3
    det = fit_percentile_detector(xs, model="fake", source="synthetic", minor_pct=99.0)
    path = tmp_path_factory.mktemp("cal") / "fake.json"
    path.write_text(det.to_json(), encoding="utf-8")
    return mtqa.Checker(model="fake", calibration=str(path))


@pytest.fixture(scope="module")
def result(checker: mtqa.Checker) -> mtqa.CheckResult:
    return checker.check([Document("a", TEXT), Document("b", "  "), Document("c", "Fine.")])


def test_a_result_is_indexed_by_position_or_id(result: mtqa.CheckResult) -> None:
    """`result[0]` was `TypeError: 'CheckResult' object is not subscriptable`, though
    `len(result)` and `for doc in result` worked."""
    assert [r.doc_id for r in result] == ["a", "c"] and len(result) == 2
    assert result[0] is result.results[0] and result[-1].doc_id == "c"
    assert result[np.int64(1)].doc_id == "c"  # a numpy position, as from np.argmax
    assert result[:1] == result.results[:1]
    assert result["c"] is result[1]
    assert "a" in result and result[0] in result and "b" not in result and 0 not in result


@pytest.mark.parametrize(
    ("key", "error", "message"),
    [
        (
            2,
            NotInResultError,
            "result[2]: 2 documents checked (positions 0 to 1, or -1 for the last); the "
            "items not checked are in .failures",
        ),
        (
            "b",
            NotInResultError,
            "result['b']: no document with this id was checked (ids: 'a', 'c'); 1 item not "
            "checked: see .failures",
        ),
        (
            1.0,
            RecordError,
            "result[1.0]: index a CheckResult by position (result[0], an int) or by document "
            "id (result['a'], a str)",
        ),
        (True, RecordError, "result[True]: index a CheckResult by position"),
    ],
)
def test_a_missing_or_odd_key_says_what_there_is(
    result: mtqa.CheckResult, key: object, error: type[Exception], message: str
) -> None:
    with pytest.raises(error) as err:
        result[key]  # type: ignore[index]
    assert str(err.value).startswith(message)
    assert isinstance(err.value, MtqaError)
    # the exceptions Python's own lookups raise, so `except KeyError` still catches
    assert isinstance(err.value, KeyError | IndexError if error is NotInResultError else TypeError)


def test_an_empty_result_says_nothing_was_checked(checker: mtqa.Checker) -> None:
    empty = checker.check(["", " "])
    assert not empty and len(empty) == 0 and list(empty) == []
    with pytest.raises(NotInResultError, match=r"^result\[0\]: no document was checked; see"):
        empty[0]
    with pytest.raises(NotInResultError, match=r"^result\['0'\]: no document with this id .*; 2"):
        empty["0"]


def test_a_record_used_as_a_sequence_says_which_field_to_read(
    result: mtqa.CheckResult,
) -> None:
    """`doc[0]`, `len(sentence)`, `list(span)`, `'x' in failure` were Python's bare
    `'DocumentResult' object is not subscriptable`, `has no len()`, `is not iterable`."""
    doc = result[0]
    sentence = doc.sentences[0]
    span = doc.spans[0]
    failure = result.failures[0]
    cases = [
        (
            doc,
            "a DocumentResult is one record, not a sequence: it has no items, length or "
            "members; its sentences are document.sentences (document.sentences[0])",
        ),
        (
            sentence,
            "a SentenceResult is one record, not a sequence: it has no items, length "
            "or members; its spans are sentence.spans",
        ),
        (
            span,
            "a Span is one record, not a sequence: it has no items, length or members; "
            "read its fields (span.text, .start, .end",
        ),
        (
            failure,
            "a Failure is one record, not a sequence: it has no items, length or "
            "members; str(failure) is its message",
        ),
        (result.counts, "a Counts is one record, not a sequence"),
        (Document("x", "A text."), "a Document is one record, not a sequence"),
    ]
    for record, message in cases:
        for use in (lambda r: r[0], len, list, lambda r: "x" in r):
            with pytest.raises(RecordError) as err:
                use(record)
            assert str(err.value).startswith(message)
            assert isinstance(err.value, TypeError)
        assert bool(record)  # a record is true, as before


def test_records_still_go_into_pandas_numpy_and_sets(result: mtqa.CheckResult) -> None:
    """A record is no sequence for pandas or numpy either: one row, one cell each."""
    spans = result[0].spans
    frame = pd.DataFrame(spans)
    assert frame.shape == (len(spans), 9) and frame["text"].tolist() == [s.text for s in spans]
    assert pd.DataFrame(list(result)).shape[0] == 2
    assert np.array(spans, dtype=object).shape == (len(spans),)
    assert pd.Series(result.results).shape == (2,)
    assert len(set(spans)) == len(spans) and sorted(spans, key=lambda s: s.start) == list(spans)


def test_equal_results_are_equal_and_reprs_stay_short(checker: mtqa.Checker) -> None:
    long_text = " ".join(f"Sentence number {i} is here." for i in range(400))
    first, again = checker.check(long_text), checker.check(long_text)
    assert first == again and hash(first) == hash(again)
    assert re.fullmatch(
        r"CheckResult\(1 document\(s\), 400 sentences, \d+ flagged \(\d+ major\), 0 failures\)",
        repr(first),
    )
    # the document's repr was every sentence and span, 100 000+ characters
    assert re.fullmatch(
        r"DocumentResult\(doc_id='0', 400 sentence\(s\), \d+ flagged \(\d+ major\), \d+ "
        r"span\(s\), text='Sentence number 0 is here\. Sentence numb…' \(11489 characters\)\)",
        repr(first[0]),
    )


def test_a_result_of_many_documents_with_the_fake(checker: mtqa.Checker, tmp_path: Path) -> None:
    texts = (f"Text {i} has the the words." for i in range(300))  # a generator
    result = checker.check(texts)
    assert len(result) == 300 and result["299"].doc_id == "299"
    assert len(result.spans) >= 300 and len(result.to_csv(tmp_path / "s.csv").splitlines()) > 300
