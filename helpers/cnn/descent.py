"""Gradient descent with and without momentum on a two-parameter toy loss (article III).

The CNN has 208,982 parameters, far too many to look at. A loss with two parameters shows in one
picture what momentum does, and it is minimised with the very optimizer the CNN is trained with
(``keras.optimizers.SGD``), so the picture shows Keras' momentum, not a re-implementation.
"""
from __future__ import annotations

import numpy as np


def valley_loss(w, steepness: float = 100.0):
    """A long, narrow valley: gentle along w[0], steep along w[1]. Minimum 0 at (0, 0).
    Taught in notebook 03, section 3.

    Plain gradient descent drops into such a valley quickly and then crawls along its floor, where the
    gradient is tiny; momentum adds the small gradients up into speed along the valley.
    """
    return 0.5 * (w[0] ** 2 + steepness * w[1] ** 2)


def descent_path(start=(-9.0, 1.5), *, learning_rate: float = 0.004, momentum: float = 0.0, steps: int = 80,
                 loss=valley_loss) -> np.ndarray:
    """Positions (steps + 1, 2) visited by keras.optimizers.SGD(learning_rate, momentum) from ``start``.
    Taught in notebook 03, section 3."""
    import keras
    import tensorflow as tf

    if steps < 0:
        raise ValueError(f"steps must be ≥ 0; got {steps}.")
    w = tf.Variable(np.asarray(start, dtype=np.float32))
    opt = keras.optimizers.SGD(learning_rate=learning_rate, momentum=momentum)
    path = [w.numpy().copy()]
    for _ in range(steps):
        with tf.GradientTape() as tape:
            value = loss(w)
        opt.apply_gradients([(tape.gradient(value, w), w)])
        path.append(w.numpy().copy())
    return np.array(path)
