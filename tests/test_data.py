"""helpers.data: loading MNIST (and refusing bad files), standardization, labels, splits saved once."""
import os
from pathlib import Path

import numpy as np
import pytest

from helpers.data import (MnistFormatError, MnistNotFoundError, load_mnist, load_splits, one_hot, save_splits,
                          split_train_validation, standardize, to_model_input)

MNIST_NPZ = os.environ.get("MNIST_NPZ")
needs_mnist = pytest.mark.skipif(not (MNIST_NPZ and Path(MNIST_NPZ).is_file()),
                                 reason="full MNIST not available: set MNIST_NPZ to mnist.npz")


def small_mnist(n_train=12, n_test=6, seed=0):
    rng = np.random.default_rng(seed)
    return {
        "x_train": rng.integers(0, 256, (n_train, 28, 28), dtype=np.uint8),
        "y_train": rng.integers(0, 10, n_train).astype(np.uint8),
        "x_test": rng.integers(0, 256, (n_test, 28, 28), dtype=np.uint8),
        "y_test": rng.integers(0, 10, n_test).astype(np.uint8),
    }


def write_npz(path, arrays):
    np.savez(path, **arrays)
    return Path(path)


# ------------------------------------------------------------------------------------ load_mnist
def test_small_file_loads_with_require_full_false(tmp_path):
    arrays = small_mnist()
    p = write_npz(tmp_path / "small.npz", arrays)
    (x_train, y_train), (x_test, y_test) = load_mnist(p, require_full=False)
    np.testing.assert_array_equal(x_train, arrays["x_train"])
    np.testing.assert_array_equal(y_train, arrays["y_train"])
    np.testing.assert_array_equal(x_test, arrays["x_test"])
    np.testing.assert_array_equal(y_test, arrays["y_test"])


def test_small_file_is_rejected_when_full_mnist_is_required(tmp_path):
    p = write_npz(tmp_path / "small.npz", small_mnist())
    with pytest.raises(MnistFormatError, match=r"x_train has shape \(12, 28, 28\), expected \(60000, 28, 28\)"):
        load_mnist(p)


def test_missing_arrays_are_named(tmp_path):
    arrays = small_mnist()
    del arrays["y_test"], arrays["x_train"]
    p = write_npz(tmp_path / "partial.npz", arrays)
    with pytest.raises(MnistFormatError, match="lacks x_train, y_test"):
        load_mnist(p, require_full=False)


def test_wrong_dtype_is_rejected(tmp_path):
    arrays = small_mnist()
    arrays["x_train"] = arrays["x_train"].astype(np.float32) / 255
    p = write_npz(tmp_path / "float.npz", arrays)
    with pytest.raises(MnistFormatError, match="x_train has dtype float32, expected uint8"):
        load_mnist(p, require_full=False)


@pytest.mark.parametrize("key, shape", [("x_train", (12, 32, 32)), ("x_test", (6, 28 * 28)), ("y_train", (12, 1))])
def test_wrong_shape_is_rejected(tmp_path, key, shape):
    arrays = small_mnist()
    arrays[key] = np.zeros(shape, dtype=np.uint8)
    p = write_npz(tmp_path / "shape.npz", arrays)
    with pytest.raises(MnistFormatError, match=f"{key} has shape"):
        load_mnist(p, require_full=False)


def test_image_and_label_counts_must_agree(tmp_path):
    arrays = small_mnist()
    arrays["y_train"] = arrays["y_train"][:5]
    p = write_npz(tmp_path / "counts.npz", arrays)
    with pytest.raises(MnistFormatError, match="numbers of images and labels differ"):
        load_mnist(p, require_full=False)


@pytest.mark.parametrize("content", [b"this is not a zip file", b"PK\x03\x04 broken zip header", b""])
def test_file_that_is_not_an_npz_is_rejected(tmp_path, content):
    p = tmp_path / "mnist.npz"
    p.write_bytes(content)
    with pytest.raises(MnistFormatError, match="Could not read"):
        load_mnist(p, require_full=False)


def test_missing_explicit_file_names_both_fixes(tmp_path):
    missing = tmp_path / "nowhere" / "mnist.npz"
    with pytest.raises(MnistNotFoundError) as info:
        load_mnist(missing)
    message = str(info.value)
    assert str(missing) in message
    assert "MNIST_NPZ" in message and "download" in message
    assert isinstance(info.value, FileNotFoundError)  # callers may catch the builtin


def test_missing_file_from_environment_names_both_fixes(tmp_path, monkeypatch):
    monkeypatch.setenv("MNIST_NPZ", str(tmp_path / "gone.npz"))
    with pytest.raises(MnistNotFoundError, match="MNIST_NPZ") as info:
        load_mnist()
    assert "download" in str(info.value)


def test_explicit_path_beats_environment(tmp_path, monkeypatch):
    a = write_npz(tmp_path / "a.npz", small_mnist(seed=1))
    b = write_npz(tmp_path / "b.npz", small_mnist(seed=2))
    monkeypatch.setenv("MNIST_NPZ", str(b))
    (x_a, _), _ = load_mnist(a, require_full=False)
    (x_env, _), _ = load_mnist(require_full=False)
    np.testing.assert_array_equal(x_a, small_mnist(seed=1)["x_train"])
    np.testing.assert_array_equal(x_env, small_mnist(seed=2)["x_train"])


def test_environment_beats_keras_download(tmp_path, monkeypatch):
    import keras

    def must_not_be_called():
        raise AssertionError("Keras' download was used although MNIST_NPZ is set")

    monkeypatch.setattr(keras.datasets.mnist, "load_data", must_not_be_called)
    monkeypatch.setenv("MNIST_NPZ", str(write_npz(tmp_path / "m.npz", small_mnist())))
    load_mnist(require_full=False)


def test_failing_keras_download_names_both_fixes(monkeypatch):
    import keras

    def offline():
        raise OSError("network is unreachable")

    monkeypatch.delenv("MNIST_NPZ", raising=False)
    monkeypatch.setattr(keras.datasets.mnist, "load_data", offline)
    with pytest.raises(MnistNotFoundError) as info:
        load_mnist()
    message = str(info.value)
    assert "network is unreachable" in message
    assert "internet" in message and "MNIST_NPZ" in message


def test_keras_download_is_used_when_nothing_else_is_set(monkeypatch):
    import keras

    arrays = small_mnist()
    monkeypatch.delenv("MNIST_NPZ", raising=False)
    monkeypatch.setattr(keras.datasets.mnist, "load_data",
                        lambda: ((arrays["x_train"], arrays["y_train"]), (arrays["x_test"], arrays["y_test"])))
    (x_train, _), (_, y_test) = load_mnist()
    np.testing.assert_array_equal(x_train, arrays["x_train"])
    np.testing.assert_array_equal(y_test, arrays["y_test"])


@needs_mnist
def test_full_mnist_has_keras_layout_and_canonical_order():
    (x_train, y_train), (x_test, y_test) = load_mnist()
    assert x_train.shape == (60000, 28, 28) and x_test.shape == (10000, 28, 28)
    assert x_train.dtype == np.uint8
    assert list(y_train[:10]) == [5, 0, 4, 1, 9, 2, 1, 3, 1, 4]
    assert list(y_test[:10]) == [7, 2, 1, 0, 4, 1, 4, 9, 5, 9]


# ------------------------------------------------------------------------------ standardization
def test_standardize_gives_each_image_mean_0_and_std_1():
    images = small_mnist(n_train=8)["x_train"]
    z = standardize(images)
    assert z.dtype == np.float32 and z.shape == images.shape
    np.testing.assert_allclose(z.mean(axis=(1, 2)), 0, atol=1e-5)
    np.testing.assert_allclose(z.std(axis=(1, 2)), 1, atol=1e-5)


def test_standardize_matches_tensorflow():
    import tensorflow as tf

    images = small_mnist(n_train=8)["x_train"][..., None]
    images[0] = 0  # a blank image: the std floor of 1/sqrt(784) must match too
    images[1, :14] = 0  # half blank: a very different mean and std from the others
    expected = tf.image.per_image_standardization(images.astype(np.float32)).numpy()
    np.testing.assert_allclose(standardize(images), expected, atol=1e-5)
    np.testing.assert_allclose(standardize(images[2, ..., 0]), expected[2, ..., 0], atol=1e-5)


def test_standardize_of_a_blank_image_is_zero_not_nan():
    z = standardize(np.full((28, 28), 7, dtype=np.uint8))
    assert np.all(z == 0)


def test_standardize_rejects_colour_and_1d_input():
    with pytest.raises(ValueError, match="one gray channel"):
        standardize(np.zeros((2, 28, 28, 3)))
    with pytest.raises(ValueError, match="expects images"):
        standardize(np.zeros(28))


@pytest.mark.parametrize("shape, expected", [((28, 28), (1, 28, 28, 1)), ((5, 28, 28), (5, 28, 28, 1)),
                                             ((5, 28, 28, 1), (5, 28, 28, 1))])
def test_to_model_input_shapes(shape, expected):
    x = np.random.default_rng(0).integers(0, 256, shape).astype(np.uint8)
    out = to_model_input(x)
    assert out.shape == expected and out.dtype == np.float32
    np.testing.assert_allclose(out.reshape(len(out), -1).mean(axis=1), 0, atol=1e-5)


@pytest.mark.parametrize("shape", [(5, 32, 32), (5, 28, 28, 3), (28,), (2, 5, 28, 28, 1)])
def test_to_model_input_rejects_other_shapes(shape):
    with pytest.raises(ValueError, match=r"Expected MNIST images of shape \(N, 28, 28\)"):
        to_model_input(np.zeros(shape))


def test_one_hot():
    y = one_hot(np.array([3, 0, 9], dtype=np.uint8))
    assert y.shape == (3, 10) and y.dtype == np.float32
    assert list(y.argmax(axis=1)) == [3, 0, 9]
    np.testing.assert_array_equal(y.sum(axis=1), 1)
    assert one_hot([1], num_classes=3).tolist() == [[0, 1, 0]]


@pytest.mark.parametrize("bad", [[10], [-1], [[1, 2]]])
def test_one_hot_rejects_bad_labels(bad):
    with pytest.raises(ValueError, match="0..9"):
        one_hot(bad)


# ------------------------------------------------------------------------------------- splits
def test_split_is_deterministic_and_covers_every_image():
    arrays = small_mnist(n_train=50)
    a = split_train_validation(arrays["x_train"], arrays["y_train"], n_validation=10, seed=3)
    b = split_train_validation(arrays["x_train"], arrays["y_train"], n_validation=10, seed=3)
    c = split_train_validation(arrays["x_train"], arrays["y_train"], n_validation=10, seed=4)
    for key in a:
        np.testing.assert_array_equal(a[key], b[key])
    assert not np.array_equal(a["val_indices"], c["val_indices"])
    assert len(a["x_val"]) == 10 and len(a["x_train"]) == 40
    assert sorted(np.concatenate([a["train_indices"], a["val_indices"]])) == list(range(50))
    np.testing.assert_array_equal(a["x_val"], arrays["x_train"][a["val_indices"]])
    np.testing.assert_array_equal(a["y_train"], arrays["y_train"][a["train_indices"]])


def test_split_carries_the_test_set_and_checks_arguments():
    arrays = small_mnist(n_train=20)
    s = split_train_validation(arrays["x_train"], arrays["y_train"], 5, x_test=arrays["x_test"], y_test=arrays["y_test"])
    np.testing.assert_array_equal(s["x_test"], arrays["x_test"])
    with pytest.raises(ValueError, match="n_validation"):
        split_train_validation(arrays["x_train"], arrays["y_train"], 20)
    with pytest.raises(ValueError, match="both x_test and y_test"):
        split_train_validation(arrays["x_train"], arrays["y_train"], 5, x_test=arrays["x_test"])
    with pytest.raises(ValueError, match="labels"):
        split_train_validation(arrays["x_train"], arrays["y_train"][:3], 1)


def make_splits(seed=0):
    arrays = small_mnist(n_train=30, seed=seed)
    return split_train_validation(arrays["x_train"], arrays["y_train"], 6, seed=seed,
                                  x_test=arrays["x_test"], y_test=arrays["y_test"])


def test_splits_round_trip(tmp_path):
    splits = make_splits()
    path = save_splits(tmp_path / "splits", splits)
    assert path == tmp_path / "splits.npz"
    loaded = load_splits(tmp_path / "splits")
    assert set(loaded) == set(splits)
    for key in splits:
        np.testing.assert_array_equal(loaded[key], splits[key])
        assert loaded[key].dtype == np.asarray(splits[key]).dtype


def test_save_splits_refuses_to_overwrite(tmp_path):
    path = save_splits(tmp_path / "splits.npz", make_splits(seed=0))
    before = path.read_bytes()
    with pytest.raises(FileExistsError, match="load_splits"):
        save_splits(path, make_splits(seed=1))
    assert path.read_bytes() == before
    save_splits(path, make_splits(seed=1), overwrite=True)
    np.testing.assert_array_equal(load_splits(path)["x_train"], make_splits(seed=1)["x_train"])


def test_save_splits_needs_every_part(tmp_path):
    splits = make_splits()
    del splits["x_test"]
    with pytest.raises(KeyError, match="x_test"):
        save_splits(tmp_path / "s.npz", splits)
    assert not (tmp_path / "s.npz").exists()


def test_load_splits_errors(tmp_path):
    with pytest.raises(FileNotFoundError, match="save_splits"):
        load_splits(tmp_path / "none.npz")
    np.savez(tmp_path / "other.npz", a=np.zeros(3))
    with pytest.raises(MnistFormatError, match="not a splits file"):
        load_splits(tmp_path / "other.npz")


def test_as_image_batch_refuses_nan_and_inf_naming_the_images():
    from helpers.data import as_image_batch

    images = np.zeros((4, 28, 28), np.float32)
    images[2, 0, 0] = np.nan
    images[3, 5, 5] = -np.inf
    with pytest.raises(ValueError, match=r"2 pixel values are NaN or infinite, in image\(s\) \[2, 3\] of 4"):
        as_image_batch(images)
    assert as_image_batch(images[:2]).shape == (2, 28, 28, 1)
