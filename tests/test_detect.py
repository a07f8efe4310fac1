"""The detector: logistic fit, thresholds at a stated clean false-alarm rate, spans."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

from mtqa.analyse import analyse
from mtqa.detect import Detector, detect_lm, load_detector
from mtqa.features import FEATURES, sentence_features
from mtqa.lm.fake import FakeScorer
from mtqa.quality.calibrate import calibrate, pseudo_docs, rows_from_tokens
from mtqa.quality.fit import SentenceRows, fit_detector, fit_logistic, rate_threshold
from mtqa.quality.synth import make_records
from mtqa.records import Document, WordScore
from mtqa.settings import Settings


def row(s: float, **kw: float) -> list[float]:
    r = [0.0] * len(FEATURES)
    r[FEATURES.index("s")] = s
    for k, v in kw.items():
        r[FEATURES.index(k)] = v
    return r


def test_logistic_fit_learns_the_signal() -> None:
    rng = random.Random(1)
    rows, labels = [], []
    for _ in range(2000):
        bad = rng.random() < 0.1
        rows.append(row(rng.gauss(15 if bad else 5, 2), h=rng.gauss(5, 1)))
        labels.append(int(bad))
    mean, scale, w, b = fit_logistic(rows, labels, ("s", "h"))
    det = Detector("m", ("s", "h"), tuple(mean), tuple(scale), tuple(w), b, 0.5, 0.9, "t", 0)
    lo, hi = det.probabilities([row(4.0, h=5.0), row(16.0, h=5.0)])
    assert lo < 0.01 and hi > 0.99
    assert abs(w[1]) < abs(w[0])  # the noise feature weighs less


@pytest.mark.parametrize(
    ("scores", "always", "rate", "expected_flagged"),
    [
        ([0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0], [False] * 10, 0.2, 2),
        ([0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0], [True] + [False] * 9, 0.2, 2),
        ([0.5] * 10, [False] * 10, 0.2, 0),  # ties: flag none rather than all
        ([0.1] * 10, [True] * 3 + [False] * 7, 0.2, 3),  # the rules alone exceed the budget
    ],
)
def test_rate_threshold(
    scores: list[float], always: list[bool], rate: float, expected_flagged: int
) -> None:
    t = rate_threshold(scores, always, rate)
    assert sum(1 for s, a in zip(scores, always) if s >= t or a) == expected_flagged


def clean_and_fit() -> tuple[list[SentenceRows], list[SentenceRows]]:
    rng = random.Random(2)
    fit, clean = [], []
    for _ in range(300):
        n = rng.randrange(5, 15)
        rows = [row(rng.gauss(5, 2)) for _ in range(n)]
        labels = [0] * n
        if rng.random() < 0.5:
            k = rng.randrange(n)
            rows[k] = row(rng.gauss(14, 3))
            labels[k] = 1
        fit.append(SentenceRows(rows, labels, False, False))
    for i in range(400):
        n = rng.randrange(5, 15)
        rows = [row(rng.gauss(5, 2)) for _ in range(n)]
        clean.append(SentenceRows(rows, [0] * n, i % 50 == 0, i % 25 == 0))
    return fit, clean


def test_fit_detector_meets_the_clean_rates() -> None:
    fit, clean = clean_and_fit()
    det = fit_detector(fit, clean, "m", "synthetic", 0.05, 0.15, kind="lr")
    worst = [max(det.probabilities(s.rows)) for s in clean]
    major = sum(1 for w, s in zip(worst, clean) if w >= det.major or s.rule_major) / len(clean)
    flag = sum(1 for w, s in zip(worst, clean) if w >= det.minor or s.rule_any) / len(clean)
    assert major <= 0.05 and flag <= 0.15
    assert flag > 0.10  # the budget is used, not wasted
    assert det.minor <= det.major
    assert det.meta["clean_major_rate"] == pytest.approx(major)
    again = Detector.from_json(det.to_json(), "x")
    assert again == det and again.detector_id == det.detector_id


def test_v0_threshold_file_still_loads(tmp_path: Path) -> None:
    p = tmp_path / "old.json"
    p.write_text(
        json.dumps(
            {
                "kind": "surprisal-threshold",
                "model": "m",
                "minor": 10.0,
                "major": 20.0,
                "source": "s",
                "n_words": 5,
            }
        ),
        encoding="utf-8",
    )
    det = load_detector("m", str(p))
    lo, mid, hi = det.probabilities([row(9.0), row(15.0), row(21.0)])
    assert lo < det.minor <= mid < det.major <= hi


def words_of(text: str, costs: dict[str, float]) -> list[WordScore]:
    from mtqa.align import items

    return [
        WordScore(s, e, text[s:e], costs.get(text[s:e], 2.0), 1, 4.0, kind)  # type: ignore[arg-type]
        for s, e, kind in items(text)
    ]


def test_spans_merge_across_punctuation_and_keep_offsets() -> None:
    text = "Intro. The mere idea — bloop, zork — and insupports Russia."
    det = Detector("m", ("s",), (0.0,), (1.0,), (1.0,), -10.0, 0.5, 0.99, "t", 0)
    words = words_of(text, {"bloop": 12.0, "zork": 13.0, "insupports": 16.0})
    start = text.index("The")
    sent_words = [w for w in words if w.start >= start]
    spans, probs = detect_lm(text, sent_words, sentence_features(text, sent_words), det)
    assert len(probs) == len([w for w in words if w.start >= start])
    assert [(s.text, s.severity) for s in spans] == [
        ("bloop, zork", "minor"),
        ("insupports", "major"),
    ]
    for s in spans:
        assert text[s.start : s.end] == s.text and s.source == "lm"
    assert "insupports" in spans[1].reason and "bits" in spans[1].reason


def test_features_see_names_and_glued_quotes() -> None:
    text = "He met Kouleba and “proof” came."
    words = words_of(text, {})
    rows = sentence_features(text, words)
    by = {w.text: dict(zip(FEATURES, r)) for w, r in zip(words, rows)}
    assert by["Kouleba"]["cap_mid"] == 1.0 and by["He"]["cap_mid"] == 0.0
    assert by["proof"]["glued"] == 1.0 and by["met"]["glued"] == 0.0
    assert by["Kouleba"]["unknown"] == 1.0 and by["met"]["unknown"] == 0.0


def test_calibrate_end_to_end_with_the_fake_scorer(tmp_path: Path, shared_dir: Path) -> None:
    out = tmp_path / "fake.calibration.json"
    path, det = calibrate(
        str(shared_dir / "calibration" / "clean_en.txt"),
        Settings(model="fake"),
        lambda s: FakeScorer(),
        str(out),
        limit=400,
    )
    assert path == out and load_detector("fake", str(out)) == det
    assert det.meta["clean_major_rate"] <= 0.05 and det.meta["clean_flag_rate"] <= 0.15
    assert det.meta["fit_errors"] > 50
    # reproducible: fitting again on the same lines writes the same file, byte for byte
    again = tmp_path / "again.json"
    calibrate(
        str(shared_dir / "calibration" / "clean_en.txt"),
        Settings(model="fake"),
        lambda s: FakeScorer(),
        str(again),
        limit=400,
    )
    assert again.read_bytes() == out.read_bytes()


def test_calibration_rows_come_from_the_check_analysis() -> None:
    """``mtqa calibrate`` fits on what ``mtqa check`` computes: the same feature rows (the
    detector's probabilities equal) and the same check spans, sentence by sentence."""
    lines = [
        "The minister announced a new agreement on Thursday.",
        "Prices rose by 3,5 % in the United States. is that right ?",
        "He said « no » and the the talks ended.",
        "Selon him, the librairy insupports the plan.",
    ] * 3
    records = make_records(lines, seed=3, rate=0.5)
    docs = pseudo_docs(records, lines_per_doc=4)
    scorer = FakeScorer()
    tokens = scorer.score([text for text, _ in docs])
    rows = rows_from_tokens(docs, tokens)
    det = Detector("fake", ("s",), (0.0,), (1.0,), (1.0,), -5.5, 0.5, 0.9, "t", 0)
    results = [
        analyse(Document("cal", text, "<calibration>"), toks, det)
        for (text, _), toks in zip(docs, tokens)
    ]
    sentences = [s for r in results for s in r.sentences]
    assert len(sentences) == len(rows)
    for sent, r in zip(sentences, rows):
        checks = [sp for sp in sent.spans if sp.source != "lm"]
        assert r.rule_any == bool(checks)
        assert r.rule_major == any(sp.severity == "major" for sp in checks)
        lm = [sp.score for sp in sent.spans if sp.source == "lm"]
        probs = det.probabilities(r.rows)
        assert len(r.rows) == len(sent.words)
        if lm:
            assert max(lm) == round(max(probs), 4)


def test_a_detector_for_another_model_is_refused(tmp_path: Path) -> None:
    from mtqa.errors import CalibrationError
    from mtqa.pipeline import run_check

    det = Detector(
        "smollm2-135m@sha256:abc", ("s",), (0.0,), (1.0,), (1.0,), -10.0, 0.5, 0.9, "t", 0
    )
    det.check_model("smollm2-135m@sha256:abc/bfloat16")  # another dtype is fine
    cal = tmp_path / "other.json"
    cal.write_text(det.to_json(), encoding="utf-8")
    doc = tmp_path / "a.txt"
    doc.write_text("A sentence.", encoding="utf-8")
    with pytest.raises(
        CalibrationError, match="fitted for smollm2-135m@sha256:abc, but the model is fake"
    ):
        run_check(
            [str(doc)],
            Settings(model="fake", calibration=str(cal)),
            tmp_path / "out",
            lambda s: FakeScorer(),
        )


def test_operating_points_pick_thresholds() -> None:
    from dataclasses import replace

    from mtqa.detect import Detector, operating_point
    from mtqa.errors import CalibrationError, UsageError

    base = Detector("m", ("s",), (0.0,), (1.0,), (1.0,), 0.0, 0.3, 0.6, "src", 10)
    det = replace(
        base,
        meta={
            "operating_points": {
                "low": {"minor": 0.5, "major": 0.8},
                "high": {"minor": 0.1, "major": 0.4},
            }
        },
    )
    assert operating_point(det) is det
    assert (operating_point(det, "low").minor, operating_point(det, "low").major) == (0.5, 0.8)
    assert (operating_point(det, "high").minor, operating_point(det, "high").major) == (0.1, 0.4)
    assert (
        operating_point(det, threshold=0.7).minor,
        operating_point(det, threshold=0.7).major,
    ) == (0.7, 0.7)
    assert operating_point(det, "high", 0.2).minor == 0.2
    with pytest.raises(CalibrationError, match="no 'low' operating point"):
        operating_point(base, "low")
    with pytest.raises(UsageError, match="^sensitivity='loud': choose"):
        operating_point(det, "loud")
    with pytest.raises(UsageError, match="^threshold=1.5: must"):
        operating_point(det, threshold=1.5)


@pytest.mark.parametrize(
    ("text", "word", "expected"),
    [
        ("Details are at https://www.city-hall.org today.", "org", 0.0),
        ("Write to info.desk@city-hall.org today.", "desk", 0.0),
        ("The file budget.v2.pdf lists every cost.", "v2", 0.0),
        ("The conflict in the United States. is rebel.", "is", 1.0),
        # a list item's marker after a full stop starts the list's next item
        ("Affected by this document. b. The next one.", "b", 0.0),
        ("It is yours. iv) You may share it.", "iv", 0.0),
        ("It was hers. b.c is a file.", "b", 1.0),
        # an abbreviation's stop, as the segmenter and the broken-join rule read it (one list)
        ("Bring fruit, e.g. the apples.", "the", 0.0),
        ("The train leaves at 7 a.m. on weekdays.", "on", 0.0),
        ("He works for Acme Inc. as an engineer.", "as", 0.0),
        ("Add 2 tbsp. of sugar.", "of", 0.0),
        ("The U.S. officials and J. the poet met.", "the", 0.0),
        ("He saw a. man in the street.", "man", 1.0),  # MT's join, not an abbreviation
    ],
)
def test_a_full_stop_inside_a_token_is_no_sentence_end(
    text: str, word: str, expected: float
) -> None:
    """``lower_after_stop`` fires after a stop and a space only, and not after an
    abbreviation's (issue 10.5: one list for the segmenter, the rules and the features)."""
    words = words_of(text, {})
    rows = sentence_features(text, words)
    k = next(i for i, w in enumerate(words) if w.text == word)
    assert rows[k][FEATURES.index("lower_after_stop")] == expected


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("Details at https://www.city-hall.org.", ["https://www.city-hall.org"]),
        ("Write to info.desk@city-hall.org today.", ["info.desk@city-hall.org"]),
        ("The file budget.v2.pdf lists every cost.", ["budget.v2.pdf"]),
        ("The U.S. and a Ph.D. at 7 a.m. on Monday.", []),
        ("The conflict in the United States.is rebel.", []),  # a glued join stays language
        # format placeholders of software strings (a newcomer's PO file got LM flags on them)
        ("The government announced 3 million for %s.", ["%s"]),
        ("%d files deleted, %1$s and %.2f and %(name)s!", ["%d", "%1$s", "%.2f", "%(name)s"]),
        ("Hello {0}, you have {count} new {{item}}s.", ["{0}", "{count}", "{{item}}"]),
        ("About 50% of people, 100%% sure, a 5 % d rise.", []),  # percentages stay language
        # Objective-C's %@ and Qt's %1..%99 (a PO c-format string got an LM flag on %@)
        ("Deleted %@ and %1 of %2, then %10 %%.", ["%@", "%1", "%2", "%10"]),
        ("Up 50%1 or %%1 and %100 stay language.", []),
        # hashes, keys, UUIDs (a 24 KB hex hash got an LM flag); hyphenated words stay language
        ("Commit 9f86d081884c7d65a1b2 landed.", ["9f86d081884c7d65a1b2"]),
        (
            "Key dGhpc2lzYWtleTE2== and 123e4567-e89b-12d3-a456-426614174000.",
            ["dGhpc2lzYWtleTE2==", "123e4567-e89b-12d3-a456-426614174000"],
        ),
        ("A well-to-do-in-2021 fashion, COVID-19, 20221130235959 and counterrevolutionaries.", []),
    ],
)
def test_machine_tokens_are_not_language(text: str, found: list[str]) -> None:
    from mtqa.machine import machine_tokens

    assert [text[a:b] for a, b in machine_tokens(text)] == found


def test_no_lm_flag_inside_a_web_address() -> None:
    text = "Details are at https://www.city-hall.org today."
    words = words_of(text, {"city": 30.0, "hall": 30.0, "org": 30.0, "Details": 30.0})
    det = Detector("fake", ("s",), (0.0,), (1.0,), (1.0,), -5.5, 0.5, 0.9, "t", 0)
    spans, _ = detect_lm(text, words, sentence_features(text, words), det)
    assert [sp.text for sp in spans] == ["Details"]


def test_no_lm_flag_on_a_format_placeholder() -> None:
    """``%d files files deleted`` got a major LM flag on ``d`` and a fix deleting it, which
    would break the string; the repeated word is still the rules' to flag."""
    text = "Deleted %d files and %(name)s left {0} today."
    costly = {"d": 30.0, "%": 30.0, "name": 30.0, "s": 30.0, "0": 30.0, "today": 30.0}
    words = words_of(text, costly)
    det = Detector("fake", ("s",), (0.0,), (1.0,), (1.0,), -5.5, 0.5, 0.9, "t", 0)
    spans, _ = detect_lm(text, words, sentence_features(text, words), det)
    assert [sp.text for sp in spans] == ["today"]


def test_no_lm_flag_on_a_replacement_character() -> None:
    """U+FFFD is the replacement-char rule's (a lost character): an LM span on it proposed
    deleting it ('caf�' -> 'caf') and stayed under --ignore replacement-char."""
    text = "The caf\ufffd opened today."
    words = words_of(text, {"\ufffd": 30.0, "today": 30.0})
    assert any(w.text == "\ufffd" for w in words)
    det = Detector("fake", ("s",), (0.0,), (1.0,), (1.0,), -5.5, 0.5, 0.9, "t", 0)
    spans, probs = detect_lm(text, words, sentence_features(text, words), det)
    assert [sp.text for sp in spans] == ["today"]
