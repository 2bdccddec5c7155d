"""Lesson 4 exercises: cross entropy by hand, binary cross entropy from logits and its
gradient, and the mean cross entropy of a batch with index labels."""

import numpy as np

import nnlib

from .grading import Case, Exercise, Symptom, check_function, check_value, close
from .lesson3 import sigmoid, uses_sigmoid


def cross_entropy_by_hand():
    # The example of the learner's notebook this lesson is built on: labels [1, 1, 0],
    # probabilities of class 1 [0.8, 0.7, 0.1].
    # Each example costs -log(the probability given to its true label); the total is a sum.
    y = np.array([1, 1, 0])
    p = np.array([0.8, 0.7, 0.1])
    return float(-np.sum(y * np.log(p) + (1 - y) * np.log(1 - p)))


def check_cross_entropy_by_hand(answer):
    y, p = np.array([1, 1, 0]), np.array([0.8, 0.7, 0.1])
    per_example = -(y * np.log(p) + (1 - y) * np.log(1 - p))
    check_value(answer, cross_entropy_by_hand(), [
        (float(np.sum(per_example) / np.log(10)), "That is the log base 10; cross entropy uses the natural log "
                                                  "(np.log)."),
        (float(np.mean(per_example)), "That is the mean over the 3 examples; the question asks for the sum."),
        (float(np.sum(per_example) / np.log(2)), "That is the log base 2 (bits); use the natural log (np.log)."),
        (float(-np.sum(np.log(p))), "The third example has label 0: its cost is -log(1 - 0.1), not -log(0.1)."),
        (-cross_entropy_by_hand(), "Mind the sign: a cost is -log(p), which is positive."),
        (float(-np.sum((1 - y) * np.log(p) + y * np.log(1 - p))),
         "That is the cross entropy of the opposite labels [0, 0, 1] (the 5.1160 of the learner's notebook this "
         "lesson is built on)."),
    ])
    return "Three costs -log 0.8, -log 0.7 and -log 0.9, added."


def bce_with_logits(z, y):
    """Mean binary cross entropy from logits z (N,) and labels y (N,) in {0, 1}."""
    z, y = np.asarray(z, dtype=float), np.asarray(y, dtype=float)
    # -log sigmoid(z) and -log(1 - sigmoid(z)) in one form that never takes log(0) and
    # only exponentiates numbers <= 0: max(z, 0) - z y + log(1 + exp(-|z|)).
    return np.mean(np.maximum(z, 0) - z * y + np.log1p(np.exp(-np.abs(z))))


def bce_with_logits_grad(z, y):
    """d bce_with_logits(z, y) / dz = (sigmoid(z) - y) / N, shape (N,)."""
    z, y = np.asarray(z, dtype=float), np.asarray(y, dtype=float)
    return (sigmoid(z) - y) / len(z)


def _bce_cases():
    def case(label, z, y):
        return Case(f"{label}z = {z}, y = {y}", (np.array(z, dtype=float), np.array(y)))
    return [
        case("", [0.0, 0.0], [0, 1]),
        case("", [2.0, -1.0, 0.5], [1, 0, 0]),
        case("confident and right: ", [1000.0, -1000.0], [1, 0]),
        case("confident and wrong: ", [1000.0, -1000.0], [0, 1]),
        case("the logit that gave nan in the learner's notebook this lesson is built on: ", [1065.1], [0]),
        case("", [1e308, -1e308], [1, 0]),
        case("one example: ", [-1e308], [1]),
    ]


def _bce_terms(z, y, log=np.log):
    p = sigmoid(z)
    return -(y * log(p) + (1 - y) * log(1 - p))


def _slightly_off(loss):
    # A loss off by less than 1e-4 but by more than rounding: an eps inside the log.
    def test(args, got):
        try:
            return got.error is None and 0 < abs(float(got.value) - float(loss(*args))) < 1e-4
        except (TypeError, ValueError):
            return False
    return Symptom(test)


EPS = ("The loss is off by a little: an eps inside the log (log(p + 1e-7)) or a clipped p changes every value; "
       "the form with logits needs no eps.")


def _capped(args, got):
    # A confidently wrong logit costs about |z|; a clipped probability or log(p + eps)
    # caps that cost at -log(eps), some 10 to 40.
    try:
        value, expected = float(got.value), float(bce_with_logits(*args))
    except (TypeError, ValueError):
        return False
    return got.error is None and expected > 100 and 1 < value < 0.5 * expected


BCE_MISTAKES = [
    (lambda z, y: bce_with_logits(z, y) * len(z), "That is the sum over the examples; the loss is their mean."),
    (lambda z, y: -bce_with_logits(z, y),
     "The sign is flipped: a loss is -log(probability), which is >= 0."),
    (lambda z, y: np.mean(_bce_terms(z, y, np.log10)), "That uses log base 10; cross entropy uses the natural log "
                                                       "(np.log)."),
    (lambda z, y: np.mean(_bce_terms(z, y, np.log2)), "That uses log base 2; cross entropy uses the natural log "
                                                      "(np.log)."),
    (Symptom(lambda args, got: bool(got.error and ("divide by zero" in got.error or "invalid value" in got.error))),
     "log(0): sigmoid(1000) is exactly 1.0 in float64, so log(1 - p) is log(0) = -inf (and 0 * -inf is nan). "
     "Write the loss with the logits: max(z, 0) - z * y + log(1 + exp(-|z|))."),
    (Symptom(lambda args, got: bool(got.error and "overflow" in got.error)),
     "exp of a large logit overflows: log(1 + exp(z)) is inf at z = 1000. Use log(1 + exp(-|z|)) + max(z, 0) - z * y, "
     "which only exponentiates numbers <= 0."),
    (Symptom(_capped),
     "The loss of a confidently wrong logit is capped: clipping p, or log(p + eps), stops at -log(eps). "
     "A logit of 1000 on the wrong side costs 1000."),
    (_slightly_off(bce_with_logits), EPS),
]


def _bce_domain(rng):
    """Logits of every size (up to 1e300, so that a mean of N costs stays finite) and
    labels 0 and 1; confident and right logits give losses near 0, where the error is
    relative."""
    N = rng.integers(1, 9)
    kind = rng.integers(0, 3, size=N)
    sign = rng.choice([-1.0, 1.0], size=N)
    z = np.choose(kind, [sign * 10.0 ** rng.uniform(-300, 300, size=N), rng.uniform(-40, 40, size=N),
                         sign * rng.uniform(30, 800, size=N)])
    return z, rng.integers(0, 2, size=N)


def check_bce_with_logits(f):
    n = check_function(f, _bce_cases(), bce_with_logits, BCE_MISTAKES, close(1e-7, 1e-10))
    return f"Your loss is right and finite on all {n} cases, logits of +-1e308 included."


def _expected_bce_grad(z, y):
    # Central differences of the loss where they are accurate (moderate logits), the
    # formula at the extremes, where nudging by h changes nothing in float64.
    if np.max(np.abs(z)) < 50:
        return nnlib.numerical_gradient(lambda v: bce_with_logits(v, y), np.array(z, dtype=float))
    return bce_with_logits_grad(z, y)


def _grad_cases():
    def case(label, z, y):
        return Case(f"{label}z = {z}, y = {y}", (np.array(z, dtype=float), np.array(y)))
    return [
        case("", [0.0, 0.0], [0, 1]),
        case("", [2.0, -1.0, 0.5, 0.0], [1, 0, 0, 1]),
        case("one example: ", [0.3], [1]),
        case("", [1000.0, -1000.0, 1065.1], [0, 1, 1]),
        case("", [1e308, -1e308], [1, 0]),
    ]


def _uses_sigmoid_overflow(args, got):
    return bool(got.error and "overflow" in got.error) and uses_sigmoid(got.fn)


BCE_GRAD_MISTAKES = [
    (lambda z, y: sigmoid(z) - y, "The 1/N is missing: the loss is a mean over the N examples, so each entry is "
                                  "divided by N."),
    (lambda z, y: (y - sigmoid(z)) / len(z), "The sign is flipped: the gradient is (sigmoid(z) - y) / N."),
    (lambda z, y: (z - y) / len(z), "The sigmoid is missing: the gradient uses the probability, (sigmoid(z) - y) / N."),
    (lambda z, y: np.mean(sigmoid(z) - y),
     "The mean of the gradient is one number; the gradient has one entry per logit, (sigmoid(z) - y) / N."),
    (Symptom(_uses_sigmoid_overflow),
     "The sigmoid inside is not the stable one: exp overflows for a large |z|. Use your stable sigmoid "
     "(or nnlib.sigmoid)."),
    (Symptom(lambda args, got: bool(got.error and "overflow" in got.error)),
     "exp overflows for a large |z|: go through a stable sigmoid, which only takes exp of numbers <= 0."),
    (Symptom(lambda args, got: bool(got.error and ("divide by zero" in got.error or "invalid value" in got.error))),
     "Going through dL/dp = -(y/p - (1-y)/(1-p)) divides by 0 when p is exactly 0 or 1. Times dp/dz = p (1 - p) "
     "it simplifies to p - y: use (sigmoid(z) - y) / N directly."),
]


def check_bce_with_logits_grad(f):
    n = check_function(f, _grad_cases(), _expected_bce_grad, BCE_GRAD_MISTAKES, close(1e-6, 1e-10))
    return f"Your gradient matches nnlib.numerical_gradient of the loss, and is finite on all {n} cases."


def cross_entropy(logits, y):
    """Mean cross entropy of logits (N, C) and index labels y (N,)."""
    logits = np.asarray(logits, dtype=float)
    shifted = logits - logits.max(axis=1, keepdims=True)          # no overflow in exp
    log_p = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    return -np.mean(log_p[np.arange(len(y)), y])                  # row i, column y[i]


def _ce_cases():
    return [
        Case("one example: logits = [[2.0, 1.0, 0.1]], y = [0]", (np.array([[2.0, 1.0, 0.1]]), np.array([0]))),
        Case("N = 4, C = 3: logits = [[2, 1, 0.1], [0.5, 2.5, 0.3], [1, 1, 1], [0, 0, 3]], y = [0, 1, 2, 1]",
             (np.array([[2.0, 1.0, 0.1], [0.5, 2.5, 0.3], [1.0, 1.0, 1.0], [0.0, 0.0, 3.0]]), np.array([0, 1, 2, 1]))),
        Case("N = C = 2: logits = [[1.0, 2.0], [3.0, 4.0]], y = [1, 0]",
             (np.array([[1.0, 2.0], [3.0, 4.0]]), np.array([1, 0]))),
        Case("large logits: [[1000.0, 0.0, -1000.0], [0.0, 1000.0, 0.0]], y = [0, 2]",
             (np.array([[1000.0, 0.0, -1000.0], [0.0, 1000.0, 0.0]]), np.array([0, 2]))),
    ]


def _log_p(logits):
    return nnlib.log_softmax(logits, axis=1)


CE_MISTAKES = [
    (lambda logits, y: cross_entropy(logits, y) * len(y), "That is the sum over the examples; the loss is their mean."),
    (lambda logits, y: -np.mean(np.sum(y * _log_p(logits), axis=1)),
     "y holds index labels (N,) such as [0, 2, 1], not one-hot rows: pick each row's log-probability with "
     "log_p[np.arange(N), y]."),
    (lambda logits, y: -np.mean(np.sum(y[:, None] * _log_p(logits), axis=1)),
     "y holds index labels (N,), not one-hot rows: pick each row's log-probability with log_p[np.arange(N), y]."),
    (lambda logits, y: -np.mean(_log_p(logits)[:, y]),
     "log_p[:, y] takes the columns of all the labels for every row, an (N, N) array: use log_p[np.arange(N), y]."),
    (lambda logits, y: -np.mean(_log_p(logits)[y]), "log_p[y] picks rows by label; you need row i, column y[i]: "
                                                    "log_p[np.arange(N), y]."),
    (lambda logits, y: cross_entropy(logits, y) / np.log(10),
     "That uses log base 10; cross entropy uses the natural log."),
    (Symptom(lambda args, got: bool(got.error and "overflow" in got.error)),
     "exp(1000) overflows: subtract each row's largest logit before exp (it does not change the softmax)."),
    (Symptom(lambda args, got: bool(got.error and ("divide by zero" in got.error or "invalid value" in got.error))),
     "log(0): a probability that underflows to 0 (softmax of -1000) has log = -inf. Work with "
     "log_p = shifted - log(sum(exp(shifted))) instead of log(softmax)."),
    (Symptom(lambda args, got: got.error is None and _below(got.value, cross_entropy(*args))),
     "The loss is capped: log(p + eps) or a clipped p stops at -log(eps); a logit 1000 below the best costs 1000."),
    (_slightly_off(cross_entropy), EPS),
]


def _below(value, expected):
    try:
        return expected > 100 and 1 < float(value) < 0.5 * expected
    except (TypeError, ValueError):
        return False


def _ce_domain(rng):
    """Logits with a spread from 1 to 1e300, a few or many classes (labels up to 39), and
    rows whose label is the clear favourite by 20 to 60, where the loss is tiny."""
    N, C = rng.integers(1, 6), (rng.integers(2, 6) if rng.random() < 0.8 else rng.integers(31, 41))
    spread = 10.0 ** rng.uniform(0, 300)
    logits = rng.uniform(-spread, spread, size=(N, C))
    y = rng.integers(0, C, size=N)
    if rng.random() < 0.3:
        logits = -rng.uniform(20, 60, size=(N, C))
        logits[np.arange(N), y] = 0.0
    return logits, y


def check_cross_entropy(f):
    n = check_function(f, _ce_cases(), cross_entropy, CE_MISTAKES, close(1e-7, 1e-10))
    return f"Your cross entropy is right and finite on all {n} cases."


LABELS = "The labels are 0 and 1: clipping them at +-30 changes nothing."
SAFETY_NET = ("The conversion is a safety net: the arguments are numpy arrays in this exercise, and a list that "
              "meets an array in an operation is converted anyway.")

EXERCISES = [
    Exercise("4.cross_entropy_by_hand", 4, "cross entropy by hand", "value",
             check_cross_entropy_by_hand, cross_entropy_by_hand,
             hint="Each example costs -ln(the probability of its true label): label 1 -> -ln p, label 0 -> -ln(1 - p). "
                  "Add the three costs.",
             nudge="Each example costs minus the log of the probability the model gave to its true label; the "
                   "question asks for the total of the three.",
             source_of=(cross_entropy_by_hand,),
             equivalent_mutants={
                 "line 4: float(-np.sum(y * np.log(p) + (1 - y) * np.log(1 - p))) -> -np.sum(y * np.log(p) + (1 - y) "
                 "* np.log(1 - p))": "np.sum gives a numpy float64, which is a float: the float() only tidies it.",
             }),
    Exercise("4.bce_with_logits", 4, "binary cross entropy from logits", "code",
             check_bce_with_logits, lambda: bce_with_logits,
             hint="Per example, -log sigmoid(z) (label 1) and -log(1 - sigmoid(z)) (label 0) both equal "
                  "max(z, 0) - z * y + log(1 + exp(-|z|)); take the mean (np.log1p is log(1 + x)).",
             nudge="Write the cost of each label with the logit itself rather than with a rounded probability: "
                   "then no exp sees a large positive number and no log sees 0. The loss is a mean.",
             source_of=(bce_with_logits,), domain=_bce_domain, domain_compare=close(1e-7, 1e-14),
             library=("nnlib.binary_cross_entropy_with_logits",),
             equivalent_mutants={
                 "line 3: np.asarray(z, dtype=float) -> z": SAFETY_NET,
                 "line 3: np.asarray(y, dtype=float) -> y": SAFETY_NET,
                 "line 3: delete `z, y = (np.asarray(z, dtype=float), np.asarray(y, dtype=float))`": SAFETY_NET,
                 "insert `y = np.clip(y, -30, 30)` at the start of bce_with_logits": LABELS,
             }),
    Exercise("4.bce_with_logits_grad", 4, "the gradient of binary cross entropy", "code",
             check_bce_with_logits_grad, lambda: bce_with_logits_grad,
             hint="The sigmoid's slope cancels the log's 1/p: the gradient is (sigmoid(z) - y) / N, with a stable "
                  "sigmoid.",
             nudge="Follow the chain rule through the sigmoid: its slope cancels most of the log's, and what is "
                   "left is short. The loss is a mean over the examples.",
             source_of=(sigmoid, bce_with_logits_grad), domain=_bce_domain, domain_compare=close(1e-7, 1e-320),
             library=("nnlib.binary_cross_entropy_with_logits_grad",),
             equivalent_mutants={
                 "line 3: np.asarray(z, dtype=float) -> z": SAFETY_NET,
                 "line 3: np.asarray(y, dtype=float) -> y": SAFETY_NET,
                 "line 3: delete `z, y = (np.asarray(z, dtype=float), np.asarray(y, dtype=float))`": SAFETY_NET,
                 "insert `y = np.clip(y, -30, 30)` at the start of bce_with_logits_grad": LABELS,
             }),
    Exercise("4.cross_entropy", 4, "the mean cross entropy of a batch", "code",
             check_cross_entropy, lambda: cross_entropy,
             hint="log_p = z - max - log(sum(exp(z - max))) per row; the loss is -mean(log_p[np.arange(N), y]).",
             nudge="Work with log-probabilities, each row shifted by its largest logit first, and take, in each "
                   "row, the entry of that example's label. The loss is a mean.",
             source_of=(cross_entropy,), domain=_ce_domain, domain_compare=close(1e-9, 1e-15),
             library=("nnlib.cross_entropy",),
             equivalent_mutants={
                 "line 3: np.asarray(logits, dtype=float) -> logits": SAFETY_NET,
                 "line 3: delete `logits = np.asarray(logits, dtype=float)`": SAFETY_NET,
             }),
]
