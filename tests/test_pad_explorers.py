"""The drawing pad and its explorers (notebooks 04 and 05), driven by setting the strokes as the browser does
after each stroke (no kernel, no browser)."""
import base64

import matplotlib
import numpy as np
import pytest
import traitlets

matplotlib.use("Agg")

from helpers import load_reference_model  # noqa: E402
from helpers.activations import UnknownLayerError, activation_grid, activations_of_layers  # noqa: E402
from helpers.activations.drawing import example_strokes, strokes_to_drawing, to_mnist_digit  # noqa: E402
from helpers.activations.four_vs_nine import pattern_typicality  # noqa: E402
from helpers.activations.pad import DrawingPad  # noqa: E402
from helpers.activations.pad_explorers import (EMPTY_STATUS, STATIC_NOTE, FourNineDrawingExplorer,  # noqa: E402
                                               LayerDrawingExplorer, drawing_explorer, four_nine_drawing_explorer)


@pytest.fixture(scope="module")
def model():
    return load_reference_model()


def test_a_drawn_one_and_zero_are_read_as_1_and_0(model):
    ex = drawing_explorer(model, start=None, render=False)
    assert ex.status.value == EMPTY_STATUS and ex.digit is None
    for digit in (1, 0):
        ex.pad.strokes = example_strokes(digit)             # what the browser sends when a stroke ends
        np.testing.assert_array_equal(ex.digit, to_mnist_digit(strokes_to_drawing(example_strokes(digit))))
        expected = activations_of_layers(model, ["Softmax"], ex.digit)["Softmax"][0]
        np.testing.assert_allclose(ex.probabilities, expected, rtol=1e-5, atol=1e-7)
        assert ex.prediction == digit, f"a drawn {digit} is read as {ex.prediction}: {np.round(ex.probabilities, 3)}"
        assert f"says <b>{digit}</b>" in ex.status.value


def test_each_stroke_and_each_layer_redraws(model):
    ex = LayerDrawingExplorer(model, layer="Conv2D_1", render=True)
    assert ex.figure is None and ex.png is None
    first, second = example_strokes(4)
    ex.pad.strokes = [first]
    figure, one_stroke = ex.figure, ex.png
    assert one_stroke[:8] == b"\x89PNG\r\n\x1a\n" and ex.grid.shape == (4 * 26, 8 * 26)
    ex.pad.strokes = [first, second]
    assert ex.png != one_stroke and ex.figure is figure            # the same figure with the new data
    np.testing.assert_allclose(ex.grid, activation_grid(ex.activations["Conv2D_1"]), rtol=1e-6)
    np.testing.assert_allclose(figure.axes[2].images[0].get_array(), ex.grid, rtol=1e-6)
    np.testing.assert_array_equal(figure.axes[0].images[0].get_array(), ex.digit)
    heights = [bar.get_height() for bar in figure.axes[1].patches]
    np.testing.assert_allclose(heights, ex.probabilities, rtol=1e-6)
    ex.layer.value = "Dense_1"                                       # another layout: a new figure
    assert ex.figure is not figure
    assert ex.grid.shape == (10, 10) and "Dense_1: 100 nodes" in ex.status_text
    titles = [ax.get_title() for ax in ex.figure.axes]
    assert any("Dense_1" in t for t in titles) and any(f"says {ex.prediction}" in t for t in titles)


def test_clear_button_and_strokes_off_the_pad(model):
    ex = drawing_explorer(model, render=True)
    assert ex.pad.strokes and ex.figure is not None             # starts with the example 4
    ex.clear.click()
    assert ex.pad.strokes == [] and ex.digit is None and ex.figure is None
    assert "Draw a digit" in ex.status_text
    ex.pad.strokes = [[[-500.0, -500.0], [-400.0, -450.0]]]     # all outside the canvas: no ink
    assert "draw a digit first" in ex.status_text and ex.probabilities is None


def test_four_nine_explorer_shows_the_chosen_maps_nodes_and_typicality(model):
    rng = np.random.default_rng(0)
    mean_4, mean_9 = rng.random((3, 3, 128)), rng.random((3, 3, 128))
    top_maps, nodes = [5, 17, 99], [3, 42]
    ex = four_nine_drawing_explorer(model, top_maps, nodes, mean_4=mean_4, mean_9=mean_9)
    p = ex.probabilities
    assert f"P(4) = {p[4]:.3f}, P(9) = {p[9]:.3f}" in ex.status_text
    expected = pattern_typicality(ex.activations["Conv2D_3"][None], mean_4, mean_9, maps=top_maps)[0]
    assert ex.typicality == pytest.approx(expected)
    assert f"{expected:+.2f}" in ex.status_text
    strip = ex.figure.axes[2].images[0].get_array()
    assert strip.shape == (3, 3 * 3)                            # 3 maps of 3×3 in one row (up to 4 per row)
    np.testing.assert_allclose(strip[:, 3:6], ex.activations["Conv2D_3"][..., 17], rtol=1e-6)
    assert [t.get_text() for t in ex.figure.axes[2].texts] == ["5", "17", "99"]
    assert len(ex.figure.axes[3].patches) == len(nodes)        # Dense_1 with the chosen nodes framed
    ex.pad.strokes = example_strokes(1)
    assert ex.prediction == 1
    np.testing.assert_allclose(ex.figure.axes[3].images[0].get_array(),
                               activation_grid(ex.activations["Dense_1"]), rtol=1e-6)


def test_static_picture_for_pages_without_a_kernel(model):
    ex = drawing_explorer(model, layer="Max_Pool_2")
    bundle = ex._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle
    assert base64.b64decode(bundle["image/png"])[:8] == b"\x89PNG\r\n\x1a\n"
    fig = ex.static_figure()
    assert fig._suptitle.get_text() == STATIC_NOTE and "needs a running kernel" in STATIC_NOTE
    pad_picture = fig.subfigs[0].axes[0].images[0].get_array()
    np.testing.assert_allclose(pad_picture, 1 - ex.drawing)     # the strokes, dark on the pad's white


def test_bad_arguments(model):
    with pytest.raises(UnknownLayerError, match="Valid layer names"):
        LayerDrawingExplorer(model, layer="conv2d_9", render=False)
    with pytest.raises(ValueError, match="cannot be shown as a grid"):
        LayerDrawingExplorer(model, layer="Flatten", render=False)
    with pytest.raises(IndexError, match=r"0\.\.127"):
        FourNineDrawingExplorer(model, [3, 128], [1], render=False)
    with pytest.raises(IndexError, match="distinct"):
        FourNineDrawingExplorer(model, [3], [1, 1], render=False)
    with pytest.raises(ValueError, match="both average patterns"):
        FourNineDrawingExplorer(model, [3], [1], mean_4=np.zeros((3, 3, 128)), render=False)
    pad = DrawingPad()
    with pytest.raises(traitlets.TraitError, match="Stroke 0 must be a non-empty list"):
        pad.strokes = [[]]
    with pytest.raises(traitlets.TraitError, match=r"\[x, y\] points"):
        pad.strokes = [[[1, 2, 3]]]
