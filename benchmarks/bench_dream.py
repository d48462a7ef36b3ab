"""Speed of the dream carving: 560×560, 4 iterations, all four quadrants, 30 OIP steps per region.

Compared in the same run (same photo, maps and steps, so the same amount of arithmetic):
- batched:       DreamCarver as shipped — per iteration one ascent for the full image and ONE batched
                 ascent for all four quadrants (compiled loop);
- one at a time: the same compiled ascent, but each quadrant in its own call (4 + 1 calls per iteration);
- eager:         the articles' style — a Python loop with one eager GradientTape step at a time,
                 region after region.
Also printed: the first carving of a fresh carver (it pays for tracing the compiled loop once).

Run: python benchmarks/bench_dream.py [--repeats 5] [--size 560] [--iterations 4] [--no-eager]
Prints medians of several runs and the ratios (these machines are noisy; ratios are what count).
"""
from __future__ import annotations

import argparse
import os
import statistics
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

from helpers.dream import DreamCarver  # noqa: E402
from helpers.dream.photo import load_photo  # noqa: E402
from timing import timed  # benchmarks/timing.py (scripts run as python benchmarks/NAME.py)


class OneAtATimeCarver(DreamCarver):
    """The shipped algorithm, but every region's ascent is a separate call (no batching)."""

    def _ascend(self, small, maps, steps, epsilon, noise, rng):
        outs = [super(OneAtATimeCarver, self)._ascend(small[i:i + 1], [maps[i]], steps, epsilon, noise, rng)
                for i in range(len(small))]
        return np.concatenate([o[0] for o in outs]), np.concatenate([o[1] for o in outs], axis=1)


class EagerCarver(DreamCarver):
    """The articles' way: one region at a time, an eager GradientTape step per Python iteration."""

    def _ascend(self, small, maps, steps, epsilon, noise, rng):
        submodel = self.oip.submodel
        images, losses = [], []
        for i in range(len(small)):
            x = tf.image.per_image_standardization(tf.convert_to_tensor(small[i:i + 1], tf.float32))
            region_losses = []
            for _ in range(steps):
                with tf.GradientTape() as tape:
                    tape.watch(x)
                    loss = tf.reduce_mean(submodel(x, training=False)[..., maps[i]])
                g = tape.gradient(loss, x)
                g /= tf.sqrt(tf.reduce_mean(tf.square(g))) + 1e-7
                region_losses.append(float(loss.numpy()))   # the articles report the loss every step
                x = tf.image.per_image_standardization(x + epsilon * g)
            images.append(x.numpy())
            losses.append(region_losses)
        return np.concatenate(images), np.asarray(losses, np.float32).T


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--size", type=int, default=560)
    ap.add_argument("--iterations", type=int, default=4)
    ap.add_argument("--steps", type=int, default=30)
    ap.add_argument("--map", type=int, default=25)
    ap.add_argument("--sub-map", type=int, default=123)
    ap.add_argument("--no-eager", action="store_true", help="skip the (slow) eager baseline")
    args = ap.parse_args(argv)

    photo = load_photo("default", size=args.size)
    kwargs = dict(map_index=args.map, sub_maps=args.sub_map, quadrants="all", iterations=args.iterations,
                  steps=args.steps)
    print(f"photo {photo.describe()}; {args.iterations} iterations × {args.steps} steps, all four quadrants, "
          f"{os.cpu_count()} CPUs, TensorFlow {tf.__version__}")

    t0 = time.perf_counter()
    batched = DreamCarver()
    load = time.perf_counter() - t0
    first = timed(lambda: batched.carve(photo, **kwargs), 1)[0]
    print(f"model load {load:.2f} s; first carving of a fresh carver (tracing included) {first:.2f} s")

    one = OneAtATimeCarver(oip=batched.oip)       # shares the traced loop: only the batching differs
    contenders = [("batched (shipped)", batched), ("one quadrant per call", one)]
    if not args.no_eager:
        contenders.append(("eager, step by step (articles)", EagerCarver(oip=batched.oip)))
    for _, carver in contenders[1:]:
        carver.carve(photo, **kwargs)              # warm-up
    results = {}
    # interleave the repeats so that a burst of load on the shared machine hits all contenders alike
    times = {name: [] for name, _ in contenders}
    for _ in range(args.repeats):
        for name, carver in contenders:
            times[name] += timed(lambda: carver.carve(photo, **kwargs), 1)
    ref = statistics.median(times[contenders[0][0]])
    for name, _ in contenders:
        med = statistics.median(times[name])
        results[name] = med
        print(f"{name:32s} median {med:6.2f} s  (runs: {', '.join(f'{t:.2f}' for t in times[name])})  "
              f"ratio to batched {med / ref:5.2f}×")
    same = np.allclose(batched.carve(photo, **kwargs).image, one.carve(photo, **kwargs).image, atol=1e-4)
    print(f"batched and one-at-a-time give the same image: {same}")
    return results


if __name__ == "__main__":
    main()
