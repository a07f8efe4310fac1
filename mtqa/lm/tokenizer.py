"""The model's fast tokenizer through the ``tokenizers`` library, loaded in the background.

Gemma's ``tokenizer.json`` (262k entries, 33 MB) takes ~2 s to parse, and transformers'
``AutoTokenizer`` adds ~2 s more of Python set-up on top. The ``tokenizers`` library
parses it without holding the GIL, so :func:`preload` starts the parse in a thread as
soon as the model's folder is known, and importing torch and transformers and loading
the weights happen meanwhile; :class:`FastTokenizer` waits for it on first use.

:class:`FastTokenizer` offers what the scorer (and the bench's reference loops) use of
a transformers fast tokenizer: ``__call__`` with ``input_ids``/``offset_mapping``,
``convert_tokens_to_ids``, ``decode`` and the special-token ids read from
``tokenizer_config.json``. Special tokens written in a text are text
(``encode_special_tokens``), as with transformers' ``split_special_tokens=True``.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

_LOADS: dict[str, _Load] = {}
_LOCK = threading.Lock()


class _Load(threading.Thread):
    """``tokenizers.Tokenizer.from_file`` in a daemon thread; :meth:`result` waits."""

    def __init__(self, path: Path) -> None:
        super().__init__(daemon=True, name=f"mtqa-tokenizer:{path.parent.name}")
        self.path = path
        self.value: Any = None
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            from tokenizers import Tokenizer

            self.value = Tokenizer.from_file(str(self.path))
        except BaseException as e:  # handed to the caller of result()
            self.error = e

    def result(self) -> Any:
        self.join()
        if self.error is not None:
            raise self.error
        return self.value


def preload(path: Path) -> None:
    """Start parsing ``path`` (a tokenizer.json) in the background, once per path."""
    key = str(path.resolve())
    with _LOCK:
        if key not in _LOADS and path.is_file():
            _LOADS[key] = job = _Load(path)
            job.start()


def _take(path: Path) -> Any:
    """The parsed tokenizer of ``path`` (preloaded, or parsed now); a later call parses
    again (each scorer owns its tokenizer: its settings are per instance)."""
    preload(path)
    with _LOCK:
        job = _LOADS.pop(str(path.resolve()))
    return job.result()


def _token(value: Any) -> str | None:
    """A special token as tokenizer_config.json writes it: a string or ``{"content": ...}``."""
    if isinstance(value, dict):
        value = value.get("content")
    return value if isinstance(value, str) else None


class FastTokenizer:
    """A ``tokenizers.Tokenizer`` with the special tokens of its folder (see module doc)."""

    is_fast = True

    def __init__(self, backend: Any, special: dict[str, str | None]) -> None:
        self._backend = backend
        self._backend.encode_special_tokens = True  # "<bos>" in a text is text
        self.bos_token = special.get("bos_token")
        self.eos_token = special.get("eos_token")
        self.pad_token = special.get("pad_token")
        self.unk_token = special.get("unk_token")

    @classmethod
    def from_folder(cls, folder: Path) -> FastTokenizer:
        """The folder's ``tokenizer.json`` (preloaded if :func:`preload` was called) and the
        special tokens of its ``tokenizer_config.json`` / ``special_tokens_map.json``."""
        special: dict[str, str | None] = {}
        for name in ("special_tokens_map.json", "tokenizer_config.json"):
            try:
                data = json.loads((folder / name).read_text(encoding="utf-8"))
            except (OSError, ValueError):
                continue
            for key in ("bos_token", "eos_token", "pad_token", "unk_token"):
                if _token(data.get(key)) is not None:
                    special[key] = _token(data.get(key))
        return cls(_take(folder / "tokenizer.json"), special)

    def convert_tokens_to_ids(self, token: str) -> int | None:
        """The id of a vocabulary entry, None when there is none."""
        i = self._backend.token_to_id(token)
        return None if i is None else int(i)

    def get_vocab(self) -> dict[str, int]:
        """Every vocabulary entry and its id (added tokens included)."""
        return dict(self._backend.get_vocab(with_added_tokens=True))

    def _id(self, token: str | None) -> int | None:
        return None if token is None else self.convert_tokens_to_ids(token)

    @property
    def bos_token_id(self) -> int | None:
        """The id of the bos token (None: none)."""
        return self._id(self.bos_token)

    @property
    def eos_token_id(self) -> int | None:
        """The id of the eos token (None: none)."""
        return self._id(self.eos_token)

    @property
    def pad_token_id(self) -> int | None:
        """The id of the pad token (None: none)."""
        return self._id(self.pad_token)

    @property
    def unk_token_id(self) -> int | None:
        """The id of the unk token (None: none)."""
        return self._id(self.unk_token)

    def __call__(self, text: str, add_special_tokens: bool = False, **_: Any) -> dict[str, Any]:
        """``{"input_ids": [...], "offset_mapping": [(start, end), ...]}`` for ``text``."""
        enc = self._backend.encode(text, add_special_tokens=add_special_tokens)
        return {"input_ids": list(enc.ids), "offset_mapping": list(enc.offsets)}

    def save_pretrained(self, folder: str) -> None:
        """Write ``tokenizer.json`` and the special tokens (``tokenizer_config.json``), what
        :meth:`from_folder` reads back."""
        path = Path(folder)
        self._backend.save(str(path / "tokenizer.json"))
        special = {
            "bos_token": self.bos_token,
            "eos_token": self.eos_token,
            "pad_token": self.pad_token,
            "unk_token": self.unk_token,
        }
        (path / "tokenizer_config.json").write_text(
            json.dumps({k: v for k, v in special.items() if v is not None}, indent=1),
            encoding="utf-8",
        )

    def decode(self, ids: Sequence[int]) -> str:
        """The text of ``ids`` (special tokens kept)."""
        return str(self._backend.decode(list(ids), skip_special_tokens=False))
