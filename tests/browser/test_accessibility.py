"""axe-core over every lesson in JupyterLab and over the standalone playground.

nnlib's own output (cell outputs and nnlib panels) must have no serious or critical
violation. What axe finds in JupyterLab or Voila themselves, or in a lesson's markdown,
is not nnlib's to fix here: the terminal summary lists it, and no test fails on it.
Each lesson is checked as the test that ran it left it (conftest.py), so it runs once;
JupyterLab's own interface is checked whole around the first lesson only.
"""

import pytest

from .conftest import axe_reports, require_axe, scan
from .lab_page import SERIOUS, describe_violations

pytestmark = pytest.mark.browser


def _serious_in_nnlib(found):
    return [v for v in found if v["where"] == "nnlib" and v["impact"] in SERIOUS]


def test_lesson_output_passes_axe(lesson, request):
    require_axe()
    if lesson not in axe_reports:
        # No other test left this lesson run and clean: run it here.
        opened = request.getfixturevalue("open_lesson")(lesson)
        opened.widgets()
        opened.panels()
        axe_reports[lesson] = scan(opened.page, lesson=True)
    bad = _serious_in_nnlib(axe_reports[lesson])
    assert not bad, f"{lesson}: serious or critical axe-core violations in nnlib's output:\n" + describe_violations(bad)


def test_playground_app_passes_axe(playground_app):
    require_axe()
    bad = _serious_in_nnlib(axe_reports["playground app"])
    assert not bad, ("the playground app: serious or critical axe-core violations in nnlib's output:\n"
                     + describe_violations(bad))
