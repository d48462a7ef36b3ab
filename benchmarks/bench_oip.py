"""Speed of the OIP engine against the articles' approach, measured in the same run.

Baseline: a plain eager loop that takes one GradientTape step at a time for one map and checks
loss and gradient in Python after every step (what the articles' code does). Compared with: My_OIP.derive (one compiled loop) for one map (the first
from #120 on that responds to the start), and
My_OIP.derive_many for all 128 maps of Conv2D_3 in one batch, precursor included.

Run: python benchmarks/bench_oip.py [--repeats 3] [--steps 600]
Prints medians of several runs and their ratios (these machines are noisy; ratios are what count).
"""
from __future__ import annotations

import argparse
import statistics

import keras
import numpy as np
import tensorflow as tf

from helpers import load_reference_model
from helpers.oip import My_OIP, initial_image
from timing import timed  # benchmarks/timing.py (scripts run as python benchmarks/NAME.py)


def eager_baseline(submodel, start, map_index: int, n_steps: int, epsilon: float = 0.01,
                   conv_criterion: float = 2e-4):
    """The articles' loop: eager, one map, one GradientTape step per Python iteration. As in the
    articles, loss and gradient come back to Python every step for the zero-response and
    convergence checks (our compiled loop makes the same checks inside the graph)."""
    x = tf.convert_to_tensor(start)
    loss_old, n_zeros, streak = 0.0, 0, 0
    for j in range(n_steps):
        with tf.GradientTape() as tape:
            tape.watch(x)
            loss = tf.reduce_mean(submodel(x)[..., map_index])
        g = tape.gradient(loss, x)
        g /= tf.sqrt(tf.reduce_mean(tf.square(g))) + 1e-7
        loss_val, grad_mean = float(loss.numpy()), float(tf.reduce_mean(g).numpy())
        streak = streak + 1 if j > 10 and (loss_val - loss_old) / (loss_val + 1e-7) < conv_criterion else 0
        n_zeros += loss_val == 0.0 and grad_mean == 0.0
        loss_old = loss_val
        x = tf.image.per_image_standardization(x + epsilon * g)
    return x.numpy()


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--steps", type=int, default=600)
    args = ap.parse_args(argv)

    model = load_reference_model()
    oip = My_OIP(model, "Conv2D_3")
    sub = keras.Model(model.inputs, model.get_layer("Conv2D_3").output)
    start = initial_image(seed=1)
    n = args.steps
    # a map that responds to the start (map 120, used at first, is silent from it: zero gradients, no climb)
    one_map = int(next(m for m in range(120, 128) if oip.map_activations(start)[0, m] > 0))

    # warm-up (tracing and first-call costs are not what we compare)
    eager_baseline(sub, start, one_map, 3)
    oip.derive(one_map, n_epochs=n, start=start)
    oip.derive_many(range(128), n_epochs=20, precursor=True, n_reports=2)
    oip.derive_many(range(128), n_epochs=n, precursor=True, stop_early=True)

    # baseline and one-map runs alternate, so a slow spell of this shared machine hits both alike
    base, one = [], []
    for _ in range(args.repeats):
        base += timed(lambda: eager_baseline(sub, start, one_map, n), 1)
        one += timed(lambda: oip.derive(one_map, n_epochs=n, start=start), 1)
    all128 = timed(lambda: oip.derive_many(range(128), n_epochs=n, precursor=True), args.repeats)
    all128_early = timed(lambda: oip.derive_many(range(128), n_epochs=n, precursor=True, stop_early=True),
                         args.repeats)
    med = statistics.median
    print(f"threads: intra-op {tf.config.threading.get_intra_op_parallelism_threads() or 'default'}, "
          f"cpus {__import__('os').cpu_count()}; {args.repeats} repeats, {n} steps")
    print(f"eager baseline, 1 map (#{one_map})    : median {med(base):7.2f} s  {np.round(base, 2).tolist()}")
    print(f"My_OIP.derive, 1 map            : median {med(one):7.2f} s  {np.round(one, 2).tolist()}")
    print(f"  speed-up: ratio of medians x{med(base) / med(one):.1f}, "
          f"median of paired ratios x{med(b / o for b, o in zip(base, one)):.1f}")
    print(f"derive_many, 128 maps+precursor : median {med(all128):7.2f} s  {np.round(all128, 1).tolist()} "
          f"= x{128 * med(base) / med(all128):.1f} vs 128 eager runs")
    print(f"  same with stop_early=True     : median {med(all128_early):7.2f} s  {np.round(all128_early, 1).tolist()} "
          f"= x{128 * med(base) / med(all128_early):.1f} vs 128 eager runs")


if __name__ == "__main__":
    main()
