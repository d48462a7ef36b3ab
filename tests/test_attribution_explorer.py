"""The attribution explorer of notebook 09 (helpers.attribution.explorer), driven by setting its widgets' values
as the browser does (no kernel, no browser): each control changes what is explained and the figure follows."""
import matplotlib
import numpy as np
import pytest

matplotlib.use("Agg")

import keras  # noqa: E402
from keras import layers  # noqa: E402

from helpers import load_mnist, load_reference_model  # noqa: E402
from helpers.activations.drawing import example_strokes, strokes_to_drawing, to_mnist_digit  # noqa: E402
from helpers.attribution import grad_cam, integrated_gradients, occlusion, saliency, smoothgrad  # noqa: E402
from helpers.attribution.explorer import (DRAWING, METHODS, PREDICTED, TEST, AttributionExplorer,  # noqa: E402
                                          attribution_explorer, available_methods, raw_images)
from helpers.data import NonFiniteImageError  # noqa: E402

N = 20


@pytest.fixture(scope="module")
def model():
    return load_reference_model()


@pytest.fixture(scope="module")
def digits():
    (_, _), (x_test, y_test) = load_mnist()
    return x_test[:N], y_test[:N]          # uint8 0..255, as load_mnist gives them


@pytest.fixture(scope="module")
def explorer(model, digits):
    return attribution_explorer(model, *digits)


def _map_panel(ex):
    return np.asarray(ex.figure.axes[1].images[0].get_array())


def test_starts_on_the_first_test_digit_explained_for_its_prediction(explorer, digits):
    ex = explorer
    x, y = digits
    assert ex.source.value == TEST and ex.index.value == 0 and ex.target.value == PREDICTED
    np.testing.assert_allclose(ex.digit, x[0] / 255, rtol=1e-6)
    assert ex.explained == ex.prediction == int(np.argmax(ex.probabilities))
    np.testing.assert_allclose(ex.attribution, saliency(ex.model, x[:1] / 255, ex.explained)[0], rtol=1e-5,
                               atol=1e-7)
    assert ex.png[:8] == b"\x89PNG\r\n\x1a\n"
    assert f"test digit 0 (label {y[0]}): the model says {ex.prediction}" in ex.status_text
    assert "(the predicted class)" in ex.status_text
    assert list(ex.method.options) == list(METHODS) and not ex.left_out


@pytest.mark.parametrize("name, direct", [
    ("SmoothGrad", smoothgrad),
    ("integrated gradients (blurred baseline)", lambda m, x, c: integrated_gradients(m, x, c, baseline="blurred")),
    ("integrated gradients (black baseline)", lambda m, x, c: integrated_gradients(m, x, c, baseline="black")),
    ("Grad-CAM Conv2D_2", lambda m, x, c: grad_cam(m, x, c, layer="Conv2D_2")),
    ("Grad-CAM Conv2D_3", lambda m, x, c: grad_cam(m, x, c, layer="Conv2D_3")),
    ("occlusion", occlusion),
])
def test_the_method_menu_changes_the_map(explorer, name, direct):
    ex = explorer
    ex.index.value, ex.target.value, ex.method.value = 1, PREDICTED, "saliency"
    before_map, before_png, figure = ex.attribution, ex.png, ex.figure
    ex.method.value = name
    assert ex.figure is figure                                   # the same figure, new data
    assert ex.png != before_png and not np.allclose(ex.attribution, before_map)
    expected = direct(ex.model, ex.digit[None], ex.explained)[0]
    np.testing.assert_allclose(ex.attribution, expected, rtol=1e-4, atol=1e-6)
    np.testing.assert_allclose(_map_panel(ex), expected, rtol=1e-4, atol=1e-6)
    low, high = ex.figure.axes[1].images[0].get_clim()
    if METHODS[name].signed:                                     # diverging, symmetric around 0
        assert low == pytest.approx(-high) and high == pytest.approx(np.abs(expected).max())
    else:                                                        # Grad-CAM: from 0
        assert low == 0 and (expected >= 0).all()
    assert name in ex.status_text and name in ex.figure.axes[1].get_title()


def test_the_class_menu_explains_another_class(explorer):
    ex = explorer
    ex.method.value, ex.index.value, ex.target.value = "saliency", 2, PREDICTED
    predicted, before = ex.prediction, ex.png
    other = (predicted + 1) % 10
    ex.target.value = other
    assert ex.explained == other and ex.png != before
    np.testing.assert_allclose(ex.attribution, saliency(ex.model, ex.digit[None], other)[0], rtol=1e-5, atol=1e-7)
    assert f"for class {other}:" in ex.status_text and "(the predicted class)" not in ex.status_text
    bars = ex.figure.axes[3].patches
    assert [b.get_facecolor() for b in bars].count(bars[other].get_facecolor()) == 1   # the explained one stands out
    ex.target.value = PREDICTED
    assert ex.explained == predicted


def test_slider_and_typed_index_choose_the_test_digit(explorer, digits):
    ex = explorer
    x, y = digits
    ex.method.value, ex.target.value = "saliency", PREDICTED
    ex.index.value = 3
    before = ex.png
    ex.index_text.value = 7                                      # typed: the slider follows
    assert ex.index.value == 7 and ex.png != before
    np.testing.assert_allclose(ex.digit, x[7] / 255, rtol=1e-6)
    np.testing.assert_allclose(ex.figure.axes[0].images[0].get_array(), x[7] / 255, rtol=1e-6)
    assert f"test digit 7 (label {y[7]})" in ex.status_text
    ex.index.value = 8
    assert ex.index_text.value == 8 and f"test digit 8 (label {y[8]})" in ex.status_text


def test_a_drawing_becomes_the_input_and_the_test_digits_come_back(model, digits):
    ex = attribution_explorer(model, *digits)
    assert ex.pad_box.layout.display == "none"                  # no pad for test digits
    ex.pad.strokes = example_strokes(4)                          # what the browser sends after a stroke
    assert ex.source.value == DRAWING and ex.pad_box.layout.display is None and ex.index.disabled
    digit = to_mnist_digit(strokes_to_drawing(example_strokes(4))) / 255
    np.testing.assert_allclose(ex.digit, digit, rtol=1e-6)
    assert ex.prediction == 4 and ex.status_text.startswith("your drawing: the model says 4")
    np.testing.assert_allclose(ex.attribution, saliency(model, digit[None], 4)[0], rtol=1e-5, atol=1e-7)
    ex.clear.click()
    assert ex.digit is None and ex.png is None and "Draw a digit" in ex.status_text
    ex.source.value = TEST
    assert ex.pad_box.layout.display == "none" and not ex.index.disabled
    assert ex.status_text.startswith("test digit 0")


def test_a_static_page_gets_a_picture(model, digits):
    ex = attribution_explorer(model, *digits, strokes=example_strokes(1))
    assert ex.source.value == DRAWING and ex.prediction == 1
    bundle = ex._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle and bundle["image/png"]
    ex.source.value = TEST
    assert ex._repr_mimebundle_()["image/png"]


def test_render_false_computes_without_a_figure(model, digits):
    ex = AttributionExplorer(model, *digits, render=False, index=5)
    ex.method.value = "occlusion"
    assert ex.figure is None and ex.attribution.shape == (28, 28)


def test_images_are_raw_pixels(digits):
    x, _ = digits
    np.testing.assert_allclose(raw_images(x), x / 255, rtol=1e-6)              # uint8: divided by 255
    np.testing.assert_allclose(raw_images((x / 255.0)[..., None]), x / 255, rtol=1e-6)
    with pytest.raises(ValueError, match="divide 0..255 floats by 255"):
        raw_images(x.astype(np.float32))


def test_bad_input_gets_clear_errors(model, digits):
    x, y = digits
    with pytest.raises(ValueError, match="one whole-number label per image"):
        attribution_explorer(model, x, y[:-1])
    bad = (x / 255.0).astype(np.float32)
    bad[3, 5, 5] = np.nan
    with pytest.raises(NonFiniteImageError):
        attribution_explorer(model, bad, y)
    with pytest.raises(ValueError, match=r"\(N, 28, 28\)"):
        attribution_explorer(model, x[:, :20], y)
    with pytest.raises(IndexError, match="0..19"):
        attribution_explorer(model, x, y, index=N)


def test_a_model_without_grad_cam_layers_leaves_grad_cam_out(digits):
    """The articles' Keras names (conv2d, …): no Conv2D_2/Conv2D_3, so no Grad-CAM entries, and the reason kept."""
    model = keras.Sequential([keras.Input((28, 28, 1)), layers.Conv2D(4, 3, activation="relu", name="conv2d"),
                              layers.Flatten(name="flatten"), layers.Dense(10, activation="softmax", name="dense")])
    offered, left_out = available_methods(model)
    assert [m for m in METHODS if m not in offered] == ["Grad-CAM Conv2D_2", "Grad-CAM Conv2D_3"]
    assert "no layer named 'Conv2D_3'" in left_out["Grad-CAM Conv2D_3"]
    ex = attribution_explorer(model, *digits, render=False)
    assert list(ex.method.options) == offered and ex.left_out == left_out
