"""One map from several random starts with different wavelength mixes, in one batch (the "Hand of
MNIST" series of article X; notebook 07)."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..oip import My_OIP, initial_image, pick_best
from ..oip.constants import ARTICLE_SCALES, EPSILON, N_EPOCHS
from .figures import mark_no_response
from .layer import as_oip
from .similarity import pairwise_correlations, shift_tolerant_correlations


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


@dataclass
class StartSeries:
    """One map derived from several random starts, one wavelength mix each.
    Returned by :func:`start_series`; used in notebook 07, section 5."""

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
    Returns (starts (n_mixes, 28, 28, 1), their activations of the map (n_mixes,)).
    Used by :func:`start_series` (notebook 07, section 5)."""
    if best_of < 1:
        raise ValueError(f"best_of must be at least 1; got {best_of}.")
    starts, acts = [], []
    for k, mix in enumerate(mixes):
        cands = initial_image(mix, scales, n=best_of, seed=seed + k)
        start, act = pick_best(cands, oip.map_activations(cands)[:, [map_index]])
        starts.append(start[0])
        acts.append(act[0])
    return np.stack(starts), np.array(acts, np.float32)


def start_series(source, map_index: int, mixes=SERIES_MIXES, *, layer_name: str | None = None,
                 seed: int = 0, scales=ARTICLE_SCALES, best_of: int = 32, n_epochs: int = N_EPOCHS,
                 epsilon: float = EPSILON, stop_early: bool = True, n_reports: int | None = None, max_shift: int = 4,
                 **derive_kwargs) -> StartSeries:
    """Derive ``map_index`` once per wavelength mix, from different random starts, in ONE batch.

    The starts come from :func:`series_starts`; all of them go to :meth:`My_OIP.derive_many`
    together (the same map repeated), so the series costs one run. ``max_shift`` is the largest shift
    (pixels) :func:`shift_tolerant_correlation` tries when comparing two results.
    Taught in notebook 07, section 5.
    """
    oip = as_oip(source, layer_name)
    mixes = [tuple(float(f) for f in m) for m in mixes]
    if len(mixes) < 2:
        raise ValueError("A series needs at least two wavelength mixes to compare.")
    oip.check_maps([map_index])
    starts, _ = series_starts(oip, map_index, mixes, scales, seed, best_of)
    results = oip.derive_many([map_index] * len(mixes), n_epochs=n_epochs, epsilon=epsilon, start=starts,
                              stop_early=stop_early, n_reports=n_reports, **derive_kwargs)
    images = [r.image for r in results]
    corr = pairwise_correlations(images)
    shifted = shift_tolerant_correlations(images, max_shift)
    return StartSeries(oip.layer_name, int(map_index), mixes, results, corr, shifted, max_shift)


def start_series_figure(series: StartSeries, contrast: bool = True, cmap: str = "viridis", size: float = 2.0):
    """Starts (top row) and the patterns they led to (bottom row), with mixes, final losses and the
    similarity number. Used in notebook 07, section 5."""
    import matplotlib.pyplot as plt

    from ..oip.display import enhance_contrast

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
            mark_no_response(bottom)
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
