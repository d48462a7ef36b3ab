"""MNIST data: loading, per-image standardization, one-hot labels and saving the splits once.

The CNN of the articles is trained on *standardized* images: every image is shifted to mean 0 and
scaled to standard deviation 1 on its own. The OIP and dream algorithms later rely on that, so the
same `standardize` is used everywhere.
"""
from __future__ import annotations

import os
from pathlib import Path

import numpy as np

MNIST_SHAPES = {
    "x_train": (60000, 28, 28),
    "y_train": (60000,),
    "x_test": (10000, 28, 28),
    "y_test": (10000,),
}
NUM_CLASSES = 10


class MnistNotFoundError(FileNotFoundError):
    """MNIST could be found neither at an explicit path, nor via MNIST_NPZ, nor by Keras' download.
    Raised by :func:`load_mnist`."""


class MnistFormatError(ValueError):
    """An .npz file does not hold MNIST in Keras' layout. Raised by :func:`load_mnist` and :func:`load_splits`."""


def _check_npz_arrays(arrays: dict, source: str, full: bool) -> None:
    missing = [k for k in MNIST_SHAPES if k not in arrays]
    if missing:
        raise MnistFormatError(
            f"{source} is not an MNIST .npz in Keras' layout: it lacks {', '.join(missing)} "
            f"(it holds {', '.join(sorted(arrays)) or 'nothing'}). Expected arrays x_train, y_train, "
            "x_test, y_test as keras.datasets.mnist.load_data() returns them."
        )
    for key, shape in MNIST_SHAPES.items():
        arr = arrays[key]
        if arr.dtype != np.uint8:
            raise MnistFormatError(f"{source}: {key} has dtype {arr.dtype}, expected uint8.")
        want = shape if full else (None,) + shape[1:]
        if len(arr.shape) != len(shape) or any(w is not None and w != a for w, a in zip(want, arr.shape)):
            raise MnistFormatError(f"{source}: {key} has shape {arr.shape}, expected {shape}.")
    if len(arrays["x_train"]) != len(arrays["y_train"]) or len(arrays["x_test"]) != len(arrays["y_test"]):
        raise MnistFormatError(f"{source}: the numbers of images and labels differ.")


def _read_npz(path: Path, full: bool):
    try:
        with np.load(path, allow_pickle=False) as npz:
            arrays = {k: npz[k] for k in npz.files}
    except Exception as exc:  # zipfile/pickle/OS errors all mean "this is not a readable npz"
        raise MnistFormatError(f"Could not read {path} as an .npz file: {exc}") from exc
    _check_npz_arrays(arrays, str(path), full)
    return (arrays["x_train"], arrays["y_train"]), (arrays["x_test"], arrays["y_test"])


def load_mnist(path: str | os.PathLike | None = None, *, require_full: bool = True):
    """Return ``(x_train, y_train), (x_test, y_test)`` as uint8 arrays in Keras' layout.
    Taught in notebook 01, section 1; used in notebooks 02-06.

    Where the data comes from, first match wins:
    1. ``path`` (an .npz with x_train, y_train, x_test, y_test),
    2. the environment variable ``MNIST_NPZ``,
    3. ``keras.datasets.mnist.load_data()`` (downloads once, then uses Keras' cache).

    ``require_full=False`` accepts smaller files of the same layout (used by the tests).
    """
    explicit = path if path is not None else os.environ.get("MNIST_NPZ") or None
    if explicit is not None:
        p = Path(explicit).expanduser()
        origin = "path argument" if path is not None else "MNIST_NPZ"
        if not p.is_file():
            raise MnistNotFoundError(
                f"MNIST file {p} (from the {origin}) does not exist. Fix: point MNIST_NPZ at an existing "
                "mnist.npz (e.g. export MNIST_NPZ=../shared/data/mnist.npz), or unset it so Keras "
                "downloads MNIST once."
            )
        return _read_npz(p, require_full)
    try:
        import keras

        (x_train, y_train), (x_test, y_test) = keras.datasets.mnist.load_data()
    except Exception as exc:
        cache = Path(os.environ.get("KERAS_HOME", Path.home() / ".keras")) / "datasets" / "mnist.npz"
        raise MnistNotFoundError(
            f"Could not load MNIST: no MNIST_NPZ is set and Keras' download to {cache} failed ({exc}). "
            "Fix one of: (1) connect to the internet once so Keras can download and cache MNIST, or "
            "(2) set MNIST_NPZ to a local mnist.npz (arrays x_train, y_train, x_test, y_test)."
        ) from exc
    return (x_train, y_train), (x_test, y_test)


def standardize(images):
    """Per-image standardization: each image gets mean 0 and standard deviation 1.
    Used by :func:`to_model_input` (notebook 02, section 2), ``as_model_input`` and ``load_photo``.

    Same formula as ``tf.image.per_image_standardization`` (the std is floored at 1/sqrt(pixels),
    so a flat image does not divide by zero). Accepts (28, 28), (N, 28, 28) or (N, 28, 28, 1);
    returns float32 of the same shape.
    """
    x = np.asarray(images, dtype=np.float32)
    if x.ndim < 2:
        raise ValueError(f"standardize expects images of shape (H, W), (N, H, W) or (N, H, W, 1); got {x.shape}.")
    axes = (-2, -1) if x.ndim <= 3 else (-3, -2, -1)
    if x.ndim == 4 and x.shape[-1] != 1:
        raise ValueError(f"standardize expects one gray channel; got shape {x.shape}.")
    n_pixels = np.prod([x.shape[a] for a in axes])
    mean = x.mean(axis=axes, keepdims=True)
    std = np.maximum(x.std(axis=axes, keepdims=True), 1.0 / np.sqrt(n_pixels))
    return ((x - mean) / std).astype(np.float32)


def to_model_input(images):
    """uint8 or float images (28, 28[, 1]) or (N, 28, 28[, 1]) → standardized float32 (N, 28, 28, 1).
    Taught in notebook 02, section 2; used in notebook 05, section 6."""
    x = as_image_batch(images)
    return standardize(x)


def one_hot(labels, num_classes: int = NUM_CLASSES):
    """Integer labels (N,) → one-hot float32 (N, num_classes)."""
    y = np.asarray(labels).astype(np.int64)
    if y.ndim != 1 or (y.size and (y.min() < 0 or y.max() >= num_classes)):
        raise ValueError(f"Labels must be a 1-D array of integers in 0..{num_classes - 1}.")
    return np.eye(num_classes, dtype=np.float32)[y]


def split_train_validation(x_train, y_train, n_validation: int = 5000, seed: int = 0, *, x_test=None, y_test=None):
    """Shuffle the training set once with ``seed`` and cut off a validation set.
    Taught in notebook 02, section 2; used in notebook 03, section 5.

    Returns a dict with x_train, y_train, x_val, y_val, the permutation used (train_indices,
    val_indices), and x_test, y_test when given, so that "training image 123" means the same image in
    every later notebook and the dict can go straight to :func:`save_splits`.
    """
    if len(x_train) != len(y_train):
        raise ValueError(f"Got {len(x_train)} training images but {len(y_train)} labels.")
    if not 0 <= n_validation < len(x_train):
        raise ValueError(f"n_validation must lie in 0..{len(x_train) - 1}; got {n_validation}.")
    if (x_test is None) != (y_test is None):
        raise ValueError("Give both x_test and y_test, or neither.")
    perm = np.random.default_rng(seed).permutation(len(x_train))
    val, train = perm[:n_validation], perm[n_validation:]
    splits = {
        "x_train": x_train[train], "y_train": y_train[train],
        "x_val": x_train[val], "y_val": y_train[val],
        "train_indices": train, "val_indices": val,
    }
    if x_test is not None:
        splits.update(x_test=x_test, y_test=y_test)
    return splits


SPLIT_KEYS = ("x_train", "y_train", "x_val", "y_val", "x_test", "y_test", "train_indices", "val_indices")


def save_splits(path: str | os.PathLike, splits: dict, *, overwrite: bool = False) -> Path:
    """Save the data splits (uint8 images, labels, permutation indices) to one .npz — once.
    Taught in notebook 03, section 5.

    The articles warn to save the splits only once: re-running a training notebook would otherwise
    silently replace the images that later analyses refer to by number. So an existing file is only
    replaced with ``overwrite=True``.
    """
    p = Path(path)
    if p.suffix != ".npz":
        p = p.with_suffix(".npz")
    if p.exists() and not overwrite:
        raise FileExistsError(
            f"{p} already exists; the splits are saved only once so that image numbers stay stable. "
            "Load them with load_splits(), or pass overwrite=True if you really want new splits."
        )
    missing = [k for k in SPLIT_KEYS if k not in splits]
    if missing:
        raise KeyError(f"splits lacks {missing}; expected keys {list(SPLIT_KEYS)}.")
    p.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(p, **{k: np.asarray(splits[k]) for k in SPLIT_KEYS})
    return p


def load_splits(path: str | os.PathLike) -> dict:
    """Load splits written by :func:`save_splits`. Taught in notebook 03, section 5."""
    p = Path(path)
    if p.suffix != ".npz":
        p = p.with_suffix(".npz")
    if not p.is_file():
        raise FileNotFoundError(f"No saved splits at {p}; create them once with save_splits().")
    with np.load(p, allow_pickle=False) as npz:
        missing = [k for k in SPLIT_KEYS if k not in npz.files]
        if missing:
            raise MnistFormatError(f"{p} is not a splits file: it lacks {missing}.")
        return {k: npz[k] for k in SPLIT_KEYS}


class NonFiniteImageError(ValueError):
    """Images with NaN or infinite pixel values. Raised by :func:`as_image_batch`."""


def as_image_batch(images) -> np.ndarray:
    """One image or many → float32 (N, 28, 28, 1), the shape the CNN takes. Accepts (28, 28), (28, 28, 1),
    (N, 28, 28) and (N, 28, 28, 1); anything else, and NaN or infinite pixels, raise ValueError. Values are
    not changed.
    Used by :func:`to_model_input`, ``as_model_input`` and :class:`helpers.oip.My_OIP`."""
    x = np.asarray(images, dtype=np.float32)
    if x.ndim == 2 or x.shape == (28, 28, 1):
        x = x[None]
    if x.ndim == 3:
        x = x[..., None]
    if x.ndim != 4 or x.shape[1:] != (28, 28, 1):
        raise ValueError(f"Expected MNIST images of shape (N, 28, 28) or (N, 28, 28, 1) (one image: (28, 28) or "
                         f"(28, 28, 1)); got {np.shape(images)}.")
    return check_finite(x)


def check_finite(images: np.ndarray, what: str = "image") -> np.ndarray:
    """Return ``images`` (a batch, first axis = image) if every pixel is finite; otherwise raise
    :class:`NonFiniteImageError` naming how many pixels and which images. NaN or inf would run through the
    network silently and come back as NaN everywhere. The one finiteness check of the course: used by
    :func:`as_image_batch` (so by every tool that takes MNIST images) and by the dream carving's photos."""
    finite = np.isfinite(images)
    if not finite.all():
        bad = np.flatnonzero(~finite.reshape(len(images), -1).all(axis=1))
        raise NonFiniteImageError(f"{int((~finite).sum())} pixel values are NaN or infinite, in {what}(s) "
                                  f"{bad[:10].tolist()}{' …' if len(bad) > 10 else ''} of {len(images)}; give "
                                  "finite pixel values.")
    return images


def standardize_tensor(x):
    """:func:`standardize` for a TensorFlow batch (N, H, W, C) inside a compiled graph (the OIP ascent
    standardizes after every step, taught in notebook 06, section 5): the same formula, with the variance
    floored at 1/pixels."""
    import tensorflow as tf

    mean, var = tf.nn.moments(x, axes=[1, 2, 3], keepdims=True)
    floor = 1.0 / tf.cast(tf.reduce_prod(tf.shape(x)[1:]), tf.float32)
    return (x - mean) * tf.math.rsqrt(tf.maximum(var, floor))
