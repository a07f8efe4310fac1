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
``glossary``, ``reference``, ``source``, ``outdir`` and a ``model`` that is no preset name
are relative to the file's folder, and must exist (but ``outdir``); ``outdir = "-"`` is
standard output, as ``-o -``. An
empty list is the option's default for ``ignore`` (none) and an error for ``select`` and
``format`` (it would run or write nothing). An unknown key (with the nearest key when one is
close), a key given in both spellings, a bad value or a file that is not TOML is a
:class:`~mtqa.errors.UsageError` naming the file and the key.

``--config`` and ``--no-config`` are found as argparse reads them, abbreviated too
(``--conf FILE``, ``--no-conf``). With ``--help`` a config file that cannot be applied is
skipped, so that the help shows.
"""

from __future__ import annotations

import argparse
import difflib
import tomllib
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from mtqa.errors import UsageError
from mtqa.lm.presets import PRESETS
from mtqa.readers.decode import kind

NAMES = ("mtqa.toml", "pyproject.toml")
PATH_KEYS = ("calibration", "glossary", "reference", "source", "outdir")
LIST_KEYS = ("format", "select", "ignore")
NOT_KEYS = ("config", "no-config", "help")  # options that make no sense in the file


def _table(path: Path) -> dict[str, Any] | None:
    """The mtqa table of ``path`` (None: a pyproject.toml without ``[tool.mtqa]``)."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        why = exc.strerror or type(exc).__name__
        fix = "check its permissions"
        raise UsageError(f"{path}: cannot read the config file ({why}); {fix}") from None
    except UnicodeDecodeError as exc:
        raise UsageError(
            f"{path}: the config file is not UTF-8 text (byte {exc.start}: "
            f"0x{exc.object[exc.start]:02x}); save it as UTF-8, as TOML requires"
        ) from None
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
    if p.is_dir():
        inside = [n for n in NAMES if (p / n).is_file()]
        fix = f"pass {p / inside[0]}" if inside else f"name a file ({' or '.join(NAMES)})"
        raise UsageError(f"--config {path}: is a folder, not a file; {fix}")
    if not p.is_file():
        what = (
            f"not a regular file ({kind(p.stat().st_mode)}); name a TOML file"
            if p.exists()
            else "no such file"
        )
        raise UsageError(f"--config {path}: {what}")
    return p, _table(p) or {}


def _path(key: str, value: str, where: str, base: Path) -> str:
    """A path value of the file, relative to its folder ``base`` (``outdir = "-"``: standard
    output; a ``model`` that names a preset stays a name)."""
    if not value.strip():
        raise UsageError(f"{where}: an empty path; name a file or folder, or leave the key out")
    if (key == "outdir" and value == "-") or (key == "model" and value in (*PRESETS, "fake")):
        return value
    path = base / Path(value).expanduser()
    if key != "outdir" and not path.exists():  # an input: checked here, where the key is known
        at = "" if str(path) == value else f" ({path})"
        what = f"no such file or folder{at}"
        if key == "model":
            what = f"not a preset ({', '.join(PRESETS)}), nor a file or folder{at}"
        raise UsageError(
            f"{where}: {value!r}: {what}; fix the path (a relative one is from this file's "
            "folder) or leave the key out"
        )
    return str(path)


def _listed(key: str, value: list[Any], where: str) -> str | None:
    """A TOML list of ``format``, ``select`` or ``ignore`` as the comma string the option
    takes; None (the default) for an empty ``ignore``."""
    if not all(isinstance(v, str) for v in value):
        raise UsageError(f"{where}: expected a list of strings, not {value!r}")
    if not value:
        if key == "ignore":
            return None  # ignore nothing: the default
        what = "no check" if key == "select" else "no report"
        raise UsageError(
            f"{where}: an empty list names {what}; list some, or leave the key out for the default"
        )
    return ",".join(value)


def _convert(action: argparse.Action, value: Any, where: str, base: Path, key: str) -> Any:
    """A TOML value of ``key`` as the option's default (the type the parser would have
    made); a flag's ``no-X`` key (``no-suggest = true``) stores the opposite."""
    if action.nargs == 0:  # a flag
        if not isinstance(value, bool):
            raise UsageError(f"{where}: expected true or false, not {value!r}")
        return not value if f"--{key}" != action.option_strings[0] else value
    key = action.dest.replace("_", "-")
    if key in LIST_KEYS and isinstance(value, list):
        value = _listed(key, value, where)
        if value is None:
            return None
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
    if key in (*PATH_KEYS, "model") and isinstance(converted, str):
        converted = _path(key, converted, where, base)
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
    seen: dict[str, str] = {}  # the option (its dest) -> its key's spelling in the file
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
            near = difflib.get_close_matches(key.lower(), by_key, n=1, cutoff=0.75)
            mean = f"; did you mean {near[0]!r}?" if near else ""
            raise UsageError(
                f"{where}: unknown key{hint}; the keys are the options of mtqa check: {known}{mean}"
            )
        if action.dest in seen:
            twice = seen[action.dest]
            why = (
                "'_' and '-' spell the same key"
                if twice.replace("_", "-") == key
                else f"the {key.removeprefix('no-')} option both ways"
            )
            raise UsageError(f"{where}: given twice, also as {twice!r} ({why}); keep one")
        seen[action.dest] = raw_key
        action.default = _convert(action, value, where, path.parent, key)


def _long_option(parser: argparse.ArgumentParser, arg: str) -> str | None:
    """The long option ``arg`` (``--conf``, ``--config=x``) stands for as argparse reads it:
    the option itself or the one option it is a prefix of; None for anything else."""
    name = arg.split("=", 1)[0]
    if not name.startswith("--") or name == "--":
        return None
    longs = {o for a in parser._actions for o in a.option_strings if o.startswith("--")}
    if name in longs:
        return name
    hits = [o for o in longs if o.startswith(name)]
    return hits[0] if len(hits) == 1 else None


def asks_help(parser: argparse.ArgumentParser, args: Sequence[str]) -> bool:
    """Whether ``args`` ask for ``--help`` (``-h``, ``--help``, ``--he``)."""
    return any(a == "-h" or _long_option(parser, a) == "--help" for a in args)


def configure(parser: argparse.ArgumentParser, argv: Sequence[str]) -> Path | None:
    """Apply the config file that ``argv`` (``mtqa check``'s arguments) asks for:
    ``--config FILE``, none with ``--no-config`` (either abbreviated as argparse allows),
    else the one :func:`find_config` finds. The file applied, or None."""
    args = list(argv)
    given = None
    for i, arg in enumerate(args):
        if arg == "--":
            break
        option = _long_option(parser, arg)
        if option == "--no-config":
            return None
        if option == "--config":
            if "=" in arg:
                given = arg.split("=", 1)[1]
            elif i + 1 < len(args):
                given = args[i + 1]
    try:
        found = load_config(given) if given is not None else find_config()
        if found is None:
            return None
        apply_config(parser, *found)
    except UsageError:
        if asks_help(parser, args):  # the help shows whatever the file holds
            return None
        raise
    return found[0]
