"""The scorer factory: :class:`~mtqa.settings.Settings` → a :class:`~mtqa.lm.base.Scorer`.

``load_scorer`` is module-level so Ray can pickle it. ``--model fake`` gives the
deterministic test scorer (no weights, no torch); anything else goes to the
transformers backend, imported only here and only then.
"""

from __future__ import annotations

from collections.abc import Callable

from mtqa.errors import ModelError, named
from mtqa.lm.base import Scorer
from mtqa.settings import Settings

ScorerFactory = Callable[[Settings], Scorer]


def load_scorer(settings: Settings) -> Scorer:
    """The scorer for ``settings.model`` (preset, ``.gguf`` path, folder or ``fake``).

    Raises :class:`~mtqa.errors.ModelError` when the backend's packages (torch,
    transformers, gguf) are missing, naming the one to install, or the model cannot load.
    """
    if settings.model == "fake":
        from mtqa.lm.fake import FakeScorer

        return FakeScorer(window=settings.window, overlap=settings.overlap)
    try:
        from mtqa.lm.hf import HFScorer
    except ImportError as e:  # torch/transformers/gguf missing: mtqa installed without its deps
        pkg = (e.name or "torch").split(".")[0]
        raise ModelError(
            f"{named('model', repr(settings.model))}: the model backend needs the {pkg!r} "
            f"package, which is not installed; run `pip install {pkg}` (or `make` to set up .venv)"
        ) from e

    return HFScorer.load(
        settings.model,
        dtype=settings.dtype,
        device=settings.device,
        window=settings.window,
        overlap=settings.overlap,
    )
