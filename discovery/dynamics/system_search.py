"""``discover_system``: the differential equations behind time series, one law per state's derivative."""

from __future__ import annotations

import time as clock
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import sympy as sp

from bases import default_library

from ..api import discover_with_known_error
from ..errors import DataError
from ..io.dataset import Dataset, TargetError, check_constants
from ..io.library import resolve_library
from ..law.evaluate import numpy_evaluator
from ..law.law import Law
from ..parameters import check_parameters, suggests_keywords
from ..progress import current, shows_progress
from ..search.supports import SCREEN
from ..solvers.subset import SubsetSearch
from .check import simulation_check
from .choice import chosen_law, ladder_laws
from .derivatives import estimate_derivatives
from .determined import undetermined, warn_undetermined
from .matching import match_trajectories, matched_front
from .state_target import StateTarget
from .system import System
from .terms import dynamics_terms, ladder
from .trajectories import as_trajectories
from .trajectory_fit import MatchedState
from .weak import weak_laws

# The known error of an estimated derivative, as the search's exact-fit floor: this many times the estimate.
KNOWN_ERROR_FACTOR = 3.0
# The derivative-free formulations searched, by how the derivatives were estimated. On clean data the
# integral formulation's target is exact, but its quadrature of θ over a coarse sampling's fast transients
# is not, and it fits those errors with spurious terms (Lotka-Volterra sampled at 0.1: a five-term law
# beat x·(3 − x − 2y)); on noisy data that error is far under the noise.
FORMULATIONS = {"finite": ("weak",), "spline": ("weak", "integral")}
# Of the time limit, on noisy data, by which the pointwise searches stop: there the trajectory fit decides
# between structures, and needs the time.
SEARCH_SHARE = 0.5
FIT_SHARE = 0.9  # of the time limit, by which the trajectory fit's searches stop (the refit releasing
# constants and the simulation check come after it)
WEAK_LEVEL = 1  # the default library's level searched in the weak formulation (with the dynamics terms)


@suggests_keywords
@shows_progress("discover_system")
def discover_system(
    t: Any,
    states: Any = None,
    *,
    variables: Sequence[str] | None = None,
    inputs: Any = None,
    time: str | None = None,
    trajectory: str | None = None,
    constants: Mapping[str, float] | None = None,
    derivatives: str = "auto",
    extra_terms: Any = None,
    method: str = "basis",
    max_terms: int = 5,
    criterion: str = "bic",
    time_limit: float | None = None,
    random_state: int | None = None,
    check: bool = True,
    trajectory_fit: bool = True,
    verbose: bool | None = None,
) -> System:
    """Find the differential equations d(state)/dt = f(states, inputs) behind time series.

    Each state's derivative is estimated from the data and its error
    measured; the law is then searched four ways: as
    :func:`discovery.discover` searches one (default libraries grown by
    levels, proposals, exact constants, the Pareto front), with the
    derivative's measured error as the known error of the target
    (:class:`discovery.io.dataset.TargetError`); the same with terms
    vector fields need added (saturations such as ``x*y/(1 + x)``, ratios of
    sines and cosines: :func:`~discovery.dynamics.terms.dynamics_terms`);
    and in the weak and the integral formulations, which need no derivative
    (:mod:`discovery.dynamics.weak`). Of all their candidates, the law is
    the simplest that reproduces the states' changes over time as well as
    any (:mod:`discovery.dynamics.integral`). Last, the chosen laws'
    coefficients are fitted to the measured states by simulating the system,
    and pruned and snapped to exact values on that fit
    (:mod:`discovery.dynamics.matching`); around it, each state's terms are
    searched again among the weak formulation's library and every law's
    terms, on the misses of the simulated states
    (:mod:`discovery.dynamics.restructure`).

    Parameters
    ----------
    t : 1-D array, list of 1-D arrays, DataFrame or list of DataFrames
        The sample times of one trajectory, or of several (e.g. from several
        initial conditions; the spacing may be uneven). With ``states=None``,
        DataFrames with a ``time`` column, the states and any inputs.
    states : 2-D array or list of 2-D arrays, optional
        The states at those times: one row per time, one column per state.
    variables : sequence of str, optional
        The states' names (default: the frame's other columns; x0, x1, ...):
        the names of the data's columns, as ``discover``'s ``variables`` name
        X's. Here the data are the states; the laws' variables are the states,
        then the inputs (``System.variables``).
    inputs : mapping or sequence of str, optional
        External inputs (forcing, controls) the derivatives may depend on and
        that are not themselves modelled: with arrays, a mapping of name to
        values (an array, or a list with one per trajectory); with
        DataFrames, the names of their columns.
    time : str, optional
        The frames' time column, and the time's name in the equations ("t").
    trajectory : str, optional
        A frame column labelling each row's trajectory.
    constants : mapping of name → float, optional
        Named constants the laws may contain, e.g. ``{"g": 9.81}``.
    derivatives : {"auto", "finite", "spline"}
        How the derivatives are estimated (see
        :mod:`discovery.dynamics.derivatives`): fourth-order finite
        differences, or a smoothing spline with its smoothing chosen from the
        data; ``"auto"`` picks finite differences for clean data (estimated
        noise under 1e-4 of each state's spread) and the spline otherwise.
        ``system.info["derivatives"]`` says which was used.
    extra_terms : bases.Library, str or sequence of terms, optional
        More candidate terms in the states and inputs, read as ``discover``
        reads them (a named constant inside a term goes into its coefficient).
    method, max_terms, criterion, random_state, verbose
        As for :func:`discovery.discover`, for each state's pointwise
        searches. ``method`` defaults to ``"basis"``: under ``"auto"`` the
        parametric forms fit the derivatives' smooth errors with forms such as
        ``x**12.65``.
    time_limit : float or None
        Seconds for the whole system: the states' searches share it equally,
        and the trajectory fit stops by :data:`FIT_SHARE` of it, leaving the
        rest for the simulation check.
    trajectory_fit : bool
        Fit the chosen laws' coefficients, with each trajectory's initial
        state, to the measured states by simulating the system; prune the
        terms and snap the coefficients on that fit
        (:mod:`discovery.dynamics.matching`), the saturation constants in
        the terms (the K of x·y/(K + x²)) with them; then search each state's terms
        again on the simulated states' misses, then try the searches' next-best
        structures and, on noisy data, each small library's best law
        (:func:`~discovery.dynamics.terms.ladder`), and keep a law that the
        refitted system prefers (:mod:`discovery.dynamics.restructure`); last, in the
        time left (at least 40 % of the fit's after its first simulation), search each
        small library by simulation from the linear system
        (:mod:`discovery.dynamics.small_libraries`). The laws are kept as found
        where the fit fails or does not improve the simulated trajectories;
        ``system.info["trajectory_fit"]`` says what happened (``"restructured"``:
        the laws the search replaced).
    check : bool
        Simulate the system from each trajectory's first sample and compare
        with the data (``system.info["check"]``: error and horizon).

    Returns
    -------
    System
        ``system.laws[state]`` is the Law of that state's derivative.
        ``system.info["undetermined"]`` lists why the data may not determine
        the laws (empty when they do), also warned as one
        :class:`~discovery.UnderdeterminedWarning`.

    Raises
    ------
    DataError
        For bad time series (see :func:`~discovery.dynamics.trajectories.as_trajectories`:
        the trajectory and row of an unsorted or repeated time, a NaN, a
        length mismatch) and bad parameters (each checked by
        :data:`~discovery.parameters.PARAMETERS` before any work, as
        ``discover``'s are).
    """
    check_parameters({name: value for name, value in locals().items() if name not in ("t", "states")})
    started = clock.perf_counter()
    data = as_trajectories(t, states, variables=variables, inputs=inputs, time=time, trajectory=trajectory)
    names = data.states + data.inputs
    checked = check_constants(constants, names)
    if data.time in names:
        raise DataError(f"the time is named {data.time!r}, as a state or input is: rename one of them")
    estimated = estimate_derivatives(data, derivatives)
    # The terms are evaluated at the states the derivatives belong to: smoothed ones where the data are noisy.
    X = np.vstack([np.hstack([x, tr.u]) for x, tr in zip(estimated.states, data.items)])
    Y = np.vstack(estimated.values)
    user_terms = [] if extra_terms is None else [t.expr for t in resolve_library(extra_terms, names, checked)]
    extra = dynamics_terms(names) + user_terms
    weak_terms = list(dict.fromkeys([t.expr for t in default_library(names, WEAK_LEVEL)] + extra))
    laws, used, chosen_by, problems, alternatives = {}, {}, {}, {}, {}
    noisy = estimated.method == "spline"
    for j, state in enumerate(data.states):
        rows = np.concatenate([r[:, j] for r in estimated.resolved])
        used[state] = int(rows.sum())
        # Laws within the derivative's own estimation error fit it exactly, as far as the data can tell.
        known = TargetError(KNOWN_ERROR_FACTOR * estimated.error[state], estimated.error[state])
        # A name a formula can hold; the System prints d{state}/dt.
        target = f"d{state}_d{data.time}"
        problem = problems[state] = StateTarget(
            data, j, tuple(names), checked, target, X[rows], Y[rows, j], random_state=random_state, known=known
        )
        limit = None if time_limit is None else (SEARCH_SHARE if noisy else 1.0) * time_limit
        searches = _Searches(started, limit, 2 * (len(data.states) - j), method, max_terms, criterion, verbose)
        terms = (user_terms or None, extra)
        laws[state], chosen_by[state], alternatives[state] = searches.state_law(problem, terms, weak_terms, estimated)
    info: dict[str, Any] = {}
    if trajectory_fit:
        deadline = None if time_limit is None else started + FIT_SHARE * time_limit
        info["trajectory_fit"] = _fit_to_trajectories(
            laws,
            problems,
            estimated,
            deadline,
            library=weak_terms,
            max_terms=max_terms,
            verbose=verbose,
            alternatives=alternatives,
        )
    info |= {
        "derivatives": estimated.method,
        "noise": estimated.noise,
        "derivative_error": estimated.error,
        "trajectories": len(data.items),
        "n_rows": data.n_rows,
        "rows_used": used,
        "integral_miss": chosen_by,
        "undetermined": undetermined(laws, info.get("trajectory_fit"), data.time, data.n_rows),
    }
    system = System(laws, data.states, data.inputs, data.time, info)
    searched = clock.perf_counter() - started
    if check:
        system.info["check"] = simulation_check(system, data, estimated.noise)
    system.info["seconds"] = {"search": searched, "check": clock.perf_counter() - started - searched}
    warn_undetermined(system.info["undetermined"])
    return system


@dataclass(frozen=True)
class _Searches:
    """How one state's pointwise searches run: their share of the time limit and ``discover``'s options."""

    started: float
    time_limit: float | None
    left: int  # the searches still to run, this state's included: each gets an equal share of the time left
    method: str
    max_terms: int
    criterion: str
    verbose: bool | None

    def state_law(
        self, problem: StateTarget, term_sets: Sequence[Any], weak_terms: list[sp.Expr], estimated: Any
    ) -> tuple[Law, float, list[sp.Expr]]:
        """One state's law among the pointwise and weak searches' (:func:`chosen_law`), its score, its alternatives.

        On noisy data each small library's best weak law joins the alternatives.
        """
        state, time = problem.data.states[problem.state], problem.data.time
        current().stage(f"d{state}/d{time}")
        if self.verbose:
            current().write(f"d{state}/d{time}: searching ({estimated.method} derivatives)")
        sigma = estimated.sigma[state]
        found = self.pointwise_laws(problem, term_sets)
        weak = [
            law
            for formulation in FORMULATIONS[estimated.method]
            for law in weak_laws(problem, weak_terms, self.max_terms, noise=sigma, formulation=formulation)
        ]
        noisy = estimated.method == "spline"
        law, score, alternatives = chosen_law(found, weak, problem, noisy=noisy)
        if noisy:
            alternatives = ladder_laws(problem, ladder(problem.names), self.max_terms, sigma) + alternatives
        return law, score, alternatives

    def pointwise_laws(self, problem: StateTarget, term_sets: Sequence[Any]) -> list[Law]:
        """``discover``'s law of the state's derivative, once per set of extra terms, with its known error."""
        found = []
        for k, terms in enumerate(term_sets):
            left = None
            if self.time_limit is not None:
                spent = clock.perf_counter() - self.started
                left = max((self.time_limit - spent) / (self.left - k), 0.1)
            law = discover_with_known_error(
                problem.X,
                problem.y,
                problem.known,
                variables=list(problem.names),
                target=problem.target,
                constants=dict(problem.constants) or None,
                extra_terms=terms,
                method=self.method,
                max_terms=self.max_terms,
                criterion=self.criterion,
                time_limit=left,
                random_state=problem.random_state,
                verbose=self.verbose,
                solver=SubsetSearch(screen=SCREEN, backward=True),
            )
            found.append(law)
        return found


def _fit_to_trajectories(
    laws: dict[str, Law],
    problems: Mapping[str, StateTarget],
    estimated: Any,
    deadline: float | None,
    *,
    library: Sequence[sp.Expr],
    max_terms: int,
    verbose: bool | None,
    alternatives: Mapping[str, Sequence[sp.Expr]],
) -> Any:
    """Replace ``laws`` (in place) by their trajectory-matched forms, where the fit succeeds; what happened."""
    current().stage("trajectory fit")
    if verbose:
        current().write("fitting the coefficients to the trajectories")
    first = next(iter(problems.values()))  # every state's problem holds the same trajectories and constants
    data = first.data
    matched, report = match_trajectories(
        {s: laws[s].expression for s in data.states},
        {s: laws[s].coefficients for s in data.states},
        data,
        first.constants,
        estimated.sigma,
        deadline,
        smoothed=estimated.states,
        library=library,
        max_terms=max_terms,
        alternatives=alternatives,
        small_libraries=ladder(first.names),
    )
    for state in data.states:
        if matched is not None and state in matched:
            laws[state] = _matched_law(laws[state], matched[state], problems[state])
    return report


def _matched_law(law: Law, matched: MatchedState, problem: StateTarget) -> Law:
    """The state's law with its trajectory-matched expression and coefficients; errors measured as before."""
    X, y = problem.X, problem.y
    data = Dataset(X, y, tuple(problem.names), law.target)
    with np.errstate(all="ignore"):
        predicted = numpy_evaluator(matched.expression, law.constants)(data.columns()) * np.ones(len(y))
    rmse = float(np.sqrt(np.mean((predicted - y) ** 2)))
    return Law.fitted(
        matched.expression,
        data,
        constants=law.constants,
        coefficients=matched.coefficients,
        front=matched_front(law.front, matched.expression, len(matched.coefficients)),
        rmse=rmse,
        info={**law.info, "trajectory_fit": True},
    )
