# %% [markdown]
# > **Student version.** The exercises at the end of this notebook have stubs where the solutions were:
# > `# Your code here` and `raise NotImplementedError(...)` or `...`. Write your code there and run the
# > self-check below it; it fails until your answer is right. The solutions are in the notebook of the
# > same name one folder up, `../03_training_with_scheduler.ipynb`.
# >
# > Teachers: this file is generated from `notebooks/03_training_with_scheduler.py` by `python tools/make_exercises.py`;
# > edit that file, not this one.

# %% [markdown]
# # 03 · Training with a learning-rate schedule, momentum and L2
#
# This notebook follows **article III**: the CNN from notebook 02 is trained the careful way — plain
# stochastic gradient descent (SGD) with **momentum**, a **learning rate that shrinks every epoch**, and
# an **L2 regularizer** on the weights — while loss and accuracy curves are drawn live. At the end the
# trained model and the data splits are saved, and the result is compared with the course's reference model.
#
# You will learn
# - how an exponential learning-rate schedule looks, and why one plots it *before* training;
# - what momentum and L2 regularization do, in words and in one small picture each;
# - how to read training and validation curves while they grow;
# - why the data splits are saved exactly once, and how the course protects them;
# - how a run compares with the article's ≈ 99.35 % test accuracy, what random shifts of the training
#   images add (a baseline on plain data, as the article used), and what a comparison of two recipes
#   can and cannot say.
#
# **Run time.** Full mode (the default) trains the reference configuration: 30 epochs on 55,000 images,
# roughly 10–20 minutes on a laptop CPU. Quick mode (`CI=true` or `COURSE_QUICK=1`) trains 2 epochs on
# 12,000 images in well under a minute, with a lower accuracy.

# %%
# %matplotlib inline
import dataclasses
import inspect
import tempfile
import time
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np

import helpers
from helpers import (REFERENCE_CONFIG, build_cnn, evaluate_accuracy, load_mnist, load_model_file,
                     load_reference_model, load_splits, quick_mode, reference_record, save_splits,
                     split_train_validation, train_cnn)
from helpers.model import PLAIN_BASELINE_RECORD_PATH
from helpers.cnn.descent import descent_path, valley_loss
from helpers.cnn.evaluation import plot_validation_errors
from helpers.cnn.training import schedule_per_epoch
from helpers.exercise_check import self_check

QUICK = quick_mode()
ARTICLE_III_ACCURACY = 0.9935  # the test accuracy article III reports ("about 99.35 %")
print("quick mode" if QUICK else "full mode")

# %% [markdown]
# ## 1 · The configuration
#
# Everything that decides the run sits in one `TrainConfig`. The reference model shipped in `helpers/models/` was trained
# with exactly `REFERENCE_CONFIG`; quick mode only shortens it.
#
# - `learning_rate` 0.01 and `decay_rate` 0.85: the step size starts at 0.01 and is multiplied by 0.85 after
#   every epoch;
# - `momentum` 0.9: see section 3;
# - `l2` 1e-4: see section 4;
# - `batch_size` 64 images per step; `n_validation` 5,000 images held out; `seed` fixes the shuffling
#   and the initial weights;
# - `shift_pixels` 2: every training image is moved by up to 2 pixels in a random direction each time it
#   is shown. The network thus never sees exactly the same image twice, which helps it generalise — the
#   last tenths of a percent of accuracy come from such details.

# %%
config = dataclasses.replace(REFERENCE_CONFIG, epochs=2) if QUICK else REFERENCE_CONFIG
MAX_TRAIN_IMAGES = 12_000 if QUICK else None
for name, value in config.to_dict().items():
    print(f"{name:>14} = {value}")

# %% [markdown]
# ## 2 · The learning-rate schedule, before training
#
# The learning rate is the size of the step SGD takes against the gradient. Large steps make fast
# progress at the start but keep jumping around the bottom of the loss later; small steps settle but
# are slow. A schedule gives both: large steps first, then smaller and smaller ones. Keras applies it
# per optimization step; `helpers` uses a *staircase*, so the rate is constant within an epoch and drops
# by the factor `decay_rate` at every epoch boundary:

# %%
print(inspect.getsource(helpers.cnn.training.learning_rate_schedule))

# %% [markdown]
# Plotting the schedule before starting a long run is a cheap check that the configuration says what
# you meant: a decay that is too fast would freeze the network after a few epochs.

# %%
n_train = 60_000 - config.n_validation if MAX_TRAIN_IMAGES is None else MAX_TRAIN_IMAGES
steps_per_epoch = int(np.ceil(n_train / config.batch_size))
full_steps = int(np.ceil((60_000 - REFERENCE_CONFIG.n_validation) / REFERENCE_CONFIG.batch_size))
full_rates = schedule_per_epoch(REFERENCE_CONFIG, full_steps)
rates = schedule_per_epoch(config, steps_per_epoch)

fig, ax = plt.subplots(figsize=(8, 3.8), constrained_layout=True)
epochs = np.arange(1, len(full_rates) + 1)
ax.step(epochs, full_rates, where="post", label=f"REFERENCE_CONFIG ({len(full_rates)} epochs)")
ax.plot(epochs, full_rates, "o", color="tab:blue")
ax.plot(np.arange(1, len(rates) + 1), rates, "s", ms=10, mfc="none", color="tab:red",
        label=f"this run ({len(rates)} epochs)")
ax.set_yscale("log")
ax.set_xlabel("epoch")
ax.set_ylabel("learning rate (log scale)")
ax.set_title(f"Learning rate: {config.learning_rate} × {config.decay_rate}^(epoch − 1)")
ax.set_xticks(epochs)
ax.grid(alpha=0.3, which="both")
ax.legend()

print(f"epoch 1: {full_rates[0]:.5f}   epoch 10: {full_rates[9]:.5f}   epoch {len(full_rates)}: {full_rates[-1]:.6f}")
assert np.isclose(full_rates[0], REFERENCE_CONFIG.learning_rate)
assert np.allclose(full_rates[1:] / full_rates[:-1], REFERENCE_CONFIG.decay_rate)
assert np.allclose(rates, full_rates[:len(rates)])

# %% [markdown]
# ## 3 · Momentum
#
# Plain SGD moves each weight by −(learning rate × gradient): every step only knows the current batch.
# With momentum, the optimizer keeps a *velocity*: each step it keeps 90 % of the previous velocity
# (momentum 0.9) and adds −(learning rate × gradient). Directions in which the gradients agree from
# step to step build up speed; directions in which they flip back and forth cancel out.
#
# The CNN's loss lives in 208,982 dimensions, so here is the effect on a loss with two parameters: a long,
# narrow valley (steep across, gentle along). Both paths are computed with Keras' own `SGD` optimizer,
# the one the CNN is trained with, for 80 steps of the same learning rate.

# %%
plain = descent_path(momentum=0.0, learning_rate=0.004, steps=80)
heavy = descent_path(momentum=0.9, learning_rate=0.004, steps=80)

fig, (left, right) = plt.subplots(1, 2, figsize=(12, 4), constrained_layout=True)
a, b = np.meshgrid(np.linspace(-10, 3, 200), np.linspace(-2, 2, 200))
left.contour(a, b, valley_loss(np.array([a, b])), levels=np.geomspace(0.05, 200, 14), cmap="Greys", linewidths=0.8)
left.plot(plain[:, 0], plain[:, 1], ".-", label="SGD")
left.plot(heavy[:, 0], heavy[:, 1], ".-", label="SGD with momentum 0.9")
left.plot(0, 0, "k*", ms=12, label="minimum")
left.set_xlabel("parameter 1 (gentle direction)")
left.set_ylabel("parameter 2 (steep direction)")
left.set_title(f"{len(plain) - 1} steps on a narrow valley")
left.legend(loc="lower right")
right.semilogy([float(valley_loss(w)) for w in plain], label="SGD")
right.semilogy([float(valley_loss(w)) for w in heavy], label="SGD with momentum 0.9")
right.set_xlabel("step")
right.set_ylabel("loss (log scale)")
right.set_title("Loss along the two paths")
right.grid(alpha=0.3)
right.legend()

assert valley_loss(heavy[-1]) < 0.1 * valley_loss(plain[-1])

# %% [markdown]
# Plain SGD drops into the valley in a few steps and then crawls along its floor: there the gradient
# is tiny, and so is every step. With momentum these small gradients, all pointing the same way, add up
# to speed, and the path reaches the minimum. The price is visible too: carrying speed, it overshoots
# and swings across the valley a few times — the swings die out because each step keeps only 90 % of
# the velocity.
#
# ## 4 · L2 regularization
#
# L2 adds a penalty to the loss: `l2` × (sum of the squares of all kernel weights). To lower the total,
# the optimizer must now trade a better fit against smaller weights, so every step also pulls each
# weight a little towards 0 ("weight decay"). Networks with many small weights tend to react smoothly
# to their input instead of depending on a few large weights tuned to particular training images; they
# generalise better. Biases are not penalized.
#
# Keras collects the penalty of every regularized layer in `model.losses`; we check it against the formula.

# %%
regularized = build_cnn(l2=config.l2, seed=config.seed)
penalty = float(sum(float(loss) for loss in regularized.losses))
kernel_names = ["Conv2D_1", "Conv2D_2", "Conv2D_3", "Dense_1", "Dense_2"]
squares = {n: float(np.sum(np.square(regularized.get_layer(n).kernel.numpy(), dtype=np.float64))) for n in kernel_names}
by_formula = config.l2 * sum(squares.values())
print(f"L2 penalty of the untrained network: {penalty:.5f} (formula: {by_formula:.5f})")
print("sum of squared weights per layer:", {n: round(v, 1) for n, v in squares.items()})
print("for comparison, the cross-entropy of a network that guesses: ln 10 =", round(np.log(10), 3))
assert len(regularized.losses) == 5 and np.isclose(penalty, by_formula, rtol=1e-4)

# %% [markdown]
# At the start the penalty is small against the classification loss; it matters later, when the
# classification loss has become small and the weights would otherwise keep growing to squeeze out the
# last training errors.
#
# ## 5 · The data splits — saved once
#
# Later notebooks refer to images by their number ("validation image 123"). That only works if the
# split into training and validation images never changes. So the splits are saved to a file the first
# time and *loaded* on every later run; `save_splits` refuses to replace an existing file.
#
# Where things are saved: in full mode into `course_output/` in the folder you started Jupyter from
# (the notebook's working directory; ignored by git in the course checkout); in quick mode into a fresh
# temporary folder, so that test runs never touch your files.

# %%
OUTPUT_DIR = Path(tempfile.mkdtemp(prefix="course03_")) if QUICK else Path.cwd() / "course_output"
SPLITS_PATH = OUTPUT_DIR / "mnist_splits.npz"
MODEL_PATH = OUTPUT_DIR / "cnn_article3.keras"
print("saving into", OUTPUT_DIR)

(x_train, y_train), (x_test, y_test) = load_mnist()
if SPLITS_PATH.exists():
    splits = load_splits(SPLITS_PATH)
    print(f"loaded the splits saved earlier from {SPLITS_PATH}")
else:
    splits = split_train_validation(x_train, y_train, config.n_validation, seed=config.seed,
                                    x_test=x_test, y_test=y_test)
    save_splits(SPLITS_PATH, splits)
    print(f"saved new splits to {SPLITS_PATH}")

print({k: v.shape for k, v in splits.items()})
assert len(splits["x_val"]) == config.n_validation
assert np.array_equal(splits["x_val"], x_train[splits["val_indices"]])
assert np.array_equal(splits["x_test"], x_test)

# %% [markdown]
# What happens if a second run tries to save different splits over the first ones:

# %%
other_splits = split_train_validation(x_train, y_train, config.n_validation, seed=config.seed + 1,
                                      x_test=x_test, y_test=y_test)
try:
    save_splits(SPLITS_PATH, other_splits)
except FileExistsError as err:
    print("FileExistsError:", err)
else:
    raise AssertionError("save_splits should have refused to overwrite the saved splits")
assert np.array_equal(load_splits(SPLITS_PATH)["val_indices"], splits["val_indices"])  # still the first splits

# %% [markdown]
# ## 6 · Training with live curves
#
# The curves are redrawn after every epoch. The *training* values are averages over the epoch while the
# weights were still changing (and the images were randomly shifted); the *validation* values are
# measured on the 5,000 held-out images at the end of the epoch, so early on the validation accuracy can
# even be higher than the training accuracy.
#
# The model with the best validation accuracy so far is saved to `MODEL_PATH` after each epoch. A
# finished full-mode run is not repeated by accident: if the model file already exists, it is loaded
# instead of trained again — set `RETRAIN = True` to train anew and replace it.

# %%
RETRAIN = False
if MODEL_PATH.exists() and not RETRAIN:
    print(f"{MODEL_PATH} exists from an earlier run: loading it instead of training (set RETRAIN = True to train again)")
    result = None
else:
    model = build_cnn(l2=config.l2, seed=config.seed)
    start = time.perf_counter()
    result = train_cnn(model, splits, config, best_model_path=MODEL_PATH, live=None,
                       max_train_images=MAX_TRAIN_IMAGES, overwrite=RETRAIN)
    print(f"{len(result.epoch_seconds)} epochs in {time.perf_counter() - start:.0f} s, "
          f"{np.mean(result.epoch_seconds):.1f} s per epoch; best validation accuracy "
          f"{max(result.history['val_accuracy']):.4f} in epoch {int(np.argmax(result.history['val_accuracy'])) + 1}")

# %% [markdown]
# ## 7 · Test accuracy of the saved model

# %%
best = load_model_file(MODEL_PATH)
test_accuracy = evaluate_accuracy(best, splits["x_test"], splits["y_test"])
n_wrong = round((1 - test_accuracy) * len(splits["y_test"]))
print(f"test accuracy of {MODEL_PATH.name}: {test_accuracy:.2%} ({n_wrong} of {len(splits['y_test']):,} wrong)")
# a floor any reasonable run of this recipe meets (it is your model, not the reference model, that is tested here)
assert test_accuracy >= (0.97 if QUICK else 0.985)

# %% [markdown]
# ## 8 · What the shifts buy: the article's plain data as a baseline
#
# Article III trained on the MNIST images exactly as they are and reports about 99.35 % test accuracy.
# `REFERENCE_CONFIG` adds one thing the article did not have: `shift_pixels=2`, random moves of every
# training image by up to 2 pixels. A digit moved by a pixel is still the same digit, so the shifted
# copies are extra, honest training examples. Without them the network soon knows the 55,000 training
# images almost by heart (training accuracy near 100 %) while the validation accuracy stalls; with them
# it has to learn strokes that work wherever they sit.
#
# The baseline is the same configuration with `shift_pixels=0`: the article's plain data, but otherwise the
# course's recipe (how that recipe differs from the article's is listed after the figure). Quick mode
# trains it right here, like the run above. In full mode that would cost another 10–20 minutes, so by
# default the notebook reads the record of a full plain run made with the course's own `train_reference`
# (shipped as `helpers/models/plain_baseline.json`); set `TRAIN_BASELINE = True` to train it yourself.
#
# How to read the figure: the lines are *validation* errors, measured after every epoch on the 5,000
# held-out training images. The stars are *test* errors, on the 10,000 MNIST test images, of the model each
# run keeps (the epoch with the best validation accuracy). The dotted line is the article's test error: one
# number at the end of its training, not a curve. Compare the dotted line with the stars, which are measured
# on the same test images — not with the lines, which are measured on other images (a star and the lowest
# point of its line differ only because the images differ).

# %%
plain_config = dataclasses.replace(config, shift_pixels=0)
TRAIN_BASELINE = QUICK
if TRAIN_BASELINE:
    plain_path = OUTPUT_DIR / "cnn_plain.keras"
    plain_result = train_cnn(build_cnn(l2=plain_config.l2, seed=plain_config.seed), splits, plain_config,
                             best_model_path=plain_path, live=False, max_train_images=MAX_TRAIN_IMAGES,
                             overwrite=True)
    plain_accuracy = evaluate_accuracy(load_model_file(plain_path), splits["x_test"], splits["y_test"])
    plain_val, plain_source = plain_result.history["val_accuracy"], "trained just now"
else:
    plain_record = reference_record(PLAIN_BASELINE_RECORD_PATH)
    # the same recipe as the reference model except for the shifts
    assert {**plain_record["config"], "shift_pixels": 2, "notes": ""} == REFERENCE_CONFIG.to_dict()
    plain_accuracy, plain_val = plain_record["test_accuracy"], plain_record["history"]["val_accuracy"]
    plain_source = f"record of a full run, {plain_record['date']}"
shifted_val = result.history["val_accuracy"] if result is not None else reference_record()["history"]["val_accuracy"]

runs = {"shifts of ±2 px": (test_accuracy, shifted_val, "tab:blue"),
        f"plain data ({plain_source})": (plain_accuracy, plain_val, "tab:orange")}
for name, (accuracy, _, _) in runs.items():
    print(f"{name:<48} test accuracy {accuracy:.2%} ({round((1 - accuracy) * len(y_test))} of {len(y_test):,} wrong)")
print(f"the shifts change the test accuracy by {100 * (test_accuracy - plain_accuracy):+.2f} percentage points; "
      f"article III (plain data) reports {ARTICLE_III_ACCURACY:.2%}")

fig, ax = plt.subplots(figsize=(7.5, 3.8), constrained_layout=True)
plot_validation_errors(ax, {f"{name}: validation error": (val, "o-", color) for name, (_, val, color) in runs.items()},
                       title="Validation error per epoch (lines) and test error of the kept model (stars)")
for name, (accuracy, val, color) in runs.items():
    ax.plot(int(np.argmax(val)) + 1, 100 * (1 - accuracy), "*", ms=15, color=color, mec="black",
            label=f"{name}: test error")
ax.axhline(100 * (1 - ARTICLE_III_ACCURACY), color="gray", ls=":",
           label=f"article III: test error at the end ({100 * (1 - ARTICLE_III_ACCURACY):.2f} %)")
ax.set_ylabel("error (%, log scale)")
ax.legend(fontsize=7)
plt.show()

# %%
# floors a learner's own run meets too (with TRAIN_BASELINE = True the baseline is your run)
assert plain_accuracy >= (0.95 if QUICK else 0.985)

# %% [markdown]
# ### Why is the plain baseline below the article?
#
# The recorded full plain run ends *below* the article's ≈ 99.35 %, so plain data alone does not reproduce
# the article; the rest of its recipe is the course's. Side by side: the course's values, read from the
# shipped records (in quick mode too), and what the course's texts say about the article (a summary of
# article III, and article VI, which saves its model and data after training):

# %%
plain_record = reference_record(PLAIN_BASELINE_RECORD_PATH)
reference_rec = reference_record()
cfg, val = plain_record["config"], plain_record["history"]["val_accuracy"]
kept, last = plain_record["best_epoch"], len(val)
comparison = [
    ("test images", "the 10,000 MNIST test images", "the 10,000 MNIST test images"),
    ("training images", f"{60_000 - cfg['n_validation']:,} ({cfg['n_validation']:,} held out for validation)",
     "not stated in the course's texts (article VI saves only training and test sets)"),
    ("model evaluated", f"the best validation epoch: {kept} of {last}", "the model at the end of training (article VI)"),
    ("augmentation", f"shift_pixels = {cfg['shift_pixels']}", "none"),
    ("optimizer", f"{cfg['optimizer'].upper()}, momentum {cfg['momentum']}", "with momentum; settings not in the course's texts"),
    ("learning rate", f"{cfg['learning_rate']} × {cfg['decay_rate']} per epoch", "a scheduler; values not in the course's texts"),
    ("L2 factor", f"{cfg['l2']}", "an L2 regularizer; value not in the course's texts"),
    ("epochs, batch size", f"{plain_record['epochs_trained']}, {cfg['batch_size']}", "not in the course's texts"),
    ("initial weights", f"Keras {plain_record['keras']} defaults, seed {cfg['seed']}", "not in the course's texts (an older tf.keras)"),
    ("runs", "1", "1 reported result"),
]
print(f"{'':<20} {'course, plain baseline (record)':<48} article III")
for what, course, article in comparison:
    print(f"{what:<20} {course:<48} {article}")
gap = ARTICLE_III_ACCURACY - plain_record["test_accuracy"]
print(f"\nplain baseline: test accuracy {plain_record['test_accuracy']:.2%}, {100 * gap:.2f} percentage points "
      f"({round(gap * 10_000)} test images) below the article's {ARTICLE_III_ACCURACY:.2%}")
print(f"plain baseline, validation accuracy: kept epoch {kept} {val[kept - 1]:.2%}, last epoch {last} {val[-1]:.2%} "
      f"({round((val[kept - 1] - val[-1]) * cfg['n_validation'])} of {cfg['n_validation']:,} images apart); "
      f"training accuracy in the last epoch {plain_record['history']['accuracy'][-1]:.2%}")
print(f"reference model (with shifts): test accuracy {reference_rec['test_accuracy']:.2%}")

# the sentences around this cell describe the shipped records: keep them true
assert plain_record["test_accuracy"] < ARTICLE_III_ACCURACY < reference_rec["test_accuracy"]
assert abs(val[kept - 1] - val[-1]) * cfg["n_validation"] <= 10, "kept and last epoch: a few validation images apart"
assert plain_record["history"]["accuracy"][-1] > 0.999, "the plain run knows its training images almost by heart"

# %% [markdown]
# No run in this course explains the gap: that would take more full training runs (all 60,000 training
# images, the last epoch instead of the best, other seeds), and none has been made. The records show two
# things: the kept and the last epoch are only a few validation images apart, so keeping the best epoch is
# unlikely to be the whole story; and the plain run knows its training images almost by heart, which is what
# the shifts counter. The reference model's lead over the article is one run of each recipe too: how much
# this recipe varies from seed to seed has not been measured.
#
# ## 9 · Comparison with the reference model
#
# The reference model (`helpers/models/reference_cnn.keras`, loaded with `load_reference_model()`) was
# trained once with `REFERENCE_CONFIG` on full MNIST, and its record notes how — including its validation accuracy after every epoch, which we draw next to this run's.
# Notebooks 04–08 use the reference model, so that you can start anywhere in the course without training.

# %%
reference = load_reference_model()
record = reference_record()
reference_accuracy = evaluate_accuracy(reference, x_test, y_test)
assert abs(reference_accuracy - record["test_accuracy"]) < 1e-3  # the record describes this model
assert reference_accuracy >= 0.993  # the committed reference model's own result (not a floor for your run)

rows = {
    "reference model": (reference_accuracy, record["epochs_trained"], 60_000 - record["config"]["n_validation"],
                        float(np.median(record["seconds_per_epoch"]))),
    "this notebook": (test_accuracy, len(result.epoch_seconds) if result else float("nan"), n_train,
                      float(np.median(result.epoch_seconds)) if result else float("nan")),
}
print(f"{'':<16} {'test accuracy':>13} {'epochs':>7} {'training images':>16} {'s per epoch (median)':>21}")
for name, (acc, n_epochs, n_images, seconds) in rows.items():
    print(f"{name:<16} {acc:>13.2%} {n_epochs:>7} {n_images:>16,} {seconds:>21.1f}")
print(f"reference trained on {record['date']} with TensorFlow {record['tensorflow']}, Keras {record['keras']}, "
      f"{record['machine']}")

fig, (curve_ax, ax) = plt.subplots(1, 2, figsize=(13, 3.6), constrained_layout=True)
curves = {"reference model": (record["history"]["val_accuracy"], "o-", "tab:green")}
if result is not None:
    curves["this notebook"] = (result.history["val_accuracy"], "s--", "tab:blue")
plot_validation_errors(curve_ax, curves)
curve_ax.legend()

errors = {name: 100 * (1 - row[0]) for name, row in rows.items()}
bars = ax.barh(list(errors), list(errors.values()), color=["tab:green", "tab:blue"])
ax.bar_label(bars, labels=[f" {e:.2f} %" for e in errors.values()])
ax.axvline(100 * (1 - ARTICLE_III_ACCURACY), color="gray", ls=":",
           label=f"article III: {100 * (1 - ARTICLE_III_ACCURACY):.2f} % ({ARTICLE_III_ACCURACY:.2%} accuracy)")
ax.set_xlabel("test error (%)")
ax.set_xlim(0, max(max(errors.values()) * 1.25, 1))
ax.set_title("Test error: lower is better")
ax.legend(loc="lower right", fontsize=8)
plt.show()

# %% [markdown]
# ## What you should have seen
#
# - The learning rate falls from 0.01 by a factor 0.85 per epoch, to about 9·10⁻⁵ in epoch 30.
# - Momentum turned a crawl along the valley floor into a quick (if swinging) descent on the toy
#   valley; L2 adds a small penalty `l2 · Σ w²` that keeps the weights small.
# - Loss fell and accuracy rose epoch by epoch; the validation accuracy flattened as the rate got small.
# - The splits were saved once; a second `save_splits` raised `FileExistsError` and the file stayed unchanged.
# - The test accuracy of your run and of the reference model, side by side in section 9 (quick mode trains
#   only briefly and stays lower). With the random shifts the reference model is above the article's
#   ≈ 99.35 %; the plain-data baseline is below it. Section 8 lists how the course's recipe differs from
#   the article's; no run in the course tells which difference accounts for the gap.
#
# ## Exercise
#
# **1.** Write `my_learning_rate(epoch, config)`: the rate used in epoch `epoch` (counting from 0), for
# any configuration with a decay. **2.** After how many epochs (counting from 0) has the reference
# schedule fallen below one tenth of its initial value? Put your answers below and run the check.

# %%
def my_learning_rate(epoch, config):
    """The learning rate in epoch ``epoch`` (from 0) of a ``TrainConfig`` with a decay per epoch."""
    # Your code here
    raise NotImplementedError("my_learning_rate is not written yet")


my_first_epoch_below_a_tenth = ...  # Your code here

# %%
# self-check against the schedule Keras really uses
with self_check(my_first_epoch_below_a_tenth=my_first_epoch_below_a_tenth):
    for cfg in (REFERENCE_CONFIG,
                dataclasses.replace(REFERENCE_CONFIG, learning_rate=0.05, decay_rate=0.5, epochs=8)):
        expected = schedule_per_epoch(cfg, steps_per_epoch=100)
        mine = np.array([my_learning_rate(e, cfg) for e in range(cfg.epochs)], dtype=float)
        first = "the first decay comes after epoch 0" if np.isclose(mine[0], expected[0] * cfg.decay_rate) \
            else "start from config.learning_rate (the check also tries another configuration)"
        assert np.isclose(mine[0], expected[0], rtol=1e-5), \
            f"epoch 0 runs at the initial rate {expected[0]:g}, yours is {mine[0]:g}: {first}"
        assert np.allclose(mine, expected, rtol=1e-5), \
            (f"the rate is multiplied by decay_rate = {cfg.decay_rate} once per epoch: expected "
             f"{np.round(expected[:5], 6).tolist()} ..., got {np.round(mine[:5], 6).tolist()} ...")
    reference_rates = schedule_per_epoch(REFERENCE_CONFIG, 100)
    assert my_first_epoch_below_a_tenth == int(np.argmax(reference_rates < reference_rates[0] / 10)), \
        (f"{my_first_epoch_below_a_tenth} is not the first epoch whose rate is below {reference_rates[0] / 10:.0e} "
         "(epochs count from 0, and the rate must be below a tenth, not just close to it)")
print("Both answers are correct.")
