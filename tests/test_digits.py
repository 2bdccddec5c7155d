"""Lesson 7's data: the 8 x 8 handwritten digits shipped in the package, and its helpers."""

import gzip
import hashlib
import subprocess
import sys
import tomllib
from pathlib import Path

import numpy as np
import pytest

import nnlib
from nnlib.digits import DIGITS_FILE, minibatches, scale_pixels, split_digits

ROOT = Path(__file__).resolve().parents[1]
# Images per digit 0..9 in the UCI set's test part (its documentation lists them), and
# the file's checksum: the copy scikit-learn ships, unchanged.
CLASS_COUNTS = [178, 182, 177, 183, 181, 182, 181, 179, 174, 180]
SHA256 = "09f66e6debdee2cd2b5ae59e0d6abbb73fc2b0e0185d2e1957e9ebb51e23aa22"


@pytest.fixture(scope="module")
def digits():
    return nnlib.load_digits()


def test_shapes_and_dtypes(digits):
    X, y = digits
    assert X.shape == (1797, 64) and X.dtype == np.float64
    assert y.shape == (1797,) and y.dtype == np.int64


def test_pixels_are_whole_numbers_from_0_to_16(digits):
    X, _ = digits
    assert X.min() == 0 and X.max() == 16
    assert np.array_equal(X, np.round(X))
    # Every pixel value 0..16 occurs; the border columns are mostly empty.
    assert set(np.unique(X)) == set(range(17))
    assert X[:, 0].max() == 0  # the top-left pixel is never inked


def test_every_digit_has_its_known_number_of_images(digits):
    _, y = digits
    assert np.bincount(y, minlength=10).tolist() == CLASS_COUNTS
    assert y.min() == 0 and y.max() == 9


def test_the_first_image_is_a_zero(digits):
    X, y = digits
    # The file's first line, as a picture: a 0 with a hole in the middle.
    image = X[0].reshape(8, 8)
    assert y[0] == 0
    assert image[3:5, 3:5].sum() == 0 and image[0].sum() > 0 and image[:, 2].sum() > 0


def test_the_file_is_the_one_documented():
    assert hashlib.sha256(DIGITS_FILE.read_bytes()).hexdigest() == SHA256
    readme = (DIGITS_FILE.parent / "README.md").read_text()
    assert "CC BY 4.0" in readme and "archive.ics.uci.edu" in readme
    with gzip.open(DIGITS_FILE, "rt") as f:
        lines = f.read().splitlines()
    assert len(lines) == 1797 and all(len(line.split(",")) == 65 for line in lines)


def test_load_digits_returns_new_arrays_each_time(digits):
    X, y = nnlib.load_digits()
    X[0, 0] = 99
    assert nnlib.load_digits()[0][0, 0] == 0


def test_scale_pixels_maps_0_16_to_0_1_without_touching_X(digits):
    X, _ = digits
    before = X.copy()
    scaled = scale_pixels(X)
    assert scaled.min() == 0 and scaled.max() == 1
    assert np.allclose(scaled * 16, X)
    assert np.array_equal(X, before)
    assert scale_pixels(np.full(64, 8)).tolist() == [0.5] * 64


def test_split_digits_keeps_every_example_once(digits):
    X, y = digits
    parts = split_digits(X, y, val_fraction=0.2, test_fraction=0.2, seed=0)
    X_train, y_train, X_val, y_val, X_test, y_test = parts
    assert (len(X_train), len(X_val), len(X_test)) == (1079, 359, 359)
    rows = np.concatenate([X_train, X_val, X_test])
    labels = np.concatenate([y_train, y_val, y_test])
    # The same images, shuffled: sorted rows (with labels) are identical.
    key = lambda A, b: np.lexsort(np.column_stack([A, b]).T)  # noqa: E731
    assert np.array_equal(np.column_stack([rows, labels])[key(rows, labels)],
                          np.column_stack([X, y])[key(X, y)])
    again = split_digits(X, y, seed=0)
    assert all(np.array_equal(a, b) for a, b in zip(parts, again))
    assert not np.array_equal(split_digits(X, y, seed=1)[1], y_train)


@pytest.mark.parametrize("kwargs, words", [
    (dict(val_fraction=0.5, test_fraction=0.5), "leave examples to train on"),
    (dict(val_fraction=-0.1), "val_fraction must be in [0, 1)"),
    (dict(test_fraction=1.0), "test_fraction must be in [0, 1)"),
])
def test_split_digits_refuses_bad_fractions(digits, kwargs, words):
    with pytest.raises(ValueError, match=words.replace("[", r"\[").replace("(", r"\(").replace(")", r"\)")):
        split_digits(*digits, **kwargs)


def test_split_digits_wants_one_label_per_row():
    with pytest.raises(ValueError, match=r"y must have one label per row of X, shape \(3,\)"):
        split_digits(np.zeros((3, 2)), [0, 1])


@pytest.mark.parametrize("n, batch_size", [(10, 3), (10, 10), (10, 1), (7, 32)])
def test_minibatches_cover_every_example_once_in_a_new_order(n, batch_size):
    X = np.arange(n * 2, dtype=float).reshape(n, 2)
    y = np.arange(n)
    rng = np.random.default_rng(0)
    batches = minibatches(X, y, batch_size, rng)
    sizes = [len(yb) for _, yb in batches]
    assert sizes == [batch_size] * (n // batch_size) + ([n % batch_size] if n % batch_size else []) or \
        (batch_size > n and sizes == [n])
    seen = np.concatenate([yb for _, yb in batches])
    assert sorted(seen) == list(range(n))
    for Xb, yb in batches:
        assert np.array_equal(Xb[:, 0], 2 * yb)  # rows stay with their labels
    if n > 3 and batch_size < n:
        again = np.concatenate([yb for _, yb in minibatches(X, y, batch_size, rng)])
        assert not np.array_equal(seen, again)  # each call draws a new order


def test_minibatches_shuffle_as_train_does():
    # train(..., batch_size=B, seed=s) draws rng.permutation(N) once per epoch from
    # default_rng(s): the same batches as minibatches with that generator.
    X, y = np.arange(20.0).reshape(10, 2), np.arange(10)
    order = np.random.default_rng(5).permutation(10)
    batches = minibatches(X, y, 4, np.random.default_rng(5))
    assert [yb.tolist() for _, yb in batches] == [order[:4].tolist(), order[4:8].tolist(), order[8:].tolist()]


def test_minibatches_refuse_a_bad_batch_size():
    with pytest.raises(ValueError, match="batch_size"):
        minibatches(np.zeros((3, 1)), np.zeros(3), 0, np.random.default_rng(0))


def test_pyproject_ships_the_data_and_every_package():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    assert "digits.csv.gz" in config["package-data"]["nnlib.datasets"]
    packages = {p.parent.relative_to(ROOT).as_posix().replace("/", ".") for p in (ROOT / "nnlib").rglob("__init__.py")}
    assert packages <= set(config["packages"]), "every package of nnlib must be listed"


def test_a_built_package_holds_the_data(tmp_path):
    # What a non-editable install copies: setuptools' build_py into a fresh folder, then
    # load_digits from there, in a process that imports nothing from this checkout.
    built = tmp_path / "built"
    subprocess.run([sys.executable, "-c", "import setuptools; setuptools.setup()", "-q", "build_py", "-d", str(built)],
                   cwd=ROOT, check=True, capture_output=True)
    assert (built / "nnlib" / "datasets" / "digits.csv.gz").is_file()
    assert (built / "nnlib" / "exercises" / "__init__.py").is_file() and (built / "nnlib" / "playground" / "__init__.py").is_file()
    code = ("import nnlib, sys; X, y = nnlib.load_digits(); "
            "assert nnlib.__file__.startswith(sys.argv[1]), nnlib.__file__; print(X.shape, y.shape)")
    done = subprocess.run([sys.executable, "-c", code, str(built)], cwd=tmp_path, env={"PYTHONPATH": str(built)},
                          check=True, capture_output=True, text=True)
    assert done.stdout.strip() == "(1797, 64) (1797,)"
