"""The Ray Data engine writes the same outputs as the single-process run.

Runs a local Ray instance on 2 CPUs with the fake scorer (``--model fake``), so
no weights are needed; skipped when Ray is not installed (``pip install 'mtqa[ray]'``).
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from mtqa.cli import main
from mtqa.errors import ModelError, named
from mtqa.lm.base import Scorer
from mtqa.lm.load import load_scorer
from mtqa.pipeline import run_check
from mtqa.settings import Settings

from .conftest import SEED

ray = pytest.importorskip("ray", reason="ray is not installed: pip install 'mtqa[ray]'")
pytestmark = pytest.mark.ray


@pytest.fixture(scope="module")
def local_ray():  # type: ignore[no-untyped-def]
    ray.init(num_cpus=2, include_dashboard=False, object_store_memory=80 * 1024 * 1024)
    yield
    ray.shutdown()


def make_inputs(root: Path) -> Path:
    """A folder: the seed article, 40 jsonl records (some with loud words), one bad line."""
    d = root / "in"
    d.mkdir()
    (d / "seed.txt").write_text(SEED.read_text(encoding="utf-8"), encoding="utf-8")
    lines = [x for x in SEED.read_text(encoding="utf-8").splitlines() if x.strip()]
    records = []
    for i in range(40):
        text = " ".join(lines[(i + k) % len(lines)] for k in range(1 + i % 4))
        if i % 7 == 0:
            text += " The cenacle was massaging the zzyzx figures."
        records.append(json.dumps({"id": f"r{i:02d}", "target": text}, ensure_ascii=False))
    records.insert(17, "{not json")
    (d / "records.jsonl").write_text("\n".join(records) + "\n", encoding="utf-8")
    return d


def test_ray_output_equals_local(tmp_path: Path, fake_calibration: Path, local_ray) -> None:  # type: ignore[no-untyped-def]
    inputs = [str(make_inputs(tmp_path))]
    settings = Settings(model="fake", calibration=str(fake_calibration), batch_size=4)
    local = run_check(inputs, settings, tmp_path / "local", load_scorer)
    # one way into Ray: the same run_check, the engine named in the settings (the scorer
    # factory defaults to load_scorer, which Ray pickles for its actors)
    remote = run_check(inputs, replace(settings, engine="ray", ray_actors=2), tmp_path / "ray")
    assert local.documents == remote.documents == 41
    assert [str(f) for f in remote.failures] == [str(f) for f in local.failures]
    assert len(local.failures) == 1 and ":18:" in str(local.failures[0])
    for name in ("sentences.csv", "segments.jsonl"):
        a = (tmp_path / "local" / name).read_bytes()
        b = (tmp_path / "ray" / name).read_bytes()
        assert a == b, name
    run = json.loads((tmp_path / "ray" / "run.json").read_text(encoding="utf-8"))
    assert run["settings"]["engine"] == "ray"
    assert run["signature"] == local.signature


def test_cli_engine_ray(tmp_path: Path, fake_calibration: Path, local_ray, capsys) -> None:  # type: ignore[no-untyped-def]
    inputs = str(make_inputs(tmp_path))
    args = ["check", inputs, "--model", "fake", "--calibration", str(fake_calibration), "--quiet"]
    assert main([*args, "-o", str(tmp_path / "local")]) == 1  # the bad line: exit 1
    assert main([*args, "-o", str(tmp_path / "ray"), "--engine", "ray", "--ray-actors", "2"]) == 1
    err = capsys.readouterr().err
    assert err.count("records.jsonl:18:") == 2
    for name in ("sentences.csv", "segments.jsonl"):
        assert (tmp_path / "local" / name).read_bytes() == (tmp_path / "ray" / name).read_bytes()


def no_model_on_this_node(settings: Settings) -> Scorer:
    """A scorer factory whose model cannot load where it runs, as on a node without the
    model package: its error is made in the actor, not in the driver."""
    raise ModelError(f"{named('model', repr(settings.model))}: cannot load on this node")


def test_an_actors_error_is_the_callers_one_line(
    tmp_path: Path,
    fake_calibration: Path,
    local_ray,  # type: ignore[no-untyped-def]
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """An error raised in a Ray actor came back as Ray's ActorDiedError holding the actor's
    traceback (`mtqa: error: internal error (ActorDiedError: …)` on the command line), its
    setting named as the API's keyword (`model='fake'`) even to `mtqa check`. It is now the
    error itself, worded as its caller names settings."""
    inputs = [str(make_inputs(tmp_path))]
    settings = Settings(model="fake", calibration=str(fake_calibration), engine="ray")
    with pytest.raises(ModelError) as err:
        run_check(inputs, settings, tmp_path / "api", no_model_on_this_node)
    assert str(err.value) == "model='fake': cannot load on this node"
    monkeypatch.setattr("mtqa.cli.load_scorer", no_model_on_this_node)
    args = ["check", *inputs, "--model", "fake", "--calibration", str(fake_calibration)]
    assert main([*args, "--engine", "ray", "-o", str(tmp_path / "cli"), "--quiet"]) == 1
    err_lines = capsys.readouterr().err.splitlines()
    assert err_lines[-1] == "mtqa: error: --model 'fake': cannot load on this node"


def test_the_glossary_is_the_drivers(tmp_path: Path, fake_calibration: Path, local_ray) -> None:  # type: ignore[no-untyped-def]
    """Each actor read the --glossary file by its path: on a node without it (no shared
    filesystem, as the README promises) the run failed. The driver reads it and ships it;
    here the file is gone once the driver has read it, as it is on another node."""
    doc = tmp_path / "a.jsonl"
    doc.write_text(
        json.dumps({"id": "a", "target": "The conseil met.", "source": "Le conseil."}) + "\n",
        encoding="utf-8",
    )
    terms = tmp_path / "terms.csv"
    terms.write_text("source,target\nconseil,council\n", encoding="utf-8")
    settings = Settings(
        model="fake", calibration=str(fake_calibration), glossary=str(terms), formats=("jsonl",)
    )
    run_check([str(doc)], settings, tmp_path / "local", load_scorer)

    def on_node(event: str, _n: object) -> None:
        if event == "total":  # after the driver's checks, before any actor starts
            terms.unlink(missing_ok=True)

    run_check(
        [str(doc)],
        replace(settings, engine="ray", ray_actors=1),
        tmp_path / "ray",
        load_scorer,
        on_node,
    )
    local = (tmp_path / "local" / "segments.jsonl").read_text(encoding="utf-8")
    assert "glossary" in local
    assert (tmp_path / "ray" / "segments.jsonl").read_text(encoding="utf-8") == local
