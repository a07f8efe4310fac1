"""Issue 15, the pipeline's part: nothing paired wrong, nothing lost on Ctrl-C, messages
that point the right way.

One fault kind per section, each with an exact input and the exact outcome: translation
formats read through mtqa.io (skipped units are counted, not failures), pairing never
crosses a line end (4), an empty reference is no zero (5), a late interrupt resumes to
the same bytes (7), saving inside a long document and progress that moves (8), the
model named before the detector (10), ``--format ""`` (14), a full disk names the file
(15), French numbers as one span (17). Messages: README, "Errors".
"""

from __future__ import annotations

import dataclasses
import errno
import json
import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pytest

from mtqa import cli
from mtqa.checks.pairing import pair_units
from mtqa.checks.references import CorpusStats, sentence_scores
from mtqa.checks.target import FRENCH_NUMBERS
from mtqa.errors import ModelError
from mtqa.lm.base import ForwardOutput
from mtqa.lm.fake import FakeScorer
from mtqa.pipeline import run_check
from mtqa.quality.fit import fit_percentile_detector
from mtqa.records import Document
from mtqa.segment import segment
from mtqa.settings import FORMATS, Settings

OUTPUTS = ("sentences.csv", "segments.jsonl", "report.html", "summary.csv", "summary.png")
MODELS = "name a preset (smollm2-135m, gemma3-270m), a .gguf file or a local transformers"


@pytest.fixture(autouse=True)
def no_plot(monkeypatch: pytest.MonkeyPatch) -> None:
    """summary.png is not under test here (but is written) and costs ~1 s to draw."""
    monkeypatch.setattr("mtqa.report.summary.plot_summary", lambda *a, **k: b"\x89PNG")


def csv_rows(out: Path) -> list[dict[str, str]]:
    import csv

    with (out / "sentences.csv").open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def segments(out: Path) -> list[dict[str, Any]]:
    with (out / "segments.jsonl").open(encoding="utf-8") as f:
        return [json.loads(line) for line in f]


def run_json(out: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((out / "run.json").read_text(encoding="utf-8"))
    return data


# ------------------------------------------------------------------ XLIFF, PO, TMX inputs

XLF = """<?xml version="1.0" encoding="UTF-8"?>
<xliff version="1.2" xmlns="urn:oasis:names:tc:xliff:document:1.2">
 <file original="a.txt" source-language="fr" target-language="en" datatype="plaintext">
  <body>
   <trans-unit id="1">
    <source>Le conseil s'est réuni lundi.</source>
    <target>The council met on Monday.</target>
   </trans-unit>
   <trans-unit id="2">
    <source>Il a voté le budget.</source>
    <target></target>
   </trans-unit>
   <trans-unit id="3">
    <source>Fin.</source>
    <target>\u200b</target>
   </trans-unit>
  </body>
 </file>
</xliff>
"""
PO = 'msgid "Bonjour."\nmsgstr "Hello."\n\nmsgid "Merci."\nmsgstr ""\n'


def test_translation_files_are_inputs_and_skipped_units_do_not_fail(
    tmp_path: Path, fake_settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.xlf").write_text(XLF, encoding="utf-8")
    (folder / "b.po").write_text(PO, encoding="utf-8")
    out = tmp_path / "out"
    summary = run_check([str(folder)], fake_settings, out, lambda s: FakeScorer())
    assert [r["id"] for r in segments(out)] == ["a#1", "b:1"]
    assert [(r["text"], r.get("source")) for r in segments(out)][0][0] == (
        "The council met on Monday."
    )
    assert not summary.failures and len(summary.skipped) == 3
    run = run_json(out)
    assert run["counts"]["skipped"] == 3 and run["counts"]["failures"] == 0
    assert run["skipped"] == [
        f"{folder / 'a.xlf'}:9: unit 'a#2' skipped: untranslated: empty target",
        f"{folder / 'a.xlf'}:13: unit 'a#3' skipped: target holds no visible character",
        f"{folder / 'b.po'}:4: unit 'b:4' skipped: untranslated: empty target",
    ]
    # from the command line: exit 0, and the skipped units are counted on stderr
    rc = cli.main(
        ["check", str(folder / "a.xlf"), "-o", str(tmp_path / "o2"), "--model", "fake"]
        + ["--calibration", str(fake_settings.calibration)]
    )
    err = capsys.readouterr().err
    assert rc == 0
    assert (
        f"mtqa: 2 translation unit(s) skipped, with nothing to score (listed in "
        f"{tmp_path / 'o2' / 'run.json'})\n"
    ) in err


def test_an_annotated_format_without_its_inputs_says_so(
    tmp_path: Path, fake_settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    """A newcomer ran `--format xliff` on a .po file (and `--format po` on a .txt) and got
    no copy and not a word: a copy keeps its input's format. The run now says so."""
    (tmp_path / "b.po").write_text(PO, encoding="utf-8")
    (tmp_path / "c.txt").write_text("Hello there.\n", encoding="utf-8")
    base = ["--model", "fake", "--calibration", str(fake_settings.calibration)]
    rc = cli.main(
        ["check", str(tmp_path / "b.po"), str(tmp_path / "c.txt"), "-o", str(tmp_path / "o")]
        + ["--format", "csv,xliff,po,tmx", *base]
    )
    err = capsys.readouterr().err
    assert rc == 0
    assert (tmp_path / "o" / "annotated" / "b.po").is_file()
    assert [line for line in err.splitlines() if "--format" in line] == [
        "mtqa: --format xliff: no .xlf or .xliff input, so no annotated xliff copy is written "
        "(a copy keeps its input's format)",
        "mtqa: --format tmx: no .tmx input, so no annotated tmx copy is written "
        "(a copy keeps its input's format)",
    ]
    summary = run_check(
        [str(tmp_path / "c.txt")],
        dataclasses.replace(fake_settings, formats=("csv", "po")),
        tmp_path / "o2",
        lambda s: FakeScorer(),
    )
    assert summary.notices == [
        "--format po: no .po input, so no annotated po copy is written (a copy keeps its "
        "input's format)"
    ]


def test_unsupported_type_names_the_translation_formats(tmp_path: Path) -> None:
    from mtqa.readers import read_inputs

    (tmp_path / "notes.md").write_text("# notes\n", encoding="utf-8")
    [failure] = list(read_inputs([str(tmp_path / "notes.md")]))
    assert str(failure) == (
        f"{tmp_path / 'notes.md'}: unsupported file type '.md'; use .txt, .jsonl, .tsv, .csv, "
        ".xlf, .xliff, .po, .tmx"
    )


def test_a_broken_translation_file_costs_only_itself(tmp_path: Path) -> None:
    from mtqa.readers import read_inputs

    (tmp_path / "a.xlf").write_text('<xliff version="1.2"><file>\n<body></file>', "utf-8")
    (tmp_path / "b.txt").write_text("Fine.\n", encoding="utf-8")
    items = list(read_inputs([str(tmp_path)]))
    assert [type(i).__name__ for i in items] == ["Failure", "Document"]
    assert str(items[0]).startswith(f"{tmp_path / 'a.xlf'}:2: not well-formed XML")


NO_UNITS = (
    "no translated units to score (no translation unit in the file); remove it or add translations"
)


@pytest.mark.parametrize(
    ("name", "content", "why"),
    [
        ("empty.po", "", "empty file: no translated units to score; remove it or add translations"),
        (
            "empty.xlf",
            "",
            "empty file: no translated units to score; remove it or add translations",
        ),
        (
            "blank.tmx",
            "\n  \n",
            "2 lines of only whitespace: no translated units to score; remove it or add "
            "translations",
        ),
        ("hdr.po", 'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n', NO_UNITS),
        (
            "nobody.tmx",
            '<tmx version="1.4"><header srclang="fr" adminlang="en" segtype="sentence" '
            'o-tmf="x" creationtool="x" creationtoolversion="1" datatype="plaintext"/></tmx>',
            NO_UNITS,
        ),
        (
            "nounits.xlf",
            '<xliff version="1.2"><file original="a" source-language="fr" datatype="plaintext">'
            "<body/></file></xliff>",
            NO_UNITS,
        ),
        (
            "notarget.xlf",
            '<xliff version="1.2"><file original="a" source-language="fr" datatype="plaintext">'
            '<body>\n<trans-unit id="1"><source>Un</source></trans-unit>\n'
            '<trans-unit id="2"><source>Deux</source></trans-unit>\n</body></file></xliff>',
            "no translated units to score (all 2 units skipped: untranslated: no target); "
            "translate them or leave the file out",
        ),
        (
            "mixed.po",
            'msgid "a"\nmsgstr ""\n\nmsgid "b"\nmsgstr " "\n\nmsgid "c"\nmsgstr ""\n',
            "no translated units to score (all 3 units skipped: 2 untranslated: empty target, "
            "1 target is only whitespace); translate them or leave the file out",
        ),
    ],
)
def test_a_translation_file_with_nothing_to_score_fails_alone(
    tmp_path: Path, fake_settings: Settings, name: str, content: str, why: str
) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / name).write_text(content, encoding="utf-8")
    (folder / "ok.po").write_text('msgid "Salut"\nmsgstr "Hi there."\n', encoding="utf-8")
    out = tmp_path / "out"
    summary = run_check([str(folder)], fake_settings, out, lambda s: FakeScorer())
    assert [str(f) for f in summary.failures] == [f"{folder / name}: {why}"]
    assert [r["id"] for r in segments(out)] == ["ok:1"]
    assert run_json(out)["failures"] == [f"{folder / name}: {why}"]


PO_HEAD = 'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n\n'
XLF_DUP = (
    '<xliff version="1.2"><file original="a" source-language="fr" datatype="plaintext">'
    '<body>\n<trans-unit id="1"><source>Un</source><target/></trans-unit>\n'
    '<trans-unit id="1"><source>Un</source><target>One.</target></trans-unit>\n</body></file>'
    "</xliff>"
)


@pytest.mark.parametrize(
    ("name", "content", "whys"),
    [
        (  # the only entry fails: its error, and no "no translation unit in the file"
            "esc.po",
            PO_HEAD + 'msgid "a"\nmsgstr "Hel\\0lo"\n',
            [":6: the escape \\0 is a NUL character (U+0000); remove it"],
        ),
        (
            "raw.po",
            PO_HEAD + 'msgid "a"\nmsgstr "Hel\0lo"\n\nmsgid "b"\nmsgstr "B\\0"\n',
            [
                ":6: NUL byte at byte 85 (0x00); remove it",
                ":9: the escape \\0 is a NUL character (U+0000); remove it",
            ],
        ),
        (  # one failed, one skipped: the count says both
            "mixed.po",
            PO_HEAD + 'msgid "a"\nmsgstr "Hel\\0lo"\n\nmsgid "b"\nmsgstr ""\n',
            [
                ":6: the escape \\0 is a NUL character (U+0000); remove it",
                ": no translated units to score (1 failed, 1 skipped: untranslated: empty "
                "target); fix the failed ones or leave the file out",
            ],
        ),
        (  # a duplicate of a skipped unit: the first is not "scored"
            "dup.xlf",
            XLF_DUP,
            [
                ":3: duplicate unit id '1' (first seen at line 2); unit ids must be unique "
                "within a file: the first is skipped (untranslated: empty target)",
                ": no translated units to score (1 failed, 1 skipped: untranslated: empty "
                "target); fix the failed ones or leave the file out",
            ],
        ),
    ],
)
def test_a_translation_file_whose_units_fail_gets_their_errors_only(
    tmp_path: Path, fake_settings: Settings, name: str, content: str, whys: list[str]
) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / name).write_text(content, encoding="utf-8")
    (folder / "ok.po").write_text('msgid "Salut"\nmsgstr "Hi there."\n', encoding="utf-8")
    out = tmp_path / "out"
    summary = run_check([str(folder)], fake_settings, out, lambda s: FakeScorer())
    assert [str(f) for f in summary.failures] == [f"{folder / name}{why}" for why in whys]
    assert [r["id"] for r in segments(out)] == ["ok:1"]


def test_readers_modules_stay_small() -> None:
    import mtqa.readers

    folder = Path(mtqa.readers.__file__).parent
    sizes = {p.name: len(p.read_text(encoding="utf-8").splitlines()) for p in folder.glob("*.py")}
    assert set(sizes) == {"__init__.py", "decode.py", "walk.py", "rows.py", "ids.py"}
    assert max(sizes.values()) <= 400, sizes


# ------------------------------------------------------------------ 4. pairing across lines

TARGET = "The storm hit the coast on Monday.\nRoads were closed. Schools shut for two days.\n"
REFERENCE = (
    "The storm reached the coast on Monday. It was strong.\n"
    "Roads and schools were closed for two days.\n"
)
SOURCE = (
    "La tempête a frappé la côte lundi. Elle était forte.\n"
    "Les routes et les écoles ont été fermées pendant deux jours.\n"
)


def test_pairing_never_crosses_a_line_end() -> None:
    doc = Document("storm", TARGET, "t.txt")
    sents = segment(doc)
    assert len(sents) == len(segment(Document("r", REFERENCE, "r.txt"))) == 3  # equal totals
    for other in (REFERENCE, SOURCE):
        pairing = pair_units(doc, sents, other)
        assert pairing.level == "line"
        assert [(u.sentences, u.line, u.other) for u in pairing.units] == [
            ((0,), 1, other.splitlines()[0]),
            ((1, 2), 2, other.splitlines()[1]),
        ]
    # lines with the same sentences on both sides still pair sentence by sentence
    same = "The storm reached the coast on Monday.\nRoads shut. Schools shut for two days.\n"
    assert pair_units(doc, sents, same).level == "sentence"


def test_reference_metrics_per_line_when_lines_split_differently(
    tmp_path: Path, fake_settings: Settings
) -> None:
    (tmp_path / "t.txt").write_text(TARGET, encoding="utf-8")
    (tmp_path / "r.txt").write_text(REFERENCE, encoding="utf-8")
    settings = Settings(
        model="fake", calibration=fake_settings.calibration, reference=str(tmp_path / "r.txt")
    )
    out = tmp_path / "out"
    run_check([str(tmp_path / "t.txt")], settings, out, lambda s: FakeScorer())
    line1 = sentence_scores("The storm hit the coast on Monday.", REFERENCE.splitlines()[0])
    line2 = sentence_scores(TARGET.splitlines()[1], REFERENCE.splitlines()[1])
    rows = csv_rows(out)
    assert [r["ref_level"] for r in rows] == ["line"] * 3
    assert [float(r["chrf"]) for r in rows] == [line1["chrf"], line2["chrf"], line2["chrf"]]
    assert line2["chrf"] > 40  # not 9.1, as "Roads were closed." against "It was strong."


# ------------------------------------------------------------------ 5. an empty reference


def test_empty_reference_line_is_no_zero(tmp_path: Path, fake_settings: Settings) -> None:
    target = "The vote was on Monday.\nThe law passed.\nIt takes effect in May.\n"
    reference = "The vote took place on Monday.\n\u200b \nIt comes into force in May.\n"
    (tmp_path / "t.txt").write_text(target, encoding="utf-8")
    (tmp_path / "r.txt").write_text(reference, encoding="utf-8")
    settings = Settings(
        model="fake", calibration=fake_settings.calibration, reference=str(tmp_path / "r.txt")
    )
    out = tmp_path / "out"
    run_check([str(tmp_path / "t.txt")], settings, out, lambda s: FakeScorer())
    rows = csv_rows(out)
    assert [r["ref_level"] for r in rows] == ["sentence", "", "sentence"]
    assert [r["chrf"] != "" for r in rows] == [True, False, True]
    assert [r["bleu"] == "" and r["ter"] == "" for r in rows] == [False, True, False]
    [doc] = segments(out)
    assert (
        "reference is empty for sentence 2 (1 of 3 sentences): no chrF/BLEU/TER for its "
        "sentences, and left out of the corpus scores"
    ) in doc["notes"]
    corpus = CorpusStats()
    lines = reference.splitlines()
    corpus.add(["The vote was on Monday.", "It takes effect in May."], [lines[0], lines[2]])
    refs = run_json(out)["references"]
    assert refs["pairs"] == 2 and refs["pairs_excluded"] == 1
    assert refs["excluded_note"] == (
        "1 unit(s) with an empty reference (an empty line or cell): not scored, and left out "
        "of the corpus scores"
    )
    assert {n: refs["corpus"][n]["score"] for n in ("chrf", "bleu", "ter")} == corpus.scores()


def test_empty_reference_line_at_line_level(tmp_path: Path) -> None:
    doc = Document("d", "One. Two.\nThree.\nFour.\n", "t.txt")
    pairing = pair_units(doc, segment(doc), "One and two.\n\nFour.\n")
    assert pairing.level == "line"
    assert [u.line for u in pairing.units] == [1, 3] and [u.line for u in pairing.empty] == [2]
    from mtqa.checks.references import document_metrics

    columns, metrics, notes = document_metrics(
        Document("d", doc.text, "t.txt", reference="One and two.\n\nFour.\n"), segment(doc)
    )
    assert [c[1][1] is None for c in columns] == [False, False, True, False]
    assert dict(metrics)["ref_pairs"] == 2
    assert notes[-1] == (
        "reference is empty for line 2 (1 of 3 lines): no chrF/BLEU/TER for its sentences, "
        "and left out of the corpus scores"
    )


@pytest.mark.parametrize("value", ["", "  ", "\u200b", "\ufeff\u00a0"])
def test_invisible_reference_or_source_cell_is_none(tmp_path: Path, value: str) -> None:
    from mtqa.readers import read_inputs

    path = tmp_path / "m.jsonl"
    rec = {"id": "a", "target": "Hello.", "reference": value, "source": value}
    path.write_text(json.dumps(rec) + "\n", encoding="utf-8")
    [doc] = list(read_inputs([str(path)]))
    assert isinstance(doc, Document) and doc.reference is None and doc.source is None


# ------------------------------------------------------------------ 7. a late interrupt

SIGNED = "fake@sha256:0123456789ab/float32"


class SignedScorer(FakeScorer):
    """The fake scorer with a real-looking signature (hash and dtype), counting its work."""

    def __init__(self, log: list[str] | None = None) -> None:
        super().__init__()
        self.log = log if log is not None else []

    def signature(self) -> str:
        return SIGNED

    def score(self, texts: Sequence[str], *args: Any, **kwargs: Any) -> Any:
        self.log.extend(texts)
        return super().score(texts, *args, **kwargs)


@pytest.fixture(scope="module")
def signed_settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    xs = [1.0 + i / 100 for i in range(500)] * 3
    det = fit_percentile_detector(xs, model=SIGNED, source="synthetic", minor_pct=99.0)
    path = tmp_path_factory.mktemp("cal") / "signed.json"
    path.write_text(det.to_json(), encoding="utf-8")
    return Settings(model="fake", calibration=str(path))


def no_load(settings: Settings) -> FakeScorer:
    raise AssertionError("the model was loaded, though nothing was left to score")


def _inputs(tmp_path: Path) -> list[str]:
    folder = tmp_path / "in"
    folder.mkdir()
    for i in range(3):
        (folder / f"d{i}.txt").write_text(f"Article {i} opens. It ends here.\n", "utf-8")
    return [str(folder)]


def test_late_interrupt_resumes_to_the_same_bytes(
    tmp_path: Path, signed_settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    inputs = _inputs(tmp_path)
    ref = tmp_path / "ref"
    run_check(inputs, signed_settings, ref, lambda s: SignedScorer())
    assert run_json(ref)["model"] == SIGNED

    import mtqa.pipeline

    real_write = mtqa.pipeline.write_reports

    def killed(*args: Any, **kwargs: Any) -> None:
        raise KeyboardInterrupt  # every document scored and stored, no report yet

    out = tmp_path / "out"
    monkeypatch.setattr(mtqa.pipeline, "write_reports", killed)
    with pytest.raises(KeyboardInterrupt):
        run_check(inputs, signed_settings, out, lambda s: SignedScorer())
    monkeypatch.setattr(mtqa.pipeline, "write_reports", real_write)
    summary = run_check(inputs, signed_settings, out, no_load)  # nothing left: no model load
    assert summary.resumed == 3 and SIGNED in summary.signature
    for name in OUTPUTS:
        assert (out / name).read_bytes() == (ref / name).read_bytes(), name
    assert run_json(out)["signature"] == run_json(ref)["signature"]
    assert run_json(out)["model"] == SIGNED

    # killed even before the signature was kept: the model is loaded for it, not scored
    for p in (out / ".mtqa-parts").glob("model.*.txt"):
        p.unlink()
    (out / "run.json").unlink()
    log: list[str] = []
    run_check(inputs, signed_settings, out, lambda s: SignedScorer(log))
    assert log == []
    for name in OUTPUTS:
        assert (out / name).read_bytes() == (ref / name).read_bytes(), name
    assert run_json(out)["signature"] == run_json(ref)["signature"]


# ------------------------------------------------------------------ 8. saving inside a document


class StoppingScorer(FakeScorer):
    """Counts the windows it runs; Ctrl-C at forward call number ``stop_at``."""

    def __init__(self, windows: list[int], stop_at: int | None = None) -> None:
        super().__init__(window=64, overlap=16)
        self.windows, self.stop_at, self.n_forward = windows, stop_at, 0

    def forward(self, batch: Sequence[Sequence[int]]) -> list[ForwardOutput]:
        self.n_forward += 1
        if self.stop_at is not None and self.n_forward >= self.stop_at:
            raise KeyboardInterrupt
        self.windows.append(len(batch))
        return super().forward(batch)


def stopping(windows: list[int], stop_at: int | None = None) -> Callable[[Any], FakeScorer]:
    return lambda settings: StoppingScorer(windows, stop_at)


def _long_article(tmp_path: Path) -> str:
    path = tmp_path / "long.txt"
    text = "".join(f"Sentence number {i} of the long report is here. " for i in range(300))
    path.write_text(text + "\n", encoding="utf-8")
    return str(path)


def test_ctrl_c_inside_one_long_document_keeps_the_windows_scored(
    tmp_path: Path, fake_calibration: Path
) -> None:
    settings = Settings(  # no suggestions: the scorer counts the scoring pass's windows
        model="fake",
        calibration=str(fake_calibration),
        window=64,
        overlap=16,
        batch_size=4,
        suggest=False,
    )
    inputs = [_long_article(tmp_path)]
    ref_windows: list[int] = []
    ref = tmp_path / "ref"
    run_check(inputs, settings, ref, stopping(ref_windows))
    total = sum(ref_windows)
    assert total > 40  # a long document: many windows

    out = tmp_path / "out"
    events: list[tuple[str, int]] = []
    first: list[int] = []
    with pytest.raises(KeyboardInterrupt):
        run_check(
            inputs, settings, out, stopping(first, stop_at=6), lambda e, n: events.append((e, n))
        )
    assert sum(first) == 20  # five batches of four windows were scored
    assert len(list((out / ".mtqa-parts" / "windows").glob("*.json"))) == 20
    assert not list((out / ".mtqa-parts").glob("*.json"))  # the document is not finished
    moved = sum(n for e, n in events if e == "sentences")
    assert 0 < moved < 300 and not [e for e, _ in events if e == "docs"]  # the bar moved

    events.clear()
    rest: list[int] = []
    run_check(inputs, settings, out, stopping(rest), lambda e, n: events.append((e, n)))
    assert sum(rest) == total - 20  # only the windows not scored before
    for name in OUTPUTS:
        assert (out / name).read_bytes() == (ref / name).read_bytes(), name
    assert not (out / ".mtqa-parts" / "windows").exists()  # removed once the run completed
    tally = {e: sum(n for k, n in events if k == e) for e in ("resumed", "sentences", "total")}
    assert tally["resumed"] + tally["sentences"] == tally["total"] == 300
    assert 0 < tally["resumed"] < 300


def test_ctrl_c_in_a_group_of_30_documents_keeps_the_scored_ones(
    tmp_path: Path, fake_calibration: Path
) -> None:
    settings = Settings(
        model="fake", calibration=str(fake_calibration), batch_size=4, suggest=False
    )  # no suggestions: the scorer counts the scoring pass's windows
    folder = tmp_path / "in"
    folder.mkdir()
    for i in range(30):
        (folder / f"d{i:02d}.txt").write_text(f"Report {i} is short. It ends.\n", "utf-8")
    out = tmp_path / "out"
    first: list[int] = []
    with pytest.raises(KeyboardInterrupt):
        run_check([str(folder)], settings, out, stopping(first, stop_at=4))
    assert sum(first) == 12
    rest: list[int] = []
    summary = run_check([str(folder)], settings, out, stopping(rest))
    assert sum(rest) == 18 and summary.documents == 30


def test_progress_bar_shows_token_rate() -> None:
    import io

    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    f = Tty()
    bar = cli.ProgressBar(f)
    bar("total", 10)
    bar("tokens", 500)
    bar("sentences", 3)
    bar("tokens", 500)
    bar("docs", 1)
    bar.bar.refresh()
    bar.close()
    text = f.getvalue()
    assert "3/10" in text and "sentences/s" in text and "1 doc, " in text and "tok/s" in text


# ------------------------------------------------------------------ 10. the model, named first


@pytest.mark.parametrize(
    "model,what",
    [
        ("smollm2", "not a preset; " + MODELS + " model folder; did you mean 'smollm2-135m'?"),
        ("Gemma3", "not a preset; " + MODELS + " model folder; did you mean 'gemma3-270m'?"),
        ("/nonexistent", "no such file or folder; " + MODELS + " model folder"),
        ("model.gguf", "no such file or folder; " + MODELS + " model folder"),
    ],
)
def test_a_wrong_model_name_is_named_before_the_detector(
    tmp_path: Path, model: str, what: str
) -> None:
    (tmp_path / "a.txt").write_text("Hello there.\n", encoding="utf-8")
    with pytest.raises(ModelError) as err:
        run_check([str(tmp_path / "a.txt")], Settings(model=model), tmp_path / "out")
    assert str(err.value) == f"model={model!r}: {what}"  # a Python call: the keyword
    assert not (tmp_path / "out").exists()


def test_a_model_path_that_is_no_model(tmp_path: Path) -> None:
    from mtqa.pipeline import check_model_name

    (tmp_path / "weights.bin").write_bytes(b"x")
    (tmp_path / "folder").mkdir()
    for name, what in [
        ("weights.bin", "a file, but not a .gguf file"),
        ("folder", "a folder without config.json, so not a transformers model folder"),
    ]:
        with pytest.raises(ModelError) as err:
            check_model_name(str(tmp_path / name))
        assert str(err.value) == (f"model={str(tmp_path / name)!r}: {what}; {MODELS} model folder")


def test_cli_model_typo(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    Path("a.txt").write_text("Hello there.\n", encoding="utf-8")
    assert cli.main(["check", "a.txt", "--model", "smollm2", "--quiet"]) == 1
    assert capsys.readouterr().err == (
        f"mtqa: error: --model 'smollm2': not a preset; {MODELS} model folder; did you mean "
        "'smollm2-135m'?\n"
    )


# ------------------------------------------------------------------ 14. --format ""


@pytest.mark.parametrize("value", ["", ",", " , "])
def test_no_format_is_a_usage_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], value: str
) -> None:
    monkeypatch.chdir(tmp_path)
    Path("a.txt").write_text("Hello there.\n", encoding="utf-8")
    assert cli.main(["check", "a.txt", "--model", "fake", "--format", value]) == 2
    assert capsys.readouterr() == (
        "",
        f"mtqa: error: --format '': no format named: choose from {','.join(FORMATS)}\n",
    )
    assert not Path("reports").exists()


# ------------------------------------------------------------------ 15. a full disk


class FullDisk:
    """A file whose every write fails as on a full disk (no file name in the error)."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner

    def write(self, data: Any) -> int:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    def __enter__(self) -> FullDisk:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.inner.close()

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)


@pytest.mark.parametrize(
    "target",
    [
        "sentences.csv",
        "segments.jsonl",
        "report.html",
        "summary.csv",
        "summary.png",
        "run.json",
        ".mtqa-parts/PART",
    ],
)
def test_a_full_disk_names_the_file(
    target: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    fake_calibration: Path,
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(cli, "load_scorer", lambda s: FakeScorer())
    argv = ["check", "a.txt", "-o", "out", "--model", "fake", "--calibration"]
    argv += [str(fake_calibration), "--quiet"]
    Path("a.txt").write_text("The council met on Monday. It approved the budget.\n", "utf-8")
    assert cli.main(argv) == 0
    before = {p.name: p.read_bytes() for p in Path("out").iterdir() if p.is_file()}
    Path("a.txt").write_text("The council met on Tuesday. It approved the budget.\n", "utf-8")
    capsys.readouterr()

    real = os.fdopen
    name = Path(target).name

    def fdopen(fd: int, *args: Any, **kwargs: Any) -> Any:
        f = real(fd, *args, **kwargs)
        path = os.readlink(f"/proc/self/fd/{fd}")
        part = "/.mtqa-parts/." in path and "/.mtqa-parts/.run.pending." not in path
        full = name in Path(path).name if name != "PART" else part
        return FullDisk(f) if full else f

    monkeypatch.setattr(os, "fdopen", fdopen)
    assert cli.main(argv) == 1
    err = capsys.readouterr().err
    if name == "PART":
        [part] = [p for p in Path("out/.mtqa-parts").glob("*.json") if p.name not in before]
        where = "out/.mtqa-parts/"
        assert err.startswith(f"mtqa: error: {where}") and err.endswith(
            ".json: cannot write "
            "(No space left on device); free some space or choose another folder\n"
        )
    else:
        assert err == (
            f"mtqa: error: out/{name}: cannot write (No space left on device); free some space "
            "or choose another folder\n"
        )
    after = {p.name: p.read_bytes() for p in Path("out").iterdir() if p.is_file()}
    if name not in ("summary.png", "run.json"):  # those come after the reports are renamed
        assert after == before  # the earlier run's reports, complete
    assert not [p for p in Path("out").rglob("*") if p.name.endswith(".tmp")]


# ------------------------------------------------------------------ 17. French numbers


@pytest.mark.parametrize("sep", [" ", "\u00a0", "\u202f"], ids=["space", "NBSP", "NNBSP"])
@pytest.mark.parametrize("number", ["1 000,5", "2 350,75", "12 345 678,9", "10 000"])
def test_french_number_span_covers_the_whole_number(sep: str, number: str) -> None:
    number = number.replace(" ", sep)
    text = f"The fund holds {number} euros."
    [span] = FRENCH_NUMBERS.check(text, 100)
    assert (span.start - 100, span.end - 100, span.text) == (15, 15 + len(number), number)
    assert span.reason == (
        f"French number format {number!r} (decimal comma, spaced thousands, 14h30, 1er, XXe, n°)"
    )
