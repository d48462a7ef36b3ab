"""helpers.model: the article CNN's layer plan and parameter count, L2, and clear errors when loading."""
import shutil
import zipfile

import keras
import numpy as np
import pytest

from helpers.model import (ARTICLE_PARAM_COUNT, RETRAIN_HINT, SAVE_AGAIN_HINT, ModelFileError, build_cnn,
                           load_model_file, reference_record)

LAYER_NAMES = ["Conv2D_1", "Max_Pool_1", "Conv2D_2", "Max_Pool_2", "Conv2D_3", "Flatten", "Dense_1", "Dense_2",
               "Softmax"]
OUTPUT_SHAPES = {
    "Conv2D_1": (26, 26, 32), "Max_Pool_1": (13, 13, 32), "Conv2D_2": (11, 11, 64), "Max_Pool_2": (5, 5, 64),
    "Conv2D_3": (3, 3, 128), "Flatten": (1152,), "Dense_1": (100,), "Dense_2": (10,), "Softmax": (10,),
}
PARAMS = {"Conv2D_1": 3 * 3 * 1 * 32 + 32, "Conv2D_2": 3 * 3 * 32 * 64 + 64, "Conv2D_3": 3 * 3 * 64 * 128 + 128,
          "Dense_1": 1152 * 100 + 100, "Dense_2": 100 * 10 + 10}


@pytest.fixture(scope="module")
def model():
    return build_cnn(seed=0)


def test_layer_names_in_order(model):
    assert [layer.name for layer in model.layers[1:]] == LAYER_NAMES


def test_output_shape_of_every_layer(model):
    for name, shape in OUTPUT_SHAPES.items():
        assert tuple(model.get_layer(name).output.shape[1:]) == shape, name
    assert tuple(model.input_shape) == (None, 28, 28, 1)


def test_parameter_count_matches_the_article(model):
    assert model.count_params() == ARTICLE_PARAM_COUNT == 208_982
    assert {l.name: l.count_params() for l in model.layers if l.count_params()} == PARAMS


def test_output_is_a_probability_distribution(model):
    x = np.random.default_rng(0).normal(size=(4, 28, 28, 1)).astype(np.float32)
    p = model.predict(x, verbose=0)
    assert p.shape == (4, 10)
    np.testing.assert_allclose(p.sum(axis=1), 1, atol=1e-5)
    assert model.get_layer("Softmax").input is model.get_layer("Dense_2").output  # raw scores stay reachable


def test_seed_makes_initial_weights_reproducible():
    a, b, c = build_cnn(seed=7), build_cnn(seed=7), build_cnn(seed=8)
    for wa, wb in zip(a.get_weights(), b.get_weights()):
        np.testing.assert_array_equal(wa, wb)
    assert not np.array_equal(a.get_weights()[0], c.get_weights()[0])


def test_l2_adds_one_penalty_per_kernel():
    assert build_cnn().losses == []
    m = build_cnn(l2=1e-3, seed=0)
    assert len(m.losses) == 5  # three conv kernels and two dense kernels; biases are not penalized
    kernels = [m.get_layer(n).kernel.numpy() for n in PARAMS]
    expected = 1e-3 * sum(float(np.sum(k.astype(np.float64) ** 2)) for k in kernels)
    assert float(sum(float(l) for l in m.losses)) == pytest.approx(expected, rel=1e-4)
    assert m.count_params() == ARTICLE_PARAM_COUNT  # a regularizer adds no parameters


def test_saved_model_loads_back(tmp_path, model):
    path = tmp_path / "cnn.keras"
    model.save(path)
    loaded = load_model_file(path)
    x = np.random.default_rng(1).normal(size=(2, 28, 28, 1)).astype(np.float32)
    np.testing.assert_allclose(loaded.predict(x, verbose=0), model.predict(x, verbose=0), atol=1e-6)
    assert [l.name for l in loaded.layers] == [l.name for l in model.layers]


def test_missing_model_file_says_how_to_retrain(tmp_path):
    with pytest.raises(FileNotFoundError, match="No model file") as info:
        load_model_file(tmp_path / "missing.keras")
    assert "python -m helpers train-reference" in str(info.value)


@pytest.fixture(scope="module")
def tiny_model_files(tmp_path_factory):
    """A tiny model saved in both formats: the bytes of a real `.keras` archive and of a real HDF5 model."""
    folder = tmp_path_factory.mktemp("tiny")
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(2)])
    model.save(folder / "m.keras")
    model.save(folder / "m.h5")
    return {"keras": folder / "m.keras", "h5": folder / "m.h5"}


def _junk_zip(path):
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("notes.txt", "a zip archive, but no model inside")


RANDOM_BYTES = np.random.default_rng(0).integers(0, 256, 300, dtype=np.uint8).tobytes()
UNREADABLE = {   # name: (how to make the file, words of the message)
    "empty.keras": (lambda p, files: p.write_bytes(b""),
                    ["not a Keras 3 `.keras` archive", "it is empty", SAVE_AGAIN_HINT]),
    "random.keras": (lambda p, files: p.write_bytes(RANDOM_BYTES),
                     ["not a Keras 3 `.keras` archive", "neither a zip archive nor HDF5", SAVE_AGAIN_HINT]),
    "legacy.keras": (lambda p, files: shutil.copy(files["h5"], p),
                     ["is a legacy HDF5 model", "rename it to legacy.h5"]),
    "junk.keras": (lambda p, files: _junk_zip(p),
                   ["is a Keras 3 `.keras` archive, but Keras could not load a model from it", "config.json",
                    SAVE_AGAIN_HINT]),
    "old_model.h5": (lambda p, files: p.write_bytes(b"neither a keras zip archive nor HDF5"),   # the articles'
                     ["is not an HDF5 file", "neither a zip archive nor HDF5", SAVE_AGAIN_HINT]),  # format
    "empty.hdf5": (lambda p, files: p.write_bytes(b""), ["is not an HDF5 file", "it is empty"]),
    "archive.h5": (lambda p, files: shutil.copy(files["keras"], p),
                   ["is a Keras 3 `.keras` archive, not a legacy HDF5 model", "rename it to archive.keras"]),
}


@pytest.mark.parametrize("name", UNREADABLE)
def test_unreadable_model_file_says_what_is_wrong(tmp_path, tiny_model_files, name):
    """An existing file is not reported as missing, and retraining is not the cure: the message says what the
    file is and what to do."""
    make, words = UNREADABLE[name]
    path = tmp_path / name
    make(path, tiny_model_files)
    with pytest.raises(ModelFileError) as info:
        load_model_file(path)
    message = str(info.value)
    assert isinstance(info.value, OSError) and not isinstance(info.value, FileNotFoundError)
    assert str(path) in message and RETRAIN_HINT not in message and "File not found" not in message
    for word in words:
        assert word in message


@pytest.mark.parametrize("name, renamed", [("legacy.keras", "legacy.h5"), ("archive.h5", "archive.keras")])
def test_a_model_with_the_wrong_suffix_loads_once_renamed_as_told(tmp_path, tiny_model_files, name, renamed):
    path = tmp_path / name
    UNREADABLE[name][0](path, tiny_model_files)
    with pytest.raises(ModelFileError, match=f"rename it to {renamed}"):
        load_model_file(path)
    model = load_model_file(path.rename(tmp_path / renamed))
    assert model.output_shape == (None, 2)


def test_non_keras_file_is_refused_with_a_hint(tmp_path):
    path = tmp_path / "weights.pt"
    path.write_bytes(b"a PyTorch file")
    with pytest.raises(ValueError, match="`.keras`") as info:
        load_model_file(path)
    assert "train-reference" in str(info.value)


def test_missing_reference_record_says_how_to_retrain(tmp_path):
    with pytest.raises(FileNotFoundError, match="train-reference"):
        reference_record(tmp_path / "reference_cnn.json")


def test_class_scores_of_a_softmax_inside_the_last_dense():
    """The articles' layout: softmax(class scores) must give the model's probabilities back."""
    import keras
    import numpy as np

    from helpers.model import class_scores_model

    keras.utils.set_random_seed(1)
    model = keras.Sequential([keras.Input((28, 28, 1)), keras.layers.Flatten(),
                              keras.layers.Dense(10, activation="softmax")])
    x = np.random.default_rng(0).normal(size=(4, 28, 28, 1)).astype("float32")
    scores = keras.ops.convert_to_numpy(class_scores_model(model)(x))
    probs = np.exp(scores) / np.exp(scores).sum(axis=1, keepdims=True)
    np.testing.assert_allclose(probs, keras.ops.convert_to_numpy(model(x)), atol=1e-6)
    relu_last = keras.Sequential([keras.Input((28, 28, 1)), keras.layers.Flatten(), keras.layers.Dense(10)])
    with pytest.raises(ValueError, match="Expected a Softmax layer, or a Dense layer with activation='softmax'"):
        class_scores_model(relu_last)


def test_a_subclassed_model_gets_told_how_to_rebuild_it():
    import keras

    from helpers.model import model_inputs

    class Subclassed(keras.Model):
        def __init__(self):
            super().__init__()
            self.conv = keras.layers.Conv2D(4, 3)

        def call(self, x):
            return self.conv(x)

    with pytest.raises(ValueError, match=r"Rebuild it as keras.Sequential\(\[keras.Input"):
        model_inputs(Subclassed())
