"""L1 and L2 penalties, and train's regularization= and history= arguments."""

import numpy as np
import pytest

import nnlib
from tolerance import tol


def circle(n=80, seed=0):
    return nnlib.make_playground_circle(n, seed=seed)


@pytest.mark.parametrize("penalty", [nnlib.L1(0.3), nnlib.L2(0.3)])
def test_add_grad_is_the_gradient_of_the_penalty_for_weights_only(penalty):
    model = nnlib.MLP([2, 3, 1], seed=0)
    for _, p, _ in model.parameters():
        p += 0.05  # no weight exactly at L1's kink 0, and biases not 0 either
    params = model.parameters()
    for _, _, g in params:
        g[...] = 0.0
    penalty.add_grad(params)
    for name, p, g in params:
        numeric = nnlib.numerical_gradient(lambda _: penalty.penalty(params), p)
        np.testing.assert_allclose(g, numeric, atol=1e-8, err_msg=name)
        if p.ndim == 1:
            assert not g.any(), f"{name}: biases are not penalised"


def test_penalties_by_hand():
    W = np.array([[1.0, -2.0], [0.5, 0.0]])
    params = [("W", W, np.zeros_like(W)), ("b", np.array([10.0, -10.0]), np.zeros(2))]
    assert nnlib.L2(0.1).penalty(params) == pytest.approx(0.1 * (1 + 4 + 0.25))
    assert nnlib.L1(0.1).penalty(params) == pytest.approx(0.1 * 3.5)
    nnlib.L1(0.1).add_grad(params)
    np.testing.assert_allclose(params[0][2], [[0.1, -0.1], [0.1, 0.0]])


def test_the_recorded_loss_is_the_data_loss_plus_the_penalty():
    X, y = circle()
    model = nnlib.MLP([2, 4, 1], seed=0)
    data_loss = nnlib.BCEWithLogitsLoss().forward(model.forward(X), y)
    weights = sum(np.sum(p ** 2) for _, p, _ in model.parameters() if p.ndim == 2)
    h = nnlib.train(model, X, y, nnlib.BCEWithLogitsLoss(), nnlib.SGD(0.0), 1, regularization=nnlib.L2(0.01))
    assert h.penalty[0] == pytest.approx(0.01 * weights, rel=1e-12)
    assert h.loss[0] == pytest.approx(data_loss + 0.01 * weights, rel=1e-12)


def test_l2_keeps_the_weights_smaller_and_l1_sets_some_to_zero():
    X, y = circle(200)
    sizes = {}
    for name, reg in [("none", None), ("L2", nnlib.L2(0.01)), ("L1", nnlib.L1(0.01))]:
        model = nnlib.MLP([2, 8, 1], seed=0)
        nnlib.train(model, X, y, nnlib.BCEWithLogitsLoss(), nnlib.SGD(0.1, momentum=0.9), 300, regularization=reg)
        W = np.concatenate([p.ravel() for _, p, _ in model.parameters() if p.ndim == 2])
        sizes[name] = (np.sum(W ** 2), np.mean(np.abs(W) < 1e-2))
    assert sizes["L2"][0] < 0.5 * sizes["none"][0]
    assert sizes["L1"][1] > sizes["none"][1] + 0.1  # many more weights near 0


def test_bad_rate_and_bad_regularization_are_refused():
    with pytest.raises(ValueError, match=r"rate must be at least 0.0, got -1"):
        nnlib.L2(-1)
    with pytest.raises(TypeError, match=r"rate must be a number, got str '0.1'"):
        nnlib.L1("0.1")
    X, y = circle(10)
    with pytest.raises(TypeError, match=r"regularization must be None, nnlib.L1\(rate\) or nnlib.L2\(rate\), got 'L2'"):
        nnlib.train(nnlib.MLP([2, 1]), X, y, nnlib.BCEWithLogitsLoss(), nnlib.SGD(0.1), 1, regularization="L2")


def test_continuing_a_history_is_training_on_without_a_pause():
    X, y = circle()
    X_val, y_val = circle(30, seed=1)
    loss = nnlib.BCEWithLogitsLoss()
    at_once = nnlib.train(nnlib.MLP([2, 4, 1], seed=0), X, y, loss, nnlib.SGD(0.1, momentum=0.9), 10,
                          X_val=X_val, y_val=y_val)
    model, opt, epochs = nnlib.MLP([2, 4, 1], seed=0), nnlib.SGD(0.1, momentum=0.9), []
    h = None
    for _ in range(10):
        h = nnlib.train(model, X, y, loss, opt, 1, X_val=X_val, y_val=y_val, history=h,
                        callback=lambda epoch, history, model: epochs.append(epoch))
    assert epochs == list(range(1, 11))
    for key in ("loss", "accuracy", "val_loss", "val_accuracy"):
        np.testing.assert_allclose(getattr(h, key), getattr(at_once, key), rtol=tol(np.float64, steps=10), err_msg=key)
    assert h.summary() == at_once.summary()


def test_a_diverged_history_is_not_continued():
    X, y = circle()
    with pytest.warns(nnlib.TrainingDiverged):
        h = nnlib.train(nnlib.MLP([2, 4, 1], seed=0), X, y, nnlib.BCEWithLogitsLoss(), nnlib.SGD(1e6), 20)
    with pytest.raises(ValueError, match=r"history must not have diverged to be continued"):
        nnlib.train(nnlib.MLP([2, 4, 1], seed=0), X, y, nnlib.BCEWithLogitsLoss(), nnlib.SGD(0.1), 1, history=h)
    with pytest.raises(TypeError, match=r"history must be a History to continue \(or None\), got list"):
        nnlib.train(nnlib.MLP([2, 4, 1], seed=0), X, y, nnlib.BCEWithLogitsLoss(), nnlib.SGD(0.1), 1, history=[])
