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

from collections.abc import Mapping, Sequence

import numpy as np
import sympy as sp
from scipy.sparse import csr_matrix

from ..law.evaluate import numpy_evaluator, scalar_evaluator
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
    fine = _finer(t)
    inputs = np.column_stack([np.interp(fine, t, u[:, k]) for k in range(u.shape[1])] or [np.empty((len(fine), 0))])
    right = scalar_evaluator(laws, names, constants)

    def rhs(time: float, x: np.ndarray) -> np.ndarray:
        values = [np.interp(time, t, u[:, k]) for k in range(u.shape[1])]
        return np.array(right(*x, *values), dtype=float)

    states = integrate(rhs, np.asarray(x0, dtype=float), fine, rtol, atol, max_evaluations * SUBSTEPS)
    if not np.all(np.isfinite(states)):
        return None
    columns = dict(zip(names, np.hstack([states, inputs]).T))
    jacobian = np.empty((len(fine), n_states, n_states))
    for i, law in enumerate(laws):
        for k in range(n_states):
            jacobian[:, i, k] = evaluated(sp.diff(law, symbols[k]), columns, constants, len(fine))
    if not np.all(np.isfinite(jacobian)):
        return None
    forcing, usable = [], []
    for c, (owner, term) in enumerate(candidates):
        values = evaluated(term, columns, constants, len(fine))
        if np.all(np.isfinite(values)):
            column = np.zeros((len(fine), n_states))
            column[:, owner] = values
            forcing.append(column)
            usable.append(c)
    width = len(usable) + n_states
    b = np.zeros((len(fine), n_states, width))
    if forcing:
        b[:, :, : len(usable)] = np.stack(forcing, axis=2)
    s = np.zeros((n_states, width))
    s[:, len(usable) :] = np.eye(n_states)
    h = np.diff(fine)[:, None, None]
    identity = np.eye(n_states)
    # (I − h/2·A₊)·s₊ = (I + h/2·A)·s + h/2·(b + b₊), every column at once
    implicit = np.linalg.inv(identity - h / 2 * jacobian[1:])
    explicit = identity + h / 2 * jacobian[:-1]
    pushed = h / 2 * (b[:-1] + b[1:])
    out = np.empty((len(t), n_states, width))
    out[0] = s
    for i in range(len(fine) - 1):
        s = implicit[i] @ (explicit[i] @ s + pushed[i])
        if (i + 1) % SUBSTEPS == 0:
            out[(i + 1) // SUBSTEPS] = s
    return states[::SUBSTEPS], out, usable


def variational_jacobian(
    parameters: FitParameters,
    q: np.ndarray,
    data: Trajectories,
    constants: Mapping[str, float],
    sigma: np.ndarray,
    *,
    rtol: float,
    atol: np.ndarray,
    evaluations_per_sample: int,
) -> csr_matrix:
    """The misses (in units of ``sigma``) derived by every parameter and initial state: the fit's Jacobian.

    A coefficient's column is the trajectory's sensitivity to its term; a
    saturation constant's, to value·∂term/∂K; an initial state's, Φ(t). A
    trajectory whose simulation fails has zero rows: its misses there are the
    constant penalty.
    """
    n_terms, n_c, n_s = len(parameters.terms), parameters.size, len(data.states)
    values = {i: sp.Float(q[i]) for i in range(n_c)}
    concrete = [parameters.concrete(i, values) for i in range(n_terms)]
    laws = [
        sum((q[i] * concrete[i] for i in range(n_terms) if parameters.owners[i] == j), sp.Integer(0))
        for j in range(n_s)
    ]
    candidates = [(parameters.owners[i], concrete[i]) for i in range(n_terms)]
    at = {symbol: values[n_terms + k] for k, (symbol, _, _) in enumerate(parameters.shapes)}
    for symbol, _, term in parameters.shapes:
        candidates.append((parameters.owners[term], q[term] * sp.diff(parameters.terms[term], symbol).xreplace(at)))
    names = (*data.states, *data.inputs)
    blocks = []
    for k, trajectory in enumerate(data.items):
        block = np.zeros((len(trajectory.t) * n_s, n_c + len(data.items) * n_s))
        found = trajectory_sensitivities(
            laws,
            candidates,
            trajectory.t,
            q[n_c + k * n_s : n_c + (k + 1) * n_s],
            trajectory.u,
            names,
            constants=constants,
            rtol=rtol,
            atol=atol,
            max_evaluations=evaluations_per_sample * len(trajectory.t),
        )
        if found is not None and len(found[2]) == n_c:
            columns = found[1] / sigma[None, :, None]
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
