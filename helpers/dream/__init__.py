"""Dream carving (Deep Dreams I–III): amplify a map's pattern inside a photo.

The MNIST CNN only sees 28×28 images, so a large photo is carved in a cycle:

1. shrink the current image to 28×28 (bicubic, antialiased) and standardize it — the CNN's input;
2. run the OIP ascent (:meth:`helpers.oip.My_OIP.ascend`) for a few steps on it: the traces of the
   chosen map's pattern that the CNN finds in the photo get stronger;
3. enlarge the result to the working size again (bicubic) and standardize it;
4. add the *detail correction*: the original minus its shrunk-and-enlarged copy. That is exactly the
   detail the trip through 28×28 destroyed, so with nothing carved the original comes back;
5. standardize.

Deep Dreams III adds sub-images: after the full-image step of every iteration, the quadrants (all four,
some, or none) are cut out, carved at 28×28 with a map of their own (each with its own correction),
and pasted back. All chosen quadrants are carved together in one batched ascent.

The pitfall of the article's addendum: a quadrant of a standardized image is *not* standardized
itself (a dark corner has a negative mean, a flat one a std below 1). The CNN needs it standardized, so each tile's
mean and std are recorded first, the carving happens in the tile's standardized units, and the
standardization is undone before the tile goes back (``undo_tile_standardization=True``, the default).
The article's first code pasted the carved, standardized tile directly; ``False`` reproduces that
naive paste, so notebook 08 can show the difference.

The algorithm returns arrays and never draws. There is no randomness unless ``noise > 0`` is asked
for (then ``seed`` makes it reproducible).
"""
# the names the notebooks, the command line and the benchmarks import from the package; the rest is
# imported from its module (``from helpers.dream.results import DreamResult``)
from .carving import DEFAULT_ITERATIONS, DEFAULT_STEPS, DreamCarver
from .images import (QUADRANT_NAMES, QuadrantSpecError, back_to_size, clip_contrast, cnn_input, detail_correction,
                     parse_quadrants)
from .photo import load_photo

__all__ = ["DreamCarver", "DEFAULT_ITERATIONS", "DEFAULT_STEPS", "QUADRANT_NAMES", "QuadrantSpecError",
           "back_to_size", "clip_contrast", "cnn_input", "detail_correction", "parse_quadrants", "load_photo"]
