"""How fits are judged: information criteria and the exact-fit floor (the margins: :mod:`discovery.law.margins`)."""

from __future__ import annotations

import math

import numpy as np

from ..io.dataset import NO_KNOWN_ERROR, TargetError

# Relative RMSE below which fits count as exact: differences under this are
# rounding, not evidence, so the criteria must not reward them.
EXACT_RELATIVE_RMSE = 1e-13


def exact_relative_rmse(known: TargetError = NO_KNOWN_ERROR) -> float:
    """The relative RMSE that counts as an exact fit: rounding, or the target's ``known`` error when larger."""
    return max(EXACT_RELATIVE_RMSE, known.relative_rmse)


CRITERIA = ("bic", "aic", "cv")
# Rows per free constant at least (see terms_allowed).
ROWS_PER_CONSTANT = 3


def mse_floor(y: np.ndarray, known: TargetError = NO_KNOWN_ERROR) -> float:
    """The mean squared error that counts as an exact fit for target ``y`` (with its ``known`` error)."""
    # Never 0: for |y| under ~1e-149 the square underflows, and the criteria take its log.
    return max((exact_relative_rmse(known) * float(np.sqrt(np.mean(y * y)))) ** 2, float(np.finfo(float).tiny))


def bic(rss: float, n: int, n_params: int, floor: float) -> float:
    """Bayesian information criterion of a Gaussian fit: n·log(MSE) + k·log(n)."""
    return n * math.log(max(rss / n, floor)) + n_params * math.log(n)


def aic(rss: float, n: int, n_params: int, floor: float) -> float:
    """Akaike information criterion of a Gaussian fit: n·log(MSE) + 2k."""
    return n * math.log(max(rss / n, floor)) + 2 * n_params


def relative_bic(residual: np.ndarray, y: np.ndarray, n_params: int, known: TargetError = NO_KNOWN_ERROR) -> float:
    """BIC of a fit whose noise is relative (σᵢ ∝ |yᵢ|): the Gaussian -2·log L with σᵢ = s·|yᵢ|.

    n·log(mean((rᵢ/yᵢ)²)) + 2·Σ log|yᵢ| + k·log(n): on the same scale as :func:`bic`
    (both are -2·log L of y up to the same constant), so the two noise models
    compare directly. Infinite when some yᵢ is 0 (no relative noise model there).
    """
    n = len(y)
    size = np.abs(y)
    if n == 0 or not np.all(size > 0):
        return math.inf
    relative = residual / size
    mse = max(float(np.mean(relative * relative)), exact_relative_rmse(known) ** 2)
    return n * math.log(mse) + 2.0 * float(np.sum(np.log(size))) + n_params * math.log(n)


def noise_model_bics(
    residual: np.ndarray, y: np.ndarray, n_params: int, floor: float, known: TargetError = NO_KNOWN_ERROR
) -> dict[str, float]:
    """BIC of a fit under each noise model: ``"additive"`` (constant σ) and ``"relative"`` (σ ∝ |y|).

    The relative model is left out where some y is 0 or a residual is not finite.
    """
    n = len(y)
    scores = {"additive": bic(float(np.sum(residual * residual)), n, n_params, floor)}
    if np.all(y != 0) and np.all(np.isfinite(residual)):
        scores["relative"] = relative_bic(residual, y, n_params, known)
    return scores


def terms_allowed(n_rows: int) -> int:
    """Most terms (free constants) a law fitted to ``n_rows`` rows may have: one per three rows, at least one.

    With few rows, BIC's penalty (log n per term) is too small to stop a sum
    of terms from fitting the measurement errors: eight planets are fitted to
    1e-7 by five terms. Five rows allow one free constant, six two (a
    two-constant law on six rows is a normal experiment), nine three.
    """
    return max(1, n_rows // ROWS_PER_CONSTANT)
