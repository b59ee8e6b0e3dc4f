"""Sparse solvers: each proposes supports; scoring and refitting are shared."""

from __future__ import annotations

from typing import Any

from ..errors import DataError
from .adam import AdamL1
from .base import Problem, Solver
from .lasso import LassoPath
from .lstsq import LeastSquares
from .stlsq import STLSQ
from .subset import SubsetSearch

SOLVERS: dict[str, type[Solver]] = {
    "lstsq": LeastSquares,
    "stlsq": STLSQ,
    "lasso": LassoPath,
    "l0": SubsetSearch,
    "adam": AdamL1,
}


def make_solver(solver: Any) -> Solver:
    """Return a solver instance from a name (``"l0"``) or an instance."""
    if isinstance(solver, Solver):
        return solver
    if isinstance(solver, str) and solver in SOLVERS:
        return SOLVERS[solver]()
    from difflib import get_close_matches

    hint = get_close_matches(str(solver), SOLVERS, n=1)
    did_you_mean = f" Did you mean {hint[0]!r}?" if hint else ""
    raise DataError(f"unknown solver {solver!r}; choose from {', '.join(SOLVERS)}.{did_you_mean}")


__all__ = [
    "AdamL1",
    "LassoPath",
    "LeastSquares",
    "Problem",
    "SOLVERS",
    "STLSQ",
    "Solver",
    "SubsetSearch",
    "make_solver",
]
