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
from typing import Any

from mtqa.records import SEVERITY_RANK, DocumentResult, SentenceResult, Span
from mtqa.report.base import Writer

CSS = """
:root{--minor:#ffe58a;--major:#f4a7a0;--minor-bar:#d49b00;--major-bar:#c0392b;--muted:#666}
*{box-sizing:border-box}
body{font:15px/1.55 system-ui,-apple-system,"Segoe UI",sans-serif;margin:0;color:#1d1d1d;
 background:#fafafa;display:flex;flex-direction:column}
header{order:0;background:#fff;border-bottom:1px solid #ddd;padding:.8em 1.5em;position:sticky;
 top:0;z-index:5}
header h1{font-size:1.15em;margin:0 0 .2em}
code.sig{font-size:12px;color:var(--muted);word-break:break-all;display:block}
#totals{order:1;padding:.4em 1.5em;color:#333;font-size:14px}
main{order:2;padding:0 1.5em 3em;max-width:72em}
.controls{display:flex;flex-wrap:wrap;gap:.4em 1.4em;align-items:center;margin-top:.5em;
 font-size:14px}
.controls select{font:inherit}
#status{color:var(--muted)}
.legend mark{padding:0 .3em}
section.doc{background:#fff;border:1px solid #e3e3e3;border-radius:6px;margin:1em 0;
 padding:.4em .9em .6em;content-visibility:auto;contain-intrinsic-size:auto 24em}
section.doc:hover,section.doc:focus-within{content-visibility:visible}
.doc h2{font-size:1em;margin:.2em 0 .4em;display:flex;gap:1em;flex-wrap:wrap;align-items:baseline}
.doc h2 .meta{font-weight:normal;font-size:13px;color:var(--muted)}
.doc .notes{font-size:13px;color:var(--muted);margin:0 0 .4em}
.sent{display:grid;grid-template-columns:2.6em 5.5em 1fr;gap:.7em;align-items:baseline;
 padding:.12em 0;border-top:1px solid #f1f1f1}
.sent .n{color:var(--muted);font-size:12px;text-align:right;font-variant-numeric:tabular-nums}
.bar{--c:#9a9a9a;display:inline-flex;align-items:center;gap:.35em;font-size:11px;
 color:var(--muted);font-variant-numeric:tabular-nums}
.bar::before{content:"";width:4em;height:.55em;border-radius:2px;
 background:linear-gradient(to right,var(--c) var(--w),#e6e6e6 0)}
.sent.minor .bar{--c:var(--minor-bar)}.sent.major .bar{--c:var(--major-bar)}
mark{position:relative;border-radius:2px;padding:0 1px;color:inherit}
mark[tabindex]{cursor:help}
mark.minor{background:var(--minor)}mark.major{background:var(--major)}
mark:focus{outline:2px solid #1a5fb4;outline-offset:1px}
mark[aria-description]:is(:hover,:focus)::after{content:attr(aria-description);position:absolute;left:0;top:1.7em;
 z-index:4;width:max-content;max-width:32em;white-space:normal;background:#222;color:#fff;
 font-size:12.5px;line-height:1.35;padding:.35em .6em;border-radius:4px;pointer-events:none}
body.f-flagged .sent.none,body.f-flagged .doc.clean{display:none}
body.s-major .sent:not(.major),body.s-major .doc:not(.has-major){display:none}
body.s-minor .sent:not(.minor),body.s-minor .doc:not(.has-minor){display:none}
@media print{header{position:static}.controls{display:none}section.doc{content-visibility:visible}}
"""

JS = """
document.addEventListener('DOMContentLoaded',function(){
 var b=document.body,f=document.getElementById('flagged'),s=document.getElementById('sev'),
  o=document.getElementById('sort'),m=document.getElementById('docs'),st=document.getElementById('status');
 function q(x){return m.querySelectorAll(x).length}
 function order(){
  var d=Array.prototype.slice.call(m.children),w=o.value==='worst';
  d.sort(function(a,c){return w?(c.dataset.worst-a.dataset.worst)||(a.dataset.i-c.dataset.i)
   :a.dataset.i-c.dataset.i});
  d.forEach(function(e){m.appendChild(e)});
 }
 function apply(save){
  b.classList.toggle('f-flagged',f.checked);
  b.classList.toggle('s-major',s.value==='major');
  b.classList.toggle('s-minor',s.value==='minor');
  var ns=s.value!=='all'?q('.sent.'+s.value):f.checked?q('.sent.minor')+q('.sent.major'):q('.sent');
  var nd=s.value==='all'?(f.checked?q('.doc:not(.clean)'):q('.doc')):q('.doc.has-'+s.value);
  st.textContent='showing '+ns+' of '+q('.sent')+' sentences in '+nd+' of '+q('.doc')+' documents';
  if(save){history.replaceState(null,'','#flagged='+(f.checked?1:0)+'&sev='+s.value+'&sort='+o.value)}
 }
 var h=new URLSearchParams(location.hash.slice(1));
 f.checked=h.get('flagged')==='1';
 if(['all','major','minor'].indexOf(h.get('sev'))>=0){s.value=h.get('sev')}
 if(h.get('sort')==='worst'){o.value='worst'}
 f.addEventListener('change',function(){apply(true)});
 s.addEventListener('change',function(){apply(true)});
 o.addEventListener('change',function(){order();apply(true)});
 if(o.value!=='input'){order()}
 apply(false);
});
"""

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
        sev = max(covering, key=lambda sp: SEVERITY_RANK[sp.severity]).severity
        reasons = dict.fromkeys(f"{sp.severity} · {sp.source}: {sp.reason}" for sp in covering)
        why = esc(" | ".join(reasons))
        out.append(f'<mark class={sev} tabindex=0 aria-description="{why}">{piece}</mark>')
    return "".join(out)


def sentence_row(s: SentenceResult) -> str:
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
    sents = result.sentences
    flagged = sum(1 for s in sents if s.flagged)
    major = sum(1 for s in sents if s.severity == "major")
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
    filename = "report.html"

    def __init__(self, outdir: Any, run: dict[str, Any]) -> None:
        self.totals = {"sentences": 0, "flagged": 0, "major": 0, "docs_flagged": 0}
        super().__init__(outdir, run)

    def header(self) -> None:
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
        t = self.totals
        flagged = sum(1 for s in result.sentences if s.flagged)
        t["sentences"] += len(result.sentences)
        t["flagged"] += flagged
        t["major"] += sum(1 for s in result.sentences if s.severity == "major")
        t["docs_flagged"] += 1 if flagged else 0
        self.fh.write(document_section(result, self.count))
        self.count += 1

    def footer(self) -> None:
        t = self.totals
        # Written last but shown under the header (flex order): no second pass over the results.
        self.fh.write(
            f"</main>\n<section id=totals>{self.count} documents ({t['docs_flagged']} with flags)"
            f" · {t['sentences']} sentences · {t['flagged']} flagged ({t['major']} major)."
            " Hover or tab to a highlight for its reason.</section>\n</body></html>\n"
        )
