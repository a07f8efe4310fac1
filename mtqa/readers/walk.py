"""Inputs → the files to read: folders walked, and every path left out said why.

Folders are walked in sorted order; links are followed, each real folder read once (a
link back to a folder holding it is a loop). Files of other types in a folder are not
inputs and are passed over, so are hidden files and folders (a name starting with ``.``:
``.venv/``, ``.git/``, the ``._a.txt`` AppleDouble files of a folder from a Mac, which are
binary; one given by name is read), and so are mtqa's own output folders (:func:`is_output_folder`:
a rerun of ``mtqa check .`` never reads its reports back as input); a path left out for
any other reason (a FIFO or device, a broken or looping link, an unreadable folder, a path
that is not UTF-8) is a :class:`~mtqa.records.Failure`. Only folders are ever opened here.

A file reached twice — given twice (``a.txt ./a.txt``), a folder and a file in it
(``src src/a.jsonl``), or a link to a file also read — is read once (:func:`_once`), so it
is never reported as a duplicate of itself.
"""

from __future__ import annotations

import errno
import json
import os
import stat
from collections.abc import Sequence
from pathlib import Path

from mtqa.errors import InputError, UsageError
from mtqa.readers.decode import SUFFIXES, kind
from mtqa.records import Failure
from mtqa.store import PARTS
from mtqa.text import without_surrogates

#: what :func:`mtqa.pipeline.run_check` takes as its inputs: one path (one input, as the
#: CLI's INPUT), or a list or tuple of them
Inputs = str | os.PathLike[str] | Sequence[str | os.PathLike[str]]
OUTPUT_MARKS = (PARTS, "run.json")  # what makes a folder an mtqa output folder


def is_output_folder(folder: Path) -> bool:
    """Whether ``folder`` is an ``mtqa check`` output folder: it holds ``.mtqa-parts/``,
    or a ``run.json`` with mtqa's ``resume_key`` and ``signature``. A folder that cannot
    be read is none (the walk reports it as unreadable)."""
    try:
        if (folder / PARTS).is_dir():
            return True
        run = json.loads((folder / "run.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(run, dict) and "resume_key" in run and "signature" in run


def _stat(p: Path) -> os.stat_result | str:
    """``p``'s stat (links followed), or why it cannot be read."""
    try:
        return p.stat()
    except (FileNotFoundError, NotADirectoryError):
        if not p.is_symlink():
            return "no such file or folder; check the path"
        try:
            to = f" (to {os.readlink(p)!r})"
        except OSError:
            to = ""
        return f"broken symbolic link{to}; fix the link or remove it"
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return "symbolic link loop (the link leads back to itself); fix the link or remove it"
        return f"cannot read: {exc.strerror}; check the path and permissions"


def scan(inputs: Sequence[str]) -> tuple[list[tuple[Path, Path]], list[Failure]]:
    """Expand inputs to (file, root) pairs, and a Failure for every path left out.

    A folder gives its files of the :data:`SUFFIXES` types recursively, in sorted order
    (the module docstring has the rules).
    """
    found: list[tuple[Path, Path]] = []
    failures: list[Failure] = []
    for raw in inputs:
        p = Path(raw)
        st = _stat(p)
        if isinstance(st, str):
            failures.append(Failure(raw, None, st))
        elif stat.S_ISDIR(st.st_mode) and is_output_folder(p):
            failures.append(
                Failure(
                    raw,
                    None,
                    "an mtqa output folder (it holds run.json or .mtqa-parts), "
                    "not input; pass the folder of the texts to check",
                )
            )
        elif stat.S_ISDIR(st.st_mode):
            before = (len(found), len(failures))
            _walk(p, p, {os.path.realpath(p): raw}, found, failures)
            if (len(found), len(failures)) == before:
                looked = ", ".join(SUFFIXES)
                failures.append(
                    Failure(raw, None, f"no inputs in this folder (looked for {looked} files)")
                )
        elif not stat.S_ISREG(st.st_mode):
            failures.append(
                Failure(raw, None, f"not a regular file ({kind(st.st_mode)}); pass a regular file")
            )
        elif p.suffix.lower() not in SUFFIXES:
            failures.append(
                Failure(raw, None, f"unsupported file type {p.suffix!r}; use {', '.join(SUFFIXES)}")
            )
        else:
            found.append((p, p.parent))
    kept: list[tuple[Path, Path]] = []
    for p, root in found:
        fault = _not_utf8(str(p))
        if fault is None:
            kept.append((p, root))
        else:
            failures.append(Failure(str(p), None, fault))
    shown = [
        Failure(without_surrogates(f.path), f.line, without_surrogates(f.message)) for f in failures
    ]
    return _once(kept), shown


def _not_utf8(path: str) -> str | None:
    """Why a path whose name holds a byte that is not UTF-8 cannot be read (its documents'
    ids and paths could not be written to a report), or None."""
    bad = next((c for c in path if "\udc80" <= c <= "\udcff"), None)
    if bad is None:
        return None
    return (
        f"path is not valid UTF-8 (byte 0x{ord(bad) - 0xDC00:02x}); "
        "rename the file or folder to a UTF-8 name"
    )


def _once(found: list[tuple[Path, Path]]) -> list[tuple[Path, Path]]:
    """``found`` with each real file (links resolved) once, where its kept occurrence is.

    The occurrence kept does not depend on the order of the inputs: the one with the most
    of its path under its root (reached through the outermost folder given), then one that
    is no link, then the smallest path.
    """
    reals = [os.path.realpath(p) for p, _ in found]
    best: dict[str, tuple[tuple[int, bool, str, str], int]] = {}
    for i, ((p, root), real) in enumerate(zip(found, reals)):
        rank = (-len(p.relative_to(root).parts), real != os.path.abspath(p), str(p), str(root))
        if real not in best or rank < best[real][0]:
            best[real] = (rank, i)
    keep = {i for _, i in best.values()}
    return [pair for i, pair in enumerate(found) if i in keep]


def _walk(
    folder: Path,
    root: Path,
    seen: dict[str, str],
    found: list[tuple[Path, Path]],
    failures: list[Failure],
    skip: frozenset[Path] = frozenset(),
) -> None:
    """Depth-first, names sorted; ``seen``: real path → first path of every folder read;
    ``skip``: paths passed over as if absent."""
    try:
        with os.scandir(folder) as entries:
            names = sorted(e.name for e in entries)
    except OSError as exc:
        failures.append(
            Failure(
                str(folder), None, f"cannot read this folder: {exc.strerror}; check its permissions"
            )
        )
        return
    here = os.path.realpath(folder)
    # a hidden name is no input (module docstring): '.venv/', '.git/', a Mac's '._a.txt'
    names = [n for n in names if not n.startswith(".")]
    for p in (folder / name for name in names if folder / name not in skip):
        st = _stat(p)
        if isinstance(st, str):
            failures.append(Failure(str(p), None, st))
        elif stat.S_ISDIR(st.st_mode):
            real = os.path.realpath(p)
            if here == real or here.startswith(real.rstrip(os.sep) + os.sep):
                why = "link to a folder that holds it (a loop); skipped; remove the link"
            elif is_output_folder(p):
                continue  # mtqa's reports are not input
            elif real in seen:
                why = f"folder already read as {seen[real]} (two paths lead to it); skipped; "
                why += "remove the extra link"
            else:
                seen[real] = str(p)
                _walk(p, root, seen, found, failures, skip)
                continue
            failures.append(Failure(str(p), None, why))
        elif p.suffix.lower() not in SUFFIXES:
            continue
        elif stat.S_ISREG(st.st_mode):
            found.append((p, root))
        else:
            what = kind(st.st_mode)
            msg = f"not a regular file ({what}); skipped; replace it with a regular file"
            failures.append(Failure(str(p), None, msg))


def walk_folder(folder: Path, skip: frozenset[Path] = frozenset()) -> list[Path]:
    """The files a walk of ``folder`` reads as input, in walk order (:func:`scan`'s rules:
    links followed, each real folder once, output folders inside it passed over), but
    the paths in ``skip``; what cannot be read is left out (a run's own walk reports it).
    The walk even when ``folder`` is an output folder itself (:func:`scan` refuses one)."""
    found: list[tuple[Path, Path]] = []
    _walk(folder, folder, {os.path.realpath(folder): str(folder)}, found, [], skip)
    return [p for p, _ in found]


def discover(inputs: Sequence[str]) -> list[tuple[Path, Path]]:
    """:func:`scan`'s files; its first Failure raised as an :class:`InputError`."""
    found, failures = scan(inputs)
    if failures:
        raise InputError(failures[0].path, failures[0].line, failures[0].message)
    return found


def as_inputs(inputs: Inputs) -> list[str]:
    """``inputs`` (:data:`Inputs`) as the list of paths the readers take.

    One ``str`` or ``Path`` is one input (``"texts/"`` is the folder, not its characters);
    a list or tuple holds str or Path items. Anything else (a set, a generator, bytes, a
    number) is a :class:`~mtqa.errors.UsageError` naming it.
    """
    if isinstance(inputs, str | os.PathLike):
        inputs = [inputs]
    if not isinstance(inputs, list | tuple):
        raise UsageError(
            f"inputs: expected a path (str or pathlib.Path) or a list of paths, not "
            f"{type(inputs).__name__}"
        )
    paths = []
    for i, item in enumerate(inputs):
        path = os.fspath(item) if isinstance(item, os.PathLike) else item
        if not isinstance(path, str):
            raise UsageError(
                f"inputs[{i}]={item!r}: expected a path (str or pathlib.Path), not "
                f"{type(item).__name__}"
            )
        paths.append(path)
    return paths
