"""Lesson 5's safety net: numerical gradients and the gradient check.

``numerical_gradient`` nudges each entry of an array up and down by ``h`` and
measures the change in a scalar function (central differences, error O(h**2)).
``gradient_check`` compares that with what a layer or model's ``backward`` computed.
"""

import numpy as np

from ._checks import check_number, describe


def numerical_gradient(f, x, h=1e-5):
    """Central-difference gradient of a scalar function.

    - f: a function taking ``x`` and returning a number. It may also ignore its
      argument and read ``x`` another way (a layer's own ``W``, say): ``x`` is changed
      in place while ``f`` runs.
    - x: float array of any shape (D...), changed in place one entry at a time and
      restored afterwards.
    - h: step size.
    Returns an array of the same shape as ``x``: ``(f(x + h e_i) - f(x - h e_i)) / 2h``.
    """
    h = check_number(h, "h")
    if h <= 0:
        raise ValueError(f"h must be a small positive step such as 1e-5, got {h}")
    if not isinstance(x, np.ndarray):
        x = np.array(x, dtype=np.float64)
    if not np.issubdtype(x.dtype, np.floating):
        raise TypeError(
            f"x must be a float array (a nudge of h={h} would be lost in {x.dtype}), got {describe(x)}"
        )
    grad = np.zeros(x.shape, dtype=np.float64)
    for i in np.ndindex(x.shape):
        old = x[i]
        # Restore x[i] even if f raises: x is often a model's own weights.
        try:
            x[i] = old + h
            f_plus = _scalar(f(x))
            x[i] = old - h
            f_minus = _scalar(f(x))
        finally:
            x[i] = old
        if not (np.isfinite(f_plus) and np.isfinite(f_minus)):
            raise ValueError(
                f"f must return a finite number, got {f_plus} and {f_minus} with x{list(i)} nudged by +-{h}"
            )
        grad[i] = (f_plus - f_minus) / (2 * h)
    return grad


def _scalar(value):
    a = np.asarray(value, dtype=np.float64)
    if a.size != 1:
        raise ValueError(f"f must return a single number, got an array of shape {a.shape}")
    return float(a.reshape(()))


def rel_error(a, b):
    """Largest relative error ``max |a - b| / max(1e-8, |a| + |b|)`` between two arrays.

    Below 1e-7 is what a correct float64 gradient gives; 1e-2 or more means a bug.
    """
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    if a.shape != b.shape:
        raise ValueError(f"a and b must have the same shape, got {a.shape} and {b.shape}")
    for name, v in (("a", a), ("b", b)):
        if not np.all(np.isfinite(v)):
            bad = v[~np.isfinite(v)].ravel()[0]
            raise ValueError(f"{name} must contain only finite numbers, got {bad} in an array of {describe(v)}")
    if a.size == 0:
        return 0.0
    return float(np.max(np.abs(a - b) / np.maximum(1e-8, np.abs(a) + np.abs(b))))


class GradientCheck(dict):
    """Largest relative error per parameter (and for the input, as "dX").

    Behaves like a dict ``{name: rel_error}``; ``.max()`` gives the worst one and
    ``print()`` shows a small table.
    """

    def max(self):
        return max(self.values()) if self else 0.0

    def __repr__(self):
        width = max((len(k) for k in self), default=4)
        lines = [f"{'parameter':<{width}}  rel_error"]
        lines += [f"{k:<{width}}  {v:.2e}" for k, v in self.items()]
        return "\n".join(lines)


def gradient_check(model, X, y, loss, h=1e-5):
    """Compare backprop gradients with central differences, parameter by parameter.

    - model: a layer or model with ``forward(X)``, ``backward(dout)`` and
      ``parameters()`` (a list of ``(name, param, grad)``).
    - X: inputs (N, D). Converted to float64 (a copy), as is every parameter while the
      check runs, so rounding cannot hide a bug.
    - y: targets for ``loss``.
    - loss: a loss layer with ``forward(out, y)`` and ``backward()``.
    Returns a ``GradientCheck``: ``{"dX": err, "layers[0].W": err, ...}``.

    ReLU has a kink at 0 where the two one-sided slopes differ. If any ReLU input lies
    within ``100 * h`` of 0 a nudge could cross it and the numbers would disagree for a
    reason that is not a bug, so the check raises instead of reporting a false failure.
    """
    X = np.array(X, dtype=np.float64)
    originals = [(p, p.dtype) for _, p, _ in model.parameters()]
    if any(dt != np.float64 for _, dt in originals):
        raise TypeError("gradient_check needs float64 parameters; build the model with dtype=np.float64")

    def total_loss(_=None):
        return loss.forward(model.forward(X), y)

    total_loss()
    _check_kinks(model, 100 * h)
    dX = model.backward(loss.backward())
    analytic = {"dX": np.array(dX, copy=True)}
    for name, _, grad in model.parameters():
        analytic[name] = np.array(grad, copy=True)

    result = GradientCheck()
    result["dX"] = rel_error(analytic["dX"], numerical_gradient(total_loss, X, h))
    for name, param, _ in model.parameters():
        result[name] = rel_error(analytic[name], numerical_gradient(total_loss, param, h))
    return result


def _check_kinks(model, margin):
    layers = getattr(model, "layers", [model])
    for i, layer in enumerate(layers):
        if type(layer).__name__ == "ReLU" and getattr(layer, "z", None) is not None:
            closest = float(np.min(np.abs(layer.z)))
            if closest < margin:
                raise ValueError(
                    f"a ReLU input in layer {i} is {closest:.1e} from the kink at 0 "
                    f"(less than {margin:.0e}); a numerical gradient there is meaningless. "
                    "Use another seed or input."
                )
