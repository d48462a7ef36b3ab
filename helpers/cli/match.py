"""`python -m helpers match`: do two networks learn the same maps? One layer of each, matched one to one by
the correlation of their activations over the test digits, as a PNG and a short summary (notebook 07, section 9)."""
from __future__ import annotations

import argparse
from pathlib import Path

from ..arguments import check_count
from .checks import check_arg, check_out, load_model, use_agg
from .errors import CliError

MATCH_HELP = """\
Compare the maps of one layer of --model with those of a layer of --other (the course's reference model
unless given): the correlation of every pair of maps' activations over the same MNIST test digits (at every
position when both layers' maps have the same size, else each digit's mean), the one-to-one matching that
makes the sum of the partners' correlations largest, and the maps without a partner (dead, left over when
the map counts differ, or a partner correlating below --threshold). The PNG shows the sorted best-match
correlations and the patterns (OIPs) of the best- and least-matched pair.
Example: python -m helpers match --model my_cnn.keras --layer conv2d_2 --out match.png"""


def register(subparsers) -> None:
    """Add this command to `python -m helpers`."""
    from ..gallery.matching import PARTNER_THRESHOLD

    p = subparsers.add_parser("match", help="match the maps of two models' layers by their activations (PNG)",
                              description=MATCH_HELP, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--model", required=True, metavar="PATH", help="your model: a .keras (or legacy .h5) file")
    p.add_argument("--layer", required=True, help="a conv or pool layer of --model (e.g. conv2d_2)")
    p.add_argument("--other", default=None, metavar="PATH",
                   help="the model to compare with (default: the course's reference model)")
    p.add_argument("--other-layer", default=None,
                   help="its layer (default: the layer at the same position among its conv layers, or pool layers)")
    p.add_argument("--out", required=True, help="PNG file to write")
    p.add_argument("--digits", type=int, default=10_000,
                   help="how many MNIST test digits (the first N) to correlate over (default: %(default)s, all)")
    p.add_argument("--threshold", type=float, default=PARTNER_THRESHOLD,
                   help="a pair correlating less counts as no partner (default: %(default)s)")
    p.add_argument("--steps", type=int, default=150, help="ascent steps of the four patterns (default: %(default)s)")
    p.add_argument("--seed", type=int, default=0, help="random seed of the patterns' starts (default: %(default)s)")
    p.add_argument("--overwrite", action="store_true", help="replace an existing --out file")
    p.set_defaults(func=run)


def _layer(model, name: str, option: str) -> str:
    from ..model import check_layer_name
    from ..oip.fast_kernels import VISUAL_LAYER_TYPES

    try:
        return check_layer_name(model, name, VISUAL_LAYER_TYPES, "conv or pool",
                                hint="Maps are compared for conv and pool layers only.")
    except ValueError as exc:       # UnknownLayerError is a ValueError too
        raise CliError(f"{option}: {exc}") from exc


def run(args) -> None:
    from ..gallery.matching import MIN_IMAGES, check_threshold
    from .progress import stage

    out = check_out("--out", args.out, args.overwrite, (".png",))
    check_arg(check_count, "--digits", args.digits, MIN_IMAGES)
    check_arg(check_count, "--steps", args.steps, 1)
    check_arg(check_count, "--seed", args.seed, 0)
    try:
        threshold = check_threshold(args.threshold)
    except ValueError as exc:
        raise CliError(f"--threshold: {exc}") from exc
    use_agg()
    import matplotlib.pyplot as plt

    from ..gallery import mnist_test_images, save_figure
    from ..gallery.matching import corresponding_layer, match_maps, matching_figure, matching_patterns

    with stage("loading the models"):
        model = load_model(args.model)
        from ..model import load_model_file, load_reference_model

        try:
            other = load_reference_model() if args.other is None else load_model_file(args.other)
        except (OSError, ValueError) as exc:
            raise CliError(f"--other: {exc}") from exc
    layer = _layer(model, args.layer, "--layer")
    if args.other_layer is None:
        try:
            other_layer = corresponding_layer(model, layer, other)
        except ValueError as exc:
            raise CliError(f"--other-layer: {exc}") from exc
    else:
        other_layer = _layer(other, args.other_layer, "--other-layer")
    try:
        images = mnist_test_images()
    except Exception as exc:  # MnistNotFoundError / MnistFormatError carry the fix in their message
        if exc.__class__.__name__.startswith("Mnist"):
            raise CliError(str(exc)) from exc
        raise
    if args.digits > len(images):
        raise CliError(f"--digits must be at most {len(images)}, the number of MNIST test digits; got {args.digits}.")
    labels = (Path(args.model).stem, "reference" if args.other is None else Path(args.other).stem)
    if labels[0] == labels[1]:
        labels = (labels[0] + " (--model)", labels[1] + " (--other)")
    with stage(f"correlating {layer} with {other_layer} over {args.digits} test digits"):
        matching = match_maps(model, layer, other, other_layer, images[:args.digits], threshold=threshold)
    with stage(f"deriving the patterns of the best- and least-matched pair ({args.steps} steps)"):
        patterns = matching_patterns(matching, model, other, n_epochs=args.steps, seed=args.seed)
    with stage("drawing"):
        fig = matching_figure([matching], [patterns], labels=labels)
        save_figure(fig, out, overwrite=args.overwrite)
        plt.close(fig)
    print(f"saved {out}\n{matching.summary(labels)}")
