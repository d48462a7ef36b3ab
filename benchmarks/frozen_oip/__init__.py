"""OIPs — the input patterns that make one map of a CNN fire (articles VII–X; notebooks 06 and 07).

Where to find what:

=========================  ========================================================================
``helpers.oip.ascent``     the algorithm: objective, one ascent step, convergence test (notebook 06)
``helpers.oip.starts``     multi-scale random start images and the best-of-N choice (06 §3, 07)
``helpers.oip.regularizers``  jitter and total variation, off by default (06 §10)
``helpers.oip.blog_digits``   the blog's "perfect digits": zero start, class probability, de-averaged (06 §9)
``helpers.oip.engine``     the compiled, batched loop that runs the step (speed; not taught)
``helpers.oip.core``       :class:`My_OIP` and :class:`OIPResult`, the interface the notebooks use
``helpers.oip.display``    contrast enhancement, evolution figure, GIF (06, 07)
``helpers.oip.widgets``    the interactive OIP explorer (06)
=========================  ========================================================================
"""
from .ascent import ascent_step, convergence_streak, map_objective, mean_activations
from .blog_digits import blog_perfect_digits, deaverage
from .core import My_OIP, OIPResult, snapshot_steps
from .starts import (ARTICLE_FACTORS, ARTICLE_SCALES, PRECURSOR_FACTORS, pick_best, fluctuation_components,
                     initial_image)

__all__ = ["My_OIP", "OIPResult", "snapshot_steps", "initial_image", "fluctuation_components", "pick_best",
           "ARTICLE_FACTORS", "ARTICLE_SCALES", "PRECURSOR_FACTORS",
           "ascent_step", "map_objective", "mean_activations", "convergence_streak", "blog_perfect_digits", "deaverage"]
