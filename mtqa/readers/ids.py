"""Document ids across inputs: the prefixes of the ids mtqa makes, and the duplicate check.

A file's *prefix* (:func:`doc_prefixes`) starts every id mtqa makes for it (``a``, ``a:3``,
``a#12``); :class:`Ids` refuses an id met before, saying which of the two to change.
"""

from __future__ import annotations

import os
from bisect import bisect_left
from collections.abc import Sequence
from pathlib import Path

from mtqa.io import Skipped
from mtqa.records import Document, Failure

RECORD_SUFFIXES = (".jsonl", ".tsv", ".csv")  # files whose records may name their own ids


def _short_prefix(path: Path, root: Path) -> str:
    """The file's path under its input folder, without its suffix (``sub/a``; ``a`` for
    a file given by name)."""
    rel = path.relative_to(root) if path.is_relative_to(root) else Path(path.name)
    return rel.with_suffix("").as_posix()


#: how a file's ids are made from its prefix: the prefix itself (.txt), ``prefix:line``
#: (records and PO entries) or ``prefix#unit`` (XLIFF, TMX); files of two kinds never
#: make the same id from the same prefix
_ID_KINDS = {".txt": "", ".po": ":", **dict.fromkeys(RECORD_SUFFIXES, ":")}


def _id_kind(path: Path) -> str:
    return _ID_KINDS.get(path.suffix.lower(), "#")


def _clashing(prefixes: Sequence[str], kinds: Sequence[str]) -> set[int]:
    """The positions of the prefixes whose ids could equal another's: the same prefix for
    files whose ids are made the same way (``kinds``, :data:`_ID_KINDS`: ``a.txt`` and
    ``a.jsonl`` make ``a`` and ``a:1``, no clash), or one that is another's followed by
    ``:`` or ``#`` (``a:1`` of ``a:1.txt`` is also record 1 of ``a.jsonl``)."""
    order = sorted(range(len(prefixes)), key=lambda i: (prefixes[i], kinds[i]))
    keys = [prefixes[i] for i in order]
    same = [(prefixes[i], kinds[i]) for i in order]
    out: set[int] = set()
    for pos, i in enumerate(order):
        p = keys[pos]
        if (pos and same[pos - 1] == same[pos]) or (
            pos + 1 < len(keys) and same[pos + 1] == same[pos]
        ):
            out.add(i)
        for sep, after in ((":", ";"), ("#", "$")):  # the keys that start with p + sep
            lo, hi = bisect_left(keys, p + sep), bisect_left(keys, p + after)
            if lo < hi:
                out.add(i)
                out.update(order[lo:hi])
    return out


def doc_prefixes(found: Sequence[tuple[Path, Path]]) -> list[str]:
    """The id prefix of each ``(file, root)`` of :func:`scan`, unique across them all.

    A file's prefix is its path under its input folder without the suffix (``sub/a``;
    ``a`` for a file given by name), as it always was, unless two files' ids could then
    collide (:func:`_clashing`: ``fr/article.txt`` and ``de/article.txt``; ``x.jsonl``
    and ``x.po``; not ``a.txt`` and ``a.jsonl``): only those get a longer one, their path
    under the folder that holds every input (``fr/article``), and where that still clashes,
    with the suffix (``x.jsonl``, ``x.po``). The result depends on the set of files, not
    their order.
    """
    prefixes = [_short_prefix(p, root) for p, root in found]
    kinds = [_id_kind(p) for p, _ in found]
    pending = sorted(_clashing(prefixes, kinds))
    if not pending:
        return prefixes
    top = os.path.commonpath([os.path.dirname(os.path.abspath(p)) for p, _ in found])
    under = {i: Path(os.path.relpath(os.path.abspath(found[i][0]), top)) for i in pending}
    for longer in (lambda i: under[i].with_suffix("").as_posix(), lambda i: under[i].as_posix()):
        for i in pending:
            prefixes[i] = longer(i)
        clash = _clashing(prefixes, kinds)
        pending = [i for i in pending if i in clash]
        if not pending:
            break
    return prefixes  # what still clashes (file names holding ':' or '#') meets the id check


class Ids:
    """The ids seen so far, to refuse a duplicate. An id mtqa made itself (``derived``)
    can only meet an id the user gave, or one made from a file name holding ``:``/``#``;
    the message then says what the user can change."""

    def __init__(self) -> None:
        self.seen: dict[str, tuple[str, bool]] = {}  # id -> (where first seen, derived)

    def check(
        self, item: Document | Failure | Skipped, prefix: str, records: bool
    ) -> Document | Failure | Skipped:
        """``item``, or a Failure when it is a Document whose id was seen before.
        ``records``: the file's ids may be the user's (.jsonl/.tsv/.csv); else all are
        mtqa's (``prefix``, ``prefix#key``, ``prefix:line``)."""
        if not isinstance(item, Document):
            return item
        where = f"{item.path}:{item.line}" if item.line else item.path
        derived = not records or item.doc_id == f"{prefix}:{item.line}"
        if item.doc_id not in self.seen:
            self.seen[item.doc_id] = (where, derived)
            return item
        first, first_derived = self.seen[item.doc_id]
        if not derived and first_derived:
            fix = (
                f"mtqa made the id at {first} itself (from its file name), so change the one "
                "given here"
            )
        elif not derived:
            fix = "ids must be unique across the inputs"
        elif first_derived:
            fix = "mtqa made both ids from file names: rename one of the two files"
        else:
            fix = f"mtqa made this id itself, so change the id given at {first}"
        return Failure(
            item.path, item.line, f"duplicate id {item.doc_id!r} (first seen at {first}); {fix}"
        )
