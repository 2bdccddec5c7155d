"""Lesson 5: layers that know their own backward pass.

Shapes: N examples, D inputs to a layer, H outputs of a layer.

Every layer has ``forward(X)`` -> output and ``backward(dout)`` -> dX, where ``dout``
is d loss / d output (same shape as the output) and dX is d loss / d input. Forward
keeps what backward needs on the layer (never a modified copy of the caller's
array). Layers with weights also fill ``dW`` and ``db`` and list them in
``parameters()`` as ``(name, param, grad)``.

This file is the reference: ``MLP``, ``train``, ``gradient_check`` and the playground
call these methods, or a learner's overrides of them. ``nnlib/fast.py`` holds a faster
version of the same maths that ``train`` uses only for nnlib's own classes.
"""

import numpy as np

from .activations import sigmoid
from .validation import as_float_array, check_int, describe

INITS = ("xavier", "he", "zeros")
DTYPES = (np.dtype(np.float64), np.dtype(np.float32))


def check_dtype(dtype):
    """``dtype`` as a numpy dtype, if it is one a layer's weights may have (float64, float32)."""
    try:
        d = np.dtype(dtype)
    except TypeError:
        d = None
    if d is None or d not in DTYPES:  # (a dtype equals None: numpy reads None as float64)
        raise TypeError(f"dtype must be np.float64 or np.float32, got {dtype!r}")
    return d


class Layer:
    """What every layer shares: input checks, no parameters and no kinks by default."""

    def parameters(self):
        return []

    def kink_sides(self):
        """For a layer whose slope jumps somewhere (ReLU at 0): which side of the jump each
        input of the last forward was on, as a boolean array. None for a smooth layer.
        ``gradient_check`` leaves out the nudges that move an input across a jump."""
        return None

    def _check_forward(self, X):
        return as_float_array(X, "X", ndim=2)

    def _check_backward(self, dout, saved):
        if saved is None:
            raise RuntimeError(f"{type(self).__name__}.backward() called before forward()")
        dout = np.asarray(dout)
        if dout.shape != self.out_shape:
            raise ValueError(
                f"dout must have the shape of this layer's output {self.out_shape}, got {dout.shape}"
            )
        return dout


class Dense(Layer):
    """Fully connected layer ``out = X @ W + b``.

    - n_in: number of inputs D; n_out: number of outputs H.
    - seed: int or ``np.random.Generator`` for the initial weights.
    - init: "xavier" (Glorot uniform, for tanh and sigmoid), "he" (normal with std
      sqrt(2 / D), for ReLU) or "zeros" (every unit identical forever: lesson 5).
    - dtype: np.float64 (default) or np.float32.

    Attributes: ``W`` (D, H), ``b`` (H,), and after backward ``dW`` (D, H), ``db`` (H,).
    """

    def __init__(self, n_in, n_out, seed=0, init="xavier", dtype=np.float64):
        self.n_in = check_int(n_in, "n_in", minimum=1)
        self.n_out = check_int(n_out, "n_out", minimum=1)
        if init not in INITS:
            raise ValueError(f"init must be one of {INITS}, got {init!r}")
        self.init = init
        dtype = check_dtype(dtype)
        rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
        if init == "xavier":
            # Keeps the variance of the outputs near that of the inputs, forward and back.
            limit = np.sqrt(6.0 / (n_in + n_out))
            W = rng.uniform(-limit, limit, size=(n_in, n_out))
        elif init == "he":
            # ReLU zeroes half its inputs, so twice the variance keeps the signal's size.
            W = rng.normal(0.0, np.sqrt(2.0 / n_in), size=(n_in, n_out))
        else:
            W = np.zeros((n_in, n_out))
        self.W = W.astype(dtype)
        self.b = np.zeros(n_out, dtype=dtype)
        self.dW = np.zeros_like(self.W)
        self.db = np.zeros_like(self.b)
        self.X = None

    def forward(self, X):
        """- X: (N, D). Returns (N, H)."""
        X = self._check_forward(X)
        if X.shape[1] != self.n_in:
            raise ValueError(f"X must have {self.n_in} features (columns), got {describe(X)}")
        self.X = X  # backward needs the input: dW = X.T @ dout
        out = X @ self.W + self.b
        self.out_shape = out.shape
        return out

    def backward(self, dout):
        """- dout: (N, H). Sets ``dW`` (D, H) and ``db`` (H,); returns dX (N, D)."""
        dout = self._check_backward(dout, self.X)
        self.dW = self.X.T @ dout
        # b is added to every row, so its gradient is the sum over the rows.
        self.db = dout.sum(axis=0)
        return dout @ self.W.T

    def parameters(self):
        return [("W", self.W, self.dW), ("b", self.b, self.db)]

    def __repr__(self):
        return f"Dense({self.n_in} -> {self.n_out}, init={self.init!r})"


class Sigmoid(Layer):
    """Elementwise sigmoid; backward multiplies by ``s * (1 - s)``."""

    def __init__(self):
        self.s = None

    def forward(self, X):
        self.s = sigmoid(self._check_forward(X))
        self.out_shape = self.s.shape
        return self.s

    def backward(self, dout):
        dout = self._check_backward(dout, self.s)
        return dout * self.s * (1.0 - self.s)

    def __repr__(self):
        return "Sigmoid()"


class Tanh(Layer):
    """Elementwise tanh; backward multiplies by ``1 - t**2``."""

    def __init__(self):
        self.t = None

    def forward(self, X):
        self.t = np.tanh(self._check_forward(X))
        self.out_shape = self.t.shape
        return self.t

    def backward(self, dout):
        dout = self._check_backward(dout, self.t)
        return dout * (1.0 - self.t ** 2)

    def __repr__(self):
        return "Tanh()"


class ReLU(Layer):
    """Elementwise ``max(z, 0)``; backward passes the gradient only where z > 0."""

    def __init__(self):
        self.z = None

    def forward(self, X):
        self.z = self._check_forward(X)
        self.out_shape = self.z.shape
        return np.maximum(self.z, 0)

    def backward(self, dout):
        dout = self._check_backward(dout, self.z)
        return dout * (self.z > 0)

    def kink_sides(self):
        return None if self.z is None else self.z > 0

    def __repr__(self):
        return "ReLU()"


ACTIVATIONS = {"tanh": Tanh, "relu": ReLU, "sigmoid": Sigmoid}
