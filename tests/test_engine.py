"""The open ascent engine (issue 19): objectives as values, penalties, transforms and constraints as objects,
one compiled loop for every ascent, and the faults fixed on the way."""
import numpy as np
import pytest
import tensorflow as tf

from helpers import load_mnist, load_reference_model
from helpers.oip import (L2, Ascent, Diversity, Jitter, LInfBall, My_OIP, PixelRange, Standardize, TotalVariation,
                         channel, class_probability, class_score, function, initial_image, unit)
from helpers.oip.ascent import convergence_streak
from helpers.oip.regularizers import Penalty
from helpers.gallery import mean_pairwise_correlation

LAYER = "Conv2D_3"


@pytest.fixture(scope="module")
def model():
    return load_reference_model()


@pytest.fixture(scope="module")
def ascent(model):
    return Ascent(model)


@pytest.fixture(scope="module")
def oip(model):
    return My_OIP(model)


@pytest.fixture(scope="module")
def live_start(oip):
    """A start image and two maps of Conv2D_3 that both respond to it (a silent map has no gradient)."""
    for seed in range(50):
        x = initial_image(seed=seed)
        act = oip.map_activations(x)[0]
        live = np.flatnonzero(act > 0.05)
        if len(live) >= 2:
            return x, int(live[0]), int(live[1])
    raise AssertionError("no start with two responding maps")


def eager_losses(objective_fn, start, n_steps, epsilon=0.01):
    """The course's update (unit-RMS gradient + 1e-7, step, standardization), one GradientTape per step."""
    x, losses = tf.constant(start), []
    for _ in range(n_steps):
        with tf.GradientTape() as tape:
            tape.watch(x)
            value = objective_fn(x)
            total = tf.reduce_sum(value)
        g = tape.gradient(total, x)
        rms = tf.sqrt(tf.reduce_mean(tf.square(g), axis=[1, 2, 3], keepdims=True))
        x = tf.image.per_image_standardization(x + epsilon * g / (rms + 1e-7))
        losses.append(value.numpy())
    return np.array(losses), x.numpy()


def test_map_a_minus_map_b_matches_an_eager_loop_step_for_step(ascent, oip, live_start):
    x, a, b = live_start
    sub = oip.submodel
    objective = channel(LAYER, a) - 0.5 * channel(LAYER, b)          # the new objective, one line
    out = ascent.run(objective, x, 40)
    means = lambda im: tf.reduce_mean(sub(im), axis=[1, 2])          # noqa: E731
    losses, final = eager_losses(lambda im: means(im)[:, a] - 0.5 * means(im)[:, b], x, 40)
    np.testing.assert_allclose(out.losses, losses, rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(out.images, final, atol=1e-4)
    assert out.losses[-1, 0] > out.losses[0, 0]


def test_one_unit_of_a_map_matches_an_eager_loop(ascent, oip, live_start):
    x, a, _ = live_start
    act = oip.submodel(x).numpy()[0, :, :, a]
    r, c = np.unravel_index(act.argmax(), act.shape)                  # a unit that is on at the start
    out = ascent.run(unit(LAYER, a, r, c), x, 30)
    losses, final = eager_losses(lambda im: oip.submodel(im)[:, r, c, a], x, 30)
    np.testing.assert_allclose(out.losses, losses, rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(out.images, final, atol=1e-4)


def test_a_function_objective_needs_no_model_and_a_schedule_sets_each_step():
    weights = tf.constant(initial_image(seed=5))
    linear = function(lambda im: tf.reduce_mean(im * weights, axis=[1, 2, 3]), "linear")   # a constant gradient
    schedule = lambda j: 0.2 / (1 + 0.5 * j)                                                # noqa: E731
    start = initial_image(seed=6)
    out = Ascent().run(linear, start, 10, step_size=schedule, standardize=False, snapshot_steps=range(10))
    path = np.concatenate([start[None], out.snapshots])
    step_rms = np.sqrt(np.mean(np.diff(path, axis=0) ** 2, axis=(1, 2, 3, 4)))
    np.testing.assert_allclose(step_rms, [schedule(j) for j in range(10)], rtol=1e-4)
    assert np.all(np.diff(out.losses[:, 0]) > 0)
    assert out.responded.all()                                        # "responded" is for map objectives only


def test_class_score_and_probability_objectives(ascent, model):
    starts = initial_image(n=10, seed=0)
    classes = np.arange(10)
    scores = ascent.run(class_score(classes), starts, 60)
    assert np.all(scores.losses[-1] > scores.losses[0])
    probs = ascent.run(class_probability(classes), starts, 60)
    assert np.all((probs.losses >= 0) & (probs.losses <= 1))
    assert np.all(probs.losses[-1] > probs.losses[0])
    np.testing.assert_allclose(probs.losses[0], model.predict(starts, verbose=0)[classes, classes], rtol=1e-4)


def test_objective_algebra_and_bad_objectives(ascent):
    composed = 2 * channel(LAYER, 1) - channel(LAYER, 2) + channel(LAYER, 3)
    assert [w for w, _ in composed.terms] == [2.0, -1.0, 1.0]
    assert (2 * channel(LAYER, 1)).is_map and not composed.is_map
    assert [w for w, _ in sum([channel(LAYER, m) for m in (1, 2, 3)]).terms] == [1.0, 1.0, 1.0]
    with pytest.raises(TypeError, match="finite number"):
        channel(LAYER, 1) * "two"
    with pytest.raises(TypeError, match="combine with objectives"):
        channel(LAYER, 1) + 1.0
    with pytest.raises(ValueError, match="Conv2D_1, Max_Pool_1, Conv2D_2"):
        ascent.run(channel("Dense_9", 0), initial_image(), 2)
    with pytest.raises(IndexError, match="0..127"):
        ascent.run(channel(LAYER, 128), initial_image(), 2)
    with pytest.raises(ValueError, match="one per image"):
        ascent.run(channel(LAYER, [1, 2, 3]), initial_image(n=2), 2)
    with pytest.raises(IndexError, match="classes 0..9"):
        ascent.run(class_score(10), initial_image(), 2)
    with pytest.raises(ValueError, match="needs a model"):
        Ascent().run(class_score(1), initial_image(), 2)


def test_convergence_is_relative_to_the_size_of_a_negative_objective():
    j = tf.constant(20)
    prev, streak = tf.constant([-10.0, -10.0, 0.0]), tf.constant([0, 0, 0])
    loss = tf.constant([-10.0005, -9.0, 0.0])   # a tiny fall, a big rise, and a silent zero
    np.testing.assert_array_equal(convergence_streak(j, loss, prev, streak, 2e-4).numpy(), [1, 0, 0])
    # a map's mean activation (>= 0) gets the article's test: the same numbers as (loss - prev) / loss
    pos = tf.constant([2.0, 2.0])
    np.testing.assert_array_equal(convergence_streak(j, pos, tf.constant([1.9999, 1.5]), tf.constant([3, 3]),
                                                     2e-4).numpy(), [4, 0])


def test_total_variation_falls_with_its_weight(oip, live_start):
    x, a, _ = live_start
    tv = [float(TotalVariation(1.0).value(tf.constant(oip.derive(a, n_epochs=150, start=x, tv_weight=w).image[None, :, :, None]))[0])
          for w in (0.0, 0.5, 2.0)]
    assert tv[0] > tv[1] > tv[2], tv


def test_l2_penalty_keeps_unstandardized_images_small(ascent, live_start):
    x, a, _ = live_start
    plain = ascent.run(channel(LAYER, a), x, 80, standardize=False)
    small = ascent.run(channel(LAYER, a), x, 80, standardize=False, penalties=[L2(5.0)])
    assert np.mean(small.images ** 2) < 0.8 * np.mean(plain.images ** 2)


def test_diversity_spreads_the_patterns_of_one_map(oip, live_start):
    _, a, _ = live_start
    starts = initial_image(n=4, seed=11)
    plain = oip.derive_many([a] * 4, n_epochs=120, start=starts)
    diverse = oip.derive_many([a] * 4, n_epochs=120, start=starts, penalties=[Diversity(2.0)])
    sim = [mean_pairwise_correlation([r.image for r in rs]) for rs in (plain, diverse)]
    assert sim[1] < sim[0] - 0.1, sim
    with pytest.raises(ValueError, match="without stop_early"):
        oip.derive_many([a] * 2, n_epochs=5, penalties=[Diversity(1.0)], stop_early=True)
    # groups: the images of different maps do not push each other
    assert Diversity(1.0).for_batch([5, 5, 7]).arrays(3)[0].tolist() == [0, 0, 1]


def test_projection_keeps_every_step_in_the_ball_and_the_pixel_range(ascent):
    (_, _), (x_test, y_test) = load_mnist()
    fours = x_test[y_test == 4][:3, :, :, None].astype(np.float32) / 255
    eps, n = 0.1, 40
    out = ascent.run(class_score(9) - class_score(4), fours, n, standardize=False, transforms=[Standardize()],
                     constraints=[LInfBall(fours, eps), PixelRange(0, 1)], snapshot_steps=range(n))
    assert np.abs(out.snapshots - fours[None]).max() <= eps + 1e-6
    assert out.snapshots.min() >= 0 and out.snapshots.max() <= 1
    assert np.all(out.losses[-1] > out.losses[0])        # towards a 9


def test_stop_when_freezes_an_image_once_it_holds(ascent, model):
    (_, _), (x_test, y_test) = load_mnist()
    fours = x_test[y_test == 4][:3, :, :, None].astype(np.float32) / 255
    flip = class_score(9) - class_score(4)
    out = ascent.run(flip, fours, 300, standardize=False, transforms=[Standardize()],
                     constraints=[LInfBall(fours, 0.25), PixelRange(0, 1)], stop_when=flip)
    assert np.all(out.stopped_at > 0) and np.all(out.steps_run == out.stopped_at)
    assert np.all(np.isnan(out.losses[out.stopped_at, np.arange(3)]))    # the step it did not take
    final = flip.evaluate(model, tf.image.per_image_standardization(out.images))
    assert np.all(final > 0)                             # 9 now beats 4 for every image


def test_jitter_differs_between_unseeded_runs_and_repeats_with_the_recorded_seed(oip, live_start):
    _, a, _ = live_start
    start = initial_image(seed=3)
    r1 = oip.derive(a, n_epochs=30, start=start, jitter=2)
    r2 = oip.derive(a, n_epochs=30, start=start, jitter=2)
    assert r1.seed != r2.seed and not np.allclose(r1.image, r2.image)
    again = oip.derive(a, n_epochs=30, start=start, jitter=2, seed=r1.seed)
    np.testing.assert_array_equal(again.image, r1.image)
    unseeded = oip.derive(a, n_epochs=5)
    np.testing.assert_array_equal(oip.derive(a, n_epochs=5, seed=unseeded.seed).initial_image, unseeded.initial_image)


def test_jitter_as_a_transform_equals_the_shortcut(oip, live_start):
    x, a, _ = live_start
    short = oip.derive(a, n_epochs=20, start=x, jitter=1, tv_weight=0.5, seed=4)
    long = oip.derive(a, n_epochs=20, start=x, transforms=[Jitter(1)], penalties=[TotalVariation(0.5)], seed=4)
    np.testing.assert_array_equal(short.image, long.image)


def test_a_new_penalty_is_one_class(oip, live_start):
    """Adding a penalty touches one file: a subclass with a value(), passed in a list."""
    x, a, _ = live_start

    class Brightness(Penalty):
        def value(self, images):
            return tf.reduce_mean(images[:, :14], axis=[1, 2, 3])    # the upper half should stay dark

    dark = oip.derive(a, n_epochs=60, start=x, penalties=[Brightness(3.0)], seed=0)
    plain = oip.derive(a, n_epochs=60, start=x, seed=0)
    assert dark.image[:14].mean() < plain.image[:14].mean()


# --- the known faults of issue 19 -------------------------------------------------------------------------------
def test_five_scales_without_factors(oip):
    five = ((2, 2), (3, 3), (7, 7), (14, 14), (28, 28))
    assert oip.derive(5, n_epochs=3, scales=five, seed=0).initial_image.shape == (28, 28)


def test_the_precursor_refuses_scales_its_factors_do_not_fit_and_uses_given_factors(oip):
    with pytest.raises(ValueError, match="give factors="):
        oip.derive(5, n_epochs=3, precursor=True, scales=((14, 14), (28, 28)))
    a = oip.derive(5, n_epochs=3, precursor=True, seed=0, n_candidates=64)
    b = oip.derive(5, n_epochs=3, precursor=True, seed=0, n_candidates=64, factors=(0.0, 0.0, 0.0, 1.0))
    assert not np.allclose(a.initial_image, b.initial_image)           # the factors are used, not ignored
    c = oip.derive(5, n_epochs=3, precursor=True, seed=0, n_candidates=64, scales=((3, 3), (28, 28)),
                   factors=(1.0, 0.0))
    assert c.initial_image.shape == (28, 28)


@pytest.mark.parametrize("kwargs", [dict(factors=(1, 1, 1, 1)), dict(scales=((3, 3),)), dict(smoothing=True)])
def test_a_start_image_refuses_the_options_it_would_ignore(oip, kwargs):
    with pytest.raises(ValueError, match="would be ignored"):
        oip.derive(5, n_epochs=3, start=initial_image(seed=0), **kwargs)


def test_the_engine_refuses_what_it_cannot_run(ascent):
    with pytest.raises(ValueError, match=r"\(n, 28, 28, 1\)"):
        ascent.run(channel(LAYER, 0), np.zeros((2, 28, 28)), 3)
    with pytest.raises(ValueError, match="n_steps must be at least 1"):
        ascent.run(channel(LAYER, 0), initial_image(), 0)
    with pytest.raises(TypeError, match="penalties takes Penalty objects"):
        ascent.run(channel(LAYER, 0), initial_image(), 2, penalties=[Jitter(1)])
    with pytest.raises(TypeError, match="objective takes Objective objects"):
        ascent.run(lambda x: x, initial_image(), 2)
    with pytest.raises(ValueError, match="step_size"):
        ascent.run(channel(LAYER, 0), initial_image(), 2, step_size=0)
    bad = initial_image()
    bad[0, 1, 2, 0] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        ascent.run(channel(LAYER, 0), bad, 2)
    with pytest.raises(ValueError, match="one center image, or one per image"):
        ascent.run(channel(LAYER, 0), initial_image(n=3), 2, constraints=[LInfBall(np.zeros((2, 28, 28)), 0.1)])


def test_ascent_step_is_one_step_of_the_engine(ascent, oip):
    """The teaching function of notebook 06 and the compiled loop: the same step, for a batch of maps."""
    from helpers.oip.ascent import ascent_step, map_objective

    maps = [3, 56, 121]
    x = initial_image(n=3, seed=2)
    stepped, value = ascent_step(tf.constant(x), lambda im: map_objective(oip.submodel(im), maps))
    out = ascent.run(channel(LAYER, maps), x, 1)
    np.testing.assert_allclose(out.losses[0], value.numpy(), rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(out.images, stepped.numpy(), atol=1e-5)


def test_signed_step_moves_every_pixel_by_the_step_size():
    """signed=True (issue 22's PGD): one step is step_size times the sign of the gradient, per pixel."""
    w = tf.constant(np.random.default_rng(0).normal(size=(1, 28, 28, 1)), tf.float32)
    x0 = np.full((2, 28, 28, 1), 0.5, np.float32)
    out = Ascent(None).run(function(lambda x: tf.reduce_sum(x * w, axis=[1, 2, 3]), "linear"), x0, 1,
                           step_size=0.03, standardize=False, signed=True, seed=0)
    np.testing.assert_allclose(out.images, x0 + 0.03 * np.sign(w.numpy()), atol=1e-7)
    plain = Ascent(None).run(function(lambda x: tf.reduce_sum(x * w, axis=[1, 2, 3]), "linear"), x0, 1,
                             step_size=0.03, standardize=False, seed=0)
    assert not np.allclose(plain.images, out.images)
