"""The fast path of ``train``: nnlib's own MLP, trained with the same maths in fewer numpy calls.

This file is not a lesson. The lessons' code is ``layers.py``, ``model.py``,
``loss_layers.py`` and ``train.py``, and that is what runs for any class of yours.
``train`` asks ``Trainer.maybe(...)``, which gives a ``Trainer`` only when the model,
every layer, the loss, the optimiser and the penalty are nnlib's own, judged by method
identity (``type(layer).backward is Dense.backward``) over every method of the class,
helpers such as ``_check_forward`` included, and by the instance's own attributes (no
``layer.backward = f`` set on it). Any override gets None, and ``train`` runs the plain
loop, which calls it. ``train`` checks the arguments before either path runs.
The numbers are the same either way, to rounding (tests/test_fast.py trains both).

For the lessons' small networks most of an epoch is numpy's overhead per call, not
arithmetic, so this path makes fewer calls:
- every W and b of the model live in one flat array (and dW, db in another), and the
  layers' W, b, dW, db become windows on them: an optimiser step is a few calls;
- X and y were checked once by ``train``, not on every forward;
- each layer writes into buffers kept from epoch to epoch (a fresh large array costs a
  page fault every 4 KB), an activation in place over the Dense output before it;
- binary cross entropy and its gradient come from one ``logaddexp`` (see ``_BCE``), and
  softmax cross entropy, its gradient and the number right from one softmax, with the
  index labels checked once (see ``_CrossEntropy``);
- full-batch training with a validation set runs the layers once per epoch, not twice:
  the validation pass (after a step) also gives the next step its training outputs.
"""

import numpy as np

from .layers import Dense, ReLU, Sigmoid, Tanh
from .loss_layers import BCEWithLogitsLoss, CrossEntropyLoss, MSELoss, SigmoidMSELoss
from .losses import reduce
from .model import MLP
from .optim import SGD, Adam
from .regularization import L1, L2


def _own(obj, *classes):
    """Is ``obj`` an instance of one of ``classes`` that runs that class's code as it is:
    every method (helpers included) the class's own, none overridden by a subclass or set
    on the instance?"""
    return any(isinstance(obj, cls) and not _overrides(obj, cls) for cls in classes)


def _overrides(obj, cls):
    """The names of ``cls``'s methods that ``obj`` replaces (on its class or itself)."""
    mine = getattr(obj, "__dict__", {})
    return [name for name in dir(cls) if not name.startswith("__") and callable(getattr(cls, name))
            and (name in mine or getattr(type(obj), name) is not getattr(cls, name))]


class Trainer:
    """``step(X, rows)`` and ``evaluate(X_val)`` as in train's plain loop, for nnlib's own classes."""

    @classmethod
    def maybe(cls, model, loss, optimizer, regularization, X, y, X_val, y_val):
        """A Trainer if every class involved is nnlib's own and fits together, else None."""
        if not (_own(model, MLP)
                and _own(loss, BCEWithLogitsLoss, CrossEntropyLoss, MSELoss, SigmoidMSELoss)
                and _own(optimizer, SGD, Adam)
                and (regularization is None or _own(regularization, L1, L2))):
            return None
        ops, width = [], X.shape[1]
        for i, layer in enumerate(model.layers):
            if _own(layer, Dense):
                if layer.n_in != width or layer.W.dtype != X.dtype:
                    return None  # the plain path says what does not fit, clearly
                ops.append(_Dense(layer))
                width = layer.n_out
            else:
                kind = next((k for k in (Tanh, Sigmoid, ReLU) if _own(layer, k)), None)
                if kind is None:
                    return None
                # In place over a Dense output (a buffer of ours), never over the caller's X.
                ops.append(_ACTIVATIONS[kind](in_place=bool(ops) and isinstance(ops[-1], _Dense)))
        return cls(model, ops, loss, optimizer, regularization, X, y, X_val, y_val)

    def __init__(self, model, ops, loss, optimizer, regularization, X, y, X_val, y_val):
        self.ops, self.optimizer, self.regularization = ops, optimizer, regularization
        self.dense, self.dtype = [op.layer for op in ops if isinstance(op, _Dense)], X.dtype
        self.flat, self.weights = _pack(self.dense, X.dtype)
        # Full-batch training with a validation set: evaluate() runs the layers once over
        # the training and validation examples stacked (``both``, made at its first use),
        # with the weights after the step, and the next step() uses the training rows'
        # outputs, made with those same weights, instead of running the layers again
        # (see ``_next``).
        self.X, self.X_val, self.both, self.next = X, X_val, None, None
        self.full_batch = False
        if _own(loss, BCEWithLogitsLoss):
            self.loss = _BCE(loss, y, y_val, X.dtype)
        else:
            self.loss = _CrossEntropy.maybe(loss, y, y_val, ops) or _AnyLoss(loss, y, y_val)

    def step(self, X, rows):
        if not _still_packed(self.dense, self.flat):
            # A callback set a new W (or b) on a layer: train that one from now on.
            for i, layer in enumerate(self.dense):
                for name, shape in (("W", (layer.n_in, layer.n_out)), ("b", (layer.n_out,))):
                    if np.shape(getattr(layer, name)) != shape:
                        raise ValueError(f"dense layer {i}'s {name} must keep its shape {shape}, "
                                         f"got {np.shape(getattr(layer, name))}")
            self.flat, self.weights = _pack(self.dense, self.dtype)
        self.full_batch = rows is None
        out = self._next() if rows is None else None
        if out is None:
            out = self._forward(X)
        if not np.isfinite(out).all():
            return None
        value, dout, right = self.loss.value_grad_right(out, rows)
        if not np.isfinite(value):
            return None
        for k, rows in enumerate(_blocks(len(dout))):
            d = dout[rows]
            for op in reversed(self.ops):
                d = op.backward(d, rows, first=k == 0, want_dX=op is not self.ops[0])
        penalty = 0.0
        if self.regularization is not None:
            penalty = self.regularization.penalty(self.weights)
            self.regularization.add_grad(self.weights)
        self.optimizer.step(self.flat)
        return value + penalty, penalty, right

    def evaluate(self, X):
        if self.full_batch and X is self.X_val and len(self.X):
            if self.both is None:
                self.both = np.concatenate([self.X, X])
            both = self._forward(self.both)
            # What the next step needs, and the weights it was made with (a callback may
            # still change them in between: then the step runs the layers itself).
            n = len(self.X)
            self.next = both[:n], [theta.copy() for _, theta, _ in self.flat]
            out = both[n:]
        else:
            out = self._forward(X)
        if not np.isfinite(out).all():
            return None
        value, right = self.loss.value_right(out)
        return None if not np.isfinite(value) else (value, right)

    def _next(self):
        """The training rows' outputs that evaluate() made, if the weights are still those."""
        if self.next is None:
            return None
        out, weights = self.next
        self.next = None
        same = all(np.array_equal(theta, w) for (_, theta, _), w in zip(self.flat, weights))
        return out if same else None

    def _forward(self, X):
        """The layers' outputs for X (N, D), in blocks of rows: a block of each layer's output
        is still in the cache when the next layer reads it (a whole (N, H) array is not)."""
        outs = []
        for op in self.ops:
            outs.append(op.start(X if not outs else outs[-1]))
        for rows in _blocks(len(X)):
            for op in self.ops:
                op.forward(rows)
        return outs[-1]


BLOCK_ROWS = 1024  # 1024 x 64 float64 numbers are 512 KB: a core's cache holds a few
_BLOCKS = {}


def _blocks(n):
    """Row slices of at most BLOCK_ROWS rows covering range(n)."""
    if n not in _BLOCKS:
        _BLOCKS[n] = [slice(i, min(i + BLOCK_ROWS, n)) for i in range(0, n, BLOCK_ROWS)]
    return _BLOCKS[n]


def _still_packed(dense, flat):
    """Are the layers' W, b, dW, db still the windows on the flat arrays ``flat``?"""
    if not dense:
        return True
    (_, theta, grad), = flat
    return all(layer.W.base is theta and layer.b.base is theta and layer.dW.base is grad
               and layer.db.base is grad for layer in dense)


def _pack(dense, dtype):
    """Every W, b into one flat array and dW, db into another; the layers keep windows on them.

    Returns the optimiser's view, ``[("all parameters", theta, grad)]`` (its update is
    elementwise, so one step on the flat arrays is a step on each parameter), and the
    weight matrices as ``(name, W, dW)`` for a penalty. A model packed before whose
    arrays are all still those windows is used as it is (plain ``backward`` makes new
    dW and db, and a learner may set a new W: then it is packed again).
    """
    if not dense:
        return [], []
    theta, grad = dense[0].W.base, dense[0].dW.base
    if theta is None or grad is None or not all(
            getattr(layer, name).base is base
            for layer in dense for name, base in (("W", theta), ("b", theta), ("dW", grad), ("db", grad))):
        total = sum(layer.W.size + layer.b.size for layer in dense)
        theta, grad, start = np.empty(total, dtype=dtype), np.zeros(total, dtype=dtype), 0
        for layer in dense:
            for name in ("W", "b"):
                value = getattr(layer, name)
                window = slice(start, start + value.size)
                theta[window] = value.ravel()
                setattr(layer, name, theta[window].reshape(value.shape))
                setattr(layer, "d" + name, grad[window].reshape(value.shape))
                start = window.stop
    weights = [(f"dense[{i}].W", layer.W, layer.dW) for i, layer in enumerate(dense)]
    return [("all parameters", theta, grad)], weights


class _Buffers:
    """Arrays kept from call to call, one per number of rows; the last few sizes are kept
    (full batch, mini-batch, last mini-batch, validation set)."""

    def __init__(self, width, dtype):
        self.width, self.dtype, self.arrays = width, dtype, {}

    def get(self, n):
        a = self.arrays.get(n)
        if a is None:
            if len(self.arrays) >= 4:
                del self.arrays[next(iter(self.arrays))]
            a = self.arrays[n] = np.empty((n, self.width), dtype=self.dtype)
        return a


class _Dense:
    """``start(X)`` keeps the input and gives the (N, H) output array; ``forward(rows)``
    fills its rows; ``backward(dout, rows, first, want_dX)`` adds the block's share to dW
    and db (sets it, for the first block) and gives the block's dX."""

    def __init__(self, layer):
        self.layer = layer
        self.outs = _Buffers(layer.n_out, layer.W.dtype)
        self.dX = np.empty((BLOCK_ROWS, layer.n_in), dtype=layer.W.dtype)

    def start(self, X):
        self.X, self.out = X, self.outs.get(len(X))
        return self.out

    def forward(self, rows):
        out = np.matmul(self.X[rows], self.layer.W, out=self.out[rows])
        out += self.layer.b

    def backward(self, dout, rows, first, want_dX):
        layer, X = self.layer, self.X[rows]
        # db = dout.sum(0), but numpy sums a tall, narrow array one row at a time: the
        # same sum as a product with a column of ones goes through BLAS, several times faster.
        for a, into in ((X.T, layer.dW), (_ones(len(dout), dout.dtype), layer.db)):
            if first:
                np.matmul(a, dout, out=into)
            else:
                into += a @ dout
        if not want_dX:
            return None
        dX = self.dX[:len(dout)]
        if layer.n_out == 1:
            return np.multiply(dout, layer.W[:, 0], out=dX)  # a column times a row
        return np.matmul(dout, layer.W.T, out=dX)


class _Activation:
    """An elementwise layer. Its output is written over its input when that is a Dense
    output (an array of ours), else into its own; backward multiplies ``dout`` (also
    ours: the loss's gradient or a Dense's dX block) by the slope in place."""

    def __init__(self, in_place):
        self.in_place, self.outs, self.slope = in_place, None, None

    def start(self, X):
        if not self.in_place and (self.outs is None or self.outs.width != X.shape[1] or self.outs.dtype != X.dtype):
            self.outs = _Buffers(X.shape[1], X.dtype)
        self.X, self.out = X, X if self.in_place else self.outs.get(len(X))
        return self.out

    def forward(self, rows):
        self.apply(self.X[rows], self.out[rows])

    def backward(self, dout, rows, first, want_dX):
        if self.slope is None or self.slope.shape[1] != dout.shape[1] or self.slope.dtype != dout.dtype:
            self.slope = np.empty((BLOCK_ROWS, dout.shape[1]), dtype=dout.dtype)
        dout *= self.slope_of(self.out[rows], self.slope[:len(dout)])
        return dout


class _Tanh(_Activation):
    def apply(self, z, out):
        if out.dtype != np.float64:
            return np.tanh(z, out=out)
        # numpy's float64 tanh is not vectorised on common x86 builds and is most of an
        # epoch's time; tanh(z) = 2 / (1 + exp(-2z)) - 1 agrees to 4e-16 at about 60 % of
        # the cost. Below z = -354 exp overflows to inf, quietly, and 2 / inf - 1 is -1.
        np.multiply(z, -2.0, out=out)
        with np.errstate(over="ignore"):
            np.exp(out, out=out)
        out += 1.0
        np.divide(2.0, out, out=out)
        out -= 1.0
        return out

    def slope_of(self, t, slope):
        np.multiply(t, t, out=slope)
        return np.subtract(1.0, slope, out=slope)


class _Sigmoid(_Activation):
    def apply(self, z, out):
        e = np.exp(-np.abs(z))  # stable for any z: exp only of -|z| (see activations.sigmoid)
        return np.divide(np.where(z >= 0, 1.0, e), 1.0 + e, out=out)

    def slope_of(self, s, slope):
        np.subtract(1.0, s, out=slope)
        slope *= s
        return slope


class _ReLU(_Activation):
    def apply(self, z, out):
        return np.maximum(z, 0, out=out)

    def slope_of(self, out, slope):
        return np.greater(out, 0, out=slope)  # out > 0 exactly where z > 0; as 1.0 and 0.0


_ACTIVATIONS = {Tanh: _Tanh, Sigmoid: _Sigmoid, ReLU: _ReLU}

_ONES = {}


def _ones(n, dtype):
    """n ones of ``dtype``, a slice of one cached read-only vector (for column sums)."""
    ones = _ONES.get(np.dtype(dtype))
    if ones is None or len(ones) < n:
        ones = np.ones(max(n, 1024), dtype=dtype)
        ones.flags.writeable = False
        _ONES[np.dtype(dtype)] = ones
    return ones[:n]


class _AnyLoss:
    """nnlib's own loss layers other than BCE: their forward and backward, as they are."""

    def __init__(self, loss, y, y_val):
        self.loss, self.y, self.y_val = loss, y, y_val

    def value_grad_right(self, out, rows):
        y = self.y if rows is None else self.y[rows]
        value = self.loss.forward(out, y)
        return value, self.loss.backward(), self._right(out, y)

    def value_right(self, out):
        return self.loss.forward(out, self.y_val), self._right(out, self.y_val)

    def _right(self, out, y):
        accuracy = self.loss.accuracy(out, y)
        return None if accuracy is None else round(accuracy * len(out))


class _BCE:
    """Binary cross entropy from logits, with labels checked once and kept as signs.

    With s = 1 - 2y (+1 for label 0, -1 for label 1) both labels have one form: the loss
    is log(1 + exp(s z)), which ``np.logaddexp(0, s z)`` computes without overflow, and
    the gradient p - y = s * sigmoid(s z) = s * exp(s z - loss). The same numbers, to
    rounding, as ``losses.binary_cross_entropy_with_logits`` and its ``_grad``.
    """

    def __init__(self, loss, y, y_val, dtype):
        signs = lambda labels: 1.0 - 2.0 * loss.targets(labels, np.empty((len(labels), 1), dtype))  # noqa: E731
        self.signs = signs(y)
        self.val_signs = None if y_val is None else signs(y_val)
        # Which examples are of class 1 (sign -1): a prediction is right when z > 0 there.
        self.ones = self.signs < 0
        self.val_ones = None if y_val is None else self.val_signs < 0

    def value_grad_right(self, z, rows):
        s = self.signs if rows is None else self.signs[rows]
        sz = s * z
        losses = np.logaddexp(0.0, sz)
        grad = np.subtract(sz, losses, out=sz)
        np.exp(grad, out=grad)
        grad *= s
        grad /= len(z)
        return _mean(losses), grad, self._right(z, self.ones if rows is None else self.ones[rows])

    def value_right(self, z):
        return _mean(np.logaddexp(0.0, self.val_signs * z)), self._right(z, self.val_ones)

    @staticmethod
    def _right(z, ones):
        return int(np.count_nonzero(np.equal(z > 0, ones)))


# ---- softmax cross entropy with index labels (lesson 7's digits) ----------------------

class _CrossEntropy:
    """``CrossEntropyLoss`` on logits (N, C) and index labels: the labels checked once, and
    per batch one shifted softmax gives the loss, its gradient and the number right.

    The same maths as ``losses.cross_entropy`` and ``cross_entropy_grad``, to rounding:
    with s = z - max(z) per row, the loss is mean(log sum exp(s) - s[y]) and the gradient
    (softmax(s) - onehot(y)) / N.
    """

    @classmethod
    def maybe(cls, loss, y, y_val, ops):
        """A _CrossEntropy if ``loss`` is nnlib's own CrossEntropyLoss, every method of it
        that train would call unchanged, and the labels fit the model's C outputs; else None
        (then ``_AnyLoss`` runs the loss's own methods, which say what does not fit)."""
        if not _own(loss, CrossEntropyLoss):
            return None
        dense = [op.layer for op in ops if isinstance(op, _Dense)]
        n_classes = dense[-1].n_out if dense else 0
        if n_classes < 2:
            return None
        try:
            labels = [loss.targets(t, np.empty((len(t), n_classes))) for t in (y, y_val) if t is not None]
        except (TypeError, ValueError):
            return None
        return cls(labels[0], labels[1] if y_val is not None else None)

    def __init__(self, y, y_val):
        self.y, self.y_val = y, y_val

    def value_grad_right(self, z, rows):
        y = self.y if rows is None else self.y[rows]
        e, total, picked = self._shifted(z, y)
        grad = np.divide(e, total, out=e)  # the softmax, in the new array e
        grad[np.arange(len(y)), y] -= 1.0
        grad /= len(y)
        return _mean(np.log(total[:, 0]) - picked), grad, self._right(z, y)

    def value_right(self, z):
        _, total, picked = self._shifted(z, self.y_val)
        return _mean(np.log(total[:, 0]) - picked), self._right(z, self.y_val)

    @staticmethod
    def _shifted(z, y):
        """exp(s) (a new array), its row sums (N, 1) and s[n, y[n]], for s = z - max(z) per row."""
        s = z - z.max(axis=1, keepdims=True)
        picked = s[np.arange(len(y)), y]
        e = np.exp(s, out=s)
        return e, e.sum(axis=1, keepdims=True), picked

    @staticmethod
    def _right(z, y):
        return int(np.count_nonzero(np.argmax(z, axis=1) == y))


def _mean(losses):
    """The mean of finite losses: their sum / N, unless the sum overflows (then
    ``losses.reduce``, which scales first)."""
    total = float(losses.sum())
    return total / losses.size if abs(total) < np.inf else reduce(losses, "mean")
