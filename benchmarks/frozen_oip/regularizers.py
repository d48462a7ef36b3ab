"""Regularizers beyond the article, both off by default (notebook 06, section 10): each is a small
function the ascent applies to the image batch."""
from __future__ import annotations

import tensorflow as tf


def random_shift(jitter: int, seed, step):
    """A random (dy, dx) in -jitter..jitter, the same for given (seed, step): the stateless random
    numbers make a run reproducible inside a compiled loop.
    Used by :class:`helpers.oip.engine.Ascent` for the ``jitter`` option (notebook 06, section 10)."""
    return tf.random.stateless_uniform([2], seed=tf.stack([seed, step]), minval=-jitter, maxval=jitter + 1,
                                       dtype=tf.int32)


def jitter_images(x, shift):
    """Roll the batch (n, h, w, 1) by ``shift`` pixels (an input modifier): the pattern must work at
    several positions, which suppresses pixel-sized noise. The gradient tape rolls the gradient back.
    Used by :class:`helpers.oip.engine.Ascent` for the ``jitter`` option (notebook 06, section 10)."""
    return tf.roll(x, shift=shift, axis=[1, 2])


def total_variation(x):
    """Mean absolute jump between neighbouring pixels, per image (n,): a penalty on rough images.
    Used by :class:`helpers.oip.engine.Ascent` for ``tv_weight`` (notebook 06, section 10)."""
    return (tf.reduce_mean(tf.abs(x[:, 1:] - x[:, :-1]), [1, 2, 3])
            + tf.reduce_mean(tf.abs(x[:, :, 1:] - x[:, :, :-1]), [1, 2, 3]))
