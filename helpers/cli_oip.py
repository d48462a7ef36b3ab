"""`python -m helpers gallery | oip | perfect-digits`: OIP pictures from the command line.

Every file argument is checked (suffix, existing directory, no silent overwrite) before the model is
loaded, so a typo costs a second, not a derivation. Progress goes to stderr, the result line to stdout.
"""
from __future__ import annotations

import argparse
import sys

GALLERY_HELP = """\
Derive the pattern (OIP) of every map of a conv layer in one batched run, with the precursor search
for good starts (article X) and early stopping of converged maps, and save the grid as a PNG.
The live maps (those some MNIST test digit activates) are counted too; the summary line reads
"patterns found / live maps / all maps". MNIST comes from MNIST_NPZ or Keras' cache.
Example: python -m helpers gallery --layer Conv2D_3 --out gallery.png"""

OIP_HELP = """\
Derive the pattern (OIP) of one map: an image that makes the map's mean activation large, grown by
normalized gradient ascent from a random start. Saves the evolution figure (start, log-spaced
snapshots, loss curve) and, with --gif, an animation of the evolution.
Example: python -m helpers oip --map 120 --out oip.png --gif evolution.gif"""

DIGITS_HELP = """\
The output layer's "patterns": for each digit 0..9, an image grown from faint noise that maximizes the
class score before the softmax. The figure shows each image with the class the model gives it.
Example: python -m helpers perfect-digits --out digits.png"""


def _add_common(p, steps_default: int = 600) -> None:
    p.add_argument("--model", default=None, metavar="PATH",
                   help="a .keras model file (default: the course's reference model)")
    p.add_argument("--steps", type=int, default=steps_default,
                   help="ascent steps (the articles: 600; fewer for a quick look; default: %(default)s)")
    p.add_argument("--seed", type=int, default=0, help="random seed for the start images (default: %(default)s)")
    p.add_argument("--overwrite", action="store_true", help="replace existing output files")


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
    """Add this module's subcommands to `python -m helpers`."""
    from .gallery import GALLERY_VARIANTS

    raw = argparse.RawDescriptionHelpFormatter
    p = subparsers.add_parser("gallery", help="patterns of every map of a conv layer, as one PNG grid",
                              description=GALLERY_HELP, formatter_class=raw)
    p.add_argument("--layer", default="Conv2D_3", help="conv layer: Conv2D_1, Conv2D_2 or Conv2D_3 (default: %(default)s)")
    p.add_argument("--out", required=True, help="PNG file to write")
    p.add_argument("--variant", choices=GALLERY_VARIANTS, default="both",
                   help="each map as computed (raw), contrast enhanced, or both side by side (default: %(default)s)")
    p.add_argument("--losses", default=None, metavar="CSV",
                   help="also write map index, final loss, live, pattern found per map to this .csv file")
    _add_common(p)
    p.set_defaults(func=_cmd_gallery)

    p = subparsers.add_parser("oip", help="the pattern of one map: evolution figure (PNG) and optional GIF",
                              description=OIP_HELP, formatter_class=raw)
    p.add_argument("--map", type=int, required=True, dest="map_index", help="index of the map in the layer")
    p.add_argument("--layer", default="Conv2D_3", help="conv or pool layer (default: %(default)s)")
    p.add_argument("--out", default="oip.png", help="PNG file for the evolution figure (default: %(default)s)")
    p.add_argument("--gif", default=None, help="also write the evolution as an animated .gif")
    p.add_argument("--epsilon", type=float, default=0.01, help="step size of the ascent (default: %(default)s)")
    p.add_argument("--no-precursor", action="store_true",
                   help="start from plain random fluctuations (--factors) instead of the precursor's best "
                        "long-wavelength start; some maps then do not respond")
    p.add_argument("--factors", type=_factors, default=(0.5, 0.5, 0.5, 0.5),
                   help="with --no-precursor: weights of the fluctuations on the scales 3×3, 7×7, 14×14, 28×28 "
                        "(default: 0.5,0.5,0.5,0.5)")
    p.add_argument("--contrast", action="store_true", help="show the snapshots contrast enhanced")
    _add_common(p)
    p.set_defaults(func=_cmd_oip)

    p = subparsers.add_parser("perfect-digits", help="the output layer's patterns: one 'perfect' image per digit",
                              description=DIGITS_HELP, formatter_class=raw)
    p.add_argument("--out", required=True, help="PNG file to write")
    _add_common(p)
    p.set_defaults(func=_cmd_perfect_digits)


# --------------------------------------------------------------------------------------------------
# shared checks
# --------------------------------------------------------------------------------------------------
def _check_out(option: str, path, overwrite: bool, suffixes):
    from .__main__ import CliError
    from .gallery import check_output_path

    try:
        return check_output_path(path, overwrite, suffixes)
    except (ValueError, OSError) as exc:  # FileExistsError, FileNotFoundError, PermissionError are OSErrors
        raise CliError(f"{option}: {exc}") from exc


def _check_steps(steps: int) -> None:
    from .__main__ import CliError

    if steps < 1:
        raise CliError(f"--steps must be at least 1; got {steps}.")


def _use_agg() -> None:
    import matplotlib

    matplotlib.use("Agg")  # files only, no display needed


def _load_oip(model_path, layer: str):
    """My_OIP for the layer, with every failure turned into a one-line CliError."""
    from .__main__ import CliError
    from .oip import My_OIP

    try:
        from .model import load_model_file, load_reference_model

        model = load_reference_model() if model_path is None else load_model_file(model_path)
    except (OSError, ValueError) as exc:
        raise CliError(f"--model: {exc}") from exc
    try:
        return My_OIP(model, layer)
    except ValueError as exc:
        raise CliError(f"--layer: {exc}") from exc


# --------------------------------------------------------------------------------------------------
# commands
# --------------------------------------------------------------------------------------------------
def _cmd_gallery(args) -> None:
    from .__main__ import CliError
    from .progress import stage

    out = _check_out("--out", args.out, args.overwrite, (".png",))
    csv = _check_out("--losses", args.losses, args.overwrite, (".csv",)) if args.losses else None
    _check_steps(args.steps)
    _use_agg()
    import matplotlib.pyplot as plt

    from .gallery import gallery_figure, layer_gallery, mnist_test_images, save_figure

    with stage(f"loading the model ({args.layer})"):
        oip = _load_oip(args.model, args.layer)
    try:
        with stage("finding the live maps (MNIST test digits)"):
            live = oip.live_maps(mnist_test_images())
    except Exception as exc:  # MnistNotFoundError / MnistFormatError carry the fix in their message
        if exc.__class__.__name__.startswith("Mnist"):
            raise CliError(str(exc)) from exc
        raise
    with stage(f"deriving {oip.n_maps} patterns of {oip.layer_name} ({args.steps} steps, precursor, one batch)"):
        gallery = layer_gallery(oip, n_epochs=args.steps, seed=args.seed, live=live)
    with stage("drawing"):
        fig = gallery_figure(gallery, variant=args.variant)
        save_figure(fig, out, overwrite=args.overwrite)
        plt.close(fig)
    if csv is not None:
        found = set(gallery.found.tolist())
        lines = ["map_index,final_loss,live,pattern_found"] + [
            f"{m},{loss:.6g},{int(m in set(live.tolist()))},{int(m in found)}"
            for m, loss in zip(gallery.map_indices, gallery.final_losses)]
        csv.write_text("\n".join(lines) + "\n")
        print(f"saved {csv}", file=sys.stderr)
    print(f"saved {out}: {gallery.summary()}")


def _cmd_oip(args) -> None:
    from .__main__ import CliError
    from .progress import stage

    out = _check_out("--out", args.out, args.overwrite, (".png",))
    gif = _check_out("--gif", args.gif, args.overwrite, (".gif",)) if args.gif else None
    if gif is not None and gif.resolve() == out.resolve():
        raise CliError("--out and --gif name the same file.")
    _check_steps(args.steps)
    if not args.epsilon > 0:
        raise CliError(f"--epsilon must be positive; got {args.epsilon}.")
    if args.no_precursor and (min(args.factors) < 0 or max(args.factors) <= 0):
        raise CliError(f"--factors must be ≥ 0 with at least one > 0; got {','.join(map(str, args.factors))}.")
    _use_agg()
    import matplotlib.pyplot as plt

    from .gallery import save_figure
    from .oip_display import evolution_figure, save_gif

    with stage(f"loading the model ({args.layer})"):
        oip = _load_oip(args.model, args.layer)
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


def _cmd_perfect_digits(args) -> None:
    from .__main__ import CliError
    from .progress import stage

    out = _check_out("--out", args.out, args.overwrite, (".png",))
    _check_steps(args.steps)
    _use_agg()
    import matplotlib.pyplot as plt

    from .gallery import save_figure
    from .oip_display import image_row_figure

    with stage("loading the model"):
        oip = _load_oip(args.model, "Conv2D_3")
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
