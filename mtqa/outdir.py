"""The output folder of ``mtqa check``: where it goes by default, and held for one run.

* **Where**: ``reports/<input name>`` under the current folder, unless that lies inside an
  input folder (``cd texts && mtqa check .``): then ``reports/<input name>`` beside the
  outermost input folder holding it, so a rerun never reads its own reports back
  (:func:`default_outdir`). The folder walk skips mtqa output folders too
  (:func:`mtqa.readers.walk.is_output_folder`).
* **One run at a time**: :class:`OutputFolder` locks the folder with ``.mtqa-lock``
  (an ``flock`` on the file, which holds the run's pid, start time and inputs). A second
  run into the same folder is refused with a message naming the first; a lock left by a
  run that died is free again (the system drops a dead process's locks) and is taken
  over. Without ``fcntl`` (Windows) the lock file itself is the lock: remove it by hand
  after a crash.
* **No empty folders**: a run that fails before storing any result removes the folders
  it created, or in a folder that was there its ``.mtqa-parts``
  (:meth:`OutputFolder.discard_if_empty`).
* **No lost results**: the results an ``--overwrite`` run replaces are set aside, not
  dropped, until its ``run.json`` stands; a run that ends having stored nothing (every
  input failed, an error or Ctrl-C before its first result) leaves the folder as it found
  it, so the replaced run's command still resumes (:mod:`mtqa.store`, :func:`set_aside`).
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import time
from collections.abc import Sequence
from pathlib import Path
from types import TracebackType

from mtqa.errors import OutputError, UsageError, named, named_value
from mtqa.readers.walk import walk_folder
from mtqa.report import FILENAMES
from mtqa.runinfo import PENDING, check_outdir, create_outdir
from mtqa.settings import Settings
from mtqa.store import PARTS, bring_back, drop_replaced, set_aside

try:
    import fcntl
except ImportError:  # pragma: no cover -- Windows
    fcntl = None  # type: ignore[assignment]

LOCK = ".mtqa-lock"


def default_outdir(inputs: Sequence[str], cwd: Path | None = None) -> Path:
    """``reports/<name of the first input>`` (a file's stem, a folder's name, ``stdin`` for
    ``-``), moved beside the outermost input folder when it would lie inside one. The first
    input is the first by real path, not by the order given: the same inputs in another
    order are the same run, in the same folder.

    Relative to ``cwd`` (default: the current folder) when it stays there. Raises
    :class:`~mtqa.errors.UsageError` when every candidate is inside an input folder (an
    input at the file system's root).
    """
    here = (cwd or Path.cwd()).resolve()
    first = min(inputs, key=lambda i: (i != "-", os.path.realpath(here / i) if i != "-" else ""))
    first = first.rstrip("/\\") or "/"
    if first == "-":
        name = "stdin"
    else:
        path = Path(os.path.realpath(here / first))
        name = path.name if path.is_dir() or not path.suffix else path.stem
    out = Path("reports") / (name or "run")
    folders = [Path(os.path.realpath(here / i)) for i in inputs if i != "-" and (here / i).is_dir()]
    holding = [f for f in folders if (here / out).resolve().is_relative_to(f)]
    if not holding:
        return out
    outer = min(holding, key=lambda f: len(f.parts))
    if outer == outer.parent:
        raise UsageError(
            f"{inputs[0]}: the default output folder would be inside it; pass {named('outdir')}"
        )
    moved = outer.parent / "reports" / (name or "run")
    return Path(os.path.relpath(moved, here))


#: mtqa's own files in an output folder whose type is an input's (``sentences.csv``…)
OWN = frozenset({FILENAMES["csv"], FILENAMES["jsonl"], "summary.csv"})


def held_inputs(folder: Path) -> list[Path]:
    """The files under ``folder`` a folder walk would read as input were ``folder`` not an
    output folder (:func:`mtqa.readers.walk.walk_folder`: the same walk, links followed),
    but mtqa's own (:data:`OWN`, ``.mtqa-parts``, ``annotated/``); sorted."""
    own = {folder / PARTS, folder / FILENAMES["xliff"], *(folder / name for name in OWN)}
    return sorted(walk_folder(folder, frozenset(own)))


def _read_elsewhere(inputs: Sequence[str], out: Path) -> set[str]:
    """The real paths of the files ``inputs`` give with the folder ``out`` (resolved)
    passed over."""
    reals: set[str] = set()
    for i in inputs:
        if i == "-":
            continue
        path = Path(os.path.realpath(i))
        if path.is_dir():
            reals.update(os.path.realpath(f) for f in walk_folder(path, frozenset({out})))
        else:
            reals.add(str(path))
    return reals


def _elsewhere(folder: str) -> str:
    """Where the reports of the input ``folder`` go instead, as its user names the output
    folder (``-o reports/texts``, ``outdir='reports/texts'``)."""
    return named_value("outdir", str(default_outdir([folder])))


def refuse_input_folder(outdir: Path, inputs: Sequence[str]) -> None:
    """Raise :class:`~mtqa.errors.UsageError` when ``outdir`` is one of the input folders:
    its reports would make it an output folder, which a later check refuses as input; or
    when it is a folder inside one that holds inputs (:func:`held_inputs`) read by no other
    path (a link to a file or folder the inputs also reach loses nothing): the folder walk
    skips output folders, so a rerun would silently leave those inputs out. A folder
    inside an input folder holding no inputs is fine."""
    out = outdir.resolve()
    for i in inputs:
        if i == "-" or not Path(i).is_dir():
            continue
        folder = Path(os.path.realpath(i))
        if folder == out:
            raise UsageError(
                f"{outdir}: is the input folder {i}; its reports would be read back as input "
                f"by the next check; write them elsewhere ({_elsewhere(i)})"
            )
        if out.is_relative_to(folder) and out.is_dir():
            held = held_inputs(out)
            if held:
                elsewhere = _read_elsewhere(inputs, out)
                held = [h for h in held if os.path.realpath(h) not in elsewhere]
            if held:
                more = f" and {len(held) - 1} more" if len(held) > 1 else ""
                raise UsageError(
                    f"{outdir}: holds inputs of the input folder {i} "
                    f"({os.path.relpath(held[0])}{more}); its reports would hide them from "
                    f"the folder walk, so a rerun would leave them out; write the reports "
                    f"elsewhere ({_elsewhere(i)})"
                )


def _holder(path: Path) -> str:
    """Who holds the lock file, in words (from its content)."""
    try:
        info = json.loads(path.read_text(encoding="utf-8"))
        inputs = " ".join(info.get("inputs", []))
        return (
            f"pid {info['pid']} on {info.get('host', '?')}, started {info.get('started', '?')}"
            + (f", inputs: {inputs}" if inputs else "")
        )
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return "a run whose lock file cannot be read"


class FolderLock:
    """``folder/.mtqa-lock``: held by one run at a time (module docstring)."""

    def __init__(self, folder: Path, inputs: Sequence[str] = ()) -> None:
        self.folder = folder
        self.path = folder / LOCK
        self.inputs = list(inputs)
        self.fd: int | None = None

    def _refuse(self) -> OutputError:
        return OutputError(
            f"{self.folder}: another mtqa run is writing here ({_holder(self.path)}); wait "
            f"for it to end or choose another folder with {named('outdir')}"
        )

    def _open_locked(self) -> int | None:
        """The lock file, opened and locked; None when it vanished meanwhile (retry)."""
        if fcntl is None:  # pragma: no cover -- Windows: the file is the lock
            try:
                return os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o666)
            except FileExistsError:
                raise self._refuse() from None
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o666)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(fd)
            raise self._refuse() from None
        try:  # a run ending between our open and flock unlinked the file: lock the new one
            same = os.stat(self.path).st_ino == os.fstat(fd).st_ino
        except FileNotFoundError:
            same = False
        if same:
            return fd
        os.close(fd)
        return None

    def acquire(self) -> None:
        """Take the lock and write this run into it; raises
        :class:`~mtqa.errors.OutputError` naming the run that holds it."""
        for _ in range(20):
            fd = self._open_locked()
            if fd is not None:
                break
        else:  # pragma: no cover -- twenty runs ending in the same instant
            raise self._refuse()
        info = {
            "pid": os.getpid(),
            "host": socket.gethostname(),
            "started": time.strftime("%Y-%m-%d %H:%M:%S"),
            "inputs": self.inputs,
        }
        os.ftruncate(fd, 0)
        os.write(fd, (json.dumps(info) + "\n").encode("utf-8"))
        self.fd = fd

    def release(self) -> None:
        """Remove the lock file and let go of it (removed first: see :meth:`acquire`)."""
        if self.fd is None:
            return
        try:
            os.unlink(self.path)
        except FileNotFoundError:
            pass
        os.close(self.fd)
        self.fd = None


class OutputFolder:
    """A run's output folder, held while the run writes it::

        with OutputFolder(outdir, settings, key, inputs) as folder:
            ...  # score, store, write the reports

    On entry: refused when it is an input folder (:func:`refuse_input_folder`), created
    (or checked), locked (:class:`FolderLock`), checked against the run there
    (:func:`mtqa.runinfo.check_outdir`: other settings or other inputs). On exit:
    unlocked; after an error, the folders this run created are removed again when no
    result was stored in them.
    """

    def __init__(
        self, outdir: Path, settings: Settings, key: str, inputs: Sequence[str] = ()
    ) -> None:
        self.outdir = outdir
        self.settings = settings
        self.key = key
        self.lock = FolderLock(outdir, inputs)
        self.made: list[Path] = []
        self.had_parts = False
        self.completed = False
        self.pending_before: bytes | None = None  # the PENDING record this run replaced
        self.replacing = False  # --overwrite: the stored work is set aside (mtqa.store)
        self.work_before: set[Path] = set()  # the stored work when this run began

    def __enter__(self) -> OutputFolder:
        refuse_input_folder(self.outdir, self.lock.inputs)
        self.had_parts = (self.outdir / PARTS).exists()
        self.made = create_outdir(self.outdir)
        try:
            self.lock.acquire()
            try:
                self.pending_before = (self.outdir / PARTS / PENDING).read_bytes()
            except OSError:
                self.pending_before = None
            if check_outdir(self.outdir, self.settings, self.key, self.lock.inputs):
                set_aside(self.outdir / PARTS, (LOCK, PENDING))
                self.replacing = True
            self.work_before = set(self._work(self.outdir / PARTS))
        except BaseException:
            self.__exit__(None, None, None)
            self.discard_if_empty()
            raise
        return self

    def complete(self) -> None:
        """The run's ``run.json`` stands: the folder is no longer an interrupted run's,
        and the results it replaced (``--overwrite``) go."""
        (self.outdir / PARTS / PENDING).unlink(missing_ok=True)
        drop_replaced(self.outdir / PARTS)
        self.completed = True

    def _restore_pending(self) -> None:
        """A run that ends without its reports and stored nothing leaves the folder as it
        found it: the interrupted run before it (or none) is still the one to resume, and
        the results an ``--overwrite`` run set aside are back."""
        if self.completed or set(self._work(self.outdir / PARTS)) - self.work_before:
            return
        path = self.outdir / PARTS / PENDING
        try:
            if self.replacing:
                bring_back(self.outdir / PARTS, (LOCK, PENDING))
            if self.pending_before is None:
                path.unlink(missing_ok=True)
            else:
                path.write_bytes(self.pending_before)
        except OSError:  # the folder went: nothing to restore
            pass

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self.lock.fd is not None:  # still this run's folder
            self._restore_pending()
        self.lock.release()
        if exc_type is not None:
            self.discard_if_empty()

    def _work(self, root: Path) -> list[Path]:
        """The files under ``root`` but the lock, a stored model signature and the
        :data:`~mtqa.runinfo.PENDING` record."""
        if not root.is_dir():
            return []
        found = []
        for p in root.rglob("*"):
            if p.is_dir() or p.name == LOCK:
                continue
            if p.parent == self.outdir / PARTS and (
                p.name.startswith("model.") or p.name == PENDING
            ):
                continue
            found.append(p)
        return found

    def _holds_work(self, root: Path) -> bool:
        """Whether ``root`` holds anything but the lock, a stored model signature and the
        :data:`~mtqa.runinfo.PENDING` record."""
        return bool(self._work(root))

    def discard_if_empty(self) -> bool:
        """Remove what this run created (the folders it made, else its ``.mtqa-parts``)
        when no result was stored there; whether it did."""
        if self.made:
            if not self.outdir.is_dir() or self._holds_work(self.outdir):
                return False
            shutil.rmtree(self.outdir, ignore_errors=True)
            for p in self.made[1:]:  # the parents made for it, while empty
                try:
                    p.rmdir()
                except OSError:
                    break
            return True
        parts = self.outdir / PARTS
        if self.had_parts or not parts.is_dir() or self._holds_work(parts):
            return False
        shutil.rmtree(parts, ignore_errors=True)
        return True


def as_outdir(outdir: str | os.PathLike[str]) -> Path:
    """``outdir`` (a str or Path) as a Path; anything else, or an empty string, is a
    :class:`~mtqa.errors.UsageError`."""
    path = os.fspath(outdir) if isinstance(outdir, os.PathLike) else outdir
    if not isinstance(path, str):
        raise UsageError(
            f"{named('outdir', repr(outdir))}: expected a folder path (str or pathlib.Path), not "
            f"{type(outdir).__name__}"
        )
    if not path:
        raise UsageError(f"{named_value('outdir', '')}: empty path; name the output folder")
    return Path(path)
