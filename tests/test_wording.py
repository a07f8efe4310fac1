"""A message names a setting as its caller typed it, on every path that names one.

``mtqa check`` users see the option (``--window 512``, ``-o``), Python callers the keyword or
parameter (``window 512``, ``overwrite=True``, ``outdir``): :func:`mtqa.errors.named`. Some
messages hard-coded one form: the output folder's (another run's settings or inputs, a file
in its place, an input folder), the stream's, the annotated copies', the readers' fixes
(``--text-field``, ``--encoding-errors replace``), standard input's, the Ray engine's. Each
case here walks one of those paths from the command line and from Python.
"""

from __future__ import annotations

import io
import pickle
import re
from collections.abc import Callable
from pathlib import Path

import pytest

from mtqa.cli import main
from mtqa.errors import AnnotateError, InputError, MtqaError, named, options_named
from mtqa.options import COMMAND_OPTIONS
from mtqa.outdir import FolderLock
from mtqa.pipeline import run_check
from mtqa.settings import Settings
from mtqa.stream import run_stream

OPTION = re.compile(r"(?<![\w-])--?[a-z][a-z-]*")  # --window, -o
KEYWORD = re.compile(rf"\b(?:{'|'.join(COMMAND_OPTIONS)})=")  # window=, outdir=


def outside_backticks(message: str) -> str:
    """``message`` less its commands to run (in backticks), which keep their options."""
    return "".join(message.split("`")[::2])


class Fronts:
    """Runs one path as ``mtqa check`` and as the Python API, in ``tmp_path``."""

    def __init__(self, tmp_path: Path, calibration: Path, capsys: pytest.CaptureFixture[str]):
        self.tmp = tmp_path
        self.calibration = str(calibration)
        self.capsys = capsys

    def settings(self, **given: object) -> Settings:
        return Settings(model="fake", calibration=self.calibration, **given)  # type: ignore[arg-type]

    def api(self, call: Callable[[], object]) -> str:
        """What Python is told: the error, else the failures of the summary."""
        try:
            summary = call()
        except MtqaError as exc:
            said = str(exc)
        else:
            said = "\n".join(str(f) for f in getattr(summary, "failures", []))
        assert not OPTION.findall(outside_backticks(said)), said
        return said

    def cli(self, *argv: str, stdin: bytes | None = None) -> str:
        """What ``mtqa check ARGV`` writes on stderr (without ``mtqa: error:``)."""
        self.capsys.readouterr()
        args = ["check", *argv, "--model", "fake", "--calibration", self.calibration, "--quiet"]
        if stdin is None:
            main(args)
        else:
            import sys

            old = sys.stdin
            sys.stdin = io.TextIOWrapper(io.BytesIO(stdin))
            try:
                main(args)
            finally:
                sys.stdin = old
        said = self.capsys.readouterr().err.strip().removeprefix("mtqa: error: ")
        assert not KEYWORD.findall(said), said
        return said


@pytest.fixture()
def fronts(
    tmp_path: Path,
    fake_calibration: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> Fronts:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "a.txt").write_text("The cat sat on the mat.\n", encoding="utf-8")
    (tmp_path / "b.txt").write_text("The dog sat on the mat.\n", encoding="utf-8")
    return Fronts(tmp_path, fake_calibration, capsys)


def test_a_folder_of_a_run_with_other_settings(fronts: Fronts) -> None:
    run_check(["a.txt"], fronts.settings(), "out")
    api = fronts.api(lambda: run_check(["a.txt"], fronts.settings(window=512), "out"))
    assert api == (
        "out: holds a run with other settings (window 1024 -> 512); pass overwrite=True to "
        "replace it or choose another folder with outdir"
    )
    assert fronts.cli("a.txt", "--window", "512", "-o", "out") == (
        "out: holds a run with other settings (--window 1024 -> 512); pass --overwrite to "
        "replace it or choose another folder with -o"
    )
    api = fronts.api(lambda: run_check(["a.txt"], fronts.settings(suggest=False), "out"))
    assert "(suggest True -> False); pass overwrite=True" in api
    assert "(--no-suggest off -> on); pass --overwrite" in fronts.cli(
        "a.txt", "--no-suggest", "-o", "out"
    )


def test_a_folder_of_other_inputs(fronts: Fronts) -> None:
    run_check(["a.txt"], fronts.settings(), "out")
    assert fronts.api(lambda: run_check(["b.txt"], fronts.settings(), "out")) == (
        "out: holds the reports of other inputs (a.txt); pass overwrite=True to replace them "
        "or choose another folder with outdir"
    )
    assert fronts.cli("b.txt", "-o", "out") == (
        "out: holds the reports of other inputs (a.txt); pass --overwrite to replace them or "
        "choose another folder with -o"
    )


def test_a_file_where_the_folder_goes(fronts: Fronts) -> None:
    (fronts.tmp / "out").write_text("x", encoding="utf-8")
    assert fronts.api(lambda: run_check(["a.txt"], fronts.settings(), "out")) == (
        "out: exists and is not a folder; choose another with outdir"
    )
    assert fronts.cli("a.txt", "-o", "out") == (
        "out: exists and is not a folder; choose another with -o"
    )


def test_the_input_folder_as_the_output_folder(fronts: Fronts) -> None:
    (fronts.tmp / "texts").mkdir()
    (fronts.tmp / "a.txt").rename(fronts.tmp / "texts" / "a.txt")
    said = "texts: is the input folder texts; its reports would be read back as input by the "
    said += "next check; write them elsewhere "
    assert fronts.api(lambda: run_check(["texts"], fronts.settings(), "texts")) == (
        said + "(outdir='reports/texts')"
    )
    assert fronts.cli("texts", "-o", "texts") == said + "(-o reports/texts)"


def test_a_locked_folder(fronts: Fronts) -> None:
    lock = FolderLock(fronts.tmp)
    assert str(lock._refuse()).endswith("wait for it to end or choose another folder with outdir")
    with options_named(COMMAND_OPTIONS):
        assert str(lock._refuse()).endswith("choose another folder with -o")


def test_a_stream_of_another_engine(fronts: Fronts) -> None:
    def stream(engine: str = "ray", fmt: str = "csv") -> object:
        return run_stream(["a.txt"], fronts.settings(engine=engine), fmt, io.StringIO())

    assert fronts.api(stream) == (
        "engine='ray' writes through an output folder, and a stream has none: write the "
        "reports into a folder (outdir=DIR) or use engine='local'"
    )
    assert fronts.cli("a.txt", "--engine", "ray", "--stdout", "csv") == (
        "--engine ray writes through an output folder, and a stream has none: write the "
        "reports into a folder (-o DIR) or use --engine local"
    )
    # the command line offers only the stream formats (argparse's choices)
    assert fronts.api(lambda: stream("local", "pdf")) == "fmt='pdf': choose one of jsonl, csv, html"


def test_standard_input_with_a_reference_file(fronts: Fronts) -> None:
    said = fronts.api(
        lambda: run_check(["-"], fronts.settings(reference="a.txt"), "out", stdin=b"Hi.\n")
    )
    assert said == (
        "- (standard input) must be the only input, without reference/source; put "
        "'source'/'reference' fields in records (stdin_format='jsonl')"
    )
    assert fronts.cli("-", "--reference", "a.txt", "-o", "out", stdin=b"Hi.\n") == (
        "- (standard input) must be the only input, without --reference/--source; put "
        "'source'/'reference' fields in records (--stdin-format jsonl)"
    )


def test_the_readers_fixes(fronts: Fronts) -> None:
    (fronts.tmp / "t.csv").write_text("x,y\n1,2\n", encoding="utf-8")
    (fronts.tmp / "r.jsonl").write_text('{"a": 1}\n', encoding="utf-8")
    (fronts.tmp / "bad.txt").write_bytes(b"ab\xffc\n")
    inputs = ["t.csv", "r.jsonl", "bad.txt"]
    api = fronts.api(lambda: run_check(inputs, fronts.settings(), "out"))
    assert api.splitlines() == [
        "t.csv:1: header has no 'target' or 'text' column: ['x', 'y']; rename the text column "
        "or pass text_field=NAME",
        "r.jsonl:1: expected a 'target' or 'text' field with the text; add it, or name the "
        "text field with text_field=NAME",
        "bad.txt:1: invalid UTF-8 at byte 2 (0xff); convert the file to UTF-8 or pass "
        "encoding_errors='replace'",
    ]
    assert fronts.cli(*inputs, "-o", "out2").splitlines() == [
        "t.csv:1: header has no 'target' or 'text' column: ['x', 'y']; rename the text column "
        "or pass --text-field NAME",
        "r.jsonl:1: expected a 'target' or 'text' field with the text; add it, or name the "
        "text field with --text-field NAME",
        "bad.txt:1: invalid UTF-8 at byte 2 (0xff); convert the file to UTF-8 or pass "
        "--encoding-errors replace",
    ]


def test_an_annotated_copy_that_cannot_be_placed(
    fronts: Fronts, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The units of the file no longer explain the results' ids (it changed meanwhile)."""
    (fronts.tmp / "ok.po").write_text('msgid "Salut"\nmsgstr "Hi hi there"\n', encoding="utf-8")
    monkeypatch.setattr("mtqa.report.annotate.infer_prefix", lambda *_: None)
    said = "ok.po: annotated copy not written: cannot tell which units of the file the results "
    said += "belong to; rerun with "
    settings = fronts.settings(formats=("csv", "po"))
    assert fronts.api(lambda: run_check(["ok.po"], settings, "out")) == said + "overwrite=True"
    assert fronts.cli("ok.po", "--format", "csv,po", "-o", "out2") == said + "--overwrite"


def test_the_ray_engines_own_errors(monkeypatch: pytest.MonkeyPatch) -> None:
    """What the Ray engine says in the driver (the actors': tests/test_ray.py)."""
    ray = pytest.importorskip("ray")
    from mtqa.engines.ray import _pool

    monkeypatch.setattr(ray, "cluster_resources", lambda: {"CPU": 2.0})
    settings = Settings(model="fake", engine="ray", device="cuda")
    with pytest.raises(MtqaError) as err:
        _pool(settings, 4)
    assert str(err.value) == (
        "device='cuda': the Ray cluster has no GPU; use device='cpu' or device='auto'"
    )
    with options_named(COMMAND_OPTIONS), pytest.raises(MtqaError) as err:
        _pool(settings, 4)
    assert str(err.value) == (
        "--device cuda: the Ray cluster has no GPU; use --device cpu or --device auto"
    )


def test_a_switch_set_on_or_off_is_named_so() -> None:
    assert [named("overwrite", True), named("suggest", False), named("suggest", True)] == [
        "overwrite=True",
        "suggest=False",
        "suggest=True",
    ]
    with options_named(COMMAND_OPTIONS):
        assert [named("overwrite", True), named("suggest", False), named("suggest", True)] == [
            "--overwrite",
            "--no-suggest",
            "--suggest",
        ]


def test_an_input_error_survives_pickling() -> None:
    """A Ray actor's error comes back to the driver pickled: it was an InputError that
    could not be rebuilt (its three-part constructor)."""
    for err in (InputError("a.txt", 3, "bad"), AnnotateError("b.po", None, "worse")):
        back = pickle.loads(pickle.dumps(err))
        assert (type(back), str(back), back.path, back.line) == (
            type(err),
            str(err),
            err.path,
            err.line,
        )


def test_a_review_named_to_a_folder_of_no_run(
    fronts: Fronts, capsys: pytest.CaptureFixture[str]
) -> None:
    """`mtqa review --run` and review(run=...): the quality commands' own parameters too."""
    from mtqa.quality.review import review

    sheet = fronts.tmp / "r.csv"
    sheet.write_text("doc_id,sent_id,score,severity,spans,review\r\na,1,0.5,none,,ok\r\n")
    said = ": no run.json of mtqa check in it; name the output folder of the mtqa check that "
    said += "wrote the sheet"
    assert fronts.api(lambda: review(str(sheet), run="texts")) == "run='texts'" + said
    capsys.readouterr()
    assert main(["review", str(sheet), "--run", "texts"]) == 2
    assert capsys.readouterr().err == f"mtqa: error: --run texts{said}\n"
