"""The one place where mtqa's exceptions live.

Every message names the bad thing and the fix, in one line. The CLI prints
``str(error)`` and exits with ``error.exit_code``.
"""

from __future__ import annotations


class MtqaError(Exception):
    """Base class: a user-facing problem (exit code 1)."""

    exit_code = 1


class UsageError(MtqaError):
    """Bad command-line usage (exit code 2)."""

    exit_code = 2


class InputError(MtqaError):
    """An input file or record cannot be read; message starts with ``path:line:``."""

    def __init__(self, path: str, line: int | None, message: str) -> None:
        self.path = path
        self.line = line
        self.message = message
        where = path if line is None else f"{path}:{line}"
        super().__init__(f"{where}: {message}")


class AnnotateError(InputError):
    """An input was read and scored, but no annotated copy of it can be written (an
    encoding or markup the byte-minimal editor cannot follow); that copy fails alone."""


class ModelError(MtqaError):
    """The language model is missing, corrupt or cannot be loaded."""


class OutputError(MtqaError):
    """The output folder cannot be written, or holds a run with other settings."""


class CalibrationError(MtqaError):
    """Calibration data is missing or does not match the model."""


def one_line(message: str) -> str:
    """``message`` on one line (a wrapped library error must not spill over several)."""
    return " ".join(message.split())
