"""Wrong answers for notebook 06's exercise (long_wave_starts): the article's four grids out of habit, the
raw weighted sum without standardization, the channel axis dropped, the longest grid alone, and the two
shortest grids instead of the two longest — each a plausible slip when building start images."""
# One list per exercise cell (the code cells holding `# solution`, in notebook order). Each entry:
# (label, the whole exercise cell's source as a learner might write it). The test runs the student
# notebook once in quick mode, then for each entry runs this source and the exercise's self-check cell(s),
# and asserts the self-check fails with an AssertionError carrying a message; then the solution passes.
WRONG_ANSWERS = [
    [  # exercise 1: start images made of the 3×3 and 7×7 grids only, standardized, shape (n, 28, 28, 1)
        ("all four of the article's grids", '''def long_wave_starts(n, seed):
    """``n`` standardized start images, shape (n, 28, 28, 1), made of the 3×3 and 7×7 grids only."""
    return initial_image(factors=(0.5, 0.5, 0.5, 0.5), scales=((3, 3), (7, 7), (14, 14), (28, 28)),
                         n=n, seed=seed)
'''),
        ("weighted sum, not standardized", '''def long_wave_starts(n, seed):
    """``n`` standardized start images, shape (n, 28, 28, 1), made of the 3×3 and 7×7 grids only."""
    comps = fluctuation_components(((3, 3), (7, 7)), n=n, seed=seed)
    return np.tensordot(np.array([1.0, 0.5], np.float32), comps, axes=1)
'''),
        ("channel axis dropped", '''def long_wave_starts(n, seed):
    """``n`` standardized start images, shape (n, 28, 28, 1), made of the 3×3 and 7×7 grids only."""
    return initial_image(factors=(1.0, 0.5), scales=((3, 3), (7, 7)), n=n, seed=seed)[..., 0]
'''),
        ("the 3×3 grid alone", '''def long_wave_starts(n, seed):
    """``n`` standardized start images, shape (n, 28, 28, 1), made of the 3×3 and 7×7 grids only."""
    return initial_image(factors=(1.0,), scales=((3, 3),), n=n, seed=seed)
'''),
        ("the two shortest grids", '''def long_wave_starts(n, seed):
    """``n`` standardized start images, shape (n, 28, 28, 1), made of the 3×3 and 7×7 grids only."""
    return initial_image(factors=(0.5, 1.0), scales=((14, 14), (28, 28)), n=n, seed=seed)
'''),
    ],
]
# Wrong answers the self-check cannot tell from the solution, and why (listed, not tested).
INDISTINGUISHABLE = [
    ("the 7×7 grid alone", "a bicubically scaled-up 7×7 grid nearly contains every scaled-up 3×3 grid, so its "
                           "images are made of long wavelengths too and wake about as many silent maps"),
]
