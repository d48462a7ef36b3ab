"""Galleries of OIPs: the pattern of every map of a conv layer, and one map from many starts.

Article IX showed patterns for 61 of the 128 maps of Conv2D_3; the other maps stayed at zero
activation from the random starts tried. Article X's precursor (pick, per map, the long-wavelength
random image that activates it most) fills those gaps, and article XII repeats the gallery for the first
two conv layers. Here a whole layer is derived in ONE batched run of :class:`helpers.oip.My_OIP`
with the precursor on, and the result is checked against the maps that real digits activate:

    patterns found / live maps / all maps

A map is *live* when at least one MNIST test digit gives it a positive mean activation. A live map
without a pattern would be a failure of the search; the goal is that every live map gets one. A
dead map (no test digit activates it) can still get a pattern: the search is not limited to digits.

Defaults: ``precursor=True`` (no map is left at zero for want of a good start) and
``stop_early=True`` (maps that meet the article's convergence criterion leave the batch, the
article's ``b_stop_with_convergence``), which roughly halves the time for a whole layer.

The "Hand of MNIST" series (:func:`start_series`) derives one map from several random starts with
different wavelength mixes, still in one batch, and measures how alike the results are: the mean
pairwise Pearson correlation of the final images, and the same after aligning each pair by a small
shift (the deep maps barely care where on the image a stroke sits, so plain correlation undersells
how alike two results look).

The kernels of the first conv layer are small images themselves (:func:`layer_kernels`,
:func:`kernel_figure`); :mod:`helpers.gallery.kernels` also shows why convolving noise with one layer's
kernels in isolation cannot replace the OIP (its objective is linear, so its gradient never changes).

Beside every pattern, the real digits that drive its map hardest (:func:`dataset_examples`, in one batched
pass over the test set for all layers) and how the pattern's activation compares with theirs
(:func:`oip_against_data`), drawn by :func:`examples_figure`.
"""
# the names the notebooks, the command line and the benchmarks import from the package; the rest is
# imported from its module (``from helpers.gallery.series import series_starts``)
from .examples import dataset_examples, examples_figure, oip_against_data
from .figures import GALLERY_VARIANTS, final_loss_figure, gallery_figure, kernel_figure, save_figure
from .kernels import layer_kernels, map_gradients, one_layer_ascent, one_layer_gradient, smooth_share
from .layer import layer_gallery
from .live import live_maps_by_layer, mnist_test_images
from .series import start_series, start_series_figure
from .similarity import bright_area, mean_pairwise_correlation, shift_tolerant_correlations

__all__ = ["layer_gallery", "live_maps_by_layer", "mnist_test_images", "GALLERY_VARIANTS", "gallery_figure",
           "final_loss_figure", "save_figure", "start_series", "start_series_figure", "bright_area",
           "mean_pairwise_correlation", "shift_tolerant_correlations", "kernel_figure", "layer_kernels",
           "smooth_share", "one_layer_gradient", "one_layer_ascent", "map_gradients", "dataset_examples",
           "oip_against_data", "examples_figure"]
