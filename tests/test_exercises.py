"""nnlib.exercises: the contract (catalog, grade, solution, source, Feedback) and, for
every exercise, its reference answer, a stub, and typical wrong answers as a learner
would write them, each of which must get its own message."""

import math

import numpy as np
import pytest

import nnlib
from nnlib import exercises

TABLE = {
    "1.dense_forward": (1, "code"), "1.matmul_shape": (1, "value"), "1.signed_distance": (1, "code"),
    "2.mse_gradient": (2, "code"), "2.gradient_descent": (2, "code"), "2.numerical_derivative": (2, "code"),
    "2.largest_learning_rate": (2, "code"),
    "3.sigmoid": (3, "code"), "3.sigmoid_grad": (3, "code"), "3.softmax": (3, "code"),
    "4.cross_entropy_by_hand": (4, "value"), "4.bce_with_logits": (4, "code"),
    "4.bce_with_logits_grad": (4, "code"), "4.cross_entropy": (4, "code"),
    "5.initial_loss": (5, "value"), "5.dense_backward": (5, "code"), "5.tanh_backward": (5, "code"),
    "5.fix_sigmoid_backward": (5, "code"), "5.relu_backward": (5, "code"),
    "6.train_loop": (6, "code"), "6.capstone": (6, "value"),
    "7.softmax_cross_entropy_grad": (7, "code"), "7.minibatches": (7, "code"), "7.confusion_matrix": (7, "code"),
    "7.capstone": (7, "value"),
}
CLASS_BASES = {"5.dense_backward": nnlib.Dense, "5.tanh_backward": nnlib.Tanh, "5.fix_sigmoid_backward": nnlib.Sigmoid,
               "5.relu_backward": nnlib.ReLU}


@pytest.fixture(autouse=True)
def fresh_attempts():
    # The hints depend on the wrong attempts counted so far: each test starts from none.
    exercises.reset_attempts()
    yield
    exercises.reset_attempts()


def grade(exercise_id, answer):
    feedback = exercises.grade(exercise_id, answer)
    assert isinstance(feedback.message, str) and feedback.message.startswith(exercise_id + ": ")
    assert repr(feedback) == str(feedback) == feedback.message
    assert " at 0x" not in feedback.message
    return feedback


def assert_wrong(feedback, *words):
    assert not feedback.correct and feedback.attempted, feedback.message
    assert "not correct yet, on the case" in feedback.message
    assert "Hint: " in feedback.message  # a nudge, now that there was an attempt
    for word in words:
        assert word in feedback.message, (word, feedback.message)


# ---------------------------------------------------------------- the contract

def test_catalog_lists_every_exercise_of_the_table_in_lesson_order():
    entries = exercises.catalog()
    assert [e.id for e in entries] == list(TABLE)
    for e in entries:
        assert (e.lesson, e.kind) == TABLE[e.id]
        assert e.id.startswith(f"{e.lesson}.")
        assert isinstance(e.title, str) and e.title
    assert repr(entries[0]) == "Exercise('1.dense_forward', lesson 1, code: a dense layer's forward pass X @ W + b)"


def test_exercises_is_reachable_both_ways():
    assert nnlib.exercises is exercises


@pytest.mark.parametrize("call", [exercises.grade, lambda i, _: exercises.solution(i),
                                  lambda i, _: exercises.source(i)])
@pytest.mark.parametrize("bad", ["3.sigmiod", "sigmoid", 3])
def test_unknown_id_is_a_value_error_listing_the_known_ones(call, bad):
    with pytest.raises(ValueError) as info:
        call(bad, None)
    assert repr(bad) in str(info.value)
    assert "3.sigmoid" in str(info.value) and "6.capstone" in str(info.value)


@pytest.mark.parametrize("exercise_id", list(TABLE))
def test_the_solution_is_correct(exercise_id):
    feedback = grade(exercise_id, exercises.solution(exercise_id))
    assert feedback.correct and feedback.attempted, feedback.message
    assert feedback.message.startswith(f"{exercise_id}: correct!")
    assert "Hint" not in feedback.message
    assert 'color: #1a7f37' in feedback._repr_html_()


@pytest.mark.parametrize("exercise_id", list(TABLE))
def test_the_source_is_python_that_defines_the_answer(exercise_id):
    text = exercises.source(exercise_id)
    compile(text, exercise_id, "exec")
    answer = exercises.solution(exercise_id)
    if TABLE[exercise_id][1] == "code":
        assert f"{answer.__name__}(" in text
    assert "return" in text


def test_solutions_of_classes_subclass_the_right_layer_and_override_backward():
    for exercise_id, base in CLASS_BASES.items():
        cls = exercises.solution(exercise_id)
        assert issubclass(cls, base) and cls is not base and cls.backward is not base.backward


def test_the_capstone_solution_is_made_of_its_own_layers():
    model = exercises.solution("6.capstone")
    assert isinstance(model, nnlib.MLP)
    assert [type(layer) for layer in model.layers] == [exercises.solution("5.dense_backward"),
                                                       exercises.solution("5.tanh_backward"),
                                                       exercises.solution("5.dense_backward")]


# ---------------------------------------------------------------- stubs

def raises_stub(*args):
    # your code here
    raise NotImplementedError


def ellipsis_stub(*args):
    ...


def pass_stub(*args):
    """Write the answer here."""
    pass


class DenseStub(nnlib.Dense):
    def backward(self, dout):
        # your code here: set self.dW and self.db, return dX
        raise NotImplementedError


class TanhStub(nnlib.Tanh):
    def backward(self, dout):
        raise NotImplementedError()


class SigmoidStub(nnlib.Sigmoid):
    def backward(self, dout):
        ...


STUBS = {"code": [raises_stub, ellipsis_stub, pass_stub, lambda *args: None], "value": [None, ...]}
CLASS_STUBS = {"5.dense_backward": DenseStub, "5.tanh_backward": TanhStub, "5.fix_sigmoid_backward": SigmoidStub,
               "5.relu_backward": type("ReLUStub", (nnlib.ReLU,), {"backward": TanhStub.backward})}


def stubs_of(exercise_id):
    if exercise_id in CLASS_STUBS:
        return [CLASS_STUBS[exercise_id], None]
    return STUBS[TABLE[exercise_id][1]]


@pytest.mark.parametrize("exercise_id, stub", [(i, s) for i in TABLE for s in stubs_of(i)])
def test_a_stub_is_not_attempted_and_gets_no_hint(exercise_id, stub):
    feedback = grade(exercise_id, stub)
    assert not feedback.correct and not feedback.attempted
    assert feedback.message.startswith(f"{exercise_id}: not attempted yet.")
    assert "Hint" not in feedback.message and "expected" not in feedback.message
    assert feedback._repr_html_().count("not attempted yet") == 1


def test_a_stub_that_only_fails_when_run_is_not_attempted_either():
    # A body the grader cannot read as a stub: NotImplementedError raised from inside.
    def helper(z):
        raise NotImplementedError("later")
    assert not grade("3.sigmoid", lambda z: helper(z)).attempted
    assert not grade("6.train_loop", lambda *args: helper(args)).attempted


def test_a_real_attempt_that_forgets_return_is_attempted():
    def sigmoid(z):
        s = 1 / (1 + np.exp(-np.abs(z)))  # noqa: F841 (the missing return is the point)
    feedback = grade("3.sigmoid", sigmoid)
    assert_wrong(feedback, "returned None", "`return`")


# ---------------------------------------------------------------- exceptions and the common rules

def boom(*args):
    return {}["no such key"]


class BoomDense(nnlib.Dense):
    def backward(self, dout):
        return {}["no such key"]


class BoomTanh(nnlib.Tanh):
    def backward(self, dout):
        return {}["no such key"]


class BoomSigmoid(nnlib.Sigmoid):
    def backward(self, dout):
        return {}["no such key"]


BOOMS = {"5.dense_backward": BoomDense, "5.tanh_backward": BoomTanh, "5.fix_sigmoid_backward": BoomSigmoid,
         "5.relu_backward": type("BoomReLU", (nnlib.ReLU,), {"backward": BoomTanh.backward})}


@pytest.mark.parametrize("exercise_id", [i for i in TABLE if TABLE[i][1] == "code"])
def test_an_exception_in_the_learners_code_becomes_feedback_naming_it_and_the_case(exercise_id):
    feedback = grade(exercise_id, BOOMS.get(exercise_id, boom))
    assert_wrong(feedback, "raised KeyError: 'no such key'")
    assert "Traceback" not in feedback.message


@pytest.mark.parametrize("exercise_id", [i for i in TABLE if TABLE[i][1] == "code" and i not in CLASS_BASES])
def test_a_code_exercise_wants_a_function(exercise_id):
    assert_wrong(grade(exercise_id, 3.5), "expected a function")


@pytest.mark.parametrize("exercise_id", list(CLASS_BASES))
def test_a_class_exercise_wants_a_subclass_with_its_own_backward(exercise_id):
    base = CLASS_BASES[exercise_id]
    assert_wrong(grade(exercise_id, base), "the library's own layer")
    assert_wrong(grade(exercise_id, type("Plain", (base,), {})), "does not define backward")
    assert_wrong(grade(exercise_id, dict), "not a subclass of nnlib." + base.__name__)
    assert_wrong(grade(exercise_id, lambda dout: dout), "expected a class")


def test_grading_leaves_numpy_and_warning_settings_as_they_were():
    before = np.geterr()
    grade("3.sigmoid", textbook_sigmoid)
    grade("3.softmax", unshifted_softmax)
    assert np.geterr() == before
    with np.errstate(over="ignore"):
        assert np.exp(1000.0) == np.inf  # no FloatingPointError left behind


def test_feedback_text_and_html():
    feedback = exercises.Feedback("3.sigmoid", False, True, "3.sigmoid: not correct yet <x> & y")
    assert repr(feedback) == "3.sigmoid: not correct yet <x> & y"
    html = feedback._repr_html_()
    assert "&lt;x&gt; &amp; y" in html and 'role="status"' in html and "#1a7f37" not in html
    first = grade("3.softmax", lambda z: np.exp(z) / np.exp(z).sum())
    exercises.reset_attempts()
    second = grade("3.softmax", lambda z: np.exp(z) / np.exp(z).sum())
    assert first.message == second.message  # deterministic


# ---------------------------------------------------------------- wrong answers, exercise by exercise
# Each is what a learner might write; the words are those of its own message.

def textbook_sigmoid(z):
    return 1 / (1 + np.exp(-z))


def seed_sigmoid(z):
    return np.exp(z) / (1 + np.exp(z))


def clipped_sigmoid(z):
    return 1 / (1 + np.exp(-np.clip(z, -20, 20)))


def math_sigmoid(z):
    return 1 / (1 + math.exp(-z)) if z >= 0 else math.exp(z) / (1 + math.exp(z))


def in_place_sigmoid(z):
    z = np.asarray(z, dtype=float)
    if z.ndim:
        z *= -1  # changes the caller's array
        return np.exp(np.minimum(z, 0)) / (1 + np.exp(-np.abs(z)))
    return nnlib.sigmoid(z)


def precedence_sigmoid_grad(z):
    s = nnlib.sigmoid(z)
    return s * 1 - s


def plus_sigmoid_grad(z):
    s = nnlib.sigmoid(z)
    return s * (1 + s)


def unstable_sigmoid_grad(z):
    s = 1 / (1 + np.exp(-z))
    return s * (1 - s)


def unshifted_softmax(z):
    e = np.exp(z)
    return e / e.sum(axis=-1, keepdims=True)


def axis0_softmax(z):
    e = np.exp(z - np.max(z, axis=-1, keepdims=True))
    return e / e.sum(axis=0)


def no_keepdims_softmax(z):
    z = np.asarray(z, dtype=float)
    e = np.exp(z - np.max(z, axis=-1, keepdims=True))
    return e / e.sum(axis=-1)


def global_max_softmax(z):
    z = np.asarray(z, dtype=float)
    e = np.exp(z - z.max())
    return e / e.sum(axis=-1, keepdims=True)


def in_place_softmax(z):
    z -= np.max(z, axis=-1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=-1, keepdims=True)


def naive_bce(z, y):
    p = nnlib.sigmoid(z)
    return -np.mean(y * np.log(p) + (1 - y) * np.log(1 - p))


def summed_bce(z, y):
    return np.sum(np.maximum(z, 0) - z * y + np.log1p(np.exp(-np.abs(z))))


def log10_bce(z, y):
    p = np.clip(nnlib.sigmoid(z), 1e-300, 1 - 1e-16)
    return -np.mean(y * np.log10(p) + (1 - y) * np.log10(1 - p))


def eps_bce(z, y):
    p = nnlib.sigmoid(z)
    return -np.mean(y * np.log(p + 1e-7) + (1 - y) * np.log(1 - p + 1e-7))


def softplus_bce(z, y):
    return np.mean(np.log(1 + np.exp(z)) - z * y)


def negative_bce(z, y):
    return -nnlib.binary_cross_entropy_with_logits(z, y)


def sum_bce_grad(z, y):
    return nnlib.sigmoid(z) - y


def sign_bce_grad(z, y):
    return (y - nnlib.sigmoid(z)) / len(z)


def unstable_bce_grad(z, y):
    return (1 / (1 + np.exp(-z)) - y) / len(z)


def no_sigmoid_bce_grad(z, y):
    return (z - y) / len(z)


def one_hot_cross_entropy(logits, y):
    log_p = nnlib.log_softmax(logits)
    return -np.mean(np.sum(y * log_p, axis=1))


def columns_cross_entropy(logits, y):
    return -np.mean(nnlib.log_softmax(logits)[:, y])


def unshifted_cross_entropy(logits, y):
    p = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    return -np.mean(np.log(p[np.arange(len(y)), y]))


def summed_cross_entropy(logits, y):
    return -np.sum(nnlib.log_softmax(logits)[np.arange(len(y)), y])


def eps_cross_entropy(logits, y):
    p = nnlib.softmax(logits)
    return -np.mean(np.log(p[np.arange(len(y)), y] + 1e-9))


def dense_no_bias(X, W, b):
    return X @ W


def dense_w_first(X, W, b):
    return W @ X + b


def dense_column_bias(X, W, b):
    return X @ W + b[:, None]


def dense_in_place(X, W, b):
    if X.shape == W.shape:
        X @= W  # noqa: PLR6104 (editing the caller's X is the point)
        X += b
        return X
    return X @ W + b


def mse_no_two(X, w, y):
    return X.T @ (X @ w - y) / len(y)


def mse_no_mean(X, w, y):
    return 2 * X.T @ (X @ w - y)


def mse_sign(X, w, y):
    return 2 / len(y) * X.T @ (y - X @ w)


def mse_no_transpose(X, w, y):
    return 2 / len(y) * X @ (X @ w - y)


def ascent(X, y, lr, steps):
    w = np.zeros(X.shape[1])
    for _ in range(steps):
        w = w + lr * 2 / len(y) * X.T @ (X @ w - y)
    return w


def start_at_ones(X, y, lr, steps):
    w = np.ones(X.shape[1])
    for _ in range(steps):
        w = w - lr * 2 / len(y) * X.T @ (X @ w - y)
    return w


def returns_the_loss(X, y, lr, steps):
    w = np.zeros(X.shape[1])
    for _ in range(steps):
        w = w - lr * 2 / len(y) * X.T @ (X @ w - y)
    return np.mean((X @ w - y) ** 2)


def gradient_once(X, y, lr, steps):
    w = np.zeros(X.shape[1])
    grad = 2 / len(y) * X.T @ (X @ w - y)
    for _ in range(steps):
        w = w - lr * grad
    return w


def forward_difference(g, x, h):
    return (g(x + h) - g(x)) / h


def divides_by_h(g, x, h):
    return (g(x + h) - g(x - h)) / h


def precedence_difference(g, x, h):
    return (g(x + h) - g(x - h)) / 2 * h


def ignores_h(g, x, h):
    step = 1e-5
    return (g(x + step) - g(x - step)) / (2 * step)


class TransposedDense(nnlib.Dense):
    def backward(self, dout):
        self.dW = dout.T @ self.X
        self.db = dout.sum(axis=0)
        return dout @ self.W.T


class UnsummedDense(nnlib.Dense):
    def backward(self, dout):
        self.dW = self.X.T @ dout
        self.db = dout
        return dout @ self.W.T


class NoWeightsDense(nnlib.Dense):
    def backward(self, dout):
        self.dW = self.X.T @ dout
        self.db = dout.sum(axis=0)
        return dout


class UntransposedDense(nnlib.Dense):
    def backward(self, dout):
        self.dW = self.X.T @ dout
        self.db = dout.sum(axis=0)
        return dout @ self.W


class MeanDense(nnlib.Dense):
    def backward(self, dout):
        self.dW = self.X.T @ dout / len(dout)
        self.db = dout.mean(axis=0)
        return dout @ self.W.T


class InPlaceTanh(nnlib.Tanh):
    def backward(self, dout):
        dout *= 1 - self.t ** 2
        return dout


class NoSquareTanh(nnlib.Tanh):
    def backward(self, dout):
        return dout * (1 - self.t)


class TanhAgain(nnlib.Tanh):
    def backward(self, dout):
        return dout * (1 - np.tanh(self.t) ** 2)


class NoDoutTanh(nnlib.Tanh):
    def backward(self, dout):
        return 1 - self.t ** 2


class InputTanh(nnlib.Tanh):
    def backward(self, dout):
        return dout * (1 - np.tanh(self.X) ** 2)


class StillBuggySigmoid(nnlib.Sigmoid):
    def backward(self, dout):
        s = self.s
        return dout * s * 1 - s


class PlusSigmoid(nnlib.Sigmoid):
    def backward(self, dout):
        return dout * self.s * (1 + self.s)


class NoDoutSigmoid(nnlib.Sigmoid):
    def backward(self, dout):
        return self.s * (1 - self.s)


class SigmoidAgain(nnlib.Sigmoid):
    def backward(self, dout):
        s = nnlib.sigmoid(self.s)
        return dout * s * (1 - s)


def adds_the_gradient(model, X, y, loss, lr, epochs):
    losses = []
    for _ in range(epochs):
        losses.append(loss.forward(model.forward(X), y))
        model.backward(loss.backward())
        for _, p, g in model.parameters():
            p += lr * g
    return losses


def forgets_backward(model, X, y, loss, lr, epochs):
    losses = []
    for _ in range(epochs):
        losses.append(loss.forward(model.forward(X), y))
        for _, p, g in model.parameters():
            p -= lr * g
    return losses


def rebinds(model, X, y, loss, lr, epochs):
    losses = []
    for _ in range(epochs):
        losses.append(loss.forward(model.forward(X), y))
        model.backward(loss.backward())
        for _, p, g in model.parameters():
            p = p - lr * g  # noqa: PLW2901 (a new array: the model's stays as it was)
    return losses


def last_layer_only(model, X, y, loss, lr, epochs):
    losses = []
    for _ in range(epochs):
        losses.append(loss.forward(model.forward(X), y))
        model.backward(loss.backward())
        for _, p, g in model.layers[-1].parameters():
            p -= lr * g
    return losses


def one_too_many(model, X, y, loss, lr, epochs):
    losses = exercises.solution("6.train_loop")(model, X, y, loss, lr, epochs)
    return losses + [loss.forward(model.forward(X), y)]


def trains_a_copy(model, X, y, loss, lr, epochs):
    import copy
    return exercises.solution("6.train_loop")(copy.deepcopy(model), X, y, loss, lr, epochs)


def library_capstone():
    X, y = nnlib.make_playground_circle(500, seed=0)
    model = nnlib.MLP([2, 8, 1], seed=1)
    nnlib.train(model, X, y, nnlib.BCEWithLogitsLoss(), nnlib.Adam(0.05), epochs=200)
    return model


def untrained_capstone():
    return nnlib.MLP(layers=[exercises.solution("5.dense_backward")(2, 8, seed=1), exercises.solution(
        "5.tanh_backward")(),
                             exercises.solution("5.dense_backward")(8, 1, seed=2)])


def linear_capstone():
    return nnlib.MLP(layers=[exercises.solution("5.dense_backward")(2, 1, seed=1)])


WRONG = [
    ("1.dense_forward", dense_no_bias, ["b is missing"]),
    ("1.dense_forward", dense_w_first, ["W @ X is the wrong order", "raised ValueError"]),
    ("1.dense_forward", dense_column_bias, ["wrong axis"]),
    ("1.dense_forward", dense_in_place, ["changed its argument number 1 in place"]),
    ("1.matmul_shape", (3, 3), ["inner sizes", "disappear"]),
    ("1.matmul_shape", (2, 5), ["A's 5 rows and B's 2 columns"]),
    ("1.matmul_shape", (5, 3), ["shape of A itself"]),
    ("1.matmul_shape", "(5, 2)", ["answer with a tuple"]),
    ("1.matmul_shape", (4, 2), ["which is not it"]),
    ("1.signed_distance", lambda X, w, b: X @ w + b, ["not a distance"]),
    ("1.signed_distance", lambda X, w, b: np.abs(X @ w + b) / np.linalg.norm(w), ["sign is lost"]),
    ("2.mse_gradient", mse_no_two, ["The 2 is missing"]),
    ("2.mse_gradient", mse_no_mean, ["The 1/N is missing"]),
    ("2.mse_gradient", mse_sign, ["The sign is flipped"]),
    ("2.mse_gradient", mse_no_transpose, ["wrong transpose", "X.T @ error"]),
    ("2.gradient_descent", ascent, ["gradient ascent"]),
    ("2.gradient_descent", start_at_ones, ["The start must be w = 0"]),
    ("2.gradient_descent", returns_the_loss, ["the loss after the steps", "returned a float64 where a numpy array of "
                                                                          "shape (2,) is expected"]),
    ("2.gradient_descent", gradient_once, ["computed once, before the loop"]),
    ("2.numerical_derivative", forward_difference, ["forward difference", "h**2"]),
    ("2.numerical_derivative", divides_by_h, ["twice the slope"]),
    ("2.numerical_derivative", precedence_difference, ["`/ 2 * h`", "brackets"]),
    ("2.numerical_derivative", ignores_h, ["use the h you are given"]),
    ("2.largest_learning_rate", 1 / 13.09, ["1 / lambda_max"]),
    ("2.largest_learning_rate", 2 / 18, ["3 w = 6"]),
    ("2.largest_learning_rate", 2 / 1.90983, ["smallest eigenvalue"]),
    ("2.largest_learning_rate", 2 / 15, ["trace"]),
    ("2.largest_learning_rate", 0.25, ["which is not it"]),
    ("2.largest_learning_rate", 0.3, ["the 2 from the square is missing"]),
    ("3.sigmoid", textbook_sigmoid, ["z = -1000.0", "overflow encountered in exp", "textbook"]),
    ("3.sigmoid", seed_sigmoid, ["z = 1065.1", "the nan that a logit of 1065.1 gave in the learner's notebook"]),
    ("3.sigmoid", clipped_sigmoid, ["not exact", "clipping"]),
    ("3.sigmoid", math_sigmoid, ["`if z >= 0`", "np.where"]),
    ("3.sigmoid", lambda z: 1 / (1 + math.exp(-z)), ["math.exp", "np.exp works on a whole array"]),
    ("3.sigmoid", in_place_sigmoid, ["changed its argument number 1 in place"]),
    ("3.sigmoid", lambda z: float(nnlib.sigmoid(np.sum(z))), ["returned a float where a numpy array"]),
    ("3.sigmoid_grad", precedence_sigmoid_grad, ["`s * 1 - s` is `s - s`", "brackets"]),
    ("3.sigmoid_grad", plus_sigmoid_grad, ["s * (1 + s)"]),
    ("3.sigmoid_grad", unstable_sigmoid_grad, ["not the stable one"]),
    ("3.sigmoid_grad", lambda z: nnlib.sigmoid(z), ["the sigmoid itself"]),
    ("3.softmax", unshifted_softmax, ["[1000.0, 1001.0, 1002.0]", "subtract the largest score"]),
    ("3.softmax", axis0_softmax, ["axis 0", "axis=-1"]),
    ("3.softmax", no_keepdims_softmax, ["keepdims=True"]),
    ("3.softmax", global_max_softmax, ["largest score of the whole array"]),
    ("3.softmax", in_place_softmax, ["changed its argument number 1 in place"]),
    ("4.cross_entropy_by_hand", 0.2976, ["log base 10"]),
    ("4.cross_entropy_by_hand", 0.2284, ["mean over the 3 examples"]),
    ("4.cross_entropy_by_hand", 2.8824, ["label 0"]),
    ("4.cross_entropy_by_hand", 5.1160, ["opposite labels"]),
    ("4.cross_entropy_by_hand", -0.6852, ["sign"]),
    ("4.bce_with_logits", naive_bce, ["log(0)", "divide by zero"]),
    ("4.bce_with_logits", summed_bce, ["the sum over the examples"]),
    ("4.bce_with_logits", log10_bce, ["log base 10"]),
    ("4.bce_with_logits", eps_bce, ["an eps inside the log"]),
    ("4.bce_with_logits", softplus_bce, ["overflow", "log(1 + exp(-|z|))"]),
    ("4.bce_with_logits", negative_bce, ["sign is flipped"]),
    ("4.bce_with_logits_grad", sum_bce_grad, ["The 1/N is missing"]),
    ("4.bce_with_logits_grad", sign_bce_grad, ["The sign is flipped"]),
    ("4.bce_with_logits_grad", unstable_bce_grad, ["not the stable one"]),
    ("4.bce_with_logits_grad", no_sigmoid_bce_grad, ["The sigmoid is missing"]),
    ("4.cross_entropy", one_hot_cross_entropy, ["index labels", "not one-hot"]),
    ("4.cross_entropy", columns_cross_entropy, ["log_p[:, y]"]),
    ("4.cross_entropy", unshifted_cross_entropy, ["exp(1000) overflows"]),
    ("4.cross_entropy", summed_cross_entropy, ["the sum over the examples"]),
    ("4.cross_entropy", eps_cross_entropy, ["capped", "log(p + eps)"]),
    ("5.initial_loss", 0.5, ["probability sigmoid(0)"]),
    ("5.initial_loss", 0.25, ["slope at 0"]),
    ("5.initial_loss", float(np.log10(2)), ["base 10"]),
    ("5.initial_loss", "ln 2", ["answer with a number"]),
    ("5.dense_backward", TransposedDense, ["dW is transposed"]),
    ("5.dense_backward", UnsummedDense, ["db is not summed over the rows"]),
    ("5.dense_backward", NoWeightsDense, ["dX is missing W.T"]),
    ("5.dense_backward", UntransposedDense, ["The shapes do not fit"]),
    ("5.dense_backward", MeanDense, ["dW is divided by N"]),
    ("5.tanh_backward", NoSquareTanh, ["missing the square"]),
    ("5.tanh_backward", TanhAgain, ["applying tanh again"]),
    ("5.tanh_backward", NoDoutTanh, ["dout is missing"]),
    ("5.tanh_backward", InputTanh, ["keeps only its output, self.t"]),
    ("5.tanh_backward", InPlaceTanh, ["changed dout in place"]),
    ("5.fix_sigmoid_backward", StillBuggySigmoid, ["The bug is still there", "Brackets"]),
    ("5.fix_sigmoid_backward", PlusSigmoid, ["sign in the bracket"]),
    ("5.fix_sigmoid_backward", NoDoutSigmoid, ["dout is missing"]),
    ("5.fix_sigmoid_backward", SigmoidAgain, ["applying the sigmoid again"]),
    # More of 5.relu_backward's mistakes in tests/test_exercise_relu_backward.py.
    ("5.relu_backward", type("AtKinkReLU", (nnlib.ReLU,), {"backward": lambda self, dout: dout * (self.z >= 0)}),
     ["exactly at the kink"]),
    ("5.relu_backward", type("TimesZReLU", (nnlib.ReLU,), {"backward": lambda self, dout: dout * self.z}),
     ["multiplies by the input itself"]),
    ("6.train_loop", adds_the_gradient, ["climbs uphill", "losses rise"]),
    ("6.train_loop", forgets_backward, ["model.backward(loss.backward()) is missing"]),
    ("6.train_loop", rebinds, ["p = p - lr * grad makes a new array"]),
    ("6.train_loop", last_layer_only, ["Only the last layer's parameters"]),
    ("6.train_loop", one_too_many, ["6 losses", "exactly `epochs` steps"]),
    ("6.train_loop", trains_a_copy, ["not trained", "not of a copy"]),
    ("6.train_loop", lambda *args: 0.5, ["not one number"]),
    ("6.capstone", library_capstone(), ["nnlib's own layers do not count"]),
    ("6.capstone", untrained_capstone(), ["accuracy", "at least 95.0%"]),
    ("6.capstone", linear_capstone(), ["A straight line cannot separate a circle"]),
    ("6.capstone", nnlib.Dense(2, 1), ["expected a trained model"]),
    # Lesson 7's: more of them, and their tests, in test_exercises_lesson7.py.
    ("7.softmax_cross_entropy_grad", lambda z, y: nnlib.cross_entropy_grad(z, y) * len(y), ["The 1/N is missing"]),
    ("7.softmax_cross_entropy_grad", lambda z, y: -nnlib.cross_entropy_grad(z, y), ["The sign is flipped"]),
    ("7.minibatches", lambda X, y, B, rng: [(X[i:i + B], y[i:i + B]) for i in range(0, len(X), B)],
     ["data's own order"]),
    ("7.minibatches", lambda X, y, B, rng: [(X[r], y[r]) for r in np.array_split(rng.integers(0, len(X), len(X)),
                                                                               range(B, len(X), B))],
     ["with replacement"]),
    ("7.confusion_matrix", lambda t, p, C: nnlib.confusion_matrix(t, p, C).T, ["Rows and columns are swapped"]),
    ("7.confusion_matrix", lambda t, p, C: nnlib.confusion_matrix(t, p, C) / len(t), ["fractions"]),
    ("7.capstone", nnlib.MLP([64, 16, 10], activation="relu"), ["nnlib's own layers do not count"]),
    ("7.capstone", nnlib.MLP(layers=[exercises.solution("5.dense_backward")(64, 10)]), ["A hidden layer"]),
]


@pytest.mark.parametrize("exercise_id, answer, words", WRONG, ids=[f"{w[0]}-{i}" for i, w in enumerate(WRONG)])
def test_a_known_wrong_answer_gets_its_own_message(exercise_id, answer, words):
    assert_wrong(grade(exercise_id, answer), *words)


def test_every_exercise_has_at_least_two_known_wrong_answers_with_a_named_mistake():
    for exercise_id in TABLE:
        named = [a for i, a, _ in WRONG if i == exercise_id
                 and "Known mistake: " in exercises.grade(exercise_id, a).message]
        assert len(named) >= 2, exercise_id


def test_a_value_answer_does_not_reveal_the_expected_value():
    for exercise_id, value in (("4.cross_entropy_by_hand", 0.7), ("5.initial_loss", 0.6), ("1.matmul_shape", (4, 2))):
        message = exercises.grade(exercise_id, value).message
        assert "0.685" not in message and "0.693" not in message and "(5, 2)" not in message


def test_largest_learning_rate_is_two_over_the_largest_curvature_within_two_percent():
    # Hessian of mean((X w - y)**2) for X = [[2, 1], [3, -1]]: X.T X = [[13, -1], [-1, 2]],
    # eigenvalues (15 +- sqrt(125)) / 2, so the limit is 4 / (15 + sqrt(125)) = 0.15279.
    limit = 4 / (15 + math.sqrt(125))
    assert exercises.solution("2.largest_learning_rate")(np.array([[2.0, 1.0], [3.0, -1.0]])) == pytest.approx(
        limit, rel=1e-12)
    # A number is asked to become a function (N = 2 hides a missing 2 / N), within 2 % or not
    within = exercises.grade("2.largest_learning_rate", limit * 1.019)
    assert not within.correct and "Your number is right" in within.message
    outside = exercises.grade("2.largest_learning_rate", limit * 1.03)
    assert "Your number is right" not in outside.message and "function f(X)" in outside.message
    # and it is the edge: gradient descent converges just below it and diverges just above
    X, y = np.array([[2.0, 1.0], [3.0, -1.0]]), np.array([7.0, 3.0])
    descend = exercises.solution("2.gradient_descent")
    assert np.allclose(descend(X, y, 0.98 * limit, 2000), [2, 3])
    assert np.linalg.norm(descend(X, y, 1.02 * limit, 2000)) > 1e6


def test_seed_numbers():
    softmax = exercises.solution("3.softmax")
    assert np.allclose(softmax([0.0, 1.0, 2.0]), [0.09003057, 0.24472847, 0.66524096], atol=5e-9)
    assert exercises.solution("4.cross_entropy_by_hand") == pytest.approx(0.6852, abs=5e-5)
    assert exercises.solution("5.initial_loss") == pytest.approx(0.6931, abs=5e-5)


def test_capstone_accuracy_is_measured_on_fresh_points():
    model = exercises.solution("6.capstone")
    X, y = nnlib.make_playground_circle(1000, seed=1)
    accuracy = np.mean((model.forward(X)[:, 0] > 0) == (y == 1))
    assert accuracy >= 0.95
    message = exercises.grade("6.capstone", model).message
    assert f"{accuracy:.1%}" in message
