"""``report.html``: one static, self-contained review page (no server, no CDN)."""

from __future__ import annotations

import html
import json

from mtqa.records import SEVERITY_RANK, DocumentResult, SentenceResult
from mtqa.report.base import Writer

CSS = """
body{font:15px/1.5 system-ui,sans-serif;margin:2em auto;max-width:60em;color:#222}
header{border-bottom:1px solid #ccc;margin-bottom:1em}
code.sig{font-size:12px;color:#555;word-break:break-all}
.doc{margin:1.5em 0}.doc h2{font-size:1.1em}
.sent{display:flex;gap:.6em;align-items:baseline;padding:.15em 0}
.bar{flex:0 0 4em;height:.6em;background:#eee;position:relative}
.bar i{position:absolute;left:0;top:0;bottom:0;background:#888}
.sent.minor .bar i{background:#e0a800}.sent.major .bar i{background:#c0392b}
mark.minor{background:#fff0b3}mark.major{background:#f5b7b1}
mark{border-radius:2px;cursor:help}
.controls{margin:1em 0}
body.only-flagged .sent.none{display:none}
"""

JS = """
function apply(){
 const f=document.getElementById('flagged').checked, s=document.getElementById('sev').value;
 document.body.classList.toggle('only-flagged',f);
 document.querySelectorAll('.sent').forEach(e=>{
  e.hidden = s!=='all' && !e.classList.contains(s) || (f && e.classList.contains('none'));});
}
function sortDocs(){
 const c=document.getElementById('docs');
 [...c.children].sort((a,b)=>b.dataset.worst-a.dataset.worst).forEach(d=>c.appendChild(d));
}
"""


def highlight(text: str, offset: int, s: SentenceResult) -> str:
    """Escape the sentence and wrap each span in <mark>; overlaps take the worst severity."""
    n = len(text)
    sev = [0] * n
    why: list[list[str]] = [[] for _ in range(n)]
    for sp in s.spans:
        for i in range(max(0, sp.start - offset), min(n, sp.end - offset)):
            sev[i] = max(sev[i], SEVERITY_RANK[sp.severity])
            if sp.reason not in why[i]:
                why[i].append(f"{sp.source}: {sp.reason}")
    out: list[str] = []
    i = 0
    while i < n:
        j = i
        while j < n and sev[j] == sev[i] and why[j] == why[i]:
            j += 1
        chunk = html.escape(text[i:j])
        if sev[i]:
            name = "major" if sev[i] == 2 else "minor"
            title = html.escape(" | ".join(why[i]))
            out.append(f'<mark class="{name}" tabindex="0" title="{title}">{chunk}</mark>')
        else:
            out.append(chunk)
        i = j
    return "".join(out)


class HtmlWriter(Writer):
    filename = "report.html"

    def header(self) -> None:
        sig = html.escape(str(self.run.get("signature", "")))
        self.fh.write(
            "<!doctype html><html lang=en><meta charset=utf-8>"
            "<meta name=viewport content='width=device-width'>"
            f"<title>mtqa report</title><style>{CSS}</style><script>{JS}</script>"
            f"<header><h1>mtqa report</h1><code class=sig>{sig}</code></header>"
            "<div class=controls><label><input type=checkbox id=flagged onchange=apply()> "
            "only flagged sentences</label> <label>severity <select id=sev onchange=apply()>"
            "<option value=all>all</option><option value=major>major</option>"
            "<option value=minor>minor</option></select></label> "
            "<button onclick=sortDocs()>sort documents by worst sentence</button></div>"
            "<main id=docs>"
        )

    def write(self, result: DocumentResult) -> None:
        parts = [
            f'<section class=doc data-worst="{result.score:.4f}" '
            f"data-id={json.dumps(result.doc_id)}><h2>{html.escape(result.doc_id)}</h2>"
        ]
        for s in result.sentences:
            parts.append(
                f'<div class="sent {s.severity}" data-score="{s.score:.4f}">'
                f'<span class=bar title="score {s.score:.2f}"><i style="width:{100 * s.score:.0f}%">'
                f"</i></span><span class=text>{highlight(s.text, s.start, s)}</span></div>"
            )
        parts.append("</section>")
        self.fh.write("".join(parts))
        self.count += 1

    def footer(self) -> None:
        self.fh.write("</main></html>\n")
