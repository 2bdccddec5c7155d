"""Lesson 6: what happened during training, and when training has diverged.

Shapes: one entry per epoch.
"""

import os
import sys
import warnings

import numpy as np


class TrainingDiverged(RuntimeWarning):
    """Warned when the loss becomes non-finite or runs away and training stops."""


# Divergence is judged against the loss before any step, "where training started".
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

    - loss, accuracy: training loss and accuracy (accuracy is empty for ``MSELoss``);
      the loss includes the penalty of a regularization, which ``penalty`` holds alone.
    - val_loss, val_accuracy: the same on the validation set, when one was given.
    - epochs_run, diverged (bool), diverged_epoch (1-based, or None), message, seconds.
    - initial_loss: the training loss before any step (the divergence rule's start).
    - cut_short: None, or the number of examples the last epoch ran before ``train``'s
      ``max_seconds`` ran out (its loss and accuracy are over those).

    Lists hold only finite numbers: a diverged run stops before its bad epoch is
    recorded, so every list can go straight to a plot.
    """

    def __init__(self):
        self.loss, self.accuracy, self.val_loss, self.val_accuracy = [], [], [], []
        self.penalty = []
        self.initial_loss = None
        self.cut_short = None
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
        if self.cut_short:
            parts.append(f"the last epoch cut short after {self.cut_short} examples")
        return ", ".join(parts)

    def __repr__(self):
        return f"History({self.summary()})"


class _DivergenceWatch:
    """Applies the divergence rule to one epoch's losses; returns what went wrong, or ""."""

    def __init__(self, earlier=(), start=None):
        # The start: the loss before any step (continuing a history, the one before its
        # first step, as if it had never paused).
        start = earlier[0] if start is None and earlier else start
        self.start = None if start is None else max(start, np.finfo(float).tiny)
        self.recent = list(earlier)[-(STALL_EPOCHS - 1):] if earlier else []

    def check(self, value, val_value):
        if value is None or val_value is None:
            return "the loss became inf or nan"
        if self.start is None:
            self.start = max(value, np.finfo(float).tiny)
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


def diverged(history, epoch, problem, optimizer):
    """Mark ``history`` as diverged at ``epoch`` and warn, suggesting a lower learning rate."""
    history.diverged = True
    history.diverged_epoch = epoch
    lr = getattr(optimizer, "lr", None)
    now = f" (now {lr:g})" if lr is not None else ""
    history.message = f"diverged at epoch {epoch}: {problem}; lower the learning rate{now}"
    warnings.warn(history.message, TrainingDiverged, stacklevel=_outside_nnlib())


def _outside_nnlib():
    """The ``stacklevel`` of the first caller outside this package (the learner's cell,
    not ``train`` nor IPython's frames above the cell): 1 is the function that warns."""
    package = os.path.dirname(os.path.abspath(__file__)) + os.sep
    level, frame = 2, sys._getframe(2)  # 2: the caller of ``diverged``
    while frame is not None and os.path.abspath(frame.f_code.co_filename).startswith(package):
        level, frame = level + 1, frame.f_back
    return level
