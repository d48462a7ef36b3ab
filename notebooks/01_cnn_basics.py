# %% [markdown]
# # 01 · CNN basics: convolution, stride, padding, pooling and receptive fields
#
# This notebook follows **article I** of the series: the ideas a convolutional network is built from,
# tried out on a real handwritten digit from MNIST.
#
# You will learn
# - what a convolution with a small 3×3 *kernel* does to an image, and what the result (a *map*) is;
# - how **stride** and **padding** ("valid" vs "same") decide the size of a map, with the formula;
# - what **2×2 max pooling** keeps and what it throws away;
# - how the **receptive field** of one value grows through the layers of the course's CNN
#   (26×26×32 → 13×13×32 → 11×11×64 → 5×5×64 → 3×3×128);
# - why a CNN needs far fewer weights than a fully connected network would need for the same maps.
#
# All computations live in `helpers.cnn.basics` (plain NumPy, checked against Keras in the tests); the
# notebook calls them and shows what they produce.

# %%
# %matplotlib inline
import inspect

import keras
import matplotlib.pyplot as plt
import numpy as np

from helpers import build_cnn, load_mnist
from helpers.cnn.basics import (EXAMPLE_KERNELS, conv_output_size, convolve, max_pool, mlp_param_count,
                            params_per_layer, plot_maps, plot_receptive_fields, receptive_fields)
from helpers.exercise_check import self_check

# %% [markdown]
# ## 1 · A digit is a 28×28 array of numbers
#
# `load_mnist()` returns the 60,000 training and 10,000 test images as 8-bit gray values (0 = black
# background, 255 = full ink). For the hand calculations below we scale one image to the range 0..1.

# %%
(x_train, y_train), (x_test, y_test) = load_mnist()
print("training images:", x_train.shape, x_train.dtype, " test images:", x_test.shape)

DIGIT_INDEX = 0
digit = x_train[DIGIT_INDEX].astype(np.float32) / 255.0
print(f"training image {DIGIT_INDEX} shows a {y_train[DIGIT_INDEX]}; values from {digit.min()} to {digit.max()}")

fig = plot_maps([digit], [f"training image {DIGIT_INDEX}: a {y_train[DIGIT_INDEX]}"], size=4.5)

# %% [markdown]
# ## 2 · Convolution with a 3×3 kernel
#
# A kernel is a small grid of weights. We lay it on a 3×3 patch of the image, multiply each weight
# with the pixel under it, and add the nine products: one number. Then the kernel moves one pixel to
# the right (or down) and we repeat, until every position where the kernel fits has been visited.
# The grid of all these numbers is a new image — a **map** (also called *feature map* or *channel*).
#
# CNN libraries do **not** flip the kernel before sliding it (mathematicians would call this a
# cross-correlation); `helpers.cnn.basics.convolve` does the same as Keras' `Conv2D`:

# %%
print(inspect.getsource(convolve))

# %% [markdown]
# One value by hand: the patch whose top-left corner is at row 10, column 12, times the
# "vertical edges" kernel, summed up — and the same value read from the map `convolve` computes.

# %%
row, col = 10, 12
kernel = EXAMPLE_KERNELS["vertical edges"]
patch = digit[row:row + 3, col:col + 3]
by_hand = float(np.sum(patch * kernel))
vertical_map = convolve(digit, kernel)
print("patch:\n", patch.round(2), "\nkernel:\n", kernel, f"\nsum of products = {by_hand:.3f}")
print(f"map value at ({row}, {col}) = {vertical_map[row, col]:.3f}; map shape {vertical_map.shape}")
assert np.isclose(vertical_map[row, col], by_hand, atol=1e-5)

# %% [markdown]
# ### Four hand-made kernels on the digit
#
# Top row: the kernels (red = positive weight, blue = negative). Bottom row: the maps they produce,
# on a colour scale centred on 0. An edge kernel answers strongly (red or blue) only where the ink
# changes in its direction; *blur* averages the neighbourhood; *sharpen* exaggerates local contrast.

# %%
names = list(EXAMPLE_KERNELS)
maps = {name: convolve(digit, k) for name, k in EXAMPLE_KERNELS.items()}
fig = plot_maps([EXAMPLE_KERNELS[n] for n in names] + [maps[n] for n in names],
                [f"kernel: {n}" for n in names] + [f"map: {n} {maps[n].shape[0]}×{maps[n].shape[1]}" for n in names],
                ncols=4, cmap="RdBu_r", symmetric=True,
                suptitle=f"3×3 kernels (top) and their maps of training image {DIGIT_INDEX} (bottom)")

# %% [markdown]
# ### A Keras `Conv2D` layer with these four kernels gives four maps
#
# A convolutional layer is exactly this, done with many kernels at once, plus one bias number per
# kernel and an activation function. Below we put our four kernels into a `Conv2D` layer (no bias) and
# check that its output holds the same four maps. Its output shape `(1, 26, 26, 4)` reads: one image,
# 26×26 positions, **4 maps**. The article's first layer has 32 kernels, so it produces 26×26×32 —
# 32 maps, each one showing where its kernel's pattern occurs in the digit. The kernels of a trained
# CNN are not hand-made: training chooses them.

# %%
conv_layer = keras.layers.Conv2D(len(names), (3, 3), use_bias=False)
conv_layer.build((None, 28, 28, 1))
conv_layer.set_weights([np.stack([EXAMPLE_KERNELS[n] for n in names], axis=-1)[:, :, None, :]])
layer_output = keras.ops.convert_to_numpy(conv_layer(digit[None, :, :, None]))
print("Conv2D output shape:", layer_output.shape)
assert layer_output.shape == (1, 26, 26, 4)
for i, n in enumerate(names):
    assert np.allclose(layer_output[0, :, :, i], maps[n], atol=1e-5), n
print("Keras' Conv2D and helpers.cnn.basics.convolve agree on all four maps.")

# %% [markdown]
# ## 3 · Stride and padding decide the size of a map
#
# - **valid** padding: the kernel must lie completely inside the image. A k×k kernel fits at n − k + 1
#   positions per row, so 28 pixels become 26.
# - **same** padding: a border of zeros is added so that the kernel may hang over the edge; with
#   stride 1 the map keeps the image size (28 → 28).
# - **stride** s: the kernel jumps s pixels instead of one, so only every s-th position is computed.
#
# Together, per side: valid → ⌊(n − k) / s⌋ + 1, same → ⌈n / s⌉. We compute the four combinations
# three ways — the formula, our NumPy convolution, and Keras — and they must agree.

# %%
kernel = EXAMPLE_KERNELS["horizontal edges"]
variants = [("valid", 1), ("same", 1), ("valid", 2), ("same", 2)]
variant_maps = []
print(f"{'padding':>8} {'stride':>6} {'formula':>8} {'NumPy':>10} {'Keras':>14}")
for padding, stride in variants:
    by_formula = conv_output_size(28, 3, stride, padding)
    ours = convolve(digit, kernel, stride=stride, padding=padding)
    keras_shape = tuple(keras.ops.conv(digit[None, :, :, None], kernel[:, :, None, None], strides=stride,
                                       padding=padding).shape)
    print(f"{padding:>8} {stride:>6} {by_formula:>8} {str(ours.shape):>10} {str(keras_shape):>14}")
    assert ours.shape == (by_formula, by_formula) and keras_shape == (1, by_formula, by_formula, 1)
    variant_maps.append(ours)

fig = plot_maps(variant_maps, [f"{p}, stride {s} → {m.shape[0]}×{m.shape[1]}" for (p, s), m in zip(variants, variant_maps)],
                cmap="RdBu_r", symmetric=True, suptitle="The 'horizontal edges' map with four stride/padding settings")

# %% [markdown]
# With stride 2 the map is coarser (14×14 or 13×13): the same strokes are there, but drawn with a
# quarter of the values. "same" padding adds a frame of zeros so that the kernel can also be centred on
# the border pixels; MNIST digits have an empty border, so the extra rows and columns are 0 here.
# The article's CNN uses "valid" padding and stride 1 in all its convolutions, and lets pooling do the
# shrinking.
#
# ## 4 · 2×2 max pooling
#
# Pooling cuts a map into 2×2 blocks and keeps only the largest value of each block. The map gets half
# as wide and half as high; what survives is *whether* (and how strongly) a pattern occurred somewhere
# in each block, not exactly where. A small example first:

# %%
small = np.array([[1, 2, 0, 0],
                  [3, 4, 0, 9],
                  [5, 0, 1, 1],
                  [0, 0, 1, 2]])
print("map:\n", small, "\nafter 2×2 max pooling:\n", max_pool(small))
assert max_pool(small).tolist() == [[4, 9], [5, 2]]

# %% [markdown]
# Now on a real map. A `Conv2D` layer of the CNN applies the ReLU activation (negative values → 0)
# before pooling, so we pool the ReLU of the "vertical edges" map: 26×26 → 13×13.

# %%
relu_map = np.maximum(maps["vertical edges"], 0)
pooled = max_pool(relu_map)
keras_pooled = keras.ops.convert_to_numpy(keras.layers.MaxPooling2D((2, 2))(relu_map[None, :, :, None]))[0, :, :, 0]
assert pooled.shape == (13, 13) and np.array_equal(pooled, keras_pooled)
fig = plot_maps([relu_map, pooled], [f"ReLU(vertical edges) {relu_map.shape[0]}×{relu_map.shape[1]}",
                                      f"after 2×2 max pooling {pooled.shape[0]}×{pooled.shape[1]}"],
                cmap="magma", size=4, suptitle="Max pooling keeps the strongest response of every 2×2 block")

# %% [markdown]
# ## 5 · Receptive fields: how much of the digit one value sees
#
# A value of the first conv layer depends on a 3×3 patch of the image — its **receptive field**.
# A value of the next layer combines 3×3 values of the layer before, which together cover a larger
# patch, and so on. Pooling doubles the distance (the *jump*) between neighbouring values, so every
# later 3×3 kernel spans twice as many input pixels. `helpers.cnn.basics.receptive_fields` walks through the
# layers of the course's CNN and applies two rules per layer: field += (k − 1) · jump, jump *= stride.

# %%
model = build_cnn()
geometries = receptive_fields(model)
print(f"{'layer':<11} {'output':>13} {'kernel':>6} {'stride':>6} {'jump':>5} {'receptive field':>16}")
for g in geometries:
    print(f"{g.name:<11} {'×'.join(map(str, g.output_shape)):>13} {g.kernel_size:>6} {g.stride:>6} {g.jump:>5} "
          f"{g.receptive_field:>10} × {g.receptive_field}")

assert [g.output_shape for g in geometries] == [(26, 26, 32), (13, 13, 32), (11, 11, 64), (5, 5, 64), (3, 3, 128)]
assert [g.receptive_field for g in geometries] == [3, 4, 8, 10, 18]

# %% [markdown]
# The squares below are the receptive fields of the value closest to the centre in each layer, drawn
# on the digit. A value of Conv2D_3 sees an 18×18 patch — most of the digit — while a Conv2D_1 value
# sees a tiny piece of one stroke. Together, the 3×3 values of Conv2D_3 see almost the whole image, but
# not all of it: their patches start every `jump` pixels, and the last one ends short of the border,
# because Max_Pool_2 drops the last row and column of Conv2D_2's odd-sized 11×11 maps. Pixels beyond it
# never reach Conv2D_3 (their gradient is exactly 0):

# %%
last = geometries[-1]
reach = (last.output_shape[0] - 1) * last.jump + last.receptive_field   # first patch at 0, one every `jump`
print(f"Conv2D_3's patches cover input rows and columns 0–{reach - 1} of 0–27")
assert reach == 26

# %%
fig = plot_receptive_fields(digit, geometries,
                            title=f"Receptive fields on training image {DIGIT_INDEX} (value nearest the centre)")

# %%
fig, ax = plt.subplots(figsize=(7, 3.6), constrained_layout=True)
layer_names = [g.name for g in geometries]
ax.plot(layer_names, [g.output_shape[0] for g in geometries], "o-", label="map side length (values)")
ax.plot(layer_names, [g.receptive_field for g in geometries], "s-", label="receptive field side (input pixels)")
ax.axhline(28, color="gray", ls=":", label="image side (28 pixels)")
ax.set_ylabel("pixels / values")
ax.set_title("Deeper layers: smaller maps, each value sees more of the digit")
ax.set_ylim(0, 30)
ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.1), ncol=3, fontsize=9)
ax.grid(alpha=0.3)

# %% [markdown]
# ## 6 · Why convolution needs few weights
#
# A kernel is **shared**: the same 3×3 weights are used at every position of the image. So Conv2D_1
# needs only 3·3·32 = 288 weights plus 32 biases to produce 26·26·32 = 21,632 output values. A fully
# connected (dense) layer producing the same number of outputs would need a weight from every one of
# the 784 pixels to every output.
#
# A plain *multilayer perceptron* (MLP) flattens the image into 784 numbers and uses dense layers only.
# Let us compare parameter counts (weights + biases); `mlp_param_count` is checked against Keras here.

# %%
cnn_layers = params_per_layer(model)
mlps = {"MLP 784→100→10": (784, 100, 10), "MLP 784→512→512→10": (784, 512, 512, 10)}
keras_mlp = keras.Sequential([keras.Input((784,)), keras.layers.Dense(100), keras.layers.Dense(10)])
assert mlp_param_count(mlps["MLP 784→100→10"]) == keras_mlp.count_params()

totals = {name: mlp_param_count(sizes) for name, sizes in mlps.items()}
totals["article CNN"] = model.count_params()
totals["one dense layer with\nConv2D_1's 21,632 outputs"] = mlp_param_count((784, 26 * 26 * 32))
for name, n in totals.items():
    print(f"{name.replace(chr(10), ' '):<50} {n:>12,}")
for name, n in cnn_layers.items():
    print(f"   CNN layer {name:<10} {n:>9,}")

assert sum(cnn_layers.values()) == model.count_params() == 208_982

# %%
fig, (left, right) = plt.subplots(1, 2, figsize=(12, 4.2), constrained_layout=True)
bars = left.bar(list(cnn_layers), list(cnn_layers.values()), color=["tab:blue"] * 3 + ["tab:orange"] * 2)
left.bar_label(bars, labels=[f"{v:,}" for v in cnn_layers.values()], fontsize=9)
left.set_ylabel("weights + biases")
left.set_title("The article CNN: parameters per layer\n(blue: convolution, orange: dense)")
bars = right.barh(list(totals), list(totals.values()), color=["tab:gray", "tab:gray", "tab:green", "tab:red"])
right.bar_label(bars, labels=[f" {v:,}" for v in totals.values()], fontsize=9)
right.set_xscale("log")
right.set_xlim(1e4, 2e8)
right.set_xlabel("weights + biases (log scale)")
right.set_title("Total parameters")
right.invert_yaxis()

# %% [markdown]
# What the numbers say:
# - The three conv layers together hold 92,672 parameters; more than half of the CNN's 208,982 sit in
#   the dense layer Dense_1 (1152 · 100 + 100 = 115,300), which reads the 3×3×128 maps of Conv2D_3.
# - A small MLP has *fewer* parameters than the CNN, and a wider one more — but neither shares weights
#   across positions: an MLP must learn a stroke separately at every place it can appear. LeCun's MNIST
#   page lists two-layer MLPs with 300 to 1,000 hidden units (trained without distorted copies of the
#   images) at 95.3–98.4 % test accuracy; the CNN of this course reaches about 99.5 % (notebook 03).
# - Producing Conv2D_1's 21,632 values with a dense layer would take about 17 million parameters instead of 320.

# %% [markdown]
# ## What you should have seen
#
# - A 3×3 kernel slid over the digit gives a map that is large where the image looks like the kernel
#   (edges of a given direction) and near 0 elsewhere; a Conv2D layer with n kernels gives n maps.
# - "valid" padding shrinks 28 → 26 for a 3×3 kernel, "same" keeps 28; stride 2 halves the size.
#   The formula ⌊(n − k)/s⌋ + 1 (valid) or ⌈n/s⌉ (same) predicted every shape.
# - 2×2 max pooling halves each side (26 → 13) and keeps the strongest response of each block.
# - Through the CNN the maps shrink 26 → 13 → 11 → 5 → 3 while the receptive field grows
#   3 → 4 → 8 → 10 → 18 pixels: the deepest maps answer to large parts of the digit.
# - Weight sharing keeps the conv layers small; most parameters of the CNN are in its first dense layer.
#
# ## Exercises
#
# **Exercise 1.** Write `my_output_size(n, k, s, padding)` that returns the side length of a map for an
# n-pixel input, a k-wide kernel, stride s and padding "valid" or "same", then run the check below it.

# %%
def my_output_size(n, k, s, padding):
    """Side length of the map for an n-pixel input, a k-wide kernel, stride s and "valid" or "same" padding."""
    # solution
    if padding == "valid":
        return (n - k) // s + 1
    return -(-n // s)  # ceiling division


# %%
# self-check: your function must agree with helpers.cnn.basics.conv_output_size everywhere
with self_check():
    for n in range(5, 40):
        for k in (1, 2, 3, 5):
            for s in (1, 2, 3):
                for padding in ("valid", "same"):
                    expected = conv_output_size(n, k, s, padding)
                    mine = my_output_size(n, k, s, padding)
                    assert mine == expected, f"n={n}, k={k}, s={s}, {padding!r}: the side is {expected}, not {mine}"
print("my_output_size is correct.")

# %% [markdown]
# **Exercise 2.** Suppose a fourth 3×3 conv layer ("valid", stride 1) were added after Conv2D_3.
# What size would its output maps have, and how large would the receptive field of one of its values
# be? Work it out with the two rules from section 5, then put your numbers in the next cell.

# %%
# solution
my_map_side = 1
my_receptive_field = 26

# %%
# self-check: build that network and let helpers.cnn.basics.receptive_fields measure it
with self_check(my_map_side=my_map_side, my_receptive_field=my_receptive_field):
    extended = keras.Sequential([keras.Input((28, 28, 1))] + [layer for layer in model.layers[1:6]]
                                + [keras.layers.Conv2D(128, (3, 3), name="Conv2D_4")])
    last = receptive_fields(extended)[-1]
    assert last.name == "Conv2D_4"
    assert my_map_side == last.output_shape[0], f"the map side is {last.output_shape[0]}, not {my_map_side}"
    assert my_receptive_field == last.receptive_field, \
        f"{my_receptive_field} is not it: apply field += (k - 1) * jump with the jump of Conv2D_3"
print(f"Correct: Conv2D_4 maps are {my_map_side}×{my_map_side}, each value sees {my_receptive_field}×{my_receptive_field} pixels.")
