"""Issue 22, part 2: FGSM and PGD on the course's ascent engine, flip rates and the smallest flipping ε,
checked against independent computations (a hand-written gradient, the model's own predictions)."""
import numpy as np
import pytest
import tensorflow as tf

from helpers import load_mnist, load_reference_model
from helpers.adversarial import fgsm, flip_rates, pgd, predict, smallest_flipping_eps
from helpers.data import NonFiniteImageError


@pytest.fixture(scope="module")
def model():
    return load_reference_model()


@pytest.fixture(scope="module")
def fours(model):
    """Eight test 4s (pixel space 0..1) that the model calls 4."""
    (_, _), (x_test, y_test) = load_mnist()
    x = x_test[y_test == 4][:20, :, :, None].astype(np.float32) / 255
    return x[predict(model, x) == 4][:8]


def test_pgd_and_fgsm_stay_inside_the_ball_and_the_pixel_range_exactly(model, fours):
    eps = np.float32(0.1)
    for adv in (fgsm(model, fours, eps), pgd(model, fours, eps, n_steps=60).images):
        assert np.all(adv <= fours + eps) and np.all(adv >= fours - eps)
        assert adv.min() >= 0 and adv.max() <= 1
        assert np.abs(adv - fours).max() > 0.09          # it did move


def test_fgsm_is_one_signed_step_computed_by_hand(model, fours):
    x = tf.constant(fours)
    with tf.GradientTape() as tape:
        tape.watch(x)
        s = model(tf.image.per_image_standardization(x), training=False)
        scores = tf.math.log(s)                          # log p9 - log p4 = score 9 - score 4
        total = tf.reduce_sum(scores[:, 9] - scores[:, 4])
    g = tape.gradient(total, x).numpy()
    hand = np.clip(fours + np.float32(0.05) * np.sign(g), 0, 1)
    got = fgsm(model, fours, 0.05)
    same = np.isclose(got, hand, atol=1e-6)
    assert same.mean() > 0.995, same.mean()          # signs of near-zero gradients may differ, nothing else


def test_pgd_flips_at_least_as_many_as_fgsm_and_a_flip_is_predicted_as_the_target(model, fours):
    for eps in (0.05, 0.15):
        f = predict(model, fgsm(model, fours, eps)) == 9
        out = pgd(model, fours, eps, n_steps=100)
        p = predict(model, out.images) == 9
        assert p.sum() >= f.sum()
        # an image the engine stopped (the target won) is one the model calls the target
        assert np.all(p[out.stopped_at >= 0])
    assert p.sum() > 0
    probs = model(tf.image.per_image_standardization(tf.constant(out.images[p])), training=False).numpy()
    assert np.all(np.argmax(probs, -1) == 9)
    rates = flip_rates(model, fours[:4], (0.05, 0.15), n_steps=100, return_images=True)
    assert np.all(rates["pgd"] >= rates["fgsm"]) and rates["eps"].tolist() == [0.05, 0.15]
    assert rates["pgd_images"].shape == (2, 4, 28, 28, 1)   # the PGD results the rates were read from
    assert np.allclose(rates["pgd"], (predict(model, rates["pgd_images"].reshape(-1, 28, 28, 1)) == 9)
                       .reshape(2, 4).mean(axis=1))
    assert "pgd_images" not in flip_rates(model, fours[:2], (0.05,), n_steps=5)


def test_bisection_finds_a_flipping_change_of_size_hi_and_pgd_at_lo_does_not_flip(model, fours):
    hi, lo, found = smallest_flipping_eps(model, fours[:3], n_steps=100, tol=0.1, return_images=True)
    assert np.all(np.isfinite(hi)) and np.all(hi - lo <= 0.1 * hi + 1e-7) and np.all(lo < hi)
    # the witness: called 9, inside 0..1, and exactly hi away from the original (L∞)
    assert np.all(predict(model, found) == 9) and found.min() >= 0 and found.max() <= 1
    np.testing.assert_allclose(np.abs(found - fours[:3]).max(axis=(1, 2, 3)), hi, rtol=1e-6)
    step = 0.3 / 30
    assert not np.any(predict(model, pgd(model, fours[:3], lo, n_steps=100, step_size=step).images) == 9)


def test_predict_takes_images_with_or_without_the_channel_axis(model, fours):
    assert np.array_equal(predict(model, fours[:5]), predict(model, fours[:5, ..., 0]))
    assert predict(model, fours[0, ..., 0]).shape == (1,)          # one image alone
    with pytest.raises(ValueError, match="28, 28"):
        predict(model, fours[:2, :14])


def test_bad_input_gets_clear_errors(model, fours):
    with pytest.raises(ValueError, match="eps must be positive"):
        pgd(model, fours, 0.0)
    with pytest.raises(ValueError, match="eps must be > 0"):
        fgsm(model, fours[:2], [0.1, -0.1])
    with pytest.raises(IndexError, match="out of range"):
        pgd(model, fours, 0.1, target=10)
    with pytest.raises(IndexError, match="out of range"):
        fgsm(model, fours, 0.1, source=-1)
    bad = fours.copy()
    bad[1, 3, 3] = np.nan
    with pytest.raises(NonFiniteImageError):
        pgd(model, bad, 0.1)
    with pytest.raises(ValueError, match="0..1"):
        fgsm(model, fours * 255, 0.1)
