"""The standalone playground (`make playground`): Voila serves app/playground.ipynb alone.

The page shows the playground and none of the notebook's code; a key press on a control
retrains (the status and the figure change); the server refuses anyone without its token.
"""

import re
import socket

import nbformat
import pytest

from .lab_page import RETRAIN_TIMEOUT
from .lab_server import APP_NOTEBOOK as APP

pytestmark = pytest.mark.browser


def test_app_notebook_is_committed_without_outputs():
    # Voila runs the notebook on every visit, so stored outputs would only be a stale copy.
    nb = nbformat.read(APP, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert code, f"{APP} has no code cell"
    assert all(not c.outputs and c.execution_count is None for c in code), (
        f"{APP} is committed with outputs: clear them (Voila executes it itself)")
    assert "nnlib.Playground()" in "".join(c.source for c in code)


def _status(panel):
    return (panel.locator(".nnlib-status").inner_text() or "").strip()


def test_app_shows_the_playground_alone_and_a_control_retrains(playground_app, voila):
    page = playground_app
    panel = page.locator(".nnlib-panel.nnlib-playground")
    assert panel.count() == 1, f"expected one playground on the page, found {panel.count()}"
    # Voila shows outputs and markdown only: the code that made the playground stays hidden.
    assert "nnlib.Playground()" not in page.locator("body").inner_text()
    assert page.locator(".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']").count() == 0, (
        "the playground app printed on stderr")
    before = {"status": _status(panel), "image": panel.locator(".nnlib-figure img").get_attribute("src")}
    assert before["status"], "the playground's status line is empty"

    # The noise control makes new data: a retrain whatever the network is. It is moved
    # from the keyboard, as a person would: ArrowRight on a slider, ArrowDown on a dropdown.
    label = page.locator("label.widget-label", has_text=re.compile(r"^\s*noise\s*$"))
    control = panel.locator(".widget-slider, .widget-dropdown").filter(has=label)
    assert control.count() == 1, f"expected one slider or dropdown described 'noise', found {control.count()}"
    if control.locator(".noUi-handle").count():
        target = control.locator(".noUi-handle")
        read = lambda: control.locator(".widget-readout").inner_text()
        at_end = target.get_attribute("aria-valuenow") == target.get_attribute("aria-valuemax")
        key = "ArrowLeft" if at_end else "ArrowRight"
    else:
        target = control.locator("select")
        read = target.input_value
        at_end = target.evaluate("s => s.selectedIndex === s.options.length - 1")
        key = "ArrowUp" if at_end else "ArrowDown"
    noise = read()
    target.focus()
    target.press(key)
    try:
        page.wait_for_function(
            """([node, before]) => {
              const status = (node.querySelector('.nnlib-status') || {}).textContent || '';
              const img = node.querySelector('.nnlib-figure img');
              return status.trim() !== before.status && img && img.complete && img.naturalWidth > 0
                     && img.src !== before.image;
            }""", arg=[panel.element_handle(), before], timeout=RETRAIN_TIMEOUT, polling=200)
    except Exception as e:
        raise AssertionError(
            f"{key} on the 'noise' control did not retrain within {RETRAIN_TIMEOUT / 1000:.0f} s: status "
            f"{before['status']!r} -> {_status(panel)!r}; Voila's log:\n{voila.log_tail()}") from e
    assert read() != noise, f"the noise stayed {noise}"
    assert not page.nnlib_page_errors, f"errors on the page: {page.nnlib_page_errors[:3]}"


def test_app_refuses_requests_without_the_token(voila):
    # Without the token: sent to the login page, and no kernel (so no code) is started.
    for path in ("/", "/api/kernels", "/voila/render/playground.ipynb"):
        status, _ = voila.request(path, token=False)
        assert status in (302, 403), f"{path} without the token answered {status}"
        status, _ = voila.request(path, token="0" * len(voila.token))
        assert status in (302, 403), f"{path} with a wrong token answered {status}"


def test_app_listens_on_loopback_only(voila):
    assert len(voila.token) >= 32 and voila.url.startswith("http://127.0.0.1:")
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        try:
            s.connect(("10.255.255.255", 1))  # finds the outward address; sends nothing
            outward = s.getsockname()[0]
        except OSError:
            outward = None
    if outward is None or outward.startswith("127."):
        return  # no other interface to try
    port = int(voila.url.rsplit(":", 1)[1])
    with socket.socket() as s:
        s.settimeout(2)
        assert s.connect_ex((outward, port)) != 0, f"Voila answers on {outward}:{port}, not only 127.0.0.1"
