"""The playground, driven through its controls as a learner (or a browser) would."""

import base64
import io
import itertools
import struct
import zlib

import ipywidgets as w
import numpy as np
import PIL.Image
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

import nnlib
from nnlib import playground_figure, plots, widgets

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


def shown(playground):
    """The PNG the playground shows now, decoded: (H, W, 4) bytes."""
    png = base64.b64decode(playground.out.outputs[0]["data"]["image/png"])
    return np.asarray(PIL.Image.open(io.BytesIO(png)).convert("RGBA"))


def drawn_from_scratch(fig):
    """The figure drawn anew by matplotlib, every artist, at the playground's resolution."""
    buf = io.BytesIO()
    fig.savefig(buf, format="rgba", dpi=72)
    width, height = fig.canvas.get_width_height()
    return np.frombuffer(buf.getvalue(), np.uint8).reshape(height, width, 4)


def assert_shows_what_matplotlib_draws(playground):
    """The redraw (background pasted back, changing artists drawn over it) matches a full draw.

    A handful of pixels may differ: where the plane's frame, drawn again over the
    heatmap, crosses its tick marks, and at the edge of the legend pasted over the curves.
    """
    differs = np.any(shown(playground) != drawn_from_scratch(playground.figure), axis=2)
    assert differs.sum() <= 40, f"{differs.sum()} pixels differ from a full draw"


def visible(artists):
    return [a for a in artists if a.get_visible()]


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
    boundary, history, units, accuracy = fig.axes
    assert len(visible(boundary.images)) == 1 and len(visible(units.images)) == 1
    assert len(visible(boundary.collections)) == 5  # the 0.5 boundary, dots and triangles of both classes
    np.testing.assert_array_equal(history.lines[0].get_ydata(), default.history.loss)
    np.testing.assert_array_equal(history.lines[1].get_ydata(), default.history.val_loss)
    np.testing.assert_array_equal(accuracy.lines[1].get_ydata(), default.history.val_accuracy)
    assert [t.get_text() for t in units.get_yticklabels()] == ["layer 1", "layer 2"]
    (output,) = default.out.outputs
    assert output["data"]["text/plain"] == "<Figure size 720x302 with 4 Axes>"
    assert shown(default).shape == (302, 720, 4)  # 10 x 4.2 inches at 72 pixels per inch
    assert default.status_label.value == default.status
    assert_shows_what_matplotlib_draws(default)


def test_the_heatmap_is_the_models_probability_over_the_plane(default):
    boundary = default.figure.axes[0]
    X_train, _, X_val, _ = default.data
    X = np.vstack([X_train, X_val])
    (x0, x1), (y0, y1) = boundary.get_xlim(), boundary.get_ylim()
    assert x0 < X[:, 0].min() and X[:, 0].max() < x1 and y0 < X[:, 1].min() and X[:, 1].max() < y1
    heat = boundary.images[0]
    assert heat.get_extent() == [x0, x1, y0, y1]
    # Where the model says class 1 the heatmap is blue, where it says class 0, red.
    rgba = np.asarray(heat.get_array()).astype(float)
    G = rgba.shape[0]
    grid, _, _ = plots.grid_between((x0, x1), (y0, y1), G)
    p = default.model.predict_proba(grid).reshape(G, G)
    assert np.all((rgba[..., 2] > rgba[..., 0])[p > 0.6]) and np.all((rgba[..., 0] > rgba[..., 2])[p < 0.4])
    # The boundary line runs where the probability is one half (up to the straight
    # interpolation between grid points, a quarter of a unit apart).
    line = np.vstack(boundary.collections[0].get_segments())
    assert len(line) > 20
    np.testing.assert_allclose(default.model.predict_proba(line), 0.5, atol=0.1)


def test_redraws_paste_the_background_back_until_limits_or_labels_change():
    pg = nnlib.Playground(epochs=50)
    canvas = pg.figure.canvas
    background = canvas._background
    pg.step_slider.value = 10
    pg.controls["lr"].value = 0.05  # same limits, labels and layers: the background is kept
    assert canvas._background is background
    assert_shows_what_matplotlib_draws(pg)
    cross_entropy, cross_entropy_top = shown(pg), pg.figure.axes[1].get_ylim()[1]
    pg.controls["loss"].value = "MSE"  # a lower loss: another range on the loss axis
    assert canvas._background is not background
    bottom, top = pg.figure.axes[1].get_ylim()
    assert bottom < 0 and max(pg.history.loss + pg.history.val_loss) <= top < cross_entropy_top
    assert_shows_what_matplotlib_draws(pg)
    left_of_loss_axis = (slice(0, 160), slice(330, 370))  # the loss axis' tick labels
    assert np.any(shown(pg)[left_of_loss_axis] != cross_entropy[left_of_loss_axis])


def test_a_change_of_hidden_layers_redraws_their_rows():
    pg = nnlib.Playground(epochs=20)
    units = pg.figure.axes[2]
    for layers in (3, 1, 4):
        pg.controls["hidden_layers"].value = layers
        assert [t.get_text() for t in units.get_yticklabels()] == [f"layer {r + 1}" for r in range(layers)]
        rows = np.asarray(units.images[0].get_array()).shape[0]
        assert rows == layers * (playground_figure.PlaygroundFigure.TILE + plots.TILE_GAP)
        assert_shows_what_matplotlib_draws(pg)


def test_savefig_still_draws_every_artist(default):
    buf = io.BytesIO()
    default.figure.savefig(buf, format="png", dpi=50)
    image = np.asarray(PIL.Image.open(buf))
    assert image.shape[:2] == (210, 500)
    # savefig drew on the canvas: the next redraw must still paste a correct picture.
    default._show(default._draw(default.history.epochs_run), default.status)
    assert_shows_what_matplotlib_draws(default)


def test_png_holds_the_exact_pixels():
    rgba = np.random.default_rng(0).integers(0, 256, size=(7, 5, 4), dtype=np.uint8)
    png = playground_figure._png(rgba)
    np.testing.assert_array_equal(np.asarray(PIL.Image.open(io.BytesIO(png))), rgba)
    # Every chunk carries the right checksum (strict decoders refuse a wrong one).
    at = 8
    while at < len(png):
        (length,) = struct.unpack(">I", png[at:at + 4])
        kind_and_data = png[at + 4:at + 8 + length]
        assert struct.unpack(">I", png[at + 8 + length:at + 12 + length])[0] == zlib.crc32(kind_and_data)
        at += 12 + length
    assert at == len(png) and kind_and_data == b"IEND"


def test_learning_rate_10_reports_divergence_and_draws_only_finite_numbers(quick):
    quick.controls["epochs"].value = 300
    quick.controls["lr"].value = 10.0
    h = quick.history
    assert h.diverged and "diverged at epoch" in quick.status and "lower the learning rate" in quick.status
    assert quick.status == h.message
    assert finite(h)
    assert all(np.all(np.isfinite(line.get_ydata())) for ax in quick.figure.axes for line in ax.lines)
    assert len(visible(quick.figure.axes[0].images)) == 1  # the boundary of the last good epoch
    assert quick.figure.axes[1].get_title().startswith(f"diverged at epoch {h.diverged_epoch}")
    assert_shows_what_matplotlib_draws(quick)
    quick.controls["lr"].value = 0.1
    assert not quick.history.diverged and "diverged" not in quick.status


def test_no_hidden_layer_trains_a_straight_line_that_fails_on_the_circle(quick):
    quick.controls["epochs"].value = 200
    quick.controls["hidden_layers"].value = 0
    assert quick.model.sizes == [2, 1]
    assert quick.history.accuracy[-1] < 0.7
    units = quick.figure.axes[2]
    assert [t.get_text() for t in visible(units.texts)] == ["no hidden layer"]
    assert visible(units.images) == [] and units.get_yticklabels() == []


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
    assert history_axes.lines[-1].get_xdata()[0] == 20 and history_axes.lines[-1].get_visible()
    assert_shows_what_matplotlib_draws(pg)
    pg.step_slider.value = 50  # the last epoch: no mark
    assert not history_axes.lines[-1].get_visible()


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


def test_settings_the_library_refuses_show_the_data_and_say_why(monkeypatch):
    pg = nnlib.Playground(epochs=20)

    def refuse(splits, v):
        raise ValueError("lr must be positive")

    monkeypatch.setattr(widgets, "_train", refuse)
    pg.controls["lr"].value = 0.05
    assert pg.status == "cannot train with these settings: lr must be positive"
    assert pg.model is None and pg.history is None
    boundary, history, units, accuracy = pg.figure.axes
    assert visible(boundary.images) == [] and len(visible(boundary.collections)) == 4  # the points only
    assert visible(history.lines) == visible(accuracy.lines) == visible(units.images) == []
    assert_shows_what_matplotlib_draws(pg)


def spy_on_drawing(monkeypatch):
    """Record full figure draws ("figure") and axes drawn one by one (the axes)."""
    drawn = []
    full, one = FigureCanvasAgg.draw, Axes.draw

    def draw_figure(self, *args, **kwargs):
        drawn.append("figure")
        return full(self, *args, **kwargs)

    def draw_axes(self, renderer, *args, **kwargs):
        if "figure" not in drawn:
            drawn.append(self)
        return one(self, renderer, *args, **kwargs)

    monkeypatch.setattr(FigureCanvasAgg, "draw", draw_figure)
    monkeypatch.setattr(Axes, "draw", draw_axes)
    return drawn


def test_a_change_of_units_draws_only_the_units_axes_again(monkeypatch):
    pg = nnlib.Playground(epochs=20)
    units = pg.figure.axes[2]
    drawn = spy_on_drawing(monkeypatch)
    for count in (3, 12, 5):
        drawn.clear()
        pg.controls["units"].value = count
        assert drawn == [units]
    # Last, as the full draw it compares with (savefig) makes the next redraw a full one.
    assert_shows_what_matplotlib_draws(pg)


def test_a_partial_redraw_that_would_touch_other_axes_draws_everything(monkeypatch):
    pg = nnlib.Playground(epochs=20)
    canvas = pg.figure.canvas
    everywhere = pg.figure.bbox.frozen()
    for ax in pg.figure.axes:
        canvas._extents[ax] = everywhere  # as if every axes drew over the whole figure
    drawn = spy_on_drawing(monkeypatch)
    pg.controls["hidden_layers"].value = 3
    assert drawn == ["figure"]
    assert_shows_what_matplotlib_draws(pg)
