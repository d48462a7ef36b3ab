"""`python -m helpers dream`: carve a photo with a map's pattern and write it as a PNG (notebook 08)."""
from __future__ import annotations

import argparse
import os
import sys

from ..arguments import check_count, check_non_negative, check_seed
from .checks import check_arg, load_oip
from .errors import CliError

DESCRIPTION = """\
Carve the pattern of one CNN map into a photo (Deep Dreams I–III): the photo is made gray and square,
shrunk to 28×28, amplified by the OIP ascent, enlarged again with its detail put back — several times;
the chosen quadrants are carved the same way with maps of their own.
PHOTO is a JPEG/PNG file, or the word `default` for the sample photo that ships with matplotlib
(grace_hopper.jpg), so nothing needs to be downloaded.
Example: python -m helpers dream default --map 70 --sub-map 105 --quadrants all --out dream.png"""


def _map_list(text: str) -> list[int]:
    try:
        maps = [int(part) for part in text.split(",")]
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a map index or a comma-separated list such as 56,120; "
                                         f"got {text!r}") from None
    return maps


def register(subparsers) -> None:
    """Add this command to `python -m helpers`."""
    from ..dream import DEFAULT_ITERATIONS, DEFAULT_STEPS
    from ..dream.photo import DEFAULT_WORKING_SIZE, FITS, MAX_WORKING_SIZE, MIN_SIDE

    p = subparsers.add_parser("dream", help="carve a map's pattern into a photo and save it as a PNG",
                              description=DESCRIPTION,
                              formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("photo", metavar="PHOTO", help="JPEG/PNG file, or `default` for matplotlib's sample photo")
    p.add_argument("--map", type=int, required=True, dest="map_index",
                   help="map of the layer whose pattern is carved into the full image")
    p.add_argument("--sub-map", type=_map_list, default=None,
                   help="map for the quadrants: one index, or one per chosen quadrant (e.g. 56,120); "
                        "default: the --map")
    p.add_argument("--quadrants", default="all",
                   help="sub-images to carve as well: all, none, or numbers such as 1,4 "
                        "(1 top left, 2 top right, 3 bottom left, 4 bottom right; default: %(default)s)")
    p.add_argument("--iterations", type=int, default=DEFAULT_ITERATIONS, help="carving cycles (default: %(default)s)")
    p.add_argument("--steps", type=int, default=DEFAULT_STEPS,
                   help="OIP ascent steps per cycle and region (the article: 20-40; default: %(default)s)")
    p.add_argument("--size", type=int, default=DEFAULT_WORKING_SIZE,
                   help=f"working size in px, {MIN_SIDE} to {MAX_WORKING_SIZE}: the photo is made square and "
                        "scaled to it (default: %(default)s)")
    p.add_argument("--fit", choices=FITS, default="crop",
                   help="make the photo square by cropping its centre or by padding (default: %(default)s)")
    p.add_argument("--naive-paste", action="store_true",
                   help="paste carved quadrants without undoing their standardization (the article's pitfall)")
    p.add_argument("--noise", type=float, default=0.0,
                   help="std of random fluctuations added before each ascent, for maps that do not respond "
                        "(default: %(default)s)")
    p.add_argument("--seed", type=int, default=None, help="seed for --noise")
    p.add_argument("--layer", default="Conv2D_3", help="conv or pool layer whose maps are used (default: %(default)s)")
    p.add_argument("--model", default=None, metavar="PATH",
                   help="a .keras (or legacy .h5) model file (default: the course's reference model)")
    p.add_argument("--out", required=True, help="PNG file to write")
    p.add_argument("--overwrite", action="store_true", help="replace an existing --out file")
    p.set_defaults(func=run)


def run(args) -> None:
    from ..dream import QuadrantSpecError, parse_quadrants
    from ..files import check_output_path
    from ..dream.photo import DEFAULT_PHOTO, MAX_WORKING_SIZE, MIN_SIDE, PhotoError, load_photo
    from .progress import stage

    # everything that can be checked without the model is checked before the slow work
    try:
        out = check_output_path(args.out, args.overwrite, (".png",), make_dirs=True)
        quadrants = parse_quadrants(args.quadrants)
    except (ValueError, OSError) as exc:  # QuadrantSpecError is a ValueError; FileExistsError an OSError
        flag = "--quadrants: " if isinstance(exc, QuadrantSpecError) else "--out: "
        raise CliError(flag + str(exc)) from exc
    for name, value, low in (("--iterations", args.iterations, 1), ("--steps", args.steps, 0),
                             ("--size", args.size, MIN_SIDE)):
        check_arg(check_count, name, value, low)
    if args.size > MAX_WORKING_SIZE:
        raise CliError(f"--size must be at most {MAX_WORKING_SIZE} px (larger photos would exhaust the memory); "
                       f"got {args.size}.")
    if quadrants and (args.size % 2 or args.size < 2 * MIN_SIDE):
        raise CliError(f"--size must be even and at least {2 * MIN_SIDE} when quadrants are carved; got {args.size}.")
    check_arg(check_non_negative, "--noise", args.noise)
    check_arg(check_seed, "--seed", args.seed)
    if args.photo != DEFAULT_PHOTO and not os.path.isfile(args.photo):
        raise CliError(f"PHOTO: no file {args.photo}; give a JPEG/PNG file or `default`.")

    try:
        with stage("loading the photo"):
            photo = load_photo(args.photo, size=args.size, fit=args.fit)
        print(photo.describe(), file=sys.stderr)
        with stage(f"loading the model ({args.layer})"):
            from ..dream import DreamCarver

            carver = DreamCarver(oip=load_oip(args.model, args.layer))   # the model checks of every command
        sub_maps = args.sub_map[0] if args.sub_map and len(args.sub_map) == 1 else args.sub_map
        dream = carver.carve(photo, args.map_index, sub_maps=sub_maps, quadrants=quadrants,
                             iterations=args.iterations, steps=args.steps,
                             undo_tile_standardization=not args.naive_paste, noise=args.noise, seed=args.seed,
                             progress=True)
        dream.save_png(out, overwrite=args.overwrite)
    except (PhotoError, QuadrantSpecError, IndexError, TypeError, ValueError, FileNotFoundError, OSError,
            FileExistsError) as exc:
        raise CliError(str(exc)) from exc
    if dream.message:
        print(f"note: {dream.message}", file=sys.stderr)
    print(f"saved {out}: {dream!r}")
