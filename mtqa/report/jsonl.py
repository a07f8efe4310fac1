"""``segments.jsonl``: one record per input document, offsets into its text as read."""

from __future__ import annotations

import json

from mtqa.records import DocumentResult
from mtqa.report.base import Writer
from mtqa.store import span_to_dict


def document_record(r: DocumentResult) -> dict[str, object]:
    """One document's ``segments.jsonl`` record (offsets into its text; scores rounded)."""
    return {
        "id": r.doc_id,
        "text": r.text,
        "score": round(r.score, 4),
        "flagged": r.severity != "none",
        "severity": r.severity,
        "notes": list(r.notes),
        "metrics": {k: v for k, v in r.metrics},
        "sentences": [
            {
                "sent_id": s.sent_id,
                "start": s.start,
                "end": s.end,
                "n_tokens": s.n_tokens,
                "ppl": round(s.ppl, 3),
                "score": round(s.score, 4),
                "severity": s.severity,
                **{k: v for k, v in s.metrics},
            }
            for s in r.sentences
        ],
        "spans": [span_to_dict(sp) for sp in r.spans],
    }


class JsonlWriter(Writer):
    """``segments.jsonl``: one JSON record per document, in input order."""

    filename = "segments.jsonl"

    def write(self, result: DocumentResult) -> None:
        """Append the document's record."""
        self.fh.write(json.dumps(document_record(result), ensure_ascii=False) + "\n")
        self.count += 1
