"""Layer activations and activation grids (articles IV–VI).

Two steps, kept apart so each can be looked at on its own:

1. :func:`layer_activations` runs images through the model up to a named layer and returns what that
   layer outputs: maps of shape (N, h, w, n_maps) for conv and pool layers, node values (N, n_nodes)
   for dense layers.
2. :func:`activation_grid` tiles the output for *one* image into a single 2-D array that ``imshow``
   can draw: conv/pool maps side by side, 8 per row; dense nodes as one small cell each, arranged in
   a near-square block (the 100 nodes of Dense_1 as 10×10). Which of the two layouts is used follows
   from the shape of the activations, not from the layer's name.

About the input images: the CNN is trained on per-image standardized images (mean 0, std 1 per image,
see :func:`helpers.data.standardize`). Per-image standardization does not care about the scale of the
pixel values and does nothing to an image that is standardized already. So by default every image is
standardized here, whatever its dtype: raw uint8 MNIST images, float images in 0..1 or 0..255, and
images you standardized yourself all give the same activations. Only images that must reach the model
*exactly* as they are (for example an OIP pattern whose contrast matters) need ``standardized=True``,
which passes them through untouched.
"""
from __future__ import annotations

import math
import weakref
from dataclasses import dataclass
from numbers import Integral

import keras
import numpy as np

from .data import to_model_input

MAPS_PER_ROW = 8

# One sub-model (model input → output of one layer) per model and layer, built on first use.
# Keyed weakly by the model object, so a model that is no longer used is not kept alive by the cache.
_SUBMODELS: "weakref.WeakKeyDictionary[keras.Model, dict]" = weakref.WeakKeyDictionary()


# --------------------------------------------------------------------------------------------------
# input checks shared by the activation, plotting and widget helpers
# --------------------------------------------------------------------------------------------------

class UnknownLayerError(KeyError):
    """A layer name the model does not know; the message lists the valid names."""

    def __str__(self) -> str:  # KeyError would show the message in quotes
        return str(self.args[0])


def model_layer_names(model: keras.Model) -> list[str]:
    """Names of the layers whose output :func:`layer_activations` can return (all but the input)."""
    return [layer.name for layer in model.layers if not isinstance(layer, keras.layers.InputLayer)]


def check_layer_name(model: keras.Model, layer_name: str) -> str:
    """Return ``layer_name`` if the model has such a layer; otherwise raise :class:`UnknownLayerError`
    (a KeyError) whose message lists the valid names."""
    valid = model_layer_names(model)
    if layer_name not in valid:
        raise UnknownLayerError(f"The model {model.name!r} has no layer named {layer_name!r}. "
                                f"Valid layer names: {', '.join(valid)}.")
    return layer_name


def check_index(index, n_images: int, what: str = "the data set") -> int:
    """Return ``index`` as an int if it numbers an image in a set of ``n_images``; raise otherwise.

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
    """:func:`check_index` for one index or a sequence of them; always returns a list."""
    if isinstance(indices, (Integral, np.integer)) and not isinstance(indices, bool):
        indices = [indices]
    indices = list(indices)
    if not indices:
        raise ValueError("Give at least one image index.")
    return [check_index(int(i) if isinstance(i, np.integer) else i, n_images, what) for i in indices]


def as_model_input(images, *, standardized: bool = False) -> np.ndarray:
    """Images of shape (28, 28), (N, 28, 28) or (N, 28, 28, 1) → float32 model input (N, 28, 28, 1).

    standardized=False (default): standardize every image (harmless for images that already are).
    standardized=True: the images are model input already; only the shape is adjusted.
    """
    x = np.asarray(images)
    shape = x.shape
    if x.ndim == 2:
        x = x[None]
    if x.ndim == 3:
        x = x[..., None]
    if x.ndim != 4 or x.shape[1:] != (28, 28, 1):
        raise ValueError(f"Expected one MNIST image of shape (28, 28) or a batch of shape (N, 28, 28) or "
                         f"(N, 28, 28, 1); got shape {shape}. Select single images with images[i] or "
                         f"several with images[[i, j, k]].")
    if x.shape[0] == 0:
        raise ValueError("Got an empty batch of images (shape (0, 28, 28)); give at least one image.")
    if not standardized:
        return to_model_input(x)
    if x.dtype == np.uint8:
        raise ValueError("standardized=True says the images are standardized model input, but they are uint8 "
                         "pixel values (0..255). Leave standardized=False to have them standardized.")
    return x.astype(np.float32, copy=False)


# --------------------------------------------------------------------------------------------------
# activations
# --------------------------------------------------------------------------------------------------

def layer_submodel(model: keras.Model, layer_name: str) -> keras.Model:
    """The cached Keras sub-model from the model's input to the output of ``layer_name``.

    Built once per (model, layer) and reused: building a sub-model costs far more than running it on
    one image, so a widget that redraws on every change stays responsive.
    """
    check_layer_name(model, layer_name)
    per_model = _SUBMODELS.setdefault(model, {})
    if layer_name not in per_model:
        inputs = model.inputs[0] if len(model.inputs) == 1 else model.inputs
        per_model[layer_name] = keras.Model(inputs, model.get_layer(layer_name).output,
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
    """
    sub = layer_submodel(model, layer_name)
    x = as_model_input(images, standardized=standardized)
    # Calling the sub-model directly (not .predict) avoids Keras' per-call setup for small batches.
    parts = [keras.ops.convert_to_numpy(sub(x[i:i + batch_size], training=False))
             for i in range(0, len(x), batch_size)]
    return np.concatenate(parts, axis=0)


def activations_of_layers(model: keras.Model, layer_names, images, *, standardized: bool = False,
                          batch_size: int = 500) -> dict[str, np.ndarray]:
    """Like :func:`layer_activations` for several layers at once: {layer name: activations}.

    One pass through the network for all layers (a sub-model with several outputs, cached like the
    single-layer ones), so e.g. Conv2D_3 and Dense_1 of ten thousand images cost one run, not two.
    """
    names = tuple(layer_names)
    if not names:
        raise ValueError("Give at least one layer name.")
    for name in names:
        check_layer_name(model, name)
    key = names  # a tuple: never equal to the single-layer keys (plain names) in the same cache
    per_model = _SUBMODELS.setdefault(model, {})
    if key not in per_model:
        inputs = model.inputs[0] if len(model.inputs) == 1 else model.inputs
        per_model[key] = keras.Model(inputs, [model.get_layer(n).output for n in names],
                                     name=f"{model.name}_to_{len(names)}_layers")
    sub = per_model[key]
    x = as_model_input(images, standardized=standardized)
    parts = []
    for i in range(0, len(x), batch_size):
        out = sub(x[i:i + batch_size], training=False)
        out = out if isinstance(out, (list, tuple)) else [out]  # Keras unwraps a one-element output list
        parts.append([keras.ops.convert_to_numpy(t) for t in out])
    return {name: np.concatenate([p[j] for p in parts], axis=0) for j, name in enumerate(names)}


# --------------------------------------------------------------------------------------------------
# grids
# --------------------------------------------------------------------------------------------------

def _near_square(n: int) -> tuple[int, int]:
    """(rows, cols) with rows * cols == n, rows <= cols and as square as possible (100 → 10×10, 10 → 2×5)."""
    rows = max(r for r in range(1, math.isqrt(n) + 1) if n % r == 0)
    return rows, n // rows


@dataclass(frozen=True)
class GridLayout:
    """Where each map (or node) of one image's activations sits in the tiled grid.

    kind: "maps" for conv/pool output (h, w, n_maps), "nodes" for dense output (n_nodes,).
    cell_shape: size of one map in grid pixels ((1, 1) for a node).
    n_rows, n_cols: cells per column and per row. gap: grid pixels between neighbouring cells.
    """

    kind: str
    n_maps: int
    cell_shape: tuple[int, int]
    n_rows: int
    n_cols: int
    gap: int = 0

    @property
    def shape(self) -> tuple[int, int]:
        """Shape of the whole grid array."""
        h, w = self.cell_shape
        return (self.n_rows * h + (self.n_rows - 1) * self.gap, self.n_cols * w + (self.n_cols - 1) * self.gap)

    def cell_origin(self, k: int) -> tuple[int, int]:
        """(row, column) of the top-left grid pixel of map/node ``k``."""
        if not 0 <= k < self.n_maps:
            raise IndexError(f"Map index {k} is outside 0..{self.n_maps - 1}.")
        r, c = divmod(k, self.n_cols)
        h, w = self.cell_shape
        return r * (h + self.gap), c * (w + self.gap)

    def cell_center(self, k: int) -> tuple[float, float]:
        """(x, y) of the centre of cell ``k`` in imshow's data coordinates, e.g. for a text label."""
        r0, c0 = self.cell_origin(k)
        h, w = self.cell_shape
        return c0 + (w - 1) / 2, r0 + (h - 1) / 2

    def index_grid(self) -> np.ndarray:
        """Integer array of the grid's shape: the map/node index at each grid pixel, -1 on gaps and empty cells."""
        idx = np.full(self.shape, -1, dtype=np.int64)
        h, w = self.cell_shape
        for k in range(self.n_maps):
            r0, c0 = self.cell_origin(k)
            idx[r0:r0 + h, c0:c0 + w] = k
        return idx


def _single_image(activations) -> np.ndarray:
    a = np.asarray(activations)
    # Accept a leading batch axis of length 1, as layer_activations returns for a single image.
    if a.ndim in (2, 4) and a.shape[0] == 1:
        a = a[0]
    if a.ndim not in (1, 3):
        raise ValueError(f"activation_grid draws the activations of ONE image: shape (h, w, n_maps) for "
                         f"conv/pool layers or (n_nodes,) for dense layers (a leading axis of length 1 is "
                         f"fine); got shape {np.shape(activations)}. Pick one image, e.g. activations[i].")
    return a


def grid_layout(activation_shape, *, maps_per_row: int = MAPS_PER_ROW, gap: int = 0,
                dense_shape: tuple[int, int] | None = None) -> GridLayout:
    """The :class:`GridLayout` for activations of the given shape (one image, batch axis of 1 allowed).

    Shape (h, w, n_maps): maps of h×w, ``maps_per_row`` per row. Shape (n_nodes,): one 1×1 cell per node
    in a near-square block (100 → 10×10, 10 → 2×5), or ``dense_shape`` = (rows, cols) if given.
    """
    shape = _single_image(np.empty(activation_shape, dtype=np.uint8)).shape
    if gap < 0:
        raise ValueError(f"gap must be >= 0; got {gap}.")
    if len(shape) == 3:
        h, w, n = shape
        if maps_per_row < 1:
            raise ValueError(f"maps_per_row must be >= 1; got {maps_per_row}.")
        cols = min(maps_per_row, n)
        return GridLayout("maps", n, (h, w), math.ceil(n / cols), cols, gap)
    (n,) = shape
    rows, cols = dense_shape if dense_shape is not None else _near_square(n)
    if rows * cols < n:
        raise ValueError(f"dense_shape {dense_shape} has {rows * cols} cells, fewer than the {n} nodes.")
    return GridLayout("nodes", n, (1, 1), rows, cols, gap)


def standardize_maps(activations, clip: float | None = 2.0) -> np.ndarray:
    """Standardize each map of one image to mean 0 and std 1 and clip to ±``clip`` std (article IV's
    ``scale_img_vals``, which maps the same range to grey levels 0..255).

    Makes weak maps visible next to strong ones; the absolute activation levels are lost. A map with
    a single value (e.g. a dead map) becomes 0. Dense activations are one "map": the vector of all
    nodes is standardized as a whole.
    """
    a = _single_image(activations).astype(np.float32)
    axes = (0, 1) if a.ndim == 3 else (0,)
    mean = a.mean(axis=axes, keepdims=True)
    std = a.std(axis=axes, keepdims=True)
    out = np.divide(a - mean, std, out=np.zeros_like(a), where=std > 1e-12)
    return np.clip(out, -clip, clip) if clip is not None else out


def activation_grid(activations, *, maps_per_row: int = MAPS_PER_ROW, standardize: bool = False,
                    clip: float | None = 2.0, gap: int = 0, gap_value: float = np.nan,
                    dense_shape: tuple[int, int] | None = None, return_index: bool = False):
    """Tile the activations of ONE image into a 2-D array for ``imshow``.

    activations: (h, w, n_maps) from a conv/pool layer or (n_nodes,) from a dense layer; a leading batch
        axis of length 1 is accepted. Conv/pool maps are placed ``maps_per_row`` per row (Conv2D_3:
        128 maps of 3×3 → 16 rows × 8 columns → a 48×24 array); dense nodes get one grid pixel each in a
        near-square block (Dense_1: 10×10) or ``dense_shape``.
    standardize, clip: per-map standardization and clipping, see :func:`standardize_maps`.
    gap, gap_value: ``gap`` grid pixels of ``gap_value`` between neighbouring maps, as grid lines
        (NaN, the default, is drawn as "bad" colour by matplotlib). Unused cells also get ``gap_value``.
    return_index: also return the map index at each grid pixel (see :meth:`GridLayout.index_grid`).

    Returns the grid (float32), or (grid, index_grid) with ``return_index=True``.
    """
    a = _single_image(activations)
    if standardize:
        a = standardize_maps(a, clip)
    layout = grid_layout(a.shape, maps_per_row=maps_per_row, gap=gap, dense_shape=dense_shape)
    grid = np.full(layout.shape, gap_value, dtype=np.float32)
    h, w = layout.cell_shape
    for k in range(layout.n_maps):
        r0, c0 = layout.cell_origin(k)
        grid[r0:r0 + h, c0:c0 + w] = a[..., k] if layout.kind == "maps" else a[k]
    return (grid, layout.index_grid()) if return_index else grid


# --------------------------------------------------------------------------------------------------
# how much of the digit is still visible in a map
# --------------------------------------------------------------------------------------------------

def map_image_correlation(maps, images) -> np.ndarray:
    """Pearson correlation between every map and the image it came from, shape (N, n_maps).

    maps: conv/pool activations (N, h, w, n_maps); images: the N input images (28×28, any scale).
    Each map is enlarged to 28×28 by repeating its pixels (nearest neighbour), so a correlation near 1
    means "the map still shows the digit's strokes", near 0 "no resemblance left". Constant maps get 0.
    A rough measure (it ignores the few pixels a valid convolution cuts off at the border), but enough
    to see line structures dissolve from layer to layer.
    """
    m = np.asarray(maps, dtype=np.float64)
    x = np.asarray(images, dtype=np.float64)
    x = x.reshape(x.shape[:3]) if x.ndim == 4 else (x[None] if x.ndim == 2 else x)
    if m.ndim != 4 or x.shape[1:] != (28, 28) or len(m) != len(x):
        raise ValueError(f"Expected maps (N, h, w, n_maps) and N images (N, 28, 28); got {m.shape} and {x.shape}.")
    rows = (np.arange(28) * m.shape[1]) // 28
    cols = (np.arange(28) * m.shape[2]) // 28
    up = m[:, rows][:, :, cols]                                   # (N, 28, 28, n_maps)
    a = up - up.mean(axis=(1, 2), keepdims=True)
    b = (x - x.mean(axis=(1, 2), keepdims=True))[..., None]
    num = (a * b).sum(axis=(1, 2))
    den = np.sqrt((a ** 2).sum(axis=(1, 2)) * (b ** 2).sum(axis=(1, 2)))
    return np.divide(num, den, out=np.zeros_like(num), where=den > 1e-12)
