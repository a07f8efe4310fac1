"""The one place where mtqa's exceptions live.

Every message names the bad thing and the fix, in one line. The CLI prints
``str(error)`` and exits with ``error.exit_code``.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar

#: the option of each setting, while a command line runs (:func:`options_named`); None:
#: messages name settings as the Python API's keywords
_OPTIONS: ContextVar[Mapping[str, str] | None] = ContextVar("mtqa_options", default=None)


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

    def __reduce__(self) -> tuple[type[InputError], tuple[str, int | None, str]]:
        """Pickled as its three parts (a Ray actor's error comes back to the driver so)."""
        return type(self), (self.path, self.line, self.message)


class AnnotateError(InputError):
    """An input was read and scored, but no annotated copy of it can be written (an
    encoding or markup the byte-minimal editor cannot follow); that copy fails alone."""


class ModelError(MtqaError):
    """The language model is missing, corrupt or cannot be loaded."""


class OutputError(MtqaError):
    """The output folder cannot be written, or holds a run with other settings."""


class CalibrationError(MtqaError):
    """Calibration data is missing or does not match the model."""


class RecordError(MtqaError, TypeError):
    """A record used as what it is not: a :class:`~mtqa.records.Span` indexed or
    measured, a :class:`~mtqa.api_result.CheckResult` indexed by a float. The message
    says what to use instead. A ``TypeError`` too, as Python raises for such a use."""


class NotInResultError(MtqaError, KeyError, IndexError):
    """A document asked of a :class:`~mtqa.api_result.CheckResult` that it does not hold:
    a position past its end, or an id it did not check (the message says why: a failure,
    or no such item). A ``KeyError`` and an ``IndexError`` too, as a lookup miss is."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else ""  # not KeyError's repr() of it


def one_line(message: str) -> str:
    """``message`` on one line (a wrapped library error must not spill over several)."""
    return " ".join(message.split())


def named(setting: str, shown: object = None) -> str:
    """The setting ``setting`` (a :class:`~mtqa.settings.Settings` field) as a message
    names it, with its value ``shown`` as the message shows it (``0``, ``'fp16'``, a
    placeholder such as ``FILE``; None: the name alone).

    Each front end renders the name its user typed: the Python API (the default) says the
    keyword (``batch_size=0``, ``calibration``), the command line (under
    :func:`options_named`) the option (``--batch-size 0``, ``--calibration``; a switch its
    option turns off, ``suggest=False``, is ``--no-suggest``; a switch set with a bool
    ``shown``, ``named("overwrite", True)``, is the option that sets it so: ``--overwrite``,
    where the API says ``overwrite=True``). So a message is written once, and no front end
    rewrites another's text. The command line names more than :class:`Settings` fields so:
    ``outdir`` (``-o``) and ``fmt`` (``--stdout``), the parameters of
    :func:`~mtqa.pipeline.run_check` and :func:`~mtqa.stream.run_stream`.
    """
    options = _OPTIONS.get()
    option = None if options is None else options.get(setting)
    if option is None:
        return setting if shown is None else f"{setting}={shown}"
    if isinstance(shown, bool):  # a switch set on or off: --overwrite, --no-suggest
        on = "--" + option.removeprefix("--").removeprefix("no-")
        return on if shown else f"--no-{on[2:]}"
    if option.startswith("--no-"):
        return option
    return option if shown is None else f"{option} {shown}"


def named_value(setting: str, value: object) -> str:
    """:func:`named` with a value as each front end's user writes it: a Python literal for
    the API (``outdir='reports/a'``, ``encoding_errors='replace'``), a shell word on the
    command line (``-o reports/a``, ``--encoding-errors replace``)."""
    options = _OPTIONS.get()
    if options is None or setting not in options:
        return named(setting, repr(value))
    import shlex

    return named(setting, shlex.quote(str(value)))


def wording() -> Mapping[str, str] | None:
    """The options messages name settings by now (:func:`options_named`), None for the
    Python API's keywords: what a worker process (a Ray actor) is to name them by too."""
    return _OPTIONS.get()


@contextmanager
def options_named(options: Mapping[str, str] | None) -> Iterator[None]:
    """Messages made in this block name each setting as its option in ``options`` (field
    → ``--option``, :func:`named`): the command line's wording; None: the API's keywords."""
    token = _OPTIONS.set(options)
    try:
        yield
    finally:
        _OPTIONS.reset(token)
