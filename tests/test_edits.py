"""Candidate edits (mtqa/edits.py): exact variants and offsets on fixed sentences."""

from __future__ import annotations

import pytest

from mtqa.align import align
from mtqa.edits import Edit, candidate_edits, match_case, spelling_neighbours
from mtqa.lm.fake import FakeScorer


def words_of(text: str):  # type: ignore[no-untyped-def]
    return align(text, FakeScorer().score([text])[0], 0, len(text))


def variants(
    text: str, focus: list[int], lm: dict[int, list[str]] | None = None
) -> list[tuple[str, str]]:
    ws = words_of(text)
    return [
        (e.kind, e.apply(text, 0, len(text)))
        for e in candidate_edits(text, (0, len(text)), ws, focus, lm)
    ]


def test_word_edits_in_order() -> None:
    text = "They accused him of massaging troops."
    got = variants(text, [4], {4: ["amassing", "Massaging", "sending"]})
    assert got == [
        ("replace", "They accused him of amassing troops."),
        ("replace", "They accused him of sending troops."),
        ("spell", "They accused him of messaging troops."),
        ("spell", "They accused him of managing troops."),
        ("delete", "They accused him of troops."),
        ("swap", "They accused him of troops massaging."),
        ("insert", "They accused him of the massaging troops."),
        ("insert", "They accused him of a massaging troops."),
        ("insert", "They accused him of to massaging troops."),
        ("insert", "They accused him of has massaging troops."),
        ("insert", "They accused him of is massaging troops."),
        ("insert", "They accused him of that massaging troops."),
    ]


def test_join_and_split_at_a_full_stop() -> None:
    text = "the conflict in the United States. is rebel"
    got = [v for v in variants(text, [7]) if v[0] in ("join", "split")]
    assert got == [
        ("join", "the conflict in the United States is rebel"),
        ("split", "the conflict in the United States. Is rebel"),
    ]


def test_calque_rewrites_anywhere_in_the_sentence() -> None:
    text = "He has lived here since three years, at the moment where it began."
    got = [v for v in variants(text, []) if v[0] == "calque"]
    assert got == [
        ("calque", "He has lived here for three years, at the moment where it began."),
        ("calque", "He has lived here since three years, when it began."),
    ]


def test_edits_stay_inside_the_sentence_and_replace_exact_offsets() -> None:
    doc = "First one here. Then «the the» sentence. Last."
    lo, hi = 16, 40
    assert doc[lo:hi] == "Then «the the» sentence."
    toks = FakeScorer().score([doc])[0]
    ws = align(doc, toks, lo, hi)
    edits = candidate_edits(doc, (lo, hi), ws, list(range(len(ws))))
    assert edits
    for e in edits:
        assert lo <= e.start <= e.end <= hi
        assert e.apply(doc, lo, hi) == doc[lo : e.start] + e.replacement + doc[e.end : hi]
        assert e.apply(doc, lo, hi) != doc[lo:hi]
    assert "Then «the» sentence." in {e.apply(doc, lo, hi) for e in edits}
    assert len({e.apply(doc, lo, hi) for e in edits}) == len(edits)  # no duplicate variants


def test_unicode_and_quotes_survive() -> None:
    text = "« Il a dit » : l’équipe est prête."
    for kind, v in variants(text, list(range(6))):
        assert "«" in v or kind == "delete"
        assert "’" in v or kind in ("delete", "replace", "spell")


@pytest.mark.parametrize(
    ("word", "model", "expected"),
    [
        ("massing", "massaging", "massing"),
        ("massing", "Massaging", "Massing"),
        ("nato", "EU", "NATO"),
    ],
)
def test_match_case(word: str, model: str, expected: str) -> None:
    assert match_case(word, model) == expected


def test_spelling_neighbours_are_common_words_nearby() -> None:
    assert spelling_neighbours("insupports") == ("supports",)
    assert "massaging" not in spelling_neighbours("massaging")
    assert spelling_neighbours("zzzzzzzz") == ()


def test_edit_is_frozen_and_insertion_is_empty_span() -> None:
    e = Edit(3, 3, "the ", "insert", 1)
    assert e.apply("in house", 0, 8) == "in the house"


def test_a_number_is_never_deleted_unless_doubled() -> None:
    """A newcomer's invoice, `totals USD 1,250.00 incl. VAT.`, got the LM fix "delete
    '1,250.00'" (+9.4 bits) and an address `221B Baker Street` "delete '221B'": a sentence
    without a number is always likelier, but a number carries the source's content, so no
    deletion is its fix. A number repeated right after itself is a doubled word."""
    text = "The invoice totals USD 1,250.00 incl. VAT."
    ws = words_of(text)
    i = next(k for k, w in enumerate(ws) if w.text == "1,250.00")
    assert ws[i].kind == "number"
    assert [v for v in variants(text, [i]) if v[0] == "delete"] == []
    text = "It opens on 12 12 May in 221B Baker Street."
    ws = words_of(text)
    second, house = (k for k, w in enumerate(ws) if w.text in ("12", "221B") and k > 3)
    assert [v for v in variants(text, [second]) if v[0] == "delete"] == [
        ("delete", "It opens on 12 May in 221B Baker Street.")
    ]
    assert [v for v in variants(text, [house]) if v[0] == "delete"] == []
