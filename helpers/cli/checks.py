"""Checks shared by the commands: file arguments and the model are checked before slow work, and
every failure becomes a one-line CliError."""
from __future__ import annotations

from ..oip.constants import N_EPOCHS
from .errors import CliError


def add_common_options(p, steps_default: int = N_EPOCHS) -> None:
    p.add_argument("--model", default=None, metavar="PATH",
                   help="a .keras (or legacy .h5) model file (default: the course's reference model)")
    p.add_argument("--steps", type=int, default=steps_default,
                   help="ascent steps (the articles: 600; fewer for a quick look; default: %(default)s)")
    p.add_argument("--seed", type=int, default=0, help="random seed for the start images (default: %(default)s)")
    p.add_argument("--overwrite", action="store_true", help="replace existing output files")


def check_out(option: str, path, overwrite: bool, suffixes):
    from ..files import check_output_path

    try:
        return check_output_path(path, overwrite, suffixes)
    except (ValueError, OSError) as exc:  # FileExistsError, FileNotFoundError, PermissionError are OSErrors
        raise CliError(f"{option}: {exc}") from exc


def check_arg(check, option: str, value, *args):
    """One of :mod:`helpers.arguments`' checks for a command-line value, its error as a one-line CliError
    (the same rule and words as the Python functions, with the flag's name)."""
    try:
        return check(option, value, *args)
    except (TypeError, ValueError) as exc:
        raise CliError(str(exc)) from exc


def check_steps_and_seed(args) -> None:
    """The options every command shares (add_common_options): --steps at least 1, --seed at least 0."""
    from ..arguments import check_count, check_seed

    check_arg(check_count, "--steps", args.steps, 1)
    check_arg(check_seed, "--seed", args.seed)


def use_agg() -> None:
    import matplotlib

    matplotlib.use("Agg")  # files only, no display needed


def load_model(model_path):
    """The model of ``--model`` (default: the reference model), every failure a one-line CliError."""
    from ..model import load_model_file, load_reference_model

    try:
        return load_reference_model() if model_path is None else load_model_file(model_path)
    except (OSError, ValueError) as exc:
        raise CliError(f"--model: {exc}") from exc


def load_oip(model_path, layer: str | None):
    """My_OIP for the layer (None: the model's last conv or pool layer, for commands that need none of their
    own), with every failure turned into a one-line CliError."""
    from ..oip import My_OIP
    from ..oip.fast_kernels import VISUAL_LAYER_TYPES

    model = load_model(model_path)
    if layer is None:
        visual = [l.name for l in model.layers if isinstance(l, VISUAL_LAYER_TYPES)]
        if not visual:
            raise CliError(f"--model: the model {model.name!r} has no conv or pool layer; this course is about CNNs.")
        layer = visual[-1]
    try:
        return My_OIP(model, layer)
    except ValueError as exc:
        raise CliError(f"--layer: {exc}") from exc
