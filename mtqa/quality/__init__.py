"""Measuring and fitting: error injection, detector fitting, evaluation, review read-back."""
