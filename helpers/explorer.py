"""What the course's widget explorers share: a box of widgets and one output area with one figure."""
from __future__ import annotations

import html
import re

import matplotlib.pyplot as plt


class FigureExplorer:
    """Base of the explorers. Subclasses set ``self.widget`` (the whole box) and ``self.output`` (an
    ipywidgets Output); :meth:`show` puts a new figure there and keeps it as ``self.figure`` for tests.
    Used by the explorers of notebooks 04, 07 and 08 (activations, OIP, dream) and the drawing pads of 04 and 05
    (:mod:`helpers.activations.pad_explorers`)."""

    figure = None

    @property
    def status_text(self) -> str:
        """The status line (an HTML widget, ``self.status``) as plain text, for printing in a notebook."""
        return html.unescape(re.sub(r"<[^>]+>", "", self.status.value))

    def show(self, fig) -> None:
        from IPython.display import display

        self.output.clear_output(wait=True)
        with self.output:
            display(fig)
        self.figure = fig
        plt.close(fig)  # shown once, in the output widget, not again below the cell

    def _repr_mimebundle_(self, include=None, exclude=None):
        """The widget box for Jupyter, plus a PNG of the current figure for readers without a kernel.

        Jupyter shows the live box (the widget view ranks first); a static page — the course website,
        nbconvert — cannot run widgets and shows the picture of the state the explorer was displayed in.
        """
        from IPython.core.pylabtools import print_figure

        bundle = dict(self.widget._repr_mimebundle_())
        png = print_figure(self.figure, "png", base64=True) if self.figure is not None else None
        if png:
            bundle["image/png"] = png
        return bundle
