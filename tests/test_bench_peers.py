"""benchmarks/bench_peers.py: its FLOP counter (checked by hand on a tiny model) and a smoke run of --quick.
tf-keras-vis is not a dependency of the course: without it the benchmark must say that it skipped it."""
import importlib.util
import sys
from pathlib import Path

import keras
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
import bench_peers  # noqa: E402


@pytest.fixture(scope="module")
def tiny():
    """11×11×2 → Conv2D(3, 3×3) 9×9×3 → MaxPool 2 → 4×4×3 (the pool leaves out the 9th row and column)
    → Conv2D(4, 2×2) 3×3×4."""
    inp = keras.Input((11, 11, 2))
    a = keras.layers.Conv2D(3, 3, activation="relu", name="a")(inp)
    p = keras.layers.MaxPooling2D(2, name="p")(a)
    b = keras.layers.Conv2D(4, 2, activation="relu", name="b")(p)
    return keras.Model(inp, b)


def test_flops_of_a_tiny_model_by_hand(tiny):
    a, b = 2 * 9 * 9 * 3 * 3 * 2 * 3, 2 * 3 * 3 * 2 * 2 * 3 * 4        # 2·H·W·kh·kw·C_in·C_out per image
    f = bench_peers.ascent_step_flops(tiny, "b", n_images=2)
    assert f["layers"] == [("a", 2 * a, 2 * a), ("b", 2 * b, 2 * b)]
    assert f["forward"] == f["backward"] == 2 * (a + b) and f["total"] == 4 * (a + b)
    # each image's own map only: the last layer has one output channel per image
    assert bench_peers.ascent_step_flops(tiny, "b", 2, own_map_only=True)["forward"] == 2 * (a + b // 4)
    # only the 8×8 of layer a's 9×9 output that the pool passes on
    a8 = 2 * 8 * 8 * 3 * 3 * 2 * 3
    assert bench_peers.ascent_step_flops(tiny, "b", 1, crop=True)["layers"] == [("a", a8, a8), ("b", b, b)]
    assert bench_peers.ascent_step_flops(tiny, "p", 1)["total"] == 2 * a   # a pool layer as the target


def test_flop_counter_agrees_with_the_engines_crop(tiny):
    from helpers import build_cnn
    from helpers.oip.fast_kernels import plain_chain, reached_extent

    assert reached_extent(plain_chain(tiny, tiny.get_layer("b")), (11, 11)) == (10, 10)
    assert bench_peers._needed_extents(bench_peers._chain(tiny, "b")) == [(8, 8), (4, 4), (3, 3)]
    model = build_cnn(seed=3)   # 28×28 → 26×26×32 → 13×13 → 11×11×64 → 5×5 → 3×3×128
    assert reached_extent(plain_chain(model, model.get_layer("Conv2D_3")), (28, 28)) == (26, 26)
    full = bench_peers.ascent_step_flops(model, "Conv2D_3", 1)["forward"]
    assert full == 2 * 9 * (26 * 26 * 1 * 32 + 11 * 11 * 32 * 64 + 3 * 3 * 64 * 128)
    lean = bench_peers.ascent_step_flops(model, "Conv2D_3", 1, own_map_only=True, crop=True)["forward"]
    assert lean == 2 * 9 * (24 * 24 * 1 * 32 + 10 * 10 * 32 * 64 + 3 * 3 * 64 * 1)


def test_quick_run_reports_every_contender_and_the_skip(capsys):
    installed = importlib.util.find_spec("tf_keras_vis") is not None
    runs = bench_peers.main(["--quick"])
    out = capsys.readouterr().out
    for line in ("course derive_many", "course derive ", "lean eager loop", "GFLOP/s", "of the measured peak",
                 "machine: "):
        assert line in out
    assert len(runs["course_one"]) == len(runs["eager_one"]) == 1 and runs["peak"][0] > 0
    if installed:
        assert "ActivationMax." in out and len(runs["peer_all"]) == 1
        bench_peers.main(["--quick", "--no-peer"])
        assert "tf-keras-vis SKIPPED (--no-peer)" in capsys.readouterr().out
    else:
        assert "tf-keras-vis SKIPPED (tf-keras-vis is not installed" in out and "peer_all" not in runs
