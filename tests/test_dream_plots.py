"""The figures of notebook 08 draw what the carving returned (one panel per image, titles in place)."""
import matplotlib
import numpy as np
import pytest

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from helpers.dream import DreamCarver, clip_contrast  # noqa: E402
from helpers.dream.plots import dreams_side_by_side, iteration_figure, preparation_figure  # noqa: E402
from helpers.dream.photo import load_photo  # noqa: E402


@pytest.fixture(scope="module")
def setup():
    carver, photo = DreamCarver(), load_photo("default", size=64)
    return carver, photo


def panels(fig):
    return [ax for ax in fig.axes if ax.images]


def test_preparation_figure(setup):
    carver, photo = setup
    fig = preparation_figure(photo, carver.prepare(photo, "1,4"))
    shown = panels(fig)
    assert len(shown) == 5 + 3 * 2
    assert shown[0].images[0].get_array().shape == (64, 64, 3)                # the colour photo
    assert any("28×28" in ax.get_title() for ax in shown)
    plt.close(fig)
    fig = preparation_figure(None, carver.prepare(photo, "none"))
    assert len(panels(fig)) == 4
    plt.close(fig)


def test_iteration_figure(setup):
    carver, photo = setup
    dream = carver.carve(photo, 0, quadrants="2,3", iterations=1, steps=3, keep_steps=True)
    fig = iteration_figure(dream.history[0], dream.original, quadrants=dream.quadrants)
    assert len(panels(fig)) == 4 + 4 * 2 + 1
    assert any("quadrant 3" in ax.get_title() for ax in fig.axes)
    loss_axes = [ax for ax in fig.axes if ax.lines]
    assert len(loss_axes) == 1 and len(loss_axes[0].lines) == 3               # full image + 2 quadrants
    plt.close(fig)


def test_side_by_side_uses_the_clipped_contrast(setup):
    carver, photo = setup
    img = np.random.default_rng(0).normal(size=(64, 64)).astype(np.float32)
    fig = dreams_side_by_side([photo.image, img], ["a", "b"], reference=photo.image, suptitle="x")
    np.testing.assert_allclose(fig.axes[1].images[0].get_array(), clip_contrast(img, photo.image))
    assert [ax.get_title() for ax in fig.axes] == ["a", "b"]
    plt.close(fig)
