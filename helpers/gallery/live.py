"""Live maps: the maps that at least one MNIST test digit activates (notebook 07, section 1)."""
from __future__ import annotations

import numpy as np

from ..oip.ascent import mean_activations



def mnist_test_images():
    """The MNIST test images, standardized for the model: float32 (10000, 28, 28, 1).
    Used in notebook 07's setup cell and by ``python -m helpers gallery``."""
    from ..data import load_mnist, to_model_input

    (_, _), (x_test, _) = load_mnist()
    return to_model_input(x_test)


def live_maps_by_layer(model, images, layer_names, batch_size: int = 1000) -> dict:
    """Live maps of several layers in ONE pass over ``images`` (standardized, (N, 28, 28, 1)).

    Same rule as :meth:`My_OIP.live_maps` (some image gives the map a positive mean activation), but
    one sub-model with several outputs computes all layers together, so the test set goes through the
    network once instead of once per layer. Returns {layer name: array of live map indices}.
    Taught in notebook 07, section 1.
    """
    import tensorflow as tf

    from ..model import check_layer_name, image_submodel

    names = [check_layer_name(model, n) for n in layer_names]
    probe = image_submodel(model, [model.get_layer(n).output for n in names])

    @tf.function(input_signature=[tf.TensorSpec([None, 28, 28, 1], tf.float32)])
    def batch_best(x):   # each map's largest mean activation in the batch, per layer (compiled: no eager calls)
        outs = probe(x, training=False)
        return [tf.reduce_max(mean_activations(out), axis=0) for out in (outs if isinstance(outs, (list, tuple))
                                                                        else [outs])]

    best = [None] * len(names)
    x = np.asarray(images, np.float32)
    for i in range(0, len(x), batch_size):
        for k, m in enumerate(batch_best(tf.convert_to_tensor(x[i:i + batch_size]))):
            best[k] = m.numpy() if best[k] is None else np.maximum(best[k], m.numpy())
    return {n: np.flatnonzero(b > 0) for n, b in zip(names, best)}
