"""``mtqa check``'s config file (:mod:`mtqa.config`), read in-process by the CLI's parser:
which file applies (``--config``/``--no-config``, abbreviated too), how its values become
options (paths from the file's folder, ``outdir = "-"``, lists), and the errors that name
the file and key. The run itself from a config file: tests/test_shell.py."""

from __future__ import annotations

from pathlib import Path

import pytest

from mtqa.cli import main, parse_args
from mtqa.errors import UsageError


def write(folder: Path, text: str, name: str = "mtqa.toml") -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture()
def here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty current folder under ``tmp_path`` (no config file above it in the test)."""
    cwd = tmp_path / "work"
    cwd.mkdir()
    monkeypatch.chdir(cwd)
    return cwd


def test_abbreviated_config_options_are_read_as_argparse_reads_them(here: Path) -> None:
    """argparse takes ``--conf FILE`` for ``--config FILE`` and ``--no-conf`` for
    ``--no-config``: the config file must follow it, not be skipped (a CI gate silently off)
    or read (a file the user turned off)."""
    write(here, 'fail-on = "minor"\n')  # the one found in the current folder
    write(here, 'fail-on = "major"\n', "ci.toml")
    for args in (["--config", "ci.toml"], ["--conf", "ci.toml"], ["--confi=ci.toml"]):
        assert parse_args(["check", "a.txt", *args]).fail_on == "major", args
    for args in (["--no-config"], ["--no-conf"], ["--no-co"]):
        assert parse_args(["check", "a.txt", *args]).fail_on == "none", args
    with pytest.raises(UsageError, match="ambiguous option: --no-c could match"):
        parse_args(["check", "a.txt", "--no-c"])  # --no-csv-raw too: refused, never guessed
    assert parse_args(["check", "a.txt"]).fail_on == "minor"
    # after --, a --conf is an input's name, not the option
    assert parse_args(["check", "--", "--conf", "ci.toml"]).fail_on == "minor"


def test_outdir_dash_is_standard_output_and_an_empty_path_is_an_error(here: Path) -> None:
    write(here, 'outdir = "-"\n')
    assert parse_args(["check", "a.txt"]).outdir == "-"  # as -o -, not a folder named '-'
    for key in ("outdir", "calibration", "glossary", "reference", "source", "model"):
        path = write(here, f'{key} = ""\n')
        with pytest.raises(UsageError) as err:
            parse_args(["check", "a.txt"])
        assert str(err.value) == (
            f"{path}: {key}: an empty path; name a file or folder, or leave the key out"
        )


def test_a_model_path_is_relative_to_the_file_and_a_preset_name_stays(
    here: Path, tmp_path: Path
) -> None:
    (tmp_path / "models").mkdir()
    (tmp_path / "models" / "mine.gguf").write_bytes(b"GGUF")
    (tmp_path / "det.json").write_text("{}", encoding="utf-8")
    write(tmp_path, 'model = "models/mine.gguf"\ncalibration = "det.json"\n')
    a = parse_args(["check", "a.txt"])
    assert (a.model, a.calibration) == (
        str(tmp_path / "models" / "mine.gguf"),
        str(tmp_path / "det.json"),
    )
    for name in ("gemma3-270m", "smollm2-135m", "fake"):
        write(tmp_path, f'model = "{name}"\n')
        assert parse_args(["check", "a.txt"]).model == name
    # the command line's own relative path stays relative to the current folder
    assert parse_args(["check", "a.txt", "--model", "m.gguf"]).model == "m.gguf"


def test_lists_empty_or_not_of_strings(here: Path) -> None:
    write(here, "ignore = []\n")
    assert parse_args(["check", "a.txt"]).ignore is None  # ignore nothing: the default
    cases = {
        "select = []\n": "select: an empty list names no check; list some, or leave the key "
        "out for the default",
        "format = []\n": "format: an empty list names no report; list some, or leave the key "
        "out for the default",
        'select = [["lm"]]\n': "select: expected a list of strings, not [['lm']]",
        'ignore = ["lm", 1]\n': "ignore: expected a list of strings, not ['lm', 1]",
    }
    for toml, message in cases.items():
        path = write(here, toml)
        with pytest.raises(UsageError) as err:
            parse_args(["check", "a.txt"])
        assert str(err.value) == f"{path}: {message}", toml


def test_a_misspelt_key_gets_the_nearest_and_a_key_twice_is_an_error(here: Path) -> None:
    path = write(here, 'fail-onn = "major"\n')
    with pytest.raises(UsageError) as err:
        parse_args(["check", "a.txt"])
    msg = str(err.value)
    assert msg.startswith(f"{path}: fail-onn: unknown key; the keys are the options of ")
    assert msg.endswith("; did you mean 'fail-on'?")
    path = write(here, "[tool.mtqa]\nBatch_Size = 8\n", "pyproject.toml")
    (here / "mtqa.toml").unlink()
    with pytest.raises(UsageError) as err:
        parse_args(["check", "a.txt"])
    assert str(err.value).endswith("; did you mean 'batch-size'?")
    write(here, "colour = 1\n")
    with pytest.raises(UsageError) as err:
        parse_args(["check", "a.txt"])
    assert "did you mean" not in str(err.value)  # nothing near: the list alone
    path = write(here, 'fail_on = "major"\nfail-on = "minor"\n')
    with pytest.raises(UsageError) as err:
        parse_args(["check", "a.txt"])
    assert str(err.value) == (
        f"{path}: fail-on: given twice, also as 'fail_on' ('_' and '-' spell the same key); "
        "keep one"
    )


def test_help_shows_no_default_of_an_off_switch(capsys: pytest.CaptureFixture[str]) -> None:
    """`--no-config  read no config file (default: False)`: a switch has no value to show;
    a number's 0 still shows (`--ray-actors ... (default: 0)`)."""
    with pytest.raises(SystemExit):
        main(["check", "--help"])
    out = capsys.readouterr().out
    assert "default: False" not in out and "default: True" not in out
    assert "(0: auto) (default: 0)" in out


@pytest.mark.parametrize(
    "toml", ["colour = 1\n", "window = 4\n", "not toml = = \n", 'fail-on = "always"\n']
)
def test_help_shows_whatever_the_config_file_holds(
    here: Path, toml: str, capsys: pytest.CaptureFixture[str]
) -> None:
    write(here, toml)
    for flag in ("--help", "-h", "--he"):
        with pytest.raises(SystemExit) as done:
            main(["check", flag])
        assert done.value.code == 0, flag
        assert capsys.readouterr().out.startswith("usage: mtqa check")
    assert main(["check", "a.txt"]) == 2  # without --help the file still stops the run
    assert capsys.readouterr().err.startswith(f"mtqa: error: {here / 'mtqa.toml'}: ")


@pytest.mark.parametrize(
    ("key", "message"),
    [
        ("calibration", "'missing.json': no such file or folder"),
        ("glossary", "'missing.json': no such file or folder"),
        ("reference", "'missing.json': no such file or folder"),
        ("source", "'missing.json': no such file or folder"),
        ("model", "'missing.json': not a preset (smollm2-135m, gemma3-270m), nor a file or folder"),
    ],
)
def test_a_missing_input_file_names_the_config_file_and_key(
    here: Path, key: str, message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """README: a bad value stops the run naming the file and key, exit 2 (it was found late,
    as if the user had typed ``--calibration``, exit 1)."""
    path = write(here, f'{key} = "missing.json"\n')
    assert main(["check", "a.txt"]) == 2
    where = here / "missing.json"
    assert capsys.readouterr().err == (
        f"mtqa: error: {path}: {key}: {message} ({where}); fix the path (a relative one is "
        "from this file's folder) or leave the key out\n"
    )
    (here / "missing.json").write_text("{}", encoding="utf-8")
    assert getattr(parse_args(["check", "a.txt"]), key) == str(where)


@pytest.mark.parametrize(
    ("toml", "dest", "on_file", "flag", "on_line"),
    [
        ("overwrite = true", "overwrite", True, "--no-overwrite", False),
        ("quiet = true", "quiet", True, "--no-quiet", False),
        ("csv-raw = true", "csv_raw", True, "--no-csv-raw", False),
        ("no-suggest = true", "suggest", False, "--suggest", True),
        ("suggest = false", "suggest", False, "--suggest", True),
        ("no-source-lm = true", "source_lm", False, "--source-lm", True),
        ("no-source-lm = false", "source_lm", True, "--no-source-lm", False),
        ("no-quiet = true", "quiet", False, "--quiet", True),
    ],
)
def test_a_flag_of_the_config_file_can_be_turned_either_way_on_the_command_line(
    here: Path, toml: str, dest: str, on_file: bool, flag: str, on_line: bool
) -> None:
    """Each flag is a pair, --X and --no-X (a `true` in the file could not be turned off);
    either spelling is a key, the no- one meaning the opposite."""
    write(here, toml + "\n")
    assert getattr(parse_args(["check", "a.txt"]), dest) is on_file
    assert getattr(parse_args(["check", "a.txt", flag]), dest) is on_line


def test_a_flag_given_both_ways_in_the_config_file_is_an_error(here: Path) -> None:
    path = write(here, "suggest = true\nno-suggest = true\n")
    with pytest.raises(UsageError) as err:
        parse_args(["check", "a.txt"])
    assert str(err.value) == (
        f"{path}: no-suggest: given twice, also as 'suggest' (the suggest option both ways); "
        "keep one"
    )


def test_a_config_file_that_cannot_be_read_says_why_and_the_fix(
    here: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The message was Python's own (`[Errno 13] Permission denied: '/…/mtqa.toml'`, `'utf-8'
    codec can't decode byte 0xff…`), with no fix."""
    path = here / "mtqa.toml"
    path.write_bytes(b'fail-on = "major" # caf\xe9\n')
    with pytest.raises(UsageError) as err:
        parse_args(["check", "a.txt"])
    assert str(err.value) == (
        f"{path}: the config file is not UTF-8 text (byte 23: 0xe9); save it as UTF-8, as TOML "
        "requires"
    )
    real = Path.read_text

    def denied(self: Path, *a: object, **k: object) -> str:
        if self.name == "mtqa.toml":
            raise PermissionError(13, "Permission denied", str(self))
        return real(self, *a, **k)  # type: ignore[arg-type]

    monkeypatch.setattr(Path, "read_text", denied)
    with pytest.raises(UsageError) as err:
        parse_args(["check", "a.txt"])
    assert str(err.value) == (
        f"{path}: cannot read the config file (Permission denied); check its permissions"
    )


def test_config_naming_a_folder_says_so_and_names_the_file_in_it(here: Path) -> None:
    """``--config DIR`` said "no such file" of a folder that exists."""
    (here / "qa").mkdir()
    with pytest.raises(UsageError) as err:
        parse_args(["check", "a.txt", "--conf", "qa"])
    assert str(err.value) == (
        "--config qa: is a folder, not a file; name a file (mtqa.toml or pyproject.toml)"
    )
    write(here / "qa", 'fail-on = "major"\n')
    with pytest.raises(UsageError) as err:
        parse_args(["check", "a.txt", "--config", "qa"])
    assert str(err.value) == f"--config qa: is a folder, not a file; pass {Path('qa/mtqa.toml')}"
    with pytest.raises(UsageError, match=r"^--config nope.toml: no such file$"):
        parse_args(["check", "a.txt", "--config", "nope.toml"])
