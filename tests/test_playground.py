"""The playground, driven through its controls as a learner (or a browser) would."""

import itertools

import ipywidgets as w
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from matplotlib.figure import Figure

import nnlib
from nnlib import widgets

CONTROLS = ["dataset", "noise", "n_points", "val_fraction", "positive_fraction", "hidden_layers", "units",
            "activation", "loss", "optimizer", "lr", "batch_size", "epochs", "data_seed", "init_seed"]


@pytest.fixture(scope="module")
def default():
    return nnlib.Playground()


@pytest.fixture
def quick():
    """A playground that trains for 20 epochs, for tests that change many controls."""
    return nnlib.Playground(epochs=20)


def finite(history):
    return all(np.all(np.isfinite(v)) for v in history.as_dict().values())


def test_defaults_solve_the_playground_circle(default):
    v = default.values()
    assert set(default.controls) == set(CONTROLS) and len(default.controls) == 15
    assert (v["dataset"], v["n_points"], v["hidden_layers"], v["units"], v["activation"], v["loss"],
            v["optimizer"], v["epochs"]) == ("playground circle", 500, 2, 8, "tanh", "cross entropy", "sgd", 300)
    assert 0.03 <= v["lr"] <= 0.3
    assert default.model.sizes == [2, 8, 8, 1]
    h = default.history
    assert h.epochs_run == 300 and not h.diverged
    assert h.val_accuracy[-1] >= 0.99
    assert default.status.startswith("300 epochs in ") and "accuracy 100.0% (val 100.0%)" in default.status


def test_controls_are_the_widgets_the_browser_tests_look_for(default):
    lr = default.controls["lr"]
    assert isinstance(lr, w.FloatLogSlider) and lr.description == "learning rate"
    assert lr.base ** lr.min == pytest.approx(1e-4) and lr.base ** lr.max == pytest.approx(10)
    units = default.controls["units"]
    assert isinstance(units, w.IntSlider) and units.description == "units" and (units.min, units.max) == (1, 32)
    assert (default.controls["hidden_layers"].min, default.controls["hidden_layers"].max) == (0, 4)
    assert set(default.controls["dataset"].options) == {"circle", "playground circle", "xor", "spiral", "gaussian blobs"}
    assert set(default.controls["activation"].options) == {"tanh", "relu", "sigmoid"}
    assert isinstance(default.retrain_button, w.Button) and isinstance(default.reset_button, w.Button)
    assert isinstance(default.step_slider, w.IntSlider)
    assert default.step_slider not in default.controls.values()
    classes = default.widget._dom_classes
    assert "nnlib-panel" in classes and "nnlib-playground" in classes
    assert "nnlib-figure" in default.out._dom_classes and "nnlib-status" in default.status_label._dom_classes


def test_the_figure_shows_boundary_curves_and_hidden_units(default):
    fig = default.figure
    assert isinstance(fig, Figure)
    boundary, history, units = fig.axes[:3]
    assert len(boundary.images) == 1 and len(units.images) == 1
    np.testing.assert_array_equal(history.lines[0].get_ydata(), default.history.loss)
    (output,) = default.out.outputs
    assert output["data"]["image/png"].startswith("iVBOR")  # a base64 PNG
    assert default.status_label.value == default.status


def test_learning_rate_10_reports_divergence_and_draws_only_finite_numbers(quick):
    quick.controls["epochs"].value = 300
    quick.controls["lr"].value = 10.0
    h = quick.history
    assert h.diverged and "diverged at epoch" in quick.status and "lower the learning rate" in quick.status
    assert quick.status == h.message
    assert finite(h)
    assert all(np.all(np.isfinite(line.get_ydata())) for ax in quick.figure.axes for line in ax.lines)
    assert len(quick.figure.axes[0].images) == 1  # the boundary of the last good epoch
    quick.controls["lr"].value = 0.1
    assert not quick.history.diverged and "diverged" not in quick.status


def test_no_hidden_layer_trains_a_straight_line_that_fails_on_the_circle(quick):
    quick.controls["epochs"].value = 200
    quick.controls["hidden_layers"].value = 0
    assert quick.model.sizes == [2, 1]
    assert quick.history.accuracy[-1] < 0.7
    assert "no hidden layer" in quick.figure.axes[2].texts[0].get_text()


def test_one_point_per_class(quick):
    quick.controls["n_points"].value = 2
    X_train, y_train, X_val, y_val = quick.data
    assert sorted(y_train) == [0, 1] and len(X_val) == 0
    assert quick.history.epochs_run == 20 and quick.history.val_loss == []
    assert quick.status.startswith("20 epochs in ") and "(val" not in quick.status


def test_most_noise_still_trains(quick):
    quick.controls["noise"].value = 0.5
    assert quick.history.epochs_run == 20 and finite(quick.history)
    assert quick.status.startswith("20 epochs in ")


def test_class_balance_sets_the_share_of_class_1(quick):
    quick.controls["dataset"].value = "xor"
    quick.controls["positive_fraction"].value = 0.05
    X_train, y_train, X_val, y_val = quick.data
    y = np.concatenate([y_train, y_val])
    assert len(y) == 500 and y.sum() == 25
    quick.controls["dataset"].value = "circle"
    assert np.concatenate([quick.data[1], quick.data[3]]).sum() == 25


def test_every_data_set_and_activation_trains_with_each_loss_and_optimiser(quick):
    c = quick.controls
    quick.set(epochs=5, n_points=50)
    pairs = itertools.cycle(itertools.product(c["loss"].options, ["sgd", "adam"]))
    for (dataset, activation), (loss, optimizer) in zip(
            itertools.product(c["dataset"].options, c["activation"].options), pairs):
        quick.set(dataset=dataset, activation=activation, loss=loss, optimizer=optimizer)
        assert quick.history.epochs_run == 5, (dataset, activation, loss, optimizer, quick.status)
        assert quick.status.startswith("5 epochs in ")


def test_a_run_stops_at_the_step_limit_and_says_so(quick, monkeypatch):
    monkeypatch.setattr(widgets, "MAX_STEPS", 300)
    quick.controls["batch_size"].value = 10  # 40 steps per epoch over 400 training points
    assert quick.history.epochs_run == 7
    assert "stopped at the limit of 300 gradient steps per run" in quick.status


def test_changing_a_control_retrains_from_the_same_initial_weights(quick):
    first = quick.model.get_weights() if False else quick.snapshots[0]
    quick.controls["lr"].value = 0.03
    again = quick.snapshots[0]
    assert all(np.array_equal(a, b) for a, b in zip(first, again))


def test_retrain_draws_new_weights_and_reset_repeats_the_same_start(quick):
    before = quick.history.as_dict()
    start = quick.snapshots[0]
    quick.retrain_button.click()
    assert quick.controls["init_seed"].value == 1
    assert quick.history.as_dict() != before
    assert not all(np.array_equal(a, b) for a, b in zip(start, quick.snapshots[0]))
    after_retrain = quick.history.as_dict()
    quick.reset_button.click()
    assert quick.history.as_dict() == after_retrain


def test_step_slider_scrubs_through_recorded_epochs_without_retraining():
    pg = nnlib.Playground(epochs=50)
    h = pg.history
    assert (pg.step_slider.min, pg.step_slider.max, pg.step_slider.value) == (0, 50, 50)
    assert sorted(pg.snapshots) == list(range(51))
    pg.step_slider.value = 0
    assert pg.history is h
    assert all(np.array_equal(a, b) for a, b in zip(pg.model.get_weights(), pg.snapshots[0]))
    assert pg.status.startswith("epoch 0 of 50 (weights of epoch 0): initial weights")
    pg.step_slider.value = 20
    assert pg.status.startswith(f"epoch 20 of 50 (weights of epoch 20): loss {h.loss[19]:.4f}")
    history_axes = pg.figure.axes[1]
    assert history_axes.lines[-1].get_xdata()[0] == 20


def test_long_runs_keep_about_a_hundred_snapshots():
    pg = nnlib.Playground(epochs=1000, hidden_layers=1, units=2, n_points=20)
    assert len(pg.snapshots) == 101 and 1000 in pg.snapshots
    pg.step_slider.value = 555
    assert "(weights of epoch 550)" in pg.status


@pytest.mark.parametrize("settings_", [
    {},
    {"dataset": "spiral", "positive_fraction": 0.8, "batch_size": 32, "optimizer": "adam", "lr": 0.01,
     "activation": "relu", "data_seed": 3, "init_seed": 4, "epochs": 30, "val_fraction": 0.3, "noise": 0.1},
    {"dataset": "circle", "positive_fraction": 0.05, "loss": "MSE", "hidden_layers": 1, "units": 3, "epochs": 40},
])
def test_show_as_code_reproduces_the_run(settings_):
    pg = nnlib.Playground(**settings_)
    code = pg.code.replace("nnlib.plot_decision_boundary(", "(lambda *a, **k: None)(")  # no figure here
    scope = {}
    exec(code, scope)
    assert scope["history"].as_dict() == pg.history.as_dict()
    assert pg.code in pg.code_view.value.replace("&#x27;", "'")


def test_keyword_arguments_must_name_controls(quick):
    with pytest.raises(ValueError, match=r"unknown controls \['learning_rate'\]"):
        nnlib.Playground(learning_rate=0.1)
    with pytest.raises(ValueError, match=r"unknown controls \['layers'\]"):
        quick.set(layers=3)


def test_set_changes_several_controls_with_one_retrain(quick, monkeypatch):
    calls = []
    original = widgets._train
    monkeypatch.setattr(widgets, "_train", lambda *args: calls.append(1) or original(*args))
    quick.set(hidden_layers=1, units=4, activation="relu")
    assert len(calls) == 1 and quick.model.sizes == [2, 4, 1] and quick.model.activation == "relu"


def test_repr_lists_the_control_values(default):
    text = repr(default)
    assert text.startswith("Playground(dataset='playground circle', noise=0.0, n_points=500,")
    assert default._repr_mimebundle_()["text/plain"] == text


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    dataset=st.sampled_from(list(widgets.DATASETS)),
    noise=st.sampled_from([0.0, 0.25, 0.5]),
    n_points=st.sampled_from([2, 3, 7, 100]),
    val_fraction=st.sampled_from([0.0, 0.2, 0.5]),
    positive_fraction=st.sampled_from([0.05, 0.5, 0.95]),
    hidden_layers=st.integers(0, 4),
    units=st.sampled_from([1, 32]),
    activation=st.sampled_from(["tanh", "relu", "sigmoid"]),
    loss=st.sampled_from(list(widgets.LOSSES)),
    optimizer=st.sampled_from(["sgd", "adam"]),
    lr=st.sampled_from([1e-4, 0.1, 10.0]),
    batch_size=st.sampled_from(["full", 1, 32]),
    epochs=st.sampled_from([0, 1, 15]),
)
def test_every_combination_trains_or_reports_a_clear_status(quick, **values):
    quick.set(**values)
    status = quick.status
    h = quick.history
    assert h is not None and finite(h)
    if h.diverged:
        assert status.startswith("diverged at epoch") and status.endswith(f"(now {values['lr']:g})")
    else:
        assert status.startswith(f"{values['epochs']} epochs in ")
    assert isinstance(quick.figure, Figure)


def test_rebalance_keeps_the_asked_share_of_each_class_without_touching_the_input():
    X, y = nnlib.make_xor(400, seed=0)
    X_copy, y_copy = X.copy(), y.copy()
    Xb, yb = nnlib.rebalance(X, y, positive_fraction=0.1, n=100, seed=0)
    assert Xb.shape == (100, 2) and yb.sum() == 10
    rows = {tuple(r): label for r, label in zip(X, y)}
    assert all(rows[tuple(r)] == label for r, label in zip(Xb, yb))  # pairs kept together
    assert np.array_equal(X, X_copy) and np.array_equal(y, y_copy)
    with pytest.raises(ValueError, match="need 380 examples of class 1 .* but y has only"):
        nnlib.rebalance(X, y, positive_fraction=0.95, n=400)


def test_redraws_stay_silent_when_a_notebook_turned_on_constrained_layout():
    # Lesson 6 sets this rcParam; savefig used to reset the figure's layout engine from
    # it, and every redraw then printed a layout warning into the learner's notebook.
    import warnings

    import matplotlib

    with matplotlib.rc_context({"figure.constrained_layout.use": True}), warnings.catch_warnings():
        warnings.simplefilter("error")
        pg = nnlib.Playground(epochs=20)
        pg.controls["lr"].value = 0.05
        pg.step_slider.value = 1
    assert pg.status.startswith("epoch 1 of 20")
