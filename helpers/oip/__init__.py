"""OIPs — the input patterns that make one map of a CNN fire (articles VII–X; notebooks 06 and 07).

Where to find what:

=============================  ===================================================================================
``helpers.oip.constants``      the articles' numbers (scales, factors, step size, convergence), named once
``helpers.oip.ascent``         the algorithm: objective, one ascent step, convergence test (notebook 06)
``helpers.oip.starts``         multi-scale random start images and the best-of-N choice (06 §3, 07)
``helpers.oip.objectives``     what to climb, as values: a map, a unit, a class score, any function; ``+ - *``
``helpers.oip.regularizers``   penalties, transforms and constraints as small objects (06 §10)
``helpers.oip.engine``         :class:`Ascent`, the one compiled, batched loop every ascent runs on
``helpers.oip.fast_kernels``   the engine's speed-ups (same numbers, less work; not taught)
``helpers.oip.core``           :class:`My_OIP` and :class:`OIPResult`, the interface the notebooks use
``helpers.oip.blog_digits``    the blog's "perfect digits": zero start, class probability, de-averaged (06 §9)
``helpers.oip.display``        contrast enhancement, evolution figure, GIF (06, 07)
``helpers.oip.widgets``        the interactive OIP explorer (07)
=============================  ===================================================================================
"""
from .ascent import ascent_step, convergence_streak, map_objective, mean_activations
from .blog_digits import blog_perfect_digits, deaverage
from .constants import ARTICLE_FACTORS, ARTICLE_SCALES, PRECURSOR_FACTORS
from .core import My_OIP, OIPResult, snapshot_steps
from .engine import Ascent, AscentOutput
from .objectives import channel, class_probability, class_score, function, unit
from .regularizers import L2, Diversity, Jitter, LInfBall, PixelRange, Standardize, TotalVariation
from .starts import fluctuation_components, initial_image, pick_best

__all__ = ["My_OIP", "OIPResult", "snapshot_steps", "initial_image", "fluctuation_components", "pick_best",
           "ARTICLE_FACTORS", "ARTICLE_SCALES", "PRECURSOR_FACTORS",
           "ascent_step", "map_objective", "mean_activations", "convergence_streak", "blog_perfect_digits", "deaverage",
           "Ascent", "AscentOutput", "channel", "unit", "class_score", "class_probability", "function",
           "TotalVariation", "L2", "Diversity", "Jitter", "Standardize", "LInfBall", "PixelRange"]
