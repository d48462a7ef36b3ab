"""helpers.cnn.evaluation: reading and drawing a confusion matrix and class probabilities."""
import matplotlib

matplotlib.use("Agg")

import numpy as np
import pytest

from helpers.cnn.evaluation import (most_confused_pairs, per_class_accuracy, plot_confusion_matrix, plot_predictions,
                                   plot_validation_errors)
from helpers.cnn.training import confusion_matrix


def example_cm():
    true = [4] * 10 + [9] * 10 + [7] * 5 + [1]
    pred = [4] * 7 + [9] * 3 + [9] * 9 + [4] + [7] * 3 + [2, 1] + [1]
    return confusion_matrix(true, pred)


def test_most_confused_pairs():
    assert most_confused_pairs(example_cm()) == [(4, 9, 3), (7, 1, 1), (7, 2, 1), (9, 4, 1)]
    assert most_confused_pairs(example_cm(), top=1) == [(4, 9, 3)]
    assert most_confused_pairs(np.eye(3, dtype=int) * 5) == []
    with pytest.raises(ValueError, match="square"):
        most_confused_pairs(np.zeros((2, 3)))


def test_per_class_accuracy():
    acc = per_class_accuracy(example_cm())
    assert acc[4] == pytest.approx(0.7) and acc[9] == pytest.approx(0.9) and acc[1] == 1.0
    assert np.isnan(acc[0])  # no images of digit 0


def test_plots():
    import matplotlib.pyplot as plt

    fig = plot_confusion_matrix(example_cm())
    texts = [t.get_text() for t in fig.axes[0].texts]
    assert "7" in texts and "3" in texts and "0" not in texts  # counts in the non-empty cells only
    rng = np.random.default_rng(0)
    probs = rng.dirichlet(np.ones(10), size=3)
    fig = plot_predictions(rng.integers(0, 256, (3, 28, 28)), probs, [0, 1, 2])
    assert len(fig.axes) == 6
    with pytest.raises(ValueError, match="labels"):
        plot_predictions(rng.integers(0, 256, (3, 28, 28)), probs, [0, 1])
    plt.close("all")


def test_validation_errors_are_drawn_in_percent_on_a_log_scale():
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots()
    plot_validation_errors(ax, {"a": ([0.98, 0.99, 0.995], "o-", "tab:blue"), "b": ([0.97, 0.99], "s--", "tab:red")})
    (a, b) = ax.get_lines()
    np.testing.assert_allclose(a.get_xdata(), [1, 2, 3])
    np.testing.assert_allclose(a.get_ydata(), [2.0, 1.0, 0.5])                 # error in percent
    assert b.get_label() == "b" and ax.get_yscale() == "log" and ax.get_title() == "Validation error per epoch"
    plt.close(fig)
