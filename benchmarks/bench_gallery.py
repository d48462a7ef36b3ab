"""Speed of the Conv2D_3 gallery (all 128 maps, precursor included) against the articles' approach.

Gallery: helpers.gallery.layer_gallery — precursor starts for all maps, then one batched, compiled
ascent with early stopping (the defaults). Timed: the derivation (precursor + ascent) as the gallery
reports it, several runs, median. The live-map check over the 10,000 test digits is timed separately.

Baseline, measured in the same run: the articles' plain eager loop (benchmarks/bench_oip.py's
eager_baseline), one map at a time, one GradientTape step per Python iteration, all steps (no early
stop), from the same precursor starts. It is timed on a few maps only and EXTRAPOLATED to 128 maps
(time per map × 128); the output says so.

Run: python benchmarks/bench_gallery.py [--repeats 3] [--steps 600] [--baseline-maps 3]
These machines are noisy: look at medians and ratios.
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

import numpy as np
import tensorflow as tf

sys.path.insert(0, str(Path(__file__).resolve().parent))  # to import the baseline of bench_oip.py
from bench_oip import eager_baseline  # noqa: E402

from helpers import load_reference_model  # noqa: E402
from helpers.gallery import layer_gallery, mnist_test_images  # noqa: E402
from helpers.oip import My_OIP  # noqa: E402


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--repeats", type=int, default=3, help="gallery runs (median reported)")
    ap.add_argument("--steps", type=int, default=600, help="ascent steps per map (articles: 600)")
    ap.add_argument("--baseline-maps", type=int, default=3, help="maps timed with the eager baseline")
    ap.add_argument("--layer", default="Conv2D_3")
    args = ap.parse_args(argv)
    med = statistics.median

    model = load_reference_model()
    oip = My_OIP(model, args.layer)
    images = mnist_test_images()

    t0 = time.perf_counter()
    live = oip.live_maps(images)
    t_live = time.perf_counter() - t0

    # warm-up: tracing and first-call costs are not what we compare
    layer_gallery(oip, n_epochs=60, live=live)
    sub = oip.submodel
    starts, _ = oip.precursor_starts(range(oip.n_maps), seed=0)
    eager_baseline(sub, starts[:1], 0, 3)

    seconds, walls, gallery = [], [], None
    for r in range(args.repeats):
        t0 = time.perf_counter()
        gallery = layer_gallery(oip, n_epochs=args.steps, seed=r, live=live)
        walls.append(time.perf_counter() - t0)
        seconds.append(gallery.seconds)
    no_early = layer_gallery(oip, n_epochs=args.steps, seed=0, live=live, stop_early=False)

    maps = np.linspace(0, oip.n_maps - 1, args.baseline_maps).astype(int)
    per_map = []
    for m in maps:
        t0 = time.perf_counter()
        eager_baseline(sub, starts[m:m + 1], int(m), args.steps)
        per_map.append(time.perf_counter() - t0)
    baseline_128 = med(per_map) * oip.n_maps

    g = med(seconds)
    print(f"machine: {os.cpu_count()} cpus, load average {os.getloadavg()[0]:.2f}; TF intra-op threads "
          f"{tf.config.threading.get_intra_op_parallelism_threads() or 'default'}; {args.steps} steps")
    print(f"{gallery.summary()}")
    print(f"live maps over {len(images)} test digits     : {t_live:6.2f} s (once; not part of the gallery time)")
    print(f"gallery, {oip.n_maps} maps, precursor + early stop: median {g:6.2f} s  runs {np.round(seconds, 2).tolist()}"
          f"  (wall incl. result objects: median {med(walls):.2f} s)")
    print(f"  same without early stopping          : {no_early.seconds:6.2f} s (one run)")
    print(f"eager baseline, one map at a time       : median {med(per_map):6.2f} s per map over maps {maps.tolist()} "
          f"{np.round(per_map, 2).tolist()}")
    print(f"  EXTRAPOLATED to {oip.n_maps} maps (× {oip.n_maps})      : {baseline_128:6.1f} s")
    print(f"speed-up of the gallery over the extrapolated eager baseline: ×{baseline_128 / g:.1f}")
    print(f"goal: under 15 s → {'met' if g < 15 else 'NOT met'} ({g:.1f} s)")


if __name__ == "__main__":
    main()
