"""Lesson 6: input features made by hand from a point (x1, x2), as TensorFlow Playground offers.

With x1^2 and x2^2 as inputs, logistic regression (no hidden layer) separates a circle:
a straight line in the new columns is a circle in the plane. A hidden layer learns such
features itself. Shapes: N points; X (N, 2); F (N, F) with one column per feature.
"""

import numpy as np

from .validation import as_float_array, describe


FEATURES = {
    "x1": lambda x1, x2: x1, "x2": lambda x1, x2: x2,
    "x1^2": lambda x1, x2: x1 ** 2, "x2^2": lambda x1, x2: x2 ** 2, "x1*x2": lambda x1, x2: x1 * x2,
    "sin(x1)": lambda x1, x2: np.sin(x1), "sin(x2)": lambda x1, x2: np.sin(x2),
}


def make_features(X, features=("x1", "x2")):
    """The input columns computed from points in the plane, as TensorFlow Playground offers.

    - X: (N, 2) points (x1, x2).
    - features: names from ``FEATURES``: "x1", "x2", "x1^2", "x2^2", "x1*x2", "sin(x1)",
      "sin(x2)", in the order wanted. With ("x1^2", "x2^2") a straight line in the new
      columns is a circle in the plane.
    Returns F (N, len(features)) float64, a new array.
    """
    X = as_float_array(X, "X", ndim=2, allow_empty=True)  # no points (an empty validation set): no rows
    if X.shape[1] != 2:
        raise ValueError(f"X must hold points in the plane, shape (N, 2), got {describe(X)}")
    if isinstance(features, str) or not hasattr(features, "__iter__"):
        raise TypeError(f"features must be a tuple of names from {list(FEATURES)}, got {features!r}")
    features = tuple(features)
    unknown = [f for f in features if f not in FEATURES]
    if unknown or not features or len(set(features)) != len(features):
        raise ValueError(f"features must be distinct names from {list(FEATURES)}, at least one; got {features!r}")
    return np.column_stack([FEATURES[f](X[:, 0], X[:, 1]) for f in features]).reshape(len(X), len(features))
