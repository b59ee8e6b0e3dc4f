"""A system that simulates, to start the term search on the trajectories from, when the chosen laws do not.

On short or noisy series a large library's search can choose laws that blow
up or stall when simulated together (a saturation against a pole, a term in
1/sin x); the trajectory fit then has no fit to linearise around, and the
alternatives (each small library's law, the next-best structures) were
never tried. Here the first system made of each state's k-th alternative
that simulates becomes the start, and the chosen laws become alternatives.
"""

from __future__ import annotations

import time as clock
from collections.abc import Mapping, Sequence
from typing import Any

import sympy as sp

from .fit_parameters import Reached, parameters_of
from .trajectory_fit import FitContext, MatchedState, fit_by_simulation


def simulating_start(
    expressions: Mapping[str, sp.Expr], alternatives: Mapping[str, Sequence[sp.Expr]], context: FitContext
) -> tuple[dict[int, MatchedState] | None, dict[str, Any], Reached, dict[str, list[sp.Expr]], dict[str, str]] | None:
    """The first system of each state's k-th alternative (its own law where it has fewer) whose fit simulates.

    Returns its fit (the matched laws or None, what happened, the fit reached), the alternatives left
    (each state's chosen law first), and each replaced law's terms; None when no such system simulates
    or time runs out.
    """
    data, states = context.data, list(context.data.states)
    depth = max((len(alternatives.get(s, ())) for s in states), default=0)
    for k in range(depth):
        if context.deadline is not None and clock.perf_counter() > context.deadline:
            return None
        trial = {s: (alternatives[s][k] if k < len(alternatives.get(s, ())) else expressions[s]) for s in states}
        parameters = parameters_of(trial, {s: [] for s in states}, states, data, context.constants)
        if parameters is None or not parameters.terms:
            continue
        matched, info, reached = fit_by_simulation(parameters, list(range(len(states))), context)
        if reached is None:
            continue
        rest = {s: [expressions[s], *(a for i, a in enumerate(alternatives.get(s, ())) if i != k)] for s in states}
        before = {s: _terms(expressions[s]) for s in states if trial[s] is not expressions[s]}
        return matched, info, reached, rest, before
    return None


def _terms(expression: sp.Expr) -> str:
    return " + ".join(str(arg.as_coeff_Mul()[1]) for arg in sp.Add.make_args(expression))
