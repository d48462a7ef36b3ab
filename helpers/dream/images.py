"""The image side of dream carving: the trip through 28×28 and back, the detail correction, quadrants
and their statistics, display contrast, PNG output (Deep Dreams I and III; notebook 08, sections 1, 3, 5)."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import tensorflow as tf

from ..files import check_output_path, written_atomically



CNN_SIZE = 28


QUADRANT_NAMES = {1: "top left", 2: "top right", 3: "bottom left", 4: "bottom right"}


ALL_QUADRANTS = (1, 2, 3, 4)


# the article's display: gray values scaled by 1.1 and clipped at 85 % of the photo's smaller extreme
CLIP_FRACTION = 0.85


CLIP_GAIN = 1.1


class QuadrantSpecError(ValueError):
    """A quadrant selection that is not 'all', 'none' or a list of the numbers 1..4.
    Raised by :func:`parse_quadrants` (so by the carving, the dream explorer and ``--quadrants``)."""


def parse_quadrants(spec) -> tuple[int, ...]:
    """'all' → (1, 2, 3, 4); 'none', '', None → (); '1,4' or [1, 4] or 4 → the chosen ones, sorted.
    Used by :class:`DreamCarver`, the dream explorer and ``python -m helpers dream --quadrants``.

    Quadrants are numbered like text is read: 1 top left, 2 top right, 3 bottom left, 4 bottom right.
    """
    if spec is None:
        return ()
    if isinstance(spec, str):
        text = spec.strip().lower()
        if text == "all":
            return ALL_QUADRANTS
        if text in ("", "none"):
            return ()
        parts = [p.strip() for p in text.split(",")]
        if not all(p.isdigit() for p in parts):
            raise QuadrantSpecError(f"Quadrants must be 'all', 'none' or numbers 1..4 separated by commas "
                                    f"(e.g. '1,4'); got {spec!r}.")
        numbers = [int(p) for p in parts]
    else:
        items = [spec] if np.ndim(spec) == 0 else list(spec)
        if not all(isinstance(q, (int, np.integer)) and not isinstance(q, bool) for q in items):
            raise QuadrantSpecError(f"Quadrants must be the integers 1..4; got {spec!r}.")
        numbers = [int(q) for q in items]
    bad = [q for q in numbers if q not in QUADRANT_NAMES]
    if bad:
        raise QuadrantSpecError(f"There is no quadrant {bad[0]}: they are 1 (top left), 2 (top right), "
                                f"3 (bottom left) and 4 (bottom right).")
    if len(set(numbers)) != len(numbers):
        raise QuadrantSpecError(f"Each quadrant may be chosen once; got {spec!r}.")
    return tuple(sorted(numbers))


def _resize(images, size: int):
    # antialias matters when shrinking (560 → 28): without it bicubic would sample, not average
    return tf.image.resize(images, (size, size), method="bicubic", antialias=True)


def cnn_input(images) -> tf.Tensor:
    """Shrink (n, H, W, 1) images to the CNN's 28×28 and standardize them. Taught in notebook 08, section 1."""
    return tf.image.per_image_standardization(_resize(tf.convert_to_tensor(images, tf.float32), CNN_SIZE))


def back_to_size(small, size: int) -> tf.Tensor:
    """Enlarge (n, 28, 28, 1) images to ``size`` (bicubic) and standardize them. Taught in notebook 08, section 1."""
    return tf.image.per_image_standardization(_resize(tf.convert_to_tensor(small, tf.float32), size))


def detail_correction(images) -> np.ndarray:
    """What the trip through 28×28 loses: ``images - back_to_size(cnn_input(images))``, (n, H, W, 1).

    Adding it to the enlarged copy gives the original back; adding it to an enlarged *carved* copy
    puts the photo's fine detail back on top of the carved pattern.
    Taught in notebook 08, section 1.
    """
    x = np.asarray(images, np.float32)
    return x - back_to_size(cnn_input(x), x.shape[1]).numpy()


def quadrant_slices(size: int) -> dict:
    """{quadrant: (row slice, column slice)} for a square image of even side ``size``.
    Used by :func:`cut_quadrants` and :func:`paste_quadrants`."""
    h = size // 2
    first, second = slice(0, h), slice(h, size)
    return {1: (first, first), 2: (first, second), 3: (second, first), 4: (second, second)}


def cut_quadrants(image, quadrants) -> np.ndarray:
    """The chosen quadrants of a (S, S) or (1, S, S, 1) image as a batch (n, S/2, S/2, 1).
    Used by :class:`DreamCarver` (``prepare`` and ``carve_quadrants``, notebook 08, sections 1 and 3)."""
    x = np.asarray(image, np.float32)
    x = x[0, :, :, 0] if x.ndim == 4 else x
    sl = quadrant_slices(x.shape[0])
    return np.stack([x[sl[q]] for q in quadrants])[..., None]


def paste_quadrants(image, tiles, quadrants) -> np.ndarray:
    """A copy of the (S, S) image with the tiles (n, S/2, S/2[, 1]) put into the chosen quadrants.
    Used by ``DreamCarver.carve_quadrants`` (notebook 08, section 3) and ``CarvingPreparation.reassembled``."""
    out = np.array(image, np.float32, copy=True)
    sl = quadrant_slices(out.shape[0])
    for q, tile in zip(quadrants, np.asarray(tiles, np.float32)):
        out[sl[q]] = tile.reshape(out[sl[q]].shape)
    return out


def tile_statistics(tiles) -> tuple[np.ndarray, np.ndarray]:
    """Mean and std of each tile (n, h, w, 1), the std floored like ``tf.image.per_image_standardization``
    (so standardizing with them and undoing it are exact inverses).
    Used by :class:`DreamCarver`; notebook 08, section 5 prints the numbers (``prep.tile_mean``, ``tile_std``)."""
    x = np.asarray(tiles, np.float32)
    n_pixels = np.prod(x.shape[1:])
    mean = x.mean(axis=(1, 2, 3), keepdims=True)
    std = np.maximum(x.std(axis=(1, 2, 3), keepdims=True), 1.0 / np.sqrt(n_pixels))
    return mean.astype(np.float32), std.astype(np.float32)


def clip_contrast(image, reference=None, fraction: float = CLIP_FRACTION, gain: float = CLIP_GAIN) -> np.ndarray:
    """The article's display contrast for carved images, mapped to [0, 1].
    Named in notebook 08, section 3; used by the dream figures and :meth:`DreamResult.display`.

    The standardized image is multiplied by ``gain`` and clipped to ±``fraction`` × the smaller of
    |min| and |max| of ``reference`` (the original photo; default the image itself). That cuts off the
    few extreme pixels and spreads the rest over the whole gray range.
    """
    if not 0 < fraction <= 1:
        raise ValueError(f"fraction must lie in (0, 1]; got {fraction}.")
    if gain <= 0:
        raise ValueError(f"gain must be positive; got {gain}.")
    x = np.asarray(image, np.float32)
    ref = x if reference is None else np.asarray(reference, np.float32)
    limit = fraction * min(abs(float(ref.min())), abs(float(ref.max())))
    if limit <= 0:
        return np.zeros_like(x)
    return (np.clip(gain * x, -limit, limit) + limit) / (2 * limit)


def save_png(image, path, overwrite: bool = False) -> Path:
    """Write a display image with values in [0, 1] (e.g. from :func:`clip_contrast`) as an 8-bit gray PNG.
    Used by :meth:`DreamResult.save_png` (and so by ``python -m helpers dream``)."""
    from PIL import Image

    p = check_output_path(path, overwrite, (".png",), make_dirs=True)
    x = np.clip(np.asarray(image, np.float32), 0, 1)
    if x.ndim != 2:
        raise ValueError(f"save_png writes one gray image (H, W); got shape {x.shape}.")
    p.parent.mkdir(parents=True, exist_ok=True)
    with written_atomically(p) as tmp:
        Image.fromarray(np.round(x * 255).astype(np.uint8), mode="L").save(tmp)
    return p
