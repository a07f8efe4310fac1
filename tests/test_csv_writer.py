"""sentences.csv is written without a DataFrame per document, byte for byte as pandas did.

The writer made one ``DataFrame`` per document and called its ``to_csv``: ~3 ms each,
30 s for 10,000 one-line records. It now writes the cells with the ``csv`` module
(:func:`mtqa.report.table.column_cells`); pandas, per document, is the reference here.
"""

from __future__ import annotations

import io
import math
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mtqa.api import check
from mtqa.report.table import LINE_END, CsvWriter, column_cells, sentence_rows

COLUMNS = ["a", "b", "c"]


def by_pandas(docs: list[list[dict[str, Any]]], columns: list[str]) -> str:
    """What the writer wrote before: one frame per document, the header with the first."""
    out = io.StringIO(newline="")
    first = True
    for rows in docs:
        if rows:
            frame = pd.DataFrame(rows, columns=columns)
            frame.to_csv(out, index=False, header=first, lineterminator=LINE_END)
            first = False
    return out.getvalue()


def by_writer(docs: list[list[dict[str, Any]]], columns: list[str]) -> str:
    out = io.StringIO(newline="")
    w = CsvWriter.to_stream(out, {})
    w.columns = columns
    for rows in docs:
        w.write_rows(rows)
    return out.getvalue()


CASES = {
    "ints": [1, 2, -3],
    "ints with a gap": [1, None, 3],
    "ints with NaN": [1, math.nan, 3],
    "ints and floats": [1, 2.5, 0.1 + 0.2],
    "floats, edge values": [1e16, 1e-5, -0.0, math.inf, -math.inf, 123456789012345.0],
    "only gaps": [None, None, None],
    "only NaN": [math.nan, math.nan, math.nan],
    "bools": [True, False, True],
    "bools with a gap": [True, None, False],
    "bools and ints": [True, 1, 0],
    "text with quotes, commas, line ends": ['say "no"', "a,b", "two\r\nlines"],
    "text with a gap": ["x", None, ""],
    "text and numbers": ["good", 1.5, 2],
    "an int past int64 (left to pandas)": [2**70, 1, None],
    "numpy scalars (left to pandas)": [np.float64(0.5), np.int64(3), None],
}


@pytest.mark.parametrize("values", list(CASES.values()), ids=list(CASES))
def test_a_column_is_written_as_pandas_writes_it(values: list[Any]) -> None:
    docs = [[{"a": v, "b": "x", "c": i} for i, v in enumerate(values)]]
    assert by_writer(docs, COLUMNS) == by_pandas(docs, COLUMNS)
    one = [[{"a": v} for v in values]]  # a single column: an empty cell is written ""
    assert by_writer(one, ["a"]) == by_pandas(one, ["a"])


def test_column_cells_leaves_odd_values_to_pandas() -> None:
    assert column_cells([2**70]) is None and column_cells([np.float64(1)]) is None
    assert column_cells([1, None]) == ["1.0", ""] and column_cells([True, None]) == ["True", ""]


VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**65), 2**65),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(alphabet=st.sampled_from("ab ,\"'\r\n=+-é"), max_size=6),
)
ROW = st.fixed_dictionaries({}, optional={c: VALUES for c in COLUMNS})


@settings(max_examples=300, deadline=None)
@given(st.lists(st.lists(ROW, max_size=4), max_size=4))
def test_any_rows_are_written_as_pandas_writes_them(docs: list[list[dict[str, Any]]]) -> None:
    assert by_writer(docs, COLUMNS) == by_pandas(docs, COLUMNS)


def test_a_run_with_references_and_sources_is_written_as_before(fake_calibration: Any) -> None:
    """Real rows: the metric columns mix floats, ints, text and gaps within a document."""
    texts = pd.DataFrame(
        {
            "target": [
                "The cat sat. =1+1 is two.",
                'He said "no, thanks".\nIt was 5 km.',
                "Plain text here. And more of it.",
            ],
            "reference": ["The cat sat. One plus one.", None, "Plain text. More."],
            "source": [None, "Il a dit « non ».\nC'était 5 km.", "Du texte. Encore."],
        }
    )
    res = check(texts, model="fake", calibration=str(fake_calibration))
    assert len(res) == 3
    docs = [sentence_rows(r) for r in res]
    columns = res.to_csv().split(LINE_END)[0].split(",")
    assert columns[-1] == "review" and "chrf" in columns
    assert res.to_csv() == by_pandas(docs, columns)


def test_no_dataframe_per_document(monkeypatch: pytest.MonkeyPatch, fake_calibration: Any) -> None:
    """The cost was a DataFrame and a to_csv call per document (no timing here: the count)."""
    import mtqa.report.table as table

    res = check(
        [f"Record {i} is short." for i in range(30)],
        model="fake",
        calibration=str(fake_calibration),
    )
    made: list[int] = []

    class Counting(pd.DataFrame):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            made.append(1)
            super().__init__(*args, **kwargs)

    monkeypatch.setattr(table.pd, "DataFrame", Counting)
    text = res.to_csv()
    assert made == [] and text.count(LINE_END) == 31
