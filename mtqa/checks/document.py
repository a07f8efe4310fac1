"""The checks applied to one document: target checks per sentence, source checks per unit.

Target checks see each sentence (:func:`target_spans`). Source checks see each aligned
unit of target and source (:func:`mtqa.checks.pairing.pair_units`): a span inside a
sentence goes on that sentence (cut at its end); a span over a whole unit of several
sentences (a line or the whole segment) becomes a document note naming the line or
segment, as does a span no sentence holds (:func:`source_checks`). A line empty in the target
whose source line has text (left untranslated) has no sentence to flag: a note names it.

Without a source none of the source checks run: the ``src_*`` cells are empty and the
document carries the note :data:`NO_SOURCE`. A source some checks are not made for
(``src-names`` on any source but French, ``src-length`` on Cyrillic, Japanese...; see
:mod:`mtqa.checks.names` and :mod:`mtqa.checks.source`) gets a note saying which did not run.

A title the target keeps in quotes as the source quotes it (:mod:`mtqa.checks.titles`:
*the novel "À la recherche du temps perdu"*) is no French left in: the source checks leave
its words alone, and :func:`outside_titles` drops the target checks' ``untranslated-french``,
``spelling`` and ``non-word`` spans inside it (those checks read no source).

Where ``spelling`` and ``non-word`` flag the same word, only ``spelling`` is kept (its
reason names the likely word; :func:`target_spans`). A target check's span inside a
``replacement-char`` span is left out: it reads a piece of a word that lost a character
(``arriv`` of ``arriv\ufffd``), not a word.

**Glossary** (``--glossary FILE``, :mod:`mtqa.checks.glossary`): given a loaded
:class:`~mtqa.checks.glossary.Glossary`, :func:`target_spans` adds ``glossary-forbidden``
per sentence (no source needed) and :func:`source_checks` adds ``glossary-missing`` per
aligned unit (a source term in the unit's source, none of its target terms in the unit's
target), placed like the other source checks' spans.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from mtqa.checks import SOURCE_CHECKS, TARGET_CHECKS
from mtqa.checks.base import Check
from mtqa.checks.glossary import Glossary, GlossaryForbidden, GlossaryMissing
from mtqa.checks.language import profile
from mtqa.checks.pairing import Pairing, Unit, level_note, pair_units, untranslated_note
from mtqa.checks.source import Length, length_ratio
from mtqa.checks.titles import inside, kept_titles
from mtqa.records import Document, Metrics, Sentence, Span

SENTENCE_COLUMNS = ("src_level", "src_flags", "len_ratio")
LOST = "rule:replacement-char"
#: the target checks that flag a foreign word, which a title kept from the source may hold
_FOREIGN_WORD = frozenset({"rule:untranslated-french", "rule:spelling", "rule:non-word"})
NO_SOURCE = "no source given: source checks (numbers, copies, names, length, brackets) did not run"


def target_spans(
    sentence: Sentence,
    checks: dict[str, Check] | None = None,
    glossary: Glossary | None = None,
) -> list[Span]:
    """Spans of every target check on one sentence (document offsets), check by check, then
    ``glossary-forbidden`` when a glossary is given. A ``non-word`` span on a word that
    ``spelling`` flags too is left out, and so is a span inside a ``replacement-char``
    one."""
    spans: list[Span] = []
    for check in (TARGET_CHECKS if checks is None else checks).values():
        spans.extend(check.check(sentence.text, sentence.start))
    if glossary is not None:
        spans.extend(GlossaryForbidden(glossary).check(sentence.text, sentence.start))
    return _inside_lost_words(_spelling_over_non_word(spans))


def _inside_lost_words(spans: list[Span]) -> list[Span]:
    lost = [(s.start, s.end) for s in spans if s.source == LOST]
    if not lost:
        return spans
    return [
        s
        for s in spans
        if s.source == LOST or not any(a <= s.start and s.end <= b for a, b in lost)
    ]


def _spelling_over_non_word(spans: list[Span]) -> list[Span]:
    spelled = [(s.start, s.end) for s in spans if s.source == "rule:spelling"]
    if not spelled:
        return spans
    return [
        s
        for s in spans
        if s.source != "rule:non-word" or not any(a < s.end and s.start < b for a, b in spelled)
    ]


def outside_titles(spans: list[Span], titles: tuple[tuple[int, int], ...]) -> list[Span]:
    """``spans`` less the foreign-word spans (``untranslated-french``, ``spelling``,
    ``non-word``) inside a title kept from the source (``titles``: document offsets,
    :attr:`SourceReport.titles`)."""
    if not titles:
        return spans
    keep = list(titles)
    return [s for s in spans if s.source not in _FOREIGN_WORD or not inside(keep, s.start, s.end)]


def unit_spans(
    unit: Unit, checks: dict[str, Check] | None = None, glossary: Glossary | None = None
) -> list[Span]:
    """Spans of every source check on one aligned unit (document offsets), check by check,
    then ``glossary-missing`` when a glossary is given."""
    spans: list[Span] = []
    for check in (SOURCE_CHECKS if checks is None else checks).values():
        spans.extend(check.check(unit.target, unit.start, unit.other))
    if glossary is not None:
        spans.extend(GlossaryMissing(glossary).check(unit.target, unit.start, unit.other))
    return spans


def skipped_note(source: str) -> str | None:
    """The note for a source some checks do not run on (None when all run)."""
    prof = profile(source)
    if prof.script == "none" or prof.lang == "fr":
        return None
    skipped = ["src-names (made for French sources)"]
    if prof.script not in Length.bands:
        skipped.insert(0, "src-length (no length ratio measured for it)")
    lang = f", language {prof.lang}" if prof.lang else ""
    return f"source in {prof.script} script{lang}: {' and '.join(skipped)} did not run"


@dataclass(frozen=True)
class SourceReport:
    """The source checks' findings on one document."""

    spans: list[list[Span]]  # per sentence
    columns: list[Metrics]  # per sentence: src_level, src_flags, len_ratio
    metrics: Metrics
    notes: tuple[str, ...]
    #: the titles the target keeps in quotes as the source quotes them (document offsets)
    titles: tuple[tuple[int, int], ...] = ()


class RunSources:
    """How many documents of a run had a source (for run.json)."""

    def __init__(self) -> None:
        self.with_source = 0
        self.without_source = 0

    def add(self, doc: Document) -> None:
        """Count one document."""
        if doc.source is None:
            self.without_source += 1
        else:
            self.with_source += 1

    def as_dict(self) -> dict[str, object]:
        """The counts and the source checks' ids (with a note when no document had a source)."""
        out: dict[str, object] = {
            "documents_with_source": self.with_source,
            "documents_without_source": self.without_source,
            "rules": list(SOURCE_CHECKS),
        }
        if not self.with_source:
            out["note"] = NO_SOURCE
        return out


def _where(pairing: Pairing, n: int) -> str:
    return "the whole segment" if pairing.level == "segment" else f"line {n}"


def source_checks(
    doc: Document,
    sentences: list[Sentence],
    checks: dict[str, Check] | None = None,
    glossary: Glossary | None = None,
) -> SourceReport:
    """Run the source checks on ``doc`` (its ``sentences`` from :func:`mtqa.segment.segment`);
    with ``glossary``, ``glossary-missing`` too."""
    if doc.source is None:
        empty = tuple((k, None) for k in SENTENCE_COLUMNS)
        return SourceReport([[] for _ in sentences], [empty] * len(sentences), empty, (NO_SOURCE,))
    pairing = pair_units(doc, sentences, doc.source)
    spans: list[list[Span]] = [[] for _ in sentences]
    ratios: list[float | None] = [None] * len(sentences)
    notes: list[str] = []
    if pairing.level != "sentence":
        notes.append(level_note("source", "src_level", pairing))
    if pairing.untranslated:
        notes.append(untranslated_note("source", pairing))
    skipped = None
    if checks is None or {"src-length", "src-names"} & set(checks):
        skipped = skipped_note(doc.source)
    if skipped:
        notes.append(skipped)
    n_flags = 0
    titles: list[tuple[int, int]] = []
    for n, unit in enumerate(pairing.units, 1):
        for i in unit.sentences:
            ratios[i] = length_ratio(unit.target, unit.other)
        titles += [
            (unit.start + a, unit.start + b) for a, b in kept_titles(unit.target, unit.other)
        ]
        for span in unit_spans(unit, checks, glossary):
            n_flags += 1
            placed = _place(doc, sentences, unit, span)
            if placed is None:
                notes.append(f"{span.source} ({_where(pairing, n)}): {span.reason}")
            else:
                spans[placed[0]].append(placed[1])
    columns: list[Metrics] = [
        (("src_level", pairing.level), ("src_flags", len(s)), ("len_ratio", r))
        for s, r in zip(spans, ratios, strict=True)
    ]
    metrics = (
        ("src_level", pairing.level),
        ("src_flags", n_flags),
        ("len_ratio", length_ratio(doc.text.strip(), doc.source.strip())),
    )
    return SourceReport(spans, columns, metrics, tuple(notes), tuple(titles))


def _place(
    doc: Document, sentences: list[Sentence], unit: Unit, span: Span
) -> tuple[int, Span] | None:
    """The sentence a unit's span goes on, and the span cut at the sentence's end; None for a
    note: a span over the whole of a unit of several sentences, or one no sentence holds."""
    whole = span.start == unit.start and span.end == unit.start + len(unit.target)
    if whole and len(unit.sentences) != 1:
        return None
    hit = [i for i in unit.sentences if sentences[i].start <= span.start < sentences[i].end]
    if not hit:
        return None
    i = hit[0]
    end = min(span.end, sentences[i].end)
    return i, replace(span, end=end, text=doc.text[span.start : end])
