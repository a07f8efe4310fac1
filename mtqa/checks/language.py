"""What a source text is written in: its script and, for Latin script, a language guess.

The source checks were written for French; each now asks :func:`profile` what it is
looking at and picks its tables (months, number words, length bands) or stays silent:

* **script** — the writing system of most of the source's letters: ``latin``, ``han``
  (Chinese: Han characters, no kana), ``japanese`` (kana among the Han), ``hangul``,
  ``cyrillic``, ``greek``, ``hebrew``, ``arabic``, ``other``, or ``none`` (no letters);
* **lang** — an ISO 639-1 guess: ``zh``, ``ja``, ``ko`` from the script; ``ru``/``uk`` for
  Cyrillic (``uk`` when it has ``і ї є ґ``); for Latin script the language whose function
  words and telling letters (``ß``, ``ř``, ``ł``...: ``mtqa/data/words/languages.toml``)
  clearly outnumber the French ones (or that has any when French has none), ``None``
  for a text of 5 words or more with no listed
  function word at all (Finnish, Turkish...), else ``fr``: French is mtqa's historical
  pair and the default for short or mixed text, so a French source is never mistaken for
  another language by a word or two; ``None`` for the other scripts.

:data:`CJK_WEIGHT` and :func:`weighted_length` measure a text in English-like characters
(a CJK character counts as several), the unit of ``src-length`` for Chinese sources.
Machine tokens (placeholders, URLs, code names: :mod:`mtqa.machine`) cast no vote.
Results are cached per text.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache

from mtqa.data import word_lists
from mtqa.machine import machine_tokens

# Letter ranges of the scripts told apart (the rest of \w is "other").
_RANGES = (
    ("latin", "A-Za-z\u00c0-\u024f\u1e00-\u1eff"),
    ("han", "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002fa1f"),
    ("kana", "\u3040-\u30ff\u31f0-\u31ff\uff66-\uff9f"),
    ("hangul", "\u1100-\u11ff\u3130-\u318f\uac00-\ud7af"),
    ("cyrillic", "\u0400-\u052f"),
    ("greek", "\u0370-\u03ff\u1f00-\u1fff"),
    ("hebrew", "\u0590-\u05ff"),
    ("arabic", "\u0600-\u06ff\u0750-\u077f"),
)
_SCRIPT_RUN = re.compile("|".join(f"(?P<{name}>[{chars}]+)" for name, chars in _RANGES))
#: CJK characters (Han, kana, Hangul): no spaces between words, no upper case
CJK = "".join(chars for name, chars in _RANGES if name in ("han", "kana", "hangul"))
CJK_CHAR = re.compile(f"[{CJK}]")
#: one Chinese character stands for about this many English characters (measured on
#: WMT21 zh→en MQM pairs without an error span: median target length / weighted source
#: length 1.2 for news, 0.94 for TED talks; see README, References and sources)
CJK_WEIGHT = 3.5

_LISTS = word_lists("languages")
STOPWORDS: dict[str, frozenset[str]] = {k: frozenset(v) for k, v in _LISTS["stopwords"].items()}
LETTERS: dict[str, frozenset[str]] = {k: frozenset(v) for k, v in _LISTS["letters"].items()}
_TOKEN = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?")
_UKRAINIAN = re.compile("[іїєґІЇЄҐ]")
#: a Latin-script text of this many words without one listed function word is of no listed
#: language (``lang`` None); shorter ones ("Emmanuel Macron") count as French
UNKNOWN_AFTER = 5


@dataclass(frozen=True)
class Profile:
    """The script and language guess of one text (see the module doc)."""

    script: str
    lang: str | None

    @property
    def cjk(self) -> bool:
        """Written in Chinese, Japanese or Korean characters."""
        return self.script in ("han", "japanese", "hangul")


def letters_of(script: str) -> str:
    """A character class body matching the letters of ``script`` ("" for ``other``/``none``);
    Chinese and Japanese text mixes Han and kana, so both count for either."""
    names = ("han", "kana") if script in ("han", "japanese") else (script,)
    return "".join(chars for name, chars in _RANGES if name in names)


def script_counts(text: str) -> Counter[str]:
    """Letters of ``text`` per script (``kana`` and ``han`` apart; unknown letters: ``other``)."""
    counts: Counter[str] = Counter()
    for m in _SCRIPT_RUN.finditer(text):
        counts[m.lastgroup or "other"] += m.end() - m.start()
    letters = sum(1 for c in text if c.isalpha())
    counts["other"] += max(0, letters - sum(counts.values()))
    return counts


def _script(counts: Counter[str]) -> str:
    cjk = counts["han"] + counts["kana"] + counts["hangul"]
    total = sum(counts.values())
    if not total:
        return "none"
    if cjk * CJK_WEIGHT >= total - cjk:  # a CJK character weighs several letters
        if counts["hangul"] >= max(counts["kana"], 1) and counts["hangul"] * 3 >= cjk:
            return "hangul"
        return "japanese" if counts["kana"] * 10 >= cjk and counts["kana"] >= 2 else "han"
    return max(("latin", "cyrillic", "greek", "hebrew", "arabic", "other"), key=counts.__getitem__)


def guess_language(text: str) -> str | None:
    """The language of ``text`` (see the module doc); ``None`` when the script names none."""
    return profile(text).lang


def profile(text: str) -> Profile:
    """The script and language guess of ``text`` (read in NFC, so a decomposed accent is
    a letter of its word; sentence-sized texts are cached; a long one is judged on its
    first :data:`SAMPLE` characters)."""
    if len(text) > CACHED:
        return _profile.__wrapped__(unicodedata.normalize("NFC", text[:SAMPLE]))
    return _profile(unicodedata.normalize("NFC", text))


#: texts up to this long are cached (a unit is a sentence or a line); longer ones are not kept
CACHED = 2_000
#: a long text is judged on its first this many characters
SAMPLE = 20_000


@lru_cache(maxsize=4096)
def _profile(text: str) -> Profile:
    script = _script(script_counts(text))
    lang = {"han": "zh", "japanese": "ja", "hangul": "ko", "greek": "el", "hebrew": "he"}.get(
        script
    )
    if script == "arabic":
        lang = "ar"
    elif script == "cyrillic":
        lang = "uk" if _UKRAINIAN.search(text) else "ru"
    elif script == "latin":
        lang = _latin_language(text)
    return Profile(script, lang)


def _words(text: str) -> list[str]:
    """The words of ``text`` that may tell its language: lower case, outside its machine
    tokens (:func:`mtqa.machine.machine_tokens`: the ``s`` of a ``%s`` placeholder is no
    Czech ``s``, nor a URL's or a code name's letters any language's words)."""
    cuts = machine_tokens(text)
    if cuts:
        parts, at = [], 0
        for a, b in cuts:
            parts.append(text[at:a])
            at = b
        text = " ".join([*parts, text[at:]])
    return [w.lower().replace("’", "'") for w in _TOKEN.findall(text)]


def _latin_language(text: str) -> str | None:
    words = _words(text)
    elided = [w.split("'", 1)[0] + "'" for w in words if "'" in w]
    votes = Counter(lang for w in words + elided for lang, stop in STOPWORDS.items() if w in stop)
    votes.update(lang for w in words for lang, letters in LETTERS.items() if letters & set(w))
    votes["es"] += 2 * (text.count("¿") + text.count("¡"))  # no word holds them
    votes = +votes  # zero counts out
    best, n = max(votes.items(), key=lambda kv: (kv[1], kv[0] == "fr"), default=("fr", 0))
    if best != "fr" and (n >= 2 and n >= 1.5 * votes["fr"] + 1 or not votes["fr"]):
        return best
    if not votes and len(words) >= UNKNOWN_AFTER:
        return None  # Finnish, Turkish, ...: none of the listed languages
    return "fr"


def weighted_length(text: str) -> float:
    """``len(text)`` with each CJK character counted :data:`CJK_WEIGHT` times."""
    n = len(CJK_CHAR.findall(text))
    return len(text) + n * (CJK_WEIGHT - 1)
