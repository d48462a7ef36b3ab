"""Layer activations (articles IV–VI; notebook 04, sections 1–2, and notebook 05): a sub-model from the input to a
named layer, what it outputs for some images, and the checks of layer names and image indices.

About the input images: the CNN is trained on per-image standardized images (mean 0, std 1 per image,
see :func:`helpers.data.standardize`). Per-image standardization does not care about the scale of the
pixel values and does nothing to an image that is standardized already. So by default every image is
standardized here, whatever its dtype: raw uint8 MNIST images, float images in 0..1 or 0..255, and
images you standardized yourself all give the same activations. Only images that must reach the model
*exactly* as they are (for example an OIP pattern whose contrast matters) need ``standardized=True``,
which passes them through untouched.
"""
from __future__ import annotations

import weakref
from numbers import Integral

import keras
import numpy as np

from ..data import NonFiniteImageError, as_image_batch, standardize
from ..model import check_layer_name, image_submodel



# One sub-model (model input → output of one layer) per model and layer, built on first use.
# Keyed weakly by the model object, so a model that is no longer used is not kept alive by the cache.
_SUBMODELS: "weakref.WeakKeyDictionary[keras.Model, dict]" = weakref.WeakKeyDictionary()


def check_index(index, n_images: int, what: str = "the data set") -> int:
    """Return ``index`` as an int if it numbers an image in a set of ``n_images``; raise otherwise.
    Used by :func:`check_indices` and the activation explorer.

    Negative indices are refused on purpose: "test image -1" is more likely a slip than a wish for
    the last image.
    """
    if isinstance(index, bool) or not isinstance(index, Integral):
        raise TypeError(f"An image index must be an integer; got {index!r} ({type(index).__name__}).")
    if not 0 <= index < n_images:
        raise IndexError(f"Image index {index} is outside {what}, which holds {n_images} images "
                         f"(valid indices 0..{n_images - 1}).")
    return int(index)


def check_indices(indices, n_images: int, what: str = "the data set") -> list[int]:
    """:func:`check_index` for one index or a sequence of them; always returns a list.
    Used by :func:`helpers.activations.plots.plot_digit_and_grid` and ``plot_grids_side_by_side``."""
    if isinstance(indices, (Integral, np.integer)) and not isinstance(indices, bool):
        indices = [indices]
    indices = list(indices)
    if not indices:
        raise ValueError("Give at least one image index.")
    return [check_index(int(i) if isinstance(i, np.integer) else i, n_images, what) for i in indices]


def as_model_input(images, *, standardized: bool = False) -> np.ndarray:
    """Images of shape (28, 28), (28, 28, 1), (N, 28, 28) or (N, 28, 28, 1) → float32 model input
    (N, 28, 28, 1) (the shapes of :func:`helpers.data.as_image_batch`).
    Used by :func:`layer_activations` and :func:`activations_of_layers`.

    standardized=False (default): standardize every image (harmless for images that already are).
    standardized=True: the images are model input already; only the shape is adjusted.
    """
    try:
        x = as_image_batch(images)
    except NonFiniteImageError:
        raise
    except ValueError:
        raise ValueError(f"Expected one MNIST image of shape (28, 28) or a batch of shape (N, 28, 28) or "
                         f"(N, 28, 28, 1); got shape {np.shape(images)}. Select single images with images[i] or "
                         f"several with images[[i, j, k]].") from None
    if x.shape[0] == 0:
        raise ValueError("Got an empty batch of images (shape (0, 28, 28)); give at least one image.")
    if not standardized:
        return standardize(x)
    if np.asarray(images).dtype == np.uint8:
        raise ValueError("standardized=True says the images are standardized model input, but they are uint8 "
                         "pixel values (0..255). Leave standardized=False to have them standardized.")
    # a standardized image has mean 0, so negative pixels; float pixels in 0..1 or 0..255 have none
    raw = np.flatnonzero((x.min(axis=(1, 2, 3)) >= 0) & (x.max(axis=(1, 2, 3)) > 0))
    if raw.size:
        raise ValueError(f"standardized=True says the images are standardized model input, but image(s) "
                         f"{raw[:10].tolist()} have no negative values: raw pixel values (e.g. 0..1 or 0..255), "
                         f"largest {float(x[raw].max()):.4g}. Leave standardized=False to have them standardized.")
    return x


def layer_submodel(model: keras.Model, layer_name: str) -> keras.Model:
    """The cached Keras sub-model from the model's input to the output of ``layer_name``.

    Built once per (model, layer) and reused: building a sub-model costs far more than running it on
    one image, so a widget that redraws on every change stays responsive.
    Taught in notebook 04, section 1.
    """
    check_layer_name(model, layer_name)
    per_model = _SUBMODELS.setdefault(model, {})
    if layer_name not in per_model:
        per_model[layer_name] = image_submodel(model, model.get_layer(layer_name).output,
                                               name=f"{model.name}_to_{layer_name}")
    return per_model[layer_name]


def layer_activations(model: keras.Model, layer_name: str, images, *, standardized: bool = False,
                      batch_size: int = 500) -> np.ndarray:
    """Output of the layer ``layer_name`` for one or more images, as a numpy array.

    images: (28, 28) for one image, (N, 28, 28) or (N, 28, 28, 1) for several; uint8 or float.
    standardized: see the module docstring — False (default) standardizes each image first, True feeds
        the images unchanged.
    Returns (N, h, w, n_maps) for conv/pool layers and (N, n_nodes) for dense layers; N = 1 for a
    single image.
    Taught in notebook 04, section 1.
    """
    sub = layer_submodel(model, layer_name)
    x = as_model_input(images, standardized=standardized)
    # Calling the sub-model directly (not .predict) avoids Keras' per-call setup for small batches.
    parts = [keras.ops.convert_to_numpy(sub(x[i:i + batch_size], training=False))
             for i in range(0, len(x), batch_size)]
    return np.concatenate(parts, axis=0)


def layers_submodel(model: keras.Model, layer_names) -> keras.Model:
    """The cached Keras sub-model from the model's input to the outputs of several layers (a list of
    tensors, in the order of ``layer_names``; the names checked). Built once per (model, layers), like
    :func:`layer_submodel`. Used by :func:`activations_of_layers` and the dataset examples of notebook 07
    (:func:`helpers.gallery.examples.dataset_examples`)."""
    names = tuple(layer_names)
    if not names:
        raise ValueError("Give at least one layer name.")
    for name in names:
        check_layer_name(model, name)
    key = names  # a tuple: never equal to the single-layer keys (plain names) in the same cache
    per_model = _SUBMODELS.setdefault(model, {})
    if key not in per_model:
        per_model[key] = image_submodel(model, [model.get_layer(n).output for n in names],
                                        name=f"{model.name}_to_{len(names)}_layers")
    return per_model[key]


def activations_of_layers(model: keras.Model, layer_names, images, *, standardized: bool = False,
                          batch_size: int = 500) -> dict[str, np.ndarray]:
    """Like :func:`layer_activations` for several layers at once: {layer name: activations}.
    Used in notebook 05, sections 3 and 6.

    One pass through the network for all layers (a sub-model with several outputs, cached like the
    single-layer ones), so e.g. Conv2D_3 and Dense_1 of ten thousand images cost one run, not two.
    """
    names = tuple(layer_names)
    sub = layers_submodel(model, names)
    x = as_model_input(images, standardized=standardized)
    parts = []
    for i in range(0, len(x), batch_size):
        out = sub(x[i:i + batch_size], training=False)
        out = out if isinstance(out, (list, tuple)) else [out]  # Keras unwraps a one-element output list
        parts.append([keras.ops.convert_to_numpy(t) for t in out])
    return {name: np.concatenate([p[j] for p in parts], axis=0) for j, name in enumerate(names)}
