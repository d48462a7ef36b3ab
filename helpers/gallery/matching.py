"""Two networks, same maps? Matching the maps of two trained CNNs by their activations (notebook 07, section 9).

Beyond the articles, after the "convergent learning" studies of Li, Yosinski, Clune, Lipson and Hopcroft
(2016): train the same architecture twice and ask whether the second run learns the same features. A map of
one network and a map of the other are compared by how their activations go up and down together over the
same test digits — their Pearson correlation:

- **positions**: when the two layers' maps have the same size (h, w), every (digit, row, column) is one
  sample: two maps correlate when they fire on the same digits *at the same places*;
- **image means**: when the sizes differ (e.g. Conv2D_1 against Conv2D_2), each digit gives one sample, the
  map's mean activation — where on the digit the map fires is then not compared.
  :class:`MapMatching` says which was used (``basis``).

Every map of one layer is then given at most one partner in the other, so that the sum of the partners'
correlations is as large as possible (``scipy.optimize.linear_sum_assignment``, the Hungarian method): the
**one-to-one matching**. The correlation with its partner is a map's *best-match correlation*. Rules:

- Different map counts (32 against 64): the smaller set is matched one to one; the maps of the larger set
  that are left over have no partner.
- A **dead** map (the same value on every digit and position — for a ReLU map: never active) has no
  correlation with anything (its variance is 0). Its correlations are set to 0 (never NaN), it is left out
  of the matching and reported as dead.
- A matched pair whose correlation is below ``threshold`` (default :data:`PARTNER_THRESHOLD` = 0.5: the
  partner explains less than a quarter of the map's variance, r² < 0.25) counts as *no partner* as well.

All digits go through each model once, in batches; only running sums are kept (sums, sums of squares and the
cross products of every pair of maps), so even Conv2D_1's 26×26 positions of 10,000 digits need little memory.
"""
from __future__ import annotations

import weakref
from dataclasses import dataclass, field

import numpy as np

from ..oip.constants import PRECURSOR_CANDIDATES

PARTNER_THRESHOLD = 0.5    # a partner correlating less (r² < 0.25) counts as no partner
MIN_IMAGES = 20            # fewer digits give correlations that are mostly chance
BASES = ("auto", "positions", "image means")


@dataclass
class MapMatching:
    """The correlations of every pair of maps of two layers, and their one-to-one matching.
    Returned by :func:`match_maps` and :func:`match_activations`; taught in notebook 07, section 9.
    Side ``a`` is the first model (yours), side ``b`` the second (the reference)."""

    layers: tuple              # (layer of a, layer of b)
    models: tuple              # (name of model a, name of model b)
    basis: str                 # "positions" or "image means"
    map_shapes: tuple          # ((h, w) of a, (h, w) of b)
    n_images: int
    n_samples: int             # digits × positions, or digits
    correlations: np.ndarray   # (maps of a, maps of b); 0 where a map is dead
    means: tuple               # (mean activation of each map of a, ... of b) over the digits and positions
    dead: tuple                # (dead maps of a, dead maps of b): the same value on every sample
    pairs: np.ndarray          # (k, 2): the one-to-one matching, (map of a, map of b), sorted by map of a
    threshold: float = PARTNER_THRESHOLD
    extras: dict = field(default_factory=dict)

    @property
    def pair_correlations(self) -> np.ndarray:
        """Best-match correlation of each pair of :attr:`pairs`, (k,)."""
        return self.correlations[self.pairs[:, 0], self.pairs[:, 1]] if len(self.pairs) else np.zeros(0)

    @property
    def median(self) -> float:
        """Median best-match correlation over the matched pairs (0 when nothing could be matched)."""
        return float(np.median(self.pair_correlations)) if len(self.pairs) else 0.0

    def best_of_any(self, side: str = "a") -> np.ndarray:
        """Each map's largest correlation with *any* map of the other side (partners may be shared here; 0 for
        dead maps): the upper bound the one-to-one matching is compared with."""
        c = self.correlations if side == "a" else self.correlations.T
        return c.max(axis=1) if c.shape[1] else np.zeros(c.shape[0])

    def partner(self, map_index: int, side: str = "b") -> tuple[int, float] | None:
        """(partner on the other side, correlation) of map ``map_index`` of ``side`` in the one-to-one
        matching, or None (dead or left over)."""
        col = 1 if side == "b" else 0
        hit = np.flatnonzero(self.pairs[:, col] == map_index)
        if not hit.size:
            return None
        a, b = (int(v) for v in self.pairs[hit[0]])
        return (a if side == "b" else b), float(self.correlations[a, b])

    def no_partner(self, side: str = "a") -> dict:
        """The maps of ``side`` without a partner, by reason: {"dead": [...], "left over": [...],
        "weak": [...]} ("weak": matched, but the correlation is below :attr:`threshold`)."""
        k = 0 if side == "a" else 1
        n = self.correlations.shape[k]
        dead = sorted(int(m) for m in self.dead[k])
        matched = self.pairs[:, k] if len(self.pairs) else np.zeros(0, int)
        left = sorted(set(range(n)) - set(matched.tolist()) - set(dead))
        weak = sorted(int(m) for m, r in zip(matched, self.pair_correlations) if r < self.threshold)
        return {"dead": dead, "left over": left, "weak": weak}

    def describe_basis(self) -> str:
        (ha, wa), (hb, wb) = self.map_shapes
        if self.basis == "positions":
            return f"all {ha}×{wa} positions of {self.n_images} digits"
        return f"per-image means of {self.n_images} digits (map sizes {ha}×{wa} and {hb}×{wb} differ)"

    def summary(self, labels=("yours", "reference")) -> str:
        """Three lines: what was compared and on which samples, the median best-match correlation, the maps
        without a partner on either side."""
        la, lb = labels
        n_a, n_b = self.correlations.shape
        lines = [f"{self.layers[0]} ({la}, {n_a} maps) ↔ {self.layers[1]} ({lb}, {n_b} maps), "
                 f"correlated over {self.describe_basis()}",
                 f"median best-match correlation {self.median:.3f} over {len(self.pairs)} one-to-one pairs "
                 f"(min {self.pair_correlations.min() if len(self.pairs) else 0:.3f}, "
                 f"max {self.pair_correlations.max() if len(self.pairs) else 0:.3f})"]
        parts = []
        for label, side in ((la, "a"), (lb, "b")):
            reasons = self.no_partner(side)
            text = "; ".join(f"{why} {_short_list(maps)}" for why, maps in reasons.items() if maps)
            parts.append(f"{label}: {text or 'none'}")
        lines.append(f"no partner (dead, left over, or r < {self.threshold:g}) — " + " | ".join(parts))
        return "\n".join(lines)


def _short_list(maps, n: int = 12) -> str:
    return "[" + ", ".join(map(str, maps[:n])) + (f", … {len(maps) - n} more" if len(maps) > n else "") + "]"


# --------------------------------------------------------------------------------------------------
# Running sums: one pass over the digits
# --------------------------------------------------------------------------------------------------
_GRAM = None   # _batch_gram compiled, for match_activations (made on first use)


def _batch_gram(z, shift):
    """One batch's sums in ONE matrix product: the samples z = [maps of a | maps of b] minus ``shift``, with a
    column of ones appended; zᵀz holds the cross products of every pair of maps, every map's sum of squares
    (diagonal) and its sum (last row). One product for all keeps the rounding the same for a map with itself
    and with an identical map (sums taken separately rounded differently enough to make two identical maps
    correlate at 0.9998)."""
    import tensorflow as tf

    z = z - shift
    z = tf.concat([z, tf.ones_like(z[:, :1])], axis=1)
    return tf.matmul(z, z, transpose_a=True)


_STEPS = weakref.WeakKeyDictionary()   # sub-model of a → {(sub-model of b, basis): (samples, compiled step)}


def _compiled_step(sub_a, sub_b, basis: str):
    """(samples: batch → z, step: (batch, shift) → :func:`_batch_gram` of z) for two sub-models, the step
    compiled once per pair and basis: both forward passes and the sums of a batch in one graph."""
    import tensorflow as tf

    per = _STEPS.setdefault(sub_a, {})
    if (sub_b, basis) not in per:
        def samples(batch):
            return tf.concat([_samples(sub_a(batch, training=False), basis),
                              _samples(sub_b(batch, training=False), basis)], axis=1)

        per[(sub_b, basis)] = samples, tf.function(lambda batch, shift: _batch_gram(samples(batch), shift),
                                                   reduce_retracing=True)
    return per[(sub_b, basis)]


class _CorrelationSums:
    """Sums from which the correlation of every pair of maps follows: each batch's in float32 in one compiled
    ``step`` (``samples``: batch → z (samples, maps of a + maps of b), then :func:`_batch_gram`), added up over
    the batches in float64. The samples are shifted by the first batch's means, so the sums stay small and precise."""

    def __init__(self, n_a: int, samples, step):
        self.n_a, self.samples, self._step, self.gram = n_a, samples, step, None

    def add(self, batch) -> None:
        import tensorflow as tf

        if self.gram is None:
            self.shift = tf.reduce_mean(self.samples(batch), 0)
            self.gram = np.zeros((len(self.shift) + 1,) * 2)
        self.gram += self._step(batch, self.shift).numpy()

    @property
    def n(self) -> int:
        return int(round(self.gram[-1, -1]))

    def result(self):
        """(correlations (maps of a, maps of b) with 0 for dead maps, means a, means b, dead a, dead b)."""
        n, k = self.gram[-1, -1], self.n_a
        mean = self.gram[:-1, -1] / n                        # of the shifted samples
        cov = self.gram[:-1, :-1] / n - np.outer(mean, mean)
        var = np.maximum(np.diag(cov), 0.0)
        means = mean + self.shift.numpy().astype(np.float64)
        # dead: one value on every sample (a ReLU map that is never active: all zeros), up to float32 rounding
        dead = np.sqrt(var) <= 1e-6 * np.maximum(1.0, np.abs(means))
        sd = np.sqrt(np.where(dead, 1.0, var))
        corr = np.clip(cov[:k, k:] / np.outer(sd[:k], sd[k:]), -1.0, 1.0)
        corr[dead[:k], :] = 0.0
        corr[:, dead[k:]] = 0.0
        return corr, means[:k], means[k:], np.flatnonzero(dead[:k]), np.flatnonzero(dead[k:])


def _samples(acts, basis: str):
    """(n, h, w, maps) activations → (samples, maps): every position, or each image's mean."""
    import tensorflow as tf

    if basis == "positions":
        return tf.reshape(acts, (-1, acts.shape[-1]))
    return tf.reduce_mean(acts, axis=(1, 2))


def _choose_basis(basis: str, shape_a, shape_b) -> str:
    if basis not in BASES:
        raise ValueError(f"basis must be one of {BASES}; got {basis!r}.")
    if basis == "auto":
        return "positions" if tuple(shape_a) == tuple(shape_b) else "image means"
    if basis == "positions" and tuple(shape_a) != tuple(shape_b):
        raise ValueError(f"basis='positions' needs maps of the same size; these are {tuple(shape_a)} and "
                         f"{tuple(shape_b)}. Use basis='image means' (or 'auto').")
    return basis


def check_threshold(threshold) -> float:
    """``threshold`` as a float if it is a correlation, in [-1, 1]; TypeError / ValueError otherwise.
    Used by :func:`match_maps`, :func:`match_activations` and ``python -m helpers match --threshold``."""
    from numbers import Real

    if isinstance(threshold, bool) or not isinstance(threshold, Real):
        raise TypeError(f"threshold must be a number (a correlation); got {threshold!r}.")
    t = float(threshold)
    if not -1 <= t <= 1:   # NaN fails this too
        raise ValueError(f"threshold is a correlation, between -1 and 1; got {threshold!r}.")
    return t


def _check_n_images(n: int) -> None:
    if n < MIN_IMAGES:
        raise ValueError(f"Got {n} digits; give at least {MIN_IMAGES} (with fewer, the correlations are mostly "
                         "chance). The notebook uses a subset of the 10,000 test digits, e.g. x_test[:2000].")


def _matching(sums: _CorrelationSums, threshold: float, **info) -> MapMatching:
    from scipy.optimize import linear_sum_assignment

    corr, mean_a, mean_b, dead_a, dead_b = sums.result()
    live_a = np.setdiff1d(np.arange(corr.shape[0]), dead_a)
    live_b = np.setdiff1d(np.arange(corr.shape[1]), dead_b)
    rows, cols = linear_sum_assignment(corr[np.ix_(live_a, live_b)], maximize=True)
    pairs = np.stack([live_a[rows], live_b[cols]], axis=1) if len(rows) else np.zeros((0, 2), int)
    pairs = pairs[np.argsort(pairs[:, 0])]
    return MapMatching(correlations=corr, means=(mean_a, mean_b), dead=(dead_a, dead_b), pairs=pairs,
                       threshold=threshold, n_samples=sums.n, **info)


# --------------------------------------------------------------------------------------------------
# The two entry points
# --------------------------------------------------------------------------------------------------
def match_activations(acts_a, acts_b, *, threshold: float = PARTNER_THRESHOLD, basis: str = "auto",
                      layers=("a", "b"), models=("a", "b"), batch_size: int = 250) -> MapMatching:
    """:func:`match_maps` for activations you already have: ``acts_a`` (n, h, w, maps) and ``acts_b``
    (n, h', w', maps') of the same n digits, in the same order (e.g. from ``layer_activations``)."""
    threshold = check_threshold(threshold)
    a, b = np.asarray(acts_a, np.float32), np.asarray(acts_b, np.float32)
    if a.ndim != 4 or b.ndim != 4:
        raise ValueError(f"Expected the activations of conv or pool layers, (digits, h, w, maps); got shapes "
                         f"{a.shape} and {b.shape}.")
    if len(a) != len(b):
        raise ValueError(f"The two activation arrays must be of the same digits: got {len(a)} and {len(b)}.")
    for name, x in (("acts_a", a), ("acts_b", b)):
        if not np.isfinite(x).all():
            raise ValueError(f"{name} holds NaN or infinite values; give finite activations.")
    _check_n_images(len(a))
    used = _choose_basis(basis, a.shape[1:3], b.shape[1:3])
    import tensorflow as tf

    global _GRAM
    if _GRAM is None:
        _GRAM = tf.function(_batch_gram, reduce_retracing=True)
    sums = _CorrelationSums(a.shape[-1], lambda z: z, _GRAM)
    for i in range(0, len(a), batch_size):
        sums.add(tf.concat([_samples(a[i:i + batch_size], used), _samples(b[i:i + batch_size], used)], axis=1))
    return _matching(sums, threshold, layers=tuple(layers), models=tuple(models), basis=used,
                     map_shapes=(a.shape[1:3], b.shape[1:3]), n_images=len(a))


def match_maps(model_a, layer_a: str, model_b, layer_b: str, images, *, threshold: float = PARTNER_THRESHOLD,
               basis: str = "auto", batch_size: int = 250) -> MapMatching:
    """Correlate every map of ``layer_a`` of ``model_a`` with every map of ``layer_b`` of ``model_b`` over the
    same ``images`` (MNIST digits, (n, 28, 28[, 1]); standardized here as everywhere in the course) and
    match them one to one (module docstring). ``basis``: "auto" (positions when the map sizes agree, else
    per-image means), "positions" or "image means". Each model sees each digit once, in batches.
    Taught in notebook 07, section 9; used by ``python -m helpers match``."""
    from ..activations.maps import as_model_input, layer_submodel
    from ..model import check_layer_name
    from ..oip.fast_kernels import VISUAL_LAYER_TYPES

    threshold = check_threshold(threshold)
    for model, layer in ((model_a, layer_a), (model_b, layer_b)):
        check_layer_name(model, layer, VISUAL_LAYER_TYPES, "conv or pool",
                         hint="Maps are compared for conv and pool layers only.")
    x = as_model_input(images)               # NaN or infinite pixels: a NonFiniteImageError naming the digits
    _check_n_images(len(x))
    sub_a, sub_b = layer_submodel(model_a, layer_a), layer_submodel(model_b, layer_b)
    shape_a, shape_b = tuple(sub_a.output.shape[1:3]), tuple(sub_b.output.shape[1:3])
    used = _choose_basis(basis, shape_a, shape_b)
    import tensorflow as tf

    sums = _CorrelationSums(int(sub_a.output.shape[-1]), *_compiled_step(sub_a, sub_b, used))
    for i in range(0, len(x), batch_size):
        sums.add(tf.constant(x[i:i + batch_size]))
    return _matching(sums, threshold, layers=(layer_a, layer_b), models=(model_a.name, model_b.name), basis=used,
                     map_shapes=(shape_a, shape_b), n_images=len(x))


def corresponding_layer(model_a, layer_a: str, model_b) -> str:
    """The layer of ``model_b`` at the position of ``layer_a`` among the layers of its kind: the 2nd conv
    layer of one model ↔ the 2nd conv layer of the other (pool layers likewise). ValueError (listing the
    candidates) when ``model_b`` has fewer. Used by ``python -m helpers match`` for ``--other-layer``."""
    from keras import layers as kl

    from ..model import check_layer_name
    from ..oip.fast_kernels import VISUAL_LAYER_TYPES

    check_layer_name(model_a, layer_a, VISUAL_LAYER_TYPES, "conv or pool")
    kind = kl.Conv2D if isinstance(model_a.get_layer(layer_a), kl.Conv2D) else kl.MaxPooling2D
    same_a = [l.name for l in model_a.layers if isinstance(l, kind)]
    same_b = [l.name for l in model_b.layers if isinstance(l, kind)]
    k = same_a.index(layer_a)
    if k >= len(same_b):
        raise ValueError(f"{layer_a} is {kind.__name__} layer {k + 1} of {model_a.name!r}, but {model_b.name!r} has "
                         f"only {len(same_b)} ({', '.join(same_b) or 'none'}); name its layer yourself.")
    return same_b[k]


# --------------------------------------------------------------------------------------------------
# The figure: distribution of best-match correlations, OIPs of the best and least matched pair
# --------------------------------------------------------------------------------------------------
@dataclass
class PairPatterns:
    """The OIPs of one matched pair (``kind``: "best" or "least" matched). Made by :func:`matching_patterns`."""

    kind: str
    map_a: int
    map_b: int
    correlation: float
    result_a: object           # OIPResult of map_a (model a)
    result_b: object           # OIPResult of map_b (model b)


def _oip_for(model_or_oip, layer: str):
    from ..oip import My_OIP

    if isinstance(model_or_oip, My_OIP):
        return model_or_oip if model_or_oip.layer_name == layer else My_OIP(model_or_oip.model, layer)
    return My_OIP(model_or_oip, layer)


def matching_patterns(matching: MapMatching, model_a, model_b, n_epochs: int = 150, seed: int = 0,
                      n_candidates: int = PRECURSOR_CANDIDATES) -> list:
    """The OIPs of the best-matched and the least-matched pair (highest and lowest best-match correlation),
    two maps per model in one ``My_OIP.derive_many`` run each, with the precursor's starts (``n_candidates``
    per round: fewer are quicker, but may leave a weak map without a pattern). ``model_a`` / ``model_b``: Keras
    models, or My_OIP objects (reused when their layer is the matched one). Returns a list of :class:`PairPatterns` (empty when no pair was matched)."""
    r = matching.pair_correlations
    if not len(r):
        return []
    chosen = [("best", int(np.argmax(r))), ("least", int(np.argmin(r)))]
    rows = [matching.pairs[i] for _, i in chosen]
    kw = dict(n_epochs=n_epochs, seed=seed, precursor=True, n_candidates=n_candidates)
    res_a = _oip_for(model_a, matching.layers[0]).derive_many([p[0] for p in rows], **kw)
    res_b = _oip_for(model_b, matching.layers[1]).derive_many([p[1] for p in rows], **kw)
    return [PairPatterns(kind, int(p[0]), int(p[1]), float(r[i]), ra, rb)
            for (kind, i), p, ra, rb in zip(chosen, rows, res_a, res_b)]


def matching_figure(matchings, patterns=None, labels=("yours", "reference"), title: str | None = None):
    """One row per layer pair: the sorted best-match correlations of the one-to-one pairs (and each map's
    best correlation with any map, partners shared), the threshold line, and — when ``patterns`` (one list
    from :func:`matching_patterns` per matching) are given — the OIPs of the best- and least-matched pair
    side by side. Used in notebook 07, section 9, and by ``python -m helpers match``."""
    import matplotlib.pyplot as plt

    from ..oip.display import enhance_contrast
    from .figures import mark_no_response

    matchings = list(matchings)
    if not matchings:
        raise ValueError("Give at least one MapMatching.")
    patterns = [[] for _ in matchings] if patterns is None else list(patterns)
    if len(patterns) != len(matchings):
        raise ValueError(f"Give one list of patterns per matching: {len(matchings)} matchings, {len(patterns)} lists.")
    n_img = 4 if any(patterns) else 0
    fig, axes = plt.subplots(len(matchings), 1 + n_img, figsize=(4.5 + 1.6 * n_img, 2.7 * len(matchings)),
                             squeeze=False, gridspec_kw=dict(width_ratios=[2.6] + [1] * n_img),
                             constrained_layout=True)
    la, lb = labels
    for row, (m, pats) in zip(axes, zip(matchings, patterns)):
        ax = row[0]
        r = np.sort(m.pair_correlations)[::-1]
        ax.plot(np.arange(1, len(r) + 1), r, "o-", ms=2.5, lw=1, label="one-to-one partner")
        live_a = np.setdiff1d(np.arange(m.correlations.shape[0]), m.dead[0])
        best = np.sort(m.best_of_any("a")[live_a])[::-1]
        ax.plot(np.arange(1, len(best) + 1), best, lw=1, ls=":", color="0.4", label="best of any map (shared)")
        ax.axhline(m.threshold, color="tab:red", lw=0.8, ls="--", label=f"threshold {m.threshold:g}")
        ax.set_ylim(min(-0.05, float(r.min()) - 0.05) if len(r) else -0.05, 1.02)
        ax.set_xlabel(f"live maps ({la}), sorted by correlation")
        ax.set_ylabel("correlation")
        ax.set_title(f"{m.layers[0]} ↔ {m.layers[1]} · median {m.median:.2f}\n"
                     f"({'positions' if m.basis == 'positions' else 'per-image means'}, {m.n_images} digits)",
                     fontsize=9)
        ax.legend(fontsize=7, loc="lower left")
        for ax in row[1:]:
            ax.axis("off")
        for k, pp in enumerate(pats[:2]):
            for j, (res, label, idx) in enumerate(((pp.result_a, la, pp.map_a), (pp.result_b, lb, pp.map_b))):
                ax = row[1 + 2 * k + j]
                ax.imshow(enhance_contrast(res.image), cmap="viridis")
                if not res.responded:
                    mark_no_response(ax, box=(-0.5, -0.5, 28, 28))
                ax.set_title(f"{pp.kind} matched\n{label} {idx}" + (f", r = {pp.correlation:.2f}" if j else ""),
                             fontsize=8)
    fig.suptitle(title or f"Two networks, same maps? Best-match correlations ({la} ↔ {lb}) and the OIPs of the "
                          "best- and least-matched pair", fontsize=10)
    return fig
