"""The fitting engine: one library → one law, and the default library grown by levels."""
from __future__ import annotations

import dataclasses
import math
import sys
import time
import warnings
from dataclasses import dataclass, field
from typing import Any, Mapping, Sequence

import numpy as np
import sympy as sp

from bases import Library, constant, default_library
from bases.defaults import MAX_LEVEL

from .candidates import with_held_out_errors
from .data import Dataset
from .errors import DataError
from .constants import exact_candidates
from .fitting import EXACT_RELATIVE_RMSE, bic, mse_floor
from .law import FrontEntry, Law, numpy_evaluator
from .noise import residuals_look_like_noise
from .proposals import power_law_terms
from .refit import refit_on_y
from .transforms import TRANSFORMS, applicable, sign_of
from .unary_proposals import unary_monomial_terms
from .selection import choose, pareto_front, score_supports
from .solvers import Problem, Solver
from .symbolic import complexity, settle, tidy_expression

DUPLICATE_CORRELATION = 1 - 1e-9  # standardised columns this parallel are the same term
MAX_LIBRARY_TERMS = 2500  # default libraries stop growing here (Gram cost ~ rows × terms²)
SEARCH_ROWS = 4000  # the solver's Gram sums use at most this many rows; scoring uses all
# A larger default library must lower the BIC by this many times log(n) to
# replace a smaller one's law: searching more terms finds spurious fits more easily.
LEVEL_GAIN = 2.0
LEVEL0_TERMS = 2  # level 0 confirms one proposed term (and a constant)


@dataclass(frozen=True)
class Settings:
    """How one library is fitted (the estimator's parameters, checked)."""

    solver: Solver
    max_terms: int
    criterion: str
    constants: Mapping[str, float]
    prune_tol: float
    snap: bool
    cv_folds: int
    device: Any
    dtype: Any
    chunk_rows: int
    random_state: int | None


@dataclass
class LibraryFit:
    """The law found with one library, and what the estimator exposes of it."""

    law: Law
    library: Library
    coef: np.ndarray
    chosen_bic: float
    info: dict[str, Any] = field(default_factory=dict)


def fit_library(data: Dataset, library: Library, settings: Settings, warn: bool = True,
                tidy: bool = True) -> LibraryFit:
    """Fit one library: Gram sums, solver path, scoring, Pareto front, SymPy layer.

    Parameters
    ----------
    data : Dataset
    library : bases.Library
    settings : Settings
    warn : bool
        Warn about terms dropped as undefined on the data.
    tidy : bool
        Let SymPy simplify the chosen law (slow for long laws; the search
        tidies only the law it returns).
    """
    start = time.perf_counter()
    solver = settings.solver
    rng = np.random.default_rng(settings.random_state)
    # Proposing supports needs far fewer rows than refitting them; every support is scored on all rows.
    rows = np.sort(rng.choice(data.n_rows, SEARCH_ROWS, replace=False)) if data.n_rows > SEARCH_ROWS else None
    X_search, y_search = (data.X, data.y) if rows is None else (data.X[rows], data.y[rows])
    folds = rng.permutation(len(y_search)) % max(2, settings.cv_folds)
    gram = library.gram(X_search, y_search, data.variables, device=settings.device, dtype=settings.dtype,
                        chunk_rows=settings.chunk_rows, groups=folds, warn=warn)
    gram = gram.restrict(_distinct_columns(gram))
    if not gram.terms:
        raise DataError("no term of the library is defined and non-zero on the data; give a different library")
    if solver.name in ("lstsq", "stlsq") and data.n_rows <= len(gram.terms):
        raise DataError(
            f"{len(gram.terms)} terms but only {data.n_rows} rows: solver {solver.name!r} fits every term at "
            "once and needs more rows than terms; use solver='l0' or a smaller library"
        )
    term_complexity = np.array([t.complexity for t in gram.terms])
    problem = _standardise(gram, term_complexity, min(settings.max_terms, gram.n_rows - 2), settings.random_state)
    supports = solver.path(problem)
    if not supports:
        raise DataError("the solver proposed no terms: the target is not explained by any term of the library")

    columns = data.columns()
    cache: dict[int, np.ndarray] = {}

    def columns_of(index: Sequence[int]) -> np.ndarray:
        for j in index:
            if j not in cache:
                cache[j] = np.asarray(gram.terms[j](columns, "numpy"), dtype=np.float64)
        return np.column_stack([cache[j] for j in index])

    front = pareto_front(score_supports(supports, columns_of, data.y, gram, term_complexity))
    chosen = choose(front, settings.criterion, data.n_rows)
    entries, settled_chosen = [], None
    for c in front:
        settled = settle(columns_of(c.support), data.y, [gram.terms[j].expr for j in c.support],
                         settings.constants, settings.prune_tol, settings.snap, tidy=tidy and c is chosen)
        if c is chosen:
            settled_chosen = settled
        entries.append(FrontEntry(settled.expression, complexity(settled.expression), len(settled.terms),
                                  float(np.sqrt(settled.fit.rss / data.n_rows)), float(np.sqrt(c.cv_mse)),
                                  c.bic, c is chosen))
    assert settled_chosen is not None

    kept = Library(gram.terms)
    position = {t.expr: j for j, t in enumerate(gram.terms)}
    coef = np.zeros(len(gram.terms))
    for c in settled_chosen.coefficients:
        coef[position[c.term]] = c.value
    rss = settled_chosen.fit.rss
    law = Law(
        expression=settled_chosen.expression,
        target=data.target,
        variables=data.variables,
        constants=dict(settings.constants),
        coefficients=settled_chosen.coefficients,
        front=_merge_same_laws(entries),
        rmse=float(np.sqrt(rss / data.n_rows)),
        r2=float(1 - rss / np.sum((data.y - data.y.mean()) ** 2)),
        n_rows=data.n_rows,
        info={
            "solver": solver.name,
            "criterion": settings.criterion,
            "library_size": len(gram.terms),
            "device": str(settings.device),
            "seconds": time.perf_counter() - start,
        },
    )
    return LibraryFit(law, kept, coef, chosen.bic)


class _Grower:
    """The default library, level by level, for one target (y or a transform of it)."""

    def __init__(self, data: Dataset, settings: Settings, unary: bool = False) -> None:
        self.data = data
        self.settings = settings
        self.proposed = Library(power_law_terms(data))
        # Unary functions of monomials, proposed for y itself (not its transforms) once the power
        # laws alone are not exact: the test costs up to a second, which exact power laws need not pay.
        self.unary_pending = unary
        self.previous_size = -1

    def fit(self, level: int) -> LibraryFit | None:
        """Fit one level; None when it is empty or equal to the last (the size cap)."""
        if level == 0:  # the proposed terms alone: a tiny library, exact when the law is one of them
            return self._fit_proposed()
        else:
            cap = MAX_LIBRARY_TERMS - len(self.proposed)
            library = default_library(self.data.variables, level, cap) + self.proposed
        if len(library) == self.previous_size:
            return None
        self.previous_size = len(library)
        result = fit_library(self.data, library, self.settings, warn=False, tidy=False)
        result.law.info["level"] = level
        return result

    def _fit_proposed(self) -> LibraryFit | None:
        # A proposal confirmed, with a constant at most: under noise, sums of several proposals
        # (each fitted to the data) make long spurious laws that later levels cannot displace.
        settings = dataclasses.replace(self.settings, max_terms=min(self.settings.max_terms, LEVEL0_TERMS))
        result = None
        if len(self.proposed):
            result = fit_library(self.data, constant() + self.proposed, settings, warn=False, tidy=False)
            if exact_fit(result.law, self.data):
                self.unary_pending = False
        if self.unary_pending:
            self.unary_pending = False
            unary = Library(unary_monomial_terms(self.data, self.settings.random_state))
            if len(unary):
                self.proposed = self.proposed + unary
                with_unary = fit_library(self.data, constant() + self.proposed, settings, warn=False, tidy=False)
                if result is None or with_unary.chosen_bic < result.chosen_bic:
                    result = with_unary
        if result is not None:
            result.law.info["level"] = 0
            self.previous_size = len(self.proposed) + 1
        return result


def search(data: Dataset, settings: Settings, time_limit: float | None = None,
           verbose: bool = False) -> LibraryFit:
    """Grow the default library on y and on transforms of y, cheapest levels first.

    Level 0 is the constant plus the power laws proposed from log space;
    levels 1-3 are :func:`bases.default_library` plus the proposals. Each
    level is tried on y and then on each applicable transform (1/y, y², 1/y²,
    log y, √y, sin y) before the next level; a law for a transformed target
    is mapped back and judged on y itself. A law replaces the best one when
    its BIC on y is lower, by ``LEVEL_GAIN·log(n)`` when it comes from a higher
    level. The search stops as soon as a law is exact; at the end of a level
    from level 1 on when the best law fits to the noise level (residuals that
    neighbouring rows do not share); after the last level; or when
    ``time_limit`` seconds have passed (checked between fits). Once no power
    law alone is exact, y's proposals also hold the unary functions of
    monomials of :mod:`discovery.unary_proposals`, from level 0 on.
    """
    start = time.perf_counter()
    floor = mse_floor(data.y)
    sign = sign_of(data.y)
    growers: list[tuple[Any, _Grower]] = [(None, _Grower(data, settings, unary=True))]
    growers += _transformed_growers(data, settings)
    state = _Best()
    try:
        found = _tidied(_grow(data, settings, growers, floor, sign, state, time_limit, verbose, start))
        with_held_out_errors(found.law, data, settings.random_state)  # mapped laws have no Gram-based one
        return found
    except KeyboardInterrupt:
        if state.fit is None:
            raise  # nothing found yet: let the caller (the CLI) report the interruption
        warnings.warn(f"interrupted: returning the best law found so far ({state.fit.law.formula}, "
                      f"level {state.level})", RuntimeWarning, stacklevel=3)
        state.fit.law.info["interrupted"] = True
        return _tidied(state.fit)


@dataclass
class _Best:
    """The best law so far, kept outside the loop so that Ctrl-C can return it."""

    fit: LibraryFit | None = None
    bic: float = math.inf
    level: int = -1


def _grow(data: Dataset, settings: Settings, growers, floor: float, sign: int, best: _Best,
          time_limit: float | None, verbose: bool, start: float) -> LibraryFit:
    for level in range(0, MAX_LEVEL + 1):
        for transform, grower in growers:
            try:
                fit = grower.fit(level)
            except DataError:
                if transform is None:
                    raise
                continue
            if fit is None:
                continue
            law = fit.law if transform is None else _mapped_law(fit.law, transform, sign, data, floor)
            if law is None:
                continue
            score = law_bic(law, data, floor)
            if verbose:
                target = "y" if transform is None else transform.name
                print(f"[discover] level {level}, target {target}: {len(fit.library)} terms, {law} "
                      f"(rmse {law.rmse:.3g}, {time.perf_counter() - start:.2f}s)", file=sys.stderr, flush=True)
            margin = LEVEL_GAIN * math.log(data.n_rows) if level > best.level else 0.0
            if best.fit is None or score < best.bic - margin:
                best.fit, best.bic, best.level = LibraryFit(law, fit.library, fit.coef, score), score, level
                if exact_fit(law, data):
                    return best.fit
            if time_limit is not None and time.perf_counter() - start > time_limit:
                return best.fit
        # Only after every target at this level: a short law for log y can beat a long one for y
        # that already fits to the noise. Not after level 0: its terms were themselves fitted to
        # the data, and a sum of several of them can fit the noise of a smooth 1-D law.
        if level >= 1 and best.fit is not None and fits_to_noise(best.fit.law, data, settings.random_state):
            return best.fit
    assert best.fit is not None
    return best.fit


def refit_library(data: Dataset, library: Library, settings: Settings, transform_name: str | None) -> Law | None:
    """The law ``library`` gives on ``data``, for y or mapped back from the named transform of y.

    The step that chose a basis law, repeated on other rows (the bootstrap).
    None when the transform does not apply to these rows or nothing finite comes back.
    """
    if transform_name is None:
        return fit_library(data, library, settings, warn=False).law
    transform = next(t for t in TRANSFORMS if t.name == transform_name)
    if not transform.applies(data.y):
        return None
    with np.errstate(all="ignore"):
        y_t = transform.forward(data.y)
    if not np.all(np.isfinite(y_t)) or np.ptp(y_t) == 0:
        return None
    fit = fit_library(Dataset(data.X, y_t, data.variables, data.target), library, settings, warn=False)
    return _mapped_law(fit.law, transform, sign_of(data.y), data, mse_floor(data.y))


def _tidied(fit: LibraryFit) -> LibraryFit:
    """The same fit with its law's expression simplified where that shortens it."""
    fit.law.expression = tidy_expression(fit.law.expression)
    return fit


def _transformed_growers(data: Dataset, settings: Settings) -> list[tuple[Any, _Grower]]:
    out = []
    for transform in applicable(data.y):
        with np.errstate(all="ignore"):
            y_t = transform.forward(data.y)
        if np.all(np.isfinite(y_t)) and np.ptp(y_t) > 0:
            out.append((transform, _Grower(Dataset(data.X, y_t, data.variables, data.target), settings)))
    return out


def fits_to_noise(law: Law, data: Dataset, random_state: int | None = 0, **threshold: float) -> bool:
    """Exact to rounding, or residuals that neighbouring rows do not share.

    ``threshold`` (``min_correlation``, ``sigmas``) goes to
    :func:`discovery.noise.residuals_look_like_noise`.
    """
    if exact_fit(law, data):
        return True
    with np.errstate(all="ignore"):
        residual = data.y - law.predict(data.columns())
    return bool(np.all(np.isfinite(residual))) and residuals_look_like_noise(data.X, residual, random_state,
                                                                              **threshold)


def exact_fit(law: Law, data: Dataset) -> bool:
    """The law fits y to rounding."""
    return law.rmse <= EXACT_RELATIVE_RMSE * 1e3 * float(np.sqrt(np.mean(data.y**2)))


def law_bic(law: Law, data: Dataset, floor: float) -> float:
    """BIC of a law on y, with its number of coefficients as the parameter count."""
    # Laws compete by their number of terms, snapped or not: under noise almost any coefficient
    # is near some exact value, and counting only free ones would favour long snapped sums.
    return bic(law.rmse**2 * data.n_rows, data.n_rows, len(law.coefficients), floor)


def _mapped_law(law: Law, transform, sign: int, data: Dataset, floor: float) -> Law | None:
    """The law for y from a law for transform(y), measured on y; None if it is not finite."""
    expression = transform.inverse(law.expression, sign)
    rmse = _rmse_on(expression, law, data)
    if rmse is None:
        return None
    coefficients = law.coefficients
    if rmse**2 > floor:  # not exact: the transformed fit's coefficients are biased by the noise on y
        refitted = refit_on_y(law.coefficients, transform, sign, data.columns(), data.y, law.constants, floor)
        if refitted is not None:
            def free(cs):
                return sum(c.exact is None for c in cs)
            n = data.n_rows
            if bic(refitted[2] ** 2 * n, n, free(refitted[1]), floor) < bic(rmse**2 * n, n, free(coefficients), floor):
                expression, coefficients, rmse = refitted
    expression, rmse = _snap_mapped_floats(expression, rmse, law, data)
    front = []
    for e in law.front:
        mapped = transform.inverse(e.expression, sign)
        entry_rmse = _rmse_on(mapped, law, data)
        if entry_rmse is None:
            continue
        front.append(FrontEntry(mapped, complexity(mapped), e.n_terms, entry_rmse, math.nan,
                                bic(entry_rmse**2 * data.n_rows, data.n_rows, e.n_terms, floor), e.chosen))
    rss = rmse**2 * data.n_rows
    info = dict(law.info, transform=transform.name)
    return Law(expression, data.target, data.variables, law.constants, coefficients, front, rmse,
               float(1 - rss / np.sum((data.y - data.y.mean()) ** 2)), data.n_rows, info)


def _snap_mapped_floats(expression: sp.Expr, rmse: float, law: Law, data: Dataset) -> tuple[sp.Expr, float]:
    """Recognise numbers that appear only after mapping back (exp(c) from log y = c + ...).

    A float is replaced by the simplest exact value within a relative 1e-6
    when the law's RMSE on y does not grow by more than a part in a thousand.
    """
    for number in sorted(expression.atoms(sp.Float), key=lambda f: -abs(float(f))):
        value = float(number)
        for candidate in exact_candidates(value, 1e-6 * abs(value), law.constants)[:3]:
            trial = expression.xreplace({number: candidate.expr})
            trial_rmse = _rmse_on(trial, law, data)
            if trial_rmse is not None and trial_rmse <= rmse * (1 + 1e-3) + 1e-300:
                expression, rmse = trial, trial_rmse
                break
    return expression, rmse


def _rmse_on(expression: sp.Expr, law: Law, data: Dataset) -> float | None:
    try:
        with np.errstate(all="ignore"):
            predicted = numpy_evaluator(expression, law.constants)(data.columns())
    except (ValueError, TypeError):
        return None
    if predicted.shape != data.y.shape or not np.all(np.isfinite(predicted)) or np.iscomplexobj(predicted):
        return None
    return float(np.sqrt(np.mean((data.y - predicted) ** 2)))


def _merge_same_laws(entries: list[FrontEntry]) -> list[FrontEntry]:
    """One entry per distinct settled law (pruning can make two supports one law)."""
    merged: dict[sp.Expr, FrontEntry] = {}
    for e in entries:
        seen = merged.get(e.expression)
        if seen is None or e.chosen or (not seen.chosen and e.bic < seen.bic):
            merged[e.expression] = e
    return sorted(merged.values(), key=lambda e: (e.complexity, e.rmse))


def _distinct_columns(gram) -> list[int]:
    """Indices of non-zero columns, one per set of parallel columns (the simplest)."""
    import torch

    diag = torch.diagonal(gram.theta_theta)
    scale = torch.sqrt(torch.clamp(diag, min=0))
    nonzero = ((scale > 0) & torch.isfinite(scale)).cpu().numpy()
    parallel = (gram.theta_theta.abs() >= DUPLICATE_CORRELATION * torch.outer(scale, scale)).cpu().numpy()
    order = sorted(range(len(gram.terms)), key=lambda j: (gram.terms[j].complexity, j))
    kept = np.zeros(len(gram.terms), dtype=bool)
    for j in order:
        if nonzero[j] and not (parallel[j] & kept).any():
            kept[j] = True
    return np.flatnonzero(kept).tolist()


def _standardise(gram, term_complexity: np.ndarray, max_terms: int, random_state) -> Problem:
    import torch

    n = gram.n_rows
    scale = torch.sqrt(torch.diagonal(gram.theta_theta) / n)
    y_rms = (gram.y_y / n) ** 0.5
    return Problem(
        gram=gram.theta_theta / (n * torch.outer(scale, scale)),
        rhs=gram.theta_y / (n * scale * y_rms),
        n_rows=n,
        complexity=term_complexity,
        max_terms=max(1, max_terms),
        random_state=random_state,
    )
