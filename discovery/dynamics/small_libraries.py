"""Each small library searched by simulation from the linear system: the structure search for short series.

With 20–40 noisy samples of one trajectory, derivative estimates and weak
integrals are too rough to rank structures: on Lotka–Volterra predator–prey
(40 samples, 5 % noise) the true support ranked 13th to 32nd of the 56 that
degree-2 polynomials allow on the weak rows, and at 20 samples a 16-sample
bump leaves five rows. A trajectory fit of a small system, though, takes
about 0.1 s there. So this search works as a scientist fitting candidate
models to the series would: the linear system (each state's law a constant
and the variables' linear terms, started from least squares on the smoothed
states' slopes) is fitted by simulation, and from it each small library of
:func:`~discovery.dynamics.terms.ladder` grows and prunes each state's law by
the term search on the trajectories (:class:`~discovery.dynamics.term_search.TermSearch`:
terms dropped, linearised proposals, each refitted as a whole system). The
best system over the libraries, by the same rule as every trial (the extended
BIC, each charged for its own library, and the selection margin), replaces
the laws found when that rule prefers it.
"""

from __future__ import annotations

import time as clock
from collections.abc import Sequence
from typing import Any

import numpy as np
import sympy as sp

from ..law.evaluate import numpy_evaluator
from .fit_parameters import with_saturation_constants
from .restructure import preferred
from .term_search import TermSearch, system_criterion, system_size
from .terms import polynomial_terms
from .trajectory_fit import FitContext, MatchedState, fit_by_simulation

PASSES = 4  # rounds of dropping and proposing terms in one library: each round refits what the last changed


def small_library_search(
    context: FitContext, libraries: Sequence[Sequence[sp.Expr]], max_terms: int, incumbent: TermSearch | None
) -> tuple[dict[int, MatchedState], dict[str, Any]] | None:
    """The best system of the ``libraries``' searches from the linear start, when preferred to ``incumbent``'s.

    Not run when the incumbent fits the trajectories exactly (within the
    simulations' precision) or time is out. Returns the matched laws and
    what happened (``"small_library"``: the library's terms; ``"restructured"``:
    each replaced law's terms before), or None when the incumbent stands.
    """
    if incumbent is not None and incumbent.matched is not None:
        reached = incumbent.reached
        if reached.rss <= reached.n * reached.floor:
            return None
    start = _linear_start(context)
    if start is None:
        return None
    best = None
    for library in libraries:
        if _out_of_time(context):
            break
        search = TermSearch(context, list(library), max_terms, *start)
        for _ in range(PASSES):
            reached = search.reached
            search.propose_terms()
            if not search.drop_terms() or search.reached is reached:
                break
        if search.matched is not None and (best is None or _preferred(best, search)):
            best = search
    if best is None or not (incumbent is None or incumbent.matched is None or _preferred(incumbent, best)):
        return None
    if incumbent is not None:
        best.fitted += incumbent.fitted
    matched, info = best.result()
    before = [] if incumbent is None else incumbent.reached.laws
    info["restructured"] = {
        context.data.states[j]: " + ".join(str(term) for term, _ in before[j]) if before else "no fit"
        for j, law in enumerate(best.reached.laws)
        if not before or [t for t, _ in law] != [t for t, _ in before[j]]
    }
    info["small_library"] = [str(term) for term in best.library]
    return matched, info


def _preferred(current: TermSearch, trial: TermSearch) -> bool:
    """Whether the trial's system is preferred: the simplest within the selection margin of the better criterion."""
    criteria = [system_criterion(s.reached, len(s.library)) for s in (current, trial)]
    return preferred(criteria, [system_size(current.reached), system_size(trial.reached)]) == 1


def _linear_start(context: FitContext) -> tuple[dict[int, MatchedState] | None, dict[str, Any], Any] | None:
    """The linear system fitted by simulation, started from least squares on the smoothed states' slopes."""
    data = context.data
    names = (*data.states, *data.inputs)
    terms = polynomial_terms(names, 1)
    evaluators = [numpy_evaluator(term, {}) for term in terms]
    columns, slopes = [], []
    for trajectory, smooth in zip(data.items, context.smoothed):
        if len(trajectory.t) < 3:
            continue
        values = {**trajectory.columns(names), **dict(zip(data.states, smooth.T))}
        with np.errstate(all="ignore"):
            columns.append(np.column_stack([f(values) * np.ones(len(trajectory.t)) for f in evaluators]))
        slopes.append(np.gradient(smooth, trajectory.t, axis=0))
    if not columns:
        return None
    A, B = np.vstack(columns), np.vstack(slopes)
    if not (np.all(np.isfinite(A)) and np.all(np.isfinite(B))):
        return None
    values, *_ = np.linalg.lstsq(A, B, rcond=None)
    n_states = len(data.states)
    parameters = with_saturation_constants(
        terms * n_states, [j for j in range(n_states) for _ in terms], list(values.T.ravel())
    )
    matched, info, reached = fit_by_simulation(parameters, list(range(n_states)), context)
    return None if reached is None else (matched, info, reached)


def _out_of_time(context: FitContext) -> bool:
    return context.deadline is not None and clock.perf_counter() > context.deadline
