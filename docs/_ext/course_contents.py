"""The course website's table of contents: each notebook's title and the article(s) it follows.

The notebook ↔ article mapping has one home, the table in README.md (rows like
``| `01_cnn_basics` | I | what you learn |``); titles come from each notebook's first heading. As a
Sphinx extension this module fills the index page's substitutions ``{{ contents_table }}`` and
``{{ mode_note }}`` and limits the build to the chosen notebooks (config values ``course_*``, set by
tools/build_site.py). It imports nothing from Sphinx at module level, so tests can read it without one.
"""
from __future__ import annotations

import json
import re
import subprocess
from dataclasses import dataclass
from datetime import date
from pathlib import Path

ROW = re.compile(r"^\|\s*`(\d\d_\w+)`\s*\|([^|]+)\|([^|]+)\|\s*$")


@dataclass(frozen=True)
class Entry:
    stem: str        # file name without extension, e.g. "01_cnn_basics"
    title: str       # the notebook's first heading
    articles: str    # as the README writes them, e.g. "IV, V"
    learn: str       # the README's "what you learn" column


def notebook_title(path: Path) -> str:
    """The text of the first markdown heading of a notebook (.ipynb)."""
    for cell in json.loads(path.read_text(encoding="utf-8"))["cells"]:
        if cell["cell_type"] == "markdown":
            for line in "".join(cell["source"]).splitlines():
                if line.startswith("#"):
                    return line.lstrip("#").strip()
    raise ValueError(f"{path} has no markdown heading to use as its title")


def course_contents(readme: Path, notebooks: Path) -> list[Entry]:
    """One entry per README table row, in README order; each row must name a notebook in ``notebooks``
    and each numbered notebook there must have a row."""
    rows = [m.groups() for m in map(ROW.match, readme.read_text(encoding="utf-8").splitlines()) if m]
    listed = [stem for stem, _, _ in rows]
    present = sorted(p.stem for p in notebooks.glob("[0-9][0-9]_*.ipynb"))
    if sorted(listed) != present:
        raise ValueError(f"README's notebook table {listed} and the notebooks in {notebooks} {present} differ")
    return [Entry(stem, notebook_title(notebooks / f"{stem}.ipynb"), articles.strip(), learn.strip())
            for stem, articles, learn in rows]


def contents_table(entries: list[Entry], built: set[str]) -> str:
    """A MyST markdown table; notebooks that are built link to their page."""
    lines = ["| notebook | article(s) | what you learn |", "|---|---|---|"]
    for e in entries:
        name = f"{{doc}}`{e.title} <notebooks/{e.stem}>`" if e.stem in built else f"{e.title} (not built here)"
        lines.append(f"| {name} | {e.articles} | {e.learn} |")
    return "\n".join(lines)


def _source_state(root: Path) -> str:
    def git(*args):
        return subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, check=False)

    head = git("rev-parse", "--short", "HEAD")
    if head.returncode != 0:
        return ""
    dirty = git("diff", "--quiet", "HEAD", "--", "notebooks", "helpers").returncode != 0
    return f" from commit `{head.stdout.strip()}`" + (" with uncommitted changes" if dirty else "")


def mode_note(mode: str, root: Path) -> str:
    how = {
        "quick": "in **quick mode** (`--quick`: `CI=true`, as the course's tests run them — fewer epochs, "
                 "images and optimization steps, so numbers and pictures differ from a learner's run)",
        "full": "in **full mode**, as a learner runs them by default",
    }[mode]
    return (f"These pages are the course's solution notebooks with their outputs, executed {how}, "
            f"on {date.today().isoformat()}{_source_state(root)}.")


def _on_config_inited(app, config) -> None:
    root = Path(config.course_root)
    entries = course_contents(root / "README.md", Path(app.srcdir) / "notebooks")
    stems = [e.stem for e in entries]
    built = set(config.course_notebooks or stems)
    if built - set(stems):
        raise ValueError(f"unknown notebooks {sorted(built - set(stems))}; the course has {stems}")
    config.include_patterns = ["index.md"] + [f"notebooks/{stem}.ipynb" for stem in sorted(built)]
    config.myst_substitutions = {**config.myst_substitutions, "contents_table": contents_table(entries, built),
                                 "mode_note": mode_note(config.course_mode, root)}


def setup(app):
    app.add_config_value("course_root", "", "env")           # the checkout: README.md is read there
    app.add_config_value("course_mode", "full", "env")       # "quick" or "full", stated on the index page
    app.add_config_value("course_notebooks", [], "env")      # stems to build; empty: all
    app.connect("config-inited", _on_config_inited)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
