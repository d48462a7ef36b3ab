"""Figures of notebook 08: the carving's preparation, one iteration step by step, dreams side by side.

Kept apart from :mod:`helpers.dream` on purpose: the algorithm returns arrays, these functions draw them.
Every function returns its matplotlib Figure.
"""
from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

from ..oip.display import enhance_contrast
from .images import QUADRANT_NAMES, clip_contrast


def _show(ax, image, title, contrast=None, reference=None, cmap="gray"):
    if contrast == "clip":
        ax.imshow(clip_contrast(image, reference), cmap=cmap, vmin=0, vmax=1)
    elif contrast == "oip":
        ax.imshow(enhance_contrast(image), cmap=cmap, vmin=0, vmax=1)
    else:
        ax.imshow(image, cmap=cmap)
    ax.set_title(title, fontsize=9)
    ax.set_xticks([])
    ax.set_yticks([])


def _blank(ax):
    ax.axis("off")


def preparation_figure(photo, prep, size: float = 2.6):
    """Row 1: colour photo, gray standardized, 28×28 CNN input, enlarged again (detail lost), enlarged +
    correction. Then, for the chosen quadrants: the tiles, their 28×28 versions, and the restored tiles.
    Used in notebook 08, section 1."""
    n_q = len(prep.quadrants)
    n_cols = max(5, n_q)
    n_rows = 1 + (3 if n_q else 0)
    fig, axes = plt.subplots(n_rows, n_cols, figsize=(size * n_cols, size * n_rows + 0.6), squeeze=False)
    for ax in axes.flat:
        _blank(ax)
    s = prep.image.shape[0]
    row = [(photo.color if photo is not None else None, f"photo ({s}×{s})"),
           (prep.image, "gray, standardized"),
           (prep.small, "shrunk to 28×28: the CNN's input"),
           (prep.enlarged, f"enlarged to {s}×{s}: detail lost"),
           (prep.restored, "enlarged + correction")]
    for ax, (img, title) in zip(axes[0], row):
        if img is None:
            continue
        ax.axis("on")
        if img.ndim == 3:
            ax.imshow(img)
            ax.set_title(title, fontsize=9)
            ax.set_xticks([])
            ax.set_yticks([])
        else:
            _show(ax, img, title)
    for k, q in enumerate(prep.quadrants):
        name = QUADRANT_NAMES[q]
        for r, (img, title) in enumerate([(prep.tiles[k], f"quadrant {q} ({name})"),
                                          (prep.tiles_small[k], f"quadrant {q} at 28×28"),
                                          (prep.tiles_restored[k], f"quadrant {q} enlarged + correction")], start=1):
            axes[r, k].axis("on")
            _show(axes[r, k], img, title)
    fig.suptitle("Preparation: every trip through 28×28 loses detail; the correction tensors put it back")
    fig.tight_layout()
    return fig


def iteration_figure(step, original, quadrants=None, size: float = 2.6):
    """One carving iteration (a :class:`~helpers.dream.results.CarvingStep`) step by step, with the loss curves.
    ``quadrants`` (e.g. ``result.quadrants``) labels the tiles; ``original`` sets the clipped contrast.
    Used in notebook 08, section 3."""
    n_q = len(step.tiles_in)
    quadrants = tuple(quadrants) if quadrants is not None else tuple(range(1, n_q + 1))
    n_cols = max(5, n_q + 1)
    n_rows = 1 + (4 if n_q else 0)
    fig, axes = plt.subplots(n_rows, n_cols, figsize=(size * n_cols, size * n_rows + 0.6), squeeze=False)
    for ax in axes.flat:
        _blank(ax)
    row = [(step.small_in, "1 · CNN input (28×28)", None), (step.small_out, "2 · after the ascent", None),
           (step.enlarged, "3 · enlarged, standardized", None), (step.full, "4 · + correction (clipped)", "clip")]
    for ax, (img, title, contrast) in zip(axes[0], row):
        ax.axis("on")
        _show(ax, img, title, contrast, reference=original)
    ax = axes[0, 4]
    ax.axis("on")
    steps = np.arange(len(step.full_losses))
    ax.plot(steps, step.full_losses, label="full image")
    for k, q in enumerate(quadrants[:n_q]):
        ax.plot(steps, step.tile_losses[:, k], lw=1, label=f"quadrant {q}")
    ax.set_xlabel("ascent step")
    ax.set_ylabel("mean map activation")
    ax.set_title("2 · loss during the ascents", fontsize=9)
    ax.legend(fontsize=7)
    ax.grid(alpha=0.3)
    for k in range(n_q):
        for r, (img, title, contrast) in enumerate([
                (step.tiles_in[k], f"5 · quadrant {quadrants[k]}, cut from 4", None),
                (step.tiles_small_in[k], "6 · tile at 28×28", None),
                (step.tiles_small_out[k], "7 · after the ascent", None),
                (step.tiles_out[k], "8 · enlarged + correction", None)], start=1):
            axes[r, k].axis("on")
            _show(axes[r, k], img, title, contrast)
    if n_q:
        axes[1, n_q].axis("on")
        _show(axes[1, n_q], step.result, "9 · tiles pasted back (clipped)", "clip", reference=original)
    fig.suptitle(f"Carving iteration {step.iteration + 1}, step by step")
    fig.tight_layout()
    return fig


def dreams_side_by_side(images, titles, reference=None, contrast: str = "clip", size: float = 4.0,
                        suptitle: str | None = None):
    """A row of (S, S) images with the article's clipped contrast (relative to ``reference``).
    Used in notebook 08, sections 4, 5 and 6."""
    images = list(images)
    fig, axes = plt.subplots(1, len(images), figsize=(size * len(images), size + 0.6), squeeze=False)
    for ax, img, title in zip(axes[0], images, titles):
        _show(ax, img, title, contrast, reference=reference)
    if suptitle:
        fig.suptitle(suptitle)
    fig.tight_layout()
    return fig
