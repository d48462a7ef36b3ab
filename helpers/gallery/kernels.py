"""The learned kernels of the first conv layer, and why one layer's kernels alone cannot show what deeper
maps react to (notebook 07, section 3; the learner's question in question-max-filter-activation).

The question's recipe: take one kernel of a trained layer, fold the bias into its weights, convolve a
noise image with it *in isolation* and climb the mean of the result. That objective is linear in the
image, so its gradient is one fixed image that does not depend on where the ascent starts: inside the
image it is the same number everywhere (the sum of the kernel's weights, spread over the map), and only a
thin frame at the border, where the kernel hangs partly outside, carries the kernel's shape. The ascent
therefore keeps the starting noise, shifts its brightness and draws an edge around it.

An OIP instead climbs the map's mean activation through *all* layers below it (ReLUs and max pooling
included). There the gradient changes with the image — which nodes are on decides which kernels count —
and that is what lets a pattern grow out of the noise.
"""
from __future__ import annotations

import numpy as np
import tensorflow as tf

from ..oip.constants import EPSILON, N_EPOCHS


def layer_kernels(model, layer_name: str = "Conv2D_1") -> tuple[np.ndarray, np.ndarray]:
    """The kernels of a conv layer that reads the image itself (one input channel), as small images.
    Returns (kernels (n_maps, kh, kw), biases (n_maps,); zeros without a bias).
    A deeper layer's kernel has one slice per map of the layer below, so it is not an image; asking
    for one raises a ValueError that says so. Taught in notebook 07, section 3."""
    layer = model.get_layer(layer_name)
    weights = layer.get_weights()
    if not weights or np.ndim(weights[0]) != 4:
        raise ValueError(f"Layer {layer_name!r} has no 2-D convolution kernels.")
    w = np.asarray(weights[0], np.float32)                      # (kh, kw, in_channels, n_maps)
    if w.shape[2] != 1:
        raise ValueError(f"The kernels of {layer_name!r} read {w.shape[2]} input maps (one 3-D kernel per map), "
                         "not the image: only the first conv layer's kernels can be shown as images.")
    bias = np.asarray(weights[1], np.float32) if len(weights) > 1 else np.zeros(w.shape[-1], np.float32)
    return np.moveaxis(w[:, :, 0, :], -1, 0), bias


def smooth_share(kernels) -> np.ndarray:
    """Share of each kernel's squared weights that lies in the three smoothest kernel shapes: a constant
    (brightness) and a linear slope from left to right and from top to bottom (a straight edge at any
    angle is a mix of the two slopes). 1 means the kernel is a pure brightness/edge detector; for random
    kernels of 3×3 weights the share averages 3/9 = 1/3. kernels: (kh, kw) or (n, kh, kw) → (n,).
    Taught in notebook 07, section 3."""
    k = np.asarray(kernels, np.float64)
    if k.ndim == 2:
        k = k[None]
    n, kh, kw = k.shape
    yy, xx = np.mgrid[0:kh, 0:kw].astype(np.float64)
    basis, _ = np.linalg.qr(np.stack([np.ones(kh * kw), xx.ravel() - xx.mean(), yy.ravel() - yy.mean()], axis=1))
    flat = k.reshape(n, -1)
    energy = np.sum(flat ** 2, axis=1)
    kept = np.sum((flat @ basis) ** 2, axis=1)
    return np.divide(kept, energy, out=np.zeros(n), where=energy > 0)


def _as_images(images) -> tf.Tensor:
    from ..data import as_image_batch

    return tf.convert_to_tensor(as_image_batch(images))


def _one_layer_objective(kernel, bias: float, bias_in_weights: bool):
    """The question's objective, one value per image: the mean of the image convolved ("valid", no flip,
    as Keras does) with ONE kernel, the bias added to every weight or once per position. No ReLU."""
    k = tf.constant((np.asarray(kernel, np.float32) + (np.float32(bias) if bias_in_weights else 0))[:, :, None, None])
    after = 0.0 if bias_in_weights else float(bias)
    return lambda x: tf.reduce_mean(tf.nn.conv2d(x, k, strides=1, padding="VALID") + after, axis=[1, 2, 3])


def one_layer_gradient(images, kernel, bias: float = 0.0, bias_in_weights: bool = True) -> np.ndarray:
    """Gradient, with respect to each image, of the question's objective: the mean of the image convolved
    ("valid", no flip, as Keras does) with ONE kernel, with the bias added to every weight
    (``bias_in_weights=True``, as in the question) or once per position. No ReLU, no other layer.
    images: (n, 28, 28[, 1]) or one (28, 28) → (n, 28, 28). Taught in notebook 07, section 3."""
    x = _as_images(images)
    objective = _one_layer_objective(kernel, bias, bias_in_weights)
    with tf.GradientTape() as tape:
        tape.watch(x)
        total = tf.reduce_sum(objective(x))                 # images are independent: one gradient call for all
    return tape.gradient(total, x).numpy()[..., 0]


def one_layer_ascent(start, kernel, bias: float = 0.0, n_steps: int = N_EPOCHS, epsilon: float = EPSILON,
                     bias_in_weights: bool = True) -> np.ndarray:
    """The question's recipe: the OIP's own normalized step, without the standardization, on
    :func:`one_layer_gradient`'s objective from ``start``, in the course's compiled loop (the objective is
    a :func:`helpers.oip.objectives.function`: no model needed); standardized at the end for display.
    Because the objective is linear, every step adds the same image.
    Returns (n, 28, 28). Taught in notebook 07, section 3."""
    from ..arguments import check_count
    from ..data import standardize
    from ..oip.engine import Ascent
    from ..oip.objectives import function

    n_steps = check_count("n_steps", n_steps, 0)
    x = _as_images(start).numpy()
    if n_steps:
        objective = function(_one_layer_objective(kernel, bias, bias_in_weights), "one kernel's mean")
        x = Ascent().run(objective, x, n_steps, epsilon, standardize=False).images
    return standardize(x[..., 0])


def map_gradients(oip, images, map_index: int) -> np.ndarray:
    """Gradient of one map's mean activation (the OIP objective, :func:`helpers.oip.ascent.map_objective`)
    with respect to each standardized image, through every layer below the map — the direction the OIP
    ascent takes from that image. oip: a :class:`helpers.oip.My_OIP`. Returns (n, 28, 28).
    Taught in notebook 07, section 3."""
    from ..oip.ascent import map_objective

    idx = int(oip.check_maps([map_index])[0])
    x = tf.image.per_image_standardization(_as_images(images))
    with tf.GradientTape() as tape:
        tape.watch(x)
        total = tf.reduce_sum(map_objective(oip.submodel(x, training=False), tf.fill([tf.shape(x)[0]], idx)))
    return tape.gradient(total, x).numpy()[..., 0]
