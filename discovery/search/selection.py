"""Selection: score proposed supports on the rows, keep the Pareto front, choose; compare laws by BIC."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import sympy as sp

from bases import Gram

from ..io.dataset import NO_KNOWN_ERROR, Dataset, TargetError
from ..law.evaluate import numpy_evaluator
from ..law.law import Law
from ..law.margins import MARGIN
from ..settle.criteria import CRITERIA, aic, bic, mse_floor, noise_model_bics
from ..settle.fitting import least_squares
from ..settle.preference import simplest_within

EXTENDED_BIC_GAMMA = 0.5  # Chen and Chen's γ: 0 is plain BIC, 1 their most conservative choice


@dataclass(frozen=True)
class ScoredSupport:
    """A support (term indices) refitted on the rows, with its evidence."""

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
    known: TargetError = NO_KNOWN_ERROR,
) -> list[ScoredSupport]:
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
    known : TargetError
        What is known of y's error besides noise (it raises the exact-fit floor).
    """
    n = len(y)
    floor = mse_floor(y, known)
    out = []
    for support in supports:
        fit = least_squares(columns_of(support), y)
        k = len(support)
        out.append(
            ScoredSupport(
                support=tuple(support),
                coef=fit.coef,
                mse=fit.rss / n,
                cv_mse=cross_validated_mse(gram, support),
                bic=bic(fit.rss, n, k, floor) + search_penalty(len(gram.terms), k),
                aic=aic(fit.rss, n, k, floor),
                # Each term costs its nodes plus a coefficient and a '+'.
                complexity=int(term_complexity[list(support)].sum()) + 2 * k - 1,
            )
        )
    return out


def search_penalty(candidates: int, k: int) -> float:
    """The extended BIC's charge for having searched: ``2·γ·log C(p, k)`` for k terms out of p.

    Among a hundred candidate terms, one fits the noise well enough to pass
    plain BIC's log(n) about once in thirty tries (the cannon at 1 % noise
    gained a 0.0015·cos(v) on 3 seeds of 100); charging for the number of
    supports of that size that were searched (Chen and Chen, 2008) makes that
    rare. ``γ = EXTENDED_BIC_GAMMA``.
    """
    if k <= 0 or candidates <= k:
        return 0.0
    log_supports = math.lgamma(candidates + 1) - math.lgamma(k + 1) - math.lgamma(candidates - k + 1)
    return 2.0 * EXTENDED_BIC_GAMMA * log_supports


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


def pareto_front(supports: Sequence[ScoredSupport]) -> list[ScoredSupport]:
    """Supports no simpler-or-equal support beats on training error, simplest first."""
    front: list[ScoredSupport] = []
    for c in sorted(supports, key=lambda c: (c.complexity, c.mse)):
        if not front or c.mse < front[-1].mse * (1 - 1e-9):
            front.append(c)
    return front


def choose(front: Sequence[ScoredSupport], criterion: str, n_rows: int) -> ScoredSupport:
    """The simplest front entry whose score is within a margin of the best.

    For BIC and AIC the margin is :data:`MARGIN`; for the held-out error it
    is a relative ``1/sqrt(n_rows)`` (about one standard error of an MSE).
    """
    if criterion not in CRITERIA:
        raise ValueError(f"criterion must be one of {CRITERIA}, got {criterion!r}")
    scores = [c.score(criterion) for c in front]
    sizes = [c.complexity for c in front]
    if criterion == "cv":
        return front[simplest_within(scores, sizes, relative=1 / math.sqrt(n_rows))]
    return front[simplest_within(scores, sizes, MARGIN[criterion])]


def law_bic(law: Law, data: Dataset, floor: float) -> float:
    """BIC of a law on y, with its number of coefficients as the parameter count.

    Under the noise model the law's residuals support best (see :func:`noise_bics`).
    """
    return min(noise_bics(law, data, floor).values())


def noise_bics(law: Law, data: Dataset, floor: float) -> dict[str, float]:
    """The law's BIC on y under each noise model: ``"additive"`` (constant σ) and ``"relative"`` (σ ∝ |y|).

    Measurements that span decades often carry relative errors (a period of
    0.24 years is known to 1e-4 of itself, one of 248 years too): judged with
    a constant σ, the largest values alone would decide between laws.
    """
    # Laws compete by their number of terms, snapped or not: under noise almost any coefficient
    # is near some exact value, and counting only free ones would favour long snapped sums.
    return expression_bics(law.expression, law.constants, law.rmse, len(law.coefficients), data, floor)


def expression_bics(
    expression: sp.Expr, constants: Mapping[str, float], rmse: float, n_params: int, data: Dataset, floor: float
) -> dict[str, float]:
    """An expression's BIC on y under each noise model, with ``n_params`` parameters.

    Where the expression is not finite on every row, only the additive one, from ``rmse``.
    """
    with np.errstate(all="ignore"):
        residual = data.y - numpy_evaluator(expression, constants)(data.columns())
    if not np.all(np.isfinite(residual)):
        return {"additive": bic(rmse**2 * data.n_rows, data.n_rows, n_params, floor)}
    return noise_model_bics(residual, data.y, n_params, floor, data.known_error)
