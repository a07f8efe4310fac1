"""``mtqa eval``'s inputs: reading gold and run files, and finding each gold record in the run.

Every case here was once silent or a traceback: a record matched inside another document's
word, an id with a stray space or a repeated line sent to the wrong document, a capitalised
severity scored as neither major nor minor, a broken file read as a Python exception.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from mtqa.cli import main
from mtqa.errors import InputError
from mtqa.quality.evaluate import evaluate


def doc(
    doc_id: str,
    text: str,
    spans: list[tuple[int, int, str]] = (),  # type: ignore[assignment]
    sents: list[tuple[int, int, float]] | None = None,
) -> dict[str, Any]:
    """A segments.jsonl record as `mtqa check` writes it (the fields eval reads)."""
    return {
        "id": doc_id,
        "text": text,
        "spans": [{"start": s, "end": e, "severity": v} for s, e, v in spans],
        "sentences": [
            {"sent_id": k + 1, "start": s, "end": e, "score": sc}
            for k, (s, e, sc) in enumerate(sents or [(0, len(text), 0.5)])
        ],
    }


def write(tmp: Path, gold: list[Any], docs: list[dict[str, Any]]) -> tuple[str, str]:
    """gold.jsonl (records, or raw lines as str) and run/segments.jsonl; their paths."""
    g = tmp / "gold.jsonl"
    g.write_text(
        "".join((r if isinstance(r, str) else json.dumps(r)) + "\n" for r in gold),
        encoding="utf-8",
    )
    run = tmp / "run"
    run.mkdir(exist_ok=True)
    (run / "segments.jsonl").write_text(
        "".join(json.dumps(d) + "\n" for d in docs), encoding="utf-8"
    )
    (run / "run.json").write_text('{"signature": "mtqa:test"}\n', encoding="utf-8")  # no notice
    return str(g), str(run)


def rec(gid: str | None, target: str, *spans: tuple[int, int, str], **more: Any) -> dict:
    r: dict[str, Any] = {} if gid is None else {"id": gid}
    r["target"] = target
    r["spans"] = [{"start": s, "end": e, "severity": v} for s, e, v in spans]
    return r | more


def error(tmp: Path, gold: list[Any], docs: list[dict[str, Any]]) -> str:
    g, run = write(tmp, gold, docs)
    with pytest.raises(InputError) as exc:
        evaluate(g, run)
    return str(exc.value)


# ------------------------------------------------------------------------- matching


def test_a_record_is_never_matched_inside_another_documents_word(tmp_path: Path) -> None:
    """Gold 'cat' of document b was found in a's "concatenation" and scored F1 1.0."""
    docs = [doc("a", "The concatenation is fine.", [(7, 10, "major")]), doc("b", "A dog.")]
    msg = error(tmp_path, [rec("b", "cat", (0, 3, "major"))], docs)
    assert msg == (
        f"{tmp_path / 'gold.jsonl'}:1: gold record 'b': document 'b' of the run does not hold "
        "its target 'cat' (as its text, a line or a phrase); fix the target, or the id if "
        "the record belongs to another document"
    )
    # without an id it is searched everywhere, and still never inside a word
    msg = error(tmp_path, [rec("x", "cat", (0, 3, "major"))], docs)
    assert "gold record 'x': not in this run" in msg


def test_a_phrase_at_word_boundaries_is_found(tmp_path: Path) -> None:
    docs = [doc("a", "The cat sat. It purred.", [(4, 7, "major")]), doc("b", "A dog.")]
    g, run = write(tmp_path, [rec("g", "The cat sat.", (4, 7, "major"))], docs)
    ev = evaluate(g, run)
    assert ev.overall["span_recall"] == 1.0 and ev.overall["span_precision"] == 1.0


def test_an_id_with_spaces_names_the_id_it_means(tmp_path: Path) -> None:
    """Gold id 'doc2 ' silently took doc1's copy of the same sentence."""
    docs = [doc("doc1", "It rained."), doc("doc2", "It rained.", [(3, 9, "major")])]
    msg = error(tmp_path, [rec("doc2 ", "It rained.", (3, 9, "major"))], docs)
    assert msg.endswith(
        "gold record 'doc2 ': no document of the run has the id 'doc2 ', but one has "
        "'doc2'; remove the spaces around the id"
    )


def test_a_target_in_two_documents_is_ambiguous(tmp_path: Path) -> None:
    docs = [doc("doc1", "It rained."), doc("doc2", "It rained.", [(3, 9, "major")])]
    msg = error(tmp_path, [rec("g1", "It rained.", (3, 9, "major"))], docs)
    assert msg.endswith(
        "gold record 'g1': ambiguous: documents 'doc1', 'doc2' all hold its target; give "
        "the record the id of its document"
    )
    g, run = write(tmp_path, [rec("doc2", "It rained.", (3, 9, "major"))], docs)
    assert evaluate(g, run).overall["span_recall"] == 1.0  # the id picks the document


def test_a_repeated_line_needs_the_line_field(tmp_path: Path) -> None:
    """Both copies of 'Yes.' went to the first one: the error on line 3 was never seen."""
    d = doc("doc", "Yes.\nNo.\nYes.", [(9, 12, "major")], [(0, 4, 0.1), (5, 8, 0.1), (9, 13, 0.9)])
    gold = [rec("L1", "Yes."), rec("L3", "Yes.", (0, 3, "major"))]
    msg = error(tmp_path, gold, [d])
    assert msg.startswith(f"{tmp_path / 'gold.jsonl'}:1: gold record 'L1': ambiguous:")
    assert msg.endswith(
        "its target is 2 times in document 'doc' (lines 1, 3); add a \"line\" field "
        "(1-based) to say which (1 more of the 2 records: not matched either)"
    )
    g, run = write(
        tmp_path, [rec("L1", "Yes.", line=1), rec("L3", "Yes.", (0, 3, "major"), line=3)], [d]
    )
    ev = evaluate(g, run)
    assert ev.overall["span_recall"] == 1.0 and ev.overall["clean_flag_rate"] == 0.0
    assert ev.overall["sentence_auroc"] == 1.0


def test_a_line_field_that_does_not_hold_the_target_is_an_error(tmp_path: Path) -> None:
    d = doc("doc", "Yes.\nNo.\nYes.")
    msg = error(tmp_path, [rec("g", "Yes.", line=2)], [d])
    assert msg.endswith(
        "gold record 'g': \"line\": 2, but its target is at line 1 of 'doc', 3 of 'doc'; "
        "fix the line field"
    )


def test_unmatched_documents_and_second_raters_are_noticed(tmp_path: Path) -> None:
    seg = {"system": "S", "doc_id": "d", "seg_id": "0"}
    gold = [
        rec("r1", "The cat sat.", (4, 7, "major"), rater="A", **seg),
        rec("r2", "The cat sat.", rater="B", **seg),
        rec("c", "All good.", system="S", doc_id="d", seg_id="1"),
    ]
    docs = [doc("r1", "The cat sat.", [(4, 7, "major")]), doc("r2", "The cat sat.")]
    docs += [doc("c", "All good."), doc("extra", "Not annotated.")]
    g, run = write(tmp_path, gold, docs)
    ev = evaluate(g, run)
    assert ev.overall["records"] == 3  # each rater's record is scored on its own
    assert list(ev.notices) == [
        f"{Path(run) / 'segments.jsonl'}: 1 of the run's 4 documents match no gold record "
        "(the first: 'extra'); they are not evaluated",
        f"{g}: 3 records annotate 2 segments (same system, doc_id and seg_id): 1 record of a "
        "further rater; each record is scored on its own, so such a segment counts once per "
        "rater",
    ]
    assert json.loads(json.dumps(ev.as_dict()))["notices"] == list(ev.notices)


def test_the_command_prints_the_notices_on_stderr(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    g, run = write(tmp_path, [rec("a", "One.")], [doc("a", "One."), doc("b", "Two.")])
    assert main(["eval", g, run]) == 0
    err = capsys.readouterr().err
    assert err == (
        f"mtqa: {Path(run) / 'segments.jsonl'}: 1 of the run's 2 documents match no gold "
        "record (the first: 'b'); they are not evaluated\n"
    )


# ------------------------------------------------------------------------- severities


@pytest.mark.parametrize("severity", ["major", "Major", " MAJOR ", "critical", "Critical"])
def test_severity_case_and_mqm_critical(tmp_path: Path, severity: str) -> None:
    """'Major' and 'critical' counted as neither major nor minor: WMT23 F1 0.5, 0/0 major."""
    docs = [doc("a", "The cat sat.", [(4, 7, "major")])]
    g, run = write(tmp_path, [rec("a", "The cat sat.", (4, 7, severity))], docs)
    ev = evaluate(g, run)
    assert ev.overall["wmt23_f1"] == 1.0 and ev.overall["major_found"] == "1/1"


@pytest.mark.parametrize(
    ("span", "message"),
    [
        (
            {"start": 4, "end": 7, "severity": "neutral"},
            "span 1 (4-7): severity 'neutral' is not major or minor (nor MQM's critical, read "
            "as major); write one of those",
        ),
        (
            {"start": 4, "end": 7},
            'span 1 (4-7) has no \'severity\'; add "severity": "major" or "minor"',
        ),
        (
            {"start": 4, "end": 7, "severity": 2},
            "span 1 (4-7): severity 2 is not major or minor (nor MQM's critical, read as "
            "major); write one of those",
        ),
    ],
)
def test_an_unknown_or_missing_severity_names_the_line(
    tmp_path: Path, span: dict[str, Any], message: str
) -> None:
    gold = [rec("a", "The cat sat."), {"id": "b", "target": "The cat sat.", "spans": [span]}]
    assert error(tmp_path, gold, [doc("a", "The cat sat.")]) == (
        f"{tmp_path / 'gold.jsonl'}:2: {message}"
    )


# ------------------------------------------------------------------------- gold format


@pytest.mark.parametrize(
    ("line", "message"),
    [
        (
            json.dumps(rec("e", "")),
            "'target' is empty: it would match any document; fill it with the annotated "
            "text or drop the record",
        ),
        (
            json.dumps(rec("e", "  ")),
            "'target' is empty: it would match any document; fill it with the annotated "
            "text or drop the record",
        ),
        (
            '{"id": "a", "target": "The cat sat.", "spans": [{"start": 4.7, "end": 7.9, '
            '"severity": "major"}]}',
            "span 1: 'start' is 4.7, not a whole number; offsets are end-exclusive character "
            "offsets into 'target'",
        ),
        (
            json.dumps(rec("a", "The cat sat.", (4, 4, "major"))),
            "span 1 (4-4) is empty: a span covers at least one character and 'end' is "
            "exclusive (the character at 4 is 4-5); fix its end or drop the span",
        ),
        (
            json.dumps(rec("a", "The cat sat.", (4, 70, "major"))),
            "span 1 (4-70) is outside the target text (0-12); offsets are end-exclusive "
            "character offsets into 'target', 0 <= start < end <= 12, counted in code points "
            "(an emoji is 1, not 2 as in UTF-16; an accented letter 1, not 2 as in UTF-8 bytes)",
        ),
        (
            '{"id": "a", "target": "The cat sat.", "spans": {"start": 4, "end": 7}}',
            '\'spans\' must be a list, got dict; write {"id", "target", "spans": '
            '[{"start", "end", "severity", "category"}]}',
        ),
        (
            '{"id": "a", "text": "The cat sat.", "spans": []}',
            "no 'target' field with the annotated text (the record has 'text': rename it to "
            "'target'); mtqa eval reads JSON lines, one gold record per line: "
            '{"id", "target", "spans": [{"start", "end", "severity", "category"}]}',
        ),
        (
            '[{"id": "a", "target": "The cat sat.", "spans": []}]',
            "expected a JSON object per line, got list; mtqa eval reads JSON lines, one gold "
            'record per line: {"id", "target", "spans": [{"start", "end", "severity", '
            '"category"}]}',
        ),
        *(
            (
                json.dumps(rec("a", "The cat sat.", line=bad)),
                f"'line' is {bad!r}, not a whole number from 1: the 1-based line of the "
                "document that holds the target, or absent",
            )
            for bad in (0, 0.0, 2.5, "2", True)
        ),
        (
            '{"id": 1.5, "target": "The cat sat.", "spans": []}',
            "'id' must be a string or an integer, got 1.5; write the id of the run's document "
            'as a JSON string ("...") or leave it out',
        ),
    ],
)
def test_a_malformed_gold_record_names_its_line(tmp_path: Path, line: str, message: str) -> None:
    gold = [rec("a", "The cat sat."), line]
    assert error(tmp_path, gold, [doc("a", "The cat sat.")]) == (
        f"{tmp_path / 'gold.jsonl'}:2: {message}"
    )


@pytest.mark.parametrize(
    ("first", "what"),
    [
        ("id\ttarget\tstart\tend\tseverity", "this looks like a tab-separated file"),
        ("mt_model\tdoc_id\tseg_id\ttarget\terror_start\terror_end", "tab-separated"),
        ("id,target,start,end,severity", "this looks like a CSV file"),
    ],
)
def test_a_tsv_or_csv_gold_file_says_what_eval_reads(tmp_path: Path, first: str, what: str) -> None:
    msg = error(tmp_path, [first, "a1\tThe cat sat.\t4\t7\tmajor"], [doc("a", "x")])
    assert msg.startswith(
        f"{tmp_path / 'gold.jsonl'}:1: not valid JSON (Expecting value at column 1);"
    )
    assert what in msg
    assert msg.endswith(
        "not JSON lines; mtqa eval reads JSON lines, one gold record per line: "
        '{"id", "target", "spans": [{"start", "end", "severity", "category"}]}'
    )


def test_a_gold_file_that_is_not_utf8_names_the_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    g, run = write(tmp_path, [rec("a", "The cat sat.")], [doc("a", "The cat sat.")])
    Path(g).write_bytes(
        b'{"id": "a", "target": "The cat sat.", "spans": []}\n{"target": "caf\xe9"}\n'
    )
    assert main(["eval", g, run]) == 1
    assert capsys.readouterr().err == (
        f"mtqa: error: {g}:2: invalid UTF-8 at byte 66 (0xe9); convert the file to UTF-8 "
        "(`iconv -f CHARSET -t UTF-8`)\n"
    )


def test_a_file_without_records(tmp_path: Path) -> None:
    assert error(tmp_path, ["", "  "], [doc("a", "x")]) == (
        f"{tmp_path / 'gold.jsonl'}: 2 lines of only whitespace and no gold record; mtqa eval "
        "reads JSON lines, one gold "
        'record per line: {"id", "target", "spans": [{"start", "end", "severity", "category"}]}'
    )


def test_a_runs_segments_jsonl_given_as_gold_is_named_as_such(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The run's own flags as gold would score the run perfectly: the message must not tell
    the user to rename 'text' to 'target' and carry on."""
    g, run = write(
        tmp_path, [rec("a", "The cat sat.")], [doc("a", "The cat sat.", [(4, 7, "major")])]
    )
    seg = str(Path(run) / "segments.jsonl")
    assert main(["eval", seg, run]) == 1
    assert capsys.readouterr().err == (
        f"mtqa: error: {seg}:1: a record of the segments.jsonl `mtqa check` writes, not a gold "
        "record: its spans are the run's own flags, so scoring a run against them measures "
        "nothing; pass the file of hand-marked spans; mtqa eval reads JSON lines, one gold "
        'record per line: {"id", "target", "spans": [{"start", "end", "severity", "category"}]}\n'
    )


@pytest.mark.parametrize(
    ("given", "message"),
    [
        ("run/segments.jsonl", "a file, not a folder; pass its folder, '{tmp}/run'"),
        ("gold.jsonl", "a file, not a folder; pass the output folder of `mtqa check` (its -o DIR)"),
        ("nowhere", "no such folder; pass the output folder of `mtqa check` (its -o DIR)"),
    ],
)
def test_a_run_dir_that_is_no_folder_says_what_to_pass(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], given: str, message: str
) -> None:
    g, _ = write(tmp_path, [rec("a", "The cat sat.")], [doc("a", "The cat sat.")])
    assert main(["eval", g, str(tmp_path / given)]) == 1
    want = message.format(tmp=tmp_path)
    assert capsys.readouterr().err == f"mtqa: error: {tmp_path / given}: {want}\n"


# ------------------------------------------------------------------------- the run


RERUN = "not a segments.jsonl record: it is written by `mtqa check --format jsonl`: rerun "
RERUN += "that rather than edit the file"


@pytest.mark.parametrize(
    ("line", "message"),
    [
        (
            '{"id": "a", "text": "The cat sat."',
            "not valid JSON (Expecting ',' delimiter at column 35)",
        ),
        ('{"id": "a", "text": "The cat sat.", "sentences": []}', "no 'spans' field"),
        (
            json.dumps(doc("a", "The cat sat.") | {"spans": {"start": 1}}),
            "'spans' is dict, not list",
        ),
        (
            json.dumps(doc("a", "The cat sat.", sents=[(0, 12, "high")])),  # type: ignore[list-item]
            "sentence 1: score 'high' is not a number from 0 to 1",
        ),
        (
            json.dumps(doc("a", "The cat sat.", sents=[(0, 12, 1.5)])),
            "sentence 1: score 1.5 is not a number from 0 to 1",
        ),
        (
            json.dumps(doc("a", "The cat sat.", [(4, 70, "major")])),
            "span 1 (4-70) is outside the text (0-12)",
        ),
        (
            json.dumps(doc("a", "The cat sat.", [(4, 7, "Major")])),
            "span 1: severity 'Major' is not major or minor",
        ),
        ('["a"]', "expected a JSON object, got list"),
    ],
)
def test_a_damaged_run_names_the_line_without_a_traceback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], line: str, message: str
) -> None:
    g, run = write(tmp_path, [rec("a", "The cat sat.")], [doc("a", "The cat sat.")])
    seg = Path(run) / "segments.jsonl"
    seg.write_text(seg.read_text(encoding="utf-8") + line + "\n", encoding="utf-8")
    assert main(["eval", g, run]) == 1
    assert capsys.readouterr().err == f"mtqa: error: {seg}:2: {message}; {RERUN}\n"


def test_a_run_joining_two_runs_of_one_document_is_an_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Two runs' segments.jsonl joined (cat a/segments.jsonl b/segments.jsonl): a record with
    the id was looked for in the first copy only and the second counted as unmatched."""
    first = doc("a", "The cat sat.")
    second = doc("a", "The cat sat.", [(4, 7, "major")])
    g, run = write(tmp_path, [rec("a", "The cat sat.", (4, 7, "major"))], [first, second])
    assert main(["eval", g, run]) == 1
    seg = Path(run) / "segments.jsonl"
    assert capsys.readouterr().err == (
        f"mtqa: error: {seg}:2: document id 'a' again (first at line 1): `mtqa check` writes "
        "each document once, so this file joins several runs; evaluate each run on its own\n"
    )


def test_a_run_that_is_not_utf8(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    g, run = write(tmp_path, [rec("a", "The cat sat.")], [doc("a", "The cat sat.")])
    seg = Path(run) / "segments.jsonl"
    seg.write_bytes(b'{"id": "a", "text": "caf\xe9"}\n')
    assert main(["eval", g, run]) == 1
    assert capsys.readouterr().err == (
        f"mtqa: error: {seg}:1: invalid UTF-8 at byte 24 (0xe9); convert the file to UTF-8 "
        "(`iconv -f CHARSET -t UTF-8`)\n"
    )


# ------------------------------------------------------------------ ids and repeated records


def test_an_id_that_names_no_document_is_noticed(tmp_path: Path) -> None:
    """A mistyped id ('dco2') silently fell back to searching every document."""
    docs = [doc("doc1", "It rained."), doc("doc2", "The sun came out.", [(4, 7, "major")])]
    gold = [rec("doc1", "It rained."), rec("dco2", "The sun came out.", (4, 7, "major"))]
    g, run = write(tmp_path, gold, docs)
    ev = evaluate(g, run)
    assert ev.overall["span_recall"] == 1.0  # found, in the one document that holds it
    assert list(ev.notices) == [
        f"{g}: 1 record of 2 with an id that names no document of the run ('dco2'; the run's "
        "ids: 'doc1', 'doc2'); each was looked for in every document and found there: if an "
        "id should name its document, fix it"
    ]
    gold = [rec(f"seed-{k}", f"Line {k} is here.", line=k) for k in range(1, 5)]
    g, run = write(tmp_path, gold, [doc("article", "\n".join(r["target"] for r in gold))])
    # no id names a document (the seed's seed-N): ids of their own, not mistyped ones
    assert list(evaluate(g, run).notices) == []


def test_a_record_repeated_without_rater_fields_is_noticed(tmp_path: Path) -> None:
    """Two records with one id and target and contradicting spans were both scored, silently."""
    docs = [doc("a", "The cat sat.", [(4, 7, "major")]), doc("b", "All good.")]
    gold = [
        rec("a", "The cat sat.", (4, 7, "major")),
        rec("b", "All good."),
        rec("a", "The cat sat."),
        rec("b", "All good."),
    ]
    g, run = write(tmp_path, gold, docs)
    ev = evaluate(g, run)
    assert ev.overall["records"] == 4
    assert list(ev.notices) == [
        f"{g}: 2 repeated records (the target of an earlier record at the same place of the "
        "run, without system, doc_id and seg_id, 1 of them with other spans; the first: line "
        "3 ('a'), as line 1); each record is scored on its own, so such a text counts once "
        "per record: delete the repeats, or mark several raters' records with system, doc_id "
        "and seg_id"
    ]
    # marked as two raters' annotations of one segment: the raters notice, not this one
    seg = {"system": "S", "doc_id": "d", "seg_id": "0"}
    g, run = write(
        tmp_path, [rec("a", "The cat sat.", **seg), rec("a", "The cat sat.", **seg)], docs[:1]
    )
    (notice,) = evaluate(g, run).notices
    assert "further rater" in notice


@pytest.mark.parametrize(
    ("text", "target"),
    [
        ("A cat-like smile.", "like"),
        ("A cat-like smile.", "cat"),
        ("They don't know.", "don"),
        ("They don’t know.", "t know"),
        ("The well-known-ish rule.", "known"),
    ],
)
def test_a_hyphen_or_apostrophe_joins_one_word(tmp_path: Path, text: str, target: str) -> None:
    """Target 'like' matched inside 'cat-like': a piece of a word, as mtqa.text.WORD reads it."""
    msg = error(tmp_path, [rec(None, target)], [doc("a", text)])
    assert "this gold record: not in this run" in msg


@pytest.mark.parametrize(
    ("text", "target"),
    [
        ("A cat-like smile.", "cat-like"),
        ("A cat-like smile.", "A cat-like"),
        ("He said 'like' twice.", "like"),
        ("A cat - like that.", "like"),
        ("Dogs' toys.", "Dogs"),
    ],
)
def test_words_beside_a_free_hyphen_or_quote_are_found(
    tmp_path: Path, text: str, target: str
) -> None:
    g, run = write(tmp_path, [rec(None, target)], [doc("a", text)])
    assert evaluate(g, run).overall["records"] == 1


def test_integral_floats_are_whole_numbers_in_every_field(tmp_path: Path) -> None:
    """ "start": 4.0 was taken but "line": 2.0 refused: one rule now, for all three fields."""
    d = doc("doc", "Yes.\nNo cat.", [(8, 11, "major")])
    as_ints = rec("g", "No cat.", (3, 6, "major"), line=2)
    as_floats = rec("g", "No cat.", line=2.0)
    as_floats["spans"] = [{"start": 3.0, "end": 6.0, "severity": "major"}]
    g, run = write(tmp_path, [as_ints], [d])
    want = evaluate(g, run).overall
    g, run = write(tmp_path, [as_floats], [d])
    assert evaluate(g, run).overall == want and want["span_recall"] == 1.0
