"""The OIP algorithm in three short functions — what notebook 06 teaches, and what the compiled engine
(:mod:`helpers.oip.engine`), the precursor and the dream carving all run.

* :func:`mean_activations` / :func:`map_objective` — the quantity the ascent climbs (notebook 06, section 4).
  Other objectives (a unit, a class score, map A minus map B) are values in :mod:`helpers.oip.objectives`.
* :func:`ascent_step` — one step: objective → gradient → normalize → step → standardize (section 4–5).
* :func:`convergence_streak` — the article's convergence test (section 6).
"""
from __future__ import annotations

import tensorflow as tf

from ..data import standardize_tensor
from .constants import CONVERGENCE_WARMUP, EPSILON, RMS_FLOOR


def mean_activations(activations):
    """Each map's mean activation over its neurons: (n, h, w, maps) → (n, maps). The activations of a
    dense layer, (n, units), are returned as they are (a unit is its own "mean").
    Taught in notebook 06, section 4."""
    if len(activations.shape) == 4:
        return tf.reduce_mean(activations, axis=[1, 2])
    return activations


def map_objective(activations, channels):
    """The OIP objective, per image: the mean activation of image k's own map ``channels[k]``.
    ``activations`` is (n, h, w, maps) (or (n, units)); returns (n,). Taught in notebook 06, section 4."""
    means = mean_activations(activations)
    return tf.reduce_sum(means * tf.one_hot(channels, means.shape[-1]), axis=-1)


def ascent_step(x, objective, epsilon=EPSILON, penalty=None, standardize=True, signed=False):
    """One step of normalized gradient ascent on a batch of images ``x`` (n, 28, 28, 1).
    Taught in notebook 06, sections 4 and 5.

    ``objective(x)`` gives one value per image to climb (e.g. :func:`map_objective` of the layer's
    activations); ``penalty(x)`` (optional, per image) is subtracted from it — a regularizer such as
    :class:`helpers.oip.regularizers.TotalVariation`. ``epsilon`` may be a tensor (a step-size schedule).
    ``signed``: step by ``epsilon`` times the sign of the gradient instead (the signed step of FGSM/PGD,
    notebook 09), so every pixel moves by exactly ``epsilon``.
    Returns (new images, objective before the step).
    """
    with tf.GradientTape() as tape:
        tape.watch(x)
        value = objective(x)
        climbed = value - penalty(x) if penalty is not None else value
        total = tf.reduce_sum(climbed)             # images are independent: one gradient call for all
    g = tape.gradient(total, x)
    # unit-RMS gradient per image, so the step size is epsilon alone. The article's "+ 1e-7" stays outside
    # the root: early gradients can be that small, and rsqrt(ms + tiny) would change the trajectory
    rms = tf.sqrt(tf.reduce_mean(tf.square(g), axis=[1, 2, 3], keepdims=True))
    # ascent: plus sign (epsilon * g / (...) in this order keeps the unsigned step rounded as it always was)
    x = x + (epsilon * tf.sign(g) if signed else epsilon * g / (rms + RMS_FLOOR))
    # ReLU ramps have no maximum: without a fixed image scale the ascent would just inflate the contrast
    return (standardize_tensor(x) if standardize else x), value


def convergence_streak(j, loss, prev_loss, streak, conv_criterion):
    """The article's convergence test, one step at a time: the relative change
    ``(loss - prev_loss) / |loss|`` is below ``conv_criterion`` (after step 10, with loss ≠ 0). Returns the
    number of steps in a row that met it; a run has converged when this reaches 4 (CONVERGENCE_STREAK).
    For a map's mean activation (≥ 0) this is the article's test; measuring the change against |loss|
    extends it to objectives that can be negative (a class score). A loss of exactly 0 never converges:
    for a map it means the map is silent.
    Taught in notebook 06, section 6."""
    scale = tf.abs(loss)
    meets = (j > CONVERGENCE_WARMUP) & (scale > 0) & ((loss - prev_loss) / (scale + 1e-7) < conv_criterion)
    return tf.where(meets, streak + 1, 0)
