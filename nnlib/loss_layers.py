"""Lesson 5: loss layers, the end of the chain. Each one just calls a loss of losses.py
and its ``*_grad`` partner, so every formula is written once.

Shapes: N examples, C classes (or K outputs for regression).

``forward(logits, y)`` -> the mean loss (a float); ``backward()`` -> d loss / d logits,
in the shape the logits had; ``accuracy(logits, y)`` -> the fraction right, or None for
a regression loss.
"""

import numpy as np

from . import losses
from .validation import as_float_array, as_labels, describe


class Loss:
    """What the loss layers share: checked logits (N, C), and backward after forward."""

    saved = None  # (logits, targets, the logits' shape) of the last forward

    def forward(self, logits, y):
        # Forget the last gradient first: a forward that fails on bad input must not leave
        # a stale one for backward.
        self.saved = None
        z = self._logits(logits)
        t = self.targets(y, z)
        value = self.loss_of(z, t)
        self.saved = (z, t, np.shape(logits))
        return value

    def backward(self):
        """d loss / d logits, in the shape of the logits given to forward."""
        if self.saved is None:
            raise RuntimeError(f"{type(self).__name__}.backward() called before forward()")
        z, t, shape = self.saved
        return self.grad_of(z, t).reshape(shape)

    def accuracy(self, logits, y):
        return None

    def _logits(self, logits):
        z = as_float_array(logits, "logits")
        if z.ndim == 1:
            z = z[:, None]
        if z.ndim != 2:
            raise ValueError(f"logits must be (N,) or (N, C), got {describe(z)}")
        return z

    def __repr__(self):
        return f"{type(self).__name__}()"


class BCEWithLogitsLoss(Loss):
    """Binary cross entropy on one logit per example (the sigmoid inside, stable).

    forward(logits (N, 1) or (N,), y (N,) in {0, 1}) -> mean loss.
    """

    def targets(self, y, z):
        """Labels y (N,) in {0, 1} as a column (N, 1) of floats, like the logits."""
        if z.shape[1] != 1:
            raise ValueError(f"logits must have one column for binary labels, got shape {z.shape}")
        return as_labels(y, "y", 2, n=len(z)).astype(z.dtype)[:, None]

    def loss_of(self, z, y):
        return losses.binary_cross_entropy_with_logits(z, y)

    def grad_of(self, z, y):
        # (p - y) / N: the sigmoid's slope p (1 - p) cancels the 1 / (p (1 - p)) of the log.
        return losses.binary_cross_entropy_with_logits_grad(z, y)

    def accuracy(self, logits, y):
        z = self._logits(logits)
        return float(np.mean((z[:, 0] > 0) == (np.asarray(y).reshape(-1) == 1)))


class CrossEntropyLoss(Loss):
    """Softmax + categorical cross entropy on logits (N, C) with index labels (N,)."""

    def _logits(self, logits):
        z = super()._logits(logits)
        if np.ndim(logits) != 2 or z.shape[1] < 2:
            raise ValueError(f"logits must be (N, C) with C >= 2 classes, got shape {np.shape(logits)}")
        return z

    def targets(self, y, z):
        if np.ndim(y) == 2 and np.shape(y) == z.shape:
            raise ValueError(
                f"y must be index labels (N,) = ({len(z)},), got one-hot rows of shape {np.shape(y)}; "
                "pass y.argmax(axis=1)"
            )
        return as_labels(y, "y", z.shape[1], n=len(z))

    def loss_of(self, z, y):
        return losses.cross_entropy(z, y)

    def grad_of(self, z, y):
        return losses.cross_entropy_grad(z, y)

    def accuracy(self, logits, y):
        z = self._logits(logits)
        return float(np.mean(np.argmax(z, axis=1) == np.asarray(y).reshape(-1)))


class MSELoss(Loss):
    """Mean squared error between outputs (N, K) and targets (N,) or (N, K), for regression."""

    def targets(self, y, z):
        y = as_float_array(y, "y")
        if y.ndim == 1:
            y = y[:, None]
        if y.shape != z.shape:
            raise ValueError(f"y must match the predictions {z.shape} (or be ({len(z)},)), got {y.shape}")
        return y

    def loss_of(self, z, y):
        return losses.mse_loss(z, y)

    def grad_of(self, z, y):
        return losses.mse_loss_grad(z, y)


class SigmoidMSELoss(BCEWithLogitsLoss):
    """Squared error between ``sigmoid(logits)`` and labels in {0, 1}: MSE used for
    classification, to compare with cross entropy (lessons 4 and 6)."""

    def loss_of(self, z, y):
        return losses.sigmoid_mse_loss(z, y)

    def grad_of(self, z, y):
        return losses.sigmoid_mse_loss_grad(z, y)
