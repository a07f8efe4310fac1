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
#: English endings taken off a listed word (lower case), each where 3 letters or more stay:
#: every stem so made is compared, and the word itself (*massaging* → *massag*;
#: *phrases* → *phrase*, *phras*; *process* stays whole too)
_ENDINGS = ("ings", "ing", "ies", "ied", "ed", "es", "ly", "s")
#: Latin derivations English and French build apart, tried on a (folded) English stem
#: without its silent *e*: (pattern, replacement, only for a verb of the list): *massage*/
#: *masser*, *animate*/*animer*, *attribute*/*attribuer*, *suppress*/*supprimer*,
#: *prevent*/*prévenir*, *survey*/*surveiller*; *proper*/*propre*,
#: *fastidious*/*fastidieux*, *sympathetic*/*sympathique*, *ancient*/*ancien*,
#: *responsible*/*responsable*, *editor*/*éditeur*
_DERIVED = (
    ("ag$", "", True),
    ("([au])t$", r"\1", True),
    ("es$", "im", True),
    ("vent$", "ven", True),
    ("ei$", "eil", True),
    ("er$", "r", False),
    ("ous$", "", False),
    ("etik$", "ik", False),
    ("ient$", "ien", False),
    ("ibl$", "abl", False),
    ("or$", "eur", False),
)
#: letters of a stem a cognate must start with as they are; after them a run of vowels may
#: change a little (:func:`_vowels`), a consonant may not
COGNATE_HEAD = 3
#: a vowel another language writes for it (*actual*/*actuel*, *consistent*/*consistant*,
#: *medicine*/*médecin*, *deputy*/*député*, *surname*/*surnom*)
_VOWEL_SWAPS = {"a": "eo", "e": "ai", "i": "e", "o": "", "u": ""}
#: what may follow an English stem in its cognate (folded): the inflections and adverb
#: endings of French, Spanish, Italian and German (*actuell|ement*, *actual|mente*,
#: *aktuell|e*, *mass|er*, *assist|é*, *prétend|re*, *licenc|ier*, *décev|oir*), nothing
#: else: *acte* (for *actually*), *libre* (*library*), *assis* (*assisted*) end where the
#: English stem goes on, *demain*, *depuis*, *marché* go another way
_SOURCE_ENDINGS = (
    "e|s|es|x|er|ez|ons|ent|ant|ants|ante|antes|ait|ais|aient|ai|a|as|it|is|ir|ira|ie|ies"
    "|ier|iers|iere|ieres|u|ue|us|ues|re|oir|ment|ments|ement|ements|mente|eur|eurs|euse"
    "|euses|eux|ieux|ieuse|aux|ion|ions|en|em"
)


def _folded(word: str) -> str:
    """``word`` in lower case without accents, with the spellings of one sound made alike
    (*qu*, a hard *c* as *k*, a soft one, *ç* or before *e*, *i*, *y*, as *s*; *ph* as *f*, *y* as
    *i*, *z* as *s*: *evoke*/*évoquer*, *license*/*licencier*, *library*/*librairie*),
    doubled letters single, and *ct* as *t*, as Italian writes it (*attualmente*)."""
    base = "".join(
        c
        for c in unicodedata.normalize("NFD", word.lower().replace("ç", "s"))
        if not unicodedata.combining(c)
    )
    base = re.sub(r"c(?=[eiy])", "s", base.replace("qu", "k"))
    for a, b in (("c", "k"), ("ph", "f"), ("y", "i"), ("z", "s")):
        base = base.replace(a, b)
    return re.sub(r"(.)\1", r"\1", base).replace("kt", "t")


def _vowels(run: str) -> str:
    """What a run of vowels of an English stem may be in its cognate: itself, a part of
    it, one vowel of :data:`_VOWEL_SWAPS` for a single one, each with at most one vowel
    more (*ai* for *a* in *librairie*, *ie* for *e* in *prévient*; not *oie* for *i*)."""
    alts = {run[i:j] for i in range(len(run)) for j in range(i + 1, len(run) + 1)}
    alts |= set(_VOWEL_SWAPS[run]) if len(run) == 1 else set()
    core = "|".join(sorted(alts, key=lambda x: (-len(x), x)))
    return f"(?:[aeiou]?(?:{core})|(?:{core})[aeiou]?)"


def _pattern(stem: str) -> str:
    """What a cognate of a folded English ``stem`` starts with: its first
    :data:`COGNATE_HEAD` letters, then its consonants in order, each run of vowels as
    :func:`_vowels` allows (a last one may go where 4 letters or more stay: *occup|er*
    for *occupy*)."""
    head, rest = stem[:COGNATE_HEAD], stem[COGNATE_HEAD:]
    out = [re.escape(head)]
    for m in re.finditer(r"[aeiou]+|[^aeiou]+", rest):
        if m.group()[0] not in "aeiou":
            out.append(re.escape(m.group()))
        elif m.end() < len(rest):
            out.append(_vowels(m.group()))
        else:  # the last run as it is, or changed and then all of the cognate's run
            last = f"(?:{m.group()}|{_vowels(m.group())}(?![aeiou]))"
            out.append(f"(?:{last})?" if m.start() + COGNATE_HEAD >= 4 else last)
    return "".join(out)


@lru_cache(maxsize=1)
def _verb_forms() -> frozenset[str]:
    """The words of the list's ``verbs`` table and the forms :func:`false_friends` adds."""
    verbs = word_lists("false_friends")["false_friends"]["verbs"]
    upos, base, tags = _INFLECTIONS["verbs"]
    forms = {_inflect(w, upos, base, t) for w in verbs for t in tags}
    return frozenset(verbs) | {f for f in forms if f is not None}


@lru_cache(maxsize=4096)
def _cognate_form(word: str) -> re.Pattern[str]:
    """The folded source words that are cognates of the English ``word`` (:func:`cognate`)."""
    lower = unicodedata.normalize("NFC", word.lower())
    verb = lower in _verb_forms()
    stems = {lower} | {lower[: -len(e)] for e in _ENDINGS if lower.endswith(e)}
    folded = {re.sub(r"e$", "", _folded(s)) for s in stems if len(s) >= COGNATE_HEAD}
    folded |= {
        re.sub(a, b, s)
        for s in folded
        for a, b, v in _DERIVED
        if (verb or not v) and re.search(a, s)
    }
    starts = sorted({_pattern(s) for s in folded if len(s) >= COGNATE_HEAD}, key=len)
    return re.compile(f"{re.escape(_folded(word))}|(?:{'|'.join(starts)})(?:{_SOURCE_ENDINGS})?")


def _source_forms(folded: str) -> tuple[str, ...]:
    """A folded source word, and as the English stem ends: a plural in *-aux* in *-al*
    (*tribunaux*), an ending *-if* as *-iv* (*préservatif*/*preservative*)."""
    return (folded, re.sub("aux$", "al", folded), re.sub("if(s?)$", r"iv\1", folded))


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
    ``words`` is :func:`source_words` of the source. Both read folded (:func:`_folded`:
    accents off, the spellings of one sound made alike), a cognate is ``word`` itself or
    the whole of a stem of it (its English ending off, or a Latin derivation's:
    :data:`_DERIVED`), its first :data:`COGNATE_HEAD` letters as they are and then its
    consonants in order (a vowel may change), followed by nothing or by an ending of the
    source's language (:data:`_SOURCE_ENDINGS`): *actually* ← *actuellement*, Spanish
    *actualmente*, Italian *attualmente*, German *aktuell*; *eventually* ←
    *éventuellement*, *library* ← *librairie*, *massaging* ← *masser*, *evoked* ←
    *évoquait*, *preservative* ← *préservatif*; not *acte*, *libre*, *assis* (the English
    stem goes on) nor *demain* for *demand*. A false friend is the cognate's look carried
    over: without one in the source, the English word is the translator's choice, not a
    false friend."""
    form = _cognate_form(word)
    return next(
        (w for f, w in words.items() if any(form.fullmatch(x) for x in _source_forms(f))),
        None,
    )
