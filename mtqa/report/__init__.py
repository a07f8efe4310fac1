"""Report writers, looked up by format name (``WRITERS``)."""

from __future__ import annotations

from mtqa.report.base import Writer
from mtqa.report.html import HtmlWriter
from mtqa.report.jsonl import JsonlWriter
from mtqa.report.table import CsvWriter

WRITERS: dict[str, type[Writer]] = {
    "csv": CsvWriter,
    "jsonl": JsonlWriter,
    "html": HtmlWriter,
}

__all__ = ["WRITERS", "Writer"]
