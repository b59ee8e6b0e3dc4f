"""Operon (C++ genetic programming, ``pip install pyoperon``) as a search backend."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import sympy as sp

from ..errors import BackendUnavailable
from ..io.dataset import Dataset
from .base import ExpressionCandidate, SearchBackend, unary_operators_for

# Operon's names for the unary functions the toolkit knows (the rest are skipped).
OPERON_UNARY = {
    "sin": "sin",
    "cos": "cos",
    "tan": "tan",
    "exp": "exp",
    "log": "log",
    "sqrt": "sqrt",
    "tanh": "tanh",
    "sinh": "sinh",
    "cosh": "cosh",
    "asin": "asin",
    "acos": "acos",
    "atan": "atan",
}
MAX_LENGTH = 40  # nodes in an expression tree
POPULATION = 1000
# The search stops after this many evaluations (local-search steps included) or at the time limit,
# whichever comes first; only the first is reproducible across machines. 100,000 take about 5 s here.
MAX_EVALUATIONS = 100_000
DIGITS = 17  # constants printed with full precision, so nothing is lost before the refit


class OperonBackend(SearchBackend):
    """Multi-objective GP (accuracy and length) with Levenberg–Marquardt constant fitting.

    Parameters
    ----------
    max_length : int
        Largest tree, in nodes.
    population_size : int
    max_evaluations : int
        Budget that ends the search when it comes before the time limit: the
        same seed then gives the same front on any machine.
    """

    name = "operon"

    def __init__(
        self, max_length: int = MAX_LENGTH, population_size: int = POPULATION, max_evaluations: int = MAX_EVALUATIONS
    ) -> None:
        self.max_length = max_length
        self.population_size = population_size
        self.max_evaluations = max_evaluations

    def options(
        self,
        data: Dataset,
        time_limit: float,
        random_state: int | None,
        hint: sp.Expr | None = None,
        constants: Mapping[str, float] | None = None,
    ) -> dict[str, Any]:
        """Keyword arguments for ``pyoperon.sklearn.SymbolicRegressor`` (the hint chooses the unary operators)."""
        unary = [OPERON_UNARY[f] for f in unary_operators_for(hint) if f in OPERON_UNARY]
        return dict(
            allowed_symbols=",".join(["add", "sub", "mul", "div", "square", "constant", "variable"] + unary),
            objectives=["r2", "length"],
            max_length=self.max_length,
            population_size=self.population_size,
            generations=10**9,  # the evaluation budget or the time limit stops it
            max_evaluations=self.max_evaluations,
            max_time=max(1, int(math.floor(time_limit))),
            n_threads=1,  # one thread: the same seed gives the same front
            random_state=0 if random_state is None else int(random_state),
        )

    def search_expressions(
        self,
        data: Dataset,
        time_limit: float,
        random_state: int | None,
        hint: sp.Expr | None = None,
        constants: Mapping[str, float] | None = None,
    ) -> list[ExpressionCandidate]:
        try:
            from pyoperon.sklearn import SymbolicRegressor
        except ImportError as err:
            raise BackendUnavailable(
                f"method='operon' needs pyoperon ({err}); install it with `pip install pyoperon` "
                "(or `pip install equation-discovery[operon]`), or use method='basis'"
            ) from None
        model = SymbolicRegressor(**self.options(data, time_limit, random_state, hint))
        model.fit(data.X, data.y)
        names = [f"x{j}" for j in range(len(data.variables))]
        candidates = []
        for entry in model.pareto_front_:
            text = model.get_model_string(entry["tree"], DIGITS, names)
            candidates.append(
                ExpressionCandidate(
                    parse_model(text, data.variables), int(entry["complexity"]), float(entry["mean_squared_error"])
                )
            )
        return candidates


def parse_model(text: str, variables) -> sp.Expr:
    """An Operon model string over x0, x1, ... as a SymPy expression in the variables' symbols."""
    local = {f"x{j}": sp.Symbol(v) for j, v in enumerate(variables)}
    local.update(
        {
            "sqrt": sp.sqrt,
            "exp": sp.exp,
            "log": sp.log,
            "sin": sp.sin,
            "cos": sp.cos,
            "tan": sp.tan,
            "tanh": sp.tanh,
            "sinh": sp.sinh,
            "cosh": sp.cosh,
            "asin": sp.asin,
            "acos": sp.acos,
            "atan": sp.atan,
            "abs": sp.Abs,
            "square": lambda a: a**2,
        }
    )
    return sp.sympify(text.replace("^", "**"), locals=local)


__all__ = ["OperonBackend", "parse_model"]
