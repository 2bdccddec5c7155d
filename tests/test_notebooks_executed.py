"""Every committed notebook carries the outputs of a top-to-bottom run.

nbval compares nothing for a code cell without an execution count, so a stripped
notebook would pass it silently; tests/check_executed.py catches that.
"""

import importlib.util
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))


def _load_check_executed():
    spec = importlib.util.spec_from_file_location("check_executed", Path(__file__).with_name("check_executed.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


problems = _load_check_executed().problems


def test_there_are_notebooks_to_check():
    assert NOTEBOOKS, "no notebooks found under notebooks/"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_notebook_is_stored_executed(path):
    assert problems(path) == []


# ---- check_executed itself, on notebooks built here --------------------------------


def _notebook(counts):
    """A notebook with a Markdown cell and one code cell per entry of ``counts``."""
    nb = nbformat.v4.new_notebook()
    nb.cells.append(nbformat.v4.new_markdown_cell("# A lesson"))
    for i, count in enumerate(counts):
        cell = nbformat.v4.new_code_cell(f"print({i})")
        cell.execution_count = count
        if count is not None:
            cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text=f"{i}\n")]
        nb.cells.append(cell)
    return nb


def _write(nb, tmp_path, name="lesson.ipynb"):
    path = tmp_path / name
    nbformat.write(nb, path)
    return path


def test_an_executed_notebook_passes(tmp_path):
    assert problems(_write(_notebook([1, 2, 3]), tmp_path)) == []


def test_a_stripped_notebook_is_flagged(tmp_path):
    executed = _notebook([1, 2, 3])
    for cell in executed.cells:
        if cell.cell_type == "code":
            cell.execution_count = None
            cell.outputs = []
    found = problems(_write(executed, tmp_path))
    assert "cell 1 has no execution count (not executed)" in found
    assert "cell 3 has no execution count (not executed)" in found
    assert "no code cell has been executed" in found


def test_one_unexecuted_cell_is_flagged(tmp_path):
    assert problems(_write(_notebook([1, None, 3]), tmp_path)) == ["cell 2 has no execution count (not executed)"]


def test_cells_run_out_of_order_are_flagged(tmp_path):
    found = problems(_write(_notebook([2, 1, 3]), tmp_path))
    assert found == ["cells were executed out of order; run `make execute`"]


def test_empty_code_cells_are_ignored(tmp_path):
    nb = _notebook([1, 2])
    nb.cells.append(nbformat.v4.new_code_cell("   \n"))
    assert problems(_write(nb, tmp_path)) == []
