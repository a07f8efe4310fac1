"""XLIFF 1.2/2.0, PO and TMX in and out (mtqa.io), on real files (tests/data/cat/README.md)."""

from __future__ import annotations

import difflib
import re
from pathlib import Path

import pytest
from lxml import etree

from mtqa.errors import InputError
from mtqa.io import po as po_io
from mtqa.io import reader_for, writer_for
from mtqa.io import tmx as tmx_io
from mtqa.io import xliff as xliff_io
from mtqa.io.base import Flag, Skipped, UnitFlags, note_lines
from mtqa.io.inline import TaggedText, escape_text, flatten, serialise
from mtqa.records import Document, Failure

CAT = Path(__file__).parent / "data" / "cat"
XML_FILES = [
    "RB-12-Test02.xlf",
    "about_the.htm.xlf",
    "Test_Context_and_PH.xlf",
    "comprehensive_data_input.xlf",
    "test01.xlf",
    "sampleTMX2.tmx",
    "Paragraph_TM.tmx",
    "a_small_test.tmx",
]


def docs(module, name: str, **kw) -> list:
    """A test file's items, read in any language (the Okapi samples translate into French)."""
    kw.setdefault("target_lang", None)
    return list(module.read_documents(str(CAT / name), Path(name).stem, **kw))


def docs_of(module, path: Path, **kw) -> list:
    return list(module.read_documents(str(path), path.stem, **kw))


def by_kind(items: list) -> tuple[dict[str, Document], list[Skipped], list[Failure]]:
    d = {x.doc_id: x for x in items if isinstance(x, Document)}
    return (
        d,
        [x for x in items if isinstance(x, Skipped)],
        [x for x in items if isinstance(x, Failure)],
    )


def flag(text: str, plain: str, severity: str = "major", reason: str = "a reason") -> Flag:
    start = plain.index(text)
    return Flag(start, start + len(text), text, severity, reason, "better")  # type: ignore[arg-type]


# ---- reading ---------------------------------------------------------------------------------


def test_xliff12_g_and_x_are_stripped_from_the_text():
    d, skipped, failed = by_kind(docs(xliff_io, "RB-12-Test02.xlf"))
    assert {k: v.text for k, v in d.items()} == {
        "RB-12-Test02#1": "Text attribute",
        "RB-12-Test02#2": "Paragraph.",
        "RB-12-Test02#3": "Paragraph 2",
        "RB-12-Test02#4": "Text with code and bold.",
        "RB-12-Test02#5": "Text of the footnote",
        "RB-12-Test02#6": "Text with a footnote and more text",
        "RB-12-Test02#7": "Text with and more text.",  # <x/> between spaces: no double space
    }
    assert d["RB-12-Test02#4"].source == "Text with code and bold."
    assert d["RB-12-Test02#4"].line == 20
    assert [(s.doc_id, s.line, s.reason) for s in skipped] == [
        ("RB-12-Test02#11", 37, "untranslated: no target"),
        ("RB-12-Test02#11withWarning", 44, "untranslated: no target"),
    ]
    assert failed == []


def test_xliff12_native_code_in_ph_bpt_ept_is_not_text():
    # MadCap Lingo's export: every target is a copy of the source in state="needs-translation"
    d, skipped, _ = by_kind(docs(xliff_io, "about_the.htm.xlf"))
    assert d == {}
    assert [(s.doc_id, s.reason) for s in skipped] == [
        ("about_the.htm#1", 'marked translate="no"'),
        *[
            (f"about_the.htm#{i}", 'not translated yet: state="needs-translation"')
            for i in range(2, 8)
        ],
    ]
    units = xliff_io.read_units(str(CAT / "about_the.htm.xlf"), target_lang=None)
    text = {u.key: u.target.plain for u in units if u.target is not None}
    assert text["2"] == "About the "
    assert text["5"] == 'See "About SirsiDynix "'
    assert text["7"] == 'See "About the Agent"'
    assert text["3"].startswith(
        "The is the tool that allows you to configure the interface. The use of the is"
    )  # two <mrk mtype="seg"> segments: their boundary reads as a space
    # the text between <bpt> and <ept> is text (escaped in the file), the codes are not
    assert "<is there a default admin account with default admin credentials?>" in text["3"]
    for t in text.values():
        assert "MadCap" not in t and "&lt;" not in t


def test_xliff12_empty_targets_are_skipped_with_a_reason():
    d, skipped, failed = by_kind(docs(xliff_io, "Test_Context_and_PH.xlf"))
    assert d == {} and failed == []
    assert [(s.doc_id, s.reason) for s in skipped] == [
        ("Test_Context_and_PH#654022", "untranslated: empty target"),
        ("Test_Context_and_PH#654019", "untranslated: empty target"),
        ("Test_Context_and_PH#text.txt-1", "untranslated: no target"),
    ]
    units = xliff_io.read_units(str(CAT / "Test_Context_and_PH.xlf"), target_lang=None)
    assert units[0].notes == ("trans unit note 1",)  # not the <alt-trans> note
    assert units[0].source is not None
    assert units[0].source.plain.endswith("Actual : , Expected : ")
    assert str(skipped[0]) == (
        f"{CAT / 'Test_Context_and_PH.xlf'}:19: unit 'Test_Context_and_PH#654022' skipped: "
        "untranslated: empty target"
    )


def test_xliff20_segments_files_and_inherited_translate():
    d, skipped, _ = by_kind(docs(xliff_io, "comprehensive_data_input.xlf"))
    p = "comprehensive_data_input#"
    assert {k: v.text for k, v in d.items()} == {
        p + "f2/8::1239bca": "Certaines sources informations.",
        p + "f2/8::segment-3": "Texte qui sera traduit.",
        p + "f2/8::segment-4": "Common ocean birds are Brandt's Cormorant,\n       Double-crested "
        "Cormorant, Pelagic Cormorant, Pigeon\n       Guillemot, and Tufted Puffin.",
    }
    assert d[p + "f2/8::1239bca"].source == "Some source information."
    assert [(s.doc_id, s.reason) for s in skipped] == [
        (p + "f1/22::abc", 'marked translate="no"'),  # inherited from <file translate="no">
        (p + "f2/8::segment-2", "untranslated: no target"),
    ]
    units = {
        u.key: u
        for u in xliff_io.read_units(str(CAT / "comprehensive_data_input.xlf"), target_lang=None)
    }
    assert units["f2/8::1239bca"].state == "final"
    assert units["f2/8::1239bca"].notes == (
        "Note #1 for file 2, unit 1",
        "Note #2 for file 2, unit 1",
    )

    d2, skipped2, _ = by_kind(docs(xliff_io, "test01.xlf"))
    assert {k: v.text for k, v in d2.items()} == {  # unit translate="yes" beats file "no"
        "test01#tu1::1": "Exemple de segment.",
        "test01#tu1::2": "Contenu du segment.",
    }
    assert [s.doc_id for s in skipped2] == ["test01#tu3::1", "test01#tu3end::1", "test01#tu2::s1"]


def test_po_entries_fuzzy_plural_and_untranslated():
    d, skipped, failed = by_kind(docs(po_io, "AllCasesTest.po"))
    assert {k: v.text for k, v in d.items()} == {
        "AllCasesTest:20": "%1s %2s",
        "AllCasesTest:25": "Texte avec une traducion approuvée %s",
        "AllCasesTest:28": "Text avec une traduction non-approuvée %s",
        "AllCasesTest:32": "Deuxième phrase d'abord avec %s. Puis la première.",
        "AllCasesTest:36": "Text 2 avec une traduction non-approuvée %s",
        "AllCasesTest:47": "Characters spéciaux : \"=quot, &=amp, <=lt, >=gt, '=apos, Ą=U+0104",
        "AllCasesTest:50": "%d fichier\n%d fichiers",
        "AllCasesTest:55": "Encore %d fichier à détruire\nEncore %d fichiers à détruire",
    }
    assert d["AllCasesTest:50"].source == "%d file\n%d files"
    assert [(s.doc_id, s.reason) for s in skipped] == [
        ("AllCasesTest:41", "untranslated: empty target"),
        ("AllCasesTest:61", "untranslated: empty target"),
        ("AllCasesTest:66", "untranslated: empty target"),
    ]
    assert failed == []
    states = {u.line: u.state for u in po_io.read_units(str(CAT / "AllCasesTest.po"))}
    assert states[28] == states[36] == states[55] == "fuzzy"
    assert states[25] == "translated" and states[41] == "untranslated"


def test_tmx_source_and_target_languages():
    # the Okapi samples translate English into French: read in any language (target_lang=None)
    d, skipped, _ = by_kind(docs(tmx_io, "sampleTMX2.tmx", target_lang=None))
    assert {k: (v.source, v.text) for k, v in d.items()} == {
        "sampleTMX2#0001": (
            "data (with a non-standard character: \uf8ff).",
            "données (avec un caractère non standard: \uf8ff).",
        ),
        "sampleTMX2#0002": ("menu", "menu"),
    }
    assert skipped == []
    d_fr, skipped_fr, _ = by_kind(docs(tmx_io, "sampleTMX2.tmx", target_lang="fr-FR"))
    assert list(d_fr) == ["sampleTMX2#0002"]
    assert [(s.doc_id, s.reason) for s in skipped_fr] == [
        ("sampleTMX2#0001", "no 'fr-FR' <tuv> (languages: en-us, FR-CA)")
    ]
    units = tmx_io.read_units(str(CAT / "sampleTMX2.tmx"), target_lang=None)
    assert units[0].notes == ("Text of a note at the TU level.",)

    d, _, _ = by_kind(docs(tmx_io, "Paragraph_TM.tmx", target_lang=None))
    assert d["Paragraph_TM#ACDetectionCheckFailedAction0"].text == (
        "1. Sicherstellen, AK-Flüssigkeitsdetektor befindet. 2.'Wiederholen' drücken."
    )
    d, _, _ = by_kind(
        docs(tmx_io, "a_small_test.tmx", target_lang=None)
    )  # no tuid: <prefix>:<line>
    assert {k: v.text for k, v in d.items()} == {
        "a_small_test:6": "Du texte avec une portion délimitée."
    }


TMX_HEAD = (
    '<?xml version="1.0" encoding="UTF-8"?>\n<tmx version="1.4"><header creationtool="x" '
    'creationtoolversion="1" segtype="sentence" o-tmf="x" adminlang="en" srclang="{src}" '
    'datatype="plaintext"/>\n<body>\n'
)


def tmx_file(tmp_path: Path, name: str, tus: str, src: str = "fr-FR") -> Path:
    p = tmp_path / name
    p.write_text(TMX_HEAD.format(src=src) + tus + "</body></tmx>\n", encoding="utf-8")
    return p


def tu(attrs: str, *tuvs: tuple[str, str]) -> str:
    body = "".join(f'<tuv xml:lang="{lang}"><seg>{text}</seg></tuv>' for lang, text in tuvs)
    return f"<tu {attrs}>{body}</tu>\n"


def test_tmx_target_is_the_english_tuv_source_the_srclang_one(tmp_path):
    p = tmx_file(
        tmp_path,
        "m.tmx",
        tu('tuid="t1"', ("fr-FR", "Le chat."), ("de-DE", "Die Katze."), ("en-US", "The cat."))
        + tu('tuid="t2"', ("FR-fr", "Le menu."), ("EN", "The menu."))
        + tu('tuid="t3"', ("de", "Der Hund."), ("en_gb", "The dog."), ("fr-FR", "Le chien."))
        + tu('tuid="t4" srclang="en-US"', ("en-US", "English source."), ("fr-FR", "Source."))
        + tu('tuid="t5"', ("fr-FR", "Seulement."), ("es-ES", "Solamente."))
        + tu('tuid="t6" srclang="de"', ("fr", "Le chat."), ("de", "Die Katze."), ("en", "Cat."))
        + tu('tuid="t7" srclang="en"', ("en-US", "The source."), ("en-GB", "The target.")),
    )
    d, skipped, failed = by_kind(docs_of(tmx_io, p))
    assert {k: (v.source, v.text) for k, v in d.items()} == {
        "m#t1": ("Le chat.", "The cat."),  # not the German: the English one
        "m#t2": ("Le menu.", "The menu."),  # any case
        "m#t3": ("Le chien.", "The dog."),  # the header's srclang fr-FR, wherever it is
        "m#t6": ("Die Katze.", "Cat."),  # the <tu>'s srclang beats the header's
        "m#t7": ("The source.", "The target."),  # English into English: the other one
    }
    assert [(s.doc_id, s.line, s.reason) for s in skipped] == [
        ("m#t4", 7, "no English target: the en-US <tuv> is the source"),
        ("m#t5", 8, "no English <tuv> (languages: fr-FR, es-ES)"),
    ]
    assert failed == []
    star = tmx_file(tmp_path, "s.tmx", tu('tuid="1"', ("en", "Cat."), ("fr", "Chat.")), "*all*")
    (doc,) = docs_of(tmx_io, star)
    assert (doc.source, doc.text) == ("Chat.", "Cat.")  # *all*: the first <tuv> but the target


def test_units_without_ids_on_one_line_are_told_apart(tmp_path):
    """A minified TMX (or XLIFF) holds every <tu> on one line: the ids of units without an
    id were all '<prefix>:<line>', so every unit but the first failed as a "duplicate
    message ':2'" and got no annotation. Units without an id sharing a line are now
    '<prefix>:<line>.<n>' (the n-th on that line); a unit alone on its line keeps
    '<prefix>:<line>'."""
    one_line = (
        tu("", ("fr", "Oui."), ("en", "Yes.")).strip()
        + tu("", ("fr", "Non."), ("en", "No.")).strip()
        + tu('tuid="t3"', ("fr", "Peut-être."), ("en", "Maybe."))
    )
    p = tmx_file(tmp_path, "min.tmx", one_line + tu("", ("fr", "Fin."), ("en", "The end.")))
    d, skipped, failed = by_kind(docs_of(tmx_io, p))
    assert failed == [] and skipped == []
    assert {k: v.text for k, v in d.items()} == {
        "min:4.1": "Yes.",
        "min:4.2": "No.",
        "min#t3": "Maybe.",
        "min:5": "The end.",
    }
    out = tmp_path / "out.tmx"
    found = {k: UnitFlags("minor", (Flag(0, 2, v.text[:2], "minor", "x"),)) for k, v in d.items()}
    assert tmx_io.write_flags(str(p), str(out), found, "min") == 4
    assert out.read_text(encoding="utf-8").count("<note>[en] mtqa: minor:") == 4
    from mtqa.report.annotate import infer_prefix  # how a run finds the copy's units

    assert infer_prefix(str(p), d, tmx_io.read_units(str(p))) == "min"
    x12 = tmp_path / "min12.xlf"
    x12.write_text(
        '<?xml version="1.0"?>\n<xliff version="1.2" xmlns="urn:oasis:names:tc:xliff:document:1.2">'
        '<file original="a" source-language="fr" target-language="en" datatype="plaintext"><body>'
        "<trans-unit><source>Oui.</source><target>Yes.</target></trans-unit>"
        "<trans-unit><source>Non.</source><target>No.</target></trans-unit>"
        "</body></file></xliff>\n",
        encoding="utf-8",
    )
    d, skipped, failed = by_kind(docs_of(xliff_io, x12))
    assert failed == [] and {k: v.text for k, v in d.items()} == {
        "min12:2.1": "Yes.",
        "min12:2.2": "No.",
    }


def test_tmx_without_any_english_target_is_an_input_error(tmp_path):
    p = tmx_file(tmp_path, "noen.tmx", tu('tuid="1"', ("fr", "Le chat."), ("de", "Die Katze.")))
    with pytest.raises(InputError) as err:
        tmx_io.read_units(str(p))
    assert str(err.value) == (
        f"{p}: no English target in any <tu> (languages: de, fr); mtqa checks English "
        'translations: give each <tu> a <tuv xml:lang="en"> (or en-*) besides the source'
    )
    en_src = tmx_file(tmp_path, "ensrc.tmx", tu('tuid="1"', ("en", "Cat."), ("fr", "Chat.")), "en")
    with pytest.raises(InputError, match=r"\(English only as the source; languages: en, fr\)"):
        tmx_io.read_units(str(en_src))


def test_registry_by_suffix_and_format():
    assert reader_for(".XLF") is xliff_io and reader_for(".xliff") is xliff_io
    assert reader_for(".po") is po_io and reader_for(".tmx") is tmx_io
    assert reader_for(".txt") is None
    assert writer_for("xliff") is xliff_io and writer_for("po") is po_io


# ---- inline tags: plain text and the map back ------------------------------------------------


XLF12 = (
    '<?xml version="1.0" encoding="UTF-8"?>\n<xliff version="1.2" '
    'xmlns="urn:oasis:names:tc:xliff:document:1.2">\n'
    '<file original="a" source-language="fr" {lang} datatype="plaintext"><body>\n'
    "{units}</body></file>\n</xliff>\n"
)
XLF20 = (
    '<?xml version="1.0" encoding="UTF-8"?>\n<xliff xmlns="urn:oasis:names:tc:xliff:document:2.0" '
    'version="2.0" srcLang="fr" {lang}>\n<file id="f1">\n{units}</file>\n</xliff>\n'
)
TU = '<trans-unit id="{id}"><source>Le chat.</source><target>{target}</target></trans-unit>\n'


def write(tmp_path: Path, name: str, text: str) -> Path:
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


@pytest.mark.parametrize(
    ("name", "text", "expected"),
    [
        (
            "fr.xlf",
            XLF12.format(lang='target-language="fr"', units=TU.format(id=1, target="Le chat.")),
            ":3: the target language is 'fr' (target-language=\"fr\"), not English; ",
        ),
        (
            "two.xlf",  # one <file> of several in French is enough
            XLF12.format(
                lang='target-language="en-GB"', units=TU.format(id=1, target="Cat.")
            ).replace("\n</xliff>\n", "\n")
            + '<file original="b" source-language="fr" target-language="fr-CA" '
            'datatype="plaintext"><body/></file>\n</xliff>\n',
            ":6: the target language is 'fr-CA' (target-language=\"fr-CA\"), not English; ",
        ),
        (
            "v2.xlf",
            XLF20.format(
                lang='trgLang="de"',
                units='<unit id="u1"><segment><source>Le chat.</source><target>Die Katze.'
                "</target></segment></unit>\n",
            ),
            ":2: the target language is 'de' (trgLang=\"de\"), not English; ",
        ),
        (
            "fr.po",
            'msgid ""\nmsgstr ""\n"Language: fr\\n"\n\nmsgid "Cat."\nmsgstr "Chat."\n',
            ":1: the target language is 'fr' (\"Language: fr\" in the header), not English; ",
        ),
    ],
)
def test_files_with_another_target_language_are_refused(tmp_path, name, text, expected):
    p = write(tmp_path, name, text)
    module = reader_for(p.suffix)
    with pytest.raises(InputError) as err:
        module.read_units(str(p))
    assert str(err.value) == (
        f"{p}{expected}mtqa checks English translations: pass the file translated into "
        "English (en or en-*)"
    )
    assert module.read_units(str(p), target_lang=None)  # the format itself reads it


def test_a_target_in_another_language_is_skipped(tmp_path):
    units = TU.format(id=1, target="Cat.") + TU.format(id=2, target="Chat.").replace(
        "<target>", '<target xml:lang="fr-FR">'
    )
    units += TU.format(id=3, target="Dog.").replace("<target>", '<target xml:lang="en-GB">')
    p = write(tmp_path, "l.xlf", XLF12.format(lang="", units=units))
    d, skipped, _ = by_kind(docs_of(xliff_io, p))
    assert list(d) == ["l#1", "l#3"]
    assert [(s.doc_id, s.reason) for s in skipped] == [
        ("l#2", "the target is in 'fr-FR' (xml:lang), not English")
    ]
    v2 = XLF20.format(
        lang='trgLang="en"',
        units='<unit id="u1"><segment><source>Chat.</source><target xml:lang="de">Katze.'
        "</target></segment></unit>\n",
    )
    (item,) = docs_of(xliff_io, write(tmp_path, "v.xlf", v2))
    assert item.reason == "the target is in 'de' (xml:lang), not English"


@pytest.mark.parametrize("module", [xliff_io, tmx_io])
def test_what_translate_toolkit_cannot_read_names_a_fix(tmp_path, monkeypatch, module):
    from translate.storage import tmx, xliff

    def boom(*args, **kw):
        raise ValueError("odd\nfile")

    monkeypatch.setattr(xliff.xlifffile, "parsestring", boom)
    monkeypatch.setattr(tmx.tmxfile, "parsestring", boom)
    if module is xliff_io:
        p = write(tmp_path, "a.xlf", XLF12.format(lang="", units=TU.format(id=1, target="Cat.")))
        what = "XLIFF 1.2 file (odd file); check it against the XLIFF 1.2 schema"
    else:
        p = tmx_file(tmp_path, "a.tmx", tu('tuid="1"', ("fr", "Chat."), ("en", "Cat.")), "fr")
        what = "TMX file (odd file); check it against the TMX 1.4 specification"
    with pytest.raises(InputError) as err:
        module.read_units(str(p))
    assert str(err.value) == (
        f"{p}: translate-toolkit cannot read this {what}, or export it again from its tool"
    )


@pytest.mark.parametrize(
    ("name", "text"),
    [
        (
            "en.xlf",
            XLF12.format(lang='target-language="EN-us"', units=TU.format(id=1, target="Cat.")),
        ),
        ("none.xlf", XLF12.format(lang="", units=TU.format(id=1, target="Cat."))),
        (
            "v2.xlf",
            XLF20.format(
                lang='trgLang="en"',
                units='<unit id="u1"><segment><source>Le chat.</source><target>Cat.'
                "</target></segment></unit>\n",
            ),
        ),
        ("gb.po", 'msgid ""\nmsgstr ""\n"Language: en_GB\\n"\n\nmsgid "Chat."\nmsgstr "Cat."\n'),
        (
            "quot.po",
            'msgid ""\nmsgstr ""\n"Language: en@quot\\n"\n\nmsgid "Chat."\nmsgstr "Cat."\n',
        ),
        ("none.po", 'msgid "Chat."\nmsgstr "Cat."\n'),
    ],
)
def test_english_or_undeclared_targets_are_read(tmp_path, name, text):
    p = write(tmp_path, name, text)
    (doc,) = docs_of(reader_for(p.suffix), p)
    assert doc.text == "Cat."


def all_tagged() -> list[tuple[str, TaggedText]]:
    out = []
    for name in XML_FILES:
        module = tmx_io if name.endswith(".tmx") else xliff_io
        for u in module.read_units(str(CAT / name), target_lang=None):
            for side in (u.source, u.target):
                if side is not None and side.plain:
                    out.append((f"{name}#{u.key}", side))
    return out


def test_every_plain_character_maps_to_text_in_the_markup():
    tagged = all_tagged()
    assert len(tagged) > 40
    for where, t in tagged:
        # markup without its tags and codes is the plain text, escaped
        text_only = "".join(
            t.markup[p.markup_start : p.markup_end] for p in t.pieces if p.kind == "text"
        )
        assert text_only == escape_text(
            "".join(t.plain[p.plain_start : p.plain_end] for p in t.pieces if p.kind == "text")
        ), where
        code_ranges = [
            (p.markup_start, p.markup_end) for p in t.pieces if p.kind in ("code", "open", "close")
        ]
        for i, ch in enumerate(t.plain):
            ms, me = t.to_markup(i, i + 1)
            piece = t.markup[ms:me]
            gap = ch == " " and (
                piece.startswith(("<ph", "<x")) and piece.endswith(">") or piece == "</mrk>"
            )
            assert piece == escape_text(ch) or piece.startswith("<cp ") or gap, (where, i, piece)
            # never inside a tag or a native-code element
            assert not any(a < ms < b or a < me < b for a, b in code_ranges), (where, i)


def test_span_across_tags_maps_onto_the_markup():
    units = {u.key: u for u in xliff_io.read_units(str(CAT / "RB-12-Test02.xlf"), target_lang=None)}
    t = units["4"].target
    assert t is not None
    assert t.markup == 'Text with <g id="1">code</g> and <g id="2">bold</g>.'
    s = t.plain.index("code")
    ms, me = t.to_markup(s, s + len("code and bold"))
    assert t.markup[ms:me] == 'code</g> and <g id="2">bold'
    assert [(p.kind, p.tag) for p in t.codes_inside(s, s + len("code and bold"))] == [
        ("close", "g"),
        ("open", "g"),
    ]
    assert t.codes_inside(s, s + len("code")) == ()  # tags at the edges are outside
    t6 = units["6"].target
    assert t6 is not None
    s = t6.plain.index("footnote and")
    assert [p.tag for p in t6.codes_inside(s, s + len("footnote and"))] == ["x"]
    assert t6.code_offsets() == (len("Text with a footnote"),)
    with pytest.raises(ValueError):
        t6.to_markup(3, 3)
    with pytest.raises(ValueError):
        t6.to_markup(0, len(t6.plain) + 1)


def inline(tag: str, markup: str) -> TaggedText:
    ns = "urn:oasis:names:tc:xliff:document:2.0"
    return flatten(etree.fromstring(f'<{tag} xmlns="{ns}">{markup}</{tag}>'))


@pytest.mark.parametrize(
    ("markup", "plain"),
    [
        # a placeholder joining two words reads as a space
        ('Text<ph id="1" dataRef="d1"/>continue continue.', "Text continue continue."),
        ('end.<ph id="1"/>Next one.', "end. Next one."),
        ('Two<ph id="1"/><ph id="2"/>codes.', "Two codes."),
        ('Open<x id="1"/>it.', "Open it."),
        # between whitespace it takes the whitespace after it: no double space
        (
            'Open the <bpt id="1">&lt;b&gt;</bpt>menu<ept id="1">&lt;/b&gt;</ept> <ph id="2">{0}'
            "</ph> now.",
            "Open the menu now.",
        ),
        ('He has <ph id="2"/> files.', "He has files."),
        ('A <ph id="1"/> <x id="2"/> b.', "A b."),
        ('A <ph id="1"/><g id="2"> bold</g> b.', "A bold b."),
        # beside whitespace or other punctuation, at either end: zero-width
        ('A footnote<x id="1"/>.', "A footnote."),
        ('A footnote<x id="1"/> and more', "A footnote and more"),
        ('<ph id="1"/>Start and end<ph id="2"/>', "Start and end"),
        ('(<ph id="1"/>x)', "(x)"),
        # other codes and containers are zero-width, inside words too
        ('<pc id="1">B</pc>old <sc id="2"/>te<ec startRef="2"/>xt', "Bold text"),
    ],
)
def test_placeholders_are_boundaries_other_codes_zero_width(markup, plain):
    for tag in ("target", "seg"):
        t = inline(tag, markup)
        assert t.plain == plain
        # every plain character still maps onto the markup: text, or the placeholder
        for i, ch in enumerate(t.plain):
            ms, me = t.to_markup(i, i + 1)
            assert t.markup[ms:me] == escape_text(ch) or t.markup[ms:me].startswith(("<ph", "<x"))
    assert t.markup == serialise(etree.fromstring(f"<seg>{markup}</seg>"))[5:-6]


def test_xliff12_segment_markers_are_sentence_boundaries(tmp_path):
    """Segmented 1.2 content (``<mrk mtype="seg">``, one sentence each) read as one glued
    sentence: ``interface.The`` (a broken-join flag on a clean translation)."""
    seg = '<mrk mtype="seg" mid="{}">{}</mrk>'
    t = inline(
        "target",
        seg.format(1, "Open the interface.")
        + seg.format(2, 'The <g id="1">menu</g> opens')
        + seg.format(3, "(now)")
        + " "
        + seg.format(4, "Done.")
        + '<mrk mtype="protected" mid="5">Acme</mrk>Soft',
    )
    assert t.plain == "Open the interface. The menu opens (now) Done. AcmeSoft"
    for i, ch in enumerate(t.plain):  # the space maps onto the marker's end tag
        ms, me = t.to_markup(i, i + 1)
        assert t.markup[ms:me] == escape_text(ch) or t.markup[ms:me] == "</mrk>"
    target = seg.format(1, "Open it.") + seg.format(2, "Then close it.")
    p = write(tmp_path, "s.xlf", XLF12.format(lang="", units=TU.format(id=1, target=target)))
    (doc,) = docs_of(xliff_io, p)
    assert doc.text == "Open it. Then close it."


def test_a_span_over_a_placeholder_maps_onto_it():
    t = inline("target", 'Text<ph id="1" dataRef="d1"/>continue now.')
    s = t.plain.index("Text continue")
    ms, me = t.to_markup(s, s + len("Text continue"))
    assert t.markup[ms:me] == 'Text<ph id="1" dataRef="d1"/>continue'
    assert [p.tag for p in t.codes_inside(s, s + len("Text continue"))] == ["ph"]
    t2 = inline("target", 'Open the <ph id="2">{0}</ph> now.')
    s = t2.plain.index("the now")
    ms, me = t2.to_markup(s, s + len("the now"))
    assert t2.markup[ms:me] == 'the <ph id="2">{0}</ph> now'


DTD = (
    '<!DOCTYPE xliff [ <!ENTITY prod "Produit"> <!ENTITY w "<g id=\'9\'>Widget</g>"> '
    '<!ENTITY e "caf&#233;"> <!ENTITY n "&prod;&prod;"> <!ENTITY ext SYSTEM "file:///etc/hostname"> ]>\n'
)


def test_internal_dtd_entities_are_expanded(tmp_path):
    units = "".join(
        TU.format(id=i, target=target).replace("Le chat.", source)
        for i, source, target in [
            (1, "Ouvrez &prod; maintenant.", "Open &prod; now now."),
            (2, "Ouvrez &w; maintenant.", "Open &w; now."),
            (3, "Un &e;.", "A &e;."),
            (4, "Deux &n;.", "Two &n; and &ext;."),  # nested and external: not expanded
        ]
    )
    text = XLF12.format(lang='target-language="en"', units=units)
    p = write(tmp_path, "e.xlf", text.replace("\n<xliff", "\n" + DTD + "<xliff", 1))
    d, _, _ = by_kind(docs_of(xliff_io, p))
    assert {k: (v.source, v.text) for k, v in d.items()} == {
        "e#1": ("Ouvrez Produit maintenant.", "Open Produit now now."),
        "e#2": ("Ouvrez Widget maintenant.", "Open Widget now."),
        "e#3": ("Un café.", "A café."),
        "e#4": ("Deux .", "Two and ."),  # a reference left is a placeholder
    }
    t = {u.key: u.target for u in xliff_io.read_units(str(p))}["1"]
    s = t.plain.index("Produit now")
    ms, me = t.to_markup(s, s + len("Produit now"))
    assert t.markup[ms:me] == "&prod; now"
    assert t.to_markup(s + 2, s + 3) == (ms, ms + len("&prod;"))  # inside: the whole reference
    # annotated in place: the reference and the DTD untouched, the offsets the text's
    found = {"e#1": UnitFlags("minor", (Flag(13, 20, "now now", "minor", "twice"),))}
    found["e#2"] = UnitFlags("minor", (Flag(5, 11, "Widget", "minor", "w"),))
    out = tmp_path / "o.xlf"
    assert xliff_io.write_flags(str(p), str(out), found, "e") == 2
    after = out.read_text(encoding="utf-8")
    assert "<target>Open &prod; now now.</target><note" in after and DTD in after
    assert "mtqa: minor: 'now now' (13-20): twice</note>" in after
    assert "mtqa: minor: 'Widget' (5-11): w</note>" in after


def test_escaped_text_and_native_code_map_exactly():
    units = {
        u.key: u for u in xliff_io.read_units(str(CAT / "about_the.htm.xlf"), target_lang=None)
    }
    t = units["3"].target
    assert t is not None
    s = t.plain.index("<is there")
    ms, me = t.to_markup(s, s + len("<is there"))
    assert t.markup[ms:me] == "&lt;is there"
    assert TaggedText.of_text("a & b").to_markup(2, 3) == (2, 3)  # PO: no markup


# ---- writing back: only notes and states are added -------------------------------------------


def strip_additions(tree: etree._Element) -> None:
    """Remove what mtqa adds (notes, notes containers it created, x-mtqa props)."""
    for el in list(tree.iter()):
        if not isinstance(el.tag, str):
            continue
        name = etree.QName(el).localname
        mine = (
            el.get("from") == "mtqa"
            or el.get("category") == "mtqa"
            or (name == "prop" and el.get("type") == "x-mtqa")
            or (
                name == "note" and "mtqa: " in (el.text or "") and el.getparent().tag.endswith("tu")
            )
        )
        if mine:
            parent = el.getparent()
            prev = el.getprevious()
            # the whitespace that was inserted with it goes too
            if prev is not None:
                prev.tail = el.tail if el.tail is not None else prev.tail
            else:
                parent.text = el.tail
            parent.remove(el)
    for el in list(tree.iter()):
        if isinstance(el.tag, str) and etree.QName(el).localname == "notes" and len(el) == 0:
            el.getparent().remove(el)


def same_tree(a: etree._Element, b: etree._Element, attrs_may_differ: set[str]) -> None:
    ea = [e for e in a.iter() if isinstance(e.tag, str)]
    eb = [e for e in b.iter() if isinstance(e.tag, str)]
    assert [e.tag for e in ea] == [e.tag for e in eb]
    for x, y in zip(ea, eb):
        assert (x.text or "").strip() == (y.text or "").strip(), x.tag
        assert (x.tail or "").strip() == (y.tail or "").strip(), x.tag
        ax = {k: v for k, v in x.attrib.items() if k not in attrs_may_differ}
        ay = {k: v for k, v in y.attrib.items() if k not in attrs_may_differ}
        assert ax == ay, x.tag


def parse(data: bytes) -> etree._Element:
    return etree.fromstring(data, parser=etree.XMLParser(resolve_entities=False))


def inserted_only(before: bytes, after: bytes, replaced_ok: re.Pattern[bytes]) -> list[bytes]:
    """The inserted byte runs; any other change must match ``replaced_ok`` (a state value)."""
    sm = difflib.SequenceMatcher(None, before, after, autojunk=False)
    inserted = []
    for op, i1, i2, j1, j2 in sm.get_opcodes():
        if op == "insert":
            inserted.append(after[j1:j2])
        elif op != "equal":
            ctx = after[max(0, j1 - 60) : j2 + 30]
            assert replaced_ok.search(ctx), (op, before[i1:i2], after[j1:j2])
    return inserted


def test_xliff12_round_trip_adds_only_notes_and_states(tmp_path):
    src = CAT / "RB-12-Test02.xlf"
    units = {u.key: u for u in xliff_io.read_units(str(src), target_lang=None)}
    plain4 = units["4"].target.plain  # type: ignore[union-attr]
    plain6 = units["6"].target.plain  # type: ignore[union-attr]
    found = {
        "RB-12-Test02#4": UnitFlags("major", (flag("bold", plain4, reason="odd & <odd>"),)),
        "RB-12-Test02#6": UnitFlags("minor", (flag("footnote", plain6, "minor"),)),
        "RB-12-Test02#2": UnitFlags("none"),
    }
    out = tmp_path / "out.xlf"
    assert xliff_io.write_flags(str(src), str(out), found, "RB-12-Test02", target_lang=None) == 2
    before, after = src.read_bytes(), out.read_bytes()
    # textually: removing the notes and the one state attribute gives the original bytes
    undone = re.sub(rb'\n<note from="mtqa"[^>]*>.*?</note>', b"", after, flags=re.S)
    assert undone.replace(b' state="needs-review-translation"', b"") == before
    assert after.count(b'<note from="mtqa"') == 2
    assert b'<target state="needs-review-translation" xml:lang="fr">Text with <g id="1">' in after
    assert (
        b'<note from="mtqa" annotates="target" priority="1">mtqa: major: \'bold\' (19-23): '
        b"odd &amp; &lt;odd&gt;; suggestion: 'better'</note>"
    ) in after
    # structurally, too, and translate-toolkit (what CAT tools build on) sees the notes
    tree = parse(after)
    strip_additions(tree)
    same_tree(parse(before), tree, {"state"})
    from translate.storage import xliff

    store = xliff.xlifffile.parsestring(after)
    notes = {u.getid().split("\x04")[1]: u.getnotes("mtqa") for u in store.units}
    assert notes["4"].startswith("mtqa: major: 'bold' (19-23)")
    assert notes["6"].startswith("mtqa: minor: 'footnote' (12-20)")
    assert notes["2"] == ""


def test_xliff12_crlf_and_replaced_state(tmp_path):
    crlf = tmp_path / "crlf.xlf"
    crlf.write_bytes((CAT / "RB-12-Test02.xlf").read_bytes().replace(b"\n", b"\r\n"))
    out = tmp_path / "out.xlf"
    xliff_io.write_flags(
        str(crlf), str(out), {"crlf#7": UnitFlags("major", ())}, "crlf", target_lang=None
    )
    data = out.read_bytes()
    assert b"\n" not in data.replace(b"\r\n", b"")  # no bare LF was introduced
    assert (
        b'\r\n<note from="mtqa" annotates="target" priority="1">mtqa: major: flagged (no span)</note>'
        in data
    )

    src = tmp_path / "about.xlf"  # no namespace, targets glued to the next tag; translated
    src.write_bytes(
        (CAT / "about_the.htm.xlf").read_bytes().replace(b"needs-translation", b"translated")
    )
    out2 = tmp_path / "about.out.xlf"
    xliff_io.write_flags(
        str(src), str(out2), {"about#5": UnitFlags("major", ())}, "about", target_lang=None
    )
    before, after = src.read_bytes(), out2.read_bytes()
    inserted = inserted_only(before, after, re.compile(rb'state="needs-review-translation"'))
    assert b"".join(inserted).count(b"<note") == 1
    assert b"mtqa: state was 'translated'</note></trans-unit>" in after
    tree = parse(after)
    strip_additions(tree)
    same_tree(parse(before), tree, {"state"})


def test_xliff20_round_trip_notes_substate(tmp_path):
    src = CAT / "comprehensive_data_input.xlf"
    p = "c#"
    found = {
        p + "f2/8::1239bca": UnitFlags("major", (Flag(0, 9, "Certaines", "major", "why"),)),
        p + "f2/8::segment-3": UnitFlags("minor", (Flag(0, 5, "Texte", "minor", "hmm"),)),
    }
    out = tmp_path / "out.xlf"
    assert xliff_io.write_flags(str(src), str(out), found, "c", target_lang=None) == 2
    before, after = src.read_bytes(), out.read_bytes()
    inserted_only(before, after, re.compile(rb'state="translated"|subState="mtqa:needs-review"'))
    tree = parse(after)
    ns = {"x": "urn:oasis:names:tc:xliff:document:2.0"}
    seg = tree.find(".//x:segment[@id='1239bca']", ns)
    assert seg.get("state") == "translated" and seg.get("subState") == "mtqa:needs-review"
    mine = tree.findall(".//x:unit[@id='8']/x:notes/x:note[@category='mtqa']", ns)
    assert [n.text for n in mine] == [
        "segment 1239bca: mtqa: major: 'Certaines' (0-9): why\nsegment 1239bca: mtqa: state was 'final'",
        "segment #3: mtqa: minor: 'Texte' (0-5): hmm",
    ]
    assert [n.get("priority") for n in mine] == ["1", "3"]
    strip_additions(tree)
    same_tree(parse(before), tree, {"state", "subState"})

    src2 = CAT / "test01.xlf"  # a unit without <notes>: the container is created
    out2 = tmp_path / "out2.xlf"
    xliff_io.write_flags(
        str(src2), str(out2), {"t#tu1::2": UnitFlags("minor", ())}, "t", target_lang=None
    )
    after2 = out2.read_bytes()
    assert (
        b'<notes><note category="mtqa" appliesTo="target" priority="3">segment 2: mtqa: minor: '
        b'flagged (no span)</note></notes>\n   <segment id="1"' in after2
    )
    assert b'subState="my:state"' in after2  # a minor flag changes no state
    tree2 = parse(after2)
    strip_additions(tree2)
    same_tree(parse(src2.read_bytes()), tree2, set())


def test_po_round_trip_comments_and_fuzzy(tmp_path):
    src = CAT / "AllCasesTest.po"
    a = "AllCasesTest:"
    found = {
        a + "20": UnitFlags("major", (Flag(0, 3, "%1s", "major", "two\nlines"),)),
        a + "25": UnitFlags("minor", (Flag(6, 10, "avec", "minor", "meh"),)),
        a + "28": UnitFlags("major", ()),  # already fuzzy
        a + "47": UnitFlags("major", ()),  # no flags line yet
    }
    out = tmp_path / "out.po"
    assert po_io.write_flags(str(src), str(out), found, "AllCasesTest") == 4
    before = src.read_text(encoding="utf-8").split("\n")
    after = out.read_text(encoding="utf-8").split("\n")
    sm = difflib.SequenceMatcher(None, before, after, autojunk=False)
    for op, i1, i2, j1, j2 in sm.get_opcodes():
        if op == "insert":
            assert all(x.startswith("# mtqa: ") or x == "#, fuzzy" for x in after[j1:j2])
        elif op == "replace":
            assert [b.replace("#,", "#, fuzzy,", 1) for b in before[i1:i2]] == after[j1:j2]
        else:
            assert op == "equal"
    assert "# mtqa: major: '%1s' (0-3): two lines; suggestion" not in after  # no suggestion given
    assert "# mtqa: major: '%1s' (0-3): two lines" in after
    assert after[after.index("# mtqa: major: '%1s' (0-3): two lines") + 2] == "#, fuzzy, c-format"
    from translate.storage import pypo

    units = {u.line_number: u for u in pypo.pofile.parsestring(out.read_bytes()).units}
    old = {u.getid(): u for u in pypo.pofile.parsestring(src.read_bytes()).units}
    for u in units.values():  # content untouched
        assert str(u.target) == str(old[u.getid()].target)
    fuzzy = {u.getid(): u.isfuzzy() for u in units.values()}
    assert fuzzy["%1s %2s"] and fuzzy["Text with non-approved translation %s"]
    assert not fuzzy["Text with an approved translation %s"]  # minor: no fuzzy
    special = next(u for u in units.values() if u.getid().startswith("Special chars"))
    assert special.isfuzzy() and "mtqa: major: flagged (no span)" in special.getnotes("translator")


def test_po_crlf_is_kept(tmp_path):
    crlf = tmp_path / "crlf.po"
    crlf.write_bytes((CAT / "AllCasesTest.po").read_bytes().replace(b"\n", b"\r\n"))
    out = tmp_path / "out.po"
    po_io.write_flags(str(crlf), str(out), {"crlf:32": UnitFlags("major", ())}, "crlf")
    data = out.read_bytes()
    assert b"\n" not in data.replace(b"\r\n", b"")
    assert (
        b'# mtqa: major: flagged (no span)\r\n#, fuzzy, c-format\r\nmsgid "First sentence.' in data
    )


def test_tmx_round_trip_note_and_prop(tmp_path):
    src = CAT / "sampleTMX2.tmx"
    out = tmp_path / "out.tmx"
    found = {"s#0001": UnitFlags("major", (Flag(0, 7, "données", "major", "x"),))}
    assert tmx_io.write_flags(str(src), str(out), found, "s", target_lang=None) == 1
    before, after = src.read_bytes(), out.read_bytes()
    pos = before.index(b"<tuv", before.index(b'tuid="0001"'))
    added = (
        b"<note>[FR-CA] mtqa: major: 'donn\xc3\xa9es' (0-7): x</note>\n   "
        b'<prop type="x-mtqa">major</prop>\n   '
    )
    assert after == before[:pos] + added + before[pos:]
    tree = parse(after)
    strip_additions(tree)
    same_tree(parse(before), tree, set())


def test_notes_show_the_characters_themselves(tmp_path):
    flags = (
        Flag(0, 7, "end\xa0end", "minor", "no-break space", "end end"),
        Flag(8, 20, "'quoted' \"x\"", "minor", "quotes", "“x”"),
        Flag(21, 26, "a\nb\tc\x00\u202e", "major", "odd\ncharacters", ""),
        Flag(27, 31, "café 👍🏽", "minor", "fine"),
    )
    assert note_lines(UnitFlags("major", flags)) == [
        "mtqa: minor: 'end\xa0end' (0-7): no-break space; suggestion: 'end end'",
        "mtqa: minor: ''quoted' \"x\"' (8-20): quotes; suggestion: '“x”'",
        "mtqa: major: 'a\\nb\\tc\\x00\\u202e' (21-26): odd characters; suggestion: delete it",
        "mtqa: minor: 'café 👍🏽' (27-31): fine",
    ]
    po = write(tmp_path, "n.po", 'msgid "Fin"\nmsgstr "end\xa0end"\n')
    out = tmp_path / "o.po"
    po_io.write_flags(str(po), str(out), {"n:1": UnitFlags("minor", flags[:1])}, "n")
    assert out.read_text(encoding="utf-8").startswith(
        "# mtqa: minor: 'end\xa0end' (0-7): no-break space; suggestion: 'end end'\nmsgid"
    )


def test_writer_refuses_unknown_ids(tmp_path):
    with pytest.raises(ValueError, match="no unit with doc_id 'RB-12-Test02#99'"):
        xliff_io.write_flags(
            str(CAT / "RB-12-Test02.xlf"),
            str(tmp_path / "o.xlf"),
            {"RB-12-Test02#99": UnitFlags("major")},
            "RB-12-Test02",
            target_lang=None,
        )
    assert not (tmp_path / "o.xlf").exists()


@pytest.mark.parametrize("suffix", [".xlf", ".tmx"])
@pytest.mark.parametrize(
    ("declared", "codec", "bom"),
    [
        ("UTF-16", "utf-16-le", b"\xff\xfe"),
        ("UTF-16", "utf-16-be", b"\xfe\xff"),
        ("UTF-16BE", "utf-16-be", b""),
        ("UTF-32", "utf-32-le", b"\xff\xfe\x00\x00"),
    ],
)
def test_utf16_and_utf32_copies_are_annotated_in_their_encoding(
    tmp_path, suffix, declared, codec, bom
):
    if suffix == ".xlf":
        text = XLF12.format(lang='target-language="en"', units=TU.format(id=1, target="Cat cat ’."))
        module, found = (
            xliff_io,
            {"x#1": UnitFlags("major", (Flag(0, 7, "Cat cat", "major", "é"),))},
        )
    else:
        text = TMX_HEAD.format(src="fr") + tu('tuid="1"', ("fr", "Chat."), ("en", "Cat cat ’."))
        text += "</body></tmx>\n"
        module, found = tmx_io, {"x#1": UnitFlags("major", (Flag(0, 7, "Cat cat", "major", "é"),))}
    utf8 = write(tmp_path, "u8" + suffix, text)
    wide = tmp_path / ("x" + suffix)
    wide.write_bytes(bom + text.replace('encoding="UTF-8"', f'encoding="{declared}"').encode(codec))
    assert module.write_flags(str(utf8), str(tmp_path / "o8"), found, "x") == 1
    assert module.write_flags(str(wide), str(tmp_path / "o16"), found, "x") == 1
    after = (tmp_path / "o16").read_bytes()
    assert after.startswith(bom) and after[len(bom) :].decode(codec) == (
        (tmp_path / "o8").read_text(encoding="utf-8").replace('"UTF-8"', f'"{declared}"')
    )


# ---- faults ----------------------------------------------------------------------------------


def test_duplicate_unit_ids_are_failures_the_first_is_scored(tmp_path):
    data = (
        (CAT / "RB-12-Test02.xlf")
        .read_text(encoding="utf-8")
        .replace('<trans-unit id="5">', '<trans-unit id="4">')
    )
    dup = tmp_path / "dup.xlf"
    dup.write_text(data, encoding="utf-8")
    d, _, failed = by_kind(list(xliff_io.read_documents(str(dup), "dup", target_lang=None)))
    assert d["dup#4"].text == "Text with code and bold."
    assert [str(f) for f in failed] == [
        f"{dup}:24: duplicate unit id '4' (first seen at line 20); unit ids must be unique within a file: the first is scored"
    ]
    po = tmp_path / "dup.po"
    po.write_text('msgid "a"\nmsgstr "b"\n\nmsgid "a"\nmsgstr "c"\n', encoding="utf-8")
    d, _, failed = by_kind(list(po_io.read_documents(str(po), "dup")))
    assert list(d) == ["dup:1"]
    assert [f.line for f in failed] == [4]
    assert "duplicate message 'a'" in failed[0].message


def test_xliff12_targets_not_translated_yet_are_skipped_and_keep_their_state(tmp_path):
    units = "".join(
        f'<trans-unit id="{i}"><source>Le chat.</source><target{state}>{text}</target>'
        "</trans-unit>\n"
        for i, state, text in [
            (1, ' state="needs-translation"', "Le chat."),
            (2, " state='new'", "Le chat."),
            (3, ' state="translated"', "The cat cat."),
            (4, ' state="needs-review-translation"', "The cat."),
            (5, "", "The dog."),
        ]
    )
    p = write(tmp_path, "s.xlf", XLF12.format(lang='target-language="en"', units=units))
    d, skipped, failed = by_kind(docs_of(xliff_io, p))
    assert list(d) == ["s#3", "s#4", "s#5"] and failed == []
    assert [(s.doc_id, s.line, s.reason) for s in skipped] == [
        ("s#1", 4, 'not translated yet: state="needs-translation"'),
        ("s#2", 5, 'not translated yet: state="new"'),
    ]
    # flags given for such a unit anyway (the API): a note, the state stays
    found = {k: UnitFlags("major", ()) for k in ("s#1", "s#2", "s#3")}
    out = tmp_path / "o.xlf"
    assert xliff_io.write_flags(str(p), str(out), found, "s") == 3
    after = out.read_text(encoding="utf-8")
    assert '<target state="needs-translation">Le chat.</target>' in after
    assert "<target state='new'>Le chat.</target>" in after
    assert '<target state="needs-review-translation">The cat cat.</target>' in after


def po_header(charset: str, translator: str = "Jose") -> str:
    return (
        'msgid ""\nmsgstr ""\n'
        f'"Last-Translator: {translator}\\n"\n'
        f'"Content-Type: text/plain; charset={charset}\\n"\n\n'
    )


@pytest.mark.parametrize(
    ("charset", "codec", "target"),
    [
        ("iso-8859-1", "latin-1", "café café"),
        ("ISO-8859-15", "iso-8859-15", "5 € and café"),
        ("windows-1252", "cp1252", "a “quoted” café"),
        ("KOI8-R", "koi8-r", "Привет means hello"),
        ("Shift_JIS", "shift_jis", "ソ means so"),  # 0x83 0x5C: a backslash as second byte
    ],
)
def test_po_in_its_declared_charset_is_read_and_annotated_in_it(tmp_path, charset, codec, target):
    """A PO in the charset its header names (not UTF-8) is read in that charset, header and
    entries alike, and its annotated copy is written in it."""
    text = po_header(charset, "José" if "é" in target else "Jose")  # the header in it too
    text += f'msgid "x"\nmsgstr "{target}"\n'
    p = tmp_path / "c.po"
    p.write_bytes(text.encode(codec))
    (doc,) = docs_of(po_io, p)
    assert doc.text == target and doc.line == 6
    flag = Flag(0, 3, target[:3], "major", "odd 🙂 here")  # in none of the charsets: escaped
    out = tmp_path / "out.po"
    assert po_io.write_flags(str(p), str(out), {"c:6": UnitFlags("major", (flag,))}, "c") == 1
    after = out.read_bytes().decode(codec)
    assert after == text.replace(
        'msgid "x"',
        f"# mtqa: major: '{target[:3]}' (0-3): odd \\U0001f642 here\n#, fuzzy\nmsgid \"x\"",
    )
    (again,) = docs_of(po_io, out)
    assert again.text == target


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        (
            "ascii.po",
            po_header("ASCII").encode() + b'msgid "x"\nmsgstr "caf\xe9"\n',
            "ascii.po:7: invalid ASCII (the header's charset) at byte 111 (0xe9); convert the "
            "file to ASCII or name its charset in the Content-Type header",
        ),
        (
            "cp.po",
            po_header("windows-1252").encode() + b'msgid "x"\nmsgstr "caf\xe9 \x81"\n',
            "cp.po:7: invalid windows-1252 (the header's charset) at byte 120 (0x81); convert "
            "the file to windows-1252 or name its charset in the Content-Type header",
        ),
        (
            "hdr.po",  # a Latin-1 byte in the header itself, under charset=UTF-8
            po_header("UTF-8").replace("Jose", "Jos\xe9").encode("latin-1")
            + 'msgid "x"\nmsgstr "café"\n'.encode(),
            "hdr.po:3: invalid UTF-8 (the header's charset) at byte 40 (0xe9); convert the "
            "file to UTF-8 or name its charset in the Content-Type header",
        ),
        (
            "none.po",
            b'msgid "x"\nmsgstr "caf\xe9"\n',
            "none.po:2: invalid UTF-8 (no charset in the header) at byte 21 (0xe9); convert "
            "the file to UTF-8 or name its charset in the Content-Type header",
        ),
    ],
)
def test_po_not_valid_in_its_charset_names_that_charset(tmp_path, name, content, expected):
    p = tmp_path / name
    p.write_bytes(content)
    with pytest.raises(InputError) as info:
        po_io.read_units(str(p))
    assert str(info.value) == f"{tmp_path}/{expected}"


@pytest.mark.parametrize(
    ("suffix", "declared", "codec"),
    [(".xlf", "ISO-8859-1", "latin-1"), (".tmx", "windows-1252", "cp1252")],
)
def test_xml_in_its_declared_encoding_is_read_and_annotated_in_it(
    tmp_path, suffix, declared, codec
):
    target = "The “café” café is open."
    if suffix == ".xlf":
        text = XLF12.format(lang='target-language="en"', units=TU.format(id=1, target=target))
        module = xliff_io
    else:
        text = TMX_HEAD.format(src="fr") + tu('tuid="1"', ("fr", "Café."), ("en", target))
        text += "</body></tmx>\n"
        module = tmx_io
    text = text.replace('encoding="UTF-8"', f'encoding="{declared}"')
    p = tmp_path / ("x" + suffix)
    p.write_bytes(text.encode(codec, "xmlcharrefreplace"))
    (doc,) = docs_of(module, p)
    assert doc.text == target
    found = {"x#1": UnitFlags("minor", (Flag(4, 10, "“café", "minor", "odd 🙂"),))}
    assert module.write_flags(str(p), str(tmp_path / "o"), found, "x") == 1
    after = (tmp_path / "o").read_bytes()
    assert after.decode(codec).count("café") == p.read_bytes().decode(codec).count("café") + 1
    # characters the encoding cannot hold are character references (“ is in windows-1252)
    quote = "&#8220;" if codec == "latin-1" else "“"
    assert f"mtqa: minor: '{quote}café' (4-10): odd &#128578;</note>" in after.decode(codec)


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        (
            "u8.xlf",  # a Latin-1 byte in a UTF-8 file: libxml2 named the line right, not the fix
            XLF12.format(lang="", units=TU.format(id=1, target="Caf\xe9.")).encode("latin-1"),
            "u8.xlf:4: invalid UTF-8 (the XML declaration's encoding) at byte 231 (0xe9)",
        ),
        (
            "none.tmx",  # no declaration: UTF-8
            (TMX_HEAD.format(src="fr") + tu('tuid="1"', ("en", "Caf\xe9.")) + "</body></tmx>\n")
            .split("\n", 1)[1]
            .encode("latin-1"),
            "none.tmx:3: invalid UTF-8 (no encoding declared) at byte 195 (0xe9)",
        ),
        (
            "ascii.xlf",  # libxml2 said line 1
            XLF12.format(lang="", units=TU.format(id=1, target="Caf\xe9."))
            .replace("UTF-8", "US-ASCII")
            .encode("latin-1"),
            "ascii.xlf:4: invalid US-ASCII (the XML declaration's encoding) at byte 234 (0xe9)",
        ),
    ],
)
def test_xml_not_valid_in_its_encoding_names_the_encoding_and_line(
    tmp_path, name, content, expected
):
    p = tmp_path / name
    p.write_bytes(content)
    with pytest.raises(InputError) as info:
        {".xlf": xliff_io, ".tmx": tmx_io}[p.suffix].read_units(str(p))
    assert str(info.value) == (
        f"{tmp_path}/{expected}; convert the file to {expected.split()[2]} or name its "
        'encoding in the XML declaration (<?xml version="1.0" encoding="..."?>)'
    )


def test_xliff20_segments_in_state_initial_are_skipped_and_keep_their_state(tmp_path):
    """2.0's explicit ``initial`` is 1.2's ``new``: no translation yet (here a copy of the
    French source), skipped; a segment without a state is scored."""
    units = "".join(
        f'<unit id="u{i}"><segment{state}><source>Le chat noir.</source>'
        f"<target>{text}</target></segment></unit>\n"
        for i, state, text in [
            (1, ' state="initial"', "Le chat noir."),
            (2, " state='initial' subState='x:mt'", "Le chat noir."),
            (3, ' state="translated"', "The black cat cat."),
            (4, "", "The black cat."),
            (5, ' state="final"', "The black dog."),
        ]
    )
    p = write(tmp_path, "s.xlf", XLF20.format(lang='trgLang="en"', units=units))
    d, skipped, failed = by_kind(docs_of(xliff_io, p))
    assert list(d) == ["s#u3", "s#u4", "s#u5"] and failed == []
    assert [(s.doc_id, s.line, s.reason) for s in skipped] == [
        ("s#u1", 4, 'not translated yet: state="initial"'),
        ("s#u2", 5, 'not translated yet: state="initial"'),
    ]
    # flags given for such a segment anyway (the API): a note, state and subState stay
    found = {k: UnitFlags("major", ()) for k in ("s#u1", "s#u2", "s#u4")}
    out = tmp_path / "o.xlf"
    assert xliff_io.write_flags(str(p), str(out), found, "s") == 3
    after = out.read_text(encoding="utf-8")
    assert after.count("mtqa: major: flagged (no span)") == 3
    assert '<segment state="initial"><source>' in after
    assert "<segment state='initial' subState='x:mt'><source>" in after
    assert '<segment state="translated" subState="mtqa:needs-review"><source>' in after


@pytest.mark.parametrize("suffix", [".xlf", ".tmx"])
def test_a_duplicate_ids_note_goes_on_the_unit_that_was_scored(tmp_path, suffix):
    if suffix == ".xlf":
        units = TU.format(id=1, target="Here here.") + TU.format(id=1, target="Again.")
        p = write(tmp_path, "d.xlf", XLF12.format(lang="", units=units))
        module = xliff_io
    else:
        tus = tu('tuid="1"', ("fr", "Ici."), ("en", "Here here.")) + tu(
            'tuid="1"', ("fr", "Encore."), ("en", "Again.")
        )
        p = tmx_file(tmp_path, "d.tmx", tus, "fr")
        module = tmx_io
    d, _, failed = by_kind(docs_of(module, p))
    assert d["d#1"].text == "Here here." and len(failed) == 1  # the first is scored
    found = {"d#1": UnitFlags("major", (Flag(0, 9, "Here here", "major", "twice"),))}
    out = tmp_path / ("out" + suffix)
    assert module.write_flags(str(p), str(out), found, "d") == 1
    after = out.read_text(encoding="utf-8")
    second = after.index('id="1"', after.index('id="1"') + 1)  # trans-unit id, tuid
    assert after.index("mtqa: major: 'Here here'") < second  # on the first unit
    assert after.count("mtqa: major:") == 1


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        (
            "broken.xlf",
            '<xliff version="1.2"><file>\n<body></file></xliff>',
            r"broken\.xlf:2: not well-formed XML: .*; fix the markup",
        ),
        (
            "notx.xlf",
            "<html/>",
            r"notx\.xlf:1: not an XLIFF file: the root element is <html>; pass an XLIFF 1\.2 "
            r"or 2\.0 file \(its root element is <xliff>\)$",
        ),
        (  # libxml2 said "PCDATA invalid Char value 1, line 3, column 25"
            "ctl.xlf",
            '<xliff version="1.2"><file>\n<body>\r\n<trans-unit id="1"><target>On\x01e.',
            r"ctl\.xlf:3: character U\+0001 \(a control character\) is not allowed in XML; "
            r'remove it \(XLIFF 2\.0 holds one as <cp hex="0001"/>\)$',
        ),
        (
            "ctl.tmx",
            '<tmx version="1.4"><body><tu><tuv xml:lang="en"><seg>\ufffe</seg></tuv></tu>',
            r"ctl\.tmx:1: character U\+FFFE \(a noncharacter\) is not allowed in XML; remove it$",
        ),
        (
            "notx.tmx",
            "<xliff/>",
            r"notx\.tmx:1: not a TMX file: the root element is <xliff>; pass a TMX file \(its "
            r"root element is <tmx>\), or name an XLIFF file \.xlf$",
        ),
        ("bad.po", 'msgid "a"\nmsgstr "b\n', r"bad\.po:\d+: not a valid PO file"),
        (
            "u16.po",
            'msgid ""\nmsgstr ""\n'.encode("utf-16"),
            r"u16\.po: UTF-16 text: gettext reads no UTF-16 PO files; convert it \(e\.g\. "
            r"`iconv -f UTF-16 -t UTF-8`\) and say charset=UTF-8 in its header$",
        ),
        (
            "u16be.po",
            'msgid "a"\nmsgstr "b"\n'.encode("utf-16-be"),  # no BOM
            r"u16be\.po: UTF-16 text: gettext reads no UTF-16 PO files",
        ),
        (
            "u32.po",
            'msgid "a"\nmsgstr "b"\n'.encode("utf-32"),  # its BOM starts with UTF-16's
            r"u32\.po: UTF-32 text: gettext reads no UTF-32 PO files; convert it \(e\.g\. "
            r"`iconv -f UTF-32 -t UTF-8`\)",
        ),
        (
            "quote.po",
            'msgid "Bonjour"\nmsgstr "Hello\n\nmsgid "Salut"\nmsgstr "Hi"\n',
            r"quote\.po:2: not a valid PO file: end-of-line within string on line 2: "
            r"'msgstr \"Hello\\n'; close the string on its line \(a line break inside it is "
            r'\\n, a quote \\"\)$',
        ),
        (
            "twice.po",
            'msgid "a"\nmsgstr "Hello there"\nmsgstr "dup"\n',
            r"twice\.po:3: not a valid PO file: Syntax error on line 3: 'msgstr \"dup\"\\n'; fix "
            r"or remove that line: a PO entry is comments \(#\.\.\.\), then msgid",
        ),
        (
            "latin1.po",  # Latin-1 bytes under charset=UTF-8: translate-toolkit guessed
            b'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n\n'
            b'msgid "Caf\xe9"\nmsgstr "Caf\xe9 here"\n',
            r"latin1\.po:5: invalid UTF-8 \(the header's charset\) at byte 74 \(0xe9\); convert "
            r"the file to UTF-8 or name its charset in the Content-Type header$",
        ),
        (
            "charset.po",
            'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=NOPE\\n"\n',
            r"charset\.po:\d+: not a valid PO file: Unsupported charset: NOPE .*; name a charset "
            r"Python knows in the header's Content-Type \(charset=UTF-8\)$",
        ),
    ],
)
def test_unreadable_files_raise_input_error(tmp_path, name, content, expected):
    p = tmp_path / name
    p.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    module = {".xlf": xliff_io, ".tmx": tmx_io, ".po": po_io}[p.suffix]
    with pytest.raises(InputError, match=expected):
        module.read_units(str(p))


def test_missing_file_raises_input_error(tmp_path):
    with pytest.raises(InputError, match="cannot read"):
        xliff_io.read_units(str(tmp_path / "nope.xlf"))
