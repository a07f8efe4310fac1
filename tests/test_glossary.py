"""The glossary checks (mtqa.checks.glossary): loading CSV/TBX, matching, spans."""

from __future__ import annotations

from pathlib import Path

import pytest

from mtqa.checks.glossary import (
    Entry,
    Glossary,
    Term,
    glossary_checks,
    glossary_spans,
    load_glossary,
    term_pattern,
)
from mtqa.errors import InputError

TBX = """<?xml version="1.0" encoding="UTF-8"?>
<martif type="TBX" xml:lang="fr">
<martifHeader><fileDesc><sourceDesc><p>mtqa test</p></sourceDesc></fileDesc></martifHeader>
<text><body>
<termEntry id="c1">
  <langSet xml:lang="fr"><tig><term>accord sur le Brexit</term></tig></langSet>
  <langSet xml:lang="en">
    <tig><term>Brexit deal</term></tig>
    <tig><term>Brexit agreement</term>
      <termNote type="administrativeStatus">deprecatedTerm-admn-sts</termNote></tig>
  </langSet>
</termEntry>
<termEntry id="c2">
  <langSet xml:lang="en">
    <tig><term>withdrawal agreement</term></tig>
    <tig><term>exit treaty</term>
      <termNote type="administrativeStatus">supersededTerm-admn-sts</termNote></tig>
  </langSet>
  <langSet xml:lang="fr"><tig><term>accord de retrait</term></tig></langSet>
</termEntry>
<termEntry id="c3">
  <langSet xml:lang="fr"><tig><term>douane</term></tig></langSet>
</termEntry>
</body></text></martif>
"""

CSV = """source,target,forbidden
# a comment row
accord sur le Brexit,Brexit deal,
accord sur le Brexit,Brexit agreement,yes

politique,policy,0
politique,policies and rules,
,US,1
"backstop, le",backstop,
"""


def write(tmp_path: Path, name: str, text: str) -> str:
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return str(p)


def texts(terms: tuple[Term, ...]) -> list[str]:
    return [t.text for t in terms]


def test_csv_rows_group_into_entries(tmp_path):
    g = load_glossary(write(tmp_path, "g.csv", CSV))
    got = [(texts(e.sources), texts(e.required), texts(e.forbidden), e.line) for e in g.entries]
    assert got == [
        (["accord sur le Brexit"], ["Brexit deal"], ["Brexit agreement"], 3),
        (["politique"], ["policy", "policies and rules"], [], 6),
        ([], [], ["US"], 8),
        (["backstop, le"], ["backstop"], [], 9),
    ]


def test_csv_header_is_optional(tmp_path):
    g = load_glossary(write(tmp_path, "g.csv", "accord,deal\r\nSource,Target\r\n"))
    # only a first row reading source,target is a header: later it is a term pair
    assert [(texts(e.sources), texts(e.required)) for e in g.entries] == [
        (["accord"], ["deal"]),
        (["Source"], ["Target"]),
    ]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("a,b,1,x\n", "g.csv:1: expected 2 or 3 columns (source,target[,forbidden]), found 4"),
        ("a\n", "g.csv:1: expected 2 or 3 columns"),
        (
            "source,target\na,b,maybe\n",
            "g.csv:2: forbidden must be 1/yes/true/x or 0/no/false/empty, got 'maybe'",
        ),
        ("a, ,\n", "g.csv:1: empty target term; fill it or drop the row"),
        (",b,no\n", "g.csv:1: a required term needs its source term"),
        ("source,target\n# nothing\n", "g.csv: no glossary entries found"),
    ],
)
def test_csv_errors_name_the_line_and_the_fix(tmp_path, content, message):
    with pytest.raises(InputError) as exc:
        load_glossary(write(tmp_path, "g.csv", content))
    assert str(exc.value).startswith(f"{tmp_path}/{message}")


def test_csv_bad_utf8_and_unknown_suffix(tmp_path):
    p = tmp_path / "g.csv"
    p.write_bytes(b"a,caf\xe9\n")
    with pytest.raises(
        InputError, match=r"g\.csv:1: invalid UTF-8 at byte 5 \(0xe9\); save the glossary as UTF-8"
    ):
        load_glossary(str(p))
    with pytest.raises(
        InputError, match=r"unsupported glossary type '\.xlsx' \(glossary\); use \.tbx or \.csv"
    ):
        load_glossary(str(tmp_path / "g.xlsx"))
    with pytest.raises(InputError, match=r"no such file \(glossary\); check the path"):
        load_glossary(str(tmp_path / "missing.csv"))


def test_tbx_through_translate_toolkit(tmp_path):
    g = load_glossary(write(tmp_path, "g.tbx", TBX))
    got = [(texts(e.sources), texts(e.required), texts(e.forbidden), e.line) for e in g.entries]
    assert got == [  # c3 has no English term: nothing to check
        (["accord sur le Brexit"], ["Brexit deal"], ["Brexit agreement"], 5),
        (["accord de retrait"], ["withdrawal agreement"], ["exit treaty"], 13),
    ]
    swapped = load_glossary(str(tmp_path / "g.tbx"), source_lang="en", target_lang="fr")
    assert texts(swapped.entries[0].sources) == ["Brexit deal", "Brexit agreement"]
    assert texts(swapped.entries[0].required) == ["accord sur le Brexit"]


def test_tbx_errors(tmp_path):
    with pytest.raises(InputError, match=r"g\.tbx:\d+: not well-formed XML"):
        load_glossary(write(tmp_path, "g.tbx", TBX[:300]))
    with pytest.raises(InputError, match=r"not a TBX \(martif\) glossary"):
        load_glossary(write(tmp_path, "h.tbx", "<tbx/>"))


@pytest.mark.parametrize(
    ("term", "text", "found"),
    [
        ("Brexit deal", "the Brexit deal was signed", "Brexit deal"),
        ("Brexit deal", "two brexit DEALS", "brexit DEALS"),
        ("Brexit deal", "the Brexit deal's terms", "Brexit deal's"),
        ("Brexit deal", "the Brexit deal’s terms", "Brexit deal’s"),
        ("Brexit deal", "the Brexit\n  deal", "Brexit\n  deal"),
        ("policy", "new policies", "policies"),
        ("bus", "two buses", "buses"),
        ("day", "two days", "days"),
        ("deal", "an ideal dealer", None),
        ("deal", "deal2", None),
        ("EU", "the EU's rules", "EU's"),
        ("EU", "eu", None),
        ("US", "let us go", None),
        ("iPhone", "two iPhones", "iPhones"),
        ("C++", "C++ code", "C++"),
    ],
)
def test_term_matching_tolerates_case_and_simple_inflection(term, text, found):
    m = term_pattern(term).search(text)
    assert (m.group(0) if m else None) == found


def glossary() -> Glossary:
    return Glossary(
        "g.csv",
        (
            Entry(
                (Term.of("accord sur le Brexit"),),
                (Term.of("Brexit deal"),),
                (Term.of("Brexit agreement"),),
            ),
            Entry((), (), (Term.of("agreement"),)),
            Entry((Term.of("douane"),), (Term.of("customs"), Term.of("border checks")), ()),
        ),
    )


def test_missing_term_flags_the_sentence():
    text = "  The agreement on Brexit was signed.\n"
    spans = glossary_spans(text, 100, "L'accord sur le Brexit a été signé.", glossary())
    missing = [s for s in spans if s.source == "rule:glossary-missing"]
    assert [(s.start, s.end, s.text, s.severity) for s in missing] == [
        (102, 137, "The agreement on Brexit was signed.", "minor")
    ]
    assert missing[0].reason == "glossary: 'Brexit deal' should be used for 'accord sur le Brexit'"
    # alternatives: any one satisfies the entry
    assert glossary_spans("New border checks.", 0, "La douane.", glossary()) == []
    spans = glossary_spans("Nothing.", 0, "Les douanes.", glossary())
    assert [s.reason for s in spans] == [
        "glossary: 'customs' or 'border checks' should be used for 'douane'"
    ]


def test_required_term_present_or_no_source_means_no_missing_flag():
    assert (
        glossary_spans("The Brexit deals were signed.", 0, "Les accords sur le Brexit.", glossary())
        == []
    )
    assert glossary_spans("Nothing here.", 0, None, glossary()) == []
    assert glossary_spans("   ", 0, "accord sur le Brexit", glossary()) == []  # no text to flag


def test_forbidden_terms_without_a_source():
    text = "The Brexit agreements and the trade agreement."
    spans = glossary_spans(text, 10, None, glossary())
    assert [(s.start - 10, s.end - 10, s.text, s.severity, s.source) for s in spans] == [
        (4, 21, "Brexit agreements", "major", "rule:glossary-forbidden"),  # the longer match wins
        (36, 45, "agreement", "major", "rule:glossary-forbidden"),
    ]
    assert spans[0].reason == (
        "glossary: 'Brexit agreement' is forbidden; use 'Brexit deal' (for 'accord sur le Brexit')"
    )
    assert spans[1].reason == "glossary: 'agreement' is forbidden"
    # the fix: the approved term (in the plural where the forbidden one matched so); none
    # where the glossary names no replacement
    assert [s.suggestion for s in spans] == ["Brexit deals", None]


def test_forbidden_inside_a_required_term_is_not_flagged():
    g = Glossary(
        "g",
        (
            Entry((Term.of("accord"),), (Term.of("Brexit deal"),), ()),
            Entry((), (), (Term.of("deal"),)),
        ),
    )
    assert glossary_spans("The Brexit deal, a deal.", 0, None, g)[0].text == "deal"
    assert [s.start for s in glossary_spans("The Brexit deal, a deal.", 0, None, g)] == [19]


def test_spans_are_exact_slices_and_ids_are_the_checks():
    g = glossary()
    texts_ = ["Brexit agreement.", " x agreement y ", "Un accord sur le Brexit.", "AGREEMENTS"]
    for t in texts_:
        for s in glossary_spans(t, 7, "accord sur le Brexit, douane", g):
            assert s.end > s.start and t[s.start - 7 : s.end - 7] == s.text
    assert [c.id for c in glossary_checks(g)] == ["glossary-missing", "glossary-forbidden"]


# --- wired into the document checks (mtqa.checks.document) ---------------------------------


def test_document_checks_run_the_glossary_per_sentence_and_unit(tmp_path):
    from mtqa.checks.document import source_checks, target_spans
    from mtqa.records import Document
    from mtqa.segment import segment

    g = load_glossary(write(tmp_path, "g.csv", CSV))
    target = "The Brexit agreement was signed. The policy is new."
    source = "L'accord sur le Brexit a été signé. La politique est nouvelle."
    doc = Document("d", target, "x.jsonl", source=source)
    sents = segment(doc)
    first = target_spans(sents[0], glossary=g)
    assert [(s.text, s.source, s.severity) for s in first if "glossary" in s.source] == [
        ("Brexit agreement", "rule:glossary-forbidden", "major")
    ]
    assert not any("glossary" in s.source for s in target_spans(sents[0]))  # none given
    rep = source_checks(doc, sents, glossary=g)
    missing = [s for s in rep.spans[0] if s.source == "rule:glossary-missing"]
    assert [(s.text, s.reason) for s in missing] == [
        (sents[0].text, "glossary: 'Brexit deal' should be used for 'accord sur le Brexit'")
    ]
    assert not any(s.source.startswith("rule:glossary") for s in rep.spans[1])  # "policy" is there
    assert not any("glossary" in s.source for s in source_checks(doc, sents).spans[0])


def test_glossary_flag_over_a_multi_sentence_unit_becomes_a_note(tmp_path):
    from mtqa.checks.document import source_checks
    from mtqa.records import Document
    from mtqa.segment import segment

    g = load_glossary(write(tmp_path, "g.csv", CSV))
    doc = Document(
        "d", "Talks went on. They ended.", "x.jsonl", source="La politique a duré longtemps."
    )
    rep = source_checks(doc, segment(doc), glossary=g)
    assert any(
        n.startswith(
            "rule:glossary-missing (the whole segment): glossary: 'policy' or "
            "'policies and rules' should be used for 'politique'"
        )
        for n in rep.notes
    ), rep.notes


def test_glossary_setting_and_flag():
    from mtqa.cli import build_parser, settings_from_args
    from mtqa.settings import Settings

    a = build_parser().parse_args(["check", "in.txt", "--glossary", "terms.csv"])
    s = settings_from_args(a)
    assert s.glossary == "terms.csv"
    assert s.scoring_key()["glossary"] == "terms.csv"  # another glossary: no resume
    assert Settings().glossary is None


@pytest.mark.parametrize(
    ("content", "message"),
    [  # a quote never closed swallowed every later row into one term, silently
        (
            'source,target\nministre,"minister\ncheval,horse\n',
            "g.csv:2: a quoted term is not closed",
        ),
        ('source,target\nministre,"minister" x\n', "g.csv:2: not valid CSV"),
        ('source,target\nministre,"minister\nof state"\n', "g.csv:2: a term holds a line break"),
        # required and forbidden at once: the forbidden row could never fire
        (
            "source,target,forbidden\nministre,minister,\nministre,Minister,yes\n",
            "g.csv:3: target term 'Minister' is forbidden here but required at line 2",
        ),
        (
            "source,target,forbidden\nministre,minister,\n,minister,yes\n",
            "g.csv:3: target term 'minister' is forbidden",
        ),
        ("target,forbidden\nminister,\n", "g.csv:1: header has no 'source' column"),
        ("source,target,source\na,b,c\n", "g.csv:1: header names the column 'source' twice"),
        (
            "source,target,forbidden,notes\na,b,,c,d\n",
            "g.csv:2: expected 4 columns as in the header, found 5",
        ),
    ],
)
def test_csv_faults_that_were_read_silently(tmp_path, content, message):
    with pytest.raises(InputError) as exc:
        load_glossary(write(tmp_path, "g.csv", content))
    assert str(exc.value).startswith(f"{tmp_path}/{message}")


def test_csv_header_names_its_columns_in_any_order(tmp_path):
    g = load_glossary(write(tmp_path, "g.csv", "Target,Source,notes\nminister,ministre,a note\n"))
    assert [(texts(e.sources), texts(e.required)) for e in g.entries] == [
        (["ministre"], ["minister"])
    ]
    g = load_glossary(write(tmp_path, "h.csv", "forbidden,target,source\nyes,secretary,\n"))
    assert [(texts(e.sources), texts(e.forbidden)) for e in g.entries] == [([], ["secretary"])]


def test_glossary_path_that_is_a_folder(tmp_path):
    with pytest.raises(
        InputError, match=r"is a folder, not a glossary \(glossary\); pass a .csv or .tbx file"
    ):
        load_glossary(str(tmp_path))


TBX_VARIANTS = """<?xml version="1.0" encoding="UTF-8"?>
<martif type="TBX" xml:lang="fr"><text><body>
<termEntry id="1">
 <langSet xml:lang="fr-FR"><tig><term>cheval</term></tig></langSet>
 <langSet xml:lang="en-GB"><tig><term>horse</term></tig></langSet>
</termEntry>
<termEntry id="2">
 <langSet xml:lang="fr"><ntig><termGrp><term>ministre</term></termGrp></ntig></langSet>
 <langSet xml:lang="en"><ntig><termGrp><term>minister</term></termGrp></ntig>
  <ntig><termGrp><term>secretary</term>
   <termNote type="administrativeStatus">deprecatedTerm-admn-sts</termNote></termGrp></ntig>
 </langSet>
</termEntry>
</body></text></martif>
"""


def test_tbx_region_subtags_and_ntig_terms_are_read(tmp_path):
    """fr-FR/en-GB langSets and <ntig> terms were skipped: the entries were silently lost."""
    g = load_glossary(write(tmp_path, "g.tbx", TBX_VARIANTS))
    got = [(texts(e.sources), texts(e.required), texts(e.forbidden), e.line) for e in g.entries]
    assert got == [
        (["cheval"], ["horse"], [], 3),
        (["ministre"], ["minister"], ["secretary"], 7),
    ]


def test_tbx_term_both_required_and_forbidden(tmp_path):
    tbx = TBX_VARIANTS.replace("<term>horse</term>", "<term>secretary</term>")
    with pytest.raises(InputError, match=r"g\.tbx:7: target term 'secretary' is forbidden here"):
        load_glossary(write(tmp_path, "g.tbx", tbx))


@pytest.mark.parametrize(
    ("term", "source"),
    [  # a source term in the plural went unmatched: glossary-missing stayed silent
        ("accord sur le Brexit", "Les accords sur le Brexit ont été signés."),
        ("cheval", "Les chevaux courent."),
        ("travail", "Les travaux reprennent."),
        ("pomme de terre", "Des pommes de terre."),
        ("accord général", "Les accords généraux."),
        ("État membre", "Les États membres ont voté."),
    ],
)
def test_source_terms_match_in_the_plural(term, source):
    e = Entry((Term.of(term),), (Term.of("required"),), ())
    spans = glossary_spans("The text.", 0, source, Glossary("g.csv", (e,)))
    assert [s.source for s in spans] == ["rule:glossary-missing"]
    assert term_pattern(term, source=True).search(source)
    assert not term_pattern(term, source=True).search("Le chevalier court.")
