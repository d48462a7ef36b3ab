"""The activation explorer of notebook 04, driven by setting widget values (no kernel needed)."""
import matplotlib
import numpy as np
import pytest

matplotlib.use("Agg")

from helpers import build_cnn  # noqa: E402
from helpers.activations.widgets import ActivationExplorer, activation_explorer, explorable_layers  # noqa: E402
from helpers.activations import UnknownLayerError, activation_grid, layer_activations  # noqa: E402


@pytest.fixture(scope="module")
def cnn():
    return build_cnn(seed=0)


@pytest.fixture(scope="module")
def data():
    rng = np.random.default_rng(1)
    return rng.integers(0, 256, size=(5, 28, 28), dtype=np.uint8), np.array([4, 9, 4, 9, 1])


def test_offered_layers_skip_flatten(cnn):
    assert explorable_layers(cnn) == ["Conv2D_1", "Max_Pool_1", "Conv2D_2", "Max_Pool_2", "Conv2D_3", "Dense_1",
                                      "Dense_2", "Softmax"]


def test_changing_widgets_recomputes_the_grid(cnn, data):
    images, labels = data
    ex = activation_explorer(cnn, images, labels, render=False)
    assert ex.grid.shape == (4 * 26, 8 * 26)                        # starts with Conv2D_1 of image 0
    ex.index.value = 3
    np.testing.assert_allclose(ex.grid, activation_grid(layer_activations(cnn, "Conv2D_1", images[3])), rtol=1e-6)
    assert "test image 3, label 9" in ex.status.value
    ex.layer.value = "Dense_1"
    assert ex.grid.shape == (10, 10)
    np.testing.assert_allclose(ex.activations, layer_activations(cnn, "Dense_1", images[3])[0], rtol=1e-6)
    ex.standardize.value = True
    np.testing.assert_allclose(ex.grid, activation_grid(ex.activations, standardize=True), rtol=1e-6)
    assert np.nanmax(ex.grid) <= 2.0
    ex.layer.value = "Conv2D_3"
    assert ex.grid.shape == (48, 24)
    np.testing.assert_allclose(ex.probabilities.sum(), 1.0, rtol=1e-5)
    assert f"says <b>{int(ex.probabilities.argmax())}</b>" in ex.status.value


def test_index_widget_is_bounded_by_the_data(cnn, data):
    images, labels = data
    ex = ActivationExplorer(cnn, images, labels, render=False)
    assert (ex.index.min, ex.index.max) == (0, len(images) - 1)
    ex.index.value = 99                                              # the widget clamps what a learner types
    assert ex.index.value == len(images) - 1
    assert "test image 4" in ex.status.value


def test_rendering_draws_digit_and_grid(cnn, data):
    images, labels = data
    ex = ActivationExplorer(cnn, images, labels, layer="Max_Pool_2", render=True)
    assert ex.figure is not None
    assert ex.figure.axes[1].images[0].get_array().shape == (40, 40)
    ex.index.value = 2
    assert "label 4" in ex.figure.axes[0].get_title()


def test_bad_arguments(cnn, data):
    images, labels = data
    with pytest.raises(UnknownLayerError, match="Valid layer names"):
        ActivationExplorer(cnn, images, labels, layer="dense_14", render=False)
    with pytest.raises(ValueError, match="not among"):
        ActivationExplorer(cnn, images, labels, layers=["Conv2D_1"], layer="Conv2D_3", render=False)
    with pytest.raises(IndexError, match="0..4"):
        ActivationExplorer(cnn, images, labels, index=5, render=False)
    broken = images.astype(np.float32)
    broken[3, 5, 5] = np.inf                   # refused when the explorer is made, not when image 3 is shown
    with pytest.raises(ValueError, match=r"1 pixel values are NaN or infinite, in image\(s\) \[3\] of 5"):
        ActivationExplorer(cnn, broken, labels, render=False)
