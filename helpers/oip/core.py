"""OIPs: images of the input patterns that make one map of a conv layer fire (articles VII–X).

An OIP is found by gradient *ascent* on the input image: start from random fluctuations on several
length scales, and repeatedly move the image along the normalized gradient of the map's mean
activation, standardizing the image after every step. The standardization is essential: the layers
are ReLU ramps without a maximum, so without it the image would just grow.

Everything here returns data; the figures live in :mod:`helpers.oip.display`. The step itself is
:func:`helpers.oip.ascent.ascent_step`; :mod:`helpers.oip.engine` runs it in one compiled loop for a
whole batch of images at once (many maps, or many random starts for one map).
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field

import keras
import numpy as np
import tensorflow as tf

from ..arguments import check_count, check_non_negative, check_positive, check_seed
from ..data import as_image_batch
from ..model import check_layer_name, load_model_file, load_reference_model
from .constants import (ARTICLE_SCALES, CONV_CRITERION, EPSILON, IMAGE_SIZE, N_EPOCHS, N_REPORTS, PERFECT_DIGIT_FACTORS,
                        PRECURSOR_CANDIDATES, PRECURSOR_FACTORS, PRECURSOR_ROUND_STEP, PRECURSOR_ROUNDS,
                        ZERO_STEP_LIMIT)
from .engine import Ascent, draw_seed
from .fast_kernels import VISUAL_LAYER_TYPES
from .objectives import channel, class_score
from .regularizers import Jitter, TotalVariation
from .starts import initial_image, pick_best


# --------------------------------------------------------------------------------------------------
# Results
# --------------------------------------------------------------------------------------------------
@dataclass
class OIPResult:
    """What one derivation produced for one map.
    Returned by :meth:`My_OIP.derive` and ``derive_many``; used in notebook 06 from section 4 on and in notebook 07."""

    map_index: int
    image: np.ndarray                  # (28, 28) final pattern, standardized
    losses: np.ndarray                 # mean map activation before each step, (steps run,)
    snapshots: list                    # [(step, (28, 28) image after that step), ...]
    responded: bool                    # False: the map stayed at zero activation (> ZERO_STEP_LIMIT zero steps)
    converged: bool                    # the article's relative-change criterion held for 4 steps in a row
    initial_image: np.ndarray = None   # (28, 28) start image
    converged_at: int | None = None    # step where convergence was reached
    message: str = ""                  # e.g. advice when the map did not respond
    start_activation: float = float("nan")
    seed: int | None = None            # the seed of the start and the jitter (drawn when none was given)
    extras: dict = field(default_factory=dict)

    @property
    def final_loss(self) -> float:
        return float(self.losses[-1]) if len(self.losses) else float("nan")

    def __repr__(self):  # arrays make the default repr unreadable
        state = "responded" if self.responded else "no response"
        return (f"OIPResult(map_index={self.map_index}, final_loss={self.final_loss:.4g}, {state}, "
                f"converged={self.converged}, steps={len(self.losses)})")


NO_RESPONSE_MESSAGE = (f"map {{m}} did not respond: its activation stayed at zero for more than {ZERO_STEP_LIMIT} steps. "
                       "Try other fluctuation scales (e.g. larger factors on the long wavelengths "
                       "(3,3) and (7,7)), another seed, or precursor=True.")


def snapshot_steps(n_epochs: int, n_reports: int = N_REPORTS) -> list[int]:
    """The article's log-spaced report steps: 0, then n_epochs // 2**n_reports doubled n_reports
    times, then the last step. For 600 steps and 6 reports: [0, 9, 18, 36, 72, 144, 288, 599].
    Used in notebook 06, section 6."""
    n_epochs = check_count("n_epochs", n_epochs, 1)
    n_reports = check_count("n_reports", n_reports, 0)
    if n_reports > n_epochs:
        raise ValueError(f"n_reports (intermediate snapshots) must lie in 0..n_epochs={n_epochs}; got {n_reports}.")
    base = n_epochs // 2 ** n_reports
    steps = {0, n_epochs - 1}
    steps.update(base * 2 ** k for k in range(n_reports) if base * 2 ** k < n_epochs)
    return sorted(steps)


class My_OIP:
    """Derive OIPs for the maps of one conv or pool layer of a trained CNN.
    Taught in notebook 06 (from section 1 on); used again in notebook 07.

    >>> oip = My_OIP()                       # reference model, layer Conv2D_3
    >>> res = oip.derive(120, seed=1)        # the "Hand of MNIST" map of the articles
    >>> results = oip.derive_many(range(oip.n_maps), precursor=True)   # a whole layer in one batch
    """

    def __init__(self, model_or_path=None, layer_name: str = "Conv2D_3"):
        if model_or_path is None:
            model = load_reference_model()
        elif isinstance(model_or_path, (str, os.PathLike)):
            model = load_model_file(model_or_path)
        elif isinstance(model_or_path, keras.Model):
            model = model_or_path
        else:
            raise TypeError(f"model_or_path must be a keras.Model, a .keras (or legacy .h5) file path or None; "
                            f"got {type(model_or_path).__name__}.")
        self.model = model
        check_layer_name(model, layer_name, VISUAL_LAYER_TYPES, "conv or pool",
                         hint="For the output classes use perfect_digits().")
        self.layer_name = layer_name
        self._ascent = Ascent(model)           # the compiled loop (helpers.oip.engine)
        self.submodel = self._ascent.parts.submodel(layer_name)   # input → this layer's maps
        self.n_maps = int(self.submodel.output.shape[-1])
        self.map_shape = tuple(int(d) for d in self.submodel.output.shape[1:3])

    def __repr__(self):
        return f"My_OIP(layer={self.layer_name!r}, maps={self.n_maps}, map_shape={self.map_shape})"

    # -- inputs ------------------------------------------------------------------------------------
    def initial_image(self, factors=None, scales=ARTICLE_SCALES, n: int = 1, seed=None,
                      smoothing: bool = False) -> np.ndarray:
        """Random multi-scale start image(s), (n, 28, 28, 1); see :func:`initial_image`."""
        return initial_image(factors, scales, n, seed, smoothing)

    def check_maps(self, map_indices) -> np.ndarray:
        """Map indices of this layer as int32 (n,); a clear TypeError / IndexError / ValueError otherwise.
        The gallery, the dream carving and the explorers check their map arguments with it."""
        return self._ascent.parts.check_maps(self.layer_name, map_indices)

    @staticmethod
    def _as_batch(images) -> np.ndarray:
        """(28, 28), (28, 28, 1), (n, 28, 28) or (n, 28, 28, 1) → standardized float32 (n, 28, 28, 1)."""
        return tf.image.per_image_standardization(as_image_batch(images)).numpy()

    def _check_starts(self, start, n: int) -> np.ndarray:
        x = self._as_batch(start)
        if len(x) == 1 and n > 1:
            x = np.repeat(x, n, axis=0)
        if len(x) != n:
            raise ValueError(f"Got {len(x)} start images for {n} maps; give one, or one per map.")
        return x

    # -- activations -------------------------------------------------------------------------------
    def map_activations(self, images) -> np.ndarray:
        """Mean activation of every map for standardized images (N, 28, 28, 1): (N, n_maps)."""
        return self._map_means(self._as_batch(images))

    def _map_means(self, images) -> np.ndarray:
        """Every map's mean activation for images already standardized, (N, n_maps)."""
        return self._ascent.parts.map_means(self.layer_name, images)

    def live_maps(self, images) -> np.ndarray:
        """Indices of the maps that at least one of the (standardized) images activates (mean > 0)."""
        return np.flatnonzero(self.map_activations(images).max(axis=0) > 0)

    # -- precursor ---------------------------------------------------------------------------------
    def precursor_starts(self, map_indices, n_candidates: int = PRECURSOR_CANDIDATES, factors=None,
                         scales=ARTICLE_SCALES, seed=None, max_rounds: int = PRECURSOR_ROUNDS,
                         smoothing: bool = False):
        """Article X's precursor: for each map, pick from many long-wavelength random images the one
        that activates it most. All candidates go through the network once, for all maps together.

        Maps that none of the candidates activates get further rounds with fresh candidates that also
        contain shorter wavelengths. ``factors``: one per scale, by default the article's
        PRECURSOR_FACTORS (for its four scales). Returns (starts (n, 28, 28, 1), best initial activation (n,)).
        Taught in notebook 06, section 7.
        """
        idx = self.check_maps(map_indices)
        factors = precursor_factors(scales) if factors is None else factors
        rng = np.random.default_rng(check_seed("seed", seed))
        best = np.full(len(idx), -np.inf, dtype=np.float32)
        starts = np.zeros((len(idx), IMAGE_SIZE, IMAGE_SIZE, 1), np.float32)
        for r in range(max_rounds):   # round r adds r * 0.25 to every factor: shorter wavelengths join in
            todo = best <= 0
            if not todo.any():
                break
            mix = np.clip(np.asarray(factors, np.float32) + PRECURSOR_ROUND_STEP * r, 0, None)
            cands = initial_image(mix, scales, n_candidates, rng.integers(2 ** 32), smoothing)
            picked, gain = pick_best(cands, self._map_means(cands)[:, idx])   # (candidates, maps)
            better = todo & (gain > best)
            starts[better] = picked[better]
            best[better] = gain[better]
        return starts, best

    # -- derivation --------------------------------------------------------------------------------
    def derive_many(self, map_indices, n_epochs: int = N_EPOCHS, epsilon: float = EPSILON, seed=None,
                    precursor: bool = False, start=None, factors=None, scales=None,
                    n_reports: int | None = None, conv_criterion: float = CONV_CRITERION, stop_early: bool = False,
                    jitter: int = 0, tv_weight: float = 0.0, smoothing: bool = False,
                    n_candidates: int = PRECURSOR_CANDIDATES, penalties=(), transforms=(), constraints=()
                    ) -> list[OIPResult]:
        """Derive OIPs for several maps (repeats allowed: several starts for one map) in ONE batched,
        compiled run. Start images: ``start`` if given, else the precursor's choice if ``precursor``
        (``factors``: the precursor's, one per scale), else fresh multi-scale fluctuations (``factors``,
        ``scales``, ``smoothing``, ``seed``). With ``seed=None`` a seed is drawn and kept in each result.

        n_reports: intermediate snapshots (log-spaced); by default the article's 6, or one per step for
        runs shorter than that, so a short run never fails for a default the caller did not set.
        Beyond the article, all off by default: ``jitter`` (pixels) and ``tv_weight`` (total variation)
        are shortcuts for ``transforms=[Jitter(jitter)]`` and ``penalties=[TotalVariation(tv_weight)]``;
        ``penalties``, ``transforms`` and ``constraints`` take the objects of :mod:`helpers.oip.regularizers`
        (a :class:`~helpers.oip.regularizers.Diversity` spreads the images that share a map).
        Taught in notebook 06, section 6.
        """
        idx = self.check_maps(map_indices)
        n_epochs = check_count("n_epochs", n_epochs, 1)
        epsilon = check_positive("epsilon (the step size)", epsilon)
        if n_reports is None:
            n_reports = min(N_REPORTS, n_epochs)
        if check_count("n_reports", n_reports, 0) > n_epochs:
            raise ValueError(f"n_reports={n_reports} is larger than n_epochs={n_epochs}; "
                             "ask for fewer snapshots or more steps.")
        jitter = check_count("jitter", jitter, 0)
        seed = draw_seed() if seed is None else check_seed("seed", seed)
        tv_weight = check_non_negative("tv_weight", tv_weight)
        start_act = np.full(len(idx), np.nan, np.float32)
        if start is not None:
            if factors is not None or scales is not None or smoothing:
                raise ValueError("factors, scales and smoothing shape random start images; with a start image "
                                 "given they would be ignored: leave them out, or leave out start.")
            starts = self._check_starts(start, len(idx))
        else:
            scales = ARTICLE_SCALES if scales is None else scales
            if precursor:
                starts, start_act = self.precursor_starts(idx, n_candidates, factors, scales, seed, smoothing=smoothing)
            else:
                starts = initial_image(factors, scales, len(idx), seed, smoothing)
        if np.isnan(start_act).all():
            start_act = self._map_means(starts)[np.arange(len(idx)), idx]
        steps = snapshot_steps(n_epochs, n_reports)
        penalties = [p.for_batch(idx) for p in penalties] + ([TotalVariation(tv_weight)] if tv_weight > 0 else [])
        transforms = list(transforms) + ([Jitter(jitter)] if jitter > 0 else [])
        out = self._ascent.run(channel(self.layer_name, idx), starts, n_epochs, epsilon, penalties=penalties,
                               transforms=transforms, constraints=constraints, snapshot_steps=steps,
                               conv_criterion=conv_criterion, stop_early=stop_early, seed=seed)
        results = []
        for b, m in enumerate(idx):
            ran, conv, responded = int(out.steps_run[b]), int(out.converged_at[b]), bool(out.responded[b])
            results.append(OIPResult(
                map_index=int(m), image=out.images[b, :, :, 0], losses=out.losses[:ran, b],
                snapshots=[(s, out.snapshots[i, b, :, :, 0]) for i, s in enumerate(steps) if s < ran],
                responded=responded, converged=conv >= 0, initial_image=starts[b, :, :, 0],
                converged_at=conv if conv >= 0 else None,
                message="" if responded else NO_RESPONSE_MESSAGE.format(m=int(m)),
                start_activation=float(start_act[b]), seed=seed,
            ))
        return results

    def derive(self, map_index: int, n_epochs: int = N_EPOCHS, epsilon: float = EPSILON, seed=None,
               precursor: bool = False, start=None, **kwargs) -> OIPResult:
        """Derive the OIP of one map; the arguments are those of :meth:`derive_many`."""
        if np.ndim(map_index) != 0:
            raise TypeError("derive() takes one map index; use derive_many() for several.")
        return self.derive_many([map_index], n_epochs, epsilon, seed, precursor, start, **kwargs)[0]

    def ascend(self, images, map_indices, n_steps: int, epsilon: float = EPSILON) -> tuple[np.ndarray, np.ndarray]:
        """Run ``n_steps`` plain ascent steps from given images (standardized first), one map per
        image; no snapshots. Used by the dream carving. Returns (images (n, 28, 28, 1), losses (steps, n))."""
        starts = self._as_batch(images)
        idx = self.check_maps(np.broadcast_to(np.asarray(map_indices), (len(starts),)))
        n_steps = check_count("n_steps", n_steps, 0)
        epsilon = check_positive("epsilon (the step size)", epsilon)
        if n_steps == 0:
            return starts, np.zeros((0, len(starts)), np.float32)
        out = self._ascent.run(channel(self.layer_name, idx), starts, n_steps, epsilon)
        return out.images, out.losses

    # -- perfect digits ----------------------------------------------------------------------------
    def perfect_digits(self, n_epochs: int = N_EPOCHS, epsilon: float = EPSILON, seed=0,
                       factors=PERFECT_DIGIT_FACTORS, scales=ARTICLE_SCALES) -> np.ndarray:
        """Class maximization: for each digit c, ascend the pre-softmax score of class c from random
        multi-scale fluctuations (:func:`initial_image`, which standardizes the start, so only the ratios of
        ``factors`` matter, not their size), standardizing after each step. Returns (10, 28, 28)
        standardized images. The blog's variant (zero start, class probability, no standardization) is
        :func:`helpers.oip.blog_digits.blog_perfect_digits`. Taught in notebook 07, section 7."""
        n_epochs = check_count("n_epochs", n_epochs, 1)
        epsilon = check_positive("epsilon (the step size)", epsilon)
        seed = check_seed("seed", seed)
        n_classes = self._ascent.parts.n_classes()
        starts = initial_image(factors, scales, n_classes, seed)
        return self._ascent.run(class_score(np.arange(n_classes)), starts, n_epochs, epsilon).images[..., 0]

    def classify(self, images) -> np.ndarray:
        """Predicted classes for standardized images (N, 28, 28[, 1])."""
        x = self._as_batch(images)
        return self.model.predict(x, verbose=0).argmax(axis=1)


def precursor_factors(scales) -> tuple:
    """The precursor's weights for ``scales``: the article's PRECURSOR_FACTORS for its four scales. For
    other scales there is no rule that keeps "long wavelengths only" honest, so they must be given."""
    if tuple(tuple(np.broadcast_to(s, 2)) for s in scales) != ARTICLE_SCALES:
        raise ValueError(f"The precursor's default factors {PRECURSOR_FACTORS} are for the article's scales "
                         f"{ARTICLE_SCALES}; for scales {tuple(scales)} give factors=, one per scale, with the "
                         "weight on the long wavelengths (the coarse grids).")
    return PRECURSOR_FACTORS
