"""What a newcomer hands ``Checker.check`` besides strings, Documents and DataFrames:
records (dicts), generators, paths and bytes; and how a checker and a report path read."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

import mtqa
from mtqa.errors import UsageError


@pytest.fixture()
def checker(fake_calibration: Path) -> mtqa.Checker:
    return mtqa.Checker(model="fake", calibration=str(fake_calibration))


def test_a_list_of_records_is_read_as_jsonl_records(checker: mtqa.Checker) -> None:
    """`check([{"id": "x", "target": ...}])`, the records `json.loads` gives, checked
    nothing: each item failed as `target is dict, not a string`."""
    records = [
        {"id": "x", "target": "The 3 ministers met.", "source": "Les 5 ministres."},
        {"text": "Second text here."},  # `text` as the CLI falls back to it; id made
        {"id": None, "target": "No id."},
        {"target": {"nested": 1}},
        {"id": "x", "target": "Again."},
    ]
    result = checker.check(iter(records))  # a generator of them too
    assert [r.doc_id for r in result] == ["x", "1"]
    assert "rule:src-numbers" in set(result.spans["source"])  # the source was read
    assert [str(f) for f in result.failures] == [
        "texts[2]: id is missing; give the record an 'id', or leave the key out for an id "
        "made from its position",
        "texts[3]: target is dict, not a string",
        "texts[4]: duplicate id 'x' (first seen at texts[0]); ids must be unique",
    ]


@pytest.mark.parametrize(
    ("texts", "message"),
    [
        (
            Path("a.txt"),
            "not PosixPath; mtqa reads no file here: pass its text (Path(...).read_text()), "
            "or check files with mtqa.pipeline.run_check",
        ),
        (b"The text.", "not bytes; decode it first (data.decode('utf-8'))"),
        (
            {"a": "The text."},
            "not dict; a dict is one record: pass a list of records ([{'id': ..., "
            "'target': ...}]), or pd.Series(d) to check each value with its key as id",
        ),
    ],
)
def test_a_path_bytes_or_a_dict_says_what_to_pass(
    checker: mtqa.Checker, texts: object, message: str
) -> None:
    with pytest.raises(UsageError) as err:
        checker.check(texts)
    assert str(err.value).startswith("texts: expected a string, a Document, a list of them")
    assert str(err.value).endswith(message)
    if not isinstance(texts, dict):  # a path or bytes as an item of a list: its failure
        (failure,) = checker.check([texts]).failures
        assert failure.message.endswith(message.split("; ", 1)[1])


def test_a_missing_target_says_so(checker: mtqa.Checker) -> None:
    """A None text was `target is nothing, not a string`."""
    (failure,) = checker.check(["A text.", None]).failures
    assert str(failure) == (
        "texts[1]: target is missing (None); give the item its text, or leave it out"
    )


def test_a_checker_shows_its_model_and_signature(checker: mtqa.Checker) -> None:
    """It showed as `<mtqa.api.Checker object at 0x7f...>`."""
    assert repr(checker) == (
        f"Checker(model='fake', device='auto', signature={checker.signature!r})"
    )


def test_an_open_file_as_path_says_to_write_the_text(checker: mtqa.Checker) -> None:
    result = checker.check("The cat sat.")
    buffer = io.StringIO()
    with pytest.raises(UsageError, match=r"; for an open file or buffer, write the text: "):
        result.to_csv(buffer)  # type: ignore[arg-type]
    buffer.write(result.to_csv())
    assert buffer.getvalue() == result.to_csv()
