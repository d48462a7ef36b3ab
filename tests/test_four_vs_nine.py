"""Selecting clear and ambiguous 4s/9s, comparing maps and nodes, and the logistic regression (helpers/activations/four_vs_nine.py)."""
import os

import numpy as np
import pytest

from helpers.activations.four_vs_nine import (ambiguous_examples, clear_examples, confidence_margin,
                                              fit_logistic_regression, linear_separability, map_differences,
                                              mean_pairwise_distance, node_separation, pattern_typicality,
                                              select_four_nine, unclear_but_confident, varied_examples)
from helpers.model import REFERENCE_MODEL_PATH


def _probs(rows):
    """Probability rows from {class: probability}; the rest spread evenly over the other classes."""
    out = []
    for row in rows:
        p = np.full(10, (1.0 - sum(row.values())) / (10 - len(row)))
        for c, v in row.items():
            p[c] = v
        out.append(p)
    return np.array(out, dtype=np.float32)


@pytest.fixture
def toy():
    labels = np.array([4, 4, 9, 4, 9, 4, 1, 9])
    probs = _probs([
        {4: 0.90, 9: 0.09},    # 0: a 4, fairly sure
        {4: 0.999, 9: 0.0005},  # 1: a 4, very sure
        {9: 0.99, 4: 0.005},   # 2: a 9, very sure
        {4: 0.40, 9: 0.59},    # 3: a 4 the model calls 9
        {9: 0.60, 4: 0.39},    # 4: a 9, nearly a 4
        {4: 0.70, 9: 0.29},    # 5: a 4, somewhat unsure
        {1: 0.99},             # 6: a 1 (never selected)
        {9: 0.95, 4: 0.01},    # 7: a 9
    ])
    return probs, labels


def test_clear_examples_most_confident_first(toy):
    probs, labels = toy
    np.testing.assert_array_equal(clear_examples(probs, labels, 4, n=3), [1, 0, 5])
    np.testing.assert_array_equal(clear_examples(probs, labels, 9, n=2), [2, 7])
    assert len(clear_examples(probs, labels, 4, n=10)) == 4  # only the 4s there are


def test_ambiguous_examples_highest_other_probability_first(toy):
    probs, labels = toy
    np.testing.assert_array_equal(ambiguous_examples(probs, labels, 4, 9, n=3), [3, 5, 0])
    np.testing.assert_array_equal(ambiguous_examples(probs, labels, 9, 4, n=2), [4, 7])
    sel = select_four_nine(probs, labels, n=2)
    np.testing.assert_array_equal(sel.clear_4, [1, 0])
    np.testing.assert_array_equal(sel.ambiguous_9, [4, 7])


def test_missing_digit_is_an_error(toy):
    probs, labels = toy
    with pytest.raises(ValueError, match="label 3"):
        clear_examples(probs, labels, 3)
    with pytest.raises(ValueError, match="label 7"):
        ambiguous_examples(probs, labels, 7, 9)


def test_margin_ranks_probabilities_that_round_to_one():
    # float32 softmax outputs of very clear digits are exactly 1.0; the runner-up still tells them apart
    probs = np.zeros((3, 10), dtype=np.float32)
    probs[:, 4] = 1.0
    probs[0, 9], probs[1, 9], probs[2, 9] = 1e-9, 1e-12, 1e-7
    margin = confidence_margin(probs, [4, 4, 4])
    assert np.all(np.isfinite(margin))
    np.testing.assert_array_equal(clear_examples(probs, np.array([4, 4, 4]), 4), [1, 0, 2])
    assert confidence_margin(_probs([{4: 0.3, 9: 0.6}]), [4])[0] < 0  # the model prefers another class


def test_map_differences_finds_the_differing_maps():
    rng = np.random.default_rng(0)
    a = rng.random((50, 3, 3, 16))
    b = rng.random((60, 3, 3, 16))
    a[:, 1, 1, 5] += 4.0      # map 5 lights up in the middle for group a: RMS 4/3
    b[:, 0, :, 11] += 2.0     # map 11 lights up in the top row for group b: RMS 2/sqrt(3)
    diff = map_differences(a, b)
    np.testing.assert_array_equal(diff.top(2), [5, 11])
    assert diff.difference.shape == (3, 3, 16) and diff.difference[1, 1, 5] > 3.5 and diff.difference[0, 0, 11] < -1.5
    np.testing.assert_allclose(diff.mean_a, a.mean(axis=0))
    with pytest.raises(ValueError, match="n_maps"):
        map_differences(a, b[..., :8])


def test_node_separation():
    rng = np.random.default_rng(0)
    a, b = rng.normal(size=(200, 6)), rng.normal(size=(300, 6))
    a[:, 2] += 2.0
    b[:, 4] += 1.0
    a[:, 0] = b[:, 0] = 0.0   # a dead node
    d = node_separation(a, b)
    assert d[0] == 0.0
    assert np.argmax(d) == 2 and 1.7 < d[2] < 2.3
    assert np.argmin(d) == 4 and -1.3 < d[4] < -0.7


def test_logistic_regression_separates_and_is_deterministic():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(400, 20))
    y = (x[:, 3] - 0.5 * x[:, 7] > 0).astype(int)
    first, second = fit_logistic_regression(x[:300], y[:300]), fit_logistic_regression(x[:300], y[:300])
    np.testing.assert_array_equal(first.weights, second.weights)
    assert first.accuracy(x[300:], y[300:]) >= 0.95
    assert np.argmax(np.abs(first.weights)) == 3
    # a feature set without information stays near chance
    noise = rng.normal(size=(400, 20))
    res = linear_separability({"signal": x[:300], "noise": noise[:300]}, y[:300],
                              {"signal": x[300:], "noise": noise[300:]}, y[300:])
    assert res["signal"][0] >= 0.95 and res["noise"][0] < 0.75


def test_logistic_regression_bad_labels():
    with pytest.raises(ValueError, match="0 and 1"):
        fit_logistic_regression(np.zeros((3, 2)), [4, 9, 4])
    with pytest.raises(ValueError, match="feature sets differ"):
        linear_separability({"a": np.zeros((2, 1))}, [0, 1], {"b": np.zeros((2, 1))}, [0, 1])


@pytest.mark.skipif(not REFERENCE_MODEL_PATH.exists(), reason="reference model not trained yet")
@pytest.mark.skipif(not os.environ.get("MNIST_NPZ"), reason="set MNIST_NPZ to a local mnist.npz")
def test_selection_with_the_reference_model():
    from helpers import layer_activations, load_mnist, load_reference_model

    model = load_reference_model()
    _, (x_test, y_test) = load_mnist()
    idx = np.flatnonzero(np.isin(y_test, [4, 9]))[:600]  # enough 4s and 9s, quick
    x, y = x_test[idx], y_test[idx]
    probs = layer_activations(model, "Softmax", x)
    sel = select_four_nine(probs, y, n=3)
    for chosen, digit in ((sel.clear_4, 4), (sel.clear_9, 9), (sel.ambiguous_4, 4), (sel.ambiguous_9, 9)):
        assert np.all(y[chosen] == digit)
    assert np.all(probs[sel.clear_4].argmax(axis=1) == 4) and np.all(probs[sel.clear_9].argmax(axis=1) == 9)
    assert np.all(np.diff(confidence_margin(probs[sel.clear_4], y[sel.clear_4])) <= 0)
    p9 = probs[sel.ambiguous_4, 9]
    assert np.all(np.diff(p9) <= 0)
    assert p9[0] == probs[y == 4, 9].max()
    # an ambiguous 4 looks more like a 9 than any clear 4 does
    assert p9[-1] > probs[sel.clear_4, 9].max()


def test_ambiguous_but_correct(toy):
    probs, labels = toy
    np.testing.assert_array_equal(ambiguous_examples(probs, labels, 4, 9, n=2, correct_only=True), [5, 0])
    np.testing.assert_array_equal(ambiguous_examples(probs, labels, 9, 4, n=1, correct_only=True), [4])


def test_varied_examples_are_confident_and_far_apart():
    rng = np.random.default_rng(0)
    images = rng.random((40, 4, 4))
    labels = np.array([4] * 30 + [9] * 10)
    probs = np.full((40, 10), 0.01)
    probs[np.arange(40), labels] = np.linspace(0.99, 0.5, 40)  # image 0 is the surest 4
    images[1] = images[0] + 0.01                                  # the second surest is a near copy of it
    picked = varied_examples(images, probs, labels, 4, n=3, pool=20)
    assert picked[0] == 0 and 1 not in picked, picked
    assert set(picked.tolist()) <= set(range(20)) and np.all(labels[picked] == 4)
    assert mean_pairwise_distance(images, picked) > mean_pairwise_distance(images, [0, 1, 2])
    with pytest.raises(ValueError, match="n <= pool"):
        varied_examples(images, probs, labels, 4, n=5, pool=3)


def test_pattern_typicality_compares_with_both_averages():
    rng = np.random.default_rng(1)
    mean_a, mean_b = rng.random((3, 3, 4)), rng.random((3, 3, 4))
    r_ab = np.corrcoef(mean_a.ravel(), mean_b.ravel())[0, 1]
    acts = np.stack([2 * mean_a + 5,            # the average a, brighter: correlation 1 with a
                     mean_b,                    # exactly the average b
                     np.full((3, 3, 4), 7.0)])  # flat: correlates with nothing
    t = pattern_typicality(acts, mean_a, mean_b)
    np.testing.assert_allclose(t, [1 - r_ab, r_ab - 1, 0.0], atol=1e-12)
    assert t[0] > 0 > t[1]


def test_pattern_typicality_uses_only_the_chosen_maps():
    rng = np.random.default_rng(2)
    mean_a, mean_b = rng.random((3, 3, 6)), rng.random((3, 3, 6))
    mixed = mean_b.copy()
    mixed[..., [1, 4]] = mean_a[..., [1, 4]]    # like a on maps 1 and 4, like b everywhere else
    assert pattern_typicality(mixed[None], mean_a, mean_b, maps=[1, 4])[0] > 0.5
    assert pattern_typicality(mixed[None], mean_a, mean_b)[0] < 0
    with pytest.raises(ValueError, match="same shape"):
        pattern_typicality(mixed[None], mean_a[..., :3], mean_b)


def test_unclear_but_confident_filters_then_ranks():
    labels = np.array([4, 4, 4, 9, 4, 4])
    probs = _probs([{4: 0.99}, {4: 0.95}, {4: 0.60}, {4: 0.97}, {4: 0.91}, {4: 0.999}])
    typicality = np.array([0.8, -0.2, -0.9, -1.0, -0.5, 0.3])
    # image 2 is the least typical 4 but the model is unsure of it; image 3 is a 9
    np.testing.assert_array_equal(unclear_but_confident(typicality, probs, labels, 4, n=3), [4, 1, 5])
    np.testing.assert_array_equal(unclear_but_confident(typicality, probs, labels, 4, min_probability=0.5, n=2),
                                  [2, 4])
    assert len(unclear_but_confident(typicality, probs, labels, 4, n=10)) == 4  # the sure 4s there are
    with pytest.raises(ValueError, match="lower min_probability"):
        unclear_but_confident(typicality, probs, labels, 4, min_probability=0.9999)
    with pytest.raises(ValueError, match="same images"):
        unclear_but_confident(typicality[:3], probs, labels, 4)
