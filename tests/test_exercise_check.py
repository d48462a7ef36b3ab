import pytest

from helpers.exercise_check import ExerciseNotDone, not_written_message, self_check


def test_an_answer_still_ellipsis_stops_the_check_before_it_runs():
    ran = []
    with pytest.raises(ExerciseNotDone, match=r"^my_x is still `\.\.\.`: put your answer in the exercise cell above"):
        with self_check(my_x=..., my_y=3):
            ran.append(True)
    assert not ran


def test_several_missing_answers_are_named_together():
    with pytest.raises(ExerciseNotDone, match=r"^my_x, my_y are still `\.\.\.`"):
        with self_check(my_x=..., my_y=..., my_z=0):
            pass


def test_a_function_stub_becomes_a_helpful_exercise_not_done():
    def stub():
        raise NotImplementedError(not_written_message("stub"))

    with pytest.raises(ExerciseNotDone) as caught:
        with self_check():
            stub()
    assert str(caught.value).startswith("stub is not written yet: replace `raise NotImplementedError` in the "
                                        "exercise cell above with your code")
    assert caught.value.__cause__ is None and caught.value.__suppress_context__


def test_a_wrong_answer_fails_as_its_assert_says():
    with pytest.raises(AssertionError, match="not 2"):
        with self_check(my_x=2):
            assert False, "not 2"


def test_answers_that_are_given_pass():
    with self_check(my_x=0, my_y=None, my_z=[...]):
        pass
