"""One interface for every deterministic check, target-only or source-aware.

A :class:`Check` has an ``id`` (its spans' ``source`` is ``rule:<id>``), a default
``severity`` and ``score``, and one method that callers use::

    check.check(text, start=0, source=None) -> list[Span]

``text`` is a sentence (target checks) or an aligned unit of the target (source checks,
which also get the unit's ``source`` text and return nothing without one); ``start`` is
where ``text`` begins in its document, so the spans carry document offsets and
``span.text == text[span.start - start : span.end - start]``.

A subclass implements :meth:`Check.find`, which yields :class:`Hit` s: offsets into
``text``, a reason, and a severity or score when they differ from the check's own.
:meth:`Check.check` gives ``find`` the text (and the source) in NFC and maps its hits back
to the text as read (:class:`mtqa.text.Composed`): a pattern never sees a decomposed accent
(``e`` + U+0301), on which ``\\w`` and ``\\b`` would cut a word in two, so NFD and NFC text
give the same spans. A
source check that faults the unit as a whole (a number missing from the target, a
copied source) reports the whole ``text``: :meth:`Check.whole`. How spans are placed on
sentences and merged is not the checks' business: :mod:`mtqa.checks.document` places
them, :func:`mtqa.analyse.merge_spans` merges them with the LM's.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterator
from functools import lru_cache
from typing import NamedTuple

from mtqa.machine import machine_tokens
from mtqa.records import Severity, Span
from mtqa.text import Composed


class Hit(NamedTuple):
    """What a check found, in offsets of the text it was given."""

    start: int
    end: int
    reason: str
    severity: Severity | None = None  # None: the check's own severity
    score: float | None = None  # None: the check's own score
    suggestion: str | None = None  # a replacement for exactly text[start:end] ("" deletes)


class Check:
    """Base of all checks: subclasses set ``id`` (and ``severity``, ``score``) and ``find``."""

    id: str
    severity: Severity = "minor"
    score: float = 0.9
    needs_source: bool = False  # a source-aware check: it runs only when a source is given
    #: also report hits on machine tokens (:func:`mtqa.machine.machine_tokens`: URLs, file
    #: names, placeholders, code names); False drops a hit that overlaps one (a check that
    #: judges words: ``os.environ`` holds no French, ``getstate()`` no misspelling)
    machine: bool = True

    def find(self, text: str, source: str | None) -> Iterator[Hit]:
        """Yield the hits in ``text`` (offsets into ``text``); ``source`` is its source or None."""
        raise NotImplementedError

    def check(self, text: str, start: int = 0, source: str | None = None) -> list[Span]:
        """Spans (document offsets: ``text`` begins at ``start``) of every hit in ``text``.

        :meth:`find` reads ``text`` and ``source`` in NFC; its hits are mapped back to
        ``text`` as given (module docstring). A source-aware check returns ``[]`` when
        ``source`` is None.
        """
        if self.needs_source and source is None:
            return []
        nfc = Composed(text)
        src = None if source is None else unicodedata.normalize("NFC", source)
        spans = []
        tokens = () if self.machine else _machine_tokens(nfc.text)
        for hit in self.find(nfc.text, src):
            if any(a < hit.end and hit.start < b for a, b in tokens):
                continue
            a, b = nfc.span(hit.start, hit.end)
            spans.append(
                Span(
                    start=start + a,
                    end=start + b,
                    text=text[a:b],
                    severity=hit.severity or self.severity,
                    score=self.score if hit.score is None else hit.score,
                    source=f"rule:{self.id}",
                    reason=hit.reason,
                    suggestion=nfc.fix(hit.start, hit.end, hit.suggestion),
                )
            )
        return spans

    @staticmethod
    def whole(text: str, reason: str, severity: Severity | None = None) -> Hit:
        """A hit on all of ``text``: the unit as a whole is at fault (a source check)."""
        return Hit(0, len(text), reason, severity)


@lru_cache(maxsize=16)
def _machine_tokens(text: str) -> tuple[tuple[int, int], ...]:
    """:func:`mtqa.machine.machine_tokens` of a sentence, once for all the checks that ask."""
    return tuple(machine_tokens(text))


class RegexCheck(Check):
    """A target check defined by one pattern: the span is group ``span`` if present, else the
    match. ``reason`` may name the span as ``{text}`` and its last character as ``{mark}``;
    ``fix`` (optional) maps the span's text to its replacement (the span's suggestion).
    ``machine``: also match inside machine tokens (:func:`mtqa.machine.machine_tokens`: URLs,
    file names, placeholders); False drops a match that overlaps one (``%1 %%`` is no
    French ``1 %``)."""

    def __init__(
        self,
        id: str,
        pattern: re.Pattern[str],
        reason: str,
        severity: Severity = "minor",
        fix: Callable[[str], str | None] | None = None,
        machine: bool = True,
    ) -> None:
        self.id = id
        self.pattern = pattern
        self.reason = reason
        self.severity = severity
        self.fix = fix
        self.machine = machine

    def find(self, text: str, source: str | None = None) -> Iterator[Hit]:
        """Every match of the pattern in ``text``."""
        g = "span" if "span" in self.pattern.groupindex else 0
        for m in self.pattern.finditer(text):  # hits on machine tokens: Check.check drops them
            span = m.group(g)
            reason = self.reason.format(text=span, mark=span[-1:])
            fix = self.fix(span) if self.fix is not None else None
            yield Hit(m.start(g), m.end(g), reason, suggestion=fix)
