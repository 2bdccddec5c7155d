"""Lessons 2, 5 and 6: how a loss changes, by epoch (training curves) and over two
weights (a contour map with the path gradient descent took).

Like every plot here: draws on the ``ax`` given (or a new figure's) and returns it.
"""

import numpy as np

from .plots import _axes
from .validation import as_float_array, check_int


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
