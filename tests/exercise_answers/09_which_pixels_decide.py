"""Wrong answers for notebook 09's exercise (FGSM written by hand: raw images x in 0..1, the gradient of
score(9) − score(4) with respect to the raw pixels, and ε): the gradient itself instead of its sign, the
wrong direction (a step down the gradient), no clip to 0..1, a clip to the ε-ball only (which is no clip at
all after one step of exactly ε), ε added in standardized units, the sign of the pixels instead of the
gradient's, and the change alone instead of the attacked image."""
# One list per exercise cell (the code cells holding `# solution`, in notebook order). Each entry:
# (label, the whole exercise cell's source as a learner might write it).
_HEAD = '''def my_fgsm(x, gradient, eps):
    """FGSM's attacked images (n, 28, 28): x moved by eps along sign(gradient), kept in 0..1."""
'''
WRONG_ANSWERS = [
    [  # exercise 1: my_fgsm(x, gradient, eps) -> (n, 28, 28)
        ("the gradient instead of its sign", _HEAD + "    return np.clip(x + eps * gradient, 0, 1)\n"),
        ("the wrong direction: down the gradient", _HEAD + "    return np.clip(x - eps * np.sign(gradient), 0, 1)\n"),
        ("no clip to 0..1", _HEAD + "    return x + eps * np.sign(gradient)\n"),
        ("clipped to the ε-ball only, not to 0..1",
         _HEAD + "    return np.clip(x + eps * np.sign(gradient), x - eps, x + eps)\n"),
        ("ε in standardized units: the step scaled by each image's std",
         _HEAD + "    std = x.std(axis=(-2, -1), keepdims=True)\n"
                 "    return np.clip(x + eps * std * np.sign(gradient), 0, 1)\n"),
        ("the standardized image moved by ε", _HEAD + "    return standardize(x) + eps * np.sign(gradient)\n"),
        ("the sign of the pixels instead of the gradient's",
         _HEAD + "    return np.clip(x + eps * np.sign(x), 0, 1)\n"),
        ("the change alone, not the attacked image", _HEAD + "    return eps * np.sign(gradient)\n"),
    ],
]
# Wrong answers the self-check cannot tell from the solution, and why (listed, not tested).
INDISTINGUISHABLE = [
    ("clip to the ε-ball and then to 0..1",
     "after one step of exactly ε every pixel is on the ball's edge, so the extra clip changes nothing"),
    ("np.where(gradient >= 0, +eps, -eps) instead of eps * np.sign(gradient)",
     "differs only where the gradient is exactly 0, which the standardization makes (almost) never happen"),
]
