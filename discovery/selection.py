"""Score proposed supports on the rows and keep the Pareto front."""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable, Sequence

import numpy as np

from bases import Gram

from .fitting import aic, bic, least_squares, mse_floor

CRITERIA = ("bic", "aic", "cv")
# A more complex law must beat a simpler one by this much to be chosen: for
# BIC, 6 is "strong evidence" on Kass and Raftery's scale, so a term fitted
# to a few odd rows does not win on a fraction of a nat.
MARGIN = {"bic": 6.0, "aic": 2.0}


@dataclass(frozen=True)
class Candidate:
    """A support refitted on the rows, with its evidence."""

    support: tuple[int, ...]
    coef: np.ndarray
    mse: float
    cv_mse: float
    bic: float
    aic: float
    complexity: int

    def score(self, criterion: str) -> float:
        return {"bic": self.bic, "aic": self.aic, "cv": self.cv_mse}[criterion]


def score_supports(
    supports: Sequence[tuple[int, ...]],
    columns_of: Callable[[Sequence[int]], np.ndarray],
    y: np.ndarray,
    gram: Gram,
    term_complexity: np.ndarray,
) -> list[Candidate]:
    """Refit each support by QR least squares on the rows and score it.

    Parameters
    ----------
    supports : sequence of tuple of int
    columns_of : callable
        Returns the design columns (n, k) of given term indices.
    y : numpy.ndarray
    gram : Gram
        With per-fold statistics in ``gram.folds`` for the held-out error.
    term_complexity : numpy.ndarray
        Node count of each term.
    """
    n = len(y)
    floor = mse_floor(y)
    out = []
    for support in supports:
        fit = least_squares(columns_of(support), y)
        k = len(support)
        out.append(
            Candidate(
                support=tuple(support),
                coef=fit.coef,
                mse=fit.rss / n,
                cv_mse=cross_validated_mse(gram, support),
                bic=bic(fit.rss, n, k, floor),
                aic=aic(fit.rss, n, k, floor),
                # Each term costs its nodes plus a coefficient and a '+'.
                complexity=int(term_complexity[list(support)].sum()) + 2 * k - 1,
            )
        )
    return out


def cross_validated_mse(gram: Gram, support: Sequence[int]) -> float:
    """Held-out mean squared error over the folds, from the Gram sums alone."""
    import torch

    if not gram.folds:
        return math.nan
    index = list(support)
    total_tt = gram.theta_theta[index][:, index]
    total_ty = gram.theta_y[index]
    error = 0.0
    # On CPU, torch's default lstsq driver (gelsy, MKL) varies in the last bits from run to run;
    # the SVD driver does not, so the same seed gives the same held-out error. CUDA has only gels.
    driver = "gelsd" if total_tt.device.type == "cpu" else None
    for fold in gram.folds:
        tt = fold.theta_theta[index][:, index]
        ty = fold.theta_y[index]
        train_tt, train_ty = total_tt - tt, total_ty - ty
        w = torch.linalg.lstsq(train_tt, train_ty[:, None], driver=driver).solution[:, 0]
        error += float(fold.y_y - 2 * (w @ ty) + w @ (tt @ w))
    return max(error / gram.n_rows, 0.0)


def pareto_front(candidates: Sequence[Candidate]) -> list[Candidate]:
    """Candidates no simpler-or-equal candidate beats on training error, simplest first."""
    front: list[Candidate] = []
    for c in sorted(candidates, key=lambda c: (c.complexity, c.mse)):
        if not front or c.mse < front[-1].mse * (1 - 1e-9):
            front.append(c)
    return front


def choose(front: Sequence[Candidate], criterion: str, n_rows: int) -> Candidate:
    """The simplest front entry whose score is within a margin of the best.

    For BIC and AIC the margin is :data:`MARGIN`; for the held-out error it
    is a relative ``1/sqrt(n_rows)`` (about one standard error of an MSE).
    """
    if criterion not in CRITERIA:
        raise ValueError(f"criterion must be one of {CRITERIA}, got {criterion!r}")
    best = min(c.score(criterion) for c in front)
    if criterion == "cv":
        limit = best * (1 + 1 / math.sqrt(n_rows))
    else:
        limit = best + MARGIN[criterion]
    return min((c for c in front if c.score(criterion) <= limit), key=lambda c: (c.complexity, c.score(criterion)))
