"""XLIFF 1.2 and 2.0 in (through translate-toolkit) and flags back out (byte-minimal edits).

Reading. ``translate.storage.xliff.xlifffile`` (1.2) or ``translate.storage.xliff2.Xliff2File``
(2.0, translate-toolkit ≥ 3.16) parses the file and lists its units; one mtqa record is
one ``<trans-unit>`` (1.2) or one ``<segment>`` (2.0; translate-toolkit's id
``unit::segment`` when a unit has several). The version comes from the root's ``version``
attribute (else its namespace). Text is taken from the unit's lxml elements by
:func:`mtqa.io.inline.flatten`, not from translate-toolkit's ``.target``, which folds
whitespace under ``xml:space="default"`` and, in files without the XLIFF namespace, keeps
the native code inside ``<ph>``/``<bpt>`` as text. ``translate="no"`` is inherited from the
nearest ``<group>``/``<file>``/``<unit>`` that sets it, as both specs say (translate-toolkit
looks at the unit only). Unit key: the ``id`` attribute (2.0: ``unit::segment`` for
multi-segment units), prefixed with ``<file original|id>/`` when the document has several
``<file>`` elements (ids are unique per file only).

mtqa checks English: a file whose declared target language (1.2 ``target-language`` on
any ``<file>``, 2.0 ``trgLang``) is another is an :class:`InputError`; a unit whose
``<target xml:lang>`` names another is skipped. ``target_lang=None`` reads any language.

A 1.2 target in state ``new`` or ``needs-translation``, and a 2.0 segment whose ``state``
is explicitly ``initial``, is no translation yet (often a copy of the source, or empty):
the unit is skipped (``not translated yet: state="needs-translation"``), and its state is
never changed. A 2.0 segment without a ``state`` is scored (the spec's default is
``initial``, but files that set no states are common and hold translations).

Writing (``write_flags``), per flagged unit, into a copy; nothing else changes:

* **1.2**: a ``<note from="mtqa" annotates="target" priority="1|3">`` right after
  ``<target>`` (the schema allows notes after the target); a **major** unit also gets
  ``state="needs-review-translation"`` on ``<target>`` — the spec's value for "only the
  text of the item needs to be reviewed" (XLIFF 1.2, state attribute values), which
  CAT tools show as a review status. Minor units keep their state, and so do targets in
  state ``new``/``needs-translation``. A replaced state is named in the note (``state was
  'final'``).
* **2.0**: a ``<note category="mtqa" appliesTo="target" priority="1|3">`` in the unit's
  ``<notes>`` (created before ``<originalData>``/the first segment, where the schema puts
  it). A **major** segment gets ``subState="mtqa:needs-review"`` and, since 2.0 has no
  "needs review" state, ``state="translated"`` (translated, not yet reviewed) when it was
  ``reviewed``/``final`` or unset; ``translated`` stays. ``subState`` requires an explicit
  ``state``, hence setting it when unset. A segment in state ``initial`` (skipped by a
  run; flags for it can come through the API) gets the note, and keeps its state and
  ``subState``, as 1.2 targets in state ``new``/``needs-translation`` do.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from mtqa.errors import InputError, one_line
from mtqa.io.base import (
    ENGLISH,
    NOTE_PRIORITY,
    Skipped,
    Unit,
    UnitFlags,
    apart,
    by_doc_id,
    check_flags,
    documents_from_units,
    lang_matches,
    not_english,
    note_lines,
    quoted,
)
from mtqa.io.inline import XML_NS, escape_text, flatten, local_name
from mtqa.io.xmledit import EditableCopy, Edits, read_xml
from mtqa.io.xmledit import whitespace_before as ws_before
from mtqa.records import Document, Failure

NS12 = "urn:oasis:names:tc:xliff:document:1.2"
NS20 = "urn:oasis:names:tc:xliff:document:2.0"
SUBSTATE = "mtqa:needs-review"
#: XLIFF 1.2 target states that say the target is no translation yet: such units are skipped
NOT_TRANSLATED = ("new", "needs-translation")
#: the XLIFF 2.0 segment state that says so; only an explicit one (the spec's default, but
#: files without states are common and their targets are translations)
NOT_TRANSLATED_20 = "initial"


@dataclass(frozen=True)
class _Read:
    data: bytes
    version: str  # "1.2" or "2.0"
    store: Any  # the translate-toolkit store
    pairs: list[tuple[Any, Unit]]  # (the toolkit unit's lxml element, our unit)


def _child(el: Any, name: str) -> Any:
    return next((c for c in el if local_name(c) == name), None)


def _translatable(el: Any) -> bool:
    node = el
    while node is not None:
        value = node.get("translate")
        if value is not None:
            return value.strip().lower() != "no"
        if local_name(node) == "file":
            return True
        node = node.getparent()
    return True


def _file_of(el: Any) -> Any:
    node = el
    while node is not None and local_name(node) != "file":
        node = node.getparent()
    return node


def _version(root: Any, path: str) -> str:
    if local_name(root) != "xliff":
        name = local_name(root)
        fix = "pass an XLIFF 1.2 or 2.0 file (its root element is <xliff>)"
        if name == "tmx":
            fix += ", or name a TMX file .tmx"
        raise InputError(
            path, root.sourceline, f"not an XLIFF file: the root element is <{name}>; {fix}"
        )
    version = root.get("version") or ""
    ns = root.tag[1:].split("}")[0] if root.tag.startswith("{") else ""
    if version.startswith("2") or ns == NS20:
        return "2.0"
    if version.startswith("1") or ns in (NS12, ""):
        return "1.2"
    raise InputError(
        path, root.sourceline, f"unsupported XLIFF version {version!r}; use 1.2 or 2.0"
    )


def _check_language(root: Any, version: str, path: str, target_lang: str) -> None:
    """Refuse a file that declares a target language other than ``target_lang``."""
    if version == "2.0":
        lang = root.get("trgLang") or ""
        not_english(path, root.sourceline, lang, f'trgLang="{lang}"', target_lang)
        return
    for f in (c for c in root if local_name(c) == "file"):
        lang = f.get("target-language") or ""
        not_english(path, f.sourceline, lang, f'target-language="{lang}"', target_lang)


def _load(path: str, target_lang: str | None) -> _Read:
    data, root = read_xml(path)
    version = _version(root, path)
    if target_lang is not None:
        _check_language(root, version, path, target_lang)
    from translate.storage import xliff, xliff2

    cls = xliff2.Xliff2File if version == "2.0" else xliff.xlifffile
    try:
        store = cls.parsestring(data)
    except Exception as exc:  # translate-toolkit raises ValueError/AssertionError on odd files
        raise InputError(
            path,
            None,
            f"translate-toolkit cannot read this XLIFF {version} file ({one_line(str(exc))}); "
            f"check it against the XLIFF {version} schema, or export it again from its tool",
        ) from None
    multi = len([f for f in store.document.getroot() if local_name(f) == "file"]) > 1
    pairs = []
    for tk in store.units:
        el = tk.xmlelement
        unit = _unit12(tk, el, multi) if version == "1.2" else _unit20(tk, el, multi)
        pairs.append((el, _target_language(el, unit, target_lang)))
    units = apart([u for _, u in pairs])  # a minified file: units without ids on one line
    return _Read(data, version, store, [(el, u) for (el, _), u in zip(pairs, units)])


def _target_language(el: Any, unit: Unit, target_lang: str | None) -> Unit:
    """``unit``, skipped when its ``<target xml:lang>`` names a language not ``target_lang``."""
    tgt = _child(el, "target")
    lang = tgt.get(f"{{{XML_NS}}}lang", "") if tgt is not None and target_lang else ""
    if unit.skip or not lang.strip() or lang_matches(lang, target_lang or ""):
        return unit
    what = "English" if target_lang == ENGLISH else repr(target_lang)
    return replace(unit, skip=f"the target is in {lang.strip()!r} (xml:lang), not {what}")


def _key(el: Any, uid: str, multi: bool, file_attr: str) -> str:
    if not multi:
        return uid
    f = _file_of(el)
    return f"{f.get(file_attr, '') if f is not None else ''}/{uid}"


def _unit12(tk: Any, el: Any, multi: bool) -> Unit:
    src, tgt = _child(el, "source"), _child(el, "target")
    uid = el.get("id")
    state = tgt.get("state") if tgt is not None else None
    return Unit(
        key=_key(el, uid, multi, "original") if uid else f":{el.sourceline}",
        line=el.sourceline,
        source=flatten(src) if src is not None else None,
        target=flatten(tgt) if tgt is not None else None,
        has_id=bool(uid),
        notes=tuple(n.text or "" for n in el if local_name(n) == "note"),
        state=state,
        translatable=_translatable(el),
        skip=f'not translated yet: state="{state}"' if state in NOT_TRANSLATED else None,
    )


def _unit20(tk: Any, el: Any, multi: bool) -> Unit:
    src, tgt = _child(el, "source"), _child(el, "target")
    unit_el = el.getparent()
    notes = _child(unit_el, "notes")
    uid = tk.getid() or ""
    state = el.get("state")
    return Unit(
        key=_key(el, uid, multi, "id") if uid else f":{el.sourceline}",
        line=el.sourceline,
        source=flatten(src) if src is not None else None,
        target=flatten(tgt) if tgt is not None else None,
        has_id=bool(uid),
        notes=()
        if notes is None
        else tuple(n.text or "" for n in notes if local_name(n) == "note"),
        state=state,
        translatable=_translatable(el),
        skip=f'not translated yet: state="{state}"' if state == NOT_TRANSLATED_20 else None,
    )


def read_units(path: str, target_lang: str | None = ENGLISH) -> list[Unit]:
    """Every translation unit of an XLIFF 1.2/2.0 file, in document order.

    Raises :class:`InputError` for unreadable or malformed files (``path:line: ...``) and
    for a file whose declared target language is not ``target_lang`` (None: any).
    """
    return [u for _, u in _load(path, target_lang).pairs]


def read_documents(
    path: str, prefix: str, target_lang: str | None = ENGLISH
) -> Iterator[Document | Failure | Skipped]:
    """Documents (one per unit with a target), skipped units and duplicate-id failures.

    See :mod:`mtqa.io.base` for the rules; raises :class:`InputError` like ``read_units``.
    """
    return documents_from_units(read_units(path, target_lang), path, prefix)


def _prefix_of(written: bytes) -> str:
    name = written.decode("ascii", "replace")
    return name.split(":", 1)[0] + ":" if ":" in name else ""


def write_flags(
    src: str,
    dst: str,
    found: Mapping[str, UnitFlags],
    prefix: str,
    target_lang: str | None = ENGLISH,
) -> int:
    """Write a copy of ``src`` to ``dst`` with a note (and review state) per flagged unit.

    ``found`` maps doc ids (as :func:`read_documents` gives them with the same ``prefix``)
    to what mtqa found; units with severity ``none`` and no flags are left alone. Returns
    the number of units annotated. Raises :class:`InputError` (unreadable ``src``),
    :class:`~mtqa.errors.AnnotateError` (an encoding or markup the edit cannot follow:
    nothing written), :class:`~mtqa.errors.OutputError` (write failure) and ``ValueError``
    for ids that are not units of ``src``.
    """
    read = _load(src, target_lang)
    by_id = by_doc_id(((u, (el, u)) for el, u in read.pairs), prefix)
    check_flags(dict(found), list(by_id), src)
    copy = EditableCopy(read.data, read.store.document, src)
    where, edits = copy.where, copy.edits
    nl = "\r\n" if b"\r\n" in read.data else "\n"
    todo = [(by_id[d], f) for d, f in found.items() if f.worst != "none" or f.flags]
    todo.sort(key=lambda t: where[t[0][0]].start)
    if read.version == "1.2":
        for (el, _), f in todo:
            _annotate12(edits, where, el, f, nl)
    else:
        _annotate20(edits, where, [(el, f) for (el, _), f in todo], nl)
    out = copy.result()
    from mtqa.store import atomic_write

    atomic_write(Path(dst), out)
    return len(todo)


def _annotate12(edits: Edits, where: Mapping[Any, Any], el: Any, f: UnitFlags, nl: str) -> None:
    target = _child(el, "target")
    if target is None:  # nothing was scored; a unit-level note still has a place
        target = _child(el, "source")
    lines = note_lines(f)
    if f.worst == "major" and local_name(target) == "target":
        old = target.get("state")
        if old != "needs-review-translation" and old not in NOT_TRANSLATED:
            edits.set_attribute(where[target], "state", "needs-review-translation")
            if old:
                lines.append(f"mtqa: state was {quoted(old)}")
    w = where[target]
    tag = _prefix_of(where[el].name) + "note"
    prio = NOTE_PRIORITY.get(f.worst, "3")
    body = escape_text(nl.join(lines))
    note = f'<{tag} from="mtqa" annotates="target" priority="{prio}">{body}</{tag}>'
    edits.insert(w.end, ws_before(edits.data, w.start) + edits.encode(note))


def _annotate20(
    edits: Edits, where: Mapping[Any, Any], todo: list[tuple[Any, UnitFlags]], nl: str
) -> None:
    by_unit: dict[Any, list[tuple[Any, UnitFlags]]] = {}
    for seg, f in todo:
        by_unit.setdefault(seg.getparent(), []).append((seg, f))
    for unit_el, segs in by_unit.items():
        segments = [c for c in unit_el if local_name(c) == "segment"]
        pfx = _prefix_of(where[unit_el].name)
        notes = []
        for seg, f in segs:
            lines = note_lines(f)
            old = seg.get("state")
            if f.worst == "major" and old != NOT_TRANSLATED_20:  # not translated: left alone
                if old != "translated":
                    edits.set_attribute(where[seg], "state", "translated")
                    if old:
                        lines.append(f"mtqa: state was {quoted(old)}")
                edits.set_attribute(where[seg], "subState", SUBSTATE)
            if len(segments) > 1:
                label = seg.get("id") or f"#{segments.index(seg) + 1}"
                lines = [f"segment {label}: {line}" for line in lines]
            prio = NOTE_PRIORITY.get(f.worst, "3")
            notes.append(
                f'<{pfx}note category="mtqa" appliesTo="target" priority="{prio}">'
                f"{escape_text(nl.join(lines))}</{pfx}note>"
            )
        existing = _child(unit_el, "notes")
        if existing is not None and not where[existing].empty:
            last = [c for c in existing if isinstance(c.tag, str)][-1]
            ws = ws_before(edits.data, where[last].start)
            edits.insert(where[last].end, b"".join(ws + edits.encode(n) for n in notes))
        elif existing is not None:  # <notes/>: open it up
            w = where[existing]
            name = w.name.decode("ascii", "replace")
            edits.replace(w.start, w.end - w.start, f"<{name}>{''.join(notes)}</{name}>")
        else:
            anchor = next(
                c for c in unit_el if local_name(c) in ("originalData", "segment", "ignorable")
            )
            w = where[anchor]
            block = f"<{pfx}notes>{''.join(notes)}</{pfx}notes>"
            edits.insert(w.start, edits.encode(block) + ws_before(edits.data, w.start))
