"""Plain-text tables and numbers for what ``mtqa eval`` and ``mtqa review`` print."""

from __future__ import annotations

from collections.abc import Sequence


def fmt(x: float | None, digits: int = 3, signed: bool = False) -> str:
    """A number with ``digits`` decimals (with its sign when ``signed``); ``-`` for None."""
    if x is None:
        return "-"
    return f"{x:+.{digits}f}" if signed else f"{x:.{digits}f}"


def align(rows: Sequence[Sequence[str]]) -> list[str]:
    """Rows of cells as lines: the first column left-aligned, the others right-aligned,
    two spaces apart, each column as wide as its widest cell."""
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    return [
        "  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(r, widths)))
        for r in rows
    ]
