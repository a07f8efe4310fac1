"""--format xliff/po/tmx: flags written back into copies of the inputs (real CAT files)."""

from __future__ import annotations

import difflib
import json
import shutil
from pathlib import Path

import pytest

from mtqa.io import READERS, WRITERS
from mtqa.io.base import Unit
from mtqa.lm.fake import FakeScorer
from mtqa.pipeline import run_check
from mtqa.records import DocumentResult, SentenceResult, Span
from mtqa.report import ANNOTATED, FILENAMES, remove_other_reports, writer_class
from mtqa.report.annotate import XliffWriter, infer_prefix
from mtqa.settings import Settings

CAT = Path(__file__).parent / "data" / "cat"


#: the Okapi files translate English into French; mtqa checks English targets, so their
#: copies here declare English targets (the text stays as it is: only the declarations change)
AS_ENGLISH = [
    (b'trgLang="fr"', b'trgLang="en"'),
    (b'target-language="fr"', b'target-language="en-US"'),
    (b'<target xml:lang="fr">', b'<target xml:lang="en-US">'),
    (b'<tuv xml:lang="fr">', b'<tuv xml:lang="en-GB">'),  # srclang en: English into English
]


def copy_as_english(src: Path, dst: Path) -> None:
    data = src.read_bytes()
    for old, new in AS_ENGLISH:
        data = data.replace(old, new)
    dst.write_bytes(data)


@pytest.fixture()
def inputs(tmp_path: Path) -> Path:
    root = tmp_path / "in"
    (root / "sub").mkdir(parents=True)
    copy_as_english(CAT / "test01.xlf", root / "test01.xlf")
    copy_as_english(CAT / "RB-12-Test02.xlf", root / "sub" / "RB-12-Test02.xlf")
    shutil.copy(CAT / "AllCasesTest.po", root / "sub" / "AllCasesTest.po")
    copy_as_english(CAT / "a_small_test.tmx", root / "a_small_test.tmx")
    (root / "plain.txt").write_text("A plain article. It is not a CAT file.\n", encoding="utf-8")
    return root


def check(inputs: Path, out: Path, fake_calibration: Path, *formats: str, **kw: object):  # type: ignore[no-untyped-def]
    settings = Settings(
        model="fake", calibration=str(fake_calibration), formats=("csv", "jsonl", *formats), **kw
    )  # type: ignore[arg-type]
    return run_check([str(inputs)], settings, out, lambda s: FakeScorer())


def added_only(before: bytes, after: bytes) -> list[str]:
    """The lines ``after`` adds to ``before``; fails if it changes any but a review state
    (an XML start tag gaining ``state=``, a PO flags line gaining ``fuzzy``)."""
    diff = list(
        difflib.ndiff(
            before.decode("utf-8", "replace").splitlines(),
            after.decode("utf-8", "replace").splitlines(),
        )
    )
    removed = [d for d in diff if d.startswith("- ")]
    assert all(d[2:].strip().startswith(("<", "#,")) for d in removed), removed[:3]
    return [d[2:] for d in diff if d.startswith("+ ")]


def spans_by_file(out: Path) -> dict[str, int]:
    """Flags per input file (from segments.jsonl: doc ids are prefix#id or prefix:line)."""
    n: dict[str, int] = {}
    for line in (out / "segments.jsonl").read_text(encoding="utf-8").splitlines():
        rec = json.loads(line)
        prefix = (
            rec["id"].split("#")[0].rsplit(":", 1)[0]
            if "#" not in rec["id"]
            else rec["id"].split("#")[0]
        )
        n[prefix] = n.get(prefix, 0) + len(rec["spans"])
    return n


def test_registry_matches_the_readers() -> None:
    for fmt, suffixes in ANNOTATED.items():
        assert set(suffixes) == {s for s, m in READERS.items() if m == WRITERS[fmt]}
        assert writer_class(fmt).filename == FILENAMES[fmt] == "annotated"
    assert Settings().formats == ("csv", "jsonl", "html")  # copies only when asked for


def test_copies_with_notes_for_every_flag(
    inputs: Path, tmp_path: Path, fake_calibration: Path
) -> None:
    out = tmp_path / "out"
    summary = check(inputs, out, fake_calibration, "xliff", "po", "tmx")
    assert summary.failures == []
    ann = out / "annotated"
    # the input's path under the input folder, name and suffix kept; plain.txt has no copy
    assert sorted(p.relative_to(ann).as_posix() for p in ann.rglob("*") if p.is_file()) == [
        "a_small_test.tmx",
        "sub/AllCasesTest.po",
        "sub/RB-12-Test02.xlf",
        "test01.xlf",
    ]
    flags = spans_by_file(out)
    for rel, prefix in [
        ("test01.xlf", "test01"),
        ("sub/RB-12-Test02.xlf", "sub/RB-12-Test02"),
        ("sub/AllCasesTest.po", "sub/AllCasesTest"),
        ("a_small_test.tmx", "a_small_test"),
    ]:
        before, after = (inputs / rel).read_bytes(), (ann / rel).read_bytes()
        added = "\n".join(added_only(before, after))
        # one note line per flag of that file's units
        notes = added.count("mtqa: minor: ") + added.count("mtqa: major: ")
        assert notes == flags.get(prefix, 0), (rel, notes, flags)
    assert flags["test01"] > 0 and flags["sub/AllCasesTest"] > 0


def test_resume_gives_the_same_copies(inputs: Path, tmp_path: Path, fake_calibration: Path) -> None:
    out = tmp_path / "out"
    check(inputs, out, fake_calibration, "xliff", "po")
    first = {p: p.read_bytes() for p in (out / "annotated").rglob("*") if p.is_file()}
    shutil.rmtree(out / "annotated")
    again = check(inputs, out, fake_calibration, "xliff", "po")
    assert again.resumed == again.documents > 0
    assert {p: p.read_bytes() for p in (out / "annotated").rglob("*") if p.is_file()} == first
    assert not list((out / "annotated").rglob("*.tmx"))  # tmx not asked for


def test_stale_copies_are_removed(inputs: Path, tmp_path: Path, fake_calibration: Path) -> None:
    out = tmp_path / "out"
    check(inputs, out, fake_calibration, "xliff", "po")
    (inputs / "test01.xlf").unlink()
    check(inputs, out, fake_calibration, "xliff", "po")
    assert not (out / "annotated" / "test01.xlf").exists()
    assert (out / "annotated" / "sub" / "RB-12-Test02.xlf").is_file()
    # --overwrite without po: the po copy goes, the xliff copy stays
    check(inputs, out, fake_calibration, "xliff", overwrite=True)
    assert not (out / "annotated" / "sub" / "AllCasesTest.po").exists()
    assert (out / "annotated" / "sub" / "RB-12-Test02.xlf").is_file()
    assert out / "annotated" / "sub" / "RB-12-Test02.xlf" in remove_other_reports(out, ("csv",))
    assert not list((out / "annotated").rglob("*.xlf"))


def test_inputs_that_share_a_path_get_their_own_copies(
    tmp_path: Path, fake_calibration: Path
) -> None:
    """``fr/test01.xlf`` and ``de/test01.xlf`` (given as ``fr`` and ``de``), and a .po of the
    same name beside one: their ids differ (:func:`mtqa.readers.doc_prefixes`), and so do
    their copies, each with the notes of its own units."""
    for lang in ("fr", "de"):
        (tmp_path / lang).mkdir()
        copy_as_english(CAT / "test01.xlf", tmp_path / lang / "test01.xlf")
    shutil.copy(CAT / "AllCasesTest.po", tmp_path / "fr" / "test01.po")
    settings = Settings(
        model="fake", calibration=str(fake_calibration), formats=("jsonl", "xliff", "po")
    )
    out = tmp_path / "out"
    inputs = [str(tmp_path / "fr"), str(tmp_path / "de")]
    summary = run_check(inputs, settings, out, lambda s: FakeScorer())
    assert summary.failures == []
    ann = out / "annotated"
    flags = spans_by_file(out)
    # the two .xlf make the same ids (test01#1…): longer prefixes; the .po makes test01:N,
    # no clash with them, so it keeps its short id and its copy its path under fr/
    assert sorted(flags) == ["de/test01", "fr/test01", "test01"]
    copies = {  # input (under tmp_path) -> (its copy under annotated/, its id prefix)
        "fr/test01.xlf": ("fr/test01.xlf", "fr/test01"),
        "de/test01.xlf": ("de/test01.xlf", "de/test01"),
        "fr/test01.po": ("test01.po", "test01"),
    }
    assert sorted(p.relative_to(ann).as_posix() for p in ann.rglob("*") if p.is_file()) == sorted(
        copy for copy, _ in copies.values()
    )
    for rel, (copy, prefix) in copies.items():
        added = "\n".join(added_only((tmp_path / rel).read_bytes(), (ann / copy).read_bytes()))
        notes = added.count("mtqa: minor: ") + added.count("mtqa: major: ")
        assert notes == flags[prefix] > 0, (rel, notes, flags)


def unit(key: str, line: int, has_id: bool = True) -> Unit:
    return Unit(key, line, None, None, has_id)


@pytest.mark.parametrize(
    ("path", "ids", "units", "prefix"),
    [
        ("in/a.xlf", ["a#1", "a#2"], [unit("1", 3), unit("2", 9)], "a"),
        ("in/sub/a.xlf", ["sub/a#1"], [unit("1", 3)], "sub/a"),
        ("x.po", ["x:12", "x:20"], [unit("m", 12, False), unit("n", 20, False)], "x"),
        # an id that holds '#': the prefix that explains every doc id, on the file's path
        ("in/p.xlf", ["p#a#b", "p#c"], [unit("a#b", 1), unit("b", 2), unit("c", 3)], "p"),
        ("in/p.xlf", ["zz#9"], [unit("1", 1)], None),
    ],
)
def test_infer_prefix(path: str, ids: list[str], units: list[Unit], prefix: str | None) -> None:
    assert infer_prefix(path, ids, units) == prefix


def test_writer_from_hand_made_results(tmp_path: Path) -> None:
    """The writer alone: results of an .xlf input (others are ignored) become notes."""
    src = tmp_path / "RB-12-Test02.xlf"
    copy_as_english(CAT / "RB-12-Test02.xlf", src)
    text = "Text with code and bold."
    sp = Span(10, 14, "code", "major", 0.9, "lm", "odd word", "script", 12.5)
    sent = SentenceResult("RB-12-Test02#4", 1, 0, len(text), text, 5, 9.0, 0.9, "major", (sp,))
    w = XliffWriter(tmp_path / "out", {})
    w.write(DocumentResult("RB-12-Test02#4", str(src), text, (sent,)))
    w.write(DocumentResult("other", str(tmp_path / "x.txt"), "x", ()))
    assert w.close() == tmp_path / "out" / "annotated"
    added = added_only(src.read_bytes(), (tmp_path / "out" / "annotated" / src.name).read_bytes())
    assert any(
        "mtqa: major: 'code' (10-14): odd word [lm]; suggestion: 'script'" in a for a in added
    )
    assert any('state="needs-review-translation"' in a for a in added)


EN_XLF = (
    '<?xml version="1.0" encoding="{enc}"?>\n'
    '<xliff version="1.2" xmlns="urn:oasis:names:tc:xliff:document:1.2">\n'
    '<file original="a" source-language="fr" target-language="en" datatype="plaintext"><body>\n'
    '<trans-unit id="1"><source>Bonjour le monde.</source>'
    "<target>Hello the the world.</target></trans-unit>\n"
    "</body></file>\n</xliff>\n"
)


def test_a_copy_that_cannot_be_made_fails_alone(
    tmp_path: Path, fake_calibration: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A UTF-16 file without a byte order mark is read and scored, but its copy cannot be
    made: that copy fails (named in run.json, exit 1); the UTF-16 file with a BOM gets its
    copy, in UTF-16, and so does the .po; every report is written."""
    from mtqa import cli

    root = tmp_path / "in"
    root.mkdir()
    (root / "nobom.xlf").write_bytes(EN_XLF.format(enc="UTF-16").encode("utf-16-le"))
    (root / "u16.xlf").write_bytes(EN_XLF.format(enc="UTF-16").encode("utf-16"))
    (root / "ok.po").write_text('msgid "Salut"\nmsgstr "Hi hi there"\n', encoding="utf-8")
    out = tmp_path / "out"
    rc = cli.main(
        ["check", str(root), "-o", str(out), "--model", "fake", "--format", "csv,xliff,po"]
        + ["--calibration", str(fake_calibration)]
    )
    failure = (
        f"{root / 'nobom.xlf'}: annotated copy not written: UTF-16 without a byte order mark; "
        "convert the file to UTF-8 (e.g. `iconv -f UTF-16 -t UTF-8`)"
    )
    assert rc == 1
    assert failure + "\n" in capsys.readouterr().err
    run = json.loads((out / "run.json").read_text(encoding="utf-8"))
    assert run["failures"] == [failure] and run["counts"]["documents"] == 3
    assert (out / "summary.csv").is_file() and (out / "sentences.csv").is_file()
    ann = out / "annotated"
    assert sorted(p.name for p in ann.iterdir()) == ["ok.po", "u16.xlf"]
    before, after = (root / "u16.xlf").read_bytes(), (ann / "u16.xlf").read_bytes()
    assert after.startswith(b"\xff\xfe<\x00?\x00x\x00m\x00l\x00")  # BOM and byte order kept
    added = added_only(before.decode("utf-16").encode(), after.decode("utf-16").encode())
    assert added == [
        '<trans-unit id="1"><source>Bonjour le monde.</source><target>Hello the the world.'
        '</target><note from="mtqa" annotates="target" priority="3">mtqa: minor: '
        "'the the' (6-13): repeated word: 'the' twice [rule:repeated-word]; suggestion: "
        "'the'</note></trans-unit>"
    ]
    # a rerun that can make the copy again: no failure; one that cannot: the old copy goes
    (root / "nobom.xlf").write_bytes(EN_XLF.format(enc="UTF-8").encode("utf-8"))
    assert (
        cli.main(
            ["check", str(root), "-o", str(out), "--model", "fake", "--format", "csv,xliff,po"]
            + ["--calibration", str(fake_calibration), "--overwrite"]
        )
        == 0
    )
    assert (ann / "nobom.xlf").is_file()
    (root / "nobom.xlf").write_bytes(EN_XLF.format(enc="UTF-16").encode("utf-16-le"))
    assert (
        cli.main(
            ["check", str(root), "-o", str(out), "--model", "fake", "--format", "csv,xliff,po"]
            + ["--calibration", str(fake_calibration), "--overwrite"]
        )
        == 1
    )
    assert not (ann / "nobom.xlf").exists()


def test_a_copy_that_cannot_be_written_fails_alone(
    tmp_path: Path, fake_calibration: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Writing a copy that fails (a folder in its place, a file in its folder's place) is a
    failure of that copy: the other copies, every report and run.json are written, on a
    fresh folder and over an earlier run alike."""
    from mtqa import cli

    root = tmp_path / "in"
    root.mkdir()
    (root / "a.xlf").write_text(EN_XLF.format(enc="UTF-8"), encoding="utf-8")
    (root / "ok.po").write_text('msgid "Salut"\nmsgstr "Hi hi there"\n', encoding="utf-8")
    (root / "plain.txt").write_text("A plain article.\n", encoding="utf-8")
    args = ["--model", "fake", "--format", "csv,jsonl,xliff,po", "--calibration"]
    args.append(str(fake_calibration))
    out = tmp_path / "out"
    (out / "annotated" / "a.xlf").mkdir(parents=True)  # a fresh folder, but for that
    assert cli.main(["check", str(root), "-o", str(out), *args]) == 1
    failure = (
        f"{root / 'a.xlf'}: annotated copy not written: {out / 'annotated' / 'a.xlf'}: "
        "cannot write (Is a directory); a folder is in the copy's place: move it away and rerun"
    )
    err = capsys.readouterr().err
    assert failure + "\n" in err and "Traceback" not in err
    run = json.loads((out / "run.json").read_text(encoding="utf-8"))
    assert run["failures"] == [failure] and run["counts"]["documents"] == 3
    for name in ("sentences.csv", "segments.jsonl", "summary.csv", "summary.png"):
        assert (out / name).is_file(), name
    assert (out / "annotated" / "ok.po").is_file() and (out / "annotated" / "a.xlf").is_dir()
    # an earlier run's reports and copies are replaced, all of them; the copy that cannot
    # be written is the one failure
    (out / "annotated" / "a.xlf").rmdir()
    assert cli.main(["check", str(root), "-o", str(out), *args, "--overwrite"]) == 0
    shutil.rmtree(out / "annotated")
    (out / "annotated").write_text("in the way\n", encoding="utf-8")
    (root / "plain.txt").write_text("A plain article, edited.\n", encoding="utf-8")
    capsys.readouterr()
    assert cli.main(["check", str(root), "-o", str(out), *args, "--overwrite"]) == 1
    blocked = f"{out / 'annotated'} is a file where a folder is needed: move it away and rerun"
    run = json.loads((out / "run.json").read_text(encoding="utf-8"))
    assert [f.split(": annotated copy not written: ")[0] for f in run["failures"]] == [
        str(root / "a.xlf"),
        str(root / "ok.po"),
    ]
    assert all(f.endswith(blocked) for f in run["failures"])
    assert "edited" in (out / "segments.jsonl").read_text(encoding="utf-8")
    assert run["counts"]["documents"] == 3 and (out / "summary.csv").is_file()
    assert (out / "annotated").read_text(encoding="utf-8") == "in the way\n"


def test_a_stale_copy_that_cannot_be_removed_is_named(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A copy of an earlier run's input that cannot be deleted is a failure naming it, not
    an abort of the run (nor a copy silently left looking current)."""
    stale = tmp_path / "out" / "annotated" / "gone.xlf"
    stale.parent.mkdir(parents=True)
    stale.write_text("<xliff/>", encoding="utf-8")
    real_unlink = Path.unlink

    def unlink(self: Path, missing_ok: bool = False) -> None:
        if self == stale:
            raise PermissionError(13, "Permission denied")
        real_unlink(self, missing_ok)

    monkeypatch.setattr(Path, "unlink", unlink)
    w = XliffWriter(tmp_path / "out", {})
    w.close()
    assert [str(f) for f in w.failures] == [
        f"{stale}: annotated copy of an earlier run not removed (Permission denied); it is no "
        "copy of this run: delete it"
    ]


def test_a_file_named_annotated_is_not_an_other_report(tmp_path: Path) -> None:
    """remove_other_reports deletes copies mtqa wrote; a file called ``annotated`` (in the
    place of the copies' folder) is none, and stays."""
    (tmp_path / "annotated").write_text("mine\n", encoding="utf-8")
    assert remove_other_reports(tmp_path, ("csv",)) == []
    assert (tmp_path / "annotated").read_text(encoding="utf-8") == "mine\n"
