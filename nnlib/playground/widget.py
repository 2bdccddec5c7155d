"""``Playground``: TensorFlow Playground in a notebook. Wiring only: the data, the network
and the training are ``nnlib``'s (see ``setup``), the pictures are drawn in ``figure``
and ``diagram``, and the controls are made in ``controls``.
"""

import asyncio
import threading
import time
import warnings


from ..features import make_features
from ..history import TrainingDiverged
from ..train import train
from ..validation import check_int
from ..widgets import Shown
from . import controls as made, report, setup
from .figure import PlaygroundFigure
from .layout import layout
from .recipe import settings_as_code

# A run may take at most this many gradient steps (epochs x batches), and at most
# MAX_SECONDS (it stops before an epoch that would end later), so that no setting (batch
# size 1 for 1000 epochs, 5000 points through 4 layers of 16) freezes the page for more
# than a second with the redraw; the status says so. The default settings train in a
# tenth of that, so they train the same epochs on any machine that is not very busy.
MAX_STEPS = 20_000
MAX_SECONDS = 0.5
# Weight snapshots kept for stepping through training (plus the first and last epoch).
SNAPSHOTS = 100
# Pause between two live frames: the kernel reads the clicks (pause!) meanwhile.
FRAME_PAUSE = 0.01


class Playground(Shown):
    """TensorFlow Playground in a notebook: pick data, features, network and optimiser, watch it train.

    A change of a control trains a fresh network from the initial weights of "init
    seed" for "epochs" epochs, and redraws: the model's output over the plane with the
    training points (and the test points, "show test data"), the loss curves, a
    confusion matrix (MSE for a regression) and the network, every unit drawn as a
    heatmap (hover over one, or click it, to enlarge it).

    - play / pause / step (``play()``, ``pause()``, ``step(epochs=1)``): train on from
      the current weights, epoch after epoch, the history growing. Play runs on the
      kernel's event loop, so the notebook stays free; nothing starts by itself.
    - "retrain": new initial weights (init seed + 1); "reset weights": the same start again.
    - the "epoch" slider shows the network at a recorded epoch.
    - "show as code" (or ``print(pg.code)``) gives the ``nnlib`` calls that do the same.

    Keyword arguments set controls by name, e.g. ``Playground(dataset="xor", lr=0.03)``,
    ``Playground(features=("x1^2", "x2^2"), hidden_layers=0)`` or
    ``Playground(hidden_layers=2, units=(6, 3))``; ``data=(X, y)`` trains on your own
    points (N, 2) with labels 0/1 or 0..C-1, or float targets for a regression.
    ``set(**values)`` changes several controls with a single retrain. A value a control
    does not offer (``epochs=5000``, ``activation="softplus"``) is refused with a
    ValueError naming the control, never clamped. Every run stops after about
    ``MAX_SECONDS`` (the status says where), and play trains off the event loop.
    State for tests and curious learners: ``controls``, ``buttons``, ``model``, ``history``,
    ``data`` (the splits), ``task``, ``figure``, ``diagram``, ``confusion``, ``status``,
    ``code``, ``widget`` and its ``parts``.
    """

    def __init__(self, figsize=(10, 4.2), data=None, **values):
        figsize = setup.check_figsize(figsize)
        self.own = None if data is None else setup.check_own_data(data)
        self.controls = made.make_controls()
        if self.own is not None:
            self.controls["dataset"].options = [setup.OWN_DATA]
        self.buttons = made.make_buttons()
        self.picture, self.figsize = PlaygroundFigure(figsize), figsize
        self.figure = self.diagram = self.history = self.model = self.data = self.task = None
        self.status, self.code, self.snapshots, self.task_running = "", "", {}, None
        self._holding, self._playing = True, False
        # Held while the model trains or is drawn: play() trains off the event loop (see _live).
        self._lock = threading.RLock()
        self.set(**values)
        for name, control in self.controls.items():
            control.observe(self._on_change, names="value")
        actions = {"play": self.play, "pause": self.pause, "step": lambda: self.pause() or self.step(1),
                   "retrain": self.new_weights, "reset": self.update}
        for name, button in self.buttons.items():
            button.on_click(lambda _, act=actions[name]: act())
        p = self.parts = layout(self)
        self.widget = p.box
        # The names of the first playground's parts, kept for code that uses them.
        self.out, self.status_label, self.code_view, self.step_slider = p.out, p.status_label, p.code_view, p.step_slider
        self.retrain_button, self.reset_button = self.buttons["retrain"], self.buttons["reset"]
        self._holding = False
        self.update()

    # -- settings ------------------------------------------------------------------------

    def set(self, **values):
        """Set several controls by name, then train and redraw once (not once per control)."""
        unknown = set(values) - set(self.controls)
        if unknown:
            raise ValueError(f"unknown controls {sorted(unknown)}; the controls are {list(self.controls)}")
        held, self._holding = self._holding, True
        try:
            made.apply(self.controls, values)
        finally:
            self._holding = held
        if not held:
            self.update()

    def _on_change(self, change):
        if self._holding:
            return
        if change["owner"] is self.controls["hidden_layers"]:
            self._holding = True
            try:
                self.controls["units"].resize(change["new"])
            finally:
                self._holding = False
        if change["owner"] in [self.controls[n] for n in made.DISPLAY_ONLY]:
            self.redraw()
        else:
            self.update()

    def values(self):
        return {name: c.value for name, c in self.controls.items()}

    # -- training ------------------------------------------------------------------------

    def update(self):
        """Train a fresh network from the current control values and redraw."""
        self.pause()
        with self._lock:
            self._update()

    def _update(self):
        v = self.values()
        self.model = self.history = self.data = self.task = None
        self.snapshots, self._first_epochs = {}, 0
        try:
            self.data, self.task, self._made = setup.make_splits(v, self.own)
            # Greyed out where they do not apply: the loss is MSE for a regression, softmax
            # cross entropy for classes; your own data has no noise, size or class share.
            self.controls["loss"].disabled = self.task.kind != "binary"
            for name in ("noise", "n_points", "positive_fraction"):
                self.controls[name].disabled = self.own is not None or (
                    name == "positive_fraction" and self.task.kind != "binary")
            self.inputs = [make_features(self.data[i], v["features"]) for i in (0, 2)]
            self.model, self.loss, self.optimizer = setup.network(v, self.task)
            self.snapshots = {0: self.model.get_weights()}
            self.history = self._train(v["epochs"], fresh=True)
        except ValueError as e:  # settings the library refuses: say why, do not raise
            self.model, self.history = None, None
            self._show(f"cannot train with these settings: {e}")
            return
        self._first_epochs = self.history.epochs_run
        self._show(self._summary(self.history.epochs_run < v["epochs"]))

    def _train(self, epochs, fresh=False, capped=True):
        """Train ``epochs`` more epochs through ``nnlib.train`` (a fresh History if ``fresh``),
        for at most MAX_SECONDS if ``capped`` (an epoch may be cut short)."""
        v = self.values()
        batch = None if v["batch_size"] == "full" else v["batch_size"]
        steps_per_epoch = 1 if batch is None else -(-len(self.inputs[0]) // batch)
        done = 0 if fresh else self.history.epochs_run
        every = max(epochs // SNAPSHOTS, 1) if fresh else 1
        limit, start = max(MAX_STEPS // steps_per_epoch, 1), time.perf_counter()
        snapshots = self.snapshots

        def record(epoch, history, model):
            if fresh and history.epochs_run % every == 0:
                snapshots[history.epochs_run] = model.get_weights()
            # Stop before an epoch that would end past the time allowed.
            seconds, ran = time.perf_counter() - start, history.epochs_run - done
            return ran < limit and not seconds * (ran + 1) / ran > MAX_SECONDS

        extra = {} if fresh else {"history": self.history}
        reg = setup.penalty(v)
        if reg is not None:
            extra["regularization"] = reg
        # No validation points (a share of 0, or too few points): no validation set.
        val = {} if len(self.data[3]) == 0 else {"X_val": self.inputs[1], "y_val": self.data[3]}
        with warnings.catch_warnings():
            # The status line reports divergence; a warning on top would only be noise here.
            warnings.simplefilter("ignore", TrainingDiverged)
            history = train(self.model, self.inputs[0], self.data[1], self.loss, self.optimizer, epochs,
                            batch_size=batch, seed=v["data_seed"] + done, callback=record,
                            max_seconds=MAX_SECONDS if capped else None, **val, **extra)
        if not history.diverged:
            self.snapshots[history.epochs_run] = self.model.get_weights()
        if len(self.snapshots) > 2 * SNAPSHOTS:  # keep every other one (and the first and last)
            keys = sorted(self.snapshots)
            self.snapshots = {k: self.snapshots[k] for k in keys[::2] + [keys[-1]]}
        return history

    def step(self, epochs=1):
        """Train ``epochs`` more epochs from the current weights (the history grows), and redraw."""
        epochs = check_int(epochs, "epochs", minimum=1)
        with self._lock:
            if self.history is None or self.history.diverged:
                return
            before = self.history.epochs_run
            self._train(epochs)
            self._show(self._summary(self.history.epochs_run - before < epochs and not self.history.diverged))

    def play(self):
        """Train on, one epoch per frame, until ``pause()``, on the kernel's event loop
        (the notebook stays free). Returns the asyncio task (``task_running``)."""
        if self._playing:
            return self.task_running
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            raise RuntimeError("play() needs a running event loop, as in a notebook; "
                               "in a script, call step(epochs=...) instead") from None
        self._playing = True
        self.task_running = loop.create_task(self._live())
        return self.task_running

    def pause(self):
        """Stop playing after the current frame."""
        self._playing = False

    async def _live(self):
        # Each frame's epoch trains in a worker thread, so that the event loop stays free
        # (clicks, pause) however long one epoch takes (batch size 1 over 5000 points);
        # the redraw, which touches the widgets, runs back on the loop.
        loop = asyncio.get_running_loop()
        try:
            while self._playing and self.history is not None and not self.history.diverged:
                model = self.model
                grown = await loop.run_in_executor(None, self._frame, model)
                if not grown or self.model is not model:
                    break  # a change of a control trained a new model meanwhile
                # A frame that was training when pause came is shown too: the status and the
                # picture always match the history, so step goes on from what is shown.
                with self._lock:
                    self._show(self._summary(False))
                if not self._playing:
                    break
                await asyncio.sleep(FRAME_PAUSE)
        finally:
            self._playing = False

    def _frame(self, model):
        """One more epoch of ``model``, if it is still the playground's; True if it trained."""
        with self._lock:
            if self.model is not model or self.history is None or self.history.diverged:
                return False
            self._train(1, capped=False)  # off the event loop: a whole epoch, however long
            return True

    def new_weights(self):
        """Draw new initial weights (init seed + 1); the change retrains."""
        self.controls["init_seed"].value += 1

    # -- showing -------------------------------------------------------------------------

    def _summary(self, stopped):
        h = self.history
        if h.diverged:
            return h.message
        text = f"epoch {h.epochs_run}: {report.scores(h)}"
        if h.cut_short:
            text += f" (epoch {h.epochs_run} cut short after {h.cut_short} examples at the {MAX_SECONDS:g} s limit)"
        elif stopped:
            text += (f" (stopped at the limit of {MAX_STEPS:,} gradient steps or {MAX_SECONDS:g} s per run: "
                     "use a larger batch or fewer epochs, or press step or play to go on)")
        return text

    def scrub(self, epoch):
        """Show the network at a recorded ``epoch`` (the "epoch shown" slider), without training."""
        h = self.history
        epoch = check_int(epoch, "epoch", minimum=0, maximum=0 if h is None else h.epochs_run)
        if h is None:
            return
        scores = "initial weights" if epoch == 0 else report.scores(h, epoch - 1)
        shown = max(e for e in self.snapshots if e <= epoch)
        self._show(f"epoch {epoch} of {h.epochs_run} (weights of epoch {shown}): {scores}", epoch)

    def redraw(self, epoch=None):
        """Draw the network at ``epoch`` (None: now) without training."""
        if epoch is not None:
            epoch = check_int(epoch, "epoch", minimum=0, maximum=0 if self.history is None else self.history.epochs_run)
        self._show(self.status, epoch)

    def _show(self, status, epoch=None):
        with self._lock:
            self.status = status
            report.show(self, epoch)
            if self.task is not None:
                extra = 0 if self.history is None else self.history.epochs_run - self._first_epochs
                self.code = settings_as_code(self.values(), self.task, self._made, self.own is not None, extra)
            self.parts.refresh(self, epoch)
