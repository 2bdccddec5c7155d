"""Layers and loss layers: values worked by hand, gradients against numerical_gradient,
bad input, and the promise never to modify the caller's arrays.

Shapes: N examples, D inputs, H outputs of a layer, C classes.
"""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import nnlib
from tolerance import tol

# A correct float64 gradient agrees with central differences to about 1e-9 here; a
# real bug gives 1e-2 or more (see test_gradient_check.py for planted bugs).
TOL = 1e-7


def numeric_vs_backprop(layer, X, loss, y):
    """Largest rel_error of dX (and of every parameter) for ``loss(layer(X), y)``."""
    result = nnlib.gradient_check(layer, X, y, loss)
    assert set(result) == {"dX"} | {name for name, _, _ in layer.parameters()}
    assert not result.skipped
    return result.max()


# ---- Dense --------------------------------------------------------------------------


def test_dense_forward_by_hand():
    layer = nnlib.Dense(2, 3)
    layer.W[...] = [[1.0, 0.0, -1.0], [2.0, 0.5, 0.0]]
    layer.b[...] = [0.5, -1.0, 0.0]
    X = np.array([[1.0, 1.0], [0.0, 2.0]])
    # Row 0: [1 + 2, 0 + 0.5, -1 + 0] + b; row 1: [4, 1, 0] + b.
    np.testing.assert_array_equal(layer.forward(X), [[3.5, -0.5, -1.0], [4.5, 0.0, 0.0]])


def test_dense_backward_by_hand():
    layer = nnlib.Dense(2, 3)
    layer.W[...] = [[1.0, 0.0, -1.0], [2.0, 0.5, 0.0]]
    X = np.array([[1.0, 1.0], [0.0, 2.0]])
    layer.forward(X)
    dout = np.array([[1.0, 0.0, 2.0], [0.0, 1.0, 0.0]])
    dX = layer.backward(dout)
    np.testing.assert_array_equal(dX, [[1.0 - 2.0, 2.0], [0.0, 0.5]])          # dout @ W.T
    np.testing.assert_array_equal(layer.dW, [[1.0, 0.0, 2.0], [1.0, 2.0, 2.0]])  # X.T @ dout
    np.testing.assert_array_equal(layer.db, [1.0, 1.0, 2.0])                     # dout summed over N


def test_dense_shapes_and_parameters():
    layer = nnlib.Dense(4, 3, seed=1)
    assert layer.W.shape == (4, 3) and layer.b.shape == (3,)
    assert layer.forward(np.ones((5, 4))).shape == (5, 3)
    assert layer.backward(np.ones((5, 3))).shape == (5, 4)
    names = [name for name, _, _ in layer.parameters()]
    assert names == ["W", "b"]
    (_, W, dW), (_, b, db) = layer.parameters()
    # The very arrays the layer uses, so an optimiser's in-place update reaches them.
    assert W is layer.W and dW is layer.dW and b is layer.b and db is layer.db
    assert repr(layer) == "Dense(4 -> 3, init='xavier')"


def test_parameters_after_backward_hold_this_batchs_gradients():
    # backward may make new dW and db arrays (as lesson 5 writes it): parameters() asked
    # after it gives them, which is what train does before every step.
    layer = nnlib.Dense(3, 2)
    rng = np.random.default_rng(0)
    for _ in range(2):
        X, dout = rng.normal(size=(4, 3)), rng.normal(size=(4, 2))
        layer.forward(X)
        layer.backward(dout)
        grads = dict((name, g) for name, _, g in layer.parameters())
        np.testing.assert_allclose(grads["W"], X.T @ dout)
        np.testing.assert_allclose(grads["b"], dout.sum(axis=0))


@pytest.mark.parametrize("loss, n_out, y", [
    (nnlib.CrossEntropyLoss(), 4, [0, 3, 1, 2, 1]),
    (nnlib.BCEWithLogitsLoss(), 1, [1, 0, 0, 1, 1]),
    (nnlib.MSELoss(), 2, [[0.5, -1.0], [2.0, 0.0], [1.0, 1.0], [-0.5, 0.3], [0.0, 0.2]]),
])
def test_dense_gradient_check(loss, n_out, y):
    X = np.random.default_rng(3).normal(size=(5, 3))
    assert numeric_vs_backprop(nnlib.Dense(3, n_out, seed=2), X, loss, y) < TOL


def test_dense_xavier_init_is_uniform_within_the_glorot_limit():
    layer = nnlib.Dense(30, 20, seed=0)
    limit = np.sqrt(6 / (30 + 20))
    assert np.all(np.abs(layer.W) <= limit)
    assert np.abs(layer.W).max() > 0.9 * limit  # it uses the whole range
    assert np.all(layer.b == 0)


def test_dense_he_init_has_std_sqrt_2_over_n_in():
    layer = nnlib.Dense(200, 100, seed=0, init="he")
    assert layer.W.std() == pytest.approx(np.sqrt(2 / 200), rel=0.03)
    assert layer.W.mean() == pytest.approx(0.0, abs=0.005)


def test_dense_same_seed_same_weights_other_seed_other_weights():
    np.testing.assert_array_equal(nnlib.Dense(3, 4, seed=7).W, nnlib.Dense(3, 4, seed=7).W)
    assert not np.allclose(nnlib.Dense(3, 4, seed=7).W, nnlib.Dense(3, 4, seed=8).W)


def test_zeros_init_makes_every_hidden_unit_learn_the_same_thing():
    # Why "zeros" fails: identical units get identical gradients, so they stay identical.
    hidden, act, out = nnlib.Dense(2, 3, init="zeros"), nnlib.Tanh(), nnlib.Dense(3, 1, init="zeros")
    out.W[...] = 0.5  # even with a non-zero output layer the hidden units stay clones
    X = np.random.default_rng(0).normal(size=(6, 2))
    loss = nnlib.BCEWithLogitsLoss()
    loss.forward(out.forward(act.forward(hidden.forward(X))), [0, 1, 1, 0, 1, 0])
    hidden.backward(act.backward(out.backward(loss.backward())))
    assert np.all(hidden.dW == hidden.dW[:, :1])  # every column (unit) the same
    assert np.all(hidden.db == hidden.db[0])


# ---- activation layers ----------------------------------------------------------------


def test_activation_layers_forward_by_hand():
    X = np.array([[-2.0, 0.0, 3.0]])
    np.testing.assert_allclose(nnlib.Sigmoid().forward(X), [[1 / (1 + np.e**2), 0.5, 1 / (1 + np.e**-3)]])
    np.testing.assert_allclose(nnlib.Tanh().forward(X), [[np.tanh(-2.0), 0.0, np.tanh(3.0)]])
    np.testing.assert_array_equal(nnlib.ReLU().forward(X), [[0.0, 0.0, 3.0]])


def test_activation_layers_backward_by_hand():
    X = np.array([[-2.0, 0.5, 3.0]])
    dout = np.array([[1.0, 2.0, -1.0]])
    s = 1 / (1 + np.exp(-X))
    layer = nnlib.Sigmoid()
    layer.forward(X)
    np.testing.assert_allclose(layer.backward(dout), dout * s * (1 - s))
    layer = nnlib.Tanh()
    layer.forward(X)
    np.testing.assert_allclose(layer.backward(dout), dout * (1 - np.tanh(X) ** 2))
    layer = nnlib.ReLU()
    layer.forward(X)
    np.testing.assert_array_equal(layer.backward(dout), [[0.0, 2.0, -1.0]])


@pytest.mark.parametrize("layer_type", [nnlib.Sigmoid, nnlib.Tanh, nnlib.ReLU])
@pytest.mark.parametrize("loss, y", [
    (nnlib.CrossEntropyLoss(), [2, 0, 1, 1, 3, 0]),
    (nnlib.MSELoss(), np.linspace(-1, 1, 24).reshape(6, 4)),
])
def test_activation_layer_gradient_check(layer_type, loss, y):
    # Inputs of order 1: deep in saturation (|x| > 4) tanh's slope is ~1e-3, the
    # gradient entries shrink towards the float64 noise of central differences
    # (about 1e-11), and a relative error says more about rounding than about backprop.
    X = np.random.default_rng(4).normal(size=(6, 4))
    assert numeric_vs_backprop(layer_type(), X, loss, y) < TOL


@pytest.mark.parametrize("layer_type", [nnlib.Sigmoid, nnlib.Tanh])
def test_saturating_layers_stay_finite_at_extreme_inputs(layer_type):
    layer = layer_type()
    out = layer.forward(np.array([[-1000.0, 1000.0, -1e300]]))
    dX = layer.backward(np.ones((1, 3)))
    assert np.all(np.isfinite(out)) and np.all(np.isfinite(dX))
    np.testing.assert_array_equal(dX, 0.0)


def test_relu_gradient_at_the_kink_is_zero():
    layer = nnlib.ReLU()
    layer.forward(np.array([[0.0, 1e-300, -1e-300]]))
    np.testing.assert_array_equal(layer.backward(np.ones((1, 3))), [[0.0, 1.0, 0.0]])


# ---- loss layers --------------------------------------------------------------------


def loss_gradient_error(loss, logits, y):
    """rel_error between loss.backward() and d loss / d logits by central differences."""
    logits = np.array(logits, dtype=np.float64)
    loss.forward(logits, y)
    analytic = loss.backward().copy()
    numeric = nnlib.numerical_gradient(lambda z: loss.forward(z, y), logits)
    assert analytic.shape == logits.shape
    return nnlib.rel_error(analytic, numeric)


def test_cross_entropy_loss_seed_softmax_example():
    # softmax([0, 1, 2]) = [0.0900, 0.2447, 0.6652]; the true class is 2.
    loss = nnlib.CrossEntropyLoss()
    assert loss.forward([[0.0, 1.0, 2.0]], [2]) == pytest.approx(-np.log(0.66524096), rel=1e-7)
    np.testing.assert_allclose(loss.backward(), [[0.09003057, 0.24472847, 0.66524096 - 1]], atol=1e-8)


def test_bce_with_logits_reproduces_the_seed_cross_entropies():
    # Probabilities [0.8, 0.7, 0.1]: summed cross entropy 0.6852 for labels [1, 1, 0]
    # and 5.1160 for [0, 0, 1]. The layer takes logits log(p / (1 - p)) and returns the mean.
    p = np.array([0.8, 0.7, 0.1])
    logits = np.log(p / (1 - p))
    loss = nnlib.BCEWithLogitsLoss()
    assert 3 * loss.forward(logits, [1, 1, 0]) == pytest.approx(0.68517901, rel=1e-7)
    assert 3 * loss.forward(logits, [0, 0, 1]) == pytest.approx(5.11599581, rel=1e-7)
    # (p - y) / N, in the shape the logits came in.
    np.testing.assert_allclose(loss.backward(), (p - [0, 0, 1]) / 3)


def test_mse_loss_by_hand():
    loss = nnlib.MSELoss()
    # Errors 1, -2, 0.5, 0 -> squares 1, 4, 0.25, 0 -> mean 1.3125.
    assert loss.forward([[1.0, 0.0], [2.5, 3.0]], [[0.0, 2.0], [2.0, 3.0]]) == pytest.approx(1.3125)
    np.testing.assert_allclose(loss.backward(), 2 * np.array([[1.0, -2.0], [0.5, 0.0]]) / 4)


def test_sigmoid_mse_loss_by_hand():
    loss = nnlib.SigmoidMSELoss()
    # sigmoid(0) = 0.5 for both: squared errors 0.25 and 0.25.
    assert loss.forward([[0.0], [0.0]], [1, 0]) == pytest.approx(0.25)
    # 2 (p - y) p (1 - p) / N = 2 * (-0.5) * 0.25 / 2 and 2 * 0.5 * 0.25 / 2.
    np.testing.assert_allclose(loss.backward(), [[-0.125], [0.125]])


@pytest.mark.parametrize("loss, logits, y", [
    (nnlib.CrossEntropyLoss(), [[0.2, -1.0, 3.0], [1.5, 0.3, -0.7], [0.0, 0.1, -0.1], [2.0, -2.0, 0.5]], [2, 0, 1, 1]),
    (nnlib.CrossEntropyLoss(), [[8.0, -8.0], [-3.0, 3.0]], [1, 1]),
    (nnlib.BCEWithLogitsLoss(), [[0.3], [-2.0], [4.0], [-0.1], [1.2]], [1, 0, 0, 1, 1]),
    (nnlib.BCEWithLogitsLoss(), [0.3, -2.0, 4.0], [1, 0, 0]),  # (N,) logits, as in PyTorch
    (nnlib.MSELoss(), [[0.5, -1.0], [2.0, 0.0], [1.0, 1.5]], [[0.0, 0.0], [1.0, 1.0], [2.0, -1.0]]),
    (nnlib.MSELoss(), [[0.5], [-1.0], [2.0]], [1.0, 0.0, 2.5]),
    (nnlib.SigmoidMSELoss(), [[0.3], [-2.0], [1.0], [-0.5]], [1, 0, 0, 1]),
])
def test_loss_layer_gradient_matches_central_differences(loss, logits, y):
    assert loss_gradient_error(loss, logits, y) < TOL


def test_bce_with_logits_extreme_values_by_hand():
    loss = nnlib.BCEWithLogitsLoss()
    # Confidently wrong (logit -1000 for a positive): loss = 1000; right: loss = 0.
    assert loss.forward([[-1000.0], [1000.0]], [1, 1]) == pytest.approx(500.0)
    np.testing.assert_allclose(loss.backward(), [[-0.5], [0.0]])


def test_cross_entropy_extreme_values_by_hand():
    loss = nnlib.CrossEntropyLoss()
    # Example 0 is wrong by 2000 (loss 2000), example 1 right (loss 0): mean 1000.
    assert loss.forward([[1000.0, -1000.0], [-1000.0, 1000.0]], [1, 1]) == pytest.approx(1000.0)
    np.testing.assert_allclose(loss.backward(), [[0.5, -0.5], [0.0, 0.0]])


def test_cross_entropy_gradient_rows_sum_to_zero():
    # sum_k (p_k - y_k) = 1 - 1: moving every logit up together changes nothing.
    rng = np.random.default_rng(5)
    loss = nnlib.CrossEntropyLoss()
    loss.forward(rng.normal(size=(7, 4)), rng.integers(0, 4, size=7))
    np.testing.assert_allclose(loss.backward().sum(axis=1), 0.0, atol=tol(np.float64))


def test_accuracy_of_loss_layers():
    assert nnlib.CrossEntropyLoss().accuracy([[2.0, 1.0], [0.0, 3.0], [1.0, 0.0]], [0, 1, 1]) == pytest.approx(2 / 3)
    assert nnlib.BCEWithLogitsLoss().accuracy([[2.0], [-1.0]], [1, 1]) == 0.5
    assert nnlib.MSELoss().accuracy([[2.0]], [1.0]) is None


# ---- never modify the caller's arrays --------------------------------------------------


@pytest.mark.parametrize("layer", [nnlib.Dense(3, 2), nnlib.Sigmoid(), nnlib.Tanh(), nnlib.ReLU()])
def test_layers_do_not_modify_their_inputs(layer):
    rng = np.random.default_rng(6)
    X = rng.normal(size=(4, 3))
    X_before = X.copy()
    out = layer.forward(X)
    dout = rng.normal(size=out.shape)
    dout_before = dout.copy()
    layer.backward(dout)
    np.testing.assert_array_equal(X, X_before)
    np.testing.assert_array_equal(dout, dout_before)


@pytest.mark.parametrize("loss, logits, y", [
    (nnlib.CrossEntropyLoss(), np.array([[0.5, -1.0, 2.0], [0.0, 0.0, 1.0]]), np.array([2, 0])),
    (nnlib.BCEWithLogitsLoss(), np.array([[0.5], [-1.0]]), np.array([1.0, 0.0])),
    (nnlib.MSELoss(), np.array([[0.5], [-1.0]]), np.array([1.0, 0.0])),
])
def test_loss_layers_do_not_modify_their_inputs(loss, logits, y):
    logits_before, y_before = logits.copy(), y.copy()
    loss.forward(logits, y)
    grad = loss.backward()
    grad *= 0  # even scribbling on the returned gradient must not reach the logits
    np.testing.assert_array_equal(logits, logits_before)
    np.testing.assert_array_equal(y, y_before)


# ---- bad input --------------------------------------------------------------------------


def test_dense_wrong_number_of_features():
    with pytest.raises(ValueError, match=r"X must have 3 features \(columns\), got shape \(4, 2\)"):
        nnlib.Dense(3, 2).forward(np.ones((4, 2)))


@pytest.mark.parametrize("layer", [nnlib.Dense(3, 2), nnlib.Sigmoid(), nnlib.Tanh(), nnlib.ReLU()])
def test_layers_want_a_2d_batch(layer):
    with pytest.raises(ValueError, match=r"X must be 2-D, got shape \(3,\)"):
        layer.forward(np.ones(3))


@pytest.mark.parametrize("layer", [nnlib.Dense(3, 2), nnlib.Sigmoid(), nnlib.Tanh(), nnlib.ReLU()])
def test_backward_before_forward(layer):
    with pytest.raises(RuntimeError, match=rf"{type(layer).__name__}\.backward\(\) called before forward\(\)"):
        layer.backward(np.ones((4, 2)))


@pytest.mark.parametrize("loss", [nnlib.CrossEntropyLoss(), nnlib.BCEWithLogitsLoss(), nnlib.MSELoss(),
                                  nnlib.SigmoidMSELoss()])
def test_loss_backward_before_forward(loss):
    with pytest.raises(RuntimeError, match=rf"{type(loss).__name__}\.backward\(\) called before forward\(\)"):
        loss.backward()


def test_failed_forward_leaves_no_stale_gradient():
    loss = nnlib.CrossEntropyLoss()
    loss.forward([[1.0, 0.0]], [0])
    with pytest.raises(ValueError):
        loss.forward([[1.0, 0.0]], [5])
    with pytest.raises(RuntimeError, match="called before forward"):
        loss.backward()


def test_dout_must_have_the_output_shape():
    layer = nnlib.Dense(3, 2)
    layer.forward(np.ones((4, 3)))
    with pytest.raises(ValueError, match=r"dout must have the shape of this layer's output \(4, 2\), got \(4, 3\)"):
        layer.backward(np.ones((4, 3)))


def test_non_numeric_and_non_finite_inputs():
    with pytest.raises(TypeError, match=r"X must hold real numbers, got an array of dtype <U"):
        nnlib.Tanh().forward([["a", "b"]])
    with pytest.raises(ValueError, match=r"X must contain only finite numbers, got nan"):
        nnlib.Dense(2, 1).forward([[1.0, np.nan]])
    for layer in (nnlib.Dense(2, 1), nnlib.Sigmoid(), nnlib.Tanh(), nnlib.ReLU()):
        with pytest.raises(ValueError, match=r"X must contain only finite numbers, got inf"):
            layer.forward(np.array([[1.0, np.inf]]))
    with pytest.raises(ValueError, match=r"logits must contain only finite numbers, got inf"):
        nnlib.CrossEntropyLoss().forward([[1.0, np.inf]], [0])


@pytest.mark.parametrize("kwargs, error, message", [
    (dict(n_in=0, n_out=2), ValueError, r"n_in must be at least 1, got 0"),
    (dict(n_in=3, n_out=2.5), TypeError, r"n_out must be an int, got float 2.5"),
    (dict(n_in=3, n_out=2, init="normal"), ValueError, r"init must be one of \('xavier', 'he', 'zeros'\), got 'normal'"),
])
def test_dense_bad_arguments(kwargs, error, message):
    with pytest.raises(error, match=message):
        nnlib.Dense(**kwargs)


@pytest.mark.parametrize("logits, y, message", [
    (np.zeros((3, 4)), [0, 1], r"y must have one label per example: expected 3, got 2"),
    (np.zeros((3, 4)), [0, 1, 4], r"y must hold labels in range\(4\) \(0 \.\. 3\), got 4"),
    (np.zeros((3, 4)), [0, 1, -1], r"y must hold labels in range\(4\) \(0 \.\. 3\), got -1"),
    (np.zeros((3, 4)), [0, 1, 1.5], r"y must hold whole-number class labels, got 1.5"),
    (np.zeros((3, 4)), np.eye(4)[[0, 1, 2]], r"y must be index labels \(N,\) = \(3,\), got one-hot rows of shape \(3, 4\); pass y.argmax\(axis=1\)"),
    (np.zeros((3, 4)), [[0, 1, 2]], r"y must be a 1-D array of class labels \(N,\), got shape \(1, 3\)"),
    (np.zeros(3), [0, 0, 0], r"logits must be \(N, C\) with C >= 2 classes, got shape \(3,\)"),
    (np.zeros((3, 1)), [0, 0, 0], r"logits must be \(N, C\) with C >= 2 classes, got shape \(3, 1\)"),
])
def test_cross_entropy_bad_labels(logits, y, message):
    with pytest.raises(ValueError, match=message):
        nnlib.CrossEntropyLoss().forward(logits, y)


@pytest.mark.parametrize("logits, y, message", [
    (np.zeros((3, 1)), [0, 1, 2], r"y must hold labels in range\(2\) \(0 \.\. 1\), got 2"),
    (np.zeros((3, 1)), [0, 1], r"y must have one label per example: expected 3, got 2"),
    (np.zeros((3, 2)), [0, 1, 1], r"logits must have one column for binary labels, got shape \(3, 2\)"),
    (np.zeros((3, 1)), [[0, 1, 1]], r"y must be a 1-D array of class labels \(N,\), got shape \(1, 3\)"),
    (np.zeros((2, 2, 1)), [0, 1], r"logits must be \(N,\) or \(N, C\), got shape \(2, 2, 1\)"),
])
def test_bce_with_logits_bad_labels(logits, y, message):
    with pytest.raises(ValueError, match=message):
        nnlib.BCEWithLogitsLoss().forward(logits, y)


def test_mse_loss_bad_target_shape():
    with pytest.raises(ValueError, match=r"y must match the predictions \(3, 1\) \(or be \(3,\)\), got \(2, 1\)"):
        nnlib.MSELoss().forward(np.zeros((3, 1)), [0.0, 1.0])


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.floats(-1e308, 1e308), st.integers(0, 1)), min_size=1, max_size=20))
def test_bce_layer_matches_the_loss_functions_for_any_finite_logit(pairs):
    # The layer computes the loss and p - y in another form (see BCEWithLogitsLoss); it
    # must give the numbers of binary_cross_entropy_with_logits and its _grad.
    z = np.array([p[0] for p in pairs])
    y = np.array([p[1] for p in pairs])
    loss = nnlib.BCEWithLogitsLoss()
    value = loss.forward(z, y)
    assert value == pytest.approx(nnlib.binary_cross_entropy_with_logits(z, y), rel=1e-12, abs=1e-300)
    # (sigmoid(z) - 1) rounds to within 1.1e-16 of the true value when sigmoid(z) is
    # near 1: the absolute tolerance allows for that (the layer's form is the closer one).
    np.testing.assert_allclose(loss.backward(), nnlib.binary_cross_entropy_with_logits_grad(z, y),
                               rtol=1e-12, atol=4e-16)
