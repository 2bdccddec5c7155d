"""The lesson 6 playground: TensorFlow Playground in a notebook.

    widget.py    Playground: the wiring of controls, training and pictures
    controls.py  the controls (feature column, layer widths, ...), each with a name
    setup.py     what the settings mean: data, network, loss, optimiser (nnlib's own)
    recipe.py    "show as code"
    report.py    what is shown: figure, network picture, confusion matrix, scores
    layout.py    where the parts sit, and how they are refreshed
    figure.py    the figure (output over the plane, loss curves), redrawn fast
    diagram.py   the picture of the network
    canvas.py    the blitting canvas and the PNG writer
"""

from .widget import Playground

__all__ = ["Playground"]
