"""The tolerance for two different computations (tests/tolerance.py) is neither too loose
to catch a real change nor too tight for another machine's rounding."""

import numpy as np
import pytest

from tolerance import assert_close, tol


def test_tol_follows_the_dtype_and_grows_with_the_steps():
    assert tol(np.float64) == 1e-12 and tol("float32") == 1e-6
    assert tol(np.float32, steps=55) == pytest.approx(55e-6)


@pytest.mark.parametrize("dtype, steps", [(np.int64, 1), (np.float16, 1), (np.float64, 0), (np.float64, 2.5)])
def test_tol_refuses_what_it_has_no_answer_for(dtype, steps):
    with pytest.raises((TypeError, ValueError), match="tol: "):
        tol(dtype, steps)


def test_a_float32_rounding_difference_passes_and_a_real_change_fails():
    # The two float32 losses of 55 epochs at once and of 50 + 1 + 4 epochs, seen on a
    # machine with another BLAS kernel: equal in exact arithmetic.
    assert_close([0.14412647247314453], [0.1441264820098877], np.float32, steps=55)
    with pytest.raises(AssertionError):  # a thousandth is a change, not rounding
        assert_close([0.1443], [0.1441264820098877], np.float32, steps=55)
    with pytest.raises(AssertionError):  # and the float32 difference is too big for float64
        assert_close([0.14412647247314453], [0.1441264820098877], np.float64, steps=55)


def test_entries_near_zero_are_judged_by_the_size_of_the_largest():
    W = np.array([[2.0, -1e-9], [0.5, 3.0]])
    assert_close(W + np.array([[0.0, 2e-12], [0.0, 0.0]]), W, np.float64)
    with pytest.raises(AssertionError):
        assert_close(W + np.array([[0.0, 1e-6], [0.0, 0.0]]), W, np.float64)
