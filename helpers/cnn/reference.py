"""Training the committed reference model and writing its record (config, seed, accuracy, versions)."""
from __future__ import annotations

import datetime as _dt
import json
import platform
from pathlib import Path

import keras
import numpy as np
import tensorflow as tf

from ..data import load_mnist, split_train_validation
from ..files import written_atomically
from ..model import build_cnn, load_model_file
from .training import REFERENCE_CONFIG, TrainConfig, evaluate_accuracy, train_cnn


def train_reference(out_path="reference_cnn.keras", config: TrainConfig = REFERENCE_CONFIG, *,
                    overwrite: bool = False, live: bool | None = False) -> dict:
    """Train the article CNN on full MNIST with ``config``, keep the best validation epoch, save it to
    ``out_path`` and a JSON record beside it. Returns the record.
    Used by the command line (``python -m helpers train-reference``)."""
    out_path = Path(out_path)
    record_path = out_path.with_suffix(".json")
    for p in (out_path, record_path):
        if p.exists() and not overwrite:
            raise FileExistsError(f"{p} exists; pass --overwrite (overwrite=True) to retrain and replace it.")
    (x_train, y_train), (x_test, y_test) = load_mnist()
    splits = split_train_validation(x_train, y_train, config.n_validation, seed=config.seed)
    model = build_cnn(l2=config.l2 or None, seed=config.seed)
    # the checkpoints go to a temporary file that replaces out_path only when training has finished, so an
    # interrupted run (Ctrl-C) leaves an existing model untouched
    with written_atomically(out_path) as partial:
        result = train_cnn(model, splits, config, best_model_path=partial, live=live, overwrite=overwrite)
        best = load_model_file(partial)
    test_acc = evaluate_accuracy(best, x_test, y_test)
    record = {
        "model_file": out_path.name,
        "config": config.to_dict(),
        "seed": config.seed,
        "epochs_trained": len(result.epoch_seconds),
        "best_epoch": int(np.argmax(result.history["val_accuracy"])) + 1 if "val_accuracy" in result.history else None,
        "best_val_accuracy": max(result.history.get("val_accuracy", [float("nan")])),
        "test_accuracy": test_acc,
        "param_count": int(best.count_params()),
        "history": result.history,
        "seconds_per_epoch": result.epoch_seconds,
        "tensorflow": tf.__version__,
        "keras": keras.__version__,
        "numpy": np.__version__,
        "python": platform.python_version(),
        "machine": f"{platform.machine()}, {__import__('os').cpu_count()} cores",
        "date": _dt.date.today().isoformat(),
    }
    with written_atomically(record_path) as partial:
        partial.write_text(json.dumps(record, indent=2) + "\n")
    return record
