"""Your own digit as MNIST input (notebook 04, section 7, and notebook 05, section 8: "Draw your own digit").

MNIST's digits were made from scanned handwriting in two steps (LeCun, Cortes and Burges, on the MNIST
page): the ink's bounding box was scaled to fit a 20×20 box keeping its aspect ratio, with anti-aliasing
(so the edges become grey), and the result was placed in a 28×28 field so that the centre of mass of the
ink sits at the field's centre. :func:`to_mnist_digit` does the same to a drawing of any size; a drawing
that is not prepared like this (a small digit in a corner, a thin pen) looks to the CNN unlike anything it
was trained on.

A drawing is a 2-D array with ink as large values on a background of 0, as in MNIST (any scale: 0..1 or
0..255). The drawing pad (:mod:`helpers.activations.pad`) sends strokes, lists of (x, y) points;
:func:`strokes_to_drawing` paints them with a round pen into such an array.
"""
from __future__ import annotations

import numpy as np
from PIL import Image, ImageDraw

from ..arguments import check_count, check_positive

MNIST_SIZE = 28          # the field
MNIST_BOX = 20           # the box the ink's bounding box is scaled into
MNIST_PEN = 2.5          # pixels of 28: how wide an MNIST stroke is (about 2-3 pixels)
PAD_SCALE = 10           # pad pixels per MNIST pixel: a 280×280 pad
PAD_SIZE = MNIST_SIZE * PAD_SCALE
# 25 pad pixels: MNIST's stroke once a digit as tall as the pad's guide box (20 of its 28 parts) is scaled to 20
PEN_WIDTH = MNIST_PEN * PAD_SCALE
# where MNIST has the centre of mass, in 0-based pixel indices: (14, 14), not the geometric middle 13.5 (the test
# digits' mean centre of mass is (14.0, 14.0); placed at 13.5, a drawing would come out half a pixel too high)
FIELD_CENTRE = MNIST_SIZE / 2
INK_THRESHOLD = 0.02     # a pixel with less than 2 % of the strongest ink counts as background


class EmptyDrawingError(ValueError):
    """A drawing without any ink (empty, all white, one flat colour). Raised by :func:`to_mnist_digit`."""


def check_drawing(drawing) -> np.ndarray:
    """The drawing as a float64 2-D array of ink in 0..1 (background 0), or a clear error: not 2-D, NaN or
    infinite values, or no ink at all ("draw a digit first"). Used by :func:`to_mnist_digit`."""
    a = np.asarray(drawing, dtype=np.float64)
    if a.ndim == 3 and a.shape[-1] == 1:
        a = a[..., 0]
    if a.ndim != 2 or min(a.shape) < 1:
        raise ValueError(f"A drawing is one grayscale image, a 2-D array (height, width) with ink as large values; "
                         f"got shape {np.shape(drawing)}.")
    if not np.isfinite(a).all():
        raise ValueError(f"The drawing has {int((~np.isfinite(a)).sum())} NaN or infinite values; give finite "
                         "values (ink large, background 0).")
    a = a - a.min()                      # a background other than 0 (a grey paper) becomes 0
    if a.max() <= 0:
        raise EmptyDrawingError("The drawing has no ink (it is one flat colour, e.g. empty or all white): draw a "
                                "digit first.")
    return a / a.max()


def ink_box(drawing, threshold: float = INK_THRESHOLD) -> tuple[slice, slice]:
    """(rows, columns) of the smallest box holding every pixel with at least ``threshold`` of the strongest
    ink. Used by :func:`to_mnist_digit`."""
    a = check_drawing(drawing)
    rows, cols = np.flatnonzero((a >= threshold).any(axis=1)), np.flatnonzero((a >= threshold).any(axis=0))
    return slice(rows[0], rows[-1] + 1), slice(cols[0], cols[-1] + 1)


def _resize(image: np.ndarray, shape: tuple[int, int]) -> np.ndarray:
    """Anti-aliased resize of a float image to (height, width): each new pixel averages the old pixels it
    covers (a box filter) when shrinking; bilinear when enlarging a tiny drawing."""
    h, w = shape
    shrinking = h <= image.shape[0] and w <= image.shape[1]
    resized = Image.fromarray(image.astype(np.float32), mode="F").resize(
        (w, h), Image.Resampling.BOX if shrinking else Image.Resampling.BILINEAR)
    return np.asarray(resized, dtype=np.float64)


def center_of_mass(image) -> tuple[float, float]:
    """(row, column) of the ink's centre of mass: the pixel positions weighted by their ink."""
    a = np.asarray(image, dtype=np.float64)
    total = a.sum()
    rows, cols = np.arange(a.shape[0]), np.arange(a.shape[1])
    return float(a.sum(axis=1) @ rows / total), float(a.sum(axis=0) @ cols / total)


def to_mnist_digit(drawing) -> np.ndarray:
    """A drawing of any size → a 28×28 MNIST-like digit, float32 in 0..255 (ink large), made as MNIST was:

    1. crop to the ink's bounding box (:func:`ink_box`),
    2. scale it so that its longer side is 20 pixels, keeping the aspect ratio, anti-aliased (each new pixel
       is the average of the drawing's pixels it covers),
    3. place it in a 28×28 field, shifted by whole pixels so that the centre of mass of its ink is as close to
       pixel (14, 14) as the field allows (where MNIST's digits have it, :data:`FIELD_CENTRE`).

    Errors: a drawing without ink ("draw a digit first", :class:`EmptyDrawingError`), NaN or infinite values,
    anything but a 2-D array. Taught in notebook 04, section 7 ("Draw your own digit").
    """
    a = check_drawing(drawing)
    rows, cols = ink_box(a)
    ink = a[rows, cols]
    h, w = ink.shape
    scale = MNIST_BOX / max(h, w)
    small = _resize(ink, (max(1, round(h * scale)), max(1, round(w * scale))))
    r, c = center_of_mass(small)
    centre = FIELD_CENTRE
    top = int(np.clip(round(centre - r), 0, MNIST_SIZE - small.shape[0]))
    left = int(np.clip(round(centre - c), 0, MNIST_SIZE - small.shape[1]))
    digit = np.zeros((MNIST_SIZE, MNIST_SIZE), dtype=np.float64)
    digit[top:top + small.shape[0], left:left + small.shape[1]] = small
    return (255 * np.clip(digit / digit.max(), 0, 1)).astype(np.float32)


def digit_on_pad(digit, *, scale: int = PAD_SCALE, origin: tuple[int, int] = (0, 0),
                 size: int = PAD_SIZE) -> np.ndarray:
    """An MNIST digit drawn large onto an empty pad-sized canvas: its ink box enlarged ``scale`` times
    (bilinear, so its edges stay smooth as a pen's) and put with its top-left corner at ``origin`` = (row,
    column). The way back to 28×28 is :func:`to_mnist_digit`; the tests and notebook 04 use the two to show
    that the pipeline keeps a digit's look and its prediction. Returns float32 (size, size), ink 0..1."""
    scale, size = check_count("scale", scale, 1), check_count("size", size, 1)
    a = check_drawing(digit)
    rows, cols = ink_box(a)
    ink = a[rows, cols]
    big = _resize(ink, (ink.shape[0] * scale, ink.shape[1] * scale))
    top, left = (check_count("origin row", origin[0]), check_count("origin column", origin[1]))
    if top + big.shape[0] > size or left + big.shape[1] > size:
        raise ValueError(f"The enlarged digit ({big.shape[0]}×{big.shape[1]}) at {origin} does not fit on a "
                         f"{size}×{size} canvas; give a smaller scale or origin.")
    canvas = np.zeros((size, size), dtype=np.float32)
    canvas[top:top + big.shape[0], left:left + big.shape[1]] = np.clip(big, 0, 1)
    return canvas


def strokes_to_drawing(strokes, *, size: int = PAD_SIZE, pen_width: float = PEN_WIDTH) -> np.ndarray:
    """Paint strokes with a round pen into a (size, size) float32 drawing, ink 1 on background 0.

    strokes: a list of strokes, each a list of (x, y) points in pad pixels (x to the right, y down, as the
    browser reports them); a stroke of one point is a dot. The pad's JavaScript paints the same strokes on
    screen with the same pen (round ends and joins), so the kernel sees what the learner sees.
    Used by :class:`helpers.activations.pad_explorers.DrawingExplorer`.
    """
    size, pen_width = check_count("size", size, 1), check_positive("pen_width", pen_width)
    canvas = Image.new("L", (size, size), 0)
    paint = ImageDraw.Draw(canvas)
    radius = pen_width / 2
    for k, stroke in enumerate(strokes):
        points = np.asarray(stroke, dtype=np.float64).reshape(-1, 2) if len(stroke) else np.zeros((0, 2))
        if not np.isfinite(points).all():
            raise ValueError(f"Stroke {k} has NaN or infinite coordinates; give (x, y) points in pad pixels.")
        xy = [tuple(p) for p in points]
        if len(xy) > 1:
            paint.line(xy, fill=255, width=max(1, round(pen_width)))
        for x, y in xy:                                   # round ends and joins
            paint.ellipse((x - radius, y - radius, x + radius, y + radius), fill=255)
    return np.asarray(canvas, dtype=np.float32) / 255


def example_strokes(digit: int, size: int = PAD_SIZE) -> list[list[list[float]]]:
    """Strokes of a plain 0, 1 or 4 filling the pad's guide box, as a learner might draw them with the mouse: a
    closed oval, one vertical line, an open 4 in two strokes. The explorers start with one, so that there is
    something to see before you draw; the tests and the real-browser test draw them. Points in pad pixels."""
    size = check_count("size", size, MNIST_SIZE)
    unit = size / MNIST_SIZE                          # one MNIST pixel in pad pixels
    top, bottom, middle = 4.5 * unit, 23.5 * unit, size / 2

    def line(*corners, n: int = 12):
        points = []
        for (x0, y0), (x1, y1) in zip(corners[:-1], corners[1:]):
            points += [[x0 + (x1 - x0) * t, y0 + (y1 - y0) * t] for t in np.linspace(0, 1, n, endpoint=False)]
        return [[round(x, 1), round(y, 1)] for x, y in points + [list(corners[-1])]]

    if digit == 0:
        t = np.linspace(0, 2 * np.pi, 41)
        return [[[round(middle + 6 * unit * np.sin(a), 1), round(middle - 9.5 * unit * np.cos(a), 1)] for a in t]]
    if digit == 1:
        return [line((middle, top), (middle, bottom))]
    if digit == 4:
        return [line((middle + 1 * unit, top), (middle - 6 * unit, 16 * unit), (middle + 6 * unit, 16 * unit)),
                line((middle + 3 * unit, 9 * unit), (middle + 3 * unit, bottom))]
    raise ValueError(f"There are example strokes for the digits 0, 1 and 4; got {digit!r}.")
