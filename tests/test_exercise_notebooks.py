"""Every lesson, run with its exercises solved: each grade cell must say "correct".

The committed notebooks keep the stubs ("not attempted yet"). Here each lesson, up to
its last grade cell, is executed (nbclient, in the notebooks folder, as
tests/execute_notebooks.py does) with the line ``<name> = exercises.solution("<id>")``
put just before every grade line ``exercises.grade("<id>", <name>)``, and every grade
cell's output must be that exercise's "correct!" line.
"""

import re
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from nnlib import exercises

NOTEBOOKS = sorted((Path(__file__).parent.parent / "notebooks").glob("[0-9][0-9]_*.ipynb"))
# A grade line is the call alone, as the lessons write it (other cells may use a grade's
# result, e.g. `if exercises.grade(...).correct:`; those are not grade cells).
GRADE = re.compile(r'^(?P<indent>[ \t]*)exercises\.grade\("(?P<id>[\w.]+)", (?P<name>\w+)\)[ \t]*$', re.MULTILINE)


def grade_cells(nb):
    """The code cells that grade, with the (id, name) pairs they grade."""
    cells = []
    for cell in nb.cells:
        if cell.cell_type == "code":
            found = [(m["id"], m["name"]) for m in GRADE.finditer(cell.source)]
            if found:
                cells.append((cell, found))
    return cells


def solved(source):
    """The cell's source with the solution assigned right before each grade call."""
    def insert(match):
        return f'{match["indent"]}{match["name"]} = exercises.solution("{match["id"]}")\n{match[0]}'
    return GRADE.sub(insert, source)


def output_text(cell):
    texts = []
    for out in cell.get("outputs", []):
        if out.get("output_type") == "stream":
            texts.append(out.get("text", ""))
        elif "data" in out:
            texts.append(out["data"].get("text/plain", ""))
        elif out.get("output_type") == "error":
            texts.append(f'{out.get("ename")}: {out.get("evalue")}')
    return "".join(texts)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_every_grade_is_correct_with_the_solutions_in_place(path):
    nb = nbformat.read(path, as_version=4)
    cells = grade_cells(nb)
    assert cells, f"{path.name} has no exercises.grade(...) cell"
    lesson = int(path.name[:2])
    for cell, found in cells:
        for exercise_id, _ in found:
            assert exercise_id.startswith(f"{lesson}."), f"{path.name} grades {exercise_id} of another lesson"
        cell.source = solved(cell.source)
    # Cells after the last grade cell cannot change a grade: they are not run.
    last = next(i for i, cell in enumerate(nb.cells) if cell is cells[-1][0])
    nb.cells = nb.cells[:last + 1]
    for cell in nb.cells:
        # The grades are what this test reads, not the figures: drawn but never turned
        # into PNGs, the lesson runs in about half the time.
        if cell.cell_type == "code":
            cell.source = cell.source.replace("%matplotlib inline", "%matplotlib agg")
    NotebookClient(nb, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}},
                   store_widget_state=False).execute()
    for cell, found in cells:
        text = output_text(cell)
        for exercise_id, _ in found:
            assert f"{exercise_id}: correct!" in text, (exercise_id, text)


def test_every_exercise_of_the_catalog_is_graded_in_its_lesson():
    graded = {}
    for path in NOTEBOOKS:
        for _, found in grade_cells(nbformat.read(path, as_version=4)):
            for exercise_id, _ in found:
                graded[exercise_id] = int(path.name[:2])
    missing = [e.id for e in exercises.catalog() if graded.get(e.id) != e.lesson]
    assert not missing, f"no grade cell in their lesson for: {missing}"


def test_the_committed_notebooks_show_the_stubs_not_attempted():
    # The committed outputs come from the stubs: nothing solved, no hint shown yet.
    for path in NOTEBOOKS:
        for cell, found in grade_cells(nbformat.read(path, as_version=4)):
            text = output_text(cell)
            for exercise_id, _ in found:
                assert f"{exercise_id}: not attempted yet." in text, (path.name, exercise_id, text)
                assert "Hint" not in text
