"""Speed and memory of the dataset examples (helpers.gallery.examples.dataset_examples, notebook 07 section 3):
all maps of Conv2D_1..3 (32 + 64 + 128 = 224) over the 10,000 MNIST test digits, the 9 strongest digits of each
map with the position of the strongest unit, and each map's histogram.

Goal (issue 21): at most 2 s, adding at most 0.3 GiB.

Course code: one batched pass over all digits (a compiled reduction per batch to the maps' means; only (N, maps)
arrays kept), then the strongest unit's position for the chosen digits only (at most k × maps of them).
Baselines, measured in the same run after it (these machines are noisy: medians of several runs):
- naive: the full activations of the three layers (helpers.activations.activations_of_layers: one pass, all
  activations kept, 0.8 GiB for Conv2D_1 alone), then numpy means, argmax and a full sort per map;
- per layer: one pass per layer with My_OIP.map_activations (means only, no positions: less work than asked).
"Added memory": peak resident memory of the process during the call minus the resident memory just before
it, sampled every 5 ms; the first call of each approach (TensorFlow's allocator keeps what it once took, so
later calls add less).

Run: python benchmarks/bench_examples.py [--repeats 5] [--batch-size 250]
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import threading
import time
from pathlib import Path

import numpy as np
import psutil

sys.path.insert(0, str(Path(__file__).resolve().parent))
from timing import timed  # noqa: E402

from helpers import load_reference_model  # noqa: E402
from helpers.activations import activations_of_layers  # noqa: E402
from helpers.gallery import dataset_examples, mnist_test_images  # noqa: E402
from helpers.oip import My_OIP  # noqa: E402

LAYERS = ["Conv2D_1", "Conv2D_2", "Conv2D_3"]
GIB = 2 ** 30


def added_memory(fn) -> tuple[float, object]:
    """(peak RSS during fn() minus RSS before, in GiB; fn's result)."""
    proc = psutil.Process()
    before = proc.memory_info().rss
    peak, done = [before], threading.Event()

    def sample():
        while not done.is_set():
            peak[0] = max(peak[0], proc.memory_info().rss)
            time.sleep(0.005)

    th = threading.Thread(target=sample, daemon=True)
    th.start()
    try:
        result = fn()
    finally:
        done.set()
        th.join()
    peak[0] = max(peak[0], proc.memory_info().rss)
    return (peak[0] - before) / GIB, result


def naive(model, images, k=9):
    """Full activations, then numpy: what a first attempt would do."""
    acts = activations_of_layers(model, LAYERS, images, standardized=True)
    out = {}
    for name, a in acts.items():
        n, h, w, c = a.shape
        means = a.mean(axis=(1, 2))
        top = np.argsort(-means, axis=0, kind="stable")[:k].T
        where = a.reshape(n, h * w, c).argmax(axis=1)
        out[name] = (top, where[top, np.arange(c)[:, None]], means)
    return out


def per_layer(model, images):
    return {name: My_OIP(model, name).map_activations(images) for name in LAYERS}


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--batch-size", type=int, default=250)
    args = ap.parse_args(argv)
    med = statistics.median

    model = load_reference_model()
    images = mnist_test_images()
    run = lambda: dataset_examples(model, images, LAYERS, standardized=True, batch_size=args.batch_size)  # noqa: E731

    first_mem, ex = added_memory(run)                       # first call: tracing included
    mem_ours = [added_memory(run)[0] for _ in range(2)]
    t_ours = timed(run, args.repeats)

    first_naive_mem, nv = added_memory(lambda: naive(model, images))
    t_naive = timed(lambda: naive(model, images), max(2, args.repeats // 2))
    agree = all(np.array_equal(nv[n][0], ex[n].top_indices) for n in LAYERS)
    per_layer(model, images)                               # warm-up (sub-models, tracing)
    t_layer = timed(lambda: per_layer(model, images), max(2, args.repeats // 2))

    n_maps = sum(ex[n].n_maps for n in LAYERS)
    print(f"machine: {os.cpu_count()} cpus, load average {os.getloadavg()[0]:.2f}; {len(images):,} digits, "
          f"{n_maps} maps of {', '.join(LAYERS)}, batch {args.batch_size}")
    print(f"course, one batched pass          : median {med(t_ours):5.2f} s  runs {np.round(t_ours, 2).tolist()}; "
          f"added memory {first_mem:.2f} GiB on the first call (tracing included), "
          f"{max(mem_ours):.2f} GiB on later calls")
    print(f"naive, full activations + numpy   : median {med(t_naive):5.2f} s  runs {np.round(t_naive, 2).tolist()}; "
          f"added memory {first_naive_mem:.2f} GiB; same top-k digits: {agree}")
    print(f"per layer, means only (3 passes)  : median {med(t_layer):5.2f} s  runs {np.round(t_layer, 2).tolist()}")
    print(f"speed-up over naive: ×{med(t_naive) / med(t_ours):.1f}; over per layer: ×{med(t_layer) / med(t_ours):.1f}")
    ok_t, ok_m = med(t_ours) <= 2.0, first_mem <= 0.3
    print(f"goal ≤ 2 s: {'met' if ok_t else 'NOT met'} ({med(t_ours):.2f} s); goal ≤ 0.3 GiB added: "
          f"{'met' if ok_m else 'NOT met'} ({first_mem:.2f} GiB)")


if __name__ == "__main__":
    main()
