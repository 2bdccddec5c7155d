"""Lesson 6: optimisers that update parameters in place from their gradients.

``step(parameters)`` takes the ``(name, param, grad)`` list of a model or layer
(``model.parameters()``). State (velocities, moments) is kept per parameter name;
``reset()`` forgets it, which is needed before reusing an optimiser on another model.
"""

import numpy as np

from .validation import check_number


class SGD:
    """Gradient descent, optionally with momentum.

    ``v = momentum * v - lr * grad;  param += v``  (momentum 0 is plain ``param -= lr * grad``).
    """

    def __init__(self, lr=0.1, momentum=0.0):
        self.lr = check_number(lr, "lr", low=0.0)
        self.momentum = _decay(momentum, "momentum")
        self.reset()

    def reset(self):
        self.velocity = {}

    def step(self, parameters):
        for name, p, g in parameters:
            if self.momentum == 0.0:
                p -= self.lr * g
                continue
            v = _state(self.velocity, name, p)
            v *= self.momentum
            v -= self.lr * g
            p += v

    def zero_grad(self, parameters):
        """Set every gradient to 0. Optional here: ``backward`` overwrites the gradients
        rather than adding to them, but a zeroed gradient makes a forgotten backward
        pass show up as "nothing moves" instead of a stale step."""
        for _, _, g in parameters:
            g[...] = 0

    def __repr__(self):
        return f"SGD(lr={self.lr:g}, momentum={self.momentum:g})"


class Adam:
    """Adam: momentum on the gradient (``m``) and a per-weight step size from its
    running square (``v``), with bias correction for the first steps."""

    def __init__(self, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
        self.lr = check_number(lr, "lr", low=0.0)
        self.beta1 = _decay(beta1, "beta1")
        self.beta2 = _decay(beta2, "beta2")
        self.eps = check_number(eps, "eps", low=0.0)
        if self.eps == 0.0:  # a weight whose gradient has always been 0 would step by 0 / 0
            raise ValueError("eps must be positive (it keeps the step finite where the gradient is 0), got 0")
        self.reset()

    def reset(self):
        self.m, self.v, self.t = {}, {}, 0

    def step(self, parameters):
        self.t += 1
        c1 = 1.0 - self.beta1 ** self.t
        c2 = 1.0 - self.beta2 ** self.t
        for name, p, g in parameters:
            m, v = _state(self.m, name, p), _state(self.v, name, p)
            m *= self.beta1
            m += (1.0 - self.beta1) * g
            v *= self.beta2
            v += (1.0 - self.beta2) * g * g
            p -= self.lr * (m / c1) / (np.sqrt(v / c2) + self.eps)

    zero_grad = SGD.zero_grad

    def __repr__(self):
        return f"Adam(lr={self.lr:g})"


def _decay(value, name):
    # A decay rate of 1 never forgets (SGD's velocity) or divides by 1 - 1**t = 0 (Adam).
    value = check_number(value, name, low=0.0, high=1.0)
    if value == 1.0:
        raise ValueError(f"{name} must be in [0, 1), got 1.0 (the running average would never decay)")
    return value


def _state(store, name, p):
    """The running array kept for parameter ``name``, created as zeros on first use."""
    s = store.get(name)
    if s is None:
        s = store[name] = np.zeros_like(p)
    elif s.shape != p.shape:
        raise ValueError(
            f"parameter {name} has shape {p.shape} but this optimiser's state for it has shape "
            f"{s.shape}: call reset() before using the optimiser on another model"
        )
    return s
