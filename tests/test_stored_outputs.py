"""No stored notebook output prints a number at rounding-noise level.

nbval compares every stored output digit by digit. A residual such as a gradient check's
``rel_error = 6.2e-12`` is rounding noise: another CPU (another SIMD path in numpy, another
OpenBLAS kernel) prints ``1.3e-11`` and the lesson "fails" with nothing wrong in it. The
noise rule (CONTRIBUTING.md) says: print a verdict against a stated threshold, or a rounded
value that cannot flip. This test enforces its part that a program can see: a number
printed in e-notation (or as 0.00000000...) with a magnitude below ``NOISE_LEVEL`` fails,
unless it is a fixed fact listed in ``FIXED_FACTS`` with its reason. Zero printed in
e-notation fails too: ``0.0e+00`` is a residual that happened to vanish on this machine.

The outputs read are stream text (print), ``text/plain`` results, ``text/html`` where a
result has no plain text, and error messages. Cells are numbered as nbval numbers them
("Cell N" counts code cells only), so a failure here names the cell nbval would name.
"""

import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))

# A printed threshold such as "below 1e-8" must stay readable, so the line is drawn here.
NOISE_LEVEL = 1e-8

# Tiny values a lesson prints on purpose because they are facts, the same on every
# machine, each with its reason. A value is matched after parsing, so 4.9e-324 and
# 5e-324 (the same float64) are one entry.
FIXED_FACTS = {
    4.9e-324: "the smallest positive float64 (a subnormal): what exp underflows to last",
    2.23e-308: "the smallest normal float64 (lesson 4, how small a product of probabilities can get)",
    2.2e-16: "the gap between 1.0 and the next float64, machine epsilon (lesson 4, why 1 + e**-40 == 1)",
    9.333e-302: "0.5 ** 1000, an exact power of two (lesson 4, a product of 1000 probabilities of 0.5)",
    8.095e-320: "0.5 ** 1060, an exact power of two stored as a subnormal (lesson 4)",
    # 1.2345678e-320 and 1.2347e-320 are one float64: that is the lesson's point.
    1.2347e-320: "1.2345678e-320 typed in, stored as 1.2347e-320: a subnormal keeps fewer digits (lesson 4)",
    2.03e-313: "sigmoid(-720) = e**-720 / (1 + e**-720), a subnormal, the stable sigmoid's answer (lesson 3)",
    2.032e-313: "the same sigmoid(-720), as numpy prints it inside an array (lesson 3)",
    4.2e-18: "e**-40, and log sigmoid(40) = -log1p(e**-40), which np.log(1 + q) loses (lesson 4)",
}

# A number in e-notation (6.2e-12, -1.5E-03, 3e-9), or in fixed notation with eight or
# more zeros after the point (0.000000001). Not inside a word or a longer number.
E_NUMBER = re.compile(r"(?<![\w.])[-+]?(?:\d+\.?\d*|\.\d+)[eE][-+]?\d+(?!\w)")
LONG_ZERO = re.compile(r"(?<![\w.])[-+]?0\.0{8,}\d*(?!\w)")


def noise_numbers(text):
    """The numbers in ``text`` printed at noise level and not listed as fixed facts."""
    found = []
    for match in E_NUMBER.finditer(text):
        value = float(match.group())
        if abs(value) < NOISE_LEVEL and abs(value) not in FIXED_FACTS:
            found.append(match.group())
    for match in LONG_ZERO.finditer(text):
        if float(match.group()) != 0.0:
            found.append(match.group())
    return found


def output_texts(cell):
    """The text a reader sees in a code cell's stored outputs, one string per output."""
    texts = []
    for output in cell.get("outputs", []):
        kind = output.get("output_type")
        if kind == "stream":
            texts.append(_joined(output.get("text", "")))
        elif kind in ("execute_result", "display_data"):
            data = output.get("data", {})
            if "text/plain" in data:
                texts.append(_joined(data["text/plain"]))
            elif "text/html" in data:
                texts.append(_joined(data["text/html"]))
        elif kind == "error":
            texts.append(f"{output.get('ename', '')}: {output.get('evalue', '')}")
    return texts


def _joined(text):
    return "".join(text) if isinstance(text, list) else text


def flagged_cells(notebook):
    """``[(nbval cell number, number, line), ...]`` for every noise-level number stored."""
    flagged = []
    code_cells = (cell for cell in notebook["cells"] if cell["cell_type"] == "code")
    for number, cell in enumerate(code_cells):
        for text in output_texts(cell):
            for line in text.splitlines():
                for found in noise_numbers(line):
                    flagged.append((number, found, line.strip()))
    return flagged


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_no_stored_output_prints_a_number_at_noise_level(path):
    flagged = flagged_cells(json.loads(path.read_text(encoding="utf-8")))
    assert not flagged, (
        f"{path.name} prints numbers below {NOISE_LEVEL:g}, which change from one CPU to another "
        "(print a verdict against a threshold, or a rounded value; see CONTRIBUTING.md, "
        "'Outputs that pass on every machine'; a fixed fact goes in FIXED_FACTS with its reason):\n"
        + "\n".join(f"  Cell {n}: {found} in {line!r}" for n, found, line in flagged)
    )


# ---- the checker itself, on made-up outputs ------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "rel_error = 6.2e-12",
        "max difference: -3.1E-10",
        "residual 1e-9",
        "[1.00000000e+00 2.22044605e-16]",
        "rel_error 0.0e+00",
        "difference 0.0000000003",
        "loss changed by 5.55e-17.",
    ],
)
def test_a_residual_at_noise_level_is_flagged(text):
    assert noise_numbers(text)


@pytest.mark.parametrize(
    "text",
    [
        "smallest positive float64: 4.9e-324",
        "np.nextafter(0, 1) = 5e-324",
        "learning rate 1.5e-3",
        "rel_error below 1e-7: the analytic and numerical gradients agree",
        "rel_error below 1e-08",
        "loss 0.6931",
        "w = [ 1.2e+03 -4.5e+02]",
        "0.00000000 exactly (zero is printed as a plain number)",
        "float64 names: 1e-8 is the line, x1e-12 is a name",
    ],
)
def test_a_fixed_fact_a_threshold_or_a_plain_value_passes(text):
    assert noise_numbers(text) == []


def make_notebook(*outputs, markdown_first=True):
    cells = [{"cell_type": "markdown", "source": "rel_error = 6.2e-12 in prose is not an output"}]
    cells = cells if markdown_first else []
    for output in outputs:
        cells.append({"cell_type": "code", "source": "", "outputs": [output]})
    return {"cells": cells}


def test_every_kind_of_output_is_read_and_cells_are_numbered_as_nbval_does():
    notebook = make_notebook(
        {"output_type": "stream", "name": "stdout", "text": ["loss 0.25\n", "rel_error = 6.2e-12\n"]},
        {"output_type": "execute_result", "data": {"text/plain": "np.float64(1.1e-13)"}},
        {"output_type": "display_data", "data": {"text/html": "<b>3e-11</b>"}},
        {"output_type": "display_data", "data": {"text/plain": "<Figure>", "text/html": "<b>3e-11</b>"}},
        {"output_type": "error", "ename": "ValueError", "evalue": "diverged at 2e-15", "traceback": []},
    )
    assert flagged_cells(notebook) == [
        (0, "6.2e-12", "rel_error = 6.2e-12"),
        (1, "1.1e-13", "np.float64(1.1e-13)"),
        (2, "3e-11", "<b>3e-11</b>"),
        (4, "2e-15", "ValueError: diverged at 2e-15"),
    ]


def test_a_clean_notebook_has_nothing_flagged():
    notebook = make_notebook(
        {"output_type": "stream", "name": "stdout", "text": "rel_error below 1e-7: the gradients agree\n"},
        {"output_type": "execute_result", "data": {"text/plain": "np.float64(5e-324)"}},
    )
    assert flagged_cells(notebook) == []
