"""The open ascent engine (objectives, penalties and constraints passed in; issue 19) against the engine before
it (benchmarks/frozen_oip/, a copy of helpers/oip/ at stop 17), and two new objectives against an eager loop,
all in one run on the reference model.

Old against new, the same calls with the same starts (the results are compared too):
  one map × 600 steps       ``My_OIP.derive`` of the first map from #120 on that responds to its start
  128 maps × 100 steps      ``My_OIP.derive_many`` of all of Conv2D_3 in one batch
  perfect digits            ``My_OIP.perfect_digits()``: 10 class scores × 600 steps
  blog perfect digits       ``blog_perfect_digits(model, n_steps=1024)``: class probabilities, shrinking step
New objectives, the engine against a lean eager loop (one GradientTape step per Python iteration, the
course's update, nothing pulled to Python until the end):
  class score               ``class_score(range(10))``: 10 images × 600 steps (the perfect digits' objective)
  composed objective        ``channel(m) - 0.5 * channel(7)`` of Conv2D_3: one image × 600 steps

Contenders alternate within each repeat (the order flips every repeat), so a busy spell of this shared
machine hits them alike; the script prints every run, the medians and their ratios.

Run: python benchmarks/bench_engine.py [--repeats 9] [--quick] [--only WORD ...]
``--only``: the tasks whose name contains one of the words (e.g. ``--only "one map" "128 maps"``).
Besides the medians, each pair prints the median of the per-repeat ratios (the two runs of a repeat are
timed back to back, so a slow spell of the machine cancels out of their ratio).
"""
from __future__ import annotations

import argparse
import importlib.util
import statistics
import sys
import time
from pathlib import Path

import numpy as np

FROZEN = Path(__file__).resolve().parent / "frozen_oip"


def load_frozen_oip(path: Path = FROZEN):
    """The frozen copy of helpers/oip/ as the package ``helpers._frozen_oip`` (its relative imports of
    ``..model`` and friends use today's helpers). Used here and by bench_peers.py --compare-engine."""
    import helpers

    name = "helpers._frozen_oip"
    spec = importlib.util.spec_from_file_location(name, path / "__init__.py", submodule_search_locations=[str(path)])
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    helpers._frozen_oip = module
    return module


def eager_climb(objective, start, n_steps: int, epsilon: float = 0.01):
    """The lean eager loop for any objective images → (n,): the course's update (unit-RMS gradient per
    image with the article's + 1e-7, step, per-image standardization), one GradientTape per step."""
    import tensorflow as tf

    x = tf.convert_to_tensor(start)
    for _ in range(n_steps):
        with tf.GradientTape() as tape:
            tape.watch(x)
            total = tf.reduce_sum(objective(x))
        g = tape.gradient(total, x)
        rms = tf.sqrt(tf.reduce_mean(tf.square(g), axis=[1, 2, 3], keepdims=True))
        x = tf.image.per_image_standardization(x + epsilon * g / (rms + 1e-7))
    return x.numpy()


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--repeats", type=int, default=9)
    ap.add_argument("--quick", action="store_true", help="a smoke test: few steps, one repeat")
    ap.add_argument("--only", nargs="*", help="run only the tasks whose name contains one of these words")
    args = ap.parse_args(argv)

    import keras
    import tensorflow as tf

    from helpers import load_reference_model
    from helpers.model import class_scores_model
    from helpers.oip import My_OIP, blog_perfect_digits, channel, class_score, initial_image
    from helpers.oip.engine import Ascent

    frozen = load_frozen_oip()
    q = args.quick
    steps_one, steps_all, steps_blog, repeats = (10, 3, 20, 1) if q else (600, 100, 1024, args.repeats)
    layer = "Conv2D_3"
    model = load_reference_model()
    new, old = My_OIP(model, layer), frozen.My_OIP(model, layer)
    maps = np.arange(new.n_maps)
    starts = initial_image(n=len(maps), seed=1)
    own_start = new.map_activations(starts)[maps, maps]
    m = next(k for k in range(120, len(maps)) if own_start[k] > 0)   # a map that climbs from its start
    start_one = starts[m:m + 1]
    sub = keras.Model(model.inputs, model.get_layer(layer).output)
    scores = class_scores_model(model)
    digit_starts = initial_image((0.1,) * 4, n=10, seed=0)
    classes = np.arange(10)
    composed = channel(layer, m) - 0.5 * channel(layer, 7)
    ascent = Ascent(model)

    def composed_eager(x):
        act = tf.reduce_mean(sub(x, training=False), axis=[1, 2])
        return act[:, m] - 0.5 * act[:, 7]

    def score_eager(x):
        return tf.reduce_sum(scores(x, training=False) * tf.one_hot(classes, 10), axis=-1)

    pairs = {   # task: (new, old or eager baseline, baseline's name)
        f"one map (#{m}) x {steps_one} steps": (lambda: new.derive(m, n_epochs=steps_one, start=start_one),
                                               lambda: old.derive(m, n_epochs=steps_one, start=start_one), "old"),
        f"128 maps x {steps_all} steps": (lambda: new.derive_many(maps, n_epochs=steps_all, start=starts),
                                           lambda: old.derive_many(maps, n_epochs=steps_all, start=starts), "old"),
        f"perfect digits, 10 x {steps_one} steps": (lambda: new.perfect_digits(n_epochs=steps_one),
                                                     lambda: old.perfect_digits(n_epochs=steps_one), "old"),
        f"blog perfect digits, {steps_blog} steps": (lambda: blog_perfect_digits(model, steps_blog),
                                                      lambda: frozen.blog_perfect_digits(model, steps_blog), "old"),
        f"class_score(0..9), 10 x {steps_one} steps": (
            lambda: ascent.run(class_score(classes), digit_starts, steps_one).images,
            lambda: eager_climb(score_eager, digit_starts, steps_one), "eager"),
        f"channel({m}) - 0.5 * channel(7), 1 x {steps_one} steps": (
            lambda: ascent.run(composed, start_one, steps_one).images,
            lambda: eager_climb(composed_eager, start_one, steps_one), "eager"),
    }

    if args.only:
        pairs = {t: p for t, p in pairs.items() if any(w in t for w in args.only)}

    def images(r):
        if isinstance(r, list):
            return np.stack([x.image for x in r])
        if hasattr(r, "image"):
            return r.image[None]
        if hasattr(r, "images"):
            return np.asarray(r.images).reshape(-1, 28, 28)
        return np.asarray(r).reshape(-1, 28, 28)

    print(f"bench_engine: TensorFlow {tf.__version__}, Keras {keras.__version__}; {repeats} repeats, alternating")
    diffs = {}
    for task, (a, b, _) in pairs.items():   # warm-up (tracing), and the check that both do the same work
        diffs[task] = float(np.abs(images(a()) - images(b())).max())
    runs = {(t, w): [] for t in pairs for w in (0, 1)}
    order = list(runs)
    for r in range(repeats):
        for t, w in (order if r % 2 == 0 else order[::-1]):
            t0 = time.perf_counter()
            pairs[t][w]()
            runs[(t, w)].append(time.perf_counter() - t0)
    fmt = lambda v: "[" + ", ".join(f"{x:.3g}" for x in v) + "]"  # noqa: E731
    for t, (_, _, base) in pairs.items():
        med_new, med_base = statistics.median(runs[(t, 0)]), statistics.median(runs[(t, 1)])
        paired = statistics.median(a / b for a, b in zip(runs[(t, 0)], runs[(t, 1)]))
        print(f"\n{t}")
        print(f"  engine now        median {med_new:8.3f} s  {fmt(runs[(t, 0)])}")
        label = "engine before    " if base == "old" else "lean eager loop  "
        print(f"  {label} median {med_base:8.3f} s  {fmt(runs[(t, 1)])}")
        if base == "old":
            print(f"  now / before = {med_new / med_base:.3f} (goal <= 1.05), median of the per-repeat ratios "
                  f"{paired:.3f}; final images: max |difference| {diffs[t]:.1e}")
        else:
            print(f"  x{med_base / med_new:.1f} faster than the eager loop; final images: max |difference| "
                  f"{diffs[t]:.1e}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
