"""Lesson 6: penalties on large weights, against overfitting.

A penalty adds ``rate * size(W)`` to the loss for every weight matrix W, so training
trades fitting the data against keeping the weights small. Only weight matrices are
penalised (parameters with two or more dimensions); biases only shift a unit and are
left free, as usual.

- ``L2(rate)``: ``rate * sum(W**2)``; its gradient ``2 * rate * W`` pulls every weight
  towards 0 in proportion to its size (the same as "weight decay").
- ``L1(rate)``: ``rate * sum(|W|)``; its gradient ``rate * sign(W)`` pulls every weight
  by the same amount, so small weights end at exactly 0 (a sparse network).

``nnlib.train(..., regularization=L2(1e-3))`` adds ``penalty`` to the training loss it
records and ``add_grad`` to the gradients before every step.
"""

import numpy as np

from .validation import check_number


class Penalty:
    """What L1 and L2 share; subclasses define ``of(W)`` and ``grad_of(W)``."""

    def __init__(self, rate):
        self.rate = check_number(rate, "rate", low=0.0)

    def penalty(self, parameters):
        """The penalty of a model's ``(name, param, grad)`` list: a float."""
        return float(sum(self.of(p) for _, p, _ in parameters if p.ndim >= 2))

    def add_grad(self, parameters):
        """Add d penalty / d W to each weight matrix's gradient, in place."""
        for _, p, g in parameters:
            if p.ndim >= 2:
                g += self.grad_of(p)

    def __repr__(self):
        return f"{type(self).__name__}({self.rate:g})"


class L2(Penalty):
    """``rate * sum(W**2)`` over every weight matrix."""

    def of(self, W):
        return self.rate * np.sum(W * W)

    def grad_of(self, W):
        return 2.0 * self.rate * W


class L1(Penalty):
    """``rate * sum(|W|)`` over every weight matrix (its slope at W = 0 taken as 0)."""

    def of(self, W):
        return self.rate * np.sum(np.abs(W))

    def grad_of(self, W):
        return self.rate * np.sign(W)
