"""helpers.cnn.descent: Keras' SGD on a narrow valley, with and without momentum."""
import numpy as np
import pytest

from helpers.cnn.descent import descent_path, valley_loss


def test_path_shape_and_start():
    path = descent_path(start=(-9.0, 1.5), steps=5)
    assert path.shape == (6, 2)
    np.testing.assert_allclose(path[0], [-9.0, 1.5])
    np.testing.assert_allclose(descent_path(steps=3, learning_rate=0.0), np.tile([-9.0, 1.5], (4, 1)))


def test_first_step_is_plain_gradient_descent():
    path = descent_path(start=(-9.0, 1.5), learning_rate=0.01, steps=1)
    np.testing.assert_allclose(path[1], [-9.0 + 0.01 * 9.0, 1.5 - 0.01 * 100 * 1.5], rtol=1e-6)


def test_momentum_gets_further_down_the_valley():
    plain = descent_path(momentum=0.0)
    heavy = descent_path(momentum=0.9)
    assert float(valley_loss(heavy[-1])) < 0.1 * float(valley_loss(plain[-1]))
    assert plain[-1, 0] < -5 and abs(heavy[-1, 0]) < 1  # plain SGD is still crawling along the valley floor
    assert np.all(np.diff(plain[:, 0]) > 0) and np.all(plain[:, 1] >= 0)  # straight down, no overshoot
    assert heavy[:, 1].min() < -0.5  # momentum carries speed and swings across the valley


def test_negative_steps_are_refused():
    with pytest.raises(ValueError, match="steps"):
        descent_path(steps=-1)
