"""mtqa: find garbled spans in machine-translated English with a causal language model."""

__version__ = "0.1.0"
