"""The false-friend list: English cognates of French words and what the French means there.

``mtqa/data/words/false_friends.toml`` lists, in three tables by part of speech
(``adjectives``, ``verbs``, ``nouns``), an English word a French translation tends to pick
for its look (*massage* for *masser*, *assist* for *assister à*) and the English words the
French usually means (*mass*, *attend*). :data:`FALSE_FRIENDS` is the list as written,
:func:`false_friends` adds the inflected forms. The LM judges each use
(:mod:`mtqa.confusion`); the spelling check leaves these words to it
(:func:`listed`). Nothing loads on import but the small TOML file; lemminflect's lexicon
loads at the first call of :func:`false_friends` (about 0.2 s).
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from mtqa.checks.language import profile
from mtqa.checks.pairing import pair_units
from mtqa.data import word_lists
from mtqa.records import Document
from mtqa.segment import segment

#: English cognate of a French word → the English words the French usually means there,
#: as listed (the inflected forms are added by :func:`false_friends`)
FALSE_FRIENDS: dict[str, tuple[str, ...]] = {
    k: tuple(v)
    for table in word_lists("false_friends")["false_friends"].values()
    for k, v in table.items()
}
#: the file's tables whose base forms are inflected: table → (part of speech, Penn
#: Treebank tag of its base form, tags of the forms added)
_INFLECTIONS = {
    "nouns": ("NOUN", "NN", ("NNS",)),
    "verbs": ("VERB", "VB", ("VBZ", "VBD", "VBN", "VBG")),
}


def _inflect(word: str, upos: str, base: str, tag: str) -> str | None:
    """``word`` (a base form, tag ``base``, of part of speech ``upos``) inflected to
    ``tag``, the first form lemminflect gives (its own lexicon, else its rules); a phrase
    inflects its first word (*carry out* → *carried out*). None when ``word`` is not such
    a base form."""
    from lemminflect import getAllInflections, getInflection

    head, _, rest = word.partition(" ")
    if head not in getAllInflections(head, upos=upos).get(base, ()):
        return None
    forms = getInflection(head, tag=tag)
    return f"{forms[0]} {rest}".rstrip() if forms else None


@lru_cache(maxsize=1)
def false_friends() -> dict[str, tuple[str, ...]]:
    """:data:`FALSE_FRIENDS` with the inflected forms of its base forms: a noun's plural
    (the file's ``nouns`` table), a verb's -s, past, past participle and -ing forms (its
    ``verbs`` table), each with its
    replacements inflected alike (*evoke* → *mention* gives *evoked* → *mentioned*), where
    the cognate and every replacement are base forms of that part of speech
    (lemminflect's lexicon: Jascob, 2019, https://github.com/bjascob/LemmInflect). A
    listed form keeps its own entry. Made once per process, on first use."""
    out = dict(FALSE_FRIENDS)
    tables = word_lists("false_friends")["false_friends"]
    for name, (upos, base, tags) in _INFLECTIONS.items():
        for word, alts in tables[name].items():
            for tag in tags:
                form = _inflect(word, upos, base, tag)
                reps = [_inflect(a, upos, base, tag) for a in alts]
                if form is None or form in out or any(r is None for r in reps):
                    continue
                fixed = tuple(r for r in reps if r is not None and r != form)
                if fixed:
                    out[form] = fixed
    return out


@lru_cache(maxsize=1)
def listed() -> frozenset[str]:
    """Every word (lower case) the list names, as a cognate or a replacement, inflected
    forms included: English words, or French forms the LM is asked about (*manifestants*).
    The spelling check accepts them, so the rescoring, not a spelling neighbour, judges a
    listed word (*exactions* → *abuses*, not *actions*; *quitted* → *left*, not *quite*)."""
    return frozenset(
        w for k, v in false_friends().items() for phrase in (k, *v) for w in phrase.split()
    )


#: a word of a source text: letters (any script), apostrophes and hyphens split words
_WORD = re.compile(r"[^\W\d_]+")
#: English endings taken off a listed word before it is compared with the source's words
#: (longest first): the stem a cognate shares (*massaging* → *massag*, *massant*)
_ENDINGS = ("ically", "ally", "ings", "ing", "ies", "ied", "ed", "es", "ly", "s")
#: spellings the two languages write differently for one sound, made alike on both sides
#: before comparing (*evoke*/*évoquer*, *realize*/*réaliser*, *library*/*librairie*)
_SOUNDS = (("qu", "k"), ("c", "k"), ("ph", "f"), ("y", "i"), ("z", "s"))
#: inflections taken off a (folded) source word whose stem is short (longest first)
_SOURCE_ENDINGS = ("aient", "ait", "ant", "ent", "ons", "es", "er", "ez", "e", "s")
#: letters a cognate's stem shares with its source word, at least (or the whole stem)
COGNATE_PREFIX = 4


def _folded(word: str) -> str:
    """``word`` in lower case without accents, with :data:`_SOUNDS` made alike and
    doubled letters single."""
    base = "".join(
        c for c in unicodedata.normalize("NFD", word.lower()) if not unicodedata.combining(c)
    )
    for a, b in _SOUNDS:
        base = base.replace(a, b)
    return re.sub(r"(.)\1", r"\1", base)


def _stem(word: str) -> str:
    folded = _folded(word)
    for end in _ENDINGS:
        if folded.endswith(end) and len(folded) - len(end) >= COGNATE_PREFIX:
            return folded[: -len(end)]
    return folded


def source_words(source: str) -> dict[str, str]:
    """The words of a source text (letters only, read in NFC: a decomposed accent, ``e`` +
    U+0301, would cut *éventuellement* in two), folded for :func:`cognate`, each with the
    first word of the text it folds from."""
    out: dict[str, str] = {}
    for w in _WORD.findall(unicodedata.normalize("NFC", source)):
        out.setdefault(_folded(w), w)
    return out


def sentence_sources(doc: Document) -> dict[int, str | None]:
    """Each sentence of ``doc`` (by its start offset in ``doc.text``) with the part of its
    source it translates, as the source checks pair them
    (:func:`mtqa.checks.pairing.pair_units`): its sentence, its line, or the whole source
    where the two do not align; None where that part is empty (a blank source line).
    Empty without a source, and for a source not in Latin letters, which has no cognates
    (:func:`mtqa.confusion.probe_results` reads none there: no segmenting and pairing
    for it). A false friend's cognate is looked for there, not anywhere in a long
    document's source (*Actually,* for *En fait,* is no false friend because another
    sentence says *actuellement*)."""
    if doc.source is None or not doc.source.strip() or profile(doc.source).script != "latin":
        return {}
    sentences = segment(doc)
    pairing = pair_units(doc, sentences, doc.source)
    out: dict[int, str | None] = {}
    for unit in pairing.units:
        for i in unit.sentences:
            out[sentences[i].start] = unit.other
    for unit in pairing.empty:
        for i in unit.sentences:
            out[sentences[i].start] = None
    return out


def cognate(word: str, words: dict[str, str]) -> str | None:
    """The word of a source that is a cognate of the English ``word`` (None: none);
    ``words`` is :func:`source_words` of the source. A cognate is a word whose spelling,
    accents off and a few spellings of one sound made
    alike (*qu*/*c*/*k*, *ph*/*f*, *y*/*i*, *z*/*s*), starts with the first
    :data:`COGNATE_PREFIX` letters of ``word``'s stem (its English ending off) and at
    least half of it: *actually* ← *actuellement*, *eventually* ← *éventuellement*,
    *library* ← *librairie*, *evoked* ← *évoquait*; or a source word whose own stem
    is those first three letters (*massaging* ← *massent*, *masser*); also a
    Spanish or German cognate (*actualmente*, *aktuell*; not Italian *attualmente*). A
    false friend is the cognate's look carried over: without one in the source, the
    English word is the translator's choice, not a false friend."""
    stem = _stem(word)
    need = max(min(COGNATE_PREFIX, len(stem)), (len(stem) + 1) // 2)
    head = stem[:need]
    return next(
        (w for f, w in words.items() if f.startswith(head) or _source_stem(f) == stem[:3]),
        None,
    )


def _source_stem(folded: str) -> str:
    """A folded source word without its (French) inflection, when three letters or more
    stay: *masser*, *massent*, *massé* → *mas*, as short a stem as a cognate may share
    (*massaging*)."""
    for end in _SOURCE_ENDINGS:
        if folded.endswith(end) and len(folded) - len(end) >= 3:
            return folded[: -len(end)]
    return folded
