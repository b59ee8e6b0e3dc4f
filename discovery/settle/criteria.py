"""How fits are judged: information criteria and the exact-fit floor (the margins: :mod:`discovery.law.margins`)."""

from __future__ import annotations

import math
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

import numpy as np

# Relative RMSE below which fits count as exact: differences under this are
# rounding, not evidence, so the criteria must not reward them.
EXACT_RELATIVE_RMSE = 1e-13
# A larger floor for a target known to carry errors of a given relative size that are not noise (derivatives
# estimated from samples: smooth errors that a search would otherwise fit with spurious terms). Set only
# through known_target_error, for the searches of one target.
_KNOWN_ERROR: ContextVar[float] = ContextVar("known relative error of the target", default=0.0)
_COEFFICIENT_ERROR: ContextVar[float] = ContextVar("known relative error of the coefficients", default=0.0)


@contextmanager
def known_target_error(relative_rmse: float, coefficient_error: float = 0.0) -> Iterator[None]:
    """Within the block, fits within ``relative_rmse`` of RMS(y) count as exact (see :func:`mse_floor`).

    For a target whose errors are known and are not independent noise: the
    derivatives of sampled states, whose estimation errors are smooth
    functions of time that a search would read as structure. Laws that fit
    within them tie on the criteria, so the simplest wins. Such errors also
    bias each coefficient by about ``coefficient_error`` of its value, however
    small its statistical error: exact values are tried within that
    (:func:`known_coefficient_error`).
    """
    tokens = (_KNOWN_ERROR.set(max(float(relative_rmse), 0.0)), _COEFFICIENT_ERROR.set(max(coefficient_error, 0.0)))
    try:
        yield
    finally:
        _KNOWN_ERROR.reset(tokens[0])
        _COEFFICIENT_ERROR.reset(tokens[1])


def known_coefficient_error() -> float:
    """The relative error each coefficient carries from the target's known error (0 unless set)."""
    return _COEFFICIENT_ERROR.get()


def exact_relative_rmse() -> float:
    """The relative RMSE that counts as an exact fit here: rounding, or the target's known error when larger."""
    return max(EXACT_RELATIVE_RMSE, _KNOWN_ERROR.get())


CRITERIA = ("bic", "aic", "cv")


def mse_floor(y: np.ndarray) -> float:
    """The mean squared error that counts as an exact fit for target ``y``."""
    # Never 0: for |y| under ~1e-149 the square underflows, and the criteria take its log.
    return max((exact_relative_rmse() * float(np.sqrt(np.mean(y * y)))) ** 2, float(np.finfo(float).tiny))


def bic(rss: float, n: int, n_params: int, floor: float) -> float:
    """Bayesian information criterion of a Gaussian fit: n·log(MSE) + k·log(n)."""
    return n * math.log(max(rss / n, floor)) + n_params * math.log(n)


def aic(rss: float, n: int, n_params: int, floor: float) -> float:
    """Akaike information criterion of a Gaussian fit: n·log(MSE) + 2k."""
    return n * math.log(max(rss / n, floor)) + 2 * n_params


def relative_bic(residual: np.ndarray, y: np.ndarray, n_params: int) -> float:
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
    mse = max(float(np.mean(relative * relative)), exact_relative_rmse() ** 2)
    return n * math.log(mse) + 2.0 * float(np.sum(np.log(size))) + n_params * math.log(n)


def noise_model_bics(residual: np.ndarray, y: np.ndarray, n_params: int, floor: float) -> dict[str, float]:
    """BIC of a fit under each noise model: ``"additive"`` (constant σ) and ``"relative"`` (σ ∝ |y|).

    The relative model is left out where some y is 0 or a residual is not finite.
    """
    n = len(y)
    scores = {"additive": bic(float(np.sum(residual * residual)), n, n_params, floor)}
    if np.all(y != 0) and np.all(np.isfinite(residual)):
        scores["relative"] = relative_bic(residual, y, n_params)
    return scores
