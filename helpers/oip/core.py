"""OIPs: images of the input patterns that make one map of a conv layer fire (articles VII–X).

An OIP is found by gradient *ascent* on the input image: start from random fluctuations on several
length scales, and repeatedly move the image along the normalized gradient of the map's mean
activation, standardizing the image after every step. The standardization is essential: the layers
are ReLU ramps without a maximum, so without it the image would just grow.

Everything here returns data; the figures live in :mod:`helpers.oip_display`. The optimization loop
is one compiled ``tf.function`` that works on a whole batch of images at once (many maps, or many
random starts for one map), with no Python work per step.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field

import keras
import numpy as np
import tensorflow as tf

from .model import load_model_file, load_reference_model

ARTICLE_SCALES = ((3, 3), (7, 7), (14, 14), (28, 28))
ARTICLE_FACTORS = (0.5, 0.5, 0.5, 0.5)
# Long wavelengths only: the precursor's candidates (article X).
PRECURSOR_FACTORS = (0.6, 0.4, 0.0, 0.0)
IMAGE_SIZE = 28


# --------------------------------------------------------------------------------------------------
# Results
# --------------------------------------------------------------------------------------------------
@dataclass
class OIPResult:
    """What one derivation produced for one map."""

    map_index: int
    image: np.ndarray                  # (28, 28) final pattern, standardized
    losses: np.ndarray                 # mean map activation before each step, (steps run,)
    snapshots: list                    # [(step, (28, 28) image after that step), ...]
    responded: bool                    # False: the map stayed at zero activation (> 10 zero steps)
    converged: bool                    # the article's relative-change criterion held for 4 steps in a row
    initial_image: np.ndarray = None   # (28, 28) start image
    converged_at: int | None = None    # step where convergence was reached
    message: str = ""                  # e.g. advice when the map did not respond
    start_activation: float = float("nan")
    extras: dict = field(default_factory=dict)

    @property
    def final_loss(self) -> float:
        return float(self.losses[-1]) if len(self.losses) else float("nan")

    def __repr__(self):  # arrays make the default repr unreadable
        state = "responded" if self.responded else "no response"
        return (f"OIPResult(map_index={self.map_index}, final_loss={self.final_loss:.4g}, {state}, "
                f"converged={self.converged}, steps={len(self.losses)})")


NO_RESPONSE_MESSAGE = ("map {m} did not respond: its activation stayed at zero for more than 10 steps. "
                       "Try other fluctuation scales (e.g. larger factors on the long wavelengths "
                       "(3,3) and (7,7)), another seed, or precursor=True.")


def snapshot_steps(n_epochs: int, n_reports: int = 6) -> list[int]:
    """The article's log-spaced report steps: 0, then n_epochs // 2**n_reports doubled n_reports
    times, then the last step. For 600 steps and 6 reports: [0, 9, 18, 36, 72, 144, 288, 599]."""
    if n_epochs < 1:
        raise ValueError(f"n_epochs must be at least 1; got {n_epochs}.")
    if n_reports < 0 or n_reports > n_epochs:
        raise ValueError(f"n_reports (intermediate snapshots) must lie in 0..n_epochs={n_epochs}; got {n_reports}.")
    base = n_epochs // 2 ** n_reports
    steps = {0, n_epochs - 1}
    steps.update(base * 2 ** k for k in range(n_reports) if base * 2 ** k < n_epochs)
    return sorted(steps)


# --------------------------------------------------------------------------------------------------
# Initial images
# --------------------------------------------------------------------------------------------------
def _tf_standardize(x):
    return tf.image.per_image_standardization(x)


def fluctuation_components(scales=ARTICLE_SCALES, n: int = 1, seed=None) -> np.ndarray:
    """Random fluctuations in [-1, 1] on coarse grids (one per scale), smoothly (bicubic) scaled up to
    28×28. Returns (n_scales, n, 28, 28, 1), unweighted: :func:`initial_image` mixes them."""
    rng = np.random.default_rng(seed)
    comps = []
    for scale in scales:
        h, w = (scale, scale) if np.isscalar(scale) else scale
        if not (1 <= h <= IMAGE_SIZE and 1 <= w <= IMAGE_SIZE):
            raise ValueError(f"Each fluctuation scale must be a grid of 1..28 cells per side; got {scale}.")
        coarse = rng.uniform(-1.0, 1.0, size=(n, h, w, 1)).astype(np.float32)
        if (h, w) == (IMAGE_SIZE, IMAGE_SIZE):
            comps.append(coarse)
        else:
            comps.append(tf.image.resize(coarse, (IMAGE_SIZE, IMAGE_SIZE), method="bicubic",
                                         antialias=True).numpy())
    return np.stack(comps)


def _smooth(x):
    kernel = np.outer([1, 2, 1], [1, 2, 1]).astype(np.float32)
    kernel = (kernel / kernel.sum())[:, :, None, None]
    return tf.nn.conv2d(x, kernel, strides=1, padding="SAME")


def initial_image(factors=ARTICLE_FACTORS, scales=ARTICLE_SCALES, n: int = 1, seed=None,
                  smoothing: bool = False) -> np.ndarray:
    """A start image for the ascent: ``sum_k factors[k] * fluctuations on scales[k]``, standardized.

    Any number of scales works (the article used exactly four). ``smoothing`` blurs the sum with a
    small 3×3 kernel before the standardization. Returns float32 (n, 28, 28, 1).
    """
    factors = np.asarray(factors, dtype=np.float32)
    if len(factors) != len(scales):
        raise ValueError(f"Give one factor per scale: {len(factors)} factors for {len(scales)} scales.")
    if np.any(factors < 0) or not np.any(factors > 0):
        raise ValueError(f"Factors must be ≥ 0 and at least one > 0; got {factors.tolist()}.")
    comps = fluctuation_components(scales, n, seed)
    mix = np.tensordot(factors, comps, axes=1)
    if smoothing:
        mix = _smooth(mix)
    return _tf_standardize(mix).numpy()


# --------------------------------------------------------------------------------------------------
# The compiled ascent
# --------------------------------------------------------------------------------------------------
@dataclass
class _AscentOutput:
    images: np.ndarray          # (n, 28, 28, 1) final images
    losses: np.ndarray          # (n_epochs, n) loss before each step; NaN after an early stop
    zero_steps: np.ndarray      # (n,) steps with zero loss and zero gradient (a map that does not respond)
    snapshots: np.ndarray       # (n_snaps, n, 28, 28, 1) images after the snapshot steps (NaN if not reached)
    converged_at: np.ndarray    # (n,) step of convergence or -1
    steps_run: np.ndarray       # (n,) steps each image took


@tf.autograph.experimental.do_not_convert  # autograph would strip the custom gradient
def _max_pool_mask_grad(h, size: int):
    """Max pooling with size×size windows, stride size, 'valid' padding: the values of
    tf.nn.max_pool2d, but its gradient is routed to each window's maximum by a mask. On a 2-core CPU
    TensorFlow's MaxPoolGrad is slow: with the mask a whole ascent step takes 15-20 % less time
    (batches of 1 to 128 images, measured against MaxPoolGrad in one process).
    A window with tied maxima passes the gradient to each of them (MaxPoolGrad to one); behind a ReLU
    such ties are at 0, where the ReLU's own gradient is 0 anyway."""

    @tf.custom_gradient
    def pool(h):
        n_h, n_w, c = h.shape[1] // size, h.shape[2] // size, h.shape[3]
        y = tf.nn.max_pool2d(h, size, size, "VALID")

        def grad(dy):
            cells = tf.reshape(h[:, :size * n_h, :size * n_w], [-1, n_h, size, n_w, size, c])
            g = tf.where(tf.equal(cells, y[:, :, None, :, None, :]), dy[:, :, None, :, None, :], 0.0)
            g = tf.reshape(g, [-1, size * n_h, size * n_w, c])
            return tf.pad(g, [[0, 0], [0, h.shape[1] - size * n_h], [0, h.shape[2] - size * n_w], [0, 0]])

        return y, grad

    return pool(h)


def _is_plain_pool(layer) -> bool:
    return (isinstance(layer, keras.layers.MaxPooling2D) and layer.padding == "valid"
            and layer.data_format == "channels_last"
            and len(set(layer.pool_size) | set(layer.strides)) == 1)


def _plain_chain(model: keras.Model, layer) -> list | None:
    """The layers from the model's input to ``layer`` if they form a plain chain of Conv2D and
    MaxPooling2D layers (as build_cnn's model does), else None."""
    layers = model.layers
    if not layers or not isinstance(layers[0], keras.layers.InputLayer) or layer not in layers:
        return None
    chain, prev = layers[1:layers.index(layer) + 1], layers[0]
    for l in chain:
        try:
            if not isinstance(l, _VISUAL_LAYER_TYPES) or l.input is not prev.output:
                return None
        except (AttributeError, ValueError):   # a layer used at several places has no single input
            return None
        prev = l
    return chain


class _Ascent:
    """Batched gradient ascent on the mean activation of one channel per image of a sub-model."""

    CHUNK = 50  # with early stopping: steps between removals of converged images from the batch

    def __init__(self, submodel: keras.Model, chain: list | None = None):
        """``chain``: the sub-model's layers, if they are a plain chain of Conv2D and MaxPooling2D
        layers (see _plain_chain). Then the ascent runs them one by one, with two speed-ups that give
        the same numbers: max pooling gets a cheaper gradient (_max_pool_mask_grad), and a batch that
        asks for one map of a Conv2D layer runs only that map's kernel in the last layer (one
        convolution instead of one per map). Without a chain the sub-model runs as it is."""
        self.submodel = submodel
        self.n_channels = int(submodel.output.shape[-1])
        self.chain = chain
        self._loop = tf.function(self._loop_py, reduce_retracing=True)

    @staticmethod
    def _run_layers(x, layers):
        for layer in layers:
            x = _max_pool_mask_grad(x, layer.pool_size[0]) if _is_plain_pool(layer) else layer(x, training=False)
        return x

    def _activation_fn(self, channels, same_channel: bool):
        """x → what the loss averages: all maps (n, h, w, maps), or, when every image asks for the same
        map, that map alone (n, h, w). Built once per compiled loop, so the kernel slice of the one-map
        path is taken outside the steps."""
        if not self.chain:
            run = lambda x: self.submodel(x, training=False)  # noqa: E731
        else:
            run = lambda x: self._run_layers(x, self.chain)   # noqa: E731
        if not same_channel:
            return run
        c = self.chain[-1] if self.chain else None
        if not isinstance(c, keras.layers.Conv2D):
            return lambda x: tf.gather(run(x), channels[0], axis=-1)
        kernel = tf.gather(c.kernel, channels[:1], axis=-1)
        bias = tf.gather(c.bias, channels[:1]) if c.use_bias else 0.0

        def one_map(x):
            z = keras.ops.conv(self._run_layers(x, self.chain[:-1]), kernel, strides=c.strides, padding=c.padding,
                               dilation_rate=c.dilation_rate)
            return c.activation(z + bias)[..., 0]

        return one_map

    def channel_means(self, images, batch_size: int = 512) -> np.ndarray:
        """Mean activation of every channel for every image: (N, n_channels)."""
        out = []
        for i in range(0, len(images), batch_size):
            act = self.submodel(tf.convert_to_tensor(images[i:i + batch_size]), training=False)
            axes = list(range(1, len(act.shape) - 1))
            out.append((tf.reduce_mean(act, axis=axes) if axes else act).numpy())
        return np.concatenate(out)

    def _loop_py(self, x, channels, j0, j_end, epsilon, conv_criterion, prev, streak,
                 stop_early, same_channel, jitter, tv_weight, seed):
        """Steps j0 .. j_end-1 for a batch of images, compiled into one graph loop. Only early
        stopping needs the convergence test inside the loop; otherwise it is read off the losses."""
        batch = tf.shape(x)[0]
        select = tf.one_hot(channels, self.n_channels)
        activation = self._activation_fn(channels, same_channel)
        floor2 = 1.0 / tf.cast(tf.reduce_prod(tf.shape(x)[1:]), tf.float32)  # (1/sqrt(pixels))², as TF's standardization
        losses = tf.TensorArray(tf.float32, size=j_end - j0, element_shape=[None])
        converged_at = tf.fill([batch], -1)
        active = tf.ones([batch], tf.bool)

        def cond(j, *_):
            return tf.logical_and(j < j_end, tf.reduce_any(active)) if stop_early else j < j_end

        def body(j, x, prev, streak, converged_at, active, losses):
            with tf.GradientTape() as tape:
                tape.watch(x)
                xin = x
                if jitter > 0:  # one random shift per step for the whole batch; the tape shifts the gradient back
                    s = tf.random.stateless_uniform([2], seed=tf.stack([seed, j]), minval=-jitter,
                                                    maxval=jitter + 1, dtype=tf.int32)
                    xin = tf.roll(x, shift=s, axis=[1, 2])
                act = activation(xin)
                spatial = list(range(1, len(act.shape) - (0 if same_channel else 1)))
                loss = tf.reduce_mean(act, axis=spatial) if spatial else act
                loss = loss if same_channel else tf.reduce_sum(loss * select, axis=-1)
                objective = loss
                if tv_weight > 0:  # total variation: penalizes pixel-to-pixel jumps
                    tv = (tf.reduce_mean(tf.abs(x[:, 1:] - x[:, :-1]), [1, 2, 3])
                          + tf.reduce_mean(tf.abs(x[:, :, 1:] - x[:, :, :-1]), [1, 2, 3]))
                    objective = loss - tv_weight * tv
                total = tf.reduce_sum(objective)
            g = tape.gradient(total, x)
            ms = tf.reduce_mean(tf.square(g), axis=[1, 2, 3], keepdims=True)
            # unit-RMS gradient, so the step size is epsilon alone. Keep the article's "+ 1e-7" outside the
            # root: early gradients can be that small, and rsqrt(ms + tiny) changes the trajectory
            stepped = x + epsilon * g / (tf.sqrt(ms) + 1e-7)
            # per-image standardization (as tf.image.per_image_standardization): ReLU ramps have no
            # maximum, so the image's scale must stay fixed for the ascent to converge
            mean, var = tf.nn.moments(stepped, axes=[1, 2, 3], keepdims=True)
            stepped = (stepped - mean) * tf.math.rsqrt(tf.maximum(var, floor2))
            losses = losses.write(j - j0, loss)
            if stop_early:  # the article's criterion, as in _convergence below
                x = tf.where(active[:, None, None, None], stepped, x)
                meets = (j > 10) & (loss > 0) & ((loss - prev) / (loss + 1e-7) < conv_criterion)
                streak = tf.where(meets, streak + 1, 0)
                converged_at = tf.where((streak >= 4) & (converged_at < 0), j, converged_at)
                active = converged_at < 0
            else:
                x = stepped
            return j + 1, x, loss, streak, converged_at, active, losses

        j, x, prev, streak, converged_at, _, losses = tf.while_loop(
            cond, body, [j0, x, prev, streak, converged_at, active, losses])
        return x, losses.stack(), converged_at, j, prev, streak

    def run(self, starts, channels, n_epochs: int, epsilon: float, snap_steps, conv_criterion: float,
            stop_early: bool, jitter: int = 0, tv_weight: float = 0.0, seed: int = 0) -> _AscentOutput:
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
                             tf.convert_to_tensor(streak[todo]), bool(stop_early), same_channel,
                             int(jitter), float(tv_weight), tf.constant(int(seed) % (2 ** 31), tf.int32))
            xb, lb, cb, j_stop, pb, stb = [o.numpy() for o in out]
            x[todo], prev[todo], streak[todo] = xb, pb, stb
            ran = np.where(cb >= 0, cb + 1, j_stop) if stop_early else np.full(len(todo), j_stop)
            rows = np.arange(j0, j1)[:, None] < ran[None, :]          # steps each image really took
            losses[j0:j1, todo] = np.where(rows, lb, np.nan)
            steps_run[todo] = ran
            conv_at[todo] = np.where(cb >= 0, cb, conv_at[todo])
            if j1 - 1 in snap_steps:
                here = ran >= j1
                snaps[snap_steps.index(j1 - 1), todo[here]] = xb[here]
            if stop_early:
                todo = todo[conv_at[todo] < 0]
            j0 = j1
        if not stop_early:
            conv_at = _convergence(losses, conv_criterion)
        # a map whose mean activation is exactly 0 has every ReLU unit off, so its gradient is 0 too
        zeros = np.sum(losses == 0, axis=0)
        return _AscentOutput(x, losses, zeros, snaps, conv_at, steps_run)


def _convergence(losses: np.ndarray, conv_criterion: float) -> np.ndarray:
    """The article's convergence test on a loss history (steps, n): the relative change
    (loss_j - loss_j-1) / loss_j stays below ``conv_criterion`` for 4 steps in a row (after step 10).
    Returns the step where that first happens, or -1."""
    if len(losses) < 15:  # the test starts after step 10 and needs 4 steps
        return np.full(losses.shape[1], -1, np.int32)
    prev = np.vstack([np.zeros((1, losses.shape[1]), losses.dtype), losses[:-1]])
    with np.errstate(invalid="ignore", divide="ignore"):
        meets = (losses > 0) & ((losses - prev) / (losses + 1e-7) < conv_criterion)
    meets[:11] = False
    four = meets[3:] & meets[2:-1] & meets[1:-2] & meets[:-3]      # 4 steps in a row, ending at j = k + 3
    conv_at = np.where(four.any(axis=0), four.argmax(axis=0) + 3, -1).astype(np.int32)
    return conv_at


# --------------------------------------------------------------------------------------------------
# My_OIP
# --------------------------------------------------------------------------------------------------
_VISUAL_LAYER_TYPES = (keras.layers.Conv2D, keras.layers.MaxPooling2D)


def _conv_pool_layer_names(model) -> list[str]:
    return [l.name for l in model.layers if isinstance(l, _VISUAL_LAYER_TYPES)]


class My_OIP:
    """Derive OIPs for the maps of one conv or pool layer of a trained CNN.

    >>> oip = My_OIP()                       # reference model, layer Conv2D_3
    >>> res = oip.derive(120, seed=1)        # the "Hand of MNIST" map of the articles
    >>> results = oip.derive_many(range(oip.n_maps), precursor=True)   # a whole layer in one batch
    """

    def __init__(self, model_or_path=None, layer_name: str = "Conv2D_3"):
        if model_or_path is None:
            model = load_reference_model()
        elif isinstance(model_or_path, (str, os.PathLike)):
            model = load_model_file(model_or_path)
        elif isinstance(model_or_path, keras.Model):
            model = model_or_path
        else:
            raise TypeError(f"model_or_path must be a keras.Model, a .keras file path or None; "
                            f"got {type(model_or_path).__name__}.")
        self.model = model
        valid = _conv_pool_layer_names(model)
        names = [l.name for l in model.layers]
        if layer_name not in names:
            raise ValueError(f"Unknown layer {layer_name!r}. The conv/pool layers of this model are: "
                             f"{', '.join(valid)}.")
        layer = model.get_layer(layer_name)
        if not isinstance(layer, _VISUAL_LAYER_TYPES):
            raise ValueError(f"Layer {layer_name!r} is a {type(layer).__name__}, not a conv or pool layer; "
                             f"OIPs are derived for maps of: {', '.join(valid)}. "
                             "For the output classes use perfect_digits().")
        self.layer_name = layer_name
        self.submodel = keras.Model(model.input, layer.output, name=f"oip_{layer_name}")
        self.n_maps = int(layer.output.shape[-1])
        self.map_shape = tuple(int(d) for d in layer.output.shape[1:3])
        self._ascent = _Ascent(self.submodel, _plain_chain(model, layer))
        self._class_ascent = None

    def __repr__(self):
        return f"My_OIP(layer={self.layer_name!r}, maps={self.n_maps}, map_shape={self.map_shape})"

    # -- inputs ------------------------------------------------------------------------------------
    def initial_image(self, factors=ARTICLE_FACTORS, scales=ARTICLE_SCALES, n: int = 1, seed=None,
                      smoothing: bool = False) -> np.ndarray:
        """Random multi-scale start image(s), (n, 28, 28, 1); see :func:`initial_image`."""
        return initial_image(factors, scales, n, seed, smoothing)

    def _check_maps(self, map_indices) -> np.ndarray:
        idx = np.atleast_1d(np.asarray(map_indices))
        if idx.size == 0:
            raise ValueError("Give at least one map index.")
        if not np.issubdtype(idx.dtype, np.integer):
            raise TypeError(f"Map indices must be integers; got {idx.dtype}.")
        bad = idx[(idx < 0) | (idx >= self.n_maps)]
        if bad.size:
            raise IndexError(f"Map index {int(bad[0])} is out of range: layer {self.layer_name} has maps "
                             f"0..{self.n_maps - 1}.")
        return idx.astype(np.int32)

    @staticmethod
    def _as_batch(images) -> np.ndarray:
        """(28, 28), (n, 28, 28) or (n, 28, 28, 1) → standardized float32 (n, 28, 28, 1)."""
        x = np.asarray(images, dtype=np.float32)
        if x.ndim == 2 or x.shape == (IMAGE_SIZE, IMAGE_SIZE, 1):
            x = x[None]
        if x.ndim == 3:
            x = x[..., None]
        if x.ndim != 4 or x.shape[1:] != (IMAGE_SIZE, IMAGE_SIZE, 1):
            raise ValueError(f"Images must have shape (28, 28), (n, 28, 28) or (n, 28, 28, 1); "
                             f"got {np.shape(images)}.")
        return _tf_standardize(x).numpy()

    def _check_starts(self, start, n: int) -> np.ndarray:
        x = self._as_batch(start)
        if len(x) == 1 and n > 1:
            x = np.repeat(x, n, axis=0)
        if len(x) != n:
            raise ValueError(f"Got {len(x)} start images for {n} maps; give one, or one per map.")
        return x

    # -- activations -------------------------------------------------------------------------------
    def map_activations(self, images) -> np.ndarray:
        """Mean activation of every map for standardized images (N, 28, 28, 1): (N, n_maps)."""
        return self._ascent.channel_means(self._as_batch(images))

    def live_maps(self, images) -> np.ndarray:
        """Indices of the maps that at least one of the (standardized) images activates (mean > 0)."""
        return np.flatnonzero(self.map_activations(images).max(axis=0) > 0)

    # -- precursor ---------------------------------------------------------------------------------
    def precursor_starts(self, map_indices, n_candidates: int = 1024, factors=PRECURSOR_FACTORS,
                         scales=ARTICLE_SCALES, seed=None, max_rounds: int = 4):
        """Article X's precursor: for each map, pick from many long-wavelength random images the one
        that activates it most. All candidates go through the network once, for all maps together.

        Maps that none of the candidates activates get further rounds with fresh candidates that also
        contain shorter wavelengths. Returns (starts (n, 28, 28, 1), best initial activation (n,)).
        """
        idx = self._check_maps(map_indices)
        rng = np.random.default_rng(seed)
        best = np.full(len(idx), -np.inf, dtype=np.float32)
        starts = np.zeros((len(idx), IMAGE_SIZE, IMAGE_SIZE, 1), np.float32)
        mixes = [tuple(factors)] + [tuple(np.clip(np.asarray(factors) + 0.25 * r, 0, None))
                                    for r in range(1, max_rounds)]
        for mix in mixes:
            todo = best <= 0
            if not todo.any():
                break
            cands = initial_image(mix[:len(scales)], scales, n_candidates, seed=rng.integers(2 ** 32))
            acts = self._ascent.channel_means(cands)[:, idx]          # (candidates, maps)
            pick = acts.argmax(axis=0)
            gain = acts[pick, np.arange(len(idx))]
            better = todo & (gain > best)
            starts[better] = cands[pick[better]]
            best[better] = gain[better]
        return starts, best

    # -- derivation --------------------------------------------------------------------------------
    def derive_many(self, map_indices, n_epochs: int = 600, epsilon: float = 0.01, seed=None,
                    precursor: bool = False, start=None, factors=ARTICLE_FACTORS, scales=ARTICLE_SCALES,
                    n_reports: int = 6, conv_criterion: float = 2e-4, stop_early: bool = False,
                    jitter: int = 0, tv_weight: float = 0.0, smoothing: bool = False,
                    n_candidates: int = 1024) -> list[OIPResult]:
        """Derive OIPs for several maps (repeats allowed: several starts for one map) in ONE batched,
        compiled run. Start images: ``start`` if given, else the precursor's choice if ``precursor``,
        else fresh multi-scale fluctuations (``factors``, ``scales``, ``seed``).

        jitter (pixels) and tv_weight (total-variation penalty) are regularizers beyond the article;
        both are off by default.
        """
        idx = self._check_maps(map_indices)
        if int(n_epochs) < 1:
            raise ValueError(f"n_epochs must be at least 1; got {n_epochs}.")
        if not epsilon > 0:
            raise ValueError(f"epsilon (the step size) must be positive; got {epsilon}.")
        if n_reports > n_epochs:
            raise ValueError(f"n_reports={n_reports} is larger than n_epochs={n_epochs}; "
                             "ask for fewer snapshots or more steps.")
        if jitter < 0 or tv_weight < 0:
            raise ValueError("jitter and tv_weight must be ≥ 0 (0 switches them off).")
        start_act = np.full(len(idx), np.nan, np.float32)
        if start is not None:
            starts = self._check_starts(start, len(idx))
        elif precursor:
            starts, start_act = self.precursor_starts(idx, n_candidates=n_candidates, scales=scales, seed=seed)
        else:
            starts = initial_image(factors, scales, len(idx), seed, smoothing)
        if np.isnan(start_act).all():
            start_act = self._ascent.channel_means(starts)[np.arange(len(idx)), idx]
        steps = snapshot_steps(int(n_epochs), n_reports)
        out = self._ascent.run(starts, idx, int(n_epochs), float(epsilon), steps, conv_criterion, stop_early,
                               jitter, tv_weight, 0 if seed is None else seed)
        results = []
        for b, m in enumerate(idx):
            ran = int(out.steps_run[b])
            responded = int(out.zero_steps[b]) <= 10
            conv = int(out.converged_at[b])
            results.append(OIPResult(
                map_index=int(m), image=out.images[b, :, :, 0], losses=out.losses[:ran, b],
                snapshots=[(s, out.snapshots[i, b, :, :, 0]) for i, s in enumerate(steps) if s < ran],
                responded=responded, converged=conv >= 0, initial_image=starts[b, :, :, 0],
                converged_at=conv if conv >= 0 else None,
                message="" if responded else NO_RESPONSE_MESSAGE.format(m=int(m)),
                start_activation=float(start_act[b]),
            ))
        return results

    def derive(self, map_index: int, n_epochs: int = 600, epsilon: float = 0.01, seed=None,
               precursor: bool = False, start=None, **kwargs) -> OIPResult:
        """Derive the OIP of one map; the arguments are those of :meth:`derive_many`."""
        if np.ndim(map_index) != 0:
            raise TypeError("derive() takes one map index; use derive_many() for several.")
        return self.derive_many([map_index], n_epochs, epsilon, seed, precursor, start, **kwargs)[0]

    def ascend(self, images, map_indices, n_steps: int, epsilon: float = 0.01) -> tuple[np.ndarray, np.ndarray]:
        """Run ``n_steps`` plain ascent steps from given images (standardized first), one map per
        image; no snapshots. Used by the dream carving. Returns (images (n, 28, 28, 1), losses (steps, n))."""
        starts = self._as_batch(images)
        idx = self._check_maps(np.broadcast_to(np.asarray(map_indices), (len(starts),)))
        if n_steps == 0:
            return starts, np.zeros((0, len(starts)), np.float32)
        if n_steps < 0 or not epsilon > 0:
            raise ValueError(f"n_steps must be ≥ 0 and epsilon > 0; got {n_steps}, {epsilon}.")
        out = self._ascent.run(starts, idx, int(n_steps), float(epsilon), [], 2e-4, False)
        return out.images, out.losses

    # -- perfect digits ----------------------------------------------------------------------------
    def _logit_ascent(self) -> _Ascent:
        if self._class_ascent is None:
            last = self.model.layers[-1]
            if not isinstance(last, keras.layers.Softmax):
                raise ValueError("perfect_digits needs a model whose last layer is a Softmax layer "
                                 "(as helpers.build_cnn() makes), to reach the class scores before it.")
            logits = keras.Model(self.model.input, last.input, name="class_scores")
            self._class_ascent = _Ascent(logits)
        return self._class_ascent

    def perfect_digits(self, n_epochs: int = 600, epsilon: float = 0.01, seed=0,
                       factors=(0.1, 0.1, 0.1, 0.1), scales=ARTICLE_SCALES) -> np.ndarray:
        """Class maximization: for each digit c, ascend the pre-softmax score of class c from faint
        random fluctuations (standardizing after each step). Returns (10, 28, 28) standardized images."""
        ascent = self._logit_ascent()
        n_classes = ascent.n_channels
        starts = initial_image(factors, scales, n_classes, seed)
        out = ascent.run(starts, np.arange(n_classes), int(n_epochs), float(epsilon), [], 2e-4, False)
        return out.images[..., 0]

    def classify(self, images) -> np.ndarray:
        """Predicted classes for standardized images (N, 28, 28[, 1])."""
        x = self._as_batch(images)
        return self.model.predict(x, verbose=0).argmax(axis=1)
