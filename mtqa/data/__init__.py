"""Package data: fitted detectors (``detectors/<model>.json``) and word lists (``words/*.toml``).

Found through :mod:`importlib.resources`, so they work from a wheel as from a checkout.
"""

from __future__ import annotations

import tomllib
from functools import cache
from importlib.resources import files
from importlib.resources.abc import Traversable
from typing import Any


def resource(*parts: str) -> Traversable:
    """The package data file ``mtqa/data/<parts...>`` (it may not exist)."""
    return files(__name__).joinpath(*parts)


@cache
def word_lists(name: str) -> dict[str, Any]:
    """The word lists ``words/<name>.toml`` as parsed TOML (read once per process)."""
    return tomllib.loads(resource("words", f"{name}.toml").read_text(encoding="utf-8"))
