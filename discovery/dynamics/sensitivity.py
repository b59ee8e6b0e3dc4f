"""How a simulated trajectory moves when a term is added to a law, or its initial state is moved.

Adding c·θ to state j's law moves the trajectory of dx/dt = f(x) by c·s(t) to
first order, where s solves the variational equation s' = A(t)·s + e_j·θ(x(t)),
s(t₀) = 0, with A = ∂f/∂x along the trajectory; moving the initial state by δ
moves it by Φ(t)·δ, where Φ' = A·Φ and Φ(t₀) = I. Every column shares A(t), so
all of them (a whole library's, at once) are integrated together by the
trapezoidal rule, which is A-stable and second order, on a grid
:data:`SUBSTEPS` times finer than the samples, along the trajectory simulated
once by LSODA. That is one simulation for a library, where finite differences
need one per term (136 terms for two states took 25 s that way, 0.1 s this way).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import numpy as np
import sympy as sp
from scipy.sparse import csr_matrix

from bases.compile import compile_positional

from ..law.evaluate import numpy_evaluator, scalar_evaluator, with_constants
from .fit_parameters import FitParameters
from .system import integrate
from .trajectories import Trajectories

SUBSTEPS = 8  # trapezoidal steps per sampling interval: relative errors of about (h·λ)²/12, far under the noise


def trajectory_sensitivities(
    laws: Sequence[sp.Expr],
    candidates: Sequence[tuple[int, sp.Expr]],
    t: np.ndarray,
    x0: np.ndarray,
    u: np.ndarray,
    names: Sequence[str],
    *,
    constants: Mapping[str, float],
    rtol: float,
    atol: np.ndarray,
    max_evaluations: int,
) -> tuple[np.ndarray, np.ndarray, list[int]] | None:
    """The simulated states at the times ``t``, and their derivatives by each candidate's coefficient and x₀.

    Parameters
    ----------
    laws : sequence of sympy.Expr
        Each state's right-hand side, numbers in place of coefficients.
    candidates : sequence of (state index, term)
        Terms whose coefficient (0 now) in that state's law the trajectory is differentiated by.
    t : array, shape (n,)
        The sample times, increasing.
    x0 : array
        The initial state at ``t[0]``.
    u : array, shape (n, inputs)
        The inputs at the sample times (linearly interpolated between them).
    names : sequence of str
        The states then the inputs.
    constants : mapping of name → float
    rtol, atol, max_evaluations
        For the simulation (see :func:`discovery.dynamics.system.integrate`).

    Returns
    -------
    (states, sensitivities, usable) or None
        ``states`` of shape (n, n_states); ``sensitivities`` of shape
        (n, n_states, len(usable) + n_states): by the coefficient of each
        usable candidate, then by each component of x₀. ``usable`` indexes
        the candidates finite along the trajectory. None when the system
        does not simulate over ``t``.
    """
    n_states = len(laws)
    symbols = [sp.Symbol(name) for name in names]
    right = scalar_evaluator(laws, names, constants)

    def slopes(columns: Mapping[str, np.ndarray], n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        jacobian = np.empty((n, n_states, n_states))
        for i, law in enumerate(laws):
            for k in range(n_states):
                jacobian[:, i, k] = evaluated(sp.diff(law, symbols[k]), columns, constants, n)
        forcing = np.column_stack([evaluated(term, columns, constants, n) for _, term in candidates] or [np.empty(n)])
        return jacobian, forcing[:, : len(candidates)], np.array([owner for owner, _ in candidates], dtype=int)

    return _sensitivities(
        lambda values: right(*values), slopes, t, x0, u, names, rtol=rtol, atol=atol, max_evaluations=max_evaluations
    )


def _sensitivities(
    right: Callable[[Sequence[float]], Sequence[float]],
    slopes: Callable[[Mapping[str, np.ndarray], int], tuple[np.ndarray, np.ndarray, np.ndarray]],
    t: np.ndarray,
    x0: np.ndarray,
    u: np.ndarray,
    names: Sequence[str],
    *,
    rtol: float,
    atol: np.ndarray,
    max_evaluations: int,
) -> tuple[np.ndarray, np.ndarray, list[int]] | None:
    """:func:`trajectory_sensitivities`, given the right-hand side at a point and ``slopes`` along a trajectory.

    ``slopes(columns, n)`` gives ∂f/∂x (n × states × states), each candidate's
    term (n × candidates) and the state each belongs to.
    """
    n_states = len(x0)
    fine = _finer(t)
    inputs = np.column_stack([np.interp(fine, t, u[:, k]) for k in range(u.shape[1])] or [np.empty((len(fine), 0))])

    def rhs(time: float, x: np.ndarray) -> np.ndarray:
        values = [np.interp(time, t, u[:, k]) for k in range(u.shape[1])]
        return np.array(right([*x, *values]), dtype=float)

    states = integrate(rhs, np.asarray(x0, dtype=float), fine, rtol, atol, max_evaluations * SUBSTEPS)
    if not np.all(np.isfinite(states)):
        return None
    with np.errstate(all="ignore"):
        jacobian, terms, owners = slopes(dict(zip(names, np.hstack([states, inputs]).T)), len(fine))
    if not np.all(np.isfinite(jacobian)):
        return None
    usable = [int(c) for c in np.flatnonzero(np.all(np.isfinite(terms), axis=0))]
    width = len(usable) + n_states
    b = np.zeros((len(fine), n_states, width))
    b[:, owners[usable], np.arange(len(usable))] = terms[:, usable]
    s = np.zeros((n_states, width))
    s[:, len(usable) :] = np.eye(n_states)
    h = np.diff(fine)[:, None, None]
    identity = np.eye(n_states)
    # (I − h/2·A₊)·s₊ = (I + h/2·A)·s + h/2·(b + b₊), every column at once
    try:
        implicit = np.linalg.inv(identity - h / 2 * jacobian[1:])
    except np.linalg.LinAlgError:
        return None  # a step's implicit matrix is singular: a term's pole along the trajectory
    explicit = identity + h / 2 * jacobian[:-1]
    pushed = h / 2 * (b[:-1] + b[1:])
    out = np.empty((len(t), n_states, width))
    out[0] = s
    with np.errstate(all="ignore"):
        for i in range(len(fine) - 1):
            s = implicit[i] @ (explicit[i] @ s + pushed[i])
            if (i + 1) % SUBSTEPS == 0:
                out[(i + 1) // SUBSTEPS] = s
    # A column whose squares overflow is no use to a least-squares step: a candidate's is dropped like one not
    # finite; an initial state's (Φ, shared by every column) leaves no linearisation, near a term's pole.
    with np.errstate(all="ignore"):
        usable_column = np.isfinite(np.sum(np.square(out), axis=(0, 1)))
    if not np.all(usable_column[len(usable) :]):
        return None
    keep = [c for c in range(len(usable)) if usable_column[c]]
    out = out[:, :, [*keep, *range(len(usable), width)]]
    return states[::SUBSTEPS], out, [usable[c] for c in keep]


def _squares_finite(values: np.ndarray) -> bool:
    """Whether the values and the sum of their squares are finite: a least-squares step can use them."""
    with np.errstate(all="ignore"):
        return bool(np.isfinite(np.sum(np.square(values))))


class VariationalJacobian:
    """The trajectory fit's Jacobian: the misses (in units of ``sigma``) derived by every parameter and initial state.

    A coefficient's column is the trajectory's sensitivity to its term; a
    saturation constant's, to value·∂term/∂K; an initial state's, Φ(t). The
    terms, their derivatives by each state and by each constant are compiled
    once, here; each call only evaluates them along the simulated trajectories.

    Parameters
    ----------
    parameters : FitParameters
    data : Trajectories
    constants : mapping of name → float
    sigma : array
        Each state's noise, the misses' unit.
    rtol, atol, evaluations_per_sample
        For the simulations (see :func:`discovery.dynamics.system.integrate`).
    """

    def __init__(
        self,
        parameters: FitParameters,
        data: Trajectories,
        constants: Mapping[str, float],
        sigma: np.ndarray,
        *,
        rtol: float,
        atol: np.ndarray,
        evaluations_per_sample: int,
    ) -> None:
        self.parameters, self.data, self.sigma = parameters, data, sigma
        self.rtol, self.atol, self.evaluations_per_sample = rtol, atol, evaluations_per_sample
        self.names = (*data.states, *data.inputs)
        n_states = len(data.states)
        symbols = [sp.Symbol(name) for name in data.states]
        arguments = [*(sp.Symbol(name) for name in self.names), *(symbol for symbol, _, _ in parameters.shapes)]
        self._terms = scalar_evaluator(parameters.terms, arguments, constants)
        terms = [with_constants(term, constants) for term in parameters.terms]
        by_state = [sp.diff(term, symbol) for term in terms for symbol in symbols]
        by_constant = [sp.diff(terms[term], symbol) for symbol, _, term in parameters.shapes]
        self._slopes = compile_positional([*terms, *by_state, *by_constant], arguments, "numpy")
        self._owners = np.array(parameters.owners, dtype=int)
        self._shape_owners = np.array([parameters.owners[term] for _, _, term in parameters.shapes], dtype=int)
        self._shape_terms = np.array([term for _, _, term in parameters.shapes], dtype=int)
        self._one_hot = np.eye(n_states)[self._owners].T  # states × terms
        self._candidate_owners = np.concatenate([self._owners, self._shape_owners])  # terms, then constants

    def __call__(self, q: np.ndarray) -> csr_matrix:
        """The Jacobian at parameters and initial states ``q``; a trajectory that does not simulate has zero rows."""
        parameters, data = self.parameters, self.data
        n_terms, n_c, n_s = len(parameters.terms), parameters.size, len(data.states)
        coefficients, shapes = q[:n_terms], tuple(q[n_terms:n_c])

        def right(values: Sequence[float]) -> np.ndarray:
            theta = np.array(self._terms(*values, *shapes), dtype=float)
            return np.bincount(self._owners, weights=coefficients * theta, minlength=n_s)

        def slopes(columns: Mapping[str, np.ndarray], n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
            found = self._slopes(*(columns[name] for name in self.names), *shapes)
            values = np.column_stack([np.broadcast_to(np.asarray(v, dtype=float), (n,)) for v in found])
            terms = values[:, :n_terms]
            by_state = values[:, n_terms : n_terms * (1 + n_s)].reshape(n, n_terms, n_s)
            jacobian = np.einsum("ji,nik->njk", self._one_hot * coefficients, by_state)
            by_constant = values[:, n_terms * (1 + n_s) :] * coefficients[self._shape_terms]
            return jacobian, np.hstack([terms, by_constant]), self._candidate_owners

        blocks = []
        for k, trajectory in enumerate(data.items):
            block = np.zeros((len(trajectory.t) * n_s, n_c + len(data.items) * n_s))
            found = _sensitivities(
                right,
                slopes,
                trajectory.t,
                q[n_c + k * n_s : n_c + (k + 1) * n_s],
                trajectory.u,
                self.names,
                rtol=self.rtol,
                atol=self.atol,
                max_evaluations=self.evaluations_per_sample * len(trajectory.t),
            )
            with np.errstate(all="ignore"):
                columns = None if found is None else found[1] / self.sigma[None, :, None]
            if found is not None and len(found[2]) == n_c and _squares_finite(columns):
                block[:, :n_c] = columns[:, :, :n_c].reshape(-1, n_c)
                block[:, n_c + k * n_s : n_c + (k + 1) * n_s] = columns[:, :, n_c:].reshape(-1, n_s)
            blocks.append(block)
        return csr_matrix(np.vstack(blocks))


def _finer(t: np.ndarray) -> np.ndarray:
    """``t`` with SUBSTEPS − 1 equally spaced times inserted in each interval (the samples at every SUBSTEPS-th)."""
    fractions = np.arange(SUBSTEPS) / SUBSTEPS
    inner = (t[:-1, None] + np.diff(t)[:, None] * fractions[None, :]).ravel()
    return np.append(inner, t[-1])


def evaluated(
    expression: sp.Expr, columns: Mapping[str, np.ndarray], constants: Mapping[str, float], n: int
) -> np.ndarray:
    """``expression`` over ``n`` rows of named columns, as a float array (not finite where it is undefined).

    By the project's compiler, as the simulation's right-hand side is (:func:`scalar_evaluator`).
    """
    evaluate = numpy_evaluator(expression, constants)
    with np.errstate(all="ignore"):
        return np.broadcast_to(evaluate(columns), (n,)).astype(float)
