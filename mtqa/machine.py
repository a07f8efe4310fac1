"""What is not language: the machine tokens of a text, on which no LM flag falls.

A web address, an e-mail address, a file name, a format placeholder of a software string
or a hash is written for machines; the LM's surprise there is no translation error
(:func:`mtqa.detect.detect_lm` gives such items probability 0), ``src-numbers`` reads none
of their digits (:mod:`mtqa.checks.numbers`), and a check that judges words can leave them
alone (:class:`mtqa.checks.base.Check`'s ``machine``).
"""

from __future__ import annotations

import re

from mtqa.text import Composed

#: endings that make a dotted token a web address or a file name, not language
MACHINE_ENDINGS = (
    "org|com|net|gov|edu|int|io|eu|fr|uk|de|info|"
    "pdf|docx?|xlsx?|pptx?|csv|tsv|txt|html?|zip|png|jpe?g|gif|svg|json|xml|md|py"
)
#: format placeholders of software strings (PO, XLIFF): printf (``%s``, ``%d``, ``%1$s``,
#: ``%.2f``, ``%(name)s``; not ``%%`` nor ``50% of``: no space flag), Objective-C's ``%@``,
#: Qt's ``%1``..``%99`` (not after a word character or ``%``: ``50%1`` is no placeholder)
#: and brace styles (``{0}``, ``{name}``, ``{{name}}``); case-sensitive conversions
_PLACEHOLDER = (
    r"(?<!%)%(?:\(\w+\)|\d+\$)?[-+#0]*\d*(?:\.\d+)?(?:l{1,2}|h|z)?(?-i:[sdiufFeEgGxXoc])"
    r"(?!\w)"
    r"|(?<![\w%])%(?:@|[1-9]\d?(?!\d))"
    r"|\{\{\w+\}\}|\{\w*\}"
)
#: hashes, keys and ids: a run of 16 or more ASCII letters and digits (``+/=_`` too)
#: holding both a digit and a letter (``9f86d081884c7d65``, ``dGhpc2lzYWtleTE2==``), and
#: UUIDs; not hyphenated words (``well-to-do-in-2021``)
_HASH = (
    r"(?<![\w+/=])(?=[\w+/=]*\d)(?=[\w+/=]*[a-z])[a-z0-9+/=_]{16,}(?![\w+/=])"
    r"|\b[0-9a-f]{8}(?:-[0-9a-f]{4}){3}-[0-9a-f]{12}\b"
)
_MACHINE = re.compile(
    rf"(?:https?://|www\.)\S*[\w/]|[\w.+-]+@[\w-]+(?:\.[\w-]+)+"
    rf"|\b[\w-]+(?:\.[\w-]+)*\.(?:{MACHINE_ENDINGS})\b|{_PLACEHOLDER}|{_HASH}",
    re.IGNORECASE,
)


def machine_tokens(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """(start, end) of the URLs, e-mail addresses, file names, format placeholders and
    hashes in ``text[start:end]`` (``https://www.city-hall.org``, ``info.desk@city-hall.org``,
    ``budget.v2.pdf``, ``%s``, ``%(name)s``, ``%@``, ``%1``, ``{0}``, ``9f86d081884c7d65``):
    not language, so the LM's surprise there is no error (:func:`mtqa.detect.detect_lm`).
    The pattern reads the stretch in NFC (:class:`Composed`)."""
    stop = len(text) if end is None else end
    nfc = Composed(text[start:stop])
    if nfc.same:
        return [(m.start(), m.end()) for m in _MACHINE.finditer(text, start, stop)]
    spans = (nfc.span(m.start(), m.end()) for m in _MACHINE.finditer(nfc.text))
    return [(start + a, start + b) for a, b in spans]
