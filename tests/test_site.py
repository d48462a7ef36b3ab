"""The course website: tools/build_site.py builds executed notebooks into static pages that open from disk.

The end-to-end tests build notebooks 01 and 04 (04 has a widget explorer) in quick mode into a temporary
folder. Without the `site` extra they are skipped — unless COURSE_REQUIRE_ALL_TESTS=1 (CI), then they fail.
"""
import html
import importlib.util
import json
import re
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest
from optional_extras import skip_or_fail

REPO = Path(__file__).resolve().parents[1]
BUILT = ["01_cnn_basics", "04_activation_visualization"]


def _load(name: str, path: Path):
    spec = importlib.util.spec_from_file_location(name, path)
    module = sys.modules[name] = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


build_site = _load("build_site", REPO / "tools" / "build_site.py")
course_contents = _load("course_contents", REPO / "docs" / "_ext" / "course_contents.py")
ENTRIES = {e.stem: e for e in course_contents.course_contents(REPO / "README.md", REPO / "notebooks")}


def require_site_packages():
    missing = build_site.missing_packages()
    if missing:
        reason = (f"the course website's packages are not installed ({', '.join(missing)}); "
                  f"to build and test the site: {build_site.INSTALL_HINT}")
        skip_or_fail(reason)


def run_build(*args, timeout=900):
    return subprocess.run([sys.executable, str(REPO / "tools" / "build_site.py"), "--quick", *map(str, args)],
                          capture_output=True, text=True, timeout=timeout, cwd=REPO)


class Page(HTMLParser):
    """The parts of a built page the tests look at."""

    def __init__(self, path: Path):
        super().__init__()
        self.path, self.refs, self.imgs, self.title, self._in_title = path, [], [], "", False
        self.feed(path.read_text(encoding="utf-8"))
        self.html = path.read_text(encoding="utf-8")

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        for key in ("src", "href", "data"):
            if attrs.get(key) and tag in {"script", "link", "img", "iframe", "source", "embed", "object"}:
                self.refs.append((tag, attrs[key]))
        if tag == "img":
            self.imgs.append(attrs["src"])
        self._in_title = tag == "title"

    def handle_endtag(self, tag):
        self._in_title = False

    def handle_data(self, data):
        if self._in_title:
            self.title += data

    def cells(self) -> list[str]:
        """The HTML of each notebook cell (its input and outputs)."""
        return self.html.split('<div class="cell docutils container">')[1:]


def text(page_html: str) -> str:
    """The visible text, entities decoded and typographic apostrophes made plain."""
    return html.unescape(re.sub(r"<[^>]+>", "", page_html)).replace("\u2019", "'")


# --- the table of contents (no build needed) -------------------------------------------------------

def test_contents_list_every_notebook_with_its_articles():
    assert sorted(ENTRIES) == sorted(p.stem for p in (REPO / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    assert len(ENTRIES) == 9
    assert ENTRIES["04_activation_visualization"].articles == "IV, V"
    assert ENTRIES["08_dream_carving"].articles.startswith("Deep Dreams")
    assert ENTRIES["09_which_pixels_decide"].articles == "beyond the articles"
    table = course_contents.contents_table(list(ENTRIES.values()), built=set(ENTRIES))
    for e in ENTRIES.values():
        assert e.title.startswith(e.stem[:2]) and e.articles
        assert f"{{doc}}`{e.title} <notebooks/{e.stem}>` | {e.articles} |" in table


def test_notebooks_not_built_are_named_without_a_link():
    table = course_contents.contents_table(list(ENTRIES.values()), built={"01_cnn_basics"})
    assert table.count("{doc}") == 1 and table.count("(not built here)") == len(ENTRIES) - 1


def test_only_takes_numbers_or_names_and_rejects_others():
    stems = list(ENTRIES)
    assert build_site.select_notebooks(["4", "01_cnn_basics"], stems) == ["04_activation_visualization",
                                                                          "01_cnn_basics"]
    assert build_site.select_notebooks(None, stems) == stems
    with pytest.raises(ValueError, match="no notebook '99'"):
        build_site.select_notebooks(["99"], stems)


def test_refuses_to_replace_a_folder_that_is_not_a_site(tmp_path):
    (tmp_path / "notes.txt").write_text("mine")
    with pytest.raises(ValueError, match="not an earlier site build"):
        build_site.check_out_dir(tmp_path)


# --- an end-to-end build ------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def site(tmp_path_factory):
    require_site_packages()
    out = tmp_path_factory.mktemp("site") / "site"
    result = run_build("--only", *(stem[:2] for stem in BUILT), "--out", out)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-5000:]
    return out


def test_index_states_the_mode_and_links_each_built_page(site):
    index = Page(site / "index.html")
    for stem in BUILT:
        assert f'href="notebooks/{stem}.html"' in index.html
        assert ENTRIES[stem].title in text(index.html)
    for stem in set(ENTRIES) - set(BUILT):
        assert f"{ENTRIES[stem].title} (not built here)" in text(index.html)
    assert "quick mode" in text(index.html) and "solution notebooks" in text(index.html)
    assert "<math" in index.html                                   # math as MathML, no MathJax
    assert not [ref for _, ref in index.refs if "mathjax" in ref.lower()]


@pytest.mark.parametrize("stem", BUILT)
def test_page_has_title_figures_and_printed_numbers(site, stem):
    page = Page(site / "notebooks" / f"{stem}.html")
    assert ENTRIES[stem].title in text(page.title)
    assert page.imgs, "no figure on the page"
    for src in page.imgs:
        assert (page.path.parent / src).resolve().is_file(), f"{src} is not in the build"
    outputs = [text(o) for o in re.findall(r'<div class="cell_output docutils container">(.*?)</div>\s*</div>',
                                             page.html, re.S)]
    assert any(re.search(r"\d", o) for o in outputs), "no printed number in any cell output"
    assert "absl::InitializeLog" not in page.html                  # TensorFlow's start-up log stays off the page


def test_no_page_loads_anything_from_the_network(site):
    pages = sorted(site.rglob("*.html"))
    assert len(pages) >= 1 + len(BUILT)
    for path in pages:
        remote = [(tag, ref) for tag, ref in Page(path).refs if re.match(r"(https?:)?//", ref)]
        assert not remote, f"{path.relative_to(site)} loads {remote}"
    for css in site.rglob("*.css"):
        assert not re.search(r"(@import|url\()\s*['\"]?(https?:)?//", css.read_text(encoding="utf-8")), css


def test_widget_explorer_shows_a_picture_not_an_empty_box(site):
    page = Page(site / "notebooks" / "04_activation_visualization.html")
    assert "application/vnd.jupyter.widget-view+json" not in page.html
    explorer_cells = [c for c in page.cells() if "explorer = activation_explorer(" in text(c)]
    assert len(explorer_cells) == 1
    assert re.search(r'<div class="cell_output.*<img ', explorer_cells[0], re.S)


def test_drawing_pad_shows_a_picture_of_the_pad(site):
    page = Page(site / "notebooks" / "04_activation_visualization.html")
    pad_cells = [c for c in page.cells() if "pad = drawing_explorer(" in text(c)]
    assert len(pad_cells) == 1
    assert re.search(r'<div class="cell_output.*<img ', pad_cells[0], re.S), "the pad's cell shows no picture"


def test_a_failing_notebook_stops_the_build_and_names_the_cell(tmp_path):
    require_site_packages()
    notebooks = tmp_path / "notebooks"
    notebooks.mkdir()
    for stem in ENTRIES:
        nb = json.loads((REPO / "notebooks" / f"{stem}.ipynb").read_text(encoding="utf-8"))
        if stem == "01_cnn_basics":
            code = [c for c in nb["cells"] if c["cell_type"] == "code"]
            code[0]["source"] = "print('a first cell that runs')"   # not 01's imports: TensorFlow costs seconds
            code[1]["source"] = "raise RuntimeError('broken on purpose')"
        (notebooks / f"{stem}.ipynb").write_text(json.dumps(nb), encoding="utf-8")
    result = run_build("--only", "01", "--notebooks", notebooks, "--out", tmp_path / "site")
    assert result.returncode != 0
    assert "FAILED in notebooks/01_cnn_basics.ipynb, code cell 2" in result.stderr
    assert "broken on purpose" in result.stderr
    assert not (tmp_path / "site").exists()


def test_the_source_notebooks_stay_without_outputs(site):
    for stem in BUILT:
        nb = json.loads((REPO / "notebooks" / f"{stem}.ipynb").read_text(encoding="utf-8"))
        assert not [c for c in nb["cells"] if c.get("outputs") or c.get("execution_count")], stem
