"""Lesson 7's widget: draw a digit on an 8 x 8 grid and see the network's ten probabilities.

Wiring only, no maths: the pixels go through ``scale_pixels`` (nnlib/digits.py), the
same preparation as the training images, then to the model's own ``predict_proba``.
It follows the pattern of ``widgets.Panel``: controls, one figure Output (a bar chart
redrawn after every change) and a status line.

Every cell of the grid is a toggle button, painted with the mouse or, from the keyboard,
reached with Tab and switched with Space or Enter. Its accessible name says where it is
and whether it is on: "row 3, column 5, off" (rows and columns count from 1, top left).
"""

import ipywidgets as w
import numpy as np
from matplotlib.figure import Figure

from .digits import PIXEL_MAX, scale_pixels
from .validation import as_float_array
from .widgets import Shown, figure_output

SIZE = 8  # the images are 8 x 8
ON = PIXEL_MAX  # a painted cell is full ink, 16; an empty one 0


class DigitPad(Shown):
    """Paint a digit; the bar chart shows ``model.predict_proba`` of it, live.

    - model: anything with ``predict_proba(X)`` -> (N, 10), trained on pixels prepared
      by ``scale_pixels`` (an ``nnlib.MLP``, yours included).
    - image: optional (64,) or (8, 8) pixels 0-16 to start from; a pixel of 8 or more
      is painted (the grid has only ink or no ink).
    - examples: optional (M, 64) images that the "an example" button shows in turn.

    Attributes for tests and curious learners: ``cells`` (64 ToggleButtons, row by row),
    ``pixels`` (64 values, 0 or 16), ``probabilities`` (10,), ``status``, ``figure``,
    ``widget``.
    """

    def __init__(self, model, image=None, examples=None):
        if not callable(getattr(model, "predict_proba", None)):
            raise TypeError(f"model must have a predict_proba(X) method, got {type(model).__name__}")
        self.model = model
        self.examples = None if examples is None else as_float_array(examples, "examples", ndim=2)
        self.next_example = 0
        self.cells = []
        for k in range(SIZE * SIZE):
            cell = w.ToggleButton(value=False, description="", layout=w.Layout(width="30px", height="30px"))
            cell.observe(self._on_change, names="value")
            self.cells.append(cell)
        self._name_cells()
        self.clear_button = w.Button(description="clear", tooltip="clear the grid")
        self.clear_button.on_click(lambda _: self.set_image(np.zeros(SIZE * SIZE)))
        buttons = [self.clear_button]
        if self.examples is not None:
            self.example_button = w.Button(description="an example", tooltip="show the next example image")
            self.example_button.on_click(lambda _: self.show_example())
            buttons.append(self.example_button)
        grid = w.GridBox(self.cells, layout=w.Layout(grid_template_columns=f"repeat({SIZE}, 32px)",
                                                     grid_gap="2px"))
        grid.add_class("nnlib-digit-grid")
        self.out = w.Output()
        self.status_label = w.HTML()
        self.figure, self.status, self.probabilities = None, "", None
        self.widget = w.VBox([w.HBox([w.VBox([grid, w.HBox(buttons)]), self.out]), self.status_label])
        # The CSS classes of every nnlib panel: browser tests and the book find its parts.
        self.widget.add_class("nnlib-panel")
        self.out.add_class("nnlib-figure")
        self.status_label.add_class("nnlib-status")
        self._quiet = False
        self.set_image(np.zeros(SIZE * SIZE) if image is None else image)

    @property
    def controls(self):
        return {"clear": self.clear_button}

    @property
    def pixels(self):
        """The 64 pixels drawn, row by row: 16 where a cell is on, else 0."""
        return np.array([ON if cell.value else 0.0 for cell in self.cells])

    def set_image(self, image):
        """Paint the grid from 64 (or 8 x 8) pixels of 0-16 (8 or more is ink), then redraw once."""
        image = as_float_array(image, "image").reshape(-1)
        if image.size != SIZE * SIZE:
            raise ValueError(f"image must have {SIZE * SIZE} pixels (8 x 8), got {image.size}")
        self._quiet = True  # one redraw for the whole image, not one per cell
        try:
            for cell, value in zip(self.cells, image):
                cell.value = bool(value >= ON / 2)
        finally:
            self._quiet = False
        self._name_cells()
        self.update()

    def show_example(self):
        """The next of ``examples``, in turn."""
        self.set_image(self.examples[self.next_example % len(self.examples)])
        self.next_example += 1

    def _name_cells(self):
        for k in range(len(self.cells)):
            self._name_cell(k)

    def _name_cell(self, k):
        # Its accessible name (the button's title) and a look that does not rely on colour alone.
        cell = self.cells[k]
        cell.tooltip = f"row {k // SIZE + 1}, column {k % SIZE + 1}, {'on' if cell.value else 'off'}"
        cell.button_style = "info" if cell.value else ""
        cell.icon = "square" if cell.value else ""

    def _on_change(self, change):
        if self._quiet:
            return
        self._name_cell(self.cells.index(change["owner"]))
        self.update()

    def update(self):
        """Ask the model for the ten probabilities of the drawing and redraw the bar chart."""
        p = np.asarray(self.model.predict_proba(scale_pixels(self.pixels[None, :])))[0]
        self.probabilities = p
        best = int(np.argmax(p))
        fig = Figure(figsize=(6.4, 2.9), layout="constrained")
        seen, ax = fig.subplots(1, 2, width_ratios=(1, 2.2))
        # What the network is given: the drawing as 64 pixels (also the pad's picture in a static page).
        seen.imshow(self.pixels.reshape(SIZE, SIZE), cmap="gray_r", vmin=0, vmax=ON)
        seen.set(xticks=[], yticks=[], title="the drawing, 8 x 8")
        bars = ax.bar(range(len(p)), p, color="#9ab8d6", edgecolor="#1f4e79")
        bars[best].set_color("#1f4e79")
        ax.set(ylim=(0, 1), xticks=range(len(p)), xlabel="digit", ylabel="probability",
               title=f"the network reads {best}")
        ax.spines[["top", "right"]].set_visible(False)
        ink = int(np.count_nonzero(self.pixels))
        self.status = (f"{ink} of 64 cells painted; the network reads {best}, with probability {p[best]:.2f}"
                       if ink else f"an empty grid; the network's best guess is {best}, with probability "
                                   f"{p[best]:.2f}")
        self.figure = fig
        self.status_label.value = self.status
        self.out.outputs = (figure_output(fig, "the drawing and a bar chart of the network's ten probabilities: "
                                               + self.status),)

    def __repr__(self):
        return f"DigitPad(cells painted: {int(np.count_nonzero(self.pixels))})"
