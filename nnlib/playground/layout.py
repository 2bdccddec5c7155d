"""Where the playground's parts sit on the page, and how they are brought up to date."""

import base64
import html

import ipywidgets as w

from .. import plots
from ..features import FEATURES, make_features
from .canvas import png_output
from .diagram import TILE, png_bytes, tile_colours, unit_tiles


class Parts:
    """The widgets that show the playground's state (the controls are in ``controls``)."""

    def __init__(self, pg):
        self.out = w.Output()
        self.status_label = w.HTML()
        self.epoch_label = w.HTML(value="epoch 0")
        self.diagram_view = w.HTML()
        self.confusion_view = w.HTML(layout=w.Layout(min_width="220px"))
        self.step_slider = w.BoundedIntText(description="epoch shown", min=0, max=0, continuous_update=False,
                                            style={"description_width": "initial"}, layout=w.Layout(width="200px"))
        # A toggle and a plain HTML box rather than an Accordion, which some notebook
        # front ends (Colab's) do not show.
        self.code_toggle = w.ToggleButton(description="show as code", icon="code",
                                          tooltip="the nnlib calls that train the same network")
        self.code_view = w.HTML(layout=w.Layout(display="none"))
        self._limits, self._moving = None, False
        self.code_toggle.observe(self._toggle_code, names="value")
        self.step_slider.observe(lambda change: self._moving or pg.scrub(change["new"]), names="value")
        c, b = pg.controls, pg.buttons
        column = lambda title, names: w.VBox(([w.HTML(f"<b>{title}</b>")] if title else []) + [c[n] for n in names])
        settings = w.HBox([
            column("data", ["dataset", "noise", "n_points", "val_fraction", "positive_fraction", "data_seed"]),
            c["features"],
            column("network", ["hidden_layers", "units", "activation", "init_seed"]),
            column("training", ["loss", "optimizer", "lr", "regularization", "reg_rate", "batch_size", "epochs"]),
        ], layout=w.Layout(flex_flow="row wrap"))
        buttons = w.HBox([b["play"], b["pause"], b["step"], self.epoch_label, b["retrain"], b["reset"],
                          c["show_test"], c["discretize"]], layout=w.Layout(flex_flow="row wrap"))
        self.box = w.VBox([settings, buttons, self.diagram_view, w.HBox([self.out, self.confusion_view]),
                           self.step_slider, self.status_label, self.code_toggle, self.code_view])
        # CSS classes let browser tests find the parts, as on every other panel.
        self.box.add_class("nnlib-panel")
        self.box.add_class("nnlib-playground")
        self.out.add_class("nnlib-figure")
        self.status_label.add_class("nnlib-status")
        self.epoch_label.add_class("nnlib-epoch")
        self.diagram_view.add_class("nnlib-network")
        self.confusion_view.add_class("nnlib-confusion")
        self.code_view.add_class("nnlib-code")

    def _toggle_code(self, change):
        self.code_view.layout.display = "block" if change["new"] else "none"

    def feature_images(self, limits):
        """Each feature's heatmap beside its toggle, over the plane ``limits``."""
        if limits == self._limits:
            return
        grid, _, _ = plots.grid_between(*limits, TILE)
        tiles = unit_tiles(make_features(grid, tuple(FEATURES)))
        column = self.box.children[0].children[1]
        for name, tile in zip(FEATURES, tiles):
            uri = base64.b64encode(png_bytes(tile_colours(tile))).decode("ascii")
            column.images[name].value = (f'<img src="data:image/png;base64,{uri}" width="24" height="24" '
                                         f'alt="heatmap of {html.escape(name)} over the plane">')
        self._limits = limits

    def refresh(self, pg, epoch=None):
        h = pg.history
        what = "regions of each class" if pg.task is None or pg.task.kind != "regression" else "output"
        self.alt = f"the model's {what} over the plane with the points, and the loss by epoch; {pg.status}"
        self.out.outputs = (png_output(pg.figure, self.alt),)
        self.status_label.value = html.escape(pg.status)
        self.epoch_label.value = f"epoch {0 if h is None else h.epochs_run}"
        self.diagram_view.value = "" if pg.diagram is None else pg.diagram.html
        self.confusion_view.value = pg.confusion_html
        self.code_view.value = f"<pre>{html.escape(pg.code)}</pre>"
        self._moving = True  # moving the slider here must not redraw a second time
        try:
            self.step_slider.max = 0 if h is None else h.epochs_run
            self.step_slider.value = self.step_slider.max if epoch is None else epoch
        finally:
            self._moving = False


def layout(pg):
    return Parts(pg)
