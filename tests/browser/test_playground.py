"""The playground in JupyterLab, in headless Chromium, driven as a person would: play,
pause and step, a feature toggle, regularisation and a regression data set, with nothing
on stderr. It is lesson 6's ``nnlib.Playground()`` with its default settings, opened from
the standalone playground's notebook (app/playground.ipynb, copied beside the lessons):
test_lessons.py already runs all of lesson 6, so running it again here would only add
its half-minute. One opening for all of it.

Screenshots of the playground after each change go to tests/browser/screenshots/.
"""

import re
import time

import pytest

from .lab_page import RETRAIN_TIMEOUT
from .lab_server import PLAYGROUND_NOTEBOOK

pytestmark = pytest.mark.browser

_JS_STATE = """node => ({
    status: ((node.querySelector('.nnlib-status') || {}).textContent || '').trim(),
    epoch: ((node.querySelector('.nnlib-epoch') || {}).textContent || '').trim(),
    image: (node.querySelector('.nnlib-figure img') || {}).src || '',
    network: (node.querySelector('.nnlib-network') || {}).innerHTML || '',
    table: ((node.querySelector('.nnlib-confusion') || {}).textContent || '').trim()})"""


def _state(playground):
    return playground.evaluate(_JS_STATE)


def _epoch(state):
    return int(state["epoch"].split()[-1])


def _wait(lesson, playground, what, condition, arg=None):
    """Wait until ``condition`` (JavaScript of ``state`` and ``arg``) holds for the panel's state."""
    try:
        playground.page.wait_for_function(
            f"([node, arg]) => {{ const state = ({_JS_STATE})(node); return {condition}; }}",
            arg=[playground.element_handle(), arg], timeout=RETRAIN_TIMEOUT, polling=100)
    except Exception as e:
        lesson.screenshot("playground-failure", playground)
        raise AssertionError(f"the playground did not {what} within {RETRAIN_TIMEOUT / 1000:.0f} s; it shows "
                             f"{_state(playground)['status']!r}" + lesson.diagnostics()) from e
    return _state(playground)


def _settled(lesson, playground):
    """The panel's state once the kernel is idle and nothing changed for half a second."""
    lesson.wait_idle()
    state, since = _state(playground), time.monotonic()
    while time.monotonic() - since < 0.5:
        time.sleep(0.1)
        now = _state(playground)
        if now != state:
            state, since = now, time.monotonic()
    return state


def _button(playground, text):
    found = playground.locator("button.jupyter-button", has_text=re.compile(rf"^\s*{re.escape(text)}\s*$"))
    assert found.count() == 1, f"expected one button {text!r} in the playground, found {found.count()}"
    return found


def _dropdown(playground, description):
    label = playground.page.locator("label.widget-label", has_text=re.compile(rf"^\s*{re.escape(description)}\s*$"))
    found = playground.locator(".widget-dropdown").filter(has=label).locator("select")
    assert found.count() == 1, f"expected one dropdown described {description!r}, found {found.count()}"
    return found


def test_playground_plays_steps_and_retrains_on_features_regularisation_and_regression(open_lesson):
    lesson = open_lesson(PLAYGROUND_NOTEBOOK)
    panel = lesson.root.locator(".nnlib-panel.nnlib-playground")
    assert panel.count() == 1, f"{PLAYGROUND_NOTEBOOK} shows no nnlib.Playground" + lesson.diagnostics()
    playground = panel.first
    playground.locator(".nnlib-figure img").wait_for()
    errors_before = len(lesson.kernel_errors())
    start = _settled(lesson, playground)
    assert start["status"] and "<svg" in start["network"], start
    lesson.screenshot("playground-1-start", playground)

    # The learning rate is announced as a rate: a select whose chosen option reads "0.1" or so.
    lr = _dropdown(playground, "learning rate")
    assert re.fullmatch(r"[0-9.e-]+", lr.evaluate("s => s.options[s.selectedIndex].text")), "lr option text"

    # Hovering over a unit of the network, or clicking it, enlarges its heatmap (4x).
    units = playground.locator(".nnlib-network .unit")
    assert units.count() == 2 + 8 + 8 + 1, f"the network shows {units.count()} units"
    grown = "e => new Promise(r => setTimeout(() => r(getComputedStyle(e).transform), 300))"
    units.nth(5).hover()
    assert units.nth(5).evaluate(grown).startswith("matrix(4, 0, 0, 4"), "hover did not enlarge the unit"
    units.nth(3).click()
    playground.locator(".nnlib-epoch").hover()  # the pointer leaves: the clicked unit stays large
    assert units.nth(3).evaluate(grown).startswith("matrix(4, 0, 0, 4"), "a click did not enlarge the unit"
    assert units.nth(5).evaluate(grown) == "none"

    # Play: the epoch counter climbs while the kernel stays free; pause stops it.
    _button(playground, "play").click()
    playing = _wait(lesson, playground, "train on after play", "+state.epoch.split(' ').pop() >= arg + 3",
                    _epoch(start))
    lesson.screenshot("playground-2-playing", playground)
    _button(playground, "pause").click()
    paused = _settled(lesson, playground)
    assert _epoch(paused) >= _epoch(playing) and paused["image"] != start["image"]
    time.sleep(0.5)
    assert _state(playground)["epoch"] == paused["epoch"], "training went on after pause"

    # Step: one epoch more, from where it stopped.
    _button(playground, "step").click()
    stepped = _wait(lesson, playground, "step one epoch", "+state.epoch.split(' ').pop() === arg + 1",
                    _epoch(paused))
    assert stepped["status"].startswith(f"epoch {_epoch(paused) + 1}:"), stepped["status"]

    # A feature toggle: x1^2 becomes an input of a freshly trained network.
    _button(playground, "x1^2").click()
    featured = _wait(lesson, playground, "retrain with the feature x1^2", "state.network.includes('heatmap of x1^2')")
    lesson.screenshot("playground-3-feature", playground)
    featured = _settled(lesson, playground)

    # Regularisation: L2 retrains, and its penalty counts in the loss shown.
    _dropdown(playground, "regularisation").select_option(label="L2")
    regularised = _wait(lesson, playground, "retrain with L2", "state.status !== arg", featured["status"])
    regularised = _settled(lesson, playground)
    assert regularised["status"].startswith("epoch ") and "loss" in regularised["status"]

    # A regression: no accuracy; the mean squared error beside the loss.
    _dropdown(playground, "data set").select_option(label="plane (regression)")
    regression = _wait(lesson, playground, "train the regression", "state.table.includes('mean squared error')")
    regression = _settled(lesson, playground)
    lesson.screenshot("playground-4-regression", playground)
    assert "accuracy" not in regression["status"], regression["status"]

    errors = lesson.kernel_errors()[errors_before:]
    assert not errors, "the playground raised or printed on stderr:\n" + "\n".join(
        f"  {e['type']} (from {e['parent']}): {e['text'].strip()[:500]}" for e in errors)
    panels = lesson.panels()
    assert not any(p["errors"] for p in panels), f"errors shown in a panel's figure: {panels}"
