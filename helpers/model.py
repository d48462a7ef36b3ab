"""The article CNN (article II) and the committed reference model.

Layer plan: Conv2D_1 (32 maps) → Max_Pool_1 → Conv2D_2 (64) → Max_Pool_2 → Conv2D_3 (128, 3×3 each)
→ Flatten → Dense_1 (100, ReLU) → Dense_2 (10 class scores) → Softmax. 208,982 parameters.

The softmax is a layer of its own so that the class scores *before* the softmax (needed for the
"perfect digits" of the OIP engine) are the output of a named layer, Dense_2.
"""
from __future__ import annotations

import json
import os
import zipfile
from importlib import resources
from pathlib import Path

import keras
from keras import layers

ARTICLE_PARAM_COUNT = 208_982

# The reference model ships inside the package (package data), so a wheel or `pip install .` finds it from
# any working directory. Installed packages are plain folders, so the resource is a real file path.
REFERENCE_MODEL_PATH = Path(str(resources.files("helpers") / "models" / "reference_cnn.keras"))
REFERENCE_RECORD_PATH = REFERENCE_MODEL_PATH.with_suffix(".json")
# the record of a run with REFERENCE_CONFIG but the article's plain data (shift_pixels=0): notebook 03's baseline
PLAIN_BASELINE_RECORD_PATH = REFERENCE_MODEL_PATH.with_name("plain_baseline.json")
RETRAIN_HINT = ("Retrain it with `python -m helpers train-reference --out reference_cnn.keras` (about 10 minutes "
                "on a 2-core CPU) and pass that file's path.")


def build_cnn(l2: float | None = None, seed: int | None = None) -> keras.Model:
    """Return the (uncompiled) article CNN with the course's layer names.

    l2: optional L2 factor for the kernels of all conv and dense layers (article III).
    seed: makes the initial weights reproducible.
    Taught in notebook 02, section 1.
    """
    if seed is not None:
        keras.utils.set_random_seed(seed)
    reg = keras.regularizers.L2(l2) if l2 else None

    def conv(n, name):
        return layers.Conv2D(n, (3, 3), activation="relu", kernel_regularizer=reg, name=name)

    inputs = keras.Input(shape=(28, 28, 1), name="image")
    x = conv(32, "Conv2D_1")(inputs)
    x = layers.MaxPooling2D((2, 2), name="Max_Pool_1")(x)
    x = conv(64, "Conv2D_2")(x)
    x = layers.MaxPooling2D((2, 2), name="Max_Pool_2")(x)
    x = conv(128, "Conv2D_3")(x)
    x = layers.Flatten(name="Flatten")(x)
    x = layers.Dense(100, activation="relu", kernel_regularizer=reg, name="Dense_1")(x)
    x = layers.Dense(10, kernel_regularizer=reg, name="Dense_2")(x)
    outputs = layers.Softmax(name="Softmax")(x)
    return keras.Model(inputs, outputs, name="mnist_cnn")


MODEL_SUFFIXES = (".keras", ".h5", ".hdf5")
HDF5_SIGNATURE = b"\x89HDF\r\n\x1a\n"    # the first 8 bytes of an HDF5 file (a legacy `.h5` model)
SAVE_AGAIN_HINT = ("The file may be damaged, or only partly written or copied: save the model again "
                   "(`model.save(path)`) or copy the file again.")


class ModelFileError(OSError):
    """A model file that exists but holds no model Keras can load: its bytes are not the format its suffix
    names (Keras picks the reader by the suffix), or Keras fails on them. An OSError, as any unreadable file;
    a missing file is a FileNotFoundError instead. Raised by :func:`load_model_file`."""


def _format_problem(p: Path) -> str | None:
    """What is wrong with the bytes of an existing model file for its suffix, checked before Keras reads it:
    Keras reports a `.keras` file that is not a zip archive as "File not found". None if the format fits."""
    with open(p, "rb") as f:
        head = f.read(len(HDF5_SIGNATURE))
    is_hdf5, is_zip = head == HDF5_SIGNATURE, zipfile.is_zipfile(p)
    found = "it is empty" if not head else "it is neither a zip archive nor HDF5"
    if p.suffix.lower() == ".keras":
        if is_hdf5:
            return (f"{p} is a legacy HDF5 model, not a Keras 3 `.keras` archive, and Keras reads a file by its "
                    f"suffix: rename it to {p.with_suffix('.h5').name} and load that.")
        if not is_zip:
            return f"{p} is not a Keras 3 `.keras` archive (a zip file): {found}. {SAVE_AGAIN_HINT}"
    elif is_zip:
        return (f"{p} is a Keras 3 `.keras` archive, not a legacy HDF5 model, and Keras reads a file by its "
                f"suffix: rename it to {p.with_suffix('.keras').name} and load that.")
    elif not is_hdf5:
        return f"{p} is not an HDF5 file, so not a legacy `{p.suffix}` model: {found}. {SAVE_AGAIN_HINT}"
    return None


def load_model_file(path: str | os.PathLike) -> keras.Model:
    """Load a model file with a clear error when it is missing or unreadable: a Keras 3 `.keras` file (what the
    course saves) or a legacy `.h5`/`.hdf5` file (what the articles saved). A missing file gets the hint to
    retrain; an unreadable one (:class:`ModelFileError`) says what is wrong with it.
    Used in notebook 03, section 7, and by ``My_OIP(path)`` and the command line's ``--model``."""
    p = Path(path).expanduser()
    if not p.is_file():
        raise FileNotFoundError(f"No model file at {p}. {RETRAIN_HINT}")
    if p.suffix.lower() not in MODEL_SUFFIXES:
        raise ValueError(f"{p} is not a Keras model file: expected a `.keras` file (or a legacy `.h5`). "
                         f"{RETRAIN_HINT}")
    problem = _format_problem(p)
    if problem:
        raise ModelFileError(problem)
    try:
        return keras.models.load_model(p, compile=False)
    except Exception as exc:
        kind = "a Keras 3 `.keras` archive" if p.suffix.lower() == ".keras" else "an HDF5 file"
        raise ModelFileError(f"{p} is {kind}, but Keras could not load a model from it ({exc.__class__.__name__}: "
                             f"{exc}). {SAVE_AGAIN_HINT}") from exc


def load_reference_model(path: str | os.PathLike | None = None) -> keras.Model:
    """The course's reference model (shipped in the package as helpers/models/reference_cnn.keras), ready for
    prediction; ``path`` loads another `.keras` file instead. Taught in notebook 04, section 1."""
    return load_model_file(path or REFERENCE_MODEL_PATH)


def reference_record(path: str | os.PathLike | None = None) -> dict:
    """The record that belongs to the reference model: config, seed, epochs, accuracy, versions.
    Used in notebook 03, section 8, and in notebook 06's setup cell."""
    p = Path(path) if path else REFERENCE_RECORD_PATH
    if not p.is_file():
        raise FileNotFoundError(f"No reference record at {p}. {RETRAIN_HINT}")
    return json.loads(p.read_text())


class UnknownLayerError(KeyError, ValueError):
    """A layer name the model does not know; the message lists the valid names. A KeyError (a name looked
    up) and a ValueError (a bad argument), so either ``except`` catches it.
    Raised by :func:`check_layer_name`, so by every function, explorer and command that takes a layer name."""

    def __str__(self) -> str:  # KeyError would show the message in quotes
        return str(self.args[0])


def model_layer_names(model: keras.Model) -> list[str]:
    """Names of the layers whose output can be looked at (all but the input).
    Taught in notebook 04, section 1."""
    return [layer.name for layer in model.layers if not isinstance(layer, layers.InputLayer)]


def check_layer_name(model: keras.Model, layer_name: str, kinds: tuple = (), kind_name: str = "",
                     hint: str = "") -> str:
    """Return ``layer_name`` if the model has such a layer (of one of the classes ``kinds``, if given).
    Otherwise an :class:`UnknownLayerError` or a ValueError whose message lists the valid names — the fitting
    ones only, e.g. the conv and pool layers for ``kinds=(Conv2D, MaxPooling2D), kind_name="conv or pool"``;
    ``hint`` is added to a wrong-kind message. The one layer-name check of the course: used by the
    activation functions and explorers (notebooks 04–05), ``My_OIP`` (06–08) and the gallery's live maps."""
    names = model_layer_names(model)
    fitting = [n for n in names if not kinds or isinstance(model.get_layer(n), kinds)]
    label = f"{kind_name} " if kind_name else ""
    if layer_name not in names:
        raise UnknownLayerError(f"The model {model.name!r} has no layer named {layer_name!r}. "
                                f"Valid {label}layer names: {', '.join(fitting)}.")
    layer = model.get_layer(layer_name)
    if kinds and not isinstance(layer, kinds):
        raise ValueError(f"Layer {layer_name!r} is a {type(layer).__name__}, not a {label}layer; valid {label}layer "
                         f"names: {', '.join(fitting)}.{' ' + hint if hint else ''}")
    return layer_name


IMAGE_INPUT_SHAPES = ((28, 28, 1), (28, 28))  # what an MNIST CNN takes: with or without the channel axis


def model_inputs(model: keras.Model):
    """The symbolic image input of ``model``, to build sub-models from (input → a chosen layer).

    Works for functional models and for Sequential ones, called or not, with or without ``keras.Input``,
    in memory or loaded (``model.input`` does not: an uncalled Sequential has none). A subclassed model
    has no such graph, and a model that does not take one 28×28 image; both get an error that says what to do.
    Used by :func:`image_submodel`."""
    try:
        inputs = model.inputs
    except AttributeError:
        inputs = None
    if not inputs:
        raise ValueError(f"The model {model.name!r} has no input graph to cut sub-models from (a subclassed "
                         "keras.Model, or a Sequential without an input shape). Rebuild it as "
                         "keras.Sequential([keras.Input((28, 28, 1)), ...layers...]) or with the functional API, "
                         "as helpers.build_cnn() does, and copy the weights with set_weights(get_weights()).")
    shapes = [tuple(i.shape[1:]) for i in inputs]
    if len(inputs) != 1 or shapes[0] not in IMAGE_INPUT_SHAPES:
        raise ValueError(f"The model {model.name!r} takes inputs of shape {', '.join(map(str, shapes))} (batch axis "
                         "left out); the course's tools need a model that takes one MNIST image, (28, 28, 1) or "
                         "(28, 28).")
    return inputs[0]


def image_submodel(model: keras.Model, outputs, name: str | None = None) -> keras.Model:
    """A model from a batch of images (N, 28, 28, 1) to ``outputs`` (a tensor, or a list of tensors, of
    ``model``'s graph, e.g. ``model.get_layer("Conv2D_3").output``).

    Every tool of the course feeds (N, 28, 28, 1); a model built for (28, 28) input (a Reshape as its first
    layer) gets the channel axis dropped in front, so both kinds are accepted.
    Used by ``My_OIP`` (notebooks 06–08), ``layer_submodel`` (notebook 04) and :func:`class_scores_model`."""
    inputs = model_inputs(model)
    if tuple(inputs.shape[1:]) == (28, 28, 1):
        return keras.Model(inputs, outputs, name=name)
    inner = keras.Model(inputs, outputs)
    images = keras.Input((28, 28, 1), name="image")
    return keras.Model(images, inner(layers.Reshape((28, 28))(images)), name=name)


def class_scores_model(model: keras.Model) -> keras.Model:
    """A model from the input to the class scores *before* the softmax (for the "perfect digits").

    Two layouts are accepted: a separate ``Softmax`` layer at the end (as :func:`build_cnn` makes) — the
    scores are its input; or the articles' layout, a last ``Dense`` with ``activation="softmax"`` — then the
    scores come from a linear copy of that Dense with the same weights.
    Used by ``My_OIP.perfect_digits`` (notebook 07, section 7)."""
    last = model.layers[-1]
    if isinstance(last, layers.Softmax):
        return image_submodel(model, last.input, name="class_scores")
    if isinstance(last, layers.Dense) and last.activation is keras.activations.softmax:
        linear = layers.Dense(last.units, use_bias=last.use_bias, name=f"{last.name}_scores")
        scores = linear(last.input)
        linear.set_weights(last.get_weights())
        return image_submodel(model, scores, name="class_scores")
    raise ValueError(f"Cannot reach the class scores before the softmax: the model's last layer {last.name!r} is "
                     f"a {type(last).__name__}. Expected a Softmax layer, or a Dense layer with "
                     "activation='softmax'.")
