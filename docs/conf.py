"""Sphinx configuration of the course website. Build it with `python tools/build_site.py` (see its --help),
which executes the notebooks and sets the course_* values below for quick or full mode."""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent / "_ext"))

project = "mnist-cnn-course"
author = "the mnist-cnn-course authors"
html_title = "A CNN on MNIST, from the inside"

extensions = [
    "myst_nb",          # MyST markdown pages and executed notebooks
    "mathml_math",      # docs/_ext: math rendered to MathML at build time (no MathJax from a CDN)
    "course_contents",  # docs/_ext: the index page's table of notebooks and articles, read from README.md
]
course_root = str(Path(__file__).resolve().parents[1])
course_mode = "full"
course_notebooks = []

root_doc = "index"
exclude_patterns = ["**.ipynb_checkpoints"]
myst_enable_extensions = ["dollarmath", "amsmath", "substitution"]
html_math_renderer = "mathml"
myst_update_mathjax = False        # no MathJax on these pages, so no MathJax classes either

# Execution: every build runs every notebook afresh, in its own folder, and stops at the first error.
nb_execution_mode = "force"
nb_execution_in_temp = False
nb_execution_timeout = 3600          # seconds per cell; full-mode training cells take minutes
nb_execution_raise_on_error = True
nb_execution_show_tb = True
nb_merge_streams = True
# The pages show what a notebook prints and displays. The kernels' stderr holds TensorFlow's C++ start-up
# log (oneDNN notice, CUDA probing on a machine without a GPU): noise on a page, so it is left out.
nb_output_stderr = "remove"
# Widgets cannot run on a static page: never emit the widget view (the explorers also offer a PNG of
# their figure, which then shows) and never load the widget manager's JavaScript from a CDN.
nb_mime_priority_overrides = [("html", "application/vnd.jupyter.widget-view+json", None)]
nb_ipywidgets_js = {}

html_theme = "sphinx_book_theme"
html_theme_options = {
    "home_page_in_toc": True,
    "use_download_button": False,
    "use_fullscreen_button": False,
}
html_copy_source = False
html_show_sourcelink = False
