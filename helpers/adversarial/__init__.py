"""Adversarial examples: what turns a 4 into a 9 (notebook 09, part 2). Import it explicitly,
``from helpers.adversarial import pgd``; ``helpers`` itself does not load it.

=================================  ==============================================================================
``helpers.adversarial.attacks``    FGSM, PGD on the course's ascent engine, flip rates, smallest flipping ε
=================================  ==============================================================================
"""
from .attacks import fgsm, flip_rates, pgd, predict, smallest_flipping_eps

__all__ = ["fgsm", "pgd", "predict", "flip_rates", "smallest_flipping_eps"]
