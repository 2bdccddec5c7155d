"""Lesson 3 exercises: a stable sigmoid, its derivative, and a stable softmax."""

import inspect
import re

import numpy as np

from .grading import Case, Exercise, Symptom, check_function, close


def sigmoid(z):
    """1 / (1 + exp(-z)) for any finite z (from -1e308 to 1e308), any shape."""
    z = np.asarray(z, dtype=float)
    e = np.exp(-np.abs(z))   # exp of a number <= 0 only: e is in [0, 1], never inf
    # For z >= 0 the textbook form is safe; for z < 0 the same value is e / (1 + e).
    return np.where(z >= 0, 1 / (1 + e), e / (1 + e))


def sigmoid_grad(z):
    """The derivative of the sigmoid, s (1 - s), for any finite z, any shape."""
    s = sigmoid(z)
    return s * (1 - s)       # brackets: s * 1 - s would be s - s = 0


def softmax(z):
    """Probabilities along the last axis, for scores z of shape (C,) or (N, C)."""
    z = np.asarray(z, dtype=float)
    # Subtracting each row's largest score changes nothing mathematically, and makes the
    # largest exponent 0: exp cannot overflow.
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def _sigmoid_cases():
    return [
        Case("z = 0.0", (0.0,)),
        Case("z = [-2.0, 0.0, 3.0], shape (3,)", (np.array([-2.0, 0.0, 3.0]),)),
        Case("z = -1000.0", (-1000.0,)),
        Case("z = 1065.1 (the logit that gave nan in the learner's notebook this lesson is built on)", (1065.1,)),
        Case("z = -40.0", (-40.0,)),
        Case("z = 1e308", (1e308,)),
        Case("z = -1e308", (-1e308,)),
        Case("z = [[-700.0, -1.0, 0.0], [0.5, 20.0, 700.0]], shape (2, 3)",
             (np.array([[-700.0, -1.0, 0.0], [0.5, 20.0, 700.0]]),)),
        Case("z = [-1.0, 0.0, 1.0] given as a Python list", ([-1.0, 0.0, 1.0],)),
        Case("z = np.array(1.5), shape ()", (np.array(1.5),)),
    ]


def _overflow(sign):
    # An exp that overflowed on this case, for a logit of the given sign.
    def test(args, got):
        z = np.asarray(args[0], dtype=float)
        return bool(got.error and "overflow" in got.error and np.any(np.sign(z) == sign))
    return Symptom(test)


def _not_exact(args, got):
    # A result off by much more than rounding where the true value is within 1e-6 of 0 or
    # 1: a clipped z (at +-20, say) or a probability clipped to [1e-7, 1 - 1e-7].
    if got.error or not isinstance(got.value, (np.ndarray, float, np.floating)):
        return False
    expected = sigmoid(args[0])
    if np.shape(got.value) != expected.shape:
        return False
    off = ~np.isclose(np.asarray(got.value, dtype=float), expected, rtol=1e-9, atol=1e-320)
    return bool(np.any(off) and np.all(np.minimum(expected, 1 - expected)[off] < 1e-6))


def _scalar_function_on_array(args, got):
    return bool(got.error and "converted to Python scalars" in got.error)


def _list_input(args, got):
    return bool(isinstance(args[0], list) and got.error and "list" in got.error)


EXP_NEGATIVE = ("np.exp(-z) overflows for a large negative z: exp(1000) is inf, and numpy warns (the textbook "
                "1 / (1 + np.exp(-z)) has this, even where its result looks right). np.where does not help on "
                "its own: it computes both branches for every z, so each branch must be safe by itself.")
EXP_POSITIVE = ("np.exp(z) overflows for a large z: exp(z) / (1 + exp(z)) is inf / inf = nan, the nan that a logit of "
                "1065.1 gave in the learner's notebook this lesson is built on. np.where does not help on its own: "
                "it computes both branches for every z, so each branch must be safe by itself.")
COMMON_MISTAKES = [
    (Symptom(_scalar_function_on_array),
     "math.exp (or float()) takes a single number; np.exp works on a whole array at once."),
    (Symptom(_list_input), "z may be a list: start with z = np.asarray(z, dtype=float)."),
    (Symptom(lambda args, got: bool(got.error and "truth value of an array" in got.error)),
     "`if z >= 0` asks about one number, but z can be an array: choose per entry with np.where(z >= 0, ..., ...)."),
]

SIGMOID_MISTAKES = COMMON_MISTAKES + [
    (_overflow(-1), EXP_NEGATIVE),
    (_overflow(+1), EXP_POSITIVE),
    (Symptom(_not_exact),
     "Your sigmoid is not exact close to 0 or 1: clipping z (at +-30, say), clipping the probability (to 1e-7 .. "
     "1 - 1e-7), setting it to 0 below some z, or silencing numpy's overflow warnings (1 / (1 + inf) is 0, "
     "where sigmoid(-720) is 2e-313) changes the value. Compute exp(-|z|) instead, which is exact everywhere."),
]


def _logits(rng, shape):
    """Logits over the whole float64 range: tiny and huge magnitudes of both signs, the
    band -745 < z < -700 where the sigmoid is subnormal (2e-313 at -720, not 0), and
    moderate values."""
    kind = rng.integers(0, 5, size=shape)
    huge = rng.choice([-1.0, 1.0], size=shape) * 10.0 ** rng.uniform(-300, 308, size=shape)
    subnormal = rng.uniform(-745, -700, size=shape)
    moderate = rng.uniform(-40, 40, size=shape)
    large = rng.choice([-1.0, 1.0], size=shape) * rng.uniform(30, 800, size=shape)
    return np.choose(kind, [huge, subnormal, moderate, large, np.zeros(shape)])


def _sigmoid_domain(rng):
    form = rng.integers(0, 6)
    if form == 0:
        return (float(_logits(rng, ())),)             # a Python float
    if form == 1:
        return (_logits(rng, ()),)                    # a 0-d array
    if form == 2:
        return (_logits(rng, rng.integers(1, 5)).tolist(),)   # a list
    shape = (rng.integers(1, 7),) if form <= 4 else tuple(rng.integers(1, 4, size=2))
    return (_logits(rng, shape),)


# Relative error even where the sigmoid is tiny: 2e-313 returned as 0 is wrong.
EXACT = close(1e-9, 1e-320)


def check_sigmoid(f):
    n = check_function(f, _sigmoid_cases(), sigmoid, SIGMOID_MISTAKES, EXACT)
    return f"Your sigmoid is exact and quiet on all {n} cases, from z = -1e308 to 1e308, for any shape."


SIGMOID_GRAD_MISTAKES = [
    (lambda z: sigmoid(z), "That is the sigmoid itself, not its slope: s * (1 - s)."),
    (lambda z: sigmoid(z) * 1 - sigmoid(z), "`s * 1 - s` is `s - s`, always 0: brackets, s * (1 - s)."),
    (lambda z: sigmoid(z) * (1 + sigmoid(z)), "s * (1 + s): the sign in the bracket is a minus, s * (1 - s)."),
    (lambda z: sigmoid(z) * (1 - np.asarray(z, dtype=float)),
     "s * (1 - z) uses z where the formula has s: s * (1 - s) with s = sigmoid(z)."),
    (lambda z: 1 - sigmoid(z) ** 2, "1 - s**2 is tanh's rule (1 - t**2); the sigmoid's is s * (1 - s)."),
] + COMMON_MISTAKES + [
    (Symptom(lambda args, got: bool(got.error and "overflow" in got.error) and uses_sigmoid(got.fn)),
     "The sigmoid inside is not the stable one: exp overflows for a large |z|. Use your stable sigmoid "
     "(or nnlib.sigmoid) for s, then s * (1 - s)."),
    (Symptom(lambda args, got: bool(got.error and "overflow" in got.error)),
     "exp overflows for a large |z|: a form such as exp(-z) / (1 + exp(-z))**2 takes exp of a large positive "
     "number. Compute s with a stable sigmoid first, then the slope from s."),
]


def uses_sigmoid(fn):
    """Does the learner's function compute a sigmoid: a call of something named sigmoid
    (its own or nnlib's), or 1 / (1 + exp(...)) written out?"""
    try:
        text = inspect.getsource(fn)
    except Exception:  # no source: the names it uses tell
        text = ""
    if re.search(r"1\.?0?\s*/\s*\(\s*1\.?0?\s*\+\s*(np\.|math\.)?exp", text):
        return True

    def names(code):
        found = set(code.co_names) | set(code.co_varnames)
        for const in code.co_consts:
            if hasattr(const, "co_names"):
                found |= names(const)
        return found
    code = getattr(fn, "__code__", None)
    return code is not None and any("sigmoid" in name.lower() for name in names(code))


# Relative error where the slope is tiny because s is (z very negative); where s is near 1,
# 1 - s is only known to the rounding of s (1e-16), which s - s**2 rounds differently.
SLOPE = close(1e-9, 1e-320, floor=lambda z: 4.5e-16 * sigmoid(z))


def check_sigmoid_grad(f):
    n = check_function(f, _sigmoid_cases(), sigmoid_grad, SIGMOID_GRAD_MISTAKES, SLOPE)
    return f"Your sigmoid_grad is right on all {n} cases, from z = -1e308 to 1e308."


def _softmax_cases():
    return [
        Case("z = [0.0, 1.0, 2.0] (the softmax worked by hand in the learner's notebook this lesson is built on)",
             (np.array([0.0, 1.0, 2.0]),)),
        Case("z = [1000.0, 1001.0, 1002.0]", (np.array([1000.0, 1001.0, 1002.0]),)),
        Case("z = [[1.0, 2.0, 3.0], [1.0, 1.0, 1.0]], shape (N, C) = (2, 3)",
             (np.array([[1.0, 2.0, 3.0], [1.0, 1.0, 1.0]]),)),
        Case("z = [[0.0, 1.0, 2.0], [5.0, 5.0, 5.0], [-1.0, 0.0, 3.0]], shape (3, 3)",
             (np.array([[0.0, 1.0, 2.0], [5.0, 5.0, 5.0], [-1.0, 0.0, 3.0]]),)),
        Case("z = [[1000.0, 1001.0, 1002.0], [-1000.0, -1001.0, -1002.0]], shape (2, 3)",
             (np.array([[1000.0, 1001.0, 1002.0], [-1000.0, -1001.0, -1002.0]]),)),
        Case("z = [[3.0, -3.0]], one row, shape (1, 2)", (np.array([[3.0, -3.0]]),)),
        Case("z = [2.0, 0.5] given as a Python list", ([2.0, 0.5],)),
    ]


def _unshifted(z):
    e = np.exp(np.asarray(z, dtype=float))
    return e / e.sum(axis=-1, keepdims=True)


def _normalised(z, axis, keepdims=True):
    z = np.asarray(z, dtype=float)
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=axis, keepdims=keepdims)


SOFTMAX_MISTAKES = [
    (_unshifted,
     "exp(1000) overflows to inf (and inf / inf is nan): subtract the largest score first, which does not "
     "change the softmax."),
    (lambda z: _normalised(z, axis=0),
     "It normalises over axis 0 (down the columns); each row (one example) must sum to 1: axis=-1."),
    (lambda z: _normalised(z, axis=None), "It divides by the sum of the whole array; each row must sum to 1 on its "
                                          "own."),
    (lambda z: _normalised(z, axis=-1, keepdims=False),
     "The row sums lost their axis: e.sum(axis=-1) is (N,), which numpy lines up with the columns. "
     "Use keepdims=True so it is (N, 1)."),
    (lambda z: np.exp(np.asarray(z) - np.max(z)) / np.exp(np.asarray(z) - np.max(z)).sum(axis=-1, keepdims=True),
     "It subtracts the largest score of the whole array: a row far below it underflows to 0 / 0 = nan. "
     "Subtract each row's own maximum (axis=-1, keepdims=True)."),
    (lambda z: np.exp(np.asarray(z) - np.max(z, axis=-1)) / np.exp(np.asarray(z) - np.max(z, axis=-1)).sum(
        axis=-1, keepdims=True),
     "The row maxima lost their axis: z.max(axis=-1) is (N,), subtracted from the columns. Use keepdims=True."),
] + COMMON_MISTAKES


def _scores(rng, C):
    """One row of scores: a spread from 1 to 1e307 (rows like [0, 1000] overflow an
    unshifted exp, or one shifted by the row's minimum), around an offset of any size."""
    spread = 10.0 ** rng.uniform(0, 307)
    offset = rng.choice([0.0, 1.0, -1.0]) * 10.0 ** rng.uniform(0, 307)
    row = offset + rng.uniform(-spread, spread, size=C)
    return row if np.all(np.isfinite(row)) else rng.uniform(-1000, 1000, size=C)


def _softmax_domain(rng):
    C = rng.integers(1, 6)
    form = rng.integers(0, 5)
    if form == 0:
        return (_scores(rng, C).tolist(),)
    if form == 1:
        return (_scores(rng, C),)
    return (np.array([_scores(rng, C) for _ in range(rng.integers(1, 5))]),)


def check_softmax(f):
    n = check_function(f, _softmax_cases(), softmax, SOFTMAX_MISTAKES, close(1e-7, 1e-320))
    return f"Your softmax is right and stable on all {n} cases, one distribution per row."


EXERCISES = [
    Exercise("3.sigmoid", 3, "a stable sigmoid", "code", check_sigmoid, lambda: sigmoid,
             hint="Only ever take exp of a number <= 0: with e = np.exp(-np.abs(z)), sigmoid is 1 / (1 + e) "
                  "for z >= 0 and e / (1 + e) for z < 0 (np.where picks per entry).",
             nudge="exp of a large positive number overflows. The sigmoid can be written in two ways that are "
                   "equal on paper: pick, per entry, the one whose exp only sees numbers <= 0. Exact means exact: "
                   "no clipping.",
             source_of=(sigmoid,), domain=_sigmoid_domain, library=("nnlib.sigmoid",),
             equivalent_mutants={
                 "line 5: z >= 0 -> z > 0": "At z = 0 both forms give 1/2: which branch takes z = 0 does not matter.",
             }),
    Exercise("3.sigmoid_grad", 3, "the derivative of the sigmoid", "code", check_sigmoid_grad, lambda: sigmoid_grad,
             hint="s = your stable sigmoid(z); the slope is s * (1 - s), brackets included.",
             nudge="The sigmoid's slope can be written with the sigmoid's own value: compute that value the stable "
                   "way first, and mind how Python reads * and -.",
             source_of=(sigmoid, sigmoid_grad), domain=_sigmoid_domain, library=("nnlib.sigmoid_grad",)),
    Exercise("3.softmax", 3, "a stable softmax", "code", check_softmax, lambda: softmax,
             hint="e = np.exp(z - z.max(axis=-1, keepdims=True)); divide by e.sum(axis=-1, keepdims=True).",
             nudge="Adding the same number to every score of a row does not change its softmax: choose the number "
                   "that keeps every exp from overflowing. Each row is a distribution of its own.",
             source_of=(softmax,), domain=_softmax_domain, library=("nnlib.softmax", "nnlib.log_softmax")),
]
