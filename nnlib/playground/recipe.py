""""show as code": the ``nnlib`` calls that reproduce the playground's settings."""

from .setup import DTYPE, _data_call, loss_name, sizes

DEFAULT_FEATURES = ("x1", "x2")


def settings_as_code(v, task, made=None, own=False, extra_epochs=0):
    """The calls that reproduce the training of the settings ``v`` (name -> value), as text.

    - task: the ``setup.Task`` of the data; made: how many points were made before
      rebalancing the classes; own: the data came as ``Playground(data=(X, y))``, and
      the code starts from those arrays, named X and y.
    - extra_epochs: epochs trained since, with play or step (said in a comment).
    """
    args = lambda d: ", ".join(f"{k}={val!r}" for k, val in d.items())
    if own:
        lines = ["import nnlib", "", "# X (N, 2), y (N,): the arrays given as Playground(data=(X, y))"]
    else:
        name, kwargs, balance = _data_call(v)
        lines = ["import nnlib", "", f"X, y = nnlib.{name}({args(dict(kwargs, n=made or kwargs['n']))})"]
        if balance:
            lines.append(f"X, y = nnlib.rebalance(X, y, positive_fraction={v['positive_fraction']!r}, "
                         f"n={v['n_points']}, seed={v['data_seed']})")
    lines.append(f"X_train, y_train, X_val, y_val = nnlib.train_val_split(X, y, val_fraction={v['val_fraction']:.4g}, "
                 f"seed={v['data_seed']})")
    inputs = ("X_train", "X_val")
    if tuple(v["features"]) != DEFAULT_FEATURES:
        lines += [f"features = {tuple(v['features'])!r}",
                  "F_train, F_val = nnlib.make_features(X_train, features), nnlib.make_features(X_val, features)"]
        inputs = ("F_train", "F_val")
    opt = (f"nnlib.SGD(lr={v['lr']:.4g}, momentum=0.9)" if v["optimizer"] == "sgd"
           else f"nnlib.Adam(lr={v['lr']:.4g})")
    batch = None if v["batch_size"] == "full" else v["batch_size"]
    penalty = "" if v["regularization"] == "none" else f",\n    regularization=nnlib.{v['regularization']}({v['reg_rate']!r})"
    lines += [
        f"model = nnlib.MLP({sizes(v, task)}, activation={v['activation']!r}, seed={v['init_seed']}, dtype={DTYPE!r})",
        f"history = nnlib.train(\n    model, {inputs[0]}, y_train, nnlib.{loss_name(v, task)}(), {opt},",
        f"    epochs={v['epochs']}, batch_size={batch}, seed={v['data_seed']}, X_val={inputs[1]}, y_val=y_val"
        f"{penalty})",
    ]
    if extra_epochs:
        lines.append(f"# then {extra_epochs} more epochs with play or step: nnlib.train(..., history=history)")
    lines.append("print(history)")
    if task.kind == "binary" and inputs[0] == "X_train":
        lines.append("nnlib.plot_decision_boundary(model, X_train, y_train, X_val=X_val, y_val=y_val)")
    return "\n".join(lines)
