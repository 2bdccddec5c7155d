"""numerical_gradient (central differences) and rel_error."""

import warnings

import numpy as np
import pytest

import nnlib


def test_gradient_of_a_sum_of_squares_is_2x():
    x = np.array([[1.0, -2.0, 0.5], [3.0, 0.0, -0.25]])
    grad = nnlib.numerical_gradient(lambda v: np.sum(v**2), x)
    assert grad.shape == x.shape
    np.testing.assert_allclose(grad, 2 * x, atol=1e-9)


def test_differences_are_central_not_forward():
    # For x**3 at 1 with h = 1e-3 the central difference is 3 + h**2 = 3.000001;
    # a forward difference would give 3 + 3h + h**2 = 3.003001.
    grad = nnlib.numerical_gradient(lambda v: np.sum(v**3), np.array([1.0]), h=1e-3)
    assert grad[0] == pytest.approx(3.000001, abs=1e-10)


def test_gradient_of_a_linear_function_is_its_coefficients():
    A = np.array([[1.0, -2.0], [0.5, 4.0], [3.0, 0.0]])
    W = np.zeros((3, 2))
    grad = nnlib.numerical_gradient(lambda v: np.sum(A * v), W)
    np.testing.assert_allclose(grad, A, rtol=1e-9)


def test_scalar_input_gives_a_scalar_shaped_gradient():
    grad = nnlib.numerical_gradient(lambda v: float(np.sin(v)), np.array(0.3))
    assert grad.shape == ()
    assert float(grad) == pytest.approx(np.cos(0.3), rel=1e-9)


def test_x_is_restored_exactly():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(3, 4))
    before = x.copy()
    nnlib.numerical_gradient(lambda v: np.sum(np.exp(v)), x)
    np.testing.assert_array_equal(x, before)


def test_x_is_restored_even_when_f_raises():
    x = np.array([1.0, 2.0, 3.0])
    calls = []

    def f(v):
        calls.append(v.copy())
        if len(calls) == 4:
            raise KeyError("boom")
        return np.sum(v)

    with pytest.raises(KeyError):
        nnlib.numerical_gradient(f, x)
    np.testing.assert_array_equal(x, [1.0, 2.0, 3.0])


def test_f_may_read_x_through_a_closure():
    # The gradient check of a layer nudges the layer's own weights in place.
    W = np.array([1.0, -3.0])
    grad = nnlib.numerical_gradient(lambda _: np.sum(W**2), W)
    np.testing.assert_allclose(grad, [2.0, -6.0], atol=1e-9)


def test_lists_are_accepted():
    grad = nnlib.numerical_gradient(lambda v: np.sum(v**2), [1.0, 2.0])
    np.testing.assert_allclose(grad, [2.0, 4.0], atol=1e-9)


def test_f_must_return_one_number():
    with pytest.raises(ValueError, match=r"f must return a single number, got an array of shape \(2,\)"):
        nnlib.numerical_gradient(lambda v: v * 2, np.array([1.0, 2.0]))


def test_integer_x_is_rejected_because_the_nudge_would_be_lost():
    with pytest.raises(TypeError, match=r"x must be a float array .*got shape \(2,\) and dtype int64"):
        nnlib.numerical_gradient(lambda v: np.sum(v), np.array([1, 2]))


@pytest.mark.parametrize("h", [0.0, -1e-5, float("nan"), float("inf"), "small", True])
def test_h_must_be_a_positive_finite_number(h):
    with pytest.raises(ValueError, match=r"h must be a positive finite number, got"):
        nnlib.numerical_gradient(lambda v: np.sum(v), np.array([1.0]), h=h)


def test_f_must_be_callable():
    with pytest.raises(TypeError, match=r"f must be a function of x that returns a number, got float"):
        nnlib.numerical_gradient(3.0, np.array([1.0]))


# ---- rel_error ---------------------------------------------------------------------


def test_rel_error_by_hand():
    # |1 - 1.1| / (1 + 1.1)
    assert nnlib.rel_error([1.0], [1.1]) == pytest.approx(0.1 / 2.1)
    assert nnlib.rel_error(np.ones(3), np.ones(3)) == 0.0
    # The largest element-wise error wins: |1 - 2| / 3 beats 0.
    assert nnlib.rel_error([1.0, 1.0], [1.0, 2.0]) == pytest.approx(1 / 3)
    # Near zero the denominator is floored at 1e-8: 1e-9 / 1e-8.
    assert nnlib.rel_error([0.0], [1e-9]) == pytest.approx(0.1)
    assert nnlib.rel_error([0.0], [0.0]) == 0.0


def test_rel_error_is_symmetric_and_scale_free():
    a = np.array([0.3, -2.0, 5.0])
    b = a * (1 + 1e-6)
    assert nnlib.rel_error(a, b) == nnlib.rel_error(b, a)
    assert nnlib.rel_error(1e6 * a, 1e6 * b) == pytest.approx(nnlib.rel_error(a, b))
    assert isinstance(nnlib.rel_error(a, b), float)


def test_rel_error_catches_the_sigmoid_precedence_bug():
    z = np.linspace(-2, 2, 7) + 0.1
    buggy = nnlib.sigmoid(z) * 1 - nnlib.sigmoid(z)
    num = nnlib.numerical_gradient(lambda v: np.sum(nnlib.sigmoid(v)), z)
    assert nnlib.rel_error(nnlib.sigmoid_grad(z), num) < 1e-7
    assert nnlib.rel_error(buggy, num) > 1e-2


def test_rel_error_shapes_must_match():
    with pytest.raises(ValueError, match=r"a and b must have the same shape, got \(2,\) and \(3,\)"):
        nnlib.rel_error([1.0, 2.0], [1.0, 2.0, 3.0])


def test_rel_error_refuses_nan_instead_of_returning_it():
    with pytest.raises(ValueError, match=r"a must contain only finite numbers, got nan"):
        nnlib.rel_error([np.nan, 1.0], [1.0, 1.0])
    with pytest.raises(ValueError, match=r"b must contain only finite numbers, got inf"):
        nnlib.rel_error([1.0], [np.inf])


def test_a_function_that_returns_nan_is_refused_not_passed_on():
    def f(x):
        return np.log(x[0]) if x[0] > 0 else np.nan

    with pytest.raises(ValueError, match=r"f must return finite numbers, but nudging x\[0\] by \+-0.1 gave a gradient of nan"):
        nnlib.numerical_gradient(f, np.array([0.05]), h=0.1)


# -- steps that cannot work are refused ---------------------------------------------------------


def test_float16_is_refused_not_a_gradient_of_zeros():
    with pytest.raises(TypeError, match=r"x must be a float array of float64 or float32 .*dtype float16"):
        nnlib.numerical_gradient(lambda v: float((v ** 2).sum()), np.float16([1.0, 2.0]))


@pytest.mark.parametrize("h", [1e-300, 1e-17, 0, -1])
def test_a_step_below_the_epsilon_is_refused(h):
    with pytest.raises(ValueError, match=rf"h must be a positive finite number, got {h!r}; .*at least 2.22e-16"):
        nnlib.numerical_gradient(lambda v: float((v ** 2).sum()), np.array([1.0]), h=h)


def test_a_step_lost_in_a_large_entry_is_refused():
    with pytest.raises(ValueError, match=r"h=1e-05 is lost when added to x\[1\] = 1e\+20 in float64"):
        nnlib.numerical_gradient(lambda v: float(v.sum()), np.array([1.0, 1e20]))


def test_rel_error_near_the_float_limit_is_finite_without_warnings():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert nnlib.rel_error([1e308], [-1e308]) == 1.0
        assert nnlib.rel_error([1.7e308], [1.7e308]) == 0.0
        assert nnlib.rel_error([1.7e308, 1.0], [1.6e308, 1.0]) == pytest.approx(0.1 / 3.3)


from hypothesis import given  # noqa: E402
from hypothesis import strategies as st  # noqa: E402
from hypothesis.extra import numpy as hnp  # noqa: E402

FINITE = st.floats(allow_nan=False, allow_infinity=False)


@given(a=hnp.arrays(np.float64, 3, elements=FINITE), b=hnp.arrays(np.float64, 3, elements=FINITE))
def test_rel_error_of_any_finite_arrays_is_between_0_and_1(a, b):
    # (filterwarnings turns an overflow warning into a failure)
    err = nnlib.rel_error(a, b)
    assert 0.0 <= err <= 1.0
    assert nnlib.rel_error(a, a) == 0.0
