"""The lock (constraints.txt) pins every package pyproject.toml asks for, within its range.

`make lab`, `make test` and CI install with ``-c constraints.txt``: a package that
pyproject.toml gains without a `make lock` would be installed at whatever version the day
brings, and a range raised without one would conflict with the lock's pin.
"""

import re
from pathlib import Path

import pytest
from packaging.requirements import Requirement

from test_environment import _toml_list, tomllib

ROOT = Path(__file__).resolve().parents[1]
EXTRAS = ("test", "lab", "browser", "bench")


def name(requirement):
    return re.sub(r"[-_.]+", "-", requirement.name).lower()


def pyproject_requirements(text):
    if tomllib is not None:
        project = tomllib.loads(text)["project"]
        extras = project.get("optional-dependencies", {})
        strings = project.get("dependencies", []) + [r for key in EXTRAS for r in extras.get(key, [])]
    else:  # Python 3.10
        strings = [r for key in ("dependencies",) + EXTRAS for r in _toml_list(text, key)]
    return [Requirement(s) for s in strings]


def lock_pins(text):
    """``{name: [version, ...]}``: one version per marker, for every Python and platform."""
    pins = {}
    for line in text.splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            requirement = Requirement(line)
            (spec,) = requirement.specifier
            assert spec.operator == "==", f"the lock pins exact versions, not {line!r}"
            pins.setdefault(name(requirement), []).append(spec.version)
    return pins


def problems(pyproject_text, lock_text):
    pins = lock_pins(lock_text)
    found = []
    for requirement in pyproject_requirements(pyproject_text):
        versions = pins.get(name(requirement))
        if not versions:
            found.append(f"{requirement} is not in the lock")
        for version in versions or []:
            if not requirement.specifier.contains(version, prereleases=True):
                found.append(f"the lock has {name(requirement)}=={version}, outside {requirement}")
    return found


def test_the_lock_pins_every_requirement_within_its_range():
    lock = (ROOT / "constraints.txt").read_text(encoding="utf-8")
    assert "make lock" in lock.splitlines()[1], "constraints.txt is made by `make lock`"
    assert problems((ROOT / "pyproject.toml").read_text(encoding="utf-8"), lock) == [], (
        "pyproject.toml changed without a new lock: run `make lock`"
    )


PYPROJECT = """
[project]
dependencies = ["numpy>=1.25", "matplotlib>=3.7"]
[project.optional-dependencies]
test = ["pytest>=7"]
"""
LOCK = """# made by
#    make lock
matplotlib==3.11.2
    # via nn-by-hand (pyproject.toml)
numpy==2.2.6 ; python_full_version < '3.11'
numpy==2.4.6 ; python_full_version >= '3.11'
pytest==9.2.0
"""


def test_a_missing_package_and_a_pin_outside_the_range_are_found():
    assert problems(PYPROJECT, LOCK) == []
    assert problems(PYPROJECT.replace('"pytest>=7"', '"pytest>=7", "nbval"'), LOCK) == ["nbval is not in the lock"]
    assert problems(PYPROJECT.replace("numpy>=1.25", "numpy>=2.3"), LOCK) == [
        "the lock has numpy==2.2.6, outside numpy>=2.3"
    ]


def test_a_range_in_the_lock_is_refused():
    with pytest.raises(AssertionError, match="exact versions"):
        lock_pins("numpy>=2\n")
