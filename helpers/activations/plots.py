"""Figures of activation grids: a digit beside its grid, several digits side by side on one colour
scale, per-map or per-node values with highlighted cells, and class-probability bars.

Every function returns the matplotlib Figure (assign it, ``fig = ...``, so a notebook shows it once).
The grid itself comes from :func:`helpers.activations.grids.activation_grid`; this module only draws.
"""
from __future__ import annotations

import matplotlib.patches as mpatches
import matplotlib.patheffects as path_effects
import matplotlib.pyplot as plt
import numpy as np

from .grids import MAPS_PER_ROW, activation_grid, grid_layout
from .maps import check_indices, layer_activations

DEFAULT_CMAP = "viridis"
GRID_LINE_COLOR = "#dddddd"
HIGHLIGHT_COLOR = "red"


def _cmap(name):
    # NaN cells (unused cells, gaps) are drawn white instead of transparent.
    return plt.get_cmap(name).with_extremes(bad="white")


def _describe(activations) -> str:
    a = np.asarray(activations)
    a = a[0] if a.ndim in (2, 4) and a.shape[0] == 1 else a
    if a.ndim == 3:
        return f"{a.shape[2]} maps of {a.shape[0]}×{a.shape[1]}"
    return f"{a.shape[0]} nodes"


def draw_grid(ax, activations, *, cmap: str = DEFAULT_CMAP, vmin=None, vmax=None, standardize: bool = False,
              clip: float | None = 2.0, maps_per_row: int = MAPS_PER_ROW, dense_shape=None,
              grid_lines: bool = True, show_indices: bool = False, highlight=(), highlight_color=HIGHLIGHT_COLOR,
              index_fontsize=None):
    """Draw the activation grid of one image into ``ax``; returns the AxesImage (for a colorbar).
    Used in notebook 05, section 7.

    grid_lines: thin lines between maps/nodes. show_indices: write each map's (node's) index into its
        cell; or a list of labels, one per map, to write instead (e.g. the map numbers of a selection).
        highlight: indices of maps/nodes to frame (in ``highlight_color``).
    """
    grid = activation_grid(activations, maps_per_row=maps_per_row, standardize=standardize, clip=clip,
                           dense_shape=dense_shape)
    layout = grid_layout(np.shape(activations), maps_per_row=maps_per_row, dense_shape=dense_shape)
    image = ax.imshow(grid, cmap=_cmap(cmap), vmin=vmin, vmax=vmax, interpolation="nearest")
    h, w = layout.cell_shape
    if grid_lines:
        for c in range(1, layout.n_cols):
            ax.axvline(c * w - 0.5, color=GRID_LINE_COLOR, linewidth=0.6)
        for r in range(1, layout.n_rows):
            ax.axhline(r * h - 0.5, color=GRID_LINE_COLOR, linewidth=0.6)
    if show_indices is not False and show_indices is not None:
        labels = range(layout.n_maps) if show_indices is True else list(show_indices)
        size = index_fontsize or (6 if layout.n_maps > 64 else 7)
        for k, label in zip(range(layout.n_maps), labels):
            x, y = layout.cell_center(k)
            ax.text(x, y, str(label), ha="center", va="center", fontsize=size, color="white",
                    path_effects=[path_effects.withStroke(linewidth=1.5, foreground="black")])
    for k in np.atleast_1d(np.asarray(highlight, dtype=int)):
        r0, c0 = layout.cell_origin(int(k))
        ax.add_patch(mpatches.Rectangle((c0 - 0.5, r0 - 0.5), w, h, fill=False, edgecolor=highlight_color,
                                        linewidth=1.8))
    ax.set_xticks([])
    ax.set_yticks([])
    return image


def _grid_panel_size(activations, maps_per_row=MAPS_PER_ROW, dense_shape=None, height=4.5, max_width=10.0):
    rows, cols = grid_layout(np.shape(activations), maps_per_row=maps_per_row, dense_shape=dense_shape).shape
    width = height * cols / rows
    if width > max_width:
        width, height = max_width, max_width * rows / cols
    return width, height


def plot_grid(activations, *, title: str | None = None, cmap: str = DEFAULT_CMAP, symmetric: bool = False,
              colorbar_label: str = "activation", **draw_kwargs):
    """One grid on its own, e.g. of averaged activations or of a score per map/node. Used in notebook 05, section 3.

    symmetric: centre the colour scale on 0 (for differences; use a diverging cmap such as "RdBu_r").
    Other keyword arguments go to :func:`draw_grid` (show_indices, highlight, standardize, ...).
    """
    width, height = _grid_panel_size(activations, draw_kwargs.get("maps_per_row", MAPS_PER_ROW),
                                      draw_kwargs.get("dense_shape"))
    fig, ax = plt.subplots(figsize=(width + 1.5, height + 0.6), constrained_layout=True)
    if symmetric:
        lim = float(np.nanmax(np.abs(activations))) or 1.0
        draw_kwargs.setdefault("vmin", -lim)
        draw_kwargs.setdefault("vmax", lim)
    image = draw_grid(ax, activations, cmap=cmap, **draw_kwargs)
    fig.colorbar(image, ax=ax, shrink=0.8, label=colorbar_label)
    ax.set_title(title or _describe(activations))
    return fig


def _digit_title(index, labels, what="test image"):
    title = f"{what} {index}"
    if labels is not None:
        title += f" (label {int(labels[index])})"
    return title


def _colorbar_label(standardize):
    return "standardized activation (clipped)" if standardize else "activation"


def plot_digit_and_grid(model, layer_name: str, images, index: int, *, labels=None, cmap: str = DEFAULT_CMAP,
                        standardize: bool = False, clip: float | None = 2.0, show_indices: bool = False,
                        highlight=(), highlight_color=HIGHLIGHT_COLOR, what: str = "test image"):
    """The digit ``images[index]`` beside the activation grid of layer ``layer_name`` for it.
    Taught in notebook 04, sections 3 and 4; used again in notebook 06, section 1.

    labels: the data set's labels, to show the true digit in the title. what: names the data set in
    titles and errors ("test image", "training image").
    """
    (index,) = check_indices(index, len(images), what=f"the {what}s")
    acts = layer_activations(model, layer_name, images[index])[0]
    width, height = _grid_panel_size(acts)
    fig, (ax_digit, ax_grid) = plt.subplots(1, 2, figsize=(min(height, 3.5) + width + 1.8, height + 0.6),
                                            width_ratios=[min(height, 3.5), width], constrained_layout=True)
    ax_digit.imshow(np.asarray(images[index]).squeeze(), cmap="gray_r")
    ax_digit.set_title(_digit_title(index, labels, what))
    ax_digit.set_xticks([])
    ax_digit.set_yticks([])
    image = draw_grid(ax_grid, acts, cmap=cmap, standardize=standardize, clip=clip, show_indices=show_indices,
                      highlight=highlight, highlight_color=highlight_color)
    ax_grid.set_title(f"{layer_name}: {_describe(acts)}")
    fig.colorbar(image, ax=ax_grid, shrink=0.8, label=_colorbar_label(standardize))
    return fig


def plot_grids_side_by_side(model, layer_name: str, images, indices, *, labels=None, cmap: str = DEFAULT_CMAP,
                            standardize: bool = False, clip: float | None = 2.0, show_indices: bool = False,
                            highlight=(), highlight_color=HIGHLIGHT_COLOR, titles=None, suptitle: str | None = None,
                            what: str = "test image"):
    """Several digits (top row) and their grids of layer ``layer_name`` (below) on ONE colour scale,
    so that equal colours mean equal activations across the digits.
    Used in notebooks 04 (section 5) and 05 (sections 2 and 4).

    titles: optional list of extra words per digit (e.g. "clear 4", "P(9) = 0.31").
    """
    indices = check_indices(indices, len(images), what=f"the {what}s")
    acts = layer_activations(model, layer_name, np.asarray(images)[indices])
    grids = [activation_grid(a, standardize=standardize, clip=clip) for a in acts]
    vmin, vmax = float(np.nanmin(grids)), float(np.nanmax(grids))
    width, height = _grid_panel_size(acts[0], height=4.5, max_width=4.0)
    n = len(indices)
    digit_h = min(width, 1.8)
    fig, axes = plt.subplots(2, n, figsize=(n * (width + 0.3) + 1.2, height + digit_h + 1.2),
                             height_ratios=[digit_h, height], squeeze=False, constrained_layout=True)
    for j, (idx, a) in enumerate(zip(indices, acts)):
        ax_d, ax_g = axes[0, j], axes[1, j]
        ax_d.imshow(np.asarray(images[idx]).squeeze(), cmap="gray_r")
        title = _digit_title(idx, labels, what)
        if titles is not None:
            title += f"\n{titles[j]}"
        ax_d.set_title(title, fontsize=9)
        ax_d.set_xticks([])
        ax_d.set_yticks([])
        image = draw_grid(ax_g, a, cmap=cmap, vmin=vmin, vmax=vmax, standardize=standardize, clip=clip,
                          show_indices=show_indices, highlight=highlight, highlight_color=highlight_color)
    fig.colorbar(image, ax=axes[1, :].tolist(), shrink=0.8, label=_colorbar_label(standardize))
    fig.suptitle(suptitle or f"{layer_name}: {_describe(acts[0])}, one colour scale for all")
    return fig


def plot_selected_maps(patterns, maps, *, row_titles, digits=None, cmap: str = DEFAULT_CMAP,
                       suptitle: str | None = None):
    """A few maps of several patterns as a table on ONE colour scale: one row per pattern (e.g. the average
    pattern of all 4s, of all 9s, single digits), one column per map in ``maps``, headed by its index.
    Used in notebook 05, section 5.

    patterns: (n_rows, h, w, n_maps) activations or averages of activations. row_titles: one text per row,
    written at its left. digits: optional, one image (28×28) or None per row, drawn in a first column
    (None leaves the cell empty, e.g. for an average).
    """
    patterns = np.asarray(patterns, dtype=float)
    maps = np.atleast_1d(np.asarray(maps, dtype=int))
    if patterns.ndim != 4:
        raise ValueError(f"Expected patterns of shape (n_rows, h, w, n_maps); got {patterns.shape}.")
    n_rows = len(patterns)
    if len(row_titles) != n_rows or (digits is not None and len(digits) != n_rows):
        raise ValueError(f"Give one row title (and one digit or None) per pattern: {n_rows} patterns.")
    if maps.size == 0 or maps.min() < 0 or maps.max() >= patterns.shape[-1]:
        raise IndexError(f"Map indices must lie in 0..{patterns.shape[-1] - 1}; got {maps.tolist()}.")
    shown = patterns[..., maps]
    vmin, vmax = float(shown.min()), float(shown.max())
    offset = 0 if digits is None else 1
    n_cols = len(maps) + offset
    fig, axes = plt.subplots(n_rows, n_cols, figsize=(1.0 * n_cols + 2.6, 1.0 * n_rows + 1.0), squeeze=False,
                             constrained_layout=True)
    for r in range(n_rows):
        if digits is not None:
            ax = axes[r, 0]
            if digits[r] is not None:
                ax.imshow(np.asarray(digits[r]).squeeze(), cmap="gray_r")
            else:
                ax.set_frame_on(False)
            if r == 0:
                ax.set_title("digit", fontsize=9)
        for c, k in enumerate(maps):
            ax = axes[r, c + offset]
            image = ax.imshow(shown[r, ..., c], cmap=_cmap(cmap), vmin=vmin, vmax=vmax, interpolation="nearest")
            if r == 0:
                ax.set_title(f"map {k}", fontsize=9)
        axes[r, 0].set_ylabel(row_titles[r], rotation=0, ha="right", va="center", fontsize=9)
    for ax in axes.ravel():
        ax.set_xticks([])
        ax.set_yticks([])
    fig.colorbar(image, ax=axes[:, offset:].ravel().tolist(), shrink=0.8, label="activation")
    if suptitle:
        fig.suptitle(suptitle)
    return fig


def plot_class_probabilities(probabilities, *, true_labels=None, titles=None, highlight_class=None):
    """Bar charts of the class probabilities for one image (shape (10,)) or several ((n, 10)), side by side.
    Used in notebook 05, sections 4 and 5.

    true_labels: the true digit of each image (its bar is drawn in a darker colour).
    highlight_class: a class whose probability is written above its bar (e.g. 9 for ambiguous 4s);
        the probabilities of the predicted and the true class are always written.
    """
    p = np.atleast_2d(np.asarray(probabilities, dtype=float))
    if p.ndim != 2:
        raise ValueError(f"Expected probabilities of shape (n_classes,) or (n_images, n_classes); got {p.shape}.")
    n, n_classes = p.shape
    true = [None] * n if true_labels is None else list(np.atleast_1d(true_labels))
    fig, axes = plt.subplots(1, n, figsize=(3.2 * n + 0.4, 2.8), squeeze=False, sharey=True,
                             constrained_layout=True)
    for j, ax in enumerate(axes[0]):
        draw_class_probabilities(ax, p[j], true_label=true[j], annotate=[highlight_class],
                                 title=None if titles is None else titles[j])
    for ax in axes[0, 1:]:
        ax.set_ylabel("")
    return fig


def draw_class_probabilities(ax, probabilities, *, true_label=None, annotate=(), accent=(), title=None):
    """One image's class probabilities (shape (n_classes,)) as bars in ``ax``; the probability of the predicted
    class, of ``true_label`` (drawn darker) and of the classes in ``annotate`` is written above its bar; the
    classes in ``accent`` are drawn in orange. Used by :func:`plot_class_probabilities` and the drawing-pad
    explorers of notebooks 04 and 05."""
    p = np.asarray(probabilities, dtype=float)
    n_classes = len(p)
    colors = ["tab:blue"] * n_classes
    for c in accent:
        colors[int(c)] = "tab:orange"
    if true_label is not None:
        colors[int(true_label)] = "navy"
    ax.bar(np.arange(n_classes), p, color=colors)
    shown = {int(p.argmax()), *(None if c is None else int(c) for c in annotate),
             None if true_label is None else int(true_label)} - {None}
    for c in sorted(shown):
        ax.text(c, p[c] + 0.02, f"{p[c]:.3f}", ha="center", fontsize=8)
    ax.set_xticks(np.arange(n_classes))
    ax.set_ylim(0, 1.12)
    ax.set_xlabel("class")
    ax.set_ylabel("probability")
    if title is not None:
        ax.set_title(title, fontsize=9)
