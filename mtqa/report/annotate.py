"""Flags written back into copies of translators' files: ``--format xliff``, ``po``, ``tmx``.

For every input read from an XLIFF, PO or TMX file (:mod:`mtqa.io`), a copy of that file
with mtqa's flags as notes goes to ``OUTDIR/annotated/<prefix folder>/<file name>``: the
input's path relative to its input folder, file name and suffix kept (``a.xlf`` →
``annotated/a.xlf``, ``in/sub/b.po`` given as ``in`` → ``annotated/sub/b.po``); where two
inputs would share that path, the longer one of their ids' prefix
(:func:`mtqa.readers.doc_prefixes`: ``fr/b.po`` and ``de/b.po`` → ``annotated/fr/b.po``,
``annotated/de/b.po``). ``--format xliff`` writes the copies of the ``.xlf``/``.xliff``
inputs, ``po`` of the ``.po`` inputs, ``tmx`` of the ``.tmx`` ones; name several to get
several. What a note holds and which review state a flagged unit gets is the format
module's (:mod:`mtqa.io.xliff`, :mod:`mtqa.io.po`, :mod:`mtqa.io.tmx`); nothing else in
the file changes.

Results stream in one document at a time (resumed documents too); the writer keeps only
each unit's flags and writes the copies on close, each atomically. Copies of this format
left in ``annotated/`` by an earlier run whose inputs are gone are removed, so the folder
always matches the run. An input file none of whose units was scored gets no copy.

A copy that cannot be made or written — the input changed since it was read, it has an
encoding or markup the byte-minimal edit cannot follow (:class:`~mtqa.errors.AnnotateError`),
or writing the copy fails (an ``OSError``: a folder in the copy's place, no permission, a
full disk) — is a :class:`~mtqa.records.Failure` of that input (``failures``, which the run
reports like any unreadable input); the other copies, every report and ``run.json`` are
still written. A copy left by an earlier run for such an input is removed, never left
looking current; a stale copy that cannot be removed is a failure too, naming it.

The unit a result belongs to is known by its ``doc_id`` (``<prefix>#<unit id>``, or
``<prefix>:<line>`` for units without an id, :func:`mtqa.io.base.doc_id_of`); the prefix
is recovered by matching the doc ids against the file's units (:func:`infer_prefix`).
"""

from __future__ import annotations

import errno
from collections.abc import Iterable, Sequence
from pathlib import Path, PurePosixPath
from types import ModuleType
from typing import Any, ClassVar

from mtqa.errors import AnnotateError, InputError, OutputError, named
from mtqa.io import writer_for
from mtqa.io.base import Flag, Unit, UnitFlags, doc_id_of
from mtqa.records import DocumentResult, Failure
from mtqa.report import ANNOTATED
from mtqa.report.base import Writer
from mtqa.store import write_failed

FOLDER = "annotated"


def unit_suffix(unit: Unit) -> str:
    """What follows the prefix in the unit's doc id: ``#<id>``, ``:<line>`` or
    ``:<line>.<n>`` (:func:`mtqa.io.base.doc_id_of`, with no prefix)."""
    return doc_id_of(unit, "")


def infer_prefix(path: str, doc_ids: Iterable[str], units: Sequence[Unit]) -> str | None:
    """The doc-id prefix the reader gave ``path``'s units, from the doc ids seen, or None.

    A candidate must explain every doc id; among several, one that ends the file's path
    without its suffix wins (the reader's rule), then the longest.
    """
    suffixes = {unit_suffix(u) for u in units}
    found: set[str] | None = None
    for d in doc_ids:
        mine = {d[: len(d) - len(s)] for s in suffixes if d.endswith(s)}
        found = mine if found is None else found & mine
    if not found:
        return None
    stem = PurePosixPath(Path(path).with_suffix("").as_posix())
    on_path = [c for c in found if c and stem.as_posix().endswith(c)]
    return max(on_path or found, key=lambda c: (len(c), c))


def unit_flags(result: DocumentResult) -> UnitFlags:
    """What mtqa found in one unit (its document): severity and the spans as flags."""
    flags = tuple(Flag.from_span(sp, 0, sp.suggestion) for sp in result.spans)
    return UnitFlags(result.severity, flags)


def _in_the_way(path: Path) -> Path | None:
    """The first path above ``path`` that exists and is not a folder (a file where one of
    its folders should be), or None."""
    for parent in reversed(path.parents):
        if parent.exists() and not parent.is_dir():
            return parent
    return None


def copy_write_failed(dst: Path, exc: OSError) -> str:
    """Why the copy ``dst`` could not be written and the fix, in one line: a folder in the
    copy's place or a file in its folder's place is to be moved away (mtqa chose the path),
    other reasons get :func:`mtqa.store.write_failed`'s fix (a full disk: free some space)."""
    why = exc.strerror or type(exc).__name__
    if exc.errno == errno.EISDIR or dst.is_dir():
        fix = "a folder is in the copy's place: move it away and rerun"
        return f"{dst}: cannot write ({why}); {fix}"
    blocker = _in_the_way(dst)  # ENOTDIR, or EEXIST from making the folder
    if blocker is not None:
        return (
            f"{dst}: cannot write ({why}); {blocker} is a file where a folder is needed: "
            "move it away and rerun"
        )
    return str(write_failed(dst, exc))


def _safe_relative(prefix: str, name: str) -> PurePosixPath | None:
    """The copy's path under ``annotated/``: the prefix's folder and the file's name (the
    prefix with the suffix, unless the prefix holds the suffix already: ``x.po``), or None
    when that would leave the folder."""
    rel = PurePosixPath(prefix).parent / name
    if rel.is_absolute() or ".." in rel.parts or not rel.name:
        return None
    return rel


class AnnotatedWriter(Writer):
    """Copies of the ``fmt`` inputs with the flags as notes, under ``OUTDIR/annotated/``."""

    filename = FOLDER
    fmt: ClassVar[str]

    def __init__(self, outdir: Path, run: dict[str, Any]) -> None:  # no single temp file
        self.outdir = outdir
        self.run = run
        self.final = outdir / FOLDER
        self.count = 0
        self.suffixes = set(ANNOTATED[self.fmt])
        # input path -> {doc_id: flags}, in input order
        self.found: dict[str, dict[str, UnitFlags]] = {}
        self.written: list[Path] = []
        self.failures: list[Failure] = []
        self.notices: list[str] = []

    def write(self, result: DocumentResult) -> None:
        """Keep the flags of a result read from an input of this format."""
        if Path(result.path).suffix.lower() in self.suffixes:
            self.found.setdefault(result.path, {})[result.doc_id] = unit_flags(result)
            self.count += 1

    def close(self) -> Path:
        """Write every copy; drop this format's copies of inputs no longer in the run.

        A copy that cannot be made is a failure of its input (``failures``), not of the run.
        """
        module = writer_for(self.fmt)
        for src, found in self.found.items():
            try:
                self.written.append(self._copy(module, src, found))
            except InputError as exc:  # AnnotateError too
                msg = f"annotated copy not written: {exc.message}"
                self.failures.append(Failure(exc.path, exc.line, msg))
            except ValueError as exc:  # ids that are no units of the file: it changed
                msg = f"annotated copy not written: {exc}; the file changed during the run?"
                self.failures.append(Failure(src, None, f"{msg} rerun the check"))
        if not self.count:  # a copy keeps its input's format: --format xliff of a .po run
            kinds = " or ".join(ANNOTATED[self.fmt])
            self.notices = [
                f"--format {self.fmt}: no {kinds} input, so no annotated {self.fmt} copy is "
                "written (a copy keeps its input's format)"
            ]
        self._drop_stale()
        return self.final

    def _copy(self, module: ModuleType, src: str, found: dict[str, UnitFlags]) -> Path:
        """Write the annotated copy of ``src``; its path."""
        units = module.read_units(src)
        prefix = infer_prefix(src, found, units)
        rel = _safe_relative(prefix, Path(src).name) if prefix is not None else None
        if prefix is None or rel is None:
            raise InputError(
                src,
                None,
                "cannot tell which units of the file the results belong to; rerun with "
                f"{named('overwrite', True)}",
            )
        dst = self.final / rel
        flagged = {k: f for k, f in found.items() if f.flags or f.worst != "none"}
        try:
            module.write_flags(src, str(dst), flagged, prefix)
        except OutputError as exc:  # atomic_write's, from the OSError
            cause = exc.__cause__
            why = copy_write_failed(dst, cause) if isinstance(cause, OSError) else str(exc)
            raise AnnotateError(src, None, why) from None
        except OSError as exc:
            raise AnnotateError(src, None, copy_write_failed(dst, exc)) from None
        return dst

    def _drop_stale(self) -> None:
        if not self.final.is_dir():
            return
        keep = set(self.written)
        for p in sorted(self.final.rglob("*")):
            if p.is_file() and p.suffix.lower() in self.suffixes and p not in keep:
                try:
                    p.unlink()
                except OSError as exc:
                    why = exc.strerror or type(exc).__name__
                    msg = (
                        f"annotated copy of an earlier run not removed ({why}); it is no copy "
                        "of this run: delete it"
                    )
                    self.failures.append(Failure(str(p), None, msg))

    def abort(self) -> None:
        """Nothing to drop: the copies are written on close only."""


class XliffWriter(AnnotatedWriter):
    """``--format xliff``: annotated copies of the ``.xlf``/``.xliff`` inputs."""

    fmt = "xliff"


class PoWriter(AnnotatedWriter):
    """``--format po``: annotated copies of the ``.po`` inputs."""

    fmt = "po"


class TmxWriter(AnnotatedWriter):
    """``--format tmx``: annotated copies of the ``.tmx`` inputs."""

    fmt = "tmx"
