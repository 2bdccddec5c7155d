"""Pictures the lessons reuse. Every function draws on an ``ax`` you pass (or a new
figure's) and returns that ``ax``; none calls ``plt.show()``.

Shapes: N points, 2 features (the plane), G grid points per side.
"""

import numpy as np

from ._checks import as_float_array

CLASS_COLOURS = ("#f59322", "#0877bd")  # orange for class 0, blue for class 1
CMAP = "RdBu"


def _axes(ax, figsize=(5, 4.5)):
    if ax is not None:
        return ax
    import matplotlib.pyplot as plt

    _, ax = plt.subplots(figsize=figsize)
    return ax


def grid_over(X, resolution=100, margin=0.1):
    """A (G*G, 2) grid covering the range of X (N, 2) plus a margin, and its two axes (G,)."""
    X = as_float_array(X, "X", ndim=2)
    lo, hi = X.min(axis=0), X.max(axis=0)
    pad = (hi - lo) * margin + 1e-9
    xs = np.linspace(lo[0] - pad[0], hi[0] + pad[0], resolution)
    ys = np.linspace(lo[1] - pad[1], hi[1] + pad[1], resolution)
    gx, gy = np.meshgrid(xs, ys)
    return np.column_stack([gx.ravel(), gy.ravel()]), xs, ys


def scatter_classes(X, y, ax=None, marker="o", edge="white", label_prefix="", size=18):
    """Points (N, 2) coloured by their class y (N,) in {0, 1}."""
    ax = _axes(ax)
    X = as_float_array(X, "X", ndim=2)
    y = np.asarray(y).reshape(-1)
    for cls in (0, 1):
        pts = X[y == cls]
        ax.scatter(pts[:, 0], pts[:, 1], s=size, c=CLASS_COLOURS[cls], marker=marker,
                   edgecolors=edge, linewidths=0.5, label=f"{label_prefix}class {cls}")
    return ax


def plot_decision_boundary(model, X, y, ax=None, resolution=100, X_val=None, y_val=None,
                           title=None):
    """Probability of class 1 over the plane, the 0.5 boundary and the points.

    - model: anything with ``predict_proba(X) -> (N,)``, such as an ``MLP`` with one output.
    - X: (N, 2) points; y: (N,) labels in {0, 1}.
    - X_val, y_val: optional validation points, drawn as triangles.
    """
    ax = _axes(ax)
    X = as_float_array(X, "X", ndim=2)
    both = X if X_val is None or len(X_val) == 0 else np.vstack([X, X_val])
    grid, xs, ys = grid_over(both, resolution)
    p = np.asarray(model.predict_proba(grid)).reshape(resolution, resolution)
    ax.contourf(xs, ys, p, levels=np.linspace(0, 1, 11), cmap=CMAP, alpha=0.55, vmin=0, vmax=1)
    if p.min() < 0.5 < p.max():
        ax.contour(xs, ys, p, levels=[0.5], colors="k", linewidths=1.2)
    scatter_classes(X, y, ax=ax)
    if X_val is not None and len(X_val):
        scatter_classes(X_val, y_val, ax=ax, marker="^", edge="black", label_prefix="val ")
    ax.set_xlabel("$x_1$")
    ax.set_ylabel("$x_2$")
    if title:
        ax.set_title(title)
    return ax


def plot_probability_scatter(model, X, ax=None, title="predicted probability"):
    """Each point (N, 2) coloured by the model's probability of class 1 (a colour bar shows the scale)."""
    ax = _axes(ax)
    X = as_float_array(X, "X", ndim=2)
    p = np.asarray(model.predict_proba(X)).reshape(-1)
    sc = ax.scatter(X[:, 0], X[:, 1], c=p, cmap=CMAP, vmin=0, vmax=1, s=14, edgecolors="none")
    ax.figure.colorbar(sc, ax=ax, label="P(class 1)")
    ax.set_title(title)
    return ax


def plot_history(history, ax=None, title=None):
    """Loss curves (training, and validation if present) by epoch; accuracy on a twin axis."""
    ax = _axes(ax, figsize=(6, 3.5))
    epochs = np.arange(1, len(history.loss) + 1)
    ax.plot(epochs, history.loss, color="C0", label="training loss")
    if history.val_loss:
        ax.plot(epochs[: len(history.val_loss)], history.val_loss, color="C1", label="validation loss")
    ax.set_xlabel("epoch")
    ax.set_ylabel("loss")
    handles, labels = ax.get_legend_handles_labels()
    if history.accuracy:
        acc_ax = ax.twinx()
        acc_ax.plot(epochs, history.accuracy, color="C0", ls=":", label="training accuracy")
        if history.val_accuracy:
            acc_ax.plot(epochs[: len(history.val_accuracy)], history.val_accuracy, color="C1",
                        ls=":", label="validation accuracy")
        acc_ax.set_ylim(0, 1.02)
        acc_ax.set_ylabel("accuracy (dotted)")
        h2, l2 = acc_ax.get_legend_handles_labels()
        handles, labels = handles + h2, labels + l2
    if handles:
        ax.legend(handles, labels, loc="center right", fontsize="small")
    if history.diverged:
        ax.set_title(history.message, color="crimson", fontsize="small")
    elif title:
        ax.set_title(title)
    return ax


def plot_loss_contours(loss_fn, w_range, b_range, path=None, ax=None, resolution=60,
                       levels=20, labels=("$w_1$", "$w_2$")):
    """Contours of a loss over two weights, with an optional descent path on top.

    - loss_fn: function of a weight pair (2,) -> float.
    - w_range, b_range: (low, high) for the horizontal and vertical weight.
    - path: optional (T, 2) weights visited by gradient descent, drawn as a line with dots.
    """
    ax = _axes(ax, figsize=(5, 4.5))
    ws = np.linspace(*w_range, resolution)
    bs = np.linspace(*b_range, resolution)
    Z = np.array([[loss_fn(np.array([w, b])) for w in ws] for b in bs])
    ax.contour(ws, bs, Z, levels=levels, cmap="viridis", linewidths=0.8)
    if path is not None:
        path = np.asarray(path)
        ax.plot(path[:, 0], path[:, 1], "o-", color="crimson", ms=3, lw=1.2)
        ax.plot(path[-1, 0], path[-1, 1], "*", color="crimson", ms=12)
    ax.set_xlim(w_range)
    ax.set_ylim(b_range)
    ax.set_xlabel(labels[0])
    ax.set_ylabel(labels[1])
    return ax
