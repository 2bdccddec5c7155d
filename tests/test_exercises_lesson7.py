"""Lesson 7's exercises: each solution is correct, each stub is "not attempted yet", and
each wrong answer a learner might write gets the message of its own mistake."""

import numpy as np
import pytest

import nnlib
from nnlib import exercises
from nnlib.exercises import lesson7

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


def test_hints_do_not_give_the_formula():
    for exercise_id in IDS[:3]:
        hint = exercises._find(exercise_id).hint
        assert "np.arange" not in hint and "np.exp" not in hint and "permutation" not in hint


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


@pytest.mark.parametrize("answer, words", [
    (nnlib.cross_entropy_grad, ["correct!"]),
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


@pytest.mark.parametrize("answer, words", [
    (nnlib.minibatches, ["correct!"]),
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


@pytest.mark.parametrize("answer, words", [
    (lambda t, p, C: nnlib.confusion_matrix(t, p, C), ["correct!"]),
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
