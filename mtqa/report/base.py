"""Writer base: stream documents into a temp file, rename into place on close.

A crash or Ctrl-C before ``close`` leaves only a hidden ``.NAME.XXXX.tmp`` (removed by
``abort``), never a truncated file under the final name; files get the umask's mode.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import IO, Any, ClassVar

from mtqa.errors import OutputError
from mtqa.records import DocumentResult, Failure, SentenceResult
from mtqa.store import create_temp, replace_into, write_failed

# Spreadsheet safety (OWASP "CSV injection"): a text cell starting with one of these is run as
# a formula by Excel, LibreOffice and Google Sheets. Such cells are written with a leading "'"
# (shown as text, never run); ``mtqa review`` removes exactly that quote when reading back.
FORMULA_START = frozenset("=+-@\t\r")


def needs_guard(cell: str) -> bool:
    """Whether ``cell`` gets a guard quote: it starts, after any ``'``, with a formula character.

    Counting the leading quotes makes the guard reversible: a text that really starts with
    ``'=`` is written ``''=`` and read back as ``'=``.
    """
    i = len(cell) - len(cell.lstrip("'"))
    return i < len(cell) and cell[i] in FORMULA_START


def guard_cell(cell: str) -> str:
    """``cell`` as written to a spreadsheet CSV: ``'`` + cell when :func:`needs_guard`."""
    return "'" + cell if needs_guard(cell) else cell


def unguard_cell(cell: str) -> str:
    """The inverse of :func:`guard_cell` (``unguard_cell(guard_cell(x)) == x`` for every x)."""
    return cell[1:] if cell.startswith("'") and needs_guard(cell[1:]) else cell


def quoted(text: str) -> str:
    """``text`` in double quotes, a ``"`` or ``\\`` inside it escaped with ``\\``
    (``say "no"`` → ``"say \\"no\\""``): a cell's span texts read back unambiguously."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def spans_cell(s: SentenceResult) -> str:
    """Readable spans: ``"massaging" major: lm; "States. is" major: rule:broken-join``
    (span texts :func:`quoted`)."""
    return "; ".join(f"{quoted(sp.text)} {sp.severity}: {sp.source}" for sp in s.spans)


def suggestions_cell(s: SentenceResult) -> str:
    """Readable fixes of the spans that have one: ``"massaging" → "massing" (+38.2 bits);
    ". ." → "."; "the the" → (delete)`` (the gain in bits when the LM proposed it)."""
    out = []
    for sp in s.spans:
        if sp.suggestion is None:
            continue
        fix = quoted(sp.suggestion) if sp.suggestion else "(delete)"
        gain = f" ({sp.gain:+.1f} bits)" if sp.gain is not None else ""
        out.append(f"{quoted(sp.text)} → {fix}{gain}")
    return "; ".join(out)


def reasons_cell(s: SentenceResult) -> str:
    """The sentence's distinct span reasons, `` | ``-separated (the ``reasons`` column)."""
    return " | ".join(dict.fromkeys(sp.reason for sp in s.spans))


class Writer:
    """Subclasses set ``filename`` and implement ``write``; ``header``/``footer`` optional."""

    filename: ClassVar[str]
    binary: ClassVar[bool] = False

    #: set by :meth:`to_stream`: write there instead of a temp file beside ``final``
    stream: IO[str] | None = None

    #: inputs this writer could not serve, known after ``close`` (an annotated copy that
    #: cannot be made): the run reports them as failures and goes on
    failures: Sequence[Failure] = ()
    #: lines for people, known after ``close`` (a format asked for that had nothing to do)
    notices: Sequence[str] = ()

    def __init__(self, outdir: Path, run: dict[str, Any]) -> None:
        self.outdir = outdir
        self.run = run
        self.final = outdir / self.filename
        self.tmp: Path | None = None
        if self.stream is not None:
            self.fh: IO[str] = self.stream
        else:
            try:
                fd, self.tmp = create_temp(self.final)
            except OSError as exc:
                raise write_failed(self.final, exc) from exc
            self.fh = os.fdopen(fd, "w", encoding="utf-8", newline="")
        self.count = 0
        self.header()

    @classmethod
    def to_stream(cls, out: IO[str], run: dict[str, Any], *args: Any) -> Writer:
        """A writer of this format that writes into ``out`` (standard output, a
        ``StringIO``): the same text as the file, no file made. End it with :meth:`finish`."""
        w = cls.__new__(cls)
        w.stream = out
        w.__init__(Path(""), run, *args)  # type: ignore[misc]
        return w

    def finish(self) -> None:
        """End a :meth:`to_stream` writer: its footer, then a flush (``out`` stays open)."""
        self.footer()
        self.fh.flush()

    def header(self) -> None:
        """Write what comes before the first document (nothing by default)."""
        pass

    def write(self, result: DocumentResult) -> None:
        """Write one document's result."""
        raise NotImplementedError

    def footer(self) -> None:
        """Write what comes after the last document (nothing by default)."""
        pass

    def close(self) -> Path:
        """Finish the file and rename it into place (the only moment it becomes visible)."""
        if self.tmp is None:
            raise TypeError("a to_stream() writer ends with finish(), not close()")
        try:
            self.footer()
            self.fh.close()
            replace_into(self.tmp, self.final)
        except OSError as exc:
            raise write_failed(self.final, exc) from exc
        except OutputError:  # a device or pipe in the report's place: no temp file left
            if os.path.exists(self.tmp):
                os.unlink(self.tmp)
            raise
        return self.final

    def abort(self) -> None:
        """Drop the temp file; an earlier complete file of the same name stays as it was."""
        if self.stream is not None:
            return
        try:
            self.fh.close()
        except OSError:
            pass
        if self.tmp is not None and os.path.exists(self.tmp):
            os.unlink(self.tmp)
