"""Quick mode: CI (CI=true) runs every notebook in minutes; learners get the full runs by default."""
import os


def quick_mode() -> bool:
    """True when the environment asks for short runs: CI=true, or COURSE_QUICK=1 for a quick local try.
    Used in the setup cell of notebooks 02-08."""
    truthy = {"1", "true", "yes", "on"}
    return (os.environ.get("CI", "").strip().lower() in truthy
            or os.environ.get("COURSE_QUICK", "").strip().lower() in truthy)
