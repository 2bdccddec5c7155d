"""Which results another numeric configuration of this machine changes in the last bits.

`make test` runs the lessons again with numpy's SIMD level lowered
(NPY_DISABLE_CPU_FEATURES) and another OpenBLAS kernel (OPENBLAS_CORETYPE), as a stand-in
for another CPU. A stand-in that changes nothing tests nothing, so this script computes a
few results (exp, log and tanh of many numbers, a long sum, matrix products) under each
configuration given and says which of them differ from this machine's own:

    python tests/numeric_fingerprint.py "NPY_DISABLE_CPU_FEATURES=X86_V4 OPENBLAS_CORETYPE=Haswell"

With no argument it prints this configuration's results (the full repr of each).
"""

import os
import subprocess
import sys


def results():
    import numpy as np

    rng = np.random.default_rng(0)
    x = rng.standard_normal(100_003)
    A, B = rng.standard_normal((200, 300)), rng.standard_normal((300, 100))

    def bits(a):  # every element's last bits count, not only their sum's
        return int(a.view(np.uint64 if a.dtype == np.float64 else np.uint32).astype(np.uint64).sum())

    return {
        "exp float64": bits(np.exp(x)),
        "exp float32": bits(np.exp(x.astype(np.float32))),
        "log float64": bits(np.log(np.abs(x))),
        "tanh float32": bits(np.tanh(x.astype(np.float32))),
        "sum float32": repr(np.sum(x.astype(np.float32))),
        "matmul float64": repr((A @ B)[0, 0]),
        "matmul float32": repr((A.astype(np.float32) @ B.astype(np.float32))[0, 0]),
        "dot float64": repr(x @ x),
    }


def under(setting):
    """``results()`` in a fresh interpreter with the variables of ``setting`` set."""
    env = dict(os.environ)
    env.update(item.split("=", 1) for item in setting.split())
    out = subprocess.run([sys.executable, __file__], env=env, capture_output=True, text=True, check=True).stdout
    return dict(line.split(": ", 1) for line in out.splitlines())


def main(settings):
    if not settings:
        for name, value in results().items():
            print(f"{name}: {value}")
        return
    own = under("")
    for setting in settings:
        changed = [name for name, value in under(setting).items() if value != own[name]]
        verdict = ", ".join(changed) if changed else "nothing on this machine (so it tests nothing here)"
        print(f"{setting} changes: {verdict}")


if __name__ == "__main__":
    main(sys.argv[1:])
