"""The Python API (issue 13.2): ``mtqa.Checker`` / ``mtqa.check`` with the fake scorer.

The API runs the path of ``mtqa check`` (same engine, analysis, selection and writers), so
its report texts are compared byte for byte with the files the command writes.
"""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
import warnings
from pathlib import Path

import pandas as pd
import pytest

import mtqa
from mtqa import cli
from mtqa.detect import detector_path
from mtqa.errors import CalibrationError, ModelError, OutputError, UsageError
from mtqa.lm.fake import FakeScorer
from mtqa.pipeline import run_check
from mtqa.records import Document
from mtqa.settings import Settings
from mtqa.store import write_failed

TEXT = "The council met on Monday. is rebel massaging the budget. It approved the the budget."
# By hand: "The council met on " is 19 characters, so "Monday. is" is 19-29 (a full stop,
# then a lower-case word); the fake scores "massaging" 20 bits (36-45); "the the" is 70-77.
SPANS = [
    ("0", 1, 19, 29, "Monday. is", "major", "rule:broken-join"),
    ("0", 1, 36, 45, "massaging", "major", "lm"),
    ("0", 2, 70, 77, "the the", "minor", "rule:repeated-word"),
]
SPAN_KEYS = ["doc_id", "sent_id", "start", "end", "text", "severity", "source"]


@pytest.fixture(autouse=True)
def no_plot(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("mtqa.report.summary.plot_summary", lambda *a, **k: b"\x89PNG")


@pytest.fixture()
def checker(fake_calibration: Path) -> mtqa.Checker:
    return mtqa.Checker(model="fake", calibration=str(fake_calibration))


def span_rows(frame: pd.DataFrame) -> list[tuple[object, ...]]:
    return [tuple(r) for r in frame[SPAN_KEYS].itertuples(index=False)]


def test_import_mtqa_stays_light() -> None:
    code = (
        "import sys, mtqa; mtqa.Checker, mtqa.check, mtqa.CheckResult; "
        "print([m for m in ('torch', 'transformers', 'pandas') if m in sys.modules])"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout == "[]\n"


def test_settings_is_reached_from_import_mtqa(fake_calibration: Path) -> None:
    """The README's ``mtqa.Checker(Settings(...))`` named no module to import Settings
    from, and ``from mtqa import Settings`` was an ImportError."""
    from mtqa import Settings
    from mtqa.settings import Settings as Same

    assert Settings is Same and mtqa.Settings is Same and "Settings" in dir(mtqa)
    checker = mtqa.Checker(mtqa.Settings(model="fake", calibration=str(fake_calibration)))
    assert checker.check("A short text.")[0].doc_id == "0"
    code = "import sys, mtqa; mtqa.Settings; print('pandas' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout == "False\n"


def test_the_submodules_readme_names_are_reached_from_import_mtqa() -> None:
    """``mtqa.errors`` and ``mtqa.records`` were an AttributeError after ``import mtqa``."""
    code = (
        "import sys, mtqa; "
        "print(mtqa.errors.UsageError.__name__, mtqa.records.Document.__name__, "
        "mtqa.errors.InputError.__name__, 'errors' in dir(mtqa)); "
        "print([m for m in ('torch', 'transformers', 'pandas') if m in sys.modules])"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout == "UsageError Document InputError True\n[]\n"
    assert mtqa.pipeline.run_check.__name__ == "run_check"
    with pytest.raises(AttributeError, match="module 'mtqa' has no attribute 'nothing'"):
        mtqa.nothing  # noqa: B018


def test_a_string_gives_the_three_tables(checker: mtqa.Checker) -> None:
    result = checker.check(TEXT)
    assert repr(result) == (
        "CheckResult(1 document(s), 2 sentences, 2 flagged (1 major), 0 failures)"
    )
    assert span_rows(result.spans) == SPANS
    assert list(result.spans.columns) == mtqa.api.SPAN_COLUMNS
    s = result.sentences
    assert list(s.columns[:14]) == [
        *("doc_id", "sent_id", "start", "end", "text", "n_tokens", "ppl", "score"),
        *("flagged", "severity", "n_spans", "spans", "reasons", "suggestions"),
    ]
    assert s.columns[-1] == "review"
    assert s[["sent_id", "severity", "n_spans"]].values.tolist() == [
        [1, "major", 2],
        [2, "minor", 1],
    ]
    assert [TEXT[a:b] for a, b in s[["start", "end"]].values] == s["text"].tolist()
    d = result.documents
    assert list(d.columns) == mtqa.api.DOCUMENT_COLUMNS
    assert d[
        ["doc_id", "severity", "n_sentences", "n_flagged", "n_major", "n_spans"]
    ].values.tolist() == [["0", "major", 2, 2, 1, 3]]
    assert result.signature.startswith("mtqa:0.1.0|model:fake|dtype:float32|ctx:doc|")


def test_lists_documents_and_dataframes(checker: mtqa.Checker) -> None:
    by_list = checker.check([TEXT, "Fine text here."])
    assert by_list.documents["doc_id"].tolist() == ["0", "1"]
    by_docs = checker.check([Document("a", TEXT, "a.txt"), Document("b", "Fine text.", "b.txt")])
    assert by_docs.documents["doc_id"].tolist() == ["a", "b"]
    assert span_rows(by_docs.spans) == [("a", *row[1:]) for row in SPANS]
    frame = pd.DataFrame(
        {
            "id": ["x", "y"],
            "target": [TEXT, "The 3 ministers met."],
            "source": [None, "Les 5 ministres se sont réunis."],
        }
    )
    result = checker.check(frame)
    assert result.documents["doc_id"].tolist() == ["x", "y"]
    notes = dict(zip(result.documents["doc_id"], result.documents["notes"]))
    assert any("no source given" in n for n in notes["x"])
    assert not any("no source given" in n for n in notes["y"])
    numbers = result.spans[result.spans["source"] == "rule:src-numbers"]
    assert set(numbers["doc_id"]) == {"y"}  # 3 in the target, 5 in the source
    no_id = checker.check(pd.DataFrame({"target": [TEXT]}, index=[7]))
    assert no_id.documents["doc_id"].tolist() == ["7"]


def test_items_that_cannot_be_checked_are_listed(checker: mtqa.Checker) -> None:
    result = checker.check(["Good text.", " \n", 5, "Good text."])
    assert result.documents["doc_id"].tolist() == ["0", "3"]
    assert [str(f) for f in result.failures] == [
        "texts[1]: target holds no visible character",
        "texts[2]: target is int, not a string",
    ]
    dup = checker.check([Document("a", "One.", "p"), Document("a", "Two.", "p")])
    assert [str(f) for f in dup.failures] == [
        "texts[1]: duplicate id 'a' (first seen at texts[0]); ids must be unique"
    ]
    with pytest.raises(UsageError, match="texts: expected a string, a Document"):
        checker.check(42)
    with pytest.raises(UsageError, match="DataFrame without a 'target' column"):
        checker.check(pd.DataFrame({"body": ["x"]}))


def test_a_series_of_texts_is_checked_like_a_list_with_its_index_as_ids(
    checker: mtqa.Checker,
) -> None:
    """It was an AttributeError ('Series' object has no attribute 'columns')."""
    result = checker.check(pd.Series([TEXT, "Fine text here."], index=["x", "y"], name="mt"))
    assert result.documents["doc_id"].tolist() == ["x", "y"]
    assert span_rows(result.spans) == [("x", *row[1:]) for row in SPANS]
    assert checker.check(pd.Series(["A b.", "C d."])).documents["doc_id"].tolist() == ["0", "1"]


def test_a_dataframe_whose_columns_cannot_name_the_fields_is_refused(
    checker: mtqa.Checker,
) -> None:
    """A column read twice made pandas warn ("DataFrame columns are not unique, some columns
    will be omitted") and the last one was checked; MultiIndex columns matched 'target' on
    their first level, and each row failed as "target is nothing"."""
    twice = pd.DataFrame([["The cat sat.", "A dog ran."]], columns=["target", "target"])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(UsageError) as err:
            checker.check(twice)
        assert str(err.value) == (
            "DataFrame with the column 'target' more than once; rename or drop the others "
            "(df.loc[:, ~df.columns.duplicated()] keeps the first)"
        )
        # a column mtqa does not read may repeat: it is never read
        other = pd.DataFrame([["The cat sat.", 1, 2]], columns=["target", "n", "n"])
        assert checker.check(other).sentences["text"].tolist() == ["The cat sat."]
    with pytest.raises(UsageError) as err:
        checker.check(pd.DataFrame({("target", "en"): ["The cat sat."]}))
    assert str(err.value) == (
        "DataFrame with MultiIndex columns (('target', 'en')); flatten them to one level "
        "(df.columns = ['_'.join(map(str, c)) for c in df.columns]) and name the text column "
        "'target'"
    )


def test_a_set_is_refused_its_order_would_make_the_ids(checker: mtqa.Checker) -> None:
    for unordered in ({"a.", "b."}, frozenset({"a."})):
        with pytest.raises(UsageError) as err:
            checker.check(unordered)
        kind = type(unordered).__name__
        assert str(err.value) == (
            f"texts: a {kind} has no order (the ids, made from the order, would change from "
            "run to run); pass a list"
        )
    assert len(checker.check({"a.": 1, "b.": 2}.keys())) == 2  # a dict's keys keep their order


@pytest.mark.parametrize(
    ("texts", "ids", "failures"),
    [
        # a Document's fields of another type are its failure, not a TypeError in text.py
        (
            [Document("a", None, "p")],  # type: ignore[arg-type]
            [],
            ["texts[0]: target is missing (None); give the item its text, or leave it out"],
        ),
        (
            [Document("a", "Fine.", source=3)],  # type: ignore[arg-type]
            [],
            ["texts[0]: source is int, not a string"],
        ),
        # ids are strings: an int Document id is its digits
        ([Document(5, "Fine text.")], ["5"], []),  # type: ignore[arg-type]
        (
            [Document(None, "Fine text."), Document("", "Fine.")],  # type: ignore[arg-type]
            [],
            [
                "texts[0]: id is missing; give the Document an id",
                "texts[1]: id is missing; give the Document an id",
            ],
        ),
        (
            [Document(1.5, "Fine text.")],  # type: ignore[arg-type]
            [],
            [
                "texts[0]: id must be a string or an integer, got float 1.5; give it as a string ('1.5')"
            ],
        ),
        # an id mtqa made that meets a given one: the message says which mtqa made
        (
            ["Text one.", Document("0", "Text two.")],
            ["0"],
            [
                "texts[1]: duplicate id '0' (first seen at texts[0]); mtqa made that id itself "
                "from the item's position, so change the id given here"
            ],
        ),
        (
            [Document("1", "Text one."), "Text two."],
            ["1"],
            [
                "texts[1]: duplicate id '1' (first seen at texts[0]); mtqa made this id itself "
                "from the item's position, so change the id given at texts[0]"
            ],
        ),
        (
            pd.DataFrame({"target": ["A b.", "C d."]}, index=[0, 0]),
            ["0"],
            [
                "texts[1]: duplicate id '0' (first seen at texts[0]); mtqa made both ids from "
                "the index, which repeats it: give the table a unique index (reset_index()) or "
                "an id column"
            ],
        ),
        # an id column with a gap: pandas floats read as ints, the missing id a failure
        (
            pd.DataFrame({"target": ["A b.", "C d."], "id": [1, None]}),
            ["1"],
            [
                "texts[1]: id is missing; fill the 'id' column, or drop the column to take the "
                "ids from the index"
            ],
        ),
        (pd.DataFrame({"target": ["A b.", "C d."], "id": [7.0, 1.0]}), ["7", "1"], []),
        (pd.DataFrame({"target": ["A b."]}, index=[3.0]), ["3"], []),
        (
            pd.DataFrame({"target": ["A b.", "C d."], "id": pd.array(["k", None], "string")}),
            ["k"],
            [
                "texts[1]: id is missing; fill the 'id' column, or drop the column to take the "
                "ids from the index"
            ],
        ),
    ],
)
def test_ids_are_strings_and_a_missing_or_clashing_one_is_explained(
    checker: mtqa.Checker, texts: object, ids: list[str], failures: list[str]
) -> None:
    result = checker.check(texts)
    assert result.documents["doc_id"].tolist() == ids
    assert [str(f) for f in result.failures] == failures


def test_an_empty_source_or_reference_is_none_as_in_a_jsonl_record(
    checker: mtqa.Checker,
) -> None:
    """An empty source cell was a source in the API (source checks on nothing, no "no
    source given" note) while the CLI reads the same record's empty field as none."""
    frame = pd.DataFrame(
        {
            "id": ["x", "y", "z"],
            "target": ["The 3 ministers met."] * 3,
            "source": ["", " \u200b\t", None],
            "reference": ["", "\u2800", None],
        }
    )
    docs = [Document("d", "The 3 ministers met.", source="", reference=" ")]
    for result in (checker.check(frame), checker.check(docs)):
        for notes in result.documents["notes"]:
            assert any("no source given" in n for n in notes)
            assert any("no reference given" in n for n in notes)
        assert result.sentences["src_level"].isna().all()
        assert result.sentences["ref_level"].isna().all()


def test_a_dataframe_source_or_reference_of_another_type_is_its_rows_failure(
    checker: mtqa.Checker,
) -> None:
    """A cell 12 was read as the source "12" (len_ratio 9.0), {'a': 1} as a reference to score
    chrF against, while Document(source=5) and an int target were failures."""
    texts = ["The cat sat.", "A dog ran.", "Birds fly.", "Fish swim.", "Frogs hop."]
    frame = pd.DataFrame(
        {
            "target": texts,
            "source": [12, ["a"], "Les oiseaux volent.", None, math.nan],
            "reference": [None, "A dog ran.", {"a": 1}, math.nan, 2.5],
        }
    )
    result = checker.check(frame)
    assert result.documents["doc_id"].tolist() == ["3"]  # no source, no reference: checked
    assert [str(f) for f in result.failures] == [
        "texts[0]: source is int, not a string",
        "texts[1]: source is list, not a string",
        "texts[2]: reference is dict, not a string",
        "texts[4]: reference is float, not a string",
    ]


@pytest.mark.parametrize("key", [math.nan, None, ""])
def test_a_missing_index_value_is_its_rows_failure(checker: mtqa.Checker, key: object) -> None:
    """A NaN in the index became the id 'nan' (a NaN in an id column is a failure)."""
    for texts in (
        pd.DataFrame({"target": ["A b.", "C d."]}, index=pd.Index(["x", key], dtype=object)),
        pd.Series(["A b.", "C d."], index=pd.Index(["x", key], dtype=object)),
    ):
        result = checker.check(texts)
        assert result.documents["doc_id"].tolist() == ["x"]
        (failure,) = result.failures
        assert str(failure) == (
            f"texts[1]: id is missing: the row's index value is {texts.index[1]!r}, so no id "
            "can be made from it; fill the index, reset_index(), or add an 'id' column"
        )


def test_a_document_needs_no_path() -> None:
    doc = Document("a", "The text.")
    assert doc.path == "" and doc.line is None and doc.source is None


def test_reports_equal_the_files_mtqa_check_writes(
    checker: mtqa.Checker,
    fake_calibration: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.chdir(tmp_path)
    Path("a.txt").write_text(TEXT + "\n", encoding="utf-8")
    argv = ["check", "a.txt", "-o", "out", "--model", "fake"]
    assert cli.main([*argv, "--calibration", str(fake_calibration), "--quiet"]) == 0
    capsys.readouterr()
    result = checker.check(Document("a", TEXT + "\n", "a.txt"))
    assert result.to_csv().encode() == Path("out/sentences.csv").read_bytes()
    assert result.to_jsonl().encode() == Path("out/segments.jsonl").read_bytes()
    assert result.to_html().encode() == Path("out/report.html").read_bytes()
    assert capsys.readouterr() == ("", "")  # the library prints nothing
    result.to_csv("mine.csv")
    assert Path("mine.csv").read_bytes() == Path("out/sentences.csv").read_bytes()


def test_nothing_is_written_and_the_model_is_loaded_once(
    fake_calibration: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    loads: list[Settings] = []

    def factory(settings: Settings) -> FakeScorer:
        loads.append(settings)
        return FakeScorer()

    checker = mtqa.Checker(
        model="fake", calibration=str(fake_calibration), scorer_factory=factory, batch_size=4
    )
    for _ in range(3):
        checker.check([TEXT, "Another one."])
    assert len(loads) == 1 and loads[0].batch_size == 4
    assert list(tmp_path.iterdir()) == []


def test_selection_and_operating_point(checker: mtqa.Checker, fake_calibration: Path) -> None:
    rules = mtqa.check(TEXT, model="fake", calibration=str(fake_calibration), select="rule")
    # without the LM's spans, the false friend the rescoring confirms is its own span
    assert [r[-1] for r in span_rows(rules.spans)] == [
        "rule:broken-join",
        "rule:false-friend",
        "rule:repeated-word",
    ]
    assert rules.signature.endswith("|sel:rule:")
    no_join = mtqa.check(
        TEXT, model="fake", calibration=str(fake_calibration), ignore=["broken-join"]
    )
    assert [r[-1] for r in span_rows(no_join.spans)] == ["lm", "rule:repeated-word"]
    strict = mtqa.check(TEXT, model="fake", calibration=str(fake_calibration), threshold=0.99)
    assert "|thr:0.99" in strict.signature
    with pytest.raises(UsageError, match="unknown setting"):
        mtqa.Checker(model="fake", calibration=str(fake_calibration), colour="red")
    with pytest.raises(UsageError, match="^select='brokenjoin': names no check"):
        mtqa.Checker(model="fake", calibration=str(fake_calibration), select="brokenjoin")


@pytest.mark.parametrize(
    ("given", "error", "message"),
    [
        ({"batch_size": 0}, UsageError, "batch_size=0: must be at least 1"),
        (
            {"window": 8},
            UsageError,
            "window=8 / overlap=256: need window >= 16 and 0 <= overlap < window - 8",
        ),
        ({"device": "tpu"}, UsageError, "device='tpu': choose one of auto, cpu, cuda"),
        ({"sensitivity": "x"}, UsageError, "sensitivity='x': choose one of low, default, high"),
        (
            {"select": "lm", "ignore": "lm"},
            UsageError,
            "select=lm ignore=lm: no check left to report; ignore fewer checks",
        ),
        (
            {"text_field": " "},
            UsageError,
            "text_field=' ': empty field name; name the record field (or column) that holds "
            "the text (default 'target')",
        ),
        (
            {"model": "smollm2"},
            ModelError,
            "model='smollm2': not a preset; name a preset (smollm2-135m, gemma3-270m), a .gguf "
            "file or a local transformers model folder; did you mean 'smollm2-135m'?",
        ),
        (
            {"calibration": "/nonexistent/det.json"},
            CalibrationError,
            "/nonexistent/det.json: no such file (calibration); check the path, or leave "
            "calibration out to use the detector shipped for 'fake'",
        ),
        (
            {"calibration": None},
            CalibrationError,
            f"{detector_path('fake')}: no detector for model 'fake'; run "
            "`mtqa calibrate --model fake CLEAN.txt` or pass calibration=FILE",
        ),
    ],
)
def test_a_settings_error_names_the_keyword_not_the_command_line_option(
    fake_calibration: Path, given: dict[str, object], error: type[Exception], message: str
) -> None:
    """The API said `--batch-size 0: must be at least 1` and `pass --calibration FILE`: the
    options of `mtqa check`, which a Python caller has no way to pass. A command to run, in
    backticks, keeps its options."""
    settings: dict[str, object] = {"model": "fake", "calibration": str(fake_calibration)}
    with pytest.raises(error) as err:
        mtqa.check(TEXT, **(settings | given))
    assert str(err.value) == message
    assert type(err.value) is error


def test_changing_a_table_leaves_the_result_as_it_is(checker: mtqa.Checker) -> None:
    """Each table was one cached DataFrame: `del r.spans["text"]`,
    `r.sentences["score"] *= 100` or a note appended in `r.documents` changed what every
    later access of the (frozen, hashable) result returned."""
    result = checker.check(TEXT)
    spans, sentences, documents = result.spans, result.sentences, result.documents
    del spans["text"]
    sentences.loc[0, "score"] = 99.0
    documents.loc[0, "notes"].append("mine")
    documents.loc[0, "metrics"]["mine"] = 1
    assert list(result.spans.columns) == mtqa.api.SPAN_COLUMNS
    assert result.sentences.loc[0, "score"] <= 1.0
    assert "mine" not in result.documents.loc[0, "notes"]
    assert "mine" not in result.documents.loc[0, "metrics"]
    assert result.documents.dtypes.astype(str).to_dict() == mtqa.api.DOCUMENT_DTYPES
    assert checker.check([]).documents.dtypes.astype(str).to_dict() == mtqa.api.DOCUMENT_DTYPES


def test_a_scorer_factory_that_is_no_function_is_a_usage_error(fake_calibration: Path) -> None:
    """`mtqa.check(text, scorer_factory=None)` raised `TypeError: 'NoneType' object is not
    callable` from inside mtqa."""
    with pytest.raises(UsageError) as err:
        mtqa.check(TEXT, model="fake", calibration=str(fake_calibration), scorer_factory=None)
    assert str(err.value) == (
        "scorer_factory=None: expected a function that makes the scorer from the Settings "
        "(default mtqa.lm.load.load_scorer)"
    )


def test_notebook_display_escapes(checker: mtqa.Checker) -> None:
    doc = Document("<script>alert(1)</script>", "A massaging text.", "x")
    page = checker.check(doc)._repr_html_()
    assert page.startswith("<p><b>mtqa</b>: 1 document(s), 1 sentence, 1 flagged (1 major)</p>")
    assert "<script>" not in page and "<td>&lt;script&gt;alert(1)&lt;/script&gt;</td>" in page
    assert "<td>massaging</td>" in page


def test_jsonl_text_is_the_segments_record(checker: mtqa.Checker) -> None:
    (rec,) = [json.loads(x) for x in checker.check(TEXT).to_jsonl().splitlines()]
    assert rec["id"] == "0" and [s["text"] for s in rec["spans"]] == [
        "Monday. is",
        "massaging",
        "the the",
    ]


@pytest.mark.parametrize(
    ("given", "message"),
    [
        (
            {"reference": "ref.txt"},
            "reference='ref.txt': the API reads no reference file; give each text's reference "
            "as Document(..., reference=...) or a DataFrame 'reference' column, or check the "
            "files with mtqa.pipeline.run_check",
        ),
        (
            {"source": "src.txt"},
            "source='src.txt': the API reads no source file; give each text's source as "
            "Document(..., source=...) or a DataFrame 'source' column, or check the files with "
            "mtqa.pipeline.run_check",
        ),
        (
            {"formats": "csv"},
            "formats='csv': the API writes no report files; call to_csv(), to_jsonl() or "
            "to_html() on the result (path= writes one), or use mtqa.pipeline.run_check",
        ),
        (
            {"stdin_format": "jsonl"},
            "stdin_format='jsonl': the API reads no standard input; pass the texts themselves",
        ),
        (
            {"encoding_errors": "replace"},
            "encoding_errors='replace': the API reads no bytes; pass str texts (decode them "
            "first: data.decode('utf-8', 'replace'))",
        ),
        (
            {"overwrite": True},
            "overwrite=True: the API writes no output folder; use mtqa.pipeline.run_check for one",
        ),
        (
            {"engine": "ray"},
            "engine='ray': the Python API scores in this process (engine 'local'); use "
            "mtqa.pipeline.run_check for Ray",
        ),
        (
            {"ray_address": "auto"},
            "ray_address='auto': the Python API scores in this process (engine 'local'); use "
            "mtqa.pipeline.run_check for Ray",
        ),
        (
            {"ray_actors": 2},
            "ray_actors=2: the Python API scores in this process (engine 'local'); use "
            "mtqa.pipeline.run_check for Ray",
        ),
        (
            {"extra": {"run": "nightly"}},
            "extra={'run': 'nightly'}: recorded only in the run.json that "
            "mtqa.pipeline.run_check writes; the API writes none",
        ),
    ],
)
def test_settings_only_the_file_path_reads_are_refused_before_the_model_loads(
    fake_calibration: Path, given: dict[str, object], message: str
) -> None:
    """They had no effect in the API (no chrF, no source checks, no error for a missing
    file): a UsageError naming the API's way, before anything is loaded."""
    loads: list[Settings] = []
    with pytest.raises(UsageError) as err:
        mtqa.Checker(
            model="fake",
            calibration=str(fake_calibration),
            scorer_factory=lambda s: loads.append(s) or FakeScorer(),
            **given,
        )
    assert str(err.value) == message and loads == []
    with pytest.raises(UsageError):
        mtqa.check(TEXT, model="fake", calibration=str(fake_calibration), **given)


def test_file_settings_at_their_defaults_are_fine(fake_calibration: Path) -> None:
    checker = mtqa.Checker(
        model="fake",
        calibration=str(fake_calibration),
        overwrite=False,
        formats=["csv", "jsonl", "html"],
        engine="local",
        reference=None,
    )
    assert checker.check(TEXT).counts.flagged == 2


def test_an_empty_result_has_the_header_of_a_run_without_references(
    checker: mtqa.Checker, fake_settings: Settings, tmp_path: Path
) -> None:
    """The header alone ended with LF (every other line CRLF) and lacked the reference and
    source columns that a run without references writes (and the DataFrame has)."""
    full = checker.check(TEXT)
    header = full.to_csv().split("\r\n", 1)[0] + "\r\n"
    assert header.endswith(",ref_level,chrf,bleu,ter,src_level,src_flags,len_ratio,review\r\n")
    empty = checker.check([])
    assert empty.to_csv() == header
    assert list(empty.sentences.columns) == list(full.sentences.columns)
    run_check([], fake_settings, tmp_path / "out", lambda s: FakeScorer())
    assert (tmp_path / "out" / "sentences.csv").read_bytes() == header.encode()


def test_the_tables_dtypes_do_not_depend_on_the_rows(checker: mtqa.Checker) -> None:
    """``suggestion`` held NaN (pandas' string dtype) though None means no suggestion, and
    ``gain`` was object with None in one result, float64 with NaN in another."""
    some = checker.check(["Il a dit : bonjour.", "Monday. is it"])  # no LM suggestion
    gains = checker.check(TEXT)  # an LM suggestion with its gain
    none = checker.check([])
    for table, dtypes in (
        ("spans", mtqa.api.SPAN_DTYPES),
        ("sentences", mtqa.api.SENTENCE_DTYPES),
        ("documents", mtqa.api.DOCUMENT_DTYPES),
    ):
        want = {c: pd.Series([], dtype=d).dtype for c, d in dtypes.items()}
        for result in (some, gains, none):
            assert getattr(result, table).dtypes.to_dict() == want, table
    assert list(some.spans["suggestion"]) == [None, ":", None, "Monday is"]
    assert some.spans["gain"].isna().all()
    assert gains.spans["suggestion"].tolist()[:2] == ["Monday is", "massing"]
    assert gains.spans["gain"].tolist()[1] > 0
    with_ref = checker.check(
        pd.DataFrame({"target": ["Fine text.", "Other text."], "reference": ["Fine text.", None]})
    )
    s = with_ref.sentences
    assert s["ref_level"].tolist() == ["sentence", None] and s["chrf"].tolist()[0] == 100.0
    assert s["chrf"].isna().tolist() == [False, True] and s["src_flags"].isna().all()


def test_a_report_path_must_name_a_file_in_a_folder_that_exists(
    checker: mtqa.Checker, tmp_path: Path
) -> None:
    """A missing folder was made silently (a typo made a tree of them); a folder in the
    file's place said "free some space or choose another folder"."""
    result = checker.check(TEXT)
    with pytest.raises(OutputError) as err:
        result.to_csv(tmp_path / "nope" / "deeper" / "s.csv")
    assert str(err.value) == (
        f"{tmp_path / 'nope' / 'deeper'}: no such folder; create the folder or choose another path"
    )
    assert list(tmp_path.iterdir()) == []
    with pytest.raises(OutputError) as err:
        result.to_jsonl(str(tmp_path))
    assert str(err.value) == (
        f"{tmp_path}: is a folder; name a file in it ({tmp_path / 'segments.jsonl'})"
    )
    (tmp_path / "f").write_text("x", encoding="utf-8")
    with pytest.raises(OutputError) as err:
        result.to_html(tmp_path / "f" / "r.html")
    assert str(err.value) == (
        f"{tmp_path / 'f'}: is a file, not a folder; create the folder or choose another path"
    )
    with pytest.raises(UsageError) as err:
        result.to_csv(5)  # type: ignore[arg-type]
    assert str(err.value) == "path=5: expected a file path (str or pathlib.Path)"
    assert result.to_csv(tmp_path / "s.csv").encode() == (tmp_path / "s.csv").read_bytes()


def test_a_report_path_may_start_with_the_home_folder(
    checker: mtqa.Checker, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`to_csv("~/s.csv")` said `~: no such folder` (pandas' to_csv writes it at home)."""
    monkeypatch.setenv("HOME", str(tmp_path))
    result = checker.check(TEXT)
    assert result.to_csv("~/s.csv").encode() == (tmp_path / "s.csv").read_bytes()
    result.to_jsonl(Path("~") / "s.jsonl")
    assert (tmp_path / "s.jsonl").read_text(encoding="utf-8") == result.to_jsonl()
    assert not Path("~").exists()


@pytest.mark.parametrize(
    ("error", "fix"),
    [
        (OSError(28, "No space left on device"), "free some space or choose another folder"),
        (PermissionError(13, "Permission denied"), "choose a folder you can write to"),
        (IsADirectoryError(21, "Is a directory"), "it is a folder: name a file, not a folder"),
        (
            FileNotFoundError(2, "No such file or directory"),
            "its folder does not exist: create it or choose another folder",
        ),
        (OSError(5, "Input/output error"), "check the path and the disk, or choose another folder"),
    ],
)
def test_a_write_error_names_the_fix_for_its_reason(error: OSError, fix: str) -> None:
    """Every write error said "free some space or choose another folder"."""
    assert str(write_failed(Path("out/a.csv"), error)) == (
        f"out/a.csv: cannot write ({error.strerror}); {fix}"
    )


def test_a_surrogate_pair_held_as_two_code_points_is_named_as_such(
    checker: mtqa.Checker,
) -> None:
    """It was called a lone surrogate, whose fix ("write ... a valid surrogate pair") is
    what the text already held."""
    result = checker.check(["\ud83d\ude00 ok.", Document("d", "Fine.", source="x \ud83d y")])
    assert [str(f) for f in result.failures] == [
        "texts[0]: target holds U+D83D U+DE00, a surrogate pair as two code points, which "
        "Python does not join into one character; write the character itself (\\U0001F600 "
        "in a Python string)",
        "texts[1]: source holds a lone surrogate U+D83D (a broken \\u escape); write the "
        "character itself or a valid surrogate pair",
    ]
    assert len(checker.check("\U0001f600 ok.")) == 1


def test_a_detector_for_another_model_is_refused_before_the_model_loads(
    fake_calibration: Path, tmp_path: Path
) -> None:
    """The model was loaded first (~16 s for gemma3-270m), then the detector refused.
    Loading a preset imports torch: here nothing does, in the API nor in run_check."""
    (tmp_path / "a.txt").write_text("Hello there.\n", encoding="utf-8")
    code = (
        "import sys, mtqa\n"
        "from mtqa.pipeline import run_check\n"
        "from mtqa.settings import Settings\n"
        "cal, a, out = sys.argv[1:]\n"
        "for call in (\n"
        "    lambda: mtqa.Checker(model='gemma3-270m', calibration=cal),\n"
        "    lambda: run_check(a, Settings(model='gemma3-270m', calibration=cal), out),\n"
        "):\n"
        "    try:\n"
        "        call()\n"
        "    except mtqa.errors.CalibrationError as e:\n"
        "        print(e)\n"
        "print([m for m in ('torch', 'transformers') if m in sys.modules])\n"
    )
    args = [str(fake_calibration), str(tmp_path / "a.txt"), str(tmp_path / "out")]
    out = subprocess.run(
        [sys.executable, "-c", code, *args], capture_output=True, text=True, check=True
    )
    refused = (
        "the detector was fitted for fake, but the model is gemma3-270m; run `mtqa calibrate "
        "--model NAME CLEAN.txt` or pass {} for this model\n"
    )
    # both are Python calls, so both name the keyword (`mtqa check` names its option)
    assert out.stdout == 2 * refused.format("calibration=FILE") + "[]\n"
    assert not (tmp_path / "out").exists()


def test_a_report_path_that_is_a_pipe_or_device_is_refused_not_replaced(
    checker: mtqa.Checker, tmp_path: Path
) -> None:
    """to_csv('/dev/null') renamed a regular file onto it: as root, /dev/null itself was
    replaced (the CLI's -o refused it; the API's writers did not)."""
    result = checker.check(["The cat sat."])
    pipe = tmp_path / "pipe.csv"
    os.mkfifo(pipe)
    for write in (result.to_csv, result.to_jsonl, result.to_html):
        with pytest.raises(OutputError, match="is not a regular file"):
            write(pipe)
        assert pipe.is_fifo()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["pipe.csv"]  # no temp file left


def test_a_report_file_that_is_a_pipe_in_the_output_folder_is_refused(
    tmp_path: Path, fake_calibration: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from mtqa import cli

    (tmp_path / "a.txt").write_text("The cat sat.\n", encoding="utf-8")
    out = tmp_path / "out"
    out.mkdir()
    os.mkfifo(out / "sentences.csv")
    argv = ["check", str(tmp_path / "a.txt"), "-o", str(out), "--model", "fake"]
    assert cli.main([*argv, "--calibration", str(fake_calibration), "--quiet"]) == 1
    assert "sentences.csv: is not a regular file" in capsys.readouterr().err
    assert (out / "sentences.csv").is_fifo()
