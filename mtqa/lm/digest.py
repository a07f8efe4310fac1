"""Where models are cached, and the sha256 of model files, remembered by (path, size,
mtime) so a start does not rehash (stdlib only: used before torch is imported)."""

from __future__ import annotations

import hashlib
import json
import os
import re
import tempfile
from pathlib import Path


def cache_dir() -> Path:
    """``$MTQA_CACHE``, else ``$XDG_CACHE_HOME/mtqa``, else ``~/.cache/mtqa``."""
    env = os.environ.get("MTQA_CACHE")
    if env:
        return Path(env).expanduser()
    xdg = os.environ.get("XDG_CACHE_HOME")
    if xdg:
        return Path(xdg).expanduser() / "mtqa"
    return Path.home() / ".cache" / "mtqa"


def _sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def file_sha256(path: str | Path) -> str:
    """sha256 of a file, remembered in ``cache_dir()/sha256.json`` by (path, size, mtime)."""
    p = Path(path).resolve()
    st = p.stat()
    key = str(p)
    stamp = [st.st_size, st.st_mtime_ns]
    store = cache_dir() / "sha256.json"
    try:
        known = json.loads(store.read_text("utf-8"))
        if not isinstance(known, dict):
            known = {}
    except (OSError, ValueError):
        known = {}
    entry = known.get(key)
    if isinstance(entry, dict) and entry.get("stamp") == stamp and entry.get("sha256"):
        return str(entry["sha256"])
    digest = _sha256_file(p)
    known[key] = {"stamp": stamp, "sha256": digest}
    try:
        store.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=store.parent, prefix=".sha256-", suffix=".json")
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(known, f, indent=1)
        os.replace(tmp, store)
    except OSError:  # read-only cache: just hash again next time
        pass
    return digest


def cache_folder(gguf: Path, preset: str | None, sha: str) -> Path:
    """Where the GGUF file ``gguf`` (sha256 ``sha``; named by its ``preset`` if any) is
    cached as safetensors."""
    stem = preset or re.sub(r"[^A-Za-z0-9._-]+", "_", gguf.stem)
    return cache_dir() / "models" / f"{stem}-{sha[:16]}"
