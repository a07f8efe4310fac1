"""``report.html``: one static, self-contained review page (no server, no CDN, works from disk).

Layout: a header (signature, search, filters, order, review progress, export, keys), a
side panel listing every flag grouped by check and severity (with counts) and the
documents of a batch, and one section per document (input order) with one row per
sentence: its number, a score bar, the text with every span in a ``<mark>``, and under
it one card per span with its severity, source, suggestion and reason in plain view.

Reviewing (``templates/report.js``): ``j``/``k`` move between flags, ``c`` / ``f`` / ``x``
mark one *correct flag*, *false alarm* or *fixed text* (the reviewer types the corrected
span), ``u`` clears it. Verdicts live in the browser's ``localStorage`` under a key made
of the run's signature and a hash of the page's content (:attr:`HtmlWriter.digest`), so
verdicts of two runs never mix, and are exported as a CSV (:data:`EXPORT_COLUMNS`) that
``mtqa review`` reads.

Safety: every piece of input text is HTML-escaped, control characters are shown as
visible stand-ins, and bidirectional formatting characters (U+202A-U+202E,
U+2066-U+2069) are shown as ``⟨RLO⟩``-style tags rather than obeyed, so a right-to-left
override in the text cannot reorder what the reviewer reads; every piece of user text
is also isolated (``<bdi>`` or ``dir=auto``). A Content-Security-Policy allows only the
one inline script, by hash, and no network. Where the page shows a stand-in, the exact
text travels in a ``data-`` attribute (JSON-escaped) for the export.

The output is deterministic: the same results give a byte-identical page.
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
from collections import Counter
from importlib.resources import files
from typing import Any

from mtqa.records import SEVERITY_RANK, Counts, DocumentResult, SentenceResult, Span
from mtqa.records import worst_severity as worst_of
from mtqa.report.base import Writer
from mtqa.text import counted


def _template(name: str) -> str:
    """A file of ``mtqa/report/templates/`` (package data)."""
    return files("mtqa.report").joinpath("templates", name).read_text(encoding="utf-8")


# The page's style and script, inlined (the page works from disk, without a server); each
# starts on a new line after its <style>/<script> tag. The script is allowed by its hash.
CSS = "\n" + _template("report.css")
JS = "\n" + _template("report.js")

_SCRIPT_HASH = base64.b64encode(hashlib.sha256(JS.encode("utf-8")).digest()).decode("ascii")
CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; "
    f"form-action 'none'; script-src 'sha256-{_SCRIPT_HASH}'"
)

# The verdict export's columns (written by report.js; read by ``mtqa review``).
EXPORT_COLUMNS = (
    "doc_id",
    "sent_id",
    "span_start",
    "span_end",
    "span_text",
    "severity",
    "source",
    "score",
    "suggested",
    "suggestion",
    "gain_bits",
    "verdict",
    "fixed_text",
    "reason",
)
VERDICTS = ("correct", "false-alarm", "fixed")

# Control characters are HTML parse errors and invisible: each is shown as a visible stand-in
# (C0 and DEL as their U+2400 "control pictures", C1 as ``\x85``). Tab, LF and CR stay (text
# whitespace). Bidirectional embeddings, overrides and isolates would reorder what the
# reviewer reads: they are shown by name. Only the page changes: offsets, CSV and JSONL keep
# the text as read.
_VISIBLE = {c: chr(0x2400 + c) for c in range(0x20) if chr(c) not in "\t\n\r"}
_VISIBLE |= {0x7F: "\u2421"} | {c: f"\\x{c:02x}" for c in range(0x80, 0xA0)}
_BIDI = {0x202A: "LRE", 0x202B: "RLE", 0x202C: "PDF", 0x202D: "LRO", 0x202E: "RLO"}
_BIDI |= {0x2066: "LRI", 0x2067: "RLI", 0x2068: "FSI", 0x2069: "PDI"}
_VISIBLE |= {c: f"\u27e8{name}\u27e9" for c, name in _BIDI.items()}


def visible(value: object) -> str:
    """The text as the page shows it (control and bidi characters as stand-ins)."""
    return str(value).translate(_VISIBLE)


def esc(value: object) -> str:
    """Escape for text and double-quoted attributes (``'`` needs no escaping there); control
    and bidirectional formatting characters are shown as visible stand-ins."""
    return html.escape(visible(value), quote=False).replace('"', "&quot;")


def exact(name: str, value: str) -> str:
    """`` data-NAME="…"`` with ``value`` JSON-escaped, when the page's text of it is not exact.

    The HTML parser turns CR LF into LF and the page shows stand-ins for control characters;
    where either happens the script takes the exact value from this attribute instead of
    the element's text. Empty when the shown text is exact.
    """
    if "\r" not in value and visible(value) == value:
        return ""
    return f' data-{name}="{html.escape(json.dumps(value, ensure_ascii=False)[1:-1])}"'


def highlight(text: str, offset: int, spans: tuple[Span, ...], keys: tuple[int, ...] = ()) -> str:
    """Escape a sentence and wrap each span in a ``<mark>``.

    ``offset`` is the sentence's start in its document (span offsets are document
    offsets); ``keys`` numbers the spans (``data-k`` on their marks, default 1, 2, ...).
    Overlapping spans split the text at every boundary; a piece covered by several spans
    takes the worst severity and lists every covering span's number.
    """
    keys = keys or tuple(range(1, len(spans) + 1))
    n = len(text)
    local = [
        (max(0, sp.start - offset), min(n, sp.end - offset), sp, k)
        for sp, k in zip(spans, keys)
        if sp.end - offset > 0 and sp.start - offset < n and sp.end > sp.start
    ]
    if not local:
        return esc(text)
    cuts = sorted({0, n, *(a for a, _, _, _ in local), *(b for _, b, _, _ in local)})
    out: list[str] = []
    for a, b in zip(cuts, cuts[1:]):
        if a >= b:
            continue
        piece = esc(text[a:b])
        covering = [(sp, k) for x, y, sp, k in local if x <= a and b <= y]
        if not covering:
            out.append(piece)
            continue
        sev = worst_of(sp.severity for sp, _ in covering)
        ks = " ".join(str(k) for _, k in covering)
        out.append(f'<mark class={sev} data-k="{ks}">{piece}</mark>')
    return "".join(out)


def suggestion_html(sp: Span) -> str:
    """The span and its fix: ``massaging → massing: the sentence becomes 38.2 bits more
    likely`` (an LM fix), ``. . → .`` (a rule's), ``the → delete`` (an empty suggestion)."""
    out = f"<bdi class=w>{esc(sp.text)}</bdi>"
    if sp.suggestion is None:
        return out
    if sp.suggestion:
        out += f" → <bdi class=sg>{esc(sp.suggestion)}</bdi>"
    else:
        out += " → <span class=del>delete</span>"
    if sp.gain is not None:
        more = "more" if sp.gain >= 0 else "less"
        out += f": the sentence becomes {abs(sp.gain):.1f} bits {more} likely"
    return out


def issue_card(sp: Span, k: int) -> str:
    """One span's card: severity, source, the span with its suggestion, the reason."""
    attrs = f' data-s={sp.start} data-e={sp.end} data-sc="{sp.score:.4f}"'
    if sp.gain is not None:
        attrs += f' data-gain="{sp.gain:.1f}"'
    attrs += exact("t", sp.text) + exact("sg", sp.suggestion or "")
    return (
        f'<li class="issue {sp.severity}" id=k{k} data-k={k} '
        f'data-g="{esc(sp.source)}|{sp.severity}"{attrs}>'
        f"<span class=sev>{sp.severity}</span> <code class=src>{esc(sp.source)}</code> "
        f"<span class=fix>{suggestion_html(sp)}</span> "
        f"<span class=why><bdi>{esc(sp.reason)}</bdi></span><span class=vd></span></li>"
    )


def sentence_row(s: SentenceResult, first_key: int = 1) -> str:
    """One sentence's row: its number, a score bar, the highlighted text and its span cards.

    ``first_key`` is the number of the sentence's first span (spans are numbered through
    the page, in document order).
    """
    score = max(0.0, min(1.0, s.score))
    extra = "".join(f"; {esc(k)} {esc(v)}" for k, v in s.metrics if v is not None and v != "")
    keys = tuple(range(first_key, first_key + len(s.spans)))
    cards = "".join(issue_card(sp, k) for sp, k in zip(s.spans, keys))
    # the bar is drawn by CSS from --w; its text is the score, so screen readers read it
    return (
        f'<div class="sent {s.severity}" data-i={s.sent_id} data-score="{s.score:.6f}">'
        f"<span class=n>{s.sent_id}</span>"
        f'<span class=bar style="--w:{100 * score:.0f}%" '
        f'title="score {score:.3f} · ppl {s.ppl:.1f}{extra}">{score:.2f}</span>'
        f"<div class=body><p class=text dir=auto>{highlight(s.text, s.start, s.spans, keys)}</p>"
        + (f"<ol class=issues>{cards}</ol>" if cards else "")
        + "</div></div>\n"
    )


def document_section(result: DocumentResult, index: int, first_key: int = 1) -> str:
    """One document's ``<section>``: a header with its counts, notes, one row per sentence."""
    counts = result.counts
    flagged, major = counts.flagged, counts.major
    classes = ["doc", "clean" if not flagged else "flagged"]
    if major:
        classes.append("has-major")
    if flagged - major:
        classes.append("has-minor")
    meta = (
        f"{counted(counts.sentences, 'sentence')} · {flagged} flagged ({major} major) · "
        f"worst {result.score:.2f}"
    )
    parts = [
        f'<section class="{" ".join(classes)}" id=d{index} data-i={index} '
        f'data-worst="{result.score:.4f}"{exact("id", result.doc_id)}>'
        f"<h2><bdi class=did>{esc(result.doc_id)}</bdi><span class=meta>{meta}</span></h2>\n"
    ]
    if result.notes:
        parts.append(f"<p class=notes dir=auto>{esc(' · '.join(result.notes))}</p>\n")
    key = first_key
    for s in result.sentences:
        parts.append(sentence_row(s, key))
        key += len(s.spans)
    parts.append("</section>\n")
    return "".join(parts)


def _environment() -> Any:
    """The jinja2 environment of the page's two templates (autoescaped, strict)."""
    import jinja2
    from markupsafe import Markup

    env = jinja2.Environment(
        loader=jinja2.FunctionLoader(_template),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["t"] = lambda v: Markup(esc(v))
    return env


class HtmlWriter(Writer):
    """``report.html``: the header and controls, one section per document, the side panel.

    Streams: a document's section is written when it comes; what the side panel needs
    (counts per check and severity, one line per document) is kept until the end.
    """

    filename = "report.html"

    def __init__(self, outdir: Any, run: dict[str, Any]) -> None:
        self.totals = Counts()
        self.groups: Counter[tuple[str, str]] = Counter()
        self.doclist: list[dict[str, Any]] = []
        self.spans = 0
        self.hash = hashlib.sha256()
        self.env = _environment()
        super().__init__(outdir, run)

    def header(self) -> None:
        """The page head (style, script, CSP), the signature and the controls."""
        from markupsafe import Markup

        top = self.env.get_template("page_top.html").render(
            csp=CSP, css=Markup(CSS), js=Markup(JS), signature=self.run.get("signature", "")
        )
        self.fh.write(top)

    def write(self, result: DocumentResult) -> None:
        """Append one document's section."""
        section = document_section(result, self.count, self.spans + 1)
        self.fh.write(section)
        self.hash.update(section.encode("utf-8"))
        counts = result.counts
        self.totals += counts
        spans = result.spans
        self.spans += len(spans)
        self.groups.update((sp.source, sp.severity) for sp in spans)
        self.doclist.append(
            {
                "index": self.count,
                "doc_id": result.doc_id,
                "sentences": counts.sentences,
                "flagged": counts.flagged,
                "major": counts.major,
                "spans": len(spans),
            }
        )
        self.count += 1

    @property
    def digest(self) -> str:
        """16 hex characters of sha256 over the document sections (the verdicts' key)."""
        return self.hash.hexdigest()[:16]

    def footer(self) -> None:
        """The totals, the side panel (flags by check and severity, documents), the run's key."""
        groups = [
            {"key": f"{src}|{sev}", "source": src, "severity": sev, "count": n}
            for (src, sev), n in sorted(
                self.groups.items(), key=lambda kv: (-SEVERITY_RANK[kv[0][1]], kv[0][0])
            )
        ]
        end = self.env.get_template("page_end.html").render(
            documents=self.count,
            counts=self.totals,
            spans=self.spans,
            groups=groups,
            doclist=self.doclist,
            signature=self.run.get("signature", ""),
            content_hash=self.digest,
        )
        self.fh.write(end)
