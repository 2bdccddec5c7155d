"""Execute notebooks in place so their stored outputs are fresh (``make execute``).

Widget state is not stored: the widgets' live state belongs to a running kernel, and
nbval ignores it anyway. Usage: python tests/execute_notebooks.py notebooks/*.ipynb
"""

import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient


def execute(path):
    path = Path(path)
    nb = nbformat.read(path, as_version=4)
    start = time.perf_counter()
    NotebookClient(
        nb,
        timeout=120,
        kernel_name="python3",
        resources={"metadata": {"path": str(path.parent)}},
        store_widget_state=False,
    ).execute()
    nbformat.write(nb, path)
    return time.perf_counter() - start


if __name__ == "__main__":
    for p in sys.argv[1:]:
        print(f"{p}: executed in {execute(p):.1f} s", flush=True)
