"""`python -m helpers perfect-digits`: the output layer's patterns, one image per digit (notebook 07)."""
from __future__ import annotations

import argparse

from .checks import add_common_options, check_out, check_steps_and_seed, load_oip, use_agg
from .errors import CliError

DIGITS_HELP = """\
The output layer's "patterns": for each digit 0..9, an image grown from random multi-scale
fluctuations (standardized, so only the ratios of the factors count) that maximizes the class score before
the softmax. The figure shows each image with the class the model gives it.
Example: python -m helpers perfect-digits --out digits.png"""

def register(subparsers) -> None:
    """Add this command to `python -m helpers`."""
    raw = argparse.RawDescriptionHelpFormatter
    p = subparsers.add_parser("perfect-digits", help="the output layer's patterns: one 'perfect' image per digit",
                              description=DIGITS_HELP, formatter_class=raw)
    p.add_argument("--out", required=True, help="PNG file to write")
    add_common_options(p)
    p.set_defaults(func=run)


def run(args) -> None:
    from .progress import stage

    out = check_out("--out", args.out, args.overwrite, (".png",))
    check_steps_and_seed(args)
    use_agg()
    import matplotlib.pyplot as plt

    from ..gallery import save_figure
    from ..oip.display import image_row_figure

    with stage("loading the model"):
        oip = load_oip(args.model, None)   # perfect digits need the model only
    try:
        with stage(f"growing the 10 perfect digits ({args.steps} steps)"):
            digits = oip.perfect_digits(n_epochs=args.steps, seed=args.seed)
            classes = oip.classify(digits)
    except ValueError as exc:  # e.g. a model without a final Softmax layer
        raise CliError(f"--model: {exc}") from exc
    with stage("drawing"):
        titles = [f"digit {c} → model: {k}" for c, k in enumerate(classes)]
        fig = image_row_figure(digits, titles=titles, cmap="gray",
                               suptitle=f"Perfect digits: images that maximize each class score ({args.steps} steps)")
        save_figure(fig, out, overwrite=args.overwrite)
        plt.close(fig)
    right = int((classes == range(10)).sum())
    print(f"saved {out}: the model classifies the perfect digits as {classes.tolist()} ({right}/10 as intended)")
