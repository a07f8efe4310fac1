"""NFC for scoring: the LM reads the composed text, offsets point into the text as read.

A decomposed accent (``nai\u0308ve``, ``re\u0301sume\u0301``) is a token of its own for a
byte-level tokenizer, and the LM finds a lone combining mark very surprising; the composed
form (``naïve``) is one ordinary word. :func:`nfc_map` gives the NFC text to score and, for
each of its characters, the extent of the original characters it came from, so token
offsets can be mapped back (:func:`map_offsets`).

Only the stretches that can change are normalised: a stretch starts at the character
before a run of "unsafe" characters (combining marks, characters NFC changes, and the
characters that compose with a preceding starter, such as Hangul vowel jamo) and ends
where a safe character follows (UAX #15: normalisation never reaches across a stable
starter). Inside a stretch that NFC changes, every output character maps to the whole
stretch (a combining sequence maps to its whole original extent); elsewhere characters
map one to one. The result is checked against ``unicodedata.normalize`` of the whole text;
should they ever differ, the text is scored as read.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from functools import lru_cache

# Hangul vowel and trailing-consonant jamo compose with the preceding jamo/syllable
# algorithmically (they are not in the decomposition table).
_HANGUL_SECONDS = (range(0x1161, 0x1176), range(0x11A8, 0x11C3))


@lru_cache(maxsize=1)
def _composable_seconds() -> frozenset[str]:
    """Characters that are the second half of a canonical pair (they may compose with the
    character before them even when their combining class is 0). Built once, lazily."""
    out = {chr(cp) for r in _HANGUL_SECONDS for cp in r}
    for cp in range(0x110000):
        if 0xD800 <= cp < 0xE000:
            continue
        d = unicodedata.decomposition(chr(cp))
        if d and not d.startswith("<"):
            parts = d.split()
            if len(parts) == 2:
                out.add(chr(int(parts[1], 16)))
    return frozenset(out)


def _unsafe(c: str) -> bool:
    return (
        unicodedata.combining(c) != 0
        or not unicodedata.is_normalized("NFC", c)
        or c in _composable_seconds()
    )


def nfc_map(text: str) -> tuple[str, list[int], list[int]] | None:
    """``(nfc_text, starts, ends)`` with ``text[starts[j]:ends[j]]`` the original characters
    behind ``nfc_text[j]``; None when ``text`` is already NFC (nothing to map) or when the
    piecewise normalisation does not reproduce NFC (then score the text as read)."""
    if unicodedata.is_normalized("NFC", text):
        return None
    bad = sorted(c for c in set(text) if _unsafe(c))
    runs = re.compile("[" + "".join(re.escape(c) for c in bad) + "]+")
    pieces: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    pos = 0  # text[:pos] is done
    for m in runs.finditer(text):
        a, b = max(pos, m.start() - 1), m.end()  # the starter before the run joins it
        pieces.append(text[pos:a])
        starts.extend(range(pos, a))
        ends.extend(range(pos + 1, a + 1))
        chunk = text[a:b]
        norm = unicodedata.normalize("NFC", chunk)
        pieces.append(norm)
        if norm == chunk:
            starts.extend(range(a, b))
            ends.extend(range(a + 1, b + 1))
        else:
            starts.extend([a] * len(norm))
            ends.extend([b] * len(norm))
        pos = b
    pieces.append(text[pos:])
    starts.extend(range(pos, len(text)))
    ends.extend(range(pos + 1, len(text) + 1))
    out = "".join(pieces)
    if out != unicodedata.normalize("NFC", text):
        return None
    return out, starts, ends


def map_offsets(
    offsets: Sequence[tuple[int, int]], starts: Sequence[int], ends: Sequence[int], n: int
) -> tuple[tuple[int, int], ...]:
    """Token offsets into the NFC text → offsets into the original text (length ``n``):
    a token covers the original extents of its characters; non-decreasing starts."""
    out: list[tuple[int, int]] = []
    m = len(starts)
    prev = 0
    for s, e in offsets:
        a = starts[s] if s < m else n
        b = ends[e - 1] if e > s else a
        a = max(a, prev)
        b = max(b, a)
        out.append((a, b))
        prev = a
    return tuple(out)
