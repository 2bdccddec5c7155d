"""Lesson 5: layers that know their own backward pass.

Shapes: N examples, D inputs to a layer, H outputs of a layer, C classes.

Every layer has ``forward(X)`` -> output and ``backward(dout)`` -> dX, where ``dout``
is d loss / d output (same shape as the output) and dX is d loss / d input. Forward
keeps what backward needs on the layer (never a modified copy of the caller's
array). Layers with weights also fill ``dW`` and ``db`` and list them in
``parameters()`` as ``(name, param, grad)``.

Loss layers end the chain: ``forward(logits, y)`` -> mean loss (a float) and
``backward()`` -> d loss / d logits.
"""

import numpy as np

from ._checks import as_float_array, as_labels, check_int, describe
from .activations import log_softmax, sigmoid, softmax
from .losses import binary_cross_entropy_with_logits

INITS = ("xavier", "he", "zeros")


class Layer:
    """Shared bookkeeping: input checks and the backward-before-forward error."""

    def parameters(self):
        return []

    def _check_forward(self, X):
        if isinstance(X, np.ndarray) and X.ndim == 2 and np.issubdtype(X.dtype, np.floating):
            return X
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
        rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
        if init == "xavier":
            limit = np.sqrt(6.0 / (n_in + n_out))
            W = rng.uniform(-limit, limit, size=(n_in, n_out))
        elif init == "he":
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
        self.X = X
        out = X @ self.W
        out += self.b
        self.out_shape = out.shape
        return out

    def backward(self, dout):
        """- dout: (N, H). Sets ``dW = X.T @ dout``, ``db = dout.sum(0)``; returns ``dX = dout @ W.T`` (N, D)."""
        dout = self._check_backward(dout, self.X)
        np.matmul(self.X.T, dout, out=self.dW)
        np.sum(dout, axis=0, out=self.db)
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
        return dout * (1.0 - self.t * self.t)

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

    def __repr__(self):
        return "ReLU()"


ACTIVATIONS = {"tanh": Tanh, "relu": ReLU, "sigmoid": Sigmoid}


class Loss:
    """Shared checks for loss layers. ``accuracy`` is None for regression losses."""

    def _logits(self, logits):
        logits = np.asarray(logits)
        if not (np.issubdtype(logits.dtype, np.floating) and np.all(np.isfinite(logits))):
            logits = as_float_array(logits, "logits")
        if logits.ndim == 1:
            logits = logits[:, None]
        if logits.ndim != 2:
            raise ValueError(f"logits must be (N,) or (N, C), got {describe(logits)}")
        return logits

    def backward(self):
        if self.grad is None:
            raise RuntimeError(f"{type(self).__name__}.backward() called before forward()")
        return self.grad

    def accuracy(self, logits, y):
        return None

    def __repr__(self):
        return f"{type(self).__name__}()"


def _binary_labels(y, n):
    return as_labels(y, "y", 2, n=n)


class BCEWithLogitsLoss(Loss):
    """Binary cross entropy on one logit per example (sigmoid inside, stable).

    forward(logits (N, 1) or (N,), y (N,) in {0, 1}) -> mean loss.
    """

    grad = None

    def forward(self, logits, y):
        z = self._logits(logits)
        if z.shape[1] != 1:
            raise ValueError(f"logits must have one column for binary labels, got {describe(z)}")
        y = _binary_labels(y, len(z)).astype(z.dtype)[:, None]
        # Why (p - y) / N: with p = sigmoid(z), dL/dp = -(y/p - (1-y)/(1-p)) and
        # dp/dz = p(1 - p). Their product cancels to p - y: the awkward divisions
        # vanish, so the gradient is finite even when p is exactly 0 or 1.
        self.grad = (sigmoid(z) - y) / len(z)
        return binary_cross_entropy_with_logits(z, y)

    def accuracy(self, logits, y):
        z = self._logits(logits)
        return float(np.mean((z[:, 0] > 0) == (np.asarray(y).reshape(-1) == 1)))


class CrossEntropyLoss(Loss):
    """Softmax + categorical cross entropy on logits (N, C) with index labels (N,)."""

    grad = None

    def forward(self, logits, y):
        z = self._logits(logits)
        y = as_labels(y, "y", z.shape[1], n=len(z))
        log_p = log_softmax(z, axis=1)
        # Why (p - y) / N: L = -log p_y = -z_y + logsumexp(z), so dL/dz_k = p_k - [k == y].
        # The softmax Jacobian and the 1/p from the log cancel exactly.
        grad = softmax(z, axis=1)
        grad[np.arange(len(y)), y] -= 1.0
        self.grad = grad / len(z)
        return float(np.sum(-log_p[np.arange(len(y)), y] / len(y)))

    def accuracy(self, logits, y):
        z = self._logits(logits)
        return float(np.mean(np.argmax(z, axis=1) == np.asarray(y).reshape(-1)))


class MSELoss(Loss):
    """Mean squared error between outputs (N, K) and targets (N,) or (N, K), for regression."""

    grad = None

    def forward(self, pred, y):
        pred = self._logits(pred)
        y = as_float_array(y, "y")
        if y.ndim == 1:
            y = y[:, None]
        if y.shape != pred.shape:
            raise ValueError(f"y must match the predictions {pred.shape} (or be ({len(pred)},)), got {y.shape}")
        diff = pred - y
        self.grad = 2.0 * diff / diff.size
        return float(np.sum(diff * diff / diff.size))


class SigmoidMSELoss(Loss):
    """Squared error between ``sigmoid(logits)`` and labels in {0, 1}: MSE used for
    classification, to compare with cross entropy (lessons 4 and 6).

    The gradient carries a factor ``p (1 - p)``, which is almost 0 when the model is
    confidently wrong: that is why cross entropy learns faster.
    """

    grad = None

    def forward(self, logits, y):
        z = self._logits(logits)
        if z.shape[1] != 1:
            raise ValueError(f"logits must have one column for binary labels, got {describe(z)}")
        y = _binary_labels(y, len(z)).astype(z.dtype)[:, None]
        p = sigmoid(z)
        self.grad = 2.0 * (p - y) * p * (1.0 - p) / len(z)
        return float(np.sum((p - y) ** 2 / len(z)))

    accuracy = BCEWithLogitsLoss.accuracy
