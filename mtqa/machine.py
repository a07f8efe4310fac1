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
#: not inside a word: after a letter or digit and the apostrophe or hyphen that joins a
#: word's pieces (:data:`mtqa.text.WORD`), a machine token would start mid-word (``s_profit``
#: of ``the company's_profit``, ``s_done`` of ``it's_done``, ``os.path`` of ``x-os.path``)
_IN_WORD = r"(?<!\w['’-])"
#: hashes, keys and ids: a run of 16 or more ASCII letters and digits (``+/=_`` too)
#: holding both a digit and a letter (``9f86d081884c7d65``, ``dGhpc2lzYWtleTE2==``), and
#: UUIDs; not hyphenated words (``well-to-do-in-2021``); one that ends a hyphenated word
#: takes the whole word (``sha384-oqVuAfXRKap7fdgc…``, ``build-9f86d081884c7d65``), not
#: from its hyphen (:data:`_IN_WORD`)
_HASH = (
    rf"(?<![\w+/=]){_IN_WORD}(?:[a-z0-9]+-)*"
    r"(?=[\w+/=]*\d)(?=[\w+/=]*[a-z])[a-z0-9+/=_]{16,}(?![\w+/=])"
    rf"|\b{_IN_WORD}(?:[a-z0-9]+-)*[0-9a-f]{{8}}(?:-[0-9a-f]{{4}}){{3}}-[0-9a-f]{{12}}\b"
)
_IDENT = r"[A-Za-z_][A-Za-z0-9_]*"
#: code names in technical prose, by their form alone (case-sensitive): a call (``fileno()``,
#: ``SSLSocket.getpeercert()``: a name and empty brackets); a name with an underscore
#: inside or before it (``max_size``, ``MAX_SIZE``, ``__init__``, ``_private``; not
#: ``_italic_``); a dotted name whose first part starts in lower case or is a camel-case
#: class, and whose second starts in lower case (``os.path.join``, ``self.returncode``,
#: ``TestCase.assertWarns``, ``NNTP.__init__``; not a glued join, ``States.is``,
#: ``agreements.For``, an abbreviation, ``a.m``, ``Ph.D``, nor ``English.news.cn``)
_CALL = rf"{_IDENT}(?:\.{_IDENT})*\(\)"
_SNAKE = r"_*[A-Za-z0-9]+(?:_+[A-Za-z0-9]+)+_*|__[A-Za-z0-9]+__|_[A-Za-z0-9]+(?![A-Za-z0-9_])"
#: ... but not a glued join of two words (``rebel.is``, ``costs.the``, ``said.he``): a
#: first part of four characters or more, then one of these words, the last part (Python
#: cannot name an attribute ``is``, ``and``; a short first part is kept, ``bb.is``, a site)
_GLUED = (
    "is|was|were|are|the|and|but|he|she|it|they|we|this|that|there|which|who|his|her"
    "|their|its|not|with|will|would|also|however|when|while"
)
_DOTTED = (
    r"(?:[a-z_][A-Za-z0-9_]+|[A-Z][A-Za-z0-9]*[a-z][A-Za-z0-9]*[A-Z][A-Za-z0-9]*"
    rf"|[A-Za-z][A-Za-z0-9]*(?=\._))\.(?!(?<=\w{{4}}\.)(?:{_GLUED})(?!\w|\.\w))"
    rf"[a-z_][A-Za-z0-9_]*(?:\.{_IDENT})*"
)
_NAME = rf"(?:{_CALL}|{_DOTTED}|{_SNAKE})"
#: ... or one in quotes or stars (``'readline()'``, ``*old_node*``); or backquoted code,
#: Markdown's and reST's (```spec```, ````None````, with a reST role: ``:func:`repr```), and
#: the old ```name'`` style without spaces (not the GNU ```show w'`` of licence texts)
_CODE = (
    rf"(?-i:(?<![\w.]){_IN_WORD}"
    rf"(?:'{_NAME}'|\"{_NAME}\"|‘{_NAME}’|“{_NAME}”|\*{_NAME}\*|{_NAME})(?!\w)"
    r"|(?<![\w`])(?:(?::[a-z]+)+:)?(?:``[^`\n]{1,80}``|`[^`\s][^`\n]{0,79}`"
    r"|`[A-Za-z_][\w.]*')(?![\w`]))"
)
#: an e-mail address or a file name holds its whole word (``o'brien@example.com``,
#: ``John's_report.pdf``: an apostrophe is theirs, not where they start)
_MACHINE = re.compile(
    rf"(?:https?://|www\.)\S*[\w/]|{_IN_WORD}[\w.+-]+(?:['’][\w.+-]+)*@[\w-]+(?:\.[\w-]+)+"
    rf"|{_IN_WORD}\b[\w-]+(?:['’][\w-]+)*(?:\.[\w-]+)*\.(?:{MACHINE_ENDINGS})\b"
    rf"|{_PLACEHOLDER}|{_HASH}|{_CODE}",
    re.IGNORECASE,
)


def machine_tokens(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """(start, end) of the URLs, e-mail addresses, file names, format placeholders, hashes
    and code names in ``text[start:end]`` (``https://www.city-hall.org``,
    ``info.desk@city-hall.org``, ``budget.v2.pdf``, ``%s``, ``%(name)s``, ``%@``, ``%1``,
    ``{0}``, ``9f86d081884c7d65``, ``heappush()``, ``max_size``, ``os.path.join``, ```spec```):
    not language, so the LM's surprise there is no error (:func:`mtqa.detect.detect_lm`).
    The pattern reads the stretch in NFC (:class:`Composed`)."""
    stop = len(text) if end is None else end
    nfc = Composed(text[start:stop])
    if nfc.same:
        return [(m.start(), m.end()) for m in _MACHINE.finditer(text, start, stop)]
    spans = (nfc.span(m.start(), m.end()) for m in _MACHINE.finditer(nfc.text))
    return [(start + a, start + b) for a, b in spans]
