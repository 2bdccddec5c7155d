"""Lessons 5 and 6: a multi-layer perceptron built from ``Dense`` and activation layers.

Shapes: N examples, D = sizes[0] inputs, C = sizes[-1] outputs (logits).
"""

import os
from concurrent.futures import ThreadPoolExecutor

import numpy as np

from .validation import as_float_array, check_int, describe
from .activations import sigmoid, softmax
from .layers import ACTIVATIONS, Dense

# The fast path of forward and backward (see MLP.forward) cuts a large N into blocks of
# about BLOCK_ROWS rows. A block of hidden activations (1024 x 64 float64 numbers is
# 512 KB) stays in a core's cache, and its thin matrix products (X @ W with 2 inputs)
# are small enough that BLAS runs them on one thread.
BLOCK_ROWS = 1024
# Blocks are shared out among up to THREADS threads (numpy lets go of Python's lock
# while it computes, so the threads really run side by side), but only when a pass has
# at least PARALLEL_MIN hidden outputs (N x hidden units): below that, starting a thread
# costs more than it saves. Set THREADS = 1 to stay on one thread.
# The results match the plain layer loop to rounding (about 1e-15 in float64): sums come
# in another order, and float64 tanh from an identity (Tanh). They do not depend on timing:
# each thread sums its own blocks, and those partial sums are added in a fixed order.
_CORES = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
THREADS = min(_CORES, 8)
PARALLEL_MIN = 100_000

_pool, _pool_size, _pool_pid = None, 0, None


def _run_parallel(work, chunks):
    """``work(k, chunk)`` for every chunk: the first on this thread, the others on a pool."""
    global _pool, _pool_size, _pool_pid
    if len(chunks) == 1:
        work(0, chunks[0])
        return
    # A new pool in a forked child process too: the parent's threads do not exist there.
    if _pool_size < len(chunks) - 1 or _pool_pid != os.getpid():
        _pool = ThreadPoolExecutor(len(chunks) - 1, thread_name_prefix="nnlib")
        _pool_size, _pool_pid = len(chunks) - 1, os.getpid()
    futures = [_pool.submit(work, k, chunk) for k, chunk in enumerate(chunks) if k > 0]
    work(0, chunks[0])
    for future in futures:
        future.result()  # re-raises what went wrong on that thread


class MLP:
    """A stack ``Dense -> activation -> ... -> Dense`` that outputs logits.

    - sizes: layer widths, for instance ``[2, 8, 8, 1]``: 2 inputs, two hidden layers of
      8 units, 1 output. ``[2, 1]`` is logistic regression (no hidden layer).
    - activation: "tanh", "relu" or "sigmoid", used after every hidden layer. The
      last layer has none: its outputs are logits for a loss layer.
    - seed: seed for the initial weights; the same seed gives the same network.
    - init: "xavier", "he" or "zeros"; default "he" for relu, otherwise "xavier".
    - dtype: np.float64 (default) or np.float32.
    """

    def __init__(self, sizes, activation="tanh", seed=0, init=None, dtype=np.float64):
        if isinstance(sizes, (int, np.integer)):
            sizes = [sizes]
        if isinstance(sizes, (str, bytes)) or not hasattr(sizes, "__iter__"):
            raise TypeError(f"sizes must be a list of layer widths like [2, 8, 1], got {type(sizes).__name__} {sizes!r}")
        sizes = list(sizes)
        if len(sizes) < 2:
            raise ValueError(f"sizes needs at least an input and an output size, like [2, 1]; got {sizes}")
        self.sizes = [check_int(s, f"sizes[{i}]", minimum=1) for i, s in enumerate(sizes)]
        if activation not in ACTIVATIONS:
            raise ValueError(f"activation must be one of {sorted(ACTIVATIONS)}, got {activation!r}")
        self.activation = activation
        self.init = init or ("he" if activation == "relu" else "xavier")
        self.seed = check_int(seed, "seed", minimum=0)
        self.dtype = np.dtype(dtype)
        self.layers = []
        self._logits_shape = None
        self._fast = None  # what the fast path keeps between calls (see _fast_state)
        for i, (n_in, n_out) in enumerate(zip(self.sizes[:-1], self.sizes[1:])):
            rng = np.random.default_rng([seed, i])
            self.layers.append(Dense(n_in, n_out, seed=rng, init=self.init, dtype=self.dtype))
            if i < len(self.sizes) - 2:
                self.layers.append(ACTIVATIONS[activation]())
        self._pack_parameters()

    def _pack_parameters(self):
        """Move every W and b into one flat array, and every dW and db into another.

        The layers keep their ``W``, ``b``, ``dW``, ``db``: they become views (windows)
        into the two arrays, so nothing changes for them. But an optimiser can then
        update all the parameters in a few numpy calls instead of a few per parameter,
        which is most of an epoch's time for a small network (see ``_flat_parameters``).
        """
        dense = [layer for layer in self.layers if isinstance(layer, Dense)]
        total = sum(layer.W.size + layer.b.size for layer in dense)
        self._theta = np.empty(total, dtype=self.dtype)
        self._grad = np.zeros(total, dtype=self.dtype)
        self._slices, start = [], 0
        for layer in dense:
            at_W, at_b = slice(start, start + layer.W.size), slice(start + layer.W.size, start + layer.W.size + layer.b.size)
            self._slices.append((layer, at_W, at_b))
            start = at_b.stop
            self._theta[at_W], self._theta[at_b] = layer.W.ravel(), layer.b
            layer.W, layer.b = self._theta[at_W].reshape(layer.W.shape), self._theta[at_b]
            layer.dW, layer.db = self._grad[at_W].reshape(layer.W.shape), self._grad[at_b]

    def _flat_parameters(self):
        """All parameters as one ``(name, param, grad)`` triple of flat arrays, for ``train``.

        An optimiser's update is elementwise, so a step on the flat arrays gives the same
        numbers as a step on each parameter of ``parameters()``. Falls back to
        ``parameters()`` if a layer's W or b was replaced by another array since.
        """
        if self._packed():
            return [("all parameters", self._theta, self._grad)]
        return self.parameters()

    def _packed(self):
        """Are the Dense layers still the ones packed, with their W, b, dW, db in place?"""
        dense = [layer for layer in self.layers if isinstance(layer, Dense)]
        return dense == [layer for layer, _, _ in self._slices] and all(
            layer.W.base is self._theta and layer.b.base is self._theta
            and layer.dW.base is self._grad and layer.db.base is self._grad
            for layer in dense)

    def forward(self, X):
        """- X: (N, D). Returns logits (N, C), a new array.

        What the layers keep for backward (``layer.X``, ``Tanh.t``, ...) lives in work
        buffers that the next forward on as many examples overwrites.
        """
        X = as_float_array(X, "X", ndim=2, dtype=self.dtype)
        if X.shape[1] != self.sizes[0]:
            raise ValueError(f"X must have {self.sizes[0]} features (columns), got {describe(X)}")
        return self._forward(X)

    def _forward(self, X):
        """forward without the input checks, for ``train``, which checks X once for all epochs."""
        fast = self._fast_state()
        if fast is None:
            for layer in self.layers:
                X = layer.forward(X)
            self._logits_shape = X.shape
            return X
        # The fast path: the same maths as the loop above, but every layer writes its
        # output into a work buffer this model keeps between calls (a fresh large array
        # costs a page fault per 4 KB on every epoch), and a large N runs in blocks of
        # rows, so that one layer's output is still in the cache when the next layer
        # reads it, on several threads at once. Only the logits are a new array: they
        # are the caller's.
        logits = np.empty((len(X), self.sizes[-1]), dtype=self.dtype)
        outs = fast.outputs(len(X)) + [logits]
        steps = list(zip(fast.layers, outs, fast.out_widths))

        def run(k, blocks):
            scratch = fast.scratch(k)
            for rows in blocks:
                h = X[rows]
                for layer, out, width in steps:
                    out = scratch[:len(h) * width].reshape(-1, width) if out is None else out[rows]
                    h = layer._forward_rows(h, out)

        _run_parallel(run, fast.plan(len(X)))
        for layer, out in zip(self.layers, outs):
            layer._remember(X, out)  # None: an output that no backward reads (see outputs)
            X = out
        self._logits_shape = logits.shape
        return logits

    def backward(self, dlogits):
        """- dlogits: d loss / d logits (N, C). Fills every layer's grads; returns dX (N, D)."""
        if self._logits_shape is None:
            raise RuntimeError("MLP.backward() called before forward()")
        if np.shape(dlogits) != self._logits_shape:
            raise ValueError(
                f"dlogits must have the shape of the last logits {self._logits_shape}, got {describe(dlogits)}"
            )
        return self._backward(dlogits)

    def _backward(self, dlogits, want_dX=True):
        """backward without the checks, for ``train``, which has no use for dX either."""
        fast = self._fast_state()
        if fast is None:
            for layer in reversed(self.layers):
                dlogits = layer.backward(dlogits)
            return dlogits
        # The fast path (see forward): block by block, each layer adds that block's share
        # to its dW and db; the gradients between layers live in small per-block buffers.
        # Other threads sum their blocks' shares into spare dW and db, added to the
        # layers' own at the end.
        dlogits = np.asarray(dlogits)
        dX = np.empty((len(dlogits), self.sizes[0]), dtype=self.dtype) if want_dX else None
        plan = fast.plan(len(dlogits))

        def run(k, blocks):
            grads, between = fast.for_thread(k)
            for j, rows in enumerate(blocks):
                d = dlogits[rows]
                for i, layer in fast.backward_order:
                    into = between[i][:len(d)] if i else dX if dX is None else dX[rows]
                    d = layer._backward_rows(rows, d, into, grads.get(i), first=(j == 0))

        _run_parallel(run, plan)
        for k in range(1, len(plan)):
            for i, (dW, db) in fast.for_thread(k)[0].items():
                self.layers[i].dW += dW
                self.layers[i].db += db
        return dX

    def _fast_state(self):
        """The fast path's plans and buffers for the current layers, made again if
        ``layers`` changes; None if a layer lacks the fast path's private methods."""
        if self._fast is None or self._fast.layers != self.layers:  # layers compare by identity
            if not all(hasattr(layer, "_backward_rows") for layer in self.layers):
                return None
            self._fast = _FastState(self.layers, self.sizes, self.dtype)
        return self._fast

    def parameters(self):
        """All ``(name, param, grad)`` triples, e.g. ``("layers[0].W", W, dW)``.

        Parameters are updated in place by optimisers, so the arrays stay the same
        objects for the life of the model.
        """
        return [
            (f"layers[{i}].{name}", p, g)
            for i, layer in enumerate(self.layers)
            for name, p, g in layer.parameters()
        ]

    def n_parameters(self):
        return int(sum(p.size for _, p, _ in self.parameters()))

    def get_weights(self):
        """A copy of every parameter, to restore later with ``set_weights``."""
        return [p.copy() for _, p, _ in self.parameters()]

    def set_weights(self, weights):
        params = self.parameters()
        if len(weights) != len(params):
            raise ValueError(f"weights must hold {len(params)} arrays, got {len(weights)}")
        checked = []
        for (name, p, _), w in zip(params, weights):
            w = as_float_array(w, f"weights for {name}")
            if w.shape != p.shape:
                raise ValueError(f"weights for {name} must have shape {p.shape}, got {w.shape}")
            checked.append(w)
        # Copy only once every array is known to be good: a bad one leaves the model unchanged.
        for (_, p, _), w in zip(params, checked):
            p[...] = w

    def predict_proba(self, X):
        """Probabilities: (N,) of class 1 for one output, else (N, C) rows summing to 1."""
        logits = self.forward(X)
        if logits.shape[1] == 1:
            return sigmoid(logits[:, 0])
        return softmax(logits, axis=1)

    def predict(self, X):
        """Class labels (N,): probability >= 0.5 for one output, else the argmax."""
        p = self.predict_proba(X)
        return (p >= 0.5).astype(np.int64) if p.ndim == 1 else np.argmax(p, axis=1)

    def __repr__(self):
        lines = [f"MLP({self.sizes}, activation={self.activation!r}): {self.n_parameters()} parameters"]
        for i, layer in enumerate(self.layers):
            n = sum(p.size for _, p, _ in layer.parameters())
            lines.append(f"  ({i}) {layer!r}" + (f"  {n} parameters" if n else ""))
        return "\n".join(lines)


class _FastState:
    """What MLP's fast path keeps between calls: row blocks per thread for each N, work
    buffers for the layers' outputs, and per thread the buffers backward writes to."""

    def __init__(self, layers, sizes, dtype):
        self.layers, self.dtype = list(layers), dtype
        self.backward_order = list(enumerate(self.layers))[::-1]
        # widths[i]: the number of inputs of layer i (an activation keeps the width before it).
        self.widths = [sizes[0]]
        for layer in self.layers[:-1]:
            self.widths.append(layer.n_out if isinstance(layer, Dense) else self.widths[-1])
        self.out_widths = self.widths[1:] + [sizes[-1]]
        self.dense = [i for i, layer in enumerate(self.layers) if isinstance(layer, Dense)]
        self.hidden = sum(sizes[1:-1]) or sizes[-1]
        self.plans, self.work, self.threads = {}, {}, {}

    def plan(self, n):
        """Row blocks for n examples: one list of blocks per thread."""
        plan = self.plans.get((n, THREADS, PARALLEL_MIN))
        if plan is None:
            threads = max(1, min(THREADS if n * self.hidden >= PARALLEL_MIN else 1, n))
            n_blocks = max(-(-n // BLOCK_ROWS), threads)
            edges = [n * i // n_blocks for i in range(n_blocks + 1)]
            blocks = [slice(a, b) for a, b in zip(edges, edges[1:])]
            shares = [n_blocks * k // threads for k in range(threads + 1)]
            plan = self.plans[n, THREADS, PARALLEL_MIN] = [blocks[a:b] for a, b in zip(shares, shares[1:])]
        return plan

    def outputs(self, n):
        """One (n, width) output buffer per layer but the last, reused by every forward
        on n examples. The two most recent n are kept (training and validation sets).

        None instead, where no backward reads that output: a Dense layer's output z
        before a tanh or sigmoid (their backward reads their own output). Forward then
        writes z into a small scratch block that stays in the cache (see ``scratch``):
        an (N, H) array less to write and read back on every epoch.
        """
        work = self.work
        if n not in work:
            if len(work) >= 2:
                del work[next(iter(work))]
            layers = self.layers
            work[n] = [np.empty((n, width), dtype=self.dtype)
                       if layer._backward_reads == "output" or after._backward_reads == "X" else None
                       for layer, after, width in zip(layers, layers[1:], self.widths[1:])]
        return work[n]

    def scratch(self, k):
        """Thread k's scratch block (room for BLOCK_ROWS x the widest layer) for outputs no
        backward reads."""
        if ("scratch", k) not in self.threads:
            self.threads["scratch", k] = np.empty(BLOCK_ROWS * max(self.widths), dtype=self.dtype)
        return self.threads["scratch", k]

    def for_thread(self, k):
        """What backward's thread k writes to: {layer index: (dW, db)}, the layers' own for
        thread 0 and spare ones for the others, and {layer index: a block buffer for
        d loss / d input of that layer}."""
        if k not in self.threads:
            spares = {i: (np.empty_like(self.layers[i].W), np.empty_like(self.layers[i].b)) for i in self.dense}
            between = {i: np.empty((BLOCK_ROWS, self.widths[i]), dtype=self.dtype)
                       for i in range(1, len(self.layers))}
            self.threads[k] = (spares, between)
        spares, between = self.threads[k]
        if k == 0:  # read each time: a learner may have given a layer a new dW
            return {i: (self.layers[i].dW, self.layers[i].db) for i in self.dense}, between
        return spares, between
