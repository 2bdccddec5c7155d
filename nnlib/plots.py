"""Pictures the lessons reuse. Every function draws on an ``ax`` you pass (or a new
figure's) and returns that ``ax``; none calls ``plt.show()``.

Shapes: N points, 2 features (the plane), G grid points per side, H hidden units.

Nothing here hands ``nan`` or ``inf`` to matplotlib: a model whose outputs are not
finite (after a diverged run) gets its points drawn and a note instead of a heatmap.
"""


import numpy as np

from .validation import as_float_array, as_labels, describe

CLASS_COLOURS = ("#f59322", "#0877bd")  # orange for class 0, blue for class 1
CMAP = "RdBu"


def _axes(ax, figsize=(5, 4.5)):
    if ax is not None:
        return ax
    import matplotlib.pyplot as plt

    _, ax = plt.subplots(figsize=figsize)
    return ax


def _points(X, name="X"):
    X = as_float_array(X, name, ndim=2)
    if X.shape[1] != 2:
        raise ValueError(f"{name} must hold points in the plane, shape (N, 2), got {describe(X)}")
    return X


def grid_over(X, resolution=100, margin=0.1):
    """A (G*G, 2) grid covering the range of X (N, 2) plus a margin, and its two axes (G,)."""
    X = _points(X)
    lo, hi = X.min(axis=0), X.max(axis=0)
    # A single point (or a line of points) has no width: give the grid a width of 1.
    pad = np.where(hi - lo > 0, (hi - lo) * margin, 0.5)
    return grid_between((lo[0] - pad[0], hi[0] + pad[0]), (lo[1] - pad[1], hi[1] + pad[1]), resolution)


def grid_between(xlim, ylim, resolution=100):
    """A (G*G, 2) grid over the rectangle xlim x ylim (each (low, high)), and its two axes (G,)."""
    xs = np.linspace(xlim[0], xlim[1], resolution)
    ys = np.linspace(ylim[0], ylim[1], resolution)
    gx, gy = np.meshgrid(xs, ys)
    return np.column_stack([gx.ravel(), gy.ravel()]), xs, ys


def round_up(value, steps=(1, 1.5, 2, 3, 4, 5, 6, 8, 10)):
    """The smallest number of the form step * 10**k (k an integer) that is >= value > 0."""
    scale = 10.0 ** np.floor(np.log10(value))
    return next(step * scale for step in steps if step * scale >= value * (1 - 1e-12))


def round_limits(X, margin=0.1):
    """(xlim, ylim) around the points X (N, 2): their range plus a margin, widened to a round step.

    Two samples of the same data set get the same limits, so a figure that only redraws
    its changing parts when the limits stay the same can do so after new data too.
    """
    X = _points(X)
    lo, hi = X.min(axis=0), X.max(axis=0)
    span = np.where(hi - lo > 0, hi - lo, 1.0)
    pad = span * margin
    limits = []
    for a in range(2):
        step = round_up(span[a] / 8, steps=(1, 2, 5, 10))
        limits.append((np.floor((lo[a] - pad[a]) / step) * step, np.ceil((hi[a] + pad[a]) / step) * step))
    return tuple(limits)


def scatter_classes(X, y, ax=None, marker="o", edge="white", label_prefix="", size=18,
                    names=("class 0", "class 1")):
    """Points (N, 2) coloured by their class y (N,) in {0, 1}.

    - names: the two classes' legend labels (after ``label_prefix``), e.g. ("outside", "inside").
    """
    ax = _axes(ax)
    X = _points(X)
    y = as_labels(y, "y", 2, n=len(X))
    for cls in (0, 1):
        pts = X[y == cls]
        ax.scatter(pts[:, 0], pts[:, 1], s=size, c=CLASS_COLOURS[cls], marker=marker,
                   edgecolors=edge, linewidths=0.5, label=f"{label_prefix}{names[cls]}")
    return ax


def probability_colorbar(mappable, ax, label="P(class 1)"):
    """A colour bar for a probability of class 1 whose ticks say what the colours mean.

    - mappable: what is coloured by the probability (an image or a scatter, range 0 to 1).
    - ax: one axes, which gets the bar beside it, or a list or array of axes, which give
      up room on their right for one bar shared by all.
    The palest colours, near 0.5, are where the model is unsure. Returns the colorbar.
    """
    axes = np.ravel(ax)
    if len(axes) == 1:
        # Beside the axes' drawn box: a square plot (equal aspect) is shorter than its slot.
        bar = axes[0].figure.colorbar(mappable, cax=axes[0].inset_axes([1.04, 0, 0.05, 1]), ticks=[0, 0.5, 1])
    else:
        bar = axes[0].figure.colorbar(mappable, ax=ax, ticks=[0, 0.5, 1])
    bar.set_ticklabels(["0: class 0", "0.5: unsure", "1: class 1"])
    bar.ax.tick_params(labelsize="small")
    bar.set_label(label)
    return bar


def probability_of_class_1(model, X):
    """The model's probability of class 1 for each point (N,), or None if not finite.

    - model: has ``predict_proba``; one output gives (N,), two softmax outputs (N, 2).
    - X: (N, 2).
    """
    try:
        p = np.asarray(model.predict_proba(X), dtype=float)
    except ValueError:
        # The library refuses nan on the way to a probability: that is the case to report.
        with np.errstate(over="ignore", invalid="ignore"):
            if not np.all(np.isfinite(model.forward(X))):
                return None
        raise
    if p.ndim == 2 and p.shape[1] == 2:
        p = p[:, 1]
    if p.shape != (len(X),):
        raise ValueError(f"model must give one probability per point (N,) or (N, 2), got shape {p.shape}")
    return p if np.all(np.isfinite(p)) else None


NOT_FINITE = "model output is not finite\n(training diverged)"


def note(ax, text):
    """A short message in the middle of ``ax`` saying why there is no picture (red for divergence)."""
    alarm = text == NOT_FINITE
    return ax.text(0.5, 0.5, text, transform=ax.transAxes, ha="center", va="center", fontsize="small",
                   color="crimson" if alarm else "black",
                   bbox=dict(facecolor="white", alpha=0.8, edgecolor="crimson") if alarm else None)


def plot_decision_boundary(model, X, y, ax=None, resolution=100, X_val=None, y_val=None,
                           title=None, size=18, colorbar=True, legend=True,
                           names=("class 0", "class 1")):
    """Probability of class 1 over the plane, the 0.5 boundary and the points.

    - model: anything with ``predict_proba``, such as an ``MLP`` with one output.
    - X: (N, 2) points; y: (N,) labels in {0, 1}.
    - resolution: G, grid points per side of the heatmap.
    - X_val (M, 2), y_val (M,): optional validation points, drawn as triangles.
    - size: marker size of the points.
    - colorbar: a colour bar for the probability (pale = unsure); a row of small plots
      can leave it out and share one from ``probability_colorbar``.
    - legend: a legend of the points (dots: training, triangles: validation) and the boundary.
    - names: the classes' names in the legend.
    """
    ax = _axes(ax)
    X = _points(X)
    has_val = X_val is not None and len(X_val) > 0
    both = np.vstack([X, _points(X_val, "X_val")]) if has_val else X
    grid, xs, ys = grid_over(both, resolution)
    p = probability_of_class_1(model, grid)
    if p is None:
        note(ax, NOT_FINITE)
    else:
        p = p.reshape(resolution, resolution)
        # imshow of the grid is the same picture as a filled contour, and much faster to draw.
        ax.imshow(p, extent=(xs[0], xs[-1], ys[0], ys[-1]), origin="lower", cmap=CMAP,
                  vmin=0, vmax=1, alpha=0.6, interpolation="bilinear", aspect="auto")
        if p.min() < 0.5 < p.max():
            ax.contour(xs, ys, p, levels=[0.5], colors="k", linewidths=1.2)
        if colorbar:
            probability_colorbar(ax.images[-1], ax)
    scatter_classes(X, y, ax=ax, size=size, names=names)
    if has_val:
        scatter_classes(X_val, y_val, ax=ax, marker="^", edge="black", label_prefix="validation ",
                        size=size, names=names)
    if legend:
        decision_legend(ax, boundary=p is not None and p.min() < 0.5 < p.max())
    ax.set_xlim(xs[0], xs[-1])
    ax.set_ylim(ys[0], ys[-1])
    ax.locator_params(nbins=4)  # few tick labels: text is the slowest thing to draw
    ax.set_xlabel("$x_1$")
    ax.set_ylabel("$x_2$")
    if title:
        ax.set_title(title)
    return ax


def decision_legend(ax, boundary=True, **kwargs):
    """A legend of the points on ``ax`` and, if drawn, the black line where P(class 1) = 0.5.

    Placed below the axes so that it hides no point; keyword arguments go to ``legend``.
    """
    from matplotlib.lines import Line2D

    handles, labels = ax.get_legend_handles_labels()
    if boundary:
        handles.append(Line2D([], [], color="k", lw=1.2))
        labels.append("boundary, P = 0.5")
    options = dict(loc="upper center", bbox_to_anchor=(0.5, -0.14), ncol=2 if len(handles) > 3 else len(handles),
                   fontsize="small", frameon=False, handletextpad=0.3, columnspacing=1.0)
    options.update(kwargs)
    return ax.legend(handles, labels, **options)


def plot_probability_scatter(model, X, ax=None, title="predicted probability"):
    """Each point (N, 2) coloured by the model's probability of class 1 (a colour bar shows the scale)."""
    ax = _axes(ax)
    X = _points(X)
    p = probability_of_class_1(model, X)
    if p is None:
        ax.scatter(X[:, 0], X[:, 1], c="grey", s=14, edgecolors="none")
        note(ax, NOT_FINITE)
    else:
        sc = ax.scatter(X[:, 0], X[:, 1], c=p, cmap=CMAP, vmin=0, vmax=1, s=14, edgecolors="none")
        probability_colorbar(sc, ax)
    ax.set_xlabel("$x_1$")
    ax.set_ylabel("$x_2$")
    ax.set_title(title)
    return ax
