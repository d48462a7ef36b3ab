"""Checks of plain numeric arguments (step counts, step sizes, noise levels): one home, so the functions and
the command line refuse the same values with the same words. The other kinds of input have their own single
check: images :func:`helpers.data.as_image_batch`, layer names :func:`helpers.model.check_layer_name`, map
indices ``My_OIP.check_maps``, image indices :func:`helpers.activations.check_index`, output files
:func:`helpers.files.check_output_path`, model files :func:`helpers.model.load_model_file`.
"""
from __future__ import annotations

import math
from numbers import Integral, Real


def check_count(name: str, value, minimum: int = 0) -> int:
    """``value`` as an int if it is a whole number ≥ ``minimum`` (numpy integers included); a TypeError for
    floats, strings and booleans (5.5 steps would be cut to 5 silently), a ValueError below ``minimum``."""
    if isinstance(value, bool) or not isinstance(value, Integral):
        raise TypeError(f"{name} must be a whole number (at least {minimum}); got {value!r} ({type(value).__name__}).")
    if value < minimum:
        raise ValueError(f"{name} must be at least {minimum}; got {value}.")
    return int(value)


def check_seed(name: str, value):
    """A random seed: None (a fresh random draw) or a whole number ≥ 0 (numpy's generators refuse negative
    seeds with a message that names neither the argument nor the rule)."""
    return None if value is None else check_count(name, value, 0)


def check_positive(name: str, value) -> float:
    """``value`` as a float if it is a finite number > 0 (a step size: 0 would not move, a negative one would
    descend, an infinite one would blow the image up)."""
    x = _finite_number(name, value)
    if not x > 0:
        raise ValueError(f"{name} must be positive; got {value!r}.")
    return x


def check_non_negative(name: str, value) -> float:
    """``value`` as a float if it is a finite number ≥ 0 (0 switches the feature off: noise, a penalty)."""
    x = _finite_number(name, value)
    if x < 0:
        raise ValueError(f"{name} must be ≥ 0 (0 switches it off); got {value!r}.")
    return x


def _finite_number(name: str, value) -> float:
    if isinstance(value, bool) or not isinstance(value, Real):
        raise TypeError(f"{name} must be a number; got {value!r} ({type(value).__name__}).")
    if not math.isfinite(value):
        raise ValueError(f"{name} must be a finite number; got {value!r}.")
    return float(value)
