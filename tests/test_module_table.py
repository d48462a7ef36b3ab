"""The table notebook → modules exists twice, in README.md ("Where the code of each notebook lives") and in
the docstring of helpers/__init__.py: both must name every helpers module a notebook uses, and agree.

Read without importing anything: a notebook's ``from helpers.x.y import ...``, ``from helpers.x import ...``,
``import helpers.x`` and ``helpers.x.y`` attribute chains give the modules it uses; ``from helpers import name``
is followed to the module helpers/__init__.py imports ``name`` from. A package (``helpers.gallery``) stays the
package. A table names a module, a package with some of its modules, or a bare package (all of it); a
module of the "all" row counts for every notebook.
"""
import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
HELPERS = ROOT / "helpers"
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.py"))
README_SECTION = "### Where the code of each notebook lives"


def _is_module(dotted: str) -> bool:
    path = ROOT.joinpath(*dotted.split("."))
    return path.with_suffix(".py").is_file() or (path / "__init__.py").is_file()


def _top_level_names() -> dict:
    """name → the module helpers/__init__.py imports it from (``from .oip.display import x``)."""
    tree = ast.parse((HELPERS / "__init__.py").read_text(encoding="utf-8"))
    return {alias.asname or alias.name: f"helpers.{node.module}" for node in tree.body
            if isinstance(node, ast.ImportFrom) and node.level == 1 and node.module for alias in node.names}


def _resolve(dotted: str, top_level: dict) -> str:
    """The helpers module (or package) that ``helpers.a.b.c`` (an import or an attribute chain) comes from."""
    parts = dotted.split(".")
    for n in range(len(parts), 1, -1):
        if _is_module(".".join(parts[:n])):
            return ".".join(parts[:n])
    if len(parts) > 1 and parts[1] in top_level:
        return top_level[parts[1]]
    raise AssertionError(f"{dotted}: neither a module of helpers nor a name helpers/__init__.py imports")


def _attribute_chain(node):
    names = []
    while isinstance(node, ast.Attribute):
        names.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name) and node.id == "helpers" and names:
        return ".".join(["helpers", *reversed(names)])
    return None


def notebook_modules(path: Path) -> set:
    """The helpers modules and packages a notebook (its .py source) imports or reaches as attributes."""
    top_level = _top_level_names()
    tree = ast.parse(path.read_text(encoding="utf-8"))
    inner = {id(node.value) for node in ast.walk(tree) if isinstance(node, ast.Attribute)}  # part of a longer chain
    used = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module.split(".")[0] == "helpers":
            used.update(_resolve(f"{node.module}.{alias.name}", top_level) for alias in node.names)
        elif isinstance(node, ast.Import):
            used.update(alias.name for alias in node.names if alias.name.startswith("helpers."))
        elif isinstance(node, ast.Attribute) and id(node) not in inner and (chain := _attribute_chain(node)):
            used.add(_resolve(chain, top_level))
    return used


def _row_key(first_cell: str) -> str:
    """'01_cnn_basics', '01 CNN basics' → '01'; 'all' → 'all'."""
    return first_cell.strip(" `").split("_")[0].split()[0]


def readme_table() -> dict:
    """Row key → the dotted modules of README's table: `helpers/x/`: `a.py`, `b.py` (a package with some of
    its modules), `helpers/x/` alone (a bare package), `helpers/x/y.py` (a module)."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    assert README_SECTION in text, f"README.md has no section {README_SECTION!r}"
    rows = [line for line in text.split(README_SECTION, 1)[1].split("\n\n#", 1)[0].splitlines()
            if line.startswith("| ") and not line.startswith("| notebook")]
    table = {}
    for line in rows:
        first, modules = line.strip("|").split("|", 1)
        names, package, package_named_modules = set(), None, False
        for token in re.findall(r"`([^`]+)`", modules):
            if token.startswith("helpers/"):
                if package and not package_named_modules:
                    names.add(package)
                dotted = token.rstrip("/").removesuffix(".py").replace("/", ".")
                package, package_named_modules = (dotted, False) if token.endswith("/") else (None, False)
                if not token.endswith("/"):
                    names.add(dotted)
            elif re.fullmatch(r"\w+\.py", token) and package:
                names.add(f"{package}.{token[:-3]}")
                package_named_modules = True
        if package and not package_named_modules:
            names.add(package)
        table[_row_key(first)] = names
    return table


def docstring_table() -> dict:
    """Row key → the dotted modules of the RST table in helpers/__init__.py's docstring: ``helpers.x``
    (``a``, ``b``) (a package with some of its modules), ``helpers.x`` alone (a module or a bare package).
    A line whose first column is blank continues the row above."""
    doc = ast.get_docstring(ast.parse((HELPERS / "__init__.py").read_text(encoding="utf-8")))
    lines = doc.splitlines()
    borders = [i for i, line in enumerate(lines) if re.fullmatch(r"=+ +=+", line)]
    assert len(borders) == 3, "helpers/__init__.py's docstring should hold one simple RST table (three === lines)"
    width = len(lines[borders[0]].split()[0])
    rows = {}
    key = None
    for line in lines[borders[1] + 1:borders[2]]:
        if line[:width].strip():
            key = _row_key(line[:width])
            rows[key] = line[width:]
        else:
            rows[key] += " " + line[width:]
    table = {}
    for key, text in rows.items():
        names = set()
        for module, _, inner in re.findall(r"``(helpers(?:\.\w+)*)``(\s*\(([^()]*)\))?", text):
            submodules = re.findall(r"``(\w+)``", inner)
            names.update(f"{module}.{sub}" for sub in submodules) if submodules else names.add(module)
        table[key] = names
    return table


def _covered(module: str, names: set) -> bool:
    """Named itself, inside a bare package that is named, or (a package) through modules of it that are named."""
    parts = module.split(".")
    return (module in names or any(".".join(parts[:n]) in names for n in range(2, len(parts)))
            or any(name.startswith(module + ".") for name in names))


def test_the_tables_list_every_notebook_and_the_common_row():
    expected = {p.name[:2] for p in NOTEBOOKS} | {"all"}
    assert set(readme_table()) == expected, "README.md's module table: one row per notebook, and 'all'"
    assert set(docstring_table()) == expected, "helpers/__init__.py's module table: one row per notebook, and 'all'"


def test_the_two_tables_agree():
    readme, docstring = readme_table(), docstring_table()
    for key in sorted(readme.keys() | docstring.keys()):
        assert readme.get(key) == docstring.get(key), (
            f"row {key}: only in README.md {sorted(readme.get(key, set()) - docstring.get(key, set()))}, "
            f"only in helpers/__init__.py {sorted(docstring.get(key, set()) - readme.get(key, set()))}")


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.stem)
@pytest.mark.parametrize("table", [readme_table, docstring_table], ids=["README", "helpers-docstring"])
def test_the_table_names_every_module_the_notebook_uses(notebook, table):
    rows = table()
    names = rows.get(notebook.name[:2], set()) | rows.get("all", set())
    missing = sorted(m for m in notebook_modules(notebook) if not _covered(m, names))
    assert not missing, (f"{notebook.name} uses {missing}, which the {table.__name__.replace('_', ' ')} leaves out "
                         f"of its row {notebook.name[:2]} (and of 'all'): add them there")


def test_the_resolver_follows_every_kind_of_import(tmp_path):
    source = tmp_path / "09_demo.py"
    source.write_text("import helpers\nimport helpers.gallery\nfrom helpers import My_OIP, load_mnist\n"
                      "from helpers.oip.ascent import ascent_step\nfrom helpers.dream import clip_contrast\n"
                      "helpers.gallery.layer_gallery\nhelpers.model.class_scores_model\nhelpers.cnn.training.x\n"
                      "# helpers.cli in a comment is not a use\n")
    assert notebook_modules(source) == {"helpers.gallery", "helpers.oip", "helpers.data", "helpers.oip.ascent",
                                        "helpers.dream", "helpers.model", "helpers.cnn.training"}


def test_the_coverage_rule():
    assert _covered("helpers.oip.ascent", {"helpers.oip.ascent"})
    assert _covered("helpers.oip.ascent", {"helpers.oip"})                    # a bare package covers all of it
    assert _covered("helpers.gallery", {"helpers.gallery.live"})              # a package import: its modules named
    assert not _covered("helpers.activations.four_vs_nine", {"helpers.activations.maps"})
