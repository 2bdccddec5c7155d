"""Lesson 5's safety net: numerical gradients and the gradient check.

``numerical_gradient`` nudges each entry of an array up and down by ``h`` and
measures the change in a scalar function (central differences, error O(h**2)).
``gradient_check`` compares that with what a layer or model's ``backward`` computed,
combining two central differences (steps h and 2h) so that their h**2 errors cancel.
"""

import numpy as np

from .validation import as_float_array, describe


def numerical_gradient(f, x, h=1e-5):
    """Central-difference gradient of a scalar function.

    - f: a function taking ``x`` and returning a number. It may also ignore its
      argument and read ``x`` another way (a layer's own ``W``, say): ``x`` is changed
      in place while ``f`` runs.
    - x: float array of any shape (D...), changed in place one entry at a time and
      restored afterwards (also if ``f`` raises). A list is copied first.
    - h: step size (> 0).
    Returns a float64 array of the same shape as ``x``:
    ``(f(x + h e_i) - f(x - h e_i)) / 2h`` for every entry i.
    """
    if not callable(f):
        raise TypeError(f"f must be a function of x that returns a number, got {type(f).__name__}")
    if not isinstance(x, np.ndarray):
        x = np.array(x, dtype=np.float64)
    if x.dtype not in (np.float32, np.float64):
        raise TypeError(
            f"x must be a float array of float64 or float32 (a nudge of h would be lost or rounded "
            f"away in {x.dtype}), got {describe(x)}"
        )
    h = check_h(h, x.dtype)
    grad = _central_differences(f, x, h)
    if not np.all(np.isfinite(grad)):
        i = tuple(int(k) for k in np.argwhere(~np.isfinite(grad))[0])
        raise ValueError(
            f"f must return finite numbers, but nudging x{list(i)} by +-{h} gave a gradient of {grad[i]}"
        )
    return grad


def check_h(h, dtype=np.float64):
    """``h`` as a float, if it is a step a central difference in ``dtype`` can use: positive,
    finite and at least the dtype's epsilon (2.2e-16 for float64). A smaller h is lost when
    added to any x beyond about 1, and even near 0 leaves only rounding noise in f."""
    eps = float(np.finfo(dtype).eps)
    if isinstance(h, bool) or not isinstance(h, (int, float, np.integer, np.floating)) or not eps <= h < np.inf:
        raise ValueError(f"h must be a positive finite number, got {h!r}; a step such as 1e-5, at least "
                         f"{eps:.3g} (the {np.dtype(dtype)} epsilon)")
    return float(h)


def _central_differences(f, x, h):
    """The loop of ``numerical_gradient``, without its checks: a non-finite ``f`` gives a
    non-finite entry (``gradient_check`` uses nan to mark nudges that cross a ReLU kink)."""
    grad = np.zeros(x.shape, dtype=np.float64)
    for i in np.ndindex(x.shape):
        old = x[i]
        try:
            x[i] = old + h
            if x[i] == old or old - h == old:
                raise ValueError(f"h={h} is lost when added to x{list(i)} = {old} in {x.dtype}: "
                                 "use a larger h (or smaller values)")
            f_plus = _scalar(f(x))
            x[i] = old - h
            f_minus = _scalar(f(x))
        finally:
            x[i] = old
        with np.errstate(invalid="ignore"):  # inf - inf is reported as nan, not warned
            grad[i] = (f_plus - f_minus) / (2 * h)
    return grad


def _scalar(value):
    a = np.asarray(value, dtype=np.float64)
    if a.size != 1:
        raise ValueError(f"f must return a single number, got an array of shape {a.shape}")
    return float(a.reshape(()))


def rel_error(a, b):
    """Largest relative error ``max |a - b| / max(1e-8, |a| + |b|)`` between two arrays.

    - a, b: arrays of the same shape (any shape), finite.
    Below 1e-7 is what a correct float64 gradient gives; 1e-2 or more means a bug.
    """
    a = as_float_array(a, "a", allow_empty=True, dtype=np.float64)
    b = as_float_array(b, "b", allow_empty=True, dtype=np.float64)
    if a.shape != b.shape:
        raise ValueError(f"a and b must have the same shape, got {a.shape} and {b.shape}")
    if a.size == 0:
        return 0.0
    with np.errstate(over="ignore"):
        diff, total = np.abs(a - b), np.abs(a) + np.abs(b)
    big = ~np.isfinite(total)  # entries near +-1e308: the same ratio from their halves
    if big.any():
        diff[big] = np.abs(a[big] / 2 - b[big] / 2)
        total[big] = np.abs(a[big]) / 2 + np.abs(b[big]) / 2
    return float(np.max(diff / np.maximum(1e-8, total)))


class GradientCheck(dict):
    """Largest relative error per parameter (and for the input, as "dX").

    Behaves like a dict ``{name: rel_error}``; ``.max()`` gives the worst one and
    ``print()`` shows a small table. ``skipped`` maps a name to the number of entries
    left out because nudging them moved a ReLU input across its kink at 0.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.skipped = {}

    def max(self):
        return max(self.values()) if self else 0.0

    def __repr__(self):
        width = max((len(k) for k in self), default=4)
        lines = [f"{'parameter':<{width}}  rel_error"]
        for k, v in self.items():
            note = f"  ({self.skipped[k]} entries skipped at a ReLU kink)" if self.skipped.get(k) else ""
            lines.append(f"{k:<{width}}  {v:.2e}{note}")
        return "\n".join(lines)


def gradient_check(model, X, y, loss, h=1e-4):
    """Compare backprop gradients with central differences, parameter by parameter.

    - model: a layer or model with ``forward(X)``, ``backward(dout)`` and
      ``parameters()`` (a list of ``(name, param, grad)``); its parameters must be float64.
    - X: inputs (N, D), copied to float64 so rounding cannot hide a bug.
    - y: targets for ``loss``.
    - loss: a loss layer with ``forward(out, y)`` and ``backward()``.
    - h: the smaller of the two nudges (see below).
    Returns a ``GradientCheck``: ``{"dX": err, "layers[0].W": err, ...}``. The model is
    left as after one forward and backward pass at ``X``.

    A central difference is off by about ``h**2`` times the third derivative / 6, plus
    the rounding noise of the loss divided by h (about 1e-16 / h). With h = 1e-5 that
    noise (~1e-11) swamps gradient entries below ~1e-4. So the check runs
    ``numerical_gradient`` twice, with h and 2h, and takes ``(4 D(h) - D(2h)) / 3``
    (Richardson extrapolation): the h**2 errors cancel, so h can be 10 times larger
    and the rounding noise 10 times smaller.

    ReLU has a kink at 0 where its two one-sided slopes differ. If nudging an entry (by
    h or 2h) moves any ReLU input across 0, its difference mixes the two slopes
    and disagrees with backprop for a reason that is not a bug. A layer with a kink
    says where its inputs sit (``kink_sides()``, see ``Layer``) and every forward pass
    is watched: such entries are left out and counted in ``result.skipped``, so the
    check cannot fail by bad luck.
    """
    for attr in ("forward", "backward", "parameters"):
        if not callable(getattr(model, attr, None)):
            raise TypeError(f"model must have a {attr}() method (a layer or an MLP), got {type(model).__name__}")
    for attr in ("forward", "backward"):
        if not callable(getattr(loss, attr, None)):
            raise TypeError(f"loss must be a loss layer with forward(out, y) and backward(), got {type(loss).__name__}")
    not64 = [f"{name} ({p.dtype})" for name, p, _ in model.parameters() if p.dtype != np.float64]
    if not64:
        raise TypeError(
            "gradient_check needs float64 parameters, got " + ", ".join(not64)
            + "; build the model with dtype=np.float64"
        )
    h = check_h(h)
    X = np.array(X, dtype=np.float64)

    def forward_backward():
        value = loss.forward(model.forward(X), y)
        dX = model.backward(loss.backward())
        return value, dX

    _, dX = forward_backward()
    analytic = {"dX": np.array(dX, dtype=np.float64)}
    for name, _, grad in model.parameters():
        analytic[name] = np.array(grad, dtype=np.float64)
    # Layers with a kink (ReLU) say where their inputs sit, after a forward: Layer.kink_sides.
    kinked = [layer for layer in getattr(model, "layers", [model]) if _kink_sides(layer) is not None]
    sides = [_kink_sides(layer) for layer in kinked]

    def total_loss(_=None):
        value = loss.forward(model.forward(X), y)
        if any(np.any(_kink_sides(layer) != side) for layer, side in zip(kinked, sides)):
            return np.nan  # this nudge crossed a kink: marked, then left out below
        return value

    targets = [("dX", X)] + [(name, param) for name, param, _ in model.parameters()]
    result = GradientCheck()
    try:
        for name, array in targets:
            numeric = _extrapolated_gradient(total_loss, array, h)
            smooth = np.isfinite(numeric)
            result[name] = rel_error(analytic[name][smooth], numeric[smooth])
            if not smooth.all():
                result.skipped[name] = int(np.sum(~smooth))
    finally:
        forward_backward()  # leave caches and grads as they were, not at the last nudge
    if sum(result.skipped.values()) == sum(array.size for _, array in targets):
        raise ValueError(
            f"gradient_check compared nothing: every entry of {', '.join(result)} was skipped, as each nudge "
            "moved a ReLU input across its kink at 0; check at other inputs X (away from 0) or other weights"
        )
    return result


def _kink_sides(layer):
    """``layer.kink_sides()`` (see ``Layer``), or None for a layer written without it."""
    kink_sides = getattr(layer, "kink_sides", None)
    return None if kink_sides is None else kink_sides()


def _extrapolated_gradient(f, x, h):
    """Richardson extrapolation of two central differences: error O(h**4), not O(h**2)."""
    return (4 * _central_differences(f, x, h) - _central_differences(f, x, 2 * h)) / 3
