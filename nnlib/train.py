"""Lesson 6: the training loop, with divergence detection.

Shapes: N training examples, D features; labels y (N,).
"""

import time
import warnings

import numpy as np

from ._checks import as_float_array, check_int, describe


class TrainingDiverged(RuntimeWarning):
    """Warned when the loss becomes non-finite or explodes and training stops."""


# A loss this many times its first value means the steps overshoot and grow.
EXPLODE_FACTOR = 1e3


class History:
    """What happened during ``train``: one entry per epoch that finished.

    - loss, accuracy: training loss and accuracy (accuracy is empty for MSELoss).
    - val_loss, val_accuracy: the same on the validation set, when one was given.
    - epochs_run, diverged (bool), diverged_epoch (1-based, or None), message, seconds.

    Lists hold only finite numbers: a diverged run stops before the bad value.
    """

    def __init__(self):
        self.loss, self.accuracy, self.val_loss, self.val_accuracy = [], [], [], []
        self.diverged = False
        self.diverged_epoch = None
        self.message = ""
        self.seconds = 0.0

    @property
    def epochs_run(self):
        return len(self.loss)

    def as_dict(self):
        return {k: getattr(self, k) for k in ("loss", "accuracy", "val_loss", "val_accuracy")}

    def summary(self):
        if self.diverged:
            return self.message
        parts = [f"{self.epochs_run} epochs"]
        if self.loss:
            parts.append(f"loss {self.loss[-1]:.4f}")
        if self.accuracy:
            parts.append(f"accuracy {self.accuracy[-1]:.1%}")
        if self.val_loss:
            parts.append(f"val loss {self.val_loss[-1]:.4f}")
        if self.val_accuracy:
            parts.append(f"val accuracy {self.val_accuracy[-1]:.1%}")
        return ", ".join(parts)

    def __repr__(self):
        return f"History({self.summary()})"


def train(model, X, y, loss, optimizer, epochs, batch_size=None, seed=0, callback=None,
          X_val=None, y_val=None):
    """Train ``model`` in place and return a ``History``.

    - model: has ``forward``, ``backward`` and ``parameters()`` (an ``MLP``, a ``Dense``).
    - X: (N, D) inputs; y: (N,) labels or targets, as ``loss`` expects.
    - loss: a loss layer (``BCEWithLogitsLoss()``, ``CrossEntropyLoss()``, ...).
    - optimizer: ``SGD`` or ``Adam``.
    - epochs: passes over the data (>= 0).
    - batch_size: None for full-batch gradient descent, else shuffled mini-batches of
      this size (the last may be smaller), reshuffled every epoch from ``seed``.
    - callback: called as ``callback(epoch, history, model)`` after each epoch
      (epoch counts from 1); returning False stops training early.
    - X_val, y_val: an optional validation set, evaluated after every epoch.

    The training loss of an epoch is the mean of its batch losses, measured on the
    forward pass each batch makes anyway. If the loss is not finite, or exceeds
    1000 times its first value, training stops, ``history.diverged`` is set and a
    ``TrainingDiverged`` warning names the epoch and suggests a lower learning rate.
    """
    X = as_float_array(X, "X", ndim=2, dtype=getattr(model, "dtype", None))
    y = np.asarray(y)
    if len(y) != len(X):
        raise ValueError(f"y must have one entry per example in X ({len(X)}), got {describe(y)}")
    epochs = check_int(epochs, "epochs", minimum=0)
    n = len(X)
    if batch_size is not None:
        batch_size = min(check_int(batch_size, "batch_size", minimum=1), n)
    if (X_val is None) != (y_val is None):
        raise ValueError("give both X_val and y_val, or neither")
    has_val = X_val is not None and len(X_val) > 0
    rng = np.random.default_rng(seed)
    history = History()
    start = time.perf_counter()
    first_loss = None
    for epoch in range(1, epochs + 1):
        if batch_size is None or batch_size >= n:
            batches = [(X, y)]
        else:
            order = rng.permutation(n)
            batches = [(X[order[i:i + batch_size]], y[order[i:i + batch_size]])
                       for i in range(0, n, batch_size)]
        total, correct, ok = 0.0, 0.0, True
        for Xb, yb in batches:
            # A too-large step blows the weights up to inf or nan: let numpy carry on
            # quietly here and catch it below, as a non-finite loss, with a clear message.
            with np.errstate(over="ignore", invalid="ignore"):
                out = model.forward(Xb)
                value = loss.forward(out, yb) if np.all(np.isfinite(out)) else np.nan
                if not np.isfinite(value):
                    ok = False
                    break
                acc = loss.accuracy(out, yb)
                total += value * len(Xb)
                correct += (acc if acc is not None else 0.0) * len(Xb)
                model.backward(loss.backward())
                optimizer.step(model.parameters())
        epoch_loss = total / n if ok else np.nan
        if first_loss is None and ok:
            first_loss = epoch_loss
        if not ok or epoch_loss > EXPLODE_FACTOR * max(first_loss, 1e-12):
            _diverged(history, epoch, optimizer)
            break
        history.loss.append(float(epoch_loss))
        if acc is not None:
            history.accuracy.append(float(correct / n))
        if has_val:
            val_out = model.forward(X_val)
            history.val_loss.append(float(loss.forward(val_out, y_val)))
            val_acc = loss.accuracy(val_out, y_val)
            if val_acc is not None:
                history.val_accuracy.append(val_acc)
        if callback is not None and callback(epoch, history, model) is False:
            break
    history.seconds = time.perf_counter() - start
    if not history.diverged:
        history.message = history.summary()
    return history


def _diverged(history, epoch, optimizer):
    history.diverged = True
    history.diverged_epoch = epoch
    lr = getattr(optimizer, "lr", None)
    hint = f" (now {lr:g})" if lr is not None else ""
    history.message = (
        f"diverged at epoch {epoch}: the loss became non-finite or exploded; "
        f"lower the learning rate{hint}"
    )
    warnings.warn(history.message, TrainingDiverged, stacklevel=3)
