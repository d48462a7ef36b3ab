"""How alike patterns are: correlations (also after a small shift) and the bright area (notebook 07)."""
from __future__ import annotations

import numpy as np



def pairwise_correlations(images) -> np.ndarray:
    """Pearson correlation of every pair of images, (n, n).
    Used by :func:`mean_pairwise_correlation` and ``start_series``."""
    x = np.asarray(images, np.float64).reshape(len(images), -1)
    if len(x) < 2:
        raise ValueError("Need at least two images to compare.")
    return np.corrcoef(x)


def mean_pairwise_correlation(images) -> float:
    """Mean Pearson correlation over all pairs of images: 1 = identical up to brightness/contrast,
    about 0 = unrelated, -1 = inverted."""
    c = pairwise_correlations(images)
    return float(c[np.triu_indices(len(c), k=1)].mean())


def shift_tolerant_correlation(a, b, max_shift: int = 4) -> float:
    """Pearson correlation of two images after the best circular shift of ``b`` by up to ``max_shift``
    pixels in each direction. Two patterns with the same strokes in slightly different places count
    as alike here, while their plain correlation can be near 0. Used by :func:`shift_tolerant_correlations`."""
    a = np.asarray(a, np.float64)
    b = np.asarray(b, np.float64)
    best = -1.0
    for dy in range(-max_shift, max_shift + 1):
        for dx in range(-max_shift, max_shift + 1):
            best = max(best, float(np.corrcoef(a.ravel(), np.roll(b, (dy, dx), axis=(0, 1)).ravel())[0, 1]))
    return best


def shift_tolerant_correlations(images, max_shift: int = 4) -> np.ndarray:
    """:func:`shift_tolerant_correlation` of every pair, (n, n) (symmetrized: the larger of a→b, b→a).
    Used in notebook 07, section 5, and by ``start_series``."""
    n = len(images)
    out = np.eye(n)
    for i in range(n):
        for j in range(i + 1, n):
            out[i, j] = out[j, i] = max(shift_tolerant_correlation(images[i], images[j], max_shift),
                                        shift_tolerant_correlation(images[j], images[i], max_shift))
    return out


def bright_area(image, threshold: float = 0.5, centre_move: float = 0.33) -> float:
    """Share of the image (0..1) that is bright after contrast enhancement (above ``threshold``):
    large for a texture that fills the image, small for a few isolated strokes. Used in notebook 07, section 4."""
    from ..oip.display import enhance_contrast

    return float(np.mean(enhance_contrast(image, centre_move=centre_move) > threshold))
