"""Saving inside a document: a scorer that keeps each window's LM output on disk.

The local engine scores documents in groups (up to 64 documents or 200,000 characters,
one batched LM pass) and stores their results when the whole group is done; a long
document is hundreds of windows (:func:`mtqa.lm.base.make_windows`). Without more, Ctrl-C
after eight minutes in a 20,000-sentence article keeps nothing.

:class:`WindowCheckpoint` wraps the run's scorer and writes the output of every window as
soon as its batch is scored, to ``OUTDIR/.mtqa-parts/windows/<hash>.json``, the hash
taken over the run's resume key, the model signature and the window's token ids. A
window found there is not scored again, so a rerun picks up inside a document at the
last batch scored, whatever the grouping of the rerun. The output is the same: a
window's output depends only on its ids (with a real model also, in the last float
digits, on the windows padded into the same batch, exactly as between two
``--batch-size`` values), and the JSON keeps every float exactly.

The files of a group are deleted when the next group starts (the engine has stored that
group's results by then), and the folder when the run completes
(:meth:`mtqa.store.ResultStore.clear_windows`).

The wrapper goes on the scorer instance (its ``forward``, ``encode`` and ``score``), not
around it: a backend's own ``score`` keeps running and calls the wrapped ``forward``.

Progress: the wrapper also says how far a group is, in sentences, as its windows are
scored ("sentences", or "resumed" for windows found on disk), in proportion to the
tokens scored, so a progress bar moves inside a long document and its rate and ETA mean
something. A group's counts add up to its sentences exactly when it is done.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from mtqa.lm.base import Encoding, ForwardOutput, Scorer, make_windows
from mtqa.records import Document, TokenScore
from mtqa.segment import segment
from mtqa.store import atomic_write

#: (event, amount), as :data:`mtqa.pipeline.Progress`
Progress = Callable[[str, int], None]


def _plain(values: Any) -> list[Any]:
    """A sequence of numbers (list, numpy array, tensor) as a list of Python numbers."""
    if hasattr(values, "tolist"):
        return list(values.tolist())
    return [v.item() if hasattr(v, "item") else v for v in values]


class _Tally:
    """Sentences of one group reported so far, from the share of its window tokens done."""

    def __init__(self, sentences: int, progress: Progress | None) -> None:
        self.sentences, self.progress = sentences, progress
        self.total = 0  # window tokens of the group (set on the first forward)
        self.cached = self.scored = 0  # window tokens found on disk / scored now
        self.sent = {"resumed": 0, "sentences": 0}

    def add(self, cached: int, scored: int) -> None:
        """Count one batch; report the sentences it completes (never past the total)."""
        self.cached += cached
        self.scored += scored
        if not self.total:
            return
        done = min(self.sentences, self.sentences * (self.cached + self.scored) // self.total)
        resumed = min(done, self.sentences * self.cached // self.total)
        self._report("resumed", resumed - self.sent["resumed"])
        self._report("sentences", done - resumed - self.sent["sentences"])

    def finish(self) -> None:
        """Report the rest of the group's sentences (scored now, unless nothing was)."""
        left = self.sentences - self.sent["resumed"] - self.sent["sentences"]
        self._report("resumed" if self.cached and not self.scored else "sentences", left)

    def _report(self, event: str, n: int) -> None:
        if n > 0:
            self.sent[event] += n
            if self.progress is not None:
                self.progress(event, n)


class WindowCheckpoint:
    """Keeps every LM window of a run on disk; :meth:`attach` puts it on a scorer.

    ``folder``: where the outputs go; ``salt``: the run's resume key (a window is reused
    only under the same settings and model); ``progress``: sentence progress per batch.
    """

    def __init__(self, folder: Path, salt: str, progress: Progress | None = None) -> None:
        self.folder = folder
        self.salt = salt
        self.progress = progress
        self._files: list[Path] = []  # the files of the group being scored
        self._encoded: list[Encoding] = []
        self._tally = _Tally(0, None)
        self._prefix: tuple[int, ...] = ()
        self._window = (0, 0)
        self._hash = hashlib.sha256()
        self._scoring = False  # inside the scorer's ``score``: its forwards are windows

    def attach(self, scorer: Scorer) -> Scorer:
        """``scorer`` itself, its ``score``, ``encode`` and ``forward`` wrapped (on the
        instance, so a subclass's own ``score`` still runs, and calls the wrapped
        ``forward``): windows are read from and written to disk, progress reported."""
        forward, encode, score = scorer.forward, scorer.encode, scorer.score
        self._prefix, self._window = scorer.prefix_ids, (scorer.window, scorer.overlap)
        self._hash = hashlib.sha256(
            f"{self.salt}\x00{scorer.signature()}\x00".encode("utf-8", "surrogatepass")
        )

        def scored(
            texts: Sequence[str],
            batch_size: int = 16,
            on_batch: Callable[[int], None] | None = None,
        ) -> list[tuple[TokenScore, ...]]:
            self._start(texts)
            self._scoring = True
            try:
                result = score(texts, batch_size, on_batch)
            finally:
                self._scoring = False
            self._tally.finish()
            return result

        def encoded(text: str) -> Encoding:
            enc = encode(text)
            self._encoded.append(enc)
            return enc

        setattr(scorer, "score", scored)  # noqa: B010 (an instance attribute, on purpose)
        setattr(scorer, "encode", encoded)  # noqa: B010
        setattr(scorer, "forward", lambda batch: self._forward(forward, batch))  # noqa: B010
        return scorer

    def _start(self, texts: Sequence[str]) -> None:
        """A new group: drop the previous group's files (its results are stored by now)."""
        for path in self._files:
            path.unlink(missing_ok=True)
        self._files, self._encoded = [], []
        n_sentences = sum(len(segment(Document("", t, ""))) for t in texts)
        self._tally = _Tally(n_sentences, self.progress)

    def _forward(
        self,
        forward: Callable[[Sequence[Sequence[int]]], list[ForwardOutput]],
        batch: Sequence[Sequence[int]],
    ) -> list[ForwardOutput]:
        """Each window's output from disk, else from the scorer (then saved). A forward
        outside ``score`` (the rescoring of edits and probes) is not a window: it goes
        straight to the scorer, neither saved nor counted as progress."""
        if not self._scoring:
            return forward(batch)
        if not self._tally.total:
            self._tally.total = self._window_tokens()
        paths = [self._path(ids) for ids in batch]
        found = [self._load(p, len(ids)) for p, ids in zip(paths, batch)]
        todo = [i for i, out in enumerate(found) if out is None]
        fresh = dict(zip(todo, forward([batch[i] for i in todo]) if todo else []))
        for i, out in fresh.items():
            self._save(paths[i], out)
        self._files.extend(paths)
        scored = sum(len(batch[i]) for i in todo)
        self._tally.add(sum(len(ids) for ids in batch) - scored, scored)
        return [fresh[i] if out is None else out for i, out in enumerate(found)]

    def _window_tokens(self) -> int:
        """Tokens in all windows of the group (what the forward passes will read)."""
        window, overlap = self._window
        return sum(
            len(w.ids)
            for i, enc in enumerate(self._encoded)
            if enc.ids
            for w in make_windows(i, len(enc.ids), enc.ids, self._prefix, window, overlap)
        )

    def _path(self, ids: Sequence[int]) -> Path:
        h = self._hash.copy()
        h.update(",".join(map(str, ids)).encode("ascii"))
        return self.folder / f"{h.hexdigest()[:32]}.json"

    def _load(self, path: Path, n_ids: int) -> ForwardOutput | None:
        """A saved output, or None (absent, damaged, or from another version: score it)."""
        try:
            out = ForwardOutput(**json.loads(path.read_text(encoding="utf-8")))
        except (OSError, ValueError, TypeError):
            return None
        return out if len(out.surprisal) == n_ids - 1 else None

    def _save(self, path: Path, out: ForwardOutput) -> None:
        fields = {f.name: _plain(getattr(out, f.name)) for f in dataclasses.fields(out)}
        atomic_write(path, json.dumps(fields))
