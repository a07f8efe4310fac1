"""Suggested fixes: the best local edit of each LM span, rescored in document context.

LM-Critic (Yasunaga, Leskovec and Liang, "LM-Critic: Language Models for Unsupervised
Grammatical Error Correction", EMNLP 2021) judges a sentence bad when a small local edit
makes it much more probable under the LM; the best such edit is the fix a reviewer wants
next to a flag. For each sentence with an LM span (``source == "lm"``) of a
:class:`~mtqa.records.DocumentResult`:

1. **Where.** The span's worst word (highest surprisal) and its neighbours inside the span.
2. **What.** :func:`mtqa.edits.candidate_edits` there: the LM's own whole-word candidates
   at the worst word (:meth:`~mtqa.lm.base.Prefix.word_topk`), common words a slip
   away, deleting the word, swapping it with the next, inserting a function word, joining
   or splitting at a full stop, French calque rewrites. Only an edit that can be written
   as a replacement of exactly the span's text is kept (offsets are sacred: the
   suggestion replaces ``text[span.start:span.end]``); a deletion may also take the
   whitespace before the word, which the gain is measured with.
3. **Budget.** At most ``budget`` edits per sentence (``--edit-budget``), in a fixed
   priority: calques and join/split; the LM's first candidate, the nearest common word,
   deleting the word; the LM's second candidate, a function word the LM itself proposes
   there, the swap; then the rest (an edit for a neighbour of the worst word comes two
   tiers later); several spans of a sentence take turns.
4. **Rescoring.** Each edited sentence is read after the document text before it (as
   many tokens as fit the model window) and its total surprisal compared with the
   original's: the whole sentence, so the words after the edit count. Only the tokens
   from the first one any edit changes (``d``) are scored: the rest are the same in
   every variant. A document is walked once with a KV cache
   (:meth:`~mtqa.lm.base.Prefix.extend`): the context is read once, a sentence's
   variants are batched against it (:meth:`~mtqa.lm.base.Prefix.totals`). Sentences with
   no context before them (one-sentence records, first sentences) are rescored together
   across the documents of a batch, in packed passes whose numbers depend on each
   sequence alone (:meth:`~mtqa.lm.base.Scorer.word_candidates`,
   :meth:`~mtqa.lm.base.Scorer.suffix_totals`).
5. **Verdict.** The best edit's gain (bits, positive: the sentence becomes more likely)
   and its replacement go on the span as ``gain``/``suggestion`` when the gain is at
   least :data:`MIN_GAIN` bits (a deletion ranks by its gain less the entropy at the
   word: :func:`_merit`); otherwise the span's reason says why there is no fix.

Deterministic: a document's suggestions depend on that document alone (never on the
other documents scored with it), candidates come in a fixed order and ties go to the
earlier one. Rule spans keep their own fixes, and an LM span that overlaps a rule span
with a fix gets none of its own (its reason names the rule's). The cost: with the default
budget, ``mtqa check`` takes 1.5-1.8x the time of the plain pass (bench/bench.py,
bench/suggest_cost.py; 2 CPU cores).
"""

from __future__ import annotations

import bisect
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Protocol, TypeVar

from mtqa.edits import Edit, candidate_edits, spelling_neighbours
from mtqa.lm.base import Encoding, Prefix, Scorer
from mtqa.records import DocumentResult, SentenceResult, Span, WordScore

T = TypeVar("T")

#: edits rescored per sentence by default (``--edit-budget``; bench/suggest_cost.py: the
#: whole check within 2x the plain pass on 2 CPU cores: 1.76x; 2 and 3 edits: 1.31x, 1.53x)
DEFAULT_BUDGET = 4
#: least gain (bits) for a suggestion: the sentence at least 4 times more likely
MIN_GAIN = 2.0
LM_TOPK = 16  # whole-word tokens asked of the LM at the worst word
LM_WORDS = 3  # whole-word LM candidates kept there
NO_FIX = "none of the edits tried makes the sentence more likely"
#: why an LM span on a number gets no fix: no edit of a number is tried (:mod:`mtqa.edits`)
NUMBER_NO_FIX = "a number is not guessed: compare it with the source"

_KIND_TIER = {"calque": 0, "join": 0, "split": 0, "delete": 1, "swap": 2}


@dataclass(frozen=True)
class Candidate:
    """An edit as a fix of one span: ``suggestion`` replaces exactly the span's text."""

    span: int  # index of the span in the sentence's spans
    edit: Edit
    suggestion: str
    tier: int
    order: int  # position in the generator's output (ties)


def _minimal(text: str, e: Edit) -> tuple[int, int, str]:
    """The edit with the text it leaves unchanged at both ends trimmed off."""
    old, new = text[e.start : e.end], e.replacement
    p = 0
    while p < min(len(old), len(new)) and old[p] == new[p]:
        p += 1
    s = 0
    while s < min(len(old), len(new)) - p and old[-1 - s] == new[-1 - s]:
        s += 1
    return e.start + p, e.end - s, new[p : len(new) - s]


def as_span_fix(text: str, e: Edit, span: Span) -> str | None:
    """The span's text with the edit applied, or None when the edit reaches outside the
    span. A deletion may take whitespace next to the span with it (the suggestion then
    deletes the span's part)."""
    a, b, rep = _minimal(text, e)
    if span.start <= a and b <= span.end:
        return text[span.start : a] + rep + text[b : span.end]
    inside_a, inside_b = max(a, span.start), min(b, span.end)
    outside = text[a:inside_a] + text[inside_b:b]
    if rep == "" and inside_a < inside_b and outside.isspace():
        left, right = text[span.start : inside_a], text[inside_b : span.end]
        # the space the edit took outside the span is kept there: drop the span's own
        # space beside the deleted part instead ("a TMX unit": span "TMX unit", edit
        # " TMX" -> "unit", not " unit", which would leave two spaces)
        if a < span.start and right[:1].isspace():
            right = right.lstrip()
        if b > span.end and left[-1:].isspace():
            left = left.rstrip()
        return left + right
    return None


def _tier(
    e: Edit, words: Sequence[WordScore], worst: int, lm: Sequence[str], proposed: set[str]
) -> int:
    """Priority of an edit (lower first; module docstring, step 3): by kind, and for a
    replacement by its rank among the LM's or the spelling candidates; an edit made for
    a neighbour of the worst word comes two tiers later."""
    if e.kind in ("replace", "spell"):
        ranked = lm if e.kind == "replace" else spelling_neighbours(words[e.focus].text)
        lower = [w.lower() for w in ranked]
        rep = e.replacement.lower()
        rank = lower.index(rep) if rep in lower else 2
        tier = 1 if rank == 0 else 2 if (rank == 1 and e.kind == "replace") else 3
    elif e.kind == "insert":
        tier = 2 if e.replacement.strip().lower() in proposed else 4
    else:
        tier = _KIND_TIER.get(e.kind, 3)
    return tier if e.focus in (worst, -1) or tier == 0 else tier + 2


class Walk:
    """One document's ids read with a KV cache, sentence by sentence, never backwards.

    A sentence starting at token ``s`` is read after ``ids[c:s]``, where ``c`` depends on
    ``s`` alone (so a sentence's numbers never depend on which other sentences were
    rescored): the last ``limit`` tokens, the start rounded up to a multiple of
    ``limit // 2``. Sentences with the same ``c`` share one cache, extended forward.
    """

    def __init__(self, scorer: Scorer, ids: Sequence[int], reserve: int) -> None:
        self.scorer = scorer
        self.ids = list(ids)
        self.limit = max(0, scorer.window - len(scorer.prefix_ids) - reserve)
        self.step = max(1, self.limit // 2)
        self.prefix: Prefix | None = None
        self.start = -1

    def context_start(self, s: int) -> int:
        """``c`` for a sentence starting at token ``s`` (class docstring)."""
        if s <= self.limit:
            return 0
        return min(s, -(-(s - self.limit) // self.step) * self.step)

    def at(self, s: int, start: int, then: Sequence[int] = ()) -> Prefix:
        """The cache holding ``prefix_ids + ids[start:s] + then``, extended from the last
        one (in one pass) when that one is a start of it, else made anew."""
        c = start
        want = self.ids[c:s] + [int(i) for i in then]
        n0 = len(self.scorer.prefix_ids)
        if self.prefix is not None and self.start == c:
            fed = self.prefix.ids[n0:]
            if len(fed) <= len(want) and fed == want[: len(fed)]:
                self.prefix.extend(want[len(fed) :])
                return self.prefix
        self.prefix, self.start = self.scorer.prefix_cache(want), c
        return self.prefix


def token_at(enc: Encoding, pos: int) -> int:
    """Index of the first token ending after character ``pos`` (len: none)."""
    return bisect.bisect_right([e for _, e in enc.offsets], pos)


def sentence_tokens(
    enc: Encoding, ends: Sequence[int], sent: SentenceResult
) -> tuple[int, int | None, int | None]:
    """Where sentence ``sent`` lies in its document's encoding ``enc`` (``ends``: its
    tokens' end offsets): ``(s, cut, end)``, ``s`` the token holding its start and
    ``text[cut:end]`` the sentence widened to whole tokens; ``cut`` and ``end`` are None
    when no token lies in it."""
    s = bisect.bisect_right(ends, sent.start)
    e = s  # the first token starting at or after its end
    while e < len(enc.ids) and enc.offsets[e][0] < sent.end:
        e += 1
    if s >= len(enc.ids) or e <= s:
        return s, None, None
    return s, min(enc.offsets[s][0], sent.start), max(enc.offsets[e - 1][1], sent.end)


def common_start(a: Sequence[int], b: Sequence[int]) -> int:
    """Length of the common start of two id sequences."""
    n = 0
    while n < min(len(a), len(b)) and a[n] == b[n]:
        n += 1
    return n


def _worst(words: Sequence[WordScore], span: Span) -> list[int]:
    """The span's worst word, then its neighbours inside the span (indices into ``words``);
    never a symbol (an emoji is no error: :mod:`mtqa.features`)."""
    inside = [
        i
        for i, w in enumerate(words)
        if span.start <= w.start and w.end <= span.end and w.kind != "symbol"
    ]
    if not inside:
        return []
    k = max(inside, key=lambda i: (words[i].surprisal, -i))
    return [k] + [i for i in (k - 1, k + 1) if i in inside]


def _lm_words(
    scorer: Scorer, top: Sequence[int], lead: str, word: str
) -> tuple[list[str], set[str]]:
    """The LM's whole-word candidates for ``word`` (at most :data:`LM_WORDS`) among its
    ``top`` word tokens there, and every word it proposes (for insertions). A candidate
    keeps the original's leading whitespace ``lead``.

    A replacement keeps the word's shape: none for a word without a Latin letter (``שלום``
    needs a translation, not the LM's guess of an English word), and a lower-case word is
    replaced by a lower-case one only (``now`` -> ``Price`` is never a fix)."""
    picks: list[str] = []
    proposed: set[str] = set()
    replaceable = _latin(word)
    for tid in top:
        piece = scorer.token_text([tid])
        cand = piece[len(lead) :]
        if piece.startswith(lead) and cand.isalpha():
            proposed.add(cand.lower())
            if (
                replaceable
                and cand.lower() != word.lower()
                and (cand.islower() or not word.islower())
                and len(picks) < LM_WORDS
            ):
                picks.append(cand)
    return picks, proposed


def _latin(word: str) -> bool:
    """Whether ``word`` has a Latin letter (``café`` yes, ``שלום``, ``東京`` no)."""
    return any(c.isalpha() and unicodedata.name(c, "").startswith("LATIN") for c in word)


@dataclass
class SpanPlan:
    """One LM span of a sentence: where its edits go and what the LM proposes there."""

    index: int  # in the sentence's spans
    span: Span
    focus: list[int]  # word indices: the worst word, then its neighbours in the span
    pos: int | None = None  # token (of the continuation) where the worst word starts
    lead: str = ""  # the whitespace of that token before the word
    lm: list[str] = field(default_factory=list)
    proposed: set[str] = field(default_factory=set)


class _Job:
    """One sentence with LM spans being fixed: its continuation ``text[cut:end]`` (the
    sentence, from the start of its first token to the end of its last) and its ids
    ``cont``, the span plans, the first token any edit changes (``d``), the candidates."""

    def __init__(
        self, scorer: Scorer, text: str, enc: Encoding, sent: SentenceResult, ends: Sequence[int]
    ) -> None:
        """``enc``: the document's encoding; ``ends``: its tokens' end offsets."""
        self.scorer, self.text, self.sent = scorer, text, sent
        self.words = list(sent.words)
        fixed = [sp for sp in sent.spans if sp.source != "lm" and sp.suggestion is not None]
        # an LM span over a rule's fix: the rule's deterministic fix stands, none competes
        self.covered: dict[int, Span] = {}
        self.spans: list[tuple[int, Span]] = []
        for k, sp in enumerate(sent.spans):
            if sp.source != "lm" or sp.suggestion is not None:
                continue
            rule = next((r for r in fixed if r.start < sp.end and sp.start < r.end), None)
            if rule is None:
                self.spans.append((k, sp))
            else:
                self.covered[k] = rule
        self.s, cut, end = sentence_tokens(enc, ends, sent)
        self.ok = bool(self.spans and self.words) and cut is not None
        self.cut = cut if cut is not None else sent.start
        self.end = end if end is not None else sent.end
        self.enc = scorer.encode_text(text[self.cut : self.end] if self.ok else "")
        self.cont = self.enc.ids
        self.why: str | None = None if self.ok else "nothing to rescore"
        if self.ok and len(self.cont) > rescore_limit(scorer, self.s == 0):
            # never rescored (rescore_jobs): no candidates made, each of which would
            # re-encode the whole sentence (quadratic in a long line's flags)
            self.ok, self.why = False, TOO_LONG
        self.plans = [self.plan(k, sp) for k, sp in self.spans] if self.ok else []
        firsts = [p.pos for p in self.plans if p.pos is not None]  # LM replacements
        firsts += [
            common_start(self.cont, self.ids(c.edit)) for p in self.plans for c in self.fixes(p)
        ]
        self.d = min(firsts, default=len(self.cont))
        self.fresh = self.s == 0  # no document context: batched with other documents'
        self.cands: list[Candidate] = []
        self.keep: list[int] = []  # the candidates rescored (all but a rare retokenisation)
        self.gains: dict[int, float] = {}

    def ids(self, e: Edit) -> tuple[int, ...]:
        """The continuation's ids with ``e`` applied."""
        return self.scorer.encode_text(e.apply(self.text, self.cut, self.end)).ids

    def plan(self, k: int, sp: Span) -> SpanPlan:
        """Where span ``sp`` (index ``k``) is edited."""
        plan = SpanPlan(k, sp, _worst(self.words, sp))
        if not plan.focus or self.words[plan.focus[0]].kind != "word":
            return plan
        w = self.words[plan.focus[0]]
        p = token_at(self.enc, w.start - self.cut)
        if p < len(self.cont):
            lead = self.text[self.cut + self.enc.offsets[p][0] : w.start]
            if not lead or lead.isspace():  # not a token starting inside a glued quote
                plan.pos, plan.lead = p, lead
        return plan

    def fixes(self, plan: SpanPlan) -> list[Candidate]:
        """The span's candidate edits as fixes of its text, in priority order."""
        if not plan.focus:
            return []
        sent, sp = self.sent, plan.span
        lm = {plan.focus[0]: plan.lm} if plan.lm else None
        edits = candidate_edits(self.text, (sent.start, sent.end), self.words, plan.focus, lm)
        out: list[Candidate] = []
        seen: set[str] = set()
        for order, e in enumerate(edits):
            fix = as_span_fix(self.text, e, sp)
            if fix is None or fix == sp.text or fix in seen:
                continue
            seen.add(fix)
            tier = _tier(e, self.words, plan.focus[0], plan.lm, plan.proposed)
            out.append(Candidate(plan.index, e, fix, tier, order))
        out.sort(key=lambda c: (c.tier, c.order))
        return out

    def asks(self) -> list[SpanPlan]:
        """The plans that want the LM's word candidates (their worst word is a word)."""
        return [p for p in self.plans if p.pos is not None]

    def take_lm(self, plan: SpanPlan, top: Sequence[int]) -> None:
        """Record the LM's word tokens ``top`` at the plan's worst word."""
        plan.lm, plan.proposed = _lm_words(
            self.scorer, top, plan.lead, self.words[plan.focus[0]].text
        )

    def choose(self, budget: int) -> list[tuple[int, ...]]:
        """Pick the candidates (at most ``budget``); the suffixes to score from ``d``: the
        original's first, then each kept candidate's."""
        self.cands = take_turns([self.fixes(p) for p in self.plans], budget)
        variants = [self.ids(c.edit) for c in self.cands]
        self.keep = [j for j, v in enumerate(variants) if common_start(self.cont, v) >= self.d]
        return [tuple(self.cont[self.d :])] + [variants[j][self.d :] for j in self.keep]

    def scored(self, totals: Sequence[float]) -> None:
        """The totals of :meth:`choose`'s suffixes: each candidate's gain."""
        self.gains = {j: totals[0] - t for j, t in zip(self.keep, totals[1:])}

    def result(self, min_gain: float) -> SentenceResult:
        """The sentence with each LM span's fix, or the reason for none."""
        new = list(self.sent.spans)
        for k, rule in self.covered.items():
            why = f"the {rule.source} fix ({rule.text!r} -> {rule.suggestion!r}) covers it"
            new[k] = _no_fix(new[k], why)
        for plan in self.plans or [SpanPlan(k, sp, []) for k, sp in self.spans]:
            if self.why is not None:
                new[plan.index] = _no_fix(plan.span, self.why)
            elif self._number_only(plan):
                new[plan.index] = _no_fix(plan.span, NUMBER_NO_FIX)
            else:
                new[plan.index] = _verdict(
                    plan.span, plan.index, self.cands, self.gains, self.words, min_gain
                )
        return replace(self.sent, spans=tuple(new))

    def _number_only(self, plan: SpanPlan) -> bool:
        """Whether the span's worst item is a number and no edit was made for the span."""
        worst = self.words[plan.focus[0]] if plan.focus else None
        return worst is not None and worst.kind == "number" and not self.fixes(plan)


def take_turns(groups: Sequence[Sequence[T]], budget: int) -> list[T]:
    """At most ``budget`` items, the groups taking turns, each in its own order: every
    group's first item, then every second one, and so on (the spans' candidates here,
    the sites' replacements in :mod:`mtqa.confusion`)."""
    out: list[T] = []
    for r in range(max((len(m) for m in groups), default=0)):
        for m in groups:
            if r < len(m) and len(out) < budget:
                out.append(m[r])
    return out


def _no_fix(sp: Span, why: str) -> Span:
    return replace(sp, reason=f"{sp.reason}; no fix suggested: {why}")


def _verdict(
    sp: Span,
    k: int,
    cands: Sequence[Candidate],
    gains: dict[int, float],
    words: Sequence[WordScore],
    min_gain: float,
) -> Span:
    """Span ``sp`` (index ``k``) with its best candidate's fix, or the reason for none.
    The best: the highest :func:`_merit` (a tie: the earlier candidate)."""
    tried = [j for j in sorted(gains) if cands[j].span == k]
    if not tried:
        if any(c.span == k for c in cands):
            return _no_fix(sp, NO_FIX)
        if cands:
            return _no_fix(sp, "the edit budget was spent on other flags of the sentence")
        return _no_fix(sp, "no local edit to try")
    best = max(tried, key=lambda j: (round(_merit(cands[j], gains[j], words), 4), -j))
    if _merit(cands[best], gains[best], words) < min_gain:
        return _no_fix(sp, f"{NO_FIX} ({len(tried)} tried)")
    return replace(sp, suggestion=cands[best].suggestion, gain=round(gains[best], 2))


def _merit(c: Candidate, gain: float, words: Sequence[WordScore]) -> float:
    """What ranks the candidates: the gain, less, for a deletion, the entropy at the
    deleted word (what a typical word there costs), so that dropping any content word
    does not pass for a fix."""
    if c.edit.kind == "delete" and 0 <= c.edit.focus < len(words):
        return gain - words[c.edit.focus].entropy
    return gain


class RescoreJob(Protocol):
    """One sentence's variants to rescore (:class:`_Job` here, :class:`mtqa.confusion`'s
    probes): its continuation ids ``cont`` (the sentence's tokens), the first token any
    variant changes ``d``, the token ``s`` where it starts in its document, ``fresh`` (no
    document context before it), ``why`` (None: to rescore; else why not)."""

    why: str | None

    @property
    def cont(self) -> Sequence[int]:
        """The sentence's token ids (its continuation)."""

    @property
    def d(self) -> int:
        """The first token any variant changes."""

    @property
    def s(self) -> int:
        """The document token where the sentence starts."""

    @property
    def fresh(self) -> bool:
        """No document context before the sentence."""

    @property
    def ok(self) -> bool:
        """There is something to rescore."""

    def asks(self) -> list[SpanPlan]:
        """The plans that want the LM's word candidates."""

    def take_lm(self, plan: SpanPlan, top: Sequence[int]) -> None:
        """Record the LM's word tokens at a plan's worst word."""

    def choose(self, budget: int) -> list[tuple[int, ...]]:
        """The suffixes from ``d`` to score: the original's first, then the variants'."""

    def scored(self, totals: Sequence[float]) -> None:
        """The totals of :meth:`choose`'s suffixes, in its order."""


def _run_fresh(scorer: Scorer, jobs: Sequence[RescoreJob], budget: int) -> None:
    """Sentences with no document context before them (records, first sentences), all
    documents together: one batch for the LM's word candidates, one for the rescoring."""
    n0 = list(scorer.prefix_ids)
    asks = [(job, p) for job in jobs for p in job.asks()]
    seqs = [n0 + list(job.cont[: p.pos]) for job, p in asks if p.pos is not None]
    for (job, p), top in zip(asks, scorer.word_candidates(seqs, LM_TOPK), strict=True):
        job.take_lm(p, top)
    items: list[tuple[list[int], int]] = []
    spans: list[tuple[RescoreJob, int, int]] = []
    for job in jobs:
        suffixes = job.choose(budget)
        head = n0 + list(job.cont[: job.d])
        spans.append((job, len(items), len(suffixes)))
        items += [(head + list(v), len(head)) for v in suffixes]
    totals = scorer.suffix_totals(items)
    for job, at, n in spans:
        job.scored(totals[at : at + n])


def _run_walked(scorer: Scorer, walk: Walk, job: RescoreJob, budget: int) -> None:
    """A sentence after its document context: the cache walked up to ``d`` (one pass),
    the LM's word candidates from there, the suffixes rescored against it (one pass)."""
    start = walk.context_start(job.s)
    room = scorer.window - len(scorer.prefix_ids) - (len(job.cont) - job.d) - 8
    prefix = walk.at(job.s, max(start, job.s - (room - job.d)), job.cont[: job.d])
    asks = job.asks()
    if asks:
        positions = [p.pos - job.d for p in asks if p.pos is not None]
        for p, top in zip(asks, prefix.word_topk(job.cont[job.d :], positions, LM_TOPK)):
            job.take_lm(p, top)
    job.scored(prefix.totals(job.choose(budget)))


#: a job's ``why`` when its sentence does not fit one LM window (:func:`rescore_limit`)
TOO_LONG = "the sentence is too long to rescore"


def rescore_limit(scorer: Scorer, fresh: bool) -> int:
    """The most tokens a sentence may have to be rescored (:func:`rescore_jobs`): one LM
    window less the prefix and a margin for the edit, and 64 tokens less when it is read
    after its document's context (``fresh`` False: part of the window holds context)."""
    limit = scorer.window - len(scorer.prefix_ids) - 8
    return limit if fresh else limit - 64


def rescore_jobs(
    scorer: Scorer, per_doc: Sequence[tuple[Sequence[int], Sequence[RescoreJob]]], budget: int
) -> None:
    """Rescore the jobs of each document (its ids, its jobs in text order), each job's
    numbers depending on its document alone: a job too long for the window gets a
    ``why``; those without document context are rescored together across the documents
    (packed, batch-independent), the others walking their document with a KV cache."""
    for job in (j for _, js in per_doc for j in js):
        if job.ok and len(job.cont) > rescore_limit(scorer, job.fresh):
            job.why = TOO_LONG
    _run_fresh(scorer, [j for _, js in per_doc for j in js if j.fresh and j.why is None], budget)
    for ids, js in per_doc:
        todo = [j for j in js if not j.fresh and j.why is None]
        if todo:
            walk = Walk(scorer, ids, reserve=max(64, scorer.window // 4))
            for job in todo:
                _run_walked(scorer, walk, job, budget)


def suggest_results(
    results: Sequence[DocumentResult],
    scorer: Scorer,
    budget: int = DEFAULT_BUDGET,
    min_gain: float = MIN_GAIN,
) -> list[DocumentResult]:
    """``results`` with suggested fixes on their LM spans (module docstring); ``budget``:
    edits rescored per sentence (0: ``results`` unchanged). Each result's ``text`` is its
    document's; its sentences need their ``words`` (as :func:`mtqa.analyse.analyse` makes
    them). Sentences without document context before them are rescored together across
    the documents (batch-independent numbers), the others document by document."""
    if budget <= 0:
        return list(results)
    per_doc: list[tuple[Sequence[int], list[_Job]]] = []
    for r in results:
        todo = [
            s
            for s in r.sentences
            if any(sp.source == "lm" and sp.suggestion is None for sp in s.spans)
        ]
        if not todo:
            per_doc.append(((), []))
            continue
        enc = scorer.encode_text(r.text)
        ends = [b for _, b in enc.offsets]
        per_doc.append((enc.ids, [_Job(scorer, r.text, enc, s, ends) for s in todo]))
    rescore_jobs(scorer, per_doc, budget)
    out = []
    for r, (_, js) in zip(results, per_doc):
        done = {job.sent.sent_id: job.result(min_gain) for job in js}
        out.append(
            replace(r, sentences=tuple(done.get(s.sent_id, s) for s in r.sentences)) if js else r
        )
    return out


def suggest_fixes(
    result: DocumentResult, scorer: Scorer, budget: int = DEFAULT_BUDGET, min_gain: float = MIN_GAIN
) -> DocumentResult:
    """One document's :func:`suggest_results`."""
    return suggest_results([result], scorer, budget, min_gain)[0]
