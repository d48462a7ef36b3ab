"""Self-checks for the exercises at the end of every notebook ("Exercises" sections of notebooks 01-08).

The student versions of the notebooks (``notebooks/exercises/``, written by ``tools/make_exercises.py``)
have stubs where the solutions are: a function body becomes ``raise NotImplementedError(...)`` and an
answer becomes ``my_answer = ...``. A self-check cell wraps its checks in :func:`self_check`, so on an
untouched stub it stops with one :class:`ExerciseNotDone` that says what to do, instead of a bare
``AssertionError`` or a ``TypeError`` about ``Ellipsis``::

    with self_check(my_map_side=my_map_side):
        assert my_map_side == 1, "..."
"""
from contextlib import contextmanager

__all__ = ["ExerciseNotDone", "not_written_message", "self_check"]


class ExerciseNotDone(Exception):
    """An exercise still holds its stub: a ``...`` answer or a function that is not written yet.
    Raised by :func:`self_check`."""


def not_written_message(name):
    """The message of a function stub's ``NotImplementedError`` (the generator writes it into the stub).
    Used by ``tools/make_exercises.py``."""
    return f"{name} is not written yet"


@contextmanager
def self_check(**answers):
    """Run a self-check; stop with :class:`ExerciseNotDone` if the exercise still holds its stub.
    Used in the exercise sections of notebooks 01-08.

    ``answers`` are the exercise's answer variables by name (``self_check(my_x=my_x)``): any that is still
    ``...`` stops the check before it starts. A ``NotImplementedError`` raised inside the block (a function
    stub being called) becomes an ``ExerciseNotDone`` that says what to do. Other errors, e.g. a failed
    ``assert`` on a wrong answer, pass through unchanged.
    """
    missing = [name for name, value in answers.items() if value is Ellipsis]
    if missing:
        names = ", ".join(missing)
        verb = "is" if len(missing) == 1 else "are"
        raise ExerciseNotDone(f"{names} {verb} still `...`: put your answer in the exercise cell above, "
                              f"then run that cell and this check again")
    try:
        yield
    except NotImplementedError as error:
        what = str(error) or "an exercise function is not written yet"
        raise ExerciseNotDone(f"{what}: replace `raise NotImplementedError` in the exercise cell above with your "
                              f"code, then run that cell and this check again") from None
