"""Drawing the playground's figure fast: a canvas that draws the still parts once, and
the PNG the Output widget shows.

A redraw of the playground changes only the data of a few artists (see ``figure``),
so the canvas keeps a picture of everything else (the "background") and draws only
those artists over it. Drawing only: no maths here.
"""

import struct
import zlib
from contextlib import contextmanager

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.patches import Rectangle
from matplotlib.transforms import Bbox, IdentityTransform

from ..widgets import image_output


class BlitCanvas(FigureCanvasAgg):
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


def png_output(fig, alt):
    """The Output widget's entry for ``fig`` (a ``PlaygroundFigure``'s Figure), as
    ``widgets.image_output`` makes it, with the PNG of this module's own writer."""
    fig.canvas.draw()
    width, height = fig.bbox.width, fig.bbox.height
    return image_output(_png(np.asarray(fig.canvas.buffer_rgba())), alt,
                        f"<Figure size {width:.0f}x{height:.0f} with {len(fig.axes)} Axes>", (width, height))


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
