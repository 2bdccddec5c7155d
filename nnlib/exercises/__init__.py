"""Exercises: the learner writes the code, the library grades it.

    from nnlib import exercises

    def my_sigmoid(z):
        ...                                   # the learner's code
    exercises.grade("3.sigmoid", my_sigmoid)  # -> Feedback: correct, or which case failed and why

- ``catalog()``: every exercise, with ``.id`` ("<lesson>.<name>"), ``.lesson``, ``.title``
  and ``.kind`` ("code": a function or class; "value": a number, shape or model).
- ``grade(id, answer)``: a ``Feedback`` with ``.correct``, ``.attempted`` and ``.message``.
- ``solution(id)``: the reference answer, the same kind of object as the answer.
- ``source(id)``: its source code, to compare with after trying.
- ``reset_attempts(id=None)``: forget the wrong attempts counted so far (the hints start
  over with the nudge).

Each lesson's exercises and their graders are in ``lesson1.py`` .. ``lesson7.py``; the
rules they share (warnings fail, a stub is "not attempted yet", a time limit, inputs drawn
from the whole domain, a nudge before the method, ...) in ``grading.py``; the mutants of
the reference solutions that the graders are tested against in ``mutants.py``.
"""

import inspect

from . import lesson1, lesson2, lesson3, lesson4, lesson5, lesson6, lesson7
from .grading import Exercise, Feedback, grade_answer, note_solution_called, reset_attempts, take_pristine

_EXERCISES = {ex.id: ex for lesson in (lesson1, lesson2, lesson3, lesson4, lesson5, lesson6, lesson7)
              for ex in lesson.EXERCISES}


def catalog():
    """Every exercise, in lesson order: a list of ``Exercise`` (id, lesson, title, kind)."""
    return list(_EXERCISES.values())


def _find(exercise_id):
    if not isinstance(exercise_id, str) or exercise_id not in _EXERCISES:
        raise ValueError(f"unknown exercise id {exercise_id!r}; the known ids are: {', '.join(_EXERCISES)}")
    return _EXERCISES[exercise_id]


def grade(exercise_id, answer):
    """Grade ``answer`` (a function, a class or a value, as the exercise asks) -> ``Feedback``."""
    return grade_answer(_find(exercise_id), answer)


def solution(exercise_id):
    """The reference answer of an exercise: a function, a class or a value."""
    note_solution_called(exercise_id)  # from inside the learner's graded code: told so
    return _find(exercise_id).make_solution()


def source(exercise_id):
    """The reference answer's source code, for ``print(exercises.source(id))`` after trying."""
    return "\n\n".join(inspect.getsource(obj).rstrip() for obj in _find(exercise_id).source_of) + "\n"


__all__ = ["Exercise", "Feedback", "catalog", "grade", "reset_attempts", "solution", "source"]

# Every grade runs on nnlib as it is now, at import, whatever a cell changes later.
take_pristine()
