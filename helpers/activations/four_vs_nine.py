"""4 versus 9 (article VI): which digits to look at, where Conv2D_3 differs, and how linearly separable
the two classes are before and after the first dense layer.

- :func:`select_four_nine` picks clear 4s and 9s and ambiguous ones from the model's probabilities
  (no hand-picked image numbers, so it works for any trained model).
- :func:`map_differences` compares the average Conv2D_3 maps of all 4s with those of all 9s.
- :func:`pattern_typicality` / :func:`unclear_but_confident` find digits whose Conv2D_3 pattern does not
  look like the average pattern of their class although the model is sure of them (article VI's "strange 4").
- :func:`fit_logistic_regression` / :func:`linear_separability` measure how well a plain linear
  classifier separates 4s from 9s given a layer's activations.
- :func:`node_separation` scores each Dense_1 node by how differently it responds to 4s and 9s.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

_EPS = 1e-30  # float32 softmax outputs can be exactly 0 or 1; keeps the logarithms finite


def confidence_margin(probabilities, classes) -> np.ndarray:
    """How sure the model is of ``classes`` (one class per image): log P(class) − log P(strongest other class).

    Softmax probabilities of very clear digits are often exactly 1.0 in float32, so they cannot rank
    them; the log ratio can (it equals the difference of the class scores before the softmax).
    Positive: the model picks this class; large: it is very sure.
    Taught in notebook 05, section 1.
    """
    p = np.asarray(probabilities, dtype=np.float64)
    classes = np.asarray(classes, dtype=int)
    rows = np.arange(len(p))
    others = p.copy()
    others[rows, classes] = -np.inf
    return np.log(p[rows, classes] + _EPS) - np.log(others.max(axis=1) + _EPS)


def clear_examples(probabilities, labels, digit: int, n: int = 3) -> np.ndarray:
    """Indices of the ``n`` images of ``digit`` that the model classifies as ``digit`` most confidently,
    most confident first (by :func:`confidence_margin`). Taught in notebook 04, section 5."""
    labels = np.asarray(labels)
    candidates = np.flatnonzero(labels == digit)
    if candidates.size == 0:
        raise ValueError(f"There is no image with label {digit} in the data.")
    margin = confidence_margin(np.asarray(probabilities)[candidates], labels[candidates])
    order = np.argsort(-margin, kind="stable")
    return candidates[order[:n]]


def varied_examples(images, probabilities, labels, digit: int, n: int = 3, pool: int = 200) -> np.ndarray:
    """Indices of ``n`` images of ``digit`` that the model is sure about *and* that are written differently
    (taught in notebook 04, section 5).

    The most confident images of a digit look alike (the same clean, upright style). So: take the ``pool``
    most confident ones (:func:`clear_examples`), start with the surest, and add each time the image
    farthest (Euclidean pixel distance) from the ones already chosen.
    """
    if n < 1 or pool < n:
        raise ValueError(f"need 1 <= n <= pool; got n={n}, pool={pool}.")
    candidates = clear_examples(probabilities, labels, digit, n=pool)
    # Cast only the candidates: a float64 copy of the whole set (the test set: 63 MB) is not needed.
    flat = np.asarray(images)[candidates].astype(np.float64).reshape(len(candidates), -1)
    chosen = [0]
    nearest = np.linalg.norm(flat - flat[0], axis=1)  # distance of every candidate to the chosen set
    while len(chosen) < min(n, len(candidates)):
        nxt = int(np.argmax(nearest))
        chosen.append(nxt)
        nearest = np.minimum(nearest, np.linalg.norm(flat - flat[nxt], axis=1))
    return candidates[chosen]


def mean_pairwise_distance(images, indices) -> float:
    """Mean Euclidean pixel distance between the images at ``indices`` (how different they look).
    Taught in notebook 04, section 5."""
    flat = np.asarray(images)[np.asarray(indices)].astype(np.float64).reshape(len(indices), -1)  # cast only these
    d = np.linalg.norm(flat[:, None] - flat[None], axis=-1)
    return float(d[np.triu_indices(len(flat), 1)].mean())


def ambiguous_examples(probabilities, labels, digit: int, other: int, n: int = 3, *,
                       correct_only: bool = False) -> np.ndarray:
    """Indices of the ``n`` true ``digit``s to which the model gives the highest probability of ``other``,
    highest first. They include digits the model gets wrong, unless ``correct_only=True`` keeps only
    those it still classifies as ``digit`` (like the article's 4 with P(4) = 93.5 %).
    Taught in notebook 05, section 1."""
    labels = np.asarray(labels)
    probabilities = np.asarray(probabilities, dtype=np.float64)
    mask = labels == digit
    if correct_only:
        mask &= probabilities.argmax(axis=1) == digit
    candidates = np.flatnonzero(mask)
    if candidates.size == 0:
        raise ValueError(f"There is no image with label {digit}"
                         f"{' that the model classifies correctly' if correct_only else ''} in the data.")
    p_other = probabilities[candidates, other]
    order = np.argsort(-p_other, kind="stable")
    return candidates[order[:n]]


@dataclass
class FourNineSelection:
    """Indices into the data set that was searched, each list ordered as its function describes.
    Returned by :func:`select_four_nine`; used in notebook 05, sections 1, 2 and 4."""

    clear_4: np.ndarray
    clear_9: np.ndarray
    ambiguous_4: np.ndarray  # true 4s with the highest P(9)
    ambiguous_9: np.ndarray  # true 9s with the highest P(4)


def select_four_nine(probabilities, labels, n: int = 3, digits=(4, 9)) -> FourNineSelection:
    """Clear and ambiguous examples of two digits (4 and 9 by default) from the model's probabilities.
    Taught in notebook 05, section 1."""
    a, b = digits
    return FourNineSelection(clear_examples(probabilities, labels, a, n), clear_examples(probabilities, labels, b, n),
                             ambiguous_examples(probabilities, labels, a, b, n),
                             ambiguous_examples(probabilities, labels, b, a, n))


@dataclass
class MapDifference:
    """Class-average maps of two groups of images and how much each map differs between them.
    Returned by :func:`map_differences`; used in notebook 05, sections 3 and 5."""

    mean_a: np.ndarray      # (h, w, n_maps): average maps of group a (e.g. all 4s)
    mean_b: np.ndarray      # same for group b (e.g. all 9s)
    difference: np.ndarray  # mean_a − mean_b
    score: np.ndarray       # (n_maps,): root mean square of the difference over the map's positions
    ranking: np.ndarray     # map indices, largest score first

    def top(self, k: int = 8) -> np.ndarray:
        return self.ranking[:k]


def map_differences(activations_a, activations_b) -> MapDifference:
    """Compare conv/pool activations (N, h, w, n_maps) of two groups of images map by map.

    The score of a map is the root mean square over its h×w positions of (average map of a −
    average map of b), in activation units: it is large for maps that light up at other places, or
    much more strongly, for one group than for the other.
    Taught in notebook 05, section 3.
    """
    a, b = np.asarray(activations_a, dtype=np.float64), np.asarray(activations_b, dtype=np.float64)
    if a.ndim != 4 or b.ndim != 4 or a.shape[1:] != b.shape[1:]:
        raise ValueError(f"Expected two batches of maps (N, h, w, n_maps) of the same map shape; "
                         f"got {a.shape} and {b.shape}.")
    mean_a, mean_b = a.mean(axis=0), b.mean(axis=0)
    diff = mean_a - mean_b
    score = np.sqrt((diff ** 2).mean(axis=(0, 1)))
    return MapDifference(mean_a, mean_b, diff, score, np.argsort(-score, kind="stable"))


def pattern_typicality(activations, mean_a, mean_b, maps=None) -> np.ndarray:
    """How much each image's activation pattern looks like the average pattern of group a rather than of b:
    corr(pattern, mean_a) − corr(pattern, mean_b), one number per image.
    Taught in notebook 05, section 5; used again in section 6 as a rule without fitted weights.

    activations: (N, h, w, n_maps); mean_a, mean_b: (h, w, n_maps), e.g. ``MapDifference.mean_a`` and
    ``mean_b``. maps: the map indices to compare (all maps if None). The correlations are Pearson
    correlations over the h·w·len(maps) values, so overall brightness does not count, only where the
    pattern is high and low. Positive: closer to a typical a; negative: closer to a typical b; a flat
    pattern (no variation) correlates with nothing and gets 0.
    """
    acts = np.asarray(activations, dtype=np.float64)
    mean_a, mean_b = np.asarray(mean_a, dtype=np.float64), np.asarray(mean_b, dtype=np.float64)
    if acts.ndim != 4 or mean_a.shape != acts.shape[1:] or mean_b.shape != acts.shape[1:]:
        raise ValueError(f"Expected activations (N, h, w, n_maps) and two average patterns (h, w, n_maps) of the "
                         f"same shape; got {acts.shape}, {mean_a.shape} and {mean_b.shape}.")
    if maps is not None:
        maps = np.atleast_1d(np.asarray(maps, dtype=int))
        acts, mean_a, mean_b = acts[..., maps], mean_a[..., maps], mean_b[..., maps]
    x = acts.reshape(len(acts), -1)
    x = x - x.mean(axis=1, keepdims=True)
    x_norm = np.linalg.norm(x, axis=1)

    def correlation(mean):
        m = mean.ravel() - mean.mean()
        denominator = x_norm * np.linalg.norm(m)
        return np.divide(x @ m, denominator, out=np.zeros(len(x)), where=denominator > 1e-12)

    return correlation(mean_a) - correlation(mean_b)


def unclear_but_confident(typicality, probabilities, labels, digit: int, *, min_probability: float = 0.9,
                          n: int = 3) -> np.ndarray:
    """Indices of up to ``n`` images of ``digit`` that the model gives P(digit) >= ``min_probability`` although
    their pattern is the least typical of their class (lowest ``typicality`` first, from
    :func:`pattern_typicality`): article VI's case of a 4 that looks unclear at Conv2D_3 and is still
    called a 4 with confidence. Taught in notebook 05, section 5.

    typicality, probabilities (N, n_classes) and labels (N,) describe the same N images.
    """
    typicality = np.asarray(typicality, dtype=np.float64)
    probabilities, labels = np.asarray(probabilities, dtype=np.float64), np.asarray(labels)
    if not len(typicality) == len(probabilities) == len(labels):
        raise ValueError(f"typicality, probabilities and labels must describe the same images; got "
                         f"{len(typicality)}, {len(probabilities)} and {len(labels)} rows.")
    candidates = np.flatnonzero((labels == digit) & (probabilities[:, digit] >= min_probability))
    if candidates.size == 0:
        raise ValueError(f"No image with label {digit} gets P({digit}) >= {min_probability}; "
                         "lower min_probability.")
    order = np.argsort(typicality[candidates], kind="stable")
    return candidates[order[:n]]


def node_separation(activations_a, activations_b) -> np.ndarray:
    """Standardized mean difference per node, (mean_a − mean_b) / pooled std, for dense activations (N, n).

    Positive: the node responds more to group a. Nodes that never vary get 0.
    Taught in notebook 05, section 7.
    """
    a, b = np.asarray(activations_a, dtype=np.float64), np.asarray(activations_b, dtype=np.float64)
    if a.ndim != 2 or b.ndim != 2 or a.shape[1] != b.shape[1]:
        raise ValueError(f"Expected two batches of node values (N, n_nodes); got {a.shape} and {b.shape}.")
    pooled = np.sqrt(((len(a) - 1) * a.var(axis=0, ddof=1) + (len(b) - 1) * b.var(axis=0, ddof=1))
                     / (len(a) + len(b) - 2))
    diff = a.mean(axis=0) - b.mean(axis=0)
    return np.divide(diff, pooled, out=np.zeros_like(diff), where=pooled > 1e-12)


@dataclass
class LogisticModel:
    """A fitted binary logistic regression on standardized features.
    Returned by :func:`fit_logistic_regression`; used in notebook 05, sections 6 and 7."""

    weights: np.ndarray  # (n_features,), for standardized features
    bias: float
    mean: np.ndarray     # feature means and stds of the training data, used to standardize new data
    std: np.ndarray

    def probability(self, features) -> np.ndarray:
        """P(class 1) for each row of ``features`` (N, ...) — flattened per image."""
        x = (np.asarray(features, dtype=np.float64).reshape(len(features), -1) - self.mean) / self.std
        return 1.0 / (1.0 + np.exp(-(x @ self.weights + self.bias)))

    def accuracy(self, features, y) -> float:
        return float(np.mean((self.probability(features) >= 0.5) == np.asarray(y, dtype=bool)))


def fit_logistic_regression(features, y, *, l2: float = 1e-3) -> LogisticModel:
    """Binary logistic regression — the standard linear probe — fitted with scikit-learn.
    Taught in notebook 05, section 6.

    features: (N, ...) — flattened per image, then standardized per feature with the training data's
    mean and std; y: 0/1 labels. The fit minimizes the mean cross-entropy + ``l2``/2 · |w|² (the bias is
    not penalized) to convergence with L-BFGS, so it gives the same numbers on every run. l2 keeps the
    weights small, so that many correlated features (Conv2D_3 has 1152) do not let the fit chase single
    training images.
    """
    from sklearn.linear_model import LogisticRegression

    x = np.asarray(features, dtype=np.float64).reshape(len(features), -1)
    y = np.asarray(y, dtype=np.float64)
    if len(x) != len(y) or not set(np.unique(y)) <= {0.0, 1.0}:
        raise ValueError("features and y must have the same length and y must hold only 0 and 1.")
    mean, std = x.mean(axis=0), x.std(axis=0)
    std = np.where(std > 1e-12, std, 1.0)  # constant features (dead units) stay 0 after centring
    # scikit-learn weighs the summed cross-entropy by C against |w|²/2: C = 1 / (l2 · N) is the same objective
    fit = LogisticRegression(C=1.0 / (l2 * len(x)), max_iter=2000).fit((x - mean) / std, y)
    return LogisticModel(fit.coef_[0], float(fit.intercept_[0]), mean, std)


def linear_separability(train_features: dict, y_train, test_features: dict, y_test, **fit_kwargs) -> dict:
    """Fit one logistic regression per feature set (e.g. {"Conv2D_3": ..., "Dense_1": ...}) on the training
    data and return {name: (held-out accuracy, fitted LogisticModel)}. Taught in notebook 05, section 6."""
    if set(train_features) != set(test_features):
        raise ValueError(f"train and test feature sets differ: {sorted(train_features)} vs {sorted(test_features)}.")
    results = {}
    for name, x_tr in train_features.items():
        model = fit_logistic_regression(x_tr, y_train, **fit_kwargs)
        results[name] = (model.accuracy(test_features[name], y_test), model)
    return results
