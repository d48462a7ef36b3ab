"""Dataset examples beside every OIP: the real test digits that drive each map hardest (notebook 07,
section 3, "The strongest real digits"; the map explorer of section 6).

An OIP shows what a map *could* respond to; the dataset examples show what it *does* respond to among
real digits. Distill's "Feature Visualization" (Olah et al., 2017) and OpenAI Microscope put such examples
beside every feature. Here the statistic is the one the OIP climbs, the map's mean activation, so the two
can be compared directly (:func:`oip_against_data`: the OIP's final loss over the strongest digit's).

:func:`dataset_examples` runs ONE batched pass over all digits for several layers together (a sub-model
with one output per layer, a compiled function that reduces each batch right away to each map's mean
activation), never keeping the full activations (Conv2D_1 alone would be 10,000 × 26 × 26 × 32 floats,
0.8 GiB). Per map it then picks the ``k`` strongest digits (ties: the smaller test index first); only those
digits (at most k × maps, usually far fewer) go through the network once more, to find the position of
each one's strongest unit and its receptive-field box (:func:`helpers.cnn.basics.receptive_fields`).
Finding that position for every digit would nearly double the time. Each map also gets a histogram of its
mean activation over all digits.
Measured in benchmarks/bench_examples.py.
"""
from __future__ import annotations

import weakref
from dataclasses import dataclass, field
from numbers import Integral

import numpy as np

N_EXAMPLES = 9         # strongest digits kept per map
N_BINS = 30            # bins of each map's activation histogram
BATCH_SIZE = 250       # digits per batch: Conv2D_1's activations of one batch take 22 MB

# one compiled reduction per model and tuple of layer names, built on first use (weakly keyed by the model)
_REDUCERS: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()


@dataclass
class LayerExamples:
    """The dataset examples of every map of one layer. Returned inside :class:`DatasetExamples`.

    top_indices (maps, k): indices of the k digits with the largest mean activation of the map, strongest
        first. top_values (maps, k): those mean activations. top_positions (maps, k, 2): (row, column) of the
        map's strongest unit in each of those digits; top_unit_values (maps, k): that unit's activation.
        boxes (maps, k, 4): the unit's receptive field in the input, (top, left, bottom, right), inclusive
        pixel indices (clipped to the image). means (N, maps): every digit's mean activation of every map;
        hist_counts (maps, bins) and hist_edges (maps, bins + 1): its histogram per map (from 0 to the
        map's largest mean).
    """

    layer_name: str
    receptive_field: int
    jump: int
    map_shape: tuple
    top_indices: np.ndarray
    top_values: np.ndarray
    top_positions: np.ndarray
    top_unit_values: np.ndarray
    boxes: np.ndarray
    means: np.ndarray = field(repr=False)
    hist_counts: np.ndarray = field(repr=False)
    hist_edges: np.ndarray = field(repr=False)

    @property
    def n_maps(self) -> int:
        return len(self.top_indices)

    @property
    def k(self) -> int:
        return self.top_indices.shape[1]

    @property
    def strongest_values(self) -> np.ndarray:
        """The strongest digit's mean activation per map, (maps,): what an OIP is compared with."""
        return self.top_values[:, 0]

    @property
    def live(self) -> np.ndarray:
        """Maps that at least one digit activates (the rule of :func:`helpers.gallery.live_maps_by_layer`)."""
        return np.flatnonzero(self.strongest_values > 0)

    def check_map(self, map_index) -> int:
        if isinstance(map_index, bool) or not isinstance(map_index, Integral):
            raise TypeError(f"A map index must be an integer; got {map_index!r}.")
        if not 0 <= map_index < self.n_maps:
            raise IndexError(f"Map index {map_index} is out of range: layer {self.layer_name} has maps "
                             f"0..{self.n_maps - 1}.")
        return int(map_index)


@dataclass
class DatasetExamples:
    """The dataset examples of several layers, from one pass over ``images`` (standardized, (N, 28, 28, 1)).
    Returned by :func:`dataset_examples`; ``examples["Conv2D_3"]`` is a :class:`LayerExamples`."""

    layers: dict
    images: np.ndarray = field(repr=False)
    seconds: float = float("nan")

    @property
    def layer_names(self) -> list:
        return list(self.layers)

    @property
    def n_images(self) -> int:
        return len(self.images)

    def __getitem__(self, layer_name) -> LayerExamples:
        if layer_name not in self.layers:
            raise KeyError(f"No dataset examples for layer {layer_name!r}; computed for: "
                           f"{', '.join(self.layers)}.")
        return self.layers[layer_name]

    def __contains__(self, layer_name) -> bool:
        return layer_name in self.layers

    def __repr__(self):
        maps = sum(e.n_maps for e in self.layers.values())
        k = next(iter(self.layers.values())).k
        return (f"DatasetExamples({maps} maps of {', '.join(self.layers)}; the {k} strongest of "
                f"{self.n_images:,} digits each; {self.seconds:.2f} s)")


def check_k(k, n_images: int) -> int:
    """``k`` as an int if 1 ≤ k ≤ n_images; a clear error otherwise."""
    if isinstance(k, bool) or not isinstance(k, Integral):
        raise TypeError(f"k (digits per map) must be an integer; got {k!r}.")
    if not 1 <= k <= n_images:
        raise ValueError(f"k={k} strongest digits per map asked for, but there are {n_images:,} images; "
                         f"choose k between 1 and {n_images:,}.")
    return int(k)


def _reducers(model, names: tuple):
    """Two compiled functions of a batch of images, built once per model and layers. ``means``: per layer each
    map's mean activation (the OIP's statistic, :func:`helpers.oip.ascent.mean_activations`), (n, maps).
    ``units``: per layer also the flat position of each map's strongest unit and that unit's value."""
    import tensorflow as tf

    from ..activations.maps import layers_submodel
    from ..oip.ascent import mean_activations

    per_model = _REDUCERS.setdefault(model, {})
    if names not in per_model:
        sub = layers_submodel(model, names)
        spec = [tf.TensorSpec([None, 28, 28, 1], tf.float32)]

        def outputs(x):
            outs = sub(x, training=False)
            return outs if isinstance(outs, (list, tuple)) else [outs]

        @tf.function(input_signature=spec)
        def means(x):
            return [mean_activations(out) for out in outputs(x)]

        @tf.function(input_signature=spec)
        def units(x):
            result = []
            for out in outputs(x):
                flat = tf.reshape(out, [tf.shape(out)[0], out.shape[1] * out.shape[2], out.shape[3]])
                result.append((tf.argmax(flat, axis=1, output_type=tf.int32), tf.reduce_max(flat, axis=1)))
            return result

        per_model[names] = means, units
    return per_model[names]


def top_k_per_map(means: np.ndarray, k: int) -> np.ndarray:
    """Indices of the ``k`` largest values of each column of ``means`` (N, maps), largest first, ties broken
    by the smaller index: (maps, k). The same as ``np.argsort(-means, axis=0, kind="stable")[:k].T``, five
    times faster: a partition finds each column's k-th largest value, only the candidates are sorted."""
    n, n_maps = means.shape
    kth = np.partition(means, n - k, axis=0)[n - k]
    columns = np.ascontiguousarray(means.T)
    out = np.empty((n_maps, k), dtype=np.int64)
    for m in range(n_maps):
        candidates = np.flatnonzero(columns[m] >= kth[m])
        out[m] = candidates[np.lexsort((candidates, -columns[m][candidates]))[:k]]
    return out


def field_boxes(positions: np.ndarray, geometry, size: int = 28) -> np.ndarray:
    """The receptive field of units at ``positions`` (..., 2) = (row, column) of a layer, as (..., 4) =
    (top, left, bottom, right) inclusive input pixels, clipped to the ``size``×``size`` image. ``geometry``
    is the layer's :class:`helpers.cnn.basics.LayerGeometry` (its ``region`` gives first and last pixel)."""
    first, last = geometry.region(np.asarray(positions))
    first = np.clip(np.round(first), 0, size - 1).astype(int)
    last = np.clip(np.round(last), 0, size - 1).astype(int)
    return np.concatenate([first, last], axis=-1)


def histograms(means: np.ndarray, n_bins: int = N_BINS) -> tuple[np.ndarray, np.ndarray]:
    """Histogram of each column of ``means`` (N, maps) over n_bins equal bins from 0 to the column's maximum
    (the last bin includes it): counts (maps, n_bins) and edges (maps, n_bins + 1), all maps at once."""
    n, n_maps = means.shape
    top = means.max(axis=0)
    top = np.where(top > 0, top, 1.0)                      # a map no digit activates: everything in bin 0
    edges = np.linspace(0.0, 1.0, n_bins + 1)[None, :] * top[:, None]
    bins = np.clip((means / top * n_bins).astype(int), 0, n_bins - 1)
    counts = np.bincount((bins + np.arange(n_maps) * n_bins).ravel(), minlength=n_maps * n_bins)
    return counts.reshape(n_maps, n_bins), edges.astype(np.float32)


def dataset_examples(model, images=None, layer_names=None, *, k: int = N_EXAMPLES, standardized: bool = False,
                     batch_size: int = BATCH_SIZE, n_bins: int = N_BINS) -> DatasetExamples:
    """The ``k`` digits that drive each map of ``layer_names`` hardest, in one batched pass over ``images``.

    images: digits, (N, 28, 28) or (N, 28, 28, 1); by default the 10,000 MNIST test digits. They are
        standardized per image unless ``standardized=True`` says they are model input already (the same rule
        as :func:`helpers.activations.layer_activations`). NaN or infinite pixels are refused.
    layer_names: conv or pool layers of ``model``; by default all its Conv2D layers (Conv2D_1..3).
    k: digits kept per map (1 ≤ k ≤ N).
    Taught in notebook 07, section 3; the map explorer (section 6) shows the strip of one map.
    """
    import time

    import keras

    from ..activations.maps import as_model_input
    from ..cnn.basics import receptive_fields
    from ..model import check_layer_name
    from ..oip.fast_kernels import VISUAL_LAYER_TYPES
    from .live import mnist_test_images

    if layer_names is None:
        layer_names = [l.name for l in model.layers if isinstance(l, keras.layers.Conv2D)]
    names = tuple([layer_names] if isinstance(layer_names, str) else layer_names)
    if not names:
        raise ValueError("Give at least one layer name.")
    for name in names:
        check_layer_name(model, name, VISUAL_LAYER_TYPES, "conv or pool")
    geometry = {g.name: g for g in receptive_fields(model)}
    outside = [n for n in names if n not in geometry]
    if outside:
        raise ValueError(f"Layer(s) {outside} come after the model's first non-spatial layer: no receptive field. "
                         f"Layers with one: {', '.join(geometry)}.")
    if images is None:
        x, standardized = mnist_test_images(), True
    else:
        x = images
    x = as_model_input(x, standardized=standardized)
    k = check_k(k, len(x))
    if isinstance(batch_size, bool) or not isinstance(batch_size, Integral) or batch_size < 1:
        raise ValueError(f"batch_size must be a positive integer; got {batch_size!r}.")

    t0 = time.perf_counter()
    map_means, unit_positions = _reducers(model, names)
    n = len(x)
    shapes = {name: tuple(int(d) for d in model.get_layer(name).output.shape[1:]) for name in names}
    # pass 1, all digits: each map's mean activation, (N, maps) per layer
    means = {name: np.empty((n, shapes[name][2]), np.float32) for name in names}
    for i in range(0, n, batch_size):
        for name, mean in zip(names, map_means(x[i:i + batch_size])):
            means[name][i:i + batch_size] = mean.numpy()
    tops = {name: top_k_per_map(means[name], k) for name in names}          # (maps, k) per layer
    # pass 2, only the digits that are among some map's strongest: where the strongest unit sits
    chosen = np.unique(np.concatenate([t.ravel() for t in tops.values()]))
    where = {name: np.empty((len(chosen), shapes[name][2]), np.int32) for name in names}
    peak = {name: np.empty((len(chosen), shapes[name][2]), np.float32) for name in names}
    for i in range(0, len(chosen), batch_size):
        for name, (argmax, top) in zip(names, unit_positions(x[chosen[i:i + batch_size]])):
            where[name][i:i + batch_size] = argmax.numpy()
            peak[name][i:i + batch_size] = top.numpy()

    layers = {}
    for name in names:
        h, w, n_maps = shapes[name]
        top, cols = tops[name], np.arange(n_maps)[:, None]
        rows = np.searchsorted(chosen, top)
        flat = where[name][rows, cols]
        positions = np.stack([flat // w, flat % w], axis=-1)
        counts, edges = histograms(means[name], n_bins)
        g = geometry[name]
        layers[name] = LayerExamples(name, g.receptive_field, g.jump, (h, w), top, means[name][top, cols],
                                     positions, peak[name][rows, cols], field_boxes(positions, g), means[name],
                                     counts, edges)
    return DatasetExamples(layers, x, time.perf_counter() - t0)


# ------------------------------------------------------------------------------------- OIP against data
@dataclass
class OIPAgainstData:
    """For every map of one layer: the OIP's mean activation (the gallery's final loss) divided by the strongest
    real digit's. Above 1: the pattern drives the map harder than any digit. Returned by
    :func:`oip_against_data`; notebook 07, section 3.

    ratios (maps,): NaN for the maps no digit activates (``no_digit``: nothing to compare with).
    not_beaten: maps whose OIP does not beat the strongest digit (ratio ≤ 1), lowest ratio first.
    """

    layer_name: str
    oip_values: np.ndarray
    data_values: np.ndarray
    ratios: np.ndarray

    @property
    def compared(self) -> np.ndarray:
        return np.flatnonzero(np.isfinite(self.ratios))

    @property
    def no_digit(self) -> np.ndarray:
        return np.flatnonzero(~np.isfinite(self.ratios))

    @property
    def not_beaten(self) -> np.ndarray:
        m = self.compared[self.ratios[self.compared] <= 1]
        return m[np.argsort(self.ratios[m], kind="stable")]

    @property
    def median(self) -> float:
        return float(np.median(self.ratios[self.compared]))

    @property
    def lowest(self) -> tuple[int, float]:
        """(map, ratio) of the map whose OIP beats the data least."""
        m = int(self.compared[np.argmin(self.ratios[self.compared])])
        return m, float(self.ratios[m])

    @property
    def highest(self) -> tuple[int, float]:
        """(map, ratio) of the map whose OIP beats the data most."""
        m = int(self.compared[np.argmax(self.ratios[self.compared])])
        return m, float(self.ratios[m])

    def summary(self) -> str:
        low, high = self.lowest, self.highest
        text = (f"{self.layer_name}: OIP / strongest digit over {len(self.compared)} maps: median "
                f"{self.median:.2f}, min {low[1]:.2f} (map {low[0]}), max {high[1]:.2f} (map {high[0]}); "
                f"{len(self.not_beaten)} at or below 1")
        if len(self.not_beaten):
            text += f": {self.not_beaten.tolist()}"
        if len(self.no_digit):
            text += f"; no digit activates {self.no_digit.tolist()}"
        return text

    def __repr__(self):
        return f"OIPAgainstData({self.summary()})"


def oip_against_data(gallery, examples) -> OIPAgainstData:
    """The OIP / strongest digit ratio of every map of the gallery's layer. ``gallery``: a
    :class:`helpers.gallery.layer.Gallery` (its ``final_losses``: each OIP's mean activation); ``examples``:
    :class:`DatasetExamples` (or the :class:`LayerExamples`) of the same model. Notebook 07, section 3."""
    layer = examples[gallery.layer_name] if isinstance(examples, DatasetExamples) else examples
    if layer.layer_name != gallery.layer_name:
        raise ValueError(f"The gallery is of {gallery.layer_name}, the examples of {layer.layer_name}.")
    if gallery.n_maps != layer.n_maps or not np.array_equal(gallery.map_indices, np.arange(layer.n_maps)):
        raise ValueError(f"The gallery has maps {gallery.map_indices.tolist()[:5]}…, the examples all "
                         f"{layer.n_maps} maps of {layer.layer_name}: compare a whole-layer gallery.")
    oip = gallery.final_losses.astype(np.float64)
    data = layer.strongest_values.astype(np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratios = np.where(data > 0, oip / data, np.nan)
    return OIPAgainstData(layer.layer_name, oip, data, ratios)


# ---------------------------------------------------------------------------------------------- figures
def draw_example_strip(axes, examples: DatasetExamples, layer_name: str, map_index: int, fontsize: int = 7):
    """Draw a map's strongest digits into ``axes`` (one per digit, at most k): the whole digit, the
    receptive field of its strongest unit as a red box, the test index and the map's mean activation above.
    Used by :func:`examples_figure` and the map explorer (:class:`helpers.oip.widgets.OIPExplorer`)."""
    from matplotlib.patches import Rectangle

    layer = examples[layer_name]
    m = layer.check_map(map_index)
    for j, ax in enumerate(axes):
        i = int(layer.top_indices[m, j])
        top, left, bottom, right = layer.boxes[m, j]
        ax.imshow(examples.images[i, :, :, 0], cmap="gray_r")
        ax.add_patch(Rectangle((left - 0.5, top - 0.5), right - left + 1, bottom - top + 1, fill=False, ec="red",
                               lw=1.4))
        ax.set_title(f"#{i}: {layer.top_values[m, j]:.3g}", fontsize=fontsize)
        ax.set_xticks([])
        ax.set_yticks([])


def draw_distribution(ax, examples: DatasetExamples, layer_name: str, map_index: int, oip_value=None,
                      fontsize: int = 7):
    """A map's mean activation over all digits as a histogram (log counts), the OIP's value as a line.
    Used by :func:`examples_figure`."""
    layer = examples[layer_name]
    m = layer.check_map(map_index)
    edges, counts = layer.hist_edges[m], layer.hist_counts[m]
    ax.stairs(counts, edges, fill=True, color="0.6", baseline=0.5)     # log counts: empty bins stay empty
    ax.set_yscale("log")
    ax.set_ylim(bottom=0.5)
    ax.axvline(layer.strongest_values[m], color="red", lw=1, label="strongest digit")
    if oip_value is not None:
        ax.axvline(oip_value, color="C0", lw=1.5, ls="--", label="OIP")
        ax.set_xlim(0, 1.08 * max(edges[-1], oip_value, 1e-6))
    ax.set_xlabel("mean activation", fontsize=fontsize)
    ax.set_ylabel("digits", fontsize=fontsize)
    ax.tick_params(labelsize=fontsize - 1)
    ax.set_title(f"{examples.n_images:,} digits", fontsize=fontsize)
    ax.legend(fontsize=fontsize - 1, frameon=False)


def examples_figure(examples: DatasetExamples, galleries, rows, k: int | None = None, title: str | None = None):
    """"OIP | strongest real digits": one row per (layer name, map) of ``rows``: the map's OIP (from the
    gallery of its layer, ``galleries`` a list or dict of :class:`Gallery`), its k strongest digits with the
    receptive-field box of the strongest unit, and the map's activation histogram with the OIP marked.
    Notebook 07, section 3."""
    import matplotlib.pyplot as plt

    by_layer = galleries if isinstance(galleries, dict) else {g.layer_name: g for g in galleries}
    rows = list(rows)
    if not rows:
        raise ValueError("Give at least one (layer name, map index) row.")
    k = examples[rows[0][0]].k if k is None else min(k, examples[rows[0][0]].k)
    fig, axes = plt.subplots(len(rows), k + 2, figsize=(1.45 * (k + 3), 1.75 * len(rows)), squeeze=False,
                             gridspec_kw={"width_ratios": [1] * (k + 1) + [2]}, constrained_layout=True)
    for r, (name, m) in enumerate(rows):
        if name not in by_layer:
            raise KeyError(f"No gallery of {name}; galleries given: {', '.join(by_layer)}.")
        result = by_layer[name].results[m]
        ax = axes[r, 0]
        ax.imshow(result.image, cmap="viridis")
        ax.set_xticks([])
        ax.set_yticks([])
        ax.set_title(f"OIP: {result.final_loss:.3g}", fontsize=7)
        ax.set_ylabel(f"{name}\nmap {m}", fontsize=8)
        draw_example_strip(axes[r, 1:k + 1], examples, name, m)
        draw_distribution(axes[r, k + 1], examples, name, m, oip_value=result.final_loss)
    fig.suptitle(title or "OIP | strongest real digits (red box: receptive field of the strongest unit; "
                          "titles: test index and the map's mean activation)", fontsize=10)
    return fig


def strip_figure(examples: DatasetExamples, layer_name: str, map_index: int, k: int | None = None):
    """One map's strongest digits in one row (the strip of the map explorer, notebook 07, section 6)."""
    import matplotlib.pyplot as plt

    layer = examples[layer_name]
    k = layer.k if k is None else min(k, layer.k)
    fig, axes = plt.subplots(1, k, figsize=(1.5 * k, 1.9), squeeze=False, constrained_layout=True)
    draw_example_strip(axes[0], examples, layer_name, map_index)
    fig.suptitle(f"{layer_name}, map {map_index}: the {k} strongest of {examples.n_images:,} digits "
                 "(box: receptive field of the strongest unit)", fontsize=9)
    return fig
