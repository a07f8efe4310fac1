"""Rule checks: table-driven cases (rule id, text, expected span texts), offsets, and the
false-alarm bound on clean English (``../shared/calibration/clean_en.txt``)."""

from __future__ import annotations

import hashlib
import json
import random
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from mtqa.checks import CHECKS, TARGET_CHECKS
from mtqa.checks.document import target_spans
from mtqa.checks.nonword import near_word
from mtqa.checks.target import _JOIN, _joins
from mtqa.records import Document, Sentence, Span
from mtqa.segment import segment

RULES = TARGET_CHECKS  # the target checks (one sentence at a time)

# Bounds from issue 3 / docs/rules.md: each rule fires on at most 0.5% of clean lines, the
# major rules together on at most 1%. Measured on clean_en.txt (2,000 lines): at most
# 0.25% for any one rule (non-word, on real typos such as "interseciton"), 0.30% for majors.
MAX_RULE_RATE = 0.005
MAX_MAJOR_RATE = 0.01


def sentence(text: str, start: int = 0) -> Sentence:
    return Sentence(doc_id="d", index=1, start=start, end=start + len(text), text=text)


def check(rule: str, sent: Sentence) -> list[Span]:
    return RULES[rule].check(sent.text, sent.start)


def texts(rule: str, text: str) -> list[str]:
    return [s.text for s in check(rule, sentence(text))]


CASES = [
    # french-spacing: a space before ; : ! ? (regular, no-break or narrow no-break)
    # (the span is the space and the mark, never the end of the word before it)
    ("french-spacing", "He asked : why ?", [" :", " ?"]),
    ("french-spacing", "Enough\u00a0!", ["\u00a0!"]),
    ("french-spacing", "He said “no” !", [" !"]),
    ("french-spacing", "He asked: why? Time: 10:30.", []),
    ("french-spacing", "The band Yahoo! News and Ruki Vverh! played.", []),
    # guillemets
    ("guillemets", "He said « no » twice.", ["« ", " »"]),
    ("guillemets", "He said «no» twice.", ["«", "»"]),
    ("guillemets", "He shouted « Non » !", ["« ", " » "]),
    ("guillemets", "He said “no” twice.", []),
    # french-numbers
    ("french-numbers", "Growth was 3,5 % in 2021.", ["3,5 %"]),
    ("french-numbers", "Growth was 3,5 in 2021 and 1 000,25 % in 2022.", ["3,5", "1 000,25 %"]),
    ("french-numbers", "About 10 000 people came at 14h30.", ["10 000", "14h30"]),
    ("french-numbers", "On the 1er of May.", ["1er"]),
    ("french-numbers", "In the XXe century, under the Ve Republic.", ["XXe", "Ve"]),
    ("french-numbers", "I bought an Apple IIe; Ve have ways; Odin, Vili and Ve.", []),
    ("french-numbers", "He is n° 2 of the party, and n°1 in polls.", ["n° ", "n°"]),
    # a Qt placeholder's digit is no number: '%1 %%' is no French '1 %'; '5 %' still is
    ("french-numbers", "Deleted %1 %% of %2 files, 5 % more.", ["5 %"]),
    # date-case: month and day names in lower case (French writes them so)
    ("date-case", "On monday 5 january, he left.", ["monday", "january"]),
    ("date-case", "Visit monday.com or #sunday; you may march in May on Monday.", []),
    ("date-case", "An august body met on 5 August.", []),
    (
        "date-case",
        "He came on 5 march, left on 12 may; shops close on mondays.",
        ["march", "may", "mondays"],
    ),
    (
        "date-case",
        "Run `cron --day=sunday`; set WEEKDAY=friday; WHERE day = 'monday'; "
        'see http://example.com/?day=monday&x=1 and <span class="monday">.',
        [],
    ),
    ("french-numbers", "Ce is cerium; Louis XIV and World War II ended; XXL shirts.", []),
    # french-title: a French title before a name; a middle initial is not one
    ("french-title", "M. Macron met Mme Merkel and MM. Dupont.", ["M.", "Mme", "MM."]),
    ("french-title", "John M. Smith met Michael J. Fox; M. is a letter; Mme.", []),
    (
        "french-title",
        "Yesterday M. Macron said no, but M. Le Maire's aide met Mme. Dupont.",
        ["M.", "M.", "Mme."],
    ),
    *(
        ("french-title", text, [])
        for text in (
            "[1] M. Jordan, Pattern Recognition, 2006.",
            "Authors: A. Smith; M. Jones",
            "Dr. M. Lee and Prof. M. Rossi spoke.",
            "Cf. M. Weber, Economy and Society.",
            "Sizes: S, M. Large sizes are sold out.",
            "The letter M. Then came N.",
            "She received her M. Phil. from Oxford.",
            "It weighs 5 M. Tons of steel.",
            "Watch M. Night Shyamalan's new film.",
        )
    ),
    ("french-numbers", "Growth was 3.5% and 10,000 people came at 2:30 in 2021, 2022.", []),
    # punct-spacing
    ("punct-spacing", "in front of the mural , and the site", [" ,"]),
    ("punct-spacing", "The parliament passed the law .", [" ."]),
    ("punct-spacing", "He paused ... then spoke, and left.", []),
    # stray-period
    ("stray-period", "on this subject. .", [". ."]),
    ("stray-period", "He waited... and then left.", []),
    # broken-join: a full stop followed by a lower-case word
    ("broken-join", "the conflict in the United States. is rebel from Ukraine.", ["States. is"]),
    ("broken-join", "sees only that. ‘a Ukrainian war", ["that. ‘a"]),
    ("broken-join", "He said “yes”. the rest followed.", ["“yes”. the"]),
    # after an emoji too (a sentence can end on one; the span keeps the whole cluster)
    ("broken-join", "It worked 👍🏽. then we left.", ["👍🏽. then"]),
    ("broken-join", "We met in the 🇬🇧. and more.", ["🇬🇧. and"]),
    ("french-spacing", "It rained 🌧️ : sadly. Yes 🎉 !", [" :", " !"]),
    ("punct-spacing", "Number 1️⃣ . was it.", [" ."]),
    ("broken-join", "which led to a. man on base", ["a. man"]),
    ("broken-join", "U.S. officials met e.g. the French at 3 p.m. on Monday.", []),
    ("broken-join", "Travel, eg. flights, is paid; see ie. the next page.", []),
    # a list item after a full stop; a one-letter word that starts no list still counts
    ("broken-join", "Terms: a) the work is yours. b) you may share it. iv) no more.", []),
    ("broken-join", "It was hers. a man came (b)", ["hers. a"]),
    ("broken-join", "affected by this document. b. The next item. iv. The last. c.", []),
    ("broken-join", "It was hers. b.c is a file", ["hers. b"]),
    ("broken-join", "Apple Inc. announced a flat of 50 sq. m in Paris, etc. and more.", []),
    ("broken-join", "John F. kennedy aside, Dr. no. He left. Then he ate.", []),
    # units, references and everyday short forms before a lower-case word (a recipe, a
    # spec sheet, an invoice): abbreviations, not joins
    ("broken-join", "Add 1 tsp. of salt, 2 tbsp. of oil and 1 fl. oz. of milk.", []),
    ("broken-join", "It is 3 yd. long, holds 2 gal. and took 4 wks. to build.", []),
    ("broken-join", "Call ext. or tel. numbers in ch. two, sect. four, para. one.", []),
    (
        "broken-join",
        "The govt. said the qty. ordered and pkg. size were wrong, misc. items too.",
        [],
    ),
    ("broken-join", "He is 30 yrs. old; see ref. below, esp. for 2 hrs. or 3 mos. by ship.", []),
    ("broken-join", "He waited... and left. “Fine,” he said.", []),
    # a join may start where the previous one ended, inside a token
    ("broken-join", "one of the. a,b. c", ["the. a", ",b. c"]),
    # quote-spacing: a closing quote with a space before it and none after
    ("quote-spacing", "at the expense of Ukraine , ”he said.", [", ”h"]),
    ("quote-spacing", 'he said "no ,"so we left', []),
    ("quote-spacing", 'He said, "we are ready" and "very ready".', []),
    ("quote-spacing", 'He said "we are ready "and left.', [' "a']),
    # replacement-char: U+FFFD, a character lost in decoding: the whole word it sits in
    ("replacement-char", "The caf\ufffd opened in Montr\ufffdal.", ["caf\ufffd", "Montr\ufffdal"]),
    (
        "replacement-char",
        "L'\ufffdt\ufffd and d\ufffdj\ufffd-vu, a \ufffd\ufffd sign, \ufffd alone",
        ["L'\ufffdt\ufffd", "d\ufffdj\ufffd-vu", "\ufffd\ufffd", "\ufffd"],
    ),
    ("replacement-char", "The café opened in Montréal, naïvely: ‘fine’ � no.", ["�"]),
    ("replacement-char", "The café opened in Montréal, naïvely - fine.", []),
    # orphan-quote: an opening quote that closes the sentence
    ("orphan-quote", "refrained from using. in the past “.", [" “."]),
    ("orphan-quote", "He said: ‘", [": ‘"]),
    ("orphan-quote", "He said “yes”.", []),
    # repeated-word
    ("repeated-word", "the the cat sat on on the mat", ["the the", "on on"]),
    ("repeated-word", "between Misakubo Misakubo Station", ["Misakubo Misakubo"]),
    ("repeated-word", "she had had enough; that that was fine in Walla Walla", []),
    ("repeated-word", "the theme, 10 10 times", []),
    # non-word: not in wordfreq's English list, near a common word, not name-like
    ("non-word", "The situation insupports the government.", ["insupports"]),
    # spelling: Hunspell en_US rejects it, a common word is one slip away (wordfreq knows these)
    (
        "spelling",
        "The developpement of the adress occured last week.",
        ["developpement", "adress", "occured"],
    ),
    ("non-word", "The librairy was closed; they otulined it.", ["librairy", "otulined"]),
    ("non-word", "Kouleba met Blinken; NATO and OSCE; COVID-19 and the B1.1.7 strain.", []),
    ("non-word", "Mail john.doe@example.com, see www.example.org/insuports or #librairy.", []),
    ("non-word", "The re-elected, self-made anti-vaxxer spoke unsystematically.", []),
    ("non-word", "Don’t do it, it’s the children’s toys and the countries' debts.", []),
    ("non-word", "The sumo wrestler reached sekiwake in the Czech spořitelna.", []),
    ("non-word", "The makuuchi division; the makuuchi rank.", []),
    ("non-word", "It was insupportable and aujourd'hui they left.", []),
    ("non-word", "A code ab1otulined and the librairy here.", ["librairy"]),
    # untranslated-french: French words or runs; names and loanwords excepted
    ("untranslated-french", "The meeting took place aujourd'hui in Paris.", ["aujourd'hui"]),
    ("untranslated-french", "Selon the minister, the talks failed.", ["Selon"]),
    ("untranslated-french", "He spoke of the réunion de la commission.", ["réunion de la"]),
    ("untranslated-french", "The gouvernement announced new measures.", ["gouvernement"]),
    ("untranslated-french", "Il y a des problèmes.", ["Il y a des problèmes"]),
    ("untranslated-french", "At this time, la police have no news.", ["la"]),
    ("untranslated-french", "The sanctions will hurt, pour le moment.", ["pour le"]),
    ("untranslated-french", 'He said it was "très bien" and left.', ["très bien"]),
    ("untranslated-french", "It is, c’est ça, a mistake.", ["c’est ça"]),
    ("untranslated-french", "He met Jean-Yves Le Drian and Charles de Gaulle's grandson.", []),
    ("untranslated-french", "The de la Rosa family visited the Place de la Concorde.", []),
    ("untranslated-french", "Marine Le Pen read Le Monde at the Tour de France.", []),
    ("untranslated-french", "La Paz and Des Moines; Moët et Chandon; Côte d'Ivoire.", []),
    ("untranslated-french", "The Musée d'Orsay gave him the Légion d'honneur.", []),
    ("untranslated-french", "Mbappé and Zoé Valdés met at the café.", []),
    ("untranslated-french", "Her résumé, naïve protégés and the rendez-vous vis-à-vis Paris.", []),
    ("untranslated-french", "A coup d'état is a fait accompli, a coup de grâce.", []),
    ("untranslated-french", "She ate à la carte with a sense of déjà vu.", []),
    ("untranslated-french", "A nouveau riche with a certain je ne sais quoi, c'est la vie.", []),
    ("untranslated-french", "Smith et al. found the raison d'être of the sous chef.", []),
    ("untranslated-french", "His son a doctor, plus six more, pour in on the par three.", []),
    ("untranslated-french", "On Thursday the minister said that the talks failed.", []),
    (
        "untranslated-french",
        "A coup d'état, then selon him, a fait accompli and pour le moment.",
        ["selon", "pour le"],
    ),
    # calque: French constructions in English words; good English in other readings is not
    (
        "calque",
        "He has lived here since three years and participated to the meeting.",
        ["since three years", "participated to the"],
    ),
    (
        "calque",
        "In function of the weather, they came to the concert of the two last days.",
        ["In function of", "the two last days"],
    ),
    ("calque", "Since 2019, there was a year of talks; they make attention.", ["make attention"]),
    (
        "calque",
        "The effect peaks at 2 hours; overtime is capped at 10 hours; make attention-grabbing"
        " ads; since two weeks' notice is due; since three days of rain fell; the measure that"
        " passed.",
        [],
    ),
    (
        "calque",
        "He has lived here since 2019, for three years, since last year, since long ago; it is"
        " he who knows. At the moment when he left, in the framework of a deal, following which"
        " he could benefit from it and participate in the talks to the end.",
        [],
    ),
    # the fourth list (stop 31): French verbs' prepositions and news phrases
    (
        "calque",
        "He was responsible of the plan; it depends on the weather; he remembered of it; she"
        " resembles to her mother; they obeyed to the order; we discussed about the budget.",
        [
            "responsible of",
            "remembered of",
            "resembles to",
            "obeyed to",
            "discussed about",
        ],
    ),
    (
        "calque",
        "He explained them that it failed, said her that he left, asked to him a favour,"
        " phoned to them and answered to the question, then profited of the pause.",
        [
            "explained them that",
            "said her that",
            "asked to him",
            "phoned to them",
            "answered to the",
            "profited of",
        ],
    ),
    (
        "calque",
        "Sales have known a strong growth and the law entered in vigour after he was named at"
        " the head of the agency; firefighters mastered the fire and made a call to donations.",
        [
            "known a strong growth",
            "entered in vigour",
            "named at the head of",
            "mastered the fire",
            "a call to donations",
        ],
    ),
    (
        "calque",
        "The country is in full crisis, the plan has made the object of critics, and you have"
        " reason; during long years he has reason.",
        [
            "in full crisis",
            "has made the object of",
            "you have reason",
            "during long years",
            "he has reason",
        ],
    ),
    (
        "calque",
        "Prices will be more high next year and more big than before; the most big firms and"
        " the most young workers lost, and it was more easy.",
        ["more big", "the most big", "the most young", "more easy"],
    ),
    (
        "calque",
        "More young people and more small businesses joined the most hard-hit towns; the Most"
        " High knows the most high-profile cases; prices will be more high-end.",
        [],
    ),
    # ... and the English they must leave alone
    (
        "calque",
        "The treaty entered into force; he answered to the name of Joe and answered to the"
        " call; I have known a few of them; they have reason to worry; she was made the object"
        " of ridicule; the profits of the firm; it depends on the weather; the rooms were in"
        " full view, in full swing; responsible for it; they discussed the budget; he has"
        " reasoned well; we focus on the long term; he is interested by nature.",
        [],
    ),
    # good English a newcomer wrote to make it cry wolf (review of this round): never flagged
    *(
        ("calque", text, [])
        for text in (
            "The strike resulted in a delay of three weeks.",
            "The midwife assisted at the birth of their first child.",
            "She was assisted to the ambulance by two paramedics.",
            "He participated to the extent his health allowed.",
            "Employees participated to a large degree in the decision.",
            "Since long-term rates rose, mortgages have become expensive.",
            "Since three years have passed, the case is closed.",
            "Since two weeks is too short, we extended the deadline.",
            "The maximum sentence there is ten years in prison.",
            "Estimates ranged from rough to precise.",
            "Both teams scored in the goal of the opposing side.",
            "A scratch in the optic of the telescope blurred the images.",
            "The weather was pleasant all week long.",
        )
    ),
    (
        "calque",
        "I have known him since long, and he wants to precise that.",
        ["since long", "to precise"],
    ),
    # rows added with the second list of French constructions
    (
        "calque",
        "The town makes part of the region; it acts of a new law, in reason of the crisis.",
        ["makes part of", "it acts of", "in reason of"],
    ),
    (
        "calque",
        "A dozen of people, of more in more angry, made face to the police; by against, "
        "the mayor was in train of negotiating.",
        ["A dozen of", "of more in more", "made face to", "by against", "in train of"],
    ),
    (
        "calque",
        "A dozen of them came; a hundred of the guests left; he took part in it; the project "
        "is part of the plan; she faced the press; in any case, in all cases, the train of "
        "events was clear; whatever acts of kindness; he is in training.",
        [],
    ),
    (
        "calque",
        "He left so as that the talks could go on, as well that calling a vote; there is not "
        "of doubt, since years, even if though he was charged of the file.",
        [
            "so as that",
            "as well that",
            "there is not of",
            "since years",
            "even if though",
            "charged of",
        ],
    ),
    (
        "calque",
        "It is just as well that he left; it's as well that we asked; since years of war have "
        "passed, he was charged with fraud, so as to win; even though he stared at the phone.",
        [],
    ),
    # rows added with the third list
    (
        "calque",
        "According to me, they live here; I am agree, she is agree and they were agree.",
        [
            "According to me",
            "am agree",
            "is agree",
            "were agree",
        ],
    ),
    (
        "calque",
        "According to US officials and according to media reports, the plan is agreeable; "
        "making a walk-in closet, he made a photocopy; it makes three years of data public; "
        "what makes a walk pleasant (a rewrite for the LM to confirm); they are agreed; the "
        "delay adds up: it makes three hours that nobody can get back.",
        [],
    ),
    (
        "calque",
        "At the contrary, the most of the time he works, on the contrary of his brother; "
        "from time in time, in the measure of the possible, at the exception of Sundays.",
        [
            "At the contrary",
            "the most of the time",
            "on the contrary of",
            "from time in time",
            "in the measure of the possible",
            "at the exception of",
        ],
    ),
    (
        "calque",
        "On the contrary, of course; they make the most of the time they have; with the "
        "exception of Sundays, from time to time, as far as possible; most of the time.",
        [],
    ),
]


@pytest.mark.parametrize(("rule", "text", "expected"), CASES)
def test_rule_cases(rule: str, text: str, expected: list[str]) -> None:
    assert texts(rule, text) == expected


#: every rule's fix on its own cases: the sentence after all suggestions are applied
FIXED = [
    ("french-spacing", "He asked : why ?", "He asked: why?"),
    ("guillemets", "He said « no » twice.", "He said “no” twice."),
    ("guillemets", "He shouted « Non » !", "He shouted “Non”!"),
    ("french-numbers", "Growth was 3,5 % in 2021.", "Growth was 3.5% in 2021."),
    ("french-numbers", "About 10 000 people came at 14h30.", "About 10,000 people came at 14:30."),
    (
        "french-numbers",
        "Growth was 3,5 in 2021 and 1 000,25 % in 2022.",
        "Growth was 3.5 in 2021 and 1,000.25% in 2022.",
    ),
    ("french-numbers", "On the 1er of May.", "On the 1st of May."),
    ("french-numbers", "In the XIXe century.", "In the 19th century."),
    ("french-title", "M. Macron met Mme Merkel.", "Mr Macron met Ms Merkel."),
    ("french-numbers", "He is n° 2, and n°1 in polls.", "He is No. 2, and No. 1 in polls."),
    ("date-case", "On monday 5 january.", "On Monday 5 January."),
    (
        "punct-spacing",
        "in front of the mural , and the site",
        "in front of the mural, and the site",
    ),
    ("stray-period", "on this subject. .", "on this subject."),
    (
        "broken-join",
        "the conflict in the United States. is rebel from Ukraine.",
        "the conflict in the United States is rebel from Ukraine.",
    ),
    ("broken-join", "sees only that. ‘a Ukrainian war", "sees only that ‘a Ukrainian war"),
    ("quote-spacing", 'He said "we are ready "and left.', 'He said "we are ready" and left.'),
    (
        "orphan-quote",
        "refrained from using. in the past “.",
        "refrained from using. in the past.",
    ),
    ("orphan-quote", "He said: ‘", "He said:"),
    ("repeated-word", "the the cat sat on on the mat", "the cat sat on the mat"),
    (
        "non-word",
        "The situation insupports the government.",
        "The situation supports the government.",
    ),
    (
        "calque",
        "He has lived here since three years and participated to the meeting.",
        "He has lived here for three years and participated in the meeting.",
    ),
    (
        "calque",
        "In function of the weather, they came to the concert of the two last days.",
        "Depending on the weather, they came to the concert of the last two days.",
    ),
    (
        "calque",
        "It was question of a deal since two years.",
        "There was talk of a deal for two years.",
    ),
    (
        "calque",
        "It makes part of the plan, and they make face to the crisis all of even.",
        "It is part of the plan, and they face the crisis all the same.",
    ),
    (
        "calque",
        "According to me, they left; I am agree.",
        "In my opinion, they left; I agree.",
    ),
    (
        "calque",
        "At the contrary, the most of the time he came, at the exception of Sundays.",
        "On the contrary, most of the time he came, with the exception of Sundays.",
    ),
    (
        "calque",
        "He explained them that it resembles to the law, which entered in vigour when he was"
        " named at the head of the agency; sales knew a sharp rise and you have reason.",
        "He explained to them that it resembles the law, which entered into force when he was"
        " appointed head of the agency; sales saw a sharp rise and you are right.",
    ),
    (
        "calque",
        "I have reason: the plan has made the object of a debate; crews are mastering the"
        " blaze in full crisis.",
        "I am right: the plan has been the subject of a debate; crews are bringing the blaze"
        " under control in the midst of crisis.",
    ),
]
#: rules that cannot know the fix (a translation is needed): their spans carry none
NO_FIX = {"untranslated-french", "replacement-char"}


def fixed_text(text: str, spans: list[Span]) -> str:
    """``text`` with every span's suggestion put in its place (last first)."""
    for sp in sorted(spans, key=lambda s: s.start, reverse=True):
        assert sp.suggestion is not None, (sp.source, sp.text)
        text = text[: sp.start] + sp.suggestion + text[sp.end :]
    return text


@pytest.mark.parametrize(("rule", "text", "fixed"), FIXED)
def test_rule_fixes(rule: str, text: str, fixed: str) -> None:
    assert fixed_text(text, check(rule, sentence(text))) == fixed


@pytest.mark.parametrize(("rule", "text", "expected"), [c for c in CASES if c[2]])
def test_every_fix_clears_its_rule(rule: str, text: str, expected: list[str]) -> None:
    """A whole kind: on every case, each span of a rule that can fix carries a suggestion,
    and the sentence with the suggestions applied no longer fires that rule."""
    spans = check(rule, sentence(text))
    if rule in NO_FIX:
        assert all(sp.suggestion is None for sp in spans)
        return
    assert texts(rule, fixed_text(text, spans)) == []


def test_every_rule_has_cases_and_a_reason() -> None:
    assert {c[0] for c in CASES} == set(RULES)
    for rule_id, rule in RULES.items():
        assert rule.id == rule_id
        assert rule.severity in ("minor", "major")
        assert not rule.needs_source and CHECKS[rule_id] is rule


@pytest.mark.parametrize(("rule", "text", "expected"), [c for c in CASES if c[2]])
def test_span_offsets_and_source(rule: str, text: str, expected: list[str]) -> None:
    doc = "Intro line.\n  " + text
    spans = check(rule, sentence(text, start=doc.index(text)))
    assert spans
    for s in spans:
        assert s.text == doc[s.start : s.end]
        assert s.source == f"rule:{rule}"
        assert s.reason and s.severity in ("minor", "major")


def test_reasons_name_the_word() -> None:
    (span,) = check("non-word", sentence("The librairy was closed."))
    assert span.reason == "not an English word: 'librairy' (close to 'library')"
    (span,) = check("untranslated-french", sentence("It was, selon him, wrong."))
    assert span.reason == "French left untranslated: 'selon'"


def test_french_severity_by_run_length() -> None:
    spans = check("untranslated-french", sentence("Selon him, il y a des problèmes."))
    assert [(s.text, s.severity) for s in spans] == [
        ("Selon", "minor"),
        ("il y a des problèmes", "major"),
    ]


def test_near_word() -> None:
    assert near_word("insupports") == "supports"
    assert near_word("dilluted") == "diluted"
    assert near_word("sekiwake") is None


def test_join_search_matches_plain_finditer() -> None:
    """``_joins`` skips the retries ``finditer`` makes inside a run: the same matches."""
    rng = random.Random(7)
    alphabet = "ab. ,)\"'‘“Z9-\n\t’é_"
    for _ in range(20_000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 30)))
        got = [(m.span(), m.groupdict()) for m in _joins(text)]
        assert got == [(m.span(), m.groupdict()) for m in _JOIN.finditer(text)], text


def _hash_sentence() -> str:
    return "Entry 7 has hash " + hashlib.sha256(b"7").hexdigest() * 800 + "."  # 51 KB, no space


def _unknown_words() -> str:
    rng = random.Random(0)  # 6,000 distinct lower-case non-words in one sentence
    return " ".join("".join(rng.choice("abcdefghij") for _ in range(7)) for _ in range(6000)) + "."


@pytest.mark.parametrize(
    ("rule", "make"),
    [
        ("broken-join", _hash_sentence),  # was ~35 s: a retry at every position of the hash
        ("non-word", _hash_sentence),
        ("untranslated-french", _hash_sentence),
        ("non-word", _unknown_words),  # was ~28 s: each unknown word counted over the sentence
    ],
)
def test_long_sentences_take_linear_time(rule: str, make: Callable[[], str]) -> None:
    text = make()
    check(rule, sentence("A warm-up: the librairy insupports it."))  # load word lists
    t = time.perf_counter()
    check(rule, sentence(text))
    assert time.perf_counter() - t < 5.0  # about 0.01-1 s here; quadratic is ~30x more


def test_seed_spans_match_document(shared_dir: Path) -> None:
    text = (shared_dir / "seed" / "article.txt").read_text(encoding="utf-8")
    doc = Document(doc_id="seed", text=text, path="seed")
    spans = [s for sent in segment(doc) for s in target_spans(sent)]
    assert spans
    for s in spans:
        assert s.text == text[s.start : s.end]
    found = {s.text for s in spans}
    assert {"States. is", "insupports", ". .", "that. ‘a"} <= found


def test_clean_false_alarm_rate(shared_dir: Path) -> None:
    lines = (shared_dir / "calibration" / "clean_en.txt").read_text(encoding="utf-8").splitlines()
    fired = dict.fromkeys(RULES, 0)
    major_lines = 0
    for line in lines:
        major = False
        for rule_id, rule in RULES.items():
            spans = rule.check(line)
            fired[rule_id] += bool(spans)
            major |= any(s.severity == "major" for s in spans)
        major_lines += major
    rates = {k: v / len(lines) for k, v in fired.items()}
    assert all(r <= MAX_RULE_RATE for r in rates.values()), rates
    assert major_lines / len(lines) <= MAX_MAJOR_RATE


# Dotted numbers in English text with no source: only an amount with dots for thousands where
# nothing else can be meant is flagged (two dots of three-digit groups, or a dot then a
# decimal comma); a single dot is English's decimal point, and dates, versions, sections and
# addresses are no amounts
DOTTED = [
    ("The city has 1.500.000 inhabitants.", ["1.500.000"]),
    ("It cost €12.345.678, or 1.500.000.000 in all.", ["12.345.678", "1.500.000.000"]),
    ("It cost 1.500.000,50 euros, then 2.500,75 euros.", ["1.500.000,50", "2.500,75"]),
    ("The meeting was held on 12.05.2023 and 1.2.2023 in Geneva.", []),
    ("Python 3.10.2 fixed it; see section 4.2.1 and 4.2.1.3.", []),
    ("The hosts 192.168.1.1 and 192.168.100.200 were down.", []),
    ("Version 1.100.200 and release 2.100.300 shipped; see § 4.100.200.", []),
    ("It rose to 1.500 people, or 13.169 million mu, and 2.5 percent.", []),
    ("Cases have reached 4.176,000 and 12.345.678,000 so far.", []),  # 1,000s or decimals?
    ("Her ID is 12.345.678-9 and the build v1.100.200 is out.", []),
    ("The file 1.500.000.tar is at https://a.org/1.500.000 now.", []),
]


@pytest.mark.parametrize(("text", "expected"), DOTTED)
def test_dotted_numbers_are_flagged_only_as_unambiguous_thousands(
    text: str, expected: list[str]
) -> None:
    spans = check("french-numbers", sentence(text))
    assert [s.text for s in spans] == expected
    for s in spans:
        assert s.severity == "minor" and "dots for thousands" in s.reason
        assert text[s.start : s.end] == s.text
    assert [s.suggestion for s in spans] == [
        e.replace(".", "_").replace(",", ".").replace("_", ",") for e in expected
    ]


def test_calques_fire_on_no_clean_or_zh_en_english(shared_dir: Path) -> None:
    """The calque check's promise (mtqa/checks/calque.py): its flagged rows fire on none of
    the 2,000 lines of clean_en.txt nor of the distinct English targets of mqm_dev (zh→en
    MT: no French behind them)."""
    lines = (shared_dir / "calibration" / "clean_en.txt").read_text(encoding="utf-8").splitlines()
    targets = {
        json.loads(row)["target"]
        for path in sorted((shared_dir / "mqm_dev").glob("*.jsonl"))
        for row in path.read_text(encoding="utf-8").splitlines()
        if row.strip()
    }
    assert len(targets) > 10_000
    fired = [(t, sp.text) for t in [*lines, *sorted(targets)] for sp in RULES["calque"].check(t)]
    assert fired == []
