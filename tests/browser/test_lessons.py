"""Every lesson, run in JupyterLab in headless Chromium: no errors, every widget on screen.

Screenshots of each lesson's first widget go to tests/browser/screenshots/ for a person
to look at; the playground's own test is in test_playground.py.
"""

import re

import nbformat
import pytest

from .conftest import NOTEBOOKS
from .lab_page import WIDGET_MIME

pytestmark = pytest.mark.browser


def stored_widget_count(name):
    """How many widgets the committed notebook displays (from its stored outputs)."""
    nb = nbformat.read(NOTEBOOKS / name, as_version=4)
    return sum(WIDGET_MIME in out.get("data", {})
               for cell in nb.cells if cell.cell_type == "code"
               for out in cell.get("outputs", []))


def error_outputs(cells):
    """Cell outputs a learner would see as errors: tracebacks, and anything on stderr
    (the lessons print the warnings they mean to show, so stderr is never intended)."""
    bad = []
    for cell in cells:
        for out in cell["outputs"]:
            if out.get("output_type") == "error":
                bad.append(f"cell {cell['index']}: {out.get('ename')}: {out.get('evalue')}")
            elif out.get("name") == "stderr":
                text = "".join(out.get("text", "")).strip()
                bad.append(f"cell {cell['index']}: on stderr: {text[-400:]}")
    return bad


CONTROL_COMM = "No such comm target registered: jupyter.widget.control"
# A comm id as JupyterLab makes them (a UUID with dashes); ipywidgets' own models, made in
# the kernel, have ids of 32 hex digits without dashes.
FRONTEND_COMM = re.compile(r"^No such comm: [0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


def startup_noise_removed(kernel_errors):
    """The kernel's messages without a race of JupyterLab's widget manager at startup: it
    may ask a new kernel for its widgets (the "jupyter.widget.control" comm, which the
    page opens) before the lesson has imported ipywidgets, which registers that comm. The
    kernel then logs that no one listens, and that it has no such comm for the follow-up
    messages on it; nothing a learner sees, and not a fault of the lesson. Either message
    may arrive alone (the first can come before the page listens), so each is dropped on
    its own; a missing comm of a widget (an id made by the kernel) is still an error."""
    return [e for e in kernel_errors
            if CONTROL_COMM not in e["text"] and not FRONTEND_COMM.match(e["text"].strip())]


def test_lesson_runs_and_renders(open_lesson, lesson):
    lesson = open_lesson(lesson)
    cells = lesson.cells()
    errors = error_outputs(cells)
    # Widget callbacks print outside any cell: JupyterLab shows that only in its log console.
    errors += [f"{e['type']} from a widget callback: {e['text'].strip()[:400]}"
               for e in startup_noise_removed(lesson.kernel_errors()) if e["parent"] != "execute_request"]
    if errors:
        lesson.screenshot("failure")
    assert not errors, f"{lesson.name} shows errors:\n" + "\n".join(errors) + lesson.diagnostics()

    raw = lesson.raw_tex()
    assert not raw, f"{lesson.name}: LaTeX that MathJax could not typeset: {raw}"

    assert lesson.run_result == "done", f"{lesson.name}: Run All Cells ended with {lesson.run_result!r}"
    unrun = [c["index"] for c in cells if c["type"] == "code" and c["count"] is None]
    assert not unrun, f"{lesson.name}: cells {unrun} did not run"

    expected = stored_widget_count(lesson.name)
    widgets = lesson.widgets()
    broken = [f"cell {w['cell']}: {w['text'] or '(nothing shown)'}" for w in widgets if not w["rendered"]]
    if broken or len(widgets) != expected:
        lesson.screenshot("failure")
    assert not broken, f"{lesson.name}: widgets did not render: {broken}" + lesson.diagnostics()
    assert len(widgets) == expected, (
        f"{lesson.name}: the committed notebook displays {expected} widgets, the cells displayed "
        f"{len(widgets)} when run in JupyterLab" + lesson.diagnostics())

    panels = lesson.panels()
    assert all(p["image"] and p["status"] for p in panels), (
        f"{lesson.name}: nnlib panels without a figure image or a status line: {panels}"
        + lesson.diagnostics())
    assert not any(p["errors"] for p in panels), f"{lesson.name}: panel errors: {panels}"

    if widgets:
        shot = lesson.screenshot("first-widget", lesson.widget(0))
        assert shot is not None and shot.stat().st_size > 0, f"no screenshot of {lesson.name}'s first widget"
        print(f"screenshot: {shot}")
