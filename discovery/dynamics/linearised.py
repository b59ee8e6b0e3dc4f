"""The trajectory fit linearised: terms pruned and coefficients snapped on the misses near the fit.

Around the nonlinear fit (:mod:`discovery.dynamics.trajectory_fit`) the
misses are linear in the coefficients, with the initial states profiled out;
on that linear problem terms that the data do not need are pruned and
coefficients are snapped to exact values by the same BIC tests as every law
(:func:`discovery.settle.snapping.snap_coefficients`).
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import sympy as sp
from scipy import optimize

from ..settle.criteria import bic
from ..settle.fitting import ParameterFit, least_squares
from ..settle.pruning import prune_in_order
from ..settle.snapping import snap_coefficients
from .fit_parameters import FitParameters

# Of each state's RMS: how closely a simulated and a measured clean trajectory can agree (both come from
# integrators, whose global errors at rtol 1e-10 reach 1e-7 near a singularity: shear flow's cot y fitted
# 1.00000032). Misses within it count as an exact fit, and each coefficient is known to within it, so exact
# values and pruning are judged against it on noise-free data, where the misses are the integrators' errors.
SIMULATION_PRECISION = 1e-6


def _linearised(fit: optimize.OptimizeResult, n_c: int) -> tuple[np.ndarray, np.ndarray]:
    """The misses near the fit as a linear least-squares problem in the coefficients, initial states profiled out.

    misses(q) ≈ r + J·(q − q̂); projecting out the initial states' columns
    leaves ``columns @ p ≈ target``, whose unconstrained solution is p̂.
    """
    jacobian = fit.jac.toarray() if hasattr(fit.jac, "toarray") else np.asarray(fit.jac)
    j_c, j_x = jacobian[:, :n_c], jacobian[:, n_c:]
    basis, _ = np.linalg.qr(j_x)
    target = j_c @ fit.x[:n_c] - fit.fun
    return j_c - basis @ (basis.T @ j_c), target - basis @ (basis.T @ target)


def free_fit(fit: optimize.OptimizeResult, n_c: int) -> ParameterFit:
    columns, target = _linearised(fit, n_c)
    return least_squares(columns, target)


def pruned_and_snapped(
    fit: optimize.OptimizeResult, parameters: FitParameters, constants: Mapping[str, float], floor: float
) -> tuple[dict[int, float], dict[int, tuple[sp.Expr, float]], ParameterFit]:
    """Parameters held (terms at 0, saturation constants at the law's value), exact values, the free fit.

    A term whose removal does not worsen the BIC is dropped, the least
    significant first (its constants with it; one term is always kept);
    then a saturation constant the BIC does not need free is held at the exact
    value the law came with (the library's 1); the rest are snapped to exact
    values. ``floor`` is the misses' mean square that counts as an exact fit.
    """
    n_c, n_terms = parameters.size, len(parameters.terms)
    columns, target = _linearised(fit, n_c)
    n = len(target)
    held: dict[int, float] = {}
    free = least_squares(columns, target)

    def criterion(result: ParameterFit) -> float:
        return bic(result.rss, n, result.n_free, floor)

    significance = np.abs(free.coef[:n_terms]) / np.maximum(free.stderr[:n_terms], 1e-300)

    def without(pruned: tuple[dict[int, float], ParameterFit], j: int) -> tuple[dict[int, float], ParameterFit]:
        trial_held = {**pruned[0], j: 0.0, **{k: parameters.null(k) for k in parameters.shapes_of(j)}}
        return trial_held, least_squares(columns, target, trial_held)

    held, free = prune_in_order(
        (held, free),
        [int(k) for k in np.argsort(significance)],
        without,
        lambda pruned: criterion(pruned[1]),
        lambda pruned: sum(1 for i in range(n_terms) if i not in pruned[0]) > 1,
    )
    for k in range(n_terms, n_c):
        if k in held or not parameters.shapes[k - n_terms][1].is_Rational:
            continue  # a fitted (float) constant has no value of its own to be held at
        trial_held = {**held, k: parameters.null(k)}
        trial = least_squares(columns, target, trial_held)
        if criterion(trial) <= criterion(free):
            held, free = trial_held, trial
    keep = [i for i in range(n_c) if i not in held]
    kept_columns = columns[:, keep]
    kept_target = target - sum((columns[:, i] * v for i, v in held.items()), np.zeros(n))
    kept_free = least_squares(kept_columns, kept_target)

    def floored(result: ParameterFit) -> ParameterFit:
        # On clean data the misses are the integrators' errors, under the exact-fit floor: each coefficient is
        # known only as well as misses of the floor's size allow. A saturation constant and its coefficient
        # trade off so nearly that bacterial respiration's K fitted 1.99598 for 2 within 1e-9 of the states.
        dof = max(n - result.n_free, 1)
        widen = np.sqrt(max(floor * n / dof / max(result.rss / dof, np.finfo(float).tiny), 1.0))
        return ParameterFit(result.coef, result.stderr * widen, result.rss, result.n_free)

    exact, snapped = snap_coefficients(
        lambda fixed: floored(least_squares(kept_columns, kept_target, fixed)),
        floored(kept_free),
        n,
        constants,
        floor,
        coefficient_error=SIMULATION_PRECISION,  # exact values within the simulations' own precision
    )
    linear = ParameterFit(np.zeros(n_c), np.zeros(n_c), kept_free.rss, kept_free.n_free)
    linear.coef[keep], linear.stderr[keep] = kept_free.coef, kept_free.stderr
    return held, {keep[i]: (value, float(snapped.coef[i])) for i, value in exact.items()}, linear


def held_constants(
    fit: optimize.OptimizeResult, parameters: FitParameters, held: Mapping[int, float]
) -> list[tuple[int, float, float]]:
    """Each saturation constant held at its law's value, of a term kept: (index, free estimate, its error).

    The free estimate and standard error are the linearised free fit's: how well the data alone pin the
    constant that the BIC let be held.
    """
    n_terms = len(parameters.terms)
    constants = [k for k in sorted(held) if k >= n_terms and parameters.shapes[k - n_terms][2] not in held]
    if not constants:
        return []  # most fits hold none: no second linearisation for them
    free = free_fit(fit, parameters.size)
    return [(k, float(free.coef[k]), float(free.stderr[k])) for k in constants]
