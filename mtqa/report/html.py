"""``report.html``: one static, self-contained review page (no server, no CDN, works from disk).

Layout: a header with the run's signature and the controls, then one section per
document (input order) with one row per sentence: its number, a score bar and the
text with every span wrapped in ``<mark class="minor|major">``. A span's reason
shows on hover *and* on keyboard focus (each mark is focusable) as a CSS tooltip.

Every piece of input text is HTML-escaped; a Content-Security-Policy allows only
the one inline script, by hash, so even a missed escape could not run code.
Filtering is done by CSS classes on ``<body>`` (one class flip, no per-row work),
so the page stays responsive with many thousands of sentences; documents are laid
out lazily (``content-visibility: auto``). The view (only flagged, severity,
order) is kept in the URL fragment: ``report.html#flagged=1&sev=major&sort=worst``.

The output is deterministic: the same results give a byte-identical page.
"""

from __future__ import annotations

import base64
import hashlib
import html
from importlib.resources import files
from typing import Any

from mtqa.records import Counts, DocumentResult, SentenceResult, Span, worst_severity
from mtqa.report.base import Writer


def _template(name: str) -> str:
    """A file of ``mtqa/report/templates/`` (package data)."""
    return files("mtqa.report").joinpath("templates", name).read_text(encoding="utf-8")


# The page's style and script, inlined (the page works from disk, without a server); each
# starts on a new line after its <style>/<script> tag. The script is allowed by its hash.
CSS = "\n" + _template("report.css")
JS = "\n" + _template("report.js")

_SCRIPT_HASH = base64.b64encode(hashlib.sha256(JS.encode("utf-8")).digest()).decode("ascii")
CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
    f"script-src 'sha256-{_SCRIPT_HASH}'"
)


# Control characters are HTML parse errors and invisible: each is shown as a visible stand-in
# (C0 and DEL as their U+2400 "control pictures", C1 as ``\x85``). Tab, LF and CR stay (text
# whitespace). Only the page changes: offsets, CSV and JSONL keep the text as read.
_VISIBLE = {c: chr(0x2400 + c) for c in range(0x20) if chr(c) not in "\t\n\r"}
_VISIBLE |= {0x7F: "\u2421"} | {c: f"\\x{c:02x}" for c in range(0x80, 0xA0)}


def esc(value: object) -> str:
    """Escape for text and double-quoted attributes (``'`` needs no escaping there); control
    characters are shown as visible symbols."""
    return html.escape(str(value).translate(_VISIBLE), quote=False).replace('"', "&quot;")


def highlight(text: str, offset: int, spans: tuple[Span, ...]) -> str:
    """Escape a sentence and wrap each span in a focusable <mark>.

    ``offset`` is the sentence's start in its document (span offsets are document
    offsets). Overlapping spans split the text at every boundary; a piece covered
    by several spans takes the worst severity and lists every reason.
    """
    n = len(text)
    local = [
        (max(0, sp.start - offset), min(n, sp.end - offset), sp)
        for sp in spans
        if sp.end - offset > 0 and sp.start - offset < n and sp.end > sp.start
    ]
    if not local:
        return esc(text)
    cuts = sorted({0, n, *(a for a, _, _ in local), *(b for _, b, _ in local)})
    out: list[str] = []
    for a, b in zip(cuts, cuts[1:], strict=False):
        if a >= b:
            continue
        piece = esc(text[a:b])
        covering = [sp for x, y, sp in local if x <= a and b <= y]
        if not covering:
            out.append(piece)
            continue
        sev = worst_severity(sp.severity for sp in covering)
        reasons = dict.fromkeys(f"{sp.severity} · {sp.source}: {sp.reason}" for sp in covering)
        why = esc(" | ".join(reasons))
        out.append(f'<mark class={sev} tabindex=0 aria-description="{why}">{piece}</mark>')
    return "".join(out)


def sentence_row(s: SentenceResult) -> str:
    """One sentence's row: its number, a score bar and the highlighted text."""
    score = max(0.0, min(1.0, s.score))
    extra = "".join(f"; {esc(k)} {esc(v)}" for k, v in s.metrics if v is not None and v != "")
    # the bar is drawn by CSS from --w; its text is the score, so screen readers read it
    return (
        f'<div class="sent {s.severity}"><span class=n>{s.sent_id}</span>'
        f'<span class=bar style="--w:{100 * score:.0f}%" '
        f'title="score {score:.3f} · ppl {s.ppl:.1f}{extra}">{score:.2f}</span>'
        f"<span class=text>{highlight(s.text, s.start, s.spans)}</span></div>"
    )


def document_section(result: DocumentResult, index: int) -> str:
    """One document's ``<section>``: a header with its counts, notes, one row per sentence."""
    sents = result.sentences
    counts = result.counts
    flagged, major = counts.flagged, counts.major
    minor = flagged - major
    classes = ["doc", "clean" if not flagged else "flagged"]
    if major:
        classes.append("has-major")
    if minor:
        classes.append("has-minor")
    meta = f"{len(sents)} sentences · {flagged} flagged ({major} major) · worst {result.score:.2f}"
    parts = [
        f'<section class="{" ".join(classes)}" data-i="{index}" data-worst="{result.score:.4f}" '
        f'data-id="{esc(result.doc_id)}"><h2><span>{esc(result.doc_id)}</span>'
        f"<span class=meta>{meta}</span></h2>"
    ]
    if result.notes:
        parts.append(f"<p class=notes>{esc(' · '.join(result.notes))}</p>")
    parts.extend(sentence_row(s) for s in sents)
    parts.append("</section>\n")
    return "".join(parts)


class HtmlWriter(Writer):
    """``report.html``: the header and controls, one section per document, the totals."""

    filename = "report.html"

    def __init__(self, outdir: Any, run: dict[str, Any]) -> None:
        self.totals = Counts()
        super().__init__(outdir, run)

    def header(self) -> None:
        """The page head (style, script, CSP), the signature and the controls."""
        sig = esc(self.run.get("signature", ""))
        self.fh.write(
            "<!doctype html>\n<html lang=en><head><meta charset=utf-8>"
            f'<meta http-equiv="Content-Security-Policy" content="{CSP}">'
            "<meta name=viewport content='width=device-width,initial-scale=1'>"
            f"<title>mtqa report</title><style>{CSS}</style><script>{JS}</script></head>\n"
            f"<body><header><h1>mtqa review report</h1><code class=sig>{sig}</code>"
            "<div class=controls>"
            "<label><input type=checkbox id=flagged> only flagged sentences</label>"
            "<label>severity <select id=sev><option value=all>all</option>"
            "<option value=major>major only</option><option value=minor>minor only</option>"
            "</select></label>"
            "<label>order <select id=sort><option value=input>input order</option>"
            "<option value=worst>worst sentence first</option></select></label>"
            "<span class=legend><mark class=major>major</mark> <mark class=minor>minor</mark>"
            "</span><span id=status role=status></span></div></header>\n<main id=docs>\n"
        )

    def write(self, result: DocumentResult) -> None:
        """Append one document's section."""
        self.totals += result.counts
        self.fh.write(document_section(result, self.count))
        self.count += 1

    def footer(self) -> None:
        """The totals (shown under the header by flex order: no second pass) and the end."""
        t = self.totals
        self.fh.write(
            f"</main>\n<section id=totals>{self.count} documents ({t.flagged_documents} with "
            f"flags) · {t.sentences} sentences · {t.flagged} flagged ({t.major} major)."
            " Hover or tab to a highlight for its reason.</section>\n</body></html>\n"
        )
