"""``mtqa check``'s help and its options for what runs, what fails a build and where the
data flows (``--select``, ``--ignore``, ``--sensitivity``, ``--threshold``, ``--fail-on``,
``--stdout``, ``--stdin-format``, ``--config``). The parser itself is :mod:`mtqa.cli`'s.
"""

from __future__ import annotations

import argparse
from dataclasses import fields
from typing import Any

from mtqa.settings import Settings


class HelpFormatter(argparse.RawDescriptionHelpFormatter):
    """Help that shows each option's default (when it has one) and keeps the epilog's lines."""

    def _get_help_string(self, action: argparse.Action) -> str | None:
        help = action.help or ""
        if (
            action.default in (None, "", argparse.SUPPRESS)
            or action.default is False  # a switch (--no-config); 0 == False, so not `in`
            or isinstance(action, Flag)
        ):
            return help
        if "%(default)" in help:
            return help
        if action.option_strings or action.nargs in (argparse.OPTIONAL, argparse.ZERO_OR_MORE):
            return f"{help} (default: %(default)s)".lstrip()
        return help


class Flag(argparse.BooleanOptionalAction):
    """An on/off option, ``--X`` and ``--no-X``: the command line can turn off what a config
    file turned on (``overwrite = true``, then ``--no-overwrite``), and the other way round.
    Its help says what ``--X`` does (the pair is its default: off, or on for ``--suggest``)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.help = kwargs.get("help")  # Python < 3.14 appends "(default: ...)" to it


# help for the options defined without one, so that --help lists every default
CHECK_HELP = {
    "text_field": "record field holding the text (falls back to 'text')",
    "id_field": "record field holding the id (default id: FILE:LINE)",
    "batch_size": "windows per LM batch",
    "dtype": "LM precision; auto: bfloat16 where the CPU (AVX512_BF16/AMX) or GPU has it",
    "device": "where the LM runs",
    "window": "tokens per LM pass",
    "overlap": "tokens of context carried into the next window",
    "encoding_errors": "a byte that is not UTF-8: an error, or U+FFFD",
}

#: the ``mtqa check`` option of each :class:`Settings` field (``extra`` has none): how the
#: command line's messages name a setting (:func:`mtqa.errors.named`, ``--batch-size 0``
#: where the Python API says ``batch_size=0``)
SETTING_OPTIONS = {
    f.name: "--" + f.name.replace("_", "-") for f in fields(Settings) if f.name != "extra"
} | {"formats": "--format", "suggest": "--no-suggest", "source_lm": "--no-source-lm"}
#: what the command line's messages name so: the settings, and the parameters the commands'
#: options give to the library: :func:`~mtqa.pipeline.run_check`'s and
#: :func:`~mtqa.stream.run_stream`'s (``outdir``: ``-o``, ``fmt``: ``--stdout``),
#: :func:`~mtqa.quality.review.review`'s ``run`` and :func:`~mtqa.quality.calibrate.calibrate`'s
#: ``output``, ``gold`` and ``score_cache``
COMMAND_OPTIONS = SETTING_OPTIONS | {
    "outdir": "-o",
    "fmt": "--stdout",
    "run": "--run",
    "output": "-o",
    "gold": "--gold",
    "score_cache": "--score-cache",
}

EXIT_FLAGGED = 3  # --fail-on: a span at or above the severity was found


class StoreGiven(argparse.Action):
    """Store the value and mark it given on the command line (``namespace.given``): an
    option that only some inputs use is refused when given without them, while the same
    key in a config file (the parser's default) stays a quiet default."""

    def __call__(
        self,
        parser: argparse.ArgumentParser,
        namespace: argparse.Namespace,
        values: object,
        option_string: str | None = None,
    ) -> None:
        """Store ``values`` as the option's value and add its dest to ``namespace.given``."""
        setattr(namespace, self.dest, values)
        namespace.given = {*getattr(namespace, "given", ()), self.dest}


def check_epilog() -> str:
    """``mtqa check --help``'s end: models, check ids, examples, config, environment, exits."""
    import textwrap

    from mtqa.lm.presets import DEFAULT_MODEL, PRESETS
    from mtqa.selection import check_ids

    models = [
        f"  {p.name:<14} {p.description}"
        + ("" if p.name == DEFAULT_MODEL else f"\n  {'':<14} install: {p.install}")
        for p in PRESETS.values()
    ]
    ids = textwrap.fill(
        ", ".join(check_ids()),
        88,
        initial_indent="  ",
        subsequent_indent="  ",
        break_on_hyphens=False,
    )
    return "\n".join(
        [
            "models (--model; or a .gguf file, or a transformers model folder):",
            *models,
            "",
            "check ids (--select/--ignore: an id, or a prefix such as src or rule:src-):",
            ids,
            "",
            "examples:",
            "  mtqa check articles/ -o reports/articles",
            "  cat article.txt | mtqa check - --stdout csv > sentences.csv",
            "  mtqa check batch.jsonl --fail-on major --quiet    # CI: exit 3 on a major span",
            "  mtqa check a.txt --ignore rule:spelling,src --sensitivity high",
            "  mtqa check a.txt --threshold 0.42                 # what `mtqa review` recommends",
            "",
            "config: every option above as a key of [tool.mtqa] in pyproject.toml or of",
            '  mtqa.toml, found in this folder or a parent (fail-on = "major"); the command',
            "  line wins; --config FILE names one, --no-config reads none",
            "environment: MTQA_CACHE (dequantised models; default ~/.cache/mtqa),",
            "  MTQA_THREADS (torch CPU threads), MTQA_DEBUG=1 (tracebacks on errors)",
            f"exit codes: 0 ok; 1 error or unreadable input; 2 usage; {EXIT_FLAGGED} --fail-on "
            "found a span; 130 interrupted",
        ]
    )


def add_check_choices(c: argparse.ArgumentParser) -> None:
    """``mtqa check``'s options for what runs, what fails a build, and where data flows."""
    from mtqa.detect import SENSITIVITIES
    from mtqa.readers import STDIN_FORMATS
    from mtqa.stream import STREAM_FORMATS

    c.add_argument(
        "--select", metavar="IDS", default=None, help="comma list of check ids to report (all)"
    )
    c.add_argument(
        "--ignore", metavar="IDS", default=None, help="comma list of check ids to drop (none)"
    )
    c.add_argument(
        "--sensitivity",
        choices=SENSITIVITIES,
        default=Settings.sensitivity,
        help="the detector's operating point: low (fewer flags) or high (more)",
    )
    c.add_argument(
        "--threshold",
        type=float,
        metavar="P",
        help="the LM's flag threshold, a word's error probability (e.g. what mtqa review "
        "recommends)",
    )
    c.add_argument(
        "--fail-on",
        choices=("none", "minor", "major"),
        default="none",
        help=f"exit {EXIT_FLAGGED} when a span of this severity or worse is found",
    )
    c.add_argument(
        "--stdout",
        choices=STREAM_FORMATS,
        help="write this report to standard output (no folder unless -o DIR is given too)",
    )
    c.add_argument(
        "--stdin-format",
        action=StoreGiven,
        choices=STDIN_FORMATS,
        default=Settings.stdin_format,
        help="what INPUT - reads: one article (txt) or records (a file is read by its suffix)",
    )
    c.add_argument("--config", metavar="FILE", help="read options from this TOML file")
    c.add_argument("--no-config", action="store_true", help="read no config file")
