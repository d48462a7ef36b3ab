"""What a carving returns: the preparation, each iteration's intermediate images, the dream
(notebook 08)."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .images import clip_contrast, paste_quadrants, save_png


@dataclass
class CarvingPreparation:
    """Everything prepared before the first iteration (the notebook's preparation figure).
    Returned by :meth:`DreamCarver.prepare`; used in notebook 08, sections 1, 2 and 5.

    Full image: ``image`` (standardized), ``small`` (28×28 CNN input), ``enlarged`` (back to the working
    size: detail lost), ``correction`` and ``restored`` = enlarged + correction (= image).
    Quadrants (only the chosen ones): ``tiles`` cut from the image, ``tiles_small`` (their CNN inputs),
    ``tile_corrections`` and ``tiles_restored``; ``tile_mean``/``tile_std`` are the tiles' own statistics.
    With ``undo_tile_standardization`` the tile corrections are in the tiles' standardized units.
    """

    image: np.ndarray
    small: np.ndarray
    enlarged: np.ndarray
    correction: np.ndarray
    restored: np.ndarray
    quadrants: tuple
    tiles: np.ndarray
    tiles_small: np.ndarray
    tile_corrections: np.ndarray
    tiles_restored: np.ndarray
    tile_mean: np.ndarray
    tile_std: np.ndarray
    undo_tile_standardization: bool

    def reassembled(self) -> np.ndarray:
        """The image with every chosen quadrant replaced by its restored tile (= the image again)."""
        return paste_quadrants(self.image, self.tiles_restored, self.quadrants)


@dataclass
class CarvingStep:
    """The intermediate images of one iteration (kept with ``keep_steps=True``).
    Drawn by :func:`helpers.dream.plots.iteration_figure` in notebook 08, section 3."""

    iteration: int
    small_in: np.ndarray          # (28, 28) the CNN input made from the current image
    small_out: np.ndarray         # (28, 28) after the ascent for the full-image map
    enlarged: np.ndarray          # (S, S) small_out back at the working size (no detail)
    full: np.ndarray              # (S, S) enlarged + correction, standardized
    tiles_in: np.ndarray          # (n, S/2, S/2) quadrants cut from `full`
    tiles_small_in: np.ndarray    # (n, 28, 28)
    tiles_small_out: np.ndarray   # (n, 28, 28) after the ascent for the sub-image maps
    tiles_out: np.ndarray         # (n, S/2, S/2) carved tiles as they were pasted
    result: np.ndarray            # (S, S) after pasting, standardized: the next iteration's start
    full_losses: np.ndarray       # (steps,) mean activation of the full-image map before each step
    tile_losses: np.ndarray       # (steps, n)


@dataclass
class DreamResult:
    """A carved image and how it was made. ``image`` is standardized; :meth:`display` makes it viewable.
    Returned by :meth:`DreamCarver.carve`; used in notebook 08, sections 3-7."""

    image: np.ndarray                 # (S, S) final image, standardized
    original: np.ndarray              # (S, S) the standardized photo it started from
    preparation: CarvingPreparation
    map_index: int
    sub_maps: tuple                   # one map per chosen quadrant
    quadrants: tuple
    iterations: int
    steps: int
    epsilon: float
    undo_tile_standardization: bool
    noise: float
    seed: int | None
    layer_name: str
    full_losses: np.ndarray           # (iterations, steps)
    tile_losses: np.ndarray           # (iterations, steps, n)
    history: list = field(default_factory=list)   # CarvingStep per iteration (with keep_steps)

    @property
    def size(self) -> int:
        return int(self.image.shape[0])

    def silent_regions(self) -> list[str]:
        """Regions whose map never fired (activation 0 in every step): nothing was carved there."""
        out = []
        if self.full_losses.size and not np.any(self.full_losses > 0):
            out.append(f"full image (map {self.map_index})")
        for k, (q, m) in enumerate(zip(self.quadrants, self.sub_maps)):
            if self.tile_losses.size and not np.any(self.tile_losses[:, :, k] > 0):
                out.append(f"quadrant {q} (map {m})")
        return out

    @property
    def message(self) -> str:
        silent = self.silent_regions()
        if not silent:
            return ""
        return (f"The map did not respond in: {', '.join(silent)}; nothing was carved there. "
                "Try another map, or noise=0.2 (--noise 0.2) to give the ascent a start.")

    def display(self, contrast: str = "clip") -> np.ndarray:
        """The image in [0, 1] for showing or saving: ``"clip"`` (the article's clipping, relative to the
        original photo's range), ``"oip"`` (helpers.oip.display.enhance_contrast) or ``"none"``."""
        from ..oip.display import enhance_contrast, to_unit_range

        if contrast == "clip":
            return clip_contrast(self.image, reference=self.original)
        if contrast == "oip":
            return enhance_contrast(self.image, centre_move=0.46, fact=0.8)
        if contrast == "none":
            return to_unit_range(self.image)
        raise ValueError(f"contrast must be 'clip', 'oip' or 'none'; got {contrast!r}.")

    def save_png(self, path, overwrite: bool = False, contrast: str = "clip") -> Path:
        """Write :meth:`display` as a gray PNG; refuses to replace an existing file unless ``overwrite``."""
        return save_png(self.display(contrast), path, overwrite)

    def __repr__(self):
        q = ",".join(map(str, self.quadrants)) or "none"
        return (f"DreamResult({self.size}×{self.size}, map {self.map_index}, quadrants {q}, sub-maps "
                f"{list(self.sub_maps)}, {self.iterations} iterations × {self.steps} steps)")
