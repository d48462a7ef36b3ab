"""helpers — the reusable code of the mnist-cnn-course notebooks.

The few names a learner needs everywhere are importable from here (``from helpers import load_mnist,
build_cnn, My_OIP``); everything else lives in the module of its concept, so an import line tells where
the code is (``from helpers.oip.ascent import ascent_step``). The table below (the same as README.md's,
which tests/test_module_table.py checks against the notebooks' imports) gives each notebook's modules,
those it calls through ``from helpers import ...`` included; ``helpers.oip.widgets`` serves notebook 07.
``helpers.attribution`` and ``helpers.adversarial`` (notebook 09) are not imported here: import them by name.

=============================  ===========================================================================
notebook                       modules
=============================  ===========================================================================
01 CNN basics                  ``helpers.cnn.basics``
02 building the CNN            ``helpers.model``, ``helpers.cnn`` (``training``, ``evaluation``, ``basics``)
03 training with a scheduler   ``helpers.cnn`` (``training``, ``descent``, ``evaluation``, ``reference``)
04 activation visualization    ``helpers.activations`` (``maps``, ``grids``, ``plots``, ``widgets``,
                               ``four_vs_nine``, ``drawing``, ``pad``, ``pad_explorers``), ``helpers.explorer``,
                               ``helpers.cnn.training``
05 four vs nine                ``helpers.activations`` (``four_vs_nine``, ``maps``, ``plots``, ``drawing``, ``pad``,
                               ``pad_explorers``), ``helpers.cnn.training``
06 OIP code                    ``helpers.oip`` (``constants``, ``ascent``, ``starts``, ``objectives``,
                               ``fast_kernels``, ``engine``, ``core``, ``display``), ``helpers.activations``
                               (``maps``, ``plots``)
07 map gallery                 ``helpers.gallery`` (``live``, ``layer``, ``series``, ``similarity``, ``figures``,
                               ``kernels``, ``examples``, ``matching``), ``helpers.oip`` (``core``, ``display``, ``widgets``,
                               ``regularizers``, ``blog_digits``), ``helpers.cnn.basics``,
                               ``helpers.cnn.training``
08 dream carving               ``helpers.dream`` (``photo``, ``images``, ``carving``, ``results``, ``plots``,
                               ``widgets``)
09 which pixels decide         ``helpers.attribution`` (``methods``, ``trust``, ``explorer``),
                               ``helpers.adversarial`` (``attacks``), ``helpers.activations`` (``four_vs_nine``,
                               ``maps``), ``helpers.cnn.training``
all                            ``helpers.data``, ``helpers.model``, ``helpers.mode``, ``helpers.exercise_check``,
                               ``helpers.files``, ``helpers.cli``
=============================  ===========================================================================
"""
from .activations import layer_activations, model_layer_names
from .activations.plots import plot_digit_and_grid
from .activations.widgets import activation_explorer
from .cnn.training import (FIRST_TEST_CONFIG, REFERENCE_CONFIG, TrainConfig, evaluate_accuracy, predict_classes,
                           predict_proba, train_cnn)
from .data import load_mnist, load_splits, save_splits, split_train_validation, standardize, to_model_input
from .dream import DreamCarver, load_photo
from .dream.widgets import dream_explorer
from .gallery import layer_gallery
from .mode import quick_mode
from .model import build_cnn, load_model_file, load_reference_model, reference_record
from .oip import My_OIP, OIPResult, initial_image
from .oip.display import enhance_contrast, evolution_figure, image_row_figure
from .oip.widgets import oip_explorer

__all__ = [
    # data and mode (every notebook)
    "load_mnist", "to_model_input", "standardize", "split_train_validation", "save_splits", "load_splits",
    "quick_mode",
    # the CNN (02, 03) and the reference model (04-08)
    "build_cnn", "load_model_file", "load_reference_model", "reference_record",
    "TrainConfig", "FIRST_TEST_CONFIG", "REFERENCE_CONFIG", "train_cnn", "evaluate_accuracy", "predict_proba",
    "predict_classes",
    # activations (04, 05)
    "layer_activations", "model_layer_names", "plot_digit_and_grid", "activation_explorer",
    # OIPs (06, 07)
    "My_OIP", "OIPResult", "initial_image", "evolution_figure", "image_row_figure", "enhance_contrast",
    "oip_explorer", "layer_gallery",
    # dream carving (08)
    "DreamCarver", "load_photo", "dream_explorer",
]
