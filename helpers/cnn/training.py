"""Training the article CNN: a first RMSprop test (article II) and SGD with momentum, a learning-rate
schedule and L2 (article III), with live curves in a notebook and a plain progress line elsewhere."""
from __future__ import annotations

import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import keras
import numpy as np
import tensorflow as tf

from ..data import NUM_CLASSES


@dataclass
class TrainConfig:
    """Everything that decides a training run; saved next to the reference model. Taught in notebook 03, section 1."""

    optimizer: str = "sgd"            # "sgd" (article III) or "rmsprop" (article II's first test)
    learning_rate: float = 0.01       # initial rate
    momentum: float = 0.9             # SGD only
    decay_rate: float = 0.85          # exponential schedule: rate *= decay_rate once per epoch
    l2: float = 1e-4                  # kernel regularizer factor (0 = off)
    epochs: int = 30
    batch_size: int = 64
    shift_pixels: int = 2             # random shifts of up to this many pixels (0 = the articles' plain data)
    n_validation: int = 5000
    seed: int = 7
    notes: str = field(default="")

    def to_dict(self) -> dict:
        return asdict(self)


REFERENCE_CONFIG = TrainConfig()
FIRST_TEST_CONFIG = TrainConfig(optimizer="rmsprop", learning_rate=0.001, decay_rate=1.0, l2=0.0,
                                epochs=5, batch_size=64, shift_pixels=0)


def learning_rate_schedule(config: TrainConfig, steps_per_epoch: int):
    """Exponential decay once per epoch (a staircase), as a Keras schedule object.
    Taught in notebook 03, section 2."""
    if config.decay_rate >= 1.0:
        return config.learning_rate
    return keras.optimizers.schedules.ExponentialDecay(
        config.learning_rate, decay_steps=steps_per_epoch, decay_rate=config.decay_rate, staircase=True
    )


def schedule_per_epoch(config: TrainConfig, steps_per_epoch: int) -> np.ndarray:
    """The learning rate at the start of each epoch (for the plot shown before training).
    Taught in notebook 03, section 2."""
    sched = learning_rate_schedule(config, steps_per_epoch)
    if not callable(sched):
        return np.full(config.epochs, float(sched))
    return np.array([float(sched(e * steps_per_epoch)) for e in range(config.epochs)])


def make_optimizer(config: TrainConfig, steps_per_epoch: int):
    """SGD with momentum or RMSprop, with the learning-rate schedule. Used by :func:`compile_cnn`."""
    lr = learning_rate_schedule(config, steps_per_epoch)
    if config.optimizer == "sgd":
        return keras.optimizers.SGD(learning_rate=lr, momentum=config.momentum)
    if config.optimizer == "rmsprop":
        return keras.optimizers.RMSprop(learning_rate=lr)
    raise ValueError(f"Unknown optimizer {config.optimizer!r}; use 'sgd' or 'rmsprop'.")


def compile_cnn(model: keras.Model, config: TrainConfig, steps_per_epoch: int) -> keras.Model:
    """Compile with the optimizer of ``config`` and cross-entropy loss. Used by :func:`train_cnn`."""
    model.compile(optimizer=make_optimizer(config, steps_per_epoch),
                  loss="categorical_crossentropy", metrics=["accuracy"])
    return model


def _standardize_tf(x):
    return tf.image.per_image_standardization(x)


def make_dataset(images, labels, batch_size: int, *, shuffle: bool, shift_pixels: int = 0, seed: int = 0):
    """uint8 images (N, 28, 28) + integer labels → batches of standardized (B, 28, 28, 1) and one-hot labels.
    Used by :func:`train_cnn`.

    With ``shift_pixels`` each training image is moved by a random offset (zero-padded and cropped
    back to 28×28) before standardization, a cheap augmentation that makes the last 0.1 % easier.
    """
    x = np.asarray(images, dtype=np.uint8)[..., None]
    y = np.asarray(labels).astype(np.int32)
    ds = tf.data.Dataset.from_tensor_slices((x, y))
    if shuffle:
        ds = ds.shuffle(len(x), seed=seed, reshuffle_each_iteration=True)
    ds = ds.batch(batch_size)

    def prepare(xb, yb):
        xb = tf.cast(xb, tf.float32)
        if shift_pixels:
            p = shift_pixels
            padded = tf.pad(xb, [[0, 0], [p, p], [p, p], [0, 0]])
            n = tf.shape(xb)[0]
            offsets = tf.random.uniform((n, 2), 0, 2 * p + 1, dtype=tf.int32)
            xb = tf.map_fn(lambda a: tf.slice(a[0], tf.concat([a[1], [0]], 0), [28, 28, 1]),
                           (padded, offsets), fn_output_signature=tf.float32)
        return _standardize_tf(xb), tf.one_hot(yb, NUM_CLASSES)

    return ds.map(prepare, num_parallel_calls=tf.data.AUTOTUNE).prefetch(tf.data.AUTOTUNE)


def _in_notebook() -> bool:
    try:
        from IPython import get_ipython

        shell = get_ipython()
        return shell is not None and "IPKernelApp" in shell.config
    except Exception:
        return False


class LiveCurves(keras.callbacks.Callback):
    """Redraws loss and accuracy curves after every epoch in a notebook; prints a progress line elsewhere.
    Used by :func:`train_cnn`; its curves appear in notebooks 02 (section 3) and 03 (section 6)."""

    def __init__(self, live: bool | None = None, stream=None):
        super().__init__()
        self.live = _in_notebook() if live is None else live
        self.stream = stream or sys.stderr
        self.history: dict[str, list[float]] = {}
        self.epoch_seconds: list[float] = []

    def on_epoch_begin(self, epoch, logs=None):
        self._t0 = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        self.epoch_seconds.append(time.perf_counter() - self._t0)
        for k, v in (logs or {}).items():
            self.history.setdefault(k, []).append(float(v))
        if self.live:
            self._draw()
        else:
            shown = "  ".join(f"{k}={v[-1]:.4f}" for k, v in self.history.items() if k != "learning_rate")
            print(f"epoch {epoch + 1}/{self.params.get('epochs', '?')}  {shown}  "
                  f"({self.epoch_seconds[-1]:.1f} s)", file=self.stream, flush=True)

    def _draw(self):
        import matplotlib.pyplot as plt
        from IPython.display import clear_output, display
        from matplotlib.ticker import MaxNLocator

        clear_output(wait=True)
        fig, axes = plt.subplots(1, 2, figsize=(11, 3.5))
        epochs = np.arange(1, len(self.epoch_seconds) + 1)
        for ax, metric in zip(axes, ("loss", "accuracy")):
            for prefix, style in (("", "o-"), ("val_", "s--")):
                key = prefix + metric
                if key in self.history:
                    ax.plot(epochs, self.history[key], style, label="validation" if prefix else "training")
            ax.set_xlabel("epoch")
            ax.xaxis.set_major_locator(MaxNLocator(integer=True))  # epochs are whole numbers
            ax.set_ylabel(metric)
            ax.set_title(f"{metric} after epoch {len(epochs)}")
            ax.grid(alpha=0.3)
            ax.legend()
        fig.tight_layout()
        display(fig)
        plt.close(fig)


@dataclass
class TrainResult:
    """What :func:`train_cnn` returns. Used in notebooks 02 (section 3) and 03 (sections 6 and 8)."""

    model: keras.Model
    history: dict
    epoch_seconds: list
    config: TrainConfig


def train_cnn(model: keras.Model, splits: dict, config: TrainConfig, *, best_model_path=None,
              live: bool | None = None, verbose: int = 0, max_train_images: int | None = None,
              overwrite: bool = False) -> TrainResult:
    """Compile and train ``model`` on ``splits`` (from :func:`helpers.data.split_train_validation`).

    best_model_path: if given, the model with the best validation accuracy is saved there (`.keras`);
    an existing file is only replaced with ``overwrite=True``. max_train_images: train on the first N
    training images only (quick mode).
    Taught in notebook 02, section 3.
    """
    if best_model_path is not None:
        best_model_path = Path(best_model_path)
        if best_model_path.suffix != ".keras":
            raise ValueError(f"Save models as `.keras` files; got {best_model_path}.")
        if best_model_path.exists() and not overwrite:
            raise FileExistsError(f"{best_model_path} exists; pass overwrite=True to replace it.")
    x_tr, y_tr = splits["x_train"], splits["y_train"]
    if max_train_images is not None:
        x_tr, y_tr = x_tr[:max_train_images], y_tr[:max_train_images]
    steps = int(np.ceil(len(x_tr) / config.batch_size))
    keras.utils.set_random_seed(config.seed)
    compile_cnn(model, config, steps)
    train_ds = make_dataset(x_tr, y_tr, config.batch_size, shuffle=True,
                            shift_pixels=config.shift_pixels, seed=config.seed)
    val_ds = None
    if len(splits.get("x_val", [])):
        val_ds = make_dataset(splits["x_val"], splits["y_val"], 1000, shuffle=False)
    curves = LiveCurves(live=live)
    callbacks = [curves]
    if best_model_path is not None:
        best_model_path.parent.mkdir(parents=True, exist_ok=True)
        callbacks.append(keras.callbacks.ModelCheckpoint(
            best_model_path, monitor="val_accuracy" if val_ds is not None else "accuracy",
            save_best_only=True, mode="max"))
    # shuffle=False: the dataset shuffles itself (Keras would ignore the flag and warn)
    model.fit(train_ds, validation_data=val_ds, epochs=config.epochs, callbacks=callbacks, verbose=verbose,
              shuffle=False)
    return TrainResult(model=model, history=curves.history, epoch_seconds=curves.epoch_seconds, config=config)


def evaluate_accuracy(model: keras.Model, images, labels, batch_size: int = 1000) -> float:
    """Fraction of correctly classified images (uint8 MNIST images, integer labels).
    Used in notebooks 02 (section 3) and 03 (sections 7 and 8)."""
    return float(np.mean(predict_classes(model, images, batch_size) == np.asarray(labels)))


def predict_proba(model: keras.Model, images, batch_size: int = 1000) -> np.ndarray:
    """Class probabilities for uint8 or float images (standardized here).
    Used in notebooks 02 (section 4), 04 (section 5) and 05 (setup cell)."""
    from ..data import to_model_input

    return model.predict(to_model_input(images), batch_size=batch_size, verbose=0)


def predict_classes(model: keras.Model, images, batch_size: int = 1000) -> np.ndarray:
    """The predicted digit per image (argmax of :func:`predict_proba`). Used by :func:`evaluate_accuracy`."""
    return predict_proba(model, images, batch_size).argmax(axis=1)


def confusion_matrix(true_labels, predicted_labels, num_classes: int = NUM_CLASSES) -> np.ndarray:
    """Counts[i, j] = how many images of digit i were classified as j. Taught in notebook 02, section 5."""
    cm = np.zeros((num_classes, num_classes), dtype=np.int64)
    np.add.at(cm, (np.asarray(true_labels).astype(int), np.asarray(predicted_labels).astype(int)), 1)
    return cm
