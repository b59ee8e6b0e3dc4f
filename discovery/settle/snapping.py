"""Snapping fitted coefficients to exact values: the simplest value the data cannot tell from the fit.

A coefficient is offered the exact values near it (:mod:`discovery.settle.exact_values`:
small rationals, π, roots, the user's named constants), cheapest first, each only if such
values are sparse there (the look-elsewhere test), and kept only if the refit holding it
does not worsen the BIC. Every settle path calls :func:`snap_coefficients`: a sum of terms
(:func:`discovery.settle.sum_of_terms.settle_terms`), a whole expression
(:mod:`discovery.settle.expression_fit`), a law mapped back from a transformed target, and a
system fitted to its trajectories.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Collection, Mapping

import numpy as np
import sympy as sp

from .criteria import bic
from .exact_values import ExactValue, exact_values_near, expected_false_matches
from .fitting import ParameterFit

SNAP_SIGMAS = 4.0  # look for exact values within this many standard errors
SNAP_TRIES = 6  # exact values tried per coefficient, simplest first
SNAP_MIN_T = 10.0  # a coefficient known to worse than 10 % is not worth an exact form
# Look-elsewhere test: an exact value is offered only if, on average, fewer than this many exact
# values as cheap lie within ±2 standard errors of the estimate. Without it nearly every number
# found an elaborate "exact" form (benchmarks/coverage.py: 351 of 366 random coefficients, e.g.
# 19/(4·sqrt(pi))), since the BIC accepts any value within about 2.5 standard errors.
MAX_FALSE_MATCHES = 0.1
# A value in the user's named constants (2π/√g, R, 1/(4πε0)) is counted against the other values in
# them alone, and may be a little more crowded: the user named the constants because they expect them
# in the law. At 10 % noise a pendulum's 2.0098·√L (2π/√g = 2.0061) met 0.22 such values by chance.
MAX_FALSE_MATCHES_WITH_CONSTANTS = 0.25
FALSE_MATCH_SIGMAS = 2.0
SNAP_PASSES = 3  # passes over the coefficients; a pass that snaps none ends the snapping
# e^r as a coefficient: r's cost and this much more; r a rational with this denominator at most
EXPONENTIAL_COST = 2.0
MAX_EXPONENT_DENOMINATOR = 4
LARGEST_LOG_FACTOR = 700.0  # exp() of a logarithm's coefficient beyond this overflows a float


def snap_coefficients(
    refit: Callable[[dict[int, float]], ParameterFit],
    fit: ParameterFit,
    n: int,
    constants: Mapping[str, float],
    floor: float,
    *,
    logarithms: Collection[int] = (),
    exponential_factors: Collection[int] = (),
    coefficient_error: float = 0.0,
) -> tuple[dict[int, sp.Expr], ParameterFit]:
    """Fix coefficients to exact values one at a time, most precise first, in up to ``SNAP_PASSES`` passes.

    Parameters
    ----------
    refit : callable
        ``refit(fixed)`` fits the free coefficients with those in ``fixed``
        (index → value) held; linear least squares, or a nonlinear fit for a
        law mapped back from a transformed target.
    fit : ParameterFit
        The fit with every coefficient free.
    n : int
        Rows, for the BIC.
    constants : mapping of name → value
    floor : float
        The exact-fit MSE floor of the BIC.
    logarithms : collection of int
        Coefficients that are logarithms of a factor of the law, such as
        the constant of a law for log y: log(2·h·c²) in
        log y = log(2·h·c²) − 5·log λ − h·c/(λ·k·T). They are also offered
        log v for the exact values v near exp(c), and the cheapest candidate
        of either kind is tried first. At 1 % noise −110/3, 1.3e-4 from
        log(2·h·c²), was taken for it.
    exponential_factors : collection of int
        Coefficients that multiply an exponential: a shift inside it,
        exp(k·(x − x0)) = e^(−k·x0)·e^(kx), is split off by SymPy as such
        a factor. They are also offered e^r for the small rationals r near
        their logarithm (e^(−11/2) in 1/(1 − e^(−11/2)·e^(−V/10))).
    coefficient_error : float
        Each coefficient's relative error from the target's known error: exact values are tried within it.

    Returns
    -------
    dict of index → exact value, and the fit with them held
        A value is kept only when the BIC does not get worse.
    """
    fixed: dict[int, float] = {}
    exact: dict[int, sp.Expr] = {}
    current = fit
    order = [int(j) for j in np.argsort(fit.stderr / np.maximum(np.abs(fit.coef), 1e-300))]
    # Holding a coefficient at its exact value narrows the others' intervals (an intercept and a
    # slope are correlated): a coefficient too uncertain to snap in one pass is tried again in the
    # next, after others were fixed. M + 2.1669·log(d) − 5 (±0.0022, too wide for 5/ln 10) gets
    # ±0.0003 once the −5 is held, and then snaps.
    for _ in range(SNAP_PASSES):
        snapped = False
        for j in order:
            if j in fixed:
                continue
            value, trial = _snapped_value(
                refit,
                current,
                j,
                fixed,
                n,
                constants,
                floor,
                logarithm=j in logarithms,
                exponential_factor=j in exponential_factors,
                coefficient_error=coefficient_error,
            )
            if value is not None:
                fixed[j] = float(value.value)
                exact[j] = value.expr
                current = trial
                snapped = True
        if not snapped or len(fixed) == len(order):
            break
    return exact, current


def _snapped_value(
    refit: Callable[[dict[int, float]], ParameterFit],
    current: ParameterFit,
    j: int,
    fixed: dict[int, float],
    n: int,
    constants: Mapping[str, float],
    floor: float,
    *,
    logarithm: bool = False,
    exponential_factor: bool = False,
    coefficient_error: float = 0.0,
) -> tuple[ExactValue | None, ParameterFit]:
    """The simplest exact value coefficient ``j`` may take, with the refit holding it; (None, current) if none.

    With ``logarithm`` the logarithms of the exact values near exp(coefficient) compete too; with
    ``exponential_factor``, e^r for the rationals r near log(coefficient).
    """
    value, stderr = float(current.coef[j]), float(current.stderr[j])
    # A target with a known error (TargetError) biases each coefficient by about that
    # fraction, however many rows make the statistical error small.
    stderr = max(stderr, coefficient_error * abs(value))
    tolerance = max(SNAP_SIGMAS * stderr, 1e-9 * abs(value))
    # (candidate, the value and width of its look-elsewhere test, whether on the factor's scale)
    offers: list[tuple[ExactValue, float, float, bool]] = []
    if abs(value) >= SNAP_MIN_T * stderr:
        width = FALSE_MATCH_SIGMAS * stderr
        offers += [(c, value, width, False) for c in exact_values_near(value, tolerance, constants, limit=SNAP_TRIES)]
    if logarithm and stderr < 1 / SNAP_MIN_T and abs(value) < LARGEST_LOG_FACTOR:
        # exp(c ± s) spans exp(c)·(1 ± s): the same test on the factor's scale
        factor = math.exp(value)
        near = exact_values_near(factor, factor * tolerance, constants, limit=SNAP_TRIES)
        offers += [
            (ExactValue(sp.log(c.expr), math.log(c.value), c.cost), factor, factor * FALSE_MATCH_SIGMAS * stderr, True)
            for c in near
            if c.value > 0
        ]
    if exponential_factor and value > 0 and stderr < value / SNAP_MIN_T:
        # log(c ± s) spans log(c) ± s/c: the same test on the logarithm's scale, among rationals alone
        exponent, width = math.log(value), FALSE_MATCH_SIGMAS * stderr / value
        near = exact_values_near(exponent, tolerance / value, {}, limit=SNAP_TRIES)
        offers += [
            (ExactValue(sp.exp(c.expr), math.exp(c.value), c.cost + EXPONENTIAL_COST), exponent, width, True)
            for c in near
            if c.expr.is_Rational and c.expr.q <= MAX_EXPONENT_DENOMINATOR
        ]
    offers.sort(key=lambda offer: offer[0].cost)
    crowded: set[tuple[bool, bool]] = set()  # kinds that failed the look-elsewhere test
    for candidate, tested, width, on_factor_scale in offers:
        kind = (on_factor_scale, bool(candidate.expr.free_symbols))  # user constants are its only symbols
        if kind in crowded:
            continue  # candidates are sorted by cost, and costlier ones of a kind are denser still
        most = MAX_FALSE_MATCHES_WITH_CONSTANTS if kind[1] else MAX_FALSE_MATCHES
        if isinstance(candidate.expr, sp.exp):  # among the exponent's peers on the logarithm's scale
            if expected_false_matches(tested, candidate.cost - EXPONENTIAL_COST, width, {}) > most:
                continue
        elif expected_false_matches(tested, candidate.cost, width, constants, with_constants_only=kind[1]) > most:
            crowded.add(kind)
            continue
        trial = refit({**fixed, j: candidate.value})
        if bic(trial.rss, n, trial.n_free, floor) <= bic(current.rss, n, current.n_free, floor):
            return candidate, trial
    return None, current
