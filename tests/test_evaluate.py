"""``mtqa eval``: metric definitions (table-driven) and the command on a fake run."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mtqa.cli import main
from mtqa.errors import InputError
from mtqa.quality.evaluate import GoldSpan, Unit, auroc, evaluate, mcc, score_units
from mtqa.settings import Settings


@pytest.mark.parametrize(
    ("pos", "neg", "expected"),
    [
        ([3.0, 4.0], [1.0, 2.0], 1.0),
        ([1.0, 2.0], [3.0, 4.0], 0.0),
        ([1.0], [1.0], 0.5),
        ([2.0, 0.0], [1.0], 0.5),
        ([1.0, 3.0], [2.0, 2.0, 0.0], 4 / 6),
        ([], [1.0], None),
    ],
)
def test_auroc(pos: list[float], neg: list[float], expected: float | None) -> None:
    assert auroc(pos, neg) == (None if expected is None else pytest.approx(expected))


@pytest.mark.parametrize(
    ("counts", "expected"),
    [((5, 0, 0, 5), 1.0), ((0, 5, 5, 0), -1.0), ((0, 0, 0, 10), 0.0), ((2, 1, 1, 6), 0.5238)],
)
def test_mcc(counts: tuple[int, int, int, int], expected: float) -> None:
    assert mcc(*counts) == pytest.approx(expected, abs=1e-4)


def unit(
    text: str, gold: list[tuple[int, int, str]], pred: list[tuple[int, int, str]], score: float
) -> Unit:
    return Unit(
        "u", text, tuple(GoldSpan(s, e, sev, "c") for s, e, sev in gold), tuple(pred), score
    )


def test_span_and_word_scores() -> None:
    text = "the cat sat on the mat"
    units = [
        # one gold span found (overlap), one false flag
        unit(
            text, [(4, 7, "major"), (15, 18, "minor")], [(5, 10, "minor"), (19, 22, "major")], 0.9
        ),
        unit(text, [], [(0, 3, "major")], 0.8),  # clean, flagged major
        unit(text, [], [], 0.1),
    ]
    d = score_units(units).as_dict()
    assert d["gold_spans"] == 2 and d["flags"] == 3
    assert d["span_precision"] == pytest.approx(1 / 3, abs=1e-4)
    assert d["span_recall"] == 0.5
    assert d["major_found"] == "1/1"
    assert d["clean_flag_rate"] == 0.5 and d["clean_major_rate"] == 0.5
    assert d["sentence_auroc"] == 1.0
    # words: u1 cat(tp) sat(fp) the2(fn) mat(fp); u2 the(fp); tn = 6 - 4 + 6 - 1 + 6 = 13
    assert d["word_mcc"] == pytest.approx(mcc(1, 3, 1, 13), abs=1e-4)
    # chars: gold 'cat','the'(6); pred 'at s','mat','the'(but 'the' of u2 not gold) -> tp 'at'
    assert 0 < d["char_f1"] < 0.5


def fake_run(tmp: Path, docs: list[dict]) -> Path:
    run = tmp / "run"
    run.mkdir()
    (run / "segments.jsonl").write_text(
        "".join(json.dumps(d) + "\n" for d in docs), encoding="utf-8"
    )
    (run / "run.json").write_text(json.dumps({"signature": "mtqa:test"}), encoding="utf-8")
    return run


def test_gold_lines_found_in_a_document(tmp_path: Path) -> None:
    text = "First line here.\nSecond line massaging.\nFirst line here."
    doc = {
        "id": "article",
        "text": text,
        "sentences": [
            {"start": 0, "end": 16, "score": 0.1},
            {"start": 17, "end": 39, "score": 0.9},
            {"start": 40, "end": 56, "score": 0.2},
        ],
        "spans": [{"start": 29, "end": 38, "severity": "major"}],
    }
    gold = tmp_path / "gold.jsonl"
    recs = [
        {"id": "g1", "line": 1, "target": "First line here.", "spans": []},
        {
            "id": "g2",
            "line": 2,
            "target": "Second line massaging.",
            "spans": [{"start": 12, "end": 21, "severity": "major", "category": "false-friend"}],
        },
        {"id": "g3", "line": 3, "target": "First line here.", "spans": []},
    ]
    gold.write_text("".join(json.dumps(r) + "\n" for r in recs), encoding="utf-8")
    ev = evaluate(str(gold), str(fake_run(tmp_path, [doc])))
    assert ev.overall["span_precision"] == 1.0 and ev.overall["span_recall"] == 1.0
    assert ev.overall["sentence_auroc"] == 1.0
    assert ev.by_category["false-friend"]["major_found"] == "1/1"
    assert ev.signature == "gold:gold.jsonl|mtqa:test"


def test_eval_command_prints_table_and_writes_json(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    doc = {
        "id": "d",
        "text": "Bad wurd here.",
        "sentences": [{"start": 0, "end": 14, "score": 1}],
        "spans": [],
    }
    gold = tmp_path / "g.jsonl"
    gold.write_text(
        json.dumps(
            {
                "id": "d",
                "target": "Bad wurd here.",
                "spans": [{"start": 4, "end": 8, "severity": "major", "category": "non-word"}],
            }
        )
        + "\n",
        encoding="utf-8",
    )
    run = fake_run(tmp_path, [doc])
    assert main(["eval", str(gold), str(run)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].split()[:4] == ["category", "records", "gold", "flags"]
    assert out[1].split()[:4] == ["all", "1", "1", "0"]
    saved = json.loads((run / "eval.json").read_text(encoding="utf-8"))
    assert saved["overall"]["span_recall"] == 0.0


def test_gold_not_in_run_is_an_input_error(tmp_path: Path) -> None:
    gold = tmp_path / "g.jsonl"
    gold.write_text(
        json.dumps({"id": "x", "target": "Not there.", "spans": []}) + "\n", encoding="utf-8"
    )
    run = fake_run(tmp_path, [{"id": "d", "text": "Other.", "sentences": [], "spans": []}])
    with pytest.raises(InputError, match="not in this run"):
        evaluate(str(gold), str(run))


def test_bad_gold_line_names_the_line(tmp_path: Path) -> None:
    gold = tmp_path / "g.jsonl"
    gold.write_text('{"id": "a", "target": "ok", "spans": []}\n{"id": "b"}\n', encoding="utf-8")
    run = fake_run(tmp_path, [])
    with pytest.raises(InputError) as e:
        evaluate(str(gold), str(run))
    assert e.value.line == 2


def test_eval_reports_the_chrf_correlation_when_references_exist(
    tmp_path: Path, fake_settings: Settings
) -> None:
    from mtqa.lm.fake import FakeScorer
    from mtqa.pipeline import run_check

    recs = [
        {"id": f"r{i}", "target": t, "reference": r}
        for i, (t, r) in enumerate(
            [
                ("The cat sat on the mat.", "The cat sat on the mat."),
                ("He insupports the massaging plan.", "He cannot bear the massing plan."),
                ("Prices rose in March.", "Prices went up in March."),
                ("The zzgov met the cenacle today.", "The government met the forum today."),
            ]
        )
    ]
    src = tmp_path / "in.jsonl"
    src.write_text("".join(json.dumps(r) + "\n" for r in recs), encoding="utf-8")
    run_check([str(src)], fake_settings, tmp_path / "run", lambda s: FakeScorer())
    gold = tmp_path / "g.jsonl"
    gold.write_text(
        "".join(
            json.dumps({"id": r["id"], "target": r["target"], "spans": []}) + "\n" for r in recs
        ),
        encoding="utf-8",
    )
    ev = evaluate(str(gold), str(tmp_path / "run"))
    assert ev.chrf_correlation is not None and ev.chrf_correlation["n"] == 4
    assert ev.chrf_correlation["score"]["spearman"] < 0  # suspicious sentences have lower chrF
    no_ref = tmp_path / "run2"
    src.write_text(
        "".join(json.dumps({"id": r["id"], "target": r["target"]}) + "\n" for r in recs),
        encoding="utf-8",
    )
    run_check([str(src)], fake_settings, no_ref, lambda s: FakeScorer())
    assert evaluate(str(gold), str(no_ref)).chrf_correlation is None


@pytest.mark.parametrize(
    ("gold", "pred", "wmt23", "nosev", "rmaj", "rmin"),
    [
        # gold "cat" major (3 chars); predicted "cat" major: full credit
        ([(4, 7, "major")], [(4, 7, "major")], 1.0, 1.0, 1.0, None),
        # the same span predicted minor: half credit -> P = R = 0.5
        ([(4, 7, "major")], [(4, 7, "minor")], 0.5, 1.0, 1.0, None),
        # predicted "cat sat" major (6 non-space chars), gold "cat" major: P 3/6, R 1
        ([(4, 7, "major")], [(4, 11, "major")], 2 * 0.5 / 1.5, 2 * 0.5 / 1.5, 1.0, None),
        # overlapping gold spans of both severities ("cat", "at sat": 6 gold characters):
        # "at" counts once and either severity fits: P 2/2, R 2/6
        ([(4, 7, "major"), (5, 11, "minor")], [(5, 7, "minor")], 0.5, 0.5, 2 / 3, 0.0),
        # overlapping predictions: the worst severity wins for the shared characters
        (
            [(8, 11, "major")],
            [(8, 11, "minor"), (9, 10, "major")],
            2 * (2 / 3) * (2 / 3) / (4 / 3),
            1.0,
            1.0,
            None,
        ),
        # nothing predicted
        ([(4, 7, "minor")], [], 0.0, 0.0, None, 0.0),
    ],
)
def test_wmt23_character_f1(
    gold: list[tuple[int, int, str]],
    pred: list[tuple[int, int, str]],
    wmt23: float,
    nosev: float,
    rmaj: float | None,
    rmin: float | None,
) -> None:
    """WMT23 QE Task 2: a flagged character counts 1 with the gold severity, 0.5 without."""
    d = score_units([unit("the cat sat on the mat", gold, pred, 0.5)]).as_dict()
    assert d["wmt23_f1"] == pytest.approx(wmt23, abs=1e-4)
    assert d["char_f1"] == pytest.approx(nosev, abs=1e-4)
    assert d["recall_major"] == (None if rmaj is None else pytest.approx(rmaj, abs=1e-4))
    assert d["recall_minor"] == (None if rmin is None else pytest.approx(rmin, abs=1e-4))


def test_operating_points_count_characters_and_records() -> None:
    text = "the cat sat on the mat"
    units = [
        unit(text, [(4, 7, "major")], [(4, 7, "major"), (15, 18, "minor")], 0.9),
        unit(text, [], [(0, 3, "minor")], 0.4),
        unit(text, [(0, 3, "minor")], [], 0.2),
    ]
    d = score_units(units).as_dict()
    assert (d["major_char_precision"], d["major_char_recall"]) == (1.0, 0.5)
    assert (d["major_sentence_precision"], d["major_sentence_recall"]) == (1.0, 0.5)
    assert (d["minor_char_precision"], d["minor_char_recall"]) == (0.3333, 0.5)
    assert (d["minor_sentence_precision"], d["minor_sentence_recall"]) == (0.5, 0.5)


def test_gold_span_whose_text_does_not_match_names_the_line(tmp_path: Path) -> None:
    gold = tmp_path / "g.jsonl"
    rec = {"id": "a", "target": "The cat sat.", "spans": [{"start": 5, "end": 8, "text": "cat"}]}
    gold.write_text(json.dumps(rec) + "\n", encoding="utf-8")
    with pytest.raises(InputError) as e:
        evaluate(str(gold), str(tmp_path))
    assert str(e.value) == (
        f"{gold}:1: span 5-8 says 'cat' but the target has 'at ' there; fix the offsets "
        "(end-exclusive character offsets into 'target') or the span's text"
    )


def test_gold_records_missing_from_the_run_are_all_counted(tmp_path: Path) -> None:
    """The error named one missing record while others were missing too."""
    docs = [{"id": "d1", "text": "One line here.", "spans": [], "sentences": []}]
    gold = tmp_path / "g.jsonl"
    recs = [("g1", "Not scored."), ("g2", "One line here."), ("g3", "Not scored either.")]
    gold.write_text(
        "".join(json.dumps({"id": i, "target": t, "spans": []}) + "\n" for i, t in recs),
        encoding="utf-8",
    )
    run = fake_run(tmp_path, docs)
    with pytest.raises(InputError) as exc:
        evaluate(str(gold), str(run))
    assert str(exc.value) == (
        f"{gold}:1: gold record 'g1': not in this run (no document holds its target "
        "'Not scored.' as its text, a line or a phrase); score the gold targets with "
        "`mtqa check` first (1 more of the 3 records: not matched either)"
    )
    gold.write_text(json.dumps({"id": "g2", "target": "One line here."}) + "\n", encoding="utf-8")
    assert evaluate(str(gold), str(run)).overall["records"] == 1


def test_every_span_category_gets_its_row(tmp_path: Path) -> None:
    """A record with spans of two categories was left out of both rows (seed: 7 of its 14
    error records; 'calque' showed 3 gold spans of 7)."""
    text = "The cenacle met on the steps of Europe."
    gold = tmp_path / "g.jsonl"
    recs = [
        {
            "id": "a",
            "target": text,
            "spans": [
                {"start": 4, "end": 11, "severity": "major", "category": "false-friend"},
                {"start": 19, "end": 38, "severity": "minor", "category": "calque"},
            ],
        },
        {
            "id": "b",
            "target": "A calque on the steps.",
            "spans": [{"start": 12, "end": 21, "severity": "minor", "category": "calque"}],
        },
        {"id": "c", "target": "All good.", "spans": []},
    ]
    gold.write_text("".join(json.dumps(r) + "\n" for r in recs), encoding="utf-8")
    docs = [
        # a's flag lies on the false-friend span only: right for that row, not in calque's
        {
            "id": "a",
            "text": text,
            "sentences": [{"start": 0, "end": 39, "score": 0.9}],
            "spans": [{"start": 4, "end": 11, "severity": "major"}],
        },
        {
            "id": "b",
            "text": recs[1]["target"],
            "sentences": [{"start": 0, "end": 22, "score": 0.8}],
            "spans": [{"start": 12, "end": 21, "severity": "minor"}],
        },
        {
            "id": "c",
            "text": "All good.",
            "sentences": [{"start": 0, "end": 9, "score": 0.1}],
            "spans": [],
        },
    ]
    ev = evaluate(str(gold), str(fake_run(tmp_path, docs)))
    assert sorted(ev.by_category) == ["calque", "false-friend"]
    calque, ff = ev.by_category["calque"], ev.by_category["false-friend"]
    assert (calque["records"], calque["gold_spans"], calque["flags"]) == (3, 2, 1)
    assert (calque["span_recall"], calque["span_precision"]) == (0.5, 1.0)
    assert (ff["records"], ff["gold_spans"], ff["flags"], ff["major_found"]) == (2, 1, 1, "1/1")
    assert (ev.overall["gold_spans"], ev.overall["flags"]) == (3, 2)  # unchanged overall


def _one_doc_run(tmp_path: Path, spans: list[dict]) -> tuple[Path, Path]:
    doc = {
        "id": "d",
        "text": "Bad wurd here.",
        "sentences": [{"start": 0, "end": 14, "score": 0.7}],
        "spans": [{"start": 4, "end": 8, "severity": "major"}],
    }
    gold = tmp_path / "g.jsonl"
    gold.write_text(
        json.dumps({"id": "d", "target": "Bad wurd here.", "spans": spans}) + "\n",
        encoding="utf-8",
    )
    return gold, fake_run(tmp_path, [doc])


def test_without_gold_spans_recall_and_f1_are_undefined(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """With nothing to find, span recall and F1 printed 0.0 as if every error were missed."""
    gold, run = _one_doc_run(tmp_path, [])
    assert main(["eval", str(gold), str(run)]) == 0
    head, row = capsys.readouterr().out.splitlines()[:2]
    cells = dict(zip(head.replace("clean flag", "clean_flag").split(), row.split()))
    assert (cells["R"], cells["F1"], cells["charF1"], cells["P"]) == ("-", "-", "-", "0.0")
    saved = json.loads((run / "eval.json").read_text(encoding="utf-8"))["overall"]
    assert (saved["span_recall"], saved["span_f1"], saved["wmt23_f1"]) == (None, None, None)


def test_eval_json_dash_is_stdout_and_major_found_has_numbers(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """`--json -` wrote a file named '-' (review's '-' is stdout); major_found was a string only."""
    monkeypatch.chdir(tmp_path)
    gold, run = _one_doc_run(tmp_path, [{"start": 4, "end": 8, "severity": "major"}])
    assert main(["eval", str(gold), str(run), "--json", "-"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert not Path("-").exists() and not (run / "eval.json").exists()
    o = out["overall"]
    assert (o["major_found"], o["major_spans_found"], o["gold_major"]) == ("1/1", 1, 1)


def test_eval_json_naming_a_folder_is_refused_first(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    gold, run = _one_doc_run(tmp_path, [])
    (tmp_path / "out").mkdir()
    assert main(["eval", str(gold), str(run), "--json", str(tmp_path / "out")]) == 1
    assert capsys.readouterr().err == (
        f"mtqa: error: {tmp_path / 'out'}: is a folder (--json); name the file to write, "
        f"e.g. {tmp_path / 'out' / 'NAME'}\n"
    )


@pytest.mark.parametrize(
    ("damage", "why"),
    [
        ("missing", "no such file"),
        ("folder", "a folder, not a file"),
        ("{", "not JSON (Expecting property name enclosed in double quotes at line 2)"),
        ("[1]", "no 'signature' in it"),
        ('{"signature": 5}', "no 'signature' in it"),
        (b"\xff", "not UTF-8 text"),
    ],
)
def test_eval_says_why_the_run_signature_is_unknown(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], damage: str | bytes, why: str
) -> None:
    """A run.json missing or unreadable: a notice naming the file (stderr, eval.json), exit 0;
    it once left 'unknown' in the signature without a word (and a list was an internal error)."""
    doc = {"id": "d", "text": "All is well.", "sentences": [{"start": 0, "end": 12, "score": 0}]}
    run = fake_run(tmp_path, [{**doc, "spans": []}])
    (run / "run.json").unlink()
    if damage == "folder":
        (run / "run.json").mkdir()
    elif isinstance(damage, bytes):
        (run / "run.json").write_bytes(damage)
    elif damage != "missing":
        (run / "run.json").write_text(damage + "\n", encoding="utf-8")
    gold = tmp_path / "g.jsonl"
    gold.write_text(json.dumps({"id": "d", "target": "All is well."}) + "\n", encoding="utf-8")
    assert main(["eval", str(gold), str(run), "--json", str(tmp_path / "e.json")]) == 0
    notice = (
        f"{run / 'run.json'}: {why}: the run's signature is 'unknown' in this evaluation (the "
        "settings that made its flags are not named); evaluate the folder mtqa check wrote, "
        "run.json included"
    )
    assert capsys.readouterr().err == f"mtqa: {notice}\n"
    data = json.loads((tmp_path / "e.json").read_text(encoding="utf-8"))
    assert data["signature"] == "gold:g.jsonl|unknown" and data["notices"] == [notice]


def test_an_unreadable_sentences_csv_is_a_notice_and_the_evaluation_goes_on(
    tmp_path: Path,
    fake_settings: Settings,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """eval reads sentences.csv only for the LM score's correlation with chrF, yet one that
    could not be read (not UTF-8, a folder, a FIFO, no permission) stopped it with an
    error. It is a notice now; an unreadable segments.jsonl, which eval needs, stays the
    one-line error."""
    import os

    from mtqa.lm.fake import FakeScorer
    from mtqa.pipeline import run_check

    src = tmp_path / "a.txt"
    src.write_text("The cat sat on the mat.\n", encoding="utf-8")
    run = tmp_path / "run"
    run_check([str(src)], fake_settings, run, lambda s: FakeScorer())
    gold = tmp_path / "g.jsonl"
    gold.write_text(
        json.dumps({"target": "The cat sat on the mat.", "spans": []}) + "\n", encoding="utf-8"
    )
    table = run / "sentences.csv"
    good = json.dumps(evaluate(str(gold), str(run)).overall)
    fix = (
        ": the LM score's correlation with chrF is left out of this evaluation (the flags are "
        "measured from segments.jsonl); rerun the same mtqa check to rewrite sentences.csv "
        "from its stored results, without scoring\n"
    )

    def unreadable(self: Path, *args: object, **kwargs: object) -> object:
        if self.name == "sentences.csv":
            raise PermissionError(13, "Permission denied")
        return open(self, *args, **kwargs)  # type: ignore[call-overload]

    cases = [
        ("not UTF-8 text", lambda: table.write_bytes(b"score,chrf\r\n\xff\r\n")),
        ("a folder", lambda: (table.unlink(), table.mkdir())),
        ("not a regular file: a FIFO", lambda: (table.rmdir(), os.mkfifo(table))),
        (
            "Permission denied",
            lambda: (
                table.unlink(),
                table.write_text("x\n"),
                monkeypatch.setattr(Path, "open", unreadable),
            ),
        ),
    ]
    for why, spoil in cases:
        spoil()
        assert main(["eval", str(gold), str(run), "--json", str(tmp_path / "e.json")]) == 0
        out, err = capsys.readouterr()
        assert err == f"mtqa: {table}: cannot read the table ({why}){fix}", why
        saved = json.loads((tmp_path / "e.json").read_text(encoding="utf-8"))
        assert json.dumps(saved["overall"]) == good and saved["chrf_correlation"] is None
    monkeypatch.undo()
    segments = run / "segments.jsonl"
    segments.unlink()
    segments.mkdir()
    assert main(["eval", str(gold), str(run), "--json", str(tmp_path / "e.json")]) == 1
    assert capsys.readouterr().err == (
        f"mtqa: error: {segments}: is a folder, not a file; it is written by `mtqa check "
        "--format jsonl`: rerun that rather than edit the file\n"
    )
