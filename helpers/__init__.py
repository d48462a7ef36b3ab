"""helpers — the reusable code of the mnist-cnn-course notebooks.

Import what the notebooks use from here: ``from helpers import load_mnist, build_cnn, ...``.
"""
from .data import load_mnist, one_hot, standardize, to_model_input, split_train_validation, save_splits, load_splits
from .model import (CONV_LAYER_NAMES, build_cnn, load_model_file, load_reference_model, reference_record)
from .mode import quick_mode
from .training import (FIRST_TEST_CONFIG, REFERENCE_CONFIG, LiveCurves, TrainConfig, confusion_matrix,
                       evaluate_accuracy, predict_classes, predict_proba, schedule_per_epoch, train_cnn)
from .data import MnistFormatError, MnistNotFoundError
from .basics import (EXAMPLE_KERNELS, LayerGeometry, conv_output_size, convolve, max_pool, mlp_param_count,
                     params_per_layer, plot_maps, plot_receptive_fields, receptive_fields, same_padding)
from .evaluation import most_confused_pairs, per_class_accuracy, plot_confusion_matrix, plot_predictions
from .descent import descent_path, valley_loss
from .activations import (GridLayout, UnknownLayerError, activation_grid, activations_of_layers, as_model_input,
                          check_index, check_indices,
                          check_layer_name, grid_layout, layer_activations, layer_submodel, map_image_correlation,
                          model_layer_names, standardize_maps)
from .activation_plots import (draw_grid, plot_class_probabilities, plot_digit_and_grid, plot_grid,
                               plot_grids_side_by_side)
from .activation_widgets import ActivationExplorer, activation_explorer, explorable_layers
from .four_vs_nine import (FourNineSelection, LogisticModel, MapDifference, ambiguous_examples, clear_examples,
                           confidence_margin, fit_logistic_regression, linear_separability, map_differences,
                           node_separation, select_four_nine)
from .oip import My_OIP, OIPResult, initial_image, fluctuation_components, snapshot_steps
from .oip_display import enhance_contrast, evolution_figure, image_row_figure, save_gif
from .photo import DEFAULT_PHOTO, Photo, PhotoError, default_photo_path, load_photo
from .dream import (CarvingPreparation, CarvingStep, DreamCarver, DreamResult, QuadrantSpecError, carve_photo,
                    clip_contrast, detail_correction, parse_quadrants)
from .dream_widgets import DreamExplorer, dream_explorer
from .dream_plots import dreams_side_by_side, iteration_figure, preparation_figure
from .gallery import (Gallery, StartSeries, bright_area, check_output_path, final_loss_figure, gallery_figure,
                      layer_gallery, live_maps_by_layer, mean_pairwise_correlation, mnist_test_images,
                      pairwise_correlations, save_figure, series_starts, shift_tolerant_correlation,
                      shift_tolerant_correlations, start_series, start_series_figure)
from .oip_widgets import OIPExplorer, oip_explorer
