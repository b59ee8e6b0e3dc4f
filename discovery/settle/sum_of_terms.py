"""The SymPy layer for a linear combination of terms: prune, refit, snap to exact values.

Every path that produces a formula ends in this layer: prune near-zero terms,
refit on the rows, snap coefficients to exact values where the fit does not
get worse, and build the SymPy expression. :func:`settle_terms` does it for a
sum of library terms; :mod:`discovery.settle.expression_fit` does the same for a
whole expression with floats in it, through :func:`snap_coefficients`.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import sympy as sp

from ..io.dataset import NO_KNOWN_ERROR, TargetError
from ..law.coefficient import Coefficient
from ..law.expressions import constant_positions, tidy_expression
from ..law.margins import MARGIN
from .criteria import bic, mse_floor
from .fitting import ParameterFit, least_squares
from .pruning import prune_backward
from .snapping import SNAP_MIN_T, snap_coefficients

# 1 − cosine between a term's column and the constant's under which the term may be a stand-in for
# the constant: cos(3·I) for I in (0, 0.01) is at 8e-9, exp(I) at 4e-6; a variable on a range as narrow
# as 330–350 at 1.5e-4.
NEAR_CONSTANT = 1e-5


@dataclass(frozen=True)
class SettledTerms:
    """A law's terms and coefficients after pruning and snapping."""

    expression: sp.Expr
    coefficients: list[Coefficient]
    fit: ParameterFit
    terms: tuple[sp.Expr, ...]
    # A term that is a sum of the library's terms (log(u/K) = log(u) − log(K)·1): its parts and their factors
    parts: Mapping[sp.Expr, tuple[tuple[sp.Expr, float], ...]] = dataclasses.field(default_factory=dict)


def settle_terms(
    columns: np.ndarray,
    y: np.ndarray,
    terms: Sequence[sp.Expr],
    constants: Mapping[str, float] | None = None,
    prune_tol: float = 1e-3,
    snap: bool = True,
    tidy: bool = True,
    log_target: bool = False,
    ones: np.ndarray | None = None,
    known: TargetError = NO_KNOWN_ERROR,
) -> SettledTerms:
    """Prune, refit and snap a linear combination of terms.

    Parameters
    ----------
    columns : numpy.ndarray, shape (n, k)
        The terms evaluated on the rows.
    y : numpy.ndarray, shape (n,)
    terms : sequence of sympy.Expr
        The k terms.
    constants : mapping of name → value
        Named constants to recognise in coefficients (``{"g": 9.81}``).
    prune_tol : float
        Terms contributing less than this fraction of the RMS of y are
        dropped when the BIC says the fit does not get worse without them.
    snap : bool
        Recognise exact coefficients.
    tidy : bool
        Let SymPy simplify an all-exact law when that shortens it.
    log_target : bool
        y is the logarithm of the quantity of interest: its constant term
        is also offered the logarithms of exact values (see :func:`snap_coefficients`).
    ones : numpy.ndarray, optional
        The constant term's column (the rows' weights where the fit is
        weighted), when the constant may replace a term that is nearly
        constant on the rows; None where the constant is not a term of the library.
    known : TargetError
        y's error besides noise: it raises the exact-fit floor and widens the exact-value tests.

    Returns
    -------
    SettledTerms
    """
    n = len(y)
    floor = mse_floor(y, known)
    keep = list(range(len(terms)))
    fit = least_squares(columns[:, keep], y)
    keep, fit = _prune_terms(columns, y, keep, fit, prune_tol, floor)
    if ones is not None:
        stand_in = _constant_for_a_stand_in(columns[:, keep], y, [terms[j] for j in keep], fit, ones, floor)
        if stand_in is not None:
            columns, terms, fit = stand_in
            keep = list(range(len(terms)))
    parts: dict[sp.Expr, tuple[tuple[sp.Expr, float], ...]] = {}
    if snap and constants:
        referenced = _logarithm_with_reference(columns[:, keep], y, [terms[j] for j in keep], fit, constants, floor)
        if referenced is not None:
            columns, terms, fit, parts = referenced
            keep = list(range(len(terms)))
    exact: dict[int, sp.Expr] = {}
    free_fit = fit
    if snap:
        kept_columns = columns[:, keep]
        logarithms = constant_positions([terms[j] for j in keep]) if log_target else []
        exact, fit = snap_coefficients(
            lambda fixed: least_squares(kept_columns, y, fixed),
            fit,
            n,
            constants or {},
            floor,
            logarithms=logarithms,
            coefficient_error=known.coefficient_error,
        )
    coefficients = []
    expression = sp.Integer(0)
    for pos, j in enumerate(keep):
        value = exact.get(pos)
        coefficients.append(
            Coefficient(
                terms[j],
                float(fit.coef[pos]),
                float(free_fit.stderr[pos]),
                value,
                estimate=float(free_fit.coef[pos]),
                dof=n - free_fit.n_free,
            )
        )
        expression += (value if value is not None else sp.Float(fit.coef[pos])) * terms[j]
    return SettledTerms(
        tidy_expression(expression) if tidy else expression,
        coefficients,
        fit,
        tuple(terms[j] for j in keep),
        parts,
    )


def _constant_for_a_stand_in(
    columns: np.ndarray, y: np.ndarray, terms: Sequence[sp.Expr], fit: ParameterFit, ones: np.ndarray, floor: float
) -> tuple[np.ndarray, list[sp.Expr], ParameterFit] | None:
    """The law with the constant in place of a term that only stands in for it; None if it has none.

    A term nearly constant on the rows (cos(3·I) for I below 0.01, 1 − 1.5e-4
    on average) fits as well as the constant does, and by chance a little
    better: 10·log10(I/I0) came back as 4.356·log(I) + 120.09·cos(3·I) on
    five samples of nine (2,000 to 10,000 rows). Where a law has no constant, a term whose column is
    within ``NEAR_CONSTANT`` of parallel to the constant's is replaced by it
    when the BIC gets worse by less than the selection margin, as the
    simplest law within the margin is chosen among supports.
    """
    if constant_positions(terms):
        return None
    n = len(y)
    limit = bic(fit.rss, n, fit.n_free, floor) + MARGIN["bic"]
    norm_ones = float(np.linalg.norm(ones))
    best = None
    for j in range(len(terms)):
        column = columns[:, j]
        cosine = abs(float(column @ ones)) / max(float(np.linalg.norm(column)) * norm_ones, np.finfo(float).tiny)
        if not cosine > 1 - NEAR_CONSTANT:
            continue
        trial_columns = columns.copy()
        trial_columns[:, j] = ones
        trial = least_squares(trial_columns, y)
        score = bic(trial.rss, n, trial.n_free, floor)
        if score <= limit and (best is None or score < best[0]):
            best = (score, j, trial_columns, trial)
    if best is None:
        return None
    _, j, trial_columns, trial = best
    return trial_columns, [sp.Integer(1) if i == j else term for i, term in enumerate(terms)], trial


def _logarithm_with_reference(
    columns: np.ndarray,
    y: np.ndarray,
    terms: Sequence[sp.Expr],
    fit: ParameterFit,
    constants: Mapping[str, float],
    floor: float,
) -> tuple[np.ndarray, list[sp.Expr], ParameterFit, dict] | None:
    """The law with its constant folded into a logarithm as a named reference, where the BIC allows it.

    The logarithm of a measured quantity is taken relative to a reference:
    10·log10(I/I0) decibels is 10·log10(I) + 120 for I0 = 1e-12 W/m², and
    the constant 120 is the user's named I0 in disguise (at 1 % noise it is
    119.94 ± 0.06, with a slope of 4.332 ± 0.010 for 10/ln 10). Where a law
    holds a constant c and a term a·log(u), each positive named constant K
    is offered as u's reference: a·log(u/K) (or a·log(u·K)) replaces both,
    one coefficient fewer, and is kept when the BIC does not get worse. The
    constant must be known to 10 % (as for any exact value), and the best of
    the offers is kept.

    Returns None when no offer is kept, else the columns, terms and fit of
    the law with the folded term last, and that term's parts (its
    logarithm and the constant, each with its factor).
    """
    n = len(y)
    ones = constant_positions(terms)
    logarithms = [j for j, term in enumerate(terms) if isinstance(term, sp.log)]
    if not ones or not logarithms:
        return None
    one = ones[0]
    if abs(fit.coef[one]) < SNAP_MIN_T * fit.stderr[one]:
        return None
    best_bic, best = bic(fit.rss, n, fit.n_free, floor), None
    for j in logarithms:
        rest = [i for i in range(len(terms)) if i not in (j, one)]
        for name, value in constants.items():
            if not (isinstance(value, (int, float)) and math.isfinite(value) and value > 0 and value != 1):
                continue
            reference = sp.Symbol(name)
            for power in (-1, 1):  # log(u/K), log(u·K)
                shift = power * math.log(value)
                # The constant's column holds the rows' weights where the fit is weighted.
                folded = columns[:, j] + shift * columns[:, one]
                trial_columns = np.column_stack([columns[:, rest], folded])
                trial = least_squares(trial_columns, y)
                score = bic(trial.rss, n, trial.n_free, floor)
                if score <= best_bic:
                    term = sp.log(terms[j].args[0] * reference**power)
                    parts = {term: ((terms[j], 1.0), (terms[one], shift))}
                    best_bic, best = score, (trial_columns, [terms[i] for i in rest] + [term], trial, parts)
    return best


def _prune_terms(columns, y, keep, fit, prune_tol, floor):
    n = len(y)
    y_rms = float(np.sqrt(np.mean(y * y)))

    def trials(kept):  # the term of least contribution, while under prune_tol of RMS(y)
        keep, fit = kept
        if len(keep) > 1:
            contrib = np.abs(fit.coef) * np.sqrt((columns[:, keep] ** 2).mean(axis=0)) / y_rms
            smallest = int(np.argmin(contrib))
            if not contrib[smallest] >= prune_tol:
                trial_keep = keep[:smallest] + keep[smallest + 1 :]
                yield trial_keep, least_squares(columns[:, trial_keep], y)

    return prune_backward((keep, fit), trials, lambda kept: bic(kept[1].rss, n, kept[1].n_free, floor))
