"""Lesson 6 exercises: the training loop, and the capstone, a circle classifier made
of the learner's own layers and trained by their own loop."""

import numpy as np

import nnlib

from .grading import Exercise, NotAttempted, Outcome, Wrong, changed_argument, model_layers, outcome, recognise, show
from .lesson5 import MyDense, MyTanh


def train_loop(model, X, y, loss, lr, epochs):
    """Full-batch gradient descent; returns the loss of every epoch (a list of floats)."""
    losses = []
    for _ in range(epochs):
        value = loss.forward(model.forward(X), y)   # the loss at the current weights
        model.backward(loss.backward())             # every layer's gradients
        for name, p, grad in model.parameters():    # asked after backward: it may make new grads
            p -= lr * grad                          # in place: the model's own arrays change
        losses.append(value)
    return losses


def _loop(model, X, y, loss, lr, epochs, sign=-1.0, last_only=False, after=False, backward=True):
    # A configurable loop that makes the typical wrong answers below.
    losses = []
    for _ in range(epochs):
        value = loss.forward(model.forward(X), y)
        if backward:
            model.backward(loss.backward())
        params = model.layers[-1].parameters() if last_only else model.parameters()
        for _, p, grad in params:
            p += sign * lr * grad
        losses.append(loss.forward(model.forward(X), y) if after else value)
    return losses


LOOP_MISTAKES = [
    (lambda *a: _loop(*a, sign=+1.0),
     "p += lr * grad climbs uphill: the losses rise. Step against the gradient: p -= lr * grad."),
    (lambda *a: _loop(*a, last_only=True),
     "Only the last layer's parameters are updated (the bug of the learner's notebook this lesson is built on: "
     "every prediction stuck near 0.5). "
     "Update every (name, p, grad) of model.parameters()."),
    (lambda *a: _loop(*a, after=True),
     "Each loss is recorded after its update; record the loss that forward gave, before the step."),
]


def _cases():
    def circle():
        X, y = nnlib.make_playground_circle(40, seed=2)
        return nnlib.MLP([2, 4, 1], seed=3), X, y, nnlib.BCEWithLogitsLoss(), 0.1, 5

    def blobs():
        X, y = nnlib.make_blobs(30, seed=4)
        model = nnlib.MLP(layers=[nnlib.Dense(2, 5, seed=5), nnlib.Tanh(), nnlib.Dense(5, 2, seed=6)])
        return model, X, y, nnlib.CrossEntropyLoss(), 0.5, 8

    def one_epoch():
        X, y = nnlib.make_playground_circle(10, seed=7)
        return nnlib.MLP([2, 3, 1], seed=8), X, y, nnlib.BCEWithLogitsLoss(), 0.3, 1

    def far():
        X, y = nnlib.make_playground_circle(40, seed=2)
        return nnlib.MLP([2, 4, 1], seed=3), X * 20, y, nnlib.BCEWithLogitsLoss(), 0.002, 35

    def near():
        X, y = nnlib.make_playground_circle(40, seed=2)
        return nnlib.MLP([2, 4, 1], seed=3), X / 100, y, nnlib.BCEWithLogitsLoss(), 40.0, 3

    return [
        ("nnlib.MLP([2, 4, 1]), 40 points of make_playground_circle(seed=2), BCEWithLogitsLoss, lr = 0.1, epochs = 5",
         circle),
        ("the same 40 points times 20 (up to about 90 from the origin), lr = 0.002, epochs = 35", far),
        ("the same 40 points divided by 100, a large lr = 40, epochs = 3", near),
        ("nnlib.MLP(layers=[Dense(2, 5), Tanh(), Dense(5, 2)]), make_blobs(30, seed=4), CrossEntropyLoss, "
         "lr = 0.5, epochs = 8", blobs),
        ("nnlib.MLP([2, 3, 1]), 10 points, BCEWithLogitsLoss, lr = 0.3, epochs = 1", one_epoch),
    ]


def check_train_loop(f):
    if not callable(f):
        raise Wrong("your answer", [f"expected a function f(model, X, y, loss, lr, epochs), got {type(f).__name__}"])
    cases = _cases()
    for label, make in cases:
        reference = make()
        expected = train_loop(*reference)   # before the learner's code runs: nnlib as it ships
        args = make()
        X, y = args[1].copy(), args[2].copy()
        got = outcome(f, args)
        if got.error:
            raise Wrong(label, [f"expected: losses {show(np.array(expected))}", f"your code {got.error}"])
        if got.value is None:
            raise Wrong(label, ["your code returned None"], "Return the list of the losses, one per epoch.")
        problem = changed_argument((X, y), args[1:3])
        if problem:
            raise Wrong(label, [f"your code {problem}"])
        _check_losses(label, got.value, expected, args, make)
        trained = [p for _, p, _ in args[0].parameters()]
        wanted = [q for _, q, _ in reference[0].parameters()]
        if not all(np.allclose(p, q, rtol=1e-7, atol=1e-12) for p, q in zip(trained, wanted)):
            raise Wrong(label, ["the losses are right, but the model given to your function is not trained"],
                        "Update the parameters of that model in place (p -= lr * grad), not of a copy.")
    return f"Your loop gives the same losses and weights as full-batch gradient descent on all {len(cases)} cases."


def _check_losses(label, losses, expected, args, make):
    model, epochs = args[0], args[5]
    try:
        got = np.asarray(losses, dtype=float).reshape(-1) if np.ndim(losses) <= 1 else None
    except Exception:  # TypeError, ValueError, or an __array__ that raises
        got = None
    if got is None or np.ndim(losses) == 0:
        raise Wrong(label, [f"expected: a list of {epochs} losses", f"got:      {show(losses)}"],
                    "Return the list of every epoch's loss, not one number or the model.")
    if len(got) != epochs:
        raise Wrong(label, [f"expected: {epochs} losses, one per epoch", f"got:      {len(got)} losses: {show(got)}"],
                    "Record one loss per epoch, and take exactly `epochs` steps.")
    if np.allclose(got, expected, rtol=1e-7, atol=1e-12):
        return
    lines = [f"expected: losses {show(np.array(expected))}", f"got:      losses {show(got)}"]
    if epochs > 1 and np.allclose(got, got[0], rtol=1e-12, atol=0):
        # Nothing moved. The grads tell why: never computed, or computed and not applied.
        grads = [g for _, _, g in model.parameters()]
        if all(not np.any(g) for g in grads):
            raise Wrong(label, lines, "The loss never changes: model.backward(loss.backward()) is missing, "
                                      "so every gradient is still 0.")
        raise Wrong(label, lines, "The loss never changes: p = p - lr * grad makes a new array and leaves the model's "
                                  "own one as it was. Update in place: p -= lr * grad.")
    try:
        mistake = recognise(make(), Outcome(value=losses), LOOP_MISTAKES, expected)
    except NotAttempted:
        mistake = None
    raise Wrong(label, lines, mistake)


def capstone():
    """A circle classifier from the lesson 5 layers, trained by ``train_loop``."""
    X, y = nnlib.make_playground_circle(500, seed=0)
    model = nnlib.MLP(layers=[MyDense(2, 8, seed=1), MyTanh(), MyDense(8, 1, seed=2)])
    train_loop(model, X, y, nnlib.BCEWithLogitsLoss(), lr=0.5, epochs=300)
    return model


FRESH = "1000 fresh points of make_playground_circle(1000, seed=1), raw (not standardised)"


def check_capstone(model):
    case = "your model"
    layers = model_layers(model, case)
    kinds = set()
    for i, layer in enumerate(layers):
        for base in (nnlib.Dense, nnlib.Tanh):
            if isinstance(layer, base):
                kinds.add(base)
                if type(layer).backward is base.backward:
                    raise Wrong(case, [f"layers[{i}] is a {type(layer).__name__} whose backward is "
                                       f"nnlib.{base.__name__}'s own"],
                                f"nnlib's own layers do not count here: build the model from your subclass of "
                                f"nnlib.{base.__name__} with your own backward.")
                break
        else:
            raise Wrong(case, [f"layers[{i}] is a {type(layer).__name__}"],
                        "The capstone is made of your own Dense and Tanh subclasses only.")
    if kinds != {nnlib.Dense, nnlib.Tanh}:
        raise Wrong(case, ["the model needs both your Dense layers and your Tanh (a hidden layer)"],
                    "A straight line cannot separate a circle: Dense -> Tanh -> Dense.")
    _check_own_layers(layers)
    X, y = nnlib.make_playground_circle(1000, seed=1)
    accuracy = _accuracy(model, X, y)
    if accuracy < 0.95:
        train_X, _ = nnlib.make_playground_circle(500, seed=0)
        standardised = (X - train_X.mean(axis=0)) / train_X.std(axis=0)
        try:
            on_standardised = _accuracy(model, standardised, y)
        except Wrong:
            on_standardised = 0.0
        if on_standardised >= 0.95:
            guess = (f"On the same points standardised (with the mean and std of make_playground_circle(500, "
                     f"seed=0)) your model scores {on_standardised:.1%}: it was trained on standardised points, "
                     "but this grade feeds the raw points. Train it on the raw points for this exercise.")
        elif accuracy < 0.6:
            guess = ("About half right is what an untrained model, or one whose first layer never learned, gets: "
                     "does your loop update every layer?")
        else:
            guess = "Train longer, with a larger learning rate, or with more hidden units."
        raise Wrong(FRESH, [f"accuracy {accuracy:.1%}; at least 95.0% is needed"], guess)
    return f"Your own layers, trained by your own loop, classify {accuracy:.1%} of 1000 fresh raw points."


def _accuracy(model, X, y):
    got = outcome(model.forward, (X,))
    if got.error:
        raise Wrong(FRESH, [f"model.forward {got.error}"])
    try:
        logits = np.asarray(got.value, dtype=float)
    except Exception:
        raise Wrong(FRESH, [f"model.forward returned {show(got.value)}, not an array of logits"]) from None
    if logits.ndim != 2 or logits.shape[0] != len(y) or logits.shape[1] not in (1, 2):
        raise Wrong(FRESH, [f"the model gives logits of shape {logits.shape}; expected (1000, 1) or (1000, 2)"])
    predicted = logits[:, 0] > 0 if logits.shape[1] == 1 else np.argmax(logits, axis=1) == 1
    return float(np.mean(predicted == (y == 1)))


def _check_own_layers(layers):
    """Each of the learner's own layer classes must pass its lesson 5 exercise: a wrong
    backward (db as a mean, say) trains badly, and "train longer" would not help."""
    from .lesson5 import check_dense_backward, check_tanh_backward
    seen = set()
    for i, layer in enumerate(layers):
        cls = type(layer)
        if cls in seen:
            continue
        seen.add(cls)
        check, exercise = ((check_dense_backward, "5.dense_backward") if isinstance(layer, nnlib.Dense) else
                           (check_tanh_backward, "5.tanh_backward"))
        try:
            check(cls)
        except Wrong as wrong:
            raise Wrong(f"your model's layers[{i}], a {cls.__name__}, graded as in {exercise}",
                        [f"on the case {wrong.case}"] + wrong.lines,
                        wrong.mistake or f"Its backward is not right yet: grade it with {exercise} first.") from None


HYPERPARAMETER = ("A setting of the training (how many points, a seed, the learning rate, the epochs, a layer's "
                  "seed): the model still classifies above 95 % of fresh points, and any such model of your own "
                  "layers is right.")

EXERCISES = [
    Exercise("6.train_loop", 6, "the training loop", "code",
             check_train_loop, lambda: train_loop,
             hint="Each epoch: value = loss.forward(model.forward(X), y); model.backward(loss.backward()); then for "
                  "every (name, p, grad) in model.parameters(): p -= lr * grad; keep the value.",
             nudge="Each epoch: measure the loss, let the model find every parameter's gradient, then move every "
                   "parameter a little downhill, in the model's own arrays.",
             source_of=(train_loop,), time_limit=30.0, library=("nnlib.train",),
             equivalent_mutants={
                 "insert `y = np.clip(y, -30, 30)` at the start of train_loop":
                     "The labels are 0 and 1, or class indices below 30: clipping them at +-30 changes nothing.",
             }),
    Exercise("6.capstone", 6, "a circle classifier of your own layers", "value",
             check_capstone, capstone,
             hint="nnlib.MLP(layers=[MyDense(2, 8), MyTanh(), MyDense(8, 1)]), trained by your train_loop with "
                  "BCEWithLogitsLoss on make_playground_circle(500, seed=0), lr around 0.5, a few hundred epochs. "
                  "The grade feeds raw points: train on raw points.",
             nudge="A straight line cannot separate a circle: a hidden layer of your own layers, trained by your "
                   "own loop, long enough. The grade feeds the raw points of make_playground_circle.",
             source_of=(MyDense, MyTanh, train_loop, capstone), time_limit=30.0, mutant_sample=10,
             equivalent_mutants={
                 "line 3: 500 -> 501": HYPERPARAMETER,
                 "line 3: 0 -> 1": HYPERPARAMETER,
                 "line 5: 0.5 -> 1.5": HYPERPARAMETER,
                 "line 5: 300 -> 301": HYPERPARAMETER,
                 "line 4: 1 -> 2 (occurrence 2)": HYPERPARAMETER,
                 "line 4: 1 -> 0 (occurrence 2)": HYPERPARAMETER,
                 "line 4: 2 -> 3 (occurrence 2)": HYPERPARAMETER,
                 "line 4: 2 -> 0 (occurrence 2)": HYPERPARAMETER,
             }),
]
