"""Fitting the detector on professional spans: exported trees, soft labels, the sentence
model, ``mtqa calibrate --gold`` with its score cache."""

from __future__ import annotations

import json
import math
import random
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from mtqa.analyse import analyse, check_counts, sentence_score
from mtqa.detect import Detector
from mtqa.errors import InputError
from mtqa.features import FEATURES, SENTENCE_FEATURES, sentence_row
from mtqa.learned import SentenceModel
from mtqa.lm.fake import FakeScorer
from mtqa.quality.calibrate import ScoreCache, calibrate, gold_rows, gold_segments
from mtqa.quality.fit import ITEM_FEATURES, SentenceRows, export_trees, fit_detector, fit_trees
from mtqa.records import Document
from mtqa.settings import Settings


def row(**kw: float) -> list[float]:
    r = [0.0] * len(FEATURES)
    for k, v in kw.items():
        r[FEATURES.index(k)] = v
    return r


def test_exported_trees_give_sklearns_logits() -> None:
    from sklearn.ensemble import HistGradientBoostingClassifier

    rng = np.random.default_rng(0)
    x = rng.normal(size=(3000, 4))
    y = ((x[:, 0] > 0.3) & (x[:, 1] < 0.5) | (x[:, 2] > 1.5)).astype(int)
    clf = HistGradientBoostingClassifier(max_iter=30, max_leaf_nodes=7, random_state=0)
    clf.fit(x, y)
    trees = export_trees(clf)
    z = rng.normal(size=(500, 4))
    assert np.allclose(trees.logits(z), clf.decision_function(z), atol=1e-9)
    assert len(trees.trees) == 30


def test_soft_labels_become_probabilities() -> None:
    """An item that a third of the raters mark gets a probability near 1/3: rater
    disagreement is kept, not rounded away."""
    rng = random.Random(3)
    rows, labels = [], []
    for _ in range(6000):
        odd = rng.random() < 0.5
        rows.append(row(s=20.0 if odd else 2.0, h=rng.gauss(3, 1)))
        labels.append(1 / 3 if odd else 0.0)
    trees = fit_trees(rows, labels)
    det = Detector("m", FEATURES, (), (), (), 0.0, 0.5, 0.9, "t", 0, trees=trees)
    p_odd, p_plain = det.probabilities([row(s=20.0, h=3.0), row(s=2.0, h=3.0)])
    assert p_odd == pytest.approx(1 / 3, abs=0.03)
    assert p_plain < 0.02


def test_the_sentence_row_reads_every_item() -> None:
    rows = [row(s=3.0, s_minus_h=1.0), row(s=5.0, s_minus_h=-1.0)]
    r = dict(zip(SENTENCE_FEATURES, sentence_row(rows, [0.0, -2.0], 1, 2, 3, True, math.e)))
    assert r["len_log_ratio"] == pytest.approx(1.0) and r["len_log_ratio_sq"] == pytest.approx(1.0)
    assert r["log_words"] == pytest.approx(math.log(3))
    assert r["hazard"] == pytest.approx(math.log(2) + math.log1p(math.exp(-2)))
    assert r["max_logit"] == 0.0 and r["mean_s"] == 4.0 and r["mean_s_minus_h"] == 0.0
    assert (r["rule_major"], r["rule_minor"], r["src_spans"], r["has_source"]) == (1, 2, 3, 1)
    assert (r["log_names"], r["log_numbers"]) == (0.0, 0.0)
    exposed = [row(cap_mid=1.0), row(cap_mid=1.0), row(is_number=1.0), row(s=2.0)]
    e = dict(zip(SENTENCE_FEATURES, sentence_row(exposed, [0.0] * 4, 0, 0, 0, False)))
    assert e["log_names"] == pytest.approx(math.log(3)) and e["log_numbers"] == pytest.approx(
        math.log(2)
    )
    # one more unremarkable item still adds hazard: a longer sentence has more chances
    longer = sentence_row([*rows, row(s=3.0)], [0.0, -2.0, -6.0], 1, 2, 3, True)
    assert longer[SENTENCE_FEATURES.index("hazard")] > r["hazard"]


def fit_and_clean() -> tuple[list[SentenceRows], list[SentenceRows]]:
    rng = random.Random(2)
    fit, clean = [], []
    for _ in range(400):
        n = rng.randrange(5, 25)
        rows = [row(s=rng.gauss(5, 2)) for _ in range(n)]
        labels = [0.0] * n
        if rng.random() < n / 40:  # longer sentences hold errors more often
            k = rng.randrange(n)
            rows[k] = row(s=rng.gauss(14, 3))
            labels[k] = 1.0
        fit.append(SentenceRows(rows, labels, False, False, label=max(labels)))
    for _ in range(300):
        n = rng.randrange(5, 25)
        clean.append(
            SentenceRows([row(s=rng.gauss(5, 2)) for _ in range(n)], [0.0] * n, False, False)
        )
    return fit, clean


def test_the_sentence_model_ranks_sentences_with_errors_first() -> None:
    fit, clean = fit_and_clean()
    det = fit_detector(fit, clean, "m", "synthetic")
    assert det.trees is not None and det.sentence is not None
    assert det.detector_id.startswith(f"gbt{len(ITEM_FEATURES)}:")
    scores = [sentence_score(det, s.rows, det.logits(s.rows), ())[0] for s in fit]
    pos = [sc for sc, s in zip(scores, fit) if s.label]
    neg = [sc for sc, s in zip(scores, fit) if not s.label]
    auc = sum((p > q) + 0.5 * (p == q) for p in pos for q in neg) / (len(pos) * len(neg))
    assert auc > 0.9
    w = dict(zip(SENTENCE_FEATURES, det.sentence.weights))
    assert w["hazard"] > 0 or w["max_logit"] > 0
    # the file round-trips, models included, and the operating points bracket the default
    again = Detector.from_json(det.to_json(), "x")
    assert again == det and again.detector_id == det.detector_id
    low, high = det.meta["operating_points"]["low"], det.meta["operating_points"]["high"]
    assert high["minor"] <= det.minor <= low["minor"]


def test_check_spans_feed_the_sentence_score() -> None:
    from mtqa.records import Span

    fit, clean = fit_and_clean()
    det = fit_detector(fit, clean, "m", "synthetic")
    det = replace(
        det,
        sentence=SentenceModel(
            (0.0,) * len(SENTENCE_FEATURES),
            (1.0,) * len(SENTENCE_FEATURES),
            tuple(2.0 if f == "rule_major" else 0.0 for f in SENTENCE_FEATURES),
            -1.0,
        ),
    )
    major = Span(0, 1, "x", "major", 0.9, "rule:non-word", "r")
    src = Span(0, 1, "x", "major", 0.9, "rule:src-numbers", "r")
    metrics = (("src_level", "sentence"), ("len_ratio", 1.5))
    assert check_counts([major, src], metrics) == (1, 0, 1, True, 1.5)
    assert check_counts([major], (("src_level", None), ("len_ratio", None))) == (
        1,
        0,
        0,
        False,
        None,
    )
    rows = [row(s=1.0)]
    plain = sentence_score(det, rows, [-5.0], ())[0]
    flagged, severity = sentence_score(det, rows, [-5.0], (major,))
    assert flagged > plain and severity == "major"


def write_gold(path: Path, records: list[dict[str, object]]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


def test_gold_segments_merge_raters_and_sample_by_hash(tmp_path: Path) -> None:
    text = "The cat sat on the mat yesterday."
    gold = write_gold(
        tmp_path / "g.jsonl",
        [
            {
                "target": text,
                "source": "猫",
                "spans": [{"start": 4, "end": 7, "severity": "major"}],
            },
            {"target": text, "source": "猫", "spans": []},
            *({"target": f"Line number {i} is fine.", "spans": []} for i in range(20)),
        ],
    )
    segs = gold_segments(str(gold))
    assert len(segs) == 21
    cat = next(g for g in segs if g.target == text)
    assert cat.source == "猫" and sorted(cat.annotations) == [(), ((4, 7),)]
    # a smaller limit is a prefix of a larger one (the cache of a bigger fit serves it)
    assert gold_segments(str(gold), 5) == segs[:5]
    rows = gold_rows([cat], "g", FakeScorer(), ScoreCache(None), 16)
    (sent,) = rows
    assert sent.labels[:3] == [0.0, 0.5, 0.0] and sum(sent.labels) == 0.5  # "cat": 1 of 2 raters
    assert sent.label == 0.5 and sent.group == "g"
    assert dict(sent.metrics)["src_level"] is not None  # the source checks ran


def test_calibrate_on_gold_is_reproducible_from_its_cache(tmp_path: Path, shared_dir: Path) -> None:
    clean = str(shared_dir / "calibration" / "clean_en.txt")
    gold = shared_dir / "mqm_dev" / "zhen_news_2021.jsonl"
    cache = tmp_path / "scores.jsonl"
    first = tmp_path / "a.json"
    _, det = calibrate(
        clean,
        Settings(model="fake"),
        lambda s: FakeScorer(),
        str(first),
        limit=300,
        gold=[str(gold)],
        gold_limit=150,
        score_cache=str(cache),
    )
    assert det.meta["fit_groups"]["zhen_news_2021"] >= 150
    assert "zhen_news_2021 (150 segments)" in det.source
    n_cached = len(cache.read_text(encoding="utf-8").splitlines())
    assert n_cached > 150  # the gold segments and the pseudo-documents
    # everything comes from the cache the second time; the file is the same bytes
    calls: list[int] = []

    class Counting(FakeScorer):
        def score(self, texts, *a, **k):  # type: ignore[no-untyped-def]
            calls.append(len(texts))
            return super().score(texts, *a, **k)

    second = tmp_path / "b.json"
    calibrate(
        clean,
        Settings(model="fake"),
        lambda s: Counting(),
        str(second),
        limit=300,
        gold=[str(gold)],
        gold_limit=150,
        score_cache=str(cache),
    )
    assert second.read_bytes() == first.read_bytes()
    assert sum(calls) == 0
    # the detector in the file is the one a check uses: its sentence scores come from it
    doc = Document("d", "Th cat sat on teh mat.", "d.txt")
    res = analyse(doc, FakeScorer().score([doc.text])[0], det)
    assert 0.0 < res.sentences[0].score < 1.0


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("minor", float("nan"), "minor threshold nan is not a probability"),
        ("major", 1.5, "major threshold 1.5 is not a probability"),
        ("minor", 0.9, "above the major one"),
        ("bias", float("inf"), "not a finite number"),
        ("scale", [0.0], "scale is not > 0"),
        ("features", ["nope"], r"unknown feature\(s\) \['nope'\]; rerun `mtqa calibrate`"),
        ("weights", [1.0, 2.0], "1 features but 1 means, 1 scales and 2 weights; refit it"),
    ],
)
def test_a_detector_file_with_bad_numbers_is_refused(
    tmp_path: Path, field: str, value: object, message: str
) -> None:
    """A NaN threshold used to switch the LM flags off silently (issue 15.11); the error
    names the file (it once named only the model: which --calibration file was it?)."""
    from mtqa.detect import load_detector
    from mtqa.errors import CalibrationError

    good = Detector("m", ("s",), (0.0,), (1.0,), (1.0,), 0.0, 0.3, 0.6, "t", 1)
    d = json.loads(good.to_json())
    d[field] = value
    p = tmp_path / "bad.json"
    p.write_text(json.dumps(d), encoding="utf-8")  # json writes NaN/Infinity literally
    with pytest.raises(CalibrationError, match=message) as err:
        load_detector("m", str(p))
    assert str(err.value).startswith(f"{p}: detector for m: ")


def test_calibrate_scores_the_source_passes_it_is_asked_for(
    tmp_path: Path, shared_dir: Path
) -> None:
    """--cond-limit and --back-limit: that many segments per gold file are also scored with
    their source (forward: the target after it; back: the source alone and after the target),
    and the detector file says so."""
    seen: list[str] = []

    class Recording(FakeScorer):
        def score(self, texts, *a, **k):  # type: ignore[no-untyped-def]
            seen.extend(texts)
            return super().score(texts, *a, **k)

    _, det = calibrate(
        str(shared_dir / "calibration" / "clean_en.txt"),
        Settings(model="fake"),
        lambda s: Recording(),
        str(tmp_path / "d.json"),
        limit=300,
        gold=[str(shared_dir / "mqm_dev" / "zhen_news_2021.jsonl")],
        gold_limit=60,
        cond_limit=20,
        back_limit=10,
    )
    forward = [t for t in seen if t.startswith("Translate the following text from Chinese")]
    back = [t for t in seen if t.startswith("Translate the following text from English to")]
    assert len(forward) == 20 and len(back) == 10
    assert "60 segments, 20 of them also after their source, 10 with their source after them" in (
        det.source
    )


def test_a_detector_path_that_is_no_detector_file_says_what_is_wrong(tmp_path: Path) -> None:
    """`--calibration` pointing nowhere used to say "no detector for model …; pass
    --calibration FILE" to a user who had passed one; a missing key leaked as ('model')."""
    from mtqa.detect import load_detector
    from mtqa.errors import CalibrationError

    missing = tmp_path / "nope" / "det.json"
    with pytest.raises(CalibrationError) as exc:
        load_detector("m", str(missing))
    assert str(exc.value) == (
        f"{missing}: no such file (calibration); check the path, or leave calibration "
        "out to use the detector shipped for 'm'"
    )
    with pytest.raises(CalibrationError, match="is a folder, not a detector file"):
        load_detector("m", str(tmp_path))
    keyless = tmp_path / "keyless.json"
    keyless.write_text('{"features": []}', encoding="utf-8")
    with pytest.raises(CalibrationError, match=r"\(no 'model' field\); rerun `mtqa calibrate`"):
        load_detector("m", str(keyless))
    binary = tmp_path / "bin.json"
    binary.write_bytes(b"\xff\xfe\x00")
    with pytest.raises(CalibrationError, match=r"cannot read the detector \(not UTF-8 text\)"):
        load_detector("m", str(binary))


CLEAN = [f"Line number {i} of the clean text reads well enough today." for i in range(60)]


@pytest.mark.parametrize(
    ("content", "line", "why"),
    [
        (b"A clean sentence.\nAnother one.\n", 1, "the line is not JSON"),
        (b'{"a": 1}\n', 1, "the line is an object without a model, text and tokens (keys: 'a')"),
        (b'["x"]\n', 1, "the line is a JSON list, not an object"),
        (b'"a string"\n', 1, "the line is a JSON str, not an object"),
        (
            b'{"model": "fake", "text": "x", "tokens": []}\n{"model": "fake", "text": "y", '
            b'"tokens": [[0, 1, 2.0]]}\n',
            2,
            "the line is a record whose tokens are not [start, end, surprisal, entropy, rank, "
            "pmax]",
        ),
        (b'{"model": "fake", "text": "x", "tokens": []}\nGr\xfc\xdfe\n', 2, None),
    ],
)
def test_a_score_cache_that_is_no_score_cache_is_refused_before_scoring(
    tmp_path: Path, content: bytes, line: int, why: str | None
) -> None:
    """A text file named by --score-cache got JSON lines appended (exit 0); a JSON string line
    was an AttributeError; {"a":1} was appended to."""
    clean = tmp_path / "clean.txt"
    clean.write_text("\n".join(CLEAN), encoding="utf-8")
    cache = tmp_path / "cache.txt"
    cache.write_bytes(content)

    def no_model(settings: Settings) -> FakeScorer:
        raise AssertionError("the model was loaded before the score cache was read")

    with pytest.raises(InputError) as exc:
        calibrate(
            str(clean),
            Settings(model="fake"),
            no_model,
            str(tmp_path / "d.json"),
            score_cache=str(cache),
        )
    shape = '{"model", "text", "tokens"} per line'
    head = (
        "not a score cache (not UTF-8 text)"
        if why is None
        else (f"not a score cache ({why}; a score cache holds {shape})")
    )
    assert str(exc.value) == (
        f"{cache}:{line}: {head}; name a new file or an earlier score_cache file"  # Python's word
    )
    assert cache.read_bytes() == content
    assert not (tmp_path / "d.json").exists()


def test_a_score_cache_cut_by_an_interrupted_run_is_read_and_continued(tmp_path: Path) -> None:
    clean = tmp_path / "clean.txt"
    clean.write_text("\n".join(CLEAN), encoding="utf-8")
    cache = tmp_path / "cache.jsonl"
    first = tmp_path / "a.json"
    calibrate(
        str(clean),
        Settings(model="fake"),
        lambda s: FakeScorer(),
        str(first),
        score_cache=str(cache),
    )
    lines = cache.read_text(encoding="utf-8").splitlines()
    assert len(lines) > 5
    # the last record cut in the middle, as a kill leaves it
    cache.write_text("\n".join(lines[:-1]) + "\n" + lines[-1][:30], encoding="utf-8")
    second = tmp_path / "b.json"
    calibrate(
        str(clean),
        Settings(model="fake"),
        lambda s: FakeScorer(),
        str(second),
        score_cache=str(cache),
    )
    assert second.read_bytes() == first.read_bytes()
    again = cache.read_text(encoding="utf-8").splitlines()
    assert again[: len(lines)] == lines[:-1] + [lines[-1][:30]]  # the cut line, alone
    assert again[len(lines)] == lines[-1]  # its text scored again, on a line of its own
    calls: list[int] = []

    class Counting(FakeScorer):
        def score(self, texts, *a, **k):  # type: ignore[no-untyped-def]
            calls.append(len(texts))
            return super().score(texts, *a, **k)

    third = tmp_path / "c.json"
    calibrate(
        str(clean), Settings(model="fake"), lambda s: Counting(), str(third), score_cache=str(cache)
    )
    assert third.read_bytes() == first.read_bytes() and sum(calls) == 0
