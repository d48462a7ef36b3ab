"""The OIP engine: My_OIP, batched derivation, precursor, perfect digits, display helpers."""
import keras
import numpy as np
import pytest
from PIL import Image

from helpers import build_cnn, load_mnist, to_model_input
from helpers.oip import My_OIP, OIPResult, initial_image, snapshot_steps
from helpers.oip.display import enhance_contrast, evolution_figure, save_gif


@pytest.fixture(scope="module")
def oip():
    return My_OIP()  # the reference model, Conv2D_3


@pytest.fixture(scope="module")
def untrained():
    return build_cnn(seed=3)


def test_snapshot_steps_are_the_articles():
    assert snapshot_steps(600, 6) == [0, 9, 18, 36, 72, 144, 288, 599]
    assert snapshot_steps(30, 2) == [0, 7, 14, 29]


def test_initial_image_is_standardized_reproducible_and_multiscale():
    a = initial_image(n=3, seed=7)
    b = initial_image(n=3, seed=7)
    c = initial_image(n=3, seed=8)
    assert a.shape == (3, 28, 28, 1)
    np.testing.assert_array_equal(a, b)
    assert not np.allclose(a, c)
    np.testing.assert_allclose(a.mean(axis=(1, 2, 3)), 0, atol=1e-5)
    np.testing.assert_allclose(a.std(axis=(1, 2, 3)), 1, atol=1e-3)
    # long wavelengths only → neighbouring pixels are strongly correlated; a 28×28 grid alone is not
    smooth = initial_image(factors=(1, 0), scales=((3, 3), (28, 28)), seed=1)[0, :, :, 0]
    rough = initial_image(factors=(0, 1), scales=((3, 3), (28, 28)), seed=1)[0, :, :, 0]
    corr = lambda x: np.corrcoef(x[:, 1:].ravel(), x[:, :-1].ravel())[0, 1]
    assert corr(smooth) > 0.9 > 0.3 > corr(rough)
    # any number of scales, not only the article's four
    assert initial_image(factors=(1, 1, 1, 1, 1), scales=(2, 4, 8, 16, 28), seed=0).shape == (1, 28, 28, 1)


def test_same_seed_same_image(oip):
    a = oip.derive(120, n_epochs=60, seed=11)
    b = oip.derive(120, n_epochs=60, seed=11)
    np.testing.assert_array_equal(a.image, b.image)
    c = oip.derive(120, n_epochs=60, seed=12)
    assert not np.allclose(a.image, c.image)


def test_loss_rises_and_snapshots_are_at_the_article_steps(oip):
    res = oip.derive(120, n_epochs=600, seed=1, precursor=True)
    assert isinstance(res, OIPResult) and res.responded
    assert [s for s, _ in res.snapshots] == [0, 9, 18, 36, 72, 144, 288, 599]
    assert res.losses.shape == (600,)
    assert res.losses[-1] > 2 * max(res.losses[0], 1e-3)
    assert np.all(np.diff(res.losses[:100]) > 0)  # the ascent climbs every early step
    assert res.losses[-1] > 0.99 * res.losses.max()  # and ends near the maximum it found
    assert res.image.shape == (28, 28)
    np.testing.assert_allclose(res.image.std(), 1, atol=1e-3)  # standardized after every step
    np.testing.assert_allclose(res.snapshots[-1][1], res.image)


@pytest.mark.parametrize("steps", [1, 3, 14])
def test_short_runs_work_and_cannot_converge(oip, steps):
    res = oip.derive(120, n_epochs=steps, precursor=True, n_reports=0)
    assert len(res.losses) == steps and not res.converged


def test_batched_run_equals_one_at_a_time(oip):
    maps = [3, 56, 120, 127]
    batched = oip.derive_many(maps, n_epochs=50, seed=5, n_reports=3)
    for res in batched:
        single = oip.derive(res.map_index, n_epochs=50, start=res.initial_image, n_reports=3)
        np.testing.assert_allclose(single.losses, res.losses, rtol=1e-4, atol=1e-5)
        np.testing.assert_allclose(single.image, res.image, atol=1e-3)


@pytest.mark.parametrize("layer", ["Conv2D_1", "Conv2D_2"])
def test_one_map_kernel_slice_equals_whole_layer(oip, layer):
    """A batch for one map runs only that map's kernel; a batch of two maps runs the whole layer."""
    sub = My_OIP(oip.model, layer)
    pair = sub.derive_many([7, 8], n_epochs=40, seed=9, n_reports=2)
    alone = sub.derive(7, n_epochs=40, start=pair[0].initial_image, n_reports=2)
    np.testing.assert_allclose(alone.losses, pair[0].losses, rtol=1e-4, atol=1e-6)
    np.testing.assert_allclose(alone.image, pair[0].image, atol=1e-3)
    assert alone.losses[-1] > alone.losses[0] > 0


def test_engine_follows_the_articles_eager_loop(oip):
    """Step by step, the compiled loop must be the article's update (normalized gradient with its
    "+ 1e-7", then per-image standardization), not merely something that also climbs."""
    import tensorflow as tf

    seed = next(s for s in range(1, 100) if oip.map_activations(initial_image(seed=s))[0, 120] > 0)
    x = tf.constant(initial_image(seed=seed))
    losses = []
    for _ in range(60):
        with tf.GradientTape() as tape:
            tape.watch(x)
            loss = tf.reduce_mean(oip.submodel(x)[..., 120])
        g = tape.gradient(loss, x)
        x = tf.image.per_image_standardization(x + 0.01 * g / (tf.sqrt(tf.reduce_mean(tf.square(g))) + 1e-7))
        losses.append(float(loss))
    res = oip.derive(120, n_epochs=60, start=initial_image(seed=seed), n_reports=2)
    np.testing.assert_allclose(res.losses, losses, rtol=1e-4, atol=1e-6)
    np.testing.assert_allclose(res.image, x.numpy()[0, :, :, 0], atol=1e-4)


@pytest.mark.parametrize("small_batch", [False, True])
def test_mask_gradient_of_max_pooling_equals_tensorflows(small_batch):
    """The values of oneDNN's MaxPool (or, for a small batch, of the plain MaxPoolV2 kernel) and the
    gradient of TensorFlow's MaxPoolGrad wherever the ReLU before the pool lets a gradient through."""
    import tensorflow as tf
    from helpers.oip.fast_kernels import max_pool_mask_grad as _max_pool_mask_grad

    rng = np.random.default_rng(0)
    h = tf.nn.relu(tf.constant(rng.normal(size=(2, 11, 11, 3)), tf.float32))   # odd size: a cropped edge
    dy = tf.constant(rng.normal(size=(2, 5, 5, 3)), tf.float32)
    grads = []
    for pool in (lambda t: tf.nn.max_pool2d(t, 2, 2, "VALID"), lambda t: _max_pool_mask_grad(t, 2, small_batch)):
        with tf.GradientTape() as tape:
            tape.watch(h)
            y = pool(h)
        grads.append((y.numpy(), tape.gradient(y, h, output_gradients=dy).numpy()))
    np.testing.assert_array_equal(grads[0][0], grads[1][0])
    active = h.numpy() > 0   # ties at 0 (a window of switched-off ReLUs) are cut by the ReLU's gradient
    np.testing.assert_array_equal(grads[0][1][active], grads[1][1][active])
    assert np.abs(grads[1][1]).sum() > 0


@pytest.mark.parametrize("conv", [dict(), dict(padding="same"), dict(strides=2), dict(dilation_rate=2),
                                  dict(use_bias=False, activation="linear")])
def test_own_map_conv_equals_the_layers_output_gathered(conv):
    """Each image through its own map's kernel only (a depthwise convolution over the batch) = the
    layer's full output, gathered by channel."""
    import tensorflow as tf
    from helpers.oip.fast_kernels import has_own_map_conv, own_map_conv

    layer = keras.layers.Conv2D(6, 3, **{"activation": "relu", **conv})
    x = tf.constant(np.random.default_rng(0).normal(size=(5, 9, 9, 4)), tf.float32)
    full = layer(x).numpy()
    channels = tf.constant([4, 0, 4, 5, 2])
    kernel = tf.gather(layer.kernel, channels, axis=-1)
    bias = tf.gather(layer.bias, channels) if layer.use_bias else None
    assert has_own_map_conv(layer)
    own = own_map_conv(x, layer, kernel, bias).numpy()
    np.testing.assert_allclose(own[..., 0], full[np.arange(5), :, :, channels.numpy()], rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("matmul", [True, False])
@pytest.mark.parametrize("c_in", [1, 3])
def test_matmul_gradient_of_a_conv_equals_tensorflows(c_in, matmul):
    """conv_matmul_grad: the layer's output, and TensorFlow's input gradient (a matmul and col2im, or
    Conv2DBackpropInput), eager and compiled, for several batch sizes."""
    import tensorflow as tf
    from helpers.oip.fast_kernels import SMALL_BATCH, conv_matmul_grad, has_matmul_grad

    layer = keras.layers.Conv2D(5, (3, 2), activation="relu")
    rng = np.random.default_rng(1)
    ours = lambda x, layer: conv_matmul_grad(x, layer, matmul)  # noqa: E731
    compiled = tf.function(lambda x, dy: grads(x, dy, ours), reduce_retracing=True)

    def grads(x, dy, fn):
        with tf.GradientTape() as tape:
            tape.watch(x)
            y = fn(x, layer)
        return y, tape.gradient(y, x, output_gradients=dy)

    for n in (1, SMALL_BATCH, SMALL_BATCH + 3):
        x = tf.constant(rng.normal(size=(n, 9, 8, c_in)), tf.float32)
        dy = tf.constant(rng.normal(size=(n, 7, 7, 5)), tf.float32)
        y_ref, g_ref = grads(x, dy, lambda x, layer: layer(x))
        assert has_matmul_grad(layer)
        for y, g in (grads(x, dy, ours), compiled(x, dy)):
            np.testing.assert_allclose(y.numpy(), y_ref.numpy(), rtol=1e-6, atol=1e-6)
            np.testing.assert_allclose(g.numpy(), g_ref.numpy(), rtol=1e-5, atol=1e-5)
    assert not has_matmul_grad(keras.layers.Conv2D(5, 3, padding="same"))


def test_reached_extent_crops_only_what_never_reaches_the_output():
    from helpers.oip.fast_kernels import reached_extent

    ref = My_OIP()
    assert reached_extent(ref._ascent.parts.chain("Conv2D_3"), (28, 28)) == (26, 26)      # Conv2D_2's 11th row/column
    assert reached_extent(ref._ascent.parts.chain("Conv2D_3")[:3], (28, 28)) is None       # up to Conv2D_2: every pixel
    same = keras.layers.Conv2D(4, 3, padding="same")
    assert reached_extent([same, keras.layers.MaxPooling2D(2)], (27, 27)) is None   # 'same': no cropping
    assert reached_extent([keras.layers.Conv2D(4, 3, strides=2)], (28, 28)) == (27, 27)


def test_plain_chain_or_the_keras_submodel():
    import keras
    from helpers.oip.fast_kernels import plain_chain as _plain_chain

    ref = My_OIP()
    assert [l.name for l in ref._ascent.parts.chain("Conv2D_3")] == ["Conv2D_1", "Max_Pool_1", "Conv2D_2", "Max_Pool_2", "Conv2D_3"]
    inp = keras.Input((28, 28, 1))
    a = keras.layers.Conv2D(4, 3, activation="relu", name="a")(inp)
    b = keras.layers.Conv2D(4, 3, activation="relu", padding="same", name="b")(a)
    merged = keras.layers.Add(name="add")([a, b])
    top = keras.layers.Conv2D(6, 3, activation="relu", name="top")(merged)
    branchy = keras.Model(inp, top)
    assert _plain_chain(branchy, branchy.get_layer("top")) is None
    oip = My_OIP(branchy, "top")             # runs the Keras sub-model instead
    assert oip._ascent.parts.chain("top") is None
    pair = oip.derive_many([1, 2], n_epochs=20, seed=1, n_reports=1)
    alone = oip.derive(1, n_epochs=20, start=pair[0].initial_image, n_reports=1)
    np.testing.assert_allclose(alone.losses, pair[0].losses, rtol=1e-4, atol=1e-6)


def test_early_stop_keeps_each_maps_own_trajectory(oip):
    full = oip.derive_many(range(8), n_epochs=400, seed=2)
    early = oip.derive_many(range(8), n_epochs=400, seed=2, stop_early=True)
    assert sum(e.converged for e in early) >= 3     # maps 1, 5 and 6 (4 on some CPUs: oneDNN rounds differently)
    for f, e in zip(full, early):
        assert e.converged_at == f.converged_at  # in-graph test (early stop) = test on the loss history
        if e.converged:
            assert len(e.losses) == e.converged_at + 1 <= 400
        np.testing.assert_allclose(e.losses, f.losses[:len(e.losses)], rtol=1e-4, atol=1e-5)


def test_every_live_map_gets_a_pattern_with_the_precursor(oip):
    (_, _), (x_test, _) = load_mnist()
    live = oip.live_maps(to_model_input(x_test))     # maps that at least one test digit activates
    assert len(live) > 100
    results = oip.derive_many(range(oip.n_maps), n_epochs=80, seed=0, precursor=True, n_reports=3)
    assert len(results) == 128
    missing = [r.map_index for r in results if r.map_index in live and not (r.responded and r.final_loss > 0)]
    assert not missing, f"live maps without a pattern: {missing}"


def test_unresponsive_map_is_reported_not_raised(untrained):
    # a hugely negative bias keeps map 0 of Conv2D_3 at zero for every input
    layer = untrained.get_layer("Conv2D_3")
    kernel, bias = layer.get_weights()
    bias = bias.copy()
    bias[0] = -1e6
    layer.set_weights([kernel, bias])
    res = My_OIP(untrained).derive(0, n_epochs=30, seed=0, n_reports=2)
    assert not res.responded and not res.converged
    assert "did not respond" in res.message and "scales" in res.message
    assert np.all(res.losses == 0)


def test_perfect_digits_are_classified_as_their_digit(oip):
    digits = oip.perfect_digits()
    assert digits.shape == (10, 28, 28)
    np.testing.assert_array_equal(oip.classify(digits), np.arange(10))


def test_regularizers_change_the_result_and_smooth_it(oip):
    plain = oip.derive(56, n_epochs=200, seed=4)
    reg = oip.derive(56, n_epochs=200, seed=4, jitter=1, tv_weight=2.0)
    tv = lambda x: np.abs(np.diff(x, axis=0)).mean() + np.abs(np.diff(x, axis=1)).mean()
    assert tv(reg.image) < tv(plain.image)


@pytest.mark.parametrize("kwargs, error, words", [
    (dict(layer_name="Conv2D_9"), ValueError, "Conv2D_1, Max_Pool_1, Conv2D_2"),
    (dict(layer_name="Dense_1"), ValueError, "not a conv or pool layer"),
])
def test_bad_layers(untrained, kwargs, error, words):
    with pytest.raises(error, match=words):
        My_OIP(untrained, **kwargs)


def test_bad_model_argument():
    with pytest.raises(TypeError, match="keras.Model"):
        My_OIP(42)
    with pytest.raises(FileNotFoundError, match="train-reference"):
        My_OIP("/nonexistent/model.keras")


@pytest.mark.parametrize("call, error, words", [
    (lambda o: o.derive(128), IndexError, r"0\.\.127"),
    (lambda o: o.derive(-1), IndexError, "out of range"),
    (lambda o: o.derive(0, start=np.zeros((27, 28))), ValueError, "shape"),
    (lambda o: o.derive(0, n_epochs=5, n_reports=6), ValueError, "larger than n_epochs"),
    (lambda o: o.derive(0, epsilon=0), ValueError, "epsilon"),
    (lambda o: o.derive(0, epsilon=-0.1), ValueError, "epsilon"),
    (lambda o: o.derive_many([0, 1], start=np.zeros((3, 28, 28))), ValueError, "one per map"),
    (lambda o: o.initial_image(factors=(1, 1), scales=((3, 3),)), ValueError, "one factor per scale"),
    # a careful user's slips (issue 13): each gets its name and the rule, none runs on silently
    (lambda o: o.derive_many([], n_epochs=5), ValueError, "at least one map"),
    (lambda o: o.derive(3.0), TypeError, "integers"),
    (lambda o: o.derive(0, n_epochs=5.5), TypeError, "n_epochs must be a whole number"),
    (lambda o: o.derive(0, n_epochs="5"), TypeError, "n_epochs must be a whole number"),
    (lambda o: o.derive(0, n_epochs=5, epsilon=float("inf")), ValueError, "epsilon.*finite"),
    (lambda o: o.derive(0, n_epochs=5, tv_weight=float("nan")), ValueError, "tv_weight.*finite"),
    (lambda o: o.derive(0, n_epochs=5, jitter=-1), ValueError, "jitter must be at least 0"),
    (lambda o: o.perfect_digits(n_epochs=0), ValueError, "n_epochs must be at least 1"),
    (lambda o: o.perfect_digits(n_epochs=3, epsilon=-1), ValueError, "epsilon.*positive"),
    (lambda o: o.ascend(np.zeros((1, 28, 28)), 0, n_steps=2.5), TypeError, "n_steps must be a whole number"),
    (lambda o: o.derive(0, n_epochs=5, seed=-1), ValueError, "seed must be at least 0; got -1"),
    (lambda o: o.derive(0, n_epochs=5, precursor=True, seed=-1), ValueError, "seed must be at least 0"),
    (lambda o: o.perfect_digits(n_epochs=5, seed=-1), ValueError, "seed must be at least 0"),
])
def test_bad_inputs(untrained, call, error, words):
    with pytest.raises(error, match=words):
        call(My_OIP(untrained))


def test_display_helpers(tmp_path, oip):
    res = oip.derive(120, n_epochs=40, seed=1, n_reports=3, precursor=True)
    assert res.responded
    y = enhance_contrast(res.image)
    assert y.min() == 0 and y.max() == pytest.approx(1)
    fig = evolution_figure(res)
    assert len(fig.axes) == 1 + len(res.snapshots) + 1
    gif = save_gif(res, tmp_path / "evolution.gif")
    with Image.open(gif) as im:
        assert im.n_frames == 1 + len(res.snapshots)
        assert im.size == (28 * 8, 28 * 8)
    with pytest.raises(FileExistsError):
        save_gif(res, gif)


def test_short_runs_work_with_the_default_number_of_snapshots(oip):
    """A default the caller did not set must not make a valid call fail (issue 13): 5 steps < 6 snapshots."""
    results = oip.derive_many([1, 2], n_epochs=5, seed=0)
    assert [len(r.losses) for r in results] == [5, 5]
    assert [s for s, _ in results[0].snapshots] == snapshot_steps(5, 5)
    with pytest.raises(ValueError, match="n_reports=7 is larger than n_epochs=5"):
        oip.derive(1, n_epochs=5, n_reports=7)   # asked for explicitly: still an error


@pytest.mark.parametrize("bad", [np.nan, np.inf])
def test_non_finite_start_is_refused_by_name(oip, bad):
    start = initial_image(seed=0)
    start[0, 3, 4, 0] = bad
    with pytest.raises(ValueError, match=r"1 pixel values are NaN or infinite, in image\(s\) \[0\]"):
        oip.derive(1, n_epochs=5, start=start)


def test_numpy_integers_and_repeated_maps_are_fine(untrained):
    """numpy integers are indices like any other; a map given twice gets two runs from two starts (the way to
    try several starts for one map), not one result silently dropped."""
    oip = My_OIP(untrained)
    assert oip.derive(np.int64(3), n_epochs=np.int32(4), seed=0).map_index == 3
    twice = oip.derive_many(np.array([3, 3], dtype=np.uint8), n_epochs=4, seed=0)
    assert [r.map_index for r in twice] == [3, 3]
    assert not np.array_equal(twice[0].initial_image, twice[1].initial_image)


def _articles_sequential(with_input: bool):
    """The CNN built the articles' way: Sequential, softmax inside the last Dense, other layer names there."""
    from keras import layers

    body = [layers.Conv2D(32, (3, 3), activation="relu", name="Conv2D_1"), layers.MaxPooling2D((2, 2)),
            layers.Conv2D(64, (3, 3), activation="relu", name="Conv2D_2"), layers.MaxPooling2D((2, 2)),
            layers.Conv2D(128, (3, 3), activation="relu", name="Conv2D_3"), layers.Flatten(),
            layers.Dense(100, activation="relu"), layers.Dense(10, activation="softmax")]
    model = keras.Sequential(([keras.Input((28, 28, 1))] if with_input else []) + body)
    if not with_input:
        model.build((None, 28, 28, 1))
    return model


@pytest.mark.parametrize("with_input", [True, False])
def test_a_sequential_model_built_the_articles_way_is_accepted(with_input, tmp_path):
    """Issue 13: `model.input` fails for an uncalled Sequential; the OIPs and perfect digits must not."""
    keras.utils.set_random_seed(0)
    model = _articles_sequential(with_input)
    res = My_OIP(model, "Conv2D_2").derive(3, n_epochs=8, seed=0)
    assert res.image.shape == (28, 28) and np.isfinite(res.losses).all()
    assert My_OIP(model).perfect_digits(n_epochs=3).shape == (10, 28, 28)
    model.save(tmp_path / "seq.keras")
    loaded = My_OIP(tmp_path / "seq.keras", "Conv2D_2").derive(3, n_epochs=8, start=res.initial_image)
    np.testing.assert_allclose(loaded.losses, res.losses, rtol=1e-4, atol=1e-6)


def test_blog_perfect_digits_start_at_zero_and_climb_the_probability(oip):
    """Notebook 07, section 7: the blog's recipe — zero start, class probability, no standardization."""
    from helpers.oip import blog_perfect_digits, deaverage
    from helpers.model import class_scores_model
    from helpers.oip.blog_digits import blog_step_size

    one = blog_perfect_digits(oip, n_steps=1)
    # one step from zeros: every pixel moved by exactly the first step size times the unit-RMS gradient
    rms = np.sqrt((one.images ** 2).mean(axis=(1, 2)))
    np.testing.assert_allclose(rms, blog_step_size(0), rtol=1e-3)
    # the same zero start for every class: the first probabilities are those of a zero image
    scores = class_scores_model(oip.model)(np.zeros((1, 28, 28, 1), np.float32))
    zero_probs = keras.ops.convert_to_numpy(keras.ops.softmax(scores))[0]
    np.testing.assert_allclose(one.probabilities[0], zero_probs, atol=1e-5)

    blog = blog_perfect_digits(oip.model, n_steps=150)
    assert blog.images.shape == blog.deaveraged.shape == (10, 28, 28)
    assert blog.probabilities.shape == (150, 10)
    assert np.all(blog.probabilities[-1] > blog.probabilities[0] + 0.3)
    assert blog.images.std(axis=(1, 2)).max() < 0.5      # not standardized: the shrinking steps stay small
    np.testing.assert_array_equal(oip.classify(blog.images), np.arange(10))
    assert blog.deaveraged.min() == 0 and np.allclose(blog.deaveraged.max(axis=(1, 2)), 1)
    np.testing.assert_allclose(deaverage(np.array([[[1.0, 3.0], [2.0, 2.0]]])), [[[0, 1], [0, 0]]])
    with pytest.raises(TypeError, match="keras.Model or a My_OIP"):
        blog_perfect_digits("model.keras")
