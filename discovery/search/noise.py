"""Does a law fit to the noise level? Exact to rounding, or a model-free test on the residuals.

If the residuals of a law are noise, a row's residual says nothing about its
nearest neighbour's: their correlation is about zero. If the law misses
structure, the residual is a smooth function of the inputs and neighbours
share it. The test needs no estimate of the noise itself.
"""

from __future__ import annotations

import numpy as np

from ..io.dataset import Dataset
from ..io.rows import sample_rows
from ..law.law import Law
from ..settle.criteria import EXACT_RELATIVE_RMSE, exact_relative_rmse

MAX_QUERIES = 2000
MIN_CORRELATION = 0.1  # below this (and below 3 standard errors) the residuals count as noise
# A neighbour correlation of the residuals this high is structure by any standard: a test that cannot
# reject it on the rows at hand says nothing about whether a law fits.
STRONG_CORRELATION = 0.5


def neighbour_correlation(X: np.ndarray, residual: np.ndarray, random_state: int | None = 0) -> float:
    """Correlation between each (sampled) row's residual and its nearest neighbour's.

    Inputs are scaled to unit standard deviation per column; at most
    ``MAX_QUERIES`` rows are queried, against all rows.
    """
    import torch

    n = len(residual)
    if n < 3:
        return 0.0
    scale = X.std(axis=0)
    scale[scale == 0] = 1.0
    points = torch.as_tensor(X / scale, dtype=torch.float64)
    queries = sample_rows(n, random_state, cap=MAX_QUERIES)
    nearest = np.empty(len(queries), dtype=np.int64)
    for start in range(0, len(queries), 256):
        block = queries[start : start + 256]
        distance = torch.cdist(points[block], points)
        distance[torch.arange(len(block)), torch.as_tensor(block)] = float("inf")
        nearest[start : start + 256] = torch.argmin(distance, dim=1).numpy()
    a, b = residual[queries], residual[nearest]
    a, b = a - a.mean(), b - b.mean()
    denominator = np.sqrt((a * a).sum() * (b * b).sum())
    return float((a * b).sum() / denominator) if denominator > 0 else 0.0


def residuals_look_like_noise(
    X: np.ndarray,
    residual: np.ndarray,
    random_state: int | None = 0,
    min_correlation: float = MIN_CORRELATION,
    sigmas: float = 3.0,
) -> bool:
    """True when neighbouring rows' residuals correlate less than ``max(min_correlation, sigmas/√m)``."""
    m = min(len(residual), MAX_QUERIES)
    limit = max(min_correlation, sigmas / np.sqrt(max(m, 1)))
    return neighbour_correlation(X, residual, random_state) < limit


def residual_test_sees_structure(n_rows: int, sigmas: float = 3.0, strong: float = STRONG_CORRELATION) -> bool:
    """Whether :func:`residuals_look_like_noise` on ``n_rows`` rows can reject a strong neighbour correlation.

    Its limit is at least ``sigmas/√m``: on 11 rows with 5 sigmas it is 1.5, which no correlation
    exceeds, and every law, a constant for a rise and decay included, would "fit to the noise".
    """
    return sigmas / np.sqrt(max(min(n_rows, MAX_QUERIES), 1)) <= strong


def fits_to_noise(law: Law, data: Dataset, random_state: int | None = 0, **threshold: float) -> bool:
    """Exact to rounding, or residuals that neighbouring rows do not share.

    ``threshold`` (``min_correlation``, ``sigmas``) goes to
    :func:`residuals_look_like_noise`.
    """
    if exact_fit(law, data):
        return True
    with np.errstate(all="ignore"):
        residual = data.y - law.predict(data.columns())
    return bool(np.all(np.isfinite(residual))) and residuals_look_like_noise(
        data.X, residual, random_state, **threshold
    )


def exact_fit(law: Law, data: Dataset) -> bool:
    """The law fits y to rounding, or within the target's known error (``data.known_error``)."""
    tolerance = max(EXACT_RELATIVE_RMSE * 1e3, exact_relative_rmse(data.known_error))
    return law.rmse <= tolerance * float(np.sqrt(np.mean(data.y**2)))
