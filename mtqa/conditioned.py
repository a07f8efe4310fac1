"""Source-conditioned LM evidence: the target read after its source (issue 10.7).

A word the source explains costs fewer bits when the LM has read the source first; a
mistranslated word does not get that discount. With a source, each document's target is
scored a second time after a translation prompt (Gemma 3 is multilingual)::

    Translate the following text from Chinese to English.
    Chinese: 让大学精神与时代精神同频共振
    English:
    <target>

and each item's *source gain* is its surprisal alone minus its surprisal after the prompt
(bits; :data:`mtqa.features.FEATURES` ``src_gain``, and its sentence mean in the sentence
model). The language name comes from :func:`mtqa.checks.language.guess_language`; an
unnamed language gets "Source:". Only documents whose prompt and target fit one LM window
(:data:`MAX_CHARS` characters) are conditioned: a whole article with a whole source file is
not (its items get no source gain; ``has_cond`` says which).

The conditioned tokens are the tokens of ``prompt + target`` that end inside the target,
with offsets moved back into the target: offsets stay those of the text as read.

**The other direction** (:func:`back_plan`, :func:`back_gains`): the *source* read alone and
read after the target in a prompt the other way round (``Translate the following text from
English to Chinese.\nEnglish: <target>\nChinese:\n<source>``). A translation that keeps the
source's content makes the source cheaper to predict; one that drops or changes content
does not. The document's *back gain* is the source's surprisal alone minus after the target,
per source token (bits; :data:`mtqa.features.FEATURES` ``back_gain``, one value for every item
of the document, read by the sentence model). The idea is Prism's (Thompson and Post,
"Automatic Machine Translation Evaluation in Many Languages via Zero-Shot Paraphrasing",
EMNLP 2020: a translation scored by how well it explains the other side); measured on
``zhen_news_2022.jsonl`` alone it ranks records with errors at AUROC 0.686, against 0.614 for
the word count and 0.635 for the forward source gain.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import Any

from mtqa.checks.language import guess_language, weighted_length
from mtqa.records import Document, TokenScore

#: the longest prompt + text that is conditioned with the default 1,024-token window, in
#: characters with a CJK character counted as :data:`~mtqa.checks.language.CJK_WEIGHT`
#: (:func:`~mtqa.checks.language.weighted_length`): about 700 tokens at most, so it always
#: fits one window; a smaller ``--window`` scales it down (:func:`budget`)
MAX_CHARS = 2400
#: the note on a document with a source that was too long for the source-conditioned passes
SKIPPED_PREFIX = "source-conditioned LM passes skipped"
TOO_LONG = (
    SKIPPED_PREFIX + ": prompt, source and target exceed {limit} "
    "characters (a CJK character counts 3.5; --window {window}); judged without them"
)


def budget(window: int) -> int:
    """The weighted characters that fit a ``window``-token LM window with room to spare:
    :data:`MAX_CHARS` for 1,024 tokens and more, in proportion below (128 tokens: 300)."""
    return MAX_CHARS * min(window, 1024) // 1024


def too_long(window: int) -> str:
    """The note of a document judged without the passes (:data:`TOO_LONG`, filled in)."""
    return TOO_LONG.format(limit=budget(window), window=window)


def has_source(doc: Document) -> bool:
    """Whether ``doc`` has a source and a target with visible text."""
    return bool(doc.source and doc.source.strip() and doc.text.strip())


LANGUAGES = {
    "zh": "Chinese",
    "ja": "Japanese",
    "ko": "Korean",
    "fr": "French",
    "de": "German",
    "es": "Spanish",
    "it": "Italian",
    "pt": "Portuguese",
    "nl": "Dutch",
    "ru": "Russian",
    "uk": "Ukrainian",
    "cs": "Czech",
    "pl": "Polish",
    "el": "Greek",
    "he": "Hebrew",
    "ar": "Arabic",
}


def prompt(source: str) -> str:
    """The translation prompt that precedes the target (ends with a newline)."""
    name = LANGUAGES.get(guess_language(source) or "")
    src = " ".join(source.split())
    if name is None:
        return f"Translate the following text to English.\nSource: {src}\nEnglish:\n"
    return f"Translate the following text from {name} to English.\n{name}: {src}\nEnglish:\n"


def conditioned_text(doc: Document, limit: int = MAX_CHARS) -> tuple[str, int] | None:
    """``(prompt + target, offset of the target)``, or None without a source or when longer
    than ``limit`` weighted characters (:func:`budget`)."""
    if not has_source(doc):
        return None
    head = prompt(doc.source or "")
    if weighted_length(head + doc.text) > limit:
        return None
    return head + doc.text, len(head)


def back_prompt(target: str, source: str) -> str:
    """The prompt that precedes the source in the back direction (ends with a newline)."""
    name = LANGUAGES.get(guess_language(source) or "")
    tgt = " ".join(target.split())
    if name is None:
        return f"Translate the following text from English.\nEnglish: {tgt}\nTranslation:\n"
    return f"Translate the following text from English to {name}.\nEnglish: {tgt}\n{name}:\n"


def back_texts(doc: Document, limit: int = MAX_CHARS) -> tuple[str, str, int] | None:
    """``(source alone, back prompt + source, offset of the source)``, or None without a
    source or when longer than ``limit`` weighted characters."""
    if not has_source(doc):
        return None
    src = " ".join((doc.source or "").split())
    head = back_prompt(doc.text, src)
    if weighted_length(head + src) > limit:
        return None
    return src, head + src, len(head)


def back_plan(
    docs: Sequence[Document], limit: int = MAX_CHARS
) -> tuple[list[str], list[tuple[int, int]]]:
    """The texts to score for the back direction of ``docs`` (two per document: the source
    alone, then after the target) and, for each document, (document index, source offset)."""
    return _planned(docs, lambda d: back_texts(d, limit))


def _planned(
    docs: Sequence[Document], made_for: Callable[[Document], tuple[Any, ...] | None]
) -> tuple[list[str], list[tuple[int, int]]]:
    """The texts ``made_for`` makes for each document (``(*texts, offset)``, or None: none)
    and, for each document it made some for, (document index, offset)."""
    texts: list[str] = []
    where: list[tuple[int, int]] = []
    for k, d in enumerate(docs):
        made = made_for(d)
        if made is not None:
            *parts, offset = made
            texts += parts
            where.append((k, offset))
    return texts, where


def back_gains(
    n_docs: int, where: Sequence[tuple[int, int]], scored: Sequence[Sequence[TokenScore]]
) -> list[float | None]:
    """Per document: the back gain in bits per source token (:func:`back_plan`'s ``where``
    and the scores of its texts, in order), or None when not planned."""
    out: list[float | None] = [None] * n_docs
    for j, (k, offset) in enumerate(where):
        alone, after = scored[2 * j], scored[2 * j + 1]
        if not alone:
            continue
        bits = sum(t.surprisal for t in alone) - sum(
            t.surprisal for t in target_tokens(after, offset)
        )
        out[k] = bits / len(alone)
    return out


def target_tokens(tokens: Sequence[TokenScore], offset: int) -> list[TokenScore]:
    """The tokens that end after ``offset``, moved back by it (a token that straddles the
    prompt's last newline and the target's first word starts at the target)."""
    return [
        replace(t, start=max(t.start, offset) - offset, end=t.end - offset)
        for t in tokens
        if t.end > offset
    ]


def plan(
    docs: Sequence[Document], limit: int = MAX_CHARS
) -> tuple[list[str], list[tuple[int, int]]]:
    """The texts to score for ``docs`` (each at most ``limit`` weighted characters) and,
    for each, (document index, target offset)."""
    return _planned(docs, lambda d: conditioned_text(d, limit))


def assemble(
    n_docs: int, where: Sequence[tuple[int, int]], scored: Sequence[Sequence[TokenScore]]
) -> list[list[TokenScore] | None]:
    """Per document: its conditioned target tokens, or None (from :func:`plan`'s ``where``
    and the scores of its texts)."""
    out: list[list[TokenScore] | None] = [None] * n_docs
    for (k, offset), toks in zip(where, scored, strict=True):
        out[k] = target_tokens(toks, offset)
    return out
