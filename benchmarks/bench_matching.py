"""Speed and memory of the map matching (helpers.gallery.matching.match_maps, notebook 07, section 9) against
the obvious way, in one run.

Baseline: both layers' activations of all digits held in memory (``layer_activations``), every position a
row, and ``np.corrcoef`` of the stacked (samples, maps of a + maps of b) matrix — what one writes first. The
course: one compiled step per batch (both forward passes and one matrix product of the batch's samples),
running sums only. Both give the same correlations (checked). Peak memory is what numpy allocates
(tracemalloc sees numpy's arrays, not TensorFlow's buffers): the baseline's activations and corrcoef's
float64 copy grow with digits × positions; the course's sums do not.

Run: python benchmarks/bench_matching.py [--digits 1000] [--repeats 3] [--other PATH]
(``--other``: a second model, e.g. another training run; default: the reference against itself, the same work.)
Prints every run, the medians and their ratios per layer; the contenders alternate within each repeat.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
import tracemalloc
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from helpers import load_model_file, load_reference_model   # noqa: E402
from helpers.activations import layer_activations             # noqa: E402
from helpers.gallery import mnist_test_images                 # noqa: E402
from helpers.gallery.matching import match_maps               # noqa: E402


def baseline(model_a, model_b, layer, x):
    a = layer_activations(model_a, layer, x)
    b = layer_activations(model_b, layer, x)
    stacked = np.concatenate([a.reshape(-1, a.shape[-1]), b.reshape(-1, b.shape[-1])], axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        c = np.corrcoef(stacked, rowvar=False)
    return np.nan_to_num(c[:a.shape[-1], a.shape[-1]:])


def measured(fn):
    tracemalloc.start()
    t0 = time.perf_counter()
    out = fn()
    seconds = time.perf_counter() - t0
    peak = tracemalloc.get_traced_memory()[1] / 2 ** 20
    tracemalloc.stop()
    return out, seconds, peak


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--digits", type=int, default=1000)
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--other", default=None)
    args = p.parse_args()
    ref = load_reference_model()
    other = load_model_file(args.other) if args.other else ref
    x = mnist_test_images()[:args.digits]
    for layer in ("Conv2D_1", "Conv2D_2", "Conv2D_3"):
        match_maps(other, layer, ref, layer, x[:50])         # compile once outside the timing
        runs = {"course": [], "baseline": []}
        peaks = {}
        for r in range(args.repeats):
            order = ["course", "baseline"] if r % 2 == 0 else ["baseline", "course"]
            for who in order:
                if who == "course":
                    m, s, peak = measured(lambda: match_maps(other, layer, ref, layer, x))
                    course_corr = m.correlations
                else:
                    base_corr, s, peak = measured(lambda: baseline(other, ref, layer, x))
                runs[who].append(s)
                peaks[who] = peak
                print(f"{layer} run {r + 1} {who:8s} {s:6.2f} s  numpy peak {peak:7.1f} MiB", flush=True)
        diff = float(np.abs(course_corr - base_corr).max())
        med = {k: statistics.median(v) for k, v in runs.items()}
        print(f"{layer}: {args.digits} digits, median course {med['course']:.2f} s, baseline {med['baseline']:.2f} s "
              f"(baseline/course {med['baseline'] / med['course']:.1f}x); numpy peak {peaks['course']:.1f} vs "
              f"{peaks['baseline']:.1f} MiB; largest correlation difference {diff:.1e}; "
              f"median best-match correlation {m.median:.3f}\n", flush=True)


if __name__ == "__main__":
    main()
