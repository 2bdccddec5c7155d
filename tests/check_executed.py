"""Fail if any notebook was committed unexecuted.

nbval compares nothing for a code cell with no execution count, so a notebook whose
outputs were stripped would pass silently. This script needs only the standard library.
Usage: python tests/check_executed.py notebooks/*.ipynb
"""

import json
import sys


def problems(path):
    with open(path, encoding="utf-8") as f:
        nb = json.load(f)
    found = []
    counts = []
    for i, cell in enumerate(nb.get("cells", [])):
        if cell.get("cell_type") != "code" or not "".join(cell.get("source", "")).strip():
            continue
        count = cell.get("execution_count")
        if count is None:
            found.append(f"cell {i} has no execution count (not executed)")
        else:
            counts.append(count)
    if counts and counts != sorted(counts):
        found.append("cells were executed out of order; run `make execute`")
    if not counts:
        found.append("no code cell has been executed")
    return found


def main(paths):
    bad = 0
    for path in paths:
        for p in problems(path):
            print(f"{path}: {p}")
            bad += 1
    if bad:
        print(f"{bad} problem(s): refresh the stored outputs with `make execute` and commit them.")
        return 1
    print(f"{len(paths)} notebook(s) executed top to bottom with stored outputs.")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
