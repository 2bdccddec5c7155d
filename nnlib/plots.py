"""Pictures the lessons reuse. Every function draws on an ``ax`` you pass (or a new
figure's) and returns that ``ax``; none calls ``plt.show()``.

Shapes: N points, 2 features (the plane), G grid points per side, H hidden units.

Nothing here hands ``nan`` or ``inf`` to matplotlib: a model whose outputs are not
finite (after a diverged run) gets its points drawn and a note instead of a heatmap.
"""


import numpy as np

from .validation import as_float_array, as_labels, check_int, describe

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


def hidden_layer_outputs(model, X):
    """Each hidden layer's output for the points X (N, 2): a list of (N, H) arrays.

    - model: an ``MLP``; its activation layers are the ones without parameters.
    """
    out, outputs = X, []
    for layer in model.layers:
        out = layer.forward(out)
        if not layer.parameters():
            outputs.append(out)
    return outputs


TILE_GAP = 3  # blank pixels between the tiles of the hidden units' image


def hidden_units_image(model, X, resolution=25, max_units=16):
    """Every hidden unit's output over the plane as one image of tiles, one row per layer.

    - model: an ``MLP``; X: (N, 2) points that set the range of the plane.
    - resolution: G, grid points per side of each tile.
    - max_units: at most this many tiles per row U (a wider layer shows its first units).

    Returns ``(image, None)``, the image (L * (G + TILE_GAP), U * (G + TILE_GAP)) with nan
    between the tiles and layer 1 in the top row (row 0 of the array is the bottom, as
    with ``origin="lower"``); or ``(None, note)`` when there is nothing to show, and why.
    Each tile is scaled to [0, 1]: 1 for the unit's largest output, 0 for its most
    negative (tanh) or zero (relu, sigmoid), so it shows where that unit "fires".
    """
    grid, _, _ = grid_over(X, resolution)
    if not all(np.all(np.isfinite(p)) for _, p, _ in model.parameters()):
        return None, NOT_FINITE
    with np.errstate(over="ignore", invalid="ignore"):
        outputs = hidden_layer_outputs(model, grid)
    if not outputs:
        return None, "no hidden layer"
    if not all(np.all(np.isfinite(h)) for h in outputs):
        return None, NOT_FINITE
    cols = min(max(h.shape[1] for h in outputs), max_units)
    side = resolution + TILE_GAP
    image = np.full((len(outputs) * side, cols * side), np.nan)
    for row, h in enumerate(outputs):
        lo = min(h.min(), 0.0)
        for col in range(min(h.shape[1], cols)):
            tile = h[:, col].reshape(resolution, resolution)
            scale = max(tile.max() - lo, 1e-12) if lo == 0.0 else max(np.abs(tile).max(), 1e-12)
            tile = tile / scale if lo == 0.0 else (tile / scale + 1) / 2
            r0, c0 = (len(outputs) - 1 - row) * side, col * side
            image[r0:r0 + resolution, c0:c0 + resolution] = tile
    return image, None


def layer_ticks(n_layers, resolution):
    """Where the rows of ``hidden_units_image`` are: (positions, labels) for the y axis."""
    side = resolution + TILE_GAP
    return ([(n_layers - 1 - r) * side + resolution / 2 for r in range(n_layers)],
            [f"layer {r + 1}" for r in range(n_layers)])


def plot_hidden_units(model, X, ax=None, resolution=25, max_units=16, circle=None, colorbar=True):
    """Every hidden unit's output over the plane, one small tile per unit, one row per layer.

    - model: an ``MLP`` with hidden layers; X: (N, 2) points that set the range of the plane.
    - resolution: G, grid points per side of each tile.
    - max_units: at most this many tiles per row (a wider layer shows its first units).
    - circle: optional (x1, x2, radius) of a circle to outline on every tile, such as the
      boundary the network should learn, so that each unit can be compared with it.
    - colorbar: a colour bar saying what the colours mean.

    Every tile is scaled to its own unit's range, with one colour scale: blue for the
    unit's largest output, red for its most negative (tanh) or zero (relu, sigmoid), so
    each tile shows where that unit "fires". All tiles form one image, which draws far
    faster than one axes per unit.
    """
    ax = _axes(ax, figsize=(6, 2.5))
    ax.set_xticks([])
    ax.set_yticks([])
    image, why = hidden_units_image(model, X, resolution, max_units)
    if image is None:
        note(ax, why)
        return ax
    shown = ax.imshow(np.ma.masked_invalid(image), origin="lower", cmap=CMAP, vmin=0, vmax=1,
                      interpolation="nearest", aspect="equal")
    ax.set_yticks(*layer_ticks(image.shape[0] // (resolution + TILE_GAP), resolution), fontsize="small")
    ax.set_xlabel("one tile per unit; each tile is the plane ($x_1$ across, $x_2$ up)", fontsize="small")
    ax.tick_params(length=0)
    for spine in ax.spines.values():
        spine.set_visible(False)
    if circle is not None:
        _outline_tiles(ax, image, X, resolution, circle)
    if colorbar:
        grid, _, _ = grid_over(X, resolution)
        signed = [h.min() < 0 for h in hidden_layer_outputs(model, grid)]
        # Where a unit can go negative (tanh), the middle of the scale is an output of 0.
        ticks, labels = (([0, 0.5, 1], ["most negative", "0", "largest"]) if all(signed) else
                         ([0, 1], ["0", "largest"]) if not any(signed) else ([0, 1], ["lowest", "largest"]))
        # A bar beside the image itself: the axes around an image of fixed aspect is taller.
        bar = ax.figure.colorbar(shown, cax=ax.inset_axes([1.01, 0, 0.015, 1]), ticks=ticks)
        bar.set_ticklabels(labels)
        bar.ax.tick_params(labelsize="x-small")
        bar.set_label("unit's output", fontsize="small")
    return ax


def _outline_tiles(ax, image, X, resolution, circle):
    # The tiles are pixels of one image: tile pixel j is grid point xs[j], so a point of
    # the plane is at (x - xs[0]) / dx pixels from the tile's corner.
    from matplotlib.patches import Ellipse, Rectangle

    _, xs, ys = grid_over(X, resolution)
    dx, dy = xs[1] - xs[0], ys[1] - ys[0]
    cx, cy, radius = (float(v) for v in circle)
    side = resolution + TILE_GAP
    for r0 in range(0, image.shape[0], side):
        for c0 in range(0, image.shape[1], side):
            if np.isnan(image[r0, c0]):
                continue  # no unit here: a narrower layer
            outline = Ellipse(((cx - xs[0]) / dx + c0, (cy - ys[0]) / dy + r0), 2 * radius / dx,
                              2 * radius / dy, fill=False, color="black", lw=0.8, ls="--")
            ax.add_patch(outline)
            tile = Rectangle((c0 - 0.5, r0 - 0.5), resolution, resolution, transform=ax.transData)
            outline.set_clip_path(tile)


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


def plot_history(history, ax=None, title=None, mark_epoch=None):
    """Loss curves (training, and validation if present) by epoch; accuracy on a twin axis.

    - history: a ``History`` from ``train`` (its lists are finite, even after divergence).
    - mark_epoch: optional epoch to mark with a vertical line (stepping through training).

    Training curves are blue with circles, validation curves orange with squares; loss
    lines are solid, accuracy lines dotted with hollow markers. About ten markers per
    line, the validation ones half a step later, so that curves lying on top of each
    other stay told apart (also in grey print).
    """
    ax = _axes(ax, figsize=(6, 3.5))
    epochs = np.arange(1, len(history.loss) + 1)
    every = max(1, len(epochs) // 10)
    train_marks = dict(marker="o", ms=4, markevery=every)
    val_marks = dict(marker="s", ms=4, markevery=(every // 2, every))
    ax.plot(epochs, history.loss, color="C0", label="training loss", **train_marks)
    if history.val_loss:
        ax.plot(epochs[: len(history.val_loss)], history.val_loss, color="C1", label="validation loss",
                **val_marks)
    ax.set_xlabel("epoch")
    ax.set_ylabel("loss")
    ax.locator_params(nbins=4)
    handles, labels = ax.get_legend_handles_labels()
    if history.accuracy:
        acc_ax = ax.twinx()
        acc_ax.plot(epochs, history.accuracy, color="C0", ls=":", mfc="none", label="training accuracy",
                    **train_marks)
        if history.val_accuracy:
            acc_ax.plot(epochs[: len(history.val_accuracy)], history.val_accuracy, color="C1",
                        ls=":", mfc="none", label="validation accuracy", **val_marks)
        acc_ax.set_ylim(0, 1.02)
        acc_ax.set_yticks([0, 0.5, 1])
        acc_ax.set_ylabel("accuracy (dotted)")
        h2, l2 = acc_ax.get_legend_handles_labels()
        handles, labels = handles + h2, labels + l2
    if handles:
        ax.legend(handles, labels, loc="center right", fontsize="small")
    if mark_epoch is not None:
        ax.axvline(mark_epoch, color="grey", lw=1)
    if history.diverged:
        # The short form fits above any plot; history.message has the full story.
        ax.set_title(f"diverged at epoch {history.diverged_epoch}: lower the learning rate",
                     color="crimson", fontsize="small")
    elif title:
        ax.set_title(title)
    return ax


def plot_loss_contours(loss_fn, w_range, b_range, path=None, ax=None, resolution=60,
                       levels=20, labels=("$w_1$", "$w_2$"), arrows=7, legend=True):
    """Contours of a loss over two weights, with an optional descent path on top.

    - loss_fn: function of a weight pair (2,) -> float.
    - w_range, b_range: (low, high) for the horizontal and vertical weight.
    - path: optional (T, 2) weights visited by gradient descent, drawn as a line with dots,
      a circle at the start and a star at the end.
    - resolution: grid points per side G; loss_fn is called G * G times.
    - levels: number of contour levels, or the increasing loss values to draw them at.
      Every other level is labelled with its loss.
    - arrows: A, draw an A x A grid of arrows pointing downhill (along minus the gradient,
      taken from the grid of losses; direction only, all the same length); 0 for none.
    - legend: say in a legend what the markers and arrows are.
    Returns the ax.
    """
    w_range = _range(w_range, "w_range")
    b_range = _range(b_range, "b_range")
    resolution = check_int(resolution, "resolution", minimum=2)
    arrows = check_int(arrows, "arrows", minimum=0)
    if path is not None:
        path = as_float_array(path, "path", ndim=2)
        if path.shape[1] != 2:
            raise ValueError(f"path must have shape (T, 2), one weight pair per step, got {path.shape}")
    ax = _axes(ax, figsize=(5, 4.5))
    ws = np.linspace(*w_range, resolution)
    bs = np.linspace(*b_range, resolution)
    Z = np.array([[loss_fn(np.array([w, b])) for w in ws] for b in bs], dtype=np.float64)
    if not np.all(np.isfinite(Z)):
        raise ValueError("loss_fn returned a non-finite value (inf or nan) inside w_range x b_range; "
                         "choose a smaller window")
    contours = ax.contour(ws, bs, Z, levels=levels, cmap="viridis", linewidths=0.8)
    # Labelling every level crowds a narrow valley; every other one still gives the scale.
    ax.clabel(contours, contours.levels[::2], fmt=_level_text, fontsize=7, inline=True)
    if arrows:
        _downhill_arrows(ax, ws, bs, Z, arrows)
    if path is not None:
        ax.plot(path[:, 0], path[:, 1], "o-", color="crimson", ms=3, lw=1.2, label="descent path")
        ax.plot(path[0, 0], path[0, 1], "o", color="white", mec="black", ms=8, label="start")
        ax.plot(path[-1, 0], path[-1, 1], "*", color="crimson", ms=12,
                label=f"end (after {len(path) - 1} steps)")
    if legend and (path is not None or arrows):
        # Below the axes, where it cannot hide the path.
        ax.legend(fontsize="x-small", loc="upper center", bbox_to_anchor=(0.5, -0.13), ncol=2)
    ax.set_xlim(w_range)
    ax.set_ylim(b_range)
    ax.set_xlabel(labels[0])
    ax.set_ylabel(labels[1])
    return ax


def _level_text(value):
    return f"{value:.0f}" if value >= 10 else f"{value:.2g}"


def _inner_indices(n, count):
    # count evenly spaced grid indices, keeping off the edges where the arrows would be cut.
    return np.linspace(0, n - 1, count + 2)[1:-1].round().astype(int)


def _downhill_arrows(ax, ws, bs, Z, count):
    # The gradient comes from the grid already computed: no extra calls of loss_fn.
    dZ_db, dZ_dw = np.gradient(Z, bs, ws)
    rows, cols = np.meshgrid(_inner_indices(len(bs), count), _inner_indices(len(ws), count), indexing="ij")
    u, v = -dZ_dw[rows, cols], -dZ_db[rows, cols]
    norm = np.hypot(u, v)
    # Direction only: the lengths differ by orders of magnitude across a valley.
    u = np.divide(u, norm, out=np.zeros_like(u), where=norm > 0)
    v = np.divide(v, norm, out=np.zeros_like(v), where=norm > 0)
    length = 0.6 * min(ws[-1] - ws[0], bs[-1] - bs[0]) / (count + 1)
    ax.quiver(ws[cols], bs[rows], u * length, v * length, angles="xy", scale_units="xy", scale=1,
              color="0.4", width=0.004, label="downhill (minus the gradient)")


def _range(pair, name):
    pair = as_float_array(pair, name, ndim=1)
    if pair.shape != (2,) or not pair[0] < pair[1]:
        raise ValueError(f"{name} must be (low, high) with low < high, got {pair.tolist()}")
    return tuple(pair)
