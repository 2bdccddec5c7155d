"""How fast nnlib trains, next to scikit-learn and PyTorch (CPU), measured in one run.

The task: circle data (X uniform in [-1, 1]^2, label 1 inside radius 0.6), a network
2 -> H -> 1 with tanh and a sigmoid output, mean binary cross entropy, full-batch
gradient descent with momentum 0.9 (learning rate 1), the same initial weights copied
into every library. Sizes (N, H) = (1000, 16), (10000, 64), (100000, 64), in float64
and float32. Each library is warmed up, then timed ``repeats`` times (the libraries take
turns, each repeat starting with another one, with a pause before each timing); the
table shows medians.

- ms/epoch: one epoch of each library's own training loop (nnlib ``train``; "plain" is
  the same call on a subclass of MLP, which runs the lessons' loop of train.py instead of
  nnlib/fast.py, as any learner's class does;
  scikit-learn ``MLPClassifier.fit`` with solver "sgd" and ``batch_size=N``,
  a plain PyTorch loop), divided by the number of epochs run.
- to 99 %: epochs and wall time of ``nnlib.train`` until the training accuracy
  (measured on each epoch's forward pass) first reaches 99 %.
- playground: median retrain + redraw time after a change of a control, default settings.
- digits (lesson 7): the 8x8 handwritten digits, MLP([64, 64, 10]) with ReLU, cross entropy,
  Adam(0.001), mini-batches of 32, 60 epochs: nnlib ``train`` against scikit-learn's
  ``MLPClassifier`` with the same settings, seconds per whole run and test accuracy.

scikit-learn comes with the ``bench`` extra (``pip install -e ".[bench]"``); PyTorch is
optional and its column says "not installed" without it.

OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE, when set, slow a current numpy down; this
script restarts itself without them (and says so). ``--keep-env`` keeps them.

Usage: python benchmarks/bench.py [--repeats 7] [--sizes small|all] [--one-after-another] [--threads N]
                                  [--keep-env]
"""

import os
import sys

SLOW_ENV = ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")
if "--keep-env" not in sys.argv and any(name in os.environ for name in SLOW_ENV):
    # They are read when numpy loads OpenBLAS, so they must go before numpy is imported.
    removed = [f"{name}={os.environ.pop(name)}" for name in SLOW_ENV if name in os.environ]
    os.environ["NNLIB_BENCH_UNSET"] = " ".join(removed)
    os.execv(sys.executable, [sys.executable, *sys.argv])

import argparse  # noqa: E402
import statistics  # noqa: E402
import time  # noqa: E402
import warnings  # noqa: E402

import numpy as np  # noqa: E402

import nnlib  # noqa: E402

try:
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.neural_network import MLPClassifier
except ImportError:
    MLPClassifier = None
try:
    import torch
except ImportError:
    torch = None

SIZES = [(1_000, 16), (10_000, 64), (100_000, 64)]
DTYPES = [np.float64, np.float32]
LR, MOMENTUM = 1.0, 0.9
SECONDS_PER_TIMING = 0.2  # each timing runs enough epochs to last about this long
SETTLE_SECONDS = 0.2
MAX_EPOCHS_TO_99 = 2000
SECONDS_TO_99 = 60.0  # give up on the 99 % column after this long


def circle_data(n, seed=0):
    """X (n, 2) uniform in [-1, 1]^2; y (n,) = 1 inside radius 0.6."""
    rng = np.random.default_rng(seed)
    X = rng.uniform(-1.0, 1.0, size=(n, 2))
    y = (np.hypot(X[:, 0], X[:, 1]) < 0.6).astype(np.int64)
    return X, y


def initial_weights(h, dtype):
    """W1 (2, H), b1 (H,), W2 (H, 1), b2 (1,): nnlib's Xavier initialisation, seed 0."""
    return nnlib.MLP([2, h, 1], activation="tanh", seed=0, dtype=dtype).get_weights()


class NnlibRun:
    name = "nnlib"

    def __init__(self, X, y, weights):
        self.X, self.y = X, y
        self.model = nnlib.MLP([2, weights[0].shape[1], 1], activation="tanh", dtype=X.dtype)
        self.weights = weights
        self.model.set_weights(weights)
        self.optimizer = nnlib.SGD(lr=LR, momentum=MOMENTUM)
        self.loss = nnlib.BCEWithLogitsLoss()

    def epochs(self, n):
        """Run n epochs from the initial weights; returns how many ran. A run that goes on
        from weights trained by the timings before can bounce (learning rate 1) and stop
        as diverged, so every timing starts at the same place."""
        self.model.set_weights(self.weights)
        self.optimizer.reset()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", nnlib.TrainingDiverged)
            return nnlib.train(self.model, self.X, self.y, self.loss, self.optimizer, n).epochs_run


class PlainMLP(nnlib.MLP):
    """An MLP subclass (as a learner's would be): train runs the plain loop of train.py."""

    def forward(self, X):
        return super().forward(X)


class NnlibPlainRun(NnlibRun):
    name = "nnlib plain"

    def __init__(self, X, y, weights):
        super().__init__(X, y, weights)
        self.model = PlainMLP([2, weights[0].shape[1], 1], activation="tanh", dtype=X.dtype)
        self.model.set_weights(weights)


class SklearnRun:
    name = "scikit-learn"

    def __init__(self, X, y, weights):
        self.X, self.y = X, y
        self.clf = MLPClassifier(
            hidden_layer_sizes=(weights[0].shape[1],), activation="tanh", solver="sgd",
            batch_size=len(X), alpha=0.0, learning_rate="constant", learning_rate_init=LR,
            momentum=MOMENTUM, nesterovs_momentum=False, shuffle=False, tol=0.0,
            n_iter_no_change=10**9, warm_start=True, max_iter=1, random_state=0,
        )
        # One epoch builds the classifier's internals; then our initial weights replace
        # its own (warm_start keeps them) and a fresh optimiser starts from zero velocity.
        self.epochs(1)
        W1, b1, W2, b2 = (w.copy() for w in weights)
        self.clf.coefs_, self.clf.intercepts_ = [W1, W2], [b1, b2]
        del self.clf._optimizer

    def epochs(self, n):
        self.clf.set_params(max_iter=n)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            self.clf.fit(self.X, self.y)
        return n


class TorchRun:
    name = "PyTorch"

    def __init__(self, X, y, weights):
        W1, b1, W2, b2 = (torch.from_numpy(w.copy()) for w in weights)
        self.X = torch.from_numpy(X)
        self.y = torch.from_numpy(y.astype(X.dtype))[:, None]
        self.net = torch.nn.Sequential(
            torch.nn.Linear(2, W1.shape[1]), torch.nn.Tanh(), torch.nn.Linear(W1.shape[1], 1)
        ).to(self.X.dtype)
        with torch.no_grad():
            self.net[0].weight.copy_(W1.T)
            self.net[0].bias.copy_(b1)
            self.net[2].weight.copy_(W2.T)
            self.net[2].bias.copy_(b2)
        self.optimizer = torch.optim.SGD(self.net.parameters(), lr=LR, momentum=MOMENTUM)
        self.loss = torch.nn.BCEWithLogitsLoss()

    def epochs(self, n):
        for _ in range(n):
            self.optimizer.zero_grad()
            loss = self.loss(self.net(self.X), self.y)
            loss.backward()
            self.optimizer.step()
        return n


def seconds_per_epoch(run, n):
    """Seconds per epoch over (up to) n epochs of ``run``."""
    start = time.perf_counter()
    ran = run.epochs(n)
    return (time.perf_counter() - start) / max(ran, 1)


def time_side_by_side(runs, repeats, interleave=True):
    """Median ms per epoch of each run. ``interleave``: the runs take turns in every
    repeat, so that a change in the machine's speed during the run (on a shared virtual
    machine the same code can take twice as long from one second to the next) touches
    every library alike; else all the repeats of one run, then the next."""
    epochs = {}
    for run in runs:
        run.epochs(1)  # warm-up: first-call costs, buffers, caches
        one = min(seconds_per_epoch(run, 1) for _ in range(2))
        epochs[run.name] = int(np.clip(SECONDS_PER_TIMING / max(one, 1e-6), 1, 500))
    times = {run.name: [] for run in runs}
    # Interleaved, each repeat starts with another library, so that none is always the
    # one that runs first after a pause.
    order = [runs[i % len(runs):] + runs[:i % len(runs)] for i in range(repeats)] if interleave else \
        [[run] * repeats for run in runs]
    for turn in order:
        for run in turn:
            # The previous library's idle worker threads spin for a while after its
            # last call (and steal a core from the next one): let them settle first.
            time.sleep(SETTLE_SECONDS)
            n = epochs[run.name]
            times[run.name].append(seconds_per_epoch(run, n))
    return {name: 1000 * statistics.median(t) for name, t in times.items()}


def to_99_percent(X, y, weights):
    """Epochs and milliseconds of nnlib.train until the training accuracy reaches 99 %."""
    run = NnlibRun(X, y, weights)
    time.sleep(SETTLE_SECONDS)
    start = time.perf_counter()

    def keep_going(epoch, history, model):
        return history.accuracy[-1] < 0.99 and time.perf_counter() - start < SECONDS_TO_99

    history = nnlib.train(run.model, X, y, run.loss, run.optimizer, MAX_EPOCHS_TO_99,
                          callback=keep_going)
    reached = bool(history.accuracy) and history.accuracy[-1] >= 0.99
    return history.epochs_run, reached, 1000 * history.seconds


def tanh_ms(n, h, dtype, repeats):
    """Median ms of np.tanh on an (N, H) array into a reused one: a floor for one epoch."""
    Z = np.random.default_rng(0).uniform(-1, 1, size=(n, h)).astype(dtype)
    out = np.empty_like(Z)
    np.tanh(Z, out=out)
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        np.tanh(Z, out=out)
        times.append(time.perf_counter() - start)
    return 1000 * statistics.median(times)


# ---- lesson 7's workload: the digits, mini-batches, ReLU, cross entropy, Adam ----------

DIGITS_EPOCHS, DIGITS_BATCH, DIGITS_LR, DIGITS_HIDDEN = 60, 32, 1e-3, 64


def digits_nnlib(X_train, y_train, X_test, y_test, seed):
    """Seconds and test accuracy of nnlib.train: MLP([64, 64, 10], relu), CrossEntropyLoss, Adam."""
    model = nnlib.MLP([X_train.shape[1], DIGITS_HIDDEN, 10], activation="relu", seed=seed)
    start = time.perf_counter()
    nnlib.train(model, X_train, y_train, nnlib.CrossEntropyLoss(), nnlib.Adam(DIGITS_LR), DIGITS_EPOCHS,
                batch_size=DIGITS_BATCH, seed=seed)
    seconds = time.perf_counter() - start
    return seconds, float(np.mean(model.predict(X_test) == y_test))


def digits_sklearn(X_train, y_train, X_test, y_test, seed):
    """The same with scikit-learn's MLPClassifier: one hidden layer of 64 ReLUs, Adam, batches of 32,
    60 epochs, no L2 (alpha 0, as nnlib's), no early stopping."""
    clf = MLPClassifier(hidden_layer_sizes=(DIGITS_HIDDEN,), activation="relu", solver="adam", alpha=0.0,
                        batch_size=DIGITS_BATCH, learning_rate_init=DIGITS_LR, max_iter=DIGITS_EPOCHS,
                        shuffle=True, tol=0.0, n_iter_no_change=10**9, random_state=seed)
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf.fit(X_train, y_train)
    seconds = time.perf_counter() - start
    return seconds, float(clf.score(X_test, y_test))


def digits_row(repeats):
    """Median seconds per run and mean test accuracy over seeds 0 .. repeats-1 of both
    libraries, which take turns (each seed starts with the other one)."""
    X, y = nnlib.load_digits()
    X_train, y_train, _, _, X_test, y_test = nnlib.split_digits(nnlib.scale_pixels(X), y, seed=0)
    runs = {"nnlib": digits_nnlib, "scikit-learn": digits_sklearn}
    results = {name: [] for name in runs}
    for seed in range(repeats):
        order = list(runs) if seed % 2 == 0 else list(runs)[::-1]
        for name in order:
            time.sleep(SETTLE_SECONDS)
            results[name].append(runs[name](X_train, y_train, X_test, y_test, seed))
    return {name: (statistics.median(s for s, _ in r), statistics.mean(a for _, a in r)) for name, r in results.items()}


def print_digits_row(repeats):
    print(f"\ndigits (lesson 7): 8x8 images, {DIGITS_EPOCHS} epochs of MLP([64, {DIGITS_HIDDEN}, 10], relu), "
          f"cross entropy, Adam({DIGITS_LR:g}), batches of {DIGITS_BATCH}; 1079 training, 359 test images; "
          f"median time and mean test accuracy over seeds 0-{repeats - 1}")
    if MLPClassifier is None:
        print("  scikit-learn not installed: no reference to compare with")
        return
    row = digits_row(repeats)
    (ours, acc), (skl, skl_acc) = row["nnlib"], row["scikit-learn"]
    header = f"{'s per run nnlib':>15s} {'sklearn':>8s} {'nn/skl':>7s} {'test acc nnlib':>15s} {'sklearn':>8s}"
    print(header)
    print("-" * len(header))
    print(f"{ours:15.3f} {skl:8.3f} {ours / skl:7.2f} {acc:15.3f} {skl_acc:8.3f}", flush=True)


def describe_machine():
    lines = [f"numpy {np.__version__}, {os.cpu_count()} cores"]
    try:
        from threadpoolctl import threadpool_info
        pools = {}
        for pool in threadpool_info():
            owner = next((name for name in ("numpy", "scipy", "sklearn", "torch") if name in pool["filepath"]),
                         os.path.basename(pool["filepath"]))
            kernels = f", {pool['architecture']} kernels" if pool.get("architecture") else ""
            pools[pool["filepath"]] = (f"  {pool['internal_api']} of {owner}{kernels}: "
                                       f"{pool['num_threads']} threads")
        lines += sorted(pools.values())
    except ImportError:
        pass
    if MLPClassifier is not None:
        import sklearn
        lines.append(f"  scikit-learn {sklearn.__version__}")
    if torch is not None:
        lines.append(f"  PyTorch {torch.__version__} ({torch.get_num_threads()} threads)")
    if os.environ.get("NNLIB_BENCH_UNSET"):
        lines.append(f"  unset for this benchmark only: {os.environ['NNLIB_BENCH_UNSET']}")
    if hasattr(os, "getloadavg"):
        lines.append(f"  load average at start {os.getloadavg()[0]:.1f} "
                     "(a busy machine makes every column slower)")
    return "\n".join(lines)


def fmt(ms):
    return f"{ms:10.2f}" if isinstance(ms, float) else f"{ms:>10s}"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--sizes", choices=["small", "all"], default="all",
                        help="small: only the first two sizes")
    parser.add_argument("--one-after-another", action="store_true",
                        help="all repeats of one library, then the next (default: they take turns)")
    parser.add_argument("--threads", type=int, default=None,
                        help="limit BLAS, OpenMP and PyTorch to this many threads (default: theirs)")
    parser.add_argument("--keep-env", action="store_true",
                        help="keep OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE if set")
    args = parser.parse_args(argv)
    sizes = SIZES if args.sizes == "all" else SIZES[:2]
    if args.threads:
        from threadpoolctl import threadpool_limits
        limits = threadpool_limits(args.threads)  # noqa: F841 (held for the whole run)
        if torch is not None:
            torch.set_num_threads(args.threads)

    print(describe_machine())
    print(f"task: circle, 2 -> H -> 1 tanh, mean BCE, full-batch GD lr {LR:g} momentum {MOMENTUM:g}; "
          f"median of {args.repeats} timings (ms per epoch)\n")
    header = (f"{'N':>7s} {'H':>3s} {'dtype':>7s} {'nnlib':>10s} {'plain':>10s} {'sklearn':>10s} {'PyTorch':>10s} "
              f"{'nn/plain':>8s} {'nn/torch':>8s} {'nn/skl':>7s} {'99% epochs':>10s} {'99% ms':>9s}")
    print(header)
    print("-" * len(header))
    floors = []  # the largest size against one np.tanh over its hidden layer: a floor
    for n, h in sizes:
        X64, y = circle_data(n)
        for dtype in DTYPES:
            X = X64.astype(dtype)
            weights = initial_weights(h, dtype)
            runs = [NnlibRun(X, y, weights), NnlibPlainRun(X, y, weights)]
            if MLPClassifier is not None:
                runs.append(SklearnRun(X, y, weights))
            if torch is not None:
                runs.append(TorchRun(X, y, weights))
            ms = time_side_by_side(runs, args.repeats, not args.one_after_another)
            ours = ms["nnlib"]
            skl = ms.get("scikit-learn", "not installed")
            tch = ms.get("PyTorch", "not installed")
            ratio_t = f"{ours / tch:8.2f}" if isinstance(tch, float) else f"{'-':>8s}"
            ratio_s = f"{ours / skl:7.2f}" if isinstance(skl, float) else f"{'-':>7s}"
            plain = ms["nnlib plain"]
            epochs, reached, ms_99 = to_99_percent(X, y, weights)
            reached = f"{epochs:10d}" if reached else f"{'>' + str(epochs):>10s}"
            print(f"{n:7d} {h:3d} {np.dtype(dtype).name:>7s} {fmt(ours)} {fmt(plain)} {fmt(skl)} {fmt(tch)} "
                  f"{ours / plain:8.2f} {ratio_t} {ratio_s} {reached} {ms_99:9.0f}", flush=True)
            if (n, h) == SIZES[-1]:
                floors.append((np.dtype(dtype).name, ours, tanh_ms(n, h, dtype, args.repeats)))

    for name, ours, tanh in floors:
        print(f"\nN=100,000, H=64 {name}: nnlib {ours:.1f} ms per epoch; np.tanh alone on (N, H) "
              f"takes {tanh:.1f} ms here", end="")
    print()

    print_digits_row(args.repeats)

    try:
        from bench_playground import time_playground
    except ImportError:
        print("\nplayground: not available")
    else:
        print(f"\nplayground: median retrain + redraw {1000 * time_playground(args.repeats):.0f} ms "
              "with the default settings")


if __name__ == "__main__":
    main()
