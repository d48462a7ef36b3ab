"""Looking at a trained classifier's answers: which digits it confuses, and how sure it is (articles II, III).

The confusion matrix itself is computed by :func:`helpers.cnn.training.confusion_matrix`; this module
reads and draws it.
"""
from __future__ import annotations

import numpy as np


def most_confused_pairs(cm, top: int = 5) -> list[tuple[int, int, int]]:
    """The ``top`` off-diagonal cells of a confusion matrix as (true digit, predicted digit, count),
    largest count first (ties: smaller true digit first). Cells with count 0 are left out.
    Taught in notebook 02, section 5."""
    cm = np.asarray(cm)
    if cm.ndim != 2 or cm.shape[0] != cm.shape[1]:
        raise ValueError(f"A confusion matrix is square; got shape {cm.shape}.")
    pairs = [(int(i), int(j), int(cm[i, j])) for i in range(cm.shape[0]) for j in range(cm.shape[1])
             if i != j and cm[i, j] > 0]
    pairs.sort(key=lambda p: (-p[2], p[0], p[1]))
    return pairs[:top]


def per_class_accuracy(cm) -> np.ndarray:
    """For each true digit: the fraction of its images that were classified correctly (diagonal / row sum).
    Notebook 02 has the learner write it in its exercise (``my_per_class_accuracy``)."""
    cm = np.asarray(cm, dtype=np.float64)
    rows = cm.sum(axis=1)
    return np.divide(np.diag(cm), rows, out=np.full(len(rows), np.nan), where=rows > 0)


def plot_confusion_matrix(cm, *, title: str = "Confusion matrix (test set)"):
    """Counts in every cell; a logarithmic colour scale so that the few errors stay visible next to the
    ~1000 correct answers per digit on the diagonal. Empty cells stay white. Taught in notebook 02, section 5."""
    import matplotlib.pyplot as plt
    from matplotlib.colors import LogNorm

    cm = np.asarray(cm)
    n = cm.shape[0]
    cmap = plt.get_cmap("Blues").with_extremes(bad="white")
    fig, ax = plt.subplots(figsize=(7.5, 6.5), constrained_layout=True)
    im = ax.imshow(np.ma.masked_equal(cm, 0), cmap=cmap, norm=LogNorm(vmin=1, vmax=max(int(cm.max()), 2)))
    for i in range(n):
        for j in range(n):
            if cm[i, j]:
                dark = cm[i, j] > np.sqrt(max(int(cm.max()), 1)) * 3
                ax.text(j, i, str(cm[i, j]), ha="center", va="center", fontsize=8,
                        color="white" if dark else "black")
    ax.set_xticks(range(n))
    ax.set_yticks(range(n))
    ax.set_xlabel("predicted digit")
    ax.set_ylabel("true digit")
    ax.set_title(title)
    fig.colorbar(im, ax=ax, label="number of images (log scale)")
    return fig


def plot_predictions(images, probabilities, labels, *, title: str | None = None):
    """One column per image: the digit on top (true and predicted class), its 10 class probabilities below.
    Taught in notebook 02, section 4."""
    import matplotlib.pyplot as plt

    images, probabilities, labels = np.asarray(images), np.asarray(probabilities), np.asarray(labels)
    if not len(images) == len(probabilities) == len(labels):
        raise ValueError(f"Got {len(images)} images, {len(probabilities)} probability rows and {len(labels)} labels.")
    n = len(images)
    fig, axes = plt.subplots(2, n, figsize=(1.9 * n, 4.2), squeeze=False, constrained_layout=True,
                             gridspec_kw={"height_ratios": [1.2, 1]})
    for k in range(n):
        pred = int(probabilities[k].argmax())
        ok = pred == int(labels[k])
        top, bottom = axes[0, k], axes[1, k]
        top.imshow(images[k].reshape(28, 28), cmap="gray_r")
        top.set_title(f"true {int(labels[k])} → {pred}\np = {probabilities[k, pred]:.3f}", fontsize=9,
                      color="black" if ok else "red")
        top.axis("off")
        colors = ["tab:gray"] * probabilities.shape[1]
        colors[pred] = "tab:green" if ok else "tab:red"
        bottom.bar(range(probabilities.shape[1]), probabilities[k], color=colors)
        bottom.set_ylim(0, 1)
        bottom.set_xticks(range(probabilities.shape[1]))
        bottom.tick_params(labelsize=7)
        bottom.set_xlabel("digit", fontsize=8)
        if k == 0:
            bottom.set_ylabel("probability")
        else:
            bottom.set_yticklabels([])
    if title:
        fig.suptitle(title)
    return fig


def plot_validation_errors(ax, curves, *, title: str = "Validation error per epoch"):
    """Validation error (%, log scale with plain tick labels) per epoch on ``ax``, one line per run.
    curves: {label: (validation accuracies per epoch, matplotlib format string, colour)}.
    Used in notebook 03, sections 8 and 9."""
    from matplotlib.ticker import FuncFormatter, MaxNLocator

    for label, (val_accuracy, fmt, color) in curves.items():
        ax.plot(np.arange(1, len(val_accuracy) + 1), 100 * (1 - np.asarray(val_accuracy)), fmt, ms=4,
                color=color, label=label)
    ax.set_yscale("log")
    plain_numbers = FuncFormatter(lambda value, _: f"{value:g}")  # 0.6 instead of 6×10⁻¹
    ax.yaxis.set_major_formatter(plain_numbers)
    ax.yaxis.set_minor_formatter(plain_numbers)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set(xlabel="epoch", ylabel="validation error (%, log scale)", title=title)
    ax.grid(alpha=0.3, which="both")
    return ax
