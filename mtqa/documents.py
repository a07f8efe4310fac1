"""What the Python API takes as texts (:meth:`mtqa.Checker.check`) → Documents, and a
Failure for each item that cannot be checked (the others are checked).

``texts`` is one text (a str) or :class:`~mtqa.records.Document`; a list, tuple or other
ordered iterable of them or of records (dicts with a ``.jsonl`` record's fields: ``target``,
else ``text``; ``id``, ``source``, ``reference``); or a pandas DataFrame (a ``target``
column, optional ``id``, ``source``, ``reference``: the same fields) or Series of texts. A set is
refused: its order, and so the ids made from it, would change from run to run.

**Ids** are strings. A Document's own (an int is taken as its digits); a DataFrame's id
column (an integral float, as pandas stores an int column with a gap, as its int: ``1.0``
→ ``'1'``); else mtqa makes one: the item's position (``"0"``, ``"1"``...) or the
DataFrame's or Series' index. A missing id (None, NaN, ``""``) in a DataFrame's id column,
a Document or the index it would be made from costs its item (``texts[1]: id is
missing...``): falling back to a made id there could meet an id given elsewhere. A repeated
id costs the later item, and the message says when mtqa made one of the two ids.

**Fields** are strings: a target, source or reference of another type (a DataFrame cell
``12``, a list, a dict) costs its item (``texts[2]: source is int, not a string``); a missing
source or reference (None, NaN) is none, and so is an empty one (``""``, only spaces or
invisible characters), as in a ``.jsonl`` record read by the CLI.
"""

from __future__ import annotations

import math
import numbers
import os
import sys
from collections.abc import ItemsView, Iterable, Iterator, KeysView, Mapping, Set
from dataclasses import dataclass, replace
from typing import Any

from mtqa.errors import UsageError
from mtqa.readers import document_fault
from mtqa.records import Document, Failure
from mtqa.text import has_visible_text

#: what :meth:`mtqa.Checker.check` takes (module docstring)
Texts = Any
_POSITION = "the item's position"
_INDEX = "the index"


@dataclass(frozen=True)
class _Item:
    """One item of ``texts``: a record (its fields by name) or a Document given as such,
    and the id mtqa gives it when it names none (``made``, made from ``how``)."""

    where: str
    made: str | None  # None: the index value is missing, so no id can be made from it
    how: str
    record: dict[str, Any] | Document
    has_id: bool = False  # a record of a DataFrame with an id column: it must name its id
    key: Any = None  # a DataFrame row's index value


class _BadId(ValueError):
    """An id value that is no string or integer (the message says what it is)."""


def _missing(value: Any) -> bool:
    """A cell with no value: None, a float NaN, or pandas' NA/NaT."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return True
    pd = sys.modules.get("pandas")
    return pd is not None and (value is pd.NA or value is pd.NaT)


def _id_text(value: Any) -> str | None:
    """An id value as its string; None when missing (:func:`_missing`, or ``""``).

    A string is kept; an integer (not a bool) or an integral float (``1.0``: pandas' int
    column with a gap) is its digits (``'1'``). Anything else raises :class:`_BadId`.
    """
    if _missing(value) or value == "":
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, numbers.Integral) and not isinstance(value, bool):
        return str(int(value))  # numpy's ints too
    if isinstance(value, float) and value.is_integer():  # a pandas int column with a gap
        return str(int(value))
    raise _BadId(
        f"id must be a string or an integer, got {type(value).__name__} {value!r}; "
        f"give it as a string ({str(value)!r})"
    )


def _index_id(value: Any) -> str | None:
    """A DataFrame index value as an id: :func:`_id_text`, else its ``str``; None when it
    is missing (NaN, None, ``""``: no id, like a missing cell of an id column)."""
    try:
        made = _id_text(value)
    except _BadId:
        return str(value)
    return made


def _frame(texts: Any, text_field: str) -> Any | None:
    """``texts`` as a pandas DataFrame when it is one (a Series: its texts as the
    ``text_field`` column, same index); None when it is no pandas table."""
    pd = sys.modules.get("pandas")  # a pandas object means pandas is imported
    if pd is None:
        return None
    if isinstance(texts, pd.Series):
        return texts.to_frame(text_field)
    return texts if isinstance(texts, pd.DataFrame) else None


def _records(frame: Any, text_field: str, id_field: str) -> list[dict[str, Any]]:
    """The rows of ``frame`` as records of the columns mtqa reads (the text, ``text``, the
    id, ``source``, ``reference``; the others are never read). Raises
    :class:`~mtqa.errors.UsageError` for a frame whose columns cannot name them: no text
    column, a MultiIndex (its ``target`` matched a ``("target", "x")`` column, whose cells
    then read as missing), or a column read that is there twice (pandas warned and kept the
    last one)."""
    columns = frame.columns
    shown = ", ".join(map(str, columns[:8])) + (", ..." if len(columns) > 8 else "")
    if getattr(columns, "nlevels", 1) > 1:
        raise UsageError(
            f"DataFrame with MultiIndex columns ({shown}); flatten them to one level "
            f"(df.columns = ['_'.join(map(str, c)) for c in df.columns]) and name the text "
            f"column {text_field!r}"
        )
    if text_field not in columns and "text" not in columns:
        raise UsageError(
            f"DataFrame without a {text_field!r} column (columns: {shown}); name the text "
            f"column {text_field!r}"
        )
    names = dict.fromkeys((text_field, "text", id_field, "source", "reference"))
    read = [c for c in names if c in columns]
    twice = [c for c in read if int((columns == c).sum()) > 1]
    if twice:
        raise UsageError(
            f"DataFrame with the column {twice[0]!r} more than once; rename or drop the "
            "others (df.loc[:, ~df.columns.duplicated()] keeps the first)"
        )
    records: list[dict[str, Any]] = frame[read].to_dict("records")
    return records


def _items(texts: Texts, text_field: str, id_field: str) -> Iterator[_Item]:
    """Each item of ``texts``, with where it is and the id mtqa would make for it."""
    if isinstance(texts, str | Document):
        texts = [texts]
    frame = _frame(texts, text_field)
    if frame is not None:
        records = _records(frame, text_field, id_field)
        has_id = id_field in frame.columns
        for i, (key, row) in enumerate(zip(frame.index, records)):
            yield _Item(f"texts[{i}]", _index_id(key), _INDEX, row, has_id, key)
        return
    if isinstance(texts, Set) and not isinstance(texts, KeysView | ItemsView):
        raise UsageError(
            f"texts: a {type(texts).__name__} has no order (the ids, made from the order, "
            "would change from run to run); pass a list"
        )
    if not isinstance(texts, Iterable) or isinstance(texts, bytes | bytearray | Mapping):
        raise UsageError(
            f"texts: expected a string, a Document, a list of them or of records (dicts), or "
            f"a pandas DataFrame or Series, not {type(texts).__name__}{_instead(texts)}"
        )
    for i, item in enumerate(texts):
        if isinstance(item, Mapping):  # a record: a .jsonl line's fields
            yield _Item(f"texts[{i}]", str(i), _POSITION, dict(item), id_field in item)
        else:
            rec = item if isinstance(item, Document) else {text_field: item}
            yield _Item(f"texts[{i}]", str(i), _POSITION, rec)


def _instead(value: Any) -> str:
    """What to pass instead of ``value`` where a text (or texts) was expected: ``"; ..."``
    for a path, bytes or a dict, else ``""``."""
    if isinstance(value, os.PathLike):
        return (
            "; mtqa reads no file here: pass its text (Path(...).read_text()), or check files "
            "with mtqa.pipeline.run_check"
        )
    if isinstance(value, bytes | bytearray):
        return "; decode it first (data.decode('utf-8'))"
    if isinstance(value, Mapping):
        return (
            "; a dict is one record: pass a list of records ([{'id': ..., 'target': ...}]), "
            "or pd.Series(d) to check each value with its key as id"
        )
    return ""


def _not_text(value: Any) -> str:
    """``target is ..., not a string``: the value's type, or that it is missing, and what to
    pass instead."""
    if _missing(value):
        return f"target is missing ({value!r}); give the item its text, or leave it out"
    hint = "" if isinstance(value, Mapping) else _instead(value)  # a dict cell is no record
    return f"target is {type(value).__name__}, not a string{hint}"


class _Unchecked(Exception):
    """Why an item cannot be checked (its Failure's message)."""


def _fields(item: _Item, text_field: str, id_field: str) -> tuple[dict[str, Any], Any, bool]:
    """The item's text, source and reference; its id as given; whether it must name one
    (a Document, a DataFrame row with an id column, a record with an id key)."""
    rec = item.record
    if isinstance(rec, Document):
        return (
            {"text": rec.text, "source": rec.source, "reference": rec.reference},
            rec.doc_id,
            True,
        )
    # a missing cell is no source; a cell of another type is the row's failure (_document)
    sides = {k: None if _missing(rec.get(k)) else rec.get(k) for k in ("source", "reference")}
    return {"text": rec.get(text_field, rec.get("text"))} | sides, rec.get(id_field), item.has_id


def _no_id(item: _Item, id_field: str) -> str:
    """Why an item that must name its id but names none is not checked, and the fix."""
    if isinstance(item.record, Document):
        return "id is missing; give the Document an id"
    if item.how == _POSITION:  # a record (a dict) of a list
        return (
            f"id is missing; give the record an {id_field!r}, or leave the key out for an id "
            "made from its position"
        )
    return (
        f"id is missing; fill the {id_field!r} column, or drop the column to take the ids "
        "from the index"
    )


def _document(item: _Item, text_field: str, id_field: str) -> tuple[Document, str]:
    """The item's Document, and how mtqa made its id ("" when it was given); raises
    :class:`_Unchecked` saying why the item cannot be checked."""
    rec = item.record
    fields, given, named = _fields(item, text_field, id_field)
    if not isinstance(fields["text"], str):
        raise _Unchecked(_not_text(fields["text"]))
    for name in ("source", "reference"):
        if fields[name] is not None and not isinstance(fields[name], str):
            raise _Unchecked(f"{name} is {type(fields[name]).__name__}, not a string")
        if fields[name] is not None and not has_visible_text(fields[name]):
            fields[name] = None  # an empty source or reference is none, as in the file readers
    doc_id, how = item.made, item.how
    if named:
        try:
            given_id, how = _id_text(given), ""
        except _BadId as exc:
            raise _Unchecked(str(exc)) from None
        if given_id is None:
            raise _Unchecked(_no_id(item, id_field))
        doc_id = given_id
    elif doc_id is None:
        raise _Unchecked(
            f"id is missing: the row's index value is {item.key!r}, so no id can be made from "
            f"it; fill the index, reset_index(), or add an {id_field!r} column"
        )
    if isinstance(rec, Document):
        return replace(
            rec, doc_id=doc_id, source=fields["source"], reference=fields["reference"]
        ), how
    text, source, reference = fields["text"], fields["source"], fields["reference"]
    return Document(doc_id, text, item.where, None, source, reference), how


def _duplicate(doc_id: str, first: str, first_how: str, how: str) -> str:
    """The message for an id met again: which of the two ids mtqa made, and what to change."""
    head = f"duplicate id {doc_id!r} (first seen at {first})"
    if how and first_how:
        return (
            f"{head}; mtqa made both ids from {how}, which repeats it: give the table a unique "
            "index (reset_index()) or an id column"
        )
    if how:
        return f"{head}; mtqa made this id itself from {how}, so change the id given at {first}"
    if first_how:
        return f"{head}; mtqa made that id itself from {first_how}, so change the id given here"
    return f"{head}; ids must be unique"


def to_documents(
    texts: Texts, text_field: str = "target", id_field: str = "id"
) -> tuple[list[Document], list[Failure]]:
    """``texts`` (module docstring) as Documents, and a Failure for each item that cannot be
    checked (``texts[3]: ...``): a target that is not a string or holds no visible
    character, a field holding a lone surrogate or a NUL, a missing, bad or repeated id.

    Raises :class:`~mtqa.errors.UsageError` when ``texts`` is none of the kinds taken.
    """
    docs: list[Document] = []
    failures: list[Failure] = []
    seen: dict[str, tuple[str, str]] = {}  # id -> (where first seen, how mtqa made it or "")
    for item in _items(texts, text_field, id_field):
        try:
            doc, how = _document(item, text_field, id_field)
            fault = document_fault(doc)
            if fault is None and not has_visible_text(doc.text):
                fault = "target holds no visible character"
            if fault is None and doc.doc_id in seen:
                fault = _duplicate(doc.doc_id, *seen[doc.doc_id], how)
        except _Unchecked as exc:
            fault = str(exc)
        if fault is not None:
            failures.append(Failure(item.where, None, fault))
            continue
        seen[doc.doc_id] = (item.where, how)
        docs.append(doc)
    return docs, failures
