"""Lesson 7's exercises: each solution is correct, each stub is "not attempted yet", and
each wrong answer a learner might write gets the message of its own mistake."""

import numpy as np
import pytest

import nnlib
from nnlib import exercises
from nnlib.exercises import grading, lesson7

IDS = ["7.softmax_cross_entropy_grad", "7.minibatches", "7.confusion_matrix", "7.capstone"]


def grade(exercise_id, answer):
    feedback = exercises.grade(exercise_id, answer)
    assert feedback.message.startswith(exercise_id + ": ")
    return feedback


def assert_wrong(feedback, *words):
    assert not feedback.correct and feedback.attempted, feedback.message
    assert "not correct yet, on the case" in feedback.message
    assert "Hint: " in feedback.message
    for word in words:
        assert word in feedback.message, (word, feedback.message)


def test_lesson_7_is_in_the_catalog_in_order():
    entries = [e for e in exercises.catalog() if e.lesson == 7]
    assert [e.id for e in entries] == IDS
    assert [e.kind for e in entries] == ["code", "code", "code", "value"]


@pytest.mark.parametrize("exercise_id", IDS)
def test_the_solution_is_correct(exercise_id):
    feedback = grade(exercise_id, exercises.solution(exercise_id))
    assert feedback.correct, feedback.message
    assert "Hint" not in feedback.message


def stub(*args):
    # your code here
    raise NotImplementedError


@pytest.mark.parametrize("exercise_id, answer", [(i, stub) for i in IDS[:3]] + [(i, None) for i in IDS]
                         + [("7.capstone", ...)])
def test_a_stub_is_not_attempted(exercise_id, answer):
    feedback = grade(exercise_id, answer)
    assert not feedback.attempted and not feedback.correct
    assert feedback.message.startswith(f"{exercise_id}: not attempted yet.")
    assert "Hint" not in feedback.message


def test_nudges_do_not_give_the_formula_and_hints_give_the_method():
    for exercise_id in IDS:
        e = exercises._find(exercise_id)
        assert e.nudge and e.hint and e.nudge != e.hint
        for formula in ("np.arange", "np.exp", "permutation", "np.zeros", "+= 1", "lr * grad", "init="):
            assert formula not in e.nudge, (exercise_id, formula)
    assert "p[np.arange(N), y]" in exercises._find("7.softmax_cross_entropy_grad").hint
    assert "rng.permutation" in exercises._find("7.minibatches").hint
    assert "np.add.at" in exercises._find("7.confusion_matrix").hint


@pytest.mark.parametrize("exercise_id", IDS[:3])
def test_the_code_exercises_are_graded_over_a_drawn_domain_and_not_by_nnlibs_own(exercise_id):
    e = exercises._find(exercise_id)
    assert e.domain is not None and e.library
    first, again = grading.drawn_cases(e), grading.drawn_cases(e)
    assert len(first) == e.draws >= 50
    assert [c.label for c in first] == [c.label for c in again]  # seeded: the same draws every time


# ---------------------------------------------------------------- 7.softmax_cross_entropy_grad

def _softmax(z, axis=1):
    e = np.exp(z - z.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def unstable(z, y):
    p = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)
    p[np.arange(len(y)), y] -= 1
    return p / len(y)


def no_mean(z, y):
    p = _softmax(z)
    p[np.arange(len(y)), y] -= 1
    return p


def flipped(z, y):
    return -nnlib.cross_entropy_grad(z, y)


def whole_mean(z, y):
    p = _softmax(z)
    p[np.arange(len(y)), y] -= 1
    return p / p.size


def no_softmax(z, y):
    return (z - nnlib.one_hot(y, z.shape[1])) / len(y)


def columns(z, y):
    p = _softmax(z)
    p[:, y] -= 1
    return p / len(y)


def by_rows(z, y):
    p = _softmax(z)
    p[y] -= 1
    return p / len(y)


def axis0(z, y):
    return (_softmax(z, axis=0) - nnlib.one_hot(y, z.shape[1])) / len(y)


def in_place(z, y):
    z -= z.max(axis=1, keepdims=True)
    p = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)
    p[np.arange(len(y)), y] -= 1
    return p / len(y)


def log_softmax_way(z, y):
    # Right, computed another way: exp of the log-probabilities.
    z = z - z.max(axis=1, keepdims=True)
    p = np.exp(z - np.log(np.exp(z).sum(axis=1, keepdims=True)))
    p[np.arange(len(y)), y] -= 1
    return p / len(y)


def one_example_at_a_time(z, y):
    # Right, in plain Python: one row, one entry at a time.
    rows = []
    for row, label in zip(z.tolist(), y.tolist()):
        e = [np.exp(v - max(row)) for v in row]
        rows.append([(v / sum(e) - (j == label)) / len(y) for j, v in enumerate(e)])
    return np.array(rows)


def batch_max(z, y):
    # The whole batch's largest logit, not each row's: a row far below it gets exp(...) = 0 everywhere.
    e = np.exp(z - z.max())
    p = e / e.sum(axis=1, keepdims=True)
    p[np.arange(len(y)), y] -= 1
    return p / len(y)


def clipped(z, y):
    # "Stable" by clipping the logits: wrong where a probability is below e**-30 or so.
    return no_mean(np.clip(z, -30, 30), y) / len(y)


def clipped_exp(z, y):
    e = np.exp(np.clip(z - z.max(axis=1, keepdims=True), -30, 0))
    p = e / e.sum(axis=1, keepdims=True)
    p[np.arange(len(y)), y] -= 1
    return p / len(y)


@pytest.mark.parametrize("answer, words", [
    (log_softmax_way, ["correct!"]),
    (one_example_at_a_time, ["correct!"]),
    (nnlib.cross_entropy_grad, ["that is nnlib's own nnlib.losses.cross_entropy_grad"]),
    (lambda z, y: nnlib.cross_entropy_grad(z, y), ["your code calls nnlib.cross_entropy_grad"]),
    (batch_max, ["drawn input", "made numpy warn"]),
    (clipped, ["drawn input"]),
    (clipped_exp, ["drawn input"]),
    (unstable, ["exp(1000) overflows"]),
    (no_mean, ["The 1/N is missing"]),
    (flipped, ["The sign is flipped"]),
    (whole_mean, ["Divided by N * C"]),
    (no_softmax, ["The softmax is missing"]),
    (columns, ["p[:, y] takes the columns"]),
    (by_rows, ["p[y] picks rows by label"]),
    (axis0, ["down the columns (axis=0)"]),
    (in_place, ["changed its argument number 1 in place"]),
])
def test_softmax_cross_entropy_grad_names_each_mistake(answer, words):
    feedback = grade("7.softmax_cross_entropy_grad", answer)
    if words == ["correct!"]:
        assert feedback.correct, feedback.message
        return
    assert_wrong(feedback, *words)


# ---------------------------------------------------------------- 7.minibatches

def unshuffled(X, y, batch_size, rng):
    return [(X[i:i + batch_size], y[i:i + batch_size]) for i in range(0, len(X), batch_size)]


def apart(X, y, batch_size, rng):
    a, b = rng.permutation(len(X)), rng.permutation(len(X))
    return [(X[a[i:i + batch_size]], y[b[i:i + batch_size]]) for i in range(0, len(X), batch_size)]


def replacement(X, y, batch_size, rng):
    rows = rng.integers(0, len(X), size=len(X))
    return [(X[rows[i:i + batch_size]], y[rows[i:i + batch_size]]) for i in range(0, len(X), batch_size)]


def drops_last(X, y, batch_size, rng):
    order = rng.permutation(len(X))
    return [(X[order[i:i + batch_size]], y[order[i:i + batch_size]])
            for i in range(0, len(X) - batch_size + 1, batch_size)]


def fixed_seed(X, y, batch_size, rng):
    order = np.random.default_rng(0).permutation(len(X))
    return [(X[order[i:i + batch_size]], y[order[i:i + batch_size]]) for i in range(0, len(X), batch_size)]


def shuffles_in_place(X, y, batch_size, rng):
    order = rng.permutation(len(X))
    X[:], y[:] = X[order], y[order]
    return [(X[i:i + batch_size], y[i:i + batch_size]) for i in range(0, len(X), batch_size)]


def a_generator(X, y, batch_size, rng):
    order = rng.permutation(len(X))
    for i in range(0, len(X), batch_size):
        yield X[order[i:i + batch_size]], y[order[i:i + batch_size]]


def batch_count_as_size(X, y, batch_size, rng):
    order = rng.permutation(len(X))
    return [(X[rows], y[rows]) for rows in np.array_split(order, batch_size)]


def shuffled_row_numbers(X, y, batch_size, rng):
    # Right, another way: shuffle a copy of the row numbers in place.
    rows = np.arange(len(X))
    rng.shuffle(rows)
    return [(X[rows[i:i + batch_size]], y[rows[i:i + batch_size]]) for i in range(0, len(X), batch_size)]


def row_numbers_as_labels(X, y, batch_size, rng):
    order = rng.permutation(len(X))
    return [(X[order[i:i + batch_size]], order[i:i + batch_size]) for i in range(0, len(X), batch_size)]


def at_most_30(X, y, batch_size, rng):
    # Caps the batch size: only a batch of more than 30 (never in the named cases) shows it.
    return shuffled_row_numbers(X, y, min(batch_size, 30), rng)


@pytest.mark.parametrize("answer, words", [
    (shuffled_row_numbers, ["correct!"]),
    (nnlib.minibatches, ["that is nnlib's own nnlib.digits.minibatches"]),
    (lambda X, y, batch_size, rng: nnlib.minibatches(X, y, batch_size, rng), ["your code calls nnlib.minibatches"]),
    (row_numbers_as_labels, ["drawn input", "y_batch holds the row numbers", "y[rows]"]),
    (at_most_30, ["drawn input", "expected batch sizes"]),
    (a_generator, ["correct!"]),
    (unshuffled, ["follow the data's own order"]),
    (apart, ["two different orders"]),
    (replacement, ["with replacement"]),
    (drops_last, ["The last, smaller batch is missing"]),
    (fixed_seed, ["a second call with the same generator gave the same order", "not from a new generator"]),
    (shuffles_in_place, ["changed its argument number 1 in place"]),
    (batch_count_as_size, ["expected batch sizes"]),
    (lambda X, y, batch_size, rng: [X, y], ["a list of pairs"]),
])
def test_minibatches_names_each_mistake(answer, words):
    feedback = grade("7.minibatches", answer)
    if words == ["correct!"]:
        assert feedback.correct, feedback.message
        return
    assert_wrong(feedback, *words)


# ---------------------------------------------------------------- 7.confusion_matrix

def transposed(t, p, C):
    counts = np.zeros((C, C), dtype=int)
    np.add.at(counts, (p, t), 1)
    return counts


def fancy(t, p, C):
    counts = np.zeros((C, C), dtype=int)
    counts[t, p] += 1
    return counts


def sized_by_labels(t, p, C):
    C = max(t.max(), p.max()) + 1
    counts = np.zeros((C, C), dtype=int)
    np.add.at(counts, (t, p), 1)
    return counts


def fractions(t, p, C):
    counts = np.zeros((C, C))
    np.add.at(counts, (t, p), 1)
    return counts / len(t)


def by_bincount(t, p, C):
    # Right, another way: one bin per (true, predicted) pair.
    return np.bincount(t * C + p, minlength=C * C).reshape(C, C)


def at_most_30_classes(t, p, C):
    return by_bincount(np.minimum(t, 29), np.minimum(p, 29), C)


@pytest.mark.parametrize("answer, words", [
    (by_bincount, ["correct!"]),
    (lambda t, p, C: nnlib.confusion_matrix(t, p, C), ["your code calls nnlib.confusion_matrix"]),
    (at_most_30_classes, ["drawn input"]),
    (transposed, ["Rows and columns are swapped"]),
    (fancy, ["adds 1 only once to a pair"]),
    (sized_by_labels, ["a class that never occurs still gets its row"]),
    (fractions, ["fractions of all the examples"]),
    (lambda t, p, C: [[int(np.sum((t == i) & (p == j))) for j in range(C)] for i in range(C)],
     ["where a numpy array of shape (3, 3) is expected"]),
])
def test_confusion_matrix_names_each_mistake(answer, words):
    feedback = grade("7.confusion_matrix", answer)
    if words == ["correct!"]:
        assert feedback.correct, feedback.message
        return
    assert_wrong(feedback, *words)


# ---------------------------------------------------------------- 7.capstone

def _train(model, X, y, epochs=15, lr=0.1):
    rng = np.random.default_rng(0)
    for _ in range(epochs):
        for Xb, yb in lesson7.minibatches(X, y, 32, rng):
            model.backward(lesson7.softmax_cross_entropy_grad(model.forward(Xb), yb))
            for _, p, g in model.parameters():
                p -= lr * g
    return model


@pytest.fixture(scope="module")
def digits():
    X, y = nnlib.load_digits()
    return nnlib.split_digits(X, y, seed=0)


def own_layers(n_out=10):
    return [lesson7.MyDense(64, 32, seed=1, init="he"), lesson7.MyReLU(), lesson7.MyDense(32, n_out, seed=2, init="he")]


def test_capstone_trained_too_little_is_told_to_train_more(digits):
    model = _train(nnlib.MLP(layers=own_layers()), nnlib.scale_pixels(digits[0]), digits[1], epochs=1, lr=0.02)
    assert 0.2 <= np.mean(model.predict(nnlib.scale_pixels(digits[4])) == digits[5]) < 0.93
    assert_wrong(grade("7.capstone", model), "at least 93.0% is needed", "Train for more epochs")


def test_capstone_untrained_is_chance(digits):
    assert_wrong(grade("7.capstone", nnlib.MLP(layers=own_layers())), "at least 93.0% is needed")
    model = nnlib.MLP(layers=[lesson7.MyDense(64, 10, seed=1, init="zeros"), lesson7.MyReLU(),
                              lesson7.MyDense(10, 10, seed=2, init="zeros")])
    assert_wrong(grade("7.capstone", model), "About one in ten right is chance")


def test_capstone_wants_the_learners_own_layers(digits):
    assert_wrong(grade("7.capstone", nnlib.MLP([64, 32, 10], activation="relu")),
                 "whose backward is nnlib.Dense's own", "nnlib's own layers do not count")
    mixed = nnlib.MLP(layers=[lesson7.MyDense(64, 32), nnlib.ReLU(), lesson7.MyDense(32, 10)])
    assert_wrong(grade("7.capstone", mixed), "layers[1] is a ReLU whose backward is nnlib.ReLU's own")
    assert_wrong(grade("7.capstone", nnlib.MLP(layers=[lesson7.MyDense(64, 10)])), "A hidden layer")
    assert_wrong(grade("7.capstone", nnlib.MLP(layers=own_layers(n_out=9))), "expected (359, 10)")
    assert_wrong(grade("7.capstone", "a model"), "expected a trained model")
    # A loop that returns the losses too: the tuple is named, not printed in full.
    feedback = grade("7.capstone", (nnlib.MLP(layers=own_layers()), [0.5] * 300))
    assert_wrong(feedback, "got a tuple of 2 items: MLP, list", "Pass the trained model alone")
    assert "0.5, 0.5" not in feedback.message


def test_capstone_runs_the_learners_backward(digits):
    # A backward that does nothing useful keeps the model at chance: the grade sees it.
    class LazyReLU(nnlib.ReLU):
        def backward(self, dout):
            return dout * 0.0

    X = nnlib.scale_pixels(digits[0])
    model = nnlib.MLP(layers=[lesson7.MyDense(64, 32, seed=1, init="he"), LazyReLU(),
                              lesson7.MyDense(32, 10, seed=2, init="he")])
    _train(model, X, digits[1], epochs=1)
    first = model.layers[0].W.copy()
    _train(model, X, digits[1], epochs=1)
    assert np.array_equal(first, model.layers[0].W)  # no gradient reached the first layer


def test_the_learners_layers_run_inside_train(digits):
    # nnlib.train with the learner's layers runs them: their backward is called.
    calls = []

    class CountingReLU(lesson7.MyReLU):
        def backward(self, dout):
            calls.append(len(dout))
            return super().backward(dout)

    model = nnlib.MLP(layers=[lesson7.MyDense(64, 16, seed=1, init="he"), CountingReLU(),
                              lesson7.MyDense(16, 10, seed=2, init="he")])
    nnlib.train(model, nnlib.scale_pixels(digits[0]), digits[1], nnlib.CrossEntropyLoss(), nnlib.Adam(1e-3),
                epochs=1, batch_size=100)
    assert calls == [100] * 10 + [79]
