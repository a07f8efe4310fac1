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

from functools import lru_cache

from mtqa.data import word_lists

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
