"""helpers.cnn.training: a tiny real training run, the learning-rate schedule, the confusion matrix,
the progress line outside notebooks, and refusing to overwrite a saved model."""
import dataclasses
import io
import os
from pathlib import Path

import numpy as np
import pytest

from helpers.data import load_mnist, split_train_validation
from helpers.model import build_cnn
from helpers.cnn.training import (FIRST_TEST_CONFIG, REFERENCE_CONFIG, LiveCurves, TrainConfig, confusion_matrix,
                              evaluate_accuracy, learning_rate_schedule, make_dataset, make_optimizer,
                              predict_proba, schedule_per_epoch, train_cnn)

MNIST_NPZ = os.environ.get("MNIST_NPZ")
needs_mnist = pytest.mark.skipif(not (MNIST_NPZ and Path(MNIST_NPZ).is_file()),
                                 reason="full MNIST not available: set MNIST_NPZ to mnist.npz")


@pytest.fixture(scope="module")
def tiny_splits():
    (x_train, y_train), (x_test, y_test) = load_mnist()
    splits = split_train_validation(x_train[:768], y_train[:768], n_validation=256, seed=0)
    splits.update(x_test=x_test[:500], y_test=y_test[:500])
    return splits


@needs_mnist
def test_two_epochs_on_512_real_images_reduce_the_loss(tiny_splits, tmp_path):
    config = dataclasses.replace(FIRST_TEST_CONFIG, epochs=2, batch_size=32)
    assert len(tiny_splits["x_train"]) == 512
    best = tmp_path / "best.keras"
    result = train_cnn(build_cnn(seed=0), tiny_splits, config, live=False, best_model_path=best)
    loss, val_loss = result.history["loss"], result.history["val_loss"]
    assert len(loss) == 2 and len(result.epoch_seconds) == 2
    assert loss[1] < loss[0]
    assert val_loss[1] < 2.3  # below the loss of guessing (ln 10 ≈ 2.30)
    assert evaluate_accuracy(result.model, tiny_splits["x_test"], tiny_splits["y_test"]) > 0.5
    assert best.is_file()  # the checkpoint of the best validation epoch was written


@needs_mnist
def test_sgd_with_shifts_and_l2_also_learns(tiny_splits):
    config = dataclasses.replace(REFERENCE_CONFIG, epochs=2, batch_size=32)
    result = train_cnn(build_cnn(l2=config.l2, seed=0), tiny_splits, config, live=False)
    assert result.history["loss"][1] < result.history["loss"][0]


def test_train_cnn_refuses_to_overwrite_a_saved_model(tmp_path):
    existing = tmp_path / "mine.keras"
    existing.write_bytes(b"a model the learner trained an hour ago")
    with pytest.raises(FileExistsError, match="overwrite=True"):
        train_cnn(build_cnn(), {}, FIRST_TEST_CONFIG, best_model_path=existing)  # fails before any data is touched
    assert existing.read_bytes() == b"a model the learner trained an hour ago"
    with pytest.raises(ValueError, match=".keras"):
        train_cnn(build_cnn(), {}, FIRST_TEST_CONFIG, best_model_path=tmp_path / "mine.h5")


def test_reference_schedule_decays_by_the_configured_factor_each_epoch():
    steps = 860
    rates = schedule_per_epoch(REFERENCE_CONFIG, steps)
    assert len(rates) == REFERENCE_CONFIG.epochs
    assert rates[0] == pytest.approx(REFERENCE_CONFIG.learning_rate)
    np.testing.assert_allclose(rates[1:] / rates[:-1], REFERENCE_CONFIG.decay_rate, rtol=1e-5)
    sched = learning_rate_schedule(REFERENCE_CONFIG, steps)
    assert float(sched(steps - 1)) == pytest.approx(rates[0])  # a staircase: constant within an epoch
    assert float(sched(steps)) == pytest.approx(rates[1])


def test_schedule_without_decay_is_constant():
    rates = schedule_per_epoch(FIRST_TEST_CONFIG, 100)
    np.testing.assert_array_equal(rates, np.full(FIRST_TEST_CONFIG.epochs, FIRST_TEST_CONFIG.learning_rate))


def test_optimizers():
    assert make_optimizer(REFERENCE_CONFIG, 10).__class__.__name__ == "SGD"
    assert make_optimizer(FIRST_TEST_CONFIG, 10).__class__.__name__ == "RMSprop"
    with pytest.raises(ValueError, match="'sgd' or 'rmsprop'"):
        make_optimizer(TrainConfig(optimizer="adam"), 10)


def test_dataset_standardizes_and_one_hot_encodes():
    images = np.random.default_rng(0).integers(0, 256, (10, 28, 28), dtype=np.uint8)
    labels = np.arange(10)
    for shift in (0, 2):
        xb, yb = next(iter(make_dataset(images, labels, 4, shuffle=False, shift_pixels=shift)))
        assert xb.shape == (4, 28, 28, 1) and yb.shape == (4, 10)
        np.testing.assert_allclose(xb.numpy().mean(axis=(1, 2, 3)), 0, atol=1e-4)
        np.testing.assert_allclose(xb.numpy().std(axis=(1, 2, 3)), 1, atol=1e-3)
        assert list(yb.numpy().argmax(axis=1)) == [0, 1, 2, 3]


def test_predict_proba_and_accuracy_on_an_untrained_model():
    images = np.random.default_rng(0).integers(0, 256, (6, 28, 28), dtype=np.uint8)
    p = predict_proba(build_cnn(seed=0), images)
    assert p.shape == (6, 10)
    np.testing.assert_allclose(p.sum(axis=1), 1, atol=1e-5)
    assert 0.0 <= evaluate_accuracy(build_cnn(seed=0), images, np.zeros(6, int)) <= 1.0


def test_confusion_matrix_counts():
    true = [0, 0, 1, 2, 2, 2, 9]
    pred = [0, 1, 1, 2, 2, 7, 9]
    cm = confusion_matrix(true, pred)
    assert cm.shape == (10, 10) and cm.sum() == 7
    assert cm[0, 0] == 1 and cm[0, 1] == 1 and cm[2, 2] == 2 and cm[2, 7] == 1 and cm[9, 9] == 1
    assert np.trace(cm) == 5
    assert confusion_matrix([1, 1], [0, 1], num_classes=2).tolist() == [[0, 0], [1, 1]]


def test_live_curves_print_a_progress_line_outside_notebooks():
    stream = io.StringIO()
    curves = LiveCurves(live=False, stream=stream)
    curves.set_params({"epochs": 3})
    curves.on_epoch_begin(0)
    curves.on_epoch_end(0, {"loss": 0.5, "accuracy": 0.875, "val_loss": 0.25, "val_accuracy": 0.9375})
    line = stream.getvalue()
    assert line.count("\n") == 1
    assert line.startswith("epoch 1/3")
    assert "loss=0.5000" in line and "val_accuracy=0.9375" in line and " s)" in line
    assert curves.history["val_loss"] == [0.25] and len(curves.epoch_seconds) == 1


def test_live_curves_default_outside_a_notebook_is_the_progress_line():
    assert LiveCurves().live is False
