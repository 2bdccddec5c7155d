"""Lesson 7's draw-a-digit widget: every cell named, every change redrawn from the model."""

import numpy as np
import pytest

import nnlib
from nnlib.digit_pad import DigitPad


class Recorder:
    """A model that remembers what it was asked about and answers from the ink's position."""

    def __init__(self):
        self.inputs = []

    def predict_proba(self, X):
        self.inputs.append(np.array(X))
        ink = X.sum(axis=1)
        p = np.full((len(X), 10), 0.05)
        p[np.arange(len(X)), np.minimum(ink.astype(int), 9)] = 0.55
        return p


def test_every_cell_has_a_name_that_says_where_it_is_and_whether_it_is_on():
    pad = DigitPad(Recorder())
    names = [cell.tooltip for cell in pad.cells]
    assert names[0] == "row 1, column 1, off"
    assert names[8 * 2 + 4] == "row 3, column 5, off"
    assert names[-1] == "row 8, column 8, off"
    assert len(set(names)) == 64
    pad.cells[8 * 2 + 4].value = True
    assert pad.cells[8 * 2 + 4].tooltip == "row 3, column 5, on"
    assert pad.cells[8 * 2 + 4].button_style == "info" and pad.cells[8 * 2 + 4].icon == "square"
    assert all(cell.description == "" for cell in pad.cells)  # the name is the title, not a label on the grid
    assert pad.clear_button.description == "clear"


def test_a_click_asks_the_model_about_the_scaled_pixels_and_redraws():
    model = Recorder()
    pad = DigitPad(model)
    before = len(model.inputs)
    for k in (3, 11, 19):
        pad.cells[k].value = True
    assert len(model.inputs) == before + 3  # one question per change
    asked = model.inputs[-1]
    assert asked.shape == (1, 64)
    expected = np.zeros(64)
    expected[[3, 11, 19]] = 1.0  # ink 16, scaled by nnlib.scale_pixels to 1
    assert np.array_equal(asked[0], expected)
    assert pad.pixels.tolist() == (expected * 16).tolist()
    assert np.argmax(pad.probabilities) == 3
    assert pad.status == "3 of 64 cells painted; the network reads 3, with probability 0.55"
    assert pad.status_label.value == pad.status
    image = pad.out.outputs[0]["data"]
    assert image["image/png"] and 'alt="the drawing and a bar chart of the network&#x27;s ten probabilities: 3 of 64' in image["text/html"]
    assert pad.figure.axes[1].get_title() == "the network reads 3"
    assert [round(bar.get_height(), 2) for bar in pad.figure.axes[1].patches] == [0.05] * 3 + [0.55] + [0.05] * 6


def test_an_image_is_painted_where_its_pixels_are_8_or_more_with_one_redraw():
    model = Recorder()
    image = np.zeros((8, 8))
    image[1, 2], image[4, 4], image[7, 7] = 8, 16, 7.9
    pad = DigitPad(model, image=image)
    assert len(model.inputs) == 1
    assert [k for k, cell in enumerate(pad.cells) if cell.value] == [10, 36]
    assert pad.cells[36].tooltip == "row 5, column 5, on" and pad.cells[63].tooltip == "row 8, column 8, off"
    pad.clear_button.click()
    assert not any(cell.value for cell in pad.cells) and len(model.inputs) == 2
    assert pad.status.startswith("an empty grid; the network's best guess is 0")
    assert repr(pad) == "DigitPad(cells painted: 0)"


def test_the_example_button_shows_the_examples_in_turn():
    examples = np.zeros((2, 64))
    examples[0, :5] = 16
    examples[1, -3:] = 12
    pad = DigitPad(Recorder(), examples=examples)
    pad.example_button.click()
    assert np.count_nonzero(pad.pixels) == 5
    pad.example_button.click()
    assert np.flatnonzero(pad.pixels).tolist() == [61, 62, 63]
    pad.example_button.click()
    assert np.count_nonzero(pad.pixels) == 5
    assert not hasattr(DigitPad(Recorder()), "example_button")


def test_a_trained_network_reads_a_test_digit_on_the_pad():
    X, y = nnlib.load_digits()
    X_train, y_train, _, _, X_test, y_test = nnlib.split_digits(X, y, seed=0)
    model = nnlib.MLP([64, 32, 10], activation="relu", seed=0)
    nnlib.train(model, nnlib.scale_pixels(X_train), y_train, nnlib.CrossEntropyLoss(), nnlib.Adam(1e-2), 10,
                batch_size=32)
    # Ink or no ink, as the pad paints: still read right for most test digits.
    inked = np.where(X_test >= 8, 16.0, 0.0)
    pad = DigitPad(model)
    right = 0
    for image, label in zip(inked[:15], y_test[:15]):
        pad.set_image(image)
        right += int(np.argmax(pad.probabilities)) == label
        assert np.allclose(pad.probabilities, model.predict_proba(nnlib.scale_pixels(image[None]))[0])
    assert right >= 11


@pytest.mark.parametrize("make, error, words", [
    (lambda: DigitPad(object()), TypeError, "model must have a predict_proba(X) method, got object"),
    (lambda: DigitPad(Recorder(), image=np.zeros(63)), ValueError, "image must have 64 pixels (8 x 8), got 63"),
    (lambda: DigitPad(Recorder(), examples=np.zeros(64)), ValueError, "examples"),
])
def test_bad_arguments_are_named(make, error, words):
    with pytest.raises(error) as info:
        make()
    assert words in str(info.value)


def test_the_pad_shows_as_its_widget_with_a_stable_text():
    pad = DigitPad(Recorder(), image=np.full(64, 16.0))
    bundle = pad._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle
    assert bundle["text/plain"] == "DigitPad(cells painted: 64)"
    assert "nnlib-panel" in pad.widget._dom_classes and "nnlib-figure" in pad.out._dom_classes
    assert "nnlib-status" in pad.status_label._dom_classes
