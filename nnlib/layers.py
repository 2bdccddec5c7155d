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

from .validation import as_float_array, as_labels, check_int, describe
from .activations import log_softmax, sigmoid, softmax

INITS = ("xavier", "he", "zeros")

_ONES = {}


def _ones(n, dtype):
    """n ones of ``dtype``, a slice of one cached read-only vector (for column sums)."""
    ones = _ONES.get(np.dtype(dtype))
    if ones is None or len(ones) < n:
        ones = np.ones(max(n, 1024), dtype=dtype)
        ones.flags.writeable = False
        _ONES[np.dtype(dtype)] = ones
    return ones[:n]


class Layer:
    """Shared bookkeeping: input checks and the backward-before-forward error.

    The fast path: ``MLP`` does not call ``forward``/``backward`` but the private
    ``_forward_rows``/``_remember``/``_backward_rows`` of its layers, which do the same
    maths into work buffers the model owns, one block of rows at a time (see
    ``MLP.forward``). ``forward`` and ``backward`` stay the plain version the lessons show.
    """

    # What the fast path's backward reads: the layer's input ("X") or its output. MLP
    # keeps a full (N, width) array only where some backward reads it.
    _backward_reads = "X"

    def parameters(self):
        return []

    def _check_forward(self, X):
        # A float array that is already 2-D and finite goes through without a copy; anything
        # else (lists, ints, NaN or inf) gets the full check and its clear error message.
        if (isinstance(X, np.ndarray) and X.ndim == 2 and np.issubdtype(X.dtype, np.floating)
                and np.isfinite(X).all()):
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

    # Fast path for MLP (see Layer): forward/backward without checks, into `out`/`dX`.
    def _forward_rows(self, X, out):
        np.matmul(X, self.W, out=out)
        out += self.b
        return out

    def _remember(self, X, out):
        self.X, self.out_shape = X, (len(X), self.n_out)

    def _backward_rows(self, rows, dout, dX, grads, first):
        """One block of rows. ``grads`` is the (dW, db) pair to fill: this layer's own, or
        a spare one of a second thread (see MLP). ``first``: set it to this block's share,
        else add the share. dX (None: not wanted) is written in place."""
        dW, db = grads
        X = self.X[rows]
        # db = dout.sum(0), but numpy sums a tall, narrow array one row at a time: the
        # same sum as a product with a row of ones goes through BLAS, 3 to 7 times faster.
        # With few inputs (the lessons' 2), dW = X.T @ dout is faster one row at a time
        # too, as products of one column of X with dout: BLAS handles a product with a
        # (2, N) matrix poorly, and two threads doing it at once wait for each other.
        ones = _ones(len(dout), dout.dtype)
        pairs = [(X.T, dW)] if self.n_in > 4 else [(X[:, j], dW[j]) for j in range(self.n_in)]
        for a, into in pairs + [(ones, db)]:
            if first:
                np.matmul(a, dout, out=into)
            else:
                into += a @ dout
        if dX is None:
            return None
        if self.n_out == 1:
            # dout @ W.T is then one column times one row: broadcasting gives the same
            # numbers faster than a matrix product.
            return np.multiply(dout, self.W[:, 0], out=dX)
        return np.matmul(dout, self.W.T, out=dX)

    def __repr__(self):
        return f"Dense({self.n_in} -> {self.n_out}, init={self.init!r})"


class Sigmoid(Layer):
    """Elementwise sigmoid; backward multiplies by ``s * (1 - s)``."""

    _backward_reads = "output"

    def __init__(self):
        self.s = None

    def forward(self, X):
        self.s = sigmoid(self._check_forward(X))
        self.out_shape = self.s.shape
        return self.s

    def backward(self, dout):
        dout = self._check_backward(dout, self.s)
        return dout * self.s * (1.0 - self.s)

    # Fast path for MLP (see Layer): the same maths, into `out`/`dX`.
    def _forward_rows(self, X, out):
        out[...] = sigmoid(X)
        return out

    def _remember(self, X, out):
        self.s, self.out_shape = out, out.shape

    def _backward_rows(self, rows, dout, dX, grads, first):
        s = self.s[rows]
        dX[...] = dout * s * (1.0 - s)
        return dX

    def __repr__(self):
        return "Sigmoid()"


class Tanh(Layer):
    """Elementwise tanh; backward multiplies by ``1 - t**2``."""

    _backward_reads = "output"

    def __init__(self):
        self.t = None

    def forward(self, X):
        self.t = np.tanh(self._check_forward(X))
        self.out_shape = self.t.shape
        return self.t

    def backward(self, dout):
        dout = self._check_backward(dout, self.t)
        return dout * (1.0 - self.t * self.t)

    # Fast path for MLP (see Layer): the same maths, into `out`/`dX`.
    def _forward_rows(self, X, out):
        if out.dtype != np.float64:
            return np.tanh(X, out=out)
        # numpy's float64 tanh is not vectorised on common x86 builds (about 18 ns a
        # number here, against 10 for exp), and it is most of an epoch's time. The
        # identity tanh(z) = 2 / (1 + exp(-2z)) - 1 gives the same values to within 4e-16
        # at about 60 % of the cost. Below z = -354, exp(-2z) overflows to inf, quietly
        # here, and 2 / inf - 1 is -1: tanh's value in float64 there anyway.
        np.multiply(X, -2.0, out=out)
        with np.errstate(over="ignore"):
            np.exp(out, out=out)
        out += 1.0
        np.divide(2.0, out, out=out)
        out -= 1.0
        return out

    def _remember(self, X, out):
        self.t, self.out_shape = out, out.shape

    def _backward_rows(self, rows, dout, dX, grads, first):
        t = self.t[rows]
        np.multiply(t, t, out=dX)
        np.subtract(1.0, dX, out=dX)
        dX *= dout
        return dX

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

    # Fast path for MLP (see Layer): the same maths, into `out`/`dX`.
    def _forward_rows(self, X, out):
        return np.maximum(X, 0, out=out)

    def _remember(self, X, out):
        self.z, self.out_shape = X, out.shape

    def _backward_rows(self, rows, dout, dX, grads, first):
        return np.multiply(dout, self.z[rows] > 0, out=dX)

    def __repr__(self):
        return "ReLU()"


ACTIVATIONS = {"tanh": Tanh, "relu": ReLU, "sigmoid": Sigmoid}


class Loss:
    """Shared checks for loss layers. ``accuracy`` is None for regression losses.

    ``forward(logits, y)`` checks its inputs, then calls ``_targets`` (y in the form the
    loss computes with) and ``_loss_and_grad``. ``train`` calls those two itself: it
    checks y once with ``_targets`` and then, on every epoch, ``_forward_trusted`` with
    logits fresh from the model, skipping checks that cannot fail there.
    """

    def _logits(self, logits, start=False):
        # start=True (from forward): forget the last gradient, so that a forward that
        # fails on bad input cannot leave a stale one for backward, and remember the
        # shape given, so that backward returns d loss / d logits in that same shape.
        if start:
            self.grad = None
            self.logits_shape = np.shape(logits)
        logits = np.asarray(logits)
        if not (np.issubdtype(logits.dtype, np.floating) and np.all(np.isfinite(logits))):
            logits = as_float_array(logits, "logits")
        if logits.ndim == 1:
            logits = logits[:, None]
        if logits.ndim != 2:
            raise ValueError(f"logits must be (N,) or (N, C), got {describe(logits)}")
        return logits

    def forward(self, logits, y):
        z = self._logits(logits, start=True)
        return self._loss_and_grad(z, self._targets(y, z.shape, z.dtype))

    def _forward_trusted(self, z, t, grad=True):
        """forward for finite logits z (N, C) from a model and targets t from ``_targets``;
        ``grad=False`` (a validation pass) computes the loss alone and leaves ``grad`` be."""
        if not grad:
            return self._loss_and_grad(z, t, grad=False)
        self.logits_shape = z.shape
        return self._loss_and_grad(z, t)

    def backward(self):
        """d loss / d logits, in the shape of the logits given to forward."""
        if self.grad is None:
            raise RuntimeError(f"{type(self).__name__}.backward() called before forward()")
        return self.grad.reshape(self.logits_shape)

    def accuracy(self, logits, y):
        return None

    def _n_correct(self, z, t):
        """How many of the logits z (N, C) are right about the targets t; None for regression."""
        return None

    def __repr__(self):
        return f"{type(self).__name__}()"


def _binary_label_column(y, shape, dtype):
    """Labels y (N,) in {0, 1} as a column (N, 1) of floats, for logits of ``shape``."""
    if shape[1] != 1:
        raise ValueError(f"logits must have one column for binary labels, got shape {shape}")
    return as_labels(y, "y", 2, n=shape[0]).astype(dtype)[:, None]


class BCEWithLogitsLoss(Loss):
    """Binary cross entropy on one logit per example (sigmoid inside, stable).

    forward(logits (N, 1) or (N,), y (N,) in {0, 1}) -> mean loss.
    """

    grad = None

    def _targets(self, y, shape, dtype):
        # Kept as signs s = 1 - 2y, +1 for label 0 and -1 for label 1 (see _loss_and_grad).
        return 1.0 - 2.0 * _binary_label_column(y, shape, dtype)

    def _loss_and_grad(self, z, s, grad=True):
        # Why (p - y) / N: with p = sigmoid(z), dL/dp = -(y/p - (1-y)/(1-p)) and
        # dp/dz = p(1 - p). Their product cancels to p - y: the awkward divisions
        # vanish, so the gradient is finite even when p is exactly 0 or 1.
        # The plain version is `self.grad = (sigmoid(z) - y) / len(z)` and `return
        # binary_cross_entropy_with_logits(z, y)`. Here the sign s = 1 - 2y gives both
        # labels one form: the loss is log(1 + exp(s z)), which np.logaddexp(0, s z)
        # computes without overflow, and p - y = s * sigmoid(s z) = s * exp(s z - loss).
        # The same numbers (to rounding) in 8 numpy calls instead of 18: for a small
        # network each call's overhead, not the arithmetic, is what takes the time.
        sz = s * z
        losses = np.logaddexp(0.0, sz)
        if grad:
            self.grad = s * np.exp(sz - losses) / len(z)
        return float((losses / losses.size).sum())

    def accuracy(self, logits, y):
        z = self._logits(logits)
        return float(np.mean((z[:, 0] > 0) == (np.asarray(y).reshape(-1) == 1)))

    def _n_correct(self, z, s):
        return int(np.count_nonzero((z > 0) == (s < 0)))


class CrossEntropyLoss(Loss):
    """Softmax + categorical cross entropy on logits (N, C) with index labels (N,)."""

    grad = None

    def forward(self, logits, y):
        z = self._logits(logits, start=True)
        if np.ndim(logits) != 2 or z.shape[1] < 2:
            raise ValueError(f"logits must be (N, C) with C >= 2 classes, got {describe(logits)}")
        return self._loss_and_grad(z, self._targets(y, z.shape, z.dtype))

    def _targets(self, y, shape, dtype):
        if np.ndim(y) == 2 and np.shape(y) == tuple(shape):
            raise ValueError(
                f"y must be index labels (N,) = ({shape[0]},), got one-hot rows of shape {np.shape(y)}; "
                "pass y.argmax(axis=1)"
            )
        return as_labels(y, "y", shape[1], n=shape[0])

    def _loss_and_grad(self, z, y, grad=True):
        log_p = log_softmax(z, axis=1)
        if grad:
            # Why (p - y) / N: L = -log p_y = -z_y + logsumexp(z), so dL/dz_k = p_k - [k == y].
            # The softmax Jacobian and the 1/p from the log cancel exactly.
            p = softmax(z, axis=1)
            p[np.arange(len(y)), y] -= 1.0
            self.grad = p / len(z)
        return float(np.sum(-log_p[np.arange(len(y)), y] / len(y)))

    def accuracy(self, logits, y):
        z = self._logits(logits)
        return float(np.mean(np.argmax(z, axis=1) == np.asarray(y).reshape(-1)))

    def _n_correct(self, z, y):
        return int(np.count_nonzero(np.argmax(z, axis=1) == y))


class MSELoss(Loss):
    """Mean squared error between outputs (N, K) and targets (N,) or (N, K), for regression."""

    grad = None

    def _targets(self, y, shape, dtype):
        y = as_float_array(y, "y")
        if y.ndim == 1:
            y = y[:, None]
        if y.shape != tuple(shape):
            raise ValueError(f"y must match the predictions {tuple(shape)} (or be ({shape[0]},)), got {y.shape}")
        return y

    def _loss_and_grad(self, pred, y, grad=True):
        diff = pred - y
        if grad:
            self.grad = 2.0 * diff / diff.size
        return float(np.sum(diff * diff / diff.size))


class SigmoidMSELoss(Loss):
    """Squared error between ``sigmoid(logits)`` and labels in {0, 1}: MSE used for
    classification, to compare with cross entropy (lessons 4 and 6).

    The gradient carries a factor ``p (1 - p)``, which is almost 0 when the model is
    confidently wrong: that is why cross entropy learns faster.
    """

    grad = None

    def _targets(self, y, shape, dtype):
        return _binary_label_column(y, shape, dtype)

    def _loss_and_grad(self, z, y, grad=True):
        p = sigmoid(z)
        if grad:
            self.grad = 2.0 * (p - y) * p * (1.0 - p) / len(z)
        return float(np.sum((p - y) ** 2 / len(z)))

    accuracy = BCEWithLogitsLoss.accuracy

    def _n_correct(self, z, y):
        return int(np.count_nonzero((z > 0) == (y > 0.5)))
