"""Losses: values worked by hand or printed in the seeds, gradients, stability, bad input."""

import warnings

import numpy as np
import pytest
import math

from hypothesis import example, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import nnlib
from tolerance import tol

FAST = settings(max_examples=40)
finite = st.floats(allow_nan=False, allow_infinity=False, width=64)


def no_warnings(fn, *args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        return fn(*args, **kwargs)


# ---- values from the seeds and by hand ----------------------------------------------


def test_binary_cross_entropy_sums_from_the_course_notes():
    p = [0.8, 0.7, 0.1]
    assert nnlib.binary_cross_entropy(p, [1, 1, 0], reduction="sum") == pytest.approx(0.6852, abs=5e-5)
    assert nnlib.binary_cross_entropy(p, [0, 0, 1], reduction="sum") == pytest.approx(5.1160, abs=5e-5)


def test_binary_cross_entropy_reductions_by_hand():
    p, y = [0.8, 0.7, 0.1], [1, 1, 0]
    each = -np.log([0.8, 0.7, 0.9])
    np.testing.assert_allclose(nnlib.binary_cross_entropy(p, y, reduction="none"), each, rtol=tol(np.float64))
    assert nnlib.binary_cross_entropy(p, y) == pytest.approx(each.sum() / 3, rel=tol(np.float64))
    assert nnlib.binary_cross_entropy(p, y, reduction="mean") == pytest.approx(0.6852 / 3, abs=5e-5)


def test_binary_cross_entropy_is_finite_at_p_0_and_p_1():
    # Right answers cost 0; confidently wrong ones cost 100 (each log is clamped at -100,
    # as PyTorch does) instead of inf.
    losses = no_warnings(nnlib.binary_cross_entropy, [0.0, 1.0, 0.0, 1.0], [0, 1, 1, 0], reduction="none")
    np.testing.assert_array_equal(losses, [0.0, 0.0, 100.0, 100.0])


def test_binary_cross_entropy_with_logits_by_hand():
    # z = 0 gives p = 1/2 and a loss of ln 2 for either label;
    # z = ln 4 gives p = 0.8: -ln 0.8 for label 1 and -ln 0.2 for label 0.
    z = [0.0, 0.0, np.log(4.0), np.log(4.0)]
    y = [0, 1, 1, 0]
    expected = [np.log(2), np.log(2), -np.log(0.8), -np.log(0.2)]
    np.testing.assert_allclose(nnlib.binary_cross_entropy_with_logits(z, y, reduction="none"), expected, rtol=tol(np.float64))
    assert nnlib.binary_cross_entropy_with_logits(z, y, reduction="sum") == pytest.approx(sum(expected), rel=tol(np.float64))


def test_bce_with_logits_equals_bce_of_the_sigmoid():
    rng = np.random.default_rng(1)
    z = rng.normal(scale=3, size=20)
    y = rng.integers(0, 2, size=20)
    assert nnlib.binary_cross_entropy_with_logits(z, y) == pytest.approx(
        nnlib.binary_cross_entropy(nnlib.sigmoid(z), y), rel=1e-12
    )


def test_cross_entropy_of_0_1_2_by_hand():
    # -log softmax([0, 1, 2])[k] = log(1 + e + e**2) - k
    lse = np.log(1 + np.e + np.e**2)
    logits = [[0.0, 1.0, 2.0]] * 3
    np.testing.assert_allclose(
        nnlib.cross_entropy(logits, [0, 1, 2], reduction="none"), [lse, lse - 1, lse - 2], rtol=tol(np.float64)
    )
    assert nnlib.cross_entropy(logits, [2, 2, 2]) == pytest.approx(-np.log(0.66524096), abs=1e-7)


def test_cross_entropy_with_two_classes_equals_bce_with_logits():
    # softmax over [0, z] is sigmoid(z) for the second class.
    rng = np.random.default_rng(2)
    z = rng.normal(scale=2, size=10)
    y = rng.integers(0, 2, size=10)
    logits = np.column_stack([np.zeros(10), z])
    assert nnlib.cross_entropy(logits, y) == pytest.approx(nnlib.binary_cross_entropy_with_logits(z, y), rel=1e-12)


def test_mse_and_l1_by_hand():
    pred, target = [1.0, 2.0, 3.0], [1.0, 1.0, 1.0]
    assert nnlib.mse_loss(pred, target) == pytest.approx(5 / 3)
    assert nnlib.mse_loss(pred, target, reduction="sum") == pytest.approx(5.0)
    np.testing.assert_array_equal(nnlib.mse_loss(pred, target, reduction="none"), [0.0, 1.0, 4.0])
    assert nnlib.l1_loss(pred, target) == pytest.approx(1.0)
    assert nnlib.l1_loss(pred, target, reduction="sum") == pytest.approx(3.0)


def test_signed_errors_cancel_but_mse_and_l1_do_not():
    # The learner's pitfall: errors +2 and -2 add up to a "loss" of 0 at a wrong answer.
    pred, target = np.array([5.0, 1.0]), np.array([3.0, 3.0])
    assert np.sum(pred - target) == 0
    assert nnlib.mse_loss(pred, target) == pytest.approx(4.0)
    assert nnlib.l1_loss(pred, target) == pytest.approx(2.0)


def test_mse_and_l1_accept_matrices():
    pred = np.array([[1.0, 2.0], [3.0, 4.0]])
    target = np.zeros((2, 2))
    assert nnlib.mse_loss(pred, target) == pytest.approx(30 / 4)
    assert nnlib.l1_loss(pred, target) == pytest.approx(10 / 4)
    assert nnlib.mse_loss(pred, target, reduction="none").shape == (2, 2)


def test_one_hot():
    np.testing.assert_array_equal(nnlib.one_hot([2, 0], 3), [[0, 0, 1], [1, 0, 0]])


# ---- stability at extreme logits --------------------------------------------------


def test_bce_with_logits_at_the_ends_of_the_float_range():
    z = [1e308, -1e308, 1e308, -1e308]
    losses = no_warnings(nnlib.binary_cross_entropy_with_logits, z, [1, 0, 0, 1], reduction="none")
    np.testing.assert_array_equal(losses, [0.0, 0.0, 1e308, 1e308])
    assert no_warnings(nnlib.binary_cross_entropy_with_logits, z, [1, 0, 0, 1]) == pytest.approx(0.5e308)


def test_cross_entropy_at_the_ends_of_the_float_range():
    logits = [[1e308, -1e308], [1e308, -1e308]]
    losses = no_warnings(nnlib.cross_entropy, logits, [0, 1], reduction="none")
    assert losses[0] == 0.0
    assert np.isfinite(losses[1]) and losses[1] > 1e307


@FAST
@given(
    z=hnp.arrays(np.float64, st.integers(1, 6), elements=finite),
    data=st.data(),
)
def test_bce_with_logits_is_finite_for_any_finite_logit(z, data):
    y = data.draw(hnp.arrays(np.int64, z.shape, elements=st.integers(0, 1)))
    losses = no_warnings(nnlib.binary_cross_entropy_with_logits, z, y, reduction="none")
    assert np.all(np.isfinite(losses)) and np.all(losses >= 0)
    assert np.isfinite(no_warnings(nnlib.binary_cross_entropy_with_logits, z, y))
    g = no_warnings(nnlib.binary_cross_entropy_with_logits_grad, z, y)
    assert np.all(np.isfinite(g))


@FAST
@given(logits=hnp.arrays(np.float64, hnp.array_shapes(min_dims=2, max_dims=2, max_side=5), elements=finite), data=st.data())
def test_cross_entropy_is_finite_for_any_finite_logits(logits, data):
    n, c = logits.shape
    y = data.draw(hnp.arrays(np.int64, (n,), elements=st.integers(0, c - 1)))
    losses = no_warnings(nnlib.cross_entropy, logits, y, reduction="none")
    assert np.all(np.isfinite(losses)) and np.all(losses >= 0)
    assert np.isfinite(no_warnings(nnlib.cross_entropy, logits, y))
    g = no_warnings(nnlib.cross_entropy_grad, logits, y)
    assert np.all(np.isfinite(g))
    np.testing.assert_allclose(g.sum(axis=1), 0.0, atol=1e-12)


@FAST
@given(p=hnp.arrays(np.float64, st.integers(1, 6), elements=st.floats(0.0, 1.0)), data=st.data())
def test_binary_cross_entropy_is_finite_for_any_probability(p, data):
    y = data.draw(hnp.arrays(np.int64, p.shape, elements=st.integers(0, 1)))
    losses = no_warnings(nnlib.binary_cross_entropy, p, y, reduction="none")
    assert np.all(np.isfinite(losses)) and np.all((losses >= 0) & (losses <= 100))


# ---- the mean of huge but finite losses ---------------------------------------------
# Three losses of 1.797e308 each are finite, and so is their mean; their sum is not.
# Dividing by N before summing still overflowed (5.99e307 * 3 rounds past the largest
# float64): the mean must come out finite, with no warning, whenever the true mean is.

FMAX = np.finfo(np.float64).max


def true_mean(losses):
    """The mean of finite numbers without overflow: exact sums of scaled values."""
    losses = np.ravel(losses)
    scale = float(np.max(np.abs(losses)))
    if scale == 0.0:
        return 0.0
    return math.fsum(float(v) / scale for v in losses) / len(losses) * scale


huge = st.floats(-FMAX, FMAX)
half = st.floats(-FMAX / 2, FMAX / 2)  # |pred - target| stays finite


@FAST
@given(pairs=st.lists(st.tuples(huge, st.integers(0, 1)), min_size=1, max_size=8))
@example(pairs=[(1.797e308, 0)] * 3)
@example(pairs=[(-FMAX, 1)] * 5)
def test_bce_with_logits_mean_is_the_true_mean_for_any_finite_logits(pairs):
    z, y = np.array([p[0] for p in pairs]), np.array([p[1] for p in pairs])
    losses = no_warnings(nnlib.binary_cross_entropy_with_logits, z, y, reduction="none")
    mean = no_warnings(nnlib.binary_cross_entropy_with_logits, z, y)
    assert mean == pytest.approx(true_mean(losses), rel=1e-12, abs=1e-300)
    layer = nnlib.BCEWithLogitsLoss()
    assert no_warnings(layer.forward, z, y) == pytest.approx(mean, rel=1e-12, abs=1e-300)


@FAST
@given(pairs=st.lists(st.tuples(half, half), min_size=1, max_size=8))
@example(pairs=[(FMAX / 2, -FMAX / 2)] * 3)
def test_l1_and_mse_means_are_the_true_mean_whenever_it_is_finite(pairs):
    pred, target = np.array([p[0] for p in pairs]), np.array([p[1] for p in pairs])
    l1 = no_warnings(nnlib.l1_loss, pred, target, reduction="none")
    assert no_warnings(nnlib.l1_loss, pred, target) == pytest.approx(true_mean(l1), rel=1e-12, abs=1e-300)
    small = pred / 2.0**520, target / 2.0**520  # squares below the largest float64
    sq = no_warnings(nnlib.mse_loss, *small, reduction="none")
    assert no_warnings(nnlib.mse_loss, *small) == pytest.approx(true_mean(sq), rel=1e-12, abs=1e-300)


@FAST
@given(rows=st.lists(st.tuples(half, half, st.integers(0, 1)), min_size=1, max_size=6))
@example(rows=[(FMAX / 2, -FMAX / 2, 1)] * 3)
def test_cross_entropy_mean_is_the_true_mean_for_any_finite_logits(rows):
    logits = np.array([[r[0], r[1]] for r in rows])
    y = np.array([r[2] for r in rows])
    losses = no_warnings(nnlib.cross_entropy, logits, y, reduction="none")
    mean = no_warnings(nnlib.cross_entropy, logits, y)
    assert np.isfinite(mean)
    assert mean == pytest.approx(true_mean(losses), rel=1e-12, abs=1e-300)
    assert no_warnings(nnlib.CrossEntropyLoss().forward, logits, y) == pytest.approx(mean, rel=1e-12, abs=1e-300)


# ---- gradients against central differences ---------------------------------------


def _points(shape, seed):
    rng = np.random.default_rng(seed)
    return rng.normal(size=shape), rng.normal(size=shape)


@pytest.mark.parametrize("shape", [(7,), (4, 3)])
def test_mse_loss_grad_matches_numerical_gradient(shape):
    pred, target = _points(shape, 3)
    num = nnlib.numerical_gradient(lambda p: nnlib.mse_loss(p, target), pred)
    assert nnlib.rel_error(nnlib.mse_loss_grad(pred, target), num) < 1e-7


@pytest.mark.parametrize("shape", [(7,), (4, 3)])
def test_l1_loss_grad_matches_numerical_gradient(shape):
    pred, target = _points(shape, 4)
    # Stay away from the kink where pred == target.
    pred = np.where(np.abs(pred - target) < 0.1, target + 0.5, pred)
    num = nnlib.numerical_gradient(lambda p: nnlib.l1_loss(p, target), pred)
    assert nnlib.rel_error(nnlib.l1_loss_grad(pred, target), num) < 1e-7


@pytest.mark.parametrize("shape", [(8,), (4, 2)])
def test_bce_with_logits_grad_matches_numerical_gradient(shape):
    rng = np.random.default_rng(5)
    z = rng.normal(scale=2, size=shape)
    y = rng.integers(0, 2, size=shape)
    num = nnlib.numerical_gradient(lambda v: nnlib.binary_cross_entropy_with_logits(v, y), z)
    assert nnlib.rel_error(nnlib.binary_cross_entropy_with_logits_grad(z, y), num) < 1e-7


def test_bce_with_logits_grad_accepts_soft_labels():
    z = np.array([-1.0, 0.3, 2.0])
    y = np.array([0.2, 0.5, 0.9])
    num = nnlib.numerical_gradient(lambda v: nnlib.binary_cross_entropy_with_logits(v, y), z)
    assert nnlib.rel_error(nnlib.binary_cross_entropy_with_logits_grad(z, y), num) < 1e-7


def test_cross_entropy_grad_matches_numerical_gradient():
    rng = np.random.default_rng(6)
    logits = rng.normal(size=(5, 4))
    y = rng.integers(0, 4, size=5)
    num = nnlib.numerical_gradient(lambda v: nnlib.cross_entropy(v, y), logits)
    assert nnlib.rel_error(nnlib.cross_entropy_grad(logits, y), num) < 1e-7


def test_binary_cross_entropy_gradient_matches_the_hand_derivation():
    # d/dp of mean(-(y log p + (1 - y) log(1 - p))) = (p - y) / (p (1 - p)) / n
    p = np.array([0.8, 0.7, 0.1, 0.45])
    y = np.array([1, 1, 0, 0])
    by_hand = (p - y) / (p * (1 - p)) / len(p)
    num = nnlib.numerical_gradient(lambda v: nnlib.binary_cross_entropy(v, y), p)
    assert nnlib.rel_error(by_hand, num) < 1e-7


# ---- inputs: lists, no modification -----------------------------------------------


def test_losses_accept_lists_and_leave_arrays_alone():
    logits = np.array([[0.5, -1.0, 2.0], [1.0, 1.0, 0.0]])
    y = np.array([2, 0])
    logits_before, y_before = logits.copy(), y.copy()
    assert nnlib.cross_entropy(logits.tolist(), y.tolist()) == nnlib.cross_entropy(logits, y)
    nnlib.cross_entropy_grad(logits, y)
    np.testing.assert_array_equal(logits, logits_before)
    np.testing.assert_array_equal(y, y_before)

    pred, target = np.array([0.2, 0.9]), np.array([0.0, 1.0])
    for fn in (nnlib.mse_loss, nnlib.mse_loss_grad, nnlib.l1_loss, nnlib.l1_loss_grad, nnlib.binary_cross_entropy,
               nnlib.binary_cross_entropy_with_logits, nnlib.binary_cross_entropy_with_logits_grad):
        out = fn(pred, target)
        np.testing.assert_array_equal(pred, [0.2, 0.9])
        np.testing.assert_array_equal(target, [0.0, 1.0])
        np.testing.assert_array_equal(fn(pred.tolist(), target.tolist()), out)


def test_labels_may_be_whole_floats_or_a_column():
    logits = [[0.0, 1.0, 2.0], [2.0, 1.0, 0.0]]
    assert nnlib.cross_entropy(logits, [2.0, 0.0]) == nnlib.cross_entropy(logits, [2, 0])
    assert nnlib.cross_entropy(logits, [[2], [0]]) == nnlib.cross_entropy(logits, [2, 0])


# ---- bad input: one test per rule, each asserting the message ------------------------


def test_mismatched_shapes_are_named():
    with pytest.raises(ValueError, match=r"pred and target must have the same shape, got \(3,\) and \(2,\)"):
        nnlib.mse_loss([1.0, 2.0, 3.0], [1.0, 2.0])
    with pytest.raises(ValueError, match=r"pred and target must have the same shape, got \(2, 1\) and \(2,\)"):
        nnlib.l1_loss([[1.0], [2.0]], [1.0, 2.0])
    with pytest.raises(ValueError, match=r"y must have the same shape as the predictions \(3,\), got \(2,\)"):
        nnlib.binary_cross_entropy([0.1, 0.2, 0.3], [0, 1])
    with pytest.raises(ValueError, match=r"y must have the same shape as the predictions \(2,\), got \(3,\)"):
        nnlib.binary_cross_entropy_with_logits([0.1, 0.2], [0, 1, 1])


def test_nan_and_inf_are_rejected():
    with pytest.raises(ValueError, match=r"pred must contain only finite numbers, got nan in an array of shape \(2,\)"):
        nnlib.mse_loss([np.nan, 1.0], [0.0, 1.0])
    with pytest.raises(ValueError, match=r"target must contain only finite numbers, got inf"):
        nnlib.l1_loss([0.0, 1.0], [np.inf, 1.0])
    with pytest.raises(ValueError, match=r"z must contain only finite numbers, got inf"):
        nnlib.binary_cross_entropy_with_logits([np.inf], [1])
    with pytest.raises(ValueError, match=r"logits must contain only finite numbers, got nan"):
        nnlib.cross_entropy([[0.0, np.nan]], [0])
    with pytest.raises(ValueError, match=r"y must hold whole-number class labels, got nan"):
        nnlib.cross_entropy([[0.0, 1.0]], [np.nan])


def test_probabilities_outside_0_1_are_rejected():
    with pytest.raises(ValueError, match=r"p must hold probabilities in \[0, 1\], got 1.5"):
        nnlib.binary_cross_entropy([0.5, 1.5], [1, 0])
    with pytest.raises(ValueError, match=r"p must hold probabilities in \[0, 1\], got -0.1"):
        nnlib.binary_cross_entropy([-0.1], [1])


def test_binary_labels_outside_0_1_are_rejected():
    with pytest.raises(ValueError, match=r"y must hold labels 0 or 1 .*got 2.0"):
        nnlib.binary_cross_entropy([0.5, 0.5], [1, 2])
    with pytest.raises(ValueError, match=r"y must hold labels 0 or 1 .*got -1.0"):
        nnlib.binary_cross_entropy_with_logits([0.5, 0.5], [-1, 1])


def test_class_labels_outside_range_c_are_rejected():
    logits = [[0.0, 1.0, 2.0], [1.0, 0.0, 0.0]]
    with pytest.raises(ValueError, match=r"y must hold labels in range\(3\) \(0 \.\. 2\), got 3"):
        nnlib.cross_entropy(logits, [0, 3])
    with pytest.raises(ValueError, match=r"y must hold labels in range\(3\) \(0 \.\. 2\), got -1"):
        nnlib.cross_entropy_grad(logits, [-1, 0])
    # A whole float too big for an integer is still reported as itself.
    with pytest.raises(ValueError, match=r"y must hold labels in range\(3\) \(0 \.\. 2\), got 1e\+300"):
        nnlib.cross_entropy(logits, [0.0, 1e300])


def test_class_labels_must_be_whole_numbers_of_a_real_dtype():
    logits = [[0.0, 1.0], [1.0, 0.0]]
    with pytest.raises(ValueError, match=r"y must hold whole-number class labels, got 0.5"):
        nnlib.cross_entropy(logits, [0.5, 1.0])
    with pytest.raises(TypeError, match=r"y must hold integer class labels, got dtype complex128"):
        nnlib.cross_entropy(logits, [0 + 0j, 1 + 0j])
    with pytest.raises(TypeError, match=r"y must hold integer class labels, got dtype <U1"):
        nnlib.cross_entropy(logits, ["a", "b"])


def test_label_count_and_logits_shape_are_checked():
    with pytest.raises(ValueError, match=r"y must have one label per example: expected 2, got 3"):
        nnlib.cross_entropy([[0.0, 1.0], [1.0, 0.0]], [0, 1, 1])
    with pytest.raises(ValueError, match=r"logits must be 2-D, got shape \(3,\)"):
        nnlib.cross_entropy([0.0, 1.0, 2.0], [1])
    with pytest.raises(ValueError, match=r"y must be a 1-D array of class labels \(N,\), got shape \(1, 2\)"):
        nnlib.cross_entropy([[0.0, 1.0]], [[0, 1]])


def test_empty_arrays_are_rejected():
    with pytest.raises(ValueError, match=r"pred must not be empty, got shape \(0,\)"):
        nnlib.mse_loss([], [])
    with pytest.raises(ValueError, match=r"p must not be empty, got shape \(0,\)"):
        nnlib.binary_cross_entropy([], [])
    with pytest.raises(ValueError, match=r"logits must not be empty, got shape \(0, 3\)"):
        nnlib.cross_entropy(np.zeros((0, 3)), [])


def test_unknown_reduction_is_rejected():
    with pytest.raises(ValueError, match=r"reduction must be 'mean', 'sum' or 'none', got 'avg'"):
        nnlib.binary_cross_entropy([0.5], [1], reduction="avg")
    with pytest.raises(ValueError, match=r"reduction must be 'mean', 'sum' or 'none', got None"):
        nnlib.cross_entropy([[0.0, 1.0]], [1], reduction=None)


def test_non_numeric_predictions_are_a_type_error():
    with pytest.raises(TypeError, match=r"pred must hold real numbers, got an array of dtype bool"):
        nnlib.mse_loss([True, False], [1.0, 0.0])


# -- finite in, finite out; the number of classes named -----------------------------------------


def test_mse_of_float32_values_whose_square_overflows_is_the_true_mean():
    assert nnlib.mse_loss(np.float32([1e20]), np.float32([0])) == pytest.approx(1e40, rel=1e-6)
    assert nnlib.mse_loss(np.float32([1e20, 0]), np.float32([0, 0]), reduction="sum") == pytest.approx(1e40, rel=1e-6)
    assert nnlib.mse_loss([1e308], [-1e308]) == np.inf  # 4e616 overflows: inf, never nan
    assert nnlib.mse_loss([1e200, 1.0], [0.0, 0.0]) == np.inf


F32 = st.floats(width=32, allow_nan=False, allow_infinity=False)


@given(pred=hnp.arrays(np.float32, 4, elements=F32), target=hnp.arrays(np.float32, 4, elements=F32))
def test_mse_of_any_finite_float32_values_is_its_float64_value(pred, target):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        value = nnlib.mse_loss(pred, target)
    exact = np.mean((pred.astype(np.float64) - target.astype(np.float64)) ** 2)
    assert np.isfinite(value)
    assert value == pytest.approx(exact, rel=1e-5, abs=1e-30)


@pytest.mark.parametrize("classes", [2.0, "3", None])
def test_one_hot_names_a_number_of_classes_that_is_not_an_int(classes):
    with pytest.raises(TypeError, match=f"n_classes must be an int, got {type(classes).__name__}"):
        nnlib.one_hot([0, 1], classes)


@pytest.mark.parametrize("z", [40.0, 50.0, 300.0, 700.0])
def test_log_softmax_of_a_far_behind_score_keeps_its_tiny_log(z):
    # log_softmax([0, z])[1] = -log(1 + e^-z) = -e^-z to double precision, not -0.0.
    out = nnlib.log_softmax([0.0, z])
    assert out[1] == pytest.approx(-np.exp(-z), rel=1e-12) and out[1] < 0
    assert out[0] == pytest.approx(-z - np.log1p(np.exp(-z)), rel=1e-15)


@given(z=hnp.arrays(np.float64, st.integers(2, 6), elements=st.floats(-700, 700)))
def test_log_softmax_agrees_with_a_float_log_of_the_softmax(z):
    out = nnlib.log_softmax(z)
    expected = z - z.max() - np.log1p(np.sum(np.exp(z - z.max())) - 1.0)
    np.testing.assert_allclose(out, expected, rtol=1e-12, atol=1e-12)
    assert np.all(out <= 0)
