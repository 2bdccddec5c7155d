"""Lesson 5 exercises: predict the first loss, and write the backward pass of a dense
layer, of tanh, of a sigmoid with a bug in it, and of ReLU.

A layer exercise's answer is a class: the learner's subclass of ``nnlib.Dense``,
``nnlib.Tanh``, ``nnlib.Sigmoid`` or ``nnlib.ReLU`` with their own ``backward``. The grader makes layers
of it, runs forward and backward on random inputs of several shapes, compares with the
chain rule, runs ``nnlib.gradient_check`` on it alone and inside an ``nnlib.MLP``.
"""

import inspect

import numpy as np

import nnlib

from .grading import Exercise, Wrong, check_value, outcome, same, show


def initial_loss():
    # Logits 0 give p = sigmoid(0) = 1/2 for every example, whatever its label, and each
    # costs -log(1/2) = ln 2.
    return float(np.log(2))


def check_initial_loss(answer):
    check_value(answer, initial_loss(), [
        (0.5, "0.5 is the probability sigmoid(0) that every example gets; the loss is -log of it."),
        (0.25, "0.25 is the sigmoid's slope at 0, s (1 - s); the loss is -log(sigmoid(0))."),
        (float(np.log10(2)), "That is log base 10 of 2; cross entropy uses the natural log: ln 2."),
        (1.0, "1 is log base 2 of 2 (one bit); cross entropy uses the natural log: ln 2."),
        (-float(np.log(2)), "Mind the sign: the loss is -log(1/2) = +ln 2."),
        (0.0, "A loss of 0 needs every example predicted with certainty; logits of 0 say 1/2 for every one."),
        (400 * float(np.log(2)), "That is the sum over the 400 points; the loss is their mean."),
        (0.69, "0.69 is the value rounded to two digits: give it to three digits at least (compute it with "
               "np.log rather than rounding)."),
        (0.7, "0.7 is the value rounded to one digit: give it to three digits at least (compute it with np.log "
              "rather than rounding)."),
    ], rtol=2e-3)
    return "ln 2 = 0.693: a network that knows nothing yet starts there, and a first loss far from it means a bug."


class MyDense(nnlib.Dense):
    def backward(self, dout):
        # X (N, D), W (D, H), dout (N, H). Each gradient has the shape of its variable.
        self.dW = self.X.T @ dout          # (D, N) @ (N, H) -> (D, H)
        self.db = dout.sum(axis=0)         # every example adds to the bias: (H,)
        return dout @ self.W.T             # (N, H) @ (H, D) -> (N, D)


class MyTanh(nnlib.Tanh):
    def backward(self, dout):
        # forward kept the output t = tanh(X); the slope of tanh is 1 - t**2.
        return dout * (1 - self.t ** 2)


class FixedSigmoid(nnlib.Sigmoid):
    def backward(self, dout):
        s = self.s                         # forward kept the output s = sigmoid(X)
        return dout * s * (1 - s)          # brackets: dout * s * 1 - s is dout * s - s


def check_class(cls, base, stub_name):
    """A learner's layer class must be a subclass of ``base`` with its own backward."""
    name = f"nnlib.{base.__name__}"
    if not inspect.isclass(cls):
        raise Wrong("your answer", [f"expected a class (class {stub_name}({name}): ...), got {type(cls).__name__} "
                                    f"{show(cls)}"])
    if cls is base:
        raise Wrong("your answer", [f"that is {name} itself, the library's own layer"],
                    f"Pass your subclass ({stub_name}), whose backward you wrote.")
    if not issubclass(cls, base):
        raise Wrong("your answer", [f"{cls.__name__} is not a subclass of {name}"],
                    f"Start from class {stub_name}({name}): forward and the rest come from {name}; you write backward.")
    if cls.backward is base.backward:
        raise Wrong("your answer", [f"{cls.__name__} does not define backward, so it runs {name}'s own"],
                    "Write def backward(self, dout): inside your class.")


def _make(cls, args, what):
    got = outcome(cls, args)
    if got.error:
        raise Wrong(what, [f"making the layer {cls.__name__}{args} failed: your code {got.error}"])
    return got.value


def _backward(layer, dout, case):
    """Run the learner's backward on a copy it may keep, and check it left dout alone."""
    given = dout.copy()
    got = outcome(layer.backward, (given,))
    if got.error:
        raise Wrong(case, [f"your backward {got.error}"], _known_error(got.error, layer))
    if not np.array_equal(given, dout):
        example = ("dW, db and dX are new arrays made from dout (a product, a sum); never dout -= ..., dout *= ... "
                   "or dout[...] = ..." if isinstance(layer, nnlib.Dense) else
                   "dX = dout * (the local slope), not dout *= ...")
        raise Wrong(case, ["your backward changed dout in place"],
                    f"dout belongs to the layer after this one (or the loss), which may use it again: {example}.")
    if got.value is None:
        raise Wrong(case, ["your backward returned None"], "backward must return dX, d loss / d input.")
    return got.value


def _known_error(error, layer):
    if "matmul" in error or "not aligned" in error or "broadcast" in error:
        return ("The shapes do not fit: a product's inner sizes must match. With X (N, D), W (D, H) and dout (N, H): "
                "dW = X.T @ dout, dX = dout @ W.T.")
    if "has no attribute" in error:
        kept = "self.X (the input)" if isinstance(layer, nnlib.Dense) else (
            "its input as self.z" if isinstance(layer, nnlib.ReLU) else
            "only its output, self.t" if isinstance(layer, nnlib.Tanh) else "only its output, self.s")
        return f"Forward keeps {kept} for backward; use that."
    return None


def _compare(case, name, expected, got, mistakes, exact=False):
    """``got`` must match ``expected``; ``mistakes`` are (function giving the value it
    would have, message) pairs. ``exact``: each entry relatively, to 1e-12, at any magnitude
    and 0 where 0 is expected (for an answer that only picks or zeroes entries of dout)."""
    try:
        np.asarray(got, dtype=float)
    except Exception:
        raise Wrong(case, [f"{name}: expected {show(expected)}", f"{' ' * len(name)}  got      {show(got)}"],
                    f"{name} must be a numpy array of numbers, of shape {np.shape(expected)}.") from None
    tolerance = (dict(rtol=1e-12, atol=0.0) if exact else
                 dict(rtol=1e-7, atol=1e-10 * max(1.0, float(np.max(np.abs(expected), initial=0)))))
    if same(got, expected, **tolerance):
        return
    digits = 17 if exact and show(got) == show(expected) else 6
    lines = [f"{name}: expected {show(expected, digits)}", f"{' ' * len(name)}  got      {show(got, digits)}"]
    if np.ndim(got) != np.ndim(expected) or np.shape(got) != np.shape(expected):
        lines.append(f"{name} has shape {np.shape(got)}; it must have shape {np.shape(expected)}")
    mistake_tolerance = tolerance if exact else {}
    raise Wrong(case, lines, next((m for value, m in mistakes if same(got, _quietly(value), **mistake_tolerance)),
                                  None))


def _quietly(value):
    """A mistake's value, given as a function of nothing; None where it cannot be made
    (a wrong product whose shapes do not fit this case)."""
    try:
        with np.errstate(all="ignore"):
            return value()
    except ValueError:
        return None


def _gradient_check(model, X, y, loss, case):
    result = outcome(nnlib.gradient_check, (model, X, y, loss))
    if result.error:
        raise Wrong(case, [f"nnlib.gradient_check: your code {result.error}"])
    bad = {name: err for name, err in result.value.items() if not err < 1e-6}
    if bad:
        raise Wrong(case, ["nnlib.gradient_check: " + ", ".join(f"{k} rel_error {v:.2g}" for k, v in bad.items())
                           + " (a correct backward gives below 1e-6)"])


DENSE_SHAPES = [(3, 4, 2), (1, 1, 1), (2, 3, 3), (4, 2, 5)]
DRAWN_LAYERS = 12  # shapes and scales drawn besides the named shapes (seeded)


def _drawn_shapes(seed, n_axes):
    rng = np.random.default_rng(seed)
    return [(tuple(int(v) for v in rng.integers(1, 7, size=n_axes)), float(10.0 ** rng.uniform(-3, 3)))
            for _ in range(DRAWN_LAYERS)]


def check_dense_backward(cls):
    check_class(cls, nnlib.Dense, "MyDense")
    shapes = [(shape, 1.0) for shape in DENSE_SHAPES] + _drawn_shapes(105, 3)
    for k, ((N, D, H), scale) in enumerate(shapes):
        named = k < len(DENSE_SHAPES)
        case = (f"N = {N}, D = {D}, H = {H} (random X, W, b and dout)" if named else
                f"drawn layer {k - len(DENSE_SHAPES) + 1} of {DRAWN_LAYERS} (seeded): N = {N}, D = {D}, H = {H}, "
                f"values of size about {scale:.2g}")
        rng = np.random.default_rng(10 + k)
        layer = _make(cls, (D, H), case)
        layer.W[...] = rng.normal(size=(D, H)).round(2) * scale
        layer.b[...] = rng.normal(size=H).round(2) * scale
        X, dout = rng.normal(size=(N, D)).round(2) * scale, rng.normal(size=(N, H)).round(2) * scale
        forward = outcome(layer.forward, (X,))
        if forward.error:
            raise Wrong(case, [f"forward {forward.error}"])
        W = layer.W.copy()
        dX = _backward(layer, dout, case)
        _compare(case, "dW", X.T @ dout, layer.dW, [
            (lambda: dout.T @ X, "dW is transposed: dout.T @ X is (H, D); dW has W's shape (D, H): X.T @ dout."),
            (lambda: X.T @ dout / N, "dW is divided by N: the loss already did that, dout carries the 1/N. dW = X.T "
                                     "@ dout."),
            (lambda: np.zeros((D, H)), "self.dW was not set: backward must set self.dW = X.T @ dout."),
        ])
        _compare(case, "db", dout.sum(axis=0), layer.db, [
            (lambda: dout, "db is not summed over the rows: every example adds to the bias, db = dout.sum(axis=0), "
                           "shape (H,)."),
            (lambda: dout.mean(axis=0), "db is the mean of dout: the loss already divided by N, so sum: "
                                        "dout.sum(axis=0)."),
            (lambda: dout.sum(axis=0, keepdims=True), "db must have b's shape (H,), not (1, H): drop keepdims."),
            (lambda: dout.sum(axis=1), "db sums over the wrong axis: over the examples, axis=0."),
            (lambda: np.zeros(H), "self.db was not set: backward must set self.db = dout.sum(axis=0)."),
        ])
        _compare(case, "dX", dout @ W.T, dX, [
            (lambda: dout, "dX is missing W.T: each input reaches every output through W, so dX = dout @ W.T."),
            (lambda: dout @ W, "dX = dout @ W has the wrong transpose: dout (N, H) @ W.T (H, D) -> (N, D)."),
        ])
        if named:  # central differences are accurate at this scale
            y = rng.normal(size=(N, H))
            _gradient_check(layer, X, y, nnlib.MSELoss(), case)
    _check_in_mlp([cls(2, 3, seed=1), nnlib.Tanh(), cls(3, 1, seed=2)])
    return (f"Your backward gives the same dW, db and dX as the chain rule on {len(shapes)} shapes, "
            "passes nnlib.gradient_check alone and inside an MLP.")


def _check_in_mlp(layers):
    case = f"inside nnlib.MLP(layers=[{', '.join(_name(layer) for layer in layers)}]), 6 examples"
    model = nnlib.MLP(layers=layers)
    rng = np.random.default_rng(7)
    X, y = rng.normal(size=(6, 2)), np.array([0, 1, 1, 0, 1, 0])
    _gradient_check(model, X, y, nnlib.BCEWithLogitsLoss(), case)


def _name(layer):
    shape = f"({layer.n_in}, {layer.n_out})" if isinstance(layer, nnlib.Dense) else "()"
    return type(layer).__name__ + shape


ACTIVATION_SHAPES = [(3, 4), (1, 1), (2, 5)]


def _check_activation(cls, base, stub_name, saved, slope, mistakes, to_mlp):
    """Shared by tanh and the sigmoid: saved is the attribute forward keeps (t or s),
    slope(out) the correct local slope, mistakes(X, out, dout) -> (value, message) pairs."""
    check_class(cls, base, stub_name)
    shapes = [(shape, 1.0) for shape in ACTIVATION_SHAPES] + _drawn_shapes(205, 2)
    for k, ((N, H), scale) in enumerate(shapes):
        named = k < len(ACTIVATION_SHAPES)
        case = (f"X of shape ({N}, {H}), random X and dout" if named else
                f"drawn input {k - len(ACTIVATION_SHAPES) + 1} of {DRAWN_LAYERS} (seeded): X of shape ({N}, {H}), "
                f"dout of size about {scale:.2g}")
        rng = np.random.default_rng(20 + k)
        # X of size 1.5, where the slope is far from 0 and 1; dout of any size.
        X = rng.normal(scale=1.5, size=(N, H)).round(2)
        dout = rng.normal(size=(N, H)).round(2) * scale
        layer = _make(cls, (), case)
        forward = outcome(layer.forward, (X,))
        if forward.error:
            raise Wrong(case, [f"forward {forward.error}"])
        out = np.array(getattr(layer, saved))
        dX = _backward(layer, dout, case)
        _compare(case, "dX", dout * slope(out), dX, mistakes(X, out, dout))
        if named:
            _gradient_check(layer, X, rng.normal(size=(N, H)), nnlib.MSELoss(), case)
    _check_in_mlp(to_mlp(cls))


def check_tanh_backward(cls):
    def mistakes(X, t, dout):
        return [
            (lambda: dout * (1 - t), "dout * (1 - t) is missing the square: the slope of tanh is 1 - t**2."),
            (lambda: 1 - t ** 2, "dout is missing: the chain rule multiplies the incoming gradient by the local "
                                 "slope, dout * (1 - t**2)."),
            (lambda: dout * 1 - t ** 2, "`dout * 1 - t**2` is `dout - t**2`: brackets, dout * (1 - t**2)."),
            (lambda: dout * (1 - np.tanh(t) ** 2),
             "self.t is already the output tanh(X): applying tanh again gives tanh(tanh(X)). Use 1 - self.t**2."),
            (lambda: dout * (1 - X ** 2), "1 - X**2 uses the input; the slope is 1 - t**2 with the output t = "
                                          "tanh(X) (self.t)."),
            (lambda: dout * t * (1 - t), "t * (1 - t) is the sigmoid's rule; tanh's slope is 1 - t**2."),
            (lambda: dout * (1 + t ** 2), "The sign: the slope of tanh is 1 - t**2."),
        ]
    _check_activation(cls, nnlib.Tanh, "MyTanh", "t", lambda t: 1 - t ** 2, mistakes,
                      lambda c: [nnlib.Dense(2, 3, seed=1), c(), nnlib.Dense(3, 1, seed=2)])
    return ("Your tanh backward is dout * (1 - t**2) on every shape, passes nnlib.gradient_check, "
            "alone and inside an MLP.")


def check_fix_sigmoid_backward(cls):
    def mistakes(X, s, dout):
        sig = nnlib.sigmoid(s)
        return [
            (lambda: dout * s * 1 - s, "The bug is still there: `dout * s * 1 - s` is `dout * s - s`. Brackets: dout "
                                       "* s * (1 - s)."),
            (lambda: dout * (s * 1 - s), "`s * 1 - s` is `s - s`, always 0: brackets, s * (1 - s)."),
            (lambda: dout * s * (1 + s), "The sign in the bracket: the slope is s * (1 - s)."),
            (lambda: s * (1 - s), "dout is missing: multiply the incoming gradient by the slope, dout * s * (1 - s)."),
            (lambda: dout * (1 - s), "A factor s is missing: dout * s * (1 - s)."),
            (lambda: dout * sig * (1 - sig),
             "self.s is already the output sigmoid(X): applying the sigmoid again is wrong. Use s = self.s."),
            (lambda: dout * (1 - s ** 2), "1 - s**2 is tanh's rule; the sigmoid's slope is s * (1 - s)."),
        ]
    _check_activation(cls, nnlib.Sigmoid, "FixedSigmoid", "s", lambda s: s * (1 - s), mistakes,
                      lambda c: [nnlib.Dense(2, 3, seed=1), c(), nnlib.Dense(3, 1, seed=2)])
    return "Fixed: dout * s * (1 - s), right on every shape and in nnlib.gradient_check."


class MyReLU(nnlib.ReLU):
    def backward(self, dout):
        # forward kept the input z. The slope is 1 where z > 0 and 0 where z < 0; at the
        # kink z = 0 there is none, and we take 0, the flat side's (as nnlib and PyTorch do).
        return dout * (self.z > 0)


# Inputs with entries exactly at the kink and just either side of it, then random ones
# (rounded to one decimal, so that some land on 0 exactly).
RELU_CASES = [
    ("X = [[-2.0, -0.5, 0.5, 2.0]] (no entry at 0)", np.array([[-2.0, -0.5, 0.5, 2.0]])),
    ("X with entries exactly at the kink 0: [[0.0, 1.5, -1.0], [3.0, 0.0, -0.25]]",
     np.array([[0.0, 1.5, -1.0], [3.0, 0.0, -0.25]])),
    ("X = [[1e-12, -1e-12, 0.0]] (just either side of the kink, and on it)", np.array([[1e-12, -1e-12, 0.0]])),
    ("X of shape (5, 4), random, some entries 0", np.random.default_rng(30).normal(size=(5, 4)).round(1)),
]


RELU_DRAWS = 40  # inputs drawn from the whole domain besides the named ones (seeded)


def _relu_domain(rng):
    """One input (X, dout) from ReLU's whole domain: any shape, entries of X exactly at
    the kink (0.0 and -0.0) or of either sign and of any size, ordinary (1e-3 to 1e3),
    from 1e-300 to 1e300, or subnormal (1e-322 to 1e-308, just beside the kink); dout of
    either sign and of sizes 1e-150 to 1e150, never 0, so that every slope shows in dX."""
    N, H = (int(n) for n in rng.integers(1, 7, size=2))
    sizes = np.choose(rng.choice(3, size=(N, H), p=[0.3, 0.5, 0.2]),
                      [10.0 ** rng.uniform(-3, 3, size=(N, H)), 10.0 ** rng.uniform(-300, 300, size=(N, H)),
                       10.0 ** rng.uniform(-322, -308, size=(N, H))])
    X = np.where(rng.random((N, H)) < 0.25, 0.0, rng.choice([-1.0, 1.0], size=(N, H)) * sizes)
    X[rng.random((N, H)) < 0.1] = -0.0
    dout = rng.choice([-1.0, 1.0], size=(N, H)) * 10.0 ** rng.uniform(-150, 150, size=(N, H))
    return X, dout


def _relu_inputs():
    """The named inputs, then the drawn ones: (case, X, dout, rng), with ``rng`` the
    generator that drew a named input's dout (for its gradient check), None for a drawn one."""
    for k, (case, X) in enumerate(RELU_CASES):
        rng = np.random.default_rng(40 + k)
        # dout of both signs and no zeros, so that every slope shows in dX.
        yield case, X, rng.choice([-1, 1], size=X.shape) * rng.uniform(0.5, 2.0, size=X.shape).round(2), rng
    drawing = np.random.default_rng(405)
    for k in range(RELU_DRAWS):
        X, dout = _relu_domain(drawing)
        shown = (f"X = {show(X, 17)}, dout = {show(dout, 17)}" if X.size <= 6 else
                 f"X of shape {X.shape} = {show(X)}, dout = {show(dout)}")
        yield f"drawn input {k + 1} of {RELU_DRAWS} (seeded): {shown}", X, dout, None


def check_relu_backward(cls):
    check_class(cls, nnlib.ReLU, "MyReLU")
    for k, (case, X, dout, rng) in enumerate(_relu_inputs()):
        layer = _make(cls, (), case)
        forward = outcome(layer.forward, (X.copy(),))
        if forward.error:
            raise Wrong(case, [f"forward {forward.error}"])
        z = np.array(layer.z)
        dX = _backward(layer, dout, case)
        # dX only picks or zeroes entries of dout: exact, at every magnitude.
        _compare(case, "dX", dout * (z > 0), dX, exact=True, mistakes=[
            (lambda: dout * (z >= 0), "At the kink z = 0 your slope is 1: there is no derivative there, and nnlib "
                                      "takes the flat side's slope, 0. Only an input above 0 passes the gradient."),
            (lambda: dout * np.where(z == 0, 0.5, z > 0), "At the kink z = 0 your slope is 0.5, the average of the "
                                                          "two sides that a central difference measures there; nnlib "
                                                          "takes the flat side's slope, 0."),
            (lambda: dout, "The gradient passes through every entry unchanged (as with out >= 0, which is always true "
                           "since ReLU's output is never negative): it must stop where the input was not above 0."),
            (lambda: dout * z, "dX = dout * z multiplies by the input itself; ReLU's slope is only ever 0 or 1."),
            (lambda: dout * np.maximum(z, 0), "dout * max(z, 0) multiplies by ReLU's output; its slope is only ever "
                                              "0 or 1."),
            (lambda: dout * np.sign(z), "np.sign gives -1 for a negative input; ReLU is flat there, so its slope is "
                                        "0, not -1."),
            (lambda: dout * (z < 0), "The mask is flipped: the gradient passes where the input was above 0 (where "
                                     "ReLU passed it on), and stops where it was below."),
            (lambda: dout * (z <= 0), "The mask is flipped: the gradient passes where the input was above 0 (where "
                                      "ReLU passed it on), and stops elsewhere."),
            (lambda: (z > 0) * 1.0, "dout is missing: the chain rule multiplies the incoming gradient by the local "
                                    "slope."),
            (lambda: np.maximum(dout, 0), "That keeps the positive entries of dout: which entries pass depends on "
                                          "the input forward kept, self.z, not on the sign of dout."),
        ])
        if k == len(RELU_CASES) - 1:
            _gradient_check(layer, X, rng.normal(size=X.shape), nnlib.MSELoss(), case)
    _check_in_mlp([nnlib.Dense(2, 3, seed=1), cls(), nnlib.Dense(3, 1, seed=2)])
    return ("Your ReLU backward passes dout where z > 0 and stops it elsewhere, at the kink too, on every shape, "
            "and passes nnlib.gradient_check, alone and inside an MLP.")


EXERCISES = [
    Exercise("5.initial_loss", 5, "predict, then run: the first loss", "value",
             check_initial_loss, initial_loss,
             hint="Logits of 0 give every example the probability sigmoid(0); each then costs -ln of the probability "
                  "of its label.",
             nudge="Before any training the logits are 0: what probability does that give each example, whatever "
                   "its label, and what does each example cost then? The loss is their mean.",
             source_of=(initial_loss,),
             equivalent_mutants={
                 "line 2: float(np.log(2)) -> np.log(2)": "np.log gives a numpy float64, which is a float: the "
                                                          "float() only tidies it.",
             }),
    Exercise("5.dense_backward", 5, "the backward pass of a dense layer", "code",
             check_dense_backward, lambda: MyDense,
             hint="Each gradient has the shape of its variable: dW (D, H) = X.T @ dout, db (H,) = dout summed over the "
                  "rows, dX (N, D) = dout @ W.T.",
             nudge="Each gradient has the shape of the variable it belongs to: match the shapes and the products "
                   "follow. Every example adds to the bias.",
             source_of=(MyDense,), library=("nnlib.Dense.backward",)),
    Exercise("5.tanh_backward", 5, "the backward pass of tanh", "code",
             check_tanh_backward, lambda: MyTanh,
             hint="forward keeps the output t = tanh(X) in self.t; tanh's slope is 1 - t**2; multiply dout by it.",
             nudge="forward kept tanh's output; tanh's slope can be written with that output. The chain rule "
                   "multiplies the incoming gradient by the local slope.",
             source_of=(MyTanh,), library=("nnlib.Tanh.backward",)),
    Exercise("5.fix_sigmoid_backward", 5, "debugging: fix the sigmoid's backward", "code",
             check_fix_sigmoid_backward, lambda: FixedSigmoid,
             hint="Read the line as Python does: * and - go left to right, * first. The slope is s * (1 - s).",
             nudge="Read the buggy line the way Python does: which operation comes first?",
             source_of=(FixedSigmoid,), library=("nnlib.Sigmoid.backward",)),
    Exercise("5.relu_backward", 5, "the backward pass of ReLU", "code",
             check_relu_backward, lambda: MyReLU,
             nudge="Draw ReLU: two straight pieces that meet at 0. Read its slope on each side (at the kink itself, "
                   "take the flat side's); the chain rule multiplies the incoming gradient by that slope, entry by "
                   "entry.",
             hint="forward kept the input in self.z. Each entry's slope is 1 where self.z > 0 and 0 elsewhere, the "
                  "kink included: comparing self.z with 0 gives that mask, and dX is dout times it.",
             source_of=(MyReLU,), library=("nnlib.ReLU.backward",)),
]
