"""The dream explorer of notebook 08, driven by setting widget values (no kernel needed)."""
import matplotlib
import numpy as np
import pytest

matplotlib.use("Agg")

from helpers.dream import DreamCarver, QuadrantSpecError  # noqa: E402
from helpers.dream.widgets import DreamExplorer, dream_explorer  # noqa: E402
from helpers.dream.photo import load_photo  # noqa: E402

STEPS = 4


@pytest.fixture(scope="module")
def carver():
    return DreamCarver()


@pytest.fixture(scope="module")
def photo():
    return load_photo("default", size=64)


def test_changing_widgets_recarves(carver, photo):
    ex = dream_explorer(carver, photo, full_map=25, sub_map=123, iterations=2, steps=STEPS, render=False)
    r = ex.result
    assert (r.map_index, r.sub_maps, r.iterations, r.quadrants) == (25, (123,) * 4, 2, (1, 2, 3, 4))
    ex.full_map.value = 18
    assert ex.result.map_index == 18 and "map 18 on the full image" in ex.status.value
    ex.sub_map.value = 7
    assert ex.result.sub_maps == (7,) * 4
    ex.iterations.value = 1
    assert ex.result.iterations == 1 and ex.result.full_losses.shape == (1, STEPS)
    ex.quadrants.value = "1,4"
    assert ex.result.quadrants == (1, 4) and ex.result.sub_maps == (7, 7)
    direct = carver.carve(photo, 18, sub_maps=7, quadrants="1,4", iterations=1, steps=STEPS)
    np.testing.assert_array_equal(ex.result.image, direct.image)
    ex.quadrants.value = "none"
    assert ex.result.quadrants == () and ex.result.tile_losses.shape == (1, STEPS, 0)


def test_sliders_are_bounded_by_the_layer(carver, photo):
    ex = DreamExplorer(carver, photo, iterations=1, steps=STEPS, render=False, max_iterations=5)
    assert (ex.full_map.min, ex.full_map.max) == (0, carver.n_maps - 1)
    assert ex.iterations.max == 5 and not ex.full_map.continuous_update
    ex.full_map.value = 500                       # the slider clamps what a learner types
    assert ex.full_map.value == carver.n_maps - 1 and ex.result.map_index == carver.n_maps - 1


def test_rendering_draws_photo_and_dream(carver, photo):
    ex = DreamExplorer(carver, photo, iterations=1, steps=STEPS, render=True)
    assert ex.figure is not None and len(ex.figure.axes) == 2
    ex.full_map.value = 3
    assert "map 3" in ex.figure.axes[1].get_title()
    np.testing.assert_allclose(ex.figure.axes[1].images[0].get_array(), ex.result.display())


def test_bad_arguments(carver, photo):
    with pytest.raises(IndexError, match="0..127"):
        DreamExplorer(carver, photo, full_map=128, render=False)
    with pytest.raises(QuadrantSpecError):
        DreamExplorer(carver, photo, quadrants="5", render=False)
    with pytest.raises(ValueError, match="iterations"):
        DreamExplorer(carver, photo, iterations=0, render=False)
    with pytest.raises(TypeError, match="Photo"):
        DreamExplorer(carver, photo.image, render=False)
