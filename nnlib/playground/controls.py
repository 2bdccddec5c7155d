"""The playground's controls: every one named for screen readers (its ``description``,
or a ``tooltip`` beside the symbol of a button), none of them doing any work.

Two controls are made of several widgets, as in TensorFlow Playground: the feature
column (a toggle per feature, each beside a small heatmap of it) and the widths of the
hidden layers (+ and - per layer). Each is a box with a ``value`` trait that
``observe`` reports, like any other control.
"""

import ipywidgets as w
import numpy as np
import traitlets

from ..features import FEATURES, make_features
from .setup import DATASETS, LOSSES

WIDE = {"description_width": "initial"}  # the whole description shown, never cut short
SLIDER = dict(style=WIDE, continuous_update=False)
# Rates offered, 10 a decade, rounded so that a screen reader says "0.158" (the value of
# the chosen option), never a slider's position on a log scale.
RATES = tuple(float(f"{10 ** (k / 10):.3g}") for k in range(-40, 11))
REG_RATES = (0.0001, 0.0003, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0)
MAX_UNITS = 16  # per hidden layer (the picture of the network stays on a screen)
MAX_LAYERS = 4  # hidden layers


class Choice(w.Dropdown):
    """A dropdown whose refusal of a value it does not offer names it ("activation must be
    one of ...") rather than ipywidgets' bare "Invalid selection"."""

    @traitlets.validate("value")
    def _validate_value(self, proposal):
        try:
            return super()._validate_value(proposal)
        except traitlets.TraitError:
            offered = [o[1] if isinstance(o, tuple) else o for o in self.options]
            raise traitlets.TraitError(f"{self.description} must be one of {offered}, got {proposal.value!r}") from None


class NumberDropdown(w.Dropdown):
    """A dropdown of numbers (rates, shares) that takes any other number too, adding it to
    the choices. A dropdown, not a slider: a screen reader says its name and its value
    ("learning rate, 0.158"); ipywidgets' sliders give their handle neither."""

    def __init__(self, value, choices, description, low, high):
        self.low, self.high = low, high  # the numbers it takes besides its choices: low <= value <= high
        super().__init__(options=[(f"{r:g}", r) for r in choices], value=value, description=description, style=WIDE)

    @traitlets.validate("value")
    def _validate_value(self, proposal):
        value, choices = proposal.value, [r for _, r in self.options]
        if isinstance(value, bool) or not isinstance(value, (int, float, np.number)) \
                or not self.low <= value <= self.high:
            raise traitlets.TraitError(f"{self.description} must be a number from {self.low:g} to {self.high:g}, "
                                       f"got {value!r}")
        if value not in choices:
            self.options = [(f"{r:g}", r) for r in sorted({*choices, value})]
        return super()._validate_value(proposal)


def steps(low, high, step):
    return [round(low + k * step, 10) for k in range(int(round((high - low) / step)) + 1)]


class FeatureColumn(w.VBox):
    """A toggle per input feature of ``FEATURES``; ``value`` is the tuple switched on."""

    value = traitlets.Tuple()

    def __init__(self, value=("x1", "x2")):
        self.toggles = {name: w.ToggleButton(description=name, tooltip=f"use {name} as an input",
                                             layout=w.Layout(width="70px")) for name in FEATURES}
        # HTML holding an <img> with its alt text (an Image widget has none to give).
        self.images = {name: w.HTML(layout=w.Layout(width="30px")) for name in FEATURES}
        super().__init__([w.HTML("<b>features</b>")]
                         + [w.HBox([self.images[n], self.toggles[n]]) for n in FEATURES])
        self.value = tuple(value)
        for toggle in self.toggles.values():
            toggle.observe(self._toggled, names="value")

    @traitlets.validate("value")
    def _valid(self, proposal):
        chosen = tuple(proposal["value"])
        make_features(np.zeros((1, 2)), chosen)  # a clear error for unknown names
        return tuple(name for name in FEATURES if name in chosen)

    @traitlets.observe("value")
    def _show(self, change):
        self._showing = True  # the toggles follow the value, one by one: no value from them meanwhile
        try:
            for name, toggle in self.toggles.items():
                toggle.value = name in change["new"]
        finally:
            self._showing = False

    _showing = False

    def _toggled(self, change):
        if self._showing:
            return
        chosen = tuple(name for name, toggle in self.toggles.items() if toggle.value)
        if not chosen:  # a network needs an input: switch the last one back on
            change["owner"].value = True
        elif chosen != self.value:
            self.value = chosen


class LayerWidths(w.HBox):
    """The number of units of each hidden layer, with + and - per layer; ``value`` is the tuple."""

    value = traitlets.Tuple()

    def __init__(self, value=(8, 8)):
        super().__init__(layout=w.Layout(flex_flow="row wrap"))
        self.buttons = []
        self.value = tuple(value)

    @traitlets.validate("value")
    def _valid(self, proposal):
        widths = tuple(proposal["value"])
        bad = [u for u in widths if isinstance(u, bool) or not isinstance(u, (int, np.integer))
               or not 1 <= u <= MAX_UNITS]
        if bad:
            raise traitlets.TraitError(f"units must be whole numbers from 1 to {MAX_UNITS} per hidden layer, "
                                       f"got {widths!r}")
        return tuple(int(u) for u in widths)

    @traitlets.observe("value")
    def _show(self, change):
        boxes, self.buttons = [], []
        for layer, units in enumerate(change["new"]):
            more = w.Button(description="+", tooltip=f"one more unit in hidden layer {layer + 1}",
                            disabled=units >= MAX_UNITS, layout=w.Layout(width="32px"))
            fewer = w.Button(description="-", tooltip=f"one unit fewer in hidden layer {layer + 1}",
                             disabled=units <= 1, layout=w.Layout(width="32px"))
            more.on_click(lambda _, k=layer: self.change_layer(k, +1))
            fewer.on_click(lambda _, k=layer: self.change_layer(k, -1))
            self.buttons.append((more, fewer))
            boxes.append(w.VBox([w.HTML(f"layer {layer + 1}: {units} units"), w.HBox([fewer, more])]))
        self.children = boxes or [w.HTML("no hidden layer")]

    def change_layer(self, layer, step):
        widths = list(self.value)
        widths[layer] = min(max(widths[layer] + step, 1), MAX_UNITS)
        self.value = tuple(widths)

    def resize(self, layers):
        """``layers`` widths: the first ones kept, new layers as wide as the last (or 4)."""
        widths = self.value[:layers]
        self.value = widths + (widths[-1] if widths else 4,) * (layers - len(widths))


def make_controls():
    """The controls, by name (the keyword arguments of ``Playground``)."""
    return {
        "dataset": Choice(options=list(DATASETS), value="playground circle", description="data set", style=WIDE),
        "noise": NumberDropdown(0.0, steps(0, 0.5, 0.05), "noise", 0.0, 0.5),
        "n_points": w.BoundedIntText(value=500, min=2, max=1000, step=10, description="points", **SLIDER),
        "val_fraction": NumberDropdown(0.2, steps(0, 0.5, 0.05), "validation share", 0.0, 0.9),
        "positive_fraction": NumberDropdown(0.5, steps(0.05, 0.95, 0.05), "class 1 share", 0.0, 1.0),
        "data_seed": w.BoundedIntText(value=0, min=0, max=10**6, description="data seed", **SLIDER),
        "features": FeatureColumn(),
        "hidden_layers": Choice(options=list(range(MAX_LAYERS + 1)), value=2, description="hidden layers", style=WIDE),
        "units": LayerWidths(),
        "activation": Choice(options=["tanh", "relu", "sigmoid"], value="tanh", description="activation", style=WIDE),
        "init_seed": w.BoundedIntText(value=0, min=0, max=10**6, description="init seed", **SLIDER),
        "loss": Choice(options=list(LOSSES), value="cross entropy", description="loss", style=WIDE),
        "optimizer": Choice(options=[("SGD, momentum 0.9", "sgd"), ("Adam", "adam")], value="sgd",
                                description="optimiser", style=WIDE),
        "lr": NumberDropdown(0.1, RATES, "learning rate", 0.0, 10.0),
        "regularization": Choice(options=["none", "L1", "L2"], value="none", description="regularisation", style=WIDE),
        "reg_rate": NumberDropdown(0.001, REG_RATES, "regularisation rate", 0.0, 1.0),
        "batch_size": Choice(options=[("full batch", "full"), ("1", 1), ("10", 10), ("32", 32), ("100", 100)],
                                 value="full", description="batch size", style=WIDE),
        "epochs": w.BoundedIntText(value=300, min=0, max=1000, step=10, description="epochs", **SLIDER),
        "show_test": w.Checkbox(value=True, description="show test data", indent=False),
        "discretize": w.Checkbox(value=False, description="discretize output", indent=False),
    }


def apply(controls, values):
    """Set controls by name; ``units`` may be one width for every hidden layer, or a
    tuple of widths, one per hidden layer (which sets ``hidden_layers`` too).

    A value the control does not offer is refused with a ValueError that names the
    control (a bounded box would clamp it silently, a dropdown say "invalid selection").
    """
    for name, value in values.items():
        _check(controls[name], name, value)
    try:
        _apply(controls, values)
    except traitlets.TraitError as e:
        raise ValueError(str(e)) from None


def _check(control, name, value):
    """Refuse ``value`` for ``control`` (keyword ``name``) unless the control offers it."""
    if isinstance(control, w.BoundedIntText):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) \
                or not control.min <= value <= control.max:
            raise ValueError(f"{name} must be a whole number from {control.min} to {control.max}, got {value!r}")
    elif isinstance(control, NumberDropdown):
        if isinstance(value, bool) or not isinstance(value, (int, float, np.number)) \
                or not control.low <= value <= control.high:
            raise ValueError(f"{name} must be a number from {control.low:g} to {control.high:g}, got {value!r}")
    elif isinstance(control, w.Dropdown):
        offered = [o[1] if isinstance(o, tuple) else o for o in control.options]
        if isinstance(value, (bool, np.bool_)) or not any(_same(value, o) for o in offered):
            raise ValueError(f"{name} must be one of {offered}, got {value!r}")
    elif isinstance(control, w.Checkbox):
        if not isinstance(value, (bool, np.bool_)):
            raise ValueError(f"{name} must be True or False, got {value!r}")
    elif name == "features":
        if isinstance(value, str) or not isinstance(value, (tuple, list)):
            raise ValueError(f"features must be a tuple of feature names such as ('x1', 'x2'), got {value!r}")
        make_features(np.zeros((1, 2)), value)  # a clear error for unknown or repeated names
    elif name == "units":
        widths = tuple(value) if isinstance(value, (tuple, list)) else (value,)
        if len(widths) > MAX_LAYERS or any(isinstance(u, bool) or not isinstance(u, (int, np.integer))
                                           or not 1 <= u <= MAX_UNITS for u in widths):
            raise ValueError(f"units must be whole numbers from 1 to {MAX_UNITS} per hidden layer, at most "
                             f"{MAX_LAYERS} layers, got {value!r}")


def _same(value, option):
    try:
        return bool(value == option)
    except (TypeError, ValueError):  # an array, say: not an option
        return False


def _apply(controls, values):
    c = controls
    if "hidden_layers" in values:
        c["hidden_layers"].value = values["hidden_layers"]
        c["units"].resize(c["hidden_layers"].value)
    units = values.get("units")
    if isinstance(units, (tuple, list)):
        if "hidden_layers" in values and len(units) != values["hidden_layers"]:
            raise ValueError(f"units must give one width per hidden layer ({values['hidden_layers']}), "
                             f"got {tuple(units)!r}")
        c["hidden_layers"].value = len(units)
        c["units"].value = tuple(units)
    elif units is not None:
        c["units"].value = (units,) * c["hidden_layers"].value
    for name, value in values.items():
        if name not in ("hidden_layers", "units"):
            c[name].value = tuple(value) if name == "features" else value


# Controls that change only the picture, not the training.
DISPLAY_ONLY = ("show_test", "discretize")


def make_buttons():
    """The buttons, by name; each says in its tooltip what it does."""
    button = lambda description, icon, tooltip: w.Button(description=description, icon=icon, tooltip=tooltip)
    return {
        "play": button("play", "play", "train on, epoch after epoch, until paused"),
        "pause": button("pause", "pause", "stop training after this epoch"),
        "step": button("step", "step-forward", "train one more epoch"),
        "retrain": button("retrain", "refresh", "new initial weights (init seed + 1)"),
        "reset": button("reset weights", "undo", "train again from the same initial weights"),
    }
