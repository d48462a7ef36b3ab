"""Markers of the course's tests (registered here, so `pytest --strict-markers` knows them), and the notebook
cells' time limit."""
import importlib.util
from pathlib import Path

import pytest

NBVAL_DEFAULT_CELL_TIMEOUT = 2000   # nbval's own default, i.e. none given on the command line
# one notebook cell, at most: the slowest quick-mode cell takes about 25 s in CI, so a stalled kernel fails
# within minutes; in full mode notebook 03 trains for 10-20 minutes in one cell
CELL_TIMEOUT_S = {"quick": 300, "full": 3600}


def _quick_mode() -> bool:
    """helpers.mode.quick_mode, read from its file: conftest must not import TensorFlow."""
    spec = importlib.util.spec_from_file_location("course_mode", Path(__file__).parents[1] / "helpers" / "mode.py")
    mode = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mode)
    return mode.quick_mode()


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "browser: end-to-end in JupyterLab and Chromium (needs playwright and /usr/bin/chromium); "
                   "select with -m browser, leave out with -m 'not browser'")
    if getattr(config.option, "nbval_cell_timeout", None) == NBVAL_DEFAULT_CELL_TIMEOUT:
        config.option.nbval_cell_timeout = CELL_TIMEOUT_S["quick" if _quick_mode() else "full"]


def train_articles_cnn(n_images: int = 12000, seed: int = 0):
    """The CNN as the articles build it: a keras.Sequential, Keras' default layer names (conv2d, max_pooling2d,
    ...), the softmax inside the last Dense; trained for one epoch on part of MNIST (about 5 s on 2 cores,
    ~97 % test accuracy). The learner's own model, for the tests that every tool takes it."""
    import keras
    from keras import layers

    from helpers.data import load_mnist, to_model_input

    (x_train, y_train), _ = load_mnist()
    keras.utils.set_random_seed(seed)
    # the names Keras gives in a fresh session, written out: its counters run on within one test session
    model = keras.Sequential([
        keras.Input((28, 28, 1)),
        layers.Conv2D(32, (3, 3), activation="relu", name="conv2d"), layers.MaxPooling2D((2, 2), name="max_pooling2d"),
        layers.Conv2D(64, (3, 3), activation="relu", name="conv2d_1"),
        layers.MaxPooling2D((2, 2), name="max_pooling2d_1"),
        layers.Conv2D(128, (3, 3), activation="relu", name="conv2d_2"), layers.Flatten(name="flatten"),
        layers.Dense(100, activation="relu", name="dense"), layers.Dense(10, activation="softmax", name="dense_1")],
        name="sequential")
    model.compile(optimizer=keras.optimizers.RMSprop(1e-3), loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    model.fit(to_model_input(x_train[:n_images]), y_train[:n_images], epochs=1, batch_size=64, verbose=0)
    return model


@pytest.fixture(scope="session")
def own_model_files(tmp_path_factory):
    """{"model": the trained articles-style Sequential, "keras": its .keras file, "h5": its legacy .h5 file}."""
    import warnings

    model = train_articles_cnn()
    folder = tmp_path_factory.mktemp("own model")   # a space in the path, as a learner's folder may have
    files = {"model": model, "keras": folder / "my_cnn.keras", "h5": folder / "my_cnn.h5"}
    model.save(files["keras"])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")             # Keras' "HDF5 is legacy" note: legacy is the point here
        model.save(files["h5"])
    return files
