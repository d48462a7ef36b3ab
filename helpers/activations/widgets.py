"""A small explorer for notebook 04: pick a digit and a layer, see the digit and the layer's grid.

The logic (what is computed when a widget changes) lives in :class:`ActivationExplorer` and can be
driven without a notebook: set ``explorer.index.value`` or ``explorer.layer.value`` and read
``explorer.grid``, ``explorer.probabilities`` and ``explorer.status.value`` — that is how the tests use it.
"""
from __future__ import annotations

import ipywidgets as widgets
import keras
import numpy as np

from ..explorer import FigureExplorer
from .grids import activation_grid
from ..model import check_layer_name, model_layer_names
from ..data import as_image_batch
from .maps import check_index, layer_activations
from .plots import DEFAULT_CMAP, plot_digit_and_grid


def explorable_layers(model: keras.Model) -> list[str]:
    """Layers worth a grid: all but Flatten, whose values are Conv2D_3's maps again, laid out in one row.
    Used by :class:`ActivationExplorer` for its layer menu."""
    return [name for name in model_layer_names(model) if not isinstance(model.get_layer(name), keras.layers.Flatten)]


class ActivationExplorer(FigureExplorer):
    """Widgets (image index, layer, per-map standardization) and the callback that recomputes the grid.
    Built by :func:`activation_explorer` in notebook 04, section 6.

    After every change: ``activations`` (the layer output for the chosen image), ``grid`` (its tiled
    2-D array), ``probabilities`` (the model's class probabilities) and ``status`` (one line of text)
    are up to date; with ``render=True`` the figure is redrawn in ``output``.
    """

    def __init__(self, model: keras.Model, images, labels=None, *, layers=None, index: int = 0,
                 layer: str = "Conv2D_1", cmap: str = DEFAULT_CMAP, render: bool = True, what: str = "test image"):
        self.model, self.images, self.labels = model, images, labels
        self.cmap, self.render, self.what = cmap, render, what
        options = list(layers) if layers is not None else explorable_layers(model)
        for name in options + [layer]:
            check_layer_name(model, name)
        if layer not in options:
            raise ValueError(f"The start layer {layer!r} is not among the offered layers {options}.")
        check_index(index, len(images), f"the {what}s")
        as_image_batch(images)          # shape and finite pixels, checked once here rather than at each redraw
        self.index = widgets.BoundedIntText(value=index, min=0, max=len(images) - 1, description=f"{what}:",
                                            style={"description_width": "initial"})
        self.layer = widgets.Dropdown(options=options, value=layer, description="layer:")
        self.standardize = widgets.Checkbox(value=False, description="standardize each map")
        self.status = widgets.HTML()
        self.output = widgets.Output()
        self.widget = widgets.VBox([widgets.HBox([self.index, self.layer, self.standardize]), self.status,
                                    self.output])
        self.activations = self.grid = self.probabilities = None
        for w in (self.index, self.layer, self.standardize):
            w.observe(self._on_change, names="value")
        self.update()

    def _on_change(self, change) -> None:
        self.update()

    def update(self) -> None:
        """Recompute activations, grid, probabilities and status for the current widget values; redraw."""
        i = check_index(self.index.value, len(self.images), f"the {self.what}s")
        image = self.images[i]
        self.activations = layer_activations(self.model, self.layer.value, image)[0]
        self.grid = activation_grid(self.activations, standardize=self.standardize.value)
        self.probabilities = layer_activations(self.model, self.model.layers[-1].name, image)[0]
        predicted = int(np.argmax(self.probabilities))
        label = f", label {int(self.labels[i])}" if self.labels is not None else ""
        self.status.value = (f"{self.what} {i}{label}: the model says <b>{predicted}</b> "
                             f"(probability {self.probabilities[predicted]:.3f}); "
                             f"{self.layer.value} output {self.activations.shape}")
        if self.render:
            self._draw(i)

    def _draw(self, i: int) -> None:
        self.show(plot_digit_and_grid(self.model, self.layer.value, self.images, i, labels=self.labels,
                                      cmap=self.cmap, standardize=self.standardize.value, what=self.what))


def activation_explorer(model: keras.Model, images, labels=None, **kwargs) -> ActivationExplorer:
    """Build the explorer (see :class:`ActivationExplorer`); show it by making it a cell's last expression.
    Used in notebook 04, section 6."""
    return ActivationExplorer(model, images, labels, **kwargs)
