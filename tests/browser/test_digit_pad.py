"""Lesson 7's draw-a-digit pad in JupyterLab, in headless Chromium, used as a person would:
a square painted with the mouse, another from the keyboard (Tab to it, Space), the clear
button; each time the squares' names and the network's answer follow.
"""

import re

import pytest

from .lab_page import RETRAIN_TIMEOUT

pytestmark = pytest.mark.browser

LESSON = "07_handwritten_digits.ipynb"


def _status(pad):
    return pad.locator(".nnlib-status").inner_text().strip()


def _wait_status(lesson, pad, condition, what):
    """Wait until the status line (JavaScript ``text``) meets ``condition``; return it."""
    try:
        pad.page.wait_for_function(
            f"node => {{ const text = (node.querySelector('.nnlib-status') || {{}}).textContent || ''; "
            f"return {condition}; }}", arg=pad.element_handle(), timeout=RETRAIN_TIMEOUT, polling=100)
    except Exception as e:
        lesson.screenshot("digit-pad-failure", pad)
        raise AssertionError(f"the pad's status did not {what}; it says {_status(pad)!r}" + lesson.diagnostics()) from e
    return _status(pad)


def test_digit_pad_is_painted_with_mouse_and_keyboard_and_cleared(open_lesson):
    lesson = open_lesson(LESSON)
    pad = lesson.root.locator(".nnlib-panel", has=lesson.page.locator(".nnlib-digit-grid")).first
    pad.locator(".nnlib-figure img").wait_for()
    cells = pad.locator(".nnlib-digit-grid button")
    assert cells.count() == 64
    titles = [cells.nth(k).get_attribute("title") for k in range(64)]
    assert titles[0] == "row 1, column 1, off" and titles[63] == "row 8, column 8, off"
    painted = sum(title.endswith(", on") for title in titles)
    start = _status(pad)
    assert start.startswith(f"{painted} of 64 cells painted"), start

    # The mouse: a click on an empty square paints it.
    first_off = next(k for k, title in enumerate(titles) if title.endswith(", off"))
    cells.nth(first_off).click()
    after_click = _wait_status(lesson, pad, f"text.startsWith('{painted + 1} of 64 cells painted')",
                               "count the square painted with the mouse")
    assert cells.nth(first_off).get_attribute("title").endswith(", on")

    # The keyboard: focus the next square with Tab, switch it with Space.
    cells.nth(first_off).focus()
    lesson.page.keyboard.press("Tab")
    focused = lesson.page.evaluate("() => document.activeElement.getAttribute('title')")
    assert re.fullmatch(r"row \d, column \d, (on|off)", focused or ""), focused
    was_on = focused.endswith(", on")
    lesson.page.keyboard.press("Space")
    expected = painted + 1 + (-1 if was_on else 1)
    _wait_status(lesson, pad, f"text.startsWith('{expected} of 64 cells painted')",
                 "count the square switched from the keyboard")
    assert lesson.page.evaluate("() => document.activeElement.getAttribute('title')").endswith(
        ", off" if was_on else ", on")

    # Clear: every square off, and the network still gives an answer.
    pad.locator("button.jupyter-button", has_text=re.compile(r"^\s*clear\s*$")).click()
    cleared = _wait_status(lesson, pad, "text.startsWith('an empty grid')", "say the grid is empty")
    assert all(cells.nth(k).get_attribute("title").endswith(", off") for k in range(64))
    assert "the network's best guess is" in cleared and after_click != cleared
    lesson.screenshot("digit-pad-cleared", pad)
