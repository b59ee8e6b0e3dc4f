"""Terms proposed from the data before any library is searched.

A power law ``y = C · Π xᵢ^aᵢ`` is linear after taking logarithms, so one
least-squares fit of log|y| on log|xᵢ| proposes its exponents; rounded to
halves they give a single term the sparse search can then confirm (or not)
in the original space. The same fit with one factor divided out proposes
monomial × factor terms, for factors sin(xᵢ), cos(xᵢ), and differences
(xᵢ − xⱼ) or (xᵢ² − xⱼ²) to the power ±1 — so κ·(T2 − T1)·A/d and
G·m1·m2·(1/r2 − 1/r1) = G·m1·m2·(r1 − r2)/(r1·r2) are single proposals.
Each monomial × factor also brings its neighbours, the monomial with one
input's power moved to another input: a law such as f0·(c + v_o)/(c − v_s),
a sum of terms sharing a factor, is fitted in log space as its largest term
f0·c/(c − v_s), and a neighbour is the other, f0·v_o/(c − v_s).
Variable names play no part: every variable and every pair is tried.

Under additive noise a row's log|y| is as noisy as σ/|y|: rows where y is
small drown a factor's effect in noise (relativistic γ at 1 % noise). The
fits are therefore made twice, once with every row alike and once weighted
by y² (y before any transform), and the proposals of both are kept.
"""

from __future__ import annotations

import numpy as np
import sympy as sp

from ..io.dataset import Dataset
from ..io.rows import sample_rows
from .transforms import rows_clear_of_noise, sign_of

MIN_SIGN_AGREEMENT = 0.99  # fraction of rows on which y (and each factor) keeps one sign
CLEAR_GAIN = 0.5  # a factor that halves the log fit's residual is proposed
# The best factors are also proposed when they cut it by a tenth: under noise the residual is mostly
# noise, which no factor removes. At 1 % noise on m·c²/√(1 − v²/c²), 1/(c² − v²) cuts the weighted
# residual of y² to 0.80 of the plain power law's, with the true exponents to two decimals. A
# proposal costs little: the level-0 fit on y confirms it or not.
BEST_GAIN = 0.9
BEST_FACTORS = 2
# Share of the rows that must stand clear of the noise to be fitted alone. A law spanning decades
# (π·r⁴·Δp/(8μL) at 10 % noise) has most values lost in the noise: 18 % of them stand clear, and
# their log fit proposes the monomial that a basis search never reaches. Where y changes sign
# itself, proposals from its larger half cost one level-0 fit that rejects them.
MIN_CLEAR_ROWS = 0.1


def power_law_terms(data: Dataset, random_state: int | None = 0, magnitude: np.ndarray | None = None) -> list[sp.Expr]:
    """Monomials, and monomials times one factor, suggested by log-space fits.

    Returns an empty list when the inputs touch zero; without a factor, y
    must keep one sign, and with one, y divided by the factor must. A factor
    is proposed when it divides the log fit's residual by two, and the
    ``BEST_FACTORS`` best when they cut it to ``BEST_GAIN`` of it. The fits are
    made with all rows weighted alike and again weighted by ``magnitude²``
    (``|y|`` when None; pass y's own values when ``data.y`` is a transform
    of y), the inverse of log|y|'s variance under additive noise on y. They
    use at most :data:`~discovery.io.rows.ROW_CAP` rows, drawn with
    ``random_state``. Where noise put some of a one-signed law's values past
    zero, the weighted fits are made again on the rows clear of the noise.
    """
    X, y = data.X, data.y
    magnitude = np.abs(y) if magnitude is None else np.abs(magnitude)
    usable = (y != 0) & np.all(X != 0, axis=1) & (magnitude > 0)
    if usable.mean() < MIN_SIGN_AGREEMENT:
        return []
    rows = sample_rows(int(usable.sum()), random_state)
    X, y, magnitude = X[usable][rows], y[usable][rows], magnitude[usable][rows]
    symbols = [sp.Symbol(v) for v in data.variables]
    terms: list[sp.Expr] = []
    for weights in (None, (magnitude / magnitude.max()) ** 2):
        terms += _proposals(X, y, weights, symbols)
    clear = _clear_of_noise(y)
    if clear is not None:  # a one-signed law whose small values noise pushed past zero
        weights = (magnitude[clear] / magnitude[clear].max()) ** 2
        terms += _proposals(X[clear], y[clear], weights, symbols)
    return list(dict.fromkeys(terms))


def _clear_of_noise(y: np.ndarray) -> np.ndarray | None:
    """Rows of y's majority sign that stand clear of the noise, when noise alone seems to break the sign.

    At 10 % noise a drag force ρ·C_d·A·v²/2 over wide ranges has an eighth
    of its values below zero: noise around the many small values. The values
    of the wrong sign measure that noise; the rows beyond it keep the sign of
    the law (:func:`~discovery.search.transforms.rows_clear_of_noise`). None
    when y keeps one sign, or when fewer than ``MIN_CLEAR_ROWS`` of the rows
    remain (y changes sign itself).
    """
    if _one_signed(y):
        return None
    rows = rows_clear_of_noise(y, sign_of(y))
    return rows if len(rows) >= MIN_CLEAR_ROWS * len(y) else None


def _proposals(X: np.ndarray, y: np.ndarray, weights: np.ndarray | None, symbols: list[sp.Symbol]) -> list[sp.Expr]:
    logs = np.log(np.abs(X))
    target = np.log(np.abs(y))
    terms: list[sp.Expr] = []
    base_residual = np.inf
    if _one_signed(y):
        exponents, base_residual = _log_fit(logs, target, weights)
        terms += _monomials(exponents, symbols)
    fits = []
    for values, factor in _factors(X, symbols):
        if np.any(values == 0) or not np.all(np.isfinite(values)) or not _one_signed(y / values):
            continue
        exps, residual = _log_fit(logs, target - np.log(np.abs(values)), weights)
        fits.append((residual, factor, exps))
    fits.sort(key=lambda fit: fit[0])
    for rank, (residual, factor, exps) in enumerate(fits):
        if residual < CLEAR_GAIN * base_residual or (rank < BEST_FACTORS and residual < BEST_GAIN * base_residual):
            for m in _monomials(exps, symbols):
                terms += [n * factor for n in (m, *_swapped(m, symbols))]
    return terms


def _swapped(monomial: sp.Expr, symbols: list[sp.Symbol]) -> list[sp.Expr]:
    """The monomial with one input's power moved to an input it lacks: its neighbours in a sum.

    f0·(c + v_o)/(c − v_s) with v_o ≪ c is fitted in log space as f0·c/(c − v_s);
    its other term f0·v_o/(c − v_s) is that with c's power moved to v_o.
    """
    powers = monomial.as_powers_dict()
    present = [s for s in symbols if powers.get(s, 0) != 0]
    absent = [s for s in symbols if powers.get(s, 0) == 0]
    return [monomial * (b / a) ** powers[a] for a in present for b in absent]


def _one_signed(values: np.ndarray) -> bool:
    positive = (values > 0).mean()
    return max(positive, 1 - positive) >= MIN_SIGN_AGREEMENT


def _factors(X: np.ndarray, symbols: list[sp.Symbol]):
    """(values, expression) of each candidate factor: sin, cos, and powers ±1 of differences."""
    with np.errstate(all="ignore"):
        for j, s in enumerate(symbols):
            yield np.sin(X[:, j]), sp.sin(s)
            yield np.cos(X[:, j]), sp.cos(s)
        for i in range(len(symbols)):
            for j in range(i + 1, len(symbols)):
                for p in (1, 2):
                    values = X[:, i] ** p - X[:, j] ** p
                    expr = symbols[i] ** p - symbols[j] ** p
                    yield values, expr
                    yield 1 / values, 1 / expr
                yield np.log(X[:, i] / X[:, j]), sp.log(symbols[i] / symbols[j])


def _log_fit(logs: np.ndarray, target: np.ndarray, weights: np.ndarray | None = None) -> tuple[np.ndarray, float]:
    design = np.column_stack([np.ones(len(target)), logs])
    root = np.ones(len(target)) if weights is None else np.sqrt(weights)
    coef, *_ = np.linalg.lstsq(design * root[:, None], target * root, rcond=None)
    residual = float(np.sqrt(np.average((target - design @ coef) ** 2, weights=weights)))
    return coef[1:], residual


def _monomials(exponents: np.ndarray, symbols: list[sp.Symbol]) -> list[sp.Expr]:
    """The exponents rounded to halves and to integers (two guesses when they differ)."""
    out = []
    for step in (2, 1):  # halves, then integers
        rounded = [sp.Rational(int(np.round(a * step)), step) for a in exponents]
        term = sp.Integer(1)
        for s, a in zip(symbols, rounded):
            term *= s**a
        if term != 1:
            out.append(term)
    return out
