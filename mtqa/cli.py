"""The command line: ``mtqa check|calibrate``. The only place that prints or exits.

User errors → one line on stderr, exit 1; usage errors → exit 2; an unexpected
exception is re-raised with its traceback when ``MTQA_DEBUG=1``.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from mtqa import __version__
from mtqa.errors import MtqaError, UsageError
from mtqa.records import Failure
from mtqa.settings import DEVICES, DTYPES, Settings


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        raise UsageError(f"{self.prog}: {message}")


def load_scorer(settings: Settings):  # type: ignore[no-untyped-def]
    from mtqa.lm.hf import HFScorer

    return HFScorer.load(
        settings.model,
        dtype=settings.dtype,
        device=settings.device,
        window=settings.window,
        overlap=settings.overlap,
    )


def build_parser() -> argparse.ArgumentParser:
    p = _Parser(prog="mtqa", description="Find garbled spans in machine-translated English.")
    p.add_argument("--version", action="version", version=f"mtqa {__version__}")
    sub = p.add_subparsers(dest="command", required=True, parser_class=_Parser)

    c = sub.add_parser("check", help="score, flag and report translated text")
    c.add_argument("inputs", nargs="+", metavar="INPUT", help=".txt, .jsonl, .tsv, .csv or a folder")
    c.add_argument("-o", "--outdir", help="output folder (default reports/<input name>)")
    c.add_argument("--model", default=Settings.model, help="preset name, .gguf file or model folder")
    c.add_argument("--format", default="csv,jsonl,html", help="comma list of csv,jsonl,html")
    c.add_argument("--text-field", default=Settings.text_field)
    c.add_argument("--id-field", default=Settings.id_field)
    c.add_argument("--batch-size", type=int, default=Settings.batch_size)
    c.add_argument("--dtype", choices=DTYPES, default=Settings.dtype)
    c.add_argument("--device", choices=DEVICES, default=Settings.device)
    c.add_argument("--window", type=int, default=Settings.window)
    c.add_argument("--overlap", type=int, default=Settings.overlap)
    c.add_argument("--calibration", help="calibration file (default: the one in models/)")
    c.add_argument("--encoding-errors", choices=("strict", "replace"), default="strict")
    c.add_argument("--overwrite", action="store_true", help="replace a run with other settings")
    c.add_argument("--quiet", action="store_true", help="no progress or summary on stderr")

    k = sub.add_parser("calibrate", help="measure clean English and write the thresholds")
    k.add_argument("clean", metavar="CLEAN.txt", help="clean English, one sentence per line")
    k.add_argument("--model", default=Settings.model)
    k.add_argument("-o", "--output", help="calibration file (default models/<model>.calibration.json)")
    k.add_argument("--lines-per-doc", type=int, default=10)
    k.add_argument("--limit", type=int, default=0, help="use only the first N lines")
    k.add_argument("--batch-size", type=int, default=Settings.batch_size)
    k.add_argument("--quiet", action="store_true")
    return p


def settings_from_args(a: argparse.Namespace) -> Settings:
    return Settings(
        model=a.model,
        batch_size=a.batch_size,
        dtype=a.dtype,
        device=a.device,
        window=a.window,
        overlap=a.overlap,
        formats=tuple(f.strip() for f in a.format.split(",") if f.strip()),
        text_field=a.text_field,
        id_field=a.id_field,
        encoding_errors=a.encoding_errors,
        calibration=a.calibration,
        overwrite=a.overwrite,
    )


def default_outdir(inputs: Sequence[str]) -> Path:
    first = Path(inputs[0].rstrip("/\\"))
    name = first.stem if first.suffix else first.name
    return Path("reports") / (name or "run")


def cmd_check(a: argparse.Namespace) -> int:
    from mtqa.pipeline import run_check

    settings = settings_from_args(a)
    outdir = Path(a.outdir) if a.outdir else default_outdir(a.inputs)

    def on_failure(f: Failure) -> None:
        print(str(f), file=sys.stderr)

    summary = run_check(a.inputs, settings, outdir, load_scorer, None, on_failure)
    if not a.quiet:
        err = sys.stderr
        print(
            f"mtqa: {summary.documents} document(s), {summary.sentences} sentences scored, "
            f"{summary.flagged} flagged ({summary.major} major) -> {outdir}",
            file=err,
        )
        for _, doc_id, sp in summary.worst:
            print(f"  {sp.severity:5} {doc_id}:{sp.start}-{sp.end} {sp.text!r}: {sp.reason}", file=err)
    print(outdir / "sentences.csv" if "csv" in settings.formats else outdir)
    return 1 if summary.failures else 0


def cmd_calibrate(a: argparse.Namespace) -> int:
    from mtqa.calibrate import calibrate

    settings = Settings(model=a.model, batch_size=a.batch_size)
    path = calibrate(a.clean, settings, load_scorer, a.output, a.lines_per_doc, a.limit)
    print(path)
    return 0


COMMANDS = {"check": cmd_check, "calibrate": cmd_calibrate}


def main(argv: Sequence[str] | None = None) -> int:
    try:
        args = build_parser().parse_args(argv)
        return COMMANDS[args.command](args)
    except MtqaError as exc:
        if os.environ.get("MTQA_DEBUG") == "1":
            raise
        print(f"mtqa: error: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print(
            "mtqa: interrupted; finished documents are kept, rerun the same command to resume",
            file=sys.stderr,
        )
        return 130
    except BrokenPipeError:
        return 1
