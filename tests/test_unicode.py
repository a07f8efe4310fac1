"""Unicode in the text as read: grapheme clusters (an emoji with its skin tone, a flag, a
letter with its accent) are never cut by a span and an emoji is no punctuation.

Everything runs on the fake scorer (``mtqa.lm.fake``) and its fitted fake detector.
"""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from mtqa.analyse import analyse, merge_spans
from mtqa.checks import TARGET_CHECKS
from mtqa.checks.base import Check, Hit
from mtqa.checks.document import target_spans
from mtqa.detect import Detector
from mtqa.engines.base import check_documents
from mtqa.features import FEATURES, sentence_features
from mtqa.lm.fake import FakeScorer
from mtqa.lm.nfc import nfc_map
from mtqa.records import Document, DocumentResult, Sentence, Span
from mtqa.text import GRAPHEME, cluster_bounds

FLAGGED = "She wrote evil text and 👍🏽 emoji 🇬🇧 here. in the end it worked."


@pytest.fixture()
def det(fake_calibration: Path) -> Detector:
    return Detector.from_json(fake_calibration.read_text(encoding="utf-8"), str(fake_calibration))


def run(text: str, det: Detector, loud: frozenset[str] = frozenset()) -> DocumentResult:
    scorer = FakeScorer(loud=loud)
    [tokens] = scorer.score([text])
    return analyse(Document("d", text, "d.txt"), tokens, det)


def boundaries(text: str) -> set[int]:
    return {m.start() for m in GRAPHEME.finditer(text)} | {len(text)}


def assert_whole(text: str, spans: tuple[Span, ...] | list[Span]) -> None:
    """Offsets are sacred and every span starts and ends on a grapheme cluster boundary."""
    cuts = boundaries(text)
    for sp in spans:
        assert sp.text == text[sp.start : sp.end]
        assert sp.start in cuts and sp.end in cuts, (sp.text, sp.source)


# ---------------------------------------------------------------- grapheme clusters


@pytest.mark.parametrize(
    ("start", "end", "want"),
    [
        (24, FLAGGED.index("🇬") + 1, "👍🏽 emoji 🇬🇧"),  # half a flag: the whole flag
        (25, 26, "👍🏽"),  # a skin tone alone: with its emoji
        (FLAGGED.index("🇧"), FLAGGED.index("🇧") + 1, "🇬🇧"),
        (0, 3, "She"),  # already whole
    ],
)
def test_cluster_bounds_widen_to_whole_clusters(start: int, end: int, want: str) -> None:
    a, b = cluster_bounds(FLAGGED, start, end)
    assert FLAGGED[a:b] == want


def test_cluster_bounds_of_accents_line_ends_and_empty_stretches() -> None:
    text = "Les gens sont la\u0300. x\r\ny"
    assert text[slice(*cluster_bounds(text, 9, 16))] == "sont la\u0300"  # the accent kept
    assert cluster_bounds(text, 16, 16) == (15, 15)  # inside "à": its start
    assert cluster_bounds(text, 17, 17) == (17, 17)  # a boundary stays
    crlf = text.index("\r\n")
    assert cluster_bounds(text, crlf + 1, crlf + 2) == (crlf, crlf + 2)  # CR LF is one
    assert cluster_bounds("e\u0301", 1, 1) == (0, 0)


def test_merge_spans_snaps_every_span_and_its_suggestion() -> None:
    """The one place every span passes: a span cutting a flag is widened, its text is the
    document's again and its suggestion takes the characters it gained."""
    i = FLAGGED.index("🇬")
    cut = Span(i - 6, i + 1, FLAGGED[i - 6 : i + 1], "minor", 0.5, "lm", "x", "emojis 🇺")
    whole = Span(0, 3, "She", "minor", 0.5, "rule:x", "y")
    got = merge_spans(FLAGGED, [cut], [whole])
    assert [sp.text for sp in got] == ["She", "emoji 🇬🇧"]
    assert got[1].suggestion == "emojis 🇺🇧"
    assert got[0] is whole  # untouched when whole
    assert_whole(FLAGGED, got)


class Cutter(Check):
    """A check that cuts the flag of :data:`FLAGGED` in half (as a pattern may)."""

    id = "cutter"

    def find(self, text: str, source: str | None = None) -> Iterator[Hit]:
        i = text.find("🇬")
        if i >= 0:
            yield Hit(i - 6, i + 1, "cuts a flag", suggestion="emojis 🇺")


def test_no_reported_span_cuts_a_cluster(det: Detector, monkeypatch: pytest.MonkeyPatch) -> None:
    """Whatever a check or the LM reports, the spans of a result hold whole clusters."""
    monkeypatch.setitem(TARGET_CHECKS, "cutter", Cutter())
    res = run(FLAGGED, det, loud=frozenset({"🇬", "emoji", "👍"}))
    [cut] = [sp for sp in res.spans if sp.source == "rule:cutter"]
    assert cut.text == "emoji 🇬🇧" and cut.suggestion == "emojis 🇺🇧"
    assert [sp.text for sp in res.spans if sp.source == "lm"] == ["emoji"]
    assert_whole(FLAGGED, res.spans)


def test_an_emoji_is_never_flagged_nor_unexpected_punctuation(det: Detector) -> None:
    """Clean text with an emoji the LM finds very surprising: no flag, on it or next to it."""
    text = "Tokyo is the capital of Japan 🎉."
    res = run(text, det, loud=frozenset({"🎉"}))
    plain = run("Tokyo is the capital of Japan.", det)
    assert [sp.text for sp in res.spans] == [sp.text for sp in plain.spans]
    assert not [sp for sp in res.spans if sp.end > text.index("Japan")]
    [sent] = res.sentences
    assert [w.kind for w in sent.words][-2:] == ["symbol", "punct"]


def test_a_symbol_costs_its_neighbours_nothing(det: Detector) -> None:
    """The rows of the other items are made as if the emoji were not there: the word before
    it reads the full stop as its next item, not the emoji's 20 bits."""
    text = "Tokyo is the capital of Japan 🎉."
    [sent] = run(text, det, loud=frozenset({"🎉"})).sentences
    rows = sentence_features(text, sent.words)
    k = [w.text for w in sent.words].index("Japan")
    assert sent.words[k + 1].surprisal == 20.0
    col = {f: rows[k][i] for i, f in enumerate(FEATURES)}
    assert col["s_next1"] == pytest.approx(sent.words[k + 2].surprisal)  # the full stop's
    assert col["next_punct"] == 1.0
    others = [w.surprisal for w in sent.words if w.kind != "symbol"]
    assert col["s_mean_sent"] == pytest.approx(sum(others) / len(others))
    assert col["n_items"] == pytest.approx(math.log2(len(others)))


def test_an_emoji_between_two_flagged_words_does_not_break_their_span(det: Detector) -> None:
    text = "The zzfoo 🎉 zzbar came."
    res = run(text, det)
    assert [sp.text for sp in res.spans if sp.source == "lm"] == ["zzfoo 🎉 zzbar"]


# ---------------------------------------------------------------- decomposed accents (NFD)

#: accented French and English, with rules, French left in, a calque, a false friend
ACCENTED = [
    ("Les gens sont là. The café served crème brûlée to the naïve guests.", None),
    ("Selon le ministère, la réunion aura lieu à Montréal le 5 mai.", None),
    ("The Élysée said the développement was très important, « voilà » .", None),
    ("É. Macron agreed. Il y a des problèmes dans le système à Orléans.", None),
    ("Mme Hélène Dupré said it costs 3,5 € at 14h30 ; since three years.", None),
    ("The party was assisted by the élus of Besançon. Ça coûte cher.", None),
    ("Phở in Hà Nội was served by the naïve protégés of the café.", None),
    (
        "The minister said the réunion will be held in Orléans on 5 June.",
        "Le ministre a déclaré que la réunion aura lieu à Orléans le 5 juin.",
    ),
]


def nfd_doc(text: str, source: str | None, form: str) -> Document:
    """The case in ``form``; its reference is the text itself, composed (as written)."""
    return Document(
        "d",
        unicodedata.normalize(form, text),
        "d.txt",
        source=None if source is None else unicodedata.normalize(form, source),
        reference=text,
    )


def span_key(sp: Span) -> tuple[object, ...]:
    nfc = unicodedata.normalize
    fix = None if sp.suggestion is None else nfc("NFC", sp.suggestion)
    return (sp.start, sp.end, sp.source, sp.severity, sp.score, nfc("NFC", sp.reason), fix)


@pytest.mark.parametrize(("text", "source"), ACCENTED)
def test_decomposed_text_gives_the_composed_spans(
    text: str, source: str | None, det: Detector
) -> None:
    """The whole check layer (segmenter, rule and source checks, the LM's items, their
    features and flags, the probes the LM confirms, the suggested fixes, the reference
    metrics) on a text and on its NFD form: the same sentences, feature rows, metrics and
    spans, through the offset map (a composed character is its decomposed extent), each
    span's text the decomposed text's."""
    nfc_doc = nfd_doc(text, source, "NFC")
    nfd = nfd_doc(text, source, "NFD")
    assert nfd.text != nfc_doc.text
    mapped = nfc_map(nfd.text)
    assert mapped is not None and mapped[0] == nfc_doc.text
    _, starts, ends = mapped

    def to_nfd(a: int, b: int) -> tuple[int, int]:
        return starts[a], ends[b - 1]

    loud = frozenset({"assisted"})
    got = {}
    for form, doc in (("NFC", nfc_doc), ("NFD", nfd)):
        [res] = check_documents([doc], FakeScorer(loud=loud), det, edit_budget=8)
        got[form] = res
    want, seen = got["NFC"], got["NFD"]
    assert [to_nfd(s.start, s.end) for s in want.sentences] == [
        (s.start, s.end) for s in seen.sentences
    ]
    assert [s.rows for s in seen.sentences] == [s.rows for s in want.sentences]
    assert [s.metrics for s in seen.sentences] == [s.metrics for s in want.sentences]
    assert seen.metrics == want.metrics
    assert want.spans, "the case should flag something"
    expected = [
        span_key(replace(sp, **dict(zip(("start", "end"), to_nfd(sp.start, sp.end)))))
        for sp in want.spans
    ]
    assert [span_key(sp) for sp in seen.spans] == expected
    assert_whole(nfd.text, seen.spans)


def test_a_decomposed_accent_is_never_a_word_boundary() -> None:
    """On NFD ``brûlée``, ``\\ble\\b`` found the French article ``le``: the rule checks
    read NFC now, and an accent is no longer cut off the span it ends (``sont là``)."""
    text = unicodedata.normalize("NFD", "Les gens sont là. The café served crème brûlée.")
    spans = target_spans(Sentence("d", 1, 0, len(text), text))
    assert [(sp.text, sp.source) for sp in spans] == [
        ("Les", "rule:untranslated-french"),
        (unicodedata.normalize("NFD", "sont là"), "rule:untranslated-french"),
    ]


def test_a_decomposed_glossary_term_finds_both_forms() -> None:
    """A glossary read from a file in NFD finds its term in composed and decomposed text."""
    from mtqa.checks.glossary import Entry, Glossary, GlossaryForbidden, Term

    forbidden = Term.of(unicodedata.normalize("NFD", "réunion"))
    check = GlossaryForbidden(Glossary("g.csv", (Entry((), (Term.of("meeting"),), (forbidden,)),)))
    for form in ("NFC", "NFD"):
        text = unicodedata.normalize(form, "The réunion starts.")
        [sp] = check.check(text)
        assert sp.text == text[4 : len(text) - len(" starts.")]
        assert sp.suggestion == "meeting"


# ---------------------------------------------------------------- U+FFFD


def test_a_replacement_character_is_flagged_major_over_its_word(det: Detector) -> None:
    """U+FFFD means a character was lost: a major span over the word it sits in, with the
    character and the likely cause named; the pieces of the word are not judged as words."""
    text = "The caf\ufffd opened in Montr\ufffdal. Le d\ufffdput\ufffd est arriv\ufffd."
    res = run(text, det)
    lost = [sp for sp in res.spans if sp.source == "rule:replacement-char"]
    assert [sp.text for sp in lost] == [
        "caf\ufffd",
        "Montr\ufffdal",
        "d\ufffdput\ufffd",
        "arriv\ufffd",
    ]
    assert all(sp.severity == "major" and sp.suggestion is None for sp in lost)
    assert "U+FFFD" in lost[0].reason and "decoded" in lost[0].reason
    assert "2 replacement characters" in lost[2].reason
    inside = [
        sp
        for sp in res.spans
        if sp.source.startswith("rule:") and sp not in lost
        for a in lost
        if a.start <= sp.start and sp.end <= a.end
    ]
    assert not inside  # no spelling span on "arriv"
    assert_whole(text, res.spans)


def test_replacement_char_is_selectable(det: Detector) -> None:
    from mtqa.selection import Selection, check_ids

    assert "rule:replacement-char" in check_ids()
    text = "The caf\ufffd opened."
    scorer = FakeScorer()
    [tokens] = scorer.score([text])
    doc = Document("d", text, "d.txt")
    kept = analyse(doc, tokens, det, selection=Selection(ignore=("replacement-char",)))
    assert not [sp for sp in kept.spans if sp.source == "rule:replacement-char"]
    only = analyse(doc, tokens, det, selection=Selection(select=("replacement",)))
    assert [sp.text for sp in only.spans] == ["caf\ufffd"]


def test_bytes_replaced_on_reading_are_flagged(tmp_path: Path, fake_calibration: Path) -> None:
    """Latin-1 read with --encoding-errors replace: each bad byte is U+FFFD, each word
    holding one is flagged, offsets index the text as read."""
    import json

    from mtqa.lm.fake import FakeScorer as Fake
    from mtqa.pipeline import run_check
    from mtqa.settings import Settings

    path = tmp_path / "latin1.txt"
    path.write_bytes("The café opened in Montréal.\n".encode("latin-1"))
    settings = Settings(model="fake", calibration=str(fake_calibration), encoding_errors="replace")
    run_check([str(path)], settings, tmp_path / "out", lambda s: Fake())
    [rec] = [json.loads(x) for x in (tmp_path / "out" / "segments.jsonl").open(encoding="utf-8")]
    lost = [sp for sp in rec["spans"] if sp["source"] == "rule:replacement-char"]
    assert [sp["text"] for sp in lost] == ["caf\ufffd", "Montr\ufffdal"]
    assert all(rec["text"][sp["start"] : sp["end"]] == sp["text"] for sp in lost)
