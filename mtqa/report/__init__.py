"""Report writers, looked up by format name.

The registry holds import paths, so choosing the writers imports only what they
need (pandas is imported by the CSV writer alone, and only when it is used).
"""

from __future__ import annotations

from importlib import import_module
from pathlib import Path

from mtqa.report.base import Writer

WRITERS: dict[str, str] = {
    "csv": "mtqa.report.table:CsvWriter",
    "jsonl": "mtqa.report.jsonl:JsonlWriter",
    "html": "mtqa.report.html:HtmlWriter",
}
# Each format's file (the writers' ``filename``, kept here so naming one imports nothing).
FILENAMES: dict[str, str] = {
    "csv": "sentences.csv",
    "jsonl": "segments.jsonl",
    "html": "report.html",
}


def writer_class(name: str) -> type[Writer]:
    """The writer of format ``name`` (``csv``, ``jsonl``, ``html``), imported now."""
    module, cls = WRITERS[name].split(":")
    found: type[Writer] = getattr(import_module(module), cls)
    return found


def remove_other_reports(outdir: Path, formats: tuple[str, ...] | list[str]) -> list[Path]:
    """Delete the report files of formats not in ``formats`` (left by an earlier run, they would
    look current); only files mtqa writes. Returns the files deleted."""
    gone = []
    for fmt, name in FILENAMES.items():
        path = outdir / name
        if fmt not in formats and path.is_file():
            path.unlink()
            gone.append(path)
    return gone


__all__ = ["FILENAMES", "WRITERS", "Writer", "remove_other_reports", "writer_class"]
