"""Lesson 2 exercises: the gradient of the mean squared error, gradient descent on the
lesson's two equations, the central difference, and the largest learning rate."""

import numpy as np

import nnlib

from .grading import Case, Exercise, Symptom, Wrong, check_function, check_value, close, exact_numbers

# The lesson's system: 2 w1 + w2 = 7, 3 w1 - w2 = 3, solved by w = (2, 3).
X_LESSON = np.array([[2.0, 1.0], [3.0, -1.0]])
Y_LESSON = np.array([7.0, 3.0])


def mse_gradient(X, w, y):
    """- X: (N, D), w: (D,), y: (N,). Returns d mean((X @ w - y)**2) / dw, shape (D,)."""
    error = X @ w - y                    # (N,)
    return 2 / len(y) * X.T @ error      # (D, N) @ (N,) -> (D,)


def _numerical_mse_gradient(X, w, y):
    # The expected answer comes from central differences of the loss itself, not from
    # the formula the learner is asked to write.
    return nnlib.numerical_gradient(lambda v: np.mean((X @ v - y) ** 2), np.array(w, dtype=float))


def _mse_cases():
    rng = np.random.default_rng(2)
    X5, w5, y5 = rng.normal(size=(5, 3)).round(2), rng.normal(size=3).round(2), rng.normal(size=5).round(2)
    return [
        Case("the lesson's system X = [[2, 1], [3, -1]], y = [7, 3] at w = [1, 1]",
             (X_LESSON.copy(), np.array([1.0, 1.0]), Y_LESSON.copy())),
        Case("the lesson's system at w = [0, 0]", (X_LESSON.copy(), np.zeros(2), Y_LESSON.copy())),
        Case(f"N = 5, D = 3: X = {X5.tolist()}, w = {w5.tolist()}, y = {y5.tolist()}", (X5, w5, y5)),
        Case("N = 1, D = 1: X = [[2.0]], w = [0.5], y = [3.0]", (np.array([[2.0]]), np.array([0.5]), np.array([3.0]))),
    ]


MSE_MISTAKES = [
    (lambda X, w, y: 1 / len(y) * X.T @ (X @ w - y), "The 2 is missing: the derivative of r**2 is 2 r."),
    (lambda X, w, y: 2 * X.T @ (X @ w - y), "The 1/N is missing: the loss is a mean, so its gradient is too."),
    (lambda X, w, y: 2 / len(y) * X.T @ (y - X @ w),
     "The sign is flipped: with the error X @ w - y, the gradient is +2/N X.T @ error."),
    (lambda X, w, y: 2 / len(y) * X @ (X @ w - y),
     "X @ error has the wrong transpose: X (N, D) cannot meet an error (N,) unless N = D, and then gives the "
     "wrong numbers. The gradient has one entry per weight: X.T @ error, (D, N) @ (N,) -> (D,)."),
    (lambda X, w, y: 2 / X.shape[1] * X.T @ (X @ w - y), "It divides by D (X.shape[1]); the mean is over the N "
                                                         "examples."),
    (lambda X, w, y: np.mean(2 * X.T @ (X @ w - y)),
     "The mean of the gradient is one number; the gradient has one entry per weight, shape (D,)."),
]


def _mse_domain(rng):
    # Exact numbers from 2**-100 to 9 * 2**100 (1e-30 to 1e31): X @ w is exact.
    N, D = rng.integers(1, 7), rng.integers(1, 5)
    return exact_numbers(rng, (N, D), 100), exact_numbers(rng, D, 100), exact_numbers(rng, N, 100)


ONE_D = "w and the error are 1-D: the transpose of a 1-D array is the array itself."


def check_mse_gradient(f):
    n = check_function(f, _mse_cases(), _numerical_mse_gradient, MSE_MISTAKES, close(1e-6, 1e-8))
    return f"Your gradient matches nnlib.numerical_gradient of the MSE on all {n} cases."


def gradient_descent(X, y, lr, steps):
    """- X: (N, D), y: (N,). Start from w = 0; take ``steps`` steps; return w (D,)."""
    w = np.zeros(X.shape[1])
    for _ in range(steps):
        # The gradient changes as w moves: compute it again at every step.
        w = w - lr * 2 / len(y) * X.T @ (X @ w - y)
    return w


def _descent_cases():
    rng = np.random.default_rng(3)
    X6 = rng.normal(size=(6, 3)).round(2)
    y6 = (X6 @ np.array([1.0, -2.0, 0.5]) + rng.normal(scale=0.1, size=6)).round(2)
    lesson = "the lesson's system X = [[2, 1], [3, -1]], y = [7, 3]"
    return [
        Case(f"{lesson}, lr = 0.05, steps = 1", (X_LESSON.copy(), Y_LESSON.copy(), 0.05, 1)),
        Case(f"{lesson}, lr = 0.05, steps = 300 (the answer is w = (2, 3))",
             (X_LESSON.copy(), Y_LESSON.copy(), 0.05, 300)),
        Case("3 w = 6 (X = [[3.0]], y = [6.0]), lr = 0.02, steps = 50", (np.array([[3.0]]), np.array([6.0]), 0.02, 50)),
        Case(f"N = 6, D = 3: X = {X6.tolist()}, y = {y6.tolist()}, lr = 0.1, steps = 100", (X6, y6, 0.1, 100)),
        Case(f"{lesson}, lr = 0.05, steps = 0 (no step: the start)", (X_LESSON.copy(), Y_LESSON.copy(), 0.05, 0)),
    ]


def _descent(X, y, lr, steps, sign=-1.0, start=0.0, fixed_gradient=False, scale=None):
    # A configurable loop that makes the typical wrong answers below.
    w = np.full(X.shape[1], start)
    scale = 2 / len(y) if scale is None else scale
    g = scale * X.T @ (X @ w - y)
    for _ in range(steps):
        if not fixed_gradient:
            g = scale * X.T @ (X @ w - y)
        w = w + sign * lr * g
    return w


DESCENT_MISTAKES = [
    (lambda X, y, lr, steps: _descent(X, y, lr, steps, sign=+1.0),
     "w + lr * gradient climbs uphill (gradient ascent): the loss grows. Step against the gradient: w - lr * "
     "gradient."),
    (lambda X, y, lr, steps: _descent(X, y, lr, steps, start=1.0), "The start must be w = 0 (np.zeros(D)), not ones."),
    (lambda X, y, lr, steps: _descent(X, y, lr, steps, fixed_gradient=True),
     "The gradient is computed once, before the loop: compute it again at every step, at the current w."),
    (lambda X, y, lr, steps: _descent(X, y, lr, steps + 1), "One step too many: take exactly `steps` steps."),
    (lambda X, y, lr, steps: _descent(X, y, lr, max(steps - 1, 0)), "One step too few: take exactly `steps` steps."),
    (lambda X, y, lr, steps: _descent(X, y, lr, steps, scale=1.0), "The gradient lacks its 2 / N: it is 2/N X.T @ (X "
                                                                   "@ w - y)."),
    (lambda X, y, lr, steps: np.mean((X @ gradient_descent(X, y, lr, steps) - y) ** 2),
     "That is the loss after the steps; return the weights w."),
]


def _descent_domain(rng):
    # A learning rate below the limit 2 / lambda_max, so that the reference converges.
    N, D = rng.integers(1, 7), rng.integers(1, 4)
    X, y = exact_numbers(rng, (N, D), 8), exact_numbers(rng, N, 8)
    top = np.linalg.eigvalsh(2 / N * X.T @ X).max()
    lr = float(rng.uniform(0.05, 0.95)) * (1 / top if top > 1e-9 else 1.0)
    return X, y, lr, int(rng.integers(0, 41))


def check_gradient_descent(f):
    n = check_function(f, _descent_cases(), gradient_descent, DESCENT_MISTAKES, close(1e-6, 1e-9))
    return f"Your loop solves the lesson's system, w = (2, 3), and the other {n - 1} cases."


def numerical_derivative(g, x, h):
    """The central difference of a function g of one number at x, with step h."""
    return (g(x + h) - g(x - h)) / (2 * h)


def _derivative_cases():
    return [
        Case("g(x) = x**3 at x = 2.0, h = 0.1", (lambda x: x ** 3, 2.0, 0.1)),
        Case("g(x) = x**2 - 3x at x = -1.5, h = 0.5", (lambda x: x ** 2 - 3 * x, -1.5, 0.5)),
        Case("g = np.sin at x = 1.0, h = 0.001", (np.sin, 1.0, 0.001)),
        Case("g = np.exp at x = 0.0, h = 0.0001", (np.exp, 0.0, 0.0001)),
    ]


def _ignores_h(args, got):
    # Close to the true derivative but not to the central difference with the given h:
    # the code uses a step of its own.
    g, x, h = args
    if got.error is not None:
        return False
    try:
        value = float(got.value)
    except (TypeError, ValueError):
        return False
    return any(abs(value - numerical_derivative(g, x, own)) < 1e-9 * max(1.0, abs(value))
               for own in (1e-3, 1e-4, 1e-5, 1e-6, 1e-7, 1e-8, 1e-10))


DERIVATIVE_MISTAKES = [
    (lambda g, x, h: (g(x + h) - g(x)) / h,
     "That is the forward difference (g(x + h) - g(x)) / h: its error grows like h (here about 6h on the cubic); "
     "the central difference looks both ways and its error grows like h**2."),
    (lambda g, x, h: (g(x) - g(x - h)) / h, "That is the backward difference; the central one uses g(x + h) and g(x "
                                            "- h)."),
    (lambda g, x, h: (g(x + h) - g(x - h)) / h,
     "It divides by h, but the two points are 2h apart: the result is twice the slope."),
    (lambda g, x, h: (g(x + h) - g(x - h)) / 2 * h, "`/ 2 * h` divides by 2 and then multiplies by h: brackets, / (2 "
                                                    "* h)."),
    (Symptom(_ignores_h), "The result does not depend on h as it should: use the h you are given, not a step of your "
                          "own."),
]


def _function(rng):
    a, b, c = (float(v) for v in rng.integers(-3, 4, size=3))
    kind = rng.integers(0, 4)
    if kind == 0:
        def g(x):
            return a * x ** 3 + b * x ** 2 + c * x
        g.__doc__ = f"g(x) = a x**3 + b x**2 + c x with a = {a:g}, b = {b:g}, c = {c:g}"
    elif kind == 1:
        def g(x):
            return np.sin(a * x) + b
        g.__doc__ = f"g(x) = sin(a x) + b with a = {a:g}, b = {b:g}"
    elif kind == 2:
        def g(x):
            return np.exp(x / 2) * c
        g.__doc__ = f"g(x) = c exp(x / 2) with c = {c:g}"
    else:
        def g(x):
            return a / (1 + x * x)
        g.__doc__ = f"g(x) = a / (1 + x**2) with a = {a:g}"
    return g


def _derivative_domain(rng):
    x = float(rng.choice([-1.0, 1.0]) * 10 ** rng.uniform(-3, 3))
    return _function(rng), x, float(10 ** rng.uniform(-4, 2))


def check_numerical_derivative(f):
    n = check_function(f, _derivative_cases(), numerical_derivative, DERIVATIVE_MISTAKES, close(1e-9, 1e-12))
    return f"Your central difference is right on all {n} functions."


def largest_learning_rate(X=X_LESSON):
    # The loss mean((X w - y)**2) has the Hessian (2 / N) X.T X. Along an eigenvector
    # with eigenvalue lam, a step multiplies the distance to the bottom by (1 - lr lam):
    # it shrinks only while lr < 2 / lam, and the largest lam sets the limit.
    hessian = 2 / len(X) * X.T @ X
    return 2 / np.linalg.eigvalsh(hessian).max()


# The lesson's system has N = 2, where 2 / N = 1 hides a missing 2 / N: a function of X
# is also graded on this system of N = 3 equations.
X_THREE = np.array([[2.0, 1.0], [3.0, -1.0], [1.0, 1.0]])


def _rate_domain(rng):
    N, D = rng.integers(1, 7), rng.integers(1, 4)
    X = exact_numbers(rng, (N, D), 10)
    X[0, 0] = 2.0 ** 10  # never all zeros: the limit is then infinite
    return (X,)


def check_largest_learning_rate(answer):
    """A function f(X), graded on the lesson's system and on others. A number is checked
    against the known mistakes, then asked to become a function: on the lesson's system
    N = 2, so a number cannot show a missing 2 / N."""
    if callable(answer):
        cases = [Case("the lesson's system X = [[2, 1], [3, -1]]", (X_LESSON.copy(),)),
                 Case("three equations, X = [[2, 1], [3, -1], [1, 1]] (N = 3)", (X_THREE.copy(),))]
        mistakes = [(lambda X: 2 / np.linalg.eigvalsh(X.T @ X).max(),
                     "The Hessian of a mean of squares is (2 / N) X.T X: with N = 2 the factor is 1, which hides "
                     "it on the lesson's system only.")]
        n = check_function(answer, cases, largest_learning_rate, mistakes, close(1e-6, 0), what="function f(X)")
        return f"Your f(X) gives the largest learning rate on the lesson's system and on {n - 1} others."
    wanted = "This exercise expected a function f(X) that returns the rate for any X (N, D), not a number."
    try:
        _check_rate_value(answer)
    except Wrong as wrong:
        wrong.lines.append(wanted)
        raise
    raise Wrong("your answer, a number", [
        "Your number is right for the lesson's system. " + wanted + " On this system N = 2, so 2 / N = 1, "
        "and a number cannot show whether the method is right: wrap your computation in a function of X."])


def _check_rate_value(answer):
    gram = X_LESSON.T @ X_LESSON
    hessian = 2 / len(Y_LESSON) * gram
    low, high = np.linalg.eigvalsh(hessian)
    check_value(answer, largest_learning_rate(), [
        (1 / high, "1 / lambda_max lands on the bottom along the steep direction in one step; "
                   "descent still converges (zig-zagging) up to twice that."),
        (2 / low, "2 / the smallest eigenvalue is the limit of the flat direction; the steep one diverges long "
                  "before."),
        (2 / 18, "2/18 is the limit for 3 w = 6 (section 1); the 2 x 2 system has its own Hessian."),
        (2 / np.trace(hessian), "The trace (13 + 2) is the sum of the eigenvalues; the limit uses the largest one."),
        (2 / np.linalg.eigvalsh(gram / len(Y_LESSON)).max(),
         "The Hessian of a mean of squares is (2 / N) X.T X: the 2 from the square is missing."),
        (0.05, "0.05 is the rate the lesson used: it converges, but so do larger ones."),
    ], rtol=0.02)


EXERCISES = [
    Exercise("2.mse_gradient", 2, "the gradient of the mean squared error", "code",
             check_mse_gradient, lambda: mse_gradient,
             hint="With the error r = X @ w - y (N,), the gradient is 2/N X.T @ r, one entry per weight (D,).",
             nudge="Differentiate one squared error with the chain rule, then average over the examples: the "
                   "gradient has one entry per weight.",
             source_of=(mse_gradient,), domain=_mse_domain, domain_compare=close(1e-9, 0.0, scaled=True),
             equivalent_mutants={
                 "line 4: 2 / len(y) * X.T @ error -> 2 / len(y) * X.T @ error.T": ONE_D,
                 "line 3: X @ w -> X @ w.T": ONE_D,
             }, library=("nnlib.numerical_gradient",)),
    Exercise("2.gradient_descent", 2, "gradient descent on the mean squared error", "code",
             check_gradient_descent, lambda: gradient_descent,
             hint="w = np.zeros(D); then, steps times: w = w - lr * (the MSE gradient at the current w).",
             nudge="Start from zero weights; at every step, find the slope where you stand now and take a small "
                   "step downhill.",
             source_of=(gradient_descent,), domain=_descent_domain, domain_compare=close(1e-6, 0.0, scaled=True),
             equivalent_mutants={
                 "line 5: lr * 2 / len(y) * X.T @ (X @ w - y) -> lr * 2 / len(y) * X.T @ (X @ w - y).T": ONE_D,
                 "line 5: X @ w -> X @ w.T": ONE_D,
             }, library=("nnlib.train",)),
    Exercise("2.numerical_derivative", 2, "the central difference", "code",
             check_numerical_derivative, lambda: numerical_derivative,
             hint="Look both ways: (g(x + h) - g(x - h)) divided by the distance between the two points, 2h.",
             nudge="Look at g a distance h to each side of x, and divide the rise by the run between those two "
                   "points.",
             source_of=(numerical_derivative,), domain=_derivative_domain, library=("nnlib.numerical_gradient",)),
    Exercise("2.largest_learning_rate", 2, "the largest learning rate that still converges", "code",
             check_largest_learning_rate, lambda: largest_learning_rate,
             hint="The Hessian of mean((X w - y)**2) is (2/N) X.T X; the limit is 2 / its largest eigenvalue "
                  "(np.linalg.eigvalsh).",
             nudge="The steepest direction of the bowl sets the limit: its curvature (the loss's second "
                   "derivative, the Hessian) tells how far a step may go before it overshoots by more each time.",
             source_of=(largest_learning_rate,), domain=_rate_domain),
]
