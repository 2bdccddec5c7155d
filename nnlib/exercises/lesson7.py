"""Lesson 7 exercises: the gradient of softmax + cross entropy for C classes, shuffled
mini-batches, a confusion matrix by hand, and the capstone, a digit reader made of the
learner's own layers and trained by their own loop."""

import numpy as np

import nnlib

from .grading import (Case, Exercise, Symptom, Wrong, changed_argument, check_function, close, drawn_cases,
                      model_layers, outcome, show)
from .lesson5 import MyDense


# ---------------------------------------------------------------- 7.softmax_cross_entropy_grad

def softmax_cross_entropy_grad(logits, y):
    """d (mean cross entropy) / d logits for logits (N, C) and index labels y (N,); (N, C)."""
    logits = np.asarray(logits, dtype=float)
    shifted = logits - logits.max(axis=1, keepdims=True)   # exp never overflows
    p = np.exp(shifted) / np.exp(shifted).sum(axis=1, keepdims=True)
    p[np.arange(len(y)), y] -= 1.0                          # minus the one-hot row of each label
    return p / len(y)                                       # the loss is a mean over the N rows


def _expected_grad(logits, y):
    # Central differences of lesson 4's loss where they are accurate, the formula where a
    # nudge of h changes nothing in float64 (logits of 1000).
    if np.max(np.abs(logits)) < 50:
        return nnlib.numerical_gradient(lambda z: nnlib.cross_entropy(z, y), np.array(logits, dtype=float))
    return softmax_cross_entropy_grad(logits, y)


def _grad_cases():
    rng = np.random.default_rng(7)
    digits = np.round(rng.normal(0.0, 2.0, size=(3, 10)), 2)
    return [
        Case("one example, C = 3: logits = [[2.0, 1.0, 0.1]], y = [0]", (np.array([[2.0, 1.0, 0.1]]), np.array([0]))),
        Case("N = 4, C = 3: logits = [[2, 1, 0.1], [0.5, 2.5, 0.3], [1, 1, 1], [0, 0, 3]], y = [0, 1, 2, 1]",
             (np.array([[2.0, 1.0, 0.1], [0.5, 2.5, 0.3], [1.0, 1.0, 1.0], [0.0, 0.0, 3.0]]), np.array([0, 1, 2, 1]))),
        Case(f"N = 3, C = 10 (three digits): logits = {show(digits)}, y = [3, 9, 0]", (digits, np.array([3, 9, 0]))),
        Case("large logits: [[1000.0, 0.0, -1000.0], [0.0, 1000.0, 0.0]], y = [0, 2]",
             (np.array([[1000.0, 0.0, -1000.0], [0.0, 1000.0, 0.0]]), np.array([0, 2]))),
    ]


def _softmax_rows(z, axis=1):
    z = np.asarray(z, dtype=float)
    e = np.exp(z - z.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def _one_hot(y, C):
    return np.eye(C)[y]


def _columns(logits, y):
    p = _softmax_rows(logits)
    p[:, y] -= 1.0
    return p / len(y)


def _rows(logits, y):
    p = _softmax_rows(logits)
    p[y] -= 1.0
    return p / len(y)


GRAD_MISTAKES = [
    (lambda z, y: softmax_cross_entropy_grad(z, y) * len(y),
     "The 1/N is missing: the loss is the mean over the N examples, so every row is divided by N."),
    (lambda z, y: -softmax_cross_entropy_grad(z, y),
     "The sign is flipped: this gradient points downhill. The loss grows with the other classes' probabilities."),
    (lambda z, y: softmax_cross_entropy_grad(z, y) / z.shape[1],
     "Divided by N * C (np.mean over the whole array?): the loss is a mean over the N rows only, not the classes."),
    (lambda z, y: (np.asarray(z, dtype=float) - _one_hot(y, z.shape[1])) / len(y),
     "The softmax is missing: the gradient is made of the probabilities, not of the logits themselves."),
    (lambda z, y: (_softmax_rows(z, axis=0) - _one_hot(y, z.shape[1])) / len(y),
     "The softmax is taken down the columns (axis=0): each row, one example, must sum to 1 over its C classes."),
    (_columns,
     "p[:, y] takes the columns of all the labels in every row: the true class of row i is only y[i]. "
     "Use p[np.arange(N), y]."),
    (_rows, "p[y] picks rows by label; you need row i, column y[i]: p[np.arange(N), y]."),
    (Symptom(lambda args, got: bool(got.error and "overflow" in got.error)),
     "exp(1000) overflows: subtract each row's largest logit before exp (it does not change the softmax)."),
    (Symptom(lambda args, got: bool(got.error and "invalid value" in got.error)),
     "inf / inf is nan: exp of a large logit overflowed. Subtract each row's largest logit before exp."),
]


def _grad_domain(rng):
    """Logits (N, C) for 1 to 12 examples and 2 to 12 classes, or 31 to 64 (labels past
    30), of every size: from 1e-8 to 1000, rows up to +-1000 apart (a shift by the whole
    batch's largest logit leaves a far row with exp(-1500) = 0 everywhere), and rows whose
    largest logit leads the others by 31 to 60 (their other probabilities, e**-31 to
    e**-60, are graded relative, so a clipped exp shows)."""
    N = int(rng.integers(1, 13))
    C = int(rng.integers(2, 13) if rng.random() < 0.6 else rng.integers(31, 65))
    y = rng.integers(0, C, size=N)
    kind = rng.integers(0, 3)
    if kind == 0:    # one size for the whole batch, from 1e-8 to 1000
        logits = rng.normal(size=(N, C)) * 10.0 ** rng.uniform(-8, 3)
    elif kind == 1:  # rows far apart, each with a spread of its own
        spread = 10.0 ** rng.uniform(-8, 2, size=(N, 1))
        logits = rng.uniform(-1000, 1000, size=(N, 1)) + rng.normal(size=(N, C)) * spread
    else:            # one clear favourite per row (the label or another class)
        top = rng.uniform(-940, 940)
        logits = top - rng.uniform(31, 60, size=(N, C))
        logits[np.arange(N), np.where(rng.random(N) < 0.7, y, rng.integers(0, C, size=N))] = top
    return logits, y


def _label_floor(logits, y):
    # The label's entry is p - 1: where p is close to 1 the subtraction cancels, and a
    # right answer computed another way (log-softmax, say) differs by a few ulps of 1.
    floor = np.zeros(np.shape(logits))
    floor[np.arange(len(y)), y] = 1e-14 / len(y)
    return floor


def check_softmax_cross_entropy_grad(f):
    n = check_function(f, _grad_cases(), _expected_grad, GRAD_MISTAKES, close(1e-6, 1e-10))
    return (f"Your gradient matches nnlib.numerical_gradient of the mean cross entropy, and stays finite for "
            f"logits of +-1000, on all {n} cases (inputs drawn over every shape and size included).")


# ---------------------------------------------------------------- 7.minibatches

def minibatches(X, y, batch_size, rng):
    """Shuffled mini-batches: a list of (X_batch, y_batch) covering every example once."""
    order = rng.permutation(len(X))                  # a new order at every call (every epoch)
    batches = []
    for start in range(0, len(X), batch_size):       # the last batch may be smaller
        rows = order[start:start + batch_size]
        batches.append((X[rows], y[rows]))           # the same rows of X and of y
    return batches


MINIBATCH_CASES = [(10, 3, 0), (12, 4, 1), (7, 7, 2), (5, 8, 3), (50, 16, 4)]


def _minibatch_args(n, batch_size, seed):
    # Row i of X is (2 i, 2 i + 1) and its label is i: a batch shows whether rows kept their labels.
    X = np.arange(2.0 * n).reshape(n, 2)
    return X, np.arange(n), batch_size, np.random.default_rng(seed)


def _minibatch_domain(rng):
    """N from 1 to 150 examples of D = 1 to 4 features (distinct rows, so that each row of
    a batch tells which example it is), digit labels 0-9 (repeated), and batch sizes from 1
    to past N: N a multiple of the batch size or not, batches of more than 30."""
    N = int(rng.integers(1, 13) if rng.random() < 0.4 else rng.integers(31, 151))
    kind = rng.integers(0, 3)
    if kind == 0:
        batch_size = int(rng.integers(1, N + 6))
    elif kind == 1:  # N a multiple of the batch size
        batch_size = int(rng.choice([d for d in range(1, N + 1) if N % d == 0]))
    else:            # batches of 31 to 64 (when N allows)
        batch_size = int(rng.integers(31, 65))
    X = rng.normal(size=(N, int(rng.integers(1, 5))))
    return X, rng.integers(0, 10, size=N), batch_size, np.random.default_rng(int(rng.integers(2 ** 32)))


def _as_batches(value, case):
    try:
        batches = list(value)
        pairs = [(np.asarray(b[0]), np.asarray(b[1])) for b in batches if len(b) == 2]
    except (TypeError, ValueError, KeyError, IndexError):
        raise Wrong(case, [f"got {show(value)}"],
                    "Return a list of pairs (X_batch, y_batch), one pair per batch.") from None
    if len(pairs) != len(batches) or any(Xb.ndim != 2 or yb.ndim != 1 for Xb, yb in pairs):
        raise Wrong(case, ["expected a list of pairs (X_batch (B, D), y_batch (B,))", f"got {show(value)}"],
                    "Each batch is a pair: the rows of X, as a 2-D array, and their labels.")
    return pairs


def _row_numbers(X, batches):
    """The row of X each row of every batch is (-1 for a row that is not one of X's)."""
    where = {row.tobytes(): i for i, row in enumerate(np.asarray(X, dtype=float))}
    numbers = []
    for Xb, _ in batches:
        try:
            rows = np.asarray(Xb, dtype=float)
        except (TypeError, ValueError):
            rows = np.full((len(Xb), 0), np.nan)
        numbers.append(np.array([where.get(row.tobytes(), -1) for row in rows], dtype=int))
    return numbers


def check_minibatches(f):
    if not callable(f):
        raise Wrong("any input", [f"expected a function (def ...), got {type(f).__name__} {show(f)}"])
    cases = []
    for n, batch_size, seed in MINIBATCH_CASES:
        cases.append((f"N = {n} examples (row i of X is [2i, 2i + 1], y = [0, 1, ..., {n - 1}]), "
                      f"batch_size = {batch_size}", _minibatch_args(n, batch_size, seed)))
    drawn = drawn_cases()
    for k, case in enumerate(drawn):
        X, y, batch_size, _ = case.args
        cases.append((f"drawn input {k + 1} of {len(drawn)} (seeded): N = {len(X)} examples of {X.shape[1]} "
                      f"features, digit labels y = {show(y)}, batch_size = {batch_size}", case.args))
    for case, args in cases:
        _check_batches(f, case, args)
    return (f"Your batches cover every example once, keep rows with their labels, and are shuffled anew at every "
            f"call, on all {len(cases)} cases (inputs drawn over N and the batch size included).")


def _check_batches(f, case, args):
    X, y, batch_size, _ = args
    n = len(X)
    originals = (X.copy(), y.copy())
    got = outcome(f, args)
    if got.error:
        raise Wrong(case, [f"your code {got.error}"])
    if got.value is None:
        raise Wrong(case, ["your code returned None: is the `return` missing?"])
    problem = changed_argument(originals, args[:2])
    if problem:
        raise Wrong(case, [f"your code {problem}"])
    batches = _as_batches(got.value, case)
    sizes = [len(yb) for _, yb in batches]
    numbers = _row_numbers(originals[0], batches)
    seen = np.concatenate(numbers) if numbers else np.array([], dtype=int)
    lines = [f"batch sizes: {sizes}", f"rows of X in the order given: {show(seen)}"]
    if any(len(Xb) != len(yb) for Xb, yb in batches) or np.any(seen < 0):
        raise Wrong(case, lines + ["some rows of X_batch are not rows of X, or not as many as the labels in y_batch"],
                    "Each batch takes whole rows of X, X[rows], and the labels of the same rows, y[rows].")
    if not all(np.array_equal(yb, originals[1][rows]) for (_, yb), rows in zip(batches, numbers)):
        if all(np.array_equal(yb, rows) for (_, yb), rows in zip(batches, numbers)):
            raise Wrong(case, lines + ["y_batch holds the row numbers, not the labels y of those rows"],
                        "The labels of a batch are y's entries for its rows, y[rows], not the row numbers themselves.")
        raise Wrong(case, lines + ["some rows of X_batch are not those of the labels in y_batch"],
                    "X and y were shuffled with two different orders: take the same rows of both, "
                    "X[rows] and y[rows].")
    if len(seen) != len(set(seen.tolist())):
        raise Wrong(case, lines + ["some examples come twice, so others never do"],
                    "The rows are drawn with replacement (rng.integers or rng.choice): an epoch shows every "
                    "example exactly once, in a shuffled order.")
    if sorted(seen.tolist()) != list(range(n)):
        missing = sorted(set(range(n)) - set(seen.tolist()))
        mistake = ("The last, smaller batch is missing: when N is not a multiple of batch_size, the examples "
                   "left over make a batch of their own." if len(missing) == n % batch_size
                   else "Every example must be in exactly one batch.")
        raise Wrong(case, lines + [f"examples missing: {missing}"], mistake)
    expected = [batch_size] * (n // batch_size) + ([n % batch_size] if n % batch_size else [])
    if sizes != expected:
        raise Wrong(case, lines + [f"expected batch sizes {expected}"],
                    "Cut the shuffled order into consecutive slices of batch_size; only the last may be smaller.")
    if n >= 10 and np.array_equal(seen, np.arange(n)):
        raise Wrong(case, lines, "The batches follow the data's own order: shuffle first, with the rng given.")
    again = outcome(f, args)
    try:
        order_again = np.concatenate(_row_numbers(originals[0], _as_batches(again.value, case)))
    except (Wrong, ValueError, TypeError):
        order_again = None
    if n >= 10 and again.error is None and order_again is not None and np.array_equal(order_again, seen):
        raise Wrong(case, lines + ["a second call with the same generator gave the same order"],
                    "Draw the order from the rng passed in (rng.permutation), not from a new generator with a "
                    "fixed seed: every epoch needs a new order.")


# ---------------------------------------------------------------- 7.confusion_matrix

def confusion_matrix(y_true, y_pred, C):
    """Counts (C, C): entry [i, j] is how many examples of class i were predicted as class j."""
    counts = np.zeros((C, C), dtype=int)
    for i, j in zip(y_true, y_pred):   # one example at a time: a pair seen twice counts twice
        counts[i, j] += 1
    return counts


def _confusion_cases():
    rng = np.random.default_rng(3)
    y_true = rng.integers(0, 10, size=40)
    y_pred = np.where(rng.uniform(size=40) < 0.7, y_true, rng.integers(0, 10, size=40))
    return [
        Case("y_true = [0, 1, 2, 2, 1, 0], y_pred = [0, 2, 2, 2, 1, 1], C = 3",
             (np.array([0, 1, 2, 2, 1, 0]), np.array([0, 2, 2, 2, 1, 1]), 3)),
        Case("C = 4, and class 3 never occurs: y_true = [0, 1, 1, 2], y_pred = [0, 1, 2, 2]",
             (np.array([0, 1, 1, 2]), np.array([0, 1, 2, 2]), 4)),
        Case("one example: y_true = [2], y_pred = [0], C = 3", (np.array([2]), np.array([0]), 3)),
        Case(f"40 digits, C = 10: y_true = {show(y_true)}, y_pred = {show(y_pred)}", (y_true, y_pred, 10)),
    ]


def _fancy(y_true, y_pred, C):
    counts = np.zeros((C, C), dtype=int)
    counts[y_true, y_pred] += 1
    return counts


def _sized_by_labels(y_true, y_pred, C):
    return confusion_matrix(y_true, y_pred, int(max(np.max(y_true), np.max(y_pred))) + 1)


CONFUSION_MISTAKES = [
    (lambda t, p, C: confusion_matrix(t, p, C).T,
     "Rows and columns are swapped: row i is the true class, column j the predicted one."),
    (_fancy,
     "counts[y_true, y_pred] += 1 adds 1 only once to a pair that occurs several times (numpy does not add "
     "repeated indices up): count one example at a time, or with np.add.at."),
    (_sized_by_labels,
     "The size comes from the largest label seen; a class that never occurs still gets its row and column: use C."),
    (lambda t, p, C: confusion_matrix(t, p, C) / len(t),
     "Those are fractions of all the examples; the matrix counts them."),
]


def _confusion_domain(rng):
    """C from 1 to 12 classes, or 31 to 60 (labels past 30), 1 to 80 examples, labels
    drawn from a few of the classes only (some classes never occur, in y_true or in
    y_pred), mostly right predictions, so that pairs repeat."""
    C = int(rng.integers(1, 13) if rng.random() < 0.6 else rng.integers(31, 61))
    N = int(rng.integers(1, 81))
    occurring = rng.choice(C, size=int(rng.integers(1, C + 1)), replace=False)
    y_true = rng.choice(occurring, size=N)
    y_pred = np.where(rng.random(N) < 0.6, y_true, rng.choice(occurring, size=N) if rng.random() < 0.5
                      else rng.integers(0, C, size=N))
    return y_true, y_pred, C


def check_confusion_matrix(f):
    n = check_function(f, _confusion_cases(), confusion_matrix, CONFUSION_MISTAKES, close(0, 0))
    return (f"Your matrix counts every (true, predicted) pair, in its row and column, on all {n} cases (inputs "
            f"drawn over C and the labels included).")


# ---------------------------------------------------------------- 7.capstone

class MyReLU(nnlib.ReLU):
    def backward(self, dout):
        # forward kept its input z; the slope is 1 where z > 0, else 0.
        return dout * (self.z > 0)


def capstone():
    """A digit reader of the learner's own layers, trained by their own mini-batch loop."""
    X, y = nnlib.load_digits()
    X_train, y_train, _, _, _, _ = nnlib.split_digits(nnlib.scale_pixels(X), y, seed=0)
    model = nnlib.MLP(layers=[MyDense(64, 64, seed=1, init="he"), MyReLU(), MyDense(64, 10, seed=2, init="he")])
    rng = np.random.default_rng(0)
    for epoch in range(15):
        for X_batch, y_batch in minibatches(X_train, y_train, 32, rng):
            dlogits = softmax_cross_entropy_grad(model.forward(X_batch), y_batch)
            model.backward(dlogits)
            for name, p, grad in model.parameters():
                p -= 0.1 * grad
    return model


OWN_BASES = (nnlib.Dense, nnlib.ReLU, nnlib.Tanh, nnlib.Sigmoid)


def _test_set():
    X, y = nnlib.load_digits()
    _, _, _, _, X_test, y_test = nnlib.split_digits(X, y, seed=0)
    return X_test, y_test


def _accuracy(model, X, y, case):
    got = outcome(model.forward, (X,))
    if got.error:
        raise Wrong(case, [f"model.forward {got.error}"])
    logits = np.asarray(got.value)
    if logits.shape != (len(y), 10):
        raise Wrong(case, [f"the model gives logits of shape {logits.shape}; expected ({len(y)}, 10), one per digit"],
                    "The last layer needs 10 outputs, one logit per digit 0-9.")
    return float(np.mean(np.argmax(logits, axis=1) == y))


def check_capstone(model):
    case = "your model"
    layers = model_layers(model, case)
    dense = 0
    for i, layer in enumerate(layers):
        base = next((b for b in OWN_BASES if isinstance(layer, b)), None)
        if base is None:
            raise Wrong(case, [f"layers[{i}] is a {type(layer).__name__}"],
                        "The capstone is made of your own subclasses of nnlib.Dense and of an activation "
                        "(nnlib.ReLU or nnlib.Tanh).")
        if type(layer).backward is base.backward:
            raise Wrong(case, [f"layers[{i}] is a {type(layer).__name__} whose backward is nnlib.{base.__name__}'s "
                               f"own"],
                        f"nnlib's own layers do not count here: use your subclass of nnlib.{base.__name__} with "
                        f"your own backward.")
        dense += base is nnlib.Dense
    if dense < 2 or dense == len(layers):
        raise Wrong(case, [f"the model has {dense} Dense layers and {len(layers) - dense} activations"],
                    "A hidden layer: Dense -> activation -> Dense.")
    X_test, y_test = _test_set()
    where = f"the {len(y_test)} test digits of nnlib.split_digits(X, y, seed=0), scaled by nnlib.scale_pixels"
    accuracy = _accuracy(model, nnlib.scale_pixels(X_test), y_test, where)
    if accuracy < 0.93:
        if accuracy < 0.2:
            guess = ("About one in ten right is chance: is every layer updated (p -= lr * grad, in place), and is "
                     "the loss's gradient divided by the batch size?")
        else:
            guess = "Train for more epochs, or with a larger learning rate, or with more hidden units."
        raise Wrong(where, [f"accuracy {accuracy:.1%}; at least 93.0% is needed"], guess)
    return f"Your own layers, trained by your own loop, read {accuracy:.1%} of the {len(y_test)} test digits."


SAFETY_NET = ("The conversion is a safety net for a list: in this exercise the logits are a float array (N, C), "
              "as a model gives them, and without it numpy computes the same numbers.")
HYPERPARAMETER = ("A setting of the training (a seed, the epochs, the batch size, the learning rate): the model is "
                  "still made of the learner's own layers and reads more than 93 % of the test digits, and any such "
                  "model is right.")

EXERCISES = [
    Exercise("7.softmax_cross_entropy_grad", 7, "the gradient of softmax + cross entropy for C classes", "code",
             check_softmax_cross_entropy_grad, lambda: softmax_cross_entropy_grad,
             nudge="Compare one row with the lesson's worked case (logits 2, 1, 0.1 and label 0): which entry is "
                   "negative, what does the row add up to, and where does the size of the batch come in? The "
                   "probabilities must stay finite for logits of +-1000, in every row.",
             hint="Per row, the stable softmax: p = exp(z - max) / sum(exp(z - max)), with the row's own max "
                  "(axis=1, keepdims=True); then take 1 from the true class, p[np.arange(N), y] -= 1; then divide the "
                  "whole array by N. Work on a new array, never on logits.",
             source_of=(softmax_cross_entropy_grad,), domain=_grad_domain,
             domain_compare=close(1e-12, 1e-300, floor=_label_floor),
             library=("nnlib.cross_entropy_grad",),
             equivalent_mutants={
                 "line 3: np.asarray(logits, dtype=float) -> logits": SAFETY_NET,
                 "line 3: delete `logits = np.asarray(logits, dtype=float)`": SAFETY_NET,
             }),
    Exercise("7.minibatches", 7, "shuffled mini-batches", "code",
             check_minibatches, lambda: minibatches,
             nudge="Shuffle row numbers, not the data, with the generator you are given; a batch takes the same "
                   "rows of X and of y, and every example belongs to exactly one batch.",
             hint="order = rng.permutation(N); then for start in range(0, N, batch_size), rows = order[start:start + "
                  "batch_size] and the batch is (X[rows], y[rows]). The last slice is shorter by itself when N is "
                  "not a multiple of batch_size.",
             source_of=(minibatches,), domain=_minibatch_domain, library=("nnlib.minibatches",)),
    Exercise("7.confusion_matrix", 7, "a confusion matrix by hand", "code",
             check_confusion_matrix, lambda: confusion_matrix,
             nudge="Every example adds exactly 1 to exactly one entry: its row is the true class, its column the "
                   "predicted one. Try your function on two identical examples, and on a class that never occurs.",
             hint="counts = np.zeros((C, C), dtype=int); then for i, j in zip(y_true, y_pred): counts[i, j] += 1 "
                  "(np.add.at(counts, (y_true, y_pred), 1) does the same at once; counts[y_true, y_pred] += 1 "
                  "does not, it counts a repeated pair once).",
             source_of=(confusion_matrix,), domain=_confusion_domain, library=("nnlib.confusion_matrix",)),
    Exercise("7.capstone", 7, "a digit reader of your own layers", "value",
             check_capstone, capstone,
             nudge="A hidden layer of your own layers (your Dense, your ReLU), trained by your own mini-batch loop "
                   "with your own gradient, long enough. The grade feeds the test digits' pixels scaled by "
                   "nnlib.scale_pixels: train on scaled pixels too.",
             hint="nnlib.MLP(layers=[MyDense(64, 64, init='he'), MyReLU(), MyDense(64, 10, init='he')]), trained on "
                  "scaled pixels by your loop: for each epoch, for each of your mini-batches, forward, your "
                  "gradient, backward, p -= lr * grad; a learning rate around 0.1 for 15 epochs.",
             source_of=(MyDense, MyReLU, softmax_cross_entropy_grad, minibatches, capstone),
             # The grade only runs model.forward on the 359 test digits (training happens in the learner's own
             # cell): 10 s leaves room for a slow layer of their own. Its mutants train: a sample of them.
             time_limit=10.0, mutant_sample=10,
             equivalent_mutants={
                 "line 4: 0 -> 1": HYPERPARAMETER,
                 "line 5: 1 -> 2": HYPERPARAMETER,
                 "line 5: 1 -> 0": HYPERPARAMETER,
                 "line 5: 2 -> 3": HYPERPARAMETER,
                 "line 5: 2 -> 0": HYPERPARAMETER,
                 "line 6: 0 -> 1": HYPERPARAMETER,
                 "line 7: 15 -> 16": HYPERPARAMETER,
                 "line 8: 32 -> 33": HYPERPARAMETER,
                 "line 12: 0.1 * grad -> grad": HYPERPARAMETER,
                 "line 12: 0.1 -> 1.1": HYPERPARAMETER,
             }),
]
