"""Attribution methods, each written once as a short function notebook 09 prints and teaches.

Every method takes the model, images in raw pixels 0..1 — shape (n, 28, 28) or (n, 28, 28, 1) — and the
class to explain (one index for all images, or one per image), and returns an attribution per pixel,
shape (n, 28, 28). The class score f is the score *before* the softmax (``helpers.model.class_scores_model``).

Attributions live in raw pixel space: the per-image standardization the model expects
(``helpers.data.standardize_tensor``) is part of the function that is differentiated, so a gradient says
how f changes when a raw pixel changes.
"""
from __future__ import annotations

import weakref

import numpy as np
import tensorflow as tf
from keras import layers

from ..data import as_image_batch, standardize_tensor
from ..model import check_layer_name, class_scores_model

# one trace per model (and Grad-CAM layer), whatever the batch size: no retracing between calls
SIGNATURE = [tf.TensorSpec([None, 28, 28, 1], tf.float32), tf.TensorSpec([None], tf.int32)]
BATCH = 512  # rows per compiled call (images × path steps, images × noisy copies, images × patch positions)
# model → its compiled score and gradient functions, built once per model (they read the model's weights when
# called, so set_weights on the same model needs no rebuild)
_compiled = weakref.WeakKeyDictionary()


# ---------------------------------------------------------------- the function that is explained
def _functions(model):
    """The compiled f(x) and ∇f(x) of one model, for raw images x (n, 28, 28, 1) and classes c (n,)."""
    if model not in _compiled:
        scores_model = class_scores_model(model)

        @tf.function(input_signature=SIGNATURE)
        def score(x, c):
            scores = scores_model(standardize_tensor(x), training=False)
            return tf.gather(scores, c, batch_dims=1)

        @tf.function(input_signature=SIGNATURE)
        def gradient(x, c):
            with tf.GradientTape() as tape:
                tape.watch(x)
                f = score(x, c)
            return tape.gradient(f, x)

        _compiled[model] = {"scores_model": scores_model, "score": score, "gradient": gradient}
    return _compiled[model]


def _inputs(model, images, classes):
    """Raw images as float32 (n, 28, 28, 1) and the classes as int32 (n,), checked."""
    x = as_image_batch(images)  # shape check; NaN or infinite pixels raise NonFiniteImageError
    n_classes = int(_functions(model)["scores_model"].output.shape[-1])
    c = np.asarray(classes)
    if not np.issubdtype(c.dtype, np.integer):
        raise TypeError(f"Class indices must be integers; got {classes!r}.")
    c = np.broadcast_to(c, (len(x),)) if c.ndim == 0 else c
    if c.shape != (len(x),):
        raise ValueError(f"Give one class index, or one per image ({len(x)}); got {c.shape[0]}.")
    bad = c[(c < 0) | (c >= n_classes)]
    if bad.size:
        raise IndexError(f"Class index {int(bad[0])} is out of range: the model has classes 0..{n_classes - 1}.")
    return x, c.astype(np.int32)


def _batched(fn, x, c, batch=BATCH):
    """fn(x, c) over chunks of rows, concatenated (numpy)."""
    return np.concatenate([fn(tf.constant(x[i:i + batch]), tf.constant(c[i:i + batch])).numpy()
                           for i in range(0, len(x), batch)])


def class_scores(model, images, classes) -> np.ndarray:
    """f(x): the class score (before the softmax) of each raw image for its class, shape (n,)."""
    x, c = _inputs(model, images, classes)
    return _batched(_functions(model)["score"], x, c)


# ---------------------------------------------------------------- the methods
def saliency(model, images, classes) -> np.ndarray:
    """Gradient saliency: ∂f/∂pixel, the class score's gradient with respect to each raw pixel (n, 28, 28).
    Taught in notebook 09."""
    x, c = _inputs(model, images, classes)
    return _batched(_functions(model)["gradient"], x, c)[..., 0]


def smoothgrad(model, images, classes, noise: float = 0.15, n_samples: int = 25, seed: int = 0) -> np.ndarray:
    """SmoothGrad: the mean gradient over ``n_samples`` noisy copies of each image (Gaussian noise of standard
    deviation ``noise``, in raw pixel units). noise=0 gives the plain saliency. Taught in notebook 09."""
    if noise < 0 or int(n_samples) != n_samples or n_samples < 1:
        raise ValueError(f"Need noise ≥ 0 and a whole n_samples ≥ 1; got noise={noise}, n_samples={n_samples}.")
    x, c = _inputs(model, images, classes)
    noisy = x[None] + noise * np.random.default_rng(seed).standard_normal((int(n_samples), *x.shape))
    grads = _batched(_functions(model)["gradient"], noisy.reshape(-1, 28, 28, 1).astype(np.float32),
                     np.tile(c, int(n_samples)))
    return grads.reshape(int(n_samples), *x.shape).mean(axis=0)[..., 0]


def blurred_baseline(images, sigma: float = 4.0) -> np.ndarray:
    """A strongly blurred copy of each image (Gaussian, ``sigma`` pixels): a baseline for integrated
    gradients that keeps the image's brightness but not its strokes. Shape (n, 28, 28)."""
    from scipy.ndimage import gaussian_filter

    x = as_image_batch(images)[..., 0]
    return np.stack([gaussian_filter(im, sigma, mode="constant") for im in x]).astype(np.float32)


def integrated_gradients(model, images, classes, baseline="blurred", steps: int = 64) -> np.ndarray:
    """Integrated gradients: (x − x') times the mean gradient along the straight path x' + α(x − x'),
    α in (0, 1) (midpoint rule with ``steps`` points, all points of all images batched together).
    Complete: the attributions add up to f(x) − f(x') as ``steps`` grows.

    ``baseline``: "black" (all zeros), "blurred" (:func:`blurred_baseline`) or an array like ``images``.

    The black baseline and the per-image standardization: standardization divides by the image's standard
    deviation, so it ignores scale — α·x gives the model the very same input for every α down to
    α = 1/(28·std(x)) (≈ 0.12 for a typical test digit), where the standard deviation reaches its floor 1/28.
    The path is flat (f constant, gradient ⟂ x) until α is small, and the whole difference f(x) − f(0) is
    collected in the first eighth of the path, by an eighth of the ``steps`` points: the sum is less exact
    for the same ``steps``. The blurred baseline changes the image's shape along the whole path instead.
    Completeness to 1 % of f(x) − f(x') took 256 steps with the blurred baseline on the reference model
    (64 steps: within 2 %). Taught in notebook 09."""
    if isinstance(steps, bool) or int(steps) != steps or steps < 1:
        raise ValueError(f"steps must be a whole number ≥ 1; got {steps!r}.")
    steps = int(steps)
    x, c = _inputs(model, images, classes)
    if isinstance(baseline, str):
        if baseline not in ("black", "blurred"):
            raise ValueError(f"baseline must be 'black', 'blurred' or an array of images; got {baseline!r}.")
        base = np.zeros_like(x) if baseline == "black" else blurred_baseline(x)[..., None]
    else:
        base = as_image_batch(baseline)
        if base.shape != x.shape:
            raise ValueError(f"The baseline has shape {base.shape}; the images {x.shape}.")
    alphas = ((np.arange(steps) + 0.5) / steps).astype(np.float32)[:, None, None, None, None]
    path = (base[None] + alphas * (x - base)[None]).reshape(-1, 28, 28, 1)  # (steps·n, 28, 28, 1)
    grads = _batched(_functions(model)["gradient"], path, np.tile(c, steps)).reshape(steps, *x.shape)
    return ((x - base) * grads.mean(axis=0))[..., 0]


SPATIAL_LAYERS = (layers.Conv2D, layers.MaxPooling2D)


def grad_cam(model, images, classes, layer: str = "Conv2D_3", coarse: bool = False) -> np.ndarray:
    """Grad-CAM: the layer's maps weighted by the spatial mean of the class score's gradient on each map,
    summed, ReLU. ``coarse=True`` returns the map at the layer's own size (Conv2D_2: 11×11, Conv2D_3: 3×3 —
    one value per 9×9-pixel region); otherwise it is upsampled bilinearly to 28×28 (``tf.image.resize``).
    Taught in notebook 09."""
    check_layer_name(model, layer, SPATIAL_LAYERS, "conv or pool",
                     hint="Grad-CAM needs a layer with spatial maps.")
    x, c = _inputs(model, images, classes)
    fns = _functions(model)
    if layer not in fns:
        scores_model = fns["scores_model"]
        both = tf.keras.Model(scores_model.inputs, [scores_model.get_layer(layer).output, scores_model.output])

        @tf.function(input_signature=SIGNATURE)
        def cam(x, c):
            with tf.GradientTape() as tape:
                maps, scores = both(standardize_tensor(x), training=False)
                f = tf.gather(scores, c, batch_dims=1)
            weights = tf.reduce_mean(tape.gradient(f, maps), axis=(1, 2), keepdims=True)
            return tf.nn.relu(tf.reduce_sum(weights * maps, axis=-1))

        fns[layer] = cam
    maps = _batched(fns[layer], x, c)
    if coarse:
        return maps
    return tf.image.resize(maps[..., None], (28, 28), method="bilinear").numpy()[..., 0]


def occlusion(model, images, classes, size: int = 4, stride: int = 2, fill: float = 0.0) -> np.ndarray:
    """Occlusion: slide a ``size``×``size`` patch of value ``fill`` (0 = background) over the image in steps of
    ``stride``; each pixel gets the mean drop f(x) − f(x with the patch) over the patches that cover it.
    All positions of all images are scored in batches. Taught in notebook 09."""
    if int(size) != size or int(stride) != stride or not (1 <= size <= 28) or stride < 1:
        raise ValueError(f"Need whole numbers 1 ≤ size ≤ 28 and stride ≥ 1; got size={size}, stride={stride}.")
    x, c = _inputs(model, images, classes)
    corners = [(r, q) for r in range(0, 28 - size + 1, stride) for q in range(0, 28 - size + 1, stride)]
    masks = np.zeros((len(corners), 28, 28, 1), bool)
    for k, (r, q) in enumerate(corners):
        masks[k, r:r + size, q:q + size] = True
    occluded = np.where(masks[None], np.float32(fill), x[:, None]).reshape(-1, 28, 28, 1)
    score = _functions(model)["score"]
    drops = _batched(score, x, c)[:, None] - _batched(score, occluded, np.repeat(c, len(corners))).reshape(
        len(x), len(corners))
    covered = masks[..., 0].sum(axis=0)
    return (np.einsum("np,pij->nij", drops, masks[..., 0].astype(np.float32)) / np.maximum(covered, 1)).astype(np.float32)
