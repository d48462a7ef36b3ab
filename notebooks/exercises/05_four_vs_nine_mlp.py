# %% [markdown]
# > **Student version.** The exercises at the end of this notebook have stubs where the solutions were:
# > `# Your code here` and `raise NotImplementedError(...)` or `...`. Write your code there and run the
# > self-check below it; it fails until your answer is right. The solutions are in the notebook of the
# > same name one folder up, `../05_four_vs_nine_mlp.ipynb`.
# >
# > Teachers: this file is generated from `notebooks/05_four_vs_nine_mlp.py` by `python tools/make_exercises.py`;
# > edit that file, not this one.

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
# - which Conv2D_3 maps differ most between 4s and 9s — chosen on one set of images, judged on another,
# - how to find the article's case by a rule: a 4 whose Conv2D_3 pattern looks unlike a typical 4, which
#   the model still calls a 4 with confidence,
# - how to turn "the MLP sees patterns we do not see" into numbers: a linear classifier (logistic
#   regression) separating 4s from 9s from a few maps, from all of Conv2D_3 and from Dense_1,
# - which Dense_1 nodes separate the two digits best, shown on the 10×10 node grid.
#
# This follows article VI of the series ("classification by activation patterns and the role of the
# CNN's MLP part"). The image numbers in the article come from its own shuffled data split and its own
# training run; ours are found anew by the selection below, so they differ.
#
# **Which images are used for what.** Whenever we *choose* something (the maps that differ most, the
# best Dense_1 nodes) and then *measure* how good the choice is, the two must use different images, or the
# measurement flatters the choice. The reference model was trained on 55,000 of the 60,000 training
# images; the other 5,000, its validation images, only decided which epoch to keep. So:
#
# - we **choose** maps and nodes on the 4s and 9s among these validation images,
# - we **fit** the linear classifiers on the 4s and 9s among the training images the model learned from,
# - we **measure** every accuracy on the test 4s and 9s, on which nothing was chosen or fitted.
#
# (With your own model from notebook 03, use the splits you saved there: `load_splits(...)`.)

# %%
# %matplotlib inline
import inspect

import matplotlib.pyplot as plt
import numpy as np

import helpers
from helpers import (load_mnist, load_reference_model, predict_proba, quick_mode, reference_record,
                     split_train_validation)
from helpers.activations import activations_of_layers
from helpers.activations.four_vs_nine import (ambiguous_examples, linear_separability, map_differences,
                                              node_separation, pattern_typicality, select_four_nine,
                                              unclear_but_confident)
from helpers.activations.plots import (draw_grid, plot_class_probabilities, plot_grid, plot_grids_side_by_side,
                                       plot_selected_maps)
from helpers.exercise_check import self_check

QUICK = quick_mode()  # CI sets CI=true: the linear classifiers are fitted on fewer training images
model = load_reference_model()
(x_train, y_train), (x_test, y_test) = load_mnist()
config = reference_record()["config"]     # the same split as the reference model's training run
splits = split_train_validation(x_train, y_train, config["n_validation"], seed=config["seed"])
probs = predict_proba(model, x_test)       # (10000, 10) class probabilities of the reference model
print(f"quick mode: {QUICK}; test accuracy of the reference model: {np.mean(probs.argmax(1) == y_test):.4f}")
print(f"training images the model learned from: {len(splits['y_train'])}, validation images: "
      f"{len(splits['y_val'])}, test images: {len(y_test)}")

# %%
assert len(splits["y_train"]) + len(splits["y_val"]) == len(y_train)
assert not set(splits["train_indices"]) & set(splits["val_indices"]), "validation images are not training images"

# %% [markdown]
# ## 1 · Clear and ambiguous digits, chosen by the model
#
# - A **clear 4** is a 4 the model is very sure of. Probabilities of such digits are often exactly 1.0
#   in 32-bit floats, so they are ranked by the log ratio of P(4) to the next most likely class.
# - An **ambiguous 4** is a true 4 to which the model gives a high probability of being a 9 — the model
#   may even get it wrong. The same for 9s the other way round.
#
# These examples are only shown, not scored, so we may pick them from the test set.

# %%
print(inspect.getsource(helpers.activations.four_vs_nine.confidence_margin))

# %%
sel = select_four_nine(probs, y_test, n=3)
# 4s the model still gets right, but with the most doubt
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
# ## 3 · Which maps differ — over many 4s and 9s, not by eye
#
# Eyeballing six digits is a weak basis. So we average the Conv2D_3 maps over all 4s and over all 9s of the
# **validation images** and subtract: red cells respond more to 4s, blue cells more to 9s. The score of a
# map is the root mean square of this difference over its 3×3 positions; the 8 maps with the largest score
# are framed. These 8 maps are chosen here, once; later sections judge them on the test images.

# %%
is49_val = np.isin(splits["y_val"], [4, 9])
y49_val = splits["y_val"][is49_val]
val_acts = activations_of_layers(model, ["Conv2D_3", "Dense_1"], splits["x_val"][is49_val])
diff = map_differences(val_acts["Conv2D_3"][y49_val == 4], val_acts["Conv2D_3"][y49_val == 9])
top_maps = diff.top(8)
print(f"chosen on {np.sum(y49_val == 4)} validation 4s and {np.sum(y49_val == 9)} validation 9s")
print("maps that differ most (map: score, mean activation in 4s / in 9s):")
for k in top_maps:
    print(f"  {k:3d}: {diff.score[k]:.2f}   {diff.mean_a[..., k].mean():.2f} / {diff.mean_b[..., k].mean():.2f}")
print(f"median score of all 128 maps: {np.median(diff.score):.2f}")
fig = plot_grid(diff.difference, symmetric=True, cmap="RdBu_r", highlight=top_maps, show_indices=True,
                highlight_color="black", colorbar_label="mean activation: 4s − 9s",
                title="Conv2D_3: average of the validation 4s minus average of the validation 9s")
plt.show()

# %%
assert len(top_maps) == 8 and np.all(np.diff(diff.score[top_maps]) <= 0), "largest score first"
assert diff.score[top_maps[0]] > 2 * np.median(diff.score), "a few maps should stand out from the typical map"

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
# the most doubt:

# %%
fig = plot_class_probabilities(probs[sel.ambiguous_9], true_labels=y_test[sel.ambiguous_9], highlight_class=4,
                               titles=[f"test image {i} (a 9)" for i in sel.ambiguous_9])
plt.show()
fig = plot_grids_side_by_side(model, "Dense_1", x_test, doubtful_4, labels=y_test, cmap="jet",
                              titles=[f"P(4)={probs[i, 4]:.3f}, P(9)={probs[i, 9]:.3f}" for i in doubtful_4],
                              suptitle="Dense_1 of 4s the model still gets right, with the most doubt")
plt.show()

# %% [markdown]
# ## 5 · The article's case: an unclear pattern, a confident 4
#
# Article VI's strange 4 is not a digit the model doubts. The article's CNN gives it P(4) = 93.5 % and
# P(9) = 6.2 %, although at Conv2D_3 it no longer shows the points that marked the clear 4s. The doubtful
# 4s above are a different case: there the model itself hesitates. To find the article's case in our model
# we need a measure of "the pattern looks unclear":
#
# - take the digit's values on the 8 maps of section 3 (72 values),
# - correlate them with the average pattern of the validation 4s and with that of the validation 9s
#   (a correlation compares where the values are high and low, not how bright they are overall),
# - **typicality** = correlation with the average 4 − correlation with the average 9. Clear 4s score high;
#   a 4 with a negative typicality looks, on these maps, more like an average 9 than like an average 4.
#
# Among the test 4s that the model calls a 4 with P(4) ≥ 0.9 we take those with the lowest typicality.

# %%
print(inspect.getsource(helpers.activations.four_vs_nine.pattern_typicality))

# %%
is49 = np.isin(y_test, [4, 9])
idx49 = np.flatnonzero(is49)                  # test image number of each row below
y49 = y_test[is49]
test_acts = activations_of_layers(model, ["Conv2D_3", "Dense_1"], x_test[is49])
typicality = pattern_typicality(test_acts["Conv2D_3"], diff.mean_a, diff.mean_b, maps=top_maps)
MIN_P = 0.9
strange_4 = idx49[unclear_but_confident(typicality, probs[is49], y49, 4, min_probability=MIN_P, n=3)]
typicality_of = dict(zip(idx49.tolist(), typicality))

confident_4 = (y49 == 4) & (probs[is49, 4] >= MIN_P)
print(f"test 4s with P(4) >= {MIN_P}: {confident_4.sum()} of {np.sum(y49 == 4)}; median typicality "
      f"{np.median(typicality[confident_4]):.2f}; with a pattern closer to the average 9 (typicality < 0): "
      f"{np.sum(confident_4 & (typicality < 0))}")
for name, idx in [("clear 4s", sel.clear_4), ("4s still right, most doubt", doubtful_4),
                  ("unclear pattern, confident", strange_4)]:
    print(f"{name:27s} " + ", ".join(f"{i} (P(4)={probs[i, 4]:.3f}, typicality {typicality_of[i]:+.2f})" for i in idx))
print(f"the article-style case: test image {strange_4[0]}, P(4) = {probs[strange_4[0], 4]:.4f}, "
      f"P(9) = {probs[strange_4[0], 9]:.4f}, typicality {typicality_of[strange_4[0]]:+.2f}")

# %%
assert np.all(y_test[strange_4] == 4) and np.all(probs[strange_4, 4] >= MIN_P), "true 4s, confidently called 4"
assert np.all(np.diff([typicality_of[i] for i in strange_4]) >= 0), "least typical first"
assert typicality_of[strange_4[0]] == typicality[confident_4].min()

# %% [markdown]
# The digits, and their values on the 8 maps beside the two average patterns (one colour scale):

# %%
shown = [sel.clear_4[0], *strange_4]
patterns = np.concatenate([diff.mean_a[None], diff.mean_b[None],
                           test_acts["Conv2D_3"][np.searchsorted(idx49, shown)]])
row_titles = [f"average of {np.sum(y49_val == 4)}\nvalidation 4s", f"average of {np.sum(y49_val == 9)}\nvalidation 9s"]
row_titles += [f"test {i} ({'clear 4' if j == 0 else 'unclear 4'})\nP(4) = {probs[i, 4]:.3f}\n"
               f"typicality {typicality_of[i]:+.2f}" for j, i in enumerate(shown)]
fig = plot_selected_maps(patterns, top_maps, row_titles=row_titles, digits=[None, None, *x_test[shown]],
                         suptitle="Conv2D_3, the 8 maps that differ most: average patterns, a clear 4 and "
                                  "confident 4s with an unclear pattern")
plt.show()
fig = plot_class_probabilities(probs[strange_4], true_labels=y_test[strange_4], highlight_class=9,
                               titles=[f"test image {i} (a 4), typicality {typicality_of[i]:+.2f}" for i in strange_4])
plt.show()

# %% [markdown]
# Compare each row with the two average rows: the clear 4 repeats the pattern of the average 4, while the
# rows below it match the average 9 at least as well (their typicality is printed beside them). Judged by
# these maps alone, one would hesitate or say "9" — yet the model's probabilities leave little doubt. How
# the network gets there from the same values is the question of the next section.
#
# ## 6 · The article's claim, measured
#
# Article VI argues: the points we can spot by eye on Conv2D_3 are not what decides; the dense layer
# combines *all* 1152 values of Conv2D_3 linearly (weights, then ReLU) and finds patterns a human does not
# see. We can test this with the simplest linear classifier, a **logistic regression**: fit it to tell
# 4 from 9 using
#
# - the raw (standardized) pixels — the baseline without any CNN,
# - only the 8 Conv2D_3 maps chosen in section 3 (72 values — the "spot the points" approach, but with
#   fitted weights),
# - all of Conv2D_3 (1152 values),
# - the 100 values of Dense_1,
#
# fitted on the 4s and 9s among the training images, scored on the test 4s and 9s. The fit is
# scikit-learn's `LogisticRegression` (the field's standard tool for such a "linear probe"), run to
# convergence, so it gives the same numbers on every run. For comparison, two rules without any fitting:
# the **typicality rule** of section 5 on the same 8 maps ("4" when the pattern correlates more with the
# average 4 than with the average 9 — what we do when we compare grids by eye), and the whole CNN
# ("9" when P(9) > P(4)).

# %%
print(inspect.getsource(helpers.activations.four_vs_nine.fit_logistic_regression))

# %%
train_idx = np.flatnonzero(np.isin(splits["y_train"], [4, 9]))
if QUICK:
    train_idx = train_idx[:2000]
train_acts = activations_of_layers(model, ["Conv2D_3", "Dense_1"], splits["x_train"][train_idx])
y_tr, y_te = splits["y_train"][train_idx] == 9, y49 == 9          # 1 = "9", 0 = "4"
TOP = f"Conv2D_3, top {len(top_maps)} maps"
train_features = {"pixels": helpers.to_model_input(splits["x_train"][train_idx]),
                  TOP: train_acts["Conv2D_3"][..., top_maps],
                  "Conv2D_3, all maps": train_acts["Conv2D_3"], "Dense_1": train_acts["Dense_1"]}
test_features = {"pixels": helpers.to_model_input(x_test[is49]), TOP: test_acts["Conv2D_3"][..., top_maps],
                 "Conv2D_3, all maps": test_acts["Conv2D_3"], "Dense_1": test_acts["Dense_1"]}
results = linear_separability(train_features, y_tr, test_features, y_te)

# which test 4s and 9s each classifier gets right
right = {name: (fitted.probability(test_features[name]) >= 0.5) == y_te for name, (_, fitted) in results.items()}
EYE = f"typicality rule, top {len(top_maps)} maps"
right[EYE] = (typicality < 0) == y_te
right["whole CNN"] = (probs[is49, 9] > probs[is49, 4]) == y_te
acc = {name: float(np.mean(r)) for name, r in right.items()}
n_wrong = {name: int(np.sum(~r)) for name, r in right.items()}

print(f"fitted on {len(train_idx)} training 4s and 9s; scored on {len(y_te)} test 4s and 9s; maps chosen on "
      f"{len(y49_val)} validation 4s and 9s")
print(f"{'':37s} values  accuracy  wrong  only this right / only Dense_1 right")
for name, r in right.items():
    size = results[name][1].weights.size if name in results else ""
    paired = "" if name == "Dense_1" else f"{np.sum(r & ~right['Dense_1']):5d} / {np.sum(~r & right['Dense_1'])}"
    print(f"  {name:35s} {size:>6}  {acc[name]:.4f}  {n_wrong[name]:5d}  {paired}")

fig, ax = plt.subplots(figsize=(7.5, 3.2), constrained_layout=True)
colors = {"pixels": "grey", TOP: "tab:orange", "Conv2D_3, all maps": "tab:orange", "Dense_1": "tab:green",
          EYE: "tab:red", "whole CNN": "tab:blue"}
ax.barh(list(right), [n_wrong[n] for n in right], color=[colors[n] for n in right])
ax.invert_yaxis()
ax.set_xlabel(f"wrong among the {len(y_te)} test 4s and 9s")
ax.set_title("4 or 9: errors of linear classifiers on each layer, and of two rules without fitting")
plt.show()

# %%
assert acc["Dense_1"] > acc["pixels"] and acc["Conv2D_3, all maps"] > acc["pixels"], "the CNN's layers should help"
assert acc["whole CNN"] > acc["pixels"], "the CNN should beat a linear classifier on pixels"
# The CNN's own choice between 4 and 9 (P(9) > P(4)) is a linear function of Dense_1's values: the last layer
# is linear and the softmax keeps the order. So a linear classifier on Dense_1 can do what the CNN does.
assert acc["Dense_1"] >= acc["whole CNN"] - 0.01, "a linear read-out of Dense_1 should nearly match the CNN"

# %% [markdown]
# And the article's case of section 5? P(4) for the unclear 4s, from each fitted classifier and from the CNN:

# %%
rows_strange = np.searchsorted(idx49, strange_4)
called_4 = {EYE: int(np.sum(typicality[rows_strange] > 0)), "whole CNN": int(np.sum(pred[strange_4] == 4))}
print(f"{'':37s} " + "  ".join(f"test {i:>5d}" for i in strange_4))
for name, (_, fitted) in results.items():
    p4 = 1 - fitted.probability(test_features[name][rows_strange])
    called_4[name] = int(np.sum(p4 > 0.5))
    print(f"  P(4) from {name:25s} " + "  ".join(f"{p:10.3f}" for p in p4))
print(f"  {'typicality (rule says 4 if > 0)':35s} " + "  ".join(f"{typicality_of[i]:+10.2f}" for i in strange_4))
print(f"  {'P(4), whole CNN':35s} " + "  ".join(f"{probs[i, 4]:10.3f}" for i in strange_4))
print(f"called a 4 (of these {len(strange_4)}): " + ", ".join(f"{name} {n}" for name, n in called_4.items()))
kernel = model.get_layer("Dense_1").kernel
print(f"weights from Conv2D_3's {kernel.shape[0]} values into Dense_1's {kernel.shape[1]} nodes: "
      f"{kernel.shape[0] * kernel.shape[1]:,}")

# %% [markdown]
# What the numbers say — for the reference model, in the two tables above (check them on your own run:
# several differences are a few images, so another training run can swap the order of close lines):
#
# - Pixels alone let a linear classifier get most 4s and 9s right; every CNN layer does better.
# - **A handful of maps carry nearly all of it.** With fitted weights, the 8 maps chosen on the validation
#   images — 72 of Conv2D_3's 1152 values — are within a few test images of all 128 maps. The points where
#   4s and 9s differ on average are not too weak to decide, as long as they are *weighted*.
# - **What looking does not supply is the weights.** On the very same 8 maps, the typicality rule, which
#   compares a digit with the average 4 and the average 9 without fitted weights, makes clearly more errors
#   than the logistic regression (the "wrong" column).
# - **The unclear 4s of section 5** are 9s to the typicality rule — that is how they were chosen — but
#   fitted weights on the same values, on the 8 maps or on all of Conv2D_3, call most of them 4s, and the
#   read-out of Dense_1 calls all of them 4s, as the CNN does (the "called a 4" line). Which of the three a
#   Conv2D_3 classifier misses, if any, changes from fit to fit: three rare digits are an illustration,
#   the error counts above are the measurement.
# - **Dense_1 adds little that a linear read-out of Conv2D_3 lacks.** A logistic regression on Dense_1 comes
#   within a few test images of the whole CNN (the assert above says why it can), and the one on all of
#   Conv2D_3 is within a few test images of it. The column "only this right / only Dense_1 right" counts
#   the test images on which the two disagree: that, not the order of two nearly equal accuracies, is the
#   fair comparison.
#
# So, measured, the article's conclusion needs a correction. What separates 4 from 9 is not hidden in
# "many maps" where only the MLP can see it: a few maps of Conv2D_3 hold almost all of it. What the eye
# lacks are the weights — a learned linear combination of the values, which is what the MLP part computes
# (its weights into Dense_1, counted above, are learned together with the filters). Beyond a linear
# read-out of Conv2D_3, the hidden layer with its ReLU adds at most the few test images between the lines
# "all maps" and "Dense_1".
#
# ## 7 · The Dense_1 nodes that separate 4 from 9
#
# For each node: the difference of its mean over the validation 4s and over the validation 9s, divided by
# its pooled standard deviation (a standardized mean difference). Red: the node fires more for 4s; blue: more
# for 9s. The six nodes with the largest |difference| are framed, on the same 10×10 layout as the Dense_1
# grids above. They are chosen on the validation images; the test images then show whether the choice
# holds.

# %%
separation = node_separation(val_acts["Dense_1"][y49_val == 4], val_acts["Dense_1"][y49_val == 9])
best_nodes = np.argsort(-np.abs(separation), kind="stable")[:6]
test_separation = node_separation(test_acts["Dense_1"][y49 == 4], test_acts["Dense_1"][y49 == 9])
print("best separating Dense_1 nodes (validation → test):",
      ", ".join(f"{k} ({separation[k]:+.2f} → {test_separation[k]:+.2f})" for k in best_nodes))
weights = results["Dense_1"][1].weights
print("largest |weight| in the Dense_1 logistic regression:", np.argsort(-np.abs(weights))[:6].tolist())

fig, axes = plt.subplots(1, 3, figsize=(13, 4), constrained_layout=True)
mean4, mean9 = val_acts["Dense_1"][y49_val == 4].mean(0), val_acts["Dense_1"][y49_val == 9].mean(0)
vmax = max(mean4.max(), mean9.max())
for ax, values, title in [(axes[0], mean4, "mean Dense_1 activation, validation 4s"),
                          (axes[1], mean9, "mean Dense_1 activation, validation 9s")]:
    image = draw_grid(ax, values, cmap="jet", vmin=0, vmax=vmax, highlight=best_nodes, highlight_color="white",
                      show_indices=True)
    ax.set_title(title)
fig.colorbar(image, ax=axes[:2].tolist(), shrink=0.8, label="activation")
lim = np.abs(separation).max()
image = draw_grid(axes[2], separation, cmap="RdBu_r", vmin=-lim, vmax=lim, highlight=best_nodes,
                  highlight_color="black", show_indices=True)
axes[2].set_title("standardized difference 4s − 9s (validation)")
fig.colorbar(image, ax=axes[2], shrink=0.8, label="(mean 4 − mean 9) / std")
plt.show()

# %%
assert np.abs(separation[best_nodes[0]]) > 1.0, "at least one node should separate 4 and 9 clearly"
assert np.sign(test_separation[best_nodes[0]]) == np.sign(separation[best_nodes[0]]), \
    "the best node, chosen on the validation images, should separate the test images the same way round"

# %% [markdown]
# ## 8 · Draw your own digit
#
# Now your own 4s and 9s, made into MNIST input as in notebook 04, section 7. A check first: the surest 4 and
# the surest 9, drawn ten times larger on an empty pad and back, keep their class.

# %%
from helpers.activations.drawing import digit_on_pad, to_mnist_digit
from helpers.activations.pad_explorers import four_nine_drawing_explorer

for i in (sel.clear_4[0], sel.clear_9[0]):
    p_back = predict_proba(model, to_mnist_digit(digit_on_pad(x_test[i], scale=10, origin=(40, 40)))[None])[0]
    print(f"test image {i} (a {y_test[i]}): P(4) = {probs[i, 4]:.3f} → {p_back[4]:.3f}, "
          f"P(9) = {probs[i, 9]:.3f} → {p_back[9]:.3f} after the pad")
    assert p_back.argmax() == y_test[i]

# %% [markdown]
# On the pad, after each stroke: P(4) against P(9), your digit on the 8 maps of section 3 (with its typicality,
# section 5) and Dense_1 with the nodes of section 7 framed. Close the top of a 4 bit by bit: when does the
# model change its mind, and which maps and nodes change with it?

# %%
# NBVAL_IGNORE_OUTPUT
pad = four_nine_drawing_explorer(model, top_maps, best_nodes, mean_4=diff.mean_a, mean_9=diff.mean_b)
pad

# %% [markdown]
# ## What you should have seen
#
# - Clear 4s and clear 9s, found by the model's confidence, and — averaged over the validation 4s and 9s — a
#   handful of Conv2D_3 maps that differ most.
# - Ambiguous 4s whose Conv2D_3 grids no longer show the "typical" points of a 4 clearly. Only a handful of
#   the about 2000 test 4s and 9s get the wrong one of the two labels; for most 4s and 9s the model is sure.
# - The article's case, found by a rule: 4s whose pattern on the top maps is closer to the average 9 than to
#   the average 4, which the model still calls 4s with P(4) of 0.9 or more.
# - Chosen on validation images and scored on test images, a logistic regression on those few maps comes
#   close to one on all of Conv2D_3 and to Dense_1; comparing with the average patterns instead, without
#   fitted weights, does clearly worse. What decides is a weighted combination, which is what the MLP part
#   computes; it does not need many maps.
# - A few Dense_1 nodes respond very differently to 4s and 9s; on the 10×10 grid they are where the mean
#   activations of 4s and 9s differ most, and they keep their sign on the test images.
#
# ## Exercise · how many Dense_1 nodes does a linear classifier need?
#
# Write `accuracy_with_top_nodes(k)`: rank the Dense_1 nodes as in section 7 (on the validation images, by
# how well they separate 4s from 9s, whichever way round), keep the `k` best, fit a logistic regression on
# only these nodes of the training 4s and 9s and score it on the test 4s and 9s. Return the test accuracy and
# the nodes you used. Use `train_acts`, `test_acts`, `y_tr`, `y_te`, `separation` and `linear_separability`
# from above. The check tries k = 1, 3, 10, 100.

# %%
def accuracy_with_top_nodes(k):
    """(test accuracy, nodes) of a logistic regression on the ``k`` Dense_1 nodes that separate 4s and 9s best."""
    # Your code here
    raise NotImplementedError("accuracy_with_top_nodes is not written yet")


# %%
# self-check: your nodes against the validation |separation| of section 7; all 100 nodes must give the Dense_1
# result of section 6, and 3 well-chosen nodes must close most of the gap between guessing and all 100 nodes
with self_check():
    top = {}
    strength = np.sort(np.abs(separation))[::-1]          # |separation| of the best node, the second best, ...
    for k in (1, 3, 10, 100):
        top[k], nodes = accuracy_with_top_nodes(k)
        nodes = np.asarray(nodes, dtype=int).ravel()
        print(f"top {k:3d} nodes: accuracy {top[k]:.4f}")
        assert len(nodes) == k == len(set(nodes.tolist())), f"top {k}: {k} different nodes expected, got {nodes.tolist()}"
        mine = np.sort(np.abs(separation[nodes]))[::-1]
        signed = np.argsort(-separation)
        if set(nodes.tolist()) == set(range(k)) or np.allclose(mine, strength[::-1][:k][::-1]):
            found = [what for what, true in [("the first k nodes", set(nodes.tolist()) == set(range(k))),
                                             ("the k that separate worst", np.allclose(mine, strength[::-1][:k][::-1]))]
                     if true]
            hint = f"these are {' and '.join(found)}: rank the nodes by |separation|, largest first"
        elif set(nodes.tolist()) in (set(signed[:k].tolist()), set(signed[::-1][:k].tolist())):
            hint = ("you ranked by the signed separation: a node at −3 tells 4 from 9 as well as one at +3, so rank "
                    "by the absolute value |separation|")
        else:
            hint = "choose them by |separation| on the validation images (section 7)"
        assert np.allclose(mine, strength[:k]), (f"top {k}: your nodes {nodes.tolist()} have |separation| "
                                                 f"{np.round(mine, 2).tolist()}, but the {k} largest are "
                                                 f"{np.round(strength[:k], 2).tolist()}: {hint}")
    # the same nodes in another order: the same classifier, up to at most one test image
    assert abs(top[100] - acc["Dense_1"]) <= 1 / len(y_te) + 1e-12, \
        (f"all 100 nodes give {top[100]:.4f}, but Dense_1 gave {acc['Dense_1']:.4f} in section 6: fit on the "
         "training images (train_acts, y_tr) and score on the test images (test_acts, y_te)")
    guessing = max(np.mean(y_te), 1 - np.mean(y_te))   # always answering the more frequent digit
    floor = guessing + 0.8 * (acc["Dense_1"] - guessing)
    assert top[3] >= floor, (f"3 nodes give only {top[3]:.4f} (need {floor:.4f}): did you fit and score on "
                             "those 3 nodes only?")
print("exercise solved")
