"""Drawing a gallery: the mosaic of all patterns, the final-loss figure, saving (notebook 07)."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..files import check_output_path, written_atomically
from .layer import Gallery


GALLERY_VARIANTS = ("raw", "contrast", "both")


def grid_shape(n_panels: int, n_cols: int) -> tuple[int, int]:
    """(rows, columns) of a grid with ``n_panels`` panels and at most ``n_cols`` columns.
    Used by :func:`gallery_mosaic`."""
    if n_panels < 1 or n_cols < 1:
        raise ValueError(f"Need at least one panel and one column; got {n_panels} panels, {n_cols} columns.")
    n_cols = min(n_cols, n_panels)
    return int(np.ceil(n_panels / n_cols)), n_cols


def mark_no_response(ax, text: str = "no response", box=None) -> None:
    """Mark a panel that has no pattern: grey hatched background, a red cross and a short text.
    ``box`` = (x0, y0, width, height) in data coordinates; None marks the whole axes.
    Used by :func:`gallery_figure` and :func:`helpers.gallery.series.start_series_figure`."""
    from matplotlib.patches import Rectangle

    if box is None:
        x0, y0, w, h = 0, 0, 1, 1
        kw = dict(transform=ax.transAxes)
        ax.set_xlim(0, 1)
        ax.set_ylim(0, 1)
    else:
        (x0, y0, w, h), kw = box, {}
    ax.add_patch(Rectangle((x0, y0), w, h, facecolor="0.9", edgecolor="red", hatch="///", linewidth=1.0, **kw))
    ax.plot([x0 + 0.1 * w, x0 + 0.9 * w], [y0 + 0.1 * h, y0 + 0.9 * h], color="red", lw=1.5, **kw)
    ax.plot([x0 + 0.1 * w, x0 + 0.9 * w], [y0 + 0.9 * h, y0 + 0.1 * h], color="red", lw=1.5, **kw)
    ax.text(x0 + w / 2, y0 + h / 2, text, ha="center", va="center", fontsize=6, color="darkred",
            bbox=dict(facecolor="white", edgecolor="none", alpha=0.85, pad=1), **kw)


@dataclass
class Panel:
    """One panel of a gallery mosaic.
    Used by :func:`gallery_mosaic` and :func:`gallery_figure` (``fig.gallery_panels``)."""

    map_index: int
    kind: str                 # "raw" or "contrast"
    row: int
    col: int
    box: tuple                # (x0, y0, width, height) in mosaic pixels (y downwards)
    has_pattern: bool
    live: bool


PANEL, GAP_X, GAP_Y = 28, 3, 10  # pixels of a pattern, gap between columns, gap for the label above


def gallery_mosaic(gallery: Gallery, variant: str = "both", n_cols: int = 16, cmap: str = "viridis",
                   centre_move: float = 0.33) -> tuple[np.ndarray, list, tuple[int, int]]:
    """All panels of a gallery in one RGB image (white gaps, room for a label above each panel).
    Used by :func:`gallery_figure`.

    One image instead of hundreds of matplotlib axes keeps drawing a whole layer fast. Each panel is
    scaled on its own (raw: min..max; contrast: :func:`helpers.oip.display.enhance_contrast`), then
    coloured with ``cmap``. Returns (mosaic (H, W, 3) floats in [0, 1], panels, (rows, columns)).
    """
    import matplotlib

    from ..oip.display import enhance_contrast, to_unit_range

    if variant not in GALLERY_VARIANTS:
        raise ValueError(f"variant must be one of {GALLERY_VARIANTS}; got {variant!r}.")
    kinds = ["raw", "contrast"] if variant == "both" else [variant]
    if variant == "both" and n_cols % 2:
        n_cols += 1  # keep each raw/enhanced pair on one row
    items = [(r, kind) for r in gallery.results for kind in kinds]
    n_rows, n_cols = grid_shape(len(items), n_cols)
    colour = matplotlib.colormaps[cmap]
    mosaic = np.ones((n_rows * (PANEL + GAP_Y), n_cols * (PANEL + GAP_X) - GAP_X, 3))
    live, found = set(np.asarray(gallery.live).tolist()), set(gallery.found.tolist())
    panels = []
    for k, (res, kind) in enumerate(items):
        row, col = divmod(k, n_cols)
        x0, y0 = col * (PANEL + GAP_X), row * (PANEL + GAP_Y) + GAP_Y
        ok = res.map_index in found
        if ok:
            img = enhance_contrast(res.image, centre_move=centre_move) if kind == "contrast" else to_unit_range(res.image)
            mosaic[y0:y0 + PANEL, x0:x0 + PANEL] = colour(img)[..., :3]
        panels.append(Panel(res.map_index, kind, row, col, (x0, y0, PANEL, PANEL), ok, res.map_index in live))
    return mosaic, panels, (n_rows, n_cols)


def gallery_figure(gallery: Gallery, variant: str = "both", n_cols: int = 16, cmap: str = "viridis",
                   panel_size: float = 1.0, title: str | None = None, centre_move: float = 0.33):
    """The gallery as a grid of panels, each labelled with its map index.
    Used in notebook 07, sections 2 and 3, and by ``python -m helpers gallery``.

    variant: "raw" (the pattern as computed), "contrast" (enhanced with
        :func:`helpers.oip.display.enhance_contrast`) or "both" (the two side by side for each map:
        "m" raw, then "m+" enhanced).
    Maps without a pattern get a marked panel (red cross, hatching, "no response"), never a blank one;
    maps with a pattern that no test digit activates get an orange label with "*".
    Returns the matplotlib Figure; ``fig.gallery_panels`` lists the :class:`Panel` s and
    ``fig.gallery_grid`` is (rows, columns).
    """
    import matplotlib.pyplot as plt

    mosaic, panels, (n_rows, n_cols) = gallery_mosaic(gallery, variant, n_cols, cmap, centre_move)
    f, l, t = gallery.counts
    what = {"raw": "as computed", "contrast": "contrast enhanced",
            "both": "each map as computed (m) and contrast enhanced (m+)"}[variant]
    heading = title or f"OIPs of {gallery.layer_name}: patterns found {f} / live maps {l} / all maps {t} — {what}"
    if len(gallery.dead_with_pattern) and title is None:
        heading += "\n* no MNIST test digit activates this map (a dead map), yet the search found a pattern"
    width = panel_size * n_cols
    height = width * mosaic.shape[0] / mosaic.shape[1]
    fig, ax = plt.subplots(figsize=(width, height + 0.6))
    ax.imshow(mosaic, interpolation="nearest")
    ax.set_axis_off()
    for p in panels:
        x0, y0, w, h = p.box
        label = f"{p.map_index}" + ("+" if p.kind == "contrast" and variant == "both" else "")
        colour = "black"
        if not p.has_pattern:
            mark_no_response(ax, "no\nresponse" if p.live else "no resp.\n(dead)", box=(x0 - 0.5, y0 - 0.5, w, h))
            colour = "red"
        elif not p.live:
            label, colour = label + "*", "darkorange"
        ax.text(x0 + w / 2, y0 - 1.5, label, ha="center", va="bottom", fontsize=7, color=colour)
    ax.set_xlim(-0.5, mosaic.shape[1] - 0.5)
    ax.set_ylim(mosaic.shape[0] - 0.5, -0.5)
    fig.suptitle(heading, fontsize=10)
    fig.subplots_adjust(left=0.01, right=0.99, bottom=0.01, top=1 - (0.7 if "\n" in heading else 0.45) / (height + 0.6))
    fig.gallery_panels, fig.gallery_grid = panels, (n_rows, n_cols)
    return fig


def save_figure(fig, path, overwrite: bool = False, dpi: int = 120) -> Path:
    """Save a figure as PNG; refuses to replace an existing file unless ``overwrite``.
    Used by the command line (``python -m helpers gallery``, ``oip``, ``perfect-digits``)."""
    p = check_output_path(path, overwrite, suffixes=(".png",))
    with written_atomically(p) as tmp:
        fig.savefig(tmp, dpi=dpi, bbox_inches="tight")
    return p


def final_loss_figure(gallery: Gallery, n_named: int = 5):
    """Final activation of every map for its own pattern, sorted (log scale). The ``n_named`` strongest
    and weakest maps are named in a box; dead maps (no test digit activates them) are orange.
    Used in notebook 07, section 2."""
    import matplotlib.pyplot as plt
    from matplotlib.patches import Patch

    losses = gallery.final_losses
    order = np.argsort(losses)[::-1]
    live = set(np.asarray(gallery.live).tolist())
    maps = gallery.map_indices[order]
    colours = ["tab:blue" if m in live else "darkorange" for m in maps]
    fig, ax = plt.subplots(figsize=(10, 3.2))
    x = np.arange(len(order))
    ax.bar(x, np.where(losses[order] > 0, losses[order], np.nan), color=colours)
    strongest = ", ".join(str(m) for m in maps[:n_named])
    weakest = ", ".join(str(m) for m in maps[::-1][:n_named])
    ax.text(0.99, 0.97, f"strongest maps: {strongest}\nweakest maps: {weakest}", transform=ax.transAxes,
            ha="right", va="top", fontsize=8, bbox=dict(facecolor="white", edgecolor="0.8"))
    ax.set_xlabel("maps, sorted by final activation")
    ax.set_ylabel("final mean activation")
    ax.set_title(f"{gallery.layer_name}: how strongly each map responds to its own pattern")
    ax.set_yscale("log")
    ax.set_ylim(top=ax.get_ylim()[1] * 4)
    ax.grid(alpha=0.3, axis="y")
    if len(live) < len(maps):
        ax.legend(handles=[Patch(color="tab:blue", label="live map"),
                           Patch(color="darkorange", label="dead map (no test digit activates it)")], fontsize=8,
                  loc="upper center")
    fig.tight_layout()
    return fig


def kernel_figure(kernels, biases=None, hand_made=None, n_cols: int = 8, cmap: str = "RdBu_r",
                  title: str | None = None):
    """The learned kernels of a first conv layer next to hand-made ones, as small weight images.
    Taught in notebook 07, section 3.

    kernels: (n, kh, kw) learned weights (e.g. from :func:`helpers.gallery.kernels.layer_kernels`);
    biases: (n,) shown under each panel, or None; hand_made: a dict name → kernel, by default
    :data:`helpers.cnn.basics.EXAMPLE_KERNELS` (notebook 01), {} for none.
    Both groups use a diverging colormap centred at 0 (red positive, blue negative, white 0). The learned
    kernels share one symmetric scale (colorbar in weight units), so their strengths compare directly;
    each hand-made kernel is divided by its largest |weight| (their weights range from 1/9 to 5), so
    only their shapes compare with the learned ones.
    Returns the Figure; ``fig.kernel_axes`` are the learned kernels' axes, ``fig.hand_made_axes`` the others.
    """
    import matplotlib.pyplot as plt

    from ..cnn.basics import EXAMPLE_KERNELS

    kernels = np.asarray(kernels, np.float32)
    if kernels.ndim != 3:
        raise ValueError(f"kernels must be (n, height, width); got shape {kernels.shape}.")
    hand_made = EXAMPLE_KERNELS if hand_made is None else hand_made
    n = len(kernels)
    n_rows, n_cols = grid_shape(n, n_cols)
    n_hand = len(hand_made)
    width = 1.15 * n_cols + (2.6 if n_hand else 0) + 1.0
    fig = plt.figure(figsize=(width, 1.3 * max(n_rows, n_hand) + 0.9))
    outer = fig.add_gridspec(1, 2 if n_hand else 1, width_ratios=[1.6, 1.15 * n_cols] if n_hand else [1],
                             wspace=0.35)
    hand_axes = []
    if n_hand:
        inner = outer[0].subgridspec(n_hand, 1, hspace=0.55)
        for i, (name, k) in enumerate(hand_made.items()):
            k = np.asarray(k, np.float32)
            ax = fig.add_subplot(inner[i])
            im = ax.imshow(k / (float(np.abs(k).max()) or 1.0), cmap=cmap, vmin=-1, vmax=1)
            ax.set_title(name, fontsize=8, pad=2)
            ax.set_xticks([])
            ax.set_yticks([])
            hand_axes.append(ax)
        fig.colorbar(im, ax=hand_axes, shrink=0.6, location="left",
                     label="hand-made (notebook 01):\nweight / largest |weight|")
    inner = outer[-1].subgridspec(n_rows, n_cols, hspace=0.55, wspace=0.15)
    limit = float(np.abs(kernels).max()) or 1.0
    axes = []
    for i, k in enumerate(kernels):
        ax = fig.add_subplot(inner[divmod(i, n_cols)])
        im = ax.imshow(k, cmap=cmap, vmin=-limit, vmax=limit)
        ax.set_title(f"map {i}", fontsize=7, pad=2)
        if biases is not None:
            ax.set_xlabel(f"b={float(biases[i]):+.2f}", fontsize=6, labelpad=1)
        ax.set_xticks([])
        ax.set_yticks([])
        axes.append(ax)
    fig.colorbar(im, ax=axes, shrink=0.8, label="learned weight")
    fig.suptitle(title or f"Left: hand-made kernels of notebook 01. Right: the {n} learned "
                 f"{kernels.shape[1]}×{kernels.shape[2]} kernels" + (" (b = the map's bias)" if biases is not None
                                                                       else ""), fontsize=10)
    fig.kernel_axes, fig.hand_made_axes = axes, hand_axes
    return fig
