# %% [markdown]
# > **Student version.** The exercises at the end of this notebook have stubs where the solutions were:
# > `# Your code here` and `raise NotImplementedError(...)` or `...`. Write your code there and run the
# > self-check below it; it fails until your answer is right. The solutions are in the notebook of the
# > same name one folder up, `../04_activation_visualization.ipynb`.
# >
# > Teachers: this file is generated from `notebooks/04_activation_visualization.py` by `python tools/make_exercises.py`;
# > edit that file, not this one.

# %% [markdown]
# # 04 · What the convolutional layers make of a digit: activation grids
#
# A trained CNN turns a 28×28 digit into 32 maps, then 64, then 128 — each a little image of its own.
# In this notebook you look at all of them at once, laid out as a grid, layer after layer.
#
# You will learn
# - how to read out the output of *any* named layer of a Keras model (a sub-model from the input to that
#   layer),
# - how the maps of a layer are tiled into one picture (8 maps per row; a dense layer as a block of cells),
# - how the resolution falls from 26×26 to 3×3 and the digit's strokes dissolve on the way — measured,
#   not only seen,
# - what three different 4s have in common at the last convolutional layer,
# - how to explore any digit and layer with a small widget.
#
# This follows articles IV and V of the series ("visualizing the activation output of convolutional
# layers and maps", "about the difference of activation patterns and features"), and uses the grid
# layout of article VI. The model is the committed reference model, trained with notebook 03's recipe by
# `python -m helpers train-reference`.

# %%
# %matplotlib inline
import inspect

import matplotlib.pyplot as plt
import numpy as np

import helpers
from helpers import (activation_explorer, layer_activations, load_mnist, load_reference_model, plot_digit_and_grid,
                     predict_proba, quick_mode)
from helpers.activations import activation_grid, grid_layout, map_image_correlation
from helpers.activations.four_vs_nine import clear_examples, mean_pairwise_distance, varied_examples
from helpers.activations.plots import plot_grids_side_by_side
from helpers.exercise_check import self_check

QUICK = quick_mode()  # CI sets CI=true: fewer digits in the statistics below
model = load_reference_model()
(x_train, y_train), (x_test, y_test) = load_mnist()
print(f"quick mode: {QUICK}; test set: {x_test.shape}, labels {y_test.shape}")

# %% [markdown]
# ## 1 · The output of a named layer
#
# Keras lets us build a second model that shares the trained layers but stops at the layer we want to
# see. `layer_activations` does exactly that — once per model and layer; later calls reuse the
# sub-model — and standardizes the images first, as in training.

# %%
print(inspect.getsource(helpers.activations.layer_submodel))

# %% [markdown]
# The first test image of a 4 is our digit for this notebook. Here is what every layer outputs for it:

# %%
DIGIT = int(np.flatnonzero(y_test == 4)[0])
print(f"test image {DIGIT}, label {y_test[DIGIT]}")
for name in helpers.model_layer_names(model):
    acts = layer_activations(model, name, x_test[DIGIT])
    print(f"{name:11s} output shape {acts.shape[1:]}")

# %%
CONV_POOL = ["Conv2D_1", "Max_Pool_1", "Conv2D_2", "Max_Pool_2", "Conv2D_3"]
expected = {"Conv2D_1": (26, 26, 32), "Max_Pool_1": (13, 13, 32), "Conv2D_2": (11, 11, 64),
            "Max_Pool_2": (5, 5, 64), "Conv2D_3": (3, 3, 128), "Dense_1": (100,)}
for name, shape in expected.items():
    assert layer_activations(model, name, x_test[DIGIT]).shape[1:] == shape, name

# %% [markdown]
# ## 2 · From many maps to one picture
#
# `activation_grid` places the maps of one image side by side, 8 per row, in map order: map 0 top left,
# map 7 top right, map 8 starts the second row. How the cells are laid out follows from the shape of the
# activations alone: (h, w, n_maps) gives maps of h×w, a vector of n values (a dense layer) gives one
# small cell per node in a near-square block. The layout object also tells where each map sits, which
# the plots use to write map numbers into the cells.

# %%
for name in CONV_POOL + ["Dense_1"]:
    acts = layer_activations(model, name, x_test[DIGIT])
    layout = grid_layout(acts.shape)
    print(f"{name:11s} {layout.n_maps:4d} {layout.kind} of {layout.cell_shape[0]}×{layout.cell_shape[1]} "
          f"→ {layout.n_rows} rows × {layout.n_cols} columns → grid {activation_grid(acts).shape}")
layout3 = grid_layout((3, 3, 128))
print("map 9 of Conv2D_3 starts at grid pixel (row, column) =", layout3.cell_origin(9))

# %% [markdown]
# ## 3 · The digit through all convolutional and pooling layers
#
# One figure per layer: the digit on the left, all maps of the layer on the right, on the layer's own
# colour scale (ReLU outputs are ≥ 0; dark means "this map does not respond here").

# %%
for name in CONV_POOL:
    fig = plot_digit_and_grid(model, name, x_test, DIGIT, labels=y_test)
    plt.show()

# %% [markdown]
# Watch two things from layer to layer:
#
# - **Resolution falls**: 26×26 → 13×13 (pooling halves it) → 11×11 → 5×5 → 3×3.
# - **Lines dissolve**: many Conv2D_1 maps are the digit again, with some strokes emphasized (edges of one
#   direction, the inner or outer side of a line). In Conv2D_2 only parts of strokes remain, and the
#   3×3 maps of Conv2D_3 show no strokes at all — just a few active positions.
#
# The second point can be measured: enlarge each map to 28×28 and compute its correlation with the
# digit. For every digit we keep the map that resembles it most; the median of that best correlation
# over many test digits falls layer by layer.

# %%
n_digits = 100 if QUICK else 1000
sample = x_test[:n_digits]
best_match = {}
for name in CONV_POOL:
    corr = map_image_correlation(layer_activations(model, name, sample), sample)  # (n_digits, n_maps)
    best_match[name] = float(np.median(corr.max(axis=1)))
    print(f"{name:11s} median correlation of the best-matching map with the digit: {best_match[name]:.2f}")

fig, ax = plt.subplots(figsize=(6, 3))
ax.plot(CONV_POOL, [best_match[n] for n in CONV_POOL], "o-")
ax.set_ylim(0, 1)
ax.set_ylabel("median best correlation")
ax.set_title(f"How much of the digit a layer's maps still show ({n_digits} test digits)")
plt.show()

# %%
assert best_match["Conv2D_1"] > 0.6, "Conv2D_1 maps should still look like the digit"
assert best_match["Conv2D_1"] > best_match["Conv2D_2"] > best_match["Conv2D_3"], "resemblance should fall with depth"

# %% [markdown]
# ## 4 · Making weak maps visible
#
# On one colour scale a few strong maps hide all others. Article IV therefore standardizes each map on its
# own (mean 0, standard deviation 1) and clips it at ±2 standard deviations. Now every map uses the full
# colour range — good for seeing *where* a map responds, but the brightness no longer says *how strongly*
# (a map with weak, noisy output looks as busy as a strong one). Maps that are constant stay flat.

# %%
fig = plot_digit_and_grid(model, "Conv2D_2", x_test, DIGIT, labels=y_test, standardize=True)
plt.show()

# %% [markdown]
# ## 5 · Three different 4s at the last convolutional layer (article V)
#
# Three 4s written in different ways. The 4s the model is surest about all look alike (clean and
# upright), so `varied_examples` takes the 200 surest 4s, starts with the surest one and adds each time
# the 4 farthest (in pixel distance) from those already chosen: all three are clear 4s to the model, but
# drawn differently. Their Conv2D_3 grids share one colour scale, so that equal colours mean equal
# activations. The red frames mark maps that respond strongly to all three: among the 16 strongest maps
# of each 4, those that all three share.

# %%
probs = predict_proba(model, x_test)
fours = varied_examples(x_test, probs, y_test, 4, n=3, pool=200)
surest = clear_examples(probs, y_test, 4, n=3)
print(f"mean pixel distance between the three: {mean_pairwise_distance(x_test, fours):.1f} "
      f"(the three surest 4s: {mean_pairwise_distance(x_test, surest):.1f})")
acts = layer_activations(model, "Conv2D_3", x_test[fours])          # (3, 3, 3, 128)
strength = acts.max(axis=(1, 2))                                     # (3, 128): strongest response per map
top16 = [set(np.argsort(-s)[:16]) for s in strength]
shared = sorted(int(k) for k in set.intersection(*top16))
print("three different clear 4s (test indices):", fours.tolist(), "| maps among the 16 strongest of all three:", shared)
fig = plot_grids_side_by_side(model, "Conv2D_3", x_test, fours, labels=y_test, highlight=shared, show_indices=True,
                              titles=[f"P(4) = {probs[i, 4]:.4f}" for i in fours])
plt.show()

# %%
assert np.all(y_test[fours] == 4) and np.all(probs[fours].argmax(axis=1) == 4)
assert mean_pairwise_distance(x_test, fours) > mean_pairwise_distance(x_test, surest), "they should differ more"
assert len(shared) >= 2, "three clear 4s should share some of their strongest Conv2D_3 maps"

# %% [markdown]
# The three grids share a handful of strongly responding maps — points that, in article V, looked like
# the "4-ness" of the digits. Whether such points are enough to tell a 4 from a 9 is the question of
# notebook 05.
#
# ## 6 · Explore
#
# Pick any test image and any layer. The status line shows what the model predicts; tick the box for
# per-map standardization.

# %%
# NBVAL_IGNORE_OUTPUT
explorer = activation_explorer(model, x_test, y_test, index=DIGIT, layer="Conv2D_1")
explorer

# %% [markdown]
# The widget is plain Python underneath: setting its values recomputes the grid.

# %%
explorer.index.value = int(fours[1])
explorer.layer.value = "Max_Pool_2"
assert explorer.grid.shape == (8 * 5, 8 * 5)
explorer.layer.value = "Dense_1"
assert explorer.grid.shape == (10, 10)
print(explorer.status_text)

# %% [markdown]
# ## 7 · Draw your own digit
#
# MNIST's digits were scanned handwriting made uniform in two steps: the ink's bounding box was scaled into
# 20×20 pixels keeping its shape (anti-aliased, hence the grey edges), then shifted so that its centre of mass
# sits at the middle of the 28×28 field. `to_mnist_digit` does the same to a drawing. A check first: our digit,
# drawn ten times larger off-centre on an empty pad, comes back.

# %%
from helpers.activations.drawing import digit_on_pad, to_mnist_digit
from helpers.activations.pad_explorers import drawing_explorer

on_pad = digit_on_pad(x_test[DIGIT], scale=10, origin=(60, 20))
back = to_mnist_digit(on_pad)
similarity = np.corrcoef(back.ravel(), x_test[DIGIT].ravel())[0, 1]
p_back = predict_proba(model, back[None])[0]
print(f"test image {DIGIT} on a {on_pad.shape[0]}×{on_pad.shape[1]} pad and back: correlation with the original "
      f"{similarity:.3f}; the model says {p_back.argmax()} (P = {p_back.max():.3f}), as before: {probs[DIGIT].argmax()}")
assert similarity > 0.9 and p_back.argmax() == probs[DIGIT].argmax()

# %% [markdown]
# Now yours: draw with the mouse or a finger, a digit as tall as the dashed box. After every stroke the figure
# shows what the CNN gets, its ten probabilities and the maps of the layer in the menu. The pad starts with a
# 4 drawn by code; **Clear** wipes it. Try a 7 with and without its bar, or a 4 closed at the top.

# %%
# NBVAL_IGNORE_OUTPUT
pad = drawing_explorer(model, layer="Conv2D_1")
pad

# %% [markdown]
# ## What you should have seen
#
# - Every layer's output can be read with a sub-model that ends at that layer; its maps fit into one grid
#   of 8 maps per row (a dense layer: a 10×10 block for 100 nodes).
# - From Conv2D_1 to Conv2D_3 the maps shrink from 26×26 to 3×3. The first layer's maps still show the
#   digit; from layer to layer the resemblance falls (the median best correlation in section 3), and at
#   Conv2D_3 no strokes remain, only a few active positions per map.
# - Per-map standardization makes weak maps visible at the price of hiding how strong they are.
# - Different 4s share some strongly responding Conv2D_3 maps.
# - A drawing becomes MNIST input as MNIST's digits were made: scaled into 20×20, centred by its mass.
#
# ## Exercise · which pixels does a Conv2D_3 cell see?
#
# A bright cell in a 3×3 map of Conv2D_3 (section 5) says "my pattern is here" — but where is "here" in
# the 28×28 digit? Walk back through the layers: a cell of a 3×3 convolution ('valid', stride 1) depends on
# three neighbouring cells of the layer below it, and a cell of a 2×2 max pooling (stride 2) on two — which
# two? Write `input_window(row, col)`: the input rows and columns that the cell (`row`, `col`) of any
# Conv2D_3 map depends on, as two `range`s (stop excluded, as in `range`). Then run the check: it measures
# the window with a gradient and shows where the strongest cell of a map shared by the three 4s of section
# 5 looks.

# %%
def input_window(row, col):
    """(rows, cols): the ranges of input pixels that cell (row, col) of a Conv2D_3 map depends on."""
    # Your code here
    raise NotImplementedError("input_window is not written yet")


# %%
# self-check: the gradient of a Conv2D_3 cell (all 128 maps) with respect to the input, summed over random
# images, is non-zero exactly on the pixels the cell depends on
import tensorflow as tf


def show(window):
    return f"rows {window[0].start}–{window[0].stop - 1}, columns {window[1].start}–{window[1].stop - 1}"


with self_check():
    conv3 = helpers.activations.layer_submodel(model, "Conv2D_3")
    noise = tf.constant(np.random.default_rng(0).normal(size=(16, 28, 28, 1)), tf.float32)
    for row, col in [(0, 0), (1, 2), (2, 0)]:
        with tf.GradientTape() as tape:
            tape.watch(noise)
            cell = tf.reduce_sum(conv3(noise)[:, row, col, :])
        reached = np.abs(tape.gradient(cell, noise).numpy()).sum(axis=(0, 3)) > 0          # (28, 28)
        rows, cols = np.flatnonzero(reached.any(axis=1)), np.flatnonzero(reached.any(axis=0))
        measured = (range(rows[0], rows[-1] + 1), range(cols[0], cols[-1] + 1))
        mine = tuple(input_window(row, col))
        assert len(mine) == 2 and all(isinstance(r, range) for r in mine), \
            "return two ranges: (range(first row, last row + 1), range(first column, last column + 1))"
        assert mine[::-1] != measured or row == col, \
            f"cell ({row}, {col}): rows and columns are swapped — the first index of a map is its row"
        assert len(mine[0]) == len(measured[0]), \
            (f"cell ({row}, {col}) sees {len(measured[0])} rows, your window has {len(mine[0])}: a conv cell adds the "
             "two cells after its first one, a pooling cell covers cells 2i and 2i + 1 (and a range's stop is excluded)")
        assert mine == measured, (f"cell ({row}, {col}) sees {show(measured)}, your window is {show(mine)}: "
                                  "each pooling doubles the distance between neighbouring cells")
    acts = layer_activations(model, "Conv2D_3", x_test[fours])[0, ..., shared[0]]
    r, c = np.unravel_index(np.argmax(acts), acts.shape)
    print(f"the strongest cell of map {shared[0]} for test image {fours[0]} is ({r}, {c}); "
          f"it looks at {show(input_window(r, c))} of the 28×28 digit")
print("your windows are right")
