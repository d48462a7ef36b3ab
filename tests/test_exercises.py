"""Student notebooks (notebooks/exercises/), generated from the solution notebooks by tools/make_exercises.py.

- the generator: how `# solution` regions become stubs;
- the committed student files are current, every notebook has an exercise and no solution code is left;
- an untouched student notebook runs up to its first exercise, and then exactly its self-checks fail,
  each with an ExerciseNotDone that tells the learner what to do; in the same kernel, every exercise's
  self-check fails with a hint on each plausible wrong answer of tests/exercise_answers/ and passes on
  the solution.
(The solution notebooks themselves are executed by nbval in the same pytest run.)
"""
import importlib.util
import re
import time
from pathlib import Path

import jupytext
import nbformat
import pytest
from nbclient import NotebookClient

REPO = Path(__file__).resolve().parent.parent
_spec = importlib.util.spec_from_file_location("make_exercises", REPO / "tools" / "make_exercises.py")
make_exercises = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(make_exercises)

EXERCISES = make_exercises.EXERCISES
NOTEBOOKS = make_exercises.NOTEBOOKS
SOURCES = make_exercises.sources()
STUB = make_exercises.STUB_COMMENT
SELF_CHECK = "with self_check("
HELPFUL = re.compile(r"is not written yet: replace `raise NotImplementedError` in the exercise cell above"
                     r"|(is|are) still `\.\.\.`: put your answer in the exercise cell above")
QUICK_ENV = {"CI": "true", "MPLBACKEND": "Agg", "TF_CPP_MIN_LOG_LEVEL": "2"}


def _stub(source):
    return make_exercises.stub_source(source)[0]


# --- the generator ------------------------------------------------------------------------------------------

def test_function_stub_keeps_def_and_docstring_and_names_the_function():
    source = 'def f(x):\n    """Double x."""\n    # solution\n    y = 2 * x\n    return y\n\n\nf(1)'
    stub, n = make_exercises.stub_source(source)
    assert n == 1
    assert stub == ('def f(x):\n    """Double x."""\n    # Your code here\n'
                    '    raise NotImplementedError("f is not written yet")\n\n\nf(1)')


def test_top_level_assignments_become_ellipsis():
    stub = _stub("x = 1\n# solution\nmy_a = 2 * x\nmy_b = my_c = [\n    1, 2]")
    assert stub == "x = 1\nmy_a = ...  # Your code here\nmy_b = my_c = ...  # Your code here"


def test_end_marker_keeps_what_follows_and_several_regions_in_one_cell():
    source = ("def f():\n    # solution\n    return 1\n\n\n# solution\nmy_a = f()\n# end solution\nprint(my_a)")
    stub, n = make_exercises.stub_source(source)
    assert n == 2
    assert stub == ('def f():\n    # Your code here\n    raise NotImplementedError("f is not written yet")\n\n\n'
                    'my_a = ...  # Your code here\nprint(my_a)')


def test_a_cell_without_marker_is_unchanged():
    source = "# a comment about the solution\nx = 1  # solution"
    assert make_exercises.stub_source(source) == (source, 0)


@pytest.mark.parametrize("source, complaint", [
    ("# solution\nfor i in range(3):\n    print(i)", "only `name = ...` assignments"),
    ("# solution\n", "is empty"),
    ("if True:\n    # solution\n    x = 1", "not inside a function"),
    ("x = 1\n# end solution", "without a `# solution`"),
])
def test_markers_the_generator_cannot_stub_are_errors(source, complaint):
    with pytest.raises(make_exercises.MarkerError, match=re.escape(complaint)):
        make_exercises.stub_source(source)


def test_identical_cells_get_distinct_stable_ids(tmp_path):
    source = tmp_path / "09_twins.py"
    source.write_text("# %%\nx = 1\n\n# %%\n\n# %%\n\n# %%\ndef f():\n    # solution\n    return x\n")
    ids = [c.id for c in make_exercises.student_notebook(source)[0].cells]
    assert len(set(ids)) == len(ids) == 5
    assert ids == [c.id for c in make_exercises.student_notebook(source)[0].cells]


def test_a_notebook_without_exercise_is_an_error(tmp_path):
    (tmp_path / "09_none.py").write_text("# %%\nx = 1\n")
    with pytest.raises(make_exercises.MarkerError, match="no `# solution` marker"):
        make_exercises.write_all(notebooks=tmp_path, out_dir=tmp_path / "exercises")


def test_check_lists_stale_and_missing_files(tmp_path, capsys):
    out = tmp_path / "exercises"
    assert make_exercises.main(["--out", str(out)]) == 0
    assert make_exercises.main(["--check", "--out", str(out)]) == 0
    (out / "01_cnn_basics.ipynb").unlink()
    (out / "02_building_the_cnn.py").write_text("# %%\n")
    capsys.readouterr()
    assert make_exercises.main(["--check", "--out", str(out)]) == 1
    printed = capsys.readouterr().out
    assert "01_cnn_basics.ipynb" in printed and "02_building_the_cnn.py" in printed
    assert "03_training_with_scheduler" not in printed


# --- the committed student notebooks --------------------------------------------------------------------------

def test_committed_student_notebooks_are_current(tmp_path):
    make_exercises.write_all(out_dir=tmp_path)
    fresh = sorted(p.name for p in tmp_path.iterdir())
    committed = sorted(p.name for p in EXERCISES.iterdir() if p.suffix in (".py", ".ipynb"))
    assert committed == fresh, f"notebooks/exercises/ should hold exactly {fresh}: run `python tools/make_exercises.py`"
    stale = [name for name in fresh if (tmp_path / name).read_text() != (EXERCISES / name).read_text()]
    assert not stale, f"{stale} are not current: run `python tools/make_exercises.py`"


@pytest.mark.parametrize("source", SOURCES, ids=lambda p: p.stem)
def test_every_exercise_is_stubbed_and_checked(source):
    solution = [c.source for c in jupytext.read(source).cells if c.cell_type == "code"]
    n_regions = sum(line.strip() == make_exercises.START for cell in solution for line in cell.split("\n"))
    assert n_regions >= 1, f"{source.name} has no `# solution` region: every notebook needs an exercise"
    assert not any("holds a solution" in c.source or "Replace the solution" in c.source
                   for c in jupytext.read(source).cells), "the solution notebook still tells learners to replace it"

    student = [c.source for c in jupytext.read(EXERCISES / source.name).cells if c.cell_type == "code"]
    lines = [line.strip() for cell in student for line in cell.split("\n")]
    assert make_exercises.START not in lines and make_exercises.END not in lines, "a solution marker is left"
    assert sum(line.endswith(STUB) for line in lines) >= n_regions
    # every exercise cell is followed by a self-check before the next exercise
    kinds = ["stub" if STUB in c else "check" if SELF_CHECK in c else None for c in student]
    kinds = [k for k in kinds if k]
    assert kinds[0] == "stub" and kinds[-1] == "check", kinds
    assert all(not (a == b == "stub") for a, b in zip(kinds, kinds[1:])), f"an exercise without self-check: {kinds}"


# --- the student notebooks, executed: untouched, with wrong answers, with the solutions ------------------------

ANSWERS = REPO / "tests" / "exercise_answers"


def _wrong_answers(stem):
    """tests/exercise_answers/<stem>.py: WRONG_ANSWERS (one list of (label, cell source) per exercise cell)
    and INDISTINGUISHABLE (wrong answers no check can tell from the solution, with the reason)."""
    path = ANSWERS / f"{stem}.py"
    assert path.exists(), f"{path.relative_to(REPO)} is missing: every exercise needs plausible wrong answers"
    spec = importlib.util.spec_from_file_location(f"wrong_answers_{stem}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.WRONG_ANSWERS, getattr(module, "INDISTINGUISHABLE", [])


def _exercises(student_cells, solution_cells):
    """[(exercise cell index, solution source, [self-check cell indices])] of a student notebook: the code
    cells with a stub, the same code cell of the solution notebook, and the self-checks up to the next stub."""
    code = [i for i, c in enumerate(student_cells) if c.cell_type == "code"]
    assert len(code) == len(solution_cells), "the student notebook's code cells do not match the solution's"
    exercises = []
    for position, i in enumerate(code):
        if STUB in student_cells[i].source:
            exercises.append((i, solution_cells[position].source, []))
        elif exercises and SELF_CHECK in student_cells[i].source:
            exercises[-1][2].append(i)
    return exercises


def _error(cell):
    return next((o for o in cell.outputs if o.output_type == "error"), None)


@pytest.mark.parametrize("notebook", sorted(EXERCISES.glob("[0-9][0-9]_*.ipynb")), ids=lambda p: p.stem)
def test_student_notebook_self_checks_reject_the_stub_and_wrong_answers_and_pass_the_solution(notebook, monkeypatch):
    """One kernel per notebook, in quick mode: run the untouched student notebook (only its self-checks may
    fail, each with ExerciseNotDone and a helpful message); then, for each exercise, run each wrong answer
    of tests/exercise_answers/ and the exercise's self-checks (they must fail with an AssertionError that
    says something), and finally the solution (its self-checks must pass)."""
    for name, value in QUICK_ENV.items():
        monkeypatch.setenv(name, value)  # the kernel inherits them: quick mode, no windows
    wrong_answers, indistinguishable = _wrong_answers(notebook.stem)
    nb = nbformat.read(notebook, as_version=4)
    solution_cells = [c for c in jupytext.read(NOTEBOOKS / f"{notebook.stem}.py").cells if c.cell_type == "code"]
    exercises = _exercises(nb.cells, solution_cells)
    assert len(wrong_answers) == len(exercises), \
        f"{len(exercises)} exercise cells but wrong answers for {len(wrong_answers)}"
    client = NotebookClient(nb, timeout=900, kernel_name="python3", allow_errors=True,
                            resources={"metadata": {"path": str(EXERCISES)}})

    def run(source, index):
        cell = nbformat.v4.new_code_cell(source)
        client.execute_cell(cell, index)
        return _error(cell)

    with client.setup_kernel():
        start = time.perf_counter()
        for i, cell in enumerate(nb.cells):
            if cell.cell_type == "code":
                client.execute_cell(cell, i)
        print(f"\n{notebook.name}: executed in {time.perf_counter() - start:.1f} s")

        first_stub = exercises[0][0]
        for i, cell in enumerate(nb.cells):
            if cell.cell_type != "code":
                continue
            error = _error(cell)
            where = f"{notebook.name}, cell {i}"
            if SELF_CHECK in cell.source:
                assert i > first_stub, f"{where}: a self-check before the first exercise"
                assert error is not None, f"{where}: the self-check passes on the untouched student notebook"
                assert error.ename == "ExerciseNotDone" and HELPFUL.search(error.evalue), \
                    f"{where}: the self-check fails unhelpfully: {error.ename}: {error.evalue}"
                print(f"  self-check cell {i}: {error.ename}: {error.evalue}")
            else:
                assert error is None, (f"{where} ({'before' if i < first_stub else 'after'} the first exercise) "
                                       f"fails: {error.ename}: {error.evalue}")

        start = time.perf_counter()
        for number, ((exercise, solution, checks), wrong) in enumerate(zip(exercises, wrong_answers), 1):
            assert checks, f"exercise {number} of {notebook.name} has no self-check"
            assert len(wrong) >= 2, f"exercise {number} of {notebook.name}: give at least two plausible wrong answers"
            for label, source in wrong:
                where = f"{notebook.name}, exercise {number}, wrong answer {label!r}"
                error = run(source, exercise)
                assert error is None, f"{where}: the answer cell itself fails: {error.ename}: {error.evalue}"
                error = next(filter(None, (run(nb.cells[i].source, i) for i in checks)), None)
                assert error is not None, f"{where}: the self-check passes it"
                assert error.ename == "AssertionError" and error.evalue.strip(), \
                    f"{where}: the self-check fails without a hint: {error.ename}: {error.evalue!r}"
                print(f"  exercise {number}, {label}: {error.evalue.splitlines()[0]}")
            assert run(solution, exercise) is None, f"{notebook.name}, exercise {number}: the solution cell fails"
            for i in checks:
                error = run(nb.cells[i].source, i)
                assert error is None, f"{notebook.name}, exercise {number}: the solution fails its self-check: " \
                                      f"{error.ename}: {error.evalue}"
        print(f"  wrong answers and solutions checked in {time.perf_counter() - start:.1f} s; "
              f"not told apart by design: {[label for label, _ in indistinguishable]}")
