"""Evaluate a law's expression on columns of data."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
import sympy as sp

from bases.compile import compile_expression, compile_positional


def with_constants(expr: sp.Expr, constants: Mapping[str, float]) -> sp.Expr:
    """``expr`` with each named constant replaced by its value."""
    return expr.subs({sp.Symbol(k): v for k, v in constants.items()})


def numpy_evaluator(expr: sp.Expr, constants: Mapping[str, float], as_printed: bool = False):
    """A float64 NumPy function of columns (name → array) evaluating ``expr``.

    ``as_printed``: in the order SymPy prints it (see :func:`bases.compile.compile_expression`).
    """
    evaluate = compile_expression(with_constants(expr, constants), "numpy", as_printed)
    return lambda columns: np.asarray(evaluate(columns), dtype=np.float64)


def scalar_evaluator(
    expressions: Sequence[sp.Expr], arguments: Sequence[str | sp.Symbol], constants: Mapping[str, float]
) -> Callable[..., list[float]]:
    """``f(*values)``: every expression at one point, the values given in the order of ``arguments``.

    An argument is a name or a symbol; a Dummy symbol (several may share a name) stands for itself only.

    By the compiler's "math" backend: called once per step of an ODE integrator,
    where NumPy's per-call cost on a single row would dominate. In printed order,
    as the simulations were measured (see :func:`bases.compile.compile_expression`).
    """
    symbols = [sp.Symbol(a) if isinstance(a, str) else a for a in arguments]
    return compile_positional([with_constants(sp.sympify(e), constants) for e in expressions], symbols, "math")


class ParameterEvaluator:
    """An expression of columns and parameters, and its derivatives by each parameter, compiled once.

    Evaluated in printed order (see :func:`bases.compile.compile_expression`): the fits, and so the
    exact values that snap, are bit for bit those the settle stage was measured with.

    Parameters
    ----------
    expression : sympy.Expr
        Numbers in place of constants; ``parameters`` among its symbols.
    parameters : sequence of sympy.Symbol
    """

    def __init__(self, expression: sp.Expr, parameters: Sequence[sp.Symbol]) -> None:
        variables = sorted(expression.free_symbols - set(parameters), key=str)
        self.variables = [str(v) for v in variables]
        arguments = [*variables, *parameters]
        # One function for the value, one for every slope. No common-subexpression elimination: SymPy's cse
        # orders its work by hash, which Python salts per process, and the last bits would differ per run.
        self._value = compile_positional([expression], arguments, "numpy")
        self._slopes = compile_positional([sp.diff(expression, p) for p in parameters], arguments, "numpy")
        self._n_slopes = len(parameters)

    def _arguments(self, columns: Mapping[str, np.ndarray], theta: np.ndarray) -> list[Any]:
        return [*(columns[v] for v in self.variables), *theta]

    def value(self, columns: Mapping[str, np.ndarray], theta: np.ndarray, n: int) -> np.ndarray:
        """The expression on ``n`` rows at parameters ``theta``, as float64."""
        (value,) = self._value(*self._arguments(columns, theta))
        return np.broadcast_to(np.asarray(value, dtype=np.float64), (n,))

    def slopes(self, columns: Mapping[str, np.ndarray], theta: np.ndarray, n: int) -> np.ndarray:
        """The derivatives by each parameter, one column each (n × parameters)."""
        if not self._n_slopes:
            return np.zeros((n, 0))
        slopes = self._slopes(*self._arguments(columns, theta))
        return np.column_stack([np.broadcast_to(np.asarray(s, dtype=np.float64), (n,)) for s in slopes])
