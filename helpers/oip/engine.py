"""The one compiled ascent loop of the course: :func:`helpers.oip.ascent.ascent_step` in a ``tf.while_loop``
for a whole batch of images, with no Python work per step. Every ascent in ``helpers`` runs here: the OIPs
(``My_OIP.derive``/``derive_many``/``ascend``), the precursor's runs, the perfect digits (both recipes), the
one-layer shortcut of notebook 07 and the dream carving.

What to climb is an objective (:mod:`helpers.oip.objectives`); penalties, transforms and constraints are
objects in lists (:mod:`helpers.oip.regularizers`). The loop is compiled once per set of their settings
(``key()``); their per-image numbers (``arrays(n)``) are its inputs. The fast kernels of
:mod:`helpers.oip.fast_kernels` are the objectives' business, not the loop's.
"""
from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np
import tensorflow as tf

from ..arguments import check_count, check_positive, check_seed
from ..data import check_finite
from .ascent import ascent_step, convergence_streak
from .constants import CONV_CRITERION, CONVERGENCE_STREAK, EPSILON, ZERO_STEP_LIMIT
from .fast_kernels import SMALL_BATCH
from .objectives import ModelParts, Objective
from .regularizers import Constraint, Penalty, Transform


@dataclass
class AscentOutput:
    """What :meth:`Ascent.run` returns."""

    images: np.ndarray          # (n, 28, 28, 1) final images
    losses: np.ndarray          # (n_steps, n) objective before each step; NaN for steps an image did not take
    zero_steps: np.ndarray      # (n,) steps with an objective of exactly 0
    snapshots: np.ndarray       # (n_snaps, n, 28, 28, 1) images after the snapshot steps (NaN if not reached)
    converged_at: np.ndarray    # (n,) step of convergence or -1
    steps_run: np.ndarray       # (n,) steps each image took
    responded: np.ndarray       # (n,) map objectives: at most ZERO_STEP_LIMIT zero steps; others: True
    stopped_at: np.ndarray      # (n,) step at which ``stop_when`` held (the image took no more steps) or -1
    seed: int                   # the seed of the random transforms (drawn if none was given)


def draw_seed() -> int:
    """A fresh random seed (for ``seed=None``), kept in the result so the run can be repeated."""
    return int(np.random.SeedSequence().entropy % 2 ** 31)


class Ascent:
    """Batched, compiled gradient ascent of an objective on the images of a batch, for one model (or None
    for objectives that need no model)."""

    CHUNK = 50  # with early stops: steps between removals of finished images from the batch

    def __init__(self, model=None):
        self.parts = ModelParts(model)
        self._loops = {}

    def run(self, objective, starts, n_steps: int, step_size=EPSILON, *, standardize: bool = True,
            penalties=(), transforms=(), constraints=(), snapshot_steps=(), conv_criterion: float = CONV_CRITERION,
            stop_early: bool = False, stop_when=None, signed: bool = False, seed=None) -> AscentOutput:
        """Ascend ``objective`` from ``starts`` (n, 28, 28, 1) for ``n_steps`` steps of size ``step_size`` (a
        number, or a schedule: a function of the step number, as a float tensor). ``standardize``: after
        each step (the articles' OIPs). ``stop_early``: an image stops once it has converged;
        ``stop_when``: an objective, an image stops (before a step) once its value is > 0. ``signed``: signed
        gradient steps (every pixel moves by ``step_size``; PGD, notebook 09). Both stops are refused
        with a penalty that couples the images (:class:`helpers.oip.regularizers.Diversity`). The compiled
        loop runs from one snapshot step to the next; with early stops, every CHUNK steps the images that
        have finished leave the batch."""
        n_steps = check_count("n_steps", n_steps, 1)
        x = np.array(starts, np.float32)
        if x.ndim != 4 or x.shape[1:] != (28, 28, 1):
            raise ValueError(f"starts must be images (n, 28, 28, 1); got shape {x.shape}.")
        check_finite(x, "start image")
        if not callable(step_size):
            check_positive("step_size", step_size)
        for name, items, kind in (("objective", [objective], Objective), ("penalties", penalties, Penalty),
                                  ("transforms", transforms, Transform), ("constraints", constraints, Constraint),
                                  ("stop_when", [] if stop_when is None else [stop_when], Objective)):
            wrong = [p for p in items if not isinstance(p, kind)]
            if wrong:
                raise TypeError(f"{name} takes {kind.__name__} objects (helpers.oip.objectives, "
                                f"helpers.oip.regularizers); got {wrong[0]!r}.")
        if (stop_early or stop_when is not None) and any(getattr(p, "couples_images", False) for p in penalties):
            raise ValueError("A penalty that couples the images (Diversity) needs the whole batch at every step: "
                             "use it without stop_early and stop_when.")
        seed = draw_seed() if seed is None else check_seed("seed", seed)
        n, finishing = len(x), bool(stop_early or stop_when is not None)
        groups = (objective, tuple(penalties), tuple(transforms), tuple(constraints),
                  () if stop_when is None else (stop_when,))
        every = [objective, *groups[1], *groups[2], *groups[3], *groups[4]]
        for p in every:
            p.prepare(self.parts)
        arrays = [np.asarray(a) for p in every for a in p.arrays(n)]
        schedule = step_size if callable(step_size) else None
        settings = (bool(stop_early), n <= SMALL_BATCH, bool(standardize), schedule, bool(signed))
        key = (tuple(p.key() for p in every), tuple(len(g) for g in groups[1:]), settings)
        if key not in self._loops:   # autograph off: the loop is written with tf.while_loop already
            self._loops[key] = tf.function(functools.partial(self._loop_py, groups, settings),
                                           reduce_retracing=True, autograph=False)
        loop = self._loops[key]

        snap_steps = sorted(set(int(s) for s in snapshot_steps))
        losses = np.full((n_steps, n), np.nan, np.float32)
        snaps = np.full((len(snap_steps), n) + x.shape[1:], np.nan, np.float32)
        conv_at, stop_at = np.full(n, -1, np.int32), np.full(n, -1, np.int32)
        steps_run = np.zeros(n, np.int32)
        prev, streak = np.zeros(n, np.float32), np.zeros(n, np.int32)
        bounds = {s + 1 for s in snap_steps} | {n_steps}
        if finishing:
            bounds |= set(range(self.CHUNK, n_steps, self.CHUNK))
        eps = 0.0 if schedule else float(step_size)
        todo, j0 = np.arange(n), 0
        for j1 in sorted(b for b in bounds if 0 < b <= n_steps):
            if not todo.size:
                break
            out = loop(tf.constant(x[todo]), [tf.constant(a[todo]) for a in arrays], tf.constant(j0), tf.constant(j1),
                       tf.constant(eps, tf.float32), tf.constant(conv_criterion, tf.float32),
                       tf.constant(prev[todo]), tf.constant(streak[todo]), tf.constant(seed, tf.int32))
            xb, lb, cb, sb, j_stop, pb, stb = [o.numpy() for o in out]
            x[todo], prev[todo], streak[todo] = xb, pb, stb
            ran = np.where(sb >= 0, sb, np.where((cb >= 0) & stop_early, cb + 1, j_stop))
            losses[j0:j1, todo] = np.where(np.arange(j0, j1)[:, None] < ran[None, :], lb, np.nan)
            steps_run[todo] = ran
            conv_at[todo] = np.where((cb >= 0) & (conv_at[todo] < 0), cb, conv_at[todo])   # the first time
            stop_at[todo] = sb
            if j1 - 1 in snap_steps:
                here = ran >= j1
                snaps[snap_steps.index(j1 - 1), todo[here]] = xb[here]
            if finishing:
                todo = todo[(stop_at[todo] < 0) & ((conv_at[todo] < 0) | (not stop_early))]
            j0 = j1
        zeros = np.sum(losses == 0, axis=0)
        responded = zeros <= ZERO_STEP_LIMIT if objective.is_map else np.ones(n, bool)
        return AscentOutput(x, losses, zeros, snaps, conv_at, steps_run, responded, stop_at, seed)

    def _loop_py(self, groups, settings, x, arrays, j0, j_end, step_size, conv_criterion, prev, streak, seed):
        """Steps j0 .. j_end-1 for a batch, compiled into one graph loop that also records the losses and
        runs the convergence test and the stop conditions."""
        objective, penalties, transforms, constraints, stop_when = groups
        stop_early, small, standardize, schedule, signed = settings
        fns, i = [], 0
        for p in (objective, *penalties, *transforms, *constraints, *stop_when):   # each from its own arrays
            fns.append(p.build(self.parts, arrays[i:i + p.n_arrays], small))
            i += p.n_arrays
        fns = iter(fns)
        value = next(fns)
        penalty_fns, transform_fns, constraint_fns, stop_fns = ([next(fns) for _ in g] for g in groups[1:])
        penalty = (lambda images: tf.add_n([p(images) for p in penalty_fns])) if penalty_fns else None
        batch = tf.shape(x)[0]
        losses = tf.TensorArray(tf.float32, size=j_end - j0, element_shape=[None])
        finishing = stop_early or bool(stop_fns)

        def cond(j, x, prev, streak, converged_at, stopped_at, active, losses):
            return tf.logical_and(j < j_end, tf.reduce_any(active)) if finishing else j < j_end

        def body(j, x, prev, streak, converged_at, stopped_at, active, losses):
            def seen(images):   # what the objective sees: the images after the transforms
                for t in transform_fns:
                    images = t(images, j, seed)
                return images

            stop_values = []

            def climbed(images):   # the stop condition is read from the same forward pass as the objective
                images = seen(images)
                if stop_fns:
                    stop_values.append(stop_fns[0](images))
                return value(images)

            eps = schedule(tf.cast(j, tf.float32)) if schedule else step_size
            with self.parts.sharing():
                stepped, loss = ascent_step(x, climbed, eps, penalty, standardize, signed)
            if stop_fns:   # an image that meets its stop condition (before this step) does not take it
                stop = active & (stop_values[0] > 0)
                stopped_at = tf.where(stop, j, stopped_at)
                active = active & ~stop
            for c in constraint_fns:
                stepped = c(stepped)
            losses = losses.write(j - j0, loss)
            streak = convergence_streak(j, loss, prev, streak, conv_criterion)
            converged_at = tf.where((streak >= CONVERGENCE_STREAK) & (converged_at < 0), j, converged_at)
            x = tf.where(active[:, None, None, None], stepped, x) if finishing else stepped
            if stop_early:   # a converged image keeps the image of its last step
                active = active & (converged_at < 0)
            return j + 1, x, loss, streak, converged_at, stopped_at, active, losses

        start = [j0, x, prev, streak, tf.fill([batch], -1), tf.fill([batch], -1), tf.ones([batch], tf.bool), losses]
        j, x, prev, streak, converged_at, stopped_at, _, losses = tf.while_loop(cond, body, start)
        return x, losses.stack(), converged_at, stopped_at, j, prev, streak
