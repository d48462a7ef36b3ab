"""Build the course website: the notebooks executed with all their outputs, as static HTML.

    python tools/build_site.py [--out site] [--quick] [--only 01 04 ...]

Sphinx + MyST-NB (configuration in docs/conf.py, index page docs/index.md) execute each notebook in
its own folder — full mode by default, as a learner runs them; quick mode (CI=true) with --quick — and
write the pages to --out. Open <out>/index.html from disk: the pages need no network. The notebooks in
notebooks/ are read, never written. A notebook that raises stops the build with a non-zero exit status
and names the notebook and the cell. Needs the `site` extra: pip install -e ".[site]".
"""
from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DOCS = REPO / "docs"
SITE_PACKAGES = ("sphinx", "myst_nb", "sphinx_book_theme", "latex2mathml")
INSTALL_HINT = 'pip install -e ".[site]"'


def missing_packages() -> list[str]:
    """The site extra's packages that cannot be imported here."""
    import importlib.util

    return [name for name in SITE_PACKAGES if importlib.util.find_spec(name) is None]


def make_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=REPO / "site",
                        help="folder for the site (default: site/ in the checkout); replaced if it holds an "
                             "earlier build, refused if it holds anything else")
    parser.add_argument("--quick", action="store_true",
                        help="quick mode (CI=true, COURSE_QUICK=1): the notebooks do less, as in CI")
    parser.add_argument("--only", nargs="+", metavar="NN", default=None,
                        help="build only these notebooks, by number or name (e.g. --only 01 04)")
    parser.add_argument("--notebooks", type=Path, default=REPO / "notebooks", help=argparse.SUPPRESS)
    return parser


def select_notebooks(only, stems: list[str]) -> list[str]:
    """The stems that ``--only`` names (a number like "04" or a whole name); all of them without it."""
    if not only:
        return list(stems)
    chosen = []
    for key in only:
        matches = [s for s in stems if s == key or s.split("_", 1)[0] == key.zfill(2)]
        if not matches:
            raise ValueError(f"no notebook {key!r}; the course has {', '.join(stems)}")
        chosen += [m for m in matches if m not in chosen]
    return chosen


def set_kernel_mode(quick: bool) -> None:
    """The environment the notebook kernels inherit: quick or full mode, figures drawn inline."""
    if quick:
        os.environ.update(CI="true", COURSE_QUICK="1")
    else:
        for name in ("CI", "COURSE_QUICK"):
            os.environ.pop(name, None)
    os.environ["MPLBACKEND"] = "module://matplotlib_inline.backend_inline"


def stage_sources(src: Path, notebooks: Path) -> None:
    """Sphinx's source folder: the index page, and the notebooks folder itself (a link, so they run
    in their own folder; a copy where links are not allowed)."""
    src.mkdir(parents=True)
    shutil.copy2(DOCS / "index.md", src / "index.md")
    try:
        (src / "notebooks").symlink_to(notebooks.resolve(), target_is_directory=True)
    except OSError:
        shutil.copytree(notebooks, src / "notebooks", ignore=shutil.ignore_patterns("exercises", ".ipynb_checkpoints"))


def check_out_dir(out: Path) -> None:
    """Refuse to replace a folder that is not an earlier build of the site."""
    if out.exists() and any(out.iterdir()) and not (out / ".buildinfo").exists():
        raise ValueError(f"{out} exists and is not an earlier site build; choose another --out or empty it")


def failed_cell(error: BaseException) -> tuple[str | None, BaseException]:
    """The notebook path and the cell error behind a failed build, found along the exception chain."""
    path, cause, seen = None, error, set()
    while cause is not None and id(cause) not in seen:
        seen.add(id(cause))
        if type(cause).__name__ == "ExecutionError" and cause.args:   # myst-nb: the notebook's path
            path = str(cause.args[0])
        if type(cause).__name__.startswith("Cell"):                     # nbclient: the cell's error
            return path, cause
        cause = cause.__cause__ or cause.__context__
    return path, error


def cell_number(notebook: Path, message: str) -> int | None:
    """The 1-based number of the code cell whose source nbclient quotes in ``message``."""
    quoted = re.search(r"-{10,}\n(.*?)\n-{10,}", message, re.S)
    if not quoted or not notebook.exists():
        return None
    code = [c for c in json.loads(notebook.read_text(encoding="utf-8"))["cells"] if c["cell_type"] == "code"]
    for number, cell in enumerate(code, 1):
        if "".join(cell["source"]).strip() == quoted.group(1).strip():
            return number
    return None


def report_failure(error: BaseException) -> None:
    path, cause = failed_cell(error)
    message = re.sub(r"\x1b\[[0-9;]*m", "", str(cause))                 # no terminal colours in the report
    where = "the build"
    if path:
        number = cell_number(Path(path), message)
        where = f"notebooks/{Path(path).name}" + (f", code cell {number}" if number else "")
    print(f"\nbuild_site.py: FAILED in {where}:\n{message}", file=sys.stderr)


def build(out: Path, quick: bool, stems: list[str], notebooks: Path) -> int:
    from sphinx.application import Sphinx
    from sphinx.util.docutils import docutils_namespace, patch_docutils

    set_kernel_mode(quick)
    with tempfile.TemporaryDirectory(prefix="course-site-") as tmp:
        tmp = Path(tmp)
        stage_sources(tmp / "src", notebooks)
        html = tmp / "build" / "html"       # MyST-NB keeps its output files beside it, in build/jupyter_execute
        overrides = {"course_mode": "quick" if quick else "full", "course_notebooks": stems}
        try:
            with patch_docutils(DOCS), docutils_namespace():
                app = Sphinx(tmp / "src", DOCS, html, tmp / "build" / "doctrees", "html",
                             confoverrides=overrides, freshenv=True)
                app.build(force_all=True)
        except Exception as error:  # noqa: BLE001 - any failure is reported with its notebook and cell
            report_failure(error)
            return 1
        if app.statuscode:
            return app.statuscode
        if out.exists():
            shutil.rmtree(out)
        shutil.copytree(html, out)
    return 0


def main(argv=None) -> int:
    parser = make_parser()
    args = parser.parse_args(argv)
    missing = missing_packages()
    if missing:
        print(f"build_site.py: error: the site packages are missing ({', '.join(missing)}); "
              f"install them with: {INSTALL_HINT}", file=sys.stderr)
        return 1
    sys.path.insert(0, str(DOCS / "_ext"))
    from course_contents import course_contents

    entries = course_contents(REPO / "README.md", args.notebooks)
    out = args.out.resolve()
    try:
        stems = select_notebooks(args.only, [e.stem for e in entries])
        check_out_dir(out)
    except ValueError as error:
        parser.error(str(error))                                        # one line, exit status 2
    mode = "quick" if args.quick else "full"
    print(f"Building the course site in {mode} mode: {', '.join(stems)} -> {out}", flush=True)
    t0 = time.perf_counter()
    status = build(out, args.quick, stems, args.notebooks)
    if status == 0:
        print(f"Site built in {time.perf_counter() - t0:.0f} s: open {out / 'index.html'}", flush=True)
    return status


if __name__ == "__main__":
    sys.exit(main())
