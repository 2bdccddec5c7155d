"""Lessons 5 and 6: what each hidden unit computes, drawn over the plane, one tile a unit.

Shapes: N points, 2 features (the plane), G grid points per side, H hidden units.
Like every plot here: draws on the ``ax`` given (or a new figure's), returns it, and
never hands ``nan`` to matplotlib (a diverged model gets a note instead).
"""

import numpy as np

from .layers import Dense
from .plots import CMAP, NOT_FINITE, _axes, grid_over, note


def hidden_layer_outputs(model, X):
    """Each hidden layer's output for the points X (N, 2): a list of (N, H) arrays.

    - model: an ``MLP``; a hidden layer's output is what a layer other than a Dense
      (an activation) gives.
    Once a layer's output is not finite (weights that overflow it), the layers after
    it are not run (they would refuse it): their outputs are nan.
    """
    out, outputs = X, []
    for layer in model.layers[:-1]:
        if np.all(np.isfinite(out)):
            with np.errstate(over="ignore", invalid="ignore"):
                out = layer.forward(out)
        else:
            out = np.full((len(X), layer.n_out if isinstance(layer, Dense) else out.shape[1]), np.nan)
        if not isinstance(layer, Dense):
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
