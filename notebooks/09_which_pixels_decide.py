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
# # 09 · Which pixels decide, and what turns a 4 into a 9
#
# Notebook 05 asked why the network calls a digit a 4 and not a 9, and answered with *maps*: a handful of
# Conv2D_3 maps and Dense_1 nodes separate the two digits. This notebook asks the same question about the
# *pixels* of one digit, and then turns it around: how small a change of the pixels makes the network say 9?
#
# You will learn
# - what the per-image standardization inside the model means for any explanation in pixel space, and why
#   integrated gradients from a black image collect everything in the first few percent of their path,
# - five ways to say which pixels decide — gradient saliency, SmoothGrad, integrated gradients, Grad-CAM and
#   occlusion — each a short function of `helpers.attribution` you can read, checked against independent
#   computations,
# - two tests of whether such a map can be trusted: does it change when the network's weights are
#   randomized, and does deleting the pixels it points at make the network lose its answer faster than
#   deleting random ink,
# - how FGSM and PGD turn real test 4s into "9"s with changes of at most ε per pixel, how small ε can be,
#   and what the change looks like,
# - how 05's Conv2D_3 maps and Dense_1 nodes move from the 4 pattern towards the 9 pattern as ε grows.
#
# This goes beyond the article series. It follows, in the course's own words and code: gradient saliency
# (Simonyan, Vedaldi and Zisserman, 2014), SmoothGrad (Smilkov et al., 2017), integrated gradients
# (Sundararajan, Taly and Yan, 2017), Grad-CAM (Selvaraju et al., 2017), occlusion (Zeiler and Fergus, 2014),
# the model-randomization sanity check (Adebayo et al., 2018), deletion curves (Samek et al., 2017; Petsiuk,
# Das and Saenko, 2018), the fast gradient sign method FGSM (Goodfellow, Shlens and Szegedy, 2015) and
# projected gradient descent PGD (Madry et al., 2018).

# %%
# %matplotlib inline
import inspect

import matplotlib.pyplot as plt
import numpy as np

from helpers import (load_mnist, load_reference_model, predict_proba, quick_mode, reference_record,
                     split_train_validation)
from helpers.activations import activations_of_layers
from helpers.activations.four_vs_nine import map_differences, node_separation, pattern_typicality, select_four_nine
from helpers.adversarial import fgsm, flip_rates, pgd, predict, smallest_flipping_eps
from helpers.attribution import (blurred_baseline, class_scores, deletion_curve, grad_cam, integrated_gradients,
                                 occlusion, randomized_copy, rank_correlation, saliency, smoothgrad)
from helpers.data import standardize
from helpers.exercise_check import self_check

QUICK = quick_mode()                 # CI sets CI=true: fewer digits, fewer layers, shorter attacks
N_TRUST = 3 if QUICK else 10         # test 4s and as many test 9s for the two trust tests
MAX_TOP = 2 if QUICK else 5          # model randomization: up to this many layers from the top
N_ATTACK = 8 if QUICK else 100       # test 4s attacked
PGD_STEPS = 100 if QUICK else 200    # PGD steps per attack
TOL = 0.2 if QUICK else 0.05         # bisection stops when the ε interval is this share of ε
EPSILONS = (0.05, 0.1, 0.2, 0.3)     # the L∞ radii of the flip-rate table

model = load_reference_model()
(x_train_u8, y_train), (x_test_u8, y_test) = load_mnist()
x_test = x_test_u8.astype(np.float32) / 255   # raw pixels 0..1: attributions and ε live here
probs = predict_proba(model, x_test)          # (10000, 10) class probabilities
print(f"quick mode: {QUICK}; test accuracy of the reference model: {np.mean(probs.argmax(1) == y_test):.4f}")

# %% [markdown]
# ## 1 · Input space: raw pixels, standardized inside the function
#
# The CNN never sees raw pixels: every image is standardized first (mean 0, standard deviation 1 per image,
# notebook 02). An explanation of a *digit*, though, should speak about its raw pixels 0..1 — "this pixel,
# brighter, would raise the score of 4". So every method below explains the function
#
# f(x) = class score (before the softmax) of standardize(x), x in raw pixels 0..1,
#
# and differentiates *through* the standardization. The attacks of section 4 change raw pixels too: ε is
# a change of at most ε in raw brightness per pixel.
#
# One consequence is easy to miss. Standardization divides by the image's standard deviation, so it ignores
# the image's *scale*: α·x, the digit dimmed to a fraction α, gives the network exactly the same input as x
# — until the standard deviation of α·x reaches the floor of the standardization, 1/28 (1/√pixels). That
# happens at α* = 1/(28·std(x)). Below it the input shrinks towards the flat black image. Here is f along the
# path α·x for the clearest test 4 (the test 4 with the largest margin between P(4) and the next class, the
# rule of notebook 05):

# %%
sel = select_four_nine(probs, y_test, n=1)
CLEAR_4, CLEAR_9, LIKE_9 = int(sel.clear_4[0]), int(sel.clear_9[0]), int(sel.ambiguous_4[0])
digit = x_test[CLEAR_4]
alpha_star = 1 / (28 * digit.std())
alphas = np.geomspace(0.005, 1, 120)
path_scores = class_scores(model, alphas[:, None, None] * digit, 4)
inputs = standardize(alphas[:, None, None] * digit)
input_change = np.abs(inputs - standardize(digit)).max(axis=(1, 2))

fig, axes = plt.subplots(1, 2, figsize=(12, 3.6), constrained_layout=True)
axes[0].plot(alphas, path_scores, color="tab:blue")
axes[0].axvline(alpha_star, color="tab:red", ls="--", label=f"α* = 1/(28·std) = {alpha_star:.3f}")
axes[0].set_xscale("log")
axes[0].set_xlabel("α (the digit dimmed to α·x)")
axes[0].set_ylabel("f(α·x): score of class 4")
axes[0].set_title(f"Score of 4 along the black path, test image {CLEAR_4}")
axes[0].legend()
axes[1].plot(alphas, input_change, color="tab:green")
axes[1].axvline(alpha_star, color="tab:red", ls="--")
axes[1].set_xscale("log")
axes[1].set_xlabel("α")
axes[1].set_ylabel("max |standardize(α·x) − standardize(x)|")
axes[1].set_title("What the network sees, compared with α = 1")
plt.show()
flat = alphas >= 1.05 * alpha_star
print(f"α* = {alpha_star:.3f}: for α above it the standardized input changes by at most "
      f"{input_change[flat].max():.1e} and f by at most {np.abs(path_scores[flat] - path_scores[-1]).max():.1e}; "
      f"f(x) = {path_scores[-1]:.2f}, f(black) = {float(class_scores(model, np.zeros((1, 28, 28)), 4)[0]):.2f}")

# %%
assert input_change[flat].max() < 1e-4, "above α*, α·x must give the network the same input"
assert np.abs(path_scores[flat] - path_scores[-1]).max() < 1e-3 * max(1.0, abs(path_scores[-1]))
assert input_change[alphas < 0.5 * alpha_star].min() > 0.1, "well below α*, the input must shrink"

# %% [markdown]
# Integrated gradients (section 2) add up the gradient along a path from a *baseline* image to the digit.
# From the black image, the path above is flat from α* to 1 — the gradient there is perpendicular to the
# path — so the whole difference f(x) − f(black) is collected between α = 0 and α*, by the few path points
# that fall there. Integrated gradients still approach the right total as the number of points grows, but
# for the same number of points the sum is off by more (the table below compares the two baselines), and
# the map only says what happens to a very faint digit. The alternative used here
# besides the black one: a strongly **blurred** copy of the digit (`blurred_baseline`), which keeps its
# brightness and loses its strokes, so the path changes the image's shape all along.

# %%
steps = 64
print(f"with {steps} path points, {np.mean((np.arange(steps) + 0.5) / steps < alpha_star):.0%} of them lie below "
      f"α* = {alpha_star:.3f}: only they see f change on the black path")
DIGITS = [CLEAR_4, CLEAR_9, LIKE_9]            # the three digits of section 2 (the rule is given there)
images = x_test[DIGITS]
explained = probs[DIGITS].argmax(1)            # each explained for the class the model predicts
print("how far Σ attributions is from f(x) − f(baseline), relative, worst of the three digits of section 2:")
print("path points   black    blurred")
for n_points in (16, 64, 256):
    error = []
    for baseline in ("black", "blurred"):
        start = np.zeros_like(images) if baseline == "black" else blurred_baseline(images)
        total = class_scores(model, images, explained) - class_scores(model, start, explained)
        attributed = integrated_gradients(model, images, explained, baseline, steps=n_points).sum(axis=(1, 2))
        error.append(np.max(np.abs(attributed - total) / np.abs(total)))
    print(f"{n_points:12d} {error[0]:8.2%} {error[1]:9.2%}")
base = blurred_baseline(digit[None])[0]
fig, axes = plt.subplots(1, 3, figsize=(9, 3), constrained_layout=True)
for ax, image, title in zip(axes, [digit, base, np.zeros_like(digit)],
                            [f"test image {CLEAR_4}", "blurred baseline", "black baseline"]):
    shown = ax.imshow(image, cmap="gray", vmin=0, vmax=1)
    ax.set_title(title)
    ax.axis("off")
fig.colorbar(shown, ax=axes, shrink=0.8, label="raw pixel value")
plt.show()

# %% [markdown]
# ## 2 · Five methods, each one short function
#
# Each method takes the model, raw images and the class to explain, and returns one value per pixel.
# Read them for the idea; three small pieces of plumbing recur: `_inputs` checks the images and the class
# indices (clear errors for NaN pixels or a class out of range), `_functions(model)` holds the compiled
# f(x) (`"score"`) and its gradient with respect to the raw pixels (`"gradient"`), and `_batched` runs one
# of them over the rows in chunks.
#
# **Gradient saliency** — how much f changes per unit change of each pixel:

# %%
print(inspect.getsource(saliency))

# %% [markdown]
# **SmoothGrad** — the gradient of a ReLU network jumps from pixel to pixel; averaging it over noisy copies
# of the image smooths the map:

# %%
print(inspect.getsource(smoothgrad))

# %% [markdown]
# **Integrated gradients** — the difference from a baseline times the mean gradient along the straight path;
# unlike a gradient, it is *complete*: the attributions add up to f(x) − f(baseline).

# %%
print(inspect.getsource(blurred_baseline))
print(inspect.getsource(integrated_gradients))

# %% [markdown]
# **Grad-CAM** — one level up: how much each *map* of a conv layer helps the class (the mean gradient over the
# map), times where that map fires. On Conv2D_3 that is a 3×3 grid: each value covers roughly a 9×9-pixel
# region of the digit, so Grad-CAM there can only say "upper left" or "middle". On Conv2D_2 (11×11) it is
# finer. The 28×28 version is the coarse map enlarged bilinearly.

# %%
print(inspect.getsource(grad_cam))

# %% [markdown]
# **Occlusion** — no gradient at all: cover a small square with background and see how much f drops.

# %%
print(inspect.getsource(occlusion))

# %% [markdown]
# ### The methods on three digits
#
# The digits (`DIGITS`, chosen in section 1 by the rules of notebook 05, section 1): the test 4 and the test 9
# the model is surest of, and the test 4 with the highest P(9) — a 4 the model may even misread. Each map
# explains the class the model *predicts* for that digit. The signed maps use a colour scale symmetric around
# 0: for the gradient methods red means raising the pixel raises the score and blue lowers it, for
# occlusion red means covering the patch lowers the score. Grad-CAM is never negative (its ReLU).

# %%
maps = {
    "saliency": saliency(model, images, explained),
    "SmoothGrad": smoothgrad(model, images, explained),
    "IG, black": integrated_gradients(model, images, explained, baseline="black"),
    "IG, blurred": integrated_gradients(model, images, explained, baseline="blurred"),
    "Grad-CAM Conv2D_2": grad_cam(model, images, explained, layer="Conv2D_2"),
    "Grad-CAM Conv2D_3": grad_cam(model, images, explained, layer="Conv2D_3"),
    "Grad-CAM Conv2D_3, 3×3": grad_cam(model, images, explained, layer="Conv2D_3", coarse=True),
    "occlusion": occlusion(model, images, explained),
}
for i, c in zip(DIGITS, explained):
    print(f"test image {i}: a {y_test[i]}, predicted {c} (P(4) = {probs[i, 4]:.3f}, P(9) = {probs[i, 9]:.3f})")

fig, axes = plt.subplots(len(DIGITS), len(maps) + 1, figsize=(2.1 * (len(maps) + 1), 2.5 * len(DIGITS)),
                         constrained_layout=True)
for row, (i, c) in enumerate(zip(DIGITS, explained)):
    axes[row, 0].imshow(x_test[i], cmap="gray", vmin=0, vmax=1)
    axes[row, 0].set_title(f"test {i}: a {y_test[i]}\nexplained: class {c}", fontsize=9)
    for col, (name, m) in enumerate(maps.items(), start=1):
        ax = axes[row, col]
        if name.startswith("Grad-CAM"):
            shown = ax.imshow(m[row], cmap="magma", vmin=0, vmax=max(float(m[row].max()), 1e-9))
        else:
            limit = max(float(np.abs(m[row]).max()), 1e-9)
            shown = ax.imshow(m[row], cmap="RdBu_r", vmin=-limit, vmax=limit)
        fig.colorbar(shown, ax=ax, shrink=0.7, pad=0.02).ax.tick_params(labelsize=6)
        if row == 0:
            ax.set_title(name, fontsize=9)
for ax in axes.flat:
    ax.set_xticks([])
    ax.set_yticks([])
fig.suptitle("Which pixels decide: attribution maps (rows: digits, columns: methods; each map its own scale)")
plt.show()

# %% [markdown]
# Each method paints its own picture of the same decision. One number to compare them: the share of each
# map's total |attribution| that falls on the digit's ink (pixels > 0), against the share of the image that is ink.

# %%
ink_share = {name: float(np.mean([np.abs(m[r])[images[r] > 0].sum() / max(np.abs(m[r]).sum(), 1e-12)
                                  for r in range(len(DIGITS))]))
             for name, m in maps.items() if not name.endswith("3×3")}
print(f"ink covers {np.mean(images > 0):.0%} of these images; share of |attribution| on the ink:")
for name, share in ink_share.items():
    print(f"  {name:20s} {share:.0%}")

# %% [markdown]
# Because the standardization couples every pixel to the image's mean and standard deviation, even a
# background pixel far from the strokes has a gradient: saliency and SmoothGrad spread over the whole image.
# Integrated gradients multiply the gradient by the pixel's difference from the baseline, so pixels equal
# to the baseline (the black background, for the black one) get nothing. Occlusion is blocky at the size of
# its patch, and Grad-CAM on Conv2D_3 is nine numbers blown up to 28×28 (the column "3×3" shows them as they
# are).
#
# ### Independent checks
#
# Two checks that do not trust the code above: integrated gradients must add up to f(x) − f(baseline) (to
# 1 % plus 0.01, with enough path points), and the saliency at a pixel must match a finite difference —
# nudge that one pixel up and down and watch f.

# %%
IG_STEPS = 256
ig_sum = integrated_gradients(model, images, explained, baseline="blurred", steps=IG_STEPS).sum(axis=(1, 2))
delta_f = class_scores(model, images, explained) - class_scores(model, blurred_baseline(images), explained)
print(f"integrated gradients, blurred baseline, {IG_STEPS} points: Σ attributions vs f(x) − f(baseline)")
for i, s, d in zip(DIGITS, ig_sum, delta_f):
    print(f"  test {i}: {s:8.3f} vs {d:8.3f}  (off by {abs(s - d) / abs(d):.2%})")
assert np.all(np.abs(ig_sum - delta_f) <= 0.01 * np.abs(delta_f) + 0.01), "integrated gradients must be complete"

H = 1e-2                                     # nudge in raw brightness
sal = maps["saliency"][0]
pixels = [np.unravel_index(np.argmax(np.abs(sal)), sal.shape), np.unravel_index(np.argmax(images[0]), sal.shape)]
for r, q in pixels:
    up, down = images[:1].copy(), images[:1].copy()
    up[0, r, q] += H
    down[0, r, q] -= H
    finite = float(class_scores(model, up, explained[0])[0] - class_scores(model, down, explained[0])[0]) / (2 * H)
    print(f"pixel ({r}, {q}) of test {CLEAR_4}: saliency {sal[r, q]:+.4f}, finite difference {finite:+.4f}")
    assert abs(finite - sal[r, q]) <= 0.05 * abs(sal[r, q]) + 0.01 * np.abs(sal).max(), "saliency = ∂f/∂pixel"

# %% [markdown]
# ## 3 · Can they be trusted?
#
# A map can look convincing and still say nothing about the network: an edge detector also "highlights the
# strokes". Two tests, on the first `N_TRUST` test 4s and the first `N_TRUST` test 9s the model gets right
# (each explained for its own class). The methods: saliency, SmoothGrad, integrated gradients (blurred
# baseline), Grad-CAM on Conv2D_2 and Conv2D_3, occlusion.
#
# ### (a) Model randomization
#
# Adebayo et al. (2018): replace the learned weights by fresh random ones, layer by layer from the top
# (Dense_2, then Dense_1, Conv2D_3, ...), and recompute the maps. If a map hardly changes when the network
# that it claims to explain is destroyed, it shows the image, not the network. We compare each map with the
# original by the Spearman rank correlation of |attribution| (1 = same pixel order). A method *passes* here
# when its mean correlation falls below 0.5 once the top layers are random.

# %%
print(inspect.getsource(randomized_copy))
print(inspect.getsource(rank_correlation))

# %%
METHODS = {
    "saliency": lambda m, x, c: saliency(m, x, c),
    "SmoothGrad": lambda m, x, c: smoothgrad(m, x, c),
    "IG, blurred": lambda m, x, c: integrated_gradients(m, x, c, baseline="blurred"),
    "Grad-CAM Conv2D_2": lambda m, x, c: grad_cam(m, x, c, layer="Conv2D_2"),
    "Grad-CAM Conv2D_3": lambda m, x, c: grad_cam(m, x, c, layer="Conv2D_3"),
    "occlusion": lambda m, x, c: occlusion(m, x, c),
}
pred = probs.argmax(1)
trust_idx = np.concatenate([np.flatnonzero((y_test == d) & (pred == d))[:N_TRUST] for d in (4, 9)])
trust_x, trust_y = x_test[trust_idx], y_test[trust_idx]
original = {name: method(model, trust_x, trust_y) for name, method in METHODS.items()}

# one working copy, randomized again for each n_top: the compiled gradients are built once for it
work, _ = randomized_copy(model, 0)
correlation = {name: [] for name in METHODS}      # per method: mean Spearman for n_top = 1 .. MAX_TOP
randomized_maps = {name: [] for name in METHODS}  # the first digit's map at each n_top, for the figure
randomized_names = []
for n_top in range(1, MAX_TOP + 1):
    _, names = randomized_copy(model, n_top, seed=0, into=work)
    randomized_names.append(names[-1])
    for name, method in METHODS.items():
        maps_now = method(work, trust_x, trust_y)
        correlation[name].append(np.nanmean(rank_correlation(original[name], maps_now)))
        randomized_maps[name].append(maps_now[0])

print(f"mean Spearman correlation of |map| with the original, {len(trust_idx)} digits; layers randomized from the top:")
print(f"{'':20s}" + "".join(f"{'+ ' + n:>12s}" for n in randomized_names) + "   verdict")
passes = {}
for name, values in correlation.items():
    passes[name] = bool(np.nanmin(values) < 0.5)
    print(f"{name:20s}" + "".join(f"{v:12.2f}" for v in values) +
          f"   {'passes' if passes[name] else 'fails'} (lowest {np.nanmin(values):.2f})")

# %%
fig, ax = plt.subplots(figsize=(8, 4), constrained_layout=True)
for name, values in correlation.items():
    ax.plot(range(0, MAX_TOP + 1), [1.0, *values], "o-", label=name)
ax.axhline(0.5, color="grey", ls="--", lw=1, label="0.5: passes below")
ax.set_xticks(range(0, MAX_TOP + 1), ["none"] + [f"+ {n}" for n in randomized_names])
ax.set_xlabel("layers re-initialized (cumulative, from the top)")
ax.set_ylabel("mean Spearman of |map| with the original")
ax.set_title(f"Model randomization: does the map notice? ({len(trust_idx)} digits)")
ax.legend(fontsize=8)
ax.grid(alpha=0.3)
plt.show()

fig, axes = plt.subplots(len(METHODS), MAX_TOP + 1, figsize=(1.9 * (MAX_TOP + 1) + 1.5, 1.9 * len(METHODS)),
                         constrained_layout=True, squeeze=False)
for r, name in enumerate(METHODS):
    for k, m in enumerate([original[name][0], *randomized_maps[name]]):
        shown = axes[r, k].imshow(np.abs(m) / max(float(np.abs(m).max()), 1e-12), cmap="magma", vmin=0, vmax=1)
        axes[r, k].set_xticks([])
        axes[r, k].set_yticks([])
        if r == 0:
            axes[r, k].set_title("original" if k == 0 else f"+ {randomized_names[k - 1]}", fontsize=9)
    axes[r, 0].set_ylabel(name, fontsize=8)
fig.colorbar(shown, ax=axes, shrink=0.5, label="|map| / its largest value")
fig.suptitle(f"|map| of test image {trust_idx[0]} as the top layers are randomized")
plt.show()

# %%
assert all(np.all(np.isnan(v) | (np.abs(v) <= 1 + 1e-9)) for v in correlation.values())
assert all(np.nanmin(v) < 0.99 for v in correlation.values()), "random weights must change every method's map"

# %% [markdown]
# ### (b) Deletion
#
# The second test asks whether the pixels a map points at really carry the answer: set the top-k % of the
# digit's ink pixels (value > 0), ordered by the map (largest attribution first), to the background 0, and
# follow the probability of the class. A faithful map makes it fall fast; the baseline deletes ink pixels in
# a random order. The score is the area under the curve (AUC, fraction deleted 0..1): lower is better, and
# a method is faithful *by this test* when its AUC is below the random order's.

# %%
print(inspect.getsource(deletion_curve))

# %%
FRACTIONS = np.linspace(0, 1, 11)
curves = {name: deletion_curve(model, trust_x, trust_y, original[name], FRACTIONS).mean(axis=0) for name in METHODS}
curves["random ink"] = np.mean([deletion_curve(model, trust_x, trust_y, None, FRACTIONS, seed=s).mean(axis=0)
                                for s in range(5)], axis=0)
auc = {name: float(np.trapezoid(c, FRACTIONS)) for name, c in curves.items()}


def deletion_verdict(name):
    """Faithful by this test: a lower AUC than random deletion; "barely" within 10 % of it."""
    if auc[name] >= auc["random ink"]:
        return "no better than random"
    return "faithful by this test" + (", barely (within 10 % of random)" if auc[name] > 0.9 * auc["random ink"]
                                      else "")


print(f"area under the deletion curve, {len(trust_idx)} digits (lower = the map finds the pixels that matter):")
for name in sorted(auc, key=auc.get):
    print(f"  {name:20s} {auc[name]:.3f}   {'' if name == 'random ink' else deletion_verdict(name)}")

fig, ax = plt.subplots(figsize=(8, 4.2), constrained_layout=True)
for name, c in curves.items():
    ax.plot(FRACTIONS, c, "k--" if name == "random ink" else "o-", label=f"{name} (AUC {auc[name]:.2f})")
ax.set_xlabel("share of the digit's ink pixels set to 0, most attributed first")
ax.set_ylabel("mean probability of the true class")
ax.set_title("Deletion curves: the faster the fall, the better the map points at what matters")
ax.legend(fontsize=8)
ax.grid(alpha=0.3)
plt.show()

# %%
assert min(auc[name] for name in METHODS) < auc["random ink"], "some method must beat random deletion"
assert curves["random ink"][0] > 0.5, "undeleted digits are classified correctly"

# %% [markdown]
# What the two tests say, from the numbers above:

# %%
for name in METHODS:
    print(f"{name:20s} randomization: {'passes' if passes[name] else 'fails'} (lowest mean Spearman "
          f"{np.nanmin(correlation[name]):.2f});  deletion: AUC {auc[name]:.3f} vs random {auc['random ink']:.3f}, "
          f"{deletion_verdict(name)}")
faithful = {name for name in METHODS if auc[name] < 0.9 * auc["random ink"]}
both = [name for name in METHODS if passes[name] and name in faithful]
print(f"passes randomization: {[n for n in METHODS if passes[n]] or 'none'}; clearly beats random deletion: "
      f"{sorted(faithful, key=auc.get) or 'none'}; both: {both or 'none'}")

# %% [markdown]
# The last line says whether one method passes both tests. Read them as two questions, not one score:
# randomization asks whether a map depends on the network's learned weights at all, deletion whether it
# ranks the pixels the network needs. A map that follows the strokes does well at deleting them, and may
# follow the strokes just as well for a network with random top layers (then it partly shows the image,
# not the network); a coarse map can react to every weight change and still rank pixels poorly. Deletion
# has a blind spot too: a digit with holes punched into its strokes is an input the network never saw in
# training.
#
# ## 4 · Turning a 4 into a 9
#
# Now the other direction: instead of asking which pixels decide, change them. The **fast gradient sign
# method** (FGSM) takes one step: every pixel moves by ±ε, in the direction that raises
# score(9) − score(4), then the image is clipped to 0..1. **Projected gradient descent** (PGD; here an
# *ascent* of score(9) − score(4)) takes many small signed steps and after each one projects back into
# the box: no pixel farther than ε from the original, and all in 0..1. It stops a digit as soon as the
# network says 9. Both run on the course's ascent engine (notebook 06) with the standardization inside.

# %%
print(inspect.getsource(fgsm))
print(inspect.getsource(pgd))

# %% [markdown]
# The attacked digits: the first `N_ATTACK` test 4s the model classifies as 4. For each ε of the table,
# `flip_rates` runs both attacks on all of them at once and returns the share now called 9; we keep the PGD
# images too, for later.

# %%
attack_idx = np.flatnonzero((y_test == 4) & (pred == 4))[:N_ATTACK]
fours = x_test[attack_idx]
table = flip_rates(model, fours, EPSILONS, n_steps=PGD_STEPS, return_images=True)
rates = {"FGSM": table["fgsm"], "PGD": table["pgd"]}
attacked = dict(zip(EPSILONS, table["pgd_images"]))   # ε → PGD images
print(f"share of {len(fours)} test 4s called 9 after the attack (PGD: {PGD_STEPS} steps of ε/30):")
print("ε      " + "".join(f"{e:8.2f}" for e in EPSILONS))
for name, r in rates.items():
    print(f"{name:7s}" + "".join(f"{v:8.2f}" for v in r))

# %%
assert rates["PGD"][-1] >= rates["FGSM"][-1], "many projected steps flip at least as many digits as one step"
assert rates["PGD"][-1] > rates["PGD"][0], "a larger ε flips more digits"
for eps in EPSILONS:
    assert np.abs(attacked[eps] - fours[..., None]).max() <= eps + 1e-6, "PGD stays in the ε-ball"
    assert attacked[eps].min() >= 0 and attacked[eps].max() <= 1, "... and in 0..1"

# %% [markdown]
# How small can ε be? For each digit, the smallest ε at which PGD flips it, found by bisection on ε: all
# digits still open go in one batch per halving. A PGD run that flips a digit stops at once, often before its
# change reaches the radius it was given; so the upper end `hi` of each interval is the size (largest
# |change|) of the smallest flipping change found, and that flipped digit — the *witness* — comes back too.
# The lower end `lo` is a radius at which PGD did not flip the digit.

# %%
hi, lo, witness = smallest_flipping_eps(model, fours, eps_max=max(EPSILONS), tol=TOL, n_steps=PGD_STEPS,
                                       return_images=True)
flipped = np.isfinite(hi)
quartiles = np.percentile(hi[flipped], [25, 50, 75])
print(f"{flipped.sum()} of {len(fours)} digits flip within ε = {max(EPSILONS)}; smallest flipping ε, quartiles: "
      + " / ".join(f"{q:.3f}" for q in quartiles))
fig, ax = plt.subplots(figsize=(7, 3.2), constrained_layout=True)
ax.hist(hi[flipped], bins=np.linspace(0, max(EPSILONS), 25), color="tab:purple")
for q in quartiles:
    ax.axvline(q, color="k", ls=":", lw=1)
ax.set_xlabel("smallest ε that flips the digit to 9 (raw brightness per pixel)")
ax.set_ylabel("test 4s")
ax.set_title("How far each 4 is from being a 9 (dotted: quartiles)")
plt.show()

# %%
assert np.all(hi[flipped] - lo[flipped] <= TOL * hi[flipped] + 1e-6), "each interval is closed to TOL"
assert np.all(predict(model, witness[flipped]) == 9), "every witness is called 9"
assert np.allclose(np.abs(witness[flipped] - fours[flipped][..., None]).max(axis=(1, 2, 3)), hi[flipped], atol=1e-6)

# %% [markdown]
# Three of them, chosen by their smallest ε: the easiest, the median and the hardest digit that still flips,
# each shown with its witness, the smallest flipping change found. Beside them, the three test 9s the model
# is surest of.

# %%
order = np.flatnonzero(flipped)[np.argsort(hi[flipped], kind="stable")]
shown_rows = [order[0], order[len(order) // 2], order[-1]]
own = witness[shown_rows][..., 0]
p_own = predict_proba(model, own)
change = own - fours[shown_rows]
real_9s = select_four_nine(probs, y_test, n=3).clear_9
limit = float(hi[shown_rows].max())
fig, axes = plt.subplots(3, 4, figsize=(11, 8.4), constrained_layout=True)
for r, row in enumerate(shown_rows):
    axes[r, 0].imshow(fours[row], cmap="gray", vmin=0, vmax=1)
    axes[r, 0].set_title(f"test {attack_idx[row]}: P(9) = {probs[attack_idx[row], 9]:.3f}", fontsize=9)
    shown = axes[r, 1].imshow(change[r], cmap="RdBu_r", vmin=-limit, vmax=limit)
    axes[r, 1].set_title(f"change, largest |change| = {hi[row]:.3f}", fontsize=9)
    fig.colorbar(shown, ax=axes[r, 1], shrink=0.8, label="added brightness")
    axes[r, 2].imshow(own[r], cmap="gray", vmin=0, vmax=1)
    axes[r, 2].set_title(f"attacked: P(9) = {p_own[r, 9]:.3f}", fontsize=9)
    axes[r, 3].imshow(x_test[real_9s[r]], cmap="gray", vmin=0, vmax=1)
    axes[r, 3].set_title(f"a real 9: test {real_9s[r]}", fontsize=9)
for ax in axes.flat:
    ax.set_xticks([])
    ax.set_yticks([])
for r, name in enumerate(["easiest", "median", "hardest"]):
    axes[r, 0].set_ylabel(name)
fig.suptitle("Test 4s turned into '9's by their smallest flipping change (PGD), next to real 9s")
plt.show()

# %% [markdown]
# What does the change look like? Numbers for the PGD images at ε = 0.2 of the table, over all attacked digits:

# %%
E = 0.2
delta = attacked[E][..., 0] - fours
ink = fours > 0
moved = np.abs(delta) > 1e-6
print(f"pixels changed: {moved.mean():.0%}; of those, at the full ±ε: {np.mean(np.abs(delta[moved]) > E - 1e-3):.0%}")
print(f"on the background (pixel 0): {np.mean(delta[~ink] > 1e-6):.0%} of the pixels get brighter; "
      f"on the ink: {np.mean(delta[ink] < -1e-6):.0%} get darker, {np.mean(delta[ink] > 1e-6):.0%} brighter")
print(f"mean change of the top third of the image (rows 0-9): {delta[:, :10].mean():+.4f}, "
      f"of the rest: {delta[:, 10:].mean():+.4f}")

# %% [markdown]
# To the eye the change is a faint gray haze over much of the image, at most ε bright: the background
# brightens in places and parts of the strokes dim (the shares are printed above). A uniform brightening
# alone would do nothing, because the standardization subtracts the image's mean; what counts is the
# pattern. Where the haze is denser, at the top of the digit where a 9 closes its loop, or elsewhere, the
# last line says for this run. Next to the real 9s, compare for yourself whether any attacked digit looks
# like a 9 to you; the network, which reads the sum of many tiny changes each in the direction of its
# gradient, says 9.
#
# ## 5 · Back to notebook 05: which maps and nodes move
#
# Notebook 05 found, on the 4s and 9s of the validation images, the 8 Conv2D_3 maps whose averages differ
# most between 4s and 9s, and the 6 Dense_1 nodes that separate them best. We repeat its exact rule here
# and watch those maps and nodes on the attacked digits as ε grows (PGD images of the table, ε = 0: the
# original 4s). The horizontal lines are the mean over the validation 4s and 9s.

# %%
config = reference_record()["config"]
splits = split_train_validation(x_train_u8, y_train, config["n_validation"], seed=config["seed"])
is49_val = np.isin(splits["y_val"], [4, 9])
y49_val = splits["y_val"][is49_val]
val_acts = activations_of_layers(model, ["Conv2D_3", "Dense_1"], splits["x_val"][is49_val])
diff = map_differences(val_acts["Conv2D_3"][y49_val == 4], val_acts["Conv2D_3"][y49_val == 9])
top_maps = diff.top(8)
separation = node_separation(val_acts["Dense_1"][y49_val == 4], val_acts["Dense_1"][y49_val == 9])
best_nodes = np.argsort(-np.abs(separation), kind="stable")[:6]
print(f"05's rule on {np.sum(y49_val == 4)} validation 4s and {np.sum(y49_val == 9)} 9s: top maps "
      f"{top_maps.tolist()}, best nodes {best_nodes.tolist()}")

grid = [0.0, *EPSILONS]
acts_by_eps = [activations_of_layers(model, ["Conv2D_3", "Dense_1"], fours if e == 0 else attacked[e][..., 0])
               for e in grid]
typicality = [pattern_typicality(a["Conv2D_3"], diff.mean_a, diff.mean_b, maps=top_maps).mean() for a in acts_by_eps]
called_9 = [0.0, *rates["PGD"]]
typical_val = {d: pattern_typicality(val_acts["Conv2D_3"][y49_val == d], diff.mean_a, diff.mean_b,
                                     maps=top_maps).mean() for d in (4, 9)}

# %%
fig, axes = plt.subplots(1, 3, figsize=(15, 4), constrained_layout=True)
colors = plt.cm.tab10(np.arange(10))
for k, m in enumerate(top_maps[:4]):
    axes[0].plot(grid, [a["Conv2D_3"][..., m].mean() for a in acts_by_eps], "o-", color=colors[k], label=f"map {m}")
    axes[0].axhline(diff.mean_a[..., m].mean(), color=colors[k], ls="-", lw=1.2, alpha=0.8)
    axes[0].axhline(diff.mean_b[..., m].mean(), color=colors[k], ls="--", lw=1.2, alpha=0.8)
axes[0].set_title("Conv2D_3: 05's top 4 maps (solid line: mean of 4s, dashed: 9s)", fontsize=9)
axes[0].set_ylabel("mean activation over the 3×3 map")
for k, n in enumerate(best_nodes[:4]):
    axes[1].plot(grid, [a["Dense_1"][:, n].mean() for a in acts_by_eps], "o-", color=colors[k], label=f"node {n}")
    axes[1].axhline(val_acts["Dense_1"][y49_val == 4, n].mean(), color=colors[k], ls="-", lw=1.2, alpha=0.8)
    axes[1].axhline(val_acts["Dense_1"][y49_val == 9, n].mean(), color=colors[k], ls="--", lw=1.2, alpha=0.8)
axes[1].set_title("Dense_1: 05's best 4 nodes (solid line: mean of 4s, dashed: 9s)", fontsize=9)
axes[1].set_ylabel("activation")
axes[2].plot(grid, typicality, "o-", color="tab:red", label="typicality (top 8 maps)")
axes[2].plot(grid, called_9, "s--", color="tab:blue", label="share called 9")
axes[2].axhline(typical_val[4], color="tab:red", lw=0.8, label="typicality, validation 4s")
axes[2].axhline(typical_val[9], color="tab:red", ls="--", lw=0.8, label="typicality, validation 9s")
axes[2].set_ylabel("mean typicality / share")
axes[2].set_title("05's typicality: + like an average 4, − like an average 9", fontsize=9)
for ax in axes:
    ax.set_xlabel("ε of the PGD attack")
    ax.legend(fontsize=8)
    ax.grid(alpha=0.3)
plt.show()
print("ε:                 " + "".join(f"{e:8.2f}" for e in grid))
print("mean typicality:   " + "".join(f"{t:+8.2f}" for t in typicality))
print(f"mean typicality of the validation 4s: {typical_val[4]:+.2f}, of the validation 9s: {typical_val[9]:+.2f}")
toward = [np.mean(np.sign(separation[n]) * (acts_by_eps[-1]["Dense_1"][:, n] - acts_by_eps[0]["Dense_1"][:, n]) < 0)
          for n in best_nodes]
last = pattern_typicality(acts_by_eps[-1]["Conv2D_3"], diff.mean_a, diff.mean_b, maps=top_maps)
now_9 = predict(model, attacked[grid[-1]]) == 9
print(f"at ε = {grid[-1]}: {now_9.sum()} attacked digits are called 9; of these, {np.mean(last[now_9] > 0):.0%} still "
      f"have a pattern closer to the average 4 (typicality > 0)")
print("share of attacked digits whose node moved towards the 9s, at ε = "
      f"{grid[-1]}: " + ", ".join(f"node {n}: {t:.0%}" for n, t in zip(best_nodes, toward)))

# %%
assert typicality[-1] < typicality[0], "the attack must make the pattern less like an average 4"

# %% [markdown]
# Read the figure against 05: do the maps and nodes that separate 4s from 9s move from their 4 level
# towards their 9 level as ε grows, and how far? The printed shares say for how many digits each node moved
# the 9 way, and the typicality line says how far the attacked digits' pattern gets — compare its last value
# with that of the validation 9s. PGD stops a digit as soon as the network says 9, so an attacked digit only
# has to cross the decision boundary, not reach the middle of the 9s. The printed share of digits called 9
# whose pattern is still closer to the average 4 is notebook 05's lesson seen from the other side: the
# network does not compare the pattern with the average 4 and 9 as the typicality rule does; it reads the
# values through learned weights, and the attack follows the gradient of exactly that weighted read-out.
# The haze of section 4 is, for the network, a change in the very features it uses to tell the two apart.
#
# ## 6 · Explore
#
# Choose a test digit (or draw your own), a method and the class to explain — the predicted class, or any
# other: what makes this 4 a little bit of a 9? The figure shows the digit, its map, the map over the digit
# and the ten class probabilities.

# %%
# NBVAL_IGNORE_OUTPUT
from helpers.attribution.explorer import attribution_explorer

explorer = attribution_explorer(model, x_test, y_test)
explorer

# %% [markdown]
# ## What the numbers said
#
# The run's numbers in one place (each printed above where it was measured):

# %%
print(f"black path: the network's input is unchanged for α ≥ α* = {alpha_star:.3f} (test {CLEAR_4})")
print(f"integrated gradients, blurred baseline, {IG_STEPS} points: complete to "
      f"{np.max(np.abs(ig_sum - delta_f) / np.abs(delta_f)):.2%} at worst")
print(f"model randomization ({len(trust_idx)} digits, up to {randomized_names[-1]}): passes "
      f"{[n for n in METHODS if passes[n]] or 'none'}")
print(f"deletion AUC (random ink {auc['random ink']:.3f}): " + ", ".join(
    f"{n} {auc[n]:.3f}" for n in sorted(METHODS, key=auc.get)))
print(f"flipped to 9 at ε = {EPSILONS[1]} / {EPSILONS[-1]}: FGSM {rates['FGSM'][1]:.0%} / {rates['FGSM'][-1]:.0%}, "
      f"PGD {rates['PGD'][1]:.0%} / {rates['PGD'][-1]:.0%} of {len(fours)} test 4s; "
      f"median smallest ε {quartiles[1]:.3f}")
print(f"05's typicality of the attacked 4s: {typicality[0]:+.2f} → {typicality[-1]:+.2f} at ε = {grid[-1]} "
      f"(validation 4s {typical_val[4]:+.2f}, 9s {typical_val[9]:+.2f})")

# %% [markdown]
# ## What you should have seen
#
# - The model's standardization ignores the scale of an image: α·x looks the same to it down to
#   α* = 1/(28·std), so integrated gradients from a black image do all their work in a sliver of the path;
#   a blurred baseline avoids that.
# - Five methods, five different pictures of the same decision: gradients spread over the whole image,
#   integrated gradients tied to the strokes, blocky occlusion and a 3×3 Grad-CAM. Integrated gradients add
#   up to f(x) − f(baseline), and the saliency matches a finite difference.
# - The two sanity checks ask different questions and, in the verdicts above, need not pick the same
#   methods: which maps change when the top layers are randomized, and which ones find the pixels whose
#   deletion hurts the class most.
# - FGSM and PGD turn test 4s into "9"s; the flip-rate table and the smallest-ε quartiles say how small a
#   change suffices, with PGD's many steps flipping at least as many digits as FGSM's one step, and the
#   change is a faint haze spread over much of the image (the share of changed pixels in section 4).
# - The attack moves 05's top maps and nodes from the 4 side towards the 9 side; it stops each digit as
#   soon as the network says 9, so the pattern only crosses the boundary.
#
# ## Exercise · write FGSM yourself
#
# FGSM in one line: given raw images `x` (0..1) and the gradient `gradient` of score(9) − score(4) with
# respect to the raw pixels, return the attacked images — every pixel moved by ε in the direction of the
# gradient's *sign*, then kept in 0..1. The self-check computes the gradient for you from section 2's
# saliency (the gradient of one class score) and compares with `helpers.adversarial.fgsm`.

# %%
def my_fgsm(x, gradient, eps):
    """FGSM's attacked images (n, 28, 28): x moved by eps along sign(gradient), kept in 0..1."""
    # solution
    return np.clip(x + eps * np.sign(gradient), 0, 1)


# %%
# self-check: a few of the attacked 4s; the gradient of score(9) − score(4) is saliency(9) − saliency(4)
with self_check():
    EPS = 0.1
    x_check = fours[:4]
    g_check = saliency(model, x_check, 9) - saliency(model, x_check, 4)
    expected = fgsm(model, x_check, EPS)[..., 0]
    mine = np.asarray(my_fgsm(x_check, g_check, EPS), np.float32).reshape(expected.shape)
    step = mine - x_check
    inside = (x_check > 0.2) & (x_check < 0.8)      # pixels no clip to 0..1 can touch after a step of 0.1
    moved = np.abs(step) > 1e-6
    assert not any(np.allclose(mine, change, atol=1e-5) for change in (expected - x_check, EPS * np.sign(g_check))), (
        "that is the change ε·sign(gradient) alone: return the attacked images, x plus the change")
    assert mine.min() >= -EPS - 1e-3 and mine.max() <= 1 + EPS + 1e-3, (
        f"values from {mine.min():.2f} to {mine.max():.2f}, far outside 0..1: attack the raw pixels x as given "
        "(ε is raw brightness), not the standardized image")
    assert mine.min() >= 0 and mine.max() <= 1, (
        f"pixels from {mine.min():.2f} to {mine.max():.2f}: an image must stay in 0..1, so clip the result "
        "(staying within ε of x is not enough: x + ε leaves 0..1 wherever x is near 0 or 1)")
    assert moved.any(), "no pixel changed: move every pixel by ε"
    assert not (np.all(step >= 0) and np.all(step[x_check == 0] == 0)), (
        "only the ink got brighter: that is the sign of the pixels; take the sign of the gradient")
    agree = np.mean(np.sign(step[moved]) == np.sign(g_check[moved]))
    assert agree > 0.5, (f"only {agree:.0%} of the moved pixels go the gradient's way: FGSM climbs "
                         "score(9) − score(4), so add +ε·sign(gradient)")
    sizes = [np.abs(step[k][inside[k]]) for k in range(len(step))]       # per image
    assert all(np.allclose(size, EPS, atol=1e-5) for size in sizes), (
        "the pixels of one image move by different amounts: use only the sign of the gradient, not its size"
        if any(size.std() > 0.1 * size.mean() for size in sizes) else
        f"the pixels moved by {', '.join(f'{size.mean():.3f}' for size in sizes)} (per image), not by ε = {EPS}: "
        "ε is a change of raw brightness (0..1), not scaled by the image's standard deviation")
    assert np.mean(np.isclose(mine, expected, atol=1e-5)) > 0.999, (
        "the pixels move by ε, but not all of them in the gradient's direction: move each pixel by "
        "ε·sign(gradient), then clip to 0..1")
print("exercise solved: your FGSM matches helpers.adversarial.fgsm on "
      f"{np.mean(np.isclose(mine, expected, atol=1e-5)):.2%} of the pixels")
