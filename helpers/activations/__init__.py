"""Activations of the CNN's layers for real digits (articles IV–VI; notebooks 04 and 05).

``maps``          the sub-model input → layer and its output for some images (notebook 04, sections 1–2)
``grids``         one image's maps (or dense nodes) tiled into one array to draw (notebook 04, section 3)
``plots``         the figures: digit and grid, grids side by side, class probabilities (04, 05)
``widgets``       the activation explorer (04)
``four_vs_nine``  clear and ambiguous 4s and 9s, map differences, the linear probe (04, 05)
``drawing``       your own drawing as an MNIST-like 28×28 digit, made the way MNIST was (04, 05)
``pad``           the drawing pad widget (mouse, pen or finger; anywidget) (04, 05)
``pad_explorers`` the pad beside the prediction, probabilities, maps and nodes, redrawn after each stroke (04, 05)
"""
from .grids import (MAPS_PER_ROW, GridLayout, activation_grid, grid_layout, map_image_correlation,
                    standardize_maps)
from ..model import UnknownLayerError, check_layer_name, model_layer_names  # the layer-name check lives with the model
from .maps import activations_of_layers, as_model_input, check_index, check_indices, layer_activations, layer_submodel

__all__ = ["MAPS_PER_ROW", "GridLayout", "activation_grid", "grid_layout", "map_image_correlation", "standardize_maps",
           "UnknownLayerError", "activations_of_layers", "as_model_input", "check_index", "check_indices",
           "check_layer_name", "layer_activations", "layer_submodel", "model_layer_names"]
