"""Transformers backend: the scorer that runs a causal LM (torch lives here and in
:mod:`mtqa.lm.weights` only).

Importing this module imports torch and transformers but changes nothing else in the
process: hub-offline variables and transformers' logging level are set only while a
model loads (:func:`mtqa.lm.weights.offline`).
"""

from __future__ import annotations

import math
import os
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

import torch

from mtqa.errors import ModelError
from mtqa.lm.base import Encoding, ForwardOutput, Scorer, Window
from mtqa.lm.presets import DEFAULT_MODEL, ModelSpec, locate, resolve
from mtqa.lm.weights import load_folder_checked, load_gguf_cached, offline

_LN2 = math.log(2.0)
_DTYPES = {"float32": torch.float32, "bfloat16": torch.bfloat16}
_MAX_LOGIT_ELEMENTS = 1 << 25  # rows * vocab per logit chunk (128 MiB in fp32)
_CPU_ROWS = 256  # logit rows per chunk on CPU: as fast as 682, 1/4 of the temporaries
_CPU_MAX_TOKENS = 512  # tokens per forward pass on CPU (Scorer.max_tokens; fixed shapes)
_GPU_MAX_TOKENS = 8192  # the same on a GPU


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
        # Every window runs in a pass shape fixed by its own length (Scorer.fixed_shapes):
        # its numbers never depend on the batch size, the input order or the other
        # documents. On CPU a pass of ~512 tokens already fills the matmuls; a GPU
        # batches wide.
        self.fixed_shapes = True
        self.max_tokens = _CPU_MAX_TOKENS if cpu else _GPU_MAX_TOKENS

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
        """Surprisal, entropy (bits), rank and pmax of every next token of each sequence,
        in one right-padded pass (see :meth:`run`)."""
        if not batch:
            return []
        return next(self._passes([(batch, None)]))

    def run(
        self, plan: Iterable[tuple[list[Window], tuple[int, int] | None]]
    ) -> Iterator[tuple[list[Window], list[ForwardOutput]]]:
        """The plan's passes (fixed shapes: :func:`~mtqa.lm.base.window_shape`), each
        window with its outputs, in plan order."""
        batches: list[list[Window]] = []

        def ids() -> Iterator[tuple[list[tuple[int, ...]], tuple[int, int] | None]]:
            for batch, shape in plan:
                batches.append(batch)
                yield [w.ids for w in batch], shape

        for k, outs in enumerate(self._passes(ids())):
            yield batches[k], outs

    def _passes(
        self, plan: Iterable[tuple[Sequence[Sequence[int]], tuple[int, int] | None]]
    ) -> Iterator[list[ForwardOutput]]:
        """Decoder pass by pass; the output layer over the hidden rows of consecutive passes
        in slabs of exactly ``self._rows`` rows (the last one topped up with zero rows).

        Every matrix product then has a shape fixed by the window (decoder: its pass shape)
        or by nothing at all (output layer: the slab), and a row's numbers do not depend on
        the other rows of a product of fixed shape: the scores of a window never depend on
        its batch mates. The fp32 logit temporaries stay bounded (one slab).
        """
        head = _HeadSlabs(self)
        pending: list[list[int]] = []  # rows per sequence of each pass not yet returned
        with torch.inference_mode():
            for batch, shape in plan:
                rows, targets = self._hidden(batch, shape)
                head.add(rows, targets)
                pending.append([max(len(seq) - 1, 0) for seq in batch])
                while pending and head.ready() >= sum(pending[0]):
                    yield head.take(pending.pop(0))
            head.flush()
            while pending:
                yield head.take(pending.pop(0))

    def _hidden(self, batch: Sequence[Sequence[int]], shape: tuple[int, int] | None):
        """(hidden rows, next-token ids) of every real prediction of ``batch``, run as one
        ``shape`` (rows, width) pass, right-padded with pad ids and pad rows.

        No attention mask: under causal attention a real position never sees the padding
        after it, and the pass keeps the fast causal path.
        """
        lens = [len(seq) for seq in batch]
        n_rows, width = shape if shape is not None else (len(batch), max(lens))
        ids = torch.full((n_rows, width), self.pad_id, dtype=torch.long)
        valid = torch.zeros((n_rows, max(width - 1, 0)), dtype=torch.bool)
        for b, seq in enumerate(batch):
            if seq:
                ids[b, : len(seq)] = torch.tensor(list(seq), dtype=torch.long)
                valid[b, : len(seq) - 1] = True
        ids = ids.to(self.device)
        valid = valid.to(self.device)
        if self._decoder is not None and self._head is not None:
            hidden = self._decoder(input_ids=ids, use_cache=False).last_hidden_state
        else:  # unusual architecture: full logits, still scored in slabs
            hidden = self.model(input_ids=ids, use_cache=False).logits
        return hidden[:, :-1][valid], ids[:, 1:][valid]

    def _logits(self, rows):
        """fp32 logits for hidden-state rows, exactly as the model's own forward makes them."""
        if self._decoder is None or self._head is None:
            return rows.float()
        logits = self._head(rows).float()
        if self._softcap is not None:
            logits = torch.tanh(logits / self._softcap) * self._softcap
        return logits


class _HeadSlabs:
    """Hidden rows waiting for the output layer, scored in slabs of ``scorer._rows`` rows."""

    def __init__(self, scorer: HFScorer) -> None:
        self.scorer = scorer
        self.rows: list = []  # hidden-row tensors not yet scored
        self.targets: list = []
        self.waiting = 0  # rows in self.rows
        self.done: list[list] = [[], [], [], []]  # surprisal, entropy (bits), rank, pmax

    def add(self, rows, targets) -> None:
        self.rows.append(rows)
        self.targets.append(targets)
        self.waiting += int(rows.shape[0])
        slab = self.scorer._rows
        if self.waiting >= slab:
            self._score(self.waiting // slab * slab)

    def ready(self) -> int:
        """Rows scored and not yet taken."""
        return len(self.done[0])

    def flush(self) -> None:
        """Score what is left (the last slab topped up with zero rows)."""
        if self.waiting:
            self._score(self.waiting)

    def take(self, lens: list[int]) -> list[ForwardOutput]:
        """The outputs of one pass whose sequences have ``lens`` predictions each."""
        outs = []
        k = 0
        for n in lens:
            s, h, r, p = (col[k : k + n] for col in self.done)
            outs.append(ForwardOutput(surprisal=s, entropy=h, rank=r, pmax=p))
            k += n
        for col in self.done:
            del col[:k]
        return outs

    def _score(self, n: int) -> None:
        rows = torch.cat(self.rows) if len(self.rows) > 1 else self.rows[0]
        targets = torch.cat(self.targets) if len(self.targets) > 1 else self.targets[0]
        self.rows, self.targets = [rows[n:]], [targets[n:]]
        self.waiting -= n
        rows, targets = rows[:n], targets[:n]
        slab = self.scorer._rows
        for a in range(0, n, slab):
            x, t = rows[a : a + slab], targets[a : a + slab]
            m = int(x.shape[0])
            if m < slab:  # the fixed slab shape: zero rows, target 0, dropped below
                x = torch.cat([x, x.new_zeros((slab - m, x.shape[1]))])
                t = torch.cat([t, t.new_zeros(slab - m)])
            s, h, r, p = token_stats(self.scorer._logits(x), t)
            self.done[0].extend((s[:m] / _LN2).tolist())
            self.done[1].extend((h[:m] / _LN2).tolist())
            self.done[2].extend(r[:m].tolist())
            self.done[3].extend(p[:m].tolist())


def _dtype_name(dtype: torch.dtype) -> str:
    for name, dt in _DTYPES.items():
        if dt == dtype:
            return name
    return str(dtype).removeprefix("torch.")


def token_stats(logits, targets):
    """(surprisal, entropy, rank, pmax) from fp32 logits (rows x vocab); nats, one exp.

    With z = logits - max and S = sum(exp z): -log p(target) = log S - z[target],
    H = -sum p log p = log S - sum(exp(z) * z) / S, pmax = exp(0) / S = 1 / S, and
    rank = #{z > z[target]} (strictly higher: 0 when the target is the model's first
    choice). The row sums run as a batched dot product, so the full-vocabulary
    temporaries are z (the logits, in place), one boolean compare (freed before the exp)
    and exp(z); the log_softmax route holds three float ones at once.
    """
    z = logits.sub_(logits.amax(dim=-1, keepdim=True))
    z_target = z.gather(1, targets[:, None])
    rank = (z > z_target).sum(dim=-1)
    e = torch.exp(z)
    total = e.sum(dim=-1)
    log_total = total.log()
    entropy = log_total - torch.bmm(e[:, None], z[:, :, None])[:, 0, 0] / total
    surprisal = log_total - z_target[:, 0]
    return surprisal, entropy, rank, total.reciprocal()


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
