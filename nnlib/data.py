"""Small synthetic data sets for the lessons, all made from a seed.

Shapes: N examples, D features. Classification sets return ``X`` (N, 2) float64 and
``y`` (N,) int64; regression sets return ``X`` (N, D) and ``y`` (N,) float64.
"""

import numpy as np

from .validation import as_float_array, as_labels, check_int, check_number


def make_linear_data(n=100, w=(2.0, -3.4), b=4.2, noise=0.1, scales=None, seed=0):
    """Regression data ``y = X @ w + b + noise * N(0, 1)``.

    - n: number of examples N.
    - w: true weights (D,).
    - b: true bias.
    - noise: standard deviation of the Gaussian noise added to y (>= 0).
    - scales: optional (D,) factors for the features; ``X[:, j] ~ N(0, scales[j]**2)``.
      Unequal scales stretch the loss surface (lesson 2). Default: all 1.
    Returns ``X`` (N, D), ``y`` (N,).
    """
    n = check_int(n, "n", minimum=1)
    w = as_float_array(w, "w", ndim=1)
    b = check_number(b, "b")
    noise = check_number(noise, "noise", low=0.0)
    scales = np.ones_like(w) if scales is None else as_float_array(scales, "scales", ndim=1)
    if scales.shape != w.shape:
        raise ValueError(f"scales must have one entry per weight, shape {w.shape}, got {scales.shape}")
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, len(w))) * scales
    y = X @ w + b + noise * rng.normal(size=n)
    return X, y


def standardize(X, mean=None, std=None):
    """Rescale each column to mean 0 and standard deviation 1.

    - X: (N, D).
    - mean, std: (D,) statistics to reuse (from the training set); computed from X if None.
    Returns ``(X_std, mean, std)``; X itself is not modified. Constant columns keep std 1.
    """
    X = as_float_array(X, "X", ndim=2)
    given = mean is not None or std is not None
    with np.errstate(over="ignore", invalid="ignore"):
        mean = X.mean(axis=0) if mean is None else as_float_array(mean, "mean", ndim=1)
        std = X.std(axis=0) if std is None else as_float_array(std, "std", ndim=1)
    constant = np.all(X == X[0], axis=0) if len(X) else np.zeros(X.shape[1], dtype=bool)
    if not given:
        # The mean of equal numbers is that number; a sum's rounding would leave a spread
        # of noise that dividing by it would blow up to +-1.
        mean, std = np.where(constant, X[0], mean), np.where(constant, 0.0, std)
    std = np.where(std > 0, std, 1.0)
    if mean.shape != (X.shape[1],) or std.shape != (X.shape[1],):
        raise ValueError(f"mean and std must have shape ({X.shape[1]},), got {mean.shape} and {std.shape}")
    with np.errstate(over="ignore", invalid="ignore"):
        X_std = (X - mean) / std
    # Near the float limits a square overflows (|x| above about 1e154) or loses its digits
    # to underflow (below about 1e-154, where a spread can even come out as 0). Then each
    # column is divided by its largest |value| first: standardising does not change under
    # scaling.
    largest = np.max(np.abs(X), axis=0) if len(X) else np.zeros(X.shape[1])
    extreme = not given and np.any((largest > 1e150) | ((largest < 1e-150) & (largest > 0)))
    if not extreme and np.all(np.isfinite(X_std)) and np.all(np.isfinite(mean)) and np.all(np.isfinite(std)):
        return X_std, mean, std
    if given:
        with np.errstate(over="ignore"):  # a value far outside the given spread: inf is the answer
            return (X / 2 - mean / 2) / std * 2, mean, std
    scale = np.where(largest > 0, largest, 1.0)
    X_std, mean, std = standardize(X / scale)
    return X_std, mean * scale, np.where(constant | ~(std * scale > 0), 1.0, std * scale)


def _counts(n, positive_fraction):
    n_pos = int(round(n * positive_fraction))
    return n - n_pos, n_pos


def make_circle(n=500, noise=0.0, positive_fraction=0.5, seed=0, *, radius=0.5, scale=1.0):
    """Points in a square, labelled 1 inside a circle and 0 outside.

    - n: number of points N (>= 1).
    - noise: standard deviation of Gaussian jitter added to each coordinate after
      labelling, as a fraction of the square's half-width, in [0, 1].
    - positive_fraction: share of points inside the circle, in [0, 1]. Exactly
      ``round(n * positive_fraction)`` points are inside. 0.05 gives the 95 % / 5 %
      split that makes "always outside" look 95 % accurate.
    - radius: circle radius as a fraction of the half-width, in (0, 1).
    - scale: half-width of the square; ``scale=20, radius=0.25`` gives points in
      [-20, 20]^2 with a circle of radius 5, unstandardised.
    - seed: seed for ``np.random.default_rng``; the same seed gives the same points.
    Returns ``X`` (N, 2) float64, ``y`` (N,) int64 in {0, 1}, shuffled.
    """
    n = check_int(n, "n", minimum=1)
    noise = check_number(noise, "noise", low=0.0, high=1.0)
    positive_fraction = check_number(positive_fraction, "positive_fraction", low=0.0, high=1.0)
    radius = check_number(radius, "radius", low=0.0, high=1.0)
    if radius in (0.0, 1.0):
        raise ValueError(f"radius must be strictly between 0 and 1, got {radius}")
    scale = check_number(scale, "scale", low=0.0)
    if scale == 0:
        raise ValueError("scale must be positive, got 0")
    rng = np.random.default_rng(seed)
    n_neg, n_pos = _counts(n, positive_fraction)
    # Inside: uniform over the disk (sqrt makes the density uniform in area).
    r = radius * np.sqrt(rng.uniform(size=n_pos))
    a = rng.uniform(0, 2 * np.pi, size=n_pos)
    inside = np.column_stack([r * np.cos(a), r * np.sin(a)])
    # Outside: uniform over the square minus the disk, by rejection.
    outside = np.empty((0, 2))
    while len(outside) < n_neg:
        cand = rng.uniform(-1, 1, size=(2 * (n_neg - len(outside)) + 8, 2))
        outside = np.vstack([outside, cand[np.hypot(cand[:, 0], cand[:, 1]) > radius]])
    X = np.vstack([inside, outside[:n_neg]])
    y = np.concatenate([np.ones(n_pos, dtype=np.int64), np.zeros(n_neg, dtype=np.int64)])
    X = X + noise * rng.normal(size=X.shape)
    order = rng.permutation(n)
    return X[order] * scale, y[order]


def make_playground_circle(n=500, noise=0.0, seed=0):
    """TensorFlow Playground's "circle" data set, reproduced exactly.

    Radius 5. Half the points (``n // 2``) inside at r ~ U(0, 2.5), half outside at
    r ~ U(3.5, 5); angle ~ U(0, 2 pi); the point is ``(r sin a, r cos a)``. The label is
    decided on a noisy copy of the point (each coordinate plus ``U(-5, 5) * noise``):
    1 if its distance from the origin is below 2.5, else 0. The clean point is kept.

    - n: number of points N (>= 1).
    - noise: in [0, 0.5], as in Playground's noise slider (0 to 50).
    Returns ``X`` (N, 2) float64, ``y`` (N,) int64 in {0, 1}: inside points first.
    """
    n = check_int(n, "n", minimum=1)
    noise = check_number(noise, "noise", low=0.0, high=0.5)
    rng = np.random.default_rng(seed)
    radius = 5.0
    n_in = n // 2
    r = np.concatenate([
        rng.uniform(0, radius * 0.5, size=n_in),
        rng.uniform(radius * 0.7, radius, size=n - n_in),
    ])
    angle = rng.uniform(0, 2 * np.pi, size=n)
    X = np.column_stack([r * np.sin(angle), r * np.cos(angle)])
    noisy = X + rng.uniform(-radius, radius, size=X.shape) * noise
    y = (np.hypot(noisy[:, 0], noisy[:, 1]) < radius * 0.5).astype(np.int64)
    return X, y


def make_xor(n=500, noise=0.0, seed=0):
    """Playground's XOR: points in [-5, 5]^2 pushed 0.3 off the axes, label 1 where
    x1 * x2 >= 0.

    As in Playground the label is decided on a noisy copy (each coordinate plus
    ``U(-5, 5) * noise``, noise in [0, 0.5]) and the clean point is kept.
    Returns X (N, 2), y (N,).
    """
    n = check_int(n, "n", minimum=1)
    noise = check_number(noise, "noise", low=0.0, high=0.5)
    rng = np.random.default_rng(seed)
    X = rng.uniform(-5, 5, size=(n, 2))
    X = X + np.where(X > 0, 0.3, -0.3)
    noisy = X + rng.uniform(-5, 5, size=X.shape) * noise
    y = (noisy[:, 0] * noisy[:, 1] >= 0).astype(np.int64)
    return X, y


def make_spiral(n=500, noise=0.0, seed=0, classes=2):
    """Interleaved spirals (Playground's spiral), radius up to 5, one arm per class.

    - classes: C >= 2 arms, labels 0 .. C-1; each arm is the first turned by 2 pi / C.
      With 2, arm 1 comes first and the arms are point reflections of each other.
      With fewer points than arms (n < C), each of the first n arms gets one point.
    ``noise`` in [0, 0.5] jitters each point by ``U(-1, 1) * noise`` (as Playground
    does). Returns X (N, 2), y (N,), the arms one after the other.
    """
    n = check_int(n, "n", minimum=1)
    noise = check_number(noise, "noise", low=0.0, high=0.5)
    classes = check_int(classes, "classes", minimum=2)
    rng = np.random.default_rng(seed)
    parts, labels = [], []
    order = [1, 0] + list(range(2, min(classes, n + 2)))
    # Fewer points than arms: one point on each of the first n arms (not all on the last).
    for k, label in enumerate(order[:n]):
        count = 1 if n < classes else n // classes if k < classes - 1 else n - (classes - 1) * (n // classes)
        i = np.arange(count)
        r = i / max(count, 1) * 5
        t = 1.75 * i / max(count, 1) * 2 * np.pi + 2 * np.pi * k / classes
        pts = np.column_stack([r * np.sin(t), r * np.cos(t)])
        parts.append(pts + rng.uniform(-1, 1, size=pts.shape) * noise)
        labels.append(np.full(count, label, dtype=np.int64))
    return np.vstack(parts), np.concatenate(labels)


def make_blobs(n=500, noise=0.0, seed=0):
    """Two Gaussian blobs centred at (2, 2) (label 1) and (-2, -2) (label 0).

    ``noise`` in [0, 0.5] widens them, as in Playground: variance ``0.5 + 7 * noise``
    (0.5 to 4).
    Returns X (N, 2), y (N,).
    """
    n = check_int(n, "n", minimum=1)
    noise = check_number(noise, "noise", low=0.0, high=0.5)
    rng = np.random.default_rng(seed)
    n_pos = n // 2
    y = np.concatenate([np.ones(n_pos, dtype=np.int64), np.zeros(n - n_pos, dtype=np.int64)])
    centres = np.where(y[:, None] == 1, 2.0, -2.0)
    X = centres + rng.normal(scale=np.sqrt(0.5 + 7 * noise), size=(n, 2))
    return X, y


def confusion_matrix(y_true, y_pred, classes):
    """Counts (C, C): entry [i, j] is how many examples of class i were predicted as j."""
    classes = check_int(classes, "classes", minimum=1)
    y_true = as_labels(y_true, "y_true", classes)
    y_pred = as_labels(y_pred, "y_pred", classes, n=len(y_true))
    counts = np.zeros((classes, classes), dtype=np.int64)
    np.add.at(counts, (y_true, y_pred), 1)
    return counts


def train_val_split(X, y, val_fraction=0.2, seed=0):
    """Shuffle and split into training and validation sets.

    - X: (N, D); y: (N,).
    - val_fraction: share of examples for validation, in [0, 1). At least one example
      stays in training.
    Returns ``X_train, y_train, X_val, y_val`` (copies).
    """
    X = as_float_array(X, "X", ndim=2)
    y = np.asarray(y)
    if y.shape[:1] != X.shape[:1]:
        raise ValueError(f"X and y must have the same number of examples, got {X.shape[0]} and {y.shape[0] if y.ndim else y.shape}")
    val_fraction = check_number(val_fraction, "val_fraction", low=0.0, high=1.0)
    if val_fraction >= 1:
        raise ValueError(f"val_fraction must be below 1, got {val_fraction}")
    order = np.random.default_rng(seed).permutation(len(X))
    n_val = min(int(round(len(X) * val_fraction)), len(X) - 1)
    val, train = order[:n_val], order[n_val:]
    return X[train], y[train], X[val], y[val]


def rebalance(X, y, positive_fraction, n=None, seed=0):
    """Pick ``n`` examples of which ``round(n * positive_fraction)`` are class 1.

    Sets the class balance of any labelled set: make more points than needed, then keep
    the share of class 1 you want (5 % for the "always outside" trap).

    - X: (N, D); y: (N,) labels in {0, 1}.
    - positive_fraction: share of class 1 in the result, in [0, 1].
    - n: size of the result (default N); each class must have enough examples.
    - seed: seed of the random choice.
    Returns ``X, y`` (n, D) and (n,), new arrays in random order.
    """
    X = as_float_array(X, "X", ndim=2)
    y = np.asarray(y)
    if y.shape != (len(X),):
        raise ValueError(f"y must have one label per example, shape ({len(X)},), got shape {y.shape}")
    positive_fraction = check_number(positive_fraction, "positive_fraction", low=0.0, high=1.0)
    n = len(X) if n is None else check_int(n, "n", minimum=1)
    n_neg, n_pos = _counts(n, positive_fraction)
    rng = np.random.default_rng(seed)
    picked = []
    for label, count in ((0, n_neg), (1, n_pos)):
        where = np.flatnonzero(y == label)
        if len(where) < count:
            raise ValueError(
                f"need {count} examples of class {label} for n={n} and positive_fraction="
                f"{positive_fraction}, but y has only {len(where)}: make more points first"
            )
        picked.append(rng.choice(where, size=count, replace=False))
    order = rng.permutation(np.concatenate(picked))
    return X[order], y[order]
