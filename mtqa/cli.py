"""The command line: ``mtqa check|calibrate|eval|synth|review``. The only place that prints
or exits; each command builds its arguments and calls one library function.

User errors → one line on stderr, exit 1; usage errors → exit 2; an unexpected
exception (a bug) → one line naming it, exit 1, or its traceback when ``MTQA_DEBUG=1``.
"""

from __future__ import annotations

import argparse
import io
import os
import sys
from collections.abc import Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from mtqa.cli_quality import (  # noqa: E402
    add_calibrate,
    add_eval,
    add_review,
    add_synth,
    cmd_calibrate,
    cmd_eval,
    cmd_review,
    cmd_synth,
)
from mtqa.errors import MtqaError, UsageError, options_named
from mtqa.lm.load import load_scorer
from mtqa.options import (
    CHECK_HELP,
    COMMAND_OPTIONS,
    EXIT_FLAGGED,
    Flag,
    HelpFormatter,
    add_check_choices,
    check_epilog,
)
from mtqa.progress import ProgressBar
from mtqa.readers import STDIN
from mtqa.records import Failure
from mtqa.report import FILENAMES
from mtqa.runinfo import RunSummary
from mtqa.selection import parse_list
from mtqa.settings import DEVICES, DTYPES, ENGINES, FORMATS, Settings
from mtqa.text import counted, one_line_safe, terminal_line
from mtqa.version import __version__


class _Parser(argparse.ArgumentParser):
    """argparse that raises :class:`~mtqa.errors.UsageError` (exit 2) instead of exiting."""

    commands: Mapping[str, argparse.ArgumentParser]  # the subcommands' parsers, by name

    def error(self, message: str) -> None:  # type: ignore[override]
        """A usage error: ``mtqa check: …`` from a command's parser; the top parser's
        messages go as they are (the CLI's ``mtqa: error:`` already names the program)."""
        sub = self.prog.removeprefix("mtqa").strip()
        raise UsageError(f"mtqa {sub}: {message}" if sub else message)


def build_parser() -> _Parser:
    """The argument parser of every command."""
    p = _Parser(prog="mtqa", description="Find garbled spans in machine-translated English.")
    p.add_argument("--version", action="version", version=f"mtqa {__version__}")
    sub = p.add_subparsers(dest="command", required=True, parser_class=_Parser)
    for add in (_add_check, add_calibrate, add_eval, add_synth, add_review):
        add(sub)
    p.commands = sub.choices
    return p


def _add_check(sub: Any) -> None:
    c = sub.add_parser(
        "check",
        help="score, flag and report translated text",
        description="Score, flag and report machine-translated English.",
        formatter_class=HelpFormatter,
        epilog=check_epilog(),
    )
    c.add_argument(
        "inputs",
        nargs="+",
        metavar="INPUT",
        help=".txt, .jsonl, .tsv, .csv, .xlf/.xliff, .po, .tmx or a folder; - reads standard "
        "input (one article; see --stdin-format)",
    )
    c.add_argument(
        "-o",
        "--outdir",
        help="output folder (default reports/<input name>, never inside an input folder); "
        "- writes to standard output instead (as --stdout jsonl)",
    )
    c.add_argument(
        "--model", default=Settings.model, help="preset name, .gguf file or model folder"
    )
    c.add_argument(
        "--format",
        default=",".join(Settings.formats),
        help=f"comma list of {','.join(FORMATS)} (xliff, po, tmx: annotated copies of "
        "those inputs under OUTDIR/annotated/)",
    )
    c.add_argument(
        "--csv-raw",
        action=Flag,
        default=False,
        help="write CSV cells as they are, without the ' that keeps spreadsheets from "
        "running a cell starting with = + - @ as a formula",
    )
    c.add_argument("--text-field", default=Settings.text_field)
    c.add_argument("--id-field", default=Settings.id_field)
    c.add_argument("--batch-size", type=int, default=Settings.batch_size)
    c.add_argument("--dtype", choices=DTYPES, default=Settings.dtype)
    c.add_argument("--device", choices=DEVICES, default=Settings.device)
    c.add_argument("--window", type=int, default=Settings.window)
    c.add_argument("--overlap", type=int, default=Settings.overlap)
    c.add_argument(
        "--calibration", help="detector file (default: the one shipped for the model preset)"
    )
    c.add_argument("--encoding-errors", choices=("strict", "replace"), default="strict")
    c.add_argument(
        "--reference", metavar="FILE", help="human reference .txt, line-aligned with a .txt INPUT"
    )
    c.add_argument("--source", metavar="FILE", help="source .txt, line-aligned with INPUT")
    c.add_argument(
        "--glossary", metavar="FILE", help="glossary .csv or .tbx: required and forbidden terms"
    )
    c.add_argument(
        "--overwrite", action=Flag, default=False, help="replace a run with other settings"
    )
    c.add_argument(
        "--engine", choices=ENGINES, default=Settings.engine, help="local, or a Ray Data actor pool"
    )
    c.add_argument(
        "--ray-address", metavar="ADDR", help="Ray cluster (default $RAY_ADDRESS, else local)"
    )
    c.add_argument(
        "--ray-actors", type=int, default=Settings.ray_actors, help="scorer actors (0: auto)"
    )
    c.add_argument(
        "--suggest",
        action=Flag,
        default=True,
        help="suggest fixes for LM flags (on; --no-suggest: none, and no time spent on the "
        "edits rescored for them)",
    )
    c.add_argument(
        "--edit-budget",
        type=int,
        metavar="N",
        default=Settings.edit_budget,
        help="local edits rescored per sentence with an LM flag, to suggest its fix (0: none)",
    )
    c.add_argument(
        "--source-lm",
        action=Flag,
        default=True,
        help="with a source, score the target a second time after it (on: the "
        "source-conditioned LM evidence; a check of zh-en news takes about 2.6x as long as "
        "with --no-source-lm)",
    )
    c.add_argument("--quiet", action=Flag, default=False, help="no progress or summary on stderr")
    add_check_choices(c)
    for action in c._actions:
        if action.help is None:
            action.help = CHECK_HELP.get(action.dest)


def settings_from_args(a: argparse.Namespace) -> Settings:
    """``mtqa check``'s flags as :class:`~mtqa.settings.Settings`."""
    return Settings(
        model=a.model,
        batch_size=a.batch_size,
        dtype=a.dtype,
        device=a.device,
        window=a.window,
        overlap=a.overlap,
        formats=tuple(f.strip() for f in a.format.split(",") if f.strip()),
        csv_raw=a.csv_raw,
        text_field=a.text_field,
        id_field=a.id_field,
        encoding_errors=a.encoding_errors,
        calibration=a.calibration,
        overwrite=a.overwrite,
        engine=a.engine,
        ray_address=a.ray_address,
        ray_actors=a.ray_actors,
        reference=a.reference,
        source=a.source,
        glossary=a.glossary,
        stdin_format=a.stdin_format,
        select=parse_list(a.select, "select"),
        ignore=parse_list(a.ignore, "ignore"),
        sensitivity=a.sensitivity,
        threshold=a.threshold,
        suggest=a.suggest,
        edit_budget=a.edit_budget,
        source_lm=a.source_lm,
    )


def _read_stdin(inputs: Sequence[str]) -> bytes | None:
    """Standard input's bytes when INPUT is ``-``; None otherwise."""
    if STDIN not in inputs:
        return None
    if sys.stdin is None or sys.stdin.isatty():
        raise UsageError(
            "INPUT -: standard input is a terminal; pipe text in (cat article.txt | mtqa check -)"
        )
    return sys.stdin.buffer.read()


def _stdout_copy(path: Path) -> None:
    """Copy a report file to standard output, byte for byte."""
    sys.stdout.flush()
    with path.open("rb") as f:
        while block := f.read(1 << 16):
            sys.stdout.buffer.write(block)
    sys.stdout.buffer.flush()


def _run(a: argparse.Namespace, settings: Settings, bar: ProgressBar | None) -> RunSummary:
    """Run the check: into an output folder, or (``--stdout`` alone, ``-o -``) a stream."""
    from mtqa.outdir import default_outdir
    from mtqa.pipeline import run_check
    from mtqa.stream import run_stream, unwritten

    def on_failure(f: Failure) -> None:
        if bar is not None:
            bar.write(terminal_line(str(f)))
        else:
            print(terminal_line(str(f)), file=sys.stderr)

    stdin = _read_stdin(a.inputs)
    if a.outdir == "-" or (a.stdout and not a.outdir):
        fmt = a.stdout or "jsonl"
        if not a.quiet and (why := unwritten(settings.formats, fmt)) is not None:
            print(f"mtqa: {why}", file=sys.stderr)
        out = io.TextIOWrapper(sys.stdout.buffer, encoding="utf-8", newline="")
        sys.stdout.flush()
        try:
            return run_stream(a.inputs, settings, fmt, out, load_scorer, bar, on_failure, stdin)
        finally:
            out.flush()
            out.detach()  # standard output stays open
    outdir = Path(a.outdir) if a.outdir else default_outdir(a.inputs)
    summary = run_check(a.inputs, settings, outdir, load_scorer, bar, on_failure, stdin)
    if a.stdout and summary.outputs:
        _stdout_copy(outdir / FILENAMES[a.stdout])
    return summary


def _report(a: argparse.Namespace, summary: RunSummary) -> None:
    """The summary on stderr: counts, where the reports went, the worst spans."""
    err = sys.stderr
    where = "standard output" if summary.outdir == Path("-") else summary.outdir
    print(
        f"mtqa: {summary.documents} document(s), {counted(summary.sentences, 'sentence')} scored, "
        f"{summary.flagged} flagged ({summary.major} major) -> {terminal_line(str(where))}",
        file=err,
    )
    if summary.skipped:
        listed = "" if summary.outdir == Path("-") else f" (listed in {where}/run.json)"
        print(
            f"mtqa: {len(summary.skipped)} translation unit(s) skipped, with nothing to "
            f"score{listed}",
            file=err,
        )
    for notice in summary.notices:
        print(f"mtqa: {notice}", file=err)
    if summary.source_lm_skipped:
        print(
            f"mtqa: {summary.source_lm_skipped} document(s) with a source judged without the "
            "source-conditioned LM pass: too long for one LM window (their notes say so)",
            file=err,
        )
    for _, doc_id, sp in summary.worst:
        fix = (
            ""
            if sp.suggestion is None
            else f" -> {sp.suggestion!r}"
            if sp.suggestion
            else " -> (delete)"  # as sentences.csv and the review page say it
        )
        print(
            f"  {sp.severity:5} {one_line_safe(doc_id)}:{sp.start}-{sp.end} {sp.text!r}{fix}: "
            f"{one_line_safe(sp.reason)}",
            file=err,
        )
    if summary.worst and summary.flagged > len(summary.worst):
        more = summary.flagged - len(summary.worst)
        print(f"  ... and {more} more flagged sentence(s): every span is in the report", file=err)


def fail_on(summary: RunSummary, severity: str) -> str | None:
    """Why ``--fail-on severity`` fails the run (one line), or None."""
    if severity == "major" and summary.major:
        return f"{summary.major} sentence(s) with a major span"
    if severity == "minor" and summary.flagged:
        return f"{summary.flagged} sentence(s) with a minor or major span"
    return None


def cmd_check(a: argparse.Namespace) -> int:
    """``mtqa check``: run the check, show progress and the worst spans, print the CSV path
    (or write a report to standard output); exit :data:`EXIT_FLAGGED` per ``--fail-on``."""
    if "stdin_format" in getattr(a, "given", ()) and STDIN not in a.inputs:
        raise UsageError(
            f"--stdin-format {a.stdin_format}: reads standard input (INPUT -) only, and no INPUT "
            "is -; a file is read by its suffix (.txt, .jsonl, .tsv, .csv, …): rename it, or "
            f"pipe it in (mtqa check - --stdin-format {a.stdin_format} < FILE)"
        )
    settings = settings_from_args(a)
    if a.stdout and a.outdir not in (None, "-") and a.stdout not in settings.formats:
        settings = replace(settings, formats=(*settings.formats, a.stdout))  # the file to copy
    bar = ProgressBar(sys.stderr) if not a.quiet and sys.stderr.isatty() else None
    try:
        summary = _run(a, settings, bar)
    finally:
        if bar is not None:
            bar.close()
    if not summary.outputs:  # every input failed: nothing scored, no folder left behind
        if not a.quiet:
            where = (
                ""
                if summary.outdir == Path("-")
                else f"; no report written to {summary.outdir}"
                + (
                    " (the earlier run's reports and results there are kept as they were)"
                    if (summary.outdir / "run.json").is_file()
                    else ""
                )
            )
            said = f"mtqa: nothing scored: every input failed{where}"
            print(terminal_line(said), file=sys.stderr)
        return 1
    if not a.quiet:
        _report(a, summary)
    if not (a.stdout or a.outdir == "-"):
        print(summary.outdir / "sentences.csv" if "csv" in settings.formats else summary.outdir)
    if summary.failures:
        return 1
    why = fail_on(summary, a.fail_on)
    if why is None:
        return 0
    print(f"mtqa: failing (--fail-on {a.fail_on}, exit {EXIT_FLAGGED}): {why}", file=sys.stderr)
    return EXIT_FLAGGED


COMMANDS = {
    "check": cmd_check,
    "calibrate": cmd_calibrate,
    "eval": cmd_eval,
    "synth": cmd_synth,
    "review": cmd_review,
}


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """The command line, with ``mtqa check``'s defaults from its config file
    (:mod:`mtqa.config`) when the command is ``check``."""
    from mtqa.config import asks_help, configure

    args = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser()
    command = next((x for x in args if not x.startswith("-")), None)
    if command == "check":
        check = parser.commands["check"]
        check_args = args[args.index("check") + 1 :]
        found = configure(check, check_args)
        if found is not None:  # its values as Settings checks them (ranges, window/overlap)
            defaults = {a.dest: a.default for a in check._actions if a.dest != "help"}
            try:
                settings_from_args(argparse.Namespace(**defaults))
            except UsageError as exc:
                if not asks_help(check, check_args):
                    raise UsageError(f"{found}: {exc}") from None
    try:
        return parser.parse_args(args)
    except UsageError:
        dashed = _dashed_path(parser, args)
        if dashed is None:
            raise
        raise UsageError(
            f"{dashed}: a file name starting with '-' reads as an option; pass it as "
            f"./{dashed} (or after --: mtqa {command} ... -- {dashed})"
        ) from None


def _dashed_path(parser: _Parser, args: Sequence[str]) -> str | None:
    """The first argument that argparse took for an option but that is no option of any
    command and names an existing file or folder (``-dash.txt``), or None."""
    known = set(parser._option_string_actions)
    for sub in parser.commands.values():
        known |= set(sub._option_string_actions)
    for arg in args:
        if arg == "--":
            return None
        if (
            len(arg) > 1
            and arg.startswith("-")
            and arg.split("=", 1)[0] not in known
            and os.path.lexists(arg)
        ):
            return arg
    return None


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; the exit code (0 ok, 1 user error, failed input or a bug, 2 usage,
    3 ``--fail-on``, 130 ^C). Its messages name each setting as its option
    (``--batch-size 0``; :data:`~mtqa.options.COMMAND_OPTIONS`)."""
    with options_named(COMMAND_OPTIONS):
        return _main(argv)


def _main(argv: Sequence[str] | None) -> int:
    """:func:`main`'s body."""
    debug = os.environ.get("MTQA_DEBUG") == "1"  # tracebacks instead of one-line errors
    try:
        args = parse_args(argv)
        return COMMANDS[args.command](args)
    except MtqaError as exc:
        if debug:
            raise
        print(f"mtqa: error: {terminal_line(str(exc))}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print(
            "mtqa: interrupted; finished documents are kept, rerun the same command to resume",
            file=sys.stderr,
        )
        return 130
    except BrokenPipeError:  # the reader of standard output went away (| head)
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())  # no second error when Python flushes at exit
        return 1
    except OSError as exc:  # full disk, permissions: the environment, not a bug in mtqa
        if debug:
            raise
        where = f"{exc.filename}: " if exc.filename else ""
        why = exc.strerror or type(exc).__name__
        print(
            f"mtqa: error: {terminal_line(f'{where}{why}')}; check the path, permissions and free "
            "space",
            file=sys.stderr,
        )
        return 1
    except Exception as exc:  # a bug in mtqa: one line too; the traceback with MTQA_DEBUG=1
        if debug:
            raise
        what = terminal_line(f"{type(exc).__name__}: {exc}")
        print(
            f"mtqa: error: internal error ({what}); this is a bug in mtqa: rerun with "
            "MTQA_DEBUG=1 for the traceback and report it",
            file=sys.stderr,
        )
        return 1
