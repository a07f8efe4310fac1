"""Device and dtype choice (``--device``, ``--dtype auto``), without the hardware."""

from __future__ import annotations

from pathlib import Path

import pytest

from mtqa.errors import ModelError
from mtqa.lm import device
from mtqa.settings import DTYPES, Settings, signature

SAPPHIRE = "flags\t\t: fpu sse2 avx2 avx512f avx512_vnni avx512_bf16 amx_bf16 amx_tile\n"
EPYC_AVX2 = "processor\t: 0\nflags\t\t: fpu sse2 avx2 fma\n\nprocessor\t: 1\nflags\t\t: fpu\n"
GRAVITON = "Features\t: fp asimd evtstrm aes pmull sha1 sha2 crc32 atomics bf16\n"


@pytest.fixture()
def cpuinfo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    def write(text: str | None) -> None:
        path = tmp_path / "cpuinfo"
        if text is None:
            path.unlink(missing_ok=True)
        else:
            path.write_text(text, encoding="utf-8")
        monkeypatch.setattr(device, "CPUINFO", path)

    return write


@pytest.mark.parametrize(
    "text,bf16",
    [(SAPPHIRE, True), (EPYC_AVX2, False), (GRAVITON, False), ("", False), (None, False)],
)
def test_auto_is_bf16_only_where_the_cpu_has_it(cpuinfo, text: str | None, bf16: bool) -> None:  # type: ignore[no-untyped-def]
    cpuinfo(text)
    assert device.cpu_has_bf16() is bf16
    assert device.resolve_dtype("auto", "cpu") == ("bfloat16" if bf16 else "float32")
    for explicit in ("float32", "bfloat16"):  # an explicit choice is kept, whatever the CPU
        assert device.resolve_dtype(explicit, "cpu") == explicit


def test_first_flags_line_is_read(cpuinfo) -> None:  # type: ignore[no-untyped-def]
    cpuinfo("processor\t: 0\nflags\t\t: avx512_bf16\n\nprocessor\t: 1\nflags\t\t: sse2\n")
    assert device.cpu_flags() == frozenset({"avx512_bf16"})
    assert device.cpu_has_bf16(frozenset({"amx_bf16"}))


@pytest.mark.parametrize("gpu_bf16,want", [(True, "bfloat16"), (False, "float32")])
def test_auto_on_cuda_asks_torch(monkeypatch, cpuinfo, gpu_bf16: bool, want: str) -> None:  # type: ignore[no-untyped-def]
    cpuinfo(EPYC_AVX2)  # the CPU does not matter on a GPU
    monkeypatch.setattr(device, "cuda_has_bf16", lambda: gpu_bf16)
    assert device.resolve_dtype("auto", "cuda") == want


def test_device_choice_without_a_gpu(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(device, "cuda_available", lambda: False)
    assert device.pick_device("auto") == "cpu"
    assert device.pick_device("cpu") == "cpu"
    with pytest.raises(
        ModelError, match="^device='cuda': no CUDA device is available; use 'cpu' or 'auto'$"
    ):
        device.pick_device("cuda")
    with pytest.raises(ModelError, match="choose one of auto, cpu, cuda"):
        device.pick_device("tpu")
    with pytest.raises(ModelError, match="choose one of auto, float32, bfloat16"):
        device.resolve_dtype("float16", "cpu")


def test_device_choice_with_a_gpu(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(device, "cuda_available", lambda: True)
    assert device.pick_device("auto") == "cuda"
    assert device.pick_device("cuda") == "cuda"
    assert device.pick_device("cpu") == "cpu"


def test_cuda_checks_call_torch(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import torch

    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setattr(torch.cuda, "is_bf16_supported", lambda *a, **k: True)
    assert device.pick_device("auto") == "cuda"
    assert device.resolve_dtype("auto", "cuda") == "bfloat16"


def test_settings_default_auto_and_signature_records_the_resolved_dtype() -> None:
    assert Settings().dtype == "auto" and DTYPES == ("auto", "float32", "bfloat16")
    s = Settings(model="fake")
    sig = signature("gemma3-270m@sha256:a5fd3b62230a/bfloat16", s.dtype, s, "det")
    assert "|dtype:bfloat16|" in sig
    # bf16 on a CPU: the model part names the torch threads, the dtype stays the dtype
    sig = signature("gemma3-270m@sha256:a5fd3b62230a/bfloat16+t2", s.dtype, s, "det")
    assert "|model:gemma3-270m@sha256:a5fd3b62230a/bfloat16+t2|dtype:bfloat16|" in sig
    sig = signature("fake", s.dtype, s, "det")  # no dtype in the model signature: float32
    assert "|dtype:float32|" in sig
    explicit = Settings(model="fake", dtype="float32")
    assert "|dtype:float32|" in signature("m/float32", explicit.dtype, explicit, "det")


def test_an_import_error_keeps_the_model_cache(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """A broken installation (here: a failing import while loading) is reported, and the
    cached model is not deleted as if it were damaged."""
    from mtqa.lm import weights

    monkeypatch.setenv("MTQA_CACHE", str(tmp_path / "cache"))
    gguf = tmp_path / "m.gguf"
    gguf.write_bytes(b"not really a gguf")
    sha = weights.file_sha256(gguf)
    folder = tmp_path / "cache" / "models" / f"m-{sha[:16]}"
    folder.mkdir(parents=True)
    (folder / "model.safetensors").write_bytes(b"weights")
    marker = {"format": weights.CACHE_FORMAT, "gguf_sha256": sha, "gguf": str(gguf)}
    (folder / weights.MARKER).write_text(__import__("json").dumps(marker))

    def broken(folder, dtype):  # type: ignore[no-untyped-def]
        raise ModuleNotFoundError("Could not import module 'Gemma3ForCausalLM'")

    monkeypatch.setattr(weights, "_load_folder", broken)
    spec = weights.ModelSpec("m.gguf", "gguf", str(tmp_path), "m.gguf", "auto")
    with pytest.raises(ModelError, match="Python packages are broken"):
        weights.load_gguf_cached(spec, weights.torch.float32)
    assert (folder / "model.safetensors").read_bytes() == b"weights"
