"""Showing OIPs: contrast enhancement, the evolution figure and an animated GIF.

Kept apart from :mod:`helpers.oip.core` on purpose: the algorithm returns data, and these functions draw it.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

from ..files import written_atomically


def to_unit_range(image) -> np.ndarray:
    """Linearly map an image to [0, 1] (a flat image becomes all zeros).
    Used by :func:`enhance_contrast`, :func:`save_gif`, the gallery mosaic and the dream display."""
    x = np.asarray(image, dtype=np.float32)
    lo, hi = float(x.min()), float(x.max())
    return np.zeros_like(x) if hi - lo < 1e-12 else (x - lo) / (hi - lo)


def enhance_contrast(image, centre_move: float = 0.33, fact: float = 1.0) -> np.ndarray:
    """Contrast enhancement for display, in the spirit of the articles' OIP figures.
    Taught in notebook 06, section 6; used in notebook 07, section 4.

    The image is mapped to [0, 1]; values below ``centre_move`` (the dull background the ascent
    leaves behind) become black, the rest is stretched over [0, 1] and raised to the power ``fact``
    (``fact`` < 1 brightens mid-tones, > 1 darkens them). Returns values in [0, 1].
    """
    if not 0 <= centre_move < 1:
        raise ValueError(f"centre_move must lie in [0, 1); got {centre_move}.")
    if fact <= 0:
        raise ValueError(f"fact must be positive; got {fact}.")
    y = np.clip((to_unit_range(image) - centre_move) / (1 - centre_move), 0, 1)
    return y ** fact


def evolution_figure(result, cmap: str = "viridis", contrast: bool = False, title: str | None = None):
    """The article's evolution figure: initial image, the log-spaced snapshots and the loss curve.
    Used in notebook 06, section 6, and by ``python -m helpers oip``.

    ``result`` is an :class:`helpers.oip.OIPResult`. Returns the matplotlib Figure.
    """
    import matplotlib.pyplot as plt

    panels = [("start", result.initial_image)] if result.initial_image is not None else []
    panels += [(f"step {s}", img) for s, img in result.snapshots]
    n_cols = 5
    n_rows = int(np.ceil((len(panels) + 1) / n_cols))
    fig = plt.figure(figsize=(3.0 * n_cols, 3.0 * n_rows), constrained_layout=True)
    grid = fig.add_gridspec(n_rows, n_cols)
    for i, (label, img) in enumerate(panels):
        ax = fig.add_subplot(grid[i // n_cols, i % n_cols])
        ax.imshow(enhance_contrast(img) if contrast else img, cmap=cmap)
        ax.set_title(label)
        ax.axis("off")
    last = len(panels)
    ax = fig.add_subplot(grid[last // n_cols, last % n_cols:])
    ax.plot(np.arange(len(result.losses)), result.losses)
    for s, _ in result.snapshots:
        ax.axvline(s, color="grey", lw=0.5, alpha=0.5)
    ax.set_xlabel("step")
    ax.set_ylabel("mean map activation (loss)")
    ax.set_title("loss curve")
    ax.grid(alpha=0.3)
    state = "converged" if result.converged else ("no response" if not result.responded else "not converged")
    fig.suptitle(title or f"OIP of map {result.map_index}: final loss {result.final_loss:.3g} ({state})")
    return fig


def save_gif(result, path, duration_ms: int = 400, scale: int = 8, contrast: bool = True,
             overwrite: bool = False) -> Path:
    """Write an animated GIF of the evolution (start image, then every snapshot) with Pillow.
    Used in notebook 06, section 8, and by ``python -m helpers oip``.

    Each frame is scaled up ``scale`` times (nearest neighbour, so pixels stay crisp).
    """
    from PIL import Image

    path = Path(path)
    if path.suffix.lower() != ".gif":
        raise ValueError(f"The animation is written as a .gif file; got {path}.")
    if path.exists() and not overwrite:
        raise FileExistsError(f"{path} exists; pass overwrite=True to replace it.")
    images = ([result.initial_image] if result.initial_image is not None else []) + [img for _, img in result.snapshots]
    if not images:
        raise ValueError("The result has no snapshots to animate.")
    frames = []
    for img in images:
        y = enhance_contrast(img) if contrast else to_unit_range(img)
        frame = Image.fromarray((y * 255).astype(np.uint8), mode="L")
        frames.append(frame.resize((frame.width * scale, frame.height * scale), Image.NEAREST))
    path.parent.mkdir(parents=True, exist_ok=True)
    with written_atomically(path) as tmp:
        frames[0].save(tmp, save_all=True, append_images=frames[1:], duration=duration_ms, loop=0)
    return path


def image_row_figure(images, titles=None, cmap: str = "gray", contrast: bool = False, suptitle: str | None = None,
                     size: float = 2.2):
    """A row (or rows of 10) of 28×28 images with titles, e.g. perfect digits or several starts.
    Used in notebooks 06 (sections 1, 3, 6, 7) and 07 (section 7)."""
    import matplotlib.pyplot as plt

    images = list(images)
    n_cols = min(10, len(images))
    n_rows = int(np.ceil(len(images) / n_cols))
    fig, axes = plt.subplots(n_rows, n_cols, figsize=(size * n_cols, size * n_rows + 0.4), squeeze=False)
    for ax in axes.flat:
        ax.axis("off")
    for i, img in enumerate(images):
        ax = axes.flat[i]
        ax.imshow(enhance_contrast(img) if contrast else img, cmap=cmap)
        if titles is not None:
            ax.set_title(titles[i], fontsize=9)
    if suptitle:
        fig.suptitle(suptitle)
    fig.tight_layout()
    return fig
