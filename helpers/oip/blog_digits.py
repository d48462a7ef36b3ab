"""The "perfect digits" the way the blog post on filters and perfect digits made them (notebook 07, section 7),
next to the course's own :meth:`helpers.oip.My_OIP.perfect_digits`.

The blog's recipe differs from the course's in four places:

* the start is an all-zero image, the same for every class (the course: random multi-scale fluctuations);
* the objective is the class *probability*, after the softmax (the course: the class score before it);
* the step size shrinks, ``1 / (100 + 10 * step)``, and the image is never standardized (the course: a
  fixed step and a standardization after every step);
* for display, the image is "de-averaged": its mean is subtracted, negative pixels are cut to 0 and the
  rest is scaled to a maximum of 1 (:func:`deaverage`).

The step itself is the course's :func:`helpers.oip.ascent.ascent_step` with ``standardize=False``.
"""
from __future__ import annotations

from typing import NamedTuple

import keras
import numpy as np

from ..arguments import check_count
from .constants import BLOG_STEPS
from .engine import Ascent
from .objectives import class_probability


class BlogDigits(NamedTuple):
    """What :func:`blog_perfect_digits` returns."""
    images: np.ndarray          # (10, 28, 28) the images as the ascent left them (not standardized)
    deaveraged: np.ndarray      # (10, 28, 28) the same after :func:`deaverage`, values in [0, 1]
    probabilities: np.ndarray   # (steps, 10) probability of image c's own class c before each step


def blog_step_size(step):
    """The blog's shrinking step size for the output layer: 1 / (100 + 10 * step) (a number, or a tensor
    inside the compiled loop).
    Taught in notebook 07, section 7."""
    return 1.0 / (100 + 10 * step)


def deaverage(images) -> np.ndarray:
    """The blog's display step for its grey perfect digits: subtract each image's mean, cut negative
    pixels to 0, scale each image to a maximum of 1. (n, 28, 28) → (n, 28, 28) in [0, 1].
    Taught in notebook 07, section 7."""
    x = np.asarray(images, np.float32)
    x = np.clip(x - x.mean(axis=(1, 2), keepdims=True), 0, None)
    return x / np.maximum(x.max(axis=(1, 2), keepdims=True), 1e-12)


def blog_perfect_digits(model_or_oip, n_steps: int = BLOG_STEPS) -> BlogDigits:
    """The blog's perfect digits: for each class c, start from an all-zero image and climb the model's
    probability of class c (after the softmax) with the unit-RMS gradient and the blog's shrinking step
    (:func:`blog_step_size`), without standardizing; then :func:`deaverage` the results.
    ``model_or_oip`` is a Keras model or a :class:`helpers.oip.My_OIP` (its model is used).
    Taught in notebook 07, section 7."""
    model = getattr(model_or_oip, "model", model_or_oip)
    if not isinstance(model, keras.Model):
        raise TypeError(f"model_or_oip must be a keras.Model or a My_OIP; got {type(model_or_oip).__name__}.")
    n_steps = check_count("n_steps", n_steps, 1)
    ascent = Ascent(model)
    classes = np.arange(ascent.parts.n_classes())
    zeros = np.zeros((len(classes), 28, 28, 1), np.float32)   # the blog's start, the same for every class
    out = ascent.run(class_probability(classes), zeros, n_steps, step_size=blog_step_size, standardize=False)
    images = out.images[..., 0]
    return BlogDigits(images, deaverage(images), out.losses)
