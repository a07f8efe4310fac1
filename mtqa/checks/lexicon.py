"""Word frequencies for the target checks (wordfreq, loaded on first use, cached per word)."""

from __future__ import annotations

import math
import unicodedata
from functools import lru_cache


@lru_cache(maxsize=4)
def _freqs(lang: str) -> dict[str, float]:
    from wordfreq import get_frequency_dict

    return dict(get_frequency_dict(lang))


@lru_cache(maxsize=200_000)
def zipf(word: str, lang: str) -> float:
    """wordfreq's Zipf frequency of ``word`` in ``lang`` (0 = unknown; 3 ≈ once per million
    words); plain lower-case words are looked up directly (fast)."""
    if word.isalpha() and word.islower():
        f = _freqs(lang).get(unicodedata.normalize("NFC", word), 0.0)
        return round(math.log10(f) + 9, 2) if f > 0 else 0.0
    from wordfreq import zipf_frequency

    return float(zipf_frequency(word, lang))


def norm(word: str) -> str:
    """Lower case, with ``’`` written ``'`` (the form the word lists use)."""
    return word.lower().replace("’", "'")
