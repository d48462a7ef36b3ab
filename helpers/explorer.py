"""What the course's widget explorers share: a box of widgets and one output area with one figure."""
from __future__ import annotations

import matplotlib.pyplot as plt


class FigureExplorer:
    """Base of the explorers. Subclasses set ``self.widget`` (the whole box) and ``self.output`` (an
    ipywidgets Output); :meth:`show` puts a new figure there and keeps it as ``self.figure`` for tests."""

    figure = None

    def show(self, fig) -> None:
        from IPython.display import display

        self.output.clear_output(wait=True)
        with self.output:
            display(fig)
        self.figure = fig
        plt.close(fig)  # shown once, in the output widget, not again below the cell

    def _ipython_display_(self):
        from IPython.display import display

        display(self.widget)
