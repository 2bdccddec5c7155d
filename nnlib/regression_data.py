"""Lesson 6's playground: data sets with a real-valued target, TensorFlow Playground's two
regression problems. Shapes: N points; X (N, 2), y (N,).
"""

import numpy as np

from .validation import check_int, check_number


def _playground_plane(n, noise, seed):
    """Playground's regression points: uniform in [-6, 6]^2, and a noisy copy
    (each coordinate plus ``U(-6, 6) * noise``) that the target is computed on."""
    n = check_int(n, "n", minimum=1)
    noise = check_number(noise, "noise", low=0.0, high=0.5)
    rng = np.random.default_rng(seed)
    X = rng.uniform(-6, 6, size=(n, 2))
    return X, X + rng.uniform(-6, 6, size=X.shape) * noise


def make_plane(n=500, noise=0.0, seed=0):
    """Playground's "plane" regression: target ``y = (x1 + x2) / 10`` (in [-1.2, 1.2]),
    computed on a noisy copy of the point (noise in [0, 0.5]); the clean point is kept.
    Returns X (N, 2), y (N,) float64."""
    X, noisy = _playground_plane(n, noise, seed)
    return X, noisy.sum(axis=1) / 10


GAUSSIANS = [(-4, 2.5, 1), (0, 2.5, -1), (4, 2.5, 1), (-4, -2.5, -1), (0, -2.5, 1), (4, -2.5, -1)]


def make_gaussian_regression(n=500, noise=0.0, seed=0):
    """Playground's "gaussian" regression: six bumps (centre, sign) in ``GAUSSIANS``.

    Each bump is ``sign * max(1 - d / 2, 0)`` at distance d from its centre; the target
    is the bump of largest size there (in [-1, 1]), computed on a noisy copy of the
    point (noise in [0, 0.5]). Returns X (N, 2), y (N,) float64.
    """
    X, noisy = _playground_plane(n, noise, seed)
    centres, signs = np.array([g[:2] for g in GAUSSIANS], float), np.array([g[2] for g in GAUSSIANS], float)
    d = np.linalg.norm(noisy[:, None, :] - centres[None, :, :], axis=2)  # (N, 6)
    bumps = signs * np.clip(1 - d / 2, 0, 1)
    return X, bumps[np.arange(len(X)), np.argmax(np.abs(bumps), axis=1)]
