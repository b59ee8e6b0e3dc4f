"""Fits on the rows: linear least squares (QR) and nonlinear least squares (Levenberg–Marquardt)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Mapping

import numpy as np

@dataclass(frozen=True)
class ParameterFit:
    """Least-squares values of a fit's parameters (linear or not), with some held fixed.

    Attributes
    ----------
    coef : numpy.ndarray
        All coefficients (fixed ones included), in column order.
    stderr : numpy.ndarray
        Standard errors; 0 for fixed coefficients.
    rss : float
        Residual sum of squares.
    n_free : int
        Number of coefficients that were fitted.
    """

    coef: np.ndarray
    stderr: np.ndarray
    rss: float
    n_free: int


def least_squares(columns: np.ndarray, y: np.ndarray, fixed: Mapping[int, float] | None = None) -> ParameterFit:
    """Fit ``y ≈ columns @ coef`` by QR least squares, holding ``fixed`` coefficients.

    Parameters
    ----------
    columns : numpy.ndarray, shape (n, k)
    y : numpy.ndarray, shape (n,)
    fixed : mapping of column index → value, optional
    """
    fixed = dict(fixed or {})
    n, k = columns.shape
    free = [j for j in range(k) if j not in fixed]
    target = y - sum((columns[:, j] * v for j, v in fixed.items()), np.zeros(n))
    coef = np.zeros(k)
    for j, v in fixed.items():
        coef[j] = v
    stderr = np.zeros(k)
    if free:
        a = columns[:, free]
        scale = np.sqrt((a * a).mean(axis=0))
        scale[scale == 0] = 1.0
        w, *_ = np.linalg.lstsq(a / scale, target, rcond=None)
        coef[free] = w / scale
        resid = target - a @ coef[free]
        rss = float(resid @ resid)
        dof = n - len(free)
        if dof > 0:
            sigma2 = rss / dof
            # cov = σ² (AᵀA)⁻¹, through the pseudo-inverse of the scaled design.
            pinv = np.linalg.pinv(a / scale)
            stderr[free] = np.sqrt(sigma2 * (pinv * pinv).sum(axis=1)) / scale
        else:
            stderr[free] = np.inf
    else:
        resid = target
        rss = float(resid @ resid)
    return ParameterFit(coef, stderr, rss, len(free))


def fit_parameters(
    residual_of: Callable[[np.ndarray], np.ndarray],
    jacobian_of: Callable[[np.ndarray], np.ndarray],
    start: np.ndarray,
    fixed: Mapping[int, float] | None = None,
    max_evaluations: int | None = None,
) -> ParameterFit:
    """Nonlinear least squares (Levenberg–Marquardt) on the parameters not in ``fixed``.

    Parameters
    ----------
    residual_of, jacobian_of : callable
        Of the full parameter vector: residuals (n,) and their derivatives (n, k).
        Non-finite values are treated as a huge residual and a zero slope.
    start : numpy.ndarray, shape (k,)
    fixed : mapping of index → value, optional
    max_evaluations : int, optional
        Cap on residual evaluations (SciPy's ``max_nfev``).

    Returns
    -------
    ParameterFit
        With standard errors from the Jacobian at the solution.
    """
    from scipy.optimize import least_squares as solve

    full = np.asarray(start, dtype=float).copy()
    for j, v in (fixed or {}).items():
        full[j] = v
    free = [j for j in range(len(full)) if j not in (fixed or {})]

    def residual(theta: np.ndarray) -> np.ndarray:
        full[free] = theta
        with np.errstate(all="ignore"):
            r = residual_of(full)
        return np.where(np.isfinite(r), r, 1e150)

    def jacobian(theta: np.ndarray) -> np.ndarray:
        full[free] = theta
        with np.errstate(all="ignore"):
            J = jacobian_of(full)[:, free]
        return np.where(np.isfinite(J), J, 0.0)

    r = residual(full[free])
    if free and len(r) > len(free):
        full[free] = solve(residual, full[free], jac=jacobian, method="lm", max_nfev=max_evaluations).x
        r = residual(full[free])
    rss = float(r @ r)
    stderr = np.zeros(len(full))
    if free:
        J = jacobian(full[free])
        sigma2 = rss / max(len(r) - len(free), 1)
        stderr[free] = np.sqrt(np.abs(np.diag(np.linalg.pinv(J.T @ J))) * sigma2)
    return ParameterFit(full.copy(), stderr, rss, len(free))

