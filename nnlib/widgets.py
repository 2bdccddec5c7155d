"""Interactive panels for the lessons: wiring only, no maths.

Every panel follows one pattern, so that it behaves the same live and under nbval:
controls with ``continuous_update=False``, one ``Output`` and a status line. A redraw
builds a ``matplotlib.figure.Figure`` directly (not through pyplot, so nothing is
shown as a side effect), then replaces the Output's contents with it. Displaying a
panel shows only the widget, whose text form is stable.

The playground redraws on every change of a control and on every step of its epoch
slider, so it keeps one figure and redraws only what changed (``PlaygroundFigure``).
"""

import html
import warnings

import ipywidgets as w
import numpy as np
from matplotlib.figure import Figure

from . import data, layers
from .model import MLP
from .optim import SGD, Adam
from .playground_figure import PlaygroundFigure, png_output
from .train import TrainingDiverged, train


class _Shown:
    """How a panel shows itself: its widget in a notebook, its settings as text."""

    def values(self):
        return {name: c.value for name, c in self.controls.items()}

    def _repr_mimebundle_(self, **kwargs):
        bundle = self.widget._repr_mimebundle_(**kwargs)
        bundle["text/plain"] = repr(self)  # readable, and stable for nbval
        return bundle

    def __repr__(self):
        names = ", ".join(f"{k}={v!r}" for k, v in self.values().items())
        return f"{type(self).__name__}({names})"


class Panel(_Shown):
    """Controls + a figure + a status line, redrawn whenever a control changes.

    - controls: dict of name -> ipywidgets control (sliders, dropdowns, checkboxes...).
    - draw: function ``draw(fig, **values) -> str``; it draws on the empty Figure ``fig``
      and returns the status text (or None). ``values`` maps control names to values.
    - figsize: size of the figure in inches.

    Attributes for tests and curious learners: ``controls``, ``figure`` (the last
    Figure drawn), ``status`` (its text), ``widget`` (the ipywidgets box).
    """

    def __init__(self, controls, draw, figsize=(8, 3.5), title=None):
        self.controls = dict(controls)
        self.draw = draw
        self.figsize = figsize
        self.out = w.Output()
        self.status_label = w.HTML()
        self.figure = None
        self.status = ""
        for control in self.controls.values():
            if hasattr(control, "continuous_update"):
                control.continuous_update = False
            control.observe(self._on_change, names="value")
        header = [w.HTML(f"<b>{title}</b>")] if title else []
        self.widget = w.VBox(header + [self.controls_box(), self.out, self.status_label])
        # CSS classes let browser tests find the parts of a panel on the page.
        self.widget.add_class("nnlib-panel")
        self.out.add_class("nnlib-figure")
        self.status_label.add_class("nnlib-status")
        self.update()

    def controls_box(self):
        return w.HBox(list(self.controls.values()), layout=w.Layout(flex_flow="row wrap"))

    def _on_change(self, change):
        self.update()

    def update(self):
        """Redraw from the current control values."""
        fig = Figure(figsize=self.figsize, layout="constrained")
        status = self.draw(fig, **self.values())
        self.show(fig, status)

    def show(self, fig, status):
        self.figure = fig
        self.status = status or ""
        self.status_label.value = self.status
        self.out.outputs = ()
        self.out.append_display_data(fig)


DATASETS = {
    "circle": "make_circle",
    "playground circle": "make_playground_circle",
    "xor": "make_xor",
    "spiral": "make_spiral",
    "gaussian blobs": "make_blobs",
}
LOSSES = {"cross entropy": "BCEWithLogitsLoss", "MSE": "SigmoidMSELoss"}
# A run may take at most this many gradient steps (epochs x batches), so that no
# setting (batch size 1 for 1000 epochs) freezes the page; the status says so.
MAX_STEPS = 20_000
# Weight snapshots kept for stepping through training (plus the first and last epoch).
SNAPSHOTS = 100
# Single precision: tanh and exp run several times faster on float32 arrays, and a
# playground has no use for the 16 digits of float64. "show as code" says so too.
DTYPE = "float32"


class Playground(_Shown):
    """TensorFlow Playground in a notebook: pick data, network and optimiser, watch it train.

    Every change of a control trains a fresh network from the initial weights given by
    "init seed" (so two learning rates are compared from the same start) and redraws:
    the decision boundary with training (dots) and validation (triangles) points, the
    loss and accuracy curves, and each hidden unit's output over the plane.

    - "retrain" draws new initial weights (init seed + 1) and trains again.
    - "reset weights" goes back to the initial weights of the current init seed and
      trains again, from the very same start.
    - the "epoch" slider steps through training: the boundary at any recorded epoch.
    - "show as code" holds the ``nnlib`` calls that reproduce the current settings.

    State for tests and curious learners: ``controls`` (name -> widget), ``history``
    (the last ``History``), ``model``, ``status`` (text), ``figure`` (the last
    matplotlib Figure), ``code`` (text), ``step_slider``, ``retrain_button``,
    ``reset_button``, ``widget`` (the ipywidgets box). Keyword arguments set the
    starting values of controls by name, e.g. ``Playground(dataset="xor", lr=0.03)``;
    ``set(**values)`` changes several at once with a single retrain.
    """

    def __init__(self, figsize=(10, 4.2), **values):
        self.figsize = figsize
        self.controls = _playground_controls()
        unknown = set(values) - set(self.controls)
        if unknown:
            raise ValueError(f"unknown controls {sorted(unknown)}; the controls are {list(self.controls)}")
        for name, value in values.items():
            self.controls[name].value = value  # not observed yet: the first update is below
        self.retrain_button = w.Button(description="retrain", tooltip="new initial weights (init seed + 1)")
        self.reset_button = w.Button(description="reset weights", tooltip="train again from the same initial weights")
        self.step_slider = w.IntSlider(description="epoch", min=0, max=0, continuous_update=False)
        self.out = w.Output()
        self.status_label = w.HTML()
        self.code_view = w.HTML()
        self.figure, self.status, self.code = None, "", ""
        self.history, self.model, self.data, self.snapshots = None, None, None, {}
        for control in self.controls.values():
            control.observe(self._on_change, names="value")
        self.retrain_button.on_click(lambda _: self.new_weights())
        self.reset_button.on_click(lambda _: self.update())
        self.step_slider.observe(self._on_step, names="value")
        self.widget = self._layout()
        self.update()

    def _layout(self):
        c = self.controls
        column = lambda title, names: w.VBox([w.HTML(f"<b>{title}</b>")] + [c[n] for n in names])
        controls = w.HBox([
            column("data", ["dataset", "noise", "n_points", "val_fraction", "positive_fraction", "data_seed"]),
            column("network", ["hidden_layers", "units", "activation", "init_seed"]),
            column("training", ["loss", "optimizer", "lr", "batch_size", "epochs"]),
        ], layout=w.Layout(flex_flow="row wrap"))
        code = w.Accordion(children=[self.code_view], titles=("show as code",))
        box = w.VBox([controls, w.HBox([self.retrain_button, self.reset_button]), self.out,
                      self.step_slider, self.status_label, code])
        # The Panel classes let browser tests find the parts, as on every other panel.
        box.add_class("nnlib-panel")
        box.add_class("nnlib-playground")
        self.out.add_class("nnlib-figure")
        self.status_label.add_class("nnlib-status")
        return box

    def _on_change(self, change):
        if not self._holding:
            self.update()

    _holding = False

    def set(self, **values):
        """Set several controls by name, then train and redraw once (not once per control)."""
        unknown = set(values) - set(self.controls)
        if unknown:
            raise ValueError(f"unknown controls {sorted(unknown)}; the controls are {list(self.controls)}")
        self._holding = True
        try:
            for name, value in values.items():
                self.controls[name].value = value
        finally:
            self._holding = False
        self.update()

    def new_weights(self):
        """Draw new initial weights (init seed + 1); the change retrains."""
        self.controls["init_seed"].value += 1

    def update(self):
        """Train from the current control values and redraw."""
        v = self.values()
        self.data = self.model = self.history = None
        try:
            self.data, made = _make_data(v)
            self.code = settings_as_code(v, made)
            self.code_view.value = f"<pre>{html.escape(self.code)}</pre>"
            self.model, self.history, self.snapshots, stopped = _train(self.data, v)
        except ValueError as e:  # settings the library refuses: say why, do not raise
            self.model, self.history, self.snapshots = None, None, {}
            self._show(self._draw(None), f"cannot train with these settings: {e}")
            return
        h = self.history
        if h.diverged:
            status = h.message
        else:
            status = f"{h.epochs_run} epochs in {h.seconds * 1000:.0f} ms: {_scores(h, -1)}"
            if stopped:
                status += (f" (stopped at the limit of {MAX_STEPS:,} gradient steps per run: "
                           "use a larger batch or fewer epochs)")
        self._set_step(h.epochs_run)
        self._show(self._draw(h.epochs_run), status)

    def _on_step(self, change):
        if self.history is None or self._stepping:
            return
        epoch = change["new"]
        h = self.history
        scores = "initial weights" if epoch == 0 else _scores(h, epoch - 1)
        shown = max(e for e in self.snapshots if e <= epoch)
        self._show(self._draw(epoch), f"epoch {epoch} of {h.epochs_run} (weights of epoch {shown}): {scores}")

    _stepping = False

    def _set_step(self, epochs):
        self._stepping = True  # moving the slider here must not redraw a second time
        try:
            self.step_slider.max = max(epochs, 0)
            self.step_slider.value = epochs
        finally:
            self._stepping = False

    def _draw(self, epoch):
        """The figure of the network at ``epoch`` (its nearest earlier snapshot)."""
        if self._picture is None:
            self._picture = PlaygroundFigure(self.figsize)
        h = self.history
        if self.model is not None:
            self.model.set_weights(self.snapshots[max(e for e in self.snapshots if e <= epoch)])
        mark = epoch if h is not None and epoch < h.epochs_run else None
        return self._picture.draw(self.data, self.model if h is not None else None, h, mark)

    _picture = None

    def _show(self, fig, status):
        self.figure = fig
        self.status = status
        self.status_label.value = html.escape(status)
        self.out.outputs = (png_output(fig),)


def _playground_controls():
    slider = dict(style={"description_width": "initial"}, continuous_update=False)
    return {
        "dataset": w.Dropdown(options=list(DATASETS), value="playground circle", description="data set"),
        "noise": w.FloatSlider(value=0.0, min=0.0, max=0.5, step=0.05, description="noise", **slider),
        "n_points": w.IntSlider(value=500, min=2, max=1000, step=1, description="points", **slider),
        "val_fraction": w.FloatSlider(value=0.2, min=0.0, max=0.5, step=0.05, description="validation share", **slider),
        "positive_fraction": w.FloatSlider(value=0.5, min=0.05, max=0.95, step=0.05,
                                           description="class 1 share", **slider),
        "data_seed": w.BoundedIntText(value=0, min=0, max=10**6, description="data seed", **slider),
        "hidden_layers": w.IntSlider(value=2, min=0, max=4, description="hidden layers", **slider),
        "units": w.IntSlider(value=8, min=1, max=32, description="units", **slider),
        "activation": w.Dropdown(options=["tanh", "relu", "sigmoid"], value="tanh", description="activation"),
        "init_seed": w.BoundedIntText(value=0, min=0, max=10**6, description="init seed", **slider),
        "loss": w.Dropdown(options=list(LOSSES), value="cross entropy", description="loss"),
        "optimizer": w.Dropdown(options=[("SGD, momentum 0.9", "sgd"), ("Adam", "adam")], value="sgd",
                                description="optimiser"),
        "lr": w.FloatLogSlider(value=0.1, base=10, min=-4, max=1, step=0.1, description="learning rate",
                               readout_format=".3g", **slider),
        "batch_size": w.Dropdown(options=[("full batch", "full"), ("1", 1), ("10", 10), ("32", 32), ("100", 100)],
                                 value="full", description="batch size"),
        "epochs": w.IntSlider(value=300, min=0, max=1000, step=10, description="epochs", **slider),
    }


def _data_call(v):
    """How to make the data set of the settings ``v``: (function name, keyword arguments, rebalance?)."""
    n, f = v["n_points"], v["positive_fraction"]
    if v["dataset"] == "circle":
        return "make_circle", dict(n=n, noise=v["noise"], positive_fraction=f, seed=v["data_seed"]), False
    return DATASETS[v["dataset"]], dict(n=n, noise=v["noise"], seed=v["data_seed"]), abs(f - 0.5) > 1e-9


def _make_data(v):
    """The train/validation splits of the settings ``v``, and how many points were made."""
    name, kwargs, balance = _data_call(v)
    make = getattr(data, name)
    X, y = make(**kwargs)
    n = made = kwargs["n"]
    if balance:
        f = v["positive_fraction"]
        n_pos = int(round(n * f))
        # Make more points until each class has its share (noisy labels can be scarce).
        while (np.sum(y == 1) < n_pos or np.sum(y == 0) < n - n_pos) and made < 64 * n:
            made *= 2
            X, y = make(**dict(kwargs, n=made))
        X, y = data.rebalance(X, y, f, n=n, seed=v["data_seed"])
    return data.train_val_split(X, y, val_fraction=v["val_fraction"], seed=v["data_seed"]), made


def _sizes(v):
    return [2] + [v["units"]] * v["hidden_layers"] + [1]


def _batch_size(v):
    return None if v["batch_size"] == "full" else v["batch_size"]


def _network(v):
    model = MLP(_sizes(v), activation=v["activation"], seed=v["init_seed"], dtype=DTYPE)
    loss = getattr(layers, LOSSES[v["loss"]])()
    optimizer = SGD(v["lr"], momentum=0.9) if v["optimizer"] == "sgd" else Adam(v["lr"])
    return model, loss, optimizer


def _train(splits, v):
    """Train on the splits with settings ``v``: (model, history, snapshots, stopped at MAX_STEPS)."""
    X_train, y_train, X_val, y_val = splits
    model, loss, optimizer = _network(v)
    batch = _batch_size(v)
    steps_per_epoch = 1 if batch is None else -(-len(X_train) // batch)
    max_epochs = max(MAX_STEPS // steps_per_epoch, 1)
    every = max(v["epochs"] // SNAPSHOTS, 1)
    snapshots = {0: model.get_weights()}

    def record(epoch, history, model):
        if epoch % every == 0:
            snapshots[epoch] = model.get_weights()
        return epoch < max_epochs

    with warnings.catch_warnings():
        # The status line reports divergence; a warning on top would only be noise here.
        warnings.simplefilter("ignore", TrainingDiverged)
        history = train(model, X_train, y_train, loss, optimizer, v["epochs"], batch_size=batch,
                        seed=v["data_seed"], callback=record, X_val=X_val, y_val=y_val)
    if not history.diverged and history.epochs_run not in snapshots:
        snapshots[history.epochs_run] = model.get_weights()
    stopped = not history.diverged and history.epochs_run < v["epochs"]
    return model, history, snapshots, stopped


def _scores(history, i):
    """Loss and accuracy at index ``i`` of the history, training (and validation)."""
    def pair(train_list, val_list, fmt):
        text = format(train_list[i], fmt)
        return text + (f" (val {format(val_list[i], fmt)})" if val_list else "")
    if not history.loss:
        return "no epoch run"
    text = "loss " + pair(history.loss, history.val_loss, ".4f")
    if history.accuracy:
        text += ", accuracy " + pair(history.accuracy, history.val_accuracy, ".1%")
    return text


def settings_as_code(v, made=None):
    """The ``nnlib`` calls that reproduce the playground's settings ``v`` (name -> value),
    as text; ``made`` is how many points were made before rebalancing the classes."""
    name, kwargs, balance = _data_call(v)
    args = lambda d: ", ".join(f"{k}={val!r}" for k, val in d.items())
    lines = ["import nnlib", "", f"X, y = nnlib.{name}({args(kwargs)})"]
    if balance:
        lines[-1] = f"X, y = nnlib.{name}({args(dict(kwargs, n=made or kwargs['n']))})"
        lines.append(f"X, y = nnlib.rebalance(X, y, positive_fraction={v['positive_fraction']!r}, "
                     f"n={v['n_points']}, seed={v['data_seed']})")
    opt = (f"nnlib.SGD(lr={v['lr']:.4g}, momentum=0.9)" if v["optimizer"] == "sgd"
           else f"nnlib.Adam(lr={v['lr']:.4g})")
    lines += [
        f"X_train, y_train, X_val, y_val = nnlib.train_val_split(X, y, val_fraction={v['val_fraction']:.4g}, "
        f"seed={v['data_seed']})",
        f"model = nnlib.MLP({_sizes(v)}, activation={v['activation']!r}, seed={v['init_seed']}, dtype={DTYPE!r})",
        f"history = nnlib.train(model, X_train, y_train, nnlib.{LOSSES[v['loss']]}(), {opt},",
        f"                      epochs={v['epochs']}, batch_size={_batch_size(v)}, seed={v['data_seed']},",
        "                      X_val=X_val, y_val=y_val)",
        "print(history)",
        "nnlib.plot_decision_boundary(model, X_train, y_train, X_val=X_val, y_val=y_val)",
    ]
    return "\n".join(lines)
