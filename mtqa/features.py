"""Word scores → feature vectors the detector weighs.

One row per item (word, number or punctuation mark) of a sentence. The LM gives
surprisal ``s`` (bits, summed over subwords) and the entropy ``h`` of its
prediction at the item ("what a typical word here costs"); ``wordfreq`` gives the
unigram surprisal ``u`` (how rare the word is anywhere), capped at ``U_CAP`` for
words it does not know. The rest describe the item's surroundings: how much the
next items cost (an error disturbs what follows), whether it looks like a name
(capitalised mid-sentence, repeated in the document), whether punctuation is
glued to it, and where it sits in the sentence.

``FEATURES`` is the column order, stored with the fitted weights so a detector
file and this code can be checked against each other.

**Symbols** (an emoji, a flag, a pictograph: :mod:`mtqa.align`) are no evidence: the
detector was fitted on text without them, and an emoji the LM finds surprising (19 bits for
the 🎉 of ``the capital of Japan 🎉.``) is not an error. The other items' rows are made as
if the sentence had no symbol (their neighbours, positions, medians and means skip it), so
an emoji's cost does not spill into the words around it; a symbol keeps a row of its own
(its columns read among all items), which :func:`mtqa.detect.detect_lm` never flags and
the sentence model leaves out (:func:`evidence`).
"""

from __future__ import annotations

import math
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from functools import lru_cache

from mtqa.learned import sigmoid
from mtqa.records import NOT_WORDS, WordScore
from mtqa.text import ends_abbreviation, is_list_marker

U_CAP = 30.0  # bits for a word wordfreq does not know (zipf 0 ≈ 1 in 10^9 words)
S_CAP = 40.0

FEATURES: tuple[str, ...] = (
    "s",  # word surprisal, bits
    "s_hi",  # max(0, s - 12): the tail matters more than the bulk
    "h",  # entropy of the LM's prediction at the word, bits
    "s_minus_h",  # surprise beyond what a typical word here costs
    "u",  # unigram surprisal (wordfreq), bits
    "slor",  # s - u: surprising for its frequency
    "unknown",  # not in wordfreq
    "n_tok",  # log2(1 + subword tokens)
    "s_next1",  # surprisal of the next item
    "s_next2",  # surprisal of the item after that
    "s_prev",  # surprisal of the previous item
    "s_rel",  # s minus the sentence's median item surprisal
    "cap_mid",  # capitalised, not sentence-initial (name-like)
    "cap_mid_s",  # cap_mid * s: names are expensive but not errors
    "repeat_doc",  # capitalised and seen more than once in the document
    "first",  # first item of the sentence
    "pos",  # relative position in the sentence (0..1)
    "glued",  # punctuation touches it (no space) on either side
    "is_punct",
    "is_number",
    "punct_s",  # is_punct * s
    "lower_after_stop",  # a lower-case word after '.', '!' or '?' and a space
    # what the LM expected instead (the word's first token)
    "lrank",  # log2(1 + rank of the word's first token): 0 when the LM's first choice
    "pmax",  # probability of the LM's most likely token there
    "top1",  # the word's first token was the LM's first choice
    "smax",  # bits, the word's most surprising token
    "h_next",  # entropy at the next item: an error leaves the LM unsure what follows
    "lrank_next",  # lrank of the next item
    "lrank_prev",  # lrank of the previous item
    "s_win3",  # the largest surprisal of the item and its two neighbours
    "s_mean_sent",  # mean item surprisal of the sentence (a garbled sentence costs more)
    "log_idx",  # log2(1 + position from the sentence start)
    "to_end",  # log2(1 + items to the sentence end)
    "prev_punct",  # the previous item is punctuation
    "next_punct",  # the next item is punctuation
    "n_items",  # log2(items in the sentence)
    "s_gt_h",  # the item costs more than a typical word there
    "sum_next3",  # bits of the next three items together
    # relative to the sentence: what stands out in it (transfers across systems and domains)
    "lrank_rel",  # lrank minus the sentence's mean lrank
    "h_rel",  # entropy minus the sentence's mean entropy
    "s_next1_rel",  # s_next1 minus the sentence's mean item surprisal
    # with a source (mtqa.conditioned): bits the source saves on the item
    "src_gain",  # surprisal alone minus surprisal after the source (0 without one)
    "has_cond",  # the item was also scored after its source
    # the other direction, one value per document (mtqa.conditioned.back_gains)
    "back_gain",  # bits per source token the target saves on its source (0 without one)
    "has_back",  # the document's source was scored after its target
)

#: the sentence model's columns (:func:`sentence_row`), in order
SENTENCE_FEATURES: tuple[str, ...] = (
    "log_words",  # ln(1 + items): a longer sentence has more chances to hold an error
    "hazard",  # sum over items of -ln(1 - p): the items' evidence, all of them
    "max_logit",  # the likeliest error item's logit
    "mean_p",  # mean item probability
    "rule_major",  # major spans from the target checks
    "rule_minor",  # minor spans from the target checks
    "src_spans",  # spans from the source checks (0 without a source)
    "has_source",  # a source was given
    "mean_s",  # mean item surprisal, bits
    "mean_s_minus_h",  # mean surprise beyond the typical word, bits
    "src_gain_mean",  # mean src_gain of the items (0 without a source)
    "has_cond",  # the sentence was scored after its source
    "len_log_ratio",  # ln(target length / source length), CJK weighted (0 without a source)
    "len_log_ratio_sq",  # its square: too short and too long both
    # what the sentence exposes to error: names and numbers are where translations go wrong
    "log_names",  # ln(1 + name-like items: capitalised, not sentence-initial)
    "log_numbers",  # ln(1 + numbers)
    "back_gain",  # the document's back gain (bits per source token; 0 without)
    "has_back",  # the document's source was scored after its target
)


@lru_cache(maxsize=200_000)
def unigram_bits(word: str) -> float:
    """-log2 of the word's frequency in English (wordfreq); ``U_CAP`` when unknown."""
    from wordfreq import word_frequency

    f = word_frequency(unicodedata.normalize("NFC", word), "en")
    return min(U_CAP, -math.log2(f)) if f > 0 else U_CAP


def name_counts(words: Iterable[WordScore]) -> Counter[str]:
    """How often each capitalised word occurs in a document (its items, in any order), by
    its NFC form (a decomposed ``École`` is the same name as a composed one)."""
    return Counter(_nfc(w.text) for w in words if w.kind == "word" and w.text[:1].isupper())


def _nfc(word: str) -> str:
    return unicodedata.normalize("NFC", word)


def _joins(c: str) -> bool:
    """Whether ``c`` is part of a word for ``glued``: a letter, a digit, or a combining mark
    (the accent of a decomposed ``é`` ends its word as ``é`` does)."""
    return c.isalnum() or unicodedata.category(c)[0] == "M"


def evidence(words: Sequence[WordScore]) -> list[int]:
    """The indices of the items that are evidence for the detector: all but symbols (module
    docstring)."""
    return [k for k, w in enumerate(words) if w.kind != "symbol"]


def sentence_features(
    text: str,
    words: Sequence[WordScore],
    names: Counter[str] | None = None,
    cond: Sequence[WordScore] | None = None,
    back: float | None = None,
) -> list[list[float]]:
    """Feature rows (``FEATURES`` order) for the items of one sentence of ``text``.

    ``words`` are the sentence's items (document offsets into ``text``); ``names`` counts
    the capitalised words of the whole document (:func:`name_counts`); ``cond``: the same
    items scored after the source (:mod:`mtqa.conditioned`), or None; ``back``: the
    document's back gain (:func:`mtqa.conditioned.back_gains`), or None. Surprisals are in
    bits, capped at ``S_CAP`` (an infinite one counts as the cap). The rows of the items
    other than symbols are made as if the symbols were not there (module docstring).
    """
    rows = _rows(text, words, names, cond, back)
    keep = evidence(words)
    if len(keep) < len(words):
        sub = _rows(
            text,
            [words[k] for k in keep],
            names,
            None if cond is None else [cond[k] for k in keep],
            back,
        )
        for k, row in zip(keep, sub, strict=True):
            rows[k] = row
    return rows


def _rows(
    text: str,
    words: Sequence[WordScore],
    names: Counter[str] | None,
    cond: Sequence[WordScore] | None,
    back: float | None,
) -> list[list[float]]:
    """:func:`sentence_features` of ``words`` taken as they are (symbols too)."""
    n = len(words)
    if n == 0:
        return []
    s = [_capped(w.surprisal) for w in words]
    med = sorted(s)[n // 2]
    mean = sum(s) / n
    lr = [_lrank(w) for w in words]
    mean_lr = sum(lr) / n
    mean_h = sum(w.entropy for w in words) / n
    rows = []
    first_word = next((k for k, w in enumerate(words) if w.kind not in NOT_WORDS), 0)
    for k, w in enumerate(words):
        is_word = w.kind == "word"
        u = unigram_bits(w.text.lower()) if is_word else 0.0
        cap_mid, rep, glued, lower_after_stop = _context(text, words, k, first_word, names)
        punct = 1.0 if w.kind == "punct" else 0.0
        rows.append(
            [
                s[k],
                max(0.0, s[k] - 12.0),
                w.entropy,
                s[k] - w.entropy,
                u,
                s[k] - u if is_word else 0.0,
                1.0 if is_word and u >= U_CAP else 0.0,  # unknown
                math.log2(1 + w.n_tokens),
                s[k + 1] if k + 1 < n else 0.0,
                s[k + 2] if k + 2 < n else 0.0,
                s[k - 1] if k > 0 else 0.0,
                s[k] - med,
                cap_mid,
                cap_mid * s[k],
                rep,
                1.0 if k == first_word else 0.0,
                k / max(1, n - 1),
                glued,
                punct,
                1.0 if w.kind == "number" else 0.0,
                punct * s[k],
                lower_after_stop,
                *_expectation(words, s, lr, k, n, mean),
                lr[k] - mean_lr,
                w.entropy - mean_h,
                (s[k + 1] if k + 1 < n else 0.0) - mean,
                s[k] - _capped(cond[k].surprisal) if cond is not None else 0.0,
                1.0 if cond is not None else 0.0,
                back if back is not None else 0.0,
                1.0 if back is not None else 0.0,
            ]
        )
    return rows


def _capped(bits: float) -> float:
    """Surprisal capped at ``S_CAP`` bits (an infinite one counts as the cap)."""
    return min(S_CAP, bits) if math.isfinite(bits) else S_CAP


def _lrank(w: WordScore) -> float:
    return math.log2(1 + w.rank) if w.n_tokens else 0.0


def _expectation(
    words: Sequence[WordScore], s: Sequence[float], lr: Sequence[float], k: int, n: int, mean: float
) -> list[float]:
    """Item ``k``'s columns from ``lrank`` on: what the LM expected, and where it stands."""
    w = words[k]
    nxt = words[k + 1] if k + 1 < n else None
    return [
        lr[k],
        w.pmax,
        1.0 if w.rank == 0 and w.n_tokens else 0.0,
        min(S_CAP, w.smax),
        nxt.entropy if nxt is not None else 0.0,
        lr[k + 1] if k + 1 < n else 0.0,
        lr[k - 1] if k > 0 else 0.0,
        max(s[max(0, k - 1) : k + 2]),
        mean,
        math.log2(1 + k),
        math.log2(n - k),
        1.0 if k > 0 and words[k - 1].kind == "punct" else 0.0,
        1.0 if nxt is not None and nxt.kind == "punct" else 0.0,
        math.log2(n),
        1.0 if s[k] > w.entropy else 0.0,
        sum(s[k + 1 : k + 4]),
    ]


def _context(
    text: str,
    words: Sequence[WordScore],
    k: int,
    first_word: int,
    names: Counter[str] | None,
) -> tuple[float, float, float, float]:
    """Item ``k``'s surroundings: (cap_mid, repeat_doc, glued, lower_after_stop), 0.0 or 1.0."""
    w = words[k]
    is_word = w.kind == "word"
    capital = w.text[:1].isupper()
    cap_mid = 1.0 if is_word and k > first_word and capital else 0.0
    rep = 1.0 if is_word and capital and names is not None and names[_nfc(w.text)] > 1 else 0.0
    before = text[w.start - 1] if w.start > 0 else " "
    after = text[w.end] if w.end < len(text) else " "
    glued = (
        1.0
        if (not before.isspace() and not _joins(before))
        or (not after.isspace() and not _joins(after))
        else 0.0
    )
    prev_item = words[k - 1].text if k > 0 else ""
    # a full stop glued to the word (city-hall.org, budget.v2.pdf) ends no sentence
    spaced = k > 0 and text[words[k - 1].end : w.start].strip() == "" and w.start > words[k - 1].end
    lower_after_stop = (
        1.0
        if is_word
        and w.text[:1].islower()
        and prev_item in (".", "!", "?")
        and spaced
        and not is_list_marker(text, w.start, w.end)  # "this document. b. The next"
        and not ends_abbreviation(text, words[k - 1].start)  # "e.g. the", "7 a.m. on"
        else 0.0
    )
    return cap_mid, rep, glued, lower_after_stop


def sentence_row(
    rows: Sequence[Sequence[float]],
    logits: Sequence[float],
    rule_major: int,
    rule_minor: int,
    src_spans: int,
    has_source: bool,
    len_ratio: float | None = None,
) -> list[float]:
    """The sentence model's row (:data:`SENTENCE_FEATURES` order) from the sentence's item
    ``rows`` (:data:`FEATURES`), the item model's ``logits``, the checks' span counts and
    the sentence's length ratio to its source (:func:`mtqa.checks.source.length_ratio`)."""
    n = len(rows)
    hazard = sum(max(z, 0.0) + math.log1p(math.exp(-abs(z))) for z in logits)  # -ln(1-p)
    mean_p = sum(sigmoid(z) for z in logits) / max(1, n)
    i_s, i_smh = FEATURES.index("s"), FEATURES.index("s_minus_h")
    i_gain, i_cond = FEATURES.index("src_gain"), FEATURES.index("has_cond")
    i_name, i_num = FEATURES.index("cap_mid"), FEATURES.index("is_number")
    i_back, i_has_back = FEATURES.index("back_gain"), FEATURES.index("has_back")
    return [
        math.log1p(n),
        hazard,
        max(logits, default=-10.0),
        mean_p,
        float(rule_major),
        float(rule_minor),
        float(src_spans),
        1.0 if has_source else 0.0,
        sum(r[i_s] for r in rows) / n if n else 0.0,
        sum(r[i_smh] for r in rows) / n if n else 0.0,
        sum(r[i_gain] for r in rows) / n if n else 0.0,
        1.0 if n and rows[0][i_cond] else 0.0,
        *_log_ratio(len_ratio),
        math.log1p(sum(1 for r in rows if r[i_name] > 0)),
        math.log1p(sum(1 for r in rows if r[i_num] > 0)),
        rows[0][i_back] if n else 0.0,
        rows[0][i_has_back] if n else 0.0,
    ]


def _log_ratio(ratio: float | None) -> tuple[float, float]:
    if ratio is None or not ratio > 0 or not math.isfinite(ratio):
        return 0.0, 0.0
    x = max(-3.0, min(3.0, math.log(ratio)))
    return x, x * x
