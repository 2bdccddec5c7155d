"""The playground's figure: the model's output over the plane with the points, and the
loss curves. Its artists are made once; a redraw only changes their data.

Everything that changes from one redraw to the next is ``animated`` (see
``canvas.BlitCanvas``); the limits are rounded (``plots.round_limits``,
``plots.round_up``) so that they, and with them the costly background, rarely change.
Drawing only: the model's outputs come in as numbers (see ``surface`` in ``draw``).
"""

import matplotlib
import numpy as np
from contourpy import contour_generator
from matplotlib.collections import LineCollection
from matplotlib.colors import to_rgb
from matplotlib.figure import Figure

from .. import plots
from .canvas import BlitCanvas

# Class colours and markers: orange circles, blue squares, green triangles. The shapes
# tell the classes apart without their colours (colour-vision deficiency, grey print).
COLOURS = (*plots.CLASS_COLOURS, "#009e73")
# (A 16-sided polygon for the circle: as round at this size, and matplotlib sizes up a
# polygon far faster than the curves of "o" on every redraw.)
MARKERS = ((16, 0, 0), "s", "^")
# The colour map as a table of 256 colours, looked up by index: matplotlib hands out a
# fresh copy of a colour map on every ``colormaps[name]``, which builds its table anew.
RDBU = matplotlib.colormaps[plots.CMAP](np.linspace(0, 1, 256))[:, :3]


def rdbu(t):
    """Colours (..., 3) in [0, 1] of the finite values ``t`` in [0, 1]."""
    return RDBU[np.clip(np.round(t * 255), 0, 255).astype(np.intp)]


def heat_colours(values, task, discretize=False):
    """RGBA bytes (G, G, 4) for the model's output on a G x G grid, mixed 60/40 with white.

    - values: (G, G) probability of class 1 or regression output, or (G, G, C) class
      probabilities; ``task`` says which (and, for regression, the colour scale's range).
    - discretize: only the decision (class 1 or not, the class, above the middle or not).
    """
    if task.kind == "classes":
        confidence = values.max(axis=2)
        share = np.ones_like(confidence) if discretize else (confidence * task.classes - 1) / (task.classes - 1)
        colours = np.array([to_rgb(c) for c in COLOURS[:task.classes]])[values.argmax(axis=2)]
        rgb = share[..., None] * colours + (1 - share[..., None])
    else:
        lo, hi = (0.0, 1.0) if task.kind == "binary" else task.target_range
        t = np.clip((values - lo) / (hi - lo), 0, 1)
        rgb = rdbu(np.where(t >= 0.5, 1.0, 0.0) if discretize else t)
    rgba = np.ones(values.shape[:2] + (4,))
    # Mixed with the white behind them here, on G x G pixels, rather than by
    # matplotlib on every pixel of the axes (what alpha=0.6 would cost).
    rgba[..., :3] = 0.6 * rgb + 0.4
    return (rgba * 255).round().astype(np.uint8)


class PlaygroundFigure:
    """Left, the model's output over the plane and the points; right, the loss curves
    (and the accuracy, dotted, for classification)."""

    AXES = {"plane": lambda f: [f.plane], "history": lambda f: [f.loss, f.accuracy]}
    RESOLUTION = 50  # grid points per side of the plane's heatmap

    def __init__(self, figsize):
        self.figure = fig = Figure(figsize=figsize, dpi=72)  # PNG pixels = figure points
        # A placeholder engine, not None: savefig resets a None engine from rcParams, and
        # a notebook that turned on constrained layout would then warn on every redraw.
        fig.set_layout_engine("none")
        self.canvas = BlitCanvas(fig)
        # Fixed positions: an automatic layout would measure every label on every redraw.
        self.plane = b = fig.add_axes((0.06, 0.11, 0.36, 0.85))
        self.loss = fig.add_axes((0.51, 0.13, 0.41, 0.80))
        self.accuracy = self.loss.twinx()
        # Plain "x1" rather than mathtext, few ticks: text is the slowest thing to draw.
        b.set_xlabel("x1")
        b.set_ylabel("x2")
        b.locator_params(nbins=4)
        self.loss.set_xlabel("epoch", labelpad=1)
        self.loss.set_ylabel("loss (solid)")
        self.loss.locator_params(nbins=4)
        self.heat = b.imshow(np.zeros((2, 2, 4)), origin="lower", interpolation="bilinear", aspect="auto")
        # The boundary as lines that change in place: contourpy is what ``ax.contour``
        # uses, without the cost of making a new ContourSet each time.
        self.boundary = b.add_collection(LineCollection([], colors="k", linewidths=1.2), autolim=False)
        self.curves = {
            "loss": self.loss.plot([], [], color="C0", label="training loss")[0],
            "val_loss": self.loss.plot([], [], color="C1", label="validation loss")[0],
            "accuracy": self.accuracy.plot([], [], color="C0", ls=":", label="training accuracy")[0],
            "val_accuracy": self.accuracy.plot([], [], color="C1", ls=":", label="validation accuracy")[0],
        }
        self.mark = self.loss.axvline(0, color="grey", lw=1)
        self.not_finite = plots.note(b, plots.NOT_FINITE)
        self.points, self.legend = {}, None
        self._points_kind, self._frame = None, None
        # The heatmap hides the axes' frame: draw the frame again after it, every time.
        for artist in [self.heat, self.boundary, self.mark, self.not_finite, *self.curves.values(),
                       *b.spines.values()]:
            artist.set_animated(True)

    def draw(self, data, task, surface, history, mark=None, show_test=True, discretize=False):
        """Show the points ``data`` (X_train, y_train, X_val, y_val, or None) of ``task``,
        the model's outputs over the plane (``surface(grid)`` gives them for a (G*G, 2)
        grid, or None if they are not finite; ``surface`` None: no model), its
        ``history`` (or None) and a line at epoch ``mark`` (or None). Returns the Figure."""
        for artist in [self.heat, self.boundary, self.mark, self.not_finite, *self.curves.values()]:
            artist.set_visible(False)
        frame = {}  # what the still parts show; the background is redrawn when it changes
        if data is not None:
            X = np.vstack([data[0], data[2]])
            frame["plane"] = plots.round_limits(X)
            self._show_points(data, task)
            if surface is not None:
                self._show_surface(surface, task, frame["plane"], discretize)
        for points in self.points.values():
            points.set_visible(data is not None and (points.get_gid() != "test" or show_test))
        if history is not None:
            self._show_history(history, mark, frame, task.kind != "regression")
        if frame != self._frame:
            old = self._frame or {}
            changed = [self.AXES[key](self) for key in self.AXES if frame.get(key) != old.get(key)]
            self.canvas.forget_background([ax for group in changed for ax in group])
            self._set_frame(frame)
            self._frame = frame
        return self.figure

    def _show_points(self, data, task):
        groups = {"train": (data[0], data[1]), "test": (data[2], data[3])}
        kind = (task.kind, task.classes, task.target_range)
        if kind != self._points_kind:
            for points in self.points.values():
                points.remove()
            self.points = {}
        for group, (X, y) in groups.items():
            edge = "black" if group == "test" else ("0.5" if task.kind == "regression" else "white")
            if task.kind == "regression":
                self._scatter((group, 0), X, dict(c=y, cmap=plots.CMAP, vmin=task.target_range[0],
                              vmax=task.target_range[1], marker=MARKERS[0], edgecolors=edge), group)
                continue
            for cls in range(task.classes):
                self._scatter((group, cls), X[y == cls], dict(c=COLOURS[cls], marker=MARKERS[cls],
                              edgecolors=edge, label=f"{'test ' if group == 'test' else ''}class {cls}"),
                              group)
        self._points_kind = kind

    def _scatter(self, key, X, style, group):
        """Move the points of ``key`` to ``X`` (making a new scatter costs more)."""
        points = self.points.get(key)
        if points is None:
            points = self.points[key] = self.plane.scatter(X[:, 0], X[:, 1], s=14, linewidths=0.5, **style)
            points.set_gid(group)
            points.set_animated(True)
        else:
            points.set_offsets(X)
            if "cmap" in style:
                points.set_array(style["c"])

    def _show_surface(self, surface, task, limits, discretize):
        (x0, x1), (y0, y1) = limits
        grid, xs, ys = plots.grid_between((x0, x1), (y0, y1), self.RESOLUTION)
        values = surface(grid)
        if values is None:
            self.not_finite.set_visible(True)
            return
        G = len(xs)
        values = values.reshape((G, G) + values.shape[1:])
        self.heat.set_data(heat_colours(values, task, discretize))
        self.heat.set_extent((x0, x1, y0, y1))
        self.heat.set_visible(True)
        if task.kind == "binary":
            self.boundary.set_segments(contour_generator(xs, ys, values).lines(0.5))
            self.boundary.set_visible(True)

    def _show_history(self, history, mark, frame, has_accuracy):
        epochs = np.arange(1, len(history.loss) + 1)
        for name, line in self.curves.items():
            values = getattr(history, name)
            line.set_data(epochs[:len(values)], values)
            line.set_visible(bool(values))
        if mark is not None:
            self.mark.set_xdata([mark, mark])
            self.mark.set_visible(True)
        losses = history.loss + history.val_loss
        # Coarse steps, so that a new run rarely moves the top (a cross entropy starting
        # near log 2 = 0.69 gets 1 whatever the seed), and an epoch axis that grows in
        # steps while training plays: the background stays.
        top = plots.round_up(max(losses), steps=(1, 2, 5, 10)) if losses and max(losses) > 0 else 1.0
        # Room for a fifth more epochs: the first frames of play after a change keep it.
        right = plots.round_up(1.2 * len(epochs)) if len(epochs) else 1
        frame["history"] = (right, top, history.diverged_epoch if history.diverged else None,
                            bool(history.loss), bool(history.val_loss), has_accuracy)

    def _set_frame(self, frame):
        """Set the still parts: limits, ticks, titles and the legend."""
        (x0, x1), (y0, y1) = frame.get("plane", ((0, 1), (0, 1)))
        self.plane.set_xlim(x0, x1)
        self.plane.set_ylim(y0, y1)
        right, top, diverged, has_train, has_val, has_accuracy = frame.get(
            "history", (1, 1.0, None, False, False, True))
        self.loss.set_xlim(0, right)
        self.loss.set_ylim(-0.03 * top, 1.03 * top)  # the curve at 0 stays clear of the frame
        self.loss.set_title("" if diverged is None else f"diverged at epoch {diverged}: lower the learning rate",
                            color="crimson", fontsize="small")
        self.accuracy.set_ylim(0, 1.02)
        self.accuracy.set_yticks([0, 0.5, 1] if has_accuracy else [])
        self.accuracy.set_ylabel("accuracy (dotted)" if has_accuracy else "")
        if self.legend is not None:
            self.legend.remove()
        # Two entries, not four (the axis labels say which curves are dotted): a legend
        # is the slowest part of the figure to draw.
        self.legend = self.accuracy.legend([self.curves["loss"], self.curves["val_loss"]][:1 + has_val],
                                           ["training", "validation"][:1 + has_val],
                                           loc="center right", fontsize="small", framealpha=1)
        self.legend.set_visible(has_train)
        self.canvas.on_top = [self.legend]
