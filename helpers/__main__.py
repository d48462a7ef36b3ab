"""Command line of the course: `python -m helpers <command> --help`."""
from __future__ import annotations

import argparse
import sys


class CliError(Exception):
    """A user error: printed as one line, exit status 2."""


def _cmd_train_reference(args) -> None:
    from .data import MnistFormatError, MnistNotFoundError
    from .reference import train_reference
    from .training import REFERENCE_CONFIG, TrainConfig

    # check the arguments before minutes of data loading and training are spent
    if not str(args.out).endswith(".keras"):
        raise CliError(f"--out must name a `.keras` file; got {args.out}.")
    if args.epochs is not None and args.epochs < 1:
        raise CliError(f"--epochs must be at least 1; got {args.epochs}.")
    cfg = TrainConfig(**{**REFERENCE_CONFIG.to_dict(), **({"epochs": args.epochs} if args.epochs else {})})
    try:
        record = train_reference(args.out, cfg, overwrite=args.overwrite)
    except (FileExistsError, MnistNotFoundError, MnistFormatError) as exc:
        raise CliError(str(exc)) from exc
    print(f"saved {args.out}: test accuracy {record['test_accuracy']:.4%}")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m helpers", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True, metavar="command")
    p = sub.add_parser("train-reference", help="train the article CNN on full MNIST and save it with its record",
                       description="Train the reference CNN (SGD + momentum + schedule + L2, article III) "
                                   "on full MNIST; keeps the epoch with the best validation accuracy.")
    p.add_argument("--out", default="reference_cnn.keras", help="model file to write (.keras), relative to the "
                   "working directory; the record is written beside it as .json (default: %(default)s). To replace "
                   "the model the package ships, from a checkout: --out helpers/models/reference_cnn.keras")
    p.add_argument("--epochs", type=int, default=None, help="override the number of epochs")
    p.add_argument("--overwrite", action="store_true", help="replace an existing model file and record")
    p.set_defaults(func=_cmd_train_reference)
    for register in _command_registrars():
        register(sub)
    return parser


def _command_registrars():
    """Each command module adds its subcommands with `register(subparsers)`."""
    from . import cli_dream, cli_oip

    return [cli_oip.register, cli_dream.register]


def main(argv=None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        args.func(args)
    except CliError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    # `python -m helpers` runs this file as `__main__`; the command modules raise helpers.__main__.CliError,
    # a class of the package's own import of this file, so that import's main() must do the catching
    from helpers.__main__ import main as package_main

    sys.exit(package_main())
