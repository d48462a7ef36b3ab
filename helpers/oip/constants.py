"""The articles' numbers for the OIP ascent, named once and imported wherever they are used
(articles VII–X and the blog post on perfect digits; notebooks 06 and 07).
"""
from __future__ import annotations

# --- start images (article VIII; notebook 06, section 3) ------------------------------------------------------
IMAGE_SIZE = 28
ARTICLE_SCALES = ((3, 3), (7, 7), (14, 14), (28, 28))   # the coarse grids of the random fluctuations
ARTICLE_FACTORS = (0.5, 0.5, 0.5, 0.5)                  # their weights in the start image
PRECURSOR_FACTORS = (0.6, 0.4, 0.0, 0.0)                # article X's precursor: long wavelengths only
PRECURSOR_CANDIDATES = 1024                             # random images the precursor scores per round
PRECURSOR_ROUNDS = 4                                    # rounds for maps no candidate has woken yet ...
PRECURSOR_ROUND_STEP = 0.25                             # ... each adding this to every factor
PERFECT_DIGIT_FACTORS = (0.1, 0.1, 0.1, 0.1)            # the "perfect digits" start (only their ratios count)

# --- the ascent (article VII; notebook 06, sections 4-6) ------------------------------------------------------
EPSILON = 0.01            # step size of the normalized gradient step
N_EPOCHS = 600            # steps of one ascent
N_REPORTS = 6             # log-spaced intermediate snapshots
CONV_CRITERION = 2e-4     # convergence: relative change per step below this ...
CONVERGENCE_STREAK = 4    # ... for this many steps in a row ...
CONVERGENCE_WARMUP = 10   # ... counted only after this step
ZERO_STEP_LIMIT = 10      # a map with more zero-activation steps than this did not respond
RMS_FLOOR = 1e-7          # the article's "+ 1e-7" next to the gradient's root mean square

# --- the blog's perfect digits (notebook 07, section 7) -------------------------------------------------------
BLOG_STEPS = 4096         # steps for the output layer
