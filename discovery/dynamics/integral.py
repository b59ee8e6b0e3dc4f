"""The integral (weak) check of a derivative law: does it reproduce the states' changes over windows of time?

A law f for dx/dt must satisfy x(t + Δ) − x(t) = ∫ f(x(s)) ds over any
window. That asks for no derivative of the data: the noise enters only
through the states at the window's two ends and through f along the way,
where integration averages it out, and the errors of estimated derivatives
(which neighbouring samples share, so a pointwise fit chases them with
spurious small terms) do not enter at all. ``integral_misses`` measures it
for candidate laws, each with its coefficients refitted to the windows (the
changes are linear in them) where the data are noisy: a law's structure is
judged, not the few-per-cent errors its coefficients took from the noisy
derivatives it was fitted to. The search uses it to choose among them.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import sympy as sp
from scipy.interpolate import CubicSpline

from ..law.evaluate import numpy_evaluator
from .trajectories import Trajectories

WINDOW = 10  # samples a window spans


def integral_misses(
    expressions: Sequence,
    constants: dict[str, float],
    trajectories: Trajectories,
    state: int,
    names: Sequence[str],
    refit: bool = False,
) -> np.ndarray:
    """For each expression, the RMS miss of x(t + Δ) − x(t) against ∫ f dt, over the RMS of those changes.

    f is the expression, or with ``refit`` the expression with the
    coefficients of its (expanded) terms refitted by least squares to the
    changes (for noisy data; on clean data the refit fits the quadrature's
    errors over fast transients with tiny coefficients). Δ spans :data:`WINDOW` samples
    (fewer on a short trajectory); every window start is used. ∫ f dt is the
    integral of the cubic spline through f's values at the samples
    (fourth-order accurate). An expression with a term that is not finite on
    every sample scores inf.
    """
    change = window_changes(trajectories, state)
    scale = max(float(np.sqrt(np.mean(change**2))), np.finfo(float).tiny)
    integrals: dict[sp.Expr, np.ndarray | None] = {}
    out = np.full(len(expressions), np.inf)
    for k, expression in enumerate(expressions):
        terms = _terms(expression) if refit else [sp.sympify(expression)]
        for term in terms:
            if term not in integrals:
                integrals[term] = window_integrals(term, constants, trajectories, names)
        if not terms or any(integrals[term] is None for term in terms):
            continue
        columns = np.column_stack([integrals[term] for term in terms])
        coef = np.linalg.lstsq(columns, change, rcond=None)[0] if refit else np.ones(1)
        out[k] = float(np.sqrt(np.mean((change - columns @ coef) ** 2))) / scale
    return out


def _terms(expression: sp.Expr) -> list[sp.Expr]:
    """The expanded expression's terms, each without its numeric factor."""
    terms = [term for _, term in (arg.as_coeff_Mul() for arg in sp.Add.make_args(sp.expand(sp.sympify(expression))))]
    return list(dict.fromkeys(terms))


def window_changes(trajectories: Trajectories, state: int) -> np.ndarray:
    """x(t + Δ) − x(t) of the state over every window of every trajectory."""
    changes = []
    for tr in trajectories.items:
        w = min(WINDOW, len(tr.t) - 1)
        x = tr.x[:, state]
        changes.append(x[w:] - x[:-w])
    return np.concatenate(changes)


def window_integrals(
    term: sp.Expr, constants: dict[str, float], trajectories: Trajectories, names: Sequence[str]
) -> np.ndarray | None:
    """∫ term dt over every window of every trajectory; None if the term is not finite on every sample."""
    evaluate = numpy_evaluator(term, constants)
    parts = []
    for tr in trajectories.items:
        w = min(WINDOW, len(tr.t) - 1)
        with np.errstate(all="ignore"):
            f = np.asarray(evaluate(tr.columns(names)), dtype=float) * np.ones(len(tr.t))
        if not np.all(np.isfinite(f)):
            return None
        F = CubicSpline(tr.t, f).antiderivative()(tr.t)
        parts.append(F[w:] - F[:-w])
    return np.concatenate(parts)
