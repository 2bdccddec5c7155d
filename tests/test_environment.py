"""pyproject.toml and environment.yml must list the same packages, with the same ranges.

pip users install from pyproject (the dependencies plus the ``test`` and ``lab`` extras),
conda users from environment.yml; if one gains a package the other must too.
"""

import ast
import re
from pathlib import Path

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10: no tomllib in the standard library
    tomllib = None

import pytest

ROOT = Path(__file__).resolve().parents[1]
# A requirement starts with its name; a version, extras or a marker may follow.
NAME = re.compile(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)")
NOT_PACKAGES = {"python", "pip"}


def normalise(requirement):
    """``"NumPy>=1.24"`` -> ``"numpy"`` (PEP 503: case and ``-_.`` do not matter)."""
    match = NAME.match(requirement)
    if not match:
        raise ValueError(f"cannot read a package name from {requirement!r}")
    return re.sub(r"[-_.]+", "-", match.group(1)).lower()


def ranges(requirements):
    """``{"numpy": ">=1.25"}`` from ``["NumPy >=1.25"]`` (spaces dropped, order kept)."""
    return {normalise(r): re.sub(r"\s+", "", NAME.sub("", r, count=1)) for r in requirements}


def pyproject_packages(text):
    return set(ranges(pyproject_requirements(text)))


def pyproject_requirements(text):
    if tomllib is not None:
        project = tomllib.loads(text)["project"]
        extras = project.get("optional-dependencies", {})
        requirements = project.get("dependencies", []) + extras.get("test", []) + extras.get("lab", [])
    else:
        requirements = []
        for key in ("dependencies", "test", "lab"):
            requirements += _toml_list(text, key)
    return requirements


def _toml_list(text, key):
    """The list of strings assigned to ``key = [...]`` (enough for pyproject.toml on 3.10)."""
    # The list ends at a "]" that closes its line, so "jupyterlab[all]" does not end it.
    match = re.search(rf"^{key}\s*=\s*(\[.*?\])\s*$", text, flags=re.S | re.M)
    return ast.literal_eval(match.group(1)) if match else []


def conda_packages(text):
    return set(ranges(conda_requirements(text))) - NOT_PACKAGES


def conda_requirements(text):
    """The items of the top-level ``dependencies:`` list of an environment.yml.

    The file is simple enough to read without PyYAML: a ``dependencies:`` key, then
    ``- item`` lines; the nested ``- pip:`` block (``-e .``) is indented further and
    skipped, as are comments.
    """
    items = []
    in_dependencies = False
    item_indent = None
    for raw in text.splitlines():
        line = raw.split("#", 1)[0].rstrip()
        if not line.strip():
            continue
        indent = len(line) - len(line.lstrip())
        if indent == 0:
            in_dependencies = line.strip() == "dependencies:"
            continue
        if not in_dependencies or not line.lstrip().startswith("-"):
            continue
        if item_indent is None:
            item_indent = indent
        if indent != item_indent:
            continue
        item = line.lstrip()[1:].strip().strip("'\"")
        if item.endswith(":"):  # a nested list such as "pip:"
            continue
        items.append(item)
    return items


def test_pyproject_and_environment_yml_list_the_same_packages():
    pip_side = pyproject_packages((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    conda_side = conda_packages((ROOT / "environment.yml").read_text(encoding="utf-8"))
    assert pip_side, "no packages found in pyproject.toml"
    only_pip = sorted(pip_side - conda_side)
    only_conda = sorted(conda_side - pip_side)
    assert not only_pip and not only_conda, (
        f"only in pyproject.toml (dependencies + test + lab): {only_pip}; only in environment.yml: {only_conda}"
    )


def test_pyproject_and_environment_yml_give_the_same_ranges():
    # A minimum raised in one (after `make test-lowest`) is raised in the other.
    pip_side = ranges(pyproject_requirements((ROOT / "pyproject.toml").read_text(encoding="utf-8")))
    conda_side = ranges(conda_requirements((ROOT / "environment.yml").read_text(encoding="utf-8")))
    differ = {name: (pip_side[name], conda_side[name]) for name in pip_side.keys() & conda_side.keys()
              if pip_side[name] != conda_side[name]}
    assert not differ, f"pyproject.toml and environment.yml differ (pyproject, environment.yml): {differ}"


def test_a_range_that_differs_is_noticed():
    assert ranges(["NumPy >=1.24", "voila>=0.5.13, <0.6", "pip"]) == {"numpy": ">=1.24", "voila": ">=0.5.13,<0.6", "pip": ""}
    assert ranges(conda_requirements(ENVIRONMENT))["numpy"] != ranges(["numpy>=1.25"])["numpy"]


# ---- the readers themselves, on small made-up files --------------------------------

PYPROJECT = """
[project]
name = "demo"
dependencies = ["NumPy>=1.24", "matplotlib"]

[project.optional-dependencies]
test = ["pytest>=7", "typing_extensions; python_version < '3.11'"]
lab = ["jupyterlab[all]>=4"]
bench = ["scikit-learn"]
"""

ENVIRONMENT = """
name: demo  # a comment
channels:
  - conda-forge
dependencies:
  - python>=3.10
  - pip
  - numpy >=1.24
  - matplotlib
  - pytest=7.4
  - typing-extensions
  - "jupyterlab>=4"   # quoted
  - pip:
      - -e .
      - some-pip-only-package
"""


def test_pyproject_reader_takes_dependencies_test_and_lab_only():
    assert pyproject_packages(PYPROJECT) == {"numpy", "matplotlib", "pytest", "typing-extensions", "jupyterlab"}


def test_environment_reader_skips_python_pip_and_the_pip_block():
    assert conda_packages(ENVIRONMENT) == {"numpy", "matplotlib", "pytest", "typing-extensions", "jupyterlab"}


def test_a_package_missing_from_one_side_is_noticed():
    assert conda_packages(ENVIRONMENT.replace("  - matplotlib\n", "")) != pyproject_packages(PYPROJECT)


def test_a_line_without_a_name_is_an_error():
    with pytest.raises(ValueError, match=r"cannot read a package name from '>=1.0'"):
        normalise(">=1.0")
