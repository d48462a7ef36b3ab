"""Turning a 4 into a 9 (issue 22, notebook 09): the flip-rate table and the smallest-ε bisection of
``helpers.adversarial`` on the reference model, against a baseline in the same run.

  flip-rate table   ``flip_rates``: 4 ε (0.05, 0.1, 0.2, 0.3) × 100 test 4s × 200 PGD steps (+ FGSM); goal ≤ 10 s
                    baseline: a lean eager PGD loop per digit (one GradientTape step per Python iteration,
                    the same signed step ε/30, projection and stop once it is a 9), on a few digits per ε, extrapolated to 100
  bisection         ``smallest_flipping_eps``: 100 test 4s, ε in (0, 0.3], tol 0.05; goal ≤ 30 s
                    baseline: the same bisection one digit at a time (batches of 1 on the engine), a few
                    digits, extrapolated to 100

The 4s are the first 100 test 4s the model calls 4. Times are wall clock; the first call of each includes
tracing (printed apart). Prints the table, the seconds and the load average.

Run: python benchmarks/bench_adversarial.py [--repeats 3] [--baseline-digits 2]
"""
from __future__ import annotations

import argparse
import os
import statistics
import time

import numpy as np
import tensorflow as tf

from helpers import load_mnist, load_reference_model
from helpers.adversarial import flip_rates, predict, smallest_flipping_eps
from timing import timed

EPSILONS = (0.05, 0.1, 0.2, 0.3)


def eager_pgd(model, x0, eps, n_steps=200, source=4, target=9):
    """The baseline: one digit, a Python loop of GradientTape steps (signed, projected, stop once the
    model calls the target)."""
    x0 = tf.constant(x0[None])
    x, step = x0, eps / 30
    for _ in range(n_steps):
        with tf.GradientTape() as tape:
            tape.watch(x)
            p = model(tf.image.per_image_standardization(x), training=False)
            if int(tf.argmax(p[0])) == target:
                break
            value = tf.math.log(p[0, target]) - tf.math.log(p[0, source])   # = score 9 - score 4
        x = x + step * tf.sign(tape.gradient(value, x))
        x = tf.clip_by_value(tf.clip_by_value(x, x0 - eps, x0 + eps), 0.0, 1.0)
    return x.numpy()[0]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--baseline-digits", type=int, default=2)
    args = ap.parse_args()
    print(f"load average {os.getloadavg()}, tf threads {tf.config.threading.get_intra_op_parallelism_threads()}")
    model = load_reference_model()
    (_, _), (x_test, y_test) = load_mnist()
    x = x_test[y_test == 4][:150, :, :, None].astype(np.float32) / 255
    fours = x[predict(model, x) == 4][:100]
    print(f"{len(fours)} test 4s")

    t0 = time.perf_counter()
    rates = flip_rates(model, fours, EPSILONS)
    first = time.perf_counter() - t0
    runs = timed(lambda: flip_rates(model, fours, EPSILONS), args.repeats)
    print("\nflip rates (share of the 100 4s the model calls 9), 200 PGD steps")
    print("   eps   FGSM    PGD")
    for e, f, p in zip(rates["eps"], rates["fgsm"], rates["pgd"]):
        print(f"  {e:4.2f}  {f:5.2f}  {p:5.2f}")
    print(f"flip-rate table: first call {first:.2f} s (with tracing), then {[round(r, 2) for r in runs]} s, "
          f"median {statistics.median(runs):.2f} s (goal ≤ 10 s)")

    k = args.baseline_digits
    t0, agree = time.perf_counter(), []
    for e in EPSILONS:
        for i in range(k):
            agree.append(predict(model, eager_pgd(model, fours[i], e)[None])[0] == 9)
    base = (time.perf_counter() - t0) / k * len(fours)
    print(f"baseline (eager loop per digit, {k} digits × 4 ε, extrapolated to {len(fours)}): {base:.1f} s "
          f"→ {base / statistics.median(runs):.0f}× the table; PGD only, FGSM not counted")
    print(f"  eager flips {sum(agree)}/{len(agree)} of those digit-ε pairs")

    t0 = time.perf_counter()
    hi, lo = smallest_flipping_eps(model, fours)
    bis = time.perf_counter() - t0
    ok = np.isfinite(hi)
    print(f"\nsmallest flipping ε (PGD, tol 0.05, ε ≤ 0.3): {bis:.2f} s (goal ≤ 30 s, first call); "
          f"{ok.sum()}/{len(hi)} flip; ε quartiles {np.round(np.percentile(hi[ok], [25, 50, 75]), 3).tolist()}, "
          f"min {hi[ok].min():.3f}, max {hi[ok].max():.3f}")
    t0 = time.perf_counter()
    for i in range(k):
        smallest_flipping_eps(model, fours[i:i + 1])
    one = (time.perf_counter() - t0) / k * len(fours)
    print(f"baseline (the same bisection one digit at a time, {k} digits, extrapolated): {one:.1f} s "
          f"→ {one / bis:.1f}× the batched bisection")
    print(f"load average {os.getloadavg()}")


if __name__ == "__main__":
    main()
