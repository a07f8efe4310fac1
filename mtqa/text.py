"""What a word, a line and an abbreviation are: one definition each, for every stage.

**Words.** :data:`WORD` is the word of the checks: letters (any script, no digits or
``_``) joined by inner apostrophes or hyphens (``aujourd'hui``, ``Jean-Yves``,
``don’t``). Two stages need a narrower word, built from the same letters, and keep it
because widening them changes outputs (measured on the comparison sets of
``bench/compare_outputs.py``):

* :data:`HYPHEN_WORD` (source checks): no apostrophes, so a French elision is two words
  (``qu'il`` → ``qu``, ``il``) and ``src-french`` sees the function word; with
  :data:`WORD` the source example's report changes;
* :data:`ASCII_WORD` (error injection, :mod:`mtqa.quality.synth`): ASCII letters only;
  with :data:`WORD`, 10 of the 1,400 fit records of the shipped detectors change.

(:mod:`mtqa.align` cuts text into LM *items* — words with digits, numbers and single
punctuation marks — and ``mtqa eval`` counts whitespace-separated words as WMT does;
neither is a word in this sense.)

**Abbreviations.** :data:`ABBREVIATIONS` is the one list (lower case, no final dot),
each with its kind (:data:`ABBREVIATION_KINDS`), which says where the segmenter may end
a sentence after it; the broken-join rule never takes a full stop after any of them for
a join:

* ``inner``: always has something after it, never a sentence end (``Mr.``, ``St.``,
  ``e.g.``, ``vs.``, ``incl.``);
* ``either``: part of a name or a phrase that may end a sentence too (``Inc.``, ``Co.``,
  ``etc.``, ``U.S.``, ``a.m.``, ``Jr.``): a sentence ends after it only before a common
  sentence opener (:data:`SENTENCE_STARTERS`: ``The``, ``It``, ``How``…, pySBD's list),
  so ``Samsung Co. Ltd`` stays whole and ``Apple Inc. The deal`` is cut;
* ``number``: an abbreviation before a number, a word otherwise (``No.``, ``pp.``,
  ``Jan.``, ``et al.``, ``km.``): no break before a digit or a bracketed number
  (``the No. 2 grocer``, ``Chen et al. (2019)``), a break before a capital as after
  any word (``He said no. Then``).

:func:`abbreviation_kind` also knows initials (an upper-case letter: ``either``; a
lower-case one, ``p. 55``, ``a. The first``: ``inner``), dotted acronyms not in the list
(``Ph.D.``, ``U.S.A.``: ``either``), and that the last full stop of a URL, e-mail
address or file name (``city-hall.org.``, ``budget.v2.pdf.``) is a plain full stop.

**Characters.** A user-perceived character is an extended grapheme cluster (UAX #29,
:data:`GRAPHEME`: a letter with its combining accents, an emoji with its skin tone, a ZWJ
family, a flag's two regional indicators, a keycap). No span cuts one:
:func:`cluster_bounds` widens a stretch to whole clusters (:func:`mtqa.analyse.merge_spans`
applies it to every span of a sentence).

**Decomposed text.** ``re``'s ``\\w`` and ``\\b`` take no combining mark for part of a word,
so on a decomposed ``brûlée`` (``bru\\u0302le\\u0301e``, NFD) ``\\ble\\b`` finds the French
article ``le`` and ``\\w+`` stops before an accent. So every word pattern of the checks
(:meth:`mtqa.checks.base.Check.check`), of the segmenter, of the calque rewrites and of
:func:`mtqa.machine.machine_tokens` reads the text in NFC through :class:`Composed`, as the LM does
(:mod:`mtqa.lm.nfc`): the NFC form and the map back to the text as read (a composed
character maps to its whole decomposed extent). NFD and NFC text give the same spans,
with offsets into the text as read. A mark that has no composed form with its letter
(``n̈``) is still a character of its own to the patterns; no span cuts it
(:func:`cluster_bounds`), and the LM items hold it (:mod:`mtqa.align`).

**Lines.** :func:`lines` splits at LF, CRLF and CR, as the readers do (a line of a
file). A sentence also never crosses the other line and paragraph separators
(:data:`LINE_BREAKS`: VT, FF, FS, GS, RS, NEL, U+2028, U+2029, as ``str.splitlines``).
"""

from __future__ import annotations

import bisect
import re
import unicodedata

import regex

from mtqa.lm.nfc import nfc_map

LETTER = r"[^\W\d_]"
WORD = re.compile(rf"{LETTER}+(?:['’-]{LETTER}+)*")
HYPHEN_WORD = re.compile(rf"{LETTER}+(?:-{LETTER}+)*")
ASCII_WORD = re.compile(r"[A-Za-z]+(?:['’-][A-Za-z]+)*")
#: what may open a quotation or an aside before a word
OPENERS = "\"'“‘«([{—–-"
#: ``re``'s ``\w`` (``str.isalnum()`` or ``_``) and ``\s`` (``str.isspace()``) as class
#: bodies for the ``regex`` module, whose own ``\w`` takes combining marks
RE_WORD_CHARS, RE_SPACE_CHARS = r"\p{L}\p{N}_", r"\s\x1c-\x1f"
_EMOJI = r"\p{Extended_Pictographic}\p{Regional_Indicator}\p{Emoji_Modifier}"
#: an emoji or pictographic symbol starts here (a ``regex`` class): its grapheme cluster
#: is one LM item (:mod:`mtqa.align`)
EMOJI = rf"[{_EMOJI}]"
#: the last character of an emoji cluster (a ``regex`` class): the symbol, a variation
#: selector, a keycap or a tag; a sentence can end on one as on a word (:mod:`mtqa.checks.target`)
EMOJI_END = rf"[{_EMOJI}\ufe0f\u20e3\U000e0020-\U000e007f]"

_INNER = """mr mrs ms dr prof st mt gen col lt sgt capt gov sen rep rev hon pres mme mlle vs
    e.g i.e eg ie cf viz approx ca incl excl esp ref attn"""
_EITHER = """sr jr inc ltd co corp etc u.s u.k u.n a.m p.m dept est univ assn bros blvd rd ave
    ed eds trans op govt misc intl natl assoc"""
#: ... units (``2 tbsp. of oil``), counts and references (``ch. 2``, ``tel. 555``)
_NUMBER = """no nos n° vol fig pp al ibid jan feb mar apr jun jul aug sep sept oct nov dec sq
    ft km kg lb lbs oz mi hr hrs min mins sec max avg tsp tbsp fl yd yds gal gals pt pts qt
    qts doz cm mm ml mg yr yrs wk wks mo mos qty pkg ch chap sect para tel ext nr"""
#: the one abbreviation list: abbreviation (lower case, no final dot) → its kind,
#: ``inner``, ``either`` or ``number`` (see the module docstring)
ABBREVIATION_KINDS: dict[str, str] = {
    **dict.fromkeys(_INNER.split(), "inner"),
    **dict.fromkeys(_EITHER.split(), "either"),
    **dict.fromkeys(_NUMBER.split(), "number"),
}
ABBREVIATIONS = frozenset(ABBREVIATION_KINDS)
#: capitalised words that start a sentence after an ``either`` abbreviation or an initial
#: (pySBD's / Pragmatic Segmenter's list)
SENTENCE_STARTERS = frozenset(
    """A Being Did For He How However I In It Millions More She That The There They We What
    When Where Who Why""".split()
)
#: where a sentence ends whatever the punctuation (LF and CR too, as in :func:`lines`)
#: a list item's marker: "b)", "iv)", and "b." or "iv." before a space or the end: a
#: lower-case word after a full stop that starts a list's next item is no broken join (the
#: rule ``broken-join`` and the LM feature ``lower_after_stop`` both skip it, as they skip
#: an abbreviation's stop: :func:`ends_abbreviation`)
LIST_MARKER = re.compile(r"(?:[a-z]|[ivx]{1,4})(?:\)|\.(?=\s|$))")


def ends_abbreviation(text: str, dot: int) -> bool:
    """Whether the full stop at ``text[dot]`` ends an abbreviation after which a lower-case
    word goes on the sentence: a listed one (:data:`ABBREVIATIONS`: ``Inc.``, ``approx.``,
    ``tsp.``), an upper-case initial (``J.``) or a dotted one (``e.g.``, ``a.m.``,
    ``U.S.``), closing brackets and quotes and opening ones aside. The rule
    ``broken-join`` and the LM feature ``lower_after_stop`` both read it (a lower-case
    letter, ``a. man``, stays a join: MT's own)."""
    i = dot
    while i > 0 and not text[i - 1].isspace():
        i -= 1
    core = text[i:dot].rstrip(")]”\"’'").lstrip(OPENERS)
    if "." in core:
        return True
    return core.lower() in ABBREVIATIONS or (len(core) == 1 and core.isupper())


def is_list_marker(text: str, start: int, end: int) -> bool:
    """Whether the word ``text[start:end]`` is a list item's marker (:data:`LIST_MARKER`)."""
    m = LIST_MARKER.match(text, start)
    return m is not None and m.end() == end + 1


LINE_BREAKS = "\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029"
_ACRONYM = re.compile(rf"(?:{LETTER}{{1,2}}\.)+{LETTER}{{1,2}}")  # Ph.D, U.S.A, a.k.a
_TOKEN_JOINERS = "@/:\\"  # inside an e-mail address, URL or path, a dot is not an abbreviation's


def abbreviation_kind(text: str, dot: int) -> str | None:
    """The kind (``inner``, ``either``, ``number``) of the abbreviation that the full stop
    at ``text[dot]`` ends, or None when the word before it is no abbreviation.

    The word is the run of letters, digits, ``_``, ``°`` and dots before it. A listed
    abbreviation has its kind; an upper-case initial or a dotted acronym (``Ph.D``) is
    ``either``, a lower-case letter ``inner``; a word inside a URL, an e-mail address or
    a path (``city-hall.org``, ``budget.v2.pdf`` count as words) is None: its last full
    stop is a plain one.
    """
    i = dot
    while i > 0 and (text[i - 1].isalnum() or text[i - 1] in "_.°"):
        i -= 1
    word = text[i:dot].strip(".").lower()
    if not word or (i > 0 and text[i - 1] in _TOKEN_JOINERS):
        return None
    if word in ABBREVIATION_KINDS:
        return ABBREVIATION_KINDS[word]
    if len(word) == 1 and word.isalpha():
        return "either" if text[dot - 1].isupper() else "inner"
    return "either" if _ACRONYM.fullmatch(word) else None


def counted(n: int, noun: str) -> str:
    """``1 line``, ``3 lines``: ``n`` and a regular English noun in its number."""
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n|$)")


def blank(text: str) -> str | None:
    """What a file of no visible text holds, for a message: None for an empty one (the
    caller says ``empty file``), else ``3 blank lines`` (line ends only) or ``2 lines of
    only whitespace`` (spaces or tabs too). Lines end at LF, CRLF or a lone CR, as when
    reading; a last line without its end counts. ``text`` holds only whitespace."""
    if not text:
        return None
    n = len(re.findall(r"\r\n|\r|\n", text)) + (not text.endswith(("\n", "\r")))
    if not text.strip("\r\n"):
        return counted(n, "blank line")
    return f"{n} line of only whitespace" if n == 1 else f"{n} lines of only whitespace"


def one_line_safe(text: str) -> str:
    """``text`` for a line on a terminal: every character Python would not print as-is (a
    control character such as ESC, CR or LF, a bidirectional control, another format or
    separator character) written as its escape (``\\x1b``, ``\\n``, ``\\u202e``), so an id
    from the input cannot move the cursor, clear or forge a line, or reorder what follows.
    Ordinary spaces and every printable character stay."""
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)


def terminal_line(text: str) -> str:
    """A message for stderr as one safe line: whitespace runs (a wrapped library message, a
    line end or tab in a file name) folded to a space, then :func:`one_line_safe`, so a file
    name holding ESC or a bidirectional control cannot clear, forge or reorder a line."""
    return one_line_safe(" ".join(text.split()))


def lines(text: str) -> list[tuple[int, int]]:
    """(start, end) of every line of ``text``, line ends excluded; trailing blank lines dropped."""
    out: list[tuple[int, int]] = []
    for m in _LINE.finditer(text):
        if m.start() == len(text) and out:
            break
        body = m.group().rstrip("\r\n")
        out.append((m.start(), m.start() + len(body)))
    while out and not text[out[-1][0] : out[-1][1]].strip():
        out.pop()
    return out


def count_lines(text: str) -> int:
    """How many lines :func:`lines` finds (blank lines inside count, trailing ones do not)."""
    return len(lines(text))


_INVISIBLE_CATEGORIES = frozenset({"Cc", "Cf", "Zs", "Zl", "Zp"})
_IGNORABLE = re.compile(  # Default_Ignorable_Code_Point outside Cf, and U+2800 (blank)
    "[\u034f\u115f\u1160\u17b4\u17b5\u180b-\u180f\u2060-\u206f\u2800\u3164"
    "\ufe00-\ufe0f\uffa0\ufff0-\ufff8\U000e0000-\U000e0fff]"
)


def has_visible_text(text: str) -> bool:
    """True if ``text`` holds a character that is not whitespace, a control or format
    character (Cc, Cf) or another invisible one (default-ignorable, U+2800): text
    without one is empty, whatever its characters (a target, a source, a reference)."""
    return not all(
        c.isspace() or unicodedata.category(c) in _INVISIBLE_CATEGORIES or _IGNORABLE.match(c)
        for c in text
    )


_SURROGATE = re.compile("[\ud800-\udfff]")


def surrogate_fault(value: str, what: str) -> str | None:
    """Why ``value`` cannot be checked when it holds a surrogate code point (U+D800–U+DFFF),
    else None. ``what`` names it (``field 'target'``).

    A surrogate alone is no character: UTF-8 cannot encode it, so no tokenizer or report
    can take the text. It comes from a broken ``\\u`` escape (JSON ``"\\udc80"``, half of
    a pair, or a Python literal); a valid JSON pair (``"\\ud83d\\ude00"``) is read as the
    one character it stands for and never gets here, but a Python str can hold a pair as
    two code points (``"\\ud83d\\ude00"`` in Python source): the message then says so and
    shows the character's escape (``\\U0001F600``).
    """
    m = _SURROGATE.search(value)
    if m is None:
        return None
    hi, lo = m.group(), value[m.end() : m.end() + 1]
    if "\ud800" <= hi <= "\udbff" and "\udc00" <= lo <= "\udfff":  # a pair, as two code points
        char = 0x10000 + ((ord(hi) - 0xD800) << 10) + (ord(lo) - 0xDC00)
        return (
            f"{what} holds U+{ord(hi):04X} U+{ord(lo):04X}, a surrogate pair as two code "
            f"points, which Python does not join into one character; write the character "
            f"itself (\\U{char:08X} in a Python string)"
        )
    return (
        f"{what} holds a lone surrogate U+{ord(m.group()):04X} (a broken \\u escape); "
        "write the character itself or a valid surrogate pair"
    )


def nul_fault(value: str, what: str) -> str | None:
    """Why ``value`` cannot be checked when it holds a NUL (U+0000), else None; ``what``
    names it (``field 'target'``). A NUL byte in a file costs its line or file when it is
    decoded (:func:`mtqa.readers.decode.bad_byte`); this is the NUL that came another way
    (a JSON ``\\u0000`` escape, a Python string), refused alike: reports and the tools
    that read them take a NUL for the end of the text."""
    if "\x00" not in value:
        return None
    return f"{what} holds a NUL character (U+0000); remove it"


def field_fault(value: str, what: str) -> str | None:
    """Why ``value`` (``what``: ``field 'target'``) cannot be checked, or None: a lone
    surrogate (:func:`surrogate_fault`) or a NUL (:func:`nul_fault`)."""
    return surrogate_fault(value, what) or nul_fault(value, what)


def without_surrogates(text: str) -> str:
    """``text`` safe to print and write as UTF-8: a byte that a file name or an argument
    held outside UTF-8 (kept by Python as a surrogate) shown as ``\\xe9``, any other
    surrogate as ``\\udc80``; ``text`` itself when it holds none."""
    if _SURROGATE.search(text) is None:
        return text
    try:
        return text.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    except UnicodeEncodeError:  # a surrogate that stands for no byte
        return text.encode("utf-8", "backslashreplace").decode("utf-8")


#: one user-perceived character: an extended grapheme cluster (UAX #29)
GRAPHEME = regex.compile(r"\X")
_LAST_SPACE = regex.compile(r"(?r)\s")


def _on_boundary(text: str, p: int) -> bool:
    """True when ``p`` is surely a cluster boundary without looking further: an end of the
    text, or between two ASCII characters that are not CR LF."""
    if p <= 0 or p >= len(text):
        return True
    a, b = text[p - 1], text[p]
    return a.isascii() and b.isascii() and not (a == "\r" and b == "\n")


def cluster_bounds(text: str, start: int, end: int) -> tuple[int, int]:
    """``(start, end)`` widened to grapheme cluster boundaries (:data:`GRAPHEME`): the start
    moves back to the start of the cluster it falls in, the end forward to the end of its
    cluster, so ``text[start:end]`` never holds part of a user-perceived character (half a
    flag, an emoji without its skin tone, a letter without its accent). An empty stretch
    stays empty, at the start of the cluster it falls in. Reads only from the whitespace
    before ``start`` (no cluster holds a whitespace character but at its start, CR LF aside)."""
    if _on_boundary(text, start) and _on_boundary(text, end):
        return start, end
    m = _LAST_SPACE.search(text, 0, start)
    q = m.start() if m else 0
    if 0 < q and text[q - 1 : q + 1] == "\r\n":
        q -= 1
    a = -1
    for c in GRAPHEME.finditer(text, q):
        s, e = c.span()
        if a < 0 and start < e:  # the cluster start falls in (clusters are contiguous)
            a = s
            if end <= start:
                return a, a
        if a >= 0 and end <= e:
            return a, e
    return (start, max(start, end)) if a < 0 else (a, max(a, end))


class Composed:
    """``text`` in NFC (:attr:`text`) with the way back to offsets into the text as read
    (:attr:`original`): see "Decomposed text" in the module docstring. Already-NFC text
    (nearly all) costs one check and maps one to one."""

    __slots__ = ("original", "text", "_starts", "_ends")

    def __init__(self, text: str) -> None:
        self.original = text
        m = nfc_map(text)
        self.text = text if m is None else m[0]
        self._starts: list[int] | None = None if m is None else m[1]
        self._ends: list[int] | None = None if m is None else m[2]

    @property
    def same(self) -> bool:
        """Whether the NFC text is the text as read (offsets map one to one)."""
        return self._starts is None

    def span(self, start: int, end: int) -> tuple[int, int]:
        """``(start, end)`` in the NFC text → in the text as read: the whole original extent
        of the characters it holds (an empty stretch: where its character starts)."""
        if self._starts is None or self._ends is None:
            return start, end
        n = len(self._starts)
        a = self._starts[start] if start < n else len(self.original)
        return (a, self._ends[end - 1]) if end > start else (a, a)

    def fix(self, start: int, end: int, suggestion: str | None) -> str | None:
        """A replacement for NFC ``text[start:end]`` as a replacement for the original text
        :meth:`span` maps it to: the NFC characters that stretch gained around it join it."""
        if suggestion is None or self._starts is None:
            return suggestion
        a, b = self.span(start, end)
        lo = bisect.bisect_left(self._starts, a)
        hi = bisect.bisect_left(self._starts, b)
        return self.text[lo:start] + suggestion + self.text[end:hi]
