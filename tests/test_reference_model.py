"""The reference model shipped in the package (helpers/models/reference_cnn.keras) and its record."""
import os
from pathlib import Path

import pytest

from helpers.data import load_mnist
from helpers.model import ARTICLE_PARAM_COUNT, REFERENCE_MODEL_PATH, load_reference_model, reference_record
from helpers.cnn.training import evaluate_accuracy

MNIST_NPZ = os.environ.get("MNIST_NPZ")
REQUIRED_FIELDS = ("config", "seed", "epochs_trained", "test_accuracy", "tensorflow", "keras", "date")
ARTICLE_III_ACCURACY = 0.9935  # article III reaches about 99.35 % on the test set


@pytest.fixture(scope="module")
def model():
    return load_reference_model()


@pytest.fixture(scope="module")
def record():
    return reference_record()


def test_reference_model_is_the_article_cnn(model):
    assert REFERENCE_MODEL_PATH.suffix == ".keras"
    assert model.count_params() == ARTICLE_PARAM_COUNT
    assert [l.name for l in model.layers[1:]] == ["Conv2D_1", "Max_Pool_1", "Conv2D_2", "Max_Pool_2", "Conv2D_3",
                                                  "Flatten", "Dense_1", "Dense_2", "Softmax"]


def test_record_has_the_required_fields(record):
    missing = [k for k in REQUIRED_FIELDS if k not in record]
    assert not missing, f"reference record lacks {missing}"
    assert record["seed"] == record["config"]["seed"]
    assert 1 <= record["epochs_trained"] <= record["config"]["epochs"]
    assert 0.0 < record["test_accuracy"] <= 1.0
    assert record["param_count"] == ARTICLE_PARAM_COUNT


@pytest.mark.skipif(not (MNIST_NPZ and Path(MNIST_NPZ).is_file()),
                    reason="full MNIST not available (set MNIST_NPZ to mnist.npz); CI always sets it")
def test_reference_model_reaches_the_article_accuracy(model, record):
    _, (x_test, y_test) = load_mnist()
    accuracy = evaluate_accuracy(model, x_test, y_test)
    assert accuracy >= ARTICLE_III_ACCURACY, f"test accuracy {accuracy:.4%} < {ARTICLE_III_ACCURACY:.2%}"
    assert accuracy == pytest.approx(record["test_accuracy"], abs=1e-3)  # the record describes this model
