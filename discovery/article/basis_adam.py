"""The article's own quasi-linear model: six fixed terms trained by Adam.

Kept as the reference the toolkit measures itself against: same terms, same
optimiser, same 5,000 full-batch steps at learning rate 0.1, float32, weights
started uniform in [0, 1), no pruning.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.utils.validation import check_is_fitted

from bases import power_harmonics

from ..device import resolve_device
from ..io.columns import input_matrix, target_values


class ArticleBasisAdam(RegressorMixin, BaseEstimator):
    """The seed's BasisRegressor: w·[v, v², v sinθ, v sin2θ, v² sinθ, v² sin2θ] fitted by Adam.

    Parameters
    ----------
    epochs : int
        Full-batch Adam steps (the article: 5,000).
    lr : float
        Learning rate (the article: 0.1).
    device : str
        "auto", "cpu" or "cuda".
    random_state : int or None
        Seeds the initial weights.

    Attributes
    ----------
    coef_ : numpy.ndarray, shape (6,)
        Trained weights, in the order of ``terms_``.
    terms_ : list of str
    """

    def __init__(self, epochs: int = 5000, lr: float = 0.1, device: Any = "auto", random_state: int | None = None):
        self.epochs = epochs
        self.lr = lr
        self.device = device
        self.random_state = random_state

    def _library(self):
        return power_harmonics("v", "theta", powers=(1, 2), orders=(0, 1, 2))

    def fit(self, X: Any, y: Any) -> ArticleBasisAdam:
        """Train the six weights on ``X = [v, theta]`` and distances ``y``."""
        import torch

        X = input_matrix(X, 2, expected_by="ArticleBasisAdam (v, theta)")
        y = target_values(y, len(X))
        device = resolve_device(self.device)
        library = self._library()
        design = torch.as_tensor(library.evaluate(X, ["v", "theta"]), dtype=torch.float32, device=device)
        target = torch.as_tensor(y, dtype=torch.float32, device=device)
        generator = torch.Generator().manual_seed(0 if self.random_state is None else int(self.random_state))
        weights = torch.rand(len(library), generator=generator).to(device).requires_grad_(True)
        optimizer = torch.optim.Adam([weights], lr=self.lr)
        for _ in range(self.epochs):
            optimizer.zero_grad()
            loss = torch.mean((design @ weights - target) ** 2)
            loss.backward()
            optimizer.step()
        self.coef_ = weights.detach().cpu().numpy().astype(np.float64)
        self.terms_ = library.names
        self.device_ = str(device)
        return self

    def predict(self, X: Any) -> np.ndarray:
        """Distances predicted for shots ``X = [v, theta]``."""
        check_is_fitted(self)
        design = self._library().evaluate(input_matrix(X, 2, expected_by="ArticleBasisAdam (v, theta)"), ["v", "theta"])
        return design @ self.coef_

    def formula(self, variables: Any = None, target: str = "s", digits: int = 2) -> str:
        """The trained model as the article printed it: every weight to ``digits`` decimals.

        ``variables`` is accepted for the same call shape as the baselines; the
        terms are always in v and theta.
        """
        parts = [f"{w:+.{digits}f}*{name}" for w, name in zip(self.coef_, self.terms_)]
        return f"{target} = " + " ".join(parts).lstrip("+")
