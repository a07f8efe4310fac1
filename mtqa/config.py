"""``mtqa check``'s options from a config file: ``mtqa.toml`` or ``[tool.mtqa]`` in
``pyproject.toml``.

The file is looked for in the current folder, then each parent; the first folder with an
``mtqa.toml``, or a ``pyproject.toml`` that has a ``[tool.mtqa]`` table, wins
(``mtqa.toml`` first). ``--config FILE`` names one; ``--no-config`` reads none.

Keys are the long options of ``mtqa check`` without ``--`` (``fail-on``, ``batch-size``;
``_`` for ``-`` is accepted), with TOML values: strings, numbers, ``true`` for a flag, and
lists or comma strings for ``format``, ``select`` and ``ignore``::

    [tool.mtqa]
    model = "gemma3-270m"
    select = ["lm", "rule"]
    ignore = ["rule:src-names"]
    fail-on = "major"
    threshold = 0.42

A value on the command line wins over the file. Relative paths in ``calibration``,
``glossary``, ``reference``, ``source`` and ``outdir`` are relative to the file's folder.
An unknown key, a bad value or a file that is not TOML is a
:class:`~mtqa.errors.UsageError` naming the file and the key.
"""

from __future__ import annotations

import argparse
import tomllib
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from mtqa.errors import UsageError

NAMES = ("mtqa.toml", "pyproject.toml")
PATH_KEYS = ("calibration", "glossary", "reference", "source", "outdir")
LIST_KEYS = ("format", "select", "ignore")
NOT_KEYS = ("config", "no-config", "help")  # options that make no sense in the file


def _table(path: Path) -> dict[str, Any] | None:
    """The mtqa table of ``path`` (None: a pyproject.toml without ``[tool.mtqa]``)."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"{path}: cannot read the config file ({exc})") from None
    except tomllib.TOMLDecodeError as exc:
        raise UsageError(f"{path}: not valid TOML ({exc}); fix the file") from None
    if path.name != "pyproject.toml":
        return data
    table = data.get("tool", {}).get("mtqa")
    if table is not None and not isinstance(table, dict):
        raise UsageError(f"{path}: [tool.mtqa] must be a table")
    return table


def find_config(start: Path | None = None) -> tuple[Path, dict[str, Any]] | None:
    """The config file that applies in ``start`` (default: the current folder) and its
    table, or None (module docstring)."""
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        for name in NAMES:
            path = folder / name
            if path.is_file() and (table := _table(path)) is not None:
                return path, table
    return None


def load_config(path: str | Path) -> tuple[Path, dict[str, Any]]:
    """``--config FILE``: the file and its table (a pyproject.toml without ``[tool.mtqa]``
    gives an empty one)."""
    p = Path(path)
    if not p.is_file():
        raise UsageError(f"--config {path}: no such file")
    return p, _table(p) or {}


def _convert(action: argparse.Action, value: Any, where: str, base: Path) -> Any:
    """A TOML value as the option's default (the type the parser would have made)."""
    key = action.dest.replace("_", "-")
    if action.nargs == 0:  # a flag
        if not isinstance(value, bool):
            raise UsageError(f"{where}: expected true or false, not {value!r}")
        return value
    if key in LIST_KEYS and isinstance(value, list):
        value = ",".join(str(v) for v in value)
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise UsageError(f"{where}: expected a string or a number, not {value!r}")
    try:
        converted = action.type(str(value)) if callable(action.type) else str(value)
    except (TypeError, ValueError):
        want = {int: "a whole number", float: "a number"}.get(action.type)  # type: ignore[call-overload]
        fix = f"; write {want}" if want else "; see mtqa check --help"
        raise UsageError(f"{where}: {value!r} is not a valid value{fix}") from None
    if action.choices is not None and converted not in action.choices:
        choices = ", ".join(map(str, action.choices))
        raise UsageError(f"{where}: {value!r}: choose one of {choices}")
    if key in PATH_KEYS and isinstance(converted, str):
        converted = str(base / Path(converted).expanduser())
    return converted


def apply_config(parser: argparse.ArgumentParser, path: Path, table: dict[str, Any]) -> None:
    """Make the table's values the defaults of ``parser`` (so the command line wins).

    Raises :class:`~mtqa.errors.UsageError` for an unknown key or a bad value, naming
    ``path`` and the key.
    """
    by_key = {
        opt[2:]: action
        for action in parser._actions
        for opt in action.option_strings
        if opt.startswith("--") and opt[2:] not in NOT_KEYS
    }
    pyproject = path.name == "pyproject.toml"
    for raw_key, value in table.items():
        key = raw_key.replace("_", "-")
        where = f"{path}: [tool.mtqa] {raw_key}" if pyproject else f"{path}: {raw_key}"
        action = by_key.get(key)
        if action is None:
            known = ", ".join(sorted(by_key))
            hint = (
                " (mtqa.toml takes the keys at its top level, without a table)"
                if not pyproject and isinstance(value, dict)
                else ""
            )
            raise UsageError(
                f"{where}: unknown key{hint}; the keys are the options of mtqa check: {known}"
            )
        action.default = _convert(action, value, where, path.parent)


def configure(parser: argparse.ArgumentParser, argv: Sequence[str]) -> Path | None:
    """Apply the config file that ``argv`` (``mtqa check``'s arguments) asks for:
    ``--config FILE``, none with ``--no-config``, else the one :func:`find_config` finds.
    The file applied, or None."""
    args = list(argv)
    if "--no-config" in args:
        return None
    given = None
    for i, arg in enumerate(args):
        if arg == "--config" and i + 1 < len(args):
            given = args[i + 1]
        elif arg.startswith("--config="):
            given = arg.split("=", 1)[1]
    found = load_config(given) if given is not None else find_config()
    if found is None:
        return None
    apply_config(parser, *found)
    return found[0]
