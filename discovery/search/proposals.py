"""Terms proposed from the data before any library is searched.

A power law ``y = C · Π xᵢ^aᵢ`` is linear after taking logarithms, so one
least-squares fit of log|y| on log|xᵢ| proposes its exponents; rounded to
halves they give a single term the sparse search can then confirm (or not)
in the original space. The same fit with one factor divided out proposes
monomial × factor terms, for factors sin(xᵢ), cos(xᵢ), and differences
(xᵢ − xⱼ) or (xᵢ² − xⱼ²) to the power ±1 — so κ·(T2 − T1)·A/d and
G·m1·m2·(1/r2 − 1/r1) = G·m1·m2·(r1 − r2)/(r1·r2) are single proposals.
Variable names play no part: every variable and every pair is tried.
"""

from __future__ import annotations

import numpy as np
import sympy as sp

from ..io.dataset import Dataset
from ..io.rows import sample_rows

MIN_SIGN_AGREEMENT = 0.99  # fraction of rows on which y (and each factor) keeps one sign


def power_law_terms(data: Dataset, random_state: int | None = 0) -> list[sp.Expr]:
    """Monomials, and monomials times one factor, suggested by log-space fits.

    Returns an empty list when the inputs touch zero; without a factor, y
    must keep one sign, and with one, y divided by the factor must. The
    fits use at most :data:`~discovery.io.rows.ROW_CAP` rows, drawn with
    ``random_state``.
    """
    X, y = data.X, data.y
    usable = (y != 0) & np.all(X != 0, axis=1)
    if usable.mean() < MIN_SIGN_AGREEMENT:
        return []
    rows = sample_rows(int(usable.sum()), random_state)
    X, y = X[usable][rows], y[usable][rows]
    logs = np.log(np.abs(X))
    target = np.log(np.abs(y))
    symbols = [sp.Symbol(v) for v in data.variables]

    terms: list[sp.Expr] = []
    base_residual = np.inf
    if _one_signed(y):
        exponents, base_residual = _log_fit(logs, target)
        terms += _monomials(exponents, symbols)
    for values, factor in _factors(X, symbols):
        if np.any(values == 0) or not np.all(np.isfinite(values)) or not _one_signed(y / values):
            continue
        exps, residual = _log_fit(logs, target - np.log(np.abs(values)))
        if residual < 0.5 * base_residual:
            terms += [m * factor for m in _monomials(exps, symbols)]
    return list(dict.fromkeys(terms))


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


def _log_fit(logs: np.ndarray, target: np.ndarray) -> tuple[np.ndarray, float]:
    design = np.column_stack([np.ones(len(target)), logs])
    coef, *_ = np.linalg.lstsq(design, target, rcond=None)
    residual = float(np.sqrt(np.mean((target - design @ coef) ** 2)))
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
