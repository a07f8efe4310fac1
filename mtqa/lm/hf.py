"""Transformers backend: the scorer that runs a causal LM (torch lives here and in
:mod:`mtqa.lm.weights` only).

Importing this module imports torch and transformers but changes nothing else in the
process: hub-offline variables and transformers' logging level are set only while a
model loads (:func:`mtqa.lm.weights.offline`).
"""

from __future__ import annotations

import math
import os
from collections.abc import Sequence
from pathlib import Path

import torch

from mtqa.errors import ModelError
from mtqa.lm.base import Encoding, ForwardOutput, Scorer
from mtqa.lm.presets import DEFAULT_MODEL, ModelSpec, locate, resolve
from mtqa.lm.weights import load_folder_checked, load_gguf_cached, offline

_LN2 = math.log(2.0)
_DTYPES = {"float32": torch.float32, "bfloat16": torch.bfloat16}
_MAX_LOGIT_ELEMENTS = 1 << 25  # rows * vocab per logit chunk (128 MiB in fp32)
_CPU_ROWS = 256  # logit rows per chunk on CPU: as fast as 682, 1/4 of the temporaries
_CPU_MAX_TOKENS = 1024  # padded tokens per forward pass on CPU (Scorer.max_tokens)


def _pick_device(device: str) -> torch.device:
    if device == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if device == "cuda" and not torch.cuda.is_available():
        raise ModelError("--device cuda: no CUDA device is available; use --device cpu or auto")
    if device not in ("cpu", "cuda"):
        raise ModelError(f"--device {device!r}: choose one of auto, cpu, cuda")
    return torch.device(device)


class HFScorer(Scorer):
    """Causal-LM scorer on transformers (GGUF presets, .gguf paths, local folders)."""

    def __init__(
        self,
        model,
        tokenizer,
        prefix_ids: Sequence[int],
        name: str,
        digest: str,
        window: int = 1024,
        overlap: int = 256,
    ) -> None:
        self.model = model
        self.tokenizer = tokenizer
        self._prefix = tuple(int(i) for i in prefix_ids)
        self.name = name
        self.digest = digest
        self.window = window
        self.overlap = overlap
        self.device = next(model.parameters()).device
        self.dtype = next(model.parameters()).dtype
        pad = tokenizer.pad_token_id
        self.pad_id = int(pad if pad is not None else self._prefix[0] if self._prefix else 0)
        self._decoder = getattr(model, getattr(model, "base_model_prefix", "model"), None)
        self._head = model.get_output_embeddings()
        self._softcap = getattr(model.config, "final_logit_softcapping", None)
        vocab = int(self._head.weight.shape[0]) if self._head is not None else 1 << 18
        cpu = self.device.type == "cpu"
        # logit rows per chunk: a bounded fp32 temporary whatever the vocabulary (Gemma: 262k)
        self._rows = max(1, min(_CPU_ROWS if cpu else 2048, _MAX_LOGIT_ELEMENTS // vocab))
        # On CPU one ~600-token window per pass already fills the matmuls; padding several
        # into one batch (plus the masked attention padding forces) measured slower
        # (bench/ablate.py): cap a batch by padded tokens (short windows still share a
        # pass). A GPU batches wide.
        self.max_tokens = _CPU_MAX_TOKENS if cpu else None

    @classmethod
    def load(
        cls,
        model: str = DEFAULT_MODEL,
        dtype: str = "float32",
        device: str = "auto",
        window: int = 1024,
        overlap: int = 256,
    ) -> HFScorer:
        """Load a preset, ``.gguf`` file or transformers folder onto ``device`` in ``dtype``.

        ``MTQA_THREADS`` sets torch's threads. Raises :class:`~mtqa.errors.ModelError` for
        a bad name, dtype or device, a missing package or an unreadable model.
        """
        if dtype not in _DTYPES:
            raise ModelError(f"--dtype {dtype!r}: choose one of {', '.join(_DTYPES)}")
        threads = os.environ.get("MTQA_THREADS")
        if threads:
            try:
                torch.set_num_threads(max(1, int(threads)))
            except ValueError as e:
                raise ModelError(f"MTQA_THREADS={threads!r}: must be a whole number") from e
        dev = _pick_device(device)
        spec = locate(resolve(model))
        tdtype = _DTYPES[dtype]
        with offline():
            if spec.kind == "gguf":
                tok, lm, digest = load_gguf_cached(spec, tdtype)
            else:
                tok, lm, digest = load_folder_checked(Path(spec.path), tdtype)
        if not getattr(tok, "is_fast", False):
            raise ModelError(f"{model}: a fast tokenizer is needed (for character offsets)")
        lm = lm.to(dev).eval()
        prefix = _prefix_ids(tok, spec)
        return cls(lm, tok, prefix, spec.name, digest, window=window, overlap=overlap)

    # -- Scorer API

    @property
    def prefix_ids(self) -> tuple[int, ...]:
        """The first-token policy's ids (one ``<|endoftext|>`` or one ``<bos>``)."""
        return self._prefix

    def signature(self) -> str:
        """``name@sha256:<12 hex>/<dtype>``: the weights and the precision they ran in."""
        return f"{self.name}@sha256:{self.digest[:12]}/{_dtype_name(self.dtype)}"

    def encode(self, text: str) -> Encoding:
        """Fast-tokenizer ids, no special tokens; offsets clamped into ``text``, non-decreasing."""
        enc = self.tokenizer(
            text,
            add_special_tokens=False,
            return_offsets_mapping=True,
            return_attention_mask=False,
            split_special_tokens=True,  # "<bos>" in a text is text, not a control token
        )
        ids = tuple(int(i) for i in enc["input_ids"])
        n = len(text)
        offsets: list[tuple[int, int]] = []
        prev = 0
        for s, e in enc["offset_mapping"]:
            s = min(max(int(s), prev), n)  # clamp: in range and non-decreasing
            e = min(max(int(e), s), n)
            offsets.append((s, e))
            prev = s
        return Encoding(ids, tuple(offsets))

    def forward(self, batch: Sequence[Sequence[int]]) -> list[ForwardOutput]:
        """Surprisal and entropy (bits) of every next token, one batch padded to its longest row.

        Hidden states go through the output head in chunks of rows (fp32 logits, soft-capped
        as the model does), so the full-vocabulary temporaries stay bounded.
        """
        if not batch:
            return []
        lens = [len(s) for s in batch]
        width = max(lens)
        ids = torch.full((len(batch), width), self.pad_id, dtype=torch.long)
        mask = torch.zeros((len(batch), width), dtype=torch.long)
        for b, seq in enumerate(batch):
            if seq:
                ids[b, : len(seq)] = torch.tensor(list(seq), dtype=torch.long)
                mask[b, : len(seq)] = 1
        ids = ids.to(self.device)
        mask = mask.to(self.device)
        # no mask when nothing is padded: attention takes its fast causal path
        attn = mask if min(lens) < width else None
        with torch.inference_mode():
            if self._decoder is not None and self._head is not None:
                hidden = self._decoder(
                    input_ids=ids, attention_mask=attn, use_cache=False
                ).last_hidden_state
            else:  # unusual architecture: full logits, still scored in chunks below
                hidden = self.model(input_ids=ids, attention_mask=attn, use_cache=False).logits
            # rows predicting a real next token: position t of sequence b, t + 1 < len(b)
            valid = mask[:, 1:].bool()
            rows = hidden[:, :-1][valid]
            targets = ids[:, 1:][valid]
            del hidden
            surprisal = torch.empty(rows.shape[0], dtype=torch.float32, device=self.device)
            entropy = torch.empty_like(surprisal)
            for a in range(0, rows.shape[0], self._rows):
                b = min(a + self._rows, rows.shape[0])
                surprisal[a:b], entropy[a:b] = _surprisal_entropy(
                    self._logits(rows[a:b]), targets[a:b]
                )
            s_bits: list[float] = (surprisal / _LN2).cpu().tolist()
            h_bits: list[float] = (entropy / _LN2).cpu().tolist()
        outs: list[ForwardOutput] = []
        k = 0
        for n in lens:
            m = max(n - 1, 0)
            outs.append(ForwardOutput(surprisal=s_bits[k : k + m], entropy=h_bits[k : k + m]))
            k += m
        return outs

    def _logits(self, rows):
        """fp32 logits for hidden-state rows, exactly as the model's own forward makes them."""
        if self._decoder is None or self._head is None:
            return rows.float()
        logits = self._head(rows).float()
        if self._softcap is not None:
            logits = torch.tanh(logits / self._softcap) * self._softcap
        return logits


def _dtype_name(dtype: torch.dtype) -> str:
    for name, dt in _DTYPES.items():
        if dt == dtype:
            return name
    return str(dtype).removeprefix("torch.")


def _surprisal_entropy(logits, targets):
    """(surprisal, entropy) in nats from fp32 logits (rows x vocab), with one exp.

    With z = logits - max and S = sum(exp z): -log p(target) = log S - z[target] and
    H = -sum p log p = log S - sum(exp(z) * z) / S. The row sums run as a batched dot
    product, so the only full-vocabulary temporaries are z (the logits, in place) and
    exp(z); the log_softmax route holds three at once (logp, exp(logp), their product).
    """
    z = logits.sub_(logits.amax(dim=-1, keepdim=True))
    e = torch.exp(z)
    total = e.sum(dim=-1)
    log_total = total.log()
    entropy = log_total - torch.bmm(e[:, None], z[:, :, None])[:, 0, 0] / total
    surprisal = log_total - z.gather(1, targets[:, None])[:, 0]
    return surprisal, entropy


def _prefix_ids(tok, spec: ModelSpec) -> tuple[int, ...]:
    def token_id(token: str | None) -> int | None:
        if not token:
            return None
        i = tok.convert_tokens_to_ids(token)
        if i is None or (i == tok.unk_token_id and token != tok.unk_token):
            return None
        return int(i)

    eot = token_id("<|endoftext|>")
    bos = tok.bos_token_id
    eos = tok.eos_token_id
    if spec.prefix == "endoftext":
        choice = eot
    elif spec.prefix == "bos":
        choice = bos
    else:
        choice = eot if eot is not None else bos if bos is not None else eos
    if choice is None:
        raise ModelError(
            f"{spec.name}: its tokenizer has no {spec.prefix} token to start windows with"
        )
    return (int(choice),)
