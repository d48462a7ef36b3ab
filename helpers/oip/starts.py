"""Start images for the OIP ascent: random fluctuations on several length scales (notebook 06, section 3),
and the best-of-N choice among many of them (article X's precursor; notebook 07)."""
from __future__ import annotations

import numpy as np
import tensorflow as tf

from ..arguments import check_seed

from .constants import ARTICLE_FACTORS, ARTICLE_SCALES, IMAGE_SIZE


def fluctuation_components(scales=ARTICLE_SCALES, n: int = 1, seed=None) -> np.ndarray:
    """Random fluctuations in [-1, 1] on coarse grids (one per scale), smoothly (bicubic) scaled up to
    28×28. Returns (n_scales, n, 28, 28, 1), unweighted: :func:`initial_image` mixes them.
    Taught in notebook 06, section 3."""
    rng = np.random.default_rng(check_seed("seed", seed))
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


def smooth(x):
    """Blur a batch (n, 28, 28, 1) with a small 3×3 binomial kernel.
    Used by :func:`initial_image` (``smoothing=True``)."""
    kernel = np.outer([1, 2, 1], [1, 2, 1]).astype(np.float32)
    kernel = (kernel / kernel.sum())[:, :, None, None]
    return tf.nn.conv2d(x, kernel, strides=1, padding="SAME")


def initial_image(factors=None, scales=ARTICLE_SCALES, n: int = 1, seed=None,
                  smoothing: bool = False) -> np.ndarray:
    """A start image for the ascent: ``sum_k factors[k] * fluctuations on scales[k]``, standardized.
    Taught in notebook 06, section 3.

    Any number of scales works (the article used exactly four); without ``factors`` every scale gets the
    article's weight, 0.5. ``smoothing`` blurs the sum with a small 3×3 kernel before the standardization.
    Returns float32 (n, 28, 28, 1).
    """
    factors = np.asarray(default_factors(scales) if factors is None else factors, dtype=np.float32)
    if len(factors) != len(scales):
        raise ValueError(f"Give one factor per scale: {len(factors)} factors for {len(scales)} scales.")
    if np.any(factors < 0) or not np.any(factors > 0):
        raise ValueError(f"Factors must be ≥ 0 and at least one > 0; got {factors.tolist()}.")
    comps = fluctuation_components(scales, n, seed)
    mix = np.tensordot(factors, comps, axes=1)
    if smoothing:
        mix = smooth(mix)
    return tf.image.per_image_standardization(mix).numpy()


def default_factors(scales) -> tuple:
    """The article's weight, 0.5, for each scale (``ARTICLE_FACTORS`` for the article's four scales)."""
    return (ARTICLE_FACTORS[0],) * len(scales)


def pick_best(candidates, activations) -> tuple[np.ndarray, np.ndarray]:
    """Best-of-N starts: for each target map (a column of ``activations``, (N candidates, maps)), the
    candidate image that activates it most. Returns (starts (maps, 28, 28, 1), their activations (maps,)).
    Used by the precursor (:meth:`helpers.oip.My_OIP.precursor_starts`) and the start series
    (:func:`helpers.gallery.series.series_starts`); taught in notebook 07."""
    activations = np.asarray(activations)
    pick = activations.argmax(axis=0)
    return candidates[pick], activations[pick, np.arange(activations.shape[1])]
