"""Attribution: which pixels of a digit decide the network's answer (notebook 09).

``helpers.attribution.methods`` holds each method as one short function of (model, raw images 0..1, class):
gradient saliency, SmoothGrad, integrated gradients (black or blurred baseline), Grad-CAM and occlusion.
``helpers.attribution.trust`` asks whether a map can be trusted: model randomization and deletion curves.
Not imported by ``helpers`` itself: ``from helpers.attribution import saliency``.
"""
from .methods import (blurred_baseline, class_scores, grad_cam, integrated_gradients, occlusion, saliency,
                      smoothgrad)
from .trust import deletion_curve, randomized_copy, rank_correlation

__all__ = ["saliency", "smoothgrad", "integrated_gradients", "blurred_baseline", "grad_cam", "occlusion",
           "class_scores", "randomized_copy", "rank_correlation", "deletion_curve"]
