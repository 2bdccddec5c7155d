"""How closely two different computations of the same numbers must agree.

Two computations that are equal in exact arithmetic (the fast path and the plain one, one
matrix product and the same product in blocks, 55 epochs at once and 50 + 1 + 4) round
differently, and by how much depends on the machine: numpy's SIMD level and the BLAS
kernel decide the order of the additions and the last bits of exp, log and tanh. So the
tests compare them with a relative tolerance taken from their dtype, grown with the number
of training steps a rounding difference is carried through. Exact equality stays for the
same computation run twice (determinism) and for results exact by construction (copies,
the zeros of a ReLU, sums of small integers).

    from tolerance import tol, assert_close
    np.testing.assert_allclose(fast, plain, rtol=tol(np.float64, steps=30))
    assert_close(longer.history.loss, h.loss, np.float32, steps=55)
"""

import numpy as np

# Agreement after one computation: float64 keeps about 16 digits and float32 about 7,
# of which a few are lost to the order of long sums and to exp, log and tanh.
RTOL = {
    np.dtype(np.float32): 1e-6,
    np.dtype(np.float64): 1e-12,
}


def tol(dtype, steps=1):
    """The relative tolerance for two computations in ``dtype`` after ``steps`` steps."""
    dtype = np.dtype(dtype)
    if dtype not in RTOL:
        raise TypeError(f"tol: dtype must be float32 or float64, got {dtype}")
    if not (isinstance(steps, int) and steps >= 1):
        raise ValueError(f"tol: steps must be a whole number of at least 1, got {steps!r}")
    return RTOL[dtype] * steps


def assert_close(actual, desired, dtype, steps=1, err_msg=""):
    """``assert_allclose`` with ``tol(dtype, steps)``, relative to the largest value.

    Weights and gradients have entries near zero, whose rounding follows the size of the
    others: the absolute tolerance is the relative one times the largest ``|desired|``.
    """
    desired = np.asarray(desired, dtype=np.float64)
    rtol = tol(dtype, steps)
    atol = rtol * float(np.max(np.abs(desired), initial=0.0))
    np.testing.assert_allclose(actual, desired, rtol=rtol, atol=atol, err_msg=err_msg)
