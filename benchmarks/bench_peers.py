"""Speed of the OIP engine against its peers, and against the machine's limit, in one run.

Two comparisons, on the reference model's layer Conv2D_3, with the same starts and step counts for
every contender (no precursor, no early stop):

(a) all 128 maps x 100 steps: ``My_OIP.derive_many`` (one compiled loop for the batch) against
    tf-keras-vis's ``ActivationMaximization`` with the 128 maps in one batch;
(b) one map x 600 steps: ``My_OIP.derive`` against a lean eager loop (one ``GradientTape`` step per
    Python iteration, the course's update, nothing pulled to Python until the end). The map is the
    first from #120 on that responds to its start (a silent map would climb nothing: zero gradients).

tf-keras-vis runs the course's algorithm, so both do the same work: its score is each image's mean
activation of its own map, the step is plain SGD with learning rate epsilon on the gradient normalized
per image (a ``gradient_modifier``), the per-image standardization is an ``input_modifier`` (tf-keras-vis
applies it before each step, the course after; from a standardized start that is the same sequence), no
regularizers, no jitter or rotation, no clipping (``input_range=(None, None)``). Its default optimizer
(RMSprop) is not used: with it the images would be another ascent's. The script checks that the
contenders end at the same images. The course's runs are its ordinary calls, bookkeeping included (the
loss of every step, the article's log-spaced snapshots, the convergence test); the peers return the
final images only.

Roofline: the FLOPs of one ascent step are counted from the layer shapes (:func:`ascent_step_flops`:
each Conv2D forward, 2*H_out*W_out*k_h*k_w*C_in*C_out per image, and its input gradient, as many; no
kernel gradients, nothing else counted) for what the course actually computes (only the last layer's
kernel of the one map for a one-map batch; only the rows and columns that reach the output, if the
engine crops them). Divided by the measured time this gives GFLOP/s, shown against the machine's peak
measured in the same run: a 2048 x 2048 float32 ``tf.linalg.matmul`` in a ``tf.function``.

tf-keras-vis is NOT a dependency of the course and is installed for this benchmark only, in a venv of
its own that sees the course's venv (so the same TensorFlow and Keras 3 run both; tf-keras-vis 0.8.7
works with Keras 3 as it is, no tf-keras needed)::

    python -m venv /tmp/peers-venv        # with the same base Python as the course's venv
    echo "import site; site.addsitedir('/work/venv/lib/python3.11/site-packages')" \\
        > /tmp/peers-venv/lib/python3.11/site-packages/course_venv.pth
    /tmp/peers-venv/bin/pip install tf-keras-vis        # brings deprecated and imageio
    PYTHONPATH=. /tmp/peers-venv/bin/python benchmarks/bench_peers.py

Without tf-keras-vis the script says so and runs the rest (the course and the lean eager loop).

Run: python benchmarks/bench_peers.py [--repeats 5] [--quick] [--compare-engine]
``--compare-engine``: also time the course with the engine before issue 19 (benchmarks/frozen_oip/, loaded
by bench_engine.load_frozen_oip), before against after in the same run.
Prints every run, the medians and their ratios; contenders alternate within each repeat (their order
flips every repeat), so a busy spell of this shared 2-core machine hits all of them alike. How busy the
machine was (the CPU time other processes took during the run) is printed too.
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import time

import numpy as np

TFKV_INSTALL = "pip install tf-keras-vis (a separate venv; see this script's docstring)"


# --------------------------------------------------------------------------------------------------
# FLOPs from the layer shapes
# --------------------------------------------------------------------------------------------------
def _chain(model, layer_name: str) -> list:
    """The layers from the model's input up to ``layer_name`` (a plain chain, as build_cnn's model)."""
    import keras

    layers = [l for l in model.layers if not isinstance(l, keras.layers.InputLayer)]
    names = [l.name for l in layers]
    return layers[:names.index(layer_name) + 1]


def _needed_extents(chain) -> list[tuple[int, int]]:
    """For each layer of the chain, the output rows x columns that reach the last layer's output
    (all of them for the last layer). A 'valid' conv or pool whose windows do not cover its input's
    last rows or columns leaves those out; with 'same' padding every output counts (no cropping)."""
    import keras

    need = tuple(int(d) for d in chain[-1].output.shape[1:3])
    out = [need]
    for layer in reversed(chain[1:]):
        full = tuple(int(d) for d in layer.input.shape[1:3])
        if getattr(layer, "padding", "valid") != "valid":
            need = full
        else:
            if isinstance(layer, keras.layers.Conv2D):
                size = [(k - 1) * d + 1 for k, d in zip(layer.kernel_size, layer.dilation_rate)]
            else:
                size = list(layer.pool_size)
            need = tuple(min(f, (n - 1) * s + w) for n, s, w, f in zip(need, layer.strides, size, full))
        out.append(need)
    return out[::-1]


def ascent_step_flops(model, layer_name: str, n_images: int, own_map_only: bool = False,
                      crop: bool = False) -> dict:
    """FLOPs of one ascent step on ``n_images`` images for the maps of ``layer_name``, counted from the
    layer shapes: every Conv2D up to that layer, forward 2*H_out*W_out*k_h*k_w*C_in*C_out per image,
    and backward the gradient with respect to its input (the same count; the kernels are not
    differentiated, and the first layer's input gradient is the image's gradient, which the ascent
    needs). Pooling, ReLU, bias, the objective and the update are not counted (a few % at most).

    ``own_map_only``: the last layer runs only the kernel of each image's own map (C_out = 1), as the
    course does. ``crop``: only the output rows and columns that reach the last layer are computed.
    Returns {"layers": [(name, forward, backward)], "forward", "backward", "total"}."""
    import keras

    chain = _chain(model, layer_name)
    needs = _needed_extents(chain) if crop else [tuple(int(d) for d in l.output.shape[1:3]) for l in chain]
    rows, fwd, bwd = [], 0, 0
    for i, (layer, (h, w)) in enumerate(zip(chain, needs)):
        if not isinstance(layer, keras.layers.Conv2D):
            continue
        kh, kw = layer.kernel_size
        c_in, c_out = int(layer.input.shape[-1]), int(layer.filters)
        if own_map_only and i == len(chain) - 1:
            c_out = 1
        f = 2 * h * w * kh * kw * c_in * c_out * n_images
        rows.append((layer.name, f, f))
        fwd, bwd = fwd + f, bwd + f
    return {"layers": rows, "forward": fwd, "backward": bwd, "total": fwd + bwd}


# --------------------------------------------------------------------------------------------------
# Contenders
# --------------------------------------------------------------------------------------------------
def lean_eager(submodel, start, map_index: int, n_steps: int, epsilon: float = 0.01):
    """The lean eager loop: one GradientTape step per Python iteration, the course's update
    (helpers.oip.ascent.ascent_step: gradient normalized to unit RMS with the article's + 1e-7, step,
    per-image standardization), nothing pulled to Python until the end."""
    import tensorflow as tf

    x = tf.convert_to_tensor(start)
    for _ in range(n_steps):
        with tf.GradientTape() as tape:
            tape.watch(x)
            loss = tf.reduce_mean(submodel(x, training=False)[..., map_index])
        g = tape.gradient(loss, x)
        x = tf.image.per_image_standardization(x + epsilon * g / (tf.sqrt(tf.reduce_mean(tf.square(g))) + 1e-7))
    return x.numpy()


def tfkv_runner(submodel, epsilon: float = 0.01):
    """A function (starts, maps, n_steps) → final images that runs tf-keras-vis's ActivationMaximization
    with the course's update, or None when tf-keras-vis is not installed."""
    try:
        from tf_keras_vis.activation_maximization import ActivationMaximization
    except ImportError:
        return None
    import keras
    import tensorflow as tf

    am = ActivationMaximization(submodel, clone=False)

    def normalize(g):            # per image, as the course: unit RMS with the article's + 1e-7
        return g / (tf.sqrt(tf.reduce_mean(tf.square(g), axis=[1, 2, 3], keepdims=True)) + 1e-7)

    def run(starts, maps, n_steps):
        maps = tf.constant(np.asarray(maps, np.int32))
        score = lambda act: tf.gather(tf.reduce_mean(act, axis=[1, 2]), maps, axis=1, batch_dims=1)  # noqa: E731
        out = am(score, seed_input=tf.constant(starts), input_range=(None, None),
                 input_modifiers=[tf.image.per_image_standardization], regularizers=[], steps=n_steps,
                 optimizer=keras.optimizers.SGD(learning_rate=epsilon), gradient_modifier=normalize)
        return np.asarray(out)

    return run


def peak_matmul(n: int = 2048):
    """A function that times one float32 n x n matmul (compiled) and returns its GFLOP/s."""
    import tensorflow as tf

    a, b = tf.random.normal([n, n], seed=1), tf.random.normal([n, n], seed=2)
    mm = tf.function(lambda a, b: tf.linalg.matmul(a, b)[0, 0])
    mm(a, b).numpy()

    def run():
        t0 = time.perf_counter()
        mm(a, b).numpy()
        return 2 * n ** 3 / (time.perf_counter() - t0) / 1e9

    return run


class MachineLoad:
    """How much CPU other processes took while we ran: from /proc/stat (all CPUs) minus our own CPU time."""

    def __init__(self):
        self.t0, self.busy0, self.own0 = time.perf_counter(), self._busy(), self._own()

    @staticmethod
    def _busy():
        try:
            with open("/proc/stat") as f:
                v = [int(x) for x in f.readline().split()[1:]]
            return (sum(v) - v[3] - v[4]) / os.sysconf("SC_CLK_TCK")   # all but idle and iowait
        except (OSError, ValueError, IndexError):
            return None

    @staticmethod
    def _own():
        t = os.times()
        return t.user + t.system

    def report(self) -> str:
        wall, busy, own = time.perf_counter() - self.t0, self._busy(), self._own() - self.own0
        cpus = os.cpu_count() or 1
        load = ", ".join(f"{v:.2f}" for v in os.getloadavg())
        if busy is None or self.busy0 is None:
            return f"load average {load}"
        others = max(0.0, (busy - self.busy0) - own) / wall
        return (f"{cpus} cpus; this run used {own / wall:.2f} cpus, other processes {others:.2f} cpus on average; "
                f"load average now {load}")


# --------------------------------------------------------------------------------------------------
def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--quick", action="store_true", help="a smoke test: few steps, one repeat")
    ap.add_argument("--no-peer", action="store_true", help="skip tf-keras-vis even if it is installed")
    ap.add_argument("--compare-engine", action="store_true",
                    help="also time the course with the engine before issue 19 (benchmarks/frozen_oip/)")
    args = ap.parse_args(argv)

    import keras
    import tensorflow as tf

    from helpers import load_reference_model
    from helpers.oip import My_OIP, initial_image

    layer = "Conv2D_3"
    steps_all, steps_one, repeats = (3, 10, 1) if args.quick else (100, 600, args.repeats)
    load = MachineLoad()
    model = load_reference_model()
    oip = My_OIP(model, layer)
    sub = keras.Model(model.inputs, model.get_layer(layer).output)
    maps = np.arange(oip.n_maps)
    starts = initial_image(n=len(maps), seed=1)          # the same starts for every contender
    # (b) needs a map that responds to its start: a silent map has a zero gradient, and 600 steps of
    # zeros would time the arithmetic without a climb (map 120, chosen at first, is silent from its start)
    own_start = oip.map_activations(starts)[maps, maps]
    one_map = next(m for m in range(120, len(maps)) if own_start[m] > 0)
    start_one = starts[one_map:one_map + 1]
    tfkv = None if args.no_peer else tfkv_runner(sub)
    peak = peak_matmul(512 if args.quick else 2048)

    course_all = lambda: oip.derive_many(maps, n_epochs=steps_all, start=starts)              # noqa: E731
    course_one = lambda: oip.derive(one_map, n_epochs=steps_one, start=start_one)              # noqa: E731
    eager_one = lambda: lean_eager(sub, start_one, one_map, steps_one)                         # noqa: E731
    peer_all = (lambda: tfkv(starts, maps, steps_all)) if tfkv else None                       # noqa: E731
    other = None
    if args.compare_engine:
        sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
        from bench_engine import load_frozen_oip

        other = load_frozen_oip().My_OIP(model, layer)
    other_all = (lambda: other.derive_many(maps, n_epochs=steps_all, start=starts)) if other else None  # noqa: E731
    other_one = (lambda: other.derive(one_map, n_epochs=steps_one, start=start_one)) if other else None  # noqa: E731

    # warm-up (tracing and first calls are not what we compare), and the check that all do the same work
    ours_all, ours_one, theirs_one = course_all(), course_one(), eager_one()
    diff_one = np.abs(ours_one.image - theirs_one[0, :, :, 0]).max()
    climb_one = [own_start[one_map]] + [oip.map_activations(im.reshape(1, 28, 28, 1))[0, one_map]
                                        for im in (ours_one.image, theirs_one)]
    diff_all = None
    if other:
        d_all = np.abs(np.stack([a.image - b.image for a, b in zip(ours_all, other_all())])).max(axis=(1, 2))
        d_one = np.abs(ours_one.image - other_one().image).max()
    if tfkv:
        theirs = tf.image.per_image_standardization(peer_all()).numpy()[..., 0]
        diff_all = np.abs(np.stack([r.image for r in ours_all]) - theirs).max(axis=(1, 2))   # per image

    contenders = {"peak": peak, "course_all": course_all, "peer_all": peer_all, "other_all": other_all,
                  "course_one": course_one, "eager_one": eager_one, "other_one": other_one}
    runs = {k: [] for k, f in contenders.items() if f is not None}
    order = list(runs)
    for r in range(repeats):
        for k in (order if r % 2 == 0 else order[::-1]):
            if k == "peak":
                runs[k].append(peak())
            else:
                t0 = time.perf_counter()
                contenders[k]()
                runs[k].append(time.perf_counter() - t0)

    med = {k: statistics.median(v) for k, v in runs.items()}
    fmt = lambda v: "[" + ", ".join(f"{x:.3g}" for x in v) + "]"  # noqa: E731
    # what the course's engine computes: each image's own map in the last layer, and only the input
    # rows and columns that reach the output (reached_extent; an older engine had neither)
    from helpers.oip import fast_kernels
    own = True
    crops = fast_kernels.reached_extent(oip._ascent.parts.chain(layer), (28, 28)) is not None
    flops_all = ascent_step_flops(model, layer, len(maps), own_map_only=own, crop=crops)
    flops_one = ascent_step_flops(model, layer, 1, own_map_only=True, crop=crops)
    plain_all, plain_one = ascent_step_flops(model, layer, len(maps)), ascent_step_flops(model, layer, 1)
    print(f"bench_peers: TensorFlow {tf.__version__}, Keras {keras.__version__}; {repeats} repeats; "
          f"layer {layer}, same starts (initial_image(seed=1)) for every contender")
    print(f"peak: float32 {512 if args.quick else 2048}^2 matmul  median {med['peak']:6.1f} GFLOP/s  "
          f"{fmt(runs['peak'])}")
    print()
    print(f"(a) {len(maps)} maps x {steps_all} steps, one batch, no precursor, no early stop")
    print(f"  course derive_many            median {med['course_all']:7.3f} s  {fmt(runs['course_all'])}")
    if tfkv:
        import tf_keras_vis
        print(f"  tf-keras-vis {tf_keras_vis.__version__:5s} ActivationMax. median {med['peer_all']:7.3f} s  "
              f"{fmt(runs['peer_all'])}")
        print(f"  ratio x{med['peer_all'] / med['course_all']:.1f} (goal x10); same images (tf-keras-vis's "
              f"standardized): max |difference| per image median {np.median(diff_all):.1e}, "
              f"{np.sum(diff_all > 1e-3)} of {len(maps)} above 1e-3 (maps that amplify rounding differences)")
    else:
        why = "--no-peer" if args.no_peer else f"tf-keras-vis is not installed: {TFKV_INSTALL}"
        print(f"  tf-keras-vis SKIPPED ({why})")
    if other:
        print(f"  course, engine before issue 19: median {med['other_all']:7.3f} s  {fmt(runs['other_all'])}"
              f"  = x{med['other_all'] / med['course_all']:.2f} the time of this engine; images: max |difference| "
              f"per image median {np.median(d_all):.1e}, {np.sum(d_all > 1e-3)} of {len(maps)} above 1e-3")
    print(f"(b) 1 map (#{one_map}) x {steps_one} steps")
    print(f"  course derive                 median {med['course_one']:7.3f} s  {fmt(runs['course_one'])}")
    print(f"  lean eager loop               median {med['eager_one']:7.3f} s  {fmt(runs['eager_one'])}")
    print(f"  ratio x{med['eager_one'] / med['course_one']:.1f} (goal x20); the map's mean activation climbs "
          f"from {climb_one[0]:.3f} to {climb_one[1]:.3f} (course) and {climb_one[2]:.3f} (eager loop); final "
          f"images: max |difference| {diff_one:.1e}")
    if other:
        print(f"  course, engine before issue 19: median {med['other_one']:7.3f} s  {fmt(runs['other_one'])}"
              f"  = x{med['other_one'] / med['course_one']:.2f} the time of this engine; image: max |difference| "
              f"{d_one:.1e}")
    print()
    print("roofline: FLOPs of one ascent step, counted from the layer shapes "
          "(each Conv2D forward and its input gradient)")
    print(f"  the whole layers (a plain Keras sub-model): 128 maps {plain_all['total'] / 1e6:.1f} MFLOP, "
          f"1 map {plain_one['total'] / 1e6:.2f} MFLOP")
    print(f"  what the course computes ({'own map only' if own else 'all maps'} in {layer}"
          f"{', only the input rows/columns that reach the output' if crops else ''}):")
    for name, f in (("128 maps", flops_all), ("1 map", flops_one)):
        per_layer = ", ".join(f"{n} {(a + b) / 1e6:.3g}" for n, a, b in f["layers"])
        print(f"    {name:8s}: {f['total'] / 1e6:9.2f} MFLOP per step ({per_layer})")
    for name, f, steps, key in (("128 maps", flops_all, steps_all, "course_all"),
                                ("1 map", flops_one, steps_one, "course_one")):
        rate = f["total"] * steps / med[key] / 1e9
        print(f"  course, {name:8s}: {rate:6.1f} GFLOP/s = {rate / med['peak']:5.1%} of the measured peak "
              f"({steps} steps in {med[key]:.3f} s)")
    for name, f, steps, key in (("tf-keras-vis, 128 maps", plain_all, steps_all, "peer_all"),
                                ("lean eager, 1 map", plain_one, steps_one, "eager_one")):
        if key in med:
            rate = f["total"] * steps / med[key] / 1e9
            print(f"  {name:22s}: {rate:6.1f} GFLOP/s = {rate / med['peak']:5.1%} of peak "
                  f"(the whole layers, as it computes them)")
    print(f"  goals: x10 needs the course at {med['peer_all'] / 10:.3f} s for (a) = "
          f"{flops_all['total'] * steps_all / (med['peer_all'] / 10) / 1e9 / med['peak']:.0%} of peak; "
          if tfkv else "  goals: ", end="")
    print(f"x20 needs {med['eager_one'] / 20:.3f} s for (b) = "
          f"{flops_one['total'] * steps_one / (med['eager_one'] / 20) / 1e9 / med['peak']:.0%} of peak")
    print()
    print(f"machine: {load.report()}")
    return runs


if __name__ == "__main__":
    main()
