"""Galleries of OIPs: the pattern of every map of a conv layer, and one map from many starts.

Article IX showed patterns for 61 of the 128 maps of Conv2D_3; the other maps stayed at zero
activation from the random starts tried. Article X's precursor (pick, per map, the long-wavelength
random image that activates it most) fills those gaps, and article XII repeats the gallery for the first
two conv layers. Here a whole layer is derived in ONE batched run of :class:`helpers.oip.My_OIP`
with the precursor on, and the result is checked against the maps that real digits activate:

    patterns found / live maps / all maps

A map is *live* when at least one MNIST test digit gives it a positive mean activation. A live map
without a pattern would be a failure of the search; the goal is that every live map gets one. A
dead map (no test digit activates it) can still get a pattern: the search is not limited to digits.

Defaults: ``precursor=True`` (no map is left at zero for want of a good start) and
``stop_early=True`` (maps that meet the article's convergence criterion leave the batch, the
article's ``b_stop_with_convergence``), which roughly halves the time for a whole layer.

The "Hand of MNIST" series (:func:`start_series`) derives one map from several random starts with
different wavelength mixes, still in one batch, and measures how alike the results are: the mean
pairwise Pearson correlation of the final images, and the same after aligning each pair by a small
shift (the deep maps barely care where on the image a stroke sits, so plain correlation undersells
how alike two results look).
"""
from __future__ import annotations

import os
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .oip import ARTICLE_SCALES, My_OIP, initial_image

GALLERY_VARIANTS = ("raw", "contrast", "both")

# Wavelength mixes (factors for the scales (3,3), (7,7), (14,14), (28,28)) for the series of starts:
# from long waves only to the article's even mix; all keep some long-wavelength part, because a map of
# Conv2D_3 covers a large part of the digit and often ignores pure pixel noise.
SERIES_MIXES = (
    (0.6, 0.4, 0.0, 0.0),
    (0.2, 0.2, 0.0, 0.0),
    (0.5, 0.5, 0.5, 0.5),
    (0.3, 0.5, 0.3, 0.0),
    (0.5, 0.2, 0.1, 0.1),
    (0.1, 0.5, 0.2, 0.0),
)


# --------------------------------------------------------------------------------------------------
# Live maps
# --------------------------------------------------------------------------------------------------
def mnist_test_images():
    """The MNIST test images, standardized for the model: float32 (10000, 28, 28, 1)."""
    from .data import load_mnist, to_model_input

    (_, _), (x_test, _) = load_mnist()
    return to_model_input(x_test)


def live_maps_by_layer(model, images, layer_names, batch_size: int = 1000) -> dict:
    """Live maps of several layers in ONE pass over ``images`` (standardized, (N, 28, 28, 1)).

    Same rule as :meth:`My_OIP.live_maps` (some image gives the map a positive mean activation), but
    one sub-model with several outputs computes all layers together, so the test set goes through the
    network once instead of once per layer. Returns {layer name: array of live map indices}.
    """
    import keras
    import tensorflow as tf

    names = list(layer_names)
    known = [l.name for l in model.layers]
    for name in names:
        if name not in known:
            raise ValueError(f"Unknown layer {name!r}; the model's layers are: {', '.join(known)}.")
    probe = keras.Model(model.inputs, [model.get_layer(n).output for n in names])
    best = [None] * len(names)
    x = np.asarray(images, np.float32)
    for i in range(0, len(x), batch_size):
        outs = probe(tf.convert_to_tensor(x[i:i + batch_size]), training=False)
        outs = outs if isinstance(outs, (list, tuple)) else [outs]
        for k, out in enumerate(outs):
            m = tf.reduce_max(tf.reduce_mean(out, axis=[1, 2]), axis=0).numpy()
            best[k] = m if best[k] is None else np.maximum(best[k], m)
    return {n: np.flatnonzero(b > 0) for n, b in zip(names, best)}


# --------------------------------------------------------------------------------------------------
# The gallery of one layer
# --------------------------------------------------------------------------------------------------
@dataclass
class Gallery:
    """The patterns of all maps of one layer, with what is needed to judge them."""

    layer_name: str
    results: list                      # one OIPResult per map, in map order
    live: np.ndarray                   # indices of the maps some test digit activates
    seconds: float = float("nan")      # time of the batched derivation (precursor included)
    settings: dict = field(default_factory=dict)

    @property
    def n_maps(self) -> int:
        return len(self.results)

    @property
    def map_indices(self) -> np.ndarray:
        return np.array([r.map_index for r in self.results])

    @property
    def final_losses(self) -> np.ndarray:
        """Final mean activation of each map for its own pattern, (n_maps,)."""
        return np.array([r.final_loss for r in self.results], dtype=np.float32)

    @property
    def images(self) -> np.ndarray:
        """All patterns, (n_maps, 28, 28)."""
        return np.stack([r.image for r in self.results])

    @property
    def found(self) -> np.ndarray:
        """Indices of the maps that got a pattern: they responded and end with a positive activation."""
        return np.array([r.map_index for r in self.results if r.responded and r.final_loss > 0], dtype=int)

    @property
    def missing(self) -> np.ndarray:
        """Live maps without a pattern (the goal: none)."""
        return np.setdiff1d(self.live, self.found)

    @property
    def dead_with_pattern(self) -> np.ndarray:
        """Maps no test digit activates, for which the search still found a pattern."""
        return np.setdiff1d(self.found, self.live)

    @property
    def counts(self) -> tuple[int, int, int]:
        """(patterns found, live maps, all maps)."""
        return len(self.found), len(self.live), self.n_maps

    def summary(self) -> str:
        found, live, total = self.counts
        text = f"{self.layer_name}: patterns found {found} / live maps {live} / all maps {total}"
        if len(self.missing):
            text += f"; live maps without a pattern: {self.missing.tolist()}"
        if len(self.dead_with_pattern):
            text += f"; patterns for maps no test digit activates: {self.dead_with_pattern.tolist()}"
        if np.isfinite(self.seconds):
            text += f" ({self.seconds:.1f} s)"
        return text

    def __repr__(self):
        return f"Gallery({self.summary()})"


def _as_oip(source, layer_name) -> My_OIP:
    if isinstance(source, My_OIP):
        if layer_name not in (None, source.layer_name):
            return My_OIP(source.model, layer_name)
        return source
    return My_OIP(source, layer_name or "Conv2D_3")


def layer_gallery(source=None, layer_name: str | None = None, *, n_epochs: int = 600, epsilon: float = 0.01,
                  seed=0, precursor: bool = True, stop_early: bool = True, live=None, images=None,
                  n_reports: int = 6, **derive_kwargs) -> Gallery:
    """Derive the pattern of every map of a layer in one batched run and compare with the live maps.

    source: a :class:`My_OIP` (its layer is used unless ``layer_name`` says otherwise), a keras model,
        a ``.keras`` path, or None for the reference model.
    live: indices of the live maps, if already known; otherwise they are computed from ``images``
        (digits, raw or standardized: they are standardized per image), by default the whole MNIST
        test set.
    precursor, stop_early: on by default, see the module docstring. Other keyword arguments go to
        :meth:`My_OIP.derive_many`.
    """
    oip = _as_oip(source, layer_name)
    if live is None:
        live = oip.live_maps(mnist_test_images() if images is None else images)
    live = np.asarray(live, dtype=int)
    t0 = time.perf_counter()
    results = oip.derive_many(range(oip.n_maps), n_epochs=n_epochs, epsilon=epsilon, seed=seed,
                              precursor=precursor, stop_early=stop_early, n_reports=n_reports, **derive_kwargs)
    seconds = time.perf_counter() - t0
    settings = dict(n_epochs=n_epochs, epsilon=epsilon, seed=seed, precursor=precursor, stop_early=stop_early,
                    **derive_kwargs)
    return Gallery(oip.layer_name, results, live, seconds, settings)


def grid_shape(n_panels: int, n_cols: int) -> tuple[int, int]:
    """(rows, columns) of a grid with ``n_panels`` panels and at most ``n_cols`` columns."""
    if n_panels < 1 or n_cols < 1:
        raise ValueError(f"Need at least one panel and one column; got {n_panels} panels, {n_cols} columns.")
    n_cols = min(n_cols, n_panels)
    return int(np.ceil(n_panels / n_cols)), n_cols


def _mark_no_response(ax, text: str = "no response", box=None) -> None:
    """Mark a panel that has no pattern: grey hatched background, a red cross and a short text.
    ``box`` = (x0, y0, width, height) in data coordinates; None marks the whole axes."""
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
    """One panel of a gallery mosaic."""

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

    One image instead of hundreds of matplotlib axes keeps drawing a whole layer fast. Each panel is
    scaled on its own (raw: min..max; contrast: :func:`helpers.oip_display.enhance_contrast`), then
    coloured with ``cmap``. Returns (mosaic (H, W, 3) floats in [0, 1], panels, (rows, columns)).
    """
    import matplotlib

    from .oip_display import enhance_contrast, to_unit_range

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

    variant: "raw" (the pattern as computed), "contrast" (enhanced with
        :func:`helpers.oip_display.enhance_contrast`) or "both" (the two side by side for each map:
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
            _mark_no_response(ax, "no\nresponse" if p.live else "no resp.\n(dead)", box=(x0 - 0.5, y0 - 0.5, w, h))
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


def check_output_path(path, overwrite: bool = False, suffixes=(".png",)) -> Path:
    """Check a file we are about to write, before any slow work: suffix, existing directory, writable,
    and no existing file unless ``overwrite``. Returns the path; raises ValueError / FileExistsError /
    FileNotFoundError / PermissionError with a message that says what to do."""
    p = Path(path).expanduser()
    if suffixes and p.suffix.lower() not in suffixes:
        raise ValueError(f"{p} should end in {' or '.join(suffixes)}.")
    parent = p.parent if str(p.parent) else Path(".")
    if not parent.is_dir():
        raise FileNotFoundError(f"The directory {parent} does not exist; create it first or choose another path.")
    if p.is_dir():
        raise IsADirectoryError(f"{p} is a directory; give a file name such as {p / ('out' + suffixes[0])}.")
    if p.exists() and not overwrite:
        raise FileExistsError(f"{p} exists; pass --overwrite (overwrite=True) to replace it.")
    if not os.access(parent, os.W_OK) or (p.exists() and not os.access(p, os.W_OK)):
        raise PermissionError(f"Cannot write to {p}: no write permission; choose another path.")
    return p


def save_figure(fig, path, overwrite: bool = False, dpi: int = 120) -> Path:
    """Save a figure as PNG; refuses to replace an existing file unless ``overwrite``."""
    p = check_output_path(path, overwrite, suffixes=(".png",))
    fig.savefig(p, dpi=dpi, bbox_inches="tight")
    return p


def final_loss_figure(gallery: Gallery, n_named: int = 5):
    """Final activation of every map for its own pattern, sorted (log scale). The ``n_named`` strongest
    and weakest maps are named in a box; dead maps (no test digit activates them) are orange."""
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


# --------------------------------------------------------------------------------------------------
# How alike? — correlations, and how much of the image a pattern fills
# --------------------------------------------------------------------------------------------------
def pairwise_correlations(images) -> np.ndarray:
    """Pearson correlation of every pair of images, (n, n)."""
    x = np.asarray(images, np.float64).reshape(len(images), -1)
    if len(x) < 2:
        raise ValueError("Need at least two images to compare.")
    return np.corrcoef(x)


def mean_pairwise_correlation(images) -> float:
    """Mean Pearson correlation over all pairs of images: 1 = identical up to brightness/contrast,
    about 0 = unrelated, -1 = inverted."""
    c = pairwise_correlations(images)
    return float(c[np.triu_indices(len(c), k=1)].mean())


def shift_tolerant_correlation(a, b, max_shift: int = 4) -> float:
    """Pearson correlation of two images after the best circular shift of ``b`` by up to ``max_shift``
    pixels in each direction. Two patterns with the same strokes in slightly different places count
    as alike here, while their plain correlation can be near 0."""
    a = np.asarray(a, np.float64)
    b = np.asarray(b, np.float64)
    best = -1.0
    for dy in range(-max_shift, max_shift + 1):
        for dx in range(-max_shift, max_shift + 1):
            best = max(best, float(np.corrcoef(a.ravel(), np.roll(b, (dy, dx), axis=(0, 1)).ravel())[0, 1]))
    return best


def shift_tolerant_correlations(images, max_shift: int = 4) -> np.ndarray:
    """:func:`shift_tolerant_correlation` of every pair, (n, n) (symmetrized: the larger of a→b, b→a)."""
    n = len(images)
    out = np.eye(n)
    for i in range(n):
        for j in range(i + 1, n):
            out[i, j] = out[j, i] = max(shift_tolerant_correlation(images[i], images[j], max_shift),
                                        shift_tolerant_correlation(images[j], images[i], max_shift))
    return out


def bright_area(image, threshold: float = 0.5, centre_move: float = 0.33) -> float:
    """Share of the image (0..1) that is bright after contrast enhancement (above ``threshold``):
    large for a texture that fills the image, small for a few isolated strokes."""
    from .oip_display import enhance_contrast

    return float(np.mean(enhance_contrast(image, centre_move=centre_move) > threshold))


# --------------------------------------------------------------------------------------------------
# One map, many starts ("Hand of MNIST")
# --------------------------------------------------------------------------------------------------
@dataclass
class StartSeries:
    """One map derived from several random starts, one wavelength mix each."""

    layer_name: str
    map_index: int
    mixes: list                        # factors per start
    results: list                      # OIPResult per start
    correlations: np.ndarray           # (n, n) Pearson correlations of the final images
    shifted_correlations: np.ndarray = None   # (n, n) the same, best over shifts up to max_shift pixels
    max_shift: int = 4

    def _mean_over_responding(self, matrix) -> float:
        ok = np.flatnonzero(self.responded)
        if len(ok) < 2 or matrix is None:
            return float("nan")
        sub = matrix[np.ix_(ok, ok)]
        return float(sub[np.triu_indices(len(ok), k=1)].mean())

    @property
    def responded(self) -> np.ndarray:
        return np.array([r.responded and r.final_loss > 0 for r in self.results])

    @property
    def similarity(self) -> float:
        """Mean pairwise Pearson correlation of the final images of the starts that responded
        (NaN if fewer than two responded)."""
        return self._mean_over_responding(self.correlations)

    @property
    def shifted_similarity(self) -> float:
        """The same with each pair first aligned by the best shift up to ``max_shift`` pixels."""
        return self._mean_over_responding(self.shifted_correlations)

    @property
    def final_losses(self) -> np.ndarray:
        return np.array([r.final_loss for r in self.results], dtype=np.float32)

    def __repr__(self):
        return (f"StartSeries({self.layer_name} map {self.map_index}: {int(self.responded.sum())}/"
                f"{len(self.results)} starts responded, similarity {self.similarity:.2f}, "
                f"shift-tolerant {self.shifted_similarity:.2f})")


def series_starts(oip: My_OIP, map_index: int, mixes=SERIES_MIXES, scales=ARTICLE_SCALES, seed: int = 0,
                  best_of: int = 32) -> tuple[np.ndarray, np.ndarray]:
    """One random start per wavelength mix for the series: for mix k, ``best_of`` random images with
    that mix (seed ``seed + k``) are drawn and the one that activates the map most is kept (a small
    precursor per mix, article X; ``best_of=1`` keeps the first draw as it is).
    Returns (starts (n_mixes, 28, 28, 1), their activations of the map (n_mixes,))."""
    if best_of < 1:
        raise ValueError(f"best_of must be at least 1; got {best_of}.")
    starts, acts = [], []
    for k, mix in enumerate(mixes):
        cands = initial_image(mix, scales, n=best_of, seed=seed + k)
        a = oip.map_activations(cands)[:, map_index]
        starts.append(cands[a.argmax()])
        acts.append(a.max())
    return np.stack(starts), np.array(acts, np.float32)


def start_series(source, map_index: int, mixes=SERIES_MIXES, *, layer_name: str | None = None,
                 seed: int = 0, scales=ARTICLE_SCALES, best_of: int = 32, n_epochs: int = 600,
                 epsilon: float = 0.01, stop_early: bool = True, n_reports: int = 6, max_shift: int = 4,
                 **derive_kwargs) -> StartSeries:
    """Derive ``map_index`` once per wavelength mix, from different random starts, in ONE batch.

    The starts come from :func:`series_starts`; all of them go to :meth:`My_OIP.derive_many`
    together (the same map repeated), so the series costs one run. ``max_shift`` is the largest shift
    (pixels) :func:`shift_tolerant_correlation` tries when comparing two results.
    """
    oip = _as_oip(source, layer_name)
    mixes = [tuple(float(f) for f in m) for m in mixes]
    if len(mixes) < 2:
        raise ValueError("A series needs at least two wavelength mixes to compare.")
    oip._check_maps([map_index])
    starts, _ = series_starts(oip, map_index, mixes, scales, seed, best_of)
    results = oip.derive_many([map_index] * len(mixes), n_epochs=n_epochs, epsilon=epsilon, start=starts,
                              stop_early=stop_early, n_reports=n_reports, **derive_kwargs)
    images = [r.image for r in results]
    corr = pairwise_correlations(images)
    shifted = shift_tolerant_correlations(images, max_shift)
    return StartSeries(oip.layer_name, int(map_index), mixes, results, corr, shifted, max_shift)


def start_series_figure(series: StartSeries, contrast: bool = True, cmap: str = "viridis", size: float = 2.0):
    """Starts (top row) and the patterns they led to (bottom row), with mixes, final losses and the
    similarity number."""
    import matplotlib.pyplot as plt

    from .oip_display import enhance_contrast

    n = len(series.results)
    fig, axes = plt.subplots(2, n, figsize=(size * n, 2 * size + 1.0), squeeze=False)
    for k, (mix, res) in enumerate(zip(series.mixes, series.results)):
        top, bottom = axes[0, k], axes[1, k]
        top.imshow(res.initial_image, cmap="gray")
        top.set_title("start, mix\n" + ", ".join(f"{f:g}" for f in mix), fontsize=8)
        if series.responded[k]:
            bottom.imshow(enhance_contrast(res.image) if contrast else res.image, cmap=cmap)
            bottom.set_title(f"loss {res.final_loss:.3g}", fontsize=8)
        else:
            _mark_no_response(bottom)
            bottom.set_title("no response", fontsize=8, color="red")
        for ax in (top, bottom):
            ax.set_xticks([])
            ax.set_yticks([])
    axes[0, 0].set_ylabel("random start", fontsize=9)
    axes[1, 0].set_ylabel("pattern" + (" (enhanced)" if contrast else ""), fontsize=9)
    fig.suptitle(f"{series.layer_name}, map {series.map_index}: {int(series.responded.sum())} of {n} starts "
                 f"found a pattern; mean pairwise correlation {series.similarity:.2f} "
                 f"(with shifts up to {series.max_shift} px: {series.shifted_similarity:.2f})\n"
                 "(factors of the scales (3,3), (7,7), (14,14), (28,28) above each start)", fontsize=10)
    fig.tight_layout()
    return fig
