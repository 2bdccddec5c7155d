"""Lesson 1: the dot product, the one operation a neural network is made of.

Shapes: D entries in a vector; N rows (examples) and D columns (features) in a matrix.
"""

import numpy as np

from .validation import as_float_array, check_same_shape


def weighted_average(values, weights):
    """``values . weights / sum(weights)``: a dot product, normalised.

    - values: (D,) or (N, D), one row per example.
    - weights: (D,), not all zero.
    Returns a float, or (N,) for a matrix of values.
    """
    values = as_float_array(values, "values", ndim=(1, 2))
    weights = as_float_array(weights, "weights", ndim=1)
    if values.shape[-1] != weights.shape[0]:
        raise ValueError(
            f"values must have {weights.shape[0]} entries per row to match weights {weights.shape}, "
            f"got shape {values.shape}"
        )
    # Weights near 1e308 overflow their sum, values near 1e308 the dot product: then divide
    # each by its largest |entry| first (the average is unchanged by scaling the weights,
    # and scales with the values), so the result is finite wherever the true one is.
    w_scale = np.max(np.abs(weights))
    with np.errstate(over="ignore", invalid="ignore"):
        total = weights.sum()
        if total == 0 or (not np.isfinite(total) and (weights / w_scale).sum() == 0):
            raise ValueError(f"weights must not sum to 0 (the average divides by the sum), got {weights}")
        result = values @ weights / total
    v_scale = np.max(np.abs(values))
    # Products below ~1e-290 lose digits to underflow (1e-234 * 1e-234 is 0): scale those too.
    if not np.all(np.isfinite(result)) or (v_scale > 0 and w_scale < 1e-290 / v_scale):
        w = weights / w_scale
        with np.errstate(over="ignore"):  # a true average beyond the float range is inf
            result = (values / v_scale) @ w / w.sum() * v_scale
    return float(result) if np.ndim(result) == 0 else result


def cosine_similarity(a, b):
    """``a . b / (|a| |b|)``: 1 for the same direction, 0 at right angles, -1 opposite.

    - a, b: (D,) vectors, neither all zeros.
    """
    a = as_float_array(a, "a", ndim=1)
    b = as_float_array(b, "b", ndim=1)
    check_same_shape(a, b, "a", "b")
    for name, v in (("a", a), ("b", b)):
        if not np.any(v):
            raise ValueError(f"{name} must not be a zero vector (it has no direction), got {v}")
    # The cosine ignores length, so divide each vector by its largest entry first:
    # squaring 1e200 overflows and squaring 1e-200 underflows to a false zero length.
    a = a / np.max(np.abs(a))
    b = b / np.max(np.abs(b))
    return float(np.clip(a @ b / (np.linalg.norm(a) * np.linalg.norm(b)), -1.0, 1.0))
