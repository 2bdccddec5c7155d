"""Lesson 2's helpers: make_linear_data, standardize, plot_loss_contours, and the MSE
gradient the lesson's training loop uses."""

import numpy as np
import pytest
from matplotlib.figure import Figure

import nnlib


# make_linear_data

def test_make_linear_data_shapes_and_dtypes():
    X, y = nnlib.make_linear_data(n=50, w=(1.0, -2.0, 0.5), b=0.3, seed=3)
    assert X.shape == (50, 3) and y.shape == (50,)
    assert X.dtype == np.float64 and y.dtype == np.float64


def test_make_linear_data_without_noise_follows_the_formula():
    X, y = nnlib.make_linear_data(n=20, w=(2.0, -3.4), b=4.2, noise=0.0, seed=1)
    np.testing.assert_allclose(y, 2.0 * X[:, 0] - 3.4 * X[:, 1] + 4.2, rtol=0, atol=1e-12)


def test_make_linear_data_is_reproducible_from_its_seed():
    a = nnlib.make_linear_data(n=30, seed=7)
    b = nnlib.make_linear_data(n=30, seed=7)
    c = nnlib.make_linear_data(n=30, seed=8)
    np.testing.assert_array_equal(a[0], b[0])
    np.testing.assert_array_equal(a[1], b[1])
    assert not np.allclose(a[0], c[0])


def test_least_squares_recovers_the_true_weights_and_bias():
    X, y = nnlib.make_linear_data(n=5000, w=(2.0, -3.4), b=4.2, noise=0.1, seed=0)
    X1 = np.column_stack([X, np.ones(len(X))])
    coef = np.linalg.lstsq(X1, y, rcond=None)[0]
    np.testing.assert_allclose(coef, [2.0, -3.4, 4.2], atol=0.01)
    residual_std = np.std(y - X1 @ coef)
    assert 0.09 < residual_std < 0.11  # the noise level asked for


def test_scales_set_each_feature_spread():
    X, _ = nnlib.make_linear_data(n=20000, w=(1.0, 1.0), scales=(5.0, 0.5), seed=2)
    np.testing.assert_allclose(X.std(axis=0), [5.0, 0.5], rtol=0.03)


def test_make_linear_data_does_not_modify_its_arguments():
    w = np.array([2.0, -3.4])
    scales = np.array([5.0, 0.5])
    nnlib.make_linear_data(n=10, w=w, scales=scales)
    np.testing.assert_array_equal(w, [2.0, -3.4])
    np.testing.assert_array_equal(scales, [5.0, 0.5])


@pytest.mark.parametrize(
    "kwargs, error, words",
    [
        ({"n": 0}, ValueError, "n must be at least 1"),
        ({"n": 2.5}, TypeError, "n must be an int"),
        ({"noise": -0.1}, ValueError, "noise"),
        ({"b": "4.2"}, TypeError, "b must be a number"),
        ({"w": [[1.0, 2.0]]}, ValueError, "w must be 1-D"),
        ({"w": [1.0, np.nan]}, ValueError, "w must contain only finite"),
        ({"w": (1.0, 2.0), "scales": (1.0, 2.0, 3.0)}, ValueError, "scales must have one entry per weight"),
    ],
)
def test_make_linear_data_rejects_bad_input(kwargs, error, words):
    with pytest.raises(error, match=words):
        nnlib.make_linear_data(**kwargs)


# standardize

def test_standardize_gives_mean_0_and_std_1_and_returns_the_statistics():
    X, _ = nnlib.make_linear_data(n=200, w=(1.0, 1.0), scales=(5.0, 0.5), seed=4)
    X = X + np.array([10.0, -3.0])
    Z, mean, std = nnlib.standardize(X)
    np.testing.assert_allclose(Z.mean(axis=0), 0.0, atol=1e-12)
    np.testing.assert_allclose(Z.std(axis=0), 1.0, rtol=1e-12)
    np.testing.assert_allclose(mean, X.mean(axis=0))
    np.testing.assert_allclose(std, X.std(axis=0))
    np.testing.assert_allclose(Z * std + mean, X)


def test_standardize_by_hand():
    # Column 1: mean 2, std 1; column 2: mean 20, std 10.
    X = np.array([[1.0, 10.0], [3.0, 30.0]])
    Z, mean, std = nnlib.standardize(X)
    np.testing.assert_allclose(Z, [[-1.0, -1.0], [1.0, 1.0]])
    np.testing.assert_allclose(mean, [2.0, 20.0])
    np.testing.assert_allclose(std, [1.0, 10.0])


def test_standardize_reuses_training_statistics_for_new_data():
    X_train = np.array([[1.0, 10.0], [3.0, 30.0]])
    _, mean, std = nnlib.standardize(X_train)
    Z_new, mean2, std2 = nnlib.standardize([[5.0, 0.0]], mean, std)
    np.testing.assert_allclose(Z_new, [[3.0, -2.0]])
    np.testing.assert_array_equal(mean2, mean)
    np.testing.assert_array_equal(std2, std)


def test_standardize_keeps_a_constant_column_finite():
    X = np.array([[1.0, 7.0], [2.0, 7.0], [3.0, 7.0]])
    Z, _, std = nnlib.standardize(X)
    assert np.all(np.isfinite(Z))
    np.testing.assert_array_equal(Z[:, 1], 0.0)
    assert std[1] == 1.0


def test_standardize_does_not_modify_the_callers_array():
    X = np.array([[1.0, 10.0], [3.0, 30.0]])
    before = X.copy()
    nnlib.standardize(X)
    np.testing.assert_array_equal(X, before)


@pytest.mark.parametrize(
    "args, error, words",
    [
        (([1.0, 2.0, 3.0],), ValueError, "X must be 2-D"),
        (([[1.0, np.inf]],), ValueError, "X must contain only finite"),
        (([["a", "b"]],), TypeError, "X must hold real numbers"),
        (([[1.0, 2.0]], [0.0, 0.0, 0.0], [1.0, 1.0]), ValueError, r"shape \(2,\)"),
    ],
)
def test_standardize_rejects_bad_input(args, error, words):
    with pytest.raises(error, match=words):
        nnlib.standardize(*args)


# The lesson's gradient: dL/dw = 2/N X^T (X w - y) for L = mean((X w - y)^2)

def test_mse_gradient_formula_matches_numerical_gradient():
    X, y = nnlib.make_linear_data(n=40, w=(2.0, -3.4), b=4.2, noise=0.5, seed=5)
    X1 = np.column_stack([X, np.ones(len(X))])
    w = np.array([0.3, -1.0, 2.0])

    def loss(v):
        return nnlib.mse_loss(X1 @ v, y)

    analytic = 2 / len(y) * X1.T @ (X1 @ w - y)
    np.testing.assert_allclose(analytic, X1.T @ nnlib.mse_loss_grad(X1 @ w, y))
    numeric = nnlib.numerical_gradient(loss, w.copy())
    assert nnlib.rel_error(analytic, numeric) < 1e-7


def test_the_signed_error_trap_from_lesson_2():
    # 2 w1 + w2 = 7, 3 w1 - w2 = 3: the wrong w = (2, 0) has signed errors +3 and -3.
    X = np.array([[2.0, 1.0], [3.0, -1.0]])
    y = np.array([7.0, 3.0])
    w_wrong = np.array([2.0, 0.0])
    assert np.sum(X @ w_wrong - y) == 0.0  # errors -3 and +3 (prediction - target)
    assert nnlib.l1_loss(X @ w_wrong, y) == 3.0
    assert nnlib.mse_loss(X @ w_wrong, y) == 9.0
    assert nnlib.mse_loss(X @ np.array([2.0, 3.0]), y) == 0.0


# plot_loss_contours

def _bowl(v):
    return (v[0] - 1.0) ** 2 + 4.0 * (v[1] + 2.0) ** 2


def test_plot_loss_contours_draws_on_the_given_axes_with_the_path():
    ax = Figure().subplots()
    path = np.array([[0.0, 0.0], [0.5, -1.0], [1.0, -2.0]])
    out = nnlib.plot_loss_contours(_bowl, (-1, 3), (-4, 1), path=path, ax=ax, resolution=15)
    assert out is ax
    assert ax.get_xlim() == (-1.0, 3.0) and ax.get_ylim() == (-4.0, 1.0)
    line, start, end = ax.lines
    np.testing.assert_array_equal(line.get_xydata(), path)
    np.testing.assert_array_equal(start.get_xydata(), path[:1])
    np.testing.assert_array_equal(end.get_xydata(), path[-1:])
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert sorted(legend) == sorted(["descent path", "start", "end (after 2 steps)", "downhill (minus the gradient)"])
    assert ax.get_xlabel() == "$w_1$" and ax.get_ylabel() == "$w_2$"


def test_plot_loss_contours_labels_every_other_level_with_its_loss():
    ax = Figure().subplots()
    nnlib.plot_loss_contours(_bowl, (-1, 3), (-4, 1), ax=ax, resolution=30, levels=[0.5, 2.0, 8.0, 20.0])
    # 0.5 and 8 are labelled (a level cut by the window's edge gets a label per piece); 2 and 20 are not.
    assert {t.get_text() for t in ax.texts} == {"0.5", "8"}


def test_plot_loss_contours_arrows_point_downhill():
    ax = Figure().subplots()
    nnlib.plot_loss_contours(_bowl, (-1, 3), (-4, 1), ax=ax, resolution=41, arrows=4)
    (quiver,) = [c for c in ax.collections if hasattr(c, "U")]
    xy, uv = quiver.get_offsets(), np.column_stack([quiver.U, quiver.V])
    assert xy.shape == (16, 2)
    # Minus the gradient of (w - 1)^2 + 4 (v + 2)^2, worked by hand.
    downhill = np.column_stack([-2 * (xy[:, 0] - 1), -8 * (xy[:, 1] + 2)])
    cosine = np.sum(uv * downhill, axis=1) / (np.linalg.norm(uv, axis=1) * np.linalg.norm(downhill, axis=1))
    assert np.all(cosine > 0.99)
    lengths = np.linalg.norm(uv, axis=1)
    np.testing.assert_allclose(lengths, lengths[0])  # direction only


def test_plot_loss_contours_without_arrows_or_path_has_no_legend():
    ax = Figure().subplots()
    nnlib.plot_loss_contours(_bowl, (-1, 3), (-4, 1), ax=ax, resolution=9, arrows=0)
    assert not [c for c in ax.collections if hasattr(c, "U")]
    assert ax.get_legend() is None


def test_plot_loss_contours_evaluates_the_loss_on_a_grid():
    calls = []

    def loss(v):
        calls.append(v.copy())
        return _bowl(v)

    ax = Figure().subplots()
    nnlib.plot_loss_contours(loss, (-1, 3), (-4, 1), ax=ax, resolution=7, levels=[0.5, 2.0, 8.0])
    calls = np.array(calls)
    assert calls.shape == (49, 2)
    assert calls[:, 0].min() == -1 and calls[:, 0].max() == 3
    assert calls[:, 1].min() == -4 and calls[:, 1].max() == 1
    assert len(ax.lines) == 0  # no path, no line


def test_plot_loss_contours_does_not_modify_the_path():
    path = np.array([[0.0, 0.0], [1.0, -2.0]])
    before = path.copy()
    nnlib.plot_loss_contours(_bowl, (-1, 3), (-4, 1), path=path, ax=Figure().subplots(), resolution=5)
    np.testing.assert_array_equal(path, before)


@pytest.mark.parametrize(
    "kwargs, words",
    [
        ({"w_range": (3, -1)}, r"w_range must be \(low, high\) with low < high"),
        ({"b_range": (0, 1, 2)}, r"b_range must be \(low, high\)"),
        ({"path": np.zeros((4, 3))}, r"path must have shape \(T, 2\).*\(4, 3\)"),
        ({"loss_fn": lambda v: np.inf}, "non-finite"),
        ({"resolution": 1}, "resolution must be at least 2"),
        ({"arrows": -1}, "arrows must be at least 0"),
    ],
)
def test_plot_loss_contours_rejects_bad_input(kwargs, words):
    args = {"loss_fn": _bowl, "w_range": (-1, 3), "b_range": (-4, 1), "ax": Figure().subplots(),
            "resolution": 5}
    args.update(kwargs)
    with pytest.raises(ValueError, match=words):
        nnlib.plot_loss_contours(**args)


def test_plot_loss_contours_rejects_a_non_integer_resolution():
    with pytest.raises(TypeError, match="resolution must be an int"):
        nnlib.plot_loss_contours(_bowl, (-1, 3), (-4, 1), ax=Figure().subplots(), resolution=7.5)
