"""Fit one library: Gram sums, the solver's supports, scoring on the rows, the Pareto front, the SymPy layer."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import sympy as sp

from bases import Library

from ..errors import DataError
from ..io.dataset import Dataset
from ..io.rows import sample_rows
from ..law.coefficient import FrontEntry
from ..law.expressions import complexity
from ..law.law import Law
from ..settle.criteria import terms_allowed
from ..settle.sum_of_terms import SettledTerms, settle_terms
from ..solvers import Problem, Solver
from ..solvers.base import Support
from .aliasing import resolved_terms
from .power_block import block_indices, supports_with_block
from .selection import choose, pareto_front, score_supports

DUPLICATE_CORRELATION = 1 - 1e-9  # standardised columns this parallel are the same term
SIMPLER_COSINE = 1 - 1e-4  # a term this parallel to a simpler one may stand in for it (see _with_simpler_terms)


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
    # Terms added to the default library at every level (discover's extra_terms), for y itself.
    extra_terms: Library = field(default_factory=lambda: Library([]))

    def record(self, time_limit: float | None = None) -> dict[str, Any]:
        """The settings that shaped a law, as plain data for ``law.info`` and law files."""
        return {
            "solver": self.solver.name,
            "max_terms": self.max_terms,
            "criterion": self.criterion,
            "prune_tol": self.prune_tol,
            "snap": self.snap,
            "cv_folds": self.cv_folds,
            "dtype": str(self.dtype).replace("torch.", ""),
            "chunk_rows": self.chunk_rows,
            "random_state": self.random_state,
            "extra_terms": [sp.sstr(t.expr) for t in self.extra_terms],
            "time_limit": time_limit,
            "device": str(self.device),
        }


@dataclass
class LibraryFit:
    """The law found with one library, and what the estimator exposes of it."""

    law: Law
    library: Library
    coef: np.ndarray
    chosen_bic: float
    info: dict[str, Any] = field(default_factory=dict)


def fit_library(
    data: Dataset,
    library: Library,
    settings: Settings,
    warn: bool = True,
    tidy: bool = True,
    log_target: bool = False,
) -> LibraryFit:
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
    log_target : bool
        ``data.y`` is the logarithm of y: its constant is also recognised as
        the logarithm of an exact factor (see :func:`discovery.settle.sum_of_terms.settle_terms`).
    """
    start = time.perf_counter()
    solver = settings.solver
    gram, term_complexity, supports = _proposed_supports(data, library, settings, warn, log_target)
    # Weighted least squares throughout: rows and target scaled by √w (a transformed target's noise).
    root = None if data.weights is None else np.sqrt(data.weights)

    columns = data.columns()
    cache: dict[int, np.ndarray] = {}

    def columns_of(index: Sequence[int]) -> np.ndarray:
        for j in index:
            if j not in cache:
                column = np.asarray(gram.terms[j](columns, "numpy"), dtype=np.float64)
                cache[j] = column if root is None else column * root
        return np.column_stack([cache[j] for j in index])

    y_weighted = data.y if root is None else data.y * root
    # The constant's column, where it is a term of the library and so may replace a stand-in for it
    ones = (np.ones(data.n_rows) if root is None else root) if any(t.expr == 1 for t in gram.terms) else None
    front = pareto_front(score_supports(supports, columns_of, y_weighted, gram, term_complexity, data.known_error))
    chosen = choose(front, settings.criterion, data.n_rows)
    entries, settled_chosen = _settled_front(
        front, chosen, columns_of, y_weighted, gram, settings, tidy=tidy, log_target=log_target, ones=ones, data=data
    )

    kept = Library(gram.terms)
    coef = _library_coefficients(gram, settled_chosen)
    law = Law.fitted(
        settled_chosen.expression,
        data,
        constants=settings.constants,
        coefficients=settled_chosen.coefficients,
        front=_merge_same_laws(entries),
        rmse=float(np.sqrt(settled_chosen.fit.rss / data.n_rows)),
        info={
            "solver": solver.name,
            "criterion": settings.criterion,
            "library_size": len(gram.terms),
            "device": str(settings.device),
            "seconds": time.perf_counter() - start,
        },
    )
    return LibraryFit(law, kept, coef, chosen.bic)


def _proposed_supports(
    data: Dataset, library: Library, settings: Settings, warn: bool, log_target: bool
) -> tuple[Any, np.ndarray, list[Support]]:
    """The library's Gram sums on a sample of rows, its distinct terms, and the supports the solver proposes."""
    solver = settings.solver
    rng = np.random.default_rng(settings.random_state)
    # Proposing supports needs far fewer rows than refitting them; every support is scored on all rows.
    rows = sample_rows(data.n_rows, rng)
    X_search, y_search = data.X[rows], data.y[rows]
    folds = rng.permutation(len(y_search)) % max(2, settings.cv_folds)
    gram = library.gram(
        X_search,
        y_search,
        data.variables,
        device=settings.device,
        dtype=settings.dtype,
        chunk_rows=settings.chunk_rows,
        groups=folds,
        warn=warn,
        weights=None if data.weights is None else data.weights[rows],
    )
    gram = gram.restrict(_distinct_columns(gram))
    resolved = resolved_terms(gram.terms, X_search, data.variables, data.n_rows, warn=warn)
    if len(resolved) < len(gram.terms):
        gram = gram.restrict(resolved)
    if not gram.terms:
        raise DataError("no term of the library is defined and non-zero on the data; give a different library")
    if solver.name in ("lstsq", "stlsq") and data.n_rows <= len(gram.terms):
        raise DataError(
            f"{len(gram.terms)} terms but only {data.n_rows} rows: solver {solver.name!r} fits every term at "
            "once and needs more rows than terms; use solver='l0' or a smaller library"
        )
    term_complexity = np.array([t.complexity for t in gram.terms])
    problem = _standardise(
        gram, term_complexity, min(settings.max_terms, terms_allowed(data.n_rows)), settings.random_state
    )
    supports = solver.path(problem)
    if log_target:  # log y = log C + Σ aᵢ·log xᵢ + g(x): the logarithms as one block
        block = block_indices([t.expr for t in gram.terms], data.variables)
        if block is not None:
            supports = supports + supports_with_block(problem, block, solver)
    if not supports:
        raise DataError("the solver proposed no terms: the target is not explained by any term of the library")
    supports = supports + _with_simpler_terms(supports, problem.gram, term_complexity)
    return gram, term_complexity, supports


def _settled_front(
    front: list,
    chosen: Any,
    columns_of: Callable[[Sequence[int]], np.ndarray],
    y_weighted: np.ndarray,
    gram: Any,
    settings: Settings,
    *,
    tidy: bool,
    log_target: bool,
    ones: np.ndarray | None,
    data: Dataset,
) -> tuple[list[FrontEntry], SettledTerms]:
    """Each front support settled by the SymPy layer: the front's entries, and the chosen support's settled law."""
    entries, settled_chosen = [], None
    for c in front:
        settled = settle_terms(
            columns_of(c.support),
            y_weighted,
            [gram.terms[j].expr for j in c.support],
            settings.constants,
            settings.prune_tol,
            settings.snap,
            tidy=tidy and c is chosen,
            log_target=log_target,
            ones=ones,
            known=data.known_error,
        )
        if c is chosen:
            settled_chosen = settled
        entries.append(
            FrontEntry(
                settled.expression,
                complexity(settled.expression),
                len(settled.terms),
                float(np.sqrt(settled.fit.rss / data.n_rows)),
                float(np.sqrt(c.cv_mse)),
                c.bic,
                c is chosen,
            )
        )
    assert settled_chosen is not None
    return entries, settled_chosen


def _library_coefficients(gram: Any, settled: SettledTerms) -> np.ndarray:
    """The settled law's coefficients on the library's terms (a folded term's parts each get their share)."""
    position = {t.expr: j for j, t in enumerate(gram.terms)}
    coef = np.zeros(len(gram.terms))
    for c in settled.coefficients:
        for term, factor in settled.parts.get(c.term, ((c.term, 1.0),)):
            coef[position[term]] += factor * c.value
    return coef


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


def _with_simpler_terms(supports: Sequence[Support], gram, term_complexity: np.ndarray) -> list[Support]:
    """Each support again with every term that has a near-parallel simpler one replaced by the simplest.

    ``gram`` is the standardised Gram matrix (the columns' cosines). Over a short range a term can
    stand in for a simpler one, and the noise decides which of the two the solver takes: R²·cos L and
    sin(2L)/C for R² and L/C where L ≤ 0.1. Both versions are scored; the simpler is chosen when it is
    within the margin (see :func:`~discovery.search.selection.choose`).
    """
    used = sorted({j for support in supports for j in support})  # only the proposed terms need a stand-in check
    cosines = gram[used].abs().cpu().numpy()
    simpler = (cosines >= SIMPLER_COSINE) & (term_complexity[None, :] < term_complexity[used][:, None])
    simplest = {
        j: min(np.flatnonzero(row).tolist(), key=lambda k: (term_complexity[k], k))
        for j, row in zip(used, simpler)
        if row.any()
    }
    seen = {frozenset(s) for s in supports}
    found = []
    for support in supports:
        replaced = tuple(simplest.get(j, j) for j in support)
        if len(set(replaced)) == len(replaced) and frozenset(replaced) not in seen:
            seen.add(frozenset(replaced))
            found.append(replaced)
    return found


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
