"""nnlib.check: the one-line verdicts printed under the self-check exercises."""

import numpy as np
import pytest

import nnlib


def verdict(capsys, *args, **kwargs):
    result = nnlib.check(*args, **kwargs)
    # Nothing is returned, so a check cell shows only the printed line.
    assert result is None
    return capsys.readouterr().out


@pytest.mark.parametrize("answer", [None, ...])
def test_missing_answer_says_not_answered_yet_with_the_hint(capsys, answer):
    out = verdict(capsys, "Exercise 1", answer, 3.2866667, hint="Divide by the sum of the weights.")
    assert out == "Exercise 1: not answered yet. Divide by the sum of the weights.\n"


def test_missing_answer_without_hint_has_no_trailing_space(capsys):
    assert verdict(capsys, "Exercise 1", None, 1.0) == "Exercise 1: not answered yet.\n"


def test_correct_number_within_tolerance(capsys):
    assert verdict(capsys, "GPA", 3.2867, 3.2866667) == "GPA: correct!\n"
    assert verdict(capsys, "GPA", 49.3 / 15, 3.2866667) == "GPA: correct!\n"


def test_wrong_number_prints_the_hint(capsys):
    out = verdict(capsys, "GPA", 3.24, 3.2866667, hint="Later years weigh more.")
    assert out == "GPA: not quite. Later years weigh more.\n"


def test_known_mistake_gets_its_own_message(capsys):
    # The plain average of the five GPAs is 3.24: the weights were forgotten.
    wrong = [(3.24, "That is the plain average: use the weights."), (49.3, "Divide by the sum of the weights.")]
    assert verdict(capsys, "GPA", 3.24, 3.2866667, wrong=wrong) == "GPA: not quite. That is the plain average: use the weights.\n"
    assert verdict(capsys, "GPA", 49.3, 3.2866667, wrong=wrong) == "GPA: not quite. Divide by the sum of the weights.\n"


def test_arrays_and_lists_compare_element_wise(capsys):
    expected = np.array([0.09003057, 0.24472847, 0.66524096])
    assert verdict(capsys, "softmax", [0.09, 0.2447, 0.6652], expected) == "softmax: correct!\n"
    assert verdict(capsys, "softmax", [0.2447, 0.09, 0.6652], expected).startswith("softmax: not quite.")


def test_a_wrong_shape_is_pointed_out(capsys):
    out = verdict(capsys, "shape", [[1.0, 2.0]], [1.0, 2.0], hint="One row only.")
    assert out == "shape: not quite. Your answer has shape (1, 2), expected (2,). One row only.\n"


def test_strings_compare_without_case_or_spaces(capsys):
    assert verdict(capsys, "loss", "  Cross Entropy ", "cross entropy") == "loss: correct!\n"
    assert verdict(capsys, "loss", "mse", "cross entropy", hint="Labels are classes.") == "loss: not quite. Labels are classes.\n"


def test_booleans(capsys):
    assert verdict(capsys, "separable", False, False) == "separable: correct!\n"
    assert verdict(capsys, "separable", True, False).startswith("separable: not quite.")


def test_a_ragged_answer_gets_a_hint_not_a_traceback(capsys):
    out = verdict(capsys, "matrix", [[1.0, 2.0], [3.0]], [[1.0, 2.0], [3.0, 4.0]], hint="Two rows of two.")
    assert out == "matrix: not quite. Two rows of two.\n"


def test_tolerances_can_be_tightened(capsys):
    assert verdict(capsys, "x", 1.001, 1.0).endswith("correct!\n")
    assert verdict(capsys, "x", 1.001, 1.0, rtol=1e-6, atol=0).startswith("x: not quite.")
