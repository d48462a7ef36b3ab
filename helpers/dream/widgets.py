"""Widgets for notebook 08: choose the map of the full image, the map of the quadrants and the number
of carving iterations, and see the dream next to the photo.

The logic lives in :class:`DreamExplorer` and runs without a notebook: set
``explorer.full_map.value`` (or ``sub_map``, ``iterations``, ``quadrants``) and read
``explorer.result`` and ``explorer.status.value`` — that is how the tests drive it.
"""
from __future__ import annotations

import ipywidgets as widgets
import matplotlib.pyplot as plt

from ..explorer import FigureExplorer
from .carving import DEFAULT_STEPS, DreamCarver
from .images import parse_quadrants
from .photo import Photo

QUADRANT_CHOICES = ("all", "none", "1,4", "2,3", "1", "2", "3", "4")


class DreamExplorer(FigureExplorer):
    """Sliders for the two maps and the iterations, a quadrant choice, and the callback that re-carves.
    Built by :func:`dream_explorer` in notebook 08, section 8.

    Every change re-runs :meth:`helpers.dream.DreamCarver.carve`; afterwards ``result`` (a
    :class:`~helpers.dream.results.DreamResult`) and ``status`` (one line of text) are up to date, and with
    ``render=True`` the photo and the dream are redrawn in ``output``. Sliders only report when they
    are released, so dragging does not start a carving for every value passed on the way.
    """

    def __init__(self, carver: DreamCarver, photo: Photo, *, full_map: int = 70, sub_map: int = 105,
                 iterations: int = 4, quadrants: str = "all", steps: int = DEFAULT_STEPS,
                 max_iterations: int = 8, render: bool = True):
        if not isinstance(photo, Photo):
            raise TypeError(f"photo must be a Photo from helpers.load_photo(); got {type(photo).__name__}.")
        if quadrants not in QUADRANT_CHOICES:
            parse_quadrants(quadrants)  # a clear error for a bad spec; a valid but unlisted one is offered too
        carver.oip.check_maps([full_map, sub_map])
        if not 1 <= iterations <= max_iterations:
            raise ValueError(f"iterations must lie in 1..{max_iterations}; got {iterations}.")
        self.carver, self.photo, self.steps, self.render = carver, photo, steps, render
        top = carver.n_maps - 1
        style = {"description_width": "initial"}
        self.full_map = widgets.IntSlider(value=full_map, min=0, max=top, description="map (full image):",
                                          continuous_update=False, style=style)
        self.sub_map = widgets.IntSlider(value=sub_map, min=0, max=top, description="map (quadrants):",
                                         continuous_update=False, style=style)
        self.iterations = widgets.IntSlider(value=iterations, min=1, max=max_iterations, description="iterations:",
                                            continuous_update=False, style=style)
        options = list(QUADRANT_CHOICES) + ([quadrants] if quadrants not in QUADRANT_CHOICES else [])
        self.quadrants = widgets.Dropdown(options=options, value=quadrants, description="quadrants:")
        self.status = widgets.HTML()
        self.output = widgets.Output()
        self.widget = widgets.VBox([widgets.HBox([self.full_map, self.sub_map]),
                                    widgets.HBox([self.iterations, self.quadrants]), self.status, self.output])
        self.result = None
        for w in (self.full_map, self.sub_map, self.iterations, self.quadrants):
            w.observe(self._on_change, names="value")
        self.update()

    def _on_change(self, change) -> None:
        self.update()

    def update(self) -> None:
        """Carve with the current widget values; update ``result`` and ``status``; redraw."""
        self.result = self.carver.carve(self.photo, self.full_map.value, sub_maps=self.sub_map.value,
                                        quadrants=self.quadrants.value, iterations=self.iterations.value,
                                        steps=self.steps)
        r = self.result
        gain = r.full_losses[-1, -1] if r.full_losses.size else float("nan")
        text = (f"map {r.map_index} on the full image, map {self.sub_map.value} on quadrants "
                f"{self.quadrants.value}; {r.iterations} iterations × {r.steps} steps; "
                f"final mean activation of map {r.map_index}: {gain:.3g}")
        if r.message:
            text += f"<br><b>{r.message}</b>"
        self.status.value = text
        if self.render:
            self._draw()

    def _draw(self) -> None:
        fig, axes = plt.subplots(1, 2, figsize=(10, 5.2))
        axes[0].imshow(self.photo.image, cmap="gray")
        axes[0].set_title("the photo (gray, standardized)")
        axes[1].imshow(self.result.display(), cmap="gray", vmin=0, vmax=1)
        axes[1].set_title(f"dream: map {self.result.map_index}, quadrants {self.quadrants.value} "
                          f"(map {self.sub_map.value}), {self.result.iterations} it.")
        for ax in axes:
            ax.axis("off")
        fig.tight_layout()
        self.show(fig)


def dream_explorer(carver: DreamCarver, photo: Photo, **kwargs) -> DreamExplorer:
    """Build the explorer (see :class:`DreamExplorer`); show it by making it a cell's last expression.
    Used in notebook 08, section 8."""
    return DreamExplorer(carver, photo, **kwargs)
