"""Fixtures for the browser tests: one JupyterLab server and one headless Chromium per session.

The server (lab_server.py) runs on a temporary copy of ``notebooks/``; the lessons are
driven through the page (lab_page.py) in Debian's Chromium (``/usr/bin/chromium``)
through PyPI's ``playwright``. Every ``NN_name.ipynb`` found is tested.

Without Chromium the browser tests skip, saying how to run them; with the environment
variable ``NNLIB_REQUIRE_BROWSER=1`` (set by ``make test-browser`` and ``.ci/run``) a
missing browser fails them. ``NNLIB_BROWSER_NOTEBOOKS=/some/folder`` points the tests at
another folder of lessons, to check the tests themselves on notebooks known to be broken.
"""

import importlib.util
import os
import sys
from pathlib import Path

import pytest

from .lab_page import PAGE_TIMEOUT, Lesson, PagePool
from .lab_server import REPO, Lab

NOTEBOOKS = Path(os.environ.get("NNLIB_BROWSER_NOTEBOOKS", REPO / "notebooks")).resolve()
CHROMIUM = Path(os.environ.get("NNLIB_CHROMIUM", "/usr/bin/chromium"))
REQUIRE_BROWSER = os.environ.get("NNLIB_REQUIRE_BROWSER", "") not in ("", "0")
SCREENSHOTS = Path(__file__).resolve().parent / "screenshots"
HOW_TO_RUN = "install it with `apt-get install chromium`, then run `make test-browser`"
CHROMIUM_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
]

_skipped = []  # reasons the browser tests were skipped, for the terminal summary
_screenshots = []  # screenshots taken, for the terminal summary


def lesson_files():
    """The lessons present now: ``NN_name.ipynb`` files in the notebooks folder."""
    return sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))


def pytest_generate_tests(metafunc):
    # Every lesson found is a test case, so lessons added later are tested unchanged.
    if "lesson" in metafunc.fixturenames:
        lessons = lesson_files()
        params = [pytest.param(p.name, id=p.stem) for p in lessons] or [
            pytest.param(None, marks=pytest.mark.skip(reason=f"no lesson notebooks in {NOTEBOOKS}"))]
        metafunc.parametrize("lesson", params)


def pytest_terminal_summary(terminalreporter):
    if _skipped:
        n = sum("browser tests did not run" in str(r.longrepr)
                for r in terminalreporter.stats.get("skipped", []))
        terminalreporter.section("browser tests")
        terminalreporter.write_line(f"SKIPPED {n} browser tests. {_skipped[0]}", yellow=True)
    elif _screenshots:
        terminalreporter.section("browser tests")
        terminalreporter.write_line(f"{len(_screenshots)} screenshots to look at in {SCREENSHOTS}/")


def _missing(what, fix=HOW_TO_RUN):
    """Skip (or, when the browser is required, fail) because ``what`` is missing."""
    reason = f"{what}, so the browser tests did not run; {fix}"
    if REQUIRE_BROWSER:
        pytest.fail(f"NNLIB_REQUIRE_BROWSER is set and {reason}", pytrace=False)
    _skipped.append(reason)
    pytest.skip(reason)


def _require_jupyterlab():
    if importlib.util.find_spec("jupyterlab") is None:
        _missing(f"JupyterLab is not installed in {sys.prefix}",
                 "run `make test-browser`, which installs it into .venv")


@pytest.fixture(scope="session")
def lab(tmp_path_factory):
    """A JupyterLab server on a copy of the lessons; shut down and checked for leftovers."""
    _require_jupyterlab()
    server = Lab(tmp_path_factory.mktemp("jupyterlab"), NOTEBOOKS).start()
    yield server
    leftovers = server.stop()
    assert server.process.returncode is not None
    assert not leftovers, f"processes still running after the server shut down: {leftovers}"


@pytest.fixture(scope="session")
def browser_context(tmp_path_factory):
    """A headless Chromium with a new, empty profile."""
    if not CHROMIUM.exists():
        _missing(f"Chromium not found at {CHROMIUM}")
    if importlib.util.find_spec("playwright") is None:
        _missing(f"playwright is not installed in {sys.prefix}",
                 "run `make test-browser`, which installs it into .venv")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        context = p.chromium.launch_persistent_context(
            tmp_path_factory.mktemp("chromium-profile"), executable_path=str(CHROMIUM),
            args=CHROMIUM_FLAGS, headless=True, viewport={"width": 1280, "height": 1600})
        context.set_default_timeout(PAGE_TIMEOUT)
        yield context
        context.close()


@pytest.fixture(scope="session")
def screenshots():
    """The folder for screenshots a person can look at; emptied at the start of a run."""
    SCREENSHOTS.mkdir(exist_ok=True)
    for old in SCREENSHOTS.glob("*.png"):
        old.unlink()
    return SCREENSHOTS


@pytest.fixture(scope="session")
def _page_pool(browser_context, lab):
    pool = PagePool(browser_context, lab)
    yield pool
    pool.discard()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if call.when == "call":
        item.nnlib_passed = report.passed
    return report


@pytest.fixture
def open_lesson(request, _page_pool, screenshots):
    """``open_lesson(name)`` opens a lesson in JupyterLab and runs all its cells.

    After the test its kernel is shut down and its notebook closed.
    """
    opened = []

    def _open(name):
        lesson = Lesson(_page_pool, name, screenshots, taken=_screenshots)
        opened.append(lesson)
        return lesson.open().run_all()

    yield _open
    for lesson in opened:
        lesson.close(passed=getattr(request.node, "nnlib_passed", False))
