"""How an answer is graded: the ``Feedback`` a grade shows and the case runner the
exercises share.

A grader runs the learner's code on cases, one at a time, under the rules every
exercise follows:

- numpy warnings are failures: the code runs under ``np.errstate`` with overflow,
  division by zero and invalid operations raised, and under ``warnings.catch_warnings``;
- an exception (``SystemExit`` included) becomes feedback (its type, its message and the
  case), never a traceback; so does a result that cannot be printed or converted.
  Only ``KeyboardInterrupt`` (Ctrl-C) goes through;
- an argument changed in place is a failure;
- a ``NotImplementedError`` from the learner's code means "not attempted yet";
- every call of the learner's code has a time limit (``Exercise.time_limit``, 5 s unless
  the exercise trains); past it the call is stopped and the feedback names the limit.
  The limit is a ``SIGALRM`` timer (``signal.setitimer``), armed only in the main thread,
  where Jupyter runs cells. Where there is no ``SIGALRM`` (Windows) or off the main
  thread, the code runs without a limit: a loop that never ends must then be stopped
  with the kernel's interrupt button, as any other cell. A long single numpy call is only
  interrupted when it returns;
- the learner's code runs on nnlib as it ships: what it changes in nnlib's modules and
  classes, or in numpy (its functions, print options, error state), is undone after
  each call and named in the feedback. An answer that is nnlib's own function, or that
  calls it or ``exercises.solution`` for the answer, is told so.

Besides the exercise's named cases, a code exercise that declares a ``domain`` is graded
on inputs drawn from it (seeded by the exercise's id, so a grade is reproducible) and
compared with the reference solution there.

The first failing case stops the grade. Its message shows the input, the expected and
the received value, and, when the learner's code behaves exactly like one of the
exercise's known mistakes on that case, which mistake it is. Then comes a hint: on the
first wrong attempt at an exercise (counted per exercise, in this Python process) a
nudge toward the idea (``Exercise.nudge``); from the second on, also the method
(``Exercise.hint``). A correct answer or a stub is no wrong attempt.
"""

import ast
import copy
import html
import inspect
import re
import signal
import sys
import textwrap
import threading
import warnings
import zlib
from contextlib import contextmanager
from dataclasses import dataclass, field

import numpy as np

DEFAULT_TIME_LIMIT = 5.0   # seconds per call of the learner's code
DEFAULT_DRAWS = 60         # inputs drawn from an exercise's domain
MAX_SHOWN = 400            # characters of a value or message shown in feedback


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

    - check(answer): raises ``Wrong`` at the first failing case, or ``NotAttempted``, and
      returns a sentence for a correct answer.
    - make_solution(): the reference answer; ``source_of`` lists the objects whose source
      code ``source(id)`` prints.
    - nudge: the idea, shown from the first wrong attempt (never the formula).
    - hint: the method (formula level), shown from the second wrong attempt on.
    - domain: ``domain(rng) -> args``, one input drawn from the whole valid domain of a
      code exercise (``rng`` a seeded ``np.random.Generator``); ``check_function`` grades
      ``draws`` of them against the reference solution, with ``domain_compare`` (by
      default the exercise's own ``compare``).
    - time_limit: seconds for each call of the learner's code.
    - library: nnlib's own functions that compute the answer (``"nnlib.softmax"``,
      ``"nnlib.Dense.backward"``): an answer that calls one of them is told so.
    - equivalent_mutants: ``{mutant description: reason}`` for mutants of the reference
      (tests/test_exercise_mutants.py) that are right answers too.
    - mutant_sample: grade only this many of its mutants (a seeded sample), for an
      exercise whose grade is slow (it trains); 0: all of them.
    """

    id: str
    lesson: int
    title: str
    kind: str
    check: object = field(repr=False, compare=False)
    make_solution: object = field(repr=False, compare=False)
    hint: str = field(repr=False, compare=False, default="")
    source_of: tuple = field(repr=False, compare=False, default=())
    nudge: str = field(repr=False, compare=False, default="")
    domain: object = field(repr=False, compare=False, default=None)
    draws: int = field(repr=False, compare=False, default=DEFAULT_DRAWS)
    domain_compare: object = field(repr=False, compare=False, default=None)
    time_limit: float = field(repr=False, compare=False, default=DEFAULT_TIME_LIMIT)
    library: tuple = field(repr=False, compare=False, default=())
    equivalent_mutants: dict = field(repr=False, compare=False, default_factory=dict)
    mutant_sample: int = field(repr=False, compare=False, default=0)

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


class _TimeUp(BaseException):
    # A BaseException, so that the learner's `except Exception:` cannot swallow it.
    pass


# ---------------------------------------------------------------- the grade in progress

_ATTEMPTS = {}          # exercise id -> wrong attempts so far, in this process
_RUN = {"exercise": None, "changes": [], "solution_called": None, "library_called": None, "in_learner": False}


def reset_attempts(exercise_id=None):
    """Forget the wrong attempts (of one exercise, or of all): the next wrong answer
    gets the first hint again."""
    if exercise_id is None:
        _ATTEMPTS.clear()
    else:
        _ATTEMPTS.pop(exercise_id, None)


def wrong_attempts(exercise_id):
    """How many wrong attempts at this exercise were graded so far."""
    return _ATTEMPTS.get(exercise_id, 0)


def note_solution_called(exercise_id):
    """Called by ``exercises.solution``: while the learner's code runs, that is cheating
    by accident, and the grade says so."""
    if _RUN["in_learner"]:
        _RUN["solution_called"] = exercise_id


def grade_answer(exercise, answer):
    """``exercise.check(answer)`` turned into a ``Feedback`` (see the module docstring).

    Nothing but KeyboardInterrupt escapes: whatever the answer does becomes feedback.
    """
    outer = dict(_RUN)
    _RUN.update(exercise=exercise, changes=[], solution_called=None, library_called=None, in_learner=False)
    before = _State()  # nnlib as the learner has it now
    earlier = _PRISTINE["state"].restore() if _PRISTINE["state"] is not None else []
    try:
        feedback = _grade(exercise, answer)
        notes = []
        if earlier:
            notes.append(f"Before this grade, {_names(earlier)} had been changed (in an earlier cell): "
                         "graded with nnlib as it ships, and left as you had it.")
        if _RUN["changes"]:
            notes.append(f"Your code changed {_names(_RUN['changes'])} while it was graded; "
                         "grading undid that. Leave nnlib and numpy's settings as they are.")
        if notes:
            feedback.message += "\n" + "\n".join(notes)
        return feedback
    finally:
        if earlier:
            before.restore()
        _RUN.clear()
        _RUN.update(outer)


def _names(changes):
    unique = list(dict.fromkeys(changes))
    shown = ", ".join(unique[:6]) + (f" and {len(unique) - 6} more" if len(unique) > 6 else "")
    return shown


def _grade(exercise, answer):
    try:
        if is_stub(answer):
            return not_attempted(exercise)
        _library_answer(exercise, answer)
        note = exercise.check(answer)
        if _RUN["solution_called"]:
            raise Wrong("your answer", [f"your code calls exercises.solution({_RUN['solution_called']!r})"],
                        "That is the reference answer, not yours: write the code yourself.")
        if _RUN["library_called"]:
            raise Wrong("your answer", [f"your code calls {_RUN['library_called']}, nnlib's own version of it"],
                        "Write it yourself, with numpy; nnlib's version is what you are rebuilding.")
    except NotAttempted:
        return not_attempted(exercise)
    except Wrong as wrong:
        return _wrong_feedback(exercise, wrong)
    except KeyboardInterrupt:
        raise
    except BaseException as exc:  # an answer so unusual that the grader itself tripped on it
        wrong = Wrong("your answer", [f"grading it raised {type(exc).__name__}: {clean(_safe_str(exc))}"],
                      "Give the kind of answer the exercise asks for (a function, a class or a value).")
        return _wrong_feedback(exercise, wrong)
    return Feedback(exercise.id, True, True, cut(f"{exercise.id}: correct! {note}".rstrip()))


def _wrong_feedback(exercise, wrong):
    _ATTEMPTS[exercise.id] = _ATTEMPTS.get(exercise.id, 0) + 1
    lines = [f"{exercise.id}: not correct yet, on the case {cut(wrong.case)}"]
    lines += ["  " + cut(line) for line in wrong.lines]
    if wrong.mistake:
        lines.append(f"Known mistake: {wrong.mistake}")
    lines.append(f"Hint: {exercise.nudge or 'reread the lesson section this exercise follows, then try again.'}")
    if _ATTEMPTS[exercise.id] >= 2 and exercise.hint:
        lines.append(f"Method: {exercise.hint}")
    elif exercise.hint:
        lines.append("(Grade again after a change: from the second wrong attempt on, the method is shown too.)")
    return Feedback(exercise.id, False, True, "\n".join(lines))


def _library_answer(exercise, answer):
    """The answer is one of nnlib's own functions (not an exercise's reference)."""
    module = getattr(answer, "__module__", None) or ""
    if (inspect.isfunction(answer) or inspect.isbuiltin(answer)) and module.startswith("nnlib.") \
            and not module.startswith("nnlib.exercises"):
        raise Wrong("your answer", [f"that is nnlib's own {module}.{answer.__qualname__}"],
                    "Write the function yourself, with numpy; nnlib's version is what you are rebuilding.")


def not_attempted(exercise):
    verb = "Write your code in the cell above" if exercise.kind == "code" else "Put your answer in the cell above"
    return Feedback(exercise.id, False, False,
                    f"{exercise.id}: not attempted yet. {verb}, run it, then run this cell again.")


# ---------------------------------------------------------------- nnlib and numpy as they ship

class _State:
    """What the learner's code could change by accident: the namespaces of nnlib's
    modules and the dicts of their classes (``numpy=True``: also numpy's namespace, print
    options and error state). Values are compared by identity."""

    def __init__(self, numpy=False):
        self.modules, self.classes = {}, {}
        for name, module in list(sys.modules.items()):
            if module is not None and (name == "nnlib" or name.startswith("nnlib.")):
                namespace = dict(vars(module))
                self.modules[name] = (module, namespace)
                for value in namespace.values():
                    if isinstance(value, type) and value.__module__ == name and value not in self.classes:
                        self.classes[value] = dict(vars(value))
        self.numpy = (dict(vars(np)), np.get_printoptions(), np.geterr()) if numpy else None

    def restore(self):
        """Put back what changed since this snapshot; return the names of what changed."""
        changed = []
        for name, (module, namespace) in self.modules.items():
            changed += [f"{name}.{key}" for key in _put_back(module, namespace, vars(module))]
        for cls, namespace in self.classes.items():
            changed += [f"{cls.__module__}.{cls.__qualname__}.{key}" for key in _put_back(cls, namespace, vars(cls))]
        if self.numpy is not None:
            namespace, printoptions, err = self.numpy
            changed += [f"numpy.{key}" for key in _put_back(np, namespace, vars(np))]
            if np.get_printoptions() != printoptions:
                np.set_printoptions(**printoptions)
                changed.append("numpy's print options (np.set_printoptions)")
            if np.geterr() != err:
                np.seterr(**err)
                changed.append("numpy's error state (np.seterr)")
        return changed


def _put_back(owner, old, live):
    changed = []
    for key in set(old) | set(live):
        if key in old and live.get(key, _MISSING) is old[key]:
            continue
        if key not in old:
            if inspect.ismodule(live[key]):
                continue  # a submodule imported since: imports are no change
            delattr(owner, key)
        else:
            setattr(owner, key, old[key])
        changed.append(key)
    return sorted(changed)


_MISSING = object()
_PRISTINE = {"state": None}  # nnlib as it ships, taken when nnlib.exercises is imported


def take_pristine():
    """Remember nnlib as it is now as the state every grade runs on."""
    _PRISTINE["state"] = _State()


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
    except Exception:  # no source (exec, a C function), or source that is not one definition
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
    follows "your code" ("raised TypeError: ..."); ``fn`` is the function called."""

    value: object = None
    error: str = None
    fn: object = None


@contextmanager
def time_limit(seconds):
    """Raise ``_TimeUp`` in the code run inside after ``seconds`` (see the module
    docstring: SIGALRM, main thread only; no limit elsewhere)."""
    if (not seconds or not hasattr(signal, "setitimer") or threading.current_thread() is not threading.main_thread()
            or signal.getitimer(signal.ITIMER_REAL)[0] > 0):
        yield  # no SIGALRM (Windows), another thread, or a timer already running: no limit
        return

    def stop(signum, frame):
        raise _TimeUp

    previous = signal.signal(signal.SIGALRM, stop)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _limit():
    exercise = _RUN.get("exercise")
    return DEFAULT_TIME_LIMIT if exercise is None else exercise.time_limit


@contextmanager
def _watch_library():
    """Note a call of one of nnlib's own versions of the exercise (``Exercise.library``)."""
    exercise = _RUN.get("exercise")
    codes = {}
    for name in (exercise.library if exercise is not None else ()):
        obj = _resolve(name)
        code = getattr(obj, "__code__", None)
        if code is not None:
            codes[code] = name
    if not codes:
        yield
        return

    def profile(frame, event, arg):
        if event == "call" and frame.f_code in codes and _RUN["library_called"] is None:
            _RUN["library_called"] = codes[frame.f_code]

    previous = sys.getprofile()
    sys.setprofile(profile)
    try:
        yield
    finally:
        sys.setprofile(previous)


def _resolve(dotted):
    import nnlib
    obj = nnlib
    for part in dotted.split(".")[1:]:
        obj = getattr(obj, part, None)
    return obj


def outcome(fn, args, learner=True):
    """``fn(*args)`` under the grading rules (warnings raised, a time limit), as an
    ``Outcome``. Raises NotAttempted if the code raises NotImplementedError.

    ``learner=False`` for the grader's own functions (a known mistake run to compare):
    no time limit, no watch on nnlib.
    """
    if not learner:
        return _call(fn, args)
    state = _State(numpy=True)
    _RUN["in_learner"] = True
    try:
        with _watch_library():
            got = _call(fn, args, _limit())
    finally:
        _RUN["in_learner"] = False
        _RUN["changes"] += state.restore()
    return got


def _call(fn, args, seconds=None):
    # Underflow is no mistake: exp(-1000) is 0 in float64, and 0 is the right value there.
    raised = dict(over="raise", divide="raise", invalid="raise", under="ignore")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with np.errstate(**raised):
            try:
                with time_limit(seconds):
                    value = fn(*args)
            except NotImplementedError:
                raise NotAttempted from None
            except _TimeUp:
                return Outcome(error=f"did not finish within the time limit of {seconds:g} s (a loop that never "
                                     "ends?), and was stopped", fn=fn)
            except FloatingPointError as exc:
                return Outcome(error=f"made numpy warn: {clean(exc)}", fn=fn)
            except KeyboardInterrupt:
                raise
            except BaseException as exc:  # the learner's code may raise anything, SystemExit included
                return Outcome(error=f"raised {type(exc).__name__}: {clean(_safe_str(exc))}", fn=fn)
            if np.geterr() != {**np.geterr(), **raised}:
                # np.seterr inside the code: the warnings it should have raised were silenced.
                _RUN["changes"].append("numpy's error state (np.seterr)")
    if caught:
        return Outcome(error=f"raised a warning: {clean(caught[0].message)}", fn=fn)
    return Outcome(value=value, fn=fn)


def _safe_str(obj):
    try:
        return str(obj)
    except Exception as exc:
        return f"<{type(obj).__name__} whose str() raised {type(exc).__name__}>"


def cut(text, limit=MAX_SHOWN):
    """A long text cut to ``limit`` characters, saying how long it was."""
    text = str(text)
    return text if len(text) <= limit else f"{text[:limit]}... ({len(text)} characters, cut)"


def clean(message):
    """An exception's message without memory addresses, cut if long, so that feedback is
    stable and short."""
    return cut(re.sub(r" at 0x[0-9a-fA-F]+", "", str(message)))


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
        try:
            if isinstance(wrong_fn, Symptom):
                if wrong_fn.test(args, got):
                    return message
                continue
            try:
                theirs = outcome(wrong_fn, copy.deepcopy(args), learner=False)
            except NotAttempted:
                continue
            if got.error is not None or theirs.error is not None:
                if got.error == theirs.error:
                    return message
            elif same(got.value, theirs.value) and not same(theirs.value, expected, rtol=1e-12, atol=0):
                return message
        except KeyboardInterrupt:
            raise
        except Exception:  # a result so odd that a mistake's test cannot read it: not that mistake
            continue
    return None


def same(a, b, rtol=1e-6, atol=1e-12):
    """Are two results equal to rounding (arrays of the same shape, nan equal to nan)?"""
    try:
        a_, b_ = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    except Exception:
        try:
            return bool(a == b)
        except Exception:
            return False
    return a_.shape == b_.shape and bool(np.allclose(a_, b_, rtol=rtol, atol=atol, equal_nan=True))


def model_layers(model, case):
    """The layers of the trained model a capstone is given; ``Wrong`` for a tuple (a loop's
    ``(model, losses)``) or anything that is not a model."""
    if isinstance(model, tuple):
        raise Wrong(case, [f"got a tuple of {len(model)} items: {', '.join(type(v).__name__ for v in model)}"],
                    "Pass the trained model alone (if your loop returns the losses too, keep only the model).")
    layers = getattr(model, "layers", None)
    if not isinstance(layers, list) or not callable(getattr(model, "forward", None)):
        raise Wrong(case, [f"expected a trained model, nnlib.MLP(layers=[...]), got {type(model).__name__} "
                           f"{show(model)}"])
    return layers


def show(x, digits=6):
    """A short, rounded text form of a value for feedback: numbers to ``digits``
    significant digits, arrays as nested lists of them (a list is marked as one); cut
    when long."""
    try:
        return cut(_show(x, digits))
    except Exception as exc:  # a __repr__ that raises
        return f"a {type(x).__name__} that cannot be printed (its repr raised {type(exc).__name__})"


def _show(x, digits):
    if isinstance(x, (bool, np.bool_)):
        return repr(bool(x))
    if isinstance(x, (int, np.integer)):
        text = str(abs(int(x)))
        if len(text) > 20:  # 10**400 as 1e+400, not 401 digits
            text = f"{text[0]}.{text[1:digits]}e+{len(text) - 1}"
        return ("-" if x < 0 else "") + text
    if isinstance(x, (float, np.floating)):
        return _number(x, digits)
    if isinstance(x, np.ndarray) and x.dtype.kind in "biuf":
        if x.ndim == 0:
            return _number(x[()], digits)
        if x.size > 30:
            return f"an array of shape {x.shape}, {np.array2string(x, precision=4, threshold=10)}"
        return _nested(x, digits)
    if isinstance(x, list) and x and all(isinstance(v, (int, float)) for v in x):
        if len(x) > 30:
            return f"a list of {len(x)} numbers, {_nested(np.asarray(x[:5]), digits)[:-1]}, ...]"
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


def drawn_cases(exercise=None):
    """``exercise.draws`` inputs drawn from ``exercise.domain``, seeded by its id (the
    exercise being graded by default): the same on every run."""
    exercise = exercise or _RUN.get("exercise")
    if exercise is None or exercise.domain is None:
        return []
    rng = np.random.default_rng(zlib.crc32(exercise.id.encode()))
    names = _parameters(exercise)
    cases = []
    for k in range(exercise.draws):
        args = tuple(exercise.domain(rng))
        shown = ", ".join(_describe(a) if callable(a) or len(args) != len(names) else f"{name} = {_describe(a)}"
                          for name, a in zip(names or [None] * len(args), args))
        cases.append(Case(f"drawn input {k + 1} of {exercise.draws} (seeded): {shown}", args))
    return cases


def _parameters(exercise):
    """The names of the reference function's parameters, to show drawn arguments by name."""
    solution = exercise.make_solution() if exercise.kind == "code" else exercise.make_solution
    try:
        return list(inspect.signature(solution).parameters)
    except (TypeError, ValueError):
        return []


def _describe(a):
    if callable(a):
        return getattr(a, "__doc__", None) or getattr(a, "__name__", "a function")
    return show(a, 17) if np.size(a) <= 12 else show(a)


def check_function(fn, cases, reference, mistakes=(), compare=None, what="function"):
    """Grade a learner's function case by case against ``reference``.

    - fn: the learner's function.
    - cases: ``Case`` objects, easiest first.
    - reference: the correct function (same signature).
    - mistakes: ``(wrong_fn, message)`` pairs, see ``recognise``.
    - compare: ``compare(got, expected) -> None`` or a sentence saying what is wrong;
      by default ``close()``.
    After the named cases come the inputs drawn from the domain of the exercise being
    graded (``Exercise.domain``), compared with its reference solution.
    Returns the number of cases passed; raises ``Wrong`` at the first failing one.
    """
    if not callable(fn):
        raise Wrong("any input", [f"expected a {what} (def ...), got {type(fn).__name__} {show(fn)}"])
    compare = compare or close()
    _run_cases(fn, cases, reference, mistakes, compare)
    exercise = _RUN.get("exercise")
    drawn = drawn_cases()
    if drawn:
        solution = exercise.make_solution()
        _run_cases(fn, drawn, solution if callable(solution) else reference, mistakes,
                   exercise.domain_compare or compare, drawn=True)
    return len(cases) + len(drawn)


def _run_cases(fn, cases, reference, mistakes, compare, drawn=False):
    for case in cases:
        if drawn:
            expected = outcome(reference, copy.deepcopy(case.args), learner=False)
            if expected.error is not None:  # a draw outside the reference's own domain: skipped
                continue
            expected = expected.value
        else:
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
            # close() may need the arguments (a tolerance from them); a compare of one's own gets two.
            problem = (compare(got.value, expected, case.args) if isinstance(compare, close)
                       else compare(got.value, expected))
        if problem is not None:
            # Rounded to 6 digits, a value off by 1e-8 would look right: show more then.
            digits = 6 if got.error or show(got.value) != show(expected) else 17
            lines = [f"expected: {show(expected, digits)}"]
            lines += [f"got:      {show(got.value, digits)}"] if got.error is None and got.value is not None else []
            if problem != "values differ":
                lines.append(f"your code {problem}")
            # A changed argument is the mistake; what the result looks like does not matter.
            mistake = None if problem.startswith("changed") else recognise(case.args, got, mistakes, expected)
            raise Wrong(case.label, lines, mistake)


def changed_argument(originals, args):
    """A sentence if the learner's code changed one of its array arguments in place."""
    for i, (before, after) in enumerate(zip(originals, args)):
        if isinstance(before, np.ndarray) and not np.array_equal(before, after, equal_nan=True):
            return (f"changed its argument number {i + 1} in place (now {show(after)}): "
                    "never modify the caller's array; compute a new one (a = a - m, not a -= m)")
    return None


def exact_numbers(rng, shape, spread=20):
    """Small integers times one power of two (from 2**-spread to 2**spread): products and
    sums of a few of them are exact in float64, so any order of the arithmetic gives
    the same bits, at any magnitude."""
    return rng.integers(-9, 10, size=shape) * 2.0 ** int(rng.integers(-spread, spread + 1))


class close:
    """A ``compare`` for numbers and arrays: same shape, numpy array for an array, values
    within ``rtol``/``atol``; nan or inf where the answer is finite is always wrong.

    A tiny ``atol`` (1e-320, say) makes the comparison relative even for results near 0,
    where a value 2e-313 returned as 0 is wrong. ``scaled=True`` adds ``rtol`` times the
    largest expected magnitude to ``atol``: relative to the size of the whole answer, for
    results whose small entries come from cancellation. ``floor(*args)`` adds an absolute
    tolerance per entry, computed from the case's arguments: the reference's own rounding
    where it is not relative.
    """

    def __init__(self, rtol=1e-7, atol=1e-12, scaled=False, floor=None):
        self.rtol, self.atol, self.scaled, self.floor = rtol, atol, scaled, floor

    def __call__(self, got, expected, args=()):
        expected = np.asarray(expected)
        if expected.ndim > 0 and not isinstance(got, np.ndarray):
            return (f"returned a {type(got).__name__} where a numpy array of shape {expected.shape} is expected "
                    "(numpy functions such as np.exp work on whole arrays)")
        try:
            g = np.asarray(got, dtype=np.float64)
        except Exception:  # TypeError, ValueError, or an __array__ of the learner's that raises
            return f"returned {type(got).__name__} {show(got)}, not numbers"
        if g.shape != expected.shape:
            return f"returned shape {g.shape}, expected shape {expected.shape}"
        if not np.all(np.isfinite(g)):
            return "returned nan or inf where the answer is a finite number"
        with np.errstate(all="ignore"):
            bound = self.atol + (self.rtol * float(np.max(np.abs(expected), initial=0.0)) if self.scaled else 0.0)
            if self.floor is not None:
                bound = bound + self.floor(*args)
            if not np.all(np.abs(g - expected) <= bound + self.rtol * np.abs(expected)):
                return "values differ"
        return None


def check_value(answer, expected, wrong_answers, *, rtol=1e-3, atol=0.0, case="your answer"):
    """Grade a value exercise: ``answer`` close to ``expected`` (numbers) or equal (tuples
    of ints).

    - wrong_answers: pairs ``(value, message)`` for known wrong answers.
    The expected value is not shown: the learner can try again.
    """
    if isinstance(expected, tuple):
        if not isinstance(answer, (tuple, list)):
            raise Wrong(case, [f"got {type(answer).__name__} {show(answer)}: answer with a tuple such as (4, 7)"])
        if not all(isinstance(v, (int, np.integer)) and not isinstance(v, (bool, np.bool_)) for v in answer):
            raise Wrong(case, [f"got {show(answer)}: a shape is a tuple of whole numbers (int), such as (4, 7)"],
                        "Each entry of a shape counts rows or columns: an int, not a string or a float.")
    elif isinstance(answer, (bool, np.bool_)) or not isinstance(answer, (int, float, np.integer, np.floating)):
        raise Wrong(case, [f"got {type(answer).__name__} {show(answer)}: answer with a number such as 0.25"])
    elif not np.isfinite(_as_float(answer)):
        raise Wrong(case, [f"got {show(answer)}: answer with a finite number such as 0.25"])
    for value, message in wrong_answers:
        if _matches(answer, value, rtol, atol):
            raise Wrong(case, [f"got: {show(answer)}"], message)
    if _matches(answer, expected, rtol, atol):
        return "Well done."
    raise Wrong(case, [f"got: {show(answer)}, which is not it"])


def _as_float(answer):
    try:
        return float(answer)
    except OverflowError:  # an int beyond float64, 10**400
        return float("inf")


def _matches(answer, value, rtol, atol):
    if isinstance(value, tuple):
        try:
            return tuple(int(v) for v in answer) == value
        except (TypeError, ValueError):
            return False
    return bool(np.isclose(_as_float(answer), value, rtol=rtol, atol=atol))
