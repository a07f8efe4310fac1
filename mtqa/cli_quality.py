"""The quality commands of the command line: ``mtqa calibrate|eval|synth|review``
(argument parsers and handlers; :mod:`mtqa.cli` dispatches to them and prints errors)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from mtqa.errors import InputError, UsageError
from mtqa.lm.load import load_scorer
from mtqa.settings import DTYPES, Settings
from mtqa.text import counted, terminal_line


def add_calibrate(sub: Any) -> None:
    """Add ``mtqa calibrate`` and its options to the subcommands ``sub``."""
    k = sub.add_parser(
        "calibrate",
        help="fit the detector on MQM spans and injected errors, set thresholds on clean English",
    )
    k.add_argument("clean", metavar="CLEAN.txt", help="clean English, one sentence per line")
    k.add_argument("--model", default=Settings.model)
    # fitted detectors stay reproducible across machines: float32 unless asked
    k.add_argument("--dtype", choices=DTYPES, default="float32")
    k.add_argument("--seed", type=int, default=13, help="seed of the error injection")
    k.add_argument(
        "--major-rate", type=float, default=0.04, help="most clean sentences with a major flag"
    )
    k.add_argument(
        "--minor-rate", type=float, default=0.12, help="most clean sentences with any flag"
    )
    k.add_argument(
        "-o", "--output", help="detector file (default mtqa/data/detectors/<model>.json)"
    )
    k.add_argument(
        "--gold",
        action="append",
        default=[],
        metavar="FILE",
        help="rater-annotated MT (MQM .jsonl: target, source, spans) to fit on; repeatable",
    )
    k.add_argument(
        "--gold-limit",
        type=int,
        default=0,
        help="distinct segments per gold file (default 0: all)",
    )
    k.add_argument(
        "--cond-limit",
        type=int,
        default=0,
        help="gold segments per file also scored after their source, so that the detector "
        "weighs the source gain and `mtqa check` runs the source-conditioned pass on inputs "
        "with a source (default 0: the detector never uses the pass; needs --gold)",
    )
    k.add_argument(
        "--back-limit",
        type=int,
        default=0,
        help="gold segments per file whose source is also scored after them: the back gain, "
        "a third pass at check time with a source (default 0: none; needs --gold)",
    )
    k.add_argument("--score-cache", metavar="FILE", help="keep/reuse LM token scores here")
    k.add_argument("--lines-per-doc", type=int, default=10)
    k.add_argument("--limit", type=int, default=0, help="use only the first N lines")
    k.add_argument("--batch-size", type=int, default=Settings.batch_size)
    k.add_argument("--quiet", action="store_true")


def add_eval(sub: Any) -> None:
    """Add ``mtqa eval`` and its options to the subcommands ``sub``."""
    e = sub.add_parser("eval", help="compare a run's flags with hand-marked (gold) spans")
    e.add_argument("gold", metavar="GOLD.jsonl", help='{"id","target","spans":[...]} per line')
    e.add_argument("run", metavar="RUN_DIR", help="an output folder of `mtqa check`")
    e.add_argument(
        "--json",
        metavar="FILE",
        help="where to write the JSON (default RUN_DIR/eval.json; '-': JSON on stdout only)",
    )


def add_synth(sub: Any) -> None:
    """Add ``mtqa synth`` and its options to the subcommands ``sub``."""
    y = sub.add_parser("synth", help="inject MT-like errors into clean English (a gold dev set)")
    y.add_argument("clean", metavar="CLEAN.txt", help="clean English, one sentence per line")
    y.add_argument("-o", "--output", required=True, help="gold .jsonl to write")
    y.add_argument("--part", choices=("fit", "threshold", "dev", "all"), default="dev")
    y.add_argument("--limit", type=int, default=0, help="at most N records (default 0: all)")
    y.add_argument("--seed", type=int, default=29)
    y.add_argument(
        "--rate", type=float, default=0.5, help="share of lines that get an error, 0 to 1"
    )


def add_review(sub: Any) -> None:
    """Add ``mtqa review`` and its options to the subcommands ``sub``."""
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
        "--run",
        metavar="OUTDIR",
        help="the output folder of the mtqa check that wrote the sentences.csv or the "
        "report.html whose verdicts were exported (default: the sheet's folder, when it holds "
        "one): rows deleted, repeated or not the run's are named",
    )
    r.add_argument(
        "--json", metavar="FILE", help="also write the report as JSON ('-': JSON on stdout only)"
    )


def cmd_calibrate(a: argparse.Namespace) -> int:
    """``mtqa calibrate``: fit a detector, print its file."""
    from mtqa.pipeline import check_model_name
    from mtqa.quality.calibrate import calibrate

    for name in ("major_rate", "minor_rate"):
        if not 0.0 < getattr(a, name) < 1.0:
            raise UsageError(f"--{name.replace('_', '-')} {getattr(a, name)}: must be in (0, 1)")
    if a.major_rate > a.minor_rate:
        raise UsageError(
            f"--major-rate {a.major_rate} is above --minor-rate {a.minor_rate}: a major flag is "
            "a flag too, so no more clean sentences can get one than get any flag; pass a "
            "--major-rate no higher than --minor-rate"
        )
    if a.lines_per_doc < 1:
        raise UsageError(f"--lines-per-doc {a.lines_per_doc}: must be at least 1")
    for name in ("gold_limit", "cond_limit", "back_limit", "limit"):
        if getattr(a, name) < 0:
            raise UsageError(f"--{name.replace('_', '-')} {getattr(a, name)}: must be 0 or more")
    for name in ("cond_limit", "back_limit"):
        if getattr(a, name) and not a.gold:
            raise UsageError(
                f"--{name.replace('_', '-')} needs --gold FILE: only the gold segments have "
                "sources to score"
            )
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
        gold=a.gold,
        gold_limit=a.gold_limit,
        score_cache=a.score_cache,
        cond_limit=a.cond_limit,
        back_limit=a.back_limit,
    )
    if not a.quiet:
        m = det.meta
        print(
            f"mtqa: detector {det.detector_id} fitted on {counted(m['fit_sentences'], 'sentence')} "
            f"({m['fit_errors']:g} error words); on "
            f"{counted(m['clean_sentences'], 'held-apart clean sentence')} "
            f"{m['clean_major_rate']:.1%} get a major flag, "
            f"{m['clean_flag_rate']:.1%} any flag",
            file=sys.stderr,
        )
    print(path)
    return 0


def cmd_eval(a: argparse.Namespace) -> int:
    """``mtqa eval``: compare a run with gold spans, print the table, write the JSON."""

    from mtqa.quality.evaluate import RUN_FILES, evaluate, format_evaluation
    from mtqa.store import atomic_write, check_output_file

    out = None if a.json == "-" else Path(a.json) if a.json else Path(a.run) / "eval.json"
    if out is not None and (a.json or Path(a.run).is_dir()):
        inputs = [(a.gold, ""), *((Path(a.run) / name, "") for name in RUN_FILES)]
        option = "--json" if a.json else "the default --json"
        check_output_file(a.json or out, option, inputs, "the evaluation")
    ev = evaluate(a.gold, a.run)
    for notice in ev.notices:
        print(f"mtqa: {terminal_line(notice)}", file=sys.stderr)
    data = json.dumps(ev.as_dict(), indent=1, ensure_ascii=False) + "\n"
    if out is None:
        sys.stdout.write(data)
        return 0
    atomic_write(out, data)
    print(format_evaluation(ev))
    return 0


def cmd_synth(a: argparse.Namespace) -> int:
    """``mtqa synth``: write a gold set of injected errors."""

    from mtqa.quality.calibrate import clean_lines, split
    from mtqa.quality.synth import make_records
    from mtqa.store import atomic_write, check_output_file

    if a.limit < 0:
        raise UsageError(f"--limit {a.limit}: must be 0 (all) or more")
    if not 0.0 <= a.rate <= 1.0:
        raise UsageError(f"--rate {a.rate}: must be from 0 to 1 (the share of lines with an error)")
    out = Path(a.output)
    check_output_file(a.output, "-o", [(a.clean, "")], "the gold set")
    lines = clean_lines(a.clean, minimum=1, purpose="synth")
    parts = dict(zip(("fit", "threshold", "dev"), split(lines)))
    chosen = lines if a.part == "all" else parts[a.part]
    if not chosen:
        raise InputError(
            a.clean,
            None,
            f"{counted(len(lines), 'text line')}: the {a.part} part of calibrate's split (70% "
            "fit, 15% threshold, the rest dev) is empty; pass --part all or more lines",
        )
    if a.limit:
        chosen = chosen[: a.limit]
    recs = make_records(chosen, seed=a.seed, rate=a.rate, prefix=a.part)
    atomic_write(out, "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in recs))
    n_err = sum(1 for r in recs if r["spans"])
    said = f"{a.output}: {counted(len(recs), 'record')}, {n_err} with an injected error"
    print(terminal_line(said), file=sys.stderr)
    return 0


def cmd_review(a: argparse.Namespace) -> int:
    """``mtqa review``: read reviewed verdicts back, print the report (or its JSON)."""

    from mtqa.quality.review import format_review, review
    from mtqa.store import atomic_write, check_output_file

    if not 0.0 < a.target_precision <= 1.0:
        raise UsageError(f"--target-precision {a.target_precision}: must be in (0, 1]")
    if a.json and a.json != "-":
        check_output_file(a.json, "--json", [(a.reviewed, "")], "the report")
    rep = review(a.reviewed, a.target_precision, a.csv_raw, a.run)
    for p in rep.notices + rep.problems:
        print(terminal_line(f"{p.where(a.reviewed)}: {p.message}"), file=sys.stderr)
    data = json.dumps(rep.as_dict(), indent=1, ensure_ascii=False) + "\n"
    if a.json == "-":
        sys.stdout.write(data)
    else:
        print(format_review(rep))
        if a.json:
            atomic_write(Path(a.json), data)
    return 1 if rep.problems else 0
