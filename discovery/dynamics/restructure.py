"""Each state's terms searched again on the trajectories: sparse regression on the simulated states' misses.

The searches choose each law on derivatives estimated from the states, or on
the states' changes over windows; under noise, those estimates' errors can
favour a wrong law that happens to fit them (Lotka–Volterra at 1 % noise:
five terms such as x²·sin y where x·(3 − x − 2y) is). Around the trajectory
fit, the simulated states move linearly with any term's coefficient
(:mod:`discovery.dynamics.sensitivity`), so the misses, whose errors are the
measurements' own and independent, give a linear least-squares problem in a
whole library's coefficients for one state, with the other states'
coefficients and every initial state profiled out. The subset search proposes
each size's best terms on it; the extended BIC (charging for the library
searched, as every search does: :func:`discovery.search.selection.search_penalty`)
and the selection margin choose among them and the state's current terms.
Whether a proposal replaces the law, the trajectory fit itself decides
(:func:`discovery.dynamics.matching.match_trajectories`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import sympy as sp

from ..law.expressions import complexity
from ..law.margins import MARGIN
from ..search.selection import search_penalty
from ..search.supports import library_supports
from ..settle.criteria import bic
from ..settle.preference import simplest_within
from .sensitivity import trajectory_sensitivities
from .terms import saturation_constants
from .trajectories import Trajectories


@dataclass(frozen=True)
class Proposal:
    """Terms proposed for one state's law, with their linearised estimates and criteria.

    Attributes
    ----------
    terms : list of sympy.Expr
    values : numpy.ndarray
        The coefficients on the linearised problem: where the nonlinear fit starts.
    criterion, current : float
        The extended BIC of the proposal and of the state's current terms, on the linearised problem.
    """

    terms: list[sp.Expr]
    values: np.ndarray
    criterion: float
    current: float


def structure_criterion(
    rss: float, n: int, n_free: int, floor: float, library_size: int, sizes: Sequence[int]
) -> float:
    """The extended BIC of a system: its misses, free parameters, and each law's terms out of the library."""
    return bic(rss, n, n_free, floor) + sum(search_penalty(library_size, k) for k in sizes)


def preferred(criteria: Sequence[float], sizes: Sequence[int]) -> int:
    """The index of the fewest terms whose criterion is within the selection margin of the best."""
    return simplest_within(criteria, sizes, MARGIN["bic"])


@dataclass(frozen=True)
class FitPoint:
    """The trajectory fit a linearisation is taken around, and how its system is simulated.

    Attributes
    ----------
    laws : sequence of sequences of (term, value)
        Every state's law, as fitted to the trajectories.
    data : Trajectories
    starts : sequence of arrays
        Each trajectory's fitted initial state.
    sigma : array
        Each state's noise standard deviation: the misses' unit.
    constants : mapping of name → float
    rtol, atol
        For the simulations (see :func:`~discovery.dynamics.sensitivity.trajectory_sensitivities`).
    evaluations_per_sample : int
        Right-hand-side evaluations a simulation may take per sample of its trajectory, as the fit's may.
    """

    laws: Sequence[Sequence[tuple[sp.Expr, float]]]
    data: Trajectories
    starts: Sequence[np.ndarray]
    sigma: np.ndarray
    constants: Mapping[str, float]
    rtol: float
    atol: np.ndarray
    evaluations_per_sample: int


def propose(point: FitPoint, state: int, library: Sequence[sp.Expr], max_terms: int, floor: float) -> Proposal | None:
    """Other terms for ``state``'s law that the trajectories prefer, or None (the current ones, or no linearisation).

    Parameters
    ----------
    point : FitPoint
        The fit the misses are linearised around.
    state : int
        The state whose terms are searched.
    library : sequence of sympy.Expr
        The candidate terms (every law's current terms are added to them).
    max_terms : int
        Largest law proposed.
    floor : float
        The misses' mean square that counts as an exact fit.
    """
    problem = _linear_problem(point, state, library)
    if problem is None:
        return None
    library_size = len(problem.terms)
    complexities = [complexity(t) for t in problem.terms]
    supports = library_supports(
        problem.columns, problem.target, complexities, min(max_terms, library_size), 0, problem.scale
    )

    def scored(support: list[int]) -> tuple[float, np.ndarray]:
        coef, rss = problem.fitted(support)
        return structure_criterion(
            rss, problem.n, problem.n_fixed + len(support), floor, library_size, [len(support)]
        ), coef

    mine = sorted(problem.current)
    options = [mine] + [sorted(s) for s in supports if sorted(s) != mine]
    scores = [scored(s) for s in options]
    pick = preferred([s[0] for s in scores], [len(s) for s in options])
    if pick == 0:
        return None
    return Proposal([problem.terms[i] for i in options[pick]], scores[pick][1], scores[pick][0], scores[0][0])


def ranked(
    point: FitPoint, state: int, laws: Sequence[Sequence[sp.Expr]], floor: float
) -> list[tuple[list[sp.Expr], np.ndarray | None]]:
    """Other laws (each a list of terms) for ``state``, best first by the extended BIC on the linearised problem.

    One simulation linearises the misses for all of them at once; each comes
    with its coefficients from that problem, where its fit by simulation
    starts. Laws the problem cannot hold (a term not finite along the fit, or
    one the initial states already move) come last, with None.
    """
    terms = list(dict.fromkeys(term for law in laws for term in law))
    problem = _linear_problem(point, state, terms)
    scored, rest = [], []
    size = 0 if problem is None else len(problem.terms)
    for law in laws:
        if problem is None or not all(term in problem.terms for term in law):
            rest.append((list(law), None))
            continue
        support = [problem.terms.index(term) for term in law]
        coef, rss = problem.fitted(support)
        criterion = structure_criterion(rss, problem.n, problem.n_fixed + len(support), floor, size, [len(law)])
        scored.append((criterion, list(law), coef))
    return [(law, coef) for _, law, coef in sorted(scored, key=lambda item: item[0])] + rest


def refitted(point: FitPoint, state: int, terms: Sequence[sp.Expr]) -> np.ndarray | None:
    """Coefficients of ``terms`` for ``state``'s law on the linearised problem: where a refit of them starts.

    A law with a term dropped, simulated from its old coefficients, can diverge
    (bacterial respiration's dx/dt without the 2y/x that its other terms made
    up for); one Gauss–Newton step moves them to what the data then need. None
    when there is no linearisation or a term is not finite along it.
    """
    problem = _linear_problem(point, state, terms)
    if problem is None or not all(term in problem.terms for term in terms):
        return None
    return problem.fitted([problem.terms.index(term) for term in terms])[0]


@dataclass(frozen=True)
class _Linear:
    """One state's linearised problem: columns of its candidate terms and a target, the rest profiled out."""

    columns: np.ndarray
    scale: np.ndarray
    target: np.ndarray
    terms: list[sp.Expr]
    current: list[int]  # positions of the state's current terms among ``terms``
    n: int
    n_fixed: int  # parameters profiled out: the other laws' and the initial states

    def fitted(self, support: Sequence[int]) -> tuple[np.ndarray, float]:
        coef, *_ = np.linalg.lstsq(self.columns[:, list(support)], self.target, rcond=None)
        return coef, float(np.sum((self.columns[:, list(support)] @ coef - self.target) ** 2))


def _linear_problem(point: FitPoint, state: int, library: Sequence[sp.Expr]) -> _Linear | None:
    laws, data, sigma = point.laws, point.data, point.sigma
    n_states = len(data.states)
    # Every law's terms are candidates for each: systems share terms (sin(x − y) in both of two magnets' laws).
    own = list(dict.fromkeys([*library, *(term for law in laws for term, _ in law)]))
    current = [own.index(term) for term, _ in laws[state]]
    others = [(i, term) for i in range(n_states) if i != state for term, _ in laws[i]]
    # The other laws' saturation constants are free in the fit too: their directions, value·∂term/∂K, are profiled
    # out. The state's own are not: a term proposed without its constant would keep the constant's direction.
    others += [
        (i, direction)
        for i, law in enumerate(laws)
        if i != state
        for term, value in law
        for direction in _shape_directions(term, value)
    ]
    candidates = [(state, term) for term in own] + others
    expressions = [sum((value * term for term, value in law), sp.Integer(0)) for law in laws]
    names = (*data.states, *data.inputs)
    blocks, misses = [], []
    for trajectory, start in zip(data.items, point.starts):
        found = trajectory_sensitivities(
            expressions,
            candidates,
            trajectory.t,
            start,
            trajectory.u,
            names,
            constants=point.constants,
            rtol=point.rtol,
            atol=point.atol,
            max_evaluations=point.evaluations_per_sample * len(trajectory.t),
        )
        if found is None:
            return None
        simulated, sensitivities, usable = found
        full = np.full((len(trajectory.t), n_states, len(candidates) + n_states), np.nan)
        full[:, :, usable] = sensitivities[:, :, : len(usable)]
        full[:, :, len(candidates) :] = sensitivities[:, :, len(usable) :]
        blocks.append((full / sigma[None, :, None]).reshape(-1, full.shape[2]))
        misses.append(((simulated - trajectory.x) / sigma).ravel())
    n = sum(len(m) for m in misses)
    terms = np.vstack([b[:, : len(candidates)] for b in blocks])
    finite = np.all(np.isfinite(terms), axis=0)
    if not np.all(finite[current]) or not np.all(finite[len(own) :]):
        return None  # a term of the current laws is not finite along the simulated trajectories
    starts_columns = np.zeros((n, len(blocks) * n_states))
    row = 0
    for k, block in enumerate(blocks):
        starts_columns[row : row + len(block), k * n_states : (k + 1) * n_states] = block[:, len(candidates) :]
        row += len(block)
    residual = np.concatenate(misses)
    forced = np.hstack([terms[:, len(own) :], starts_columns])
    basis, _ = np.linalg.qr(forced)
    coefficients = np.array([value for _, value in laws[state]])
    # The misses are linear in the state's coefficients: data ≈ simulated + S·(c − ĉ) gives S·c ≈ S·ĉ − misses.
    target = terms[:, current] @ coefficients - residual
    target = target - basis @ (basis.T @ target)
    usable = [j for j in range(len(own)) if finite[j]]
    columns = terms[:, usable]
    columns = columns - basis @ (basis.T @ columns)
    scale = np.sqrt(np.mean(columns**2, axis=0))
    live = [i for i in range(len(usable)) if scale[i] > 0]
    columns, scale = columns[:, live], scale[live]
    kept = [usable[i] for i in live]
    if not all(j in kept for j in current):
        return None
    return _Linear(columns, scale, target, [own[j] for j in kept], [kept.index(j) for j in current], n, forced.shape[1])


def _shape_directions(term: sp.Expr, value: float) -> list[sp.Expr]:
    """How ``value·term`` changes with each of its saturation constants, at their values."""
    symbolic, constants = saturation_constants(term)
    at = dict(constants)
    return [value * sp.diff(symbolic, symbol).xreplace(at) for symbol, _ in constants]
