"""Lesson 1 exercises: a dense layer's forward pass, the shape of a matrix product, and
the signed distance of points from a neuron's line."""

import numpy as np

from .grading import Case, Exercise, check_function, check_value, close, exact_numbers


def dense_forward(X, W, b):
    """- X: (N, D) inputs, W: (D, H) weights, b: (H,) biases. Returns (N, H)."""
    # Each row of X is one example; b is added to every row (broadcasting).
    return X @ W + b


def _cases():
    rng = np.random.default_rng(1)

    def numbers(*shape):
        return rng.integers(-3, 4, size=shape).astype(float)

    shapes = [
        ("a batch: X (4, 3), W (3, 2), b (2,)", 4, 3, 2),
        ("a square one: X (2, 2), W (2, 2), b (2,)", 2, 2, 2),
        ("one example (N = 1): X (1, 3), W (3, 5), b (5,)", 1, 3, 5),
        ("one feature (D = 1): X (3, 1), W (1, 4), b (4,)", 3, 1, 4),
        ("one of everything: X (1, 1), W (1, 1), b (1,)", 1, 1, 1),
    ]
    cases = []
    for label, N, D, H in shapes:
        X, W, b = numbers(N, D), numbers(D, H), numbers(H) + 0.5  # b never all zero
        cases.append(Case(f"{label}, X = {X.tolist()}, W = {W.tolist()}, b = {b.tolist()}", (X, W, b)))
    return cases


DENSE_MISTAKES = [
    (lambda X, W, b: X @ W, "b is missing: the output is X @ W + b."),
    (lambda X, W, b: W @ X + b, "W @ X is the wrong order: each row of X is an example, so X @ W (N, D) @ (D, H)."),
    (lambda X, W, b: X @ W + b[:, None],
     "b is added along the wrong axis (b[:, None] is a column): add b (H,) itself, to every row."),
    (lambda X, W, b: X * W + b, "X * W multiplies entry by entry; the layer needs the matrix product X @ W."),
    (lambda X, W, b: X @ W.T + b, "W is (D, H) already: X @ W, not X @ W.T."),
]


def _dense_domain(rng):
    N, D, H = rng.integers(1, 6, size=3)
    # Magnitudes from 2**-300 to 9 * 2**300 (1e-90 to 1e91): X @ W is exact at any of them.
    return exact_numbers(rng, (N, D), 300), exact_numbers(rng, (D, H), 300), exact_numbers(rng, H, 300)


def check_dense_forward(f):
    n = check_function(f, _cases(), dense_forward, DENSE_MISTAKES, close(1e-9, 1e-12))
    return f"Your dense_forward gave X @ W + b for all {n} shapes, N = 1 and D = 1 included."


def matmul_shape():
    A, B = np.zeros((5, 3)), np.zeros((3, 2))
    return (A @ B).shape


def check_matmul_shape(answer):
    check_value(answer, matmul_shape(), [
        ((2, 5), "The rows come from A and the columns from B: (5, 3) @ (3, 2) keeps A's 5 rows and B's 2 columns."),
        ((3, 3), "The inner sizes (3 and 3) must match, and they disappear: keep the outer ones."),
        ((5, 3), "(5, 3) is the shape of A itself; the product keeps A's rows and B's columns."),
        ((3, 2), "(3, 2) is the shape of B itself; the product keeps A's rows and B's columns."),
        ((5, 3, 2), "The inner 3s are summed over and disappear: the result has two axes."),
    ])
    return "(5, 3) @ (3, 2): the inner 3s meet and vanish."


def signed_distance(X, w, b):
    """- X: (N, D) points, w: (D,) weights, b: a number (the bias). Returns (N,): each
    point's signed distance from the line (plane) w . x + b = 0, positive on the side
    w points to."""
    # The score w . x + b grows by |w| per unit of length walked along w.
    return (X @ w + b) / np.sqrt(w @ w)


def _distance_cases():
    rng = np.random.default_rng(3)
    given = [
        # |w| = 5, w @ w = 25, sum(w) = 7: each known mistake gives its own numbers here.
        ("w = (3, 4), b = -5, four points", [[3, 4], [0, 0], [1, 0.5], [-1, -1]], [3, 4], -5.0),
        ("w = (0, 2), b = 1: the line x2 = -0.5", [[0, 0], [5, 1], [2, -3]], [0, 2], 1.0),
        ("w = (1, 2, 2), b = 0: a plane through the origin in 3-D",
         rng.integers(-3, 4, size=(5, 3)), [1, 2, 2], 0.0),
        ("one input (D = 1): w = (-2,), b = 4, the boundary is the point x = 2", [[0], [3], [2]], [-2], 4.0),
        ("one point (N = 1): w = (1, 1), b = -1", [[2, 2]], [1, 1], -1.0),
    ]
    cases = []
    for label, X, w, b in given:
        X, w = np.array(X, dtype=float), np.array(w, dtype=float)
        cases.append(Case(f"{label}: X = {X.tolist()}, w = {w.tolist()}, b = {b:g}", (X, w, b)))
    X, w, b = rng.normal(size=(6, 4)).round(2), rng.normal(size=4).round(2), 0.7
    cases.append(Case(f"X (6, 4), w (4,), b = {b:g}: X = {X.tolist()}, w = {w.tolist()}", (X, w, b)))
    return cases


DISTANCE_MISTAKES = [
    (lambda X, w, b: X @ w + b,
     "this is the score w . x + b, not a distance: doubling w and b keeps the line but doubles the score."),
    (lambda X, w, b: (X @ w + b) / (w @ w),
     "divided by w @ w, the squared length of w: one length too many."),
    (lambda X, w, b: np.abs(X @ w + b) / np.sqrt(w @ w),
     "the sign is lost: points on the side w points away from must come out negative."),
    (lambda X, w, b: -(X @ w + b) / np.sqrt(w @ w),
     "the signs are flipped: the side w points to is the positive side."),
    (lambda X, w, b: (X @ w) / np.sqrt(w @ w),
     "b is missing: without it you measure from the line through the origin."),
    (lambda X, w, b: (X @ w + b) / np.sum(w),
     "divided by the sum of w's entries, which is not its length."),
    (lambda X, w, b: X @ (w / np.sqrt(w @ w)) + b,
     "only w was divided by its length; b is part of the score and must be divided too."),
    (lambda X, w, b: (X @ w + b) / np.sqrt(np.sum(X * X, axis=1)),
     "divided by each point's own length: the distance depends on the length of w, not of x."),
    (lambda X, w, b: -b / np.sqrt(w @ w),
     "this is the line's own signed distance from the origin, one number; each point needs its own."),
]


def _distance_domain(rng):
    # Small integers times a power of two, X from 2**-500 to 9 * 2**500 and w apart from it
    # (1e-150 to 1e151), b at the scale of X @ w: the scores are exact, and w @ w stays
    # inside float64. w is never all zeros (no line then).
    N, D = int(rng.integers(1, 7)), int(rng.integers(1, 5))
    kx, kw = (int(k) for k in rng.integers(-500, 501, size=2))
    Xi, wi = rng.integers(-9, 10, size=(N, D)), rng.integers(-9, 10, size=D)
    wi[rng.integers(D)] = rng.choice([-1, 1]) * rng.integers(1, 10)
    bi = 0 if rng.random() < 0.15 else int(rng.integers(-81 * D, 81 * D + 1))
    if rng.random() < 0.5:
        # Points exactly on the line: the line through the first point, and other points
        # moved from it at right angles to w (in 2-D and up).
        bi = -int(Xi[0] @ wi)
        if D > 1:
            p, q = rng.choice(D, size=2, replace=False)
            across = np.zeros(D, dtype=int)
            across[p], across[q] = wi[q], -wi[p]
            for i in range(1, N):
                if rng.random() < 0.5:
                    Xi[i] = Xi[0] + rng.integers(-2, 3) * across
    return Xi * 2.0 ** kx, wi * 2.0 ** kw, float(bi * 2.0 ** (kx + kw))


def _distance_rounding(X, w, b):
    # On the line the distance is 0 and every formula leaves its own rounding there, at
    # the size of the terms of the score (then divided by |w|): absolute, per point.
    return 1e-12 * (np.abs(X) @ np.abs(w) + abs(b)) / np.sqrt(w @ w)


def check_signed_distance(f):
    n = check_function(f, _distance_cases(), signed_distance, DISTANCE_MISTAKES, close(1e-9, 1e-12))
    return f"Your signed_distance measured every point on all {n} cases, in 1-D, 2-D, 3-D and 4-D."


W_1D = "w is 1-D, shape (D,): the transpose of a 1-D array is the array itself."

EXERCISES = [
    Exercise("1.dense_forward", 1, "a dense layer's forward pass X @ W + b", "code",
             check_dense_forward, lambda: dense_forward,
             hint="A batch X (N, D) times W (D, H) gives (N, H); numpy adds b (H,) to every row by broadcasting.",
             nudge="Each row of X is one example: the layer takes weighted sums of its features, one per output, "
                   "and adds one bias per output; numpy can do every row at once.",
             source_of=(dense_forward,), domain=_dense_domain, domain_compare=close(1e-9, 0.0), library=("nnlib.Dense.forward",)),
    Exercise("1.matmul_shape", 1, "the shape of A @ B", "value",
             check_matmul_shape, matmul_shape,
             hint="(n, k) @ (k, m) is (n, m): the inner sizes match and disappear.",
             nudge="Write the two shapes side by side: which sizes must agree, and which ones stay in the result?",
             source_of=(matmul_shape,)),
    Exercise("1.signed_distance", 1, "the signed distance of points from a neuron's line", "code",
             check_signed_distance, lambda: signed_distance,
             hint="Walking a length of 1 straight along w raises the score w . x + b by the length of w, "
                  "|w| = np.sqrt(w @ w): divide each point's score (X @ w + b, shape (N,)) by it.",
             nudge="Doubling w and b doubles every score w . x + b without moving the line, but a distance must "
                   "not change. Ask how much the score grows when a point walks a length of 1 straight along w, "
                   "away from the line.",
             source_of=(signed_distance,), domain=_distance_domain,
             domain_compare=close(1e-9, 0.0, floor=_distance_rounding),
             library=("nnlib.Dense.forward", "nnlib.cosine_similarity"),
             equivalent_mutants={
                 "line 5: X @ w -> X @ w.T": W_1D,
                 "line 5: w @ w -> w.T @ w": W_1D,
                 "line 5: w @ w -> w @ w.T": W_1D,
             }),
]
