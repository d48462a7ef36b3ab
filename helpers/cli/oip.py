"""`python -m helpers oip`: the pattern of one map, its evolution figure and GIF (notebook 06)."""
from __future__ import annotations

import argparse
import sys

from ..arguments import check_positive
from ..oip.constants import EPSILON
from .checks import add_common_options, check_arg, check_out, check_steps_and_seed, load_oip, use_agg
from .errors import CliError

OIP_HELP = """\
Derive the pattern (OIP) of one map: an image that makes the map's mean activation large, grown by
normalized gradient ascent from a random start. Saves the evolution figure (start, log-spaced
snapshots, loss curve) and, with --gif, an animation of the evolution.
Example: python -m helpers oip --map 120 --out oip.png --gif evolution.gif"""
def _factors(text: str) -> tuple[float, ...]:
    try:
        values = tuple(float(v) for v in text.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected four comma-separated numbers such as 0.5,0.5,0.5,0.5; "
                                         f"got {text!r}") from None
    if len(values) != 4:
        raise argparse.ArgumentTypeError(f"expected four factors, one per scale 3×3, 7×7, 14×14, 28×28; got {text!r}")
    return values


def register(subparsers) -> None:
    """Add this command to `python -m helpers`."""
    raw = argparse.RawDescriptionHelpFormatter
    p = subparsers.add_parser("oip", help="the pattern of one map: evolution figure (PNG) and optional GIF",
                              description=OIP_HELP, formatter_class=raw)
    p.add_argument("--map", type=int, required=True, dest="map_index", help="index of the map in the layer")
    p.add_argument("--layer", default="Conv2D_3", help="conv or pool layer (default: %(default)s)")
    p.add_argument("--out", default="oip.png", help="PNG file for the evolution figure (default: %(default)s)")
    p.add_argument("--gif", default=None, help="also write the evolution as an animated .gif")
    p.add_argument("--epsilon", type=float, default=EPSILON, help="step size of the ascent (default: %(default)s)")
    p.add_argument("--no-precursor", action="store_true",
                   help="start from plain random fluctuations (--factors) instead of the precursor's best "
                        "long-wavelength start; some maps then do not respond")
    p.add_argument("--factors", type=_factors, default=None,
                   help="with --no-precursor: weights of the fluctuations on the scales 3×3, 7×7, 14×14, 28×28 "
                        "(default: the article's 0.5,0.5,0.5,0.5)")
    p.add_argument("--contrast", action="store_true", help="show the snapshots contrast enhanced")
    add_common_options(p)
    p.set_defaults(func=run)


def run(args) -> None:
    from .progress import stage

    out = check_out("--out", args.out, args.overwrite, (".png",))
    gif = check_out("--gif", args.gif, args.overwrite, (".gif",)) if args.gif else None
    if gif is not None and gif.resolve() == out.resolve():
        raise CliError("--out and --gif name the same file.")
    check_steps_and_seed(args)
    check_arg(check_positive, "--epsilon", args.epsilon)
    if args.factors is not None and not args.no_precursor:
        raise CliError("--factors weight the random start of --no-precursor; the precursor picks its own start. "
                       "Add --no-precursor, or leave --factors out.")
    if args.factors is not None and (min(args.factors) < 0 or max(args.factors) <= 0):
        raise CliError(f"--factors must be ≥ 0 with at least one > 0; got {','.join(map(str, args.factors))}.")
    use_agg()
    import matplotlib.pyplot as plt

    from ..gallery import save_figure
    from ..oip.display import evolution_figure, save_gif

    with stage(f"loading the model ({args.layer})"):
        oip = load_oip(args.model, args.layer)
    if not 0 <= args.map_index < oip.n_maps:
        raise CliError(f"--map: map {args.map_index} is out of range; layer {oip.layer_name} has maps "
                       f"0..{oip.n_maps - 1}.")
    start = "the precursor's start" if not args.no_precursor else "a random start"
    with stage(f"deriving map {args.map_index} of {oip.layer_name} from {start} ({args.steps} steps)"):
        result = oip.derive(args.map_index, n_epochs=args.steps, epsilon=args.epsilon, seed=args.seed,
                            precursor=not args.no_precursor, factors=args.factors)
    with stage("drawing"):
        fig = evolution_figure(result, contrast=args.contrast)
        save_figure(fig, out, overwrite=args.overwrite)
        plt.close(fig)
        if gif is not None:
            save_gif(result, gif, overwrite=args.overwrite)
    if not result.responded:
        print(f"note: {result.message}", file=sys.stderr)
    print(f"saved {out}" + (f" and {gif}" if gif else "") + f": {result!r}")
