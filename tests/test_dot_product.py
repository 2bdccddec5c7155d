"""Lesson 1: weighted_average and cosine_similarity."""

import numpy as np
import pytest

import nnlib

GPA = np.array([
    [3.3, 3.1, 2.9, 3.4, 3.5],  # first student, years 1 to 5
    [3.1, 2.5, 2.6, 2.8, 2.9],  # second student
])
YEAR_WEIGHTS = np.arange(1, 6) / 15  # 1/15 .. 5/15: later years count more


def test_weighted_gpa_of_both_students_from_one_matmul():
    # (3.3*1 + 3.1*2 + 2.9*3 + 3.4*4 + 3.5*5) / 15 = 49.3 / 15; the second is 41.6 / 15.
    result = nnlib.weighted_average(GPA, YEAR_WEIGHTS)
    assert result.shape == (2,)
    np.testing.assert_allclose(result, [3.2866667, 2.7733333], atol=1e-7)
    np.testing.assert_allclose(result, [49.3 / 15, 41.6 / 15], rtol=1e-12)


def test_weighted_gpa_of_one_student_is_a_float():
    result = nnlib.weighted_average(GPA[0].tolist(), YEAR_WEIGHTS.tolist())
    assert isinstance(result, float)
    assert result == pytest.approx(3.2866667, abs=1e-7)
    assert nnlib.weighted_average(GPA[1], YEAR_WEIGHTS) == pytest.approx(2.7733333, abs=1e-7)


def test_weights_are_normalised_by_their_sum():
    # Weights 1..5 (sum 15) give the same average as 1/15..5/15 (sum 1).
    assert nnlib.weighted_average(GPA[0], [1, 2, 3, 4, 5]) == pytest.approx(49.3 / 15)
    # Equal weights give the plain average.
    assert nnlib.weighted_average(GPA[0], np.ones(5)) == pytest.approx(GPA[0].mean())


def test_weighted_average_does_not_modify_its_inputs():
    values, weights = GPA.copy(), YEAR_WEIGHTS.copy()
    nnlib.weighted_average(values, weights)
    np.testing.assert_array_equal(values, GPA)
    np.testing.assert_array_equal(weights, YEAR_WEIGHTS)


def test_weighted_average_bad_input():
    with pytest.raises(ValueError, match=r"values must have 5 entries per row to match weights \(5,\), got shape \(2, 4\)"):
        nnlib.weighted_average(GPA[:, :4], YEAR_WEIGHTS)
    with pytest.raises(ValueError, match=r"weights must not sum to 0 .*got \[ 1. -1.\]"):
        nnlib.weighted_average([3.0, 2.0], [1.0, -1.0])
    with pytest.raises(ValueError, match=r"weights must be 1-D, got shape \(1, 5\)"):
        nnlib.weighted_average(GPA[0], YEAR_WEIGHTS[None, :])
    with pytest.raises(ValueError, match=r"values must be 1-D or 2-D, got shape \(1, 2, 5\)"):
        nnlib.weighted_average(GPA[None], YEAR_WEIGHTS)
    with pytest.raises(ValueError, match=r"values must contain only finite numbers, got nan"):
        nnlib.weighted_average([3.0, np.nan], [1.0, 1.0])
    with pytest.raises(ValueError, match=r"values must not be empty, got shape \(0,\)"):
        nnlib.weighted_average([], [])


def test_cosine_similarity_hand_values():
    assert nnlib.cosine_similarity([1.0, 0.0], [3.0, 0.0]) == pytest.approx(1.0)
    assert nnlib.cosine_similarity([1.0, 0.0], [0.0, 2.0]) == pytest.approx(0.0)
    assert nnlib.cosine_similarity([1.0, 2.0], [-2.0, -4.0]) == pytest.approx(-1.0)
    # 45 degrees: cos = 1 / sqrt(2)
    assert nnlib.cosine_similarity([1.0, 0.0], [1.0, 1.0]) == pytest.approx(1 / np.sqrt(2))
    # [1, 2, 3] . [4, 5, 6] = 32; |a| = sqrt(14), |b| = sqrt(77)
    assert nnlib.cosine_similarity([1, 2, 3], [4, 5, 6]) == pytest.approx(32 / np.sqrt(14 * 77))


def test_cosine_similarity_ignores_length():
    a, b = np.array([0.3, -1.2, 2.0]), np.array([1.5, 0.4, -0.7])
    base = nnlib.cosine_similarity(a, b)
    assert nnlib.cosine_similarity(7 * a, 0.01 * b) == pytest.approx(base, rel=1e-12)
    assert -1 <= base <= 1


@pytest.mark.parametrize("scale", [1e-200, 1e200, 1e-310])
def test_cosine_similarity_of_tiny_and_huge_vectors(scale):
    # Squaring these overflows or underflows; the cosine does not depend on length.
    a, b = scale * np.array([1.0, 0.0]), scale * np.array([1.0, 1.0])
    assert nnlib.cosine_similarity(a, b) == pytest.approx(1 / np.sqrt(2), rel=1e-12)


def test_cosine_similarity_bad_input():
    with pytest.raises(ValueError, match=r"a must not be a zero vector .*got \[0. 0.\]"):
        nnlib.cosine_similarity([0.0, 0.0], [1.0, 2.0])
    with pytest.raises(ValueError, match=r"b must not be a zero vector"):
        nnlib.cosine_similarity([1.0, 2.0], [0.0, 0.0])
    with pytest.raises(ValueError, match=r"a and b must have the same shape, got \(2,\) and \(3,\)"):
        nnlib.cosine_similarity([1.0, 2.0], [1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match=r"b must be 1-D, got shape \(1, 2\)"):
        nnlib.cosine_similarity([1.0, 2.0], [[1.0, 2.0]])
    with pytest.raises(TypeError, match=r"a must hold real numbers, got an array of dtype <U"):
        nnlib.cosine_similarity(["x", "y"], [1.0, 2.0])


# -- finite in, finite out ---------------------------------------------------------------------

from hypothesis import given  # noqa: E402
from hypothesis import strategies as st  # noqa: E402
from hypothesis.extra import numpy as hnp  # noqa: E402


def test_weighted_average_near_the_float_limit_is_finite():
    assert nnlib.weighted_average([1e308, 1e308], [1, 1]) == pytest.approx(1e308)
    assert nnlib.weighted_average([1, 1], [1e308, 1e308]) == pytest.approx(1.0)
    assert nnlib.weighted_average([1.0, 3.0], [1e308, 1e308]) == pytest.approx(2.0)
    assert nnlib.weighted_average([1.7e308, -1.7e308], [1.0, -0.5]) == np.inf  # 5.1e308: overflows, not nan
    with pytest.raises(ValueError, match="weights must not sum to 0"):
        nnlib.weighted_average([1, 2, 3, 4], [1e308, 1e308, -1e308, -1e308])


finite = st.floats(-1e308, 1e308, allow_nan=False)


@given(values=hnp.arrays(np.float64, 3, elements=finite), weights=hnp.arrays(np.float64, 3, elements=finite))
def test_weighted_average_is_never_nan_and_matches_the_scaled_sum(values, weights):
    s = max(np.abs(weights).max(), 1e-300)
    w = weights / s
    if w.sum() == 0 or abs(w.sum()) < 1e-12:
        return  # the weights (nearly) cancel: refused, or the average is not well defined
    result = nnlib.weighted_average(values, weights)
    v = max(np.abs(values).max(), 1e-300)
    expected = (values / v) @ w / w.sum()
    assert not np.isnan(result)
    with np.errstate(over="ignore"):  # the true average may be beyond the float range
        size = abs(expected) * v
    if size < 1e307:
        assert result == pytest.approx(expected * v, rel=1e-6, abs=1e-300 + 1e-9 * v)
