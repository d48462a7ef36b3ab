"""`python -m helpers train-reference`: train the article CNN on full MNIST and save it with its record
(notebook 03)."""
from __future__ import annotations

from ..arguments import check_count
from .checks import check_arg
from .errors import CliError


def register(subparsers) -> None:
    """Add this command to `python -m helpers`."""
    p = subparsers.add_parser("train-reference", help="train the article CNN on full MNIST and save it with its record",
                              description="Train the reference CNN (SGD + momentum + schedule + L2, article III) "
                                          "on full MNIST; keeps the epoch with the best validation accuracy.")
    p.add_argument("--out", default="reference_cnn.keras", help="model file to write (.keras), relative to the "
                   "working directory; the record is written beside it as .json (default: %(default)s). To replace "
                   "the model the package ships, from a checkout: --out helpers/models/reference_cnn.keras")
    p.add_argument("--epochs", type=int, default=None, help="override the number of epochs")
    p.add_argument("--overwrite", action="store_true", help="replace an existing model file and record")
    p.set_defaults(func=run)


def run(args) -> None:
    from ..data import MnistFormatError, MnistNotFoundError
    from ..cnn.reference import train_reference
    from ..cnn.training import REFERENCE_CONFIG, TrainConfig

    # check the arguments before minutes of data loading and training are spent
    if not str(args.out).endswith(".keras"):
        raise CliError(f"--out must name a `.keras` file; got {args.out}.")
    if args.epochs is not None:
        check_arg(check_count, "--epochs", args.epochs, 1)
    cfg = TrainConfig(**{**REFERENCE_CONFIG.to_dict(), **({"epochs": args.epochs} if args.epochs else {})})
    try:
        record = train_reference(args.out, cfg, overwrite=args.overwrite)
    except (FileExistsError, MnistNotFoundError, MnistFormatError) as exc:
        raise CliError(str(exc)) from exc
    print(f"saved {args.out}: test accuracy {record['test_accuracy']:.4%}")
