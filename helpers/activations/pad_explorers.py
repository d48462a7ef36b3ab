"""Draw your own digit and watch the CNN (notebook 04, section 7; notebook 05, section 8): the drawing pad
(:mod:`helpers.activations.pad`) beside a figure that is redrawn after every finished stroke.

- :class:`LayerDrawingExplorer` (04): what the model makes of the drawing, its ten probabilities and the maps
  (or nodes) of a layer chosen in a menu.
- :class:`FourNineDrawingExplorer` (05): P(4) against P(9), the Conv2D_3 maps that differ most between 4s and
  9s and the Dense_1 nodes that separate them best (both chosen in notebook 05), for the drawing.

The logic runs without a browser: set ``explorer.pad.strokes`` (a list of strokes, each a list of [x, y] pad
pixels, as :func:`helpers.activations.drawing.example_strokes` gives) and read ``explorer.digit`` (the 28×28
input the model saw), ``explorer.probabilities``, ``explorer.status_text``, ``explorer.figure`` and
``explorer.png`` (the picture shown).

Speed (``benchmarks/bench_pad.py``): a stroke must be answered within 0.3 s, and drawing a matplotlib figure
from scratch takes longer than the model. So the figure is built once per layout (for a layer), its panel
positions then frozen, and after each stroke only its data are replaced (:meth:`DrawingExplorer.refresh`) and
it is rendered once to a PNG.
"""
from __future__ import annotations

import io

import ipywidgets as widgets
import keras
import matplotlib.patches as mpatches
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from ..explorer import FigureExplorer
from ..model import check_layer_name
from .drawing import (MNIST_BOX, MNIST_SIZE, EmptyDrawingError, example_strokes, strokes_to_drawing,
                      to_mnist_digit)
from .four_vs_nine import pattern_typicality
from .grids import activation_grid
from .maps import activations_of_layers
from .pad import DrawingPad
from .plots import DEFAULT_CMAP, _describe, draw_class_probabilities, draw_grid
from .widgets import explorable_layers

STATIC_NOTE = ("A picture of the drawing pad with a digit drawn by code: the pad needs a running kernel "
               "(open the notebook in Jupyter to draw your own).")
EMPTY_STATUS = "Draw a digit on the pad (in the dashed box, as tall as the box): the figure follows every stroke."
DPI = 80          # the figure's pixels per inch: 11 inches → 880 pixels, the width of a notebook


class DrawingExplorer(FigureExplorer):
    """The pad, a Clear button, a status line and one figure, recomputed after every stroke. Subclasses name the
    layers they need (:meth:`layers`) and draw the figure (:meth:`draw`); this class turns the strokes into the
    model's input (:func:`helpers.activations.drawing.to_mnist_digit`) and runs the model once for all layers.
    Base of the explorers of notebook 04 (section 7) and notebook 05 (section 8), "Draw your own digit".
    """

    def __init__(self, model: keras.Model, *, strokes=None, render: bool = True, controls=()):
        self.model, self.render = model, render
        self.output_layer = model.layers[-1].name
        self.pad = DrawingPad()
        self.clear = widgets.Button(description="Clear", icon="eraser", tooltip="wipe the pad")
        self.clear.on_click(lambda _: setattr(self.pad, "strokes", []))
        self.status = widgets.HTML()
        self.output = widgets.Output()
        # the pad with its buttons and status beside it; the figure below, the notebook's whole width
        self.widget = widgets.VBox([widgets.HBox([self.pad, widgets.VBox([self.clear, *controls, self.status],
                                                                         layout={"margin": "0 0 0 12px"})]),
                                    self.output])
        self.drawing = self.digit = self.probabilities = self.png = None
        self.activations: dict[str, np.ndarray] = {}
        self._layout = None                       # what the current figure was built for (see layout_key)
        self.pad.observe(lambda _: self.update(), names="strokes")
        self.pad.strokes = list(strokes) if strokes is not None else []
        if not self.pad.strokes:
            self.update()

    # -- what subclasses say ------------------------------------------------------------------------------
    def layers(self) -> list[str]:
        """The layers whose activations :meth:`draw` needs (besides the output layer)."""
        return []

    def describe(self) -> str:
        """Compute what the figure shows beyond the probabilities (e.g. a layer's grid), once the activations are
        there, and return the rest of the status line, after the prediction."""
        return ""

    def draw(self, fig) -> None:
        """Draw the explorer's panels into ``fig`` (a Figure or SubFigure) for the current digit, keeping the
        artists that :meth:`refresh` changes."""
        raise NotImplementedError

    def refresh(self) -> None:
        """Put the current digit's data into the artists :meth:`draw` made (same layout)."""
        raise NotImplementedError

    def layout_key(self):
        """What the figure's layout depends on besides the digit (e.g. the chosen layer)."""
        return None

    # -- the work after each stroke -----------------------------------------------------------------------
    def update(self) -> None:
        """The strokes → drawing → 28×28 digit → activations and probabilities → status and figure."""
        self.drawing = strokes_to_drawing(self.pad.strokes, size=self.pad.size, pen_width=self.pad.pen_width)
        try:
            self.digit = to_mnist_digit(self.drawing)
        except EmptyDrawingError:
            self.digit = self.probabilities = self.figure = self.png = None
            self.activations = {}
            self.status.value = EMPTY_STATUS if not self.pad.strokes else (
                "No ink on the pad (the strokes lie outside it): draw a digit first.")
            self.output.clear_output()
            return
        names = list(dict.fromkeys([*self.layers(), self.output_layer]))
        self.activations = {name: a[0] for name, a in activations_of_layers(self.model, names, self.digit).items()}
        self.probabilities = self.activations[self.output_layer]
        self.status.value = (f"The model says <b>{self.prediction}</b> (probability "
                             f"{self.probabilities[self.prediction]:.3f}){self.describe()}")
        if self.render:
            if self.figure is None or self._layout != self.layout_key():
                self.figure, self._layout = self.make_figure(), self.layout_key()
            else:
                self.refresh()
            self.show_png()

    @property
    def prediction(self) -> int | None:
        return None if self.probabilities is None else int(np.argmax(self.probabilities))

    def make_figure(self) -> Figure:
        """A new figure (not pyplot's: nothing shows it by itself), laid out once, then its layout frozen."""
        fig = Figure(figsize=self.figure_size(), dpi=DPI, layout="constrained")
        FigureCanvasAgg(fig)                  # renders straight to PNG (show_png)
        self.draw(fig)
        fig.canvas.draw()                     # the constrained layout places the panels ...
        fig.set_layout_engine("none")         # ... once; later strokes keep the places
        return fig

    def show_png(self) -> None:
        """Render the figure to PNG once and show that picture in the output area."""
        from IPython.display import Image, display

        buffer = io.BytesIO()
        # one drawing pass: savefig would first lay out again (once more) for the frozen layout engine
        self.figure.canvas.print_png(buffer)
        self.png = buffer.getvalue()
        self.output.clear_output(wait=True)
        with self.output:
            display(Image(data=self.png, format="png"))

    def figure_size(self) -> tuple[float, float]:
        return 11.0, 3.4

    def draw_digit(self, ax):
        """The 28×28 digit in ``ax``; returns its image (for :meth:`refresh`)."""
        image = ax.imshow(self.digit, cmap="gray_r", vmin=0, vmax=255)
        ax.set_title("what the CNN gets:\nyour drawing as MNIST 28×28", fontsize=9)
        ax.set_xticks([])
        ax.set_yticks([])
        return image

    @staticmethod
    def new_values(image, values) -> None:
        """Replace an AxesImage's data and its colour range (its colorbar follows)."""
        image.set_data(values)
        image.set_clim(float(np.nanmin(values)), float(np.nanmax(values)))

    # -- the picture for pages without a kernel ---------------------------------------------------------------
    def static_figure(self):
        """The pad as a picture (what is drawn, on the pad's white, with its guide box) beside the explorer's
        figure, under :data:`STATIC_NOTE`: what a static page (the course website) shows instead of the live pad."""
        width, height = self.figure_size()
        fig = plt.figure(figsize=(width + height, height + 0.5), constrained_layout=True)
        left, right = fig.subfigures(1, 2, width_ratios=[height, width])
        ax = left.subplots()
        ax.imshow(1 - self.drawing, cmap="gray", vmin=0, vmax=1)
        size = self.pad.size
        box = size * MNIST_BOX / MNIST_SIZE
        ax.add_patch(mpatches.Rectangle(((size - box) / 2, (size - box) / 2), box, box, fill=False,
                                        edgecolor="#a0b0d0", linestyle="--"))
        ax.set_xticks([])
        ax.set_yticks([])
        ax.set_title("the drawing pad", fontsize=9)
        ax = right.subplots()
        ax.set_axis_off()
        if self.png is not None:                  # the live figure, as the notebook shows it
            ax.imshow(plt.imread(io.BytesIO(self.png), format="png"))
        fig.suptitle(STATIC_NOTE, fontsize=9)
        return fig

    def _repr_mimebundle_(self, include=None, exclude=None):
        """The live widget for Jupyter; for a static page a PNG of :meth:`static_figure` (see
        :meth:`FigureExplorer._repr_mimebundle_`)."""
        from IPython.core.pylabtools import print_figure

        bundle = dict(self.widget._repr_mimebundle_())
        fig = self.static_figure()
        bundle["image/png"] = print_figure(fig, "png", base64=True)
        plt.close(fig)
        return bundle


class LayerDrawingExplorer(DrawingExplorer):
    """Notebook 04: the drawing as the model's input, the ten class probabilities and the grid of a layer chosen in
    the menu (``explorer.layer``); ``explorer.grid`` is that grid. Built by :func:`drawing_explorer`."""

    def __init__(self, model: keras.Model, *, layer: str = "Conv2D_1", strokes=None, render: bool = True):
        options = explorable_layers(model)
        check_layer_name(model, layer)
        if layer not in options:
            raise ValueError(f"The layer {layer!r} cannot be shown as a grid; choose one of {options}.")
        self.layer = widgets.Dropdown(options=options, value=layer, description="layer:")
        self.grid = None
        super().__init__(model, strokes=strokes, render=render, controls=[self.layer])
        self.layer.observe(lambda _: self.update(), names="value")

    def layers(self) -> list[str]:
        return [self.layer.value]

    def layout_key(self):
        return self.layer.value

    def describe(self) -> str:
        self.grid = activation_grid(self.activations[self.layer.value])
        return f"; {self.layer.value}: {_describe(self.activations[self.layer.value])}"

    def draw(self, fig) -> None:
        acts = self.activations[self.layer.value]
        rows, cols = self.grid.shape
        ax_digit, ax_p, ax_grid = fig.subplots(1, 3, width_ratios=[1, 1.3, max(1.0, min(4.0, 1.2 * cols / rows))])
        self._art_digit = self.draw_digit(ax_digit)
        self._art_probabilities = ax_p
        self.draw_probabilities()
        self._art_grid = draw_grid(ax_grid, acts, cmap=DEFAULT_CMAP)
        ax_grid.set_title(f"{self.layer.value}: {_describe(acts)}", fontsize=9)
        fig.colorbar(self._art_grid, ax=ax_grid, shrink=0.8, label="activation")

    def draw_probabilities(self) -> None:
        self._art_probabilities.clear()
        draw_class_probabilities(self._art_probabilities, self.probabilities, title=f"the model says {self.prediction}")

    def refresh(self) -> None:
        self._art_digit.set_data(self.digit)
        self.draw_probabilities()
        self.new_values(self._art_grid, self.grid)


class FourNineDrawingExplorer(DrawingExplorer):
    """Notebook 05: P(4) against P(9); the drawing's values on the Conv2D_3 maps that differ most between 4s and
    9s (``top_maps``, section 3), with the typicality of section 5 when the two average patterns are given; and
    Dense_1 with the best separating nodes framed (``nodes``, section 7). Built by
    :func:`four_nine_drawing_explorer`."""

    MAPS_LAYER, NODES_LAYER = "Conv2D_3", "Dense_1"

    def __init__(self, model: keras.Model, top_maps, nodes, *, mean_4=None, mean_9=None, strokes=None,
                 render: bool = True):
        for name in (self.MAPS_LAYER, self.NODES_LAYER):
            check_layer_name(model, name)
        n_maps = model.get_layer(self.MAPS_LAYER).output.shape[-1]
        n_nodes = model.get_layer(self.NODES_LAYER).output.shape[-1]
        self.top_maps = _indices(top_maps, n_maps, f"{self.MAPS_LAYER} map")
        self.nodes = _indices(nodes, n_nodes, f"{self.NODES_LAYER} node")
        if (mean_4 is None) != (mean_9 is None):
            raise ValueError("Give both average patterns (mean_4 and mean_9, e.g. diff.mean_a and diff.mean_b) or "
                             "neither.")
        self.means = None if mean_4 is None else (np.asarray(mean_4), np.asarray(mean_9))
        self.typicality = None
        super().__init__(model, strokes=strokes, render=render)

    def layers(self) -> list[str]:
        return [self.MAPS_LAYER, self.NODES_LAYER]

    def describe(self) -> str:
        p = self.probabilities
        text = f"; P(4) = {p[4]:.3f}, P(9) = {p[9]:.3f}"
        if self.means is not None:
            self.typicality = float(pattern_typicality(self.activations[self.MAPS_LAYER][None], *self.means,
                                                       maps=self.top_maps)[0])
            closer = "an average 4" if self.typicality > 0 else "an average 9"
            text += f"; typicality on the top maps {self.typicality:+.2f} (closer to {closer})"
        return text

    def figure_size(self) -> tuple[float, float]:
        return 13.0, 3.4

    def draw(self, fig) -> None:
        ax_digit, ax_p, ax_maps, ax_nodes = fig.subplots(1, 4, width_ratios=[1, 1.3, 2.2, 1.2])
        self._art_digit = self.draw_digit(ax_digit)
        self._art_probabilities = ax_p
        self.draw_probabilities()
        maps = self.activations[self.MAPS_LAYER][..., self.top_maps]
        image = self._art_maps = draw_grid(ax_maps, maps, maps_per_row=4, show_indices=self.top_maps.tolist(),
                                           index_fontsize=9)
        ax_maps.set_title(f"{self.MAPS_LAYER}: the {len(self.top_maps)} maps that differ most\n"
                          "between 4s and 9s (map numbers in the cells)", fontsize=9)
        fig.colorbar(image, ax=ax_maps, shrink=0.8, label="activation")
        image = self._art_nodes = draw_grid(ax_nodes, self.activations[self.NODES_LAYER], cmap="jet",
                                            highlight=self.nodes, highlight_color="white")
        ax_nodes.set_title(f"{self.NODES_LAYER}, best separating\nnodes framed", fontsize=9)
        fig.colorbar(image, ax=ax_nodes, shrink=0.8, label="activation")

    def draw_probabilities(self) -> None:
        p = self.probabilities
        self._art_probabilities.clear()
        draw_class_probabilities(self._art_probabilities, p, annotate=[4, 9], accent=[4, 9],
                                 title=f"P(4) = {p[4]:.3f}, P(9) = {p[9]:.3f}")

    def refresh(self) -> None:
        self._art_digit.set_data(self.digit)
        self.draw_probabilities()
        self.new_values(self._art_maps, activation_grid(self.activations[self.MAPS_LAYER][..., self.top_maps],
                                                        maps_per_row=4))
        self.new_values(self._art_nodes, activation_grid(self.activations[self.NODES_LAYER]))


def _indices(values, n: int, what: str) -> np.ndarray:
    """Distinct integer indices in 0..n-1, or a clear error."""
    a = np.atleast_1d(np.asarray(values))
    if a.size == 0 or a.ndim != 1 or not np.issubdtype(a.dtype, np.integer):
        raise ValueError(f"Give the {what} indices as a list of whole numbers; got {values!r}.")
    if a.min() < 0 or a.max() >= n or len(set(a.tolist())) != a.size:
        raise IndexError(f"{what} indices must be distinct and lie in 0..{n - 1}; got {a.tolist()}.")
    return a.astype(int)


def drawing_explorer(model: keras.Model, *, layer: str = "Conv2D_1", start: int | None = 4,
                     **kwargs) -> LayerDrawingExplorer:
    """The drawing pad of notebook 04 (see :class:`LayerDrawingExplorer`), starting with the example strokes of
    the digit ``start`` (None: an empty pad); show it by making it a cell's last expression."""
    strokes = None if start is None else example_strokes(start)
    return LayerDrawingExplorer(model, layer=layer, strokes=strokes, **kwargs)


def four_nine_drawing_explorer(model: keras.Model, top_maps, nodes, *, start: int | None = 4,
                               **kwargs) -> FourNineDrawingExplorer:
    """The drawing pad of notebook 05 (see :class:`FourNineDrawingExplorer`), starting with the example strokes
    of the digit ``start`` (None: an empty pad)."""
    strokes = None if start is None else example_strokes(start)
    return FourNineDrawingExplorer(model, top_maps, nodes, strokes=strokes, **kwargs)
