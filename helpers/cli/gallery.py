"""`python -m helpers gallery`: the patterns of every map of a conv layer as one PNG grid (notebook 07)."""
from __future__ import annotations

import argparse
import sys

from ..files import written_atomically
from .checks import add_common_options, check_out, check_steps_and_seed, load_oip, use_agg
from .errors import CliError

GALLERY_HELP = """\
Derive the pattern (OIP) of every map of a conv layer in one batched run, with the precursor search
for good starts (article X) and early stopping of converged maps, and save the grid as a PNG.
The live maps (those some MNIST test digit activates) are counted too; the summary line reads
"patterns found / live maps / all maps". MNIST comes from MNIST_NPZ or Keras' cache.
Example: python -m helpers gallery --layer Conv2D_3 --out gallery.png"""
def register(subparsers) -> None:
    """Add this command to `python -m helpers`."""
    raw = argparse.RawDescriptionHelpFormatter
    from ..gallery import GALLERY_VARIANTS

    p = subparsers.add_parser("gallery", help="patterns of every map of a conv layer, as one PNG grid",
                              description=GALLERY_HELP, formatter_class=raw)
    p.add_argument("--layer", default="Conv2D_3", help="conv layer of the model (the reference model's: Conv2D_1, Conv2D_2, Conv2D_3; default: %(default)s)")
    p.add_argument("--out", required=True, help="PNG file to write")
    p.add_argument("--variant", choices=GALLERY_VARIANTS, default="both",
                   help="each map as computed (raw), contrast enhanced, or both side by side (default: %(default)s)")
    p.add_argument("--losses", default=None, metavar="CSV",
                   help="also write map index, final loss, live, pattern found per map to this .csv file")
    add_common_options(p)
    p.set_defaults(func=run)


def run(args) -> None:
    from .progress import stage

    out = check_out("--out", args.out, args.overwrite, (".png",))
    csv = check_out("--losses", args.losses, args.overwrite, (".csv",)) if args.losses else None
    check_steps_and_seed(args)
    use_agg()
    import matplotlib.pyplot as plt

    from ..gallery import gallery_figure, layer_gallery, mnist_test_images, save_figure

    with stage(f"loading the model ({args.layer})"):
        oip = load_oip(args.model, args.layer)
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
        with written_atomically(csv) as tmp:
            tmp.write_text("\n".join(lines) + "\n")
        print(f"saved {csv}", file=sys.stderr)
    print(f"saved {out}: {gallery.summary()}")
