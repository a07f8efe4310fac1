"""Writer base: stream documents into a temp file, rename into place on close."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import IO, Any, ClassVar

from mtqa.records import DocumentResult, SentenceResult


def spans_cell(s: SentenceResult) -> str:
    """Readable spans: ``"massaging" major: lm 21.4 bits; ...``."""
    return "; ".join(f'"{sp.text}" {sp.severity}: {sp.source}' for sp in s.spans)


def reasons_cell(s: SentenceResult) -> str:
    return " | ".join(dict.fromkeys(sp.reason for sp in s.spans))


class Writer:
    """Subclasses set ``filename`` and implement ``write``; ``header``/``footer`` optional."""

    filename: ClassVar[str]
    binary: ClassVar[bool] = False

    def __init__(self, outdir: Path, run: dict[str, Any]) -> None:
        self.outdir = outdir
        self.run = run
        self.final = outdir / self.filename
        fd, self.tmp = tempfile.mkstemp(prefix=f".{self.filename}.", suffix=".tmp", dir=outdir)
        self.fh: IO[str] = os.fdopen(fd, "w", encoding="utf-8", newline="")
        self.count = 0
        self.header()

    def header(self) -> None:
        pass

    def write(self, result: DocumentResult) -> None:
        raise NotImplementedError

    def footer(self) -> None:
        pass

    def close(self) -> Path:
        self.footer()
        self.fh.close()
        os.replace(self.tmp, self.final)
        return self.final

    def abort(self) -> None:
        self.fh.close()
        if os.path.exists(self.tmp):
            os.unlink(self.tmp)
