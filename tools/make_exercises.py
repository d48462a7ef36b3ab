"""Write the student versions of the course notebooks: stubs in place of the marked solutions.

    python tools/make_exercises.py            # writes notebooks/exercises/NN_name.py + NN_name.ipynb
    python tools/make_exercises.py --check    # writes nothing; exits 1 listing stale or missing files

The solution notebooks ``notebooks/NN_name.py`` (py:percent) are the source. In a code cell, a line
``# solution`` starts a solution region; it ends at a line ``# end solution`` (dropped too), at the first
line indented less than the marker (the end of the function the marker is in), or at the end of the cell.
The student version replaces the region by a stub:

- marker inside a function body (after its ``def`` line and docstring): ``# Your code here`` and
  ``raise NotImplementedError("<name> is not written yet: ...")``;
- marker at the top level: every assignment ``name = <solution>`` in the region becomes
  ``name = ...  # Your code here`` (the region may hold nothing but assignments).

Everything else (text, hints, self-checks) is copied unchanged, and a note at the top says this is the
student version and where the solutions are. The notebooks are read and written with jupytext.
"""
import argparse
import ast
import hashlib
import importlib.util
import re
import sys
from pathlib import Path

import jupytext
from nbformat.v4 import new_markdown_cell

REPO = Path(__file__).resolve().parent.parent


def _load_exercise_check():
    """helpers/exercise_check.py on its own: the stub message comes from there, without importing TensorFlow."""
    spec = importlib.util.spec_from_file_location("exercise_check", REPO / "helpers" / "exercise_check.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


not_written_message = _load_exercise_check().not_written_message

NOTEBOOKS = REPO / "notebooks"
EXERCISES = NOTEBOOKS / "exercises"
START = "# solution"
END = "# end solution"
STUB_COMMENT = "# Your code here"
KERNELSPEC = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}
_DEF = re.compile(r"^(\s*)(?:async\s+)?def\s+(\w+)\s*\(")

NOTE = """\
> **Student version.** The exercises at the end of this notebook have stubs where the solutions were:
> `# Your code here` and `raise NotImplementedError(...)` or `...`. Write your code there and run the
> self-check below it; it fails until your answer is right. The solutions are in the notebook of the
> same name one folder up, `../{name}`.
>
> Teachers: this file is generated from `notebooks/{source}` by `python tools/make_exercises.py`;
> edit that file, not this one."""


class MarkerError(ValueError):
    """A ``# solution`` marker the generator cannot turn into a stub."""


def _indent(line):
    return len(line) - len(line.lstrip())


def _function_stub(lines, marker_at, indent):
    """Stub for a region inside a function: the enclosing ``def`` is the last one indented less than the marker."""
    for line in reversed(lines[:marker_at]):
        match = _DEF.match(line)
        if match and len(match.group(1)) < indent:
            message = not_written_message(match.group(2))
            pad = " " * indent
            return [pad + STUB_COMMENT, f'{pad}raise NotImplementedError("{message}")']
    raise MarkerError(f"indented `{START}` on line {marker_at + 1} is not inside a function")


def _assignment_stub(region, marker_line):
    """Stub for a top-level region: ``name = ...  # Your code here`` for every assignment in it."""
    try:
        statements = ast.parse("\n".join(region)).body
    except SyntaxError as error:
        raise MarkerError(f"the solution after line {marker_line} is not valid Python on its own: {error}") from None
    stub = []
    for statement in statements:
        targets = statement.targets if isinstance(statement, ast.Assign) else []
        if not targets or not all(isinstance(t, ast.Name) for t in targets):
            raise MarkerError(f"a top-level solution (after line {marker_line}) may hold only `name = ...` "
                              f"assignments; put other code in a function or outside the solution")
        stub.append(" = ".join(t.id for t in targets) + " = ...  " + STUB_COMMENT)
    if not stub:
        raise MarkerError(f"the solution after line {marker_line} is empty")
    return stub


def stub_source(source):
    """The student version of one code cell's source, and how many solution regions it had."""
    lines = source.split("\n")
    out, n_regions, i = [], 0, 0
    while i < len(lines):
        if lines[i].strip() != START:
            if lines[i].strip() == END:
                raise MarkerError(f"`{END}` on line {i + 1} without a `{START}` before it")
            out.append(lines[i])
            i += 1
            continue
        marker_at, indent = i, _indent(lines[i])
        region, i = [], i + 1
        while i < len(lines):
            line = lines[i]
            if line.strip() == END or line.strip() == START or (line.strip() and _indent(line) < indent):
                break
            region.append(line)
            i += 1
        if i < len(lines) and lines[i].strip() == END:
            i += 1
        trailing_blank = []
        while region and not region[-1].strip():  # blank lines after a function stay between the pieces
            trailing_blank.insert(0, region.pop())
        if indent:
            out += _function_stub(lines, marker_at, indent)
        else:
            out += _assignment_stub(region, marker_at + 1)
        out += trailing_blank
        n_regions += 1
    return "\n".join(out), n_regions


def _cell_ids(cells):
    """Stable ids (from the source), so that regenerating an unchanged notebook gives the same file."""
    seen = set()
    for cell in cells:
        copy = 0  # identical cells (e.g. two empty ones) are told apart by how many came before
        while (digest := hashlib.sha1(f"{cell.cell_type}\n{cell.source}\n{copy}".encode()).hexdigest()[:8]) in seen:
            copy += 1
        seen.add(digest)
        cell["id"] = digest


def student_notebook(source_path):
    """Read a solution notebook (py:percent) and return the student notebook and its number of exercises."""
    source_path = Path(source_path)
    notebook = jupytext.read(source_path, fmt="py:percent")
    n_regions = 0
    for number, cell in enumerate(notebook.cells, start=1):
        if cell.cell_type != "code":
            continue
        try:
            cell.source, n = stub_source(cell.source)
        except MarkerError as error:
            raise MarkerError(f"{source_path.name}, cell {number}: {error}") from None
        n_regions += n
    # the same metadata for every student notebook: the .py gets no header (which would name the jupytext
    # version and so make the files depend on it), the .ipynb names the kernel
    notebook.metadata = {"jupytext": {"cell_metadata_filter": "-all", "main_language": "python",
                                      "notebook_metadata_filter": "-all"},
                         "kernelspec": KERNELSPEC}
    note = NOTE.format(name=source_path.with_suffix(".ipynb").name, source=source_path.name)
    notebook.cells.insert(0, new_markdown_cell(note))
    _cell_ids(notebook.cells)
    return notebook, n_regions


def sources(notebooks=NOTEBOOKS):
    return sorted(Path(notebooks).glob("[0-9][0-9]_*.py"))


def render(source_path):
    """The student files of one solution notebook: {file name: text}."""
    notebook, n_regions = student_notebook(source_path)
    if not n_regions:
        raise MarkerError(f"{Path(source_path).name} has no `{START}` marker: every notebook needs an exercise")
    stem = Path(source_path).stem
    texts = {f"{stem}.py": jupytext.writes(notebook, fmt="py:percent"),
             f"{stem}.ipynb": jupytext.writes(notebook, fmt="ipynb")}
    return {name: text if text.endswith("\n") else text + "\n" for name, text in texts.items()}  # as jupytext.write


def stale_files(notebooks=NOTEBOOKS, out_dir=EXERCISES):
    """Student files that are missing or differ from what the solution notebooks give now."""
    stale = []
    for source in sources(notebooks):
        for name, text in render(source).items():
            path = Path(out_dir) / name
            if not path.exists() or path.read_text(encoding="utf-8") != text:
                stale.append(path)
    return stale


def write_all(notebooks=NOTEBOOKS, out_dir=EXERCISES):
    """Write the student files of every solution notebook into ``out_dir``; return their paths."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for source in sources(notebooks):
        for name, text in render(source).items():
            (out_dir / name).write_text(text, encoding="utf-8")
            written.append(out_dir / name)
    return written


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true",
                        help="write nothing; exit 1 if a student file is missing or not current")
    parser.add_argument("--out", type=Path, default=EXERCISES, help="folder for the student notebooks")
    args = parser.parse_args(argv)
    try:
        if args.check:
            stale = stale_files(out_dir=args.out)
            for path in stale:
                print(f"stale or missing: {path}")
            if stale:
                print("run `python tools/make_exercises.py` to regenerate them")
                return 1
            print(f"student notebooks in {args.out} are current")
            return 0
        for path in write_all(out_dir=args.out):
            print(f"wrote {path}")
        return 0
    except MarkerError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
