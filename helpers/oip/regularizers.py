"""What the ascent can do besides climbing its objective, as small objects passed in lists (beyond the
articles; notebook 07, section 2). Adding one is one class here; the loop does not change.

* **Penalties** (``penalties=[...]``) are subtracted from the objective, per image: :class:`TotalVariation`,
  :class:`L2`, :class:`Diversity`. The recorded loss is the objective alone.
* **Transforms** (``transforms=[...]``) change the images the objective sees, inside the gradient tape (an
  input modifier): :class:`Jitter`, :class:`Standardize`.
* **Constraints** (``constraints=[...]``) are applied to the images after each step (and after the
  standardization, if that is on): :class:`LInfBall`, :class:`PixelRange`.

Each has ``build(parts, arrays, small)``, called once inside the compiled loop (see
:class:`helpers.oip.objectives.Part` for ``key`` and ``arrays``).
"""
from __future__ import annotations

import numpy as np
import tensorflow as tf

from ..arguments import check_count, check_non_negative, check_positive
from ..data import standardize_tensor
from .objectives import Part


# --- the plain functions (notebook 07, section 2) ---------------------------------------------------------------
def random_shift(jitter: int, seed, step):
    """A random (dy, dx) in -jitter..jitter, the same for given (seed, step): the stateless random
    numbers make a run reproducible inside a compiled loop. Used by :class:`Jitter`."""
    return tf.random.stateless_uniform([2], seed=tf.stack([seed, step]), minval=-jitter, maxval=jitter + 1,
                                       dtype=tf.int32)


def total_variation(x):
    """Mean absolute jump between neighbouring pixels, per image (n,): a penalty on rough images.
    Used by :class:`TotalVariation` (notebook 07, section 2)."""
    return (tf.reduce_mean(tf.abs(x[:, 1:] - x[:, :-1]), [1, 2, 3])
            + tf.reduce_mean(tf.abs(x[:, :, 1:] - x[:, :, :-1]), [1, 2, 3]))


# --- penalties: subtracted from the objective, per image ---------------------------------------------------------
class Penalty(Part):
    """``weight`` times a per-image value, subtracted from the objective. ``couples_images``: the value of
    one image depends on the others, so no image may leave the batch early."""

    couples_images = False

    def __init__(self, weight: float):
        self.weight = check_non_negative(f"{type(self).__name__} weight", weight)

    def key(self):
        return (type(self).__name__, self.weight)

    def value(self, x):
        raise NotImplementedError

    def for_batch(self, labels) -> "Penalty":
        """This penalty for a batch whose images climb the objectives ``labels`` (e.g. their maps).
        Used by ``My_OIP.derive_many``; only :class:`Diversity` needs them."""
        return self

    def build(self, parts, arrays, small):
        return lambda x: self.weight * self.value(x)


class TotalVariation(Penalty):
    """Rough images cost: the mean jump between neighbouring pixels (:func:`total_variation`)."""

    def value(self, x):
        return total_variation(x)


class L2(Penalty):
    """Large pixels cost: the mean squared pixel. Useful without standardization (with it, every image
    has the same mean square, 1)."""

    def value(self, x):
        return tf.reduce_mean(tf.square(x), axis=[1, 2, 3])


class Diversity(Penalty):
    """Several different patterns for one objective (lucid/lucent's diversity): each image pays the mean
    cosine similarity between its own centred pixels and those of the other images of its group, so the
    images of a group push each other apart (what :func:`helpers.gallery.mean_pairwise_correlation`
    measures). ``groups``: one label per image (e.g. the map each climbs);
    None: the whole batch is one group. Couples the images: the ascent refuses an early stop with it."""

    couples_images = True
    n_arrays = 1

    def __init__(self, weight: float, groups=None):
        super().__init__(weight)
        self.groups = None if groups is None else np.asarray(groups)

    def for_batch(self, labels):
        return self if self.groups is not None else Diversity(self.weight, labels)

    def arrays(self, n):
        groups = np.zeros(n, np.int32) if self.groups is None else np.asarray(self.groups)
        if groups.shape != (n,):
            raise ValueError(f"Diversity: give one group label per image ({n}); got shape {groups.shape}.")
        return [np.unique(groups, return_inverse=True)[1].astype(np.int32).ravel()]

    def build(self, parts, arrays, small):
        (groups,) = arrays
        others = tf.cast(tf.equal(groups[:, None], groups[None, :]), tf.float32)
        others = others * (1.0 - tf.eye(tf.shape(groups)[0]))                  # the same group, not itself
        count = tf.maximum(tf.reduce_sum(others, axis=1), 1.0)

        def penalty(x):
            flat = tf.reshape(x, [tf.shape(x)[0], -1])
            flat = flat - tf.reduce_mean(flat, axis=1, keepdims=True)
            unit = flat / (tf.norm(flat, axis=1, keepdims=True) + 1e-7)
            similarity = tf.matmul(unit, unit, transpose_b=True)
            return self.weight * tf.reduce_sum(similarity * others, axis=1) / count

        return penalty


# --- transforms: what the objective sees (inside the gradient tape) ---------------------------------------------
class Transform(Part):
    """Changes the images before the objective sees them: ``build`` returns fn(images, step, seed)."""


class Jitter(Transform):
    """Roll the batch by a random shift of up to ``pixels`` in each direction, a new one every step: the
    pattern must work at several positions, which suppresses pixel-sized noise. The gradient tape rolls
    the gradient back. The shift comes from the run's seed and the step (reproducible)."""

    def __init__(self, pixels: int):
        self.pixels = check_count("jitter (pixels)", pixels, 1)

    def key(self):
        return ("jitter", self.pixels)

    def build(self, parts, arrays, small):
        return lambda x, step, seed: tf.roll(x, shift=random_shift(self.pixels, seed, step), axis=[1, 2])


class Standardize(Transform):
    """The objective sees each image standardized (mean 0, standard deviation 1), as the CNN was trained,
    while the ascent moves the image itself: for images kept in pixel units (``standardize=False`` with a
    :class:`PixelRange` or :class:`LInfBall`)."""

    def build(self, parts, arrays, small):
        return lambda x, step, seed: standardize_tensor(x)


# --- constraints: applied after each step -----------------------------------------------------------------------
class Constraint(Part):
    """Puts each image back into an allowed set after every step: ``build`` returns fn(images) → images."""


class PixelRange(Constraint):
    """Every pixel in [low, high] (e.g. the 0..1 of an MNIST image)."""

    def __init__(self, low: float = 0.0, high: float = 1.0):
        if not (np.isfinite(low) and np.isfinite(high) and low < high):
            raise ValueError(f"PixelRange needs finite low < high; got {low}, {high}.")
        self.low, self.high = float(low), float(high)

    def key(self):
        return ("pixel_range", self.low, self.high)

    def build(self, parts, arrays, small):
        return lambda x: tf.clip_by_value(x, self.low, self.high)


class LInfBall(Constraint):
    """No pixel further than ``radius`` from the same pixel of ``center`` (the L∞ ball around a start
    image, e.g. a real 4 that may change by at most ε per pixel). ``center``: one image, or one per image,
    (n, 28, 28[, 1]), in the units of the images the ascent moves. ``radius``: one number, or one per image
    (the bisection of notebook 09 gives each digit its own ε in one batch)."""

    n_arrays = 2

    def __init__(self, center, radius):
        self.center = np.asarray(center, np.float32)
        if self.center.ndim == 2 or (self.center.ndim == 3 and self.center.shape[-1] == 1):
            self.center = self.center[None]
        if self.center.ndim == 3:
            self.center = self.center[..., None]
        if self.center.shape[1:] != (28, 28, 1) or not np.isfinite(self.center).all():
            raise ValueError(f"LInfBall: the center must be finite 28×28 image(s); got shape {np.shape(center)}.")
        if np.ndim(radius) == 0:
            self.radius = check_positive("LInfBall radius", radius)
        else:
            r = np.asarray(radius, np.float64)
            if r.ndim != 1 or r.size == 0 or not (np.isfinite(r).all() and (r > 0).all()):
                raise ValueError(f"LInfBall radius must be positive: one number, or one per image; got {radius!r}.")
            self.radius = r.astype(np.float32)

    def key(self):
        return ("linf_ball",)

    def arrays(self, n):
        if len(self.center) not in (1, n):
            raise ValueError(f"LInfBall: give one center image, or one per image ({n}); got {len(self.center)}.")
        radius = np.full(n, self.radius, np.float32) if np.ndim(self.radius) == 0 else self.radius
        if radius.shape != (n,):
            raise ValueError(f"LInfBall: give one radius, or one per image ({n}); got {radius.shape[0]}.")
        return [np.repeat(self.center, n, axis=0) if len(self.center) == 1 else self.center, radius]

    def build(self, parts, arrays, small):
        center, radius = arrays
        r = radius[:, None, None, None]
        return lambda x: tf.clip_by_value(x, center - r, center + r)
