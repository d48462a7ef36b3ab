"""Checks shared by the commands: file arguments and the model are checked before slow work, and
every failure becomes a one-line CliError."""
from __future__ import annotations

from . import CliError


def add_common_options(p, steps_default: int = 600) -> None:
    p.add_argument("--model", default=None, metavar="PATH",
                   help="a .keras model file (default: the course's reference model)")
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


def check_steps(steps: int) -> None:

    if steps < 1:
        raise CliError(f"--steps must be at least 1; got {steps}.")


def use_agg() -> None:
    import matplotlib

    matplotlib.use("Agg")  # files only, no display needed


def load_oip(model_path, layer: str):
    """My_OIP for the layer, with every failure turned into a one-line CliError."""
    from ..oip import My_OIP

    try:
        from ..model import load_model_file, load_reference_model

        model = load_reference_model() if model_path is None else load_model_file(model_path)
    except (OSError, ValueError) as exc:
        raise CliError(f"--model: {exc}") from exc
    try:
        return My_OIP(model, layer)
    except ValueError as exc:
        raise CliError(f"--layer: {exc}") from exc
