"""Turning a 4 into a 9 (notebook 09, part 2): the smallest change of a real digit that makes the CNN say
another class, in raw pixel space 0..1 (the model's per-image standardization sits inside the attacked
function, the engine's :class:`helpers.oip.Standardize` transform).

* :func:`fgsm` — one signed step of size ε on ``class_score(target) - class_score(source)`` (the classic
  baseline of Goodfellow et al., 2015).
* :func:`pgd` — many signed steps, each followed by the projection onto the L∞ ball of radius ε around the
  original and onto 0..1 (Madry et al., 2018); an image stops once the model predicts the target. Both run
  on the course's one ascent engine, :class:`helpers.oip.Ascent`.
* :func:`flip_rates` — the share of digits flipped at each ε, for both.
* :func:`smallest_flipping_eps` — the smallest ε that flips each digit, by bisection (all digits in one
  batch per halving).
"""
from __future__ import annotations

import weakref

import numpy as np
import tensorflow as tf

from ..arguments import check_count, check_positive
from ..data import as_image_batch, standardize_tensor
from ..oip import Ascent, LInfBall, PixelRange, Standardize, class_score
from ..oip.objectives import Objective, _per_image

_ENGINES = weakref.WeakKeyDictionary()   # one engine (and its compiled loops) per model
# PGD is stuck (in a corner of the ball) once its objective changes by less than 0.1 % per step, 4 steps in a
# row. The OIPs' 0.02 % never triggers here: signed steps make the objective wobble by ~0.05 % at its ceiling.
# On 100 test 4s it gives the same flips as 0.02 % with a third fewer steps (benchmarks/bench_adversarial.py).
STUCK = 1e-3


def engine(model) -> Ascent:
    """The course's ascent engine for ``model``, made once (its compiled loops are reused). Finished
    images leave the batch every 20 steps rather than 50: most attacked digits stop early."""
    if model not in _ENGINES:
        _ENGINES[model] = Ascent(model)
        _ENGINES[model].CHUNK = 20
    return _ENGINES[model]


class TargetWins(Objective):
    """Score of class ``target`` minus the largest other score: > 0 exactly when the model predicts the
    target. The stop condition of :func:`pgd`."""

    n_arrays = 1

    def __init__(self, target):
        self.target = target

    def arrays(self, n):
        return [_per_image("target", self.target, n)]

    def prepare(self, parts):
        class_score(self.target).prepare(parts)   # the same range check

    def build(self, parts, arrays, small):
        (target,) = arrays
        def margin(x):
            s = parts.scores_of(x)
            mine = tf.one_hot(target, tf.shape(s)[-1])
            return tf.reduce_sum(s * mine, -1) - tf.reduce_max(s - 1e9 * mine, -1)

        return margin


def check_attack(model, images, eps, source: int, target: int):
    """Images (n, 28, 28[, 1]) in 0..1 as float32 (n, 28, 28, 1) and ε as float32 (n,) (one number, or
    one per image, each > 0); clear errors for NaN pixels, pixels outside 0..1, ε ≤ 0, classes out of range."""
    x = as_image_batch(images)   # (n, 28, 28, 1) float32; NaN or infinite pixels raise NonFiniteImageError
    if len(x) == 0:
        raise ValueError("images is empty: give at least one 28×28 digit.")
    if x.min() < 0 or x.max() > 1:
        raise ValueError(f"Attacks work in raw pixel space: pixels must be in 0..1 (divide uint8 digits by 255); "
                         f"got {x.min():g}..{x.max():g}.")
    e = np.asarray(eps, np.float64)
    if e.ndim == 0:
        e = np.full(len(x), check_positive("eps", eps))
    if e.shape != (len(x),) or not (np.isfinite(e).all() and (e > 0).all()):
        raise ValueError(f"eps must be > 0: one number, or one per image ({len(x)}); got {eps!r}.")
    n_classes = int(model.output.shape[-1])
    for name, c in (("source", source), ("target", target)):
        if not isinstance(c, (int, np.integer)) or not 0 <= c < n_classes:
            raise IndexError(f"{name} class {c!r} is out of range: the model has classes 0..{n_classes - 1}.")
    if source == target:
        raise ValueError(f"source and target must differ; got {source} twice.")
    return x, e.astype(np.float32)


def fgsm(model, images, eps, source: int = 4, target: int = 9) -> np.ndarray:
    """FGSM: one step of size ε along the sign of the gradient of ``score(target) - score(source)``, in
    pixel space 0..1 (then clipped to 0..1). ``eps``: one number, or one per image. Notebook 09."""
    x, e = check_attack(model, images, eps, source, target)
    out = engine(model).run(class_score(target) - class_score(source), x, 1, step_size=1.0, signed=True,
                            standardize=False, transforms=[Standardize()],
                            constraints=[LInfBall(x, e), PixelRange(0, 1)], seed=0)
    return out.images   # a unit signed step, cut back to ε by the ball: exactly x + ε·sign(g) inside 0..1


def pgd(model, images, eps, source: int = 4, target: int = 9, n_steps: int = 200, step_size=None,
        stop_converged: bool = True):
    """PGD: ``n_steps`` signed steps on ``score(target) - score(source)``, each projected back onto the L∞
    ball of radius ε around the original and onto 0..1; an image stops once the model predicts ``target``
    (and, with ``stop_converged``, once its objective has stopped rising: stuck in a corner of the ball,
    ``STUCK``).
    ``step_size``: max(ε)/30 unless given (Madry et al.'s MNIST setting: 0.01 for ε = 0.3). Returns the
    engine's output (``.images``, ``.stopped_at``, ``.losses``). Notebook 09."""
    x, e = check_attack(model, images, eps, source, target)
    n_steps = check_count("n_steps", n_steps, 1)
    step = float(e.max()) / 30 if step_size is None else check_positive("step_size", step_size)
    return engine(model).run(class_score(target) - class_score(source), x, n_steps, step_size=step, signed=True,
                             standardize=False, transforms=[Standardize()], stop_early=bool(stop_converged),
                             conv_criterion=STUCK,
                             constraints=[LInfBall(x, e), PixelRange(0, 1)], stop_when=TargetWins(target), seed=0)


def predict(model, images) -> np.ndarray:
    """The model's class for images in pixel space 0..1, (n, 28, 28) or (n, 28, 28, 1), or one image
    (standardized per image as in training)."""
    x = tf.convert_to_tensor(as_image_batch(images))   # shape and finiteness checked
    return np.concatenate([np.argmax(model(standardize_tensor(x[i:i + 1024]), training=False), -1)
                           for i in range(0, len(x), 1024)])


def flip_rates(model, images, epsilons=(0.05, 0.1, 0.2, 0.3), source: int = 4, target: int = 9,
               n_steps: int = 200, return_images: bool = False) -> dict:
    """The share of ``images`` the model calls ``target`` after FGSM and after PGD, at each ε (all digits
    of one ε in one batch). Returns {"eps": (k,), "fgsm": (k,), "pgd": (k,)}, and with ``return_images`` also
    "pgd_images": the PGD results (k, n, 28, 28, 1). Notebook 09."""
    rates = {"eps": np.array([check_positive("eps", e) for e in epsilons]), "fgsm": [], "pgd": [], "pgd_images": []}
    for e in rates["eps"]:
        rates["fgsm"].append(np.mean(predict(model, fgsm(model, images, e, source, target)) == target))
        rates["pgd_images"].append(pgd(model, images, e, source, target, n_steps).images)
        rates["pgd"].append(np.mean(predict(model, rates["pgd_images"][-1]) == target))
    if not return_images:
        del rates["pgd_images"]
    return {k: np.asarray(v) for k, v in rates.items()}


def smallest_flipping_eps(model, images, source: int = 4, target: int = 9, eps_max: float = 0.3,
                          tol: float = 0.05, n_steps: int = 200, step_size=None, return_images: bool = False):
    """The smallest ε at which PGD turns each digit into ``target``, by bisection on ε per digit: all digits
    still open go in one batch per halving, until ``hi - lo <= tol * hi``.

    ``hi``: the L∞ size of the smallest flipping change found, max |x_adv - x| (a run of :func:`pgd` at radius
    mid stops as soon as the digit flips, often before it uses the whole radius, so its change can be smaller
    than mid; the flipped image is the witness). ``lo``: a radius at which :func:`pgd` did not flip the digit
    (0 at first). Digits that do not flip at ``eps_max`` get NaN for both; digits already called ``target``
    get 0. One step size for every run, eps_max/30 unless given. Returns (hi, lo), each (n,), and with
    ``return_images`` also the witnesses (n, 28, 28, 1) (NaN where none). Notebook 09."""
    x, _ = check_attack(model, images, eps_max, source, target)
    if not 0 < tol < 1:
        raise ValueError(f"tol must be between 0 and 1; got {tol!r}.")
    step = float(eps_max) / 30 if step_size is None else check_positive("step_size", step_size)
    n = len(x)
    lo, hi = np.zeros(n, np.float32), np.full(n, np.nan, np.float32)
    witness = np.full_like(x, np.nan)
    already = predict(model, x) == target
    hi[already], witness[already] = 0.0, x[already]
    open_ = np.flatnonzero(~already)
    radius = np.full(open_.size, eps_max, np.float32)   # the first run: the largest ball
    while open_.size:
        adv = pgd(model, x[open_], radius, source, target, n_steps, step).images
        flipped = predict(model, adv) == target
        done, missed = open_[flipped], open_[~flipped]
        hi[done], witness[done] = np.abs(adv - x[open_]).max(axis=(1, 2, 3))[flipped], adv[flipped]
        lo[missed] = radius[~flipped]
        lo[missed[np.isnan(hi[missed])]] = np.nan   # not flipped even at eps_max
        open_ = open_[np.isfinite(hi[open_]) & (hi[open_] - lo[open_] > tol * hi[open_])]
        radius = (lo[open_] + hi[open_]) / 2
    return (hi, lo, witness) if return_images else (hi, lo)
