"""The Python API's settings: a ``Settings`` given to ``Checker``, and how errors name a
setting (the keyword in Python, the option in ``mtqa check``: :func:`mtqa.errors.named`).
"""

from __future__ import annotations

import re
from dataclasses import fields, replace
from pathlib import Path

import pytest

import mtqa
from mtqa import cli
from mtqa.errors import MtqaError, UsageError, named, options_named
from mtqa.options import SETTING_OPTIONS
from mtqa.pipeline import run_check
from mtqa.settings import Settings

TEXT = "The council met on Monday. is rebel massaging the budget."


@pytest.fixture(autouse=True)
def no_plot(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("mtqa.report.summary.plot_summary", lambda *a, **k: b"\x89PNG")


# ------------------------------------------------------------------ a Settings given


def test_a_settings_is_taken_as_the_model_argument_or_settings_keyword(
    fake_settings: Settings, fake_calibration: Path
) -> None:
    """`mtqa.Checker(Settings(...))` said `model=Settings(model='fake', ...): expected a
    string`, and `settings=` was an unknown setting: the tests' own fixture could not be
    handed to the API."""
    by_keywords = mtqa.check(TEXT, model="fake", calibration=str(fake_calibration))
    for checker in (mtqa.Checker(fake_settings), mtqa.Checker(settings=fake_settings)):
        assert checker.settings is fake_settings
        assert checker.check(TEXT) == by_keywords
    assert mtqa.check(TEXT, fake_settings) == by_keywords
    assert mtqa.check(TEXT, settings=fake_settings) == by_keywords
    # a keyword that says what the Settings says is no conflict (a list as its tuple too)
    same = mtqa.Checker(
        model="fake", device="auto", settings=fake_settings, batch_size=16, select=[]
    )
    assert same.settings == fake_settings


def test_a_keyword_that_differs_from_the_settings_given_is_refused(
    fake_settings: Settings,
) -> None:
    with pytest.raises(UsageError) as err:
        mtqa.Checker(fake_settings, batch_size=8, device="cpu")
    assert str(err.value) == (
        "batch_size=8, device='cpu': the Settings given says batch_size=16, device='auto'; "
        "give each setting once: in the Settings (dataclasses.replace(settings, "
        "batch_size=8, device='cpu')) or as keywords without it"
    )
    with pytest.raises(UsageError, match="^model='gemma3-270m': the Settings given says"):
        mtqa.check(TEXT, "gemma3-270m", settings=fake_settings)
    with pytest.raises(UsageError, match=r"^a Settings given twice \(as the model argument"):
        mtqa.Checker(fake_settings, settings=fake_settings)
    with pytest.raises(UsageError, match="^batch_size=0: must be at least 1"):
        mtqa.Checker(fake_settings, batch_size=0)  # the keyword's own value is checked first


def test_settings_that_is_no_settings_says_how_to_pass_it(fake_calibration: Path) -> None:
    values = {"model": "fake", "calibration": str(fake_calibration)}
    with pytest.raises(UsageError) as err:
        mtqa.Checker(settings=values)  # type: ignore[arg-type]
    assert str(err.value).startswith("settings={'model': 'fake', 'calibration': ") and str(
        err.value
    ).endswith(
        ": expected a mtqa.settings.Settings (Settings(model=..., ...)), got dict; or pass "
        "each setting as a keyword (mtqa.Checker(**values) for a dict)"
    )
    assert mtqa.Checker(**values).settings == Settings(**values)


def test_a_settings_with_a_file_setting_is_refused_as_its_keyword_is(
    fake_settings: Settings,
) -> None:
    """The refusal read the value from the keywords: a Settings holding `reference=`
    raised `KeyError: 'reference'`."""
    with pytest.raises(UsageError, match="^reference='ref.txt': the API reads no reference"):
        mtqa.Checker(replace(fake_settings, reference="ref.txt"))
    with pytest.raises(UsageError, match=r"^formats=\('csv',\): the API writes no report"):
        mtqa.Checker(settings=replace(fake_settings, formats="csv"))
    with pytest.raises(UsageError, match="^formats='csv': the API writes no report"):
        mtqa.Checker(model="fake", formats="csv")  # a keyword: shown as given


# ------------------------------------------------------------------ how a setting is named

#: a bad value of every Settings field, and what its message says of it (a calibration
#: or glossary error starts with the path)
BAD = {
    "model": "smollm2",
    "batch_size": 0,
    "dtype": "fp16",
    "device": "tpu",
    "window": 8,
    "overlap": -1,
    "formats": "pdf",
    "stdin_format": "xml",
    "text_field": " ",
    "id_field": "",
    "encoding_errors": "ignore",
    "calibration": "/nonexistent/det.json",
    "overwrite": True,
    "engine": "spark",
    "ray_address": "auto",
    "ray_actors": -1,
    "reference": "ref.txt",
    "source": "src.txt",
    "glossary": "/nonexistent/terms.csv",
    "csv_raw": 1,
    "select": " , ",
    "ignore": "nothing",
    "sensitivity": "max",
    "threshold": 1.5,
    "suggest": "no",
    "edit_budget": -1,
    "source_lm": 0,
    "extra": {"run": 1},
}
#: more errors a setting reaches (combinations, the operating point, the detector)
MORE = [
    {"select": "", "ignore": "lm"},
    {"select": "lm", "ignore": "lm"},
    {"window": 16, "overlap": 8},
    {"sensitivity": "high"},  # the fake's detector has no 'high' operating point
    {"calibration": None},  # no detector ships for the fake
    {"glossary": "/"},
    {"glossary": "terms.xlsx"},
]
OPTION = re.compile(r"(?<![\w-])--[a-z][a-z-]*")


def outside_backticks(message: str) -> str:
    """``message`` less its commands to run (in backticks), which keep their options."""
    return "".join(message.split("`")[::2])


def api_error(calibration: Path, given: dict[str, object]) -> MtqaError:
    with pytest.raises(MtqaError) as err:
        mtqa.Checker(**({"model": "fake", "calibration": str(calibration)} | given))
    return err.value


def test_the_table_of_bad_values_covers_every_setting() -> None:
    assert list(BAD) == [f.name for f in fields(Settings)]


@pytest.mark.parametrize("given", [*({k: v} for k, v in BAD.items()), *MORE], ids=repr)
def test_an_api_error_names_the_keyword_never_an_option(
    fake_calibration: Path, given: dict[str, object]
) -> None:
    """`api_message` rewrote the options of `mtqa check` in the text: a form it did not
    know slipped through (`select '': ... or leave select out`; `or use threshold`), and
    a Settings built in Python (`Settings(batch_size=0)`, run_check's) said
    `--batch-size 0`. Each message now names the keyword as it is made."""
    message = str(api_error(fake_calibration, given))
    assert not OPTION.findall(outside_backticks(message)), message
    assert any(re.search(rf"\b{k}\b", message) for k in given), message
    ((name, value),) = given.items() if len(given) == 1 else [(None, None)]
    if name is not None and value == BAD[name] and name not in ("calibration", "glossary"):
        assert f"{name}=" in message, message  # `select ' , ': ...` was said so


#: the settings whose bad value cannot come from `mtqa check`: a type error (the command
#: line types its values) and those the API refuses (the command line reads them)
NOT_FROM_THE_COMMAND_LINE = {"csv_raw", "suggest", "source_lm", *mtqa.api.FILE_SETTINGS}


@pytest.mark.parametrize("name", [n for n in BAD if n not in NOT_FROM_THE_COMMAND_LINE])
def test_the_same_error_names_the_option_on_the_command_line(
    fake_calibration: Path, name: str
) -> None:
    """What `mtqa check` says of the same value: its option (`--batch-size 0`)."""
    with options_named(SETTING_OPTIONS):
        message = str(api_error(fake_calibration, {name: BAD[name]}))
    assert SETTING_OPTIONS[name] in message, message
    assert f"{name}=" not in message, message


def test_setting_options_are_options_of_mtqa_check() -> None:
    check = cli.build_parser().commands["check"]
    assert set(SETTING_OPTIONS) == {f.name for f in fields(Settings)} - {"extra"}
    assert set(SETTING_OPTIONS.values()) <= set(check._option_string_actions)


def test_named_renders_each_front_ends_name() -> None:
    assert [named("batch_size", 0), named("calibration", "FILE"), named("suggest")] == [
        "batch_size=0",
        "calibration=FILE",
        "suggest",
    ]
    with options_named(SETTING_OPTIONS):
        assert [named("batch_size", 0), named("calibration", "FILE"), named("suggest")] == [
            "--batch-size 0",
            "--calibration FILE",
            "--no-suggest",
        ]
    assert named("batch_size", 0) == "batch_size=0"  # the block's wording ends with it


@pytest.mark.parametrize(
    ("argv", "said"),
    [
        (["--batch-size", "0"], "--batch-size 0: must be at least 1"),
        (["--select", ""], "--select '': names no check; name checks (lm, rule, an id or a "),
        (["--sensitivity", "high"], "or set --threshold P (a probability) instead"),
        (["--glossary", "/"], "/: is a folder, not a glossary (--glossary); pass a .csv"),
    ],
)
def test_the_command_line_says_its_options(
    tmp_path: Path,
    fake_calibration: Path,
    capsys: pytest.CaptureFixture[str],
    argv: list[str],
    said: str,
) -> None:
    (tmp_path / "a.txt").write_text(TEXT, encoding="utf-8")
    base = ["check", str(tmp_path / "a.txt"), "-o", str(tmp_path / "out"), "--quiet"]
    code = cli.main([*base, "--model", "fake", "--calibration", str(fake_calibration), *argv])
    assert code in (1, 2)
    assert said in capsys.readouterr().err


def test_python_callers_of_run_check_get_the_keyword(tmp_path: Path) -> None:
    """`run_check(..., Settings(batch_size=0))` said `--batch-size 0`, an option its caller
    has no way to pass."""
    with pytest.raises(UsageError, match="^batch_size=0: must be at least 1$"):
        run_check(tmp_path, Settings(batch_size=0), tmp_path / "out")
