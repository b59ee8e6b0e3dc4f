"""Refit a law found for a transformed target on y itself.

A law for log y fitted by least squares weighs every row's log alike; with
noise added to y, rows where y is small carry far more noise in log y, and
the coefficients come out biased (−0.4987·θ² where y has −θ²/2). Refitting
the same terms through the inverse transform, y ≈ T⁻¹(Σ cⱼ·termⱼ), by
nonlinear least squares on y removes the bias; the coefficients are then
snapped to exact values as for any law, with the BIC measured on y.
"""
from __future__ import annotations

from typing import Mapping, Sequence

import numpy as np
import sympy as sp

from .fitting import LinearFit, bic, fit_parameters
from .law import Coefficient, numpy_evaluator
from .symbolic import snap_coefficients
from .transforms import Transform

MAX_TERMS = 8  # longer laws are approximations; refitting them is not worth the time


def refit_on_y(
    coefficients: Sequence[Coefficient],
    transform: Transform,
    sign: int,
    columns: Mapping[str, np.ndarray],
    y: np.ndarray,
    constants: Mapping[str, float],
    floor: float,
    snap: bool = True,
) -> tuple[sp.Expr, list[Coefficient], float] | None:
    """The law ``T⁻¹(Σ cⱼ·termⱼ)`` with the cⱼ refitted on y and snapped.

    Parameters
    ----------
    coefficients : sequence of Coefficient
        The terms of the law for the transformed target, and their values (the start).
    transform : Transform
    sign : int
        Sign of y, for square-root inverses.
    columns : mapping of name → array
        The inputs.
    y : numpy.ndarray
    constants : mapping of name → value
    floor : float
        The exact-fit MSE floor of the BIC.
    snap : bool
        Recognise exact coefficients.

    Returns
    -------
    (expression for y, coefficients, rmse on y), or None when the law has
    more than ``MAX_TERMS`` terms or the refit leaves the inverse's domain.
    """
    k, n = len(coefficients), len(y)
    if k == 0 or k > MAX_TERMS or n <= k:
        return None
    with np.errstate(all="ignore"):
        design = np.column_stack(
            [np.broadcast_to(numpy_evaluator(c.term, constants)(columns), y.shape) for c in coefficients]
        )
    if not np.all(np.isfinite(design)):
        return None
    start = np.array([c.value for c in coefficients])

    def fit(fixed: dict[int, float], x0: np.ndarray = start) -> LinearFit:
        return fit_parameters(lambda full: transform.numeric_inverse(design @ full, sign) - y,
                              lambda full: transform.inverse_slope(design @ full, sign)[:, None] * design,
                              x0, fixed)

    free_fit = fit({})
    if not np.isfinite(free_fit.rss) or free_fit.rss >= 1e299:
        return None
    exact: dict[int, sp.Expr] = {}
    final = free_fit
    if snap:
        exact, final = snap_coefficients(lambda fixed: fit(fixed, free_fit.coef), free_fit, n, constants, floor)
    if bic(final.rss, n, final.n_free, floor) > bic(free_fit.rss, n, free_fit.n_free, floor):
        final, exact = free_fit, {}
    inner = sp.Integer(0)
    refitted = []
    for j, c in enumerate(coefficients):
        value = exact.get(j)
        refitted.append(Coefficient(c.term, float(final.coef[j]), float(free_fit.stderr[j]), value,
                                    estimate=float(free_fit.coef[j]), dof=n - free_fit.n_free))
        inner += (value if value is not None else sp.Float(final.coef[j])) * c.term
    return transform.inverse(inner, sign), refitted, float(np.sqrt(final.rss / n))
