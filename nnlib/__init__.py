"""nnlib: the small numpy library built, one idea per lesson, in Neural Networks by Hand.

Shapes everywhere: N examples, D features, H hidden units, C classes.

    lesson 1  dot_product.py   weighted_average, cosine_similarity
    lesson 2  data.py          make_linear_data, standardize (+ losses.mse_loss)
    lesson 3  activations.py   sigmoid, tanh, relu, softmax, log_softmax
    lesson 4  losses.py        binary_cross_entropy, cross_entropy, ...
    lesson 5  gradients.py     numerical_gradient, rel_error, gradient_check
              layers.py        Dense, Sigmoid, Tanh, ReLU
              loss_layers.py   BCEWithLogitsLoss, CrossEntropyLoss, MSELoss, ...
    lesson 6  model.py         MLP (from sizes, or from any layers)
              optim.py         SGD, Adam
              regularization.py L1, L2
              train.py         train
              history.py       History, TrainingDiverged
              plots.py         plot_decision_boundary, scatter_classes, ...
              unit_plots.py    plot_hidden_units
              loss_plots.py    plot_history, plot_loss_contours (also lesson 2)
              widgets.py       Panel
              playground/      Playground
    lesson 7  digits.py        load_digits, scale_pixels, split_digits, minibatches
              digit_pad.py     DigitPad (draw a digit, see the ten probabilities)
    not a lesson: fast.py (train's fast path for nnlib's own classes), validation.py
    exercises exercises/       catalog, grade, solution (graded code exercises)
"""

from .activations import log_softmax, relu, relu_grad, sigmoid, sigmoid_grad, softmax, tanh, tanh_grad
from .data import (
    confusion_matrix,
    make_blobs,
    make_circle,
    make_linear_data,
    make_playground_circle,
    make_spiral,
    make_xor,
    rebalance,
    standardize,
    train_val_split,
)
from .features import make_features
from .regression_data import make_gaussian_regression, make_plane
from .digits import load_digits, minibatches, scale_pixels, split_digits
from .dot_product import cosine_similarity, weighted_average
from .gradients import GradientCheck, gradient_check, numerical_gradient, rel_error
from .layers import Dense, Layer, ReLU, Sigmoid, Tanh
from .loss_layers import BCEWithLogitsLoss, CrossEntropyLoss, Loss, MSELoss, SigmoidMSELoss
from .losses import (
    binary_cross_entropy,
    binary_cross_entropy_with_logits,
    binary_cross_entropy_with_logits_grad,
    cross_entropy,
    cross_entropy_grad,
    l1_loss,
    l1_loss_grad,
    mse_loss,
    mse_loss_grad,
    one_hot,
    sigmoid_mse_loss,
    sigmoid_mse_loss_grad,
)
from .model import MLP
from .optim import SGD, Adam
from .regularization import L1, L2
from .loss_plots import plot_history, plot_loss_contours
from .plots import plot_decision_boundary, plot_probability_scatter, scatter_classes
from .unit_plots import plot_hidden_units
from .history import History, TrainingDiverged
from .train import train

__version__ = "0.1.0"


def __getattr__(name):
    # The widgets need ipywidgets and a display; import them only when asked for.
    if name == "Panel":
        from . import widgets

        return widgets.Panel
    if name == "Playground":
        from .playground import Playground

        return Playground
    if name == "DigitPad":
        from .digit_pad import DigitPad

        return DigitPad
    if name == "exercises":
        import importlib

        return importlib.import_module(".exercises", __name__)
    raise AttributeError(f"module 'nnlib' has no attribute {name!r}")
