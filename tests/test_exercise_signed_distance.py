"""Exercise 1.signed_distance: its reference answer against geometry, the named
mistakes, the hints, the domain it is graded on, mutants that must fail, and the
grader's common rules."""

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st
from hypothesis.extra.numpy import arrays

import nnlib
from nnlib import exercises
from nnlib.exercises import grading, lesson1

ID = "1.signed_distance"
EXERCISE = next(e for e in exercises.catalog() if e.id == ID)
finite = st.floats(-10, 10, allow_nan=False, allow_infinity=False)


@pytest.fixture(autouse=True)
def fresh_attempts():
    # Every test starts at the first wrong attempt (the nudge, not yet the method).
    exercises.reset_attempts()
    yield
    exercises.reset_attempts()


@settings(max_examples=200, deadline=None)
@given(st.integers(1, 4).flatmap(lambda d: st.tuples(
    arrays(np.float64, st.tuples(st.integers(1, 6), st.just(d)), elements=finite),
    arrays(np.float64, (d,), elements=finite).filter(lambda w: np.linalg.norm(w) > 1e-3),
    finite)))
def test_the_reference_is_the_geometric_signed_distance(data):
    X, w, b = data
    d = lesson1.signed_distance(X, w, b)
    assert d.shape == (len(X),)
    unit = w / np.linalg.norm(w)
    # Walking back by d along w's direction lands on the line, a distance |d| away...
    feet = X - d[:, None] * unit
    scale = 1 + np.abs(X @ w).max() + abs(b)
    assert np.allclose(feet @ w + b, 0, atol=1e-9 * scale)
    assert np.allclose(np.linalg.norm(X - feet, axis=1), np.abs(d))
    # ...and the point lies on the side w points to exactly when d > 0.
    assert np.all((d > 0) == (X @ w + b > 0))
    # The same line from w and b scaled by c > 0 gives the same distances.
    assert np.allclose(lesson1.signed_distance(X, 3 * w, 3 * b), d)


def test_the_reference_on_points_worked_by_hand():
    X = np.array([[3.0, 4.0], [0.0, 0.0], [1.0, 0.5], [-1.0, -1.0]])
    assert np.allclose(lesson1.signed_distance(X, np.array([3.0, 4.0]), -5.0), [4.0, -1.0, 0.0, -2.4])
    # Lesson 1's worked case: w = (2, 1), b = -4, x = (3, 1) is 3 / sqrt(5) from the line.
    assert lesson1.signed_distance(np.array([[3.0, 1.0]]), np.array([2.0, 1.0]), -4.0)[0] == \
        pytest.approx(3 / np.sqrt(5))


def test_the_solution_passes_and_a_stub_is_not_attempted():
    assert exercises.grade(ID, exercises.solution(ID)).correct

    def my_signed_distance(X, w, b):
        # your code here
        raise NotImplementedError
    feedback = exercises.grade(ID, my_signed_distance)
    assert not feedback.attempted and "Hint" not in feedback.message


def score(X, w, b):
    return X @ w + b


def squared_length(X, w, b):
    return (X @ w + b) / (w @ w)


def unsigned(X, w, b):
    return np.abs(X @ w + b) / np.linalg.norm(w)


def flipped(X, w, b):
    return (-X @ w - b) / np.linalg.norm(w)


def no_bias(X, w, b):
    return X @ w / np.linalg.norm(w)


def sum_of_w(X, w, b):
    return (X @ w + b) / w.sum()


def only_w_normalised(X, w, b):
    w = w / np.linalg.norm(w)
    return X @ w + b


def point_length(X, w, b):
    return (X @ w + b) / np.linalg.norm(X, axis=1)


def line_distance(X, w, b):
    return -b / np.linalg.norm(w)


NAMED = [
    (score, "not a distance"), (squared_length, "squared length"), (unsigned, "sign is lost"),
    (flipped, "signs are flipped"), (no_bias, "b is missing"), (sum_of_w, "sum of w's entries"),
    (only_w_normalised, "only w was divided"), (point_length, "each point's own length"),
    (line_distance, "line's own signed distance"),
]


@pytest.mark.parametrize("wrong, words", NAMED, ids=[f.__name__ for f, _ in NAMED])
def test_each_known_mistake_gets_its_own_message_and_a_nudge_without_the_formula(wrong, words):
    message = exercises.grade(ID, wrong).message
    assert "not correct yet" in message and "Known mistake: " in message
    assert words in message, message
    hint = message.split("Hint: ")[1]
    assert hint.startswith(EXERCISE.nudge) and "Method" not in hint
    assert "/" not in hint and "sqrt" not in hint and "norm" not in hint and "@" not in hint


def test_the_second_wrong_attempt_shows_the_method():
    assert "Method" not in exercises.grade(ID, score).message
    second = exercises.grade(ID, unsigned).message
    assert f"Hint: {EXERCISE.nudge}" in second and f"Method: {EXERCISE.hint}" in second
    assert "sqrt" in EXERCISE.hint and EXERCISE.nudge != EXERCISE.hint


# ---------------------------------------------------------------- the whole domain

def drawn():
    return [case.args for case in grading.drawn_cases(EXERCISE)]


def test_the_domain_is_seeded_and_spans_dimensions_signs_and_magnitudes():
    first, second = drawn(), drawn()
    assert len(first) == EXERCISE.draws
    for (X1, w1, b1), (X2, w2, b2) in zip(first, second):
        assert np.array_equal(X1, X2) and np.array_equal(w1, w2) and b1 == b2
    assert {X.shape[1] for X, w, b in first} == {1, 2, 3, 4}
    assert {X.shape[0] for X, w, b in first} >= {1, 6}
    assert all(X.shape == (len(X), len(w)) and np.any(w != 0) and isinstance(b, float) for X, w, b in first)
    scales = np.array([np.abs(w).max() for X, w, b in first])
    assert scales.min() < 1e-100 and scales.max() > 1e100
    points = np.array([np.abs(X).max() for X, w, b in first])
    assert points.min() < 1e-100 and points.max() > 1e100
    assert any(b == 0 for X, w, b in first) and any(b < 0 for X, w, b in first) and any(b > 0 for X, w, b in first)


def test_the_domain_puts_points_exactly_on_the_line_and_the_reference_handles_every_draw():
    on_line = several = off_line = 0
    for X, w, b in drawn():
        outcome = grading.outcome(lesson1.signed_distance, (X, w, b), learner=False)
        assert outcome.error is None
        d = outcome.value
        assert np.all(np.isfinite(d))
        on_line, off_line = on_line + int(np.sum(d == 0)), off_line + int(np.sum(d != 0))
        several += int(np.sum(d == 0) >= 2 and X.shape[1] >= 2)
        # Exactly on the line means exactly zero score: the draws are exact numbers.
        assert np.array_equal(d == 0, X @ w + b == 0)
    assert on_line >= 20 and several >= 3 and off_line >= 100


@pytest.mark.parametrize("right", [
    lambda X, w, b: (X @ w + b) / np.linalg.norm(w),
    lambda X, w, b: X @ (w / np.linalg.norm(w)) + b / np.linalg.norm(w),
    lambda X, w, b: X @ w / np.sqrt(np.sum(w ** 2)) + b / np.sqrt(np.sum(w ** 2)),
    lambda X, w, b: (np.einsum("nd,d->n", X, w) + b) / (w @ w) ** 0.5,
    lambda X, w, b: ((X * w).sum(axis=1) + b) / np.hypot.reduce(w),
], ids=["norm", "unit w first", "two terms", "einsum", "hypot"])
def test_right_answers_with_their_own_rounding_are_correct_on_the_line_too(right):
    feedback = exercises.grade(ID, right)
    assert feedback.correct, feedback.message


@pytest.mark.parametrize("wrong, words", [
    (lambda X, w, b: (np.clip(X, -1e6, 1e6) @ w + b) / np.linalg.norm(w), "drawn input"),
    (lambda X, w, b: (X @ w + b) / np.clip(np.linalg.norm(w), 1e-100, 1e100), "drawn input"),
    (lambda X, w, b: np.where(np.abs(X @ w + b) < 1e-9, 0.0, (X @ w + b) / np.linalg.norm(w)), "drawn input"),
    (lambda X, w, b: ((X @ w + b) / np.linalg.norm(w)).astype(np.float32), "w = (3, 4)"),
], ids=["X clipped", "|w| clipped", "near-zero scores snapped to 0", "float32"])
def test_answers_wrong_only_far_from_the_lessons_numbers_are_not_correct(wrong, words):
    feedback = exercises.grade(ID, wrong)
    assert feedback.attempted and not feedback.correct, feedback.message
    assert words in feedback.message.splitlines()[0], feedback.message


def test_an_answer_that_calls_nnlibs_dense_layer_is_told_so():
    def via_dense(X, w, b):
        layer = nnlib.Dense(len(w), 1)
        layer.W[...] = w[:, None]
        layer.b[...] = b
        return layer.forward(X)[:, 0] / np.linalg.norm(w)
    feedback = exercises.grade(ID, via_dense)
    assert not feedback.correct and "nnlib.Dense.forward" in feedback.message, feedback.message
    assert "nnlib.Dense.forward" in EXERCISE.library and "nnlib.cosine_similarity" in EXERCISE.library


MUTANTS = [
    lambda X, w, b: (X @ w + b) / np.linalg.norm(w, 1),     # the wrong length
    lambda X, w, b: (X @ w + b) / np.linalg.norm(w, np.inf),
    lambda X, w, b: (X @ w - b) / np.linalg.norm(w),        # b with the wrong sign
    lambda X, w, b: (X @ w + b) / np.linalg.norm(w) + 1e-6,
    lambda X, w, b: ((X @ w + b) / np.linalg.norm(w))[:, None],  # (N, 1) instead of (N,)
    lambda X, w, b: (X[:, :1] @ w[:1] + b) / np.linalg.norm(w),  # only the first feature
    lambda X, w, b: ((X @ w + b) / np.linalg.norm(w)).tolist(),
    lambda X, w, b: np.round((X @ w + b) / np.linalg.norm(w), 2),
]


@pytest.mark.parametrize("mutant", MUTANTS)
def test_mutants_of_the_reference_fail(mutant):
    assert not exercises.grade(ID, mutant).correct


def test_changing_the_input_in_place_is_caught():
    def in_place(X, w, b):
        w /= np.linalg.norm(w)
        return X @ w + b / np.linalg.norm(w)
    message = exercises.grade(ID, in_place).message
    assert "changed its argument number 2 in place" in message
