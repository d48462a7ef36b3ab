"""Attribution methods (helpers.attribution, notebook 09) against independent computations."""
import numpy as np
import pytest
import keras
import tensorflow as tf

from helpers import build_cnn, load_mnist, load_reference_model
from helpers.attribution import (blurred_baseline, class_scores, grad_cam, integrated_gradients, occlusion,
                                 saliency, smoothgrad)
from helpers.data import NonFiniteImageError, standardize
from helpers.model import class_scores_model


@pytest.fixture(scope="module")
def model():
    return load_reference_model()


@pytest.fixture(scope="module")
def digits():
    (_, _), (x_test, y_test) = load_mnist()
    return (x_test[:3] / 255.0).astype(np.float32), y_test[:3].astype(int)


@pytest.fixture(scope="module")
def model64(model):
    """A float64 copy of the reference model, for finite differences with a small step."""
    keras.config.set_floatx("float64")  # the input layer's dtype too, not only the layers' policy
    keras.config.set_dtype_policy("float64")
    try:
        copy = build_cnn()
    finally:
        keras.config.set_floatx("float32")
        keras.config.set_dtype_policy("float32")
    copy.set_weights([w.astype(np.float64) for w in model.get_weights()])
    return copy


def _f64_scores(model, images, c):
    """Class score from numpy standardization (an independent route through the network)."""
    x = np.asarray(images, np.float64)[..., None]
    x = (x - x.mean(axis=(1, 2, 3), keepdims=True)) / np.maximum(x.std(axis=(1, 2, 3), keepdims=True), 1 / 28)
    scores = np.asarray(class_scores_model(model)(x, training=False))
    return scores[np.arange(len(images)), c].astype(np.float64)


def test_saliency_matches_central_finite_differences(model, model64, digits):
    x, y = digits
    grads = saliency(model, x, y)
    assert grads.shape == (3, 28, 28)
    rng = np.random.default_rng(0)
    ink = np.argwhere(x[0] > 0.3)
    pixels = ink[rng.choice(len(ink), 12, replace=False)]
    h = 1e-4
    plus, minus = (np.repeat(x[:1].astype(np.float64), len(pixels), 0) for _ in range(2))
    for k, (i, j) in enumerate(pixels):
        plus[k, i, j] += h
        minus[k, i, j] -= h
    c = np.full(len(pixels), y[0])
    f_plus, f_minus = _f64_scores(model64, plus, c), _f64_scores(model64, minus, c)
    f_0 = _f64_scores(model64, x[:1], y[:1])[0]
    fd = (f_plus - f_minus) / (2 * h)
    # a ReLU or max-pool switch within ±h makes the one-sided slopes differ: no derivative to compare there
    smooth = np.abs((f_plus - f_0) - (f_0 - f_minus)) / h < 1e-3
    assert smooth.sum() >= 9
    got = grads[0][pixels[:, 0], pixels[:, 1]]
    np.testing.assert_allclose(got[smooth], fd[smooth], rtol=1e-4, atol=1e-5)
    assert np.abs(got).max() > 0.05  # not a test that zeros pass


def test_smoothgrad_without_noise_is_saliency(model, digits):
    x, y = digits
    np.testing.assert_allclose(smoothgrad(model, x, y, noise=0.0, n_samples=3), saliency(model, x, y),
                               rtol=1e-5, atol=1e-6)
    noisy = smoothgrad(model, x, y, noise=0.2, n_samples=8, seed=1)
    assert noisy.shape == (3, 28, 28) and not np.allclose(noisy, saliency(model, x, y), atol=1e-3)
    np.testing.assert_array_equal(noisy, smoothgrad(model, x, y, noise=0.2, n_samples=8, seed=1))


def test_integrated_gradients_are_complete_with_the_blurred_baseline(model, digits):
    x, y = digits
    ig = integrated_gradients(model, x, y, baseline="blurred", steps=256)
    delta = _f64_scores(model, x, y) - _f64_scores(model, blurred_baseline(x), y)
    assert np.all(np.abs(ig.sum(axis=(1, 2)) - delta) <= 0.01 * np.abs(delta) + 0.01)
    assert np.all(np.abs(delta) > 1)  # a real difference to account for
    # an explicit baseline array gives the same as the name
    np.testing.assert_allclose(integrated_gradients(model, x, y, baseline=blurred_baseline(x), steps=256), ig,
                               atol=1e-5)


def test_grad_cam_matches_numpy_from_the_layer_output_and_gradient(model, digits):
    x, y = digits
    scores_model = class_scores_model(model)
    both = tf.keras.Model(scores_model.inputs, [scores_model.get_layer("Conv2D_2").output, scores_model.output])
    with tf.GradientTape() as tape:
        maps, scores = both([standardize(x[..., None])])
        f = tf.reduce_sum(tf.gather(scores, y, batch_dims=1))
    grads, maps = tape.gradient(f, maps).numpy(), maps.numpy()
    expected = np.maximum((maps * grads.mean(axis=(1, 2), keepdims=True)).sum(axis=-1), 0)
    coarse = grad_cam(model, x, y, layer="Conv2D_2", coarse=True)
    assert coarse.shape == (3, 11, 11)
    np.testing.assert_allclose(coarse, expected, rtol=1e-4, atol=1e-5 * expected.max())
    assert expected.max() > 0
    assert grad_cam(model, x, y, layer="Conv2D_3", coarse=True).shape == (3, 3, 3)
    assert grad_cam(model, x, y, layer="Conv2D_2").shape == (3, 28, 28)


def test_occlusion_matches_a_direct_loop_for_one_patch(model, digits):
    x, y = digits
    size, stride = 7, 7  # positions tile the image: each pixel is covered by exactly one patch
    got = occlusion(model, x[:1], y[0], size=size, stride=stride)
    r, q = 14, 7
    covered = x[:1].copy()
    covered[0, r:r + size, q:q + size] = 0.0
    drop = _f64_scores(model, x[:1], y[:1]) - _f64_scores(model, covered, y[:1])
    np.testing.assert_allclose(got[0, r:r + size, q:q + size], drop[0], rtol=1e-4, atol=1e-4)
    assert got.shape == (1, 28, 28) and np.ptp(got) > 0.1


def test_bad_input_gets_clear_errors(model, digits):
    x, y = digits
    with pytest.raises(IndexError, match="out of range"):
        saliency(model, x, 10)
    with pytest.raises(IndexError, match="out of range"):
        occlusion(model, x, [1, 2, -1])
    bad = x.copy()
    bad[1, 3, 3] = np.nan
    with pytest.raises(NonFiniteImageError):
        integrated_gradients(model, bad, y)
    with pytest.raises(ValueError, match="Conv2D_1.*Conv2D_3"):
        grad_cam(model, x, y, layer="Dense_1")
    for steps in (0, -3, 2.5):
        with pytest.raises(ValueError, match="steps"):
            integrated_gradients(model, x, y, steps=steps)
    with pytest.raises(ValueError, match="one per image"):
        saliency(model, x, [1, 2])
    assert class_scores(model, x, y).shape == (3,)


def test_randomized_copy_changes_only_the_top_layers(model, digits):
    from helpers.attribution.trust import randomized_copy

    before = [w.copy() for w in model.get_weights()]
    copy, names = randomized_copy(model, 2, seed=1)
    assert names == ["Dense_2", "Dense_1"]
    for layer in model.layers:
        if layer.weights:
            same = all(np.array_equal(a, b) for a, b in zip(layer.get_weights(),
                                                             copy.get_layer(layer.name).get_weights()))
            assert same == (layer.name not in names), layer.name
    assert all(np.array_equal(a, b) for a, b in zip(before, model.get_weights()))  # the original untouched
    # written into an earlier copy instead: the same weights, in that very model
    again, _ = randomized_copy(model, 2, seed=1, into=randomized_copy(model, 4, seed=5)[0])
    assert all(np.array_equal(a, b) for a, b in zip(copy.get_weights(), again.get_weights()))
    with pytest.raises(ValueError, match="n_top"):
        randomized_copy(model, 6)


def test_rank_correlation_is_spearman_of_magnitudes():
    from scipy.stats import spearmanr

    from helpers.attribution.trust import rank_correlation

    a, b = np.random.default_rng(0).normal(size=(2, 2, 28, 28))
    np.testing.assert_allclose(rank_correlation(a, -a), [1, 1])
    np.testing.assert_allclose(rank_correlation(a, b)[1], spearmanr(np.abs(a[1]).ravel(), np.abs(b[1]).ravel())[0])
    assert np.isnan(rank_correlation(np.zeros((1, 28, 28)), a[:1])[0])  # a constant map has no order


def test_deletion_curve_against_a_direct_deletion(model, digits):
    from helpers.attribution.trust import deletion_curve

    x, y = digits
    attributions = saliency(model, x, y)
    curve = deletion_curve(model, x, y, attributions, fractions=[0, 0.25, 1])
    probs = model.predict(standardize(x[..., None]), verbose=0)[np.arange(3), y]
    np.testing.assert_allclose(curve[:, 0], probs, rtol=1e-5)
    # image 1, a quarter of its ink: the most attributed ink pixels set to 0, by hand
    ink = np.flatnonzero(x[1].ravel() > 0)
    top = ink[np.argsort(-attributions[1].ravel()[ink], kind="stable")][:int(np.round(0.25 * len(ink)))]
    by_hand = x[1].ravel().copy()
    by_hand[top] = 0
    p = model.predict(standardize(by_hand.reshape(1, 28, 28, 1)), verbose=0)[0, y[1]]
    np.testing.assert_allclose(curve[1, 1], p, rtol=1e-5, atol=1e-7)
    black = model.predict(np.zeros((1, 28, 28, 1), np.float32), verbose=0)[0, y]
    np.testing.assert_allclose(curve[:, 2], black, rtol=1e-5, atol=1e-7)  # all ink gone: a black image
    assert curve[:, 1].mean() < 0.5 * curve[:, 0].mean()
