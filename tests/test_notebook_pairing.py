"""Each notebooks/NN_*.py (the source) and its .ipynb must hold the same cells, and the .ipynb no outputs.

The same holds for the generated student versions in notebooks/exercises/.
"""
import json
from pathlib import Path

import jupytext
import pytest

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"
FOLDERS = (NOTEBOOKS, NOTEBOOKS / "exercises")
SOURCES = sorted(p for folder in FOLDERS for p in folder.glob("[0-9][0-9]_*.py"))
IPYNBS = sorted(p for folder in FOLDERS for p in folder.glob("[0-9][0-9]_*.ipynb"))


def _name(path):
    return str(path.relative_to(NOTEBOOKS))


def _fix(source):
    """How to bring a pair back in sync: student versions are regenerated, not synced by hand."""
    return "python tools/make_exercises.py" if source.parent.name == "exercises" else f"jupytext --sync {source}"


def test_there_are_notebooks():
    assert SOURCES, f"no notebook sources in {NOTEBOOKS}"


@pytest.mark.parametrize("source", SOURCES, ids=_name)
def test_py_and_ipynb_hold_the_same_cells(source):
    paired = source.with_suffix(".ipynb")
    assert paired.exists(), f"{paired.name} is missing: run `{_fix(source)}`"
    a = [(c.cell_type, c.source.strip()) for c in jupytext.read(source).cells]
    b = [(c.cell_type, c.source.strip()) for c in jupytext.read(paired).cells]
    assert a == b, f"{source.name} and {paired.name} differ: run `{_fix(source)}`"


@pytest.mark.parametrize("notebook", IPYNBS, ids=_name)
def test_ipynb_is_committed_without_outputs(notebook):
    cells = json.loads(notebook.read_text())["cells"]
    with_output = [i for i, c in enumerate(cells) if c.get("cell_type") == "code" and c.get("outputs")]
    assert not with_output, f"{notebook.name} holds outputs in cells {with_output}; clear them before committing"


@pytest.mark.parametrize("notebook", IPYNBS, ids=_name)
def test_ipynb_has_a_source(notebook):
    assert notebook.with_suffix(".py").exists(), f"{notebook.name} has no py:percent source beside it"
