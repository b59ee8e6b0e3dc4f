"""Operon (C++ genetic programming, ``pip install pyoperon``) as a search backend."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np
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
        # Operon computes in float32: masses of 1e30 squared, or y of 1e46, overflow it (pyoperon then
        # fails on its own NaN predictions). Columns and y of extreme scale are searched scaled to unit
        # RMS instead; each expression is mapped back (x → x/s, times y's scale), and its constants are
        # refitted on y anyway.
        x_scale, y_scale = _extreme_scale(data.X), float(_extreme_scale(data.y[:, None])[0])
        model.fit(data.X / x_scale, data.y / y_scale)
        names = [f"x{j}" for j in range(len(data.variables))]
        unscaled = {sp.Symbol(v): sp.Symbol(v) / sp.Float(s) for v, s in zip(data.variables, x_scale)}
        candidates = []
        for entry in model.pareto_front_:
            text = model.get_model_string(entry["tree"], DIGITS, names)
            expression = sp.Float(y_scale) * parse_model(text, data.variables).xreplace(unscaled)
            candidates.append(
                ExpressionCandidate(
                    expression, int(entry["complexity"]), float(entry["mean_squared_error"]) * y_scale**2
                )
            )
        return candidates


# Columns whose root mean square lies in this range are searched as they are.
PLAIN_SCALE = (1e-4, 1e4)


def _extreme_scale(columns: np.ndarray) -> np.ndarray:
    """Each column's root mean square where it lies outside ``PLAIN_SCALE`` (1 elsewhere, and where it is 0)."""
    rms = np.sqrt(np.mean(columns**2, axis=0))
    plain = (rms == 0) | ((rms >= PLAIN_SCALE[0]) & (rms <= PLAIN_SCALE[1]))
    return np.where(plain, 1.0, rms)


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
