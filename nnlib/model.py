"""Lessons 5 and 6: a multi-layer perceptron built from ``Dense`` and activation layers.

Shapes: N examples, D = sizes[0] inputs, C = sizes[-1] outputs (logits).
"""

import numpy as np

from ._checks import as_float_array, check_int, describe
from .activations import sigmoid, softmax
from .layers import ACTIVATIONS, Dense

# Rows per block in the fast path of forward and backward. A block of hidden
# activations (1024 x 64 float64 numbers is 512 KB) stays in a core's cache, and its
# thin matrix products (X @ W with 2 inputs) are small enough that OpenBLAS runs them
# on one thread: splitting them across threads costs more than it saves, and on a busy
# machine far more. The results match the plain layer loop to rounding (about 1e-15
# in float64): sums come in another order, and float64 tanh from an identity (Tanh).
BLOCK_ROWS = 1024


def _blocks(n):
    """Row slices of at most BLOCK_ROWS rows that cover range(n)."""
    return [slice(i, min(i + BLOCK_ROWS, n)) for i in range(0, n, BLOCK_ROWS)]


def _width(layer, before):
    """Number of outputs of ``layer``; an activation keeps the width of the Dense before it."""
    for candidate in [layer, *reversed(before)]:
        if isinstance(candidate, Dense):
            return candidate.n_out
    raise ValueError(f"cannot tell the width of {layer!r}: no Dense layer before it")


class MLP:
    """A stack ``Dense -> activation -> ... -> Dense`` that outputs logits.

    - sizes: layer widths, for instance ``[2, 8, 8, 1]``: 2 inputs, two hidden layers of
      8 units, 1 output. ``[2, 1]`` is logistic regression (no hidden layer).
    - activation: "tanh", "relu" or "sigmoid", used after every hidden layer. The
      last layer has none: its outputs are logits for a loss layer.
    - seed: seed for the initial weights; the same seed gives the same network.
    - init: "xavier", "he" or "zeros"; default "he" for relu, otherwise "xavier".
    - dtype: np.float64 (default) or np.float32.
    """

    def __init__(self, sizes, activation="tanh", seed=0, init=None, dtype=np.float64):
        if isinstance(sizes, (int, np.integer)):
            sizes = [sizes]
        if isinstance(sizes, (str, bytes)) or not hasattr(sizes, "__iter__"):
            raise TypeError(f"sizes must be a list of layer widths like [2, 8, 1], got {type(sizes).__name__} {sizes!r}")
        sizes = list(sizes)
        if len(sizes) < 2:
            raise ValueError(f"sizes needs at least an input and an output size, like [2, 1]; got {sizes}")
        self.sizes = [check_int(s, f"sizes[{i}]", minimum=1) for i, s in enumerate(sizes)]
        if activation not in ACTIVATIONS:
            raise ValueError(f"activation must be one of {sorted(ACTIVATIONS)}, got {activation!r}")
        self.activation = activation
        self.init = init or ("he" if activation == "relu" else "xavier")
        self.seed = check_int(seed, "seed", minimum=0)
        self.dtype = np.dtype(dtype)
        self.layers = []
        self._logits_shape = None
        self._work, self._blocks = {}, {}  # work buffers of the fast path (see forward)
        for i, (n_in, n_out) in enumerate(zip(self.sizes[:-1], self.sizes[1:])):
            rng = np.random.default_rng([seed, i])
            self.layers.append(Dense(n_in, n_out, seed=rng, init=self.init, dtype=self.dtype))
            if i < len(self.sizes) - 2:
                self.layers.append(ACTIVATIONS[activation]())

    def forward(self, X):
        """- X: (N, D). Returns logits (N, C), a new array.

        What the layers keep for backward (``layer.X``, ``Tanh.t``, ...) lives in work
        buffers that the next forward on as many examples overwrites.
        """
        X = as_float_array(X, "X", ndim=2, dtype=self.dtype)
        if X.shape[1] != self.sizes[0]:
            raise ValueError(f"X must have {self.sizes[0]} features (columns), got {describe(X)}")
        if not self._fast_path():
            for layer in self.layers:
                X = layer.forward(X)
            self._logits_shape = X.shape
            return X
        # The fast path: the same maths as the loop above, but every layer writes its
        # output into a work buffer this model keeps between calls (a fresh large array
        # costs a page fault per 4 KB on every epoch) and a large N runs in blocks of
        # BLOCK_ROWS rows, so that one layer's output is still in the cache when the
        # next layer reads it. Only the logits are a new array: they are the caller's.
        outs = self._work_buffers(len(X))
        logits = np.empty((len(X), self.sizes[-1]), dtype=self.dtype)
        for rows in _blocks(len(X)):
            h = X[rows]
            for layer, out in zip(self.layers, outs + [logits]):
                h = layer._forward_rows(h, out[rows])
        for layer, out in zip(self.layers, outs + [logits]):
            layer._remember(X, out)
            X = out
        self._logits_shape = logits.shape
        return logits

    def backward(self, dlogits):
        """- dlogits: d loss / d logits (N, C). Fills every layer's grads; returns dX (N, D)."""
        if self._logits_shape is None:
            raise RuntimeError("MLP.backward() called before forward()")
        if np.shape(dlogits) != self._logits_shape:
            raise ValueError(
                f"dlogits must have the shape of the last logits {self._logits_shape}, got {describe(dlogits)}"
            )
        if not self._fast_path():
            for layer in reversed(self.layers):
                dlogits = layer.backward(dlogits)
            return dlogits
        # The fast path (see forward): block by block, each layer adds that block's share
        # to its dW and db; the gradients between layers live in small per-block buffers.
        dlogits = np.asarray(dlogits)
        dX = np.empty((len(dlogits), self.sizes[0]), dtype=self.dtype)
        for k, rows in enumerate(_blocks(len(dlogits))):
            d = dlogits[rows]
            n = len(d)
            for i in reversed(range(len(self.layers))):
                into = dX[rows] if i == 0 else self._block_buffer(i, n)
                d = self.layers[i]._backward_rows(rows, d, into, first=(k == 0))
        return dX

    def _fast_path(self):
        return all(hasattr(layer, "_backward_rows") for layer in self.layers)

    def _work_buffers(self, n):
        """One (n, width) output buffer per layer but the last, reused by every forward
        on n examples. The two most recent n are kept (training and validation sets)."""
        work = self._work
        if n not in work:
            if len(work) >= 2:
                del work[next(iter(work))]
            work[n] = [np.empty((n, _width(layer, self.layers[:i])), dtype=self.dtype)
                       for i, layer in enumerate(self.layers[:-1])]
        return work[n]

    def _block_buffer(self, i, n):
        """Work buffer (n, inputs of layer i) for d loss / d input of layer i in backward."""
        blocks = self._blocks
        width = self.sizes[0] if i == 0 else _width(self.layers[i - 1], self.layers[:i - 1])
        if i not in blocks or blocks[i].shape != (BLOCK_ROWS, width):
            blocks[i] = np.empty((BLOCK_ROWS, width), dtype=self.dtype)
        return blocks[i][:n]

    def parameters(self):
        """All ``(name, param, grad)`` triples, e.g. ``("layers[0].W", W, dW)``.

        Parameters are updated in place by optimisers, so the arrays stay the same
        objects for the life of the model.
        """
        return [
            (f"layers[{i}].{name}", p, g)
            for i, layer in enumerate(self.layers)
            for name, p, g in layer.parameters()
        ]

    def n_parameters(self):
        return int(sum(p.size for _, p, _ in self.parameters()))

    def get_weights(self):
        """A copy of every parameter, to restore later with ``set_weights``."""
        return [p.copy() for _, p, _ in self.parameters()]

    def set_weights(self, weights):
        params = self.parameters()
        if len(weights) != len(params):
            raise ValueError(f"weights must hold {len(params)} arrays, got {len(weights)}")
        checked = []
        for (name, p, _), w in zip(params, weights):
            w = as_float_array(w, f"weights for {name}")
            if w.shape != p.shape:
                raise ValueError(f"weights for {name} must have shape {p.shape}, got {w.shape}")
            checked.append(w)
        # Copy only once every array is known to be good: a bad one leaves the model unchanged.
        for (_, p, _), w in zip(params, checked):
            p[...] = w

    def predict_proba(self, X):
        """Probabilities: (N,) of class 1 for one output, else (N, C) rows summing to 1."""
        logits = self.forward(X)
        if logits.shape[1] == 1:
            return sigmoid(logits[:, 0])
        return softmax(logits, axis=1)

    def predict(self, X):
        """Class labels (N,): probability >= 0.5 for one output, else the argmax."""
        p = self.predict_proba(X)
        return (p >= 0.5).astype(np.int64) if p.ndim == 1 else np.argmax(p, axis=1)

    def __repr__(self):
        lines = [f"MLP({self.sizes}, activation={self.activation!r}): {self.n_parameters()} parameters"]
        for i, layer in enumerate(self.layers):
            n = sum(p.size for _, p, _ in layer.parameters())
            lines.append(f"  ({i}) {layer!r}" + (f"  {n} parameters" if n else ""))
        return "\n".join(lines)
