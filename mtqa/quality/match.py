"""How a gold record of ``mtqa eval`` finds its text in the run (:func:`match`).

A record whose ``id`` is a document id of the run is looked for in
that document only; any other record in every document. Its target must be there as it is,
starting and ending at word boundaries: the whole text, a whole line or a phrase, never a
piece of a word (words joined by a hyphen or an apostrophe are one word: ``like`` is not in
``cat-like``). ``line`` (1-based) picks the place on that line of the document; a record
found in two documents, or twice in one without a ``line`` to pick, is ambiguous. A record
found nowhere, or ambiguous, is an error naming its gold line; a wrong ``line`` too.
Notices (:func:`match`) count what is found but may not be meant: run documents without a
record, further raters' records, records whose id names no document while others' ids do
(a mistyped id is searched everywhere), and records repeating an earlier one's target at the
same place without the rater fields (each is scored on its own).
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from mtqa.errors import InputError
from mtqa.quality.gold import Unit, short
from mtqa.text import counted


class _Unmatched(Exception):
    """Why a gold record has no place in the run (the message, without the record)."""


Hit = tuple[int, int, int]  # (document index, line index from 0, offset in the document)


#: what joins two letters into one word, as in :data:`mtqa.text.WORD` (``cat-like``, ``don't``)
JOINERS = "'’-"


def _cuts_word(text: str, i: int) -> bool:
    """Whether offset ``i`` of ``text`` lies inside a word: between two letters or digits, or
    next to a hyphen or apostrophe that joins two letters (``cat|-like``, ``cat-|like``)."""
    if i <= 0 or i >= len(text):
        return False
    a, b = text[i - 1], text[i]
    if a.isalnum() and b.isalnum():
        return True
    if b in JOINERS and a.isalpha() and i + 1 < len(text) and text[i + 1].isalpha():
        return True
    return a in JOINERS and b.isalpha() and i >= 2 and text[i - 2].isalpha()


def _bounded(text: str, start: int, end: int) -> bool:
    """Whether text[start:end] starts and ends at word boundaries (never inside a word; a
    hyphenated or apostrophised word is one word)."""
    return not (_cuts_word(text, start) or _cuts_word(text, end))


class _RunIndex:
    """The run's documents by id, where each line of each starts, and all their texts joined
    by NUL (no document holds one: mtqa reads a NUL as an error or as U+FFFD), so that one
    search finds a target in every document at once."""

    def __init__(self, docs: Sequence[dict[str, Any]]) -> None:
        self.docs = docs
        self.by_id: dict[str, int] = {}
        self.starts: list[list[int]] = []  # per document: the offset of each line
        self.begins: list[int] = []  # per document: its offset in ``joined``
        pos = 0
        for i, d in enumerate(docs):
            self.by_id.setdefault(d["id"], i)  # the first document of an id wins
            self.begins.append(pos)
            pos += len(d["text"]) + 1
            at, starts = 0, []
            for ln in d["text"].splitlines(keepends=True):
                starts.append(at)
                at += len(ln)
            self.starts.append(starts or [0])
        self.joined = "\x00".join(d["text"] for d in docs)

    def _hits(self, text: str, own: int | None) -> list[Hit]:
        """Every place of ``text`` in document ``own`` (None: in every document) that starts
        and ends at word boundaries (a whole document, a whole line, a phrase; never inside
        a word)."""
        body = self.joined if own is None else self.docs[own]["text"]
        hits = []
        off = body.find(text)
        while off >= 0:
            if _bounded(body, off, off + len(text)):
                i = own if own is not None else bisect.bisect_right(self.begins, off) - 1
                at = off - (0 if own is not None else self.begins[i])
                hits.append((i, bisect.bisect_right(self.starts[i], at) - 1, at))
            off = body.find(text, off + 1)
        return hits

    def _name(self, i: int) -> str:
        return repr(self.docs[i]["id"])

    def locate(self, rec: dict[str, Any]) -> Hit:
        """Where ``rec`` is in the run (module docstring); :class:`_Unmatched` says why not."""
        text, gid, line = rec["text"], rec["id"], rec["line"]
        own = self.by_id.get(gid) if gid is not None else None
        if own is None and gid is not None and gid.strip() in self.by_id:
            raise _Unmatched(
                f"no document of the run has the id {gid!r}, but one has {gid.strip()!r}; "
                "remove the spaces around the id"
            )
        hits = self._hits(text, own)
        if not hits and own is not None:
            raise _Unmatched(
                f"document {gid!r} of the run does not hold its target {short(text)} (as its "
                "text, a line or a phrase); fix the target, or the id if the record belongs "
                "to another document"
            )
        if not hits:
            raise _Unmatched(
                f"not in this run (no document holds its target {short(text)} as its text, a "
                "line or a phrase); score the gold targets with `mtqa check` first"
            )
        if line is not None:
            picked = [h for h in hits if h[1] == line - 1]
            if not picked:
                found = ", ".join(f"{h[1] + 1} of {self._name(h[0])}" for h in hits[:5])
                raise _Unmatched(
                    f'"line": {line}, but its target is at line {found}; fix the line field'
                )
            hits = picked
        docs = list(dict.fromkeys(h[0] for h in hits))
        if len(docs) > 1:
            names = ", ".join(self._name(i) for i in docs[:5])
            more = f" and {len(docs) - 5} more" if len(docs) > 5 else ""
            raise _Unmatched(
                f"ambiguous: documents {names}{more} all hold its target; give the record "
                "the id of its document"
            )
        if len(hits) > 1:
            lines = ", ".join(str(h[1] + 1) for h in hits[:5])
            fix = (
                'add a "line" field (1-based) to say which'
                if len({h[1] for h in hits}) > 1
                else "give a longer target"
            )
            raise _Unmatched(
                f"ambiguous: its target is {len(hits)} times in document "
                f"{self._name(docs[0])} (lines {lines}); {fix}"
            )
        return hits[0]


def _prediction(
    rec: dict[str, Any], d: dict[str, Any], off: int
) -> tuple[tuple[tuple[int, int, str], ...], float]:
    end = off + len(rec["text"])
    pred = tuple(
        (max(s["start"], off) - off, min(s["end"], end) - off, s["severity"])
        for s in d["spans"]
        if s["start"] < end and off < s["end"]
    )
    miss = 1.0
    for s in d["sentences"]:
        if s["start"] < end and off < s["end"]:
            miss *= 1.0 - float(s["score"])
    return pred, 1.0 - miss


@dataclass(frozen=True)
class Matched:
    """The gold records matched to the run, and what the reader should know about it."""

    units: list[Unit]
    notices: list[str]


def match(
    gold: Sequence[dict[str, Any]],
    docs: Sequence[dict[str, Any]],
    gold_path: str = "gold",
    run_path: str = "run",
) -> Matched:
    """Each gold record located in the run's documents (module docstring), with the
    predictions inside it.

    Offsets become record offsets; the score is the probability that the record holds an
    error: the noisy-or of the scores of the sentences overlapping it (for a one-sentence
    record, that sentence's score). Raises :class:`~mtqa.errors.InputError` naming the gold
    line of the first record that is not in the run or is ambiguous, and how many more are.
    Notices: run documents that hold no gold record; segments with several records; records
    whose id names no document of the run while others' ids do; records repeating an
    earlier one without the rater fields.
    """
    index = _RunIndex(docs)
    found: list[Hit] = []
    bad: list[tuple[dict[str, Any], str]] = []
    for rec in gold:
        try:
            found.append(index.locate(rec))
        except _Unmatched as exc:
            bad.append((rec, str(exc)))
    if bad:
        rec, why = bad[0]
        who = f"gold record {rec['id']!r}" if rec["id"] is not None else "this gold record"
        more = f" ({len(bad) - 1} more of the {len(gold)} records: not matched either)"
        raise InputError(gold_path, rec["at"], f"{who}: {why}{more if len(bad) > 1 else ''}")
    units = []
    for rec, (i, _, off) in zip(gold, found):
        pred, score = _prediction(rec, docs[i], off)
        label = rec["id"] if rec["id"] is not None else f"line {rec['at']}"
        units.append(Unit(label, rec["text"], tuple(rec["spans"]), pred, score))
    return Matched(units, _notices(gold, docs, found, gold_path, run_path))


def _first(values: Sequence[str], n: int = 3) -> str:
    """``'a', 'b', 'c'``: the first ``n`` values quoted, ``, …`` when there are more."""
    return ", ".join(map(repr, values[:n])) + (", …" if len(values) > n else "")


def _notices(
    gold: Sequence[dict[str, Any]],
    docs: Sequence[dict[str, Any]],
    found: Sequence[Hit],
    path: str,
    run_path: str,
) -> list[str]:
    out = []
    used = {i for i, _, _ in found}
    unused = [d["id"] for i, d in enumerate(docs) if i not in used]
    if unused:
        out.append(
            f"{run_path}: {len(unused)} of the run's {counted(len(docs), 'document')} match no "
            f"gold record (the first: {unused[0]!r}); they are not evaluated"
        )
    ids = {d["id"] for d in docs}
    given = [rec["id"] for rec in gold if rec["id"] is not None]
    stray = [i for i in given if i not in ids]
    if stray and len(stray) < len(given):  # some ids name documents: these may be mistyped
        out.append(
            f"{path}: {counted(len(stray), 'record')} of {len(gold)} with an id that names no "
            f"document of the run ({_first(stray)}; the run's ids: {_first(sorted(ids))}); "
            "each was looked for in every document and found there: if an id should name its "
            "document, fix it"
        )
    out += _repeats(gold, found, path)
    segments = [rec["segment"] for rec in gold if rec["segment"] is not None]
    repeats = len(segments) - len(set(segments))
    if repeats:
        out.append(
            f"{path}: {len(segments)} records annotate "
            f"{counted(len(set(segments)), 'segment')} (same system, doc_id and seg_id): "
            f"{counted(repeats, 'record')} of a further rater; each record is scored on its own, "
            "so such a segment counts once per rater"
        )
    return out


def _repeats(gold: Sequence[dict[str, Any]], found: Sequence[Hit], path: str) -> list[str]:
    """The notice for records annotating the very text of an earlier record (the same target
    at the same place of the run) without the system, doc_id and seg_id that would make them
    a further rater's annotation: a record copied twice, or two raters left unmarked."""
    first: dict[tuple[int, int, str], dict[str, Any]] = {}
    repeats: list[tuple[dict[str, Any], dict[str, Any]]] = []
    for rec, (i, _, off) in zip(gold, found):
        if rec["segment"] is not None:
            continue
        earlier = first.setdefault((i, off, rec["text"]), rec)
        if earlier is not rec:
            repeats.append((rec, earlier))
    if not repeats:
        return []
    rec, earlier = repeats[0]
    name = f" ({rec['id']!r})" if rec["id"] is not None else ""
    other = sum(1 for r, e in repeats if _span_set(r) != _span_set(e))
    spans = f", {other} of them with other spans" if other else ""
    return [
        f"{path}: {counted(len(repeats), 'repeated record')} (the target of an earlier record "
        f"at the same place of the run, without system, doc_id and seg_id{spans}; the first: "
        f"line {rec['at']}{name}, as line {earlier['at']}); each record is scored on its own, "
        "so such a text counts once per record: delete the repeats, or mark several raters' "
        "records with system, doc_id and seg_id"
    ]


def _span_set(rec: dict[str, Any]) -> set[tuple[int, int, str, str]]:
    return {(g.start, g.end, g.severity, g.category) for g in rec["spans"]}
