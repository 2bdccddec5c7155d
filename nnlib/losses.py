"""Lessons 2 and 4: loss functions, with names and argument order as in PyTorch.

Shapes: N examples, C classes. ``pred``/``target`` may have any (equal) shape.
``reduction`` is "mean" (the default), "sum" or "none" (one loss per element).

Each loss has a ``*_grad`` partner giving d(mean loss)/d(first argument), which the
tests compare with numerical gradients.
"""

import numpy as np

from .validation import as_float_array, as_labels, check_int, check_same_shape
from .activations import log_softmax, sigmoid, softmax

# PyTorch's binary_cross_entropy clamps each log at -100, so p = 0 or p = 1 gives a
# large but finite loss instead of inf. We do the same.
LOG_CLAMP = -100.0


def check_reduction(reduction):
    if reduction not in ("mean", "sum", "none"):
        raise ValueError(f"reduction must be 'mean', 'sum' or 'none', got {reduction!r}")


def reduce(losses, reduction):
    """Mean, sum or no reduction of per-example losses (an array of finite numbers).

    The mean is finite whenever the true mean is. Dividing by N before summing is not
    enough: three losses of 1.797e308 become 5.99e307 each, and their sum still rounds
    past the largest float64. When that happens, the losses are divided by the largest
    |loss| instead (every term is then at most 1) and multiplied back after.
    """
    if reduction == "none":
        return losses
    if reduction == "sum":
        return float(np.sum(losses))
    scale = np.max(np.abs(losses))
    if np.isinf(scale):  # a loss that overflowed: the mean overflows too (inf, never inf / inf)
        return float(np.sum(losses))
    if scale <= np.finfo(losses.dtype).max / 2:  # then no partial sum of losses / N can overflow
        return float(np.sum(losses / losses.size))
    return float(np.sum(losses / scale) / losses.size * scale)


def _pair(pred, target, names=("pred", "target")):
    pred = as_float_array(pred, names[0])
    target = as_float_array(target, names[1])
    check_same_shape(pred, target, *names)
    return pred, target


def mse_loss(pred, target, reduction="mean"):
    """Mean squared error ``mean((pred - target)**2)``; any equal shapes.

    A difference or square that overflows its dtype (float32 differences of 1e20) is
    worked again in float64 and divided by the largest difference before squaring, so
    the mean is finite wherever the true one is, and inf (never nan) where it is not.
    """
    check_reduction(reduction)
    pred, target = _pair(pred, target)
    with np.errstate(over="ignore"):
        squares = (pred - target) ** 2
    if reduction == "none" or np.all(np.isfinite(squares)):
        return reduce(squares, reduction)
    # Halves, in float64: finite for any finite inputs; the factor 4 comes back at the end.
    half = pred.astype(np.float64) / 2 - target.astype(np.float64) / 2
    scale = np.max(np.abs(half))
    total = np.sum((half / scale) ** 2) / (half.size if reduction == "mean" else 1)
    with np.errstate(over="ignore"):
        return float(total * scale * scale * 4)


def mse_loss_grad(pred, target):
    """d mse_loss / d pred = ``2 (pred - target) / n`` (n = number of elements)."""
    pred, target = _pair(pred, target)
    return 2.0 * (pred - target) / pred.size


def l1_loss(pred, target, reduction="mean"):
    """Mean absolute error ``mean(|pred - target|)``; any equal shapes."""
    check_reduction(reduction)
    pred, target = _pair(pred, target)
    return reduce(np.abs(pred - target), reduction)


def l1_loss_grad(pred, target):
    """d l1_loss / d pred = ``sign(pred - target) / n`` (0 where they are equal)."""
    pred, target = _pair(pred, target)
    return np.sign(pred - target) / pred.size


def _binary_targets(y, shape):
    y = as_float_array(y, "y")
    if y.shape != shape:
        raise ValueError(f"y must have the same shape as the predictions {shape}, got {y.shape}")
    if np.any((y < 0) | (y > 1)):
        bad = y[(y < 0) | (y > 1)][0]
        raise ValueError(f"y must hold labels 0 or 1 (or probabilities in [0, 1]), got {bad}")
    return y


def binary_cross_entropy(p, y, reduction="mean"):
    """Binary cross entropy ``-(y log p + (1 - y) log(1 - p))`` from probabilities.

    - p: predicted probabilities of class 1, any shape, values in [0, 1].
    - y: labels of the same shape, 0 or 1.
    Finite at p = 0 and p = 1 (each log is clamped at -100, as in PyTorch).
    """
    check_reduction(reduction)
    p = as_float_array(p, "p")
    if np.any((p < 0) | (p > 1)):
        bad = p[(p < 0) | (p > 1)][0]
        raise ValueError(f"p must hold probabilities in [0, 1], got {bad}")
    y = _binary_targets(y, p.shape)
    with np.errstate(divide="ignore"):
        log_p = np.maximum(np.log(p), LOG_CLAMP)
        log_1mp = np.maximum(np.log1p(-p), LOG_CLAMP)
    return reduce(-(y * log_p + (1.0 - y) * log_1mp), reduction)


def binary_cross_entropy_with_logits(z, y, reduction="mean"):
    """Binary cross entropy from logits ``z`` (scores before the sigmoid).

    - z: logits, any shape, any finite value.
    - y: labels of the same shape, 0 or 1.

    ``-log sigmoid(z) = log(1 + exp(-z))`` is rewritten as
    ``max(z, 0) - z*y + log1p(exp(-|z|))`` (for either label), which never
    exponentiates a positive number and never takes ``log(0)``.
    """
    check_reduction(reduction)
    z = as_float_array(z, "z")
    y = _binary_targets(y, z.shape)
    return reduce(np.maximum(z, 0.0) - z * y + np.log1p(np.exp(-np.abs(z))), reduction)


def binary_cross_entropy_with_logits_grad(z, y):
    """d (mean BCE from logits) / d z = ``(sigmoid(z) - y) / n``."""
    z = as_float_array(z, "z")
    y = _binary_targets(y, z.shape)
    return (sigmoid(z) - y) / z.size


def _logits_and_labels(logits, y):
    logits = as_float_array(logits, "logits", ndim=2)
    y = as_labels(y, "y", logits.shape[1], n=logits.shape[0])
    return logits, y


def cross_entropy(logits, y, reduction="mean"):
    """Categorical cross entropy ``-log softmax(logits)[y]``.

    - logits: scores (N, C).
    - y: integer class labels (N,), each in range(C) (index labels, not one-hot).
    """
    check_reduction(reduction)
    logits, y = _logits_and_labels(logits, y)
    losses = -log_softmax(logits, axis=1)[np.arange(len(y)), y]
    return reduce(losses, reduction)


def cross_entropy_grad(logits, y):
    """d (mean cross entropy) / d logits = ``(softmax(logits) - onehot(y)) / N``; (N, C)."""
    logits, y = _logits_and_labels(logits, y)
    grad = softmax(logits, axis=1)
    grad[np.arange(len(y)), y] -= 1.0
    return grad / len(y)


def one_hot(y, n_classes):
    """One-hot rows (N, C) from index labels (N,): ``one_hot([2, 0], 3)`` is [[0,0,1],[1,0,0]]."""
    n_classes = check_int(n_classes, "n_classes", minimum=1)
    y = as_labels(y, "y", n_classes)
    out = np.zeros((len(y), n_classes))
    out[np.arange(len(y)), y] = 1.0
    return out


def sigmoid_mse_loss(z, y, reduction="mean"):
    """Squared error between ``sigmoid(z)`` and labels y in {0, 1}: MSE used for
    classification, to compare with cross entropy (lessons 4 and 6). Any equal shapes."""
    check_reduction(reduction)
    z = as_float_array(z, "z")
    y = _binary_targets(y, z.shape)
    return reduce((sigmoid(z) - y) ** 2, reduction)


def sigmoid_mse_loss_grad(z, y):
    """d (mean sigmoid MSE) / d z = ``2 (p - y) p (1 - p) / n`` with ``p = sigmoid(z)``.

    The factor ``p (1 - p)`` is almost 0 when the model is confidently wrong: that is
    why cross entropy, whose gradient is ``(p - y) / n``, learns faster.
    """
    z = as_float_array(z, "z")
    y = _binary_targets(y, z.shape)
    p = sigmoid(z)
    return 2.0 * (p - y) * p * (1.0 - p) / z.size
