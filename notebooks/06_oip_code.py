# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#       jupytext_version: 1.19.6
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 06 · The OIP algorithm, step by step
#
# Which input image makes one map of a convolutional layer fire as strongly as possible? This notebook
# builds the answer piece by piece with the course's class `My_OIP` (in the package `helpers/oip/`): a noisy start
# image, gradient *ascent* on the input, and a few details that make the ascent work.
#
# You will learn
# - the difference between an **activation pattern** (what the maps show for a given digit) and an
#   **OIP** (an input pattern that a given map reacts to),
# - how the sub-model "input → Conv2D_3" is built,
# - how the start image mixes random fluctuations on several length scales,
# - what one ascent step does — the course's `ascent_step`, run eagerly and compared with `My_OIP`,
# - why the gradient is normalized and why the image is standardized after every step,
# - a full run with log-spaced snapshots and a convergence criterion, as an 8-panel figure and a GIF,
# - what happens when a map does not respond at all, and how a precursor search rescues it.
#
# This follows article VIII of the series ("Python code to visualize patterns which activate a map
# strongly") and the first part of article IX (one map's run). `My_OIP` keeps the article's algorithm but
# returns data instead of drawing, and runs whole batches in a compiled loop. Notebook 07 runs it for
# every map, and for the class scores ("perfect digits").

# %%
# %matplotlib inline
import inspect
import tempfile
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import tensorflow as tf
from IPython.display import Image, display

import helpers
from helpers import (My_OIP, enhance_contrast, evolution_figure, image_row_figure, initial_image, load_mnist,
                     load_reference_model, plot_digit_and_grid, quick_mode)
from helpers.oip import fluctuation_components, snapshot_steps
from helpers.oip.ascent import ascent_step, convergence_streak, map_objective, mean_activations
from helpers.oip.display import save_gif
from helpers.exercise_check import self_check

QUICK = quick_mode()  # CI sets CI=true: shorter runs where the step count matters
tf.get_logger().setLevel("ERROR")
N_EPOCHS = 200 if QUICK else 600  # the article: 600 steps
ARTICLE_MAP = 120                 # the map of article IX ("Hand of MNIST" in the author's model)
model = load_reference_model()
(x_train, y_train), (x_test, y_test) = load_mnist()
print(f"quick mode: {QUICK}; steps for the full runs: {N_EPOCHS}; "
      f"reference model: test accuracy {helpers.reference_record()['test_accuracy']:.4f}")

# %% [markdown]
# ## 1 · OIP versus activation pattern
#
# Notebooks 04 and 05 looked at **activation patterns**: we fed a real digit into the CNN and drew what
# each map of a layer produced. The digit is fixed; the maps are the result.
#
# An **OIP** ("original input pattern") turns the question around: we fix *one* map and ask which input
# image drives it hardest. The answer is a 28×28 picture: the arrangement of dark and bright pixels the
# map's filters (and all filters beneath them) are tuned to. Keep two things in mind:
# - An OIP is an idealization. We maximize the *mean* activation over the whole map, so the picture often
#   repeats the same small element at several places, wherever the map's neurons look.
# - It is also partly *made* by the algorithm: the ascent finds one local maximum, reached from one random
#   start. Another start may give a related but different picture.
#
# **Which map?** Article IX used map 120 of its model. Map numbers mean nothing across training runs, so
# we choose our worked example by a rule that works for any trained model: **the map of Conv2D_3 with the
# largest mean activation over the 10,000 test digits** (one pass of the test set). Map 120 stays in view
# as "the article's map". Below: a test digit and the 128 maps (3×3 each) of Conv2D_3 it produces, our
# map and map 120 framed, and the test digits that make our map fire most.

# %%
oip = My_OIP(model, layer_name="Conv2D_3")  # the same as My_OIP(): the reference model, layer Conv2D_3
test_means = oip.map_activations(x_test)    # (10000, 128) mean activation of every map for every digit
MAP = int(test_means.mean(axis=0).argmax())
strongest = test_means.max(axis=0)          # each map's strongest test digit
rank = {m: int((strongest > strongest[m]).sum()) + 1 for m in (MAP, ARTICLE_MAP)}
print(f"rule: the largest mean activation over the test digits → map {MAP} "
      f"(mean {test_means[:, MAP].mean():.3f})")
for m, name in ((MAP, "our worked example"), (ARTICLE_MAP, "the article's map")):
    print(f"map {m:3d} ({name}): strongest test digit {strongest[m]:.3f} (rank {rank[m]} of 128 maps), "
          f"fires on {np.mean(test_means[:, m] > 0):.1%} of the test digits")
print(f"all 128 maps: strongest test digit from {strongest.min():.3f} (map {strongest.argmin()}) to "
      f"{strongest.max():.2f} (map {strongest.argmax()}), median {np.median(strongest):.2f}; "
      f"median share of digits a map fires on: {np.median(np.mean(test_means > 0, axis=0)):.1%}")
fig = plot_digit_and_grid(model, "Conv2D_3", x_test, 0, labels=y_test, highlight=[MAP, ARTICLE_MAP])
plt.show()
top = np.argsort(-test_means[:, MAP])[:8]
fig = image_row_figure(x_test[top], titles=[f"#{i} ({y_test[i]}): {test_means[i, MAP]:.2f}" for i in top],
                       cmap="gray_r", suptitle=f"test digits with the highest mean activation of map {MAP}")
plt.show()

# %% [markdown]
# In our model map 120 is nearly silent on real digits (its strongest digit and how rarely it fires are
# printed above): another training run, another filter. The last line shows how far the maps of one
# network differ in the *size* of their activations, set by the weights and biases each map ended
# training with. An OIP will be a *synthetic* image that fires our map more strongly than any digit.
#
# ## 2 · The sub-model: input → one layer
#
# To push the input image towards a map, we need the map's activation as a function of the input — and
# its gradient. A Keras model that shares the CNN's layers but stops at the layer of interest does
# exactly that; it has no weights of its own. `My_OIP(model_or_path=None, layer_name="Conv2D_3")` builds
# it in its constructor and keeps it as `oip.submodel`.

# %%
print(oip)
print("input shape :", oip.submodel.inputs[0].shape)
print("output shape:", oip.submodel.output.shape, "→", oip.n_maps, "maps of", oip.map_shape, "neurons")
assert oip.submodel.output.shape[1:] == (3, 3, 128)
# the sub-model shares the CNN's weights: its output is the CNN's Conv2D_3 output
assert np.allclose(oip.map_activations(x_test[:5]),
                   helpers.layer_activations(model, "Conv2D_3", x_test[:5]).mean(axis=(1, 2)), atol=1e-5)
print(inspect.getsource(My_OIP.__init__))

# %% [markdown]
# ## 3 · The start image: fluctuations on several length scales
#
# The ascent needs somewhere to begin. White noise (every pixel independent) has equal power at every
# wavelength, but a 28×28 grid has far more short wavelengths than long ones, so nearly all of its
# variance sits in pixel-sized speckle; many maps of a deep layer react to larger structures — strokes,
# bows, crossings. The article therefore mixes random fluctuations on four grids:
#
# 1. fill a coarse grid (3×3, 7×7, 14×14 and 28×28 cells) with uniform random numbers in [-1, 1],
# 2. scale each grid smoothly (bicubic) up to 28×28 — a 3×3 grid becomes a few broad hills and valleys,
# 3. add the four layers with one weight ("factor") each — the article's default is 0.5 for all four,
# 4. standardize the sum (mean 0, standard deviation 1), because the CNN was trained on standardized digits.
#
# `fluctuation_components` returns the unweighted layers (steps 1–2); `initial_image` does all four steps.
# Not every random start makes a given map fire (section 7 shows why); as the article's author did by
# hand, we try seeds until the start gives our map a positive mean activation.

# %%
SCALES = ((3, 3), (7, 7), (14, 14), (28, 28))  # the article's four grids
FACTORS = (0.5, 0.5, 0.5, 0.5)                  # and its factors
START_SEED = next(s for s in range(1, 500)
                  if oip.map_activations(initial_image(FACTORS, SCALES, seed=s))[0, MAP] > 0)
print(f"first seed whose start makes map {MAP} fire: {START_SEED}")
comps = fluctuation_components(SCALES, n=1, seed=START_SEED)   # (4 scales, 1 image, 28, 28, 1)
start = initial_image(FACTORS, SCALES, n=1, seed=START_SEED)   # (1, 28, 28, 1), weighted and standardized sum

fig, axes = plt.subplots(1, 5, figsize=(16, 3.6), constrained_layout=True)
for ax, comp, scale, f in zip(axes, comps, SCALES, FACTORS):
    im = ax.imshow(comp[0, :, :, 0], cmap="viridis", vmin=-1, vmax=1)
    ax.set_title(f"grid {scale[0]}×{scale[1]}, factor {f}")
    ax.axis("off")
fig.colorbar(im, ax=axes[:4], shrink=0.8, label="fluctuation value")
im = axes[4].imshow(start[0, :, :, 0], cmap="viridis")
axes[4].set_title("weighted sum, standardized")
axes[4].axis("off")
fig.colorbar(im, ax=axes[4], shrink=0.8, label="pixel value (std units)")
plt.show()

# %% [markdown]
# Because every start is standardized, only the **ratios** of the factors count: (0.1, 0.1, 0.1, 0.1)
# gives exactly the image of (0.5, 0.5, 0.5, 0.5) with the same seed, while another mix gives another
# image. The article hard-wired four grids and suggested that a better code would take any number of
# them; `initial_image` does (below: five grids, the weight shifted towards the long wavelengths).

# %%
# the start image is exactly the standardized weighted sum of the components (same seed)
by_hand = tf.image.per_image_standardization(np.tensordot(np.asarray(FACTORS, np.float32), comps, axes=1)).numpy()
assert np.allclose(by_hand, start, atol=1e-5)
assert abs(start.mean()) < 1e-5 and abs(start.std() - 1) < 1e-3
same_mix = [initial_image(f, SCALES, seed=START_SEED) for f in ((0.1,) * 4, (0.5,) * 4, (0.5, 0.1, 0.1, 0.1))]
print(f"largest pixel difference, factors 0.1 vs 0.5: {np.abs(same_mix[0] - same_mix[1]).max():.1e}; "
      f"vs the mix (0.5, 0.1, 0.1, 0.1): {np.abs(same_mix[1] - same_mix[2]).max():.2f}")
assert np.allclose(same_mix[0], same_mix[1], atol=1e-5) and not np.allclose(same_mix[1], same_mix[2], atol=0.1)

five_scales, five_factors = (2, 4, 8, 16, 28), (1.0, 0.8, 0.6, 0.4, 0.2)
five = initial_image(five_factors, five_scales, n=3, seed=5)
fig = image_row_figure(five[..., 0], titles=[f"5 scales, seed 5, image {i}" for i in range(3)], cmap="viridis",
                       suptitle=f"grids {five_scales}, factors {five_factors}", size=3)
plt.show()

# %% [markdown]
# ## 4 · One ascent step
#
# The quantity to maximize (the "loss", although we climb it) is the **mean activation of the chosen map**
# over its 3×3 neurons. `helpers.oip.ascent` holds it as two short functions; the engine's map objective,
# `helpers.oip.objectives.channel`, climbs exactly this.

# %%
print(inspect.getsource(mean_activations))
print(inspect.getsource(map_objective))

# %% [markdown]
# One step, `ascent_step`:
#
# 1. compute the objective under a `tf.GradientTape` that watches the input images,
# 2. take the gradient of the objective with respect to the input pixels,
# 3. normalize the gradient to unit RMS (root mean square), per image — section 5 says why,
# 4. move the image a small step `epsilon` *along* the gradient (plus sign: ascent),
# 5. standardize the image again.

# %%
print(inspect.getsource(ascent_step))

# %% [markdown]
# Article VIII's prose says the gradient is scaled to unit length (its L2 norm) and the step is 5e-4; its
# code divides by the root mean square and uses `epsilon = 0.01`. The course follows the code: with the
# RMS every pixel moves by about `epsilon` standard deviations, whatever the size of the image.
#
# One eager step for our map, and `My_OIP.derive` with one step from the same start: both must give the
# same image and the same loss. `My_OIP`'s engine (`helpers.oip.engine`, about speed, not the algorithm)
# runs this very `ascent_step` inside one compiled loop, for a whole batch of images and maps at once.

# %%
def objective(x):
    """Mean activation of map MAP for each image of the batch x."""
    return map_objective(oip.submodel(x), [MAP] * len(x))


x1_step, loss0_step = ascent_step(tf.convert_to_tensor(start), objective, epsilon=0.01)
one = oip.derive(MAP, n_epochs=1, start=start, n_reports=0)
print(f"loss before the step: {float(loss0_step[0]):.5f}; {one}")
print("largest pixel difference between the two images:", np.abs(one.image - x1_step.numpy()[0, :, :, 0]).max())
assert np.allclose(one.image, x1_step.numpy()[0, :, :, 0], atol=1e-5)
assert np.isclose(one.losses[0], float(loss0_step[0]), rtol=1e-5)

# %% [markdown]
# ## 5 · Why normalize the gradient, and why standardize the image?
#
# **Normalizing the gradient.** The raw gradient's size depends on the map, the image and the stage of
# the run (for a map that does not fire it is exactly zero), so a fixed step on it would need a new step
# size for every map. Scaled to unit RMS, every step changes the image by `epsilon` (in pixel standard
# deviations), whatever the map. The raw gradient sizes of all maps for one start image:

# %%
x_batch = tf.repeat(tf.convert_to_tensor(start), oip.n_maps, axis=0)   # the same start for every map
with tf.GradientTape() as tape:
    tape.watch(x_batch)
    per_map = tf.reduce_mean(oip.submodel(x_batch), axis=(1, 2))          # (128 images, 128 maps)
    total = tf.reduce_sum(tf.linalg.diag_part(per_map))                   # image k → map k; images independent
raw_rms = tf.sqrt(tf.reduce_mean(tf.square(tape.gradient(total, x_batch)), axis=(1, 2, 3))).numpy()
alive = raw_rms > 0
print(f"{alive.sum()} of 128 maps have a non-zero gradient at this start; "
      f"their raw gradient RMS spans {raw_rms[alive].min():.2e} … {raw_rms[alive].max():.2e} "
      f"(a factor {raw_rms[alive].max() / raw_rms[alive].min():.0f})")

# %% [markdown]
# **Standardizing the image.** The CNN's hidden layers use ReLU: for positive input a ReLU is a straight
# ramp with no maximum. Once the ascent has found a pattern the map likes, simply making the image
# *stronger* raises the activation further — forever. A quick proof with the OIP of our map (derived by
# `My_OIP` from the start above): multiply it by 2, 4, 8 and feed it in *without* standardizing it.

# %%
engine = oip.derive(MAP, n_epochs=N_EPOCHS, start=start)
for f in (1, 2, 4, 8):
    act = float(tf.reduce_mean(oip.submodel(tf.constant(f * engine.image[None, :, :, None]))[..., MAP]))
    print(f"pattern × {f}: mean activation of map {MAP} = {act:7.2f}")

# %% [markdown]
# So without standardization "the best image" does not exist: the ascent just inflates the contrast.
# Below, `ascent_step` runs once without and once with standardization, from the same start (wrapped in
# `tf.function` only to make it fast). Without it, the loss grows roughly linearly and the image's
# standard deviation grows with it; with it, the loss levels off at a maximum of the *shape* of the
# pattern, and `My_OIP` follows the same curve.

# %%
fast_step = tf.function(ascent_step)
curves = {}
for standardize in (False, True):
    x, losses, stds = tf.convert_to_tensor(start), [], []
    for _ in range(N_EPOCHS):
        x, loss = fast_step(x, objective, 0.01, standardize=standardize)
        losses.append(float(loss[0]))
        stds.append(float(tf.math.reduce_std(x)))
    curves[standardize] = (np.array(losses), np.array(stds))

fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(13, 4), constrained_layout=True)
ax1.plot(curves[False][0], label="ascent_step loop, no standardization")
ax1.plot(curves[True][0], lw=3, alpha=0.5, label="ascent_step loop, standardized")
ax1.plot(engine.losses, "k--", lw=1, label="My_OIP.derive")
ax1.set(xlabel="step", ylabel=f"mean activation of map {MAP} (loss)", title="loss per step")
ax2.plot(curves[False][1], label="no standardization")
ax2.plot(curves[True][1], label="standardized")
ax2.set(xlabel="step", ylabel="standard deviation of the image", title="image scale")
for ax in (ax1, ax2):
    ax.legend()
    ax.grid(alpha=0.3)
plt.show()

no_std, with_std = curves[False][0], curves[True][0]
half = N_EPOCHS // 2
print(f"loss gained in the second half: without standardization {no_std[-1] - no_std[half]:.2f}, "
      f"with {with_std[-1] - with_std[half]:.2f}")
assert curves[False][1][-1] > 2 * curves[True][1][-1], "without standardization the image keeps growing"
assert no_std[-1] > 1.5 * with_std[-1]
assert np.mean(np.diff(no_std[half:]) > 0) > 0.9, "…and the loss keeps rising (nearly every step)"
assert np.allclose(engine.losses, with_std, rtol=1e-3, atol=1e-3), "the engine follows the eager loop"

# %% [markdown]
# ## 6 · The full run
#
# Now article IX's run, for our map: 600 steps, `epsilon = 0.01`, snapshots at log-spaced steps (each
# interval twice the previous one), from a start with the factors the article used for its map 120:
# long wavelengths only, `(0.2, 0.2, 0, 0)` (the first seed that makes our map fire).
#
# **Convergence.** The article watches the relative change of the loss from one step to the next,
# `(loss[j] − loss[j−1]) / loss[j]`. `My_OIP` calls a run *converged* once that ratio stays below
# `conv_criterion = 2e-4` for four steps in a row (after step 10); `stop_early=True` would stop there.
# The article's line divides by `loss + 1.-7`, which Python reads as `loss + 1.0 - 7`, i.e. `loss - 6`: for
# activations below 6 the ratio changes sign, and every *rising* step passes the test. The course divides
# by `|loss| + 1e-7`, what the line was meant to say. The engine runs this test after every step:

# %%
print(inspect.getsource(convergence_streak))

# %%
RUN_FACTORS = (0.2, 0.2, 0.0, 0.0)    # article IX's run: no 14×14 or 28×28 fluctuations
run_seed = next(s for s in range(1, 500)
                if oip.map_activations(initial_image(RUN_FACTORS, SCALES, seed=s))[0, MAP] > 0)
steps = snapshot_steps(N_EPOCHS, 6)
res = oip.derive(MAP, n_epochs=N_EPOCHS, epsilon=0.01, seed=run_seed, factors=RUN_FACTORS, scales=SCALES)
print(f"start seed {run_seed}; snapshot steps: {steps}\n{res}")
fig = evolution_figure(res, title=f"Conv2D_3, map {MAP}: start, snapshots and loss ({N_EPOCHS} steps)")
plt.show()

# %%
rel = np.diff(res.losses) / np.maximum(res.losses[1:], 1e-7)    # relative change at steps 1, 2, ...
print(" step      loss   relative change")
for s in steps:
    print(f"{s:5d}  {res.losses[s]:8.4f}   {rel[s - 1] if s else float('nan'):10.2e}")
print(f"converged: {res.converged}, at step {res.converged_at}")
print(f"final loss of map {MAP}: {res.losses[-1]:.2f}; its strongest test digit: {strongest[MAP]:.2f} "
      f"(the article's map 120 ended at about 330)")
assert [s for s, _ in res.snapshots] == steps
assert res.responded and res.losses[-1] > res.losses[0] and res.losses[-1] > strongest[MAP]
if not QUICK:
    assert steps == [0, 9, 18, 36, 72, 144, 288, 599]   # the article's steps
    assert res.losses[-1] > 0.95 * res.losses.max()     # levelled off near its maximum

# %% [markdown]
# The relative change shrinks by orders of magnitude; near the end it can turn slightly negative, when
# the image only wobbles around its maximum. The pattern beats the strongest real digit. The article's
# loss reached about 330, ours far less: activation sizes differ even between the maps of one model
# (section 1), so across training runs only the shape of the curve compares. A pattern grows out of the
# noise, sharpens, and the loss levels off.
#
# Contrast enhancement (`enhance_contrast`, the article's `_transform_tensor_to_img`) pushes the dull
# background to black, which makes the pattern easier to see:

# %%
fig = image_row_figure([res.image, enhance_contrast(res.image), enhance_contrast(res.image, 0.46, 0.8)],
                       titles=["as computed", "contrast (0.33, 1.0)", "contrast (0.46, 0.8)"], cmap="viridis",
                       suptitle=f"OIP of map {MAP}", size=3)
plt.show()

# %% [markdown]
# ## 7 · A map that does not respond — and the precursor that rescues it
#
# If a start image leaves all 3×3 neurons of a map at zero (every ReLU off), the mean activation is zero
# *and so is its gradient*: the ascent cannot move. The article's loop stops after more than 10 such
# steps and asks for another start; `My_OIP` marks the result `responded=False` with a message.
#
# Let us provoke it: all 128 maps at once (one batch), from starts with **short wavelengths only**.

# %%
SHORT_ONLY = (0.0, 0.0, 0.5, 1.0)
short_runs = oip.derive_many(range(oip.n_maps), n_epochs=30, factors=SHORT_ONLY, seed=0, n_reports=0)
silent = [r.map_index for r in short_runs if not r.responded]
print(f"{len(silent)} maps did not respond to short-wavelength starts: {silent}")
print(f"our map {MAP} among them: {MAP in silent}; the article's map 120: {ARTICLE_MAP in silent}")
quiet = short_runs[silent[0]]
print(quiet)
print(quiet.message)
assert silent, "some maps should stay silent for short-wavelength starts"
assert all(short_runs[m].start_activation == 0 and np.all(short_runs[m].losses == 0) for m in silent)

# %% [markdown]
# **The precursor** (article X's idea) looks before it climbs: it sends many long-wavelength candidate
# starts (`n_candidates=1024`) through the network in one go and keeps, for each map, the one that
# activates it most; maps that none wakes get further rounds with shorter wavelengths mixed in.
# `derive(..., precursor=True)` starts from its choice:

# %%
print(inspect.getsource(My_OIP.precursor_starts))

# %% [markdown]
# Its effect on the first silent map: the short-wavelength start left it at zero, the precursor's start
# makes it fire, and from there the ascent climbs.

# %%
rescued = oip.derive(quiet.map_index, n_epochs=N_EPOCHS, precursor=True, seed=0)
print(rescued, f"| start activation {rescued.start_activation:.3f}")
fig = image_row_figure([quiet.initial_image, rescued.initial_image, rescued.image],
                       titles=["short-wavelength start\n(no response)", "precursor's start",
                               f"OIP after {N_EPOCHS} steps"], cmap="viridis", size=3,
                       suptitle=f"map {quiet.map_index}")
plt.show()
assert rescued.responded and rescued.start_activation > 0 and rescued.final_loss > 0

# %% [markdown]
# ## 8 · The evolution as an animated GIF
#
# `save_gif` writes the start and the snapshots as frames (contrast enhanced, scaled up 8×).

# %%
with tempfile.TemporaryDirectory() as tmp:
    gif_bytes = save_gif(res, Path(tmp) / f"oip_map_{MAP}.gif", duration_ms=500).read_bytes()
display(Image(data=gif_bytes, format="gif"))
assert gif_bytes[:6] in (b"GIF87a", b"GIF89a")

# %% [markdown]
# ## 9 · From the article's methods to the course's
#
# | article (`My_OIP`, 2020) | what it did | course |
# |---|---|---|
# | `_load_cnn_model` | load the CNN from an `.h5` file | `load_model_file(path)` (`.keras` or `.h5`), `load_reference_model()`; `My_OIP(model_or_path)` |
# | `_build_oip_model` | sub-model input → chosen layer | `My_OIP.__init__` → `oip.submodel` |
# | `_setup_gradient_tape` | `GradientTape` watching the input, loss of one map | the tape inside `ascent_step`, one map per batch image (`objectives.channel`) |
# | `_derive_OIP` | set parameters, normalize gradient, start the loop | `oip.derive(map_index, ...)`, `oip.derive_many(map_indices, ...)` |
# | `_oip_strat_0_optimization_loop` | eager loop, draws snapshots | `helpers.oip.engine.Ascent.run`: one compiled loop over `ascent_step`; `OIPResult.snapshots`, drawn by `evolution_figure` |
# | `_build_initial_img_data` | 4 fixed scales of fluctuations, weighted sum | `initial_image(factors, scales, n, seed)`, `fluctuation_components` (any number of scales) |
# | `_transform_tensor_to_img` | contrast enhancement for display | `enhance_contrast(image, centre_move, fact)` |
# | precursor (article X) | pick the best of many long-wavelength starts | `oip.precursor_starts`, `derive(..., precursor=True)` |
#
# Beyond the article: `oip.perfect_digits` (the ascent on the class scores) and the regularizers
# `jitter=` and `tv_weight=` are shown in notebook 07 (sections 7 and 2); the engine's speed is the
# README's section "Speed".
#
# ## What you should have seen
#
# - A worked example chosen by a rule (the map with the largest mean activation over the test digits);
#   the article's map 120 barely fires on real digits in our model.
# - The sub-model maps a (28, 28, 1) image to Conv2D_3's (3, 3, 128) output; an OIP maximizes the mean of
#   one of those 128 maps.
# - Start images built from random grids of 3×3 up to 28×28 cells: broad hills from the coarse grids, fine
#   speckle from the fine ones, summed and standardized — so only the ratios of the factors count.
# - `ascent_step` (objective → gradient → normalize → step → standardize) gives the same image as
#   `My_OIP.derive` for one step.
# - Without standardization the loss and the image's scale keep growing (ReLU ramps have no maximum):
#   doubling a pattern roughly doubles the activation; with it the loss levels off.
# - A pattern emerging from noise over log-spaced snapshots, with a loss that rises quickly and then
#   flattens above the strongest real digit; the relative changes shrink by orders of magnitude.
# - Many maps stay silent for short-wavelength starts (zero activation → zero gradient); the precursor
#   (`My_OIP.precursor_starts`: the best of many long-wavelength candidates per map) wakes them up.
#
# ## Exercise · long wavelengths wake the silent maps
#
# In section 7, `silent` lists the maps that did not respond to starts with short wavelengths only. Write
# `long_wave_starts(n, seed)` that returns `n` start images of shape (n, 28, 28, 1) that contain **only the
# two longest wavelengths** (the 3×3 and the 7×7 grids), standardized. Hint: `initial_image` takes any
# scales and factors. The check tests that your images are made of those two grids only, then runs 30
# steps for every silent map from one of your images and counts how many of them respond now.

# %%
def long_wave_starts(n, seed):
    """``n`` standardized start images, shape (n, 28, 28, 1), made of the 3×3 and 7×7 grids only."""
    # solution
    return initial_image(factors=(1.0, 0.5), scales=((3, 3), (7, 7)), n=n, seed=seed)


# %%
# self-check
def grid_residual(images, grids):
    """RMS of what is left of each image (in its own std units) after fitting a constant plus the
    bicubically scaled-up k×k grids for k in ``grids``: 0 means the image is made of those grids only."""
    basis = [np.ones((1, 784), np.float32)]
    for k in grids:
        unit = np.eye(k * k, dtype=np.float32).reshape(k * k, k, k, 1)
        basis.append(tf.image.resize(unit, (28, 28), method="bicubic", antialias=True).numpy().reshape(k * k, 784))
    b, x = np.vstack(basis).T, images.reshape(len(images), 784).T
    left = x - b @ np.linalg.lstsq(b, x, rcond=None)[0]
    return np.sqrt((left ** 2).mean(axis=0)) / x.std(axis=0)


with self_check():
    mine = np.asarray(long_wave_starts(4, seed=3))
    assert mine.shape == (4, 28, 28, 1), f"n images of shape (28, 28, 1) (with the channel axis), not {mine.shape}"
    assert np.allclose(mine.mean(axis=(1, 2, 3)), 0, atol=1e-4) and \
        np.allclose(mine.std(axis=(1, 2, 3)), 1, atol=1e-2), "standardize each image (mean 0, std 1)"
    assert grid_residual(mine, (3, 7)).max() < 0.02, \
        "your images contain shorter wavelengths than the 7×7 grid: use the 3×3 and 7×7 grids only"
    assert grid_residual(mine, (3,)).min() > 0.05, "your images use the 3×3 grid only: add the 7×7 grid"
    awake = oip.derive_many(silent, n_epochs=30, start=long_wave_starts(len(silent), seed=0), n_reports=0)
    n_awake = sum(r.responded for r in awake)
    print(f"{n_awake} of {len(silent)} silent maps respond to a long-wavelength start")
    assert n_awake >= 0.4 * len(silent), "long wavelengths should wake up a good part of the silent maps"
print("exercise solved")

# %% [markdown]
# **Going further.** Run the check with `seed=1, 2, 3`: which silent maps never wake up from long
# wavelengths alone? Derive their OIPs with `precursor=True` and compare them with the others — do they
# look finer-grained?
