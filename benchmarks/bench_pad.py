"""Speed of the drawing pads of notebooks 04 and 05: from the stroke event in the kernel (the strokes arrive)
to the figure ready as the PNG that Jupyter shows. Goal: at most 0.3 s.

Timed, per explorer, with the reference model, each call a fresh stroke set (the example 4 with one point
moved, so nothing is cached by accident):

- baseline "pipeline": strokes → drawing → 28×28 MNIST digit → one model pass for the layers the figure needs
  (render=False: the explorer's update without any figure);
- "pipeline + figure": the same update with the figure's data replaced and the figure rendered to the PNG that
  the Output widget shows (the explorer's own rendering: the update returns when the picture is ready);
- "+ figure from scratch": as before the speed-up, a new figure per stroke (constrained layout) rendered by
  IPython's inline PNG formatter (tight bounding box), for comparison.

Run: python benchmarks/bench_pad.py [--repeats 15]. These machines are noisy: look at medians.
"""
from __future__ import annotations

import argparse
import contextlib
import copy
import io
import statistics
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from IPython.core.pylabtools import print_figure  # noqa: E402
from timing import timed  # noqa: E402  benchmarks/timing.py (scripts run as python benchmarks/NAME.py)

from helpers import load_reference_model  # noqa: E402
from helpers.activations.drawing import example_strokes  # noqa: E402
from helpers.activations.pad_explorers import drawing_explorer, four_nine_drawing_explorer  # noqa: E402

GOAL_S = 0.3


def stroke_sets(n: int):
    """n stroke sets: the example 4 with its last point moved a little further each time."""
    out = []
    for k in range(n):
        strokes = copy.deepcopy(example_strokes(4))
        strokes[-1][-1][1] -= k % 7
        out.append(strokes)
    return out


def time_explorer(explorer, repeats: int) -> dict[str, float]:
    sets = iter(stroke_sets(4 * repeats + 4))

    def stroke():
        explorer.pad.strokes = next(sets)

    def stroke_and_new_figure():
        explorer.pad.strokes = next(sets)
        fig = plt.figure(figsize=explorer.figure_size(), layout="constrained")
        explorer.draw(fig)
        print_figure(fig, "png", bbox_inches="tight")
        plt.close(fig)

    # outside a notebook, IPython's display() prints the figure's repr: kept off the report
    with contextlib.redirect_stdout(io.StringIO()):
        explorer.render = False
        timed(stroke, 2)                                    # warm-up: sub-model built, first call traced
        pipeline = timed(stroke, repeats)
        timed(stroke_and_new_figure, 1)
        scratch = timed(stroke_and_new_figure, max(3, repeats // 3))
        explorer.render = True
        timed(stroke, 2)
        full = timed(stroke, repeats)
    return {"pipeline": statistics.median(pipeline), "pipeline + figure": statistics.median(full),
            "worst": max(full), "scratch": statistics.median(scratch)}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--repeats", type=int, default=15, help="strokes timed per case (median reported)")
    args = ap.parse_args(argv)
    model = load_reference_model()
    with contextlib.redirect_stdout(io.StringIO()):
        explorers = {
            "04, Conv2D_1 (32 maps of 26×26)": drawing_explorer(model, layer="Conv2D_1"),
            "04, Conv2D_3 (128 maps of 3×3)": drawing_explorer(model, layer="Conv2D_3"),
            "05, top 8 maps + Dense_1": four_nine_drawing_explorer(model, list(range(8)), list(range(6))),
        }
    print(f"{'explorer':34s} {'pipeline':>9s} {'+ figure':>9s} {'worst':>7s} {'from scratch':>13s}  "
          f"(median of {args.repeats} strokes, seconds)")
    ok = True
    for name, explorer in explorers.items():
        t = time_explorer(explorer, args.repeats)
        ok &= t["pipeline + figure"] <= GOAL_S
        print(f"{name:34s} {t['pipeline']:9.3f} {t['pipeline + figure']:9.3f} {t['worst']:7.3f} {t['scratch']:13.3f}  "
              f"stroke to figure {t['pipeline + figure'] / t['scratch']:.2f} of from scratch")
    print(f"goal: stroke to figure at most {GOAL_S} s (median): {'met' if ok else 'NOT met'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
