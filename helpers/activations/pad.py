"""The drawing pad (notebook 04, section 7, and notebook 05, section 8: "Draw your own digit"): a canvas to draw
on with the mouse, a pen or a finger.

Built with anywidget: the few lines of JavaScript below are the whole front end, sent to the browser with the
widget; anywidget's own JupyterLab 4 / Notebook 7 extension, installed with the Python package, runs them,
so nothing is loaded from the network. The browser draws while the pointer moves (no message per mouse
move); when a stroke ends, its points go to the kernel once, as one more entry of ``strokes``. The kernel
side is plain traitlets: setting ``pad.strokes`` from Python redraws the canvas and is what the tests do.
"""
from __future__ import annotations

import anywidget
import traitlets

from .drawing import MNIST_BOX, MNIST_SIZE, PAD_SIZE, PEN_WIDTH

_ESM = """
function paint(ctx, strokes, size, pen) {
  ctx.fillStyle = "white";
  ctx.fillRect(0, 0, size, size);
  const box = size * __BOX__ / __FIELD__, margin = (size - box) / 2;   // the guide box: a digit as tall as MNIST's
  ctx.strokeStyle = "#d0d8e8";
  ctx.lineWidth = 1;
  ctx.setLineDash([4, 4]);
  ctx.strokeRect(margin, margin, box, box);
  ctx.setLineDash([]);
  ctx.strokeStyle = ctx.fillStyle = "black";
  ctx.lineWidth = pen;
  ctx.lineCap = ctx.lineJoin = "round";
  for (const stroke of strokes) {
    if (stroke.length === 1) {
      ctx.beginPath(); ctx.arc(stroke[0][0], stroke[0][1], pen / 2, 0, 2 * Math.PI); ctx.fill();
      continue;
    }
    ctx.beginPath();
    stroke.forEach(([x, y], i) => (i ? ctx.lineTo(x, y) : ctx.moveTo(x, y)));
    ctx.stroke();
  }
}

function render({ model, el }) {
  const size = model.get("size");
  const canvas = document.createElement("canvas");
  canvas.width = canvas.height = size;
  canvas.className = "course-drawing-pad";
  // touch-action none: a finger draws instead of scrolling the page
  canvas.style.cssText = "touch-action: none; cursor: crosshair; border: 1px solid #888; max-width: 100%;";
  el.appendChild(canvas);
  const ctx = canvas.getContext("2d");
  let current = null;
  const redraw = () => paint(ctx, current ? [...model.get("strokes"), current] : model.get("strokes"),
                             size, model.get("pen_width"));
  const point = (event) => {
    const rect = canvas.getBoundingClientRect();       // the canvas may be shown smaller than its pixels
    return [Math.round((event.clientX - rect.left) * size / rect.width * 10) / 10,
            Math.round((event.clientY - rect.top) * size / rect.height * 10) / 10];
  };
  canvas.addEventListener("pointerdown", (event) => {
    canvas.setPointerCapture(event.pointerId);
    current = [point(event)];
    redraw();
    event.preventDefault();
  });
  canvas.addEventListener("pointermove", (event) => {
    if (!current) return;
    current.push(point(event));
    redraw();
  });
  const finish = () => {
    if (!current) return;
    const stroke = current;
    current = null;
    model.set("strokes", [...model.get("strokes"), stroke]);   // one message per finished stroke
    model.save_changes();
  };
  canvas.addEventListener("pointerup", finish);
  canvas.addEventListener("pointercancel", finish);
  model.on("change:strokes", redraw);
  model.on("change:pen_width", redraw);
  redraw();
  return () => { model.off("change:strokes", redraw); model.off("change:pen_width", redraw); };
}

export default { render };
""".replace("__BOX__", str(MNIST_BOX)).replace("__FIELD__", str(MNIST_SIZE))


class DrawingPad(anywidget.AnyWidget):
    """A square canvas of ``size`` pixels; ``strokes`` holds what was drawn: a list of strokes, each a list of
    [x, y] points in canvas pixels. The browser adds one stroke each time the pointer is lifted; Python may set
    ``strokes`` too (``pad.strokes = []`` clears the canvas). The pen is ``pen_width`` pixels wide, MNIST's
    stroke for a digit as tall as the dashed guide box. Used by :mod:`helpers.activations.pad_explorers`.
    """

    _esm = _ESM
    size = traitlets.Int(PAD_SIZE).tag(sync=True)
    pen_width = traitlets.Float(PEN_WIDTH).tag(sync=True)
    strokes = traitlets.List().tag(sync=True)

    @traitlets.validate("strokes")
    def _valid_strokes(self, proposal):
        strokes = proposal["value"]
        for k, stroke in enumerate(strokes):
            if not isinstance(stroke, (list, tuple)) or not stroke or not all(
                    isinstance(p, (list, tuple)) and len(p) == 2 for p in stroke):
                raise traitlets.TraitError(f"Stroke {k} must be a non-empty list of [x, y] points in pad pixels; "
                                           f"got {stroke!r:.80}.")
        return [[[float(x), float(y)] for x, y in stroke] for stroke in strokes]
