"""TMX 1.4 in (through translate-toolkit's ``tmx``) and flags back out as ``<note>``/``<prop>``.

Reading. ``translate.storage.tmx.tmxfile`` parses the file and lists the ``<tu>`` elements;
one record per ``<tu>``. A ``<tu>`` holds one ``<tuv>`` per language, so mtqa picks:

* the **target**: the first ``<tuv>`` in ``target_lang`` (default English: ``xml:lang``
  ``en`` or ``en-*``, any case) that is not the source. A ``<tu>`` without one is skipped
  with the reason (``no English <tuv> (languages: fr-FR, es-ES)``, ``no English target:
  the en-US <tuv> is the source``); a file where no ``<tu>`` has one is an
  :class:`InputError` naming the languages it has (a translation memory of other
  languages, or of English sources only, is nothing mtqa can check);
* the **source**: the ``<tuv>`` in the ``<tu>``'s ``srclang``, else the header's; with
  ``*all*`` (any language may be the source) or no ``<tuv>`` in that language, the first
  ``<tuv>`` that is not the target.

``target_lang=None`` reads other languages too (a library use, never the CLI's): the
source as above (``*all*`` or no match: the first ``<tuv>``), the target the first
``<tuv>`` in another language than the source's.

Text comes from ``<seg>`` through :func:`mtqa.io.inline.flatten`: ``<bpt> <ept> <it> <ph>
<ut>`` hold native codes and are zero-width, ``<hi>`` keeps its text. Key: ``tuid``; a
``<tu>`` without one (it is optional) gets the usual ``<prefix>:<line>`` id.

Writing (``write_flags``). TMX has no review state, so a flagged ``<tu>`` gets, before its
first ``<tuv>`` (the schema puts ``<note>``/``<prop>`` there, in any order), a
``<note>mtqa: major: ...</note>`` per the usual lines (prefixed with the target language)
and a machine-readable ``<prop type="x-mtqa">major</prop>`` (``x-`` marks a user-defined
property type) that TM tools can filter on.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mtqa.errors import InputError, one_line
from mtqa.io.base import (
    ENGLISH,
    Skipped,
    Unit,
    UnitFlags,
    apart,
    by_doc_id,
    check_flags,
    documents_from_units,
    lang_matches,
    note_lines,
)
from mtqa.io.inline import XML_NS, escape_text, flatten, local_name
from mtqa.io.xmledit import EditableCopy, read_xml
from mtqa.io.xmledit import whitespace_before as ws_before
from mtqa.records import Document, Failure


@dataclass(frozen=True)
class _Read:
    data: bytes
    store: Any
    pairs: list[tuple[Any, Unit, str]]  # (the <tu> element, our unit, target language)


def _lang(tuv: Any) -> str:
    return str(tuv.get(f"{{{XML_NS}}}lang") or tuv.get("lang") or "")


def _seg(tuv: Any) -> Any:
    return next((c for c in tuv if local_name(c) == "seg"), None)


def _pick(tu: Any, header_src: str, target_lang: str | None) -> tuple[Any, Any, str | None]:
    """The ``<tu>``'s source and target ``<tuv>`` (None where there is none) and, without a
    target, why (None: the reader's usual "no target")."""
    tuvs = [c for c in tu if local_name(c) == "tuv"]
    if not tuvs:
        return None, None, None
    src_lang = tu.get("srclang") or header_src
    declared = src_lang if src_lang != "*all*" else ""
    src = next((t for t in tuvs if declared and lang_matches(_lang(t), declared)), None)
    if target_lang is None:  # any other language: the first <tuv> not in the source's
        src = tuvs[0] if src is None else src
        others = [t for t in tuvs if t is not src and _lang(t).lower() != _lang(src).lower()]
        return src, (others[0] if others else None), None
    tgt = next((t for t in tuvs if t is not src and lang_matches(_lang(t), target_lang)), None)
    if src is None:  # srclang *all*, or no <tuv> in it: the first <tuv> but the target
        src = next((t for t in tuvs if t is not tgt), None)
    if tgt is not None:
        return src, tgt, None
    langs = ", ".join(_lang(t) or "(no xml:lang)" for t in tuvs)
    if src is not None and lang_matches(_lang(src), target_lang):
        return src, None, f"no {_name(target_lang)} target: the {_lang(src)} <tuv> is the source"
    return src, None, f"no {_name(target_lang)} <tuv> (languages: {langs})"


def _name(lang: str) -> str:
    return "English" if lang.lower() == ENGLISH else repr(lang)


def _load(path: str, target_lang: str | None) -> _Read:
    data, root = read_xml(path)
    if local_name(root) != "tmx":
        name = local_name(root)
        fix = "pass a TMX file (its root element is <tmx>)"
        if name == "xliff":
            fix += ", or name an XLIFF file .xlf"
        raise InputError(
            path, root.sourceline, f"not a TMX file: the root element is <{name}>; {fix}"
        )
    from translate.storage import tmx

    try:
        store = tmx.tmxfile.parsestring(data)
    except Exception as exc:  # translate-toolkit raises ValueError/AssertionError on odd files
        raise InputError(
            path,
            None,
            f"translate-toolkit cannot read this TMX file ({one_line(str(exc))}); check it "
            "against the TMX 1.4 specification, or export it again from its tool",
        ) from None
    header = next((c for c in store.document.getroot() if local_name(c) == "header"), None)
    header_src = (header.get("srclang") if header is not None else None) or "*all*"
    pairs = []
    for tk in store.units:
        tu = tk.xmlelement
        src, tgt, why = _pick(tu, header_src, target_lang)
        src_seg = _seg(src) if src is not None else None
        tgt_seg = _seg(tgt) if tgt is not None else None
        tuid = tu.get("tuid")
        unit = Unit(
            key=tuid if tuid else f":{tu.sourceline}",
            line=tu.sourceline,
            source=flatten(src_seg) if src_seg is not None else None,
            target=flatten(tgt_seg) if tgt_seg is not None else None,
            has_id=bool(tuid),
            notes=tuple(n.text or "" for n in tu if local_name(n) == "note"),
            skip=why,
        )
        pairs.append((tu, unit, _lang(tgt) if tgt is not None else ""))
    units = apart([u for _, u, _ in pairs])  # a minified file: units without ids on one line
    pairs = [(tu, u, lang) for (tu, _, lang), u in zip(pairs, units)]
    if target_lang is not None and pairs and all(not lang for _, _, lang in pairs):
        raise InputError(path, None, _no_target(pairs, target_lang))
    return _Read(data, store, pairs)


def _no_target(pairs: list[tuple[Any, Unit, str]], target_lang: str) -> str:
    """Why a TMX file has nothing to check: no ``<tu>`` has a ``<tuv>`` in ``target_lang``."""
    tuvs = [t for tu, _, _ in pairs for t in tu if local_name(t) == "tuv"]
    langs = ", ".join(sorted({_lang(t) or "(no xml:lang)" for t in tuvs}))
    what = _name(target_lang)
    only_source = any(u.skip and u.skip.endswith("is the source") for _, u, _ in pairs)
    why = f"{what} only as the source; " if only_source else ""
    return (
        f"no {what} target in any <tu> ({why}languages: {langs}); mtqa checks {what} "
        f'translations: give each <tu> a <tuv xml:lang="{target_lang}"> (or {target_lang}-*) '
        "besides the source"
    )


def read_units(path: str, target_lang: str | None = ENGLISH) -> list[Unit]:
    """Every ``<tu>`` of a TMX file, in document order (source and target picked as above).

    Raises :class:`InputError` (``path:line: ...``) for unreadable or malformed files.
    """
    return [u for _, u, _ in _load(path, target_lang).pairs]


def read_documents(
    path: str, prefix: str, target_lang: str | None = ENGLISH
) -> Iterator[Document | Failure | Skipped]:
    """Documents (one per ``<tu>`` with a target), skipped units and duplicate failures.

    See :mod:`mtqa.io.base` for the rules; raises :class:`InputError` like ``read_units``.
    """
    return documents_from_units(read_units(path, target_lang), path, prefix)


def write_flags(
    src: str,
    dst: str,
    found: Mapping[str, UnitFlags],
    prefix: str,
    target_lang: str | None = ENGLISH,
) -> int:
    """Write a copy of ``src`` to ``dst`` with a ``<note>`` and a ``<prop>`` per flagged ``<tu>``.

    ``found`` maps doc ids (as :func:`read_documents` gives them with the same ``prefix``
    and ``target_lang``) to what mtqa found. Returns the number of units annotated.
    Raises :class:`InputError`, :class:`~mtqa.errors.AnnotateError`,
    :class:`~mtqa.errors.OutputError` and ``ValueError`` (unknown ids) like the XLIFF writer.
    """
    read = _load(src, target_lang)
    by_id = by_doc_id(((u, (tu, lang)) for tu, u, lang in read.pairs), prefix)
    check_flags(dict(found), list(by_id), src)
    copy = EditableCopy(read.data, read.store.document, src)
    where, edits = copy.where, copy.edits
    nl = "\r\n" if b"\r\n" in read.data else "\n"
    done = 0
    for doc_id, f in found.items():
        if f.worst == "none" and not f.flags:
            continue
        tu, lang = by_id[doc_id]
        first = next(c for c in tu if local_name(c) == "tuv")
        w = where[first]
        ws = ws_before(edits.data, w.start)
        pfx = f"[{lang}] " if lang else ""
        body = escape_text(nl.join(pfx + line for line in note_lines(f)))
        note = edits.encode(f"<note>{body}</note>")
        prop = edits.encode(f'<prop type="x-mtqa">{f.worst}</prop>')
        edits.insert(w.start, note + ws + prop + ws)
        done += 1
    out = copy.result()
    from mtqa.store import atomic_write

    atomic_write(Path(dst), out)
    return done
