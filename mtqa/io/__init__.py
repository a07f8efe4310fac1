"""Translators' exchange formats in and out: XLIFF 1.2/2.0, PO and TMX via translate-toolkit.

One translation unit is one mtqa record (:mod:`mtqa.io.base` has the rules: ids,
skipped units, duplicates); inline tags become plain text with a map back
(:mod:`mtqa.io.inline`); flags go back into a copy of the file as notes and review
states, and nothing else in the file changes (:mod:`mtqa.io.xmledit`, :mod:`mtqa.io.po`).

``READERS`` maps a file suffix to the module that reads it, ``WRITERS`` a ``--format``
name to the module that writes flags back; each module has ``read_units(path)``,
``read_documents(path, prefix)`` and ``write_flags(src, dst, found, prefix)``. Modules
are imported on first use, so ``import mtqa.io`` does not load translate-toolkit.
"""

from __future__ import annotations

import importlib
from types import ModuleType

from mtqa.io.base import Flag, Skipped, Unit, UnitFlags
from mtqa.io.inline import TaggedText

READERS: dict[str, str] = {
    ".xlf": "mtqa.io.xliff",
    ".xliff": "mtqa.io.xliff",
    ".po": "mtqa.io.po",
    ".tmx": "mtqa.io.tmx",
}
WRITERS: dict[str, str] = {"xliff": "mtqa.io.xliff", "po": "mtqa.io.po", "tmx": "mtqa.io.tmx"}


def reader_for(suffix: str) -> ModuleType | None:
    """The format module that reads files with this suffix (``.xlf``…), or None."""
    name = READERS.get(suffix.lower())
    return importlib.import_module(name) if name else None


def writer_for(fmt: str) -> ModuleType:
    """The format module that writes flags back for ``fmt`` (a ``WRITERS`` key).

    Raises ``KeyError`` for an unknown name (the CLI offers ``WRITERS`` as its choices).
    """
    return importlib.import_module(WRITERS[fmt])


__all__ = [
    "READERS",
    "WRITERS",
    "Flag",
    "Skipped",
    "TaggedText",
    "Unit",
    "UnitFlags",
    "reader_for",
    "writer_for",
]
