"""How long the playground takes, side by side with one fresh matplotlib figure.

The reference: a fresh 10 x 4.2 in figure with a filled contour, 400 points and a curve,
drawn and saved as a PNG (what showing any new figure in a notebook costs). Measured in
the same run, taking turns with the playground, so that a busy machine slows both:
- a change of a control (retrain "epochs" epochs and redraw), default settings;
- a live frame (one more epoch and redraw, as play does);
- the redraw alone, and its PNG by the playground's own writer and by Pillow.
Then the slowest change of a few heavy settings (the heaviest: 5,000 points of 3 classes
through 4 layers of 16 on all 7 features): none may block the panel for a second; and
the longest the event loop waits while play() trains at batch size 1 over those points.

``time_playground(repeats)`` returns the median change in seconds, for the main benchmark.

Usage: python benchmarks/bench_playground.py [repeats]
"""

import io
import statistics
import sys
import time
import warnings

import numpy as np
import PIL.Image
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

import nnlib
from nnlib.playground import canvas

HEAVY = [
    ("defaults", {}),
    ("0 hidden layers, x1^2 and x2^2", {"hidden_layers": 0, "features": ("x1^2", "x2^2")}),
    ("all 7 features, 4 layers of 16", {"features": tuple(nnlib.features.FEATURES), "hidden_layers": 4, "units": 16}),
    ("spiral (3 classes), Adam", {"dataset": "spiral (3 classes)", "optimizer": "adam", "lr": 0.01}),
    ("gaussian (regression), L2", {"dataset": "gaussian (regression)", "regularization": "L2"}),
    ("learning rate 10 (diverges)", {"lr": 10.0}),
    ("1000 points, 1000 epochs", {"n_points": 1000, "epochs": 1000}),
    ("batch size 1, 1000 epochs", {"batch_size": 1, "epochs": 1000}),
    ("1000 points, batch size 1, 4 layers of 16", {"n_points": 1000, "batch_size": 1, "hidden_layers": 4, "units": 16}),
]
# The heaviest data a playground takes: 5,000 points of your own, 3 classes, through 4
# layers of 16 units on all 7 features (made when the benchmark runs).
SPIRAL = {"classes": 3, "noise": 0.1, "seed": 0}
HEAVIEST = {"hidden_layers": 4, "units": 16, "features": tuple(nnlib.features.FEATURES)}
HEAVY_OWN = [
    ("5000 points, 3 classes, 4 x 16, 7 features, 500 epochs", dict(HEAVIEST, epochs=500)),
    ("the same, batch size 1, 1 epoch", dict(HEAVIEST, epochs=1, batch_size=1)),
]


def reference_figure(rng):
    """Seconds to draw and save one fresh figure like the playground's."""
    start = time.perf_counter()
    fig = Figure(figsize=(10, 4.2), dpi=72)
    FigureCanvasAgg(fig)
    plane, curve = fig.subplots(1, 2)
    xs = np.linspace(-6, 6, 50)
    plane.contourf(xs, xs, np.sin(xs)[:, None] * np.cos(xs)[None, :], cmap="RdBu")
    points = rng.normal(size=(400, 2)) * 3
    plane.scatter(points[:, 0], points[:, 1], s=12)
    curve.plot(np.arange(300), np.exp(-np.arange(300) / 50))
    fig.savefig(io.BytesIO(), format="png")
    return time.perf_counter() - start


def timed(action):
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def side_by_side(repeats):
    """Median seconds of the reference, a change (and its training), a live frame, a
    redraw and its PNG by the own writer and by Pillow, by name."""
    rng = np.random.default_rng(0)
    pg = nnlib.Playground()
    times = {k: [] for k in ("reference", "change", "train", "frame", "redraw", "own png", "pillow png")}
    for i in range(repeats):
        times["reference"].append(reference_figure(rng))
        # Alternate the data seed so that every repeat is a real change of a control.
        times["change"].append(timed(lambda: setattr(pg.controls["data_seed"], "value", i % 2 + 1)))
        times["train"].append(pg.history.seconds)
        times["frame"].append(timed(lambda: pg.step(1)))
        times["redraw"].append(timed(pg.redraw))
        rgba = np.asarray(pg.figure.canvas.buffer_rgba())
        times["own png"].append(timed(lambda: canvas._png(rgba)))
        times["pillow png"].append(timed(lambda: PIL.Image.fromarray(rgba).save(io.BytesIO(), format="png",
                                                                             compress_level=1)))
    return {k: statistics.median(v) for k, v in times.items()}


def time_playground(repeats=11):
    """Median seconds (wall clock) for one change of a control with the default settings."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return side_by_side(repeats)["change"]


def main(repeats=15):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        m = side_by_side(repeats)
        ref = m["reference"]
        print(f"medians of {repeats}, side by side in this run\n")
        print(f"{'':44s} {'ms':>7s} {'x reference':>12s}  target")
        for key, label, target in [
            ("reference", "reference: one fresh figure + PNG", ""),
            ("change", "change of a control (retrain 300 + redraw)", "< 0.4"),
            ("train", "  of which nnlib.train", ""),
            ("frame", "live frame (one epoch + redraw)", "< 0.2"),
            ("redraw", "redraw alone (figure, network, PNG)", ""),
            ("own png", "  its PNG, own writer", ""),
            ("pillow png", "  its PNG, Pillow (compress_level=1)", ""),
        ]:
            print(f"{label:44s} {m[key] * 1000:7.1f} {m[key] / ref:12.2f}  {target}")
        saved = (m["pillow png"] - m["own png"]) / (m["redraw"] - m["own png"] + m["pillow png"])
        print(f"\nthe own PNG writer saves {saved:.0%} of a redraw with Pillow")
        print(f"\n{'slowest change of 3, settings':44s} {'ms':>7s}  status")
        own = {name: dict(values, data=nnlib.make_spiral(5000, **SPIRAL)) for name, values in HEAVY_OWN}
        for name, values in HEAVY + list(own.items()):
            pg = nnlib.Playground(**values)
            worst = max(timed(lambda: setattr(pg.controls["data_seed"], "value", k + 1)) for k in range(3))
            print(f"{name:44s} {worst * 1000:7.0f}  {pg.status[:70]}")
        pg = nnlib.Playground(**own["the same, batch size 1, 1 epoch"])
        print(f"\nplay, batch size 1 over 4,000 training points: the event loop's longest wait "
              f"{play_gap(pg) * 1000:.0f} ms (target < 1000)")


def play_gap(pg, seconds=4.0):
    """The longest the event loop waited between two beats of 5 ms while ``pg`` played."""
    import asyncio

    async def session():
        loop = asyncio.get_running_loop()
        gaps, last, end = [], loop.time(), loop.time() + seconds
        task = pg.play()
        while loop.time() < end:
            await asyncio.sleep(0.005)
            gaps.append(loop.time() - last)
            last = loop.time()
        pg.pause()
        await task
        return max(gaps)

    return asyncio.run(session())


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 15)
