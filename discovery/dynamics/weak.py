"""The weak (integral) formulation: a derivative's law found without differentiating the data.

For a smooth bump φ that vanishes with its derivatives at both ends of a
window, integration by parts turns dx/dt = Σ c_j θ_j(x) into

    −∫ φ'(t) x(t) dt = Σ c_j ∫ φ(t) θ_j(x(t)) dt,

a linear regression whose rows are windows, whose target needs the states
only (never their derivatives), and whose noise is averaged over each
window. The library's terms are integrated against bumps spread along every
trajectory; the subset search proposes a support per size; each is settled
(pruned, refitted, snapped to exact values) in the same SymPy layer as every
law, on the weak rows.

A box for φ gives the integral formulation: x(t + Δ) − x(t) = Σ c_j ∫ θ_j dt
over windows of :data:`~discovery.dynamics.integral.WINDOW` samples
(:func:`integral_rows`). Its target is noisy at the window's two ends only,
and it sees a trajectory's slow drift that bumps average away; the search
runs both.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence

import numpy as np
import sympy as sp

from ..io.dataset import Dataset, TargetError
from ..law.coefficient import FrontEntry
from ..law.evaluate import numpy_evaluator
from ..law.expressions import complexity
from ..law.law import Law
from ..search.supports import library_supports
from ..settle.criteria import bic, mse_floor
from ..settle.sum_of_terms import settle_terms
from .integral import window_changes, window_integrals
from .state_target import StateTarget
from .trajectories import Trajectories

WIDTH = 16  # samples a bump spans
STRIDE = 1  # samples between the starts of neighbouring bumps
KNOWN_ERROR_FACTOR = 1.0  # of the targets' error from the noise: the exact-fit floor of the weak fits
MIN_RELATIVE_ERROR = 1e-3
POWER = 4  # φ = ((t − a)(b − t))^POWER: it and its first three derivatives vanish at the window's ends


def weak_rows(
    trajectories: Trajectories, state: int, terms: Sequence[sp.Expr], names: Sequence[str], constants: Mapping
) -> tuple[np.ndarray, np.ndarray, np.ndarray, list[int]]:
    """The weak regression of one state: (K, p) integrals of the terms, (K,) targets, the usable terms' indices.

    Also, per row, √Σ(w·φ')²: a target's standard deviation per unit of the
    state's noise. A term not finite on every sample is left out.
    """
    evaluators = [numpy_evaluator(term, dict(constants)) for term in terms]
    columns_per_trajectory, rows, targets, coarse = [], [], [], []
    finite = np.ones(len(terms), dtype=bool)
    for tr in trajectories.items:
        values = tr.columns(names)
        theta = np.empty((len(tr.t), len(terms)))
        for j, evaluate in enumerate(evaluators):
            with np.errstate(all="ignore"):
                theta[:, j] = np.asarray(evaluate(values), dtype=float) * np.ones(len(tr.t))
        finite &= np.isfinite(theta).all(axis=0)
        columns_per_trajectory.append(theta)
    usable = np.flatnonzero(finite).tolist()
    for tr, theta in zip(trajectories.items, columns_per_trajectory):
        n = len(tr.t)
        width = min(WIDTH, n)
        for start in range(0, n - width + 1, max(1, min(STRIDE, width // 2))):
            window = slice(start, start + width)
            t = tr.t[window]
            a, b = t[0], t[-1]
            s = (t - a) * (b - t)
            phi = s**POWER
            dphi = POWER * s ** (POWER - 1) * (a + b - 2 * t)
            scale = float(np.max(phi)) or 1.0
            weights = _trapezoid_weights(t) / scale
            rows.append((weights * phi) @ theta[window][:, usable])
            targets.append(-(weights * dphi) @ tr.x[window, state])
            coarse.append(float(np.sqrt(np.sum((weights * dphi) ** 2))))
    return np.array(rows), np.array(targets), np.array(coarse), usable


def integral_rows(
    trajectories: Trajectories, state: int, terms: Sequence[sp.Expr], names: Sequence[str], constants: Mapping
) -> tuple[np.ndarray, np.ndarray, np.ndarray, list[int]]:
    """The integral regression of one state, shaped as :func:`weak_rows`'s: ∫ θ over windows, the state's changes.

    A target's standard deviation per unit of the state's noise is √2 (a
    difference of two samples).
    """
    integrals = [window_integrals(term, dict(constants), trajectories, names) for term in terms]
    usable = [j for j, column in enumerate(integrals) if column is not None]
    if not usable:
        return np.empty((0, 0)), np.empty(0), np.empty(0), []
    targets = window_changes(trajectories, state)
    rows = np.column_stack([integrals[j] for j in usable])
    return rows, targets, np.full(len(targets), np.sqrt(2.0)), usable


def _trapezoid_weights(t: np.ndarray) -> np.ndarray:
    steps = np.diff(t)
    weights = np.zeros(len(t))
    weights[:-1] += steps / 2
    weights[1:] += steps / 2
    return weights


def weak_laws(
    problem: StateTarget,
    terms: Sequence[sp.Expr],
    max_terms: int,
    noise: float = 0.0,
    formulation: str = "weak",
) -> list[Law]:
    """Laws of one state's derivative from the weak regression, one per size (none when no term is usable).

    Each size's support (the subset search's and thresholded least
    squares', the better) is settled on the weak rows; they share one front
    (their BIC on the weak rows), each law marked chosen on its own copy.
    Which one is the state's law, the integral check decides, among the
    pointwise searches' laws too (:func:`discovery.dynamics.choice.chosen_law`). ``noise`` is
    the state's noise standard deviation (in its units). ``formulation`` is ``"weak"`` (bumps,
    :func:`weak_rows`) or ``"integral"``
    (boxes, :func:`integral_rows`). Its RMSE and R² are measured against
    the pointwise derivative estimates ``problem.y`` at the states ``problem.X``, so they read
    as every law's do; its coefficients' errors are those of the weak fit.
    """
    constants, random_state = problem.constants, problem.random_state
    rows_of = {"weak": weak_rows, "integral": integral_rows}[formulation]
    G, b, coarse, usable = rows_of(problem.data, problem.state, terms, problem.names, constants)
    if not usable or len(b) < 3:
        return []
    kept = [terms[j] for j in usable]
    column_scale = np.sqrt(np.mean(G**2, axis=0))
    live = column_scale > 0
    G, kept, column_scale = G[:, live], [t for t, keep in zip(kept, live) if keep], column_scale[live]
    target_scale = float(np.sqrt(np.mean(b**2))) or 1.0
    n = len(b)
    supports = library_supports(G, b, [complexity(t) for t in kept], max_terms, random_state, column_scale)
    # The targets' own error (quadrature and noise), from the two samplings: fits within it are exact.
    # The targets' error from the states' noise (sigma per unit noise times the noise): fits within it tie, so
    # the simplest wins; never under MIN_RELATIVE_ERROR, the quadrature's own error on clean samples.
    spread = noise * float(np.sqrt(np.mean(coarse**2)))
    error = max(KNOWN_ERROR_FACTOR * spread / target_scale, MIN_RELATIVE_ERROR)
    settled = []
    known = TargetError(error, error)
    floor = mse_floor(b, known)
    for support in supports:
        columns = G[:, list(support)]
        result = settle_terms(columns, b, [kept[j] for j in support], constants=constants, known=known)
        rss = float(result.fit.rss)
        settled.append((bic(rss, n, result.fit.n_free, floor), result))
    if not settled:
        return []
    data = Dataset(problem.X, problem.y, tuple(problem.names), problem.target)
    front = []
    for score, result in settled:
        with np.errstate(all="ignore"):
            predicted = numpy_evaluator(result.expression, dict(constants))(data.columns())
        rmse = float(np.sqrt(np.mean((predicted * np.ones(len(problem.y)) - problem.y) ** 2)))
        front.append(
            FrontEntry(
                result.expression,
                complexity(result.expression),
                len(result.coefficients),
                rmse,
                rmse,
                score,
                chosen=False,
            )
        )
    return [
        Law.fitted(
            result.expression,
            data,
            constants=constants,
            coefficients=result.coefficients,
            front=[dataclasses.replace(e, chosen=i == k) for i, e in enumerate(front)],
            rmse=front[k].rmse,
            info={"method": formulation, "weak_rows": n, "library_size": len(kept), "weak_error": error},
        )
        for k, (_, result) in enumerate(settled)
    ]
