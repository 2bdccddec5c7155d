"""Synthetic data sets: shapes, the rules each one promises, seeds, bad input."""

import numpy as np
import pytest

import nnlib
from tolerance import tol

CLASSIFICATION_SETS = [nnlib.make_circle, nnlib.make_playground_circle, nnlib.make_xor, nnlib.make_spiral, nnlib.make_blobs]


@pytest.mark.parametrize("make", CLASSIFICATION_SETS)
def test_classification_sets_have_the_promised_shapes_and_types(make):
    X, y = make(101, seed=3)
    assert X.shape == (101, 2) and X.dtype == np.float64
    assert y.shape == (101,) and np.issubdtype(y.dtype, np.integer)
    assert set(np.unique(y)) <= {0, 1}
    assert np.all(np.isfinite(X))


@pytest.mark.parametrize("make", CLASSIFICATION_SETS)
def test_same_seed_same_data_other_seed_other_data(make):
    X1, y1 = make(50, noise=0.1, seed=7)
    X2, y2 = make(50, noise=0.1, seed=7)
    X3, _ = make(50, noise=0.1, seed=8)
    np.testing.assert_array_equal(X1, X2)
    np.testing.assert_array_equal(y1, y2)
    assert not np.array_equal(X1, X3)


@pytest.mark.parametrize("make", CLASSIFICATION_SETS)
def test_a_single_point_is_allowed(make):
    X, y = make(1, seed=0)
    assert X.shape == (1, 2) and y.shape == (1,)


@pytest.mark.parametrize("make", CLASSIFICATION_SETS)
def test_n_below_1_is_rejected(make):
    with pytest.raises(ValueError, match=r"n must be at least 1, got 0"):
        make(0)


@pytest.mark.parametrize("make", CLASSIFICATION_SETS)
def test_n_must_be_an_int(make):
    with pytest.raises(TypeError, match=r"n must be an int, got float 2.5"):
        make(2.5)


@pytest.mark.parametrize("make", [nnlib.make_playground_circle, nnlib.make_xor, nnlib.make_spiral, nnlib.make_blobs])
@pytest.mark.parametrize("noise", [-0.1, 0.6])
def test_playground_noise_outside_0_to_half_is_rejected(make, noise):
    with pytest.raises(ValueError, match=rf"noise must be in \[0.0, 0.5\], got {noise}"):
        make(10, noise=noise)


# ---- make_circle ------------------------------------------------------------------


def test_circle_label_1_means_inside():
    X, y = nnlib.make_circle(400, seed=1)
    r = np.hypot(X[:, 0], X[:, 1])
    np.testing.assert_array_equal(y, (r < 0.5).astype(int))
    assert np.all(np.abs(X) <= 1)
    assert y.sum() == 200


def test_circle_reproduces_the_95_5_imbalance():
    X, y = nnlib.make_circle(10_000, positive_fraction=0.05, seed=0)
    assert y.sum() == 500
    # "Always outside" is 95 % accurate and useless: the learner's trap.
    assert np.mean(y == 0) == pytest.approx(0.95)
    np.testing.assert_array_equal(y, (np.hypot(X[:, 0], X[:, 1]) < 0.5).astype(int))


def test_circle_is_shuffled():
    _, y = nnlib.make_circle(200, seed=0)
    assert not np.array_equal(y, np.sort(y)) and not np.array_equal(y, np.sort(y)[::-1])


def test_circle_seed_is_the_fourth_argument():
    X1, y1 = nnlib.make_circle(60, 0.0, 0.5, 4)
    X2, y2 = nnlib.make_circle(60, seed=4)
    np.testing.assert_array_equal(X1, X2)
    np.testing.assert_array_equal(y1, y2)


def test_circle_scale_and_radius():
    # The learner's unstandardised set: points in [-20, 20]^2, a circle of radius 5.
    X, y = nnlib.make_circle(300, scale=20, radius=0.25, seed=2)
    assert np.all(np.abs(X) <= 20) and np.abs(X).max() > 15
    np.testing.assert_array_equal(y, (np.hypot(X[:, 0], X[:, 1]) < 5).astype(int))


def test_circle_noise_jitters_points_but_keeps_the_labels():
    X0, y0 = nnlib.make_circle(500, noise=0.0, seed=5)
    X1, y1 = nnlib.make_circle(500, noise=0.2, seed=5)
    assert y1.sum() == y0.sum()
    inside = np.hypot(X1[:, 0], X1[:, 1]) < 0.5
    # Jitter moves some points across the circle, so the labels no longer match exactly.
    assert 0 < np.sum(inside != (y1 == 1)) < 100


@pytest.mark.parametrize("kwargs, message", [
    ({"noise": -0.5}, r"noise must be in \[0.0, 1.0\], got -0.5"),
    ({"noise": 1.5}, r"noise must be in \[0.0, 1.0\], got 1.5"),
    ({"positive_fraction": 1.2}, r"positive_fraction must be in \[0.0, 1.0\], got 1.2"),
    ({"radius": 1.0}, r"radius must be strictly between 0 and 1, got 1.0"),
    ({"scale": 0}, r"scale must be positive, got 0"),
    ({"noise": float("nan")}, r"noise must be finite, got nan"),
])
def test_circle_bad_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        nnlib.make_circle(10, **kwargs)


def test_circle_noise_must_be_a_number():
    with pytest.raises(TypeError, match=r"noise must be a number, got str '0.1'"):
        nnlib.make_circle(10, noise="0.1")


# ---- make_playground_circle -------------------------------------------------------


def test_playground_circle_without_noise():
    X, y = nnlib.make_playground_circle(500, seed=0)
    r = np.hypot(X[:, 0], X[:, 1])
    # Half inside at r in [0, 2.5), half outside at r in [3.5, 5]; inside first.
    assert np.all(r[:250] < 2.5) and np.all((r[250:] >= 3.5) & (r[250:] <= 5))
    np.testing.assert_array_equal(y, np.r_[np.ones(250), np.zeros(250)])
    # Radii are uniform (not area-uniform): the mean inside radius is about 1.25.
    assert np.mean(r[:250]) == pytest.approx(1.25, abs=0.15)
    assert np.mean(r[250:]) == pytest.approx(4.25, abs=0.15)


def test_playground_circle_default_is_500_points():
    X, y = nnlib.make_playground_circle()
    assert X.shape == (500, 2) and y.shape == (500,)


def test_playground_circle_odd_n():
    X, y = nnlib.make_playground_circle(5, seed=0)
    assert y.tolist() == [1, 1, 0, 0, 0]


def test_playground_circle_labels_come_from_a_noisy_copy_and_the_clean_point_is_kept():
    X, y = nnlib.make_playground_circle(2000, noise=0.1, seed=0)
    r = np.hypot(X[:, 0], X[:, 1])
    # The stored points are clean: still in the two rings.
    assert np.all((r < 2.5) | ((r >= 3.5) & (r <= 5)))
    # Noise 0.1 moves each coordinate of the copy by at most 0.5, so by at most
    # 0.5 * sqrt(2) = 0.71 in distance: outer points (r >= 3.5) always stay 0, inner
    # points closer than 2.5 - 0.71 always stay 1, and some inner points near the
    # edge are labelled 0.
    assert np.all(y[r >= 3.5] == 0)
    assert np.all(y[r < 2.5 - 0.5 * np.sqrt(2)] == 1)
    flipped = (r < 2.5) & (y == 0)
    assert flipped.sum() > 0
    assert np.all(r[flipped] > 2.5 - 0.5 * np.sqrt(2))


# ---- make_xor, make_spiral, make_blobs -------------------------------------------


def test_xor_without_noise():
    X, y = nnlib.make_xor(500, seed=0)
    # Points pushed 0.3 off each axis, inside [-5.3, 5.3].
    assert np.all((np.abs(X) >= 0.3) & (np.abs(X) <= 5.3))
    np.testing.assert_array_equal(y, (X[:, 0] * X[:, 1] >= 0).astype(int))


def test_xor_noise_flips_only_points_near_the_axes():
    X, y = nnlib.make_xor(2000, noise=0.1, seed=0)
    wrong = y != (X[:, 0] * X[:, 1] >= 0)
    assert wrong.sum() > 0
    # Each coordinate moves by at most 0.5, so only points that close to an axis flip.
    assert np.all(np.min(np.abs(X[wrong]), axis=1) <= 0.5)


def test_spiral_arms_are_point_reflections_of_each_other():
    X, y = nnlib.make_spiral(400, seed=0)
    assert y.sum() == 200
    # The second arm is the first turned by pi: (x, y) -> (-x, -y).
    np.testing.assert_allclose(X[y == 0], -X[y == 1], atol=1e-12)
    r = np.hypot(X[:, 0], X[:, 1])
    assert r.max() < 5 and r[0] == 0


def test_spiral_noise_moves_points_by_at_most_noise():
    X0, _ = nnlib.make_spiral(200, noise=0.0, seed=0)
    X1, _ = nnlib.make_spiral(200, noise=0.3, seed=0)
    shift = np.abs(X1 - X0)
    assert np.all(shift <= 0.3) and shift.max() > 0.2


@pytest.mark.parametrize("noise, variance", [(0.0, 0.5), (0.5, 4.0)])
def test_blobs_centres_and_variance(noise, variance):
    X, y = nnlib.make_blobs(4000, noise=noise, seed=0)
    assert y.sum() == 2000
    np.testing.assert_allclose(X[y == 1].mean(axis=0), [2, 2], atol=0.15)
    np.testing.assert_allclose(X[y == 0].mean(axis=0), [-2, -2], atol=0.15)
    np.testing.assert_allclose(X[y == 1].var(axis=0), variance, rtol=0.15)


# ---- train_val_split -------------------------------------------------------------


def test_train_val_split_sizes_and_pairs():
    X = np.arange(20.0).reshape(10, 2)
    y = np.arange(10)
    X_train, y_train, X_val, y_val = nnlib.train_val_split(X, y, val_fraction=0.3, seed=1)
    assert len(X_train) == len(y_train) == 7 and len(X_val) == len(y_val) == 3
    # Every row appears exactly once and keeps its label.
    assert sorted(np.r_[y_train, y_val].tolist()) == list(range(10))
    np.testing.assert_array_equal(X_train[:, 0], 2 * y_train)
    np.testing.assert_array_equal(X_val[:, 0], 2 * y_val)


def test_train_val_split_returns_copies():
    X = np.arange(8.0).reshape(4, 2)
    y = np.array([0, 1, 0, 1])
    X_train, y_train, _, _ = nnlib.train_val_split(X, y, val_fraction=0.25)
    X_train[:] = -1
    y_train[:] = -1
    np.testing.assert_array_equal(X, np.arange(8.0).reshape(4, 2))
    np.testing.assert_array_equal(y, [0, 1, 0, 1])


def test_train_val_split_keeps_one_training_example():
    X_train, _, X_val, _ = nnlib.train_val_split([[1.0, 2.0]], [1], val_fraction=0.9)
    assert len(X_train) == 1 and len(X_val) == 0


def test_train_val_split_bad_input():
    with pytest.raises(ValueError, match=r"X and y must have the same number of examples, got 3 and 2"):
        nnlib.train_val_split(np.zeros((3, 2)), [0, 1])
    with pytest.raises(ValueError, match=r"val_fraction must be below 1, got 1.0"):
        nnlib.train_val_split(np.zeros((3, 2)), [0, 1, 0], val_fraction=1.0)
    with pytest.raises(ValueError, match=r"X must be 2-D, got shape \(3,\)"):
        nnlib.train_val_split(np.zeros(3), [0, 1, 0])


# ---- make_linear_data and standardize ----------------------------------------------


def test_linear_data_without_noise_lies_on_the_plane():
    X, y = nnlib.make_linear_data(50, w=[2.0, -3.4], b=4.2, noise=0.0, seed=0)
    assert X.shape == (50, 2) and y.shape == (50,)
    np.testing.assert_allclose(y, X @ [2.0, -3.4] + 4.2, rtol=1e-12)


def test_linear_data_least_squares_recovers_w_and_b():
    X, y = nnlib.make_linear_data(2000, noise=0.1, seed=0)
    A = np.column_stack([X, np.ones(len(X))])
    coef = np.linalg.lstsq(A, y, rcond=None)[0]
    np.testing.assert_allclose(coef, [2.0, -3.4, 4.2], atol=0.02)


def test_linear_data_scales_stretch_the_features():
    X, _ = nnlib.make_linear_data(4000, scales=[1.0, 100.0], seed=0)
    np.testing.assert_allclose(X.std(axis=0), [1.0, 100.0], rtol=0.05)


def test_linear_data_bad_input():
    with pytest.raises(ValueError, match=r"n must be at least 1, got 0"):
        nnlib.make_linear_data(0)
    with pytest.raises(ValueError, match=r"noise must be at least 0.0, got -1"):
        nnlib.make_linear_data(10, noise=-1.0)
    with pytest.raises(ValueError, match=r"w must contain only finite numbers, got nan"):
        nnlib.make_linear_data(10, w=[1.0, np.nan])


def test_standardize_gives_mean_0_and_std_1_without_touching_X():
    X = np.array([[1.0, 100.0], [2.0, 300.0], [3.0, 500.0]])
    before = X.copy()
    X_std, mean, std = nnlib.standardize(X)
    np.testing.assert_array_equal(X, before)
    np.testing.assert_allclose(mean, [2.0, 300.0])
    np.testing.assert_allclose(std, [np.sqrt(2 / 3), np.sqrt(80000 / 3)])
    np.testing.assert_allclose(X_std.mean(axis=0), 0.0, atol=tol(np.float64))
    np.testing.assert_allclose(X_std.std(axis=0), 1.0)


def test_standardize_reuses_training_statistics():
    X_train = np.array([[0.0, 10.0], [2.0, 30.0]])
    _, mean, std = nnlib.standardize(X_train)
    X_val_std, _, _ = nnlib.standardize([[1.0, 40.0]], mean, std)
    np.testing.assert_allclose(X_val_std, [[0.0, 2.0]])


def test_standardize_leaves_a_constant_column_finite():
    X_std, _, std = nnlib.standardize([[1.0, 5.0], [2.0, 5.0], [3.0, 5.0]])
    assert np.all(np.isfinite(X_std))
    np.testing.assert_array_equal(X_std[:, 1], 0.0)


def test_standardize_bad_input():
    with pytest.raises(ValueError, match=r"X must be 2-D, got shape \(3,\)"):
        nnlib.standardize([1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match=r"X must contain only finite numbers, got nan"):
        nnlib.standardize([[1.0, np.nan]])
    with pytest.raises(ValueError, match=r"X must not be empty, got shape \(0, 2\)"):
        nnlib.standardize(np.zeros((0, 2)))


# ---- the playground's other data sets: three spiral arms, two regressions ------------------


def test_three_spiral_arms_are_the_first_turned_by_a_third():
    X, y = nnlib.make_spiral(300, seed=0, classes=3)
    assert [np.sum(y == c) for c in range(3)] == [100, 100, 100]
    turn = 2 * np.pi / 3
    R = np.array([[np.cos(turn), np.sin(turn)], [-np.sin(turn), np.cos(turn)]])  # (x, y) = r (sin t, cos t)
    np.testing.assert_allclose(X[y == 0], X[y == 1] @ R.T, atol=1e-12)
    np.testing.assert_allclose(X[y == 2], X[y == 0] @ R.T, atol=1e-12)
    # Two arms are still the two-class spiral, to the last bit.
    np.testing.assert_array_equal(nnlib.make_spiral(301, seed=0, classes=2)[0], nnlib.make_spiral(301, seed=0)[0])
    with pytest.raises(ValueError, match="classes must be at least 2, got 1"):
        nnlib.make_spiral(10, classes=1)


def test_plane_regression_target_is_a_tenth_of_x1_plus_x2():
    X, y = nnlib.make_plane(200, seed=1)
    assert X.shape == (200, 2) and y.dtype == np.float64 and np.all(np.abs(X) <= 6)
    np.testing.assert_allclose(y, (X[:, 0] + X[:, 1]) / 10)
    _, noisy = nnlib.make_plane(200, noise=0.5, seed=1)
    assert 0 < np.abs(noisy - y).max() <= 1.2  # each coordinate moved by at most 6 * 0.5


def test_gaussian_regression_bumps_by_hand():
    X, y = nnlib.make_gaussian_regression(500, seed=2)
    assert np.all(np.abs(y) <= 1)
    # At (-4, 2.5) the bump of sign +1; 1 away from (0, -2.5) the bump of sign +1 is 1 - 1/2.
    for (cx, cy, sign) in nnlib.regression_data.GAUSSIANS:
        near = np.hypot(X[:, 0] - cx, X[:, 1] - cy) < 0.5
        assert np.all(np.sign(y[near]) == sign)
    far = np.min([np.hypot(X[:, 0] - cx, X[:, 1] - cy) for cx, cy, _ in nnlib.regression_data.GAUSSIANS], axis=0) >= 2
    assert np.all(y[far] == 0) and far.sum() > 50
    d = np.hypot(X[:, 0] - 0, X[:, 1] + 2.5)
    only = (d < 2) & (np.min([np.hypot(X[:, 0] - cx, X[:, 1] - cy) for cx, cy, _ in nnlib.regression_data.GAUSSIANS
                              if (cx, cy) != (0, -2.5)], axis=0) >= 2)
    np.testing.assert_allclose(y[only], 1 - d[only] / 2)


# ---- input features ------------------------------------------------------------------------


def test_make_features_by_hand():
    X = np.array([[1.0, 2.0], [-3.0, 0.5]])
    X_copy = X.copy()
    F = nnlib.make_features(X, ("x1", "x2", "x1^2", "x2^2", "x1*x2", "sin(x1)", "sin(x2)"))
    np.testing.assert_allclose(F, [[1, 2, 1, 4, 2, np.sin(1), np.sin(2)],
                                   [-3, 0.5, 9, 0.25, -1.5, np.sin(-3), np.sin(0.5)]])
    np.testing.assert_array_equal(nnlib.make_features(X, ("x2^2", "x1")), [[4, 1], [0.25, -3]])
    np.testing.assert_array_equal(nnlib.make_features(X), X)
    np.testing.assert_array_equal(X, X_copy)


def test_squared_features_make_the_circle_linear():
    X, y = nnlib.make_playground_circle(400, seed=0)
    model = nnlib.MLP([2, 1], seed=0)
    nnlib.train(model, nnlib.make_features(X, ("x1^2", "x2^2")), y, nnlib.BCEWithLogitsLoss(), nnlib.SGD(0.1, momentum=0.9), 300)
    assert np.mean(model.predict(nnlib.make_features(X, ("x1^2", "x2^2"))) == y) == 1.0


@pytest.mark.parametrize("X, features, error, message", [
    (np.zeros((3, 3)), ("x1",), ValueError, r"X must hold points in the plane, shape \(N, 2\), got shape \(3, 3\)"),
    (np.zeros((3, 2)), "x1", TypeError, "features must be a tuple of names"),
    (np.zeros((3, 2)), ("x3",), ValueError, r"features must be distinct names from .* got \('x3',\)"),
    (np.zeros((3, 2)), (), ValueError, "at least one"),
    (np.zeros((3, 2)), ("x1", "x1"), ValueError, "distinct"),
])
def test_make_features_bad_input(X, features, error, message):
    with pytest.raises(error, match=message):
        nnlib.make_features(X, features)


def test_confusion_matrix_counts_by_hand():
    counts = nnlib.confusion_matrix([0, 1, 2, 2, 1], [0, 2, 2, 2, 1], 3)
    np.testing.assert_array_equal(counts, [[1, 0, 0], [0, 1, 1], [0, 0, 2]])
    with pytest.raises(ValueError, match=r"y_pred must hold labels in range\(3\)"):
        nnlib.confusion_matrix([0, 1], [0, 3], 3)


# -- finite in, finite out; sensible classes ---------------------------------------------------


def test_standardize_near_the_float_limit_gives_the_standard_scores():
    X_std, mean, std = nnlib.standardize([[1e308], [-1e308]])
    np.testing.assert_allclose(X_std, [[1.0], [-1.0]])
    assert mean[0] == 0.0 and std[0] == pytest.approx(1e308)
    X_std, mean, std = nnlib.standardize([[1.7e308, 1.0], [1.7e308, 2.0], [-1.7e308, 3.0]])
    assert np.all(np.isfinite(X_std)) and np.all(np.isfinite(mean)) and np.all(np.isfinite(std))
    np.testing.assert_allclose(X_std[:, 1], nnlib.standardize([[1.0], [2.0], [3.0]])[0][:, 0])
    np.testing.assert_allclose(X_std.mean(axis=0), 0, atol=1e-12)
    np.testing.assert_allclose(X_std.std(axis=0), 1, rtol=1e-12)


@pytest.mark.parametrize("classes", [2.0, "3", None])
def test_confusion_matrix_names_a_number_of_classes_that_is_not_an_int(classes):
    with pytest.raises(TypeError, match=f"classes must be an int, got {type(classes).__name__}"):
        nnlib.confusion_matrix([0, 1], [0, 1], classes)


def test_a_spiral_with_more_arms_than_points_puts_one_point_on_each_of_the_first_arms():
    X, y = nnlib.make_spiral(10, classes=50)
    assert sorted(y) == list(range(10)) and X.shape == (10, 2)
    X, y = nnlib.make_spiral(10, classes=10 ** 7)  # does not loop over ten million empty arms
    assert sorted(y) == list(range(10))
    _, y = nnlib.make_spiral(12, classes=5)  # enough points: every arm, the last takes the rest
    assert np.bincount(y).tolist() == [2, 2, 2, 2, 4]


from hypothesis import assume, given  # noqa: E402
from hypothesis import strategies as st  # noqa: E402
from hypothesis.extra import numpy as hnp  # noqa: E402


@given(X=hnp.arrays(np.float64, (5, 1), elements=st.floats(-1.0, 1.0)), k=st.integers(0, 307))
def test_standardize_does_not_change_under_scaling_up_to_the_float_limit(X, k):
    # (filterwarnings turns an overflow warning into a failure)
    # A spread at rounding level (0.87988223 five times, differing in the last bits) is
    # changed by the rounding of X * 10**k itself: no answer could be the same for both.
    spread = np.ptp(X)
    assume(spread == 0 or spread > 1e-9 * np.max(np.abs(X)))
    small, _, _ = nnlib.standardize(X)
    big, mean, std = nnlib.standardize(X * 10.0 ** k)
    assert np.all(np.isfinite(big)) and np.all(np.isfinite(mean)) and np.all(std > 0)
    np.testing.assert_allclose(big, small, rtol=1e-6, atol=1e-6)


def test_standardize_keeps_a_spread_whose_squares_underflow():
    # One point at 6e-308 and four at 0: the squares underflow to 0, yet the column is not
    # constant; worked by hand: mean 1/5, std 0.4 of the scaled column [1, 0, 0, 0, 0].
    X = np.array([[6.12905203e-308], [0.0], [0.0], [0.0], [0.0]])
    for scaled in (X, X * 1e146):
        np.testing.assert_allclose(nnlib.standardize(scaled)[0].ravel(), [2.0, -0.5, -0.5, -0.5, -0.5], rtol=1e-12)


def test_standardize_gives_exact_zeros_for_a_constant_column_whatever_its_size():
    for value in (1.29619706e-100, 0.1, 3.0, 7e300):
        X_std, mean, std = nnlib.standardize(np.full((5, 1), value))
        assert np.all(X_std == 0) and mean[0] == value and std[0] == 1.0
