"""Lessons 5 and 6: a multi-layer perceptron, a stack of layers that outputs logits.

Shapes: N examples, D inputs, C outputs (logits).
"""

import numpy as np

from .activations import sigmoid, softmax
from .layers import ACTIVATIONS, Dense, check_dtype
from .validation import as_float_array, check_int, describe


class MLP:
    """A stack ``Dense -> activation -> ... -> Dense`` that outputs logits.

    Either from layer widths:

    - sizes: for instance ``[2, 8, 8, 1]``: 2 inputs, two hidden layers of 8 units,
      1 output. ``[2, 1]`` is logistic regression (no hidden layer).
    - activation: "tanh", "relu" or "sigmoid", used after every hidden layer. The
      last layer has none: its outputs are logits for a loss layer.
    - seed: seed for the initial weights; the same seed gives the same network.
    - init: "xavier", "he" or "zeros"; default "he" for relu, otherwise "xavier".
    - dtype: np.float64 (default) or np.float32.

    or from layer objects of any kind, your own included:
    ``MLP(layers=[MyDense(2, 8), MyTanh(), MyDense(8, 1)])``. A layer needs
    ``forward(X)``, ``backward(dout)`` and, if it has weights, ``parameters()``.
    """

    def __init__(self, sizes=None, activation="tanh", seed=0, init=None, dtype=np.float64, layers=None):
        if layers is not None:
            if sizes is not None:
                raise ValueError("give either sizes (layer widths) or layers (layer objects), not both")
            self._use_layers(layers)
            return
        if sizes is None:
            raise TypeError("MLP needs sizes (layer widths like [2, 8, 1]) or layers=[...] (layer objects)")
        if isinstance(sizes, (int, np.integer)):
            sizes = [sizes]
        if isinstance(sizes, (str, bytes)) or not hasattr(sizes, "__iter__"):
            raise TypeError(f"sizes must be a list of layer widths like [2, 8, 1], got {type(sizes).__name__} {sizes!r}")
        sizes = list(sizes)
        if len(sizes) < 2:
            raise ValueError(f"sizes needs at least an input and an output size, like [2, 1]; got {sizes}")
        self.sizes = [check_int(s, f"sizes[{i}]", minimum=1) for i, s in enumerate(sizes)]
        if not isinstance(activation, str) or activation not in ACTIVATIONS:
            raise ValueError(f"activation must be one of {sorted(ACTIVATIONS)}, got {activation!r}")
        self.activation = activation
        self.init = init or ("he" if activation == "relu" else "xavier")
        self.seed = check_int(seed, "seed", minimum=0)
        self.dtype = check_dtype(dtype)
        self.layers = []
        for i, (n_in, n_out) in enumerate(zip(self.sizes[:-1], self.sizes[1:])):
            rng = np.random.default_rng([seed, i])
            self.layers.append(Dense(n_in, n_out, seed=rng, init=self.init, dtype=self.dtype))
            if i < len(self.sizes) - 2:
                self.layers.append(ACTIVATIONS[activation]())
        self.logits_shape = None

    def _use_layers(self, layers):
        if isinstance(layers, (str, bytes)) or not hasattr(layers, "__iter__"):
            raise TypeError(f"layers must be a list of layer objects, got {type(layers).__name__}")
        self.layers = list(layers)
        if not self.layers:
            raise ValueError("layers must hold at least one layer, got an empty list")
        for i, layer in enumerate(self.layers):
            for method in ("forward", "backward"):
                if not callable(getattr(layer, method, None)):
                    raise TypeError(f"layers[{i}] must have a {method}() method, got {type(layer).__name__} {layer!r}")
        dense = [layer for layer in self.layers if isinstance(layer, Dense)]
        # Widths are known where the layers are Dense ones (for checks and printing).
        self.sizes = [dense[0].n_in] + [d.n_out for d in dense] if dense else None
        self.activation = self.init = self.seed = None
        self.dtype = dense[0].W.dtype if dense else np.dtype(np.float64)
        self.logits_shape = None

    def forward(self, X):
        """- X: (N, D). Returns logits (N, C): the layers applied in turn.

        A model whose weights are not finite (left so by a run that diverged), or whose
        layer outputs overflow (weights near 1e308), gives logits of nan: the layers after
        would refuse the inf or nan passed to them, and blame their input.
        """
        X = as_float_array(X, "X", ndim=2, dtype=self.dtype)
        if self.sizes is not None and X.shape[1] != self.sizes[0]:
            raise ValueError(f"X must have {self.sizes[0]} features (columns), got {describe(X)}")
        if self.sizes is not None and not all(np.isfinite(p).all() for _, p, _ in self.parameters()):
            self.logits_shape = None
            return np.full((len(X), self.sizes[-1]), np.nan, dtype=self.dtype)
        n = len(X)
        for i, layer in enumerate(self.layers):
            with np.errstate(over="ignore", invalid="ignore"):  # overflow is handled just below
                X = layer.forward(X)
            if i < len(self.layers) - 1 and not np.all(np.isfinite(X)):
                self.logits_shape = None
                width = self.sizes[-1] if self.sizes is not None else 1
                return np.full((n, width), np.nan, dtype=self.dtype)
        self.logits_shape = np.shape(X)
        return X

    def backward(self, dlogits):
        """- dlogits: d loss / d logits (N, C). Fills every layer's grads; returns dX (N, D).

        The chain rule from the end: each layer turns d loss / d its output into d loss / d
        its input, which is d loss / d output of the layer before it.
        """
        if self.logits_shape is None:
            raise RuntimeError("MLP.backward() called before forward()")
        if np.shape(dlogits) != self.logits_shape:
            raise ValueError(
                f"dlogits must have the shape of the last logits {self.logits_shape}, got {describe(dlogits)}"
            )
        for layer in reversed(self.layers):
            dlogits = layer.backward(dlogits)
        return dlogits

    def parameters(self):
        """All ``(name, param, grad)`` triples, e.g. ``("layers[0].W", W, dW)``.

        Optimisers update the parameters in place, so W and b stay the same arrays for
        the life of the model; ``backward`` may make new grads, so ask again after it.
        """
        return [
            (f"layers[{i}].{name}", p, g)
            for i, layer in enumerate(self.layers)
            for name, p, g in _parameters_of(layer)
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
        if self.activation is None:
            head = f"MLP(layers=[...]): {self.n_parameters()} parameters"
        else:
            head = f"MLP({self.sizes}, activation={self.activation!r}): {self.n_parameters()} parameters"
        lines = [head]
        for i, layer in enumerate(self.layers):
            n = sum(p.size for _, p, _ in _parameters_of(layer))
            lines.append(f"  ({i}) {layer!r}" + (f"  {n} parameters" if n else ""))
        return "\n".join(lines)


def _parameters_of(layer):
    """A layer's ``(name, param, grad)`` list; a layer written without ``parameters()`` has none."""
    parameters = getattr(layer, "parameters", None)
    return parameters() if parameters is not None else []
