"""Dataset examples (helpers.gallery.examples, notebook 07 section 3): the strongest test digits of every map,
checked against a brute-force Keras computation on 300 test digits, the receptive-field boxes against the
gradient of the unit, the OIP / data ratio, and the errors for bad input."""
import matplotlib
import numpy as np
import pytest

matplotlib.use("Agg")

import tensorflow as tf  # noqa: E402

from helpers import load_mnist, load_reference_model  # noqa: E402
from helpers.activations import layer_activations  # noqa: E402
from helpers.cnn.basics import receptive_fields  # noqa: E402
from helpers.data import NonFiniteImageError  # noqa: E402
from helpers.gallery import dataset_examples, examples_figure, oip_against_data  # noqa: E402
from helpers.gallery.examples import strip_figure, top_k_per_map  # noqa: E402
from helpers.gallery.layer import Gallery  # noqa: E402
from helpers.model import UnknownLayerError  # noqa: E402
from helpers.oip import OIPResult  # noqa: E402

LAYERS = ["Conv2D_1", "Conv2D_2", "Conv2D_3"]
N, K = 300, 9


@pytest.fixture(scope="module")
def model():
    return load_reference_model()


@pytest.fixture(scope="module")
def digits():
    return load_mnist()[1][0][:N]                     # raw uint8 test digits


@pytest.fixture(scope="module")
def examples(model, digits):
    return dataset_examples(model, digits, k=K)


@pytest.fixture(scope="module")
def brute(model, digits):
    """{layer: full activations (N, h, w, maps)} from the plain Keras sub-model, one layer at a time."""
    return {name: layer_activations(model, name, digits) for name in LAYERS}


def test_default_layers_are_the_conv_layers_and_shapes_fit(examples):
    assert examples.layer_names == LAYERS and examples.n_images == N
    for name, n_maps, side in zip(LAYERS, (32, 64, 128), (26, 11, 3)):
        e = examples[name]
        assert e.top_indices.shape == e.top_values.shape == e.top_unit_values.shape == (n_maps, K)
        assert e.top_positions.shape == (n_maps, K, 2) and e.boxes.shape == (n_maps, K, 4)
        assert e.means.shape == (N, n_maps) and e.map_shape == (side, side)
        assert np.all(e.hist_counts.sum(axis=1) == N)


@pytest.mark.parametrize("name", LAYERS)
def test_top_k_digits_positions_and_values_agree_with_brute_force(examples, brute, name):
    act = brute[name]
    means = act.mean(axis=(1, 2))                                              # (N, maps)
    e = examples[name]
    np.testing.assert_allclose(e.means, means, rtol=1e-4, atol=1e-5)
    maps = sorted({0, e.n_maps // 2, e.n_maps - 1, *e.live[:3].tolist()})
    for m in maps:
        order = np.argsort(-means[:, m], kind="stable")
        np.testing.assert_allclose(e.top_values[m], means[order[:K], m], rtol=1e-4, atol=1e-5)
        gaps = np.abs(np.diff(means[order[:K + 1], m]))
        if gaps.min() > 1e-4:                                                  # no near-ties: the same digits
            assert e.top_indices[m].tolist() == order[:K].tolist(), (name, m)
        for j, i in enumerate(e.top_indices[m]):
            unit = act[i, :, :, m]
            r, c = e.top_positions[m, j]
            assert unit[r, c] == pytest.approx(unit.max(), rel=1e-4, abs=1e-5)    # the strongest unit
            assert e.top_unit_values[m, j] == pytest.approx(unit.max(), rel=1e-4, abs=1e-5)


def test_batching_changes_nothing(model, digits, examples):
    small = dataset_examples(model, digits, ["Conv2D_3"], k=K, batch_size=64)
    np.testing.assert_array_equal(small["Conv2D_3"].top_indices, examples["Conv2D_3"].top_indices)
    np.testing.assert_array_equal(small["Conv2D_3"].boxes, examples["Conv2D_3"].boxes)


def test_top_k_per_map_breaks_ties_by_the_smaller_index():
    values = np.array([[1, 0], [3, 0], [3, 0], [2, 0]], np.float32)
    np.testing.assert_array_equal(top_k_per_map(values, 3), [[1, 2, 3], [0, 1, 2]])


def test_boxes_follow_the_receptive_field_recursion(model, examples):
    for g in receptive_fields(model):
        if g.name not in LAYERS:
            continue
        e = examples[g.name]
        rows, cols = e.top_positions[..., 0], e.top_positions[..., 1]
        # valid padding throughout: the field of unit i starts at pixel i * jump
        np.testing.assert_array_equal(e.boxes[..., 0], rows * g.jump)
        np.testing.assert_array_equal(e.boxes[..., 1], cols * g.jump)
        np.testing.assert_array_equal(e.boxes[..., 2] - e.boxes[..., 0] + 1, g.receptive_field)
        np.testing.assert_array_equal(e.boxes[..., 3] - e.boxes[..., 1] + 1, g.receptive_field)


def _nonzero_gradient(model, name, images, row, col, map_index=None):
    """Pixels (28, 28) where the gradient of unit (row, col) of the layer (one map, or all maps summed) is
    non-zero for at least one of the images."""
    from helpers.activations.maps import layer_submodel

    x = tf.constant(images)
    with tf.GradientTape() as tape:
        tape.watch(x)
        out = layer_submodel(model, name)(x, training=False)[:, row, col, :]
        total = tf.reduce_sum(out if map_index is None else out[:, map_index])
    return np.abs(tape.gradient(total, x).numpy()).max(axis=(0, 3)) > 0


@pytest.mark.parametrize("name", LAYERS)
def test_the_box_holds_exactly_the_pixels_the_unit_depends_on(model, examples, name):
    e = examples[name]
    m = int(e.live[0])
    top, left, bottom, right = e.boxes[m, 0]
    box = np.zeros((28, 28), bool)
    box[top:bottom + 1, left:right + 1] = True
    r, c = e.top_positions[m, 0]
    digit = examples.images[e.top_indices[m, :1]]
    own = _nonzero_gradient(model, name, digit, r, c, m)           # the strongest digit's strongest unit
    assert own.any() and not np.any(own & ~box), "the unit's gradient reaches outside its box"
    # over many noise images (no ties in the max pooling) and all maps of the unit, every pixel of the box
    # counts: the box is exactly the unit's field
    noise = np.random.default_rng(0).normal(size=(64, 28, 28, 1)).astype(np.float32)
    everything = _nonzero_gradient(model, name, noise, r, c)
    np.testing.assert_array_equal(everything, box)


def _fake_gallery(name, losses):
    results = [OIPResult(m, np.zeros((28, 28)), np.array([1.0, loss]), [], True, True)
               for m, loss in enumerate(losses)]
    return Gallery(name, results, np.arange(len(losses)))


def test_oip_against_data_divides_the_final_loss_by_the_strongest_digit(examples):
    e = examples["Conv2D_2"]
    factors = np.where(np.arange(e.n_maps) % 3 == 0, 0.5, 2.0 + np.arange(e.n_maps) / 100)
    dead = e.strongest_values <= 0
    losses = np.where(dead, 1.0, e.strongest_values * factors)
    against = oip_against_data(_fake_gallery("Conv2D_2", losses), examples)
    np.testing.assert_allclose(against.ratios[~dead], factors[~dead], rtol=1e-5)
    assert np.all(np.isnan(against.ratios[dead])) and against.no_digit.tolist() == np.flatnonzero(dead).tolist()
    expected = np.flatnonzero(~dead & (factors < 1))
    assert sorted(against.not_beaten.tolist()) == expected.tolist()
    assert against.lowest[1] == pytest.approx(0.5, rel=1e-5)
    assert against.median == pytest.approx(np.median(factors[~dead]), rel=1e-5)
    assert f"{len(expected)} at or below 1" in against.summary()
    with pytest.raises(ValueError, match="Conv2D_1"):
        oip_against_data(_fake_gallery("Conv2D_2", losses), examples["Conv2D_1"])
    with pytest.raises(ValueError, match="whole-layer gallery"):
        oip_against_data(_fake_gallery("Conv2D_2", losses[:10]), examples)


def test_figures_have_one_row_per_map_with_titles(examples):
    e = examples["Conv2D_3"]
    m = int(e.live[0])
    gallery = _fake_gallery("Conv2D_3", np.ones(e.n_maps))
    fig = examples_figure(examples, [gallery], [("Conv2D_3", m), ("Conv2D_3", int(e.live[1]))], k=4)
    assert len(fig.axes) == 2 * (4 + 2)
    assert fig.axes[0].get_ylabel() == f"Conv2D_3\nmap {m}" and fig.axes[0].get_title().startswith("OIP")
    assert fig.axes[1].get_title().startswith(f"#{e.top_indices[m, 0]}:")
    assert fig.axes[5].get_xlabel() == "mean activation" and "OIP | strongest real digits" in fig._suptitle.get_text()
    strip = strip_figure(examples, "Conv2D_3", m)
    assert [ax.get_title().split(":")[0] for ax in strip.axes] == [f"#{i}" for i in e.top_indices[m]]
    import matplotlib.pyplot as plt
    plt.close("all")


def test_bad_input_is_refused_with_a_clear_message(model, digits):
    with pytest.raises(ValueError, match=f"k={N + 1} .* {N} images"):
        dataset_examples(model, digits, ["Conv2D_3"], k=N + 1)
    with pytest.raises(ValueError, match="choose k between 1"):
        dataset_examples(model, digits, ["Conv2D_3"], k=0)
    with pytest.raises(UnknownLayerError, match="Valid conv or pool layer names: Conv2D_1, Max_Pool_1"):
        dataset_examples(model, digits, ["Conv2D_4"])
    with pytest.raises(ValueError, match="not a conv or pool layer"):
        dataset_examples(model, digits, ["Dense_1"])
    bad = digits[:5].astype(np.float32)
    bad[3, 4, 4] = np.nan
    with pytest.raises(NonFiniteImageError, match=r"image\(s\) \[3\]"):
        dataset_examples(model, bad, ["Conv2D_3"], k=2)
