"""mtqa: find garbled spans in machine-translated English with a causal language model.

The Python API (:mod:`mtqa.api`)::

    import mtqa

    result = mtqa.check("The council met on Monday. is rebel.", model="gemma3-270m")
    result.spans        # pandas DataFrame: one row per flagged span
    result.sentences    # the rows of sentences.csv

    checker = mtqa.Checker(model="gemma3-270m", device="cpu")  # loads the model once
    checker.check(["First text.", "Second text."]).to_csv("sentences.csv")
    mtqa.Checker(mtqa.Settings(model="gemma3-270m", batch_size=8))  # or from a Settings

``Checker``, ``check``, ``CheckResult`` and ``Settings`` are imported on first use, and so is each
submodule named as an attribute (``mtqa.errors.UsageError``, ``mtqa.records.Document``,
``mtqa.pipeline.run_check``), so ``import mtqa`` stays light: it imports neither torch,
transformers nor pandas.
"""

from __future__ import annotations

import pkgutil
from importlib import import_module
from typing import TYPE_CHECKING, Any

from mtqa.version import __version__

if TYPE_CHECKING:
    from mtqa.api import Checker, CheckResult, check
    from mtqa.settings import Settings

__all__ = ["CheckResult", "Checker", "Settings", "__version__", "check"]
#: the names imported on first use → their module
_LAZY = {"Checker": "api", "CheckResult": "api", "check": "api", "Settings": "settings"}


def _submodules() -> set[str]:
    """The names of mtqa's submodules and subpackages (``errors``, ``records``, ``lm``...)."""
    return {m.name for m in pkgutil.iter_modules(__path__) if not m.name.startswith("_")}


def __getattr__(name: str) -> Any:
    """``mtqa.Checker``, ``mtqa.CheckResult``, ``mtqa.check`` and ``mtqa.Settings``, and
    each submodule (``mtqa.errors``), imported on first use."""
    if name in _LAZY:
        return getattr(import_module(f"mtqa.{_LAZY[name]}"), name)
    if name in _submodules():
        return import_module(f"mtqa.{name}")
    raise AttributeError(f"module 'mtqa' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY) | _submodules())
