"""The SymPy layer for a whole expression with fitted floats in it (a search backend's proposal).

A backend such as PySR or Operon returns expressions with fitted floats,
e.g. ``-0.005566 + 0.3013*sin(-1.9943*theta)*(-1.4956*v)*(0.2261*v)``. Each
float becomes a parameter; all are refitted together on the rows (nonlinear
least squares), additive terms that the BIC does not need are dropped, and
the parameters are snapped to exact values (2, 1/g, π) one at a time, kept
only when the BIC does not get worse — the same rules as for a linear law
(:mod:`discovery.settle.sum_of_terms`).
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

import numpy as np
import sympy as sp
from sympy.core.cache import clear_cache

from ..deadline import Deadline
from ..io.dataset import Dataset
from ..io.rows import sample_rows
from ..law.coefficient import Coefficient
from ..law.evaluate import numpy_evaluator
from .criteria import bic, mse_floor
from .fitting import ParameterFit, ParametrisedExpression
from .pruning import prune_backward, prune_in_order
from .snapping import snap_coefficients

MAX_PRUNE_TERMS = 8  # additive terms tried for removal only in sums no longer than this
# An additive term whose RMS on the rows is below this share of y's moves no fit: in a longer sum,
# all such terms are dropped at once (a form's outer terms, 1e-16·K beside K/(1 + e^(−r(t − t0)))).
NEGLIGIBLE_SHARE = 1e-9


@dataclass(frozen=True)
class SettledExpression:
    """An expression after refitting, pruning and snapping its floats."""

    expression: sp.Expr
    coefficients: list[Coefficient]
    rmse: float
    bic: float


def settle_expression(
    expression: sp.Expr,
    data: Dataset,
    constants: Mapping[str, float] | None = None,
    snap: bool = True,
    random_state: int | None = 0,
    weights: np.ndarray | None = None,
    deadline: Deadline | None = None,
) -> SettledExpression | None:
    """Refit, prune and snap the floats of one expression on the data.

    The refits use at most :data:`~discovery.io.rows.ROW_CAP` rows (drawn with
    ``random_state``); the settled expression's error is measured on all rows.
    With ``weights`` (one per row, e.g. 1/|y| for relative errors) every
    refit, prune and snap minimises and judges the weighted residuals.
    Once ``deadline`` has passed, no further term is tried for removal and no
    further exact value is tried: the law is settled as far as it got.
    Returns None when the expression is not finite on the rows.
    """
    # SymPy's cache can hand back an equal Float of another precision made by an earlier call,
    # which changes the compiled arithmetic in the last bits: start each settle from a clean cache
    # so the same candidate always settles to the same law.
    clear_cache()
    constants = dict(constants or {})
    rows = sample_rows(data.n_rows, random_state)
    columns = {k: v[rows] for k, v in data.columns().items()}
    y = data.y[rows]
    w = None if weights is None else np.asarray(weights, dtype=np.float64)[rows]
    floor = mse_floor(data.y if weights is None else data.y * weights, data.known_error)
    expression = sp.sympify(expression)
    model = ParametrisedExpression(expression, columns, y, constants, w)
    if model.n == 0:
        return _measured(expression, [], data, constants, floor)
    fit = model.fit({})
    if fit is None:
        return None
    model, fit = _without_negligible_terms(model, fit, constants, floor)
    model, fit = _prune_terms(model, fit, columns, y, constants, floor, deadline)
    zeros, fit = _zeroed_offsets(model, fit, len(y), floor, deadline)
    exact: dict[int, sp.Expr] = {}
    final = fit

    def refit(fixed: dict[int, float]) -> ParameterFit:
        if deadline is not None and deadline.passed():
            return _failed(model.n)  # out of time: no exact value is accepted
        return model.fit({**zeros, **fixed}, fit.coef) or _failed(model.n)

    if snap:
        factors = _exponential_factors(model)
        exact, final = snap_coefficients(
            refit,
            fit,
            len(y),
            constants,
            floor,
            exponential_factors=factors,
            coefficient_error=data.known_error.coefficient_error,
        )
    exact.update({j: sp.Integer(0) for j in zeros})
    values = {p: (exact[j] if j in exact else sp.Float(final.coef[j])) for j, p in enumerate(model.parameters)}
    settled = model.expression.xreplace(values)
    coefficients = [
        Coefficient(
            model.term_of(j),
            float(final.coef[j]),
            float(fit.stderr[j]),
            exact.get(j),
            estimate=float(fit.coef[j]),
            dof=len(y) - fit.n_free,
        )
        for j in range(model.n)
        if j not in zeros
    ]
    return _measured(settled, coefficients, data, constants, floor)


def _exponential_factors(model: ParametrisedExpression) -> list[int]:
    """The parameters that multiply an exponential (p·exp(…)): where SymPy puts a shift inside it."""
    positions = {p: j for j, p in enumerate(model.parameters)}
    return sorted(
        {
            positions[factor]
            for node in sp.preorder_traversal(model.expression)
            if isinstance(node, sp.Mul) and any(isinstance(a, sp.exp) for a in node.args)
            for factor in node.args
            if factor in positions
        }
    )


_Settled = tuple[ParametrisedExpression, ParameterFit]


def _prune_terms(
    model: ParametrisedExpression, fit: ParameterFit, columns, y, constants, floor, deadline: Deadline | None = None
) -> tuple[ParametrisedExpression, ParameterFit]:
    """Drop additive terms one at a time while the BIC does not get worse (and the deadline allows).

    Each time the first term, in the sum's order, whose removal the BIC accepts.
    """
    n = len(y)

    def trials(settled: _Settled) -> Iterator[_Settled | None]:
        model, fit = settled
        if not isinstance(model.expression, sp.Add) or len(model.expression.args) > MAX_PRUNE_TERMS:
            return
        for term in model.expression.args:
            if deadline is not None and deadline.passed():
                return
            trial_model = model.without_term(term, fit.coef, constants)
            trial = trial_model.fit({})
            yield None if trial is None else (trial_model, trial)

    return prune_backward((model, fit), trials, lambda settled: bic(settled[1].rss, n, settled[1].n_free, floor))


def _without_negligible_terms(
    model: ParametrisedExpression, fit: ParameterFit, constants: Mapping[str, float], floor: float
) -> tuple[ParametrisedExpression, ParameterFit]:
    """A sum longer than ``MAX_PRUNE_TERMS`` without its negligible terms, refitted once, when the BIC allows.

    :func:`_prune_terms` does not try sums that long (a refit per term per
    pass); the terms below ``NEGLIGIBLE_SHARE`` of y's RMS go in one step.
    """
    expression = model.expression
    if not isinstance(expression, sp.Add) or len(expression.args) <= MAX_PRUNE_TERMS:
        return model, fit
    values = {p: sp.Float(float(v)) for p, v in zip(model.parameters, fit.coef)}
    limit = NEGLIGIBLE_SHARE * float(np.sqrt(np.mean(model.y * model.y)))
    negligible = []
    for term in expression.args:
        with np.errstate(all="ignore"):
            size = np.broadcast_to(numpy_evaluator(term.xreplace(values), constants)(model.columns), model.y.shape)
        if np.all(np.isfinite(size)) and float(np.sqrt(np.mean(size * size))) < limit:
            negligible.append(term)
    if not negligible or len(negligible) == len(expression.args):
        return model, fit
    reduced = (expression - sp.Add(*negligible)).xreplace(values)
    trial_model = ParametrisedExpression(reduced, model.columns, model.y, constants, model.weights)
    trial = trial_model.fit({})
    n = len(model.y)
    if trial is None or bic(trial.rss, n, trial.n_free, floor) > bic(fit.rss, n, fit.n_free, floor):
        return model, fit
    return trial_model, trial


def _zeroed_offsets(
    model: ParametrisedExpression, fit: ParameterFit, n: int, floor: float, deadline: Deadline | None
) -> tuple[dict[int, float], ParameterFit]:
    """Hold at 0 the inner sums' terms that the BIC does not need, least significant first.

    An offset inside a product, as in N0·(−0.00016 + exp(−λt)), or a term
    such as 8e−20·P0³ in (P0 + 8e−20·P0³)·exp(…), is no additive term of the
    whole expression, so :func:`_prune_terms` cannot drop it: its parameter
    (the offset, or the term's coefficient) is held at 0 instead.
    Returns the parameters held at 0 (index → 0.0) and the fit with them held.
    """
    inner = {
        j
        for node in sp.preorder_traversal(model.expression)
        if isinstance(node, sp.Add) and node is not model.expression
        for term in node.args
        for j, p in enumerate(model.parameters)
        if p == term or (isinstance(term, sp.Mul) and p in term.args)
    }

    def without(held: tuple[dict[int, float], ParameterFit], j: int) -> tuple[dict[int, float], ParameterFit] | None:
        zeros, fit = held
        trial = model.fit({**zeros, j: 0.0}, fit.coef)
        return None if trial is None else ({**zeros, j: 0.0}, trial)

    return prune_in_order(
        ({}, fit),
        sorted(inner, key=lambda j: abs(fit.coef[j]) / max(fit.stderr[j], 1e-300)),
        without,
        lambda held: bic(held[1].rss, n, held[1].n_free, floor),
        lambda held: deadline is None or not deadline.passed(),
    )


def _failed(n: int) -> ParameterFit:
    return ParameterFit(np.full(n, np.nan), np.full(n, np.inf), math.inf, 0)


def _measured(
    expression: sp.Expr, coefficients: list[Coefficient], data: Dataset, constants: Mapping[str, float], floor: float
) -> SettledExpression | None:
    try:
        with np.errstate(all="ignore"):
            predicted = np.broadcast_to(numpy_evaluator(expression, constants)(data.columns()), data.y.shape)
    except (ValueError, TypeError, KeyError, NameError):
        return None
    if not np.all(np.isfinite(predicted)):
        return None
    rss = float(np.sum((data.y - predicted) ** 2))
    free = sum(c.exact is None for c in coefficients)
    return SettledExpression(expression, coefficients, math.sqrt(rss / data.n_rows), bic(rss, data.n_rows, free, floor))
