"""``Settings`` takes each value as its field's type says, or names the setting, the value
and the type expected (a :class:`UsageError`), whoever builds it: ``run_check`` callers,
``mtqa.Checker``/``mtqa.check`` (which pass their keywords on) and the CLI."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

from mtqa.errors import UsageError
from mtqa.settings import Settings, signature


@pytest.mark.parametrize(
    ("given", "field", "kept"),
    [
        # a plain string for a list field is the comma list (it was split into characters)
        ({"select": "rule"}, "select", ("rule",)),
        ({"select": "lm"}, "select", ("lm",)),
        ({"ignore": "spelling"}, "ignore", ("spelling",)),
        ({"select": "lm, rule:broken-join"}, "select", ("lm", "rule:broken-join")),
        ({"formats": "csv"}, "formats", ("csv",)),
        ({"formats": "csv,jsonl"}, "formats", ("csv", "jsonl")),
        ({"formats": ["csv", "html"]}, "formats", ("csv", "html")),  # a list is kept as a tuple
        ({"select": None}, "select", ()),
        ({"calibration": Path("det.json")}, "calibration", "det.json"),  # a path object
        ({"model": Path("m.gguf")}, "model", "m.gguf"),
        ({"batch_size": np.int64(4)}, "batch_size", 4),
        ({"threshold": 0.5}, "threshold", 0.5),
        ({"extra": {"run": "nightly"}}, "extra", (("run", "nightly"),)),
    ],
)
def test_values_are_taken_as_their_field_type(
    given: dict[str, Any], field: str, kept: object
) -> None:
    value = getattr(Settings(**given), field)
    assert value == kept and type(value) is type(kept)


def test_a_comma_string_selects_what_the_list_selects() -> None:
    def sig(**kw: Any) -> str:
        return signature("fake", "auto", Settings(**kw), "det")

    assert sig(select="rule").endswith("|sel:rule:")
    assert sig(select="lm").endswith("|sel:lm")  # not rule:missing-word by its 'm'
    assert Settings(select="lm").selection.enabled == frozenset({"lm"})
    assert sig(ignore="spelling") == sig(ignore=["spelling"])
    assert sig(select=()) == sig()  # no selection: every check
    # a string that names nothing is no selection given: an error, as on the command line
    for key in ("select", "ignore"):
        with pytest.raises(UsageError, match=f"^{key}='': names no check; .* or leave {key} out$"):
            Settings(**{key: ""})
    with pytest.raises(UsageError, match="no check left to report"):
        Settings(select="lm", ignore="lm")


@pytest.mark.parametrize(
    ("given", "message"),
    [
        ({"batch_size": "8"}, "batch_size='8': expected a whole number (int), got str"),
        ({"batch_size": None}, "batch_size=None: expected a whole number (int), got NoneType"),
        ({"batch_size": 2.5}, "batch_size=2.5: expected a whole number (int), got float"),
        ({"batch_size": True}, "batch_size=True: expected a whole number (int), got bool"),
        ({"window": "512"}, "window='512': expected a whole number (int), got str"),
        ({"window": None}, "window=None: expected a whole number (int), got NoneType"),
        ({"edit_budget": "4"}, "edit_budget='4': expected a whole number (int), got str"),
        ({"edit_budget": 1.5}, "edit_budget=1.5: expected a whole number (int), got float"),
        ({"ray_actors": "2"}, "ray_actors='2': expected a whole number (int), got str"),
        ({"threshold": "0.4"}, "threshold='0.4': expected a number, got str"),
        ({"threshold": True}, "threshold=True: expected a number, got bool"),
        (
            {"select": 5},
            "select=5: expected a comma string ('a,b') or a list of strings, got int",
        ),
        (
            {"select": ["lm", 5]},
            "select=['lm', 5]: expected a comma string ('a,b') or a list of strings, got list "
            "holding int",
        ),
        (
            {"ignore": {"src"}},
            "ignore={'src'}: expected a comma string ('a,b') or a list of strings, got set",
        ),
        (
            {"model": None},
            "model=None: expected a string (a path or a pathlib.Path), got NoneType",
        ),
        ({"model": 5}, "model=5: expected a string (a path or a pathlib.Path), got int"),
        ({"text_field": 3}, "text_field=3: expected a string, got int"),
        ({"device": None}, "device=None: expected a string, got NoneType"),
        ({"extra": 5}, "extra=5: expected a dict or (name, value) pairs, got int"),
        ({"overwrite": 1}, "overwrite=1: must be True or False"),
    ],
)
def test_a_value_of_another_type_is_a_usage_error(given: dict[str, Any], message: str) -> None:
    with pytest.raises(UsageError) as err:
        Settings(**given)
    assert str(err.value) == message


def test_a_long_value_is_cut_to_one_short_line() -> None:
    with pytest.raises(UsageError) as err:
        Settings(batch_size="8" * 200)
    assert str(err.value) == f"batch_size='{'8' * 56}...: expected a whole number (int), got str"
