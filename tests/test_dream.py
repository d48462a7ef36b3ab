"""Dream carving: preparation, the carving loop, the tile pitfall, reproducibility, errors, PNG output."""
import numpy as np
import pytest
from PIL import Image

from helpers.files import check_output_path
from helpers.dream import (DreamCarver, QuadrantSpecError, clip_contrast, cnn_input, detail_correction,
                           parse_quadrants)
from helpers.dream.images import cut_quadrants, paste_quadrants, save_png, tile_statistics
from helpers.dream.photo import load_photo
from helpers.dream.results import CarvingStep

SIZE = 112          # small working size: the tests stay fast, the algorithm is the same
STEPS = 10


@pytest.fixture(scope="module")
def carver():
    return DreamCarver()            # the reference model, Conv2D_3


@pytest.fixture(scope="module")
def photo():
    return load_photo("default", size=SIZE)


@pytest.fixture(scope="module")
def live(carver, photo):
    """The map that responds most strongly to the photo and to each quadrant (robust to a retrained model)."""
    return int(carver.responsive_maps(photo, "all")[0])


def contrast_image(size=SIZE):
    """Smooth structure whose top-left quadrant has far less contrast than the rest (a dull corner)."""
    yy, xx = np.mgrid[0:size, 0:size] / size
    x = np.sin(9 * xx) + np.cos(7 * yy + 3 * xx) + 0.5 * np.sin(23 * xx * yy)
    x[: size // 2, : size // 2] *= 0.15
    return x.astype(np.float32)


# -- building blocks ---------------------------------------------------------------------------------
@pytest.mark.parametrize("spec, expected", [
    ("all", (1, 2, 3, 4)), ("none", ()), ("", ()), (None, ()), ("1,4", (1, 4)), (" 4 , 2 ", (2, 4)),
    ([3], (3,)), (2, (2,)), ((4, 1, 2, 3), (1, 2, 3, 4)), ("ALL", (1, 2, 3, 4))])
def test_quadrant_specs(spec, expected):
    assert parse_quadrants(spec) == expected


@pytest.mark.parametrize("spec, words", [("0", "no quadrant 0"), ("1,5", "no quadrant 5"), ("1,1", "once"),
                                         ("top", "'all', 'none'"), ("1;4", "'all', 'none'"), ([1.5], "integers"),
                                         ([True], "integers")])
def test_bad_quadrant_specs(spec, words):
    with pytest.raises(QuadrantSpecError, match=words):
        parse_quadrants(spec)


def test_cut_and_paste_are_inverse():
    x = np.arange(16 * 16, dtype=np.float32).reshape(16, 16)
    tiles = cut_quadrants(x, (1, 2, 3, 4))
    assert tiles.shape == (4, 8, 8, 1)
    assert tiles[1, 0, 0, 0] == x[0, 8] and tiles[2, 0, 0, 0] == x[8, 0] and tiles[3, -1, -1, 0] == x[-1, -1]
    np.testing.assert_array_equal(paste_quadrants(np.zeros_like(x), tiles, (1, 2, 3, 4)), x)
    only4 = paste_quadrants(np.zeros_like(x), tiles[3:], (4,))
    assert only4[:8].sum() == 0 and np.array_equal(only4[8:, 8:], x[8:, 8:])


def test_tile_statistics_match_the_standardization():
    tiles = np.random.default_rng(0).normal(2.0, 0.3, size=(3, 20, 20, 1)).astype(np.float32)
    mean, std = tile_statistics(tiles)
    import tensorflow as tf
    np.testing.assert_allclose((tiles - mean) / std, tf.image.per_image_standardization(tiles).numpy(), atol=1e-5)


def test_correction_restores_the_original_when_nothing_is_carved(carver, photo):
    prep = carver.prepare(photo, "all")
    assert prep.small.shape == (28, 28) and prep.enlarged.shape == (SIZE, SIZE)
    assert np.abs(prep.enlarged - prep.image).max() > 0.5            # the trip through 28×28 loses detail ...
    np.testing.assert_allclose(prep.restored, prep.image, atol=1e-5)  # ... and the correction puts it back
    assert prep.tiles.shape == (4, SIZE // 2, SIZE // 2) and prep.tiles_small.shape == (4, 28, 28)
    np.testing.assert_allclose(prep.reassembled(), prep.image, atol=1e-5)
    naive = carver.prepare(photo, "1,4", undo_tile_standardization=False)
    np.testing.assert_allclose(naive.reassembled(), naive.image, atol=1e-5)
    np.testing.assert_allclose(detail_correction(prep.image[None, :, :, None])[0, :, :, 0], prep.correction, atol=1e-5)


def test_responsive_maps_fire_everywhere(carver, photo):
    live = carver.responsive_maps(photo, "2,3")
    prep = carver.prepare(photo, "2,3")
    acts = carver.oip.map_activations(np.concatenate([prep.small[None], prep.tiles_small]))
    assert len(live) > 0 and np.all(acts[:, live] > 0)
    weakest = acts.min(axis=0)
    assert np.all(np.diff(weakest[live]) <= 0)                         # strongest first
    assert set(np.flatnonzero(weakest > 0)) == set(live.tolist())


# -- the carving -------------------------------------------------------------------------------------
def test_output_has_the_working_size_and_is_standardized(carver, photo, live):
    dream = carver.carve(photo, live, sub_maps=123, quadrants="all", iterations=2, steps=STEPS)
    assert dream.image.shape == (SIZE, SIZE) and dream.size == SIZE
    assert abs(dream.image.mean()) < 1e-4 and abs(dream.image.std() - 1) < 1e-3
    assert dream.sub_maps == (123, 123, 123, 123) and dream.quadrants == (1, 2, 3, 4)
    assert dream.full_losses.shape == (2, STEPS) and dream.tile_losses.shape == (2, STEPS, 4)
    assert np.abs(dream.image - photo.image).max() > 0.5              # something was carved
    shown = dream.display()
    assert shown.shape == (SIZE, SIZE) and shown.min() >= 0 and shown.max() <= 1


def test_carving_strengthens_the_map(carver, photo, live):
    dream = carver.carve(photo, live, quadrants="none", iterations=3, steps=STEPS)
    assert dream.full_losses[0, -1] > dream.full_losses[0, 0] > 0      # the ascent raises the activation
    # the map fires more strongly on the carved image than on the photo, seen at 28×28
    before, after = carver.oip.map_activations(np.stack([carver.prepare(photo, "none").small,
                                                         carver.prepare(dream.image, "none").small]))[:, live]
    assert after > 1.5 * before


@pytest.mark.parametrize("undo", [True, False])
def test_zero_steps_return_the_input(carver, undo):
    x = contrast_image()
    dream = carver.carve(x, 7, quadrants="all", iterations=2, steps=0, undo_tile_standardization=undo)
    standardized = (x - x.mean()) / x.std()
    np.testing.assert_allclose(dream.image, standardized, atol=1e-4)


def test_undoing_the_tile_standardization_keeps_a_dull_quadrant_dull(carver):
    x = contrast_image()
    m = int(carver.responsive_maps(x, "1")[0])
    careful = carver.carve(x, m, sub_maps=m, quadrants="1", iterations=1, steps=STEPS, keep_steps=True)
    naive = carver.carve(x, m, sub_maps=m, quadrants="1", iterations=1, steps=STEPS, keep_steps=True,
                         undo_tile_standardization=False)
    c, n = careful.history[0], naive.history[0]
    np.testing.assert_array_equal(c.tiles_in, n.tiles_in)              # the same tile goes in
    sigma = c.tiles_in.std()
    assert sigma < 0.3                                                 # a dull corner of the standardized image
    # careful: the pasted tile keeps the mean of the tile it replaces ...
    np.testing.assert_allclose(c.tiles_out.mean(), c.tiles_in.mean(), atol=1e-4)
    # ... and the carving's change arrives scaled by the tile's own std; naive: at unit strength,
    # i.e. 1/sigma times louder than the dull corner around it
    change_careful = (c.tiles_out - c.tiles_in).std()
    change_naive = (n.tiles_out - n.tiles_in).std()
    assert change_naive > 0.5 / sigma * change_careful
    assert not np.allclose(careful.image, naive.image, atol=1e-2)


def test_keep_steps_records_every_iteration(carver, photo):
    dream = carver.carve(photo, 25, sub_maps=[1, 2], quadrants="2,3", iterations=3, steps=STEPS, keep_steps=True)
    assert len(dream.history) == 3 and all(isinstance(s, CarvingStep) for s in dream.history)
    h = dream.history[1]
    assert h.iteration == 1 and h.small_in.shape == h.small_out.shape == (28, 28)
    assert h.tiles_in.shape == h.tiles_out.shape == (2, SIZE // 2, SIZE // 2)
    assert h.tiles_small_out.shape == (2, 28, 28) and h.tile_losses.shape == (STEPS, 2)
    np.testing.assert_array_equal(dream.history[-1].result, dream.image)
    # each iteration starts from the previous one's result
    np.testing.assert_allclose(dream.history[1].small_in, cnn_input(dream.history[0].result[None, :, :, None])[0, :, :, 0],
                               atol=1e-5)
    assert dream.sub_maps == (1, 2)
    assert carver.carve(photo, 25, quadrants="none", iterations=1, steps=STEPS, keep_steps=True).history[0].tiles_in.shape[0] == 0


def test_same_seed_same_image(carver, photo, live):
    kwargs = dict(quadrants="1,4", iterations=2, steps=STEPS, noise=0.3)
    a = carver.carve(photo, live, seed=5, **kwargs).image
    b = carver.carve(photo, live, seed=5, **kwargs).image
    c = carver.carve(photo, live, seed=6, **kwargs).image
    np.testing.assert_array_equal(a, b)
    assert not np.allclose(a, c)
    # without noise there is no randomness at all
    np.testing.assert_array_equal(carver.carve(photo, live, iterations=1, steps=STEPS).image,
                                  carver.carve(photo, live, iterations=1, steps=STEPS).image)


def test_a_silent_map_is_reported(carver, photo):
    small = carver.prepare(photo, "none").small
    silent = np.flatnonzero(carver.oip.map_activations(small)[0] == 0)
    if silent.size == 0:
        pytest.skip("every map responds to this photo")
    dream = carver.carve(photo, int(silent[0]), quadrants="none", iterations=1, steps=STEPS)
    assert f"full image (map {silent[0]})" in dream.message and "noise" in dream.message
    np.testing.assert_allclose(dream.image, photo.image, atol=1e-4)   # nothing carved


@pytest.mark.parametrize("make", ["rgba", "gray", "wide", "large"])
def test_odd_photos_can_be_carved(carver, tmp_path, make):
    rng = np.random.default_rng(1)
    arrays = {"rgba": (rng.integers(0, 256, (90, 90, 4), dtype=np.uint8), "RGBA"),
              "gray": (rng.integers(0, 256, (70, 70), dtype=np.uint8), "L"),
              "wide": (rng.integers(0, 256, (60, 200, 3), dtype=np.uint8), "RGB"),
              "large": (rng.integers(0, 256, (1500, 1200, 3), dtype=np.uint8), "RGB")}
    array, mode = arrays[make]
    path = tmp_path / f"{make}.png"
    Image.fromarray(array, mode).save(path)
    dream = carver.carve(load_photo(path, size=64), 25, quadrants="all", iterations=1, steps=3)
    assert dream.image.shape == (64, 64) and np.all(np.isfinite(dream.image))


def test_the_default_carver_carves_with_conv2d_3(carver, photo):
    dream = carver.carve(photo, 25, quadrants="none", iterations=1, steps=3)
    assert dream.image.shape == (SIZE, SIZE) and dream.layer_name == carver.layer_name == "Conv2D_3"


def test_other_layers_work():
    dream = DreamCarver(layer_name="Conv2D_2").carve(contrast_image(56), 3, quadrants="all", iterations=1, steps=3)
    assert dream.image.shape == (56, 56) and dream.layer_name == "Conv2D_2"


# -- errors --------------------------------------------------------------------------------------------
@pytest.mark.parametrize("kwargs, error, words", [
    (dict(map_index=128), IndexError, "0..127"),
    (dict(map_index=-1), IndexError, "0..127"),
    (dict(map_index=1.5), TypeError, "integers"),
    (dict(map_index=1, sub_maps=200), IndexError, "0..127"),
    (dict(map_index=1, sub_maps=[1, 2]), ValueError, "one per chosen quadrant"),
    (dict(map_index=1, quadrants="5"), QuadrantSpecError, "no quadrant 5"),
    (dict(map_index=1, steps=-1), ValueError, "steps"),
    (dict(map_index=1, iterations=2.5), TypeError, "iterations must be a whole number"),
    (dict(map_index=1, epsilon=float("inf")), ValueError, "epsilon.*finite"),
    (dict(map_index=1, epsilon=0), ValueError, "epsilon"),
    (dict(map_index=1, noise=-1), ValueError, "noise"),
])
def test_bad_arguments(carver, photo, kwargs, error, words):
    with pytest.raises(error, match=words):
        carver.carve(photo, **kwargs)


@pytest.mark.parametrize("image, quadrants, words", [
    (np.zeros((20, 20)), "none", "at least 28"),
    (np.zeros((40, 50)), "none", "square"),
    (np.zeros((60, 60, 3)), "none", "square"),
    (np.zeros((50, 50)), "all", "at least 56"),
    (np.zeros((61, 61)), "1", "even"),
    (np.full((40, 40), np.nan), "none", r"1600 pixel values are NaN or infinite, in photo\(s\) \[0\]"),
])
def test_bad_images(carver, image, quadrants, words):
    with pytest.raises(ValueError, match=words):
        carver.carve(image, 1, quadrants=quadrants, steps=1)


def test_unknown_layer_lists_the_valid_ones():
    with pytest.raises(ValueError, match="Conv2D_1, Max_Pool_1"):
        DreamCarver(layer_name="Conv2D_9")


# -- display and PNG -----------------------------------------------------------------------------------
def test_clip_contrast():
    x = np.linspace(-3, 2, 101).astype(np.float32)
    y = clip_contrast(x)                                   # limit = 0.85 · min(3, 2) = 1.7
    assert y.min() == 0 and y.max() == 1
    assert np.sum(y == 0) == np.sum(1.1 * x <= -1.7) and np.sum(y == 1) == np.sum(1.1 * x >= 1.7)
    assert clip_contrast(x, fraction=1.0, gain=1.0)[50] == pytest.approx((x[50] + 2) / 4)
    with pytest.raises(ValueError, match="fraction"):
        clip_contrast(x, fraction=0)
    with pytest.raises(ValueError, match="gain"):
        clip_contrast(x, gain=-1)


def test_png_is_written_and_not_overwritten(carver, photo, tmp_path):
    dream = carver.carve(photo, 25, quadrants="none", iterations=1, steps=3)
    out = dream.save_png(tmp_path / "sub" / "dream.png")
    with Image.open(out) as img:
        assert img.size == (SIZE, SIZE) and img.mode == "L"
    with pytest.raises(FileExistsError, match="overwrit"):
        dream.save_png(out)
    dream.save_png(out, overwrite=True, contrast="oip")
    with pytest.raises(ValueError, match=".png"):
        check_output_path(tmp_path / "dream.jpg")
    with pytest.raises(ValueError, match="contrast"):
        dream.display("loud")
    with pytest.raises(ValueError, match="one gray image"):
        save_png(np.zeros((2, 4, 4)), tmp_path / "x.png")
