"""Deterministic checks: each a small named :class:`Rule` returning spans.

Rules see one sentence with its document offsets and return spans in document
offsets. ``RULES`` is the registry (rule id → instance); a span's ``source`` is
``rule:<id>``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import ClassVar, Literal

from mtqa.records import Sentence, Span


class Rule:
    id: ClassVar[str]
    severity: ClassVar[Literal["minor", "major"]] = "minor"
    score: ClassVar[float] = 0.9

    def matches(self, text: str) -> Iterator[tuple[int, int, str]]:
        """(start, end, reason) within the sentence text."""
        raise NotImplementedError

    def check(self, sentence: Sentence) -> list[Span]:
        out = []
        for s, e, reason in self.matches(sentence.text):
            out.append(
                Span(
                    start=sentence.start + s,
                    end=sentence.start + e,
                    text=sentence.text[s:e],
                    severity=self.severity,
                    score=self.score,
                    source=f"rule:{self.id}",
                    reason=reason,
                )
            )
        return out


@dataclass(frozen=True)
class RegexRule(Rule):
    """A rule defined by one pattern; the span is group ``span`` if present, else the match."""

    rule_id: str
    pattern: re.Pattern[str]
    reason: str
    rule_severity: Literal["minor", "major"] = "minor"

    @property
    def id(self) -> str:  # type: ignore[override]
        return self.rule_id

    @property
    def severity(self) -> Literal["minor", "major"]:  # type: ignore[override]
        return self.rule_severity

    def matches(self, text: str) -> Iterator[tuple[int, int, str]]:
        for m in self.pattern.finditer(text):
            g = "span" if "span" in self.pattern.groupindex else 0
            yield m.start(g), m.end(g), self.reason


_RULE_LIST: list[Rule] = [
    RegexRule(
        "french-spacing",
        re.compile(r"(?P<span>\w[ \u00a0\u202f]+[;:!?])(?=\s|$)"),
        "French spacing: a space before the punctuation mark",
    ),
    RegexRule(
        "guillemets",
        re.compile(r"[«»]"),
        "French quotation marks (« ») left in English text",
    ),
    RegexRule(
        "stray-period",
        re.compile(r"(?P<span>[.,;:]\s+[.,;:])(?=\s|$|\W)"),
        "stray punctuation: a mark repeated after a space",
        "major",
    ),
    RegexRule(
        "broken-join",
        re.compile(
            r"(?<![.\w])(?!(?:etc|vs|al|approx|incl|cf)\.)(?P<span>\w{2,}\.\s+[‘“\"']?[a-z]\w*)"
        ),
        "broken sentence join: a full stop followed by a lower-case continuation",
        "major",
    ),
    RegexRule(
        "quote-spacing",
        re.compile(r"(?P<span>[,.]?\s+[”\"]\w)"),
        "misplaced closing quote: space before it, none after",
    ),
    RegexRule(
        "orphan-quote",
        re.compile(r"(?P<span>[“‘]\s*[.,;:]?)$|(?P<x>[.,;:]\s+[“‘](?=\s*[.!?]?$))"),
        "an opening quote with nothing after it",
        "major",
    ),
    RegexRule(
        "repeated-word",
        re.compile(r"\b(?P<span>(\w+)\s+\2)\b", re.IGNORECASE),
        "repeated word",
    ),
]

RULES: dict[str, Rule] = {r.id: r for r in _RULE_LIST}


def check_rules(sentence: Sentence, rules: dict[str, Rule] | None = None) -> list[Span]:
    spans: list[Span] = []
    for rule in (RULES if rules is None else rules).values():
        spans.extend(rule.check(sentence))
    return spans
