"""The kernels of Conv2D_1, the one-layer shortcut of the learner's question, and the figure (notebook 07,
section 3); the rule that picks the series map (section 5)."""
import matplotlib
import numpy as np
import pytest
import tensorflow as tf

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402

from helpers.cnn.basics import EXAMPLE_KERNELS  # noqa: E402
from helpers.gallery import (kernel_figure, layer_kernels, map_gradients, one_layer_ascent,  # noqa: E402
                             one_layer_gradient, smooth_share)
from helpers.gallery.layer import Gallery  # noqa: E402
from helpers.model import load_reference_model  # noqa: E402
from helpers.oip import My_OIP, OIPResult  # noqa: E402


@pytest.fixture(scope="module")
def model():
    return load_reference_model()


def test_first_layer_kernels_are_images_and_deeper_ones_are_refused(model):
    kernels, biases = layer_kernels(model, "Conv2D_1")
    w, b = model.get_layer("Conv2D_1").get_weights()
    assert kernels.shape == (32, 3, 3) and biases.shape == (32,)
    np.testing.assert_array_equal(kernels[7], w[:, :, 0, 7])
    np.testing.assert_array_equal(biases, b)
    with pytest.raises(ValueError, match="32 input maps"):
        layer_kernels(model, "Conv2D_2")


def test_smooth_share_is_one_for_edges_and_brightness_and_a_third_for_random_kernels():
    for name in ("horizontal edges", "vertical edges", "blur"):
        assert smooth_share(EXAMPLE_KERNELS[name])[0] == pytest.approx(1.0)
    assert smooth_share(EXAMPLE_KERNELS["sharpen"])[0] < 0.9           # a centre spot is not smooth
    diagonal = np.add.outer(np.arange(3.0), np.arange(3.0))           # an edge at 45 degrees
    assert smooth_share(diagonal)[0] == pytest.approx(1.0)
    random = smooth_share(np.random.default_rng(0).normal(size=(4000, 3, 3)))
    assert random.shape == (4000,) and random.mean() == pytest.approx(1 / 3, abs=0.02)
    assert smooth_share(np.zeros((3, 3)))[0] == 0.0


def test_the_shortcut_has_one_fixed_gradient_flat_inside_a_frame():
    kernel = EXAMPLE_KERNELS["vertical edges"] + np.float32(0.1) * EXAMPLE_KERNELS["blur"]
    noise = np.random.default_rng(1).normal(size=(3, 28, 28)).astype(np.float32)
    g = one_layer_gradient(noise, kernel, bias=0.05)
    assert g.shape == (3, 28, 28)
    np.testing.assert_allclose(g, np.broadcast_to(g[0], g.shape), atol=1e-9)   # the same for every image
    np.testing.assert_allclose(g[:, 2:-2, 2:-2], (kernel.sum() + 9 * 0.05) / 676, rtol=1e-5)
    assert g[0, 0, 0] == pytest.approx((kernel[0, 0] + 0.05) / 676, rel=1e-5)  # a corner: one weight only
    g_plain = one_layer_gradient(noise[0], kernel, bias=0.05, bias_in_weights=False)
    np.testing.assert_allclose(g_plain[0, 2:-2, 2:-2], kernel.sum() / 676, rtol=1e-5)  # a bias has no gradient
    result = one_layer_ascent(noise[:2], kernel, 0.05, n_steps=20)
    assert result.shape == (2, 28, 28) and abs(result[0].mean()) < 1e-5 and result[0].std() == pytest.approx(1, abs=1e-4)
    inner = np.corrcoef(result[0, 2:-2, 2:-2].ravel(), noise[0, 2:-2, 2:-2].ravel())[0, 1]
    assert inner > 0.9999                                            # inside the frame the noise stays


def test_map_gradients_match_a_finite_difference(model):
    oip = My_OIP(model, "Conv2D_2")
    x = tf.image.per_image_standardization(np.random.default_rng(2).normal(size=(2, 28, 28, 1))
                                           .astype(np.float32)).numpy()
    m = int(np.argmax(oip.map_activations(x)[0]))
    g = map_gradients(oip, x, m)
    assert g.shape == (2, 28, 28) and np.abs(g[0]).max() > 0
    i, j = np.unravel_index(np.argmax(np.abs(g[0])), (28, 28))
    h = 1e-2
    bumped = x[:1].copy()
    bumped[0, i, j, 0] += h

    def act(img):
        return float(tf.reduce_mean(oip.submodel(img, training=False)[..., m]))

    assert (act(bumped) - act(x[:1])) / h == pytest.approx(g[0, i, j], rel=0.1)


def test_kernel_figure_has_a_panel_per_kernel_and_scales_centred_at_zero(model):
    kernels, biases = layer_kernels(model, "Conv2D_1")
    fig = kernel_figure(kernels, biases)
    assert len(fig.kernel_axes) == 32 and len(fig.hand_made_axes) == len(EXAMPLE_KERNELS)
    assert [ax.get_title() for ax in fig.kernel_axes[:2]] == ["map 0", "map 1"]
    assert fig.kernel_axes[3].get_xlabel() == f"b={biases[3]:+.2f}"
    for ax in fig.kernel_axes + fig.hand_made_axes:
        lo, hi = ax.images[0].get_clim()
        assert lo == pytest.approx(-hi) and hi > 0                     # a diverging scale centred at 0
    limit = fig.kernel_axes[0].images[0].get_clim()[1]
    assert limit == pytest.approx(np.abs(kernels).max())               # one scale for all learned kernels
    assert len(fig.axes) == 32 + len(EXAMPLE_KERNELS) + 2              # + two colorbars
    plt.close(fig)
    fig = kernel_figure(kernels[:5], hand_made={})
    assert len(fig.kernel_axes) == 5 and fig.hand_made_axes == []
    plt.close(fig)
    with pytest.raises(ValueError, match="n, height, width"):
        kernel_figure(kernels[0])


def _result(m, loss, responded=True):
    return OIPResult(map_index=m, image=np.zeros((28, 28)), losses=np.array([0.1, loss], np.float32),
                     snapshots=[], responded=responded, converged=True)


def test_strongest_map_prefers_live_maps_with_a_pattern():
    g = Gallery("Conv2D_3", [_result(0, 2.0), _result(1, 9.0), _result(2, 5.0), _result(3, 7.0, responded=False)],
                live=np.array([0, 2, 3]))
    assert g.strongest_map() == (2, pytest.approx(5.0))                # map 1 is dead, map 3 has no pattern
    assert g.strongest_map(live_only=False) == (1, pytest.approx(9.0))
    with pytest.raises(ValueError, match="no live map"):
        Gallery("Conv2D_3", [_result(0, 2.0)], live=np.array([], int)).strongest_map()
