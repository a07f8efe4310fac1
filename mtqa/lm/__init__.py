"""Language-model scorers: the :class:`~mtqa.lm.base.Scorer` base, backends, presets.

``base`` (batching, windows), ``fake`` (deterministic, for tests), ``hf`` + ``weights``
(transformers; the only torch code), ``presets`` (named models), ``load`` (the factory).
"""
