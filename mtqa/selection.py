"""Which checks report: ``--select`` / ``--ignore`` in the style of ruff.

A check id is ``lm`` (the language model's spans) or ``rule:<id>`` for each deterministic
check (the keys of :data:`mtqa.checks.CHECKS`, and the glossary's ``glossary-missing`` and
``glossary-forbidden``): exactly a span's ``source``. A selector names an id or a prefix of
ids, with or without ``rule:``: ``lm``, ``rule:broken-join``, ``src-numbers``, ``src``
(every ``src-*`` check), ``rule:src-``, ``rule`` (every rule), ``all``. The checks
reported are those ``--select`` names (default: all) less those ``--ignore`` names.

The selection is applied in the analysis itself (:func:`mtqa.analyse.analyse` takes it):
spans of checks not selected are dropped before the sentence is scored, so its score comes
from the spans it keeps. :func:`mtqa.analyse.select_result` applies a selection to a result
made without one. ``--ignore lm`` keeps the LM's perplexities and the item evidence in the
sentence scores; only its spans go.
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache, cached_property

from mtqa.errors import UsageError, named

LM = "lm"
RULE = "rule:"


@cache
def check_ids() -> tuple[str, ...]:
    """Every check id a span can carry: ``lm``, then ``rule:<id>`` in registry order."""
    from mtqa.checks import (
        AGREEMENT,
        CHECKS,
        EXTRA_WORD,
        FALSE_FRIEND,
        MISSING_WORD,
        PREPOSITION,
        WORD_ORDER,
    )
    from mtqa.checks.glossary import GlossaryForbidden, GlossaryMissing

    confirmed = [FALSE_FRIEND, PREPOSITION, MISSING_WORD, AGREEMENT, EXTRA_WORD, WORD_ORDER]
    rules = [*CHECKS, *confirmed, GlossaryMissing.id, GlossaryForbidden.id]
    return (LM, *(RULE + r for r in rules))


def canonical(selector: str) -> str:
    """A selector in one spelling: ``src`` → ``rule:src``, ``rule`` → ``rule:``, ``lm`` → ``lm``.

    ``all`` stays ``all``; a bare prefix of ``lm`` (``l``) means ``lm``.
    """
    s = selector.strip().lower()
    if s in ("all", "rule", RULE) or s.startswith(RULE):
        return RULE if s == "rule" else s
    if s and LM.startswith(s):
        return LM
    return RULE + s


def matches(selector: str) -> tuple[str, ...]:
    """The check ids a selector names (see the module docstring); may be empty."""
    c = canonical(selector)
    if c == "all":
        return check_ids()
    return tuple(i for i in check_ids() if i.startswith(c))


def _resolve(selectors: Sequence[str], setting: str) -> set[str]:
    found: set[str] = set()
    for raw in selectors:
        hit = matches(raw) if raw.strip() else ()
        if not hit:
            names = [i.removeprefix(RULE) for i in check_ids()]
            close = difflib.get_close_matches(raw.strip().removeprefix(RULE), names, n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            raise UsageError(
                f"{named(setting, repr(raw))}: names no check; use lm, rule:<id>, an id or a "
                f"prefix (ids: {', '.join(check_ids())}){hint}"
            )
        found.update(hit)
    return found


@dataclass(frozen=True)
class Selection:
    """The checks a run reports, from ``--select``/``--ignore`` selectors.

    Raises :class:`~mtqa.errors.UsageError` for a selector that names no check (the
    message lists the ids and the closest one), and when ``ignore`` leaves none of the
    checks selected (a run that could flag nothing would pass any ``--fail-on`` gate).
    """

    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        self.enabled  # noqa: B018 -- validate now, not at the first span

    @cached_property
    def enabled(self) -> frozenset[str]:
        """The check ids reported."""
        chosen = _resolve(self.select, "select") if self.select else set(check_ids())
        left = frozenset(chosen - _resolve(self.ignore, "ignore"))
        if not left:
            chosen_too = f"{named('select', ','.join(self.select))} " if self.select else ""
            raise UsageError(
                f"{chosen_too}{named('ignore', ','.join(self.ignore))}: no check left to report; "
                "ignore fewer checks"
            )
        return left

    @cached_property
    def everything(self) -> bool:
        """Whether every check is reported (no selection in effect)."""
        return self.enabled == frozenset(check_ids())

    def __contains__(self, source: object) -> bool:
        """Whether spans of ``source`` (``lm``, ``rule:<id>``) are reported; a source no id
        names (a check added later) follows ``rule`` selectors."""
        if not isinstance(source, str):
            return False
        return source in self.enabled or (source not in check_ids() and self.everything)

    def key(self) -> list[str] | None:
        """The sorted enabled ids for the resume key; None when every check is reported."""
        return None if self.everything else sorted(self.enabled)

    def signature(self) -> str:
        """``|sel:lm,rule:src-`` / ``|ign:rule:src-names`` parts ('' without a selection)."""
        parts = []
        if self.select:
            parts.append("sel:" + ",".join(canonical(s) for s in self.select))
        if self.ignore:
            parts.append("ign:" + ",".join(canonical(s) for s in self.ignore))
        return "".join("|" + p for p in parts)


def parse_list(value: str | Sequence[str] | None, setting: str | None = None) -> tuple[str, ...]:
    """``"lm,rule:broken-join"`` or ``["lm", "rule:broken-join"]`` → a tuple of selectors.

    With ``setting`` (``select``, ``ignore``: named so in the message,
    :func:`~mtqa.errors.named`), a value given that names nothing (``""``, ``" , "``) is a
    :class:`~mtqa.errors.UsageError` (it would read as no selection: every check)."""
    if value is None:
        return ()
    items = value.split(",") if isinstance(value, str) else [str(v) for v in value]
    got = tuple(s.strip() for s in items if s.strip())
    if not got and setting is not None:
        raise UsageError(
            f"{named(setting, repr(value))}: names no check; name checks (lm, rule, an id or "
            f"a prefix) or leave {named(setting)} out"
        )
    return got
