"""helpers.model: the article CNN's layer plan and parameter count, L2, and clear errors when loading."""
import numpy as np
import pytest

from helpers.model import (ARTICLE_PARAM_COUNT, RETRAIN_HINT, build_cnn, load_model_file, reference_record)

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


@pytest.mark.parametrize("name", ["broken.keras", "old_model.h5"])   # .h5: the articles saved their models so
def test_unreadable_model_file_says_how_to_retrain(tmp_path, name):
    path = tmp_path / name
    path.write_bytes(b"neither a keras zip archive nor HDF5")
    with pytest.raises(OSError, match="Could not read the model file") as info:
        load_model_file(path)
    assert RETRAIN_HINT in str(info.value)


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
