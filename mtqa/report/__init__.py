"""Report writers, looked up by format name.

The registry holds import paths, so choosing the writers imports only what they
need (pandas is imported by the CSV writer alone, and only when it is used).
"""

from __future__ import annotations

from importlib import import_module

from mtqa.report.base import Writer

WRITERS: dict[str, str] = {
    "csv": "mtqa.report.table:CsvWriter",
    "jsonl": "mtqa.report.jsonl:JsonlWriter",
    "html": "mtqa.report.html:HtmlWriter",
}


def writer_class(name: str) -> type[Writer]:
    module, cls = WRITERS[name].split(":")
    found: type[Writer] = getattr(import_module(module), cls)
    return found


__all__ = ["WRITERS", "Writer", "writer_class"]
