"""Lesson 6: the training loop, with divergence detection.

Shapes: N training examples, D features; labels y (N,). M validation examples.
"""

import functools
import time
import warnings

import numpy as np

from .validation import as_float_array, check_int, describe


class TrainingDiverged(RuntimeWarning):
    """Warned when the loss becomes non-finite or runs away and training stops."""


# Divergence is judged against the first epoch's loss, "where training started".
# Over a sweep of data sets, activations, losses, optimisers and learning rates, runs
# that learned never went above 3 times their start, while too-large steps jumped far
# higher. A loss this many times its start is a blow-up, even if it comes back down.
BLOWUP_FACTOR = 10.0
# An overshoot that lands on saturated units (tanh at +-1, dead ReLUs) can keep the
# loss finite and no longer growing, yet stuck high, or bouncing up and down: a loss
# whose mean over STALL_EPOCHS epochs is above this many times its start, or that ends
# above it, has diverged too. In the sweep, healthy runs kept that mean below 1.7.
STALL_FACTOR = 2.0
STALL_EPOCHS = 10


class History:
    """What happened during ``train``: one entry per epoch that finished.

    - loss, accuracy: training loss and accuracy (accuracy is empty for ``MSELoss``).
    - val_loss, val_accuracy: the same on the validation set, when one was given.
    - epochs_run, diverged (bool), diverged_epoch (1-based, or None), message, seconds.

    Lists hold only finite numbers: a diverged run stops before its bad epoch is
    recorded, so every list can go straight to a plot.
    """

    def __init__(self):
        self.loss, self.accuracy, self.val_loss, self.val_accuracy = [], [], [], []
        self.diverged = False
        self.diverged_epoch = None
        self.message = ""
        self.seconds = 0.0

    @property
    def epochs_run(self):
        return len(self.loss)

    def as_dict(self):
        return {k: getattr(self, k) for k in ("loss", "accuracy", "val_loss", "val_accuracy")}

    def summary(self):
        if self.diverged:
            return self.message
        parts = [f"{self.epochs_run} epochs"]
        if self.loss:
            parts.append(f"loss {self.loss[-1]:.4f}")
        if self.accuracy:
            parts.append(f"accuracy {self.accuracy[-1]:.1%}")
        if self.val_loss:
            parts.append(f"val loss {self.val_loss[-1]:.4f}")
        if self.val_accuracy:
            parts.append(f"val accuracy {self.val_accuracy[-1]:.1%}")
        return ", ".join(parts)

    def __repr__(self):
        return f"History({self.summary()})"


def train(model, X, y, loss, optimizer, epochs, batch_size=None, seed=0, callback=None,
          X_val=None, y_val=None):
    """Train ``model`` in place and return a ``History``.

    - model: has ``forward``, ``backward`` and ``parameters()`` (an ``MLP``, a ``Dense``).
    - X: (N, D) inputs; y: (N,) labels or targets, as ``loss`` expects.
    - loss: a loss layer (``BCEWithLogitsLoss()``, ``CrossEntropyLoss()``, ...).
    - optimizer: ``SGD`` or ``Adam``.
    - epochs: passes over the data (>= 0).
    - batch_size: None for full-batch gradient descent, else shuffled mini-batches of
      this size (the last may be smaller), reshuffled every epoch from ``seed``.
    - seed: seed of the shuffling; the same seed (and model seed) gives the same history.
    - callback: called as ``callback(epoch, history, model)`` after each epoch
      (epoch counts from 1); returning False stops training early.
    - X_val (M, D), y_val (M,): an optional validation set, evaluated after every epoch.

    The training loss of an epoch is the mean of its batch losses, measured on the
    forward pass each batch makes anyway (so before that batch's step).

    Divergence: training stops, ``history.diverged`` is set and a ``TrainingDiverged``
    warning names the epoch and suggests a lower learning rate when the loss (training
    or validation) is not finite, when it exceeds ``BLOWUP_FACTOR`` (10) times the first
    epoch's loss, or when its mean over ``STALL_EPOCHS`` (10) epochs, or its last value,
    is above ``STALL_FACTOR`` (2) times that. The model keeps the
    weights it had when training stopped; after a non-finite loss they may be inf or nan.
    """
    X = as_float_array(X, "X", ndim=2, dtype=getattr(model, "dtype", None))
    y = np.asarray(y)
    if y.ndim == 0 or len(y) != len(X):
        raise ValueError(f"y must have one entry per example in X ({len(X)}), got {describe(y)}")
    epochs = check_int(epochs, "epochs", minimum=0)
    n = len(X)
    if batch_size is not None:
        batch_size = min(check_int(batch_size, "batch_size", minimum=1), n)
    if callback is not None and not callable(callback):
        raise TypeError(f"callback must be a function (epoch, history, model), got {type(callback).__name__}")
    if (X_val is None) != (y_val is None):
        raise ValueError("give both X_val and y_val, or neither")
    has_val = X_val is not None and np.size(X_val) > 0
    if has_val:
        X_val = as_float_array(X_val, "X_val", ndim=2, dtype=X.dtype)
        y_val = np.asarray(y_val)
        if y_val.ndim == 0 or len(y_val) != len(X_val):
            raise ValueError(f"y_val must have one entry per example in X_val ({len(X_val)}), got {describe(y_val)}")
    rng = np.random.default_rng(seed)
    history = History()
    watch = _DivergenceWatch()
    score = _Scorer(model, loss, y, y_val)
    # An MLP also offers all its parameters as one flat array: one optimiser step is then
    # a few numpy calls, not a few per parameter (same numbers: the update is elementwise).
    flat = _unchecked(model, "parameters", "_flat_parameters")
    parameters = model.parameters() if flat is None else flat()
    backward = _unchecked(model, "backward", "_backward")
    # train has no use for d loss / d X, the input's gradient.
    backward = model.backward if backward is None else functools.partial(backward, want_dX=False)
    start = time.perf_counter()
    for epoch in range(1, epochs + 1):
        if batch_size is None or batch_size >= n:
            batches = [(X, None)]
        else:
            order = rng.permutation(n)
            batches = [(X[rows], rows) for rows in (order[i:i + batch_size] for i in range(0, n, batch_size))]
        total, correct = 0.0, 0
        # A too-large step blows the weights up to inf or nan: let numpy carry on quietly
        # here and report it as divergence, with a clear message, instead of warnings.
        with np.errstate(over="ignore", invalid="ignore"):
            for Xb, rows in batches:
                value, right = score(Xb, rows)
                if value is None:
                    break
                total += value * len(Xb)
                correct = None if right is None else correct + right
                backward(loss.backward())
                optimizer.step(parameters)
            else:
                value = total / n
            val_value = val_right = None
            if value is not None and has_val:
                val_value, val_right = score(X_val, validation=True)
        problem = watch.check(value, val_value if has_val else 0.0)
        if problem:
            _diverged(history, epoch, problem, optimizer)
            break
        history.loss.append(float(value))
        if correct is not None:
            history.accuracy.append(correct / n)
        if has_val:
            history.val_loss.append(float(val_value))
            if val_right is not None:
                history.val_accuracy.append(val_right / len(X_val))
        if callback is not None and callback(epoch, history, model) is False:
            break
    if not history.diverged and watch.ends_high():
        _diverged(history, history.epochs_run, watch.ends_high(), optimizer)
    history.seconds = time.perf_counter() - start
    if not history.diverged:
        history.message = history.summary()
    return history


class _Scorer:
    """``score(X, rows)``: forward pass and loss, ``(mean loss, number right or None)``,
    or ``(None, None)`` if not finite. ``rows`` picks the labels of a mini-batch;
    ``validation=True`` scores against the validation labels.

    ``train`` has checked X and y already, so this skips the checks that
    ``model.forward`` and ``loss.forward`` make on every call (for a small network they
    take more time than the maths): the labels are checked and converted once, the first
    time the loss sees them. A loss class that defines its own ``forward`` is called
    through it, as it is.
    """

    def __init__(self, model, loss, y, y_val):
        self.loss = loss
        self.forward = _unchecked(model, "forward", "_forward") or model.forward
        self.labels = {False: y, True: y_val}
        self.targets = {}
        self.trusted = _unchecked(loss, "forward", "_forward_trusted") is not None

    def __call__(self, X, rows=None, validation=False):
        """Call it inside ``np.errstate(over="ignore", invalid="ignore")`` (see train)."""
        loss = self.loss
        out = self.forward(X)
        if not np.isfinite(out).all():
            return None, None
        if self.trusted:
            t = self.targets.get(validation)
            if t is None:
                y = self.labels[validation]
                t = self.targets[validation] = loss._targets(y, (len(y), out.shape[1]), out.dtype)
            t = t if rows is None else t[rows]
            value = loss._forward_trusted(out, t, grad=not validation)
            right = loss._n_correct(out, t)
        else:
            y = self.labels[validation] if rows is None else self.labels[validation][rows]
            value = loss.forward(out, y)
            accuracy = loss.accuracy(out, y)
            right = None if accuracy is None else accuracy * len(out)
        if not np.isfinite(value):
            return None, None
        return value, right


def _unchecked(obj, public, private):
    """``obj``'s method ``private``, its method ``public`` without input checks, or None if
    it has none or if its class overrides ``public`` outside nnlib (a learner's subclass
    that, say, records its inputs must see every call)."""
    if getattr(getattr(type(obj), public, None), "__module__", "").startswith("nnlib."):
        return getattr(obj, private, None)
    return None


class _DivergenceWatch:
    """Applies the divergence rule to one epoch's losses; returns what went wrong, or ""."""

    def __init__(self):
        self.start = None
        self.recent = []  # the losses of the last STALL_EPOCHS epochs after the first

    def check(self, value, val_value):
        if value is None or val_value is None:
            return "the loss became inf or nan"
        if self.start is None:
            self.start = max(value, np.finfo(float).tiny)
            return ""
        if value > BLOWUP_FACTOR * self.start:
            return f"the loss jumped from {self.start:.3g} to {value:.3g}"
        self.recent = self.recent[1 - STALL_EPOCHS:] + [value]
        mean = sum(self.recent) / len(self.recent)
        if len(self.recent) == STALL_EPOCHS and mean > STALL_FACTOR * self.start:
            return (f"the loss rose from {self.start:.3g} to a mean of {mean:.3g} "
                    f"over the last {STALL_EPOCHS} epochs")
        return ""

    def ends_high(self):
        """What went wrong if the last loss is far above the start, else ""."""
        if self.recent and self.recent[-1] > STALL_FACTOR * self.start:
            return f"the loss ended at {self.recent[-1]:.3g}, far above its start {self.start:.3g}"
        return ""


def _diverged(history, epoch, problem, optimizer):
    history.diverged = True
    history.diverged_epoch = epoch
    lr = getattr(optimizer, "lr", None)
    now = f" (now {lr:g})" if lr is not None else ""
    history.message = f"diverged at epoch {epoch}: {problem}; lower the learning rate{now}"
    warnings.warn(history.message, TrainingDiverged, stacklevel=3)
