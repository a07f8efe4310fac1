"""Report writers, looked up by format name.

The registry holds import paths, so choosing the writers imports only what they
need (pandas is imported by the CSV writer alone, and only when it is used).
``csv``, ``jsonl`` and ``html`` write one report file each (the default formats);
``xliff``, ``po`` and ``tmx`` write annotated copies of the inputs of that format
under ``annotated/`` (:mod:`mtqa.report.annotate`).
"""

from __future__ import annotations

from importlib import import_module
from pathlib import Path

from mtqa.report.base import Writer

WRITERS: dict[str, str] = {
    "csv": "mtqa.report.table:CsvWriter",
    "jsonl": "mtqa.report.jsonl:JsonlWriter",
    "html": "mtqa.report.html:HtmlWriter",
    "xliff": "mtqa.report.annotate:XliffWriter",
    "po": "mtqa.report.annotate:PoWriter",
    "tmx": "mtqa.report.annotate:TmxWriter",
}
DEFAULT_FORMATS: tuple[str, ...] = ("csv", "jsonl", "html")
# Each format's file or folder (the writers' ``filename``, kept here so naming one imports
# nothing).
FILENAMES: dict[str, str] = {
    "csv": "sentences.csv",
    "jsonl": "segments.jsonl",
    "html": "report.html",
    "xliff": "annotated",
    "po": "annotated",
    "tmx": "annotated",
}
# The input suffixes whose annotated copies each write-back format makes (mtqa.io.READERS).
ANNOTATED: dict[str, tuple[str, ...]] = {
    "xliff": (".xlf", ".xliff"),
    "po": (".po",),
    "tmx": (".tmx",),
}


def writer_class(name: str) -> type[Writer]:
    """The writer of format ``name`` (a :data:`WRITERS` key), imported now."""
    module, cls = WRITERS[name].split(":")
    found: type[Writer] = getattr(import_module(module), cls)
    return found


def remove_other_reports(outdir: Path, formats: tuple[str, ...] | list[str]) -> list[Path]:
    """Delete the report files of formats not in ``formats`` (left by an earlier run, they would
    look current); only files mtqa writes. Returns the files deleted."""
    gone = []
    for fmt, name in FILENAMES.items():
        path = outdir / name
        if fmt in formats:
            continue
        if fmt not in ANNOTATED and path.is_file():
            path.unlink()
            gone.append(path)
        elif fmt in ANNOTATED and path.is_dir():  # a file named annotated is not mtqa's
            for p in sorted(path.rglob("*")):
                if p.is_file() and p.suffix.lower() in ANNOTATED[fmt]:
                    p.unlink()
                    gone.append(p)
    return gone


__all__ = [
    "ANNOTATED",
    "DEFAULT_FORMATS",
    "FILENAMES",
    "WRITERS",
    "Writer",
    "remove_other_reports",
    "writer_class",
]
