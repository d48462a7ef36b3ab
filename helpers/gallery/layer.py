"""The gallery of one layer: every map's pattern in one batched run, judged against the live maps
(articles IX, X, XII; notebook 07, sections 2-4)."""
from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np

from ..oip import My_OIP
from ..oip.constants import EPSILON, N_EPOCHS
from .live import mnist_test_images


@dataclass
class Gallery:
    """The patterns of all maps of one layer, with what is needed to judge them.
    Returned by :func:`layer_gallery`; used in notebook 07, sections 2-5."""

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

    def strongest_map(self, live_only: bool = True) -> tuple[int, float]:
        """The map that responds most strongly to its own pattern (largest final mean activation) and that
        activation; with ``live_only`` only maps that real digits activate count. A rule that picks a map
        the same way for any trained model (notebook 07, section 5, chooses its series map with it)."""
        candidates = np.intersect1d(self.found, self.live) if live_only else self.found
        if candidates.size == 0:
            raise ValueError(f"{self.layer_name}: no {'live ' if live_only else ''}map has a pattern.")
        losses = self.final_losses[np.searchsorted(self.map_indices, candidates)]
        best = int(np.argmax(losses))
        return int(candidates[best]), float(losses[best])

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


def as_oip(source, layer_name) -> My_OIP:
    """A My_OIP for ``layer_name`` from a My_OIP, a model, a path or None (the reference model).
    Used by :func:`layer_gallery` and :func:`helpers.gallery.series.start_series`."""
    if isinstance(source, My_OIP):
        if layer_name not in (None, source.layer_name):
            return My_OIP(source.model, layer_name)
        return source
    return My_OIP(source, layer_name or "Conv2D_3")


def layer_gallery(source=None, layer_name: str | None = None, *, n_epochs: int = N_EPOCHS, epsilon: float = EPSILON,
                  seed=0, precursor: bool = True, stop_early: bool = True, live=None, images=None,
                  n_reports: int | None = None, **derive_kwargs) -> Gallery:
    """Derive the pattern of every map of a layer in one batched run and compare with the live maps.

    source: a :class:`My_OIP` (its layer is used unless ``layer_name`` says otherwise), a keras model,
        a ``.keras`` path, or None for the reference model.
    live: indices of the live maps, if already known; otherwise they are computed from ``images``
        (digits, raw or standardized: they are standardized per image), by default the whole MNIST
        test set.
    precursor, stop_early: on by default, see the module docstring. Other keyword arguments go to
        :meth:`My_OIP.derive_many`.
    Taught in notebook 07, section 2.
    """
    oip = as_oip(source, layer_name)
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
