"""The explorers' display: the live widget box for Jupyter plus a PNG of the figure for static pages."""
import base64

import ipywidgets as widgets
import matplotlib
import matplotlib.pyplot as plt
import numpy as np
from IPython.core.formatters import DisplayFormatter

matplotlib.use("Agg")

from helpers import build_cnn  # noqa: E402
from helpers.activations.widgets import ActivationExplorer  # noqa: E402
from helpers.explorer import FigureExplorer  # noqa: E402

WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


class OneFigure(FigureExplorer):
    def __init__(self):
        self.output = widgets.Output()
        self.widget = widgets.VBox([widgets.IntSlider(), self.output])


def _display_bundle(obj) -> dict:
    data, _metadata = DisplayFormatter().format(obj)      # what IPython sends when a cell shows `obj`
    return data


def test_display_offers_the_widget_and_a_png_of_the_figure():
    ex = OneFigure()
    fig, ax = plt.subplots(figsize=(2, 2))
    ax.imshow(np.eye(4))
    ex.show(fig)
    data = _display_bundle(ex)
    assert data[WIDGET_VIEW]["model_id"] == ex.widget.model_id          # Jupyter renders the live box
    assert base64.b64decode(data["image/png"]).startswith(PNG_MAGIC)    # a static page the picture
    assert "text/plain" in data


def test_without_a_figure_there_is_no_picture():
    data = _display_bundle(OneFigure())
    assert WIDGET_VIEW in data and "image/png" not in data


def test_a_real_explorer_pictures_its_first_state():
    images = np.random.default_rng(0).integers(0, 256, size=(2, 28, 28), dtype=np.uint8)
    ex = ActivationExplorer(build_cnn(seed=0), images, np.array([4, 9]), layer="Max_Pool_1")
    png = base64.b64decode(_display_bundle(ex)["image/png"])
    assert png.startswith(PNG_MAGIC) and len(png) > 1000


def test_status_text_is_the_status_line_without_html():
    explorer = OneFigure()
    explorer.status = widgets.HTML("digit 3: the model says <b>3</b> &amp; is sure")
    assert explorer.status_text == "digit 3: the model says 3 & is sure"
