"""The neural oracle: a smooth fit of the data whose gradients the structure tests read.

An MLP is trained on the rows (a validation split held out, early stopping on
it). Inputs are standardised, in log space for a positive column whose logs
are less skewed than its values (a column drawn evenly over decades); the
output is standardised too, as log|y| by the same rule when y keeps one
sign, so that relative accuracy holds where y spans decades. The
validation error, in the units the network was trained in, is the tolerance
the structure tests are measured against: noise widens it and the tests then
fire less, rather than wrongly.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

import numpy as np

from ..device import resolve_device

DEFAULT_HIDDEN = (64, 64, 64)
BATCH_ROWS = 512
LEARNING_RATE = 1e-2  # Adam, annealed to zero over max_epochs (a cosine)
MAX_TRAIN_ROWS = 8000  # more rows add little to a smooth fit of a few variables and cost time


@dataclass(frozen=True)
class _Scale:
    """Per-column map from data to the network's units: optional log, then standardisation."""

    log: np.ndarray  # bool per column
    sign: np.ndarray  # the column's sign where log is taken (one-signed columns)
    mean: np.ndarray
    std: np.ndarray

    @classmethod
    def of(cls, values: np.ndarray, positive_only: bool) -> _Scale:
        values = np.atleast_2d(values.T).T
        log = np.zeros(values.shape[1], dtype=bool)
        sign = np.ones(values.shape[1])
        for j, column in enumerate(values.T):
            if not positive_only and np.max(column) < 0:
                column, sign[j] = -column, -1.0
            log[j] = np.min(column) > 0 and abs(_skew(np.log(column))) < abs(_skew(column))
        mapped = cls._map(values, log, sign)
        std = np.std(mapped, axis=0)
        return cls(log, sign, np.mean(mapped, axis=0), np.where(std > 0, std, 1.0))

    @staticmethod
    def _map(values: np.ndarray, log: np.ndarray, sign: np.ndarray) -> np.ndarray:
        out = np.array(values, dtype=float, copy=True)
        for j in np.flatnonzero(log):
            out[:, j] = np.log(sign[j] * values[:, j])
        return out

    def forward(self, values: np.ndarray) -> np.ndarray:
        values = np.atleast_2d(values.T).T
        return (self._map(values, self.log, self.sign) - self.mean) / self.std

    def derivative(self, values: np.ndarray) -> np.ndarray:
        """d(network unit)/d(data value) per entry."""
        values = np.atleast_2d(values.T).T
        out = np.broadcast_to(1.0 / self.std, values.shape).copy()
        for j in np.flatnonzero(self.log):
            out[:, j] = 1.0 / (values[:, j] * self.std[j])
        return out


def _skew(values: np.ndarray) -> float:
    std = np.std(values)
    return 0.0 if std == 0 else float(np.mean(((values - np.mean(values)) / std) ** 3))


class NeuralOracle:
    """An MLP fitted to (X, y), with the gradients of what it learned.

    Parameters
    ----------
    hidden : tuple of int
        Widths of the hidden layers (SiLU, so that gradients are smooth).
    validation_fraction : float
        Share of the rows held out for early stopping and the tolerance.
    patience : int
        Epochs without a better validation loss before training stops.
    max_epochs : int
        Epochs of the learning-rate schedule (a cosine from ``LEARNING_RATE`` to zero).
    time_limit : float or None
        Seconds training may take; the best weights so far are kept. Only
        a run stopped by it depends on the machine's speed.
    random_state : int or None
        Seed of the split, the initial weights and the batches.
    device : str
        ``"auto"`` (CUDA when present), ``"cpu"`` or ``"cuda"``.

    Attributes
    ----------
    validation_rmse_ : float
        Root-mean-square validation error in the network's standardised
        output units (log|y| when ``log_target_``): the tests' tolerance.
    log_target_ : bool
        Whether the network learned log|y|.
    epochs_ : int
        Epochs trained.
    """

    def __init__(
        self,
        hidden: tuple[int, ...] = DEFAULT_HIDDEN,
        validation_fraction: float = 0.2,
        patience: int = 30,
        max_epochs: int = 200,
        time_limit: float | None = 5.0,
        random_state: int | None = None,
        device: str = "auto",
    ) -> None:
        self.hidden = hidden
        self.validation_fraction = validation_fraction
        self.patience = patience
        self.max_epochs = max_epochs
        self.time_limit = time_limit
        self.random_state = random_state
        self.device = device

    def fit(self, X: np.ndarray, y: np.ndarray) -> NeuralOracle:
        """Train on rows ``X`` (n, d) and target ``y`` (n,); returns self."""
        import torch
        from torch import nn

        X = np.asarray(X, dtype=float)
        y = np.asarray(y, dtype=float)
        rng = np.random.default_rng(self.random_state)
        order = rng.permutation(len(y))
        n_val = max(1, int(round(self.validation_fraction * len(y))))
        val, train = order[:n_val], order[n_val:][:MAX_TRAIN_ROWS]
        self.x_scale_ = _Scale.of(X, positive_only=True)
        self.y_scale_ = _Scale.of(y[:, None], positive_only=False)
        self.log_target_ = bool(self.y_scale_.log[0])
        self.device_ = resolve_device(self.device)
        torch.manual_seed(0 if self.random_state is None else int(self.random_state))
        layers: list[nn.Module] = []
        width = X.shape[1]
        for h in self.hidden:
            layers += [nn.Linear(width, h), nn.SiLU()]
            width = h
        layers.append(nn.Linear(width, 1))
        self.network_ = nn.Sequential(*layers).to(self.device_, torch.float32)
        xt, yt = self._tensors(X[train], y[train])
        xv, yv = self._tensors(X[val], y[val])
        optimiser = torch.optim.Adam(self.network_.parameters(), lr=LEARNING_RATE)
        schedule = torch.optim.lr_scheduler.CosineAnnealingLR(optimiser, T_max=self.max_epochs)
        best, best_state, waited = math.inf, None, 0
        start = time.perf_counter()
        self.epochs_ = 0
        generator = torch.Generator().manual_seed(int(rng.integers(2**31)))
        for epoch in range(self.max_epochs):
            self.network_.train()
            for batch in torch.randperm(len(xt), generator=generator).split(BATCH_ROWS):
                optimiser.zero_grad()
                loss = torch.mean((self.network_(xt[batch]) - yt[batch]) ** 2)
                loss.backward()
                optimiser.step()
            with torch.no_grad():
                val_loss = float(torch.mean((self.network_(xv) - yv) ** 2))
            schedule.step()
            self.epochs_ = epoch + 1
            if val_loss < best * (1 - 1e-4):
                best, waited = val_loss, 0
                best_state = {k: v.clone() for k, v in self.network_.state_dict().items()}
            else:
                waited += 1
            if waited >= self.patience:
                break
            if self.time_limit is not None and time.perf_counter() - start > self.time_limit:
                break
        if best_state is not None:
            self.network_.load_state_dict(best_state)
        self.validation_rmse_ = math.sqrt(best)
        self.seconds_ = time.perf_counter() - start
        return self

    def _tensors(self, X: np.ndarray, y: np.ndarray | None = None):
        import torch

        # float32: twice as fast on a CPU, and the fit is far coarser than its rounding.
        xt = torch.as_tensor(self.x_scale_.forward(X), dtype=torch.float32, device=self.device_)
        if y is None:
            return xt
        yt = torch.as_tensor(self.y_scale_.forward(y[:, None]), dtype=torch.float32, device=self.device_)
        return xt, yt

    def predict_units(self, X: np.ndarray) -> np.ndarray:
        """The network's output on rows ``X``, in its standardised units (shape (n,))."""
        import torch

        with torch.no_grad():
            return self.network_(self._tensors(np.asarray(X, dtype=float))).cpu().numpy()[:, 0].astype(float)

    def predict(self, X: np.ndarray) -> np.ndarray:
        """The oracle's y on rows ``X``."""
        u = self.predict_units(X) * self.y_scale_.std[0] + self.y_scale_.mean[0]
        return self.y_scale_.sign[0] * np.exp(u) if self.log_target_ else u

    def gradient_units(self, X: np.ndarray) -> np.ndarray:
        """d(output units)/d(x_j) on rows ``X``, shape (n, d).

        The output units are a monotone map of y, so ratios of these
        gradients equal the ratios of y's own.
        """
        import torch

        X = np.asarray(X, dtype=float)
        xt = self._tensors(X).requires_grad_(True)
        out = self.network_(xt).sum()
        (grad,) = torch.autograd.grad(out, xt)
        return grad.detach().cpu().numpy().astype(float) * self.x_scale_.derivative(X)
