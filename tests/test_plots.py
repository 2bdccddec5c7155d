"""Plots: what they put on the axes, and that nan never reaches matplotlib."""

import numpy as np
import pytest
from matplotlib.figure import Figure

import nnlib
from nnlib import plots, unit_plots


@pytest.fixture(scope="module")
def trained():
    X, y = nnlib.make_playground_circle(200, seed=0)
    X_train, y_train, X_val, y_val = nnlib.train_val_split(X, y, val_fraction=0.25, seed=0)
    model = nnlib.MLP([2, 8, 8, 1], seed=0)
    history = nnlib.train(model, X_train, y_train, nnlib.BCEWithLogitsLoss(), nnlib.SGD(0.1, momentum=0.9), 100,
                          X_val=X_val, y_val=y_val)
    return model, history, (X_train, y_train, X_val, y_val)


def new_ax():
    return Figure(figsize=(4, 3)).add_subplot()


def broken_model():
    model = nnlib.MLP([2, 8, 1], seed=0)
    for _, p, _ in model.parameters():
        p[...] = np.nan
    return model


def test_decision_boundary_shows_the_probabilities_the_points_and_the_half_line(trained):
    model, _, (X, y, X_val, y_val) = trained
    ax = nnlib.plot_decision_boundary(model, X, y, ax=new_ax(), resolution=40, X_val=X_val, y_val=y_val)
    (image,) = ax.images
    p = np.asarray(image.get_array())
    grid, _, _ = plots.grid_over(np.vstack([X, X_val]), 40)
    np.testing.assert_allclose(p, model.predict_proba(grid).reshape(40, 40))
    assert image.get_clim() == (0, 1)
    assert len(ax.collections) == 5  # the 0.5 contour, then two classes of dots and of triangles
    assert [len(c.get_offsets()) for c in ax.collections[1:]] == [
        np.sum(y == 0), np.sum(y == 1), np.sum(y_val == 0), np.sum(y_val == 1)]
    assert ax.get_xlim()[0] < X[:, 0].min() and ax.get_xlim()[1] > X[:, 0].max()


def test_decision_boundary_explains_its_colours_and_markers(trained):
    model, _, (X, y, X_val, y_val) = trained
    ax = nnlib.plot_decision_boundary(model, X, y, ax=new_ax(), resolution=20, X_val=X_val, y_val=y_val,
                                      names=("outside", "inside"))
    (bar_ax,) = ax.child_axes  # beside the axes' drawn box
    assert bar_ax.get_ylabel() == "P(class 1)"
    assert [t.get_text() for t in bar_ax.get_yticklabels()] == ["0: class 0", "0.5: unsure", "1: class 1"]
    assert [t.get_text() for t in ax.get_legend().get_texts()] == [
        "outside", "inside", "validation outside", "validation inside", "boundary, P = 0.5"]
    assert ax.get_xlabel() == "$x_1$" and ax.get_ylabel() == "$x_2$"
    # A row of small plots leaves both out and shares one bar.
    bare = nnlib.plot_decision_boundary(model, X, y, ax=new_ax(), resolution=20, colorbar=False, legend=False)
    assert bare.get_legend() is None and len(bare.figure.axes) == 1


def test_decision_legend_leaves_out_a_boundary_that_is_not_drawn():
    X, y = nnlib.make_xor(30, seed=0)
    model = nnlib.MLP([2, 1], init="zeros", seed=0)  # p = 0.5 everywhere: no 0.5 line
    ax = nnlib.plot_decision_boundary(model, X, y, ax=new_ax(), resolution=10)
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["class 0", "class 1"]


def test_decision_boundary_of_a_model_with_nan_weights_draws_points_and_a_note():
    X, y = nnlib.make_xor(50, seed=0)
    ax = nnlib.plot_decision_boundary(broken_model(), X, y, ax=new_ax())
    assert len(ax.images) == 0
    assert "not finite" in ax.texts[0].get_text()
    assert len(ax.collections) == 2


def test_a_two_class_softmax_model_uses_the_probability_of_class_1():
    X, y = nnlib.make_xor(30, seed=0)
    model = nnlib.MLP([2, 4, 2], seed=0)
    np.testing.assert_allclose(plots.probability_of_class_1(model, X), model.predict_proba(X)[:, 1])
    with pytest.raises(ValueError, match=r"one probability per point \(N,\) or \(N, 2\), got shape \(30, 3\)"):
        plots.probability_of_class_1(nnlib.MLP([2, 3], seed=0), X)


def test_points_must_be_in_the_plane_and_labels_binary():
    with pytest.raises(ValueError, match=r"X must hold points in the plane, shape \(N, 2\), got shape \(4, 3\)"):
        nnlib.scatter_classes(np.zeros((4, 3)), np.zeros(4), ax=new_ax())
    with pytest.raises(ValueError, match=r"y must hold labels in range\(2\)"):
        nnlib.scatter_classes(np.zeros((4, 2)), [0, 1, 2, 1], ax=new_ax())


def test_grid_over_a_single_point_still_has_a_width():
    grid, xs, ys = plots.grid_over([[3.0, -1.0]], resolution=5)
    assert grid.shape == (25, 2)
    assert xs[-1] - xs[0] == pytest.approx(1.0) and ys[-1] - ys[0] == pytest.approx(1.0)
    assert xs[0] < 3.0 < xs[-1]


def test_probability_scatter_colours_each_point_by_its_probability(trained):
    model, _, (X, _, _, _) = trained
    ax = nnlib.plot_probability_scatter(model, X, ax=new_ax())
    np.testing.assert_allclose(ax.collections[0].get_array(), model.predict_proba(X))
    ax = nnlib.plot_probability_scatter(broken_model(), X, ax=new_ax())
    assert ax.collections[0].get_array() is None and "not finite" in ax.texts[0].get_text()


def test_history_plot_draws_the_recorded_curves(trained):
    _, history, _ = trained
    ax = nnlib.plot_history(history, ax=new_ax(), mark_epoch=40)
    losses = [line.get_ydata() for line in ax.lines[:2]]
    np.testing.assert_array_equal(losses[0], history.loss)
    np.testing.assert_array_equal(losses[1], history.val_loss)
    assert ax.lines[2].get_xdata()[0] == 40  # the marker line
    twin = [a for a in ax.figure.axes if a is not ax][0]
    np.testing.assert_array_equal(twin.lines[1].get_ydata(), history.val_accuracy)
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels == ["training loss", "validation loss", "training accuracy", "validation accuracy"]


def test_history_plot_marks_every_curve_so_overlapping_lines_stay_apart(trained):
    _, history, _ = trained
    ax = nnlib.plot_history(history, ax=new_ax())
    twin = [a for a in ax.figure.axes if a is not ax][0]
    curves = ax.lines + twin.lines
    assert [line.get_marker() for line in curves] == ["o", "s", "o", "s"]
    assert [line.get_linestyle() for line in curves] == ["-", "-", ":", ":"]
    assert all(line.get_markerfacecolor() == "none" for line in twin.lines)
    # 100 epochs: a marker every 10 epochs, the validation ones 5 epochs later.
    assert [line.get_markevery() for line in curves] == [10, (5, 10), 10, (5, 10)]
    short = nnlib.History()
    short.loss = [0.7, 0.6, 0.5]
    (line,) = nnlib.plot_history(short, ax=new_ax()).lines
    assert line.get_markevery() == 1  # a short run marks every epoch


def test_history_plot_of_a_diverged_run_is_finite_and_titled_with_the_epoch():
    X, y = nnlib.make_playground_circle(100, seed=0)
    model = nnlib.MLP([2, 8, 1], seed=0)
    with pytest.warns(nnlib.TrainingDiverged):
        history = nnlib.train(model, X, y, nnlib.BCEWithLogitsLoss(), nnlib.SGD(50.0, momentum=0.9), 100)
    ax = nnlib.plot_history(history, ax=new_ax())
    assert ax.get_title() == f"diverged at epoch {history.diverged_epoch}: lower the learning rate"
    assert history.message.startswith(f"diverged at epoch {history.diverged_epoch}")
    assert all(np.all(np.isfinite(line.get_ydata())) for a in ax.figure.axes for line in a.lines)


def test_hidden_layer_outputs_are_the_activations_after_each_hidden_layer():
    X, _ = nnlib.make_xor(20, seed=0)
    model = nnlib.MLP([2, 5, 3, 1], activation="tanh", seed=0)
    h1, h2 = unit_plots.hidden_layer_outputs(model, X)
    d1, _, d2, _, _ = model.layers
    np.testing.assert_allclose(h1, np.tanh(X @ d1.W + d1.b))
    np.testing.assert_allclose(h2, np.tanh(h1 @ d2.W + d2.b))
    assert unit_plots.hidden_layer_outputs(nnlib.MLP([2, 1], seed=0), X) == []


def test_hidden_units_view_has_one_tile_per_unit_in_one_image():
    X, _ = nnlib.make_xor(20, seed=0)
    model = nnlib.MLP([2, 5, 3, 1], activation="relu", seed=0)
    ax = unit_plots.plot_hidden_units(model, X, ax=new_ax(), resolution=10)
    (image,) = ax.images
    tiles = np.asarray(image.get_array())
    assert tiles.shape == (2 * 13, 5 * 13)
    filled = ~np.ma.getmaskarray(image.get_array())
    assert filled.sum() == (5 + 3) * 10 * 10
    assert tiles[filled].min() >= 0 and tiles[filled].max() <= 1
    assert [t.get_text() for t in ax.get_yticklabels()] == ["layer 1", "layer 2"]


def test_hidden_units_view_outlines_the_circle_on_every_tile_and_has_a_scale():
    X, _ = nnlib.make_circle(50, seed=0)
    model = nnlib.MLP([2, 4, 3, 1], activation="tanh", seed=0)
    ax = unit_plots.plot_hidden_units(model, X, ax=new_ax(), resolution=10, circle=(0.0, 0.0, 0.5))
    outlines = ax.patches
    assert len(outlines) == 4 + 3  # one per unit, none where a layer has no unit
    _, xs, ys = plots.grid_over(X, 10)
    dx = xs[1] - xs[0]
    # Layer 1's first tile is the top-left one; its outline is centred on the plane's origin.
    first = min(outlines, key=lambda e: (-e.center[1], e.center[0]))
    assert first.center == pytest.approx(((0 - xs[0]) / dx, (0 - ys[0]) / (ys[1] - ys[0]) + 13))
    assert first.width == pytest.approx(1.0 / dx)
    (bar_ax,) = ax.child_axes  # the bar sits beside the image, inside the axes' box
    assert [t.get_text() for t in bar_ax.get_yticklabels()] == ["most negative", "0", "largest"]
    relu = unit_plots.plot_hidden_units(nnlib.MLP([2, 3, 1], activation="relu", seed=0), X, ax=new_ax(), resolution=8)
    (bar_ax,) = relu.child_axes
    assert [t.get_text() for t in bar_ax.get_yticklabels()] == ["0", "largest"]
    assert len(relu.patches) == 0  # no circle asked for


def test_probability_scatter_labels_its_axes_and_its_scale(trained):
    model, _, (X, _, _, _) = trained
    ax = nnlib.plot_probability_scatter(model, X, ax=new_ax())
    (bar_ax,) = ax.child_axes
    assert bar_ax.get_ylabel() == "P(class 1)" and ax.get_xlabel() == "$x_1$" and ax.get_ylabel() == "$x_2$"


def test_a_row_of_plots_shares_one_probability_bar(trained):
    model, _, (X, y, _, _) = trained
    fig = Figure(figsize=(8, 3))
    axes = fig.subplots(1, 3)
    for ax in axes:
        nnlib.plot_decision_boundary(model, X, y, ax=ax, resolution=10, colorbar=False, legend=False)
    bar = plots.probability_colorbar(axes[0].images[0], axes)
    assert len(fig.axes) == 4 and bar.ax is fig.axes[-1]
    assert [t.get_text() for t in bar.ax.get_yticklabels()] == ["0: class 0", "0.5: unsure", "1: class 1"]


def test_hidden_units_view_without_hidden_layers_or_with_nan_says_so():
    X, _ = nnlib.make_xor(20, seed=0)
    ax = unit_plots.plot_hidden_units(nnlib.MLP([2, 1], seed=0), X, ax=new_ax())
    assert len(ax.images) == 0 and ax.texts[0].get_text() == "no hidden layer"
    ax = unit_plots.plot_hidden_units(broken_model(), X, ax=new_ax())
    assert len(ax.images) == 0 and "not finite" in ax.texts[0].get_text()


def test_round_up_goes_to_the_next_round_number():
    assert plots.round_up(0.72) == pytest.approx(0.8)
    assert plots.round_up(0.8) == pytest.approx(0.8)  # already round: kept
    assert plots.round_up(0.25) == pytest.approx(0.3)
    assert plots.round_up(1234.0) == pytest.approx(1500.0)
    assert plots.round_up(7.0, steps=(1, 2, 5, 10)) == pytest.approx(10.0)


def test_round_limits_pad_the_range_and_round_it_outward():
    X = np.array([[-5.0, -2.0], [5.0, 3.0]])
    X_copy = X.copy()
    # x: range 10, padded to -6..6, step 2 (10 / 8 rounded up to 1, 2 or 5); y: range 5,
    # padded to -2.5..3.5, step 1.
    (x0, x1), (y0, y1) = plots.round_limits(X)
    assert (x0, x1, y0, y1) == pytest.approx((-6.0, 6.0, -3.0, 4.0))
    assert np.array_equal(X, X_copy)
    # Two samples of one data set share their limits.
    assert plots.round_limits(nnlib.make_playground_circle(500, seed=1)[0]) == \
        plots.round_limits(nnlib.make_playground_circle(500, seed=2)[0])


def test_grid_between_spans_the_rectangle():
    grid, xs, ys = plots.grid_between((-1.0, 1.0), (0.0, 4.0), 3)
    np.testing.assert_allclose(xs, [-1, 0, 1])
    np.testing.assert_allclose(ys, [0, 2, 4])
    np.testing.assert_allclose(grid[:4], [[-1, 0], [0, 0], [1, 0], [-1, 2]])


def test_hidden_units_image_puts_layer_1_on_top_and_says_why_when_empty():
    X, _ = nnlib.make_xor(20, seed=0)
    model = nnlib.MLP([2, 4, 2, 1], activation="sigmoid", seed=0)
    image, why = unit_plots.hidden_units_image(model, X, resolution=6, max_units=3)
    assert why is None and image.shape == (2 * 9, 3 * 9)
    grid, _, _ = plots.grid_over(X, 6)
    h1, h2 = unit_plots.hidden_layer_outputs(model, grid)
    top_left = image[9:15, 0:6]  # layer 1, unit 1: scaled so that its largest output is 1
    np.testing.assert_allclose(top_left, h1[:, 0].reshape(6, 6) / h1[:, 0].max())
    assert np.all(np.isnan(image[0:6, 2 * 9:]))  # layer 2 has no third unit
    positions, labels = unit_plots.layer_ticks(2, 6)
    assert positions == [9 + 3, 3] and labels == ["layer 1", "layer 2"]
    assert unit_plots.hidden_units_image(nnlib.MLP([2, 1], seed=0), X) == (None, "no hidden layer")
    assert unit_plots.hidden_units_image(broken_model(), X) == (None, plots.NOT_FINITE)
