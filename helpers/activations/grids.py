"""Activation grids (notebook 04, section 3): the output of one layer for *one* image tiled into a single
2-D array that ``imshow`` can draw: conv/pool maps side by side, 8 per row; dense nodes as one small
cell each, arranged in a near-square block (the 100 nodes of Dense_1 as 10×10). Which of the two
layouts is used follows from the shape of the activations, not from the layer's name.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ..arguments import check_count


MAPS_PER_ROW = 8


def _near_square(n: int) -> tuple[int, int]:
    """(rows, cols) with rows * cols == n, rows <= cols and as square as possible (100 → 10×10, 10 → 2×5)."""
    rows = max(r for r in range(1, math.isqrt(n) + 1) if n % r == 0)
    return rows, n // rows


@dataclass(frozen=True)
class GridLayout:
    """Where each map (or node) of one image's activations sits in the tiled grid.
    Returned by :func:`grid_layout`; used in notebook 04, section 2.

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
    Taught in notebook 04, section 2.

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
    Taught in notebook 04, section 4.
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
    Taught in notebook 04, section 2.
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


def map_image_correlation(maps, images, *, batch_size: int = 100) -> np.ndarray:
    """Pearson correlation between every map and the image it came from, shape (N, n_maps).
    Taught in notebook 04, section 3.

    maps: conv/pool activations (N, h, w, n_maps); images: the N input images (28×28, any scale).
    Each map is enlarged to 28×28 by repeating its pixels (nearest neighbour), so a correlation near 1
    means "the map still shows the digit's strokes", near 0 "no resemblance left". Constant maps get 0.
    A rough measure (it ignores the few pixels a valid convolution cuts off at the border), but enough
    to see line structures dissolve from layer to layer.
    batch_size: images per step. The enlarged maps are float64 copies of 28×28 per map and image
    (Conv2D_3 of 1000 digits: 0.8 GB, and the arithmetic needs it three times), so they are made for
    ``batch_size`` images at a time; every image's correlations are its own, the result is the same.
    """
    m = np.asarray(maps)
    x = np.asarray(images)
    x = x.reshape(x.shape[:3]) if x.ndim == 4 else (x[None] if x.ndim == 2 else x)
    if m.ndim != 4 or x.shape[1:] != (28, 28) or len(m) != len(x):
        raise ValueError(f"Expected maps (N, h, w, n_maps) and N images (N, 28, 28); got {m.shape} and {x.shape}.")
    batch_size = check_count("batch_size", batch_size, 1)
    parts = [_correlation_of_batch(m[i:i + batch_size], x[i:i + batch_size]) for i in range(0, len(m), batch_size)]
    return np.concatenate(parts, axis=0) if parts else np.zeros((0, m.shape[3]))


def _correlation_of_batch(maps, images) -> np.ndarray:
    """:func:`map_image_correlation` for one batch: maps (n, h, w, n_maps), images (n, 28, 28)."""
    m = np.asarray(maps, dtype=np.float64)
    x = np.asarray(images, dtype=np.float64)
    rows = (np.arange(28) * m.shape[1]) // 28
    cols = (np.arange(28) * m.shape[2]) // 28
    up = m[:, rows][:, :, cols]                                   # (n, 28, 28, n_maps)
    a = up - up.mean(axis=(1, 2), keepdims=True)
    b = (x - x.mean(axis=(1, 2), keepdims=True))[..., None]
    num = (a * b).sum(axis=(1, 2))
    den = np.sqrt((a ** 2).sum(axis=(1, 2)) * (b ** 2).sum(axis=(1, 2)))
    return np.divide(num, den, out=np.zeros_like(num), where=den > 1e-12)
