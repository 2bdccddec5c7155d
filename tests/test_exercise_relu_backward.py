"""Exercise 5.relu_backward: the reference answer, stubs, a correct answer written another
way, mistakes a learner makes at ReLU's kink, each of which must be named, the hints, and
the inputs drawn from the whole domain."""

import numpy as np
import pytest

import nnlib
from nnlib import exercises
from nnlib.exercises import lesson5

ID = "5.relu_backward"
EXERCISE = next(e for e in exercises.catalog() if e.id == ID)


@pytest.fixture(autouse=True)
def fresh_attempts():
    # Every test starts at the first wrong attempt (the nudge, not yet the method).
    exercises.reset_attempts()
    yield
    exercises.reset_attempts()


def grade(answer):
    feedback = exercises.grade(ID, answer)
    assert feedback.message.startswith(ID + ": ")
    return feedback


def relu_class(name, backward):
    return type(name, (nnlib.ReLU,), {"backward": backward})


def test_the_exercise_is_in_the_catalog_of_lesson_5_and_its_solution_is_correct():
    entry = next(e for e in exercises.catalog() if e.id == ID)
    assert (entry.lesson, entry.kind) == (5, "code")
    cls = exercises.solution(ID)
    assert issubclass(cls, nnlib.ReLU) and cls.backward is not nnlib.ReLU.backward
    feedback = grade(cls)
    assert feedback.correct, feedback.message
    assert "Hint" not in feedback.message
    compile(exercises.source(ID), ID, "exec")


def test_the_solution_is_the_chain_rule_away_from_the_kink_and_the_flat_side_at_it():
    layer = exercises.solution(ID)()
    rng = np.random.default_rng(0)
    X = rng.normal(size=(6, 5))
    X[0, :2] = 0.0
    layer.forward(X)
    dout = rng.normal(size=X.shape)
    dX = layer.backward(dout)
    assert np.array_equal(dX[0, :2], [0.0, 0.0])          # no slope at the kink: the flat side's 0
    smooth = np.abs(X) > 1e-3
    numeric = nnlib.numerical_gradient(lambda v: np.sum(dout * np.maximum(v, 0)), X.copy())
    assert np.allclose(dX[smooth], numeric[smooth], rtol=1e-7, atol=1e-9)
    assert np.array_equal(dX, nnlib.ReLU.backward(layer, dout))   # the library's own layer agrees


def test_a_stub_is_not_attempted_and_gets_no_hint():
    def backward(self, dout):
        # your code here: return d loss / d input
        raise NotImplementedError
    for stub in (relu_class("MyReLU", backward), None):
        feedback = grade(stub)
        assert not feedback.attempted and not feedback.correct
        assert "not attempted yet" in feedback.message and "Hint" not in feedback.message


def test_correct_answers_written_other_ways_pass():
    for backward in (lambda self, dout: np.where(self.z > 0, dout, 0.0),
                     lambda self, dout: dout * (self.z > 0).astype(float),
                     lambda self, dout: dout * np.heaviside(self.z, 0.0),
                     lambda self, dout: dout * (np.maximum(self.z, 0) > 0),
                     lambda self, dout: dout * (np.sign(self.z) > 0),
                     lambda self, dout: np.where(self.z <= 0, 0.0, dout),
                     lambda self, dout: 2 * dout * (self.z > 0) / 2):
        feedback = grade(relu_class("MyReLU", backward))
        assert feedback.correct, feedback.message


def forgets_return(self, dout):
    dX = dout * (self.z > 0)  # noqa: F841 (the missing return is the point)


def in_place(self, dout):
    dout[self.z <= 0] = 0
    return dout


WRONG = [
    (lambda self, dout: dout * (self.z >= 0), ["exactly at the kink", "your slope is 1"]),
    (lambda self, dout: dout * np.heaviside(self.z, 0.5), ["exactly at the kink", "your slope is 0.5"]),
    (lambda self, dout: dout * (np.maximum(self.z, 0) >= 0), ["(no entry at 0)", "always true"]),
    (lambda self, dout: dout, ["passes through every entry unchanged"]),
    (lambda self, dout: dout * self.z, ["multiplies by the input itself"]),
    (lambda self, dout: dout * np.maximum(self.z, 0), ["multiplies by ReLU's output"]),
    (lambda self, dout: dout * np.sign(self.z), ["np.sign gives -1"]),
    (lambda self, dout: dout * (self.z < 0), ["The mask is flipped"]),
    (lambda self, dout: dout * (self.z <= 0), ["The mask is flipped"]),
    (lambda self, dout: (self.z > 0) * 1.0, ["dout is missing"]),
    (lambda self, dout: np.maximum(dout, 0), ["not on the sign of dout"]),
    (in_place, ["changed dout in place"]),
    (lambda self, dout: dout * (self.out > 0), ["AttributeError", "its input as self.z"]),
    (forgets_return, ["returned None"]),
]


@pytest.mark.parametrize("backward, words", WRONG, ids=[f"wrong-{i}" for i in range(len(WRONG))])
def test_a_known_mistake_gets_its_own_message(backward, words):
    feedback = grade(relu_class("MyReLU", backward))
    assert feedback.attempted and not feedback.correct, feedback.message
    assert "not correct yet, on the case" in feedback.message
    assert "Hint: " in feedback.message
    for word in words:
        assert word in feedback.message, (word, feedback.message)


def test_the_hint_nudges_without_the_formula_and_the_second_attempt_shows_the_method():
    message = grade(relu_class("MyReLU", lambda self, dout: dout * self.z)).message
    hint = message.split("Hint: ", 1)[1]
    assert hint.startswith(EXERCISE.nudge) and "Method" not in hint
    for formula in ("z > 0", "z >= 0", "> 0)", "dout *", "self.z >", "np.where", "mask"):
        assert formula not in hint, (formula, hint)
    second = grade(relu_class("MyReLU", lambda self, dout: dout * (self.z >= 0))).message
    assert f"Hint: {EXERCISE.nudge}" in second and f"Method: {EXERCISE.hint}" in second
    assert "self.z > 0" in EXERCISE.hint and EXERCISE.nudge != EXERCISE.hint


def test_calling_nnlibs_own_backward_is_told_so():
    feedback = grade(relu_class("MyReLU", lambda self, dout: nnlib.ReLU.backward(self, dout)))
    assert not feedback.correct and "nnlib.ReLU.backward" in feedback.message, feedback.message


# ---------------------------------------------------------------- the whole domain

def drawn():
    return [(case, X, dout) for case, X, dout, rng in lesson5._relu_inputs() if rng is None]


def test_the_drawn_inputs_are_seeded_and_span_the_kink_signs_shapes_and_magnitudes():
    first, second = drawn(), drawn()
    assert len(first) == lesson5.RELU_DRAWS >= 30
    for (c1, X1, d1), (c2, X2, d2) in zip(first, second):
        assert c1 == c2 and np.array_equal(X1, X2) and np.array_equal(d1, d2)
        assert c1.startswith("drawn input")
    X = np.concatenate([X.ravel() for _, X, _ in first])
    dout = np.concatenate([d.ravel() for _, _, d in first])
    assert any(x.shape[0] == 1 for _, x, _ in first) and any(x.shape[1] == 1 for _, x, _ in first)
    assert max(x.shape[0] for _, x, _ in first) == 6 and max(x.shape[1] for _, x, _ in first) == 6
    # Exact zeros of both signs, subnormal and huge inputs on both sides of the kink.
    assert np.any((X == 0) & ~np.signbit(X)) and np.any((X == 0) & np.signbit(X))
    assert np.any((X > 0) & (X < 1e-308)) and np.any((X < 0) & (X > -1e-308))
    assert X.max() > 1e250 and X.min() < -1e250
    # dout: never 0, both signs, far below and above 1.
    assert np.all(dout != 0) and np.any(dout < 0) and np.any(dout > 0)
    assert np.abs(dout).min() < 1e-100 and np.abs(dout).max() > 1e100


@pytest.mark.parametrize("backward, words", [
    (lambda self, dout: dout * (self.z > 1e-12), "X = [[1e-12, -1e-12, 0.0]]"),
    (lambda self, dout: dout * (self.z > 1e-300), "drawn input"),
    (lambda self, dout: np.clip(dout, -1e100, 1e100) * (self.z > 0), "drawn input"),
    (lambda self, dout: np.where(np.abs(dout) < 1e-12, 0.0, dout) * (self.z > 0), "drawn input"),
    (lambda self, dout: (dout * (self.z > 0)).astype(np.float32), "no entry at 0"),
], ids=["threshold 1e-12", "threshold 1e-300", "dout clipped", "tiny dout dropped", "float32"])
def test_answers_wrong_only_far_from_the_named_inputs_are_not_correct(backward, words):
    feedback = grade(relu_class("MyReLU", backward))
    assert feedback.attempted and not feedback.correct, feedback.message
    assert words in feedback.message.splitlines()[0], feedback.message


def test_a_wrong_answer_that_differs_only_off_the_named_mistakes_is_still_wrong():
    # Off by a little everywhere: no named mistake fits, but it fails on the first case.
    feedback = grade(relu_class("MyReLU", lambda self, dout: 1.001 * dout * (self.z > 0)))
    assert not feedback.correct and "Known mistake" not in feedback.message


def test_answers_that_are_not_a_relu_subclass_are_refused_with_a_reason():
    assert "the library's own layer" in grade(nnlib.ReLU).message
    assert "does not define backward" in grade(type("Plain", (nnlib.ReLU,), {})).message
    assert "not a subclass of nnlib.ReLU" in grade(nnlib.Tanh).message
    assert "expected a class" in grade(lambda dout: dout).message


def test_lesson_5_grades_it_with_a_stub_that_is_not_attempted_yet():
    import nbformat
    from pathlib import Path
    path = Path(__file__).resolve().parents[1] / "notebooks" / "05_backpropagation.ipynb"
    cells = [c for c in nbformat.read(path, as_version=4).cells if c.cell_type == "code"]
    grade_cells = [c for c in cells if c.source.strip() == f'exercises.grade("{ID}", MyReLU)']
    assert len(grade_cells) == 1
    text = "".join(o.get("data", {}).get("text/plain", "") for o in grade_cells[0].outputs)
    assert f"{ID}: not attempted yet." in text
    stub = cells[cells.index(grade_cells[0]) - 1].source
    assert "class MyReLU(nnlib.ReLU):" in stub and "raise NotImplementedError" in stub
