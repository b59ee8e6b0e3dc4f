"""Terms P(x)·F(c·M(x)): a unary function of a monomial, times a monomial.

Laws such as n0·exp(−m·g·x/(kb·T)), 1/(exp(ħω/kT) − 1) or sin²(E·t/ħ) have a
function applied to a product of several variables. No small library holds
them, but a log-space test finds them: if y = C·P(x)·F(c·M(x)) with P a
monomial, then log|y| − log|F(c·M)| is linear in the log|xᵢ|. So every
candidate F(c·M), for F in a short list, c in a few scales and M over the
monomials of one to five variables with exponents ±1, is scored by the
residual of one projection, all candidates at once. The best candidates that
beat the plain power law clearly become terms P·F(c·M), P from the same fit;
the sparse search then confirms them, or not, in the original space.
Variable names play no part.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable

import numpy as np
import sympy as sp

from ..io.dataset import Dataset
from ..io.rows import sample_rows

MAX_FACTORS = 5  # variables in the inner monomial
MAX_VARIABLES = 9  # above this the monomial count grows too fast to test them all
MAX_MONOMIALS = 3000  # inner monomials of k variables are tried only while the count stays below this
TEST_ROWS = 500  # rows with the largest |y| among a sample: relative noise is smallest there
BEST = 3  # candidates proposed
MIN_GAIN = 0.3  # a candidate's log residual must be below this fraction of the plain power law's
CHUNK = 4096  # candidates scored per block

# (numpy F, sympy F); F(u) = u^k is absent on purpose: the power law covers it.
FUNCTIONS: tuple[tuple[Callable[[np.ndarray], np.ndarray], Callable[[sp.Expr], sp.Expr]], ...] = (
    (np.exp, sp.exp),
    (lambda u: np.exp(-u), lambda u: sp.exp(-u)),
    (np.expm1, lambda u: sp.exp(u) - 1),
    (lambda u: 1 / np.expm1(u), lambda u: 1 / (sp.exp(u) - 1)),
    (lambda u: 1 / (np.exp(u) + 1), lambda u: 1 / (sp.exp(u) + 1)),
    (lambda u: 1 / np.cosh(u), lambda u: 1 / sp.cosh(u)),
    (np.tanh, sp.tanh),
    (np.sin, sp.sin),
    (np.cos, sp.cos),
    (lambda u: np.sin(u) ** 2, lambda u: sp.sin(u) ** 2),
    (lambda u: 1 - np.cos(u), lambda u: 1 - sp.cos(u)),
    (lambda u: np.exp(-(u**2) / 2), lambda u: sp.exp(-(u**2) / 2)),  # the Gaussian
)
SCALES = (sp.Integer(1), sp.Integer(2), sp.Rational(1, 2), 2 * sp.pi, 1 / (2 * sp.pi))


def unary_monomial_terms(data: Dataset, random_state: int | None = 0) -> list[sp.Expr]:
    """Terms P·F(c·M) whose log-space fit beats the plain power law by far.

    Returns an empty list when an input touches zero, when y is zero on
    some sampled row, or when there are more than ``MAX_VARIABLES`` inputs.
    """
    X, y = data.X, data.y
    d = X.shape[1]
    if d > MAX_VARIABLES or np.any(X == 0) or np.any(y == 0):
        return []
    sample = sample_rows(len(y), random_state, cap=2 * TEST_ROWS)
    rows = sample[np.argsort(-np.abs(y[sample]))[:TEST_ROWS]]
    X, y = X[rows], y[rows]
    logs = np.log(np.abs(X))
    target = np.log(np.abs(y))
    design = np.column_stack([np.ones(len(y)), logs])
    q, _ = np.linalg.qr(design)

    def residual(columns: np.ndarray) -> np.ndarray:
        r = target[:, None] - columns
        return np.sqrt(np.mean((r - q @ (q.T @ r)) ** 2, axis=0))

    def rough_residual(columns: np.ndarray) -> np.ndarray:
        # |r|² − |Qᵀr|² needs no projected copy; it loses digits near zero, so winners are rescored
        r = target[:, None] - columns
        return np.sqrt(np.maximum(np.einsum("ij,ij->j", r, r) - np.einsum("ij,ij->j", *(q.T @ r,) * 2), 0) / len(r))

    base = float(residual(np.zeros((len(y), 1)))[0])
    if base == 0:
        return []
    monomials = list(_inner_monomials(d))
    inner_logs = np.stack([logs @ p for p in monomials], axis=1)  # log|M| per candidate monomial
    inner_signs = np.stack([np.prod(np.sign(X) ** np.abs(p), axis=1) for p in monomials], axis=1)
    inner = inner_signs * np.exp(inner_logs)
    scored: list[tuple[float, int, int, int]] = []  # (residual, monomial, function, scale)
    with np.errstate(all="ignore"):
        for f, (numpy_f, _) in enumerate(FUNCTIONS):
            for s, scale in enumerate(SCALES):
                values = np.log(np.abs(numpy_f(float(scale) * inner)))
                ok = np.all(np.isfinite(values), axis=0)
                res = np.full(len(monomials), np.inf)
                for start in range(0, len(monomials), CHUNK):
                    block = slice(start, start + CHUNK)
                    good = np.flatnonzero(ok[block]) + start
                    if len(good):
                        res[good] = rough_residual(values[:, good])
                for m in np.argsort(res)[:BEST]:
                    exact = float(residual(values[:, [m]])[0]) if np.isfinite(res[m]) else np.inf
                    if exact < MIN_GAIN * base:
                        scored.append((exact, int(m), f, s))
    symbols = [sp.Symbol(v) for v in data.variables]
    terms: list[sp.Expr] = []
    for _, m, f, s in sorted(scored)[:BEST]:
        numpy_f, sympy_f = FUNCTIONS[f]
        scale = SCALES[s]
        with np.errstate(all="ignore"):
            factor = numpy_f(float(scale) * inner[:, m])
        ratio = y / factor
        if max((ratio > 0).mean(), (ratio < 0).mean()) < 0.99:
            continue
        coef, *_ = np.linalg.lstsq(design, target - np.log(np.abs(factor)), rcond=None)
        argument = scale * _monomial(monomials[m], symbols)
        for step in (2, 1):  # prefactor exponents rounded to halves, then integers
            prefactor = _monomial(np.round(coef[1:] * step) / step, symbols)
            terms.append(prefactor * sympy_f(argument))
    return list(dict.fromkeys(terms))


def _inner_monomials(d: int):
    """Exponent vectors with one to ``MAX_FACTORS`` entries of ±1, fewest first, at most ``MAX_MONOMIALS``."""
    count = 0
    for k in range(1, min(MAX_FACTORS, d) + 1):
        count += math.comb(d, k) * 2**k
        if count > MAX_MONOMIALS:
            return
        for chosen in itertools.combinations(range(d), k):
            for signs in itertools.product((1, -1), repeat=k):
                p = np.zeros(d)
                p[list(chosen)] = signs
                yield p


def _monomial(exponents: np.ndarray, symbols: list[sp.Symbol]) -> sp.Expr:
    term = sp.Integer(1)
    for s, a in zip(symbols, exponents):
        if a:
            term *= s ** sp.Rational(int(round(a * 2)), 2)
    return term
