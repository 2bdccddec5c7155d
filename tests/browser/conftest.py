"""Fixtures for the browser tests: one JupyterLab server and one headless Chromium per session.

The server (lab_server.py) runs on a temporary copy of ``notebooks/``; the lessons are
driven through the page (lab_page.py) in Debian's Chromium (``/usr/bin/chromium``)
through PyPI's ``playwright``. Every ``NN_name.ipynb`` found is tested.

Without Chromium the browser tests skip, saying how to run them; with the environment
variable ``NNLIB_REQUIRE_BROWSER=1`` (set by ``make test-browser`` and ``.ci/run``) a
missing browser fails them. ``NNLIB_BROWSER_NOTEBOOKS=/some/folder`` points the tests at
another folder of lessons, to check the tests themselves on notebooks known to be broken.

A second server, Voila, serves the standalone playground (``app/playground.ipynb``).
axe-core checks every lesson as it was left by the test that ran it (so no lesson runs
twice for it) and the playground page; its findings outside nnlib's own output are
listed in the terminal summary, not failed.
"""

import importlib.util
import os
import sys
import time
from pathlib import Path

import pytest

from .lab_page import LESSON_PARTS, PAGE_TIMEOUT, SERIOUS, Lesson, PagePool, axe_violations
from .lab_server import APP_NOTEBOOK, REPO, Lab, Voila

NOTEBOOKS = Path(os.environ.get("NNLIB_BROWSER_NOTEBOOKS", REPO / "notebooks")).resolve()
# Voila runs the notebook before it sends the page: a kernel start, imports and a first training.
APP_TIMEOUT = 90_000
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
axe_reports = {}  # page name -> axe-core violations found there, for the tests and the summary
_axe_seconds = []  # how long each axe-core check took


_whole_lab_page_checked = []


def scan(page, lesson=False):
    """axe-core's violations on ``page``, timed for the summary.

    JupyterLab's interface is the same around every lesson and checking all of it takes
    seconds, so only the first lesson's page is checked whole (the lesson's text with it);
    on the others axe looks at nnlib's part only, the cells' outputs.
    """
    start = time.monotonic()
    whole = not lesson or not _whole_lab_page_checked
    try:
        found = axe_violations(page, None if whole else LESSON_PARTS)
    finally:
        _axe_seconds.append(time.monotonic() - start)
    if lesson and whole:
        _whole_lab_page_checked.append(page.url)
    return found


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


def pytest_collection_modifyitems(items):
    # The accessibility tests read the scans taken as the other tests leave each lesson,
    # so they run last (a lesson no other test left clean is opened for them anew).
    items.sort(key=lambda item: item.path.name == "test_accessibility.py")


def _axe_summary(terminalreporter):
    terminalreporter.section("accessibility (axe-core)")
    totals = {}
    for name, found in sorted(axe_reports.items()):
        counts = {}
        for v in found:
            key = (v["where"], "serious or critical" if v["impact"] in SERIOUS else "moderate or minor")
            counts[key] = counts.get(key, 0) + 1
            totals[key] = totals.get(key, 0) + 1
        terminalreporter.write_line(f"{name}: " + (", ".join(
            f"{where} {impact}: {n}" for (where, impact), n in sorted(counts.items())) or "no violations"))
    terminalreporter.write_line("elements in violation, all pages: " + (", ".join(
        f"{where} {impact}: {n}" for (where, impact), n in sorted(totals.items())) or "none"))
    rules = sorted({(v["where"], v["impact"], v["rule"]) for found in axe_reports.values() for v in found
                    if v["where"] != "nnlib"})
    for where, impact, rule in rules:
        terminalreporter.write_line(f"  not nnlib's ({where}): {impact} {rule}")
    terminalreporter.write_line(f"axe-core took {sum(_axe_seconds):.1f} s for {len(_axe_seconds)} pages "
                                "(JupyterLab's interface checked whole on the first lesson only)")


def pytest_terminal_summary(terminalreporter):
    if axe_reports:
        _axe_summary(terminalreporter)
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


def require_axe():
    if importlib.util.find_spec("axe_playwright_python") is None:
        _missing(f"axe-playwright-python is not installed in {sys.prefix}",
                 "run `make test-browser`, which installs it into .venv")


@pytest.fixture(scope="session")
def voila(tmp_path_factory):
    """The standalone playground served by Voila, as `make playground` serves it."""
    if importlib.util.find_spec("voila") is None:
        _missing(f"Voila is not installed in {sys.prefix}", "run `make test-browser`, which installs it into .venv")
    server = Voila(tmp_path_factory.mktemp("voila"), APP_NOTEBOOK).start()
    yield server
    leftovers = server.stop()
    assert server.process.returncode is not None
    assert not leftovers, f"processes still running after Voila shut down: {leftovers}"


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
    passed = getattr(request.node, "nnlib_passed", False)
    for lesson in opened:
        # A lesson whose cells all ran is checked as it stands, even if its test failed
        # for another reason: its accessibility is a question of its own.
        if ((passed or lesson.run_result == "done") and lesson.name not in axe_reports
                and importlib.util.find_spec("axe_playwright_python")):
            try:
                axe_reports[lesson.name] = scan(lesson.page, lesson=True)
            except Exception as e:  # the accessibility test opens the lesson again and reports it
                print(f"axe-core could not check {lesson.name} here: {e}")
        lesson.close(passed=passed)


@pytest.fixture(scope="session")
def playground_app(browser_context, voila):
    """The standalone playground's page, loaded with the token until its figure shows.

    axe-core checks it as first loaded, before any test moves a control.
    """
    page = browser_context.new_page()
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    start = time.monotonic()
    page.goto(voila.page_url(), wait_until="domcontentloaded", timeout=APP_TIMEOUT)
    try:
        # The figure, or an error in its place (a cell that raised): whichever comes first.
        page.wait_for_function("""() => !!document.querySelector('.nnlib-playground .nnlib-figure img')
            || !!document.querySelector('.jp-OutputArea-output[data-mime-type*="error"], '
                                        + '.jp-OutputArea-output[data-mime-type*="stderr"]')
            || document.body.innerText.includes('There was an error when executing cell')""",
            timeout=APP_TIMEOUT, polling=250)
        if not page.locator(".nnlib-playground .nnlib-figure img").count():
            raise AssertionError("the playground app shows an error: " + page.locator("body").inner_text()[-1500:])
    except Exception as e:
        SCREENSHOTS.mkdir(exist_ok=True)
        page.screenshot(path=SCREENSHOTS / "playground-app-failure.png")
        raise AssertionError(f"the playground app showed no figure within {APP_TIMEOUT / 1000:.0f} s "
                             f"(page errors: {errors[:3]}); Voila's log:\n{voila.log_tail()}") from e
    page.nnlib_load_seconds = time.monotonic() - start
    page.nnlib_page_errors = errors
    print(f"playground app: figure shown {page.nnlib_load_seconds:.1f} s after the page was asked for")
    if importlib.util.find_spec("axe_playwright_python"):
        axe_reports["playground app"] = scan(page)
    yield page
    page.close()
