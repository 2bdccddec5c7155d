"""Lesson 7: real data, handwritten digits, read by a network in mini-batches.

Shapes: N images, D = 64 pixels (8 x 8, row by row), C = 10 classes (the digits 0-9).

The data is the UCI "Optical Recognition of Handwritten Digits" set, the 1,797 images
of its test part (E. Alpaydin and C. Kaynak, 1998; https://archive.ics.uci.edu/dataset/80,
licence CC BY 4.0), in the copy scikit-learn ships as ``digits.csv.gz``. It is kept in
``nnlib/datasets/`` (see the README there) and read with numpy: nothing is downloaded.
Each 8 x 8 image counts the ink in 4 x 4 blocks of a 32 x 32 scan, so a pixel is an
integer from 0 (no ink) to 16 (all ink).
"""

import gzip
from pathlib import Path

import numpy as np

from .validation import as_float_array, check_int

DIGITS_FILE = Path(__file__).parent / "datasets" / "digits.csv.gz"
PIXEL_MAX = 16.0  # a pixel counts the ink in 16 pixels of the scan


def load_digits():
    """The 1,797 digits: ``X`` (1797, 64) float64, pixels 0-16, and ``y`` (1797,) int64, 0-9.

    Row n of X is image n read row by row: ``X[n].reshape(8, 8)`` is the picture.
    """
    with gzip.open(DIGITS_FILE, "rt") as f:
        data = np.loadtxt(f, delimiter=",", dtype=np.float64)
    return data[:, :-1], data[:, -1].astype(np.int64)


def scale_pixels(X):
    """Pixels 0-16 as numbers from 0 to 1: ``X / 16``, a new array. X: (N, 64) or (64,)."""
    return as_float_array(X, "X") / PIXEL_MAX


def split_digits(X, y, val_fraction=0.2, test_fraction=0.2, seed=0):
    """Shuffle and split into training, validation and test sets.

    - X: (N, D); y: (N,).
    - val_fraction, test_fraction: the shares kept for validation and for the test.
    Returns ``X_train, y_train, X_val, y_val, X_test, y_test`` (copies).
    """
    X = as_float_array(X, "X", ndim=2)
    y = np.asarray(y)
    if y.shape != (len(X),):
        raise ValueError(f"y must have one label per row of X, shape ({len(X)},), got shape {y.shape}")
    for name, value in (("val_fraction", val_fraction), ("test_fraction", test_fraction)):
        if not 0.0 <= value < 1.0:
            raise ValueError(f"{name} must be in [0, 1), got {value!r}")
    if val_fraction + test_fraction >= 1.0:
        raise ValueError(f"val_fraction + test_fraction must leave examples to train on, got "
                         f"{val_fraction} + {test_fraction}")
    order = np.random.default_rng(seed).permutation(len(X))
    n_test, n_val = int(round(len(X) * test_fraction)), int(round(len(X) * val_fraction))
    test, val, train = order[:n_test], order[n_test:n_test + n_val], order[n_test + n_val:]
    return X[train], y[train], X[val], y[val], X[test], y[test]


def minibatches(X, y, batch_size, rng):
    """Shuffled mini-batches ``(X_batch, y_batch)`` covering every example once.

    - X: (N, D); y: (N,); batch_size: B >= 1 (the last batch may be smaller).
    - rng: an ``np.random.Generator``; a new order is drawn from it at every call.
    This is what ``nnlib.train(..., batch_size=B)`` does in each epoch.
    """
    batch_size = check_int(batch_size, "batch_size", minimum=1)
    order = rng.permutation(len(X))
    return [(X[rows], y[rows]) for rows in (order[i:i + batch_size] for i in range(0, len(X), batch_size))]
