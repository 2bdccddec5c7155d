"""gradient_check: backprop against central differences for whole MLPs, its ReLU-kink
handling, and the bugs it exists to catch.

Shapes: N examples, D = sizes[0] features, C = sizes[-1] outputs.
"""

import numpy as np
import pytest

import nnlib

TOL = 1e-7
SHAPES = [[2, 1], [2, 8, 1], [2, 8, 8, 1], [3, 5, 4], [4, 6, 6, 3]]
ACTIVATIONS = ["tanh", "sigmoid", "relu"]


def problem(sizes, activation, seed=1, n=5):
    """A model with non-zero biases, its inputs, labels and the matching loss layer.

    Biases are set to small random values, as after some training: with all-zero
    biases an example that no unit of a ReLU layer responds to puts the next layer's
    inputs exactly on the kink at 0 (z = b = 0), and those entries would be skipped.
    """
    rng = np.random.default_rng(seed)
    model = nnlib.MLP(sizes, activation=activation, seed=seed)
    for layer in model.layers[::2]:
        layer.b[...] = rng.normal(scale=0.5, size=layer.b.shape)
    X = rng.normal(size=(n, sizes[0]))
    n_out = sizes[-1]
    if n_out == 1:
        return model, X, np.arange(n) % 2, nnlib.BCEWithLogitsLoss()
    return model, X, np.arange(n) % n_out, nnlib.CrossEntropyLoss()


@pytest.mark.parametrize("activation", ACTIVATIONS)
@pytest.mark.parametrize("sizes", SHAPES, ids=str)
def test_mlp_gradients_match_central_differences(sizes, activation):
    model, X, y, loss = problem(sizes, activation)
    result = nnlib.gradient_check(model, X, y, loss)
    n_dense = len(sizes) - 1
    assert list(result) == ["dX"] + [f"layers[{2 * i}].{p}" for i in range(n_dense) for p in "Wb"]
    assert result.skipped == {}
    assert result.max() < TOL, result


@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_regression_mlp_with_mse_loss(activation):
    rng = np.random.default_rng(2)
    model = nnlib.MLP([3, 6, 2], activation=activation, seed=2)
    X, Y = rng.normal(size=(5, 3)), rng.normal(size=(5, 2))
    assert nnlib.gradient_check(model, X, Y, nnlib.MSELoss()).max() < TOL


def test_fresh_relu_model_with_zero_biases_skips_the_kink_entries_instead_of_failing():
    # Example 2 makes every first-layer unit negative, so all its second-layer inputs are
    # exactly b = 0: nudging b moves them across the kink. Those entries are counted, not failed.
    model = nnlib.MLP([2, 3, 3, 1], activation="relu", seed=0)
    model.layers[0].W[...] = [[1.0, 1.0, 1.0], [1.0, 1.0, 1.0]]
    model.layers[2].W[...] = [[1.0, -1.0, 0.5], [0.5, 1.0, -1.0], [-0.5, 0.3, 1.0]]
    X = np.array([[1.0, 0.5], [0.3, 0.2], [-1.0, -2.0]])
    result = nnlib.gradient_check(model, X, [1, 0, 1], nnlib.BCEWithLogitsLoss())
    assert result.skipped == {"layers[2].b": 3}
    assert result.max() < TOL
    assert "3 entries skipped at a ReLU kink" in repr(result)


def test_gradient_check_on_a_single_layer_reports_dX_and_its_parameters():
    X = np.random.default_rng(0).normal(size=(4, 3))
    result = nnlib.gradient_check(nnlib.Dense(3, 2), X, [0, 1, 1, 0], nnlib.CrossEntropyLoss())
    assert list(result) == ["dX", "W", "b"]
    assert result.max() < TOL
    text = repr(result)
    assert text.splitlines()[0].split() == ["parameter", "rel_error"]
    assert len(text.splitlines()) == 4


def test_gradient_check_leaves_the_model_as_after_one_forward_and_backward():
    model, X, y, loss = problem([2, 4, 1], "tanh")
    weights = model.get_weights()
    X_before = X.copy()
    nnlib.gradient_check(model, X, y, loss)
    for before, (_, after, _) in zip(weights, model.parameters()):
        np.testing.assert_array_equal(before, after)
    np.testing.assert_array_equal(X, X_before)
    grads = [g.copy() for _, _, g in model.parameters()]
    loss.forward(model.forward(X), y)
    model.backward(loss.backward())
    for before, (_, _, after) in zip(grads, model.parameters()):
        np.testing.assert_array_equal(before, after)


# ---- the bugs a gradient check catches ------------------------------------------------


class PrecedenceBugSigmoid(nnlib.Sigmoid):
    def backward(self, dout):
        s = self.s
        return dout * s * 1 - s  # meant s * (1 - s)


class MissingTransposeDense(nnlib.Dense):
    def backward(self, dout):
        dX = super().backward(dout)
        # dout.T @ X is (H, D): for a square layer it fits into dW unnoticed, but it is
        # dW transposed. Only a gradient check (or a shape check on a non-square layer) sees it.
        self.dW[...] = dout.T @ self.X
        return dX


class NoMeanBCE(nnlib.BCEWithLogitsLoss):
    def backward(self):
        return super().backward() * len(self.saved[0])  # forgot to divide by N


def test_gradient_check_catches_the_sigmoid_precedence_bug():
    X = np.random.default_rng(0).normal(size=(4, 3))
    good = nnlib.gradient_check(nnlib.Sigmoid(), X, [0, 1, 2, 1], nnlib.CrossEntropyLoss())
    bad = nnlib.gradient_check(PrecedenceBugSigmoid(), X, [0, 1, 2, 1], nnlib.CrossEntropyLoss())
    assert good.max() < TOL
    assert bad["dX"] > 1e-2


def test_gradient_check_catches_a_wrong_weight_gradient():
    X = np.random.default_rng(0).normal(size=(5, 3))
    layer = MissingTransposeDense(3, 3, seed=1)
    result = nnlib.gradient_check(layer, X, [0, 1, 2, 1, 0], nnlib.CrossEntropyLoss())
    assert result["W"] > 1e-2
    assert result["b"] < TOL and result["dX"] < TOL


def test_gradient_check_catches_a_missing_division_by_n():
    X = np.random.default_rng(0).normal(size=(4, 2))
    result = nnlib.gradient_check(nnlib.Dense(2, 1), X, [0, 1, 1, 0], NoMeanBCE())
    # Every gradient is N = 4 times too large: rel_error |4g - g| / |5g| = 0.6.
    for name in ("dX", "W", "b"):
        assert result[name] == pytest.approx(0.6, abs=1e-6)


# ---- bad input ---------------------------------------------------------------------------


def test_gradient_check_wants_float64_parameters():
    model = nnlib.MLP([2, 3, 1], dtype=np.float32)
    with pytest.raises(TypeError, match=r"gradient_check needs float64 parameters, got layers\[0\]\.W \(float32\)"):
        nnlib.gradient_check(model, np.ones((2, 2)), [0, 1], nnlib.BCEWithLogitsLoss())


def test_gradient_check_wants_a_model_and_a_loss_layer():
    with pytest.raises(TypeError, match=r"model must have a forward\(\) method \(a layer or an MLP\), got function"):
        nnlib.gradient_check(nnlib.sigmoid, np.ones((2, 2)), [0, 1], nnlib.BCEWithLogitsLoss())
    with pytest.raises(TypeError, match=r"loss must be a loss layer with forward\(out, y\) and backward\(\), got function"):
        nnlib.gradient_check(nnlib.Dense(2, 1), np.ones((2, 2)), [0, 1], nnlib.binary_cross_entropy_with_logits)


def test_gradient_check_passes_on_input_errors_from_the_model():
    with pytest.raises(ValueError, match=r"X must have 2 features \(columns\), got shape \(2, 3\)"):
        nnlib.gradient_check(nnlib.MLP([2, 1]), np.ones((2, 3)), [0, 1], nnlib.BCEWithLogitsLoss())


# -- a check that compares nothing fails; nonsensical steps are refused ---------------------------


def test_a_relu_checked_at_zero_skips_everything_and_says_so_instead_of_passing():
    class WrongReLU(nnlib.ReLU):
        def backward(self, dout):
            return 3.0 * super().backward(dout)  # wrong: would pass if nothing were compared

    with pytest.raises(ValueError, match=r"gradient_check compared nothing: every entry of dX was skipped"):
        nnlib.gradient_check(WrongReLU(), np.zeros((3, 2)), np.zeros((3, 2)), nnlib.MSELoss())


@pytest.mark.parametrize("h", [0, -1, 1e-300, float("nan")])
def test_gradient_check_refuses_a_nonsensical_step(h):
    X = np.random.default_rng(0).normal(size=(4, 2))
    with pytest.raises(ValueError, match="h must be a positive finite number"):
        nnlib.gradient_check(nnlib.MLP([2, 3, 1]), X, [0, 1, 1, 0], nnlib.BCEWithLogitsLoss(), h=h)
