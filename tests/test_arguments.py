"""The shared checks of numeric arguments (helpers.arguments): what passes, what is refused and how."""
import numpy as np
import pytest

from helpers.arguments import check_count, check_non_negative, check_positive, check_seed


def test_whole_numbers_pass_as_int():
    assert check_count("steps", np.int64(7), 1) == 7 and type(check_count("steps", np.int64(7))) is int
    assert check_count("steps", 0) == 0


@pytest.mark.parametrize("value, error, words", [
    (5.5, TypeError, r"steps must be a whole number \(at least 1\); got 5.5 \(float\)"),
    (5.0, TypeError, "whole number"),          # even a whole float: it would be a silent cast elsewhere
    ("5", TypeError, "got '5' \\(str\\)"),
    (True, TypeError, "whole number"),
    (0, ValueError, "steps must be at least 1; got 0"),
])
def test_counts_are_refused_with_the_rule(value, error, words):
    with pytest.raises(error, match=words):
        check_count("steps", value, 1)


def test_step_sizes_must_be_finite_and_positive():
    assert check_positive("epsilon", np.float32(0.5)) == 0.5
    for bad, words in ((0, "positive"), (-0.1, "positive"), (float("nan"), "finite"), (float("inf"), "finite"),
                       ("0.1", "number")):
        with pytest.raises((TypeError, ValueError), match=f"epsilon must be .*{words}"):
            check_positive("epsilon", bad)


def test_zero_switches_off_but_negative_is_refused():
    assert check_non_negative("noise", 0) == 0.0
    with pytest.raises(ValueError, match="noise must be ≥ 0 \\(0 switches it off\\); got -1"):
        check_non_negative("noise", -1)
    with pytest.raises(ValueError, match="finite"):
        check_non_negative("noise", float("inf"))


def test_seeds_are_none_or_whole_numbers_from_zero():
    assert check_seed("seed", None) is None and check_seed("seed", np.int64(3)) == 3
    with pytest.raises(ValueError, match="seed must be at least 0; got -1"):
        check_seed("seed", -1)
