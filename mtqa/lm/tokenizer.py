"""The model's fast tokenizer through the ``tokenizers`` library, without transformers'
``AutoTokenizer`` set-up.

Gemma's ``tokenizer.json`` (262k entries, 514k merges, 33 MB) takes ~1.2 s to parse, and
``AutoTokenizer`` adds ~2 s more of Python set-up on top; :class:`FastTokenizer` skips the
latter. The parse itself holds the GIL (measured: a thread parsing it overlaps no other
Python work), so it is done in line, not in the background.

:class:`FastTokenizer` offers what the scorer (and the bench's reference loops) use of
a transformers fast tokenizer: ``__call__`` with ``input_ids``/``offset_mapping``,
``convert_tokens_to_ids``, ``decode`` and the special-token ids read from
``tokenizer_config.json``. Special tokens written in a text are text
(``encode_special_tokens``), as with transformers' ``split_special_tokens=True``.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any


def _parse(path: Path) -> Any:
    """``tokenizers.Tokenizer.from_file``: each scorer owns its tokenizer (its settings are
    per instance)."""
    from tokenizers import Tokenizer

    return Tokenizer.from_file(str(path))


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
        """The folder's ``tokenizer.json`` and the special tokens of its
        ``tokenizer_config.json`` / ``special_tokens_map.json``."""
        special: dict[str, str | None] = {}
        for name in ("special_tokens_map.json", "tokenizer_config.json"):
            try:
                data = json.loads((folder / name).read_text(encoding="utf-8"))
            except (OSError, ValueError):
                continue
            for key in ("bos_token", "eos_token", "pad_token", "unk_token"):
                if _token(data.get(key)) is not None:
                    special[key] = _token(data.get(key))
        return cls(_parse(folder / "tokenizer.json"), special)

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
