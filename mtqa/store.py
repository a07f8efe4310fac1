"""Per-document results on disk: what makes runs resumable and outputs streamable.

Each scored document is written atomically as one JSON file under
``OUTDIR/.mtqa-parts/``, keyed by a hash of (the run's resume key, doc id, text, source,
reference): :meth:`ResultStore.key`, the one place a document key is made. A rerun with
the same resume key finds it and skips the work; the writers then read the parts back
one at a time, in input order, so a run never holds all results in memory.

Beside the results, two small things make a resume give the same bytes as one run:

* ``model.<hash>.txt``: the model signature (``gemma3-270m@sha256:…/float32``) of the
  run with that resume key, written as soon as the model is loaded, before the first
  result: a rerun with nothing left to score still signs its reports with it;
* ``windows/``: the LM output of each window scored so far
  (:class:`mtqa.checkpoint.WindowCheckpoint`), so that Ctrl-C inside a long document or
  a group of documents keeps the scoring done; removed when the run completes.

An ``--overwrite`` run does not drop the results it replaces before it has its own:
:func:`set_aside` moves them into ``replaced/`` at its start, :func:`bring_back` restores
them when it ends having stored nothing (every input failed, an error or Ctrl-C before
the first result), and :func:`drop_replaced` removes them once its reports stand.
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import secrets
import shutil
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from mtqa.errors import OutputError, UsageError
from mtqa.records import Document, DocumentResult, SentenceResult, Span, WordScore

PARTS = ".mtqa-parts"
WINDOWS = "windows"  # within PARTS: per-window LM outputs of documents not yet stored
REPLACED = "replaced"  # within PARTS: the work an --overwrite run replaces, until it completes


def create_temp(final: Path) -> tuple[int, Path]:
    """Open a new hidden temp file next to ``final`` for writing: ``(fd, path)``.

    Created with ``os.open(..., 0o666)`` like a normal ``open()``, so the finished
    file gets the umask's permissions (``tempfile.mkstemp`` would make it 0600).
    """
    for _ in range(100):
        tmp = final.parent / f".{final.name}.{secrets.token_hex(4)}.tmp"
        try:
            return os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666), tmp
        except FileExistsError:
            continue
    raise FileExistsError(f"{final.parent}: cannot find a free temp file name")


_SPACE = "free some space or choose another folder"
_ACCESS = "choose a folder you can write to"
#: the fix for each reason a file cannot be written (by ``errno``); others: :data:`_OTHER`
_WRITE_FIXES = {
    errno.ENOSPC: _SPACE,
    errno.EDQUOT: _SPACE,
    errno.EFBIG: _SPACE,
    errno.EACCES: _ACCESS,
    errno.EPERM: _ACCESS,
    errno.EROFS: _ACCESS,
    errno.EISDIR: "it is a folder: name a file, not a folder",
    errno.ENOENT: "its folder does not exist: create it or choose another folder",
    errno.ENOTDIR: "a part of the path is a file, not a folder: check the path",
    errno.ENAMETOOLONG: "choose a shorter name",
}
_OTHER = "check the path and the disk, or choose another folder"


def write_failed(path: Path, exc: OSError) -> OutputError:
    """The one-line error for an output that cannot be written, with the fix for its
    reason (a full disk: free some space; no permission: another folder; a folder in
    the file's place: name a file)."""
    why = exc.strerror or type(exc).__name__
    fix = _WRITE_FIXES.get(exc.errno or 0, _OTHER)
    return OutputError(f"{path}: cannot write ({why}); {fix}")


def same_file(a: str | Path, b: str | Path) -> bool:
    """Whether paths ``a`` and ``b`` name one file: the same path, a symbolic link to the
    other, or a hard link of it (one device and inode); two paths that do not exist yet are
    one file when they resolve to the same place."""
    try:
        sa, sb = os.stat(a), os.stat(b)
    except OSError:
        try:
            return Path(a).resolve() == Path(b).resolve()
        except (OSError, RuntimeError):  # a link loop: the write or the read will say so
            return False
    return (sa.st_dev, sa.st_ino) == (sb.st_dev, sb.st_ino)


#: an input of a command, as :func:`check_output_file` names it: its path as given, and the
#: option that gave it ("" for the command's positional argument)
Input = tuple[str | Path, str]


def check_output_file(
    given: str | Path, option: str, inputs: Iterable[Input] = (), what: str = "the output"
) -> None:
    """Refuse, before any work, an output file path that is one of the command's ``inputs``
    (the same file, through a symbolic or a hard link too: writing it would destroy the
    input; :class:`~mtqa.errors.UsageError` saying to write ``what`` elsewhere) or that
    cannot be written: a folder, a device or pipe (the atomic rename would replace it), a
    path through a file, a folder without write permission (:class:`OutputError`). Both
    name ``option``, the command-line option that gave the path, as given. Missing folders
    are fine (made when the file is written).

    Every command that writes a file runs its outputs through here: ``calibrate``'s ``-o``
    and ``--score-cache``, ``synth``'s ``-o``, ``eval``'s and ``review``'s ``--json``."""
    for source, by in inputs:
        if same_file(given, source):
            role = f" ({by})" if by else ""
            raise UsageError(
                f"{option} {given}: is the input {source}{role}; write {what} elsewhere"
            )
    path = Path(given)
    if path.is_dir():
        raise OutputError(
            f"{path}: is a folder ({option}); name the file to write, e.g. {path / 'NAME'}"
        )
    if path.exists() and not path.is_file():  # the rename would replace /dev/null itself
        raise OutputError(
            f"{path}: is not a regular file (a device, a pipe or a socket; {option}); name "
            "a file to write"
        )
    parent = path.parent
    while not parent.exists() and parent != parent.parent:
        parent = parent.parent
    if not parent.is_dir():
        raise OutputError(
            f"{path}: {parent} is a file, not a folder ({option}); choose another path"
        )
    if not os.access(parent, os.W_OK | os.X_OK):
        raise OutputError(
            f"{path}: cannot write in {parent} (permission denied; {option}); choose another path"
        )


def refuse_special(path: Path) -> None:
    """An :class:`OutputError` when ``path`` is a device, pipe or socket: renaming a file
    onto it would replace it (``/dev/null`` itself, for root) by a regular file."""
    if path.exists() and not path.is_file() and not path.is_dir():
        raise OutputError(
            f"{path}: is not a regular file (a device, a pipe or a socket); name a file to write"
        )


def replace_into(tmp: str | Path, path: Path) -> None:
    """Rename the finished ``tmp`` onto ``path`` (:func:`refuse_special` first; ``tmp`` is
    then left for the caller to remove)."""
    refuse_special(path)
    os.replace(tmp, path)


def atomic_write(path: Path, data: str | bytes) -> None:
    """Write via a temp file in the same folder and rename: never a half file, and never
    onto a device, pipe or socket (:func:`replace_into`).

    A failure leaves the previous file (if any) untouched and no temp file behind;
    an ``OSError`` becomes an :class:`OutputError` naming the file.
    """
    tmp: Path | None = None
    try:
        refuse_special(path)  # before any temp file is made
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = create_temp(path)
        with os.fdopen(fd, "wb") as f:
            f.write(data.encode("utf-8") if isinstance(data, str) else data)
        replace_into(tmp, path)
    except BaseException as exc:
        if tmp is not None and os.path.exists(tmp):
            os.unlink(tmp)
        if isinstance(exc, OSError):
            raise write_failed(path, exc) from exc
        raise


def set_aside(parts: Path, keep: Iterable[str]) -> None:
    """Move everything in ``parts`` but the names in ``keep`` (the lock, the run record)
    into ``parts/replaced/``: the stored work an ``--overwrite`` run replaces. A
    ``replaced/`` already there (an interrupted ``--overwrite`` run's) moves inside the new
    one, so :func:`bring_back` restores exactly what was there."""
    if not parts.is_dir():
        return
    kept = set(keep)
    staging = parts / f".{REPLACED}.{secrets.token_hex(4)}.tmp"
    staging.mkdir()
    for entry in sorted(parts.iterdir()):
        if entry.name not in kept and entry != staging:
            os.replace(entry, staging / entry.name)
    os.replace(staging, parts / REPLACED)


def bring_back(parts: Path, keep: Iterable[str]) -> None:
    """Undo :func:`set_aside` for a run that stored nothing: what it left in ``parts`` but
    ``keep`` (a model signature, an empty window folder) goes, ``replaced/``'s content
    returns."""
    if not (parts / REPLACED).is_dir():
        return
    kept = set(keep)
    held = parts / f".{REPLACED}.{secrets.token_hex(4)}.tmp"
    os.replace(parts / REPLACED, held)  # its content may hold a replaced/ of its own
    for entry in parts.iterdir():
        if entry.name in kept or entry == held:
            continue
        if entry.is_dir():
            shutil.rmtree(entry)
        else:
            entry.unlink()
    for entry in sorted(held.iterdir()):
        os.replace(entry, parts / entry.name)
    held.rmdir()


def drop_replaced(parts: Path) -> None:
    """Remove what :func:`set_aside` kept: the run replacing it is complete."""
    shutil.rmtree(parts / REPLACED, ignore_errors=True)


def doc_key(signature: str, doc_id: str, text: str, extra: str = "") -> str:
    """32 hex characters of sha256 over the parts (NUL-separated)."""
    h = hashlib.sha256()
    for part in (signature, doc_id, text, extra):
        h.update(part.encode("utf-8", "surrogatepass"))
        h.update(b"\x00")
    return h.hexdigest()[:32]


def span_to_dict(s: Span) -> dict[str, Any]:
    """A span as JSON (the ``spans`` of segments.jsonl and of stored results)."""
    return {
        "start": s.start,
        "end": s.end,
        "text": s.text,
        "severity": s.severity,
        "score": s.score,
        "source": s.source,
        "reason": s.reason,
        "suggestion": s.suggestion,
        "gain": s.gain,
    }


def result_to_dict(r: DocumentResult) -> dict[str, Any]:
    """A document result as JSON, words included (:func:`result_from_dict` reads it back)."""
    return {
        "id": r.doc_id,
        "path": r.path,
        "text": r.text,
        "notes": list(r.notes),
        "metrics": [list(m) for m in r.metrics],
        "sentences": [
            {
                "sent_id": s.sent_id,
                "start": s.start,
                "end": s.end,
                "text": s.text,
                "n_tokens": s.n_tokens,
                "ppl": s.ppl,
                "score": s.score,
                "severity": s.severity,
                "spans": [span_to_dict(x) for x in s.spans],
                "metrics": [list(m) for m in s.metrics],
                "words": [
                    [w.start, w.end, w.surprisal, w.n_tokens, w.entropy, w.kind] for w in s.words
                ],
            }
            for s in r.sentences
        ],
    }


def result_from_dict(d: dict[str, Any]) -> DocumentResult:
    """The :class:`~mtqa.records.DocumentResult` that :func:`result_to_dict` wrote."""
    text = d["text"]
    sentences = []
    for s in d["sentences"]:
        sentences.append(
            SentenceResult(
                doc_id=d["id"],
                sent_id=s["sent_id"],
                start=s["start"],
                end=s["end"],
                text=s["text"],
                n_tokens=s["n_tokens"],
                ppl=s["ppl"],
                score=s["score"],
                severity=s["severity"],
                spans=tuple(Span(**x) for x in s["spans"]),
                metrics=tuple((k, v) for k, v in s["metrics"]),
                words=tuple(
                    WordScore(a, b, text[a:b], sp, n, ent, kind)
                    for a, b, sp, n, ent, kind in s.get("words", [])
                ),
            )
        )
    return DocumentResult(
        doc_id=d["id"],
        path=d["path"],
        text=text,
        sentences=tuple(sentences),
        notes=tuple(d.get("notes", ())),
        metrics=tuple((k, v) for k, v in d.get("metrics", [])),
    )


class ResultStore:
    """The finished documents of a run in ``OUTDIR/.mtqa-parts/``, one JSON file per key.

    ``resume_key`` is the run's scoring settings (:func:`mtqa.runinfo.resume_key`): a
    document scored with other settings has another key.
    """

    def __init__(self, outdir: Path, resume_key: str = "") -> None:
        self.dir = outdir / PARTS
        self.resume_key = resume_key

    def key(self, doc: Document) -> str:
        """The document's key: its id, text, source and reference under this run's settings."""
        return doc_key(self.resume_key, doc.doc_id, doc.text, f"{doc.source}|{doc.reference}")

    def path(self, key: str) -> Path:
        """The file of a key."""
        return self.dir / f"{key}.json"

    def has(self, key: str) -> bool:
        """Whether a key's result is stored."""
        return self.path(key).is_file()

    def put(self, key: str, result: DocumentResult) -> None:
        """Store a result (atomically)."""
        atomic_write(self.path(key), json.dumps(result_to_dict(result), ensure_ascii=False))

    @property
    def windows(self) -> Path:
        """The folder of per-window LM outputs (:mod:`mtqa.checkpoint`)."""
        return self.dir / WINDOWS

    def _model_file(self) -> Path:
        digest = hashlib.sha256(self.resume_key.encode("utf-8")).hexdigest()[:16]
        return self.dir / f"model.{digest}.txt"

    def put_model(self, signature: str) -> None:
        """Keep the model signature of this resume key (atomically; once is enough)."""
        path = self._model_file()
        if self.model() != signature:
            atomic_write(path, signature + "\n")

    def model(self) -> str | None:
        """The model signature kept by :meth:`put_model`, or None."""
        try:
            return self._model_file().read_text(encoding="utf-8").strip() or None
        except (OSError, UnicodeDecodeError):
            return None

    def prune(self, keep: Iterable[str]) -> None:
        """Drop the stored results of keys not in ``keep`` (a complete run's keys): results
        of documents since edited or removed, which no rerun would read again."""
        wanted = set(keep)
        for path in self.dir.glob("*.json"):
            if path.stem not in wanted:
                path.unlink(missing_ok=True)

    def clear_windows(self) -> None:
        """Drop the per-window outputs (every document is stored: they are not needed)."""
        shutil.rmtree(self.windows, ignore_errors=True)

    def get(self, key: str) -> DocumentResult:
        """A stored result; raises :class:`~mtqa.errors.OutputError` when the file is damaged."""
        path = self.path(key)
        try:
            return result_from_dict(json.loads(path.read_text(encoding="utf-8")))
        except (ValueError, KeyError, TypeError) as exc:  # edited or damaged by hand
            raise OutputError(
                f"{path}: stored result is damaged ({type(exc).__name__}); delete the file "
                "and rerun (only that document is scored again)"
            ) from exc
