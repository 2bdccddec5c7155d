"""Lesson 3: activations, from scores to probabilities.

Every function takes an array ``z`` of any shape (a list is fine) and returns a new
array of the same shape; ``softmax`` and ``log_softmax`` work along ``axis``
(by default the last one, so a batch of logits (N, C) gives one distribution per row).

All of them are numerically stable for every finite input, from -1e308 to 1e308:
no ``nan``, no ``inf`` where the true value is finite, no numpy warnings.
"""

import numpy as np

from .validation import as_float_array


def sigmoid(z):
    """Logistic sigmoid ``1 / (1 + exp(-z))``, computed without overflow.

    - z: array of any shape.
    Returns an array of the same shape with values in [0, 1].

    The textbook form overflows for large negative z (``exp(1000)`` is inf). Both
    branches below only ever call ``exp`` on a number <= 0, so ``e`` lies in (0, 1]:
    for z >= 0 use ``1 / (1 + e)`` and for z < 0 the equal ``e / (1 + e)``,
    with ``e = exp(-|z|)``.
    """
    z = as_float_array(z, "z", allow_empty=True)
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def sigmoid_grad(z):
    """Derivative of the sigmoid, ``s * (1 - s)`` with ``s = sigmoid(z)``.

    - z: array of any shape. Returns the same shape, values in [0, 0.25].

    Mind the brackets: ``s * 1 - s`` is ``s - s``, which is always 0.
    """
    s = sigmoid(z)
    return s * (1.0 - s)


def tanh(z):
    """Hyperbolic tangent; numpy's ``tanh`` is already stable. Values in [-1, 1]."""
    return np.tanh(as_float_array(z, "z", allow_empty=True))


def tanh_grad(z):
    """Derivative of tanh, ``1 - tanh(z)**2``. Same shape as ``z``."""
    t = tanh(z)
    return 1.0 - t * t


def relu(z):
    """Rectified linear unit ``max(z, 0)``. Same shape as ``z``."""
    return np.maximum(as_float_array(z, "z", allow_empty=True), 0.0)


def relu_grad(z):
    """Derivative of ReLU: 1 where z > 0, else 0 (we take 0 at the kink z = 0)."""
    return (as_float_array(z, "z", allow_empty=True) > 0).astype(np.float64)


def _shifted(z, axis):
    """``z - max(z)`` along ``axis``, clipped so it stays finite.

    Subtracting the maximum changes nothing mathematically (softmax is invariant to
    adding a constant) but keeps every exponent <= 0, so ``exp`` cannot overflow.
    For a spread wider than the float range (say -1e308 and 1e308) the difference
    itself overflows; we clip it to the most negative float, whose ``exp`` is 0 anyway.
    """
    z = as_float_array(z, "z")
    with np.errstate(over="ignore"):
        shifted = z - np.max(z, axis=axis, keepdims=True)
    return np.maximum(shifted, -np.finfo(z.dtype).max)


def softmax(z, axis=-1):
    """Softmax ``exp(z_i) / sum_j exp(z_j)`` along ``axis``.

    - z: scores (logits), for instance (C,) or (N, C).
    Returns probabilities of the same shape that sum to 1 along ``axis``.
    """
    e = np.exp(_shifted(z, axis))
    return e / np.sum(e, axis=axis, keepdims=True)


def log_softmax(z, axis=-1):
    """Logarithm of the softmax, computed as ``z - logsumexp(z)`` (never ``log(0)``).

    - z: scores (logits), for instance (C,) or (N, C).
    Returns log-probabilities (all <= 0) of the same shape.
    """
    shifted = _shifted(z, axis)
    # The largest entry contributes exp(0) = 1 to the sum: log1p of the other terms keeps a
    # sum of 1 + 1e-22 from rounding to 1 (log_softmax([0, 50])[1] is -1.9e-22, not -0.0).
    e = np.exp(shifted)
    np.put_along_axis(e, np.argmax(shifted, axis=axis, keepdims=True), 0.0, axis=axis)
    return shifted - np.log1p(np.sum(e, axis=axis, keepdims=True))
