"""Trajectory matching: a found system's coefficients fitted to the measured states themselves, by simulating it.

The search fits each state's derivative to estimated derivatives (or to
weak integrals of the states): estimates whose errors neighbouring samples
share, which bias the coefficients by a few per cent at 1 % state noise.
Here the chosen laws' terms are kept and their coefficients, with each
trajectory's initial state, are fitted to the measured states by simulating
the whole system (LSODA) and minimising the misses, each state's weighted by
its estimated noise: least squares on the data as measured, whose errors
are independent, so the coefficients' standard errors mean what they say.

Around that fit the misses are linear in the coefficients, with the initial
states profiled out; on that linear problem terms that the data do not need
are pruned and coefficients are snapped to exact values by the same BIC
tests as every law (:func:`discovery.settle.snapping.snap_coefficients`), and the
system is simulated once more with them held.

This module runs the fit and searches each state's terms on it; the
nonlinear fit is :mod:`discovery.dynamics.trajectory_fit`, the linearised
prune and snap :mod:`discovery.dynamics.linearised`.
"""

from __future__ import annotations

import dataclasses
import time as clock
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import sympy as sp

from ..law.coefficient import Coefficient
from ..law.expressions import complexity
from .fit_parameters import parameters_of
from .released import released
from .small_libraries import small_library_search
from .starts import simulating_start
from .term_search import TermSearch
from .trajectories import Trajectories
from .trajectory_fit import (
    DOES_NOT_SIMULATE,
    STILL_MISSES,
    FitContext,
    MatchedState,
    fit_by_simulation,
)

MIN_NOISE_FRACTION = 1e-7  # of each state's RMS: the weight of a state whose estimated noise is 0
# The RMS miss, in each state's RMS, within which the misses are linear enough in the coefficients to search
# terms on, from laws that miss by more than the noise (MAX_MISS): on clean data bacterial respiration's
# laws missed by 4e-7 with a spurious term; an undamped pendulum against 10 % noise missed by 0.2 and drew
# five spurious terms.
LINEAR_MISS = 0.05
# Of the time the fit had to its deadline: how much longer the refit releasing constants may take (the laws
# are found by the deadline; the simulation check after it takes far less than the time kept for it).
RELEASE_SHARE = 0.1
# Of the time left after the first fit: how much the search on the laws found leaves to the small libraries
# that follow it. Given all of it, its alternatives took 16.5 of the 24 s left on bacterial respiration at
# 1 % noise, and the saturation library, whose search finds both of its laws, was never reached.
SMALL_LIBRARY_SHARE = 0.4


def match_trajectories(
    expressions: Mapping[str, sp.Expr],
    coefficients: Mapping[str, Sequence[Coefficient]],
    data: Trajectories,
    constants: Mapping[str, float],
    noise: Mapping[str, float],
    deadline: float | None = None,
    smoothed: Sequence[np.ndarray] | None = None,
    library: Sequence[sp.Expr] = (),
    max_terms: int = 5,
    alternatives: Mapping[str, Sequence[sp.Expr]] | None = None,
    small_libraries: Sequence[Sequence[sp.Expr]] = (),
) -> tuple[dict[str, MatchedState] | None, dict[str, Any]]:
    """Fit the laws' coefficients and each trajectory's initial state to the states by simulation.

    The whole system is simulated first; the saturation constants in its
    terms (the K of x·y/(K + x²)) are fitted with the coefficients, and held
    at the library's 1 while the structures are compared where the BIC does
    not need them free; in the laws returned, only where the data support it. With a
    ``library``, each state's terms are then searched again on that fit
    (:mod:`discovery.dynamics.restructure`), where it matches or misses by
    at most :data:`LINEAR_MISS` of the states' RMS: a proposal replaces a
    law when the whole system, fitted again with it, matches where the laws
    did not, or is the simplest within the selection margin of the best
    extended BIC. Where the whole system fails (a law that does
    not simulate, or misses of more than :data:`~discovery.dynamics.trajectory_fit.MAX_MISS` noise standard
    deviations: some law is wrong), each state is fitted alone, its law
    simulated with the other states taken from the data (``smoothed``,
    interpolated by cubic splines), so that a right law is not pulled by a
    wrong one.

    Parameters
    ----------
    expressions : mapping of state → sympy.Expr
        Each state's derivative law, a sum of coefficient × term.
    coefficients : mapping of state → sequence of Coefficient
        Each law's coefficients (their terms are kept; their values start the fit).
    data : Trajectories
        The measured trajectories.
    constants : mapping of name → float
        Named constants in the terms, and offered as exact values.
    noise : mapping of state → float
        Each state's estimated noise standard deviation, in its units.
    deadline : float, optional
        ``time.perf_counter()`` value by which to give up (the laws are then kept as they were); the refit
        releasing constants may run :data:`RELEASE_SHARE` of the time to it past it.
    smoothed : sequence of arrays, optional
        Each trajectory's states with the noise smoothed away (default: as measured), for fitting one state alone.
    library : sequence of sympy.Expr
        Candidate terms for every state's law, searched on the trajectories (none: no search).
    max_terms : int
        Largest law the search proposes.
    alternatives : mapping of state → sequence of sympy.Expr, optional
        Other laws for each state (the search's next-best structures), each
        fitted in its law's place with the whole system and kept when the
        system is preferred with it, after the linearised proposals. When the
        laws as found do not simulate, the first system of each state's k-th
        alternative that does is where the search starts
        (:func:`~discovery.dynamics.starts.simulating_start`).
    small_libraries : sequence of sequences of sympy.Expr
        Small libraries searched last, each from the linear system fitted by
        simulation (:mod:`discovery.dynamics.small_libraries`); their best
        system replaces the laws when preferred. Not run when the laws fit
        the trajectories exactly.

    Returns
    -------
    (dict of state → MatchedState, or None; dict)
        The matched laws, for the states whose fit succeeded (None when
        none did), and what happened: ``"status"`` (``"matched"``, ``"matched
        one state at a time"`` or why the laws were kept), the RMS miss in
        noise units before and after (``"chi_before"``, ``"chi_after"``), the
        terms pruned, the seconds spent; the laws the search replaced
        (``"restructured"``: state → the terms before); the saturation constants
        held at the library's 1 (``"constants_held"``) and those released, the data
        alone knowing them too poorly for that exact value (``"constants_released"``,
        :mod:`discovery.dynamics.released`); fitted one at a time, ``"states"``
        holds each state's.
    """
    started = clock.perf_counter()
    states = list(data.states)
    parameters = parameters_of(expressions, coefficients, states, data, constants)
    if parameters is None:
        return None, {"status": "skipped: a law is not a sum of coefficients times terms"}
    if not parameters.terms:
        return None, {"status": "skipped: the laws have no coefficients to fit"}
    rms = np.sqrt(np.mean(np.vstack([tr.x for tr in data.items]) ** 2, axis=0))
    rms = np.where(rms > 0, rms, 1.0)
    sigma = np.maximum([noise.get(s, 0.0) for s in states], MIN_NOISE_FRACTION * rms)
    context = FitContext(data, constants, rms, sigma, deadline, smoothed or [tr.x for tr in data.items])
    matched, info, reached = fit_by_simulation(parameters, list(range(len(states))), context)
    replaced: dict[str, str] = {}
    if reached is None and info["status"] == DOES_NOT_SIMULATE and alternatives:
        start = simulating_start(expressions, alternatives, context)
        if start is not None:
            matched, info, reached, alternatives, replaced = start
    search = None
    if reached is not None:
        own = _search_context(context, bool(small_libraries))
        search = TermSearch(own, list(library), max_terms, matched, info, reached, replaced)
    if search is not None and (library or alternatives):
        linear = matched is not None or reached.relative_miss <= LINEAR_MISS
        others = [list((alternatives or {}).get(s, ())) for s in states]
        matched, info = _searched(search, others, linear)
    if small_libraries:
        found = small_library_search(context, small_libraries, max_terms, search)
        if found is not None:
            matched, info = found
    # The refit releasing constants runs past the searches' deadline, into the time kept after it
    release_end = None if deadline is None else deadline + RELEASE_SHARE * max(deadline - started, 0.0)
    matched, info = released(matched, info, dataclasses.replace(context, deadline=release_end))
    if matched is not None or info["status"] not in (DOES_NOT_SIMULATE, STILL_MISSES) or len(states) == 1:
        return _named(matched, states), {**info, "seconds": clock.perf_counter() - started}
    alone, each = {}, {}
    for j, state in enumerate(states):
        mine = [i for i, owner in enumerate(parameters.owners) if owner == j]
        if not mine:
            each[state] = {"status": "skipped: the law has no coefficients to fit"}
            continue
        subset = parameters.subset(mine)
        one, each[state], _ = fit_by_simulation(subset, [j], context)
        if one is not None:
            alone[state] = one[j]
    info = {
        "status": ("matched one state at a time" if alone else "kept: no state's law fits alone either")
        + f" (the whole system: {info['status']})",
        "states": each,
        "seconds": clock.perf_counter() - started,
    }
    return alone or None, info


def _searched(
    search: TermSearch, alternatives: list[list[sp.Expr]], linear: bool
) -> tuple[dict[int, MatchedState] | None, dict[str, Any]]:
    """Each state's terms searched on the trajectories: in up to SEARCH_PASSES passes, then the alternatives.

    A trial is fitted as a whole system; it replaces the current laws when it
    matches and they did not, or when it is the simpler within the selection
    margin of the better extended BIC (and matches, or they did not either).
    Laws that miss start with terms dropped one at a time, the smallest
    first, each system refitted by simulation: where the misses are large
    against the noise (clean data) the linearised tests misjudge, and a
    spurious term that made up for a saturation constant (bacterial
    respiration's 2y/x beside −4xy/(1 + x²)) keeps the fit from the right
    one. Then proposals from the linearised problem (:func:`~discovery.dynamics.restructure.propose`);
    then each state's ``alternatives``, best first on the linearised problem, each refitted. Dropping
    terms and the proposals need the misses near ``linear`` in the coefficients; the alternatives, fitted
    afresh, do not. Matching systems within the selection margin of the one kept, with another law for a
    state, are reported (``"indistinct"``): the data do not tell those laws apart.
    """
    if linear and not search.drop_terms():
        return search.result()
    if linear and search.library:
        search.propose_terms()
    search.try_alternatives(alternatives)
    return search.result()


def _search_context(context: FitContext, small_libraries: bool) -> FitContext:
    """The context of the search on the laws found: SMALL_LIBRARY_SHARE of the time left kept from it, when small
    libraries follow it."""
    if not small_libraries or context.deadline is None:
        return context
    now = clock.perf_counter()
    kept = SMALL_LIBRARY_SHARE * max(context.deadline - now, 0.0)
    return dataclasses.replace(context, deadline=context.deadline - kept)


def _named(matched: dict[int, MatchedState] | None, states: list[str]) -> dict[str, MatchedState] | None:
    return None if matched is None else {states[j]: law for j, law in matched.items()}


def matched_front(front: list, expression: sp.Expr, n_terms: int) -> list:
    """The front with its chosen entry showing the matched expression."""
    return [
        dataclasses.replace(e, expression=expression, complexity=complexity(expression), n_terms=n_terms)
        if e.chosen
        else e
        for e in front
    ]
