# %% [markdown]
# # 02 · Building the CNN and a first training run
#
# This notebook follows **article II**: the course's CNN is put together with Keras, we read its summary
# line by line, train it briefly with the RMSprop optimizer and look at what it gets right and wrong.
#
# You will learn
# - the layer plan Conv2D_1 → Max_Pool_1 → Conv2D_2 → Max_Pool_2 → Conv2D_3 → Flatten → Dense_1 (100)
#   → Dense_2 (10) → Softmax, and where each of its 208,982 parameters comes from;
# - how to train it on MNIST and measure its accuracy on the 10,000 test images it never saw;
# - how to read class probabilities and a confusion matrix, and which digits get mixed up.
#
# **Run time.** By default (full mode) the network trains for the configured 5 epochs on 55,000 images,
# a few minutes on a laptop CPU. In quick mode (`CI=true`, or `COURSE_QUICK=1`) it trains 1 epoch on
# 30,000 images — enough to see everything, with a slightly lower accuracy.

# %%
# %matplotlib inline
import dataclasses
import inspect
import time

import matplotlib.pyplot as plt
import numpy as np

import helpers
from helpers import (FIRST_TEST_CONFIG, build_cnn, evaluate_accuracy, load_mnist, predict_proba, quick_mode,
                     split_train_validation, to_model_input, train_cnn)
from helpers.cnn.basics import plot_maps
from helpers.cnn.evaluation import most_confused_pairs, plot_confusion_matrix, plot_predictions
from helpers.cnn.training import confusion_matrix
from helpers.exercise_check import self_check

QUICK = quick_mode()
print("quick mode" if QUICK else "full mode")

# %% [markdown]
# ## 1 · The network
#
# `helpers.build_cnn` builds the network with Keras' functional API. Three 3×3 convolutions with 32,
# 64 and 128 kernels (each followed by ReLU) are interleaved with two 2×2 max-pooling layers; the last
# maps are flattened into one long vector that a small multilayer perceptron (100 nodes, then 10)
# turns into one score per digit. The final softmax turns the 10 scores into probabilities; it is a
# layer of its own so that the raw scores of Dense_2 stay accessible for later notebooks.

# %%
print(inspect.getsource(helpers.build_cnn))

# %%
model = build_cnn(seed=FIRST_TEST_CONFIG.seed)
model.summary()

# %% [markdown]
# ### Reading the summary, line by line
#
# The first entry of every output shape is `None`: the number of images in a batch, left open.
#
# | layer | output shape | parameters | where the number comes from |
# |---|---|---|---|
# | image (input) | 28×28×1 | 0 | one gray channel |
# | Conv2D_1 | 26×26×32 | 320 | 32 kernels of 3·3·1 weights + 32 biases = 288 + 32 |
# | Max_Pool_1 | 13×13×32 | 0 | pooling only picks maxima, nothing to learn |
# | Conv2D_2 | 11×11×64 | 18,496 | 64 kernels, each 3·3 over all **32** input maps: 3·3·32·64 + 64 |
# | Max_Pool_2 | 5×5×64 | 0 | 11 is odd: the last row and column are dropped |
# | Conv2D_3 | 3×3×128 | 73,856 | 3·3·64·128 + 128 |
# | Flatten | 1152 | 0 | 3·3·128 values in one row |
# | Dense_1 | 100 | 115,300 | a weight from each of the 1152 values to each of the 100 nodes + 100 biases |
# | Dense_2 | 10 | 1,010 | 100·10 + 10: one score per digit |
# | Softmax | 10 | 0 | scores → probabilities that sum to 1 |
#
# Note that a kernel of Conv2D_2 is not 3×3 but 3×3×32: it reads the same 3×3 spot in all 32 maps of
# the layer before and adds everything up. That is how the second layer combines the simple patterns
# found by the first one. The code below recomputes every count from these formulas and compares it
# with Keras.

# %%
def expected_params(layer):
    """Parameters of a Conv2D or Dense layer from its shapes: weights + one bias per output."""
    if layer.name.startswith("Conv2D"):
        kh, kw = layer.kernel_size
        n_in, n_out = layer.input.shape[-1], layer.filters
        return kh * kw * n_in * n_out + n_out, f"{kh}·{kw}·{n_in}·{n_out} + {n_out}"
    if layer.name.startswith("Dense"):
        n_in, n_out = layer.input.shape[-1], layer.units
        return n_in * n_out + n_out, f"{n_in}·{n_out} + {n_out}"
    return 0, "-"


for layer in model.layers[1:]:
    n, formula = expected_params(layer)
    print(f"{layer.name:<11} {str(tuple(layer.output.shape[1:])):<15} {formula:<22} = {n:>7,}")
    assert layer.count_params() == n, layer.name
print(f"{'total':<11} {'':<15} {'':<22} = {model.count_params():>7,}")

# %%
LAYER_NAMES = ["Conv2D_1", "Max_Pool_1", "Conv2D_2", "Max_Pool_2", "Conv2D_3", "Flatten", "Dense_1", "Dense_2",
               "Softmax"]
assert [layer.name for layer in model.layers[1:]] == LAYER_NAMES
assert model.count_params() == 208_982
assert [tuple(model.get_layer(n).output.shape[1:]) for n in LAYER_NAMES[:5]] == [
    (26, 26, 32), (13, 13, 32), (11, 11, 64), (5, 5, 64), (3, 3, 128)]

# %% [markdown]
# ## 2 · Data: training, validation and test images
#
# The 60,000 training images are shuffled once (with a fixed seed) and 5,000 of them are set aside as
# a **validation** set: the network never trains on them, so their accuracy after each epoch tells us
# whether it learns something general. The 10,000 **test** images are only used at the very end.
#
# Before an image enters the CNN it is *standardized*: shifted and scaled so that its pixels have mean 0
# and standard deviation 1 (`helpers.to_model_input`). The image looks the same; only the numbers change.

# %%
(x_train, y_train), (x_test, y_test) = load_mnist()
config = dataclasses.replace(FIRST_TEST_CONFIG, epochs=1) if QUICK else FIRST_TEST_CONFIG
MAX_TRAIN_IMAGES = 30_000 if QUICK else None
splits = split_train_validation(x_train, y_train, config.n_validation, seed=config.seed)
n_used = len(splits["x_train"]) if MAX_TRAIN_IMAGES is None else min(MAX_TRAIN_IMAGES, len(splits["x_train"]))
print(f"training on {n_used:,} of {len(splits['x_train']):,} training images, validating on {len(splits['x_val']):,}, "
      f"testing on {len(x_test):,}")
print(config)

standardized = to_model_input(x_test[:1])[0, :, :, 0]
assert abs(standardized.mean()) < 1e-5 and abs(standardized.std() - 1) < 1e-4
fig = plot_maps([x_test[0], standardized], ["test image 0, raw (0..255)", "standardized (mean 0, std 1)"], size=3.5)

# %% [markdown]
# ## 3 · A first training run with RMSprop
#
# Training shows the network batches of 64 images, measures how wrong its probabilities are
# (categorical cross-entropy, the *loss*) and nudges all 208,982 parameters to make the loss smaller.
# RMSprop is a gradient-descent variant that divides each parameter's gradient by the root mean square
# of its recent gradients (a running average), so every parameter moves by steps of a similar size. One **epoch** is one pass over all training images. The curves are redrawn
# after every epoch (in quick mode there is just one point per curve).

# %%
start = time.perf_counter()
result = train_cnn(model, splits, config, live=None, max_train_images=MAX_TRAIN_IMAGES)
train_seconds = time.perf_counter() - start
print(f"{len(result.epoch_seconds)} epoch(s) in {train_seconds:.0f} s; "
      f"validation accuracy after the last epoch: {result.history['val_accuracy'][-1]:.4f}")

# %%
test_accuracy = evaluate_accuracy(model, x_test, y_test)
print(f"test accuracy: {test_accuracy:.2%}  ({round((1 - test_accuracy) * len(y_test))} of {len(y_test):,} test images wrong)")
assert test_accuracy >= (0.97 if QUICK else 0.985)

# %% [markdown]
# ## 4 · What the network answers
#
# For every image the network outputs 10 probabilities; the largest one is its answer. Below: the first
# eight test images, then the eight mistakes the network made with the highest confidence. Many of
# those are digits a human would hesitate about too.

# %%
proba = predict_proba(model, x_test)
predicted = proba.argmax(axis=1)
assert proba.shape == (10_000, 10) and np.allclose(proba.sum(axis=1), 1, atol=1e-4)
fig = plot_predictions(x_test[:8], proba[:8], y_test[:8], title="The first eight test images and their class probabilities")

# %%
wrong = np.flatnonzero(predicted != y_test)
most_confident_mistakes = wrong[np.argsort(-proba[wrong].max(axis=1))][:8]
print("test images:", most_confident_mistakes.tolist())
fig = plot_predictions(x_test[most_confident_mistakes], proba[most_confident_mistakes], y_test[most_confident_mistakes],
                       title="The most confident mistakes (red: the wrong answer)")

# %% [markdown]
# ## 5 · The confusion matrix
#
# Row i, column j counts the test images of digit i that the network called j. The diagonal holds the
# correct answers; every number off the diagonal is a kind of mistake. The colour scale is logarithmic
# so that single mistakes are visible next to the ~1,000 correct answers per digit.

# %%
cm = confusion_matrix(y_test, predicted)
assert cm.sum() == len(y_test) and np.trace(cm) == int(np.sum(predicted == y_test))
fig = plot_confusion_matrix(cm, title=f"Confusion matrix on the test set (accuracy {test_accuracy:.2%})")

# %%
print("The most frequent confusions:")
top_pairs = most_confused_pairs(cm, top=5)
for true_digit, predicted_digit, count in top_pairs:
    print(f"  a {true_digit} taken for a {predicted_digit}: {count} times")
print("4 and 9 among them:", any({t, p} == {4, 9} for t, p, _ in top_pairs))

# %% [markdown]
# Read the pairs above as shapes: most of them are digits that share strokes, so that one stroke more or
# less, or a gap, turns one into the other — a 4 whose top closes looks like a 9, a 3 with a straight
# upper stroke like a 5. Which pairs make the list changes from run to run; 4 and 9 is one of the most
# common, and notebook 05 looks inside the network at exactly that pair.
#
# ## What you should have seen
#
# - `model.summary()` listed the nine layers with output shapes 26×26×32 … 3×3×128, 1152, 100, 10, 10
#   and 208,982 parameters; each count follows from kernel size × input maps × kernels + biases.
# - More than half of the parameters sit in Dense_1, the link between the last maps and the classifier.
# - Even a short RMSprop training reached about 98 % test accuracy (quick mode) or about 99 % (full mode).
# - The network is usually very sure of its answers; its mistakes concentrate on a few pairs of
#   similar-looking digits.
#
# ## Exercise
#
# From the confusion matrix alone, compute the accuracy for each digit separately: the fraction of the
# test images of digit d that were classified as d. Write `my_per_class_accuracy(cm)`, name the digit
# with the lowest accuracy in `my_hardest_digit`, then run the check below.

# %%
def my_per_class_accuracy(cm):
    """The 10 accuracies, one per digit, from the confusion matrix ``cm`` (rows: true digit, columns: predicted)."""
    # solution
    return np.diag(cm) / cm.sum(axis=1)


# solution
my_hardest_digit = int(np.argmin(my_per_class_accuracy(cm)))

# %%
# self-check: compare with the predictions directly, digit by digit
with self_check(my_hardest_digit=my_hardest_digit):
    per_class = my_per_class_accuracy(cm)
    for d in range(10):
        direct = np.mean(predicted[y_test == d] == d)
        assert np.isclose(per_class[d], direct), f"digit {d}: {per_class[d]:.4f} should be {direct:.4f}"
    assert my_hardest_digit == int(np.argmin(per_class)), \
        f"digit {my_hardest_digit} is not the one with the lowest accuracy"
print("per-digit accuracy:", {d: f"{a:.2%}" for d, a in enumerate(per_class)}, f"→ hardest digit: {my_hardest_digit}")
