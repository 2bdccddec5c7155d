"""The playground's picture of the network, as TensorFlow Playground draws it: the input
features, each hidden unit and the outputs as small heatmaps over the plane, joined by
edges coloured by the sign of their weight and as thick as its size.

It is HTML (an SVG of the edges under positioned images), shown in an ``HTML`` widget:
hovering over a unit, or clicking it (which focuses it; Tab reaches it too), enlarges
its heatmap, all in the browser, so no redraw is needed for it. Drawing only: the
values of each unit come in as numbers.
"""

import base64
import html
import io

import numpy as np
import PIL.Image

from .figure import rdbu

TILE = 20  # grid points per side of a unit's heatmap
SIDE = 26  # pixels per side of a unit on the page (4x when enlarged)
GAP = 8  # pixels between the units of a column
COLUMN = 110  # pixels between columns
POSITIVE, NEGATIVE = "#0877bd", "#f59322"  # blue and orange, as the classes and the heatmaps

STYLE = """<style>
.nnlib-diagram {position: relative; font: 11px sans-serif;}
.nnlib-diagram .unit {position: absolute; border: 1px solid #888; box-sizing: border-box;
  transition: transform 0.1s; transform-origin: left center; background-repeat: no-repeat;}
.nnlib-diagram .unit:hover, .nnlib-diagram .unit:focus {transform: scale(4); z-index: 10;
  outline: 2px solid black;}
.nnlib-diagram .label {position: absolute; white-space: nowrap;}
</style>"""


def unit_tiles(values):
    """Each unit's values over the grid (G*G, U) as U tiles (G, G) scaled to [0, 1]: 1 at
    the unit's largest value, 0 at its most negative (or at zero if it never goes below).
    None for units whose values are not finite."""
    G = int(round(np.sqrt(len(values))))
    tiles = []
    for u in range(values.shape[1]):
        v = values[:, u].reshape(G, G)
        if not np.all(np.isfinite(v)):
            tiles.append(None)
            continue
        lo = min(v.min(), 0.0)
        scale = max(v.max() - lo, 1e-12) if lo == 0.0 else max(np.abs(v).max(), 1e-12)
        tiles.append(v / scale if lo == 0.0 else (v / scale + 1) / 2)
    return tiles


def tile_colours(tile):
    """A tile (see ``Diagram``) as RGB bytes (G, G, 3), the top of the plane first."""
    if tile is None:
        return np.full((TILE, TILE, 3), 200, np.uint8)  # grey: nothing finite to show
    if tile.ndim == 3:
        return tile[::-1, :, :3]  # colours already (the output of a regression)
    return (rdbu(tile[::-1]) * 255).round().astype(np.uint8)


def png_bytes(rgb):
    """RGB bytes (H, W, 3) as a PNG file."""
    buf = io.BytesIO()
    PIL.Image.fromarray(np.ascontiguousarray(rgb)).save(buf, format="png", compress_level=1)
    return buf.getvalue()


class Diagram:
    """The network's picture: ``columns`` of (name, tile) units and ``weights`` between them.

    - columns: one list per column (inputs, each hidden layer, outputs) of
      ``(name, tile)``; a tile is (G, G) in [0, 1], (G, G, 3) colours, or None.
    - weights: the weight matrices W (units of one column x units of the next).

    ``edges`` lists ``(column, i, j, w, colour, width)``: the edge from unit i of a column
    to unit j of the next, its weight, its colour (blue positive, orange dashed
    negative) and its width (``0.5 + 4 |w| / max |w|`` pixels). ``html`` is what the
    page shows.
    """

    def __init__(self, columns, weights):
        self.columns = columns
        self.weights = [np.asarray(W) for W in weights]
        biggest = max([np.abs(W[np.isfinite(W)]).max(initial=0.0) for W in self.weights] + [1e-12])
        self.edges = [(c, i, j, float(W[i, j]), POSITIVE if W[i, j] >= 0 else NEGATIVE,
                       0.5 + 4 * min(abs(float(W[i, j])), biggest) / biggest if np.isfinite(W[i, j]) else 0.5)
                      for c, W in enumerate(self.weights)
                      for i in range(W.shape[0]) for j in range(W.shape[1])]
        self.html = self._html()

    def _position(self, column, unit):
        """Top-left corner of a unit, the columns centred on the tallest."""
        tallest = max(len(c) for c in self.columns)
        top = (tallest - len(self.columns[column])) * (SIDE + GAP) / 2
        return 60 + column * COLUMN, 16 + top + unit * (SIDE + GAP)

    def _html(self):
        tallest = max(len(c) for c in self.columns)
        width = 60 + (len(self.columns) - 1) * COLUMN + SIDE + 60
        height = 16 + tallest * (SIDE + GAP) + 4
        lines = []
        for c, i, j, w, colour, stroke in self.edges:
            (x0, y0), (x1, y1) = self._position(c, i), self._position(c + 1, j)
            dash = ' stroke-dasharray="4 2"' if w < 0 else ""
            lines.append(f'<line x1="{x0 + SIDE}" y1="{y0 + SIDE / 2}" x2="{x1}" y2="{y1 + SIDE / 2}" '
                         f'stroke="{colour}" stroke-width="{stroke:.2f}"{dash} opacity="0.8">'
                         f'<title>weight {html.escape(self._name(c, i))} to {html.escape(self._name(c + 1, j))}: '
                         f'{w:.3g}</title></line>')
        # All heatmaps in one picture (one PNG to make and send), each unit showing its part.
        tiles = [tile for column in self.columns for _, tile in column]
        sprite = np.concatenate([tile_colours(tile) for tile in tiles], axis=1)
        uri = "data:image/png;base64," + base64.b64encode(png_bytes(sprite)).decode("ascii")
        Diagram._count += 1
        css = f"nnlib-units-{Diagram._count}"
        units, titles = [], ["inputs"] + [f"layer {k}" for k in range(1, len(self.columns) - 1)] + ["output"]
        k = 0
        for c, column in enumerate(self.columns):
            x, _ = self._position(c, 0)
            units.append(f'<div class="label" style="left:{x}px;top:0">{titles[c]}</div>')
            for u, (name, tile) in enumerate(column):
                x, y = self._position(c, u)
                text = html.escape(name)
                units.append(f'<div class="unit {css}" role="img" aria-label="heatmap of {text}" title="{text}" '
                             f'tabindex="0" style="left:{x}px;top:{y}px;width:{SIDE}px;height:{SIDE}px;'
                             f'background-position:-{k * SIDE}px 0"></div>')
                k += 1
                if c == 0:
                    units.append(f'<div class="label" style="left:4px;top:{y + SIDE / 2 - 7}px">{text}</div>')
        svg = (f'<svg width="{width}" height="{height}" style="position:absolute;left:0;top:0" '
               f'aria-hidden="true">{"".join(lines)}</svg>')
        sprite_css = (f"<style>.{css} {{background-image: url({uri}); "
                      f"background-size: {len(tiles) * SIDE}px {SIDE}px;}}</style>")
        return (f'{STYLE}{sprite_css}<div class="nnlib-diagram" role="group" aria-label="the network: inputs, hidden '
                f'units and outputs" style="width:{width}px;height:{height}px">{svg}{"".join(units)}</div>')

    _count = 0  # diagrams made: each names its own picture of the units

    def _name(self, column, unit):
        return self.columns[column][unit][0]

    def __repr__(self):
        sizes = [len(c) for c in self.columns]
        return f"Diagram(units per column {sizes}, {len(self.edges)} edges)"
