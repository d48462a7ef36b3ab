"""The OIP explorer of notebook 07: choose a layer, a map, the fluctuation mix of the random start,
the step size, the number of steps and a seed, press "derive", and watch the pattern grow.

All logic lives in :class:`OIPExplorer` and runs without a notebook: set widget values (e.g.
``ex.layer.value = "Conv2D_1"``, ``ex.map_index.value = 5``) and call :meth:`OIPExplorer.run` (what the
button does) — then ``ex.result`` holds the :class:`helpers.oip.OIPResult`. That is how the tests
drive it. With ``live_update`` on, every change of a setting derives anew at once.

Given dataset examples (:func:`helpers.gallery.examples.dataset_examples`), the explorer also shows the
strongest real digits of the map under the slider, as a strip below the start or the evolution figure.
"""
from __future__ import annotations

import ipywidgets as widgets
import keras
import matplotlib.pyplot as plt
import numpy as np

from ..explorer import FigureExplorer
from ..model import load_reference_model
from .core import My_OIP
from .constants import ARTICLE_FACTORS, ARTICLE_SCALES, EPSILON
from .starts import initial_image


class OIPExplorer(FigureExplorer):
    """Widgets for one OIP derivation and the callbacks that compute it.
    Built by :func:`oip_explorer` in notebook 07, section 6.

    State after a change: ``start`` is the random start image for the current factors and seed
    (None if every factor is 0). After :meth:`run`: ``result`` (the OIPResult), ``runs`` (how many
    derivations so far), ``status`` (one line of text) and, with ``render=True``, the evolution
    figure (start, log-spaced snapshots ending with the final pattern, loss curve) in ``output``.

    ``examples``: a :class:`helpers.gallery.examples.DatasetExamples` (computed once, e.g. in notebook 07,
    section 3), or True to compute it for the offered layers on first use from the MNIST test digits. Then
    ``strip`` is (layer, map, test indices of its strongest digits) for the map under the slider (None for a
    layer without examples), and with ``render=True`` ``strip_figure`` shows those digits with the receptive
    field of their strongest unit, below the main figure.
    """

    def __init__(self, model=None, *, layers=None, layer: str | None = None, map_index: int = 0,
                 factors=ARTICLE_FACTORS, scales=ARTICLE_SCALES, epsilon: float = EPSILON, n_epochs: int = 300,
                 seed: int = 0, precursor: bool = False, live_update: bool = False, render: bool = True,
                 cmap: str = "viridis", examples=None):
        self.model = load_reference_model() if model is None else model
        self._examples = examples
        self.strip, self.strip_figure = None, None
        self.scales = tuple(scales)
        self.render, self.cmap = render, cmap
        if len(factors) != len(self.scales):
            raise ValueError(f"Give one factor per scale: {len(factors)} factors for {len(self.scales)} scales.")
        self._oips: dict[str, My_OIP] = {}
        # by default the model's conv layers, starting at the last (Conv2D_1..3 and Conv2D_3 for the reference
        # model), so a learner's own model with other layer names works without arguments
        layers = list(layers) if layers is not None else [
            l.name for l in self.model.layers if isinstance(l, keras.layers.Conv2D)]
        layer = layers[-1] if layer is None and layers else layer
        if layer not in layers:
            raise ValueError(f"The start layer {layer!r} is not among the offered layers {layers}.")
        oip = self.oip_for(layer)  # also checks that the model has this layer
        for name in layers:
            self.oip_for(name)

        style = {"description_width": "initial"}
        self.layer = widgets.Dropdown(options=layers, value=layer, description="layer:")
        self.map_index = widgets.IntSlider(value=0, min=0, max=oip.n_maps - 1, description="map:",
                                           continuous_update=False, style=style)
        oip.check_maps([map_index])
        self.map_index.value = map_index
        self.factors = [widgets.FloatSlider(value=float(f), min=0.0, max=1.0, step=0.05, continuous_update=False,
                                            description=f"factor {s[0]}×{s[1]}:" if not np.isscalar(s) else f"factor {s}:",
                                            style=style)
                        for f, s in zip(factors, self.scales)]
        self.epsilon = widgets.FloatLogSlider(value=epsilon, base=10, min=-3.5, max=-1, step=0.1,
                                              readout_format=".4f", description="epsilon (step):",
                                              continuous_update=False, style=style)
        self.n_epochs = widgets.IntSlider(value=n_epochs, min=10, max=2000, step=10, description="steps:",
                                          continuous_update=False, style=style)
        self.seed = widgets.BoundedIntText(value=seed, min=0, max=2 ** 31 - 1, description="seed:", style=style)
        self.precursor = widgets.Checkbox(value=precursor, description="precursor (best of many long-wave starts)",
                                          style=style)
        self.live_update = widgets.Checkbox(value=live_update, description="derive on every change", style=style)
        self.contrast = widgets.Checkbox(value=False, description="enhance contrast", style=style)
        self.run_button = widgets.Button(description="derive", button_style="primary", icon="play")
        self.status = widgets.HTML()
        self.output = widgets.Output()
        self.widget = widgets.VBox([
            widgets.HBox([self.layer, self.map_index]),
            widgets.HBox([widgets.VBox(self.factors[:2]), widgets.VBox(self.factors[2:])]),
            widgets.HBox([self.epsilon, self.n_epochs, self.seed]),
            widgets.HBox([self.precursor, self.live_update, self.contrast, self.run_button]),
            self.status, self.output])

        self._quiet = False
        self.start = None
        self.result = None
        self.runs = 0
        self.layer.observe(self._on_layer, names="value")
        for w in [self.map_index, self.epsilon, self.n_epochs, self.precursor, *self.factors, self.seed]:
            w.observe(self._on_setting, names="value")
        self.contrast.observe(self._on_contrast, names="value")
        self.run_button.on_click(self._on_click)
        self.update_start()

    # -- model side ----------------------------------------------------------------------------------
    def oip_for(self, layer_name: str) -> My_OIP:
        """One My_OIP per layer, built once (its compiled ascent is reused on every run)."""
        if layer_name not in self._oips:
            self._oips[layer_name] = My_OIP(self.model, layer_name)
        return self._oips[layer_name]

    @property
    def oip(self) -> My_OIP:
        return self.oip_for(self.layer.value)

    @property
    def examples(self):
        """The dataset examples (computed here on first use if ``examples=True`` was given), or None."""
        if self._examples is True:
            from ..gallery.examples import dataset_examples

            self._examples = dataset_examples(self.model, layer_names=list(self.layer.options))
        return self._examples or None

    def update_strip(self):
        """The strongest digits of the map under the slider: (layer, map, test indices), or None."""
        examples, name, m = self.examples, self.layer.value, int(self.map_index.value)
        self.strip = (name, m, examples[name].top_indices[m].tolist()) if examples and name in examples else None
        return self.strip

    @property
    def factor_values(self) -> tuple[float, ...]:
        return tuple(float(w.value) for w in self.factors)

    # -- callbacks -----------------------------------------------------------------------------------
    def _on_layer(self, change) -> None:
        # the map slider follows the layer: Conv2D_1 has 32 maps, Conv2D_2 64, Conv2D_3 128
        n_maps = self.oip.n_maps
        self._quiet = True  # one update for the layer change, not a second one for the clamped map index
        try:
            if self.map_index.value > n_maps - 1:
                self.map_index.value = n_maps - 1
            self.map_index.max = n_maps - 1
        finally:
            self._quiet = False
        self._on_setting(change)

    def _on_setting(self, change) -> None:
        if self._quiet:
            return
        self.update_start()
        if self.live_update.value:
            self._safe_run()

    def _on_click(self, button) -> None:
        self._safe_run()

    def _on_contrast(self, change) -> None:
        if self.result is not None and self.render:
            self._draw()

    def _safe_run(self) -> None:
        try:
            self.run()
        except (ValueError, IndexError) as exc:  # a setting the algorithm refuses: say so, keep the widget alive
            self.status.value = f"<span style='color:red'>{exc}</span>"

    def update_start(self) -> np.ndarray | None:
        """Recompute the random start for the current factors and seed (cheap: no ascent), and the strip."""
        self.update_strip()
        if not any(f > 0 for f in self.factor_values):
            self.start = None
            self.status.value = "<span style='color:red'>All factors are 0: set at least one factor above 0.</span>"
            return None
        self.start = initial_image(self.factor_values, self.scales, n=1, seed=int(self.seed.value))[0, :, :, 0]
        activation = float(self.oip.map_activations(self.start)[0, self.map_index.value])
        self.status.value = (f"{self.layer.value}, map {self.map_index.value}: the start gives mean activation "
                             f"{activation:.3g}" + (" — the map does not respond to it; try other factors, another "
                                                    "seed or the precursor" if activation <= 0 else "")
                             + ". Press <b>derive</b>.")
        if self.render:
            self._draw_start(activation)
        return self.start

    def run(self):
        """Derive the OIP for the current settings (what the button does); stores and returns the result."""
        if not self.precursor.value and self.start is None:
            raise ValueError("All factors are 0: set at least one factor above 0 (or tick the precursor).")
        kwargs = dict(n_epochs=int(self.n_epochs.value), epsilon=float(self.epsilon.value), seed=int(self.seed.value))
        if self.precursor.value:
            result = self.oip.derive(int(self.map_index.value), precursor=True, **kwargs)
        else:
            result = self.oip.derive(int(self.map_index.value), start=self.start, **kwargs)
        self.result = result
        self.runs += 1
        state = ("converged at step " + str(result.converged_at) if result.converged
                 else "did not respond — " + result.message if not result.responded else "not converged yet")
        self.status.value = (f"{self.layer.value}, map {result.map_index}: {len(result.losses)} steps, "
                             f"activation {result.start_activation:.3g} → {result.final_loss:.3g}; {state}.")
        if self.render:
            self._draw()
        return result

    def _draw_start(self, activation: float) -> None:
        """Before a derivation: show the start image the current settings give."""
        fig, ax = plt.subplots(figsize=(3.2, 3.4))
        ax.imshow(self.start, cmap="gray")
        ax.set_xticks([])
        ax.set_yticks([])
        mix = ", ".join(f"{f:g}" for f in self.factor_values)
        ax.set_title(f"start: factors {mix}, seed {self.seed.value}\nmap {self.map_index.value}: activation "
                     f"{activation:.3g}", fontsize=9)
        fig.tight_layout()
        self._show_with_strip(fig)

    def _show_with_strip(self, fig) -> None:
        """Show ``fig`` in the output area, and below it the strip of the map's strongest digits, if any."""
        if self.strip is None:
            self.strip_figure = None
            self.show(fig)
            return
        from IPython.display import display

        from ..gallery.examples import strip_figure

        name, m, _ = self.strip
        strip = strip_figure(self.examples, name, m)
        self.show(fig)
        with self.output:
            display(strip)
        self.strip_figure = strip
        plt.close(strip)

    def _draw(self) -> None:
        from .display import evolution_figure

        title = (f"{self.layer.value}, map {self.result.map_index}: start, snapshots (the last one is the pattern), "
                 f"final activation {self.result.final_loss:.3g}")
        self._show_with_strip(evolution_figure(self.result, cmap=self.cmap, contrast=self.contrast.value,
                                               title=title))


def oip_explorer(model=None, **kwargs) -> OIPExplorer:
    """Build the explorer (see :class:`OIPExplorer`); show it by making it a cell's last expression.
    Used in notebook 07, section 6."""
    return OIPExplorer(model, **kwargs)
