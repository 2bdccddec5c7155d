"""Exercise 1.signed_distance: its reference answer against geometry, the named
mistakes, mutants that must fail, and the grader's common rules."""

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st
from hypothesis.extra.numpy import arrays

from nnlib import exercises
from nnlib.exercises import lesson1

ID = "1.signed_distance"
finite = st.floats(-10, 10, allow_nan=False, allow_infinity=False)


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
    assert "/" not in hint and "sqrt" not in hint and "norm" not in hint


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
