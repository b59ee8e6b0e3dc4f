"""Factors of y found before any search: the inputs y is simply proportional to a power of.

Many laws are a monomial times a sum: G·m1·m2 over a sum of squared
differences, or p·z/r⁵ times √(x² + y²). The sum's terms then carry the
monomial as extra factors, beyond the products the default library holds.
Where y is ``xⱼ^a · g(other inputs)`` and the inputs are sampled
independently, log|y| is ``a·log|xⱼ|`` plus a part that does not depend on
xⱼ; so in a regression of log|y| on polynomials in every log|xₖ|, xⱼ needs
nothing beyond its linear term, whose coefficient is a. An F-test on xⱼ's
higher powers and the coefficient's distance from a half-integer decide.
Variable names play no part.
"""

from __future__ import annotations

import numpy as np
import sympy as sp

from ..io.dataset import Dataset
from ..io.rows import sample_rows
from .proposals import MIN_SIGN_AGREEMENT
from .transforms import sign_of

MIN_ROWS = 200  # fewer rows cannot tell a line in log|xⱼ| from a curve
# xⱼ's higher powers must not be needed: their F statistic stays below this (p ≈ 0.001 for two
# extra columns and many rows).
MAX_F = 7.0
EXPONENT_SES = 3.0  # the coefficient lies within this many standard errors of a half-integer...
EXPONENT_TOLERANCE = 0.02  # ...and within this much of it
OTHERS_DEGREE = 3  # the other inputs enter as polynomials of this degree in their logs


def separable_factor(data: Dataset, random_state: int | None = 0) -> sp.Expr | None:
    """The monomial ``Π xⱼ^aⱼ`` over the inputs y is proportional to a power of, or None.

    Where y keeps one sign, an input xⱼ qualifies when, in a least-squares
    fit of log|y| on polynomials of degree ``OTHERS_DEGREE`` in every
    log|xₖ|, xⱼ's powers beyond the first are not needed (F < ``MAX_F``)
    and its linear coefficient, refitted without them, is within
    ``EXPONENT_SES`` standard errors and ``EXPONENT_TOLERANCE`` of a non-zero
    half-integer aⱼ. None when no input qualifies, when every input does (y
    is then a power law, which the proposals find), when y changes sign on
    more than 1 − ``MIN_SIGN_AGREEMENT`` of the rows, when an input touches
    zero, or when there are fewer than ``MIN_ROWS`` rows.

    Where y changes sign, or noise pushes a share of its values past zero,
    no factor is sought: a test of y/|xⱼ|^a against xⱼ made there found true
    but partial factors at 10 % noise (1/E of F·L³/(3·E·I)), and the search
    over the other inputs' richer library then returned, at level 1, a
    stand-in that fitted the noise (four terms in L for L³) and stopped.
    """
    X, y = data.X, data.y
    if len(y) < MIN_ROWS or np.any(X == 0) or not np.all(np.isfinite(X)) or not np.all(np.isfinite(y)):
        return None
    if max((y > 0).mean(), (y < 0).mean()) < MIN_SIGN_AGREEMENT:
        return None
    keep = np.flatnonzero(sign_of(y) * y > 0)
    rows = keep[sample_rows(len(keep), random_state)]
    X, y = X[rows], y[rows]
    logs = np.log(np.abs(X))
    standard = (logs - logs.mean(axis=0)) / np.maximum(logs.std(axis=0), 1e-300)
    powers = [standard**d for d in range(1, OTHERS_DEGREE + 1)]
    factor, count = sp.Integer(1), 0
    for j, name in enumerate(data.variables):
        if not (np.all(X[:, j] > 0) or np.all(X[:, j] < 0)):
            continue
        exponent = _exponent(j, powers, np.log(np.abs(y)), logs[:, j])
        if exponent is not None:
            factor *= sp.Symbol(name) ** exponent
            count += 1
    if count == 0 or count == len(data.variables):
        return None
    return factor


def _exponent(j: int, powers: list[np.ndarray], target: np.ndarray, log_x: np.ndarray) -> sp.Rational | None:
    """The half-integer a with log|y| = a·log|xⱼ| + (a function of the others), or None."""
    n, p = powers[0].shape
    if p < 2 or np.ptp(powers[0][:, j]) == 0:
        return None
    others = [power[:, k] for power in powers for k in range(p) if k != j]
    restricted = np.column_stack([np.ones(n), log_x, *others])
    higher = np.column_stack([power[:, j] for power in powers[1:]])
    rss_r, coef, cov = _least_squares(restricted, target)
    rss_u, _, _ = _least_squares(np.column_stack([restricted, higher]), target)
    dof = n - restricted.shape[1] - higher.shape[1]
    if dof <= 0 or rss_u <= 0:
        return None if rss_r > 0 else _rounded(coef[1], 0.0)
    f = (rss_r - rss_u) / higher.shape[1] / (rss_u / dof)
    if f > MAX_F:
        return None
    return _rounded(coef[1], float(np.sqrt(max(cov[1, 1], 0.0))))


def _rounded(slope: float, se: float) -> sp.Rational | None:
    rounded = sp.Rational(int(np.round(2 * slope)), 2)
    distance = abs(slope - float(rounded))
    if rounded == 0 or distance > EXPONENT_TOLERANCE or distance > max(EXPONENT_SES * se, 1e-9):
        return None
    return rounded


def _least_squares(design: np.ndarray, target: np.ndarray) -> tuple[float, np.ndarray, np.ndarray]:
    """(residual sum of squares, coefficients, their covariance)."""
    coef, *_ = np.linalg.lstsq(design, target, rcond=None)
    residual = target - design @ coef
    rss = float(residual @ residual)
    dof = max(len(target) - design.shape[1], 1)
    cov = np.linalg.pinv(design.T @ design) * rss / dof
    return rss, coef, cov
