"""Supports proposed from a library's evaluated columns: one per size, the least residual of two solvers'.

The dynamics searches (the weak formulation, the search on the trajectories'
misses) fit their own regressions, whose rows are not the data's: they hold
the columns themselves, not a library's Gram sums. This is how they propose
supports: standardise the columns and the target, run the exhaustive subset
search and thresholded least squares, and keep each size's support of least
residual. The basis regressor proposes from Gram sums with the user's solver
instead, and judges every support on the rows
(:func:`discovery.search.library_fit.fit_library`).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ..solvers.base import Problem
from ..solvers.stlsq import STLSQ
from ..solvers.subset import SubsetSearch

# Terms screened for the exhaustive subset search (the solver's default is 24): vector fields' libraries are
# collinear (x, x·y, x² and their neighbours), and 3x − 2xy − x² was missed with 24, found with 40.
SCREEN = 40


def library_supports(
    columns: np.ndarray,
    target: np.ndarray,
    complexity: Sequence[float],
    max_terms: int,
    random_state: int | None,
    scale: np.ndarray | None = None,
) -> list[tuple[int, ...]]:
    """Each size's best support for ``target`` among ``columns``, smallest first.

    Parameters
    ----------
    columns : numpy.ndarray, shape (n, p)
        The terms evaluated on the rows; none all zero.
    target : numpy.ndarray, shape (n,)
    complexity : sequence of float
        Each term's node count (the solvers' tie-break towards simpler terms).
    max_terms : int
        Largest support proposed (at most n − 2).
    random_state : int or None
    scale : numpy.ndarray, optional
        The columns' root-mean-square, where the caller measured it to find
        the zero columns (measured here otherwise).

    Returns
    -------
    list of tuple of int
        Column indices, sorted; at most one support per size. The columns and
        the target are scaled to unit root-mean-square; ``SubsetSearch(screen=SCREEN,
        backward=True)`` and :class:`~discovery.solvers.stlsq.STLSQ` each propose
        a path, and :func:`best_per_size` keeps the better at each size.
    """
    import torch

    n = len(target)
    standard = columns / (np.sqrt(np.mean(columns**2, axis=0)) if scale is None else scale)
    target_scale = float(np.sqrt(np.mean(target**2))) or 1.0
    problem = Problem(
        gram=torch.as_tensor(standard.T @ standard / n),
        rhs=torch.as_tensor(standard.T @ (target / target_scale) / n),
        n_rows=n,
        complexity=np.asarray(complexity, dtype=float),
        max_terms=min(max_terms, n - 2),
        random_state=random_state,
    )
    return best_per_size(problem, SubsetSearch(screen=SCREEN, backward=True).path(problem) + STLSQ().path(problem))


def best_per_size(problem: Problem, supports: list) -> list[tuple[int, ...]]:
    """Of several solvers' supports, the one of least residual at each size (up to the problem's max_terms).

    The subset search and thresholded least squares miss different laws in
    collinear libraries: each proposes, the residual decides.
    """
    import torch

    best: dict[int, tuple[float, tuple[int, ...]]] = {}
    for support in supports:
        support = tuple(sorted(int(i) for i in support))
        if not 0 < len(support) <= problem.max_terms:
            continue
        residual = float(problem.batch_residual(torch.as_tensor([support], dtype=torch.long))[0])
        if residual < best.get(len(support), (np.inf, ()))[0]:
            best[len(support)] = (residual, support)
    return [best[k][1] for k in sorted(best)]
