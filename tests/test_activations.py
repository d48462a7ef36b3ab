"""Layer activations and activation grids (helpers/activations.py) and their figures (helpers/activation_plots.py)."""
import os

import keras
import matplotlib
import numpy as np
import pytest

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from helpers import build_cnn, to_model_input  # noqa: E402
from helpers.activations.plots import (plot_digit_and_grid, plot_grid, plot_grids_side_by_side,  # noqa: E402
                                       plot_selected_maps)
from helpers.activations import (UnknownLayerError, activation_grid, check_index, grid_layout,  # noqa: E402
                                 layer_activations, layer_submodel, standardize_maps)
from helpers.model import REFERENCE_MODEL_PATH  # noqa: E402

ARTICLE_LAYERS = ["Conv2D_1", "Max_Pool_1", "Conv2D_2", "Max_Pool_2", "Conv2D_3", "Flatten", "Dense_1", "Dense_2",
                  "Softmax"]


@pytest.fixture(scope="module")
def cnn():
    return build_cnn(seed=0)  # untrained: enough for shapes and for comparing with a direct sub-model


@pytest.fixture(scope="module")
def images():
    # digit-like test images: a bright bar on a dark background, in different places
    x = np.zeros((6, 28, 28), dtype=np.uint8)
    for i in range(6):
        x[i, 4 + 2 * i:10 + 2 * i, 5:23] = 200 + i
    return x


# --- activations -----------------------------------------------------------------------------------

@pytest.mark.parametrize("layer, shape", [
    ("Conv2D_1", (26, 26, 32)), ("Max_Pool_1", (13, 13, 32)), ("Conv2D_2", (11, 11, 64)),
    ("Max_Pool_2", (5, 5, 64)), ("Conv2D_3", (3, 3, 128)), ("Flatten", (1152,)), ("Dense_1", (100,)),
    ("Dense_2", (10,)), ("Softmax", (10,))])
def test_activation_shapes(cnn, images, layer, shape):
    assert layer_activations(cnn, layer, images).shape == (len(images),) + shape
    assert layer_activations(cnn, layer, images[0]).shape == (1,) + shape


@pytest.mark.parametrize("layer", ["Conv2D_1", "Max_Pool_2", "Conv2D_3", "Dense_1", "Softmax"])
def test_activations_equal_direct_submodel(cnn, images, layer):
    direct = keras.Model(cnn.input, cnn.get_layer(layer).output)
    expected = direct.predict(to_model_input(images), verbose=0)
    np.testing.assert_allclose(layer_activations(cnn, layer, images), expected, rtol=1e-5, atol=1e-6)


def test_input_forms_give_the_same_activations(cnn, images):
    ref = layer_activations(cnn, "Conv2D_3", images)
    standardized = to_model_input(images)
    for form in (images[..., None], images.astype(np.float32) / 255.0, images.astype(np.float64), standardized,
                 standardized[..., 0]):
        np.testing.assert_allclose(layer_activations(cnn, "Conv2D_3", form), ref, rtol=1e-4, atol=1e-5)
    # standardized=True feeds the images untouched: a scaled standardized image gives other activations
    scaled = 3.0 * standardized
    direct = keras.Model(cnn.input, cnn.get_layer("Conv2D_3").output).predict(scaled, verbose=0)
    np.testing.assert_allclose(layer_activations(cnn, "Conv2D_3", scaled, standardized=True), direct, rtol=1e-5,
                               atol=1e-6)
    assert not np.allclose(direct, ref)


def test_submodel_is_built_once_per_model_and_layer(cnn, images):
    first = layer_submodel(cnn, "Conv2D_2")
    layer_activations(cnn, "Conv2D_2", images)
    assert layer_submodel(cnn, "Conv2D_2") is first
    assert layer_submodel(cnn, "Conv2D_3") is not first
    other = build_cnn(seed=1)
    assert layer_submodel(other, "Conv2D_2") is not first  # a second model gets its own sub-models


def test_batching_does_not_change_the_result(cnn, images):
    np.testing.assert_allclose(layer_activations(cnn, "Dense_1", images, batch_size=4),
                               layer_activations(cnn, "Dense_1", images), rtol=1e-5, atol=1e-6)


def test_unknown_layer_lists_valid_names(cnn, images):
    with pytest.raises(UnknownLayerError) as err:
        layer_activations(cnn, "dense_14", images)
    assert isinstance(err.value, KeyError)
    for name in ARTICLE_LAYERS:
        assert name in str(err.value)
    assert "image" not in str(err.value).split("Valid layer names:")[1]  # the input is not a layer output


@pytest.mark.parametrize("shape", [(28,), (27, 28), (2, 28, 28, 3), (2, 28, 27, 1), (0, 28, 28), (1, 1, 28, 28, 1)])
def test_wrong_image_shape(cnn, shape):
    with pytest.raises(ValueError, match="28, 28"):
        layer_activations(cnn, "Conv2D_1", np.zeros(shape, dtype=np.uint8))


def test_standardized_uint8_is_refused(cnn, images):
    with pytest.raises(ValueError, match="uint8"):
        layer_activations(cnn, "Conv2D_1", images, standardized=True)


@pytest.mark.parametrize("scale", [1.0, 1 / 255])
def test_standardized_float_pixels_are_refused(cnn, images, scale):
    """Float images in 0..255 or 0..1 are not model input: with standardized=True they would give other
    activations silently. Standardized images (with negative values) pass."""
    raw = images.astype(np.float32) * scale
    with pytest.raises(ValueError, match=r"image\(s\) \[0, 1, .*no negative values"):
        layer_activations(cnn, "Conv2D_1", raw, standardized=True)
    mixed = to_model_input(images)
    mixed[2] = raw[2, ..., None]
    with pytest.raises(ValueError, match=r"image\(s\) \[2\]"):
        layer_activations(cnn, "Conv2D_1", mixed, standardized=True)


@pytest.mark.parametrize("index, error", [(-1, IndexError), (10, IndexError), (100, IndexError), (2.0, TypeError),
                                          (True, TypeError), ("3", TypeError)])
def test_check_index_errors(index, error):
    with pytest.raises(error, match="index"):
        check_index(index, 10, "the test images")
    assert check_index(np.int64(9), 10) == 9


# --- grids -----------------------------------------------------------------------------------------

@pytest.mark.parametrize("layer, grid_shape", [
    ("Conv2D_1", (4 * 26, 8 * 26)), ("Max_Pool_1", (4 * 13, 8 * 13)), ("Conv2D_2", (8 * 11, 8 * 11)),
    ("Max_Pool_2", (8 * 5, 8 * 5)), ("Conv2D_3", (16 * 3, 8 * 3)), ("Dense_1", (10, 10)), ("Dense_2", (2, 5)),
    ("Softmax", (2, 5))])
def test_grid_shapes(cnn, images, layer, grid_shape):
    acts = layer_activations(cnn, layer, images[0])
    assert activation_grid(acts).shape == grid_shape       # leading batch axis of 1 accepted
    assert activation_grid(acts[0]).shape == grid_shape


def test_layout_follows_the_shape_not_the_name():
    assert grid_layout((100,)).kind == "nodes" and grid_layout((100,)).shape == (10, 10)
    assert grid_layout((7,)).shape == (1, 7)
    assert grid_layout((12,)).shape == (3, 4)
    assert grid_layout((3, 3, 128)).kind == "maps"
    assert grid_layout((3, 3, 10)).shape == (2 * 3, 8 * 3)  # 10 maps: two rows, the second part-filled


def test_maps_are_placed_row_by_row():
    acts = np.zeros((3, 3, 128), dtype=np.float32)
    for k in range(128):
        acts[..., k] = k
    grid, index = activation_grid(acts, return_index=True)
    assert grid[0:3, 0:3].tolist() == [[0] * 3] * 3
    assert np.all(grid[0:3, 21:24] == 7)        # last map of the first row
    assert np.all(grid[3:6, 0:3] == 8)          # first map of the second row
    assert np.all(grid[45:48, 21:24] == 127)
    np.testing.assert_array_equal(index, grid.astype(int))
    assert grid_layout(acts.shape).cell_center(9) == (4.0, 4.0)


def test_dense_nodes_fill_a_block_row_by_row():
    grid, index = activation_grid(np.arange(100, dtype=np.float32), return_index=True)
    np.testing.assert_array_equal(grid, np.arange(100).reshape(10, 10))
    np.testing.assert_array_equal(index, np.arange(100).reshape(10, 10))
    assert activation_grid(np.arange(10), dense_shape=(1, 10)).shape == (1, 10)
    wide = activation_grid(np.arange(10), dense_shape=(3, 4))
    assert np.isnan(wide[2, 2:]).all() and wide[2, 1] == 9
    with pytest.raises(ValueError, match="fewer"):
        activation_grid(np.arange(10), dense_shape=(3, 3))


def test_gap_between_maps():
    acts = np.ones((3, 3, 128), dtype=np.float32)
    grid, index = activation_grid(acts, gap=1, return_index=True)
    assert grid.shape == (16 * 3 + 15, 8 * 3 + 7)
    assert np.isnan(grid[3, :]).all() and np.isnan(grid[:, 3]).all()
    assert (index[3, :] == -1).all()
    assert np.nansum(grid) == 128 * 9
    assert activation_grid(acts, gap=2, gap_value=-1.0)[3:5, :].tolist() == [[-1.0] * 38] * 2


def test_per_map_standardization_and_clipping():
    rng = np.random.default_rng(0)
    acts = rng.normal(5.0, 3.0, size=(5, 5, 16)).astype(np.float32)
    acts[..., 3] = 2.0                      # a constant ("dead") map
    acts[0, 0, 4] = 1000.0                  # one outlier
    scaled = standardize_maps(acts, clip=2.0)
    assert np.allclose(scaled[..., 3], 0.0)
    assert scaled.min() >= -2.0 and scaled.max() <= 2.0 and scaled[0, 0, 4] == 2.0
    unclipped = standardize_maps(acts, clip=None)
    np.testing.assert_allclose(unclipped[..., [0, 1, 2]].mean(axis=(0, 1)), 0.0, atol=1e-5)
    np.testing.assert_allclose(unclipped[..., [0, 1, 2]].std(axis=(0, 1)), 1.0, rtol=1e-4)
    grid = activation_grid(acts, standardize=True)
    np.testing.assert_allclose(grid, activation_grid(scaled), rtol=1e-6)


def test_grid_refuses_several_images(cnn, images):
    acts = layer_activations(cnn, "Conv2D_3", images)
    with pytest.raises(ValueError, match="ONE image"):
        activation_grid(acts)
    with pytest.raises(ValueError, match="ONE image"):
        activation_grid(np.zeros((4, 100)))


# --- figures ---------------------------------------------------------------------------------------

def test_digit_and_grid_figure(cnn, images):
    fig = plot_digit_and_grid(cnn, "Conv2D_3", images, 2, labels=np.arange(6), show_indices=True, highlight=[5, 7])
    ax_digit, ax_grid = fig.axes[:2]
    assert "label 2" in ax_digit.get_title()
    assert ax_grid.images[0].get_array().shape == (48, 24)
    assert len([t for t in ax_grid.texts]) == 128 and len(ax_grid.patches) == 2
    plt.close(fig)


def test_side_by_side_share_one_colour_scale(cnn, images):
    fig = plot_grids_side_by_side(cnn, "Dense_1", images, [0, 3, 5], cmap="jet")
    grid_images = [ax.images[0] for ax in fig.axes[3:6]]
    assert all(im.get_array().shape == (10, 10) for im in grid_images)
    assert len({im.get_clim() for im in grid_images}) == 1
    assert grid_images[0].get_cmap().name.startswith("jet")
    plt.close(fig)


def test_plots_refuse_indices_outside_the_data(cnn, images):
    with pytest.raises(IndexError, match="0..5"):
        plot_digit_and_grid(cnn, "Conv2D_1", images, 6)
    with pytest.raises(IndexError, match="outside"):
        plot_grids_side_by_side(cnn, "Conv2D_1", images, [0, 99])
    with pytest.raises(UnknownLayerError):
        plot_digit_and_grid(cnn, "conv2d_1", images, 0)
    plt.close("all")


def test_plot_grid_symmetric_scale():
    fig = plot_grid(np.linspace(-1, 3, 100), symmetric=True, cmap="RdBu_r", highlight=[0, 99])
    assert fig.axes[0].images[0].get_clim() == (-3.0, 3.0)
    plt.close(fig)


def test_selected_maps_table_one_scale_and_labels():
    rng = np.random.default_rng(0)
    patterns = rng.random((3, 3, 3, 16))
    patterns[2, 0, 0, 9] = 50.0                  # a map that is not shown must not set the colour scale
    digits = [None, rng.random((28, 28)), rng.random((28, 28))]
    fig = plot_selected_maps(patterns, [5, 2], row_titles=["average", "one", "two"], digits=digits)
    axes = np.array(fig.axes[:9]).reshape(3, 3)
    assert [ax.get_title() for ax in axes[0]] == ["digit", "map 5", "map 2"]
    assert [ax.get_ylabel() for ax in axes[:, 0]] == ["average", "one", "two"]
    assert not axes[0, 0].images and axes[1, 0].images[0].get_array().shape == (28, 28)
    map_images = [ax.images[0] for ax in axes[:, 1:].ravel()]
    np.testing.assert_array_equal(map_images[1].get_array(), patterns[0, ..., 2])
    assert len({im.get_clim() for im in map_images}) == 1
    assert map_images[0].get_clim()[1] == patterns[..., [5, 2]].max() < 50
    with pytest.raises(ValueError, match="one row title"):
        plot_selected_maps(patterns, [5], row_titles=["only one"])
    with pytest.raises(IndexError, match="0..15"):
        plot_selected_maps(patterns, [16], row_titles=["a", "b", "c"])
    plt.close("all")


# --- with the trained reference model ---------------------------------------------------------------

@pytest.mark.skipif(not REFERENCE_MODEL_PATH.exists(), reason="reference model not trained yet")
@pytest.mark.skipif(not os.environ.get("MNIST_NPZ"), reason="set MNIST_NPZ to a local mnist.npz")
def test_reference_model_grids():
    from helpers import load_mnist, load_reference_model, predict_proba

    model = load_reference_model()
    _, (x_test, y_test) = load_mnist()
    x = x_test[:20]
    assert activation_grid(layer_activations(model, "Dense_1", x[0])).shape == (10, 10)
    assert activation_grid(layer_activations(model, "Conv2D_3", x[0])).shape == (48, 24)
    probs = layer_activations(model, "Softmax", x)
    np.testing.assert_allclose(probs, predict_proba(model, x), rtol=1e-4, atol=1e-6)
    assert np.mean(probs.argmax(axis=1) == y_test[:20]) >= 0.9


def test_map_image_correlation(images):
    from helpers.activations import map_image_correlation

    x = images[:2].astype(np.float32)
    maps = np.stack([x, -x, np.ones_like(x), x[::-1]], axis=-1)          # (2, 28, 28, 4)
    c = map_image_correlation(maps, images[:2])
    np.testing.assert_allclose(c[:, :3], [[1, -1, 0], [1, -1, 0]], atol=1e-9)
    assert abs(c[0, 3]) < 0.99                                         # another digit's map
    small = maps[:, ::2, ::2]                                          # a 14×14 map still resembles the digit
    assert np.all(map_image_correlation(small, images[:2])[:, 0] > 0.9)
    with pytest.raises(ValueError, match="n_maps"):
        map_image_correlation(maps[0], images[:2])


def test_map_image_correlation_in_batches(images, monkeypatch):
    # The enlarged maps of all images at once took 2.3 GB in notebook 04 (Conv2D_3, 1000 digits): the
    # correlation must be computed a batch of images at a time, with the same result.
    from helpers.activations import grids, map_image_correlation

    rng = np.random.default_rng(0)
    x = np.concatenate([images] * 3)                                    # more images than one batch
    maps = rng.random((len(x), 3, 3, 5)).astype(np.float32)
    whole = map_image_correlation(maps, x, batch_size=len(x))
    seen = []
    batch = grids._correlation_of_batch
    monkeypatch.setattr(grids, "_correlation_of_batch", lambda m, i: seen.append(len(m)) or batch(m, i))
    batched = map_image_correlation(maps, x, batch_size=7)
    assert max(seen) == 7 and sum(seen) == len(x)
    np.testing.assert_array_equal(batched, whole)
    assert whole.shape == (len(x), 5)
    with pytest.raises(ValueError, match="batch_size"):
        map_image_correlation(maps, x, batch_size=0)


def test_several_layers_in_one_pass(cnn, images):
    from helpers.activations import activations_of_layers

    one = activations_of_layers(cnn, ["Conv2D_3"], images)  # must not clash with the single-layer cache
    np.testing.assert_allclose(one["Conv2D_3"], layer_activations(cnn, "Conv2D_3", images), rtol=1e-5, atol=1e-6)
    both = activations_of_layers(cnn, ["Conv2D_3", "Dense_1"], images, batch_size=4)
    assert list(both) == ["Conv2D_3", "Dense_1"]
    for name, acts in both.items():
        np.testing.assert_allclose(acts, layer_activations(cnn, name, images), rtol=1e-5, atol=1e-6)
    with pytest.raises(UnknownLayerError, match="Valid layer names"):
        activations_of_layers(cnn, ["Conv2D_3", "Dense_3"], images)
    with pytest.raises(ValueError, match="at least one"):
        activations_of_layers(cnn, [], images)


def test_layer_activations_refuses_nan_images(cnn, images):
    bad = images.astype(np.float32)
    bad[1, 0, 0] = np.nan
    with pytest.raises(ValueError, match=r"NaN or infinite, in image\(s\) \[1\]"):
        layer_activations(cnn, "Conv2D_1", bad)
