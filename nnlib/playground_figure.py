"""The playground's figure, redrawn fast: the decision boundary, the loss and accuracy
curves and each hidden unit's output, turned into the PNG its Output widget shows.

The playground redraws on every change of a control and every step of its epoch slider,
so its figure is made once and a redraw changes only the data of its artists (see
``PlaygroundFigure`` and ``_BlitCanvas``). Drawing only: the maths is in ``plots``.
"""

import base64
import struct
import zlib
from contextlib import contextmanager

import matplotlib
import numpy as np
from contourpy import contour_generator
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import LineCollection
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle
from matplotlib.transforms import Bbox, IdentityTransform

from . import plots


class _BlitCanvas(FigureCanvasAgg):
    """An Agg canvas that draws a figure's still parts once, then only its animated artists.

    Glyphs are most of what matplotlib spends on a figure like the playground's (every
    tick label, axis label, title), and a redraw of the playground changes none of them.
    So the first draw keeps the picture without the animated artists (the "background")
    and later draws paste it back and draw only the animated artists over it. Whoever
    changes a still part (limits, ticks, a title) calls ``forget_background(axes)`` with
    the axes it changed: only their part of the background is drawn again (a quarter
    of the cost of the whole), or all of it if they overlap another axes' part.
    ``savefig`` is unaffected: it draws every artist itself.

    ``on_top``: still artists (a legend) whose pixels are pasted again over the animated
    ones, so that no curve crosses them; drawing a legend anew would cost more than all
    the rest.
    """

    def __init__(self, figure):
        super().__init__(figure)
        self._background, self._stale, self._extents = None, [], {}
        self.on_top = ()

    def forget_background(self, axes=None):
        """Draw the still parts of ``axes`` (a list) again at the next draw; None: all.
        Call it before changing them: it notes where they are drawn now."""
        if axes is None or self._background is None:
            self._background, self._stale = None, []
            return
        self._stale = [*self._stale, *self._with_twins(axes)]
        for ax in self._stale:
            self._extent(ax)

    def print_figure(self, *args, **kwargs):
        # savefig draws the figure at its own size and dpi, and some matplotlib versions
        # keep what it drew (a renderer, resampled images): start afresh after it.
        try:
            return super().print_figure(*args, **kwargs)
        finally:
            self.forget_background()

    def draw(self):
        if self._background is not None and self._stale:
            self.restore_region(self._background)
            if self._redraw(self._stale):
                self._keep_background()
            else:
                self._background = None
        if self._background is None:
            with self._animated_hidden():
                super().draw()
            self._extents = {}
            self._keep_background()
        else:
            self.restore_region(self._background)
        for ax in self.figure.axes:
            changing = [a for a in ax.get_children() if a.get_animated() and a.get_visible()]
            for artist in sorted(changing, key=lambda a: a.get_zorder()):
                ax.draw_artist(artist)
        for region in self._on_top:
            self.restore_region(region)

    def _keep_background(self):
        renderer = self.get_renderer()
        self._background = self.copy_from_bbox(self.figure.bbox)
        self._on_top = [self.copy_from_bbox(a.get_window_extent(renderer).padded(0))
                        for a in self.on_top if a.get_visible()]
        self._stale = []

    def _extent(self, ax):
        """Where ``ax`` draws, labels included (what a partial redraw must wipe), kept
        until ``ax`` changes: working it out costs about half as much as drawing."""
        if self._extents.get(ax) is None:
            self._extents[ax] = ax.get_tightbbox(self.get_renderer()).padded(2)
        return self._extents[ax]

    def _with_twins(self, axes):
        return [ax for ax in self.figure.axes if any(ax.bbox.bounds == a.bbox.bounds for a in axes)]

    def _redraw(self, stale):
        """Wipe and draw again the still parts of the ``stale`` axes; False, having drawn
        nothing, if that would touch another axes' part."""
        renderer = self.get_renderer()
        old = [self._extent(ax) for ax in stale]
        for ax in stale:
            self._extents[ax] = None  # where it draws after its change
        area = Bbox.union(old + [self._extent(ax) for ax in stale])
        if any(area.overlaps(self._extent(ax)) for ax in self.figure.axes if ax not in stale):
            return False
        wipe = Rectangle((area.x0, area.y0), area.width, area.height, transform=IdentityTransform(),
                         facecolor=self.figure.get_facecolor(), edgecolor="none")
        wipe.set_figure(self.figure)
        wipe.draw(renderer)
        with self._animated_hidden():
            for ax in dict.fromkeys(stale):
                ax.draw(renderer)
        return True

    @contextmanager
    def _animated_hidden(self):
        """Hide the animated artists while the background is drawn. Matplotlib leaves
        them out by itself when not saving, except images before version 3.11."""
        shown = [a for ax in self.figure.axes for a in ax.get_children() if a.get_animated() and a.get_visible()]
        for artist in shown:
            artist.set_visible(False)
        try:
            yield
        finally:
            for artist in shown:
                artist.set_visible(True)


class PlaygroundFigure:
    """The playground's figure: its artists are made once, a redraw only changes their data.

    Left, the probability of class 1 over the plane with the 0.5 boundary and the points;
    right, the loss and accuracy curves above each hidden unit's output. Everything that
    changes from one redraw to the next is ``animated`` (see ``_BlitCanvas``); the limits
    are rounded (``plots.round_limits``, ``plots.round_up``) so that they, and with them the
    costly background, rarely change.
    """

    # What each key of the frame (see draw) shows: the axes to draw again when it changes.
    AXES = {"plane": lambda f: [f.plane], "history": lambda f: [f.loss, f.accuracy], "tiles": lambda f: [f.units]}
    RESOLUTION = 50  # grid points per side of the decision boundary's heatmap
    TILE = 20  # grid points per side of a hidden unit's tile

    def __init__(self, figsize):
        self.figure = fig = Figure(figsize=figsize, dpi=72)  # PNG pixels = figure points
        # A placeholder engine, not None: savefig resets a None engine from rcParams, and
        # a notebook that turned on constrained layout would then warn on every redraw.
        fig.set_layout_engine("none")
        self.canvas = _BlitCanvas(fig)
        # Fixed positions: an automatic layout would measure every label on every redraw.
        self.plane = b = fig.add_axes((0.06, 0.11, 0.36, 0.85))
        self.loss = fig.add_axes((0.51, 0.56, 0.41, 0.40))
        self.units = fig.add_axes((0.51, 0.02, 0.45, 0.36))
        self.accuracy = self.loss.twinx()
        # Plain "x1" rather than mathtext, few ticks: text is the slowest thing to draw.
        b.set_xlabel("x1")
        b.set_ylabel("x2")
        b.locator_params(nbins=4)
        self.loss.set_xlabel("epoch", labelpad=1)
        self.loss.set_ylabel("loss (solid)")
        self.loss.locator_params(nbins=4)
        self.accuracy.set_ylim(0, 1.02)
        self.accuracy.set_yticks([0, 0.5, 1])
        self.accuracy.set_ylabel("accuracy (dotted)")
        self.units.set_xticks([])
        self.units.tick_params(length=0, labelsize="small")
        self.units.set_title("each hidden unit's output (blue: high)", fontsize="small")
        for spine in self.units.spines.values():
            spine.set_visible(False)

        self.heat = b.imshow(np.zeros((2, 2, 4)), origin="lower", interpolation="bilinear", aspect="auto")
        # The boundary p = 0.5 as lines that change in place: contourpy is what
        # ``ax.contour`` uses, without the cost of making a new ContourSet each time.
        self.boundary = b.add_collection(LineCollection([], colors="k", linewidths=1.2), autolim=False)
        self.curves = {
            "loss": self.loss.plot([], [], color="C0", label="training loss")[0],
            "val_loss": self.loss.plot([], [], color="C1", label="validation loss")[0],
            "accuracy": self.accuracy.plot([], [], color="C0", ls=":", label="training accuracy")[0],
            "val_accuracy": self.accuracy.plot([], [], color="C1", ls=":", label="validation accuracy")[0],
        }
        self.mark = self.loss.axvline(0, color="grey", lw=1)
        self.tiles = self.units.imshow(np.zeros((2, 2)), origin="lower", cmap=plots.CMAP, vmin=0, vmax=1,
                                       interpolation="nearest", aspect="equal")
        self.notes = {(ax, text): plots.note(ax, text) for ax, text in
                      [(b, plots.NOT_FINITE), (self.units, plots.NOT_FINITE), (self.units, "no hidden layer")]}
        self.points, self.legend = [], None
        self._data, self._frame = None, None
        # The heatmap hides the axes' frame: draw the frame again after it, every time.
        for artist in [self.heat, self.boundary, self.mark, self.tiles, *self.curves.values(),
                       *self.notes.values(), *b.spines.values()]:
            artist.set_animated(True)

    def draw(self, data, model, history, mark=None):
        """Show ``model`` (or None) on ``data`` (X_train, y_train, X_val, y_val, or None) with
        its ``history`` (or None), and a vertical line at epoch ``mark`` (or None). Returns the Figure."""
        for artist in [self.heat, self.boundary, self.mark, self.tiles, *self.curves.values(),
                       *self.notes.values()]:
            artist.set_visible(False)
        for points in self.points:
            points.set_visible(data is not None)
        frame = {}  # what the still parts show; the background is redrawn when it changes
        if data is not None:
            X = np.vstack([data[0], data[2]])
            frame["plane"] = plots.round_limits(X)
            self._show_points(data)
            if model is not None:
                self._show_model(model, X, frame)
        if history is not None:
            self._show_history(history, mark, frame)
        if frame != self._frame:
            old = self._frame or {}
            changed = [self.AXES[key](self) for key in self.AXES if frame.get(key) != old.get(key)]
            self.canvas.forget_background([ax for group in changed for ax in group])
            self._set_frame(frame)
            self._frame = frame
        return self.figure

    def _show_points(self, data):
        if self._data is not None and all(np.array_equal(a, b) for a, b in zip(data, self._data)):
            return
        groups = [(data[0], data[1])] + ([(data[2], data[3])] if len(data[2]) else [])
        if len(self.points) == 2 * len(groups):
            # The same kinds of points as last time: move them (making new ones costs more).
            for g, (X, y) in enumerate(groups):
                for cls in (0, 1):
                    self.points[2 * g + cls].set_offsets(X[y == cls])
            self._data = data
            return
        for points in self.points:
            points.remove()
        b = self.plane
        first = len(b.collections)
        plots.scatter_classes(data[0], data[1], ax=b, size=12)
        if len(data[2]):
            plots.scatter_classes(data[2], data[3], ax=b, marker="^", edge="black", label_prefix="val ", size=12)
        self.points = b.collections[first:]
        for points in self.points:
            points.set_animated(True)
        self._data = data

    def _show_model(self, model, X, frame):
        (x0, x1), (y0, y1) = frame["plane"]
        grid, xs, ys = plots.grid_between((x0, x1), (y0, y1), self.RESOLUTION)
        p = plots.probability_of_class_1(model, grid)
        if p is None:
            self.notes[self.plane, plots.NOT_FINITE].set_visible(True)
        else:
            p = p.reshape(len(ys), len(xs))
            # Colours mixed with the white behind them here, on G x G pixels, rather than
            # by matplotlib on every pixel of the axes (what alpha=0.6 would cost).
            rgba = matplotlib.colormaps[plots.CMAP](p)
            rgba[..., :3] = 0.6 * rgba[..., :3] + 0.4
            self.heat.set_data((rgba * 255).round().astype(np.uint8))
            self.heat.set_extent((x0, x1, y0, y1))
            self.heat.set_visible(True)
            self.boundary.set_segments(contour_generator(xs, ys, p).lines(0.5))
            self.boundary.set_visible(True)
        image, why = plots.hidden_units_image(model, X, self.TILE)
        if image is None:
            self.notes[self.units, why].set_visible(True)
        else:
            self.tiles.set_data(np.ma.masked_invalid(image))
            rows, cols = image.shape
            self.tiles.set_extent((-0.5, cols - 0.5, -0.5, rows - 0.5))
            self.tiles.set_visible(True)
            frame["tiles"] = image.shape

    def _show_history(self, history, mark, frame):
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
        # near log 2 = 0.69 gets 1 whatever the seed): the background stays.
        top = plots.round_up(max(losses), steps=(1, 2, 5, 10)) if losses and max(losses) > 0 else 1.0
        frame["history"] = (max(len(epochs), 1), top, history.diverged_epoch if history.diverged else None,
                            bool(history.loss), bool(history.val_loss))

    def _set_frame(self, frame):
        """Set the still parts: limits, ticks, titles and the legend."""
        (x0, x1), (y0, y1) = frame.get("plane", ((0, 1), (0, 1)))
        self.plane.set_xlim(x0, x1)
        self.plane.set_ylim(y0, y1)
        epochs, top, diverged, has_train, has_val = frame.get("history", (1, 1.0, None, False, False))
        self.loss.set_xlim(0, epochs)
        self.loss.set_ylim(-0.03 * top, 1.03 * top)  # the curve at 0 stays clear of the frame
        self.loss.set_title("" if diverged is None else f"diverged at epoch {diverged}: lower the learning rate",
                            color="crimson", fontsize="small")
        if self.legend is not None:
            self.legend.remove()
        # Two entries, not four (the axis labels say which curves are dotted): a legend
        # is the slowest part of the figure to draw.
        self.legend = self.accuracy.legend([self.curves["loss"], self.curves["val_loss"]][:1 + has_val],
                                           ["training", "validation"][:1 + has_val],
                                           loc="center right", fontsize="small", framealpha=1)
        self.legend.set_visible(has_train)
        self.canvas.on_top = [self.legend]
        rows, cols = frame.get("tiles", (0, 0))
        side = self.TILE + plots.TILE_GAP
        self.units.set_xlim(-0.5, max(cols, 1) - 0.5)
        self.units.set_ylim(-0.5, max(rows, 1) - 0.5)
        self.units.set_yticks(*plots.layer_ticks(rows // side, self.TILE))


def png_output(fig):
    """The Output widget's PNG entry for ``fig``, a ``PlaygroundFigure``'s Figure."""
    fig.canvas.draw()
    return {
        "output_type": "display_data",
        "data": {"image/png": base64.b64encode(_png(np.asarray(fig.canvas.buffer_rgba()))).decode("ascii"),
                 "text/plain": f"<Figure size {fig.bbox.width:.0f}x{fig.bbox.height:.0f} with {len(fig.axes)} Axes>"},
        "metadata": {},
    }


def _png(rgba):
    """The PNG file of an image (H, W, 4) of bytes.

    Written here because Pillow (what savefig uses) tries several filters on every row
    to compress it best: on the playground's picture that takes three times as long as
    compressing the plain rows, for no smaller a file. Fast compression too: the image
    is shown once, and size matters less than time here.
    """
    height, width, _ = rgba.shape
    rows = np.zeros((height, 1 + 4 * width), np.uint8)  # each row: filter type 0 (none), its pixels
    rows[:, 1:] = rgba.reshape(height, -1)

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)  # 8 bits per channel, RGBA
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows.tobytes(), 1))
            + chunk(b"IEND", b""))
