"""What the playground shows of a trained network: the figure, the network's picture,
the confusion matrix (or the MSE of a regression) and the scores in the status line.
The numbers come from ``nnlib`` (``predict``, ``data.confusion_matrix``, ``mse_loss``).
"""

import html
from contextlib import contextmanager

import numpy as np

from .. import data, plots, unit_plots
from ..features import make_features
from ..losses import mse_loss
from . import setup
from .diagram import TILE, Diagram, unit_tiles
from .figure import heat_colours


def scores(history, i=-1):
    """Loss (and accuracy) at index ``i`` of the history, training (and validation)."""
    def pair(train_list, val_list, fmt):
        text = format(train_list[i], fmt)
        return text + (f" (val {format(val_list[i], fmt)})" if val_list else "")
    if not history.loss:
        return "no epoch run"
    text = "loss " + pair(history.loss, history.val_loss, ".4f")
    if history.accuracy:
        text += ", accuracy " + pair(history.accuracy, history.val_accuracy, ".1%")
    return text


@contextmanager
def weights_of(pg, epoch):
    """The model holds the weights of ``epoch`` (its nearest earlier snapshot) meanwhile."""
    h = pg.history
    if pg.model is None or h is None or epoch is None or epoch >= h.epochs_run:
        yield None if h is None else h.epochs_run
        return
    shown = max(e for e in pg.snapshots if e <= epoch)
    now = pg.model.get_weights()
    pg.model.set_weights(pg.snapshots[shown])
    try:
        yield shown
    finally:
        pg.model.set_weights(now)


def show(pg, epoch=None):
    """Draw everything for the playground ``pg`` at ``epoch`` (None: its last epoch)."""
    v, h, task = pg.values(), pg.history, pg.task
    trained = pg.model is not None and h is not None
    with weights_of(pg, epoch) as shown:
        pg.shown_epoch = shown
        surface = (lambda grid: setup.outputs(pg.model, v["features"], task, grid)) if trained else None
        mark = epoch if trained and epoch is not None and epoch < h.epochs_run else None
        pg.figure = pg.picture.draw(pg.data, task, surface, h if trained else None, mark,
                                    show_test=v["show_test"], discretize=v["discretize"])
        pg.diagram = diagram(pg.model, v["features"], task, pg.data) if trained else None
        pg.confusion, pg.confusion_html = confusion(pg) if trained else (None, "")
    if pg.data is not None:
        pg.parts.feature_images(plots.round_limits(np.vstack([pg.data[0], pg.data[2]])))


def diagram(model, features, task, splits):
    """The network's picture: each feature, hidden unit and output over the plane."""
    limits = plots.round_limits(np.vstack([splits[0], splits[2]]))
    grid, _, _ = plots.grid_between(*limits, TILE)
    F = make_features(grid, features)
    with np.errstate(over="ignore", invalid="ignore"):
        hidden = unit_plots.hidden_layer_outputs(model, F)
        out = setup.outputs(model, features, task, grid)
    columns = [list(zip(features, unit_tiles(F)))]
    for k, H in enumerate(hidden, start=1):
        columns.append([(f"layer {k} unit {u + 1}", tile) for u, tile in enumerate(unit_tiles(H))])
    if task.kind == "classes":
        tiles = [None] * task.classes if out is None else [out[:, c].reshape(TILE, TILE) for c in range(task.classes)]
        columns.append([(f"P(class {c})", tile) for c, tile in enumerate(tiles)])
    elif task.kind == "binary":
        columns.append([("P(class 1)", None if out is None else out.reshape(TILE, TILE))])
    else:
        tile = None if out is None else heat_colours(out.reshape(TILE, TILE), task)
        columns.append([("output", tile)])
    return Diagram(columns, setup.weights(model))


def confusion(pg):
    """``(counts, html)``: the confusion matrix on the validation points (the training
    points if there are none), or for a regression the MSE of both, as a table."""
    X, y, which = (pg.inputs[1], pg.data[3], "validation") if len(pg.data[3]) else \
        (pg.inputs[0], pg.data[1], "training")
    with np.errstate(over="ignore", invalid="ignore"):
        out = pg.model.forward(X)
    if not np.all(np.isfinite(out)):
        return None, "<p>no predictions: the output is not finite</p>"
    if pg.task.kind == "regression":
        rows = [(name, mse_loss(pg.model.forward(F)[:, 0].astype(float), t))
                for name, F, t in [("training", pg.inputs[0], pg.data[1]), ("validation", pg.inputs[1], pg.data[3])]
                if len(t)]
        body = "".join(f"<tr><th scope='row'>{name}</th><td>{value:.4f}</td></tr>" for name, value in rows)
        return dict(rows), f"<table class='nnlib-mse'><caption>mean squared error</caption>{body}</table>"
    C = pg.task.classes
    counts = data.confusion_matrix(y, pg.model.predict(X), C)
    head = "".join(f"<th scope='col'>{c}</th>" for c in range(C))
    body = "".join(f"<tr><th scope='row'>{r}</th>" + "".join(f"<td>{n}</td>" for n in counts[r]) + "</tr>"
                   for r in range(C))
    text = (f"<table class='nnlib-confusion' style='border-collapse: collapse'><caption>confusion matrix, "
            f"{html.escape(which)} points: rows true class, columns predicted</caption>"
            f"<tr><th scope='col'>true \\ predicted</th>{head}</tr>{body}</table>")
    return counts, text
