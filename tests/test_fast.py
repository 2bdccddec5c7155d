"""nnlib/fast.py runs only for nnlib's own classes, and gives the plain loop's numbers.

The plain loop (train.py calling each layer's forward and backward) is the reference.
A subclass that overrides any method involved must run as written: these tests put a
learner's classes in every place and check that their code is what ran.
"""

import numpy as np
import pytest

import nnlib
from nnlib import fast
from tolerance import assert_close, tol


class PlainMLP(nnlib.MLP):
    """An MLP subclass that overrides forward (to nothing new): train must use the plain loop."""

    def forward(self, X):
        return super().forward(X)


def data(kind, n=64, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 2))
    if kind == "binary":
        return X, (X[:, 0] ** 2 + X[:, 1] ** 2 > 1).astype(int)
    if kind == "classes":
        return X, np.digitize(X[:, 0], [-0.5, 0.5])
    return X, np.sin(X[:, 0]) + 0.5 * X[:, 1]


LOSSES = {
    "bce": (nnlib.BCEWithLogitsLoss, "binary", 1),
    "sigmoid mse": (nnlib.SigmoidMSELoss, "binary", 1),
    "cross entropy": (nnlib.CrossEntropyLoss, "classes", 3),
    "mse": (nnlib.MSELoss, "regression", 1),
}


def both_paths(sizes, activation, loss_name, optimizer, epochs=30, **kwargs):
    loss_class, kind, n_out = LOSSES[loss_name]
    X, y = data(kind)
    X_val, y_val = data(kind, n=20, seed=1)
    runs = []
    for cls in (nnlib.MLP, PlainMLP):
        model = cls(sizes + [n_out], activation=activation, seed=3)
        history = nnlib.train(model, X, y, loss_class(), optimizer(), epochs, X_val=X_val, y_val=y_val, **kwargs)
        runs.append((model, history))
    return runs


@pytest.mark.parametrize("activation", ["tanh", "sigmoid", "relu"])
@pytest.mark.parametrize("loss_name", list(LOSSES))
@pytest.mark.parametrize("optimizer, kwargs", [
    (lambda: nnlib.SGD(0.1, momentum=0.9), {}),
    (lambda: nnlib.Adam(0.01), {"batch_size": 24}),
    (lambda: nnlib.SGD(0.1), {"regularization": nnlib.L2(1e-3)}),
    (lambda: nnlib.SGD(0.1), {"regularization": nnlib.L1(1e-3), "batch_size": 10}),
])
def test_fast_and_plain_paths_give_the_same_history_and_weights(activation, loss_name, optimizer, kwargs):
    (fast_model, fast_h), (plain_model, plain_h) = both_paths([2, 5, 4], activation, loss_name, optimizer, **kwargs)
    assert fast_h.epochs_run == plain_h.epochs_run == 30
    for key in ("loss", "accuracy", "val_loss", "val_accuracy", "penalty"):
        np.testing.assert_allclose(getattr(fast_h, key), getattr(plain_h, key), rtol=tol(np.float64, steps=30), atol=1e-14, err_msg=key)
    for (name, p, _), (_, q, _) in zip(fast_model.parameters(), plain_model.parameters()):
        assert_close(p, q, np.float64, steps=30, err_msg=name)


@pytest.mark.parametrize("activation", ["tanh", "sigmoid", "relu"])
def test_many_rows_run_in_blocks_with_the_plain_numbers(activation):
    # More rows than a block: forward and backward go block by block, and dW, db add up
    # the blocks' shares (in another order than one big product, so to rounding).
    rng = np.random.default_rng(1)
    n = 2 * fast.BLOCK_ROWS + 77
    X = rng.normal(size=(n, 2))
    y = (X[:, 0] * X[:, 1] > 0).astype(int)
    X_val, y_val = X[:300] + 0.1, y[:300]  # stacked after the training rows: over a block's edge
    runs = []
    for cls in (nnlib.MLP, PlainMLP):
        model = cls([2, 6, 5, 1], activation=activation, seed=2)
        runs.append((model, nnlib.train(model, X, y, nnlib.BCEWithLogitsLoss(), nnlib.SGD(0.3, momentum=0.9), 8,
                                        X_val=X_val, y_val=y_val)))
    np.testing.assert_allclose(runs[0][1].loss, runs[1][1].loss, rtol=tol(np.float64, steps=8))
    np.testing.assert_allclose(runs[0][1].val_loss, runs[1][1].val_loss, rtol=tol(np.float64, steps=8))
    for (name, p, _), (_, q, _) in zip(runs[0][0].parameters(), runs[1][0].parameters()):
        np.testing.assert_allclose(p, q, rtol=1e-10, atol=1e-13, err_msg=name)


def test_a_callback_that_changes_the_weights_is_seen_by_the_next_epoch():
    # With a validation set, the fast path reuses the layers' outputs of the validation
    # pass for the next step; weights a callback changed in between must not be missed.
    X, y = data("binary")
    X_val, y_val = data("binary", n=20, seed=1)

    def shrink(epoch, history, model):
        model.layers[0].W *= 0.9  # in place, as a learner's weight decay by hand might

    runs = []
    for cls in (nnlib.MLP, PlainMLP):
        model = cls([2, 5, 1], seed=3)
        runs.append(nnlib.train(model, X, y, nnlib.BCEWithLogitsLoss(), nnlib.SGD(0.1, momentum=0.9), 10,
                                X_val=X_val, y_val=y_val, callback=shrink))
    np.testing.assert_allclose(runs[0].loss, runs[1].loss, rtol=tol(np.float64, steps=10))
    np.testing.assert_allclose(runs[0].val_loss, runs[1].val_loss, rtol=tol(np.float64, steps=10))


def test_the_fast_path_is_chosen_only_for_nnlibs_own_classes():
    X, y = data("binary")

    def chosen(model=None, loss=None, optimizer=None, regularization=None):
        return fast.Trainer.maybe(model or nnlib.MLP([2, 3, 1]), loss or nnlib.BCEWithLogitsLoss(),
                                  optimizer or nnlib.SGD(0.1), regularization, X, y, None, None) is not None

    class MyDense(nnlib.Dense):
        def backward(self, dout):
            return super().backward(dout)

    class MyTanh(nnlib.Tanh):
        def forward(self, X):
            return super().forward(X)

    class MyLoss(nnlib.BCEWithLogitsLoss):
        def backward(self):
            return super().backward()

    class MySGD(nnlib.SGD):
        def step(self, parameters):
            super().step(parameters)

    class MyL2(nnlib.L2):
        def grad_of(self, W):
            return super().grad_of(W)

    class Doubler:  # a layer written from scratch
        def forward(self, X):
            return 2 * X

        def backward(self, dout):
            return 2 * dout

    assert chosen()
    assert chosen(nnlib.MLP(layers=[nnlib.Dense(2, 3), nnlib.Tanh(), nnlib.Dense(3, 1)]))
    assert chosen(regularization=nnlib.L2(0.1))
    assert not chosen(PlainMLP([2, 3, 1]))
    assert not chosen(nnlib.MLP(layers=[MyDense(2, 3), nnlib.Tanh(), nnlib.Dense(3, 1)]))
    assert not chosen(nnlib.MLP(layers=[nnlib.Dense(2, 3), MyTanh(), nnlib.Dense(3, 1)]))
    assert not chosen(nnlib.MLP(layers=[nnlib.Dense(2, 3), Doubler(), nnlib.Dense(3, 1)]))
    assert not chosen(loss=MyLoss())
    assert not chosen(optimizer=MySGD(0.1))
    assert not chosen(regularization=MyL2(0.1))
    assert not chosen(nnlib.MLP([2, 3, 1], dtype=np.float32))  # X is float64: the plain path converts
    assert not chosen(nnlib.MLP(layers=[nnlib.Dense(3, 1)]))  # 3 inputs for 2 columns: the plain path says so


class BugSigmoid(nnlib.Sigmoid):
    """The seed's precedence bug: ``s * 1 - s`` is ``s - s``."""

    def backward(self, dout):
        s = self.s
        return dout * s * 1 - s


def test_gradient_check_of_an_mlp_holding_the_precedence_bug_fails():
    X, y = data("binary", n=8)
    model = nnlib.MLP([2, 4, 1], activation="sigmoid", seed=0)
    assert nnlib.gradient_check(model, X, y, nnlib.BCEWithLogitsLoss()).max() < 1e-7
    model.layers[1] = BugSigmoid()
    assert nnlib.gradient_check(model, X, y, nnlib.BCEWithLogitsLoss()).max() > 1e-2


class DecayDense(nnlib.Dense):
    """Weight decay added in backward, counting its calls."""

    calls = 0

    def backward(self, dout):
        DecayDense.calls += 1
        dX = super().backward(dout)
        self.dW = self.dW + 0.1 * self.W
        return dX


def test_weight_decay_added_in_a_dense_subclass_changes_the_trained_weights():
    X, y = data("binary")
    plain = nnlib.MLP(layers=[nnlib.Dense(2, 4, seed=1), nnlib.Tanh(), nnlib.Dense(4, 1, seed=2)])
    decayed = nnlib.MLP(layers=[DecayDense(2, 4, seed=1), nnlib.Tanh(), DecayDense(4, 1, seed=2)])
    DecayDense.calls = 0
    for model in (plain, decayed):
        nnlib.train(model, X, y, nnlib.BCEWithLogitsLoss(), nnlib.SGD(0.5), 20)
    assert DecayDense.calls == 2 * 20
    # decay pulls the weights towards 0
    assert np.sum(decayed.layers[0].W ** 2) < np.sum(plain.layers[0].W ** 2)
    assert not np.allclose(decayed.layers[2].W, plain.layers[2].W)


def test_a_tanh_subclass_forward_changes_the_mlps_logits():
    class ShiftedTanh(nnlib.Tanh):
        def forward(self, X):
            return super().forward(X) + 1.0

    X, _ = data("binary", n=5)
    model = nnlib.MLP([2, 3, 1], seed=0)
    before = model.forward(X)
    model.layers[1] = ShiftedTanh()
    shift = model.forward(X) - before  # every hidden output up by 1 adds the column sums of W
    np.testing.assert_allclose(shift, np.tile(model.layers[2].W.sum(axis=0), (5, 1)), rtol=1e-12)


def test_train_calls_an_mlp_subclass_backward_and_a_loss_subclass_forward():
    calls = {"backward": 0, "loss": 0}

    class MyMLP(nnlib.MLP):
        def backward(self, dlogits):
            calls["backward"] += 1
            return super().backward(dlogits)

    class MyLoss(nnlib.BCEWithLogitsLoss):
        def forward(self, logits, y):
            calls["loss"] += 1
            return super().forward(logits, y)

    X, y = data("binary", n=60)
    X_val, y_val = data("binary", n=20, seed=1)
    nnlib.train(MyMLP([2, 3, 1]), X, y, MyLoss(), nnlib.SGD(0.1), 4, batch_size=25, X_val=X_val, y_val=y_val)
    # 3 batches + a validation pass an epoch, and the loss before training on both sets
    assert calls == {"backward": 4 * 3, "loss": 4 * (3 + 1) + 2}


def test_a_layer_written_from_scratch_trains_inside_an_mlp():
    class Square:
        def forward(self, X):
            self.X = X
            return X ** 2

        def backward(self, dout):
            return 2 * self.X * dout

    X, y = data("binary", n=200)
    model = nnlib.MLP(layers=[Square(), nnlib.Dense(2, 1, seed=0)])
    h = nnlib.train(model, X, y, nnlib.BCEWithLogitsLoss(), nnlib.SGD(1.0, momentum=0.9), 200)
    assert h.accuracy[-1] > 0.95  # x1^2 + x2^2 > 1 is a straight line in squared inputs
    assert nnlib.gradient_check(model, X[:6], y[:6], nnlib.BCEWithLogitsLoss()).max() < 1e-7


def test_a_replaced_weight_array_is_still_trained():
    # A learner may give a layer a new W; the fast path packs the parameters again.
    X, y = data("binary")
    model = nnlib.MLP([2, 4, 1], seed=0)
    nnlib.train(model, X, y, nnlib.BCEWithLogitsLoss(), nnlib.SGD(0.1), 2)
    model.layers[0].W = np.ones((2, 4))
    nnlib.train(model, X, y, nnlib.BCEWithLogitsLoss(), nnlib.SGD(0.1), 5)
    assert not np.allclose(model.layers[0].W, 1.0)


def test_plain_backward_between_two_runs_leaves_the_fast_path_correct():
    X, y = data("binary")
    runs = []
    for interrupt in (False, True):
        model = nnlib.MLP([2, 4, 1], seed=0)
        opt = nnlib.SGD(0.1, momentum=0.9)
        h = nnlib.train(model, X, y, nnlib.BCEWithLogitsLoss(), opt, 3)
        if interrupt:  # gradient_check runs the plain layers, which make new dW and db
            nnlib.gradient_check(model, X[:4], y[:4], nnlib.BCEWithLogitsLoss())
        runs.append(nnlib.train(model, X, y, nnlib.BCEWithLogitsLoss(), opt, 3, history=h).loss)
    np.testing.assert_allclose(runs[0], runs[1], rtol=tol(np.float64, steps=6))


def test_plots_and_predict_proba_run_a_model_of_the_learners_layers():
    calls = []

    class CountingTanh(nnlib.Tanh):
        def forward(self, X):
            calls.append(len(X))
            return super().forward(X)

    X, y = data("binary", n=40)
    model = nnlib.MLP(layers=[nnlib.Dense(2, 4, seed=0), CountingTanh(), nnlib.Dense(4, 1, seed=1)])
    p = model.predict_proba(X)
    assert calls == [40] and p.shape == (40,)
    from matplotlib.figure import Figure

    ax = nnlib.plot_decision_boundary(model, X, y, ax=Figure().add_subplot(), resolution=20)
    assert 20 * 20 in calls  # the boundary is the learner's forward over a 20 x 20 grid
    np.testing.assert_allclose(np.asarray(ax.images[0].get_array()).ravel()[:3],
                               model.predict_proba(nnlib.plots.grid_over(X, 20)[0])[:3])


def test_a_relu_subclass_backward_is_what_trains_and_what_gradient_check_checks():
    calls = []

    class LeakyBackwardReLU(nnlib.ReLU):
        """Lets a tenth of the gradient through where z <= 0: a different layer, knowingly."""

        def backward(self, dout):
            calls.append(len(dout))
            return dout * np.where(self.z > 0, 1.0, 0.1)

    X, y = data("binary", n=50)
    plain = nnlib.MLP([2, 4, 1], activation="relu", seed=0)
    mine = nnlib.MLP([2, 4, 1], activation="relu", seed=0)
    mine.layers[1] = LeakyBackwardReLU()
    for model in (plain, mine):
        nnlib.train(model, X, y, nnlib.BCEWithLogitsLoss(), nnlib.SGD(0.5), 10)
    assert calls == [50] * 10
    assert not np.allclose(mine.layers[0].W, plain.layers[0].W)
    # Its backward disagrees with its forward wherever z < 0: the gradient check says so.
    assert nnlib.gradient_check(mine, X[:8], y[:8], nnlib.BCEWithLogitsLoss()).max() > 1e-3


# ---- softmax cross entropy with index labels (lesson 7) -------------------------------


def test_cross_entropy_runs_fast_for_nnlibs_own_loss_only():
    X, y = data("classes")

    def loss_path(loss):
        trainer = fast.Trainer.maybe(nnlib.MLP([2, 4, 3], activation="relu"), loss, nnlib.Adam(), None, X, y, X, y)
        return "the plain loop" if trainer is None else type(trainer.loss).__name__

    class MyGrad(nnlib.CrossEntropyLoss):
        def grad_of(self, z, y):
            return super().grad_of(z, y)

    class MyLoss(nnlib.CrossEntropyLoss):
        def loss_of(self, z, y):
            return super().loss_of(z, y)

    class MyAccuracy(nnlib.CrossEntropyLoss):
        def accuracy(self, logits, y):
            return super().accuracy(logits, y)

    assert loss_path(nnlib.CrossEntropyLoss()) == "_CrossEntropy"
    for overridden in (MyGrad(), MyLoss(), MyAccuracy()):
        assert loss_path(overridden) == "the plain loop", type(overridden).__name__


def test_a_cross_entropy_subclass_gradient_is_what_trains():
    # A learner's grad_of (here doubled) runs inside train, mini-batches and all.
    X, y = data("classes")
    calls = []

    class DoubledGrad(nnlib.CrossEntropyLoss):
        def grad_of(self, z, y):
            calls.append(len(z))
            return 2 * super().grad_of(z, y)

    runs = {}
    for name, loss, lr in (("doubled", DoubledGrad(), 0.05), ("own, twice the rate", nnlib.CrossEntropyLoss(), 0.1)):
        model = nnlib.MLP([2, 4, 3], activation="relu", seed=1)
        nnlib.train(model, X, y, loss, nnlib.SGD(lr), 3, batch_size=20)
        runs[name] = model.get_weights()
    assert calls == [20, 20, 20, 4] * 3
    for a, b in zip(runs["doubled"], runs["own, twice the rate"]):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("labels, words", [
    (lambda y: y + 1, "y must hold labels in range(3)"),
    (lambda y: y.astype(float) + 0.5, "y must hold"),
])
def test_bad_labels_get_the_plain_paths_error_on_the_fast_path_too(labels, words):
    X, y = data("classes")
    messages = []
    for cls in (nnlib.MLP, PlainMLP):
        with pytest.raises(ValueError) as info:
            nnlib.train(cls([2, 4, 3], activation="relu"), X, labels(y), nnlib.CrossEntropyLoss(), nnlib.Adam(), 2,
                        batch_size=16)
        messages.append(str(info.value))
    assert messages[0] == messages[1]
    assert words in messages[0]


def test_digits_with_mini_batches_and_adam_give_the_plain_numbers():
    # Lesson 7's workload, 3 epochs: every class nnlib's own (fast) or an MLP subclass (plain).
    X, y = nnlib.load_digits()
    X_train, y_train, X_val, y_val, _, _ = nnlib.split_digits(nnlib.scale_pixels(X), y, seed=0)
    runs = []
    for cls in (nnlib.MLP, PlainMLP):
        model = cls([64, 32, 10], activation="relu", seed=0)
        history = nnlib.train(model, X_train, y_train, nnlib.CrossEntropyLoss(), nnlib.Adam(1e-3), 3,
                              batch_size=32, X_val=X_val, y_val=y_val)
        runs.append((model, history))
    (fast_model, fast_h), (plain_model, plain_h) = runs
    for key in ("loss", "accuracy", "val_loss", "val_accuracy"):
        np.testing.assert_allclose(getattr(fast_h, key), getattr(plain_h, key), rtol=1e-11, atol=1e-13, err_msg=key)
    for p, q in zip(fast_model.get_weights(), plain_model.get_weights()):
        np.testing.assert_allclose(p, q, rtol=1e-10, atol=1e-12)


# -- the path is chosen by what will run; both paths refuse the same input ------------------------

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402


class PlainSGD(nnlib.SGD):
    """SGD with its own step (the same maths): train runs the plain loop for it."""

    def step(self, parameters):
        return super().step(parameters)


def binary(n=40, seed=0):
    return nnlib.make_circle(n, seed=seed)


def bad_inputs():
    """(name, model, X, y, loss, keyword arguments) that train must refuse."""
    X, y = binary()
    X_val, y_val = binary(10, seed=1)
    return [
        ("two logits for binary labels", nnlib.MLP([2, 4, 2]), X, y, nnlib.BCEWithLogitsLoss(), {}),
        ("empty X_val", nnlib.MLP([2, 4, 1]), X, y, nnlib.BCEWithLogitsLoss(),
         dict(X_val=np.zeros((0, 2)), y_val=np.zeros(0))),
        ("X_val of other columns", nnlib.MLP([2, 4, 1]), X, y, nnlib.BCEWithLogitsLoss(),
         dict(X_val=np.zeros((3, 3)), y_val=[0, 1, 0])),
        ("y_val labels out of range", nnlib.MLP([2, 4, 1]), X, y, nnlib.BCEWithLogitsLoss(),
         dict(X_val=X_val, y_val=y_val + 2)),
        ("labels out of range", nnlib.MLP([2, 4, 3]), X, y + 3, nnlib.CrossEntropyLoss(), {}),
        ("one-hot labels", nnlib.MLP([2, 4, 2]), X, np.eye(2)[y], nnlib.CrossEntropyLoss(), {}),
        ("X of other columns", nnlib.MLP([3, 4, 1]), X, y, nnlib.BCEWithLogitsLoss(), {}),
        ("y of another length", nnlib.MLP([2, 4, 1]), X, y[:-1], nnlib.BCEWithLogitsLoss(), {}),
        ("nan in X", nnlib.MLP([2, 4, 1]), np.where(X > 0.9, np.nan, X), y, nnlib.BCEWithLogitsLoss(), {}),
        ("float targets for classes", nnlib.MLP([2, 4, 1]), X, y + 0.5, nnlib.BCEWithLogitsLoss(), {}),
    ]


@pytest.mark.parametrize("case", range(len(bad_inputs())), ids=[c[0] for c in bad_inputs()])
def test_both_paths_refuse_every_bad_input_with_the_same_error(case):
    errors = []
    for optimizer in (nnlib.SGD(0.1), PlainSGD(0.1)):
        name, model, X, y, loss, kwargs = bad_inputs()[case]
        with pytest.raises((ValueError, TypeError)) as caught:
            nnlib.train(model, X, y, loss, optimizer, 3, **kwargs)
        errors.append((type(caught.value), str(caught.value)))
    assert errors[0] == errors[1]


def test_mlp_with_two_outputs_and_binary_cross_entropy_is_refused_not_trained_to_103_percent():
    X, y = binary()
    with pytest.raises(ValueError, match=r"logits must have one column for binary labels, got shape \(40, 2\)"):
        nnlib.train(nnlib.MLP([2, 4, 2]), X, y, nnlib.BCEWithLogitsLoss(), nnlib.SGD(0.1), 3)


def frozen_backward(layer):
    """A backward that passes the gradient on but leaves the layer's weights still (dW = db = 0)."""
    def backward(dout):
        dX = nnlib.Dense.backward(layer, dout)
        layer.dW, layer.db = np.zeros_like(layer.W), np.zeros_like(layer.b)
        return dX
    return backward


def test_a_backward_set_on_an_instance_is_what_runs():
    X, y = binary()
    model = nnlib.MLP([2, 4, 1])
    first = model.layers[0]
    first.backward = frozen_backward(first)
    before = first.W.copy()
    nnlib.train(model, X, y, nnlib.BCEWithLogitsLoss(), nnlib.SGD(0.5), 5)
    assert np.array_equal(first.W, before)  # frozen by its own backward (it moved 0.53 on the fast path)
    assert not np.array_equal(model.layers[2].W, nnlib.MLP([2, 4, 1]).layers[2].W)


def test_a_forward_set_on_the_model_instance_is_what_runs():
    X, y = binary()
    model, calls = nnlib.MLP([2, 4, 1]), []
    model.forward = lambda X: calls.append(len(X)) or nnlib.MLP.forward(model, X)
    nnlib.train(model, X, y, nnlib.BCEWithLogitsLoss(), nnlib.SGD(0.1), 3, batch_size=20)
    assert calls == [40] + [20, 20] * 3  # the loss before training, then every batch


def test_a_helper_method_overridden_in_a_subclass_is_what_runs():
    calls = []

    class Checked(nnlib.Dense):
        def _check_forward(self, X):
            calls.append(len(X))
            return super()._check_forward(X)

    X, y = binary()
    model = nnlib.MLP(layers=[Checked(2, 4), nnlib.Tanh(), nnlib.Dense(4, 1)])
    assert fast.Trainer.maybe(model, nnlib.BCEWithLogitsLoss(), nnlib.SGD(0.1), None, X, y, None, None) is None
    nnlib.train(model, X, y, nnlib.BCEWithLogitsLoss(), nnlib.SGD(0.1), 2)
    assert calls == [40, 40, 40]


def parts(n_layers=3):
    """Fresh nnlib objects of every kind train uses, by role."""
    model = nnlib.MLP([2, 4, 4, 1], activation="relu")
    return {"model": model, "layer": model.layers[n_layers % len(model.layers)], "loss": nnlib.BCEWithLogitsLoss(),
            "optimizer": nnlib.Adam(0.01), "regularization": nnlib.L2(0.01)}


def method_names(obj):
    return sorted(n for n in dir(type(obj)) if not n.startswith("__") and callable(getattr(type(obj), n)))


@settings(max_examples=60)
@given(role=st.sampled_from(["model", "layer", "loss", "optimizer", "regularization"]),
       which=st.integers(0, 100), layer=st.integers(0, 4), on_instance=st.booleans())
def test_any_override_of_any_method_means_the_plain_path(role, which, layer, on_instance):
    p = parts(layer)
    obj = p[role]
    name = method_names(obj)[which % len(method_names(obj))]
    original = getattr(obj, name)
    if on_instance:
        setattr(obj, name, lambda *a, **k: original(*a, **k))
    else:
        obj.__class__ = type("Mine", (type(obj),), {name: lambda self, *a, **k: getattr(super(type(self), self), name)(*a, **k)})
    X, y = binary()
    X = X.astype(p["model"].dtype)
    assert fast.Trainer.maybe(p["model"], p["loss"], p["optimizer"], p["regularization"], X, y, None, None) is None
    q = parts(layer)  # and without the override, the fast path
    assert fast.Trainer.maybe(q["model"], q["loss"], q["optimizer"], q["regularization"], X, y, None, None) is not None


@pytest.mark.parametrize("batch_size", [None, 10])
def test_a_callback_that_replaces_W_keeps_training_the_new_array(batch_size):
    X, y = binary()
    runs = []
    for optimizer in (nnlib.SGD(0.2), PlainSGD(0.2)):
        model, replaced = nnlib.MLP([2, 4, 1]), {}

        def callback(epoch, history, model):
            if epoch == 2:
                replaced["W"] = model.layers[0].W = model.layers[0].W * 0.5
                replaced["at"] = replaced["W"].copy()

        nnlib.train(model, X, y, nnlib.BCEWithLogitsLoss(), optimizer, 6, batch_size=batch_size, callback=callback)
        assert np.abs(model.layers[0].W - replaced["at"]).max() > 1e-3  # it went on training
        runs.append(model.get_weights())
    for fast_w, plain_w in zip(*runs):
        np.testing.assert_allclose(fast_w, plain_w, rtol=1e-9, atol=1e-12)
