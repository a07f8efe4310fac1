"""Per-document results on disk: what makes runs resumable and outputs streamable.

Each scored document is written atomically as one JSON file under
``OUTDIR/.mtqa-parts/``, keyed by a hash of (signature, doc id, text). A rerun with
the same signature finds it and skips the work; the writers then read the parts
back one at a time, in input order, so a run never holds all results in memory.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from pathlib import Path
from typing import Any

from mtqa.records import DocumentResult, SentenceResult, Span, WordScore

PARTS = ".mtqa-parts"


def atomic_write(path: Path, data: str | bytes) -> None:
    """Write via a temp file in the same folder and rename: never a half file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data.encode("utf-8") if isinstance(data, str) else data)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def doc_key(signature: str, doc_id: str, text: str, extra: str = "") -> str:
    h = hashlib.sha256()
    for part in (signature, doc_id, text, extra):
        h.update(part.encode("utf-8", "surrogatepass"))
        h.update(b"\x00")
    return h.hexdigest()[:32]


def span_to_dict(s: Span) -> dict[str, Any]:
    return {
        "start": s.start,
        "end": s.end,
        "text": s.text,
        "severity": s.severity,
        "score": s.score,
        "source": s.source,
        "reason": s.reason,
    }


def result_to_dict(r: DocumentResult) -> dict[str, Any]:
    return {
        "id": r.doc_id,
        "path": r.path,
        "text": r.text,
        "notes": list(r.notes),
        "metrics": [list(m) for m in r.metrics],
        "sentences": [
            {
                "sent_id": s.sent_id,
                "start": s.start,
                "end": s.end,
                "text": s.text,
                "n_tokens": s.n_tokens,
                "ppl": s.ppl,
                "score": s.score,
                "severity": s.severity,
                "spans": [span_to_dict(x) for x in s.spans],
                "metrics": [list(m) for m in s.metrics],
                "words": [
                    [w.start, w.end, w.surprisal, w.n_tokens, w.entropy, w.kind] for w in s.words
                ],
            }
            for s in r.sentences
        ],
    }


def result_from_dict(d: dict[str, Any]) -> DocumentResult:
    text = d["text"]
    sentences = []
    for s in d["sentences"]:
        sentences.append(
            SentenceResult(
                doc_id=d["id"],
                sent_id=s["sent_id"],
                start=s["start"],
                end=s["end"],
                text=s["text"],
                n_tokens=s["n_tokens"],
                ppl=s["ppl"],
                score=s["score"],
                severity=s["severity"],
                spans=tuple(Span(**x) for x in s["spans"]),
                metrics=tuple((k, v) for k, v in s["metrics"]),
                words=tuple(
                    WordScore(a, b, text[a:b], sp, n, ent, kind)
                    for a, b, sp, n, ent, kind in s.get("words", [])
                ),
            )
        )
    return DocumentResult(
        doc_id=d["id"],
        path=d["path"],
        text=text,
        sentences=tuple(sentences),
        notes=tuple(d.get("notes", ())),
        metrics=tuple((k, v) for k, v in d.get("metrics", [])),
    )


class ResultStore:
    def __init__(self, outdir: Path) -> None:
        self.dir = outdir / PARTS

    def path(self, key: str) -> Path:
        return self.dir / f"{key}.json"

    def has(self, key: str) -> bool:
        return self.path(key).is_file()

    def put(self, key: str, result: DocumentResult) -> None:
        atomic_write(self.path(key), json.dumps(result_to_dict(result), ensure_ascii=False))

    def get(self, key: str) -> DocumentResult:
        return result_from_dict(json.loads(self.path(key).read_text(encoding="utf-8")))
