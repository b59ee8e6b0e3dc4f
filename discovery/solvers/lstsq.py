"""Plain least squares on every term."""

from __future__ import annotations

from .base import Problem, Solver, Support


class LeastSquares(Solver):
    """Fit all terms at once; sparsity comes only from the later pruning."""

    name = "lstsq"

    def path(self, problem: Problem) -> list[Support]:
        return [tuple(range(problem.n_terms))]
