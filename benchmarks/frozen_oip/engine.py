"""The compiled OIP engine: :func:`helpers.oip.ascent.ascent_step` in one ``tf.while_loop`` for a whole
batch of images (many maps, or many starts for one map), with no Python work per step.

Speed-ups that give the same numbers as the plain Keras sub-model (up to float32 rounding; the crop bit
for bit): the last Conv2D layer runs only the kernel of each image's own map (one convolution for a
batch that asks for one map, :func:`own_map_conv` for a batch of different maps); only the input rows
and columns that reach the layer's output go through the layers (:func:`reached_extent`); and max
pooling and the convolutions get gradients that are cheaper on a CPU (:func:`max_pool_mask_grad`,
:func:`conv_matmul_grad`). Measured in benchmarks/bench_oip.py and benchmarks/bench_peers.py.

Small batches (a single map: ``derive``) are bound by the fixed cost of each operation, not by
arithmetic: TensorFlow's oneDNN kernels (MaxPool, MaxPoolGrad, Conv2DBackpropInput) cost tens of
microseconds each even for one 28×28 image. A batch of at most SMALL_BATCH images therefore runs
kernels with less fixed cost (see :class:`Ascent`); larger batches run oneDNN's, which are faster there.
"""
from __future__ import annotations

from dataclasses import dataclass

import keras
import numpy as np
import tensorflow as tf

from .ascent import ascent_step, convergence_streak, map_objective, mean_activations
from .regularizers import jitter_images, random_shift, total_variation

VISUAL_LAYER_TYPES = (keras.layers.Conv2D, keras.layers.MaxPooling2D)
SMALL_BATCH = 2  # up to this batch size: max pooling by MaxPoolV2, every Conv2D's input gradient a matmul


@dataclass
class AscentOutput:
    """What :meth:`Ascent.run` returns. Used by :class:`helpers.oip.My_OIP`."""

    images: np.ndarray          # (n, 28, 28, 1) final images
    losses: np.ndarray          # (n_epochs, n) loss before each step; NaN after an early stop
    zero_steps: np.ndarray      # (n,) steps with zero loss and zero gradient (a map that does not respond)
    snapshots: np.ndarray       # (n_snaps, n, 28, 28, 1) images after the snapshot steps (NaN if not reached)
    converged_at: np.ndarray    # (n,) step of convergence or -1
    steps_run: np.ndarray       # (n,) steps each image took


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
    such ties are at 0, where the ReLU's own gradient is 0 anyway. Used by :class:`Ascent`."""

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
    :class:`Ascent` passes ``matmul=False``). The same sums in another order (float32 rounding).
    Used by :class:`Ascent`."""
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
    """True for a Conv2D layer that :class:`Ascent` runs through :func:`conv_matmul_grad`: stride 1, no
    dilation, 'valid'."""
    return (isinstance(layer, keras.layers.Conv2D) and type(layer) is keras.layers.Conv2D
            and layer.groups == 1 and layer.data_format == "channels_last" and layer.padding == "valid"
            and tuple(layer.strides) == (1, 1) and tuple(layer.dilation_rate) == (1, 1))


def is_plain_pool(layer) -> bool:
    """True for a MaxPooling2D layer that :func:`max_pool_mask_grad` can stand in for. Used by :class:`Ascent`."""
    return (isinstance(layer, keras.layers.MaxPooling2D) and layer.padding == "valid"
            and layer.data_format == "channels_last"
            and len(set(layer.pool_size) | set(layer.strides)) == 1)


def reached_extent(chain, in_hw) -> tuple[int, int] | None:
    """The input rows and columns (from the top left) that reach the last layer's output of a plain
    chain of 'valid' Conv2D and MaxPooling2D layers: e.g. 26×26 of the 28×28 image for Conv2D_3 of
    build_cnn's model, whose 11×11 Conv2D_2 output loses its last row and column to the 2×2 pooling.
    The others never reach the output (their gradient is 0): cropping them first gives the same
    numbers with less work. None if nothing can be cropped or a layer is not 'valid'.
    Used by :class:`Ascent`."""
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
    Used by :class:`Ascent`."""
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
    """True for a Conv2D layer that :func:`own_map_conv` can stand in for. Used by :class:`Ascent`."""
    return (isinstance(layer, keras.layers.Conv2D) and type(layer) is keras.layers.Conv2D
            and layer.groups == 1 and layer.data_format == "channels_last"
            and layer.padding in ("valid", "same") and layer.strides[0] == layer.strides[1]
            and (tuple(layer.strides) == (1, 1) or tuple(layer.dilation_rate) == (1, 1)))


def plain_chain(model: keras.Model, layer) -> list | None:
    """The layers from the model's input to ``layer`` if they form a plain chain of Conv2D and
    MaxPooling2D layers (as build_cnn's model does), else None. Used by :class:`helpers.oip.My_OIP`."""
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


class Ascent:
    """Batched gradient ascent on the mean activation of one channel per image of a sub-model.
    Used by :class:`helpers.oip.My_OIP` (the compiled engine behind ``derive`` and ``derive_many``)."""

    CHUNK = 50  # with early stopping: steps between removals of converged images from the batch

    def __init__(self, submodel: keras.Model, chain: list | None = None):
        """``chain``: the sub-model's layers, if they are a plain chain of Conv2D and MaxPooling2D
        layers (see plain_chain). Then the ascent runs them one by one, with the speed-ups of this
        module, which give the same numbers (up to float32 rounding): each image's own map alone in
        the last Conv2D layer, the crop of reached_extent, max pooling with a mask gradient
        (max_pool_mask_grad), and Conv2D input gradients as matmuls (conv_matmul_grad: for one input
        channel, and for every Conv2D in a batch of at most SMALL_BATCH images, which also pools with
        the MaxPoolV2 kernel). Whether a batch is small is decided once per run, from the batch it
        starts with. Without a chain the sub-model runs as it is."""
        self.submodel = submodel
        self.n_channels = int(submodel.output.shape[-1])
        self.chain = chain
        self._loop = tf.function(self._loop_py, reduce_retracing=True)

    def _run_layers(self, x, layers, small: bool):
        """``layers`` (the start of the chain) on the images ``x``, from the input rows and columns that
        reach the chain's output (reached_extent); ``small``: a batch of at most SMALL_BATCH images,
        for which other kernels are faster (see the module's docstring)."""
        reach = reached_extent(self.chain, x.shape[1:3])
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

    def _activation_fn(self, channels, same_channel: bool, small: bool):
        """(fn, own): fn maps images x to the layer's activations (n, h, w, maps), or, if ``own``, to each
        image's own map alone (n, h, w, 1). Each image's own map is all that the last Conv2D layer of a
        chain computes: one kernel for a batch that asks for one map, each image's own kernel
        (own_map_conv) for a batch of different maps. Built once per compiled loop, so the kernels are
        gathered outside the steps."""
        c = self.chain[-1] if self.chain else None
        if not isinstance(c, keras.layers.Conv2D) or not (same_channel or has_own_map_conv(c)):
            if self.chain:   # the whole layer, its maps sliced (one map) or masked by map_objective
                run = lambda x: self._run_layers(x, self.chain, small)   # noqa: E731
            else:
                run = lambda x: self.submodel(x, training=False)   # noqa: E731
            if same_channel:
                return (lambda x: tf.gather(run(x), channels[:1], axis=-1)), True
            return run, False
        if same_channel:
            kernel = tf.gather(c.kernel, channels[:1], axis=-1)
            bias = tf.gather(c.bias, channels[:1]) if c.use_bias else 0.0

            def one_map(x):
                z = keras.ops.conv(self._run_layers(x, self.chain[:-1], small), kernel, strides=c.strides,
                                   padding=c.padding, dilation_rate=c.dilation_rate)
                return c.activation(z + bias)

            return one_map, True
        kernels = tf.gather(c.kernel, channels, axis=-1)
        biases = tf.gather(c.bias, channels) if c.use_bias else None
        return (lambda x: own_map_conv(self._run_layers(x, self.chain[:-1], small), c, kernels, biases)), True

    def channel_means(self, images, batch_size: int = 512) -> np.ndarray:
        """The objective of every channel for every image: (N, n_channels) (:func:`mean_activations`)."""
        out = []
        for i in range(0, len(images), batch_size):
            act = self.submodel(tf.convert_to_tensor(images[i:i + batch_size]), training=False)
            out.append(mean_activations(act).numpy())
        return np.concatenate(out)

    def _loop_py(self, x, channels, j0, j_end, epsilon, conv_criterion, prev, streak,
                 stop_early, same_channel, small, jitter, tv_weight, seed):
        """Steps j0 .. j_end-1 of :func:`ascent_step` for a batch of images, compiled into one graph loop
        that also records the losses and runs the convergence test."""
        batch = tf.shape(x)[0]
        activation, own = self._activation_fn(channels, same_channel, small)
        penalty = (lambda images: tv_weight * total_variation(images)) if tv_weight > 0 else None
        losses = tf.TensorArray(tf.float32, size=j_end - j0, element_shape=[None])
        converged_at = tf.fill([batch], -1)
        active = tf.ones([batch], tf.bool)

        def cond(j, *_):
            return tf.logical_and(j < j_end, tf.reduce_any(active)) if stop_early else j < j_end

        def body(j, x, prev, streak, converged_at, active, losses):
            shift = random_shift(jitter, seed, j) if jitter > 0 else None  # one shift per step for the batch

            def objective(images):
                act = activation(jitter_images(images, shift) if jitter > 0 else images)
                return mean_activations(act)[:, 0] if own else map_objective(act, channels)

            stepped, loss = ascent_step(x, objective, epsilon, penalty)
            losses = losses.write(j - j0, loss)
            streak = convergence_streak(j, loss, prev, streak, conv_criterion)
            converged_at = tf.where((streak >= 4) & (converged_at < 0), j, converged_at)
            if stop_early:  # converged images keep their image; the loop ends when all have converged
                x = tf.where(active[:, None, None, None], stepped, x)
                active = converged_at < 0
            else:
                x = stepped
            return j + 1, x, loss, streak, converged_at, active, losses

        j, x, prev, streak, converged_at, _, losses = tf.while_loop(
            cond, body, [j0, x, prev, streak, converged_at, active, losses])
        return x, losses.stack(), converged_at, j, prev, streak

    def run(self, starts, channels, n_epochs: int, epsilon: float, snap_steps, conv_criterion: float,
            stop_early: bool, jitter: int = 0, tv_weight: float = 0.0, seed: int = 0) -> AscentOutput:
        """Ascent for ``n_epochs`` steps. The compiled loop runs from one snapshot step to the next
        (Python only collects the snapshot in between). With early stopping the batch also pauses
        every CHUNK steps, and images that converged leave it."""
        n = len(starts)
        channels = np.asarray(channels, np.int32)
        snap_steps = sorted(set(int(s) for s in snap_steps))
        x = np.asarray(starts, np.float32).copy()
        losses = np.full((n_epochs, n), np.nan, np.float32)
        snaps = np.full((len(snap_steps), n) + x.shape[1:], np.nan, np.float32)
        conv_at = np.full(n, -1, np.int32)
        steps_run = np.zeros(n, np.int32)
        prev, streak = np.zeros(n, np.float32), np.zeros(n, np.int32)
        same_channel = bool(np.all(channels == channels[0]))  # one map: slice it instead of masking all maps
        small = n <= SMALL_BATCH   # for the whole run: a batch that shrinks (early stops) is not traced again
        bounds = {s + 1 for s in snap_steps} | {n_epochs}
        if stop_early:
            bounds |= set(range(self.CHUNK, n_epochs, self.CHUNK))
        todo, j0 = np.arange(n), 0
        for j1 in sorted(b for b in bounds if 0 < b <= n_epochs):
            if not todo.size:
                break
            out = self._loop(tf.convert_to_tensor(x[todo]), tf.convert_to_tensor(channels[todo]),
                             tf.constant(j0), tf.constant(j1), tf.constant(epsilon, tf.float32),
                             tf.constant(conv_criterion, tf.float32), tf.convert_to_tensor(prev[todo]),
                             tf.convert_to_tensor(streak[todo]), bool(stop_early), same_channel, small,
                             int(jitter), float(tv_weight), tf.constant(int(seed) % (2 ** 31), tf.int32))
            xb, lb, cb, j_stop, pb, stb = [o.numpy() for o in out]
            x[todo], prev[todo], streak[todo] = xb, pb, stb
            ran = np.where(cb >= 0, cb + 1, j_stop) if stop_early else np.full(len(todo), j_stop)
            rows = np.arange(j0, j1)[:, None] < ran[None, :]          # steps each image really took
            losses[j0:j1, todo] = np.where(rows, lb, np.nan)
            steps_run[todo] = ran
            conv_at[todo] = np.where((cb >= 0) & (conv_at[todo] < 0), cb, conv_at[todo])  # the first time
            if j1 - 1 in snap_steps:
                here = ran >= j1
                snaps[snap_steps.index(j1 - 1), todo[here]] = xb[here]
            if stop_early:
                todo = todo[conv_at[todo] < 0]
            j0 = j1
        # a map whose mean activation is exactly 0 has every ReLU unit off, so its gradient is 0 too
        zeros = np.sum(losses == 0, axis=0)
        return AscentOutput(x, losses, zeros, snaps, conv_at, steps_run)
