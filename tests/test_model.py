"""MLP: structure, forward and backward against its own layers run one by one,
parameters for an optimiser, predictions, weights, repr and bad input.

Shapes: N examples, D = sizes[0] features, C = sizes[-1] outputs.
"""

import numpy as np
import pytest

import nnlib


def test_layers_of_a_two_hidden_layer_net():
    model = nnlib.MLP([2, 8, 8, 1])
    kinds = [type(layer).__name__ for layer in model.layers]
    assert kinds == ["Dense", "Tanh", "Dense", "Tanh", "Dense"]
    assert [(layer.n_in, layer.n_out) for layer in model.layers[::2]] == [(2, 8), (8, 8), (8, 1)]


@pytest.mark.parametrize("activation, kind, init", [("tanh", "Tanh", "xavier"), ("sigmoid", "Sigmoid", "xavier"),
                                                     ("relu", "ReLU", "he")])
def test_activation_choice_and_default_init(activation, kind, init):
    model = nnlib.MLP([3, 4, 2], activation=activation)
    assert type(model.layers[1]).__name__ == kind
    assert model.layers[0].init == init


def test_no_hidden_layer_is_logistic_regression():
    model = nnlib.MLP([2, 1])
    assert len(model.layers) == 1 and type(model.layers[0]).__name__ == "Dense"


def test_forward_is_the_layers_applied_in_turn():
    model = nnlib.MLP([3, 5, 4, 2], activation="sigmoid", seed=3)
    X = np.random.default_rng(0).normal(size=(6, 3))
    W0, b0, W1, b1, W2, b2 = model.get_weights()
    sig = lambda z: 1 / (1 + np.exp(-z))  # noqa: E731
    expected = sig(sig(X @ W0 + b0) @ W1 + b1) @ W2 + b2
    np.testing.assert_allclose(model.forward(X), expected, rtol=1e-12)


def test_logits_are_a_new_array_each_time():
    model = nnlib.MLP([2, 3, 1])
    X = np.ones((4, 2))
    first = model.forward(X)
    kept = first.copy()
    model.forward(2 * X)
    np.testing.assert_array_equal(first, kept)


def test_forward_and_backward_do_not_modify_their_inputs():
    rng = np.random.default_rng(3)
    model = nnlib.MLP([2, 4, 3], activation="relu")
    X, d = rng.normal(size=(5, 2)), rng.normal(size=(5, 3))
    X_before, d_before = X.copy(), d.copy()
    model.forward(X)
    model.backward(d)
    np.testing.assert_array_equal(X, X_before)
    np.testing.assert_array_equal(d, d_before)


def test_parameters_list_every_weight_with_its_gradient():
    model = nnlib.MLP([2, 8, 8, 1])
    params = model.parameters()
    names = [name for name, _, _ in params]
    assert names == ["layers[0].W", "layers[0].b", "layers[2].W", "layers[2].b", "layers[4].W", "layers[4].b"]
    for (name, p, g), layer_attr in zip(params, [(0, "W"), (0, "b"), (2, "W"), (2, "b"), (4, "W"), (4, "b")]):
        i, attr = layer_attr
        assert p is getattr(model.layers[i], attr)
        assert g is getattr(model.layers[i], "d" + attr)
        assert g.shape == p.shape
    # 2*8 + 8 + 8*8 + 8 + 8*1 + 1
    assert model.n_parameters() == 105


def test_sgd_step_through_parameters_lowers_the_loss():
    X, y = nnlib.make_xor(n=64, seed=0)
    model = nnlib.MLP([2, 8, 1], seed=0)
    loss = nnlib.BCEWithLogitsLoss()
    opt = nnlib.SGD(lr=0.5)
    first = loss.forward(model.forward(X), y)
    for _ in range(20):
        loss.forward(model.forward(X), y)
        model.backward(loss.backward())
        opt.step(model.parameters())
    assert loss.forward(model.forward(X), y) < first - 0.01


def test_every_layer_gets_a_non_zero_gradient():
    X, y = nnlib.make_circle(n=50, seed=0)
    model = nnlib.MLP([2, 8, 8, 1], seed=0)
    loss = nnlib.BCEWithLogitsLoss()
    loss.forward(model.forward(X), y)
    model.backward(loss.backward())
    for name, _, g in model.parameters():
        assert np.abs(g).max() > 1e-4, name


def test_same_seed_same_model_other_seed_other_model():
    a, b, c = nnlib.MLP([2, 5, 1], seed=4), nnlib.MLP([2, 5, 1], seed=4), nnlib.MLP([2, 5, 1], seed=5)
    for wa, wb, wc in zip(a.get_weights(), b.get_weights(), c.get_weights()):
        np.testing.assert_array_equal(wa, wb)
    assert not np.allclose(a.get_weights()[0], c.get_weights()[0])
    # Layers of one model are not copies of each other either.
    d = nnlib.MLP([4, 4, 4, 1], seed=0)
    assert not np.allclose(d.layers[0].W, d.layers[2].W)


def test_predict_proba_and_predict_binary():
    model = nnlib.MLP([2, 1])
    model.layers[0].W[...] = [[1.0], [0.0]]
    X = np.array([[0.0, 5.0], [np.log(3.0), 0.0], [-np.log(3.0), 0.0]])
    np.testing.assert_allclose(model.predict_proba(X), [0.5, 0.75, 0.25])
    np.testing.assert_array_equal(model.predict(X), [1, 1, 0])  # 0.5 counts as class 1


def test_predict_proba_and_predict_multiclass():
    model = nnlib.MLP([2, 3])
    model.layers[0].W[...] = [[0.0, 1.0, 2.0], [0.0, 0.0, 0.0]]
    p = model.predict_proba([[1.0, 0.0], [-1.0, 0.0]])
    np.testing.assert_allclose(p[0], [0.09003057, 0.24472847, 0.66524096], atol=1e-8)  # softmax([0, 1, 2])
    np.testing.assert_allclose(p.sum(axis=1), 1.0)
    np.testing.assert_array_equal(model.predict([[1.0, 0.0], [-1.0, 0.0]]), [2, 0])


def test_get_and_set_weights_round_trip_and_copy():
    model = nnlib.MLP([2, 3, 1], seed=0)
    saved = model.get_weights()
    saved[0][0, 0] += 100.0  # a copy: the model is untouched
    assert model.layers[0].W[0, 0] != saved[0][0, 0]
    other = nnlib.MLP([2, 3, 1], seed=9)
    W_object = other.layers[0].W
    other.set_weights(model.get_weights())
    assert other.layers[0].W is W_object  # set in place, so an optimiser's references stay valid
    X = np.random.default_rng(0).normal(size=(4, 2))
    np.testing.assert_array_equal(other.forward(X), model.forward(X))


def test_repr_shows_sizes_layers_and_parameter_count():
    text = repr(nnlib.MLP([2, 8, 8, 1]))
    lines = text.splitlines()
    assert lines[0] == "MLP([2, 8, 8, 1], activation='tanh'): 105 parameters"
    assert lines[1].split() == ["(0)", "Dense(2", "->", "8,", "init='xavier')", "24", "parameters"]
    assert lines[2].split() == ["(1)", "Tanh()"]
    assert len(lines) == 6


def test_float32_model_stays_float32():
    model = nnlib.MLP([2, 4, 1], dtype=np.float32)
    out = model.forward(np.ones((3, 2)))
    assert out.dtype == np.float32
    assert all(p.dtype == np.float32 and g.dtype == np.float32 for _, p, g in model.parameters())


# ---- bad input ---------------------------------------------------------------------------


@pytest.mark.parametrize("sizes, error, message", [
    ([2], ValueError, r"sizes needs at least an input and an output size, like \[2, 1\]; got \[2\]"),
    ([], ValueError, r"sizes needs at least an input and an output size, like \[2, 1\]; got \[\]"),
    (3, ValueError, r"sizes needs at least an input and an output size, like \[2, 1\]; got \[3\]"),
    (None, TypeError, r"MLP needs sizes \(layer widths like \[2, 8, 1\]\) or layers=\[...\] \(layer objects\)"),
    ("281", TypeError, r"sizes must be a list of layer widths like \[2, 8, 1\], got str '281'"),
    ([2, 0, 1], ValueError, r"sizes\[1\] must be at least 1, got 0"),
    ([2, 3.5, 1], TypeError, r"sizes\[1\] must be an int, got float 3.5"),
])
def test_bad_sizes(sizes, error, message):
    with pytest.raises(error, match=message):
        nnlib.MLP(sizes)


def test_bad_activation_and_seed():
    with pytest.raises(ValueError, match=r"activation must be one of \['relu', 'sigmoid', 'tanh'\], got 'softmax'"):
        nnlib.MLP([2, 3, 1], activation="softmax")
    with pytest.raises(ValueError, match=r"seed must be at least 0, got -1"):
        nnlib.MLP([2, 3, 1], seed=-1)
    with pytest.raises(ValueError, match=r"init must be one of \('xavier', 'he', 'zeros'\), got 'ones'"):
        nnlib.MLP([2, 3, 1], init="ones")


def test_wrong_number_of_features():
    with pytest.raises(ValueError, match=r"X must have 2 features \(columns\), got shape \(4, 3\)"):
        nnlib.MLP([2, 3, 1]).forward(np.ones((4, 3)))
    with pytest.raises(ValueError, match=r"X must be 2-D, got shape \(4,\)"):
        nnlib.MLP([2, 3, 1]).forward(np.ones(4))
    with pytest.raises(ValueError, match=r"X must contain only finite numbers, got nan"):
        nnlib.MLP([2, 3, 1]).predict_proba([[0.0, np.nan]])


def test_backward_before_forward_and_wrong_dlogits_shape():
    model = nnlib.MLP([2, 3, 1])
    with pytest.raises(RuntimeError, match=r"MLP\.backward\(\) called before forward\(\)"):
        model.backward(np.ones((4, 1)))
    model.forward(np.ones((4, 2)))
    with pytest.raises(ValueError, match=r"dlogits must have the shape of the last logits \(4, 1\), got shape \(5, 1\)"):
        model.backward(np.ones((5, 1)))


def test_set_weights_checks_everything_before_changing_anything():
    model = nnlib.MLP([2, 3, 1], seed=0)
    before = model.get_weights()
    good = [np.zeros_like(w) for w in before]
    with pytest.raises(ValueError, match=r"weights must hold 4 arrays, got 3"):
        model.set_weights(good[:3])
    with pytest.raises(ValueError, match=r"weights for layers\[2\]\.W must have shape \(3, 1\), got \(1, 3\)"):
        model.set_weights(good[:2] + [np.zeros((1, 3)), good[3]])
    with pytest.raises(ValueError, match=r"weights for layers\[2\]\.b must contain only finite numbers, got nan"):
        model.set_weights(good[:3] + [np.array([np.nan])])
    for w, w_before in zip(model.get_weights(), before):
        np.testing.assert_array_equal(w, w_before)


def test_an_activation_that_is_not_a_name_is_named():
    with pytest.raises(ValueError, match=r"activation must be one of \['relu', 'sigmoid', 'tanh'\], got \['tanh'\]"):
        nnlib.MLP([2, 1], activation=["tanh"])


@pytest.mark.parametrize("dtype", [int, np.int32, np.float16, "complex128", "tanh"])
def test_weights_that_are_not_float32_or_float64_are_refused(dtype):
    with pytest.raises(TypeError, match="dtype must be np.float64 or np.float32"):
        nnlib.Dense(2, 3, dtype=dtype)
    with pytest.raises(TypeError, match="dtype must be np.float64 or np.float32"):
        nnlib.MLP([2, 3], dtype=dtype)


def test_weights_of_1e308_give_nan_logits_rather_than_blaming_X():
    model = nnlib.MLP([2, 3, 3, 1], activation="relu")
    for _, p, _ in model.parameters():
        p[...] = 1e308
    out = model.forward(np.ones((4, 2)))
    assert out.shape == (4, 1) and np.isnan(out).all()
