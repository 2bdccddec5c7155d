"""The playground, driven through its controls as a learner (or a browser) would."""

import asyncio
import base64
import io
import struct
import zlib

import ipywidgets as w
import numpy as np
import PIL.Image
import pytest
from matplotlib.figure import Figure

import nnlib
from nnlib.playground import canvas, controls, figure, widget
from tolerance import assert_close

NEW_CONTROLS = ["features", "regularization", "reg_rate", "show_test", "discretize"]


@pytest.fixture(scope="module")
def default():
    return nnlib.Playground()


@pytest.fixture
def quick():
    """A playground that trains for 20 epochs, for tests that change many controls."""
    return nnlib.Playground(epochs=20)


def shown(pg):
    """The PNG the playground shows now, decoded: (H, W, 4) bytes."""
    (output,) = pg.parts.out.outputs
    png = base64.b64decode(output["data"]["image/png"])
    assert f'<img src="data:image/png;base64,{output["data"]["image/png"]}"' in output["data"]["text/html"]
    return np.asarray(PIL.Image.open(io.BytesIO(png)).convert("RGBA"))


def assert_shows_what_matplotlib_draws(pg):
    """The redraw (background pasted back, changing artists drawn over it) matches a full
    draw, but for a handful of pixels where the frame, drawn again over the heatmap,
    crosses its tick marks, and at the edge of the legend pasted over the curves."""
    buf = io.BytesIO()
    pg.figure.savefig(buf, format="rgba", dpi=72)
    width, height = pg.figure.canvas.get_width_height()
    full = np.frombuffer(buf.getvalue(), np.uint8).reshape(height, width, 4)
    differs = np.any(shown(pg) != full, axis=2)
    assert differs.sum() <= 40, f"{differs.sum()} pixels differ from a full draw"


def visible(artists):
    return [a for a in artists if a.get_visible()]


def plane_points(pg, group):
    return [p for p in pg.picture.points.values() if p.get_gid() == group]


# -- the defaults and the names of the controls --------------------------------------------


def test_defaults_solve_the_playground_circle(default):
    v = default.values()
    assert v["features"] == ("x1", "x2") and v["units"] == (8, 8) and v["regularization"] == "none"
    assert default.model.sizes == [2, 8, 8, 1]
    h = default.history
    assert h.epochs_run == 300 and not h.diverged and h.val_accuracy[-1] >= 0.99
    assert default.status.startswith("epoch 300: ") and "accuracy 100.0% (val 100.0%)" in default.status
    assert default.parts.epoch_label.value == "epoch 300"
    assert isinstance(default.figure, Figure)
    assert shown(default).shape == (302, 720, 4)  # 10 x 4.2 inches at 72 pixels per inch
    assert_shows_what_matplotlib_draws(default)


def test_every_control_and_button_has_an_accessible_name(default):
    parts = default.parts
    named = [*default.controls.values(), *default.buttons.values(), parts.step_slider, parts.code_toggle]
    named += [t for t in default.controls["features"].toggles.values()]
    named += [b for pair in default.controls["units"].buttons for b in pair]
    for control in named:
        if isinstance(control, (controls.FeatureColumn, controls.LayerWidths)):
            continue  # boxes: their toggles and buttons are named
        assert control.description.strip(), control
    for button in [*default.buttons.values(), *[b for pair in default.controls["units"].buttons for b in pair]]:
        assert len(button.tooltip) > len(button.description), button  # says more than a symbol
    for name, image in default.controls["features"].images.items():
        assert f'alt="heatmap of {name} over the plane"' in image.value


def test_no_control_is_a_slider_and_the_figure_has_a_text_alternative(default):
    # ipywidgets' sliders give their handle no accessible name, and announce a log
    # slider's exponent: the playground has none.
    parts = [*default.controls.values(), *vars(default.parts).values()]
    assert not [c for c in parts if isinstance(c, w.widgets.widget_int._Int) and "Slider" in type(c).__name__]
    assert not [c for c in parts if "Slider" in type(c).__name__]
    html = default.parts.out.outputs[0]["data"]["text/html"]
    assert 'alt="the model&#x27;s regions of each class over the plane' in html
    assert html.endswith(f'; {default.status}">')


def test_the_learning_rate_is_offered_and_announced_as_its_value(default):
    lr = default.controls["lr"]
    assert isinstance(lr, w.Dropdown) and lr.description == "learning rate"
    labels = dict((v, label) for label, v in lr.options)
    assert labels[0.158] == "0.158" and labels[0.1] == "0.1" and labels[10.0] == "10" and labels[0.0001] == "0.0001"
    assert len(lr.options) == 51  # ten a decade from 1e-4 to 10
    pg = nnlib.Playground(lr=0.05, epochs=5)  # a rate by name is added to the choices
    assert pg.values()["lr"] == 0.05 and ("0.05", 0.05) in pg.controls["lr"].options


def test_panel_gives_each_control_a_name():
    slider, box = w.FloatSlider(), w.Checkbox()
    panel = nnlib.Panel({"angle": slider, "standardise": box}, lambda fig, **v: "ok")
    assert panel.controls["angle"].description == "angle" and box.description == "standardise"
    assert nnlib.Panel({"w": w.FloatSlider(description="weight")}, lambda fig, **v: None).controls["w"].description == "weight"
    assert panel.status == "ok"


def test_repr_lists_every_control_value(default):
    text = repr(default)
    assert text.startswith("Playground(dataset='playground circle', noise=0.0, n_points=500,")
    assert "features=('x1', 'x2')" in text and "units=(8, 8)" in text and "regularization='none'" in text
    assert default._repr_mimebundle_()["text/plain"] == text


# -- features -------------------------------------------------------------------------------


@pytest.mark.parametrize("feature", list(nnlib.features.FEATURES))
def test_each_feature_becomes_an_input_of_the_network(feature):
    pg = nnlib.Playground(epochs=10)
    pg.controls["features"].toggles[feature].value = not pg.controls["features"].toggles[feature].value
    chosen = pg.values()["features"]
    assert (feature in chosen) == pg.controls["features"].toggles[feature].value
    assert pg.model.sizes[0] == len(chosen) and pg.model.layers[0].W.shape[0] == len(chosen)
    np.testing.assert_array_equal(pg.inputs[0], nnlib.make_features(pg.data[0], chosen))
    assert [name for name, _ in pg.diagram.columns[0]] == list(chosen)
    assert f"heatmap of {feature}" in pg.diagram.html or feature not in chosen


def test_the_last_feature_cannot_be_switched_off():
    pg = nnlib.Playground(epochs=5, features=("x1",))
    pg.controls["features"].toggles["x1"].value = False
    assert pg.controls["features"].toggles["x1"].value and pg.values()["features"] == ("x1",)
    with pytest.raises(Exception, match="features must be distinct names"):
        pg.set(features=("x3",))


def test_squares_of_the_inputs_let_logistic_regression_solve_the_circle():
    line = nnlib.Playground(hidden_layers=0)
    circle = nnlib.Playground(hidden_layers=0, features=("x1^2", "x2^2"))
    assert line.model.sizes == [2, 1] and circle.model.sizes == [2, 1]
    assert line.history.val_accuracy[-1] < 0.7 and circle.history.val_accuracy[-1] == 1.0


def test_feature_heatmaps_show_each_feature_over_the_plane(default):
    def picture(name):
        uri = default.controls["features"].images[name].value.split("base64,")[1].split('"')[0]
        return np.asarray(PIL.Image.open(io.BytesIO(base64.b64decode(uri))).convert("RGB")).astype(int)

    x1 = picture("x1")
    # x1 grows to the right: red (low) on the left, blue (high) on the right.
    assert x1[:, 0, 0].mean() > x1[:, 0, 2].mean() and x1[:, -1, 2].mean() > x1[:, -1, 0].mean()
    square = picture("x1^2")
    np.testing.assert_array_equal(square[:, :3], square[:, -3:][:, ::-1])  # symmetric about x1 = 0


# -- regularisation -------------------------------------------------------------------------


def test_l1_and_l2_shrink_the_weights_and_add_their_penalty_to_the_loss_shown():
    runs = {r: nnlib.Playground(epochs=50, regularization=r, reg_rate=0.01) for r in ("none", "L1", "L2")}
    size = {r: sum(np.abs(W).sum() for W in nnlib.playground.setup.weights(pg.model)) for r, pg in runs.items()}
    assert size["L1"] < 0.8 * size["none"] and size["L2"] < 0.8 * size["none"]
    for r, pg in runs.items():
        h = pg.history
        assert pg.status.startswith(f"epoch 50: loss {h.loss[-1]:.4f}")
        assert (h.penalty[-1] > 0) == (r != "none")
    assert runs["L1"].history.loss[-1] > runs["none"].history.loss[-1]
    assert runs["L2"].history.loss[-1] > runs["none"].history.loss[-1]
    # A different rate, a different run; the first epoch's loss counts the penalty.
    stronger = nnlib.Playground(epochs=50, regularization="L2", reg_rate=0.1)
    assert stronger.history.penalty[0] > runs["L2"].history.penalty[0]


# -- data sets --------------------------------------------------------------------------------


@pytest.mark.parametrize("dataset", list(nnlib.playground.setup.DATASETS))
def test_every_data_set_trains_with_its_loss_and_output(dataset):
    pg = nnlib.Playground(dataset=dataset, epochs=30)
    kind = pg.task.kind
    assert pg.history.epochs_run == 30 and pg.status.startswith("epoch 30: ")
    assert type(pg.loss).__name__ == {"binary": "BCEWithLogitsLoss", "classes": "CrossEntropyLoss",
                                       "regression": "MSELoss"}[kind]
    assert pg.model.sizes[-1] == (3 if kind == "classes" else 1)
    assert bool(pg.history.accuracy) == (kind != "regression") and ("accuracy" in pg.status) == (kind != "regression")
    assert pg.figure.axes[2].get_ylabel() == ("" if kind == "regression" else "accuracy (dotted)")
    assert len(visible(pg.figure.axes[0].images)) == 1
    assert_shows_what_matplotlib_draws(pg)


def test_three_classes_colour_the_plane_by_the_predicted_class():
    pg = nnlib.Playground(dataset="spiral (3 classes)", optimizer="adam", lr=0.03, epochs=300)
    assert sorted(set(pg.data[1])) == [0, 1, 2] and pg.history.accuracy[-1] > 0.6
    heat = np.asarray(pg.picture.heat.get_array()).astype(int)
    (x0, x1), (y0, y1) = pg.picture.plane.get_xlim(), pg.picture.plane.get_ylim()
    G = heat.shape[0]
    grid, _, _ = nnlib.plots.grid_between((x0, x1), (y0, y1), G)
    predicted = pg.model.predict(grid).reshape(G, G)
    colours = np.array([[int(c[i:i + 2], 16) for i in (1, 3, 5)] for c in figure.COLOURS])
    # Each pixel is its class's colour mixed with white: nearest to that colour's hue.
    strength = np.stack([(heat[..., :3] - 255) @ (colours[c] - 255) / np.linalg.norm(colours[c] - 255)
                         / np.maximum(np.linalg.norm(heat[..., :3] - 255, axis=2), 1e-9) for c in range(3)])
    sure = np.max(strength, axis=0) > 0.99
    assert sure.mean() > 0.5 and np.all(np.argmax(strength, axis=0)[sure] == predicted[sure])
    # One marker shape per class, so that colour is not the only clue.
    markers = {p.get_paths()[0].vertices.shape for p in plane_points(pg, "train")}
    assert len(markers) == 3


def test_a_regression_shows_its_output_and_mse_not_accuracy():
    pg = nnlib.Playground(dataset="plane (regression)", epochs=200, hidden_layers=0, optimizer="adam", lr=0.03)
    assert pg.task.kind == "regression" and pg.history.accuracy == []
    pred = pg.model.forward(pg.inputs[1])[:, 0]
    assert pg.confusion["validation"] == pytest.approx(np.mean((pred - pg.data[3]) ** 2), rel=1e-5)
    assert pg.confusion["validation"] < 0.01 and "mean squared error" in pg.confusion_html
    # Where x1 + x2 is high the output is high: blue; low: red.
    heat = np.asarray(pg.picture.heat.get_array()).astype(int)
    assert heat[-1, -1, 2] > heat[-1, -1, 0] and heat[0, 0, 0] > heat[0, 0, 2]


def test_the_class_balance_sets_the_share_of_class_1(quick):
    quick.set(dataset="xor", positive_fraction=0.05)
    y = np.concatenate([quick.data[1], quick.data[3]])
    assert len(y) == 500 and y.sum() == 25


# -- network: per-layer widths ----------------------------------------------------------------


def test_each_hidden_layer_has_its_own_width_and_buttons():
    pg = nnlib.Playground(hidden_layers=2, units=(6, 3), epochs=10)
    assert pg.model.sizes == [2, 6, 3, 1] and pg.values()["units"] == (6, 3)
    (fewer1, more1), (fewer2, more2) = [(f, m) for m, f in pg.controls["units"].buttons]
    more1.click()
    assert pg.model.sizes == [2, 7, 3, 1]
    fewer2.click()
    fewer2.click()
    assert pg.model.sizes == [2, 7, 1, 1] and fewer2.disabled is False
    assert pg.controls["units"].buttons[1][1].disabled  # one unit is the fewest
    pg.controls["hidden_layers"].value = 3
    assert pg.model.sizes == [2, 7, 1, 1, 1]
    pg.controls["hidden_layers"].value = 1
    assert pg.model.sizes == [2, 7, 1] and pg.values()["units"] == (7,)
    assert [len(c) for c in pg.diagram.columns] == [2, 7, 1]
    pg.set(units=4)
    assert pg.model.sizes == [2, 4, 1]
    with pytest.raises(ValueError, match=r"units must give one width per hidden layer \(2\), got \(6,\)"):
        nnlib.Playground(hidden_layers=2, units=(6,))
    with pytest.raises(Exception, match="units must be whole numbers from 1 to 16"):
        nnlib.Playground(units=(0, 3))


def test_no_hidden_layer_is_logistic_regression(quick):
    quick.set(hidden_layers=0)
    assert quick.model.sizes == [2, 1] and quick.values()["units"] == ()
    assert len(quick.diagram.columns) == 2 and len(quick.diagram.edges) == 2


# -- display toggles --------------------------------------------------------------------------


def test_show_test_data_hides_the_test_points_without_retraining(quick):
    h = quick.history
    assert visible(plane_points(quick, "test")) and visible(plane_points(quick, "train"))
    quick.controls["show_test"].value = False
    assert quick.history is h and not visible(plane_points(quick, "test"))
    assert visible(plane_points(quick, "train"))
    assert_shows_what_matplotlib_draws(quick)


def test_discretize_shows_only_the_decision(quick):
    h = quick.history
    smooth = np.asarray(quick.picture.heat.get_array()).reshape(-1, 4)
    quick.controls["discretize"].value = True
    assert quick.history is h
    sharp = np.asarray(quick.picture.heat.get_array()).reshape(-1, 4)
    assert len(np.unique(smooth, axis=0)) > 50 and len(np.unique(sharp, axis=0)) == 2
    assert_shows_what_matplotlib_draws(quick)


# -- live training ----------------------------------------------------------------------------


def test_step_continues_from_the_current_weights_and_the_history_grows():
    pg = nnlib.Playground(epochs=50)
    h = pg.history
    pg.buttons["step"].click()
    pg.step(epochs=4)
    assert pg.history is h and h.epochs_run == 55 and pg.parts.epoch_label.value == "epoch 55"
    assert pg.status.startswith(f"epoch 55: loss {h.loss[-1]:.4f}")
    assert pg.figure.axes[1].lines[0].get_xdata()[-1] == 55
    # Full-batch steps after 50 epochs are the same training as 55 epochs at once, to
    # float32 rounding: the fast path stacks its rows otherwise, and a BLAS kernel may round them otherwise.
    longer = nnlib.Playground(epochs=55)
    assert_close(longer.history.loss, h.loss, np.float32, steps=55)
    for a, b in zip(longer.model.get_weights(), pg.model.get_weights()):
        assert_close(a, b, np.float32, steps=55)
    assert "# then 5 more epochs with play or step" in pg.code


def test_play_trains_on_the_event_loop_until_paused():
    pg = nnlib.Playground(epochs=10)
    frames = []
    pg.parts.out.observe(lambda change: frames.append(pg.history.epochs_run), names="outputs")

    async def session():
        task = pg.play()
        assert pg.play() is task  # a second play does not start a second loop
        while pg.history.epochs_run < 15:
            await asyncio.sleep(0.01)  # the notebook stays free meanwhile
        pg.buttons["pause"].click()
        await task
        return pg.history.epochs_run

    stopped = asyncio.run(session())
    assert pg.history.epochs_run == stopped >= 15 and frames[-1] == stopped and len(frames) >= 5
    assert pg.status.startswith(f"epoch {stopped}:")
    with pytest.raises(RuntimeError, match=r"play\(\) needs a running event loop"):
        pg.play()


def test_nothing_plays_by_itself_and_a_change_stops_playing():
    pg = nnlib.Playground(epochs=10)
    assert pg.task_running is None and not pg._playing

    async def session():
        task = pg.play()
        await asyncio.sleep(0.05)
        pg.controls["lr"].value = 0.03  # a change trains afresh and stops playing
        await task

    asyncio.run(session())
    assert pg.history.epochs_run == 10 and not pg._playing


def test_play_stops_when_training_diverges():
    pg = nnlib.Playground(epochs=1, lr=10.0)

    async def session():
        await asyncio.wait_for(pg.play(), timeout=30)

    asyncio.run(session())
    assert pg.history.diverged and pg.status.startswith("diverged at epoch")
    before = pg.history.epochs_run
    pg.step(3)  # nothing to continue
    assert pg.history.epochs_run == before


# -- the network's picture, the confusion matrix ------------------------------------------------


def test_the_diagrams_edges_show_the_weights(default):
    d = default.diagram
    Ws = nnlib.playground.setup.weights(default.model)
    assert len(d.edges) == sum(W.size for W in Ws) == 2 * 8 + 8 * 8 + 8
    biggest = max(np.abs(W).max() for W in Ws)
    for column, i, j, weight, colour, width in d.edges:
        assert weight == pytest.approx(float(Ws[column][i, j]))
        assert colour == ("#0877bd" if weight >= 0 else "#f59322")
        assert width == pytest.approx(0.5 + 4 * abs(weight) / biggest)
    assert d.html.count("<line") == len(d.edges) and d.html.count('stroke-dasharray="4 2"') == sum(
        e[3] < 0 for e in d.edges)
    assert d.html.count('class="unit ') == 2 + 8 + 8 + 1 and d.html.count('tabindex="0"') == 19
    assert ":hover" in d.html and ":focus" in d.html and "transform: scale(4)" in d.html
    assert default.parts.diagram_view.value == d.html


def test_the_confusion_matrix_counts_the_predictions(quick):
    quick.set(dataset="xor", noise=0.3, epochs=30)
    pred = quick.model.predict(quick.inputs[1])
    y = quick.data[3]
    expected = [[np.sum((y == i) & (pred == j)) for j in (0, 1)] for i in (0, 1)]
    np.testing.assert_array_equal(quick.confusion, expected)
    assert quick.confusion.sum() == len(y) and 0 < np.trace(quick.confusion) < len(y)
    for n in np.ravel(expected):
        assert f"<td>{n}</td>" in quick.confusion_html


def test_the_epoch_slider_shows_recorded_epochs_without_retraining():
    pg = nnlib.Playground(epochs=50)
    h, now = pg.history, pg.model.get_weights()
    pg.parts.step_slider.value = 20
    assert pg.history is h and pg.status.startswith(f"epoch 20 of 50 (weights of epoch 20): loss {h.loss[19]:.4f}")
    assert pg.figure.axes[1].lines[-1].get_xdata()[0] == 20
    assert all(np.array_equal(a, b) for a, b in zip(pg.model.get_weights(), now))  # then back to the last
    assert_shows_what_matplotlib_draws(pg)


# -- limits, errors, "show as code" ------------------------------------------------------------


def test_a_run_stops_at_the_step_limit_and_says_so(quick, monkeypatch):
    monkeypatch.setattr(widget, "MAX_STEPS", 300)
    quick.controls["batch_size"].value = 10  # 40 steps per epoch over 400 training points
    assert quick.history.epochs_run == 7
    assert "stopped at the limit of 300 gradient steps or 0.5 s per run" in quick.status


def test_learning_rate_10_reports_divergence_and_draws_only_finite_numbers(quick):
    quick.set(epochs=300, lr=10.0)
    h = quick.history
    assert h.diverged and quick.status == h.message and "lower the learning rate" in quick.status
    assert all(np.all(np.isfinite(line.get_ydata())) for ax in quick.figure.axes for line in ax.lines)
    assert quick.figure.axes[1].get_title().startswith(f"diverged at epoch {h.diverged_epoch}")
    assert_shows_what_matplotlib_draws(quick)


def test_keyword_arguments_must_name_controls(quick):
    with pytest.raises(ValueError, match=r"unknown controls \['learning_rate'\]"):
        nnlib.Playground(learning_rate=0.1)


def run_code(pg, **scope):
    code = pg.code.replace("nnlib.plot_decision_boundary(", "(lambda *a, **k: None)(")  # no figure here
    exec(code, scope)
    return scope


@pytest.mark.parametrize("settings_", [
    {},
    {"features": ("x1", "x1^2", "sin(x2)"), "regularization": "L2", "reg_rate": 0.003, "hidden_layers": 2,
     "units": (6, 3), "epochs": 40},
    {"dataset": "spiral (3 classes)", "optimizer": "adam", "lr": 0.01, "regularization": "L1", "epochs": 30},
    {"dataset": "gaussian (regression)", "batch_size": 32, "epochs": 10, "data_seed": 3, "init_seed": 2},
    {"dataset": "circle", "positive_fraction": 0.05, "loss": "MSE", "hidden_layers": 1, "units": 3, "epochs": 40},
])
def test_show_as_code_reproduces_the_run(settings_):
    pg = nnlib.Playground(**settings_)
    scope = run_code(pg)
    assert scope["history"].as_dict() == pg.history.as_dict()
    assert all(np.array_equal(a, b) for a, b in zip(scope["model"].get_weights(), pg.model.get_weights()))
    assert pg.code in pg.parts.code_view.value.replace("&#x27;", "'").replace("&quot;", '"')


def test_show_as_code_is_a_toggle_not_only_an_accordion(default):
    parts = default.parts
    assert parts.code_view.layout.display == "none"
    parts.code_toggle.value = True
    assert parts.code_view.layout.display == "block"
    parts.code_toggle.value = False
    assert not any(isinstance(child, w.Accordion) for child in default.widget.children)


# -- your own data -------------------------------------------------------------------------------


def test_own_data_trains_classification_and_regression_and_the_code_uses_it():
    X, y = nnlib.make_xor(200, seed=4)
    pg = nnlib.Playground(data=(X, y), epochs=40)
    assert pg.values()["dataset"] == "your data" and pg.task.kind == "binary"
    np.testing.assert_array_equal(np.vstack([pg.data[0], pg.data[2]])[np.lexsort(np.vstack(
        [pg.data[0], pg.data[2]]).T)], X[np.lexsort(X.T)])
    assert run_code(pg, X=X, y=y)["history"].as_dict() == pg.history.as_dict()
    three = nnlib.Playground(data=(X, (X[:, 0] > 0).astype(int) + (X[:, 1] > 0)), epochs=20)
    assert three.task.kind == "classes" and three.model.sizes[-1] == 3
    targets = X[:, 0] * 0.1 - X[:, 1] * 0.05
    reg = nnlib.Playground(data=(X, targets), epochs=20, features=("x1", "x2", "x1*x2"))
    assert reg.task.kind == "regression" and reg.task.target_range == (targets.min(), targets.max())
    assert run_code(reg, X=X, y=targets)["history"].as_dict() == reg.history.as_dict()
    assert nnlib.Playground(data=(X.tolist(), [float(v) for v in y]), epochs=5).task.kind == "binary"


X_OK = np.zeros((10, 2))


@pytest.mark.parametrize("data, error, message", [
    (X_OK, TypeError, r"data must be a pair \(X, y\) of arrays, got ndarray"),
    ((X_OK, np.zeros(10), np.zeros(10)), TypeError, r"data must be a pair \(X, y\) of arrays, got tuple of length 3"),
    ((np.zeros(10), np.zeros(10)), ValueError, r"data X must be 2-D, got shape \(10,\)"),
    ((np.zeros((10, 3)), np.zeros(10)), ValueError, r"data X must hold 2 to 5000 points in the plane, shape \(N, 2\), got shape \(10, 3\)"),
    ((np.zeros((1, 2)), np.zeros(1)), ValueError, r"2 to 5000 points .* got shape \(1, 2\)"),
    ((np.zeros((5001, 2)), np.zeros(5001)), ValueError, r"2 to 5000 points .* got shape \(5001, 2\)"),
    ((np.full((10, 2), np.nan), np.zeros(10)), ValueError, "data X must contain only finite numbers, got nan"),
    (([["a", "b"]] * 10, np.zeros(10)), TypeError, "data X must hold real numbers"),
    ((X_OK, np.zeros(9)), ValueError, r"data y must hold one label or target per point of X, shape \(10,\), got shape \(9,\)"),
    ((X_OK, np.zeros((10, 2))), ValueError, r"shape \(10,\), got shape \(10, 2\)"),
    ((X_OK, ["a"] * 10), TypeError, "data y must hold real numbers"),
    ((X_OK, np.r_[np.zeros(9), np.inf]), ValueError, "data y must contain only finite numbers, got inf"),
    ((X_OK, np.r_[np.ones(5), 2 * np.ones(5)].astype(int)), ValueError, r"class labels 0/1 or 0, 1, 2 .* got the labels \[1, 2\]"),
    ((X_OK, np.zeros(10, int)), ValueError, r"got the labels \[0\]"),
    ((X_OK, np.arange(10) % 4), ValueError, r"got the labels \[0, 1, 2, 3\]"),
    ((X_OK, -np.ones(10, int)), ValueError, r"got the labels \[-1\]"),
    ((X_OK, np.zeros(10, complex)), TypeError, "data y must hold real numbers, got complex"),
])
def test_bad_own_data_gets_a_clear_error(data, error, message):
    with pytest.raises(error, match=message):
        nnlib.Playground(data=data)


# -- the drawing machinery -------------------------------------------------------------------------


def test_redraws_paste_the_background_back_until_limits_or_labels_change():
    pg = nnlib.Playground(epochs=50)
    background = pg.figure.canvas._background
    pg.controls["lr"].value = 0.0501  # same limits and labels: the background is kept
    assert pg.figure.canvas._background is background
    pg.controls["loss"].value = "MSE"  # a lower loss: another range on the loss axis
    assert pg.figure.canvas._background is not background
    assert_shows_what_matplotlib_draws(pg)


def test_savefig_still_draws_every_artist(default):
    buf = io.BytesIO()
    default.figure.savefig(buf, format="png", dpi=50)
    assert np.asarray(PIL.Image.open(buf)).shape[:2] == (210, 500)
    default.redraw()  # savefig drew on the canvas: the next redraw must still be right
    assert_shows_what_matplotlib_draws(default)


def test_png_holds_the_exact_pixels():
    rgba = np.random.default_rng(0).integers(0, 256, size=(7, 5, 4), dtype=np.uint8)
    png = canvas._png(rgba)
    np.testing.assert_array_equal(np.asarray(PIL.Image.open(io.BytesIO(png))), rgba)
    at = 8  # every chunk carries the right checksum (strict decoders refuse a wrong one)
    while at < len(png):
        (length,) = struct.unpack(">I", png[at:at + 4])
        kind_and_data = png[at + 4:at + 8 + length]
        assert struct.unpack(">I", png[at + 8 + length:at + 12 + length])[0] == zlib.crc32(kind_and_data)
        at += 12 + length
    assert at == len(png) and kind_and_data == b"IEND"


def test_settings_the_library_refuses_show_the_data_and_say_why(monkeypatch):
    pg = nnlib.Playground(epochs=20)

    def refuse(v, task):
        raise ValueError("lr must be positive")

    monkeypatch.setattr(nnlib.playground.setup, "network", refuse)
    pg.controls["lr"].value = 0.05
    assert pg.status == "cannot train with these settings: lr must be positive"
    assert pg.model is None and pg.history is None and pg.diagram is None
    assert visible(pg.figure.axes[0].images) == [] and len(visible(pg.figure.axes[0].collections)) == 4
    assert_shows_what_matplotlib_draws(pg)


def test_a_long_run_stops_at_the_time_limit_and_says_so(monkeypatch):
    pg = nnlib.Playground(epochs=5)
    monkeypatch.setattr(widget, "MAX_SECONDS", 0.0)
    pg.controls["epochs"].value = 300  # every run is timed, full batch too: one epoch, then it stops
    assert pg.history.epochs_run == 1 and "or 0 s per run" in pg.status
    pg.step(2)  # step goes on from there, under the same limit: one more epoch, and says so
    assert pg.history.epochs_run == 2 and "or 0 s per run" in pg.status


# -- every offered setting trains, and nothing a control offers raises --------------------------

STATUS = r"^(epoch \d+: (loss|no epoch run)|diverged at epoch \d+: )"


def offered(control):
    """The values a control offers: every option of a dropdown, the ends and a middle of a box."""
    if isinstance(control, w.Dropdown):
        return [o[1] if isinstance(o, tuple) else o for o in control.options]
    if isinstance(control, w.BoundedIntText):
        return sorted({control.min, control.min + 1, (control.min + control.max) // 2, control.max})
    if isinstance(control, w.Checkbox):
        return [False, True]
    if isinstance(control, controls.FeatureColumn):
        return [(name,) for name in nnlib.features.FEATURES] + [tuple(nnlib.features.FEATURES)]
    return [(1,), (16,), (16, 1, 16, 1)]  # units: the narrowest, the widest, mixed


def assert_working(pg, what):
    import re

    assert re.match(STATUS, pg.status), f"{what}: {pg.status}"
    assert pg.history is not None and pg.model is not None, what
    assert all(np.all(np.isfinite(line.get_ydata())) for ax in pg.figure.axes for line in ax.lines), what
    assert len(pg.parts.out.outputs) == 1 and pg.parts.status_label.value, what


def test_every_option_of_every_control_trains_on_a_live_playground():
    # One control at a time from the defaults (20 epochs), set as a learner would, in the panel.
    pg = nnlib.Playground(epochs=20)
    defaults = {name: control.value for name, control in controls.make_controls().items()}
    count = 0
    for name, control in pg.controls.items():
        if name == "epochs":
            continue
        for value in offered(control):
            pg.set(**{name: value})
            assert_working(pg, f"{name}={value!r}")
            count += 1
        pg.set(**{name: defaults[name]})
    assert count > 140


def test_a_seeded_sample_of_whole_settings_trains_or_says_why_it_stopped():
    # The product of every control's options is about 10**14 settings: a seeded sample,
    # each applied to one live playground (as a learner changing several controls would).
    rng = np.random.default_rng(22)
    pg = nnlib.Playground(epochs=5)
    options = {name: offered(control) for name, control in pg.controls.items() if name != "units"}
    options["epochs"] = [0, 1, 50, 300, 1000]
    for k in range(15):
        values = {name: opts[rng.integers(len(opts))] for name, opts in options.items()}
        hidden = values["hidden_layers"]
        values["units"] = tuple(int(u) for u in rng.integers(1, 17, size=hidden))
        pg.set(**values)
        assert_working(pg, f"sample {k}: {values}")


@pytest.mark.parametrize("values", [dict(dataset="plane (regression)", lr=1.0, batch_size=10),
                                    dict(lr=10.0, batch_size=1, activation="relu", epochs=20)])
def test_settings_that_blow_the_weights_up_say_diverged_and_draw_grey_units(values):
    pg = nnlib.Playground(**values)
    assert pg.status.startswith(f"diverged at epoch {pg.history.diverged_epoch}: ")
    assert_working(pg, values)
    assert pg.diagram is not None


def test_changing_the_activation_of_a_diverging_playground_updates_everything():
    pg = nnlib.Playground(lr=10.0, batch_size=1, epochs=20)
    pg.controls["activation"].value = "relu"
    assert pg.model.layers[1].__class__ is nnlib.ReLU and "activation='relu'" in pg.code
    assert_working(pg, "relu")


@pytest.mark.parametrize("values", [dict(val_fraction=0.0), dict(n_points=2), dict(n_points=2, val_fraction=0.5),
                                    dict(n_points=2, dataset="spiral (3 classes)")])
def test_the_smallest_offered_data_trains(values):
    pg = nnlib.Playground(epochs=20, **values)
    assert_working(pg, values)
    assert pg.history.epochs_run == 20
    if len(pg.data[3]) == 0:
        assert pg.history.val_loss == [] and "training points" in pg.confusion_html


@pytest.mark.parametrize("values, message", [
    (dict(epochs=5000), r"epochs must be a whole number from 0 to 1000, got 5000"),
    (dict(n_points=1), r"n_points must be a whole number from 2 to 1000, got 1"),
    (dict(epochs=10.5), r"epochs must be a whole number from 0 to 1000, got 10.5"),
    (dict(activation="softplus"), r"activation must be one of \['tanh', 'relu', 'sigmoid'\], got 'softplus'"),
    (dict(batch_size=7), r"batch_size must be one of \['full', 1, 10, 32, 100\], got 7"),
    (dict(hidden_layers=True), r"hidden_layers must be one of \[0, 1, 2, 3, 4\], got True"),
    (dict(noise=0.9), r"noise must be a number from 0 to 0.5, got 0.9"),
    (dict(lr=float("nan")), r"lr must be a number from 0 to 10, got nan"),
    (dict(lr="fast"), r"lr must be a number from 0 to 10, got 'fast'"),
    (dict(show_test="yes"), r"show_test must be True or False, got 'yes'"),
    (dict(units=(3, 40)), r"units must be whole numbers from 1 to 16 per hidden layer, at most 4 layers, got \(3, 40\)"),
    (dict(units=(3, 3, 3, 3, 3)), r"units must be whole numbers from 1 to 16 per hidden layer, at most 4 layers"),
    (dict(units=0), r"units must be whole numbers from 1 to 16 per hidden layer"),
    (dict(features=("x1", "z")), r"features must be distinct names from"),
    (dict(features="x1"), r"features must be a tuple of feature names"),
])
def test_a_keyword_out_of_a_controls_range_is_refused_naming_the_control(quick, values, message):
    before = quick.values()
    with pytest.raises(ValueError, match=message):
        quick.set(**values)
    assert quick.values() == before  # nothing clamped, nothing half set
    with pytest.raises(ValueError, match=message):
        nnlib.Playground(**values)


def test_whole_number_float_labels_are_classes_and_fractional_ones_a_regression():
    X = np.random.default_rng(0).normal(size=(60, 2))
    labels = np.arange(60) % 50
    with pytest.raises(ValueError, match=r"data y must hold class labels .* got the labels \[0, 1, 2, .* \.\.\."):
        nnlib.Playground(data=(X, labels.astype(float)))
    pg = nnlib.Playground(data=(X, (np.arange(60) % 3).astype(float)), epochs=5)
    assert pg.task.kind == "classes" and pg.task.classes == 3
    pg = nnlib.Playground(data=(X, labels / 49), epochs=5)
    assert pg.task.kind == "regression"


def test_scrub_redraw_and_figsize_name_what_is_wrong(quick):
    with pytest.raises(TypeError, match="epoch must be an int, got float 1.5"):
        quick.scrub(1.5)
    with pytest.raises(ValueError, match="epoch must be at least 0, got -3"):
        quick.redraw(-3)
    with pytest.raises(ValueError, match=f"epoch must be at most {quick.history.epochs_run}, got 10000"):
        quick.scrub(10000)
    for figsize in [(0, 0), (10,), "big", (10, float("inf")), (-1, 4)]:
        with pytest.raises(ValueError, match=r"figsize must be \(width, height\) in inches"):
            nnlib.Playground(figsize=figsize)


def test_play_keeps_the_event_loop_free_even_when_one_epoch_is_long():
    # 5,000 points of 3 classes at batch size 1: an epoch is 4,000 steps, a second or more.
    # The epochs train off the loop, so a heartbeat on the loop keeps beating meanwhile.
    X, y = nnlib.make_spiral(5000, classes=3, seed=0)
    pg = nnlib.Playground(data=(X, y), batch_size=1, epochs=1, lr=0.01)

    async def session():
        gaps, last = [], asyncio.get_running_loop().time()
        task = pg.play()
        while pg.history.epochs_run < 2 and len(gaps) < 2000:
            await asyncio.sleep(0.005)
            now = asyncio.get_running_loop().time()
            gaps.append(now - last)
            last = now
        pg.pause()
        await task
        return max(gaps)

    worst = asyncio.run(session())
    assert pg.history.epochs_run == 2 and not pg.history.cut_short and not pg._playing
    assert worst < 0.9  # a redraw on the loop takes a tenth of that
    assert worst < pg.history.seconds / 2  # the loop beat while the epochs trained


def test_the_grid_of_rates_batches_activations_optimisers_and_tasks_never_raises():
    # 3 x 3 x 3 x 2 x 2 = 108 settings, 16 of which raised from the drawing of the network.
    import itertools

    pg = nnlib.Playground(epochs=5, n_points=100)
    grid = itertools.product(["playground circle", "plane (regression)"], [0.01, 1.0, 10.0], ["full", 1, 10],
                             ["tanh", "relu", "sigmoid"], ["sgd", "adam"])
    for dataset, lr, batch_size, activation, optimizer in grid:
        values = dict(lr=lr, batch_size=batch_size, activation=activation, optimizer=optimizer, dataset=dataset)
        pg.set(**values)
        assert_working(pg, values)


def test_a_dropdown_set_live_to_a_value_it_does_not_offer_names_itself(quick):
    import traitlets

    with pytest.raises(traitlets.TraitError, match=r"activation must be one of \['tanh', 'relu', 'sigmoid'\], got 'softplus'"):
        quick.controls["activation"].value = "softplus"
    with pytest.raises(traitlets.TraitError, match=r"learning rate must be a number from 0 to 10, got -1"):
        quick.controls["lr"].value = -1
    assert quick.controls["activation"].value == "tanh" and quick.status.startswith("epoch 20")


def test_a_frame_that_was_training_when_pause_came_is_shown():
    # At batch size 1 an epoch over 1,600 points takes a good part of a second: pause comes
    # while the first frame trains in the worker thread. That epoch is kept, so it is shown
    # too: the status, the epoch label and the history agree, and step goes on from there.
    X, y = nnlib.make_spiral(2000, classes=3, seed=0)
    pg = nnlib.Playground(data=(X, y), batch_size=1, epochs=1, lr=0.01)

    async def session():
        task = pg.play()
        await asyncio.sleep(0.05)
        pg.pause()
        await task

    asyncio.run(session())
    assert pg.history.epochs_run == 2 and not pg._playing
    assert pg.status.startswith("epoch 2:") and pg.parts.epoch_label.value == "epoch 2"
