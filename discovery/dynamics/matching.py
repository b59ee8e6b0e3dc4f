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
tests as every law (:func:`discovery.law.settle.snap_coefficients`), and the
system is simulated once more with them held.
"""

from __future__ import annotations

import dataclasses
import time as clock
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import sympy as sp
from scipy import optimize
from scipy.interpolate import CubicSpline
from scipy.sparse import csr_matrix, lil_matrix

from ..law.coefficient import Coefficient
from ..law.criteria import bic
from ..law.evaluate import scalar_evaluator
from ..law.fitting import ParameterFit, least_squares
from ..law.pruning import prune_in_order
from ..law.settle import complexity, snap_coefficients, tidy_expression
from .parameters import FitParameters, Reached, parameter_values, parameters_of, reached_fit, with_saturation_constants
from .restructure import FitPoint, preferred, propose, refitted, structure_criterion
from .sensitivity import evaluated, variational_jacobian
from .system import input_function, integrate
from .trajectories import Trajectories

RTOL = 1e-10  # tight, so that the finite-difference Jacobian (step DIFF_STEP) sees the law, not the integrator
ATOL_FRACTION = 1e-12  # of each state's RMS
DIFF_STEP = 1e-6
MAX_EVALUATIONS = 60  # simulations of every trajectory by the optimiser (its Jacobians not counted)
# Right-hand-side evaluations per sample beyond which one simulation is stopped as too stiff to fit by
# (a law with 1/sin(y) near y = 0 needed 200 000 for 100 samples, 1.5 s per simulation); LSODA needs 5–50.
EVALUATIONS_PER_SAMPLE = 200
MISSING = 10.0  # the miss, in RMSs of the state, charged for a sample after a simulation failed
MIN_NOISE_FRACTION = 1e-7  # of each state's RMS: the weight of a state whose estimated noise is 0
# Of each state's RMS: how closely a simulated and a measured clean trajectory can agree (both come from
# integrators, whose global errors at rtol 1e-10 reach 1e-7 near a singularity: shear flow's cot y fitted
# 1.00000032). Misses within it count as an exact fit, and each coefficient is known to within it, so exact
# values and pruning are judged against it on noise-free data, where the misses are the integrators' errors.
SIMULATION_PRECISION = 1e-6
# RMS miss, in noise standard deviations, beyond which the fitted laws are rejected: right laws fit to
# about 1; one with a term missing pulls its other coefficients to make up for it (a pendulum without its
# damping, at 10 % noise, fitted θ' = 0.72·ω at 9.9), and the derivative fit's values are kept instead.
MAX_MISS = 1.5
# The RMS miss, in each state's RMS, within which the misses are linear enough in the coefficients to search
# terms on, from laws that miss by more than the noise (MAX_MISS): on clean data bacterial respiration's
# laws missed by 4e-7 with a spurious term; an undamped pendulum against 10 % noise missed by 0.2 and drew
# five spurious terms.
LINEAR_MISS = 0.05
SEARCH_PASSES = 2  # passes of the term search over the states: a law replaced changes what the others need


DOES_NOT_SIMULATE = "kept: the laws as found do not simulate over the data"
STILL_MISSES = "kept: the fitted laws still miss the trajectories by more than the noise (a term is missing)"


class _OutOfTime(Exception):
    """Raised inside the optimiser's objective when the time limit is reached."""


@dataclass(frozen=True)
class MatchedState:
    """One state's law after trajectory matching: its expression and coefficients."""

    expression: sp.Expr
    coefficients: list[Coefficient]


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
) -> tuple[dict[str, MatchedState] | None, dict[str, Any]]:
    """Fit the laws' coefficients and each trajectory's initial state to the states by simulation.

    The whole system is simulated first; the saturation constants in its
    terms (the K of x·y/(K + x²)) are fitted with the coefficients. With a
    ``library``, each state's terms are then searched again on that fit
    (:mod:`discovery.dynamics.restructure`), where it matches or misses by
    at most :data:`LINEAR_MISS` of the states' RMS: a proposal replaces a
    law when the whole system, fitted again with it, matches where the laws
    did not, or is the simplest within the selection margin of the best
    extended BIC. Where the whole system fails (a law that does
    not simulate, or misses of more than :data:`MAX_MISS` noise standard
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
        ``time.perf_counter()`` value by which to give up (the laws are then kept as they were).
    smoothed : sequence of arrays, optional
        Each trajectory's states with the noise smoothed away (default: as measured), for fitting one state alone.
    library : sequence of sympy.Expr
        Candidate terms for every state's law, searched on the trajectories (none: no search).
    max_terms : int
        Largest law the search proposes.

    Returns
    -------
    (dict of state → MatchedState, or None; dict)
        The matched laws, for the states whose fit succeeded (None when
        none did), and what happened: ``"status"`` (``"matched"``, ``"matched
        one state at a time"`` or why the laws were kept), the RMS miss in
        noise units before and after (``"chi_before"``, ``"chi_after"``), the
        terms pruned, the seconds spent; the laws the search replaced
        (``"restructured"``: state → the terms before); fitted one at a time, ``"states"``
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
    context = _Context(data, constants, rms, sigma, deadline, smoothed or [tr.x for tr in data.items])
    matched, info, reached = _fit(parameters, list(range(len(states))), context)
    if library and reached is not None and (matched is not None or reached.relative_miss <= LINEAR_MISS):
        matched, info = _searched(matched, info, reached, context, list(library), max_terms)
    if matched is not None or info["status"] not in (DOES_NOT_SIMULATE, STILL_MISSES) or len(states) == 1:
        return _named(matched, states), {**info, "seconds": clock.perf_counter() - started}
    alone, each = {}, {}
    for j, state in enumerate(states):
        mine = [i for i, owner in enumerate(parameters.owners) if owner == j]
        if not mine:
            each[state] = {"status": "skipped: the law has no coefficients to fit"}
            continue
        subset = parameters.subset(mine)
        one, each[state], _ = _fit(subset, [j], context)
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
    matched: dict[int, MatchedState] | None,
    info: dict[str, Any],
    reached: Reached,
    context: _Context,
    library: list[sp.Expr],
    max_terms: int,
) -> tuple[dict[int, MatchedState] | None, dict[str, Any]]:
    """Each state's terms searched on the trajectories, in up to SEARCH_PASSES passes over the states.

    A trial is fitted as a whole system; it replaces the current laws when it
    matches and they did not, or when it is the simpler within the selection
    margin of the better extended BIC (and matches, or they did not either).
    Laws that miss start with terms dropped one at a time, the smallest
    first, each system refitted by simulation: where the misses are large
    against the noise (clean data) the linearised tests misjudge, and a
    spurious term that made up for a saturation constant (bacterial
    respiration's 2y/x beside −4xy/(1 + x²)) keeps the fit from the right
    one. Then proposals from the linearised problem (:func:`~discovery.dynamics.restructure.propose`).
    """
    n_states = len(context.data.states)
    everything = list(range(n_states))
    before: dict[str, str] = {}
    current = {"matched": matched, "info": info, "reached": reached}
    size = len(library)

    def out_of_time() -> bool:
        return context.deadline is not None and clock.perf_counter() > context.deadline

    def tried(j: int, terms: list[sp.Expr], values: list[float]) -> bool:
        """Fit the system with state j's law made of ``terms``; keep it if preferred."""
        reached = current["reached"]
        others = [(i, term, value) for i, law in enumerate(reached.laws) if i != j for term, value in law]
        trial = with_saturation_constants(
            [term for _, term, _ in others] + terms,
            [i for i, _, _ in others] + [j] * len(terms),
            [value for _, _, value in others] + values,
        )
        laws, trial_info, trial_reached = _fit(trial, everything, context)
        if trial_reached is None or (laws is None and current["matched"] is not None):
            return False
        criteria = [_criterion(reached, size), _criterion(trial_reached, size)]
        sizes = [sum(len(law) for law in reached.laws), sum(len(law) for law in trial_reached.laws)]
        if not ((current["matched"] is None and laws is not None) or preferred(criteria, sizes) == 1):
            return False
        before.setdefault(context.data.states[j], " + ".join(str(term) for term, _ in reached.laws[j]))
        current.update(matched=laws, info=trial_info, reached=trial_reached)
        return True

    def around(reached: Reached) -> FitPoint:
        return FitPoint(
            reached.laws,
            context.data,
            reached.starts,
            context.sigma,
            context.constants,
            RTOL,
            ATOL_FRACTION * context.rms,
            EVALUATIONS_PER_SAMPLE,
        )

    def result() -> tuple[dict[int, MatchedState] | None, dict[str, Any]]:
        info = current["info"]
        return current["matched"], {**info, "restructured": before} if before else info

    while current["matched"] is None:
        reached = current["reached"]
        laws = reached.laws
        order = sorted(
            ((j, k) for j, law in enumerate(laws) if len(law) > 1 for k in range(len(law))),
            key=lambda jk: _contribution(*laws[jk[0]][jk[1]], context),
        )
        for j, k in order:
            if out_of_time():
                return result()
            terms = [term for i, (term, _) in enumerate(laws[j]) if i != k]
            values = refitted(around(reached), j, terms)
            if values is None:
                values = np.array([value for i, (_, value) in enumerate(laws[j]) if i != k])
            if tried(j, terms, list(values)):
                break
        else:
            break  # no term's removal helps
    for _ in range(SEARCH_PASSES):
        changed = False
        for j in everything:
            if out_of_time():
                return result()
            reached = current["reached"]
            proposal = propose(around(reached), j, library, max_terms, reached.floor)
            if proposal is not None and tried(j, proposal.terms, list(proposal.values)):
                changed = True
        if not changed:
            break
    return result()


def _criterion(reached: Reached, library_size: int) -> float:
    """The extended BIC of the system a fit reached."""
    laws = [len(law) for law in reached.laws]
    return structure_criterion(reached.rss, reached.n, reached.n_free, reached.floor, library_size, laws)


def _contribution(term: sp.Expr, value: float, context: _Context) -> float:
    """RMS of value·term over the data: how much of its law a term carries."""
    names = (*context.data.states, *context.data.inputs)
    values = np.concatenate(
        [evaluated(term, tr.columns(names), context.constants, len(tr.t)) for tr in context.data.items]
    )
    return float(abs(value) * np.sqrt(np.mean(values**2))) if np.all(np.isfinite(values)) else np.inf


def _named(matched: dict[int, MatchedState] | None, states: list[str]) -> dict[str, MatchedState] | None:
    return None if matched is None else {states[j]: law for j, law in matched.items()}


@dataclass(frozen=True)
class _Context:
    """What every fit shares: the data, constants, each state's RMS and noise, the deadline, smoothed states."""

    data: Trajectories
    constants: Mapping[str, float]
    rms: np.ndarray
    sigma: np.ndarray
    deadline: float | None
    smoothed: Sequence[np.ndarray]


def _fit(
    parameters: FitParameters, fitted: list[int], context: _Context
) -> tuple[dict[int, MatchedState] | None, dict[str, Any], Reached | None]:
    """Fit the coefficients of the laws of the ``fitted`` states (owners index into it) and their initial states.

    States not fitted are taken from the smoothed data. Returns the matched
    laws by state index, or None and why; and the fit they reached (None with them).
    """
    data, deadline = context.data, context.deadline
    n_c, n_s = parameters.size, len(fitted)
    rms, sigma = context.rms[fitted], context.sigma[fitted]
    # The exact-fit floor of the criteria, in the misses' units (noise standard deviations)
    floor = float(np.mean((SIMULATION_PRECISION * rms / sigma) ** 2))
    rhs_of = _right_hand_side(parameters, n_s, data, context.constants, deadline)
    others = [i for i in range(len(data.states)) if i not in fitted]
    trajectories = [
        (tr, _variables(tr, fitted, others, smooth, data.inputs)) for tr, smooth in zip(data.items, context.smoothed)
    ]

    penalty = MISSING * rms / sigma
    failed = [False]  # whether the last call's simulations failed somewhere

    def misses(q: np.ndarray) -> np.ndarray:
        if deadline is not None and clock.perf_counter() > deadline:
            raise _OutOfTime
        p = q[:n_c]
        out = []
        failed[0] = False
        for k, (tr, variables) in enumerate(trajectories):
            x0 = q[n_c + k * n_s : n_c + (k + 1) * n_s]
            simulated = integrate(
                rhs_of(p, variables), x0, tr.t, RTOL, ATOL_FRACTION * rms, EVALUATIONS_PER_SAMPLE * len(tr.t)
            )
            miss = (simulated - tr.x[:, fitted]) / sigma
            failed[0] |= not np.all(np.isfinite(miss))
            out.append(np.where(np.isfinite(miss), miss, penalty).ravel())
        return np.concatenate(out)

    q0 = np.concatenate([parameters.start] + [tr.x[0, fitted] for tr in data.items])
    sparsity = _jacobian_sparsity(data, n_c, n_s)
    # The whole system's Jacobian from its variational equations (one simulation per trajectory, where finite
    # differences take one per parameter); a state fitted alone, beside splines of the others, by differences.
    jacobian: Any = "2-point"
    if not others:

        def jacobian(q: np.ndarray) -> csr_matrix:
            if deadline is not None and clock.perf_counter() > deadline:
                raise _OutOfTime
            return variational_jacobian(
                parameters, q, data, context.constants, sigma, RTOL, ATOL_FRACTION * rms, EVALUATIONS_PER_SAMPLE
            )

    info: dict[str, Any] = {}
    try:
        before = misses(q0)
        if failed[0]:
            return None, {"status": DOES_NOT_SIMULATE, "chi_before": _chi(before)}, None
        fit = optimize.least_squares(
            misses,
            q0,
            jac=jacobian,
            jac_sparsity=None if callable(jacobian) else sparsity,
            diff_step=DIFF_STEP,
            x_scale="jac",
            max_nfev=MAX_EVALUATIONS,
        )
        info.update(chi_before=_chi(before), chi_free=_chi(fit.fun))
        misses(fit.x)
        if failed[0] or _chi(fit.fun) >= _chi(before):
            return None, {**info, "status": "kept: matching did not improve the simulated trajectories"}, None
        if _chi(fit.fun) > MAX_MISS:
            values = parameter_values(parameters, {}, {}, fit.x)
            free = reached_fit(parameters, n_s, {}, {}, values, fit.x, fit.fun, len(fit.x), floor, sigma / rms)
            return None, {**info, "status": STILL_MISSES}, free
        held, exact, linear = _pruned_and_snapped(fit, parameters, context.constants, floor)
        fixed = {**held, **{j: value for j, (_, value) in exact.items()}}
        final = _refit_holding(misses, jacobian, fit.x, fixed, sparsity)
    except _OutOfTime:
        return None, {**info, "status": "kept: the time limit was reached while matching"}, None
    n = len(final.fun)
    free_bic = bic(float(fit.fun @ fit.fun), n, len(fit.x), floor)
    final_bic = bic(float(final.fun @ final.fun), n, len(fit.x) - len(fixed), floor)
    if not final_bic <= free_bic:  # the linear tests misjudged: keep every coefficient free
        held, exact, fixed, linear, final = {}, {}, {}, _free_fit(fit, n_c), fit
    values = parameter_values(parameters, held, exact, final.x)
    info.update(
        status="matched",
        chi_after=_chi(final.fun),
        pruned=[str(parameters.concrete(j, values)) for j in held if j < len(parameters.terms)],
    )
    laws = _laws(parameters, n_s, held, exact, linear, values, n - len(fit.x))
    reached = reached_fit(
        parameters, n_s, held, exact, values, final.x, final.fun, len(fit.x) - len(fixed), floor, sigma / rms
    )
    return {fitted[j]: law for j, law in laws.items()}, info, reached


def _variables(
    trajectory: Any, fitted: list[int], others: list[int], smoothed: np.ndarray, inputs: Sequence[str]
) -> Callable[[float, np.ndarray], tuple[float, ...]]:
    """``variables(t, x)``: every state and input at time t, the fitted states from x, the others from the data."""
    u = input_function(trajectory.u, trajectory.t, tuple(inputs))
    n = len(fitted) + len(others)
    if not others:
        return lambda time, x: (*x, *u(time))
    curve = CubicSpline(trajectory.t, smoothed[:, others])

    def variables(time: float, x: np.ndarray) -> tuple[float, ...]:
        full = np.empty(n)
        full[fitted] = x
        full[others] = curve(time)
        return (*full, *u(time))

    return variables


def _chi(miss: np.ndarray) -> float:
    return float(np.sqrt(np.mean(miss**2)))


def _right_hand_side(
    parameters: FitParameters,
    n_states: int,
    data: Trajectories,
    constants: Mapping[str, float],
    deadline: float | None,
) -> Callable[[np.ndarray, Callable], Callable[[float, np.ndarray], np.ndarray]]:
    """``rhs_of(p, variables)``: dx/dt = A(p)·θ(variables(t, x)), the terms evaluated by one compiled function.

    It raises _OutOfTime past the deadline: one stiff simulation can take seconds.
    """
    arguments = [*data.states, *data.inputs, *(k for k, _, _ in parameters.shapes)]
    evaluate = scalar_evaluator(parameters.terms, arguments, constants)
    owners = np.array(parameters.owners, dtype=int)
    n_terms = len(parameters.terms)

    def rhs_of(p: np.ndarray, variables: Callable) -> Callable[[float, np.ndarray], np.ndarray]:
        coefficients, shapes = p[:n_terms], tuple(p[n_terms:])

        def rhs(time: float, x: np.ndarray) -> np.ndarray:
            if deadline is not None and clock.perf_counter() > deadline:
                raise _OutOfTime
            theta = np.array(evaluate(*variables(time, x), *shapes), dtype=float)
            return np.bincount(owners, weights=coefficients * theta, minlength=n_states)

        return rhs

    return rhs_of


def _jacobian_sparsity(data: Trajectories, n_c: int, n_s: int) -> lil_matrix:
    """A trajectory's misses depend on the coefficients and its own initial state only."""
    rows = sum(len(tr.t) for tr in data.items) * n_s
    sparsity = lil_matrix((rows, n_c + len(data.items) * n_s), dtype=int)
    start = 0
    for k, tr in enumerate(data.items):
        end = start + len(tr.t) * n_s
        sparsity[start:end, :n_c] = 1
        sparsity[start:end, n_c + k * n_s : n_c + (k + 1) * n_s] = 1
        start = end
    return sparsity


def _linearised(fit: optimize.OptimizeResult, n_c: int) -> tuple[np.ndarray, np.ndarray]:
    """The misses near the fit as a linear least-squares problem in the coefficients, initial states profiled out.

    misses(q) ≈ r + J·(q − q̂); projecting out the initial states' columns
    leaves ``columns @ p ≈ target``, whose unconstrained solution is p̂.
    """
    jacobian = fit.jac.toarray() if hasattr(fit.jac, "toarray") else np.asarray(fit.jac)
    j_c, j_x = jacobian[:, :n_c], jacobian[:, n_c:]
    basis, _ = np.linalg.qr(j_x)
    target = j_c @ fit.x[:n_c] - fit.fun
    return j_c - basis @ (basis.T @ j_c), target - basis @ (basis.T @ target)


def _free_fit(fit: optimize.OptimizeResult, n_c: int) -> ParameterFit:
    columns, target = _linearised(fit, n_c)
    return least_squares(columns, target)


def _pruned_and_snapped(
    fit: optimize.OptimizeResult, parameters: FitParameters, constants: Mapping[str, float], floor: float
) -> tuple[dict[int, float], dict[int, tuple[sp.Expr, float]], ParameterFit]:
    """Parameters held (terms at 0, saturation constants at the law's value), exact values, the free fit.

    A term whose removal does not worsen the BIC is dropped, the least
    significant first (its constants with it; one term is always kept);
    then a saturation constant the BIC does not need free is held at the exact
    value the law came with (the library's 1); the rest are snapped to exact
    values. ``floor`` is the misses' mean square that counts as an exact fit.
    """
    n_c, n_terms = parameters.size, len(parameters.terms)
    columns, target = _linearised(fit, n_c)
    n = len(target)
    held: dict[int, float] = {}
    free = least_squares(columns, target)

    def criterion(result: ParameterFit) -> float:
        return bic(result.rss, n, result.n_free, floor)

    significance = np.abs(free.coef[:n_terms]) / np.maximum(free.stderr[:n_terms], 1e-300)

    def without(pruned: tuple[dict[int, float], ParameterFit], j: int) -> tuple[dict[int, float], ParameterFit]:
        trial_held = {**pruned[0], j: 0.0, **{k: parameters.null(k) for k in parameters.shapes_of(j)}}
        return trial_held, least_squares(columns, target, trial_held)

    held, free = prune_in_order(
        (held, free),
        [int(k) for k in np.argsort(significance)],
        without,
        lambda pruned: criterion(pruned[1]),
        lambda pruned: sum(1 for i in range(n_terms) if i not in pruned[0]) > 1,
    )
    for k in range(n_terms, n_c):
        if k in held or not parameters.shapes[k - n_terms][1].is_Rational:
            continue  # a fitted (float) constant has no value of its own to be held at
        trial_held = {**held, k: parameters.null(k)}
        trial = least_squares(columns, target, trial_held)
        if criterion(trial) <= criterion(free):
            held, free = trial_held, trial
    keep = [i for i in range(n_c) if i not in held]
    kept_columns = columns[:, keep]
    kept_target = target - sum((columns[:, i] * v for i, v in held.items()), np.zeros(n))
    kept_free = least_squares(kept_columns, kept_target)

    def floored(result: ParameterFit) -> ParameterFit:
        # On clean data the misses are the integrators' errors, under the exact-fit floor: each coefficient is
        # known only as well as misses of the floor's size allow. A saturation constant and its coefficient
        # trade off so nearly that bacterial respiration's K fitted 1.99598 for 2 within 1e-9 of the states.
        dof = max(n - result.n_free, 1)
        widen = np.sqrt(max(floor * n / dof / max(result.rss / dof, np.finfo(float).tiny), 1.0))
        return ParameterFit(result.coef, result.stderr * widen, result.rss, result.n_free)

    exact, snapped = snap_coefficients(
        lambda fixed: floored(least_squares(kept_columns, kept_target, fixed)),
        floored(kept_free),
        n,
        constants,
        floor,
        coefficient_error=SIMULATION_PRECISION,  # exact values within the simulations' own precision
    )
    linear = ParameterFit(np.zeros(n_c), np.zeros(n_c), kept_free.rss, kept_free.n_free)
    linear.coef[keep], linear.stderr[keep] = kept_free.coef, kept_free.stderr
    return held, {keep[i]: (value, float(snapped.coef[i])) for i, value in exact.items()}, linear


def _refit_holding(
    misses: Callable[[np.ndarray], np.ndarray],
    jacobian: Any,
    q: np.ndarray,
    fixed: Mapping[int, float],
    sparsity: lil_matrix,
) -> optimize.OptimizeResult:
    """The nonlinear fit again, with the ``fixed`` coefficients held at their values.

    ``jacobian`` is the full problem's (a callable), or "2-point" for finite differences.
    """
    free = np.array([i for i in range(len(q)) if i not in fixed])
    full = q.copy()
    for i, value in fixed.items():
        full[i] = value

    def reduced(z: np.ndarray) -> np.ndarray:
        full[free] = z
        return misses(full)

    def reduced_jacobian(z: np.ndarray) -> csr_matrix:
        full[free] = z
        return jacobian(full)[:, free]

    fit = optimize.least_squares(
        reduced,
        full[free],
        jac=reduced_jacobian if callable(jacobian) else jacobian,
        jac_sparsity=None if callable(jacobian) else sparsity.tocsc()[:, free],
        diff_step=DIFF_STEP,
        x_scale="jac",
        max_nfev=MAX_EVALUATIONS,
    )
    result = full.copy()
    result[free] = fit.x
    return optimize.OptimizeResult(x=result, fun=fit.fun)


def _laws(
    parameters: FitParameters,
    n_states: int,
    held: Mapping[int, float],
    exact: Mapping[int, tuple[sp.Expr, float]],
    linear: ParameterFit,
    values: Mapping[int, sp.Expr],
    dof: int,
) -> dict[int, MatchedState]:
    out = {}
    for j in range(n_states):
        expression, coefficients = sp.Integer(0), []
        for i in range(len(parameters.terms)):
            if parameters.owners[i] != j or i in held:
                continue
            term = parameters.concrete(i, values)
            expression += values[i] * term
            coefficients.append(
                Coefficient(
                    term,
                    exact[i][1] if i in exact else float(values[i]),
                    float(linear.stderr[i]),
                    exact[i][0] if i in exact else None,
                    estimate=float(linear.coef[i]),
                    dof=dof,
                )
            )
        out[j] = MatchedState(tidy_expression(expression), coefficients)
    return out


def matched_front(front: list, expression: sp.Expr, n_terms: int) -> list:
    """The front with its chosen entry showing the matched expression."""
    return [
        dataclasses.replace(e, expression=expression, complexity=complexity(expression), n_terms=n_terms)
        if e.chosen
        else e
        for e in front
    ]
