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
linearised proposals, then terms dropped, each refitted as a whole system),
once with the laws grown a term per round and once not (:func:`_searched`).
The best system over the libraries, by the same rule as every trial (the
extended BIC, each charged for its own library, and the selection margin),
replaces the laws found when that rule prefers it; the other searches'
matching systems within the margin are reported as indistinct.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import sympy as sp

from ..law.evaluate import numpy_evaluator
from .fit_parameters import with_saturation_constants
from .restructure import preferred
from .term_search import TermSearch, system_criterion, system_size, written_terms
from .terms import polynomial_terms
from .trajectory_fit import FitContext, MatchedState, fit_by_simulation

PASSES = 4  # rounds of proposing and dropping terms in one library: each round refits what the last changed
FIRST_SIZE = 2  # terms a law may have in the first round of a search that grows its laws


def small_library_search(
    context: FitContext, libraries: Sequence[Sequence[sp.Expr]], max_terms: int, incumbent: TermSearch | None
) -> tuple[dict[int, MatchedState], dict[str, Any]] | None:
    """The best system of the ``libraries``' searches from the linear start, when preferred to ``incumbent``'s.

    Not run when the incumbent fits the trajectories exactly (within the
    simulations' precision) or time is out. Returns the matched laws and
    what happened (``"small_library"``: the library's terms; ``"restructured"``:
    each replaced law's terms before), or the incumbent's when it stands;
    either way, the matching systems of every search within the selection
    margin are in ``"indistinct"``. None when neither matches.
    """
    if incumbent is not None and incumbent.fits_exactly():
        return None
    start = _linear_start(context)
    if start is None:
        return None
    searches = [
        _searched(TermSearch(context, list(library), max_terms, *start), grown)
        for library in libraries
        for grown in (True, False)
    ]
    matching = [search for search in searches if search is not None and search.matched is not None]
    best = None
    for search in matching:
        if best is None or _preferred(best, search):
            best = search
    if incumbent is not None and incumbent.matched is not None:
        matching.append(incumbent)
        if best is None or not _preferred(incumbent, best):
            best = incumbent
    if best is None:
        return None
    for search in matching:
        if search is not best:
            best.fitted += search.fitted
    matched, info = best.result()
    if best is incumbent:
        return matched, info
    before = None if incumbent is None else incumbent.reached.laws
    info["restructured"] = {
        state: "no fit" if before is None else written_terms(before[j])
        for j, state in enumerate(context.data.states)
        if before is None or written_terms(before[j]) != written_terms(best.reached.laws[j])
    }
    info["small_library"] = [str(term) for term in best.library]
    return matched, info


def _searched(search: TermSearch, grown: bool) -> TermSearch | None:
    """Rounds of proposals then drops on the search's library; None when time was already out.

    ``grown``: the laws proposed may have at most 2 terms in the first round, one more in each next
    (from the linear start the linearised problem is far from the fit, and its best five terms can be a
    flexible fit that matches the trajectories and stalls there: van der Pol's dx/dt at 40 samples, 5 %);
    else up to ``max_terms`` in each of PASSES rounds, which does not stall where the grown laws, cut to two
    terms at first, can (predator-prey at 40 samples).
    """
    if search.out_of_time():
        return None
    largest = search.max_terms
    sizes = range(min(FIRST_SIZE, largest), largest + 1) if grown else [largest] * PASSES
    for size in sizes:
        search.max_terms = size
        reached = search.reached
        search.propose_terms()
        if not search.drop_terms() or (not grown and search.reached is reached):
            break
    search.max_terms = largest
    return search


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
