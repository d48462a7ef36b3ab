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
# # 07 · A gallery of patterns: what every map of the CNN reacts to
#
# Notebook 06 built the OIP algorithm for one map. Here it runs for **every** map of every
# convolutional layer, and we look at the whole collection at once.
#
# You will learn
# - how to derive the patterns (OIPs) of all 128 maps of Conv2D_3 in one batched run, with a
#   precursor search for good starts, and how to check the result: *patterns found / live maps / all maps*,
# - how much the precursor helps compared with plain random starts (the gaps of article IX), and what
#   two regularizers (jitter, total variation) change in a pattern,
# - what the maps of Conv2D_1 and Conv2D_2 react to, what the 32 learned kernels of Conv2D_1 look like, and
#   why convolving noise with one layer's kernels cannot show what deeper maps react to,
# - which test digits drive each map hardest, and whether its pattern beats them,
# - how patterns change with depth,
# - how alike the patterns of one map are when the ascent starts from different random images
#   (the "Hand of MNIST" series),
# - how to explore one map interactively with sliders for the map, the fluctuation mix, the step size,
#   the number of steps and the seed,
# - the output layer's "patterns": one perfect digit per class, with the course's recipe and the blog's
#   (zero start, class probability, de-averaged for display),
# - how far a map's nodes reach into the image: the pixels a pattern can use at all.
#
# This follows article IX of the series (the gallery of Conv2D_3 patterns — the article found 61 of 128),
# article X (a precursor search that fills the gaps) and article XII (the same for the first two layers).
# Map numbers depend on the training run: our map 120 is not the article's map 120.

# %%
# %matplotlib inline
import inspect

import matplotlib.pyplot as plt
import numpy as np
import tensorflow as tf

import helpers.gallery
from helpers import (My_OIP, image_row_figure, layer_gallery, load_reference_model, oip_explorer, predict_proba,
                     quick_mode)
from helpers.cnn.basics import receptive_fields
from helpers.exercise_check import self_check
from helpers.cnn.basics import EXAMPLE_KERNELS
from helpers.gallery import (bright_area, dataset_examples, examples_figure, final_loss_figure, gallery_figure,
                             kernel_figure, layer_kernels, live_maps_by_layer, map_gradients,
                             mean_pairwise_correlation, mnist_test_images, oip_against_data, one_layer_ascent,
                             one_layer_gradient, shift_tolerant_correlations, smooth_share, start_series,
                             start_series_figure)
from helpers.oip import ARTICLE_FACTORS
from helpers.oip.blog_digits import blog_perfect_digits, blog_step_size, deaverage
from helpers.oip.regularizers import total_variation

QUICK = quick_mode()      # CI sets CI=true: fewer ascent steps, same checks
STEPS = 150 if QUICK else 600  # the articles use 600 steps; 150 already give recognizable patterns
tf.get_logger().setLevel("ERROR")  # the compiled loop is traced once per layer; TensorFlow's notes about it are noise here

model = load_reference_model()
x_test = mnist_test_images()             # 10,000 standardized test digits, (10000, 28, 28, 1)
print(f"quick mode: {QUICK}; {STEPS} ascent steps per pattern")

# %% [markdown]
# ## 1 · Which maps are alive?
#
# Before asking for patterns we ask which maps *can* fire on real digits at all. A map is **live** when at
# least one of the 10,000 test digits gives it a positive mean activation. A map that no digit activates
# is "dead" for MNIST (its ReLU stays at zero) — a normal by-product of training. The whole test set goes
# through the network once for all three layers.

# %%
CONV_LAYERS = ["Conv2D_1", "Conv2D_2", "Conv2D_3"]
live = live_maps_by_layer(model, x_test, CONV_LAYERS)
for name in CONV_LAYERS:
    n_maps = model.get_layer(name).output.shape[-1]
    print(f"{name}: {len(live[name])} of {n_maps} maps are live; dead: {sorted(set(range(n_maps)) - set(live[name]))}")

# %% [markdown]
# ## 2 · The gallery of Conv2D_3
#
# `layer_gallery` derives the pattern of every map of a layer in one batched run of `My_OIP.derive_many`:
# 128 images climb together, one map each. Two options are on by default:
# - `precursor=True` — article X's idea: for each map, many random images with long-wavelength
#   fluctuations are tried and the one that activates the map most becomes its start; maps that no
#   candidate wakes get further rounds with shorter wavelengths mixed in. A map that none of them wakes
#   still stays at zero: section 9's one-epoch model can show such a map.
# - `stop_early=True` — a map whose activation has stopped growing (the article's convergence criterion)
#   leaves the batch, so the remaining maps run faster.

# %%
print(inspect.getsource(helpers.gallery.layer_gallery))

# The goal: every live map gets a pattern. (A dead map can get one too — the ascent is not limited to
# images that look like digits.)

# %%
oip3 = My_OIP(model, "Conv2D_3")
gallery3 = layer_gallery(oip3, n_epochs=STEPS, live=live["Conv2D_3"])
print(gallery3.summary())
# nearly every live map gets one; another training run can leave a map or two that no start wakes
assert len(gallery3.missing) <= max(1, len(gallery3.live) // 20), gallery3.summary()
assert gallery3.counts[2] == 128

# %% [markdown]
# Each map is shown twice: as computed (`m`) and with contrast enhancement (`m+`): the dull background
# that the ascent leaves behind becomes black, so the strokes stand out — the two ways article IX shows
# its gallery. Maps without a pattern would get a red cross, never a blank panel.

# %%
fig = gallery_figure(gallery3, variant="both")
plt.show()

# %% [markdown]
# What do you see? Short strokes, bent lines, pairs of parallel bars, arcs — pieces of handwritten
# digits, placed somewhere in the image. Many patterns occupy only part of the 28×28 field: a Conv2D_3 map
# has just 3×3 nodes, and each node looks at an 18×18 pixel patch of the input.
#
# The final activation tells how strongly each map responds to its own pattern (the data behind the
# figure is `gallery3.final_losses`, one number per map).

# %%
fig = final_loss_figure(gallery3)
plt.show()
losses = gallery3.final_losses
print(f"final mean activation: min {losses.min():.3g} (map {losses.argmin()}), "
      f"median {np.median(losses):.3g}, max {losses.max():.3g} (map {losses.argmax()})")

# %% [markdown]
# ### The gaps of article IX — and why the precursor closes them
#
# Article IX found patterns for 61 of its 128 maps. It had no precursor: it tuned its random starts by
# hand — its map 120 started from long wavelengths only, factors (0.2, 0.2, 0, 0) — and its author tried
# other parameters for the maps that did not react, without success. Those maps stayed **silent**: for
# every start tried, the map's activation was exactly zero — every ReLU node of the map off — so its
# gradient was zero and the ascent could not take a single step. A silent map is a blank panel: the
# gallery says nothing about what it reacts to. It does *not* mean the map is useless: most such maps are
# live, real digits switch them on.
#
# The plain version on our model: the same `layer_gallery`, steps and seed, but `precursor=False`, so
# every map starts from *one* random image with the article's even mix of the four length scales — no
# tuning by hand, no second try.

# %%
ARTICLE_IX_FOUND = 61      # maps of Conv2D_3 with a pattern in article IX (a fixed number from the article)
plain3 = layer_gallery(oip3, n_epochs=STEPS, live=live["Conv2D_3"], precursor=False, factors=ARTICLE_FACTORS)
silent = np.setdiff1d(np.arange(128), plain3.found)
silent_live = np.intersect1d(silent, live["Conv2D_3"])
print(f"start factors of the scales (3,3), (7,7), (14,14), (28,28): {ARTICLE_FACTORS}; {STEPS} steps")
print(f"{'maps of Conv2D_3 with a pattern':47s}  found  silent")
for label, n_found in [("article IX, plain random starts (its model)", ARTICLE_IX_FOUND),
                       ("our model, plain random starts", len(plain3.found)),
                       ("our model, with the precursor", len(gallery3.found))]:
    print(f"  {label:45s}  {n_found:3d}    {128 - n_found:3d}   ({n_found / 128:.0%} of 128)")
print(f"silent without the precursor: {silent.tolist()}")
print(f"{len(silent_live)} of these {len(silent)} silent maps are live: real digits activate them, "
      "only the random start did not")
assert len(gallery3.found) >= len(plain3.found), "the precursor should never find fewer patterns than plain starts"

# %% [markdown]
# The rows are not the same procedure: the article's 61 come from another model and from starts tuned by
# hand, with retries; our plain count from one untuned start per map; the precursor's from the best of
# 1024 long-wavelength starts per map, with further rounds. Compare how large the holes are, not which
# maps fall into them. With the precursor's starts they close for nearly every live map (the gallery's
# summary above lists any live map left without one).
#
# ### Plain versus regularized patterns
#
# Two regularizers from the feature-visualization literature (not in the articles, off by default) push
# towards smoother patterns: **jitter** rolls the image by a random shift of up to `jitter` pixels before
# every step, so a pattern that works at one exact position only gains nothing; **total variation**
# (`tv_weight`) subtracts `tv_weight` × the mean absolute difference between neighbouring pixels from the
# objective (`helpers.oip.regularizers` has both as objects). Three maps — the article's map 120, the
# gallery's strongest map and the first live map plain starts left silent — from the same starts:

# %%
reg_maps = list(dict.fromkeys([120, gallery3.strongest_map()[0], *silent_live.tolist()]))[:3]
plain_reg = oip3.derive_many(reg_maps, n_epochs=STEPS, precursor=True, seed=4)
regular = oip3.derive_many(reg_maps, n_epochs=STEPS, precursor=True, seed=4, jitter=1, tv_weight=1.5)


def tv(img):
    """The penalty the engine uses (helpers.oip.regularizers.total_variation), for one (28, 28) image."""
    return float(total_variation(tf.constant(img[None, :, :, None], tf.float32))[0])


fig, axes = plt.subplots(2, len(reg_maps), figsize=(3 * len(reg_maps), 6.4), constrained_layout=True)
for col, (p, r) in enumerate(zip(plain_reg, regular)):
    for row, (res_k, kind) in enumerate([(p, "plain"), (r, "jitter 1, TV 1.5")]):
        axes[row, col].imshow(res_k.image, cmap="viridis")
        axes[row, col].set_title(f"map {res_k.map_index}, {kind}\nloss {res_k.final_loss:.2f}, "
                                 f"TV {tv(res_k.image):.2f}", fontsize=9)
        axes[row, col].axis("off")
fig.suptitle("plain (top) versus regularized (bottom) patterns from the same starts")
plt.show()
change = {p.map_index: r.final_loss / p.final_loss - 1 for p, r in zip(plain_reg, regular)}
for p, r in zip(plain_reg, regular):
    print(f"map {p.map_index:3d}: total variation {tv(p.image):.2f} → {tv(r.image):.2f}, "
          f"final loss {p.final_loss:.3f} → {r.final_loss:.3f} ({change[p.map_index]:+.0%})")
worst = min(change, key=change.get)
print(f"largest loss of activation: map {worst} ({change[worst]:+.0%})")
assert all(tv(r.image) < tv(p.image) for p, r in zip(plain_reg, regular)), "the regularized patterns are smoother"
assert all(r.responded for r in plain_reg + regular)

# %% [markdown]
# Every regularized pattern is smoother (lower total variation); the loss changes printed above say what
# each map paid for it in activation. Where the loss fell most (the last line), the regularizers did not find a
# smoother version of the pattern but a different, flatter image that the map barely answers. The plain
# pattern is what the articles compute.

# %% [markdown]
# ## 3 · The galleries of Conv2D_1 and Conv2D_2
#
# The same for the first two conv layers (article XII): 32 and 64 maps, each in one batch.

# %%
gallery1 = layer_gallery(My_OIP(model, "Conv2D_1"), n_epochs=STEPS, live=live["Conv2D_1"])
gallery2 = layer_gallery(My_OIP(model, "Conv2D_2"), n_epochs=STEPS, live=live["Conv2D_2"])
for g in (gallery1, gallery2, gallery3):
    print(g.summary())
    assert len(g.missing) <= max(1, len(g.live) // 20), g.summary()  # nearly every live map

# %%
fig = gallery_figure(gallery1, variant="both")
plt.show()

# %%
fig = gallery_figure(gallery2, variant="both")
plt.show()

# %% [markdown]
# ### The kernels of Conv2D_1 themselves — and why one layer alone shows only "glorified edges"
#
# A learner once asked (`question-max-filter-activation` in the reference texts): *I convolve a noise image
# with one kernel of a trained layer, add the bias into the weights, climb the mean of the result — and get
# nothing but glorified edges, for the second layer too. Why no curves? Shouldn't layer 2 look richer?*
# Three parts to the answer, each with a computation.
#
# **1. The first layer's kernels are edges.** A Conv2D_1 kernel is only 9 weights that look at 3×3 pixels.
# Below are all 32 of them, next to the hand-made kernels of notebook 01. Red weights reward bright pixels
# at that spot, blue ones dark pixels; white is 0.

# %%
kernels1, biases1 = layer_kernels(model, "Conv2D_1")
fig = kernel_figure(kernels1, biases1, hand_made=EXAMPLE_KERNELS)
plt.show()

shares = smooth_share(kernels1)
random_shares = smooth_share(np.random.default_rng(0).normal(size=(10_000, 3, 3)))
print(f"share of the squared weights in 'brightness + one straight slope': learned kernels median {np.median(shares):.0%} "
      f"(from {shares.min():.0%} to {shares.max():.0%}); random 3×3 kernels median {np.median(random_shares):.0%}")

# %% [markdown]
# Most learned kernels look like notebook 01's edge kernels, tilted to some angle, or like a brightness
# detector: bright on one side, dark on the other. The number above measures it: a 3×3 kernel has 9
# independent shapes, and three of them are the smoothest ones — a constant (brightness) and a straight
# slope left→right or top→bottom (together: a straight edge at any angle). Random kernels put about a third
# of their weight there; the learned ones put much more. That is all a 3×3 window can usefully see of a
# digit whose strokes are 2–3 pixels wide: the border of a stroke. A curve, a corner or an ending stroke
# does not fit into 3×3 pixels and one straight template; it appears only when later layers combine the
# maps of many such kernels. So a single first-layer kernel *is* a glorified edge — that part of the
# question's result is right.
#
# **2. Convolving noise with one kernel in isolation finds nothing.** The question's objective, the mean
# of `noise ⊛ kernel` with the bias folded into the weights, is *linear* in the image. Its gradient is one
# fixed image, whatever the noise: inside the image every pixel gets the same value (the sum of the
# weights, spread over the 26×26 positions); only a 2-pixel frame at the border, where the kernel covers
# a pixel in fewer positions, differs. We take the strongest kernel and three different noise images:

# %%
m1 = int(np.argmax(np.sum(kernels1 ** 2, axis=(1, 2))))      # the strongest kernel (largest weights) of Conv2D_1
noise = np.random.default_rng(0).normal(size=(3, 28, 28)).astype(np.float32)   # three noise images
g_one = one_layer_gradient(noise, kernels1[m1], biases1[m1], bias_in_weights=True)   # the question's recipe
inside = (kernels1[m1].sum() + 9 * biases1[m1]) / 26 ** 2     # (9 weights + 9 × bias) / number of positions
print(f"kernel of map {m1}: the gradients at the three noise images differ by at most {np.abs(g_one - g_one[0]).max():.1e}")
print(f"inside the frame every pixel of the gradient is {inside:.3e} (9 weights + 9 × bias, / 676): "
      f"from {g_one[:, 2:-2, 2:-2].min():.3e} to {g_one[:, 2:-2, 2:-2].max():.3e}")
sums = kernels1.sum(axis=(1, 2))
print(f"folding the bias into the weights flips the sign of that sum for "
      f"{int(np.sum(np.sign(sums) != np.sign(sums + 9 * biases1)))} of 32 kernels")

# %% [markdown]
# So every step of that ascent adds the *same* image: the result is the starting noise, shifted in
# brightness, with an edge drawn around it. Folding the bias into the weights changes nothing of this; it
# only changes the kernel: the real layer adds its bias once per position, after the sum; added to each of
# the 9 weights it is counted 9 times, weighted by the pixels, and for some kernels it even turns the sign
# of the weight sum around (the number above). In the real layer the bias matters only together with the
# ReLU, deciding *where* the map is switched on — and the ReLU is exactly what the shortcut drops.
#
# For Conv2D_2 the shortcut is worse: its kernels do not read pixels but the 32 maps of Conv2D_1 after
# their ReLU and the pooling. Convolving pixel noise with them treats noise as if it were those maps, and
# the objective is still linear: again one fixed gradient, again nothing to find. That is why the
# question's second layer looked no richer than the first.
#
# **3. The OIP asks the whole network.** The OIP climbs the chosen map's mean activation *as a function of
# the input pixels*, through every layer below, with the ReLUs and the max pooling. Then the gradient
# depends on the image: which first-layer nodes are on and which pixel wins each pooling window decide
# which kernels pass the gradient back. Compare the gradients at three different test digits (the three
# that activate the map most, so that it is on): for the shortcut they agree perfectly; through the network
# they point in different directions, and that is what lets a pattern grow out of the noise.

# %%
deep_maps = {"Conv2D_1": m1, "Conv2D_2": gallery2.strongest_map()[0], "Conv2D_3": gallery3.strongest_map()[0]}
print(f"{'objective':58s}  agreement of the gradients at three digits (1 = identical)")
digits = x_test[np.argsort(My_OIP(model, "Conv2D_1").map_activations(x_test)[:, m1])[-3:]]
agreement = {"shortcut": mean_pairwise_correlation(one_layer_gradient(digits, kernels1[m1], biases1[m1]))}
print(f"  {'one Conv2D_1 kernel in isolation (map ' + str(m1) + ', the question)':58s}  {agreement['shortcut']:.2f}")
for name, m in deep_maps.items():
    oip = My_OIP(model, name)
    digits = x_test[np.argsort(oip.map_activations(x_test)[:, m])[-3:]]
    agreement[name] = mean_pairwise_correlation(map_gradients(oip, digits, m))
    print(f"  {name + ' map ' + str(m) + ', through the network (OIP)':58s}  {agreement[name]:.2f}")

# %% [markdown]
# The pictures: the question's recipe run for as many steps as our OIPs, next to the OIPs of the maps
# above. How far did each image move away from its start? The correlation with the start (printed below)
# says it: 1 means the image is still its start. The shortcut's result is its noise, unchanged inside the
# frame, with an edge along the border: the "glorified edge". The OIP of the same Conv2D_1 map repeats the
# kernel's motif over the image instead, and the deeper OIPs rebuild their starts into strokes.

# %%
shortcut = one_layer_ascent(noise[0], kernels1[m1], biases1[m1], n_steps=STEPS)[0]
oips = {name: g.results[deep_maps[name]] for name, g in zip(CONV_LAYERS, (gallery1, gallery2, gallery3))}
fig = image_row_figure([noise[0], shortcut] + [r.image for r in oips.values()],
                       titles=["noise (start)", f"shortcut, kernel {m1}, {STEPS} steps"]
                       + [f"OIP {name} map {r.map_index}" for name, r in oips.items()], cmap="viridis",
                       suptitle="Convolving noise with one kernel keeps the noise; the OIPs grow patterns")
plt.show()
start_corr = {"shortcut": np.corrcoef(shortcut[2:-2, 2:-2].ravel(), noise[0, 2:-2, 2:-2].ravel())[0, 1]}
start_corr.update({name: np.corrcoef(r.image.ravel(), r.initial_image.ravel())[0, 1] for name, r in oips.items()})
print("correlation of the final image with its start:",
      ", ".join(f"{k} {v:.2f}" for k, v in start_corr.items()), "(the shortcut: inside the frame)")

# %%
assert np.median(shares) > np.median(random_shares), "trained first-layer kernels are smoother than random ones"
assert np.allclose(g_one, g_one[0], atol=1e-9), "a linear objective has the same gradient everywhere"
assert np.allclose(g_one[:, 2:-2, 2:-2], inside, rtol=1e-4, atol=1e-9)
assert start_corr["shortcut"] > 0.999, "the shortcut only shifts the noise inside the frame"
assert all(agreement[name] < agreement["shortcut"] for name in CONV_LAYERS)
assert all(start_corr[name] < 0.99 for name in CONV_LAYERS), "an OIP moves away from its start"

# %% [markdown]
# ### The strongest real digits beside each pattern
#
# A pattern shows what a map *could* respond to; which real digits does it respond to? Like Distill's
# "Feature Visualization" (Olah et al., 2017) and OpenAI Microscope, which show dataset examples beside
# every feature, `dataset_examples` runs the test digits through the network once and keeps, per map, the
# nine with the largest mean activation (the OIP's statistic), with the receptive field of each one's
# strongest unit (red box). `oip_against_data` divides the OIP's activation by the strongest digit's. Shown:
# per layer, the maps with the highest and the lowest ratio.

# %%
examples = dataset_examples(model, x_test)
print(examples)
against = {g.layer_name: oip_against_data(g, examples) for g in (gallery1, gallery2, gallery3)}
for name in CONV_LAYERS:
    print(against[name].summary())
rows = [(name, m) for name in CONV_LAYERS for m in (against[name].highest[0], against[name].lowest[0])]
fig = examples_figure(examples, (gallery1, gallery2, gallery3), rows)
plt.show()

# %%
assert all(np.array_equal(examples[name].live, live[name]) for name in CONV_LAYERS), "same rule as section 1"
for name, g in zip(CONV_LAYERS, (gallery1, gallery2, gallery3)):   # most patterns beat every test digit
    assert np.nanmedian(against[name].ratios[g.found]) > 1, against[name].summary()
    a = against[name]           # the largest ratio: a map that digits switch on less than most maps
    assert a.data_values[a.highest[0]] < np.median(a.data_values[a.compared]), a.summary()

# %% [markdown]
# For most maps the pattern beats every digit: the ascent may repeat what the map likes all over the image,
# which no handwriting does. The largest ratios belong to maps that digits barely switch on (compare the
# titles). The digits and boxes say what a pattern means in real strokes. A map listed at or below 1 would be
# one where the ascent stopped at a local maximum below real digits, or found no pattern.

# %% [markdown]
# ## 4 · How patterns grow with depth
#
# - **Conv2D_1** (26×26 nodes, each seeing 3×3 pixels): stripes at one angle, edges, or large bright/dark
#   areas — a tiny motif, repeated over the *whole* image, because every one of the 676 nodes wants it.
# - **Conv2D_2** (11×11 nodes, 8×8 pixels each): short stroke pieces, still repeated, but with gaps.
# - **Conv2D_3** (3×3 nodes, 18×18 pixels each): one or a few strokes the size of a digit part, at
#   particular places.
#
# Two numbers make this concrete: the **receptive field** of one node (how many input pixels it depends
# on, from the layer geometry) and the **bright area** of a pattern (the share of pixels that are bright
# after contrast enhancement). The motif grows, and the image it fills shrinks. The geometry also gives
# the **spacing** of the nodes: neighbouring nodes of one map look at patches that many pixels apart, and
# every pooling layer doubles it.

# %%
geometry = {g.name: g for g in receptive_fields(model)}
fields = {name: geometry[name].receptive_field for name in CONV_LAYERS}
areas = {g.layer_name: np.array([bright_area(img) for img in g.images]) for g in (gallery1, gallery2, gallery3)}
for name in CONV_LAYERS:
    print(f"{name}: receptive field {fields[name]:2d}×{fields[name]:<2d} px, nodes {geometry[name].jump} px apart, "
          f"bright area of the patterns: median {np.median(areas[name]):.1%}")

fig, axes = plt.subplots(3, 8, figsize=(12, 5.2))
rng = np.random.default_rng(0)
for row, g in enumerate((gallery1, gallery2, gallery3)):
    for ax, m in zip(axes[row], np.sort(rng.choice(g.found, 8, replace=False))):
        ax.imshow(helpers.enhance_contrast(g.results[m].image), cmap="viridis")
        ax.set_xticks([])
        ax.set_yticks([])
        ax.set_title(f"map {m}", fontsize=8)
    axes[row, 0].set_ylabel(f"{g.layer_name}\nfield {fields[g.layer_name]} px", fontsize=9)
fig.suptitle("Eight random maps per layer (contrast enhanced): from repeated tiny motifs to strokes")
fig.tight_layout()
plt.show()

# %%
assert fields["Conv2D_1"] < fields["Conv2D_2"] < fields["Conv2D_3"]
assert np.median(areas["Conv2D_1"]) > np.median(areas["Conv2D_2"]) > np.median(areas["Conv2D_3"])

# %% [markdown]
# ## 5 · One map, many starts: the "Hand of MNIST"
#
# Every start image leads the ascent to *a* local maximum — is it always the same pattern? Article IX found
# a hand-like pattern for its map 120 again and again, with variations. `start_series` derives one map from
# six random starts with six different wavelength mixes (from long waves only to the article's even mix),
# again in one batch. For each mix the best of 32 random draws is used, so the map responds at all.
#
# Which map? The article's map 120 is a filter of *its* model; map numbers mean nothing across training
# runs. So we choose by a rule that works for any trained model: the live map that responds most strongly
# to its own pattern in the gallery (the largest final mean activation, `Gallery.strongest_map`) — a map
# with a pronounced motif.
#
# What to look for: the six starts look nothing alike; do the six results share their strokes — the same
# bars, arcs or endings, perhaps at slightly different places? How alike are the results? Two numbers:
# - the mean pairwise **Pearson correlation** of the final images (1 = identical, 0 = unrelated),
# - the same after aligning each pair by the best shift of up to 4 pixels: a deep map barely cares
#   *where* a stroke sits (its 3×3 nodes are 4 pixels apart and are averaged), so two results with the
#   same strokes in slightly different places are alike for the map, yet their plain correlation is low.

# %%
SERIES_MAP, strongest = gallery3.strongest_map()
print(f"the live map of Conv2D_3 with the largest final activation: map {SERIES_MAP} ({strongest:.3g}; "
      f"median of all maps {np.median(gallery3.final_losses):.3g})")
series = start_series(oip3, SERIES_MAP, n_epochs=STEPS, seed=0)
print(series)
fig = start_series_figure(series)
plt.show()

# %% [markdown]
# What does "alike" mean here? Compare with the patterns of six *different* maps from the gallery,
# measured the same way.

# %%
others = np.random.default_rng(1).choice(np.setdiff1d(gallery3.found, [SERIES_MAP]), 6, replace=False)
c_other = shift_tolerant_correlations(gallery3.images[others])
baseline = c_other[np.triu_indices(6, k=1)].mean()
print(f"map {SERIES_MAP}, six starts:  shift-tolerant similarity {series.shifted_similarity:.2f} "
      f"(plain {series.similarity:.2f})")
print(f"six different maps {sorted(others.tolist())}: shift-tolerant similarity {baseline:.2f}")

# %%
assert series.responded.sum() >= 4, "most starts should lead to a pattern"
assert series.shifted_similarity > baseline, "one map's results should be more alike than different maps"

# %% [markdown]
# The article's number 120 is, in our model, just another filter. Its series for comparison — is it as
# consistent as the chosen map?

# %%
fig = start_series_figure(start_series(oip3, 120, n_epochs=STEPS, seed=0))
plt.show()

# %% [markdown]
# ## 6 · Explore a map yourself
#
# The explorer runs one derivation at a time: pick a layer, a map, the weights of the four fluctuation
# scales of the start (3×3 to 28×28 cells), the step size, the number of steps and a seed; then press
# **derive**. The start
# image's activation is shown as soon as you move a slider — if it is 0, the map does not respond to that
# start: try other weights, another seed, or tick "precursor". Tick "derive on every change" to run on
# every slider move. The figure shows the start, the log-spaced snapshots (the last one is the final
# pattern) and the loss curve; below it, the map's strongest test digits (section 3).

# %%
# NBVAL_IGNORE_OUTPUT
explorer = oip_explorer(model, layer="Conv2D_3", map_index=SERIES_MAP, n_epochs=STEPS,
                        factors=(0.6, 0.4, 0.2, 0.0), examples=examples)
explorer.run()
explorer

# %% [markdown]
# ## 7 · The output layer's patterns: perfect digits
#
# The same ascent, aimed at the class scores of the last layer instead of a map, grows one image per
# digit that the network finds "most 0", "most 1", … (class maximization, as in the blog post on filters
# and perfect digits). It climbs the score *before* the softmax, which saturates at 1, from multi-scale
# fluctuations with equal factors. The network should classify each image as its digit.

# %%
perfect = oip3.perfect_digits(n_epochs=STEPS, seed=0)
classes = oip3.classify(perfect)
fig = image_row_figure(perfect, titles=[f"perfect {c} → {k}" for c, k in enumerate(classes)],
                       suptitle="Perfect digits: each image maximizes one class score; the model's verdict below")
plt.show()
assert classes.tolist() == list(range(10)), classes

# %% [markdown]
# ### The blog's recipe
#
# The blog post that grew perfect digits for its own MNIST CNN did four things differently:
#
# | | course (`perfect_digits`) | blog (`blog_perfect_digits`) |
# |---|---|---|
# | start | random multi-scale fluctuations, one per class | an all-zero image, the same for every class |
# | objective | class score *before* the softmax | class *probability*, after the softmax |
# | step | `epsilon`, unit-RMS gradient, standardized after every step | unit-RMS gradient, step `1 / (100 + 10·step)` shrinking from 0.01, never standardized; 4096 steps |
# | display | the standardized image | "de-averaged": mean subtracted, negative pixels cut to 0, scaled to a maximum of 1 |
#
# A zero image is the only "blank page" for our model (a standardized constant image is all zeros). The
# shrinking steps add up to little (printed below), so the blog's images stay faint.
# `helpers.oip.blog_digits` has the recipe on top of the course's ascent:

# %%
print(inspect.getsource(blog_step_size))
print(inspect.getsource(deaverage))
print(inspect.getsource(blog_perfect_digits))

# %% [markdown]
# The model judges every image after per-image standardization; the course's digits are de-averaged too,
# to see what the display step alone changes:

# %%
BLOG_STEPS = 300 if QUICK else 4096   # the blog: 4096 steps
blog = blog_perfect_digits(model, n_steps=BLOG_STEPS)
print(f"{BLOG_STEPS} blog steps add up to {sum(blog_step_size(j) for j in range(BLOG_STEPS)):.2f}; "
      f"pixel standard deviation of the blog's images: {np.round(blog.images.std(axis=(1, 2)), 2)}")


def verdicts(images):
    """The model's class and its probability of the intended class c, for 10 images (c = 0..9)."""
    p = predict_proba(model, images)
    return p.argmax(axis=1), p[np.arange(10), np.arange(10)]


rows = {"course": perfect, "course, de-averaged": deaverage(perfect),
        "blog, as climbed": blog.images, "blog, de-averaged": blog.deaveraged}
fig, axes = plt.subplots(len(rows), 10, figsize=(16, 7.4), constrained_layout=True)
for row, (name, images) in enumerate(rows.items()):
    verdict, p_own = verdicts(images)
    print(f"{name:20s} classified as {verdict}, largest 1 − P(intended class): {(1 - p_own).max():.1e}")
    for c in range(10):
        axes[row, c].imshow(images[c], cmap="gray_r")
        axes[row, c].set_title(f"{name}\nclass {c} → {verdict[c]}, P = {p_own[c]:.3f}", fontsize=7)
        axes[row, c].axis("off")
fig.suptitle("perfect digits: the course's recipe (top two rows) and the blog's (bottom two rows)")
plt.show()
assert blog.probabilities.shape == (BLOG_STEPS, 10)
assert np.all(blog.probabilities[-1] > blog.probabilities[0]), "the ascent raises every class's probability"
assert np.array_equal(verdicts(blog.images)[0], np.arange(10)), "each image is classified as intended"

# %% [markdown]
# Neither recipe draws handwriting: both ascents exaggerate the few pixel arrangements that separate the
# classes — strokes cut into pieces, the same bow several times, dark-bright pairs side by side. What
# makes the blog's digits look cleaner is mostly the display step: **de-averaging** drops everything
# below the mean, the grey background *and* the "anti-strokes" that tell the model where ink must *not*
# be (compare the course's two rows). The **zero start** adds no random texture. Climbing the probability
# instead of the score changes less than one might expect: the softmax saturates, but the unit-RMS
# gradient keeps the step size fixed however small the raw gradient becomes.

# %% [markdown]
# ## 8 · The same from the command line
#
# The galleries, single OIPs and perfect digits can also be written to files without a notebook
# (progress goes to the terminal, `--help` explains every option):
#
# ```bash
# python -m helpers gallery --layer Conv2D_3 --out gallery.png      # add --losses losses.csv for the numbers
# python -m helpers oip --map 5 --out oip.png --gif evolution.gif
# python -m helpers perfect-digits --out digits.png
# ```

# %% [markdown]
# ## 9 · Bring your own model
#
# Everything above also works for a CNN you trained yourself. The next cells build one the articles' way
# (`keras.Sequential`, Keras' own layer names, the softmax inside the last `Dense`), train it for one
# short epoch, save it as an `.h5` file and run the gallery and the perfect digits on it; at the end its maps
# are matched with the reference's. What your model needs is in the README's section "Your own model".

# %%
import tempfile
from pathlib import Path

import keras
from keras import layers

from helpers import load_mnist, to_model_input

(x_train_raw, y_train_raw), (_, y_test_raw) = load_mnist()
n_train = 6_000 if QUICK else 20_000           # one epoch: ~2 s quick, ~10 s full on a 2-core CPU; more images, more memory
keras.utils.set_random_seed(1)
own = keras.Sequential([
    keras.Input((28, 28, 1)),
    layers.Conv2D(32, (3, 3), activation="relu"), layers.MaxPooling2D((2, 2)),
    layers.Conv2D(64, (3, 3), activation="relu"), layers.MaxPooling2D((2, 2)),
    layers.Conv2D(128, (3, 3), activation="relu"), layers.Flatten(),
    layers.Dense(100, activation="relu"), layers.Dense(10, activation="softmax")])   # softmax inside the Dense
own.compile(optimizer=keras.optimizers.RMSprop(1e-3), loss="sparse_categorical_crossentropy", metrics=["accuracy"])
own.fit(to_model_input(x_train_raw[:n_train]), y_train_raw[:n_train], epochs=1, batch_size=64, verbose=0)

own_dir = Path(tempfile.mkdtemp())             # a scratch folder: the course writes nothing into your files
own_path = own_dir / "my_cnn.h5"
own.save(own_path)                             # the articles' format (Keras calls it legacy; .keras is the modern one)
own_layer = [layer.name for layer in own.layers if isinstance(layer, layers.Conv2D)][-1]
own_oip = My_OIP(own_path, layer_name=own_layer)    # a path, as the articles' My_OIP took one
own_accuracy = float((own_oip.classify(x_test) == y_test_raw).mean())
print(f"{own_oip}; test accuracy after one epoch on {n_train:,} images: {own_accuracy:.2%}")
print("its layers:", [l.name for l in own_oip.model.layers])

# %%
own_gallery = layer_gallery(own_oip, n_epochs=STEPS, seed=0, live=own_oip.live_maps(x_test))
print(own_gallery.summary())
fig = gallery_figure(own_gallery, variant="contrast",
                     title=f"Your model's last conv layer ({own_oip.layer_name}): one pattern per map")
plt.show()

# %%
own_digits = own_oip.perfect_digits(n_epochs=STEPS, seed=0)
own_classes = own_oip.classify(own_digits)
fig = image_row_figure(own_digits, titles=[f"perfect {c} → {k}" for c, k in enumerate(own_classes)],
                       suptitle="Your model's perfect digits (class scores reached through the copied Dense)")
plt.show()

# %%
assert own_accuracy > 0.9, "one epoch should already give a usable CNN"
assert len(own_gallery.missing) <= max(1, len(own_gallery.live) // 20), own_gallery.summary()  # nearly every live map
assert own_classes.tolist() == list(range(10)), own_classes

# %% [markdown]
# Your map numbers and patterns differ from the reference model's: each training run finds its own
# features. The commands take `--model my_cnn.h5 --layer <your layer's name>`.

# %% [markdown]
# ### Two networks, same maps?
#
# Does another training run learn the same maps, only numbered differently? Li, Yosinski and colleagues
# asked this of large image networks ("convergent learning", 2016); here we ask it of your model and the
# reference. `match_maps` sends the same test digits through both and correlates every map of one layer
# with every map of the other — at every position when the maps have the same size, else each digit's mean
# activation (the summary says which). `scipy.optimize.linear_sum_assignment` then gives each map at most
# one partner, so that the partners' correlations add up to the most; the correlation with its partner is
# a map's *best-match correlation*. A map has no partner when it is dead (never active), left over (the
# other layer has fewer maps) or matched with r below 0.5. The figure sorts the best-match correlations
# per layer (dotted: each map's best correlation with *any* map, partners shared) and shows the patterns of
# the best- and least-matched pair. The reference's strongest map is the one with the largest mean
# activation over these digits.

# %%
from helpers.gallery.matching import match_maps, matching_figure, matching_patterns

n_match = 500 if QUICK else 5000                # test digits; each goes through both models once
own_convs = [l.name for l in own.layers if isinstance(l, layers.Conv2D)]
matchings = [match_maps(own, mine, model, ref, x_test[:n_match]) for mine, ref in zip(own_convs, CONV_LAYERS)]
for m in matchings:
    strongest = int(np.argmax(m.means[1]))       # the reference's map with the largest mean activation
    partner = m.partner(strongest, side="b")
    print(m.summary(("yours", "reference")))
    print(f"  the reference's strongest map {strongest} ↔ "
          + (f"your map {partner[0]} (r = {partner[1]:.2f})\n" if partner else "no map of yours\n"))
print("median best-match correlation, layer by layer:", " → ".join(f"{m.median:.2f}" for m in matchings))

# true for any two models: correlations in [-1, 1], a one-to-one matching of the live maps, and a model
# matched with itself pairs every live map with itself at r = 1
for m in matchings:
    assert np.isfinite(m.correlations).all() and np.abs(m.correlations).max() <= 1
    n_live = [n - len(d) for n, d in zip(m.correlations.shape, m.dead)]
    assert len(set(m.pairs[:, 0])) == len(set(m.pairs[:, 1])) == len(m.pairs) == min(n_live)
itself = match_maps(model, "Conv2D_3", model, "Conv2D_3", x_test[:200])
assert (itself.pairs[:, 0] == itself.pairs[:, 1]).all() and itself.pair_correlations.min() > 0.999

# %%
n_candidates = 128 if QUICK else 1024            # the precursor's random starts per map (fewer: quicker, rougher)
patterns = [matching_patterns(m, own, model, n_epochs=STEPS, seed=0, n_candidates=n_candidates) for m in matchings]
fig = matching_figure(matchings, patterns, labels=("yours", "reference"))
plt.show()

# %% [markdown]
# ## What you should have seen
#
# - All maps of all three conv layers that real digits can activate got a pattern — one batched run per
#   layer, with the precursor choosing the starts. The count *patterns found / live maps / all maps*
#   makes that checkable; a dead map (orange label) can still get a pattern.
# - Without the precursor, one plain random start per map leaves maps silent — blank panels, like the
#   gaps article IX's hand-tuned starts left (61 of 128 found) — although most of those maps are live.
# - Jitter and total variation make patterns smoother; the price in activation differs from map to map.
# - The 32 kernels of Conv2D_1 are 3×3 brightness and edge detectors. Convolving noise with one of them in
#   isolation climbs a linear objective with a fixed gradient: the noise stays, an edge appears. Only the
#   ascent through the whole network (the OIP) builds patterns, because its gradient changes with the image.
# - Most patterns drive their map harder than its strongest test digit; the exceptions are printed.
# - Patterns grow with depth: Conv2D_1 repeats a tiny stripe or edge motif over the whole image, Conv2D_2
#   repeats short stroke pieces, Conv2D_3 shows a few digit-part strokes. The receptive field grows from
#   3 to 8 to 18 pixels while the bright share of the image falls.
# - One map (chosen by a measurable rule: the strongest live map) from different starts gives variations
#   of one theme, like the article's "hand": more alike than the patterns of different maps, once small
#   shifts are allowed.
# - The perfect digits, the course's and the blog's, are not handwriting, but the model classifies each as
#   the intended digit; de-averaging does most of what makes the blog's look cleaner.
#
# ## Exercise · where can a pattern be drawn at all?
#
# A pattern can only change the pixels that at least one node of its map sees: for every other pixel the
# gradient is exactly zero. Along one axis a map has `n_nodes` nodes; each sees `field` pixels, the first
# node from pixel 0 on, and neighbouring nodes' fields start `jump` pixels apart (section 4). Write
# `covered_width(n_nodes, field, jump)`: how many pixels, counted from pixel 0, the map's nodes see
# together along that axis. The check compares your numbers for the three conv layers with the rows where
# the gradient of the layer's maps is non-zero, for a batch of random starts.

# %%
def covered_width(n_nodes, field, jump):
    """Number of input pixels along one axis, from pixel 0 on, that the ``n_nodes`` nodes of a map see
    together, when each sees ``field`` pixels and neighbouring nodes are ``jump`` pixels apart."""
    # solution
    return (n_nodes - 1) * jump + field


# %%
# self-check
def reached_rows(oip, images):
    """Number of input rows, from row 0 on, where the gradient of the layer's summed map means is non-zero
    for at least one of the images."""
    x = tf.constant(images)
    with tf.GradientTape() as tape:
        tape.watch(x)
        total = tf.reduce_sum(tf.reduce_mean(oip.submodel(x), axis=(1, 2)))
    rows = np.flatnonzero(np.abs(tape.gradient(total, x).numpy()).max(axis=(0, 2, 3)) > 0)
    return int(rows.max()) + 1


random_starts = oip3.initial_image(n=64, seed=0)
with self_check():
    for name in CONV_LAYERS:
        layer_oip = My_OIP(model, name)
        n, g = layer_oip.map_shape[0], geometry[name]
        mine, seen = covered_width(n, g.receptive_field, g.jump), reached_rows(layer_oip, random_starts)
        print(f"{name}: {n} nodes, field {g.receptive_field}, jump {g.jump} → yours {mine}, the gradient's {seen} rows")
        assert mine != seen - 1, (f"{name}: {mine} is one short of the gradient's {seen} rows: a width counts the "
                                  "pixels 0, 1, …, last — the last pixel's index + 1")
        assert mine >= seen, (f"{name}: the gradient reaches {seen} rows, your answer covers only {mine}: the "
                              "fields overlap, but together they reach from the first node's field to the last node's")
        assert mine <= seen, (f"{name}: your answer covers {mine} rows, the gradient stops at {seen}: the first "
                              "node's field starts at pixel 0 — how far from it does the last node's field start?")
    # what it means: the rows no node of Conv2D_3 sees keep their start values in every pattern (rescaled only)
    kept = [np.corrcoef(r.image[seen:].ravel(), r.initial_image[seen:].ravel())[0, 1] for r in gallery3.results]
    print(f"rows {seen}–27 of the {len(kept)} Conv2D_3 patterns against their starts: correlation ≥ {min(kept):.6f}")
    assert min(kept) > 0.999
print("self-check passed")

# %% [markdown]
# ## Exercise · does the pattern beat the real digits?
#
# Redo section 3's comparison without `oip_against_data`. `gallery.final_losses`: each OIP's activation;
# `layer_examples.top_values`: the nine strongest digits' mean activations per map, strongest first
# (`top_unit_values`: their strongest unit's). Write `oip_data_ratio(gallery, layer_examples)` (NaN where no
# digit activates the map) and list the Conv2D_3 maps whose pattern does not beat the strongest digit.

# %%
def oip_data_ratio(gallery, layer_examples):
    """For every map of the gallery's layer: the OIP's mean activation over the strongest test digit's,
    NaN for a map that no digit activates."""
    # solution
    strongest = layer_examples.top_values[:, 0]
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(strongest > 0, gallery.final_losses / strongest, np.nan)


# solution
ratios3 = oip_data_ratio(gallery3, examples["Conv2D_3"])
my_not_beaten = np.flatnonzero(ratios3 <= 1).tolist()

# %%
# self-check
with self_check(my_not_beaten=my_not_beaten), np.errstate(divide="ignore", invalid="ignore"):  # dead maps: 0
    for g in (gallery1, gallery2, gallery3):
        right, e = against[g.layer_name], examples[g.layer_name]
        mine = np.asarray(oip_data_ratio(g, e), dtype=float)
        assert mine.shape == right.ratios.shape, f"{g.layer_name}: one ratio per map ({e.n_maps}), got {mine.shape}"
        c = right.compared                                   # the maps some digit activates
        close = lambda other: np.allclose(mine[c], other[c], rtol=1e-4)   # noqa: E731
        assert not close(1 / right.ratios), f"{g.layer_name}: upside down — the OIP's activation goes on top"
        assert not close(right.oip_values / e.top_unit_values[:, 0]), (
            f"{g.layer_name}: that is the strongest unit's activation; the OIP climbs the map's *mean* activation")
        assert not close(right.oip_values / e.top_values[:, -1]), (
            f"{g.layer_name}: top_values[:, -1] is the ninth digit; the strongest comes first")
        assert close(right.ratios), f"{g.layer_name}: your ratios differ from OIP / strongest digit, e.g. map " \
            f"{int(c[np.argmax(np.abs(mine[c] - right.ratios[c]))])}"
    assert sorted(my_not_beaten) == sorted(against["Conv2D_3"].not_beaten.tolist()), (
        f"my_not_beaten: {sorted(my_not_beaten)[:10]} — list the maps whose ratio is at most 1 (not those above 1)")
print(f"self-check passed: {len(my_not_beaten)} map(s) of Conv2D_3 whose pattern does not beat the strongest digit")
