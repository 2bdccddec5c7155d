"""How long one change of a playground control takes: retrain and redraw.

Prints the median time with the default settings (playground circle, 500 points,
[2, 8, 8, 1], tanh, 300 epochs, full batch), then the redraw alone (the figure and
its PNG, as after a retrain and as on a step of the epoch slider), then a table for a
few other settings. ``time_playground(repeats)`` returns the first median in seconds,
for the main benchmark.

Usage: python benchmarks/bench_playground.py [repeats]
"""

import statistics
import sys
import time
import warnings

import nnlib
from nnlib import playground_figure

SETTINGS = [
    ("defaults", {}),
    ("0 hidden layers", {"hidden_layers": 0}),
    ("4 layers of 32 units", {"hidden_layers": 4, "units": 32}),
    ("relu, Adam", {"activation": "relu", "optimizer": "adam", "lr": 0.01}),
    ("learning rate 10 (diverges)", {"lr": 10.0}),
    ("1000 points", {"n_points": 1000}),
    ("batch size 32", {"batch_size": 32}),
]


def _time_change(playground, values, repeats):
    """Median (wall, CPU) seconds to change a control and retrain + redraw.

    CPU time (of this process) is less disturbed than wall time when other programs
    share the machine; on an idle machine the two agree.
    """
    playground.set(**values)
    wall, cpu = [], []
    for i in range(repeats):
        # Alternate the data seed so that every repeat is a real change of a control.
        start, start_cpu = time.perf_counter(), time.process_time()
        playground.controls["data_seed"].value = i % 2 + 1
        wall.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    return statistics.median(wall), statistics.median(cpu)


def time_playground(repeats=11):
    """Median seconds (wall clock) for one change of a control with the default settings."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return _time_change(nnlib.Playground(), {}, repeats)[0]


def time_redraw(playground, repeats):
    """Median seconds to draw the figure and encode its PNG: (at the last epoch, stepping the slider)."""
    last = playground.history.epochs_run
    redraw, step = [], []
    for i in range(repeats):
        start = time.perf_counter()
        playground_figure.png_output(playground._draw(last))
        redraw.append(time.perf_counter() - start)
        start = time.perf_counter()
        playground.step_slider.value = (i * 37) % last  # a different epoch each time
        step.append(time.perf_counter() - start)
    return statistics.median(redraw), statistics.median(step)


def main(repeats=11):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        wall, cpu = _time_change(nnlib.Playground(), {}, repeats)
        print(f"playground, default settings: median {wall * 1000:.0f} ms per change "
              f"(retrain + redraw; {cpu * 1000:.0f} ms of CPU), {repeats} changes")
        redraw, step = time_redraw(nnlib.Playground(), max(repeats, 15))
        print(f"redraw + PNG: median {redraw * 1000:.1f} ms (epoch slider: {step * 1000:.1f} ms per step)")
        print(f"\n{'settings':32s} {'wall ms':>8s} {'CPU ms':>7s}  status")
        for name, values in SETTINGS:
            pg = nnlib.Playground()
            wall, cpu = _time_change(pg, values, max(repeats // 2, 3))
            print(f"{name:32s} {wall * 1000:8.0f} {cpu * 1000:7.0f}  {pg.status[:60]}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 11)
