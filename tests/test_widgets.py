"""nnlib.Panel: sliders shown as named number boxes linked to them, figures with alt text."""

import base64

import ipywidgets as w
import pytest

import nnlib


def panel_of(controls, alt=None):
    calls = []

    def draw(fig, **values):
        calls.append(values)
        fig.subplots().plot([0, 1])
        return ", ".join(f"{k}={v}" for k, v in values.items())

    return nnlib.Panel(controls, draw, alt=alt), calls


@pytest.mark.parametrize("slider, box", [
    (w.IntSlider(value=60, min=0, max=180, step=5, description="angle"), w.BoundedIntText),
    (w.FloatSlider(value=1.0, min=-5, max=5, step=0.1, description="w"), w.BoundedFloatText),
])
def test_a_slider_is_shown_as_a_named_number_box_linked_both_ways(slider, box):
    panel, calls = panel_of({"x": slider})
    shown = panel.controls["x"]
    assert isinstance(shown, box) and shown.description == slider.description
    assert (shown.min, shown.max, shown.step, shown.value) == (slider.min, slider.max, slider.step, slider.value)
    assert shown in panel.widget.children[0].children and slider not in panel.widget.children[0].children
    slider.value = slider.min + 2 * slider.step  # a cell that moves the slider redraws the panel
    assert shown.value == slider.value and calls[-1] == {"x": slider.value}
    shown.value = slider.max  # typing in the box moves the slider too
    assert slider.value == slider.max and calls[-1] == {"x": slider.max}


def test_a_log_slider_becomes_a_box_over_its_values_not_its_exponents():
    panel, _ = panel_of({"T": w.FloatLogSlider(value=1.0, base=10, min=-1, max=1, description="T")})
    box = panel.controls["T"]
    assert (box.min, box.max, box.value) == (0.1, 10.0, 1.0)


def test_other_controls_are_kept_and_the_figure_has_its_text_alternative():
    dropdown = w.Dropdown(options=[1, 2], description="label")
    panel, _ = panel_of({"label": dropdown}, alt="the loss of one point")
    assert panel.controls["label"] is dropdown
    (out,) = panel.out.outputs
    html, png = out["data"]["text/html"], out["data"]["image/png"]
    assert 'alt="the loss of one point: label=1"' in html
    assert png in html and base64.b64decode(png)[:8] == b"\x89PNG\r\n\x1a\n"
    dropdown.value = 2
    assert 'alt="the loss of one point: label=2"' in panel.out.outputs[0]["data"]["text/html"]
