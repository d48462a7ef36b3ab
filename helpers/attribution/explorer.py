"""The attribution explorer of notebook 09 ("Which pixels decide"): a test digit or your own drawing, an
attribution method and the class to explain; the figure shows the digit, its attribution map, the map over the
digit and the ten class probabilities with the explained class in orange.

The methods are those of :mod:`helpers.attribution.methods`, called with their defaults (:data:`METHODS`).
Grad-CAM needs the layers Conv2D_2 and Conv2D_3 as conv or pool layers; for a model without one of them that
Grad-CAM entry is left out of the menu, and ``explorer.left_out`` says why.

The logic runs without a browser: set ``explorer.index.value`` (or ``explorer.index_text.value``),
``explorer.method.value``, ``explorer.target.value`` (``"predicted"`` or a class 0..9), ``explorer.source.value``
or ``explorer.pad.strokes`` (new strokes: the input switches to "my drawing"), then read ``explorer.digit`` (the
28×28 input, raw pixels 0..1), ``explorer.explained`` (the class explained), ``explorer.attribution`` (its map),
``explorer.probabilities``, ``explorer.status_text`` and ``explorer.png`` (the picture shown).

Speed: the figure is built once and afterwards only its data are replaced and it is rendered once to a PNG, as
the drawing pads of notebooks 04 and 05 do (:class:`helpers.activations.pad_explorers.DrawingExplorer`, whose
pad, Clear button and rendering this explorer reuses); maps already computed for a (digit, method, class) are
kept, so going back to one costs only the picture.
"""
from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
from functools import partial
from typing import Callable

import ipywidgets as widgets
import keras
import numpy as np

from ..activations.drawing import EmptyDrawingError, strokes_to_drawing, to_mnist_digit
from ..activations.maps import activations_of_layers, check_index
from ..activations.pad_explorers import EMPTY_STATUS, DrawingExplorer
from ..activations.plots import draw_class_probabilities
from ..data import NUM_CLASSES, as_image_batch
from ..model import check_layer_name
from . import methods

TEST, DRAWING = "test digit", "my drawing"
PREDICTED = "predicted"
CACHE_SIZE = 256          # attribution maps kept (one is 28×28 floats: 3 KiB)
SIGNED_CMAP, GRAD_CAM_CMAP = "RdBu_r", "inferno"
OVERLAY_ALPHA = 0.85      # the opacity of the strongest attribution drawn over the digit


@dataclass(frozen=True)
class Method:
    """One entry of the method menu: the function (model, raw images 0..1, classes) → maps (n, 28, 28), whether
    its values have a sign (drawn with a diverging colour map centred on 0) and what a value means."""
    function: Callable
    signed: bool
    unit: str
    layer: str | None = None       # the layer Grad-CAM needs


METHODS = {
    "saliency": Method(methods.saliency, True, "∂ score / ∂ pixel"),
    "SmoothGrad": Method(methods.smoothgrad, True, "mean ∂ score / ∂ pixel over noisy copies"),
    "integrated gradients (blurred baseline)": Method(partial(methods.integrated_gradients, baseline="blurred"),
                                                      True, "share of score(digit) − score(blurred digit)"),
    "integrated gradients (black baseline)": Method(partial(methods.integrated_gradients, baseline="black"),
                                                    True, "share of score(digit) − score(black image)"),
    "Grad-CAM Conv2D_2": Method(partial(methods.grad_cam, layer="Conv2D_2"), False,
                                "Grad-CAM (≥ 0), 11×11 upsampled", "Conv2D_2"),
    "Grad-CAM Conv2D_3": Method(partial(methods.grad_cam, layer="Conv2D_3"), False,
                                "Grad-CAM (≥ 0), 3×3 upsampled", "Conv2D_3"),
    "occlusion": Method(methods.occlusion, True, "score drop under a 4×4 patch"),
}


def available_methods(model: keras.Model) -> tuple[list[str], dict[str, str]]:
    """The menu's methods for this model, and {method: why it is left out} for the Grad-CAM entries whose layer
    the model lacks (or has, but without spatial maps)."""
    offered, left_out = [], {}
    for name, method in METHODS.items():
        try:
            if method.layer is not None:
                check_layer_name(model, method.layer, methods.SPATIAL_LAYERS, "conv or pool")
            offered.append(name)
        except ValueError as exc:          # UnknownLayerError is a ValueError too
            left_out[name] = str(exc)
    return offered, left_out


def raw_images(images) -> np.ndarray:
    """Test images as the methods take them: float32 (n, 28, 28) in raw pixels 0..1. uint8 images (MNIST as
    :func:`helpers.data.load_mnist` gives it, 0..255) are divided by 255; float images must already lie in 0..1
    (divide by 255 first). Wrong shapes, NaN and values out of range raise ValueError."""
    x = as_image_batch(images)[..., 0]
    if len(x) == 0:
        raise ValueError("Give at least one image to explore.")
    if np.asarray(images).dtype == np.uint8:
        return x / np.float32(255)
    low, high = float(x.min()), float(x.max())
    if low < 0 or high > 1:
        raise ValueError(f"Float images must be raw pixels in 0..1 (the attribution methods work in that space); "
                         f"these lie in {low:g}..{high:g}. Pass MNIST's uint8 images as they are, or divide "
                         "0..255 floats by 255.")
    return x


class AttributionExplorer(DrawingExplorer):
    """Widgets (input, test digit, method, class), the drawing pad (shown for "my drawing") and one figure.
    Built by :func:`attribution_explorer` in notebook 09."""

    def __init__(self, model: keras.Model, images, labels, *, strokes=None, render: bool = True, index: int = 0):
        self.images = raw_images(images)
        self.labels = np.asarray(labels)
        n = len(self.images)
        if self.labels.shape != (n,) or not np.issubdtype(self.labels.dtype, np.integer):
            raise ValueError(f"Give one whole-number label per image: {n} images, labels of shape "
                             f"{self.labels.shape} and dtype {self.labels.dtype}.")
        check_index(index, n, "the test digits")
        offered, self.left_out = available_methods(model)
        self.source = widgets.ToggleButtons(options=[TEST, DRAWING], value=DRAWING if strokes else TEST,
                                            description="input:")
        self.index = widgets.IntSlider(value=index, min=0, max=n - 1, description="test digit:",
                                       continuous_update=False, style={"description_width": "initial"})
        self.index_text = widgets.BoundedIntText(value=index, min=0, max=n - 1, description="or type:",
                                                 layout={"width": "160px"})
        widgets.link((self.index, "value"), (self.index_text, "value"))
        self.method = widgets.Dropdown(options=offered, value=offered[0], description="method:",
                                       layout={"width": "400px"})
        classes = [("predicted class", PREDICTED)] + [(str(c), c) for c in range(NUM_CLASSES)]
        self.target = widgets.Dropdown(options=classes, value=PREDICTED, description="explain class:",
                                       style={"description_width": "initial"})
        self._cache: OrderedDict = OrderedDict()
        self.attribution = self.explained = self.label = None
        self._ready, self.pad_box = False, None             # the pad comes with DrawingExplorer.__init__
        super().__init__(model, strokes=strokes, render=render)
        self.pad_box = widgets.HBox([self.pad, self.clear])
        self.widget = widgets.VBox([widgets.HBox([self.source, self.index, self.index_text]),
                                    widgets.HBox([self.method, self.target]), self.pad_box, self.status,
                                    self.output])
        for w in (self.source, self.index, self.method, self.target):
            w.observe(lambda _: self.redraw(), names="value")
        self._ready = True
        self._show_pad()

    # -- what changes the figure ---------------------------------------------------------------------------
    def update(self) -> None:
        """After a stroke (the pad calls this): the drawing becomes the input."""
        if self._ready and self.source.value != DRAWING:
            self.source.value = DRAWING           # its observer redraws
        else:
            self.redraw()

    def redraw(self) -> None:
        """The input → probabilities → attribution map of the chosen class → status and figure."""
        self._show_pad()
        source = self.read_input()
        if source is None:                        # an empty pad: nothing to explain
            self.probabilities = self.attribution = self.explained = self.png = None
            self.output.clear_output()
            return
        key, what = source
        self.probabilities = self._cached((key, "probabilities"), lambda: activations_of_layers(
            self.model, [self.output_layer], self.digit)[self.output_layer][0])
        self.explained = self.prediction if self.target.value == PREDICTED else int(self.target.value)
        method = METHODS[self.method.value]
        self.attribution = self._cached((key, self.method.value, self.explained),
                                        lambda: method.function(self.model, self.digit[None], self.explained)[0])
        self.status.value = (f"{what}: the model says <b>{self.prediction}</b> (probability "
                             f"{self.probabilities[self.prediction]:.3f}); {self.reading(method)}")
        if self.render:
            if self.figure is None:
                self.figure = self.make_figure()
            else:
                self.refresh()
            self.show_png()

    def read_input(self):
        """Set ``digit`` (raw pixels 0..1) and ``label`` from the test digit or the drawing; return (a cache key,
        the input in words), or None for a pad without ink (the status then says to draw)."""
        if self.source.value == TEST:
            i = self.index.value
            self.digit, self.label = self.images[i], int(self.labels[i])
            return ("test", i), f"test digit {i} (label {self.label})"
        self.label = None
        self.drawing = strokes_to_drawing(self.pad.strokes, size=self.pad.size, pen_width=self.pad.pen_width)
        try:
            self.digit = to_mnist_digit(self.drawing) / np.float32(255)
        except EmptyDrawingError:
            self.digit = None
            self.status.value = EMPTY_STATUS if not self.pad.strokes else (
                "No ink on the pad (the strokes lie outside it): draw a digit first.")
            return None
        return ("drawing", self.digit.tobytes()), "your drawing"

    def _cached(self, key, compute):
        if key not in self._cache:
            self._cache[key] = compute()
            if len(self._cache) > CACHE_SIZE:
                self._cache.popitem(last=False)
        return self._cache[key]

    def _show_pad(self) -> None:
        """The pad only for "my drawing", the digit controls only for test digits."""
        drawing = self.source.value == DRAWING
        if self.pad_box is not None:
            self.pad_box.layout.display = None if drawing else "none"
        self.index.disabled = self.index_text.disabled = drawing

    def reading(self, method: Method) -> str:
        """How to read the map, for the status line."""
        which = f"class {self.explained}" + (" (the predicted class)" if self.explained == self.prediction else "")
        if not method.signed:
            return (f"{self.method.value} for {which}: bright regions raise its score (Grad-CAM keeps only the "
                    f"positive part; one cell of {method.layer} covers many pixels).")
        text = f"{self.method.value} for {which}: red pixels raise its score, blue ones lower it"
        if "integrated gradients" in self.method.value:      # complete: the sum is the score's rise from the baseline
            text += (f"; the attributions add up to {float(self.attribution.sum()):.3g}, the score's rise from "
                     "the baseline")
        return text + "."

    # -- the figure: built once, then only its data replaced ---------------------------------------------
    def figure_size(self) -> tuple[float, float]:
        return 13.0, 3.6

    def draw(self, fig) -> None:
        ax_digit, ax_map, ax_over, self._art_probabilities = fig.subplots(1, 4, width_ratios=[1, 1.25, 1, 1.3])
        self._art_digit = ax_digit.imshow(self.digit, cmap="gray_r", vmin=0, vmax=1)
        self._art_map = ax_map.imshow(self.attribution, interpolation="nearest")
        self._colorbar = fig.colorbar(self._art_map, ax=ax_map, shrink=0.85)
        ax_over.imshow(self.digit, cmap="gray_r", vmin=0, vmax=1)
        self._art_under = ax_over.images[0]
        self._art_over = ax_over.imshow(self.attribution, interpolation="nearest")
        for ax in (ax_digit, ax_map, ax_over):
            ax.set_xticks([])
            ax.set_yticks([])
        self.refresh()

    def refresh(self) -> None:
        ax_digit, ax_map, ax_over = self._art_digit.axes, self._art_map.axes, self._art_over.axes
        method = METHODS[self.method.value]
        for image in (self._art_digit, self._art_under):
            image.set_data(self.digit)
        if method.signed:
            top = max(float(np.abs(self.attribution).max()), 1e-12)
            cmap, low = SIGNED_CMAP, -top
        else:
            top = max(float(self.attribution.max()), 1e-12)
            cmap, low = GRAD_CAM_CMAP, 0.0
        for image in (self._art_map, self._art_over):
            image.set_data(self.attribution)
            image.set_cmap(cmap)
            image.set_clim(low, top)
        # over the digit, a pixel's colour is as opaque as its attribution is strong: weak ones leave the ink visible
        self._art_over.set_alpha(OVERLAY_ALPHA * np.clip(np.abs(self.attribution) / top, 0, 1))
        self._colorbar.set_label(method.unit, fontsize=8)
        source = "your drawing" if self.label is None else f"test digit {self.index.value}, label {self.label}"
        ax_digit.set_title(f"{source}\nthe model says {self.prediction}", fontsize=9)
        ax_map.set_title(f"{self.method.value}\nfor class {self.explained}", fontsize=9)
        ax_over.set_title("the map over the digit", fontsize=9)
        ax = self._art_probabilities
        ax.clear()
        draw_class_probabilities(ax, self.probabilities, annotate=[self.explained], accent=[self.explained],
                                 title=f"probabilities; explained: {self.explained} (orange)")

    # -- what a page without a kernel shows ------------------------------------------------------------------
    def _repr_mimebundle_(self, include=None, exclude=None):
        """The live widget for Jupyter; for a static page the picture of the figure (a test digit) or, for a
        drawing, the pad beside it (see :meth:`DrawingExplorer._repr_mimebundle_`)."""
        if self.source.value == DRAWING:
            return super()._repr_mimebundle_(include, exclude)
        import base64

        bundle = dict(self.widget._repr_mimebundle_())
        if self.png is not None:
            bundle["image/png"] = base64.b64encode(self.png).decode("ascii")
        return bundle


def attribution_explorer(model: keras.Model, images, labels, *, strokes=None, render: bool = True,
                         index: int = 0) -> AttributionExplorer:
    """The explorer of notebook 09 (see :class:`AttributionExplorer`): ``images`` are test digits — uint8 0..255
    as :func:`helpers.data.load_mnist` gives them, or floats in raw pixels 0..1 — shape (n, 28, 28) or
    (n, 28, 28, 1), ``labels`` their digits; ``strokes`` (e.g. ``example_strokes(4)``) start it on a drawing.
    Show it by making it a cell's last expression."""
    return AttributionExplorer(model, images, labels, strokes=strokes, render=render, index=index)
