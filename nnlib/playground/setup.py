"""What the playground's settings mean: the data set, the network, the loss, the
optimiser and the penalty, made with ``nnlib``'s own functions (wiring, no maths).

Settings are a dict ``v`` of control name -> value (see ``controls``).
"""

from collections import namedtuple

import numpy as np

from .. import data, loss_layers, plots, regression_data
from ..features import make_features
from ..model import MLP
from ..optim import SGD, Adam
from ..validation import as_float_array, describe

# Data set name -> (function of nnlib.data, extra keyword arguments, number of classes;
# 0 means a regression).
DATASETS = {
    "circle": ("make_circle", {}, 2),
    "playground circle": ("make_playground_circle", {}, 2),
    "xor": ("make_xor", {}, 2),
    "spiral": ("make_spiral", {}, 2),
    "gaussian blobs": ("make_blobs", {}, 2),
    "spiral (3 classes)": ("make_spiral", {"classes": 3}, 3),
    "plane (regression)": ("make_plane", {}, 0),
    "gaussian (regression)": ("make_gaussian_regression", {}, 0),
}
OWN_DATA = "your data"
LOSSES = {"cross entropy": "BCEWithLogitsLoss", "MSE": "SigmoidMSELoss"}
MAX_CLASSES = 3  # the colours and markers there are
MAX_POINTS = 5000  # more would make a change of a control slower than a second
# Single precision: tanh and exp run several times faster on float32 arrays, and a
# playground has no use for the 16 digits of float64. "show as code" says so too.
DTYPE = "float32"

# kind: "binary", "classes" or "regression"; classes: C (0 for regression);
# target_range: (low, high) of a regression's targets, for the colour scale.
Task = namedtuple("Task", "kind classes target_range")


def check_figsize(figsize):
    """``figsize``: (width, height) in inches, each a positive finite number up to 100."""
    try:
        width, height = figsize
        ok = all(not isinstance(v, bool) and 0 < float(v) <= 100 for v in (width, height))
    except (TypeError, ValueError):
        ok = False
    if not ok:
        raise ValueError(f"figsize must be (width, height) in inches, each above 0 and at most 100, got {figsize!r}")
    return float(width), float(height)


def check_own_data(pair):
    """``Playground(data=(X, y))``: X (N, 2) points, y (N,) labels 0/1 or 0..C-1 (ints, or
    whole-number floats), or real-valued targets (floats) for a regression.
    Returns ``(X, y, task)`` as new arrays.

    Whole numbers from 0 up are class labels, whatever their dtype: float labels 0..49
    are 50 classes (refused: the playground draws at most 3), not a regression. Targets
    with a fractional part, or below 0, are a regression."""
    if not isinstance(pair, (tuple, list)) or len(pair) != 2:
        raise TypeError(f"data must be a pair (X, y) of arrays, got {type(pair).__name__}"
                        + (f" of length {len(pair)}" if isinstance(pair, (tuple, list)) else ""))
    X = as_float_array(pair[0], "data X", ndim=2)
    if X.shape[1] != 2 or not 2 <= len(X) <= MAX_POINTS:
        raise ValueError(f"data X must hold 2 to {MAX_POINTS} points in the plane, shape (N, 2), got {describe(X)}")
    y = np.asarray(pair[1])
    if y.ndim == 2 and y.shape[1] == 1:
        y = y[:, 0]
    if y.shape != (len(X),):
        raise ValueError(f"data y must hold one label or target per point of X, shape ({len(X)},), got {describe(y)}")
    if y.dtype == bool:
        y = y.astype(np.int64)
    if not np.issubdtype(y.dtype, np.integer):
        y = as_float_array(y, "data y", ndim=1)
        whole = np.all(y == np.round(y)) and y.min() >= 0
        if not whole:  # real values: a regression
            lo, hi = float(y.min()), float(y.max())
            return X, y, Task("regression", 0, (lo, hi) if hi > lo else (lo - 0.5, hi + 0.5))
        y = y.astype(np.int64)
    labels = np.unique(y)
    classes = int(labels.max()) + 1
    if labels.min() < 0 or classes > MAX_CLASSES or len(labels) != classes or classes < 2:
        raise ValueError(f"data y must hold class labels 0/1 or 0, 1, 2 (each present), or float targets for a "
                         f"regression (not all whole numbers from 0 up, which are class labels); got the labels "
                         f"{labels.tolist()[:10]}{' ...' if len(labels) > 10 else ''}")
    return X, y, Task("binary" if classes == 2 else "classes", classes, None)


def _data_call(v):
    """How to make the data set of the settings ``v``: (function name, keyword arguments, rebalance?)."""
    name, extra, classes = DATASETS[v["dataset"]]
    n, f = v["n_points"], v["positive_fraction"]
    if v["dataset"] == "circle":
        return name, dict(n=n, noise=v["noise"], positive_fraction=f, seed=v["data_seed"]), False
    return name, dict(n=n, noise=v["noise"], seed=v["data_seed"], **extra), classes == 2 and abs(f - 0.5) > 1e-9


def make_splits(v, own=None):
    """The data of the settings ``v`` (or the checked ``own`` data): ``(splits, task, made)``,
    splits = (X_train, y_train, X_val, y_val), ``made`` the points made before rebalancing."""
    if own is not None:
        X, y, task = own
        return data.train_val_split(X, y, val_fraction=v["val_fraction"], seed=v["data_seed"]), task, len(X)
    name, kwargs, balance = _data_call(v)
    # Regression sets (no classes) live apart from the classification ones.
    make = getattr(regression_data if DATASETS[v["dataset"]][2] == 0 else data, name)
    X, y = make(**kwargs)
    n = made = kwargs["n"]
    if balance:
        f = v["positive_fraction"]
        n_pos = int(round(n * f))
        # Make more points until each class has its share (noisy labels can be scarce).
        while (np.sum(y == 1) < n_pos or np.sum(y == 0) < n - n_pos) and made < 64 * n:
            made *= 2
            X, y = make(**dict(kwargs, n=made))
        X, y = data.rebalance(X, y, f, n=n, seed=v["data_seed"])
    classes = DATASETS[v["dataset"]][2]
    if classes == 0:
        top = plots.round_up(max(np.abs(y).max(), 1e-3), steps=(1, 1.5, 2, 3, 5, 10))
        task = Task("regression", 0, (-top, top))
    else:
        task = Task("binary" if classes == 2 else "classes", classes, None)
    return data.train_val_split(X, y, val_fraction=v["val_fraction"], seed=v["data_seed"]), task, made


def sizes(v, task):
    return [len(v["features"]), *v["units"], 1 if task.kind != "classes" else task.classes]


def loss_name(v, task):
    """The loss layer's name: MSE for a regression, softmax cross entropy for classes."""
    return {"regression": "MSELoss", "classes": "CrossEntropyLoss"}.get(task.kind) or LOSSES[v["loss"]]


def penalty(v):
    """The regularisation of the settings: None, ``nnlib.L1(rate)`` or ``nnlib.L2(rate)``."""
    if v["regularization"] == "none":
        return None
    from .. import L1, L2

    return {"L1": L1, "L2": L2}[v["regularization"]](v["reg_rate"])


def network(v, task):
    """A fresh (model, loss layer, optimiser) for the settings ``v``."""
    model = MLP(sizes(v, task), activation=v["activation"], seed=v["init_seed"], dtype=DTYPE)
    loss = getattr(loss_layers, loss_name(v, task))()
    optimizer = SGD(v["lr"], momentum=0.9) if v["optimizer"] == "sgd" else Adam(v["lr"])
    return model, loss, optimizer


def outputs(model, features, task, grid):
    """What the model says at the points ``grid`` (M, 2): probability of class 1 (M,),
    class probabilities (M, C) or the regression's output (M,); None if not finite."""
    F = make_features(grid, features)
    with np.errstate(over="ignore", invalid="ignore"):
        if task.kind == "binary":
            return plots.probability_of_class_1(model, F)
        out = model.forward(F)
        if not np.all(np.isfinite(out)):
            return None
        return out[:, 0].astype(float) if task.kind == "regression" else model.predict_proba(F).astype(float)


def weights(model):
    """The weight matrices W of the model's layers, in order (no biases)."""
    return [p for name, p, _ in model.parameters() if name.endswith(".W")]
