"""Lesson 6: the training loop, lesson 5's steps in a loop over epochs and mini-batches.

Shapes: N training examples, D features; labels y (N,). M validation examples.
"""

import time

import numpy as np

from . import fast
from .history import History, _DivergenceWatch, diverged
from .regularization import Penalty
from .validation import as_float_array, check_int, check_number, describe


def train(model, X, y, loss, optimizer, epochs, batch_size=None, seed=0, callback=None,
          X_val=None, y_val=None, regularization=None, history=None, max_seconds=None):
    """Train ``model`` in place and return a ``History``.

    - model: has ``forward``, ``backward`` and ``parameters()`` (an ``MLP``, a ``Dense``).
    - X: (N, D) inputs; y: (N,) labels or targets, as ``loss`` expects.
    - loss: a loss layer (``BCEWithLogitsLoss()``, ``CrossEntropyLoss()``, ...).
    - optimizer: ``SGD`` or ``Adam`` (anything with ``step(parameters)``).
    - epochs: passes over the data (>= 0).
    - batch_size: None for full-batch gradient descent, else shuffled mini-batches of
      this size (the last may be smaller), reshuffled every epoch from ``seed``.
    - seed: seed of the shuffling; the same seed (and model seed) gives the same history.
    - callback: called as ``callback(epoch, history, model)`` after each epoch
      (epoch counts from 1); returning False stops training early.
    - X_val (M, D), y_val (M,): an optional validation set, evaluated after every epoch.
    - regularization: None, ``L1(rate)`` or ``L2(rate)``: its penalty is added to the
      training loss (``history.loss``; ``history.penalty`` holds it alone) and its
      gradient to the weights' gradients before every step.
    - history: a ``History`` to continue (training goes on from the model's current
      weights, epochs are numbered after its last one), e.g. one epoch at a time.
    - max_seconds: None, or stop once this many seconds have passed, checked after every
      batch: an epoch cut short is recorded over the examples it ran
      (``history.cut_short`` says how many) and ends the training.

    Every batch is lesson 5's loop: ``out = model.forward(X)``, ``loss.forward(out, y)``,
    ``model.backward(loss.backward())``, ``optimizer.step(model.parameters())``. The
    training loss of an epoch is the mean of its batch losses, measured on the forward
    pass each batch makes anyway (so before that batch's step). When the model, its
    layers, the loss and the optimiser are all nnlib's own classes, ``nnlib.fast`` runs
    the same maths in fewer numpy calls; a class of yours always runs as you wrote it.

    Divergence: training stops, ``history.diverged`` is set and a ``TrainingDiverged``
    warning names the epoch and suggests a lower learning rate when the loss (training
    or validation) is not finite, when it exceeds ``BLOWUP_FACTOR`` (10) times the loss
    before training (``history.initial_loss``, measured before any step), or when its
    mean over ``STALL_EPOCHS`` (10) epochs, or its last value, is above ``STALL_FACTOR``
    (2) times that. The model keeps the
    weights it had when training stopped; after a non-finite loss they may be inf or nan.
    """
    for name, obj, methods, wanted in (
            ("model", model, ("forward", "backward", "parameters"), "an MLP or a layer"),
            ("loss", loss, ("forward", "backward"), "a loss layer such as nnlib.BCEWithLogitsLoss()"),
            ("optimizer", optimizer, ("step",), "nnlib.SGD(lr) or nnlib.Adam(lr)")):
        missing = [m for m in methods if not callable(getattr(obj, m, None))]
        if missing:
            raise TypeError(f"{name} must be {wanted}, with {', '.join(m + '()' for m in methods)}; "
                            f"got {type(obj).__name__} {obj!r:.60}, which has no {missing[0]}()")
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
    has_val = X_val is not None
    if has_val:
        if np.size(X_val) == 0:
            raise ValueError(f"X_val must not be empty, got {describe(X_val)}; pass X_val=None and "
                             "y_val=None for no validation set")
        X_val = as_float_array(X_val, "X_val", ndim=2, dtype=X.dtype)
        if X_val.shape[1] != X.shape[1]:
            raise ValueError(f"X_val must have the {X.shape[1]} features (columns) of X, got {describe(X_val)}")
        y_val = np.asarray(y_val)
        if y_val.ndim == 0 or len(y_val) != len(X_val):
            raise ValueError(f"y_val must have one entry per example in X_val ({len(X_val)}), got {describe(y_val)}")
    if max_seconds is not None:
        max_seconds = check_number(max_seconds, "max_seconds", low=0.0)
    if regularization is not None and not isinstance(regularization, Penalty):
        raise TypeError(f"regularization must be None, nnlib.L1(rate) or nnlib.L2(rate), got {regularization!r}")
    if history is None:
        history = History()
    elif not isinstance(history, History):
        raise TypeError(f"history must be a History to continue (or None), got {type(history).__name__}")
    elif history.diverged:
        raise ValueError(f"history must not have diverged to be continued, got one that did: {history.message}")
    # The loss before any step: where training starts, for the divergence rule. Measured
    # with the model's and the loss's own forward, on both paths, so that whatever they
    # refuse (labels the loss cannot take, a validation set of the wrong kind) is refused
    # the same way whichever path runs the epochs.
    with np.errstate(over="ignore", invalid="ignore"):
        start_loss = _start_loss(model, loss, regularization, X, y)
        if has_val:
            _start_loss(model, loss, None, X_val, y_val)
    if history.initial_loss is None:
        history.initial_loss = start_loss
    history.cut_short = None
    rng = np.random.default_rng(seed)
    watch = _DivergenceWatch(history.loss, history.initial_loss)
    step = (fast.Trainer.maybe(model, loss, optimizer, regularization, X, y, X_val, y_val)
            or _PlainTrainer(model, loss, optimizer, regularization, y, y_val))
    start = time.perf_counter()
    first = history.epochs_run + 1
    for epoch in range(first, first + epochs):
        if batch_size is None or batch_size >= n:
            batches = [(X, None)]
        else:
            order = rng.permutation(n)
            batches = [(X[rows], rows) for rows in (order[i:i + batch_size] for i in range(0, n, batch_size))]
        total, penalty, correct, seen = 0.0, 0.0, 0, 0
        # A too-large step blows the weights up to inf or nan: let numpy carry on quietly
        # here and report it as divergence, with a clear message, instead of warnings.
        with np.errstate(over="ignore", invalid="ignore"):
            for Xb, rows in batches:
                scores = step.step(Xb, rows)
                if scores is None:
                    value = None
                    break
                value, batch_penalty, right = scores
                total += value * len(Xb)
                penalty += batch_penalty * len(Xb)
                correct = None if right is None else correct + right
                seen += len(Xb)
                if max_seconds is not None and seen < n and time.perf_counter() - start > max_seconds:
                    history.cut_short = seen
                    break
            if value is not None:
                value = total / seen
            val_value = val_right = None
            if value is not None and has_val:
                val_value, val_right = step.evaluate(X_val) or (None, None)
        problem = watch.check(value, val_value if has_val else 0.0)
        if problem:
            diverged(history, epoch, problem, optimizer)
            break
        history.loss.append(float(value))
        history.penalty.append(penalty / seen)
        if correct is not None:
            history.accuracy.append(correct / seen)
        if has_val:
            history.val_loss.append(float(val_value))
            if val_right is not None:
                history.val_accuracy.append(val_right / len(X_val))
        if callback is not None and callback(epoch, history, model) is False or history.cut_short:
            break
    if not history.diverged and watch.ends_high():
        diverged(history, history.epochs_run, watch.ends_high(), optimizer)
    history.seconds += time.perf_counter() - start
    if not history.diverged:
        history.message = history.summary()
    return history


def _start_loss(model, loss, regularization, X, y):
    """The loss (with the penalty) of ``model`` on X, y as it is now; None if not finite
    (then the first epoch reports it)."""
    out = model.forward(X)
    if not np.all(np.isfinite(out)):  # weights left non-finite or too large: the first epoch says so
        return None
    value = loss.forward(out, y)
    if regularization is not None:
        value += regularization.penalty(model.parameters())
    return float(value) if np.isfinite(value) else None


class _PlainTrainer:
    """One batch of lesson 5's loop, calling the model's, loss's and optimiser's own methods.

    ``step(X, rows)`` -> (loss + penalty, penalty, number right or None), or None if the
    logits or the loss are not finite; ``evaluate(X_val)`` -> (loss, number right or None).
    Call them inside ``np.errstate(over="ignore", invalid="ignore")`` (see train).
    """

    def __init__(self, model, loss, optimizer, regularization, y, y_val):
        self.model, self.loss, self.optimizer, self.regularization = model, loss, optimizer, regularization
        self.y, self.y_val = y, y_val

    def step(self, X, rows):
        y = self.y if rows is None else self.y[rows]
        scores = self._score(X, y)
        if scores is None:
            return None
        value, right = scores
        self.model.backward(self.loss.backward())
        parameters = self.model.parameters()  # after backward: it may have made new grads
        penalty = 0.0
        if self.regularization is not None:
            penalty = self.regularization.penalty(parameters)
            self.regularization.add_grad(parameters)
        self.optimizer.step(parameters)
        return value + penalty, penalty, right

    def evaluate(self, X):
        return self._score(X, self.y_val)

    def _score(self, X, y):
        # Weights blown up to inf or nan: stop here, before a layer refuses them.
        if not all(np.isfinite(p).all() for _, p, _ in self.model.parameters()):
            return None
        out = self.model.forward(X)
        if not np.all(np.isfinite(out)):
            return None
        value = self.loss.forward(out, y)
        if not np.isfinite(value):
            return None
        accuracy = self.loss.accuracy(out, y)
        return value, None if accuracy is None else round(accuracy * len(out))
