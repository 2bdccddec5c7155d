"""nnlib.exercises cannot be fooled by accident: wrong answers that pass a short list of
cases, answers that crash or hang the grader, answers that change nnlib or numpy, and the
hint ladder. Each wrong answer here is one a learner sent."""

import dataclasses
import os
import re
import signal
import threading
import time

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import nnlib
from nnlib import exercises
from nnlib.exercises import grading


@pytest.fixture(autouse=True)
def fresh_attempts():
    exercises.reset_attempts()
    yield
    exercises.reset_attempts()


def exercise(exercise_id):
    return next(e for e in exercises.catalog() if e.id == exercise_id)


def assert_not_correct(feedback, *words):
    assert not feedback.correct and feedback.attempted, feedback.message
    assert feedback.message.startswith(feedback.id + ": not correct yet")
    for word in words:
        assert word in feedback.message, (word, feedback.message)
    return feedback


# ---------------------------------------------------------------- wrong answers once graded correct

def clipped_sigmoid(limit):
    def sigmoid(z):
        z = np.clip(np.asarray(z, dtype=float), -limit, limit)
        return 1 / (1 + np.exp(-z))
    return sigmoid


@pytest.mark.parametrize("limit", [30, 500, 700])
def test_a_sigmoid_of_a_clipped_z_is_not_correct(limit):
    assert_not_correct(exercises.grade("3.sigmoid", clipped_sigmoid(limit)), "not exact")


@settings(max_examples=15)
@given(limit=st.floats(1.0, 736.0))
def test_a_sigmoid_clipped_anywhere_below_the_subnormal_range_is_not_correct(limit):
    # Past z = -737 the sigmoid is below 1e-320, the last subnormals: clipping there
    # changes less than the comparison's floor.
    assert not exercises.grade("3.sigmoid", clipped_sigmoid(limit)).correct


def stable_but_zero_below_700(z):
    z = np.asarray(z, dtype=float)
    e = np.exp(-np.abs(z))
    return np.where(z < -700, 0.0, np.where(z >= 0, 1 / (1 + e), e / (1 + e)))


def silenced_by_errstate(z):
    with np.errstate(all="ignore"):
        return 1 / (1 + np.exp(-np.asarray(z, dtype=float)))


def silenced_by_seterr(z):
    np.seterr(all="ignore")
    return 1 / (1 + np.exp(-np.asarray(z, dtype=float)))


def test_a_sigmoid_forced_to_zero_below_700_is_not_correct():
    # The lesson itself says sigmoid(-720) = 2e-313, and that 0 is wrong there.
    feedback = assert_not_correct(exercises.grade("3.sigmoid", stable_but_zero_below_700), "drawn input", "not exact")
    assert re.search(r"e-3[012]\d", feedback.message)  # the subnormal expected value is shown


@pytest.mark.parametrize("answer", [silenced_by_errstate, silenced_by_seterr])
def test_the_textbook_sigmoid_with_numpys_warnings_silenced_is_not_correct(answer):
    before = np.geterr()
    feedback = assert_not_correct(exercises.grade("3.sigmoid", answer), "silencing numpy's overflow warnings")
    assert np.geterr() == before
    if answer is silenced_by_seterr:
        assert "numpy's error state (np.seterr)" in feedback.message and "grading undid that" in feedback.message


def test_a_softmax_shifted_by_the_row_minimum_is_not_correct():
    def shift_by_min(z):
        z = np.asarray(z, dtype=float)
        e = np.exp(z - z.min(axis=-1, keepdims=True))
        return e / e.sum(axis=-1, keepdims=True)
    assert_not_correct(exercises.grade("3.softmax", shift_by_min), "drawn input", "overflow")


@settings(max_examples=10)
@given(statistic=st.sampled_from([np.min, np.mean, np.median, lambda z, axis, keepdims: z[..., :1]]))
def test_a_softmax_shifted_by_any_row_statistic_but_the_maximum_is_not_correct(statistic):
    def shifted(z):
        z = np.asarray(z, dtype=float)
        e = np.exp(z - statistic(z, axis=-1, keepdims=True))
        return e / e.sum(axis=-1, keepdims=True)
    assert not exercises.grade("3.softmax", shifted).correct


def test_a_largest_learning_rate_without_its_2_over_N_is_caught_as_a_function_of_X():
    def without_two_over_n(X):
        return 2 / np.linalg.eigvalsh(X.T @ X).max()
    # On the lesson's own system N = 2, so 2 / N = 1: a number cannot show the mistake...
    number = exercises.grade("2.largest_learning_rate", without_two_over_n(np.array([[2.0, 1.0], [3.0, -1.0]])))
    assert not number.correct and "f(X)" in number.message  # ...so the exercise asks for a function
    # ...but a function is graded on a system of three equations too.
    assert_not_correct(exercises.grade("2.largest_learning_rate", without_two_over_n), "N = 3", "(2 / N) X.T X")
    assert exercises.grade("2.largest_learning_rate", lambda X: 2 / np.linalg.eigvalsh(2 / len(X) * X.T @ X).max()
                           ).correct


@pytest.mark.parametrize("answer", [("5", "2"), (5.0, 2.0), [5, "2"], (True, 2)])
def test_a_shape_must_be_a_tuple_of_ints(answer):
    assert_not_correct(exercises.grade("1.matmul_shape", answer), "whole numbers")


def test_a_loop_that_stubs_out_the_loss_is_not_correct_and_nnlib_is_put_back():
    forward, backward = nnlib.BCEWithLogitsLoss.forward, nnlib.BCEWithLogitsLoss.backward

    def loop_with_stubbed_loss(model, X, y, loss, lr, epochs):
        nnlib.BCEWithLogitsLoss.forward = lambda self, z, y: 0.0
        nnlib.BCEWithLogitsLoss.backward = lambda self: np.zeros((len(X), 1))
        return [0.0] * epochs

    feedback = assert_not_correct(exercises.grade("6.train_loop", loop_with_stubbed_loss),
                                  "nnlib.loss_layers.BCEWithLogitsLoss.forward", "grading undid that")
    assert "BCEWithLogitsLoss.backward" in feedback.message
    assert nnlib.BCEWithLogitsLoss.forward is forward and nnlib.BCEWithLogitsLoss.backward is backward
    # nnlib still trains in this process.
    X, y = nnlib.make_playground_circle(20, seed=0)
    history = nnlib.train(nnlib.MLP([2, 3, 1], seed=0), X, y, nnlib.BCEWithLogitsLoss(), nnlib.SGD(lr=0.1), epochs=2)
    assert len(history.loss) == 2 and all(np.isfinite(history.loss))


def test_the_reference_is_computed_on_nnlib_as_it_ships_even_after_an_earlier_cell_patched_it(monkeypatch):
    def broken(self, dout):
        return dout * 0
    monkeypatch.setattr(nnlib.Dense, "backward", broken)   # "an earlier cell"
    feedback = exercises.grade("6.train_loop", exercises.solution("6.train_loop"))
    assert feedback.correct, feedback.message
    assert "had been changed (in an earlier cell)" in feedback.message and "Dense.backward" in feedback.message
    assert nnlib.Dense.backward is broken  # the learner's own change is left as it was


def test_changes_to_numpys_print_options_and_functions_are_undone_and_named():
    options, exp = np.get_printoptions(), np.exp

    def meddling_sigmoid(z):
        np.set_printoptions(precision=2)
        np.exp = lambda x: exp(x)
        return exercises.lesson3.sigmoid(z)

    try:
        feedback = exercises.grade("3.sigmoid", meddling_sigmoid)
    finally:
        np.exp = exp
    assert feedback.correct  # the values are right: the changes are named, not graded
    assert "numpy's print options" in feedback.message and "numpy.exp" in feedback.message
    assert np.get_printoptions() == options and np.exp is exp


# ---------------------------------------------------------------- crashes become feedback

def test_a_sigmoid_that_returns_a_1d_array_for_a_scalar_gets_feedback():
    def one_d(z):
        return np.atleast_1d(exercises.lesson3.sigmoid(z))
    assert_not_correct(exercises.grade("3.sigmoid", one_d), "shape (1,)", "expected shape ()")


def test_a_dense_backward_that_sets_dW_to_a_string_gets_feedback():
    class TodoDense(nnlib.Dense):
        def backward(self, dout):
            self.dW = "todo"
            self.db = dout.sum(axis=0)
            return dout @ self.W.T
    assert_not_correct(exercises.grade("5.dense_backward", TodoDense), "dW", "numpy array of numbers")


@pytest.mark.parametrize("answer", [10 ** 400, -(10 ** 400), float("nan"), float("inf")],
                         ids=["10**400", "-10**400", "nan", "inf"])
def test_a_number_too_large_for_float64_gets_feedback(answer):
    assert_not_correct(exercises.grade("5.initial_loss", answer), "finite number")


class Unprintable:
    def __repr__(self):
        raise RuntimeError("no repr")

    __str__ = __repr__


class Unconvertible:
    def __array__(self, dtype=None, copy=None):
        raise RuntimeError("no array")

    def __repr__(self):
        return "Unconvertible()"


class Hostile:
    """Everything raises: repr, array conversion, comparison, attribute access."""

    def __getattribute__(self, name):
        raise RuntimeError("hostile")


ODD = {"repr": Unprintable, "array": Unconvertible, "hostile": Hostile}


@pytest.mark.parametrize("kind", list(ODD))
@pytest.mark.parametrize("exercise_id", ["3.sigmoid", "1.dense_forward", "4.bce_with_logits", "2.numerical_derivative",
                                         "6.train_loop"])
def test_a_result_that_cannot_be_printed_or_converted_gets_feedback(exercise_id, kind):
    result = ODD[kind]()
    assert_not_correct(exercises.grade(exercise_id, lambda *args: result))


@pytest.mark.parametrize("kind", list(ODD))
@pytest.mark.parametrize("exercise_id", [e.id for e in exercises.catalog()])
def test_an_answer_that_cannot_be_printed_or_converted_gets_feedback(exercise_id, kind):
    assert_not_correct(exercises.grade(exercise_id, ODD[kind]()))


@pytest.mark.parametrize("error", [SystemExit(1), RuntimeError("x"), RecursionError(), MemoryError(), GeneratorExit()])
def test_any_exception_of_the_learners_code_becomes_feedback(error):
    def raising(*args):
        raise error
    for exercise_id in ("3.sigmoid", "6.train_loop"):
        assert_not_correct(exercises.grade(exercise_id, raising), type(error).__name__)


def test_keyboard_interrupt_goes_through():
    def interrupted(z):
        raise KeyboardInterrupt
    with pytest.raises(KeyboardInterrupt):
        exercises.grade("3.sigmoid", interrupted)


# ---------------------------------------------------------------- hangs end in feedback

def forever(*args):
    while True:
        pass


def test_every_exercise_has_a_time_limit_longer_for_those_that_train():
    limits = {e.id: e.time_limit for e in exercises.catalog()}
    assert all(0 < limit <= 10 for i, limit in limits.items() if not i.startswith("6.")), limits
    assert limits["6.train_loop"] > limits["3.sigmoid"] and limits["6.capstone"] > limits["3.sigmoid"]


@pytest.mark.parametrize("exercise_id", ["3.sigmoid", "6.train_loop", "2.numerical_derivative"])
def test_code_that_never_returns_is_stopped_at_the_time_limit(exercise_id):
    quick = dataclasses.replace(exercise(exercise_id), time_limit=0.3)
    handler = signal.getsignal(signal.SIGALRM)
    start = time.monotonic()
    feedback = grading.grade_answer(quick, forever)
    assert time.monotonic() - start < 5
    assert_not_correct(feedback, "time limit of 0.3 s")
    # The timer is off again and the handler is the one from before.
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)
    assert signal.getsignal(signal.SIGALRM) == handler


def test_a_class_whose_backward_never_returns_is_stopped():
    class Forever(nnlib.Tanh):
        def backward(self, dout):
            forever()
    quick = dataclasses.replace(exercise("5.tanh_backward"), time_limit=0.3)
    assert_not_correct(grading.grade_answer(quick, Forever), "time limit of 0.3 s")


def test_ctrl_c_still_interrupts_code_that_never_returns():
    before = signal.getsignal(signal.SIGALRM)

    def interrupt_soon(z):
        os.kill(os.getpid(), signal.SIGINT)
        forever()

    with pytest.raises(KeyboardInterrupt):
        exercises.grade("3.sigmoid", interrupt_soon)
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)
    assert signal.getsignal(signal.SIGALRM) == before


def test_without_sigalrm_as_on_windows_grading_runs_without_a_limit(monkeypatch):
    monkeypatch.delattr(signal, "setitimer")
    assert exercises.grade("3.sigmoid", exercises.solution("3.sigmoid")).correct
    assert_not_correct(exercises.grade("3.sigmoid", clipped_sigmoid(30)))


def test_grading_off_the_main_thread_runs_without_a_limit():
    results = []
    thread = threading.Thread(target=lambda: results.append(exercises.grade("3.softmax", exercises.solution(
        "3.softmax"))))
    thread.start()
    thread.join(60)
    assert results and results[0].correct


# ---------------------------------------------------------------- nnlib's own answer, or the solution

@pytest.mark.parametrize("exercise_id, own", [("3.sigmoid", nnlib.sigmoid), ("3.softmax", nnlib.softmax),
                                              ("3.sigmoid_grad", nnlib.sigmoid_grad),
                                              ("4.cross_entropy", nnlib.cross_entropy)])
def test_nnlibs_own_function_is_told_so(exercise_id, own):
    assert_not_correct(exercises.grade(exercise_id, own), "nnlib's own")
    assert_not_correct(exercises.grade(exercise_id, lambda *args: own(*args)), "nnlib's own version")


def test_calling_nnlibs_own_backward_is_told_so():
    class Delegating(nnlib.Dense):
        def backward(self, dout):
            return super().backward(dout)
    assert_not_correct(exercises.grade("5.dense_backward", Delegating), "nnlib.Dense.backward")


def test_calling_exercises_solution_is_told_so():
    def borrowed(z):
        return exercises.solution("3.softmax")(z)
    assert_not_correct(exercises.grade("3.softmax", borrowed), "exercises.solution('3.softmax')")
    # Passing the reference itself, as the lessons' tests do, is the reference: correct.
    assert exercises.grade("3.softmax", exercises.solution("3.softmax")).correct


# ---------------------------------------------------------------- the hint ladder

def wrong_answer_of(exercise_id):
    """A wrong answer that is not a stub, for every exercise."""
    e = exercise(exercise_id)
    if e.kind == "value":
        return 12345.0
    solution = e.make_solution()
    if isinstance(solution, type):
        return type("Doubling", (solution,), {"backward": lambda self, dout: 2 * solution.backward(self, dout)})
    return lambda *args: 12345.0


@pytest.mark.parametrize("exercise_id", [e.id for e in exercises.catalog()])
def test_the_first_wrong_attempt_gets_a_nudge_and_the_second_the_method(exercise_id):
    e = exercise(exercise_id)
    assert e.nudge and e.hint and e.nudge != e.hint
    first = assert_not_correct(exercises.grade(exercise_id, wrong_answer_of(exercise_id)))
    assert f"Hint: {e.nudge}" in first.message and e.hint not in first.message and "Method" not in first.message
    # A stub and a right answer are no wrong attempt.
    assert not exercises.grade(exercise_id, None).attempted
    second = assert_not_correct(exercises.grade(exercise_id, wrong_answer_of(exercise_id)))
    assert f"Method: {e.hint}" in second.message
    assert grading.wrong_attempts(exercise_id) == 2
    exercises.reset_attempts(exercise_id)
    assert "Method" not in exercises.grade(exercise_id, wrong_answer_of(exercise_id)).message


def test_attempts_are_counted_per_exercise():
    exercises.grade("3.softmax", lambda z: z)
    assert "Method" not in exercises.grade("3.sigmoid", lambda z: z).message
    assert "Method" in exercises.grade("3.softmax", lambda z: z).message


# ---------------------------------------------------------------- messages that misled

def test_no_message_speaks_of_seeds():
    # "the seed's bug" reads as a random seed: the messages name the bug instead.
    for path in (os.path.dirname(grading.__file__),):
        for name in os.listdir(path):
            if name.endswith(".py"):
                text = open(os.path.join(path, name), encoding="utf-8").read()
                assert not re.search(r"\bseeds?'", text), name


def test_a_capstone_trained_on_standardised_points_is_told_the_grade_feeds_raw_points():
    X, y = nnlib.make_playground_circle(500, seed=0)
    Dense, Tanh = exercises.lesson5.MyDense, exercises.lesson5.MyTanh
    model = nnlib.MLP(layers=[Dense(2, 8, seed=1), Tanh(), Dense(8, 1, seed=2)])
    exercises.lesson6.train_loop(model, (X - X.mean(axis=0)) / X.std(axis=0), y, nnlib.BCEWithLogitsLoss(), 0.5,
                                 300)
    assert_not_correct(exercises.grade("6.capstone", model), "raw (not standardised)", "trained on standardised points")


def test_the_capstone_says_it_feeds_raw_points_when_correct():
    assert "raw points" in exercises.grade("6.capstone", exercises.solution("6.capstone")).message


def test_a_capstone_whose_backward_takes_db_as_a_mean_gets_that_named():
    class MeanDense(nnlib.Dense):
        def backward(self, dout):
            self.dW = self.X.T @ dout
            self.db = dout.mean(axis=0)
            return dout @ self.W.T
    X, y = nnlib.make_playground_circle(500, seed=0)
    model = nnlib.MLP(layers=[MeanDense(2, 8, seed=1), exercises.lesson5.MyTanh(), MeanDense(8, 1, seed=2)])
    exercises.lesson6.train_loop(model, X, y, nnlib.BCEWithLogitsLoss(), 0.5, 30)
    feedback = assert_not_correct(exercises.grade("6.capstone", model), "db is the mean of dout")
    assert "Train longer" not in feedback.message


def test_a_capstone_given_with_its_losses_is_told_briefly():
    model = exercises.solution("6.capstone")
    feedback = assert_not_correct(exercises.grade("6.capstone", (model, [0.5] * 300)), "Pass the trained model alone")
    assert len(feedback.message) < 1500


@pytest.mark.parametrize("result", [list(range(10_000)), "x" * 100_000, tuple(range(5000))])
def test_long_outputs_are_cut(result):
    for exercise_id in ("3.sigmoid", "5.initial_loss"):
        feedback = exercises.grade(exercise_id, (lambda z: result) if exercise_id == "3.sigmoid" else result)
        assert not feedback.correct and len(feedback.message) < 2500, len(feedback.message)


def test_a_sigmoid_grad_without_a_sigmoid_is_not_blamed_on_the_sigmoid_inside():
    def no_sigmoid(z):
        z = np.asarray(z, dtype=float)
        return np.exp(-z) / (1 + np.exp(-z)) ** 2
    feedback = assert_not_correct(exercises.grade("3.sigmoid_grad", no_sigmoid), "exp overflows")
    assert "sigmoid inside" not in feedback.message

    def textbook_inside(z):
        s = 1 / (1 + np.exp(-np.asarray(z, dtype=float)))
        return s * (1 - s)
    assert_not_correct(exercises.grade("3.sigmoid_grad", textbook_inside), "sigmoid inside is not the stable one")


@pytest.mark.parametrize("answer, words", [(400 * np.log(2), "sum over the 400 points"), (277.26, "sum over the 400"),
                                           (0.69, "rounded"), (0.7, "rounded")])
def test_initial_loss_recognises_the_sum_and_a_rounded_value(answer, words):
    assert_not_correct(exercises.grade("5.initial_loss", answer), words)


def test_a_dense_backward_that_changes_dout_in_place_is_told_so_in_dense_terms():
    class InPlaceDense(nnlib.Dense):
        def backward(self, dout):
            self.dW = self.X.T @ dout
            self.db = dout.sum(axis=0)
            dout -= 0  # harmless on the values, but a habit that breaks the layer after
            dout *= 1.5
            return dout @ self.W.T
    feedback = assert_not_correct(exercises.grade("5.dense_backward", InPlaceDense), "changed dout in place")
    assert "dout * (the local slope)" not in feedback.message and "dout -= ..." in feedback.message


# ---------------------------------------------------------------- the whole domain

@pytest.mark.parametrize("exercise_id", [e.id for e in exercises.catalog() if e.domain is not None])
def test_drawn_inputs_are_seeded_and_the_reference_handles_them(exercise_id):
    e = exercise(exercise_id)
    first, second = grading.drawn_cases(e), grading.drawn_cases(e)
    assert len(first) == e.draws and [c.label for c in first] == [c.label for c in second]
    solution = e.make_solution()
    reference = solution if callable(solution) else e.make_solution
    failing = [c.label for c in first if grading.outcome(reference, c.args, learner=False).error]
    assert len(failing) <= e.draws // 10, failing  # nearly every draw is inside the reference's domain


def test_the_sigmoid_domain_spans_float64():
    values = np.concatenate([np.ravel(np.asarray(c.args[0], dtype=float))
                             for c in grading.drawn_cases(exercise("3.sigmoid"))])
    assert values.min() < -1e200 and values.max() > 1e200
    assert np.any((values > -745) & (values < -709))   # subnormal results
    assert np.any((np.abs(values) > 0) & (np.abs(values) < 1e-200))


@pytest.mark.parametrize("exercise_id, alternative", [
    ("3.sigmoid", lambda z: np.exp(-np.logaddexp(0.0, -np.asarray(z, dtype=float)))),
    ("3.sigmoid_grad", lambda z: (lambda s: s - s * s)(exercises.lesson3.sigmoid(z))),
    ("4.bce_with_logits", lambda z, y: np.mean(np.logaddexp(0.0, z) - z * y)),
    ("1.dense_forward", lambda X, W, b: np.einsum("nd,dh->nh", X, W) + b),
    ("2.mse_gradient", lambda X, w, y: np.mean(2 * (X @ w - y)[:, None] * X, axis=0)),
])
def test_a_different_but_right_formula_is_still_correct(exercise_id, alternative):
    feedback = exercises.grade(exercise_id, alternative)
    assert feedback.correct, feedback.message
