"""The seed article's cannon experiment, kept beside the core as its reference.

The data (``cannon``), the article's own six-term Adam-trained model
(``basis_adam``), its three baselines (``baselines``: nearest neighbour,
linear SGD, the 2×256 MLP), the demo that compares them all with
``discover`` (``demo``, run by ``discovery demo``) and its figures (``plots``).
"""

from .cannon import TRUE_LAW, VARIABLES, CannonData, G, cannon_shots, true_distance

__all__ = ["G", "TRUE_LAW", "VARIABLES", "CannonData", "cannon_shots", "true_distance"]
