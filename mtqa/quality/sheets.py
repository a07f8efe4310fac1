"""Reading a reviewed CSV back as a spreadsheet saved it, and the rates ``mtqa review`` reports.

A sheet is UTF-8 (with or without a BOM), comma, semicolon or tab separated; its kind is
told by its header: a ``review`` column — ``sentences.csv`` with reviewers' ``ok``/``error``
(:mod:`mtqa.quality.review`); a ``verdict`` column — the span verdicts exported from
``report.html`` (:mod:`mtqa.quality.verdicts`). Every cell loses the spreadsheet guard
quote mtqa wrote (:func:`~mtqa.report.base.unguard_cell`) unless ``raw`` is set.

Places are spreadsheet places: the header is row 1, the first data row 2, columns are
letters (``A``, ``B``, … ``AA``), so a message points at the cell a reviewer sees.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass
from typing import Protocol, TypeVar

from mtqa.errors import InputError
from mtqa.readers.decode import read_file
from mtqa.report.base import unguard_cell
from mtqa.text import blank, one_line_safe

DELIMITERS = (",", ";", "\t")
KINDS = {"review": "sentences", "verdict": "verdicts"}  # the column that tells the kind


def column_letter(i: int) -> str:
    """The spreadsheet letter of 0-based column ``i``: 0 → A, 25 → Z, 26 → AA."""
    out = ""
    i += 1
    while i:
        i, r = divmod(i - 1, 26)
        out = chr(65 + r) + out
    return out


@dataclass(frozen=True)
class Sheet:
    """A reviewed CSV: its kind, header (lower-cased names), rows and column positions."""

    path: str
    kind: str  # "sentences" or "verdicts"
    header: list[str]
    rows: list[list[str]]

    @property
    def col(self) -> dict[str, int]:
        """Column name → 0-based position (the first, when a name repeats)."""
        out: dict[str, int] = {}
        for i, name in enumerate(self.header):
            out.setdefault(name, i)
        return out

    def where(self, name: str) -> str:
        """``column C ('score')`` for a message."""
        return f"column {column_letter(self.col[name])} ({name!r})"

    def records(self) -> Iterable[tuple[int, dict[str, str]]]:
        """(spreadsheet row, {column: cell}) for every row that is not empty."""
        col = self.col
        for k, r in enumerate(self.rows):
            if any(c.strip() for c in r):
                yield k + 2, {name: r[i] if i < len(r) else "" for name, i in col.items()}


def decode(path: str) -> str:
    """The file's text; :class:`InputError` when unreadable or not UTF-8 (naming the line)."""
    data = read_file(path, "pass the sentences.csv or verdicts-*.csv you reviewed")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise InputError(
            path,
            line,
            "not UTF-8; save the sheet as 'CSV UTF-8' (Excel) or choose UTF-8 "
            "as the character set (LibreOffice)",
        ) from None


def read_sheet(path: str, raw: bool = False) -> Sheet:
    """The sheet at ``path`` with the delimiter whose header names a ``review`` or ``verdict``
    column. Raises :class:`InputError` for an empty file, and (line 1) when no delimiter gives
    one, or when a column name appears twice."""
    text = decode(path)
    if not text.strip():
        raise InputError(
            path,
            None,
            f"{blank(text) or 'empty file'}: nothing to review; pass the sentences.csv or "
            "verdicts-*.csv you reviewed",
        )
    for delim in DELIMITERS:
        rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delim))
        header = [h.strip().lower() for h in rows[0]] if rows else []
        kinds = [KINDS[h] for h in header if h in KINDS]
        if not kinds:
            continue
        if len(set(kinds)) > 1:
            raise InputError(
                path,
                1,
                "the header has both a 'review' and a 'verdict' column; review either a "
                "sentences.csv (review column) or a verdict export of report.html, not a mix",
            )
        _no_repeats(path, header)
        body = rows[1:] if raw else [[unguard_cell(c) for c in r] for r in rows[1:]]
        return Sheet(path, kinds[0], header, body)
    raise InputError(
        path,
        1,
        "no 'review' or 'verdict' column in the header; review a sentences.csv written by "
        "`mtqa check` (write ok or error in its review column) or the verdict export of "
        "report.html",
    )


def _no_repeats(path: str, header: list[str]) -> None:
    seen: dict[str, int] = {}
    for i, name in enumerate(header):
        if name and name in seen:
            raise InputError(
                path,
                1,
                f"column {column_letter(i)} repeats the name {name!r} of column "
                f"{column_letter(seen[name])}; rename or delete one of them",
            )
        seen[name] = i


def missing_columns(sheet: Sheet, required: Iterable[str], what: str) -> None:
    """Raise :class:`InputError` (line 1) naming every required column the header lacks."""
    missing = [c for c in required if c not in sheet.col]
    if missing:
        names = ", ".join(repr(m) for m in missing)
        raise InputError(
            sheet.path,
            1,
            f"no {names} column{'s' if len(missing) > 1 else ''} in the header; {what}",
        )


def score_cell(cell: str) -> float:
    """A score cell as a number from 0 to 1 (a decimal comma read as a point).

    Raises :class:`ValueError` whose message says what is wrong ("is not a number", "is not
    a number from 0 to 1"): mtqa writes scores as probabilities, so ``nan``, ``inf``, ``7.5``
    or ``-1`` were edited in (and would make every threshold meaningless).
    """
    cell = cell.strip()
    if "," in cell and "." not in cell:  # a spreadsheet in a decimal-comma locale
        cell = cell.replace(",", ".")
    try:
        value = float(cell)
    except ValueError:
        raise ValueError("is not a number") from None
    if math.isnan(value):
        raise ValueError("is not a number")
    if not 0.0 <= value <= 1.0:
        raise ValueError("is not a number from 0 to 1")
    return value


def wilson(k: int, n: int, z: float = 1.96) -> tuple[float, float]:
    """The Wilson score interval of ``k`` successes in ``n`` trials (``z=1.96``: 95%)."""
    p = k / n
    d = 1 + z * z / n
    c = (p + z * z / (2 * n)) / d
    h = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / d
    return max(0.0, c - h), min(1.0, c + h)


@dataclass(frozen=True)
class Rate:
    """``errors`` of ``n`` reviewed items, with a 95% Wilson interval."""

    group: str
    n: int
    errors: int
    rate: float | None
    low: float | None
    high: float | None

    @classmethod
    def of(cls, group: str, verdicts: Iterable[bool]) -> Rate:
        """The rate of ``True`` among ``verdicts``, with its interval (None when there are none)."""
        vs = list(verdicts)
        n, k = len(vs), sum(vs)
        if not n:
            return cls(group, 0, 0, None, None, None)
        low, high = wilson(k, n)
        return cls(group, n, k, round(k / n, 4), round(low, 4), round(high, 4))


@dataclass(frozen=True)
class Problem:
    """A row (or column) with something wrong, and what to do; shown on stderr.

    ``counted``: False when the row is left out of every figure, True for a notice on a
    row that still counts (or, with ``row`` 1, on a column of the header).
    """

    row: int  # spreadsheet row (header = 1; 0: the sheet as a whole)
    doc_id: str
    sent_id: str
    message: str
    counted: bool = False

    def where(self, path: str) -> str:
        """``path:row N (doc#sent)`` for a message (``path:1`` for the header, ``path``
        for the sheet as a whole: row 0); a control character in the ids is written as
        its escape (one line on a terminal)."""
        if self.row == 0:
            return path
        if self.row == 1:
            return f"{path}:1"
        return f"{path}:row {self.row} ({one_line_safe(self.doc_id)}#{one_line_safe(self.sent_id)})"


class _Row(Protocol):
    @property
    def row(self) -> int: ...
    @property
    def doc_id(self) -> str: ...
    @property
    def sent_id(self) -> str: ...


R = TypeVar("R", bound=_Row)


def drop_repeats(
    items: list[R],
    key: Callable[[R], Hashable | None],
    verdict: Callable[[R], str],
    what: str,
) -> tuple[list[R], list[Problem], list[Problem]]:
    """(kept items, problems, notices) for rows that review the same thing twice.

    ``key``: what a row reviews (None: cannot tell, always kept); ``what`` names the key's
    columns for the message. A repeat with the same verdict is counted once (a notice on the
    repeat); different verdicts for one key leave every row of it out (a problem on each
    of them), since nothing says which one is right.
    """
    first: dict[Hashable, R] = {}
    conflicts: set[Hashable] = set()
    problems: list[Problem] = []
    notices: list[Problem] = []
    kept: list[R] = []
    for it in items:
        k = key(it)
        if k is None or k not in first:
            if k is not None:
                first[k] = it
            kept.append(it)
            continue
        was, now = verdict(first[k]), verdict(it)
        where = f"row {first[k].row} (same {what})"
        if was == now:
            why = f"repeats {where} with the same verdict: counted once; delete the repeat"
            notices.append(Problem(it.row, it.doc_id, it.sent_id, why, True))
        else:
            if k not in conflicts:
                f = first[k]
                why = (
                    f"reviewed again on row {it.row} with another verdict: neither row is "
                    "counted; keep the right one"
                )
                problems.append(Problem(f.row, f.doc_id, f.sent_id, why))
            conflicts.add(k)
            why = (
                f"repeats {where} with another verdict ({was!r} there, {now!r} here): neither "
                "row is counted; keep the right one"
            )
            problems.append(Problem(it.row, it.doc_id, it.sent_id, why))
    return [it for it in kept if key(it) not in conflicts], problems, notices
