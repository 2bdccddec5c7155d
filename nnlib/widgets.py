"""Interactive panels for the lessons: wiring only, no maths.

Every panel follows one pattern, so that it behaves the same live and under nbval:
controls with ``continuous_update=False``, one ``Output`` and a status line. A redraw
builds a ``matplotlib.figure.Figure`` directly (not through pyplot, so nothing is
shown as a side effect), then replaces the Output's contents with it. Displaying a
panel shows only the widget, whose text form is stable.

Every control has an accessible name, what a screen reader says when it has focus:
a control given without a ``description`` gets its name in the panel as one.

Lesson 6's ``Playground`` lives in the package ``nnlib.playground``.
"""

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

    Attributes for tests and curious learners: ``controls``, ``figure`` (the last
    Figure drawn), ``status`` (its text), ``widget`` (the ipywidgets box).
    """

    def __init__(self, controls, draw, figsize=(8, 3.5), title=None):
        self.controls = dict(controls)
        self.draw = draw
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
        self.out.outputs = ()
        self.out.append_display_data(fig)
