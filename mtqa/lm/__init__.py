"""Language-model scorers: a small base class plus backends, looked up by name."""
