"""helpers — the reusable code of the mnist-cnn-course notebooks.

Import what the notebooks use from here: ``from helpers import load_mnist, build_cnn, ...``.
"""
from .data import load_mnist, one_hot, standardize, to_model_input, split_train_validation, save_splits, load_splits
from .model import (CONV_LAYER_NAMES, build_cnn, load_model_file, load_reference_model, reference_record)
from .mode import quick_mode
from .training import (FIRST_TEST_CONFIG, REFERENCE_CONFIG, LiveCurves, TrainConfig, confusion_matrix,
                       evaluate_accuracy, predict_classes, predict_proba, schedule_per_epoch, train_cnn)
