"""Mutation testing of the graders: every mutant of every exercise's reference solution
(nnlib/exercises/mutants.py: an operator, a constant, an axis, keepdims, a transpose,
swapped branches, an inserted np.clip, a dropped term or statement) is graded, and must
be graded not correct, unless the exercise lists it in ``equivalent_mutants`` with the
reason it is a right answer too.

The test is generic over the catalog: a new exercise is covered as soon as it is in
``exercises.catalog()``. Run this file as a script for the score of each exercise, on
every mutant (no sample):

    PYTHONPATH=$PWD python tests/test_exercise_mutants.py
"""

import random
import warnings

import numpy as np
import pytest

from nnlib import exercises
from nnlib.exercises import grading
from nnlib.exercises.mutants import mutants, reference_of

# An exercise with more mutants than this (or than its own ``mutant_sample``, for one whose
# grade trains a model) is graded on a seeded sample of them, to keep the test within its
# time budget (all 19 exercises: about 350 mutants, about 10 s).
MAX_MUTANTS = 80
CATALOG = exercises.catalog()


def graded_mutants(exercise, everyone=False):
    every = mutants(exercise)
    most = len(every) if everyone else min(MAX_MUTANTS, exercise.mutant_sample or MAX_MUTANTS)
    found = random.Random(exercise.id).sample(every, most) if len(every) > most else every
    return found, len(found) == len(every)


def answer_of(mutant):
    """What the mutant gives as an answer, or None if it fails before giving one (a value
    exercise whose edited code raises: there is no answer to grade, the mutant is dead)."""
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        try:
            return mutant.answer()
        except Exception:
            return None


def score(exercise, everyone=False):
    """(killed, equivalent, survivors, stale): mutants graded not correct (or giving no
    answer), those graded correct and declared equivalent, those graded correct and not
    declared, and declared equivalents not found among the graded ones. ``everyone``:
    grade every mutant, even of an exercise that asks for a sample."""
    found, complete = graded_mutants(exercise, everyone)
    killed, equivalent, survivors = [], [], []
    for mutant in found:
        grading.reset_attempts()
        answer = answer_of(mutant)
        if answer is None:
            killed.append(mutant.description)
            continue
        feedback = exercises.grade(exercise.id, answer)
        if not feedback.correct:
            assert feedback.attempted and feedback.message, (mutant.description, feedback.message)
            killed.append(mutant.description)
        elif mutant.description in exercise.equivalent_mutants:
            equivalent.append(mutant.description)
        else:
            survivors.append(mutant.description)
    grading.reset_attempts()
    stale = sorted(set(exercise.equivalent_mutants) - set(equivalent)) if complete else []
    return killed, equivalent, survivors, stale


@pytest.mark.parametrize("exercise", CATALOG, ids=[e.id for e in CATALOG])
def test_every_mutant_that_is_not_a_right_answer_is_graded_not_correct(exercise):
    killed, equivalent, survivors, stale = score(exercise)
    assert killed, f"{exercise.id}: no mutant killed: does the mutator see its reference?"
    assert not survivors, f"{exercise.id}: mutants graded correct, not declared equivalent: {survivors}"
    assert not stale, f"{exercise.id}: declared equivalent, but no such mutant is graded correct: {stale}"


@pytest.mark.parametrize("exercise", [e for e in CATALOG if e.domain is not None and e.equivalent_mutants],
                         ids=lambda e: e.id)
def test_a_declared_equivalent_mutant_agrees_with_the_reference_on_the_whole_domain(exercise):
    # "Equivalent" is a claim: check it on every drawn input, to the last bits or both failing.
    reference, _ = reference_of(exercise)
    declared = [m for m in mutants(exercise) if m.description in exercise.equivalent_mutants]
    assert declared
    for mutant in declared:
        edited = mutant.build()
        for case in grading.drawn_cases(exercise):
            theirs = grading.outcome(edited, case.args, learner=False)
            ours = grading.outcome(reference, case.args, learner=False)
            assert (theirs.error is None) == (ours.error is None), (mutant.description, case.label)
            if ours.error is None:
                assert grading.same(theirs.value, ours.value, rtol=1e-12, atol=0), (mutant.description, case.label)


def test_every_equivalent_mutant_says_why():
    for exercise in CATALOG:
        for description, reason in exercise.equivalent_mutants.items():
            assert isinstance(reason, str) and len(reason) > 20, (exercise.id, description)


def test_the_mutator_makes_the_edits_it_promises():
    kinds = {
        "3.softmax": ["z.max -> z.min", "True -> False", "-> e.sum(axis=-1)", "axis=0", "np.exp(np.clip("],
        "3.sigmoid": ["np.where(z >= 0, e / (1 + e), 1 / (1 + e))", "insert `z = np.clip(z, -30, 30)`"],
        "1.dense_forward": ["X @ W + b -> X @ W", "X @ W -> X * W", "X @ W -> X.T @ W"],
        "5.dense_backward": ["self.X.T -> self.X", "delete `self.db = dout.sum(axis=0)`"],
    }
    for exercise_id, fragments in kinds.items():
        descriptions = " | ".join(m.description for m in mutants(exercises.catalog()[
            [e.id for e in CATALOG].index(exercise_id)]))
        for fragment in fragments:
            assert fragment in descriptions, (exercise_id, fragment)


if __name__ == "__main__":
    import time
    total_killed = total_relevant = 0
    print(f"{'exercise':26} {'mutants':>7} {'killed':>6} {'equivalent':>10} {'survived':>8} {'score':>6} {'time':>6}")
    for exercise in CATALOG:
        start = time.perf_counter()
        killed, equivalent, survivors, stale = score(exercise, everyone=True)
        relevant = len(killed) + len(survivors)
        total_killed, total_relevant = total_killed + len(killed), total_relevant + relevant
        print(f"{exercise.id:26} {relevant + len(equivalent):7} {len(killed):6} {len(equivalent):10} "
              f"{len(survivors):8} {len(killed) / relevant:6.0%} {time.perf_counter() - start:5.1f}s")
        for description in survivors:
            print(f"    survived: {description}")
    print(f"{'all':26} {'':7} {total_killed:6} {'':10} {total_relevant - total_killed:8} "
          f"{total_killed / total_relevant:6.0%}")
