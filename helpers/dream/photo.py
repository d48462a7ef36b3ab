"""Photos for the dream carving: read any JPEG/PNG, make it gray and square, standardize it.

The carving of notebook 08 works on a square gray image of a fixed "working size" (560 px in the
articles), standardized like the MNIST images the CNN was trained on. This module turns an arbitrary
photo (RGB, RGBA, gray or palette; any size and aspect ratio) into exactly that, and says what it had
to do to make the photo square: cut away the edges (``fit="crop"``, the default) or add borders
(``fit="pad"``).

A photo that ships with matplotlib (Grace Hopper's portrait in its sample data) is the default, so
no download is ever needed: pass ``"default"`` instead of a path.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..data import standardize

DEFAULT_PHOTO = "default"
DEFAULT_WORKING_SIZE = 560
MIN_SIDE = 28                      # the CNN's input size: a smaller photo has nothing left to carve
# the largest working size: a 4096×4096 float32 photo is 64 MB per copy and the carving holds a few;
# far larger sizes would end in TensorFlow running out of memory, so they are refused before any work
MAX_WORKING_SIZE = 4096
GRAY_WEIGHTS = (0.299, 0.587, 0.114)   # the usual luma weights for R, G, B (ITU-R BT.601)
FITS = ("crop", "pad")


class PhotoError(ValueError):
    """A photo that cannot be used: unreadable, too small, or asked for in an impossible size.
    Raised by :func:`load_photo`."""


def default_photo_path() -> Path:
    """Path of the sample photo that ships with matplotlib (grace_hopper.jpg, 512×600 px).
    Used by :func:`load_photo` for ``"default"``."""
    import matplotlib.cbook as cbook

    return Path(cbook.get_sample_data("grace_hopper.jpg", asfileobj=False))


@dataclass
class Photo:
    """A photo prepared for carving. Returned by :func:`load_photo`; used in notebook 08 from its setup cell on.

    ``image`` is what the carving uses: gray, ``size``×``size``, standardized (mean 0, std 1).
    ``gray`` is the same before the standardization (0..255), ``color`` the matching RGB picture for
    display (uint8). ``fit`` says whether the photo was cropped or padded to make it square.
    """

    image: np.ndarray            # (size, size) float32, standardized
    gray: np.ndarray             # (size, size) float32, 0..255
    color: np.ndarray            # (size, size, 3) uint8
    source: str                  # the file it came from
    original_size: tuple         # (width, height) of the file
    fit: str                     # "crop" or "pad"
    square_box: tuple            # (left, top, right, bottom) of the square in the original's coordinates

    @property
    def size(self) -> int:
        return int(self.image.shape[0])

    def describe(self) -> str:
        """One line that says what was done to the photo."""
        w, h = self.original_size
        side = self.square_box[2] - self.square_box[0]
        if w == h:
            how = "already square"
        elif self.fit == "crop":
            how = f"cropped to its central {side}×{side} px"
        else:
            how = f"padded to {side}×{side} px with its mean gray"
        return f"{Path(self.source).name}: {w}×{h} px, {how}, scaled to {self.size}×{self.size} px"


def _open(path) -> "PIL.Image.Image":  # noqa: F821 (the name is only for readers)
    from PIL import Image, ImageOps, UnidentifiedImageError

    p = Path(path).expanduser()
    if not p.is_file():
        raise PhotoError(f"No photo at {p}. Give the path of a JPEG or PNG file, or 'default' for the "
                         "sample photo that ships with matplotlib.")
    try:
        img = Image.open(p)
        img.load()
    except (UnidentifiedImageError, Image.DecompressionBombError, OSError, SyntaxError, ValueError) as exc:
        raise PhotoError(f"Could not read {p} as an image ({exc.__class__.__name__}: {exc}). "
                         "Give a JPEG or PNG file.") from exc
    return ImageOps.exif_transpose(img)  # phone photos store their rotation in EXIF


def _to_rgb_and_gray(img) -> tuple[np.ndarray, np.ndarray]:
    """Any Pillow mode → (RGB uint8 for display, gray float32 0..255)."""
    from PIL import Image

    if img.mode in ("I", "I;16", "I;16B", "I;16L", "F"):  # 16-bit or float gray: keep the precision
        gray = np.asarray(img, dtype=np.float32)
        lo, hi = float(gray.min()), float(gray.max())
        gray = (gray - lo) * (255.0 / (hi - lo)) if hi > lo else np.zeros_like(gray)
        return np.repeat(gray.astype(np.uint8)[..., None], 3, axis=2), gray
    if img.mode in ("RGBA", "LA", "PA") or (img.mode == "P" and "transparency" in img.info):
        # transparent parts are shown on white, as an image viewer would show them
        rgba = img.convert("RGBA")
        white = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        img = Image.alpha_composite(white, rgba)
    rgb = np.asarray(img.convert("RGB"))
    gray = np.tensordot(rgb.astype(np.float32), np.asarray(GRAY_WEIGHTS, np.float32), axes=([2], [0]))
    return rgb, gray


def _square(rgb: np.ndarray, gray: np.ndarray, fit: str):
    h, w = gray.shape
    if fit == "crop":
        side = min(w, h)
        left, top = (w - side) // 2, (h - side) // 2
        box = (left, top, left + side, top + side)
        return rgb[top:top + side, left:left + side], gray[top:top + side, left:left + side], box
    side = max(w, h)
    left, top = (side - w) // 2, (side - h) // 2
    # the mean gray as border keeps the standardization from being dominated by the border
    fill = float(gray.mean())
    sq_gray = np.full((side, side), fill, np.float32)
    sq_gray[top:top + h, left:left + w] = gray
    sq_rgb = np.empty((side, side, 3), np.uint8)
    sq_rgb[:] = rgb.reshape(-1, 3).mean(axis=0).astype(np.uint8)
    sq_rgb[top:top + h, left:left + w] = rgb
    return sq_rgb, sq_gray, (-left, -top, side - left, side - top)


def load_photo(path=DEFAULT_PHOTO, size: int = DEFAULT_WORKING_SIZE, fit: str = "crop") -> Photo:
    """Read a photo and prepare it for carving: gray, ``size``×``size`` px, standardized.
    Used in notebook 08's setup cell.

    path: a JPEG/PNG file, or ``"default"`` for matplotlib's sample photo.
    fit: ``"crop"`` keeps the central square (default), ``"pad"`` adds borders of the mean gray so
    nothing is cut away. The returned :class:`Photo` records which one was done (``photo.fit``,
    ``photo.describe()``).
    """
    import tensorflow as tf
    from PIL import Image

    if fit not in FITS:
        raise PhotoError(f"fit must be one of {FITS}; got {fit!r}.")
    if (isinstance(size, bool) or not isinstance(size, (int, np.integer)) or size < MIN_SIDE
            or size > MAX_WORKING_SIZE):
        raise PhotoError(f"The working size must be an integer from {MIN_SIDE} to {MAX_WORKING_SIZE} px; "
                         f"got {size!r}.")
    if isinstance(path, str) and path == DEFAULT_PHOTO:
        path = default_photo_path()
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"path must be a file path or 'default'; got {type(path).__name__}.")
    img = _open(path)
    w, h = img.size
    if min(w, h) < MIN_SIDE:
        raise PhotoError(f"{Path(path).name} is {w}×{h} px; the carving needs at least {MIN_SIDE} px on each "
                         f"side (the CNN's input is {MIN_SIDE}×{MIN_SIDE}). Use a larger photo.")
    rgb, gray = _to_rgb_and_gray(img)
    rgb, gray, box = _square(rgb, gray, fit)
    # antialiased bicubic: a large photo is smoothed before it is shrunk, so no aliasing patterns appear
    gray = tf.image.resize(gray[None, :, :, None], (size, size), method="bicubic", antialias=True)
    gray = np.clip(gray.numpy()[0, :, :, 0], 0.0, 255.0)
    color = np.asarray(Image.fromarray(rgb).resize((size, size), Image.BICUBIC))
    return Photo(image=standardize(gray), gray=gray.astype(np.float32), color=color, source=str(path),
                 original_size=(w, h), fit=fit, square_box=box)
