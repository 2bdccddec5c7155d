"""Argument validation shared by every module.

Each helper turns a list or array into a fresh float (or int) array and raises a
``ValueError`` or ``TypeError`` that names the argument, shows what it received and
says what was expected. They never modify the caller's data.
"""

import numpy as np


def describe(a):
    """A short description of an array for error messages: shape and dtype."""
    a = np.asarray(a)
    return f"shape {a.shape} and dtype {a.dtype}"


def as_float_array(x, name, *, ndim=None, allow_empty=False, dtype=None):
    """Return ``x`` as a float ndarray (a copy if it had to be converted).

    Raises TypeError for non-numeric data, ValueError for the wrong number of
    dimensions, an empty array or any NaN/inf value.
    """
    try:
        a = np.asarray(x)
    except Exception as exc:  # ragged lists and the like
        raise TypeError(f"{name} must be array-like of numbers, got {type(x).__name__}: {exc}") from None
    if a.dtype == bool or not (np.issubdtype(a.dtype, np.number)):
        raise TypeError(f"{name} must hold real numbers, got an array of dtype {a.dtype}")
    if np.issubdtype(a.dtype, np.complexfloating):
        raise TypeError(f"{name} must hold real numbers, got complex dtype {a.dtype}")
    if dtype is not None:
        a = a.astype(dtype, copy=False)
    elif not np.issubdtype(a.dtype, np.floating):
        a = a.astype(np.float64)
    if ndim is not None and a.ndim not in np.atleast_1d(ndim):
        raise ValueError(f"{name} must be {_dims(ndim)}, got {describe(a)}")
    if a.size == 0 and not allow_empty:
        raise ValueError(f"{name} must not be empty, got {describe(a)}")
    if not np.all(np.isfinite(a)):
        bad = a[~np.isfinite(a)].ravel()[0]
        raise ValueError(f"{name} must contain only finite numbers, got {bad} in an array of {describe(a)}")
    return a


def as_labels(y, name, n_classes, *, n=None):
    """Return integer class labels (N,) with values in ``range(n_classes)``.

    Accepts ints, or floats that are whole numbers (0.0 and 1.0), as arrays or lists.
    ``n`` is the expected number of labels, if known.
    """
    a = np.asarray(y)
    if a.ndim == 2 and a.shape[1] == 1:
        a = a[:, 0]
    if a.ndim != 1:
        raise ValueError(f"{name} must be a 1-D array of class labels (N,), got {describe(a)}")
    if n is not None and a.shape[0] != n:
        raise ValueError(f"{name} must have one label per example: expected {n}, got {a.shape[0]}")
    if a.size == 0:
        raise ValueError(f"{name} must not be empty, got {describe(a)}")
    if a.dtype == bool:
        a = a.astype(np.int64)
    if not np.issubdtype(a.dtype, np.number) or np.issubdtype(a.dtype, np.complexfloating):
        raise TypeError(f"{name} must hold integer class labels, got dtype {a.dtype}")
    if np.issubdtype(a.dtype, np.floating):
        if not np.all(np.isfinite(a)) or np.any(a != np.round(a)):
            bad = a[(~np.isfinite(a)) | (a != np.round(a))][0]
            raise ValueError(f"{name} must hold whole-number class labels, got {bad}")
    # Check the range before the cast: a float such as 1e300 does not fit in int64 and
    # would turn into an unrelated (negative) number with a warning.
    if a.min() < 0 or a.max() >= n_classes:
        bad = a[(a < 0) | (a >= n_classes)][0]
        raise ValueError(
            f"{name} must hold labels in range({n_classes}) (0 .. {n_classes - 1}), got {bad}"
        )
    return a.astype(np.int64)


def check_same_shape(a, b, name_a, name_b):
    if a.shape != b.shape:
        raise ValueError(f"{name_a} and {name_b} must have the same shape, got {a.shape} and {b.shape}")


def check_int(value, name, *, minimum=None, maximum=None):
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{name} must be an int, got {type(value).__name__} {value!r}")
    if minimum is not None and value < minimum:
        raise ValueError(f"{name} must be at least {minimum}, got {value}")
    if maximum is not None and value > maximum:
        raise ValueError(f"{name} must be at most {maximum}, got {value}")
    return int(value)


def check_number(value, name, *, low=None, high=None):
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise TypeError(f"{name} must be a number, got {type(value).__name__} {value!r}")
    try:
        value = float(value)
    except OverflowError:  # an int such as 10**400, beyond the largest float
        raise ValueError(f"{name} must be a finite number, got an int of {len(str(abs(value)))} digits, "
                         f"beyond the largest float ({np.finfo(float).max:.4g})") from None
    if not np.isfinite(value):
        raise ValueError(f"{name} must be finite, got {value}")
    if low is not None and high is not None and not low <= value <= high:
        raise ValueError(f"{name} must be in [{low}, {high}], got {value}")
    if low is not None and value < low:
        raise ValueError(f"{name} must be at least {low}, got {value}")
    if high is not None and value > high:
        raise ValueError(f"{name} must be at most {high}, got {value}")
    return float(value)


def _dims(ndim):
    dims = list(np.atleast_1d(ndim))
    words = {0: "a scalar", 1: "1-D", 2: "2-D", 3: "3-D"}
    return " or ".join(words.get(int(d), f"{d}-D") for d in dims)
