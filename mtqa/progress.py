"""The progress bar of ``mtqa check`` on stderr (tqdm): what the CLI shows while a run works."""

from __future__ import annotations

import sys
import time
from typing import TextIO

from mtqa.text import counted


class ProgressBar:
    """A tqdm bar on stderr fed by run_check's progress events: sentences, sentences/s, ETA,
    and after them the documents done and the LM's tokens per second.

    The pipeline reports sentences as the LM scores them (inside a long document too),
    so the bar moves between documents. Sentences found on disk from an earlier run
    ("resumed") move the bar without counting towards the rate, so the ETA reflects the
    work actually left.
    """

    def __init__(self, file: TextIO) -> None:
        from tqdm import tqdm

        self.bar = tqdm(
            total=None,
            unit=" sentences",
            desc="mtqa",
            file=file,
            dynamic_ncols=True,
            smoothing=0.1,
            mininterval=0.25,
        )
        self.docs = 0
        self.tokens = 0
        self.t0: float | None = None  # when the first LM batch was done

    def _postfix(self) -> None:
        tok = ""
        if self.t0 is not None and (elapsed := time.monotonic() - self.t0) > 0:
            tok = f", {self.tokens / elapsed:,.0f} tok/s"
        self.bar.set_postfix_str(f"{counted(self.docs, 'doc')}{tok}", refresh=False)

    def __call__(self, event: str, n: int) -> None:
        """Take one progress event (see :data:`mtqa.pipeline.Progress`)."""
        bar = self.bar
        if event == "total":
            bar.total = n
            bar.refresh()
        elif event == "sentences":
            bar.update(n)
        elif event == "resumed":
            bar.n += n
            bar.initial += n
            bar.last_print_n += n
        elif event == "docs":
            self.docs += n
            self._postfix()
        elif event == "tokens":
            if self.t0 is None:
                self.t0 = time.monotonic()  # the rate counts from the first batch on
            else:
                self.tokens += n
            self._postfix()

    def write(self, line: str) -> None:
        """Print a line on stderr above the bar."""
        self.bar.write(line, file=sys.stderr)

    def close(self) -> None:
        """Remove the bar."""
        self.bar.close()
