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
# # 08 · Dream carving: a map's pattern carved into a photo
#
# In notebooks 06 and 07 the OIP ascent grew a map's favourite pattern out of random noise. Here it starts
# from a *photo* instead: the ascent strengthens whatever traces of the pattern the CNN finds in it, and
# the photo slowly turns into a "dream" of our MNIST network. Because the CNN only sees 28×28 pixels, the
# photo goes through a cycle of shrinking, carving and enlarging, and the detail lost on the way is put back.
#
# You will learn
# - how any photo is prepared: gray, square, standardized — and why a *detail-correction tensor* lets a
#   560×560 image travel through a 28×28 network without losing its fine structure,
# - one carving iteration step by step (shrink → ascent → enlarge → correct → standardize),
# - how carving the four quadrants as well (each shrunk to 28×28 on its own) brings the pattern in at a
#   smaller length scale,
# - the pitfall of pasting carved quadrants back naively, and how undoing each tile's standardization fixes it,
# - how different maps dream differently about the same photo,
# - the article's own setting — only the lower-right quadrant carved as well — with a map chosen because it
#   fires more on that quadrant than on the other three, and which course function does each of the
#   article's numbered steps.
#
# This follows the article series "Deep Dreams of a CNN trained on MNIST data", parts I–III (carving the
# full image with one map, then adding sub-images), including the addendum of part III about standardized
# sub-images. The article used a photo of roses and its own trained model; we use a portrait that ships with
# matplotlib and our reference model, so map numbers that work well differ from the article's.

# %%
# %matplotlib inline
import inspect

import matplotlib.pyplot as plt
import numpy as np
import tensorflow as tf

import helpers
from helpers import DreamCarver, dream_explorer, load_photo, quick_mode
from helpers.dream import back_to_size, clip_contrast, parse_quadrants
from helpers.dream.images import quadrant_slices
from helpers.dream.plots import dreams_side_by_side, iteration_figure, preparation_figure
from helpers.exercise_check import self_check

QUICK = quick_mode()                       # CI sets CI=true: a smaller photo and fewer iterations
SIZE = 280 if QUICK else 560               # the working size (the articles: 560)
ITERATIONS = 3 if QUICK else 4             # carving cycles (the articles: 4–6)
STEPS = 30                                 # OIP ascent steps per cycle and region (the articles: 20–40)

carver = DreamCarver()                     # the reference model, layer Conv2D_3
photo = load_photo("default", size=SIZE)   # matplotlib's sample photo: nothing to download
print(f"quick mode: {QUICK};", carver)
print(photo.describe())

# %% [markdown]
# `load_photo` accepts any JPEG or PNG (colour, with transparency, gray, 16-bit; any size and aspect ratio).
# It converts colour to gray with the usual weights 0.299 R + 0.587 G + 0.114 B, makes the picture square
# — by cutting away the edges (`fit="crop"`, the default) or by adding borders (`fit="pad"`) — scales it to
# the working size and standardizes it, like every MNIST image the CNN saw in training. Try your own photo
# with `load_photo("path/to/photo.jpg", size=SIZE)`.
#
# ## 1 · Preparation: a trip through 28×28 and back
#
# The CNN needs a 28×28 input, so the photo is shrunk (bicubic, antialiased: each small pixel averages a
# 20×20 block). Enlarged again it is a blur: all detail finer than a small pixel is gone. The
# **detail-correction tensor** is exactly that loss — the original minus its shrunk-and-enlarged copy:

# %%
print(inspect.getsource(helpers.dream.cnn_input))
print(inspect.getsource(helpers.dream.back_to_size))
print(inspect.getsource(helpers.dream.detail_correction))

# %% [markdown]
# Added to the blurred copy, the correction gives the original back. The same holds for each quadrant,
# which gets its own correction. Rows 2–4 below: the four quadrants (each half the side of the photo), their
# own 28×28 versions — whose small pixels are half as wide as the full image's (a quarter of the area) —
# and each quadrant restored by its correction.

# %%
prep = carver.prepare(photo, "all")
fig = preparation_figure(photo, prep)
plt.show()

# %%
assert np.abs(prep.enlarged - prep.image).max() > 1.0, "the trip through 28×28 must lose detail"
assert np.allclose(prep.restored, prep.image, atol=1e-5), "enlarged + correction = the original"
assert np.allclose(prep.reassembled(), prep.image, atol=1e-5), "the same for every quadrant"
print("largest change by the trip through 28×28:", float(np.abs(prep.correction).max()))

# %% [markdown]
# ## 2 · Which maps see something in the photo?
#
# The ascent follows the gradient of a map's mean activation. A map whose activation is zero everywhere on
# an image (all its ReLUs off) has a zero gradient there: the ascent cannot start, and nothing gets carved.
# So first: how strongly does each of the 128 Conv2D_3 maps react to the 28×28 photo and to the 28×28
# versions of its quadrants?

# %%
acts = carver.oip.map_activations(np.concatenate([prep.small[None], prep.tiles_small]))   # (5 regions, 128 maps)
fig, ax = plt.subplots(figsize=(14, 2.8))
image = ax.imshow(np.where(acts > 0, acts, np.nan), aspect="auto", cmap="viridis", interpolation="nearest")
ax.set_facecolor("black")
ax.set_yticks(range(5), ["full image"] + [f"quadrant {q}" for q in prep.quadrants])
ax.set_xlabel("map of Conv2D_3")
ax.set_title("Mean activation of every map on each 28×28 region (black: silent, the map cannot carve there)")
fig.colorbar(image, ax=ax, label="mean activation", pad=0.01)
plt.show()

# %% [markdown]
# `DreamCarver.responsive_maps` lists the maps that fire on every region, the strongest first. We prefer a
# few maps whose patterns show well on this photo (horizontal and vertical strokes), and fall back on the
# list if a retrained model has other favourites.

# %%
live = carver.responsive_maps(photo, "all")


def choose_maps(preferred, n):
    """The preferred maps that respond to every region; the strongest other responsive maps fill up."""
    chosen = [m for m in preferred if m in live]
    return (chosen + [int(m) for m in live if m not in chosen])[:n]


FULL_MAP, SUB_MAP = choose_maps([70, 105], 2)
print(f"{len(live)} maps respond to every region; the strongest: {live[:10].tolist()}")
print(f"full image: map {FULL_MAP}; quadrants: map {SUB_MAP}")

# %%
assert np.all(acts[:, [FULL_MAP, SUB_MAP]] > 0), "the chosen maps must respond to every region"

# %% [markdown]
# A silent map is not an error: `DreamResult.message` names the regions where it happened, and the option
# `noise=0.2` adds a little random fluctuation to each 28×28 input to give the ascent a start (with a
# `seed`, reproducibly).
#
# ## 3 · One carving iteration, step by step
#
# Per iteration (Deep Dreams III):
#
# 1. shrink the current image to 28×28 and standardize it,
# 2. run `STEPS` ascent steps for the full-image map (the compiled `My_OIP.ascend` of notebook 06),
# 3. enlarge the result to the working size and standardize it,
# 4. add the correction tensor and standardize,
# 5. cut the chosen quadrants out of that image, and for each
# 6. shrink it to 28×28 (after recording its own mean and std — section 5),
# 7. run the ascent for the quadrant's map — all quadrants together, in one batch,
# 8. enlarge, add the quadrant's correction, undo the quadrant's standardization,
# 9. paste the quadrants back and standardize: the start of the next iteration.
#
# The two halves of an iteration, as they live in `helpers.dream` (`DreamCarver.carve` checks the
# arguments, prepares the corrections once, and then calls these two per iteration):

# %%
print(inspect.getsource(helpers.dream.DreamCarver.carve_full_image))
print(inspect.getsource(helpers.dream.DreamCarver.carve_quadrants))

# %%
one = carver.carve(photo, FULL_MAP, sub_maps=SUB_MAP, quadrants="all", iterations=1, steps=STEPS, keep_steps=True)
step = one.history[0]
fig = iteration_figure(step, one.original, quadrants=one.quadrants)
plt.show()

# %% [markdown]
# The full-size images are shown with the article's contrast: values multiplied by 1.1 and clipped at 85 %
# of the smaller of |min| and |max| of the photo (`helpers.dream.clip_contrast`). The carved pattern raises
# the gray level of whole areas; the clipping keeps those areas from swallowing the photo's detail.
# The loss curves show the ascent working: each region's map fires more strongly step by step.

# %%
assert step.full_losses[-1] > step.full_losses[0] > 0, "the ascent must raise the full-image map's activation"
assert np.all(step.tile_losses[-1] > step.tile_losses[0]), "... and each quadrant's"
assert one.image.shape == (SIZE, SIZE)

# %% [markdown]
# ## 4 · Several iterations: full image only, or with quadrants
#
# Each iteration starts from the previous result, so the pattern grows stronger. With the full image only,
# the pattern lives on the coarse scale of the 28×28 small pixels; carving the quadrants adds it again at
# half that length scale.

# %%
full_only = carver.carve(photo, FULL_MAP, quadrants="none", iterations=ITERATIONS, steps=STEPS)
with_quads = carver.carve(photo, FULL_MAP, sub_maps=SUB_MAP, quadrants="all", iterations=ITERATIONS, steps=STEPS)
fig = dreams_side_by_side(
    [photo.image, full_only.image, with_quads.image],
    ["the photo", f"full image only: map {FULL_MAP}", f"+ all quadrants: map {SUB_MAP}"],
    reference=photo.image, suptitle=f"After {ITERATIONS} iterations of {STEPS} ascent steps")
plt.show()

# %%
fig, ax = plt.subplots(figsize=(8, 3.5))
for name, result in [("full image only", full_only), ("with quadrants", with_quads)]:
    ax.plot(np.arange(1, ITERATIONS + 1), result.full_losses[:, 0], "o-",
            label=f"{name}: map {FULL_MAP} before each iteration's ascent")
ax.plot(np.arange(1, ITERATIONS + 1), with_quads.tile_losses[:, 0].mean(axis=1), "s--",
        label=f"with quadrants: map {SUB_MAP}, mean over the quadrants")
ax.set_xlabel("iteration")
ax.set_ylabel("mean map activation at 28×28")
ax.set_title("The photo carries more of the pattern after every iteration")
ax.legend(fontsize=8)
ax.grid(alpha=0.3)
plt.show()

# %%
assert np.all(np.diff(full_only.full_losses[:, 0]) > 0), "each iteration must start from a stronger pattern"
assert np.abs(with_quads.image - full_only.image).mean() > 0.05, "the quadrants must add something"
print(full_only, with_quads, sep="\n")

# %% [markdown]
# ## 5 · The pitfall: pasting quadrants back
#
# The full image is standardized, but a quadrant of it is not: a dark corner has a negative mean, a flat one
# a standard deviation below 1 (the table below prints each quadrant's). The CNN needs standardized input, so the quadrant is standardized before its
# 28×28 version enters the ascent (`My_OIP.ascend` standardizes anyway). The carved tile that comes back
# is therefore in the *tile's* units (mean 0, std 1). Pasting it directly — as the article's first code
# did, and as its addendum warns — mixes two units: the carved change comes in the tile's units, the photo's
# detail (the correction) in the image's. Against the detail around it, the change lands 1/std times as strong
# as it should: too strong in a quadrant whose std is below 1, too weak above. The fix: record each tile's
# mean and std before standardizing it, and undo the standardization (× std + mean) before pasting back.

# %%
naive = carver.carve(photo, FULL_MAP, sub_maps=SUB_MAP, quadrants="all", iterations=ITERATIONS, steps=STEPS,
                     undo_tile_standardization=False)
fig = dreams_side_by_side(
    [with_quads.image, naive.image, np.abs(with_quads.image - naive.image)],
    ["undoing each tile's standardization", "naive paste (the pitfall)", "|difference|"],
    reference=photo.image, suptitle="The same carving, pasted back two ways")
fig.axes[2].images[0].set_data(np.abs(with_quads.image - naive.image))   # the difference without clipping
fig.axes[2].images[0].set_cmap("magma")
fig.axes[2].images[0].autoscale()
fig.colorbar(fig.axes[2].images[0], ax=fig.axes[2], shrink=0.8, label="|difference| (std units)")
plt.show()

# %%
def seam_jump(image):
    """Mean |step| between the two pixel rows (and columns) that meet at the centre lines, and between
    neighbouring pixels anywhere: a seam is a jump at the centre lines larger than elsewhere."""
    h = image.shape[0] // 2
    centre = np.concatenate([np.abs(image[h - 1] - image[h]), np.abs(image[:, h - 1] - image[:, h])]).mean()
    anywhere = np.concatenate([np.abs(np.diff(image, axis=a)).ravel() for a in (0, 1)]).mean()
    return float(centre), float(anywhere)


difference = np.abs(with_quads.image - naive.image)
print("quadrant          photo's mean  std   mean |difference| of the two pastes")
for k, (q, m, s) in enumerate(zip(prep.quadrants, prep.tile_mean, prep.tile_std)):
    tile = difference[quadrant_slices(SIZE)[q]]
    print(f"{q} {helpers.dream.QUADRANT_NAMES[q]:12s}  {m:10.2f} {s:6.2f}   {tile.mean():.3f}")
print("\njump across the centre lines / between neighbours anywhere (std units):")
for name, img in [("the photo", photo.image), ("full image only", full_only.image),
                  ("undoing each tile's standardization", with_quads.image), ("naive paste", naive.image)]:
    print(f"  {name:36s} {seam_jump(img)[0]:.3f} / {seam_jump(img)[1]:.3f}")

# %% [markdown]
# The two pastes differ inside every quadrant, by the amounts printed. With the standardization undone, each
# pasted tile keeps the mean of the tile it replaces (checked below).
#
# Neither paste is seamless. At the centre lines the photo changes from one pixel to the next about as much
# as anywhere else; in both carved images it jumps more there (the printout compares the two). Each quadrant
# is carved on its own, without knowing its neighbours, so undoing the standardization cannot remove the seam.

# %%
careful_step = carver.carve(photo, FULL_MAP, sub_maps=SUB_MAP, quadrants="all", iterations=1, steps=STEPS,
                            keep_steps=True).history[0]
assert np.allclose(careful_step.tiles_out.mean(axis=(1, 2)), careful_step.tiles_in.mean(axis=(1, 2)), atol=1e-4)
assert np.abs(with_quads.image - naive.image).max() > 0.1, "the two ways of pasting must differ"

# %% [markdown]
# ## 6 · Different maps, different dreams
#
# Each map of Conv2D_3 has its own pattern (notebook 07's gallery), and carves it into the photo: strokes
# at different angles, bows, blobs. Here a few maps, each used for the full image and for all quadrants.

# %%
some_maps = choose_maps([62, 66, 1, 112], 4)
dreams = [carver.carve(photo, m, quadrants="all", iterations=ITERATIONS, steps=STEPS) for m in some_maps]
fig = dreams_side_by_side([d.image for d in dreams], [f"map {m}" for m in some_maps], reference=photo.image,
                          size=3.6, suptitle=f"Four maps of Conv2D_3 dreaming about the same photo "
                                             f"({ITERATIONS} iterations, all quadrants)")
plt.show()

# %%
assert all(not d.message for d in dreams), "all four maps respond to this photo"
assert min(np.abs(a.image - b.image).mean() for i, a in enumerate(dreams) for b in dreams[i + 1:]) > 0.05

# %% [markdown]
# ## 7 · The article's setting: only the lower-right quadrant
#
# Deep Dreams III tried its sub-image step on a single quadrant first: the lower-right one, carved with the
# same map as the full image (the article's map 56). Its result: the worm-like strokes of that map all over
# the roses, plus a new feature in the lower-right corner — a "wheel", or two 9-like bows close together.
#
# Here is that setting with our model. The lower-right quadrant is quadrant 4 in our numbering
# (`parse_quadrants`, read like text: 1 top left, 2 top right, 3 bottom left, 4 bottom right). Map 56 of
# the article's network means nothing for ours: every training run learns its own features in its own
# order. So we pick a map that fires *there*: more on quadrant 4 than on the other three. The rule: among
# the maps that respond (mean activation > 0) both to the 28×28 photo and to the 28×28 quadrant 4 — the
# full-image step uses the same map, so it has to see the whole photo too — take the one whose activation on
# quadrant 4 exceeds its strongest activation on quadrants 1–3 by the most (its *lead* on quadrant 4). The
# activations are those of section 2.

# %%
LOWER_RIGHT = 4
assert helpers.dream.QUADRANT_NAMES[LOWER_RIGHT] == "bottom right" and parse_quadrants("4") == (LOWER_RIGHT,)
row = 1 + prep.quadrants.index(LOWER_RIGHT)            # row 0 of `acts` is the full image, then the quadrants
other_rows = [r for r in range(1, 1 + len(prep.quadrants)) if r != row]
lead = acts[row] - acts[other_rows].max(axis=0)        # quadrant 4 minus the map's strongest other quadrant
fires_there = carver.responsive_maps(photo, quadrants=str(LOWER_RIGHT))   # respond to the photo and quadrant 4
ranking = fires_there[np.argsort(-lead[fires_there], kind="stable")]
QUAD4_MAP = int(ranking[0])
STRONGEST_ON_4 = int(fires_there[np.argmax(acts[row, fires_there])])   # the largest plain activation there


def profile(m):
    """One map's row of section 2's table, its lead on quadrant 4 and where quadrant 4 ranks among the four."""
    place = 1 + int(np.sum(acts[1:, m] > acts[row, m]))
    return (f"map {m:3d}: full image {acts[0, m]:.3f}, quadrants 1-4 " + " ".join(f"{a:.3f}" for a in acts[1:, m])
            + f"; lead on quadrant 4 {lead[m]:+.3f}, quadrant 4 ranks {place} of 4")


print(f"{len(fires_there)} maps respond to the full photo and to quadrant 4; the largest leads on quadrant 4:")
for m in ranking[:5]:
    print("  " + profile(m))
print(f"chosen: map {QUAD4_MAP}\nfor comparison:")
others = {56: ["the article's map"], 70: ["sections 3-5's first choice"]}
others.setdefault(STRONGEST_ON_4, []).append("the largest plain activation on quadrant 4")
for m, who in others.items():
    silent = [name for name, a in zip(["full image", "quadrant 1", "quadrant 2", "quadrant 3", "quadrant 4"],
                                      acts[:, m]) if a <= 0]
    print(f"  {' and '.join(who)}:\n    {profile(m)}" + (f"\n    silent on: {', '.join(silent)}" if silent else ""))

# %% [markdown]
# A large activation on quadrant 4 alone does not say the map fires *there*: the map with the largest plain
# activation on quadrant 4 can fire even more on the other quadrants (compare its four values above). The lead
# asks for a map that singles out quadrant 4. The article's map 56 is printed too; where our model leaves it
# silent on a region, it could carve nothing there (section 2).
#
# Now the carving with the chosen map: the full image and quadrant 4, and as the "before" the full image alone.

# %%
lower_right = carver.carve(photo, QUAD4_MAP, quadrants=str(LOWER_RIGHT), iterations=ITERATIONS, steps=STEPS)
no_quadrant = carver.carve(photo, QUAD4_MAP, quadrants="none", iterations=ITERATIONS, steps=STEPS)


def on_quadrant_4(image):
    """The chosen map's mean activation on the 28×28 version of an image's quadrant 4."""
    return float(carver.oip.map_activations(carver.prepare(image, LOWER_RIGHT).tiles_small)[0, QUAD4_MAP])


before, after_full, after = (on_quadrant_4(x) for x in (photo.image, no_quadrant.image, lower_right.image))
print(lower_right)
print(f"map {QUAD4_MAP} on the 28×28 quadrant 4: photo {before:.3f}; carved, full image only {after_full:.3f}; "
      f"carved, full image + quadrant 4 {after:.3f} ({after / before:.1f}× the photo's)")

# %%
half = SIZE // 2
q4 = np.s_[half:, half:]                               # quadrant 4: rows and columns half..SIZE-1
shown = [clip_contrast(img, photo.image) for img in (no_quadrant.image, lower_right.image)]
diff = lower_right.image - no_quadrant.image
fig, axes = plt.subplots(2, 3, figsize=(13, 9.4))
for ax, img, title in zip(axes[0], [photo.color, *shown],
                          ["the photo", f"map {QUAD4_MAP}, full image only",
                           f"map {QUAD4_MAP}, full image + quadrant 4"]):
    ax.imshow(img, cmap="gray", vmin=0, vmax=1)
    ax.set_title(title, fontsize=10)
    ax.add_patch(plt.Rectangle((half - 0.5, half - 0.5), half, half, fill=False, ec="tab:orange", lw=1.5))
for ax, img, title in zip(axes[1], [shown[0][q4], shown[1][q4]],
                          ["quadrant 4 before: full image only", "quadrant 4 after: + quadrant 4 step"]):
    ax.imshow(img, cmap="gray", vmin=0, vmax=1)
    ax.set_title(title + " (zoomed)", fontsize=10)
limit = float(np.abs(diff[q4]).max())
image = axes[1, 2].imshow(diff[q4], cmap="RdBu_r", vmin=-limit, vmax=limit)
axes[1, 2].set_title("quadrant 4: after − before (zoomed)", fontsize=10)
fig.colorbar(image, ax=axes[1, 2], shrink=0.85, label="difference (std units of the image)")
for ax in axes.flat:
    ax.set_xticks([])
    ax.set_yticks([])
axes[0, 0].set_ylabel("whole image (orange: quadrant 4)")
axes[1, 0].set_ylabel(f"quadrant 4 only: {half}×{half} px")
fig.suptitle(f"Deep Dreams III's setting: the lower-right quadrant carved as well "
             f"({ITERATIONS} iterations of {STEPS} ascent steps, epsilon {lower_right.epsilon})")
fig.tight_layout()
plt.show()

# %% [markdown]
# The top row shows the whole image, the bottom row zooms into quadrant 4: before (the same map carving the
# full image alone), after (with the quadrant step in every iteration) and their difference. The quadrant step
# changes quadrant 4 in smooth patches a few of the quadrant's small pixels wide — each half as wide as a
# small pixel of the full image. The printout above says what that does for the map: how strongly it fires
# on quadrant 4 in the photo, after carving the full image only, and after carving quadrant 4 as well.
#
# Not all of the difference lies inside quadrant 4: each later iteration shrinks the whole image again, so
# the full-image step sees — and spreads a little of — what the quadrant step added.

# %%
change = np.abs(diff)
share = float(change[q4].sum() / change.sum())
print(f"share of the difference that lies in quadrant 4 (a quarter of the area): {share:.0%}")
assert lead[QUAD4_MAP] > 0, "the chosen map fires more on quadrant 4 than on any other quadrant"
assert acts[row, QUAD4_MAP] > 0 and acts[0, QUAD4_MAP] > 0, "the chosen map fires on quadrant 4 and on the photo"
assert not lower_right.message, "the chosen map responds to both regions it carves"
assert after > before and after > after_full, "carving quadrant 4 as well makes the map fire more strongly there"
assert share > 0.25, "the quadrant step changes its own quadrant more than its share of the area"

# %% [markdown]
# ### The article's steps in the course
#
# The article numbers its procedure: steps 1–6 prepare the image once, step 7 is the main loop A (steps LA-1
# to LA-4 for the full image), and the optional loop B over the sub-images (LB-1 to LB-7) sits inside it.
# The course's steps 1–9 of section 3 are the same per-iteration steps, counted through:
#
# | article step | what happens | course step (section 3) | where in `helpers` |
# |---|---|---|---|
# | 1 | the photo at working size as a tensor | setup | `load_photo("default", size=SIZE)`; `DreamCarver.prepare` standardizes it |
# | 2 | shrink to 28×28 and enlarge back | section 1 | `prepare` → `cnn_input`, `back_to_size` (`prep.small`, `prep.enlarged`) |
# | 3 | the detail correction of the full image | section 1 | `prepare` → `prep.correction` (as in `detail_correction`) |
# | 4 | cut the quadrants | section 1 | `prepare(photo, quadrants="4")` → `cut_quadrants` (only the chosen ones, `parse_quadrants`) |
# | 5 | shrink and enlarge each quadrant | section 1 | `prepare` → `prep.tiles_small` (each tile standardized first, `tile_statistics`) |
# | 6 | the quadrants' detail corrections | section 1 | `prepare` → `prep.tile_corrections` |
# | 7 (loop A) | 4–6 iterations | the loop | `carve(..., iterations=ITERATIONS)` |
# | LA-1 | the 28×28 image as the CNN's input | 1 | `carve_full_image`: `cnn_input(current)` |
# | LA-2 | OIP ascent, 20 < N < 40 steps | 2 | `My_OIP.ascend(small, [map_index], steps, epsilon)`; `carve(..., steps=STEPS, epsilon=...)` |
# | LA-3 | enlarge (bicubic) | 3 | `back_to_size(small_out, size)` |
# | LA-4 | add the detail correction | 4 | `enlarged + correction`, standardized |
# | LA-5 (loop B) | over the chosen sub-images | 5–9 | `carve_quadrants`, called with `carve(..., quadrants="4", sub_maps=...)` |
# | LB-1 | cut the quadrant from the carved full image | 5 | `cut_quadrants(full, quadrants)` |
# | LB-2 | shrink it to 28×28 | 6 | `tile_statistics`, then `cnn_input` |
# | LB-3 | OIP ascent on it | 7 | `My_OIP.ascend(small_in, maps, steps, epsilon)` — all chosen quadrants in one batch |
# | LB-4 | enlarge it | 8 | `back_to_size(small_out, half)` |
# | LB-5 | add its detail correction | 8 | `+ tile_corrections`, then `× std + mean` (the addendum, section 5) |
# | LB-6 | put it back into the full image | 9 | `paste_quadrants`, then standardize |
# | LB-7 | shrink the new image for the next pass of loop A | (1 of the next iteration) | `carve` hands `result` on; `carve_full_image` shrinks it |
#
# The settings, the article's code against ours:
#
# | setting | article (Deep Dreams III) | this notebook |
# |---|---|---|
# | working size, quadrant size | 560, 280 px | 560, 280 px (quick mode: 280, 140) |
# | iterations of loop A | 4 (text: 4–6) | `ITERATIONS` = 4 (quick mode: 3) |
# | ascent steps per cycle and region | 30 (text: 20 < N < 40) | `STEPS` = 30 |
# | epsilon (step size of the normalized gradient) | 0.01 | 0.01 (`carve`'s default) |
# | early stop on convergence | off | off (`ascend` always runs all steps) |
# | map, full image / quadrant | 56 / 56 | the map chosen above, for both |
# | pasting the quadrant back | carved tile pasted as it comes out | tile's standardization undone first |
# | enlarging the carved 28×28 image (LA-3, LB-4) | bicubic only; the correction is added to the enlargement as it comes out (LA-4, LB-5) | bicubic, then standardized to mean 0, std 1 over the working size or the quadrant (`back_to_size`); then the correction is added |
#
# Where we differ, and why: the map number (our network's features are numbered differently; we choose by a
# measured criterion instead); the quick mode (CI runs the notebook at half the size and one iteration fewer,
# to stay fast); and the paste, which follows the article's own addendum — a quadrant of a standardized image
# is not standardized itself, so its mean and std are put back before pasting (section 5). One more difference
# sits in the enlargement: both compute the correction against the *standardized* enlargement of the 28×28
# image (section 1), but the article adds it to the carved image's plain bicubic enlargement, whose std is a
# little below 1 (printed below). The course standardizes that enlargement first, so that with nothing carved
# "enlarged + correction" gives the photo back exactly. The photo differs too (a portrait that ships with
# matplotlib instead of the roses), so do not expect a wheel: section 7's difference image shows what the
# quadrant step did here.

# %%
print(f"this run: working size {lower_right.size} px, quadrant {half} px, {lower_right.iterations} iterations of "
      f"{lower_right.steps} ascent steps, epsilon {lower_right.epsilon}; map {lower_right.map_index} for the full "
      f"image and map {lower_right.sub_maps[0]} for quadrant {lower_right.quadrants[0]}")
plain = tf.image.resize(step.small_out[None, :, :, None], (SIZE, SIZE), method="bicubic", antialias=True)
print(f"section 3's carved 28×28 image (std {step.small_out.std():.3f}), enlarged: "
      f"std {float(tf.math.reduce_std(plain)):.3f} as bicubic leaves it (the article), 1 after back_to_size (the course)")
assert lower_right.quadrants == (LOWER_RIGHT,) and lower_right.sub_maps == (QUAD4_MAP,)

# %% [markdown]
# ## 8 · Try it yourself
#
# Choose the map of the full image, the map of the quadrants, which quadrants, and the number of
# iterations. Each change carves anew (about a second at 560×560); sliders react when released.

# %%
# NBVAL_IGNORE_OUTPUT
explorer = dream_explorer(carver, photo, full_map=FULL_MAP, sub_map=SUB_MAP, iterations=ITERATIONS, steps=STEPS)
explorer

# %% [markdown]
# The same from the command line, written to a PNG (add `--overwrite` to replace an existing file):
#
# ```
# python -m helpers dream default --map 70 --sub-map 105 --quadrants all --iterations 4 --out dream.png
# python -m helpers dream my_photo.jpg --map 62 --quadrants 1,4 --sub-map 66,1 --out my_dream.png
# ```
#
# ## What you should have seen
#
# - Any photo becomes a standardized gray square; shrunk to 28×28 and enlarged again it is a blur, and the
#   correction tensor (original minus blur) restores it exactly.
# - One carving iteration: the ascent raises the map's activation on the 28×28 image, the enlarged change is
#   added under the photo's own detail, and the quadrants repeat this at half the length scale.
# - Over several iterations the map fires more strongly on the 28×28 image, and the photo gains light and
#   dark patches at the scale of the 28×28 small pixels; carving the quadrants as well adds patches at half
#   that scale, and a seam along the centre lines.
# - Quadrants must be pasted back in the image's units: undoing each tile's standardization keeps each tile's
#   mean and puts the carved change at the tile's own contrast (the naive paste makes it 1/std times as
#   strong); it does not remove the seam, which both pastes leave.
# - Every map dreams its own pattern; a map that does not respond to a region at all carves nothing there.
# - Carving one quadrant as well (the article's setting) changes mostly that quadrant, at the smaller scale;
#   a map chosen for its lead on that quadrant fires more strongly there than after carving the full image alone.
#
# ## Exercise · what the full-image step adds to the photo
#
# Take the first iteration of section 3 (`step`). Its full-image step turns the photo into `step.enlarged +
# correction` (steps 3 and 4 of section 3, before the final standardization). Write `change_from_28(small_in,
# small_out)`: the (SIZE, SIZE) array by which that image differs from the photo, computed from the two 28×28
# images alone — `small_in` before the ascent, `small_out` after it — with `back_to_size` and without the
# photo or the correction tensor. (Hint: section 1 says what the photo equals in terms of its 28×28 version.)
# If the check passes, the step changed the photo only at the scale of the 28×28 image.

# %%
def change_from_28(small_in, small_out):
    """(SIZE, SIZE): what iteration 1's full-image step adds to the photo, from its 28×28 images (28, 28)."""
    # solution
    before_ascent = back_to_size(small_in[None, :, :, None], SIZE).numpy()[0, :, :, 0]
    after_ascent = back_to_size(small_out[None, :, :, None], SIZE).numpy()[0, :, :, 0]
    return after_ascent - before_ascent


# %%
# self-check: section 3's first iteration; its full-image step made `step.enlarged + correction` from the photo
expected = step.enlarged + one.preparation.correction - one.original
with self_check():
    mine = np.squeeze(np.asarray(change_from_28(step.small_in, step.small_out), np.float32))
    assert mine.shape == expected.shape, (f"got shape {mine.shape}, expected {expected.shape}: the change is made "
                                          f"on the photo, so enlarge to the working size with back_to_size(..., SIZE)")
    assert not np.allclose(mine, -expected, atol=1e-3), "the sign is flipped: after the ascent minus before it"
    assert not np.allclose(mine, expected + one.original, atol=1e-3), (
        "that is the carved image itself, photo detail and all: return how it differs from the photo")
    assert not np.allclose(mine, step.full - one.original, atol=1e-4), (
        "that is the change after the standardization that ends step 4: take the image before it, "
        "enlarged + correction")
    match = np.corrcoef(mine.ravel(), expected.ravel())[0, 1]
    assert np.allclose(mine, expected, atol=1e-3), (
        "the right pattern at the wrong strength: back_to_size standardizes each image it enlarges, so enlarge "
        "the two 28×28 images one by one and then subtract" if match > 0.9 else
        "not the change yet: by section 1 the photo is back_to_size(its 28×28 version) + correction, and "
        "step.small_in is that 28×28 version; write the carved image the same way and subtract")
print(f"exercise solved: the full-image step changes the photo by at most {np.abs(expected).max():.2f} (std units), "
      f"and only by the enlarged change of the 28×28 image")

# %% [markdown]
# More to try: carve your own photo (`load_photo("my.jpg", size=560)`, or `fit="pad"` to keep its edges),
# a different map per quadrant (`sub_maps=[62, 66, 1, 112]`), section 7 with the next maps of `ranking` or
# another quadrant, more iterations, or a map of Conv2D_2
# (`DreamCarver(layer_name="Conv2D_2")`), whose patterns are finer.
