"""How an answer is graded: the ``Feedback`` a grade shows and the case runner the
exercises share.

A grader runs the learner's code on cases, one at a time, under the rules every
exercise follows:

- numpy warnings are failures: the code runs under ``np.errstate`` with overflow,
  division by zero and invalid operations raised, and under ``warnings.catch_warnings``;
- an exception becomes feedback (its type, its message and the case), never a traceback;
- an argument changed in place is a failure;
- a ``NotImplementedError`` from the learner's code means "not attempted yet".

The first failing case stops the grade. Its message shows the input, the expected and
the received value, and, when the learner's code behaves exactly like one of the
exercise's known mistakes on that case, which mistake it is. The method hint comes
only after a wrong attempt.
"""

import ast
import copy
import html
import inspect
import re
import textwrap
import warnings
from dataclasses import dataclass, field

import numpy as np


class Feedback:
    """The verdict of ``grade``: ``correct`` and ``attempted`` (bools) and the ``message``.

    In a notebook it shows as its message (green when correct); its text form is the
    plain message, the same on every run.
    """

    def __init__(self, exercise_id, correct, attempted, message):
        self.id = exercise_id
        self.correct = bool(correct)
        self.attempted = bool(attempted)
        self.message = message

    def __repr__(self):
        return self.message

    __str__ = __repr__

    def _repr_html_(self):
        colour = "#1a7f37" if self.correct else ("#8c4a00" if self.attempted else "#57606a")
        return (f'<pre role="status" style="color: {colour}; white-space: pre-wrap; '
                f'font-weight: {"bold" if self.correct else "normal"}">{html.escape(self.message)}</pre>')


@dataclass(frozen=True)
class Exercise:
    """One entry of the catalog.

    ``check(answer)`` raises ``Wrong`` at the first failing case, or ``NotAttempted``,
    and returns a sentence for a correct answer. ``make_solution()`` gives the reference
    answer; ``source_of`` lists the objects whose source code ``source(id)`` prints.
    """

    id: str
    lesson: int
    title: str
    kind: str
    check: object = field(repr=False, compare=False)
    make_solution: object = field(repr=False, compare=False)
    hint: str = field(repr=False, compare=False, default="")
    source_of: tuple = field(repr=False, compare=False, default=())

    def __repr__(self):
        return f"Exercise({self.id!r}, lesson {self.lesson}, {self.kind}: {self.title})"


class Wrong(Exception):
    """A failed case: ``case`` (the input, in words), ``lines`` (expected and got, or the
    error) and ``mistake`` (the name of a known mistake, or None)."""

    def __init__(self, case, lines, mistake=None):
        super().__init__(case)
        self.case, self.lines, self.mistake = case, list(lines), mistake


class NotAttempted(Exception):
    """The answer is still the stub."""


def grade_answer(exercise, answer):
    """``exercise.check(answer)`` turned into a ``Feedback`` (see the module docstring)."""
    if is_stub(answer):
        return not_attempted(exercise)
    try:
        note = exercise.check(answer)
    except NotAttempted:
        return not_attempted(exercise)
    except Wrong as wrong:
        lines = [f"{exercise.id}: not correct yet, on the case {wrong.case}"]
        lines += ["  " + line for line in wrong.lines]
        if wrong.mistake:
            lines.append(f"Known mistake: {wrong.mistake}")
        if exercise.hint:
            lines.append(f"Hint: {exercise.hint}")
        return Feedback(exercise.id, False, True, "\n".join(lines))
    return Feedback(exercise.id, True, True, f"{exercise.id}: correct! {note}".rstrip())


def not_attempted(exercise):
    verb = "Write your code in the cell above" if exercise.kind == "code" else "Put your answer in the cell above"
    return Feedback(exercise.id, False, False,
                    f"{exercise.id}: not attempted yet. {verb}, run it, then run this cell again.")


# ---------------------------------------------------------------- stubs

def is_stub(answer):
    """None, ``...``, a function whose body only raises NotImplementedError (or is only
    ``...``/``pass``/``return None``), or a class whose own ``backward`` is such a body."""
    if answer is None or answer is Ellipsis:
        return True
    if inspect.isclass(answer):
        method = answer.__dict__.get("backward")
        return method is not None and _trivial_body(method) is True
    if inspect.isfunction(answer):
        return _trivial_body(answer) is True
    return False


def _trivial_body(fn):
    """True if the function's body does nothing, False if it does something, None if its
    source cannot be read (then only running it can tell)."""
    try:
        tree = ast.parse(textwrap.dedent(inspect.getsource(fn)))
    except (OSError, TypeError, SyntaxError, IndentationError):
        return None
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name == fn.__name__:
            return all(_trivial_statement(s) for s in node.body)
        if isinstance(node, ast.Lambda) and fn.__name__ == "<lambda>":
            return isinstance(node.body, ast.Constant) and node.body.value in (None, Ellipsis)
    return None


def _trivial_statement(node):
    if isinstance(node, ast.Pass):
        return True
    if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant):
        return True  # a docstring or ...
    if isinstance(node, ast.Return):
        return node.value is None or (isinstance(node.value, ast.Constant) and node.value.value is None)
    if isinstance(node, ast.Raise) and node.exc is not None:
        exc = node.exc.func if isinstance(node.exc, ast.Call) else node.exc
        return isinstance(exc, ast.Name) and exc.id == "NotImplementedError"
    return False


# ---------------------------------------------------------------- running learner code

@dataclass
class Outcome:
    """What a call did: returned ``value``, or failed with ``error``, a phrase that
    follows "your code" ("raised TypeError: ...")."""

    value: object = None
    error: str = None


def outcome(fn, args):
    """``fn(*args)`` under the grading rules (warnings raised), as an ``Outcome``.

    Raises NotAttempted if the code raises NotImplementedError.
    """
    # Underflow is no mistake: exp(-1000) is 0 in float64, and 0 is the right value there.
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with np.errstate(over="raise", divide="raise", invalid="raise", under="ignore"):
            try:
                value = fn(*args)
            except NotImplementedError:
                raise NotAttempted from None
            except FloatingPointError as exc:
                return Outcome(error=f"made numpy warn: {clean(exc)}")
            except Exception as exc:  # the learner's code may raise anything
                return Outcome(error=f"raised {type(exc).__name__}: {clean(exc)}")
    if caught:
        return Outcome(error=f"raised a warning: {clean(caught[0].message)}")
    return Outcome(value=value)


def clean(message):
    """An exception's message without memory addresses, so that feedback is stable."""
    return re.sub(r" at 0x[0-9a-fA-F]+", "", str(message))


class Symptom:
    """A known mistake told by what it does rather than by a wrong answer to run:
    ``test(args, got)`` -> bool, with ``got`` the learner's ``Outcome``."""

    def __init__(self, test):
        self.test = test


def recognise(args, got, mistakes, expected=None):
    """The message of the first known mistake that does what the learner's code did.

    - args: the case's arguments (each wrong answer gets fresh copies).
    - got: the learner's ``Outcome`` on them.
    - mistakes: pairs ``(wrong_fn, message)``; each wrong_fn is a typical wrong answer,
      or a ``Symptom``.
    - expected: the right answer; a wrong answer that gives it on this case cannot be
      told from a right one here, so it is not named.
    """
    for wrong_fn, message in mistakes:
        if isinstance(wrong_fn, Symptom):
            if wrong_fn.test(args, got):
                return message
            continue
        try:
            theirs = outcome(wrong_fn, copy.deepcopy(args))
        except NotAttempted:
            continue
        if got.error is not None or theirs.error is not None:
            if got.error == theirs.error:
                return message
        elif same(got.value, theirs.value) and not same(theirs.value, expected, rtol=1e-12, atol=0):
            return message
    return None


def same(a, b, rtol=1e-6, atol=1e-12):
    """Are two results equal to rounding (arrays of the same shape, nan equal to nan)?"""
    try:
        a_, b_ = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    except (TypeError, ValueError):
        return a == b
    return a_.shape == b_.shape and bool(np.allclose(a_, b_, rtol=rtol, atol=atol, equal_nan=True))


def show(x, digits=6):
    """A short, rounded text form of a value for feedback: numbers to ``digits``
    significant digits, arrays as nested lists of them (a list is marked as one)."""
    if isinstance(x, (bool, np.bool_)):
        return repr(bool(x))
    if isinstance(x, (int, np.integer)):
        return str(int(x))
    if isinstance(x, (float, np.floating)):
        return _number(x, digits)
    if isinstance(x, np.ndarray) and x.dtype.kind in "biuf":
        if x.ndim == 0:
            return _number(x[()], digits)
        if x.size > 30:
            return f"an array of shape {x.shape}, {np.array2string(x, precision=4, threshold=10)}"
        return _nested(x, digits)
    if isinstance(x, list) and x and all(isinstance(v, (int, float)) for v in x):
        return f"{_nested(np.asarray(x), digits)} (a list)"
    return clean(repr(x))


def _number(v, digits=6):
    # + 0.0 turns -0.0 into 0.0
    return f"{float(v) + 0.0:.{digits}g}" if isinstance(v, (float, np.floating)) else str(int(v))


def _nested(a, digits=6):
    if a.ndim == 1:
        return "[" + ", ".join(_number(v, digits) for v in a) + "]"
    return "[" + ", ".join(_nested(row, digits) for row in a) + "]"


@dataclass
class Case:
    """One input to grade a function on: ``label`` shows it in feedback, ``args`` are
    passed to the learner's function and to the reference."""

    label: str
    args: tuple


def check_function(fn, cases, reference, mistakes=(), compare=None, what="function"):
    """Grade a learner's function case by case against ``reference``.

    - fn: the learner's function.
    - cases: ``Case`` objects, easiest first.
    - reference: the correct function (same signature).
    - mistakes: ``(wrong_fn, message)`` pairs, see ``recognise``.
    - compare: ``compare(got, expected) -> None`` or a sentence saying what is wrong;
      by default ``close()``.
    Returns the number of cases passed; raises ``Wrong`` at the first failing one.
    """
    if not callable(fn):
        raise Wrong("any input", [f"expected a {what} (def ...), got {type(fn).__name__} {show(fn)}"])
    compare = compare or close()
    for case in cases:
        expected = reference(*copy.deepcopy(case.args))
        args = copy.deepcopy(case.args)
        got = outcome(fn, args)
        problem = got.error
        if problem is None and got.value is None:
            if _trivial_body(fn) is None:
                raise NotAttempted
            problem = "returned None: is the `return` missing?"
        if problem is None:
            problem = changed_argument(case.args, args)
        if problem is None:
            problem = compare(got.value, expected)
        if problem is not None:
            # Rounded to 6 digits, a value off by 1e-8 would look right: show more then.
            digits = 6 if got.error or show(got.value) != show(expected) else 12
            lines = [f"expected: {show(expected, digits)}"]
            lines += [f"got:      {show(got.value, digits)}"] if got.error is None and got.value is not None else []
            if problem != "values differ":
                lines.append(f"your code {problem}")
            # A changed argument is the mistake; what the result looks like does not matter.
            mistake = None if problem.startswith("changed") else recognise(case.args, got, mistakes, expected)
            raise Wrong(case.label, lines, mistake)
    return len(cases)


def changed_argument(originals, args):
    """A sentence if the learner's code changed one of its array arguments in place."""
    for i, (before, after) in enumerate(zip(originals, args)):
        if isinstance(before, np.ndarray) and not np.array_equal(before, after, equal_nan=True):
            return (f"changed its argument number {i + 1} in place (now {show(after)}): "
                    "never modify the caller's array; compute a new one (a = a - m, not a -= m)")
    return None


def close(rtol=1e-7, atol=1e-12):
    """A ``compare`` for numbers and arrays: same shape, numpy array for an array, values
    within ``rtol``/``atol``; nan or inf where the answer is finite is always wrong."""
    def compare(got, expected):
        expected = np.asarray(expected)
        if expected.ndim > 0 and not isinstance(got, np.ndarray):
            return (f"returned a {type(got).__name__} where a numpy array of shape {expected.shape} is expected "
                    "(numpy functions such as np.exp work on whole arrays)")
        try:
            g = np.asarray(got, dtype=np.float64)
        except (TypeError, ValueError):
            return f"returned {type(got).__name__} {show(got)}, not numbers"
        if g.shape != expected.shape:
            return f"returned shape {g.shape}, expected shape {expected.shape}"
        if not np.all(np.isfinite(g)):
            return "returned nan or inf where the answer is a finite number"
        if not np.allclose(g, expected, rtol=rtol, atol=atol):
            return "values differ"
        return None
    return compare


def check_value(answer, expected, wrong_answers, *, rtol=1e-3, atol=0.0, case="your answer"):
    """Grade a value exercise: ``answer`` close to ``expected`` (numbers) or equal (tuples).

    - wrong_answers: pairs ``(value, message)`` for known wrong answers.
    The expected value is not shown: the learner can try again.
    """
    if isinstance(expected, tuple):
        if not isinstance(answer, (tuple, list)):
            raise Wrong(case, [f"got {type(answer).__name__} {show(answer)}: answer with a tuple such as (4, 7)"])
    elif isinstance(answer, (bool, np.bool_)) or not isinstance(answer, (int, float, np.integer, np.floating)):
        raise Wrong(case, [f"got {type(answer).__name__} {show(answer)}: answer with a number such as 0.25"])
    for value, message in wrong_answers:
        if _matches(answer, value, rtol, atol):
            raise Wrong(case, [f"got: {show(answer)}"], message)
    if _matches(answer, expected, rtol, atol):
        return "Well done."
    raise Wrong(case, [f"got: {show(answer)}, which is not it"])


def _matches(answer, value, rtol, atol):
    if isinstance(value, tuple):
        try:
            return tuple(int(v) for v in answer) == value and all(float(v).is_integer() for v in answer)
        except (TypeError, ValueError):
            return False
    return bool(np.isclose(float(answer), value, rtol=rtol, atol=atol))
