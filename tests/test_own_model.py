"""Issue 13: every tool takes the learner's own model, built and trained the articles' way (a Sequential with
Keras' default layer names and the softmax inside the last Dense; the ``own_model_files`` fixture of
conftest.py), saved as `.keras` or as a legacy `.h5` file."""
import numpy as np
import pytest
from PIL import Image

import keras
from keras import layers

from helpers.activations import layer_activations
from helpers.cli import main
from helpers.data import load_mnist, standardize
from helpers.dream import DreamCarver
from helpers.gallery import gallery_figure, layer_gallery
from helpers.model import load_model_file
from helpers.oip import My_OIP

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
FORMATS = ["keras", "h5"]


@pytest.fixture(scope="module")
def digits():
    (_, _), (x_test, y_test) = load_mnist()
    return x_test[:500], y_test[:500]


@pytest.mark.parametrize("fmt", FORMATS)
def test_the_saved_model_loads_back_with_the_same_predictions(own_model_files, digits, fmt):
    model = load_model_file(own_model_files[fmt])
    x, y = digits
    ours = layer_activations(model, "dense_1", x)            # the last Dense: softmax probabilities
    theirs = layer_activations(own_model_files["model"], "dense_1", x)
    np.testing.assert_allclose(ours, theirs, rtol=1e-5, atol=1e-6)
    assert (ours.argmax(axis=1) == y).mean() > 0.9          # it is a trained model, not a random one


@pytest.mark.parametrize("fmt", FORMATS)
def test_oips_of_the_own_model(own_model_files, fmt):
    oip = My_OIP(own_model_files[fmt], "conv2d_2")        # a path, as the articles' My_OIP took one
    assert oip.n_maps == 128 and oip.map_shape == (3, 3)
    res = oip.derive(5, n_epochs=60, seed=1)
    assert np.isfinite(res.losses).all() and res.image.shape == (28, 28)
    results = oip.derive_many(range(16), n_epochs=60, precursor=True, seed=0)
    live = [r for r in results if r.start_activation > 0]   # the precursor found a start the map reacts to
    assert live and all(r.responded and r.final_loss > r.losses[0] for r in live)


@pytest.mark.parametrize("fmt", FORMATS)
def test_perfect_digits_of_the_own_model_are_classified_as_their_digits(own_model_files, fmt):
    """Reaching the class scores behind a softmax inside the last Dense (a linear copy of that Dense)."""
    oip = My_OIP(own_model_files[fmt], "conv2d")
    digits = oip.perfect_digits(n_epochs=200)
    assert digits.shape == (10, 28, 28)
    np.testing.assert_array_equal(oip.classify(digits), np.arange(10))


def test_wrong_layer_names_list_the_own_models_conv_and_pool_layers(own_model_files):
    model = own_model_files["model"]
    with pytest.raises(ValueError, match="conv2d, max_pooling2d, conv2d_1, max_pooling2d_1, conv2d_2"):
        My_OIP(model, "Conv2D_3")                          # the course's name; this model has Keras' names
    with pytest.raises(ValueError, match="a Dense, not a conv or pool layer"):
        My_OIP(model, "dense")


def test_gallery_and_dream_with_the_own_model(own_model_files, digits):
    model = load_model_file(own_model_files["h5"])
    oip = My_OIP(model, "conv2d")
    live = oip.live_maps(digits[0])
    gallery = layer_gallery(oip, n_epochs=30, live=live)
    assert len(gallery.map_indices) == 32 and gallery_figure(gallery, variant="raw").axes
    photo = np.random.default_rng(0).normal(size=(56, 56)).astype(np.float32)
    result = DreamCarver(model, "conv2d_2").carve(photo, 3, quadrants="4", iterations=1, steps=5)
    assert result.image.shape == (56, 56) and np.isfinite(result.image).all()


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_command_takes_the_own_model(own_model_files, tmp_path, fmt, capsys):
    model = str(own_model_files[fmt])
    photo = tmp_path / "mein Föto ü.png"                  # spaces and non-ASCII letters in a learner's path
    Image.fromarray(np.random.default_rng(0).integers(0, 256, (60, 80), dtype=np.uint8)).save(photo)
    out = tmp_path / "ausgabe ß"
    out.mkdir()
    commands = {
        "oip.png": ["oip", "--map", "3", "--layer", "conv2d_2", "--steps", "20"],
        "gallery.png": ["gallery", "--layer", "conv2d", "--steps", "10"],
        "digits.png": ["perfect-digits", "--steps", "30"],
        "dream.png": ["dream", str(photo), "--map", "3", "--layer", "conv2d_2", "--quadrants", "4", "--size", "56",
                      "--iterations", "1", "--steps", "5"],
    }
    for name, args in commands.items():
        assert main([*args, "--model", model, "--out", str(out / name)]) == 0, capsys.readouterr().err
        assert (out / name).read_bytes()[:8] == PNG_MAGIC
    assert main(["oip", "--map", "3", "--model", model, "--out", str(out / "x.png")]) == 2
    assert "conv2d, max_pooling2d, conv2d_1" in capsys.readouterr().err   # --layer defaults to Conv2D_3


def _reshaping_model():
    """A model that takes (28, 28) images: a Reshape adds the channel axis."""
    keras.utils.set_random_seed(0)
    return keras.Sequential([keras.Input((28, 28)), layers.Reshape((28, 28, 1)),
                             layers.Conv2D(8, (3, 3), activation="relu", name="c1"), layers.MaxPooling2D(name="p1"),
                             layers.Flatten(), layers.Dense(10, activation="softmax")])


def test_a_model_for_28_by_28_input_is_fed_the_same_images(digits):
    model = _reshaping_model()
    x = digits[0][:4]
    acts = layer_activations(model, "c1", x)
    direct = keras.Model(model.inputs, model.get_layer("c1").output).predict(standardize(x), verbose=0)
    np.testing.assert_allclose(acts, direct, rtol=1e-5, atol=1e-6)
    oip = My_OIP(model, "p1")
    assert np.isfinite(oip.derive(2, n_epochs=10, seed=0).losses).all()
    assert oip.perfect_digits(n_epochs=5).shape == (10, 28, 28)


def test_a_model_for_other_images_is_refused_with_its_input_shape():
    model = keras.Sequential([keras.Input((32, 32, 3)), layers.Conv2D(8, (3, 3), name="c1"), layers.Flatten(),
                              layers.Dense(10)])
    for call in (lambda: My_OIP(model, "c1"), lambda: layer_activations(model, "c1", np.zeros((28, 28)))):
        with pytest.raises(ValueError, match=r"takes inputs of shape \(32, 32, 3\).*\(28, 28, 1\) or \(28, 28\)"):
            call()


def test_the_explorers_offer_the_own_models_layers(own_model_files, digits):
    from helpers import activation_explorer, oip_explorer

    model = own_model_files["model"]
    ex = oip_explorer(model, n_epochs=5, render=False)       # no layer arguments: the model's own conv layers
    assert list(ex.layer.options) == ["conv2d", "conv2d_1", "conv2d_2"] and ex.layer.value == "conv2d_2"
    ex.run()
    assert ex.result is not None and ex.result.map_index == 0
    act = activation_explorer(model, digits[0][:5], digits[1][:5], layer="conv2d", render=False)
    assert act.activations.shape == (26, 26, 32)
