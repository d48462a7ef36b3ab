"""helpers.cnn.basics: the NumPy convolution and pooling of notebook 01 agree with Keras; shapes,
receptive fields and parameter counts of the article CNN."""
import matplotlib

matplotlib.use("Agg")

import numpy as np
import pytest
import tensorflow as tf

from helpers.cnn.basics import (EXAMPLE_KERNELS, conv_output_size, convolve, max_pool, mlp_param_count,
                            params_per_layer, plot_maps, plot_receptive_fields, receptive_fields, same_padding)
from helpers.model import build_cnn


def keras_conv(image, kernel, stride, padding):
    x = tf.constant(np.asarray(image, np.float32)[None, :, :, None])
    k = tf.constant(np.asarray(kernel, np.float32)[:, :, None, None])
    return tf.nn.conv2d(x, k, strides=stride, padding=padding.upper()).numpy()[0, :, :, 0]


@pytest.mark.parametrize("size", [28, 27, 13])
@pytest.mark.parametrize("stride", [1, 2, 3])
@pytest.mark.parametrize("padding", ["valid", "same"])
def test_convolve_matches_tensorflow(size, stride, padding):
    rng = np.random.default_rng(size * 10 + stride)
    image = rng.normal(size=(size, size))
    for kernel in list(EXAMPLE_KERNELS.values()) + [rng.normal(size=(3, 2)), rng.normal(size=(4, 4))]:
        ours = convolve(image, kernel, stride, padding)
        np.testing.assert_allclose(ours, keras_conv(image, kernel, stride, padding), atol=1e-4)
        assert ours.shape == (conv_output_size(size, kernel.shape[0], stride, padding),
                              conv_output_size(size, kernel.shape[1], stride, padding))


def test_convolve_does_not_flip_the_kernel():
    image = np.zeros((5, 5))
    image[2, 2] = 1.0
    kernel = np.arange(9.0).reshape(3, 3)
    # a single bright pixel copies the kernel, rotated by 180°, into the map (no flip → rotated copy)
    np.testing.assert_array_equal(convolve(image, kernel), kernel[::-1, ::-1])


def test_output_size_formula():
    assert conv_output_size(28, 3) == 26
    assert conv_output_size(28, 3, 2) == 13
    assert conv_output_size(28, 3, 1, "same") == 28
    assert conv_output_size(28, 3, 2, "same") == 14
    assert conv_output_size(27, 3, 2, "same") == 14
    assert conv_output_size(26, 2, 2) == 13 and conv_output_size(11, 2, 2) == 5
    assert same_padding(28, 3, 1) == (1, 1)
    assert same_padding(28, 3, 2) == (0, 1)  # TensorFlow puts the odd zero row after the image
    with pytest.raises(ValueError, match="padding must be one of"):
        conv_output_size(28, 3, 1, "full")
    with pytest.raises(ValueError, match="does not fit"):
        conv_output_size(2, 3)
    with pytest.raises(ValueError, match="≥ 1"):
        conv_output_size(28, 3, 0)


def test_max_pool_matches_keras():
    import keras

    rng = np.random.default_rng(0)
    for size in (26, 11):
        m = rng.normal(size=(size, size)).astype(np.float32)
        expected = keras.layers.MaxPooling2D((2, 2))(m[None, :, :, None]).numpy()[0, :, :, 0]
        np.testing.assert_array_equal(max_pool(m), expected)
    small = np.array([[1, 2, 0, 0], [3, 4, 0, 9], [5, 0, 1, 1], [0, 0, 1, 2]])
    assert max_pool(small).tolist() == [[4, 9], [5, 2]]
    with pytest.raises(ValueError, match="2-D"):
        max_pool(np.zeros((2, 4, 4)))


def test_receptive_fields_of_the_article_cnn():
    geo = receptive_fields(build_cnn())
    assert [g.name for g in geo] == ["Conv2D_1", "Max_Pool_1", "Conv2D_2", "Max_Pool_2", "Conv2D_3"]
    assert [g.output_shape for g in geo] == [(26, 26, 32), (13, 13, 32), (11, 11, 64), (5, 5, 64), (3, 3, 128)]
    assert [g.receptive_field for g in geo] == [3, 4, 8, 10, 18]
    assert [g.jump for g in geo] == [1, 2, 2, 4, 4]
    assert geo[0].region(0) == (0, 2)  # the first conv value sees pixels 0..2
    assert geo[-1].region(0) == (0, 17) and geo[-1].region(2) == (8, 25)


def test_receptive_field_agrees_with_gradients():
    """Independent check: the input pixels that influence one Conv2D_3 value are exactly its field."""
    import keras

    model = build_cnn(seed=0)
    sub = keras.Model(model.input, model.get_layer("Conv2D_3").output)
    x = tf.Variable(np.random.default_rng(0).normal(size=(1, 28, 28, 1)).astype(np.float32))
    with tf.GradientTape() as tape:
        value = tf.reduce_sum(sub(x)[0, 1, 1, :])  # sum over maps so that some ReLU is active
    rows, cols = np.nonzero(np.abs(tape.gradient(value, x).numpy()[0, :, :, 0]) > 0)
    first, last = receptive_fields(model)[-1].region(1)
    assert rows.min() >= first and rows.max() <= last and cols.min() >= first and cols.max() <= last
    assert rows.max() - rows.min() + 1 > 10  # far more than the 3×3 of one conv layer


def test_receptive_fields_with_same_padding_and_strides():
    import keras

    inp = keras.Input((28, 28, 1))
    x = keras.layers.Conv2D(4, 3, padding="same", name="a")(inp)
    x = keras.layers.Conv2D(4, 3, strides=2, padding="same", name="b")(x)
    x = keras.layers.Conv2D(4, 5, name="c")(x)
    geo = receptive_fields(keras.Model(inp, x))
    assert [g.output_shape[:2] for g in geo] == [(28, 28), (14, 14), (10, 10)]
    assert [g.receptive_field for g in geo] == [3, 5, 13]
    assert [g.jump for g in geo] == [1, 2, 2]
    assert geo[0].region(0) == (-1, 1)  # 'same' padding: the first field hangs over the border
    assert geo[1].region(0) == (-1, 3)  # stride 2 on 28 pixels pads only after the image
    assert geo[2].region(0) == (-1, 11)
    with pytest.raises(ValueError, match="no Conv2D or MaxPooling2D"):
        receptive_fields(keras.Sequential([keras.Input((4,)), keras.layers.Dense(2)]))


def test_parameter_counts():
    import keras

    assert mlp_param_count((784, 100, 10)) == 79_510
    mlp = keras.Sequential([keras.Input((784,)), keras.layers.Dense(512), keras.layers.Dense(512),
                            keras.layers.Dense(10)])
    assert mlp_param_count((784, 512, 512, 10)) == mlp.count_params()
    per_layer = params_per_layer(build_cnn())
    assert per_layer == {"Conv2D_1": 320, "Conv2D_2": 18_496, "Conv2D_3": 73_856, "Dense_1": 115_300,
                         "Dense_2": 1_010}
    assert sum(per_layer.values()) == 208_982
    with pytest.raises(ValueError, match="at least an input and an output"):
        mlp_param_count([784])


def test_figures_are_drawn():
    import matplotlib.pyplot as plt

    image = np.random.default_rng(0).integers(0, 256, (28, 28))
    fig = plot_maps([image, EXAMPLE_KERNELS["blur"]], ["digit", "blur"], suptitle="x")
    assert len(fig.axes) == 4  # two images, two colorbars
    fig2 = plot_receptive_fields(image, receptive_fields(build_cnn()))
    assert len(fig2.axes[0].patches) == 6  # the image frame and five fields
    with pytest.raises(ValueError, match="titles"):
        plot_maps([image], ["a", "b"])
    plt.close("all")
