"""The nonlinear trajectory fit: a system's coefficients and initial states fitted by simulating it.

The whole system (or one state, the others taken from the smoothed data) is
simulated (LSODA) and the misses, each state's weighted by its estimated
noise, are minimised; around that fit the linearised tests
(:mod:`discovery.dynamics.linearised`) prune and snap, and the system is
simulated once more with them held.
"""

from __future__ import annotations

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
from ..law.evaluate import scalar_evaluator
from ..law.expressions import tidy_expression
from ..settle.criteria import bic
from ..settle.fitting import ParameterFit
from .fit_parameters import FitParameters, Reached, parameter_values, reached_fit
from .linearised import SIMULATION_PRECISION, free_fit, held_constants, pruned_and_snapped
from .sensitivity import VariationalJacobian
from .system import input_function, integrate
from .trajectories import Trajectories

RTOL = 1e-10  # tight, so that the finite-difference Jacobian (step DIFF_STEP) sees the law, not the integrator
ATOL_FRACTION = 1e-12  # of each state's RMS
# With the variational Jacobian, the simulations need only be far finer than the noise: their relative
# tolerance is this fraction of the smallest noise over its state's RMS (never under RTOL). At 10 % noise
# LSODA at 1e-10 took 200 steps a simulation, and a junk law's fit 10 s.
NOISE_PRECISION = 1e-3
DIFF_STEP = 1e-6
MAX_EVALUATIONS = 60  # simulations of every trajectory by the optimiser (its Jacobians not counted)
# Right-hand-side evaluations per sample beyond which one simulation is stopped as too stiff to fit by
# (a law with 1/sin(y) near y = 0 needed 200 000 for 100 samples, 1.5 s per simulation); LSODA needs 5–50.
EVALUATIONS_PER_SAMPLE = 200
MISSING = 10.0  # the miss, in RMSs of the state, charged for a sample after a simulation failed
# RMS miss, in noise standard deviations, beyond which the fitted laws are rejected: right laws fit to
# about 1; one with a term missing pulls its other coefficients to make up for it (a pendulum without its
# damping, at 10 % noise, fitted θ' = 0.72·ω at 9.9), and the derivative fit's values are kept instead.
MAX_MISS = 1.5
DOES_NOT_SIMULATE = "kept: the laws as found do not simulate over the data"
STILL_MISSES = "kept: the fitted laws still miss the trajectories by more than the noise (a term is missing)"


class _OutOfTime(Exception):
    """Raised inside the optimiser's objective when the time limit is reached."""


@dataclass(frozen=True)
class MatchedState:
    """One state's law after trajectory matching: its expression and coefficients."""

    expression: sp.Expr
    coefficients: list[Coefficient]


@dataclass(frozen=True)
class FitContext:
    """What every fit shares: the data, constants, each state's RMS and noise, the deadline, smoothed states."""

    data: Trajectories
    constants: Mapping[str, float]
    rms: np.ndarray
    sigma: np.ndarray
    deadline: float | None
    smoothed: Sequence[np.ndarray]

    @property
    def rtol(self) -> float:
        """The simulations' relative tolerance, :data:`NOISE_PRECISION` of the smallest relative noise."""
        return max(RTOL, NOISE_PRECISION * float(np.min(self.sigma / self.rms)))

    def atol(self, rms: np.ndarray) -> np.ndarray:
        """The absolute tolerance for states of this RMS: as far under the relative one as ATOL_FRACTION's."""
        return self.rtol * (ATOL_FRACTION / RTOL) * rms


def fit_by_simulation(
    parameters: FitParameters, fitted: list[int], context: FitContext
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
    # States taken from splines leave the finite-difference Jacobian, which needs the tight tolerance.
    rtol, atol = (context.rtol, context.atol(rms)) if not others else (RTOL, ATOL_FRACTION * rms)
    failed = [False]  # whether the last call's simulations failed somewhere

    def misses(q: np.ndarray) -> np.ndarray:
        if deadline is not None and clock.perf_counter() > deadline:
            raise _OutOfTime
        p = q[:n_c]
        out = []
        failed[0] = False
        for k, (tr, variables) in enumerate(trajectories):
            x0 = q[n_c + k * n_s : n_c + (k + 1) * n_s]
            simulated = integrate(rhs_of(p, variables), x0, tr.t, rtol, atol, EVALUATIONS_PER_SAMPLE * len(tr.t))
            miss = (simulated - tr.x[:, fitted]) / sigma
            failed[0] |= not np.all(np.isfinite(miss))
            out.append(np.where(np.isfinite(miss), miss, penalty).ravel())
        return np.concatenate(out)

    q0 = np.concatenate([parameters.start] + [tr.x[0, fitted] for tr in data.items])
    sparsity = _jacobian_sparsity(data, n_c, n_s)
    jacobian = _jacobian(parameters, context, sigma, rms) if not others else "2-point"
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
            free = reached_fit(parameters, n_s, {}, {}, values, fit, n_free=len(fit.x), floor=floor, noise=sigma / rms)
            return None, {**info, "status": STILL_MISSES}, free
        held, exact, linear = pruned_and_snapped(fit, parameters, context.constants, floor)
        fixed = {**held, **{j: value for j, (_, value) in exact.items()}}
        final = _refit_holding(misses, jacobian, fit.x, fixed, sparsity)
    except _OutOfTime:
        return None, {**info, "status": "kept: the time limit was reached while matching"}, None
    n = len(final.fun)
    if not _held_is_better(fit, final, len(fixed), floor):  # the linear tests misjudged: keep every coefficient free
        held, exact, fixed, linear, final = {}, {}, {}, free_fit(fit, n_c), fit
    values = parameter_values(parameters, held, exact, final.x)
    held_free = {k: (estimate, stderr) for k, estimate, stderr in held_constants(fit, parameters, held)}
    info.update(
        status="matched",
        chi_after=_chi(final.fun),
        pruned=[str(parameters.concrete(j, values)) for j in held if j < len(parameters.terms)],
        constants_held=_constants_held(parameters, held_free, values, [data.states[i] for i in fitted]),
    )
    laws = _laws(parameters, n_s, held, exact, linear, values, n - len(fit.x), held_free=held_free)
    reached = reached_fit(
        parameters, n_s, held, exact, values, final, n_free=len(fit.x) - len(fixed), floor=floor, noise=sigma / rms
    )
    return {fitted[j]: law for j, law in laws.items()}, info, reached


def _constants_held(
    parameters: FitParameters,
    held_free: Mapping[int, tuple[float, float]],
    values: Mapping[int, sp.Expr],
    names: Sequence[str],
) -> list[dict[str, Any]]:
    """Each saturation constant held at its law's value, with what the data alone say of it (free, ± stderr)."""
    out = []
    for k, (estimate, stderr) in held_free.items():
        term = parameters.shapes[k - len(parameters.terms)][2]
        state, written = names[parameters.owners[term]], str(parameters.concrete(term, values))
        out.append({"state": state, "term": written, "held": parameters.null(k), "free": estimate, "stderr": stderr})
    return out


def _jacobian(
    parameters: FitParameters, context: FitContext, sigma: np.ndarray, rms: np.ndarray
) -> Callable[[np.ndarray], csr_matrix]:
    """The whole system's Jacobian from its variational equations: one simulation per trajectory.

    Finite differences take one per parameter; a state fitted alone, beside
    splines of the others, is still differenced.
    """
    deadline = context.deadline
    variational = VariationalJacobian(
        parameters,
        context.data,
        context.constants,
        sigma,
        rtol=context.rtol,
        atol=context.atol(rms),
        evaluations_per_sample=EVALUATIONS_PER_SAMPLE,
    )

    def jacobian(q: np.ndarray) -> csr_matrix:
        if deadline is not None and clock.perf_counter() > deadline:
            raise _OutOfTime
        return variational(q)

    return jacobian


def _held_is_better(fit: optimize.OptimizeResult, final: optimize.OptimizeResult, n_fixed: int, floor: float) -> bool:
    """Whether the refit with ``n_fixed`` coefficients held is no worse by the BIC than the free fit."""
    n = len(final.fun)
    free_bic = bic(float(fit.fun @ fit.fun), n, len(fit.x), floor)
    final_bic = bic(float(final.fun @ final.fun), n, len(fit.x) - n_fixed, floor)
    return final_bic <= free_bic


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
    held_free: Mapping[int, tuple[float, float]],
) -> dict[int, MatchedState]:
    """Each state's law and coefficients: each kept term's, then the saturation constants inside them.

    A constant held at the law's value is an exact one, with the free fit's estimate and error (``held_free``).
    """

    def coefficient(i: int, term: sp.Expr, inner: bool = False) -> Coefficient:
        return Coefficient(
            term,
            exact[i][1] if i in exact else float(values[i]),
            float(linear.stderr[i]),
            exact[i][0] if i in exact else None,
            estimate=float(linear.coef[i]),
            dof=dof,
            inner=inner,
        )

    out = {}
    n_terms = len(parameters.terms)
    for j in range(n_states):
        expression, coefficients, constants = sp.Integer(0), [], []
        for i in range(n_terms):
            if parameters.owners[i] != j or i in held:
                continue
            term = parameters.concrete(i, values)
            expression += values[i] * term
            coefficients.append(coefficient(i, term))
            for k in parameters.shapes_of(i):
                written = parameters.concrete(i, {**values, k: sp.Symbol("c")})
                if k not in held:
                    constants.append(coefficient(k, written, True))
                elif k in held_free:
                    estimate, stderr = held_free[k]
                    held_value = parameters.held_value(k)
                    constants.append(
                        Coefficient(written, float(held_value), stderr, held_value, estimate, dof, inner=True)
                    )
        out[j] = MatchedState(tidy_expression(expression), coefficients + constants)
    return out
