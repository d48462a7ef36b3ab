"""Objectives as values: what an ascent climbs, one number per image of a batch. Beyond the articles, in the
way of lucent's ``optvis/objectives.py`` and tf-keras-vis' scores; taught in notebook 06, section 4 (the map
objective) and used by every ascent of the course.

>>> channel("Conv2D_3", 120)                        # the OIP objective: one map's mean activation
>>> channel("Conv2D_3", [3, 56, 120])               # one map per image of a batch of three
>>> channel("Conv2D_3", 120) - 0.5 * channel("Conv2D_3", 7)
>>> unit("Conv2D_3", 120, 4, 4)                     # one neuron of a map
>>> class_score(9) - class_score(4)                 # scores before the softmax
>>> class_probability(9)
>>> function(lambda x: tf.reduce_mean(x, [1, 2, 3]))   # any function of the image batch (n, 28, 28, 1) → (n,)

An objective knows the sub-model it needs (:class:`ModelParts` builds and caches it). Its numbers are of two
kinds: settings (layer, weights, a function), which fix the compiled loop (:meth:`Part.key`), and per-image
numbers (which map each image climbs), which are the loop's inputs (:meth:`Part.arrays`), so a new map or a
new batch does not compile the loop again.

"Responded" is defined for map objectives only (a map, or a unit of it, with a positive weight): the map's
mean activation was exactly 0, and so was its gradient, for more than ZERO_STEP_LIMIT steps. Other objectives
always count as responded. Convergence (:func:`helpers.oip.ascent.convergence_streak`) measures the change
of the objective relative to its size |value|, so it also works for objectives that are negative.
"""
from __future__ import annotations

import contextlib

import numbers

import numpy as np
import tensorflow as tf

from ..model import check_layer_name, class_scores_model, image_submodel
from .ascent import map_objective, mean_activations
from .fast_kernels import VISUAL_LAYER_TYPES, chain_activations, own_map_activations, plain_chain


class Part:
    """Something the compiled loop uses (an objective, penalty, transform or constraint).
    ``key()``: its settings, hashable: a compiled loop is made once per set of keys. ``arrays(n)``: its
    per-image numbers, one row per image of a batch of n (the loop's inputs; images that stop early leave
    the batch with their rows), ``n_arrays`` of them. ``prepare(parts)``: Python work before compiling
    (build sub-models, check layer names and indices). ``build`` may use the settings in ``key()`` and the
    arrays it is given, nothing else: a part with the same key reuses the compiled loop."""

    n_arrays = 0

    def key(self) -> tuple:
        return (type(self).__name__,)

    def arrays(self, n: int) -> list:
        return []

    def prepare(self, parts: "ModelParts") -> None:
        pass


class Objective(Part):
    """A value to climb, one per image. Combine with ``+``, ``-`` and a scalar weight ``*``.
    ``build(parts, arrays, small)`` (called inside the compiled loop) returns a function images → (n,)."""

    is_map = False   # "responded" applies (a map, or a unit of one, with a positive weight)

    def build(self, parts, arrays, small):
        raise NotImplementedError

    def __add__(self, other):
        return Sum([(1.0, self), (1.0, _objective(other))])

    def __radd__(self, other):   # sum([a, b, c]) starts from 0
        return self if isinstance(other, numbers.Number) and other == 0 else _objective(other) + self

    def __sub__(self, other):
        return Sum([(1.0, self), (-1.0, _objective(other))])

    def __mul__(self, weight):
        if not isinstance(weight, numbers.Real) or not np.isfinite(weight):
            raise TypeError(f"An objective can be multiplied by a finite number only; got {weight!r}.")
        return Sum([(float(weight), self)])

    __rmul__ = __mul__

    def __neg__(self):
        return -1.0 * self

    def __repr__(self):
        return f"{type(self).__name__.lower()}{tuple(v for v in vars(self).values() if not isinstance(v, bool))}"

    def evaluate(self, model, images) -> np.ndarray:
        """The objective of a batch of (standardized) images (n, 28, 28, 1), eagerly: (n,)."""
        x = tf.convert_to_tensor(np.asarray(images, np.float32))
        parts = ModelParts(model)
        self.prepare(parts)
        arrays = [tf.convert_to_tensor(a) for a in self.arrays(len(x))]
        return self.build(parts, arrays, small=False)(x).numpy()


def _objective(value) -> Objective:
    if not isinstance(value, Objective):
        raise TypeError(f"Objectives combine with objectives (and scale by numbers); got {value!r}.")
    return value


def _per_image(name: str, values, n: int) -> np.ndarray:
    """One integer per image: a single number is used for all n images."""
    v = np.asarray(values)
    if v.size == 0 or not np.issubdtype(v.dtype, np.integer):
        raise TypeError(f"{name} must be integers (one, or one per image); got {values!r}.")
    if v.ndim == 0:
        v = np.full(n, v)
    if v.ndim != 1 or len(v) != n:
        raise ValueError(f"{name}: give one number, or one per image ({n}); got {np.shape(values)}.")
    return v.astype(np.int32)


class Channel(Objective):
    """The mean activation of map ``maps`` of a conv or pool layer: the OIP objective of articles VII–X
    (:func:`helpers.oip.ascent.map_objective`). ``maps``: one index for every image, or one per image."""

    n_arrays = 1
    is_map = True

    def __init__(self, layer: str, maps):
        self.layer, self.maps = layer, maps
        m = _per_image("channel(): maps", maps, np.size(maps))
        self.same = bool(np.all(m == m.flat[0]))   # one map for the whole batch: only its kernel runs

    def key(self):
        return ("channel", self.layer, self.same)

    def arrays(self, n):
        return [_per_image("maps", self.maps, n)]

    def prepare(self, parts):
        parts.check_maps(self.layer, self.maps)

    def build(self, parts, arrays, small):
        (maps,) = arrays
        own = parts.own_maps(self.layer, maps, self.same, small)
        if own is not None:
            return lambda x: mean_activations(own(x))[:, 0]
        act = parts.activations(self.layer, small)
        return lambda x: map_objective(act(x), maps)


class Unit(Objective):
    """One neuron of a map: the activation at (row, col) of map ``maps`` (one, or one per image)."""

    n_arrays = 1
    is_map = True

    def __init__(self, layer: str, maps, row: int, col: int):
        self.layer, self.maps, self.row, self.col = layer, maps, int(row), int(col)

    def key(self):
        return ("unit", self.layer, self.row, self.col)

    def arrays(self, n):
        return [_per_image("maps", self.maps, n)]

    def prepare(self, parts):
        parts.check_maps(self.layer, self.maps)
        h, w = parts.map_shape(self.layer)
        if not (0 <= self.row < h and 0 <= self.col < w):
            raise IndexError(f"unit(): ({self.row}, {self.col}) is outside the {h}×{w} maps of {self.layer}.")

    def build(self, parts, arrays, small):
        (maps,) = arrays
        act = parts.activations(self.layer, small)
        return lambda x: map_objective(act(x)[:, self.row, self.col, :], maps)


class ClassScore(Objective):
    """The score of class ``classes`` (one, or one per image) before the softmax (the "perfect digits")."""

    n_arrays = 1

    def __init__(self, classes, probability: bool = False):
        self.classes, self.probability = classes, bool(probability)

    def key(self):
        return ("class_probability" if self.probability else "class_score",)

    def arrays(self, n):
        return [_per_image("classes", self.classes, n)]

    def prepare(self, parts):
        n = parts.n_classes()
        c = np.atleast_1d(self.classes)
        if np.any((c < 0) | (c >= n)):
            raise IndexError(f"Class {int(c[(c < 0) | (c >= n)][0])} is out of range: the model has classes 0..{n - 1}.")

    def build(self, parts, arrays, small):
        (classes,) = arrays
        squash = tf.nn.softmax if self.probability else (lambda s: s)
        return lambda x: map_objective(squash(parts.scores_of(x)), classes)


class Function(Objective):
    """Any function of the image batch: ``fn(images (n, 28, 28, 1)) → (n,)``, differentiable with
    TensorFlow (e.g. a standalone kernel that is not part of the model)."""

    def __init__(self, fn, name: str | None = None):
        if not callable(fn):
            raise TypeError(f"function() takes a callable images → (n,); got {fn!r}.")
        self.fn, self.name = fn, name or getattr(fn, "__name__", "function")

    def key(self):
        return ("function", self.fn)

    def build(self, parts, arrays, small):
        return self.fn

    def __repr__(self):
        return f"function({self.name})"


class Sum(Objective):
    """A weighted sum of objectives, per image: what ``+``, ``-`` and ``*`` make."""

    def __init__(self, terms):
        flat = []
        for w, t in terms:   # (a + b) + c is one sum of three terms
            flat += [(w * v, u) for v, u in t.terms] if isinstance(t, Sum) else [(w, t)]
        self.terms = flat

    @property
    def n_arrays(self):
        return sum(t.n_arrays for _, t in self.terms)

    @property
    def is_map(self):   # 2 * channel(...) is still a map objective; a difference is not
        return len(self.terms) == 1 and self.terms[0][0] > 0 and self.terms[0][1].is_map

    def key(self):
        return ("sum", tuple((w, t.key()) for w, t in self.terms))

    def arrays(self, n):
        return [a for _, t in self.terms for a in t.arrays(n)]

    def prepare(self, parts):
        for _, t in self.terms:
            t.prepare(parts)

    def build(self, parts, arrays, small):
        fns, i = [], 0
        for w, t in self.terms:
            k = t.n_arrays
            fns.append((w, t.build(parts, arrays[i:i + k], small)))
            i += k
        return lambda x: tf.add_n([w * f(x) for w, f in fns])

    def __repr__(self):
        return " + ".join(f"{w:g} * {t!r}" for w, t in self.terms)


def channel(layer: str, maps) -> Channel:
    """A map's mean activation (the OIP objective); ``maps``: one index, or one per image."""
    return Channel(layer, maps)


def unit(layer: str, maps, row: int, col: int) -> Unit:
    """One neuron (row, col) of a map."""
    return Unit(layer, maps, row, col)


def class_score(classes) -> ClassScore:
    """A class score before the softmax; ``classes``: one, or one per image."""
    return ClassScore(classes)


def class_probability(classes) -> ClassScore:
    """A class probability (after the softmax)."""
    return ClassScore(classes, probability=True)


def function(fn, name: str | None = None) -> Function:
    """Any differentiable function of the image batch, (n, 28, 28, 1) → (n,)."""
    return Function(fn, name)


class ModelParts:
    """The sub-models of one model that objectives need, built once and cached: input → a layer's
    activations (through the fast kernels of :mod:`helpers.oip.fast_kernels` when the layers below form a
    plain chain), and input → the class scores before the softmax. ``model`` may be None for objectives
    that need none (:func:`function`)."""

    def __init__(self, model):
        self.model = model
        self._submodels, self._chains, self._scores, self._means = {}, {}, None, {}
        self._shared = None   # inside sharing(): image tensor → its class scores

    def _need_model(self):
        if self.model is None:
            raise ValueError("This objective needs a model: pass one to the ascent.")

    def submodel(self, layer: str):
        """Input → the activations of a conv or pool layer (a Keras sub-model; the layer name checked)."""
        if layer not in self._submodels:
            self._need_model()
            check_layer_name(self.model, layer, VISUAL_LAYER_TYPES, "conv or pool",
                             hint="For the output classes use class_score().")
            found = self.model.get_layer(layer)
            self._submodels[layer] = image_submodel(self.model, found.output, name=f"oip_{layer}")
            self._chains[layer] = plain_chain(self.model, found)
        return self._submodels[layer]

    def chain(self, layer: str):
        """The plain chain of Conv2D/MaxPooling2D layers up to ``layer``, or None."""
        self.submodel(layer)
        return self._chains[layer]

    def class_scores(self):
        if self._scores is None:
            self._need_model()
            self._scores = class_scores_model(self.model)
        return self._scores

    def scores_of(self, images):
        """The class scores of ``images`` (inference mode). Inside :meth:`sharing`, computed once per image
        tensor: the two terms of ``class_score(9) - class_score(4)`` and a stop condition on the scores then
        share one forward pass (and one backward pass) instead of one each."""
        model = self.class_scores()
        if self._shared is None:
            return model(images, training=False)
        key = images.ref()
        if key not in self._shared:
            self._shared[key] = model(images, training=False)
        return self._shared[key]

    @contextlib.contextmanager
    def sharing(self):
        """A scope (one ascent step, while the loop is traced) in which :meth:`scores_of` reuses its results."""
        self._shared = {}
        try:
            yield
        finally:
            self._shared = None

    def map_shape(self, layer: str) -> tuple[int, int]:
        return tuple(int(d) for d in self.submodel(layer).output.shape[1:3])

    def n_maps(self, layer: str) -> int:
        return int(self.submodel(layer).output.shape[-1])

    def n_classes(self) -> int:
        return int(self.class_scores().output.shape[-1])

    def check_maps(self, layer: str, maps) -> np.ndarray:
        """Map indices of the layer as int32 (n,); a clear TypeError / IndexError / ValueError otherwise."""
        idx, n = np.atleast_1d(np.asarray(maps)), self.n_maps(layer)
        if idx.size == 0:
            raise ValueError("Give at least one map index.")
        if not np.issubdtype(idx.dtype, np.integer):
            raise TypeError(f"Map indices must be integers; got {idx.dtype}.")
        bad = idx[(idx < 0) | (idx >= n)]
        if bad.size:
            raise IndexError(f"Map index {int(bad[0])} is out of range: layer {layer} has maps 0..{n - 1}.")
        return idx.astype(np.int32)

    def activations(self, layer: str, small: bool):
        """A function images → the layer's activations (n, h, w, maps)."""
        chain = self.chain(layer)
        if chain is not None:
            return chain_activations(chain, small)
        sub = self.submodel(layer)
        return lambda x: sub(x, training=False)

    def own_maps(self, layer: str, maps, same: bool, small: bool):
        """A function images → each image's own map alone (n, h, w, 1), or None (then use
        :meth:`activations`)."""
        chain = self.chain(layer)
        return own_map_activations(chain, maps, same, small) if chain is not None else None

    def map_means(self, layer: str, images, batch_size: int = 512) -> np.ndarray:
        """Every map's mean activation for every image: (N, maps) (:func:`mean_activations`)."""
        if layer not in self._means:   # compiled once per layer: half the time of eager calls, the same numbers
            sub = self.submodel(layer)
            self._means[layer] = tf.function(lambda x: mean_activations(sub(x, training=False)),
                                             input_signature=[tf.TensorSpec([None, 28, 28, 1], tf.float32)])
        means = self._means[layer]
        out = [means(tf.convert_to_tensor(images[i:i + batch_size], tf.float32)).numpy()
               for i in range(0, len(images), batch_size)]
        return np.concatenate(out)
