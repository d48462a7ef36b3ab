"""helpers.gallery.matching and `python -m helpers match`: two networks' maps matched by their activations
(notebook 07, section 9). Cheap on purpose: the reference model, a copy of it with permuted maps (the same
network, so the right matching is known), 120 test digits, and synthetic activation arrays."""
import keras
import numpy as np
import pytest

from helpers.cli import main
from helpers.data import NonFiniteImageError
from helpers.gallery import mnist_test_images
from helpers.gallery.matching import (MIN_IMAGES, corresponding_layer, match_activations, match_maps,
                                      matching_figure)
from helpers.model import UnknownLayerError, build_cnn, load_reference_model

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
NEXT_CONV = {"Conv2D_1": "Conv2D_2", "Conv2D_2": "Conv2D_3"}


def permuted_copy(model, layer: str, perm):
    """The same network with the maps of ``layer`` renumbered: the copy's map j is the original's map perm[j]
    (the layer's output channels permuted, and the next conv layer's input channels the same way)."""
    copy = build_cnn()
    copy.set_weights(model.get_weights())
    kernel, bias = copy.get_layer(layer).get_weights()
    copy.get_layer(layer).set_weights([kernel[..., perm], bias[perm]])
    kernel, bias = copy.get_layer(NEXT_CONV[layer]).get_weights()
    copy.get_layer(NEXT_CONV[layer]).set_weights([kernel[:, :, perm, :], bias])
    return copy


@pytest.fixture(scope="module")
def reference():
    return load_reference_model()


@pytest.fixture(scope="module")
def digits():
    return mnist_test_images()[:120]


@pytest.fixture(scope="module")
def shuffled(reference):
    """(copy with Conv2D_1 permuted, the permutation)."""
    perm = np.random.default_rng(1).permutation(32)
    return permuted_copy(reference, "Conv2D_1", perm), perm


def random_maps(n_images=40, size=5, n_maps=12, seed=0):
    """ReLU-like activations of independent maps, (n, size, size, n_maps)."""
    return np.maximum(np.random.default_rng(seed).normal(size=(n_images, size, size, n_maps)), 0).astype(np.float32)


# -- a model against itself and against a permuted copy -------------------------------------------------------
def test_a_model_matched_with_itself_pairs_every_live_map_with_itself(reference, digits):
    m = match_maps(reference, "Conv2D_2", reference, "Conv2D_2", digits)
    assert m.basis == "positions" and "all 11×11 positions of 120 digits" in m.summary()
    live = np.setdiff1d(np.arange(64), m.dead[0])
    assert np.array_equal(m.pairs[:, 0], live) and np.array_equal(m.pairs[:, 1], live)
    np.testing.assert_allclose(m.pair_correlations, 1.0, atol=1e-4)
    assert np.isfinite(m.correlations).all() and np.abs(m.correlations).max() <= 1.0
    assert m.no_partner("a")["left over"] == [] and m.no_partner("a")["weak"] == []
    assert m.n_samples == 120 * 11 * 11
    # the mean activation over the digits is the maps' own mean
    from helpers.activations import layer_activations

    np.testing.assert_allclose(m.means[0], layer_activations(reference, "Conv2D_2", digits).mean(axis=(0, 1, 2)),
                               rtol=1e-4, atol=1e-6)


def test_the_matching_recovers_the_permutation_of_a_copy(reference, digits, shuffled):
    copy, perm = shuffled
    np.testing.assert_allclose(copy.predict(digits[:8], verbose=0), reference.predict(digits[:8], verbose=0),
                               atol=1e-5)   # the copy is the same network
    m = match_maps(reference, "Conv2D_1", copy, "Conv2D_1", digits)
    assert len(m.pairs) == 32 - len(m.dead[0])
    assert all(a == perm[b] for a, b in m.pairs), m.pairs
    np.testing.assert_allclose(m.pair_correlations, 1.0, atol=1e-4)
    j = int(m.pairs[0, 1])
    assert m.partner(j, side="b")[0] == perm[j] and m.partner(perm[j], side="a")[0] == j
    # the next layer sees the same maps in the new order: identical activations, identity matching
    m2 = match_maps(reference, "Conv2D_2", copy, "Conv2D_2", digits)
    assert np.array_equal(m2.pairs[:, 0], m2.pairs[:, 1])


# -- different sizes and counts, dead maps ---------------------------------------------------------------------
def test_layers_of_different_sizes_are_compared_by_per_image_means(reference, digits):
    m = match_maps(reference, "Conv2D_1", reference, "Conv2D_2", digits)
    assert m.basis == "image means" and m.n_samples == 120
    assert "per-image means of 120 digits (map sizes 26×26 and 11×11 differ)" in m.summary()
    assert m.correlations.shape == (32, 64) and np.isfinite(m.correlations).all()
    n_live = (32 - len(m.dead[0]), 64 - len(m.dead[1]))
    assert len(m.pairs) == min(n_live)                                  # the smaller set is matched one to one
    assert len(set(m.pairs[:, 0])) == len(set(m.pairs[:, 1])) == len(m.pairs)
    assert len(m.no_partner("b")["left over"]) == n_live[1] - len(m.pairs)
    with pytest.raises(ValueError, match="same size"):
        match_maps(reference, "Conv2D_1", reference, "Conv2D_2", digits, basis="positions")


def test_different_map_counts_match_the_smaller_set_and_leave_the_rest():
    a = random_maps()
    keep = np.random.default_rng(2).permutation(12)[:7]
    for m, side in ((match_activations(a, a[..., keep]), "a"), (match_activations(a[..., keep], a), "b")):
        pairs = m.pairs if side == "a" else m.pairs[:, ::-1]
        assert sorted((int(x), int(y)) for x, y in pairs) == sorted((int(k), j) for j, k in enumerate(keep))
        assert m.no_partner(side)["left over"] == sorted(set(range(12)) - set(keep.tolist()))
        np.testing.assert_allclose(m.pair_correlations, 1.0, atol=1e-5)
        assert len(m.correlations.shape) == 2 and m.median == pytest.approx(1.0, abs=1e-5)


def test_dead_maps_have_correlation_zero_no_partner_and_no_nan():
    a = random_maps()
    a[..., 3] = 0.0            # never active
    a[..., 7] = 0.7            # the same value everywhere: no variance either
    perm = np.random.default_rng(3).permutation(12)
    m = match_activations(a, a[..., perm])
    assert m.dead[0].tolist() == [3, 7] and sorted(perm[m.dead[1]].tolist()) == [3, 7]
    assert np.isfinite(m.correlations).all()
    assert not m.correlations[[3, 7]].any() and not m.correlations[:, m.dead[1]].any()
    assert 3 not in m.pairs[:, 0] and m.partner(3, side="a") is None
    assert m.no_partner("a")["dead"] == [3, 7] and m.no_partner("a")["left over"] == []
    assert all(a_ == perm[b_] for a_, b_ in m.pairs) and len(m.pairs) == 10
    import matplotlib.pyplot as plt

    fig = matching_figure([m, match_activations(a, a, basis="image means")])   # no patterns: the curves only
    assert len(fig.axes) == 2 and "median 1.00" in fig.axes[0].get_title()
    plt.close(fig)


def test_unrelated_maps_are_weak_and_count_as_without_partner():
    a, b = random_maps(seed=0), random_maps(seed=1)
    m = match_activations(a, b)
    assert len(m.pairs) == 12 and abs(m.median) < 0.2
    assert m.no_partner("a")["weak"] == list(range(12)) and "r < 0.5" in m.summary()


# -- bad input ---------------------------------------------------------------------------------------------------
def test_bad_input_is_refused_with_a_clear_error(reference, digits):
    with pytest.raises(UnknownLayerError, match="Conv2D_1, Max_Pool_1, Conv2D_2, Max_Pool_2, Conv2D_3"):
        match_maps(reference, "conv2d_9", reference, "Conv2D_1", digits)
    with pytest.raises(ValueError, match="not a conv or pool layer"):
        match_maps(reference, "Conv2D_1", reference, "Dense_1", digits)
    bad = digits[:30].copy()
    bad[4, 3, 3, 0] = np.nan
    with pytest.raises(NonFiniteImageError, match=r"\[4\]"):
        match_maps(reference, "Conv2D_1", reference, "Conv2D_1", bad)
    with pytest.raises(ValueError, match=f"at least {MIN_IMAGES}"):
        match_maps(reference, "Conv2D_1", reference, "Conv2D_1", digits[:5])
    for threshold, error in ((1.5, ValueError), (float("nan"), ValueError), ("0.5", TypeError)):
        with pytest.raises(error, match="threshold"):
            match_activations(random_maps(), random_maps(), threshold=threshold)
    with pytest.raises(ValueError, match="same digits"):
        match_activations(random_maps(n_images=40), random_maps(n_images=30))
    with pytest.raises(ValueError, match="basis"):
        match_activations(random_maps(), random_maps(), basis="pixels")


def test_the_corresponding_layer_is_the_one_at_the_same_position(reference):
    from keras import layers

    seq = keras.Sequential([keras.Input((28, 28, 1)), layers.Conv2D(4, 3, name="c_a"), layers.MaxPooling2D(name="p_a"),
                            layers.Conv2D(4, 3, name="c_b"), layers.Flatten(), layers.Dense(10)])
    assert corresponding_layer(reference, "Conv2D_2", seq) == "c_b"
    assert corresponding_layer(seq, "c_a", reference) == "Conv2D_1"
    assert corresponding_layer(reference, "Max_Pool_1", seq) == "p_a"
    with pytest.raises(ValueError, match="only 2"):
        corresponding_layer(reference, "Conv2D_3", seq)


# -- the command ---------------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def shuffled_file(shuffled, tmp_path_factory):
    path = tmp_path_factory.mktemp("match") / "shuffled cnn.keras"
    shuffled[0].save(path)
    return path


def error_lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.startswith("error:")]


def test_match_writes_the_png_and_prints_the_summary(shuffled_file, tmp_path, capsys):
    out = tmp_path / "match.png"
    argv = ["match", "--model", str(shuffled_file), "--layer", "Conv2D_1", "--out", str(out), "--digits", "100",
            "--steps", "10"]
    assert main(argv) == 0, capsys.readouterr().err
    assert out.read_bytes()[:8] == PNG_MAGIC
    printed = capsys.readouterr()
    # --other defaults to the reference, --other-layer to its first conv layer: the permuted copy matches exactly
    assert "Conv2D_1 (shuffled cnn, 32 maps) ↔ Conv2D_1 (reference, 32 maps)" in printed.out
    assert "all 26×26 positions of 100 digits" in printed.out and "median best-match correlation 1.000" in printed.out
    assert "deriving the patterns" in printed.err                      # progress on stderr
    # an existing file is kept, before any slow work
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert error_lines(err) == [f"error: --out: {out} exists; pass --overwrite (overwrite=True) to replace it."]
    assert "loading the models" not in err


@pytest.mark.parametrize("extra, message", [
    (["--layer", "conv2d_9"], "--layer: The model 'mnist_cnn' has no layer named 'conv2d_9'. Valid conv or pool "
                              "layer names: Conv2D_1, Max_Pool_1, Conv2D_2, Max_Pool_2, Conv2D_3."),
    (["--layer", "Conv2D_1", "--other-layer", "Dense_1"], "--other-layer: Layer 'Dense_1' is a Dense"),
    (["--layer", "Conv2D_1", "--other", "{d}/none.keras"], "--other: No model file"),
    (["--layer", "Conv2D_1", "--digits", "5"], f"--digits must be at least {MIN_IMAGES}"),
    (["--layer", "Conv2D_1", "--digits", "20000"], "--digits must be at most 10000"),
    (["--layer", "Conv2D_1", "--threshold", "2"], "--threshold: threshold is a correlation"),
    (["--layer", "Conv2D_1", "--out", "{d}/m.jpg"], ".png"),
])
def test_match_refuses_bad_arguments_in_one_line(shuffled_file, tmp_path, capsys, extra, message):
    argv = ["match", "--model", str(shuffled_file), "--out", str(tmp_path / "m.png")] + [a.format(d=tmp_path)
                                                                                          for a in extra]
    assert main(argv) == 2
    errors = error_lines(capsys.readouterr().err)
    assert len(errors) == 1 and message in errors[0], errors
    assert not (tmp_path / "m.png").exists()


def test_match_help(capsys):
    with pytest.raises(SystemExit) as info:
        main(["match", "--help"])
    assert info.value.code == 0
    text = capsys.readouterr().out
    assert "--other-layer" in text and "--overwrite" in text and "one-to-one matching" in text
