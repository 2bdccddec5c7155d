"""Activations: values worked by hand, stability over the whole float range, gradients."""

import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import nnlib
from tolerance import tol

ACTIVATIONS = [nnlib.sigmoid, nnlib.tanh, nnlib.relu, nnlib.softmax, nnlib.log_softmax]
FAST = settings(max_examples=40)

# Any finite float64, -1.8e308 .. 1.8e308, including 0, subnormals and both extremes.
finite = st.floats(allow_nan=False, allow_infinity=False, width=64)
finite_arrays = hnp.arrays(np.float64, hnp.array_shapes(min_dims=1, max_dims=2, max_side=5), elements=finite)


def no_warnings(fn, *args, **kwargs):
    """Call fn with every warning turned into an error, whatever pytest's config says."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        return fn(*args, **kwargs)


# ---- values worked by hand or printed in the seeds --------------------------------


def test_softmax_of_0_1_2_matches_the_course_notes():
    np.testing.assert_allclose(nnlib.softmax([0, 1, 2]), [0.09003057, 0.24472847, 0.66524096], atol=1e-8)


def test_sigmoid_of_the_combined_linear_models_matches_the_course_notes():
    assert nnlib.sigmoid(2 * 0.4 + 6 * 0.6 - 2) == pytest.approx(0.91682730, abs=1e-8)


def test_sigmoid_hand_values():
    # sigmoid(0) = 1/2; sigmoid(ln 3) = 1 / (1 + 1/3) = 3/4.
    np.testing.assert_allclose(nnlib.sigmoid([0.0, np.log(3.0), -np.log(3.0)]), [0.5, 0.75, 0.25], rtol=tol(np.float64))


def test_sigmoid_at_the_logit_that_overflowed_in_the_learner_log():
    # The textbook 1 / (1 + exp(-z)) overflows at z = -1065 (exp(1065) is inf).
    s = no_warnings(nnlib.sigmoid, [-1065.0, 1065.0])
    np.testing.assert_array_equal(s, [0.0, 1.0])


def test_sigmoid_grad_at_zero_is_a_quarter_not_the_precedence_bug():
    # s * 1 - s would give 0 everywhere; s * (1 - s) at z = 0 is 0.5 * 0.5.
    assert nnlib.sigmoid_grad(0.0) == pytest.approx(0.25)


def test_tanh_and_relu_hand_values():
    # tanh(ln 2) = (2 - 1/2) / (2 + 1/2) = 0.6
    assert nnlib.tanh(np.log(2.0)) == pytest.approx(0.6, rel=tol(np.float64))
    np.testing.assert_array_equal(nnlib.relu([-2.0, 0.0, 3.5]), [0.0, 0.0, 3.5])
    np.testing.assert_array_equal(nnlib.relu_grad([-2.0, 0.0, 3.5]), [0.0, 0.0, 1.0])


def test_tanh_grad_hand_value():
    # 1 - tanh(ln 2)**2 = 1 - 0.36
    assert nnlib.tanh_grad(np.log(2.0)) == pytest.approx(0.64, rel=tol(np.float64))


def test_log_softmax_of_0_1_2_by_hand():
    # log(1 + e + e**2) = 2.40760596...
    lse = np.log(1 + np.e + np.e**2)
    np.testing.assert_allclose(nnlib.log_softmax([0.0, 1.0, 2.0]), [-lse, 1 - lse, 2 - lse], rtol=tol(np.float64))


def test_softmax_works_along_the_given_axis():
    Z = np.array([[0.0, 1.0, 2.0], [2.0, 1.0, 0.0]])
    np.testing.assert_allclose(nnlib.softmax(Z)[0], [0.09003057, 0.24472847, 0.66524096], atol=1e-8)
    np.testing.assert_allclose(nnlib.softmax(Z, axis=0), nnlib.softmax(Z.T, axis=1).T, rtol=tol(np.float64))
    np.testing.assert_allclose(nnlib.softmax(Z, axis=0).sum(axis=0), [1.0, 1.0, 1.0])
    np.testing.assert_allclose(nnlib.log_softmax(Z, axis=0), np.log(nnlib.softmax(Z, axis=0)), rtol=tol(np.float64))


# ---- stability at the extremes ---------------------------------------------------


@pytest.mark.parametrize(
    "z",
    [[-1e308, 1e308], [1e308, -1e308, 0.0], [np.finfo(float).max, -np.finfo(float).max], [1e308, 1e308], [-1e308, -1e308]],
)
def test_softmax_and_log_softmax_at_the_ends_of_the_float_range(z):
    p = no_warnings(nnlib.softmax, z)
    logp = no_warnings(nnlib.log_softmax, z)
    assert np.all(np.isfinite(p)) and np.all(np.isfinite(logp))
    assert p.sum() == pytest.approx(1.0)
    # The largest score takes all of the probability; equal scores share it.
    z = np.asarray(z)
    winners = z == z.max()
    np.testing.assert_allclose(p[winners], 1.0 / winners.sum())
    np.testing.assert_array_equal(p[~winners], 0.0)


@FAST
@given(z=finite_arrays)
def test_elementwise_activations_are_finite_and_in_range_for_any_finite_input(z):
    s = no_warnings(nnlib.sigmoid, z)
    t = no_warnings(nnlib.tanh, z)
    r = no_warnings(nnlib.relu, z)
    for out in (s, t, r):
        assert out.shape == z.shape
        assert np.all(np.isfinite(out))
    assert np.all((s >= 0) & (s <= 1))
    assert np.all((t >= -1) & (t <= 1))
    np.testing.assert_array_equal(r, np.where(z > 0, z, 0.0))
    for grad in (nnlib.sigmoid_grad, nnlib.tanh_grad, nnlib.relu_grad):
        g = no_warnings(grad, z)
        assert np.all(np.isfinite(g)) and np.all(g >= 0)


@FAST
@given(z=finite_arrays)
def test_sigmoid_is_symmetric_for_any_finite_input(z):
    # sigmoid(-z) = 1 - sigmoid(z)
    np.testing.assert_allclose(nnlib.sigmoid(-z), 1.0 - nnlib.sigmoid(z), atol=tol(np.float64))


@FAST
@given(z=finite_arrays)
def test_softmax_and_log_softmax_are_finite_and_normalised_for_any_finite_input(z):
    p = no_warnings(nnlib.softmax, z)
    logp = no_warnings(nnlib.log_softmax, z)
    assert p.shape == z.shape and logp.shape == z.shape
    assert np.all(np.isfinite(p)) and np.all(np.isfinite(logp))
    assert np.all((p >= 0) & (p <= 1))
    assert np.all(logp <= 0)
    np.testing.assert_allclose(p.sum(axis=-1), 1.0, rtol=1e-12)


@FAST
@given(
    z=hnp.arrays(np.float64, hnp.array_shapes(min_dims=2, max_dims=2, max_side=5), elements=st.floats(-50, 50)),
    c=st.floats(-1e3, 1e3),
)
def test_softmax_rows_sum_to_one_and_ignore_a_constant_shift(z, c):
    p = nnlib.softmax(z, axis=1)
    np.testing.assert_allclose(p.sum(axis=1), 1.0, rtol=1e-12)
    np.testing.assert_allclose(nnlib.softmax(z + c, axis=1), p, atol=1e-9)
    np.testing.assert_allclose(nnlib.log_softmax(z + c, axis=1), nnlib.log_softmax(z, axis=1), atol=1e-9)
    np.testing.assert_allclose(np.exp(nnlib.log_softmax(z, axis=1)), p, rtol=1e-9, atol=1e-300)


# ---- gradients against central differences ----------------------------------------


@pytest.mark.parametrize(
    "act, grad",
    [(nnlib.sigmoid, nnlib.sigmoid_grad), (nnlib.tanh, nnlib.tanh_grad), (nnlib.relu, nnlib.relu_grad)],
)
def test_activation_grad_matches_numerical_gradient(act, grad):
    rng = np.random.default_rng(0)
    z = rng.uniform(-3, 3, size=(4, 5))
    # Keep every point at least 0.1 away from relu's kink at 0.
    z = np.where(np.abs(z) < 0.1, 0.5, z)
    num = nnlib.numerical_gradient(lambda v: np.sum(act(v)), z)
    assert nnlib.rel_error(grad(z), num) < 1e-7


def test_softmax_jacobian_matches_numerical_gradient():
    # d softmax_i / d z_j = p_i (delta_ij - p_j), worked out by hand.
    z = np.array([0.3, -1.2, 2.0, 0.5])
    p = nnlib.softmax(z)
    J = np.diag(p) - np.outer(p, p)
    for i in range(len(z)):
        num = nnlib.numerical_gradient(lambda v: nnlib.softmax(v)[i], z)
        assert nnlib.rel_error(J[i], num) < 1e-7


def test_log_softmax_gradient_matches_numerical_gradient():
    # d log_softmax_i / d z_j = delta_ij - p_j
    z = np.array([0.3, -1.2, 2.0, 0.5])
    p = nnlib.softmax(z)
    for i in range(len(z)):
        num = nnlib.numerical_gradient(lambda v: nnlib.log_softmax(v)[i], z)
        assert nnlib.rel_error(np.eye(len(z))[i] - p, num) < 1e-7


# ---- input handling ----------------------------------------------------------------


@pytest.mark.parametrize("act", ACTIVATIONS)
def test_activations_accept_lists_and_do_not_modify_the_input(act):
    z = np.array([[-1.0, 0.5, 2.0], [3.0, -4.0, 0.25]])
    before = z.copy()
    out = act(z)
    np.testing.assert_array_equal(z, before)
    assert not np.shares_memory(out, z)
    np.testing.assert_array_equal(act(z.tolist()), out)


@pytest.mark.parametrize("act", ACTIVATIONS)
def test_activations_reject_nan(act):
    with pytest.raises(ValueError, match=r"z must contain only finite numbers, got nan in an array of shape \(3,\)"):
        act([0.0, np.nan, 1.0])


@pytest.mark.parametrize("act", ACTIVATIONS)
def test_activations_reject_inf(act):
    with pytest.raises(ValueError, match=r"z must contain only finite numbers, got -inf"):
        act([0.0, -np.inf])


@pytest.mark.parametrize("act", ACTIVATIONS)
def test_activations_reject_text(act):
    with pytest.raises(TypeError, match=r"z must hold real numbers, got an array of dtype <U"):
        act(["1", "2"])


@pytest.mark.parametrize("act", ACTIVATIONS)
def test_activations_reject_ragged_lists(act):
    with pytest.raises(TypeError, match=r"z must be array-like of numbers, got list"):
        act([[1.0, 2.0], [3.0]])


@pytest.mark.parametrize("act", [nnlib.softmax, nnlib.log_softmax])
def test_softmax_rejects_an_empty_array(act):
    with pytest.raises(ValueError, match=r"z must not be empty, got shape \(0,\)"):
        act([])
