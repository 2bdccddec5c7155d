"""Lessons 5 and 6: a multi-layer perceptron built from ``Dense`` and activation layers.

Shapes: N examples, D = sizes[0] inputs, C = sizes[-1] outputs (logits).
"""

import numpy as np

from ._checks import as_float_array, check_int, describe
from .activations import sigmoid, softmax
from .layers import ACTIVATIONS, Dense


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
        sizes = list(sizes) if not isinstance(sizes, (int, np.integer)) else [sizes]
        if len(sizes) < 2:
            raise ValueError(f"sizes needs at least an input and an output size, like [2, 1]; got {sizes}")
        self.sizes = [check_int(s, f"sizes[{i}]", minimum=1) for i, s in enumerate(sizes)]
        if activation not in ACTIVATIONS:
            raise ValueError(f"activation must be one of {sorted(ACTIVATIONS)}, got {activation!r}")
        self.activation = activation
        self.init = init or ("he" if activation == "relu" else "xavier")
        self.seed = seed
        self.dtype = np.dtype(dtype)
        self.layers = []
        for i, (n_in, n_out) in enumerate(zip(self.sizes[:-1], self.sizes[1:])):
            rng = np.random.default_rng([seed, i])
            self.layers.append(Dense(n_in, n_out, seed=rng, init=self.init, dtype=self.dtype))
            if i < len(self.sizes) - 2:
                self.layers.append(ACTIVATIONS[activation]())

    def forward(self, X):
        """- X: (N, D). Returns logits (N, C)."""
        X = as_float_array(X, "X", ndim=2, dtype=self.dtype)
        if X.shape[1] != self.sizes[0]:
            raise ValueError(f"X must have {self.sizes[0]} features (columns), got {describe(X)}")
        for layer in self.layers:
            X = layer.forward(X)
        return X

    def backward(self, dlogits):
        """- dlogits: d loss / d logits (N, C). Fills every layer's grads; returns dX (N, D)."""
        for layer in reversed(self.layers):
            dlogits = layer.backward(dlogits)
        return dlogits

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
        for (name, p, _), w in zip(params, weights):
            w = np.asarray(w)
            if w.shape != p.shape:
                raise ValueError(f"weights for {name} must have shape {p.shape}, got {w.shape}")
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
