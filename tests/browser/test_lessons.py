"""Every lesson, run in JupyterLab in headless Chromium: no errors, every widget on screen.

Screenshots of each lesson's first widget, and of the playground before and after each
change, go to tests/browser/screenshots/ for a person to look at.
"""

import re
import time

import nbformat
import pytest

from .conftest import NOTEBOOKS, lesson_files
from .lab_page import RETRAIN_TIMEOUT, WIDGET_MIME

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


def test_lesson_runs_and_renders(open_lesson, lesson):
    lesson = open_lesson(lesson)
    cells = lesson.cells()
    errors = error_outputs(cells)
    # Widget callbacks print outside any cell: JupyterLab shows that only in its log console.
    errors += [f"{e['type']} from a widget callback: {e['text'].strip()[:400]}"
               for e in lesson.kernel_errors() if e["parent"] != "execute_request"]
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


def _lesson6():
    found = [p for p in lesson_files() if p.name.startswith("06_")]
    return found[0].name if found else None


def _slider(playground, description):
    """The slider of the playground whose description is exactly ``description``."""
    label = playground.page.locator("label.widget-label", has_text=re.compile(rf"^\s*{re.escape(description)}\s*$"))
    slider = playground.locator(".widget-slider").filter(has=label)
    assert slider.count() == 1, (
        f"expected one slider described {description!r} in the playground, found {slider.count()}")
    return slider


def _state(playground):
    return playground.evaluate("""node => ({
        status: ((node.querySelector('.nnlib-status') || {}).textContent || '').trim(),
        image: (node.querySelector('.nnlib-figure img') || {}).src || ''})""")


def _readout(slider):
    return float(slider.locator(".widget-readout").inner_text())


def _step_key(slider, key, other, end):
    """``key``, or ``other`` when the slider is already at ``end`` ("min" or "max")."""
    handle = slider.locator(".noUi-handle")
    at_end = handle.get_attribute("aria-valuenow") == handle.get_attribute(f"aria-value{end}")
    return other if at_end else key


def _change(lesson, playground, slider, key, before, image_must_change=True):
    """Press ``key`` on a slider's handle, as a person would, and wait for the retrain.

    Waits for a new status (and a new figure image), then for the kernel to be idle and
    the panel to stop changing, so a panel that reports progress is read when done.
    """
    handle = slider.locator(".noUi-handle")
    handle.focus()
    handle.press(key)
    try:
        playground.page.wait_for_function(
            """([node, before, imageMustChange]) => {
              const status = ((node.querySelector('.nnlib-status') || {}).textContent || '').trim();
              const img = node.querySelector('.nnlib-figure img');
              const drawn = img && img.complete && img.naturalWidth > 0 && img.src !== before.image;
              return status !== before.status && (drawn || !imageMustChange);
            }""", arg=[playground.element_handle(), before, image_must_change],
            timeout=RETRAIN_TIMEOUT, polling=200)
    except Exception as e:
        lesson.screenshot("failure")
        after = _state(playground)
        raise AssertionError(
            f"pressing {key} on the playground's slider did not retrain within "
            f"{RETRAIN_TIMEOUT / 1000:.0f} s: status {before['status']!r} -> {after['status']!r}, "
            f"image changed: {after['image'] != before['image']}" + lesson.diagnostics()) from e
    lesson.wait_idle()
    state, since = _state(playground), time.monotonic()
    deadline = since + RETRAIN_TIMEOUT / 1000
    while time.monotonic() - since < 1.0 and time.monotonic() < deadline:
        time.sleep(0.2)
        now = _state(playground)
        if now != state:
            state, since = now, time.monotonic()
    return state


def test_playground_retrains_and_reports_divergence(open_lesson):
    name = _lesson6()
    if name is None:
        pytest.skip(f"lesson 6 (06_*.ipynb) does not exist yet in {NOTEBOOKS}")
    lesson = open_lesson(name)
    found = lesson.root.locator(".nnlib-panel.nnlib-playground")
    assert found.count() >= 1, (
        f"{name} exists but shows no nnlib.Playground (no element with classes "
        f"nnlib-panel and nnlib-playground)" + lesson.diagnostics())
    playground = found.first
    playground.locator(".nnlib-figure img").wait_for()
    lr = _slider(playground, "learning rate")
    units = _slider(playground, "units")
    errors_before = len(lesson.kernel_errors())
    lesson.screenshot("playground-1-start", playground)
    start = _state(playground)
    assert start["status"], "the playground's status line is empty"

    # A page step down divides the learning rate by about 3: a retrain that cannot diverge.
    lr_before = _readout(lr)
    after_lr = _change(lesson, playground, lr, _step_key(lr, "PageDown", "PageUp", "min"), start)
    assert _readout(lr) != lr_before, f"the learning rate stayed {lr_before}"
    lesson.screenshot("playground-2-learning-rate", playground)

    units_before = _readout(units)
    after_units = _change(lesson, playground, units, _step_key(units, "ArrowRight", "ArrowLeft", "max"), after_lr)
    assert _readout(units) != units_before, f"the number of units stayed {units_before}"
    lesson.screenshot("playground-3-units", playground)

    # The largest learning rate makes training blow up: the status must say so, calmly.
    diverged = _change(lesson, playground, lr, "End", after_units, image_must_change=False)
    lesson.screenshot("playground-4-diverged", playground)
    assert _readout(lr) == pytest.approx(10.0), (
        f"End should move the learning rate to its maximum, 10; the slider reads {_readout(lr)}")
    assert "diverged" in diverged["status"], (
        f"at learning rate 10 the status should say the training diverged; it says {diverged['status']!r}")
    errors = lesson.kernel_errors()[errors_before:]
    assert not errors, "the playground raised or printed on stderr:\n" + "\n".join(
        f"  {e['type']} (from {e['parent']}): {e['text'].strip()[:500]}" for e in errors)
    panels = lesson.panels()
    assert not any(p["errors"] for p in panels), f"errors shown in a panel's figure: {panels}"
