"""Where the model runs and in which precision (stdlib at import; torch only when asked).

``--dtype auto`` (the default) is bfloat16 only where the hardware executes it natively:
on CPU, the AVX512_BF16 or AMX-BF16 instructions (``/proc/cpuinfo`` flags on Linux;
elsewhere float32); on CUDA, ``torch.cuda.is_bf16_supported()``. Without them torch
emulates bf16 matrix products, several times slower than float32 (measured in
``bench/bench.py``), so float32 is chosen. The resolved dtype is what the scorer
records in its signature (``gemma3-270m@sha256:…/bfloat16``).
"""

from __future__ import annotations

from pathlib import Path

from mtqa.errors import ModelError, named

DTYPES = ("auto", "float32", "bfloat16")
DEVICES = ("auto", "cpu", "cuda")
#: CPU flags (as /proc/cpuinfo spells them) that mean bf16 matrix products in hardware
BF16_FLAGS = ("avx512_bf16", "amx_bf16")
CPUINFO = Path("/proc/cpuinfo")


def cpu_flags(cpuinfo: Path | None = None) -> frozenset[str]:
    """The CPU's feature flags (the first ``flags`` line of /proc/cpuinfo); empty when
    unknown (not Linux, or unreadable)."""
    try:
        text = (cpuinfo or CPUINFO).read_text(encoding="utf-8", errors="replace")
    except OSError:
        return frozenset()
    for line in text.splitlines():
        key, _, value = line.partition(":")
        if key.strip() in ("flags", "Features"):
            return frozenset(value.split())
    return frozenset()


def cpu_has_bf16(flags: frozenset[str] | None = None) -> bool:
    """Whether the CPU multiplies bf16 natively (AVX512_BF16 or AMX-BF16)."""
    found = cpu_flags() if flags is None else flags
    return any(f in found for f in BF16_FLAGS)


def cuda_available() -> bool:
    """Whether torch sees a CUDA device (imports torch)."""
    import torch

    return bool(torch.cuda.is_available())


def cuda_has_bf16() -> bool:
    """Whether the CUDA device computes in bf16 natively (imports torch)."""
    import torch

    return bool(torch.cuda.is_bf16_supported())


def pick_device(device: str) -> str:
    """``auto`` → ``cuda`` when torch sees a GPU, else ``cpu``; ``cuda`` without one is an
    error naming the fix."""
    if device not in DEVICES:
        raise ModelError(f"{named('device', repr(device))}: choose one of {', '.join(DEVICES)}")
    if device == "auto":
        return "cuda" if cuda_available() else "cpu"
    if device == "cuda" and not cuda_available():
        raise ModelError(
            f"{named('device', repr('cuda'))}: no CUDA device is available; use 'cpu' or 'auto'"
        )
    return device


def resolve_dtype(dtype: str, device: str) -> str:
    """``auto`` → ``bfloat16`` where ``device`` (``cpu``/``cuda``) runs it natively, else
    ``float32``; an explicit dtype as is."""
    if dtype not in DTYPES:
        raise ModelError(f"{named('dtype', repr(dtype))}: choose one of {', '.join(DTYPES)}")
    if dtype != "auto":
        return dtype
    if device == "cuda":
        return "bfloat16" if cuda_has_bf16() else "float32"
    return "bfloat16" if cpu_has_bf16() else "float32"
