"""Target transforms: laws that become linear in simple terms after transforming y.

``m0/sqrt(1 - v²/c²)`` is a sum of two simple terms after ``y → 1/y²``;
``1/(1/d1 + n/d2)`` after ``y → 1/y``; ``arcsin(n sin θ)`` after ``y → sin y``;
``exp(-θ²/2)`` after ``y → log y``. Each transform has its inverse, applied to
the law found for the transformed target.

Noise can put a few values of a positive y at or below zero, where 1/y or
log y is not defined, and rows near zero carry most of the transformed
target's noise. Such a transform is then fitted on the rows where y stands
clear of the noise (:func:`transform_rows`); the law found is judged on y
over every row.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import sympy as sp


@dataclass(frozen=True)
class Transform:
    """``y' = forward(y)`` and the law for y from the law for y'."""

    name: str
    forward: Callable[[np.ndarray], np.ndarray]
    inverse: Callable[[sp.Expr, int], sp.Expr]  # (law for y', sign of y) -> law for y
    applies: Callable[[np.ndarray], bool]
    # The inverse on numbers, and its derivative, for refitting a mapped law on y itself.
    numeric_inverse: Callable[[np.ndarray, int], np.ndarray]
    inverse_slope: Callable[[np.ndarray, int], np.ndarray]
    # Where y must lie: "one sign" (1/y, y², 1/y²), "positive" (log y, √y) or "" (a bounded range).
    sign_rule: str = ""
    # The inverse is exp: a law's constant is the logarithm of y's factor (see discovery.settle.sum_of_terms).
    logarithmic: bool = False
    # The noise model of the rows' weights when it is always the same ("" : the one the search chose).
    noise: str = ""


MAX_WRONG_SIGN = 0.1  # share of the rows that may break a transform's sign rule (noise near zero)
CLEAR_OF_NOISE = 3.0  # rows kept stand this many noise RMS from zero
MIN_ROWS_KEPT = 0.5  # share of the rows that must remain for the transform to be fitted
NEIGHBOURS = 16  # rows averaged to read a row's y clear of its own noise (see transform_rows)
MAX_SMOOTHED_ROWS = 200_000  # above this, the neighbour search costs more than the bias: the cut reads y


def _one_sign(y: np.ndarray) -> bool:
    return bool(np.all(y > 0) or np.all(y < 0))


def _fraction(y: np.ndarray) -> bool:
    """Values in (0, 1) that reach past 1/2, where log(1 − y) differs from −y + … by more than a little."""
    return bool(np.all((y > 0) & (y < 1)) and np.max(y) > 0.5)


TRANSFORMS: tuple[Transform, ...] = (
    Transform(
        "1/y", lambda y: 1 / y, lambda e, s: 1 / e, _one_sign, lambda u, s: 1 / u, lambda u, s: -1 / u**2, "one sign"
    ),
    Transform(
        "y**2",
        lambda y: y**2,
        lambda e, s: s * sp.sqrt(e),
        _one_sign,
        lambda u, s: s * np.sqrt(u),
        lambda u, s: s / (2 * np.sqrt(u)),
        "one sign",
    ),
    Transform(
        "1/y**2",
        lambda y: 1 / y**2,
        lambda e, s: s / sp.sqrt(e),
        _one_sign,
        lambda u, s: s / np.sqrt(u),
        lambda u, s: -s / (2 * u**1.5),
        "one sign",
    ),
    Transform(
        "log(y)",
        lambda y: np.log(y),
        lambda e, s: sp.exp(e),
        lambda y: bool(np.all(y > 0)),
        lambda u, s: np.exp(u),
        lambda u, s: np.exp(u),
        "positive",
        logarithmic=True,
    ),
    Transform(
        "sqrt(y)",
        lambda y: np.sqrt(y),
        lambda e, s: e**2,
        lambda y: bool(np.all(y > 0)),
        lambda u, s: u**2,
        lambda u, s: 2 * u,
        "positive",
    ),
    Transform(
        "sin(y)",
        lambda y: np.sin(y),
        lambda e, s: sp.asin(e),
        lambda y: bool(np.all(np.abs(y) < np.pi / 2)),
        lambda u, s: np.arcsin(u),
        lambda u, s: 1 / np.sqrt(1 - u**2),
    ),
    # A fraction's log-odds: Hill's sⁿ/(Kⁿ + sⁿ) is n·log s − n·log K. Only for fractions that come near
    # 1 (see _fraction): for values far below 1 the log-odds is log y, tried already.
    Transform(
        "log(y/(1 - y))",
        lambda y: np.log(y / (1 - y)),
        lambda e, s: 1 / (1 + sp.exp(-e)),
        _fraction,
        lambda u, s: 1 / (1 + np.exp(-u)),
        lambda u, s: np.exp(-u) / (1 + np.exp(-u)) ** 2,
    ),
)
# Tried only on targets with a monomial factor m (discovery.search.factors): a fourth root of a sum,
# (L·(1 − A)/(16πσd²))^(1/4), is m·(Σ)^(1/4) with m = L^(1/4)/√d, and y⁴ = m⁴·Σ is a short sum.
# On every target it would cost each search a sixth more time for few laws.
FOURTH_POWER = Transform(
    "y**4",
    lambda y: y**4,
    lambda e, s: s * e ** sp.Rational(1, 4),
    _one_sign,
    lambda u, s: s * u**0.25,
    lambda u, s: s / (4 * u**0.75),
    "one sign",
)
# y itself, with the weights 1/y² that relative noise (σ ∝ |y|) gives it: tried where y's first law says the errors
# are relative. Unweighted, the largest values alone choose the terms: x³ + 0.01/x at 1 % relative
# noise came back through y² as √(1e-4/x² + 0.02·x² + x⁶), its square written out.
RELATIVE_Y = Transform(
    "y, weighted 1/y**2",
    lambda y: y,
    lambda e, s: e,
    _one_sign,
    lambda u, s: u,
    lambda u, s: np.ones_like(u),
    "one sign",
    noise="relative",
)
TRANSFORM_NAMED = {t.name: t for t in (*TRANSFORMS, FOURTH_POWER, RELATIVE_Y)}


def sign_of(y: np.ndarray) -> int:
    """The sign of most of y's values, +1 on a tie (used by square-root inverses)."""
    return 1 if 2 * np.count_nonzero(y > 0) >= len(y) else -1


def transform_rows(transform: Transform, y: np.ndarray, smoothed: np.ndarray | None = None) -> np.ndarray | None:
    """The rows on which to fit ``transform(y)``: all where it applies, else those clear of the noise.

    A transform that needs one sign, or positive values, is still fitted when
    at most ``MAX_WRONG_SIGN`` of the rows break the rule (noise around values
    near zero, none exactly 0): on the rows whose value has the majority sign and exceeds
    ``CLEAR_OF_NOISE`` times the RMS of the values of the wrong sign, a
    measure of the noise where the law is near zero. At least ``MIN_ROWS_KEPT``
    of the rows must remain. Returns None when the transform does not apply.

    ``smoothed``, when given, is y averaged over each row's neighbours in x
    (:func:`neighbour_means`): the threshold is then read on it, not on y.
    Cut on y itself, the rows kept near the threshold are those the noise
    pushed away from zero, a bias that the transform magnifies there
    (1/y fitted by the true law plus −1.6e-6·u²·eᵘ at 1 % noise, Einstein's
    heat capacity); a cut on a function of x keeps each row's noise unbiased.
    """
    if transform.applies(y):
        return np.arange(len(y))
    if not transform.sign_rule:
        return None
    sign = sign_of(y)
    if transform.sign_rule == "positive" and sign < 0:
        return None
    if not noise_crosses_zero(y):
        return None
    rows = rows_clear_of_noise(y, sign, smoothed)
    return rows if len(rows) >= MIN_ROWS_KEPT * len(y) else None


def noise_crosses_zero(y: np.ndarray) -> bool:
    """Whether some of y, at most ``MAX_WRONG_SIGN`` of it and none exactly 0, lies past zero from the rest.

    Then the rows clear of the noise are cut for a transform that needs one
    sign. Exact zeros are no noise but clipped or censored values (the
    cannon's negative distances set to 0): the rows left would be a biased
    sample, and no cut is made.
    """
    wrong = y[sign_of(y) * y <= 0]
    return 0 < len(wrong) <= MAX_WRONG_SIGN * len(y) and not np.any(wrong == 0)


def neighbour_means(X: np.ndarray, y: np.ndarray, k: int = NEIGHBOURS) -> np.ndarray | None:
    """y averaged over each row's ``k`` nearest rows (itself included) in standardised x.

    None above ``MAX_SMOOTHED_ROWS`` rows, or below ``k``.
    """
    from scipy.spatial import cKDTree

    if len(y) > MAX_SMOOTHED_ROWS or len(y) < k:
        return None
    X = np.asarray(X, dtype=np.float64).reshape(len(y), -1)
    spread = X.std(axis=0)
    Z = (X - X.mean(axis=0)) / np.where(spread > 0, spread, 1.0)
    _, nearest = cKDTree(Z).query(Z, k=k)
    return y[nearest].mean(axis=1)


def rows_clear_of_noise(y: np.ndarray, sign: int, smoothed: np.ndarray | None = None) -> np.ndarray:
    """Rows whose value has ``sign`` and exceeds ``CLEAR_OF_NOISE`` times the RMS of the values that do not.

    The values of the wrong sign, near a one-signed law's zero, measure the
    noise there. y must hold at least one of them. With ``smoothed`` (y's
    neighbour means) the threshold is read on it, and y need only have ``sign``.
    """
    wrong = y[sign * y <= 0]
    threshold = CLEAR_OF_NOISE * float(np.sqrt(np.mean(wrong * wrong)))
    if smoothed is None:
        return np.flatnonzero(sign * y > threshold)
    return np.flatnonzero((sign * smoothed > threshold) & (sign * y > 0))


MIN_EFFECTIVE_ROWS = 0.1  # weights may concentrate the fit on no fewer rows' worth than this share


def propagated_weights(slope: np.ndarray) -> np.ndarray | None:
    """Least-squares weights for y' = T(y) from ``slope`` = dy/dy' divided by y's noise σ (up to a factor).

    A row's y' is as noisy as σ/|dy/dy'|: under additive noise 1/y near
    y = 0 or log y in a Gaussian's tails is mostly noise, and unweighted
    they outvote the rows that carry the law. The weights (dy/dy')²/σ² are
    the inverse variances, scaled to mean 1. Where they would put the fit on
    fewer than ``MIN_EFFECTIVE_ROWS`` of the rows' worth ((Σw)²/Σw²), they
    are tempered (square-rooted) until they do not: with no noise every row
    is exact, and a fit on a handful of rows would not be judged on the rest.
    None (all rows alike) where the slope is not finite and non-zero.
    """
    with np.errstate(all="ignore"):
        weights = slope.astype(np.float64) ** 2
    if not np.all(np.isfinite(weights)) or np.any(weights <= 0):
        return None
    weights = weights / weights.max()
    for _ in range(4):
        if weights.sum() ** 2 >= MIN_EFFECTIVE_ROWS * len(weights) * np.sum(weights**2):
            return weights / weights.mean()
        weights = np.sqrt(weights)
    return None
