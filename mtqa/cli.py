"""The command line: ``mtqa check|calibrate|eval|synth|review``. The only place that prints
or exits; each command builds its arguments and calls one library function.

User errors → one line on stderr, exit 1; usage errors → exit 2; an unexpected
exception is re-raised with its traceback when ``MTQA_DEBUG=1``.
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

from mtqa.errors import MtqaError, UsageError, one_line
from mtqa.lm.load import load_scorer
from mtqa.options import CHECK_HELP, EXIT_FLAGGED, HelpFormatter, add_check_choices, check_epilog
from mtqa.progress import ProgressBar
from mtqa.readers import STDIN
from mtqa.records import Failure
from mtqa.report import FILENAMES
from mtqa.runinfo import RunSummary
from mtqa.selection import parse_list
from mtqa.settings import DEVICES, DTYPES, ENGINES, FORMATS, Settings
from mtqa.version import __version__


class _Parser(argparse.ArgumentParser):
    """argparse that raises :class:`~mtqa.errors.UsageError` (exit 2) instead of exiting."""

    commands: Mapping[str, argparse.ArgumentParser]  # the subcommands' parsers, by name

    def error(self, message: str) -> None:  # type: ignore[override]
        raise UsageError(f"{self.prog}: {message}")


def build_parser() -> _Parser:
    """The argument parser of every command."""
    p = _Parser(prog="mtqa", description="Find garbled spans in machine-translated English.")
    p.add_argument("--version", action="version", version=f"mtqa {__version__}")
    sub = p.add_subparsers(dest="command", required=True, parser_class=_Parser)
    for add in (_add_check, _add_calibrate, _add_eval, _add_synth, _add_review):
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
        action="store_true",
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
    c.add_argument("--overwrite", action="store_true", help="replace a run with other settings")
    c.add_argument(
        "--engine", choices=ENGINES, default=Settings.engine, help="local, or a Ray Data actor pool"
    )
    c.add_argument(
        "--ray-address", metavar="ADDR", help="Ray cluster (default $RAY_ADDRESS, else local)"
    )
    c.add_argument(
        "--ray-actors", type=int, default=Settings.ray_actors, help="scorer actors (0: auto)"
    )
    c.add_argument("--quiet", action="store_true", help="no progress or summary on stderr")
    add_check_choices(c)
    for action in c._actions:
        if action.help is None:
            action.help = CHECK_HELP.get(action.dest)


def _add_calibrate(sub: Any) -> None:
    k = sub.add_parser(
        "calibrate", help="fit the detector on injected errors, set thresholds on clean English"
    )
    k.add_argument("clean", metavar="CLEAN.txt", help="clean English, one sentence per line")
    k.add_argument("--model", default=Settings.model)
    # fitted detectors stay reproducible across machines: float32 unless asked
    k.add_argument("--dtype", choices=DTYPES, default="float32")
    k.add_argument("--seed", type=int, default=13, help="seed of the error injection")
    k.add_argument(
        "--major-rate", type=float, default=0.05, help="most clean sentences with a major flag"
    )
    k.add_argument(
        "--minor-rate", type=float, default=0.15, help="most clean sentences with any flag"
    )
    k.add_argument(
        "-o", "--output", help="detector file (default mtqa/data/detectors/<model>.json)"
    )
    k.add_argument("--lines-per-doc", type=int, default=10)
    k.add_argument("--limit", type=int, default=0, help="use only the first N lines")
    k.add_argument("--batch-size", type=int, default=Settings.batch_size)
    k.add_argument("--quiet", action="store_true")


def _add_eval(sub: Any) -> None:
    e = sub.add_parser("eval", help="compare a run's flags with hand-marked (gold) spans")
    e.add_argument("gold", metavar="GOLD.jsonl", help='{"id","target","spans":[...]} per line')
    e.add_argument("run", metavar="RUN_DIR", help="an output folder of `mtqa check`")
    e.add_argument(
        "--json", metavar="FILE", help="where to write the JSON (default RUN_DIR/eval.json)"
    )


def _add_synth(sub: Any) -> None:
    y = sub.add_parser("synth", help="inject MT-like errors into clean English (a gold dev set)")
    y.add_argument("clean", metavar="CLEAN.txt", help="clean English, one sentence per line")
    y.add_argument("-o", "--output", required=True, help="gold .jsonl to write")
    y.add_argument("--part", choices=("fit", "threshold", "dev", "all"), default="dev")
    y.add_argument("--limit", type=int, default=0, help="at most N records")
    y.add_argument("--seed", type=int, default=29)
    y.add_argument("--rate", type=float, default=0.5, help="share of lines that get an error")


def _add_review(sub: Any) -> None:
    r = sub.add_parser(
        "review",
        help="read reviews back: a sentences.csv with ok/error in its review column (flag "
        "precision, misses, threshold) or report.html's verdict export (span precision)",
    )
    r.add_argument(
        "reviewed",
        metavar="REVIEWED.csv",
        help="sentences.csv with ok/error in review, or verdicts-*.csv exported by report.html",
    )
    r.add_argument(
        "--target-precision", type=float, default=0.8, help="precision the threshold must reach"
    )
    r.add_argument(
        "--csv-raw",
        action="store_true",
        help="the file was written with --csv-raw: keep a leading ' in cells",
    )
    r.add_argument(
        "--json", metavar="FILE", help="also write the report as JSON ('-': JSON on stdout only)"
    )


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
        select=parse_list(a.select),
        ignore=parse_list(a.ignore),
        sensitivity=a.sensitivity,
        threshold=a.threshold,
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
    from mtqa.stream import run_stream

    def on_failure(f: Failure) -> None:
        if bar is not None:
            bar.write(one_line(str(f)))
        else:
            print(one_line(str(f)), file=sys.stderr)

    stdin = _read_stdin(a.inputs)
    if a.outdir == "-" or (a.stdout and not a.outdir):
        out = io.TextIOWrapper(sys.stdout.buffer, encoding="utf-8", newline="")
        sys.stdout.flush()
        try:
            fmt = a.stdout or "jsonl"
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
        f"mtqa: {summary.documents} document(s), {summary.sentences} sentences scored, "
        f"{summary.flagged} flagged ({summary.major} major) -> {where}",
        file=err,
    )
    if summary.skipped:
        listed = "" if summary.outdir == Path("-") else f" (listed in {where}/run.json)"
        print(
            f"mtqa: {len(summary.skipped)} translation unit(s) skipped, with nothing to "
            f"score{listed}",
            file=err,
        )
    for _, doc_id, sp in summary.worst:
        print(f"  {sp.severity:5} {doc_id}:{sp.start}-{sp.end} {sp.text!r}: {sp.reason}", file=err)


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
                "" if summary.outdir == Path("-") else f"; no report written to {summary.outdir}"
            )
            print(f"mtqa: nothing scored: every input failed{where}", file=sys.stderr)
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


def cmd_calibrate(a: argparse.Namespace) -> int:
    """``mtqa calibrate``: fit a detector, print its file."""
    from mtqa.pipeline import check_model_name
    from mtqa.quality.calibrate import calibrate

    for name in ("major_rate", "minor_rate"):
        if not 0.0 < getattr(a, name) < 1.0:
            raise UsageError(f"--{name.replace('_', '-')} {getattr(a, name)}: must be in (0, 1)")
    settings = Settings(model=a.model, dtype=a.dtype, batch_size=a.batch_size)
    check_model_name(settings.model)  # a typo is named as such, before any work
    path, det = calibrate(
        a.clean,
        settings,
        load_scorer,
        a.output,
        a.lines_per_doc,
        a.limit,
        a.seed,
        a.major_rate,
        a.minor_rate,
    )
    if not a.quiet:
        m = det.meta
        print(
            f"mtqa: detector {det.detector_id} fitted on {m['fit_sentences']} sentences "
            f"({m['fit_errors']} error words); on {m['clean_sentences']} held-apart clean "
            f"sentences {m['clean_major_rate']:.1%} get a major flag, "
            f"{m['clean_flag_rate']:.1%} any flag",
            file=sys.stderr,
        )
    print(path)
    return 0


def cmd_eval(a: argparse.Namespace) -> int:
    """``mtqa eval``: compare a run with gold spans, print the table, write the JSON."""
    import json

    from mtqa.quality.evaluate import evaluate, format_evaluation
    from mtqa.store import atomic_write

    ev = evaluate(a.gold, a.run)
    out = Path(a.json) if a.json else Path(a.run) / "eval.json"
    atomic_write(out, json.dumps(ev.as_dict(), indent=1, ensure_ascii=False) + "\n")
    print(format_evaluation(ev))
    return 0


def cmd_synth(a: argparse.Namespace) -> int:
    """``mtqa synth``: write a gold set of injected errors."""
    import json

    from mtqa.quality.calibrate import clean_lines, split
    from mtqa.quality.synth import make_records
    from mtqa.store import atomic_write

    lines = clean_lines(a.clean)
    parts = dict(zip(("fit", "threshold", "dev"), split(lines)))
    chosen = lines if a.part == "all" else parts[a.part]
    if a.limit:
        chosen = chosen[: a.limit]
    recs = make_records(chosen, seed=a.seed, rate=a.rate, prefix=a.part)
    atomic_write(Path(a.output), "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in recs))
    n_err = sum(1 for r in recs if r["spans"])
    print(f"{a.output}: {len(recs)} records, {n_err} with an injected error", file=sys.stderr)
    return 0


def cmd_review(a: argparse.Namespace) -> int:
    """``mtqa review``: read reviewed verdicts back, print the report (or its JSON)."""
    import json

    from mtqa.quality.review import format_review, review
    from mtqa.store import atomic_write

    if not 0.0 < a.target_precision <= 1.0:
        raise UsageError(f"--target-precision {a.target_precision}: must be in (0, 1]")
    rep = review(a.reviewed, a.target_precision, a.csv_raw)
    for p in rep.notices + rep.problems:
        print(f"{p.where(a.reviewed)}: {p.message}", file=sys.stderr)
    data = json.dumps(rep.as_dict(), indent=1, ensure_ascii=False) + "\n"
    if a.json == "-":
        sys.stdout.write(data)
    else:
        print(format_review(rep))
        if a.json:
            atomic_write(Path(a.json), data)
    return 1 if rep.problems else 0


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
    from mtqa.config import configure

    args = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser()
    command = next((x for x in args if not x.startswith("-")), None)
    if command == "check":
        configure(parser.commands["check"], args[args.index("check") + 1 :])
    return parser.parse_args(args)


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; the exit code (0 ok, 1 user error or failed input, 2 usage,
    3 ``--fail-on``, 130 ^C)."""
    try:
        args = parse_args(argv)
        return COMMANDS[args.command](args)
    except MtqaError as exc:
        if os.environ.get("MTQA_DEBUG") == "1":
            raise
        print(f"mtqa: error: {one_line(str(exc))}", file=sys.stderr)
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
        if os.environ.get("MTQA_DEBUG") == "1":
            raise
        where = f"{exc.filename}: " if exc.filename else ""
        why = exc.strerror or type(exc).__name__
        print(
            f"mtqa: error: {one_line(f'{where}{why}')}; check the path, permissions and free space",
            file=sys.stderr,
        )
        return 1
