"""Can an attribution map be trusted? Two tests notebook 09 runs on every method.

- Model randomization (Adebayo et al., 2018): re-initialize the weights layer by layer from the top and see
  whether the map changes (:func:`randomized_copy`, :func:`rank_correlation`). A map that stays the same
  explains the image, not the network.
- Deletion: remove the most attributed ink pixels first and follow the class probability
  (:func:`deletion_curve`); a faithful map makes it fall faster than removing random ink pixels.
"""
from __future__ import annotations

import warnings

import keras
import numpy as np
from scipy.stats import ConstantInputWarning, spearmanr

from ..data import standardize
from .methods import _inputs

WEIGHTED = (keras.layers.Conv2D, keras.layers.Dense)


def randomized_copy(model, n_top: int, seed: int = 0, into=None):
    """A copy of ``model`` whose top ``n_top`` weighted layers (Dense_2, Dense_1, Conv2D_3, ... from the top)
    are re-initialized with their own initializers; the model itself is not changed. ``into``: a copy made
    earlier (same architecture) to overwrite instead of cloning again — the attribution functions compiled
    for it are then reused. Returns (the copy, the re-initialized layers' names). Taught in notebook 09."""
    names = [layer.name for layer in model.layers if isinstance(layer, WEIGHTED)][::-1]
    if isinstance(n_top, bool) or int(n_top) != n_top or not 0 <= n_top <= len(names):
        raise ValueError(f"n_top must be a whole number 0..{len(names)} (layers from the top: "
                         f"{', '.join(names)}); got {n_top!r}.")
    copy = keras.models.clone_model(model) if into is None else into
    copy.set_weights(model.get_weights())
    for k, name in enumerate(names[:int(n_top)]):
        layer = copy.get_layer(name)
        initializer = type(layer.kernel_initializer)(seed=seed + k)  # Glorot uniform for the course's CNN
        layer.kernel.assign(initializer(layer.kernel.shape, dtype=layer.kernel.dtype))
        if layer.use_bias:
            layer.bias.assign(np.zeros(layer.bias.shape, layer.bias.dtype))
    return copy, names[:int(n_top)]


def rank_correlation(a, b) -> np.ndarray:
    """Spearman rank correlation of |a| and |b| for each image (n,): 1 = the same pixel order. NaN where a map
    is constant (a Grad-CAM map the ReLU set to 0 everywhere has no pixel order): average with np.nanmean."""
    a, b = np.abs(np.asarray(a)).reshape(len(a), -1), np.abs(np.asarray(b)).reshape(len(b), -1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConstantInputWarning)
        return np.array([spearmanr(u, v)[0] for u, v in zip(a, b)])


def deletion_curve(model, images, classes, attributions=None, fractions=np.linspace(0, 1, 11),
                   seed: int = 0) -> np.ndarray:
    """The class probability (n, len(fractions)) after setting the top ``fraction`` of each image's ink
    pixels (value > 0), ordered by attribution (largest first), to the background 0. ``attributions=None``
    deletes ink pixels in a random order (``seed``). The area under a curve: ``np.trapezoid(curve, fractions)``.
    Taught in notebook 09."""
    x, c = _inputs(model, images, classes)
    x = x[..., 0]
    order_by = (np.random.default_rng(seed).random(x.shape) if attributions is None
                else np.asarray(attributions, np.float64).reshape(x.shape))
    ink = x > 0
    n_ink = ink.sum(axis=(1, 2))
    # rank of each ink pixel within its image, 0 = most attributed; background pixels never deleted
    keys = np.where(ink, -order_by, np.inf).reshape(len(x), -1)
    rank = np.empty_like(keys, dtype=np.int64)
    np.put_along_axis(rank, np.argsort(keys, axis=1, kind="stable"), np.arange(keys.shape[1])[None], axis=1)
    rank = rank.reshape(x.shape)
    copies = np.stack([np.where(ink & (rank < np.round(f * n_ink)[:, None, None]), 0.0, x) for f in fractions],
                      axis=1).astype(np.float32)  # (n, fractions, 28, 28)
    probs = model.predict(standardize(copies.reshape(-1, 28, 28, 1)), batch_size=512, verbose=0)
    return probs[np.arange(len(probs)), np.repeat(c, len(fractions))].reshape(len(x), len(fractions))
