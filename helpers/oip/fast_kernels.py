"""The engine's speed-ups: kernels that give the numbers of the plain Keras sub-model (up to float32
rounding) with less work on a CPU. Not part of the algorithm (notebook 06 leaves them out; README "Speed").

* the last Conv2D layer runs only the kernel of each image's own map (one convolution for a batch that
  asks for one map, :func:`own_map_conv` for a batch of different maps);
* only the input rows and columns that reach the layer's output go through the layers
  (:func:`reached_extent`);
* max pooling and the convolutions get gradients that are cheaper on a CPU (:func:`max_pool_mask_grad`,
  :func:`conv_matmul_grad`).

Small batches (a single map: ``derive``) are bound by the fixed cost of each operation, not by
arithmetic: TensorFlow's oneDNN kernels (MaxPool, MaxPoolGrad, Conv2DBackpropInput) cost tens of
microseconds each even for one 28×28 image. A batch of at most SMALL_BATCH images therefore runs
kernels with less fixed cost; larger batches run oneDNN's, which are faster there.

They apply to a plain chain of Conv2D and MaxPooling2D layers from the input (:func:`plain_chain`, as
build_cnn's model has up to Conv2D_3); :func:`chain_activations` and :func:`own_map_activations` are what
the objectives of :mod:`helpers.oip.objectives` call. Measured in benchmarks/bench_oip.py and
benchmarks/bench_peers.py.
"""
from __future__ import annotations

import keras
import tensorflow as tf

VISUAL_LAYER_TYPES = (keras.layers.Conv2D, keras.layers.MaxPooling2D)
SMALL_BATCH = 2  # up to this batch size: max pooling by MaxPoolV2, every Conv2D's input gradient a matmul


@tf.autograph.experimental.do_not_convert  # autograph would strip the custom gradient
def max_pool_mask_grad(h, size: int, small_batch: bool = False):
    """Max pooling with size×size windows, stride size, 'valid' padding: the values of
    tf.nn.max_pool2d, but its gradient is routed to each window's maximum by a mask. On a 2-core CPU
    TensorFlow's MaxPoolGrad is slow: with the mask 100 ascent steps for 128 images take 1.26 s
    instead of 1.72 s (measured against MaxPoolGrad in one process, 2026-11-30; 15-20 % less in an
    earlier engine).
    ``small_batch``: the values come from TensorFlow's plain MaxPoolV2 kernel instead of oneDNN's
    MaxPool (oneDNN does not take MaxPoolV2), whose fixed cost of about 50 µs per call dominates for
    a batch of one or two images: a whole one-map ascent step then takes about 20 % less time. For
    larger batches oneDNN's MaxPool is faster.
    A window with tied maxima passes the gradient to each of them (MaxPoolGrad to one); behind a ReLU
    such ties are at 0, where the ReLU's own gradient is 0 anyway. """

    @tf.custom_gradient
    def pool(h):
        n_h, n_w, c = h.shape[1] // size, h.shape[2] // size, h.shape[3]
        if small_batch:
            y = tf.raw_ops.MaxPoolV2(input=h, ksize=[1, size, size, 1], strides=[1, size, size, 1],
                                     padding="VALID")
        else:
            y = tf.nn.max_pool2d(h, size, size, "VALID")

        def grad(dy):
            cells = tf.reshape(h[:, :size * n_h, :size * n_w], [-1, n_h, size, n_w, size, c])
            g = tf.cast(tf.equal(cells, y[:, :, None, :, None, :]), dy.dtype) * dy[:, :, None, :, None, :]
            g = tf.reshape(g, [-1, size * n_h, size * n_w, c])
            return tf.pad(g, [[0, 0], [0, h.shape[1] - size * n_h], [0, h.shape[2] - size * n_w], [0, 0]])

        return y, grad

    return pool(h)


@tf.autograph.experimental.do_not_convert  # autograph would strip the custom gradient
def conv_matmul_grad(x, layer, matmul: bool = True):
    """A Conv2D layer (stride 1, no dilation, 'valid') on ``x``: the layer's own convolution, bias and
    activation, with a gradient for ``x`` only (the ascent differentiates the image, not the kernel).
    With ``matmul`` that gradient is a matmul with the kernel followed by a sum of kh·kw shifted copies
    (col2im) instead of TensorFlow's Conv2DBackpropInput. On a 2-core CPU that is faster for one input
    channel at any batch size (Conv2D_1 of build_cnn's model: 3 ms instead of 9 ms per step for 128
    images, 0.06 instead of 0.25 ms for one) and for batches of up to SMALL_BATCH images (Conv2D_2:
    0.11 instead of 0.23 ms for one image; from 4 images on Conv2DBackpropInput is faster, and
    :func:`chain_activations` passes ``matmul=False``). The same sums in another order (float32 rounding).
    """
    kernel = tf.convert_to_tensor(layer.kernel)
    kh, kw, c_in, c_out = kernel.shape

    @tf.custom_gradient
    def conv(x):
        z = tf.nn.conv2d(x, kernel, 1, "VALID")

        def by_matmul(dz):   # dz: the gradient of z
            h, w = dz.shape[1], dz.shape[2]
            cols = tf.matmul(tf.reshape(dz, [-1, c_out]), tf.reshape(kernel, [kh * kw * c_in, c_out]),
                             transpose_b=True)
            cols = tf.reshape(cols, [-1, h, w, kh * kw, c_in])
            return tf.add_n([tf.pad(cols[:, :, :, i * kw + j], [[0, 0], [i, kh - 1 - i], [j, kw - 1 - j], [0, 0]])
                             for i in range(kh) for j in range(kw)])

        def by_backprop(dz):
            return tf.raw_ops.Conv2DBackpropInput(input_sizes=tf.shape(x), filter=kernel, out_backprop=dz,
                                                  strides=[1, 1, 1, 1], padding="VALID")

        return z, (by_matmul if matmul else by_backprop)

    z = conv(x)
    return layer.activation(z + layer.bias if layer.use_bias else z)


def has_matmul_grad(layer) -> bool:
    """True for a Conv2D layer that :func:`chain_activations` runs through :func:`conv_matmul_grad`: stride 1, no
    dilation, 'valid'."""
    return (isinstance(layer, keras.layers.Conv2D) and type(layer) is keras.layers.Conv2D
            and layer.groups == 1 and layer.data_format == "channels_last" and layer.padding == "valid"
            and tuple(layer.strides) == (1, 1) and tuple(layer.dilation_rate) == (1, 1))


def is_plain_pool(layer) -> bool:
    """True for a MaxPooling2D layer that :func:`max_pool_mask_grad` can stand in for. """
    return (isinstance(layer, keras.layers.MaxPooling2D) and layer.padding == "valid"
            and layer.data_format == "channels_last"
            and len(set(layer.pool_size) | set(layer.strides)) == 1)


def reached_extent(chain, in_hw) -> tuple[int, int] | None:
    """The input rows and columns (from the top left) that reach the last layer's output of a plain
    chain of 'valid' Conv2D and MaxPooling2D layers: e.g. 26×26 of the 28×28 image for Conv2D_3 of
    build_cnn's model, whose 11×11 Conv2D_2 output loses its last row and column to the 2×2 pooling.
    The others never reach the output (their gradient is 0): cropping them first gives the same
    numbers with less work. None if nothing can be cropped or a layer is not 'valid'.
    """
    if not chain or None in in_hw:
        return None
    sizes, hw = [], tuple(int(d) for d in in_hw)
    for layer in chain:  # forward: each layer's window and stride, and its output size
        if getattr(layer, "padding", None) != "valid" or getattr(layer, "data_format", None) != "channels_last":
            return None
        if isinstance(layer, keras.layers.Conv2D):
            win = [(k - 1) * d + 1 for k, d in zip(layer.kernel_size, layer.dilation_rate)]
        else:
            win = list(layer.pool_size)
        sizes.append((win, layer.strides))
        hw = tuple((n - w) // s + 1 for n, w, s in zip(hw, win, layer.strides))
    for win, strides in reversed(sizes):  # backward: the input that these outputs need
        hw = tuple((n - 1) * s + w for n, w, s in zip(hw, win, strides))
    return hw if hw != tuple(int(d) for d in in_hw) else None


def own_map_conv(x, layer, kernel, bias):
    """Each image's own map of a Conv2D layer: image k (of ``x``, the layer's input) is convolved with its
    own kernel ``kernel[..., k]`` (kernel (kh, kw, c_in, n), bias (n,) or None), which is the layer's
    output channel ``channels[k]`` when ``kernel`` holds the layer's kernels gathered by ``channels``.
    Returns (n, h, w, 1), the layer's output (n, h, w, maps) gathered by channel (up to float32
    rounding: the sums run in another order), for 1/maps of the work: the batch becomes the channels
    of one depthwise convolution.
    """
    n, c_in = tf.shape(x)[0], x.shape[-1]
    kh, kw = layer.kernel_size
    x1 = tf.reshape(tf.transpose(x, [1, 2, 0, 3]), [1, tf.shape(x)[1], tf.shape(x)[2], n * c_in])
    k1 = tf.reshape(tf.transpose(kernel, [0, 1, 3, 2]), [kh, kw, n * c_in, 1])
    z = tf.nn.depthwise_conv2d(x1, k1, strides=[1, *layer.strides, 1], padding=layer.padding.upper(),
                               dilations=layer.dilation_rate)                   # (1, h, w, n * c_in)
    z = tf.reduce_sum(tf.reshape(z, [tf.shape(z)[1], tf.shape(z)[2], n, c_in]), axis=-1)   # (h, w, n)
    z = tf.transpose(z, [2, 0, 1])[..., None]
    return layer.activation(z + bias[:, None, None, None] if layer.use_bias else z)


def has_own_map_conv(layer) -> bool:
    """True for a Conv2D layer that :func:`own_map_conv` can stand in for. """
    return (isinstance(layer, keras.layers.Conv2D) and type(layer) is keras.layers.Conv2D
            and layer.groups == 1 and layer.data_format == "channels_last"
            and layer.padding in ("valid", "same") and layer.strides[0] == layer.strides[1]
            and (tuple(layer.strides) == (1, 1) or tuple(layer.dilation_rate) == (1, 1)))


def plain_chain(model: keras.Model, layer) -> list | None:
    """The layers from the model's input to ``layer`` if they form a plain chain of Conv2D and
    MaxPooling2D layers (as build_cnn's model does), else None. Used by :class:`helpers.oip.objectives.ModelParts`."""
    layers = model.layers
    if not layers or not isinstance(layers[0], keras.layers.InputLayer) or layer not in layers:
        return None
    chain, prev = layers[1:layers.index(layer) + 1], layers[0]
    for l in chain:
        try:
            if not isinstance(l, VISUAL_LAYER_TYPES) or l.input is not prev.output:
                return None
        except (AttributeError, ValueError):   # a layer used at several places has no single input
            return None
        prev = l
    return chain


def chain_activations(chain, small: bool, upto: int | None = None):
    """A function images → the output of ``chain[:upto]`` (all of the chain by default), run layer by
    layer with the kernels above, from the input rows and columns that reach the chain's last output
    (:func:`reached_extent`). ``small``: a batch of at most SMALL_BATCH images, for which other kernels
    are faster. Used by :func:`own_map_activations` and the map objectives."""
    layers = chain[:upto] if upto is not None else chain

    def run(x):
        reach = reached_extent(chain, x.shape[1:3])
        if reach is not None:
            x = x[:, :reach[0], :reach[1]]
        for layer in layers:
            if is_plain_pool(layer):
                x = max_pool_mask_grad(x, layer.pool_size[0], small)
            elif has_matmul_grad(layer):
                x = conv_matmul_grad(x, layer, matmul=small or layer.kernel.shape[2] == 1)
            else:
                x = layer(x, training=False)
        return x

    return run


def own_map_activations(chain, channels, same_channel: bool, small: bool):
    """A function images → each image's own map ``channels[k]`` alone, (n, h, w, 1), computing only that
    map in the chain's last Conv2D layer: one kernel for a batch that asks for one map, each image's own
    kernel (:func:`own_map_conv`) for a batch of different maps. None where that does not apply (the last
    layer is a pool, or a conv that own_map_conv cannot stand in for). Call it inside the compiled loop,
    before the steps: the kernels are gathered once. Used by :class:`helpers.oip.objectives.Channel`."""
    c = chain[-1]
    if not isinstance(c, keras.layers.Conv2D) or not (same_channel or has_own_map_conv(c)):
        return None
    below = chain_activations(chain, small, upto=-1)
    if not same_channel:
        kernels = tf.gather(c.kernel, channels, axis=-1)
        biases = tf.gather(c.bias, channels) if c.use_bias else None
        return lambda x: own_map_conv(below(x), c, kernels, biases)
    kernel = tf.gather(c.kernel, channels[:1], axis=-1)
    bias = tf.gather(c.bias, channels[:1]) if c.use_bias else 0.0

    def one_map(x):
        z = keras.ops.conv(below(x), kernel, strides=c.strides, padding=c.padding, dilation_rate=c.dilation_rate)
        return c.activation(z + bias)

    return one_map
