"""Lesson 6: optimisers that update parameters in place from their gradients.

``step(parameters)`` takes the ``(name, param, grad)`` list of a model or layer.
State (velocities, moments) is kept per parameter name; ``reset()`` forgets it.
"""

import numpy as np

from ._checks import check_number


class SGD:
    """Gradient descent, optionally with momentum.

    ``v = momentum * v - lr * grad;  param += v``  (momentum 0 is plain ``param -= lr * grad``).
    """

    def __init__(self, lr=0.1, momentum=0.0):
        self.lr = check_number(lr, "lr", low=0.0)
        self.momentum = check_number(momentum, "momentum", low=0.0, high=1.0)
        if self.momentum == 1.0:
            raise ValueError("momentum must be below 1, got 1.0 (the velocity would never decay)")
        self.reset()

    def reset(self):
        self.velocity = {}

    def step(self, parameters):
        for name, p, g in parameters:
            if self.momentum == 0.0:
                p -= self.lr * g
                continue
            v = self.velocity.get(name)
            if v is None:
                v = self.velocity[name] = np.zeros_like(p)
            v *= self.momentum
            v -= self.lr * g
            p += v

    def zero_grad(self, parameters):
        for _, _, g in parameters:
            g[...] = 0

    def __repr__(self):
        return f"SGD(lr={self.lr:g}, momentum={self.momentum:g})"


class Adam:
    """Adam: momentum on the gradient (``m``) and a per-weight step size from its
    running square (``v``), with bias correction for the first steps."""

    def __init__(self, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
        self.lr = check_number(lr, "lr", low=0.0)
        self.beta1 = check_number(beta1, "beta1", low=0.0, high=1.0)
        self.beta2 = check_number(beta2, "beta2", low=0.0, high=1.0)
        self.eps = check_number(eps, "eps", low=0.0)
        self.reset()

    def reset(self):
        self.m, self.v, self.t = {}, {}, 0

    def step(self, parameters):
        self.t += 1
        c1 = 1.0 - self.beta1 ** self.t
        c2 = 1.0 - self.beta2 ** self.t
        for name, p, g in parameters:
            if name not in self.m:
                self.m[name] = np.zeros_like(p)
                self.v[name] = np.zeros_like(p)
            m, v = self.m[name], self.v[name]
            m *= self.beta1
            m += (1.0 - self.beta1) * g
            v *= self.beta2
            v += (1.0 - self.beta2) * g * g
            p -= self.lr * (m / c1) / (np.sqrt(v / c2) + self.eps)

    zero_grad = SGD.zero_grad

    def __repr__(self):
        return f"Adam(lr={self.lr:g})"
