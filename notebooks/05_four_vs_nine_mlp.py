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
# # 05 · 4 or 9? Activation patterns and the role of the dense layers
#
# Badly written 4s and 9s are the pair a classifier of MNIST confuses most. Here we look at how our CNN
# tells them apart: first at the 128 maps of the last convolutional layer (Conv2D_3), as in notebook 04,
# then at the 100 nodes of the first dense layer (Dense_1), where the "MLP part" of the CNN starts.
#
# You will learn
# - how to find clear and ambiguous examples from the model's own confidence instead of hand-picked
#   image numbers,
# - which Conv2D_3 maps differ most between 4s and 9s — computed over all test 4s and 9s,
# - how the model's probabilities look for 4s that resemble a 9, and the reverse,
# - how to turn "the MLP sees patterns we do not see" into a number: a linear classifier (logistic
#   regression) separating 4s from 9s from Conv2D_3's values and from Dense_1's values,
# - which Dense_1 nodes separate the two digits best, shown on the 10×10 node grid.
#
# This follows article VI of the series ("classification by activation patterns and the role of the
# CNN's MLP part"). The image numbers in the article come from its own shuffled data split and its own
# training run; ours are found anew by the selection below, so they differ.

# %%
# %matplotlib inline
import inspect

import matplotlib.pyplot as plt
import numpy as np

import helpers
from helpers import layer_activations, load_mnist, load_reference_model, predict_proba, quick_mode
from helpers.activations import activations_of_layers
from helpers.activations.four_vs_nine import (ambiguous_examples, linear_separability, map_differences,
                                              node_separation, select_four_nine)
from helpers.activations.plots import draw_grid, plot_class_probabilities, plot_grid, plot_grids_side_by_side
from helpers.exercise_check import self_check

QUICK = quick_mode()  # CI sets CI=true: the linear classifiers are trained on fewer images
model = load_reference_model()
(x_train, y_train), (x_test, y_test) = load_mnist()
probs = predict_proba(model, x_test)              # (10000, 10) class probabilities of the reference model
print(f"quick mode: {QUICK}; test accuracy of the reference model: {np.mean(probs.argmax(1) == y_test):.4f}")

# %% [markdown]
# ## 1 · Clear and ambiguous digits, chosen by the model
#
# - A **clear 4** is a 4 the model is very sure of. Probabilities of such digits are often exactly 1.0
#   in 32-bit floats, so they are ranked by the log ratio of P(4) to the next most likely class.
# - An **ambiguous 4** is a true 4 to which the model gives a high probability of being a 9 — the model
#   may even get it wrong. The same for 9s the other way round.

# %%
print(inspect.getsource(helpers.activations.four_vs_nine.confidence_margin))

# %%
sel = select_four_nine(probs, y_test, n=3)
# 4s the model still gets right, but with the most doubt (the article's example had P(4) = 93.5 %)
doubtful_4 = ambiguous_examples(probs, y_test, 4, 9, n=3, correct_only=True)
for name, idx in [("clear 4s", sel.clear_4), ("clear 9s", sel.clear_9), ("4s most like a 9", sel.ambiguous_4),
                  ("9s most like a 4", sel.ambiguous_9), ("4s still right, most doubt", doubtful_4)]:
    rows = ", ".join(f"{i} (P(4)={probs[i, 4]:.3f}, P(9)={probs[i, 9]:.3f})" for i in idx)
    print(f"{name:27s} {rows}")

# %%
for idx, digit in [(sel.clear_4, 4), (sel.clear_9, 9), (sel.ambiguous_4, 4), (sel.ambiguous_9, 9), (doubtful_4, 4)]:
    assert np.all(y_test[idx] == digit), "the selection must return true 4s / 9s"
assert np.all(probs[sel.clear_4].argmax(1) == 4) and np.all(probs[sel.clear_9].argmax(1) == 9)
assert np.all(np.diff(probs[sel.ambiguous_4, 9]) <= 0), "most 9-like 4 first"
assert probs[sel.ambiguous_4[0], 9] == probs[y_test == 4, 9].max()
assert np.all(probs[doubtful_4].argmax(1) == 4)

# %% [markdown]
# ## 2 · Clear 4s and clear 9s at Conv2D_3
#
# Six grids on one colour scale: the three clear 4s first, then the three clear 9s. Look for maps that are
# bright in all 4s and dark in all 9s, or the reverse.

# %%
clear = np.concatenate([sel.clear_4, sel.clear_9])
fig = plot_grids_side_by_side(model, "Conv2D_3", x_test, clear, labels=y_test,
                              titles=["clear 4"] * 3 + ["clear 9"] * 3,
                              suptitle="Conv2D_3 maps of three clear 4s and three clear 9s (one colour scale)")
plt.show()

# %% [markdown]
# ## 3 · Which maps differ — over all test 4s and 9s, not by eye
#
# Eyeballing six digits is a weak basis. So we average the Conv2D_3 maps over *all* test 4s and over all
# test 9s and subtract: red cells respond more to 4s, blue cells more to 9s. The score of a map is the
# root mean square of this difference over its 3×3 positions; the 8 maps with the largest score are
# framed.

# %%
is49 = np.isin(y_test, [4, 9])
test_acts = activations_of_layers(model, ["Conv2D_3", "Dense_1"], x_test[is49])
y49 = y_test[is49]
diff = map_differences(test_acts["Conv2D_3"][y49 == 4], test_acts["Conv2D_3"][y49 == 9])
top_maps = diff.top(8)
print(f"{np.sum(y49 == 4)} test 4s, {np.sum(y49 == 9)} test 9s")
print("maps that differ most (map: score, mean activation in 4s / in 9s):")
for k in top_maps:
    print(f"  {k:3d}: {diff.score[k]:.2f}   {diff.mean_a[..., k].mean():.2f} / {diff.mean_b[..., k].mean():.2f}")
fig = plot_grid(diff.difference, symmetric=True, cmap="RdBu_r", highlight=top_maps, show_indices=True,
                highlight_color="black", colorbar_label="mean activation: 4s − 9s",
                title="Conv2D_3: average of all test 4s minus average of all test 9s")
plt.show()

# %%
assert len(top_maps) == 8 and np.all(np.diff(diff.score[top_maps]) <= 0)
assert diff.score[top_maps[0]] > 3 * np.median(diff.score), "a few maps should stand out clearly"

# %% [markdown]
# ## 4 · Ambiguous digits
#
# Now the 4s that look most like a 9 to the model. Their Conv2D_3 grids (top maps of section 3 framed),
# then the same digits at Dense_1, then the probabilities.

# %%
titles = [f"P(4)={probs[i, 4]:.3f}, P(9)={probs[i, 9]:.3f}" for i in sel.ambiguous_4]
fig = plot_grids_side_by_side(model, "Conv2D_3", x_test, sel.ambiguous_4, labels=y_test, highlight=top_maps,
                              titles=titles, suptitle="Conv2D_3 of the 4s most like a 9 (top differing maps framed)")
plt.show()
fig = plot_grids_side_by_side(model, "Dense_1", x_test, sel.ambiguous_4, labels=y_test, cmap="jet", titles=titles,
                              suptitle="Dense_1 (100 nodes as 10×10) of the 4s most like a 9")
plt.show()
fig = plot_class_probabilities(probs[sel.ambiguous_4], true_labels=y_test[sel.ambiguous_4], highlight_class=9,
                               titles=[f"test image {i} (a 4)" for i in sel.ambiguous_4])
plt.show()

# %% [markdown]
# These are the model's hardest 4s; some it gets wrong. How often does that happen on the whole test set?

# %%
pred = probs.argmax(1)
n_4_as_9, n_9_as_4 = int(np.sum((y_test == 4) & (pred == 9))), int(np.sum((y_test == 9) & (pred == 4)))
print(f"test 4s classified as 9: {n_4_as_9} of {np.sum(y_test == 4)}; test 9s classified as 4: {n_9_as_4} "
      f"of {np.sum(y_test == 9)}")

# %% [markdown]
# The reverse — 9s that look most like a 4 — and the 4s that the model still classifies correctly but with
# the most doubt, the kind of case article VI discusses (its "4" got P(4) = 93.5 %, P(9) = 6.2 %):

# %%
fig = plot_class_probabilities(probs[sel.ambiguous_9], true_labels=y_test[sel.ambiguous_9], highlight_class=4,
                               titles=[f"test image {i} (a 9)" for i in sel.ambiguous_9])
plt.show()
fig = plot_grids_side_by_side(model, "Dense_1", x_test, doubtful_4, labels=y_test, cmap="jet",
                              titles=[f"P(4)={probs[i, 4]:.3f}, P(9)={probs[i, 9]:.3f}" for i in doubtful_4],
                              suptitle="Dense_1 of 4s the model still gets right, with the most doubt")
plt.show()

# %% [markdown]
# ## 5 · The article's claim, measured
#
# Article VI argues: the points we can spot by eye on Conv2D_3 are not what decides; the dense layer
# combines *all* 1152 values of Conv2D_3 linearly (weights, then ReLU) and finds patterns a human does not
# see. We can test this with the simplest linear classifier, a **logistic regression**: train it to tell
# 4 from 9 using
#
# - the raw (standardized) pixels — the baseline without any CNN,
# - only the 8 Conv2D_3 maps that differ most (72 values — the "spot the points" approach, but with fitted
#   weights),
# - all of Conv2D_3 (1152 values),
# - the 100 values of Dense_1,
#
# trained on the 4s and 9s of the training set, evaluated on the test 4s and 9s it has never seen. The fit
# is scikit-learn's `LogisticRegression` (the field's standard tool for such a "linear probe"), run to
# convergence, so it gives the same numbers on every run:

# %%
print(inspect.getsource(helpers.activations.four_vs_nine.fit_logistic_regression))

# %%
train_idx = np.flatnonzero(np.isin(y_train, [4, 9]))
if QUICK:
    train_idx = train_idx[:2000]
train_acts = activations_of_layers(model, ["Conv2D_3", "Dense_1"], x_train[train_idx])
y_tr, y_te = y_train[train_idx] == 9, y49 == 9          # 1 = "9", 0 = "4"
train_features = {"pixels": helpers.to_model_input(x_train[train_idx]),
                  "Conv2D_3, top 8 maps": train_acts["Conv2D_3"][..., top_maps],
                  "Conv2D_3, all maps": train_acts["Conv2D_3"], "Dense_1": train_acts["Dense_1"]}
test_features = {"pixels": helpers.to_model_input(x_test[is49]),
                 "Conv2D_3, top 8 maps": test_acts["Conv2D_3"][..., top_maps],
                 "Conv2D_3, all maps": test_acts["Conv2D_3"], "Dense_1": test_acts["Dense_1"]}
results = linear_separability(train_features, y_tr, test_features, y_te)
cnn_4_vs_9 = float(np.mean((probs[is49, 9] > probs[is49, 4]) == y_te))

print(f"trained on {len(train_idx)} training 4s and 9s, tested on {len(y_te)} test 4s and 9s")
for name, (acc, fitted) in results.items():
    print(f"  logistic regression on {name:22s} ({fitted.weights.size:4d} values): {acc:.4f}")
print(f"  the whole CNN (P(9) > P(4))                          : {cnn_4_vs_9:.4f}")

fig, ax = plt.subplots(figsize=(7, 3))
names = list(results) + ["whole CNN"]
accs = [results[n][0] for n in results] + [cnn_4_vs_9]
ax.barh(names, [100 * (1 - a) for a in accs], color=["grey", "tab:orange", "tab:orange", "tab:green", "tab:blue"])
ax.invert_yaxis()
ax.set_xlabel("test error on 4 vs 9 (%)")
ax.set_title("How well a linear classifier separates 4 from 9")
plt.show()

# %%
acc = {name: a for name, (a, _) in results.items()}
assert acc["Dense_1"] >= 0.98 and acc["Conv2D_3, all maps"] >= 0.97
assert acc["Dense_1"] > acc["pixels"] and acc["Conv2D_3, all maps"] > acc["pixels"], "the CNN's layers should help"
assert cnn_4_vs_9 >= 0.98

# %% [markdown]
# What the numbers say (exact values above; they depend a little on the training run):
#
# - Pixels alone already give a linear classifier about 97 %; every layer of the CNN does better.
# - The information to tell 4 from 9 is **already linearly available in Conv2D_3** — a weighted sum of its
#   values separates them almost as well as Dense_1 does. Even the 8 most different maps go a long way,
#   *with fitted weights*: which is exactly what a human looking at grids does not have.
# - Dense_1 packs this into 100 values (and a handful of its nodes carry most of it, see below). The
#   "hidden pattern" of the article is a weighted combination over many maps — the kind of thing a dense
#   layer computes, and the reason the ambiguous 4s above are decided by the MLP part, not by a few
#   visible points.
#
# ## 6 · The Dense_1 nodes that separate 4 from 9
#
# For each node: the difference of its mean over test 4s and over test 9s, divided by its pooled standard
# deviation (a standardized mean difference). Red: the node fires more for 4s; blue: more for 9s. The six
# nodes with the largest |difference| are framed, on the same 10×10 layout as the Dense_1 grids above.

# %%
separation = node_separation(test_acts["Dense_1"][y49 == 4], test_acts["Dense_1"][y49 == 9])
best_nodes = np.argsort(-np.abs(separation), kind="stable")[:6]
print("best separating Dense_1 nodes:", ", ".join(f"{k} ({separation[k]:+.2f})" for k in best_nodes))
weights = results["Dense_1"][1].weights
print("largest |weight| in the Dense_1 logistic regression:", np.argsort(-np.abs(weights))[:6].tolist())

fig, axes = plt.subplots(1, 3, figsize=(13, 4), constrained_layout=True)
mean4, mean9 = test_acts["Dense_1"][y49 == 4].mean(0), test_acts["Dense_1"][y49 == 9].mean(0)
vmax = max(mean4.max(), mean9.max())
for ax, values, title in [(axes[0], mean4, "mean Dense_1 activation, test 4s"),
                          (axes[1], mean9, "mean Dense_1 activation, test 9s")]:
    image = draw_grid(ax, values, cmap="jet", vmin=0, vmax=vmax, highlight=best_nodes, highlight_color="white",
                      show_indices=True)
    ax.set_title(title)
fig.colorbar(image, ax=axes[:2].tolist(), shrink=0.8, label="activation")
lim = np.abs(separation).max()
image = draw_grid(axes[2], separation, cmap="RdBu_r", vmin=-lim, vmax=lim, highlight=best_nodes,
                  highlight_color="black", show_indices=True)
axes[2].set_title("standardized difference 4s − 9s")
fig.colorbar(image, ax=axes[2], shrink=0.8, label="(mean 4 − mean 9) / std")
plt.show()

# %%
assert np.abs(separation[best_nodes[0]]) > 1.5, "at least one node should separate 4 and 9 strongly"

# %% [markdown]
# ## What you should have seen
#
# - Clear 4s and clear 9s, found by the model's confidence, and on average over all test 4s and 9s a
#   handful of Conv2D_3 maps that differ most.
# - Ambiguous 4s whose Conv2D_3 grids no longer show the "typical" points of a 4 clearly. Only a handful of
#   the about 2000 test 4s and 9s get the wrong one of the two labels; for most 4s and 9s the model is sure.
# - A logistic regression on all Conv2D_3 values, and even more so on Dense_1's 100 values, separates 4s
#   from 9s at about 99 % — far better than on pixels. The deciding pattern is a weighted combination
#   across maps: that is what the MLP part of the CNN computes.
# - A few Dense_1 nodes respond very differently to 4s and 9s; on the 10×10 grid they are where the mean
#   activations of 4s and 9s differ most.
#
# ## Exercise · how many Dense_1 nodes does a linear classifier need?
#
# Write `accuracy_with_top_nodes(k)` that trains a logistic regression on only the `k` Dense_1 nodes with
# the largest |separation| (use `train_acts`, `test_acts`, `y_tr`, `y_te`, `separation` and
# `linear_separability` from above) and returns its accuracy on the test 4s and 9s. The check tries
# k = 1, 3, 10, 100.

# %%
def accuracy_with_top_nodes(k):
    """Test accuracy of a logistic regression on the ``k`` Dense_1 nodes that separate 4s and 9s best."""
    # solution
    nodes = np.argsort(-np.abs(separation), kind="stable")[:k]
    result = linear_separability({"nodes": train_acts["Dense_1"][:, nodes]}, y_tr,
                                 {"nodes": test_acts["Dense_1"][:, nodes]}, y_te)
    return result["nodes"][0]


# %%
# self-check: all 100 nodes in the order of separation must give exactly the Dense_1 result of section 5,
# and a few nodes must already do far better than guessing
with self_check():
    top = {k: accuracy_with_top_nodes(k) for k in (1, 3, 10, 100)}
    for k, accuracy in top.items():
        print(f"top {k:3d} nodes: accuracy {accuracy:.4f}")
    assert abs(top[100] - acc["Dense_1"]) <= 1 / len(y_te) + 1e-12, \
        f"all 100 nodes give {top[100]:.4f}, but Dense_1 gave {acc['Dense_1']:.4f} in section 5"  # same nodes, other order
    assert top[3] > 0.9, f"3 nodes give only {top[3]:.4f}: did you take the nodes with the largest |separation|?"
print("exercise solved")
