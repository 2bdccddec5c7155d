"""Interactive panels for the lessons: wiring only, no maths.

Every panel follows one pattern, so that it behaves the same live and under nbval:
controls with ``continuous_update=False``, one ``Output`` and a status line. A redraw
builds a ``matplotlib.figure.Figure`` directly (not through pyplot, so nothing is
shown as a side effect), then replaces the Output's contents with it. Displaying a
panel shows only the widget, whose text form is stable.

Every control has an accessible name, what a screen reader says when it has focus:
a control given without a ``description`` gets its name in the panel as one. The
handle of an ipywidgets slider has none to give (a screen reader says only "slider"),
so a panel shows a slider as a number box with the slider's description and range,
linked to it both ways. Every figure is shown as an image with a text alternative.

Lesson 6's ``Playground`` lives in the package ``nnlib.playground``.
"""

import base64
import html
import io

import ipywidgets as w
from matplotlib.figure import Figure


class Shown:
    """How a panel shows itself: its widget in a notebook, its settings as text."""

    def values(self):
        return {name: c.value for name, c in self.controls.items()}

    def _repr_mimebundle_(self, **kwargs):
        bundle = self.widget._repr_mimebundle_(**kwargs)
        bundle["text/plain"] = repr(self)  # readable, and stable for nbval
        return bundle

    def __repr__(self):
        names = ", ".join(f"{k}={v!r}" for k, v in self.values().items())
        return f"{type(self).__name__}({names})"


class Panel(Shown):
    """Controls + a figure + a status line, redrawn whenever a control changes.

    - controls: dict of name -> ipywidgets control (sliders, dropdowns, checkboxes...).
    - draw: function ``draw(fig, **values) -> str``; it draws on the empty Figure ``fig``
      and returns the status text (or None). ``values`` maps control names to values.
    - figsize: size of the figure in inches.
    - alt: what the figure shows, for a screen reader (its text alternative); the
      status line is added to it. Default: the title, or "figure".

    Attributes for tests and curious learners: ``controls``, ``figure`` (the last
    Figure drawn), ``status`` (its text), ``widget`` (the ipywidgets box).
    """

    def __init__(self, controls, draw, figsize=(8, 3.5), title=None, alt=None):
        self.controls = {name: _named(control) for name, control in dict(controls).items()}
        self.draw = draw
        self.alt = alt or title or "figure"
        self.figsize = figsize
        self.out = w.Output()
        self.status_label = w.HTML()
        self.figure = None
        self.status = ""
        for name, control in self.controls.items():
            if control.has_trait("description") and not control.description:
                control.description = name
            if hasattr(control, "continuous_update"):
                control.continuous_update = False
            control.observe(self._on_change, names="value")
        header = [w.HTML(f"<b>{title}</b>")] if title else []
        self.widget = w.VBox(header + [self.controls_box(), self.out, self.status_label])
        # CSS classes let browser tests find the parts of a panel on the page.
        self.widget.add_class("nnlib-panel")
        self.out.add_class("nnlib-figure")
        self.status_label.add_class("nnlib-status")
        self.update()

    def controls_box(self):
        return w.HBox(list(self.controls.values()), layout=w.Layout(flex_flow="row wrap"))

    def _on_change(self, change):
        self.update()

    def update(self):
        """Redraw from the current control values."""
        fig = Figure(figsize=self.figsize, layout="constrained")
        status = self.draw(fig, **self.values())
        self.show(fig, status)

    def show(self, fig, status):
        self.figure = fig
        self.status = status or ""
        self.status_label.value = self.status
        self.out.outputs = (figure_output(fig, f"{self.alt}: {self.status}" if self.status else self.alt),)


def figure_output(fig, alt):
    """The Output widget's entry for a Figure (see ``image_output``), saved by matplotlib."""
    buffer = io.BytesIO()
    # Panels' figures lay themselves out (layout="constrained"); a "tight" crop on top
    # would lay the figure out a second time, for the same picture.
    fig.savefig(buffer, format="png", bbox_inches=None)
    return image_output(buffer.getvalue(), alt, repr(fig))


def image_output(png, alt, text, size=None):
    """The Output widget's entry for the PNG file ``png`` (bytes): an HTML <img> with
    ``alt`` as its text alternative, which front ends show first, the same PNG on its
    own, and ``text`` for a plain-text front end. ``size``: (width, height) in pixels."""
    png = base64.b64encode(png).decode("ascii")
    dims = "" if size is None else f' width="{size[0]:.0f}" height="{size[1]:.0f}"'
    return {
        "output_type": "display_data",
        "data": {"text/html": f'<img src="data:image/png;base64,{png}"{dims} alt="{html.escape(alt)}">',
                 "image/png": png,
                 "text/plain": text},
        "metadata": {},
    }


def _named(control):
    """``control``, or for a slider a number box standing in for it (see the module doc)."""
    if isinstance(control, w.FloatLogSlider):
        box = w.BoundedFloatText(min=control.base ** control.min, max=control.base ** control.max,
                                 step=control.value / 10)
    elif isinstance(control, (w.IntSlider, w.FloatSlider)):
        box = (w.BoundedIntText if isinstance(control, w.IntSlider) else w.BoundedFloatText)(
            min=control.min, max=control.max, step=control.step)
    else:
        return control
    box.value, box.description, box.style = control.value, control.description, control.style
    w.link((control, "value"), (box, "value"))
    return box
