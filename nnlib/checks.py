"""Self-check exercises: one helper that every lesson's exercise cells share.

A learner writes an answer in a cell (the committed notebook leaves it as ``None``)
and runs ``check(...)``, which prints one line: "not answered yet" with a hint,
"correct", or a hint aimed at the mistake they made.
"""

import numpy as np


def check(name, answer, expected, hint="", wrong=None, rtol=1e-3, atol=1e-4):
    """Print whether ``answer`` matches ``expected``.

    - name: the exercise's title, printed first.
    - answer: the learner's value (number, list, array, string or bool); None or ``...``
      means "not answered yet".
    - expected: the right value; numbers are compared with ``rtol``/``atol``.
    - hint: printed when the answer is missing or wrong.
    - wrong: optional list of ``(value, message)`` pairs: a known wrong
      answer and the hint that fits that mistake.
    Returns None: the printed line is the message (a returned value would be echoed
    under the check cell as a bare True or False).
    """
    if answer is None or answer is Ellipsis:
        print(f"{name}: not answered yet. {hint}".rstrip())
        return
    if _same(answer, expected, rtol, atol):
        print(f"{name}: correct!")
        return
    for value, message in wrong or []:
        if _same(answer, value, rtol, atol):
            print(f"{name}: not quite. {message}")
            return
    shape_note = ""
    a, e = _array(answer), _array(expected)
    if a is not None and e is not None and a.shape != e.shape and e.dtype.kind in "biuf":
        shape_note = f" Your answer has shape {a.shape}, expected {e.shape}."
    print(f"{name}: not quite.{shape_note} {hint}".rstrip())


def _same(a, b, rtol, atol):
    if isinstance(b, str) or isinstance(a, str):
        return str(a).strip().lower() == str(b).strip().lower()
    a, b = _array(a), _array(b)
    if a is None or b is None or a.shape != b.shape:
        return False
    if a.dtype.kind in "biuf" and b.dtype.kind in "biuf":
        return bool(np.allclose(a.astype(float), b.astype(float), rtol=rtol, atol=atol))
    return bool(np.all(a == b))


def _array(value):
    # A learner's answer can be anything, a ragged list included: numpy refuses those,
    # and a wrong answer must get a hint, not a traceback.
    try:
        return np.asarray(value)
    except (ValueError, TypeError):
        return None
