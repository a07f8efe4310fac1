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
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from mtqa.checks.language import guess_language
from mtqa.records import Document, TokenScore

#: the longest prompt + target (characters) that is conditioned
MAX_CHARS = 2400
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


def conditioned_text(doc: Document) -> tuple[str, int] | None:
    """``(prompt + target, offset of the target)``, or None without a source or when too
    long to condition."""
    if not doc.source or not doc.source.strip() or not doc.text.strip():
        return None
    head = prompt(doc.source)
    if len(head) + len(doc.text) > MAX_CHARS:
        return None
    return head + doc.text, len(head)


def target_tokens(tokens: Sequence[TokenScore], offset: int) -> list[TokenScore]:
    """The tokens that end after ``offset``, moved back by it (a token that straddles the
    prompt's last newline and the target's first word starts at the target)."""
    return [
        replace(t, start=max(t.start, offset) - offset, end=t.end - offset)
        for t in tokens
        if t.end > offset
    ]


def plan(docs: Sequence[Document]) -> tuple[list[str], list[tuple[int, int]]]:
    """The texts to score for ``docs`` and, for each, (document index, target offset)."""
    texts: list[str] = []
    where: list[tuple[int, int]] = []
    for k, d in enumerate(docs):
        made = conditioned_text(d)
        if made is not None:
            texts.append(made[0])
            where.append((k, made[1]))
    return texts, where


def assemble(
    n_docs: int, where: Sequence[tuple[int, int]], scored: Sequence[Sequence[TokenScore]]
) -> list[list[TokenScore] | None]:
    """Per document: its conditioned target tokens, or None (from :func:`plan`'s ``where``
    and the scores of its texts)."""
    out: list[list[TokenScore] | None] = [None] * n_docs
    for (k, offset), toks in zip(where, scored, strict=True):
        out[k] = target_tokens(toks, offset)
    return out
