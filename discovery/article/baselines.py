"""The seed article's three baselines as scikit-learn style regressors: nearest neighbour
(the data is the model), a linear model fitted by SGD and the 2×256 sigmoid MLP black box.
The torch models train full batch in float32 on the raw (unscaled) inputs, as in the article.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import torch
from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.utils.validation import check_is_fitted
from torch import nn

from ..device import resolve_device as _resolve_device
from ..errors import DataError
from ..io.columns import input_matrix, target_values

__all__ = ["NearestNeighbourRegressor", "LinearSGDRegressor", "MLPRegressor", "BASELINES"]

_NN_BLOCK_BYTES = 64 * 2**20  # working memory of one nearest-neighbour block
_PREDICT_CHUNK = 65536  # rows per forward pass in predict


def _check_Xy(X, y) -> tuple[np.ndarray, np.ndarray]:
    """A training pair read by the toolkit's one input check: finite columns of ``X``, a finite ``y`` as long."""
    Xa = input_matrix(X)
    return Xa, target_values(y, Xa.shape[0])


class _FittedMixin:
    """Shared predict-time check of a fitted regressor."""

    def _check_predict_X(self, X) -> np.ndarray:
        check_is_fitted(self)
        return input_matrix(X, self.n_features_in_, expected_by=type(self).__name__)


class NearestNeighbourRegressor(_FittedMixin, RegressorMixin, BaseEstimator):
    """Model-less baseline: predict the target of the closest training row.

    Distances are Euclidean on the raw features; ties go to the earliest row.
    Queries are processed in blocks so that about 64 MB of working memory is
    used whatever the sizes.

    Parameters
    ----------
    random_state : int or None
        Unused; accepted so that every entry of :data:`BASELINES` takes it.
    """

    def __init__(self, random_state: int | None = None) -> None:
        self.random_state = random_state

    def fit(self, X, y) -> NearestNeighbourRegressor:
        """Store the training rows ``X`` (n, d) and targets ``y`` (n,)."""
        self.X_train_, self.y_train_ = _check_Xy(X, y)
        self.n_features_in_ = self.X_train_.shape[1]
        return self

    def kneighbors_index(self, X) -> np.ndarray:
        """Index into the training rows of the nearest neighbour of each row of ``X``."""
        Q = self._check_predict_X(X)
        T = self.X_train_
        block = int(np.clip(_NN_BLOCK_BYTES // (3 * 8 * T.shape[0]), 1, 4096))
        out = np.empty(Q.shape[0], dtype=np.intp)
        for start in range(0, Q.shape[0], block):
            q = Q[start : start + block]
            d2 = np.zeros((q.shape[0], T.shape[0]))
            for j in range(T.shape[1]):  # exact differences: a training row is at distance 0
                diff = q[:, j, None] - T[None, :, j]
                diff *= diff
                d2 += diff
            out[start : start + block] = np.argmin(d2, axis=1)
        return out

    def predict(self, X) -> np.ndarray:
        """Target of the nearest training row for each row of ``X``; shape (n,), float64."""
        index = self.kneighbors_index(X)
        return self.y_train_[index].astype(np.float64)


class _TorchRegressor(_FittedMixin, RegressorMixin, BaseEstimator):
    """Full-batch float32 MSE training of a torch module built by ``_build``."""

    # subclasses define _build(d) -> nn.Module and _optimiser(params) -> Optimizer

    def fit(self, X, y):
        """Train on ``X`` (n, d) and ``y`` (n,); return ``self``.

        Sets ``model_``, ``device_``, ``n_features_in_`` and ``loss_curve_``
        (training MSE before each epoch's update).
        """
        Xa, ya = _check_Xy(X, y)
        dev = _resolve_device(self.device)
        if self.random_state is None:
            model = self._build(Xa.shape[1])
        else:  # seed weight init only, leaving the global RNG untouched
            with torch.random.fork_rng(devices=[]):
                torch.manual_seed(int(self.random_state))
                model = self._build(Xa.shape[1])
        model = model.to(dev)
        xt = torch.as_tensor(Xa, dtype=torch.float32, device=dev)
        yt = torch.as_tensor(ya, dtype=torch.float32, device=dev).unsqueeze(1)
        opt = self._optimiser(model.parameters())
        criterion = nn.MSELoss()
        losses = torch.empty(int(self.epochs), device=dev)
        model.train()
        for epoch in range(int(self.epochs)):
            opt.zero_grad()
            loss = criterion(model(xt), yt)
            loss.backward()
            opt.step()
            losses[epoch] = loss.detach()
        model.eval()
        self.model_ = model
        self.device_ = str(dev)
        self.n_features_in_ = Xa.shape[1]
        self.loss_curve_ = losses.cpu().numpy().astype(np.float64)
        return self

    def predict(self, X) -> np.ndarray:
        """Model output for each row of ``X``; shape (n,), float64."""
        Xa = self._check_predict_X(X)
        out = np.empty(Xa.shape[0], dtype=np.float64)
        with torch.no_grad():
            for s in range(0, Xa.shape[0], _PREDICT_CHUNK):
                xt = torch.as_tensor(Xa[s : s + _PREDICT_CHUNK], dtype=torch.float32, device=self.device_)
                out[s : s + _PREDICT_CHUNK] = self.model_(xt).squeeze(1).cpu().numpy()
        return out


class LinearSGDRegressor(_TorchRegressor):
    """Linear model ``y = w·x + b`` trained as in the article (SGD, full batch, MSE).

    Parameters
    ----------
    lr : float
        SGD learning rate.
    epochs : int
        Number of full-batch gradient steps.
    device : str
        ``"auto"`` (CUDA when available, else CPU), ``"cpu"``, ``"cuda"`` or ``"cuda:k"``.
    random_state : int or None
        Seed of the weight initialisation.
    """

    def __init__(
        self, lr: float = 0.01, epochs: int = 500, device: str = "auto", random_state: int | None = None
    ) -> None:
        self.lr = lr
        self.epochs = epochs
        self.device = device
        self.random_state = random_state

    def _build(self, d: int) -> nn.Module:
        return nn.Linear(d, 1)

    def _optimiser(self, params) -> torch.optim.Optimizer:
        return torch.optim.SGD(params, lr=self.lr)

    def fit(self, X, y) -> LinearSGDRegressor:
        """Train on ``X`` (n, d) and ``y`` (n,); sets ``coef_`` (d,) and ``intercept_``."""
        super().fit(X, y)
        lin = self.model_
        self.coef_ = lin.weight.detach().cpu().numpy().astype(np.float64).ravel()
        self.intercept_ = float(lin.bias.detach().cpu().item())
        return self

    def formula(self, variables: list[str], target: str = "y") -> str:
        """The fitted law as text, e.g. ``"s = 0.6312*v + 1.2*theta - 1.9"`` (4 sig. digits).

        Parameters
        ----------
        variables : list of str
            One name per feature column, in order.
        target : str
            Name of the left-hand side.
        """
        check_is_fitted(self)
        if len(variables) != len(self.coef_):
            raise DataError(f"got {len(variables)} variable names for {len(self.coef_)} coefficients")
        terms = [(float(c), f"*{name}") for c, name in zip(self.coef_, variables)]
        terms.append((self.intercept_, ""))
        text = "".join((" - " if c < 0 else " + ") + f"{abs(c):.4g}{suffix}" for c, suffix in terms)
        return f"{target} = " + ("-" + text[3:] if text.startswith(" - ") else text[3:])


class MLPRegressor(_TorchRegressor):
    """The article's black box: Linear(d,h)→Sigmoid→Linear(h,h)→Sigmoid→Linear(h,1), Adam.

    Parameters
    ----------
    hidden : int
        Width ``h`` of both hidden layers.
    epochs : int
        Number of full-batch Adam steps.
    lr : float
        Adam learning rate.
    device : str
        ``"auto"`` (CUDA when available, else CPU), ``"cpu"``, ``"cuda"`` or ``"cuda:k"``.
    random_state : int or None
        Seed of the weight initialisation.
    """

    def __init__(
        self,
        hidden: int = 256,
        epochs: int = 1000,
        lr: float = 0.01,
        device: str = "auto",
        random_state: int | None = None,
    ) -> None:
        self.hidden = hidden
        self.epochs = epochs
        self.lr = lr
        self.device = device
        self.random_state = random_state

    def _build(self, d: int) -> nn.Module:
        h = int(self.hidden)
        return nn.Sequential(nn.Linear(d, h), nn.Sigmoid(), nn.Linear(h, h), nn.Sigmoid(), nn.Linear(h, 1))

    def _optimiser(self, params) -> torch.optim.Optimizer:
        return torch.optim.Adam(params, lr=self.lr)


BASELINES: list[tuple[str, Callable[..., BaseEstimator]]] = [
    ("nearest neighbour", NearestNeighbourRegressor),
    ("linear (SGD)", LinearSGDRegressor),
    ("MLP 2×256 sigmoid", MLPRegressor),
]
