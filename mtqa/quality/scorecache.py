"""``mtqa calibrate --score-cache FILE``: the LM's token scores kept by text and model
signature, so that a second fit skips the scoring.

The file is JSON lines, one record per scored text, appended as the scoring goes:
``{"model": SIGNATURE, "text": TEXT, "tokens": [[start, end, surprisal, entropy, rank,
pmax], ...]}``. :func:`read_score_cache` recognises it line by line before any scoring: a
line of any other shape (a text file, a gold file, JSON that is no such record) means the
option names the wrong file, an :class:`~mtqa.errors.InputError` naming the line, and the
file is left as it is. A line that starts as a record but is no valid JSON is one an
interrupted run cut short: skipped (its text is scored again).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from mtqa.errors import InputError, named
from mtqa.lm.base import Scorer
from mtqa.records import TokenScore

#: how every record line starts (``json.dumps`` of a dict with ``model`` first)
_HEAD = '{"model": '
_SHAPE = '{"model", "text", "tokens"} per line'


def _fix() -> str:
    return f"name a new file or an earlier {named('score_cache')} file"


#: stored token rows by model signature, then by text
Stored = dict[str, dict[str, list[Any]]]


def _record(line: str) -> tuple[str, str, list[Any]] | str:
    """A cache line's (model, text, token rows), or why it is not one."""
    try:
        d = json.loads(line)
    except ValueError:
        return "not JSON"
    if not isinstance(d, dict):
        return f"a JSON {type(d).__name__}, not an object"
    model, text, tokens = d.get("model"), d.get("text"), d.get("tokens")
    if not (isinstance(model, str) and isinstance(text, str) and isinstance(tokens, list)):
        keys = ", ".join(map(repr, list(d)[:4])) or "none"
        return f"an object without a model, text and tokens (keys: {keys})"
    if not all(isinstance(t, list) and len(t) == 6 for t in tokens):
        return "a record whose tokens are not [start, end, surprisal, entropy, rank, pmax]"
    return model, text, tokens


def read_score_cache(path: Path) -> tuple[Stored, bool]:
    """The token rows a score cache holds, and whether its last line is cut short (no line
    end after it). A missing or empty file holds none. Raises
    :class:`~mtqa.errors.InputError` naming the first line that is no cache record, or a
    file that cannot be read or is not UTF-8."""
    stored: Stored = {}
    if not path.exists():
        return stored, False
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(str(path), None, f"cannot read the score cache ({exc.strerror})") from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        at = data.count(b"\n", 0, exc.start) + 1
        raise InputError(str(path), at, f"not a score cache (not UTF-8 text); {_fix()}") from None
    for n, line in enumerate(text.split("\n"), 1):
        if not line.strip():
            continue
        got = _record(line)
        if isinstance(got, str):
            if got == "not JSON" and line.startswith(_HEAD):
                continue  # a record cut short by an interrupted run
            raise InputError(
                str(path),
                n,
                f"not a score cache (the line is {got}; a score cache holds {_SHAPE}); {_fix()}",
            )
        model, key, tokens = got
        stored.setdefault(model, {})[key] = tokens
    return stored, bool(data) and not data.endswith(b"\n")


class ScoreCache:
    """Token scores by (model signature, text) in a JSON-lines file (module docstring);
    ``path`` None: kept in memory only. The file is read, and recognised, when made."""

    def __init__(self, path: str | None) -> None:
        self.path = Path(path) if path else None
        self.stored, self._cut = read_score_cache(self.path) if self.path else ({}, False)
        self.scored: dict[tuple[str, str], list[TokenScore]] = {}  # by this process, as given

    def score(
        self, scorer: Scorer, texts: Sequence[str], batch_size: int
    ) -> list[list[TokenScore]]:
        """Token scores of ``texts``: the cached ones, the rest scored (and cached)."""
        signature = scorer.signature()
        stored = self.stored.get(signature, {})
        todo = sorted({t for t in texts if t not in stored and (signature, t) not in self.scored})
        for a in range(0, len(todo), 256):
            part = todo[a : a + 256]
            lines = []
            for text, toks in zip(part, scorer.score(part, batch_size=batch_size)):
                self.scored[signature, text] = list(toks)
                rows = [[t.start, t.end, t.surprisal, t.entropy, t.rank, t.pmax] for t in toks]
                lines.append(json.dumps({"model": signature, "text": text, "tokens": rows}))
            if self.path:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                with self.path.open("a", encoding="utf-8") as f:
                    f.write("\n" * self._cut + "".join(line + "\n" for line in lines))
                self._cut = False
        return [
            self.scored[signature, t]
            if (signature, t) in self.scored
            else [TokenScore(*row) for row in stored[t]]
            for t in texts
        ]
