"""Math on the course website as MathML, converted at build time: no MathJax, no script, works offline.

Sphinx's default math renderer (MathJax) loads its script from a CDN, which a page opened from disk
without network cannot reach. Browsers render MathML themselves, so `$...$` in a notebook's markdown
and `text/latex` outputs are turned into ``<math>`` elements here, with `latex2mathml`. LaTeX that
latex2mathml cannot read is shown as its source (and a build warning names it), never dropped.
"""
from __future__ import annotations

from docutils import nodes
from sphinx.util import logging
from sphinx.util.math import get_node_equation_number

logger = logging.getLogger(__name__)


def to_mathml(latex: str, display: str) -> str | None:
    """MathML for ``latex`` (``display`` "inline" or "block"); None when latex2mathml cannot read it."""
    from latex2mathml.converter import convert

    try:
        return convert(latex.strip(), display=display)
    except Exception as error:  # latex2mathml raises its own exception types for unknown commands
        logger.warning("math not converted to MathML (%s): %s", error, latex, type="mathml")
        return None


def _append(self, node, latex: str, display: str) -> None:
    mathml = to_mathml(latex, display)
    self.body.append(mathml if mathml is not None else f'<code class="math-source">{self.encode(latex)}</code>')


def visit_math(self, node: nodes.math) -> None:
    self.body.append(self.starttag(node, "span", "", CLASS="math"))
    _append(self, node, node.astext(), "inline")
    self.body.append("</span>")
    raise nodes.SkipNode


def visit_math_block(self, node: nodes.math_block) -> None:
    self.body.append(self.starttag(node, "div", CLASS="math"))
    if node.get("number"):
        self.body.append(f'<span class="eqno">({get_node_equation_number(self, node)})</span>')
    for part in (p for p in node.astext().split("\n\n") if p.strip()):  # one block may hold several equations
        _append(self, node, part, "block")
    self.body.append("</div>\n")
    raise nodes.SkipNode


def setup(app):
    app.add_html_math_renderer("mathml", (visit_math, None), (visit_math_block, None))
    return {"parallel_read_safe": True, "parallel_write_safe": True}
