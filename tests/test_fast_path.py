"""The speed-ups behind MLP and train give the numbers of the plain code.

MLP runs forward and backward through work buffers, in blocks of rows, on several
threads, and keeps its parameters in one flat array; train checks inputs once and
steps all parameters at once. Each test here compares one of those routes with the
plain one the lessons show (layer.forward / layer.backward, per-parameter steps).
"""

import os
import time
import warnings

import numpy as np
import pytest

import nnlib
from nnlib import model as model_module


def layer_by_layer(model, X, dlogits):
    """Forward and backward through model.layers with the layers' own plain methods."""
    out = X
    for layer in model.layers:
        out = layer.forward(out)
    d = dlogits
    for layer in reversed(model.layers):
        d = layer.backward(d)
    return out, d, [g.copy() for _, _, g in model.parameters()]


@pytest.fixture
def threads(monkeypatch, request):
    """Run on ``request.param`` threads, with any N large enough to share out."""
    monkeypatch.setattr(model_module, "THREADS", request.param)
    monkeypatch.setattr(model_module, "PARALLEL_MIN", 0)
    return request.param


@pytest.mark.parametrize("threads", [1, 2, 3], indirect=True)
@pytest.mark.parametrize("n", [1, 2, 5, 7, model_module.BLOCK_ROWS, model_module.BLOCK_ROWS + 37,
                               3 * model_module.BLOCK_ROWS + 17])
@pytest.mark.parametrize("activation", ["tanh", "sigmoid", "relu"])
def test_blocks_and_threads_give_the_plain_loop_numbers(threads, n, activation):
    rng = np.random.default_rng(n)
    model = nnlib.MLP([3, 6, 5, 2], activation=activation, seed=4)
    X = rng.normal(size=(n, 3))
    dlogits = rng.normal(size=(n, 2)) / n
    assert len(model._fast_state().plan(n)) == min(threads, n)
    logits = model.forward(X)
    dX = model.backward(dlogits)
    grads = [g.copy() for _, _, g in model.parameters()]
    plain_logits, plain_dX, plain_grads = layer_by_layer(model, X, dlogits)
    np.testing.assert_allclose(logits, plain_logits, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(dX, plain_dX, rtol=1e-10, atol=1e-15)
    for g, plain in zip(grads, plain_grads):
        np.testing.assert_allclose(g, plain, rtol=1e-10, atol=1e-15)


def test_two_forwards_of_different_sizes_then_backward_uses_the_last():
    # The work buffers of the last forward, not those of an earlier, larger one.
    rng = np.random.default_rng(2)
    model = nnlib.MLP([2, 4, 1], seed=0)
    X_big, X_small = rng.normal(size=(9, 2)), rng.normal(size=(3, 2))
    model.forward(X_big)
    model.forward(X_small)
    d = rng.normal(size=(3, 1))
    dX = model.backward(d)
    _, plain_dX, _ = layer_by_layer(model, X_small, d)
    np.testing.assert_allclose(dX, plain_dX, rtol=1e-12)


@pytest.mark.parametrize("threads", [2], indirect=True)
def test_threaded_gradients_do_not_depend_on_timing(threads):
    # Each thread sums its own blocks, then the sums are added in a fixed order: the
    # same input gives bit-for-bit the same gradients every time.
    rng = np.random.default_rng(0)
    model = nnlib.MLP([2, 16, 1], seed=1)
    X, d = rng.normal(size=(5000, 2)), rng.normal(size=(5000, 1))
    first = None
    for _ in range(5):
        model.forward(X)
        model.backward(d)
        grads = np.concatenate([g.ravel() for _, _, g in model.parameters()])
        if first is None:
            first = grads.copy()
        np.testing.assert_array_equal(grads, first)


@pytest.mark.parametrize("threads", [2], indirect=True)
def test_threaded_training_matches_one_thread(threads, monkeypatch):
    X, y = nnlib.make_circle(n=3000, seed=2)
    runs = []
    for count in (1, 2):
        monkeypatch.setattr(model_module, "THREADS", count)
        model = nnlib.MLP([2, 8, 1], seed=0)
        history = nnlib.train(model, X, y, nnlib.BCEWithLogitsLoss(), nnlib.SGD(0.5, momentum=0.9), 20)
        runs.append((history.loss, model.get_weights()))
    np.testing.assert_allclose(runs[0][0], runs[1][0], rtol=1e-12)
    for a, b in zip(runs[0][1], runs[1][1]):
        np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-13)


def test_tanh_keeps_no_full_array_of_its_input_relu_does():
    # tanh's backward reads its output t, so the Dense output z before it lives in a
    # scratch block; relu's backward reads z, so z is kept whole.
    tanh = nnlib.MLP([2, 4, 4, 1], activation="tanh")
    relu = nnlib.MLP([2, 4, 4, 1], activation="relu")
    shapes = lambda m: [None if b is None else b.shape for b in m._fast_state().outputs(10)]  # noqa: E731
    assert shapes(tanh) == [None, (10, 4), None, (10, 4)]
    assert shapes(relu) == [(10, 4), (10, 4), (10, 4), (10, 4)]


def test_every_parameter_is_a_window_on_one_flat_array():
    model = nnlib.MLP([2, 3, 1], seed=0)
    [(name, theta, grad)] = model._flat_parameters()
    params = model.parameters()
    assert theta.size == grad.size == model.n_parameters() == sum(p.size for _, p, _ in params)
    np.testing.assert_array_equal(theta, np.concatenate([p.ravel() for _, p, _ in params]))
    theta[0] = 42.0
    assert model.layers[0].W[0, 0] == 42.0
    model.forward(np.ones((4, 2)))
    model.backward(np.ones((4, 1)))
    np.testing.assert_array_equal(grad, np.concatenate([g.ravel() for _, _, g in params]))


@pytest.mark.parametrize("optimizer", [lambda: nnlib.SGD(0.1, momentum=0.9), lambda: nnlib.Adam(0.01)])
def test_a_step_on_the_flat_array_is_a_step_on_each_parameter(optimizer):
    X, y = nnlib.make_circle(n=64, seed=1)
    models = [nnlib.MLP([2, 5, 1], seed=3) for _ in range(2)]
    optimizers = [optimizer(), optimizer()]
    for _ in range(5):
        for model, opt, flat in zip(models, optimizers, (True, False)):
            loss = nnlib.BCEWithLogitsLoss()
            loss.forward(model.forward(X), y)
            model.backward(loss.backward())
            opt.step(model._flat_parameters() if flat else model.parameters())
    for a, b in zip(models[0].get_weights(), models[1].get_weights()):
        np.testing.assert_array_equal(a, b)


def test_a_replaced_weight_array_is_still_trained():
    # A learner may give a layer a new W; the flat array no longer holds it, so train
    # falls back to stepping each parameter, and the new W learns.
    X, y = nnlib.make_circle(n=100, seed=0)
    model = nnlib.MLP([2, 4, 1], seed=0)
    model.layers[0].W = np.ones((2, 4))
    assert len(model._flat_parameters()) == 4
    nnlib.train(model, X, y, nnlib.BCEWithLogitsLoss(), nnlib.SGD(0.1), 5)
    assert not np.allclose(model.layers[0].W, 1.0)


class RecordingLoss(nnlib.BCEWithLogitsLoss):
    """A learner's loss that overrides forward: train must call it on every batch."""

    def __init__(self):
        self.calls = 0

    def forward(self, logits, y):
        self.calls += 1
        return super().forward(logits, y)


def test_train_calls_a_loss_subclass_forward_and_gets_the_same_history():
    X, y = nnlib.make_circle(n=60, seed=0)
    X_val, y_val = nnlib.make_circle(n=20, seed=1)
    histories = []
    for loss in (RecordingLoss(), nnlib.BCEWithLogitsLoss()):
        model = nnlib.MLP([2, 3, 1], seed=0)
        histories.append(nnlib.train(model, X, y, loss, nnlib.SGD(0.1), 4, batch_size=25,
                                     X_val=X_val, y_val=y_val))
    assert histories[0].loss and histories[0].accuracy and histories[0].val_accuracy
    for key, values in histories[0].as_dict().items():
        np.testing.assert_allclose(values, histories[1].as_dict()[key], rtol=1e-12, err_msg=key)


def test_recording_loss_sees_every_batch_and_validation():
    X, y = nnlib.make_circle(n=60, seed=0)
    X_val, y_val = nnlib.make_circle(n=20, seed=1)
    loss = RecordingLoss()
    nnlib.train(nnlib.MLP([2, 3, 1], seed=0), X, y, loss, nnlib.SGD(0.1), 4, batch_size=25,
                X_val=X_val, y_val=y_val)
    assert loss.calls == 4 * (3 + 1)  # 3 batches and one validation pass per epoch


def test_bad_labels_are_refused_once_before_training_with_their_name():
    X, _ = nnlib.make_circle(n=30, seed=0)
    y = np.zeros(30, dtype=np.int64)
    y[17] = 2
    with pytest.raises(ValueError, match=r"y must hold labels in range\(2\).*got 2"):
        nnlib.train(nnlib.MLP([2, 3, 1]), X, y, nnlib.BCEWithLogitsLoss(), nnlib.SGD(0.1), 3, batch_size=4)
    y_val = np.array([0, 1, 5])
    with pytest.raises(ValueError, match=r"got 5"):
        nnlib.train(nnlib.MLP([2, 3, 1]), X, np.zeros(30), nnlib.BCEWithLogitsLoss(), nnlib.SGD(0.1), 3,
                    X_val=np.zeros((3, 2)), y_val=y_val)


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")
@pytest.mark.parametrize("threads", [2], indirect=True)
def test_a_forked_child_process_can_still_use_threads(threads):
    model = nnlib.MLP([2, 8, 1], seed=0)
    X = np.random.default_rng(0).normal(size=(3000, 2))
    expected = model.forward(X)  # starts the thread pool in this process
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # fork in a process with threads
        pid = os.fork()
    if pid == 0:  # the child: exit 0 only if threaded forward works and agrees
        ok = False
        try:
            ok = np.array_equal(model.forward(X), expected)
        finally:
            os._exit(0 if ok else 1)
    # Without a pool of its own, the child would wait forever for the parent's threads.
    for _ in range(200):
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            break
        time.sleep(0.05)
    else:
        os.kill(pid, 9)
        os.waitpid(pid, 0)
        pytest.fail("the forked child hung in a threaded forward pass")
    assert os.waitstatus_to_exitcode(status) == 0
