"""Lesson 7 exercises: the gradient of softmax + cross entropy for C classes, shuffled
mini-batches, a confusion matrix by hand, and the capstone, a digit reader made of the
learner's own layers and trained by their own loop."""

import numpy as np

import nnlib

from .grading import Case, Exercise, Symptom, Wrong, changed_argument, check_function, close, outcome, show
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


def check_softmax_cross_entropy_grad(f):
    n = check_function(f, _grad_cases(), _expected_grad, GRAD_MISTAKES, close(1e-6, 1e-10))
    return (f"Your gradient matches nnlib.numerical_gradient of the mean cross entropy, and stays finite, on all "
            f"{n} cases.")


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


def check_minibatches(f):
    if not callable(f):
        raise Wrong("any input", [f"expected a function (def ...), got {type(f).__name__} {show(f)}"])
    for n, batch_size, seed in MINIBATCH_CASES:
        case = f"N = {n} examples (row i of X is [2i, 2i + 1], y = [0, 1, ..., {n - 1}]), batch_size = {batch_size}"
        args = _minibatch_args(n, batch_size, seed)
        originals = (args[0].copy(), args[1].copy())
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
        seen = np.concatenate([yb for _, yb in batches]) if batches else np.array([], dtype=int)
        lines = [f"batch sizes: {sizes}", f"labels in the order given: {show(seen)}"]
        if any(len(Xb) != len(yb) or not np.array_equal(Xb[:, 0], 2 * yb) for Xb, yb in batches):
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
        order_again = (np.concatenate([np.asarray(b[1]) for b in again.value])
                       if again.error is None and again.value is not None else None)
        if n >= 10 and order_again is not None and np.array_equal(order_again, seen):
            raise Wrong(case, lines + ["a second call with the same generator gave the same order"],
                        "Draw the order from the rng passed in (rng.permutation), not from a new generator with a "
                        "fixed seed: every epoch needs a new order.")
    return (f"Your batches cover every example once, keep rows with their labels, and are shuffled anew at every "
            f"call, on all {len(MINIBATCH_CASES)} cases.")


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


def check_confusion_matrix(f):
    n = check_function(f, _confusion_cases(), confusion_matrix, CONFUSION_MISTAKES, close(0, 0))
    return f"Your matrix counts every (true, predicted) pair, in its row and column, on all {n} cases."


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
    layers = getattr(model, "layers", None)
    if not isinstance(layers, list) or not callable(getattr(model, "forward", None)):
        raise Wrong(case, [f"expected a trained model, nnlib.MLP(layers=[...]), got {type(model).__name__} "
                           f"{show(model)}"])
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


EXERCISES = [
    Exercise("7.softmax_cross_entropy_grad", 7, "the gradient of softmax + cross entropy for C classes", "code",
             check_softmax_cross_entropy_grad, lambda: softmax_cross_entropy_grad,
             hint="Compare one row with the lesson's worked case (logits 2, 1, 0.1 and label 0): which entry is "
                  "negative, what does the row add up to, and where does the size of the batch come in?",
             source_of=(softmax_cross_entropy_grad,)),
    Exercise("7.minibatches", 7, "shuffled mini-batches", "code",
             check_minibatches, lambda: minibatches,
             hint="Shuffle row numbers, not the data, with the generator you are given; a batch takes the same "
                  "rows of X and of y, and every example belongs to exactly one batch.",
             source_of=(minibatches,)),
    Exercise("7.confusion_matrix", 7, "a confusion matrix by hand", "code",
             check_confusion_matrix, lambda: confusion_matrix,
             hint="Every example adds exactly 1 to exactly one entry: its row is the true class, its column the "
                  "predicted one. Try your function on two identical examples.",
             source_of=(confusion_matrix,)),
    Exercise("7.capstone", 7, "a digit reader of your own layers", "value",
             check_capstone, capstone,
             hint="nnlib.MLP(layers=[MyDense(64, 64, init='he'), MyReLU(), MyDense(64, 10, init='he')]), trained on "
                  "scaled pixels by your loop: for each epoch, for each of your mini-batches, forward, your "
                  "gradient, backward, p -= lr * grad; a learning rate around 0.1 for 15 epochs.",
             source_of=(MyDense, MyReLU, softmax_cross_entropy_grad, minibatches, capstone)),
]
